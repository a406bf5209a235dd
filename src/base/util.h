/*
 * util.h - small shared helpers: randomness, hex, clocks, money.
 *
 * Randomness comes from libsodium (util_init() must run once first).
 */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

int util_init(void);
/* n random bytes as 2n lowercase hex chars + NUL into out (2n+1 bytes). */
void util_random_hex(char *out, size_t nbytes);
void util_hex(const unsigned char *in, size_t n, char *out);
/* SHA-256 */
void util_sha256(const void *data, size_t len, unsigned char out[32]);
/* constant-time compare, 1 when equal */
int util_ct_equal(const void *a, const void *b, size_t n);
/* seconds since the epoch, and a monotonic clock, as doubles */
double util_now(void);
double util_mono(void);
/* The absolute time in_s seconds from now on `clock`, for
 * pthread_cond_timedwait: CLOCK_REALTIME for a condition variable with
 * default attributes, CLOCK_MONOTONIC for one set to that clock. */
void util_deadline(struct timespec *ts, clockid_t clock, double in_s);
/* "12.345678" from micro-dollars, trailing zeros kept to 2 decimals min */
void util_money(int64_t micros, char *out, size_t outlen);
/* An integer setting from the environment: def when unset or empty; def
 * with a logged warning when not an integer in lo..hi. */
int64_t util_env_i64(const char *name, int64_t def, int64_t lo, int64_t hi);
/* An amount of USD written as digits with at most 6 decimals ("25",
 * "12.50", "0.000001"; no sign, no exponent, at most 1e12) into exact
 * micro-dollars; -1 for anything else. */
int util_parse_money(const char *s, int64_t *micros);
/* strtoll on the whole string; -1 if not a clean integer */
int util_parse_i64(const char *s, int64_t *out);
/* The seconds of an HTTP header line "Retry-After: N" (any case, as libcurl
 * hands it over, not NUL-terminated); -1 for another header or a date. */
long util_retry_after(const char *line, size_t len);

#endif
