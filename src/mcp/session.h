/*
 * session.h - MCP sessions: the table, lifetimes, and traffic that crosses
 * requests (server-to-client requests, cancellation, the standalone stream).
 *
 * A session is created by `initialize` (Streamable HTTP), by `GET /sse`
 * (legacy transport) or once per process (stdio). Its id is 128 random bits
 * as 32 hex chars. Sessions live in a sharded hash table (no global lock on
 * the request path) and are reference counted: session_find and
 * session_create return a reference the caller drops with session_unref.
 * session_end removes a session from the table at once (later lookups miss,
 * so HTTP answers 404) and wakes everything waiting on it; memory goes with
 * the last reference. Idle sessions are ended by session_sweep.
 *
 * A session is bound to the API key that created it: the transport checks
 * that every later request carries the same key (session_key_matches).
 *
 * Threads and locks: a session is used by every HTTP pool thread and
 * worker that handles one of its requests, by the sweeper and by shutdown.
 * The fields below say what guards them: "fixed" fields are written by the
 * creating thread before the session id is handed to anyone (they are
 * immutable afterwards), "mu" fields are read and written only with s->mu
 * held, atomic fields need no lock. Lock order: a table shard's lock may be
 * held while taking s->mu (session_sweep), never the reverse; nothing
 * under s->mu takes another session's lock.
 *
 * Bounds: a key holds at most SWITCHBOARD_SESSIONS_PER_KEY (default
 * SESSION_PER_KEY_DEFAULT) client sessions (session_create_client); what a
 * client declares at initialize (clientInfo + capabilities) is kept only up
 * to SESSION_CLIENT_DATA_MAX bytes of JSON (session_set_client).
 */
#ifndef SESSION_H
#define SESSION_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <jansson.h>
#include "mcp/auth.h"

struct stream;

/* Where the messages produced while handling one request go. */
struct sink {
	int (*send)(struct sink *self, const json_t *msg);
};

enum session_transport { SESSION_STDIO, SESSION_HTTP, SESSION_SSE };

/* A client request in progress, registered so notifications/cancelled and
 * session_end can stop it. */
struct inflight {
	struct inflight *next;
	json_t *id;
	atomic_int cancelled;
};

struct pending;

/* The live call an in-call session acts on (/call/mcp context headers). */
struct call_context {
	int64_t account_id;
	int64_t assistant_id;     /* persona_id */
	int64_t call_id;
	char caller[40];          /* caller_id_number, may be empty */
};

struct session {
	char id[33];               /* fixed */
	atomic_int refs;
	pthread_mutex_t mu;
	pthread_cond_t cv;         /* with mu: a response, a cancellation, the end */
	enum session_transport transport; /* fixed */
	struct principal who;      /* fixed */
	int authenticated;         /* fixed */
	unsigned surface;          /* fixed; SURFACE_* bit: which table rows it sees */
	int ephemeral;             /* fixed; one stateless request: ended after it */
	struct call_context call;  /* fixed; SURFACE_INCALL only */
	/* negotiated at initialize */
	char protocol[16];         /* mu */
	json_t *client_caps;       /* mu (session_set_client); set once by initialize */
	json_t *client_info;       /* mu */
	size_t client_bytes;       /* mu; their JSON size, counted in session_stats */
	atomic_int initialized;
	atomic_int log_level;      /* index into mcp log levels, -1 = off */
	/* lifetime */
	int keyed;                 /* fixed; counted against its key's session limit */
	atomic_int open_streams;   /* SSE connections a client holds open on it
				    * (http.c): such a session is in use */
	_Atomic double last_seen;  /* util_mono() of the last request */
	atomic_int ended;          /* set once, with mu held, by session_end */
	/* traffic */
	struct stream *standalone; /* mu; GET /mcp stream or the legacy /sse stream */
	struct pending *pending;   /* mu */
	struct inflight *inflight; /* mu */
	json_t *subscriptions;     /* mu; object uri -> true */
	uint64_t next_request_id;  /* mu */
	struct session *hnext;     /* the table shard's lock */
};

/* ---- table ----------------------------------------------------------- */

struct session *session_create(enum session_transport t,
			       const struct principal *who);
/* A client's own session (initialize, GET /sse), counted against its key:
 * at the key's limit its least recently used session with no request in
 * flight and no stream open is ended to make room; when every one is in
 * use, NULL with *full = 1 (the transport answers 429). NULL with
 * *full = 0: no memory. */
#define SESSION_PER_KEY_DEFAULT 1024
struct session *session_create_client(enum session_transport t,
				      const struct principal *who, int *full);
/* The per-key limit in force (SWITCHBOARD_SESSIONS_PER_KEY, read once). */
int session_per_key_limit(void);
struct session *session_find(const char *id);
void session_ref(struct session *s);
void session_unref(struct session *s);
void session_end(struct session *s);
void session_touch(struct session *s);
/* End sessions idle for more than idle_s seconds; returns how many. */
int session_sweep(double idle_s);
size_t session_count(void);
/* Live sessions and the bytes of client data they hold (/health). */
void session_stats(size_t *sessions, size_t *client_bytes);
/* Keep what the client declared at initialize (new references taken);
 * -1 when its JSON is larger than SESSION_CLIENT_DATA_MAX (nothing kept). */
#define SESSION_CLIENT_DATA_MAX 8192
int session_set_client(struct session *s, const json_t *caps, const json_t *info);
/* Call fn for every session (a reference is held during the call; the
 * table is not locked while fn runs). Stops early when fn returns non-0. */
void session_foreach(int (*fn)(struct session *s, void *arg), void *arg);
/* End every session (shutdown). */
void session_end_all(void);
int session_key_matches(const struct session *s, const struct principal *p);

/* ---- cross-request traffic ------------------------------------------- */

/* Send a message not tied to a request (standalone stream); dropped with
 * a debug log when the client has no stream open. */
int session_notify(struct session *s, const json_t *msg);

/* Ask the client something (elicitation/create, sampling/createMessage,
 * roots/list, ping): sends a request through `out` and waits for the
 * answer. Returns 0 with *result (owned by the caller) set to the client's
 * "result", 1 when the client answered with an error (*result = the error
 * object), -1 on timeout, cancellation or session end. Steals `params`. */
int session_client_request(struct session *s, struct sink *out,
			   const char *method, json_t *params, int timeout_ms,
			   struct inflight *flight, json_t **result);
/* A response message arrived from the client: hand it to the waiter.
 * Returns 0 when matched, -1 when nobody waits for that id. */
int session_resolve(struct session *s, const json_t *msg);

void session_inflight_add(struct session *s, struct inflight *f,
			  const json_t *id);
void session_inflight_remove(struct session *s, struct inflight *f);
/* notifications/cancelled: mark the request with this id cancelled. */
void session_cancel(struct session *s, const json_t *id);

#endif
