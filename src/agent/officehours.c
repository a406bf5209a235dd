/* officehours.c - office-hours schedules: parsing, validation, evaluation (see officehours.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "agent/officehours.h"
#include "base/tz.h"

#define DAY_MIN 1440

static const char *const weekdays[7] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"
};

/* [open, close) in minutes after the opening day's local midnight; close may pass 1440 */
struct oh_iv {
	int open, close;
};

struct oh_day {
	int n;
	struct oh_iv iv[OH_MAX_INTERVALS];
};

struct exc_ref {
	int64_t day;            /* tz_days_from_civil of its date */
	size_t idx;             /* index in "exceptions" */
};

struct oh_sched {
	const char *tz;                 /* "timezone" or NULL */
	struct oh_day week[7];          /* by tz_weekday(): 0 = Sunday */
	const json_t *exceptions;
	struct exc_ref *refs;           /* sorted by day */
	size_t nrefs;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

static int digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Minutes of a strict "HH:MM" up to max_min, else -1 */
static int parse_hhmm(const char *s, int max_min)
{
	if (strlen(s) != 5 || !digits(s, 2) || s[2] != ':' || !digits(s + 3, 2))
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h * 60 + m > max_min)
		return -1;
	return h * 60 + m;
}

/* Day number of a strict "YYYY-MM-DD" (years 1900-9999), 0 on success */
static int parse_date(const char *s, int64_t *day)
{
	if (strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2))
		return -1;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || d < 1 || d > tz_days_in_month(y, m))
		return -1;
	*day = tz_days_from_civil(y, m, d);
	return 0;
}

/* Fixed-width fields, written digit by digit: values are range-checked before */
static void put_digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

static void fmt_hhmm(char out[6], int h, int m)
{
	put_digits(out, (unsigned)h, 2);
	out[2] = ':';
	put_digits(out + 3, (unsigned)m, 2);
	out[5] = '\0';
}

static void fmt_date(char out[11], int y, int m, int d)
{
	put_digits(out, (unsigned)y, 4);
	out[4] = '-';
	put_digits(out + 5, (unsigned)m, 2);
	out[7] = '-';
	put_digits(out + 8, (unsigned)d, 2);
	out[10] = '\0';
}

static void fmt_min(char out[6], int min)
{
	fmt_hhmm(out, min / 60, min % 60);
}

static int cmp_iv(const void *a, const void *b)
{
	const struct oh_iv *x = a, *y = b;
	return (x->open > y->open) - (x->open < y->open);
}

/* A list of intervals; ctx names it in messages ("weekly.monday") */
static int parse_intervals(const json_t *arr, const char *ctx, struct oh_day *out,
			   char *err, size_t errlen)
{
	size_t i;
	const json_t *iv;

	out->n = 0;
	if (json_array_size(arr) > OH_MAX_INTERVALS)
		return fail(err, errlen, "%s: more than %d intervals", ctx, OH_MAX_INTERVALS);
	json_array_foreach(arr, i, iv) {
		const char *key;
		const json_t *v;
		const char *os, *cs;

		if (!json_is_object(iv))
			return fail(err, errlen, "%s[%zu]: interval must be an object "
				    "{\"open\": \"HH:MM\", \"close\": \"HH:MM\"}", ctx, i);
		json_object_foreach((json_t *)iv, key, v)
			if (strcmp(key, "open") && strcmp(key, "close"))
				return fail(err, errlen, "%s[%zu]: unknown key '%s'", ctx, i, key);
		if (!(os = json_string_value(json_object_get(iv, "open"))))
			return fail(err, errlen, "%s[%zu]: 'open' must be a string \"HH:MM\"", ctx, i);
		if (!(cs = json_string_value(json_object_get(iv, "close"))))
			return fail(err, errlen, "%s[%zu]: 'close' must be a string \"HH:MM\"", ctx, i);
		int o = parse_hhmm(os, DAY_MIN - 1), c = parse_hhmm(cs, DAY_MIN);
		if (o < 0)
			return fail(err, errlen, "%s[%zu]: invalid open time '%s' "
				    "(use HH:MM, 00:00 to 23:59)", ctx, i, os);
		if (c < 0)
			return fail(err, errlen, "%s[%zu]: invalid close time '%s' "
				    "(use HH:MM, 00:00 to 24:00)", ctx, i, cs);
		if (c == o)
			return fail(err, errlen, "%s[%zu]: close time equals open time '%s'",
				    ctx, i, os);
		if (c < o)
			c += DAY_MIN;   /* runs into the next day; "00:00" is midnight */
		out->iv[out->n++] = (struct oh_iv){ o, c };
	}
	qsort(out->iv, (size_t)out->n, sizeof(out->iv[0]), cmp_iv);
	for (int k = 1; k < out->n; k++)
		if (out->iv[k - 1].close > out->iv[k].open) {
			char a[6], b[6], c[6], d[6];
			fmt_min(a, out->iv[k - 1].open);
			fmt_min(b, out->iv[k - 1].close % DAY_MIN);
			fmt_min(c, out->iv[k].open);
			fmt_min(d, out->iv[k].close % DAY_MIN);
			return fail(err, errlen, "%s: intervals %s-%s and %s-%s overlap",
				    ctx, a, b, c, d);
		}
	return 0;
}

/* A weekly day: intervals, "closed" or "24h" */
static int parse_weekday(const json_t *v, const char *ctx, struct oh_day *out,
			 char *err, size_t errlen)
{
	const char *s = json_string_value(v);

	out->n = 0;
	if (json_is_array(v))
		return parse_intervals(v, ctx, out, err, errlen);
	if (s && !strcmp(s, "closed"))
		return 0;
	if (s && !strcmp(s, "24h")) {
		out->n = 1;
		out->iv[0] = (struct oh_iv){ 0, DAY_MIN };
		return 0;
	}
	return fail(err, errlen, "%s: must be a list of intervals, \"closed\" or \"24h\"", ctx);
}

/* One exception's hours; *day gets its date */
static int parse_exception(const json_t *e, size_t i, int64_t *day, struct oh_day *out,
			   char *err, size_t errlen)
{
	const char *key, *ds;
	const json_t *v, *closed, *hours, *allday;
	char ctx[48];

	snprintf(ctx, sizeof(ctx), "exceptions[%zu]", i);
	out->n = 0;
	if (!json_is_object(e))
		return fail(err, errlen, "%s: must be an object", ctx);
	json_object_foreach((json_t *)e, key, v)
		if (strcmp(key, "date") && strcmp(key, "closed") && strcmp(key, "hours") &&
		    strcmp(key, "open_24h") && strcmp(key, "name"))
			return fail(err, errlen, "%s: unknown key '%s'", ctx, key);
	if (!(ds = json_string_value(json_object_get(e, "date"))))
		return fail(err, errlen, "%s: 'date' must be a string \"YYYY-MM-DD\"", ctx);
	if (parse_date(ds, day))
		return fail(err, errlen, "%s: invalid date '%s' (use YYYY-MM-DD)", ctx, ds);
	if ((v = json_object_get(e, "name")) && !json_is_string(v))
		return fail(err, errlen, "%s: 'name' must be a string", ctx);
	closed = json_object_get(e, "closed");
	hours = json_object_get(e, "hours");
	allday = json_object_get(e, "open_24h");
	if (!!closed + !!hours + !!allday != 1)
		return fail(err, errlen, "%s: needs exactly one of 'closed', 'hours' and "
			    "'open_24h'", ctx);
	if (closed && !json_is_true(closed))
		return fail(err, errlen, "%s: 'closed' must be true", ctx);
	if (allday && !json_is_true(allday))
		return fail(err, errlen, "%s: 'open_24h' must be true", ctx);
	if (allday) {
		out->n = 1;
		out->iv[0] = (struct oh_iv){ 0, DAY_MIN };
	}
	if (hours) {
		if (!json_is_array(hours))
			return fail(err, errlen, "%s: 'hours' must be a list of intervals", ctx);
		snprintf(ctx, sizeof(ctx), "exceptions[%zu].hours", i);
		return parse_intervals(hours, ctx, out, err, errlen);
	}
	return 0;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct exc_ref *x = a, *y = b;
	return (x->day > y->day) - (x->day < y->day);
}

static void sched_release(struct oh_sched *s)
{
	free(s->refs);
	s->refs = NULL;
	s->nrefs = 0;
}

/* Parse and check the whole schedule; release with sched_release() */
static int sched_parse(const json_t *j, struct oh_sched *s, char *err, size_t errlen)
{
	const char *key;
	const json_t *v, *weekly, *exc, *tzv;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(j))
		return fail(err, errlen, "schedule must be an object");
	json_object_foreach((json_t *)j, key, v)
		if (strcmp(key, "timezone") && strcmp(key, "weekly") && strcmp(key, "exceptions"))
			return fail(err, errlen, "unknown key '%s' (use 'timezone', 'weekly', "
				    "'exceptions')", key);

	if ((tzv = json_object_get(j, "timezone"))) {
		if (!(s->tz = json_string_value(tzv)))
			return fail(err, errlen, "'timezone' must be a string");
		if (strlen(s->tz) >= sizeof(((struct oh_status *)0)->timezone) ||
		    !tz_exists(s->tz))
			return fail(err, errlen, "unknown time zone '%.64s'", s->tz);
	}

	if ((weekly = json_object_get(j, "weekly"))) {
		if (!json_is_object(weekly))
			return fail(err, errlen, "'weekly' must be an object keyed by weekday");
		json_object_foreach((json_t *)weekly, key, v) {
			int wd = 0;
			char ctx[32];
			while (wd < 7 && strcmp(key, weekdays[wd]))
				wd++;
			if (wd == 7)
				return fail(err, errlen, "unknown weekday '%.32s' (use monday to "
					    "sunday, lowercase)", key);
			snprintf(ctx, sizeof(ctx), "weekly.%s", key);
			if (parse_weekday(v, ctx, &s->week[wd], err, errlen))
				return -1;
		}
	}

	if ((exc = json_object_get(j, "exceptions"))) {
		if (!json_is_array(exc))
			return fail(err, errlen, "'exceptions' must be a list");
		if (json_array_size(exc) > OH_MAX_EXCEPTIONS)
			return fail(err, errlen, "'exceptions': more than %d entries",
				    OH_MAX_EXCEPTIONS);
		s->exceptions = exc;
		if (json_array_size(exc) &&
		    !(s->refs = calloc(json_array_size(exc), sizeof(*s->refs))))
			return fail(err, errlen, "out of memory");
		json_array_foreach(exc, i, v) {
			struct oh_day day;
			if (parse_exception(v, i, &s->refs[i].day, &day, err, errlen))
				goto bad;
			s->refs[i].idx = i;
		}
		s->nrefs = json_array_size(exc);
		if (s->nrefs)
			qsort(s->refs, s->nrefs, sizeof(*s->refs), cmp_ref);
		for (i = 1; i < s->nrefs; i++)
			if (s->refs[i].day == s->refs[i - 1].day) {
				size_t later = s->refs[i].idx > s->refs[i - 1].idx ?
					       s->refs[i].idx : s->refs[i - 1].idx;
				fail(err, errlen, "exceptions[%zu]: duplicate date '%s'", later,
				     json_string_value(json_object_get(
					     json_array_get(exc, later), "date")));
				goto bad;
			}
	}
	return 0;
bad:
	sched_release(s);
	return -1;
}

/* The hours of local day `day`; *is_exc tells whether an exception gave them */
static void sched_day(const struct oh_sched *s, int64_t day, struct oh_day *out, int *is_exc)
{
	size_t lo = 0, hi = s->nrefs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->refs[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nrefs && s->refs[lo].day == day) {
		int64_t d;
		/* already checked by sched_parse(), so this cannot fail */
		if (!parse_exception(json_array_get(s->exceptions, s->refs[lo].idx),
				     s->refs[lo].idx, &d, out, NULL, 0)) {
			*is_exc = 1;
			return;
		}
	}
	*out = s->week[tz_weekday(day)];
	*is_exc = 0;
}

int officehours_validate(const json_t *schedule, char *err, size_t errlen)
{
	struct oh_sched s;
	if (sched_parse(schedule, &s, err, errlen))
		return -1;
	sched_release(&s);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Evaluation                                                          */
/* ------------------------------------------------------------------ */

/* Days evaluated: yesterday (carry-over), today, and a week ahead for closes_at */
#define FIRST_DAY (-1)
#define LAST_DAY  7

struct span {
	int64_t start, end;     /* UTC instants, [start, end) */
	int day;                /* FIRST_DAY..LAST_DAY, relative to today */
};

/* The instant of `min` minutes after local midnight of day (may pass 1440) */
static int wall_instant(const char *zone, int64_t day, int min, int64_t *utc)
{
	int64_t y;
	int m, d;
	tz_civil_from_days(day + min / DAY_MIN, &y, &m, &d);
	min %= DAY_MIN;
	return tz_from_local(zone, (int)y, m, d, min / 60, min % 60, utc);
}

/* Extend t through every span that contains or starts at it */
static int64_t stretch_end(const struct span *sp, size_t n, int64_t t)
{
	int grew = 1;
	while (grew) {
		grew = 0;
		for (size_t i = 0; i < n; i++)
			if (sp[i].start <= t && sp[i].end > t) {
				t = sp[i].end;
				grew = 1;
			}
	}
	return t;
}

static void local_hhmm(const char *zone, int64_t t, char hhmm[6], char date[11])
{
	struct tz_local l;
	if (tz_to_local(zone, t, &l))
		return;
	fmt_hhmm(hhmm, l.hour, l.min);
	if (date)
		fmt_date(date, l.year, l.month, l.day);
}

int officehours_status(const json_t *schedule, const char *default_tz, int64_t now_utc,
		       struct oh_status *out)
{
	struct oh_sched s;
	struct span sp[(LAST_DAY - FIRST_DAY + 1) * OH_MAX_INTERVALS];
	size_t nsp = 0;
	struct oh_day today_hours = { 0 };
	struct tz_local now;
	const char *zone;
	int ret = -1;

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (sched_parse(schedule, &s, NULL, 0))
		return -1;
	zone = s.tz ? s.tz : default_tz;
	if (!zone || strlen(zone) >= sizeof(out->timezone) ||
	    tz_to_local(zone, now_utc, &now) || now.year < 1 || now.year > 9990)
		goto out;
	int64_t today = tz_days_from_civil(now.year, now.month, now.day);

	for (int k = FIRST_DAY; k <= LAST_DAY; k++) {
		struct oh_day h;
		int is_exc;
		sched_day(&s, today + k, &h, &is_exc);
		if (k == 0) {
			today_hours = h;
			out->exception = is_exc;
		}
		for (int i = 0; i < h.n; i++) {
			struct span x = { 0, 0, k };
			if (wall_instant(zone, today + k, h.iv[i].open, &x.start) ||
			    wall_instant(zone, today + k, h.iv[i].close, &x.end))
				goto out;
			if (x.end > x.start)    /* not swallowed by a DST gap */
				sp[nsp++] = x;
		}
	}

	int64_t day_start, day_end, horizon;
	if (wall_instant(zone, today, 0, &day_start) ||
	    wall_instant(zone, today + 1, 0, &day_end) ||
	    wall_instant(zone, today + LAST_DAY, 0, &horizon))
		goto out;

	snprintf(out->timezone, sizeof(out->timezone), "%s", zone);
	fmt_date(out->local_date, now.year, now.month, now.day);
	fmt_hhmm(out->local_time, now.hour, now.min);

	int64_t end = stretch_end(sp, nsp, now_utc);
	if (stretch_end(sp, nsp, day_start) >= day_end) {
		out->state = OH_OPEN_24H;
	} else if (end > now_utc) {
		out->state = OH_OPEN;
		if (end < horizon)
			local_hhmm(zone, end, out->closes_at, out->closes_date);
	} else if (today_hours.n == 0) {
		out->state = OH_CLOSED_TODAY;
	} else {
		int64_t next = INT64_MAX;
		out->state = OH_CLOSED;
		for (size_t i = 0; i < nsp; i++)
			if (sp[i].day == 0 && sp[i].start > now_utc && sp[i].start < next)
				next = sp[i].start;
		if (next != INT64_MAX)
			local_hhmm(zone, next, out->opens_at, NULL);
	}
	out->open = out->state == OH_OPEN || out->state == OH_OPEN_24H;
	ret = 0;
out:
	sched_release(&s);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

const char *officehours_sentence(int state)
{
	switch (state) {
	case OH_OPEN:           return "Office is currently open";
	case OH_CLOSED:         return "Office is currently closed";
	case OH_CLOSED_TODAY:   return "Office is closed today";
	case OH_OPEN_24H:       return "Office is open 24 hours today";
	}
	return NULL;
}
