/*
 * fuzz_gate.c - the HTTP request gate (gate.c) on random method, path and
 * header values, with a real store behind it: one account, a key with every
 * scope (its text may appear in the input as "@KEY@"), a live call.
 *
 * Input: up to 13 fields separated by '\n', in the order of struct gate_req
 * (method, url, host, origin, accept, content_type, content_length,
 * authorization, x_api_key, account_id, persona_id, call_id, caller); a
 * field "-" means the header is absent. Checks: the verdict is one of the
 * statuses the gate documents, its message is NUL-terminated and set for
 * every refusal, a passed request names a route and, on /call/mcp, a call
 * that belongs to the key's account; a request without a usable key never
 * passes an authenticated route.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mcp/auth.h"
#include "transport/gate.h"
#include "base/log.h"
#include "store/store.h"
#include "base/util.h"
#include "fuzz_store.h"

static char key[AUTH_KEY_MAX];
static int ready;
static int64_t account;


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[24];
	int64_t asst = 0, call = 0;

	log_set_level(LOG_ERROR);
	account = fuzz_store_open("gate", &asst, &call);
	if (auth_key_create(account, AUTH_SCOPE_ALL, "fuzz", key, prefix))
		abort();
	atexit(fuzz_store_remove);
	ready = 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f[13] = { 0 };
	char *copy, *p, *line;
	struct gate_cfg cfg = { "127.0.0.1", "switchboard.test", "https://app.test", 1024, 16, 1, 1 };
	struct gate_verdict v;
	int n = 0;

	if (!ready)
		LLVMFuzzerInitialize(NULL, NULL);
	if (size > 4096)
		return 0;
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (p = copy; n < 13 && (line = strsep(&p, "\n")); n++) {
		if (!strcmp(line, "-"))
			continue;
		if (!strcmp(line, "@KEY@"))
			f[n] = key;
		else if (!strcmp(line, "@BEARER@"))
			f[n] = NULL;	/* filled below */
		else
			f[n] = line;
	}
	char bearer[AUTH_KEY_MAX + 8];
	snprintf(bearer, sizeof(bearer), "Bearer %s", key);
	if (f[7] && !strcmp(f[7], "@BEARER@"))
		f[7] = bearer;
	struct gate_req in = { f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8],
			       f[9], f[10], f[11], f[12] };
	gate_check(&cfg, &in, &v);

	static const int known[] = { 0, 400, 401, 403, 404, 405, 406, 413, 415 };
	int ok = 0;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok |= v.status == known[i];
	if (!ok || memchr(v.message, '\0', sizeof(v.message)) == NULL)
		abort();
	if (v.status && !v.message[0])
		abort();
	if (!v.status) {
		if (v.route == GATE_NONE)
			abort();
		if (v.route != GATE_HEALTH && (!v.have_principal || v.who.account_id != account))
			abort();	/* passed without the key */
		if (v.route == GATE_CALL && v.call.account_id != account)
			abort();
	}
	free(copy);
	return 0;
}
