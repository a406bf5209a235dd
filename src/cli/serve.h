/*
 * serve.h - the two commands that serve MCP: `switchboard serve` (HTTP:
 * Streamable HTTP /mcp, legacy /sse, /health, the in-call plane, and the SIP
 * user agent and dialer when a line can be had) and `switchboard stdio`
 * (one client on stdin/stdout, its key in SWITCHBOARD_API_KEY).
 *
 * Both run on the main thread until the end: serve until SIGINT or SIGTERM
 * (taken by sigwait; every thread it starts inherits the blocked mask),
 * stdio until stdin ends. They start and stop the background services in a
 * fixed order. Exit code 0, 1 when something could not start, 2 bad usage.
 */
#ifndef CLI_SERVE_H
#define CLI_SERVE_H

struct cmdline_args;

int serve_cmd_http(const struct cmdline_args *a);
int serve_cmd_stdio(const struct cmdline_args *a);

#endif
