/* account.c - get_me: who the key belongs to, balance and this month's use. */
#include <stdio.h>
#include <string.h>
#include "store/store.h"
#include "tools/tools.h"
#include "base/util.h"

static json_t *me(const struct principal *who)
{
	struct store_account a;
	json_t *usage, *out;
	char bal[32], calls[32], sms[32], total[32], scopes[64];

	if (store_account_get(who->account_id, &a))
		return NULL;
	usage = store_account_usage_month(who->account_id);
	if (!usage)
		return NULL;
	util_money(a.balance_micros, bal, sizeof(bal));
	util_money(json_integer_value(json_object_get(usage, "call_cost_micros")), calls, sizeof(calls));
	util_money(json_integer_value(json_object_get(usage, "sms_cost_micros")), sms, sizeof(sms));
	util_money(json_integer_value(json_object_get(usage, "total_cost_micros")), total, sizeof(total));
	auth_scopes_format(who->scopes, scopes, sizeof(scopes));
	out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:{s:O, s:O, s:s, s:O, s:s, s:s}}",
		"id", (json_int_t)a.id, "name", a.name, "timezone", a.timezone,
		"balance", bal, "currency", "USD",
		"api_key", "prefix", who->key_prefix, "scopes", scopes, "created_at",
		who->key_created_at[0] ? who->key_created_at : a.created_at,
		"usage_this_month", "month", json_object_get(usage, "month"),
		"calls", json_object_get(usage, "calls"), "calls_cost", calls,
		"sms", json_object_get(usage, "sms"), "sms_cost", sms, "total_cost", total);
	json_decref(usage);
	return out;
}

HANDLER(get_me)
{
	json_t *m = me(ctx->who);
	return m ? tool_ok(res, m) : tool_fail(res, "cannot read the account");
}

int account_resource_read(struct call_ctx *ctx, const char *uri, json_t **contents)
{
	json_t *m;
	char *txt;

	if (!ctx->who || !(m = me(ctx->who)))
		return -2;
	txt = json_dumps(m, JSON_INDENT(2));
	*contents = json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
			      "application/json", "text", txt ? txt : "{}");
	free(txt);
	json_decref(m);
	return 0;
}
