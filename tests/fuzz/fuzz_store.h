/*
 * fuzz_store.h - the store a store-backed fuzz target starts from: a fresh
 * SQLite file in /tmp named after the target and the process, migrated,
 * with the catalogs and the demo account seeded, and optionally a live
 * inbound call on the demo account's first assistant. Included by one
 * target each (static functions); the target's own cleanup calls
 * fuzz_store_remove() at exit.
 */
#ifndef FUZZ_STORE_H
#define FUZZ_STORE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <jansson.h>
#include "base/util.h"
#include "store/store.h"

static char fuzz_db_path[96];

/* The demo account's id; aborts when the store cannot be set up. With
 * asst and call, also the first assistant and a live call on it. */
static int64_t fuzz_store_open(const char *target, int64_t *asst, int64_t *call)
{
	char err[256] = "";
	int from, to;
	int64_t acc = 0;

	if (util_init())
		abort();
	snprintf(fuzz_db_path, sizeof(fuzz_db_path), "/tmp/sb-fuzz-%s-%d.db", target, (int)getpid());
	unlink(fuzz_db_path);
	if (store_open(fuzz_db_path, err, sizeof(err)) || store_migrate(&from, &to) ||
	    store_seed_catalogs() || store_seed_demo(&acc) || !acc) {
		fprintf(stderr, "fuzz_%s: cannot set up '%s': %s\n", target, fuzz_db_path, err);
		abort();
	}
	if (asst && call) {
		json_t *page = store_assistant_page(acc, 1, 1, NULL);
		*asst = json_integer_value(json_object_get(json_array_get(page, 0), "id"));
		json_decref(page);
		if (!*asst || store_call_start_live(acc, *asst, "inbound", "+4930111222", NULL, call))
			abort();
	}
	return acc;
}

/* The database file and its WAL files, gone. */
static void fuzz_store_remove(void)
{
	char p[128];

	store_thread_release();
	unlink(fuzz_db_path);
	snprintf(p, sizeof(p), "%s-wal", fuzz_db_path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", fuzz_db_path);
	unlink(p);
}

#endif
