/* tz.c - TZif reader, POSIX TZ rules and wall-clock conversion (see tz.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/tz.h"

#define TZ_DEFAULT_DIR  "/usr/share/zoneinfo"
#define TZ_NAME_MAX     255
#define TZ_FILE_MAX     (256 * 1024)    /* real TZif files are < 4 KiB */
#define TZ_CACHE_MAX    4096            /* more than the zones in any tzdata */
#define TZ_OFFSET_MAX   (26 * 3600)     /* larger UT offsets are refused */
#define SECS_PER_DAY    86400

/* ------------------------------------------------------------------ */
/* Calendar arithmetic (Howard Hinnant's days_from_civil and inverse)  */
/* ------------------------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int64_t tz_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void tz_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = mm;
	*y = yoe + era * 400 + (mm <= 2);
}

int tz_weekday(int64_t days)
{
	int64_t w = (days + 4) % 7;     /* 1970-01-01 was a Thursday */
	return (int)(w < 0 ? w + 7 : w);
}

int tz_days_in_month(int64_t y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12)
		return 0;
	return dim[m - 1] + (m == 2 && is_leap(y));
}

/* ------------------------------------------------------------------ */
/* POSIX TZ strings (the TZif footer)                                  */
/* ------------------------------------------------------------------ */

enum rule_kind { RULE_JULIAN1, RULE_JULIAN0, RULE_MONTH };

struct tz_rule {
	enum rule_kind kind;
	int day;        /* Jn: 1..365, n: 0..365 */
	int mon, week, wday;
	int32_t time;   /* seconds after local midnight, -167h..167h */
};

struct tz_posix {
	int32_t std_off, dst_off;       /* seconds east of UTC */
	char std_abbr[TZ_ABBR_MAX], dst_abbr[TZ_ABBR_MAX];
	int has_dst;
	struct tz_rule start, end;
};

static const char *parse_abbr(const char *p, char *out)
{
	size_t n = 0;
	if (*p == '<') {
		p++;
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		       (*p >= '0' && *p <= '9') || *p == '+' || *p == '-') {
			if (n + 1 >= TZ_ABBR_MAX)
				return NULL;
			out[n++] = *p++;
		}
		if (*p != '>' || n < 1)
			return NULL;
		p++;
	} else {
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
			if (n + 1 >= TZ_ABBR_MAX)
				return NULL;
			out[n++] = *p++;
		}
		if (n < 3)
			return NULL;
	}
	out[n] = '\0';
	return p;
}

static const char *parse_num(const char *p, int lo, int hi, int *out)
{
	int v = 0, digits = 0;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		if (++digits > 3)
			return NULL;
	}
	if (!digits || v < lo || v > hi)
		return NULL;
	*out = v;
	return p;
}

/* [+-]hh[:mm[:ss]] with hh up to maxh; result in seconds, sign applied */
static const char *parse_hms(const char *p, int maxh, int32_t *out)
{
	int sign = 1, h, m = 0, s = 0;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (!(p = parse_num(p, 0, maxh, &h)))
		return NULL;
	if (*p == ':') {
		if (!(p = parse_num(p + 1, 0, 59, &m)))
			return NULL;
		if (*p == ':' && !(p = parse_num(p + 1, 0, 59, &s)))
			return NULL;
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *parse_rule(const char *p, struct tz_rule *r)
{
	if (*p == 'J') {
		r->kind = RULE_JULIAN1;
		p = parse_num(p + 1, 1, 365, &r->day);
	} else if (*p == 'M') {
		r->kind = RULE_MONTH;
		if ((p = parse_num(p + 1, 1, 12, &r->mon)) && *p == '.' &&
		    (p = parse_num(p + 1, 1, 5, &r->week)) && *p == '.')
			p = parse_num(p + 1, 0, 6, &r->wday);
		else
			p = NULL;
	} else {
		r->kind = RULE_JULIAN0;
		p = parse_num(p, 0, 365, &r->day);
	}
	if (!p)
		return NULL;
	r->time = 2 * 3600;
	if (*p == '/')
		p = parse_hms(p + 1, 167, &r->time);
	return p;
}

/* 0 when s is a complete, valid TZ string; offsets flip to "east" */
static int parse_posix(const char *s, struct tz_posix *tp)
{
	const char *p = s;
	int32_t off;

	memset(tp, 0, sizeof(*tp));
	if (!(p = parse_abbr(p, tp->std_abbr)) || !(p = parse_hms(p, 24, &off)))
		return -1;
	tp->std_off = -off;
	if (!*p)
		return 0;
	if (!(p = parse_abbr(p, tp->dst_abbr)))
		return -1;
	tp->has_dst = 1;
	tp->dst_off = tp->std_off + 3600;
	if (*p && *p != ',') {
		if (!(p = parse_hms(p, 24, &off)))
			return -1;
		tp->dst_off = -off;
	}
	if (!*p) {
		/* no rule: the US rules, as glibc and tzcode assume */
		tp->start = (struct tz_rule){ RULE_MONTH, 0, 3, 2, 0, 7200 };
		tp->end = (struct tz_rule){ RULE_MONTH, 0, 11, 1, 0, 7200 };
		return 0;
	}
	if (*p != ',' || !(p = parse_rule(p + 1, &tp->start)) ||
	    *p != ',' || !(p = parse_rule(p + 1, &tp->end)) || *p)
		return -1;
	return 0;
}

/* Local seconds (since the epoch, as if local time were UTC) of rule r in year y */
static int64_t rule_local(const struct tz_rule *r, int64_t y)
{
	int64_t days = tz_days_from_civil(y, 1, 1);
	switch (r->kind) {
	case RULE_JULIAN1:      /* Jn: February 29 is never counted */
		days += r->day - 1 + (is_leap(y) && r->day >= 60);
		break;
	case RULE_JULIAN0:
		days += r->day;
		break;
	case RULE_MONTH: {
		int64_t first = tz_days_from_civil(y, r->mon, 1);
		int md = 1 + (r->wday - tz_weekday(first) + 7) % 7 + (r->week - 1) * 7;
		int dim = tz_days_in_month(y, r->mon);
		while (md > dim)
			md -= 7;
		days = first + md - 1;
		break;
	}
	}
	return days * SECS_PER_DAY + r->time;
}

/*
 * The state at t: the latest of the transitions of the years around t.
 * Looking at three years covers rules whose times push a transition into a
 * neighbouring year; on a tie the later-generated one wins, which keeps
 * all-year DST ("EST5EDT,0/0,J365/25") in DST across New Year.
 */
static int posix_isdst(const struct tz_posix *tp, int64_t t)
{
	int64_t y, best = INT64_MIN;
	int m, d, dst = 0;

	if (!tp->has_dst)
		return 0;
	tz_civil_from_days(floor_div(t + tp->std_off, SECS_PER_DAY), &y, &m, &d);
	for (int64_t yy = y - 1; yy <= y + 1; yy++) {
		int64_t s = rule_local(&tp->start, yy) - tp->std_off;
		int64_t e = rule_local(&tp->end, yy) - tp->dst_off;
		if (s <= t && s >= best) {
			best = s;
			dst = 1;
		}
		if (e <= t && e >= best) {
			best = e;
			dst = 0;
		}
	}
	return dst;
}

/* ------------------------------------------------------------------ */
/* Zones and TZif files                                                */
/* ------------------------------------------------------------------ */

struct tz_type {
	int32_t off;
	int isdst;
	char abbr[TZ_ABBR_MAX];
};

struct tz_zone {
	struct tz_zone *next;
	char *name;
	size_t ntrans, ntypes;
	int64_t *trans;         /* ascending */
	uint8_t *tidx;          /* type index of each transition */
	struct tz_type *types;
	int has_posix;
	struct tz_posix posix;
};

static struct tz_type utc_type = { 0, 0, "UTC" }, gmt_type = { 0, 0, "GMT" };
static struct tz_zone zone_utc = { .name = "UTC", .ntypes = 1, .types = &utc_type };
static struct tz_zone zone_gmt = { .name = "GMT", .ntypes = 1, .types = &gmt_type };

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz_zone *cache;
static size_t cache_len;
static char zone_dir[PATH_MAX] = TZ_DEFAULT_DIR;

static void zone_free(struct tz_zone *z)
{
	if (!z)
		return;
	free(z->name);
	free(z->trans);
	free(z->tidx);
	free(z->types);
	free(z);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_hdr {
	int version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static int read_hdr(const unsigned char *p, size_t len, struct tzif_hdr *h)
{
	if (len < 44 || memcmp(p, "TZif", 4))
		return -1;
	h->version = p[4] ? p[4] : '1';
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0 ||
	    h->timecnt > 100000 || h->charcnt > 4096 || h->leapcnt > 10000 ||
	    (h->isutcnt && h->isutcnt != h->typecnt) ||
	    (h->isstdcnt && h->isstdcnt != h->typecnt))
		return -1;
	return 0;
}

static size_t data_len(const struct tzif_hdr *h, size_t tsize)
{
	return h->timecnt * tsize + h->timecnt + h->typecnt * 6 + h->charcnt +
	       h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

/* Decode one TZif image; the returned zone has no name yet */
static struct tz_zone *parse_tzif(const unsigned char *p, size_t len)
{
	struct tzif_hdr h;
	struct tz_zone *z = NULL;
	size_t tsize = 4;

	if (read_hdr(p, len, &h))
		return NULL;
	if (h.version >= '2') {
		/* skip the 32-bit block; the second header describes 64-bit data */
		size_t skip = 44 + data_len(&h, 4);
		if (skip > len)
			return NULL;
		p += skip;
		len -= skip;
		if (read_hdr(p, len, &h))
			return NULL;
		tsize = 8;
	}
	if (h.leapcnt)
		return NULL;    /* "right/" zones count leap seconds: refused */
	if (44 + data_len(&h, tsize) > len)
		return NULL;
	p += 44;
	len -= 44;

	if (!(z = calloc(1, sizeof(*z))))
		return NULL;
	z->ntrans = h.timecnt;
	z->ntypes = h.typecnt;
	z->trans = malloc((h.timecnt ? h.timecnt : 1) * sizeof(*z->trans));
	z->tidx = malloc(h.timecnt ? h.timecnt : 1);
	z->types = calloc(h.typecnt, sizeof(*z->types));
	if (!z->trans || !z->tidx || !z->types)
		goto fail;

	const unsigned char *tp = p, *ip = tp + h.timecnt * tsize;
	const unsigned char *ty = ip + h.timecnt, *ch = ty + h.typecnt * 6;
	for (size_t i = 0; i < h.timecnt; i++) {
		z->trans[i] = tsize == 8 ? be64(tp + i * 8) : (int32_t)be32(tp + i * 4);
		z->tidx[i] = ip[i];
		if (ip[i] >= h.typecnt || (i && z->trans[i] <= z->trans[i - 1]))
			goto fail;
	}
	for (size_t i = 0; i < h.typecnt; i++) {
		const unsigned char *e = ty + i * 6;
		int32_t off = (int32_t)be32(e);
		unsigned ai = e[5];
		if (off < -TZ_OFFSET_MAX || off > TZ_OFFSET_MAX || e[4] > 1 ||
		    ai >= h.charcnt || !memchr(ch + ai, '\0', h.charcnt - ai))
			goto fail;
		z->types[i].off = off;
		z->types[i].isdst = e[4];
		snprintf(z->types[i].abbr, TZ_ABBR_MAX, "%s", (const char *)ch + ai);
	}
	p += data_len(&h, tsize);
	len -= data_len(&h, tsize);

	/* footer: "\n" TZ-string "\n"; an empty string means none */
	if (tsize == 8 && len >= 2 && p[0] == '\n') {
		const unsigned char *nl = memchr(p + 1, '\n', len - 1);
		char tzs[128];
		size_t n = nl ? (size_t)(nl - p - 1) : 0;
		if (!nl || n >= sizeof(tzs))
			goto fail;
		if (n) {
			memcpy(tzs, p + 1, n);
			tzs[n] = '\0';
			if (parse_posix(tzs, &z->posix))
				goto fail;
			z->has_posix = 1;
		}
	}
	return z;
fail:
	zone_free(z);
	return NULL;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > TZ_NAME_MAX || s[0] == '/' || s[n - 1] == '/')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '+' || c == '-'))
			return 0;       /* '.' among them: no ".." */
		if (c == '/' && s[i + 1] == '/')
			return 0;
	}
	return 1;
}

/* Read dir/name into a zone; caller holds cache_lock */
static struct tz_zone *load_zone(const char *name)
{
	char path[PATH_MAX + TZ_NAME_MAX + 2];
	unsigned char *data = NULL;
	struct tz_zone *z = NULL;
	struct stat st;
	size_t got = 0;
	int fd = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", zone_dir, name) >= sizeof(path))
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		goto out;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < 44 ||
	    st.st_size > TZ_FILE_MAX)
		goto out;
	if (!(data = malloc((size_t)st.st_size)))
		goto out;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, data + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		got += (size_t)r;
	}
	if (!(z = parse_tzif(data, got)))
		goto out;
	if (!(z->name = strdup(name))) {
		zone_free(z);
		z = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	free(data);
	return z;
}

/* The zone called name, loading and caching it on first use; NULL if none */
static const struct tz_zone *get_zone(const char *name)
{
	struct tz_zone *z;

	if (!name || !name_ok(name))
		return NULL;
	if (!strcmp(name, "UTC") || !strcmp(name, "Etc/UTC"))
		return &zone_utc;
	if (!strcmp(name, "GMT") || !strcmp(name, "Etc/GMT"))
		return &zone_gmt;

	pthread_mutex_lock(&cache_lock);
	for (z = cache; z; z = z->next)
		if (!strcmp(z->name, name))
			break;
	if (!z && cache_len < TZ_CACHE_MAX && (z = load_zone(name))) {
		z->next = cache;
		cache = z;
		cache_len++;
	}
	pthread_mutex_unlock(&cache_lock);
	return z;
}

void tz_cache_clear(void)
{
	pthread_mutex_lock(&cache_lock);
	while (cache) {
		struct tz_zone *next = cache->next;
		zone_free(cache);
		cache = next;
	}
	cache_len = 0;
	pthread_mutex_unlock(&cache_lock);
}

int tz_set_dir(const char *dir)
{
	if (!dir)
		dir = TZ_DEFAULT_DIR;
	if (strlen(dir) >= sizeof(zone_dir))
		return -1;
	tz_cache_clear();
	pthread_mutex_lock(&cache_lock);
	snprintf(zone_dir, sizeof(zone_dir), "%s", dir);
	pthread_mutex_unlock(&cache_lock);
	return 0;
}

int tz_exists(const char *zone)
{
	return get_zone(zone) != NULL;
}

/* ------------------------------------------------------------------ */
/* Conversion                                                          */
/* ------------------------------------------------------------------ */

struct tz_state {
	int32_t off;
	int isdst;
	const char *abbr;
};

static struct tz_state zone_at(const struct tz_zone *z, int64_t t)
{
	const struct tz_type *ty = &z->types[0];        /* before the first transition */

	if (z->has_posix && (z->ntrans == 0 || t > z->trans[z->ntrans - 1])) {
		const struct tz_posix *tp = &z->posix;
		int dst = posix_isdst(tp, t);
		return (struct tz_state){ dst ? tp->dst_off : tp->std_off, dst,
					  dst ? tp->dst_abbr : tp->std_abbr };
	}
	if (z->ntrans && t >= z->trans[0]) {
		size_t lo = 0, hi = z->ntrans;  /* last i with trans[i] <= t */
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (z->trans[mid] <= t)
				lo = mid;
			else
				hi = mid;
		}
		ty = &z->types[z->tidx[lo]];
	}
	return (struct tz_state){ ty->off, ty->isdst, ty->abbr };
}

int tz_utc_offset(const char *zone, int64_t utc, int *offset_s, char *abbr, size_t abbrlen)
{
	const struct tz_zone *z = get_zone(zone);
	if (!z || utc < -TZ_MAX_ABS_UTC || utc > TZ_MAX_ABS_UTC)
		return -1;
	struct tz_state st = zone_at(z, utc);
	if (offset_s)
		*offset_s = st.off;
	if (abbr && abbrlen)
		snprintf(abbr, abbrlen, "%s", st.abbr);
	return 0;
}

int tz_to_local(const char *zone, int64_t utc, struct tz_local *out)
{
	const struct tz_zone *z = get_zone(zone);
	int64_t y;

	if (!z || !out || utc < -TZ_MAX_ABS_UTC || utc > TZ_MAX_ABS_UTC)
		return -1;
	struct tz_state st = zone_at(z, utc);
	int64_t lt = utc + st.off;
	int64_t days = floor_div(lt, SECS_PER_DAY);
	int64_t secs = lt - days * SECS_PER_DAY;

	memset(out, 0, sizeof(*out));
	tz_civil_from_days(days, &y, &out->month, &out->day);
	out->year = (int)y;
	out->hour = (int)(secs / 3600);
	out->min = (int)(secs / 60 % 60);
	out->sec = (int)(secs % 60);
	out->weekday = tz_weekday(days);
	out->yday = (int)(days - tz_days_from_civil(y, 1, 1));
	out->offset = st.off;
	out->isdst = st.isdst;
	snprintf(out->abbr, sizeof(out->abbr), "%s", st.abbr);
	return 0;
}

/*
 * The candidate offsets are those in effect within two days of a first
 * guess; a candidate o is right when the zone really has offset o at
 * L - o. None right means L fell into a gap: then the wall clock
 * t + offset(t) passes L at the transition, found by bisection.
 */
int tz_from_local(const char *zone, int y, int m, int d, int hour, int min, int64_t *utc)
{
	const struct tz_zone *z = get_zone(zone);
	int32_t offs[9];
	size_t noffs = 0;

	if (!z || !utc || y < -300000 || y > 300000 || d < 1 ||
	    d > tz_days_in_month(y, m) || hour < 0 || hour > 23 || min < 0 || min > 59)
		return -1;
	int64_t L = tz_days_from_civil(y, m, d) * SECS_PER_DAY + hour * 3600 + min * 60;
	int64_t guess = L - zone_at(z, L).off;
	for (int k = -4; k <= 4; k++) {
		int32_t o = zone_at(z, guess + k * 6 * 3600).off;
		size_t j = 0;
		while (j < noffs && offs[j] != o)
			j++;
		if (j == noffs)
			offs[noffs++] = o;
	}

	int found = 0;
	int64_t best = 0, lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < noffs; i++) {
		int64_t u = L - offs[i];
		if (zone_at(z, u).off == offs[i] && (!found || u < best)) {
			best = u;
			found = 1;
		}
		if (u < lo)
			lo = u;
		if (u > hi)
			hi = u;
	}
	if (!found) {
		/* wall(lo) < L <= wall(hi): find the first t with wall(t) >= L */
		while (hi - lo > 1) {
			int64_t mid = lo + (hi - lo) / 2;
			if (mid + zone_at(z, mid).off >= L)
				hi = mid;
			else
				lo = mid;
		}
		best = hi;
	}
	if (best < -TZ_MAX_ABS_UTC || best > TZ_MAX_ABS_UTC)
		return -1;
	*utc = best;
	return 0;
}
