/* campaigns.c - campaigns (list, create, start/stop, delete) and their
 * leads (list, create, update, delete). Starting a campaign is a spend
 * action; stopping one is free (the preview says so, see tool.h). */
#include <stdio.h>
#include <string.h>
#include "calls/runtime.h"
#include "mcp/schema.h"
#include "store/assistant_settings.h"
#include "store/store.h"
#include "tools/tools.h"
#include "base/util.h"

HANDLER(list_campaigns)
{
	json_t *l = store_campaign_list(ctx->who->account_id);
	if (!l)
		return tool_fail(res, "cannot list campaigns: store unavailable");
	return tool_ok(res, json_pack("{s:o}", "data", l));
}

HANDLER(create_campaign)
{
	int64_t acc = ctx->who->account_id, id = 0;
	json_t *a, *ids, *v, *c;
	const char *start, *end;
	size_t i;
	int r;

	a = store_assistant_get(acc, arg_int(args, "assistant_id", 0));
	if (!a)
		return tool_invalid(res, "assistant_id", "assistant not found");
	r = strcmp(json_string_value(json_object_get(a, "calls_direction")), "make");
	json_decref(a);
	if (r)
		return tool_invalid(res, "assistant_id", "a campaign needs an outbound assistant "
				    "(calls_direction 'make'): see get_outbound_assistants");
	ids = json_object_get(args, "phone_number_ids");
	json_array_foreach(ids, i, v) {
		struct store_phone p;
		if (store_phone_number_get(acc, json_integer_value(v), &p))
			return tool_invalid(res, "phone_number_ids", "phone number %lld not found",
					    (long long)json_integer_value(v));
	}
	start = arg_str(args, "allowed_hours_start_time");
	end = arg_str(args, "allowed_hours_end_time");
	if (strcmp(start ? start : "09:00", end ? end : "17:00") >= 0)
		return tool_invalid(res, "allowed_hours_end_time",
				    "must be later than allowed_hours_start_time");
	r = store_campaign_insert(acc, args, &id);
	if (r == STORE_INVALID)
		return tool_invalid(res, "", "a setting is out of range");
	if (r)
		return tool_fail(res, "cannot create the campaign: store error");
	c = store_campaign_get(acc, id);
	if (!c)
		return tool_fail(res, "campaign %lld vanished", (long long)id);
	return tool_ok(res, json_pack("{s:s, s:o}", "message", "Campaign created successfully",
				      "data", c));
}

int campaign_status_preview(struct call_ctx *ctx, const json_t *args, json_t **pv,
			    struct tool_result *res)
{
	int64_t acc = ctx->who->account_id, id = arg_int(args, "campaign_id", 0);
	json_t *c = store_campaign_get(acc, id), *a = NULL;
	struct store_campaign_priced p;
	struct store_account account;
	const char *name, *aname;
	int64_t retries, minute = calls_price_per_minute();
	struct assistant_settings set;
	int minutes, r = -1;
	char target[512];

	if (!c)
		return tool_invalid(res, "campaign_id", "campaign not found"), -1;
	if (strcmp(arg_str(args, "action"), "start")) {
		r = TOOL_PREVIEW_FREE;   /* stopping spends nothing */
		goto out;
	}
	name = json_string_value(json_object_get(c, "name"));
	/* what a start approves: the leads to call, or in a running campaign
	 * those added or reopened since (store.h); the digest binds which */
	if (store_campaign_priced(acc, id, &p)) {
		tool_fail(res, "cannot read the campaign's leads: store unavailable");
		goto out;
	}
	if (p.running && p.leads < 1) {
		tool_invalid(res, "action", "campaign '%s' is already running, with no new "
			     "leads to confirm", name);
		goto out;
	}
	if (p.leads < 1) {
		tool_invalid(res, "campaign_id", "campaign '%s' has no leads to call (status "
			     "created, scheduled or rescheduled): add some with create_lead", name);
		goto out;
	}
	if (store_account_get(acc, &account)) {
		tool_fail(res, "cannot read the account balance");
		goto out;
	}
	if (account.balance_micros <= 0) {
		tool_funds(res, account.balance_micros, minute, "starting a campaign");
		goto out;
	}
	a = store_assistant_get(acc, json_integer_value(json_object_get(c, "assistant_id")));
	if (!a) {
		tool_invalid(res, "campaign_id", "campaign '%s' has no assistant any more", name);
		goto out;
	}
	assistant_settings_parse(a, &set);
	minutes = assistant_settings_max_minutes(&set);
	aname = json_string_value(json_object_get(a, "assistant_name"));
	retries = json_integer_value(json_object_get(c, "max_retries"));
	snprintf(target, sizeof(target), "campaign '%s'%s: %lld %slead%s called by assistant '%s'",
		 name, p.running ? " (running)" : "", (long long)p.leads, p.running ? "more " : "",
		 p.leads == 1 ? "" : "s", aname ? aname : "?");
	*pv = spend_preview(p.running ? "call the leads added to a running campaign"
				      : "start a call campaign",
		target, p.leads * retries * minutes * minute,
		json_pack("{s:I, s:I, s:s, s:b, s:I, s:i, s:o, s:O}", "campaign_id", (json_int_t)id,
			  "leads", (json_int_t)p.leads, "leads_digest", p.digest,
			  "campaign_running", p.running,
			  "max_attempts_per_lead", (json_int_t)retries,
			  "max_minutes_per_call", minutes, "price_per_minute", money_json(minute),
			  "max_calls_in_parallel", json_object_get(c, "max_calls_in_parallel")));
	r = 0;
out:
	json_decref(a);
	json_decref(c);
	return r;
}

/* The leads the confirmed preview priced (tool.h: ctx->confirmed); -1 when
 * there is none (cannot happen for a start: it is never free). */
static int confirmed_leads(const struct call_ctx *ctx, struct store_campaign_priced *p)
{
	const json_t *d = json_object_get(ctx->confirmed, "details");
	const char *digest = json_string_value(json_object_get(d, "leads_digest"));

	memset(p, 0, sizeof(*p));
	if (!json_is_integer(json_object_get(d, "leads")) || !digest)
		return -1;
	p->leads = json_integer_value(json_object_get(d, "leads"));
	p->running = json_is_true(json_object_get(d, "campaign_running"));
	snprintf(p->digest, sizeof(p->digest), "%s", digest);
	return 0;
}

/* The start was refused because its leads changed between the preview and
 * the act (an elicitation is slow; its store transaction is the check):
 * nothing started, the new preview to confirm instead. */
static int start_changed(struct call_ctx *ctx, const json_t *args, struct tool_result *res)
{
	const json_t *d = json_object_get(ctx->confirmed, "details");
	const char *was = json_string_value(json_object_get(ctx->confirmed, "estimated_cost"));
	json_int_t n = json_integer_value(json_object_get(d, "leads"));
	json_t *pv = NULL;
	char m[768];

	if (campaign_status_preview(ctx, args, &pv, res) < 0 || !pv)
		return 0;	/* res says why nothing can start now */
	snprintf(m, sizeof(m), "the campaign's leads have changed since the confirmation "
		 "(%lld lead%s, up to %s USD): nothing was started. Now: %s. Ask for a new "
		 "confirmation: call update_campaign_status again without confirmation_token.",
		 (long long)n, n == 1 ? "" : "s", was ? was : "?",
		 json_string_value(json_object_get(pv, "target")));
	json_decref(res->structured);
	res->structured = json_pack("{s:s, s:s, s:o}", "message", m, "status", "changed",
				    "preview", pv);
	res->is_error = 1;
	return 0;
}

HANDLER(update_campaign_status)
{
	int64_t id = arg_int(args, "campaign_id", 0), n = 0;
	int start = !strcmp(arg_str(args, "action"), "start");
	struct store_campaign_priced ok;
	enum store_campaign_why why = CAMPAIGN_OK;
	char msg[256];
	int r;

	if (start && confirmed_leads(ctx, &ok))
		return tool_fail(res, "cannot start the campaign: no confirmed preview");
	r = start ? store_campaign_start(ctx->who->account_id, id, &ok, &why, &n)
		  : store_campaign_stop(ctx->who->account_id, id, &why, &n);
	if (r == STORE_NOTFOUND)
		return tool_invalid(res, "campaign_id", "campaign not found");
	if (r == STORE_INVALID) {
		switch (why) {
		case CAMPAIGN_RUNNING:
			return tool_invalid(res, "action", "the campaign is already running");
		case CAMPAIGN_NO_LEADS:
			return tool_invalid(res, "campaign_id", "the campaign has no leads to call");
		case CAMPAIGN_NO_BALANCE:
			return tool_fail(res, "insufficient balance: top up the balance before "
					 "starting a campaign");
		case CAMPAIGN_CHANGED:
			return start_changed(ctx, args, res);
		case CAMPAIGN_NOT_STARTED:
			return tool_invalid(res, "action", "the campaign has not been started");
		default:
			break;
		}
	}
	if (r)
		return tool_fail(res, "cannot change the campaign status: store error");
	if (start)
		snprintf(msg, sizeof(msg), ok.running
			 ? "Campaign running: %lld more lead%s confirmed and scheduled"
			 : "Campaign started successfully: %lld lead%s scheduled",
			 (long long)n, n == 1 ? "" : "s");
	else
		snprintf(msg, sizeof(msg), "Campaign stopped successfully: %lld live call%s ended",
			 (long long)n, n == 1 ? "" : "s");
	return tool_ok(res, json_pack("{s:s, s:b, s:{s:I, s:s}}", "message", msg, "success", 1,
				      "data", "campaign_id", (json_int_t)id, "status",
				      start ? "in-progress" : "stopped"));
}

HANDLER(delete_campaign)
{
	int64_t id = arg_int(args, "id", 0);
	int r = store_campaign_delete(ctx->who->account_id, id);

	if (r == STORE_NOTFOUND)
		return tool_invalid(res, "id", "campaign not found");
	if (r == STORE_CONFLICT)
		return tool_invalid(res, "id", "the campaign is running: stop it first "
				    "(update_campaign_status with action 'stop')");
	if (r)
		return tool_fail(res, "cannot delete the campaign: store error");
	return tool_ok(res, json_pack("{s:s, s:{s:I}}", "message",
				      "Campaign deleted successfully", "data", "id", (json_int_t)id));
}

/* ---- leads ----------------------------------------------------------------- */

/* "+49 (151) 234-5678" -> "+491512345678"; -1 unless the result is E.164. */
static int normalize_phone(const char *in, char *out, size_t n)
{
	size_t j = 0;

	for (; *in; in++) {
		if (strchr(" ()-./", *in))
			continue;
		if (j + 1 >= n)
			return -1;
		out[j++] = *in;
	}
	out[j] = '\0';
	return schema_is_e164(out) ? 0 : -1;
}

static int allow_dup(const json_t *args)
{
	return json_is_true(json_object_get(args, "allow_duplicate")) ||
	       json_is_true(json_object_get(args, "allow_dupplicate"));
}

HANDLER(list_leads)
{
	int page = arg_page(args), per = (int)arg_int(args, "per_page", 15);
	char phone[32];
	const char *p = arg_str(args, "phone_number");
	int64_t total = 0;
	json_t *data;

	if (p && normalize_phone(p, phone, sizeof(phone)))
		return tool_invalid(res, "phone_number", "must be a phone number in "
				    "international format, e.g. +4915123456789");
	data = store_lead_page(ctx->who->account_id, arg_str(args, "status"),
			       arg_int(args, "campaign_id", 0), p ? phone : NULL, page, per, &total);
	if (!data)
		return tool_fail(res, "cannot list leads: store unavailable");
	return tool_ok(res, page_object(data, "/api/user/leads", page, per, total));
}

/* The lead as the answer; a lead that waits in a running campaign for a
 * confirmed start says so (a key without the spend scope adds spend to
 * nothing: store.h). */
static int lead_answer(struct tool_result *res, int64_t acc, int64_t id, const char *msg)
{
	json_t *l = store_lead_get(acc, id), *c = NULL;
	const char *st;
	char m[512];

	if (!l)
		return tool_fail(res, "lead %lld vanished", (long long)id);
	st = json_string_value(json_object_get(l, "status"));
	if (!json_is_true(json_object_get(l, "approved")) && st &&
	    (!strcmp(st, "created") || !strcmp(st, "rescheduled")))
		c = store_campaign_get(acc, json_integer_value(json_object_get(l, "campaign_id")));
	if (c && !strcmp(json_string_value(json_object_get(c, "status")), "in-progress")) {
		snprintf(m, sizeof(m), "%s. Campaign '%s' is running: it calls this lead only "
			 "once update_campaign_status start confirms it (a key with the spend scope)",
			 msg, json_string_value(json_object_get(c, "name")));
		msg = m;
	}
	json_decref(c);
	return tool_ok(res, json_pack("{s:s, s:o}", "message", msg, "data", l));
}

HANDLER(create_lead)
{
	int64_t acc = ctx->who->account_id, id = 0;
	char phone[32];
	int r;

	if (normalize_phone(arg_str(args, "phone_number"), phone, sizeof(phone)))
		return tool_invalid(res, "phone_number", "must be a phone number in "
				    "international format, e.g. +4915123456789");
	r = store_lead_insert(acc, arg_int(args, "campaign_id", 0), phone,
			      json_object_get(args, "variables"), allow_dup(args), &id);
	if (r == STORE_INVALID)
		return tool_invalid(res, "campaign_id", "campaign not found");
	if (r == STORE_CONFLICT)
		return tool_invalid(res, "phone_number", "%s is already a lead of this campaign: "
				    "pass allow_duplicate true to add it again", phone);
	if (r)
		return tool_fail(res, "cannot create the lead: store error");
	return lead_answer(res, acc, id, "Lead created successfully");
}

HANDLER(update_lead)
{
	int64_t acc = ctx->who->account_id, id = arg_int(args, "id", 0);
	json_t *fields = json_deep_copy(args);
	char phone[32];
	int r;

	if (arg_str(args, "phone_number")) {
		if (normalize_phone(arg_str(args, "phone_number"), phone, sizeof(phone))) {
			json_decref(fields);
			return tool_invalid(res, "phone_number", "must be a phone number in "
					    "international format, e.g. +4915123456789");
		}
		json_object_set_new(fields, "phone_number", json_string(phone));
	}
	r = store_lead_update(acc, id, fields, 0);
	json_decref(fields);
	if (r == STORE_NOTFOUND)
		return tool_invalid(res, "id", "lead not found");
	if (r == STORE_INVALID)
		return tool_invalid(res, "campaign_id", "campaign not found");
	if (r == STORE_CONFLICT)
		return tool_invalid(res, "phone_number", "the campaign already has a lead with "
				    "this phone number");
	if (r)
		return tool_fail(res, "cannot update the lead: store error");
	return lead_answer(res, acc, id, "Lead updated successfully");
}

HANDLER(delete_lead)
{
	int64_t id = arg_int(args, "id", 0);
	int r = store_lead_delete(ctx->who->account_id, id);

	if (r == STORE_NOTFOUND)
		return tool_invalid(res, "id", "lead not found");
	if (r)
		return tool_fail(res, "cannot delete the lead: store error");
	return tool_ok(res, json_pack("{s:s, s:{s:I}}", "message", "Lead deleted successfully",
				      "data", "id", (json_int_t)id));
}
