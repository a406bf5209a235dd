/*
 * incall.h - the in-call execution plane behind /call/mcp.
 *
 * A voice engine (ours, or an external one) drives a live call through MCP:
 * every request carries the context headers account_id, persona_id (the
 * assistant) and call_id, plus caller_id_number. incall_authorize() checks
 * them against the store once per request: the key's account owns the call,
 * the call is live, and the persona is the call's assistant. Sessions on
 * this endpoint see SURFACE_INCALL rows of the tool table plus the
 * assistant's own custom tools.
 */
#ifndef INCALL_H
#define INCALL_H

#include <stddef.h>
#include "mcp/auth.h"
#include "mcp/session.h"

/* 0 when `who` may act on the call in `cc`; else -1 with a reason for a
 * 403 in why ("call 12 has ended", "persona 3 is not the call's assistant"). */
int incall_authorize(const struct principal *who, const struct call_context *cc,
		     char *why, size_t whylen);

#endif

/* ---- the decision log, with idempotency ------------------------------------ */

struct call_ctx;
struct tool;

/*
 * The in-call surface's hooks (struct tool_hooks in mcp/tool.h), which
 * tool_call runs around every in-call handler, table row or custom tool.
 *
 * Before an in-call action runs: log it. For actions that change something
 * (leads, transfers, POSTs: rows without TOOL_READONLY or TOOL_REPEATS),
 * claim it in the decision log under its idempotency key (the engine's
 * tool-call id from _meta when given, else a hash of tool and arguments,
 * valid for SWITCHBOARD_INCALL_REPEAT_WINDOW seconds, default 60). Returns
 * 0 when claimed (*action_id set: run it, then incall_finish), 1 when the
 * same action already ran (*replay = its CallToolResult: return that, do
 * nothing), -1 when it is still running or the log is unavailable
 * (*replay = an isError result saying so).
 */
int incall_begin(struct call_ctx *ctx, const struct tool *t, const json_t *args,
		 int64_t *action_id, json_t **replay);
/* Record how it went: the CallToolResult, upstream HTTP status, latency. */
void incall_finish(struct call_ctx *ctx, const struct tool *t, const json_t *args,
		   int64_t action_id, const json_t *result, int upstream_status,
		   double latency_ms);
/* Register incall_begin/incall_finish as SURFACE_INCALL's hooks (at
 * start-up; incall_init does it too). */
void incall_log_init(void);

/* Register the custom-tool provider and the decision log's hooks for
 * SURFACE_INCALL (at start-up). */
void incall_init(void);
