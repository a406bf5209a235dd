/*
 * http.h - the HTTP transports on libmicrohttpd: Streamable HTTP at /mcp,
 * the legacy HTTP+SSE pair /sse + /messages, and /health.
 *
 * One daemon, epoll, a thread pool sized to the machine. Cheap requests are
 * answered inline; a tools/call that may talk to the client mid-call runs on
 * a worker thread and answers as an SSE stream whose connection is parked
 * (suspended) whenever it has nothing to send. Every request passes the
 * same gate, in this order: Host and Origin (403), route (404/405), API key
 * (401 with WWW-Authenticate), Accept (406) and Content-Type (415), body
 * size (413), JSON (400 parse error), session (400 missing / 404 unknown),
 * MCP-Protocol-Version (400). Sessions idle longer than idle_s end.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

struct http_cfg {
	const char *bind;            /* address to listen on, "127.0.0.1" */
	int port;                    /* 0 picks a free port */
	size_t body_limit;           /* largest request body, bytes */
	double idle_s;               /* idle session lifetime */
	unsigned surface;            /* SURFACE_CONTROL or SURFACE_CONFORMANCE */
	int require_auth;            /* 0 only for the conformance fixtures */
	const char *allowed_hosts;   /* extra Host names, comma separated */
	const char *allowed_origins; /* extra Origins, comma separated */
	unsigned threads;            /* 0 = number of CPUs */
	int prefer_sse;              /* answer every request as an SSE stream
				      * (conformance); otherwise JSON unless the
				      * client's Accept lists SSE first */
};

int http_start(const struct http_cfg *cfg);
int http_port(void);
void http_stop(void);

#endif
