/* auth.c - API keys and scopes (see auth.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "mcp/auth.h"
#include "store/store.h"
#include "base/util.h"

static const struct { unsigned bit; const char *name; } scope_names[] = {
	{ AUTH_SCOPE_READ, "read" },
	{ AUTH_SCOPE_WRITE, "write" },
	{ AUTH_SCOPE_SPEND, "spend" },
	{ AUTH_SCOPE_ADMIN, "admin" },
	{ AUTH_SCOPE_INCALL, "incall" },
};
#define NSCOPES (sizeof(scope_names) / sizeof(scope_names[0]))

const char *auth_scope_name(unsigned one_scope)
{
	for (size_t i = 0; i < NSCOPES; i++)
		if (scope_names[i].bit == one_scope)
			return scope_names[i].name;
	return "unknown";
}

int auth_scopes_parse(const char *s, unsigned *out)
{
	unsigned bits = 0;
	const char *p = s;

	while (*p) {
		size_t n = strcspn(p, ", ");
		size_t i;
		if (n) {
			for (i = 0; i < NSCOPES; i++)
				if (strlen(scope_names[i].name) == n &&
				    !strncmp(p, scope_names[i].name, n))
					break;
			if (i == NSCOPES) {
				if (n == 3 && !strncmp(p, "all", 3))
					bits |= AUTH_SCOPE_ALL;
				else
					return -1;
			} else {
				bits |= scope_names[i].bit;
			}
		}
		p += n;
		p += strspn(p, ", ");
	}
	*out = bits;
	return bits ? 0 : -1;
}

void auth_scopes_format(unsigned scopes, char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < NSCOPES; i++) {
		if (!(scopes & scope_names[i].bit))
			continue;
		int n = snprintf(out + used, outlen - used, "%s%s",
				 used ? "," : "", scope_names[i].name);
		if (n < 0 || (size_t)n >= outlen - used)
			return;
		used += (size_t)n;
	}
}

int auth_key_create(int64_t account_id, unsigned scopes, const char *label,
		    char *key_out, char *prefix_out)
{
	char prefix[9], secret[65];
	unsigned char hash[32];
	int tries;

	for (tries = 0; tries < 5; tries++) {
		util_random_hex(prefix, 4);
		util_random_hex(secret, 32);
		snprintf(key_out, AUTH_KEY_MAX, "sb_%s_%s", prefix, secret);
		util_sha256(key_out, strlen(key_out), hash);
		int r = store_key_insert(account_id, prefix, hash, scopes, label);
		if (r == STORE_CONFLICT)
			continue;
		if (r)
			return -1;
		if (prefix_out)
			memcpy(prefix_out, prefix, sizeof(prefix));
		return 0;
	}
	return -1;
}

int auth_verify(const char *key, struct principal *p)
{
	struct store_key row;
	char prefix[24];
	unsigned char hash[32];
	size_t len;
	const char *us;

	if (!key || strncmp(key, "sb_", 3))
		return -1;
	len = strlen(key);
	if (len > AUTH_KEY_MAX)
		return -1;
	us = strchr(key + 3, '_');
	if (!us || (size_t)(us - (key + 3)) >= sizeof(prefix) || us == key + 3)
		return -1;
	memcpy(prefix, key + 3, (size_t)(us - (key + 3)));
	prefix[us - (key + 3)] = '\0';
	if (store_key_by_prefix(prefix, &row))
		return -1;
	util_sha256(key, len, hash);
	if (!util_ct_equal(hash, row.hash, 32) || row.revoked)
		return -1;
	memset(p, 0, sizeof(*p));
	p->account_id = row.account_id;
	snprintf(p->key_prefix, sizeof(p->key_prefix), "%s", row.prefix);
	snprintf(p->key_created_at, sizeof(p->key_created_at), "%s", row.created_at);
	p->scopes = row.scopes;
	memcpy(p->key_hash, hash, 32);
	/* last_used_at, written at most once a minute per key: the read above
	 * tells when, so a busy key costs no write per request */
	if ((int64_t)util_now() - row.last_used >= AUTH_TOUCH_EVERY_S)
		store_key_touch(row.prefix);
	return 0;
}

int auth_recheck(const struct principal *was, struct principal *now)
{
	struct store_key row;
	unsigned char hash[32];
	int rc;

	memcpy(hash, was->key_hash, sizeof(hash));
	rc = store_key_by_prefix(was->key_prefix, &row);
	if (rc == STORE_NOTFOUND)
		return -1;
	if (rc)
		return -2;
	if (!util_ct_equal(hash, row.hash, 32) || row.revoked || row.account_id != was->account_id)
		return -1;
	memset(now, 0, sizeof(*now));
	now->account_id = row.account_id;
	snprintf(now->key_prefix, sizeof(now->key_prefix), "%s", row.prefix);
	now->scopes = row.scopes;
	memcpy(now->key_hash, hash, 32);
	return 0;
}

const char *auth_key_from_headers(const char *authorization,
				  const char *x_api_key)
{
	if (authorization && !strncasecmp(authorization, "Bearer ", 7)) {
		const char *k = authorization + 7;
		while (*k == ' ')
			k++;
		if (*k)
			return k;
	}
	if (x_api_key && *x_api_key)
		return x_api_key;
	return NULL;
}
