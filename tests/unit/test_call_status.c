/* test_call_status.c - the call state table: names round trip, predicates,
 * the SQL list of live states agrees with the table. */
#include "store/call_status.h"
#include "test.h"

TEST(call_status_round_trip)
{
	for (int s = CALL_STATUS_UNKNOWN + 1; s < CALL_STATUS_COUNT; s++) {
		const char *n = call_status_name((enum call_status)s);
		REQUIRE(n && *n);
		CHECK(call_status_parse(n) == (enum call_status)s);
	}
	/* the stored names, exactly */
	CHECK_STR(call_status_name(CALL_STATUS_INITIATED), "initiated");
	CHECK_STR(call_status_name(CALL_STATUS_IN_PROGRESS), "in-progress");
	CHECK_STR(call_status_name(CALL_STATUS_NO_ANSWER), "no-answer");
	CHECK_STR(call_status_name(CALL_STATUS_ENDED_BY_CUSTOMER), "ended_by_customer");
	CHECK(call_status_name(CALL_STATUS_UNKNOWN) == NULL);
	CHECK(call_status_name(CALL_STATUS_COUNT) == NULL);
	CHECK(call_status_parse(NULL) == CALL_STATUS_UNKNOWN);
	CHECK(call_status_parse("") == CALL_STATUS_UNKNOWN);
	CHECK(call_status_parse("In-Progress") == CALL_STATUS_UNKNOWN);
	CHECK(call_status_parse("in_progress") == CALL_STATUS_UNKNOWN);
}

TEST(call_status_predicates)
{
	CHECK(call_status_is_live(CALL_STATUS_INITIATED));
	CHECK(call_status_is_live(CALL_STATUS_RINGING));
	CHECK(call_status_is_live(CALL_STATUS_IN_PROGRESS));
	CHECK(!call_status_is_live(CALL_STATUS_COMPLETED));
	CHECK(!call_status_is_live(CALL_STATUS_FAILED));
	CHECK(!call_status_is_live(CALL_STATUS_UNKNOWN));	/* NULL, "" and junk are not live */
	CHECK(!call_status_is_final(CALL_STATUS_UNKNOWN));
	CHECK(!call_status_is_completed(CALL_STATUS_UNKNOWN));
	CHECK(!call_status_is_unreached(CALL_STATUS_UNKNOWN));
	CHECK(call_status_is_completed(CALL_STATUS_ENDED));
	CHECK(call_status_is_completed(CALL_STATUS_ENDED_BY_ASSISTANT));
	CHECK(!call_status_is_completed(CALL_STATUS_BUSY));
	CHECK(call_status_is_unreached(CALL_STATUS_BUSY));
	CHECK(call_status_is_unreached(CALL_STATUS_NO_ANSWER));
	CHECK(call_status_is_unreached(CALL_STATUS_FAILED));
	CHECK(!call_status_is_unreached(CALL_STATUS_COMPLETED));
	/* every known state is exactly one of live, completed, unreached */
	for (int s = CALL_STATUS_UNKNOWN + 1; s < CALL_STATUS_COUNT; s++) {
		enum call_status c = (enum call_status)s;
		CHECK(call_status_is_live(c) + call_status_is_completed(c) +
		      call_status_is_unreached(c) == 1);
		CHECK(call_status_is_final(c) == !call_status_is_live(c));
	}
}

TEST(call_status_live_sql)
{
	const char *p = CALL_STATUS_LIVE_SQL;
	char name[32];
	int n = 0, live = 0;

	REQUIRE(*p == '(');
	while (*p && *p != ')') {
		const char *q;
		size_t len;

		p = strchr(p, '\'');
		REQUIRE(p);
		q = strchr(p + 1, '\'');
		REQUIRE(q);
		len = (size_t)(q - p - 1);
		REQUIRE(len < sizeof(name));
		memcpy(name, p + 1, len);
		name[len] = '\0';
		CHECK(call_status_is_live(call_status_parse(name)));
		n++;
		p = q + 1;
	}
	for (int s = CALL_STATUS_UNKNOWN + 1; s < CALL_STATUS_COUNT; s++)
		live += call_status_is_live((enum call_status)s);
	CHECK(n == live);
}

const struct unit_test call_status_tests[] = {
	T(call_status_round_trip), T(call_status_predicates), T(call_status_live_sql), { 0 }
};
