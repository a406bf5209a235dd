/* test_jsonsafe.c - nesting is measured on the text and bounded before parsing. */
#include <stdlib.h>
#include "test.h"
#include "base/jsonsafe.h"

/* n times open, then inner, then n times close (caller frees) */
static char *nested(int n, const char *open, const char *inner, const char *close)
{
	size_t lo = strlen(open), li = strlen(inner), lc = strlen(close);
	char *s = malloc((size_t)n * (lo + lc) + li + 1), *p = s;
	for (int i = 0; i < n; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, inner, li);
	p += li;
	for (int i = 0; i < n; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

TEST(jsonsafe_depth_counts_levels)
{
	CHECK(jsonsafe_depth("1", 1, 64) == 0);
	CHECK(jsonsafe_depth("{}", 2, 64) == 1);
	CHECK(jsonsafe_depth("{\"a\":[1,{\"b\":[]}]}", 18, 64) == 4);
	/* brackets in strings, escaped quotes included, do not count */
	const char *s = "{\"a\":\"[[[\\\"[[[\",\"b\":[]}";
	CHECK(jsonsafe_depth(s, strlen(s), 64) == 2);
	/* siblings do not add up */
	CHECK(jsonsafe_depth("[[],[],[[]]]", 12, 64) == 3);
	/* stray closers never go below zero */
	CHECK(jsonsafe_depth("]]][[", 5, 64) == 2);
	/* a trailing backslash in an open string reads nothing past the end */
	CHECK(jsonsafe_depth("[\"\\", 3, 64) == 1);
}

TEST(jsonsafe_depth_stops_past_limit)
{
	char *s = nested(100000, "[", "", "]");
	CHECK(jsonsafe_depth(s, strlen(s), 64) == 65);
	CHECK(jsonsafe_depth(s, strlen(s), 200000) == 100000);
	free(s);
}

TEST(jsonsafe_loadb_bounds_depth)
{
	json_error_t e;
	int deep = -1;
	char *ok = nested(JSONSAFE_MAX_DEPTH, "[", "", "]");
	char *bad = nested(JSONSAFE_MAX_DEPTH + 1, "{\"a\":", "1", "}");
	char *huge = nested(1000, "[", "", "]");
	json_t *j = jsonsafe_loadb(ok, strlen(ok), 0, &e, &deep);

	CHECK(j && json_is_array(j) && deep == 0);
	json_decref(j);
	/* a valid object chain one level too deep */
	j = jsonsafe_loadb(bad, strlen(bad), 0, &e, &deep);
	CHECK(!j && deep == 1);
	CHECK(strstr(e.text, "nesting deeper than 64 levels") != NULL);
	j = jsonsafe_loadb(huge, strlen(huge), 0, NULL, NULL);
	CHECK(!j);
	/* invalid JSON that is shallow: jansson's own error, not the depth one */
	j = jsonsafe_loadb("{\"a\":", 5, 0, &e, &deep);
	CHECK(!j && deep == 0);
	free(ok);
	free(bad);
	free(huge);
}

const struct unit_test jsonsafe_tests[] = {
	T(jsonsafe_depth_counts_levels), T(jsonsafe_depth_stops_past_limit),
	T(jsonsafe_loadb_bounds_depth), { 0 }
};
