/* ha_action.c - HTTP action definitions and their arguments (see ha_action.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/buf.h"
#include "outbound/ha_action.h"
#include "outbound/template.h"

/* ------------------------------------------------------------------ */
/* Methods                                                             */

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
/* Definition checks                                                   */

int ha_is_tchar(char c)
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
			if (!ha_is_tchar(h->name[k])) {
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

int ha_action_args(const struct ha_action *a, const json_t *args, json_t **out,
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

