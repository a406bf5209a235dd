/*
 * ha_action.h - an HTTP action's definition: URL template, method, timeout,
 * headers, static body fields, typed parameters and the response fields to
 * keep, as the operator saves them (httpaction.h says what a run makes of
 * them). Checked when saved (ha_action_check, ha_action_from_json) and again
 * before each run; the model's arguments are checked against the typed
 * parameters by ha_action_args.
 *
 * Ownership: a definition borrows its strings; ha_action_from_json borrows
 * them from the stored JSON and allocates the arrays, freed by
 * ha_action_release. Pure functions, thread-safe.
 */
#ifndef HA_ACTION_H
#define HA_ACTION_H

#include <stddef.h>
#include <jansson.h>

#define HA_TIMEOUT_MIN 1
#define HA_TIMEOUT_MAX 30
#define HA_TIMEOUT_DEFAULT 10
#define HA_MAX_URL 4096
#define HA_MAX_REQUEST (64 * 1024)  /* request body */
#define HA_MAX_ARG 8192             /* one argument's text */
#define HA_MAX_HEADERS 32
#define HA_MAX_PARAMS 64

/* ------------------------------------------------------------------ */
/* Action definitions                                                   */

enum ha_method { HA_GET, HA_POST, HA_PUT, HA_PATCH, HA_DELETE };
enum ha_type { HA_TEXT, HA_NUMBER, HA_BOOLEAN, HA_DROPDOWN };

struct ha_param {
	const char *name;            /* [A-Za-z_][A-Za-z0-9_-]*, unique */
	enum ha_type type;
	int required;
	const char *const *values;   /* HA_DROPDOWN: the allowed values */
	size_t nvalues;
};

struct ha_header {
	const char *name;            /* an HTTP token; not Host, Content-Length,
	                                Transfer-Encoding, Connection, X-Switchboard-* */
	const char *value;           /* template (TEMPLATE_HEADER); may hold secrets */
};

struct ha_action {
	const char *url;             /* template (TEMPLATE_URL), http or https */
	enum ha_method method;
	int timeout_s;               /* HA_TIMEOUT_MIN..MAX */
	const struct ha_header *headers;
	size_t nheaders;
	const json_t *body;          /* static body fields: object, or NULL */
	const struct ha_param *params;
	size_t nparams;
	const char *const *select;   /* JSON pointers to keep from a JSON answer */
	size_t nselect;              /* 0: keep the whole answer */
	void *owned_;                /* set by ha_action_from_json only */
};

const char *ha_method_name(enum ha_method m);
int ha_method_parse(const char *s, enum ha_method *m);  /* case-insensitive */

/* Check a definition (at save time, and again before each run). */
int ha_action_check(const struct ha_action *a, char *err, size_t errlen);

/* Build an action from the stored JSON object:
 *   {"url"|"endpoint", "method", "timeout", "headers":[{name,value}],
 *    "body"|"static_body"|"static_fields": {...},
 *    "params"|"schema"|"variables": [{name, type: text|string|number|
 *        boolean|dropdown|enum, required, values|enum|options:[...]}],
 *    "select"|"response_fields": ["/json/pointer", ...]}
 * Strings are borrowed from def, which must outlive the action; the arrays
 * are allocated: free them with ha_action_release(). Runs ha_action_check. */
int ha_action_from_json(const json_t *def, struct ha_action *a, char *err, size_t errlen);
void ha_action_release(struct ha_action *a);

/* Validate args (the model's, an object or NULL) against the typed
 * parameters: required ones present, values coerced where the meaning is
 * plain ("42" for a number, "true" for a boolean, a dropdown value in any
 * case), undeclared ones dropped. *out: the declared values (new reference).
 * 0, or -1 with err (a sentence naming the argument, never its value). */
int ha_action_args(const struct ha_action *a, const json_t *args, json_t **out,
		   char *err, size_t errlen);

/* 1 when c may stand in an HTTP token (a method or header name) */
int ha_is_tchar(char c);

#endif
