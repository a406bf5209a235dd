/* rpc.c - JSON-RPC dispatch and the MCP methods (see rpc.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/log.h"
#include "mcp/rpc.h"
#include "mcp/tool.h"
#include "base/util.h"
#include "base/version.h"

static const char *const versions[] = {
	"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", NULL
};

static const char *instructions =
	"Switchboard manages AI phone agents: assistants, phone numbers, calls, "
	"campaigns, leads and SMS. Read tools are safe to call freely. Tools "
	"that spend money (calls, SMS, campaign starts) ask for confirmation "
	"first. Lists are paged: pass page and per_page.";

void rpc_set_instructions(const char *text)
{
	instructions = text;
}

int rpc_version_supported(const char *v)
{
	for (int i = 0; v && versions[i]; i++)
		if (!strcmp(v, versions[i]))
			return 1;
	return 0;
}

enum rpc_kind rpc_classify(const json_t *msg)
{
	const json_t *id, *method;

	if (!json_is_object(msg))
		return RPC_INVALID;
	if (!json_is_string(json_object_get(msg, "jsonrpc")) ||
	    strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0"))
		return RPC_INVALID;
	id = json_object_get(msg, "id");
	method = json_object_get(msg, "method");
	if (method) {
		if (!json_is_string(method))
			return RPC_INVALID;
		if (!id)
			return RPC_NOTIFICATION;
		return json_is_string(id) || json_is_integer(id) ? RPC_REQUEST
								: RPC_INVALID;
	}
	if (id && (json_object_get(msg, "result") || json_object_get(msg, "error")))
		return RPC_RESPONSE;
	return RPC_INVALID;
}

json_t *rpc_error(const json_t *id, int code, const char *message)
{
	return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id",
			 id ? id : json_null(), "error", "code", code,
			 "message", message);
}

/* ---- methods ------------------------------------------------------------ */

struct rpc_err {
	int code;
	char msg[256];
	const char *required_scope;   /* RPC_FORBIDDEN: error.data.required_scope */
};

typedef json_t *(*method_fn)(struct call_ctx *ctx, const json_t *params,
			     struct rpc_err *err);

static json_t *fail(struct rpc_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static json_t *fail(struct rpc_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return NULL;
}

static json_t *m_initialize(struct call_ctx *ctx, const json_t *params,
			    struct rpc_err *err)
{
	struct session *s = ctx->sess;
	const char *v = json_string_value(json_object_get(params, "protocolVersion"));
	json_t *caps;

	if (!v)
		return fail(err, RPC_INVALID_PARAMS, "protocolVersion is required");
	if (session_set_client(s, json_object_get(params, "capabilities"),
			       json_object_get(params, "clientInfo")))
		return fail(err, RPC_INVALID_PARAMS, "clientInfo and capabilities are larger "
			    "than %d bytes of JSON", SESSION_CLIENT_DATA_MAX);
	pthread_mutex_lock(&s->mu);
	snprintf(s->protocol, sizeof(s->protocol), "%s",
		 rpc_version_supported(v) ? v : MCP_PROTOCOL_LATEST);
	pthread_mutex_unlock(&s->mu);

	caps = json_pack("{s:{s:b}, s:{s:b, s:b}, s:{s:b}, s:{}, s:{}}",
			 "tools", "listChanged", 0,
			 "resources", "subscribe", 1, "listChanged", 0,
			 "prompts", "listChanged", 0,
			 "logging", "completions");
	return json_pack("{s:s, s:o, s:{s:s, s:s, s:s}, s:s}",
			 "protocolVersion", s->protocol, "capabilities", caps,
			 "serverInfo", "name", "switchboard", "title", "Switchboard",
			 "version", SWITCHBOARD_VERSION, "instructions", instructions);
}

static json_t *m_ping(struct call_ctx *ctx, const json_t *params,
		      struct rpc_err *err)
{
	return json_object();
}

static json_t *m_tools_list(struct call_ctx *ctx, const json_t *params,
			    struct rpc_err *err)
{
	const json_t *c = json_object_get(params, "cursor");
	json_t *r;

	if (c && !json_is_string(c))
		return fail(err, RPC_INVALID_PARAMS, "cursor must be a string");
	r = tool_list(ctx, ctx->sess->surface, json_string_value(c));
	return r ? r : fail(err, RPC_INVALID_PARAMS, "invalid cursor");
}

static json_t *m_tools_call(struct call_ctx *ctx, const json_t *params,
			    struct rpc_err *err)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	const json_t *args = json_object_get(params, "arguments");
	const char *msg = NULL;
	json_t *r;

	if (!name)
		return fail(err, RPC_INVALID_PARAMS, "name is required");
	if (args && !json_is_object(args) && !json_is_null(args))
		return fail(err, RPC_INVALID_PARAMS, "arguments must be an object");
	if (json_is_null(args))
		args = NULL;
	r = tool_call(ctx, name, args, &err->code, &msg);
	if (!r)
		return fail(err, err->code, "%s: '%.100s'", msg, name);
	return r;
}

/* URI template match: "{x}" matches one or more chars other than '/'. */
static int template_match(const char *tpl, const char *uri)
{
	while (*tpl) {
		if (*tpl == '{') {
			const char *close = strchr(tpl, '}');
			size_t n = 0;
			if (!close)
				return 0;
			while (uri[n] && uri[n] != '/')
				n++;
			if (!n)
				return 0;
			/* the rest of the template after the variable */
			tpl = close + 1;
			if (!*tpl)
				return !uri[n];
			const char *next = strchr(uri, *tpl);
			if (!next || next > uri + n)
				return 0;
			uri = next;
			continue;
		}
		if (*tpl++ != *uri++)
			return 0;
	}
	return !*uri;
}

static json_t *resource_listing(const struct resource *r)
{
	json_t *o = json_pack("{s:s, s:s}", r->is_template ? "uriTemplate" : "uri",
			      r->uri, "name", r->name);
	if (r->title)
		json_object_set_new(o, "title", json_string(r->title));
	if (r->description)
		json_object_set_new(o, "description", json_string(r->description));
	if (r->mime)
		json_object_set_new(o, "mimeType", json_string(r->mime));
	return o;
}

/* The one scope check for resources: the row names the scope it needs, as
 * a tool row does (read for the control plane's: they show what the read
 * tools show). Lists leave out what the key may not read; read and
 * subscribe refuse it with RPC_FORBIDDEN. */
static int resource_allowed(const struct call_ctx *ctx, const struct resource *r)
{
	return !r->scope || (ctx->who && (ctx->who->scopes & r->scope));
}

static json_t *forbidden(struct rpc_err *err, const struct resource *r, const char *uri)
{
	err->required_scope = auth_scope_name(r->scope);
	return fail(err, RPC_FORBIDDEN, "this API key lacks the '%s' scope that '%.200s' needs",
		    err->required_scope, uri);
}

static json_t *list_resources(struct call_ctx *ctx, int templates)
{
	json_t *arr = json_array();
	for (const struct resource *r = resource_table; r->uri; r++)
		if ((r->surfaces & ctx->sess->surface) && r->is_template == templates &&
		    resource_allowed(ctx, r))
			json_array_append_new(arr, resource_listing(r));
	return json_pack("{s:o}", templates ? "resourceTemplates" : "resources", arr);
}

static json_t *m_resources_list(struct call_ctx *ctx, const json_t *params,
				struct rpc_err *err)
{
	return list_resources(ctx, 0);
}

static json_t *m_templates_list(struct call_ctx *ctx, const json_t *params,
				struct rpc_err *err)
{
	return list_resources(ctx, 1);
}

static const struct resource *find_resource(struct call_ctx *ctx, const char *uri)
{
	const struct resource *r;
	for (r = resource_table; r->uri; r++)
		if ((r->surfaces & ctx->sess->surface) && !r->is_template &&
		    !strcmp(r->uri, uri))
			return r;
	for (r = resource_table; r->uri; r++)
		if ((r->surfaces & ctx->sess->surface) && r->is_template &&
		    template_match(r->uri, uri))
			return r;
	return NULL;
}

static json_t *m_resources_read(struct call_ctx *ctx, const json_t *params,
				struct rpc_err *err)
{
	const char *uri = json_string_value(json_object_get(params, "uri"));
	const struct resource *r;
	json_t *contents = NULL;

	if (!uri)
		return fail(err, RPC_INVALID_PARAMS, "uri is required");
	r = find_resource(ctx, uri);
	if (r && !resource_allowed(ctx, r))
		return forbidden(err, r, uri);
	if (!r || r->read(ctx, uri, &contents) || !contents)
		return fail(err, RPC_RESOURCE_NOT_FOUND, "resource not found: '%.200s'", uri);
	return json_pack("{s:o}", "contents", contents);
}

static json_t *m_subscribe(struct call_ctx *ctx, const json_t *params,
			   struct rpc_err *err, int on)
{
	const char *uri = json_string_value(json_object_get(params, "uri"));
	struct session *s = ctx->sess;

	if (!uri)
		return fail(err, RPC_INVALID_PARAMS, "uri is required");
	if (on) {
		/* only what this session may read: another account's assistant
		 * is "not found" here too */
		const struct resource *r = find_resource(ctx, uri);
		json_t *probe = NULL;
		int readable;

		if (r && !resource_allowed(ctx, r))
			return forbidden(err, r, uri);
		readable = r && !r->read(ctx, uri, &probe) && probe;
		json_decref(probe);
		if (!readable)
			return fail(err, RPC_RESOURCE_NOT_FOUND, "resource not found: '%.200s'", uri);
	}
	pthread_mutex_lock(&s->mu);
	if (!s->subscriptions)
		s->subscriptions = json_object();
	if (on)
		json_object_set_new(s->subscriptions, uri, json_true());
	else
		json_object_del(s->subscriptions, uri);
	pthread_mutex_unlock(&s->mu);
	return json_object();
}

static json_t *m_resources_subscribe(struct call_ctx *ctx, const json_t *params,
				     struct rpc_err *err)
{
	return m_subscribe(ctx, params, err, 1);
}

static json_t *m_resources_unsubscribe(struct call_ctx *ctx, const json_t *params,
				       struct rpc_err *err)
{
	return m_subscribe(ctx, params, err, 0);
}

static const struct prompt *find_prompt(struct call_ctx *ctx, const char *name)
{
	for (const struct prompt *p = prompt_table; p->name; p++)
		if ((p->surfaces & ctx->sess->surface) && !strcmp(p->name, name))
			return p;
	return NULL;
}

static json_t *m_prompts_list(struct call_ctx *ctx, const json_t *params,
			      struct rpc_err *err)
{
	json_t *arr = json_array();
	for (const struct prompt *p = prompt_table; p->name; p++) {
		if (!(p->surfaces & ctx->sess->surface))
			continue;
		json_t *o = json_pack("{s:s, s:s}", "name", p->name,
				      "description", p->description);
		if (p->title)
			json_object_set_new(o, "title", json_string(p->title));
		if (p->args && p->args[0].name) {
			json_t *args = json_array();
			for (const struct prompt_arg *a = p->args; a->name; a++)
				json_array_append_new(args, json_pack("{s:s, s:s, s:b}",
					"name", a->name, "description", a->description,
					"required", a->required));
			json_object_set_new(o, "arguments", args);
		}
		json_array_append_new(arr, o);
	}
	return json_pack("{s:o}", "prompts", arr);
}

static json_t *m_prompts_get(struct call_ctx *ctx, const json_t *params,
			     struct rpc_err *err)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	const json_t *args = json_object_get(params, "arguments");
	const struct prompt *p;
	const char *why = NULL;
	json_t *messages = NULL, *r;

	if (!name)
		return fail(err, RPC_INVALID_PARAMS, "name is required");
	p = find_prompt(ctx, name);
	if (!p)
		return fail(err, RPC_INVALID_PARAMS, "unknown prompt: '%.100s'", name);
	if (args && !json_is_object(args))
		return fail(err, RPC_INVALID_PARAMS, "arguments must be an object");
	for (const struct prompt_arg *a = p->args; a && a->name; a++)
		if (a->required && !json_is_string(json_object_get(args, a->name)))
			return fail(err, RPC_INVALID_PARAMS,
				    "missing required argument '%s'", a->name);
	if (p->get(ctx, args, &messages, &why))
		return fail(err, RPC_INVALID_PARAMS, "%s", why ? why : "invalid arguments");
	r = json_pack("{s:s, s:o}", "description", p->description, "messages", messages);
	return r;
}

static json_t *m_complete(struct call_ctx *ctx, const json_t *params,
			  struct rpc_err *err)
{
	const json_t *ref = json_object_get(params, "ref");
	const json_t *arg = json_object_get(params, "argument");
	const char *type = json_string_value(json_object_get(ref, "type"));
	const char *aname = json_string_value(json_object_get(arg, "name"));
	const char *value = json_string_value(json_object_get(arg, "value"));
	json_t *values = json_array();

	if (!type || !aname)
		goto bad;
	if (!value)
		value = "";
	if (!strcmp(type, "ref/prompt")) {
		const char *pname = json_string_value(json_object_get(ref, "name"));
		const struct prompt *p = pname ? find_prompt(ctx, pname) : NULL;
		if (!p) {
			json_decref(values);
			return fail(err, RPC_INVALID_PARAMS, "unknown prompt: '%.100s'",
				    pname ? pname : "");
		}
		for (const struct prompt_arg *a = p->args; a && a->name; a++) {
			if (strcmp(a->name, aname) || !a->completions)
				continue;
			for (const char *const *c = a->completions; *c; c++)
				if (!strncmp(*c, value, strlen(value)) &&
				    json_array_size(values) < 100)
					json_array_append_new(values, json_string(*c));
		}
	} else if (strcmp(type, "ref/resource")) {
		goto bad;
	}
	return json_pack("{s:{s:o, s:i, s:b}}", "completion", "values", values,
			 "total", (int)json_array_size(values), "hasMore", 0);
bad:
	json_decref(values);
	return fail(err, RPC_INVALID_PARAMS, "ref and argument are required");
}

int mcp_log_level_index(const char *level);

static json_t *m_set_level(struct call_ctx *ctx, const json_t *params,
			   struct rpc_err *err)
{
	const char *lvl = json_string_value(json_object_get(params, "level"));
	int i = lvl ? mcp_log_level_index(lvl) : -1;

	if (i < 0)
		return fail(err, RPC_INVALID_PARAMS, "unknown log level");
	ctx->sess->log_level = i;
	return json_object();
}

static const struct method {
	const char *name;
	method_fn fn;
} methods[] = {
	{ "initialize", m_initialize },
	{ "ping", m_ping },
	{ "tools/list", m_tools_list },
	{ "tools/call", m_tools_call },
	{ "resources/list", m_resources_list },
	{ "resources/templates/list", m_templates_list },
	{ "resources/read", m_resources_read },
	{ "resources/subscribe", m_resources_subscribe },
	{ "resources/unsubscribe", m_resources_unsubscribe },
	{ "prompts/list", m_prompts_list },
	{ "prompts/get", m_prompts_get },
	{ "completion/complete", m_complete },
	{ "logging/setLevel", m_set_level },
	{ NULL, NULL }
};

enum tool_run rpc_run_mode(struct session *s, const json_t *msg)
{
	const json_t *params = json_object_get(msg, "params");
	const char *method = json_string_value(json_object_get(msg, "method"));
	const char *name;

	if (!method || strcmp(method, "tools/call"))
		return TOOL_RUN_INLINE;
	if (json_object_get(json_object_get(params, "_meta"), "progressToken"))
		return TOOL_RUN_STREAM;
	name = json_string_value(json_object_get(params, "name"));
	return name ? tool_run_mode(name, s->surface) : TOOL_RUN_INLINE;
}

static void handle_notification(struct session *s, const json_t *msg)
{
	const char *method = json_string_value(json_object_get(msg, "method"));
	const json_t *params = json_object_get(msg, "params");

	if (!strcmp(method, "notifications/initialized"))
		s->initialized = 1;
	else if (!strcmp(method, "notifications/cancelled"))
		session_cancel(s, json_object_get(params, "requestId"));
	/* others (roots/list_changed, progress) need no action */
}

void rpc_handle(struct session *s, const json_t *msg, struct sink *out,
		const char *transport)
{
	rpc_handle_as(s, s->authenticated ? &s->who : NULL, msg, out, transport);
}

void rpc_handle_as(struct session *s, const struct principal *who, const json_t *msg,
		   struct sink *out, const char *transport)
{
	const json_t *id = json_object_get(msg, "id");
	const char *name;
	const json_t *params;
	const struct method *m;
	struct rpc_err err = { 0, "", NULL };
	struct inflight flight;
	json_t *result, *resp;

	switch (rpc_classify(msg)) {
	case RPC_NOTIFICATION:
		handle_notification(s, msg);
		return;
	case RPC_RESPONSE:
		if (session_resolve(s, msg))
			log_debug("session %.8s: response to unknown request", s->id);
		return;
	case RPC_INVALID:
		resp = rpc_error(json_is_string(id) || json_is_integer(id) ? id : NULL,
				 RPC_INVALID_REQUEST, "invalid request");
		out->send(out, resp);
		json_decref(resp);
		return;
	case RPC_REQUEST:
		break;
	}
	name = json_string_value(json_object_get(msg, "method"));
	params = json_object_get(msg, "params");
	if (params && !json_is_object(params)) {
		resp = rpc_error(id, RPC_INVALID_PARAMS, "params must be an object");
		goto send;
	}
	for (m = methods; m->name; m++)
		if (!strcmp(m->name, name))
			break;
	if (!m->name) {
		resp = rpc_error(id, RPC_METHOD_NOT_FOUND, "method not found");
		goto send;
	}
	struct call_ctx ctx = {
		.sess = s,
		.who = who,
		.out = out,
		.progress_token = json_object_get(json_object_get(params, "_meta"),
						  "progressToken"),
		.meta = json_object_get(params, "_meta"),
		.flight = &flight,
		.transport = transport,
	};
	json_t *noparams = params ? NULL : json_object();
	session_inflight_add(s, &flight, id);
	result = m->fn(&ctx, params ? params : noparams, &err);
	session_inflight_remove(s, &flight);
	json_decref(noparams);
	if (atomic_load(&flight.cancelled) && !s->ended) {
		/* the client cancelled: it expects no response */
		json_decref(result);
		return;
	}
	if (result)
		resp = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id,
				 "result", result);
	else
		resp = rpc_error(id, err.code ? err.code : RPC_INTERNAL_ERROR,
				 err.msg[0] ? err.msg : "internal error");
	if (!result && err.required_scope)
		json_object_set_new(json_object_get(resp, "error"), "data",
				    json_pack("{s:s}", "required_scope", err.required_scope));
send:
	out->send(out, resp);
	json_decref(resp);
}

/* ---- serialization ---------------------------------------------------------- */

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

static int add_escaped(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;
	int r = buf_addch(b, '"');

	for (size_t i = 0; i < n && !r; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		r = buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': r = r ? r : buf_add(b, "\\\"", 2); break;
		case '\\': r = r ? r : buf_add(b, "\\\\", 2); break;
		case '\n': r = r ? r : buf_add(b, "\\n", 2); break;
		case '\r': r = r ? r : buf_add(b, "\\r", 2); break;
		case '\t': r = r ? r : buf_add(b, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			r = r ? r : buf_add(b, u, 6);
		}
		}
	}
	r = r ? r : buf_add(b, s + run, n - run);
	return r ? r : buf_addch(b, '"');
}

/* The fast path of rpc_serialize; NULL when msg does not have its shape. */
static char *serialize_tool_result(const json_t *msg, size_t *len)
{
	const json_t *res = json_object_get(msg, "result"), *content, *block, *text;
	const json_t *id = json_object_get(msg, "id"), *err;
	struct buf b = BUF_INIT((size_t)1 << 30);
	char *idtxt = NULL;
	size_t keys;

	if (!json_is_object(res) || !json_object_get(res, "structuredContent"))
		return NULL;
	err = json_object_get(res, "isError");
	keys = 2 + (err != NULL);
	content = json_object_get(res, "content");
	if (json_object_size(res) != keys || json_array_size(content) != 1)
		return NULL;
	block = json_array_get(content, 0);
	text = json_object_get(block, "text");
	if (json_object_size(block) != 2 || !json_is_string(text) ||
	    json_object_size(msg) != 3)
		return NULL;
	/* the text must be the structured content itself, not a message */
	const char *t = json_string_value(text);
	size_t tlen = json_string_length(text);
	if (!tlen || t[0] != '{')
		return NULL;
	idtxt = json_dumps(id, DUMP_FLAGS | JSON_ENCODE_ANY);
	if (!idtxt)
		return NULL;
	if (buf_adds(&b, "{\"jsonrpc\":\"2.0\",\"id\":") || buf_adds(&b, idtxt) ||
	    buf_adds(&b, ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":") ||
	    add_escaped(&b, t, tlen) || buf_adds(&b, "}],\"structuredContent\":") ||
	    buf_add(&b, t, tlen) ||
	    (err && buf_adds(&b, json_is_true(err) ? ",\"isError\":true" : ",\"isError\":false")) ||
	    buf_adds(&b, "}}")) {
		free(idtxt);
		buf_release(&b);
		return NULL;
	}
	free(idtxt);
	return buf_detach(&b, len);
}

char *rpc_serialize(const json_t *msg, size_t *len)
{
	char *s = serialize_tool_result(msg, len);
	if (s)
		return s;
	s = json_dumps(msg, DUMP_FLAGS);
	if (s && len)
		*len = strlen(s);
	return s;
}

/* ---- resource change notifications ------------------------------------------ */

static int notify_if_subscribed(struct session *s, void *arg)
{
	const char *uri = arg;
	int sub;

	pthread_mutex_lock(&s->mu);
	sub = s->subscriptions && json_object_get(s->subscriptions, uri);
	pthread_mutex_unlock(&s->mu);
	if (sub) {
		json_t *n = json_pack("{s:s, s:s, s:{s:s}}", "jsonrpc", "2.0", "method",
				      "notifications/resources/updated", "params", "uri", uri);
		session_notify(s, n);
		json_decref(n);
	}
	return 0;
}

void rpc_resource_updated(const char *uri)
{
	session_foreach(notify_if_subscribed, (void *)uri);
}
