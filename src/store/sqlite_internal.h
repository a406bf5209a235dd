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

#endif
