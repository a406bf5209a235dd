/* test_tooltable.c - the tool table generated from src/tools/schemas/ */
#include <jansson.h>
#include "outbound/httpaction.h"
#include "tools/tools.h"
#include "test.h"

static const struct tool *row(const char *name, unsigned surface)
{
	for (const struct tool *t = tool_table; t->name; t++)
		if (!strcmp(t->name, name) && (t->surfaces & surface))
			return t;
	return NULL;
}

/* The declarations are data: a description cannot name a C macro, so the
 * signing scheme is written out in two files; this keeps them current. */
TEST(tooltable_signature_scheme)
{
	const char *names[] = { "get_webhook_secret", "get_mid_call_tool_secret" };
	for (size_t i = 0; i < 2; i++) {
		const struct tool *t = row(names[i], SURFACE_CONTROL);
		REQUIRE(t);
		CHECK(strstr(t->description, HA_SIGNATURE_SCHEME) != NULL);
	}
}

TEST(tooltable_rows)
{
	size_t n = 0;
	for (const struct tool *t = tool_table; t->name; t++, n++) {
		json_t *in = json_loads(t->input_schema, 0, NULL);
		json_t *out = t->output_schema ? json_loads(t->output_schema, 0, NULL) : NULL;
		json_t *props = json_object_get(in, "properties");
		CHECK(in != NULL);
		CHECK(!t->output_schema || out != NULL);
		CHECK(t->title && t->description && t->fn && t->surfaces);
		/* spend rows: a preview and the confirmation arguments */
		if (t->flags & TOOL_SPEND) {
			CHECK(t->preview != NULL);
			CHECK(json_object_get(props, "confirmation_token") != NULL);
			CHECK(json_object_get(props, "idempotency_key") != NULL);
			CHECK(t->output_schema && strstr(t->output_schema, "confirmation_required"));
		} else {
			CHECK(t->preview == NULL);
		}
		json_decref(in);
		json_decref(out);
	}
	CHECK(n == 57);	/* one row a file in src/tools/schemas */
	CHECK(row("create_lead", SURFACE_CONTROL) != row("create_lead", SURFACE_INCALL));
	CHECK(row("create_lead", SURFACE_INCALL)->fn == ic_create_lead);
	CHECK(row("make_call", SURFACE_CONTROL)->preview == make_call_preview);
}

const struct unit_test tooltable_tests[] = {
	T(tooltable_signature_scheme), T(tooltable_rows), { 0 }
};
