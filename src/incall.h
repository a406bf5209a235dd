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
#include "auth.h"
#include "session.h"

/* 0 when `who` may act on the call in `cc`; else -1 with a reason for a
 * 403 in why ("call 12 has ended", "persona 3 is not the call's assistant"). */
int incall_authorize(const struct principal *who, const struct call_context *cc,
		     char *why, size_t whylen);

#endif
