/*
 * http_exec.h - the one libcurl executor: every outbound HTTP exchange of
 * the process (custom tools and raw requests in httpaction, the model in
 * agent/llm, SMS in agent/sms, the HTTP speech engines) is set up here and
 * nowhere else. A caller describes one exchange (struct http_exec_req) and
 * gets one result (struct http_exec_res); its policy stays its own: retries,
 * redirects followed by hand, what a status or an error means to its user.
 *
 * Set-up, the same for every exchange: only http and https (redirect
 * protocols too), no automatic redirects (a 3xx comes back as the status,
 * its Location in res.location), no signals, TLS verified (peer and host),
 * proxies off unless the request asks for the environment's, the caller's
 * user agent and header lines, one total timeout and a connect timeout.
 * With guarded set, every socket libcurl opens is checked by the netguard
 * (netguard.h) after DNS resolution (redirects are separate exchanges, so
 * they are checked too); without it libcurl opens sockets itself.
 *
 * The response body is bounded by max_response. Captured (no on_body), it
 * lands in res.body; with on_body each chunk goes to the callback instead.
 * Past the cap the exchange fails as HTTP_EXEC_TOO_LARGE (a Content-Length
 * over the cap fails before the body), unless truncate is set: then the
 * first max_response bytes are kept, the rest is read and dropped, and
 * res.truncated says so (captured bodies only).
 *
 * There is no cancellation: the timeout bounds every exchange.
 *
 * Ownership: the request and everything it points to are borrowed for the
 * call. A struct http_exec (one libcurl handle, its connection cache kept
 * between exchanges) belongs to one thread at a time. A result owns its body
 * and location until http_exec_res_release(); http_exec_perform() releases
 * what the result held before it fills it, so one result can serve retries.
 * Messages are lowercase and never hold header values or URLs; this module
 * logs nothing.
 */
#ifndef HTTP_EXEC_H
#define HTTP_EXEC_H

#include <stddef.h>
#include "base/buf.h"
#include "outbound/netguard.h"

/* ------------------------------------------------------------------ */
/* Error classes: enum HTTP_EXEC_<X>, in the order they are judged      */

#define HTTP_EXEC_ERR_MAP(X) \
	X(TIMEOUT, "the exchange timed out") \
	X(TOO_LARGE, "the response is larger than the limit") \
	X(RESOLVE, "the host name could not be resolved") \
	X(URL, "the url is not valid") \
	X(TLS, "the secure connection failed") \
	X(BLOCKED, "the destination address is not allowed") \
	X(CONNECT, "the connection failed") \
	X(INTERNAL, "internal error")

enum http_exec_err {
	HTTP_EXEC_OK = 0,
#define HTTP_EXEC_ENUM(e, msg) HTTP_EXEC_##e,
	HTTP_EXEC_ERR_MAP(HTTP_EXEC_ENUM)
#undef HTTP_EXEC_ENUM
};

/* ------------------------------------------------------------------ */
/* The exchange                                                         */

/* What is known of the response being received (reset per header block,
 * so an interim 100 or a redirect's headers do not leak into the next). */
struct http_exec_head {
	long status;                 /* from the status line, 0 until it came */
	char content_type[256];      /* the header's value, or "" */
	long retry_after_s;          /* Retry-After in seconds, -1 when absent */
};

/* One chunk of the body as it arrives; 0 goes on, -1 aborts the exchange
 * (HTTP_EXEC_CONNECT). The executor has already checked the cap. */
typedef int (*http_exec_body_fn)(const char *p, size_t n, const struct http_exec_head *head,
				 void *arg);

/* One part of a multipart/form-data body. */
struct http_exec_part {
	const char *name;
	const char *filename;        /* or NULL */
	const char *type;            /* or NULL */
	const char *data;            /* NULL: an empty part */
	size_t len;
};

struct http_exec_req {
	const char *method;          /* "GET", "POST", other tokens as custom;
	                                NULL: POST with a body or form, else GET */
	const char *url;
	const char *const *headers;  /* "Name: value" lines, NULL-terminated, or NULL */
	const char *body;            /* NULL: none */
	size_t body_len;
	const struct http_exec_part *form;   /* multipart body instead, or NULL */
	size_t nform;
	const char *userpwd;         /* "user:password" for basic auth, or NULL */
	const char *user_agent;
	long timeout_ms;             /* the whole exchange */
	long connect_timeout_ms;     /* 0: timeout_ms */
	size_t max_response;         /* body cap, > 0 */
	int truncate;                /* keep the first max_response bytes (see above) */
	int guarded;                 /* check every socket with the netguard */
	const struct netguard *guard;/* when guarded; NULL: public addresses only */
	int env_proxy;               /* 1: honour *_proxy from the environment */
	http_exec_body_fn on_body;   /* NULL: capture into res.body */
	void *arg;
};

struct http_exec_res {
	enum http_exec_err err;      /* HTTP_EXEC_OK when an HTTP answer arrived */
	int retryable;               /* err: the connection failed or broke before
	                                an answer (not a timeout, not the guard) */
	const char *detail;          /* libcurl's text for err ("No error" when ok):
	                                for operators, may name hosts; static */
	long status;                 /* final HTTP status, 0 when none */
	struct http_exec_head head;  /* of the last response */
	char content_type[128];      /* of the final response, controls as '?' */
	char *location;              /* a 3xx's absolute Location, or NULL; owned */
	long request_bytes;          /* request bytes sent (0: none left) */
	struct buf body;             /* captured body, NUL-terminated */
	int truncated;
	enum netguard_class blocked_class;   /* when HTTP_EXEC_BLOCKED */
};

struct http_exec {
	void *curl;                  /* CURL *, NULL until the first exchange */
};

/* curl_global_init, once (pthread_once); 0 or -1. Every entry point below
 * calls it; call it early to keep it off the first request's latency. */
int http_exec_global_init(void);

const char *http_exec_err_message(enum http_exec_err e);   /* "ok" for OK */

void http_exec_init(struct http_exec *e);
void http_exec_release(struct http_exec *e);

void http_exec_res_init(struct http_exec_res *r);
void http_exec_res_release(struct http_exec_res *r);

/* One exchange on e's handle. 0 when an answer arrived (any status), -1
 * with r->err otherwise; r is always filled. */
int http_exec_perform(struct http_exec *e, const struct http_exec_req *rq, struct http_exec_res *r);

/* The same on a handle of its own. */
int http_exec_once(const struct http_exec_req *rq, struct http_exec_res *r);

#endif
