/* test_template.c - placeholders: grammar, modes, encoding, refusals. */
#include <stdlib.h>
#include "test.h"
#include "outbound/template.h"

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (!j)
		fprintf(stderr, "  bad test json: %s: %s\n", text, e.text);
	return j;
}

static const char *const NAMES[] = { "name", "q", "n", "flag", "opt", "obj", "r" };
#define NNAMES (sizeof(NAMES) / sizeof(NAMES[0]))

static const char *ARGS =
	"{\"name\":\"Ann Lee\",\"q\":\"a&b=c/d?e#f\",\"n\":42,\"flag\":true,"
	"\"obj\":{\"x\":1},\"r\":1.5}";
static const char *SYS =
	"{\"customer_phone\":\"+491701234567\",\"assistant_name\":\"Front desk\","
	"\"call_id\":\"c-1\",\"current_date\":\"2026-07-01\",\"extra\":\"x\"}";

/* render tpl in mode; the output, or "ERR:<message>" (static buffer) */
static const char *R(const char *tpl, enum template_mode mode, const char *args)
{
	static char res[1024];
	json_t *a = J(args), *s = J(SYS);
	struct template_ctx ctx = { a, s, NAMES, NNAMES, NULL };
	struct buf b = BUF_INIT(512);
	char err[128];
	if (template_render(tpl, mode, &ctx, &b, err, sizeof(err)))
		snprintf(res, sizeof(res), "ERR:%s", err);
	else
		snprintf(res, sizeof(res), "%s", buf_str(&b));
	buf_release(&b);
	json_decref(a);
	json_decref(s);
	return res;
}

TEST(template_params_and_system_vars)
{
	CHECK_STR(R("Hi {name}, call {{call_id}} from {{customer_phone}}", TEMPLATE_TEXT, ARGS),
		  "Hi Ann Lee, call c-1 from +491701234567");
	CHECK_STR(R("{n}/{flag}/{r}", TEMPLATE_TEXT, ARGS), "42/true/1.5");
	CHECK_STR(R("{{assistant_name}} on {{current_date}}", TEMPLATE_HEADER, ARGS),
		  "Front desk on 2026-07-01");
	/* a variable the caller added beyond the documented ones */
	CHECK_STR(R("{{extra}}", TEMPLATE_TEXT, ARGS), "x");
	/* documented but not supplied: empty */
	CHECK_STR(R("[{{assistant_phone}}]", TEMPLATE_TEXT, ARGS), "[]");
	/* declared optional parameter that is absent, or null: empty */
	CHECK_STR(R("[{opt}]", TEMPLATE_TEXT, ARGS), "[]");
	CHECK_STR(R("[{opt}]", TEMPLATE_TEXT, "{\"opt\":null}"), "[]");
	CHECK_STR(R("", TEMPLATE_TEXT, ARGS), "");
}

TEST(template_unknown_names)
{
	CHECK_STR(R("x {nope} y", TEMPLATE_TEXT, ARGS), "ERR:unknown placeholder 'nope'");
	CHECK_STR(R("{{nope}}", TEMPLATE_TEXT, ARGS), "ERR:unknown system variable 'nope'");
	/* a system var name in single braces is a parameter name */
	CHECK_STR(R("{call_id}", TEMPLATE_TEXT, ARGS), "ERR:unknown placeholder 'call_id'");
	CHECK_STR(R("{obj}", TEMPLATE_TEXT, ARGS), "ERR:placeholder 'obj' is not a scalar value");
}

TEST(template_literal_braces)
{
	CHECK_STR(R("{\"a\": {\"b\": 1}}", TEMPLATE_TEXT, ARGS), "{\"a\": {\"b\": 1}}");
	CHECK_STR(R("{ name } {} {1x} {na me}", TEMPLATE_TEXT, ARGS), "{ name } {} {1x} {na me}");
	CHECK_STR(R("\\{name}", TEMPLATE_TEXT, ARGS), "{name}");
	CHECK_STR(R("\\{\\{call_id}}", TEMPLATE_TEXT, ARGS), "{{call_id}}");
	/* one escaped brace leaves a parameter placeholder behind */
	CHECK_STR(R("\\{{call_id}}", TEMPLATE_TEXT, ARGS), "ERR:unknown placeholder 'call_id'");
	CHECK_STR(R("a\\b\\", TEMPLATE_TEXT, ARGS), "a\\b\\");
	CHECK_STR(R("{{name}", TEMPLATE_TEXT, ARGS), "{Ann Lee");
	CHECK_STR(R("{name}}", TEMPLATE_TEXT, ARGS), "Ann Lee}");
	CHECK_STR(R("{{{call_id}}}", TEMPLATE_TEXT, ARGS), "{c-1}");
	CHECK_STR(R("{", TEMPLATE_TEXT, ARGS), "{");
	CHECK_STR(R("{{", TEMPLATE_TEXT, ARGS), "{{");
	CHECK_STR(R("{name", TEMPLATE_TEXT, ARGS), "{name");
}

TEST(template_url_encoding)
{
	CHECK_STR(R("https://x/p/{name}?q={q}", TEMPLATE_URL, ARGS),
		  "https://x/p/Ann%20Lee?q=a%26b%3Dc%2Fd%3Fe%23f");
	CHECK_STR(R("/{q}", TEMPLATE_URL, "{\"q\":\"caf\\u00e9 \\u4e2d ~-._\"}"),
		  "/caf%C3%A9%20%E4%B8%AD%20~-._");
	CHECK_STR(R("/{q}", TEMPLATE_URL, "{\"q\":\"+%20..\"}"), "/%2B%2520..");
	/* system variables are encoded too; literal text is not */
	CHECK_STR(R("/a b/{{customer_phone}}", TEMPLATE_URL, ARGS), "/a b/%2B491701234567");
	/* control characters are refused even though they would be encoded */
	CHECK_STR(R("/{q}", TEMPLATE_URL, "{\"q\":\"a\\nb\"}"),
		  "ERR:value of 'q' contains a control character");
}

/* a value that makes a whole path segment "." or ".." (or an encoded form)
 * would move the request to another resource: refused */
TEST(template_url_dot_segments)
{
	const char *tpl = "http://h.test/api/users/{q}/profile";
	CHECK_STR(R(tpl, TEMPLATE_URL, "{\"q\":\"..\"}"),
		  "ERR:value of 'q' makes the path segment '..'");
	CHECK_STR(R(tpl, TEMPLATE_URL, "{\"q\":\".\"}"),
		  "ERR:value of 'q' makes the path segment '.'");
	CHECK_STR(R("/api/{q}", TEMPLATE_URL, "{\"q\":\"..\"}"),
		  "ERR:value of 'q' makes the path segment '..'");
	/* with the operator's literal text, encoded or not, or two placeholders */
	CHECK_STR(R("/api/%2e{q}/x", TEMPLATE_URL, "{\"q\":\".\"}"),
		  "ERR:value of 'q' makes the path segment '%2e.'");
	CHECK_STR(R("/api/{q}%2E/x", TEMPLATE_URL, "{\"q\":\".\"}"),
		  "ERR:value of 'q' makes the path segment '.%2E'");
	CHECK_STR(R("/api/{q}{name}/x", TEMPLATE_URL, "{\"q\":\".\",\"name\":\".\"}"),
		  "ERR:value of 'q' makes the path segment '..'");
	CHECK_STR(R("/api/{{call_id}}/x", TEMPLATE_URL, "{}"), "/api/c-1/x");
	/* an empty value leaves the literal dot alone: still refused */
	CHECK_STR(R("/api/.{opt}/x", TEMPLATE_URL, "{}"),
		  "ERR:value of 'opt' makes the path segment '.'");
	/* dots inside a longer segment, in the query or the fragment are fine;
	 * a "%2e" value is encoded ("%252e"), so it is no dot */
	CHECK_STR(R("/api/{q}/x", TEMPLATE_URL, "{\"q\":\"...\"}"), "/api/.../x");
	CHECK_STR(R("/api/{q}/x", TEMPLATE_URL, "{\"q\":\"a..b\"}"), "/api/a..b/x");
	CHECK_STR(R("/api/{q}/x", TEMPLATE_URL, "{\"q\":\"%2e%2e\"}"), "/api/%252e%252e/x");
	CHECK_STR(R("http://h.test/api?u={q}", TEMPLATE_URL, "{\"q\":\"..\"}"),
		  "http://h.test/api?u=..");
	CHECK_STR(R("/a/{q}?x=1#{name}", TEMPLATE_URL, "{\"q\":\"v\",\"name\":\"..\"}"),
		  "/a/v?x=1#..");
	/* the operator's own literal dot segments are the operator's choice */
	CHECK_STR(R("http://h.test/a/../b/{q}", TEMPLATE_URL, "{\"q\":\"v\"}"),
		  "http://h.test/a/../b/v");
	/* other modes do not look at paths */
	CHECK_STR(R("/api/{q}/x", TEMPLATE_TEXT, "{\"q\":\"..\"}"), "/api/../x");
}

TEST(template_header_injection)
{
	CHECK_STR(R("Bearer {q}", TEMPLATE_HEADER, "{\"q\":\"x\\r\\nX-Evil: 1\"}"),
		  "ERR:value of 'q' contains a control character");
	CHECK_STR(R("{q}", TEMPLATE_HEADER, "{\"q\":\"a\\u0000b\"}"),
		  "ERR:value of 'q' contains a control character");
	CHECK_STR(R("{q}", TEMPLATE_HEADER, "{\"q\":\"a\\tb\"}"),
		  "ERR:value of 'q' contains a control character");
	CHECK_STR(R("{q}", TEMPLATE_HEADER, "{\"q\":\"a\\u007fb\"}"),
		  "ERR:value of 'q' contains a control character");
	/* the operator's own literal text is checked as a whole line too */
	CHECK_STR(R("a\r\nb", TEMPLATE_HEADER, ARGS),
		  "ERR:header value contains a control character");
	/* text mode allows a tab, nothing else */
	CHECK_STR(R("{q}", TEMPLATE_TEXT, "{\"q\":\"a\\tb\"}"), "a\tb");
	CHECK_STR(R("{q}", TEMPLATE_TEXT, "{\"q\":\"a\\nb\"}"),
		  "ERR:value of 'q' contains a control character");
	/* unicode is not a control character */
	CHECK_STR(R("{q}", TEMPLATE_HEADER, "{\"q\":\"J\\u00fcrgen\"}"), "J\xc3\xbcrgen");
}

TEST(template_bounded_output_left_intact)
{
	json_t *a = J("{\"q\":\"0123456789\"}");
	struct template_ctx ctx = { a, NULL, NAMES, NNAMES, NULL };
	struct buf b = BUF_INIT(12);
	char err[64];
	REQUIRE(buf_adds(&b, "ab") == 0);
	CHECK(template_render("{q}", TEMPLATE_TEXT, &ctx, &b, err, sizeof(err)) == 0);
	CHECK_STR(buf_str(&b), "ab0123456789");
	CHECK(template_render("{q}", TEMPLATE_TEXT, &ctx, &b, err, sizeof(err)) == -1);
	CHECK_STR(err, "rendered text is too long");
	CHECK_STR(buf_str(&b), "ab0123456789");
	/* an error after some output restores the buffer */
	buf_reset(&b);
	CHECK(template_render("x{nope}", TEMPLATE_TEXT, &ctx, &b, err, sizeof(err)) == -1);
	CHECK_STR(buf_str(&b), "");
	buf_release(&b);
	json_decref(a);
}

TEST(template_used_and_check)
{
	unsigned char used[NNAMES] = { 0 };
	json_t *a = J(ARGS);
	struct template_ctx ctx = { a, NULL, NAMES, NNAMES, used };
	struct buf b = BUF_INIT(256);
	char err[64];
	CHECK(template_render("/{q}/{n}", TEMPLATE_URL, &ctx, &b, err, sizeof(err)) == 0);
	CHECK(!used[0] && used[1] && used[2] && !used[3]);
	buf_release(&b);
	json_decref(a);

	CHECK(template_check("/x/{name}?d={{current_date}}", NAMES, NNAMES, err, sizeof(err)) == 0);
	CHECK(template_check("/x/{zzz}", NAMES, NNAMES, err, sizeof(err)) == -1);
	CHECK_STR(err, "unknown placeholder 'zzz'");
	CHECK(template_check("{{zzz}}", NULL, 0, err, sizeof(err)) == -1);
	CHECK_STR(err, "unknown system variable 'zzz'");
	CHECK(template_check("{{call_id}}", NULL, 0, err, sizeof(err)) == 0);

	/* names == NULL: every key of args is a parameter */
	json_t *b2 = J("{\"k\":\"v\"}");
	struct template_ctx any = { b2, NULL, NULL, 0, NULL };
	struct buf o = BUF_INIT(64);
	CHECK(template_render("{k}", TEMPLATE_TEXT, &any, &o, err, sizeof(err)) == 0);
	CHECK_STR(buf_str(&o), "v");
	CHECK(template_render("{j}", TEMPLATE_TEXT, &any, &o, err, sizeof(err)) == -1);
	buf_release(&o);
	json_decref(b2);
}

TEST(template_scalars)
{
	struct buf b = BUF_INIT(64);
	json_t *v;
	v = json_real(0.1);
	CHECK(template_scalar(v, &b) == 0);
	CHECK_STR(buf_str(&b), "0.1");
	json_decref(v);
	buf_reset(&b);
	v = json_integer(-7);
	CHECK(template_scalar(v, &b) == 0);
	CHECK_STR(buf_str(&b), "-7");
	json_decref(v);
	buf_reset(&b);
	CHECK(template_scalar(json_false(), &b) == 0);
	CHECK(template_scalar(json_null(), &b) == 0);
	CHECK_STR(buf_str(&b), "false");
	v = json_array();
	CHECK(template_scalar(v, &b) == -1);
	json_decref(v);
	buf_release(&b);
}

const struct unit_test template_tests[] = {
	T(template_params_and_system_vars), T(template_unknown_names),
	T(template_literal_braces), T(template_url_encoding), T(template_url_dot_segments),
	T(template_header_injection), T(template_bounded_output_left_intact),
	T(template_used_and_check), T(template_scalars), { 0 }
};
