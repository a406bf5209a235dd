/* sms.c - SMS segment counting and the Twilio-compatible client (see sms.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include <jansson.h>
#include "base/jsonsafe.h"
#include "base/buf.h"
#include "base/log.h"
#include "agent/sms.h"
#include "base/util.h"
#include "outbound/http_exec.h"
#include "outbound/template.h"

/* ---- counting ----------------------------------------------------------- */

/* GSM 03.38 basic alphabet outside printable ASCII, as code points. */
static const unsigned gsm_basic_extra[] = {
	0x0A, 0x0D, 0xA1, 0xA3, 0xA4, 0xA5, 0xA7, 0xBF, 0xC4, 0xC5, 0xC6, 0xC7,
	0xC9, 0xD1, 0xD6, 0xD8, 0xDC, 0xDF, 0xE0, 0xE4, 0xE5, 0xE6, 0xE8, 0xE9,
	0xEC, 0xF1, 0xF2, 0xF6, 0xF8, 0xF9, 0xFC,
	0x393, 0x394, 0x398, 0x39B, 0x39E, 0x3A0, 0x3A3, 0x3A6, 0x3A8, 0x3A9,
};
/* The extension table: escape + code, two septets each. */
static const unsigned gsm_ext[] = {
	0x0C, '^', '{', '}', '\\', '[', '~', ']', '|', 0x20AC,
};

/* Septets for code point cp: 1, 2, or 0 when GSM-7 cannot carry it. */
static int gsm_septets(unsigned cp)
{
	for (size_t i = 0; i < sizeof(gsm_ext) / sizeof(gsm_ext[0]); i++)
		if (cp == gsm_ext[i])
			return 2;
	/* printable ASCII is basic, except the backtick (not in GSM 03.38) */
	if (cp >= 0x20 && cp <= 0x7E)
		return cp == '`' ? 0 : 1;
	for (size_t i = 0; i < sizeof(gsm_basic_extra) / sizeof(gsm_basic_extra[0]); i++)
		if (cp == gsm_basic_extra[i])
			return 1;
	return 0;
}

/* Decode one UTF-8 sequence at s (n bytes left); its length, or -1. */
static int utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], v;
	int len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
	} else {
		return -1;
	}
	if ((size_t)len > n)
		return -1;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		v = (v << 6) | (s[i] & 0x3F);
	}
	/* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
	    (v >= 0xD800 && v <= 0xDFFF))
		return -1;
	*cp = v;
	return len;
}

/* Parts needed for `units` (each 1 or 2 wide, never split) at `per` a part. */
static int pack(const unsigned char *widths, size_t n, size_t per)
{
	size_t used = 0;
	int parts = 1;

	for (size_t i = 0; i < n; i++) {
		if (used + widths[i] > per) {
			parts++;
			used = 0;
		}
		used += widths[i];
	}
	return parts;
}

int sms_count(const char *utf8, size_t len, struct sms_count *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	unsigned char *gsm = NULL, *ucs = NULL;
	size_t i = 0, n = 0, septets = 0, units = 0;
	int gsm_ok = 1, rc = -1;

	memset(out, 0, sizeof(*out));
	/* at most one width per byte */
	gsm = malloc(len + 1);
	ucs = malloc(len + 1);
	if (!gsm || !ucs)
		goto out;
	while (i < len) {
		unsigned cp;
		int l = utf8_next(s + i, len - i, &cp);
		if (l < 0)
			goto out;
		i += (size_t)l;
		int w = gsm_septets(cp);
		if (!w)
			gsm_ok = 0;
		gsm[n] = (unsigned char)w;
		ucs[n] = cp > 0xFFFF ? 2 : 1;
		septets += (size_t)w;
		units += ucs[n];
		n++;
	}
	out->chars = n;
	if (gsm_ok) {
		out->encoding = SMS_GSM7;
		out->units = septets;
		out->per_segment = septets <= 160 ? 160 : 153;
		out->segments = septets <= 160 ? 1 : pack(gsm, n, 153);
	} else {
		out->encoding = SMS_UCS2;
		out->units = units;
		out->per_segment = units <= 70 ? 70 : 67;
		out->segments = units <= 70 ? 1 : pack(ucs, n, 67);
	}
	rc = 0;
out:
	free(gsm);
	free(ucs);
	return rc;
}

const char *sms_encoding_name(enum sms_encoding e)
{
	return e == SMS_GSM7 ? "GSM-7" : "UCS-2";
}

/* ---- configuration -------------------------------------------------------- */


void sms_config_load(struct sms_config *c)
{
	const char *url = getenv("SWITCHBOARD_SMS_URL");
	const char *sid = getenv("SWITCHBOARD_SMS_SID");
	const char *tok = getenv("SWITCHBOARD_SMS_TOKEN");

	memset(c, 0, sizeof(*c));
	snprintf(c->url, sizeof(c->url), "%s", url && *url ? url : "https://api.twilio.com");
	/* the path is appended: no trailing slash */
	for (size_t n = strlen(c->url); n && c->url[n - 1] == '/'; n--)
		c->url[n - 1] = '\0';
	snprintf(c->sid, sizeof(c->sid), "%s", sid ? sid : "");
	snprintf(c->token, sizeof(c->token), "%s", tok ? tok : "");
	c->connect_timeout_ms = util_env_i64("SWITCHBOARD_SMS_CONNECT_TIMEOUT_MS", 5000, 1, 60000);
	c->timeout_ms = util_env_i64("SWITCHBOARD_SMS_TIMEOUT_MS", 15000, 1, 120000);
	c->tries = (int)util_env_i64("SWITCHBOARD_SMS_TRIES", 3, 1, 10);
	c->backoff_ms = util_env_i64("SWITCHBOARD_SMS_BACKOFF_MS", 500, 0, 60000);
	c->retry_cap_ms = util_env_i64("SWITCHBOARD_SMS_RETRY_CAP_MS", 10000, 0, 120000);
	c->price_micros = util_env_i64("SWITCHBOARD_SMS_PRICE_MICROS", 7500, 0, 100000000);
}

static struct sms_config g_cfg;
static pthread_once_t g_cfg_once = PTHREAD_ONCE_INIT;

static void cfg_init(void)
{
	sms_config_load(&g_cfg);
}

const struct sms_config *sms_config(void)
{
	pthread_once(&g_cfg_once, cfg_init);
	return &g_cfg;
}

int sms_configured(const struct sms_config *c)
{
	return c->sid[0] && c->token[0] && c->url[0];
}

void sms_global_init(void)
{
	if (http_exec_global_init())
		log_error("sms: curl_global_init failed");
}

/* ---- one HTTP exchange ------------------------------------------------------ */

#define REPLY_LIMIT (64u * 1024)

/* A short, printable rendering of the provider's error message. */
static void safe_text(const char *in, char *out, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; in && in[i] && j + 1 < n && i < 200; i++)
		out[j++] = (unsigned char)in[i] < 0x20 ? ' ' : in[i];
	out[j] = '\0';
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts))
		;
}

int sms_send(const struct sms_config *c, const char *from, const char *to,
	     const char *body, struct sms_receipt *r, char *err, size_t errlen)
{
	struct buf url = BUF_INIT(2048), form = BUF_INIT(16384), esid = BUF_INIT(2048);
	struct http_exec ex;
	struct http_exec_req hq;
	struct http_exec_res hr;
	char userpwd[400] = "";
	json_t *doc = NULL;
	int rc = SMS_UNAVAILABLE;

	memset(r, 0, sizeof(*r));
	memset(&hq, 0, sizeof(hq));
	http_exec_init(&ex);
	http_exec_res_init(&hr);
	sms_global_init();
	if (template_urlencode(&esid, c->sid, strlen(c->sid)) ||
	    buf_printf(&url, "%s/2010-04-01/Accounts/%s/Messages.json", c->url, buf_str(&esid)) ||
	    buf_adds(&form, "From=") || template_urlencode(&form, from, strlen(from)) ||
	    buf_adds(&form, "&To=") || template_urlencode(&form, to, strlen(to)) ||
	    buf_adds(&form, "&Body=") || template_urlencode(&form, body, strlen(body))) {
		snprintf(err, errlen, "cannot build the SMS request");
		goto out;
	}
	snprintf(userpwd, sizeof(userpwd), "%s:%s", c->sid, c->token);
	hq.method = "POST";
	hq.url = buf_str(&url);
	hq.body = buf_str(&form);
	hq.body_len = form.len;
	hq.userpwd = userpwd;
	hq.user_agent = "switchboard-sms/1";
	hq.connect_timeout_ms = c->connect_timeout_ms;
	hq.timeout_ms = c->timeout_ms;
	hq.max_response = REPLY_LIMIT;
	hq.env_proxy = 1;	/* the provider is the operator's: no guard, as before */

	for (int attempt = 1; attempt <= c->tries; attempt++) {
		long status;

		http_exec_perform(&ex, &hq, &hr);
		r->tries = attempt;
		status = hr.status;
		r->http_status = (int)status;

		if (hr.err == HTTP_EXEC_INTERNAL) {
			snprintf(err, errlen, "cannot start an HTTP client");
			goto out;
		}
		if (hr.err != HTTP_EXEC_OK) {
			if (hr.err == HTTP_EXEC_TOO_LARGE) {
				snprintf(err, errlen, "the SMS provider's answer is larger than %u bytes",
					 REPLY_LIMIT);
				rc = SMS_BAD_REPLY;
				goto out;
			}
			if (hr.request_bytes > 0) {
				/* the request left: the provider may have the message */
				snprintf(err, errlen, "the SMS provider did not answer in time (%s after "
					 "%ld ms): the message may or may not have been sent",
					 hr.detail, c->timeout_ms);
				rc = SMS_UNCERTAIN;
				goto out;
			}
			snprintf(err, errlen, "cannot reach the SMS provider at '%s': %s",
				 c->url, hr.detail);
			rc = SMS_UNAVAILABLE;
		} else if (status >= 200 && status < 300) {
			doc = jsonsafe_loadb(buf_str(&hr.body), hr.body.len, 0, NULL, NULL);
			const char *sid = json_string_value(json_object_get(doc, "sid"));
			const char *st = json_string_value(json_object_get(doc, "status"));
			if (!sid || !*sid || strlen(sid) >= sizeof(r->provider_id)) {
				snprintf(err, errlen, "the SMS provider answered HTTP %ld without a "
					 "message sid", status);
				rc = SMS_BAD_REPLY;
				goto out;
			}
			snprintf(r->provider_id, sizeof(r->provider_id), "%s", sid);
			snprintf(r->status, sizeof(r->status), "%s", st && *st ? st : "queued");
			rc = SMS_SENT;
			goto out;
		} else {
			char msg[256] = "";
			doc = jsonsafe_loadb(buf_str(&hr.body), hr.body.len, 0, NULL, NULL);
			safe_text(json_string_value(json_object_get(doc, "message")), msg, sizeof(msg));
			json_int_t code = json_integer_value(json_object_get(doc, "code"));
			json_decref(doc);
			doc = NULL;
			if (status != 429 && status < 500) {
				if (code)
					snprintf(err, errlen, "the SMS provider refused the message "
						 "(HTTP %ld, code %lld%s%s)", status, (long long)code,
						 msg[0] ? ": " : "", msg);
				else
					snprintf(err, errlen, "the SMS provider refused the message "
						 "(HTTP %ld%s%s)", status, msg[0] ? ": " : "", msg);
				rc = SMS_REFUSED;
				goto out;
			}
			snprintf(err, errlen, "the SMS provider is unavailable (HTTP %ld after %d "
				 "tries)", status, attempt);
			rc = SMS_UNAVAILABLE;
		}
		if (attempt < c->tries) {
			long wait = c->backoff_ms << (attempt - 1);
			if (hr.head.retry_after_s >= 0)
				wait = hr.head.retry_after_s * 1000;
			if (wait > c->retry_cap_ms)
				wait = c->retry_cap_ms;
			log_info("sms: try %d failed (%s): retrying in %ld ms", attempt,
				 status ? "HTTP error" : "no connection", wait);
			sleep_ms(wait);
		}
	}
out:
	json_decref(doc);
	http_exec_res_release(&hr);
	http_exec_release(&ex);
	sodium_memzero(userpwd, sizeof(userpwd));
	buf_release(&esid);
	buf_release(&url);
	buf_release(&form);
	return rc;
}
