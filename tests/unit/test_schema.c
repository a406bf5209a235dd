/* test_schema.c - schema validation: keywords, formats, paths, messages, threads. */
#include <pthread.h>
#include <stdlib.h>
#include "test.h"
#include "mcp/schema.h"

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (!j)
		fprintf(stderr, "  bad test json: %s: %s\n", text, e.text);
	return j;
}

/* validate text against text: 0 or -1; *errs (if given) gets the error object */
static int V(const char *schema, const char *doc, json_t **errs)
{
	json_t *s = J(schema), *d = J(doc);
	int rc = -2;
	if (s && d)
		rc = schema_validate(s, d, errs);
	json_decref(s);
	json_decref(d);
	return rc;
}

/* the error object of a failed validation, compact JSON (caller frees) */
static char *E(const char *schema, const char *doc)
{
	json_t *errs = NULL;
	char *out;
	if (V(schema, doc, &errs) != -1 || !errs) {
		json_decref(errs);
		return NULL;
	}
	out = json_dumps(errs, JSON_COMPACT);
	json_decref(errs);
	return out;
}

#define CHECK_ERR(schema, doc, want) do { char *got_ = E(schema, doc); \
	CHECK_STR(got_, want); free(got_); } while (0)

TEST(schema_types)
{
	CHECK(V("{\"type\":\"string\"}", "\"x\"", NULL) == 0);
	CHECK(V("{\"type\":\"string\"}", "1", NULL) == -1);
	CHECK(V("{\"type\":\"integer\"}", "3", NULL) == 0);
	CHECK(V("{\"type\":\"integer\"}", "2.0", NULL) == 0);
	CHECK(V("{\"type\":\"integer\"}", "2.5", NULL) == -1);
	CHECK(V("{\"type\":\"number\"}", "2.5", NULL) == 0);
	CHECK(V("{\"type\":\"number\"}", "7", NULL) == 0);
	CHECK(V("{\"type\":\"number\"}", "true", NULL) == -1);
	CHECK(V("{\"type\":\"integer\"}", "false", NULL) == -1);
	CHECK(V("{\"type\":\"boolean\"}", "false", NULL) == 0);
	CHECK(V("{\"type\":\"boolean\"}", "0", NULL) == -1);
	CHECK(V("{\"type\":\"null\"}", "null", NULL) == 0);
	CHECK(V("{\"type\":\"object\"}", "{}", NULL) == 0);
	CHECK(V("{\"type\":\"object\"}", "[]", NULL) == -1);
	CHECK(V("{\"type\":\"array\"}", "[]", NULL) == 0);
	CHECK(V("{}", "[1,{}]", NULL) == 0);
	CHECK_ERR("{\"type\":\"string\"}", "1", "{\"\":[\"must be a string\"]}");
	CHECK_ERR("{\"type\":\"integer\"}", "1.5", "{\"\":[\"must be an integer\"]}");
	CHECK_ERR("{\"type\":\"number\"}", "\"1\"", "{\"\":[\"must be a number\"]}");
	CHECK_ERR("{\"type\":\"boolean\"}", "1", "{\"\":[\"must be a boolean\"]}");
	CHECK_ERR("{\"type\":\"object\"}", "1", "{\"\":[\"must be an object\"]}");
	CHECK_ERR("{\"type\":\"array\"}", "1", "{\"\":[\"must be an array\"]}");
}

TEST(schema_type_arrays_nullable)
{
	const char *s = "{\"type\":[\"string\",\"null\"],\"minLength\":2,\"enum\":[\"ab\",\"cd\"]}";
	CHECK(V(s, "null", NULL) == 0);
	CHECK(V(s, "\"ab\"", NULL) == 0);
	CHECK(V(s, "\"zz\"", NULL) == -1);
	CHECK_ERR(s, "3", "{\"\":[\"must be a string or null\"]}");
	CHECK_ERR("{\"type\":[\"string\",\"integer\",\"null\"]}", "true",
		  "{\"\":[\"must be a string, an integer or null\"]}");
	CHECK(V("{\"type\":[\"integer\",\"boolean\"]}", "true", NULL) == 0);
	CHECK(V("{\"type\":[\"integer\",\"boolean\"]}", "4", NULL) == 0);
	CHECK(V("{\"type\":\"string\"}", "null", NULL) == -1);
}

TEST(schema_required_and_properties)
{
	const char *s = "{\"type\":\"object\",\"required\":[\"name\",\"age\"],"
		"\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"}}}";
	CHECK(V(s, "{\"name\":\"a\",\"age\":3}", NULL) == 0);
	CHECK(V(s, "{\"name\":\"a\",\"age\":3,\"extra\":1}", NULL) == 0);
	CHECK_ERR(s, "{}", "{\"name\":[\"is required\"],\"age\":[\"is required\"]}");
	CHECK_ERR(s, "{\"name\":5}", "{\"age\":[\"is required\"],\"name\":[\"must be a string\"]}");
	/* a present null is present: the type check speaks, not "required" */
	CHECK_ERR(s, "{\"name\":null,\"age\":1}", "{\"name\":[\"must be a string\"]}");
	/* errors == NULL: verdict only */
	CHECK(V(s, "{}", NULL) == -1);
}

TEST(schema_additional_properties)
{
	const char *closed = "{\"type\":\"object\",\"properties\":{\"a\":{}},"
		"\"additionalProperties\":false}";
	const char *typed = "{\"type\":\"object\",\"properties\":{\"a\":{}},"
		"\"additionalProperties\":{\"type\":\"integer\",\"minimum\":0}}";
	CHECK(V(closed, "{\"a\":1}", NULL) == 0);
	CHECK_ERR(closed, "{\"a\":1,\"b\":2,\"c\":3}",
		  "{\"b\":[\"is not allowed\"],\"c\":[\"is not allowed\"]}");
	CHECK(V(typed, "{\"a\":\"x\",\"b\":2}", NULL) == 0);
	CHECK_ERR(typed, "{\"a\":\"x\",\"b\":\"2\",\"c\":-1}",
		  "{\"b\":[\"must be an integer\"],\"c\":[\"must be at least 0\"]}");
	CHECK(V("{\"additionalProperties\":false}", "{}", NULL) == 0);
	CHECK(V("{\"additionalProperties\":true}", "{\"z\":1}", NULL) == 0);
}

TEST(schema_enum_const)
{
	const char *s = "{\"enum\":[\"inbound\",\"outbound\"]}";
	CHECK(V(s, "\"inbound\"", NULL) == 0);
	CHECK_ERR(s, "\"sideways\"", "{\"\":[\"must be one of: inbound, outbound\"]}");
	CHECK(V("{\"enum\":[1,2,null]}", "2.0", NULL) == 0);
	CHECK(V("{\"enum\":[1,2,null]}", "null", NULL) == 0);
	CHECK_ERR("{\"enum\":[1,true,{\"a\":[1]}]}", "false",
		  "{\"\":[\"must be one of: 1, true, {\\\"a\\\":[1]}\"]}");
	CHECK(V("{\"enum\":[{\"a\":[1,2]}]}", "{\"a\":[1,2.0]}", NULL) == 0);
	CHECK(V("{\"enum\":[{\"a\":[1,2]}]}", "{\"a\":[2,1]}", NULL) == -1);
	CHECK(V("{\"const\":\"x\"}", "\"x\"", NULL) == 0);
	CHECK_ERR("{\"const\":\"x\"}", "\"y\"", "{\"\":[\"must be x\"]}");
	CHECK(V("{\"const\":3}", "3.0", NULL) == 0);
	CHECK(V("{\"const\":false}", "0", NULL) == -1);
}

TEST(schema_numeric_bounds)
{
	const char *s = "{\"type\":\"integer\",\"minimum\":1,\"maximum\":100}";
	CHECK(V(s, "1", NULL) == 0);
	CHECK(V(s, "100", NULL) == 0);
	CHECK_ERR(s, "0", "{\"\":[\"must be at least 1\"]}");
	CHECK_ERR(s, "101", "{\"\":[\"must not be greater than 100\"]}");
	CHECK(V(s, "100.0", NULL) == 0);
	CHECK_ERR(s, "50.5", "{\"\":[\"must be an integer\"]}");
	CHECK_ERR(s, "-7", "{\"\":[\"must be at least 1\"]}");
}

TEST(schema_exclusive_bounds)
{
	const char *s = "{\"type\":\"number\",\"exclusiveMinimum\":0,\"exclusiveMaximum\":2.5}";
	CHECK(V(s, "0.001", NULL) == 0);
	CHECK(V(s, "2", NULL) == 0);
	CHECK_ERR(s, "0", "{\"\":[\"must be greater than 0\"]}");
	CHECK_ERR(s, "2.5", "{\"\":[\"must be less than 2.5\"]}");
	CHECK_ERR("{\"maximum\":1.5}", "2", "{\"\":[\"must not be greater than 1.5\"]}");
	CHECK_ERR("{\"minimum\":-3.0}", "-4", "{\"\":[\"must be at least -3\"]}");
	/* bounds apply to numbers only */
	CHECK(V("{\"minimum\":5}", "\"1\"", NULL) == 0);
	/* large integers compare exactly */
	CHECK(V("{\"maximum\":9007199254740993}", "9007199254740993", NULL) == 0);
	CHECK(V("{\"maximum\":9007199254740992}", "9007199254740993", NULL) == -1);
}

TEST(schema_string_length_utf8)
{
	const char *s = "{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}";
	CHECK(V(s, "\"ab\"", NULL) == 0);
	CHECK(V(s, "\"\xc3\xa4\xc3\xb6\xc3\xbc\"", NULL) == 0);     /* 3 code points, 6 bytes */
	CHECK(V(s, "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"", NULL) == 0); /* 2 emoji, 8 bytes */
	CHECK_ERR(s, "\"\xe2\x82\xac\"", "{\"\":[\"must be at least 2 characters\"]}");
	CHECK_ERR(s, "\"abcd\"", "{\"\":[\"must not be longer than 3 characters\"]}");
	CHECK_ERR("{\"maxLength\":255}",
		  "\"" "0123456789012345678901234567890123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789012345678901234567890123456789" "\"",
		  "{\"\":[\"must not be longer than 255 characters\"]}");
	CHECK_ERR("{\"minLength\":1}", "\"\"", "{\"\":[\"must be at least 1 character\"]}");
}

TEST(schema_pattern)
{
	const char *anchored = "{\"type\":\"string\",\"pattern\":\"^[a-z][a-z_]*$\"}";
	const char *loose = "{\"pattern\":\"[0-9]{3}\"}";
	CHECK(V(anchored, "\"snake_case\"", NULL) == 0);
	CHECK(V(anchored, "\"a\"", NULL) == 0);
	CHECK_ERR(anchored, "\"Snake\"", "{\"\":[\"does not match the expected format\"]}");
	CHECK(V(anchored, "\"_x\"", NULL) == -1);
	CHECK(V(anchored, "\"ab-c\"", NULL) == -1);
	/* unanchored: a match anywhere counts */
	CHECK(V(loose, "\"ab123cd\"", NULL) == 0);
	CHECK(V(loose, "\"ab12cd\"", NULL) == -1);
	/* an embedded NUL never passes a pattern */
	CHECK(V(loose, "\"x\\u0000123\"", NULL) == -1);
	/* the same pattern from the cache */
	CHECK(V(loose, "\"999\"", NULL) == 0);
	/* a pattern that does not compile fails closed */
	CHECK(V("{\"pattern\":\"(\"}", "\"(\"", NULL) == -1);
	CHECK(V("{\"pattern\":\"\\\\d\"}", "\"d\"", NULL) == -1);
	/* glibc's \w extension is fine */
	CHECK(V("{\"pattern\":\"^\\\\w+$\"}", "\"ab_1\"", NULL) == 0);
}

TEST(schema_format_functions)
{
	CHECK(schema_is_e164("+4930123456"));
	CHECK(schema_is_e164("+12"));
	CHECK(schema_is_e164("+123456789012345"));
	CHECK(!schema_is_e164("+1234567890123456"));
	CHECK(!schema_is_e164("+1"));
	CHECK(!schema_is_e164("+0301234"));
	CHECK(!schema_is_e164("4930123456"));
	CHECK(!schema_is_e164("+49 30 123"));
	CHECK(!schema_is_e164("+49a"));
	CHECK(!schema_is_e164(""));

	CHECK(schema_is_date("2024-02-29"));
	CHECK(schema_is_date("2000-02-29"));
	CHECK(schema_is_date("2023-12-31"));
	CHECK(!schema_is_date("2023-02-29"));
	CHECK(!schema_is_date("1900-02-29"));
	CHECK(!schema_is_date("2023-04-31"));
	CHECK(!schema_is_date("2023-13-01"));
	CHECK(!schema_is_date("2023-00-10"));
	CHECK(!schema_is_date("2023-01-00"));
	CHECK(!schema_is_date("2023-1-01"));
	CHECK(!schema_is_date("2023-01-011"));
	CHECK(!schema_is_date("20230101"));

	CHECK(schema_is_datetime("2024-02-29T12:34:56Z"));
	CHECK(schema_is_datetime("2024-02-29t12:34:56z"));
	CHECK(schema_is_datetime("2024-02-29T12:34:56.123456+05:30"));
	CHECK(schema_is_datetime("2024-02-29T23:59:60-00:00"));
	CHECK(!schema_is_datetime("2024-02-29T12:34:56"));
	CHECK(!schema_is_datetime("2024-02-29 12:34:56Z"));
	CHECK(!schema_is_datetime("2024-02-29T24:00:00Z"));
	CHECK(!schema_is_datetime("2024-02-29T12:60:00Z"));
	CHECK(!schema_is_datetime("2024-02-29T12:34:56.Z"));
	CHECK(!schema_is_datetime("2024-02-29T12:34:56+0530"));
	CHECK(!schema_is_datetime("2023-02-29T12:34:56Z"));
	CHECK(!schema_is_datetime("2024-02-29T12:34:56Zx"));

	CHECK(schema_is_uri("https://example.com/a?b=c"));
	CHECK(schema_is_uri("mailto:a@b.de"));
	CHECK(schema_is_uri("urn:isbn:0451450523"));
	CHECK(schema_is_uri("svn+ssh://h/x"));
	CHECK(!schema_is_uri("example.com/path"));
	CHECK(!schema_is_uri("https:"));
	CHECK(!schema_is_uri("https://exa mple.com"));
	CHECK(!schema_is_uri("https://a\tb"));
	CHECK(!schema_is_uri("1http://a"));
	CHECK(!schema_is_uri(""));

	CHECK(schema_is_email("a@b.de"));
	CHECK(schema_is_email("first.last+tag@mail.example.co.uk"));
	CHECK(!schema_is_email("a@b"));
	CHECK(!schema_is_email("@b.de"));
	CHECK(!schema_is_email("a@@b.de"));
	CHECK(!schema_is_email("a@b@c.de"));
	CHECK(!schema_is_email("a b@c.de"));
	CHECK(!schema_is_email("a..b@c.de"));
	CHECK(!schema_is_email(".a@c.de"));
	CHECK(!schema_is_email("a@.de"));
	CHECK(!schema_is_email("a@b..de"));
	CHECK(!schema_is_email("a@b.de."));
	CHECK(!schema_is_email("a@b.d"));
	CHECK(!schema_is_email("a@-b.de"));
	CHECK(!schema_is_email("a@b.123"));

	CHECK(schema_is_uuid("123e4567-e89b-12d3-a456-426614174000"));
	CHECK(schema_is_uuid("123E4567-E89B-12D3-A456-426614174000"));
	CHECK(!schema_is_uuid("123e4567e89b12d3a456426614174000"));
	CHECK(!schema_is_uuid("123e4567-e89b-12d3-a456-42661417400g"));
	CHECK(!schema_is_uuid("123e4567-e89b-12d3-a456-4266141740000"));
	CHECK(!schema_is_uuid("123e4567-e89b-12d3a-456-426614174000"));

	CHECK(schema_is_time_hm("00:00"));
	CHECK(schema_is_time_hm("23:59"));
	CHECK(schema_is_time_hm("9:05"));
	CHECK(!schema_is_time_hm("24:00"));
	CHECK(!schema_is_time_hm("12:60"));
	CHECK(!schema_is_time_hm("12:5"));
	CHECK(!schema_is_time_hm("12:05:00"));
	CHECK(!schema_is_time_hm("1205"));
	CHECK(!schema_is_time_hm(":05"));
	CHECK(!schema_is_time_hm(""));
}

TEST(schema_format_keyword)
{
	static const struct { const char *fmt, *good, *bad, *msg; } rows[] = {
		{ "e164", "+4930123456", "030123456",
		  "must be a phone number in E.164 format, e.g. +4930123456" },
		{ "date", "2024-02-29", "2023-02-29", "must be a valid date (YYYY-MM-DD)" },
		{ "date-time", "2024-01-01T00:00:00Z", "2024-01-01", "must be a valid date-time (RFC 3339)" },
		{ "uri", "https://x.de", "x.de", "must be a valid URL" },
		{ "email", "a@b.de", "a@b", "must be a valid email address" },
		{ "uuid", "123e4567-e89b-12d3-a456-426614174000", "123", "must be a valid UUID" },
		{ "time-hm", "8:30", "8:30pm", "must be a valid time (HH:MM)" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *s = json_pack("{s:s,s:s}", "type", "string", "format", rows[i].fmt);
		json_t *good = json_pack("{s:s}", "v", rows[i].good);
		json_t *bad = json_pack("{s:s}", "v", rows[i].bad);
		json_t *obj = json_pack("{s:{s:O}}", "properties", "v", s);
		json_t *errs = NULL;
		REQUIRE(s && good && bad && obj);
		CHECK(schema_validate(obj, good, NULL) == 0);
		CHECK(schema_validate(obj, bad, &errs) == -1);
		REQUIRE(errs);
		CHECK_STR(json_string_value(json_array_get(json_object_get(errs, "v"), 0)), rows[i].msg);
		json_decref(errs);
		json_decref(s);
		json_decref(good);
		json_decref(bad);
		json_decref(obj);
	}
	/* format applies to strings only */
	CHECK(V("{\"format\":\"date\"}", "5", NULL) == 0);
}

TEST(schema_items_paths)
{
	const char *s = "{\"type\":\"object\",\"properties\":{\"tool_ids\":{\"type\":\"array\","
		"\"items\":{\"type\":\"integer\",\"minimum\":1}}}}";
	CHECK(V(s, "{\"tool_ids\":[1,2,3]}", NULL) == 0);
	CHECK_ERR(s, "{\"tool_ids\":[1,\"2\",0]}",
		  "{\"tool_ids.1\":[\"must be an integer\"],\"tool_ids.2\":[\"must be at least 1\"]}");
	CHECK_ERR("{\"items\":{\"type\":\"string\"}}", "[\"a\",1]", "{\"1\":[\"must be a string\"]}");
}

TEST(schema_array_sizes_unique)
{
	const char *s = "{\"type\":\"array\",\"minItems\":1,\"maxItems\":3,\"uniqueItems\":true}";
	CHECK(V(s, "[1,2,3]", NULL) == 0);
	CHECK_ERR(s, "[]", "{\"\":[\"must have at least 1 item\"]}");
	CHECK_ERR(s, "[1,2,3,4]", "{\"\":[\"must not have more than 3 items\"]}");
	CHECK_ERR(s, "[1,2,1.0]", "{\"\":[\"must not contain duplicate items\"]}");
	CHECK(V(s, "[{\"a\":1},{\"a\":2}]", NULL) == 0);
	CHECK(V(s, "[{\"a\":1,\"b\":2},{\"b\":2,\"a\":1}]", NULL) == -1);
	CHECK(V(s, "[1,\"1\",true]", NULL) == 0);
	CHECK(V("{\"uniqueItems\":false}", "[1,1]", NULL) == 0);
	CHECK_ERR("{\"minItems\":2}", "[1]", "{\"\":[\"must have at least 2 items\"]}");
}

TEST(schema_one_of)
{
	const char *s = "{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"number\",\"minimum\":10}]}";
	CHECK(V(s, "3", NULL) == 0);            /* integer only */
	CHECK(V(s, "10.5", NULL) == 0);         /* number only */
	CHECK_ERR(s, "12", "{\"\":[\"must match exactly one of the allowed shapes\"]}"); /* both */
	CHECK_ERR(s, "\"x\"", "{\"\":[\"must match exactly one of the allowed shapes\"]}"); /* none */
	/* shapes of an object: by phone or by id */
	const char *o = "{\"type\":\"object\",\"properties\":{\"to\":{\"oneOf\":["
		"{\"type\":\"string\",\"format\":\"e164\"},"
		"{\"type\":\"object\",\"required\":[\"id\"],\"additionalProperties\":false,"
		"\"properties\":{\"id\":{\"type\":\"integer\"}}}]}}}";
	CHECK(V(o, "{\"to\":\"+4930123456\"}", NULL) == 0);
	CHECK(V(o, "{\"to\":{\"id\":4}}", NULL) == 0);
	CHECK_ERR(o, "{\"to\":{\"id\":4,\"x\":1}}",
		  "{\"to\":[\"must match exactly one of the allowed shapes\"]}");
}

TEST(schema_any_of)
{
	const char *s = "{\"anyOf\":[{\"type\":\"string\",\"maxLength\":2},{\"type\":\"integer\"}]}";
	CHECK(V(s, "\"ab\"", NULL) == 0);
	CHECK(V(s, "5", NULL) == 0);
	CHECK_ERR(s, "\"abc\"", "{\"\":[\"must match at least one of the allowed shapes\"]}");
	CHECK(V("{\"anyOf\":[{\"minimum\":0},{\"maximum\":10}]}", "50", NULL) == 0);
}

TEST(schema_nested_paths)
{
	const char *s = "{\"type\":\"object\",\"required\":[\"variables\"],\"properties\":{"
		"\"variables\":{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{"
		"\"name\":{\"type\":\"string\"},"
		"\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"k\"],"
		"\"properties\":{\"k\":{\"enum\":[\"a\"]}}}}}}}}";
	CHECK(V(s, "{\"variables\":{\"name\":\"x\",\"items\":[{\"k\":\"a\"}]}}", NULL) == 0);
	CHECK_ERR(s, "{\"variables\":{\"items\":[{\"k\":\"a\"},{},{\"k\":\"b\"}]}}",
		  "{\"variables.name\":[\"is required\"],\"variables.items.1.k\":[\"is required\"],"
		  "\"variables.items.2.k\":[\"must be one of: a\"]}");
	CHECK_ERR(s, "[]", "{\"\":[\"must be an object\"]}");
}

TEST(schema_several_messages_per_field_dedup)
{
	/* two messages for one field, and a repeated message kept once */
	const char *s = "{\"type\":\"string\",\"minLength\":5,\"pattern\":\"^[0-9]+$\"}";
	CHECK_ERR(s, "\"ab\"", "{\"\":[\"must be at least 5 characters\","
		  "\"does not match the expected format\"]}");
	const char *u = "{\"type\":\"array\",\"items\":{\"additionalProperties\":{\"type\":\"integer\"}}}";
	CHECK_ERR(u, "[{\"a\":\"x\"},{\"a\":\"y\"}]",
		  "{\"0.a\":[\"must be an integer\"],\"1.a\":[\"must be an integer\"]}");
	/* the same message twice for one field is kept once */
	CHECK_ERR("{\"required\":[\"a\",\"a\",\"b\"]}", "{}",
		  "{\"a\":[\"is required\"],\"b\":[\"is required\"]}");
	CHECK_ERR("{\"properties\":{\"a\":{\"properties\":{\"b\":{\"type\":\"string\"}}},"
		  "\"a.b\":{\"type\":\"string\"}}}", "{\"a\":{\"b\":1},\"a.b\":2}",
		  "{\"a.b\":[\"must be a string\"]}");
	/* anyOf branch not matching and the enum: both kept, once each */
	const char *w = "{\"allOf\":[],\"enum\":[1],\"anyOf\":[{\"type\":\"string\"}]}";
	CHECK_ERR(w, "2", "{\"\":[\"must be one of: 1\",\"must match at least one of the allowed shapes\"]}");
}

TEST(schema_message_cap)
{
	json_t *schema = J("{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"a\",\"b\"]}}");
	json_t *doc = json_array();
	json_t *errs = NULL;
	size_t total = 0;
	const char *key;
	json_t *v;

	REQUIRE(schema && doc);
	for (int i = 0; i < 100; i++)
		json_array_append_new(doc, json_object());
	CHECK(schema_validate(schema, doc, &errs) == -1);
	REQUIRE(json_is_object(errs));
	json_object_foreach(errs, key, v)
		total += json_array_size(v);
	CHECK(total == 50);
	CHECK(json_object_get(errs, "24.b") != NULL);
	CHECK(json_object_get(errs, "25.a") == NULL);
	json_decref(errs);
	json_decref(schema);
	json_decref(doc);
}

static int C(const char *schema, const char *want_substr)
{
	char err[256] = "unset";
	json_t *s = J(schema);
	int rc = schema_check(s, err, sizeof(err));
	json_decref(s);
	if (want_substr && !strstr(err, want_substr)) {
		fprintf(stderr, "  schema_check said '%s', wanted '%s'\n", err, want_substr);
		return -2;
	}
	return rc;
}

TEST(schema_check_schemas)
{
	CHECK(C("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":[\"string\",\"null\"],"
		"\"format\":\"e164\",\"pattern\":\"^[+][0-9]+$\"},\"b\":{\"type\":\"array\","
		"\"items\":{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]}}},"
		"\"additionalProperties\":false,\"required\":[\"a\"],\"x-secret\":true,"
		"\"title\":\"t\",\"$schema\":\"https://json-schema.org/draft/2020-12/schema\"}",
		NULL) == 0);
	CHECK(C("{\"type\":\"strng\"}", "unknown type 'strng' at '#'") == -1);
	CHECK(C("{\"properties\":{\"a\":{\"type\":[\"string\",\"nil\"]}}}",
		"unknown type 'nil' at '#/properties/a'") == -1);
	CHECK(C("{\"properties\":{\"a\":{\"format\":\"e.164\"}}}",
		"unknown format 'e.164' at '#/properties/a'") == -1);
	CHECK(C("{\"items\":{\"pattern\":\"([a-z\"}}", "does not compile") == -1);
	CHECK(C("{\"pattern\":\"^\\\\d+$\"}", "(write [0-9])") == -1);
	CHECK(C("[]", "schema is not an object at '#'") == -1);
	CHECK(C("{\"properties\":{\"a\":5}}", "schema is not an object at '#/properties/a'") == -1);
	CHECK(C("{\"additionalProperties\":{\"type\":\"x\"}}",
		"unknown type 'x' at '#/additionalProperties'") == -1);
	CHECK(C("{\"oneOf\":[{},{\"format\":\"zip\"}]}", "unknown format 'zip' at '#/oneOf/1'") == -1);
	CHECK(C("{\"anyOf\":[{\"items\":{\"type\":1}}]}", "at '#/anyOf/0/items'") == -1);
	CHECK(C("{\"anyOf\":[]}", "non-empty array") == -1);
	CHECK(C("{\"minLength\":-1}", "'minLength' must be a non-negative integer") == -1);
	CHECK(C("{\"exclusiveMinimum\":true}", "'exclusiveMinimum' must be a number") == -1);
	CHECK(C("{\"required\":\"a\"}", "'required' must be") == -1);
	CHECK(schema_check(NULL, NULL, 0) == -1);
}

TEST(schema_errors_summary_text)
{
	json_t *errs = J("{\"phone_number\":[\"must be a phone number in E.164 format, e.g. +4930123456\"],"
			 "\"name\":[\"is required\",\"must be a string\"],\"\":[\"must be an object\"]}");
	char *s = schema_errors_summary(errs);
	CHECK_STR(s, "phone_number: must be a phone number in E.164 format, e.g. +4930123456; "
		  "name: is required; name: must be a string; must be an object");
	free(s);
	json_decref(errs);
	s = schema_errors_summary(NULL);
	CHECK_STR(s, "");
	free(s);

	/* from a real validation */
	json_t *schema = J("{\"required\":[\"name\"],\"properties\":{\"phone_number\":{\"format\":\"e164\"}}}");
	json_t *doc = J("{\"phone_number\":\"123\"}");
	errs = NULL;
	CHECK(schema_validate(schema, doc, &errs) == -1);
	s = schema_errors_summary(errs);
	CHECK_STR(s, "name: is required; phone_number: must be a phone number in E.164 format, e.g. +4930123456");
	free(s);
	json_decref(errs);
	json_decref(schema);
	json_decref(doc);
}

TEST(schema_boolean_subschemas)
{
	CHECK(V("{\"items\":true}", "[1,\"a\"]", NULL) == 0);
	CHECK_ERR("{\"items\":false}", "[1]", "{\"0\":[\"is not allowed\"]}");
	CHECK(V("{\"items\":false}", "[]", NULL) == 0);
	/* success leaves *errors NULL */
	json_t *errs = (json_t *)1;
	CHECK(V("{}", "1", &errs) == 0);
	CHECK(errs == NULL);
}

struct thread_arg {
	int id;
	int bad;
};

static void *validate_thread(void *p)
{
	struct thread_arg *a = p;
	char pat[64];
	json_t *schemas[4];

	/* every thread uses the shared patterns and one of its own */
	schemas[0] = json_pack("{s:s,s:s}", "type", "string", "pattern", "^[a-z][a-z_]*$");
	schemas[1] = json_pack("{s:s,s:s}", "type", "string", "pattern", "^[+][1-9][0-9]+$");
	snprintf(pat, sizeof(pat), "^t%d-[0-9]+$", a->id);
	schemas[2] = json_pack("{s:s,s:s}", "type", "string", "pattern", pat);
	schemas[3] = json_pack("{s:s,s:{s:O},s:b}", "type", "object", "properties", "x",
			       schemas[0], "additionalProperties", 0);
	for (int i = 0; i < 2000; i++) {
		char v[32];
		json_t *ok, *no, *errs = NULL;
		int k = i % 4;

		if (k == 0) {
			ok = json_string("snake_case"); no = json_string("Snake");
		} else if (k == 1) {
			ok = json_string("+4930123"); no = json_string("+0301");
		} else if (k == 2) {
			snprintf(v, sizeof(v), "t%d-%d", a->id, i);
			ok = json_string(v); no = json_string("t-1");
		} else {
			ok = json_pack("{s:s}", "x", "abc"); no = json_pack("{s:s,s:i}", "x", "ABC", "y", 1);
		}
		if (schema_validate(schemas[k], ok, NULL) != 0)
			a->bad++;
		if (schema_validate(schemas[k], no, &errs) != -1 || !json_is_object(errs))
			a->bad++;
		json_decref(errs);
		json_decref(ok);
		json_decref(no);
	}
	for (int k = 0; k < 4; k++)
		json_decref(schemas[k]);
	return NULL;
}

TEST(schema_threads)
{
	pthread_t th[4];
	struct thread_arg args[4];

	schema_cleanup();       /* start with a cold cache so the threads race to fill it */
	for (int i = 0; i < 4; i++) {
		args[i].id = i;
		args[i].bad = 0;
		REQUIRE(pthread_create(&th[i], NULL, validate_thread, &args[i]) == 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK(args[i].bad == 0);
	}
	schema_cleanup();
}

const struct unit_test schema_tests[] = {
	T(schema_types),
	T(schema_type_arrays_nullable),
	T(schema_required_and_properties),
	T(schema_additional_properties),
	T(schema_enum_const),
	T(schema_numeric_bounds),
	T(schema_exclusive_bounds),
	T(schema_string_length_utf8),
	T(schema_pattern),
	T(schema_format_functions),
	T(schema_format_keyword),
	T(schema_items_paths),
	T(schema_array_sizes_unique),
	T(schema_one_of),
	T(schema_any_of),
	T(schema_nested_paths),
	T(schema_several_messages_per_field_dedup),
	T(schema_message_cap),
	T(schema_check_schemas),
	T(schema_errors_summary_text),
	T(schema_boolean_subschemas),
	T(schema_threads),
	{ 0 }
};
