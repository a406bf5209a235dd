/* log.c - operator logging to stderr (see log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/log.h"

static enum log_level threshold = LOG_INFO;
static const char *const names[] = { "debug", "info", "warn", "error" };

void log_set_level(enum log_level lvl)
{
	threshold = lvl;
}

void log_init_from_env(void)
{
	const char *v = getenv("SWITCHBOARD_LOG");
	if (!v)
		return;
	for (int i = 0; i < 4; i++)
		if (!strcmp(v, names[i]))
			threshold = (enum log_level)i;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char line[2048], ts[32];
	struct tm tm;
	time_t now;
	va_list ap;
	int n;

	if (lvl < threshold)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s %s ", ts, names[lvl]);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* one write per line so threads do not interleave */
	fprintf(stderr, "%s\n", line);
}
