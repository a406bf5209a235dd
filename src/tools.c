/*
 * tools.c - THE table: every MCP tool, resource and prompt Switchboard
 * serves, on every surface. tools/list, annotations, scope checks, input
 * validation and the output-schema checks of the test suite derive from
 * these rows (see tool.h). Adding a capability = a row here + a handler in
 * src/tools/.
 */
#include "tools/tools.h"

/* ---- shared schema fragments --------------------------------------------- */

#define NO_ARGS "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}"
#define ID_ARG(what) "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"," \
	"\"minimum\":1,\"description\":\"" what "\"}},\"required\":[\"id\"],\"additionalProperties\":false}"
#define DATA_LIST(item) "{\"type\":\"object\",\"properties\":{\"data\":{\"type\":\"array\"," \
	"\"items\":" item "}},\"required\":[\"data\"]}"
#define PAGE_OF(item) "{\"type\":\"object\",\"required\":[\"current_page\",\"data\",\"last_page\"," \
	"\"per_page\",\"total\"],\"properties\":{\"current_page\":{\"type\":\"integer\"}," \
	"\"data\":{\"type\":\"array\",\"items\":" item "},\"first_page_url\":{\"type\":[\"string\",\"null\"]}," \
	"\"from\":{\"type\":[\"integer\",\"null\"]},\"last_page\":{\"type\":\"integer\"}," \
	"\"last_page_url\":{\"type\":[\"string\",\"null\"]},\"links\":{\"type\":\"array\"}," \
	"\"next_page_url\":{\"type\":[\"string\",\"null\"]},\"path\":{\"type\":\"string\"}," \
	"\"per_page\":{\"type\":\"integer\"},\"prev_page_url\":{\"type\":[\"string\",\"null\"]}," \
	"\"to\":{\"type\":[\"integer\",\"null\"]},\"total\":{\"type\":\"integer\"}}}"
#define WRITE_OF(item) "{\"type\":\"object\",\"required\":[\"message\",\"data\"],\"properties\":" \
	"{\"message\":{\"type\":\"string\"},\"data\":" item "}}"

#define MODEL "{\"type\":\"object\",\"required\":[\"id\",\"name\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}}}"
#define VOICE "{\"type\":\"object\",\"required\":[\"id\",\"name\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}}}"
#define LANGUAGE "{\"type\":\"object\",\"required\":[\"id\",\"name\",\"iso_2\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"iso_2\":{\"type\":\"string\"}}}"
#define PHONE "{\"type\":\"object\",\"required\":[\"id\",\"phone_number\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"phone_number\":{\"type\":\"string\"}}}"
#define ASSISTANT "{\"type\":\"object\",\"required\":[\"id\",\"assistant_name\",\"calls_direction\"," \
	"\"engine_type\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"assistant_name\":{\"type\":\"string\"}," \
	"\"calls_direction\":{\"enum\":[\"receive\",\"make\"]},\"engine_type\":{\"enum\":[\"pipeline\",\"multimodal\"]}," \
	"\"tool_ids\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}}}"

/* Every assistant setting with its range (control-plane reference). */
#define ASSISTANT_FIELDS \
	"\"assistant_name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":255,\"description\":\"Display name\"}," \
	"\"voice_id\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"A voice id from get_voices\"}," \
	"\"language\":{\"type\":\"string\",\"maxLength\":64,\"description\":\"Language name or ISO 639-1 code from get_languages\"}," \
	"\"llm_model\":{\"type\":\"string\",\"maxLength\":128,\"description\":\"A model name from get_models\"}," \
	"\"calls_direction\":{\"type\":\"string\",\"enum\":[\"receive\",\"make\"],\"description\":\"receive = inbound, make = outbound\"}," \
	"\"engine_type\":{\"type\":\"string\",\"enum\":[\"pipeline\",\"multimodal\"]}," \
	"\"timezone\":{\"type\":\"string\",\"maxLength\":64,\"description\":\"IANA timezone, e.g. Europe/Berlin\"}," \
	"\"initial_message\":{\"type\":\"string\",\"maxLength\":2000}," \
	"\"system_prompt\":{\"type\":\"string\",\"maxLength\":20000}," \
	"\"phone_number_id\":{\"type\":[\"integer\",\"null\"],\"minimum\":1,\"description\":\"null removes the number\"}," \
	"\"tool_ids\":{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"minimum\":1},\"maxItems\":50,\"uniqueItems\":true}," \
	"\"endpoint_type\":{\"type\":\"string\",\"enum\":[\"vad\",\"ai\"]}," \
	"\"endpoint_sensitivity\":{\"type\":\"number\",\"minimum\":0,\"maximum\":5}," \
	"\"interrupt_sensitivity\":{\"type\":\"number\",\"minimum\":0,\"maximum\":5}," \
	"\"ambient_sound_volume\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1}," \
	"\"post_call_evaluation\":{\"type\":\"boolean\"}," \
	"\"send_webhook_only_on_completed\":{\"type\":\"boolean\"}," \
	"\"include_recording_in_webhook\":{\"type\":\"boolean\"}," \
	"\"is_webhook_active\":{\"type\":\"boolean\"}," \
	"\"webhook_url\":{\"type\":[\"string\",\"null\"],\"format\":\"uri\",\"maxLength\":2048,\"description\":\"null removes the webhook\"}," \
	"\"use_min_interrupt_words\":{\"type\":\"boolean\"}," \
	"\"min_interrupt_words\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10}," \
	"\"variables\":{\"type\":\"object\",\"additionalProperties\":{\"type\":[\"string\",\"number\",\"boolean\"]}}," \
	"\"post_call_schema\":{\"type\":\"array\",\"maxItems\":50,\"items\":{\"type\":\"object\",\"required\":[\"name\",\"type\"]," \
		"\"properties\":{\"name\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z_][A-Za-z0-9_]*$\",\"maxLength\":64}," \
		"\"type\":{\"type\":\"string\",\"enum\":[\"string\",\"number\",\"bool\"]},\"description\":{\"type\":\"string\",\"maxLength\":500}}," \
		"\"additionalProperties\":false}}," \
	"\"end_call_tool\":{\"type\":\"boolean\"}," \
	"\"llm_temperature\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1}," \
	"\"voice_stability\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1}," \
	"\"voice_similarity\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1}," \
	"\"speech_speed\":{\"type\":\"number\",\"minimum\":0.7,\"maximum\":1.2}," \
	"\"allow_interruptions\":{\"type\":\"boolean\"}," \
	"\"filler_audios\":{\"type\":\"boolean\"}," \
	"\"re_engagement_interval\":{\"type\":\"integer\",\"minimum\":7,\"maximum\":600,\"description\":\"seconds\"}," \
	"\"max_call_duration\":{\"type\":\"integer\",\"minimum\":20,\"maximum\":1200,\"description\":\"seconds\"}," \
	"\"max_silence_duration\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":120,\"description\":\"seconds\"}," \
	"\"end_call_on_voicemail\":{\"type\":\"boolean\"}," \
	"\"noise_cancellation\":{\"type\":\"boolean\"}," \
	"\"record_call\":{\"type\":\"boolean\"}," \
	"\"who_speaks_first\":{\"type\":\"string\",\"enum\":[\"AI assistant\",\"Customer\"]}"

#define C  SURFACE_CONTROL
#define FX SURFACE_CONFORMANCE
#define RO (TOOL_READONLY | TOOL_IDEMPOTENT)

const struct tool tool_table[] = {
	/* ---- control plane: catalogs and account ---- */
	{ "get_models", "List models", "Lists the language models an assistant can use (id and name).",
	  NO_ARGS, DATA_LIST(MODEL), RO, AUTH_SCOPE_READ, C, get_models },
	{ "get_voices", "List voices", "Lists the voices an assistant can speak with, optionally only those for one engine mode.",
	  "{\"type\":\"object\",\"properties\":{\"mode\":{\"type\":\"string\",\"enum\":[\"pipeline\",\"multimodal\"],"
	  "\"description\":\"Only voices usable in this assistant mode\"}},\"additionalProperties\":false}",
	  DATA_LIST(VOICE), RO, AUTH_SCOPE_READ, C, get_voices },
	{ "get_languages", "List languages", "Lists the languages an assistant can speak (id, name, ISO 639-1 code iso_2).",
	  NO_ARGS, DATA_LIST(LANGUAGE), RO, AUTH_SCOPE_READ, C, get_languages },
	{ "get_phone_numbers", "List phone numbers", "Lists the account's phone numbers that can be assigned to assistants, optionally only inbound or outbound ones.",
	  "{\"type\":\"object\",\"properties\":{\"type\":{\"type\":\"string\",\"enum\":[\"inbound\",\"outbound\"]}},\"additionalProperties\":false}",
	  DATA_LIST(PHONE), RO, AUTH_SCOPE_READ, C, get_phone_numbers },
	{ "get_me", "Account overview", "Shows the account behind this API key: name, balance and usage this month.",
	  NO_ARGS, "{\"type\":\"object\",\"required\":[\"id\",\"name\",\"balance\",\"usage_this_month\"],"
	  "\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"balance\":{\"type\":\"string\"},"
	  "\"usage_this_month\":{\"type\":\"object\"}}}", RO, AUTH_SCOPE_READ, C, get_me },

	/* ---- control plane: assistants ---- */
	{ "get_assistants", "List assistants", "Lists the account's AI assistants, paged (Laravel page object: data, current_page, last_page, total, ...).",
	  "{\"type\":\"object\",\"properties\":{\"page\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000000,\"default\":1},"
	  "\"per_page\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100,\"default\":10}},\"additionalProperties\":false}",
	  PAGE_OF(ASSISTANT), RO, AUTH_SCOPE_READ, C, get_assistants },
	{ "get_assistant", "Get an assistant", "Shows one assistant with every setting.",
	  ID_ARG("Assistant id"), "{\"type\":\"object\",\"required\":[\"data\"],\"properties\":{\"data\":" ASSISTANT "}}",
	  RO, AUTH_SCOPE_READ, C, get_assistant },
	{ "create_assistant", "Create an assistant", "Creates an AI phone assistant. Only assistant_name and calls_direction are required; every other setting has a default.",
	  "{\"type\":\"object\",\"properties\":{" ASSISTANT_FIELDS "},\"required\":[\"assistant_name\",\"calls_direction\"],\"additionalProperties\":false}",
	  WRITE_OF(ASSISTANT), 0, AUTH_SCOPE_WRITE, C, create_assistant },
	{ "update_assistant", "Update an assistant", "Changes the given settings of an assistant; settings not given stay as they are. null removes phone_number_id or webhook_url.",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\",\"minimum\":1}," ASSISTANT_FIELDS "},\"required\":[\"id\"],\"additionalProperties\":false}",
	  WRITE_OF(ASSISTANT), TOOL_IDEMPOTENT, AUTH_SCOPE_WRITE, C, update_assistant },
	{ "delete_assistant", "Delete an assistant", "Deletes an assistant for good. Its past calls stay.",
	  ID_ARG("Assistant id"), WRITE_OF("{\"type\":\"object\"}"), TOOL_DESTRUCTIVE | TOOL_IDEMPOTENT,
	  AUTH_SCOPE_WRITE, C, delete_assistant },

	/* ---- conformance fixtures (serve --conformance) ---- */
	{ "test_simple_text", "Simple text", "Tests simple text content response", NO_ARGS, NULL, RO, 0, FX, fx_simple_text },
	{ "test_image_content", "Image", "Tests image content response", NO_ARGS, NULL, RO, 0, FX, fx_image },
	{ "test_audio_content", "Audio", "Tests audio content response", NO_ARGS, NULL, RO, 0, FX, fx_audio },
	{ "test_embedded_resource", "Embedded resource", "Tests embedded resource content response", NO_ARGS, NULL, RO, 0, FX, fx_embedded_resource },
	{ "test_multiple_content_types", "Mixed content", "Tests response with multiple content types (text, image, resource)", NO_ARGS, NULL, RO, 0, FX, fx_multiple },
	{ "test_tool_with_logging", "Logging", "Tests tool that emits log messages during execution", NO_ARGS, NULL, RO | TOOL_STREAMS, 0, FX, fx_logging },
	{ "test_tool_with_progress", "Progress", "Tests tool that reports progress notifications", NO_ARGS, NULL, RO | TOOL_STREAMS, 0, FX, fx_progress },
	{ "test_error_handling", "Error", "Tests error response handling", NO_ARGS, NULL, RO, 0, FX, fx_error },
	{ "test_sampling", "Sampling", "Tests server-initiated sampling (LLM completion request)",
	  "{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\",\"description\":\"The prompt to send to the LLM\"}},\"required\":[\"prompt\"]}",
	  NULL, TOOL_STREAMS | TOOL_OPENWORLD, 0, FX, fx_sampling },
	{ "test_elicitation", "Elicitation", "Tests server-initiated elicitation (user input request)",
	  "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\",\"description\":\"The message to show the user\"}},\"required\":[\"message\"]}",
	  NULL, TOOL_STREAMS, 0, FX, fx_elicitation },
	{ "test_elicitation_sep1034_defaults", "Elicitation defaults", "Tests elicitation with default values (SEP-1034)",
	  NO_ARGS, NULL, TOOL_STREAMS, 0, FX, fx_elicitation_defaults },
	{ "test_elicitation_sep1330_enums", "Elicitation enums", "Tests elicitation with enum schemas (SEP-1330)",
	  NO_ARGS, NULL, TOOL_STREAMS, 0, FX, fx_elicitation_enums },
	{ "json_schema_2020_12_tool", "JSON Schema 2020-12", "Tool with a JSON Schema 2020-12 input schema",
	  "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
	  "\"$defs\":{\"address\":{\"type\":\"object\",\"properties\":{\"street\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},"
	  "\"properties\":{\"name\":{\"type\":\"string\"},\"address\":{\"$ref\":\"#/$defs/address\"}},\"additionalProperties\":false}",
	  NULL, RO, 0, FX, fx_schema_2020_12 },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL }
};

const struct resource resource_table[] = {
	{ "switchboard://account", 0, "account", "Account", "The account behind this API key: balance and usage this month", "application/json", C, account_resource_read },
	{ "switchboard://assistants/{id}", 1, "assistant", "Assistant", "One assistant with every setting", "application/json", C, assistant_resource_read },
	{ "test://static-text", 0, "static-text", "Static text", "A static text resource", "text/plain", FX, fx_resource_read },
	{ "test://static-binary", 0, "static-binary", "Static binary", "A static binary resource (PNG)", "image/png", FX, fx_resource_read },
	{ "test://watched-resource", 0, "watched-resource", "Watched resource", "A resource clients can subscribe to", "text/plain", FX, fx_resource_read },
	{ "test://template/{id}/data", 1, "template", "Template", "A resource template with an id", "application/json", FX, fx_resource_read },
	{ NULL, 0, NULL, NULL, NULL, NULL, 0, NULL }
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
	{ "new_assistant", "Design a new assistant", "Walks through creating a phone assistant for a purpose", new_assistant_args, C, prompt_new_assistant },
	{ "test_simple_prompt", "Simple prompt", "A simple prompt without arguments", NULL, FX, fx_prompt_simple },
	{ "test_prompt_with_arguments", "Prompt with arguments", "A prompt with required arguments", fx_args, FX, fx_prompt_args },
	{ "test_prompt_with_embedded_resource", "Prompt with resource", "A prompt that includes an embedded resource", fx_resource_args, FX, fx_prompt_resource },
	{ "test_prompt_with_image", "Prompt with image", "A prompt that includes image content", NULL, FX, fx_prompt_image },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};
