/* test_buf.c - the bounded buffer never grows past its limit. */
#include <stdlib.h>
#include "test.h"
#include "base/buf.h"

TEST(buf_limit)
{
	struct buf b = BUF_INIT(8);
	CHECK(buf_adds(&b, "abcd") == 0);
	CHECK(buf_adds(&b, "efgh") == 0);
	CHECK(buf_adds(&b, "i") == -1);
	CHECK_STR(buf_str(&b), "abcdefgh");
	CHECK(buf_printf(&b, "%d", 1) == -1);
	CHECK(b.len == 8);
	buf_release(&b);
	CHECK_STR(buf_str(&b), "");
}

TEST(buf_printf_grows)
{
	struct buf b = BUF_INIT(1 << 20);
	for (int i = 0; i < 1000; i++)
		REQUIRE(buf_printf(&b, "%04d", i) == 0);
	CHECK(b.len == 4000);
	CHECK(!strncmp(buf_str(&b) + 3996, "0999", 4));
	size_t n;
	char *p = buf_detach(&b, &n);
	CHECK(n == 4000);
	free(p);
}

const struct unit_test buf_tests[] = { T(buf_limit), T(buf_printf_grows), { 0 } };
