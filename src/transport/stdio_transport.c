/* stdio_transport.c - MCP over stdin/stdout (see stdio_transport.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/log.h"
#include "mcp/rpc.h"
#include "mcp/session.h"
#include "transport/stdio_transport.h"
#include "store/store.h"

#define LINE_MAX_BYTES (4u << 20)

static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t jobs_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_cv = PTHREAD_COND_INITIALIZER;
static int jobs;

static int stdout_send(struct sink *self, const json_t *msg)
{
	char *txt = rpc_serialize(msg, NULL);
	int r = -1;
	if (!txt)
		return -1;
	pthread_mutex_lock(&out_mu);
	if (fputs(txt, stdout) >= 0 && fputc('\n', stdout) != EOF && !fflush(stdout))
		r = 0;
	pthread_mutex_unlock(&out_mu);
	free(txt);
	return r;
}

static struct sink out_sink = { stdout_send };

struct job {
	struct session *s;
	json_t *msg;
	struct principal who;   /* as checked for this message */
	int authenticated;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	rpc_handle_as(j->s, j->authenticated ? &j->who : NULL, j->msg, &out_sink, "stdio");
	json_decref(j->msg);
	session_unref(j->s);
	free(j);
	store_thread_release();
	pthread_mutex_lock(&jobs_mu);
	jobs--;
	pthread_cond_broadcast(&jobs_cv);
	pthread_mutex_unlock(&jobs_mu);
	return NULL;
}

/* The key is checked again before every request and notification, as HTTP
 * checks it on every request: a revoked key stops working at once, and
 * each message runs with the key's current scopes. A revoked key is
 * answered with a JSON-RPC error on every request and the process keeps
 * running: a client shows that message where the user sees it, while a
 * process that exits shows up as a bare "server disconnected" with the
 * reason in a log few people open. 0 and *now filled, or -1 with *err set. */
static int recheck_key(struct session *s, struct principal *now, json_t *msg, json_t **err)
{
	const json_t *id = json_object_get(msg, "id");
	enum rpc_kind kind = rpc_classify(msg);
	static int logged;
	int r;

	*err = NULL;
	if (!s->authenticated || kind == RPC_RESPONSE || kind == RPC_INVALID)
		return 0;
	r = auth_recheck(&s->who, now);
	if (!r)
		return 0;
	if (r == -1 && !logged) {
		logged = 1;
		log_error("stdio: the API key '%s' was revoked or deleted: requests are refused; "
			  "create a new key with 'switchboard key create' and restart", s->who.key_prefix);
	}
	if (kind == RPC_REQUEST)
		*err = rpc_error(id, -32001, r == -1
			? "the API key in SWITCHBOARD_API_KEY was revoked or deleted: create a new "
			  "key with 'switchboard key create' and restart the server with it"
			: "cannot check the API key: the database did not answer; retry");
	return -1;
}

static void handle_line(struct session *s, const char *line, size_t len)
{
	json_error_t e;
	int too_deep;
	json_t *msg = jsonsafe_loadb(line, len, JSON_REJECT_DUPLICATES, &e, &too_deep);
	json_t *err = NULL;
	struct principal who = { 0 };

	if (!msg) {
		err = too_deep ? rpc_error(NULL, RPC_INVALID_REQUEST, RPC_TOO_DEEP_MESSAGE)
			: rpc_error(NULL, RPC_PARSE_ERROR, "parse error: invalid JSON");
		goto reply;
	}
	if (json_is_array(msg)) {
		err = rpc_error(NULL, RPC_INVALID_REQUEST, "batch requests are not supported");
		goto reply;
	}
	if (recheck_key(s, &who, msg, &err))
		goto reply;
	/* anything that may wait (on the client or on an outside system) runs
	 * on its own thread, so the reader goes on with the next line */
	if (rpc_classify(msg) == RPC_REQUEST && rpc_run_mode(s, msg) != TOOL_RUN_INLINE) {
		struct job *j = malloc(sizeof(*j));
		pthread_attr_t a;
		pthread_t t;
		if (j) {
			j->s = s;
			j->msg = msg;
			j->who = who;
			j->authenticated = s->authenticated;
			session_ref(s);
			pthread_mutex_lock(&jobs_mu);
			jobs++;
			pthread_mutex_unlock(&jobs_mu);
			pthread_attr_init(&a);
			pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
			if (!pthread_create(&t, &a, job_main, j)) {
				pthread_attr_destroy(&a);
				return;
			}
			pthread_attr_destroy(&a);
			pthread_mutex_lock(&jobs_mu);
			jobs--;
			pthread_mutex_unlock(&jobs_mu);
			session_unref(s);
			free(j);
		}
	}
	rpc_handle_as(s, s->authenticated ? &who : NULL, msg, &out_sink, "stdio");
	json_decref(msg);
	return;
reply:
	if (err)
		stdout_send(&out_sink, err);
	json_decref(err);
	json_decref(msg);
}

int stdio_serve(const struct principal *who, unsigned surface)
{
	struct session *s = session_create(SESSION_STDIO, who);
	struct buf line = BUF_INIT(LINE_MAX_BYTES);
	char chunk[65536];
	int skipping = 0;

	if (!s)
		return -1;
	s->surface = surface;
	log_info("stdio: serving on stdin/stdout");
	while (fgets(chunk, sizeof(chunk), stdin)) {
		size_t n = strlen(chunk);
		int eol = n && chunk[n - 1] == '\n';
		if (eol)
			chunk[--n] = '\0';
		if (!skipping && buf_add(&line, chunk, n)) {
			json_t *err = rpc_error(NULL, RPC_INVALID_REQUEST,
						"message too large");
			stdout_send(&out_sink, err);
			json_decref(err);
			skipping = 1;
		}
		if (!eol)
			continue;
		if (!skipping) {
			const char *p = buf_str(&line);
			size_t len = line.len;
			while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
				len--;
			if (len)
				handle_line(s, p, len);
		}
		buf_reset(&line);
		skipping = 0;
	}
	buf_release(&line);
	/* stdin closed: stop whatever still waits on the client */
	session_end(s);
	pthread_mutex_lock(&jobs_mu);
	while (jobs > 0)
		pthread_cond_wait(&jobs_cv, &jobs_mu);
	pthread_mutex_unlock(&jobs_mu);
	session_unref(s);
	return 0;
}
