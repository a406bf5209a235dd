/*
 * conversations.c - chat with an assistant: create_conversation,
 * send_message, get_conversation. Each conversation runs on a web call row
 * and is answered by the assistant brain (brain.h) with the same model,
 * prompt, tools and decision log as a phone call. Widget conversations are
 * paid per user message (SWITCHBOARD_WIDGET_MESSAGE_PRICE_MICROS, default
 * 10000 = $0.01), so creating one is a confirmed spend action; test
 * conversations are free. A message whose turn fails is refunded and not
 * stored: the user may send it again.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/brain.h"
#include "agent/llm.h"
#include "base/log.h"
#include "store/store.h"
#include "tools/tools.h"
#include "base/util.h"

static int64_t price;

static void price_read(void)
{
	const char *e = getenv("SWITCHBOARD_WIDGET_MESSAGE_PRICE_MICROS");
	int64_t v;
	price = e && !util_parse_i64(e, &v) && v >= 0 && v <= 100000000 ? v : 10000;
}

/* Read once (pthread_once): request threads ask concurrently. */
static int64_t message_price(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, price_read);
	return price;
}

/* ---- one turn at a time per conversation -------------------------------------- */

#define BUSY_MAX 256
static pthread_mutex_t busy_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t busy[BUSY_MAX];

static int busy_claim(int64_t id)
{
	int free_slot = -1, r = -1;

	pthread_mutex_lock(&busy_mu);
	for (int i = 0; i < BUSY_MAX; i++) {
		if (busy[i] == id)
			goto out;
		if (!busy[i] && free_slot < 0)
			free_slot = i;
	}
	if (free_slot >= 0) {
		busy[free_slot] = id;
		r = 0;
	}
out:
	pthread_mutex_unlock(&busy_mu);
	return r;
}

static void busy_release(int64_t id)
{
	pthread_mutex_lock(&busy_mu);
	for (int i = 0; i < BUSY_MAX; i++)
		if (busy[i] == id)
			busy[i] = 0;
	pthread_mutex_unlock(&busy_mu);
}

/* ---- shapes ---------------------------------------------------------------------- */

static void make_uuid(char out[37])
{
	char h[33];
	util_random_hex(h, 16);
	h[12] = '4';				/* version 4 */
	h[16] = "89ab"[h[16] % 4];		/* RFC 4122 variant */
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

static json_t *conversation_json(const struct store_conversation *c)
{
	json_t *hist = store_conversation_messages(c->id);
	char *summary = store_conversation_summary(c->id);
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:s}",
		"uuid", c->uuid, "status", c->status, "type", c->type,
		"assistant_id", (json_int_t)c->assistant_id, "call_id", (json_int_t)c->call_id,
		"cost", money_json(c->cost_micros),
		"summary", summary ? json_string(summary) : json_null(),
		"end_reason", c->end_reason[0] ? json_string(c->end_reason) : json_null(),
		"history", hist ? hist : json_array(), "created_at", c->created_at);
	free(summary);
	return o;
}

/* The assistant of the account, with a usable model; else an isError. */
static json_t *usable_assistant(struct call_ctx *ctx, int64_t id, struct tool_result *res)
{
	json_t *a = store_assistant_get(ctx->who->account_id, id);
	struct llm_model m;
	char err[512];

	if (!a) {
		tool_invalid(res, "assistant_id", "assistant not found in this account");
		return NULL;
	}
	if (llm_resolve(json_string_value(json_object_get(a, "llm_model")), &m, err, sizeof(err))) {
		tool_fail(res, "assistant '%s' cannot chat: %s",
			  json_string_value(json_object_get(a, "assistant_name")), err);
		json_decref(a);
		return NULL;
	}
	llm_model_wipe(&m);
	return a;
}

/* ---- create_conversation ------------------------------------------------------------ */

int create_conversation_preview(struct call_ctx *ctx, const json_t *args, json_t **pv,
				struct tool_result *res)
{
	const char *type = arg_str(args, "type");
	struct store_account acc;
	json_t *a;
	char target[320];

	a = usable_assistant(ctx, arg_int(args, "assistant_id", 0), res);
	if (!a)
		return -1;
	if (!type || strcmp(type, "widget")) {
		json_decref(a);
		return TOOL_PREVIEW_FREE;	/* test conversations cost nothing */
	}
	if (store_account_get(ctx->who->account_id, &acc)) {
		json_decref(a);
		tool_fail(res, "cannot read the account balance");
		return -1;
	}
	if (acc.balance_micros < message_price()) {
		json_decref(a);
		return tool_funds(res, acc.balance_micros, message_price(),
				  "a widget conversation (its first message)"), -1;
	}
	snprintf(target, sizeof(target), "assistant '%s'",
		 json_string_value(json_object_get(a, "assistant_name")));
	json_decref(a);
	*pv = spend_preview("start a paid widget chat conversation", target, message_price(),
		json_pack("{s:o, s:s}", "price_per_message", money_json(message_price()),
			  "billing", "charged to the balance for every user message"));
	return 0;
}

HANDLER(create_conversation)
{
	int64_t account = ctx->who->account_id, conv = 0, call = 0;
	const char *type = arg_str(args, "type");
	const json_t *vars = json_object_get(args, "variables");
	struct store_conversation c;
	struct brain_result br;
	struct brain *b = NULL;
	char uuid[37], err[512];
	json_t *a;
	int r;

	memset(&br, 0, sizeof(br));
	a = usable_assistant(ctx, arg_int(args, "assistant_id", 0), res);
	if (!a)
		return 0;
	json_decref(a);
	make_uuid(uuid);
	r = store_conversation_create(account, arg_int(args, "assistant_id", 0),
				      type ? type : "test", vars, uuid, &conv, &call);
	if (r == STORE_INVALID)
		return tool_invalid(res, "assistant_id", "assistant not found in this account");
	if (r)
		return tool_fail(res, "cannot create the conversation: store unavailable");
	b = brain_open(account, call, err, sizeof(err));
	if (!b) {
		brain_conversation_end(conv, "failed", err);
		return tool_fail(res, "cannot start the conversation: %s", err);
	}
	if (brain_initial(b, NULL, NULL, &br)) {
		brain_conversation_end(conv, "failed", br.error);
		tool_fail(res, "the assistant could not open the conversation: %s", br.error);
		goto out;
	}
	if (br.reply[0] && store_conversation_message_add(conv, "assistant", br.reply,
							  br.function_calls)) {
		tool_fail(res, "cannot store the greeting: store unavailable");
		goto out;
	}
	if (store_conversation_get(account, uuid, &c)) {
		tool_fail(res, "the conversation vanished");
		goto out;
	}
	json_t *o = conversation_json(&c);
	json_object_set_new(o, "message", json_string("Conversation created"));
	tool_ok(res, o);
out:
	brain_result_release(&br);
	brain_close(b);
	return 0;
}

/* The account's conversation; one that idled out is ended first (the
 * brain's sweeper may not have come by yet). 0, or -1 with res answered. */
static int conversation_load(int64_t account, const char *uuid, struct store_conversation *c,
			     struct tool_result *res)
{
	int r = store_conversation_get(account, uuid, c);

	if (r == STORE_NOTFOUND) {
		tool_invalid(res, "uuid", "conversation not found in this account");
		return -1;
	}
	if (r) {
		tool_fail(res, "cannot read the conversation: store unavailable");
		return -1;
	}
	if (!strcmp(c->status, "active") && c->idle_s > brain_conversation_idle_s()) {
		char why[96];
		snprintf(why, sizeof(why), "no message for %.0f seconds", brain_conversation_idle_s());
		brain_conversation_end(c->id, "completed", why);
		store_conversation_get(account, uuid, c);
	}
	return 0;
}

/* ---- send_message ----------------------------------------------------------------------- */

HANDLER(send_message)
{
	int64_t account = ctx->who->account_id;
	const char *uuid = arg_str(args, "uuid"), *text = arg_str(args, "message");
	struct store_conversation c;
	struct brain_result br;
	struct brain *b = NULL;
	json_t *hist = NULL;
	int64_t charged = 0;
	char err[512];
	int r;

	memset(&br, 0, sizeof(br));
	if (conversation_load(account, uuid, &c, res))
		return 0;
	if (strcmp(c.status, "active"))
		return tool_fail(res, "conversation %s has ended (%s): start a new one with "
				 "create_conversation", uuid, c.end_reason[0] ? c.end_reason : "ended");
	if (busy_claim(c.id))
		return tool_fail(res, "the assistant is still answering the previous message of "
				 "this conversation: wait for it, then send again");
	if (!strcmp(c.type, "widget") && message_price() > 0) {
		r = store_conversation_charge(account, c.id, message_price());
		if (r == STORE_FUNDS) {
			struct store_account acc = { 0 };
			store_account_get(account, &acc);
			tool_funds(res, acc.balance_micros, message_price(), "this widget message");
			goto out;
		}
		if (r) {
			tool_fail(res, "cannot charge the message: store unavailable");
			goto out;
		}
		charged = message_price();
	}
	b = brain_open(account, c.call_id, err, sizeof(err));
	if (!b) {
		tool_fail(res, "the assistant cannot answer: %s", err);
		goto out;
	}
	hist = store_conversation_messages(c.id);
	if (!hist || brain_restore(b, hist)) {
		tool_fail(res, "cannot read the conversation: store unavailable");
		goto out;
	}
	if (brain_turn(b, text, NULL, NULL, &br)) {
		tool_fail(res, "the assistant could not answer: %s (the message was not kept%s; "
			  "send it again)", br.error, charged ? " and not charged" : "");
		goto out;
	}
	if (store_conversation_message_add(c.id, "user", text, NULL) ||
	    store_conversation_message_add(c.id, "assistant", br.reply, br.function_calls)) {
		tool_fail(res, "cannot store the messages: store unavailable");
		goto out;
	}
	charged = 0;	/* delivered: the charge stands */
	if (br.line == BRAIN_LINE_HANGUP)
		brain_conversation_end(c.id, "ended_by_assistant", "the assistant ended the conversation");
	store_conversation_get(account, uuid, &c);
	{
		json_t *line = br.line == BRAIN_LINE_NONE ? json_null()
			: br.line == BRAIN_LINE_HANGUP ? json_pack("{s:s}", "action", "hangup")
			: json_pack("{s:s, s:s}", "action", "transfer", "destination", br.destination);
		tool_ok(res, json_pack("{s:s, s:s, s:s, s:O, s:o, s:b, s:b, s:o, s:o}",
			"uuid", c.uuid, "status", c.status, "reply", br.reply,
			"function_calls", br.function_calls, "line_command", line,
			"escalated", br.escalated, "tool_rounds_exhausted", br.rounds_exhausted,
			"message_cost", money_json(strcmp(c.type, "widget") ? 0 : message_price()),
			"cost", money_json(c.cost_micros)));
	}
out:
	if (charged && store_conversation_charge(account, c.id, -charged))
		log_error("conversations: cannot refund %lld micros to account %lld",
			  (long long)charged, (long long)account);
	busy_release(c.id);
	json_decref(hist);
	brain_result_release(&br);
	brain_close(b);
	return 0;
}

/* ---- get_conversation -------------------------------------------------------------------- */

HANDLER(get_conversation)
{
	struct store_conversation c;

	if (conversation_load(ctx->who->account_id, arg_str(args, "uuid"), &c, res))
		return 0;
	return tool_ok(res, conversation_json(&c));
}
