/*
 * gate.h - the checks every HTTP request passes before it reaches MCP,
 * as a pure function of the request's method, path and headers (the HTTP
 * transport fills the struct; tests and the fuzzer call it directly).
 *
 * Order: Host and Origin (403) → route (404) and method (405) → API key
 * (401) → /call/mcp context: incall scope (403), context headers (400), the
 * live call (403) → /recordings/: read scope (403) → Accept (406) and Content-Type (415) → Content-Length
 * (413 at once when huge; otherwise the body is read, dropped and answered
 * 413). The key and the call are checked against the store.
 */
#ifndef GATE_H
#define GATE_H

#include <stddef.h>
#include "mcp/auth.h"
#include "mcp/session.h"

enum gate_route { GATE_NONE, GATE_MCP, GATE_CALL, GATE_SSE, GATE_MESSAGES, GATE_HEALTH,
		  GATE_RECORDING };

struct gate_cfg {
	const char *bind;             /* the listen address (a Host it may be) */
	const char *allowed_hosts;    /* extra Host names, comma separated */
	const char *allowed_origins;  /* extra Origins, comma separated */
	size_t body_limit;
	int drain_factor;             /* bodies up to limit × this are drained */
	int require_auth;
	int incall;                   /* /call/mcp served */
};

/* Header values as received (NULL when absent). */
struct gate_req {
	const char *method, *url;
	const char *host, *origin, *accept, *content_type, *content_length;
	const char *authorization, *x_api_key;
	const char *account_id, *persona_id, *call_id, *caller_id_number;
};

struct gate_verdict {
	int status;                   /* 0: go on; else answer this HTTP status */
	int rpc_code;                 /* the JSON-RPC error code of the body */
	char message[200];            /* the error's message */
	enum gate_route route;
	int too_big;                  /* read and drop the body, then 413 */
	int have_principal;
	struct principal who;
	struct call_context call;     /* GATE_CALL */
};

enum gate_route gate_route_of(const char *url);
void gate_check(const struct gate_cfg *cfg, const struct gate_req *in,
		struct gate_verdict *v);

/* Pieces, exposed for the unit tests. */
int gate_host_ok(const struct gate_cfg *cfg, const char *host);
int gate_origin_ok(const struct gate_cfg *cfg, const char *origin);
int gate_accepts(const char *accept, const char *type);
int gate_is_json(const char *content_type);

#endif
