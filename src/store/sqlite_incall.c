/*
 * sqlite_incall.c - the in-call plane's part of the SQLite store: office
 * hours, contacts, users, leads from calls, the decision log, assistants'
 * custom tools, live calls (see store.h). Statements are prepared per use:
 * these run once per in-call action, not per HTTP request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store.h"
#include "store/sqlite_internal.h"








/* ---- office hours -------------------------------------------------------- */

int store_office_hours_get(int64_t account_id, int64_t assistant_id, json_t **schedule)
{
	sqlite3_stmt *st = sq_prep("SELECT o.schedule, o.exceptions FROM office_hours o"
				" JOIN assistants a ON a.id = o.assistant_id"
				" WHERE a.account_id = ?1 AND a.id = ?2");
	int rc;

	*schedule = NULL;
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, assistant_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		json_t *doc = sq_col_doc(st, 0, NULL), *ex = sq_col_doc(st, 1, NULL);
		if (json_is_object(doc) && json_object_get(doc, "weekly")) {
			*schedule = doc;
		} else {
			*schedule = json_pack("{s:o}", "weekly", json_is_object(doc) ? doc
					      : (json_decref(doc), json_object()));
		}
		if (json_array_size(ex) && !json_object_get(*schedule, "exceptions"))
			json_object_set(*schedule, "exceptions", ex);
		json_decref(ex);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : sq_fail(st, rc, "cannot read office hours");
	}
	sqlite3_finalize(st);
	return rc;
}

int store_office_hours_set(int64_t account_id, int64_t assistant_id, const json_t *schedule)
{
	char *doc = json_dumps(schedule, JSON_COMPACT);
	sqlite3_stmt *st = sq_prep("INSERT INTO office_hours (assistant_id, schedule, exceptions)"
				" SELECT id, ?3, '[]' FROM assistants WHERE account_id = ?1 AND id = ?2"
				" ON CONFLICT (assistant_id) DO UPDATE SET schedule = excluded.schedule,"
				" exceptions = '[]', updated_at = " SQL_NOW);
	int rc = STORE_ERR;

	if (st && doc) {
		sqlite3_bind_int64(st, 1, account_id);
		sqlite3_bind_int64(st, 2, assistant_id);
		sq_text(st, 3, doc);
		rc = sq_run(st, "cannot set office hours");
		st = NULL;
		if (!rc && sqlite3_changes(store_sqlite_db()) == 0)
			rc = STORE_NOTFOUND;
	}
	sqlite3_finalize(st);
	free(doc);
	return rc;
}

/* ---- contacts ------------------------------------------------------------- */

int store_contact_insert(int64_t account_id, const char *name, const char *company,
			 const char *email, const char *source, const json_t *numbers,
			 int64_t *id_out)
{
	int txn = -1;
	sqlite3_stmt *st;
	size_t i;
	json_t *n;
	int rc;

	if ((txn = sq_begin()) < 0)
		return STORE_ERR;
	st = sq_prep("INSERT INTO contacts (account_id, name, company, email, source)"
		  " VALUES (?1, ?2, ?3, ?4, coalesce(?5, 'native'))");
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sq_text(st, 2, name);
	sq_text(st, 3, company);
	sq_text(st, 4, email);
	sq_text(st, 5, source);
	rc = sq_run(st, "cannot insert contact");
	if (rc)
		goto out;
	*id_out = sqlite3_last_insert_rowid(store_sqlite_db());
	json_array_foreach(numbers, i, n) {
		st = sq_prep("INSERT INTO contact_numbers (contact_id, phone_number) VALUES (?1, ?2)");
		if (!st) {
			rc = STORE_ERR;
			goto out;
		}
		sqlite3_bind_int64(st, 1, *id_out);
		sq_text(st, 2, json_string_value(n));
		if ((rc = sq_run(st, "cannot insert contact number")))
			goto out;
	}
out:
	rc = sq_end(txn, rc);
	return rc;
}

static json_t *contacts_query(int64_t account_id, const char *e164)
{
	sqlite3_stmt *st = sq_prep(
		"SELECT c.id, c.name, c.company, c.email, c.source,"
		" (SELECT json_group_array(phone_number) FROM contact_numbers WHERE contact_id = c.id)"
		" FROM contacts c WHERE c.account_id = ?1 AND (?2 IS NULL OR EXISTS"
		" (SELECT 1 FROM contact_numbers n WHERE n.contact_id = c.id AND n.phone_number = ?2))"
		" ORDER BY c.id LIMIT 500");
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	sq_text(st, 2, e164);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
			"id", sq_col(st, 0), "name", sq_col(st, 1), "company", sq_col(st, 2),
			"email", sq_col(st, 3), "source", sq_col(st, 4), "numbers", sq_col_doc(st, 5, NULL)));
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, "cannot search contacts");
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}

json_t *store_contacts_by_number(int64_t account_id, const char *e164)
{
	return contacts_query(account_id, e164);
}

json_t *store_contact_list(int64_t account_id)
{
	return contacts_query(account_id, NULL);
}

/* ---- users ------------------------------------------------------------------- */

int store_user_insert(int64_t account_id, const char *name, const char *extension,
		      const char *phone_number, int dnd, const json_t *schedule,
		      int64_t *id_out)
{
	char *sch = schedule ? json_dumps(schedule, JSON_COMPACT) : NULL;
	sqlite3_stmt *st = sq_prep("INSERT INTO users (account_id, name, extension, phone_number,"
				" dnd, schedule) VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, '{}'))");
	int rc;

	if (!st) {
		free(sch);
		return STORE_ERR;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sq_text(st, 2, name);
	sq_text(st, 3, extension);
	sq_text(st, 4, phone_number);
	sqlite3_bind_int(st, 5, dnd ? 1 : 0);
	sq_text(st, 6, sch);
	rc = sq_run(st, "cannot insert user");
	if (!rc)
		*id_out = sqlite3_last_insert_rowid(store_sqlite_db());
	free(sch);
	return rc;
}

static json_t *users_query(int64_t account_id, int64_t id)
{
	sqlite3_stmt *st = sq_prep("SELECT id, name, extension, phone_number, dnd, schedule"
				" FROM users WHERE account_id = ?1 AND (?2 = 0 OR id = ?2) ORDER BY id");
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:b, s:o}",
			"id", sq_col(st, 0), "name", sq_col(st, 1), "extension", sq_col(st, 2),
			"phone_number", sq_col(st, 3), "dnd", sqlite3_column_int(st, 4),
			"schedule", sq_col_doc(st, 5, NULL)));
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, "cannot read users");
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}

json_t *store_user_get(int64_t account_id, int64_t id)
{
	json_t *arr = id > 0 ? users_query(account_id, id) : NULL;
	json_t *u = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return u;
}

json_t *store_user_list(int64_t account_id)
{
	return users_query(account_id, 0);
}

int store_user_set_dnd(int64_t account_id, int64_t id, int dnd)
{
	sqlite3_stmt *st = sq_prep("UPDATE users SET dnd = ?3 WHERE account_id = ?1 AND id = ?2");
	int rc;
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int(st, 3, dnd ? 1 : 0);
	rc = sq_run(st, "cannot set do-not-disturb");
	return rc ? rc : sqlite3_changes(store_sqlite_db()) ? STORE_OK : STORE_NOTFOUND;
}

/* ---- leads from calls ------------------------------------------------------- */

int store_lead_from_call(int64_t account_id, const struct store_lead_case *lc,
			 int64_t *lead_id, int64_t *case_id, int *existing)
{
	int txn = -1;
	sqlite3_stmt *st;
	int rc;

	*existing = 0;
	if ((txn = sq_begin()) < 0)
		return STORE_ERR;
	st = sq_prep("SELECT id FROM leads WHERE account_id = ?1 AND phone_number = ?2"
		  " ORDER BY id LIMIT 1");
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sq_text(st, 2, lc->phone_number);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*lead_id = sqlite3_column_int64(st, 0);
		*existing = 1;
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_OK : sq_fail(st, rc, "cannot look up lead");
	}
	sqlite3_finalize(st);
	if (rc)
		goto out;
	if (!*existing) {
		st = sq_prep("INSERT INTO leads (account_id, campaign_id, phone_number, name, variables)"
			  " VALUES (?1, NULL, ?2, ?3, json_object('source', 'call'))");
		if (!st) {
			rc = STORE_ERR;
			goto out;
		}
		sqlite3_bind_int64(st, 1, account_id);
		sq_text(st, 2, lc->phone_number);
		sq_text(st, 3, lc->name);
		if ((rc = sq_run(st, "cannot create lead")))
			goto out;
		*lead_id = sqlite3_last_insert_rowid(store_sqlite_db());
	}
	st = sq_prep("INSERT INTO cases (account_id, lead_id, call_id, intent, classification,"
		  " summary, notes) VALUES (?1, ?2, ?3, ?4, coalesce(?5, 'lead'), ?6, ?7)");
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, *lead_id);
	if (lc->call_id)
		sqlite3_bind_int64(st, 3, lc->call_id);
	else
		sqlite3_bind_null(st, 3);
	sq_text(st, 4, lc->intent);
	sq_text(st, 5, lc->classification);
	sq_text(st, 6, lc->summary);
	sq_text(st, 7, lc->notes);
	if ((rc = sq_run(st, "cannot create case")))
		goto out;
	*case_id = sqlite3_last_insert_rowid(store_sqlite_db());
out:
	rc = sq_end(txn, rc);
	return rc;
}

/* ---- decision log ----------------------------------------------------------- */

int store_action_claim(int64_t call_id, const char *tool, const char *key,
		       const char *args_json, double window_s, int64_t *action_id,
		       json_t **result)
{
	sqlite3_stmt *st;
	int rc, tries;

	*result = NULL;
	for (tries = 0; tries < 2; tries++) {
		st = sq_prep("INSERT INTO call_actions (call_id, tool, args, idempotency_key)"
			  " VALUES (?1, ?2, ?3, ?4)");
		if (!st)
			return STORE_ERR;
		sqlite3_bind_int64(st, 1, call_id);
		sq_text(st, 2, tool);
		sq_text(st, 3, args_json ? args_json : "{}");
		sq_text(st, 4, key);
		rc = sq_run(st, "cannot log in-call action");
		if (rc == STORE_OK) {
			*action_id = sqlite3_last_insert_rowid(store_sqlite_db());
			return STORE_OK;
		}
		if (rc != STORE_CONFLICT)
			return rc;
		/* the same key exists: replay, wait, or retire it when stale */
		st = sq_prep("SELECT id, result, outcome, ((julianday('now') - 2440587.5) * 86400.0)"
			  " - created_ts FROM call_actions WHERE call_id = ?1 AND idempotency_key = ?2");
		if (!st)
			return STORE_ERR;
		sqlite3_bind_int64(st, 1, call_id);
		sq_text(st, 2, key);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			rc = rc == SQLITE_DONE ? STORE_OK : sq_fail(st, rc, "cannot read in-call action");
			sqlite3_finalize(st);
			if (rc)
				return rc;
			continue;	/* vanished: claim again */
		}
		int64_t old = sqlite3_column_int64(st, 0);
		int finished = sqlite3_column_type(st, 2) != SQLITE_NULL;
		double age = sqlite3_column_double(st, 3);
		if (finished && age <= window_s) {
			*result = sq_col_doc(st, 1, NULL);
			sqlite3_finalize(st);
			return 1;
		}
		sqlite3_finalize(st);
		if (!finished && age <= window_s)
			return STORE_CONFLICT;
		/* stale: keep the row in the log, free the key */
		st = sq_prep("UPDATE call_actions SET idempotency_key = idempotency_key || ':' || id"
			  " WHERE id = ?1");
		if (!st)
			return STORE_ERR;
		sqlite3_bind_int64(st, 1, old);
		if ((rc = sq_run(st, "cannot retire in-call action key")))
			return rc;
	}
	return STORE_CONFLICT;
}

int store_action_finish(int64_t action_id, int upstream_status, double latency_ms,
			const char *outcome, const char *summary, const json_t *result)
{
	char *r = result ? json_dumps(result, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
	sqlite3_stmt *st = sq_prep("UPDATE call_actions SET upstream_status = ?2, latency_ms = ?3,"
				" outcome = ?4, result_summary = ?5, result = ?6 WHERE id = ?1");
	int rc;

	if (!st) {
		free(r);
		return STORE_ERR;
	}
	sqlite3_bind_int64(st, 1, action_id);
	if (upstream_status)
		sqlite3_bind_int(st, 2, upstream_status);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_double(st, 3, latency_ms);
	sq_text(st, 4, outcome);
	sq_text(st, 5, summary);
	sq_text(st, 6, r);
	rc = sq_run(st, "cannot finish in-call action");
	free(r);
	return rc;
}

json_t *store_action_list(int64_t account_id, int64_t call_id)
{
	sqlite3_stmt *st = sq_prep(
		"SELECT x.id, x.tool, x.args, x.upstream_status, x.latency_ms, x.outcome,"
		" x.result_summary, x.created_at FROM call_actions x JOIN calls c ON c.id = x.call_id"
		" WHERE c.account_id = ?1 AND c.id = ?2 ORDER BY x.id");
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, call_id);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			"id", sq_col(st, 0), "tool", sq_col(st, 1), "arguments", sq_col_doc(st, 2, NULL),
			"upstream_status", sq_col(st, 3), "latency_ms", sq_col(st, 4),
			"outcome", sq_col(st, 5), "result_summary", sq_col(st, 6),
			"created_at", sq_col(st, 7)));
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, "cannot list in-call actions");
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}

/* ---- custom tools and live calls --------------------------------------------- */

json_t *store_assistant_midtools(int64_t account_id, int64_t assistant_id)
{
	sqlite3_stmt *st = sq_prep(
		"SELECT t.id, t.name, t.description, t.endpoint, t.method, t.timeout,"
		" t.headers, t.schema, t.settings FROM mid_call_tools t"
		" JOIN assistant_tools at ON at.tool_id = t.id"
		" JOIN assistants a ON a.id = at.assistant_id"
		" WHERE a.account_id = ?1 AND a.id = ?2 AND t.account_id = ?1 ORDER BY t.id");
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, assistant_id);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			"id", sq_col(st, 0), "name", sq_col(st, 1), "description", sq_col(st, 2),
			"endpoint", sq_col(st, 3), "method", sq_col(st, 4), "timeout", sq_col(st, 5),
			"headers", sq_col_doc(st, 6, NULL), "schema", sq_col_doc(st, 7, NULL),
			"settings", sq_col_doc(st, 8, NULL)));
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, "cannot list an assistant's tools");
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}

int store_call_start_live(int64_t account_id, int64_t assistant_id, const char *type,
			  const char *from_number, const char *to_number, int64_t *id_out)
{
	struct store_call_new c = { 0 };
	sqlite3_stmt *st;
	int rc;

	c.assistant_id = assistant_id;
	c.type = type;
	c.from_number = from_number;
	c.to_number = to_number;
	rc = store_call_insert(account_id, &c, id_out);
	if (rc)
		return rc;
	st = sq_prep("UPDATE calls SET status = 'in-progress', started_at = " SQL_NOW
		  ", answered_at = " SQL_NOW " WHERE id = ?1");
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, *id_out);
	return sq_run(st, "cannot start live call");
}
