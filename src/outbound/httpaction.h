/*
 * httpaction.h - the HTTP action executor: one outbound request for a tool.
 *
 * Shared by the in-call plane (custom "API request" tools) and the assistant
 * brain. An action definition (URL template, method, timeout, headers, static
 * body fields, typed parameters) plus the model's arguments and the call's
 * system variables become exactly one HTTP exchange (and its redirects), and
 * the outcome becomes a small, capped result the model may see.
 *
 * The pieces: ha_action.h (definitions and argument checks), ha_render.h
 * (body and query), http_exec.h (the libcurl exchange, shared by every
 * outbound caller), ha_shape.h (what the model sees of the answer); this
 * module follows the hops, signs, classifies and owns the public API.
 *
 * Request shape. Arguments are validated against the typed parameters first
 * (required, number, boolean, dropdown values; scalars are coerced where the
 * meaning is plain, e.g. "42" for a number); undeclared arguments are dropped.
 * The URL is rendered with TEMPLATE_URL (template.h); the scheme and host
 * must be literal text, and a value that makes a whole path segment "." or
 * ".." refuses the action before any connection. A parameter used in the URL is not sent again. GET
 * sends the other parameters as a query string (appended with '?' or '&');
 * POST, PUT, PATCH and DELETE send a JSON object: the static body fields
 * (string values templated with TEMPLATE_TEXT, recursively; a string that is
 * exactly "{param}" takes the typed value) merged with the parameters, the
 * static fields winning on a name clash. GET ignores static body fields.
 * Header values are rendered with TEMPLATE_HEADER: a CR/LF or other control
 * character refuses the action before any connection is made (a TAB only
 * when a value brings it: the operator's literal text may hold one).
 *
 * Safety. The outbound executor (http_exec.h), one handle per run; TLS always verified; only http
 * and https; proxies from the environment ignored; no automatic redirects:
 * each Location is resolved and followed by hand (at most max_redirects, 303
 * and POST after 301/302 become GET, the operator's headers and the
 * signature are dropped for good once a hop leaves the first origin, i.e.
 * scheme, host and port). Every socket libcurl opens is checked by the netguard
 * (netguard.h) after DNS resolution, redirects included. The timeout (1-30 s)
 * covers the whole run, redirects and the retry included. GET, PUT and DELETE
 * are retried once on a connection failure (not on a timeout, a refusal by
 * the guard or an HTTP status); POST and PATCH never are. The response body
 * is capped (max_response): past it the transfer is aborted.
 *
 * Signing. With opts.hmac_secret (the caller's per-account secret) every hop
 * on the first origin carries
 *   X-Switchboard-Timestamp: <t>
 *   X-Switchboard-Signature: t=<t>,v2=<hex HMAC-SHA256(secret, M)>
 *   M = <t> LF <METHOD> LF <URL> LF <body>
 * where t is Unix seconds (one value per run), METHOD the hop's method
 * ("GET" after a 303), URL the absolute URL the hop is sent to, as libcurl
 * normalises it: "scheme://host[:port]path[?query]", the port only when it
 * is not the scheme's default, no user info, no fragment, i.e. the scheme,
 * the Host header and the request target as the receiver sees them; body
 * the exact bytes sent ("" when none). LF separates the parts because no
 * method or URL can hold one, so no two requests share a message. A
 * receiver recomputes M and compares in constant time, and refuses a t too
 * far from its clock (replays).
 *
 * Result. ha_result.result is what the model sees: the body as compact JSON
 * when it parses (optionally reduced to the action's JSON-pointer selection),
 * else as text with invalid UTF-8 and control characters other than TAB, CR
 * and LF replaced by '?'; at most max_result bytes, a cut one ending with
 * HA_TRUNCATED. On an HTTP error status it is only a short summary (at most
 * HA_ERROR_SUMMARY bytes). ha_result.message is a short lowercase sentence
 * that is safe to show the model: it never holds header values, secrets,
 * the URL or libcurl's own error text. This module logs nothing.
 *
 * Ownership: the action, arguments and variables are borrowed for the call;
 * the result owns its text until ha_result_release(). Everything is
 * thread-safe once httpaction_global_init() has run (it runs on first use).
 */
#ifndef HTTPACTION_H
#define HTTPACTION_H

#include <stddef.h>
#include <jansson.h>
#include "outbound/ha_action.h"
#include "outbound/ha_shape.h"
#include "outbound/netguard.h"

#define HA_MAX_RESPONSE_DEFAULT (64 * 1024)
#define HA_MAX_RESULT_DEFAULT (4 * 1024)
#define HA_MAX_REDIRECTS_DEFAULT 3
#define HA_USER_AGENT "Switchboard/0.1"
#define HA_ERROR_SUMMARY 256

/* ------------------------------------------------------------------ */
/* Error kinds: enum HA_ERR_<X>, machine name, default message          */

#define HA_ERR_MAP(X) \
	X(INVALID_ARGS, "invalid_arguments", "the arguments are not valid") \
	X(TEMPLATE, "template", "a placeholder could not be filled") \
	X(CONFIG, "config", "the tool is misconfigured") \
	X(URL, "invalid_url", "the url is not valid") \
	X(BLOCKED, "blocked", "the destination address is not allowed") \
	X(CONNECT, "connect", "could not connect to the service") \
	X(TLS, "tls", "the secure connection to the service failed") \
	X(TIMEOUT, "timeout", "the service did not answer in time") \
	X(HTTP, "http_status", "the service answered with an error status") \
	X(TOO_LARGE, "too_large", "the response is too large") \
	X(REDIRECTS, "redirects", "the service redirected too often or badly") \
	X(EMPTY, "empty_body", "the service answered with an empty body") \
	X(BAD_JSON, "invalid_json", "the service did not answer with json") \
	X(INTERNAL, "internal", "internal error")

enum ha_err {
	HA_OK = 0,
#define HA_ENUM(e, name, msg) HA_ERR_##e,
	HA_ERR_MAP(HA_ENUM)
#undef HA_ENUM
};

const char *ha_err_name(enum ha_err e);     /* "timeout"; "ok" for HA_OK */
const char *ha_err_message(enum ha_err e);  /* the default sentence */

/* ------------------------------------------------------------------ */
/* Running                                                              */

struct ha_options {
	size_t max_response;         /* response body cap */
	size_t max_result;           /* what the model sees, >= 64 */
	int max_redirects;           /* hops followed, 0 = none */
	const char *hmac_secret;     /* NULL: requests are not signed */
	const char *user_agent;
	const struct netguard *guard;/* NULL: public addresses only */
	int require_json;            /* an empty or non-JSON 2xx body is an error
	                                (HA_ERR_EMPTY, HA_ERR_BAD_JSON; 204 is fine) */
};

struct ha_result {
	int ok;                      /* 1: a 2xx answer within every limit */
	enum ha_err err;             /* HA_OK when ok */
	long status;                 /* final HTTP status, 0 when none */
	long latency_ms;             /* whole run, validation to last byte */
	size_t bytes;                /* body bytes of the final response */
	int attempts;                /* transfers made, retries and hops included */
	int redirects;               /* hops followed */
	char content_type[128];      /* of the final response, or "" */
	char *result;                /* for the model; never NULL after a run */
	size_t result_len;
	int result_is_json;          /* result is complete JSON text */
	int truncated;               /* result was cut to max_result */
	char message[256];           /* short, safe for the model */
};

/* curl_global_init and sodium_init, once (pthread_once); 0 or -1 */
int httpaction_global_init(void);

/* Defaults: 64 KiB, 4 KiB, 3 redirects, "Switchboard/0.1", public only. */
void ha_options_init(struct ha_options *o);

/* Run the action. args: the model's arguments (object or NULL); sys: system
 * variables (object or NULL); opts NULL means the defaults. r is always
 * filled; 0 when r->ok, -1 otherwise. */
int httpaction_run(const struct ha_action *a, const json_t *args, const json_t *sys,
		   const struct ha_options *opts, struct ha_result *r);
void ha_result_release(struct ha_result *r);

/* {"ok", "status", "error" (when failed), "message", "result"} for a tool
 * answer; result is parsed JSON when result_is_json. New reference. */
json_t *ha_result_to_json(const struct ha_result *r);

/* The scheme in one line, as the control plane's secret tools show it. */
#define HA_SIGNATURE_SCHEME "t=<unix seconds>,v2=<hex HMAC-SHA256(secret, " \
	"\"<t>\\n<METHOD>\\n<URL>\\n<raw body>\")>, URL = <scheme>://<Host header><request target>"

/* The signature header's value for a request (see "Signing" above):
 * "t=<t>,v2=<64 hex>". url is signed as given: pass the normalised URL
 * that is sent. -1 when out is too small or method or url holds a CR/LF. */
int httpaction_sign(const char *secret, long long t, const char *method, const char *url,
		    const char *body, size_t len, char *out, size_t outlen);

/* ------------------------------------------------------------------ */
/* Raw requests: the same guard for callers that build their own        */

/*
 * One exchange whose method, headers and body the caller builds (post-call
 * webhooks, CardDAV REPORTs, contact lookups), with the executor's safety:
 * only http and https, TLS verified, proxies ignored, every socket checked by
 * the netguard after DNS resolution, one timeout over the whole exchange,
 * a bounded response. Redirects are never followed: a 3xx comes back as
 * the status. No retry: the caller decides. With hmac_secret the request
 * is signed exactly as httpaction_run signs (X-Switchboard-Timestamp and
 * X-Switchboard-Signature over t, method, normalised URL and body) and sent
 * to that normalised URL.
 */
struct ha_raw {
	const char *method;          /* "GET", "POST", "REPORT", ...: a token */
	const char *url;             /* http or https */
	const char *const *headers;  /* "Name: value" lines, NULL-terminated, or NULL */
	const char *body;            /* NULL: none */
	size_t body_len;
	long timeout_ms;             /* whole exchange, 1..60000 */
	const char *userpwd;         /* "user:password" for basic auth, or NULL */
	const char *hmac_secret;     /* NULL: not signed */
	size_t max_response;         /* body cap; 0 = HA_MAX_RESPONSE_DEFAULT */
	int truncate;                /* 1: keep the first max_response bytes and
	                                discard the rest; 0: past the cap is an error */
	const struct netguard *guard;/* NULL: public addresses only */
};

struct ha_raw_result {
	int ok;                      /* 1: an HTTP answer arrived (any status) */
	enum ha_err err;             /* why not, when !ok */
	long status;
	long latency_ms;
	char *body;                  /* NUL-terminated, owned; never NULL after a run */
	size_t body_len;
	int truncated;
	char content_type[128];
	char message[256];           /* short, lowercase, no secrets */
};

/* 0 when an answer arrived (r->ok), -1 otherwise; r is always filled. */
int httpaction_raw(const struct ha_raw *rq, struct ha_raw_result *r);
void ha_raw_result_release(struct ha_raw_result *r);

#endif
