/* test_officehours.c - office-hours evaluation around midnight, DST and holidays; validation. */
#include <stdint.h>
#include <stdlib.h>
#include <jansson.h>
#include "test.h"
#include "agent/officehours.h"
#include "base/tz.h"

static int64_t U(int y, int m, int d, int h, int mi)
{
	return tz_days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60;
}

/* The instant a zone's clocks show y-m-d h:mi (unambiguous times only) */
static int64_t L(const char *zone, int y, int m, int d, int h, int mi)
{
	int64_t u = INT64_MIN;
	tz_from_local(zone, y, m, d, h, mi, &u);
	return u;
}

/*
 * Status of schedule text at now; 1 when state, opens_at and closes_at are as
 * expected (NULL: don't care), printing what was found otherwise.
 */
static int is(const char *text, const char *deftz, int64_t now, int state,
	      const char *opens, const char *closes)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	struct oh_status st;
	int ok;

	if (!j) {
		fprintf(stderr, "  bad test json: %s\n", je.text);
		return 0;
	}
	ok = officehours_status(j, deftz, now, &st) == 0 && st.state == state &&
	     st.open == (state == OH_OPEN || state == OH_OPEN_24H) &&
	     (!opens || !strcmp(st.opens_at, opens)) && (!closes || !strcmp(st.closes_at, closes));
	if (!ok)
		fprintf(stderr, "  at %s %s: state %d opens '%s' closes '%s' (want %d '%s' '%s')\n",
			st.local_date, st.local_time, st.state, st.opens_at, st.closes_at, state,
			opens ? opens : "*", closes ? closes : "*");
	json_decref(j);
	return ok;
}

static struct oh_status status_of(const char *text, const char *deftz, int64_t now, int *rc)
{
	json_t *j = json_loads(text, 0, NULL);
	struct oh_status st;
	memset(&st, 0xff, sizeof(st));
	*rc = j ? officehours_status(j, deftz, now, &st) : -2;
	json_decref(j);
	return st;
}

#define B "Europe/Berlin"
#define NY "America/New_York"

/* 2026-03-02 is a Monday */
#define WEEK_9_17 "{\"timezone\":\"Europe/Berlin\",\"weekly\":{" \
	"\"monday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}]," \
	"\"tuesday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}]," \
	"\"thursday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}]," \
	"\"friday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}]," \
	"\"saturday\":\"closed\",\"sunday\":\"24h\"}}"

TEST(oh_sentences)
{
	CHECK_STR(officehours_sentence(OH_OPEN), "Office is currently open");
	CHECK_STR(officehours_sentence(OH_CLOSED), "Office is currently closed");
	CHECK_STR(officehours_sentence(OH_CLOSED_TODAY), "Office is closed today");
	CHECK_STR(officehours_sentence(OH_OPEN_24H), "Office is open 24 hours today");
	CHECK(officehours_sentence(-1) == NULL && officehours_sentence(4) == NULL);
}

TEST(oh_weekly_basic)
{
	CHECK(is(WEEK_9_17, NULL, L(B, 2026, 3, 2, 8, 59), OH_CLOSED, "09:00", ""));
	CHECK(is(WEEK_9_17, NULL, L(B, 2026, 3, 2, 9, 0), OH_OPEN, "", "17:00"));
	CHECK(is(WEEK_9_17, NULL, L(B, 2026, 3, 2, 16, 59), OH_OPEN, "", "17:00"));
	CHECK(is(WEEK_9_17, NULL, L(B, 2026, 3, 2, 17, 0), OH_CLOSED, "", ""));
	CHECK(is(WEEK_9_17, NULL, L(B, 2026, 3, 2, 23, 59), OH_CLOSED, "", ""));
	/* wednesday left out: closed */
	CHECK(is(WEEK_9_17, NULL, L(B, 2026, 3, 4, 10, 0), OH_CLOSED_TODAY, "", ""));
	CHECK(is(WEEK_9_17, NULL, L(B, 2026, 3, 7, 10, 0), OH_CLOSED_TODAY, "", ""));
	CHECK(is(WEEK_9_17, NULL, L(B, 2026, 3, 8, 0, 0), OH_OPEN_24H, "", ""));
	CHECK(is(WEEK_9_17, NULL, L(B, 2026, 3, 8, 23, 59), OH_OPEN_24H, "", ""));
	/* sunday's 24h ends at midnight: monday 00:00 is closed until 09:00 */
	CHECK(is(WEEK_9_17, NULL, L(B, 2026, 3, 9, 0, 0), OH_CLOSED, "09:00", ""));
	/* [] is closed */
	CHECK(is("{\"weekly\":{\"saturday\":[]}}", B, L(B, 2026, 3, 7, 12, 0),
		 OH_CLOSED_TODAY, "", ""));
	/* an empty schedule is always closed */
	CHECK(is("{}", "UTC", 0, OH_CLOSED_TODAY, "", ""));

	int rc;
	struct oh_status st = status_of(WEEK_9_17, NY, L(B, 2026, 3, 2, 10, 30), &rc);
	CHECK(rc == 0);
	CHECK_STR(st.timezone, B);
	CHECK_STR(st.local_date, "2026-03-02");
	CHECK_STR(st.local_time, "10:30");
	CHECK_STR(st.closes_date, "2026-03-02");
	CHECK(st.exception == 0 && st.open == 1);
}

TEST(oh_lunch_break)
{
	const char *s = "{\"weekly\":{\"monday\":[{\"open\":\"13:00\",\"close\":\"17:30\"},"
			"{\"open\":\"08:00\",\"close\":\"12:00\"}]}}";
	CHECK(is(s, B, L(B, 2026, 3, 2, 7, 0), OH_CLOSED, "08:00", ""));
	CHECK(is(s, B, L(B, 2026, 3, 2, 11, 59), OH_OPEN, "", "12:00"));
	CHECK(is(s, B, L(B, 2026, 3, 2, 12, 0), OH_CLOSED, "13:00", ""));
	CHECK(is(s, B, L(B, 2026, 3, 2, 12, 59), OH_CLOSED, "13:00", ""));
	CHECK(is(s, B, L(B, 2026, 3, 2, 13, 0), OH_OPEN, "", "17:30"));
	CHECK(is(s, B, L(B, 2026, 3, 2, 17, 30), OH_CLOSED, "", ""));
	/* touching intervals are one stretch */
	const char *t = "{\"weekly\":{\"monday\":[{\"open\":\"09:00\",\"close\":\"12:00\"},"
			"{\"open\":\"12:00\",\"close\":\"17:00\"}]}}";
	CHECK(is(t, B, L(B, 2026, 3, 2, 10, 0), OH_OPEN, "", "17:00"));
	CHECK(is(t, B, L(B, 2026, 3, 2, 12, 0), OH_OPEN, "", "17:00"));
}

TEST(oh_midnight)
{
	/* monday 22:00-06:00 runs into tuesday; tuesday opens again 10:00-14:00 */
	const char *s = "{\"weekly\":{\"monday\":[{\"open\":\"22:00\",\"close\":\"06:00\"}],"
			"\"tuesday\":[{\"open\":\"10:00\",\"close\":\"14:00\"}]}}";
	CHECK(is(s, B, L(B, 2026, 3, 2, 21, 59), OH_CLOSED, "22:00", ""));
	CHECK(is(s, B, L(B, 2026, 3, 2, 22, 0), OH_OPEN, "", "06:00"));
	CHECK(is(s, B, L(B, 2026, 3, 2, 23, 59), OH_OPEN, "", "06:00"));
	CHECK(is(s, B, L(B, 2026, 3, 3, 0, 0), OH_OPEN, "", "06:00"));
	CHECK(is(s, B, L(B, 2026, 3, 3, 0, 1), OH_OPEN, "", "06:00"));
	CHECK(is(s, B, L(B, 2026, 3, 3, 2, 0), OH_OPEN, "", "06:00"));
	CHECK(is(s, B, L(B, 2026, 3, 3, 5, 59), OH_OPEN, "", "06:00"));
	CHECK(is(s, B, L(B, 2026, 3, 3, 6, 0), OH_CLOSED, "10:00", ""));
	/* sunday's interval does not reach monday morning */
	CHECK(is(s, B, L(B, 2026, 3, 2, 2, 0), OH_CLOSED, "22:00", ""));

	int rc;
	struct oh_status st = status_of(s, B, L(B, 2026, 3, 2, 23, 0), &rc);
	CHECK(rc == 0);
	CHECK_STR(st.closes_date, "2026-03-03");

	/* carry-over into a closed day: open, then closed for the day */
	const char *c = "{\"weekly\":{\"monday\":[{\"open\":\"22:00\",\"close\":\"06:00\"}]}}";
	CHECK(is(c, B, L(B, 2026, 3, 3, 0, 0), OH_OPEN, "", "06:00"));
	CHECK(is(c, B, L(B, 2026, 3, 3, 6, 0), OH_CLOSED_TODAY, "", ""));

	/* "24:00" and "00:00" as close both mean midnight */
	const char *m = "{\"weekly\":{\"monday\":[{\"open\":\"18:00\",\"close\":\"24:00\"}],"
			"\"wednesday\":[{\"open\":\"18:00\",\"close\":\"00:00\"}]}}";
	CHECK(is(m, B, L(B, 2026, 3, 2, 23, 59), OH_OPEN, "", "00:00"));
	CHECK(is(m, B, L(B, 2026, 3, 3, 0, 0), OH_CLOSED_TODAY, "", ""));
	CHECK(is(m, B, L(B, 2026, 3, 4, 23, 59), OH_OPEN, "", "00:00"));
	CHECK(is(m, B, L(B, 2026, 3, 5, 0, 0), OH_CLOSED_TODAY, "", ""));
	st = status_of(m, B, L(B, 2026, 3, 2, 23, 59), &rc);
	CHECK_STR(st.closes_date, "2026-03-03");

	/* a stretch over several days: friday 18:00 to sunday 02:00 */
	const char *w = "{\"weekly\":{\"friday\":[{\"open\":\"18:00\",\"close\":\"24:00\"}],"
			"\"saturday\":\"24h\",\"sunday\":[{\"open\":\"00:00\",\"close\":\"02:00\"}]}}";
	CHECK(is(w, B, L(B, 2026, 3, 6, 20, 0), OH_OPEN, "", "02:00"));
	st = status_of(w, B, L(B, 2026, 3, 6, 20, 0), &rc);
	CHECK_STR(st.closes_date, "2026-03-08");
	CHECK(is(w, B, L(B, 2026, 3, 7, 12, 0), OH_OPEN_24H, "", ""));
	CHECK(is(w, B, L(B, 2026, 3, 8, 1, 0), OH_OPEN, "", "02:00"));
	CHECK(is(w, B, L(B, 2026, 3, 8, 2, 0), OH_CLOSED, "", ""));

	/* a day fully covered by a carry-over plus its own hours is open 24 hours */
	const char *f = "{\"weekly\":{\"monday\":[{\"open\":\"20:00\",\"close\":\"08:00\"}],"
			"\"tuesday\":[{\"open\":\"08:00\",\"close\":\"24:00\"}]}}";
	CHECK(is(f, B, L(B, 2026, 3, 3, 3, 0), OH_OPEN_24H, "", ""));
	CHECK(is(f, B, L(B, 2026, 3, 2, 21, 0), OH_OPEN, "", "00:00"));

	/* open every day and all day: no closing within the week */
	const char *a = "{\"weekly\":{\"monday\":[{\"open\":\"08:00\",\"close\":\"24:00\"}],"
			"\"tuesday\":\"24h\",\"wednesday\":\"24h\",\"thursday\":\"24h\","
			"\"friday\":\"24h\",\"saturday\":\"24h\",\"sunday\":\"24h\"}}";
	CHECK(is(a, B, L(B, 2026, 3, 2, 10, 0), OH_OPEN, "", ""));
	CHECK(is(a, B, L(B, 2026, 3, 2, 7, 0), OH_CLOSED, "08:00", ""));
}

/* 2026-12-24 Thursday, 25 Friday, 31 Thursday; 2027-01-01 Friday */
#define HOLIDAYS "{\"timezone\":\"Europe/Berlin\",\"weekly\":{" \
	"\"monday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}]," \
	"\"tuesday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}]," \
	"\"wednesday\":[{\"open\":\"22:00\",\"close\":\"04:00\"}]," \
	"\"thursday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}]," \
	"\"friday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}]," \
	"\"saturday\":[{\"open\":\"10:00\",\"close\":\"12:00\"}]}," \
	"\"exceptions\":[" \
	"{\"date\":\"2026-12-25\",\"closed\":true,\"name\":\"Christmas\"}," \
	"{\"date\":\"2026-12-24\",\"hours\":[{\"open\":\"09:00\",\"close\":\"12:00\"}]}," \
	"{\"date\":\"2026-12-31\",\"open_24h\":true}," \
	"{\"date\":\"2026-12-27\",\"hours\":[{\"open\":\"20:00\",\"close\":\"02:00\"}]}," \
	"{\"date\":\"2027-01-01\",\"hours\":[]}]}"

TEST(oh_exceptions)
{
	int rc;
	CHECK(tz_weekday(tz_days_from_civil(2026, 12, 25)) == 5);
	CHECK(is(HOLIDAYS, NULL, L(B, 2026, 12, 25, 10, 0), OH_CLOSED_TODAY, "", ""));
	struct oh_status st = status_of(HOLIDAYS, NULL, L(B, 2026, 12, 25, 10, 0), &rc);
	CHECK(rc == 0 && st.exception == 1);
	CHECK(is(HOLIDAYS, NULL, L(B, 2026, 12, 24, 8, 0), OH_CLOSED, "09:00", ""));
	CHECK(is(HOLIDAYS, NULL, L(B, 2026, 12, 24, 10, 0), OH_OPEN, "", "12:00"));
	CHECK(is(HOLIDAYS, NULL, L(B, 2026, 12, 24, 12, 30), OH_CLOSED, "", ""));
	CHECK(is(HOLIDAYS, NULL, L(B, 2026, 12, 31, 0, 0), OH_OPEN_24H, "", ""));
	CHECK(is(HOLIDAYS, NULL, L(B, 2026, 12, 31, 23, 59), OH_OPEN_24H, "", ""));
	CHECK(is(HOLIDAYS, NULL, L(B, 2027, 1, 1, 0, 0), OH_CLOSED_TODAY, "", ""));
	/* an exception opens a sunday, overnight, and carries into monday */
	CHECK(is(HOLIDAYS, NULL, L(B, 2026, 12, 27, 19, 0), OH_CLOSED, "20:00", ""));
	CHECK(is(HOLIDAYS, NULL, L(B, 2026, 12, 28, 1, 0), OH_OPEN, "", "02:00"));
	CHECK(is(HOLIDAYS, NULL, L(B, 2026, 12, 28, 2, 0), OH_CLOSED, "09:00", ""));
	/* wednesday's weekly night shift carries into the 24-12-24 exception day */
	CHECK(is(HOLIDAYS, NULL, L(B, 2026, 12, 24, 3, 0), OH_OPEN, "", "04:00"));
	/* ... but the 25th's closure does not stop thursday 24th's hours (none overnight) */
	CHECK(is(HOLIDAYS, NULL, L(B, 2026, 12, 23, 10, 0), OH_CLOSED, "22:00", ""));
	/* ordinary weeks are untouched */
	CHECK(is(HOLIDAYS, NULL, L(B, 2026, 12, 18, 10, 0), OH_OPEN, "", "17:00"));
	st = status_of(HOLIDAYS, NULL, L(B, 2026, 12, 18, 10, 0), &rc);
	CHECK(rc == 0 && st.exception == 0);
	/* an exception the day before a stretch: 24h on the 31st does not chain into closed 1st */
	st = status_of(HOLIDAYS, NULL, L(B, 2026, 12, 30, 23, 0), &rc);
	CHECK(rc == 0 && st.state == OH_OPEN);
	CHECK_STR(st.closes_at, "00:00");
	CHECK_STR(st.closes_date, "2027-01-01");
}

TEST(oh_dst_berlin)
{
	/* 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00 UTC */
	const char *day = "{\"weekly\":{\"sunday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}]}}";
	CHECK(is(day, B, U(2026, 3, 29, 6, 59), OH_CLOSED, "09:00", ""));
	CHECK(is(day, B, U(2026, 3, 29, 7, 0), OH_OPEN, "", "17:00"));
	CHECK(is(day, B, U(2026, 3, 29, 14, 59), OH_OPEN, "", "17:00"));
	CHECK(is(day, B, U(2026, 3, 29, 15, 0), OH_CLOSED, "", ""));
	/* fall back 2026-10-25: 09:00 CET is 08:00 UTC */
	CHECK(is(day, B, U(2026, 10, 25, 7, 59), OH_CLOSED, "09:00", ""));
	CHECK(is(day, B, U(2026, 10, 25, 8, 0), OH_OPEN, "", "17:00"));
	CHECK(is(day, B, U(2026, 10, 25, 16, 0), OH_CLOSED, "", ""));

	/* opening inside the skipped hour takes effect at 03:00 */
	const char *gap_open = "{\"weekly\":{\"sunday\":[{\"open\":\"02:30\",\"close\":\"04:00\"}]}}";
	CHECK(is(gap_open, B, U(2026, 3, 29, 0, 59), OH_CLOSED, "03:00", ""));
	CHECK(is(gap_open, B, U(2026, 3, 29, 1, 0), OH_OPEN, "", "04:00"));
	CHECK(is(gap_open, B, U(2026, 3, 29, 2, 0), OH_CLOSED, "", ""));
	/* closing inside the skipped hour: open until the clocks jump */
	const char *gap_close = "{\"weekly\":{\"sunday\":[{\"open\":\"00:00\",\"close\":\"02:30\"}]}}";
	CHECK(is(gap_close, B, U(2026, 3, 29, 0, 59), OH_OPEN, "", "03:00"));
	CHECK(is(gap_close, B, U(2026, 3, 29, 1, 0), OH_CLOSED, "", ""));
	/* an interval wholly inside the gap never opens */
	const char *in_gap = "{\"weekly\":{\"sunday\":[{\"open\":\"02:10\",\"close\":\"02:50\"}]}}";
	CHECK(is(in_gap, B, U(2026, 3, 29, 0, 30), OH_CLOSED, "", ""));
	CHECK(is(in_gap, B, U(2026, 3, 29, 1, 0), OH_CLOSED, "", ""));

	/* overnight into the spring-forward morning: 22:00-06:00 is 7 real hours */
	const char *night = "{\"weekly\":{\"saturday\":[{\"open\":\"22:00\",\"close\":\"06:00\"}]}}";
	CHECK(is(night, B, U(2026, 3, 28, 21, 0), OH_OPEN, "", "06:00"));
	CHECK(is(night, B, U(2026, 3, 29, 0, 59), OH_OPEN, "", "06:00"));
	CHECK(is(night, B, U(2026, 3, 29, 3, 59), OH_OPEN, "", "06:00"));
	CHECK(is(night, B, U(2026, 3, 29, 4, 0), OH_CLOSED_TODAY, "", ""));
	/* and into the fall-back morning: 9 real hours */
	CHECK(is(night, B, U(2026, 10, 25, 4, 59), OH_OPEN, "", "06:00"));
	CHECK(is(night, B, U(2026, 10, 25, 5, 0), OH_CLOSED_TODAY, "", ""));

	/* the repeated hour: 02:30 closes at its first occurrence */
	const char *twice = "{\"weekly\":{\"sunday\":[{\"open\":\"00:00\",\"close\":\"02:30\"}]}}";
	CHECK(is(twice, B, U(2026, 10, 25, 0, 15), OH_OPEN, "", "02:30"));   /* 02:15 CEST */
	CHECK(is(twice, B, U(2026, 10, 25, 0, 30), OH_CLOSED, "", ""));      /* 02:30 CEST */
	CHECK(is(twice, B, U(2026, 10, 25, 1, 15), OH_CLOSED, "", ""));      /* 02:15 CET */
	const char *after = "{\"weekly\":{\"sunday\":[{\"open\":\"02:30\",\"close\":\"05:00\"}]}}";
	CHECK(is(after, B, U(2026, 10, 25, 0, 29), OH_CLOSED, "02:30", ""));
	CHECK(is(after, B, U(2026, 10, 25, 0, 30), OH_OPEN, "", "05:00"));
	CHECK(is(after, B, U(2026, 10, 25, 1, 15), OH_OPEN, "", "05:00"));  /* 02:15 CET */

	/* 24h on a 23-hour and on a 25-hour day */
	const char *all = "{\"weekly\":{\"sunday\":\"24h\"}}";
	CHECK(is(all, B, U(2026, 3, 29, 0, 30), OH_OPEN_24H, "", ""));
	CHECK(is(all, B, U(2026, 3, 29, 21, 59), OH_OPEN_24H, "", ""));
	CHECK(is(all, B, U(2026, 3, 29, 22, 0), OH_CLOSED_TODAY, "", ""));  /* monday 00:00 */
	CHECK(is(all, B, U(2026, 10, 25, 22, 59), OH_OPEN_24H, "", ""));
	CHECK(is(all, B, U(2026, 10, 25, 23, 0), OH_CLOSED_TODAY, "", ""));
}

TEST(oh_dst_new_york)
{
	/* 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00 UTC */
	const char *s = "{\"timezone\":\"America/New_York\",\"weekly\":{"
			"\"sunday\":[{\"open\":\"01:30\",\"close\":\"02:30\"},"
			"{\"open\":\"09:00\",\"close\":\"17:00\"}]}}";
	CHECK(is(s, "Europe/Berlin", U(2026, 3, 8, 6, 45), OH_OPEN, "", "03:00"));
	CHECK(is(s, NULL, U(2026, 3, 8, 7, 0), OH_CLOSED, "09:00", ""));
	CHECK(is(s, NULL, U(2026, 3, 8, 13, 0), OH_OPEN, "", "17:00"));    /* 09:00 EDT */
	CHECK(is(s, NULL, U(2026, 3, 8, 12, 59), OH_CLOSED, "09:00", ""));
	CHECK(is(s, NULL, U(2026, 3, 8, 21, 0), OH_CLOSED, "", ""));       /* 17:00 EDT */
	/* fall back 2026-11-01: saturday night shift runs 9 real hours */
	const char *n = "{\"timezone\":\"America/New_York\",\"weekly\":{"
			"\"saturday\":[{\"open\":\"22:00\",\"close\":\"06:00\"}],"
			"\"sunday\":[{\"open\":\"12:00\",\"close\":\"13:00\"}]}}";
	CHECK(is(n, NULL, U(2026, 11, 1, 5, 30), OH_OPEN, "", "06:00"));   /* 01:30 EDT */
	CHECK(is(n, NULL, U(2026, 11, 1, 6, 30), OH_OPEN, "", "06:00"));   /* 01:30 EST */
	CHECK(is(n, NULL, U(2026, 11, 1, 10, 59), OH_OPEN, "", "06:00"));
	CHECK(is(n, NULL, U(2026, 11, 1, 11, 0), OH_CLOSED, "12:00", ""));
	/* the same instant is sunday evening in Berlin, still saturday night in New York */
	const char *nz = "{\"weekly\":{\"saturday\":[{\"open\":\"22:00\",\"close\":\"06:00\"}]}}";
	CHECK(is(nz, NY, U(2026, 11, 1, 5, 30), OH_OPEN, "", "06:00"));
	CHECK(is(nz, B, U(2026, 11, 1, 5, 30), OH_CLOSED_TODAY, "", ""));
}

TEST(oh_zone_choice)
{
	const char *nozone = "{\"weekly\":{\"monday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}]}}";
	int64_t t = U(2026, 3, 2, 15, 0);       /* 16:00 Berlin, 10:00 New York, 20:30 Kolkata */
	CHECK(is(nozone, B, t, OH_OPEN, "", "17:00"));
	CHECK(is(nozone, NY, t, OH_OPEN, "", "17:00"));
	CHECK(is(nozone, "Asia/Kolkata", t, OH_CLOSED, "", ""));
	CHECK(is(nozone, "UTC", t, OH_OPEN, "", "17:00"));
	CHECK(is(nozone, "Asia/Kolkata", U(2026, 3, 2, 3, 0), OH_CLOSED, "09:00", ""));

	int rc;
	struct oh_status st = status_of(nozone, NULL, t, &rc);
	CHECK(rc == -1 && st.state == 0 && st.opens_at[0] == '\0' && st.timezone[0] == '\0');
	status_of(nozone, "Mars/Base", t, &rc);
	CHECK(rc == -1);
	status_of(nozone, "../../etc/passwd", t, &rc);
	CHECK(rc == -1);
	status_of("{\"weekly\":{\"monday\":[{\"open\":\"25:00\",\"close\":\"17:00\"}]}}", B, t, &rc);
	CHECK(rc == -1);
	CHECK(officehours_status(NULL, B, t, &st) == -1);
	json_t *j = json_object();
	CHECK(officehours_status(j, B, t, NULL) == -1);
	json_decref(j);
}

static int err_is(const char *text, const char *want)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
	char err[256] = "";
	int ok;
	if (!j) {
		fprintf(stderr, "  bad test json: %s\n", je.text);
		return 0;
	}
	ok = officehours_validate(j, err, sizeof(err)) == -1 && !strcmp(err, want);
	if (!ok)
		fprintf(stderr, "  %s\n    got  '%s'\n    want '%s'\n", text, err, want);
	json_decref(j);
	return ok;
}

#define MON(iv) "{\"weekly\":{\"monday\":[" iv "]}}"

TEST(oh_validate_errors)
{
	CHECK(err_is("[]", "schedule must be an object"));
	CHECK(err_is("{\"weekley\":{}}", "unknown key 'weekley' (use 'timezone', 'weekly', 'exceptions')"));
	CHECK(err_is("{\"timezone\":5}", "'timezone' must be a string"));
	CHECK(err_is("{\"timezone\":\"Mars/Base\"}", "unknown time zone 'Mars/Base'"));
	CHECK(err_is("{\"timezone\":\"../../etc/passwd\"}", "unknown time zone '../../etc/passwd'"));
	CHECK(err_is("{\"weekly\":[]}", "'weekly' must be an object keyed by weekday"));
	CHECK(err_is("{\"weekly\":{\"funday\":[]}}",
		     "unknown weekday 'funday' (use monday to sunday, lowercase)"));
	CHECK(err_is("{\"weekly\":{\"Monday\":[]}}",
		     "unknown weekday 'Monday' (use monday to sunday, lowercase)"));
	CHECK(err_is("{\"weekly\":{\"monday\":\"open\"}}",
		     "weekly.monday: must be a list of intervals, \"closed\" or \"24h\""));
	CHECK(err_is("{\"weekly\":{\"monday\":5}}",
		     "weekly.monday: must be a list of intervals, \"closed\" or \"24h\""));
	CHECK(err_is(MON("{\"open\":\"25:00\",\"close\":\"17:00\"}"),
		     "weekly.monday[0]: invalid open time '25:00' (use HH:MM, 00:00 to 23:59)"));
	CHECK(err_is(MON("{\"open\":\"9:5\",\"close\":\"17:00\"}"),
		     "weekly.monday[0]: invalid open time '9:5' (use HH:MM, 00:00 to 23:59)"));
	CHECK(err_is(MON("{\"open\":\"9:00\",\"close\":\"17:00\"}"),
		     "weekly.monday[0]: invalid open time '9:00' (use HH:MM, 00:00 to 23:59)"));
	CHECK(err_is(MON("{\"open\":\"09:60\",\"close\":\"17:00\"}"),
		     "weekly.monday[0]: invalid open time '09:60' (use HH:MM, 00:00 to 23:59)"));
	CHECK(err_is(MON("{\"open\":\"24:00\",\"close\":\"17:00\"}"),
		     "weekly.monday[0]: invalid open time '24:00' (use HH:MM, 00:00 to 23:59)"));
	CHECK(err_is(MON("{\"open\":\"09:00\",\"close\":\"24:01\"}"),
		     "weekly.monday[0]: invalid close time '24:01' (use HH:MM, 00:00 to 24:00)"));
	CHECK(err_is(MON("{\"open\":\"09:00\",\"close\":\" 17:00\"}"),
		     "weekly.monday[0]: invalid close time ' 17:00' (use HH:MM, 00:00 to 24:00)"));
	CHECK(err_is(MON("{\"open\":\"09:00\",\"close\":\"09:00\"}"),
		     "weekly.monday[0]: close time equals open time '09:00'"));
	CHECK(err_is(MON("{\"open\":\"00:00\",\"close\":\"00:00\"}"),
		     "weekly.monday[0]: close time equals open time '00:00'"));
	CHECK(err_is(MON("{\"open\":\"09:00\"}"), "weekly.monday[0]: 'close' must be a string \"HH:MM\""));
	CHECK(err_is(MON("{\"open\":900,\"close\":\"17:00\"}"),
		     "weekly.monday[0]: 'open' must be a string \"HH:MM\""));
	CHECK(err_is(MON("{\"open\":\"09:00\",\"close\":\"17:00\",\"opne\":1}"),
		     "weekly.monday[0]: unknown key 'opne'"));
	CHECK(err_is(MON("\"09:00-17:00\""),
		     "weekly.monday[0]: interval must be an object {\"open\": \"HH:MM\", \"close\": \"HH:MM\"}"));
	CHECK(err_is(MON("{\"open\":\"11:00\",\"close\":\"14:00\"},{\"open\":\"09:00\",\"close\":\"12:00\"}"),
		     "weekly.monday: intervals 09:00-12:00 and 11:00-14:00 overlap"));
	CHECK(err_is(MON("{\"open\":\"22:00\",\"close\":\"06:00\"},{\"open\":\"23:00\",\"close\":\"01:00\"}"),
		     "weekly.monday: intervals 22:00-06:00 and 23:00-01:00 overlap"));
	CHECK(err_is("{\"weekly\":{\"sunday\":[" "{\"open\":\"00:00\",\"close\":\"00:01\"},"
		     "{\"open\":\"00:01\",\"close\":\"00:02\"},{\"open\":\"00:02\",\"close\":\"00:03\"},"
		     "{\"open\":\"00:03\",\"close\":\"00:04\"},{\"open\":\"00:04\",\"close\":\"00:05\"},"
		     "{\"open\":\"00:05\",\"close\":\"00:06\"},{\"open\":\"00:06\",\"close\":\"00:07\"},"
		     "{\"open\":\"00:07\",\"close\":\"00:08\"},{\"open\":\"00:08\",\"close\":\"00:09\"},"
		     "{\"open\":\"00:09\",\"close\":\"00:10\"},{\"open\":\"00:10\",\"close\":\"00:11\"},"
		     "{\"open\":\"00:11\",\"close\":\"00:12\"},{\"open\":\"00:12\",\"close\":\"00:13\"},"
		     "{\"open\":\"00:13\",\"close\":\"00:14\"},{\"open\":\"00:14\",\"close\":\"00:15\"},"
		     "{\"open\":\"00:15\",\"close\":\"00:16\"},{\"open\":\"00:16\",\"close\":\"00:17\"}]}}",
		     "weekly.sunday: more than 16 intervals"));

	CHECK(err_is("{\"exceptions\":{}}", "'exceptions' must be a list"));
	CHECK(err_is("{\"exceptions\":[5]}", "exceptions[0]: must be an object"));
	CHECK(err_is("{\"exceptions\":[{\"closed\":true}]}",
		     "exceptions[0]: 'date' must be a string \"YYYY-MM-DD\""));
	CHECK(err_is("{\"exceptions\":[{\"date\":\"2026-02-29\",\"closed\":true}]}",
		     "exceptions[0]: invalid date '2026-02-29' (use YYYY-MM-DD)"));
	CHECK(err_is("{\"exceptions\":[{\"date\":\"2026-2-3\",\"closed\":true}]}",
		     "exceptions[0]: invalid date '2026-2-3' (use YYYY-MM-DD)"));
	CHECK(err_is("{\"exceptions\":[{\"date\":\"2026-12-25\"}]}",
		     "exceptions[0]: needs exactly one of 'closed', 'hours' and 'open_24h'"));
	CHECK(err_is("{\"exceptions\":[{\"date\":\"2026-12-25\",\"closed\":true,\"open_24h\":true}]}",
		     "exceptions[0]: needs exactly one of 'closed', 'hours' and 'open_24h'"));
	CHECK(err_is("{\"exceptions\":[{\"date\":\"2026-12-25\",\"closed\":false}]}",
		     "exceptions[0]: 'closed' must be true"));
	CHECK(err_is("{\"exceptions\":[{\"date\":\"2026-12-25\",\"open_24h\":1}]}",
		     "exceptions[0]: 'open_24h' must be true"));
	CHECK(err_is("{\"exceptions\":[{\"date\":\"2026-12-25\",\"hours\":\"closed\"}]}",
		     "exceptions[0]: 'hours' must be a list of intervals"));
	CHECK(err_is("{\"exceptions\":[{\"date\":\"2026-12-25\",\"hours\":[{\"open\":\"09:00\",\"close\":\"9\"}]}]}",
		     "exceptions[0].hours[0]: invalid close time '9' (use HH:MM, 00:00 to 24:00)"));
	CHECK(err_is("{\"exceptions\":[{\"date\":\"2026-12-25\",\"closed\":true,\"note\":\"x\"}]}",
		     "exceptions[0]: unknown key 'note'"));
	CHECK(err_is("{\"exceptions\":[{\"date\":\"2026-12-25\",\"closed\":true,\"name\":5}]}",
		     "exceptions[0]: 'name' must be a string"));
	CHECK(err_is("{\"exceptions\":[{\"date\":\"2026-12-25\",\"closed\":true},"
		     "{\"date\":\"2026-12-24\",\"closed\":true},{\"date\":\"2026-12-25\",\"open_24h\":true}]}",
		     "exceptions[2]: duplicate date '2026-12-25'"));

	/* more than OH_MAX_EXCEPTIONS */
	json_t *big = json_pack("{s:[]}", "exceptions");
	for (int i = 0; i <= OH_MAX_EXCEPTIONS; i++) {
		char d[11];
		int64_t y;
		int m, dd;
		tz_civil_from_days(tz_days_from_civil(2026, 1, 1) + i, &y, &m, &dd);
		snprintf(d, sizeof(d), "%04d-%02d-%02d", (int)y, m, dd);
		json_array_append_new(json_object_get(big, "exceptions"),
				      json_pack("{s:s,s:b}", "date", d, "closed", 1));
	}
	char err[128];
	CHECK(officehours_validate(big, err, sizeof(err)) == -1);
	CHECK_STR(err, "'exceptions': more than 1000 entries");
	json_array_remove(json_object_get(big, "exceptions"), 0);
	CHECK(officehours_validate(big, err, sizeof(err)) == 0);
	json_decref(big);

	/* err may be NULL; a small err is truncated, not overrun */
	json_t *j = json_loads("[]", JSON_DECODE_ANY, NULL);
	CHECK(officehours_validate(j, NULL, 0) == -1);
	char small[8];
	CHECK(officehours_validate(j, small, sizeof(small)) == -1);
	CHECK_STR(small, "schedul");
	json_decref(j);
}

TEST(oh_validate_ok)
{
	static const char *good[] = {
		WEEK_9_17, HOLIDAYS, "{}", "{\"weekly\":{}}", "{\"exceptions\":[]}",
		"{\"timezone\":\"UTC\",\"weekly\":{\"saturday\":[],\"sunday\":\"24h\"}}",
		MON("{\"open\":\"00:00\",\"close\":\"24:00\"}"),
		MON("{\"open\":\"23:59\",\"close\":\"00:00\"}"),
		MON("{\"open\":\"09:00\",\"close\":\"12:00\"},{\"open\":\"12:00\",\"close\":\"17:00\"}"),
		MON("{\"open\":\"08:00\",\"close\":\"12:00\"},{\"open\":\"22:00\",\"close\":\"06:00\"}"),
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		json_t *j = json_loads(good[i], 0, NULL);
		char err[256] = "";
		if (!j || officehours_validate(j, err, sizeof(err))) {
			fprintf(stderr, "  rejected %s: %s\n", good[i], err);
			*failed_ = 1;
		}
		json_decref(j);
	}
	/* 00:00-24:00 on a weekday is a whole day */
	CHECK(is(MON("{\"open\":\"00:00\",\"close\":\"24:00\"}"), B, L(B, 2026, 3, 2, 12, 0),
		 OH_OPEN_24H, "", ""));
	/* 23:59-00:00: one minute before midnight */
	CHECK(is(MON("{\"open\":\"23:59\",\"close\":\"00:00\"}"), B, L(B, 2026, 3, 2, 23, 59),
		 OH_OPEN, "", "00:00"));
	CHECK(is(MON("{\"open\":\"23:59\",\"close\":\"00:00\"}"), B, L(B, 2026, 3, 2, 23, 58),
		 OH_CLOSED, "23:59", ""));
}

const struct unit_test officehours_tests[] = {
	T(oh_sentences), T(oh_weekly_basic), T(oh_lunch_break), T(oh_midnight),
	T(oh_exceptions), T(oh_dst_berlin), T(oh_dst_new_york), T(oh_zone_choice),
	T(oh_validate_errors), T(oh_validate_ok), { 0 }
};
