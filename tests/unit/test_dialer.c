/* test_dialer.c - the campaign dialer's decisions: the calling window in a
 * campaign's timezone across DST changes and date lines, the verdict on a
 * finished attempt, the goal variable, timestamps. */
#include <stdint.h>
#include <jansson.h>
#include "test.h"
#include "calls/dialer.h"
#include "base/tz.h"

static int64_t U(int y, int m, int d, int h, int mi)
{
	return tz_days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60;
}

static unsigned days(const char *json)
{
	json_t *a = json_loads(json, 0, NULL);
	unsigned m = dialer_days_mask(a);
	json_decref(a);
	return m;
}

#define ALL 0x7fu

TEST(dialer_days)
{
	CHECK(days("[\"monday\",\"friday\"]") == ((1u << 1) | (1u << 5)));
	CHECK(days("[\"sunday\",\"Saturday\",\"someday\"]") == ((1u << 0) | (1u << 6)));
	CHECK(days("[]") == 0);
	CHECK(dialer_days_mask(NULL) == 0);
}

TEST(dialer_window_basic)
{
	char local[80];
	unsigned weekdays = days("[\"monday\",\"tuesday\",\"wednesday\",\"thursday\",\"friday\"]");

	/* Monday 2026-03-02 10:00 UTC = 11:00 CET */
	CHECK(dialer_window_open("Europe/Berlin", "09:00", "17:00", weekdays, U(2026, 3, 2, 10, 0),
				 local, sizeof local) == 1);
	CHECK_STR(local, "monday 11:00 CET");
	CHECK(dialer_window_open("Europe/Berlin", "12:00", "13:00", weekdays, U(2026, 3, 2, 10, 0),
				 NULL, 0) == 0);
	/* the end is excluded, the start included */
	CHECK(dialer_window_open("UTC", "09:00", "17:00", ALL, U(2026, 3, 2, 16, 59), NULL, 0) == 1);
	CHECK(dialer_window_open("UTC", "09:00", "17:00", ALL, U(2026, 3, 2, 17, 0), NULL, 0) == 0);
	CHECK(dialer_window_open("UTC", "09:00", "17:00", ALL, U(2026, 3, 2, 9, 0), NULL, 0) == 1);
	CHECK(dialer_window_open("UTC", "09:00", "17:00", ALL, U(2026, 3, 2, 8, 59), NULL, 0) == 0);
	/* Sunday is not a weekday */
	CHECK(dialer_window_open("UTC", "09:00", "17:00", weekdays, U(2026, 3, 1, 10, 0), NULL, 0) == 0);
	/* bad settings */
	CHECK(dialer_window_open("Not/AZone", "09:00", "17:00", ALL, U(2026, 3, 2, 10, 0), NULL, 0) == -1);
	CHECK(dialer_window_open("UTC", "9:00", "17:00", ALL, U(2026, 3, 2, 10, 0), NULL, 0) == -1);
	CHECK(dialer_window_open("UTC", "09:00", "24:00", ALL, U(2026, 3, 2, 10, 0), NULL, 0) == -1);
}

TEST(dialer_window_dst)
{
	char local[80];

	/* Berlin springs forward on Sunday 2026-03-29 (01:00 UTC): 07:30 UTC
	 * is 08:30 the day before, 09:30 that day */
	CHECK(dialer_window_open("Europe/Berlin", "09:00", "17:00", ALL, U(2026, 3, 28, 7, 30),
				 local, sizeof local) == 0);
	CHECK_STR(local, "saturday 08:30 CET");
	CHECK(dialer_window_open("Europe/Berlin", "09:00", "17:00", ALL, U(2026, 3, 29, 7, 30),
				 local, sizeof local) == 1);
	CHECK_STR(local, "sunday 09:30 CEST");
	CHECK(dialer_window_open("Europe/Berlin", "09:00", "17:00", ALL, U(2026, 3, 28, 15, 30),
				 NULL, 0) == 1);
	CHECK(dialer_window_open("Europe/Berlin", "09:00", "17:00", ALL, U(2026, 3, 29, 15, 30),
				 NULL, 0) == 0);
	/* and falls back on Sunday 2026-10-25 */
	CHECK(dialer_window_open("Europe/Berlin", "09:00", "17:00", ALL, U(2026, 10, 24, 7, 30),
				 NULL, 0) == 1);
	CHECK(dialer_window_open("Europe/Berlin", "09:00", "17:00", ALL, U(2026, 10, 25, 7, 30),
				 NULL, 0) == 0);
	/* New York springs forward on 2026-03-08: 13:30 UTC is 08:30 EST, then 09:30 EDT */
	CHECK(dialer_window_open("America/New_York", "09:00", "17:00", ALL, U(2026, 3, 7, 13, 30),
				 NULL, 0) == 0);
	CHECK(dialer_window_open("America/New_York", "09:00", "17:00", ALL, U(2026, 3, 8, 13, 30),
				 local, sizeof local) == 1);
	CHECK_STR(local, "sunday 09:30 EDT");
	/* the day is the campaign's: Sunday evening UTC is Monday morning in Auckland */
	CHECK(dialer_window_open("Pacific/Auckland", "09:00", "17:00", days("[\"monday\"]"),
				 U(2026, 3, 1, 22, 0), local, sizeof local) == 1);
	CHECK_STR(local, "monday 11:00 NZDT");
}

/* *why may point into the attempt: copied before it goes */
static enum dialer_verdict judge(const char *json, double wait, const char **why)
{
	static char copy[128];
	json_t *a = json_loads(json, 0, NULL);
	enum dialer_verdict v = a ? dialer_judge(a, wait, why) : DIALER_WAIT;
	snprintf(copy, sizeof copy, "%s", a ? *why : "");
	*why = copy;
	json_decref(a);
	return v;
}

TEST(dialer_verdicts)
{
	const char *why = NULL;

	CHECK(judge("{\"call_id\":1,\"call_status\":\"busy\",\"answered\":false}", 60, &why) == DIALER_RETRY);
	CHECK_STR(why, "busy");
	CHECK(judge("{\"call_id\":1,\"call_status\":\"no-answer\",\"answered\":false}", 60, &why) == DIALER_RETRY);
	CHECK(judge("{\"call_id\":1,\"call_status\":\"failed\",\"answered\":true}", 60, &why) == DIALER_RETRY);
	CHECK(judge("{\"call_id\":null}", 60, &why) == DIALER_RETRY);
	CHECK(judge("{\"call_id\":1,\"call_status\":\"ended\",\"answered\":true}", 60, &why) == DIALER_RELEASE);
	CHECK(judge("{\"call_id\":1,\"call_status\":\"completed\",\"answered\":true,"
		    "\"answered_by\":\"human\"}", 60, &why) == DIALER_COMPLETED);
	CHECK(judge("{\"call_id\":1,\"call_status\":\"ended_by_customer\",\"answered\":true}", 60, &why)
	      == DIALER_COMPLETED);
	/* voicemail */
	CHECK(judge("{\"call_id\":1,\"call_status\":\"completed\",\"answered\":true,\"answered_by\":"
		    "\"machine\",\"retry_on_voicemail\":true}", 60, &why) == DIALER_RETRY);
	CHECK(judge("{\"call_id\":1,\"call_status\":\"completed\",\"answered\":true,\"answered_by\":"
		    "\"machine\",\"retry_on_voicemail\":false}", 60, &why) == DIALER_COMPLETED);
	/* the goal */
#define GOAL "\"call_id\":1,\"call_status\":\"completed\",\"answered\":true," \
	"\"retry_on_goal_incomplete\":true,\"goal_completion_variable\":\"booked\","
	CHECK(judge("{" GOAL "\"evaluated\":true,\"extracted\":{\"booked\":true}}", 60, &why) == DIALER_COMPLETED);
	CHECK(judge("{" GOAL "\"evaluated\":true,\"extracted\":{\"booked\":false}}", 60, &why) == DIALER_RETRY);
	CHECK(judge("{" GOAL "\"evaluated\":true,\"extracted\":{}}", 60, &why) == DIALER_RETRY);
	CHECK(judge("{" GOAL "\"evaluated\":false,\"ended_age_s\":5.0,\"extracted\":{}}", 60, &why) == DIALER_WAIT);
	CHECK(judge("{" GOAL "\"evaluated\":false,\"ended_age_s\":61.0,\"extracted\":{}}", 60, &why) == DIALER_RETRY);
	/* without retry_on_goal_incomplete the goal does not matter */
	CHECK(judge("{\"call_id\":1,\"call_status\":\"completed\",\"answered\":true,"
		    "\"goal_completion_variable\":\"booked\",\"evaluated\":false}", 60, &why) == DIALER_COMPLETED);
}

TEST(dialer_goal)
{
	json_t *x = json_pack("{s:b, s:i, s:i, s:s, s:s, s:s, s:n}", "t", 1, "one", 1, "zero", 0,
			      "yes", "Yes", "no", "no", "s1", "1", "null");
	CHECK(dialer_goal_met(x, "t") && dialer_goal_met(x, "one") && dialer_goal_met(x, "yes") &&
	      dialer_goal_met(x, "s1"));
	CHECK(!dialer_goal_met(x, "zero") && !dialer_goal_met(x, "no") && !dialer_goal_met(x, "null") &&
	      !dialer_goal_met(x, "missing") && !dialer_goal_met(x, NULL) && !dialer_goal_met(NULL, "t"));
	json_decref(x);
}

TEST(dialer_timestamps)
{
	char t[40];

	dialer_timestamp(0, t, sizeof t);
	CHECK_STR(t, "1970-01-01T00:00:00.000000Z");
	dialer_timestamp((double)U(2026, 3, 2, 10, 0) + 0.5, t, sizeof t);
	CHECK_STR(t, "2026-03-02T10:00:00.500000Z");
	/* rounded up: never before the instant */
	dialer_timestamp((double)U(2026, 12, 31, 23, 59) + 59.9991, t, sizeof t);
	CHECK_STR(t, "2027-01-01T00:00:00.000000Z");
}

const struct unit_test dialer_tests[] = {
	T(dialer_days), T(dialer_window_basic), T(dialer_window_dst), T(dialer_verdicts),
	T(dialer_goal), T(dialer_timestamps), { 0 }
};
