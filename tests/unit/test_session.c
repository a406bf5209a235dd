/* test_session.c - the table, expiry, client requests, cancellation. */
#include <pthread.h>
#include <unistd.h>
#include "mcp/session.h"
#include "test.h"
#include "base/util.h"

TEST(create_find_end)
{
	struct session *s = session_create(SESSION_HTTP, NULL), *f;
	REQUIRE(s);
	CHECK(strlen(s->id) == 32);
	f = session_find(s->id);
	CHECK(f == s);
	session_unref(f);
	CHECK(session_find("0123456789abcdef0123456789abcdef") == NULL);
	CHECK(session_find("short") == NULL);
	session_end(s);
	CHECK(session_find(s->id) == NULL);
	session_unref(s);
}

TEST(ids_unique)
{
	struct session *a = session_create(SESSION_HTTP, NULL);
	struct session *b = session_create(SESSION_HTTP, NULL);
	CHECK(strcmp(a->id, b->id) != 0);
	session_end(a);
	session_end(b);
	session_unref(a);
	session_unref(b);
}

TEST(sweep_idle)
{
	struct session *s = session_create(SESSION_HTTP, NULL);
	size_t before = session_count();
	char id[33];
	memcpy(id, s->id, sizeof(id));
	session_unref(s);
	atomic_store(&s->last_seen, atomic_load(&s->last_seen) - 100);	/* the table still holds it */
	CHECK(session_sweep(50) >= 1);
	CHECK(session_find(id) == NULL);
	CHECK(session_count() == before - 1);
}

TEST(key_binding)
{
	struct principal a = { 0 }, b = { 0 };
	a.key_hash[0] = 1;
	b.key_hash[0] = 2;
	struct session *s = session_create(SESSION_HTTP, &a);
	CHECK(session_key_matches(s, &a));
	CHECK(!session_key_matches(s, &b));
	CHECK(!session_key_matches(s, NULL));
	session_end(s);
	session_unref(s);
}

/* A sink that records the request id and answers it from another thread. */
struct answer_sink {
	struct sink base;
	struct session *s;
	int cancel;
	pthread_t t;
	json_t *sent;
};

static void *answer(void *arg)
{
	struct answer_sink *as = arg;
	usleep(20000);
	json_t *resp = json_pack("{s:s, s:O, s:{s:s}}", "jsonrpc", "2.0", "id",
				 json_object_get(as->sent, "id"), "result", "action", "accept");
	session_resolve(as->s, resp);
	json_decref(resp);
	return NULL;
}

static int answer_send(struct sink *self, const json_t *msg)
{
	struct answer_sink *as = (struct answer_sink *)self;
	as->sent = json_deep_copy(msg);
	if (!as->cancel)
		pthread_create(&as->t, NULL, answer, as);
	return 0;
}

TEST(client_request_answered)
{
	struct session *s = session_create(SESSION_HTTP, NULL);
	struct answer_sink as = { { answer_send }, s, 0, 0, NULL };
	json_t *result = NULL;
	int r = session_client_request(s, &as.base, "elicitation/create",
				       json_pack("{s:s}", "message", "hi"), 2000, NULL, &result);
	pthread_join(as.t, NULL);
	CHECK(r == 0);
	CHECK_STR(json_string_value(json_object_get(result, "action")), "accept");
	CHECK_STR(json_string_value(json_object_get(as.sent, "method")), "elicitation/create");
	json_decref(result);
	json_decref(as.sent);
	/* an answer for a request nobody waits for is refused */
	json_t *stray = json_pack("{s:s, s:s, s:{}}", "jsonrpc", "2.0", "id", "srv-99", "result");
	CHECK(session_resolve(s, stray) == -1);
	json_decref(stray);
	session_end(s);
	session_unref(s);
}

TEST(client_request_timeout_and_cancel)
{
	struct session *s = session_create(SESSION_HTTP, NULL);
	struct answer_sink as = { { answer_send }, s, 1, 0, NULL };
	struct inflight f;
	json_t *result = NULL, *id = json_integer(7);
	double t0 = util_mono();

	CHECK(session_client_request(s, &as.base, "ping", NULL, 100, NULL, &result) == -1);
	CHECK(util_mono() - t0 >= 0.09);
	json_decref(as.sent);
	/* cancelled before the wait: returns at once */
	session_inflight_add(s, &f, id);
	session_cancel(s, id);
	CHECK(atomic_load(&f.cancelled) == 1);
	t0 = util_mono();
	CHECK(session_client_request(s, &as.base, "ping", NULL, 5000, &f, &result) == -1);
	CHECK(util_mono() - t0 < 1.0);
	session_inflight_remove(s, &f);
	json_decref(as.sent);
	json_decref(id);
	session_end(s);
	session_unref(s);
}

const struct unit_test session_tests[] = {
	T(create_find_end), T(ids_unique), T(sweep_idle), T(key_binding),
	T(client_request_answered), T(client_request_timeout_and_cancel), { 0 }
};
