/* serve.c - switchboard serve and switchboard stdio (see serve.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "cli/serve.h"
#include "cli/cmdline.h"
#include "cli/database.h"
#include "mcp/audit.h"
#include "mcp/auth.h"
#include "mcp/rpc.h"
#include "agent/brain.h"
#include "agent/webhook.h"
#include "calls/runtime.h"
#include "calls/dialer.h"
#include "sip/ua.h"
#include "tools/incall_log.h"
#include "transport/http.h"
#include "transport/stdio_transport.h"
#include "store/store.h"
#include "base/log.h"
#include "base/util.h"
#include "base/version.h"

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
/* The value of a numeric option in [lo, hi] into *out; else a message
 * ("invalid port '70000'") and -1. */
static int number_opt(const struct cmdline_args *a, const char *name, const char *what,
		      int64_t lo, int64_t hi, int64_t *out)
{
	const char *v = cmdline_get(a, name);

	if (util_parse_i64(v, out) || *out < lo || *out > hi) {
		fprintf(stderr, "switchboard: invalid %s '%s'\n", what, v);
		return -1;
	}
	return 0;
}

/* ---- serve ------------------------------------------------------------------ */

int serve_cmd_http(const struct cmdline_args *a)
{
	struct http_cfg cfg = { 0 };
	const char *db = database_path(cmdline_get(a, "db"));
	const char *port_file = cmdline_get(a, "port-file"), *e;
	int demo = cmdline_has(a, "demo"), conformance = cmdline_has(a, "conformance");
	char dir[1024];
	int64_t v;
	sigset_t set;
	int sig;

	cfg.bind = cmdline_get_or(a, "bind", getenv("SWITCHBOARD_BIND"));
	cfg.port = 8080;
	if ((e = getenv("SWITCHBOARD_PORT")) && !util_parse_i64(e, &v))
		cfg.port = (int)v;
	if (cmdline_has(a, "port")) {
		if (number_opt(a, "port", "port", 0, 65535, &v))
			return 2;
		cfg.port = (int)v;
	}
	if (cmdline_has(a, "idle-timeout")) {
		if (number_opt(a, "idle-timeout", "idle timeout", 1, INT64_MAX, &v))
			return 2;
		cfg.idle_s = (double)v;
	}
	if (cmdline_has(a, "body-limit")) {
		if (number_opt(a, "body-limit", "body limit", 1024, INT64_MAX, &v))
			return 2;
		cfg.body_limit = (size_t)v;
	}
	if (cmdline_has(a, "threads")) {
		if (number_opt(a, "threads", "thread count", 1, 64, &v))
			return 2;
		cfg.threads = (unsigned)v;
	}
	cfg.allowed_hosts = cmdline_get(a, "allowed-hosts");
	cfg.allowed_origins = cmdline_get(a, "allowed-origins");
	/* a demo or the conformance fixtures may start from nothing */
	if (refuse_retired_env() || database_open(db, cmdline_has(a, "demo") || cmdline_has(a, "conformance")
						  ? DATABASE_CREATE : DATABASE_EXISTING))
		return 1;
	if (demo && !conformance && demo_bootstrap(db))
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
	if (!conformance && sip_ua_start(database_dir(db, dir, sizeof(dir))))
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

int serve_cmd_stdio(const struct cmdline_args *a)
{
	const char *key;
	struct principal who;
	int conformance = cmdline_has(a, "conformance"), r;

	signal(SIGPIPE, SIG_IGN);
	if (refuse_retired_env() || database_open(database_path(cmdline_get(a, "db")), DATABASE_EXISTING))
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
