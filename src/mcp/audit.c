/* audit.c - batched audit trail writer (see audit.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "mcp/audit.h"
#include "base/log.h"
#include "store/store.h"
#include "base/util.h"
#include "base/worker.h"

#define QUEUE_MAX 4096
#define BATCH_MAX 512
/* retention: rows per DELETE, DELETEs per sweep (then the queue's turn) */
#define SWEEP_BATCH 1000
#define SWEEP_BATCHES 20

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
static struct worker writer = WORKER_INIT(&mu, &cv, "audit");

/* Settings, read once by audit_start before the writer runs (the defaults
 * hold for a process that never starts it). */
static struct {
	size_t args_max;        /* SWITCHBOARD_AUDIT_ARGS_MAX */
	int retention_days;     /* SWITCHBOARD_AUDIT_RETENTION_DAYS, 0 = forever */
	double sweep_every_s;   /* SWITCHBOARD_AUDIT_SWEEP_S */
} cfg = { AUDIT_ARGS_MAX_DEFAULT, AUDIT_RETENTION_DAYS_DEFAULT, 3600 };

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

/* ---- bounds ------------------------------------------------------------- */

/* "…[truncated N bytes sha256:<64 hex>]" fits in this, with its NUL */
#define MARKER_MAX 128
/* what a string over AUDIT_VALUE_MAX keeps before its marker */
#define VALUE_KEEP 256
#define DEPTH_MARKER "\xe2\x80\xa6[depth limit 32: subtree left out]"

_Static_assert(AUDIT_DEPTH_MAX == 32, "DEPTH_MARKER names the depth");

/* Up to `keep` bytes of s (cut on a UTF-8 boundary) and the marker naming
 * all n bytes and their SHA-256: a new C string, NULL when out of memory. */
static char *cut(const char *s, size_t n, size_t keep)
{
	unsigned char h[32];
	char hex[65];
	char *out;

	if (keep > n)
		keep = n;
	while (keep && keep < n && ((unsigned char)s[keep] & 0xc0) == 0x80)
		keep--;
	util_sha256(s, n, h);
	util_hex(h, sizeof(h), hex);
	out = malloc(keep + MARKER_MAX);
	if (!out)
		return NULL;
	memcpy(out, s, keep);
	snprintf(out + keep, MARKER_MAX, "\xe2\x80\xa6[truncated %zu bytes sha256:%s]", n, hex);
	return out;
}

static json_t *bounded_string(const char *s, size_t n)
{
	char *c;
	json_t *j;

	if (n <= AUDIT_VALUE_MAX)
		return json_stringn(s, n);
	c = cut(s, n, VALUE_KEEP);
	j = c ? json_string(c) : NULL;
	free(c);
	return j ? j : json_string("[truncated]");
}

/* ---- the redacting, bounded copy ------------------------------------------ */

static json_t *walk(const json_t *v, int depth);

/* HTTP headers as [{name, value}]: any value may be a credential (mid-call
 * tool definitions), so only the names are kept. */
static json_t *redact_headers(const json_t *headers, int depth)
{
	json_t *out, *h;
	size_t i;

	if (depth > AUDIT_DEPTH_MAX)
		return json_string(DEPTH_MARKER);
	out = json_array();
	json_array_foreach(headers, i, h) {
		json_t *c = json_is_object(h) ? walk(h, depth + 1) : json_object();
		if (json_object_get(c, "value"))
			json_object_set_new(c, "value", json_string("[redacted]"));
		json_array_append_new(out, c);
	}
	return out;
}

/* v sits `depth` containers below the arguments. Recursion stops at
 * AUDIT_DEPTH_MAX whatever the input, so neither this walk nor json_dumps of
 * its result ever goes deeper. */
static json_t *walk(const json_t *v, int depth)
{
	json_t *out, *e;
	const char *k;
	size_t i;

	if ((json_is_object(v) || json_is_array(v)) && depth > AUDIT_DEPTH_MAX)
		return json_string(DEPTH_MARKER);
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach((json_t *)v, k, e) {
			size_t kn = strlen(k);
			char *kc = kn > AUDIT_VALUE_MAX ? cut(k, kn, VALUE_KEEP) : NULL;
			json_t *c;

			if (is_secret_name(k) && !json_is_null(e))
				c = json_string("[redacted]");
			else if (!strcmp(k, "headers") && json_is_array(e))
				c = redact_headers(e, depth + 1);
			else
				c = walk(e, depth + 1);
			json_object_set_new(out, kc ? kc : k, c);
			free(kc);
		}
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, e)
			json_array_append_new(out, walk(e, depth + 1));
		return out;
	}
	if (json_is_string(v))
		return bounded_string(json_string_value(v), json_string_length(v));
	return v ? json_deep_copy(v) : json_object();
}

json_t *audit_redact(const json_t *args)
{
	return walk(args, 0);
}

#define DUMP_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15) | JSON_SORT_KEYS)

/* A text over max bytes as one JSON string: the prefix that fits (counting
 * the escapes it needs: json_dumps left no control characters, so only '"'
 * and '\' grow) and the marker. */
static char *bound_text(const char *t, size_t n, size_t max)
{
	size_t room = max > MARKER_MAX + 2 ? max - MARKER_MAX - 2 : 0, keep = 0, cost = 0;
	char *c, *out = NULL;
	json_t *j;

	while (keep < n) {
		size_t w = t[keep] == '"' || t[keep] == '\\' ? 2 : 1;
		if (cost + w > room)
			break;
		cost += w;
		keep++;
	}
	c = cut(t, n, keep);
	j = c ? json_string(c) : NULL;
	out = j ? json_dumps(j, DUMP_FLAGS) : NULL;
	json_decref(j);
	if (out && strlen(out) > max) {
		/* cannot happen by the count above; keep the bound anyway */
		free(out);
		out = NULL;
	}
	if (!out && c) {
		j = json_string(c + keep);
		out = j ? json_dumps(j, DUMP_FLAGS) : NULL;
		json_decref(j);
	}
	free(c);
	return out;
}

char *audit_args_text(const json_t *args, size_t max)
{
	json_t *red = audit_redact(args);
	char *t = red ? json_dumps(red, DUMP_FLAGS) : NULL, *b;
	size_t n;

	json_decref(red);
	if (!t || (n = strlen(t)) <= max)
		return t;
	b = bound_text(t, n, max);
	free(t);
	return b;
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

/* ---- retention ---------------------------------------------------------- */

int audit_sweep(double before, long *deleted)
{
	long total = 0;
	int r = 0;

	for (int i = 0; i < SWEEP_BATCHES; i++) {
		r = store_audit_prune(before, SWEEP_BATCH);
		if (r < 0)
			break;
		total += r;
		if (r < SWEEP_BATCH) {
			r = 0;
			break;
		}
		r = 1;   /* a full batch: there may be more */
	}
	if (deleted)
		*deleted = total;
	return r < 0 ? -1 : r;
}

/* On the writer thread, between batches; the next sweep's time. */
static double sweep_due(void)
{
	double before = util_now() - (double)cfg.retention_days * 86400.0;
	long n = 0;
	int r = audit_sweep(before, &n);

	if (r < 0)
		log_error("audit: cannot delete rows older than %d days", cfg.retention_days);
	else if (n)
		log_info("audit: deleted %ld rows older than %d days", n, cfg.retention_days);
	/* more left: come back soon, after the queue had its turn */
	return util_mono() + (r == 1 ? 1.0 : cfg.sweep_every_s);
}

/* ---- the writer ------------------------------------------------------------ */

static int sweep_is_due(double next_sweep)
{
	return cfg.retention_days > 0 && util_mono() >= next_sweep;
}

static void *writer_main(void *arg)
{
	static struct row batch[BATCH_MAX];
	double next_sweep = util_mono();   /* once at start, then periodically */

	pthread_mutex_lock(&mu);
	for (;;) {
		while (!qlen && !writer.stopping && !sweep_is_due(next_sweep)) {
			struct timespec ts;
			util_deadline(&ts, CLOCK_REALTIME, 0.1);
			pthread_cond_timedwait(&cv, &mu, &ts);
		}
		if (!qlen && writer.stopping)
			break;
		if (!writer.stopping && sweep_is_due(next_sweep)) {
			pthread_mutex_unlock(&mu);
			next_sweep = sweep_due();
			pthread_mutex_lock(&mu);
		}
		if (!qlen)
			continue;
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
	cfg.args_max = (size_t)util_env_i64("SWITCHBOARD_AUDIT_ARGS_MAX",
					    AUDIT_ARGS_MAX_DEFAULT, 1024, 1 << 20);
	cfg.retention_days = (int)util_env_i64("SWITCHBOARD_AUDIT_RETENTION_DAYS",
					       AUDIT_RETENTION_DAYS_DEFAULT, 0, 36500);
	cfg.sweep_every_s = (double)util_env_i64("SWITCHBOARD_AUDIT_SWEEP_S", 3600, 1, 86400);
	return worker_start(&writer, writer_main, NULL);
}

void audit_flush(void)
{
	pthread_mutex_lock(&mu);
	unsigned long long target = enqueued;
	pthread_cond_signal(&cv);
	while (writer.running && committed < target)
		pthread_cond_wait(&done_cv, &mu);
	pthread_mutex_unlock(&mu);
}

void audit_stop(void)
{
	worker_stop(&writer);
}

void audit_record(const struct principal *who, const char *transport,
		  const char *tool, const json_t *args, const char *outcome,
		  const char *error, double duration_ms)
{
	struct row row;

	memset(&row, 0, sizeof(row));
	row.r.ts = util_now();
	row.r.account_id = who ? who->account_id : 0;
	snprintf(row.r.key_prefix, sizeof(row.r.key_prefix), "%s",
		 who ? who->key_prefix : "");
	snprintf(row.r.tool, sizeof(row.r.tool), "%s", tool);
	snprintf(row.r.transport, sizeof(row.r.transport), "%s", transport);
	snprintf(row.r.outcome, sizeof(row.r.outcome), "%s", outcome);
	row.r.duration_ms = duration_ms;
	row.args = audit_args_text(args, cfg.args_max);
	if (error) {
		size_t n = strlen(error);
		row.error = n > AUDIT_VALUE_MAX ? cut(error, n, VALUE_KEEP) : strdup(error);
	}

	pthread_mutex_lock(&mu);
	/* once stopping, the writer may have drained for the last time */
	if (writer.running && !writer.stopping && qlen < QUEUE_MAX) {
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
