/* test_sms.c - exact SMS segment counting (GSM-7 with its extension table,
 * UCS-2 in UTF-16 units, no split escapes or surrogate pairs) and sealed
 * secrets. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test.h"
#include "mcp/audit.h"
#include "base/secret.h"
#include "agent/sms.h"

/* `n` copies of `s` into a fresh string. */
static char *rep(const char *s, int n)
{
	size_t l = strlen(s);
	char *o = malloc(l * (size_t)n + 1);
	for (int i = 0; i < n; i++)
		memcpy(o + l * (size_t)i, s, l);
	o[l * (size_t)n] = '\0';
	return o;
}

/* count `s` (owned, freed here) and check encoding / units / segments */
static int seg(char *s, enum sms_encoding enc, size_t units, int segments)
{
	struct sms_count c;
	int ok = sms_count(s, strlen(s), &c) == 0 && c.encoding == enc &&
		 c.units == units && c.segments == segments;
	if (!ok)
		fprintf(stderr, "  '%.40s...': got %s units %zu segments %d\n", s,
			sms_encoding_name(c.encoding), c.units, c.segments);
	free(s);
	return ok;
}

static char *cat3(char *a, const char *b, char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *o = malloc(la + lb + lc + 1);
	memcpy(o, a, la);
	memcpy(o + la, b, lb);
	memcpy(o + la + lb, c, lc + 1);
	free(a);
	free(c);
	return o;
}

TEST(sms_gsm_boundaries)
{
	CHECK(seg(strdup("hello"), SMS_GSM7, 5, 1));
	CHECK(seg(strdup(""), SMS_GSM7, 0, 1));
	CHECK(seg(rep("a", 160), SMS_GSM7, 160, 1));
	CHECK(seg(rep("a", 161), SMS_GSM7, 161, 2));
	CHECK(seg(rep("a", 306), SMS_GSM7, 306, 2));
	CHECK(seg(rep("a", 307), SMS_GSM7, 307, 3));
	CHECK(seg(rep("a", 459), SMS_GSM7, 459, 3));
	CHECK(seg(rep("a", 460), SMS_GSM7, 460, 4));
	struct sms_count c;
	REQUIRE(sms_count("abc", 3, &c) == 0);
	CHECK(c.per_segment == 160 && c.chars == 3);
	char *l = rep("x", 200);
	REQUIRE(sms_count(l, 200, &c) == 0);
	CHECK(c.per_segment == 153);
	free(l);
}

TEST(sms_gsm_extension_counts_double)
{
	/* ^ { } \ [ ~ ] | and the euro sign: two septets each */
	CHECK(seg(strdup("^{}\\[~]|\xe2\x82\xac"), SMS_GSM7, 18, 1));
	CHECK(seg(strdup("\f"), SMS_GSM7, 2, 1));   /* form feed is in the table */
	CHECK(seg(rep("\xe2\x82\xac", 80), SMS_GSM7, 160, 1));
	CHECK(seg(rep("\xe2\x82\xac", 81), SMS_GSM7, 162, 2));
	CHECK(seg(rep("{", 79), SMS_GSM7, 158, 1));
	/* 76 escapes fill 152 septets of a part; the 77th opens the next */
	CHECK(seg(rep("[", 76 * 2), SMS_GSM7, 304, 2));
	CHECK(seg(rep("[", 76 * 2 + 1), SMS_GSM7, 306, 3));
}

TEST(sms_gsm_escape_never_split)
{
	/* 152 a + '{' + 152 a = 306 septets: naive ceil(306/153) = 2, but the
	 * escape pair cannot straddle parts: 152 | 2+151 | 1 -> 3 */
	CHECK(seg(cat3(rep("a", 152), "{", rep("a", 152)), SMS_GSM7, 306, 3));
	/* 151 a + '{' fills a part exactly: 153 | 153 */
	CHECK(seg(cat3(rep("a", 151), "{", rep("a", 153)), SMS_GSM7, 306, 2));
}

TEST(sms_gsm_alphabet)
{
	/* every non-ASCII character of the basic table is one septet */
	const char *basic = "@\xc2\xa3$\xc2\xa5\xc3\xa8\xc3\xa9\xc3\xb9\xc3\xac\xc3\xb2\xc3\x87\n"
		"\xc3\x98\xc3\xb8\r\xc3\x85\xc3\xa5\xce\x94_\xce\xa6\xce\x93\xce\x9b\xce\xa9\xce\xa0"
		"\xce\xa8\xce\xa3\xce\x98\xce\x9e\xc3\x86\xc3\xa6\xc3\x9f\xc3\x89\xc2\xa4\xc2\xa1"
		"\xc3\x84\xc3\x96\xc3\x91\xc3\x9c\xc2\xa7\xc2\xbf\xc3\xa4\xc3\xb6\xc3\xb1\xc3\xbc\xc3\xa0";
	struct sms_count c;
	REQUIRE(sms_count(basic, strlen(basic), &c) == 0);
	CHECK(c.encoding == SMS_GSM7);
	CHECK(c.units == c.chars && c.chars == 44);
	/* printable ASCII except the backtick */
	char ascii[96];
	size_t n = 0;
	for (int ch = 0x20; ch < 0x7f; ch++)
		if (ch != '`' && !strchr("^{}\\[~]|", ch))
			ascii[n++] = (char)ch;
	ascii[n] = '\0';
	REQUIRE(sms_count(ascii, n, &c) == 0);
	CHECK(c.encoding == SMS_GSM7 && c.units == n);
}

TEST(sms_ucs2_fallback)
{
	CHECK(seg(strdup("`"), SMS_UCS2, 1, 1));              /* backtick */
	CHECK(seg(strdup("a\tb"), SMS_UCS2, 3, 1));           /* tab */
	CHECK(seg(strdup("\xc3\xa7"), SMS_UCS2, 1, 1));       /* c cedilla: only capital is GSM */
	CHECK(seg(strdup("\xce\xb1"), SMS_UCS2, 1, 1));       /* greek small alpha */
	CHECK(seg(strdup("Gr\xc3\xbc\xc3\x9f" "e \xe4\xbd\xa0\xe5\xa5\xbd"), SMS_UCS2, 8, 1));
	/* one non-GSM character turns the whole text UCS-2 */
	CHECK(seg(cat3(rep("a", 100), "\xd0\xb6", strdup("")), SMS_UCS2, 101, 2));
	/* extension characters are one unit in UCS-2 */
	CHECK(seg(cat3(strdup("\xe2\x82\xac{"), "\xd0\xb6", strdup("")), SMS_UCS2, 3, 1));
}

TEST(sms_ucs2_boundaries)
{
	CHECK(seg(rep("\xd0\xb6", 70), SMS_UCS2, 70, 1));
	CHECK(seg(rep("\xd0\xb6", 71), SMS_UCS2, 71, 2));
	CHECK(seg(rep("\xd0\xb6", 134), SMS_UCS2, 134, 2));
	CHECK(seg(rep("\xd0\xb6", 135), SMS_UCS2, 135, 3));
	CHECK(seg(rep("\xd0\xb6", 201), SMS_UCS2, 201, 3));
	CHECK(seg(rep("\xd0\xb6", 202), SMS_UCS2, 202, 4));
}

TEST(sms_ucs2_surrogates)
{
	/* an emoji is two UTF-16 units */
	CHECK(seg(strdup("\xf0\x9f\x98\x80"), SMS_UCS2, 2, 1));
	CHECK(seg(rep("\xf0\x9f\x98\x80", 35), SMS_UCS2, 70, 1));
	/* 36 emoji: 33 fit a part (66 units, a pair never split) -> 2 */
	CHECK(seg(rep("\xf0\x9f\x98\x80", 36), SMS_UCS2, 72, 2));
	CHECK(seg(rep("\xf0\x9f\x98\x80", 67), SMS_UCS2, 134, 3));
	/* 66 + pair + 66 = 134 units: naive 2, exact 66 | 2+65 | 1 -> 3 */
	CHECK(seg(cat3(rep("\xd0\xb6", 66), "\xf0\x9f\x98\x80", rep("\xd0\xb6", 66)),
		  SMS_UCS2, 134, 3));
	struct sms_count c;
	REQUIRE(sms_count("\xf0\x9f\x98\x80", 4, &c) == 0);
	CHECK(c.chars == 1 && c.units == 2);
}

TEST(sms_invalid_utf8)
{
	struct sms_count c;
	CHECK(sms_count("\xc3", 1, &c) == -1);            /* truncated */
	CHECK(sms_count("\xc0\xaf", 2, &c) == -1);        /* overlong */
	CHECK(sms_count("\xe0\x80\xaf", 3, &c) == -1);    /* overlong, 3 bytes */
	CHECK(sms_count("\xed\xa0\x80", 3, &c) == -1);    /* surrogate */
	CHECK(sms_count("\xf4\x90\x80\x80", 4, &c) == -1);/* past U+10FFFF */
	CHECK(sms_count("\xff", 1, &c) == -1);
	CHECK(sms_count("a\x80", 2, &c) == -1);           /* stray continuation */
}

TEST(sms_config_env)
{
	struct sms_config c;
	setenv("SWITCHBOARD_SMS_URL", "http://127.0.0.1:9/base//", 1);
	setenv("SWITCHBOARD_SMS_SID", "AC1", 1);
	unsetenv("SWITCHBOARD_SMS_TOKEN");
	setenv("SWITCHBOARD_SMS_PRICE_MICROS", "oops", 1);
	sms_config_load(&c);
	CHECK_STR(c.url, "http://127.0.0.1:9/base");
	CHECK(!sms_configured(&c));
	CHECK(c.price_micros == 7500);
	CHECK(c.connect_timeout_ms == 5000 && c.timeout_ms == 15000 && c.tries == 3);
	setenv("SWITCHBOARD_SMS_TOKEN", "t", 1);
	setenv("SWITCHBOARD_SMS_PRICE_MICROS", "10000", 1);
	sms_config_load(&c);
	CHECK(sms_configured(&c) && c.price_micros == 10000);
	/* nothing listens on port 9: not reachable, one line, nothing raw */
	c.tries = 1;
	c.connect_timeout_ms = 500;
	struct sms_receipt r;
	char err[256];
	CHECK(sms_send(&c, "+4930111", "+4930222", "hi", &r, err, sizeof(err)) == SMS_UNAVAILABLE);
	CHECK(strstr(err, "cannot reach the SMS provider") != NULL);
	unsetenv("SWITCHBOARD_SMS_URL");
	unsetenv("SWITCHBOARD_SMS_SID");
	unsetenv("SWITCHBOARD_SMS_TOKEN");
	unsetenv("SWITCHBOARD_SMS_PRICE_MICROS");
}

TEST(secret_seal_open)
{
	char err[256];
	setenv("SWITCHBOARD_SECRET_KEY",
	       "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
	secret_reset();
	char *s = secret_seal("Bearer hunter2", err, sizeof(err));
	REQUIRE(s);
	CHECK(secret_is_sealed(s));
	CHECK(!strstr(s, "hunter2"));
	char *p = secret_open(s, err, sizeof(err));
	CHECK_STR(p, "Bearer hunter2");
	free(p);
	/* two seals of one value differ (random nonce) */
	char *s2 = secret_seal("Bearer hunter2", err, sizeof(err));
	CHECK(s2 && strcmp(s, s2));
	free(s2);
	/* tampering is detected */
	size_t n = strlen(s);
	s[n - 3] = s[n - 3] == 'A' ? 'B' : 'A';
	CHECK(secret_open(s, err, sizeof(err)) == NULL);
	CHECK(secret_open("plain", err, sizeof(err)) == NULL);
	/* another key cannot open it */
	s[n - 3] = s[n - 3] == 'A' ? 'B' : 'A';
	setenv("SWITCHBOARD_SECRET_KEY",
	       "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
	secret_reset();
	CHECK(secret_open(s, err, sizeof(err)) == NULL);
	free(s);
	/* a bad key is refused with a reason */
	setenv("SWITCHBOARD_SECRET_KEY", "abc", 1);
	secret_reset();
	CHECK(secret_seal("x", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "64 hex") != NULL);
	unsetenv("SWITCHBOARD_SECRET_KEY");
	secret_reset();
}

TEST(secret_key_file)
{
	char dir[] = "/tmp/sb-secret-XXXXXX", path[64], err[256];
	struct stat st;

	unsetenv("SWITCHBOARD_SECRET_KEY");
	REQUIRE(mkdtemp(dir));
	secret_init(dir);
	char *s = secret_seal("v", err, sizeof(err));
	REQUIRE(s);
	snprintf(path, sizeof(path), "%s/secret.key", dir);
	REQUIRE(stat(path, &st) == 0);
	CHECK((st.st_mode & 0777) == 0600);
	CHECK(st.st_size == 65);
	/* the same file opens it again after a restart */
	secret_init(dir);
	char *p = secret_open(s, err, sizeof(err));
	CHECK_STR(p, "v");
	free(p);
	free(s);
	unlink(path);
	rmdir(dir);
	secret_init(".");
}

TEST(audit_redacts_header_values)
{
	json_t *args = json_loads("{\"name\":\"t\",\"headers\":[{\"name\":\"X-Key\","
				  "\"value\":\"s3cr3t\"}],\"token\":\"abc\"}", 0, NULL);
	REQUIRE(args);
	json_t *r = audit_redact(args);
	char *txt = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(txt, "{\"headers\":[{\"name\":\"X-Key\",\"value\":\"[redacted]\"}],"
		  "\"name\":\"t\",\"token\":\"[redacted]\"}");
	free(txt);
	json_decref(r);
	json_decref(args);
}

const struct unit_test sms_tests[] = {
	T(sms_gsm_boundaries), T(sms_gsm_extension_counts_double), T(sms_gsm_escape_never_split),
	T(sms_gsm_alphabet), T(sms_ucs2_fallback), T(sms_ucs2_boundaries), T(sms_ucs2_surrogates),
	T(sms_invalid_utf8), T(sms_config_env), T(secret_seal_open), T(secret_key_file),
	T(audit_redacts_header_values), { 0 }
};
