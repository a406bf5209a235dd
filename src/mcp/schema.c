/* schema.c - JSON Schema validation of tool arguments and results (see schema.h). */
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "mcp/schema.h"

#define SCHEMA_MAX_MESSAGES 50
#define PATH_MAX_LEN        8192    /* a rendered field path */
#define MSG_MAX_LEN         8192    /* one message, e.g. a long enum list */
#define ENUM_LIST_MAX       2048    /* enum values quoted in a message */
#define SUMMARY_MAX_LEN     16384

/* jansson's iterators take non-const pointers although they do not write. */
#define MUT(j) ((json_t *)(j))

/* ------------------------------------------------------------------------ */
/* Field paths                                                               */
/* ------------------------------------------------------------------------ */

/*
 * A path is a chain of stack frames, one per level of descent, so that the
 * success path never builds a string; it is rendered only when a message is
 * recorded. A NULL path is the document root.
 */
struct path {
	const struct path *up;
	const char *key;        /* NULL: array index */
	size_t idx;
};

static int path_render(const struct path *p, struct buf *b, char sep)
{
	if (!p)
		return 0;
	if (path_render(p->up, b, sep))
		return -1;
	if (p->up && buf_addch(b, sep))
		return -1;
	if (p->key)
		return buf_adds(b, p->key);
	return buf_printf(b, "%zu", p->idx);
}

/* ------------------------------------------------------------------------ */
/* Regex cache                                                               */
/* ------------------------------------------------------------------------ */

#define RE_BUCKETS 64
#define RE_CACHE_MAX 1024       /* past this, compile per use (never seen in practice) */

struct re_entry {
	struct re_entry *next;
	int ok;                 /* 0: the pattern does not compile */
	regex_t re;
	char pat[];
};

static pthread_mutex_t re_lock = PTHREAD_MUTEX_INITIALIZER;
static struct re_entry *re_table[RE_BUCKETS];
static size_t re_count;

static uint32_t re_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/*
 * JSON Schema patterns are ECMA-262; ours are POSIX extended. glibc takes
 * \w \s \b (and their negations) as extensions but reads \d as a plain "d",
 * which would silently accept the wrong strings. Refuse every letter escape
 * that POSIX/glibc does not define so the mistake shows up in schema_check.
 */
static int re_precheck(const char *pat, char *err, size_t errlen)
{
	for (const char *s = pat; *s; s++) {
		if (*s != '\\')
			continue;
		s++;
		if (!*s)
			break;  /* regcomp reports the trailing backslash */
		if (((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) &&
		    !strchr("wWsSbB", *s)) {
			snprintf(err, errlen, "escape '\\%c' is not POSIX extended regex%s",
				 *s, (*s == 'd' || *s == 'D') ? " (write [0-9])" : "");
			return -1;
		}
	}
	return 0;
}

static int re_compile(regex_t *re, const char *pat, char *err, size_t errlen)
{
	int rc;

	if (re_precheck(pat, err, errlen))
		return -1;
	rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char why[128];
		regerror(rc, re, why, sizeof(why));
		snprintf(err, errlen, "%s", why);
		regfree(re);
		return -1;
	}
	return 0;
}

/*
 * The compiled form of `pat`, or NULL when it does not compile. Entries live
 * until schema_cleanup(), so the pointer stays valid outside the lock, and
 * regexec() on a shared regex_t is thread-safe. When the cache is full the
 * pattern is compiled into *tmp and *is_tmp is set: the caller regfree()s it.
 */
static const regex_t *re_get(const char *pat, regex_t *tmp, int *is_tmp)
{
	char err[160];
	uint32_t slot = re_hash(pat) % RE_BUCKETS;
	struct re_entry *e;
	const regex_t *res = NULL;
	size_t len;

	*is_tmp = 0;
	pthread_mutex_lock(&re_lock);
	for (e = re_table[slot]; e; e = e->next)
		if (!strcmp(e->pat, pat))
			break;
	if (!e && re_count < RE_CACHE_MAX) {
		len = strlen(pat);
		e = malloc(sizeof(*e) + len + 1);
		if (e) {
			memcpy(e->pat, pat, len + 1);
			e->ok = !re_compile(&e->re, pat, err, sizeof(err));
			e->next = re_table[slot];
			re_table[slot] = e;
			re_count++;
		}
	}
	if (e) {
		res = e->ok ? &e->re : NULL;
	} else if (!re_compile(tmp, pat, err, sizeof(err))) {
		*is_tmp = 1;
		res = tmp;
	}
	pthread_mutex_unlock(&re_lock);
	return res;
}

void schema_cleanup(void)
{
	pthread_mutex_lock(&re_lock);
	for (size_t i = 0; i < RE_BUCKETS; i++) {
		struct re_entry *e = re_table[i], *next;
		for (; e; e = next) {
			next = e->next;
			if (e->ok)
				regfree(&e->re);
			free(e);
		}
		re_table[i] = NULL;
	}
	re_count = 0;
	pthread_mutex_unlock(&re_lock);
}

/* ------------------------------------------------------------------------ */
/* Formats                                                                   */
/* ------------------------------------------------------------------------ */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* n decimal digits at s as a number, or -1 */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int schema_is_e164(const char *s)
{
	size_t n = 0;

	if (!s || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return 0;
	for (s++; is_digit(*s); s++)
		n++;
	return !*s && n >= 2 && n <= 15;
}

/* YYYY-MM-DD at s (no terminator check) */
static int date_prefix(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, dim;

	y = digits(s, 4);
	if (y < 0 || s[4] != '-')
		return 0;
	m = digits(s + 5, 2);
	if (m < 1 || m > 12 || s[7] != '-')
		return 0;
	d = digits(s + 8, 2);
	dim = mdays[m - 1];
	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		dim = 29;
	return d >= 1 && d <= dim;
}

int schema_is_date(const char *s)
{
	return s && strlen(s) == 10 && date_prefix(s);
}

int schema_is_datetime(const char *s)
{
	int h, m, sec;

	if (!s || strlen(s) < 20 || !date_prefix(s))
		return 0;
	s += 10;
	if (*s != 'T' && *s != 't')
		return 0;
	h = digits(s + 1, 2);
	m = digits(s + 4, 2);
	sec = digits(s + 7, 2);
	/* RFC 3339 allows second 60 for leap seconds */
	if (h < 0 || h > 23 || s[3] != ':' || m < 0 || m > 59 || s[6] != ':' ||
	    sec < 0 || sec > 60)
		return 0;
	s += 9;
	if (*s == '.') {
		if (!is_digit(*++s))
			return 0;
		while (is_digit(*s))
			s++;
	}
	if ((*s == 'Z' || *s == 'z') && !s[1])
		return 1;
	if (*s != '+' && *s != '-')
		return 0;
	/* each read stays before the terminator: digits() stops at it */
	h = digits(s + 1, 2);
	if (h < 0 || h > 23 || s[3] != ':')
		return 0;
	m = digits(s + 4, 2);
	return m >= 0 && m <= 59 && !s[6];
}

int schema_is_uri(const char *s)
{
	const unsigned char *p;

	if (!s || !is_alpha(*s))
		return 0;
	for (s++; is_alpha(*s) || is_digit(*s) || *s == '+' || *s == '.' || *s == '-'; s++)
		;
	if (*s++ != ':' || !*s)
		return 0;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* local@domain.tld: a practical check, not RFC 5322 */
int schema_is_email(const char *s)
{
	const char *at, *label, *p;
	size_t len;

	if (!s || (len = strlen(s)) > 254 || !(at = strchr(s, '@')) || strchr(at + 1, '@'))
		return 0;
	if (at == s || at - s > 64 || *s == '.' || at[-1] == '.')
		return 0;
	for (p = s; p < at; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x80 || is_alpha((char)c) || is_digit((char)c))
			continue;
		if (c == '.' && p[1] != '.')
			continue;
		if (!strchr("!#$%&'*+/=?^_`{|}~-", c) || !c)
			return 0;
	}
	/* domain: dot-separated labels, at least two, no empty label */
	label = at + 1;
	for (p = label;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x80 || is_alpha((char)c) || is_digit((char)c))
			continue;
		if (c == '-' && p != label && p[1] != '.' && p[1])
			continue;
		if (c != '.' && c != '\0')
			return 0;
		if (p == label)
			return 0;
		if (!c)
			break;
		label = p + 1;
	}
	if (label == at + 1 || p - label < 2)   /* no dot, or one-letter tld */
		return 0;
	for (p = label; *p; p++)
		if (!is_digit(*p))
			return 1;
	return 0;   /* all-digit tld */
}

int schema_is_uuid(const char *s)
{
	if (!s || strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex(s[i])) {
			return 0;
		}
	}
	return 1;
}

int schema_is_time_hm(const char *s)
{
	const char *colon;
	int h, m;

	if (!s)
		return 0;
	if (is_digit(s[0]) && s[1] == ':') {            /* H:MM */
		h = s[0] - '0';
		colon = s + 1;
	} else if ((h = digits(s, 2)) >= 0 && s[2] == ':') {   /* HH:MM */
		colon = s + 2;
	} else {
		return 0;
	}
	m = digits(colon + 1, 2);
	return h <= 23 && m >= 0 && m <= 59 && !colon[3];
}

static const struct format {
	const char *name;
	int (*check)(const char *);
	const char *msg;
} formats[] = {
	{ "e164", schema_is_e164, "must be a phone number in E.164 format, e.g. +4930123456" },
	{ "date", schema_is_date, "must be a valid date (YYYY-MM-DD)" },
	{ "date-time", schema_is_datetime, "must be a valid date-time (RFC 3339)" },
	{ "uri", schema_is_uri, "must be a valid URL" },
	{ "email", schema_is_email, "must be a valid email address" },
	{ "uuid", schema_is_uuid, "must be a valid UUID" },
	{ "time-hm", schema_is_time_hm, "must be a valid time (HH:MM)" },
};

static const struct format *format_find(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(formats[i].name, name))
			return &formats[i];
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Types and values                                                          */
/* ------------------------------------------------------------------------ */

enum {
	T_OBJECT = 1 << 0,
	T_ARRAY = 1 << 1,
	T_STRING = 1 << 2,
	T_NUMBER = 1 << 3,
	T_INTEGER = 1 << 4,
	T_BOOLEAN = 1 << 5,
	T_NULL = 1 << 6,
};

static const struct type_name {
	const char *name;
	const char *phrase;
	unsigned bit;
} type_names[] = {
	{ "object", "an object", T_OBJECT },
	{ "array", "an array", T_ARRAY },
	{ "string", "a string", T_STRING },
	{ "number", "a number", T_NUMBER },
	{ "integer", "an integer", T_INTEGER },
	{ "boolean", "a boolean", T_BOOLEAN },
	{ "null", "null", T_NULL },
};
#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

static unsigned type_bit(const char *name)
{
	for (size_t i = 0; i < N_TYPES; i++)
		if (!strcmp(type_names[i].name, name))
			return type_names[i].bit;
	return 0;
}

/* The allowed types of a "type" value; 0 when none is given or usable. */
static unsigned type_mask(const json_t *t)
{
	unsigned m = 0;
	size_t i;
	json_t *v;

	if (json_is_string(t))
		return type_bit(json_string_value(t));
	if (json_is_array(t))
		json_array_foreach(MUT(t), i, v)
			if (json_is_string(v))
				m |= type_bit(json_string_value(v));
	return m;
}

static int real_is_integral(double v)
{
	/* every double this large is integral; below it the cast is defined */
	if (v >= 9007199254740992.0 || v <= -9007199254740992.0)
		return 1;
	return (double)(long long)v == v;
}

static unsigned doc_types(const json_t *d)
{
	switch (json_typeof(d)) {
	case JSON_OBJECT: return T_OBJECT;
	case JSON_ARRAY: return T_ARRAY;
	case JSON_STRING: return T_STRING;
	case JSON_INTEGER: return T_NUMBER | T_INTEGER;
	case JSON_REAL:
		return T_NUMBER | (real_is_integral(json_real_value(d)) ? T_INTEGER : 0);
	case JSON_TRUE:
	case JSON_FALSE: return T_BOOLEAN;
	case JSON_NULL: return T_NULL;
	}
	return 0;
}

/* -1, 0, 1 as a < b, a == b, a > b; both must be numbers */
static int num_cmp(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t x = json_integer_value(a), y = json_integer_value(b);
		return (x > y) - (x < y);
	}
	long double x = json_is_integer(a) ? (long double)json_integer_value(a) : json_real_value(a);
	long double y = json_is_integer(b) ? (long double)json_integer_value(b) : json_real_value(b);
	return (x > y) - (x < y);
}

/* JSON Schema equality: 1 and 1.0 are the same number */
static int json_same(const json_t *a, const json_t *b)
{
	size_t i;
	const char *k;
	json_t *v;

	if (json_is_number(a) && json_is_number(b))
		return num_cmp(a, b) == 0;
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       !memcmp(json_string_value(a), json_string_value(b), json_string_length(a));
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return 0;
		json_array_foreach(MUT(a), i, v)
			if (!json_same(v, json_array_get(b, i)))
				return 0;
		return 1;
	case JSON_OBJECT:
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach(MUT(a), k, v) {
			const json_t *w = json_object_get(b, k);
			if (!w || !json_same(v, w))
				return 0;
		}
		return 1;
	default:
		return 1;       /* true, false, null */
	}
}

/* a non-negative integral keyword value (minLength, maxItems, ...) */
static int kw_size(const json_t *v, size_t *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (size_t)json_integer_value(v);
		return 0;
	}
	if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 1e18 &&
	    real_is_integral(json_real_value(v))) {
		*out = (size_t)json_real_value(v);
		return 0;
	}
	return -1;
}

/* a number as a user would write it: 5, 2.5, 1e+30 */
static void num_format(const json_t *v, char *out, size_t len)
{
	if (json_is_integer(v)) {
		snprintf(out, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else {
		double d = json_real_value(v);
		if (real_is_integral(d) && d < 1e15 && d > -1e15)
			snprintf(out, len, "%.0f", d);
		else
			snprintf(out, len, "%.15g", d);
	}
}

static size_t utf8_length(const char *s, size_t bytes)
{
	size_t n = 0;
	for (size_t i = 0; i < bytes; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* ------------------------------------------------------------------------ */
/* Validation                                                                */
/* ------------------------------------------------------------------------ */

struct vctx {
	json_t *errors;         /* created with the first message */
	int collect;            /* 0: only the verdict matters, stop at first error */
	int failed;
	int full;               /* message cap reached, or out of memory */
	int nmsg;
};

static int vstop(const struct vctx *c)
{
	return c->full || (c->failed && !c->collect);
}

static void add_message(struct vctx *c, const struct path *p, const char *msg)
{
	struct buf pb = BUF_INIT(PATH_MAX_LEN);
	const char *key;
	json_t *arr, *v;
	size_t i;

	if (!c->errors && !(c->errors = json_object())) {
		c->full = 1;
		return;
	}
	/* a path longer than PATH_MAX_LEN is not shown cut short, but named */
	key = path_render(p, &pb, '.') ? "(path too long)" : buf_str(&pb);
	arr = json_object_get(c->errors, key);
	if (!arr) {
		arr = json_array();
		if (!arr || json_object_set_new(c->errors, key, arr)) {
			c->full = 1;
			goto out;
		}
	}
	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(v), msg))
			goto out;
	if (json_array_append_new(arr, json_string(msg))) {
		c->full = 1;
		goto out;
	}
	if (++c->nmsg >= SCHEMA_MAX_MESSAGES)
		c->full = 1;
out:
	buf_release(&pb);
}

__attribute__((format(printf, 3, 4)))
static void report(struct vctx *c, const struct path *p, const char *fmt, ...)
{
	struct buf mb = BUF_INIT(MSG_MAX_LEN);
	va_list ap;
	int rc;

	c->failed = 1;
	if (!c->collect || c->full)
		return;
	va_start(ap, fmt);
	rc = buf_vprintf(&mb, fmt, ap);
	va_end(ap);
	add_message(c, p, rc ? "is not valid" : buf_str(&mb));
	buf_release(&mb);
}

/* The keywords of one schema object, found in a single pass over its keys. */
struct kw {
	const json_t *type, *enum_, *const_, *minimum, *maximum, *xmin, *xmax;
	const json_t *min_len, *max_len, *pattern, *format;
	const json_t *items, *min_items, *max_items, *unique;
	const json_t *props, *required, *addl, *one_of, *any_of;
};

static void kw_collect(const json_t *schema, struct kw *k)
{
	const char *key;
	json_t *v;

	memset(k, 0, sizeof(*k));
	json_object_foreach(MUT(schema), key, v) {
		switch (key[0]) {
		case 'a':
			if (!strcmp(key, "additionalProperties")) k->addl = v;
			else if (!strcmp(key, "anyOf")) k->any_of = v;
			break;
		case 'c':
			if (!strcmp(key, "const")) k->const_ = v;
			break;
		case 'e':
			if (!strcmp(key, "enum")) k->enum_ = v;
			else if (!strcmp(key, "exclusiveMinimum")) k->xmin = v;
			else if (!strcmp(key, "exclusiveMaximum")) k->xmax = v;
			break;
		case 'f':
			if (!strcmp(key, "format")) k->format = v;
			break;
		case 'i':
			if (!strcmp(key, "items")) k->items = v;
			break;
		case 'm':
			if (!strcmp(key, "minimum")) k->minimum = v;
			else if (!strcmp(key, "maximum")) k->maximum = v;
			else if (!strcmp(key, "minLength")) k->min_len = v;
			else if (!strcmp(key, "maxLength")) k->max_len = v;
			else if (!strcmp(key, "minItems")) k->min_items = v;
			else if (!strcmp(key, "maxItems")) k->max_items = v;
			break;
		case 'o':
			if (!strcmp(key, "oneOf")) k->one_of = v;
			break;
		case 'p':
			if (!strcmp(key, "properties")) k->props = v;
			else if (!strcmp(key, "pattern")) k->pattern = v;
			break;
		case 'r':
			if (!strcmp(key, "required")) k->required = v;
			break;
		case 't':
			if (!strcmp(key, "type")) k->type = v;
			break;
		case 'u':
			if (!strcmp(key, "uniqueItems")) k->unique = v;
			break;
		}
	}
}

static void validate(struct vctx *c, const json_t *schema, const json_t *doc,
		     const struct path *p);

static void report_type(struct vctx *c, const struct path *p, unsigned mask)
{
	const char *names[N_TYPES];
	size_t n = 0;

	if (!c->collect) {
		c->failed = 1;
		return;
	}
	if (mask & T_NUMBER)
		mask &= ~(unsigned)T_INTEGER;
	for (size_t i = 0; i < N_TYPES; i++)
		if (mask & type_names[i].bit)
			names[n++] = type_names[i].phrase;
	if (n == 1)
		report(c, p, "must be %s", names[0]);
	else if (n == 2)
		report(c, p, "must be %s or %s", names[0], names[1]);
	else {
		struct buf b = BUF_INIT(256);
		for (size_t i = 0; i + 1 < n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
		report(c, p, "must be %s or %s", buf_str(&b), names[n - 1]);
		buf_release(&b);
	}
}

/* values in a message: strings bare, everything else as JSON */
static int value_text(struct buf *b, const json_t *v)
{
	char *s;
	int rc;

	if (json_is_string(v))
		return buf_adds(b, json_string_value(v));
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
	rc = s ? buf_adds(b, s) : -1;
	free(s);
	return rc;
}

static void check_enum(struct vctx *c, const json_t *en, const json_t *doc,
		       const struct path *p)
{
	struct buf b = BUF_INIT(ENUM_LIST_MAX);
	size_t i;
	json_t *v;

	json_array_foreach(MUT(en), i, v)
		if (json_same(v, doc))
			return;
	if (!c->collect) {
		c->failed = 1;
		return;
	}
	json_array_foreach(MUT(en), i, v) {
		struct buf item = BUF_INIT(ENUM_LIST_MAX);
		int fits = !value_text(&item, v) &&
			   b.len + 2 + item.len + sizeof(", ...") <= ENUM_LIST_MAX;
		if (fits) {
			if (i)
				buf_adds(&b, ", ");
			buf_adds(&b, buf_str(&item));
		} else {
			/* the list is too long: say so instead of cutting it silently */
			buf_adds(&b, i ? ", ..." : "...");
		}
		buf_release(&item);
		if (!fits)
			break;
	}
	report(c, p, "must be one of: %s", buf_str(&b));
	buf_release(&b);
}

static void check_number(struct vctx *c, const struct kw *k, const json_t *doc,
			 const struct path *p)
{
	char n[64];

	if (json_is_number(k->minimum) && num_cmp(doc, k->minimum) < 0) {
		num_format(k->minimum, n, sizeof(n));
		report(c, p, "must be at least %s", n);
	}
	if (json_is_number(k->maximum) && num_cmp(doc, k->maximum) > 0) {
		num_format(k->maximum, n, sizeof(n));
		report(c, p, "must not be greater than %s", n);
	}
	if (json_is_number(k->xmin) && num_cmp(doc, k->xmin) <= 0) {
		num_format(k->xmin, n, sizeof(n));
		report(c, p, "must be greater than %s", n);
	}
	if (json_is_number(k->xmax) && num_cmp(doc, k->xmax) >= 0) {
		num_format(k->xmax, n, sizeof(n));
		report(c, p, "must be less than %s", n);
	}
}

static void check_string(struct vctx *c, const struct kw *k, const json_t *doc,
			 const struct path *p)
{
	const char *s = json_string_value(doc);
	size_t bytes = json_string_length(doc), len, lim;
	int has_nul;

	if (k->min_len || k->max_len) {
		len = utf8_length(s, bytes);
		if (k->min_len && !kw_size(k->min_len, &lim) && len < lim)
			report(c, p, "must be at least %zu character%s", lim, lim == 1 ? "" : "s");
		if (k->max_len && !kw_size(k->max_len, &lim) && len > lim)
			report(c, p, "must not be longer than %zu character%s", lim, lim == 1 ? "" : "s");
	}
	if (vstop(c) || (!k->pattern && !k->format))
		return;
	/* an embedded NUL would hide the rest of the string from regexec and
	 * the format checks, so such a string never passes them */
	has_nul = strlen(s) != bytes;
	if (json_is_string(k->pattern)) {
		regex_t tmp;
		int is_tmp;
		const regex_t *re = re_get(json_string_value(k->pattern), &tmp, &is_tmp);
		/* a pattern that does not compile fails closed; schema_check
		 * catches it at start-up */
		if (!re || has_nul || regexec(re, s, 0, NULL, 0))
			report(c, p, "does not match the expected format");
		if (is_tmp)
			regfree(&tmp);
	}
	if (json_is_string(k->format)) {
		const struct format *f = format_find(json_string_value(k->format));
		if (f && (has_nul || !f->check(s)))
			report(c, p, "%s", f->msg);
	}
}

static void check_array(struct vctx *c, const struct kw *k, const json_t *doc,
			const struct path *p)
{
	size_t n = json_array_size(doc), lim, i, j;

	if (k->min_items && !kw_size(k->min_items, &lim) && n < lim)
		report(c, p, "must have at least %zu item%s", lim, lim == 1 ? "" : "s");
	if (k->max_items && !kw_size(k->max_items, &lim) && n > lim)
		report(c, p, "must not have more than %zu item%s", lim, lim == 1 ? "" : "s");
	/* quadratic, but arrays in tool arguments are short and bodies bounded */
	if (json_is_true(k->unique)) {
		for (i = 1; i < n; i++) {
			for (j = 0; j < i; j++)
				if (json_same(json_array_get(doc, i), json_array_get(doc, j)))
					break;
			if (j < i) {
				report(c, p, "must not contain duplicate items");
				break;
			}
		}
	}
	if (k->items && !vstop(c)) {
		for (i = 0; i < n && !vstop(c); i++) {
			struct path ip = { p, NULL, i };
			validate(c, k->items, json_array_get(doc, i), &ip);
		}
	}
}

static void check_object(struct vctx *c, const struct kw *k, const json_t *doc,
			 const struct path *p)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(k->required)) {
		json_array_foreach(MUT(k->required), i, v) {
			if (json_is_string(v) && !json_object_get(doc, json_string_value(v))) {
				struct path rp = { p, json_string_value(v), 0 };
				report(c, &rp, "is required");
				if (vstop(c))
					return;
			}
		}
	}
	if (json_is_object(k->props)) {
		json_object_foreach(MUT(k->props), key, v) {
			const json_t *d = json_object_get(doc, key);
			if (d) {
				struct path kp = { p, key, 0 };
				validate(c, v, d, &kp);
				if (vstop(c))
					return;
			}
		}
	}
	if (k->addl && !json_is_true(k->addl)) {
		json_object_foreach(MUT(doc), key, v) {
			struct path kp = { p, key, 0 };
			if (json_is_object(k->props) && json_object_get(k->props, key))
				continue;
			if (json_is_false(k->addl))
				report(c, &kp, "is not allowed");
			else
				validate(c, k->addl, v, &kp);
			if (vstop(c))
				return;
		}
	}
}

/* how many of the subschemas `doc` satisfies, counting no further than `enough` */
static size_t count_matches(const json_t *list, const json_t *doc, size_t enough)
{
	size_t i, n = 0;
	json_t *s;

	json_array_foreach(MUT(list), i, s) {
		struct vctx sub = { NULL, 0, 0, 0, 0 };
		validate(&sub, s, doc, NULL);
		if (!sub.failed && ++n >= enough)
			break;
	}
	return n;
}

static void validate(struct vctx *c, const json_t *schema, const json_t *doc,
		     const struct path *p)
{
	struct kw k;
	unsigned allowed;

	if (vstop(c) || json_is_true(schema))
		return;
	if (!json_is_object(schema)) {
		if (json_is_false(schema))
			report(c, p, "is not allowed");
		return;
	}
	kw_collect(schema, &k);
	allowed = type_mask(k.type);
	if (allowed) {
		if (!(doc_types(doc) & allowed)) {
			report_type(c, p, allowed);
			return;
		}
		/* "type": ["string", "null"] makes a field nullable: a null that
		 * the type admits skips the other keywords (enum included) */
		if (json_is_null(doc) && (allowed & T_NULL))
			return;
	}
	if (json_is_array(k.enum_))
		check_enum(c, k.enum_, doc, p);
	if (k.const_ && !json_same(k.const_, doc)) {
		if (c->collect) {
			struct buf b = BUF_INIT(ENUM_LIST_MAX);
			if (value_text(&b, k.const_))
				buf_adds(&b, "the expected value");
			report(c, p, "must be %s", b.len ? buf_str(&b) : "\"\"");
			buf_release(&b);
		} else {
			c->failed = 1;
		}
	}
	if (vstop(c))
		return;
	switch (json_typeof(doc)) {
	case JSON_INTEGER:
	case JSON_REAL:
		check_number(c, &k, doc, p);
		break;
	case JSON_STRING:
		check_string(c, &k, doc, p);
		break;
	case JSON_ARRAY:
		check_array(c, &k, doc, p);
		break;
	case JSON_OBJECT:
		check_object(c, &k, doc, p);
		break;
	default:
		break;
	}
	if (vstop(c))
		return;
	if (json_is_array(k.one_of) && json_array_size(k.one_of) &&
	    count_matches(k.one_of, doc, 2) != 1)
		report(c, p, "must match exactly one of the allowed shapes");
	if (json_is_array(k.any_of) && json_array_size(k.any_of) &&
	    count_matches(k.any_of, doc, 1) == 0)
		report(c, p, "must match at least one of the allowed shapes");
}

int schema_validate(const json_t *schema, const json_t *doc, json_t **errors)
{
	struct vctx c = { NULL, errors != NULL, 0, 0, 0 };

	if (errors)
		*errors = NULL;
	if (!schema || !doc) {
		report(&c, NULL, "is required");
	} else {
		validate(&c, schema, doc, NULL);
	}
	if (!c.failed)
		return 0;
	if (errors) {
		/* only an allocation failure leaves no object behind */
		*errors = c.errors ? c.errors : json_object();
		c.errors = NULL;
	}
	json_decref(c.errors);
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Schema check                                                              */
/* ------------------------------------------------------------------------ */

struct cctx {
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int check_fail(struct cctx *c, const struct path *p, const char *fmt, ...)
{
	struct buf pb = BUF_INIT(PATH_MAX_LEN);
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (path_render(p, &pb, '/'))
		buf_adds(&pb, "...");
	snprintf(c->err, c->errlen, "%s at '#%s%s'", what, p ? "/" : "", buf_str(&pb));
	buf_release(&pb);
	return -1;
}

static int check_schema(struct cctx *c, const json_t *s, const struct path *p);

static int check_size_kw(struct cctx *c, const json_t *s, const char *name,
			 const struct path *p)
{
	const json_t *v = json_object_get(s, name);
	size_t n;

	if (v && kw_size(v, &n))
		return check_fail(c, p, "'%s' must be a non-negative integer", name);
	return 0;
}

static int check_schema_list(struct cctx *c, const json_t *s, const char *name,
			     const struct path *p)
{
	const json_t *list = json_object_get(s, name);
	struct path lp = { p, name, 0 };
	size_t i;
	json_t *v;

	if (!list)
		return 0;
	if (!json_is_array(list) || !json_array_size(list))
		return check_fail(c, p, "'%s' must be a non-empty array of schemas", name);
	json_array_foreach(MUT(list), i, v) {
		struct path ip = { &lp, NULL, i };
		if (check_schema(c, v, &ip))
			return -1;
	}
	return 0;
}

static int check_schema(struct cctx *c, const json_t *s, const struct path *p)
{
	static const char *const num_kws[] = {
		"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
	};
	static const char *const size_kws[] = {
		"minLength", "maxLength", "minItems", "maxItems",
	};
	const json_t *v;
	const char *key;
	json_t *e;
	size_t i;

	if (!json_is_object(s))
		return check_fail(c, p, "schema is not an object");

	if ((v = json_object_get(s, "type"))) {
		if (json_is_string(v)) {
			if (!type_bit(json_string_value(v)))
				return check_fail(c, p, "unknown type '%s'", json_string_value(v));
		} else if (json_is_array(v) && json_array_size(v)) {
			json_array_foreach(MUT(v), i, e)
				if (!json_is_string(e) || !type_bit(json_string_value(e)))
					return check_fail(c, p, "unknown type '%s'",
							  json_is_string(e) ? json_string_value(e) : "?");
		} else {
			return check_fail(c, p, "'type' must be a type name or an array of them");
		}
	}
	if ((v = json_object_get(s, "format"))) {
		if (!json_is_string(v) || !format_find(json_string_value(v)))
			return check_fail(c, p, "unknown format '%s'",
					  json_is_string(v) ? json_string_value(v) : "?");
	}
	if ((v = json_object_get(s, "pattern"))) {
		char why[160];
		regex_t re;
		if (!json_is_string(v))
			return check_fail(c, p, "'pattern' must be a string");
		if (re_compile(&re, json_string_value(v), why, sizeof(why)))
			return check_fail(c, p, "pattern '%s' does not compile: %s",
					  json_string_value(v), why);
		regfree(&re);
	}
	for (i = 0; i < sizeof(num_kws) / sizeof(num_kws[0]); i++)
		if ((v = json_object_get(s, num_kws[i])) && !json_is_number(v))
			return check_fail(c, p, "'%s' must be a number", num_kws[i]);
	for (i = 0; i < sizeof(size_kws) / sizeof(size_kws[0]); i++)
		if (check_size_kw(c, s, size_kws[i], p))
			return -1;
	if ((v = json_object_get(s, "enum")) && !json_is_array(v))
		return check_fail(c, p, "'enum' must be an array");
	if ((v = json_object_get(s, "uniqueItems")) && !json_is_boolean(v))
		return check_fail(c, p, "'uniqueItems' must be a boolean");
	if ((v = json_object_get(s, "required"))) {
		if (!json_is_array(v))
			return check_fail(c, p, "'required' must be an array of names");
		json_array_foreach(MUT(v), i, e)
			if (!json_is_string(e))
				return check_fail(c, p, "'required' must be an array of names");
	}
	if ((v = json_object_get(s, "properties"))) {
		struct path pp = { p, "properties", 0 };
		if (!json_is_object(v))
			return check_fail(c, p, "'properties' must be an object");
		json_object_foreach(MUT(v), key, e) {
			struct path kp = { &pp, key, 0 };
			if (check_schema(c, e, &kp))
				return -1;
		}
	}
	if ((v = json_object_get(s, "additionalProperties")) && !json_is_boolean(v)) {
		struct path ap = { p, "additionalProperties", 0 };
		if (check_schema(c, v, &ap))
			return -1;
	}
	if ((v = json_object_get(s, "items"))) {
		struct path ip = { p, "items", 0 };
		if (check_schema(c, v, &ip))
			return -1;
	}
	if (check_schema_list(c, s, "oneOf", p) || check_schema_list(c, s, "anyOf", p))
		return -1;
	return 0;
}

int schema_check(const json_t *schema, char *err, size_t errlen)
{
	char dummy[1];
	struct cctx c = { err, errlen };

	if (!err || !errlen) {
		c.err = dummy;
		c.errlen = sizeof(dummy);
	}
	if (c.errlen)
		c.err[0] = '\0';
	if (!schema)
		return check_fail(&c, NULL, "schema is missing");
	return check_schema(&c, schema, NULL);
}

/* ------------------------------------------------------------------------ */
/* Summary                                                                   */
/* ------------------------------------------------------------------------ */

char *schema_errors_summary(const json_t *errors)
{
	struct buf b = BUF_INIT(SUMMARY_MAX_LEN + 8);
	const char *field;
	json_t *msgs, *m;
	size_t i;

	if (!json_is_object(errors))
		return buf_detach(&b, NULL);
	json_object_foreach(MUT(errors), field, msgs) {
		json_array_foreach(msgs, i, m) {
			const char *s = json_string_value(m);
			size_t need = (b.len ? 2 : 0) + strlen(field) + 2 + (s ? strlen(s) : 0);
			if (!s)
				continue;
			/* the line is bounded; a cut is marked, never silent */
			if (b.len + need > SUMMARY_MAX_LEN) {
				buf_adds(&b, b.len ? "; ..." : "...");
				goto out;
			}
			if (b.len)
				buf_adds(&b, "; ");
			if (*field)
				buf_printf(&b, "%s: ", field);
			buf_adds(&b, s);
		}
	}
out:
	return buf_detach(&b, NULL);
}
