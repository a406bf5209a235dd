/*
 * template.h - placeholder substitution for mid-call HTTP actions.
 *
 * A template is operator-written text (a URL, a header value, a string inside
 * a static JSON body field) with two kinds of placeholders:
 *
 *   {name}      a parameter: the model's argument of that name
 *   {{name}}    a system variable: customer_phone, assistant_phone,
 *               assistant_id, assistant_name, call_id, current_date,
 *               current_time (the caller supplies them already formatted)
 *
 * Grammar. A name is [A-Za-z_][A-Za-z0-9_-]* (at most 64 bytes). Only the
 * exact forms above are placeholders; any other brace is literal text, so
 * `{"a": 1}` or `{ x }` pass through untouched. `\{` writes a literal `{`
 * (the backslash is consumed), which is how a literal `{name}` is written;
 * every other backslash is literal. `{{name}` is a literal `{` followed by
 * the parameter `{name}`.
 *
 * Resolution. `{x}` where x is a declared parameter renders its value, or ""
 * when the (optional) argument is absent or null; an undeclared x is the
 * error "unknown placeholder 'x'". `{{x}}` renders the system variable; a
 * documented name missing from the variables object renders ""; a name that
 * is neither documented nor present is "unknown system variable 'x'".
 * Strings render raw, numbers and booleans as their JSON text; objects and
 * arrays are refused.
 *
 * Modes say what a substituted value may contain and how it is written:
 *   TEMPLATE_URL     percent-encoded outside the RFC 3986 unreserved set
 *                    (ALPHA DIGIT - . _ ~), in the path and query alike, so a
 *                    value can never add a path segment, a query separator or
 *                    a fragment; control characters are refused anyway.
 *                    A path segment that a placeholder makes "." or ".."
 *                    (also written %2e / %2E, e.g. "%2e{x}" with x = ".")
 *                    is refused: resolved, it would reach another resource
 *                    with the operator's credentials. Dot segments written
 *                    literally by the operator are left alone.
 *   TEMPLATE_HEADER  raw; any control character (CR, LF, NUL, DEL, TAB, ...)
 *                    in a value is refused, and the whole rendered line is
 *                    checked again so an operator template cannot smuggle
 *                    one either (the operator's literal text may hold a TAB,
 *                    which a field value may contain: RFC 9110)
 *   TEMPLATE_TEXT    raw; control characters except TAB are refused (used for
 *                    string values inside JSON bodies, which the caller then
 *                    JSON-encodes)
 * Literal template text is never encoded: the operator owns it.
 *
 * Output is appended to a caller's struct buf, whose limit bounds it; on any
 * error the buffer is left as it was and a lowercase message goes to err.
 * Nothing here keeps state: every function is thread-safe.
 */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stddef.h>
#include <jansson.h>
#include "base/buf.h"

enum template_mode { TEMPLATE_URL, TEMPLATE_HEADER, TEMPLATE_TEXT };

#define TEMPLATE_NAME_MAX 64

/* The documented system variables, NULL-terminated. */
extern const char *const template_system_vars[];

struct template_ctx {
	const json_t *args;        /* the model's arguments (object) or NULL */
	const json_t *sys;         /* system variables (object) or NULL */
	const char *const *names;  /* declared parameter names ... */
	size_t nnames;             /* ... and their count; names == NULL means
	                              "every key present in args" */
	unsigned char *used;       /* optional, nnames flags: set to 1 for each
	                              declared parameter the template references */
};

/* Render tpl into out (appending). 0 on success; -1 with err filled. */
int template_render(const char *tpl, enum template_mode mode,
		    const struct template_ctx *ctx, struct buf *out,
		    char *err, size_t errlen);

/* Check a template's syntax and names without values (definition time):
 * every `{x}` must be declared, every `{{x}}` documented. */
int template_check(const char *tpl, const char *const *names, size_t nnames,
		   char *err, size_t errlen);

/* Helpers shared with the HTTP executor */
/* percent-encode n bytes of s (RFC 3986 unreserved kept) */
int template_urlencode(struct buf *out, const char *s, size_t n);
/* a scalar as text: string raw, number/boolean as JSON text, null as "";
 * -1 for objects and arrays (or when out is full) */
int template_scalar(const json_t *v, struct buf *out);
/* 1 when s (n bytes) has a control character; TAB passes if allow_tab */
int template_has_ctl(const char *s, size_t n, int allow_tab);

#endif
