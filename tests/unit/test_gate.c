/* test_gate.c - Host/Origin rules and the order of the gate's checks. */
#include "mcp/auth.h"
#include "fixture.h"
#include "transport/gate.h"
#include "test.h"

static const struct gate_cfg cfg = { "127.0.0.1", "switchboard.test,sb.local", "https://app.test",
				     1024, 16, 1, 1 };

TEST(gate_hosts)
{
	CHECK(gate_host_ok(&cfg, "localhost"));
	CHECK(gate_host_ok(&cfg, "localhost:8080"));
	CHECK(gate_host_ok(&cfg, "127.0.0.1:1"));
	CHECK(gate_host_ok(&cfg, "[::1]:8080"));
	CHECK(gate_host_ok(&cfg, "switchboard.test"));
	CHECK(gate_host_ok(&cfg, "SB.LOCAL:443"));
	CHECK(!gate_host_ok(&cfg, "evil.example.com"));
	CHECK(!gate_host_ok(&cfg, "localhost.evil.com"));
	CHECK(!gate_host_ok(&cfg, "localhost:80x"));
	CHECK(!gate_host_ok(&cfg, "[::1"));
	CHECK(!gate_host_ok(&cfg, NULL));
	CHECK(gate_origin_ok(&cfg, NULL));
	CHECK(gate_origin_ok(&cfg, "http://localhost:3000"));
	CHECK(gate_origin_ok(&cfg, "https://app.test"));
	CHECK(!gate_origin_ok(&cfg, "http://evil.example"));
	CHECK(!gate_origin_ok(&cfg, "null"));
	CHECK(gate_is_json("application/json; charset=utf-8"));
	CHECK(!gate_is_json("application/jsonp"));
	CHECK(gate_accepts("application/json, text/event-stream", "text/event-stream"));
	CHECK(!gate_accepts("text/html", "application/json"));
}

TEST(gate_order)
{
	char key[AUTH_KEY_MAX], bearer[AUTH_KEY_MAX + 8];
	struct gate_verdict v;

	REQUIRE(fixture_account("gate", AUTH_SCOPE_READ, key) > 0);
	snprintf(bearer, sizeof(bearer), "Bearer %s", key);
	/* a bad Host wins over everything, even a missing key */
	struct gate_req r = { "POST", "/mcp", "evil.example.com", NULL, NULL, NULL, NULL, NULL, NULL };
	gate_check(&cfg, &r, &v);
	CHECK(v.status == 403);
	r.host = "localhost";
	gate_check(&cfg, &r, &v);
	CHECK(v.status == 401);
	r.authorization = bearer;
	gate_check(&cfg, &r, &v);
	CHECK(v.status == 406);
	r.accept = "application/json, text/event-stream";
	gate_check(&cfg, &r, &v);
	CHECK(v.status == 415);
	r.content_type = "application/json";
	r.content_length = "1025";
	gate_check(&cfg, &r, &v);
	CHECK(v.status == 0 && v.too_big == 1);
	r.content_length = "999999";
	gate_check(&cfg, &r, &v);
	CHECK(v.status == 413);
	r.content_length = "10";
	gate_check(&cfg, &r, &v);
	CHECK(v.status == 0 && v.have_principal && v.route == GATE_MCP);
	/* the in-call endpoint needs the incall scope */
	r.url = "/call/mcp";
	gate_check(&cfg, &r, &v);
	CHECK(v.status == 403);
	r.url = "/nope";
	gate_check(&cfg, &r, &v);
	CHECK(v.status == 404);
	r.url = "/health";
	r.method = "POST";
	gate_check(&cfg, &r, &v);
	CHECK(v.status == 405);
}

const struct unit_test gate_tests[] = { T(gate_hosts), T(gate_order), { 0 } };
