/* httpaction.c - the HTTP action executor on libcurl (see httpaction.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <curl/curl.h>
#include <sodium.h>
#include "base/jsonsafe.h"
#include "base/buf.h"
#include "outbound/httpaction.h"
#include "outbound/template.h"
#include "base/util.h"

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

static const char *const method_names[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };

const char *ha_method_name(enum ha_method m)
{
	return (unsigned)m < 5 ? method_names[m] : "GET";
}

int ha_method_parse(const char *s, enum ha_method *m)
{
	for (int i = 0; s && i < 5; i++)
		if (!strcasecmp(s, method_names[i])) {
			*m = (enum ha_method)i;
			return 0;
		}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Setup                                                               */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || sodium_init() < 0)
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

/* ------------------------------------------------------------------ */
/* Definition checks                                                   */

static int is_tchar(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int valid_param_name(const char *s)
{
	size_t n = 0;
	if (!s || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= '0' && s[n] <= '9') || s[n] == '_' || s[n] == '-'))
			return 0;
	return n <= TEMPLATE_NAME_MAX;
}

static const char *const reserved_headers[] = {
	"host", "content-length", "transfer-encoding", "connection",
	"x-switchboard-signature", "x-switchboard-timestamp", NULL
};

static int check_body_strings(const json_t *v, const char *const *names, size_t n,
			      char *err, size_t errlen, int depth)
{
	const char *key;
	json_t *x;
	size_t i;

	if (depth > 16) {
		snprintf(err, errlen, "static body is nested too deeply");
		return -1;
	}
	if (json_is_string(v))
		return template_check(json_string_value(v), names, n, err, errlen);
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, x)
			if (check_body_strings(x, names, n, err, errlen, depth + 1))
				return -1;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if (check_body_strings(x, names, n, err, errlen, depth + 1))
				return -1;
	}
	return 0;
}

int ha_action_check(const struct ha_action *a, char *err, size_t errlen)
{
	const char *names[HA_MAX_PARAMS];
	const char *u, *auth_end;
	char tmp[160];

	if (!a->url || !*a->url) {
		snprintf(err, errlen, "url is missing");
		return -1;
	}
	if (strlen(a->url) > HA_MAX_URL) {
		snprintf(err, errlen, "url is longer than %d bytes", HA_MAX_URL);
		return -1;
	}
	if (!strncasecmp(a->url, "https://", 8))
		u = a->url + 8;
	else if (!strncasecmp(a->url, "http://", 7))
		u = a->url + 7;
	else {
		snprintf(err, errlen, "url must start with 'http://' or 'https://'");
		return -1;
	}
	/* the host is the operator's choice, never the model's */
	auth_end = u + strcspn(u, "/?#");
	if (auth_end == u || memchr(u, '{', (size_t)(auth_end - u)) ||
	    memchr(u, '\\', (size_t)(auth_end - u))) {
		snprintf(err, errlen, "url host must be literal text");
		return -1;
	}
	if ((unsigned)a->method > HA_DELETE) {
		snprintf(err, errlen, "method is not valid");
		return -1;
	}
	if (a->timeout_s < HA_TIMEOUT_MIN || a->timeout_s > HA_TIMEOUT_MAX) {
		snprintf(err, errlen, "timeout must be %d to %d seconds",
			 HA_TIMEOUT_MIN, HA_TIMEOUT_MAX);
		return -1;
	}
	if (a->nparams > HA_MAX_PARAMS || a->nheaders > HA_MAX_HEADERS) {
		snprintf(err, errlen, "too many parameters or headers");
		return -1;
	}
	for (size_t i = 0; i < a->nparams; i++) {
		const struct ha_param *p = &a->params[i];
		if (!valid_param_name(p->name)) {
			snprintf(err, errlen, "parameter name '%.64s' is not valid",
				 p->name ? p->name : "");
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(names[j], p->name)) {
				snprintf(err, errlen, "parameter '%s' is declared twice", p->name);
				return -1;
			}
		if ((unsigned)p->type > HA_DROPDOWN) {
			snprintf(err, errlen, "parameter '%s' has no valid type", p->name);
			return -1;
		}
		if (p->type == HA_DROPDOWN) {
			if (!p->nvalues || !p->values) {
				snprintf(err, errlen, "dropdown '%s' has no values", p->name);
				return -1;
			}
			for (size_t k = 0; k < p->nvalues; k++)
				if (!p->values[k]) {
					snprintf(err, errlen, "dropdown '%s' has a null value", p->name);
					return -1;
				}
		}
		names[i] = p->name;
	}
	if (template_check(a->url, names, a->nparams, tmp, sizeof(tmp))) {
		snprintf(err, errlen, "url: %s", tmp);
		return -1;
	}
	for (size_t i = 0; i < a->nheaders; i++) {
		const struct ha_header *h = &a->headers[i];
		size_t n = h->name ? strlen(h->name) : 0;
		if (!n || n > 128 || !h->value) {
			snprintf(err, errlen, "header %zu has no valid name or value", i + 1);
			return -1;
		}
		for (size_t k = 0; k < n; k++)
			if (!is_tchar(h->name[k])) {
				snprintf(err, errlen, "header name '%.64s' is not valid", h->name);
				return -1;
			}
		for (const char *const *r = reserved_headers; *r; r++)
			if (!strcasecmp(*r, h->name)) {
				snprintf(err, errlen, "header '%s' cannot be set", h->name);
				return -1;
			}
		/* the value is never quoted back: it may be a secret. A TAB may
		 * stand in a field value (RFC 9110), no other control character */
		if (template_has_ctl(h->value, strlen(h->value), 1) ||
		    template_check(h->value, names, a->nparams, tmp, sizeof(tmp))) {
			snprintf(err, errlen, "header '%s' has an invalid value template", h->name);
			return -1;
		}
	}
	if (a->body && !json_is_object(a->body)) {
		snprintf(err, errlen, "static body must be an object");
		return -1;
	}
	if (a->body && check_body_strings(a->body, names, a->nparams, tmp, sizeof(tmp), 0)) {
		snprintf(err, errlen, "static body: %s", tmp);
		return -1;
	}
	for (size_t i = 0; i < a->nselect; i++)
		if (!a->select || !a->select[i] || (a->select[i][0] && a->select[i][0] != '/')) {
			snprintf(err, errlen, "response field %zu is not a json pointer", i + 1);
			return -1;
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Definitions from JSON                                               */

struct owned {
	struct ha_header *headers;
	struct ha_param *params;
	const char **values;   /* every dropdown's values, back to back */
	const char **select;
};

static const char *str_of(const json_t *o, const char *k1, const char *k2)
{
	const json_t *v = json_object_get(o, k1);
	if (!v && k2)
		v = json_object_get(o, k2);
	return json_string_value(v);
}

static const json_t *get_any(const json_t *o, const char *k1, const char *k2, const char *k3)
{
	const json_t *v = json_object_get(o, k1);
	if (!v && k2)
		v = json_object_get(o, k2);
	if (!v && k3)
		v = json_object_get(o, k3);
	return v;
}

void ha_action_release(struct ha_action *a)
{
	struct owned *ow = a->owned_;
	if (ow) {
		free(ow->headers);
		free(ow->params);
		free(ow->values);
		free(ow->select);
		free(ow);
	}
	memset(a, 0, sizeof(*a));
}

int ha_action_from_json(const json_t *def, struct ha_action *a, char *err, size_t errlen)
{
	const json_t *hs, *ps, *sel, *body, *tmo, *x;
	struct owned *ow;
	const char *m;
	size_t i, nvals = 0, vi = 0;

	memset(a, 0, sizeof(*a));
	if (!json_is_object(def)) {
		snprintf(err, errlen, "tool definition must be an object");
		return -1;
	}
	ow = calloc(1, sizeof(*ow));
	if (!ow)
		goto oom;
	a->owned_ = ow;
	a->url = str_of(def, "url", "endpoint");
	m = str_of(def, "method", NULL);
	a->method = HA_GET;
	if (m && ha_method_parse(m, &a->method)) {
		snprintf(err, errlen, "method '%.16s' is not one of GET, POST, PUT, PATCH, DELETE", m);
		goto fail;
	}
	tmo = json_object_get(def, "timeout");
	a->timeout_s = HA_TIMEOUT_DEFAULT;
	if (tmo && !json_is_null(tmo)) {
		if (!json_is_integer(tmo) || json_integer_value(tmo) < HA_TIMEOUT_MIN ||
		    json_integer_value(tmo) > HA_TIMEOUT_MAX) {
			snprintf(err, errlen, "timeout must be %d to %d seconds",
				 HA_TIMEOUT_MIN, HA_TIMEOUT_MAX);
			goto fail;
		}
		a->timeout_s = (int)json_integer_value(tmo);
	}

	hs = json_object_get(def, "headers");
	if (hs && !json_is_null(hs)) {
		if (!json_is_array(hs) || json_array_size(hs) > HA_MAX_HEADERS) {
			snprintf(err, errlen, "headers must be an array of at most %d", HA_MAX_HEADERS);
			goto fail;
		}
		ow->headers = calloc(json_array_size(hs) + 1, sizeof(*ow->headers));
		if (!ow->headers)
			goto oom;
		json_array_foreach(hs, i, x) {
			ow->headers[i].name = str_of(x, "name", NULL);
			ow->headers[i].value = str_of(x, "value", NULL);
		}
		a->headers = ow->headers;
		a->nheaders = json_array_size(hs);
	}

	ps = get_any(def, "params", "schema", "variables");
	if (ps && !json_is_null(ps)) {
		if (!json_is_array(ps) || json_array_size(ps) > HA_MAX_PARAMS) {
			snprintf(err, errlen, "params must be an array of at most %d", HA_MAX_PARAMS);
			goto fail;
		}
		json_array_foreach(ps, i, x) {
			const json_t *vs = get_any(x, "values", "enum", "options");
			nvals += json_array_size(vs);
		}
		ow->params = calloc(json_array_size(ps) + 1, sizeof(*ow->params));
		ow->values = calloc(nvals + 1, sizeof(*ow->values));
		if (!ow->params || !ow->values)
			goto oom;
		json_array_foreach(ps, i, x) {
			struct ha_param *p = &ow->params[i];
			const char *t = str_of(x, "type", NULL);
			const json_t *vs = get_any(x, "values", "enum", "options"), *v;
			size_t k;
			p->name = str_of(x, "name", NULL);
			p->required = json_is_true(json_object_get(x, "required"));
			if (!t || !strcmp(t, "text") || !strcmp(t, "string"))
				p->type = HA_TEXT;
			else if (!strcmp(t, "number") || !strcmp(t, "integer"))
				p->type = HA_NUMBER;
			else if (!strcmp(t, "boolean"))
				p->type = HA_BOOLEAN;
			else if (!strcmp(t, "dropdown") || !strcmp(t, "enum"))
				p->type = HA_DROPDOWN;
			else {
				snprintf(err, errlen, "parameter '%.64s' has unknown type '%.16s'",
					 p->name ? p->name : "", t);
				goto fail;
			}
			if (p->type == HA_DROPDOWN) {
				p->values = ow->values + vi;
				json_array_foreach(vs, k, v)
					ow->values[vi++] = json_string_value(v);
				p->nvalues = json_array_size(vs);
			}
		}
		a->params = ow->params;
		a->nparams = json_array_size(ps);
	}

	body = get_any(def, "body", "static_body", "static_fields");
	if (body && !json_is_null(body))
		a->body = body;

	sel = get_any(def, "select", "response_fields", NULL);
	if (sel && !json_is_null(sel)) {
		if (!json_is_array(sel) || json_array_size(sel) > 32) {
			snprintf(err, errlen, "response fields must be an array of at most 32");
			goto fail;
		}
		ow->select = calloc(json_array_size(sel) + 1, sizeof(*ow->select));
		if (!ow->select)
			goto oom;
		json_array_foreach(sel, i, x)
			ow->select[i] = json_string_value(x);
		a->select = ow->select;
		a->nselect = json_array_size(sel);
	}
	if (ha_action_check(a, err, errlen))
		goto fail;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	ha_action_release(a);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Arguments                                                           */

/* Validate args against the params; *out gets the declared, coerced values. */
static int check_args(const struct ha_action *a, const json_t *args, json_t **out,
		      char *err, size_t errlen)
{
	json_t *vals = json_object();

	*out = NULL;
	if (!vals)
		goto oom;
	if (args && !json_is_object(args) && !json_is_null(args)) {
		snprintf(err, errlen, "arguments must be an object");
		goto fail;
	}
	for (size_t i = 0; i < a->nparams; i++) {
		const struct ha_param *p = &a->params[i];
		json_t *v = args ? json_object_get(args, p->name) : NULL, *nv = NULL;

		if (!v || json_is_null(v) ||
		    (json_is_string(v) && !json_string_length(v))) {
			if (p->required) {
				snprintf(err, errlen, "missing required argument '%s'", p->name);
				goto fail;
			}
			continue;
		}
		if (json_is_object(v) || json_is_array(v)) {
			snprintf(err, errlen, "argument '%s' must be a single value", p->name);
			goto fail;
		}
		if (json_is_string(v) && json_string_length(v) > HA_MAX_ARG) {
			snprintf(err, errlen, "argument '%s' is longer than %d bytes",
				 p->name, HA_MAX_ARG);
			goto fail;
		}
		switch (p->type) {
		case HA_TEXT:
			if (json_is_string(v)) {
				nv = json_incref(v);
			} else {
				struct buf t = BUF_INIT(64);
				if (template_scalar(v, &t) == 0)
					nv = json_stringn(buf_str(&t), t.len);
				buf_release(&t);
			}
			break;
		case HA_NUMBER:
			if (json_is_number(v) && isfinite(json_number_value(v))) {
				nv = json_incref(v);
			} else if (json_is_string(v)) {
				const char *s = json_string_value(v);
				char *end;
				errno = 0;
				long long ll = strtoll(s, &end, 10);
				if (*s && !*end && !errno && !isspace((unsigned char)s[0])) {
					nv = json_integer(ll);
				} else {
					double d = strtod(s, &end);
					if (*s && !*end && !isspace((unsigned char)s[0]) && isfinite(d) &&
					    !strpbrk(s, "xXnN"))   /* no hex, inf or nan */
						nv = json_real(d);
				}
			}
			if (!nv) {
				snprintf(err, errlen, "argument '%s' must be a number", p->name);
				goto fail;
			}
			break;
		case HA_BOOLEAN:
			if (json_is_boolean(v))
				nv = json_incref(v);
			else if (json_is_string(v) && !strcasecmp(json_string_value(v), "true"))
				nv = json_true();
			else if (json_is_string(v) && !strcasecmp(json_string_value(v), "false"))
				nv = json_false();
			if (!nv) {
				snprintf(err, errlen, "argument '%s' must be true or false", p->name);
				goto fail;
			}
			break;
		case HA_DROPDOWN:
			if (json_is_string(v))
				for (size_t k = 0; k < p->nvalues; k++)
					if (!strcasecmp(p->values[k], json_string_value(v))) {
						nv = json_string(p->values[k]);
						break;
					}
			if (!nv) {
				struct buf m = BUF_INIT(errlen > 1 ? errlen - 1 : 0);
				buf_printf(&m, "argument '%s' must be one of:", p->name);
				for (size_t k = 0; k < p->nvalues; k++)
					if (buf_printf(&m, "%s %s", k ? "," : "", p->values[k]))
						break;
				snprintf(err, errlen, "%s", buf_str(&m));
				buf_release(&m);
				goto fail;
			}
			break;
		}
		if (!nv || json_object_set_new(vals, p->name, nv))
			goto oom;
	}
	*out = vals;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	json_decref(vals);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Request building                                                    */

/* the parameter a string names when it is exactly "{name}", else NULL */
static const struct ha_param *whole_param(const struct ha_action *a, const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || s[0] != '{' || s[1] == '{' || s[n - 1] != '}')
		return NULL;
	for (size_t i = 0; i < a->nparams; i++) {
		size_t k = strlen(a->params[i].name);
		if (k == n - 2 && !memcmp(s + 1, a->params[i].name, k))
			return &a->params[i];
	}
	return NULL;
}

/* Template every string inside v (a deep copy we own); a string that is
 * exactly one parameter takes its typed value. */
static int render_body(const struct ha_action *a, json_t *v, const struct template_ctx *ctx,
		       const json_t *vals, char *err, size_t errlen)
{
	const char *key;
	json_t *x;
	size_t i;
	void *tmp;

	if (json_is_object(v)) {
		json_object_foreach_safe(v, tmp, key, x) {
			const struct ha_param *p;
			if (json_is_string(x) && (p = whole_param(a, json_string_value(x)))) {
				json_t *pv = json_object_get(vals, p->name);
				if (json_object_set_new(v, key, pv ? json_incref(pv) : json_null()))
					return -1;
				continue;
			}
			if (render_body(a, x, ctx, vals, err, errlen))
				return -1;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			const struct ha_param *p;
			if (json_is_string(x) && (p = whole_param(a, json_string_value(x)))) {
				json_t *pv = json_object_get(vals, p->name);
				if (json_array_set_new(v, i, pv ? json_incref(pv) : json_null()))
					return -1;
				continue;
			}
			if (render_body(a, x, ctx, vals, err, errlen))
				return -1;
		}
	} else if (json_is_string(v)) {
		struct buf b = BUF_INIT(HA_MAX_REQUEST);
		int rc = template_render(json_string_value(v), TEMPLATE_TEXT, ctx, &b, err, errlen);
		if (!rc)
			rc = json_string_setn(v, buf_str(&b), b.len);
		buf_release(&b);
		return rc;
	}
	return 0;
}

/* the query string of the parameters the URL did not use */
static int add_query(struct buf *url, const struct ha_action *a, const json_t *vals,
		     const unsigned char *used)
{
	char *hash = memchr(url->ptr ? url->ptr : "", '#', url->len);
	int first = 1;

	if (hash) {   /* a fragment is never sent; the query goes before it */
		url->len = (size_t)(hash - url->ptr);
		url->ptr[url->len] = '\0';
	}
	for (size_t i = 0; i < a->nparams; i++) {
		const json_t *v = json_object_get(vals, a->params[i].name);
		if (used[i] || !v)
			continue;
		if (first) {
			const char *q = memchr(buf_str(url), '?', url->len);
			char last = url->len ? url->ptr[url->len - 1] : 0;
			if (!q && buf_addch(url, '?'))
				return -1;
			if (q && last != '?' && last != '&' && buf_addch(url, '&'))
				return -1;
			first = 0;
		} else if (buf_addch(url, '&')) {
			return -1;
		}
		struct buf t = BUF_INIT(HA_MAX_ARG + 64);
		int rc = template_urlencode(url, a->params[i].name, strlen(a->params[i].name)) ||
			 buf_addch(url, '=') || template_scalar(v, &t) ||
			 template_urlencode(url, buf_str(&t), t.len);
		buf_release(&t);
		if (rc)
			return -1;
	}
	return 0;
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

/* ------------------------------------------------------------------ */
/* Transfers                                                           */

struct xfer {
	const struct netguard *guard;
	struct buf body;          /* the response, capped */
	int too_large;
	int blocked;
	enum netguard_class blocked_class;
};

static size_t on_write(char *data, size_t size, size_t n, void *p)
{
	struct xfer *x = p;
	if (buf_add(&x->body, data, size * n)) {
		x->too_large = 1;
		return 0;   /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	return size * n;
}

/* Every connection libcurl makes goes through here, after DNS resolution. */
static curl_socket_t on_open(void *p, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct xfer *x = p;
	struct sockaddr_storage ss;
	size_t n = addr->addrlen;

	memset(&ss, 0, sizeof(ss));
	if (purpose != CURLSOCKTYPE_IPCXN || n > sizeof(ss) ||
	    (addr->family == AF_INET && n < sizeof(struct sockaddr_in)) ||
	    (addr->family == AF_INET6 && n < sizeof(struct sockaddr_in6))) {
		x->blocked = 1;
		x->blocked_class = NG_UNKNOWN;
		return CURL_SOCKET_BAD;
	}
	memcpy(&ss, &addr->addr, n);
	if (!netguard_allowed((const struct sockaddr *)&ss, x->guard)) {
		x->blocked = 1;
		x->blocked_class = netguard_classify((const struct sockaddr *)&ss);
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

struct hop {
	const char *url;
	enum ha_method method;
	int send_body;
	const char *body;
	size_t body_len;
	struct curl_slist *headers;
	long timeout_ms;
	const struct ha_options *o;
};

static CURLcode perform(CURL *h, const struct hop *hp, struct xfer *x)
{
	CURLcode rc = CURLE_OK;

	curl_easy_reset(h);   /* keeps the connection cache */
	buf_reset(&x->body);
	x->too_large = 0;
	x->blocked = 0;
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_URL, hp->url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROXY, "");              /* ignore *_proxy from the environment */
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_USERAGENT, hp->o->user_agent ? hp->o->user_agent : HA_USER_AGENT);
	SET(CURLOPT_HTTPHEADER, hp->headers);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_OPENSOCKETFUNCTION, on_open);
	SET(CURLOPT_OPENSOCKETDATA, x);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)hp->o->max_response);
	SET(CURLOPT_TIMEOUT_MS, hp->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, hp->timeout_ms);
	switch (hp->method) {
	case HA_GET:
		SET(CURLOPT_HTTPGET, 1L);
		break;
	case HA_POST:
		break;
	default:
		SET(CURLOPT_CUSTOMREQUEST, ha_method_name(hp->method));
		break;
	}
	if (hp->send_body) {
		SET(CURLOPT_POSTFIELDS, hp->body);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)hp->body_len);
	}
#undef SET
	if (rc != CURLE_OK)
		return rc;
	return curl_easy_perform(h);
}

static int retryable(CURLcode c, const struct xfer *x)
{
	if (x->blocked)
		return 0;
	return c == CURLE_COULDNT_CONNECT || c == CURLE_GOT_NOTHING ||
	       c == CURLE_SEND_ERROR || c == CURLE_RECV_ERROR;
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

static void classify_curl(struct ha_result *r, CURLcode c, const struct xfer *x,
			  const struct ha_action *a, const struct ha_options *o)
{
	switch (c) {
	case CURLE_OPERATION_TIMEDOUT:
		fail(r, HA_ERR_TIMEOUT, "the service did not answer within %d s", a->timeout_s);
		return;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (x->too_large || c == CURLE_FILESIZE_EXCEEDED) {
			fail(r, HA_ERR_TOO_LARGE, "the response is larger than %zu bytes",
			     o->max_response);
			return;
		}
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		fail(r, HA_ERR_CONNECT, "could not resolve the service's host name");
		return;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		fail(r, HA_ERR_URL, NULL);
		return;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		fail(r, HA_ERR_TLS, NULL);
		return;
	default:
		break;
	}
	if (x->blocked) {
		fail(r, HA_ERR_BLOCKED, "the destination address is not allowed (%s)",
		     netguard_class_name(x->blocked_class));
		return;
	}
	fail(r, HA_ERR_CONNECT, NULL);
}

/* ------------------------------------------------------------------ */
/* Response shaping                                                    */

/* length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t k;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) { k = 2; cp = s[0] & 0x1f; }
	else if ((s[0] & 0xf0) == 0xe0) { k = 3; cp = s[0] & 0x0f; }
	else if ((s[0] & 0xf8) == 0xf0) { k = 4; cp = s[0] & 0x07; }
	else return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* text safe for a JSON string and a model: valid UTF-8, no stray controls */
static int add_clean_text(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t k = utf8_len(p + i, n - i);
		int bad = !k || (k == 1 && ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
					     p[i] != '\r') || p[i] == 0x7f));
		if (bad ? buf_addch(out, '?') : buf_add(out, s + i, k))
			return -1;
		i += k ? k : 1;
	}
	return 0;
}

/* Cut text (valid UTF-8) to cap bytes, marker included, at a character
 * boundary. */
static void cap_text(struct buf *t, size_t cap, int *truncated)
{
	size_t mlen = strlen(HA_TRUNCATED), keep;
	if (t->len <= cap)
		return;
	keep = cap > mlen ? cap - mlen : 0;
	while (keep > 0 && ((unsigned char)t->ptr[keep] & 0xc0) == 0x80)
		keep--;
	t->len = keep;
	t->ptr[keep] = '\0';
	if (cap > mlen)
		buf_adds(t, HA_TRUNCATED);
	*truncated = 1;
}

/* RFC 6901 pointer lookup; NULL when absent */
static json_t *pointer_get(json_t *doc, const char *ptr)
{
	json_t *cur = doc;
	char tok[256];

	while (*ptr && cur) {
		size_t n = 0;
		if (*ptr != '/')
			return NULL;
		ptr++;
		while (*ptr && *ptr != '/') {
			char c = *ptr++;
			if (c == '~' && (*ptr == '0' || *ptr == '1'))
				c = *ptr++ == '0' ? '~' : '/';
			if (n + 1 >= sizeof(tok))
				return NULL;
			tok[n++] = c;
		}
		tok[n] = '\0';
		if (json_is_object(cur)) {
			cur = json_object_get(cur, tok);
		} else if (json_is_array(cur)) {
			char *end;
			if (!n || (tok[0] == '0' && n > 1) || tok[0] < '0' || tok[0] > '9')
				return NULL;
			unsigned long idx = strtoul(tok, &end, 10);
			cur = *end ? NULL : json_array_get(cur, idx);
		} else {
			return NULL;
		}
	}
	return cur;
}

/* r->result from the response body, at most cap bytes */
static int shape(struct ha_result *r, const struct ha_action *a, const struct buf *body,
		 size_t cap, int select, json_t **parsed)
{
	/* re-serialised JSON can outgrow its source ("1e-9" has 22 digits) */
	struct buf out = BUF_INIT(body->len * 8 + 4096);
	json_t *doc = NULL;
	char *txt = NULL;
	int rc = -1;

	*parsed = NULL;
	if (body->len)
		doc = jsonsafe_loadb(body->ptr, body->len, JSON_DECODE_ANY, NULL, NULL);
	if (doc && select && a->nselect) {
		json_t *sel = json_object();
		if (!sel)
			goto out;
		for (size_t i = 0; i < a->nselect; i++) {
			json_t *v = pointer_get(doc, a->select[i]);
			const char *key = a->select[i][0] == '/' ? a->select[i] + 1 : a->select[i];
			if (json_object_set_new(sel, *key ? key : "/", v ? json_incref(v) : json_null()))
				break;
		}
		json_decref(doc);
		doc = sel;
	}
	if (doc) {
		txt = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(16));
		if (!txt || buf_adds(&out, txt))
			goto out;
		r->result_is_json = 1;
	} else if (add_clean_text(&out, buf_str(body), body->len)) {
		goto out;
	}
	if (out.len > cap) {
		cap_text(&out, cap, &r->truncated);
		r->result_is_json = 0;
	}
	r->result = buf_detach(&out, &r->result_len);
	*parsed = doc;
	doc = NULL;
	rc = 0;
out:
	free(txt);
	json_decref(doc);
	buf_release(&out);
	return rc;
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

static struct curl_slist *add_header(struct curl_slist *l, const char *line, int *oom)
{
	struct curl_slist *n = curl_slist_append(l, line);
	if (!n) {
		*oom = 1;
		return l;
	}
	return n;
}

/* Header list for one hop: the operator's (rendered) unless dropped, then
 * ours. Rendered header lines live in hdrs (one NUL-separated block). */
static int has_header(const struct ha_action *a, const char *name)
{
	for (size_t i = 0; i < a->nheaders; i++)
		if (!strcasecmp(a->headers[i].name, name))
			return 1;
	return 0;
}

static struct curl_slist *build_headers(const struct ha_action *a, const struct buf *hdrs,
					int with_ops, int json_body, const char *sig,
					long long ts, int *oom)
{
	struct curl_slist *l = NULL;
	char line[160];
	const char *p = buf_str(hdrs);

	for (size_t i = 0; i < a->nheaders; i++) {
		if (with_ops)
			l = add_header(l, p, oom);
		p += strlen(p) + 1;
	}
	/* ours unless the operator set the same header (no duplicates) */
	if (!with_ops || !has_header(a, "Accept"))
		l = add_header(l, "Accept: application/json, text/plain;q=0.9, */*;q=0.5", oom);
	l = add_header(l, "Expect:", oom);
	if (json_body && (!with_ops || !has_header(a, "Content-Type")))
		l = add_header(l, "Content-Type: application/json", oom);
	if (sig) {
		snprintf(line, sizeof(line), "X-Switchboard-Timestamp: %lld", ts);
		l = add_header(l, line, oom);
		snprintf(line, sizeof(line), "X-Switchboard-Signature: %s", sig);
		l = add_header(l, line, oom);
	}
	return l;
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
	struct xfer x = { 0 };
	json_t *vals = NULL, *body = NULL, *parsed = NULL;
	char *body_txt = NULL, *cur_url = NULL;
	struct curl_slist *hl = NULL;
	char err[200], origin0[512] = "", origin1[512];
	char sig[128];
	long long ts = 0;
	CURL *h = NULL;
	int oom = 0, same_origin = 1, json_body;
	enum ha_method method;
	CURLcode cc = CURLE_OK;
	struct template_ctx ctx = { NULL, sys, names, 0, used };

	memset(r, 0, sizeof(*r));
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
	buf_init(&x.body, o->max_response);
	x.guard = o->guard;
	if (httpaction_global_init()) {
		fail(r, HA_ERR_INTERNAL, NULL);
		goto out;
	}
	if (ha_action_check(a, err, sizeof(err))) {
		fail(r, HA_ERR_CONFIG, "the tool is misconfigured: %s", err);
		goto out;
	}
	deadline = t0 + a->timeout_s;
	if (check_args(a, args, &vals, err, sizeof(err))) {
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
		if (add_query(&url, a, vals, used)) {
			fail(r, HA_ERR_TEMPLATE, "the url is longer than %d bytes", HA_MAX_URL * 3);
			goto out;
		}
	} else {
		body = a->body ? json_deep_copy(a->body) : json_object();
		if (!body) {
			fail(r, HA_ERR_INTERNAL, NULL);
			goto out;
		}
		if (render_body(a, body, &ctx, vals, err, sizeof(err))) {
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
	h = curl_easy_init();
	cur_url = request_url(buf_str(&url));
	if (!h || !cur_url || origin_of(cur_url, origin0, sizeof(origin0))) {
		fail(r, h ? HA_ERR_URL : HA_ERR_INTERNAL, NULL);
		goto out;
	}

	for (;;) {
		struct hop hp = { cur_url, method, json_body, body_txt,
				  body_txt ? strlen(body_txt) : 0, NULL, 0, o };
		long status = 0;
		char *loc = NULL;

		/* signed per hop (each has its own URL, and a 303 drops the
		 * body), and only on the first origin: the signature vouches
		 * for the operator's request to the operator's service */
		int signing = o->hmac_secret && same_origin;
		if (signing &&
		    httpaction_sign(o->hmac_secret, ts, ha_method_name(method), cur_url,
				    json_body ? body_txt : "", json_body ? hp.body_len : 0,
				    sig, sizeof(sig))) {
			fail(r, HA_ERR_INTERNAL, NULL);
			goto out;
		}

		hl = build_headers(a, &hdrs, same_origin, json_body, signing ? sig : NULL, ts, &oom);
		if (oom) {
			fail(r, HA_ERR_INTERNAL, NULL);
			goto out;
		}
		hp.headers = hl;
		for (int attempt = 0;; attempt++) {
			double left = deadline - util_mono();
			if (left <= 0.0005) {
				cc = CURLE_OPERATION_TIMEDOUT;
				break;
			}
			hp.timeout_ms = (long)(left * 1000.0);
			if (hp.timeout_ms < 1)
				hp.timeout_ms = 1;
			r->attempts++;
			cc = perform(h, &hp, &x);
			if (cc == CURLE_OK || attempt > 0 || !retryable(cc, &x) ||
			    method == HA_POST || method == HA_PATCH)
				break;
		}
		curl_slist_free_all(hl);
		hl = NULL;
		if (cc != CURLE_OK) {
			classify_curl(r, cc, &x, a, o);
			goto out;
		}
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		r->status = status;
		if (status < 300 || status >= 400 ||
		    (status != 301 && status != 302 && status != 303 && status != 307 &&
		     status != 308) ||
		    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || !loc)
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
		char *next = request_url(loc);   /* loc belongs to the handle */
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
	{
		char *ct = NULL;
		curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
		if (ct) {
			struct buf c = BUF_INIT(sizeof(r->content_type) - 1);
			for (const char *p = ct; *p && c.len < c.limit; p++)
				buf_addch(&c, (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p);
			snprintf(r->content_type, sizeof(r->content_type), "%s", buf_str(&c));
			buf_release(&c);
		}
	}
	r->bytes = x.body.len;
	if (r->status < 200 || r->status >= 300) {
		size_t cap = o->max_result < HA_ERROR_SUMMARY ? o->max_result : HA_ERROR_SUMMARY;
		if (shape(r, a, &x.body, cap, 0, &parsed)) {
			fail(r, HA_ERR_INTERNAL, NULL);
			goto out;
		}
		fail(r, HA_ERR_HTTP, "the service answered with http status %ld", r->status);
		goto out;
	}
	if (shape(r, a, &x.body, o->max_result, 1, &parsed)) {
		fail(r, HA_ERR_INTERNAL, NULL);
		goto out;
	}
	if (o->require_json && r->status != 204) {
		if (!x.body.len) {
			fail(r, HA_ERR_EMPTY, NULL);
			goto out;
		}
		if (!parsed) {
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
	curl_slist_free_all(hl);
	if (h)
		curl_easy_cleanup(h);
	free(cur_url);
	json_decref(parsed);
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
	buf_release(&x.body);
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

struct rawx {
	struct xfer x;
	int truncate;
	int truncated;
};

static size_t on_write_raw(char *data, size_t size, size_t n, void *p)
{
	struct rawx *rx = p;
	size_t len = size * n, room = rx->x.body.limit - rx->x.body.len;

	if (len <= room)
		return buf_add(&rx->x.body, data, len) ? 0 : len;
	if (!rx->truncate) {
		rx->x.too_large = 1;
		return 0;
	}
	if (room && buf_add(&rx->x.body, data, room))
		return 0;
	rx->truncated = 1;
	return len;   /* the rest is read and dropped */
}

static int valid_token(const char *s)
{
	if (!s || !*s || strlen(s) > 32)
		return 0;
	for (; *s; s++)
		if (!is_tchar(*s))
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
	struct rawx rx;
	struct curl_slist *hl = NULL;
	CURL *h = NULL;
	CURLcode cc = CURLE_OK;
	double t0 = util_mono();
	size_t cap = rq->max_response ? rq->max_response : HA_MAX_RESPONSE_DEFAULT;
	long tmo = rq->timeout_ms < 1 ? 1 : rq->timeout_ms > 60000 ? 60000 : rq->timeout_ms;
	char sig[128], line[192], msg[256];
	char *signed_url = NULL;   /* signed, so sent as is */
	int oom = 0;
	long long ts;

	memset(r, 0, sizeof(*r));
	memset(&rx, 0, sizeof(rx));
	buf_init(&rx.x.body, cap);
	rx.x.guard = rq->guard;
	rx.truncate = rq->truncate;
	if (httpaction_global_init()) {
		rfail(r, HA_ERR_INTERNAL, NULL);
		goto out;
	}
	if (!valid_token(rq->method) || !rq->url || strlen(rq->url) > HA_MAX_URL ||
	    (strncasecmp(rq->url, "http://", 7) && strncasecmp(rq->url, "https://", 8))) {
		rfail(r, HA_ERR_URL, NULL);
		goto out;
	}
	for (const char *const *p = rq->headers; p && *p; p++) {
		if (template_has_ctl(*p, strlen(*p), 0)) {
			rfail(r, HA_ERR_CONFIG, "a header holds a control character");
			goto out;
		}
		hl = add_header(hl, *p, &oom);
	}
	hl = add_header(hl, "Expect:", &oom);
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
		snprintf(line, sizeof(line), "X-Switchboard-Timestamp: %lld", ts);
		hl = add_header(hl, line, &oom);
		snprintf(line, sizeof(line), "X-Switchboard-Signature: %s", sig);
		hl = add_header(hl, line, &oom);
	}
	h = curl_easy_init();
	if (oom || !h) {
		rfail(r, HA_ERR_INTERNAL, NULL);
		goto out;
	}
#define SET(opt, val) do { if (cc == CURLE_OK) cc = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_URL, signed_url ? signed_url : rq->url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_USERAGENT, HA_USER_AGENT);
	SET(CURLOPT_HTTPHEADER, hl);
	SET(CURLOPT_WRITEFUNCTION, on_write_raw);
	SET(CURLOPT_WRITEDATA, &rx);
	SET(CURLOPT_OPENSOCKETFUNCTION, on_open);
	SET(CURLOPT_OPENSOCKETDATA, &rx.x);
	SET(CURLOPT_TIMEOUT_MS, tmo);
	SET(CURLOPT_CONNECTTIMEOUT_MS, tmo);
	if (!rq->truncate)
		SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cap);
	if (rq->userpwd) {
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		SET(CURLOPT_USERPWD, rq->userpwd);
	}
	if (!strcmp(rq->method, "GET"))
		SET(CURLOPT_HTTPGET, 1L);
	else if (strcmp(rq->method, "POST"))
		SET(CURLOPT_CUSTOMREQUEST, rq->method);
	if (rq->body) {
		SET(CURLOPT_POSTFIELDS, rq->body);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	}
#undef SET
	if (cc == CURLE_OK)
		cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		/* the same classes httpaction_run reports */
		struct ha_result tmp;
		struct ha_action a;
		struct ha_options o;
		memset(&tmp, 0, sizeof(tmp));
		memset(&a, 0, sizeof(a));
		ha_options_init(&o);
		o.max_response = cap;
		a.timeout_s = (int)((tmo + 999) / 1000);
		classify_curl(&tmp, cc, &rx.x, &a, &o);
		snprintf(msg, sizeof(msg), "%s", tmp.message);
		rfail(r, tmp.err, msg);
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	{
		char *ct = NULL;
		curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
		for (size_t i = 0; ct && ct[i] && i + 1 < sizeof(r->content_type); i++)
			r->content_type[i] = (unsigned char)ct[i] < 0x20 || ct[i] == 0x7f ? '?' : ct[i];
	}
	r->ok = 1;
	r->err = HA_OK;
	r->truncated = rx.truncated;
	snprintf(r->message, sizeof(r->message), "http status %ld", r->status);
out:
	r->latency_ms = ms_since(t0);
	r->body = buf_detach(&rx.x.body, &r->body_len);
	curl_slist_free_all(hl);
	if (h)
		curl_easy_cleanup(h);
	free(signed_url);
	sodium_memzero(sig, sizeof(sig));
	return r->ok ? 0 : -1;
}

void ha_raw_result_release(struct ha_raw_result *r)
{
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
}
