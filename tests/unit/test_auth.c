/* test_auth.c - keys are random, hashed, verified, revocable; scopes parse. */
#include <stdio.h>
#include <string.h>
#include "mcp/auth.h"
#include "fixture.h"
#include "store/store.h"
#include "test.h"

TEST(scopes_roundtrip)
{
	unsigned s;
	char out[64];
	REQUIRE(auth_scopes_parse("read,write, spend", &s) == 0);
	CHECK(s == (AUTH_SCOPE_READ | AUTH_SCOPE_WRITE | AUTH_SCOPE_SPEND));
	auth_scopes_format(s, out, sizeof(out));
	CHECK_STR(out, "read,write,spend");
	CHECK(auth_scopes_parse("read,fly", &s) == -1);
	CHECK(auth_scopes_parse("", &s) == -1);
	CHECK(auth_scopes_parse("all", &s) == 0 && s == AUTH_SCOPE_ALL);
}

TEST(key_create_verify_revoke)
{
	char key[AUTH_KEY_MAX], bad[AUTH_KEY_MAX];
	struct principal p;
	long long id = fixture_account("auth-a", AUTH_SCOPE_READ, key);

	REQUIRE(id > 0);
	CHECK(strncmp(key, "sb_", 3) == 0);
	CHECK(strlen(key) == 3 + 8 + 1 + 64);
	REQUIRE(auth_verify(key, &p) == 0);
	CHECK(p.account_id == id);
	CHECK(p.scopes == AUTH_SCOPE_READ);
	CHECK(strncmp(p.key_prefix, key + 3, 8) == 0);
	/* one changed character in the secret is refused */
	memcpy(bad, key, sizeof(bad));
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'a' ? 'b' : 'a';
	CHECK(auth_verify(bad, &p) == -1);
	CHECK(auth_verify("sb_", &p) == -1);
	CHECK(auth_verify("nope", &p) == -1);
	CHECK(auth_verify(NULL, &p) == -1);
	/* revoked keys stop working */
	REQUIRE(store_key_revoke(p.key_prefix) == 0);
	CHECK(auth_verify(key, &p) == -1);
}

TEST(key_never_stored_in_clear)
{
	char key[AUTH_KEY_MAX];
	struct store_key row;
	REQUIRE(fixture_account("auth-b", AUTH_SCOPE_ALL, key) > 0);
	char prefix[9];
	memcpy(prefix, key + 3, 8);
	prefix[8] = '\0';
	REQUIRE(store_key_by_prefix(prefix, &row) == 0);
	/* the row holds a 32-byte hash, which is not the secret's bytes */
	CHECK(memcmp(row.hash, key + 12, 32) != 0);
}

TEST(key_from_headers)
{
	CHECK_STR(auth_key_from_headers("Bearer abc", NULL), "abc");
	CHECK_STR(auth_key_from_headers("bearer   abc", NULL), "abc");
	CHECK_STR(auth_key_from_headers(NULL, "xyz"), "xyz");
	CHECK_STR(auth_key_from_headers("Basic zzz", "xyz"), "xyz");
	CHECK(auth_key_from_headers("Basic zzz", NULL) == NULL);
	CHECK(auth_key_from_headers("Bearer ", "") == NULL);
}

TEST(key_recheck)
{
	char key[AUTH_KEY_MAX];
	struct principal p, now, forged;

	REQUIRE(fixture_account("auth-c", AUTH_SCOPE_READ | AUTH_SCOPE_WRITE, key) > 0);
	REQUIRE(auth_verify(key, &p) == 0);
	REQUIRE(auth_recheck(&p, &now) == 0);
	CHECK(now.account_id == p.account_id && now.scopes == p.scopes);
	CHECK(memcmp(now.key_hash, p.key_hash, 32) == 0);
	/* a principal whose hash is not the stored one is refused */
	forged = p;
	forged.key_hash[0] ^= 1;
	CHECK(auth_recheck(&forged, &now) == -1);
	snprintf(forged.key_prefix, sizeof(forged.key_prefix), "ffffffff");
	CHECK(auth_recheck(&forged, &now) == -1);
	/* revocation is seen at once; the same struct may be in and out */
	REQUIRE(store_key_revoke(p.key_prefix) == 0);
	CHECK(auth_recheck(&p, &p) == -1);
}

const struct unit_test auth_tests[] = {
	T(scopes_roundtrip), T(key_create_verify_revoke), T(key_never_stored_in_clear),
	T(key_from_headers), T(key_recheck), { 0 }
};
