/* llm.c - OpenAI-compatible chat completions over the outbound executor (see llm.h). */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sodium.h>
#include "base/jsonsafe.h"
#include "agent/llm.h"
#include "base/log.h"
#include "base/secret.h"
#include "store/store.h"
#include "base/util.h"
#include "outbound/http_exec.h"

/* ---- configuration ---------------------------------------------------------- */

static struct llm_config g_cfg;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;


static void env_str(const char *name, char *out, size_t n)
{
	const char *e = getenv(name);
	if (e && strlen(e) < n)
		snprintf(out, n, "%s", e);
	else if (e)
		log_warn("%s is too long: ignored", name);
}

static void cfg_init(void)
{
	struct llm_config *c = &g_cfg;
	size_t l;

	env_str("SWITCHBOARD_LLM_URL", c->url, sizeof(c->url));
	while ((l = strlen(c->url)) && c->url[l - 1] == '/')
		c->url[l - 1] = '\0';
	env_str("SWITCHBOARD_LLM_KEY", c->key, sizeof(c->key));
	env_str("SWITCHBOARD_LLM_MODEL", c->model, sizeof(c->model));
	c->connect_timeout_ms = util_env_i64("SWITCHBOARD_LLM_CONNECT_TIMEOUT_MS", 5000, 100, 60000);
	c->timeout_ms = util_env_i64("SWITCHBOARD_LLM_TIMEOUT_MS", 30000, 200, 600000);
	c->tries = (int)util_env_i64("SWITCHBOARD_LLM_TRIES", 3, 1, 10);
	c->backoff_ms = util_env_i64("SWITCHBOARD_LLM_BACKOFF_MS", 500, 0, 60000);
	c->retry_cap_ms = util_env_i64("SWITCHBOARD_LLM_RETRY_CAP_MS", 10000, 0, 120000);
	c->max_response = (size_t)util_env_i64("SWITCHBOARD_LLM_MAX_RESPONSE", 1L << 20, 4096, 64L << 20);
	c->max_tool_rounds = (int)util_env_i64("SWITCHBOARD_LLM_MAX_TOOL_ROUNDS", 5, 1, 50);
	c->max_tokens = (int)util_env_i64("SWITCHBOARD_LLM_MAX_TOKENS", 0, 0, 1000000);
	if (http_exec_global_init())
		log_error("llm: curl_global_init failed");
}

const struct llm_config *llm_config(void)
{
	pthread_once(&g_once, cfg_init);
	return &g_cfg;
}

/* ---- models ------------------------------------------------------------------ */

/* Copy a string that fits (callers checked the sizes); cut at n - 1 if not. */
static void copy(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);
	memcpy(dst, src, l);
	dst[l] = '\0';
}

void llm_model_wipe(struct llm_model *m)
{
	sodium_memzero(m->api_key, sizeof(m->api_key));
}

/* 0: served by its own row; 1: by the default provider; -1: not at all */
static int route(const char *name, struct store_model *row)
{
	const struct llm_config *c = llm_config();
	int r = store_model_get(name, row);

	if (r == STORE_OK && row->base_url[0])
		return 0;
	if (!c->url[0])
		return -1;
	if (c->model[0])
		return strcmp(name, c->model) ? -1 : 1;
	return r == STORE_OK ? 1 : -1;	/* gateway: catalog names only */
}

int llm_resolve(const char *name, struct llm_model *out, char *err, size_t errlen)
{
	const struct llm_config *c = llm_config();
	struct store_model row;
	int r;

	memset(out, 0, sizeof(*out));
	if (!name || !*name) {
		if (!c->model[0]) {
			snprintf(err, errlen, "no language model is configured%s: %s",
				 c->url[0] ? " as the default (SWITCHBOARD_LLM_MODEL is not set) and "
				 "the assistant names none" : "", LLM_HOWTO);
			return -1;
		}
		name = c->model;
	}
	if (strlen(name) >= sizeof(out->name)) {
		snprintf(err, errlen, "model name is too long");
		return -1;
	}
	r = route(name, &row);
	if (r < 0) {
		if (!c->url[0] && store_model_get(name, &row) != STORE_OK)
			snprintf(err, errlen, "no language model is configured: %s", LLM_HOWTO);
		else
			snprintf(err, errlen, "model '%s' is not configured on this server (get_models "
				 "shows the usable ones): %s", name, LLM_HOWTO);
		sodium_memzero(&row, sizeof(row));
		return -1;
	}
	snprintf(out->name, sizeof(out->name), "%s", name);
	if (r == 0) {
		out->own = 1;
		snprintf(out->base_url, sizeof(out->base_url), "%s", row.base_url);
		if (row.api_key[0]) {
			char e[128];
			char *plain = secret_is_sealed(row.api_key) ? secret_open(row.api_key, e, sizeof(e))
				: NULL;
			if (!plain) {
				snprintf(err, errlen, "the API key of model '%s' cannot be opened "
					 "(sealed with another secret key?)", name);
				sodium_memzero(&row, sizeof(row));
				return -1;
			}
			snprintf(out->api_key, sizeof(out->api_key), "%s", plain);
			sodium_memzero(plain, strlen(plain));
			free(plain);
		}
	} else {
		copy(out->base_url, sizeof(out->base_url), c->url);
		copy(out->api_key, sizeof(out->api_key), c->key);
	}
	sodium_memzero(&row, sizeof(row));
	return 0;
}

int llm_usable(const char *name)
{
	struct store_model row;
	int r = route(name, &row);
	sodium_memzero(&row, sizeof(row));
	return r >= 0;
}

/* ---- sentences ------------------------------------------------------------------ */

void llm_sentences_init(struct llm_sentences *s, llm_sentence_fn cb, void *arg)
{
	buf_init(&s->pending, LLM_MAX_CONTENT);
	s->cb = cb;
	s->arg = arg;
	s->emitted = 0;
}

void llm_sentences_release(struct llm_sentences *s)
{
	buf_release(&s->pending);
}

static const char *const abbrevs[] = {
	"mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "eg", "ie",
	"jr", "sr", "inc", "ltd", "co", "no", "nr", "ca", "approx", "z.b", "bzw", "usw",
	"mt", "ft", "tel", NULL
};

/* Is the '.' at p[i] the end of an abbreviation, an initial or a number? */
static int not_a_stop(const char *p, size_t i)
{
	size_t j = i, n;
	char w[16];

	while (j > 0 && !isspace((unsigned char)p[j - 1]) && p[j - 1] != '(' && p[j - 1] != '"')
		j--;
	n = i - j;
	if (n == 0)
		return 0;
	if (n == 1 && isalpha((unsigned char)p[j]))
		return 1;	/* "J. Smith" */
	int digits = 1;
	for (size_t k = j; k < i; k++)
		digits &= isdigit((unsigned char)p[k]) != 0;
	if (digits && n <= 2)
		return 1;	/* "1. first" in a list */
	if (n >= sizeof(w))
		return 0;
	for (size_t k = 0; k < n; k++)
		w[k] = (char)tolower((unsigned char)p[j + k]);
	w[n] = '\0';
	for (int k = 0; abbrevs[k]; k++)
		if (!strcmp(w, abbrevs[k]))
			return 1;
	return 0;
}

static void emit(struct llm_sentences *s, size_t end)
{
	const char *p = s->pending.ptr;
	size_t a = 0, b = end;
	char *one;

	while (a < b && isspace((unsigned char)p[a]))
		a++;
	while (b > a && isspace((unsigned char)p[b - 1]))
		b--;
	if (b > a && s->cb && (one = strndup(p + a, b - a))) {
		s->cb(s->arg, one);
		free(one);
		s->emitted++;
	}
	/* drop the sentence from the buffer */
	size_t rest = s->pending.len - end;
	memmove(s->pending.ptr, s->pending.ptr + end, rest);
	s->pending.len = rest;
	s->pending.ptr[rest] = '\0';
}

/* Where the first complete sentence ends (exclusive), or 0. */
static size_t sentence_end(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		size_t k;
		if (p[i] == '\n')
			return i + 1;
		if (p[i] == '.' || p[i] == '!' || p[i] == '?')
			k = i + 1;
		else if ((unsigned char)p[i] == 0xe2 && i + 2 < len &&
			 (unsigned char)p[i + 1] == 0x80 && (unsigned char)p[i + 2] == 0xa6)
			k = i + 3;	/* U+2026 ellipsis */
		else
			continue;
		/* runs of marks, closing quotes and brackets stay with it */
		for (;;) {
			if (k < len && p[k] && strchr(".!?\"')]", p[k]))
				k++;
			else if (k + 2 < len && (unsigned char)p[k] == 0xe2 &&
				 (unsigned char)p[k + 1] == 0x80 &&
				 ((unsigned char)p[k + 2] == 0x9d || (unsigned char)p[k + 2] == 0x99 ||
				  (unsigned char)p[k + 2] == 0xa6))
				k += 3;	/* ” ’ … */
			else
				break;
		}
		if (k >= len)
			return 0;	/* wait: the next character decides */
		if (!isspace((unsigned char)p[k])) {
			i = k - 1;
			continue;
		}
		if (p[i] == '.' && k == i + 1 && not_a_stop(p, i))
			continue;
		return k;
	}
	return 0;
}

int llm_sentences_add(struct llm_sentences *s, const char *text, size_t n)
{
	size_t end;

	if (buf_add(&s->pending, text, n))
		return -1;
	while ((end = sentence_end(s->pending.ptr, s->pending.len)))
		emit(s, end);
	/* a run-on "sentence": speak it at a space rather than hold it forever */
	while (s->pending.len > LLM_MAX_SENTENCE) {
		size_t cut = LLM_MAX_SENTENCE;
		while (cut > LLM_MAX_SENTENCE / 2 && !isspace((unsigned char)s->pending.ptr[cut]))
			cut--;
		emit(s, cut);
	}
	return 0;
}

void llm_sentences_flush(struct llm_sentences *s)
{
	size_t end;

	while (s->pending.len && (end = sentence_end(s->pending.ptr, s->pending.len)))
		emit(s, end);
	if (s->pending.len)
		emit(s, s->pending.len);
}

/* ---- responses --------------------------------------------------------------------- */

static void calls_release(struct llm_tool_call *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_release(&c[i].args);
}

void llm_response_release(struct llm_response *r)
{
	free(r->content);
	calls_release(r->calls, r->ncalls);
	memset(r, 0, sizeof(*r));
}

/* Printable, short: what a provider said, fit for an error sentence. */
static void safe_text(const char *in, char *out, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; in && in[i] && j + 1 < n && i < 200; i++)
		out[j++] = (unsigned char)in[i] < 0x20 ? ' ' : in[i];
	out[j] = '\0';
}

static void provider_error(const json_t *doc, char *out, size_t n)
{
	const json_t *e = json_object_get(doc, "error");
	const char *m = json_is_string(e) ? json_string_value(e)
		: json_string_value(json_object_get(e, "message"));
	if (!m)
		m = json_string_value(json_object_get(doc, "message"));
	safe_text(m, out, n);
}

/* Take one tool_calls entry (a delta or a whole call) into slot calls[i]. */
static int take_call(struct llm_tool_call *c, const json_t *tc, char *err, size_t errlen)
{
	const char *id = json_string_value(json_object_get(tc, "id"));
	const json_t *fn = json_object_get(tc, "function");
	const char *name = json_string_value(json_object_get(fn, "name"));
	const json_t *a = json_object_get(fn, "arguments");

	if (id && !c->id[0])
		snprintf(c->id, sizeof(c->id), "%s", id);
	if (name && *name && !c->name[0]) {
		if (strlen(name) >= sizeof(c->name)) {
			snprintf(err, errlen, "a tool name in the answer is too long");
			return -1;
		}
		snprintf(c->name, sizeof(c->name), "%s", name);
	}
	if (json_is_string(a)) {
		if (buf_add(&c->args, json_string_value(a), json_string_length(a))) {
			snprintf(err, errlen, "tool arguments larger than %d bytes", LLM_MAX_ARGS);
			return -1;
		}
	} else if (json_is_object(a)) {	/* some servers send an object */
		char *t = json_dumps(a, JSON_COMPACT);
		int r = t ? buf_adds(&c->args, t) : -1;
		free(t);
		if (r) {
			snprintf(err, errlen, "tool arguments larger than %d bytes", LLM_MAX_ARGS);
			return -1;
		}
	}
	return 0;
}

static int call_slot(struct llm_tool_call *calls, size_t *ncalls, const json_t *tc, size_t pos,
		     char *err, size_t errlen)
{
	const json_t *ix = json_object_get(tc, "index");
	json_int_t i = json_is_integer(ix) ? json_integer_value(ix) : (json_int_t)pos;

	if (i < 0 || i >= LLM_MAX_CALLS) {
		snprintf(err, errlen, "more than %d tool calls in one answer", LLM_MAX_CALLS);
		return -1;
	}
	while (*ncalls <= (size_t)i) {
		memset(&calls[*ncalls], 0, sizeof(calls[0]));
		buf_init(&calls[*ncalls].args, LLM_MAX_ARGS);
		(*ncalls)++;
	}
	return take_call(&calls[i], tc, err, errlen);
}

/* Move assembled calls into r, dropping empty slots; ids made up when absent. */
static int finish_calls(struct llm_tool_call *calls, size_t n, struct llm_response *r,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (!calls[i].name[0]) {
			snprintf(err, errlen, "a tool call in the answer has no function name");
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		r->calls[r->ncalls] = calls[i];
		if (!r->calls[r->ncalls].id[0])
			snprintf(r->calls[r->ncalls].id, sizeof(r->calls[0].id), "call_%zu", i);
		memset(&calls[i], 0, sizeof(calls[i]));
		r->ncalls++;
	}
	return 0;
}

int llm_parse_completion(const char *body, size_t len, struct llm_response *r,
			 char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = jsonsafe_loadb(body, len, 0, &je, NULL);
	struct llm_tool_call calls[LLM_MAX_CALLS];
	size_t ncalls = 0, i;
	const json_t *msg, *tc, *ch;
	int rc = -1;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "the answer is not a JSON object");
		goto out;
	}
	if (json_object_get(doc, "error")) {
		char m[256];
		provider_error(doc, m, sizeof(m));
		snprintf(err, errlen, "the model server reported an error: %s", m[0] ? m : "(no message)");
		goto out;
	}
	ch = json_array_get(json_object_get(doc, "choices"), 0);
	msg = json_object_get(ch, "message");
	if (!json_is_object(msg)) {
		snprintf(err, errlen, "the answer has no choices[0].message");
		goto out;
	}
	const json_t *content = json_object_get(msg, "content");
	if (content && !json_is_string(content) && !json_is_null(content)) {
		snprintf(err, errlen, "choices[0].message.content is not text");
		goto out;
	}
	if (json_string_length(content) > LLM_MAX_CONTENT) {
		snprintf(err, errlen, "the answer's text is larger than %d bytes", LLM_MAX_CONTENT);
		goto out;
	}
	json_array_foreach(json_object_get(msg, "tool_calls"), i, tc)
		if (call_slot(calls, &ncalls, tc, i, err, errlen))
			goto out;
	if (finish_calls(calls, ncalls, r, err, errlen))
		goto out;
	ncalls = 0;
	r->content = strdup(json_is_string(content) ? json_string_value(content) : "");
	snprintf(r->finish_reason, sizeof(r->finish_reason), "%s",
		 json_string_value(json_object_get(ch, "finish_reason"))
		 ? json_string_value(json_object_get(ch, "finish_reason")) : "");
	rc = r->content ? 0 : -1;
out:
	calls_release(calls, ncalls);
	json_decref(doc);
	return rc;
}

/* ---- the SSE decoder ---------------------------------------------------------------- */

void llm_stream_init(struct llm_stream *st, llm_sentence_fn cb, void *arg)
{
	memset(st, 0, sizeof(*st));
	buf_init(&st->line, LLM_MAX_ARGS + LLM_MAX_CONTENT);
	buf_init(&st->data, LLM_MAX_ARGS + LLM_MAX_CONTENT);
	buf_init(&st->content, LLM_MAX_CONTENT);
	llm_sentences_init(&st->sent, cb, arg);
}

void llm_stream_release(struct llm_stream *st)
{
	buf_release(&st->line);
	buf_release(&st->data);
	buf_release(&st->content);
	calls_release(st->calls, st->ncalls);
	llm_sentences_release(&st->sent);
}

static int broken(struct llm_stream *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int broken(struct llm_stream *st, const char *fmt, ...)
{
	va_list ap;

	if (!st->failed) {
		va_start(ap, fmt);
		vsnprintf(st->error, sizeof(st->error), fmt, ap);
		va_end(ap);
	}
	st->failed = 1;
	return -1;
}

/* One complete event's data. */
static int event(struct llm_stream *st)
{
	json_t *doc, *ch, *delta, *tc;
	size_t i;
	int rc = 0;

	if (!st->data.len)
		return 0;
	if (!strcmp(st->data.ptr, "[DONE]")) {
		st->done = 1;
		return 0;
	}
	if (st->done)
		return 0;	/* trailing noise after [DONE] */
	doc = jsonsafe_loadb(st->data.ptr, st->data.len, 0, NULL, NULL);
	if (!json_is_object(doc)) {
		char head[48];
		safe_text(st->data.ptr, head, sizeof(head));
		json_decref(doc);
		return broken(st, "an event is not JSON ('%s')", head);
	}
	if (json_object_get(doc, "error")) {
		char m[200], msg[240];
		provider_error(doc, m, sizeof(m));
		snprintf(msg, sizeof(msg), "%s", m[0] ? m : "(no message)");
		json_decref(doc);
		return broken(st, "the model server reported an error mid-answer: %s", msg);
	}
	ch = json_array_get(json_object_get(doc, "choices"), 0);
	delta = json_object_get(ch, "delta");
	if (!delta)
		delta = json_object_get(ch, "message");
	if (!ch && !json_object_get(doc, "choices")) {
		json_decref(doc);
		return broken(st, "an event has no choices%s", "");
	}
	const json_t *c = json_object_get(delta, "content");
	if (json_is_string(c) && json_string_length(c)) {
		if (buf_add(&st->content, json_string_value(c), json_string_length(c)))
			rc = broken(st, "the answer's text is larger than the limit%s", "");
		else
			llm_sentences_add(&st->sent, json_string_value(c), json_string_length(c));
	}
	json_array_foreach(json_object_get(delta, "tool_calls"), i, tc) {
		char e[128];
		if (!rc && call_slot(st->calls, &st->ncalls, tc, i, e, sizeof(e)))
			rc = broken(st, "%s", e);
	}
	const char *fr = json_string_value(json_object_get(ch, "finish_reason"));
	if (fr)
		snprintf(st->finish_reason, sizeof(st->finish_reason), "%s", fr);
	json_decref(doc);
	return rc;
}

static int line(struct llm_stream *st)
{
	char *p = st->line.ptr ? st->line.ptr : "";
	size_t n = st->line.len;
	int rc = 0;

	if (n && p[n - 1] == '\r')
		p[--n] = '\0';
	if (n == 0) {	/* blank line: dispatch */
		rc = event(st);
		buf_reset(&st->data);
	} else if (!strncmp(p, "data:", 5)) {
		const char *v = p + 5;
		if (*v == ' ')
			v++;
		if ((st->data.len && buf_addch(&st->data, '\n')) || buf_adds(&st->data, v))
			rc = broken(st, "an event is larger than the limit%s", "");
	} else if (p[0] != ':' && strncmp(p, "event:", 6) && strncmp(p, "id:", 3) &&
		   strncmp(p, "retry:", 6)) {
		char head[48];
		safe_text(p, head, sizeof(head));
		rc = broken(st, "not an event stream ('%s')", head);
	}
	buf_reset(&st->line);
	return rc;
}

int llm_stream_feed(struct llm_stream *st, const char *p, size_t n)
{
	if (st->failed)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t take = nl ? (size_t)(nl - (p + i)) : n - i;
		if (buf_add(&st->line, p + i, take))
			return broken(st, "a line of the stream is larger than the limit%s", "");
		i += take;
		if (nl && line(st))
			return -1;
	}
	return 0;
}

int llm_stream_finish(struct llm_stream *st, struct llm_response *r)
{
	char e[128];

	if (!st->failed && st->line.len)
		line(st);	/* a last line without its newline */
	if (!st->failed && st->data.len) {
		event(st);
		buf_reset(&st->data);
	}
	if (st->failed)
		return -1;
	if (!st->done && !st->finish_reason[0])
		return broken(st, "the answer was cut off (no [DONE])%s", "");
	if (!st->content.len && !st->ncalls)
		return broken(st, "the answer is empty%s", "");
	llm_sentences_flush(&st->sent);
	if (finish_calls(st->calls, st->ncalls, r, e, sizeof(e)))
		return broken(st, "%s", e);
	st->ncalls = 0;
	r->content = buf_detach(&st->content, NULL);
	r->sentences = st->sent.emitted;
	snprintf(r->finish_reason, sizeof(r->finish_reason), "%s", st->finish_reason);
	return 0;
}

/* ---- HTTP ----------------------------------------------------------------------------- */

struct xfer {
	struct llm_stream st;
	struct buf raw;            /* a JSON answer or an error body */
	int too_big;
};

/* content-type text/event-stream */
static int is_sse(const struct http_exec_head *head)
{
	return strstr(head->content_type, "text/event-stream") != NULL;
}

/* the executor has checked the size cap; head tells a stream from the rest */
static int on_body(const char *p, size_t len, const struct http_exec_head *head, void *arg)
{
	struct xfer *x = arg;

	if (is_sse(head) && head->status >= 200 &&
	    head->status < 300) {
		llm_stream_feed(&x->st, p, len);	/* a broken stream is judged at the end */
		return 0;
	}
	return buf_add(&x->raw, p, len) ? (x->too_big = 1, -1) : 0;
}


static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts))
		;
}

static char *request_body(const struct llm_model *m, const struct llm_request *rq)
{
	const struct llm_config *c = llm_config();
	json_t *o = json_pack("{s:s, s:O, s:b}", "model", m->name, "messages", rq->messages,
			      "stream", rq->stream);
	char *txt;

	if (!o)
		return NULL;
	if (rq->tools && json_array_size(rq->tools)) {
		json_object_set(o, "tools", (json_t *)rq->tools);
		if (rq->tool_choice)
			json_object_set_new(o, "tool_choice", json_string(rq->tool_choice));
	}
	if (rq->temperature >= 0)
		json_object_set_new(o, "temperature", json_real(rq->temperature));
	if (rq->response_format)
		json_object_set(o, "response_format", (json_t *)rq->response_format);
	if (c->max_tokens)
		json_object_set_new(o, "max_tokens", json_integer(c->max_tokens));
	txt = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(o);
	return txt;
}

int llm_chat(const struct llm_model *m, const struct llm_request *rq,
	     llm_sentence_fn cb, void *arg, struct llm_response *r,
	     char *err, size_t errlen)
{
	const struct llm_config *c = llm_config();
	struct xfer x;
	struct buf url = BUF_INIT(2048);
	struct http_exec ex;
	struct http_exec_req hq;
	struct http_exec_res hr;
	const char *hdr[5];
	char auth[600] = "", e[256];
	char *body = NULL;
	size_t nh = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	memset(&hq, 0, sizeof(hq));
	http_exec_init(&ex);
	http_exec_res_init(&hr);
	buf_init(&x.raw, c->max_response);
	llm_stream_init(&x.st, cb, arg);
	body = request_body(m, rq);
	if (!body || buf_printf(&url, "%s/chat/completions", m->base_url)) {
		snprintf(err, errlen, "cannot prepare the request to model '%s'", m->name);
		goto out;
	}
	hdr[nh++] = "Content-Type: application/json";
	hdr[nh++] = "Expect:";	/* no 100-continue round trip */
	hdr[nh++] = rq->stream ? "Accept: text/event-stream, application/json" : "Accept: application/json";
	if (m->api_key[0]) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", m->api_key);
		hdr[nh++] = auth;
	}
	hdr[nh] = NULL;
	hq.method = "POST";
	hq.url = buf_str(&url);
	hq.headers = hdr;
	hq.body = body;
	hq.body_len = strlen(body);
	hq.user_agent = "switchboard-brain/1";
	hq.connect_timeout_ms = c->connect_timeout_ms;
	hq.timeout_ms = c->timeout_ms;
	hq.max_response = c->max_response;
	hq.on_body = on_body;	/* the model is the operator's: no guard */
	hq.arg = &x;
	for (int attempt = 1; attempt <= c->tries; attempt++) {
		long wait, status;

		llm_stream_release(&x.st);
		llm_stream_init(&x.st, cb, arg);
		buf_reset(&x.raw);
		x.too_big = 0;
		http_exec_perform(&ex, &hq, &hr);
		r->tries = attempt;
		status = hr.status;
		r->http_status = (int)status;

		if (hr.err == HTTP_EXEC_INTERNAL) {
			snprintf(err, errlen, "cannot prepare the request to model '%s'", m->name);
			goto out;
		}
		if (x.too_big || hr.err == HTTP_EXEC_TOO_LARGE) {
			snprintf(err, errlen, "the answer of model '%s' is larger than %zu bytes",
				 m->name, c->max_response);
			goto out;
		}
		if (hr.err == HTTP_EXEC_TIMEOUT) {
			snprintf(err, errlen, "model '%s' did not answer within %ld ms", m->name,
				 c->timeout_ms);
			log_warn("llm: %s at %s: timed out after %ld ms", m->name, m->base_url,
				 c->timeout_ms);
			goto out;	/* no retry: the caller is waiting */
		}
		if (hr.err != HTTP_EXEC_OK) {
			if (x.st.sent.emitted) {
				snprintf(err, errlen, "the answer of model '%s' broke off: %s", m->name,
					 hr.detail);
				goto out;
			}
			snprintf(err, errlen, "cannot reach model '%s': %s", m->name, hr.detail);
			log_warn("llm: %s at %s: %s (try %d)", m->name, m->base_url, hr.detail, attempt);
		} else if (status >= 200 && status < 300) {
			if (is_sse(&hr.head)) {
				if (llm_stream_finish(&x.st, r)) {
					snprintf(err, errlen, "model '%s' answered with a broken stream: %s",
						 m->name, x.st.error);
					goto out;
				}
			} else if (llm_parse_completion(x.raw.ptr ? x.raw.ptr : "", x.raw.len, r,
						       e, sizeof(e))) {
				snprintf(err, errlen, "model '%s' answered with something that is not an "
					 "OpenAI chat completion: %s", m->name, e);
				goto out;
			} else if (cb && r->content[0]) {
				/* a whole answer at once: its sentences now */
				struct llm_sentences s;
				llm_sentences_init(&s, cb, arg);
				llm_sentences_add(&s, r->content, strlen(r->content));
				llm_sentences_flush(&s);
				r->sentences = s.emitted;
				llm_sentences_release(&s);
			}
			if (!r->content[0] && !r->ncalls) {
				snprintf(err, errlen, "model '%s' gave an empty answer", m->name);
				goto out;
			}
			rc = 0;
			goto out;
		} else {
			char msg[256] = "";
			json_t *doc = jsonsafe_loadb(x.raw.ptr ? x.raw.ptr : "", x.raw.len, 0, NULL, NULL);
			provider_error(doc, msg, sizeof(msg));
			json_decref(doc);
			if (status != 429 && status < 500) {
				snprintf(err, errlen, "model '%s' refused the request (HTTP %ld%s%s)",
					 m->name, status, msg[0] ? ": " : "", msg);
				goto out;
			}
			snprintf(err, errlen, "model '%s' answered HTTP %ld after %d tr%s%s%s",
				 m->name, status, attempt, attempt == 1 ? "y" : "ies",
				 msg[0] ? ": " : "", msg);
			log_warn("llm: %s at %s: HTTP %ld (try %d)", m->name, m->base_url,
				 status, attempt);
		}
		if (attempt == c->tries)
			break;
		wait = c->backoff_ms << (attempt - 1);
		if (hr.head.retry_after_s >= 0)
			wait = hr.head.retry_after_s * 1000;
		if (wait > c->retry_cap_ms)
			wait = c->retry_cap_ms;
		sleep_ms(wait);
	}
out:
	if (rc) {
		int status = r->http_status, tries = r->tries;
		llm_response_release(r);
		r->http_status = status;	/* tells the caller why */
		r->tries = tries;
	}
	llm_stream_release(&x.st);
	buf_release(&x.raw);
	buf_release(&url);
	http_exec_res_release(&hr);
	http_exec_release(&ex);
	sodium_memzero(auth, sizeof(auth));
	free(body);
	return rc;
}
