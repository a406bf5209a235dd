/* call_status.c - the call state table (see call_status.h). */
#include <string.h>
#include "store/call_status.h"

static const struct {
	const char *name;
	unsigned char live, completed, unreached;
} states[CALL_STATUS_COUNT] = {
#define CALL_STATUS_ROW(e, n, l, c, u) [CALL_STATUS_##e] = { n, l, c, u },
	CALL_STATUS_MAP(CALL_STATUS_ROW)
#undef CALL_STATUS_ROW
};

static int known(enum call_status s)
{
	return s > CALL_STATUS_UNKNOWN && s < CALL_STATUS_COUNT;
}

const char *call_status_name(enum call_status s)
{
	return known(s) ? states[s].name : NULL;
}

enum call_status call_status_parse(const char *name)
{
	if (!name)
		return CALL_STATUS_UNKNOWN;
	for (int s = CALL_STATUS_UNKNOWN + 1; s < CALL_STATUS_COUNT; s++)
		if (!strcmp(states[s].name, name))
			return (enum call_status)s;
	return CALL_STATUS_UNKNOWN;
}

int call_status_is_live(enum call_status s)
{
	return known(s) && states[s].live;
}

int call_status_is_final(enum call_status s)
{
	return known(s) && !states[s].live;
}

int call_status_is_completed(enum call_status s)
{
	return known(s) && states[s].completed;
}

int call_status_is_unreached(enum call_status s)
{
	return known(s) && states[s].unreached;
}
