/*
 * tools.c - THE table: every MCP tool, resource and prompt Switchboard
 * serves, on every surface. tools/list, annotations, scope checks, input
 * validation and the output-schema checks of the test suite derive from
 * these rows (see tool.h). Adding a capability = a row here + a handler in
 * src/tools/.
 */
#include "outbound/httpaction.h"
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
	"\"voicemail_message\":{\"type\":[\"string\",\"null\"],\"maxLength\":1000," \
		"\"description\":\"Said after the beep when an outbound call reaches voicemail and end_call_on_voicemail is false; then the call ends. null removes it\"}," \
	"\"noise_cancellation\":{\"type\":\"boolean\"}," \
	"\"record_call\":{\"type\":\"boolean\"}," \
	"\"expected_phrases\":{\"type\":\"array\",\"maxItems\":500,\"items\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":200}," \
		"\"description\":\"What callers are expected to say: with the local speech recogniser these phrases form its grammar (much more accurate on the phone)\"}," \
	"\"who_speaks_first\":{\"type\":\"string\",\"enum\":[\"AI assistant\",\"Customer\"]}," \
	"\"fallback_number\":{\"type\":[\"string\",\"null\"],\"minLength\":2,\"maxLength\":32,\"pattern\":\"^[+0-9][0-9 ()./-]*$\"," \
		"\"description\":\"Human handoff: the number (E.164) or extension to transfer to when the caller asks for a person or tools keep failing; null removes it\"}," \
	"\"handoff_after_tool_failures\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10," \
		"\"description\":\"Transfer to fallback_number after this many failed tool calls in a row (default 3, 0 = never)\"}"

/* ---- calls, campaigns, leads, SMS, mid-call tools ----------------------- */
#define E164 "{\"type\":\"string\",\"format\":\"e164\",\"description\":\"Phone number in E.164 format, e.g. +4915123456789\"}"
#define MONEY "{\"type\":\"string\",\"pattern\":\"^-?[0-9]+\\\\.[0-9]+$\",\"description\":\"USD as a decimal string\"}"
#define TS "{\"type\":[\"string\",\"null\"]}"
#define INT_OR_NULL "{\"type\":[\"integer\",\"null\"]}"
#define STR_OR_NULL "{\"type\":[\"string\",\"null\"]}"
#define PAGE_ARGS(def) "\"page\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000000,\"default\":1}," \
	"\"per_page\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100,\"default\":" def "}"
#define VARIABLES "{\"type\":\"object\",\"additionalProperties\":{\"type\":[\"string\",\"number\",\"boolean\"]}," \
	"\"description\":\"Key-value pairs the assistant can use as {{name}}\"}"
#define CALL_STATUS_ENUM "[\"initiated\",\"ringing\",\"busy\",\"in-progress\",\"ended\",\"completed\"," \
	"\"ended_by_customer\",\"ended_by_assistant\",\"no-answer\",\"failed\"]"
#define CALL "{\"type\":\"object\",\"required\":[\"id\",\"assistant_name\",\"campaign_name\",\"type\",\"duration\"," \
	"\"assistant_phone_number\",\"client_phone_number\",\"status\",\"transcript\",\"variables\",\"evaluation\"," \
	"\"webhook_response\",\"carrier_cost\",\"total_cost\",\"answered_by\",\"recording_url\",\"end_reason\"," \
	"\"created_at\",\"updated_at\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"assistant_id\":" INT_OR_NULL "," \
	"\"assistant_name\":" STR_OR_NULL ",\"campaign_id\":" INT_OR_NULL ",\"campaign_name\":" STR_OR_NULL "," \
	"\"lead_id\":" INT_OR_NULL ",\"type\":{\"enum\":[\"inbound\",\"outbound\",\"web\"]}," \
	"\"duration\":{\"type\":\"integer\",\"minimum\":0},\"assistant_phone_number\":" STR_OR_NULL "," \
	"\"client_phone_number\":" STR_OR_NULL ",\"status\":{\"enum\":" CALL_STATUS_ENUM "}," \
	"\"end_reason\":" STR_OR_NULL ",\"transcript\":{\"type\":\"array\",\"items\":{\"type\":\"object\"," \
	"\"required\":[\"text\",\"type\",\"sender\",\"timestamp\"],\"properties\":{\"text\":{\"type\":\"string\"}," \
	"\"type\":{\"const\":\"transcript\"},\"sender\":{\"enum\":[\"bot\",\"human\"]},\"timestamp\":{\"type\":\"number\"}}}}," \
	"\"variables\":{\"type\":\"object\"},\"evaluation\":{\"type\":\"array\"}," \
	"\"carrier_cost\":" MONEY ",\"total_cost\":" MONEY "," \
	"\"answered_by\":{\"enum\":[\"human\",\"machine\",\"unknown\",null]},\"recording_url\":" STR_OR_NULL "," \
	"\"started_at\":" TS ",\"answered_at\":" TS ",\"ended_at\":" TS "," \
	"\"created_at\":{\"type\":\"string\"},\"updated_at\":{\"type\":\"string\"}}}"
#define HM "{\"type\":\"string\",\"pattern\":\"^([01][0-9]|2[0-3]):[0-5][0-9]$\",\"description\":\"H:i, 00:00-23:59\"}"
#define DAYS "{\"type\":\"array\",\"minItems\":1,\"maxItems\":7,\"uniqueItems\":true,\"items\":{\"enum\":" \
	"[\"monday\",\"tuesday\",\"wednesday\",\"thursday\",\"friday\",\"saturday\",\"sunday\"]}}"
#define CAMPAIGN_FIELDS \
	"\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":255}," \
	"\"assistant_id\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"An outbound assistant (get_outbound_assistants)\"}," \
	"\"timezone\":{\"type\":\"string\",\"maxLength\":64,\"pattern\":\"^[A-Za-z]+(/[A-Za-z0-9_+-]+)*$\",\"description\":\"IANA timezone, default the account's\"}," \
	"\"max_calls_in_parallel\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10,\"default\":3}," \
	"\"allowed_hours_start_time\":" HM "," \
	"\"allowed_hours_end_time\":" HM "," \
	"\"allowed_days\":" DAYS "," \
	"\"max_retries\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5,\"default\":3}," \
	"\"retry_interval\":{\"type\":\"integer\",\"minimum\":10,\"maximum\":4320,\"default\":60,\"description\":\"minutes\"}," \
	"\"retry_on_voicemail\":{\"type\":\"boolean\",\"default\":false}," \
	"\"retry_on_goal_incomplete\":{\"type\":\"boolean\",\"default\":false}," \
	"\"goal_completion_variable\":{\"type\":\"string\",\"maxLength\":64,\"pattern\":\"^[A-Za-z_][A-Za-z0-9_]*$\"}," \
	"\"mark_complete_when_no_leads\":{\"type\":\"boolean\",\"default\":false}," \
	"\"phone_number_ids\":{\"type\":\"array\",\"maxItems\":20,\"uniqueItems\":true,\"items\":{\"type\":\"integer\",\"minimum\":1}}"
#define CAMPAIGN "{\"type\":\"object\",\"required\":[\"id\",\"name\",\"status\",\"assistant_id\",\"timezone\"," \
	"\"max_calls_in_parallel\",\"allowed_hours_start_time\",\"allowed_hours_end_time\",\"allowed_days\",\"max_retries\"," \
	"\"retry_interval\",\"phone_number_ids\",\"leads_count\",\"created_at\",\"updated_at\"],\"properties\":{" \
	"\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"status\":{\"enum\":[\"draft\",\"in-progress\",\"stopped\",\"completed\"]}," \
	"\"assistant_id\":" INT_OR_NULL ",\"assistant_name\":" STR_OR_NULL ",\"timezone\":{\"type\":\"string\"}," \
	"\"max_calls_in_parallel\":{\"type\":\"integer\"},\"allowed_hours_start_time\":{\"type\":\"string\"}," \
	"\"allowed_hours_end_time\":{\"type\":\"string\"},\"allowed_days\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}," \
	"\"max_retries\":{\"type\":\"integer\"},\"retry_interval\":{\"type\":\"integer\"},\"retry_on_voicemail\":{\"type\":\"boolean\"}," \
	"\"retry_on_goal_incomplete\":{\"type\":\"boolean\"},\"goal_completion_variable\":" STR_OR_NULL "," \
	"\"mark_complete_when_no_leads\":{\"type\":\"boolean\"},\"phone_number_ids\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}," \
	"\"leads_count\":{\"type\":\"integer\"},\"leads_ready\":{\"type\":\"integer\"},\"started_at\":" TS ",\"stopped_at\":" TS "," \
	"\"status_reason\":" STR_OR_NULL ",\"created_at\":{\"type\":\"string\"},\"updated_at\":{\"type\":\"string\"}}}"
#define LEAD_STATUS_ENUM "[\"created\",\"scheduled\",\"processing\",\"completed\",\"rescheduled\",\"reached-max-retries\",\"blacklisted\"]"
#define LEAD_PHONE "{\"type\":\"string\",\"pattern\":\"^\\\\+[0-9 ()./-]{6,30}$\",\"description\":\"International format; spaces, dashes, dots and brackets are removed (E.164 is stored)\"}"
#define LEAD "{\"type\":\"object\",\"required\":[\"id\",\"campaign_id\",\"phone_number\",\"variables\",\"status\",\"created_at\"," \
	"\"updated_at\",\"campaign\",\"secondary_contacts\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"campaign_id\":" INT_OR_NULL "," \
	"\"phone_number\":{\"type\":\"string\"},\"variables\":{\"type\":\"object\"},\"status\":{\"enum\":" LEAD_STATUS_ENUM "}," \
	"\"approved\":{\"type\":\"boolean\",\"description\":\"A confirmed campaign start lets the dialer call it\"}," \
	"\"created_at\":{\"type\":\"string\"},\"updated_at\":{\"type\":\"string\"},\"campaign\":{\"type\":[\"object\",\"null\"]," \
	"\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}}},\"secondary_contacts\":{\"type\":\"array\"}}}"
#define SMS "{\"type\":\"object\",\"required\":[\"id\",\"from\",\"to\",\"body\",\"segments\",\"encoding\",\"cost\",\"status\"," \
	"\"provider_id\",\"created_at\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"phone_number_id\":" INT_OR_NULL "," \
	"\"from\":{\"type\":\"string\"},\"to\":{\"type\":\"string\"},\"body\":{\"type\":\"string\"}," \
	"\"segments\":{\"type\":\"integer\",\"minimum\":1},\"encoding\":{\"enum\":[\"GSM-7\",\"UCS-2\"]},\"cost\":" MONEY "," \
	"\"status\":{\"type\":\"string\"},\"provider_id\":{\"type\":\"string\"},\"created_at\":{\"type\":\"string\"}}}"
#define MT_HEADERS "{\"type\":\"array\",\"maxItems\":20,\"description\":\"Sent with every request; values are stored encrypted and never shown again. Giving headers replaces the whole list.\"," \
	"\"items\":{\"type\":\"object\",\"required\":[\"name\",\"value\"],\"additionalProperties\":false,\"properties\":{" \
	"\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":64,\"pattern\":\"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$\"}," \
	"\"value\":{\"type\":\"string\",\"maxLength\":2048,\"pattern\":\"^[^\\r\\n]*$\"}}}}"
#define MT_SCHEMA "{\"type\":\"array\",\"maxItems\":30,\"description\":\"Parameters the model collects and sends. Giving schema replaces the whole list.\"," \
	"\"items\":{\"type\":\"object\",\"required\":[\"name\",\"type\"],\"additionalProperties\":false,\"properties\":{" \
	"\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":64,\"pattern\":\"^[A-Za-z_][A-Za-z0-9_]*$\"}," \
	"\"type\":{\"enum\":[\"string\",\"number\",\"boolean\"]},\"description\":{\"type\":\"string\",\"maxLength\":500}," \
	"\"required\":{\"type\":\"boolean\",\"default\":false}}}}"
#define MT_FIELDS \
	"\"name\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":32,\"pattern\":\"^[a-z][a-z_]*$\",\"description\":\"Lowercase letters and underscores\"}," \
	"\"description\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":255,\"description\":\"When and how the assistant should use the tool\"}," \
	"\"endpoint\":{\"type\":\"string\",\"format\":\"uri\",\"maxLength\":2048,\"pattern\":\"^https?://\",\"description\":\"http(s) URL; {param} and {{system_variable}} placeholders allowed\"}," \
	"\"method\":{\"type\":\"string\",\"enum\":[\"GET\",\"POST\",\"PUT\",\"PATCH\",\"DELETE\"],\"default\":\"POST\"}," \
	"\"timeout\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":30,\"default\":10,\"description\":\"seconds\"}," \
	"\"headers\":" MT_HEADERS ",\"schema\":" MT_SCHEMA "," \
	"\"kind\":{\"type\":\"string\",\"enum\":[\"api_request\",\"transfer_to_user\",\"transfer_to_queue\"],\"default\":\"api_request\"," \
	"\"description\":\"api_request calls endpoint; the transfers hand the call to target\"}," \
	"\"target\":{\"type\":[\"string\",\"null\"],\"maxLength\":32,\"pattern\":\"^[+0-9][0-9 ()./-]*$\",\"description\":\"Transfers: the user's or queue's extension or number\"}," \
	"\"body\":{\"type\":[\"object\",\"null\"],\"description\":\"Static JSON body fields sent with the parameters; string values may hold placeholders\"}," \
	"\"say_start\":{\"type\":[\"string\",\"null\"],\"maxLength\":300,\"description\":\"Said while the tool runs\"}," \
	"\"say_delay\":{\"type\":[\"string\",\"null\"],\"maxLength\":300,\"description\":\"Said when it takes long\"}," \
	"\"say_failure\":{\"type\":[\"string\",\"null\"],\"maxLength\":300,\"description\":\"Said when it fails\"}"
#define MIDTOOL "{\"type\":\"object\",\"required\":[\"id\",\"name\",\"description\",\"endpoint\",\"method\",\"timeout\",\"headers\"," \
	"\"schema\",\"created_at\",\"updated_at\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}," \
	"\"description\":" STR_OR_NULL ",\"endpoint\":{\"type\":\"string\"},\"method\":{\"enum\":[\"GET\",\"POST\",\"PUT\",\"PATCH\",\"DELETE\"]}," \
	"\"timeout\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":30},\"headers\":{\"type\":\"array\",\"items\":{\"type\":\"object\"," \
	"\"required\":[\"name\",\"value\"],\"properties\":{\"name\":{\"type\":\"string\"},\"value\":{\"const\":\"[redacted]\"}}}}," \
	"\"schema\":{\"type\":\"array\"},\"assistant_ids\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}," \
	"\"created_at\":{\"type\":\"string\"},\"updated_at\":{\"type\":\"string\"}}}"
#define DELETED WRITE_OF("{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"integer\"}}}")
#define OBJ_ARGS(props, req) "{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req "],\"additionalProperties\":false}"
#define SPEND_FLAGS (TOOL_SPEND | TOOL_OPENWORLD)

#define CONV_MSG "{\"type\":\"object\",\"required\":[\"role\",\"content\",\"function_calls\"],\"properties\":{" \
	"\"role\":{\"enum\":[\"user\",\"assistant\"]},\"content\":{\"type\":\"string\"},\"function_calls\":{\"type\":\"array\"," \
	"\"items\":{\"type\":\"object\",\"required\":[\"name\",\"arguments\",\"result\"],\"properties\":{\"name\":{\"type\":\"string\"}," \
	"\"result\":{\"type\":\"object\"},\"is_error\":{\"type\":\"boolean\"}}}}}}"
#define CONVERSATION "{\"type\":\"object\",\"required\":[\"uuid\",\"status\",\"type\",\"history\"],\"properties\":{" \
	"\"uuid\":{\"type\":\"string\"},\"status\":{\"enum\":[\"active\",\"ended\"]},\"type\":{\"enum\":[\"test\",\"widget\"]}," \
	"\"assistant_id\":{\"type\":\"integer\"},\"call_id\":{\"type\":\"integer\"},\"cost\":" MONEY ",\"summary\":" STR_OR_NULL "," \
	"\"end_reason\":" STR_OR_NULL ",\"history\":{\"type\":\"array\",\"items\":" CONV_MSG "},\"created_at\":{\"type\":\"string\"}}}"
#define CONV_UUID "\"uuid\":{\"type\":\"string\",\"format\":\"uuid\",\"description\":\"The conversation's uuid (create_conversation)\"}"

#define IC SURFACE_INCALL
#define IC_ACTION_OUT "{\"type\":\"object\",\"required\":[\"status\",\"action\",\"message\"],\"properties\":{" \
	"\"status\":{\"type\":\"string\"},\"action\":{\"enum\":[\"transfer\",\"hangup\"]},\"destination\":{\"type\":\"string\"}," \
	"\"message\":{\"type\":\"string\"}}}"
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

	{ "get_outbound_assistants", "List outbound assistants", "Lists the account's assistants that make calls (calls_direction 'make'), paged like get_assistants. Use one of them for make_call or a campaign.",
	  OBJ_ARGS(PAGE_ARGS("10"), ""), PAGE_OF(ASSISTANT), RO, AUTH_SCOPE_READ, C, get_outbound_assistants },
	/* ---- control plane: calls ---- */
	{ "make_call", "Place a phone call", "Calls a phone number with an AI assistant (it needs a phone number to call from). Spends money: the call runs only once confirmed (elicitation, or call again with the confirmation_token the first answer returns). Pass idempotency_key so a retry never dials twice. Answers the call id with status 'initiated'; follow it with get_call.",
	  OBJ_ARGS("\"assistant_id\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"The assistant that talks\"},"
		   "\"phone_number\":" E164 ",\"variables\":" VARIABLES "," SPEND_ARGS, "\"assistant_id\",\"phone_number\""),
	  SPEND_OUTPUT("{\"type\":\"object\",\"required\":[\"message\",\"call_id\",\"status\"],\"properties\":{\"message\":{\"type\":\"string\"},"
		       "\"call_id\":{\"type\":\"integer\"},\"status\":{\"const\":\"initiated\"}}}"),
	  SPEND_FLAGS, AUTH_SCOPE_SPEND, C, make_call, make_call_preview },
	{ "get_call", "Get a call", "Shows one call: status (and end_reason when it failed or ended), both numbers, duration, transcript, variables, evaluation, costs (USD decimal strings), recording.",
	  OBJ_ARGS("\"call_id\":{\"type\":\"integer\",\"minimum\":1}", "\"call_id\""), CALL, RO, AUTH_SCOPE_READ, C, get_call },
	{ "list_calls", "List calls", "Lists the account's calls, newest first, paged (Laravel page object), filtered by status, type, phone number (either end), assistant, campaign and creation date (date_from / date_to, inclusive).",
	  OBJ_ARGS("\"status\":{\"type\":\"string\",\"enum\":" CALL_STATUS_ENUM "},"
		   "\"type\":{\"type\":\"string\",\"enum\":[\"inbound\",\"outbound\",\"web\"]},"
		   "\"phone_number\":" E164 ",\"assistant_id\":{\"type\":\"integer\",\"minimum\":1},"
		   "\"campaign_id\":{\"type\":\"integer\",\"minimum\":1},"
		   "\"date_from\":{\"type\":\"string\",\"format\":\"date\",\"description\":\"YYYY-MM-DD (UTC)\"},"
		   "\"date_to\":{\"type\":\"string\",\"format\":\"date\",\"description\":\"YYYY-MM-DD (UTC), inclusive\"},"
		   PAGE_ARGS("15"), ""),
	  PAGE_OF(CALL), RO, AUTH_SCOPE_READ, C, list_calls },
	{ "delete_call", "Delete a call", "Deletes an ended call with its transcript for good. A live call cannot be deleted.",
	  OBJ_ARGS("\"call_id\":{\"type\":\"integer\",\"minimum\":1}", "\"call_id\""), DELETED,
	  TOOL_DESTRUCTIVE | TOOL_IDEMPOTENT, AUTH_SCOPE_WRITE, C, delete_call },
	/* ---- control plane: campaigns and leads ---- */
	{ "list_campaigns", "List campaigns", "Lists the account's call campaigns with status, settings, schedule and lead counts.",
	  NO_ARGS, DATA_LIST(CAMPAIGN), RO, AUTH_SCOPE_READ, C, list_campaigns },
	{ "create_campaign", "Create a campaign", "Creates a call campaign (status 'draft') for an outbound assistant. Only name and assistant_id are required; the schedule defaults to Monday-Friday 09:00-17:00 in the account's timezone, 3 calls in parallel, 3 attempts 60 minutes apart.",
	  OBJ_ARGS(CAMPAIGN_FIELDS, "\"name\",\"assistant_id\""), WRITE_OF(CAMPAIGN), 0, AUTH_SCOPE_WRITE, C, create_campaign },
	{ "update_campaign_status", "Start or stop a campaign", "action 'start' begins calling the campaign's leads (status created, scheduled or rescheduled): it needs a positive balance, spends money and runs only once confirmed (elicitation or confirmation_token). The confirmation covers exactly the leads its preview priced: if leads were added or reopened since, nothing starts and the answer (status 'changed') carries the new preview to confirm. The dialer calls confirmed leads only: leads added to a running campaign wait until 'start' on the running campaign confirms them (its preview prices just those). action 'stop' is free and immediate: it stops the campaign and ends its live calls.",
	  OBJ_ARGS("\"campaign_id\":{\"type\":\"integer\",\"minimum\":1},\"action\":{\"type\":\"string\",\"enum\":[\"start\",\"stop\"]}," SPEND_ARGS,
		   "\"campaign_id\",\"action\""),
	  SPEND_OUTPUT("{\"type\":\"object\",\"required\":[\"message\",\"success\",\"data\"],\"properties\":{\"message\":{\"type\":\"string\"},"
		       "\"success\":{\"type\":\"boolean\"},\"data\":{\"type\":\"object\",\"required\":[\"campaign_id\",\"status\"],\"properties\":{"
		       "\"campaign_id\":{\"type\":\"integer\"},\"status\":{\"enum\":[\"in-progress\",\"stopped\",\"draft\"]}}}}}"),
	  SPEND_FLAGS, AUTH_SCOPE_WRITE, C, update_campaign_status, campaign_status_preview },
	{ "delete_campaign", "Delete a campaign", "Deletes a campaign that is not running, with its leads, for good. Its calls stay.",
	  ID_ARG("Campaign id"), DELETED, TOOL_DESTRUCTIVE | TOOL_IDEMPOTENT, AUTH_SCOPE_WRITE, C, delete_campaign },
	{ "list_leads", "List leads", "Lists the account's campaign leads, paged (Laravel page object), filtered by status, campaign and phone number.",
	  OBJ_ARGS("\"status\":{\"type\":\"string\",\"enum\":" LEAD_STATUS_ENUM "},\"campaign_id\":{\"type\":\"integer\",\"minimum\":1},"
		   "\"phone_number\":" LEAD_PHONE "," PAGE_ARGS("15"), ""),
	  PAGE_OF(LEAD), RO, AUTH_SCOPE_READ, C, list_leads },
	{ "create_lead", "Create a lead", "Adds a phone number (with variables for the assistant) to a campaign. A number already in the campaign is refused unless allow_duplicate (or allow_dupplicate) is true. Adding a lead spends nothing: a campaign calls it only once a confirmed update_campaign_status 'start' priced it, so a lead added to a running campaign waits (approved false) for the next confirmed start.",
	  OBJ_ARGS("\"phone_number\":" LEAD_PHONE ",\"campaign_id\":{\"type\":\"integer\",\"minimum\":1},\"variables\":" VARIABLES ","
		   "\"allow_duplicate\":{\"type\":\"boolean\",\"default\":false},"
		   "\"allow_dupplicate\":{\"type\":\"boolean\",\"default\":false,\"description\":\"Same as allow_duplicate (the spelling the hosted API uses)\"}",
		   "\"phone_number\",\"campaign_id\""),
	  WRITE_OF(LEAD), 0, AUTH_SCOPE_WRITE, C, create_lead },
	{ "update_lead", "Update a lead", "Changes a lead: campaign, phone number, status (created, completed or reached-max-retries) or variables (merged into the lead's; null removes one). A change of campaign, phone number or status withdraws the lead's approval: in a running campaign it is called again only after a confirmed update_campaign_status 'start'.",
	  OBJ_ARGS("\"id\":{\"type\":\"integer\",\"minimum\":1},\"campaign_id\":{\"type\":\"integer\",\"minimum\":1},\"phone_number\":" LEAD_PHONE ","
		   "\"status\":{\"type\":\"string\",\"enum\":[\"created\",\"completed\",\"reached-max-retries\"]},"
		   "\"variables\":{\"type\":\"object\",\"additionalProperties\":{\"type\":[\"string\",\"number\",\"boolean\",\"null\"]}}",
		   "\"id\""),
	  WRITE_OF(LEAD), TOOL_IDEMPOTENT, AUTH_SCOPE_WRITE, C, update_lead },
	{ "delete_lead", "Delete a lead", "Deletes a lead for good.",
	  ID_ARG("Lead id"), DELETED, TOOL_DESTRUCTIVE | TOOL_IDEMPOTENT, AUTH_SCOPE_WRITE, C, delete_lead },
	/* ---- control plane: SMS ---- */
	{ "send_sms", "Send an SMS", "Sends an SMS from one of the account's SMS-capable numbers. Costs money per segment (GSM-7: 160 characters, 153 per part; other text UCS-2: 70, 67 per part), charged to the balance; runs only once confirmed (elicitation or confirmation_token). Pass idempotency_key so a retry never sends twice.",
	  OBJ_ARGS("\"from\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"Id of the sending phone number (get_phone_numbers, sms_capable)\"},"
		   "\"to\":" E164 ",\"body\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":300}," SPEND_ARGS,
		   "\"from\",\"to\",\"body\""),
	  SPEND_OUTPUT(WRITE_OF(SMS)), SPEND_FLAGS, AUTH_SCOPE_SPEND, C, send_sms, send_sms_preview },
	/* ---- control plane: mid-call tools ---- */
	{ "list_mid_call_tools", "List mid-call tools", "Lists the HTTP actions assistants can run during calls (name, description, endpoint, method, timeout, headers with values redacted, parameter schema).",
	  NO_ARGS, DATA_LIST(MIDTOOL), RO, AUTH_SCOPE_READ, C, list_mid_call_tools },
	{ "get_mid_call_tool", "Get a mid-call tool", "Shows one mid-call tool with its configuration (header values redacted).",
	  ID_ARG("Mid-call tool id"), "{\"type\":\"object\",\"required\":[\"data\"],\"properties\":{\"data\":" MIDTOOL "}}",
	  RO, AUTH_SCOPE_READ, C, get_mid_call_tool },
	{ "create_mid_call_tool", "Create a mid-call tool", "Defines an action an assistant can run during a call: an HTTP request to your systems (kind api_request: endpoint, method, headers, schema, static body), or a transfer to a user or a queue (kind transfer_to_user / transfer_to_queue: target). say_start / say_delay / say_failure are what the voice says meanwhile. Attach it with update_assistant tool_ids. Header values are stored encrypted.",
	  OBJ_ARGS(MT_FIELDS, "\"name\",\"description\""), WRITE_OF(MIDTOOL), 0, AUTH_SCOPE_WRITE, C, create_mid_call_tool },
	{ "update_mid_call_tool", "Update a mid-call tool", "Changes the given fields of a mid-call tool; giving headers or schema replaces the whole list.",
	  OBJ_ARGS("\"id\":{\"type\":\"integer\",\"minimum\":1}," MT_FIELDS, "\"id\""), WRITE_OF(MIDTOOL), TOOL_IDEMPOTENT,
	  AUTH_SCOPE_WRITE, C, update_mid_call_tool },
	{ "delete_mid_call_tool", "Delete a mid-call tool", "Deletes a mid-call tool for good and detaches it from every assistant.",
	  ID_ARG("Mid-call tool id"), DELETED, TOOL_DESTRUCTIVE | TOOL_IDEMPOTENT, AUTH_SCOPE_WRITE, C, delete_mid_call_tool },
	{ "get_mid_call_tool_secret", "Get the mid-call tool signing secret", "Shows the account's secret for verifying the requests its mid-call tools send to your systems (created on first use; not the webhook secret): each request carries X-Switchboard-Timestamp: t and X-Switchboard-Signature: " HA_SIGNATURE_SCHEME ". A redirect to another origin is not signed.",
	  NO_ARGS, "{\"type\":\"object\",\"required\":[\"secret\",\"signature_header\",\"scheme\"],\"properties\":{"
	  "\"secret\":{\"type\":\"string\"},\"signature_header\":{\"type\":\"string\"},\"timestamp_header\":{\"type\":\"string\"},"
	  "\"scheme\":{\"type\":\"string\"}}}",
	  RO, AUTH_SCOPE_ADMIN, C, get_mid_call_tool_secret },
	/* ---- control plane: the in-call decision log ---- */
	{ "list_call_actions", "List a call's actions", "Shows every action the assistant took during a call (transfers, lookups, leads, custom API requests): arguments with secrets redacted, upstream HTTP status, latency, outcome and a result summary.",
	  OBJ_ARGS("\"call_id\":{\"type\":\"integer\",\"minimum\":1}", "\"call_id\""),
	  "{\"type\":\"object\",\"required\":[\"call_id\",\"data\"],\"properties\":{\"call_id\":{\"type\":\"integer\"},"
	  "\"data\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"tool\",\"arguments\"]}}}}",
	  RO, AUTH_SCOPE_READ, C, list_call_actions },
	/* ---- control plane: post-call webhooks ---- */
	{ "get_webhook_secret", "Get the webhook signing secret", "Shows the account's secret for verifying post-call webhooks (created on first use): each webhook carries X-Switchboard-Timestamp: t and X-Switchboard-Signature: " HA_SIGNATURE_SCHEME ". Mid-call tool requests are signed with another secret (get_mid_call_tool_secret).",
	  NO_ARGS, "{\"type\":\"object\",\"required\":[\"secret\",\"signature_header\",\"scheme\"],\"properties\":{"
	  "\"secret\":{\"type\":\"string\"},\"signature_header\":{\"type\":\"string\"},\"timestamp_header\":{\"type\":\"string\"},"
	  "\"scheme\":{\"type\":\"string\"}}}",
	  RO, AUTH_SCOPE_ADMIN, C, get_webhook_secret },
	{ "list_webhook_deliveries", "List a call's webhook deliveries", "Shows the post-call webhook deliveries of a call: URL, state (pending, delivered, failed), attempts with HTTP status, error and latency, the next attempt and when it was delivered.",
	  OBJ_ARGS("\"call_id\":{\"type\":\"integer\",\"minimum\":1}", "\"call_id\""),
	  "{\"type\":\"object\",\"required\":[\"call_id\",\"data\"],\"properties\":{\"call_id\":{\"type\":\"integer\"},"
	  "\"data\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"url\",\"state\",\"attempts\",\"history\"],"
	  "\"properties\":{\"state\":{\"enum\":[\"pending\",\"delivered\",\"failed\"]},\"attempts\":{\"type\":\"integer\"},"
	  "\"history\":{\"type\":\"array\"}}}}}}",
	  RO, AUTH_SCOPE_READ, C, list_webhook_deliveries },

	/* ---- control plane: chat conversations with an assistant ---- */
	{ "create_conversation", "Start a chat with an assistant", "Starts a text conversation with an assistant, answered by its model with its prompt, variables and tools (as in a call). type 'test' (default) is free; 'widget' costs $0.01 per user message, charged to the balance, so it runs only once confirmed (elicitation or confirmation_token). Answers the uuid, status and the history (with the assistant's greeting when it speaks first). Needs a configured model (get_models).",
	  OBJ_ARGS("\"assistant_id\":{\"type\":\"integer\",\"minimum\":1},"
		   "\"type\":{\"type\":\"string\",\"enum\":[\"test\",\"widget\"],\"default\":\"test\"},"
		   "\"variables\":" VARIABLES "," SPEND_ARGS, "\"assistant_id\""),
	  SPEND_OUTPUT(CONVERSATION), SPEND_FLAGS, AUTH_SCOPE_WRITE, C, create_conversation,
	  create_conversation_preview },
	{ "send_message", "Send a chat message", "Sends the user's message to a conversation and answers the assistant's reply with the function calls it ran (name, arguments, result). A widget conversation charges $0.01 per message; a message the assistant could not answer is neither kept nor charged. A conversation ends after a period without messages or when the assistant ends it.",
	  OBJ_ARGS(CONV_UUID ",\"message\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":2000}", "\"uuid\",\"message\""),
	  "{\"type\":\"object\",\"required\":[\"uuid\",\"status\",\"reply\",\"function_calls\"],\"properties\":{"
	  "\"uuid\":{\"type\":\"string\"},\"status\":{\"enum\":[\"active\",\"ended\"]},\"reply\":{\"type\":\"string\"},"
	  "\"function_calls\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"name\",\"arguments\",\"result\"]}},"
	  "\"line_command\":{\"type\":[\"object\",\"null\"]},\"escalated\":{\"type\":\"boolean\"},"
	  "\"tool_rounds_exhausted\":{\"type\":\"boolean\"},\"message_cost\":" MONEY ",\"cost\":" MONEY "}}",
	  TOOL_OPENWORLD | TOOL_STREAMS, AUTH_SCOPE_WRITE, C, send_message },
	{ "get_conversation", "Get a conversation", "Shows a conversation: status (active or ended), type, cost, summary once it ended, and the history [{role, content, function_calls}].",
	  OBJ_ARGS(CONV_UUID, "\"uuid\""), CONVERSATION, RO, AUTH_SCOPE_READ, C, get_conversation },

	/* ---- in-call plane (/call/mcp): every assistant has these ---- */
	{ "transfer_call", "Transfer the call", "Transfers the caller to another phone number (E.164, e.g. +4930123456) or an internal extension. Say that you are transferring before you call it.",
	  OBJ_ARGS("\"destination_number\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":32,"
		   "\"pattern\":\"^[+0-9][0-9 ()./-]*$\",\"description\":\"The phone number or extension to transfer to\"}",
		   "\"destination_number\""), IC_ACTION_OUT, TOOL_OPENWORLD, AUTH_SCOPE_INCALL, IC, ic_transfer_call,
	  .say_start = "I'll transfer you now.", .say_failure = "I'm sorry, I couldn't transfer you. Let me help you myself." },
	{ "hangup_call", "End the call", "Ends the call. Say goodbye first.",
	  NO_ARGS, IC_ACTION_OUT, TOOL_DESTRUCTIVE, AUTH_SCOPE_INCALL, IC, ic_hangup_call,
	  .say_start = "Thank you for calling. Goodbye!" },
	{ "send_dtmf", "Press keypad keys", "Sends keypad tones (DTMF, RFC 4733) to the other side, e.g. to choose options in a company's phone menu: digits 0-9, * and #, A-D; ',' waits half a second. Answers what was sent.",
	  OBJ_ARGS("\"digits\":{\"type\":\"string\",\"pattern\":\"^[0-9*#A-Da-d,]{1,32}$\","
		   "\"description\":\"The keys to press in order, e.g. 1 or 2,,123#\"}", "\"digits\""),
	  "{\"type\":\"object\",\"required\":[\"status\",\"action\",\"digits\",\"performed_by\",\"message\"],\"properties\":{"
	  "\"status\":{\"enum\":[\"sent\",\"dtmf_requested\"]},\"action\":{\"const\":\"dtmf\"},\"digits\":{\"type\":\"string\"},"
	  "\"performed_by\":{\"enum\":[\"line\",\"engine\"]},\"duration_ms\":{\"type\":\"integer\"},\"message\":{\"type\":\"string\"}}}",
	  TOOL_OPENWORLD | TOOL_REPEATS, AUTH_SCOPE_INCALL, IC, ic_send_dtmf },
	{ "is_office_open", "Is the office open?", "Tells whether the office is open now, from this assistant's office hours in the account's timezone: one of 'Office is currently open', 'Office is currently closed', 'Office is closed today', 'Office is open 24 hours today'.",
	  NO_ARGS, "{\"type\":\"object\",\"required\":[\"message\",\"open\",\"state\"],\"properties\":{"
	  "\"message\":{\"enum\":[\"Office is currently open\",\"Office is currently closed\",\"Office is closed today\",\"Office is open 24 hours today\"]},"
	  "\"open\":{\"type\":\"boolean\"},\"state\":{\"type\":\"string\"},\"opens_at\":{\"type\":[\"string\",\"null\"]},"
	  "\"closes_at\":{\"type\":[\"string\",\"null\"]},\"timezone\":{\"type\":\"string\"}}}",
	  RO, AUTH_SCOPE_INCALL, IC, ic_is_office_open, .say_start = "Let me check our opening hours." },
	{ "lookup_contact", "Look up a contact", "Finds a contact by phone number (any format: +49 30 123, 030 123...) in the account's contacts, then in its connected HTTP and CardDAV directories. Answers name, numbers, company and source (native, http:<host> or carddav:<host>); sources_failed names directories that did not answer.",
	  OBJ_ARGS("\"phone_number\":{\"type\":\"string\",\"minLength\":3,\"maxLength\":40,\"description\":\"The number to look up\"}",
		   "\"phone_number\""),
	  "{\"type\":\"object\",\"required\":[\"found\",\"phone_number\",\"contacts\"],\"properties\":{\"found\":{\"type\":\"boolean\"},"
	  "\"phone_number\":{\"type\":\"string\"},\"contacts\":{\"type\":\"array\"},\"source\":{\"type\":\"string\"},"
	  "\"sources_failed\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"source\",\"error\"]}}}}",
	  RO | TOOL_WAITS, AUTH_SCOPE_INCALL, IC, ic_lookup_contact, .say_start = "One moment, I'm looking that up.",
	  .say_delay = "I'm still looking, thank you for waiting." },
	{ "check_user_availability", "Is a colleague available?", "Tells whether a user can take a call now (do-not-disturb and working hours).",
	  OBJ_ARGS("\"user_id\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":32,\"description\":\"The user's id\"}", "\"user_id\""),
	  "{\"type\":\"object\",\"required\":[\"user_id\",\"available\",\"dnd\",\"message\"],\"properties\":{\"user_id\":{\"type\":\"integer\"},"
	  "\"available\":{\"type\":\"boolean\"},\"dnd\":{\"type\":\"boolean\"},\"message\":{\"type\":\"string\"}}}",
	  RO, AUTH_SCOPE_INCALL, IC, ic_check_user_availability, .say_start = "Let me see if they are available." },
	{ "create_lead", "Create a lead", "Saves the caller as a lead with the reason for the call. A caller who is already a lead gets a new case on the existing lead.",
	  OBJ_ARGS("\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":255,\"description\":\"Caller's name\"},"
		   "\"intent\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":500,\"description\":\"The purpose of the call\"},"
		   "\"classification\":{\"type\":\"string\",\"enum\":[\"lead\",\"customer\",\"spam\",\"other\"]},"
		   "\"summary\":{\"type\":\"string\",\"maxLength\":2000},\"notes\":{\"type\":\"string\",\"maxLength\":2000}",
		   "\"name\",\"intent\""),
	  "{\"type\":\"object\",\"required\":[\"message\",\"lead_id\",\"case_id\",\"existing_lead\"],\"properties\":{"
	  "\"message\":{\"type\":\"string\"},\"lead_id\":{\"type\":\"integer\"},\"case_id\":{\"type\":\"integer\"},\"existing_lead\":{\"type\":\"boolean\"}}}",
	  0, AUTH_SCOPE_INCALL, IC, ic_create_lead, .say_start = "Let me note that down." },

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
	{ "switchboard://account", 0, "account", "Account", "The account behind this API key: balance and usage this month", "application/json", C, AUTH_SCOPE_READ, account_resource_read },
	{ "switchboard://assistants/{id}", 1, "assistant", "Assistant", "One assistant with every setting", "application/json", C, AUTH_SCOPE_READ, assistant_resource_read },
	{ "test://static-text", 0, "static-text", "Static text", "A static text resource", "text/plain", FX, 0, fx_resource_read },
	{ "test://static-binary", 0, "static-binary", "Static binary", "A static binary resource (PNG)", "image/png", FX, 0, fx_resource_read },
	{ "test://watched-resource", 0, "watched-resource", "Watched resource", "A resource clients can subscribe to", "text/plain", FX, 0, fx_resource_read },
	{ "test://template/{id}/data", 1, "template", "Template", "A resource template with an id", "application/json", FX, 0, fx_resource_read },
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
	{ "new_assistant", "Design a new assistant", "Walks through creating a phone assistant for a purpose", new_assistant_args, C, prompt_new_assistant },
	{ "test_simple_prompt", "Simple prompt", "A simple prompt without arguments", NULL, FX, fx_prompt_simple },
	{ "test_prompt_with_arguments", "Prompt with arguments", "A prompt with required arguments", fx_args, FX, fx_prompt_args },
	{ "test_prompt_with_embedded_resource", "Prompt with resource", "A prompt that includes an embedded resource", fx_resource_args, FX, fx_prompt_resource },
	{ "test_prompt_with_image", "Prompt with image", "A prompt that includes image content", NULL, FX, fx_prompt_image },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};
