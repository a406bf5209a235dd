/* sqlite_webhook.c - post-call webhook secrets, deliveries and attempts
 * (see store.h, "post-call webhooks"). */
#include <stdio.h>
#include <string.h>
#include "store/store.h"
#include "store/sqlite_internal.h"

/* One table a kind of signing secret (a kind is never chosen by a caller's text). */
static const struct {
	const char *get, *add, *what;
} secret_sql[] = {
	[STORE_SECRET_WEBHOOK] = {
		"SELECT secret FROM webhook_secrets WHERE account_id = ?1",
		"INSERT OR IGNORE INTO webhook_secrets (account_id, secret) VALUES (?1, ?2)",
		"the webhook secret" },
	[STORE_SECRET_MIDTOOL] = {
		"SELECT secret FROM midtool_secrets WHERE account_id = ?1",
		"INSERT OR IGNORE INTO midtool_secrets (account_id, secret) VALUES (?1, ?2)",
		"the mid-call tool secret" },
};

int store_account_secret_get(int64_t account_id, enum store_secret_kind kind, char *out,
			     size_t outlen)
{
	char what[64];
	sqlite3_stmt *st;

	if ((size_t)kind >= sizeof(secret_sql) / sizeof(secret_sql[0]))
		return STORE_INVALID;
	st = sq_prep(secret_sql[kind].get);
	if (st)
		sqlite3_bind_int64(st, 1, account_id);
	snprintf(what, sizeof what, "cannot read %s", secret_sql[kind].what);
	return sq_one_text(st, what, 1, out, outlen);
}

int store_account_secret_add(int64_t account_id, enum store_secret_kind kind, const char *sealed)
{
	char what[64];
	sqlite3_stmt *st;

	if ((size_t)kind >= sizeof(secret_sql) / sizeof(secret_sql[0]))
		return STORE_INVALID;
	st = sq_prep(secret_sql[kind].add);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sq_text(st, 2, sealed);
	snprintf(what, sizeof what, "cannot keep %s", secret_sql[kind].what);
	return sq_run(st, what);
}

int store_webhook_call_claim(int64_t call_id, const char *state)
{
	sqlite3_stmt *st = sq_prep("UPDATE calls SET webhook_state = ?2 WHERE id = ?1"
				   " AND webhook_state IS NULL");
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, call_id);
	sq_text(st, 2, state);
	return sq_changed(sq_run(st, "cannot mark the call's webhook"));
}

json_t *store_webhook_undecided_calls(double ended_before, int limit)
{
	sqlite3_stmt *st = sq_prep("SELECT id FROM calls WHERE webhook_state IS NULL"
		" AND ended_at IS NOT NULL"
		" AND (julianday(substr(ended_at, 1, 19)) - 2440587.5) * 86400.0 < ?1"
		" ORDER BY id LIMIT ?2");
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_double(st, 1, ended_before);
	sqlite3_bind_int(st, 2, limit);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_integer(sqlite3_column_int64(st, 0)));
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, "cannot list calls without a webhook decision");
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}

int store_webhook_enqueue(int64_t account_id, int64_t call_id, const char *url,
			  const char *payload, double next_at, int64_t *id_out)
{
	sqlite3_stmt *st = sq_prep("INSERT INTO webhook_deliveries (account_id, call_id, url,"
				   " payload, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, call_id);
	sq_text(st, 3, url);
	sq_text(st, 4, payload);
	sqlite3_bind_double(st, 5, next_at);
	rc = sq_run(st, "cannot queue the webhook");
	if (!rc && id_out)
		*id_out = sqlite3_last_insert_rowid(store_sqlite_db());
	return rc;
}

json_t *store_webhook_due(double now, int limit)
{
	sqlite3_stmt *st = sq_prep("SELECT id, account_id, call_id, url, payload, attempts"
		" FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ?1"
		" ORDER BY next_attempt_at, id LIMIT ?2");
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_double(st, 1, now);
	sqlite3_bind_int(st, 2, limit);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
			"id", sq_col(st, 0), "account_id", sq_col(st, 1), "call_id", sq_col(st, 2),
			"url", sq_col(st, 3), "payload", sq_col(st, 4), "attempts", sq_col(st, 5)));
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, "cannot list due webhooks");
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}

int store_webhook_lease(int64_t delivery_id, int attempts, double now, double until)
{
	sqlite3_stmt *st = sq_prep("UPDATE webhook_deliveries SET next_attempt_at = ?4"
		" WHERE id = ?1 AND state = 'pending' AND attempts = ?2 AND next_attempt_at <= ?3");

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, delivery_id);
	sqlite3_bind_int(st, 2, attempts);
	sqlite3_bind_double(st, 3, now);
	sqlite3_bind_double(st, 4, until);
	return sq_changed(sq_run(st, "cannot lease a webhook delivery"));
}

double store_webhook_next_due(void)
{
	sqlite3_stmt *st = sq_prep("SELECT min(next_attempt_at) FROM webhook_deliveries"
				   " WHERE state = 'pending'");
	double t = 0;

	if (!st)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		t = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return t;
}

struct attempt_tx {
	int64_t id;
	int attempt;
	long status;
	const char *error, *state, *response;
	double latency_ms, next_at;
};

static int attempt_fn(void *arg)
{
	struct attempt_tx *a = arg;
	sqlite3_stmt *st;
	int64_t call_id = 0;
	int rc;

	st = sq_prep("INSERT INTO webhook_attempts (delivery_id, attempt, status, error, latency_ms)"
		     " VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_int(st, 2, a->attempt);
	if (a->status > 0)
		sqlite3_bind_int64(st, 3, a->status);
	else
		sqlite3_bind_null(st, 3);
	sq_text(st, 4, a->error);
	sqlite3_bind_double(st, 5, a->latency_ms);
	if ((rc = sq_run(st, "cannot record the webhook attempt")))
		return rc;

	st = sq_prep("UPDATE webhook_deliveries SET attempts = ?2, state = ?3,"
		" next_attempt_at = CASE WHEN ?3 = 'pending' THEN ?4 ELSE NULL END,"
		" last_status = ?5, last_error = ?6,"
		" delivered_at = CASE WHEN ?3 = 'delivered' THEN " SQL_NOW " ELSE delivered_at END,"
		" updated_at = " SQL_NOW " WHERE id = ?1 RETURNING call_id");
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_int(st, 2, a->attempt);
	sq_text(st, 3, a->state);
	sqlite3_bind_double(st, 4, a->next_at);
	if (a->status > 0)
		sqlite3_bind_int64(st, 5, a->status);
	else
		sqlite3_bind_null(st, 5);
	sq_text(st, 6, a->error);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		call_id = sqlite3_column_int64(st, 0);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : sq_fail(st, rc, "cannot update the webhook");
	}
	sqlite3_finalize(st);
	if (rc || !a->response)
		return rc;

	st = sq_prep("UPDATE calls SET webhook_response = ?2, updated_at = " SQL_NOW
		     " WHERE id = ?1");
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, call_id);
	sq_text(st, 2, a->response);
	return sq_run(st, "cannot store the webhook response");
}

int store_webhook_attempt(int64_t delivery_id, int attempt, long status, const char *error,
			  double latency_ms, const char *state, double next_at,
			  const char *response)
{
	struct attempt_tx a = { delivery_id, attempt, status, error, state, response,
				latency_ms, next_at };
	return store_tx(attempt_fn, &a);
}

static json_t *history(int64_t delivery_id)
{
	sqlite3_stmt *st = sq_prep("SELECT attempt, status, error, latency_ms, created_at"
		" FROM webhook_attempts WHERE delivery_id = ?1 ORDER BY attempt, id LIMIT 100");
	json_t *arr = json_array();

	if (!st)
		return arr;
	sqlite3_bind_int64(st, 1, delivery_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o}",
			"attempt", sq_col(st, 0), "status", sq_col(st, 1), "error", sq_col(st, 2),
			"latency_ms", sq_col(st, 3), "at", sq_col(st, 4)));
	sqlite3_finalize(st);
	return arr;
}

json_t *store_webhook_list(int64_t account_id, int64_t call_id)
{
	sqlite3_stmt *st = sq_prep("SELECT 1 FROM calls WHERE id = ?1 AND account_id = ?2");
	json_t *arr = NULL;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, call_id);
	sqlite3_bind_int64(st, 2, account_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return NULL;
	st = sq_prep("SELECT id, url, state, attempts, last_status, last_error,"
		" CASE WHEN next_attempt_at IS NULL THEN NULL ELSE"
		"  strftime('%Y-%m-%dT%H:%M:%SZ', next_attempt_at, 'unixepoch') END,"
		" delivered_at, created_at FROM webhook_deliveries"
		" WHERE call_id = ?1 AND account_id = ?2 ORDER BY id");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, call_id);
	sqlite3_bind_int64(st, 2, account_id);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			"id", sq_col(st, 0), "url", sq_col(st, 1), "state", sq_col(st, 2),
			"attempts", sq_col(st, 3), "last_status", sq_col(st, 4),
			"last_error", sq_col(st, 5), "next_attempt_at", sq_col(st, 6),
			"delivered_at", sq_col(st, 7), "created_at", sq_col(st, 8),
			"history", history(sqlite3_column_int64(st, 0))));
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, "cannot list webhook deliveries");
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}
