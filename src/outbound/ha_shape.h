/*
 * ha_shape.h - what the model sees of an HTTP answer: the body as compact
 * JSON when it parses (optionally reduced to a set of JSON pointers), else
 * as text with invalid UTF-8 and control characters other than TAB, CR and
 * LF replaced by '?'; at most cap bytes, a cut one ending with HA_TRUNCATED
 * (and then no longer complete JSON). Pure functions, thread-safe; internal
 * to the HTTP action executor (httpaction.h describes the result).
 */
#ifndef HA_SHAPE_H
#define HA_SHAPE_H

#include <stddef.h>
#include <jansson.h>
#include "base/buf.h"

#define HA_TRUNCATED "\xe2\x80\xa6[truncated]"   /* "…[truncated]" */

struct ha_shape {
	char *text;                  /* NUL-terminated, owned: free() */
	size_t len;
	int is_json;                 /* text is complete JSON */
	int truncated;               /* text was cut to cap */
	json_t *parsed;              /* the (selected) document, new reference,
	                                NULL when the body is not JSON */
};

/* Shape len bytes of body. select: nselect RFC 6901 pointers, each kept
 * under its name without the leading '/' ("/" for the whole document; an
 * absent one as null); nselect 0 keeps the whole answer. 0, or -1 when out
 * of memory (res then holds nothing). */
int ha_shape_body(const char *body, size_t len, const char *const *select, size_t nselect,
		  size_t cap, struct ha_shape *res);

#endif
