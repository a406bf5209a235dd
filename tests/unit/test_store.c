/* test_store.c - the SQLite store: migrations, tenancy, assistants, audit. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <sqlite3.h>
#include "test.h"
#include "store/store.h"
#include "mcp/auth.h"

/* ---- a fresh database file per test ------------------------------------ */

struct tdb {
	char path[64];
};

static int tdb_open(struct tdb *t)
{
	char err[256] = "";
	int from = -1, to = -1, fd;

	snprintf(t->path, sizeof t->path, "/tmp/store_test_XXXXXX");
	fd = mkstemp(t->path);
	if (fd < 0)
		return -1;
	close(fd);
	if (store_open(t->path, err, sizeof err)) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	return store_migrate(&from, &to);
}

static void tdb_close(struct tdb *t)
{
	char p[80];

	store_thread_release();
	unlink(t->path);
	snprintf(p, sizeof p, "%s-wal", t->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", t->path);
	unlink(p);
}

/* Run SQL on a second, private connection (rows the store API cannot make
 * yet: mid-call tools, calls, SMS). */
static int raw_exec(const struct tdb *t, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open(t->path, &db);

	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			fprintf(stderr, "  raw sql: %s\n", sqlite3_errmsg(db));
	}
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_int_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static int64_t new_account(const char *name)
{
	int64_t id = 0;
	return store_account_create(name, "Europe/Berlin", 1000000, &id) ? 0 : id;
}

static int64_t new_assistant(int64_t acc, const char *name)
{
	json_t *f = json_pack("{s:s}", "assistant_name", name);
	int64_t id = 0;
	int rc = store_assistant_insert(acc, f, &id);
	json_decref(f);
	return rc ? -1 : id;
}

/* ---- lifecycle ---------------------------------------------------------- */

TEST(store_open_migrate)
{
	struct tdb t;
	char err[256];
	int from = -1, to = -1;

	snprintf(t.path, sizeof t.path, "/tmp/store_test_XXXXXX");
	int fd = mkstemp(t.path);
	REQUIRE(fd >= 0);
	close(fd);
	REQUIRE(store_open(t.path, err, sizeof err) == STORE_OK);
	CHECK(store_ping() == STORE_OK);
	CHECK(store_schema_latest() >= 1);
	REQUIRE(store_migrate(&from, &to) == STORE_OK);
	CHECK(from == 0);
	CHECK(to == store_schema_latest());

	/* idempotent, also from a fresh connection */
	CHECK(store_migrate(&from, &to) == STORE_OK);
	CHECK(from == store_schema_latest() && to == from);
	store_thread_release();
	REQUIRE(store_open(t.path, err, sizeof err) == STORE_OK);
	CHECK(store_migrate(&from, &to) == STORE_OK);
	CHECK(from == to && to == store_schema_latest());
	CHECK(store_ping() == STORE_OK);

	/* WAL mode and user_version are on disk */
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	REQUIRE(sqlite3_open(t.path, &db) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == 0);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	CHECK(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == 0);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK(sqlite3_column_int(st, 0) == store_schema_latest());
	sqlite3_finalize(st);
	sqlite3_close(db);
	tdb_close(&t);
}

TEST(store_open_bad_path)
{
	char err[256] = "";

	CHECK(store_open("/nonexistent-dir/sub/x.db", err, sizeof err) ==
	      STORE_ERR);
	CHECK(strstr(err, "cannot open database '/nonexistent-dir/sub/x.db'"));
	CHECK(store_open("", err, sizeof err) < 0);
	store_thread_release();
}

struct tx_ctx {
	int64_t id;
	int fail;
};

static int tx_fn(void *arg)
{
	struct tx_ctx *c = arg;

	if (store_account_create("In Tx", NULL, 0, &c->id))
		return -1;
	/* a store function that opens its own (nested) transaction */
	if (new_assistant(c->id, "Nested") <= 0)
		return -1;
	return c->fail ? -42 : 0;
}

TEST(store_tx_commit_rollback)
{
	struct tdb t;
	struct tx_ctx c = { 0, 1 };
	struct store_account a;
	int64_t total = -1;

	REQUIRE(tdb_open(&t) == 0);
	/* a failing fn rolls back its writes, the nested ones included */
	CHECK(store_tx(tx_fn, &c) == -42);
	CHECK(c.id > 0);
	CHECK(store_account_get(c.id, &a) == STORE_NOTFOUND);
	json_t *p = store_assistant_page(c.id, 1, 10, &total);
	CHECK(p && total == 0);
	json_decref(p);

	c.fail = 0;
	CHECK(store_tx(tx_fn, &c) == STORE_OK);
	CHECK(store_account_get(c.id, &a) == STORE_OK);
	CHECK_STR(a.name, "In Tx");
	p = store_assistant_page(c.id, 1, 10, &total);
	CHECK(p && total == 1);
	json_decref(p);
	tdb_close(&t);
}

/* ---- accounts and keys -------------------------------------------------- */

TEST(store_accounts)
{
	struct tdb t;
	struct store_account a;
	int64_t id = 0, id2 = 0;
	char longname[200];

	REQUIRE(tdb_open(&t) == 0);
	REQUIRE(store_account_create("Acme GmbH", "Europe/Berlin", 5000000,
				     &id) == STORE_OK);
	CHECK(id > 0);
	REQUIRE(store_account_get(id, &a) == STORE_OK);
	CHECK(a.id == id);
	CHECK_STR(a.name, "Acme GmbH");
	CHECK_STR(a.timezone, "Europe/Berlin");
	CHECK(a.balance_micros == 5000000);
	CHECK(strlen(a.created_at) == 27 && a.created_at[10] == 'T' &&
	      a.created_at[26] == 'Z' && !strcmp(a.created_at + 23, "000Z"));
	CHECK(store_account_get(id + 100, &a) == STORE_NOTFOUND);

	CHECK(store_account_create("Other", NULL, 0, &id2) == STORE_OK);
	CHECK(store_account_get(id2, &a) == STORE_OK);
	CHECK_STR(a.timezone, "UTC");
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	CHECK(store_account_create(longname, NULL, 0, NULL) == STORE_INVALID);
	CHECK(store_account_create("", NULL, 0, NULL) == STORE_INVALID);

	json_t *list = store_account_list();
	REQUIRE(list);
	CHECK(json_array_size(list) == 2);
	CHECK_STR(jstr(json_array_get(list, 0), "name"), "Acme GmbH");
	CHECK(jint(json_array_get(list, 1), "id") == id2);
	json_decref(list);
	tdb_close(&t);
}

TEST(store_keys)
{
	struct tdb t;
	struct store_key k;
	unsigned char h1[32], h2[32];
	int64_t a, b;

	REQUIRE(tdb_open(&t) == 0);
	a = new_account("A");
	b = new_account("B");
	REQUIRE(a > 0 && b > 0);
	for (int i = 0; i < 32; i++) {
		h1[i] = (unsigned char)i;
		h2[i] = (unsigned char)(255 - i);
	}
	CHECK(store_key_insert(a, "0badcafe", h1, AUTH_SCOPE_READ |
			       AUTH_SCOPE_WRITE, "laptop") == STORE_OK);
	CHECK(store_key_insert(b, "12345678", h2, AUTH_SCOPE_ALL, NULL) ==
	      STORE_OK);
	CHECK(store_key_insert(b, "0badcafe", h2, AUTH_SCOPE_READ, "dup") ==
	      STORE_CONFLICT);
	CHECK(store_key_insert(a + 1000, "deadbeef", h1, 1, NULL) ==
	      STORE_INVALID);

	REQUIRE(store_key_by_prefix("0badcafe", &k) == STORE_OK);
	CHECK(k.account_id == a);
	CHECK_STR(k.prefix, "0badcafe");
	CHECK(!memcmp(k.hash, h1, 32));
	CHECK(k.scopes == (AUTH_SCOPE_READ | AUTH_SCOPE_WRITE));
	CHECK(k.revoked == 0);
	CHECK(store_key_by_prefix("ffffffff", &k) == STORE_NOTFOUND);

	json_t *l = store_key_list(a);
	REQUIRE(l);
	CHECK(json_array_size(l) == 1);
	CHECK_STR(jstr(json_array_get(l, 0), "label"), "laptop");
	CHECK(jint(json_array_get(l, 0), "scopes") == 3);
	CHECK(json_is_null(json_object_get(json_array_get(l, 0), "revoked_at")));
	json_decref(l);
	l = store_key_list(0);
	CHECK(l && json_array_size(l) == 2);
	json_decref(l);

	CHECK(store_key_revoke("0badcafe") == STORE_OK);
	/* again: told apart from an unknown prefix, the first time kept */
	CHECK(store_key_revoke("0badcafe") == STORE_CONFLICT);
	CHECK(store_key_revoke("ffffffff") == STORE_NOTFOUND);
	REQUIRE(store_key_by_prefix("0badcafe", &k) == STORE_OK);
	CHECK(k.revoked == 1);
	l = store_key_list(a);
	CHECK(l && jstr(json_array_get(l, 0), "revoked_at"));
	json_decref(l);
	REQUIRE(store_key_by_prefix("12345678", &k) == STORE_OK);
	CHECK(k.revoked == 0 && k.scopes == AUTH_SCOPE_ALL);
	tdb_close(&t);
}

/* ---- catalogs and demo -------------------------------------------------- */

TEST(store_catalogs)
{
	struct tdb t;
	json_t *m, *v, *l;
	size_t i, nv;
	json_t *e;

	REQUIRE(tdb_open(&t) == 0);
	m = store_models_list();
	CHECK(m && json_array_size(m) == 0);
	json_decref(m);
	REQUIRE(store_seed_catalogs() == STORE_OK);
	REQUIRE(store_seed_catalogs() == STORE_OK);

	m = store_models_list();
	v = store_voices_list(NULL);
	l = store_languages_list();
	REQUIRE(m && v && l);
	CHECK(json_array_size(m) >= 6);
	nv = json_array_size(v);
	CHECK(nv >= 8);
	CHECK(json_array_size(l) >= 10);
	CHECK_STR(jstr(json_array_get(m, 0), "provider"), "openai-compatible");
	int found_llama = 0;
	json_array_foreach(m, i, e)
		found_llama |= !strcmp(jstr(e, "name"), "llama-3.1-8b-instruct");
	CHECK(found_llama);
	int found_de = 0;
	json_array_foreach(l, i, e)
		if (!strcmp(jstr(e, "name"), "German"))
			found_de = !strcmp(jstr(e, "iso_2"), "de");
	CHECK(found_de);
	json_decref(m);
	json_decref(l);

	json_t *p = store_voices_list("pipeline");
	json_t *mm = store_voices_list("multimodal");
	REQUIRE(p && mm);
	CHECK(json_array_size(p) > 0 && json_array_size(mm) > 0);
	CHECK(json_array_size(p) < nv && json_array_size(mm) < nv);
	json_array_foreach(p, i, e)
		CHECK(strcmp(jstr(e, "mode"), "multimodal") != 0);
	json_array_foreach(mm, i, e)
		CHECK(strcmp(jstr(e, "mode"), "pipeline") != 0);
	CHECK(strstr(jstr(json_array_get(p, 0), "name"), "espeak-ng"));
	json_decref(p);
	json_decref(mm);
	json_decref(v);

	CHECK(store_voice_exists(1) == 1);
	CHECK(store_voice_exists(99999) == 0);
	tdb_close(&t);
}

TEST(store_demo_seed)
{
	struct tdb t;
	struct store_account a;
	int64_t acc = 0, again = 0, total = 0;

	REQUIRE(tdb_open(&t) == 0);
	REQUIRE(store_seed_demo(&acc) == STORE_OK);
	CHECK(acc > 0);
	CHECK(store_seed_demo(&again) == STORE_OK);
	CHECK(again == acc);
	REQUIRE(store_account_get(acc, &a) == STORE_OK);
	CHECK_STR(a.name, "Demo Company");
	CHECK_STR(a.timezone, "Europe/Berlin");
	CHECK(a.balance_micros == 25000000);

	json_t *n = store_phone_numbers_list(acc, NULL);
	REQUIRE(n);
	CHECK(json_array_size(n) == 2);
	json_decref(n);
	n = store_phone_numbers_list(acc, "outbound");
	REQUIRE(n && json_array_size(n) == 1);
	json_t *out = json_array_get(n, 0);
	CHECK(json_is_true(json_object_get(out, "sms_capable")));
	CHECK_STR(jstr(out, "type_label"), "Outbound");
	CHECK(json_is_false(json_object_get(out, "is_available")));
	int64_t out_number = jint(out, "id");
	json_decref(n);

	json_t *page = store_assistant_page(acc, 1, 10, &total);
	REQUIRE(page);
	CHECK(total == 2);
	CHECK_STR(jstr(json_array_get(page, 0), "assistant_name"), "Reception");
	CHECK_STR(jstr(json_array_get(page, 0), "calls_direction"), "receive");
	json_t *sales = json_array_get(page, 1);
	CHECK_STR(jstr(sales, "name"), "Outbound Sales");
	CHECK_STR(jstr(sales, "calls_direction"), "make");
	CHECK(jint(sales, "phone_number_id") == out_number);
	CHECK(json_array_size(json_object_get(sales, "post_call_schema")) == 3);
	CHECK(strlen(jstr(sales, "system_prompt")) > 100);
	json_decref(page);

	json_t *v = store_voices_list(NULL);
	CHECK(v && json_array_size(v) >= 8);
	json_decref(v);
	tdb_close(&t);
}

/* ---- assistants --------------------------------------------------------- */

TEST(store_assistant_defaults)
{
	struct tdb t;
	int64_t acc, id = 0;

	REQUIRE(tdb_open(&t) == 0);
	REQUIRE(store_seed_catalogs() == STORE_OK);
	acc = new_account("Acme");
	json_t *f = json_pack("{s:s, s:i, s:s, s:s, s:{s:s}, s:i, s:s}",
			      "assistant_name", "Support", "voice_id", 3,
			      "language", "German", "system_prompt", "Be brief.",
			      "variables", "team", "support",
			      "max_call_duration", 900, "custom_knob", "on");
	REQUIRE(store_assistant_insert(acc, f, &id) == STORE_OK);
	json_decref(f);

	json_t *a = store_assistant_get(acc, id);
	REQUIRE(a);
	CHECK(jint(a, "id") == id);
	CHECK_STR(jstr(a, "assistant_name"), "Support");
	CHECK_STR(jstr(a, "name"), "Support");
	CHECK_STR(jstr(a, "calls_direction"), "receive");
	CHECK_STR(jstr(a, "engine_type"), "pipeline");
	CHECK(jint(a, "voice_id") == 3);
	CHECK_STR(jstr(a, "language"), "German");
	CHECK_STR(jstr(a, "timezone"), "Europe/Berlin"); /* the account's */
	CHECK(json_is_null(json_object_get(a, "phone_number_id")));
	CHECK(json_is_null(json_object_get(a, "webhook_url")));
	CHECK(json_array_size(json_object_get(a, "tool_ids")) == 0);
	CHECK_STR(jstr(json_object_get(a, "variables"), "team"), "support");
	CHECK(json_is_array(json_object_get(a, "post_call_schema")));
	CHECK(json_real_value(json_object_get(a, "llm_temperature")) == 0.7);
	CHECK(json_is_true(json_object_get(a, "allow_interruptions")));
	CHECK(jint(a, "re_engagement_interval") == 30);
	CHECK(jint(a, "max_call_duration") == 900);
	CHECK(jint(a, "max_silence_duration") == 30);
	CHECK_STR(jstr(a, "who_speaks_first"), "AI assistant");
	CHECK(json_is_false(json_object_get(a, "record_call")));
	CHECK_STR(jstr(a, "endpoint_type"), "vad");
	CHECK(json_number_value(json_object_get(a, "endpoint_sensitivity")) == 3);
	CHECK(json_number_value(json_object_get(a, "interrupt_sensitivity")) == 3);
	CHECK(json_number_value(json_object_get(a, "ambient_sound_volume")) == 0);
	CHECK(json_number_value(json_object_get(a, "speech_speed")) == 1.0);
	CHECK_STR(jstr(a, "custom_knob"), "on");
	CHECK(jstr(a, "created_at") && jstr(a, "updated_at"));
	json_decref(a);

	/* refused: no name, bad enum, unknown voice, wrong kinds */
	int64_t bad = 0;
	f = json_pack("{s:s}", "language", "English");
	CHECK(store_assistant_insert(acc, f, &bad) == STORE_INVALID);
	json_decref(f);
	f = json_pack("{s:s, s:s}", "assistant_name", "X",
		      "calls_direction", "sideways");
	CHECK(store_assistant_insert(acc, f, &bad) == STORE_INVALID);
	json_decref(f);
	f = json_pack("{s:s, s:i}", "assistant_name", "X", "voice_id", 4242);
	CHECK(store_assistant_insert(acc, f, &bad) == STORE_INVALID);
	json_decref(f);
	f = json_pack("{s:s, s:s}", "assistant_name", "X",
		      "record_call", "yes");
	CHECK(store_assistant_insert(acc, f, &bad) == STORE_INVALID);
	json_decref(f);
	f = json_pack("{s:s, s:i}", "name", "Alias", "phone_number_id", 77);
	CHECK(store_assistant_insert(acc, f, &bad) == STORE_INVALID);
	json_decref(f);
	int64_t total = 0;
	json_t *p = store_assistant_page(acc, 1, 10, &total);
	CHECK(total == 1);
	json_decref(p);
	tdb_close(&t);
}

TEST(store_assistant_paging)
{
	struct tdb t;
	int64_t acc, ids[12], total = -1;
	char name[32];

	REQUIRE(tdb_open(&t) == 0);
	acc = new_account("Pager");
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof name, "Assistant %02d", i);
		ids[i] = new_assistant(acc, name);
		REQUIRE(ids[i] > 0);
	}
	json_t *p = store_assistant_page(acc, 1, 5, &total);
	REQUIRE(p);
	CHECK(total == 12);
	CHECK(json_array_size(p) == 5);
	for (size_t i = 0; i < json_array_size(p); i++)
		CHECK(jint(json_array_get(p, i), "id") == ids[i]);
	json_decref(p);

	p = store_assistant_page(acc, 3, 5, &total);
	REQUIRE(p);
	CHECK(json_array_size(p) == 2);
	CHECK(jint(json_array_get(p, 0), "id") == ids[10]);
	CHECK_STR(jstr(json_array_get(p, 1), "name"), "Assistant 11");
	json_decref(p);

	p = store_assistant_page(acc, 4, 5, &total);
	CHECK(p && json_array_size(p) == 0 && total == 12);
	json_decref(p);
	p = store_assistant_page(acc, 1, 1000, &total); /* clamped to 100 */
	CHECK(p && json_array_size(p) == 12);
	json_decref(p);
	p = store_assistant_page(acc, 0, 0, &total);    /* page 1, one item */
	CHECK(p && json_array_size(p) == 1);
	CHECK(jint(json_array_get(p, 0), "id") == ids[0]);
	json_decref(p);
	tdb_close(&t);
}

TEST(store_assistant_update_partial)
{
	struct tdb t;
	int64_t acc, id = 0;

	REQUIRE(tdb_open(&t) == 0);
	REQUIRE(store_seed_catalogs() == STORE_OK);
	acc = new_account("Upd");
	json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:i, s:f}",
			      "assistant_name", "Front Desk",
			      "webhook_url", "https://example.com/hook",
			      "system_prompt", "Old prompt",
			      "initial_message", "Hi!", "voice_id", 1,
			      "llm_temperature", 0.3);
	REQUIRE(store_assistant_insert(acc, f, &id) == STORE_OK);
	json_decref(f);
	json_t *before = store_assistant_get(acc, id);
	REQUIRE(before);

	f = json_pack("{s:I, s:s, s:f, s:b}", "id", (json_int_t)id,
		      "system_prompt", "New prompt", "speech_speed", 1.1,
		      "record_call", 1);
	CHECK(store_assistant_update(acc, id, f) == STORE_OK);
	json_decref(f);
	json_t *after = store_assistant_get(acc, id);
	REQUIRE(after);
	CHECK_STR(jstr(after, "system_prompt"), "New prompt");
	CHECK(json_real_value(json_object_get(after, "speech_speed")) == 1.1);
	CHECK(json_is_true(json_object_get(after, "record_call")));
	/* everything else is as it was */
	const char *same[] = { "assistant_name", "webhook_url", "initial_message",
			       "voice_id", "llm_temperature", "calls_direction",
			       "timezone", "created_at", "max_call_duration",
			       "tool_ids", "variables" };
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
		CHECK(json_equal(json_object_get(before, same[i]),
				 json_object_get(after, same[i])));
	CHECK(strcmp(jstr(after, "updated_at"), jstr(before, "updated_at")) >= 0);
	json_decref(after);

	/* null clears a column, and resets a setting to its default */
	f = json_pack("{s:n, s:n, s:s}", "webhook_url", "llm_temperature",
		      "assistant_name", "Renamed");
	CHECK(store_assistant_update(acc, id, f) == STORE_OK);
	json_decref(f);
	after = store_assistant_get(acc, id);
	REQUIRE(after);
	CHECK(json_is_null(json_object_get(after, "webhook_url")));
	CHECK(json_real_value(json_object_get(after, "llm_temperature")) == 0.7);
	CHECK_STR(jstr(after, "name"), "Renamed");
	CHECK_STR(jstr(after, "system_prompt"), "New prompt");
	json_decref(after);

	/* refused updates change nothing */
	f = json_pack("{s:s, s:n}", "system_prompt", "Lost", "assistant_name");
	CHECK(store_assistant_update(acc, id, f) == STORE_INVALID);
	json_decref(f);
	f = json_pack("{s:s, s:s}", "system_prompt", "Lost",
		      "engine_type", "steam");
	CHECK(store_assistant_update(acc, id, f) == STORE_INVALID);
	json_decref(f);
	f = json_pack("{s:i}", "voice_id", 99999);
	CHECK(store_assistant_update(acc, id, f) == STORE_INVALID);
	json_decref(f);
	after = store_assistant_get(acc, id);
	REQUIRE(after);
	CHECK_STR(jstr(after, "system_prompt"), "New prompt");
	CHECK_STR(jstr(after, "engine_type"), "pipeline");
	CHECK(jint(after, "voice_id") == 1);
	json_decref(after);

	f = json_pack("{s:s}", "system_prompt", "x");
	CHECK(store_assistant_update(acc, id + 1000, f) == STORE_NOTFOUND);
	json_decref(f);
	json_decref(before);
	tdb_close(&t);
}

TEST(store_assistant_tools_and_phone)
{
	struct tdb t;
	int64_t acc, other, id = 0;

	REQUIRE(tdb_open(&t) == 0);
	acc = new_account("Tools");
	other = new_account("Other");
	id = new_assistant(acc, "With tools");
	REQUIRE(acc > 0 && other > 0 && id > 0);
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "INSERT INTO mid_call_tools (id, account_id, name, endpoint)"
		 " VALUES (10, %lld, 'book_slot', 'https://example.com/a'),"
		 " (11, %lld, 'check_order', 'https://example.com/b'),"
		 " (12, %lld, 'foreign_tool', 'https://example.com/c');"
		 "INSERT INTO phone_numbers (id, account_id, phone_number, type)"
		 " VALUES (5, %lld, '+4930555000', 'inbound'),"
		 " (6, %lld, '+4930555001', 'inbound');",
		 (long long)acc, (long long)acc, (long long)other,
		 (long long)acc, (long long)other);
	REQUIRE(raw_exec(&t, sql) == 0);

	json_t *f = json_pack("{s:[i,i], s:i}", "tool_ids", 11, 10,
			      "phone_number_id", 5);
	CHECK(store_assistant_update(acc, id, f) == STORE_OK);
	json_decref(f);
	json_t *a = store_assistant_get(acc, id);
	REQUIRE(a);
	json_t *ids = json_object_get(a, "tool_ids");
	CHECK(json_array_size(ids) == 2);
	CHECK(json_integer_value(json_array_get(ids, 0)) == 10);
	CHECK(json_integer_value(json_array_get(ids, 1)) == 11);
	CHECK(jint(a, "phone_number_id") == 5);
	json_decref(a);

	json_t *n = store_phone_numbers_list(acc, "inbound");
	REQUIRE(n && json_array_size(n) == 1);
	CHECK(jint(json_array_get(n, 0), "assistant_id") == id);
	CHECK(json_is_false(json_object_get(json_array_get(n, 0),
					    "is_available")));
	json_decref(n);

	/* another account's tool or number is refused */
	f = json_pack("{s:[i]}", "tool_ids", 12);
	CHECK(store_assistant_update(acc, id, f) == STORE_INVALID);
	json_decref(f);
	f = json_pack("{s:i}", "phone_number_id", 6);
	CHECK(store_assistant_update(acc, id, f) == STORE_INVALID);
	json_decref(f);

	/* clearing */
	f = json_pack("{s:[], s:n}", "tool_ids", "phone_number_id");
	CHECK(store_assistant_update(acc, id, f) == STORE_OK);
	json_decref(f);
	a = store_assistant_get(acc, id);
	REQUIRE(a);
	CHECK(json_array_size(json_object_get(a, "tool_ids")) == 0);
	CHECK(json_is_null(json_object_get(a, "phone_number_id")));
	json_decref(a);
	n = store_phone_numbers_list(acc, NULL);
	REQUIRE(n && json_array_size(n) == 1);
	CHECK(json_is_true(json_object_get(json_array_get(n, 0), "is_available")));
	CHECK(json_is_null(json_object_get(json_array_get(n, 0), "assistant_id")));
	json_decref(n);

	/* deleting the assistant frees its number; deleting a tool or a
	 * number detaches it from the assistant */
	f = json_pack("{s:i, s:[i, i]}", "phone_number_id", 5, "tool_ids", 10, 11);
	CHECK(store_assistant_update(acc, id, f) == STORE_OK);
	json_decref(f);
	REQUIRE(raw_exec(&t, "PRAGMA foreign_keys = ON;"
			 "DELETE FROM mid_call_tools WHERE id = 10;") == 0);
	a = store_assistant_get(acc, id);
	REQUIRE(a);
	CHECK(json_array_size(json_object_get(a, "tool_ids")) == 1);
	json_decref(a);
	CHECK(store_assistant_delete(acc, id) == STORE_OK);
	n = store_phone_numbers_list(acc, NULL);
	REQUIRE(n && json_array_size(n) == 1);
	CHECK(json_is_true(json_object_get(json_array_get(n, 0), "is_available")));
	json_decref(n);
	tdb_close(&t);
}

TEST(store_assistant_delete)
{
	struct tdb t;
	int64_t acc, id, keep;

	REQUIRE(tdb_open(&t) == 0);
	acc = new_account("Del");
	id = new_assistant(acc, "Doomed");
	keep = new_assistant(acc, "Kept");
	REQUIRE(id > 0 && keep > 0);
	CHECK(store_assistant_delete(acc, id) == STORE_OK);
	json_t *a = store_assistant_get(acc, id);
	CHECK(a == NULL);
	json_decref(a);
	CHECK(store_assistant_delete(acc, id) == STORE_NOTFOUND);
	a = store_assistant_get(acc, keep);
	CHECK(a != NULL);
	json_decref(a);
	tdb_close(&t);
}

TEST(store_tenancy)
{
	struct tdb t;
	int64_t a, b, id, total = -1;

	REQUIRE(tdb_open(&t) == 0);
	a = new_account("Tenant A");
	b = new_account("Tenant B");
	id = new_assistant(a, "A's assistant");
	REQUIRE(a > 0 && b > 0 && id > 0);

	json_t *x = store_assistant_get(b, id);
	CHECK(x == NULL);
	json_decref(x);
	json_t *f = json_pack("{s:s}", "system_prompt", "hijacked");
	CHECK(store_assistant_update(b, id, f) == STORE_NOTFOUND);
	json_decref(f);
	CHECK(store_assistant_delete(b, id) == STORE_NOTFOUND);
	x = store_assistant_page(b, 1, 10, &total);
	CHECK(x && json_array_size(x) == 0 && total == 0);
	json_decref(x);
	x = store_phone_numbers_list(b, NULL);
	CHECK(x && json_array_size(x) == 0);
	json_decref(x);

	x = store_assistant_get(a, id);
	REQUIRE(x);
	CHECK(json_is_null(json_object_get(x, "system_prompt")));
	json_decref(x);
	tdb_close(&t);
}

/* ---- audit and usage ---------------------------------------------------- */

TEST(store_audit)
{
	struct tdb t;
	struct store_audit_row rows[4];

	REQUIRE(tdb_open(&t) == 0);
	memset(rows, 0, sizeof rows);
	for (int i = 0; i < 4; i++) {
		rows[i].ts = 1700000000.0 + i;
		rows[i].account_id = i == 3 ? 2 : 1;
		snprintf(rows[i].key_prefix, sizeof rows[i].key_prefix, "0badcafe");
		snprintf(rows[i].tool, sizeof rows[i].tool, "tool_%d", i);
		snprintf(rows[i].transport, sizeof rows[i].transport, "http");
		rows[i].args_json = "{\"page\":1}";
		snprintf(rows[i].outcome, sizeof rows[i].outcome, "%s",
			 i == 1 ? "error" : "ok");
		rows[i].error = i == 1 ? "upstream timed out" : NULL;
		rows[i].duration_ms = 1.5 * i;
	}
	rows[2].args_json = NULL;
	REQUIRE(store_audit_insert(rows, 4) == STORE_OK);
	CHECK(store_audit_insert(rows, 0) == STORE_OK);

	json_t *l = store_audit_list(1, 10);
	REQUIRE(l);
	CHECK(json_array_size(l) == 3);
	CHECK_STR(jstr(json_array_get(l, 0), "tool"), "tool_2");
	CHECK_STR(jstr(json_array_get(l, 1), "tool"), "tool_1");
	CHECK_STR(jstr(json_array_get(l, 2), "tool"), "tool_0");
	json_t *e = json_array_get(l, 1);
	CHECK_STR(jstr(e, "outcome"), "error");
	CHECK_STR(jstr(e, "error"), "upstream timed out");
	CHECK_STR(jstr(e, "transport"), "http");
	CHECK_STR(jstr(e, "key_prefix"), "0badcafe");
	CHECK(jint(json_object_get(e, "arguments"), "page") == 1);
	CHECK(json_real_value(json_object_get(e, "ts")) == 1700000001.0);
	CHECK(json_real_value(json_object_get(e, "duration_ms")) == 1.5);
	CHECK(json_is_null(json_object_get(json_array_get(l, 2), "error")));
	CHECK(json_is_null(json_object_get(json_array_get(l, 0), "arguments")));
	json_decref(l);

	l = store_audit_list(1, 2);
	CHECK(l && json_array_size(l) == 2);
	json_decref(l);
	l = store_audit_list(2, 10);
	CHECK(l && json_array_size(l) == 1);
	json_decref(l);
	l = store_audit_list(0, 10);
	CHECK(l && json_array_size(l) == 4);
	CHECK_STR(jstr(json_array_get(l, 0), "tool"), "tool_3");
	json_decref(l);
	tdb_close(&t);
}

TEST(store_usage_month)
{
	struct tdb t;
	int64_t a, b;
	char sql[2048];

	REQUIRE(tdb_open(&t) == 0);
	a = new_account("Spender");
	b = new_account("Bystander");
	REQUIRE(a > 0 && b > 0);
	json_t *u = store_account_usage_month(a);
	REQUIRE(u);
	CHECK(jint(u, "calls") == 0 && jint(u, "total_cost_micros") == 0);
	json_decref(u);

	/* two calls and one SMS this month, one call last month, one call of
	 * another account */
	snprintf(sql, sizeof sql,
		 "INSERT INTO calls (account_id, type, direction,"
		 " total_cost_micros) VALUES (%lld, 'outbound', 'outbound', 120000),"
		 " (%lld, 'inbound', 'inbound', 30000),"
		 " (%lld, 'outbound', 'outbound', 999999);"
		 "INSERT INTO calls (account_id, type, direction,"
		 " total_cost_micros, created_at) VALUES (%lld, 'outbound',"
		 " 'outbound', 777777, strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000000Z',"
		 " 'now', 'start of month', '-1 day'));"
		 "INSERT INTO sms (account_id, to_number, body, segments,"
		 " cost_micros) VALUES (%lld, '+4915112345678', 'hi', 1, 75000);",
		 (long long)a, (long long)a, (long long)b, (long long)a,
		 (long long)a);
	REQUIRE(raw_exec(&t, sql) == 0);

	u = store_account_usage_month(a);
	REQUIRE(u);
	CHECK(jint(u, "calls") == 2);
	CHECK(jint(u, "call_cost_micros") == 150000);
	CHECK(jint(u, "sms") == 1);
	CHECK(jint(u, "sms_cost_micros") == 75000);
	CHECK(jint(u, "total_cost_micros") == 225000);
	const char *month = jstr(u, "month");
	CHECK(month && strlen(month) == 7 && month[4] == '-');
	json_decref(u);
	tdb_close(&t);
}

/* ---- threads ------------------------------------------------------------ */

struct thread_arg {
	int n;
	int64_t ids[20];
	int failed;
};

static void *thread_main(void *p)
{
	struct thread_arg *ta = p;
	char name[32];

	if (store_ping() != STORE_OK)
		ta->failed = 1;
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "Thread %d-%d", ta->n, i);
		if (store_account_create(name, NULL, 0, &ta->ids[i]))
			ta->failed = 1;
		json_t *l = store_account_list();
		if (!l)
			ta->failed = 1;
		json_decref(l);
	}
	store_thread_release();
	return NULL;
}

TEST(store_threads)
{
	struct tdb t;
	pthread_t th[2];
	struct thread_arg ta[2];

	REQUIRE(tdb_open(&t) == 0);
	memset(ta, 0, sizeof ta);
	for (int i = 0; i < 2; i++) {
		ta[i].n = i;
		REQUIRE(pthread_create(&th[i], NULL, thread_main, &ta[i]) == 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK(!ta[0].failed && !ta[1].failed);
	json_t *l = store_account_list();
	CHECK(l && json_array_size(l) == 40);
	json_decref(l);
	struct store_account a;
	CHECK(store_account_get(ta[1].ids[19], &a) == STORE_OK);
	CHECK_STR(a.name, "Thread 1-19");
	CHECK(ta[0].ids[0] != ta[1].ids[0]);
	tdb_close(&t);
}

/* ---- campaign spend approval ------------------------------------------ */

static size_t due_leads(int64_t campaign)
{
	json_t *l = store_dialer_due_leads(campaign, "2030-01-01T00:00:00.000000Z", 100);
	size_t n = json_array_size(l);
	json_decref(l);
	return n;
}

/* A start approves exactly the leads it priced, in its own transaction;
 * the dialer sees approved leads only; new or reopened leads wait for the
 * next confirmed start (security review, finding 4). */
TEST(store_campaign_approval)
{
	struct store_campaign_priced p1, p3, pr;
	enum store_campaign_why why = CAMPAIGN_OK;
	struct tdb t;
	int64_t acc, asst, camp = 0, lead = 0, n = 0;
	json_t *f, *c;

	REQUIRE(tdb_open(&t) == 0);
	acc = new_account("Approver");
	asst = new_assistant(acc, "Seller");
	REQUIRE(acc > 0 && asst > 0);
	f = json_pack("{s:s, s:I}", "name", "Bound", "assistant_id", (json_int_t)asst);
	REQUIRE(store_campaign_insert(acc, f, &camp) == STORE_OK);
	json_decref(f);
	REQUIRE(store_lead_insert(acc, camp, "+4915100000001", NULL, 0, &lead) == STORE_OK);
	REQUIRE(store_campaign_priced(acc, camp, &p1) == STORE_OK);
	CHECK(p1.leads == 1 && !p1.running && strlen(p1.digest) == 64);
	CHECK(store_campaign_priced(acc + 1, camp, &pr) == STORE_NOTFOUND);

	/* two more leads after the preview: the stale confirmation starts nothing */
	REQUIRE(store_lead_insert(acc, camp, "+4915100000002", NULL, 0, NULL) == STORE_OK);
	REQUIRE(store_lead_insert(acc, camp, "+4915100000003", NULL, 0, NULL) == STORE_OK);
	CHECK(store_campaign_start(acc, camp, &p1, &why, &n) == STORE_INVALID);
	CHECK(why == CAMPAIGN_CHANGED && n == 0);
	CHECK(store_campaign_start(acc, camp, NULL, &why, &n) == STORE_INVALID);
	c = store_campaign_get(acc, camp);
	CHECK(c && !strcmp(jstr(c, "status"), "draft"));
	json_decref(c);

	/* the same count but other leads is another set */
	REQUIRE(store_campaign_priced(acc, camp, &p3) == STORE_OK);
	CHECK(p3.leads == 3 && strcmp(p3.digest, p1.digest));
	f = json_pack("{s:s}", "status", "completed");
	CHECK(store_lead_update(acc, lead, f, 0) == STORE_OK);
	json_decref(f);
	REQUIRE(store_lead_insert(acc, camp, "+4915100000004", NULL, 0, NULL) == STORE_OK);
	REQUIRE(store_campaign_priced(acc, camp, &pr) == STORE_OK);
	CHECK(pr.leads == 3 && strcmp(pr.digest, p3.digest));
	CHECK(store_campaign_start(acc, camp, &p3, &why, &n) == STORE_INVALID && why == CAMPAIGN_CHANGED);

	/* the current set starts: exactly those are approved and due */
	CHECK(store_campaign_start(acc, camp, &pr, &why, &n) == STORE_OK && n == 3);
	CHECK(due_leads(camp) == 3);

	/* running: a new lead and a reopened one are not due until approved */
	REQUIRE(store_lead_insert(acc, camp, "+4915100000005", NULL, 0, NULL) == STORE_OK);
	f = json_pack("{s:s}", "status", "created");
	CHECK(store_lead_update(acc, lead, f, 0) == STORE_OK);
	json_decref(f);
	c = store_lead_get(acc, lead);
	CHECK(c && json_is_false(json_object_get(c, "approved")));
	json_decref(c);
	CHECK(due_leads(camp) == 3);
	REQUIRE(store_campaign_priced(acc, camp, &pr) == STORE_OK);
	CHECK(pr.running && pr.leads == 2);
	CHECK(store_campaign_start(acc, camp, &p3, &why, &n) == STORE_INVALID && why == CAMPAIGN_CHANGED);
	CHECK(due_leads(camp) == 3);
	CHECK(store_campaign_start(acc, camp, &pr, &why, &n) == STORE_OK && n == 2);
	CHECK(due_leads(camp) == 5);
	/* nothing new: a start of the running campaign is refused */
	REQUIRE(store_campaign_priced(acc, camp, &pr) == STORE_OK);
	CHECK(pr.running && pr.leads == 0);
	CHECK(store_campaign_start(acc, camp, &pr, &why, &n) == STORE_INVALID && why == CAMPAIGN_RUNNING);
	/* a variables-only edit keeps the approval */
	f = json_pack("{s:{s:s}}", "variables", "name", "Ada");
	CHECK(store_lead_update(acc, lead, f, 0) == STORE_OK);
	json_decref(f);
	CHECK(due_leads(camp) == 5);
	tdb_close(&t);
}

const struct unit_test store_tests[] = {
	T(store_open_migrate),
	T(store_open_bad_path),
	T(store_tx_commit_rollback),
	T(store_accounts),
	T(store_keys),
	T(store_catalogs),
	T(store_demo_seed),
	T(store_assistant_defaults),
	T(store_assistant_paging),
	T(store_assistant_update_partial),
	T(store_assistant_tools_and_phone),
	T(store_assistant_delete),
	T(store_tenancy),
	T(store_audit),
	T(store_usage_month),
	T(store_threads),
	T(store_campaign_approval),
	{ 0 }
};
