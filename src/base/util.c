/* util.c - randomness, hex, clocks, money formatting (see util.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sodium.h>
#include "base/log.h"
#include "base/util.h"

int util_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void util_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void util_random_hex(char *out, size_t nbytes)
{
	unsigned char raw[64];
	while (nbytes) {
		size_t k = nbytes > sizeof(raw) ? sizeof(raw) : nbytes;
		randombytes_buf(raw, k);
		util_hex(raw, k, out);
		out += 2 * k;
		nbytes -= k;
	}
}

void util_sha256(const void *data, size_t len, unsigned char out[32])
{
	crypto_hash_sha256(out, data, len);
}

int util_ct_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

double util_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double util_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void util_money(int64_t micros, char *out, size_t outlen)
{
	int neg = micros < 0;
	uint64_t m = neg ? (uint64_t)(-(micros + 1)) + 1 : (uint64_t)micros;
	char frac[8];
	int len;

	snprintf(frac, sizeof(frac), "%06llu", (unsigned long long)(m % 1000000));
	len = 6;
	while (len > 2 && frac[len - 1] == '0')
		frac[--len] = '\0';
	snprintf(out, outlen, "%s%llu.%s", neg ? "-" : "",
		 (unsigned long long)(m / 1000000), frac);
}

int util_parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int64_t util_env_i64(const char *name, int64_t def, int64_t lo, int64_t hi)
{
	const char *e = getenv(name);
	int64_t v;

	if (!e || !*e)
		return def;
	if (util_parse_i64(e, &v) || v < lo || v > hi) {
		log_warn("%s='%s' is not a number in %lld..%lld: using %lld", name, e,
			 (long long)lo, (long long)hi, (long long)def);
		return def;
	}
	return v;
}

long util_retry_after(const char *p, size_t len)
{
	static const char name[] = "retry-after:";
	size_t i = sizeof(name) - 1, j = 0;
	char v[32];
	int64_t s;

	if (len <= i || strncasecmp(p, name, i))
		return -1;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (i < len && j + 1 < sizeof(v) && isdigit((unsigned char)p[i]))
		v[j++] = p[i++];
	v[j] = '\0';
	return j && !util_parse_i64(v, &s) ? (long)s : -1;
}

void util_deadline(struct timespec *ts, clockid_t clock, double in_s)
{
	long ns;

	clock_gettime(clock, ts);
	if (in_s < 0)
		in_s = 0;
	ts->tv_sec += (time_t)in_s;
	ns = ts->tv_nsec + (long)((in_s - (double)(time_t)in_s) * 1e9);
	ts->tv_sec += ns / 1000000000L;
	ts->tv_nsec = ns % 1000000000L;
}

int util_parse_money(const char *s, int64_t *micros)
{
	int64_t whole = 0, frac = 0;
	int nwhole = 0, nfrac = 0;

	if (!s)
		return -1;
	for (; *s >= '0' && *s <= '9'; s++, nwhole++) {
		if (whole > 1000000000000 / 10)
			return -1;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, nfrac++) {
			if (nfrac == 6)
				return -1;	/* below a micro-dollar */
			frac = frac * 10 + (*s - '0');
		}
	if (*s || (!nwhole && !nfrac) || whole > 1000000000000)
		return -1;
	for (int i = nfrac; i < 6; i++)
		frac *= 10;
	*micros = whole * 1000000 + frac;
	return 0;
}
