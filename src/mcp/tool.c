/* tool.c - capability registry and the central tools/call path (see tool.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "mcp/audit.h"
#include "base/buf.h"
#include "base/log.h"
#include "mcp/schema.h"
#include "store/store.h"
#include "mcp/tool.h"
#include "base/util.h"

#define LIST_PAGE 50

#define NSURFACES 4
/* What each surface registered at start-up (by surface bit); read-only once
 * requests arrive. */
static const struct tool_provider *providers[NSURFACES];
static const struct tool_hooks *surface_hooks[NSURFACES];

static const struct tool_provider *provider_for(unsigned surface)
{
	for (int i = 0; i < NSURFACES; i++)
		if (surface == (1u << i))
			return providers[i];
	return NULL;
}

static const struct tool_hooks *hooks_for(unsigned surface)
{
	for (int i = 0; i < NSURFACES; i++)
		if (surface == (1u << i))
			return surface_hooks[i];
	return NULL;
}

void tool_set_provider(unsigned surface, const struct tool_provider *p)
{
	for (int i = 0; i < NSURFACES; i++)
		if (surface == (1u << i))
			providers[i] = p;
}

void tool_set_hooks(unsigned surface, const struct tool_hooks *h)
{
	for (int i = 0; i < NSURFACES; i++)
		if (surface == (1u << i))
			surface_hooks[i] = h;
}

static const char *const schema_keep[] = {
	"type", "properties", "required", "enum", "items", "description", NULL
};

json_t *tool_schema_conservative(const json_t *schema)
{
	json_t *out = json_object();
	const char *k;
	json_t *v;

	if (!json_is_object(schema))
		return out;
	json_object_foreach((json_t *)schema, k, v) {
		int keep = 0;
		for (int i = 0; schema_keep[i]; i++)
			keep |= !strcmp(k, schema_keep[i]);
		if (!keep)
			continue;
		if (!strcmp(k, "properties") && json_is_object(v)) {
			json_t *props = json_object(), *pv;
			const char *pk;
			json_object_foreach(v, pk, pv)
				json_object_set_new(props, pk, tool_schema_conservative(pv));
			json_object_set_new(out, k, props);
		} else if (!strcmp(k, "items")) {
			json_object_set_new(out, k, tool_schema_conservative(v));
		} else if (!strcmp(k, "type") && json_is_array(v)) {
			/* ["string","null"] -> "string": unions are what models choke on */
			size_t i;
			json_t *t;
			json_array_foreach(v, i, t)
				if (json_is_string(t) && strcmp(json_string_value(t), "null")) {
					json_object_set(out, k, t);
					break;
				}
		} else {
			json_object_set(out, k, v);
		}
	}
	if (!json_object_get(out, "type") && json_object_get(out, "properties"))
		json_object_set_new(out, "type", json_string("object"));
	return out;
}

json_t *tool_speech_meta(const char *start, const char *delay, const char *failure)
{
	return json_pack("{s:{s:s, s:s, s:s, s:i}}", "io.switchboard/speech",
			 "on_start", start ? start : "One moment, please.",
			 "on_delay", delay ? delay : "I'm still on it, thanks for your patience.",
			 "on_failure", failure ? failure : "Sorry, that didn't work just now.",
			 "delay_ms", 2500);
}

/* Parsed schemas and derived tools/list entries, index-aligned with
 * tool_table. Built once by tool_registry_init; read-only afterwards. */
static struct tool_rt {
	json_t *input;
	json_t *output;
	json_t *listing;   /* the tools/list entry */
} *rt;
static size_t ntools;
static int check_output;
static double confirm_ttl = TOOL_CONFIRM_TTL;
static int elicit_timeout_ms = TOOL_ELICIT_TIMEOUT_MS;

static json_t *annotations(const struct tool *t)
{
	return json_pack("{s:s, s:b, s:b, s:b, s:b}",
			 "title", t->title,
			 "readOnlyHint", !!(t->flags & TOOL_READONLY),
			 "destructiveHint", !!(t->flags & TOOL_DESTRUCTIVE),
			 "idempotentHint", !!(t->flags & TOOL_IDEMPOTENT),
			 "openWorldHint", !!(t->flags & TOOL_OPENWORLD));
}

/* The structuredContent of every isError result (see tool_fail and friends). */
static json_t *error_shape(void)
{
	static json_t *shape;
	if (!shape)
		shape = json_loads("{\"type\":\"object\",\"required\":[\"message\"],"
			"\"properties\":{\"message\":{\"type\":\"string\"},"
			"\"errors\":{\"type\":\"object\",\"additionalProperties\":"
			"{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
			"\"required_scope\":{\"type\":\"string\"}}}", 0, NULL);
	return shape;
}

static json_t *parse_schema(const char *name, const char *which, const char *txt)
{
	json_error_t e;
	char err[256];
	json_t *s = json_loads(txt, 0, &e);

	if (!s) {
		log_error("tool '%s': %s schema is not JSON: %s (line %d)", name,
			  which, e.text, e.line);
		return NULL;
	}
	if (schema_check(s, err, sizeof(err))) {
		log_error("tool '%s': %s schema unusable: %s", name, which, err);
		json_decref(s);
		return NULL;
	}
	return s;
}

int tool_registry_init(void)
{
	const char *co = getenv("SWITCHBOARD_CHECK_OUTPUT");
	const char *ttl = getenv("SWITCHBOARD_CONFIRM_TTL");
	int64_t v;
	check_output = co && !strcmp(co, "1");
	if (ttl && *ttl) {
		if (util_parse_i64(ttl, &v) || v < 1 || v > 86400)
			log_warn("SWITCHBOARD_CONFIRM_TTL='%s' is not 1..86400 seconds: using %d",
				 ttl, TOOL_CONFIRM_TTL);
		else
			confirm_ttl = (double)v;
	}
	/* a confirmation nobody answers holds a worker and a unit of the
	 * account's quota (quota.h) until then */
	elicit_timeout_ms = (int)util_env_i64("SWITCHBOARD_ELICIT_TIMEOUT_MS",
					      TOOL_ELICIT_TIMEOUT_MS, 1000, 600000);
	for (ntools = 0; tool_table[ntools].name; ntools++)
		;
	rt = calloc(ntools + 1, sizeof(*rt));
	if (!rt)
		return -1;
	for (size_t i = 0; i < ntools; i++) {
		const struct tool *t = &tool_table[i];
		rt[i].input = parse_schema(t->name, "input", t->input_schema);
		if (!rt[i].input)
			return -1;
		if (t->output_schema) {
			rt[i].output = parse_schema(t->name, "output", t->output_schema);
			if (!rt[i].output)
				return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(tool_table[j].name, t->name) &&
			    (tool_table[j].surfaces & t->surfaces)) {
				log_error("tool '%s' declared twice", t->name);
				return -1;
			}
		json_t *l = json_pack("{s:s, s:s, s:s, s:O, s:o}",
				      "name", t->name, "title", t->title,
				      "description", t->description,
				      "inputSchema", rt[i].input,
				      "annotations", annotations(t));
		if (t->surfaces & SURFACE_INCALL) {
			json_object_set_new(l, "inputSchema", tool_schema_conservative(rt[i].input));
			json_object_set_new(l, "_meta", tool_speech_meta(t->say_start,
						t->say_delay, t->say_failure));
		}
		if (rt[i].output) {
			/* clients (the TS SDK) check structuredContent against the
			 * outputSchema on error results too: advertise both shapes */
			json_t *adv = json_pack("{s:s, s:[O, O]}", "type", "object",
						"anyOf", rt[i].output, error_shape());
			json_object_set_new(l, "outputSchema", adv);
		}
		rt[i].listing = l;
	}
	return 0;
}

void tool_registry_release(void)
{
	if (!rt)
		return;
	json_decref(error_shape());
	for (size_t i = 0; i < ntools; i++) {
		json_decref(rt[i].input);
		json_decref(rt[i].output);
		json_decref(rt[i].listing);
	}
	free(rt);
	rt = NULL;
}

static long find_index(const char *name, unsigned surface)
{
	for (size_t i = 0; i < ntools; i++)
		if ((tool_table[i].surfaces & surface) &&
		    !strcmp(tool_table[i].name, name))
			return (long)i;
	return -1;
}

const struct tool *tool_find(const char *name, unsigned surface)
{
	long i = find_index(name, surface);
	return i < 0 ? NULL : &tool_table[i];
}

const struct tool *tool_at(size_t i)
{
	return i < ntools ? &tool_table[i] : NULL;
}

size_t tool_count(unsigned surface)
{
	size_t n = 0;
	for (size_t i = 0; i < ntools; i++)
		n += !!(tool_table[i].surfaces & surface);
	return n;
}

enum tool_run tool_run_mode(const char *name, unsigned surface)
{
	const struct tool *t = tool_find(name, surface);

	if (!t)
		return surface & SURFACE_INCALL ? TOOL_RUN_DEFER : TOOL_RUN_INLINE;
	if (t->flags & (TOOL_STREAMS | TOOL_SPEND))
		return TOOL_RUN_STREAM;
	return t->flags & TOOL_WAITS ? TOOL_RUN_DEFER : TOOL_RUN_INLINE;
}

/* Cursors are "t" + the decimal index of the first tool on the page. */
json_t *tool_list(struct call_ctx *ctx, unsigned surface, const char *cursor)
{
	size_t start = 0, seen = 0, shown = 0;
	json_t *tools, *res;
	const struct tool_provider *prov = provider_for(surface);

	if (cursor) {
		int64_t v;
		if (cursor[0] != 't' || util_parse_i64(cursor + 1, &v) || v < 1 ||
		    (size_t)v >= tool_count(surface))
			return NULL;
		start = (size_t)v;
	}
	tools = json_array();
	res = json_pack("{s:o}", "tools", tools);
	for (size_t i = 0; i < ntools; i++) {
		if (!(tool_table[i].surfaces & surface))
			continue;
		if (seen++ < start)
			continue;
		if (shown == LIST_PAGE) {
			char next[32];
			snprintf(next, sizeof(next), "t%zu", start + shown);
			json_object_set_new(res, "nextCursor", json_string(next));
			break;
		}
		json_array_append(tools, rt[i].listing);
		shown++;
	}
	/* the session's own tools follow the rows, on the last page */
	if (prov && !json_object_get(res, "nextCursor")) {
		json_t *more = prov->list(ctx);
		json_array_extend(tools, more);
		json_decref(more);
	}
	return res;
}

/* ---- results ------------------------------------------------------------ */

int tool_ok(struct tool_result *res, json_t *data)
{
	json_decref(res->structured);
	res->structured = data;
	res->is_error = 0;
	return 0;
}

int tool_fail(struct tool_result *res, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_decref(res->structured);
	res->structured = json_pack("{s:s}", "message", msg);
	res->is_error = 1;
	return 0;
}

int tool_invalid(struct tool_result *res, const char *field,
		 const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_decref(res->structured);
	res->structured = json_pack("{s:s, s:{s:[s]}}", "message",
				    "The given data was invalid.", "errors",
				    field, msg);
	res->is_error = 1;
	return 0;
}

/* CallToolResult from a handler's result: text block + structuredContent. */
static json_t *shape(struct tool_result *res)
{
	json_t *out = json_object();
	json_t *content = res->content;

	if (!content) {
		content = json_array();
		if (res->structured) {
			const char *m = json_string_value(json_object_get(res->structured, "message"));
			char *txt;
			/* an error reads best as its message (plus details) */
			if (res->is_error && m && json_object_size(res->structured) == 1)
				txt = strdup(m);
			else
				txt = json_dumps(res->structured, JSON_COMPACT | JSON_REAL_PRECISION(15));
			json_array_append_new(content, json_pack("{s:s, s:s}", "type",
						"text", "text", txt ? txt : ""));
			free(txt);
		}
	}
	json_object_set_new(out, "content", content);
	res->content = NULL;
	if (res->structured)
		json_object_set_new(out, "structuredContent", res->structured);
	res->structured = NULL;
	if (res->is_error)
		json_object_set_new(out, "isError", json_true());
	return out;
}


/* ---- spend governance ------------------------------------------------------ */

/* SHA-256 over the tool name and its arguments in canonical form, without
 * the confirmation token (which is not part of "what is being confirmed"). */
static void args_hash(const char *tool, const json_t *args, unsigned char out[32])
{
	json_t *copy = json_deep_copy(args);
	char *txt;
	struct buf b = BUF_INIT(1u << 24);

	json_object_del(copy, "confirmation_token");
	txt = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	buf_adds(&b, tool);
	buf_addch(&b, '\0');
	buf_adds(&b, txt ? txt : "");
	util_sha256(b.ptr, b.len, out);
	buf_release(&b);
	free(txt);
	json_decref(copy);
}

void tool_preview_hash(const json_t *preview, unsigned char out[32])
{
	char *txt = json_dumps(preview, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));

	util_sha256(txt ? txt : "", txt ? strlen(txt) : 0, out);
	free(txt);
}

static void iso_time(double t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One sentence for the person confirming. */
static void describe(const json_t *pv, char *out, size_t n)
{
	const char *action = json_string_value(json_object_get(pv, "action"));
	const char *target = json_string_value(json_object_get(pv, "target"));
	const char *cost = json_string_value(json_object_get(pv, "estimated_cost"));
	snprintf(out, n, "Confirm: %s%s%s. Estimated cost: up to %s %s.",
		 action ? action : "spend money", target ? " - " : "", target ? target : "",
		 cost ? cost : "?", "USD");
}

enum { SPEND_RUN, SPEND_ANSWERED };

/* The answer when what a confirmation covered has changed: nothing done,
 * the new preview to confirm instead. */
static void preview_changed(struct tool_result *res, const struct tool *t, json_t *pv,
			    const char *what)
{
	const char *action = json_string_value(json_object_get(pv, "action"));
	const char *target = json_string_value(json_object_get(pv, "target"));
	const char *cost = json_string_value(json_object_get(pv, "estimated_cost"));
	char m[1024];

	snprintf(m, sizeof(m), "what %s confirmed has changed since: nothing was done. Now "
		 "it would %s - %s, up to %s USD. Ask for a new confirmation: call %s again "
		 "without confirmation_token.", what, action ? action : "spend money",
		 target ? target : "?", cost ? cost : "?", t->name);
	json_decref(res->structured);
	res->structured = json_pack("{s:s, s:s, s:o}", "message", m, "status", "changed",
				    "preview", pv);
	res->is_error = 1;
}

/* Decide whether a TOOL_SPEND call may run now. SPEND_ANSWERED means res
 * holds the answer (preview with a token, refusal or error). SPEND_RUN
 * with *confirmed set (new reference) for a paid action: the preview the
 * caller confirmed, equal to the current one (token) or the one shown
 * (elicitation); NULL for a free one. */
static int spend_gate(struct call_ctx *ctx, const struct tool *t, const json_t *args,
		      const unsigned char hash[32], struct tool_result *res,
		      json_t **confirmed)
{
	const char *token = json_string_value(json_object_get(args, "confirmation_token"));
	json_t *pv = NULL, *answer = NULL;
	unsigned char ph[32];
	char sentence[512];
	int r;

	*confirmed = NULL;
	/* the preview first: its checks (balance, ownership) hold at run time,
	 * and it says whether these arguments spend anything at all */
	r = t->preview ? t->preview(ctx, args, &pv, res) : -1;
	if (r < 0 || (r != TOOL_PREVIEW_FREE && !pv)) {
		if (!res->structured && !res->content)
			tool_fail(res, "cannot prepare the confirmation for '%s'", t->name);
		json_decref(pv);
		return SPEND_ANSWERED;
	}
	if (r == TOOL_PREVIEW_FREE) {
		json_decref(pv);
		return SPEND_RUN;
	}
	/* whatever scope the row names, spending needs the spend scope */
	if (!(ctx->who->scopes & AUTH_SCOPE_SPEND)) {
		json_decref(pv);
		char m[256];
		snprintf(m, sizeof(m), "this API key lacks the '%s' scope that this action of "
			 "'%s' needs", auth_scope_name(AUTH_SCOPE_SPEND), t->name);
		res->structured = json_pack("{s:s, s:s}", "message", m, "required_scope",
					    auth_scope_name(AUTH_SCOPE_SPEND));
		res->is_error = 1;
		return SPEND_ANSWERED;
	}
	/* the token binds what the preview priced, not only the arguments: the
	 * same arguments can mean more (leads added to a campaign since) */
	tool_preview_hash(pv, ph);
	if (token) {
		unsigned char th[32];
		util_sha256(token, strlen(token), th);
		r = store_confirmation_consume(ctx->who->account_id, th, t->name, hash, ph,
					       util_now());
		if (r == 0) {
			*confirmed = pv;
			return SPEND_RUN;
		}
		if (r == STORE_INVALID) {
			preview_changed(res, t, pv, "this confirmation_token");
			return SPEND_ANSWERED;
		}
		json_decref(pv);
		pv = NULL;
		if (r == STORE_CONFLICT)
			tool_invalid(res, "confirmation_token", "this token confirms a different "
				     "action or different arguments: call again without it for a new one");
		else if (r == STORE_NOTFOUND)
			tool_invalid(res, "confirmation_token", "unknown, expired or already used: "
				     "call again without it for a new one");
		else
			tool_fail(res, "cannot check the confirmation: store unavailable");
		return SPEND_ANSWERED;
	}
	describe(pv, sentence, sizeof(sentence));

	if (ctx_client_can(ctx, "elicitation")) {
		json_t *params = json_pack("{s:s, s:{s:s, s:{s:{s:s, s:s, s:s, s:b}}, s:[s]}}",
			"message", sentence, "requestedSchema", "type", "object", "properties",
			"confirm", "type", "boolean", "title", "Confirm",
			"description", "Yes, do it", "default", 1, "required", "confirm");
		r = ctx_request(ctx, "elicitation/create", params, elicit_timeout_ms, &answer);
		const char *a = r == 0 ? json_string_value(json_object_get(answer, "action")) : NULL;
		const json_t *confirm = json_object_get(json_object_get(answer, "content"), "confirm");
		int yes = a && !strcmp(a, "accept") && !json_is_false(confirm);
		/* a static name: `a` dies with the answer */
		const char *action = !a ? NULL : !strcmp(a, "cancel") ? "cancel" : "decline";
		json_decref(answer);
		if (yes) {
			/* the user may have taken a while: what was shown must still
			 * be what would run (a handler whose action can grow checks
			 * again in its own transaction: ctx->confirmed) */
			json_t *now = NULL;
			unsigned char nh[32];
			r = t->preview(ctx, args, &now, res);
			if (r < 0 || (r != TOOL_PREVIEW_FREE && !now)) {
				if (!res->structured && !res->content)
					tool_fail(res, "cannot prepare the confirmation for '%s'", t->name);
				json_decref(now);
				json_decref(pv);
				return SPEND_ANSWERED;
			}
			if (!now) {	/* free now: nothing left to confirm */
				json_decref(pv);
				return SPEND_RUN;
			}
			tool_preview_hash(now, nh);
			if (memcmp(nh, ph, sizeof(nh))) {
				json_decref(pv);
				preview_changed(res, t, now, "the user");
				return SPEND_ANSWERED;
			}
			json_decref(now);
			*confirmed = pv;
			return SPEND_RUN;
		}
		res->structured = json_pack("{s:s, s:s, s:o}", "message",
			!action ? "no confirmation arrived: nothing was done"
			: !strcmp(action, "cancel") ? "cancelled by the user: nothing was done"
			: "declined by the user: nothing was done",
			"status", action ? action : "timeout", "preview", pv);
		res->is_error = 1;
		return SPEND_ANSWERED;
	}

	/* no elicitation: answer with a preview and a single-use token */
	char tok[65], exp[32], msg[768];
	unsigned char th[32];
	double expires = util_now() + confirm_ttl;
	util_random_hex(tok, 32);
	util_sha256(tok, strlen(tok), th);
	if (store_confirmation_insert(ctx->who->account_id, th, t->name, hash, ph, expires)) {
		json_decref(pv);
		tool_fail(res, "cannot issue a confirmation token: store unavailable");
		return SPEND_ANSWERED;
	}
	iso_time(expires, exp, sizeof(exp));
	snprintf(msg, sizeof(msg), "%s Nothing has happened yet. To go ahead, call %s again "
		 "with the same arguments plus confirmation_token (valid until %s, once).",
		 sentence, t->name, exp);
	res->structured = json_pack("{s:s, s:s, s:o, s:s, s:s}", "status",
		"confirmation_required", "message", msg, "preview", pv,
		"confirmation_token", tok, "expires_at", exp);
	return SPEND_ANSWERED;
}

/* ---- the central path ------------------------------------------------------- */

/* One tools/call on its way through tool_call: the tool, its schemas, the
 * arguments and the result being built. Lives on tool_call's stack. */
struct invocation {
	const struct tool *t;        /* a row, or &dyn.row */
	json_t *input, *output;      /* borrowed schemas; output NULL = unchecked */
	struct tool_dynamic dyn;     /* a tool the surface's provider resolved */
	int have_dyn;
	const json_t *args;          /* borrowed, never NULL */
	struct tool_result res;
	const char *outcome;         /* for the audit: "ok" until decided otherwise */
	double t0;
};

static double elapsed_ms(const struct invocation *inv)
{
	return (util_mono() - inv->t0) * 1000.0;
}

/* The row of this name on the surface, else the provider's tool of this
 * name: 0, or -1 when there is none. */
static int resolve(struct call_ctx *ctx, unsigned surface, const char *name,
		   struct invocation *inv)
{
	long idx = find_index(name, surface);
	const struct tool_provider *prov = provider_for(surface);

	memset(inv, 0, sizeof(*inv));
	inv->outcome = "ok";
	inv->t0 = util_mono();
	if (idx >= 0) {
		inv->t = &tool_table[idx];
		inv->input = rt[idx].input;
		inv->output = rt[idx].output;
		return 0;
	}
	if (!prov || prov->resolve(ctx, name, &inv->dyn))
		return -1;
	inv->have_dyn = 1;
	inv->dyn.row.name = inv->dyn.name;
	inv->t = &inv->dyn.row;
	inv->input = inv->dyn.input;
	ctx->tool_data = inv->dyn.data;
	return 0;
}

static void release_invocation(struct call_ctx *ctx, struct invocation *inv)
{
	if (!inv->have_dyn)
		return;
	ctx->tool_data = NULL;
	json_decref(inv->dyn.input);
	if (inv->dyn.release)
		inv->dyn.release(&inv->dyn);
}

/* The checks before anything runs, for every tool: the key's scope, then the
 * arguments against the input schema. 0 when the call may go on; -1 with
 * the refusal in inv->res. */
static int admit(struct call_ctx *ctx, struct invocation *inv)
{
	const struct tool *t = inv->t;
	json_t *errors = NULL;

	if (t->scope && (!ctx->who || !(ctx->who->scopes & t->scope))) {
		char m[256];
		snprintf(m, sizeof(m), "this API key lacks the '%s' scope that '%s' needs",
			 auth_scope_name(t->scope), t->name);
		inv->res.structured = json_pack("{s:s, s:s}", "message", m, "required_scope",
						auth_scope_name(t->scope));
		inv->res.is_error = 1;
		inv->outcome = "denied";
		return -1;
	}
	if (!json_is_object(inv->args) || schema_validate(inv->input, inv->args, &errors)) {
		if (!errors)
			errors = json_pack("{s:[s]}", "", "arguments must be an object");
		inv->res.structured = json_pack("{s:s, s:o}", "message",
						"The given data was invalid.", "errors", errors);
		inv->res.is_error = 1;
		inv->outcome = "invalid";
		return -1;
	}
	return 0;
}

/* Run the handler: a failure it did not describe becomes "internal error". */
static void run_handler(struct call_ctx *ctx, struct invocation *inv)
{
	struct tool_result *res = &inv->res;

	if (inv->t->fn(ctx, inv->args, res) || (!res->structured && !res->content))
		if (!res->is_error)
			tool_fail(res, "internal error");
}

/* The CallToolResult as it will be answered (new reference), for whoever
 * records it (surface hooks, the idempotency key), while res keeps the same
 * content and structuredContent for the steps that follow. */
static json_t *shape_kept(struct tool_result *res)
{
	json_t *shaped = shape(res);

	res->content = json_incref(json_object_get(shaped, "content"));
	res->structured = json_incref(json_object_get(shaped, "structuredContent"));
	return shaped;
}

/* Every answer built in inv->res ends here: audited (an error with its
 * message), then shaped. */
static json_t *answer(struct call_ctx *ctx, struct invocation *inv)
{
	const json_t *m = json_object_get(inv->res.structured, "message");
	char *errtxt = inv->res.is_error && json_is_string(m) ? strdup(json_string_value(m)) : NULL;

	audit_record(ctx->who, ctx->transport, inv->t->name, inv->args, inv->outcome, errtxt,
		     elapsed_ms(inv));
	free(errtxt);
	return shape(&inv->res);
}

/* The answer after the handler ran: its outcome, the output-schema check. */
static json_t *answer_ran(struct call_ctx *ctx, struct invocation *inv)
{
	struct tool_result *res = &inv->res;
	json_t *errors = NULL;

	if (res->is_error) {
		inv->outcome = "error";
	} else if (check_output && inv->output &&
		   (!res->structured || schema_validate(inv->output, res->structured, &errors))) {
		char *sum = errors ? schema_errors_summary(errors) : strdup("no structuredContent");
		log_error("tool '%s': result breaks its output schema: %s", inv->t->name, sum);
		tool_fail(res, "result of '%s' does not match its output schema: %s",
			  inv->t->name, sum);
		free(sum);
		inv->outcome = "error";
	}
	json_decref(errors);
	return answer(ctx, inv);
}

/* A finished CallToolResult that no handler made now (a repeat, a refusal by
 * the surface's hooks, an idempotent replay): audited, returned as is. */
static json_t *answer_as_is(struct call_ctx *ctx, struct invocation *inv,
			    const char *outcome, json_t *result)
{
	audit_record(ctx->who, ctx->transport, inv->t->name, inv->args, outcome, NULL,
		     elapsed_ms(inv));
	return result;
}

/* A TOOL_SPEND row: the idempotency key, the spend gate, then the handler
 * with the preview the caller confirmed. */
static json_t *spend_call(struct call_ctx *ctx, struct invocation *inv)
{
	const struct tool *t = inv->t;
	const json_t *args = inv->args;
	struct tool_result *res = &inv->res;
	const char *ikey = json_string_value(json_object_get(args, "idempotency_key"));
	json_t *confirmed = NULL;
	unsigned char hash[32];

	args_hash(t->name, args, hash);
	if (ikey) {
		/* the key identifies the action: the token is not part of it */
		json_t *bare = json_deep_copy(args), *prior = NULL;
		unsigned char ih[32];
		int other = 0;
		json_object_del(bare, "confirmation_token");
		args_hash(t->name, bare, ih);
		json_decref(bare);
		int c = store_idempotency_claim(ctx->who->account_id, t->name, ikey, ih,
						&prior, &other);
		if (c == 1)	/* done before: the first answer, again */
			return answer_as_is(ctx, inv, "replayed", prior);
		if (c) {
			tool_invalid(res, "idempotency_key", other
				? "already used for a different action: use a new key"
				: "a request with this key is still running: retry shortly");
			inv->outcome = "error";
			return answer(ctx, inv);
		}
	}
	if (spend_gate(ctx, t, args, hash, res, &confirmed) == SPEND_ANSWERED) {
		if (ikey)
			store_idempotency_release(ctx->who->account_id, t->name, ikey);
		inv->outcome = res->is_error ? "error" : "confirm";
		return answer(ctx, inv);
	}
	ctx->confirmed = confirmed;
	run_handler(ctx, inv);
	ctx->confirmed = NULL;
	json_decref(confirmed);
	if (ikey && res->is_error) {
		store_idempotency_release(ctx->who->account_id, t->name, ikey);
	} else if (ikey) {
		json_t *shaped = shape_kept(res);
		store_idempotency_finish(ctx->who->account_id, t->name, ikey, shaped);
		json_decref(shaped);
	}
	return answer_ran(ctx, inv);
}

/* Every other call: the handler, inside the surface's hooks when it has any
 * (in-call: logged, and done once however often the engine repeats it). */
static json_t *surface_call(struct call_ctx *ctx, struct invocation *inv,
			    const struct tool_hooks *hooks)
{
	int64_t handle = 0;
	json_t *early = NULL;

	if (hooks) {
		int c = hooks->begin(ctx, inv->t, inv->args, &handle, &early);
		if (c)
			return answer_as_is(ctx, inv, c == 1 ? "replayed" : "error", early);
	}
	run_handler(ctx, inv);
	if (hooks) {
		json_t *shaped = shape_kept(&inv->res);
		hooks->finish(ctx, inv->t, inv->args, handle, shaped, inv->res.upstream_status,
			      elapsed_ms(inv));
		json_decref(shaped);
	}
	return answer_ran(ctx, inv);
}

json_t *tool_call(struct call_ctx *ctx, const char *name, const json_t *args,
		  int *rpc_code, const char **rpc_msg)
{
	unsigned surface = ctx->sess ? ctx->sess->surface : SURFACE_CONTROL;
	json_t *empty = NULL, *out;
	struct invocation inv;

	if (resolve(ctx, surface, name, &inv)) {
		*rpc_code = -32602;
		*rpc_msg = "unknown tool";
		return NULL;
	}
	inv.args = args ? args : (empty = json_object());
	if (admit(ctx, &inv))
		out = answer(ctx, &inv);
	else if (inv.t->flags & TOOL_SPEND)
		out = spend_call(ctx, &inv);
	else
		out = surface_call(ctx, &inv, hooks_for(surface));
	json_decref(empty);
	release_invocation(ctx, &inv);
	return out;
}

/* ---- context helpers ----------------------------------------------------- */

int ctx_cancelled(const struct call_ctx *ctx)
{
	return ctx->flight && atomic_load(&ctx->flight->cancelled);
}

int ctx_progress(struct call_ctx *ctx, double progress, double total,
		 const char *message)
{
	json_t *n;
	int r;

	if (!ctx->progress_token)
		return 0;
	n = json_pack("{s:s, s:s, s:{s:O, s:f}}", "jsonrpc", "2.0", "method",
		      "notifications/progress", "params", "progressToken",
		      ctx->progress_token, "progress", progress);
	json_t *p = json_object_get(n, "params");
	if (total > 0)
		json_object_set_new(p, "total", json_real(total));
	if (message)
		json_object_set_new(p, "message", json_string(message));
	r = ctx->out->send(ctx->out, n);
	json_decref(n);
	return r;
}

static const char *const log_levels[] = {
	"debug", "info", "notice", "warning", "error", "critical", "alert",
	"emergency", NULL
};

int mcp_log_level_index(const char *level);
int mcp_log_level_index(const char *level)
{
	for (int i = 0; log_levels[i]; i++)
		if (!strcmp(log_levels[i], level))
			return i;
	return -1;
}

int ctx_log(struct call_ctx *ctx, const char *level, const char *logger,
	    json_t *data)
{
	int li = mcp_log_level_index(level);
	int r = 0;

	if (!ctx->sess || ctx->sess->log_level < 0 || li < ctx->sess->log_level) {
		json_decref(data);
		return 0;
	}
	json_t *n = json_pack("{s:s, s:s, s:{s:s, s:o}}", "jsonrpc", "2.0",
			      "method", "notifications/message", "params",
			      "level", level, "data", data);
	if (logger)
		json_object_set_new(json_object_get(n, "params"), "logger",
				    json_string(logger));
	r = ctx->out->send(ctx->out, n);
	json_decref(n);
	return r;
}

int ctx_client_can(const struct call_ctx *ctx, const char *capability)
{
	return ctx->sess && json_object_get(ctx->sess->client_caps, capability) != NULL;
}

int ctx_request(struct call_ctx *ctx, const char *method, json_t *params,
		int timeout_ms, json_t **result)
{
	return session_client_request(ctx->sess, ctx->out, method, params,
				      timeout_ms, ctx->flight, result);
}
