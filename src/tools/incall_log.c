/* incall.c - the in-call execution plane: call context checks (see incall.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mcp/audit.h"
#include "base/buf.h"
#include "tools/incall_log.h"
#include "base/log.h"
#include "store/call_status.h"
#include "store/store.h"
#include "mcp/tool.h"
#include "base/util.h"

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
	else if (!call_status_is_live(call_status_parse(
			 json_string_value(json_object_get(call, "status")))))
		snprintf(why, whylen, "call %lld is not active (status '%s')",
			 (long long)cc->call_id,
			 json_string_value(json_object_get(call, "status")));
	else
		r = 0;
	json_decref(call);
	return r;
}

/* ---- the decision log -------------------------------------------------------- */

/* Read once (pthread_once): in-call tools run on many workers at a time. */
static double window_s;

static void window_read(void)
{
	const char *e = getenv("SWITCHBOARD_INCALL_REPEAT_WINDOW");
	int64_t v;
	window_s = e && !util_parse_i64(e, &v) && v >= 0 && v <= 86400 ? (double)v : 60.0;
}

static double repeat_window(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, window_read);
	return window_s;
}

/* The engine's own id for this tool call, when it sends one. */
static const char *engine_call_id(const json_t *meta)
{
	static const char *const keys[] = { "io.switchboard/tool_call_id", "toolCallId",
					    "tool_call_id", NULL };
	for (int i = 0; keys[i]; i++) {
		const char *v = json_string_value(json_object_get(meta, keys[i]));
		if (v && *v && strlen(v) < 128)
			return v;
	}
	return NULL;
}

int incall_begin(struct call_ctx *ctx, const struct tool *t, const json_t *args,
		 int64_t *action_id, json_t **replay)
{
	const char *tool = t->name;
	int dedupe = !(t->flags & (TOOL_READONLY | TOOL_REPEATS));
	json_t *red = audit_redact(args), *prior = NULL;
	char *args_txt = json_dumps(red, JSON_COMPACT | JSON_SORT_KEYS);
	const char *eid = engine_call_id(ctx->meta);
	char key[160];
	int r;

	if (eid) {
		snprintf(key, sizeof(key), "id:%s", eid);
	} else {
		char *canon = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
		unsigned char h[32];
		char hex[65];
		struct buf b = BUF_INIT(1u << 22);
		buf_adds(&b, tool);
		buf_addch(&b, '\0');
		buf_adds(&b, canon ? canon : "");
		util_sha256(b.ptr, b.len, h);
		util_hex(h, 16, hex);
		snprintf(key, sizeof(key), "h:%s", hex);
		buf_release(&b);
		free(canon);
	}
	/* reads run every time (their answer may change); only the key-less
	 * row is logged */
	r = store_action_claim(ctx->sess->call.call_id, tool, dedupe ? key : NULL, args_txt,
			       repeat_window(), action_id, &prior);
	free(args_txt);
	json_decref(red);
	if (r == 0)
		return 0;
	if (r == 1 && json_is_object(prior)) {
		*replay = prior;
		return 1;
	}
	json_decref(prior);
	*replay = json_pack("{s:[{s:s, s:s}], s:b}", "content", "type", "text", "text",
			    r == STORE_CONFLICT
			    ? "the same action is already running for this call: wait for its result"
			    : "cannot record the action: the decision log is unavailable",
			    "isError", 1);
	return -1;
}

void incall_finish(struct call_ctx *ctx, const struct tool *t, const json_t *args,
		   int64_t action_id, const json_t *result, int upstream_status,
		   double latency_ms)
{
	const json_t *sc = json_object_get(result, "structuredContent");
	const char *msg = json_string_value(json_object_get(sc, "message"));
	const json_t *first = json_array_get(json_object_get(result, "content"), 0);
	char summary[200];
	const char *src = msg ? msg : json_string_value(json_object_get(first, "text"));

	(void)ctx;	/* the claimed row already names the call, tool and arguments */
	(void)t;
	(void)args;
	snprintf(summary, sizeof(summary), "%s", src ? src : "");
	if (store_action_finish(action_id, upstream_status, latency_ms,
				json_is_true(json_object_get(result, "isError")) ? "error" : "ok",
				summary, result))
		log_error("incall: cannot finish action %lld in the decision log",
			  (long long)action_id);
}

static const struct tool_hooks hooks = { incall_begin, incall_finish };

void incall_log_init(void)
{
	tool_set_hooks(SURFACE_INCALL, &hooks);
}
