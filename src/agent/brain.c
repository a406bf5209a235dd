/* brain.c - the model loop with tool calling, after-call evaluation and the
 * brain's worker thread (see brain.h). */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/jsonsafe.h"
#include "agent/brain.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/oneshot.h"
#include "base/phone.h"
#include "mcp/schema.h"
#include "mcp/session.h"
#include "store/assistant_settings.h"
#include "store/store.h"
#include "outbound/template.h"
#include "mcp/tool.h"
#include "base/tz.h"
#include "base/util.h"
#include "base/worker.h"
#include "agent/webhook.h"

#define MAX_HISTORY 200              /* messages kept for the model */
#define TOOL_RESULT_MAX (8 * 1024)   /* bytes of a tool result the model sees */
#define PROMPT_MAX (256 * 1024)
#define HANDOFF_SAY "I'm sorry, something isn't working on my side. " \
	"I'm transferring you to a colleague now."

struct brain {
	int64_t account_id, call_id, assistant_id;
	json_t *vars;            /* everything {name} may take */
	char *system;            /* templated system prompt */
	char *initial;           /* templated initial message, or NULL */
	int ai_first;
	json_t *history;         /* messages after the system prompt */
	json_t *tools;           /* OpenAI tools array */
	struct llm_model model;
	double temperature;
	struct session *sess;
	int failures;            /* consecutive failed tool calls */
	int handoff_after;
	char fallback[64];
	llm_sentence_fn delay_cb; /* brain_set_delay_speaker */
	void *delay_arg;
	double delay_s;
};

/* ---- templating --------------------------------------------------------------- */

static int name_char(char c, int first)
{
	return isalpha((unsigned char)c) || c == '_' || (!first && (isdigit((unsigned char)c) || c == '-'));
}

/* {name} and {{name}} from vars; anything else stays as written. */
static char *fill(const char *tpl, const json_t *vars)
{
	struct buf out = BUF_INIT(PROMPT_MAX);
	size_t i = 0, n = strlen(tpl);

	while (i < n) {
		if (tpl[i] == '{') {
			int dbl = tpl[i + 1] == '{';
			size_t a = i + 1 + (size_t)dbl, b = a;
			while (b < n && b - a < TEMPLATE_NAME_MAX && name_char(tpl[b], b == a))
				b++;
			int closed = b > a && tpl[b] == '}' && (!dbl || tpl[b + 1] == '}');
			if (closed) {
				char name[TEMPLATE_NAME_MAX + 1];
				snprintf(name, sizeof(name), "%.*s", (int)(b - a), tpl + a);
				const json_t *v = json_object_get(vars, name);
				if (v && !json_is_object(v) && !json_is_array(v)) {
					if (template_scalar(v, &out))
						goto full;
					i = b + 1 + (size_t)dbl;
					continue;
				}
			}
		}
		if (buf_addch(&out, tpl[i]))
			goto full;
		i++;
	}
	return buf_detach(&out, NULL);
full:
	buf_release(&out);
	return NULL;
}

static void set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, json_string(v ? v : ""));
}

/* Assistant defaults < call variables < system variables. */
static json_t *variables(const json_t *asst, const struct assistant_settings *set,
			 const json_t *call, const char *acct_tz)
{
	json_t *v = json_object(), *x;
	const char *k;
	const char *tz = json_string_value(json_object_get(asst, "timezone"));
	struct tz_local l;
	char buf[32];

	json_object_foreach(set->variables, k, x)
		json_object_set(v, k, x);
	json_object_foreach(json_object_get(call, "variables"), k, x)
		json_object_set(v, k, x);
	set_str(v, "customer_phone", json_string_value(json_object_get(call, "client_phone_number")));
	set_str(v, "assistant_phone", json_string_value(json_object_get(call, "assistant_phone_number")));
	snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(json_object_get(asst, "id")));
	set_str(v, "assistant_id", buf);
	set_str(v, "assistant_name", json_string_value(json_object_get(asst, "assistant_name")));
	snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(json_object_get(call, "id")));
	set_str(v, "call_id", buf);
	if (!tz || !*tz)
		tz = acct_tz;
	if (tz && !tz_to_local(tz, (int64_t)time(NULL), &l)) {
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", l.year % 10000, l.month % 100, l.day % 100);
		set_str(v, "current_date", buf);
		snprintf(buf, sizeof(buf), "%02d:%02d", l.hour % 100, l.min % 100);
		set_str(v, "current_time", buf);
	}
	return v;
}

/* ---- the internal in-call session ---------------------------------------------- */

static int null_send(struct sink *self, const json_t *msg)
{
	(void)self;
	(void)msg;
	return 0;
}
static struct sink null_sink = { null_send };

static void ctx_for(struct brain *b, struct call_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->sess = b->sess;
	ctx->who = &b->sess->who;
	ctx->out = &null_sink;
	ctx->transport = "brain";
}

static struct session *incall_session(int64_t account, int64_t assistant, int64_t call,
				      const char *caller)
{
	struct principal who;
	struct session *s;

	memset(&who, 0, sizeof(who));
	who.account_id = account;
	who.scopes = AUTH_SCOPE_INCALL;
	snprintf(who.key_prefix, sizeof(who.key_prefix), "brain");
	s = session_create(SESSION_HTTP, &who);
	if (!s)
		return NULL;
	s->surface = SURFACE_INCALL;
	s->initialized = 1;
	s->log_level = -1;	/* nobody listens */
	s->call.account_id = account;
	s->call.assistant_id = assistant;
	s->call.call_id = call;
	snprintf(s->call.caller, sizeof(s->call.caller), "%s", caller ? caller : "");
	return s;
}

/* The assistant's in-call tools as OpenAI functions. */
static json_t *function_list(struct brain *b, int hangup_ok)
{
	struct call_ctx ctx;
	json_t *out = json_array();
	char cursor[32] = "";

	ctx_for(b, &ctx);
	for (int page = 0; page < 20; page++) {
		json_t *l = tool_list(&ctx, SURFACE_INCALL, cursor[0] ? cursor : NULL), *t;
		size_t i;
		if (!l)
			break;
		json_array_foreach(json_object_get(l, "tools"), i, t) {
			const char *name = json_string_value(json_object_get(t, "name"));
			if (!name || (!hangup_ok && !strcmp(name, "hangup_call")))
				continue;
			json_array_append_new(out, json_pack("{s:s, s:{s:s, s:O, s:O}}", "type",
				"function", "function", "name", name, "description",
				json_object_get(t, "description"), "parameters",
				json_object_get(t, "inputSchema")));
		}
		const char *next = json_string_value(json_object_get(l, "nextCursor"));
		snprintf(cursor, sizeof(cursor), "%s", next ? next : "");
		json_decref(l);
		if (!cursor[0])
			break;
	}
	return out;
}

/* ---- open / close ------------------------------------------------------------------ */

void brain_close(struct brain *b)
{
	if (!b)
		return;
	if (b->sess) {
		session_end(b->sess);
		session_unref(b->sess);
	}
	llm_model_wipe(&b->model);
	json_decref(b->vars);
	json_decref(b->history);
	json_decref(b->tools);
	free(b->system);
	free(b->initial);
	free(b);
}

static void append_fallback_note(struct brain *b)
{
	if (!b->fallback[0] || !b->system)
		return;
	struct buf s = BUF_INIT(PROMPT_MAX + 512);
	if (!buf_adds(&s, b->system) &&
	    !buf_printf(&s, "\n\nIf the caller asks for a person, or you cannot help, hand the "
			"conversation to a colleague: call transfer_call with destination_number "
			"\"%s\".", b->fallback)) {
		free(b->system);
		b->system = buf_detach(&s, NULL);
	}
	buf_release(&s);
}

/* A call, its assistant (*call and *asst: new references) with its parsed
 * settings (*set borrows from *asst) and the variables its templates are
 * filled from (variables()): new reference, or NULL with a reason in err
 * when the call or its assistant is gone. */
static json_t *call_vars(int64_t account_id, int64_t call_id, json_t **call, json_t **asst,
			 struct assistant_settings *set, char *err, size_t errlen)
{
	struct store_account acc;
	int64_t aid;

	*asst = NULL;
	*call = store_call_get(account_id, call_id);
	if (!*call) {
		snprintf(err, errlen, "call %lld not found", (long long)call_id);
		return NULL;
	}
	aid = json_integer_value(json_object_get(*call, "assistant_id"));
	*asst = aid ? store_assistant_get(account_id, aid) : NULL;
	if (!*asst) {
		snprintf(err, errlen, "the assistant of call %lld no longer exists", (long long)call_id);
		return NULL;
	}
	assistant_settings_parse(*asst, set);
	if (store_account_get(account_id, &acc))
		acc.timezone[0] = '\0';
	return variables(*asst, set, *call, acc.timezone[0] ? acc.timezone : "UTC");
}

char *brain_greeting_text(int64_t account_id, int64_t call_id)
{
	struct assistant_settings set;
	json_t *call, *asst;
	char err[160];
	json_t *vars = call_vars(account_id, call_id, &call, &asst, &set, err, sizeof err);
	const char *im = json_string_value(json_object_get(asst, "initial_message"));
	char *out = vars && im && *im ? fill(im, vars) : NULL;

	json_decref(vars);
	json_decref(call);
	json_decref(asst);
	return out;
}

struct brain *brain_open(int64_t account_id, int64_t call_id, char *err, size_t errlen)
{
	struct brain *b = calloc(1, sizeof(*b));
	json_t *call = NULL, *asst = NULL;
	struct assistant_settings set;
	char e[512];

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->account_id = account_id;
	b->call_id = call_id;
	b->vars = call_vars(account_id, call_id, &call, &asst, &set, err, errlen);
	if (!b->vars)
		goto fail;
	b->assistant_id = json_integer_value(json_object_get(asst, "id"));
	if (llm_resolve(json_string_value(json_object_get(asst, "llm_model")), &b->model, e,
			sizeof(e))) {
		snprintf(err, errlen, "%s", e);
		goto fail;
	}
	const char *sp = json_string_value(json_object_get(asst, "system_prompt"));
	b->system = fill(sp ? sp : "", b->vars);
	const char *im = json_string_value(json_object_get(asst, "initial_message"));
	if (im && *im)
		b->initial = fill(im, b->vars);
	if (!b->system || (im && *im && !b->initial)) {
		snprintf(err, errlen, "the assistant's prompt is too long");
		goto fail;
	}
	b->ai_first = set.ai_speaks_first;
	b->temperature = set.llm_temperature;
	b->handoff_after = set.handoff_after_tool_failures;
	snprintf(b->fallback, sizeof(b->fallback), "%s", set.fallback_number ? set.fallback_number : "");
	append_fallback_note(b);
	b->history = json_array();
	b->sess = incall_session(account_id, b->assistant_id, call_id,
				 json_string_value(json_object_get(call, "client_phone_number")));
	if (!b->sess) {
		snprintf(err, errlen, "cannot open the in-call session");
		goto fail;
	}
	b->tools = function_list(b, set.end_call_tool);
	json_decref(call);
	json_decref(asst);
	return b;
fail:
	json_decref(call);
	json_decref(asst);
	brain_close(b);
	return NULL;
}

const char *brain_system_prompt(const struct brain *b)
{
	return b->system;
}

void brain_interrupted(struct brain *b, const char *heard)
{
	char note[1200];

	if (heard && *heard)
		snprintf(note, sizeof note, "The caller interrupted your last answer; of it they "
			 "heard only: \"%.1000s\". Do not assume they heard the rest.", heard);
	else
		snprintf(note, sizeof note, "The caller interrupted your last answer before "
			 "hearing any of it. Do not assume they heard it.");
	json_array_append_new(b->history, json_pack("{s:s, s:s}", "role", "system", "content", note));
}

void brain_set_delay_speaker(struct brain *b, double delay_s, llm_sentence_fn cb, void *arg)
{
	b->delay_s = delay_s > 0 ? delay_s : 0;
	b->delay_cb = cb;
	b->delay_arg = arg;
}

int64_t brain_call_id(const struct brain *b)
{
	return b->call_id;
}

void brain_result_release(struct brain_result *r)
{
	free(r->reply);
	json_decref(r->function_calls);
	memset(r, 0, sizeof(*r));
}

/* ---- history ------------------------------------------------------------------------- */

/* Keep the newest MAX_HISTORY messages, starting at a user message. */
static void trim_history(struct brain *b)
{
	size_t n = json_array_size(b->history), drop;

	if (n <= MAX_HISTORY)
		return;
	drop = n - MAX_HISTORY;
	while (drop < n) {
		const char *role = json_string_value(json_object_get(json_array_get(b->history, drop),
								     "role"));
		if (role && !strcmp(role, "user"))
			break;
		drop++;
	}
	for (size_t i = 0; i < drop && json_array_size(b->history); i++)
		json_array_remove(b->history, 0);
}

static json_t *tool_message(const char *id, const json_t *result, int is_error);

int brain_restore(struct brain *b, const json_t *messages)
{
	const json_t *m, *fc;
	size_t i, j;

	json_array_clear(b->history);
	json_array_foreach(messages, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		const char *content = json_string_value(json_object_get(m, "content"));
		const json_t *calls = json_object_get(m, "function_calls");
		if (!role || (strcmp(role, "user") && strcmp(role, "assistant")))
			continue;
		if (!strcmp(role, "assistant") && json_array_size(calls)) {
			json_t *tcs = json_array();
			json_array_foreach(calls, j, fc) {
				char id[48], *args;
				const json_t *a = json_object_get(fc, "arguments");
				snprintf(id, sizeof(id), "fc_%zu_%zu", i, j);
				args = json_is_string(a) ? strdup(json_string_value(a))
					: json_dumps(a ? a : json_object(), JSON_COMPACT);
				json_array_append_new(tcs, json_pack("{s:s, s:s, s:{s:O, s:s}}", "id", id,
					"type", "function", "function", "name", json_object_get(fc, "name"),
					"arguments", args ? args : "{}"));
				free(args);
			}
			json_array_append_new(b->history, json_pack("{s:s, s:n, s:o}", "role",
				"assistant", "content", "tool_calls", tcs));
			json_array_foreach(calls, j, fc) {
				char id[48];
				snprintf(id, sizeof(id), "fc_%zu_%zu", i, j);
				json_array_append_new(b->history, tool_message(id,
					json_object_get(fc, "result"),
					json_is_true(json_object_get(fc, "is_error"))));
			}
			if (!content || !*content)
				continue;
		}
		json_array_append_new(b->history, json_pack("{s:s, s:s}", "role", role,
			"content", content ? content : ""));
	}
	trim_history(b);
	return 0;
}

/* ---- tools ------------------------------------------------------------------------------ */

/* The message for a failed tool: its message and a "say" when configured. */
static const char *result_message(const json_t *result)
{
	const char *m = json_string_value(json_object_get(result, "message"));
	return m ? m : "the action failed";
}

static json_t *tool_message(const char *id, const json_t *result, int is_error)
{
	char *txt;
	json_t *m;

	if (is_error) {
		json_t *e = json_pack("{s:s, s:s}", "error", result_message(result), "instruction",
			"The action failed. Tell the user briefly in plain words, without "
			"technical details; do not retry it more than once.");
		const char *say = json_string_value(json_object_get(result, "say"));
		if (say)
			json_object_set_new(e, "say", json_string(say));
		txt = json_dumps(e, JSON_COMPACT);
		json_decref(e);
	} else {
		txt = json_dumps(result ? result : json_null(), JSON_COMPACT | JSON_ENCODE_ANY |
				 JSON_REAL_PRECISION(15));
	}
	if (txt && strlen(txt) > TOOL_RESULT_MAX) {
		/* cut at a UTF-8 boundary */
		size_t cut = TOOL_RESULT_MAX;
		while (cut > 0 && ((unsigned char)txt[cut] & 0xc0) == 0x80)
			cut--;
		txt[cut] = '\0';
	}
	m = json_pack("{s:s, s:s, s:s}", "role", "tool", "tool_call_id", id, "content",
		      txt ? txt : "{}");
	free(txt);
	return m;
}

/* Run one tool through the central path: the structured result, is_error. */
static json_t *run_tool(struct brain *b, const char *name, const json_t *args, int *is_error)
{
	struct call_ctx ctx;
	int code = 0;
	const char *msg = NULL;
	json_t *out, *sc;

	ctx_for(b, &ctx);
	session_touch(b->sess);	/* a long call is not an idle session */
	out = tool_call(&ctx, name, args, &code, &msg);
	if (!out) {
		*is_error = 1;
		return json_pack("{s:s}", "message", code == -32602 && msg && !strcmp(msg, "unknown tool")
				 ? "there is no such tool" : msg ? msg : "the tool could not run");
	}
	*is_error = json_is_true(json_object_get(out, "isError"));
	sc = json_object_get(out, "structuredContent");
	if (sc) {
		json_incref(sc);
	} else {
		const char *t = json_string_value(json_object_get(json_array_get(
			json_object_get(out, "content"), 0), "text"));
		sc = json_pack("{s:s}", *is_error ? "message" : "text", t ? t : "");
	}
	json_decref(out);
	return sc;
}

/* A line command in a tool's successful result. */
static enum brain_line line_of(const json_t *result, char *dest, size_t n)
{
	const char *a = json_string_value(json_object_get(result, "action"));
	if (!a)
		return BRAIN_LINE_NONE;
	if (!strcmp(a, "hangup"))
		return BRAIN_LINE_HANGUP;
	if (!strcmp(a, "transfer")) {
		const char *d = json_string_value(json_object_get(result, "destination"));
		snprintf(dest, n, "%s", d ? d : "");
		return BRAIN_LINE_TRANSFER;
	}
	return BRAIN_LINE_NONE;
}

/* What the voice says about tool `name`: when it starts (say_start) or
 * when it runs long (say_delay) - the table row's message, or the
 * assistant's custom tool's settings; NULL for none. */
enum speech_kind { SAY_START, SAY_DELAY };

static const char *tool_speech(struct brain *b, const char *name, enum speech_kind kind,
			       char *buf, size_t n)
{
	const char *key = kind == SAY_START ? "say_start" : "say_delay";
	const struct tool *t = tool_find(name, SURFACE_INCALL);
	json_t *defs, *d;
	size_t i;

	if (t)
		return kind == SAY_START ? t->say_start : t->say_delay;
	buf[0] = '\0';
	defs = store_assistant_midtools(b->account_id, b->assistant_id);
	json_array_foreach(defs, i, d) {
		const char *dn = json_string_value(json_object_get(d, "name"));
		if (dn && !strcmp(dn, name)) {
			const char *m = json_string_value(json_object_get(
				json_object_get(d, "settings"), key));
			snprintf(buf, n, "%s", m ? m : "");
			break;
		}
	}
	json_decref(defs);
	return buf[0] ? buf : NULL;
}

static void say(struct buf *reply, const char *text, llm_sentence_fn cb, void *arg)
{
	if (!text || !*text)
		return;
	if (reply->len)
		buf_addch(reply, ' ');
	buf_adds(reply, text);
	if (cb) {
		struct llm_sentences s;
		llm_sentences_init(&s, cb, arg);
		llm_sentences_add(&s, text, strlen(text));
		llm_sentences_flush(&s);
		llm_sentences_release(&s);
	}
}

/* ---- the loop ----------------------------------------------------------------------------- */

struct turn {
	struct brain *b;
	struct brain_result *res;
	struct buf reply;
	llm_sentence_fn cb;
	void *arg;
};

static json_t *messages_for(struct brain *b, const char *note)
{
	json_t *m = json_array();
	json_array_append_new(m, json_pack("{s:s, s:s}", "role", "system", "content", b->system));
	json_array_extend(m, b->history);
	if (note)
		json_array_append_new(m, json_pack("{s:s, s:s}", "role", "system", "content", note));
	return m;
}

/* ---- the delay message: said when a tool runs long (voice) ------------------------------- */

struct delay_say {
	struct brain *b;
	const char *text;
};

static void delay_say(void *arg)
{
	struct delay_say *d = arg;
	d->b->delay_cb(d->b->delay_arg, d->text);
}

/* run_tool, with the tool's delay message armed (oneshot.h) when the brain
 * has a delay speaker and the tool has a message: it is queued before
 * anything the model says next, and appended to the reply. */
static json_t *run_tool_watched(struct turn *t, const char *name, const json_t *args,
				int *is_error)
{
	struct brain *b = t->b;
	struct delay_say d = { b, NULL };
	struct oneshot o;
	char text[512];
	json_t *result;

	if (!b->delay_cb || !(d.text = tool_speech(b, name, SAY_DELAY, text, sizeof(text))))
		return run_tool(b, name, args, is_error);
	if (oneshot_start(&o, b->delay_s, delay_say, &d))
		log_warn("brain: call %lld: no timer for the delay message of %s",
			 (long long)b->call_id, name);
	result = run_tool(b, name, args, is_error);
	if (oneshot_stop(&o))
		say(&t->reply, d.text, NULL, NULL);
	return result;
}

/* Execute the calls of one answer; returns 1 when the turn must end (line
 * command or handoff). */
static int execute_calls(struct turn *t, const struct llm_response *r)
{
	struct brain *b = t->b;
	int stop = 0;

	for (size_t i = 0; i < r->ncalls; i++) {
		const struct llm_tool_call *c = &r->calls[i];
		json_t *args = NULL, *result;
		int is_error = 1;

		if (stop) {
			json_array_append_new(b->history, tool_message(c->id, json_pack("{s:s}",
				"message", "not run: the conversation is being handed over or ended"), 1));
			continue;
		}
		args = jsonsafe_loadb(c->args.ptr ? c->args.ptr : "{}", c->args.len ? c->args.len : 2,
				  0, NULL, NULL);
		if (!json_is_object(args)) {
			result = json_pack("{s:s}", "message", "the arguments are not a valid JSON object");
		} else {
			result = run_tool_watched(t, c->name, args, &is_error);
		}
		/* what the model sent: the object, or its text when it is not one */
		json_t *shown = json_is_object(args) ? json_incref(args)
			: json_string(buf_str(&c->args));
		json_array_append_new(t->res->function_calls, json_pack("{s:s, s:o, s:O, s:b}",
			"name", c->name, "arguments", shown ? shown : json_null(),
			"result", result, "is_error", is_error));
		json_decref(args);
		if (!is_error) {
			b->failures = 0;
			enum brain_line ln = line_of(result, t->res->destination,
						     sizeof(t->res->destination));
			if (ln != BRAIN_LINE_NONE) {
				t->res->line = ln;
				stop = 1;
			}
			json_array_append_new(b->history, tool_message(c->id, result, 0));
			json_decref(result);
			continue;
		}
		b->failures++;
		int handoff = b->handoff_after > 0 && b->failures >= b->handoff_after;
		if (handoff && !b->fallback[0])
			json_object_set_new(result, "message", json_sprintf("%s (%d tool calls failed in "
				"a row: do not call tools again for this request; apologise and offer "
				"another way, such as a call back)", result_message(result), b->failures));
		json_array_append_new(b->history, tool_message(c->id, result, 1));
		json_decref(result);
		if (handoff && b->fallback[0]) {
			/* the configured human handoff, through the same tool path */
			json_t *targs = json_pack("{s:s}", "destination_number", b->fallback);
			int terr = 1;
			json_t *tr = run_tool(b, "transfer_call", targs, &terr);
			json_array_append_new(t->res->function_calls, json_pack("{s:s, s:O, s:O, s:b}",
				"name", "transfer_call", "arguments", targs, "result", tr, "is_error", terr));
			json_decref(targs);
			if (!terr && line_of(tr, t->res->destination, sizeof(t->res->destination))
			    == BRAIN_LINE_TRANSFER) {
				t->res->line = BRAIN_LINE_TRANSFER;
				t->res->escalated = 1;
				say(&t->reply, HANDOFF_SAY, t->cb, t->arg);
				stop = 1;
			} else {
				log_warn("brain: call %lld: handoff to '%s' failed: %s",
					 (long long)b->call_id, b->fallback, result_message(tr));
			}
			json_decref(tr);
			b->failures = 0;
		}
	}
	return stop;
}

#define LIMIT_NOTE "You have reached the limit of tool calls for this turn. Answer the " \
	"user now with the information you already have, without calling any tool."

/* Model rounds until an answer without tool calls (or a line command). */
static int run_loop(struct turn *t)
{
	struct brain *b = t->b;
	const struct llm_config *cfg = llm_config();
	int max = cfg->max_tool_rounds;

	for (int round = 0;; round++) {
		int tools_ok = round < max && json_array_size(b->tools);
		struct llm_request rq = { 0 };
		struct llm_response r;
		json_t *msgs = messages_for(b, round >= max ? LIMIT_NOTE : NULL);
		char err[512];

		rq.messages = msgs;
		rq.tools = json_array_size(b->tools) ? b->tools : NULL;
		rq.tool_choice = tools_ok ? "auto" : "none";
		rq.temperature = b->temperature;
		rq.stream = 1;
		t->res->model_requests++;
		int rc = llm_chat(&b->model, &rq, t->cb, t->arg, &r, err, sizeof(err));
		json_decref(msgs);
		if (rc) {
			snprintf(t->res->error, sizeof(t->res->error), "%s", err);
			return -1;
		}
		if (r.content[0]) {
			if (t->reply.len)
				buf_addch(&t->reply, ' ');
			buf_adds(&t->reply, r.content);
		}
		if (!r.ncalls || !tools_ok) {
			if (r.ncalls && !r.content[0]) {
				snprintf(t->res->error, sizeof(t->res->error), "model '%s' kept calling "
					 "tools after the limit of %d rounds and gave no answer",
					 b->model.name, max);
				llm_response_release(&r);
				return -1;
			}
			json_array_append_new(b->history, json_pack("{s:s, s:s}", "role", "assistant",
				"content", r.content));
			llm_response_release(&r);
			return 0;
		}
		/* the assistant's tool calls, then their results */
		json_t *tcs = json_array();
		for (size_t i = 0; i < r.ncalls; i++)
			json_array_append_new(tcs, json_pack("{s:s, s:s, s:{s:s, s:s}}", "id",
				r.calls[i].id, "type", "function", "function", "name", r.calls[i].name,
				"arguments", r.calls[i].args.len ? buf_str(&r.calls[i].args) : "{}"));
		json_array_append_new(b->history, json_pack("{s:s, s:o, s:o}", "role", "assistant",
			"content", r.content[0] ? json_string(r.content) : json_null(), "tool_calls", tcs));
		/* a voice line is silent while tools run: when the model said
		 * nothing this round, say the first tool's start message */
		if (t->cb && !r.content[0]) {
			char said[512];
			say(&t->reply, tool_speech(b, r.calls[0].name, SAY_START, said, sizeof(said)),
			    t->cb, t->arg);
		}
		int stop = execute_calls(t, &r);
		llm_response_release(&r);
		if (stop)
			return 0;
		if (round + 1 >= max)
			t->res->rounds_exhausted = 1;
	}
}

static int turn(struct brain *b, const char *user_text, llm_sentence_fn cb, void *arg,
		struct brain_result *res)
{
	struct turn t = { b, res, BUF_INIT(4 * LLM_MAX_CONTENT), cb, arg };
	size_t mark = json_array_size(b->history);
	int rc;

	memset(res, 0, sizeof(*res));
	res->function_calls = json_array();
	if (user_text)
		json_array_append_new(b->history, json_pack("{s:s, s:s}", "role", "user",
							     "content", user_text));
	rc = run_loop(&t);
	if (rc) {
		/* leave the dialogue as it was: the caller may try again */
		while (json_array_size(b->history) > mark)
			json_array_remove(b->history, json_array_size(b->history) - 1);
	}
	trim_history(b);
	res->reply = buf_detach(&t.reply, NULL);
	return rc;
}

int brain_turn(struct brain *b, const char *user_text, llm_sentence_fn cb, void *arg,
	       struct brain_result *res)
{
	return turn(b, user_text ? user_text : "", cb, arg, res);
}

int brain_initial(struct brain *b, llm_sentence_fn cb, void *arg, struct brain_result *res)
{
	struct buf reply = BUF_INIT(4 * LLM_MAX_CONTENT);

	if (b->ai_first && !b->initial)
		return turn(b, NULL, cb, arg, res);	/* the model opens */
	memset(res, 0, sizeof(*res));
	res->function_calls = json_array();
	if (b->ai_first) {
		say(&reply, b->initial, cb, arg);
		json_array_append_new(b->history, json_pack("{s:s, s:s}", "role", "assistant",
							     "content", b->initial));
	}
	res->reply = buf_detach(&reply, NULL);
	return 0;
}

/* ---- after the call ---------------------------------------------------------------------- */

static const char *json_type_of(const char *t)
{
	return !strcmp(t, "number") ? "number" : !strcmp(t, "bool") ? "boolean" : "string";
}

static json_t *outcome_schema(const json_t *fields)
{
	json_t *props = json_object(), *req = json_array(), *f;
	size_t i;

	json_object_set_new(props, "summary", json_pack("{s:s, s:s}", "type", "string",
		"description", "What happened, in at most two short sentences"));
	json_array_append_new(req, json_string("summary"));
	json_array_foreach(fields, i, f) {
		const char *n = json_string_value(json_object_get(f, "name"));
		const char *t = json_string_value(json_object_get(f, "type"));
		const char *d = json_string_value(json_object_get(f, "description"));
		if (!n || !t || !strcmp(n, "summary"))
			continue;
		json_object_set_new(props, n, json_pack("{s:[s, s], s:s}", "type", json_type_of(t),
			"null", "description", d ? d : n));
		json_array_append_new(req, json_string(n));
	}
	return json_pack("{s:s, s:o, s:o, s:b}", "type", "object", "properties", props,
			 "required", req, "additionalProperties", 0);
}

static char *dialogue_text(const json_t *dialogue)
{
	struct buf b = BUF_INIT(256 * 1024);
	const json_t *m;
	size_t i;

	json_array_foreach(dialogue, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		const char *c = json_string_value(json_object_get(m, "content"));
		if (!c || !*c)
			continue;
		if (buf_printf(&b, "%s: %s\n", role && !strcmp(role, "user") ? "Customer"
			       : "Assistant", c))
			break;	/* long calls: the beginning is what fits */
	}
	return buf_detach(&b, NULL);
}

/* The first {...} of a model's text (code fences and chatter around it). */
static json_t *json_in(const char *text)
{
	const char *a = strchr(text, '{'), *z = strrchr(text, '}');
	if (!a || !z || z < a)
		return NULL;
	json_t *o = jsonsafe_loadb(a, (size_t)(z - a + 1), 0, NULL, NULL);
	if (o && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* Check the model's answer field by field; fills evaluation and extracted. */
static void judge(const json_t *fields, const json_t *answer, json_t *evaluation,
		  json_t *extracted)
{
	const json_t *f;
	size_t i;

	json_array_foreach(fields, i, f) {
		const char *n = json_string_value(json_object_get(f, "name"));
		const char *t = json_string_value(json_object_get(f, "type"));
		const char *d = json_string_value(json_object_get(f, "description"));
		json_t *v = answer ? json_object_get(answer, n) : NULL;
		json_t *sch, *errs = NULL, *row;
		if (!n || !t)
			continue;
		row = json_pack("{s:s, s:s, s:n, s:s}", "name", n, "type", t, "value",
				"description", d ? d : "");
		sch = json_pack("{s:s}", "type", json_type_of(t));
		if (!answer) {
			json_object_set_new(row, "valid", json_false());
			json_object_set_new(row, "error", json_string("the model did not answer with a "
				"JSON object"));
		} else if (!v || json_is_null(v)) {
			json_object_set_new(row, "valid", json_true());	/* not stated */
		} else if (schema_validate(sch, v, &errs)) {
			char *shown = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			json_object_set_new(row, "valid", json_false());
			json_object_set_new(row, "error", json_sprintf("rejected: expected %s, the model "
				"gave %.80s", !strcmp(t, "bool") ? "a boolean" : !strcmp(t, "number")
				? "a number" : "a string", shown ? shown : "?"));
			free(shown);
		} else {
			json_object_set(row, "value", v);
			json_object_set_new(row, "valid", json_true());
			json_object_set(extracted, n, v);
		}
		json_decref(errs);
		json_decref(sch);
		json_array_append_new(evaluation, row);
	}
}

int brain_after_call(int64_t call_id)
{
	struct store_dial d;
	json_t *call = NULL, *asst = NULL, *dialogue = NULL, *fields = NULL, *schema = NULL;
	json_t *rf = NULL, *msgs = NULL, *answer = NULL, *evaluation = NULL, *extracted = NULL;
	struct assistant_settings set;
	struct llm_model m;
	struct llm_response r;
	char err[512], *talk = NULL, *prompt = NULL;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	memset(&r, 0, sizeof(r));
	if (store_call_dial_info(call_id, &d))
		goto out;
	call = store_call_get(d.account_id, call_id);
	asst = call ? store_assistant_get(d.account_id,
		json_integer_value(json_object_get(call, "assistant_id"))) : NULL;
	if (!asst) {
		log_info("brain: call %lld: no assistant to evaluate with", (long long)call_id);
		goto out;
	}
	dialogue = store_call_dialogue(call_id);
	if (!json_array_size(dialogue)) {
		log_info("brain: call %lld: nothing was said, nothing to evaluate", (long long)call_id);
		goto out;
	}
	if (llm_resolve(json_string_value(json_object_get(asst, "llm_model")), &m, err, sizeof(err))) {
		log_warn("brain: call %lld: no evaluation: %s", (long long)call_id, err);
		goto out;
	}
	assistant_settings_parse(asst, &set);
	fields = set.post_call_evaluation ? json_incref(set.post_call_schema) : json_array();
	if (!json_is_array(fields)) {
		json_decref(fields);
		fields = json_array();
	}
	schema = outcome_schema(fields);
	talk = dialogue_text(dialogue);
	{
		struct buf p = BUF_INIT(512 * 1024);
		const json_t *f;
		size_t i;
		buf_printf(&p, "The conversation:\n\n%s\nAnswer with one JSON object with \"summary\" "
			   "(what happened, at most two short sentences)", talk);
		json_array_foreach(fields, i, f)
			buf_printf(&p, "%s\"%s\" (%s%s%s)", i ? ", " : " and these fields: ",
				json_string_value(json_object_get(f, "name")),
				json_type_of(json_string_value(json_object_get(f, "type"))
					     ? json_string_value(json_object_get(f, "type")) : ""),
				json_string_value(json_object_get(f, "description")) ? ": " : "",
				json_string_value(json_object_get(f, "description"))
				? json_string_value(json_object_get(f, "description")) : "");
		buf_adds(&p, ". Use null for a field the conversation does not answer.");
		prompt = buf_detach(&p, NULL);
	}
	msgs = json_pack("[{s:s, s:s}, {s:s, s:s}]", "role", "system", "content",
		"You review a finished conversation between an AI assistant and a customer and "
		"report on it as JSON.", "role", "user", "content", prompt);
	rf = json_pack("{s:s, s:{s:s, s:b, s:O}}", "type", "json_schema", "json_schema",
		       "name", "post_call", "strict", 1, "schema", schema);
	struct llm_request rq = { msgs, NULL, NULL, 0.0, rf, 0 };
	if (llm_chat(&m, &rq, NULL, NULL, &r, err, sizeof(err))) {
		if (r.http_status < 400 || r.http_status >= 500 || r.http_status == 429) {
			log_warn("brain: call %lld: evaluation failed: %s", (long long)call_id, err);
			goto out;
		}
		/* structured output refused: the same question, JSON by instruction */
		json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "system", "content",
			"Reply with the JSON object only: no other text, no code fences."));
		rq.response_format = NULL;
		if (llm_chat(&m, &rq, NULL, NULL, &r, err, sizeof(err))) {
			log_warn("brain: call %lld: evaluation failed: %s", (long long)call_id, err);
			goto out;
		}
	}
	answer = json_in(r.content);
	evaluation = json_array();
	extracted = json_object();
	judge(fields, answer, evaluation, extracted);
	const char *sum = json_string_value(json_object_get(answer, "summary"));
	char summary[1024];
	snprintf(summary, sizeof(summary), "%s", sum ? sum : "");
	rc = store_call_outcome_set(call_id, evaluation, extracted, summary[0] ? summary : NULL);
	if (rc)
		log_error("brain: call %lld: cannot store the evaluation", (long long)call_id);
	else
		log_info("brain: call %lld evaluated (%zu fields)", (long long)call_id,
			 json_array_size(evaluation));
out:
	llm_response_release(&r);
	llm_model_wipe(&m);
	json_decref(call);
	json_decref(asst);
	json_decref(dialogue);
	json_decref(fields);
	json_decref(schema);
	json_decref(rf);
	json_decref(msgs);
	json_decref(answer);
	json_decref(evaluation);
	json_decref(extracted);
	free(talk);
	free(prompt);
	return rc;
}

/* ---- the worker: after-call queue, idle conversations ----------------------------------- */

#define QUEUE_CAP 256

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int64_t queue[QUEUE_CAP];
static size_t q_head, q_len;
static struct worker w = WORKER_INIT(&mu, &cv, "brain");
static double idle_s;

static void idle_read(void)
{
	const char *e = getenv("SWITCHBOARD_CONVERSATION_IDLE_S");
	int64_t v;
	idle_s = e && !util_parse_i64(e, &v) && v >= 1 && v <= 30 * 86400 ? (double)v : 1800.0;
}

/* Read once (pthread_once): request threads and the brain's worker ask. */
double brain_conversation_idle_s(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, idle_read);
	return idle_s;
}

int brain_after_call_queue(int64_t call_id)
{
	int r = -1;

	pthread_mutex_lock(&mu);
	if (w.running && !w.stopping && q_len < QUEUE_CAP) {
		queue[(q_head + q_len) % QUEUE_CAP] = call_id;
		q_len++;
		pthread_cond_signal(&cv);
		r = 0;
	}
	pthread_mutex_unlock(&mu);
	if (r)
		log_warn("brain: call %lld: after-call work not queued (worker stopped or queue "
			 "full)", (long long)call_id);
	return r;
}

int brain_conversation_end(int64_t conversation_id, const char *call_status,
			   const char *reason)
{
	int64_t call_id = 0;
	int r = store_conversation_end(conversation_id, call_status, reason, &call_id);
	if (!r && call_id)
		brain_after_call_queue(call_id);
	return r;
}

static void end_idle(void)
{
	json_t *idle = store_conversations_idle(brain_conversation_idle_s(), 50), *c;
	size_t i;
	char reason[96];

	snprintf(reason, sizeof(reason), "no message for %.0f seconds", brain_conversation_idle_s());
	json_array_foreach(idle, i, c)
		brain_conversation_end(json_integer_value(json_object_get(c, "id")), "completed",
				       reason);
	json_decref(idle);
}

static void *work(void *arg)
{
	double period = brain_conversation_idle_s() / 4;
	double next_sweep = 0;

	(void)arg;
	if (period > 30)
		period = 30;
	if (period < 0.25)
		period = 0.25;
	pthread_mutex_lock(&mu);
	while (!w.stopping) {
		if (q_len) {
			int64_t id = queue[q_head];
			q_head = (q_head + 1) % QUEUE_CAP;
			q_len--;
			pthread_mutex_unlock(&mu);
			brain_after_call(id);
			/* evaluated (or nothing to evaluate): the post-call webhook */
			webhook_call_ended(id);
			pthread_mutex_lock(&mu);
			continue;
		}
		if (util_mono() >= next_sweep) {
			pthread_mutex_unlock(&mu);
			end_idle();
			next_sweep = util_mono() + period;
			pthread_mutex_lock(&mu);
			continue;
		}
		struct timespec ts;
		util_deadline(&ts, CLOCK_REALTIME, period);
		pthread_cond_timedwait(&cv, &mu, &ts);
	}
	if (q_len)
		log_warn("brain: %zu after-call evaluations dropped at shutdown", q_len);
	q_len = 0;
	pthread_mutex_unlock(&mu);
	store_thread_release();
	return NULL;
}

int brain_start(void)
{
	const struct llm_config *c = llm_config();
	struct store_model row;

	if (c->url[0] && c->model[0] && store_model_get(c->model, &row) == STORE_NOTFOUND &&
	    store_model_upsert(c->model, "openai-compatible", NULL, NULL,
			       "The server's default model (SWITCHBOARD_LLM_URL)"))
		log_warn("brain: cannot add the default model '%s' to the catalog", c->model);
	if (!c->url[0])
		log_info("brain: no default model server (SWITCHBOARD_LLM_URL unset)");
	return worker_start(&w, work, NULL);
}

void brain_stop(void)
{
	worker_stop(&w);
}
