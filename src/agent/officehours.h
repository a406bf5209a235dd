/*
 * officehours.h - an assistant's office hours: validation and "is it open now".
 *
 * A schedule is a JSON object (jansson); the caller owns it and nothing here
 * keeps a reference. Example:
 *
 *   { "timezone": "Europe/Berlin",
 *     "weekly": { "monday":   [{"open": "09:00", "close": "12:00"},
 *                              {"open": "13:00", "close": "17:00"}],
 *                 "friday":   [{"open": "22:00", "close": "06:00"}],
 *                 "saturday": "closed",
 *                 "sunday":   "24h" },
 *     "exceptions": [ {"date": "2026-12-25", "closed": true, "name": "Christmas"},
 *                     {"date": "2026-12-24", "hours": [{"open": "09:00", "close": "12:00"}]},
 *                     {"date": "2026-12-31", "open_24h": true} ] }
 *
 * Keys:
 *   timezone    optional IANA zone; without it the caller's default (the
 *               account's zone) is used.
 *   weekly      optional object keyed by lowercase English weekday names;
 *               each day is a list of intervals, "closed" (same as []) or
 *               "24h". A day left out is closed.
 *   exceptions  optional list of dated days (at most OH_MAX_EXCEPTIONS, no
 *               date twice), each with "date" ("YYYY-MM-DD") and exactly one
 *               of "closed": true, "hours": [intervals] or "open_24h": true;
 *               "name" (a string) may label it.
 * An interval is {"open": "HH:MM", "close": "HH:MM"}, two digits each: open
 * 00:00-23:59, close 00:00-24:00 and not equal to open. A close earlier than
 * the open (22:00-06:00) or "00:00" means the interval belongs to the day it
 * opens and runs into the next day. Intervals of one day may touch but not
 * overlap (at most OH_MAX_INTERVALS a day). Unknown keys are errors, so a
 * typo never silently means "closed".
 *
 * Evaluation rules:
 *   - Everything is in local wall-clock time of the zone: 09:00-17:00 opens
 *     when the office clock shows 09:00 and closes when it shows 17:00, also on
 *     DST change days. A time the clocks skip (02:30 on a spring-forward day)
 *     takes effect when the clocks jump past it (03:00); a time that happens
 *     twice takes effect at its first occurrence.
 *   - The day's hours are its exception when one has the local date, else the
 *     weekly entry for its weekday. This holds for yesterday too.
 *   - An interval carried over from yesterday (22:00-06:00 seen at 02:00)
 *     counts as open now, even when today itself is closed.
 *   - Touching intervals are one stretch: closes_at is the end of the whole
 *     stretch, possibly on a later day (see closes_date).
 */
#ifndef OFFICEHOURS_H
#define OFFICEHOURS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define OH_MAX_INTERVALS  16
#define OH_MAX_EXCEPTIONS 1000

enum oh_state {
	OH_OPEN,                /* open now */
	OH_CLOSED,              /* closed now, but today has opening hours */
	OH_CLOSED_TODAY,        /* today has no opening hours (closed day, holiday) */
	OH_OPEN_24H,            /* open for the whole of today */
};

struct oh_status {
	int state;              /* enum oh_state */
	int open;               /* 1 for OH_OPEN and OH_OPEN_24H */
	/* OH_CLOSED: the next opening later today; else "" */
	char opens_at[6];       /* "HH:MM" */
	/*
	 * OH_OPEN: when the current stretch ends, and its local date (today or
	 * a later day). "" for the other states, and when the stretch runs on
	 * for a week or more.
	 */
	char closes_at[6];      /* "HH:MM" */
	char closes_date[11];   /* "YYYY-MM-DD" */
	int exception;          /* 1 when a dated exception decides today's hours */
	char timezone[64];      /* the zone used */
	char local_date[11];    /* now, in that zone: "YYYY-MM-DD" */
	char local_time[6];     /* "HH:MM" */
};

/*
 * 0 when schedule is well formed, else -1 with a lowercase message in err,
 * e.g. "weekly.monday[0]: invalid open time '25:00' (use HH:MM, 00:00 to
 * 23:59)". A "timezone" in the schedule must name a known zone.
 */
int officehours_validate(const json_t *schedule, char *err, size_t errlen);

/*
 * The office's state at instant now_utc (seconds since the epoch). The zone
 * is the schedule's "timezone", else default_tz. -1 (out zeroed) when the
 * schedule is invalid, there is no known zone, or now_utc is outside the
 * years 1 to 9990.
 */
int officehours_status(const json_t *schedule, const char *default_tz,
		       int64_t now_utc, struct oh_status *out);

/*
 * The sentence for a state, exactly one of "Office is currently open",
 * "Office is currently closed", "Office is closed today" and "Office is open
 * 24 hours today"; NULL for a value outside enum oh_state.
 */
const char *officehours_sentence(int state);

#endif
