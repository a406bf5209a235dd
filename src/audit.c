/* audit.c - batched audit trail writer (see audit.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "audit.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define QUEUE_MAX 4096
#define BATCH_MAX 512

struct row {
	struct store_audit_row r;
	char *args;
	char *error;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static struct row queue[QUEUE_MAX];
static size_t qhead, qlen;
static unsigned long long enqueued, committed;
static int running, stopping;
static pthread_t writer;

static const char *const secret_words[] = {
	"password", "secret", "token", "api_key", "apikey", "authorization",
	"auth", "credential", "private_key", NULL
};

static int is_secret_name(const char *k)
{
	for (int i = 0; secret_words[i]; i++)
		if (strcasestr(k, secret_words[i]))
			return 1;
	return 0;
}

/* HTTP headers as [{name, value}]: any value may be a credential (mid-call
 * tool definitions), so only the names are kept. */
static json_t *redact_headers(const json_t *headers)
{
	json_t *out = json_array(), *h;
	size_t i;

	json_array_foreach(headers, i, h) {
		json_t *c = json_is_object(h) ? json_deep_copy(h) : json_object();
		if (json_object_get(c, "value"))
			json_object_set_new(c, "value", json_string("[redacted]"));
		json_array_append_new(out, c);
	}
	return out;
}

json_t *audit_redact(const json_t *args)
{
	json_t *out;
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(args)) {
		out = json_object();
		json_object_foreach((json_t *)args, k, v) {
			if (is_secret_name(k) && !json_is_null(v))
				json_object_set_new(out, k, json_string("[redacted]"));
			else if (!strcmp(k, "headers") && json_is_array(v))
				json_object_set_new(out, k, redact_headers(v));
			else
				json_object_set_new(out, k, audit_redact(v));
		}
		return out;
	}
	if (json_is_array(args)) {
		out = json_array();
		json_array_foreach(args, i, v)
			json_array_append_new(out, audit_redact(v));
		return out;
	}
	return args ? json_deep_copy(args) : json_object();
}

static void write_rows(struct row *rows, size_t n)
{
	static _Thread_local struct store_audit_row tmp[BATCH_MAX];
	for (size_t i = 0; i < n; i++) {
		tmp[i] = rows[i].r;
		tmp[i].args_json = rows[i].args;
		tmp[i].error = rows[i].error;
	}
	if (store_audit_insert(tmp, n))
		log_error("audit: cannot write %zu rows", n);
	for (size_t i = 0; i < n; i++) {
		free(rows[i].args);
		free(rows[i].error);
	}
}

static void *writer_main(void *arg)
{
	static struct row batch[BATCH_MAX];

	pthread_mutex_lock(&mu);
	for (;;) {
		while (!qlen && !stopping) {
			struct timespec ts;
			util_deadline(&ts, CLOCK_REALTIME, 0.1);
			pthread_cond_timedwait(&cv, &mu, &ts);
		}
		if (!qlen && stopping)
			break;
		size_t n = qlen < BATCH_MAX ? qlen : BATCH_MAX;
		for (size_t i = 0; i < n; i++)
			batch[i] = queue[(qhead + i) % QUEUE_MAX];
		qhead = (qhead + n) % QUEUE_MAX;
		qlen -= n;
		pthread_mutex_unlock(&mu);
		write_rows(batch, n);
		pthread_mutex_lock(&mu);
		committed += n;
		pthread_cond_broadcast(&done_cv);
	}
	pthread_mutex_unlock(&mu);
	store_thread_release();
	return NULL;
}

int audit_start(void)
{
	pthread_mutex_lock(&mu);
	stopping = 0;
	running = pthread_create(&writer, NULL, writer_main, NULL) == 0;
	pthread_mutex_unlock(&mu);
	return running ? 0 : -1;
}

void audit_flush(void)
{
	pthread_mutex_lock(&mu);
	unsigned long long target = enqueued;
	pthread_cond_signal(&cv);
	while (running && committed < target)
		pthread_cond_wait(&done_cv, &mu);
	pthread_mutex_unlock(&mu);
}

void audit_stop(void)
{
	pthread_mutex_lock(&mu);
	if (!running) {
		pthread_mutex_unlock(&mu);
		return;
	}
	stopping = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(writer, NULL);
	running = 0;
}

void audit_record(const struct principal *who, const char *transport,
		  const char *tool, const json_t *args, const char *outcome,
		  const char *error, double duration_ms)
{
	struct row row;
	json_t *red = audit_redact(args);

	memset(&row, 0, sizeof(row));
	row.r.ts = util_now();
	row.r.account_id = who ? who->account_id : 0;
	snprintf(row.r.key_prefix, sizeof(row.r.key_prefix), "%s",
		 who ? who->key_prefix : "");
	snprintf(row.r.tool, sizeof(row.r.tool), "%s", tool);
	snprintf(row.r.transport, sizeof(row.r.transport), "%s", transport);
	snprintf(row.r.outcome, sizeof(row.r.outcome), "%s", outcome);
	row.r.duration_ms = duration_ms;
	row.args = json_dumps(red, JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_SORT_KEYS);
	row.error = error ? strdup(error) : NULL;
	json_decref(red);

	pthread_mutex_lock(&mu);
	if (running && qlen < QUEUE_MAX) {
		queue[(qhead + qlen) % QUEUE_MAX] = row;
		qlen++;
		enqueued++;
		pthread_mutex_unlock(&mu);
		return;
	}
	pthread_mutex_unlock(&mu);
	/* queue full or no writer: write synchronously, never drop */
	write_rows(&row, 1);
}
