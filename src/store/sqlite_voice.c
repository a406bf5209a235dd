/*
 * sqlite_voice.c - the voice runtime's part of the SQLite store: phone
 * lines and trunks as the SIP user agent sees them, the life of a call on
 * the line (dialling, answer, end with its charge), transcript entries and
 * recordings (see store.h). Statements are prepared per use: these run a
 * few times per call, not per packet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store.h"
#include "store/call_status.h"
#include "store/sqlite_internal.h"

/* sq_run, and STORE_NOTFOUND when it changed nothing and need_change is set. */
static int run(sqlite3_stmt *st, const char *what, int need_change)
{
	int rc = sq_run(st, what);
	return need_change ? sq_changed(rc) : rc;
}

/* One UPDATE of a call: ?1 the call id, ?2 a text value. */
static int call_update(const char *sql, int64_t call_id, const char *value,
		       const char *what, int need_change)
{
	sqlite3_stmt *st = sq_prep(sql);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, call_id);
	sq_text(st, 2, value);
	return run(st, what, need_change);
}

/* A call a campaign stop ended in the store while the line still carried
 * it: its status and reason stay, the line's end records its duration and
 * charge (once: both are still 0 until then). */
#define CALL_STOPPED "(status = 'ended' AND duration = 0 AND total_cost_micros = 0)"

/* ---- lines and trunks ------------------------------------------------------ */

int store_voice_line_by_number(const char *e164, struct store_voice_line *out)
{
	sqlite3_stmt *st = sq_prep("SELECT p.account_id, p.id, coalesce(p.assistant_id, 0),"
				" p.phone_number, p.type, coalesce(a.calls_direction, ''), p.trunk"
				" FROM phone_numbers p LEFT JOIN assistants a ON a.id = p.assistant_id"
				" WHERE p.phone_number = ?1");
	int rc;

	if (!st)
		return STORE_ERR;
	sq_text(st, 1, e164);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->account_id = sqlite3_column_int64(st, 0);
		out->phone_id = sqlite3_column_int64(st, 1);
		out->assistant_id = sqlite3_column_int64(st, 2);
		sq_col_copy(st, 3, out->phone_number, sizeof out->phone_number);
		sq_col_copy(st, 4, out->type, sizeof out->type);
		sq_col_copy(st, 5, out->calls_direction, sizeof out->calls_direction);
		sq_col_copy(st, 6, out->trunk, sizeof out->trunk);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : sq_fail(st, rc, "cannot read phone line");
	}
	sqlite3_finalize(st);
	return rc;
}

int store_phone_number_set_trunk(int64_t account_id, int64_t id, const char *trunk_json)
{
	sqlite3_stmt *st = sq_prep("UPDATE phone_numbers SET trunk = json(?3), updated_at = " SQL_NOW
				" WHERE account_id = ?1 AND id = ?2");

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	sq_text(st, 3, trunk_json);
	return run(st, "cannot set trunk", 1);
}

json_t *store_voice_trunks(void)
{
	sqlite3_stmt *st = sq_prep("SELECT account_id, id, phone_number, trunk FROM phone_numbers"
				" WHERE trunk <> '{}' ORDER BY id LIMIT 10000");
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 3);
		json_t *trunk = t ? json_loads(t, 0, NULL) : NULL;
		json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:o}",
			"account_id", (json_int_t)sqlite3_column_int64(st, 0),
			"id", (json_int_t)sqlite3_column_int64(st, 1),
			"phone_number", (const char *)sqlite3_column_text(st, 2),
			"trunk", trunk ? trunk : json_object()));
	}
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, "cannot list trunks");
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}

/* ---- a call on the line ---------------------------------------------------- */

int store_voice_call_inbound(int64_t account_id, int64_t assistant_id,
			     const char *assistant_number, const char *client_number,
			     const char *sip_call_id, int64_t *id_out)
{
	sqlite3_stmt *st = sq_prep("INSERT INTO calls (account_id, assistant_id, type, direction,"
				" status, from_number, to_number, sip_call_id, started_at)"
				" VALUES (?1, ?2, 'inbound', 'inbound', 'ringing', ?3, ?4, ?5, " SQL_NOW ")");
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	if (assistant_id > 0)
		sqlite3_bind_int64(st, 2, assistant_id);
	else
		sqlite3_bind_null(st, 2);
	sq_text(st, 3, assistant_number);
	sq_text(st, 4, client_number);
	sq_text(st, 5, sip_call_id);
	rc = run(st, "cannot insert inbound call", 0);
	if (!rc)
		*id_out = sqlite3_last_insert_rowid(store_sqlite_db());
	return rc;
}

int store_voice_call_dialing(int64_t call_id, const char *sip_call_id)
{
	return call_update("UPDATE calls SET started_at = coalesce(started_at, " SQL_NOW "),"
				" sip_call_id = ?2, updated_at = " SQL_NOW
				" WHERE id = ?1 AND status IN " CALL_STATUS_LIVE_SQL,
			   call_id, sip_call_id, "cannot mark call dialling", 1);
}

int store_voice_call_answered(int64_t call_id, const char *answered_by)
{
	return call_update("UPDATE calls SET status = 'in-progress', answered_at = " SQL_NOW ","
				" answered_by = ?2, updated_at = " SQL_NOW
				" WHERE id = ?1 AND status IN " CALL_STATUS_LIVE_SQL,
			   call_id, answered_by, "cannot mark call answered", 1);
}

int store_voice_call_answered_by(int64_t call_id, const char *answered_by)
{
	return call_update("UPDATE calls SET answered_by = ?2, updated_at = " SQL_NOW
				" WHERE id = ?1",
			   call_id, answered_by, "cannot set answered_by", 1);
}

int store_voice_call_end(int64_t call_id, const char *status, const char *reason,
			 int64_t duration_s, int64_t price_per_minute, int64_t *cost_out)
{
	sqlite3_stmt *st = NULL;
	int64_t account_id = 0, minutes, cost;
	int rc, live = 0, nested;

	if (duration_s < 0)
		duration_s = 0;
	minutes = (duration_s + 59) / 60;
	cost = minutes * price_per_minute;
	if (cost_out)
		*cost_out = 0;
	if ((nested = sq_begin()) < 0)
		return STORE_ERR;
	st = sq_prep("SELECT account_id, status IN " CALL_STATUS_LIVE_SQL " FROM calls WHERE id = ?1"
		     " AND (status IN " CALL_STATUS_LIVE_SQL " OR " CALL_STOPPED ")");
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, call_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		account_id = sqlite3_column_int64(st, 0);
		live = sqlite3_column_int(st, 1);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : sq_fail(st, rc, "cannot read call");
	}
	sqlite3_finalize(st);
	if (rc || (!live && duration_s == 0))
		goto out;	/* stopped before anything was said: nothing to add */
	if (live)
		st = sq_prep("UPDATE calls SET status = ?2, end_reason = coalesce(?3, end_reason),"
			  " duration = ?4, total_cost_micros = ?5, ended_at = " SQL_NOW ","
			  " updated_at = " SQL_NOW " WHERE id = ?1");
	else	/* the stop said how it ended; the line says how long it lasted */
		st = sq_prep("UPDATE calls SET duration = ?4, total_cost_micros = ?5,"
			  " ended_at = " SQL_NOW ", updated_at = " SQL_NOW
			  " WHERE id = ?1 AND " CALL_STOPPED);	/* ?2, ?3 unused */
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, call_id);
	sq_text(st, 2, status);
	sq_text(st, 3, reason);
	sqlite3_bind_int64(st, 4, duration_s);
	sqlite3_bind_int64(st, 5, cost);
	if ((rc = run(st, "cannot end call", 1)))
		goto out;
	if (cost > 0) {
		st = sq_prep("UPDATE accounts SET balance_micros = balance_micros - ?2 WHERE id = ?1");
		if (!st) {
			rc = STORE_ERR;
			goto out;
		}
		sqlite3_bind_int64(st, 1, account_id);
		sqlite3_bind_int64(st, 2, cost);
		if ((rc = run(st, "cannot charge call", 1)))
			goto out;
	}
	if (cost_out)
		*cost_out = cost;
out:
	rc = sq_end(nested, rc);
	if (rc && cost_out)
		*cost_out = 0;
	return rc;
}

int store_voice_transcript_add(int64_t call_id, const char *sender, const char *msg,
			       double ts)
{
	sqlite3_stmt *st = sq_prep("INSERT INTO call_transcripts (call_id, seq, sender, text, ts)"
				" VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM call_transcripts"
				" WHERE call_id = ?1), ?2, ?3, ?4)");

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, call_id);
	sq_text(st, 2, sender);
	sq_text(st, 3, msg);
	sqlite3_bind_double(st, 4, ts);
	return run(st, "cannot add transcript entry", 0);
}

int store_voice_recording_set(int64_t call_id, const char *url)
{
	return call_update("UPDATE calls SET recording_path = ?2, updated_at = " SQL_NOW
				" WHERE id = ?1",
			   call_id, url, "cannot set recording", 1);
}

json_t *store_voice_call_assistant(int64_t call_id)
{
	sqlite3_stmt *st = sq_prep("SELECT account_id, coalesce(assistant_id, 0), type,"
				" coalesce(from_number, ''), coalesce(to_number, ''), variables"
				" FROM calls WHERE id = ?1");
	json_t *a = NULL, *vars;
	int64_t account_id, assistant_id;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, call_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			sq_fail(st, rc, "cannot read call");
		sqlite3_finalize(st);
		return NULL;
	}
	account_id = sqlite3_column_int64(st, 0);
	assistant_id = sqlite3_column_int64(st, 1);
	const char *v = (const char *)sqlite3_column_text(st, 5);
	vars = v ? json_loads(v, 0, NULL) : NULL;
	json_t *call = json_pack("{s:I, s:I, s:s, s:s, s:s, s:o}",
		"account_id", (json_int_t)account_id, "call_id", (json_int_t)call_id,
		"type", (const char *)sqlite3_column_text(st, 2),
		"from_number", (const char *)sqlite3_column_text(st, 3),
		"to_number", (const char *)sqlite3_column_text(st, 4),
		"variables", json_is_object(vars) ? vars : (json_decref(vars), json_object()));
	sqlite3_finalize(st);
	if (assistant_id > 0)
		a = store_assistant_get(account_id, assistant_id);
	if (!a)
		a = json_object();
	json_object_set_new(a, "_call", call ? call : json_object());
	return a;
}

/* ---- who dials (calls.h) ---------------------------------------------------------- */

int store_call_claim(int64_t call_id, const char *node)
{
	return call_update("UPDATE calls SET claimed_by = ?2, updated_at = " SQL_NOW
				" WHERE id = ?1 AND status = 'initiated' AND claimed_by IS NULL",
			   call_id, node, "cannot claim a call", 1);
}

int store_calls_unclaimed(double max_age_s, int stale, int64_t *ids, int n)
{
	char sql[320], age[32];
	sqlite3_stmt *st;
	int k = 0, rc;

	snprintf(sql, sizeof sql, "SELECT id FROM calls WHERE status = 'initiated'"
		 " AND claimed_by IS NULL AND type = 'outbound' AND created_at %s"
		 " strftime('%%Y-%%m-%%dT%%H:%%M:%%f', 'now', ?1) ORDER BY created_at, id LIMIT ?2",
		 stale ? "<" : ">=");
	snprintf(age, sizeof age, "-%.3f seconds", max_age_s);
	if (!(st = sq_prep(sql)))
		return -1;
	sqlite3_bind_text(st, 1, age, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, n);
	while (k < n && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ids[k++] = sqlite3_column_int64(st, 0);
	if (k < n && rc != SQLITE_DONE)
		k = -1;
	sqlite3_finalize(st);
	return k;
}

int store_call_node_beat(const char *node, double now, int gone)
{
	sqlite3_stmt *st = sq_prep(gone ? "DELETE FROM call_nodes WHERE node = ?1"
				   : "INSERT INTO call_nodes (node, seen_at) VALUES (?1, ?2)"
				     " ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at");
	if (!st)
		return STORE_ERR;
	sq_text(st, 1, node);
	if (!gone)
		sqlite3_bind_double(st, 2, now);
	return sq_run(st, "cannot record this process in call_nodes");
}

int store_call_nodes_live(double now, double within_s)
{
	sqlite3_stmt *st = sq_prep("SELECT count(*) FROM call_nodes WHERE seen_at >= ?1");
	int n = 0;

	if (!st)
		return 0;
	sqlite3_bind_double(st, 1, now - within_s);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* ---- how an assistant sounds -------------------------------------------------------- */

int store_voice_catalog(int64_t id, char *name, size_t namelen, char *provider, size_t provlen)
{
	sqlite3_stmt *st = sq_prep("SELECT name, provider FROM voices WHERE id = ?1");

	if (st)
		sqlite3_bind_int64(st, 1, id);
	return sq_one_text(st, "cannot read a voice", 2, name, namelen, provider, provlen);
}

int store_language_iso(const char *name_or_iso, char iso[3])
{
	sqlite3_stmt *st = sq_prep("SELECT iso_2 FROM languages WHERE name = ?1 COLLATE NOCASE"
				   " OR iso_2 = ?1 COLLATE NOCASE");

	if (st)
		sq_text(st, 1, name_or_iso);
	return sq_one_text(st, "cannot read a language", 1, iso, (size_t)3);
}
