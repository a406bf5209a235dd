/*
 * fuzz_rpc.c - one MCP message through rpc_handle, without a network.
 *
 * Input: a JSON-RPC message; optionally a NUL byte and a second JSON value,
 * the client's answer to any request the server sends back mid-call
 * (elicitation/create, sampling/createMessage): the sink resolves it at
 * once, as if the client had answered. Without that part the sink refuses
 * such requests, like a client whose stream is gone, so nothing waits.
 *
 * Each input runs twice, on fresh sessions: the conformance surface
 * (unauthenticated, client capabilities sampling + elicitation) and the
 * control surface as the demo account with every scope (its tools hit the
 * SQLite store opened once in /tmp). Checks beyond the sanitizers: a
 * request gets exactly one response with its id, a notification or a
 * response gets nothing, every message serialises and rpc_serialize says
 * the same as json_dumps, errors carry an integer code and a message, and
 * (SWITCHBOARD_CHECK_OUTPUT=1) no tool result breaks its own output schema.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "base/log.h"
#include "mcp/rpc.h"
#include "mcp/session.h"
#include "store/store.h"
#include "mcp/tool.h"
#include "base/util.h"
#include "fuzz_store.h"

static int verbose;	/* FUZZ_RPC_VERBOSE=1: print every message sent */
static struct principal demo;
static int ready;

/*
 * The logging and progress fixtures pause 50 ms between steps to look like
 * work; 100 ms an input would cut the fuzzer's speed a hundredfold. While
 * rpc_handle runs on this thread the pauses are skipped; anywhere else
 * (libFuzzer's own threads) nanosleep sleeps as usual.
 */
static _Thread_local int in_dispatch;

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	int r;

	if (in_dispatch)
		return 0;
	r = clock_nanosleep(CLOCK_REALTIME, 0, req, rem);
	if (r) {
		errno = r;
		return -1;
	}
	return 0;
}

struct fsink {
	struct sink base;
	struct session *s;
	const json_t *answer;   /* the client's answer, or NULL */
	const json_t *id;       /* of the request being handled */
	int responses, others;
};

/* Abort unless `msg` is a well-formed response to `id`. */
static void check_response(const json_t *msg, const json_t *id)
{
	const json_t *err = json_object_get(msg, "error");
	const json_t *res = json_object_get(msg, "result");

	if (!json_equal(json_object_get(msg, "id"), id ? id : json_null()) ||
	    !!err == !!res)
		abort();
	if (err && (!json_is_integer(json_object_get(err, "code")) ||
		    !json_is_string(json_object_get(err, "message"))))
		abort();
	if (res && json_is_object(json_object_get(res, "structuredContent"))) {
		/* a CallToolResult: tool.c turns a result that breaks the tool's
		 * output schema into this isError message (CHECK_OUTPUT=1) */
		const char *t = json_string_value(json_object_get(
			json_object_get(res, "structuredContent"), "message"));
		if (t && !strncmp(t, "result of '", 11) &&
		    strstr(t, "' does not match its output schema")) {
			fprintf(stderr, "fuzz_rpc: %s\n", t);
			abort();
		}
	}
}

/*
 * What the transports put on the wire (rpc_serialize, with its fast path
 * for tool results) must be valid JSON that says the same as the plain
 * serialization. Compared parsed, so key order does not matter.
 */
static void check_wire(const json_t *msg)
{
	size_t len = 0;
	char *wire = rpc_serialize(msg, &len);
	char *plain = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_t *a = wire ? json_loadb(wire, len, 0, NULL) : NULL;
	json_t *b = plain ? json_loads(plain, 0, NULL) : NULL;

	if (!wire || !a || !b || !json_equal(a, b) || strlen(wire) != len) {
		fprintf(stderr, "fuzz_rpc: rpc_serialize disagrees with json_dumps\n"
			"  wire:  %.2000s\n  plain: %.2000s\n", wire ? wire : "(null)",
			plain ? plain : "(null)");
		abort();
	}
	json_decref(a);
	json_decref(b);
	free(wire);
	free(plain);
}

static int fsink_send(struct sink *self, const json_t *msg)
{
	struct fsink *k = (struct fsink *)self;
	const char *method = json_string_value(json_object_get(msg, "method"));
	const json_t *id = json_object_get(msg, "id");
	char *txt = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(15));

	if (!txt)
		abort();	/* the transport could not send it */
	if (verbose)
		fprintf(stderr, "fuzz_rpc: %s <- %s\n",
			k->s->surface == SURFACE_CONTROL ? "control" : "conformance", txt);
	free(txt);
	check_wire(msg);
	if (method && id) {
		/* a request to the client: answer it now, or fail the send */
		json_t *reply;
		k->others++;
		if (!k->answer)
			return -1;
		reply = json_is_object(k->answer) ? json_deep_copy(k->answer)
			: json_pack("{s:O}", "result", k->answer);
		json_object_set_new(reply, "jsonrpc", json_string("2.0"));
		json_object_set(reply, "id", (json_t *)id);
		session_resolve(k->s, reply);
		json_decref(reply);
		return 0;
	}
	if (method) {		/* progress, log messages */
		k->others++;
		return 0;
	}
	k->responses++;
	check_response(msg, k->id);
	return 0;
}

static void cleanup(void)
{
	tool_registry_release();
	fuzz_store_remove();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int64_t acc;

	/* rejected inputs log warnings by the thousand; errors still show */
	log_set_level(LOG_ERROR);
	verbose = getenv("FUZZ_RPC_VERBOSE") != NULL;
	setenv("SWITCHBOARD_CHECK_OUTPUT", "1", 1);
	acc = fuzz_store_open("rpc", NULL, NULL);
	atexit(cleanup);
	if (tool_registry_init())
		abort();
	demo.account_id = acc;
	snprintf(demo.key_prefix, sizeof(demo.key_prefix), "fuzzdemo");
	demo.scopes = AUTH_SCOPE_ALL;
	ready = 1;
	return 0;
}

static void run(const json_t *msg, const json_t *answer, unsigned surface)
{
	struct session *s = session_create(SESSION_HTTP,
					   surface == SURFACE_CONTROL ? &demo : NULL);
	enum rpc_kind kind = rpc_classify(msg);
	const json_t *id = json_object_get(msg, "id");
	/* an invalid request is answered with its id only when that is usable */
	struct fsink k = { { fsink_send }, s, answer,
			   json_is_string(id) || json_is_integer(id) ? id : NULL, 0, 0 };

	if (!s)
		abort();
	s->surface = surface;
	s->client_caps = json_pack("{s:{}, s:{}}", "sampling", "elicitation");
	in_dispatch = 1;
	rpc_handle(s, msg, &k.base, "fuzz");
	in_dispatch = 0;
	if (kind == RPC_REQUEST || kind == RPC_INVALID) {
		if (k.responses != 1)
			abort();	/* exactly one answer (nobody cancels here) */
	} else if (k.responses || k.others) {
		abort();	/* notifications and responses produce nothing */
	}
	session_end(s);
	session_unref(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t mlen = nul ? (size_t)(nul - data) : size;
	json_t *msg, *answer = NULL;

	if (!ready)
		LLVMFuzzerInitialize(NULL, NULL);
	/* as the transports parse it (http.c, stdio_transport.c) */
	msg = json_loadb((const char *)data, mlen, JSON_REJECT_DUPLICATES, NULL);
	if (!msg)
		return 0;
	if (nul)
		answer = json_loadb((const char *)nul + 1, size - mlen - 1,
				    JSON_DECODE_ANY, NULL);
	run(msg, answer, SURFACE_CONFORMANCE);
	run(msg, answer, SURFACE_CONTROL);
	json_decref(answer);
	json_decref(msg);
	return 0;
}
