/* http.c - Streamable HTTP, legacy HTTP+SSE and /health (see http.h). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <microhttpd.h>
#include "mcp/auth.h"
#include "base/buf.h"
#include "transport/gate.h"
#include "transport/http.h"
#include "tools/incall_log.h"
#include "base/jsonsafe.h"
#include "base/log.h"
#include "mcp/quota.h"
#include "mcp/rpc.h"
#include "mcp/session.h"
#include "store/store.h"
#include "mcp/stream.h"
#include "mcp/tool.h"
#include "base/util.h"
#include "base/version.h"
#include "voice/recording.h"

#define MAX_WORKERS 512
#define POST_STREAM_MAX (8u << 20)
#define GET_STREAM_MAX (1u << 20)
#define KEEPALIVE_S 15  /* default ping interval on open streams */
#define DRAIN_FACTOR 16  /* read at most this many times the limit to answer 413 */

static struct MHD_Daemon *daemon_;
static struct http_cfg cfg;
static int bound_port;
static double started_at;
static atomic_int workers;
static pthread_t sweeper;
static int sweeper_running;
static pthread_mutex_t sweep_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sweep_cv = PTHREAD_COND_INITIALIZER;
static int stopping;
static int keepalive_s = KEEPALIVE_S;

/* ---- per-request state --------------------------------------------------- */


struct deferred;

struct req {
	enum gate_route route;
	struct deferred *deferred;  /* a request answered from a worker */
	struct buf body;
	int too_big;
	size_t dropped;      /* body bytes read and thrown away after too_big */
	int have_principal;
	struct principal who;
	struct call_context call;  /* GATE_CALL: the context headers */
};

/* The table rows a request on this route sees. */
static unsigned route_surface(const struct req *rq)
{
	return rq->route == GATE_CALL ? SURFACE_INCALL : cfg.surface;
}

/* An open SSE connection; listed so the sweeper can keep it alive. */
struct sse_conn {
	struct MHD_Connection *conn;
	struct stream *st;
	struct session *sess;     /* reference */
	int legacy;               /* the stream is the session: end it on close */
	json_t *req_id;           /* a POST's answer stream: its request, cancelled
				   * when the client goes before the answer */
	struct sse_conn *next, *prev;
};
static struct sse_conn *sse_list;
static pthread_mutex_t sse_mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- responses ----------------------------------------------------------- */

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status,
				 const char *ctype, char *body /* freed */,
				 const char *sid)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		strlen(body), body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	if (ctype)
		MHD_add_response_header(r, "Content-Type", ctype);
	if (sid)
		MHD_add_response_header(r, "Mcp-Session-Id", sid);
	if (status == 401)
		MHD_add_response_header(r, "WWW-Authenticate",
					"Bearer realm=\"switchboard\", error=\"invalid_token\"");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status,
				 const json_t *j, const char *sid)
{
	char *txt = rpc_serialize(j, NULL);
	if (!txt)
		return MHD_NO;
	return send_text(c, status, "application/json", txt, sid);
}

/* A JSON-RPC error as the body of an HTTP error. */
static enum MHD_Result send_rpc_error(struct MHD_Connection *c, unsigned status,
				      int code, const char *msg)
{
	json_t *e = rpc_error(NULL, code, msg);
	enum MHD_Result r = send_json(c, status, e, NULL);
	json_decref(e);
	return r;
}

static enum MHD_Result send_empty(struct MHD_Connection *c, unsigned status)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL,
							 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- SSE connections ------------------------------------------------------ */

static void conn_suspend(void *arg)
{
	MHD_suspend_connection(((struct sse_conn *)arg)->conn);
}

static void conn_resume(void *arg)
{
	MHD_resume_connection(((struct sse_conn *)arg)->conn);
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse_conn *sc = cls;
	ssize_t n = stream_read(sc->st, buf, max, conn_suspend, sc);
	return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void sse_free(void *cls)
{
	struct sse_conn *sc = cls;

	pthread_mutex_lock(&sse_mu);
	if (sc->prev)
		sc->prev->next = sc->next;
	else
		sse_list = sc->next;
	if (sc->next)
		sc->next->prev = sc->prev;
	pthread_mutex_unlock(&sse_mu);
	stream_detach(sc->st, sc);
	atomic_fetch_sub(&sc->sess->open_streams, 1);
	if (sc->legacy)
		session_end(sc->sess);
	else if (sc->req_id && !stream_ended(sc->st))
		session_cancel(sc->sess, sc->req_id);	/* nobody waits for it now */
	json_decref(sc->req_id);
	stream_unref(sc->st);
	session_unref(sc->sess);
	free(sc);
}

/* Answer with stream `st` (consumes one reference to it); req_id names the
 * request a worker is answering on it (NULL: none). */
static enum MHD_Result send_stream(struct MHD_Connection *c, struct session *s,
				   struct stream *st, uint64_t last_id,
				   int legacy, const char *sid, const json_t *req_id)
{
	struct sse_conn *sc = calloc(1, sizeof(*sc));
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!sc) {
		stream_unref(st);
		return MHD_NO;
	}
	sc->conn = c;
	sc->st = st;
	sc->sess = s;
	session_ref(s);
	sc->legacy = legacy;
	atomic_fetch_add(&s->open_streams, 1);
	sc->req_id = req_id ? json_deep_copy(req_id) : NULL;
	if (stream_attach(st, last_id, conn_resume, sc)) {
		atomic_fetch_sub(&s->open_streams, 1);
		stream_unref(st);
		session_unref(s);
		json_decref(sc->req_id);
		free(sc);
		return send_rpc_error(c, 500, RPC_INTERNAL_ERROR, "cannot open the stream");
	}
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024,
					      sse_read, sc, sse_free);
	if (!r) {
		sse_free(sc);
		return MHD_NO;
	}
	pthread_mutex_lock(&sse_mu);
	sc->next = sse_list;
	if (sse_list)
		sse_list->prev = sc;
	sse_list = sc;
	pthread_mutex_unlock(&sse_mu);
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-cache, no-transform");
	if (sid)
		MHD_add_response_header(r, "Mcp-Session-Id", sid);
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- sinks ---------------------------------------------------------------- */

struct stream_sink {
	struct sink base;
	struct stream *st;
};

static int stream_sink_send(struct sink *self, const json_t *msg)
{
	size_t len;
	char *txt = rpc_serialize(msg, &len);
	int r = txt ? stream_push_serialized(((struct stream_sink *)self)->st, txt, len) : -1;
	free(txt);
	return r;
}

/* Inline requests: keep the response, route anything else to the session's
 * standalone stream. */
struct capture_sink {
	struct sink base;
	struct session *sess;
	json_t *response;
};

static int capture_send(struct sink *self, const json_t *msg)
{
	struct capture_sink *cs = (struct capture_sink *)self;
	if (rpc_classify(msg) == RPC_RESPONSE ||
	    (json_object_get(msg, "error") && !json_object_get(msg, "method"))) {
		json_decref(cs->response);
		cs->response = json_incref((json_t *)msg);
		return 0;
	}
	return session_notify(cs->sess, msg);
}

/* ---- workers -------------------------------------------------------------- */

/*
 * Requests that may wait run on a thread of their own, never on one of the
 * few HTTP threads: a streaming or spending tools/call answers as an SSE
 * stream the worker writes to (struct job), a call that may wait on an
 * outside system (a custom in-call tool's CRM) answers as JSON once done,
 * its connection suspended meanwhile (struct deferred). Each holds a unit
 * of its account's quota (quota.h) and one of MAX_WORKERS.
 */

/* The account whose quota a session's requests use (0: unauthenticated). */
static int64_t quota_account(const struct session *s)
{
	return s->authenticated ? s->who.account_id : 0;
}

enum { JOB_STARTED = 0, JOB_BUSY = -1, JOB_OVER_QUOTA = -2 };

/* Take a worker slot and a unit of the account's quota. */
static int job_admit(int64_t account)
{
	if (atomic_fetch_add(&workers, 1) >= MAX_WORKERS) {
		atomic_fetch_sub(&workers, 1);
		return JOB_BUSY;
	}
	if (quota_acquire(account)) {
		atomic_fetch_sub(&workers, 1);
		return JOB_OVER_QUOTA;
	}
	return JOB_STARTED;
}

static void job_leave(int64_t account)
{
	store_thread_release();
	quota_release(account);
	atomic_fetch_sub(&workers, 1);
}

/* A detached thread with the workers' stack size. */
static int job_thread(void *(*fn)(void *), void *arg)
{
	pthread_attr_t a;
	pthread_t t;
	int r;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, 256 * 1024);
	r = pthread_create(&t, &a, fn, arg);
	pthread_attr_destroy(&a);
	return r ? -1 : 0;
}

/* The answer to a request a worker could not take. */
static enum MHD_Result send_refused(struct MHD_Connection *c, int why)
{
	char m[160];

	if (why != JOB_OVER_QUOTA)
		return send_rpc_error(c, 503, RPC_INTERNAL_ERROR, "server busy, retry later");
	snprintf(m, sizeof(m), "too many requests in flight for this account (limit %d): "
		 "retry when one has finished", quota_limit());
	json_t *e = rpc_error(NULL, RPC_INTERNAL_ERROR, m);
	char *txt = rpc_serialize(e, NULL);
	json_decref(e);
	if (!txt)
		return MHD_NO;
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(txt), txt,
								 MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(txt);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, "Retry-After", "1");
	enum MHD_Result ret = MHD_queue_response(c, 429, r);
	MHD_destroy_response(r);
	return ret;
}

struct job {
	struct session *sess;
	json_t *msg;
	struct stream_sink sink;
	const char *transport;
	int end_stream;
	int64_t account;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	int64_t account = j->account;

	rpc_handle(j->sess, j->msg, &j->sink.base, j->transport);
	if (j->sess->ephemeral)
		session_end(j->sess);
	if (j->end_stream)
		stream_end(j->sink.st);
	stream_unref(j->sink.st);
	session_unref(j->sess);
	json_decref(j->msg);
	free(j);
	job_leave(account);
	return NULL;
}

/* Run rpc_handle on a new thread with its output on st: JOB_STARTED, or
 * JOB_BUSY / JOB_OVER_QUOTA (nothing started). */
static int start_job(struct session *s, json_t *msg, struct stream *st,
		     const char *transport, int end_stream)
{
	int64_t account = quota_account(s);
	struct job *j;
	int r = job_admit(account);

	if (r)
		return r;
	j = calloc(1, sizeof(*j));
	if (!j) {
		job_leave(account);
		return JOB_BUSY;
	}
	session_ref(s);
	stream_ref(st);
	j->sess = s;
	j->msg = json_incref(msg);
	j->sink.base.send = stream_sink_send;
	j->sink.st = st;
	j->transport = transport;
	j->end_stream = end_stream;
	j->account = account;
	if (job_thread(job_main, j)) {
		session_unref(s);
		stream_unref(st);
		json_decref(msg);
		free(j);
		job_leave(account);
		return JOB_BUSY;
	}
	return JOB_STARTED;
}

/* A request answered as JSON from a worker while its connection waits
 * suspended. The worker fills `response` and resumes the connection;
 * on_request, called again for it, sends the answer. */
struct deferred {
	struct MHD_Connection *conn;
	struct session *sess;      /* reference */
	json_t *msg;
	json_t *response;          /* NULL: cancelled, answered 202 */
	atomic_int done;
	int64_t account;
};
static atomic_int deferred_running;

static void *deferred_main(void *arg)
{
	struct deferred *d = arg;
	struct capture_sink cs = { { capture_send }, d->sess, NULL };
	int64_t account = d->account;

	rpc_handle(d->sess, d->msg, &cs.base, "http");
	if (d->sess->ephemeral)
		session_end(d->sess);
	d->response = cs.response;
	atomic_store(&d->done, 1);
	MHD_resume_connection(d->conn);
	job_leave(account);
	atomic_fetch_sub(&deferred_running, 1);
	return NULL;
}

static void deferred_free(struct deferred *d)
{
	if (!d)
		return;
	session_unref(d->sess);
	json_decref(d->msg);
	json_decref(d->response);
	free(d);
}

/* Hand a request to a worker and suspend its connection: JOB_STARTED, or
 * JOB_BUSY / JOB_OVER_QUOTA (nothing started, the connection untouched). */
static int start_deferred(struct MHD_Connection *c, struct req *rq, struct session *s,
			  const json_t *msg)
{
	int64_t account = quota_account(s);
	struct deferred *d;
	int r = job_admit(account);

	if (r)
		return r;
	d = calloc(1, sizeof(*d));
	if (!d) {
		job_leave(account);
		return JOB_BUSY;
	}
	d->conn = c;
	d->sess = s;
	session_ref(s);
	d->msg = json_incref((json_t *)msg);
	d->account = account;
	rq->deferred = d;
	atomic_fetch_add(&deferred_running, 1);
	MHD_suspend_connection(c);
	if (job_thread(deferred_main, d)) {
		atomic_fetch_sub(&deferred_running, 1);
		job_leave(account);
		d->response = rpc_error(json_object_get(msg, "id"), RPC_INTERNAL_ERROR,
					"server busy, retry later");
		atomic_store(&d->done, 1);
		MHD_resume_connection(c);
	}
	return JOB_STARTED;
}

/* ---- the gate -------------------------------------------------------------- */

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Checks that need only the headers (gate.c). Returns MHD_YES with *done = 0
 * to go on reading the body, or the queued error response with *done = 1. */
static enum MHD_Result gate(struct MHD_Connection *c, struct req *rq,
			    const char *method, const char *url, int *done)
{
	struct gate_cfg gc = {
		.bind = cfg.bind, .allowed_hosts = cfg.allowed_hosts,
		.allowed_origins = cfg.allowed_origins, .body_limit = cfg.body_limit,
		.drain_factor = DRAIN_FACTOR, .require_auth = cfg.require_auth,
		.incall = cfg.surface == SURFACE_CONTROL,
	};
	struct gate_req in = {
		.method = method, .url = url, .host = header(c, "Host"),
		.origin = header(c, "Origin"), .accept = header(c, "Accept"),
		.content_type = header(c, "Content-Type"),
		.content_length = header(c, "Content-Length"),
		.authorization = header(c, "Authorization"), .x_api_key = header(c, "X-API-Key"),
		.account_id = header(c, "account_id"), .persona_id = header(c, "persona_id"),
		.call_id = header(c, "call_id"), .caller_id_number = header(c, "caller_id_number"),
	};
	struct gate_verdict v;

	gate_check(&gc, &in, &v);
	rq->route = v.route;
	rq->too_big = v.too_big;
	rq->have_principal = v.have_principal;
	rq->who = v.who;
	rq->call = v.call;
	*done = v.status != 0;
	if (!v.status)
		return MHD_YES;
	if (v.status == 405)
		return send_empty(c, 405);
	return send_rpc_error(c, (unsigned)v.status, v.rpc_code, v.message);
}

/* ---- handlers --------------------------------------------------------------- */

static enum MHD_Result send_sessions_full(struct MHD_Connection *c)
{
	return send_rpc_error(c, 429, RPC_INVALID_REQUEST, "too many sessions for this API key, "
			      "each with a request in flight: end one (DELETE /mcp) or wait");
}

static enum MHD_Result do_health(struct MHD_Connection *c)
{
	int ok = store_ping() == 0;
	size_t sessions, client_bytes;

	session_stats(&sessions, &client_bytes);
	json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:{s:I, s:I, s:I}}",
			      "status", ok ? "ok" : "degraded",
			      "version", SWITCHBOARD_VERSION,
			      "uptime_s", (json_int_t)(util_mono() - started_at),
			      "store", ok ? "reachable" : "unreachable",
			      "sessions", (json_int_t)sessions,
			      "sessions_client_bytes", (json_int_t)client_bytes,
			      "work_in_flight", (json_int_t)quota_total(),
			      "limits",
			      "sessions_per_key", (json_int_t)session_per_key_limit(),
			      "in_flight_per_account", (json_int_t)quota_limit(),
			      "workers", (json_int_t)MAX_WORKERS);
	enum MHD_Result r = send_json(c, ok ? 200 : 503, j, NULL);
	json_decref(j);
	return r;
}

/* Find the session a request names, checking it belongs to the same key.
 * On failure queues the error and returns NULL with *r set. */
static struct session *request_session(struct MHD_Connection *c,
				       struct req *rq, const char *sid,
				       enum MHD_Result *r)
{
	struct session *s;

	if (!sid) {
		*r = send_rpc_error(c, 400, RPC_INVALID_REQUEST,
				    "missing Mcp-Session-Id header");
		return NULL;
	}
	s = session_find(sid);
	if (!s || s->surface != route_surface(rq) ||
	    (rq->route == GATE_CALL && (s->call.call_id != rq->call.call_id ||
				     s->call.assistant_id != rq->call.assistant_id)) ||
	    !session_key_matches(s, rq->have_principal ? &rq->who : NULL)) {
		session_unref(s);
		*r = send_rpc_error(c, 404, RPC_INVALID_REQUEST,
				    "session not found or ended: initialize again");
		return NULL;
	}
	session_touch(s);
	return s;
}

static json_t *parse_body(struct MHD_Connection *c, struct req *rq,
			  enum MHD_Result *r)
{
	json_error_t e;
	json_t *msg;
	int too_deep;

	if (rq->too_big) {
		*r = send_rpc_error(c, 413, RPC_INVALID_REQUEST, "request body too large");
		return NULL;
	}
	msg = jsonsafe_loadb(rq->body.ptr, rq->body.len, JSON_REJECT_DUPLICATES, &e,
			     &too_deep);
	if (!msg) {
		*r = too_deep ? send_rpc_error(c, 400, RPC_INVALID_REQUEST, RPC_TOO_DEEP_MESSAGE)
			: send_rpc_error(c, 400, RPC_PARSE_ERROR, "parse error: invalid JSON");
		return NULL;
	}
	if (json_is_array(msg)) {
		json_decref(msg);
		*r = send_rpc_error(c, 400, RPC_INVALID_REQUEST,
				    "batch requests are not supported");
		return NULL;
	}
	if (rpc_classify(msg) == RPC_INVALID) {
		json_t *id = json_object_get(msg, "id");
		json_t *err = rpc_error(json_is_string(id) || json_is_integer(id) ? id : NULL,
					RPC_INVALID_REQUEST, "invalid JSON-RPC message");
		*r = send_json(c, 400, err, NULL);
		json_decref(err);
		json_decref(msg);
		return NULL;
	}
	return msg;
}

/* SSE answer for a request that could be answered with JSON? */
static int wants_sse(struct MHD_Connection *c)
{
	const char *a = header(c, "Accept");
	const char *sse, *js;

	if (cfg.prefer_sse)
		return 1;
	sse = a ? strstr(a, "text/event-stream") : NULL;
	js = a ? strstr(a, "application/json") : NULL;
	return sse && js && sse < js;
}

/* Run a request inline and answer with its JSON response. */
static enum MHD_Result answer_inline(struct MHD_Connection *c, struct session *s,
				     const json_t *msg)
{
	struct capture_sink cs = { { capture_send }, s, NULL };
	enum MHD_Result r;

	rpc_handle(s, msg, &cs.base, "http");
	if (!cs.response)	/* cancelled while running */
		return send_empty(c, 202);
	r = send_json(c, 200, cs.response, NULL);
	json_decref(cs.response);
	return r;
}

static enum MHD_Result mcp_post(struct MHD_Connection *c, struct req *rq)
{
	enum MHD_Result r = MHD_NO;
	struct session *s = NULL;
	json_t *msg = parse_body(c, rq, &r);
	const char *method, *pv;
	int in_worker = 0, full;
	enum tool_run mode;

	if (!msg)
		return r;
	method = json_string_value(json_object_get(msg, "method"));
	if (method && !strcmp(method, "initialize") &&
	    rpc_classify(msg) == RPC_REQUEST) {
		s = session_create_client(SESSION_HTTP, rq->have_principal ? &rq->who : NULL,
					  &full);
		if (!s) {
			r = full ? send_sessions_full(c)
				: send_rpc_error(c, 500, RPC_INTERNAL_ERROR, "out of memory");
			goto out;
		}
		s->surface = route_surface(rq);
		s->call = rq->call;
		struct capture_sink cs = { { capture_send }, s, NULL };
		rpc_handle(s, msg, &cs.base, "http");
		if (!cs.response || json_object_get(cs.response, "error")) {
			session_end(s);	/* a refused initialize leaves nothing behind */
			r = cs.response ? send_json(c, 200, cs.response, NULL) : send_empty(c, 202);
		} else {
			r = send_json(c, 200, cs.response, s->id);
		}
		json_decref(cs.response);
		goto out;
	}
	if (rq->route == GATE_CALL && !header(c, "Mcp-Session-Id")) {
		/* stateless use of the in-call endpoint: one POST, one answer */
		s = session_create(SESSION_HTTP, &rq->who);
		if (!s) {
			r = send_rpc_error(c, 500, RPC_INTERNAL_ERROR, "out of memory");
			goto out;
		}
		s->surface = SURFACE_INCALL;
		s->call = rq->call;
		s->ephemeral = 1;
		s->initialized = 1;
		snprintf(s->protocol, sizeof(s->protocol), "%s", MCP_PROTOCOL_LATEST);
	} else {
		s = request_session(c, rq, header(c, "Mcp-Session-Id"), &r);
	}
	if (!s)
		goto out;
	pv = header(c, "MCP-Protocol-Version");
	if (pv && !rpc_version_supported(pv)) {
		r = send_rpc_error(c, 400, RPC_INVALID_REQUEST,
				   "unsupported MCP-Protocol-Version");
		goto out;
	}
	if (rpc_classify(msg) != RPC_REQUEST) {
		struct capture_sink cs = { { capture_send }, s, NULL };
		rpc_handle(s, msg, &cs.base, "http");
		json_decref(cs.response);
		r = send_empty(c, 202);
		goto out;
	}
	mode = rpc_run_mode(s, msg);
	/* a client that prefers SSE gets a wait on an outside system streamed */
	if (mode == TOOL_RUN_STREAM || (mode == TOOL_RUN_DEFER && wants_sse(c))) {
		struct stream *st = stream_new(STREAM_FRAMING_MCP, 0, POST_STREAM_MAX);
		int why = st ? start_job(s, msg, st, "http", 1) : JOB_BUSY;
		if (why) {
			if (st)
				stream_unref(st);
			r = send_refused(c, why);
			goto out;
		}
		in_worker = 1;
		r = send_stream(c, s, st, 0, 0, NULL, json_object_get(msg, "id"));
		goto out;
	}
	if (mode == TOOL_RUN_DEFER) {
		int why = start_deferred(c, rq, s, msg);
		if (why) {
			r = send_refused(c, why);
			goto out;
		}
		in_worker = 1;
		r = MHD_YES;	/* answered when the worker resumes the connection */
		goto out;
	}
	if (wants_sse(c)) {
		/* handled here, answered as a finished SSE stream */
		struct stream_sink ss = { { stream_sink_send },
			stream_new(STREAM_FRAMING_MCP, 0, POST_STREAM_MAX) };
		if (!ss.st) {
			r = send_rpc_error(c, 500, RPC_INTERNAL_ERROR, "out of memory");
			goto out;
		}
		rpc_handle(s, msg, &ss.base, "http");
		stream_end(ss.st);
		r = send_stream(c, s, ss.st, 0, 0, NULL, NULL);
		goto out;
	}
	r = answer_inline(c, s, msg);
out:
	if (s && s->ephemeral && !in_worker)
		session_end(s);	/* stateless: nothing outlives the answer */
	session_unref(s);
	json_decref(msg);
	return r;
}

static enum MHD_Result mcp_get(struct MHD_Connection *c, struct req *rq)
{
	enum MHD_Result r = MHD_NO;
	struct session *s = request_session(c, rq, header(c, "Mcp-Session-Id"), &r);
	const char *lei = header(c, "Last-Event-ID");
	struct stream *st;
	int64_t last = 0;

	if (!s)
		return r;
	if (lei && (util_parse_i64(lei, &last) || last < 0))
		last = 0;
	pthread_mutex_lock(&s->mu);
	if (!s->standalone)
		s->standalone = stream_new(STREAM_FRAMING_MCP, 1, GET_STREAM_MAX);
	st = s->standalone;
	if (st)
		stream_ref(st);
	pthread_mutex_unlock(&s->mu);
	if (!st)
		r = send_rpc_error(c, 500, RPC_INTERNAL_ERROR, "out of memory");
	else
		r = send_stream(c, s, st, (uint64_t)last, 0, NULL, NULL);
	session_unref(s);
	return r;
}

static enum MHD_Result mcp_delete(struct MHD_Connection *c, struct req *rq)
{
	enum MHD_Result r = MHD_NO;
	struct session *s = request_session(c, rq, header(c, "Mcp-Session-Id"), &r);

	if (!s)
		return r;
	session_end(s);
	session_unref(s);
	return send_empty(c, 200);
}

static enum MHD_Result sse_open(struct MHD_Connection *c, struct req *rq)
{
	int full;
	struct session *s = session_create_client(SESSION_SSE,
						  rq->have_principal ? &rq->who : NULL, &full);
	struct stream *st;
	char ep[80];
	enum MHD_Result r;

	if (!s)
		return full ? send_sessions_full(c)
			: send_rpc_error(c, 500, RPC_INTERNAL_ERROR, "out of memory");
	s->surface = cfg.surface;
	st = stream_new(STREAM_FRAMING_LEGACY, 0, POST_STREAM_MAX);
	if (!st) {
		session_end(s);
		session_unref(s);
		return send_rpc_error(c, 500, RPC_INTERNAL_ERROR, "out of memory");
	}
	pthread_mutex_lock(&s->mu);
	s->standalone = st;
	stream_ref(st);
	pthread_mutex_unlock(&s->mu);
	snprintf(ep, sizeof(ep), "/messages?sessionId=%s", s->id);
	stream_push_event(st, "endpoint", ep);
	r = send_stream(c, s, st, 0, 1, NULL, NULL);
	session_unref(s);
	return r;
}

static enum MHD_Result sse_message(struct MHD_Connection *c, struct req *rq)
{
	enum MHD_Result r = MHD_NO;
	const char *sid = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
						      "sessionId");
	struct session *s = request_session(c, rq, sid, &r);
	struct stream *st = NULL;
	json_t *msg = NULL;

	if (!s)
		return r;
	msg = parse_body(c, rq, &r);
	if (!msg)
		goto out;
	pthread_mutex_lock(&s->mu);
	st = s->standalone;
	if (st)
		stream_ref(st);
	pthread_mutex_unlock(&s->mu);
	if (!st) {
		r = send_rpc_error(c, 404, RPC_INVALID_REQUEST, "session has no stream");
		goto out;
	}
	/* the answer goes to the session's stream: anything that may wait
	 * (on the client or an outside system) runs on a worker */
	if (rpc_classify(msg) == RPC_REQUEST && rpc_run_mode(s, msg) != TOOL_RUN_INLINE) {
		int why = start_job(s, msg, st, "sse", 0);
		if (why) {
			r = send_refused(c, why);
			goto out;
		}
	} else {
		struct stream_sink ss = { { stream_sink_send }, st };
		rpc_handle(s, msg, &ss.base, "sse");
	}
	r = send_text(c, 202, "text/plain", strdup("Accepted"), NULL);
out:
	if (st)
		stream_unref(st);
	json_decref(msg);
	session_unref(s);
	return r;
}

/* GET /recordings/{call_id}.wav: the call's WAV, to its own account only. */
static enum MHD_Result recording(struct MHD_Connection *c, struct req *rq, const char *url)
{
	const char *name = url + strlen("/recordings/");
	char idtxt[24], path[1024];
	size_t n = strcspn(name, ".");
	int64_t id;
	struct stat stt;
	struct MHD_Response *r;
	enum MHD_Result ret;
	int fd;

	if (n == 0 || n >= sizeof(idtxt) || strcmp(name + n, ".wav"))
		return send_rpc_error(c, 404, RPC_INVALID_REQUEST, "not found");
	memcpy(idtxt, name, n);
	idtxt[n] = '\0';
	if (util_parse_i64(idtxt, &id) || id < 1 ||
	    voice_recording_path(rq->who.account_id, id, path, sizeof(path)))
		return send_rpc_error(c, 404, RPC_INVALID_REQUEST, "no recording for this call");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &stt)) {
		if (fd >= 0)
			close(fd);
		return send_rpc_error(c, 404, RPC_INVALID_REQUEST, "no recording for this call");
	}
	r = MHD_create_response_from_fd((uint64_t)stt.st_size, fd);	/* closes fd */
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "audio/wav");
	MHD_add_response_header(r, "Cache-Control", "private, no-store");
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct req *rq = *con_cls;
	enum MHD_Result r;
	int done;

	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		buf_init(&rq->body, cfg.body_limit);
		*con_cls = rq;
		r = gate(c, rq, method, url, &done);
		if (done)
			rq->route = GATE_NONE;
		if (done || strcmp(method, "POST"))
			return done ? r : MHD_YES;
		return MHD_YES;
	}
	if (rq->deferred) {	/* resumed: the worker's answer is ready */
		struct deferred *d = rq->deferred;
		if (!atomic_load(&d->done))
			return MHD_YES;
		if (!d->response)	/* cancelled while running */
			return send_empty(c, 202);
		return send_json(c, 200, d->response, NULL);
	}
	if (rq->route == GATE_NONE) {	/* answered by the gate: swallow the body */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!rq->too_big && buf_add(&rq->body, upload, *upload_size)) {
			rq->too_big = 1;
			buf_release(&rq->body);
		}
		if (rq->too_big) {
			rq->dropped += *upload_size;
			if (rq->dropped > cfg.body_limit * DRAIN_FACTOR)
				return MHD_NO;	/* stop reading an endless body */
		}
		*upload_size = 0;
		return MHD_YES;
	}
	switch (rq->route) {
	case GATE_HEALTH:
		return do_health(c);
	case GATE_MCP:
	case GATE_CALL:
		if (!strcmp(method, "POST"))
			return mcp_post(c, rq);
		if (!strcmp(method, "GET"))
			return mcp_get(c, rq);
		return mcp_delete(c, rq);
	case GATE_SSE:
		return sse_open(c, rq);
	case GATE_RECORDING:
		return recording(c, rq, url);
	case GATE_MESSAGES:
		return sse_message(c, rq);
	default:
		return MHD_NO;
	}
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;
	if (!rq)
		return;
	buf_release(&rq->body);
	deferred_free(rq->deferred);
	free(rq);
	*con_cls = NULL;
}

/* ---- housekeeping ------------------------------------------------------------ */

static void *sweeper_main(void *arg)
{
	double last_ping = util_mono();

	pthread_mutex_lock(&sweep_mu);
	while (!stopping) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&sweep_cv, &sweep_mu, &ts);
		if (stopping)
			break;
		pthread_mutex_unlock(&sweep_mu);
		/* a session with an open stream is in use, not idle */
		int ping = util_mono() - last_ping >= keepalive_s;
		pthread_mutex_lock(&sse_mu);
		for (struct sse_conn *sc = sse_list; sc; sc = sc->next) {
			session_touch(sc->sess);
			if (ping)
				stream_push_comment(sc->st, "ping");
		}
		pthread_mutex_unlock(&sse_mu);
		if (ping)
			last_ping = util_mono();
		int n = session_sweep(cfg.idle_s);
		if (n)
			log_debug("http: %d idle sessions ended", n);
		pthread_mutex_lock(&sweep_mu);
	}
	pthread_mutex_unlock(&sweep_mu);
	return NULL;
}

/* libmicrohttpd's own messages (a client gone while its answer was being
 * sent, a malformed request) are routine: the server's log at debug level,
 * not bare lines on stderr. What matters (cannot listen) is logged by us. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_debug("http: libmicrohttpd: %s", line);
}

int http_start(const struct http_cfg *c)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	unsigned threads;

	cfg = *c;
	if (!cfg.bind)
		cfg.bind = "127.0.0.1";
	if (!cfg.body_limit)
		cfg.body_limit = 1u << 20;
	if (cfg.idle_s <= 0)
		cfg.idle_s = 1800;
	threads = cfg.threads ? cfg.threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg.port);
	if (inet_pton(AF_INET, cfg.bind, &sa.sin_addr) != 1) {
		log_error("http: cannot use bind address '%s': not an IPv4 address", cfg.bind);
		return -1;
	}
	/* a ping is also how a client gone from a waiting stream is noticed
	 * (its request is then cancelled): proxies and load may want it shorter */
	keepalive_s = (int)util_env_i64("SWITCHBOARD_SSE_PING_S", KEEPALIVE_S, 1, 300);
	started_at = util_mono();
	daemon_ = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
		MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
		(uint16_t)cfg.port, NULL, NULL, on_request, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)10000,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
		MHD_OPTION_END);
	if (!daemon_) {
		log_error("http: cannot listen on %s:%d", cfg.bind, cfg.port);
		return -1;
	}
	info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
	bound_port = info ? info->port : cfg.port;
	stopping = 0;
	sweeper_running = pthread_create(&sweeper, NULL, sweeper_main, NULL) == 0;
	log_info("http: listening on http://%s:%d (/mcp, /sse, /health)", cfg.bind,
		 bound_port);
	return 0;
}

int http_port(void)
{
	return bound_port;
}

void http_stop(void)
{
	if (!daemon_)
		return;
	pthread_mutex_lock(&sweep_mu);
	stopping = 1;
	pthread_cond_signal(&sweep_cv);
	pthread_mutex_unlock(&sweep_mu);
	if (sweeper_running)
		pthread_join(sweeper, NULL);
	session_end_all();
	/* let workers see their sessions end */
	for (int i = 0; i < 200 && atomic_load(&workers) > 0; i++)
		usleep(10000);
	/* a deferred request's worker resumes its connection: the daemon must
	 * outlive it (outbound actions are bounded by their own timeouts) */
	while (atomic_load(&deferred_running) > 0)
		usleep(10000);
	MHD_stop_daemon(daemon_);
	daemon_ = NULL;
}
