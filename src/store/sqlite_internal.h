/*
 * sqlite_internal.h - what the SQLite backend's files share. Not part of
 * the store interface: only src/store/sqlite*.c include it.
 */
#ifndef STORE_SQLITE_INTERNAL_H
#define STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

/* Current UTC time as "2024-05-01T12:00:00.123000Z". 'now' is fixed for the
 * whole statement, so the two strftime() calls agree. */
#define SQL_NOW "(strftime('%Y-%m-%dT%H:%M:%S','now') || " \
	"substr(strftime('%f','now'), 3) || '000Z')"

/* This thread's connection (opened on first use); NULL when unavailable. */
sqlite3 *store_sqlite_db(void);

/*
 * Helpers for the backend files that prepare their statements per use
 * (sqlite_incall.c, sqlite_brain.c, sqlite_voice.c), in sqlite_util.c.
 * sq_run steps a statement that returns no rows and finalizes it;
 * sq_fail maps a failed step to STORE_CONFLICT / STORE_INVALID for
 * constraint violations, else logs and answers STORE_ERR.
 */
#include <jansson.h>

sqlite3_stmt *sq_prep(const char *sql);
void sq_text(sqlite3_stmt *st, int i, const char *s);
int sq_fail(sqlite3_stmt *st, int rc, const char *what);
int sq_run(sqlite3_stmt *st, const char *what);
/* STORE_NOTFOUND when rc is STORE_OK but the last statement changed no row */
int sq_changed(int rc);
int sq_exec(const char *sql);
json_t *sq_col(sqlite3_stmt *st, int i);
/* a JSON text column parsed; dflt (JSON text) when NULL or unparsable,
 * JSON null when dflt is NULL */
json_t *sq_col_doc(sqlite3_stmt *st, int i, const char *dflt);
void sq_col_copy(sqlite3_stmt *st, int i, char *out, size_t n);
/* Step a bound statement for one row and copy its first ncols columns as
 * text, each into the next (char *out, size_t size) pair of the arguments;
 * finalizes. STORE_OK, STORE_NOTFOUND (no row), or sq_fail's answer. */
int sq_one_text(sqlite3_stmt *st, const char *what, int ncols, ...);
/* A write transaction taken at its start: BEGIN IMMEDIATE waits for the
 * busy timeout, where a deferred one that reads first cannot become a
 * writer once another connection committed meanwhile ("database is
 * locked" at once). Inside the caller's transaction: a savepoint. Returns
 * whether it is nested, -1 on error; sq_end commits when rc is 0, else
 * rolls back, and returns rc (STORE_ERR when the commit failed). */
int sq_begin(void);
int sq_end(int nested, int rc);

#endif
