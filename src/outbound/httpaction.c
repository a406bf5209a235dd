/* httpaction.c - the HTTP action executor: definition and arguments in,
 * request rendered, hops followed by hand on the outbound executor
 * (http_exec.h), result shaped for the model (see httpaction.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <curl/curl.h>
#include <sodium.h>
#include "base/buf.h"
#include "base/util.h"
#include "outbound/httpaction.h"
#include "outbound/ha_render.h"
#include "outbound/http_exec.h"
#include "outbound/template.h"

/* ------------------------------------------------------------------ */
/* Names and messages                                                  */

static const struct { const char *name, *msg; } err_rows[] = {
	{ "ok", "ok" },
#define HA_ROW(e, name, msg) { name, msg },
	HA_ERR_MAP(HA_ROW)
#undef HA_ROW
};

const char *ha_err_name(enum ha_err e)
{
	if ((size_t)e >= sizeof(err_rows) / sizeof(err_rows[0]))
		return "internal";
	return err_rows[e].name;
}

const char *ha_err_message(enum ha_err e)
{
	if ((size_t)e >= sizeof(err_rows) / sizeof(err_rows[0]))
		return "internal error";
	return err_rows[e].msg;
}

/* ------------------------------------------------------------------ */
/* Setup                                                               */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void global_init(void)
{
	if (http_exec_global_init() || sodium_init() < 0)
		init_rc = -1;
}

int httpaction_global_init(void)
{
	pthread_once(&init_once, global_init);
	return init_rc;
}

void ha_options_init(struct ha_options *o)
{
	memset(o, 0, sizeof(*o));
	o->max_response = HA_MAX_RESPONSE_DEFAULT;
	o->max_result = HA_MAX_RESULT_DEFAULT;
	o->max_redirects = HA_MAX_REDIRECTS_DEFAULT;
	o->user_agent = HA_USER_AGENT;
}

int httpaction_sign(const char *secret, long long t, const char *method, const char *url,
		    const char *body, size_t len, char *out, size_t outlen)
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[32], hex[2 * sizeof(mac) + 1];
	int n = snprintf(ts, sizeof(ts), "%lld\n", t);

	/* a method or URL with a line break would make the message ambiguous */
	if (httpaction_global_init() || !method || !url || strpbrk(method, "\r\n") ||
	    strpbrk(url, "\r\n"))
		return -1;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)method, strlen(method));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)url, strlen(url));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	util_hex(mac, sizeof(mac), hex);
	n = snprintf(out, outlen, "t=%lld,v2=%s", t, hex);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static void fail(struct ha_result *r, enum ha_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct ha_result *r, enum ha_err e, const char *fmt, ...)
{
	r->ok = 0;
	r->err = e;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->message, sizeof(r->message), fmt, ap);
		va_end(ap);
	} else {
		snprintf(r->message, sizeof(r->message), "%s", ha_err_message(e));
	}
}

/* ------------------------------------------------------------------ */
/* The run                                                             */

static long ms_since(double t0)
{
	return (long)((util_mono() - t0) * 1000.0 + 0.5);
}

/* scheme://host:port of a URL, lowercased; -1 if it does not parse */
static int origin_of(const char *url, char *out, size_t outlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -1;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		int n = snprintf(out, outlen, "%s://%s:%s", scheme, host, port);
		if (n > 0 && (size_t)n < outlen) {
			for (char *p = out; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			rc = 0;
		}
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

/* The URL a request is sent to, as signed: "scheme://host[:port]path[?query]",
 * parsed and normalised by libcurl (dot segments resolved), the port only
 * when it is not the scheme's default, no user info, no fragment. Host and
 * port are what the Host header carries, path and query the request target,
 * so a receiver can rebuild it. A new string (free()), or NULL when the URL
 * does not parse. */
static char *request_url(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
	char *out = NULL;
	struct buf b = BUF_INIT(HA_MAX_URL * 3 + 64);

	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		goto out;
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	if (strcasecmp(scheme, "http") && strcasecmp(scheme, "https"))
		goto out;
	if (buf_printf(&b, "%s://%s%s%s%s%s%s", scheme, host, port ? ":" : "", port ? port : "",
		       path, query ? "?" : "", query ? query : ""))
		goto out;
	out = buf_detach(&b, NULL);
out:
	buf_release(&b);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return out;
}

/* Header lines for one hop: the operator's (rendered) unless dropped, then
 * ours. Rendered header lines live in hdrs (one NUL-separated block); lines
 * has room for HA_MAX_HEADERS + HOP_OWN_HEADERS + 1 pointers, and ts_line
 * and sig_line (HOP_LINE bytes each) hold the signature's lines. */
#define HOP_OWN_HEADERS 5
#define HOP_LINE 160

static int has_header(const struct ha_action *a, const char *name)
{
	for (size_t i = 0; i < a->nheaders; i++)
		if (!strcasecmp(a->headers[i].name, name))
			return 1;
	return 0;
}

static void hop_headers(const struct ha_action *a, const struct buf *hdrs, int with_ops,
			int json_body, const char *sig, long long ts, const char **lines,
			char *ts_line, char *sig_line)
{
	const char *p = buf_str(hdrs);
	size_t n = 0;

	for (size_t i = 0; i < a->nheaders; i++) {
		if (with_ops)
			lines[n++] = p;
		p += strlen(p) + 1;
	}
	/* ours unless the operator set the same header (no duplicates) */
	if (!with_ops || !has_header(a, "Accept"))
		lines[n++] = "Accept: application/json, text/plain;q=0.9, */*;q=0.5";
	lines[n++] = "Expect:";
	if (json_body && (!with_ops || !has_header(a, "Content-Type")))
		lines[n++] = "Content-Type: application/json";
	if (sig) {
		snprintf(ts_line, HOP_LINE, "X-Switchboard-Timestamp: %lld", ts);
		lines[n++] = ts_line;
		snprintf(sig_line, HOP_LINE, "X-Switchboard-Signature: %s", sig);
		lines[n++] = sig_line;
	}
	lines[n] = NULL;
}

/* An executor failure as the model may see it: the class, and a sentence
 * without the URL, header values or libcurl's text. */
static enum ha_err exec_error(enum http_exec_err xe, const struct http_exec_res *xr, int timeout_s,
			      size_t cap, char *msg, size_t msglen)
{
	enum ha_err e;

	switch (xe) {
	case HTTP_EXEC_TIMEOUT:
		snprintf(msg, msglen, "the service did not answer within %d s", timeout_s);
		return HA_ERR_TIMEOUT;
	case HTTP_EXEC_TOO_LARGE:
		snprintf(msg, msglen, "the response is larger than %zu bytes", cap);
		return HA_ERR_TOO_LARGE;
	case HTTP_EXEC_RESOLVE:
		snprintf(msg, msglen, "could not resolve the service's host name");
		return HA_ERR_CONNECT;
	case HTTP_EXEC_BLOCKED:
		snprintf(msg, msglen, "the destination address is not allowed (%s)",
			 netguard_class_name(xr->blocked_class));
		return HA_ERR_BLOCKED;
	case HTTP_EXEC_URL:
		e = HA_ERR_URL;
		break;
	case HTTP_EXEC_TLS:
		e = HA_ERR_TLS;
		break;
	case HTTP_EXEC_INTERNAL:
		e = HA_ERR_INTERNAL;
		break;
	default:
		e = HA_ERR_CONNECT;
		break;
	}
	snprintf(msg, msglen, "%s", ha_err_message(e));
	return e;
}

/* the shaped text becomes the result; the parsed document stays in sh */
static void take_shape(struct ha_result *r, struct ha_shape *sh)
{
	r->result = sh->text;
	r->result_len = sh->len;
	r->result_is_json = sh->is_json;
	r->truncated = sh->truncated;
	sh->text = NULL;
}

int httpaction_run(const struct ha_action *a, const json_t *args, const json_t *sys,
		   const struct ha_options *opts, struct ha_result *r)
{
	struct ha_options defaults;
	const struct ha_options *o = opts;
	double t0 = util_mono(), deadline;
	const char *names[HA_MAX_PARAMS];
	unsigned char used[HA_MAX_PARAMS] = { 0 };
	struct buf url = BUF_INIT(HA_MAX_URL * 3);
	struct buf hdrs = BUF_INIT(HA_MAX_HEADERS * 8192);
	struct buf line = BUF_INIT(8192);
	struct http_exec ex;
	struct http_exec_req xq;
	struct http_exec_res xr;
	enum http_exec_err xe = HTTP_EXEC_OK;
	struct ha_shape sh = { 0 };
	json_t *vals = NULL, *body = NULL;
	char *body_txt = NULL, *cur_url = NULL;
	char err[200], origin0[512] = "", origin1[512];
	char sig[128], ts_line[HOP_LINE], sig_line[HOP_LINE];
	long long ts = 0;
	int same_origin = 1, json_body;
	enum ha_method method;
	struct template_ctx ctx = { NULL, sys, names, 0, used };

	memset(r, 0, sizeof(*r));
	memset(&xq, 0, sizeof(xq));
	http_exec_init(&ex);
	http_exec_res_init(&xr);
	if (!o) {
		ha_options_init(&defaults);
		o = &defaults;
	} else if (!o->max_response || !o->max_result) {   /* zeroed fields: defaults */
		defaults = *o;
		if (!defaults.max_response)
			defaults.max_response = HA_MAX_RESPONSE_DEFAULT;
		if (!defaults.max_result)
			defaults.max_result = HA_MAX_RESULT_DEFAULT;
		o = &defaults;
	}
	if (httpaction_global_init()) {
		fail(r, HA_ERR_INTERNAL, NULL);
		goto out;
	}
	if (ha_action_check(a, err, sizeof(err))) {
		fail(r, HA_ERR_CONFIG, "the tool is misconfigured: %s", err);
		goto out;
	}
	deadline = t0 + a->timeout_s;
	if (ha_action_args(a, args, &vals, err, sizeof(err))) {
		fail(r, HA_ERR_INVALID_ARGS, "%s", err);
		goto out;
	}
	for (size_t i = 0; i < a->nparams; i++)
		names[i] = a->params[i].name;
	ctx.args = vals;
	ctx.nnames = a->nparams;

	/* URL, then the query or the body */
	if (template_render(a->url, TEMPLATE_URL, &ctx, &url, err, sizeof(err))) {
		fail(r, HA_ERR_TEMPLATE, "url: %s", err);
		goto out;
	}
	ctx.used = NULL;   /* only the URL consumes parameters */
	method = a->method;
	json_body = method != HA_GET;
	if (!json_body) {
		if (ha_render_query(&url, a, vals, used)) {
			fail(r, HA_ERR_TEMPLATE, "the url is longer than %d bytes", HA_MAX_URL * 3);
			goto out;
		}
	} else {
		body = a->body ? json_deep_copy(a->body) : json_object();
		if (!body) {
			fail(r, HA_ERR_INTERNAL, NULL);
			goto out;
		}
		if (ha_render_body(a, body, &ctx, vals, err, sizeof(err))) {
			fail(r, HA_ERR_TEMPLATE, "body: %s", err);
			goto out;
		}
		for (size_t i = 0; i < a->nparams; i++) {
			json_t *v = json_object_get(vals, names[i]);
			if (v && !used[i] && !json_object_get(body, names[i]) &&
			    json_object_set(body, names[i], v)) {
				fail(r, HA_ERR_INTERNAL, NULL);
				goto out;
			}
		}
		body_txt = json_dumps(body, JSON_COMPACT);
		if (!body_txt) {
			fail(r, HA_ERR_INTERNAL, NULL);
			goto out;
		}
		if (strlen(body_txt) > HA_MAX_REQUEST) {
			fail(r, HA_ERR_INVALID_ARGS, "the request body is larger than %d bytes",
			     HA_MAX_REQUEST);
			goto out;
		}
	}

	/* operator headers, rendered once, before any connection */
	for (size_t i = 0; i < a->nheaders; i++) {
		buf_reset(&line);
		if (template_render(a->headers[i].value, TEMPLATE_HEADER, &ctx, &line,
				    err, sizeof(err))) {
			/* err names the placeholder, never the value */
			fail(r, HA_ERR_TEMPLATE, "header '%s': %s", a->headers[i].name, err);
			goto out;
		}
		/* "Name;" is libcurl's way to send an empty value */
		if (buf_printf(&hdrs, line.len ? "%s: %s" : "%s;%s", a->headers[i].name,
			       buf_str(&line)) || buf_addch(&hdrs, '\0')) {
			fail(r, HA_ERR_TEMPLATE, "headers are too long");
			goto out;
		}
	}

	ts = (long long)util_now();
	cur_url = request_url(buf_str(&url));
	if (!cur_url || origin_of(cur_url, origin0, sizeof(origin0))) {
		fail(r, HA_ERR_URL, NULL);
		goto out;
	}
	xq.user_agent = o->user_agent ? o->user_agent : HA_USER_AGENT;
	xq.max_response = o->max_response;
	xq.guarded = 1;
	xq.guard = o->guard;

	for (;;) {
		const char *lines[HA_MAX_HEADERS + HOP_OWN_HEADERS + 1];
		long status;
		const char *loc;

		/* signed per hop (each has its own URL, and a 303 drops the
		 * body), and only on the first origin: the signature vouches
		 * for the operator's request to the operator's service */
		int signing = o->hmac_secret && same_origin;
		if (signing &&
		    httpaction_sign(o->hmac_secret, ts, ha_method_name(method), cur_url,
				    json_body ? body_txt : "", json_body ? strlen(body_txt) : 0,
				    sig, sizeof(sig))) {
			fail(r, HA_ERR_INTERNAL, NULL);
			goto out;
		}
		hop_headers(a, &hdrs, same_origin, json_body, signing ? sig : NULL, ts, lines,
			    ts_line, sig_line);
		xq.url = cur_url;
		xq.method = ha_method_name(method);
		xq.headers = lines;
		xq.body = json_body ? body_txt : NULL;
		xq.body_len = json_body ? strlen(body_txt) : 0;
		for (int attempt = 0;; attempt++) {
			double left = deadline - util_mono();
			if (left <= 0.0005) {
				xe = HTTP_EXEC_TIMEOUT;
				break;
			}
			xq.timeout_ms = (long)(left * 1000.0);
			if (xq.timeout_ms < 1)
				xq.timeout_ms = 1;
			r->attempts++;
			http_exec_perform(&ex, &xq, &xr);
			xe = xr.err;
			if (xe == HTTP_EXEC_OK || attempt > 0 || !xr.retryable ||
			    method == HA_POST || method == HA_PATCH)
				break;
		}
		sodium_memzero(sig_line, sizeof(sig_line));
		if (xe != HTTP_EXEC_OK) {
			r->ok = 0;
			r->err = exec_error(xe, &xr, a->timeout_s, o->max_response, r->message,
					    sizeof(r->message));
			goto out;
		}
		status = xr.status;
		r->status = status;
		loc = xr.location;
		if (status < 300 || status >= 400 ||
		    (status != 301 && status != 302 && status != 303 && status != 307 &&
		     status != 308) || !loc)
			break;

		/* a redirect: follow it by hand */
		if (r->redirects >= o->max_redirects) {
			fail(r, HA_ERR_REDIRECTS, "more than %d redirects", o->max_redirects);
			goto out;
		}
		if (strncasecmp(loc, "http://", 7) && strncasecmp(loc, "https://", 8)) {
			fail(r, HA_ERR_REDIRECTS, "redirect to a url that is not http or https");
			goto out;
		}
		char *next = request_url(loc);
		r->redirects++;
		if (!next || origin_of(next, origin1, sizeof(origin1))) {
			free(next);
			fail(r, HA_ERR_REDIRECTS, "redirect to an invalid url");
			goto out;
		}
		free(cur_url);
		cur_url = next;
		/* once elsewhere, never again: the operator's headers may hold
		 * credentials, and the signature is for the operator's service */
		if (strcmp(origin0, origin1))
			same_origin = 0;
		if (status == 303 || ((status == 301 || status == 302) && method == HA_POST)) {
			method = HA_GET;
			json_body = 0;
		}
	}

	/* the final answer */
	snprintf(r->content_type, sizeof(r->content_type), "%s", xr.content_type);
	r->bytes = xr.body.len;
	if (r->status < 200 || r->status >= 300) {
		size_t cap = o->max_result < HA_ERROR_SUMMARY ? o->max_result : HA_ERROR_SUMMARY;
		if (ha_shape_body(buf_str(&xr.body), xr.body.len, NULL, 0, cap, &sh)) {
			fail(r, HA_ERR_INTERNAL, NULL);
			goto out;
		}
		take_shape(r, &sh);
		fail(r, HA_ERR_HTTP, "the service answered with http status %ld", r->status);
		goto out;
	}
	if (ha_shape_body(buf_str(&xr.body), xr.body.len, a->select, a->nselect, o->max_result, &sh)) {
		fail(r, HA_ERR_INTERNAL, NULL);
		goto out;
	}
	take_shape(r, &sh);
	if (o->require_json && r->status != 204) {
		if (!xr.body.len) {
			fail(r, HA_ERR_EMPTY, NULL);
			goto out;
		}
		if (!sh.parsed) {
			fail(r, HA_ERR_BAD_JSON, NULL);
			goto out;
		}
	}
	r->ok = 1;
	r->err = HA_OK;
	snprintf(r->message, sizeof(r->message), "ok");
out:
	if (!r->result) {
		r->result = calloc(1, 1);
		r->result_len = 0;
		if (!r->result)
			abort();
	}
	r->latency_ms = ms_since(t0);
	http_exec_res_release(&xr);
	http_exec_release(&ex);
	free(cur_url);
	json_decref(sh.parsed);
	json_decref(vals);
	json_decref(body);
	free(body_txt);
	if (hdrs.ptr)   /* rendered header values may hold secrets */
		sodium_memzero(hdrs.ptr, hdrs.cap);
	if (line.ptr)
		sodium_memzero(line.ptr, line.cap);
	buf_release(&hdrs);
	buf_release(&line);
	buf_release(&url);
	sodium_memzero(sig, sizeof(sig));
	return r->ok ? 0 : -1;
}

void ha_result_release(struct ha_result *r)
{
	free(r->result);
	r->result = NULL;
	r->result_len = 0;
}

json_t *ha_result_to_json(const struct ha_result *r)
{
	json_t *o = json_object(), *res = NULL;
	if (!o)
		return NULL;
	if (r->result && r->result_is_json)
		res = json_loads(r->result, JSON_DECODE_ANY, NULL);
	if (!res)
		res = json_stringn(r->result ? r->result : "", r->result_len);
	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "status", json_integer(r->status));
	if (!r->ok)
		json_object_set_new(o, "error", json_string(ha_err_name(r->err)));
	json_object_set_new(o, "message", json_string(r->message));
	json_object_set_new(o, "result", res ? res : json_null());
	return o;
}

/* ------------------------------------------------------------------ */
/* Raw requests (see httpaction.h)                                     */

static int valid_token(const char *s)
{
	if (!s || !*s || strlen(s) > 32)
		return 0;
	for (; *s; s++)
		if (!ha_is_tchar(*s))
			return 0;
	return 1;
}

static void rfail(struct ha_raw_result *r, enum ha_err e, const char *msg)
{
	r->ok = 0;
	r->err = e;
	snprintf(r->message, sizeof(r->message), "%s", msg ? msg : ha_err_message(e));
}

int httpaction_raw(const struct ha_raw *rq, struct ha_raw_result *r)
{
	struct http_exec_req xq;
	struct http_exec_res xr;
	const char **lines = NULL;
	double t0 = util_mono();
	size_t cap = rq->max_response ? rq->max_response : HA_MAX_RESPONSE_DEFAULT, n = 0;
	long tmo = rq->timeout_ms < 1 ? 1 : rq->timeout_ms > 60000 ? 60000 : rq->timeout_ms;
	char sig[128], ts_line[HOP_LINE], sig_line[HOP_LINE];
	char *signed_url = NULL;   /* signed, so sent as is */
	long long ts;

	memset(r, 0, sizeof(*r));
	memset(&xq, 0, sizeof(xq));
	http_exec_res_init(&xr);
	if (httpaction_global_init()) {
		rfail(r, HA_ERR_INTERNAL, NULL);
		goto out;
	}
	if (!valid_token(rq->method) || !rq->url || strlen(rq->url) > HA_MAX_URL ||
	    (strncasecmp(rq->url, "http://", 7) && strncasecmp(rq->url, "https://", 8))) {
		rfail(r, HA_ERR_URL, NULL);
		goto out;
	}
	for (const char *const *p = rq->headers; p && *p; p++)
		n++;
	lines = calloc(n + 4, sizeof(*lines));
	if (!lines) {
		rfail(r, HA_ERR_INTERNAL, NULL);
		goto out;
	}
	n = 0;
	for (const char *const *p = rq->headers; p && *p; p++) {
		if (template_has_ctl(*p, strlen(*p), 0)) {
			rfail(r, HA_ERR_CONFIG, "a header holds a control character");
			goto out;
		}
		lines[n++] = *p;
	}
	lines[n++] = "Expect:";
	if (rq->hmac_secret) {
		ts = (long long)util_now();
		signed_url = request_url(rq->url);
		if (!signed_url) {
			rfail(r, HA_ERR_URL, NULL);
			goto out;
		}
		if (httpaction_sign(rq->hmac_secret, ts, rq->method, signed_url,
				    rq->body ? rq->body : "", rq->body ? rq->body_len : 0,
				    sig, sizeof(sig))) {
			rfail(r, HA_ERR_INTERNAL, NULL);
			goto out;
		}
		snprintf(ts_line, sizeof(ts_line), "X-Switchboard-Timestamp: %lld", ts);
		lines[n++] = ts_line;
		snprintf(sig_line, sizeof(sig_line), "X-Switchboard-Signature: %s", sig);
		lines[n++] = sig_line;
	}
	xq.method = rq->method;
	xq.url = signed_url ? signed_url : rq->url;
	xq.headers = lines;
	xq.body = rq->body;
	xq.body_len = rq->body ? rq->body_len : 0;
	xq.userpwd = rq->userpwd;
	xq.user_agent = HA_USER_AGENT;
	xq.timeout_ms = tmo;
	xq.max_response = cap;
	xq.truncate = rq->truncate;
	xq.guarded = 1;
	xq.guard = rq->guard;
	if (http_exec_once(&xq, &xr)) {
		/* the same classes httpaction_run reports */
		r->ok = 0;
		r->err = exec_error(xr.err, &xr, (int)((tmo + 999) / 1000), cap, r->message,
				    sizeof(r->message));
		goto out;
	}
	r->status = xr.status;
	snprintf(r->content_type, sizeof(r->content_type), "%s", xr.content_type);
	r->ok = 1;
	r->err = HA_OK;
	r->truncated = xr.truncated;
	snprintf(r->message, sizeof(r->message), "http status %ld", r->status);
out:
	r->latency_ms = ms_since(t0);
	r->body = buf_detach(&xr.body, &r->body_len);
	http_exec_res_release(&xr);
	free(lines);
	free(signed_url);
	sodium_memzero(sig, sizeof(sig));
	sodium_memzero(sig_line, sizeof(sig_line));
	return r->ok ? 0 : -1;
}

void ha_raw_result_release(struct ha_raw_result *r)
{
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
}
