/* sqlite_contacts.c - external contact sources of an account (see store.h,
 * "contact sources"). */
#include <stdio.h>
#include <string.h>
#include "store/store.h"
#include "store/sqlite_internal.h"

int store_contact_source_add(int64_t account_id, const char *kind, const char *url,
			     const char *username, const char *password_sealed,
			     int64_t *id_out)
{
	sqlite3_stmt *st = sq_prep("INSERT INTO contact_sources (account_id, kind, url, username,"
				   " password) VALUES (?1, ?2, ?3, ?4, ?5)");
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sq_text(st, 2, kind);
	sq_text(st, 3, url);
	sq_text(st, 4, username);
	sq_text(st, 5, password_sealed);
	rc = sq_run(st, "cannot add the contact source");
	if (!rc && id_out)
		*id_out = sqlite3_last_insert_rowid(store_sqlite_db());
	return rc;
}

json_t *store_contact_source_list(int64_t account_id, int enabled_only)
{
	sqlite3_stmt *st = sq_prep("SELECT id, kind, url, username, password, enabled, created_at"
		" FROM contact_sources WHERE account_id = ?1 AND (?2 = 0 OR enabled = 1)"
		" ORDER BY id LIMIT 64");
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int(st, 2, enabled_only);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:b, s:o}",
			"id", sq_col(st, 0), "kind", sq_col(st, 1), "url", sq_col(st, 2),
			"username", sq_col(st, 3), "password", sq_col(st, 4),
			"enabled", sqlite3_column_int(st, 5) != 0, "created_at", sq_col(st, 6)));
	if (rc != SQLITE_DONE) {
		sq_fail(st, rc, "cannot list contact sources");
		json_decref(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	return arr;
}

int store_contact_source_delete(int64_t account_id, int64_t id)
{
	sqlite3_stmt *st = sq_prep("DELETE FROM contact_sources WHERE id = ?1 AND account_id = ?2");
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, account_id);
	return sq_changed(sq_run(st, "cannot remove the contact source"));
}
