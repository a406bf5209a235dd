/*
 * jsonsafe.h - JSON from outside, parsed with a bound on nesting.
 *
 * jansson parses up to 2,048 levels deep, and every walker after it
 * (json_dumps, json_deep_copy, json_equal, our schema validator, redaction)
 * recurses once per level: a request nested ~1,000 arrays deep overflowed a
 * worker thread's 256 KiB stack. Every place that parses JSON it did not
 * write itself (a request on any transport, a model's answer or tool
 * arguments, an upstream's response) goes through jsonsafe_loadb, which
 * refuses text nested deeper than JSONSAFE_MAX_DEPTH before building
 * anything, so what the rest of the code walks is shallow by construction.
 */
#ifndef JSONSAFE_H
#define JSONSAFE_H

#include <stddef.h>
#include <jansson.h>

/* Deep enough for any real MCP message, schema or CRM answer. */
#define JSONSAFE_MAX_DEPTH 64

/* The nesting depth of arrays and objects in JSON text (0 for a scalar),
 * strings skipped; the scan stops at limit + 1 once the text goes deeper.
 * Works on any bytes: it never fails, invalid text just gets some depth. */
int jsonsafe_depth(const char *text, size_t len, int limit);

/* json_loadb, refusing text nested deeper than JSONSAFE_MAX_DEPTH: then
 * NULL with err->text "nesting deeper than 64 levels" and *too_deep = 1
 * (too_deep may be NULL). New reference. */
json_t *jsonsafe_loadb(const char *text, size_t len, size_t flags,
		       json_error_t *err, int *too_deep);

#endif
