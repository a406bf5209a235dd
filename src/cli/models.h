/*
 * models.h - `switchboard model add|list|remove`: the model catalog that
 * assistants choose from (get_models). A model added with --url is served by
 * that OpenAI-compatible server, its API key read from the environment
 * variable --key-env names and stored sealed (secret.h); one without a URL
 * of its own is served by the default provider (SWITCHBOARD_LLM_URL, see
 * agent/llm.h, which resolves the models at run time).
 *
 * Exit code 0, 1 when the store failed or the model is unknown, 2 bad usage.
 */
#ifndef CLI_MODELS_H
#define CLI_MODELS_H

struct cmdline_args;

int models_cmd_add(const struct cmdline_args *a);
int models_cmd_list(const struct cmdline_args *a);
int models_cmd_remove(const struct cmdline_args *a);

#endif
