/*
 * test.h - the unit-test harness: plain assert macros and one registry.
 *
 * Each tests/unit/test_<module>.c defines tests with TEST(name) { ... } and
 * lists them in a table at its end:
 *     const struct unit_test schema_tests[] = { T(schema_types), ..., {0} };
 * tests/unit/main.c lists every such table (libuv's test-list.h habit).
 * CHECK records a failure and goes on; REQUIRE stops the test.
 */
#ifndef UNIT_TEST_H
#define UNIT_TEST_H

#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(int *failed);
};

#define TEST(name) static void test_##name(int *failed_)
#define T(name) { #name, test_##name }

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	*failed_ = 1; } } while (0)
#define REQUIRE(cond) do { if (!(cond)) { \
	fprintf(stderr, "  %s:%d: required: %s\n", __FILE__, __LINE__, #cond); \
	*failed_ = 1; return; } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_)) { \
	fprintf(stderr, "  %s:%d: '%s' != '%s'\n", __FILE__, __LINE__, \
		a_ ? a_ : "(null)", b_ ? b_ : "(null)"); *failed_ = 1; } } while (0)

#endif
