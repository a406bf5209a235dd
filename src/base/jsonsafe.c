/* jsonsafe.c - JSON from outside, parsed with a bound on nesting (see jsonsafe.h). */
#include <stdio.h>
#include <string.h>
#include "base/jsonsafe.h"

int jsonsafe_depth(const char *text, size_t len, int limit)
{
	int depth = 0, max = 0, in_string = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;	/* the escaped byte cannot end the string */
			else if (c == '"')
				in_string = 0;
			continue;
		}
		switch (c) {
		case '"':
			in_string = 1;
			break;
		case '[':
		case '{':
			if (++depth > max) {
				max = depth;
				if (max > limit)
					return max;
			}
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
	}
	return max;
}

json_t *jsonsafe_loadb(const char *text, size_t len, size_t flags,
		       json_error_t *err, int *too_deep)
{
	if (too_deep)
		*too_deep = 0;
	if (!text)
		text = "";
	if (jsonsafe_depth(text, len, JSONSAFE_MAX_DEPTH) > JSONSAFE_MAX_DEPTH) {
		if (too_deep)
			*too_deep = 1;
		if (err) {
			memset(err, 0, sizeof(*err));
			snprintf(err->text, sizeof(err->text),
				 "nesting deeper than %d levels", JSONSAFE_MAX_DEPTH);
		}
		return NULL;
	}
	return json_loadb(text, len, flags, err);
}
