/* test_rpc.c - dispatch, lifecycle, errors, paging, central tool checks. */
#include "mcp/audit.h"
#include "mcp/auth.h"
#include "fixture.h"
#include "mcp/rpc.h"
#include "store/store.h"
#include "test.h"
#include "mcp/tool.h"
#include "tools/tools.h"

struct cap {
	struct sink base;
	json_t *msgs;
};

static int cap_send(struct sink *self, const json_t *msg)
{
	json_array_append_new(((struct cap *)self)->msgs, json_deep_copy(msg));
	return 0;
}

static int registry_ready;

/* One request through rpc_handle; returns the last message sent. */
static json_t *call(struct session *s, const char *json_text)
{
	struct cap c = { { cap_send }, json_array() };
	json_t *msg = json_loads(json_text, 0, NULL), *last;

	if (!registry_ready)
		registry_ready = tool_registry_init() == 0;
	rpc_handle(s, msg, &c.base, "test");
	json_decref(msg);
	last = json_incref(json_array_get(c.msgs, json_array_size(c.msgs) - 1));
	json_decref(c.msgs);
	return last;
}

static long long err_code(json_t *r)
{
	return json_integer_value(json_object_get(json_object_get(r, "error"), "code"));
}

static struct session *control_session(unsigned scopes)
{
	char key[AUTH_KEY_MAX];
	struct principal p;
	static int n;
	char name[32];
	snprintf(name, sizeof(name), "rpc-%d", n++);
	if (fixture_account(name, scopes, key) < 0 || auth_verify(key, &p))
		return NULL;
	struct session *s = session_create(SESSION_HTTP, &p);
	s->surface = SURFACE_CONTROL;
	return s;
}

static void done(struct session *s)
{
	session_end(s);
	session_unref(s);
}

TEST(classify)
{
	json_t *m = json_loads("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", 0, NULL);
	CHECK(rpc_classify(m) == RPC_REQUEST);
	json_decref(m);
	m = json_loads("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", 0, NULL);
	CHECK(rpc_classify(m) == RPC_NOTIFICATION);
	json_decref(m);
	m = json_loads("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}", 0, NULL);
	CHECK(rpc_classify(m) == RPC_RESPONSE);
	json_decref(m);
	m = json_loads("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", 0, NULL);
	CHECK(rpc_classify(m) == RPC_INVALID);
	json_decref(m);
	m = json_loads("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", 0, NULL);
	CHECK(rpc_classify(m) == RPC_INVALID);
	json_decref(m);
}

TEST(initialize_negotiates)
{
	struct session *s = control_session(AUTH_SCOPE_READ);
	REQUIRE(s);
	json_t *r = call(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
			 "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"elicitation\":{}},"
			 "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
	json_t *res = json_object_get(r, "result");
	CHECK_STR(json_string_value(json_object_get(res, "protocolVersion")), "2025-06-18");
	CHECK(json_object_get(json_object_get(res, "capabilities"), "tools") != NULL);
	CHECK(json_is_string(json_object_get(res, "instructions")));
	CHECK(json_object_get(s->client_caps, "elicitation") != NULL);
	json_decref(r);
	r = call(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":"
		 "{\"protocolVersion\":\"1999-01-01\",\"capabilities\":{}}}");
	CHECK_STR(json_string_value(json_object_get(json_object_get(r, "result"),
						    "protocolVersion")), MCP_PROTOCOL_LATEST);
	json_decref(r);
	done(s);
}

TEST(errors_are_jsonrpc)
{
	struct session *s = control_session(AUTH_SCOPE_READ);
	json_t *r = call(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"nope\"}");
	CHECK(err_code(r) == RPC_METHOD_NOT_FOUND);
	json_decref(r);
	r = call(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"no_such_tool\"}}");
	CHECK(err_code(r) == RPC_INVALID_PARAMS);
	json_decref(r);
	r = call(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\",\"params\":{\"cursor\":\"bogus\"}}");
	CHECK(err_code(r) == RPC_INVALID_PARAMS);
	json_decref(r);
	r = call(s, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\",\"params\":[1]}");
	CHECK(err_code(r) == RPC_INVALID_PARAMS);
	json_decref(r);
	r = call(s, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"resources/read\",\"params\":{\"uri\":\"x://y\"}}");
	CHECK(err_code(r) == RPC_RESOURCE_NOT_FOUND);
	json_decref(r);
	r = call(s, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"}");
	CHECK(json_object_size(json_object_get(r, "result")) == 0);
	json_decref(r);
	done(s);
}

TEST(tools_list_surfaces)
{
	struct session *s = control_session(AUTH_SCOPE_READ);
	json_t *r = call(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
	json_t *tools = json_object_get(json_object_get(r, "result"), "tools");
	size_t i;
	json_t *t;
	int found = 0;

	CHECK(json_array_size(tools) == tool_count(SURFACE_CONTROL));
	json_array_foreach(tools, i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		CHECK(strncmp(name, "test_", 5) != 0);	/* no fixtures here */
		CHECK(json_is_object(json_object_get(t, "inputSchema")));
		CHECK(json_is_object(json_object_get(t, "annotations")));
		if (!strcmp(name, "get_assistants")) {
			found = 1;
			CHECK(json_is_true(json_object_get(json_object_get(t, "annotations"),
							   "readOnlyHint")));
		}
	}
	CHECK(found);
	json_decref(r);
	done(s);
}

TEST(scope_and_validation_central)
{
	struct session *s = control_session(AUTH_SCOPE_READ);
	json_t *r = call(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
			 "{\"name\":\"create_assistant\",\"arguments\":{\"assistant_name\":\"x\","
			 "\"calls_direction\":\"receive\"}}}");
	json_t *res = json_object_get(r, "result");
	CHECK(json_is_true(json_object_get(res, "isError")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(res, "structuredContent"),
						    "required_scope")), "write");
	json_decref(r);
	r = call(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
		 "{\"name\":\"get_assistants\",\"arguments\":{\"per_page\":500,\"color\":1}}}");
	res = json_object_get(r, "result");
	CHECK(json_is_true(json_object_get(res, "isError")));
	json_t *errs = json_object_get(json_object_get(res, "structuredContent"), "errors");
	CHECK(json_object_get(errs, "per_page") != NULL);
	CHECK(json_object_get(errs, "color") != NULL);
	json_decref(r);
	r = call(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
		 "{\"name\":\"get_assistants\",\"arguments\":{\"per_page\":5}}}");
	res = json_object_get(r, "result");
	CHECK(!json_object_get(res, "isError"));
	CHECK(json_integer_value(json_object_get(json_object_get(res, "structuredContent"),
						 "per_page")) == 5);
	json_t *text = json_object_get(json_array_get(json_object_get(res, "content"), 0), "text");
	json_t *parsed = json_loads(json_string_value(text), 0, NULL);
	CHECK(json_equal(parsed, json_object_get(res, "structuredContent")));
	json_decref(parsed);
	json_decref(r);
	audit_flush();
	done(s);
}

/* tools/call of `name` with `args` (JSON text): the result's
 * structuredContent (new reference), *is_error set. */
static json_t *tool(struct session *s, const char *name, const char *args, int *is_error)
{
	static int id = 100;
	char req[1024];
	json_t *r, *sc;

	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\","
		 "\"params\":{\"name\":\"%s\",\"arguments\":%s}}", id++, name, args);
	r = call(s, req);
	*is_error = json_is_true(json_object_get(json_object_get(r, "result"), "isError"));
	sc = json_incref(json_object_get(json_object_get(r, "result"), "structuredContent"));
	json_decref(r);
	return sc;
}

TEST(preview_hash_canonical)
{
	json_t *a = json_loads("{\"action\":\"x\",\"details\":{\"leads\":1,\"campaign_id\":2}}", 0, NULL);
	json_t *b = json_loads("{\"details\":{\"campaign_id\":2,\"leads\":1},\"action\":\"x\"}", 0, NULL);
	json_t *c = json_loads("{\"details\":{\"campaign_id\":2,\"leads\":21},\"action\":\"x\"}", 0, NULL);
	unsigned char ha[32], hb[32], hc[32];

	tool_preview_hash(a, ha);
	tool_preview_hash(b, hb);
	tool_preview_hash(c, hc);
	CHECK(memcmp(ha, hb, 32) == 0);	/* key order is not what was priced */
	CHECK(memcmp(ha, hc, 32) != 0);	/* 21 leads are not 1 */
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

/* A token issued for a campaign start of 1 lead does not start 3: the
 * answer is the new preview, nothing runs (security review, finding 4). */
TEST(spend_confirmation_binds_preview)
{
	struct session *s = control_session(AUTH_SCOPE_READ | AUTH_SCOPE_WRITE | AUTH_SCOPE_SPEND);
	json_t *r = NULL, *pv = NULL, *c = NULL;
	const char *msg;
	char args[512];
	int err = 0;
	json_int_t asst, camp;

	REQUIRE(s);
	r = tool(s, "create_assistant", "{\"assistant_name\":\"Seller\",\"calls_direction\":\"make\"}", &err);
	asst = json_integer_value(json_object_get(json_object_get(r, "data"), "id"));
	json_decref(r);
	REQUIRE(!err && asst > 0);
	snprintf(args, sizeof(args), "{\"name\":\"Bound\",\"assistant_id\":%lld}", (long long)asst);
	r = tool(s, "create_campaign", args, &err);
	camp = json_integer_value(json_object_get(json_object_get(r, "data"), "id"));
	json_decref(r);
	REQUIRE(!err && camp > 0);
	snprintf(args, sizeof(args), "{\"campaign_id\":%lld,\"phone_number\":\"+4915100000001\"}",
		 (long long)camp);
	json_decref(tool(s, "create_lead", args, &err));
	REQUIRE(!err);

	snprintf(args, sizeof(args), "{\"campaign_id\":%lld,\"action\":\"start\"}", (long long)camp);
	pv = tool(s, "update_campaign_status", args, &err);
	REQUIRE(!err && pv);
	CHECK_STR(json_string_value(json_object_get(pv, "status")), "confirmation_required");
	CHECK(json_integer_value(json_object_get(json_object_get(json_object_get(pv, "preview"),
		"details"), "leads")) == 1);

	/* two more leads between the preview and the confirmed call */
	for (int i = 2; i <= 3; i++) {
		snprintf(args, sizeof(args), "{\"campaign_id\":%lld,\"phone_number\":\"+491510000000%d\"}",
			 (long long)camp, i);
		json_decref(tool(s, "create_lead", args, &err));
		CHECK(!err);
	}
	snprintf(args, sizeof(args), "{\"campaign_id\":%lld,\"action\":\"start\",\"confirmation_token\":\"%s\"}",
		 (long long)camp, json_string_value(json_object_get(pv, "confirmation_token")));
	r = tool(s, "update_campaign_status", args, &err);
	CHECK(err);
	CHECK_STR(json_string_value(json_object_get(r, "status")), "changed");
	msg = json_string_value(json_object_get(r, "message"));
	CHECK(msg && strstr(msg, "new confirmation"));
	CHECK(json_integer_value(json_object_get(json_object_get(json_object_get(r, "preview"),
		"details"), "leads")) == 3);
	c = store_campaign_get(s->who.account_id, camp);
	CHECK(c && !strcmp(json_string_value(json_object_get(c, "status")), "draft"));

	/* a lead added after the gate's last look (an elicitation's answer):
	 * the handler's own transaction refuses what was not confirmed */
	struct call_ctx ctx = { .sess = s, .who = &s->who, .transport = "test" };
	struct tool_result res = { NULL, NULL, 0, 0 };
	json_t *a = json_pack("{s:I, s:s}", "campaign_id", camp, "action", "start");
	ctx.confirmed = json_object_get(pv, "preview");	/* priced 1 lead, 3 are there */
	CHECK(update_campaign_status(&ctx, a, &res) == 0);
	CHECK(res.is_error);
	CHECK_STR(json_string_value(json_object_get(res.structured, "status")), "changed");
	msg = json_string_value(json_object_get(res.structured, "message"));
	CHECK(msg && strstr(msg, "nothing was started"));
	CHECK(json_integer_value(json_object_get(json_object_get(json_object_get(res.structured,
		"preview"), "details"), "leads")) == 3);
	json_decref(res.structured);
	json_decref(c);
	c = store_campaign_get(s->who.account_id, camp);
	CHECK(c && !strcmp(json_string_value(json_object_get(c, "status")), "draft"));
	json_decref(a);

	json_decref(c);
	json_decref(r);
	json_decref(pv);
	audit_flush();
	done(s);
}

const struct unit_test rpc_tests[] = {
	T(classify), T(initialize_negotiates), T(errors_are_jsonrpc),
	T(tools_list_surfaces), T(scope_and_validation_central), T(preview_hash_canonical),
	T(spend_confirmation_binds_preview), { 0 }
};
