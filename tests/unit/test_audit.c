/* test_audit.c - the audit trail's bounds: big values, big argument texts and
 * deep nesting are stored bounded, through audit_record as tools use it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "test.h"
#include "mcp/audit.h"
#include "mcp/auth.h"
#include "fixture.h"
#include "store/store.h"
#include "base/util.h"

/* The newest audit row of the account (a new reference), or NULL. */
static json_t *last_row(long long account)
{
	json_t *l = store_audit_list(account, 1);
	json_t *r = json_incref(json_array_get(l, 0));
	json_decref(l);
	return r;
}

static void principal_of(long long account, struct principal *p)
{
	memset(p, 0, sizeof(*p));
	p->account_id = account;
	snprintf(p->key_prefix, sizeof(p->key_prefix), "0badcafe");
	p->scopes = AUTH_SCOPE_READ;
}

/* The stored text's size: the store keeps what json_dumps wrote. */
static size_t stored_size(const json_t *args)
{
	char *t = json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS |
			     JSON_REAL_PRECISION(15));
	size_t n = t ? strlen(t) : 0;
	free(t);
	return n;
}

TEST(audit_truncates_big_values)
{
	char key[AUTH_KEY_MAX], want[160], hex[65];
	unsigned char h[32];
	struct principal p;
	size_t n = (size_t)1 << 20;
	long long acc = fixture_account("Audit values", AUTH_SCOPE_READ, key);
	char *big = malloc(n + 1);

	REQUIRE(acc > 0 && big);
	memset(big, 'a', n);
	big[n] = '\0';
	crypto_hash_sha256(h, (const unsigned char *)big, n);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(want, sizeof(want), "\xe2\x80\xa6[truncated %zu bytes sha256:%s]", n, hex);

	json_t *args = json_pack("{s:s, s:s}", "assistant_name", "x", "system_prompt", big);
	principal_of(acc, &p);
	audit_record(&p, "http", "create_assistant", args, "denied", NULL, 1.0);
	audit_flush();
	json_t *row = last_row(acc);
	REQUIRE(row);
	json_t *a = json_object_get(row, "arguments");
	CHECK_STR(json_string_value(json_object_get(a, "assistant_name")), "x");
	const char *v = json_string_value(json_object_get(a, "system_prompt"));
	REQUIRE(v);
	CHECK(strlen(v) <= AUDIT_VALUE_MAX + 160);
	CHECK(!strncmp(v, "aaaaaaaa", 8));
	CHECK(strstr(v, want) != NULL);
	CHECK(strlen(v) >= strlen(want) && !strcmp(v + strlen(v) - strlen(want), want));
	CHECK(stored_size(a) <= AUDIT_ARGS_MAX_DEFAULT);
	json_decref(row);
	json_decref(args);
	free(big);
}

TEST(audit_bounds_the_whole_text)
{
	char key[AUTH_KEY_MAX], k[16], val[901];
	struct principal p;
	long long acc = fixture_account("Audit total", AUTH_SCOPE_READ, key);
	json_t *args = json_object();

	REQUIRE(acc > 0);
	/* every value under the per-value bound, together ~90 KB */
	memset(val, 'b', sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	for (int i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "f%03d", i);
		json_object_set_new(args, k, json_string(val));
	}
	principal_of(acc, &p);
	audit_record(&p, "http", "update_assistant", args, "denied", NULL, 1.0);
	audit_flush();
	json_t *row = last_row(acc);
	REQUIRE(row);
	json_t *a = json_object_get(row, "arguments");
	CHECK(stored_size(a) <= AUDIT_ARGS_MAX_DEFAULT);
	CHECK(json_is_string(a) && strstr(json_string_value(a), "[truncated ") &&
	      strstr(json_string_value(a), " bytes sha256:"));
	/* it starts like the arguments did */
	CHECK(json_is_string(a) && !strncmp(json_string_value(a), "{\"f000\":\"bbbb", 13));
	json_decref(row);
	json_decref(args);
}

struct deep_job {
	long long account;
	int depth;
	json_t *args;   /* freed by the test: json_decref recurses too */
};

static void *deep_main(void *arg)
{
	struct deep_job *j = arg;
	struct principal p;
	json_t *inner = json_string("bottom"), *args;

	for (int i = 0; i < j->depth; i++) {
		json_t *a = json_array();
		json_array_append_new(a, inner);
		inner = a;
	}
	args = json_pack("{s:o}", "nested", inner);
	principal_of(j->account, &p);
	audit_record(&p, "http", "create_assistant", args, "invalid", NULL, 1.0);
	j->args = args;
	return NULL;
}

static int depth_of(const json_t *v)
{
	int d = 0;
	while (json_is_array(v)) {
		v = json_array_get(v, 0);
		d++;
	}
	return d;
}

TEST(audit_bounds_depth)
{
	char key[AUTH_KEY_MAX];
	long long acc = fixture_account("Audit depth", AUTH_SCOPE_READ, key);
	struct deep_job j = { acc, 2000, NULL };
	pthread_attr_t a;
	pthread_t t;

	REQUIRE(acc > 0);
	/* a worker-sized stack: recursion as deep as the input overflows it */
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 256 * 1024);
	REQUIRE(pthread_create(&t, &a, deep_main, &j) == 0);
	pthread_join(t, NULL);
	pthread_attr_destroy(&a);
	json_decref(j.args);
	audit_flush();
	json_t *row = last_row(acc);
	REQUIRE(row);
	json_t *n = json_object_get(json_object_get(row, "arguments"), "nested");
	REQUIRE(n);
	CHECK(depth_of(n) <= AUDIT_DEPTH_MAX);
	/* the cut subtree is a marker string */
	json_t *leaf = n;
	while (json_is_array(leaf))
		leaf = json_array_get(leaf, 0);
	CHECK(json_is_string(leaf) && strstr(json_string_value(leaf), "depth"));
	json_decref(row);
}

TEST(audit_text_bound_is_exact)
{
	/* quotes and backslashes double when the prefix becomes a JSON string */
	json_t *args = json_object();
	char k[16];

	for (int i = 0; i < 400; i++) {
		snprintf(k, sizeof(k), "q%03d", i);
		json_object_set_new(args, k, json_string("\"\\\"\\"));
	}
	for (size_t max = 1024; max <= 4096; max += 511) {
		char *t = audit_args_text(args, max);
		REQUIRE(t);
		CHECK(strlen(t) <= max);
		CHECK(strlen(t) > max - 200);   /* the room is used, not wasted */
		json_t *back = json_loads(t, JSON_DECODE_ANY, NULL);
		CHECK(json_is_string(back) && strstr(json_string_value(back), "[truncated "));
		json_decref(back);
		free(t);
	}
	char *small = audit_args_text(args, 1 << 20);   /* under the bound: as it was */
	CHECK(small && small[0] == '{');
	free(small);
	json_decref(args);
}

TEST(audit_redacts_in_deep_headers)
{
	json_t *args = json_loads("{\"headers\":[{\"name\":\"X-Key\",\"value\":\"sk-1\"}],"
				  "\"api_token\":\"t\",\"a\":{\"password\":\"p\"}}", 0, NULL);
	REQUIRE(args);
	char *t = audit_args_text(args, AUDIT_ARGS_MAX_DEFAULT);
	REQUIRE(t);
	CHECK(!strstr(t, "sk-1") && !strstr(t, "\"t\"") && !strstr(t, "\"p\""));
	CHECK(strstr(t, "X-Key") != NULL);
	free(t);
	json_decref(args);
}

TEST(audit_retention_sweep)
{
	char key[AUTH_KEY_MAX];
	long long acc = fixture_account("Audit sweep", AUTH_SCOPE_READ, key);
	struct store_audit_row *rows = calloc(2600, sizeof(*rows));
	double now = util_now(), day = 86400.0;
	long n = -1;

	REQUIRE(acc > 0 && rows);
	/* 2500 rows 100 days old, 100 rows 10 days old */
	for (int i = 0; i < 2600; i++) {
		rows[i].ts = now - (i < 2500 ? 100 : 10) * day + i;
		rows[i].account_id = acc;
		snprintf(rows[i].tool, sizeof(rows[i].tool), "%s", i < 2500 ? "old" : "recent");
		snprintf(rows[i].outcome, sizeof(rows[i].outcome), "ok");
		rows[i].args_json = "{}";
	}
	REQUIRE(store_audit_insert(rows, 2600) == STORE_OK);
	free(rows);
	/* one call deletes them in batches of 1000 (3 statements) */
	CHECK(audit_sweep(now - 30 * day, &n) == 0);
	CHECK(n == 2500);
	json_t *l = store_audit_list(acc, 1000);
	CHECK(json_array_size(l) == 100);
	CHECK_STR(json_string_value(json_object_get(json_array_get(l, 99), "tool")), "recent");
	json_decref(l);
	/* nothing older left: a second sweep deletes nothing */
	CHECK(audit_sweep(now - 30 * day, &n) == 0 && n == 0);
	/* the per-call cap: 20 batches, then "more" */
	rows = calloc(21000, sizeof(*rows));
	REQUIRE(rows);
	for (int i = 0; i < 21000; i++) {
		rows[i].ts = now - 50 * day;
		rows[i].account_id = acc;
		snprintf(rows[i].tool, sizeof(rows[i].tool), "older");
		snprintf(rows[i].outcome, sizeof(rows[i].outcome), "ok");
	}
	REQUIRE(store_audit_insert(rows, 21000) == STORE_OK);
	free(rows);
	CHECK(audit_sweep(now - 30 * day, &n) == 1 && n == 20000);
	CHECK(audit_sweep(now - 30 * day, &n) == 0 && n == 1000);
}

const struct unit_test audit_tests[] = {
	T(audit_truncates_big_values), T(audit_bounds_the_whole_text), T(audit_bounds_depth),
	T(audit_text_bound_is_exact), T(audit_redacts_in_deep_headers), T(audit_retention_sweep),
	{ 0 }
};
