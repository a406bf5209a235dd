/* test_phone.c - every way people write a number ends up the same. */
#include "base/phone.h"
#include "test.h"

static const char *norm(const char *in, const char *cc)
{
	static char out[32];
	return phone_normalize(in, cc, out, sizeof(out)) ? "(invalid)" : out;
}

TEST(phone_formats)
{
	CHECK_STR(norm("+49301234567", "49"), "+49301234567");
	CHECK_STR(norm("+49 (30) 123-4567", "1"), "+49301234567");
	CHECK_STR(norm("030 1234567", "49"), "+49301234567");
	CHECK_STR(norm("0049 30 1234567", "44"), "+49301234567");
	CHECK_STR(norm("030/123 45 67", "49"), "+49301234567");
	CHECK_STR(norm("(415) 555-2671", "1"), "+14155552671");
	CHECK_STR(norm("1 415 555 2671", "1"), "+14155552671");
	CHECK_STR(norm("011 49 30 1234567", "1"), "+49301234567");
	CHECK_STR(norm("020 7946 0958", "44"), "+442079460958");
}

TEST(phone_refused)
{
	CHECK_STR(norm("030 1234567", NULL), "(invalid)");
	CHECK_STR(norm("+49 30 CALL-ME", "49"), "(invalid)");
	CHECK_STR(norm("+123", "49"), "(invalid)");
	CHECK_STR(norm("+1234567890123456", "49"), "(invalid)");
	CHECK_STR(norm("", "49"), "(invalid)");
	CHECK_STR(norm("+0301234567", "49"), "(invalid)");
	char small[8];
	CHECK(phone_normalize("+49301234567", "49", small, sizeof(small)) == -1);
}

TEST(phone_extension_and_cc)
{
	char cc[8];
	CHECK(phone_is_extension("204"));
	CHECK(!phone_is_extension("2"));
	CHECK(!phone_is_extension("+49"));
	CHECK(phone_country_code("+49301234567", cc, sizeof(cc)) == 0);
	CHECK_STR(cc, "49");
	CHECK(phone_country_code("+14155552671", cc, sizeof(cc)) == 0);
	CHECK_STR(cc, "1");
	CHECK(phone_country_code("+353123456789", cc, sizeof(cc)) == 0);
	CHECK_STR(cc, "353");
	CHECK(phone_country_code("49301", cc, sizeof(cc)) == -1);
}

const struct unit_test phone_tests[] = {
	T(phone_formats), T(phone_refused), T(phone_extension_and_cc), { 0 }
};
