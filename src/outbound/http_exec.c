/* http_exec.c - the one libcurl executor (see http_exec.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <curl/curl.h>
#include "outbound/http_exec.h"
#include "base/util.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		init_rc = -1;
}

int http_exec_global_init(void)
{
	pthread_once(&init_once, global_init);
	return init_rc;
}

static const char *const err_msgs[] = {
	"ok",
#define HTTP_EXEC_ROW(e, msg) msg,
	HTTP_EXEC_ERR_MAP(HTTP_EXEC_ROW)
#undef HTTP_EXEC_ROW
};

const char *http_exec_err_message(enum http_exec_err e)
{
	if ((size_t)e >= sizeof(err_msgs) / sizeof(err_msgs[0]))
		return "internal error";
	return err_msgs[e];
}

void http_exec_init(struct http_exec *e)
{
	e->curl = NULL;
}

void http_exec_release(struct http_exec *e)
{
	if (e->curl)
		curl_easy_cleanup(e->curl);
	e->curl = NULL;
}

void http_exec_res_init(struct http_exec_res *r)
{
	memset(r, 0, sizeof(*r));
	r->detail = "";
	r->head.retry_after_s = -1;
}

void http_exec_res_release(struct http_exec_res *r)
{
	buf_release(&r->body);
	free(r->location);
	r->location = NULL;
}

/* ------------------------------------------------------------------ */
/* Callbacks                                                           */

struct xfer {
	const struct http_exec_req *rq;
	struct http_exec_res *r;
	size_t total;             /* body bytes seen, capture or not */
	int too_large;
	int aborted;              /* by the caller's on_body */
	int blocked;
};

static size_t on_write(char *data, size_t size, size_t n, void *p)
{
	struct xfer *x = p;
	size_t len = size * n, room;

	if (x->rq->on_body) {
		if (len > x->rq->max_response - x->total) {
			x->too_large = 1;
			return 0;   /* aborts the transfer: CURLE_WRITE_ERROR */
		}
		x->total += len;
		if (x->rq->on_body(data, len, &x->r->head, x->rq->arg)) {
			x->aborted = 1;
			return 0;
		}
		return len;
	}
	room = x->r->body.limit - x->r->body.len;
	if (len <= room)
		return buf_add(&x->r->body, data, len) ? (x->too_large = 1, 0) : len;
	if (!x->rq->truncate) {
		x->too_large = 1;
		return 0;
	}
	if (room && buf_add(&x->r->body, data, room))
		return 0;
	x->r->truncated = 1;
	return len;   /* the rest is read and dropped */
}

/* a header's value without the surrounding blanks and the line end */
static void header_value(const char *p, size_t len, char *out, size_t outlen)
{
	size_t i = 0, j;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	j = i;
	while (j < len && p[j] != '\r' && p[j] != '\n')
		j++;
	while (j > i && (p[j - 1] == ' ' || p[j - 1] == '\t'))
		j--;
	snprintf(out, outlen, "%.*s", (int)(j - i), p + i);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	struct http_exec_head *hd = &x->r->head;
	size_t len = size * n;

	if (len > 5 && !strncmp(p, "HTTP/", 5)) {
		const char *sp = memchr(p, ' ', len);
		hd->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		hd->content_type[0] = '\0';
		hd->retry_after_s = -1;
	} else if (len > 13 && !strncasecmp(p, "content-type:", 13)) {
		header_value(p + 13, len - 13, hd->content_type, sizeof(hd->content_type));
	} else {
		long s = util_retry_after(p, len);
		if (s >= 0)
			hd->retry_after_s = s;
	}
	return len;
}

/* Every connection libcurl makes goes through here, after DNS resolution. */
static curl_socket_t on_open(void *p, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct xfer *x = p;
	struct sockaddr_storage ss;
	size_t n = addr->addrlen;

	memset(&ss, 0, sizeof(ss));
	if (purpose != CURLSOCKTYPE_IPCXN || n > sizeof(ss) ||
	    (addr->family == AF_INET && n < sizeof(struct sockaddr_in)) ||
	    (addr->family == AF_INET6 && n < sizeof(struct sockaddr_in6))) {
		x->blocked = 1;
		x->r->blocked_class = NG_UNKNOWN;
		return CURL_SOCKET_BAD;
	}
	memcpy(&ss, &addr->addr, n);
	if (!netguard_allowed((const struct sockaddr *)&ss, x->rq->guard)) {
		x->blocked = 1;
		x->r->blocked_class = netguard_classify((const struct sockaddr *)&ss);
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

/* ------------------------------------------------------------------ */
/* The exchange                                                        */

static enum http_exec_err classify(CURLcode c, const struct xfer *x)
{
	switch (c) {
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_EXEC_TIMEOUT;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (x->too_large || c == CURLE_FILESIZE_EXCEEDED)
			return HTTP_EXEC_TOO_LARGE;
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		return HTTP_EXEC_RESOLVE;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return HTTP_EXEC_URL;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		return HTTP_EXEC_TLS;
	default:
		break;
	}
	return x->blocked ? HTTP_EXEC_BLOCKED : HTTP_EXEC_CONNECT;
}

static struct curl_slist *header_list(const char *const *lines, int *oom)
{
	struct curl_slist *l = NULL, *nl;
	for (const char *const *p = lines; p && *p; p++) {
		nl = curl_slist_append(l, *p);
		if (!nl) {
			*oom = 1;
			break;
		}
		l = nl;
	}
	return l;
}

static curl_mime *form_of(CURL *h, const struct http_exec_req *rq)
{
	curl_mime *m = curl_mime_init(h);
	for (size_t i = 0; m && i < rq->nform; i++) {
		const struct http_exec_part *fp = &rq->form[i];
		curl_mimepart *part = curl_mime_addpart(m);
		if (!part || curl_mime_name(part, fp->name) != CURLE_OK ||
		    (fp->filename && curl_mime_filename(part, fp->filename) != CURLE_OK) ||
		    (fp->type && curl_mime_type(part, fp->type) != CURLE_OK) ||
		    curl_mime_data(part, fp->data, fp->data ? fp->len : 0) != CURLE_OK) {
			curl_mime_free(m);
			return NULL;
		}
	}
	return m;
}

int http_exec_perform(struct http_exec *e, const struct http_exec_req *rq, struct http_exec_res *r)
{
	struct xfer x = { rq, r, 0, 0, 0, 0 };
	struct curl_slist *hl = NULL;
	curl_mime *mime = NULL;
	CURL *h = e->curl;
	CURLcode rc = CURLE_OK;
	char *ct = NULL, *loc = NULL;
	int oom = 0;

	http_exec_res_release(r);
	http_exec_res_init(r);
	buf_init(&r->body, rq->max_response);
	if (http_exec_global_init() || (!h && !(h = e->curl = curl_easy_init()))) {
		r->err = HTTP_EXEC_INTERNAL;
		r->detail = curl_easy_strerror(CURLE_FAILED_INIT);
		return -1;
	}
	curl_easy_reset(h);   /* keeps the connection cache */
	hl = header_list(rq->headers, &oom);
	if (rq->form && !(mime = form_of(h, rq)))
		oom = 1;
	if (oom) {
		r->err = HTTP_EXEC_INTERNAL;
		r->detail = curl_easy_strerror(CURLE_OUT_OF_MEMORY);
		goto out;
	}
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_URL, rq->url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	if (!rq->env_proxy)
		SET(CURLOPT_PROXY, "");              /* ignore *_proxy from the environment */
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (rq->user_agent)
		SET(CURLOPT_USERAGENT, rq->user_agent);
	if (hl)
		SET(CURLOPT_HTTPHEADER, hl);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, &x);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, &x);
	if (rq->guarded) {
		SET(CURLOPT_OPENSOCKETFUNCTION, on_open);
		SET(CURLOPT_OPENSOCKETDATA, &x);
	}
	if (!rq->truncate)
		SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)rq->max_response);
	SET(CURLOPT_TIMEOUT_MS, rq->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, rq->connect_timeout_ms ? rq->connect_timeout_ms : rq->timeout_ms);
	if (rq->userpwd) {
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		SET(CURLOPT_USERPWD, rq->userpwd);
	}
	if (rq->method && !strcmp(rq->method, "GET"))
		SET(CURLOPT_HTTPGET, 1L);
	else if (rq->method && strcmp(rq->method, "POST"))
		SET(CURLOPT_CUSTOMREQUEST, rq->method);
	if (mime) {
		SET(CURLOPT_MIMEPOST, mime);
	} else if (rq->body) {
		SET(CURLOPT_POSTFIELDS, rq->body);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	}
#undef SET
	if (rc == CURLE_OK)
		rc = curl_easy_perform(h);
	r->detail = curl_easy_strerror(rc);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &r->request_bytes);
	if (rc != CURLE_OK) {
		r->err = x.aborted && !x.too_large ? HTTP_EXEC_CONNECT : classify(rc, &x);
		r->retryable = !x.blocked && (rc == CURLE_COULDNT_CONNECT || rc == CURLE_GOT_NOTHING ||
					      rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR);
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
	for (size_t i = 0; ct && ct[i] && i + 1 < sizeof(r->content_type); i++)
		r->content_type[i] = (unsigned char)ct[i] < 0x20 || ct[i] == 0x7f ? '?' : ct[i];
	if (r->status >= 300 && r->status < 400 &&
	    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc &&
	    !(r->location = strdup(loc))) {
		r->err = HTTP_EXEC_INTERNAL;
		r->detail = curl_easy_strerror(CURLE_OUT_OF_MEMORY);
		goto out;
	}
	r->err = HTTP_EXEC_OK;
out:
	curl_slist_free_all(hl);
	curl_mime_free(mime);
	return r->err == HTTP_EXEC_OK ? 0 : -1;
}

int http_exec_once(const struct http_exec_req *rq, struct http_exec_res *r)
{
	struct http_exec e;
	int rc;

	http_exec_init(&e);
	rc = http_exec_perform(&e, rq, r);
	http_exec_release(&e);
	return rc;
}
