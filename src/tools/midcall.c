/* midcall.c - definitions of mid-call HTTP actions (mid-call tools), and
 * the account's secret their requests are signed with (signing.h).
 * Header values are sealed (secret.h) before they reach the store and
 * never shown again: every answer carries "[redacted]" in their place. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "outbound/httpaction.h"
#include "base/secret.h"
#include "outbound/signing.h"
#include "store/store.h"
#include "outbound/template.h"
#include "tools/tools.h"

#define REDACTED "[redacted]"

/* The in-call behaviour kept in the settings document, shown flat. */
static const char *const setting_keys[] = {
	"kind", "target", "body", "say_start", "say_delay", "say_failure", NULL
};

/* A stored tool as users see it: header values redacted, settings flat. */
static json_t *redact(json_t *t)
{
	json_t *h, *set = json_object_get(t, "settings");
	size_t i;

	json_array_foreach(json_object_get(t, "headers"), i, h)
		if (json_is_object(h))
			json_object_set_new(h, "value", json_string(REDACTED));
	json_object_set_new(t, "kind", json_string(json_string_value(json_object_get(set, "kind"))
		? json_string_value(json_object_get(set, "kind")) : "api_request"));
	for (int k = 1; setting_keys[k]; k++) {
		json_t *v = json_object_get(set, setting_keys[k]);
		json_object_set(t, setting_keys[k], v ? v : json_null());
	}
	json_object_del(t, "settings");
	return t;
}

HANDLER(get_mid_call_tool_secret)
{
	char secret[SIGNING_SECRET_MAX];
	json_t *out;

	if (signing_secret(ctx->who->account_id, SIGNING_MIDTOOL, secret, sizeof(secret)))
		return tool_fail(res, "cannot read or create the mid-call tool secret");
	out = json_pack("{s:s, s:s, s:s, s:s}", "secret", secret,
		"signature_header", "X-Switchboard-Signature",
		"timestamp_header", "X-Switchboard-Timestamp", "scheme", HA_SIGNATURE_SCHEME);
	sodium_memzero(secret, sizeof(secret));
	return out ? tool_ok(res, out) : tool_fail(res, "out of memory");
}

HANDLER(list_mid_call_tools)
{
	json_t *l = store_midtool_list(ctx->who->account_id), *t;
	size_t i;

	if (!l)
		return tool_fail(res, "cannot list mid-call tools: store unavailable");
	json_array_foreach(l, i, t)
		redact(t);
	return tool_ok(res, json_pack("{s:o}", "data", l));
}

HANDLER(get_mid_call_tool)
{
	json_t *t = store_midtool_get(ctx->who->account_id, arg_int(args, "id", 0));
	if (!t)
		return tool_invalid(res, "id", "mid-call tool not found");
	return tool_ok(res, json_pack("{s:o}", "data", redact(t)));
}

/* Header values with a control character other than TAB (VT, DEL, ...)
 * would pass here and fail every run (httpaction.h): refused now, naming
 * the header, never quoting the value. 0, or -1 with res filled. */
static int check_headers(const json_t *args, struct tool_result *res)
{
	const json_t *h;
	char field[48];
	size_t i;

	json_array_foreach(json_object_get(args, "headers"), i, h) {
		const char *v = json_string_value(json_object_get(h, "value"));
		if (v && template_has_ctl(v, strlen(v), 1)) {
			snprintf(field, sizeof(field), "headers.%zu.value", i);
			tool_invalid(res, field, "header '%s' has a control character in its value "
				     "(only visible characters, space and tab are allowed)",
				     json_string_value(json_object_get(h, "name")));
			return -1;
		}
	}
	return 0;
}

/* The fields to store: arguments minus id, header values sealed. NULL
 * with res filled when sealing fails. */
static json_t *fields_of(const json_t *args, const json_t *prior, struct tool_result *res)
{
	json_t *f = json_deep_copy(args), *h;
	char err[256];
	size_t i;

	json_object_del(f, "id");
	/* in-call behaviour goes to the settings document, merged over what
	 * the tool had (update), so only given keys change */
	json_t *set = prior ? json_deep_copy(json_object_get(prior, "settings")) : NULL;
	if (!json_is_object(set)) {
		json_decref(set);
		set = json_object();
	}
	int touched = !prior;
	for (int k = 0; setting_keys[k]; k++) {
		json_t *v = json_object_get(f, setting_keys[k]);
		if (!v)
			continue;
		touched = 1;
		if (json_is_null(v))
			json_object_del(set, setting_keys[k]);
		else
			json_object_set(set, setting_keys[k], v);
		json_object_del(f, setting_keys[k]);
	}
	if (touched)
		json_object_set_new(f, "settings", set);
	else
		json_decref(set);
	json_array_foreach(json_object_get(f, "headers"), i, h) {
		char *sealed = secret_seal(json_string_value(json_object_get(h, "value")),
					   err, sizeof(err));
		if (!sealed) {
			json_decref(f);
			tool_fail(res, "cannot protect the header values: %s", err);
			return NULL;
		}
		json_object_set_new(h, "value", json_string(sealed));
		free(sealed);
	}
	return f;
}

static int write_answer(struct tool_result *res, int64_t acc, int64_t id, const char *msg)
{
	json_t *t = store_midtool_get(acc, id);
	if (!t)
		return tool_fail(res, "mid-call tool %lld vanished", (long long)id);
	return tool_ok(res, json_pack("{s:s, s:o}", "message", msg, "data", redact(t)));
}

static int write_error(struct tool_result *res, const json_t *args, int r, const char *what)
{
	if (r == STORE_NOTFOUND)
		return tool_invalid(res, "id", "mid-call tool not found");
	if (r == STORE_CONFLICT)
		return tool_invalid(res, "name", "the account already has a mid-call tool named "
				    "'%s'", json_string_value(json_object_get(args, "name")));
	if (r == STORE_INVALID)
		return tool_invalid(res, "", "a value is out of range");
	return tool_fail(res, "cannot %s the mid-call tool: store error", what);
}

/* What each kind needs: an endpoint for API requests, a target for
 * transfers. `kind`, `endpoint`, `target` are the values after the call. */
static int check_kind(struct tool_result *res, const char *kind, const char *endpoint,
		      const char *target)
{
	if (!strcmp(kind, "api_request") && (!endpoint || !*endpoint))
		return tool_invalid(res, "endpoint", "is required for an API request tool"), -1;
	if (strcmp(kind, "api_request") && (!target || !*target))
		return tool_invalid(res, "target", "is required for a transfer tool "
				    "(an extension or phone number)"), -1;
	return 0;
}

HANDLER(create_mid_call_tool)
{
	int64_t acc = ctx->who->account_id, id = 0;
	const char *kind = json_string_value(json_object_get(args, "kind"));
	json_t *f;
	int r;

	if (check_kind(res, kind ? kind : "api_request",
		       json_string_value(json_object_get(args, "endpoint")),
		       json_string_value(json_object_get(args, "target"))) ||
	    check_headers(args, res))
		return 0;
	f = fields_of(args, NULL, res);
	if (!f)
		return 0;
	r = store_midtool_insert(acc, f, &id);
	json_decref(f);
	if (r)
		return write_error(res, args, r, "create");
	return write_answer(res, acc, id, "Tool created successfully");
}

HANDLER(update_mid_call_tool)
{
	int64_t acc = ctx->who->account_id, id = arg_int(args, "id", 0);
	json_t *prior = store_midtool_get(acc, id), *f;
	int r;

	if (!prior)
		return tool_invalid(res, "id", "mid-call tool not found");
	/* the kind's needs, with what changes and what stays */
	const json_t *pset = json_object_get(prior, "settings");
	const char *kind = json_string_value(json_object_get(args, "kind"));
	const char *endpoint = json_string_value(json_object_get(args, "endpoint"));
	const char *target = json_string_value(json_object_get(args, "target"));
	if (!kind)
		kind = json_string_value(json_object_get(pset, "kind"));
	if (!endpoint)
		endpoint = json_string_value(json_object_get(prior, "endpoint"));
	if (!json_object_get(args, "target"))
		target = json_string_value(json_object_get(pset, "target"));
	if (check_kind(res, kind ? kind : "api_request", endpoint, target) ||
	    check_headers(args, res)) {
		json_decref(prior);
		return 0;
	}
	f = fields_of(args, prior, res);
	json_decref(prior);
	if (!f)
		return 0;
	r = store_midtool_update(acc, id, f);
	json_decref(f);
	if (r)
		return write_error(res, args, r, "update");
	return write_answer(res, acc, id, "Tool updated successfully");
}

HANDLER(delete_mid_call_tool)
{
	int64_t id = arg_int(args, "id", 0);
	int r = store_midtool_delete(ctx->who->account_id, id);

	if (r)
		return write_error(res, args, r, "delete");
	return tool_ok(res, json_pack("{s:s, s:{s:I}}", "message", "Tool deleted successfully",
				      "data", "id", (json_int_t)id));
}
