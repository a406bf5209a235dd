/*
 * sqlite_brain.c - the assistant brain's part of the SQLite store: model
 * providers of the catalog, chat conversations on their web calls, and the
 * post-call results (see store.h). Statements are prepared per use, as in
 * sqlite_incall.c: these run once per message or call, not per request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store.h"
#include "store/sqlite_internal.h"

#define UNIX_NOW "((julianday('now') - 2440587.5) * 86400.0)"









/* ---- models ---------------------------------------------------------------- */

int store_model_get(const char *name, struct store_model *out)
{
	sqlite3_stmt *st = sq_prep("SELECT id, name, provider, coalesce(base_url, ''),"
				" coalesce(api_key, '') FROM models WHERE name = ?1");
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return STORE_ERR;
	sq_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		sq_col_copy(st, 1, out->name, sizeof(out->name));
		sq_col_copy(st, 2, out->provider, sizeof(out->provider));
		sq_col_copy(st, 3, out->base_url, sizeof(out->base_url));
		sq_col_copy(st, 4, out->api_key, sizeof(out->api_key));
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : sq_fail(st, rc, "cannot read model");
	}
	sqlite3_finalize(st);
	return rc;
}

int store_model_upsert(const char *name, const char *provider, const char *base_url,
		       const char *api_key_sealed, const char *description)
{
	sqlite3_stmt *st = sq_prep(
		"INSERT INTO models (name, provider, base_url, api_key, description)"
		" VALUES (?1, coalesce(?2, 'openai-compatible'), ?3, ?4, ?5)"
		" ON CONFLICT (name) DO UPDATE SET provider = coalesce(?2, provider),"
		" base_url = coalesce(?3, base_url), api_key = coalesce(?4, api_key),"
		" description = coalesce(?5, description)");
	if (!st)
		return STORE_ERR;
	sq_text(st, 1, name);
	sq_text(st, 2, provider);
	sq_text(st, 3, base_url);
	sq_text(st, 4, api_key_sealed);
	sq_text(st, 5, description);
	return sq_run(st, "cannot save model");
}

int store_model_delete(const char *name)
{
	sqlite3_stmt *st = sq_prep("DELETE FROM models WHERE name = ?1");
	if (!st)
		return STORE_ERR;
	sq_text(st, 1, name);
	return sq_changed(sq_run(st, "cannot delete model"));
}

/* ---- conversations ------------------------------------------------------------ */

int store_conversation_create(int64_t account_id, int64_t assistant_id, const char *type,
			      const json_t *variables, const char *uuid, int64_t *id_out,
			      int64_t *call_id_out)
{
	int txn = -1;
	char *vars = variables ? json_dumps(variables, JSON_COMPACT) : strdup("{}");
	struct store_call_new c = { 0 };
	sqlite3_stmt *st;
	int rc;

	if (!vars)
		return STORE_ERR;
	if ((txn = sq_begin()) < 0) {
		free(vars);
		return STORE_ERR;
	}
	c.assistant_id = assistant_id;
	c.type = "web";
	c.variables = variables;
	rc = store_call_insert(account_id, &c, call_id_out);
	if (rc)
		goto out;
	st = sq_prep("UPDATE calls SET status = 'in-progress', started_at = " SQL_NOW
		  ", answered_at = " SQL_NOW ", answered_by = 'human' WHERE id = ?1");
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, *call_id_out);
	if ((rc = sq_run(st, "cannot start the conversation's call")))
		goto out;
	st = sq_prep("INSERT INTO conversations (uuid, account_id, assistant_id, type, variables,"
		  " call_id) SELECT ?1, ?2, id, ?4, ?5, ?6 FROM assistants"
		  " WHERE id = ?3 AND account_id = ?2");
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sq_text(st, 1, uuid);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_int64(st, 3, assistant_id);
	sq_text(st, 4, type);
	sq_text(st, 5, vars);
	sqlite3_bind_int64(st, 6, *call_id_out);
	rc = sq_changed(sq_run(st, "cannot create conversation"));
	if (rc == STORE_NOTFOUND)
		rc = STORE_INVALID;	/* not the account's assistant */
	if (!rc)
		*id_out = sqlite3_last_insert_rowid(store_sqlite_db());
out:
	rc = sq_end(txn, rc);
	free(vars);
	return rc;
}

#define CONV_COLS "SELECT id, account_id, coalesce(assistant_id, 0), coalesce(call_id, 0)," \
	" uuid, type, status, coalesce(end_reason, ''), cost_micros, " UNIX_NOW " - last_active," \
	" created_at FROM conversations "

static int conv_one(sqlite3_stmt *st, struct store_conversation *out)
{
	int rc = sqlite3_step(st);

	memset(out, 0, sizeof(*out));
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->account_id = sqlite3_column_int64(st, 1);
		out->assistant_id = sqlite3_column_int64(st, 2);
		out->call_id = sqlite3_column_int64(st, 3);
		sq_col_copy(st, 4, out->uuid, sizeof(out->uuid));
		sq_col_copy(st, 5, out->type, sizeof(out->type));
		sq_col_copy(st, 6, out->status, sizeof(out->status));
		sq_col_copy(st, 7, out->end_reason, sizeof(out->end_reason));
		out->cost_micros = sqlite3_column_int64(st, 8);
		out->idle_s = sqlite3_column_double(st, 9);
		sq_col_copy(st, 10, out->created_at, sizeof(out->created_at));
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : sq_fail(st, rc, "cannot read conversation");
	}
	sqlite3_finalize(st);
	return rc;
}

int store_conversation_get(int64_t account_id, const char *uuid, struct store_conversation *out)
{
	sqlite3_stmt *st = sq_prep(CONV_COLS "WHERE account_id = ?1 AND uuid = ?2");
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sq_text(st, 2, uuid);
	return conv_one(st, out);
}

int store_conversation_by_call(int64_t call_id, struct store_conversation *out)
{
	sqlite3_stmt *st = sq_prep(CONV_COLS "WHERE call_id = ?1");
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, call_id);
	return conv_one(st, out);
}

json_t *store_conversation_messages(int64_t conversation_id)
{
	sqlite3_stmt *st = sq_prep("SELECT role, content, function_calls FROM conversation_messages"
				" WHERE conversation_id = ?1 AND role IN ('user','assistant')"
				" ORDER BY id LIMIT 2000");
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, conversation_id);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:o}",
			"role", (const char *)sqlite3_column_text(st, 0),
			"content", (const char *)sqlite3_column_text(st, 1),
			"function_calls", sq_col_doc(st, 2, "[]")));
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, "cannot read conversation messages");
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}

int store_conversation_message_add(int64_t conversation_id, const char *role,
				   const char *content, const json_t *function_calls)
{
	char *fc = function_calls ? json_dumps(function_calls, JSON_COMPACT | JSON_REAL_PRECISION(17))
		: NULL;
	sqlite3_stmt *st = sq_prep("INSERT INTO conversation_messages (conversation_id, role, content,"
				" function_calls) VALUES (?1, ?2, ?3, coalesce(?4, '[]'))");
	int rc;

	if (!st) {
		free(fc);
		return STORE_ERR;
	}
	sqlite3_bind_int64(st, 1, conversation_id);
	sq_text(st, 2, role);
	sq_text(st, 3, content ? content : "");
	sq_text(st, 4, fc);
	rc = sq_run(st, "cannot add conversation message");
	free(fc);
	return rc ? rc : store_conversation_touch(conversation_id);
}

char *store_conversation_summary(int64_t conversation_id)
{
	sqlite3_stmt *st = sq_prep("SELECT summary FROM conversations WHERE id = ?1");
	char *out = NULL;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, conversation_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

int store_conversation_end(int64_t conversation_id, const char *call_status,
			   const char *reason, int64_t *call_id_out)
{
	int txn = -1;
	sqlite3_stmt *st;
	int64_t call_id = 0;
	int rc;

	if ((txn = sq_begin()) < 0)
		return STORE_ERR;
	st = sq_prep("UPDATE conversations SET status = 'ended', end_reason = ?2, ended_at = "
		  SQL_NOW ", updated_at = " SQL_NOW " WHERE id = ?1 AND status = 'active'"
		  " RETURNING coalesce(call_id, 0)");
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, conversation_id);
	sq_text(st, 2, reason);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		call_id = sqlite3_column_int64(st, 0);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : sq_fail(st, rc, "cannot end conversation");
	}
	sqlite3_finalize(st);
	if (!rc && call_id) {
		int r = store_call_set_status(call_id, call_status, reason);
		if (r && r != STORE_NOTFOUND)	/* already ended (hang-up): fine */
			rc = r;
	}
out:
	if (call_id_out)
		*call_id_out = rc ? 0 : call_id;
	rc = sq_end(txn, rc);
	return rc;
}

int store_conversation_touch(int64_t conversation_id)
{
	sqlite3_stmt *st = sq_prep("UPDATE conversations SET last_active = " UNIX_NOW ","
				" updated_at = " SQL_NOW " WHERE id = ?1");
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, conversation_id);
	return sq_run(st, "cannot touch conversation");
}

int store_conversation_charge(int64_t account_id, int64_t conversation_id, int64_t micros)
{
	int txn = -1;
	sqlite3_stmt *st;
	int rc;

	if ((txn = sq_begin()) < 0)
		return STORE_ERR;
	st = sq_prep("UPDATE accounts SET balance_micros = balance_micros - ?2,"
		  " updated_at = " SQL_NOW " WHERE id = ?1 AND (?2 <= 0 OR balance_micros >= ?2)");
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, micros);
	rc = sq_changed(sq_run(st, "cannot charge the balance"));
	if (rc == STORE_NOTFOUND) {
		rc = STORE_FUNDS;
		goto out;
	}
	if (rc)
		goto out;
	st = sq_prep("UPDATE conversations SET cost_micros = cost_micros + ?3, last_active = "
		  UNIX_NOW ", updated_at = " SQL_NOW " WHERE id = ?1 AND account_id = ?2");
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, conversation_id);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_int64(st, 3, micros);
	if ((rc = sq_changed(sq_run(st, "cannot charge the conversation"))))
		goto out;
	/* the web call carries the cost too: usage and get_call see it */
	st = sq_prep("UPDATE calls SET total_cost_micros = total_cost_micros + ?2, updated_at = "
		  SQL_NOW " WHERE id = (SELECT call_id FROM conversations WHERE id = ?1)");
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, conversation_id);
	sqlite3_bind_int64(st, 2, micros);
	rc = sq_run(st, "cannot charge the conversation's call");
out:
	rc = sq_end(txn, rc);
	return rc;
}

json_t *store_conversations_idle(double idle_s, int limit)
{
	sqlite3_stmt *st = sq_prep("SELECT id, account_id, coalesce(call_id, 0) FROM conversations"
				" WHERE status = 'active' AND last_active < " UNIX_NOW " - ?1"
				" ORDER BY last_active LIMIT ?2");
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_double(st, 1, idle_s);
	sqlite3_bind_int(st, 2, limit);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:I, s:I}",
			"id", (json_int_t)sqlite3_column_int64(st, 0),
			"account_id", (json_int_t)sqlite3_column_int64(st, 1),
			"call_id", (json_int_t)sqlite3_column_int64(st, 2)));
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, "cannot list idle conversations");
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}

/* ---- post-call results ------------------------------------------------------------ */

int store_call_outcome_set(int64_t call_id, const json_t *evaluation,
			   const json_t *extracted, const char *summary)
{
	int txn = -1;
	char *ev = evaluation ? json_dumps(evaluation, JSON_COMPACT | JSON_REAL_PRECISION(17))
		: strdup("[]");
	char *ex = extracted ? json_dumps(extracted, JSON_COMPACT | JSON_REAL_PRECISION(17))
		: strdup("{}");
	sqlite3_stmt *st = NULL;
	int rc = STORE_ERR;

	if (!ev || !ex || (txn = sq_begin()) < 0)
		goto done;
	st = sq_prep("UPDATE calls SET evaluation = ?2, extracted_variables = ?3, summary = ?4,"
		  " evaluated_at = " SQL_NOW ", updated_at = " SQL_NOW " WHERE id = ?1");
	if (!st)
		goto out;
	sqlite3_bind_int64(st, 1, call_id);
	sq_text(st, 2, ev);
	sq_text(st, 3, ex);
	sq_text(st, 4, summary);
	if ((rc = sq_changed(sq_run(st, "cannot store the post-call results"))))
		goto out;
	st = sq_prep("UPDATE conversations SET summary = ?2, updated_at = " SQL_NOW
		  " WHERE call_id = ?1");
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, call_id);
	sq_text(st, 2, summary);
	rc = sq_run(st, "cannot store the conversation summary");
out:
	rc = sq_end(txn, rc);
done:
	free(ev);
	free(ex);
	return rc;
}

json_t *store_call_outcome_get(int64_t account_id, int64_t call_id)
{
	sqlite3_stmt *st = sq_prep("SELECT summary, evaluation, extracted_variables, evaluated_at"
				" FROM calls WHERE account_id = ?1 AND id = ?2");
	json_t *o = NULL;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, call_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *sum = (const char *)sqlite3_column_text(st, 0);
		const char *at = (const char *)sqlite3_column_text(st, 3);
		o = json_pack("{s:o, s:o, s:o, s:o}",
			"summary", sum ? json_string(sum) : json_null(),
			"evaluation", sq_col_doc(st, 1, "[]"),
			"extracted_variables", sq_col_doc(st, 2, "{}"),
			"evaluated_at", at ? json_string(at) : json_null());
	}
	sqlite3_finalize(st);
	return o;
}

json_t *store_call_dialogue(int64_t call_id)
{
	struct store_conversation c;
	sqlite3_stmt *st;
	json_t *arr;
	int rc;

	if (store_conversation_by_call(call_id, &c) == STORE_OK) {
		json_t *msgs = store_conversation_messages(c.id), *m;
		size_t i;
		if (!msgs)
			return NULL;
		arr = json_array();
		json_array_foreach(msgs, i, m)
			json_array_append_new(arr, json_pack("{s:O, s:O}", "role",
				json_object_get(m, "role"), "content", json_object_get(m, "content")));
		json_decref(msgs);
		return arr;
	}
	st = sq_prep("SELECT CASE sender WHEN 'bot' THEN 'assistant' ELSE 'user' END, text"
		  " FROM call_transcripts WHERE call_id = ?1 ORDER BY seq LIMIT 5000");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, call_id);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:s, s:s}",
			"role", (const char *)sqlite3_column_text(st, 0),
			"content", (const char *)sqlite3_column_text(st, 1)));
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, "cannot read the transcript");
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}
