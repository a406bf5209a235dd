/* template.c - {param} and {{system_var}} substitution (see template.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "outbound/template.h"

const char *const template_system_vars[] = {
	"customer_phone", "assistant_phone", "assistant_id", "assistant_name",
	"call_id", "current_date", "current_time", NULL
};

static int is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* length of the name at s, 0 when there is none (or it is too long) */
static size_t name_len(const char *s)
{
	size_t n = 0;
	if (!is_name_start(s[0]))
		return 0;
	while (is_name_char(s[n]))
		n++;
	return n <= TEMPLATE_NAME_MAX ? n : 0;
}

int template_has_ctl(const char *s, size_t n, int allow_tab)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !(allow_tab && c == '\t')) || c == 0x7f)
			return 1;
	}
	return 0;
}

int template_urlencode(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			   c == '_' || c == '~';
		if (keep) {
			if (buf_addch(out, (char)c))
				return -1;
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			if (buf_add(out, e, 3))
				return -1;
		}
	}
	return 0;
}

/* shortest "%g" text that reads back as the same double */
static int add_real(struct buf *out, double d)
{
	char tmp[40];
	if (!isfinite(d))
		return -1;
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	return buf_adds(out, tmp);
}

int template_scalar(const json_t *v, struct buf *out)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return buf_add(out, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case JSON_REAL:
		return add_real(out, json_real_value(v));
	case JSON_TRUE:
		return buf_adds(out, "true");
	case JSON_FALSE:
		return buf_adds(out, "false");
	case JSON_NULL:
		return 0;
	default:
		return -1;
	}
}

/* index of name in the declared list, -1 when undeclared */
static long declared(const struct template_ctx *ctx, const char *name)
{
	if (!ctx->names)
		return ctx->args && json_object_get(ctx->args, name) ? 0 : -1;
	for (size_t i = 0; i < ctx->nnames; i++)
		if (ctx->names[i] && !strcmp(ctx->names[i], name))
			return (long)i;
	return -1;
}

static int documented(const char *name)
{
	for (const char *const *v = template_system_vars; *v; v++)
		if (!strcmp(*v, name))
			return 1;
	return 0;
}

/* append one substituted value according to the mode */
static int add_value(const json_t *v, enum template_mode mode, const char *name,
		     int is_sys, struct buf *out, char *err, size_t errlen)
{
	struct buf tmp = BUF_INIT(out->limit);
	int rc = -1;

	if (!v || json_is_null(v))
		return 0;
	if (json_is_object(v) || json_is_array(v)) {
		snprintf(err, errlen, "%s '%s' is not a scalar value",
			 is_sys ? "system variable" : "placeholder", name);
		return -1;
	}
	if (template_scalar(v, &tmp)) {
		snprintf(err, errlen, "value of '%s' is too long", name);
		goto out;
	}
	if (template_has_ctl(tmp.ptr ? tmp.ptr : "", tmp.len, mode == TEMPLATE_TEXT)) {
		snprintf(err, errlen, "value of '%s' contains a control character", name);
		goto out;
	}
	if (mode == TEMPLATE_URL ? template_urlencode(out, buf_str(&tmp), tmp.len)
				 : buf_add(out, buf_str(&tmp), tmp.len)) {
		snprintf(err, errlen, "rendered text is too long");
		goto out;
	}
	rc = 0;
out:
	buf_release(&tmp);
	return rc;
}

static int render(const char *tpl, enum template_mode mode,
		  const struct template_ctx *ctx, struct buf *out,
		  char *err, size_t errlen)
{
	const char *p = tpl;
	char name[TEMPLATE_NAME_MAX + 1];

	while (*p) {
		size_t n;
		if (p[0] == '\\' && p[1] == '{') {
			if (buf_addch(out, '{'))
				goto toolong;
			p += 2;
			continue;
		}
		if (p[0] == '{' && p[1] == '{' && (n = name_len(p + 2)) &&
		    p[2 + n] == '}' && p[3 + n] == '}') {
			memcpy(name, p + 2, n);
			name[n] = '\0';
			const json_t *v = ctx->sys ? json_object_get(ctx->sys, name) : NULL;
			if (!v && !documented(name)) {
				snprintf(err, errlen, "unknown system variable '%s'", name);
				return -1;
			}
			if (add_value(v, mode, name, 1, out, err, errlen))
				return -1;
			p += n + 4;
			continue;
		}
		if (p[0] == '{' && (n = name_len(p + 1)) && p[1 + n] == '}') {
			memcpy(name, p + 1, n);
			name[n] = '\0';
			long i = declared(ctx, name);
			if (i < 0) {
				snprintf(err, errlen, "unknown placeholder '%s'", name);
				return -1;
			}
			if (ctx->used && ctx->names)
				ctx->used[i] = 1;
			if (add_value(ctx->args ? json_object_get(ctx->args, name) : NULL,
				      mode, name, 0, out, err, errlen))
				return -1;
			p += n + 2;
			continue;
		}
		if (buf_addch(out, *p++))
			goto toolong;
	}
	return 0;
toolong:
	snprintf(err, errlen, "rendered text is too long");
	return -1;
}

/* ---- dot segments in a rendered URL -------------------------------------------- */

/* [*a, *b): the path of URL text s (n bytes): after "scheme://authority"
 * when there is one, up to the query or fragment */
static void url_path(const char *s, size_t n, size_t *a, size_t *b)
{
	size_t i = 0, k = 0;

	while (k < n && s[k] != '/' && s[k] != '?' && s[k] != '#')
		k++;
	if (k + 1 < n && k > 0 && s[k - 1] == ':' && s[k] == '/' && s[k + 1] == '/')
		for (i = k + 2; i < n && s[i] != '/' && s[i] != '?' && s[i] != '#'; i++)
			;
	*a = i;
	while (i < n && s[i] != '?' && s[i] != '#')
		i++;
	*b = i;
}

/* is s (n bytes) "." or "..", a dot written as '.' or as %2e / %2E? */
static int is_dot_segment(const char *s, size_t n)
{
	size_t dots = 0;
	for (size_t i = 0; i < n; dots++) {
		if (s[i] == '.')
			i++;
		else if (i + 2 < n && s[i] == '%' && s[i + 1] == '2' && (s[i + 2] | 0x20) == 'e')
			i += 3;
		else
			return 0;
	}
	return dots == 1 || dots == 2;
}

/* the first placeholder's name in s (n bytes) into name, or "" */
static void first_name(const char *s, size_t n, char *name)
{
	name[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t k, o = s[i] == '{' && i + 1 < n && s[i + 1] == '{' ? 2 : 1;
		if (s[i] == '{' && (k = name_len(s + i + o)) && i + o + k <= n) {
			memcpy(name, s + i + o, k);
			name[k] = '\0';
			return;
		}
	}
}

/*
 * A placeholder's value must not make a whole path segment "." or ".."
 * (encoded or not): the server or libcurl would resolve it and the request
 * would reach another resource with the operator's credentials. Values are
 * percent-encoded, so they never add a '/', '?' or '#': the template's path
 * segments and the output's pair up one to one. A dot segment the operator
 * wrote literally renders unchanged and is the operator's choice.
 */
static int check_dot_segments(const char *tpl, const char *out, size_t n,
			      char *err, size_t errlen)
{
	size_t ta, tb, ra, rb, tl = strlen(tpl);
	char name[TEMPLATE_NAME_MAX + 1];

	url_path(tpl, tl, &ta, &tb);
	url_path(out, n, &ra, &rb);
	while (ra < rb) {
		size_t re = ra, te = ta;
		while (re < rb && out[re] != '/')
			re++;
		while (te < tb && tpl[te] != '/')
			te++;
		if (is_dot_segment(out + ra, re - ra) &&
		    (ta >= tb || te - ta != re - ra || memcmp(tpl + ta, out + ra, re - ra))) {
			first_name(ta < tb ? tpl + ta : "", ta < tb ? te - ta : 0, name);
			if (name[0])
				snprintf(err, errlen, "value of '%s' makes the path segment '%.*s'",
					 name, (int)(re - ra), out + ra);
			else
				snprintf(err, errlen, "a placeholder makes the path segment '%.*s'",
					 (int)(re - ra), out + ra);
			return -1;
		}
		ra = re < rb ? re + 1 : rb;
		ta = te < tb ? te + 1 : tb;
	}
	return 0;
}

int template_render(const char *tpl, enum template_mode mode,
		    const struct template_ctx *ctx, struct buf *out,
		    char *err, size_t errlen)
{
	size_t start = out->len;
	struct template_ctx none = { 0 };

	if (!ctx)
		ctx = &none;
	if (render(tpl, mode, ctx, out, err, errlen))
		goto fail;
	/* the operator's literal text too: a header line must stay one line
	 * (values were checked without TAB above; literal text may hold one) */
	if (mode == TEMPLATE_HEADER &&
	    template_has_ctl(out->ptr ? out->ptr + start : "", out->len - start, 1)) {
		snprintf(err, errlen, "header value contains a control character");
		goto fail;
	}
	if (mode == TEMPLATE_URL &&
	    check_dot_segments(tpl, out->ptr ? out->ptr + start : "", out->len - start,
			       err, errlen))
		goto fail;
	return 0;
fail:
	out->len = start;
	if (out->ptr)
		out->ptr[start] = '\0';
	return -1;
}

int template_check(const char *tpl, const char *const *names, size_t nnames,
		   char *err, size_t errlen)
{
	static const char *const none[1] = { NULL };
	struct template_ctx ctx = { NULL, NULL, names ? names : none, nnames, NULL };
	struct buf b = BUF_INIT(strlen(tpl) + 1);
	int rc = render(tpl, TEMPLATE_TEXT, &ctx, &b, err, errlen);
	buf_release(&b);
	return rc;
}
