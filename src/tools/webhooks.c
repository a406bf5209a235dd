/* webhooks.c - the post-call webhook's control-plane tools: the account's
 * signing secret (admin) and the delivery log of a call (read). */
#include <sodium.h>
#include <string.h>
#include "outbound/httpaction.h"
#include "store/store.h"
#include "tools/tools.h"
#include "agent/webhook.h"

HANDLER(get_webhook_secret)
{
	char secret[128];
	json_t *out;

	if (webhook_secret(ctx->who->account_id, secret, sizeof(secret)))
		return tool_fail(res, "cannot read or create the webhook secret");
	out = json_pack("{s:s, s:s, s:s, s:s}", "secret", secret,
		"signature_header", "X-Switchboard-Signature",
		"timestamp_header", "X-Switchboard-Timestamp",
		"scheme", HA_SIGNATURE_SCHEME);
	sodium_memzero(secret, sizeof(secret));
	return out ? tool_ok(res, out) : tool_fail(res, "out of memory");
}

HANDLER(list_webhook_deliveries)
{
	int64_t id = arg_int(args, "call_id", 0);
	json_t *list = store_webhook_list(ctx->who->account_id, id);

	if (!list)
		return tool_invalid(res, "call_id", "call not found");
	return tool_ok(res, json_pack("{s:I, s:o}", "call_id", (json_int_t)id, "data", list));
}
