/* assistants.c - list, read, create, update and delete assistants. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mcp/rpc.h"
#include "store/store.h"
#include "tools/tools.h"
#include "base/util.h"

HANDLER(get_assistants)
{
	int page = arg_page(args);
	int per = (int)arg_int(args, "per_page", 10);
	int64_t total = 0;
	json_t *data = store_assistant_page(ctx->who->account_id, page, per, &total);

	if (!data)
		return tool_fail(res, "cannot list assistants: store unavailable");
	return tool_ok(res, page_object(data, "/api/user/assistants", page, per, total));
}

HANDLER(get_assistant)
{
	json_t *a = store_assistant_get(ctx->who->account_id, arg_int(args, "id", 0));
	if (!a)
		return tool_invalid(res, "id", "assistant not found");
	return tool_ok(res, json_pack("{s:o}", "data", a));
}

/* `name` is accepted for `assistant_name` (give one, or both the same): a
 * copy of args with assistant_name set and name gone, or NULL with an
 * isError in res. A schema cannot say "one of the two" without a
 * root-level oneOf, which some model providers refuse in tool schemas. */
static json_t *name_alias(struct tool_result *res, const json_t *args, int required)
{
	const json_t *n = json_object_get(args, "name"), *an = json_object_get(args, "assistant_name");
	json_t *out;

	if (n && an && !json_equal(n, an))
		return tool_invalid(res, "name", "give assistant_name or name, not two different names"),
		       NULL;
	if (required && !n && !an)
		return tool_invalid(res, "assistant_name", "is required (or give it as name)"), NULL;
	out = json_deep_copy(args);
	if (n && !an)
		json_object_set(out, "assistant_name", (json_t *)n);
	json_object_del(out, "name");
	return out;
}

/* Business rules the schema cannot express. 0 when fine. */
static int check_refs(struct tool_result *res, const json_t *args)
{
	const json_t *v = json_object_get(args, "voice_id");
	if (json_is_integer(v) && !store_voice_exists(json_integer_value(v)))
		return tool_invalid(res, "voice_id", "the selected voice does not exist"), -1;
	return 0;
}

static int answer(struct tool_result *res, int64_t account, int64_t id,
		  const char *msg)
{
	json_t *a = store_assistant_get(account, id);
	if (!a)
		return tool_fail(res, "assistant %lld vanished", (long long)id);
	return tool_ok(res, json_pack("{s:s, s:o}", "message", msg, "data", a));
}

static int store_error(struct tool_result *res, const json_t *args, int r,
		       const char *what)
{
	if (r == STORE_NOTFOUND)
		return tool_invalid(res, "id", "assistant not found");
	if (r == STORE_INVALID)	/* the store does not say which reference */
		return tool_invalid(res, json_object_get(args, "phone_number_id") ? "phone_number_id"
				    : json_object_get(args, "tool_ids") ? "tool_ids" : "",
				    "a referenced phone number or mid-call tool does not "
				    "exist in this account, or a setting has the wrong type");
	return tool_fail(res, "cannot %s the assistant: store error", what);
}

HANDLER(create_assistant)
{
	json_t *fields = name_alias(res, args, 1);
	int64_t id;
	int r;

	if (!fields)
		return 0;
	if (check_refs(res, fields)) {
		json_decref(fields);
		return 0;
	}
	r = store_assistant_insert(ctx->who->account_id, fields, &id);
	json_decref(fields);
	if (r)
		return store_error(res, args, r, "create");
	return answer(res, ctx->who->account_id, id, "Assistant created successfully");
}

HANDLER(update_assistant)
{
	int64_t id = arg_int(args, "id", 0);
	json_t *fields;
	int r;

	if (check_refs(res, args) || !(fields = name_alias(res, args, 0)))
		return 0;
	json_object_del(fields, "id");
	r = store_assistant_update(ctx->who->account_id, id, fields);
	json_decref(fields);
	if (r)
		return store_error(res, args, r, "update");
	char uri[64];
	snprintf(uri, sizeof(uri), "switchboard://assistants/%lld", (long long)id);
	rpc_resource_updated(uri);
	return answer(res, ctx->who->account_id, id, "Assistant updated successfully");
}

HANDLER(delete_assistant)
{
	int64_t id = arg_int(args, "id", 0);
	int r = store_assistant_delete(ctx->who->account_id, id);
	if (r)
		return store_error(res, args, r, "delete");
	return tool_ok(res, json_pack("{s:s, s:{s:I}}", "message",
		"Assistant deleted successfully", "data", "id", (json_int_t)id));
}

int assistant_resource_read(struct call_ctx *ctx, const char *uri, json_t **contents)
{
	const char *p = uri + strlen("switchboard://assistants/");
	int64_t id;
	json_t *a;
	char *txt;

	if (!ctx->who || util_parse_i64(p, &id))
		return -2;
	a = store_assistant_get(ctx->who->account_id, id);
	if (!a)
		return -2;
	txt = json_dumps(a, JSON_INDENT(2));
	*contents = json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
			      "application/json", "text", txt ? txt : "{}");
	free(txt);
	json_decref(a);
	return 0;
}

int prompt_new_assistant(struct call_ctx *ctx, const json_t *args, json_t **m,
			 const char **err)
{
	char txt[2048];
	const char *purpose = json_string_value(json_object_get(args, "purpose"));
	const char *lang = json_string_value(json_object_get(args, "language"));

	snprintf(txt, sizeof(txt),
		 "Design a phone assistant for this purpose: %s.\n"
		 "It speaks %s. First call get_voices and get_models to pick a voice and "
		 "a model, then call create_assistant with a clear system_prompt, a short "
		 "initial_message, calls_direction (receive for inbound, make for "
		 "outbound) and sensible limits (max_call_duration, "
		 "max_silence_duration). Show me the assistant before you attach a "
		 "phone number.", purpose, lang ? lang : "English");
	*m = json_pack("[{s:s, s:{s:s, s:s}}]", "role", "user", "content", "type",
		       "text", "text", txt);
	return 0;
}
