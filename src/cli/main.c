/*
 * main.c - the switchboard command: serve, stdio, account, key, migrate.
 * Every subcommand answers --help. Configuration comes from flags, then
 * SWITCHBOARD_* environment variables, then defaults.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "cli/admin.h"
#include "mcp/audit.h"
#include "mcp/auth.h"
#include "agent/brain.h"
#include "calls/runtime.h"
#include "calls/dialer.h"
#include "transport/http.h"
#include "tools/incall_log.h"
#include "agent/llm.h"
#include "base/log.h"
#include "mcp/rpc.h"
#include "mcp/schema.h"
#include "base/secret.h"
#include "sip/trunk.h"
#include "sip/ua.h"
#include "transport/stdio_transport.h"
#include "store/store.h"
#include "mcp/tool.h"
#include "base/util.h"
#include "base/version.h"
#include "agent/webhook.h"

static const char *db_path(const char *flag)
{
	const char *e = getenv("SWITCHBOARD_DB");
	return flag ? flag : e ? e : "data/switchboard.db";
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

/* The directory of the database file: recordings live under it. */
static const char *data_dir(const char *path)
{
	static char dir[1024];
	const char *slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
		 slash ? (slash == path ? "/" : path) : ".");
	return dir;
}

static int open_store(const char *path)
{
	char err[256];
	int from, to;

	ensure_dir(path);
	/* sealed secrets keep their key next to the database */
	const char *slash = strrchr(path, '/');
	char dir[1024];
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
		 slash ? (slash == path ? "/" : path) : ".");
	secret_init(dir);
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
	return store_seed_catalogs();
}

/* A setting that was retired is refused, not ignored: the operator would
 * think it still does something. 0 when none is set. */
static int refuse_retired_env(void)
{
	if (getenv("SWITCHBOARD_HMAC_SECRET")) {
		log_error("SWITCHBOARD_HMAC_SECRET is no longer used: mid-call tool requests "
			  "are signed with each account's own secret (get_mid_call_tool_secret); "
			  "unset it");
		return -1;
	}
	return 0;
}

/* ---- serve ----------------------------------------------------------------- */

static const char serve_usage[] =
	"usage: switchboard serve [options]\n"
	"  Serve MCP over Streamable HTTP (/mcp), legacy SSE (/sse) and /health.\n"
	"  --db PATH            database file (env SWITCHBOARD_DB, default data/switchboard.db)\n"
	"  --bind ADDR          listen address (env SWITCHBOARD_BIND, default 127.0.0.1)\n"
	"  --port N             port, 0 picks a free one (env SWITCHBOARD_PORT, default 8080)\n"
	"  --demo               on an empty database create the demo account and print its key once\n"
	"                       (to a terminal only: otherwise the log names the command that makes one)\n"
	"  --conformance        serve the MCP conformance suite's fixtures, without auth\n"
	"  --idle-timeout S     end sessions idle this long (default 1800)\n"
	"  --body-limit BYTES   largest request body (default 1048576)\n"
	"  --allowed-hosts H,.. extra Host names to accept (besides localhost)\n"
	"  --allowed-origins O  extra Origins to accept\n"
	"  --port-file PATH     write the bound port there once listening\n"
	"  --threads N          HTTP threads (default: CPUs)\n";

/* The demo account's id on a database that has accounts: "Demo Company"
 * (store_seed_demo), else the first one. */
static long long demo_account_id(const json_t *accounts)
{
	const json_t *a;
	size_t i;

	json_array_foreach(accounts, i, a) {
		const char *name = json_string_value(json_object_get(a, "name"));
		if (name && !strcmp(name, "Demo Company"))
			return (long long)json_integer_value(json_object_get(a, "id"));
	}
	return (long long)json_integer_value(json_object_get(json_array_get(accounts, 0), "id"));
}

/* On an empty database: the demo account, and its key printed once. A key is
 * a secret, so it goes to a terminal only: when stdout is not one (a
 * service, output redirected to a log) no key is made and the log names the
 * command that makes one, as it does on every later start. */
static int demo_bootstrap(const char *db)
{
	json_t *accounts = store_account_list();
	char key[AUTH_KEY_MAX], prefix[24];
	int64_t id;
	int r = 0;

	if (!accounts)
		return -1;
	if (json_array_size(accounts) > 0) {
		log_info("demo: the database has accounts, so the demo key is not shown again "
			 "(it was shown once, when it was made); a new key: switchboard key create "
			 "--account %lld --scopes read,write,spend --db '%s'",
			 demo_account_id(accounts), db);
	} else if (store_seed_demo(&id)) {
		r = -1;
	} else if (!isatty(STDOUT_FILENO)) {
		log_warn("demo: account %lld created without a key: stdout is not a terminal, "
			 "and a key printed here would be kept in a log; make one with: switchboard "
			 "key create --account %lld --scopes read,write,spend --db '%s'",
			 (long long)id, (long long)id, db);
	} else if (auth_key_create(id, AUTH_SCOPE_READ | AUTH_SCOPE_WRITE | AUTH_SCOPE_SPEND,
				   "demo", key, prefix)) {
		r = -1;
	} else {
		printf("\n  Demo account created. Its API key (shown once, store it now):\n\n"
		       "    %s\n\n"
		       "  Scopes: read, write, spend. More keys: switchboard key create --account %lld --scopes read\n\n",
		       key, (long long)id);
		fflush(stdout);
		sodium_memzero(key, sizeof(key));
	}
	json_decref(accounts);
	return r;
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", 1, 0, 'd' }, { "bind", 1, 0, 'b' }, { "port", 1, 0, 'p' },
		{ "demo", 0, 0, 'D' }, { "conformance", 0, 0, 'C' },
		{ "idle-timeout", 1, 0, 'i' }, { "body-limit", 1, 0, 'l' },
		{ "allowed-hosts", 1, 0, 'H' }, { "allowed-origins", 1, 0, 'O' },
		{ "port-file", 1, 0, 'P' }, { "threads", 1, 0, 't' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	struct http_cfg cfg = { 0 };
	const char *db = NULL, *port_file = NULL, *e;
	int demo = 0, conformance = 0, c;
	int64_t v;
	sigset_t set;
	int sig;

	cfg.bind = getenv("SWITCHBOARD_BIND");
	cfg.port = 8080;
	if ((e = getenv("SWITCHBOARD_PORT")) && !util_parse_i64(e, &v))
		cfg.port = (int)v;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'b': cfg.bind = optarg; break;
		case 'p':
			if (util_parse_i64(optarg, &v) || v < 0 || v > 65535) {
				fprintf(stderr, "switchboard: invalid port '%s'\n", optarg);
				return 2;
			}
			cfg.port = (int)v;
			break;
		case 'D': demo = 1; break;
		case 'C': conformance = 1; break;
		case 'i':
			if (util_parse_i64(optarg, &v) || v < 1) {
				fprintf(stderr, "switchboard: invalid idle timeout '%s'\n", optarg);
				return 2;
			}
			cfg.idle_s = (double)v;
			break;
		case 'l':
			if (util_parse_i64(optarg, &v) || v < 1024) {
				fprintf(stderr, "switchboard: invalid body limit '%s'\n", optarg);
				return 2;
			}
			cfg.body_limit = (size_t)v;
			break;
		case 'H': cfg.allowed_hosts = optarg; break;
		case 'O': cfg.allowed_origins = optarg; break;
		case 'P': port_file = optarg; break;
		case 't':
			if (util_parse_i64(optarg, &v) || v < 1 || v > 64) {
				fprintf(stderr, "switchboard: invalid thread count '%s'\n", optarg);
				return 2;
			}
			cfg.threads = (unsigned)v;
			break;
		case 'h': fputs(serve_usage, stdout); return 0;
		default: fputs(serve_usage, stderr); return 2;
		}
	}
	if (refuse_retired_env() || open_store(db_path(db)))
		return 1;
	if (demo && !conformance && demo_bootstrap(db_path(db)))
		return 1;
	cfg.surface = conformance ? SURFACE_CONFORMANCE : SURFACE_CONTROL;
	cfg.require_auth = !conformance;
	cfg.prefer_sse = conformance;
	if (conformance)
		rpc_set_instructions("Switchboard serving the MCP conformance fixtures.");

	/* signals are taken by sigwait below; threads inherit the mask */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	incall_init();
	if (audit_start() || calls_runtime_start() || brain_start() ||
	    (!conformance && webhook_start()) || http_start(&cfg))
		return 1;
	/* the control plane serves even when SIP cannot listen (the port is
	 * taken): calls then fail saying the user agent is not running */
	if (!conformance && sip_ua_start(data_dir(db_path(db))))
		log_warn("voice: the SIP user agent is off: calls cannot be placed or answered");
	else if (!conformance)
		calls_runtime_scan_now();	/* say at once that this process has the line */
	/* campaigns dial only when there is a line to dial on */
	if (!conformance && sip_ua_running() && dialer_start())
		log_warn("dialer: off: campaigns place no calls");
	if (port_file) {
		FILE *f = fopen(port_file, "w");
		if (f) {
			fprintf(f, "%d\n", http_port());
			fclose(f);
		}
	}
	printf("Switchboard %s serving on http://%s:%d/mcp (legacy SSE: /sse, health: /health)%s\n",
	       SWITCHBOARD_VERSION, cfg.bind ? cfg.bind : "127.0.0.1", http_port(),
	       conformance ? " [conformance fixtures, no auth]" : "");
	fflush(stdout);
	sigwait(&set, &sig);
	log_info("signal %d: shutting down", sig);
	http_stop();
	dialer_stop();
	sip_ua_stop();
	brain_stop();
	webhook_stop();
	calls_runtime_stop();
	audit_stop();
	store_thread_release();
	return 0;
}

/* ---- stdio ------------------------------------------------------------------ */

static int cmd_stdio(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", 1, 0, 'd' }, { "conformance", 0, 0, 'C' }, { "help", 0, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	static const char usage[] =
		"usage: switchboard stdio [--db PATH] [--conformance]\n"
		"  Serve MCP on stdin/stdout for clients such as Claude Desktop.\n"
		"  The API key comes from the environment: SWITCHBOARD_API_KEY.\n";
	const char *db = NULL, *key;
	struct principal who;
	int conformance = 0, c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'C': conformance = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (refuse_retired_env() || open_store(db_path(db)))
		return 1;
	if (!conformance) {
		key = getenv("SWITCHBOARD_API_KEY");
		if (!key || !*key) {
			log_error("SWITCHBOARD_API_KEY is not set: create a key with "
				  "'switchboard key create' and pass it in the environment");
			return 1;
		}
		if (auth_verify(key, &who)) {
			log_error("SWITCHBOARD_API_KEY is invalid or revoked");
			return 1;
		}
	}
	audit_start();
	incall_init();
	calls_runtime_start();
	brain_start();
	r = stdio_serve(conformance ? NULL : &who,
			conformance ? SURFACE_CONFORMANCE : SURFACE_CONTROL);
	brain_stop();
	calls_runtime_stop();
	audit_stop();
	store_thread_release();
	return r ? 1 : 0;
}

/* ---- account / key / migrate ------------------------------------------------ */

static int cmd_account(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", 1, 0, 'd' }, { "name", 1, 0, 'n' }, { "timezone", 1, 0, 'z' },
		{ "balance", 1, 0, 'b' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	static const char usage[] =
		"usage: switchboard account create --name NAME [--timezone TZ] [--balance USD] [--db PATH]\n"
		"       switchboard account list [--db PATH]\n";
	const char *db = NULL, *name = NULL, *tz = "UTC", *sub = argc > 1 ? argv[1] : "";
	double balance = 0;
	int64_t id;
	int c;

	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'n': name = optarg; break;
		case 'z': tz = optarg; break;
		case 'b': balance = strtod(optarg, NULL); break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (open_store(db_path(db)))
		return 1;
	if (!strcmp(sub, "create")) {
		if (!name || !*name) {
			fputs("switchboard: account create needs --name\n", stderr);
			return 2;
		}
		if (store_account_create(name, tz, (int64_t)(balance * 1e6 + 0.5), &id))
			return 1;
		printf("%lld\n", (long long)id);
		return 0;
	}
	if (!strcmp(sub, "list")) {
		json_t *l = store_account_list();
		char *t = l ? json_dumps(l, JSON_INDENT(2)) : NULL;
		puts(t ? t : "[]");
		free(t);
		json_decref(l);
		return l ? 0 : 1;
	}
	fputs(usage, stderr);
	return 2;
}

/* --account ID: a positive id, or a message and -1. */
static int opt_account(const char *arg, int64_t *out)
{
	if (util_parse_i64(arg, out) || *out < 1) {
		fprintf(stderr, "switchboard: invalid account id '%s'\n", arg);
		return -1;
	}
	return 0;
}

static int cmd_key(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", 1, 0, 'd' }, { "account", 1, 0, 'a' }, { "scopes", 1, 0, 's' },
		{ "label", 1, 0, 'l' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	static const char usage[] =
		"usage: switchboard key create --account ID --scopes read,write,spend[,admin,incall] [--label L]\n"
		"       switchboard key list [--account ID]\n"
		"       switchboard key revoke PREFIX\n"
		"  The key is printed once; only its hash is stored.\n";
	const char *db = NULL, *scopes_s = "read", *label = "", *sub = argc > 1 ? argv[1] : "";
	int64_t account = 0;
	unsigned scopes;
	int c;

	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'a':
			if (opt_account(optarg, &account))
				return 2;
			break;
		case 's': scopes_s = optarg; break;
		case 'l': label = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (open_store(db_path(db)))
		return 1;
	if (!strcmp(sub, "create")) {
		char key[AUTH_KEY_MAX], prefix[24];
		struct store_account a;
		if (!account || store_account_get(account, &a)) {
			fputs("switchboard: key create needs --account with an existing account id\n", stderr);
			return 2;
		}
		if (auth_scopes_parse(scopes_s, &scopes)) {
			fprintf(stderr, "switchboard: unknown scope in '%s' (read, write, spend, admin, incall)\n",
				scopes_s);
			return 2;
		}
		if (auth_key_create(account, scopes, label, key, prefix))
			return 1;
		printf("%s\n", key);
		return 0;
	}
	if (!strcmp(sub, "list")) {
		json_t *l = store_key_list(account);
		size_t i;
		json_t *k;
		if (!l)
			return 1;
		json_array_foreach(l, i, k) {
			char sc[64];
			auth_scopes_format((unsigned)json_integer_value(json_object_get(k, "scopes")),
					   sc, sizeof(sc));
			json_object_set_new(k, "scopes", json_string(sc));
		}
		char *t = json_dumps(l, JSON_INDENT(2));
		puts(t ? t : "[]");
		free(t);
		json_decref(l);
		return 0;
	}
	if (!strcmp(sub, "revoke")) {
		if (optind >= argc) {
			fputs(usage, stderr);
			return 2;
		}
		if (store_key_revoke(argv[optind])) {
			fprintf(stderr, "switchboard: no key with prefix '%s'\n", argv[optind]);
			return 1;
		}
		printf("revoked %s\n", argv[optind]);
		return 0;
	}
	fputs(usage, stderr);
	return 2;
}

static int cmd_number(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", 1, 0, 'd' }, { "account", 1, 0, 'a' }, { "number", 1, 0, 'n' },
		{ "type", 1, 0, 't' }, { "sms", 0, 0, 's' }, { "country", 1, 0, 'c' },
		{ "trunk-proxy", 1, 0, 'P' }, { "trunk-registrar", 1, 0, 'R' },
		{ "trunk-transport", 1, 0, 'T' }, { "trunk-username", 1, 0, 'U' },
		{ "trunk-password-env", 1, 0, 'W' }, { "trunk-caller-id", 1, 0, 'I' },
		{ "trunk-domain", 1, 0, 'D' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	static const char usage[] =
		"usage: switchboard number add --account ID --number +E164 [--type inbound|outbound]\n"
		"                              [--sms] [--country CC] [TRUNK] [--db PATH]\n"
		"       switchboard number trunk --account ID --number +E164 TRUNK [--db PATH]\n"
		"  Give an account a phone number (--sms: it can send SMS), or set the SIP\n"
		"  trunk of one it has. Prints the number's id.\n"
		"  TRUNK: --trunk-proxy HOST[:PORT] and/or --trunk-registrar HOST[:PORT]\n"
		"         [--trunk-transport udp|tcp] [--trunk-username U]\n"
		"         [--trunk-password-env VAR (the password is read from $VAR, sealed at rest)]\n"
		"         [--trunk-caller-id ID] [--trunk-domain DOMAIN]\n";
	const char *db = NULL, *number = NULL, *type = "outbound", *country = NULL;
	const char *proxy = NULL, *registrar = NULL, *transport = NULL, *user = NULL;
	const char *pw_env = NULL, *caller_id = NULL, *domain = NULL;
	const char *sub = argc > 1 ? argv[1] : "";
	char err[256], *trunk = NULL;
	int64_t account = 0, id;
	int sms = 0, c, r;

	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'a':
			if (opt_account(optarg, &account))
				return 2;
			break;
		case 'n': number = optarg; break;
		case 't': type = optarg; break;
		case 's': sms = 1; break;
		case 'c': country = optarg; break;
		case 'P': proxy = optarg; break;
		case 'R': registrar = optarg; break;
		case 'T': transport = optarg; break;
		case 'U': user = optarg; break;
		case 'W': pw_env = optarg; break;
		case 'I': caller_id = optarg; break;
		case 'D': domain = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if ((strcmp(sub, "add") && strcmp(sub, "trunk")) || !account || !number) {
		fputs(usage, stderr);
		return 2;
	}
	if (!schema_is_e164(number) || (strcmp(type, "inbound") && strcmp(type, "outbound"))) {
		fprintf(stderr, "switchboard: '%s' is not an E.164 number or '%s' not inbound|outbound\n",
			number, type);
		return 2;
	}
	if (pw_env && (!getenv(pw_env) || !*getenv(pw_env))) {
		fprintf(stderr, "switchboard: the environment variable '%s' is empty\n", pw_env);
		return 2;
	}
	if (open_store(db_path(db)))
		return 1;
	if (proxy || registrar || transport || user || pw_env || caller_id || domain ||
	    !strcmp(sub, "trunk")) {
		trunk = sip_trunk_build(proxy, registrar, transport, user,
					pw_env ? getenv(pw_env) : NULL, caller_id, domain, err, sizeof err);
		if (!trunk) {
			fprintf(stderr, "switchboard: bad trunk: %s\n", err);
			return 2;
		}
	}
	if (!strcmp(sub, "trunk")) {
		struct store_voice_line line;
		r = store_voice_line_by_number(number, &line);
		if (!r && line.account_id != account)
			r = STORE_NOTFOUND;
		id = line.phone_id;
	} else {
		r = store_phone_number_insert(account, number, type, sms, country, &id);
	}
	if (!r && trunk)
		r = store_phone_number_set_trunk(account, id, trunk);
	free(trunk);
	if (r) {
		fprintf(stderr, "switchboard: cannot %s number '%s': %s\n",
			strcmp(sub, "trunk") ? "add" : "set the trunk of", number,
			r == STORE_CONFLICT ? "it exists already" : r == STORE_INVALID
			? "no such account or bad value" : r == STORE_NOTFOUND
			? "the account has no such number" : "store error");
		return 1;
	}
	printf("%lld\n", (long long)id);
	return 0;
}

static int cmd_migrate(int argc, char **argv)
{
	char err[256];
	int from, to;
	const char *db = argc > 2 && !strcmp(argv[1], "--db") ? argv[2] : NULL;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: switchboard migrate [--db PATH]\n  Bring the database schema up to date.");
		return 0;
	}
	ensure_dir(db_path(db));
	if (store_open(db_path(db), err, sizeof(err)) || store_migrate(&from, &to)) {
		log_error("migration failed: %s", err);
		return 1;
	}
	printf("schema version %d (was %d)\n", to, from);
	return 0;
}

static const char usage[] =
	"usage: switchboard <command> [options]\n\n"
	"  serve      serve MCP over HTTP (Streamable HTTP /mcp, legacy /sse)\n"
	"  stdio      serve MCP over stdin/stdout (key in SWITCHBOARD_API_KEY)\n"
	"  account    create or list accounts\n"
	"  key        create, list or revoke API keys\n"
	"  number     give an account a phone number, set its SIP trunk\n"
	"  migrate    bring the database schema up to date\n"
	"  model      add, list or remove models of the catalog (their servers)\n"
	"  contact, user, office-hours, call, webhook\n"
	"             data for the in-call plane (contacts, users, office hours,\n"
	"             calls an external voice engine has on the line, contact\n"
	"             sources, the webhook signing secret)\n"
	"  version    print the version\n\n"
	"Every command takes --help.\n";

int main(int argc, char **argv)
{
	int r;

	log_init_from_env();
	if (util_init()) {
		fputs("switchboard: cannot initialise libsodium\n", stderr);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		puts(SWITCHBOARD_VERSION);
		return 0;
	}
	if (tool_registry_init()) {
		fputs("switchboard: the tool table is broken (see the log above)\n", stderr);
		return 1;
	}
	if (!strcmp(argv[1], "serve"))
		r = cmd_serve(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "stdio"))
		r = cmd_stdio(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "account"))
		r = cmd_account(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "key"))
		r = cmd_key(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "number"))
		r = cmd_number(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "contact") || !strcmp(argv[1], "user") ||
		 !strcmp(argv[1], "office-hours") || !strcmp(argv[1], "call") ||
		 !strcmp(argv[1], "webhook"))
		r = admin_main(argc - 1, argv + 1, db_path);
	else if (!strcmp(argv[1], "migrate"))
		r = cmd_migrate(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "model"))
		r = llm_cli(argc - 1, argv + 1, open_store, db_path);
	else {
		fprintf(stderr, "switchboard: unknown command '%s'\n\n%s", argv[1], usage);
		r = 2;
	}
	tool_registry_release();
	schema_cleanup();
	return r;
}
