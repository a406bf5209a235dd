/*
 * database.h - the database file a command works on: where it is, opening
 * it (with the sealed-secret key beside it), and `switchboard migrate`.
 *
 * The path comes from --db, then SWITCHBOARD_DB, then data/switchboard.db.
 * Every function here runs on the command's one thread (the store connection
 * is thread-local); errors are logged or printed, the return says 0 or -1.
 */
#ifndef CLI_DATABASE_H
#define CLI_DATABASE_H

#include <stddef.h>

struct cmdline_args;

/* --db (flag may be NULL), else SWITCHBOARD_DB, else data/switchboard.db. */
const char *database_path(const char *flag);

/* The directory of the database file into out ("." for a bare name). */
const char *database_dir(const char *path, char *out, size_t outlen);

/* For serve, stdio and the provisioning commands: open and migrate the
 * database, key the sealed secrets with the file beside it, seed the
 * catalogs, and log which file it is. Only a command that may create the
 * database (DATABASE_CREATE: migrate, account create, serve --demo or
 * --conformance) makes a missing file (and its directory, one level); the
 * others refuse a missing file saying where they looked and how to make
 * one, so a command run from another folder never answers from a new empty
 * database. 0, or -1 with the reason logged or printed. */
enum database_mode { DATABASE_EXISTING, DATABASE_CREATE };
int database_open(const char *path, enum database_mode mode);

/* For the in-call data commands: open the database as it is (no directory,
 * no migration), key the sealed secrets beside it. 0, or -1 with a message
 * on stderr. */
int database_open_existing(const char *path);

/* switchboard migrate [--db PATH] */
int database_cmd_migrate(const struct cmdline_args *a);

#endif
