/*
 * commands.c - THE command table of switchboard, and the dispatcher that
 * looks a command line up in it, parses it and runs the row (see commands.h).
 * A new command is a new row here and a handler in the module it belongs to.
 */
#include <stdio.h>
#include <string.h>
#include "cli/commands.h"
#include "cli/admin.h"
#include "cli/database.h"
#include "cli/models.h"
#include "cli/provision.h"
#include "cli/serve.h"
#include "mcp/schema.h"
#include "mcp/tool.h"
#include "base/version.h"

static int cmd_help(const struct cmdline_args *a);
static int cmd_version(const struct cmdline_args *a);

/* ---- the table --------------------------------------------------------------- */

#define DB { "db", "PATH", 0, "database file (env SWITCHBOARD_DB, default data/switchboard.db)" }
#define ACCOUNT { "account", "ID", CMDLINE_REQUIRED, "the account" }
#define TRUNK_OPTS \
	{ "trunk-proxy", "HOST[:PORT]", 0, "send the number's calls through this SIP proxy" }, \
	{ "trunk-registrar", "HOST[:PORT]", 0, "register the number there" }, \
	{ "trunk-transport", "udp|tcp", 0, "the trunk's transport" }, \
	{ "trunk-username", "U", 0, "the trunk's user name" }, \
	{ "trunk-password-env", "VAR", 0, "the password is read from $VAR (sealed at rest)" }, \
	{ "trunk-caller-id", "ID", 0, "the caller id the trunk sends" }, \
	{ "trunk-domain", "DOMAIN", 0, "the trunk's SIP domain" }

const struct cmdline_cmd commands_table[] = {
	{ "serve", NULL, "serve MCP over HTTP (Streamable HTTP /mcp, legacy /sse, /health)", serve_cmd_http,
	  .opts = { DB,
		{ "bind", "ADDR", 0, "listen address (env SWITCHBOARD_BIND, default 127.0.0.1)" },
		{ "port", "N", 0, "port, 0 picks a free one (env SWITCHBOARD_PORT, default 8080)" },
		{ "demo", NULL, 0, "on an empty database create the demo account and print its key once "
		  "(to a terminal only: otherwise the log names the command that makes one)" },
		{ "conformance", NULL, 0, "serve the MCP conformance suite's fixtures, without auth" },
		{ "idle-timeout", "S", 0, "end sessions idle this long (default 1800)" },
		{ "body-limit", "BYTES", 0, "largest request body (default 1048576)" },
		{ "allowed-hosts", "H,..", 0, "extra Host names to accept (besides localhost)" },
		{ "allowed-origins", "O", 0, "extra Origins to accept" },
		{ "port-file", "PATH", 0, "write the bound port there once listening" },
		{ "threads", "N", 0, "HTTP threads (default: CPUs)" } },
	  .notes = "  Configuration comes from flags, then SWITCHBOARD_* environment variables, then defaults.\n" },
	{ "stdio", NULL, "serve MCP over stdin/stdout (key in SWITCHBOARD_API_KEY)", serve_cmd_stdio,
	  .opts = { DB, { "conformance", NULL, 0, "serve the MCP conformance suite's fixtures, without a key" } },
	  .notes = "  For clients such as Claude Desktop. The API key comes from the environment:\n"
		   "  SWITCHBOARD_API_KEY.\n" },

	{ "account", "create", "create an account; prints its id", provision_cmd_account_create,
	  .opts = { { "name", "NAME", CMDLINE_REQUIRED, "the account's name" },
		{ "timezone", "TZ", 0, "its time zone (default UTC)" },
		{ "balance", "USD", 0, "its balance to start with (default 0)" }, DB } },
	{ "account", "list", "list the accounts (JSON)", provision_cmd_account_list, .opts = { DB } },

	{ "key", "create", "create an API key; it is printed once, only its hash is stored",
	  provision_cmd_key_create,
	  .opts = { ACCOUNT,
		{ "scopes", "LIST", 0, "read,write,spend[,admin,incall] (default read)" },
		{ "label", "L", 0, "a label for the key" }, DB } },
	{ "key", "list", "list API keys (JSON; never the keys themselves)", provision_cmd_key_list,
	  .opts = { { "account", "ID", 0, "only this account's keys" }, DB } },
	{ "key", "revoke", "revoke the key with this prefix (sb_PREFIX_...), at once", provision_cmd_key_revoke,
	  .opts = { DB }, .pos = "PREFIX", .npos = 1 },

	{ "number", "add", "give an account a phone number; prints its id", provision_cmd_number_add,
	  .opts = { ACCOUNT,
		{ "number", "+E164", CMDLINE_REQUIRED, "the number" },
		{ "type", "inbound|outbound", 0, "what it is for (default outbound)" },
		{ "sms", NULL, 0, "it can send SMS" },
		{ "country", "CC", 0, "its country" },
		TRUNK_OPTS, DB },
	  .notes = "  A --trunk-* option gives the number its own SIP trunk (as number trunk).\n" },
	{ "number", "list", "list an account's phone numbers (JSON)", provision_cmd_number_list,
	  .opts = { ACCOUNT, { "type", "inbound|outbound", 0, "only numbers of this type" }, DB } },
	{ "number", "trunk", "set the SIP trunk of a number the account has; prints its id",
	  provision_cmd_number_trunk,
	  .opts = { ACCOUNT, { "number", "+E164", CMDLINE_REQUIRED, "the number" }, TRUNK_OPTS, DB },
	  .notes = "  The trunk needs --trunk-proxy and/or --trunk-registrar.\n" },

	{ "migrate", NULL, "bring the database schema up to date", database_cmd_migrate, .opts = { DB } },

	{ "model", "add", "add a model to the catalog assistants choose from (get_models)", models_cmd_add,
	  .opts = { { "name", "NAME", CMDLINE_REQUIRED, "the model's name, sent as \"model\"" },
		{ "url", "BASE_URL", CMDLINE_REQUIRED,
		  "an OpenAI-compatible API (e.g. http://127.0.0.1:8081/v1)" },
		{ "key-env", "VAR", 0, "the API key is read from $VAR and stored sealed" },
		{ "description", "TEXT", 0, "what get_models says about it" }, DB } },
	{ "model", "list", "list the models of the catalog, whether usable, and their server", models_cmd_list,
	  .opts = { DB },
	  .notes = "  Without a URL of its own a model is served by SWITCHBOARD_LLM_URL (see README).\n" },
	{ "model", "remove", "remove a model from the catalog", models_cmd_remove,
	  .opts = { { "name", "NAME", CMDLINE_REQUIRED, "the model's name" }, DB } },

	{ "contact", "import", "import contacts from a CSV or vCard file", admin_cmd_contact_import,
	  .opts = { ACCOUNT, { "country", "CC", 0, "country code of numbers written without one (e.g. 49)" },
		DB },
	  .pos = "FILE.csv|FILE.vcf", .npos = 1,
	  .notes = "  A CSV file has a header row naming a 'name' and a 'phone' column (and maybe\n"
		   "  'company', 'email').\n" },
	{ "contact", "add", "add a contact", admin_cmd_contact_add,
	  .opts = { ACCOUNT, { "name", "N", CMDLINE_REQUIRED, "the contact's name" },
		{ "phone", "P[|P]", CMDLINE_REQUIRED, "its numbers" },
		{ "company", "C", 0, "its company" },
		{ "country", "CC", 0, "country code of numbers written without one" }, DB } },
	{ "contact", "source add", "add a contact source (looked up by lookup_contact); prints its id",
	  admin_cmd_source_add,
	  .opts = { ACCOUNT, { "kind", "http|carddav", CMDLINE_REQUIRED, "what the source speaks" },
		{ "url", "URL", CMDLINE_REQUIRED, "where it is" },
		{ "user", "U", 0, "the user name to log in with" },
		{ "password-env", "VAR", 0, "the password is read from $VAR (needs --user; sealed at rest)" },
		DB } },
	{ "contact", "source list", "list the account's contact sources (never their passwords)",
	  admin_cmd_source_list, .opts = { ACCOUNT, DB } },
	{ "contact", "source remove", "remove one of the account's contact sources", admin_cmd_source_remove,
	  .opts = { ACCOUNT, { "id", "N", CMDLINE_REQUIRED, "the source's id (contact source list)" }, DB } },

	{ "user", "add", "add a user (someone calls can be put through to); prints its id", admin_cmd_user_add,
	  .opts = { ACCOUNT, { "name", "N", CMDLINE_REQUIRED, "the user's name" },
		{ "extension", "E", 0, "the user's extension" },
		{ "phone", "P", 0, "the user's phone number" },
		{ "dnd", NULL, 0, "start with do-not-disturb on" }, DB } },
	{ "user", "dnd", "turn a user's do-not-disturb on or off", admin_cmd_user_dnd,
	  .opts = { ACCOUNT, { "user", "ID", CMDLINE_REQUIRED, "the user's id" }, DB },
	  .pos = "on|off", .npos = 1 },

	{ "office-hours", "set", "set an assistant's office hours from a JSON file", admin_cmd_office_hours_set,
	  .opts = { ACCOUNT, { "assistant", "ID", CMDLINE_REQUIRED, "the assistant's id" }, DB },
	  .pos = "FILE.json", .npos = 1,
	  .notes = "  {\"weekly\":{\"monday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}],...},\n"
		   "   \"exceptions\":[{\"date\":\"2026-12-25\",\"closed\":true}]}\n" },

	{ "call", "start", "register a call an external voice engine has on the line; prints its id",
	  admin_cmd_call_start,
	  .opts = { ACCOUNT, { "assistant", "ID", CMDLINE_REQUIRED, "the assistant on the call" },
		{ "from", "P", CMDLINE_REQUIRED, "the caller's number" },
		{ "to", "P", 0, "the number called" }, DB },
	  .notes = "  The engine then drives the call through /call/mcp.\n" },

	{ "webhook", "secret", "print the account's post-call webhook signing secret", admin_cmd_webhook_secret,
	  .opts = { ACCOUNT, DB } },

	{ "version", NULL, "print the version", cmd_version, .flags = CMDLINE_BARE },
	{ "help", NULL, "list the commands, or show the options of one", cmd_help,
	  .pos = "[COMMAND [SUB-COMMAND]]", .npos = 3, .npos_optional = 3, .flags = CMDLINE_BARE },
	{ 0 }
};

/* ---- help and version ---------------------------------------------------------- */

/* switchboard help [COMMAND [SUB-COMMAND]] */
static int cmd_help(const struct cmdline_args *a)
{
	const struct cmdline_cmd *c, *family;
	int words;

	if (!a->npos) {
		cmdline_help_all(stdout, commands_table);
		return 0;
	}
	c = cmdline_find(commands_table, a->npos, (char **)a->pos, &words, &family);
	if (c && words == a->npos) {
		cmdline_help(stdout, c);
		return 0;
	}
	if (family && a->npos == 1) {
		cmdline_help_family(stdout, commands_table, family->name);
		return 0;
	}
	fprintf(stderr, "switchboard help: no command '%s%s%s%s%s'\n", a->pos[0], a->npos > 1 ? " " : "",
		a->npos > 1 ? a->pos[1] : "", a->npos > 2 ? " " : "", a->npos > 2 ? a->pos[2] : "");
	return 2;
}

static int cmd_version(const struct cmdline_args *a)
{
	puts(SWITCHBOARD_VERSION);
	return 0;
}

/* ---- dispatch ------------------------------------------------------------------- */

/* A command was named without a sub-command the table has: say so and list
 * the family's usage lines. */
static int bad_sub(const struct cmdline_cmd *family, int argc, char **argv)
{
	if (argc > 1 && argv[1][0] != '-')
		fprintf(stderr, "switchboard %s: unknown sub-command '%s%s%s'\n", family->name, argv[1],
			argc > 2 && argv[2][0] != '-' ? " " : "", argc > 2 && argv[2][0] != '-' ? argv[2] : "");
	else
		fprintf(stderr, "switchboard %s: missing sub-command\n", family->name);
	for (const struct cmdline_cmd *c = family; c->name; c++)
		if (!strcmp(c->name, family->name))
			cmdline_usage_line(stderr, c);
	return 2;
}

int commands_main(int argc, char **argv)
{
	const struct cmdline_cmd *cmd, *family;
	struct cmdline_args args;
	char err[512];
	int words, r;

	argc--;
	argv++;
	if (argc < 1) {
		cmdline_help_all(stderr, commands_table);
		return 2;
	}
	if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		cmdline_help_all(stdout, commands_table);
		return 0;
	}
	if (!strcmp(argv[0], "--version"))
		return cmd_version(NULL);
	cmd = cmdline_find(commands_table, argc, argv, &words, &family);
	if (!cmd && !family) {
		fprintf(stderr, "switchboard: unknown command '%s'\n\n", argv[0]);
		cmdline_help_all(stderr, commands_table);
		return 2;
	}
	if (!cmd && argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cmdline_help_family(stdout, commands_table, family->name);
		return 0;
	}
	if (!cmd)
		return bad_sub(family, argc, argv);
	r = cmdline_parse(cmd, argc - words, argv + words, &args, err, sizeof(err));
	if (r == CMDLINE_HELP) {
		cmdline_help(stdout, cmd);
		return 0;
	}
	if (r != CMDLINE_OK) {
		fprintf(stderr, "%s\n", err);
		cmdline_usage_line(stderr, cmd);
		fprintf(stderr, "(switchboard %s%s%s --help lists every option)\n", cmd->name,
			cmd->sub ? " " : "", cmd->sub ? cmd->sub : "");
		return 2;
	}
	if (cmd->flags & CMDLINE_BARE)
		return cmd->run(&args);
	if (tool_registry_init()) {
		fputs("switchboard: the tool table is broken (see the log above)\n", stderr);
		return 1;
	}
	r = cmd->run(&args);
	tool_registry_release();
	schema_cleanup();
	return r;
}
