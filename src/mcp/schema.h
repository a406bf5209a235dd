/*
 * schema.h - JSON Schema validation of tool arguments and results.
 *
 * Every tool declares its input and output schema as JSON text in the tool
 * table; this module checks a jansson document against such a schema before
 * any handler runs (and, in tests, every result against its output schema).
 *
 * Supported keywords (the subset MCP tools use, draft 2020-12 semantics):
 *   type (string or array of: object array string number integer boolean null),
 *   properties, required, additionalProperties (bool or schema), enum, const,
 *   minimum, maximum, exclusiveMinimum, exclusiveMaximum (numbers),
 *   minLength, maxLength (counted in Unicode code points), pattern (POSIX
 *   extended regex, unanchored like JSON Schema), format (e164, uri, date,
 *   date-time, time-hm "H:i", email, uuid), items, minItems, maxItems,
 *   uniqueItems, oneOf, anyOf, nullable via type arrays, and the annotations
 *   title, description, default, examples, $schema, writeOnly,
 *   x-secret (ignored by validation). Unknown keywords are ignored.
 *
 * Errors are collected per field, Laravel style: a JSON object mapping a
 * field path ("phone_number", "variables.name", "tool_ids.2"; "" for the
 * document root) to an array of lowercase messages, e.g.
 *   {"phone_number": ["must be a phone number in E.164 format, e.g. +4930123456"]}
 *
 * Thread safety: schema_validate may run on many threads at once; compiled
 * regular expressions are cached process-wide behind a mutex.
 * Ownership: no function here takes ownership of its arguments; returned
 * json_t values belong to the caller.
 */
#ifndef SCHEMA_H
#define SCHEMA_H

#include <jansson.h>

/*
 * Validate `doc` against `schema`. Returns 0 when valid. Returns -1 when not
 * valid; then, if `errors` is non-NULL, *errors is set to a new JSON object
 * {field: [message, ...]} (at most 50 messages in all).
 */
int schema_validate(const json_t *schema, const json_t *doc, json_t **errors);

/*
 * Check that `schema` itself only uses types and formats this module knows
 * and that every pattern compiles. 0 if usable, -1 with a message in `err`
 * (NUL-terminated, at most errlen bytes) otherwise. Run once per schema at
 * start-up so a typo in the tool table fails loudly, not at request time.
 */
int schema_check(const json_t *schema, char *err, size_t errlen);

/*
 * One summary line for a collected error object, e.g.
 * "phone_number: must be ...; name: is required" (caller frees).
 */
char *schema_errors_summary(const json_t *errors);

/* Individual format checks, exposed for reuse (1 = valid, 0 = not). */
int schema_is_e164(const char *s);
int schema_is_date(const char *s);      /* YYYY-MM-DD, a real calendar date */
int schema_is_datetime(const char *s);  /* RFC 3339 */
int schema_is_uri(const char *s);       /* absolute URI with a scheme */
int schema_is_email(const char *s);
int schema_is_uuid(const char *s);
int schema_is_time_hm(const char *s);   /* HH:MM, 00:00-23:59 */

/* Free the regex cache at exit (optional; keeps leak checkers quiet). */
void schema_cleanup(void);

#endif
