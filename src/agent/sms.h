/*
 * sms.h - SMS: exact segment counting and the provider client.
 *
 * Counting: a body that fits the GSM 03.38 alphabet is sent as GSM-7, where
 * each basic character takes one septet and each character of the
 * extension table (^ { } \ [ ~ ] | € and form feed) takes two (escape +
 * code); one message holds 160 septets, a multi-part message 153 per part
 * (the rest is the concatenation header), and an escape pair is never split
 * across parts. Anything else goes as UCS-2, counted in UTF-16 code units:
 * 70 for one message, 67 per part, a surrogate pair never split.
 *
 * Provider: a Twilio-compatible Messages API, POST
 * {base}/2010-04-01/Accounts/{sid}/Messages.json with form fields From, To,
 * Body and HTTP basic auth sid:token; the answer's `sid` is the provider's
 * message id and `status` its state. Configuration comes from the
 * environment, read once (sms_config()):
 *   SWITCHBOARD_SMS_URL     base URL (default https://api.twilio.com)
 *   SWITCHBOARD_SMS_SID     account sid      } both needed: without them
 *   SWITCHBOARD_SMS_TOKEN   auth token       } send_sms says how to set them
 *   SWITCHBOARD_SMS_PRICE_MICROS   price per segment (default 7500 = $0.0075)
 *   SWITCHBOARD_SMS_CONNECT_TIMEOUT_MS (5000), SWITCHBOARD_SMS_TIMEOUT_MS
 *   (15000), SWITCHBOARD_SMS_TRIES (3), SWITCHBOARD_SMS_BACKOFF_MS (500,
 *   doubled per retry), SWITCHBOARD_SMS_RETRY_CAP_MS (10000, also the most
 *   a Retry-After is honoured).
 * Retries: HTTP 5xx and 429, and failures before the request left (no
 * connection). A timeout after the request was sent is not retried: the
 * provider may have taken the message, and sending twice is worse.
 * sms_send() blocks (it runs on a tool worker thread) and is thread-safe.
 */
#ifndef SMS_H
#define SMS_H

#include <stddef.h>
#include <stdint.h>

/* ---- counting ------------------------------------------------------------ */

enum sms_encoding { SMS_GSM7, SMS_UCS2 };

struct sms_count {
	enum sms_encoding encoding;
	size_t chars;        /* Unicode code points */
	size_t units;        /* septets (GSM-7) or UTF-16 code units (UCS-2) */
	int segments;        /* at least 1 */
	size_t per_segment;  /* 160 / 153 (GSM-7), 70 / 67 (UCS-2) */
};

/* Count `len` bytes of UTF-8. -1 when the text is not valid UTF-8. */
int sms_count(const char *utf8, size_t len, struct sms_count *out);
const char *sms_encoding_name(enum sms_encoding e);   /* "GSM-7", "UCS-2" */

/* ---- provider ------------------------------------------------------------ */

struct sms_config {
	char url[512];
	char sid[128];
	char token[256];
	long connect_timeout_ms, timeout_ms, backoff_ms, retry_cap_ms;
	int tries;
	int64_t price_micros;     /* per segment */
};

/* The process configuration, read from the environment on first use. */
const struct sms_config *sms_config(void);
/* Fill `c` from the environment (tests build their own). */
void sms_config_load(struct sms_config *c);
int sms_configured(const struct sms_config *c);

enum sms_send_status {
	SMS_SENT = 0,
	SMS_REFUSED = -1,       /* the provider said no (4xx other than 429) */
	SMS_UNAVAILABLE = -2,   /* no connection, or 5xx/429 after every try */
	SMS_UNCERTAIN = -3,     /* timed out after sending: outcome unknown */
	SMS_BAD_REPLY = -4,     /* 2xx without a message sid */
};

struct sms_receipt {
	char provider_id[64];   /* the provider's message sid */
	char status[32];        /* queued, sent, ... */
	int http_status;        /* of the last try */
	int tries;
};

/* Send one message; SMS_SENT with *r filled, or a negative status with a
 * one-line reason in err (never the provider's raw body). */
int sms_send(const struct sms_config *c, const char *from, const char *to,
	     const char *body, struct sms_receipt *r, char *err, size_t errlen);

/* libcurl's global state, once per process (sms_send calls it itself). */
void sms_global_init(void);

#endif
