/*
 * tools/tools.h - handlers of the capability tables (the tools declared in
 * src/tools/schemas/, resources and prompts in table.c).
 *
 * One file per family: conformance.c (the conformance suite's fixtures),
 * catalog.c (models, voices, languages, phone numbers), assistants.c,
 * account.c, calls.c, campaigns.c (campaigns and leads), messages.c (SMS),
 * midcall.c (mid-call tool definitions and their signing secret),
 * conversations.c (chats answered by the assistant brain). Handlers trust
 * their arguments: tool_call() validated them against the row's input
 * schema before the call. Shared shapes (the
 * Laravel page object) live in page.c.
 */
#ifndef TOOLS_TOOLS_H
#define TOOLS_TOOLS_H

#include "mcp/tool.h"

#define HANDLER(n) int n(struct call_ctx *ctx, const json_t *args, \
			 struct tool_result *res)

/* conformance fixtures */
HANDLER(fx_simple_text);
HANDLER(fx_image);
HANDLER(fx_audio);
HANDLER(fx_embedded_resource);
HANDLER(fx_multiple);
HANDLER(fx_logging);
HANDLER(fx_progress);
HANDLER(fx_error);
HANDLER(fx_sampling);
HANDLER(fx_elicitation);
HANDLER(fx_elicitation_defaults);
HANDLER(fx_elicitation_enums);
HANDLER(fx_schema_2020_12);
int fx_resource_read(struct call_ctx *ctx, const char *uri, json_t **contents);
int fx_prompt_simple(struct call_ctx *ctx, const json_t *args, json_t **m, const char **err);
int fx_prompt_args(struct call_ctx *ctx, const json_t *args, json_t **m, const char **err);
int fx_prompt_resource(struct call_ctx *ctx, const json_t *args, json_t **m, const char **err);
int fx_prompt_image(struct call_ctx *ctx, const json_t *args, json_t **m, const char **err);

/* catalogs */
HANDLER(get_models);
HANDLER(get_voices);
HANDLER(get_languages);
HANDLER(get_phone_numbers);

/* assistants */
HANDLER(get_assistants);
HANDLER(get_assistant);
HANDLER(create_assistant);
HANDLER(update_assistant);
HANDLER(delete_assistant);
int assistant_resource_read(struct call_ctx *ctx, const char *uri, json_t **contents);
int prompt_new_assistant(struct call_ctx *ctx, const json_t *args, json_t **m, const char **err);

HANDLER(get_outbound_assistants);

/* calls (calls.c) */
HANDLER(make_call);
int make_call_preview(struct call_ctx *ctx, const json_t *args, json_t **pv,
		      struct tool_result *res);
HANDLER(get_call);
HANDLER(list_calls);
HANDLER(delete_call);
HANDLER(end_call);

/* campaigns and leads (campaigns.c) */
HANDLER(list_campaigns);
HANDLER(create_campaign);
HANDLER(update_campaign_status);
int campaign_status_preview(struct call_ctx *ctx, const json_t *args, json_t **pv,
			    struct tool_result *res);
HANDLER(delete_campaign);
HANDLER(list_leads);
HANDLER(create_lead);
HANDLER(update_lead);
HANDLER(delete_lead);

/* SMS (messages.c) */
HANDLER(send_sms);
int send_sms_preview(struct call_ctx *ctx, const json_t *args, json_t **pv,
		     struct tool_result *res);

/* mid-call tool definitions (midcall.c) */
HANDLER(list_mid_call_tools);
HANDLER(get_mid_call_tool);
HANDLER(create_mid_call_tool);
HANDLER(update_mid_call_tool);
HANDLER(delete_mid_call_tool);
HANDLER(get_mid_call_tool_secret);

/* account */
HANDLER(get_me);
int account_resource_read(struct call_ctx *ctx, const char *uri, json_t **contents);

/* in-call plane (tools/incall.c) and its decision log */
HANDLER(ic_transfer_call);
HANDLER(ic_hangup_call);
HANDLER(ic_send_dtmf);
HANDLER(ic_is_office_open);
HANDLER(ic_lookup_contact);
HANDLER(ic_check_user_availability);
HANDLER(ic_create_lead);
HANDLER(list_call_actions);

/* post-call webhooks (webhooks.c) */
HANDLER(get_webhook_secret);
HANDLER(list_webhook_deliveries);

/* chat conversations with an assistant (conversations.c) */
HANDLER(create_conversation);
int create_conversation_preview(struct call_ctx *ctx, const json_t *args, json_t **pv,
				struct tool_result *res);
HANDLER(send_message);
HANDLER(get_conversation);

/* page.c: the Laravel page object around `data` (consumed). */
json_t *page_object(json_t *data, const char *path, int page, int per_page,
		    long long total);
/* `page` argument clamped to 1..1000000 */
int arg_page(const json_t *args);
/* integer argument with a default */
long long arg_int(const json_t *args, const char *name, long long def);
/* string argument or NULL */
const char *arg_str(const json_t *args, const char *name);
/* micro-dollars as a decimal string value ("0.0075") */
json_t *money_json(int64_t micros);
/* Replace o[key_micros] (an integer) with o[key] as a decimal string. */
void money_field(json_t *o, const char *key_micros, const char *key);
/* isError for a balance that does not cover `needed`:
 * {message, balance, required} */
int tool_funds(struct tool_result *res, int64_t balance, int64_t needed,
	       const char *what);
/* {action, target, estimated_cost, currency:"USD", details} (details stolen) */
json_t *spend_preview(const char *action, const char *target, int64_t cost,
		      json_t *details);

#endif
