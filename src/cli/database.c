/* database.c - which database a command opens, and how (see database.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/database.h"
#include "cli/cmdline.h"
#include "base/log.h"
#include "base/secret.h"
#include "store/store.h"

const char *database_path(const char *flag)
{
	const char *e = getenv("SWITCHBOARD_DB");
	return flag ? flag : e && *e ? e : "data/switchboard.db";
}

const char *database_dir(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');
	snprintf(out, outlen, "%.*s", slash ? (int)(slash - path) : 1,
		 slash ? (slash == path ? "/" : path) : ".");
	return out;
}

/* Make the directory of `path` if it is missing (one level, like ./data). */
static void ensure_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[1024];
	if (!slash || slash == path || (size_t)(slash - path) >= sizeof(dir))
		return;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (mkdir(dir, 0700) && errno != EEXIST)
		log_warn("cannot create directory '%s': %s", dir, strerror(errno));
}

int database_open(const char *path, enum database_mode mode)
{
	char err[256], dir[1024], abs[PATH_MAX];
	struct stat st;
	int from, to;

	if (mode == DATABASE_EXISTING && stat(path, &st) && errno == ENOENT) {
		fprintf(stderr, "switchboard: no database at '%s': give --db PATH or set "
			"SWITCHBOARD_DB (the default is data/switchboard.db in the working "
			"directory), or make one with 'switchboard migrate --db %s'\n", path, path);
		return -1;
	}
	ensure_dir(path);
	/* sealed secrets keep their key next to the database */
	secret_init(database_dir(path, dir, sizeof(dir)));
	if (store_open(path, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	if (store_migrate(&from, &to)) {
		log_error("cannot migrate database '%s'", path);
		return -1;
	}
	if (from != to)
		log_info("store: migrated '%s' from version %d to %d", path, from, to);
	log_info("store: database '%s'", realpath(path, abs) ? abs : path);
	return store_seed_catalogs();
}

int database_open_existing(const char *path)
{
	char err[256], dir[1024];

	if (store_open(path, err, sizeof(err))) {
		fprintf(stderr, "switchboard: %s\n", err);
		return -1;
	}
	/* sealed secrets (source passwords, the webhook secret) keep their key
	 * next to the database, as for `serve` */
	secret_init(database_dir(path, dir, sizeof(dir)));
	return 0;
}

int database_cmd_migrate(const struct cmdline_args *a)
{
	const char *db = database_path(cmdline_get(a, "db"));
	char err[256] = "";
	int from, to;

	ensure_dir(db);
	if (store_open(db, err, sizeof(err)) || store_migrate(&from, &to)) {
		log_error("migration failed: %s", err);
		return 1;
	}
	printf("schema version %d (was %d)\n", to, from);
	return 0;
}
