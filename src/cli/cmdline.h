/*
 * cmdline.h - the grammar of the switchboard command line: one row per
 * command, one option parser and the help text, both derived from the rows.
 *
 * A command is a row (struct cmdline_cmd): its words ("key" "create", or
 * "contact" "source add"), a one-line summary, its options, its positional
 * arguments and its handler. The table itself lives in commands.c; this
 * module knows nothing about what the commands do, so it is unit-tested on
 * tables of its own.
 *
 * Parsing (cmdline_parse) follows getopt_long's habits, so every command line
 * that worked before still works: options and positional arguments in any
 * order, `--opt VALUE` or `--opt=VALUE`, a unique prefix of a long option
 * name, the last of a repeated option wins, `--` ends the options, `-h` and
 * `--help` ask for help. Unlike the old per-command getopt loops it refuses
 * an unknown option, a missing value, a value given to a flag, a missing
 * required option and a wrong number of positional arguments, each with one
 * message that names the command.
 *
 * Ownership: rows are static; a struct cmdline_args borrows the argv strings
 * it points to and owns nothing (no release needed).
 */
#ifndef CMDLINE_H
#define CMDLINE_H

#include <stddef.h>
#include <stdio.h>

#define CMDLINE_MAX_OPTS 24   /* options of one row, --help not counted */
#define CMDLINE_MAX_POS 4     /* positional arguments of one row */

/* ---- the rows ------------------------------------------------------------- */

enum {
	CMDLINE_REQUIRED = 1 << 0,    /* option: the command refuses to run without it */
	CMDLINE_BARE = 1 << 1,        /* command: runs without the tool table (help, version) */
};

struct cmdline_opt {
	const char *name;             /* long name without the dashes: "db" */
	const char *arg;              /* placeholder of its value ("PATH"), NULL for a flag */
	unsigned flags;               /* CMDLINE_REQUIRED */
	const char *help;             /* one line */
};

struct cmdline_args;

struct cmdline_cmd {
	const char *name;             /* first word: "key" */
	const char *sub;              /* the words after it ("create", "source add"), or NULL */
	const char *summary;          /* one line, lowercase, no full stop */
	int (*run)(const struct cmdline_args *a);   /* exit code: 0, 1 failed, 2 bad usage */
	struct cmdline_opt opts[CMDLINE_MAX_OPTS];   /* ends at the first row without a name */
	const char *pos;              /* positional arguments for the usage line ("PREFIX"), or NULL */
	int npos;                     /* how many it takes at most */
	int npos_optional;            /* how many of those may be left out */
	const char *notes;            /* more lines for its help (each ends with \n), or NULL */
	unsigned flags;               /* CMDLINE_BARE */
};

/* ---- parsing ---------------------------------------------------------------- */

struct cmdline_args {
	const struct cmdline_cmd *cmd;
	const char *val[CMDLINE_MAX_OPTS];   /* by the option's index: its value, "" for a set flag */
	const char *pos[CMDLINE_MAX_POS];
	int npos;
};

/*
 * The row named by argv[0..] in table (ends at a row without a name).
 * Sets *words to how many argv entries the command's words took. NULL when
 * no row matches; then *family is the first row whose name is argv[0] (the
 * sub-command is missing or unknown), or NULL (the command is unknown).
 */
const struct cmdline_cmd *cmdline_find(const struct cmdline_cmd *table, int argc, char **argv,
				       int *words, const struct cmdline_cmd **family);

enum {
	CMDLINE_OK = 0,
	CMDLINE_HELP = 1,             /* -h or --help came before any error */
	CMDLINE_BAD = -1,             /* err says what is wrong */
};

/* Parse the arguments after the command's words into *out. CMDLINE_OK,
 * CMDLINE_HELP, or CMDLINE_BAD with a message ("switchboard key create:
 * unknown option '--frob'") in err. */
int cmdline_parse(const struct cmdline_cmd *cmd, int argc, char **argv, struct cmdline_args *out,
		  char *err, size_t errlen);

/* The value of option `name` (borrowed from argv), or NULL when it was not
 * given. A name the row does not declare is a programming error: it aborts. */
const char *cmdline_get(const struct cmdline_args *a, const char *name);
/* Like cmdline_get, with a default. */
const char *cmdline_get_or(const struct cmdline_args *a, const char *name, const char *dflt);
/* 1 when option `name` was given (a flag or an option with a value). */
int cmdline_has(const struct cmdline_args *a, const char *name);

/* ---- help ------------------------------------------------------------------- */

/* "switchboard key create --account ID [--label L] ... PREFIX" and a newline. */
void cmdline_usage_line(FILE *f, const struct cmdline_cmd *cmd);
/* The usage line, the summary, the notes and every option with its help. */
void cmdline_help(FILE *f, const struct cmdline_cmd *cmd);
/* Help for every row whose name is `name` (a command with sub-commands). */
void cmdline_help_family(FILE *f, const struct cmdline_cmd *table, const char *name);
/* The overview: every row of the table with its summary. */
void cmdline_help_all(FILE *f, const struct cmdline_cmd *table);

#endif
