/*
 * conformance.c - the fixtures of the official MCP conformance suite
 * (serve --conformance). They exercise the same core as the product: the
 * table, validation, streams, progress, logging, elicitation and sampling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tools/tools.h"

#define IMG_PNG "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
#define WAV "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA="
#define CLIENT_TIMEOUT_MS 60000

static json_t *text_block(const char *t)
{
	return json_pack("{s:s, s:s}", "type", "text", "text", t);
}

static json_t *image_block(void)
{
	return json_pack("{s:s, s:s, s:s}", "type", "image", "data", IMG_PNG,
			 "mimeType", "image/png");
}

static int content(struct tool_result *res, json_t *blocks)
{
	res->content = blocks;
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

HANDLER(fx_simple_text)
{
	return content(res, json_pack("[o]", text_block(
		"This is a simple text response for testing.")));
}

HANDLER(fx_image)
{
	return content(res, json_pack("[o]", image_block()));
}

HANDLER(fx_audio)
{
	return content(res, json_pack("[{s:s, s:s, s:s}]", "type", "audio",
				      "data", WAV, "mimeType", "audio/wav"));
}

HANDLER(fx_embedded_resource)
{
	return content(res, json_pack("[{s:s, s:{s:s, s:s, s:s}}]", "type",
		"resource", "resource", "uri", "test://embedded-resource",
		"mimeType", "text/plain", "text", "This is an embedded resource content."));
}

HANDLER(fx_multiple)
{
	return content(res, json_pack("[o, o, {s:s, s:{s:s, s:s, s:s}}]",
		text_block("Multiple content types test:"), image_block(),
		"type", "resource", "resource", "uri", "test://mixed-content-resource",
		"mimeType", "application/json", "text", "{\"test\":\"data\",\"value\":123}"));
}

HANDLER(fx_logging)
{
	static const char *const steps[] = { "Tool execution started",
		"Tool processing data", "Tool execution completed" };
	for (int i = 0; i < 3; i++) {
		ctx_log(ctx, "info", "conformance", json_string(steps[i]));
		if (i < 2)
			sleep_ms(50);
	}
	return content(res, json_pack("[o]", text_block(
		"Tool with logging executed successfully")));
}

HANDLER(fx_progress)
{
	char msg[64], *tok;
	for (int i = 0; i <= 2; i++) {
		if (ctx_cancelled(ctx))
			return tool_fail(res, "cancelled");
		snprintf(msg, sizeof(msg), "Completed step %d of 100", i * 50);
		ctx_progress(ctx, i * 50, 100, msg);
		if (i < 2)
			sleep_ms(50);
	}
	tok = ctx->progress_token ? json_dumps(ctx->progress_token, JSON_ENCODE_ANY)
				  : strdup("none");
	/* a string token reads without its quotes */
	if (json_is_string(ctx->progress_token)) {
		free(tok);
		tok = strdup(json_string_value(ctx->progress_token));
	}
	res->content = json_pack("[o]", text_block(tok ? tok : ""));
	free(tok);
	return 0;
}

HANDLER(fx_error)
{
	res->content = json_pack("[o]", text_block(
		"This tool intentionally returns an error for testing"));
	res->is_error = 1;
	return 0;
}

HANDLER(fx_sampling)
{
	const char *prompt = json_string_value(json_object_get(args, "prompt"));
	json_t *result = NULL;
	char *txt = NULL;
	int r;

	if (!ctx_client_can(ctx, "sampling"))
		return tool_fail(res, "the client does not support sampling");
	r = ctx_request(ctx, "sampling/createMessage", json_pack(
		"{s:[{s:s, s:{s:s, s:s}}], s:i}", "messages", "role", "user",
		"content", "type", "text", "text", prompt, "maxTokens", 100),
		CLIENT_TIMEOUT_MS, &result);
	if (r) {
		json_decref(result);
		return tool_fail(res, "sampling failed");
	}
	const char *answer = json_string_value(json_object_get(
		json_object_get(result, "content"), "text"));
	size_t n = strlen(answer ? answer : "") + 32;
	txt = malloc(n);
	snprintf(txt, n, "LLM response: %s", answer ? answer : "");
	res->content = json_pack("[o]", text_block(txt));
	free(txt);
	json_decref(result);
	return 0;
}

/* Ask, then report "<prefix>: action=..., content=..." */
static int elicit(struct call_ctx *ctx, struct tool_result *res, json_t *params,
		  const char *prefix)
{
	json_t *result = NULL;
	char *c = NULL, *txt;
	size_t n;

	if (!ctx_client_can(ctx, "elicitation")) {
		json_decref(params);
		return tool_fail(res, "the client does not support elicitation");
	}
	if (ctx_request(ctx, "elicitation/create", params, CLIENT_TIMEOUT_MS, &result)) {
		json_decref(result);
		return tool_fail(res, "elicitation failed");
	}
	const char *action = json_string_value(json_object_get(result, "action"));
	c = json_dumps(json_object_get(result, "content"), JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY);
	n = strlen(prefix) + strlen(c ? c : "") + 64;
	txt = malloc(n);
	snprintf(txt, n, "%s: action=%s, content=%s", prefix, action ? action : "?",
		 c ? c : "{}");
	res->content = json_pack("[o]", text_block(txt));
	free(txt);
	free(c);
	json_decref(result);
	return 0;
}

HANDLER(fx_elicitation)
{
	return elicit(ctx, res, json_pack("{s:s, s:{s:s, s:{s:{s:s, s:s}}, s:[s]}}",
		"message", json_string_value(json_object_get(args, "message")),
		"requestedSchema", "type", "object", "properties", "response",
		"type", "string", "description", "User's response", "required",
		"response"), "User response");
}

HANDLER(fx_elicitation_defaults)
{
	json_t *props = json_pack(
		"{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:i}, s:{s:s, s:s, s:f},"
		" s:{s:s, s:s, s:[s, s, s], s:s}, s:{s:s, s:s, s:b}}",
		"name", "type", "string", "description", "User name", "default", "John Doe",
		"age", "type", "integer", "description", "User age", "default", 30,
		"score", "type", "number", "description", "User score", "default", 95.5,
		"status", "type", "string", "description", "User status", "enum",
		"active", "inactive", "pending", "default", "active",
		"verified", "type", "boolean", "description", "Verification status",
		"default", 1);
	return elicit(ctx, res, json_pack("{s:s, s:{s:s, s:o, s:[]}}", "message",
		"Please review and update the form fields with defaults",
		"requestedSchema", "type", "object", "properties", props, "required"),
		"Elicitation completed");
}

HANDLER(fx_elicitation_enums)
{
	json_t *props = json_pack(
		"{s:{s:s, s:s, s:[s, s, s]},"
		" s:{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]},"
		" s:{s:s, s:s, s:[s, s, s], s:[s, s, s]},"
		" s:{s:s, s:s, s:i, s:i, s:{s:s, s:[s, s, s]}},"
		" s:{s:s, s:s, s:i, s:i, s:{s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}}}",
		"untitledSingle", "type", "string", "description", "Pick one", "enum",
		"option1", "option2", "option3",
		"titledSingle", "type", "string", "description", "Pick one", "oneOf",
		"const", "value1", "title", "First Option", "const", "value2", "title",
		"Second Option", "const", "value3", "title", "Third Option",
		"legacyEnum", "type", "string", "description", "Pick one", "enum",
		"opt1", "opt2", "opt3", "enumNames", "Option One", "Option Two", "Option Three",
		"untitledMulti", "type", "array", "description", "Pick some",
		"minItems", 1, "maxItems", 3, "items", "type", "string", "enum",
		"option1", "option2", "option3",
		"titledMulti", "type", "array", "description", "Pick some",
		"minItems", 1, "maxItems", 3, "items", "anyOf", "const", "value1", "title",
		"First Choice", "const", "value2", "title", "Second Choice", "const",
		"value3", "title", "Third Choice");
	return elicit(ctx, res, json_pack("{s:s, s:{s:s, s:o, s:[]}}", "message",
		"Please select options from the enum fields", "requestedSchema",
		"type", "object", "properties", props, "required"),
		"Elicitation completed");
}

HANDLER(fx_schema_2020_12)
{
	char *a = json_dumps(args, JSON_COMPACT | JSON_REAL_PRECISION(15)), *txt;
	size_t n = strlen(a ? a : "") + 64;
	txt = malloc(n);
	snprintf(txt, n, "JSON Schema 2020-12 tool called with: %s", a ? a : "{}");
	res->content = json_pack("[o]", text_block(txt));
	free(txt);
	free(a);
	return 0;
}

/* ---- resources --------------------------------------------------------- */

int fx_resource_read(struct call_ctx *ctx, const char *uri, json_t **contents)
{
	if (!strcmp(uri, "test://static-text")) {
		*contents = json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
			"text/plain", "text", "This is the content of the static text resource.");
	} else if (!strcmp(uri, "test://static-binary")) {
		*contents = json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
				      "image/png", "blob", IMG_PNG);
	} else if (!strcmp(uri, "test://watched-resource")) {
		*contents = json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
				      "text/plain", "text", "Watched resource content");
	} else if (!strncmp(uri, "test://template/", 16)) {
		char id[128], txt[512];
		const char *end = strstr(uri + 16, "/data");
		size_t n = end ? (size_t)(end - (uri + 16)) : 0;
		if (!n || n >= sizeof(id))
			return -2;
		memcpy(id, uri + 16, n);
		id[n] = '\0';
		json_t *doc = json_pack("{s:s, s:b, s:s}", "id", id, "templateTest", 1,
					"data", "");
		snprintf(txt, sizeof(txt), "Data for ID: %s", id);
		json_object_set_new(doc, "data", json_string(txt));
		char *d = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_PRESERVE_ORDER);
		*contents = json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
				      "application/json", "text", d ? d : "{}");
		free(d);
		json_decref(doc);
	} else {
		return -2;
	}
	return 0;
}

/* ---- prompts ------------------------------------------------------------ */

int fx_prompt_simple(struct call_ctx *ctx, const json_t *args, json_t **m,
		     const char **err)
{
	*m = json_pack("[{s:s, s:o}]", "role", "user", "content",
		       text_block("This is a simple prompt for testing."));
	return 0;
}

int fx_prompt_args(struct call_ctx *ctx, const json_t *args, json_t **m,
		   const char **err)
{
	char txt[1024];
	snprintf(txt, sizeof(txt), "Prompt with arguments: arg1='%s', arg2='%s'",
		 json_string_value(json_object_get(args, "arg1")),
		 json_string_value(json_object_get(args, "arg2")));
	*m = json_pack("[{s:s, s:o}]", "role", "user", "content", text_block(txt));
	return 0;
}

int fx_prompt_resource(struct call_ctx *ctx, const json_t *args, json_t **m,
		       const char **err)
{
	*m = json_pack("[{s:s, s:{s:s, s:{s:s, s:s, s:s}}}, {s:s, s:o}]",
		"role", "user", "content", "type", "resource", "resource",
		"uri", json_string_value(json_object_get(args, "resourceUri")),
		"mimeType", "text/plain", "text", "Embedded resource content for testing.",
		"role", "user", "content",
		text_block("Please process the embedded resource above."));
	return 0;
}

int fx_prompt_image(struct call_ctx *ctx, const json_t *args, json_t **m,
		    const char **err)
{
	*m = json_pack("[{s:s, s:o}, {s:s, s:o}]", "role", "user", "content",
		       image_block(), "role", "user", "content",
		       text_block("Please analyze the image above."));
	return 0;
}
