/*
 * test_httpaction.c - the HTTP action executor against a local test server.
 *
 * Each test that talks HTTP starts its own tiny server (a pthread on
 * 127.0.0.1, port 0, one thread per connection, canned answers by path) and
 * stops it at the end; every wait in the server polls a stop flag, so no
 * test outlives its own timeouts. The guard gets an allow-list for
 * 127.0.0.1/32 unless a test is about refusing loopback.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sodium.h>
#include "test.h"
#include "base/buf.h"
#include "outbound/httpaction.h"
#include "base/util.h"

/* ------------------------------------------------------------------ */
/* The test server                                                     */

#define MAX_CONNS 128

struct srv {
	int lfd, port;
	pthread_t thr;
	atomic_int stop, accepted;
	pthread_mutex_t mu;
	pthread_t conns[MAX_CONNS];
	int nconns;
};

struct conn {
	struct srv *s;
	int fd;
};

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

/* sleep up to ms, returning early when the server stops */
static void nap(struct srv *s, int ms)
{
	for (int t = 0; t < ms && !s->stop; t += 20)
		usleep(20 * 1000);
}

static void reply(int fd, const char *status, const char *ctype, const char *extra,
		  const char *body, size_t len)
{
	char head[512];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
			 "Connection: close\r\n\r\n", status, ctype, len, extra ? extra : "");
	send_all(fd, head, (size_t)n);
	send_all(fd, body, len);
}

static void redirect(int fd, const char *status, const char *loc)
{
	char extra[300];
	snprintf(extra, sizeof(extra), "Location: %s\r\n", loc);
	reply(fd, status, "text/plain", extra, "", 0);
}

/* read one request; -1 on error or stop */
static int read_request(struct conn *c, struct buf *in, size_t *head_len, size_t *body_len)
{
	double until = util_mono() + 5;
	char tmp[4096];
	size_t need = 0;
	while (!c->s->stop && util_mono() < until) {
		struct pollfd p = { c->fd, POLLIN, 0 };
		if (poll(&p, 1, 50) <= 0)
			continue;
		ssize_t k = recv(c->fd, tmp, sizeof(tmp), 0);
		if (k <= 0)
			return -1;
		if (in->len == 0 && tmp[0] == 0x16)
			return 1;   /* a TLS ClientHello on this plain-HTTP port */
		if (buf_add(in, tmp, (size_t)k))
			return -1;
		char *end = strstr(buf_str(in), "\r\n\r\n");
		if (end && !need) {
			*head_len = (size_t)(end - in->ptr) + 4;
			const char *cl = strcasestr(in->ptr, "\r\ncontent-length:");
			*body_len = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
			need = *head_len + *body_len;
		}
		if (need && in->len >= need)
			return 0;
	}
	return -1;
}

static void handle(struct conn *c)
{
	struct srv *s = c->s;
	struct buf in = BUF_INIT(1 << 20);
	size_t hl = 0, bl = 0;
	char method[16], target[1024], loc[300];

	int rr = read_request(c, &in, &hl, &bl);
	if (rr == 1)   /* answer in plain text: the client's TLS layer must fail */
		reply(c->fd, "400 Bad Request", "text/plain", NULL, "plain http", 10);
	if (rr || sscanf(in.ptr, "%15s %1023s", method, target) != 2)
		goto out;
	char *query = strchr(target, '?');
	if (query)
		*query++ = '\0';
	const char *path = target;

	if (!strcmp(path, "/ok") || !strncmp(path, "/ok/", 4)) {
		json_t *hdrs = json_object();
		char *line = strstr(in.ptr, "\r\n") + 2;
		while (line < in.ptr + hl - 2) {
			char *eol = strstr(line, "\r\n"), *colon = memchr(line, ':', (size_t)(eol - line));
			if (colon) {
				char name[128];
				size_t n = (size_t)(colon - line);
				if (n >= sizeof(name))
					n = sizeof(name) - 1;
				for (size_t i = 0; i < n; i++)
					name[i] = (char)((line[i] >= 'A' && line[i] <= 'Z') ? line[i] + 32 : line[i]);
				name[n] = '\0';
				const char *v = colon + 1;
				while (*v == ' ')
					v++;
				/* a repeated header shows as "a, b", so a duplicate is visible */
				const char *old = json_string_value(json_object_get(hdrs, name));
				struct buf hv = BUF_INIT(8192);
				if (old)
					buf_printf(&hv, "%s, ", old);
				buf_add(&hv, v, (size_t)(eol - v));
				json_object_set_new(hdrs, name, json_stringn(buf_str(&hv), hv.len));
				buf_release(&hv);
			}
			line = eol + 2;
		}
		json_t *echo = json_pack("{s:s, s:s, s:s, s:s%, s:o}", "method", method, "path", path,
					 "query", query ? query : "", "body", in.ptr + hl, bl,
					 "headers", hdrs);
		char *txt = json_dumps(echo, JSON_COMPACT);
		reply(c->fd, "200 OK", "application/json; charset=utf-8", NULL, txt, strlen(txt));
		free(txt);
		json_decref(echo);
	} else if (!strcmp(path, "/slow")) {
		nap(s, 3000);
		reply(c->fd, "200 OK", "application/json", NULL, "{}", 2);
	} else if (!strcmp(path, "/never")) {
		nap(s, 30000);
	} else if (!strcmp(path, "/big") || !strcmp(path, "/big-cl")) {
		char chunk[65536];   /* per connection: two /big handlers run at once */
		const char *h = !strcmp(path, "/big")
			? "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
			: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2097152\r\n"
			  "Connection: close\r\n\r\n";
		memset(chunk, 'a', sizeof(chunk));
		send_all(c->fd, h, strlen(h));
		for (int i = 0; i < 32 && !s->stop; i++)
			send_all(c->fd, chunk, sizeof(chunk));
	} else if (!strcmp(path, "/redirect-private")) {
		redirect(c->fd, "302 Found", "http://10.0.0.1/");
	} else if (!strcmp(path, "/redirect-ok")) {
		redirect(c->fd, "302 Found", "/ok?from=redirect");
	} else if (!strcmp(path, "/redirect-303")) {
		redirect(c->fd, "303 See Other", "/ok");
	} else if (!strcmp(path, "/redirect-307")) {
		redirect(c->fd, "307 Temporary Redirect", "ok");   /* relative to /redirect-307 */
	} else if (!strcmp(path, "/redirect-loop")) {
		redirect(c->fd, "302 Found", "/redirect-loop");
	} else if (!strcmp(path, "/redirect-file")) {
		redirect(c->fd, "302 Found", "file:///etc/passwd");
	} else if (!strcmp(path, "/redirect-other-origin")) {
		snprintf(loc, sizeof(loc), "http://localhost:%d/ok", s->port);
		redirect(c->fd, "302 Found", loc);
	} else if (!strcmp(path, "/500")) {
		char big[2048];
		int n = snprintf(big, sizeof(big), "{\"error\":\"boom\",\"trace\":\"");
		memset(big + n, 'T', 1500);
		snprintf(big + n + 1500, sizeof(big) - (size_t)n - 1500, "\"}");
		reply(c->fd, "500 Internal Server Error", "application/json", NULL, big, strlen(big));
	} else if (!strcmp(path, "/json-big")) {
		struct buf b = BUF_INIT(1 << 20);
		buf_adds(&b, "[");
		for (int i = 0; i < 1000; i++)
			buf_printf(&b, "%s{\"i\":%d,\"name\":\"caf\xc3\xa9 %d\"}", i ? "," : "", i, i);
		buf_adds(&b, "]");
		reply(c->fd, "200 OK", "application/json", NULL, b.ptr, b.len);
		buf_release(&b);
	} else if (!strcmp(path, "/select")) {
		const char *j = "{\"data\":{\"name\":\"Ann\",\"id\":7,\"secret\":\"s3\"},"
				"\"list\":[10,20],\"meta\":{\"a/b\":1}}";
		reply(c->fd, "200 OK", "application/json", NULL, j, strlen(j));
	} else if (!strcmp(path, "/text")) {
		const char t[] = "hello\x01 w\xfforld\n\xc3\xa9";
		reply(c->fd, "200 OK", "text/plain", NULL, t, sizeof(t) - 1);
	} else if (!strcmp(path, "/empty")) {
		reply(c->fd, "200 OK", "application/json", NULL, "", 0);
	} else if (!strcmp(path, "/nocontent")) {
		const char *h = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
		send_all(c->fd, h, strlen(h));
	} else if (!strcmp(path, "/notjson")) {
		reply(c->fd, "200 OK", "text/html", NULL, "<html>hi</html>", 15);
	} else {
		reply(c->fd, "404 Not Found", "text/plain", NULL, "not found", 9);
	}
out:
	buf_release(&in);
}

static void *conn_main(void *p)
{
	struct conn *c = p;
	handle(c);
	shutdown(c->fd, SHUT_WR);
	close(c->fd);
	free(c);
	return NULL;
}

static void *acceptor(void *p)
{
	struct srv *s = p;
	while (!s->stop) {
		struct pollfd pfd = { s->lfd, POLLIN, 0 };
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		s->accepted++;
		struct conn *c = malloc(sizeof(*c));
		c->s = s;
		c->fd = fd;
		pthread_mutex_lock(&s->mu);
		if (s->nconns < MAX_CONNS &&
		    !pthread_create(&s->conns[s->nconns], NULL, conn_main, c)) {
			s->nconns++;
		} else {
			close(fd);
			free(c);
		}
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

static int srv_start(struct srv *s)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(s->lfd, 64) || getsockname(s->lfd, (struct sockaddr *)&a, &len))
		return -1;
	s->port = ntohs(a.sin_port);
	return pthread_create(&s->thr, NULL, acceptor, s) ? -1 : 0;
}

static void srv_stop(struct srv *s)
{
	s->stop = 1;
	pthread_join(s->thr, NULL);
	for (int i = 0; i < s->nconns; i++)
		pthread_join(s->conns[i], NULL);
	close(s->lfd);
	pthread_mutex_destroy(&s->mu);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
	if (!j)
		fprintf(stderr, "  bad test json: %s: %s\n", text, e.text);
	return j;
}

static struct netguard LOOPBACK_OK;

static void opts_local(struct ha_options *o)
{
	char err[64];
	ha_options_init(o);
	netguard_parse(&LOOPBACK_OK, "127.0.0.1/32", err, sizeof(err));
	o->guard = &LOOPBACK_OK;
}

static const char *SYS =
	"{\"customer_phone\":\"+49 170 1234567\",\"assistant_id\":\"as_1\","
	"\"assistant_name\":\"Front desk\",\"call_id\":\"call_9\","
	"\"current_date\":\"2026-07-01\",\"current_time\":\"09:30\"}";

/* Define an action from JSON text where "@" in the text stands for the
 * server's base URL, run it, and return 0/-1; *echo gets the parsed result
 * when it is JSON. */
static int RUN(struct srv *s, const char *def_fmt, const char *args_txt,
	       const struct ha_options *o, struct ha_result *r, json_t **echo)
{
	struct buf d = BUF_INIT(1 << 16);
	char base[64];
	struct ha_action a;
	char err[200];
	json_t *def, *args = args_txt ? J(args_txt) : NULL, *sys = J(SYS);
	int rc;

	snprintf(base, sizeof(base), "http://127.0.0.1:%d", s ? s->port : 1);
	for (const char *p = def_fmt; *p; p++)
		*p == '@' ? buf_adds(&d, base) : buf_addch(&d, *p);
	def = J(buf_str(&d));
	buf_release(&d);
	if (echo)
		*echo = NULL;
	if (ha_action_from_json(def, &a, err, sizeof(err))) {
		fprintf(stderr, "  definition refused: %s\n", err);
		memset(r, 0, sizeof(*r));
		r->err = HA_ERR_CONFIG;
		json_decref(def);
		json_decref(args);
		json_decref(sys);
		return -2;
	}
	rc = httpaction_run(&a, args, sys, o, r);
	if (echo && r->result_is_json)
		*echo = json_loads(r->result, JSON_DECODE_ANY, NULL);
	ha_action_release(&a);
	json_decref(def);
	json_decref(args);
	json_decref(sys);
	return rc;
}

static const char *S(json_t *o, const char *path)
{
	/* "a.b" lookup of a string */
	char tmp[128];
	json_t *cur = o;
	snprintf(tmp, sizeof(tmp), "%s", path);
	char *save = NULL;
	for (char *t = strtok_r(tmp, ".", &save); t && cur; t = strtok_r(NULL, ".", &save))
		cur = json_object_get(cur, t);
	return json_string_value(cur);
}

/* ------------------------------------------------------------------ */
/* Request shapes                                                      */

TEST(ha_get_query_shape)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	json_t *e;
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);

	/* no query in the URL: '?'; declared params only; absent optional omitted */
	CHECK(RUN(&s, "{\"url\":\"@/ok\",\"method\":\"GET\",\"params\":["
		  "{\"name\":\"name\",\"type\":\"text\",\"required\":true},"
		  "{\"name\":\"n\",\"type\":\"number\"},{\"name\":\"opt\"}]}",
		  "{\"name\":\"Ann Lee\",\"n\":3,\"undeclared\":\"x\"}", &o, &r, &e) == 0);
	CHECK(r.ok && r.status == 200 && r.err == HA_OK);
	CHECK_STR(S(e, "method"), "GET");
	CHECK_STR(S(e, "path"), "/ok");
	CHECK_STR(S(e, "query"), "name=Ann%20Lee&n=3");
	CHECK_STR(S(e, "body"), "");
	CHECK(S(e, "headers.content-type") == NULL);
	CHECK_STR(S(e, "headers.user-agent"), "Switchboard/0.1");
	CHECK(!strncmp(r.content_type, "application/json", 16));
	CHECK(r.bytes > 0 && r.attempts == 1 && r.redirects == 0);
	json_decref(e);
	ha_result_release(&r);

	/* a query already there: '&'; a param used in the URL is not repeated */
	CHECK(RUN(&s, "{\"url\":\"@/ok/{id}?fixed=1#frag\",\"params\":["
		  "{\"name\":\"id\",\"required\":true},{\"name\":\"flag\",\"type\":\"boolean\"}]}",
		  "{\"id\":\"7\",\"flag\":\"TRUE\"}", &o, &r, &e) == 0);
	CHECK_STR(S(e, "path"), "/ok/7");
	CHECK_STR(S(e, "query"), "fixed=1&flag=true");
	json_decref(e);
	ha_result_release(&r);

	/* system variables in the query of the template, URL-encoded */
	CHECK(RUN(&s, "{\"url\":\"@/ok?from={{customer_phone}}&a={{assistant_id}}&\"}",
		  NULL, &o, &r, &e) == 0);
	CHECK_STR(S(e, "query"), "from=%2B49%20170%201234567&a=as_1&");
	json_decref(e);
	ha_result_release(&r);
	srv_stop(&s);
}

TEST(ha_post_body_shape)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	json_t *e, *body;
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	CHECK(RUN(&s, "{\"url\":\"@/ok\",\"method\":\"post\",\"timeout\":5,"
		  "\"body\":{\"source\":\"switchboard\",\"caller\":\"{{customer_phone}}\","
		  "\"nested\":{\"note\":\"for {name} at {{current_time}}\",\"list\":[\"{n}\",\"x\"]},"
		  "\"amount\":\"{n}\",\"name\":\"static wins\"},"
		  "\"params\":[{\"name\":\"name\",\"required\":true},"
		  "{\"name\":\"n\",\"type\":\"number\",\"required\":true},"
		  "{\"name\":\"color\",\"type\":\"dropdown\",\"values\":[\"Red\",\"Blue\"]},"
		  "{\"name\":\"opt\"}]}",
		  "{\"name\":\"Ann\",\"n\":\"12.5\",\"color\":\"blue\"}", &o, &r, &e) == 0);
	CHECK_STR(S(e, "method"), "POST");
	CHECK_STR(S(e, "query"), "");
	CHECK_STR(S(e, "headers.content-type"), "application/json");
	body = J(S(e, "body"));
	REQUIRE(body);
	char *txt = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(txt, "{\"amount\":12.5,\"caller\":\"+49 170 1234567\",\"color\":\"Blue\","
		  "\"n\":12.5,\"name\":\"static wins\",\"nested\":{\"list\":[12.5,\"x\"],"
		  "\"note\":\"for Ann at 09:30\"},\"source\":\"switchboard\"}");
	free(txt);
	json_decref(body);
	json_decref(e);
	ha_result_release(&r);
	srv_stop(&s);
}

TEST(ha_put_patch_delete_shape)
{
	static const char *const methods[] = { "PUT", "PATCH", "DELETE" };
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	json_t *e;
	char def[256];
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	for (int i = 0; i < 3; i++) {
		snprintf(def, sizeof(def), "{\"url\":\"@/ok/{id}\",\"method\":\"%s\","
			 "\"body\":{\"k\":1},\"params\":[{\"name\":\"id\"},{\"name\":\"v\"}]}",
			 methods[i]);
		CHECK(RUN(&s, def, "{\"id\":\"x y\",\"v\":\"z\"}", &o, &r, &e) == 0);
		CHECK_STR(S(e, "method"), methods[i]);
		CHECK_STR(S(e, "path"), "/ok/x%20y");
		CHECK_STR(S(e, "body"), "{\"k\":1,\"v\":\"z\"}");
		CHECK_STR(S(e, "headers.content-type"), "application/json");
		json_decref(e);
		ha_result_release(&r);
	}
	srv_stop(&s);
}

TEST(ha_url_encoding)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	json_t *e;
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	CHECK(RUN(&s, "{\"url\":\"@/ok/{id}?x={id}\",\"params\":[{\"name\":\"id\"},{\"name\":\"q\"}]}",
		  "{\"id\":\"a b&c/d?e#f caf\\u00e9 \\u4e2d\",\"q\":\"x y+z=&\"}", &o, &r, &e) == 0);
	CHECK_STR(S(e, "path"), "/ok/a%20b%26c%2Fd%3Fe%23f%20caf%C3%A9%20%E4%B8%AD");
	CHECK_STR(S(e, "query"), "x=a%20b%26c%2Fd%3Fe%23f%20caf%C3%A9%20%E4%B8%AD&q=x%20y%2Bz%3D%26");
	json_decref(e);
	ha_result_release(&r);
	/* path traversal stays one segment */
	CHECK(RUN(&s, "{\"url\":\"@/ok/{id}\",\"params\":[{\"name\":\"id\"}]}",
		  "{\"id\":\"../../admin\"}", &o, &r, &e) == 0);
	CHECK_STR(S(e, "path"), "/ok/..%2F..%2Fadmin");
	json_decref(e);
	ha_result_release(&r);
	/* a value that is a whole "." or ".." segment is refused before any
	 * connection (with the operator's Authorization, /ok/{id}/x with ".."
	 * would reach /ok/x) */
	int before = s.accepted;
	CHECK(RUN(&s, "{\"url\":\"@/ok/{id}/x\",\"params\":[{\"name\":\"id\"}],"
		  "\"headers\":[{\"name\":\"Authorization\",\"value\":\"Bearer t\"}]}",
		  "{\"id\":\"..\"}", &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_TEMPLATE);
	CHECK_STR(r.message, "url: value of 'id' makes the path segment '..'");
	CHECK(r.attempts == 0);
	ha_result_release(&r);
	CHECK(RUN(&s, "{\"url\":\"@/ok/%2E{id}/x\",\"params\":[{\"name\":\"id\"}]}",
		  "{\"id\":\".\"}", &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_TEMPLATE && r.attempts == 0);
	ha_result_release(&r);
	CHECK(s.accepted == before);
	srv_stop(&s);
}

TEST(ha_header_injection_refused)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	json_t *e;
	const char *def = "{\"url\":\"@/ok\",\"headers\":[{\"name\":\"X-Token\","
			  "\"value\":\"Bearer {token}\"},{\"name\":\"X-Empty\",\"value\":\"{opt}\"},"
			  "{\"name\":\"X-Call\",\"value\":\"{{call_id}}\"}],"
			  "\"params\":[{\"name\":\"token\"},{\"name\":\"opt\"}]}";
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	CHECK(RUN(&s, def, "{\"token\":\"abc\\r\\nX-Evil: 1\"}", &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_TEMPLATE);
	CHECK_STR(r.message, "header 'X-Token': value of 'token' contains a control character");
	CHECK(strstr(r.message, "abc") == NULL);   /* the value is never echoed */
	CHECK(r.attempts == 0);
	ha_result_release(&r);
	CHECK(RUN(&s, def, "{\"token\":\"abc\\nX-Evil: 1\"}", &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_TEMPLATE);
	ha_result_release(&r);
	CHECK(RUN(&s, def, "{\"token\":\"abc\\td\"}", &o, &r, NULL) == -1);   /* a value: no TAB */
	CHECK(r.err == HA_ERR_TEMPLATE);
	ha_result_release(&r);
	CHECK(s.accepted == 0);
	int before;

	/* the same action with a clean value; an empty value is still sent */
	CHECK(RUN(&s, def, "{\"token\":\"abc\"}", &o, &r, &e) == 0);
	CHECK_STR(S(e, "headers.x-token"), "Bearer abc");
	CHECK_STR(S(e, "headers.x-empty"), "");
	CHECK_STR(S(e, "headers.x-call"), "call_9");
	CHECK(S(e, "headers.x-evil") == NULL);
	json_decref(e);
	ha_result_release(&r);

	/* the operator's literal text may hold a TAB (a field value may), no
	 * other control character: what the mid-call tool tools accept runs */
	CHECK(RUN(&s, "{\"url\":\"@/ok\",\"headers\":[{\"name\":\"X-Tab\",\"value\":\"a\\tb\"}]}",
		  NULL, &o, &r, &e) == 0);
	CHECK_STR(S(e, "headers.x-tab"), "a\tb");
	json_decref(e);
	ha_result_release(&r);
	before = s.accepted;
	CHECK(RUN(&s, "{\"url\":\"@/ok\",\"headers\":[{\"name\":\"X-Vt\",\"value\":\"a\\u000bb\"}]}",
		  NULL, &o, &r, NULL) == -2);   /* the definition is refused */
	CHECK(r.err == HA_ERR_CONFIG);
	CHECK(s.accepted == before);
	ha_result_release(&r);
	srv_stop(&s);
}

TEST(ha_definition_errors)
{
	struct ha_action a;
	char err[200];
	json_t *d;
#define BAD(text, want) do { d = J(text); \
	CHECK(ha_action_from_json(d, &a, err, sizeof(err)) == -1); \
	CHECK_STR(err, want); json_decref(d); } while (0)
	BAD("{\"url\":\"http://x/{nope}\"}", "url: unknown placeholder 'nope'");
	BAD("{\"url\":\"http://x/{{nope}}\"}", "url: unknown system variable 'nope'");
	BAD("{\"url\":\"http://{host}/x\",\"params\":[{\"name\":\"host\"}]}",
	    "url host must be literal text");
	BAD("{\"url\":\"http://a{{call_id}}.example/x\"}", "url host must be literal text");
	BAD("{\"url\":\"ftp://x/\"}", "url must start with 'http://' or 'https://'");
	BAD("{\"url\":\"{{call_id}}\"}", "url must start with 'http://' or 'https://'");
	BAD("{}", "url is missing");
	BAD("{\"url\":\"http://x/\",\"method\":\"TRACE\"}",
	    "method 'TRACE' is not one of GET, POST, PUT, PATCH, DELETE");
	BAD("{\"url\":\"http://x/\",\"timeout\":0}", "timeout must be 1 to 30 seconds");
	BAD("{\"url\":\"http://x/\",\"timeout\":31}", "timeout must be 1 to 30 seconds");
	BAD("{\"url\":\"http://x/\",\"headers\":[{\"name\":\"Host\",\"value\":\"y\"}]}",
	    "header 'Host' cannot be set");
	BAD("{\"url\":\"http://x/\",\"headers\":[{\"name\":\"Bad Name\",\"value\":\"y\"}]}",
	    "header name 'Bad Name' is not valid");
	BAD("{\"url\":\"http://x/\",\"headers\":[{\"name\":\"A\",\"value\":\"{secret_x}\"}]}",
	    "header 'A' has an invalid value template");
	BAD("{\"url\":\"http://x/\",\"params\":[{\"name\":\"a\",\"type\":\"date\"}]}",
	    "parameter 'a' has unknown type 'date'");
	BAD("{\"url\":\"http://x/\",\"params\":[{\"name\":\"a\",\"type\":\"dropdown\"}]}",
	    "dropdown 'a' has no values");
	BAD("{\"url\":\"http://x/\",\"params\":[{\"name\":\"a\"},{\"name\":\"a\"}]}",
	    "parameter 'a' is declared twice");
	BAD("{\"url\":\"http://x/\",\"params\":[{\"name\":\"a b\"}]}",
	    "parameter name 'a b' is not valid");
	BAD("{\"url\":\"http://x/\",\"body\":{\"a\":\"{zz}\"}}",
	    "static body: unknown placeholder 'zz'");
	BAD("{\"url\":\"http://x/\",\"body\":[1]}", "static body must be an object");
	BAD("{\"url\":\"http://x/\",\"select\":[\"data\"]}", "response field 1 is not a json pointer");
#undef BAD
	/* the peers' shape: endpoint + schema, string/number/boolean types */
	d = J("{\"endpoint\":\"https://crm.example/api/{id}\",\"method\":\"PATCH\",\"timeout\":3,"
	      "\"schema\":[{\"name\":\"id\",\"type\":\"string\",\"required\":true},"
	      "{\"name\":\"vip\",\"type\":\"boolean\"},{\"name\":\"tier\",\"type\":\"enum\","
	      "\"enum\":[\"a\",\"b\"]}]}");
	CHECK(ha_action_from_json(d, &a, err, sizeof(err)) == 0);
	CHECK(a.method == HA_PATCH && a.timeout_s == 3 && a.nparams == 3);
	CHECK(a.params[0].required && a.params[1].type == HA_BOOLEAN);
	CHECK(a.params[2].type == HA_DROPDOWN && a.params[2].nvalues == 2);
	CHECK_STR(a.params[2].values[1], "b");
	ha_action_release(&a);
	json_decref(d);

	/* a struct-built action that skipped the check is refused at run time */
	struct ha_action raw = { 0 };
	struct ha_result r;
	raw.url = "http://127.0.0.1/{nope}";
	raw.timeout_s = 1;
	CHECK(httpaction_run(&raw, NULL, NULL, NULL, &r) == -1);
	CHECK(r.err == HA_ERR_CONFIG);
	CHECK_STR(r.message, "the tool is misconfigured: url: unknown placeholder 'nope'");
	CHECK_STR(r.result, "");
	ha_result_release(&r);
}

TEST(ha_argument_validation)
{
	struct ha_options o;
	struct ha_result r;
	const char *def = "{\"url\":\"@/ok\",\"method\":\"POST\",\"params\":["
			  "{\"name\":\"name\",\"required\":true},"
			  "{\"name\":\"n\",\"type\":\"number\"},"
			  "{\"name\":\"ok\",\"type\":\"boolean\"},"
			  "{\"name\":\"c\",\"type\":\"dropdown\",\"values\":[\"Red\",\"Blue\"]}]}";
	opts_local(&o);
#define INVALID(args, want) do { \
	CHECK(RUN(NULL, def, args, &o, &r, NULL) == -1); \
	CHECK(r.err == HA_ERR_INVALID_ARGS); CHECK(r.attempts == 0); \
	CHECK_STR(r.message, want); ha_result_release(&r); } while (0)
	INVALID("{}", "missing required argument 'name'");
	INVALID("{\"name\":\"\"}", "missing required argument 'name'");
	INVALID("{\"name\":null}", "missing required argument 'name'");
	INVALID("[1]", "arguments must be an object");
	INVALID("{\"name\":\"a\",\"n\":\"abc\"}", "argument 'n' must be a number");
	INVALID("{\"name\":\"a\",\"n\":\"12abc\"}", "argument 'n' must be a number");
	INVALID("{\"name\":\"a\",\"n\":\"0x10\"}", "argument 'n' must be a number");
	INVALID("{\"name\":\"a\",\"n\":\"nan\"}", "argument 'n' must be a number");
	INVALID("{\"name\":\"a\",\"n\":\" 1\"}", "argument 'n' must be a number");
	INVALID("{\"name\":\"a\",\"n\":true}", "argument 'n' must be a number");
	INVALID("{\"name\":\"a\",\"ok\":\"yes\"}", "argument 'ok' must be true or false");
	INVALID("{\"name\":\"a\",\"c\":\"Green\"}", "argument 'c' must be one of: Red, Blue");
	INVALID("{\"name\":\"a\",\"c\":1}", "argument 'c' must be one of: Red, Blue");
	INVALID("{\"name\":{\"x\":1}}", "argument 'name' must be a single value");
#undef INVALID
}

/* ------------------------------------------------------------------ */
/* Failure modes                                                       */

TEST(ha_timeout_slow)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	double t0 = util_mono();
	CHECK(RUN(&s, "{\"url\":\"@/slow\",\"timeout\":1}", NULL, &o, &r, NULL) == -1);
	double took = util_mono() - t0;
	CHECK(r.err == HA_ERR_TIMEOUT);
	CHECK_STR(r.message, "the service did not answer within 1 s");
	CHECK(took >= 0.9 && took < 2.0);
	CHECK(r.latency_ms >= 900 && r.latency_ms < 2000);
	CHECK(r.attempts == 1);   /* a timeout is never retried */
	ha_result_release(&r);
	srv_stop(&s);
}

TEST(ha_timeout_never)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	double t0 = util_mono();
	CHECK(RUN(&s, "{\"url\":\"@/never\",\"method\":\"PUT\",\"timeout\":1}", NULL, &o, &r,
		  NULL) == -1);
	CHECK(r.err == HA_ERR_TIMEOUT);
	CHECK(util_mono() - t0 < 2.0);
	CHECK(r.attempts == 1);
	CHECK(s.accepted == 1);
	ha_result_release(&r);
	srv_stop(&s);
}

TEST(ha_size_cap)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	/* close-delimited: aborted by the write callback */
	CHECK(RUN(&s, "{\"url\":\"@/big\",\"timeout\":5}", NULL, &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_TOO_LARGE);
	CHECK_STR(r.message, "the response is larger than 65536 bytes");
	CHECK(r.latency_ms < 2000);
	ha_result_release(&r);
	/* announced length: refused before the body */
	CHECK(RUN(&s, "{\"url\":\"@/big-cl\",\"timeout\":5}", NULL, &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_TOO_LARGE);
	ha_result_release(&r);
	/* a larger cap takes it */
	o.max_response = 3 << 20;
	CHECK(RUN(&s, "{\"url\":\"@/big\",\"timeout\":5}", NULL, &o, &r, NULL) == 0);
	CHECK(r.bytes == 2u << 20);
	CHECK(r.truncated && r.result_len <= HA_MAX_RESULT_DEFAULT);
	ha_result_release(&r);
	srv_stop(&s);
}

TEST(ha_redirects)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	json_t *e;
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);

	/* to a private address: refused by the guard on the second hop */
	CHECK(RUN(&s, "{\"url\":\"@/redirect-private\",\"timeout\":5}", NULL, &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_BLOCKED);
	CHECK_STR(r.message, "the destination address is not allowed (private)");
	CHECK(r.redirects == 1);
	ha_result_release(&r);

	/* followed, relative Location resolved */
	CHECK(RUN(&s, "{\"url\":\"@/redirect-ok\"}", NULL, &o, &r, &e) == 0);
	CHECK(r.redirects == 1 && r.status == 200);
	CHECK_STR(S(e, "path"), "/ok");
	CHECK_STR(S(e, "query"), "from=redirect");
	json_decref(e);
	ha_result_release(&r);

	/* 303 turns POST into GET without a body */
	CHECK(RUN(&s, "{\"url\":\"@/redirect-303\",\"method\":\"POST\",\"body\":{\"a\":1}}",
		  NULL, &o, &r, &e) == 0);
	CHECK_STR(S(e, "method"), "GET");
	CHECK_STR(S(e, "body"), "");
	json_decref(e);
	ha_result_release(&r);

	/* 307 keeps method and body */
	CHECK(RUN(&s, "{\"url\":\"@/redirect-307\",\"method\":\"PUT\",\"body\":{\"a\":1}}",
		  NULL, &o, &r, &e) == 0);
	CHECK_STR(S(e, "method"), "PUT");
	CHECK_STR(S(e, "body"), "{\"a\":1}");
	json_decref(e);
	ha_result_release(&r);

	/* a loop stops after max_redirects hops */
	CHECK(RUN(&s, "{\"url\":\"@/redirect-loop\"}", NULL, &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_REDIRECTS && r.redirects == 3 && r.attempts == 4);
	CHECK_STR(r.message, "more than 3 redirects");
	ha_result_release(&r);
	o.max_redirects = 0;
	CHECK(RUN(&s, "{\"url\":\"@/redirect-ok\"}", NULL, &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_REDIRECTS && r.status == 302);
	ha_result_release(&r);
	o.max_redirects = 3;

	/* only http and https */
	CHECK(RUN(&s, "{\"url\":\"@/redirect-file\"}", NULL, &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_REDIRECTS);
	CHECK_STR(r.message, "redirect to a url that is not http or https");
	ha_result_release(&r);
	srv_stop(&s);
}

TEST(ha_cross_origin_redirect_drops_headers)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	json_t *e;
#define XO_DEF "{\"url\":\"@/%s\",\"headers\":[{\"name\":\"X-Api-Key\",\"value\":\"k-1\"}]}"
	char d[200];
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	o.hmac_secret = "sec";
	snprintf(d, sizeof(d), XO_DEF, "redirect-ok");
	CHECK(RUN(&s, d, NULL, &o, &r, &e) == 0);
	CHECK_STR(S(e, "headers.x-api-key"), "k-1");
	json_decref(e);
	ha_result_release(&r);
	/* localhost:port is another origin than 127.0.0.1:port */
	snprintf(d, sizeof(d), XO_DEF, "redirect-other-origin");
	CHECK(RUN(&s, d, NULL, &o, &r, &e) == 0);
	CHECK(r.redirects == 1);
	CHECK(S(e, "headers.x-api-key") == NULL);
	/* the signature vouches for the operator's request: not sent to
	 * another origin either */
	CHECK(S(e, "headers.x-switchboard-signature") == NULL);
	CHECK(S(e, "headers.x-switchboard-timestamp") == NULL);
	json_decref(e);
	ha_result_release(&r);
	srv_stop(&s);
}

TEST(ha_http_errors_classified)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	CHECK(RUN(&s, "{\"url\":\"@/500\"}", NULL, &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_HTTP && r.status == 500 && !r.ok);
	CHECK_STR(r.message, "the service answered with http status 500");
	CHECK(r.attempts == 1);   /* a status is an answer: no retry */
	CHECK(r.result_len <= HA_ERROR_SUMMARY && r.truncated);
	CHECK(!strncmp(r.result, "{\"error\":\"boom\"", 15));
	CHECK(r.bytes > 1500);
	json_t *j = ha_result_to_json(&r);
	CHECK_STR(json_string_value(json_object_get(j, "error")), "http_status");
	CHECK(json_integer_value(json_object_get(j, "status")) == 500);
	CHECK(json_is_string(json_object_get(j, "result")));
	json_decref(j);
	ha_result_release(&r);
	CHECK(RUN(&s, "{\"url\":\"@/missing\",\"method\":\"DELETE\"}", NULL, &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_HTTP && r.status == 404);
	CHECK_STR(r.result, "not found");
	ha_result_release(&r);
	srv_stop(&s);
}

TEST(ha_tls_failure_classified)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	struct ha_action a = { 0 };
	char url[64];
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/ok", s.port);
	a.url = url;
	a.timeout_s = 3;
	CHECK(httpaction_run(&a, NULL, NULL, &o, &r) == -1);
	CHECK(r.err == HA_ERR_TLS);
	CHECK_STR(r.message, "the secure connection to the service failed");
	CHECK(r.latency_ms < 2000);
	ha_result_release(&r);
	srv_stop(&s);
}

/* The operator's Accept and Content-Type replace ours instead of doubling. */
TEST(ha_operator_headers_replace_defaults)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	json_t *e;
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	o.max_result = 0;   /* zero means the default */
	CHECK(RUN(&s, "{\"url\":\"@/ok\",\"method\":\"POST\",\"headers\":["
		  "{\"name\":\"accept\",\"value\":\"application/vnd.crm+json\"},"
		  "{\"name\":\"Content-Type\",\"value\":\"application/json; charset=utf-8\"}]}",
		  NULL, &o, &r, &e) == 0);
	CHECK_STR(S(e, "headers.accept"), "application/vnd.crm+json");
	CHECK_STR(S(e, "headers.content-type"), "application/json; charset=utf-8");
	CHECK(!r.truncated && r.result_is_json);
	json_decref(e);
	ha_result_release(&r);
	srv_stop(&s);
}

TEST(ha_blocked_without_allow_list)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	struct netguard g;
	char err[64];
	REQUIRE(srv_start(&s) == 0);
	ha_options_init(&o);   /* no guard: public addresses only */
	CHECK(RUN(&s, "{\"url\":\"@/ok\"}", NULL, &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_BLOCKED);
	CHECK_STR(r.message, "the destination address is not allowed (loopback)");
	CHECK(r.attempts == 1);   /* a refusal is not retried */
	ha_result_release(&r);
	/* NULL options are the defaults too */
	CHECK(RUN(&s, "{\"url\":\"@/ok\",\"method\":\"POST\"}", NULL, NULL, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_BLOCKED);
	ha_result_release(&r);
	/* an allow-list that does not cover loopback */
	REQUIRE(netguard_parse(&g, "10.0.0.0/8", err, sizeof(err)) == 0);
	o.guard = &g;
	CHECK(RUN(&s, "{\"url\":\"@/ok\"}", NULL, &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_BLOCKED);
	ha_result_release(&r);
	/* "localhost" resolves to loopback: the check is after resolution */
	struct ha_action a = { 0 };
	char url[64];
	snprintf(url, sizeof(url), "http://localhost:%d/ok", s.port);
	a.url = url;
	a.timeout_s = 2;
	CHECK(httpaction_run(&a, NULL, NULL, &o, &r) == -1);
	CHECK(r.err == HA_ERR_BLOCKED);
	ha_result_release(&r);
	CHECK(s.accepted == 0);   /* no socket ever reached the server */
	srv_stop(&s);
}

TEST(ha_connection_refused_retry)
{
	struct ha_options o;
	struct ha_result r;
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	char def[160];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	REQUIRE(fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
		!getsockname(fd, (struct sockaddr *)&a, &len));
	close(fd);   /* the port is now (very likely) closed */
	opts_local(&o);
	static const struct { const char *m; int attempts; } rows[] = {
		{ "GET", 2 }, { "PUT", 2 }, { "DELETE", 2 }, { "POST", 1 }, { "PATCH", 1 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(def, sizeof(def), "{\"url\":\"http://127.0.0.1:%d/ok\",\"method\":\"%s\"}",
			 ntohs(a.sin_port), rows[i].m);
		CHECK(RUN(NULL, def, NULL, &o, &r, NULL) == -1);
		CHECK(r.err == HA_ERR_CONNECT);
		CHECK(r.attempts == rows[i].attempts);
		CHECK_STR(r.message, "could not connect to the service");
		ha_result_release(&r);
	}
}

/* ------------------------------------------------------------------ */
/* Results                                                             */

TEST(ha_result_truncation)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	o.max_result = 1000;
	CHECK(RUN(&s, "{\"url\":\"@/json-big\"}", NULL, &o, &r, NULL) == 0);
	CHECK(r.ok && r.truncated && !r.result_is_json);
	CHECK(r.result_len <= 1000 && r.result_len > 900);
	CHECK(strlen(r.result) == r.result_len);
	CHECK(r.result_len > strlen(HA_TRUNCATED) &&
	      !strcmp(r.result + r.result_len - strlen(HA_TRUNCATED), HA_TRUNCATED));
	CHECK(!strncmp(r.result, "[{\"i\":0,\"name\":\"caf\xc3\xa9 0\"}", 25));
	/* the cut never splits a UTF-8 sequence: the text is a valid JSON string */
	json_t *str = json_stringn(r.result, r.result_len);
	CHECK(str != NULL);
	json_decref(str);
	ha_result_release(&r);

	/* whole and parsed when it fits */
	o.max_result = 1 << 20;
	CHECK(RUN(&s, "{\"url\":\"@/json-big\"}", NULL, &o, &r, NULL) == 0);
	CHECK(!r.truncated && r.result_is_json);
	ha_result_release(&r);

	/* text: controls and invalid UTF-8 replaced */
	CHECK(RUN(&s, "{\"url\":\"@/text\"}", NULL, &o, &r, NULL) == 0);
	CHECK(!r.result_is_json);
	CHECK_STR(r.result, "hello? w?orld\n\xc3\xa9");
	CHECK_STR(r.content_type, "text/plain");
	ha_result_release(&r);
	srv_stop(&s);
}

TEST(ha_select_fields)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	CHECK(RUN(&s, "{\"url\":\"@/select\",\"select\":[\"/data/name\",\"/data/id\","
		  "\"/list/1\",\"/meta/a~1b\",\"/missing\"]}", NULL, &o, &r, NULL) == 0);
	CHECK(r.result_is_json);
	CHECK_STR(r.result, "{\"data/name\":\"Ann\",\"data/id\":7,\"list/1\":20,"
		  "\"meta/a~1b\":1,\"missing\":null}");
	CHECK(strstr(r.result, "s3") == NULL);
	ha_result_release(&r);
	srv_stop(&s);
}

TEST(ha_require_json)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	CHECK(RUN(&s, "{\"url\":\"@/empty\"}", NULL, &o, &r, NULL) == 0);   /* fine by default */
	CHECK_STR(r.result, "");
	ha_result_release(&r);
	o.require_json = 1;
	CHECK(RUN(&s, "{\"url\":\"@/empty\"}", NULL, &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_EMPTY);
	ha_result_release(&r);
	CHECK(RUN(&s, "{\"url\":\"@/notjson\"}", NULL, &o, &r, NULL) == -1);
	CHECK(r.err == HA_ERR_BAD_JSON);
	CHECK_STR(ha_err_name(r.err), "invalid_json");
	ha_result_release(&r);
	CHECK(RUN(&s, "{\"url\":\"@/nocontent\",\"method\":\"DELETE\"}", NULL, &o, &r, NULL) == 0);
	CHECK(r.status == 204);
	ha_result_release(&r);
	srv_stop(&s);
}

/* An HMAC-SHA256 written out from SHA-256, independent of the executor's. */
static void hmac_ref(const char *key, const char *msg, size_t mlen, char hex[65])
{
	unsigned char k[64] = { 0 }, pad[64], inner[32], mac[32];
	crypto_hash_sha256_state st;
	size_t kl = strlen(key);
	if (kl > 64)
		crypto_hash_sha256(k, (const unsigned char *)key, kl);
	else
		memcpy(k, key, kl);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, pad, 64);
	crypto_hash_sha256_update(&st, (const unsigned char *)msg, mlen);
	crypto_hash_sha256_final(&st, inner);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, pad, 64);
	crypto_hash_sha256_update(&st, inner, 32);
	crypto_hash_sha256_final(&st, mac);
	util_hex(mac, 32, hex);
}

/* Verify the signature the way a receiver does: the message is
 * "<t>\n<METHOD>\n<URL>\n<body>" with URL = "http://" + Host + the request
 * target it received. */
static void check_signature(int *failed_, json_t *e, const char *secret)
{
	const char *ts = S(e, "headers.x-switchboard-timestamp");
	const char *sig = S(e, "headers.x-switchboard-signature");
	const char *body = S(e, "body"), *host = S(e, "headers.host");
	const char *path = S(e, "path"), *query = S(e, "query"), *method = S(e, "method");
	char want[128], hex[65];
	struct buf msg = BUF_INIT(1 << 16);
	REQUIRE(ts && sig && body && host && path && query && method);
	long long t = strtoll(ts, NULL, 10);
	CHECK(t > 1700000000 && llabs(t - (long long)util_now()) < 60);
	buf_printf(&msg, "%s\n%s\nhttp://%s%s%s%s\n%s", ts, method, host, path,
		   *query ? "?" : "", query, body);
	hmac_ref(secret, msg.ptr, msg.len, hex);
	snprintf(want, sizeof(want), "t=%s,v2=%s", ts, hex);
	CHECK_STR(sig, want);
	buf_release(&msg);
}

TEST(ha_hmac_signature)
{
	struct srv s;
	struct ha_options o;
	struct ha_result r;
	json_t *e;
	char sig1[128];
	REQUIRE(srv_start(&s) == 0);
	opts_local(&o);
	o.hmac_secret = "whsec_test_0123456789";
	CHECK(RUN(&s, "{\"url\":\"@/ok\",\"method\":\"POST\",\"body\":{\"a\":\"\\u00e9\"},"
		  "\"params\":[{\"name\":\"x\"}]}", "{\"x\":\"1\"}", &o, &r, &e) == 0);
	CHECK(strlen(S(e, "body")) > 5);
	check_signature(failed_, e, o.hmac_secret);
	json_decref(e);
	ha_result_release(&r);
	/* GET signs its URL with the query and an empty body; a key longer
	 * than the block size */
	o.hmac_secret = "k-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-long";
	CHECK(RUN(&s, "{\"url\":\"@/ok/{id}?a=1\",\"params\":[{\"name\":\"id\"},{\"name\":\"q\"}]}",
		  "{\"id\":\"7 8\",\"q\":\"x&y\"}", &o, &r, &e) == 0);
	CHECK_STR(S(e, "body"), "");
	CHECK_STR(S(e, "query"), "a=1&q=x%26y");
	check_signature(failed_, e, o.hmac_secret);
	snprintf(sig1, sizeof(sig1), "%s", S(e, "headers.x-switchboard-signature"));
	json_decref(e);
	ha_result_release(&r);
	/* the same request with another secret (another account): another
	 * signature, even within the same second */
	o.hmac_secret = "another-account-secret";
	CHECK(RUN(&s, "{\"url\":\"@/ok/{id}?a=1\",\"params\":[{\"name\":\"id\"},{\"name\":\"q\"}]}",
		  "{\"id\":\"7 8\",\"q\":\"x&y\"}", &o, &r, &e) == 0);
	check_signature(failed_, e, o.hmac_secret);
	CHECK(strcmp(sig1 + 13, S(e, "headers.x-switchboard-signature") + 13) != 0);
	json_decref(e);
	ha_result_release(&r);
	/* a 303 turns POST into GET: the GET hop signs its own method, URL and
	 * the empty body it sends; a same-origin redirect stays signed */
	CHECK(RUN(&s, "{\"url\":\"@/redirect-303\",\"method\":\"POST\",\"body\":{\"a\":1}}",
		  NULL, &o, &r, &e) == 0);
	CHECK_STR(S(e, "method"), "GET");
	check_signature(failed_, e, o.hmac_secret);
	json_decref(e);
	ha_result_release(&r);
	CHECK(RUN(&s, "{\"url\":\"@/redirect-ok\"}", NULL, &o, &r, &e) == 0);
	CHECK_STR(S(e, "query"), "from=redirect");
	check_signature(failed_, e, o.hmac_secret);
	json_decref(e);
	ha_result_release(&r);
	/* unsigned by default */
	o.hmac_secret = NULL;
	CHECK(RUN(&s, "{\"url\":\"@/ok\"}", NULL, &o, &r, &e) == 0);
	CHECK(S(e, "headers.x-switchboard-signature") == NULL);
	json_decref(e);
	ha_result_release(&r);

	char out[128], hex[65];
	const char *m = "1700000000\nPOST\nhttps://h.test/a?b=1\n{}";
	CHECK(httpaction_sign("key", 1700000000, "POST", "https://h.test/a?b=1", "{}", 2,
			      out, sizeof(out)) == 0);
	hmac_ref("key", m, strlen(m), hex);
	CHECK(!strncmp(out, "t=1700000000,v2=", 16) && !strcmp(out + 16, hex));
	srv_stop(&s);
}

struct par { struct srv *s; int fails; };

static void *par_main(void *p)
{
	struct par *pp = p;
	struct ha_options o;
	struct ha_result r;
	json_t *e;
	ha_options_init(&o);
	o.guard = &LOOPBACK_OK;
	for (int i = 0; i < 4; i++) {
		if (RUN(pp->s, "{\"url\":\"@/ok/{i}\",\"params\":[{\"name\":\"i\"}]}",
			"{\"i\":\"t\"}", &o, &r, &e) || !S(e, "path") || strcmp(S(e, "path"), "/ok/t"))
			pp->fails++;
		json_decref(e);
		ha_result_release(&r);
	}
	return NULL;
}

TEST(ha_threads)
{
	struct srv s;
	pthread_t t[8];
	struct par p[8];
	struct ha_options o;
	opts_local(&o);   /* LOOPBACK_OK set up before the threads share it */
	REQUIRE(srv_start(&s) == 0);
	for (int i = 0; i < 8; i++) {
		p[i].s = &s;
		p[i].fails = 0;
		pthread_create(&t[i], NULL, par_main, &p[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		CHECK(p[i].fails == 0);
	}
	CHECK(s.accepted == 32);
	srv_stop(&s);
}

const struct unit_test httpaction_tests[] = {
	T(ha_get_query_shape), T(ha_post_body_shape), T(ha_put_patch_delete_shape),
	T(ha_url_encoding), T(ha_header_injection_refused), T(ha_definition_errors),
	T(ha_argument_validation), T(ha_timeout_slow), T(ha_timeout_never), T(ha_size_cap),
	T(ha_redirects), T(ha_cross_origin_redirect_drops_headers),
	T(ha_http_errors_classified), T(ha_tls_failure_classified),
	T(ha_operator_headers_replace_defaults), T(ha_blocked_without_allow_list),
	T(ha_connection_refused_retry), T(ha_result_truncation), T(ha_select_fields),
	T(ha_require_json), T(ha_hmac_signature), T(ha_threads), { 0 }
};
