/*
 * rpc.h - JSON-RPC 2.0 and the MCP method layer, transport-agnostic.
 *
 * A transport turns bytes into one JSON message and calls rpc_handle with
 * the session and a sink for whatever the message produces. Requests are
 * answered through the sink (exactly once, unless cancelled); notifications
 * and responses produce nothing. Methods are rows of one table in rpc.c.
 * Protocol errors are JSON-RPC errors; tool failures are isError results
 * (tool.c).
 */
#ifndef RPC_H
#define RPC_H

#include <jansson.h>
#include "base/jsonsafe.h"
#include "mcp/session.h"
#include "mcp/tool.h"

#define RPC_PARSE_ERROR      -32700
#define RPC_INVALID_REQUEST  -32600
#define RPC_METHOD_NOT_FOUND -32601
#define RPC_INVALID_PARAMS   -32602
#define RPC_INTERNAL_ERROR   -32603
#define RPC_RESOURCE_NOT_FOUND -32002
/* the key lacks the scope a resource needs (server-error range; -32000
 * and -32001 are taken by SDKs and the gate); data.required_scope names it */
#define RPC_FORBIDDEN        -32003

/* What every transport answers (-32600) to a message nested deeper than
 * JSONSAFE_MAX_DEPTH (jsonsafe.h), before it is validated or audited. */
#define RPC_STR_(x) #x
#define RPC_STR(x) RPC_STR_(x)
#define RPC_TOO_DEEP_MESSAGE \
	"invalid request: JSON nested deeper than " RPC_STR(JSONSAFE_MAX_DEPTH) " levels"

#define MCP_PROTOCOL_LATEST "2025-11-25"

enum rpc_kind { RPC_REQUEST, RPC_NOTIFICATION, RPC_RESPONSE, RPC_INVALID };

/* Server identity and the instructions sent at initialize. */
void rpc_set_instructions(const char *text);

enum rpc_kind rpc_classify(const json_t *msg);
/* 1 when this protocol version string is one we speak. */
int rpc_version_supported(const char *v);
/* New error response; id may be NULL (becomes null). */
json_t *rpc_error(const json_t *id, int code, const char *message);
/* Where handling this request runs (tool.h): STREAM when it may block
 * waiting for the client or stream progress (a progress token, or a
 * streaming or spending tool), DEFER when it may wait on an outside
 * system, INLINE for everything else (not only tools/call). */
enum tool_run rpc_run_mode(struct session *s, const json_t *msg);
/*
 * Serialize a message for the wire (compact, caller frees). A tools/call
 * result whose only text block is the JSON of its structuredContent (the
 * shape tool.c produces) is written without serializing that JSON twice:
 * the text block's string is emitted as the structuredContent verbatim.
 */
char *rpc_serialize(const json_t *msg, size_t *len);

/* A resource changed: tell every session subscribed to `uri` (on its
 * standalone stream, notifications/resources/updated). */
void rpc_resource_updated(const char *uri);

/* Handle one message of session s; `transport` names it in the audit. */
void rpc_handle(struct session *s, const json_t *msg, struct sink *out,
		const char *transport);
/* The same as `who` (borrowed for the call; NULL: unauthenticated) instead
 * of the session's principal: a transport that re-checked the key for this
 * message passes its current scopes (stdio). */
void rpc_handle_as(struct session *s, const struct principal *who, const json_t *msg,
		   struct sink *out, const char *transport);

#endif
