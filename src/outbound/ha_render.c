/* ha_render.c - an HTTP action's request body and query (see ha_render.h). */
#include <string.h>
#include "outbound/ha_render.h"

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

int ha_render_body(const struct ha_action *a, json_t *v, const struct template_ctx *ctx,
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
			if (ha_render_body(a, x, ctx, vals, err, errlen))
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
			if (ha_render_body(a, x, ctx, vals, err, errlen))
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

int ha_render_query(struct buf *url, const struct ha_action *a, const json_t *vals,
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
