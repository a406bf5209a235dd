/*
 * table.c - the resources and prompts Switchboard serves, on every surface.
 * The tools are declared as data, one JSON file a tool in
 * src/tools/schemas/ (in the order of its LIST); scripts/tooldecl.c turns
 * them into tool_table[] at build time (build/gen/tool_table.c) and into
 * docs/TOOLS.md. resources/list, prompts/list, scope checks and completion
 * derive from the rows here (see tool.h). Adding a resource or a prompt = a
 * row here + a handler in src/tools/.
 */
#include "tools/tools.h"

#define C  SURFACE_CONTROL
#define FX SURFACE_CONFORMANCE

const struct resource resource_table[] = {
	{ "switchboard://account", 0, "account", "Account", "The account behind this API key: balance and usage this month",
	  "application/json", C, AUTH_SCOPE_READ, account_resource_read },
	{ "switchboard://assistants/{id}", 1, "assistant", "Assistant", "One assistant with every setting",
	  "application/json", C, AUTH_SCOPE_READ, assistant_resource_read },
	{ "test://static-text", 0, "static-text", "Static text", "A static text resource", "text/plain", FX, 0,
	  fx_resource_read },
	{ "test://static-binary", 0, "static-binary", "Static binary", "A static binary resource (PNG)", "image/png", FX, 0,
	  fx_resource_read },
	{ "test://watched-resource", 0, "watched-resource", "Watched resource", "A resource clients can subscribe to",
	  "text/plain", FX, 0, fx_resource_read },
	{ "test://template/{id}/data", 1, "template", "Template", "A resource template with an id", "application/json", FX,
	  0, fx_resource_read },
	{ NULL, 0, NULL, NULL, NULL, NULL, 0, 0, NULL }
};

static const char *const languages[] = { "English", "German", "French", "Spanish", "Italian", "Dutch", NULL };
static const struct prompt_arg new_assistant_args[] = {
	{ "purpose", "What the assistant is for, e.g. 'book dental appointments'", 1, NULL },
	{ "language", "The language it speaks", 0, languages },
	{ NULL, NULL, 0, NULL }
};
static const struct prompt_arg fx_args[] = {
	{ "arg1", "First test argument", 1, NULL },
	{ "arg2", "Second test argument", 1, NULL },
	{ NULL, NULL, 0, NULL }
};
static const struct prompt_arg fx_resource_args[] = {
	{ "resourceUri", "URI of the resource to embed", 1, NULL },
	{ NULL, NULL, 0, NULL }
};

const struct prompt prompt_table[] = {
	{ "new_assistant", "Design a new assistant", "Walks through creating a phone assistant for a purpose",
	  new_assistant_args, C, prompt_new_assistant },
	{ "test_simple_prompt", "Simple prompt", "A simple prompt without arguments", NULL, FX, fx_prompt_simple },
	{ "test_prompt_with_arguments", "Prompt with arguments", "A prompt with required arguments", fx_args, FX,
	  fx_prompt_args },
	{ "test_prompt_with_embedded_resource", "Prompt with resource", "A prompt that includes an embedded resource",
	  fx_resource_args, FX, fx_prompt_resource },
	{ "test_prompt_with_image", "Prompt with image", "A prompt that includes image content", NULL, FX, fx_prompt_image },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};
