/* gate.c - the HTTP request gate (see gate.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "transport/gate.h"
#include "tools/incall_log.h"
#include "mcp/rpc.h"
#include "base/util.h"

/* Does `list` (comma separated) contain the n bytes at s? */
static int in_list(const char *list, const char *s, size_t n)
{
	while (list && *list) {
		size_t k = strcspn(list, ",");
		if (k == n && !strncasecmp(list, s, n))
			return 1;
		list += k;
		list += *list == ',';
	}
	return 0;
}

static int local_name(const char *h, size_t n)
{
	return (n == 9 && !strncasecmp(h, "localhost", 9)) ||
	       (n == 9 && !strncmp(h, "127.0.0.1", 9)) ||
	       (n == 5 && !strncmp(h, "[::1]", 5));
}

/* host[:port] with a name we serve. */
int gate_host_ok(const struct gate_cfg *cfg, const char *host)
{
	size_t n;
	const char *port;

	if (!host)
		return 0;
	if (host[0] == '[') {
		const char *e = strchr(host, ']');
		if (!e)
			return 0;
		n = (size_t)(e - host) + 1;
	} else {
		n = strcspn(host, ":");
	}
	port = host + n;	/* "" or ":digits" */
	if (*port) {
		if (*port != ':' || !port[1] || strspn(port + 1, "0123456789") != strlen(port + 1) ||
		    strlen(port + 1) > 5)
			return 0;
	}
	if (local_name(host, n) || in_list(cfg->allowed_hosts, host, n))
		return 1;
	/* bound to a specific non-loopback address: that address is fine */
	return cfg->bind && strlen(cfg->bind) == n && !strncmp(cfg->bind, host, n) &&
	       strcmp(cfg->bind, "0.0.0.0");
}

int gate_origin_ok(const struct gate_cfg *cfg, const char *origin)
{
	const char *h;
	if (!origin)
		return 1;	/* not a browser */
	if (in_list(cfg->allowed_origins, origin, strlen(origin)))
		return 1;
	if (!strncmp(origin, "http://", 7))
		h = origin + 7;
	else if (!strncmp(origin, "https://", 8))
		h = origin + 8;
	else
		return 0;
	return gate_host_ok(cfg, h);
}

int gate_accepts(const char *accept, const char *type)
{
	return accept && (strstr(accept, type) || strstr(accept, "*/*"));
}

int gate_is_json(const char *ct)
{
	return ct && !strncasecmp(ct, "application/json", 16) &&
	       (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
}

enum gate_route gate_route_of(const char *url)
{
	if (!url)
		return GATE_NONE;
	if (!strcmp(url, "/mcp") || !strcmp(url, "/mcp/"))
		return GATE_MCP;
	if (!strcmp(url, "/call/mcp"))
		return GATE_CALL;
	if (!strcmp(url, "/sse"))
		return GATE_SSE;
	if (!strcmp(url, "/messages") || !strcmp(url, "/message"))
		return GATE_MESSAGES;
	if (!strcmp(url, "/health"))
		return GATE_HEALTH;
	if (!strncmp(url, "/recordings/", 12))
		return GATE_RECORDING;
	return GATE_NONE;
}

static void deny(struct gate_verdict *v, int status, int code, const char *msg)
{
	v->status = status;
	v->rpc_code = code;
	snprintf(v->message, sizeof(v->message), "%s", msg);
}

/* /call/mcp: the key's incall scope, the context headers, the live call. */
static void call_gate(const struct gate_req *in, struct gate_verdict *v)
{
	const char *vals[3] = { in->account_id, in->persona_id, in->call_id };
	static const char *const names[] = { "account_id", "persona_id", "call_id" };
	int64_t n[3];
	char why[200];

	if (!v->have_principal || !(v->who.scopes & AUTH_SCOPE_INCALL)) {
		deny(v, 403, RPC_INVALID_REQUEST, "this API key lacks the 'incall' scope");
		return;
	}
	for (int i = 0; i < 3; i++) {
		if (!vals[i] || !*vals[i]) {
			snprintf(why, sizeof(why), "missing context header '%s'", names[i]);
			deny(v, 400, RPC_INVALID_REQUEST, why);
			return;
		}
		if (util_parse_i64(vals[i], &n[i]) || n[i] < 1) {
			snprintf(why, sizeof(why), "context header '%s' must be a positive integer",
				 names[i]);
			deny(v, 400, RPC_INVALID_REQUEST, why);
			return;
		}
	}
	v->call.account_id = n[0];
	v->call.assistant_id = n[1];
	v->call.call_id = n[2];
	snprintf(v->call.caller, sizeof(v->call.caller), "%s",
		 in->caller_id_number ? in->caller_id_number : "");
	if (incall_authorize(&v->who, &v->call, why, sizeof(why)))
		deny(v, 403, RPC_INVALID_REQUEST, why);
}

void gate_check(const struct gate_cfg *cfg, const struct gate_req *in,
		struct gate_verdict *v)
{
	const char *m = in->method ? in->method : "";

	memset(v, 0, sizeof(*v));
	v->route = gate_route_of(in->url);
	if (!gate_host_ok(cfg, in->host))
		return deny(v, 403, RPC_INVALID_REQUEST, "host not allowed");
	if (!gate_origin_ok(cfg, in->origin))
		return deny(v, 403, RPC_INVALID_REQUEST, "origin not allowed");
	switch (v->route) {
	case GATE_NONE:
		return deny(v, 404, RPC_INVALID_REQUEST, "not found");
	case GATE_HEALTH:
		if (strcmp(m, "GET"))
			deny(v, 405, RPC_INVALID_REQUEST, "method not allowed");
		return;
	case GATE_CALL:
		if (!cfg->incall)	/* not with --conformance */
			return deny(v, 404, RPC_INVALID_REQUEST, "not found");
		/* fall through */
	case GATE_MCP:
		if (strcmp(m, "POST") && strcmp(m, "GET") && strcmp(m, "DELETE"))
			return deny(v, 405, RPC_INVALID_REQUEST, "method not allowed");
		break;
	case GATE_RECORDING:
		if (!cfg->incall)
			return deny(v, 404, RPC_INVALID_REQUEST, "not found");
		if (strcmp(m, "GET"))
			return deny(v, 405, RPC_INVALID_REQUEST, "method not allowed");
		break;
	case GATE_SSE:
		if (strcmp(m, "GET"))
			return deny(v, 405, RPC_INVALID_REQUEST, "method not allowed");
		break;
	case GATE_MESSAGES:
		if (strcmp(m, "POST"))
			return deny(v, 405, RPC_INVALID_REQUEST, "method not allowed");
		break;
	}
	if (cfg->require_auth || v->route == GATE_CALL || v->route == GATE_RECORDING) {
		const char *key = auth_key_from_headers(in->authorization, in->x_api_key);
		if (!key)
			return deny(v, 401, -32001, "missing API key: send "
				    "'Authorization: Bearer <key>' or 'X-API-Key'");
		if (auth_verify(key, &v->who))
			return deny(v, 401, -32001, "invalid or revoked API key");
		v->have_principal = 1;
	}
	if (v->route == GATE_CALL) {
		call_gate(in, v);
		if (v->status)
			return;
	}
	/* a recording is call data: the read scope, as for get_call */
	if (v->route == GATE_RECORDING && !(v->who.scopes & AUTH_SCOPE_READ))
		return deny(v, 403, RPC_INVALID_REQUEST,
			    "this API key lacks the 'read' scope that recordings need");
	if (!strcmp(m, "POST")) {
		if ((v->route == GATE_MCP || v->route == GATE_CALL) &&
		    (!gate_accepts(in->accept, "application/json") ||
		     !gate_accepts(in->accept, "text/event-stream")))
			return deny(v, 406, RPC_INVALID_REQUEST,
				    "Accept must list application/json and text/event-stream");
		if (!gate_is_json(in->content_type))
			return deny(v, 415, RPC_INVALID_REQUEST,
				    "Content-Type must be application/json");
		if (in->content_length) {
			int64_t n;
			/* a moderately large body is read and dropped so the client
			 * sees the 413 (closing on unread data makes the kernel
			 * reset the connection, losing the answer); a huge one is
			 * refused at once */
			if (util_parse_i64(in->content_length, &n) == 0 &&
			    n > (int64_t)cfg->body_limit) {
				if (n > (int64_t)cfg->body_limit * cfg->drain_factor)
					return deny(v, 413, RPC_INVALID_REQUEST,
						    "request body too large");
				v->too_big = 1;
			}
		}
	} else if (!strcmp(m, "GET") && v->route != GATE_HEALTH && v->route != GATE_RECORDING &&
		   !gate_accepts(in->accept, "text/event-stream")) {
		return deny(v, 406, RPC_INVALID_REQUEST, "Accept must list text/event-stream");
	}
}
