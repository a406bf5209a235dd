/* messages.c - send_sms: a spend action through the SMS provider (sms.h).
 * The cost is charged with the SMS row in one transaction before the
 * provider is asked, and refunded when the provider does not take it. */
#include <stdio.h>
#include <string.h>
#include "agent/sms.h"
#include "store/store.h"
#include "tools/tools.h"
#include "base/util.h"

struct sms_plan {
	struct store_phone from;
	struct sms_count count;
	int64_t cost;
};

static int plan_sms(struct call_ctx *ctx, const json_t *args, struct sms_plan *p,
		    struct tool_result *res)
{
	const char *body = arg_str(args, "body");
	const struct sms_config *cfg = sms_config();
	struct store_account acc;

	const json_t *from = json_object_get(args, "from");
	int64_t from_id = json_integer_value(from);

	memset(p, 0, sizeof(*p));
	if (json_is_string(from)) {	/* the number itself: one of the account's */
		struct store_voice_line line;
		if (!store_voice_line_by_number(json_string_value(from), &line) &&
		    line.account_id == ctx->who->account_id)
			from_id = line.phone_id;
	}
	if (!from_id || store_phone_number_get(ctx->who->account_id, from_id, &p->from))
		return tool_invalid(res, "from", "phone number not found among the account's: see "
				    "get_phone_numbers"), -1;
	if (!p->from.sms_capable)
		return tool_invalid(res, "from", "phone number %s cannot send SMS",
				    p->from.phone_number), -1;
	if (sms_count(body, strlen(body), &p->count))
		return tool_invalid(res, "body", "is not valid UTF-8 text"), -1;
	if (!sms_configured(cfg))
		return tool_fail(res, "SMS is not configured on this server: the operator sets "
				 "SWITCHBOARD_SMS_SID and SWITCHBOARD_SMS_TOKEN (and "
				 "SWITCHBOARD_SMS_URL for a provider other than Twilio) and "
				 "restarts it"), -1;
	p->cost = cfg->price_micros * p->count.segments;
	if (store_account_get(ctx->who->account_id, &acc))
		return tool_fail(res, "cannot read the account balance"), -1;
	if (acc.balance_micros < p->cost)
		return tool_funds(res, acc.balance_micros, p->cost, "this SMS");
	return 0;
}

static json_t *count_json(const struct sms_plan *p)
{
	return json_pack("{s:i, s:s, s:I, s:I, s:I}", "segments", p->count.segments,
			 "encoding", sms_encoding_name(p->count.encoding),
			 "characters", (json_int_t)p->count.chars,
			 "units", (json_int_t)p->count.units,
			 "per_segment", (json_int_t)p->count.per_segment);
}

int send_sms_preview(struct call_ctx *ctx, const json_t *args, json_t **pv,
		     struct tool_result *res)
{
	struct sms_plan p;
	char target[256];

	if (plan_sms(ctx, args, &p, res))
		return -1;
	snprintf(target, sizeof(target), "%s from %s (%d segment%s)", arg_str(args, "to"),
		 p.from.phone_number, p.count.segments, p.count.segments == 1 ? "" : "s");
	json_t *d = count_json(&p);
	json_object_set_new(d, "price_per_segment", money_json(sms_config()->price_micros));
	*pv = spend_preview("send an SMS", target, p.cost, d);
	return 0;
}

HANDLER(send_sms)
{
	const struct sms_config *cfg = sms_config();
	struct store_sms_new m = { 0 };
	struct sms_receipt rc;
	struct sms_plan p;
	char err[512];
	int64_t id = 0;
	json_t *row;
	int r;

	if (plan_sms(ctx, args, &p, res))
		return 0;
	m.phone_number_id = p.from.id;
	m.from_number = p.from.phone_number;
	m.to_number = arg_str(args, "to");
	m.body = arg_str(args, "body");
	m.encoding = sms_encoding_name(p.count.encoding);
	m.segments = p.count.segments;
	m.cost_micros = p.cost;
	m.idempotency_key = arg_str(args, "idempotency_key");
	r = store_sms_reserve(ctx->who->account_id, &m, &id);
	if (r == STORE_FUNDS) {
		struct store_account acc = { 0 };
		store_account_get(ctx->who->account_id, &acc);
		tool_funds(res, acc.balance_micros, p.cost, "this SMS");
		return 0;
	}
	if (r == STORE_CONFLICT)
		return tool_invalid(res, "idempotency_key", "an SMS with this key exists already");
	if (r)
		return tool_fail(res, "cannot record the SMS: store error");

	r = sms_send(cfg, m.from_number, m.to_number, m.body, &rc, err, sizeof(err));
	if (r != SMS_SENT) {
		store_sms_failed(ctx->who->account_id, id, err);
		return tool_fail(res, "%s (SMS %lld not charged)", err, (long long)id);
	}
	if (store_sms_sent(ctx->who->account_id, id, rc.status, rc.provider_id))
		return tool_fail(res, "the provider took the message (id %s), but recording it "
				 "failed", rc.provider_id);
	row = store_sms_get(ctx->who->account_id, id);
	if (!row)
		return tool_fail(res, "SMS %lld vanished", (long long)id);
	money_field(row, "cost_micros", "cost");
	json_object_set_new(row, "per_segment", json_integer((json_int_t)p.count.per_segment));
	json_object_set_new(row, "tries", json_integer(rc.tries));
	return tool_ok(res, json_pack("{s:s, s:o}", "message", "SMS sent successfully",
				      "data", row));
}
