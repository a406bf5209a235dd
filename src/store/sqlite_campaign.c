/*
 * sqlite_campaign.c - the campaign dialer's part of the SQLite store: the
 * running campaigns with what the dialer needs to decide (live calls,
 * leads left, balance), the leads due for a call, placing a lead's call
 * (one transaction with the lead's move to processing), the finished
 * attempts to settle, and a campaign's end (see store.h). Statements are
 * prepared per use: they run once per campaign per dialer tick.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store.h"
#include "store/call_status.h"
#include "store/sqlite_internal.h"

#define LEAD_OPEN "('created','scheduled','processing','rescheduled')"

/* Rows of a bound statement as objects named by `names` (NULL-ended; a
 * name starting with '@' is a JSON array column parsed, '%' a JSON object
 * column, '?' a 0/1 column as a boolean). Finalizes the statement; NULL on
 * a database error. */
static json_t *rows(sqlite3_stmt *st, const char *const *names, const char *what)
{
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		for (int i = 0; names[i]; i++) {
			const char *n = names[i];
			json_t *v;
			switch (n[0]) {
			case '@': v = sq_col_doc(st, i, "[]"); n++; break;
			case '%': v = sq_col_doc(st, i, "{}"); n++; break;
			case '?': v = json_boolean(sqlite3_column_int(st, i)); n++; break;
			default: v = sq_col(st, i); break;
			}
			json_object_set_new(o, n, v);
		}
		json_array_append_new(arr, o);
	}
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, what);
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}

/* ---- running campaigns -------------------------------------------------------- */

json_t *store_dialer_campaigns(int limit)
{
	static const char *const names[] = {
		"id", "account_id", "name", "assistant_id", "timezone", "max_calls_in_parallel",
		"allowed_hours_start_time", "allowed_hours_end_time", "@allowed_days",
		"max_retries", "retry_interval", "?retry_on_voicemail",
		"?retry_on_goal_incomplete", "goal_completion_variable",
		"?mark_complete_when_no_leads", "@phone_number_ids",
		"live_calls", "calls_made", "open_leads", "balance_micros", NULL,
	};
	sqlite3_stmt *st = sq_prep("SELECT cp.id, cp.account_id, cp.name,"
		" coalesce(cp.assistant_id, 0), cp.timezone, cp.max_calls_in_parallel,"
		" cp.allowed_hours_start_time, cp.allowed_hours_end_time, cp.allowed_days,"
		" cp.max_retries, cp.retry_interval, cp.retry_on_voicemail,"
		" cp.retry_on_goal_incomplete, cp.goal_completion_variable,"
		" cp.mark_complete_when_no_leads, cp.phone_number_ids,"
		" (SELECT count(*) FROM calls c WHERE c.campaign_id = cp.id"
		"   AND c.status IN " CALL_STATUS_LIVE_SQL "),"
		" (SELECT count(*) FROM calls c WHERE c.campaign_id = cp.id),"
		" (SELECT count(*) FROM leads l WHERE l.campaign_id = cp.id"
		"   AND l.approved = 1 AND l.status IN " LEAD_OPEN "),"
		" (SELECT balance_micros FROM accounts WHERE id = cp.account_id)"
		" FROM campaigns cp WHERE cp.status = 'in-progress' ORDER BY cp.id LIMIT ?1");

	if (!st)
		return NULL;
	sqlite3_bind_int(st, 1, limit);
	return rows(st, names, "cannot list running campaigns");
}

json_t *store_dialer_due_leads(int64_t campaign_id, const char *now, int limit)
{
	static const char *const names[] = {
		"id", "phone_number", "%variables", "status", "retries", NULL,
	};
	/* only approved leads: a confirmed start priced them (store.h) */
	sqlite3_stmt *st = sq_prep("SELECT id, phone_number, variables, status, retries"
		" FROM leads WHERE campaign_id = ?1 AND approved = 1"
		" AND (status IN ('created','scheduled')"
		" OR (status = 'rescheduled' AND coalesce(next_attempt_at, '') <= ?2))"
		" ORDER BY id LIMIT ?3");

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, campaign_id);
	sq_text(st, 2, now);
	sqlite3_bind_int(st, 3, limit);
	return rows(st, names, "cannot list due leads");
}

/* ---- placing a lead's call ------------------------------------------------------ */

struct place {
	int64_t account_id;
	const struct store_call_new *call;
	int64_t *call_id;
};

static int place_tx(void *arg)
{
	struct place *p = arg;
	sqlite3_stmt *st;
	int rc;

	/* the lead is still due and approved, its campaign still running */
	st = sq_prep("UPDATE leads SET status = 'processing', retries = retries + 1,"
		  " next_attempt_at = NULL, updated_at = " SQL_NOW
		  " WHERE id = ?1 AND account_id = ?2 AND campaign_id = ?3 AND approved = 1"
		  " AND status IN ('created','scheduled','rescheduled')"
		  " AND EXISTS (SELECT 1 FROM campaigns WHERE id = ?3 AND status = 'in-progress')");
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, p->call->lead_id);
	sqlite3_bind_int64(st, 2, p->account_id);
	sqlite3_bind_int64(st, 3, p->call->campaign_id);
	rc = sq_changed(sq_run(st, "cannot take the lead"));
	if (rc)
		return rc == STORE_NOTFOUND ? STORE_CONFLICT : rc;
	return store_call_insert(p->account_id, p->call, p->call_id);
}

int store_dialer_place(int64_t account_id, const struct store_call_new *c, int64_t *call_id)
{
	struct place p = { account_id, c, call_id };

	if (!c || c->campaign_id <= 0 || c->lead_id <= 0)
		return STORE_INVALID;
	return store_tx(place_tx, &p);
}

/* ---- finished attempts ------------------------------------------------------------ */

json_t *store_dialer_finished(int limit)
{
	static const char *const names[] = {
		"lead_id", "account_id", "campaign_id", "retries", "call_id", "call_status",
		"?answered", "answered_by", "%extracted", "?evaluated", "ended_age_s",
		"end_reason", "max_retries", "retry_interval", "?retry_on_voicemail",
		"?retry_on_goal_incomplete", "goal_completion_variable", "campaign_status", NULL,
	};
	/* a processing lead whose latest call has ended (or that has no call:
	 * it was deleted) */
	sqlite3_stmt *st = sq_prep("SELECT l.id, l.account_id, l.campaign_id, l.retries,"
		" c.id, c.status, c.answered_at IS NOT NULL, c.answered_by,"
		" c.extracted_variables, c.evaluated_at IS NOT NULL,"
		" coalesce((julianday('now') - julianday(c.ended_at)) * 86400.0, 0),"
		" c.end_reason, cp.max_retries, cp.retry_interval, cp.retry_on_voicemail,"
		" cp.retry_on_goal_incomplete, cp.goal_completion_variable, cp.status"
		" FROM leads l JOIN campaigns cp ON cp.id = l.campaign_id"
		" LEFT JOIN calls c ON c.id = (SELECT max(id) FROM calls WHERE lead_id = l.id)"
		" WHERE l.status = 'processing' AND (c.id IS NULL OR c.status NOT IN " CALL_STATUS_LIVE_SQL ")"
		" ORDER BY l.id LIMIT ?1");

	if (!st)
		return NULL;
	sqlite3_bind_int(st, 1, limit);
	return rows(st, names, "cannot list finished attempts");
}

int store_dialer_lead_settle(int64_t lead_id, const char *status, const char *next_attempt_at)
{
	sqlite3_stmt *st = sq_prep("UPDATE leads SET status = ?2, next_attempt_at = ?3,"
				" updated_at = " SQL_NOW " WHERE id = ?1 AND status = 'processing'");

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, lead_id);
	sq_text(st, 2, status);
	sq_text(st, 3, next_attempt_at);
	return sq_changed(sq_run(st, "cannot settle the lead"));
}

/* ---- a campaign's end ---------------------------------------------------------------- */

struct finish {
	int64_t id;
	const char *status, *reason;
};

static int finish_tx(void *arg)
{
	struct finish *f = arg;
	sqlite3_stmt *st;
	int rc;

	st = sq_prep("UPDATE campaigns SET status = ?2, status_reason = ?3,"
		  " stopped_at = " SQL_NOW ", updated_at = " SQL_NOW
		  " WHERE id = ?1 AND status = 'in-progress'");
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, f->id);
	sq_text(st, 2, f->status);
	sq_text(st, 3, f->reason);
	rc = sq_changed(sq_run(st, "cannot end the campaign"));
	if (rc || strcmp(f->status, "stopped"))
		return rc;
	/* as a stop does: scheduled leads wait as created for the next start */
	st = sq_prep("UPDATE leads SET status = 'created', updated_at = " SQL_NOW
		  " WHERE campaign_id = ?1 AND status = 'scheduled'");
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, f->id);
	return sq_run(st, "cannot unschedule leads");
}

int store_dialer_campaign_end(int64_t campaign_id, const char *status, const char *reason)
{
	struct finish f = { campaign_id, status, reason };

	if (!status || (strcmp(status, "completed") && strcmp(status, "stopped")))
		return STORE_INVALID;
	return store_tx(finish_tx, &f);
}
