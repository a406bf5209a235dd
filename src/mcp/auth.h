/*
 * auth.h - API keys: creation, parsing, verification and scopes.
 *
 * A key looks like "sb_<prefix>_<secret>": the prefix (8 lowercase hex chars)
 * identifies it in listings, logs and the audit trail; the secret is 32
 * random bytes (64 hex chars). Only SHA-256 of the whole key is stored; the
 * key itself is shown once at creation and never logged. Verification looks
 * the prefix up and compares hashes in constant time.
 *
 * Scopes are bits; a tool declares the one it needs in the tool table and the
 * central check in tool.c enforces it.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stdint.h>
#include <stddef.h>

enum auth_scope {
	AUTH_SCOPE_READ   = 1u << 0,  /* read tools */
	AUTH_SCOPE_WRITE  = 1u << 1,  /* tools that change data */
	AUTH_SCOPE_SPEND  = 1u << 2,  /* tools that spend money (calls, SMS) */
	AUTH_SCOPE_ADMIN  = 1u << 3,  /* account administration */
	AUTH_SCOPE_INCALL = 1u << 4,  /* the in-call endpoint */
};
#define AUTH_SCOPE_ALL 0x1fu

/* Who is calling: filled by auth_verify, carried by every request. */
struct principal {
	int64_t account_id;
	char key_prefix[24];
	char key_created_at[32];  /* when the key was made (ISO 8601) */
	unsigned scopes;
	unsigned char key_hash[32];
};

/* "read,write" <-> bits. Parse returns -1 on an unknown name. */
int auth_scopes_parse(const char *s, unsigned *out);
void auth_scopes_format(unsigned scopes, char *out, size_t outlen);
const char *auth_scope_name(unsigned one_scope);

/* Create and store a key; the key text (NUL-terminated) goes to `key_out`
 * (at least AUTH_KEY_MAX bytes). */
#define AUTH_KEY_MAX 96
int auth_key_create(int64_t account_id, unsigned scopes, const char *label,
		    char *key_out, char *prefix_out);

/* 0 and *p filled when `key` is valid and not revoked; -1 otherwise. */
int auth_verify(const char *key, struct principal *p);
/* auth_verify notes a key's use (last_used_at) at most this often. */
#define AUTH_TOUCH_EVERY_S 60
/* The same check again for a principal auth_verify made, without the key
 * text (its prefix and hash): 0 and *now filled with the key's current
 * scopes when it still exists and is not revoked; -1 when it is revoked or
 * gone; -2 when the store cannot answer. For transports that keep one
 * principal for long (stdio). `was` and `now` may be the same struct. */
int auth_recheck(const struct principal *was, struct principal *now);

/* Pull the key out of "Bearer <key>" / an X-API-Key value; NULL if none. */
const char *auth_key_from_headers(const char *authorization,
				  const char *x_api_key);

#endif
