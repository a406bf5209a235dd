/* fixture.c - a throw-away store for the unit tests. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "mcp/auth.h"
#include "fixture.h"
#include "store/store.h"
#include "base/util.h"

static char path[64];

static void cleanup(void)
{
	char p[80];
	store_thread_release();
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

int fixture_store(void)
{
	char err[256];
	int from, to;

	if (path[0])
		return 0;
	util_init();
	snprintf(path, sizeof(path), "/tmp/sb-unit-%d.db", (int)getpid());
	unlink(path);
	if (store_open(path, err, sizeof(err)) || store_migrate(&from, &to) ||
	    store_seed_catalogs()) {
		fprintf(stderr, "fixture: %s\n", err);
		return -1;
	}
	atexit(cleanup);
	return 0;
}

long long fixture_account(const char *name, unsigned scopes, char *key)
{
	int64_t id;
	char prefix[24];
	if (fixture_store() || store_account_create(name, "UTC", 5000000, &id) ||
	    auth_key_create(id, scopes, "unit", key, prefix))
		return -1;
	return id;
}
