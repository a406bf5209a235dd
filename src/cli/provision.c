/* provision.c - accounts, API keys and phone numbers from the command line (see provision.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/provision.h"
#include "cli/cmdline.h"
#include "cli/database.h"
#include "mcp/auth.h"
#include "mcp/schema.h"
#include "sip/trunk.h"
#include "store/store.h"
#include "base/tz.h"
#include "base/util.h"

static int open_db(const struct cmdline_args *a)
{
	return database_open(database_path(cmdline_get(a, "db")), DATABASE_EXISTING);
}

/* --account ID when given: a positive id into *out (0 when absent), or a
 * message and -1. */
static int account_opt(const struct cmdline_args *a, int64_t *out)
{
	const char *v = cmdline_get(a, "account");

	*out = 0;
	if (v && (util_parse_i64(v, out) || *out < 1)) {
		fprintf(stderr, "switchboard: invalid account id '%s'\n", v);
		return -1;
	}
	return 0;
}

static int print_json(json_t *l)
{
	char *t = l ? json_dumps(l, JSON_INDENT(2)) : NULL;

	puts(t ? t : "[]");
	free(t);
	json_decref(l);
	return l ? 0 : 1;
}

/* ---- account ---------------------------------------------------------------- */

int provision_cmd_account_create(const struct cmdline_args *a)
{
	const char *name = cmdline_get(a, "name"), *tz = cmdline_get_or(a, "timezone", "UTC");
	const char *bal = cmdline_get(a, "balance");
	int64_t id, micros = 0;

	if (!*name) {
		fputs("switchboard: account create needs --name\n", stderr);
		return 2;
	}
	if (bal && util_parse_money(bal, &micros)) {
		fprintf(stderr, "switchboard: invalid --balance '%s': a amount of USD such as 25 or "
			"12.50 (at most 6 decimals, not negative)\n", bal);
		return 2;
	}
	if (!tz_exists(tz)) {
		fprintf(stderr, "switchboard: unknown --timezone '%s': an IANA zone such as "
			"Europe/Berlin or America/New_York\n", tz);
		return 2;
	}
	if (database_open(database_path(cmdline_get(a, "db")), DATABASE_CREATE))
		return 1;
	if (store_account_create(name, tz, micros, &id))
		return 1;
	printf("%lld\n", (long long)id);
	return 0;
}

int provision_cmd_account_list(const struct cmdline_args *a)
{
	if (open_db(a))
		return 1;
	return print_json(store_account_list());
}

/* ---- key -------------------------------------------------------------------- */

int provision_cmd_key_create(const struct cmdline_args *a)
{
	const char *scopes_s = cmdline_get_or(a, "scopes", "read");
	char key[AUTH_KEY_MAX], prefix[24];
	struct store_account acc;
	int64_t account;
	unsigned scopes;

	if (account_opt(a, &account))
		return 2;
	if (open_db(a))
		return 1;
	if (store_account_get(account, &acc)) {
		fputs("switchboard: key create needs --account with an existing account id\n", stderr);
		return 2;
	}
	if (auth_scopes_parse(scopes_s, &scopes)) {
		fprintf(stderr, "switchboard: unknown scope in '%s' (read, write, spend, admin, incall)\n",
			scopes_s);
		return 2;
	}
	if (auth_key_create(account, scopes, cmdline_get_or(a, "label", ""), key, prefix))
		return 1;
	printf("%s\n", key);
	return 0;
}

int provision_cmd_key_list(const struct cmdline_args *a)
{
	int64_t account;
	json_t *l, *k;
	size_t i;

	if (account_opt(a, &account))
		return 2;
	if (open_db(a))
		return 1;
	if (!(l = store_key_list(account)))
		return 1;
	json_array_foreach(l, i, k) {
		char sc[64];
		auth_scopes_format((unsigned)json_integer_value(json_object_get(k, "scopes")), sc, sizeof(sc));
		json_object_set_new(k, "scopes", json_string(sc));
	}
	return print_json(l);
}

int provision_cmd_key_revoke(const struct cmdline_args *a)
{
	const char *prefix = a->pos[0];
	int r;

	if (open_db(a))
		return 1;
	r = store_key_revoke(prefix);
	if (r) {
		fprintf(stderr, r == STORE_CONFLICT ? "switchboard: key '%s' was revoked already\n"
			: r == STORE_NOTFOUND ? "switchboard: no key with prefix '%s'\n"
			: "switchboard: cannot revoke key '%s': store error\n", prefix);
		return 1;
	}
	printf("revoked %s\n", prefix);
	return 0;
}

/* ---- number ----------------------------------------------------------------- */

/* number add (set_trunk 0) or number trunk (1): the checks, then the row. Only
 * add declares --type, --sms and --country. */
static int number_cmd(const struct cmdline_args *a, int set_trunk)
{
	const char *number = cmdline_get(a, "number");
	const char *type = set_trunk ? "outbound" : cmdline_get_or(a, "type", "outbound");
	const char *pw_env = cmdline_get(a, "trunk-password-env");
	const char *proxy = cmdline_get(a, "trunk-proxy"), *registrar = cmdline_get(a, "trunk-registrar");
	const char *transport = cmdline_get(a, "trunk-transport"), *user = cmdline_get(a, "trunk-username");
	const char *caller_id = cmdline_get(a, "trunk-caller-id"), *domain = cmdline_get(a, "trunk-domain");
	char err[256], *trunk = NULL;
	int64_t account, id;
	int r;

	if (account_opt(a, &account))
		return 2;
	if (!schema_is_e164(number)) {
		fprintf(stderr, "switchboard: --number '%s' is not an E.164 number (+ and the country "
			"code, e.g. +4930123456)\n", number);
		return 2;
	}
	if (strcmp(type, "inbound") && strcmp(type, "outbound")) {
		fprintf(stderr, "switchboard: --type '%s' is not inbound or outbound\n", type);
		return 2;
	}
	if (pw_env && (!getenv(pw_env) || !*getenv(pw_env))) {
		fprintf(stderr, "switchboard: the environment variable '%s' is empty\n", pw_env);
		return 2;
	}
	if (open_db(a))
		return 1;
	if (proxy || registrar || transport || user || pw_env || caller_id || domain || set_trunk) {
		trunk = sip_trunk_build(proxy, registrar, transport, user,
					pw_env ? getenv(pw_env) : NULL, caller_id, domain, err, sizeof err);
		if (!trunk) {
			fprintf(stderr, "switchboard: bad trunk: %s\n", err);
			return 2;
		}
	}
	if (set_trunk) {
		struct store_voice_line line;
		r = store_voice_line_by_number(number, &line);
		if (!r && line.account_id != account)
			r = STORE_NOTFOUND;
		id = line.phone_id;
	} else {
		r = store_phone_number_insert(account, number, type, cmdline_has(a, "sms"),
					      cmdline_get(a, "country"), &id);
	}
	if (!r && trunk)
		r = store_phone_number_set_trunk(account, id, trunk);
	free(trunk);
	if (r) {
		fprintf(stderr, "switchboard: cannot %s number '%s': %s\n",
			set_trunk ? "set the trunk of" : "add", number,
			r == STORE_CONFLICT ? "it exists already" : r == STORE_INVALID
			? "no such account or bad value" : r == STORE_NOTFOUND
			? "the account has no such number" : "store error");
		return 1;
	}
	printf("%lld\n", (long long)id);
	return 0;
}

int provision_cmd_number_add(const struct cmdline_args *a)
{
	return number_cmd(a, 0);
}

int provision_cmd_number_trunk(const struct cmdline_args *a)
{
	return number_cmd(a, 1);
}

int provision_cmd_number_list(const struct cmdline_args *a)
{
	const char *type = cmdline_get(a, "type");
	int64_t account;

	if (account_opt(a, &account))
		return 2;
	if (type && strcmp(type, "inbound") && strcmp(type, "outbound")) {
		fprintf(stderr, "switchboard: --type '%s' is not inbound or outbound\n", type);
		return 2;
	}
	if (open_db(a))
		return 1;
	return print_json(store_phone_numbers_list(account, type));
}
