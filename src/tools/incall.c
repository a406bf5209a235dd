/*
 * incall.c - the in-call tools: the global ones every assistant has
 * (transfer_call, hangup_call, send_dtmf, is_office_open, lookup_contact,
 * check_user_availability, create_lead) and each assistant's custom tools
 * (API requests through the HTTP action executor, transfers to a user or a
 * queue), offered per session by the SURFACE_INCALL provider.
 *
 * Commands that need the phone line (transfer, hang-up, keypad tones with
 * send_dtmf) are answered with
 * the action for the voice engine to perform and handed to the call
 * runtime; the decision log (tool.c + incall.c) records every action.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "calls/runtime.h"
#include "outbound/httpaction.h"
#include "tools/incall_log.h"
#include "base/log.h"
#include "outbound/netguard.h"
#include "agent/officehours.h"
#include "base/phone.h"
#include "base/secret.h"
#include "outbound/signing.h"
#include "agent/contactsrc.h"
#include "store/store.h"
#include "tools/tools.h"
#include "base/tz.h"
#include "base/util.h"

/* The live call this session acts on, as the store shows it. */
static json_t *current_call(struct call_ctx *ctx)
{
	return store_call_get(ctx->sess->call.account_id, ctx->sess->call.call_id);
}

/* Country calling code to read national numbers in: the assistant's line. */
static void default_cc(const json_t *call, char *cc, size_t n)
{
	const char *line = json_string_value(json_object_get(call, "assistant_phone_number"));
	if (!line || phone_country_code(line, cc, n))
		cc[0] = '\0';
}

/* The caller's number in E.164: the context header, else the call's. */
static int caller_number(struct call_ctx *ctx, const json_t *call, char *out, size_t n)
{
	char cc[8];
	const char *raw = ctx->sess->call.caller[0] ? ctx->sess->call.caller
		: json_string_value(json_object_get(call, "client_phone_number"));
	default_cc(call, cc, sizeof(cc));
	return raw ? phone_normalize(raw, cc, out, n) : -1;
}

/* ---- line commands --------------------------------------------------------- */

HANDLER(ic_transfer_call)
{
	const char *dest = json_string_value(json_object_get(args, "destination_number"));
	json_t *call = current_call(ctx);
	char cc[8], e164[32];
	const char *target = dest;

	if (!call)
		return tool_fail(res, "the call has ended");
	default_cc(call, cc, sizeof(cc));
	json_decref(call);
	if (!phone_is_extension(dest)) {
		if (phone_normalize(dest, cc, e164, sizeof(e164)))
			return tool_invalid(res, "destination_number", "must be a phone number "
					    "(E.164, e.g. +4930123456) or an internal extension");
		target = e164;
	}
	calls_runtime_command(ctx->sess->call.call_id, "transfer", target);
	return tool_ok(res, json_pack("{s:s, s:s, s:s, s:s}", "status", "transfer_requested",
		"action", "transfer", "destination", target,
		"message", "Transferring the call now."));
}

HANDLER(ic_hangup_call)
{
	calls_runtime_command(ctx->sess->call.call_id, "hangup", NULL);
	return tool_ok(res, json_pack("{s:s, s:s, s:s}", "status", "hangup_requested",
		"action", "hangup", "message", "The call will end after the goodbye."));
}

/* Keypad tones to the far end (a company's phone menu): our line sends
 * them as RFC 4733 telephone-events, or as tones in the audio when the far
 * end did not offer telephone-event; an external engine is told to. */
HANDLER(ic_send_dtmf)
{
	const char *digits = arg_str(args, "digits");
	char msg[160];
	int64_t ms = 0;
	int r;

	for (const char *p = digits; *p; p++)
		ms += *p == ',' ? 500 : 160;
	r = calls_runtime_command(ctx->sess->call.call_id, "dtmf", digits);
	if (r < 0)
		return tool_fail(res, "cannot send keypad tones on this call");
	if (r == 0)
		snprintf(msg, sizeof(msg), "Sent the keypad tones %s (about %lld ms).", digits,
			 (long long)ms);
	else
		snprintf(msg, sizeof(msg), "Send the keypad tones %s on the line (RFC 4733; ',' is "
			 "a 500 ms pause).", digits);
	return tool_ok(res, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}",
		"status", r == 0 ? "sent" : "dtmf_requested", "action", "dtmf", "digits", digits,
		"performed_by", r == 0 ? "line" : "engine", "duration_ms", (json_int_t)ms,
		"message", msg));
}

/* ---- office hours ------------------------------------------------------------ */

HANDLER(ic_is_office_open)
{
	struct store_account acc;
	json_t *sched = NULL;
	struct oh_status st;
	int r;

	if (store_account_get(ctx->sess->call.account_id, &acc))
		return tool_fail(res, "cannot read the account");
	r = store_office_hours_get(ctx->sess->call.account_id, ctx->sess->call.assistant_id,
				   &sched);
	if (r == STORE_NOTFOUND)	/* nothing configured: no restriction */
		return tool_ok(res, json_pack("{s:s, s:b, s:s, s:n, s:n, s:s, s:b}",
			"message", officehours_sentence(OH_OPEN_24H), "open", 1,
			"state", "open_24h", "opens_at", "closes_at", "timezone", acc.timezone,
			"configured", 0));
	if (r)
		return tool_fail(res, "cannot read the office hours");
	r = officehours_status(sched, acc.timezone, (int64_t)time(NULL), &st);
	const char *sched_zone = json_string_value(json_object_get(sched, "timezone"));
	char zone[64];
	snprintf(zone, sizeof(zone), "%s", sched_zone ? sched_zone : acc.timezone);
	json_decref(sched);
	if (r)
		return tool_fail(res, "the office hours of this assistant are not valid");
	static const char *const names[] = { [OH_OPEN] = "open", [OH_CLOSED] = "closed",
		[OH_CLOSED_TODAY] = "closed_today", [OH_OPEN_24H] = "open_24h" };
	return tool_ok(res, json_pack("{s:s, s:b, s:s, s:o, s:o, s:s, s:b}",
		"message", officehours_sentence(st.state),
		"open", st.state == OH_OPEN || st.state == OH_OPEN_24H,
		"state", names[st.state],
		"opens_at", st.opens_at[0] ? json_string(st.opens_at) : json_null(),
		"closes_at", st.closes_at[0] ? json_string(st.closes_at) : json_null(),
		"timezone", zone, "configured", 1));
}

/* ---- contacts, users, leads -------------------------------------------------- */

HANDLER(ic_lookup_contact)
{
	const char *raw = json_string_value(json_object_get(args, "phone_number"));
	json_t *call = current_call(ctx), *found, *first, *failed = NULL, *c;
	const char *source = "native";
	char cc[8], e164[32];
	size_t i;

	cc[0] = '\0';
	if (call)
		default_cc(call, cc, sizeof(cc));
	json_decref(call);
	if (phone_normalize(raw, cc, e164, sizeof(e164)))
		return tool_invalid(res, "phone_number", "not a phone number I can read");
	/* the native contact store first, then the account's HTTP / CardDAV sources */
	found = store_contacts_by_number(ctx->sess->call.account_id, e164);
	if (!found)
		return tool_fail(res, "the contact directory is unavailable");
	json_array_foreach(found, i, c) {
		json_t *how = json_object_get(c, "source");
		if (json_is_string(how))
			json_object_set(c, "imported_from", how);
		json_object_set_new(c, "source", json_string("native"));
	}
	if (!json_array_size(found)) {
		json_t *ext = NULL;
		if (contactsrc_lookup(ctx->sess->call.account_id, e164, &ext, &failed) == 0) {
			json_decref(found);
			found = ext;
		}
	}
	if (!failed)
		failed = json_array();
	if (!json_array_size(found)) {
		json_decref(found);
		return tool_ok(res, json_pack("{s:b, s:s, s:s, s:[], s:o}", "found", 0, "phone_number",
			e164, "message", json_array_size(failed)
			? "No contact found for this number (a contact source did not answer)."
			: "No contact found for this number.", "contacts", "sources_failed", failed));
	}
	first = json_array_get(found, 0);
	if (json_string_value(json_object_get(first, "source")))
		source = json_string_value(json_object_get(first, "source"));
	return tool_ok(res, json_pack("{s:b, s:s, s:O, s:O, s:O, s:s, s:o, s:o}", "found", 1,
		"phone_number", e164, "name", json_object_get(first, "name"),
		"company", json_object_get(first, "company"),
		"numbers", json_object_get(first, "numbers"),
		"source", source, "contacts", found, "sources_failed", failed));
}

HANDLER(ic_check_user_availability)
{
	const char *uid = json_string_value(json_object_get(args, "user_id"));
	struct store_account acc;
	struct oh_status st;
	int64_t id;
	json_t *u;
	int available, in_hours = 1;

	if (util_parse_i64(uid, &id) || id < 1)
		return tool_invalid(res, "user_id", "unknown user");
	u = store_user_get(ctx->sess->call.account_id, id);
	if (!u)
		return tool_invalid(res, "user_id", "unknown user");
	json_t *sched = json_object_get(u, "schedule");
	if (json_object_size(sched) && !store_account_get(ctx->sess->call.account_id, &acc) &&
	    !officehours_status(sched, acc.timezone, (int64_t)time(NULL), &st))
		in_hours = st.state == OH_OPEN || st.state == OH_OPEN_24H;
	int dnd = json_is_true(json_object_get(u, "dnd"));
	available = !dnd && in_hours;
	json_t *out = json_pack("{s:I, s:O, s:b, s:b, s:s, s:s}", "user_id", (json_int_t)id,
		"name", json_object_get(u, "name"), "available", available, "dnd", dnd,
		"status", available ? "available" : dnd ? "do_not_disturb" : "outside_working_hours",
		"message", available ? "The user is available."
		: dnd ? "The user does not want to be disturbed right now."
		: "The user is outside their working hours.");
	json_decref(u);
	return tool_ok(res, out);
}

HANDLER(ic_create_lead)
{
	json_t *call = current_call(ctx);
	struct store_lead_case lc = { 0 };
	char e164[32];
	int64_t lead, kase;
	int existing, r;

	if (!call)
		return tool_fail(res, "the call has ended");
	if (caller_number(ctx, call, e164, sizeof(e164))) {
		json_decref(call);
		return tool_fail(res, "the caller's number is unknown or withheld: "
				 "cannot create a lead without it");
	}
	json_decref(call);
	lc.phone_number = e164;
	lc.name = json_string_value(json_object_get(args, "name"));
	lc.intent = json_string_value(json_object_get(args, "intent"));
	lc.classification = json_string_value(json_object_get(args, "classification"));
	lc.summary = json_string_value(json_object_get(args, "summary"));
	lc.notes = json_string_value(json_object_get(args, "notes"));
	lc.call_id = ctx->sess->call.call_id;
	r = store_lead_from_call(ctx->sess->call.account_id, &lc, &lead, &kase, &existing);
	if (r)
		return tool_fail(res, "cannot save the lead right now");
	return tool_ok(res, json_pack("{s:s, s:I, s:I, s:b, s:s}", "message",
		existing ? "This caller is already a lead: a new case was added to it."
			 : "A new lead was created.",
		"lead_id", (json_int_t)lead, "case_id", (json_int_t)kase,
		"existing_lead", existing, "phone_number", e164));
}

/* ---- the decision log, for the control plane ------------------------------- */

HANDLER(list_call_actions)
{
	int64_t id = arg_int(args, "call_id", 0);
	json_t *list = store_action_list(ctx->who->account_id, id);
	json_t *call = store_call_get(ctx->who->account_id, id);

	if (!call) {
		json_decref(list);
		return tool_invalid(res, "call_id", "call not found");
	}
	json_decref(call);
	if (!list)
		return tool_fail(res, "cannot read the decision log");
	return tool_ok(res, json_pack("{s:I, s:o}", "call_id", (json_int_t)id, "data", list));
}

/* ---- custom tools --------------------------------------------------------------- */

struct custom {
	json_t *def;      /* the stored tool, headers opened */
};

static void custom_release(struct tool_dynamic *d)
{
	struct custom *c = d->data;
	if (c) {
		json_decref(c->def);
		free(c);
	}
	d->data = NULL;
}

static const char *kind_of(const json_t *def)
{
	const char *k = json_string_value(json_object_get(json_object_get(def, "settings"), "kind"));
	return k ? k : "api_request";
}

/* Input schema from the stored params: [{name, type, description, required,
 * values?}] with types string|text|number|boolean|dropdown. */
static json_t *custom_schema(const json_t *def)
{
	json_t *props = json_object(), *req = json_array(), *p;
	size_t i;

	json_array_foreach(json_object_get(def, "schema"), i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const char *type = json_string_value(json_object_get(p, "type"));
		const json_t *vals = json_object_get(p, "values");
		json_t *ps;
		if (!name)
			continue;
		if (type && !strcmp(type, "number"))
			ps = json_pack("{s:s}", "type", "number");
		else if (type && !strcmp(type, "boolean"))
			ps = json_pack("{s:s}", "type", "boolean");
		else
			ps = json_pack("{s:s}", "type", "string");
		if (json_is_array(vals) && json_array_size(vals))
			json_object_set(ps, "enum", (json_t *)vals);
		if (json_is_string(json_object_get(p, "description")))
			json_object_set(ps, "description", json_object_get(p, "description"));
		json_object_set_new(props, name, ps);
		if (json_is_true(json_object_get(p, "required")))
			json_array_append_new(req, json_string(name));
	}
	return json_pack("{s:s, s:o, s:o}", "type", "object", "properties", props,
			 "required", req);
}

static json_t *custom_defs(struct call_ctx *ctx)
{
	return store_assistant_midtools(ctx->sess->call.account_id, ctx->sess->call.assistant_id);
}

static json_t *custom_list(struct call_ctx *ctx)
{
	json_t *defs = custom_defs(ctx), *out = json_array(), *d;
	size_t i;

	json_array_foreach(defs, i, d) {
		const json_t *set = json_object_get(d, "settings");
		const char *desc = json_string_value(json_object_get(d, "description"));
		json_array_append_new(out, json_pack("{s:O, s:s, s:o, s:{s:b, s:b}, s:o}",
			"name", json_object_get(d, "name"),
			"description", desc && *desc ? desc : "A custom action of this assistant",
			"inputSchema", custom_schema(d),
			"annotations", "readOnlyHint", 0, "openWorldHint", 1,
			"_meta", tool_speech_meta(
				json_string_value(json_object_get(set, "say_start")),
				json_string_value(json_object_get(set, "say_delay")),
				json_string_value(json_object_get(set, "say_failure")))));
	}
	json_decref(defs);
	return out;
}

static int custom_run(struct call_ctx *ctx, const json_t *args, struct tool_result *res);

static int custom_resolve(struct call_ctx *ctx, const char *name, struct tool_dynamic *out)
{
	json_t *defs = custom_defs(ctx), *d, *h;
	size_t i, j;

	json_array_foreach(defs, i, d) {
		if (strcmp(json_string_value(json_object_get(d, "name")), name))
			continue;
		struct custom *c = calloc(1, sizeof(*c));
		if (!c)
			break;
		c->def = json_deep_copy(d);
		/* header values are sealed at rest: open them for this run only */
		json_array_foreach(json_object_get(c->def, "headers"), j, h) {
			const char *v = json_string_value(json_object_get(h, "value"));
			char err[128], *plain;
			if (v && secret_is_sealed(v) && (plain = secret_open(v, err, sizeof(err)))) {
				json_object_set_new(h, "value", json_string(plain));
				free(plain);
			}
		}
		snprintf(out->name, sizeof(out->name), "%s", name);
		out->row.title = "Custom action";
		out->row.description = "";
		/* a GET reads; anything else may change the CRM: done once */
		const char *m = json_string_value(json_object_get(d, "method"));
		out->row.flags = TOOL_OPENWORLD | TOOL_WAITS | (m && !strcmp(m, "GET") ? TOOL_READONLY : 0);
		out->row.scope = AUTH_SCOPE_INCALL;
		out->row.surfaces = SURFACE_INCALL;
		out->row.fn = custom_run;
		out->input = custom_schema(d);
		out->data = c;
		out->release = custom_release;
		json_decref(defs);
		return 0;
	}
	json_decref(defs);
	return -1;
}

/* System variables for placeholders, in the assistant's timezone. */
static json_t *system_vars(struct call_ctx *ctx, const json_t *call)
{
	json_t *a = store_assistant_get(ctx->sess->call.account_id, ctx->sess->call.assistant_id);
	const char *tz = json_string_value(json_object_get(a, "timezone"));
	char date[16] = "", tm[8] = "", caller[32] = "", idbuf[24], aidbuf[24];
	struct tz_local l;

	if (tz && !tz_to_local(tz, (int64_t)time(NULL), &l)) {
		snprintf(date, sizeof(date), "%04d-%02d-%02d", l.year % 10000, l.month % 100,
			 l.day % 100);
		snprintf(tm, sizeof(tm), "%02d:%02d", l.hour % 100, l.min % 100);
	}
	caller_number(ctx, call, caller, sizeof(caller));
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)ctx->sess->call.call_id);
	snprintf(aidbuf, sizeof(aidbuf), "%lld", (long long)ctx->sess->call.assistant_id);
	json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		"customer_phone", caller,
		"assistant_phone", json_string_value(json_object_get(call, "assistant_phone_number"))
			? json_string_value(json_object_get(call, "assistant_phone_number")) : "",
		"assistant_id", aidbuf,
		"assistant_name", json_string_value(json_object_get(a, "assistant_name"))
			? json_string_value(json_object_get(a, "assistant_name")) : "",
		"call_id", idbuf, "current_date", date, "current_time", tm);
	json_decref(a);
	return v;
}

static const struct netguard *guard(void)
{
	static struct netguard g;
	static int ready;
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

	pthread_mutex_lock(&mu);
	if (!ready) {
		char err[128];
		if (netguard_init_env(&g, err, sizeof(err))) {
			log_error("incall: SWITCHBOARD_HTTP_ALLOW ignored: %s", err);
			netguard_init(&g);
		}
		ready = 1;
	}
	pthread_mutex_unlock(&mu);
	return &g;
}

static int custom_run(struct call_ctx *ctx, const json_t *args, struct tool_result *res)
{
	struct custom *c = ctx->tool_data;
	const json_t *set = json_object_get(c->def, "settings");
	const char *kind = kind_of(c->def);
	struct ha_action act;
	struct ha_options opts;
	struct ha_result hr;
	json_t *call, *sys, *def;
	char err[256], secret[SIGNING_SECRET_MAX];

	if (!strcmp(kind, "transfer_to_user") || !strcmp(kind, "transfer_to_queue")) {
		const char *target = json_string_value(json_object_get(set, "target"));
		if (!target || !*target)
			return tool_fail(res, "this transfer has no target configured");
		calls_runtime_command(ctx->sess->call.call_id, "transfer", target);
		return tool_ok(res, json_pack("{s:s, s:s, s:s, s:s}", "status", "transfer_requested",
			"action", "transfer", "destination", target, "message",
			"Transferring the call now."));
	}
	call = current_call(ctx);
	if (!call)
		return tool_fail(res, "the call has ended");
	sys = system_vars(ctx, call);
	json_decref(call);
	def = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?}", "url", json_object_get(c->def, "endpoint"),
			"method", json_object_get(c->def, "method"),
			"timeout", json_object_get(c->def, "timeout"),
			"headers", json_object_get(c->def, "headers"),
			"params", json_object_get(c->def, "schema"));
	if (json_is_object(json_object_get(set, "body")))
		json_object_set(def, "body", json_object_get(set, "body"));
	if (ha_action_from_json(def, &act, err, sizeof(err))) {
		json_decref(def);
		json_decref(sys);
		return tool_fail(res, "this action is misconfigured: %s", err);
	}
	if (!def) {
		json_decref(sys);
		return tool_fail(res, "this action is misconfigured");
	}
	/* signed with the account's own secret, always: never sent unsigned */
	if (signing_secret(ctx->sess->call.account_id, SIGNING_MIDTOOL, secret, sizeof(secret))) {
		ha_action_release(&act);
		json_decref(def);
		json_decref(sys);
		return tool_fail(res, "this action cannot be signed: the account's signing "
				 "secret is unavailable");
	}
	ha_options_init(&opts);
	opts.guard = guard();
	opts.require_json = 1;	/* an empty or non-JSON answer is a failure */
	opts.hmac_secret = secret;
	const char *cap = getenv("SWITCHBOARD_INCALL_RESULT_MAX");
	int64_t capv;
	if (cap && !util_parse_i64(cap, &capv) && capv >= 64 && capv <= 1 << 20)
		opts.max_result = (size_t)capv;
	httpaction_run(&act, args, sys, &opts, &hr);
	sodium_memzero(secret, sizeof(secret));
	res->upstream_status = (int)hr.status;
	json_t *out = ha_result_to_json(&hr);
	if (hr.ok) {
		tool_ok(res, out);
	} else {
		/* what the model may say: a short message, never the raw body */
		const char *say = json_string_value(json_object_get(set, "say_failure"));
		json_object_del(out, "result");	/* never the upstream's error body */
		json_object_set_new(out, "message", json_string(hr.message));
		if (say)
			json_object_set_new(out, "say", json_string(say));
		res->structured = out;
		res->is_error = 1;
	}
	ha_result_release(&hr);
	ha_action_release(&act);
	json_decref(def);
	json_decref(sys);
	return 0;
}

static const struct tool_provider provider = { custom_list, custom_resolve };

void incall_init(void)
{
	tool_set_provider(SURFACE_INCALL, &provider);
	incall_log_init();
}
