/* calls.c - make_call (a spend action), get_call, list_calls, delete_call
 * and get_outbound_assistants. */
#include <stdio.h>
#include <string.h>
#include "calls/runtime.h"
#include "store/assistant_settings.h"
#include "store/call_status.h"
#include "store/store.h"
#include "tools/tools.h"
#include "base/util.h"

/* What a call needs before it may be placed, checked by the preview and
 * again by the handler: the assistant, the number it calls from, the
 * price of its longest call and a balance for at least one minute. */
struct call_plan {
	json_t *assistant;
	struct store_phone from;
	int64_t max_cost, minute;
	int minutes;
};

static int plan_call(struct call_ctx *ctx, const json_t *args, struct call_plan *p,
		     struct tool_result *res)
{
	int64_t aid = arg_int(args, "assistant_id", 0);
	struct store_account acc;
	const char *name;
	struct assistant_settings set;

	memset(p, 0, sizeof(*p));
	p->assistant = store_assistant_get(ctx->who->account_id, aid);
	if (!p->assistant)
		return tool_invalid(res, "assistant_id", "assistant not found"), -1;
	name = json_string_value(json_object_get(p->assistant, "assistant_name"));
	json_t *pid = json_object_get(p->assistant, "phone_number_id");
	if (!json_is_integer(pid) ||
	    store_phone_number_get(ctx->who->account_id, json_integer_value(pid), &p->from))
		return tool_invalid(res, "assistant_id", "assistant '%s' has no phone number to "
				    "call from: assign one with update_assistant (phone_number_id)",
				    name ? name : "?"), -1;
	assistant_settings_parse(p->assistant, &set);
	p->minutes = assistant_settings_max_minutes(&set);
	if (p->minutes < 1)
		p->minutes = 1;
	p->minute = calls_price_per_minute();
	p->max_cost = p->minute * p->minutes;
	if (store_account_get(ctx->who->account_id, &acc))
		return tool_fail(res, "cannot read the account balance"), -1;
	if (acc.balance_micros <= 0 || acc.balance_micros < p->minute)
		return tool_funds(res, acc.balance_micros, p->minute, "a call (one minute)");
	return 0;
}

int make_call_preview(struct call_ctx *ctx, const json_t *args, json_t **pv,
		      struct tool_result *res)
{
	struct call_plan p;
	char target[512];
	const char *name;

	if (plan_call(ctx, args, &p, res)) {
		json_decref(p.assistant);
		return -1;
	}
	name = json_string_value(json_object_get(p.assistant, "assistant_name"));
	snprintf(target, sizeof(target), "%s with assistant '%s' from %s",
		 arg_str(args, "phone_number"), name ? name : "?", p.from.phone_number);
	*pv = spend_preview("place a phone call", target, p.max_cost, json_pack(
		"{s:I, s:s, s:s, s:O, s:o, s:i}",
		"assistant_id", (json_int_t)arg_int(args, "assistant_id", 0),
		"from", p.from.phone_number, "to", arg_str(args, "phone_number"),
		"max_call_duration", json_object_get(p.assistant, "max_call_duration"),
		"price_per_minute", money_json(p.minute), "billed_minutes_at_most", p.minutes));
	json_decref(p.assistant);
	return 0;
}

HANDLER(make_call)
{
	struct call_plan p;
	struct store_call_new c = { 0 };
	int64_t id = 0;
	int r;

	if (plan_call(ctx, args, &p, res))
		goto out;
	c.assistant_id = arg_int(args, "assistant_id", 0);
	c.type = "outbound";
	c.from_number = p.from.phone_number;
	c.to_number = arg_str(args, "phone_number");
	c.variables = json_object_get(args, "variables");
	c.idempotency_key = arg_str(args, "idempotency_key");
	r = store_call_insert(ctx->who->account_id, &c, &id);
	if (r == STORE_CONFLICT) {
		tool_invalid(res, "idempotency_key", "a call with this key exists already");
		goto out;
	}
	if (r) {
		tool_fail(res, "cannot create the call: store error");
		goto out;
	}
	/* from here the runtime owns the call; a refusal ends it as failed
	 * with the reason, which get_call shows */
	calls_runtime_submit(id);
	tool_ok(res, json_pack("{s:s, s:I, s:s}", "message", "Call initiated successfully",
			       "call_id", (json_int_t)id, "status", "initiated"));
out:
	json_decref(p.assistant);
	return 0;
}

/* The store's call with money as decimal strings. */
static json_t *call_shape(json_t *c)
{
	money_field(c, "carrier_cost_micros", "carrier_cost");
	money_field(c, "total_cost_micros", "total_cost");
	return c;
}

HANDLER(get_call)
{
	json_t *c = store_call_get(ctx->who->account_id, arg_int(args, "call_id", 0));
	if (!c)
		return tool_invalid(res, "call_id", "call not found");
	/* the decision log: what the assistant did during the call */
	json_t *actions = store_action_list(ctx->who->account_id, arg_int(args, "call_id", 0));
	json_t *shaped = call_shape(c);
	json_object_set_new(shaped, "actions", actions ? actions : json_array());
	/* what the post-call evaluation made of it */
	json_t *outcome = store_call_outcome_get(ctx->who->account_id, arg_int(args, "call_id", 0));
	json_t *sum = outcome ? json_object_get(outcome, "summary") : NULL;
	json_t *ext = outcome ? json_object_get(outcome, "extracted_variables") : NULL;
	json_object_set_new(shaped, "summary", json_is_string(sum) ? json_incref(sum) : json_null());
	json_object_set_new(shaped, "extracted_variables",
			    json_is_object(ext) ? json_incref(ext) : json_object());
	json_decref(outcome);
	return tool_ok(res, shaped);
}

HANDLER(list_calls)
{
	int page = arg_page(args), per = (int)arg_int(args, "per_page", 15);
	struct store_call_filter f = {
		.status = arg_str(args, "status"), .type = arg_str(args, "type"),
		.phone_number = arg_str(args, "phone_number"),
		.assistant_id = arg_int(args, "assistant_id", 0),
		.campaign_id = arg_int(args, "campaign_id", 0),
		.date_from = arg_str(args, "date_from"), .date_to = arg_str(args, "date_to"),
	};
	int64_t total = 0;
	size_t i;
	json_t *data, *c;

	if (f.date_from && f.date_to && strcmp(f.date_from, f.date_to) > 0)
		return tool_invalid(res, "date_to", "must be a date after or equal to date_from");
	data = store_call_page(ctx->who->account_id, &f, page, per, &total);
	if (!data)
		return tool_fail(res, "cannot list calls: store unavailable");
	json_array_foreach(data, i, c)
		call_shape(c);
	return tool_ok(res, page_object(data, "/api/user/calls", page, per, total));
}

HANDLER(delete_call)
{
	int64_t id = arg_int(args, "call_id", 0);
	int r = store_call_delete(ctx->who->account_id, id);

	if (r == STORE_NOTFOUND)
		return tool_invalid(res, "call_id", "call not found");
	if (r == STORE_CONFLICT)
		return tool_invalid(res, "call_id", "the call is still live: it can be deleted "
				    "once it has ended");
	if (r)
		return tool_fail(res, "cannot delete the call: store error");
	return tool_ok(res, json_pack("{s:s, s:{s:I}}", "message", "Call deleted successfully",
				      "data", "id", (json_int_t)id));
}

HANDLER(end_call)
{
	int64_t id = arg_int(args, "call_id", 0);
	json_t *call = store_call_get(ctx->who->account_id, id);
	const char *st = json_string_value(json_object_get(call, "status"));
	char m[160];
	int r;

	if (!call)
		return tool_invalid(res, "call_id", "call not found");
	if (!call_status_is_live(call_status_parse(st))) {
		tool_invalid(res, "call_id", "the call has ended already (status %s)", st ? st : "?");
		json_decref(call);
		return 0;
	}
	json_decref(call);
	r = calls_runtime_end(id, "ended by an operator (end_call)");
	if (r < 0)
		return tool_fail(res, "cannot end the call: store error");
	snprintf(m, sizeof m, r == 0 ? "Call %lld is ending: the assistant says goodbye and hangs up."
		 : "Call %lld ended.", (long long)id);
	return tool_ok(res, json_pack("{s:s, s:I, s:s}", "message", m, "call_id", (json_int_t)id,
				      "status", r == 0 ? "ending" : "ended"));
}

HANDLER(get_outbound_assistants)
{
	int page = arg_page(args), per = (int)arg_int(args, "per_page", 10);
	int64_t total = 0;
	json_t *data = store_assistant_page_direction(ctx->who->account_id, "make", page,
						      per, &total);
	if (!data)
		return tool_fail(res, "cannot list assistants: store unavailable");
	return tool_ok(res, page_object(data, "/api/user/assistants/outbound", page, per, total));
}
