/* incall.c - the in-call execution plane: call context checks (see incall.h). */
#include <stdio.h>
#include <string.h>
#include "incall.h"
#include "store.h"

static int live(const char *status)
{
	return status && (!strcmp(status, "initiated") || !strcmp(status, "ringing") ||
			  !strcmp(status, "in-progress"));
}

int incall_authorize(const struct principal *who, const struct call_context *cc,
		     char *why, size_t whylen)
{
	json_t *call;
	int r = -1;

	if (cc->account_id != who->account_id) {
		snprintf(why, whylen, "account_id %lld is not the API key's account",
			 (long long)cc->account_id);
		return -1;
	}
	call = store_call_get(who->account_id, cc->call_id);
	if (!call) {
		snprintf(why, whylen, "call %lld not found in this account",
			 (long long)cc->call_id);
		return -1;
	}
	if (json_integer_value(json_object_get(call, "assistant_id")) != cc->assistant_id)
		snprintf(why, whylen, "persona_id %lld is not the assistant of call %lld",
			 (long long)cc->assistant_id, (long long)cc->call_id);
	else if (!live(json_string_value(json_object_get(call, "status"))))
		snprintf(why, whylen, "call %lld is not active (status '%s')",
			 (long long)cc->call_id,
			 json_string_value(json_object_get(call, "status")));
	else
		r = 0;
	json_decref(call);
	return r;
}
