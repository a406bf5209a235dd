/*
 * stdio_transport.h - MCP over stdin/stdout: one JSON-RPC message per line.
 *
 * stdout carries only protocol messages (one writer lock); logs go to
 * stderr. Lines longer than the limit are refused with a JSON-RPC error and
 * skipped, never truncated. Requests that may wait on the client run on
 * worker threads so the reader keeps reading the answers. The key is
 * checked again (auth_recheck) before every request and notification: a
 * revoked key gets JSON-RPC error -32001 and the process keeps running;
 * each request runs with the key's current scopes.
 */
#ifndef STDIO_TRANSPORT_H
#define STDIO_TRANSPORT_H

#include "mcp/auth.h"

/* Serve until stdin closes. `who` is the principal of SWITCHBOARD_API_KEY
 * (NULL on the unauthenticated conformance surface). */
int stdio_serve(const struct principal *who, unsigned surface);

#endif
