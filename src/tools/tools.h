/*
 * tools/tools.h - handlers of the capability tables in src/tools.c.
 *
 * One file per family: conformance.c (the conformance suite's fixtures),
 * catalog.c (models, voices, languages, phone numbers), assistants.c,
 * account.c. Handlers trust their arguments: tool_call() validated them
 * against the row's input schema before the call. Shared shapes (the
 * Laravel page object) live in page.c.
 */
#ifndef TOOLS_TOOLS_H
#define TOOLS_TOOLS_H

#include "tool.h"

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

/* account */
HANDLER(get_me);
int account_resource_read(struct call_ctx *ctx, const char *uri, json_t **contents);

/* page.c: the Laravel page object around `data` (consumed). */
json_t *page_object(json_t *data, const char *path, int page, int per_page,
		    long long total);
/* integer argument with a default */
long long arg_int(const json_t *args, const char *name, long long def);

#endif
