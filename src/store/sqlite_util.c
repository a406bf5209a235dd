/* sqlite_util.c - helpers the per-use-statement backend files share
 * (see sqlite_internal.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "store/store.h"
#include "store/sqlite_internal.h"

sqlite3_stmt *sq_prep(const char *sql)
{
	sqlite3 *db = store_sqlite_db();
	sqlite3_stmt *st = NULL;

	if (!db)
		return NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "store: cannot prepare '%.60s...': %s\n", sql, sqlite3_errmsg(db));
		return NULL;
	}
	return st;
}

void sq_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int sq_fail(sqlite3_stmt *st, int rc, const char *what)
{
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
			? STORE_CONFLICT : STORE_INVALID;
	fprintf(stderr, "store: %s: %s\n", what, sqlite3_errmsg(sqlite3_db_handle(st)));
	return STORE_ERR;
}

int sq_run(sqlite3_stmt *st, const char *what)
{
	int rc;
	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : sq_fail(st, rc, what);
	sqlite3_finalize(st);
	return rc;
}

int sq_changed(int rc)
{
	return rc ? rc : sqlite3_changes(store_sqlite_db()) ? STORE_OK : STORE_NOTFOUND;
}

int sq_exec(const char *sql)
{
	sqlite3 *db = store_sqlite_db();
	char *err = NULL;
	if (!db || sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		if (err) {
			fprintf(stderr, "store: %s: %s\n", sql, err);
			sqlite3_free(err);
		}
		return STORE_ERR;
	}
	return STORE_OK;
}

json_t *sq_col(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, i));
	case SQLITE_NULL: return json_null();
	default: return json_string((const char *)sqlite3_column_text(st, i));
	}
}

json_t *sq_col_doc(sqlite3_stmt *st, int i, const char *dflt)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	json_t *j = t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;
	if (j)
		return j;
	j = dflt ? json_loads(dflt, JSON_DECODE_ANY, NULL) : NULL;
	return j ? j : json_null();
}

void sq_col_copy(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	snprintf(out, n, "%s", t ? t : "");
}

int sq_begin(void)
{
	sqlite3 *db = store_sqlite_db();
	int nested;

	if (!db)
		return -1;
	nested = !sqlite3_get_autocommit(db);
	if (sq_exec(nested ? "SAVEPOINT sq_tx" : "BEGIN IMMEDIATE"))
		return -1;
	return nested;
}

int sq_end(int nested, int rc)
{
	if (nested) {
		if (rc)
			sq_exec("ROLLBACK TO sq_tx");
		sq_exec("RELEASE sq_tx");
		return rc;
	}
	if (!rc && sq_exec("COMMIT"))
		rc = STORE_ERR;
	if (rc && !sqlite3_get_autocommit(store_sqlite_db()))
		sq_exec("ROLLBACK");
	return rc;
}

int sq_one_text(sqlite3_stmt *st, const char *what, int ncols, ...)
{
	va_list ap;
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		va_start(ap, ncols);
		for (int i = 0; i < ncols; i++) {
			char *out = va_arg(ap, char *);
			size_t n = va_arg(ap, size_t);
			sq_col_copy(st, i, out, n);
		}
		va_end(ap);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : sq_fail(st, rc, what);
	}
	sqlite3_finalize(st);
	return rc;
}
