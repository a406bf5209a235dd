/* test_cmdline.c - the command-line parser and the help made from the rows
 * (cli/cmdline.c), on a table of its own and on the real one (cli/commands.c). */
#include <stdlib.h>
#include "test.h"
#include "cli/cmdline.h"
#include "cli/commands.h"

static int run_nothing(const struct cmdline_args *a)
{
	return 0;
}

static const struct cmdline_cmd table[] = {
	{ "key", "create", "create a key", run_nothing,
	  .opts = { { "account", "ID", CMDLINE_REQUIRED, "the account" },
		{ "scopes", "LIST", 0, "scopes" }, { "sms", NULL, 0, "a flag" },
		{ "db", "PATH", 0, "database" } } },
	{ "key", "revoke", "revoke a key", run_nothing, .opts = { { "db", "PATH", 0, "database" } },
	  .pos = "PREFIX", .npos = 1 },
	{ "contact", "source add", "add a source", run_nothing,
	  .opts = { { "trunk-proxy", "H", 0, "x" }, { "trunk-registrar", "H", 0, "y" } } },
	{ "serve", NULL, "serve", run_nothing, .opts = { { "port", "N", 0, "port" } } },
	{ 0 }
};

/* parse `line` (words split at spaces) after looking the command up */
static int parse(const char *line, struct cmdline_args *a, char *err, size_t errlen)
{
	static char buf[512];
	char *argv[32], *p;
	int argc = 0, words;
	const struct cmdline_cmd *c, *family;

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = buf; *p && argc < 32; ) {
		argv[argc++] = p;
		p += strcspn(p, " ");
		if (*p)
			*p++ = '\0';
	}
	c = cmdline_find(table, argc, argv, &words, &family);
	if (!c)
		return 99;
	return cmdline_parse(c, argc - words, argv + words, a, err, errlen);
}

TEST(cmdline_find)
{
	char *a1[] = { "contact", "source", "add", "--x" }, *a2[] = { "key", "frob" }, *a3[] = { "nope" };
	const struct cmdline_cmd *family;
	int words;

	CHECK(cmdline_find(table, 4, a1, &words, &family) == &table[2]);
	CHECK(words == 3);
	CHECK(!cmdline_find(table, 2, a2, &words, &family) && family == &table[0]);
	CHECK(!cmdline_find(table, 1, a3, &words, &family) && !family);
	CHECK(!cmdline_find(table, 1, a2, &words, &family) && family == &table[0]);   /* no sub-command */
}

TEST(cmdline_parse_valid)
{
	struct cmdline_args a;
	char err[256] = "";

	/* options after positionals, --opt=value, the last one wins, a flag */
	REQUIRE(parse("key create --scopes read --account 7 --sms --scopes=write,spend --db x.db", &a,
		      err, sizeof(err)) == CMDLINE_OK);
	CHECK_STR(cmdline_get(&a, "account"), "7");
	CHECK_STR(cmdline_get(&a, "scopes"), "write,spend");
	CHECK_STR(cmdline_get(&a, "db"), "x.db");
	CHECK(cmdline_has(&a, "sms"));
	REQUIRE(parse("key create --account 7", &a, err, sizeof(err)) == CMDLINE_OK);
	CHECK(!cmdline_has(&a, "sms") && !cmdline_get(&a, "db"));
	CHECK_STR(cmdline_get_or(&a, "scopes", "read"), "read");
	REQUIRE(parse("key revoke abcd1234 --db x.db", &a, err, sizeof(err)) == CMDLINE_OK);
	CHECK(a.npos == 1);
	CHECK_STR(a.pos[0], "abcd1234");
	/* a unique prefix, as getopt_long takes it; -- ends the options */
	REQUIRE(parse("key create --acc 3 --d y.db", &a, err, sizeof(err)) == CMDLINE_OK);
	CHECK_STR(cmdline_get(&a, "account"), "3");
	CHECK_STR(cmdline_get(&a, "db"), "y.db");
	REQUIRE(parse("key revoke -- --odd", &a, err, sizeof(err)) == CMDLINE_OK);
	CHECK_STR(a.pos[0], "--odd");
	/* a value that looks like an option is still the value */
	REQUIRE(parse("serve --port -1", &a, err, sizeof(err)) == CMDLINE_OK);
	CHECK_STR(cmdline_get(&a, "port"), "-1");
	CHECK(parse("serve --help", &a, err, sizeof(err)) == CMDLINE_HELP);
	CHECK(parse("key create -h", &a, err, sizeof(err)) == CMDLINE_HELP);   /* before the missing --account */
}

TEST(cmdline_parse_refused)
{
	static const struct { const char *line, *err; } cases[] = {
		{ "key create --account 1 --frob", "switchboard key create: unknown option '--frob'" },
		{ "key create --account 1 --frob=2", "switchboard key create: unknown option '--frob'" },
		{ "key create --account 1 -x", "switchboard key create: unknown option '-x'" },
		{ "key create --account", "switchboard key create: option '--account' needs a value (ID)" },
		{ "key create --account 1 --sms=yes", "switchboard key create: option '--sms' takes no value" },
		{ "key create --scopes read", "switchboard key create: missing required option '--account ID'" },
		{ "key create --account 1 extra", "switchboard key create: unexpected argument 'extra'" },
		{ "key revoke", "switchboard key revoke: missing argument PREFIX" },
		{ "contact source add --trunk x", "switchboard contact source add: ambiguous option '--trunk'" },
	};
	struct cmdline_args a;
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK(parse(cases[i].line, &a, err, sizeof(err)) == CMDLINE_BAD);
		CHECK_STR(err, cases[i].err);
	}
}

/* help text of f as a string (caller frees) */
static char *captured(void (*fn)(FILE *, const struct cmdline_cmd *), const struct cmdline_cmd *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fn(f, arg);
	fclose(f);
	return text;
}

TEST(cmdline_help_from_rows)
{
	char *usage = captured(cmdline_usage_line, &table[0]), *help = captured(cmdline_help, &table[1]);

	CHECK_STR(usage, "usage: switchboard key create --account ID [--scopes LIST] [--sms] [--db PATH]\n");
	CHECK(help && strstr(help, "usage: switchboard key revoke [--db PATH] PREFIX\n  revoke a key\n"));
	CHECK(help && strstr(help, "  --db PATH   database\n"));
	free(usage);
	free(help);
}

/* The real table: every row is complete, its options unique, its help lines
 * short, and --help lists every row. */
TEST(commands_table_complete)
{
	char *all = captured(cmdline_help_all, commands_table);
	int rows = 0;

	REQUIRE(all);
	for (const struct cmdline_cmd *c = commands_table; c->name; c++, rows++) {
		char needle[128], *help = captured(cmdline_help, c);
		const char *line;
		snprintf(needle, sizeof(needle), "  %s%s%s ", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
		if (!strstr(all, needle))
			fprintf(stderr, "  --help does not list '%s'\n", needle);
		CHECK(strstr(all, needle));
		CHECK(c->summary && *c->summary && c->run);
		CHECK(c->npos <= CMDLINE_MAX_POS && c->npos_optional <= c->npos);
		for (int i = 0; i < CMDLINE_MAX_OPTS && c->opts[i].name; i++) {
			CHECK(c->opts[i].help && strcmp(c->opts[i].name, "help"));
			for (int j = 0; j < i; j++)
				CHECK(strcmp(c->opts[i].name, c->opts[j].name));
		}
		for (line = help; line && *line; line += strcspn(line, "\n") + 1)
			CHECK(strcspn(line, "\n") <= 100);
		free(help);
	}
	CHECK(rows >= 25);
	free(all);
}

const struct unit_test cmdline_tests[] = {
	T(cmdline_find), T(cmdline_parse_valid), T(cmdline_parse_refused), T(cmdline_help_from_rows),
	T(commands_table_complete), { 0 }
};
