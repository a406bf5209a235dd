/*
 * tz.h - time-zone conversion from TZif files, without the process TZ.
 *
 * Converts between UTC instants (seconds since 1970-01-01 00:00:00 UTC, no
 * leap seconds) and wall-clock time in a named IANA zone such as
 * "Europe/Berlin". Zones are read from TZif files (RFC 8536, versions 1 to 4;
 * the 64-bit data of version 2 and later is used) under /usr/share/zoneinfo,
 * or under the directory given to tz_set_dir(). Instants after the file's
 * last transition follow the POSIX TZ string in its footer, with the RFC 8536
 * extensions (rule times from -167 to 167 hours). Nothing here reads or sets
 * the TZ environment variable or calls localtime, so every function may be
 * called from any thread.
 *
 * A zone name is a relative path of letters, digits and '/', '_', '+', '-':
 * absolute paths, empty components and ".." are refused before any file is
 * opened. "UTC", "Etc/UTC", "GMT" and "Etc/GMT" are built in and need no file.
 * Files carrying leap-second records ("right/...") are refused.
 *
 * Loaded zones are cached for the life of the process under one mutex and
 * are never changed once loaded; a failed lookup is not cached, so a zone
 * installed later is found on the next call. All calls return 0 on success
 * and -1 for an unknown or invalid zone, arguments out of range or an instant
 * beyond +-TZ_MAX_ABS_UTC.
 */
#ifndef TZ_H
#define TZ_H

#include <stddef.h>
#include <stdint.h>

/* Instants accepted: about +-317,000 years around 1970. */
#define TZ_MAX_ABS_UTC INT64_C(10000000000000)

/* Longest abbreviation returned, with its NUL ("CEST", "+0530", "AEDT") */
#define TZ_ABBR_MAX 16

struct tz_local {
	int year;       /* e.g. 2026 (proleptic Gregorian, astronomical) */
	int month;      /* 1..12 */
	int day;        /* 1..31 */
	int hour;       /* 0..23 */
	int min;        /* 0..59 */
	int sec;        /* 0..59 */
	int weekday;    /* 0 = Sunday .. 6 = Saturday */
	int yday;       /* 0..365, day of the year */
	int offset;     /* seconds east of UTC in effect (CEST: 7200) */
	int isdst;      /* 1 when daylight-saving time is in effect */
	char abbr[TZ_ABBR_MAX];
};

/* ---- Zones ---- */

/*
 * Read zones from dir instead of /usr/share/zoneinfo (NULL restores the
 * default) and empty the cache. Meant for tests and start-up: no other
 * thread may be inside a tz_* call meanwhile. -1 when dir is too long.
 */
int tz_set_dir(const char *dir);

/* 1 when zone names a zone that can be loaded, else 0 */
int tz_exists(const char *zone);

/* Free every cached zone (same rule as tz_set_dir: no concurrent callers) */
void tz_cache_clear(void);

/* ---- Conversion ---- */

/*
 * The offset from UTC (seconds east) in effect in zone at instant utc, and
 * its abbreviation copied into abbr (may be NULL; truncated to abbrlen).
 */
int tz_utc_offset(const char *zone, int64_t utc, int *offset_s,
		  char *abbr, size_t abbrlen);

/* The wall-clock time in zone at instant utc */
int tz_to_local(const char *zone, int64_t utc, struct tz_local *out);

/*
 * The instant at which the clocks in zone show y-m-d hour:min:00.
 * Wall times that do not exist (skipped by a DST gap, e.g. 02:30 in Berlin on
 * the last Sunday of March) give the first instant after the gap (the
 * transition itself, 03:00 CEST). Wall times that happen twice (an overlap,
 * e.g. 02:30 on the last Sunday of October) give the earlier instant.
 * Fields must be in range: month 1..12, day 1..days in month, hour 0..23,
 * min 0..59.
 */
int tz_from_local(const char *zone, int y, int m, int d, int hour, int min,
		  int64_t *utc);

/* ---- Calendar arithmetic (proleptic Gregorian, no zone involved) ---- */

/* Days since 1970-01-01 of the civil date y-m-d (m 1..12, d 1..31) */
int64_t tz_days_from_civil(int64_t y, int m, int d);

/* The civil date of a day number from tz_days_from_civil() */
void tz_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* 0 = Sunday .. 6 = Saturday for a day number */
int tz_weekday(int64_t days);

/* Days in month m of year y, 0 when m is out of range */
int tz_days_in_month(int64_t y, int m);

#endif
