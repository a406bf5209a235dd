/* catalog.c - models, voices, languages and phone numbers. Unpaged lists
 * answer {data:[...]}: structuredContent must be an object, and `data`
 * matches what paged lists hold. */
#include "store.h"
#include "tools/tools.h"

static int list(struct tool_result *res, json_t *arr)
{
	if (!arr)
		return tool_fail(res, "cannot read the catalog: store unavailable");
	return tool_ok(res, json_pack("{s:o}", "data", arr));
}

HANDLER(get_models)
{
	return list(res, store_models_list());
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
