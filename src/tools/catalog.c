/* catalog.c - models, voices, languages and phone numbers. Unpaged lists
 * answer {data:[...]}: structuredContent must be an object, and `data`
 * matches what paged lists hold. */
#include "agent/llm.h"
#include "store/store.h"
#include "tools/tools.h"

static int list(struct tool_result *res, json_t *arr)
{
	if (!arr)
		return tool_fail(res, "cannot read the catalog: store unavailable");
	return tool_ok(res, json_pack("{s:o}", "data", arr));
}

/* Each model says whether this server can run it (llm.h: its own provider
 * or the default one); the answer says how to configure one when none is. */
HANDLER(get_models)
{
	json_t *arr = store_models_list(), *m;
	const struct llm_config *c = llm_config();
	size_t i, usable = 0;

	if (!arr)
		return list(res, arr);
	json_array_foreach(arr, i, m) {
		int u = llm_usable(json_string_value(json_object_get(m, "name")));
		json_object_set_new(m, "usable", json_boolean(u));
		usable += u;
	}
	list(res, arr);
	json_object_set_new(res->structured, "default_model", c->url[0] && c->model[0]
			    ? json_string(c->model) : json_null());
	if (!usable)
		json_object_set_new(res->structured, "message", json_string(
			"no model is usable on this server yet: " LLM_HOWTO));
	return 0;
}

HANDLER(get_voices)
{
	return list(res, store_voices_list(json_string_value(json_object_get(args, "mode"))));
}

HANDLER(get_languages)
{
	return list(res, store_languages_list());
}

HANDLER(get_phone_numbers)
{
	return list(res, store_phone_numbers_list(ctx->who->account_id,
		json_string_value(json_object_get(args, "type"))));
}
