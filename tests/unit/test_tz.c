/* test_tz.c - zone conversion against known instants, synthetic TZif files and glibc. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "test.h"
#include "base/tz.h"

/* UTC instant of a civil date and time */
static int64_t U(int y, int m, int d, int h, int mi, int s)
{
	return tz_days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
}

/* 1 when zone shows y-m-d h:mi:s with offset off and abbreviation ab at t */
static int shows(const char *zone, int64_t t, int y, int m, int d, int h, int mi, int s,
		 int off, const char *ab)
{
	struct tz_local l;
	if (tz_to_local(zone, t, &l))
		return 0;
	int ok = l.year == y && l.month == m && l.day == d && l.hour == h &&
		 l.min == mi && l.sec == s && l.offset == off && (!ab || !strcmp(l.abbr, ab));
	if (!ok)
		fprintf(stderr, "  %s @%lld: %04d-%02d-%02d %02d:%02d:%02d %d %s\n", zone,
			(long long)t, l.year, l.month, l.day, l.hour, l.min, l.sec, l.offset, l.abbr);
	return ok;
}

static int64_t from_local(const char *zone, int y, int m, int d, int h, int mi)
{
	int64_t u = INT64_MIN;
	if (tz_from_local(zone, y, m, d, h, mi, &u))
		return INT64_MIN;
	return u;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- calendar ---- */

TEST(tz_calendar)
{
	CHECK(tz_days_from_civil(1970, 1, 1) == 0);
	CHECK(tz_days_from_civil(2026, 1, 1) * 86400 == 1767225600);
	CHECK(tz_days_from_civil(2000, 3, 1) == 11017);
	CHECK(tz_days_from_civil(1969, 12, 31) == -1);
	CHECK(tz_weekday(tz_days_from_civil(2026, 3, 29)) == 0);  /* Sunday */
	CHECK(tz_weekday(tz_days_from_civil(1970, 1, 1)) == 4);
	CHECK(tz_weekday(tz_days_from_civil(1969, 12, 28)) == 0);
	CHECK(tz_days_in_month(2024, 2) == 29 && tz_days_in_month(2100, 2) == 28 &&
	      tz_days_in_month(2000, 2) == 29 && tz_days_in_month(2026, 13) == 0);
	int bad = 0;
	for (int64_t d = -1000000; d <= 1000000; d += 7) {
		int64_t y;
		int m, dd;
		tz_civil_from_days(d, &y, &m, &dd);
		if (tz_days_from_civil(y, m, dd) != d || dd < 1 || dd > tz_days_in_month(y, m))
			bad++;
	}
	CHECK(bad == 0);
}

/* ---- known instants ---- */

TEST(tz_berlin_spring_forward)
{
	const char *z = "Europe/Berlin";
	CHECK(shows(z, U(2026, 3, 29, 0, 59, 59), 2026, 3, 29, 1, 59, 59, 3600, "CET"));
	CHECK(shows(z, U(2026, 3, 29, 1, 0, 0), 2026, 3, 29, 3, 0, 0, 7200, "CEST"));
	CHECK(from_local(z, 2026, 3, 29, 1, 59) == U(2026, 3, 29, 0, 59, 0));
	/* 02:00-02:59 does not exist: the instant after the gap */
	CHECK(from_local(z, 2026, 3, 29, 2, 0) == U(2026, 3, 29, 1, 0, 0));
	CHECK(from_local(z, 2026, 3, 29, 2, 30) == U(2026, 3, 29, 1, 0, 0));
	CHECK(from_local(z, 2026, 3, 29, 2, 59) == U(2026, 3, 29, 1, 0, 0));
	CHECK(from_local(z, 2026, 3, 29, 3, 0) == U(2026, 3, 29, 1, 0, 0));
	CHECK(from_local(z, 2026, 3, 29, 3, 1) == U(2026, 3, 29, 1, 1, 0));

	int off = 0;
	char ab[8];
	CHECK(tz_utc_offset(z, U(2026, 3, 29, 1, 0, 0), &off, ab, sizeof(ab)) == 0);
	CHECK(off == 7200);
	CHECK_STR(ab, "CEST");
	CHECK(tz_utc_offset(z, U(2026, 3, 29, 0, 59, 59), &off, NULL, 0) == 0 && off == 3600);
	char tiny[3];
	CHECK(tz_utc_offset(z, 0, &off, tiny, sizeof(tiny)) == 0);
	CHECK_STR(tiny, "CE");  /* truncated, still terminated */
}

TEST(tz_berlin_fall_back)
{
	const char *z = "Europe/Berlin";
	struct tz_local l;
	CHECK(shows(z, U(2026, 10, 25, 0, 59, 59), 2026, 10, 25, 2, 59, 59, 7200, "CEST"));
	CHECK(shows(z, U(2026, 10, 25, 1, 0, 0), 2026, 10, 25, 2, 0, 0, 3600, "CET"));
	REQUIRE(tz_to_local(z, U(2026, 10, 25, 1, 0, 0), &l) == 0);
	CHECK(l.isdst == 0 && l.weekday == 0 && l.yday == 297);
	/* 02:00-02:59 happens twice: the earlier instant */
	CHECK(from_local(z, 2026, 10, 25, 2, 0) == U(2026, 10, 25, 0, 0, 0));
	CHECK(from_local(z, 2026, 10, 25, 2, 30) == U(2026, 10, 25, 0, 30, 0));
	CHECK(from_local(z, 2026, 10, 25, 2, 59) == U(2026, 10, 25, 0, 59, 0));
	CHECK(from_local(z, 2026, 10, 25, 3, 0) == U(2026, 10, 25, 2, 0, 0));
	CHECK(from_local(z, 2026, 10, 25, 1, 59) == U(2026, 10, 24, 23, 59, 0));
	/* 1945: double summer time (CEMT, +3) */
	CHECK(shows(z, U(1945, 5, 24, 0, 0, 0), 1945, 5, 24, 3, 0, 0, 10800, "CEMT"));
}

TEST(tz_new_york)
{
	const char *z = "America/New_York";
	CHECK(shows(z, U(2026, 3, 8, 6, 59, 59), 2026, 3, 8, 1, 59, 59, -18000, "EST"));
	CHECK(shows(z, U(2026, 3, 8, 7, 0, 0), 2026, 3, 8, 3, 0, 0, -14400, "EDT"));
	CHECK(shows(z, U(2026, 11, 1, 5, 59, 59), 2026, 11, 1, 1, 59, 59, -14400, "EDT"));
	CHECK(shows(z, U(2026, 11, 1, 6, 0, 0), 2026, 11, 1, 1, 0, 0, -18000, "EST"));
	CHECK(from_local(z, 2026, 3, 8, 2, 30) == U(2026, 3, 8, 7, 0, 0));
	CHECK(from_local(z, 2026, 11, 1, 1, 30) == U(2026, 11, 1, 5, 30, 0));
	CHECK(from_local(z, 2026, 7, 4, 12, 0) == U(2026, 7, 4, 16, 0, 0));
	/* local date behind UTC: New Year's Eve */
	CHECK(shows(z, U(2027, 1, 1, 4, 59, 59), 2026, 12, 31, 23, 59, 59, -18000, "EST"));
}

TEST(tz_kolkata)
{
	const char *z = "Asia/Kolkata";
	CHECK(shows(z, U(2026, 6, 1, 0, 0, 0), 2026, 6, 1, 5, 30, 0, 19800, "IST"));
	CHECK(shows(z, U(2026, 12, 31, 18, 30, 0), 2027, 1, 1, 0, 0, 0, 19800, "IST"));
	CHECK(shows(z, U(2100, 6, 1, 0, 0, 0), 2100, 6, 1, 5, 30, 0, 19800, "IST"));
	CHECK(from_local(z, 2026, 6, 1, 5, 30) == U(2026, 6, 1, 0, 0, 0));
}

TEST(tz_sydney_southern)
{
	const char *z = "Australia/Sydney";
	CHECK(shows(z, U(2026, 1, 15, 0, 0, 0), 2026, 1, 15, 11, 0, 0, 39600, "AEDT"));
	CHECK(shows(z, U(2026, 7, 15, 0, 0, 0), 2026, 7, 15, 10, 0, 0, 36000, "AEST"));
	CHECK(shows(z, U(2026, 4, 4, 15, 59, 59), 2026, 4, 5, 2, 59, 59, 39600, "AEDT"));
	CHECK(shows(z, U(2026, 4, 4, 16, 0, 0), 2026, 4, 5, 2, 0, 0, 36000, "AEST"));
	CHECK(shows(z, U(2026, 10, 3, 15, 59, 59), 2026, 10, 4, 1, 59, 59, 36000, "AEST"));
	CHECK(shows(z, U(2026, 10, 3, 16, 0, 0), 2026, 10, 4, 3, 0, 0, 39600, "AEDT"));
	CHECK(from_local(z, 2026, 10, 4, 2, 15) == U(2026, 10, 3, 16, 0, 0));
	CHECK(from_local(z, 2026, 4, 5, 2, 15) == U(2026, 4, 4, 15, 15, 0));
}

TEST(tz_far_future_footer)
{
	/* past the files' last transition (2037): the POSIX footer decides */
	CHECK(shows("Europe/Berlin", U(2100, 3, 28, 0, 59, 59), 2100, 3, 28, 1, 59, 59, 3600, "CET"));
	CHECK(shows("Europe/Berlin", U(2100, 3, 28, 1, 0, 0), 2100, 3, 28, 3, 0, 0, 7200, "CEST"));
	CHECK(shows("Europe/Berlin", U(2100, 10, 31, 1, 0, 0), 2100, 10, 31, 2, 0, 0, 3600, "CET"));
	CHECK(shows("America/New_York", U(2100, 3, 14, 7, 0, 0), 2100, 3, 14, 3, 0, 0, -14400, "EDT"));
	CHECK(shows("America/New_York", U(2100, 11, 7, 6, 0, 0), 2100, 11, 7, 1, 0, 0, -18000, "EST"));
	CHECK(shows("Australia/Sydney", U(2099, 10, 3, 16, 0, 0), 2099, 10, 4, 3, 0, 0, 39600, "AEDT"));
	CHECK(from_local("Europe/Berlin", 2100, 3, 28, 2, 30) == U(2100, 3, 28, 1, 0, 0));
	CHECK(from_local("Europe/Berlin", 2100, 10, 31, 2, 30) == U(2100, 10, 31, 0, 30, 0));
	CHECK(shows("Europe/Berlin", U(9999, 7, 1, 0, 0, 0), 9999, 7, 1, 2, 0, 0, 7200, "CEST"));
}

TEST(tz_far_past)
{
	CHECK(shows("Europe/Berlin", U(1800, 1, 1, 0, 0, 0), 1800, 1, 1, 0, 53, 28, 3208, "LMT"));
	CHECK(shows("America/New_York", U(1800, 1, 1, 0, 0, 0), 1799, 12, 31, 19, 3, 58, -17762, "LMT"));
	CHECK(shows("Asia/Kolkata", U(1800, 1, 1, 0, 0, 0), 1800, 1, 1, 5, 53, 28, 21208, "LMT"));
	CHECK(shows("Europe/Berlin", U(-2000, 1, 1, 0, 0, 0), -2000, 1, 1, 0, 53, 28, 3208, "LMT"));
	struct tz_local l;
	CHECK(tz_to_local("UTC", -TZ_MAX_ABS_UTC, &l) == 0);
	CHECK(tz_to_local("UTC", TZ_MAX_ABS_UTC + 1, &l) == -1);
	CHECK(tz_to_local("Europe/Berlin", INT64_MIN, &l) == -1);
	CHECK(tz_to_local("Europe/Berlin", INT64_MAX, &l) == -1);
}

TEST(tz_utc_builtin)
{
	CHECK(shows("UTC", 0, 1970, 1, 1, 0, 0, 0, 0, "UTC"));
	CHECK(shows("Etc/UTC", U(2026, 3, 29, 1, 0, 0), 2026, 3, 29, 1, 0, 0, 0, "UTC"));
	CHECK(shows("GMT", U(2026, 3, 29, 1, 0, 0), 2026, 3, 29, 1, 0, 0, 0, "GMT"));
	CHECK(from_local("UTC", 2026, 2, 28, 23, 59) == U(2026, 2, 28, 23, 59, 0));
	CHECK(shows("UTC", -1, 1969, 12, 31, 23, 59, 59, 0, "UTC"));
	struct tz_local l;
	REQUIRE(tz_to_local("UTC", U(2024, 12, 31, 12, 0, 0), &l) == 0);
	CHECK(l.yday == 365 && l.weekday == 2);
}

TEST(tz_invalid_names)
{
	static const char *bad[] = {
		"", "../etc/passwd", "/etc/localtime", "Europe/../Europe/Berlin",
		"Europe//Berlin", "Europe/Berlin/", "Nope/Zone", "Europe/Berlin\n",
		"Europe/Ber lin", "Europe", "zone.tab", "tzdata.zi", "..", ".",
		"Europe/Berlin;rm", "utc/../../etc/passwd", "right/Europe/Berlin",
	};
	struct tz_local l;
	int off;
	int64_t u;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (tz_exists(bad[i]) || tz_to_local(bad[i], 0, &l) != -1 ||
		    tz_utc_offset(bad[i], 0, &off, NULL, 0) != -1 ||
		    tz_from_local(bad[i], 2026, 1, 1, 0, 0, &u) != -1) {
			fprintf(stderr, "  accepted '%s'\n", bad[i]);
			*failed_ = 1;
		}
	}
	char longname[400];
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK(!tz_exists(longname));
	CHECK(!tz_exists(NULL));
	CHECK(tz_to_local(NULL, 0, &l) == -1);
	CHECK(tz_exists("Europe/Berlin") && tz_exists("America/Argentina/Buenos_Aires") &&
	      tz_exists("Etc/GMT+5") && tz_exists("Etc/GMT-14"));
	/* out-of-range fields */
	CHECK(tz_from_local("Europe/Berlin", 2026, 2, 29, 0, 0, &u) == -1);
	CHECK(tz_from_local("Europe/Berlin", 2026, 13, 1, 0, 0, &u) == -1);
	CHECK(tz_from_local("Europe/Berlin", 2026, 1, 1, 24, 0, &u) == -1);
	CHECK(tz_from_local("Europe/Berlin", 2026, 1, 1, 0, 60, &u) == -1);
	CHECK(tz_from_local("Europe/Berlin", 2026, 1, 0, 0, 0, &u) == -1);
	CHECK(tz_from_local("Europe/Berlin", 2024, 2, 29, 0, 0, &u) == 0);
}

/* ---- synthetic TZif files ---- */

struct ttype { int32_t off; int isdst; const char *abbr; };

static void put32(FILE *f, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };
	fwrite(b, 1, 4, f);
}

static void put64(FILE *f, int64_t v)
{
	put32(f, (uint32_t)((uint64_t)v >> 32));
	put32(f, (uint32_t)v);
}

static void block(FILE *f, int v2, size_t nt, const int64_t *tr, const unsigned char *ix,
		  size_t ntypes, const struct ttype *ty, int leap)
{
	char chars[64];
	size_t nch = 0;
	unsigned char ai[16];
	for (size_t i = 0; i < ntypes; i++) {
		ai[i] = (unsigned char)nch;
		size_t n = strlen(ty[i].abbr) + 1;
		memcpy(chars + nch, ty[i].abbr, n);
		nch += n;
	}
	fwrite("TZif", 1, 4, f);
	fputc(v2 ? '2' : 0, f);
	for (int i = 0; i < 15; i++)
		fputc(0, f);
	put32(f, 0);
	put32(f, 0);
	put32(f, (uint32_t)leap);
	put32(f, (uint32_t)nt);
	put32(f, (uint32_t)ntypes);
	put32(f, (uint32_t)nch);
	for (size_t i = 0; i < nt; i++)
		v2 ? put64(f, tr[i]) : put32(f, (uint32_t)tr[i]);
	if (nt)
		fwrite(ix, 1, nt, f);
	for (size_t i = 0; i < ntypes; i++) {
		put32(f, (uint32_t)ty[i].off);
		fputc(ty[i].isdst, f);
		fputc(ai[i], f);
	}
	fwrite(chars, 1, nch, f);
	for (int i = 0; i < leap; i++) {
		v2 ? put64(f, 78796800) : put32(f, 78796800);
		put32(f, 1);
	}
}

/*
 * Write dir/name: a version 1 file when footer is NULL, else version 2 whose
 * 32-bit block is a decoy (one UTC type) so that only the 64-bit data can give
 * the right answers.
 */
static int write_tzif(const char *dir, const char *name, size_t nt, const int64_t *tr,
		      const unsigned char *ix, size_t ntypes, const struct ttype *ty,
		      const char *footer, int leap)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	if (!footer) {
		block(f, 0, nt, tr, ix, ntypes, ty, leap);
	} else {
		static const struct ttype decoy = { 0, 0, "ZZZ" };
		block(f, 1, 0, NULL, NULL, 1, &decoy, 0);
		block(f, 1, nt, tr, ix, ntypes, ty, leap);
		fprintf(f, "\n%s\n", footer);
	}
	return fclose(f);
}

static int write_raw(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(data, 1, len, f);
	return fclose(f);
}

/* Compare zone against glibc's reading of TZ=tzenv at n random instants in [lo, hi) */
static int cross_check(const char *zone, const char *tzenv, int64_t lo, int64_t hi, int n)
{
	int bad = 0;
	setenv("TZ", tzenv, 1);
	tzset();
	for (int i = 0; i < n; i++) {
		int64_t t = lo + (int64_t)(rnd() % (uint64_t)(hi - lo));
		time_t tt = (time_t)t;
		struct tm tm;
		struct tz_local l;
		if (!localtime_r(&tt, &tm) || tz_to_local(zone, t, &l)) {
			bad++;
			continue;
		}
		if (l.year != tm.tm_year + 1900 || l.month != tm.tm_mon + 1 ||
		    l.day != tm.tm_mday || l.hour != tm.tm_hour || l.min != tm.tm_min ||
		    l.sec != tm.tm_sec || l.weekday != tm.tm_wday || l.yday != tm.tm_yday ||
		    l.offset != tm.tm_gmtoff || l.isdst != tm.tm_isdst ||
		    strcmp(l.abbr, tm.tm_zone)) {
			if (bad++ < 5)
				fprintf(stderr, "  %s @%lld: ours %04d-%02d-%02d %02d:%02d:%02d %d %s"
					" glibc %04d-%02d-%02d %02d:%02d:%02d %ld %s\n", zone,
					(long long)t, l.year, l.month, l.day, l.hour, l.min,
					l.sec, l.offset, l.abbr, tm.tm_year + 1900, tm.tm_mon + 1,
					tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
					tm.tm_gmtoff, tm.tm_zone);
		}
	}
	return bad;
}

static void restore_tz(const char *saved)
{
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
}

/* POSIX TZ strings, each served as a transition-free v2 file and as TZ= to glibc */
static const char *const posix_cases[] = {
	"CET-1CEST,M3.5.0,M10.5.0/3",
	"EST5EDT,M3.2.0,M11.1.0",
	"<+0530>-5:30",
	"AEST-10AEDT,M10.1.0,M4.1.0/3",
	"NZST-12NZDT,M9.5.0,M4.1.0/3",
	"IST-1GMT0,M10.5.0,M3.5.0/1",           /* negative DST (Europe/Dublin) */
	"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",     /* negative rule times */
	"XXX3YYY,J60/26,J300/-1",               /* Jn, hours > 24 */
	"ABC-2DEF,59/-30,299/150",              /* zero-based n, -30h and 150h */
	"ABC-2DEF,59/0,365/0",                  /* n = 365 only exists in leap years */
	"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
	"HST10",
	"<-00>0",
	"AAA+3:30:15BBB-4:45:30,M2.5.6/23:59:59,M11.5.6/1:00:01",
};

static char tmpdir[256];

static int make_tmpdir(void)
{
	if (tmpdir[0])
		return 0;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sbtz.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static void rm_tmpdir(void)
{
	/* files left by the synthetic tests; fixed names */
	static const char *names[] = { "P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8",
		"P9", "P10", "P11", "P12", "P13", "P14", "V1", "Trans", "AllYear", "Bad1",
		"Bad2", "Bad3", "Bad4", "Bad5", "Bad6", "Leap", "Dir/Sub", "Dir", "Empty",
		"BadFooter", "NoFooter" };
	char path[512];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		if (unlink(path) && errno == EISDIR)
			rmdir(path);
		rmdir(path);
	}
	rmdir(tmpdir);
	tmpdir[0] = '\0';
}

TEST(tz_posix_footer_vs_glibc)
{
	const char *saved = getenv("TZ");
	char *saved_copy = saved ? strdup(saved) : NULL;
	REQUIRE(make_tmpdir() == 0);
	REQUIRE(tz_set_dir(tmpdir) == 0);
	static const struct ttype t0 = { 0, 0, "T0" };
	int bad = 0;
	for (size_t i = 0; i < sizeof(posix_cases) / sizeof(posix_cases[0]); i++) {
		char name[8];
		snprintf(name, sizeof(name), "P%zu", i);
		REQUIRE(write_tzif(tmpdir, name, 0, NULL, NULL, 1, &t0, posix_cases[i], 0) == 0);
		REQUIRE(tz_exists(name));
		int b = cross_check(name, posix_cases[i], U(1971, 1, 1, 0, 0, 0),
				    U(2200, 1, 1, 0, 0, 0), 400);
		/* and densely around the transitions of 2024 (a leap year) and 2026 */
		b += cross_check(name, posix_cases[i], U(2024, 1, 1, 0, 0, 0),
				 U(2027, 1, 1, 0, 0, 0), 400);
		if (b)
			fprintf(stderr, "  footer '%s': %d mismatches\n", posix_cases[i], b);
		bad += b;
	}
	CHECK(bad == 0);

	/* abbreviations from <...> and a fixed offset with minutes */
	int off;
	char ab[TZ_ABBR_MAX];
	CHECK(tz_utc_offset("P2", U(2100, 1, 1, 0, 0, 0), &off, ab, sizeof(ab)) == 0);
	CHECK(off == 19800);
	CHECK_STR(ab, "+0530");

	/*
	 * All-year DST: DST from Jan 1 00:00 to Dec 31 25:00 means always DST.
	 * (glibc shows standard time for the last hour of each year; tzcode and
	 * this module do not.)
	 */
	REQUIRE(write_tzif(tmpdir, "AllYear", 0, NULL, NULL, 1, &t0, "EST5EDT,0/0,J365/25", 0) == 0);
	int nondst = 0;
	for (int y = 2020; y < 2040; y++)
		for (int64_t t = U(y, 12, 31, 22, 0, 0); t < U(y + 1, 1, 1, 8, 0, 0); t += 600) {
			struct tz_local l;
			if (tz_to_local("AllYear", t, &l) || !l.isdst || l.offset != -14400)
				nondst++;
		}
	CHECK(nondst == 0);

	/* DST ending just past New Year belongs to the year before (glibc errs here) */
	REQUIRE(write_tzif(tmpdir, "Trans", 0, NULL, NULL, 1, &t0, "XXX3YYY,J60/0,J365/25", 0) == 0);
	tz_cache_clear();
	CHECK(shows("Trans", U(2027, 1, 1, 2, 59, 59), 2027, 1, 1, 0, 59, 59, -7200, "YYY"));
	CHECK(shows("Trans", U(2027, 1, 1, 3, 0, 0), 2027, 1, 1, 0, 0, 0, -10800, "XXX"));
	CHECK(shows("Trans", U(2027, 2, 28, 12, 0, 0), 2027, 2, 28, 9, 0, 0, -10800, "XXX"));
	CHECK(shows("Trans", U(2027, 3, 1, 3, 0, 0), 2027, 3, 1, 1, 0, 0, -7200, "YYY"));

	restore_tz(saved_copy);
	free(saved_copy);
	tz_set_dir(NULL);
}

TEST(tz_tzif_versions)
{
	REQUIRE(make_tmpdir() == 0);
	REQUIRE(tz_set_dir(tmpdir) == 0);
	const struct ttype ty[] = { { 3600, 0, "AAA" }, { 7200, 1, "BBB" }, { -1800, 0, "CCC" } };
	const int64_t tr[] = { 100000, 200000, 300000 };
	const unsigned char ix[] = { 1, 0, 2 };

	/* version 1: 32-bit data, no footer, last type holds after the last transition */
	REQUIRE(write_tzif(tmpdir, "V1", 3, tr, ix, 3, ty, NULL, 0) == 0);
	CHECK(shows("V1", 99999, 1970, 1, 2, 4, 46, 39, 3600, "AAA"));
	CHECK(shows("V1", 100000, 1970, 1, 2, 5, 46, 40, 7200, "BBB"));
	CHECK(shows("V1", 250000, 1970, 1, 3, 22, 26, 40, 3600, "AAA"));
	CHECK(shows("V1", U(2500, 1, 1, 0, 0, 0), 2499, 12, 31, 23, 30, 0, -1800, "CCC"));

	/* version 2: 64-bit transitions beyond 2038, then the footer */
	const int64_t tr64[] = { -5000000000LL, 4102444800LL /* 2100-01-01 */ };
	const unsigned char ix64[] = { 1, 0 };
	REQUIRE(write_tzif(tmpdir, "Trans", 2, tr64, ix64, 3, ty, "CCC0:30", 0) == 0);
	CHECK(shows("Trans", -5000000001LL, 1811, 7, 23, 16, 6, 39, 3600, "AAA"));
	CHECK(shows("Trans", -5000000000LL, 1811, 7, 23, 17, 6, 40, 7200, "BBB"));
	CHECK(shows("Trans", 4102444799LL, 2100, 1, 1, 1, 59, 59, 7200, "BBB"));
	CHECK(shows("Trans", 4102444800LL, 2100, 1, 1, 1, 0, 0, 3600, "AAA"));
	CHECK(shows("Trans", 4102444801LL, 2099, 12, 31, 23, 30, 1, -1800, "CCC"));

	/* an empty footer: the last transition's type goes on */
	REQUIRE(write_tzif(tmpdir, "NoFooter", 2, tr64, ix64, 3, ty, "", 0) == 0);
	CHECK(shows("NoFooter", U(2300, 1, 1, 0, 0, 0), 2300, 1, 1, 1, 0, 0, 3600, "AAA"));

	/* directories below the zone dir */
	char sub[512];
	snprintf(sub, sizeof(sub), "%s/Dir", tmpdir);
	REQUIRE(mkdir(sub, 0700) == 0);
	REQUIRE(write_tzif(tmpdir, "Dir/Sub", 0, NULL, NULL, 1, ty, "AAA-1", 0) == 0);
	CHECK(shows("Dir/Sub", 0, 1970, 1, 1, 1, 0, 0, 3600, "AAA"));
	CHECK(!tz_exists("Dir"));

	/* the built-in zones need no file */
	CHECK(tz_exists("UTC") && tz_exists("Etc/UTC"));
	CHECK(!tz_exists("Europe/Berlin"));
	tz_set_dir(NULL);
	CHECK(tz_exists("Europe/Berlin"));
}

TEST(tz_tzif_rejects)
{
	REQUIRE(make_tmpdir() == 0);
	REQUIRE(tz_set_dir(tmpdir) == 0);
	const struct ttype ty[] = { { 3600, 0, "AAA" }, { 7200, 1, "BBB" } };
	const int64_t tr[] = { 100, 200 }, desc[] = { 200, 100 };
	const unsigned char ix[] = { 0, 1 }, badix[] = { 0, 7 };
	const struct ttype hugeoff[] = { { 30 * 3600, 0, "AAA" } };

	REQUIRE(write_tzif(tmpdir, "Bad1", 2, desc, ix, 2, ty, "AAA-1", 0) == 0);
	REQUIRE(write_tzif(tmpdir, "Bad2", 2, tr, badix, 2, ty, "AAA-1", 0) == 0);
	REQUIRE(write_tzif(tmpdir, "Bad3", 0, NULL, NULL, 1, hugeoff, "AAA-1", 0) == 0);
	REQUIRE(write_tzif(tmpdir, "BadFooter", 2, tr, ix, 2, ty, "AAA-1BBB,M13.1.0,M1.1.0", 0) == 0);
	REQUIRE(write_tzif(tmpdir, "Leap", 2, tr, ix, 2, ty, "AAA-1", 1) == 0);
	REQUIRE(write_raw(tmpdir, "Bad4", "TZif2", 5) == 0);
	REQUIRE(write_raw(tmpdir, "Bad5", "not a zone file at all, just some text here!!", 46) == 0);
	REQUIRE(write_raw(tmpdir, "Empty", "", 0) == 0);
	/* a v2 header whose counts run past the end of the file */
	unsigned char trunc[44] = "TZif2";
	trunc[35] = 50;         /* timecnt */
	trunc[39] = 1;          /* typecnt */
	trunc[43] = 4;          /* charcnt */
	REQUIRE(write_raw(tmpdir, "Bad6", trunc, sizeof(trunc)) == 0);

	static const char *names[] = { "Bad1", "Bad2", "Bad3", "Bad4", "Bad5", "Bad6",
				       "Empty", "BadFooter", "Leap" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (tz_exists(names[i])) {
			fprintf(stderr, "  accepted file '%s'\n", names[i]);
			*failed_ = 1;
		}

	/* bad footers, straight through a file each */
	static const char *footers[] = {
		"AB-1", "CET", "CET-1CEST,M3.5.0", "CET-1CEST,M3.6.0,M10.5.0",
		"CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J100", "CET-1CEST,J366,J100",
		"CET-1CEST,366,1", "CET-1CEST,M3.5.0/168,M10.5.0", "CET-25",
		"<+05", "<>5", "CET-1CEST,M3.5.0,M10.5.0x", "CET-1:60",
	};
	int accepted = 0;
	for (size_t i = 0; i < sizeof(footers) / sizeof(footers[0]); i++) {
		REQUIRE(write_tzif(tmpdir, "BadFooter", 0, NULL, NULL, 1, ty, footers[i], 0) == 0);
		tz_cache_clear();
		if (tz_exists("BadFooter")) {
			fprintf(stderr, "  accepted footer '%s'\n", footers[i]);
			accepted++;
		}
	}
	CHECK(accepted == 0);
	/* and a good one in the same file is found once the cache is cleared */
	REQUIRE(write_tzif(tmpdir, "BadFooter", 0, NULL, NULL, 1, ty, "CET-1CEST,M3.5.0,M10.5.0/3", 0) == 0);
	tz_cache_clear();
	CHECK(tz_exists("BadFooter"));
	tz_set_dir(NULL);
}

/* ---- real zones against glibc ---- */

static const char *const real_zones[] = {
	"Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney",
	"Europe/London", "Europe/Dublin", "America/Sao_Paulo", "Pacific/Apia",
	"Pacific/Chatham", "Australia/Lord_Howe", "Asia/Tehran", "America/St_Johns",
	"Africa/Casablanca", "America/Santiago", "Antarctica/Troll", "America/Havana",
	"Asia/Kathmandu", "America/Los_Angeles", "Europe/Moscow", "Pacific/Kiritimati",
};

TEST(tz_glibc_cross_check)
{
	const char *saved = getenv("TZ");
	char *saved_copy = saved ? strdup(saved) : NULL;
	int bad = 0, checked = 0;
	for (size_t i = 0; i < sizeof(real_zones) / sizeof(real_zones[0]); i++) {
		if (!tz_exists(real_zones[i]))
			continue;       /* tzdata without this zone */
		int b = cross_check(real_zones[i], real_zones[i], U(1900, 1, 1, 0, 0, 0),
				    U(2150, 1, 1, 0, 0, 0), 300);
		b += cross_check(real_zones[i], real_zones[i], U(2020, 1, 1, 0, 0, 0),
				 U(2040, 1, 1, 0, 0, 0), 200);
		checked += 500;
		if (b)
			fprintf(stderr, "  zone '%s': %d mismatches\n", real_zones[i], b);
		bad += b;
	}
	CHECK(checked >= 4 * 500);
	CHECK(bad == 0);
	restore_tz(saved_copy);
	free(saved_copy);
}

/* to_local then from_local gives the instant back, or an earlier one at the same wall time */
TEST(tz_round_trip)
{
	int bad = 0;
	for (size_t i = 0; i < sizeof(real_zones) / sizeof(real_zones[0]); i++) {
		const char *z = real_zones[i];
		if (!tz_exists(z))
			continue;
		for (int n = 0; n < 300; n++) {
			int64_t t = U(1971, 1, 1, 0, 0, 0) +
				    (int64_t)(rnd() % (uint64_t)(U(2120, 1, 1, 0, 0, 0) - U(1971, 1, 1, 0, 0, 0)));
			t -= ((t % 60) + 60) % 60;
			struct tz_local l, l2;
			int64_t u;
			if (tz_to_local(z, t, &l) || l.sec != 0 ||
			    tz_from_local(z, l.year, l.month, l.day, l.hour, l.min, &u) ||
			    tz_to_local(z, u, &l2) || u > t || l2.hour != l.hour ||
			    l2.min != l.min || l2.day != l.day) {
				if (bad++ < 5)
					fprintf(stderr, "  round trip '%s' @%lld\n", z, (long long)t);
			}
		}
	}
	CHECK(bad == 0);
}

/* Every wall minute of Berlin's and New York's transition days maps sensibly */
TEST(tz_from_local_transition_days)
{
	static const struct { const char *z; int y, m, d; } days[] = {
		{ "Europe/Berlin", 2026, 3, 29 }, { "Europe/Berlin", 2026, 10, 25 },
		{ "America/New_York", 2026, 3, 8 }, { "America/New_York", 2026, 11, 1 },
		{ "Pacific/Apia", 2011, 12, 30 },       /* a whole day skipped */
		{ "Australia/Lord_Howe", 2026, 4, 5 },  /* 30-minute DST */
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		int64_t prev = INT64_MIN;
		for (int mins = 0; mins < 1440; mins++) {
			int64_t u;
			struct tz_local l;
			if (tz_from_local(days[i].z, days[i].y, days[i].m, days[i].d,
					  mins / 60, mins % 60, &u) || tz_to_local(days[i].z, u, &l)) {
				bad++;
				continue;
			}
			int shown = l.hour * 60 + l.min;
			int sameday = l.day == days[i].d;
			/* exact, or (in a gap) the first instant after it */
			if (sameday && shown == mins) {
				/* the earlier of two: an hour before must not show the same */
				struct tz_local e;
				for (int back = 15; back <= 60; back += 15)
					if (!tz_to_local(days[i].z, u - back * 60, &e) &&
					    e.hour == l.hour && e.min == l.min && e.day == l.day)
						bad++;
			} else {
				struct tz_local before;
				tz_to_local(days[i].z, u - 1, &before);
				int bmins = before.hour * 60 + before.min;
				if (!(bmins < mins || before.day != l.day) ||
				    !(shown > mins || !sameday))
					bad++;
			}
			if (u < prev)
				bad++;
			prev = u;
		}
	}
	CHECK(bad == 0);
	CHECK(from_local("Pacific/Apia", 2011, 12, 30, 12, 0) == U(2011, 12, 30, 10, 0, 0));
}

static void *thread_main(void *arg)
{
	int *bad = arg;
	for (int i = 0; i < 2000; i++) {
		const char *z = real_zones[i % 8];
		struct tz_local l;
		if (tz_to_local(z, U(2026, 1 + i % 12, 1, 12, 0, 0), &l))
			(*bad)++;
	}
	return NULL;
}

TEST(tz_threads)
{
	tz_cache_clear();
	pthread_t th[8];
	int bad[8] = { 0 };
	for (int i = 0; i < 8; i++)
		REQUIRE(pthread_create(&th[i], NULL, thread_main, &bad[i]) == 0);
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		CHECK(bad[i] == 0);
	}
	rm_tmpdir();
}

const struct unit_test tz_tests[] = {
	T(tz_calendar), T(tz_berlin_spring_forward), T(tz_berlin_fall_back), T(tz_new_york),
	T(tz_kolkata), T(tz_sydney_southern), T(tz_far_future_footer), T(tz_far_past),
	T(tz_utc_builtin), T(tz_invalid_names), T(tz_posix_footer_vs_glibc),
	T(tz_tzif_versions), T(tz_tzif_rejects), T(tz_glibc_cross_check), T(tz_round_trip),
	T(tz_from_local_transition_days), T(tz_threads), { 0 }
};
