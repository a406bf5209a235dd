/*
 * tool.h - the MCP capability tables (tools, resources, prompts) and the
 * central checks every tools/call goes through.
 *
 * Each capability is one row of a static const table (the tool table is
 * generated from src/tools/schemas/, one JSON file a tool, by
 * scripts/tooldecl.c; resources and prompts are in src/tools/table.c). A row declares name,
 * title, description, input and output schema (JSON text), annotations
 * (TOOL_* flags), the scope the caller's key needs, the surfaces that show
 * it (control plane, conformance fixtures, in-call) and its handler.
 * tools/list, annotations, scope checks, validation and the docs are all
 * derived from the table; a handler never re-checks its arguments.
 *
 * tool_call() runs, in order: lookup (a row, or a tool the surface's
 * provider resolves), scope, schema validation, then the spend gate
 * (TOOL_SPEND rows) or the surface's hooks (struct tool_hooks) around the
 * handler, result shaping (structuredContent + the same JSON as text),
 * output-schema check (when SWITCHBOARD_CHECK_OUTPUT=1, as in the test
 * suite), audit.
 */
#ifndef TOOL_H
#define TOOL_H

#include <stdatomic.h>
#include <stdint.h>
#include <jansson.h>
#include "mcp/auth.h"
#include "mcp/session.h"

enum surface {
	SURFACE_CONTROL     = 1u << 0,  /* /mcp and stdio for API-key clients */
	SURFACE_CONFORMANCE = 1u << 1,  /* serve --conformance fixtures */
	SURFACE_INCALL      = 1u << 2,  /* /call/mcp during a live call */
};

enum tool_flags {
	TOOL_READONLY    = 1u << 0,  /* readOnlyHint */
	TOOL_DESTRUCTIVE = 1u << 1,  /* destructiveHint */
	TOOL_IDEMPOTENT  = 1u << 2,  /* idempotentHint */
	TOOL_OPENWORLD   = 1u << 3,  /* openWorldHint: reaches outside systems */
	TOOL_STREAMS     = 1u << 4,  /* may talk to the client mid-call (progress,
				       * logging, elicitation, sampling): runs on
				       * a worker with an SSE answer */
	TOOL_SPEND       = 1u << 5,  /* spends money: confirmation required */
	TOOL_REPEATS     = 1u << 6,  /* in-call: the same call twice means twice
				       * (keypad tones), never a barge-in repeat */
	TOOL_WAITS       = 1u << 7,  /* may wait on an outside system (a CRM, a
				       * directory): runs off the HTTP threads,
				       * answered as JSON; not published */
};

/* Where a tools/call runs (tool_run_mode). */
enum tool_run {
	TOOL_RUN_INLINE,  /* on the transport's thread: quick, local */
	TOOL_RUN_DEFER,   /* on a worker, answered as if inline (may wait on
			   * an outside system, needs no client round trip) */
	TOOL_RUN_STREAM,  /* on a worker with a stream: may talk to the client */
};

/* Everything a handler may use while it runs. */
struct call_ctx {
	struct session *sess;
	const struct principal *who;   /* NULL on the unauthenticated surface */
	struct sink *out;              /* this request's messages */
	const json_t *progress_token;  /* NULL when the client gave none */
	struct inflight *flight;
	const char *transport;         /* "stdio", "http", "sse" */
	void *tool_data;               /* a dynamic tool's data (tool_dynamic) */
	const json_t *meta;            /* the request's params._meta, or NULL */
	/* TOOL_SPEND rows, paid actions: the preview the caller confirmed
	 * (borrowed while the handler runs, NULL otherwise). A handler whose
	 * action can grow between the preview and the act (a campaign start)
	 * checks it in the act's own store transaction. */
	const json_t *confirmed;
};

struct tool_result {
	json_t *structured;  /* object for structuredContent (owned) */
	json_t *content;     /* content blocks (owned); derived when NULL */
	int is_error;
	int upstream_status; /* HTTP status of an outside service, 0 = none */
};

typedef int (*tool_fn)(struct call_ctx *ctx, const json_t *args,
		       struct tool_result *res);

struct tool {
	const char *name;
	const char *title;
	const char *description;
	const char *input_schema;   /* JSON text */
	const char *output_schema;  /* JSON text or NULL */
	unsigned flags;             /* TOOL_* */
	unsigned scope;             /* AUTH_SCOPE_* the key needs (0: none) */
	unsigned surfaces;          /* SURFACE_* */
	tool_fn fn;
	/* TOOL_SPEND rows only: say what would happen without doing it. Fills
	 * *preview with {action, target, estimated_cost (decimal string),
	 * currency, details?} and returns 0 (confirmation needed); returns
	 * TOOL_PREVIEW_FREE when these arguments spend nothing (e.g.
	 * update_campaign_status with "stop"), so the call runs unconfirmed; or
	 * returns a negative value with an isError in res (unknown assistant,
	 * balance too low, ...). It runs before every spend call, with or
	 * without a confirmation token, so its checks are current. Its whole
	 * answer is what a confirmation binds (tool_preview_hash): the same
	 * state must give the same preview (no clock, no balance in it). */
	int (*preview)(struct call_ctx *ctx, const json_t *args, json_t **preview,
		       struct tool_result *res);
	/* In-call rows: what a voice engine says while the tool runs (published
	 * in the listing's _meta, used by our voice runtime). NULL = default. */
	const char *say_start, *say_delay, *say_failure;
};

/*
 * Tools that are not table rows: an assistant's custom in-call tools,
 * resolved per session by a provider registered for a surface. tool_call
 * treats a resolved tool like a row (scope, validation, audit); its handler
 * finds `data` in ctx->tool_data.
 */
struct tool_dynamic {
	struct tool row;   /* name/title/description/flags/scope/fn (schemas unused) */
	char name[64];     /* storage for row.name */
	json_t *input;     /* input schema, owned */
	void *data;        /* provider's, freed by release */
	void (*release)(struct tool_dynamic *d);
};

struct tool_provider {
	/* tools/list entries to add for this session (new array) */
	json_t *(*list)(struct call_ctx *ctx);
	/* 0 with *out filled when `name` is one of the session's tools */
	int (*resolve)(struct call_ctx *ctx, const char *name, struct tool_dynamic *out);
};
void tool_set_provider(unsigned surface, const struct tool_provider *p);

/*
 * Surface hooks: what a surface does around every handler that runs on it
 * (the in-call surface: the decision log and repeat protection, registered
 * by tools/incall_log.c at start-up). tool_call applies them to table rows
 * and resolved tools alike, after scope and validation; not to TOOL_SPEND
 * rows, whose spend gate decides instead. A surface without hooks just runs
 * the handler. Registered once before requests arrive; read-only afterwards.
 */
struct tool_hooks {
	/* Before the handler. 0: run it, and pass *handle to finish. 1: the
	 * same action already ran: *answer is its CallToolResult, returned as
	 * is (audited "replayed"). -1: it must not run now: *answer is an
	 * isError CallToolResult saying why (audited "error"). *answer is a
	 * new reference, owned by tool_call. */
	int (*begin)(struct call_ctx *ctx, const struct tool *t, const json_t *args,
		     int64_t *handle, json_t **answer);
	/* After the handler: the CallToolResult it will answer (borrowed), the
	 * outside service's HTTP status (0 = none) and the latency so far. */
	void (*finish)(struct call_ctx *ctx, const struct tool *t, const json_t *args,
		       int64_t handle, const json_t *result, int upstream_status,
		       double latency_ms);
};
void tool_set_hooks(unsigned surface, const struct tool_hooks *h);
/* The listing's _meta for spoken messages of an in-call tool. */
json_t *tool_speech_meta(const char *start, const char *delay, const char *failure);
/* A schema reduced to what realtime voice models accept: type, properties,
 * required, enum, items, description (new reference). */
json_t *tool_schema_conservative(const json_t *schema);

/*
 * Spend governance, applied centrally to TOOL_SPEND rows (tool.c): the key
 * needs the row's scope (AUTH_SCOPE_SPEND); an `idempotency_key` argument
 * makes a retry return the first result; the row's preview runs; the call
 * runs only once confirmed, by elicitation when the client supports it,
 * otherwise by repeating the call with the single-use `confirmation_token`
 * the first call returned (bound to the exact arguments, valid
 * TOOL_CONFIRM_TTL seconds, or SWITCHBOARD_CONFIRM_TTL when set, read once
 * at start-up). A preview that answers TOOL_PREVIEW_FREE skips the
 * confirmation: one row can hold a free and a paid action; a paid one needs
 * AUTH_SCOPE_SPEND whatever scope the row names (update_campaign_status
 * names write, so a key without spend can still stop a campaign). Spend rows add
 * the fragment spend_arguments to their input properties and offer the
 * fragment spend_confirmation in their output schema's anyOf
 * (src/tools/schemas/fragments/).
 */
/*
 * A confirmation binds what the preview priced, not only the arguments:
 * the token is issued for the arguments' hash and the preview's hash
 * (tool_preview_hash), and the preview runs again on the confirmed call; if
 * it changed (more leads, a higher maximum cost, ...) nothing runs and the
 * answer is an isError {message, status "changed", preview} with the new
 * preview to confirm instead. After an elicitation the handler gets the
 * preview that was shown in ctx->confirmed.
 */
#define TOOL_CONFIRM_TTL 300
/* How long a spend confirmation asked by elicitation waits for the person
 * (SWITCHBOARD_ELICIT_TIMEOUT_MS); the request is cancelled sooner when its
 * client disconnects or its session ends. */
#define TOOL_ELICIT_TIMEOUT_MS 60000
#define TOOL_PREVIEW_FREE 1


/* ---- registry ---------------------------------------------------------- */

/* Parse and check every schema of every table; -1 with a log line naming
 * the broken row. Run once at start-up. */
int tool_registry_init(void);
void tool_registry_release(void);
const struct tool *tool_find(const char *name, unsigned surface);
/* tools/list result for a surface; cursor NULL for the first page.
 * Returns NULL for a bad cursor. */
json_t *tool_list(struct call_ctx *ctx, unsigned surface, const char *cursor);
size_t tool_count(unsigned surface);
const struct tool *tool_at(size_t i);    /* iterate the whole table */

/* ---- the central path -------------------------------------------------- */

/* Run tools/call. Returns the CallToolResult, or NULL with *rpc_code and
 * *rpc_msg set for a protocol error (unknown tool). */
json_t *tool_call(struct call_ctx *ctx, const char *name, const json_t *args,
		  int *rpc_code, const char **rpc_msg);
/* Where tools/call of this name runs: STREAM for TOOL_STREAMS and
 * TOOL_SPEND rows, DEFER for TOOL_WAITS rows and for names that are not
 * rows on the in-call surface (the assistant's custom tools, which call
 * the customer's systems), INLINE otherwise. */
enum tool_run tool_run_mode(const char *name, unsigned surface);
/* SHA-256 of a spend preview in canonical form (sorted keys): what a
 * confirmation token binds besides the arguments. */
void tool_preview_hash(const json_t *preview, unsigned char out[32]);

/* ---- for handlers ------------------------------------------------------ */

/* Result helpers: consume `data`. */
int tool_ok(struct tool_result *res, json_t *data);
int tool_fail(struct tool_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* isError with {message, errors:{field:[msg]}} for a business rule. */
int tool_invalid(struct tool_result *res, const char *field,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int ctx_cancelled(const struct call_ctx *ctx);
/* notifications/progress when the client sent a progressToken. */
int ctx_progress(struct call_ctx *ctx, double progress, double total,
		 const char *message);
/* notifications/message when the session's level lets `level` through. */
int ctx_log(struct call_ctx *ctx, const char *level, const char *logger,
	    json_t *data /* stolen */);
/* Server-to-client request inside a tool call (see session.h). */
int ctx_request(struct call_ctx *ctx, const char *method, json_t *params,
		int timeout_ms, json_t **result);
int ctx_client_can(const struct call_ctx *ctx, const char *capability);

/* ---- resources and prompts --------------------------------------------- */

struct resource {
	const char *uri;          /* exact URI, or a template with {var} */
	int is_template;
	const char *name, *title, *description, *mime;
	unsigned surfaces;
	unsigned scope;           /* AUTH_SCOPE_* the key needs (0: none), as for tools */
	/* fill *contents with [{uri, mimeType, text|blob}]; STORE-like codes:
	 * 0 ok, -2 not found */
	int (*read)(struct call_ctx *ctx, const char *uri, json_t **contents);
};

struct prompt_arg {
	const char *name, *description;
	int required;
	const char *const *completions;  /* NULL-terminated values, or NULL */
};

struct prompt {
	const char *name, *title, *description;
	const struct prompt_arg *args;   /* terminated by {NULL} */
	unsigned surfaces;
	/* fill *messages ([{role, content}]); -1 with *err set on bad args */
	int (*get)(struct call_ctx *ctx, const json_t *args, json_t **messages,
		   const char **err);
};

extern const struct tool tool_table[];
extern const struct resource resource_table[];
extern const struct prompt prompt_table[];

#endif
