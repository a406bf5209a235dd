/*
 * fuzz_request.c - one HTTP request's whole path, as the server runs it:
 * the gate (gate.c) on the request's headers, the body parsed as every
 * transport parses it (jsonsafe_loadb: the nesting bound, duplicates
 * refused), then rpc_handle on a thread with a worker's 256 KiB stack, so
 * the tool call's validation, scope check, handler and the audit record
 * (audit.c, flushed to the store after each input) all run where a stack
 * overflow would show.
 *
 * Input: a first line choosing who sends it, then the body:
 *   "mcp"   /mcp with a key holding every scope
 *   "ro"    /mcp with a read-only key (scope refusals are audited)
 *   "call"  /call/mcp with an incall key and the live call's headers
 *   "anon"  the conformance surface, no key
 * (anything else: "mcp"). Checks beyond the sanitizers: the gate passes
 * these well-formed headers; a body deeper than JSONSAFE_MAX_DEPTH is never
 * built; a request gets exactly one answer.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "mcp/audit.h"
#include "mcp/auth.h"
#include "transport/gate.h"
#include "base/jsonsafe.h"
#include "base/log.h"
#include "mcp/rpc.h"
#include "mcp/session.h"
#include "store/store.h"
#include "mcp/tool.h"
#include "tools/incall_log.h"
#include "base/util.h"
#include "fuzz_store.h"

static char key_all[AUTH_KEY_MAX], key_ro[AUTH_KEY_MAX], key_inc[AUTH_KEY_MAX];
static char account_txt[24], asst_txt[24], call_txt[24];
static int ready;

static void cleanup(void)
{
	audit_stop();
	tool_registry_release();
	fuzz_store_remove();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[24];
	int64_t acc, asst = 0, call = 0;

	log_set_level(LOG_ERROR);
	setenv("SWITCHBOARD_CHECK_OUTPUT", "1", 1);
	acc = fuzz_store_open("request", &asst, &call);
	if (auth_key_create(acc, AUTH_SCOPE_ALL, "all", key_all, prefix) ||
	    auth_key_create(acc, AUTH_SCOPE_READ, "ro", key_ro, prefix) ||
	    auth_key_create(acc, AUTH_SCOPE_INCALL, "inc", key_inc, prefix))
		abort();
	snprintf(account_txt, sizeof(account_txt), "%lld", (long long)acc);
	snprintf(asst_txt, sizeof(asst_txt), "%lld", (long long)asst);
	snprintf(call_txt, sizeof(call_txt), "%lld", (long long)call);
	if (tool_registry_init() || audit_start())
		abort();
	incall_log_init();	/* the decision log around in-call tools, as serve has */
	atexit(cleanup);
	ready = 1;
	return 0;
}

struct rsink {
	struct sink base;
	int responses;
};

static int rsink_send(struct sink *self, const json_t *msg)
{
	const char *method = json_string_value(json_object_get(msg, "method"));
	char *txt = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(15));

	if (!txt)
		abort();
	free(txt);
	if (method)
		return json_object_get(msg, "id") ? -1 : 0;	/* no client to ask */
	((struct rsink *)self)->responses++;
	return 0;
}

struct job {
	struct session *s;
	const json_t *msg;
	struct rsink sink;
};

static void *job_main(void *arg)
{
	struct job *j = arg;

	rpc_handle(j->s, j->msg, &j->sink.base, "fuzz");
	store_thread_release();
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t sel = nl ? (size_t)(nl - data) : 0;
	const char *body = nl ? (const char *)nl + 1 : (const char *)data;
	size_t blen = nl ? size - sel - 1 : size;
	char len_txt[24], bearer[AUTH_KEY_MAX + 8];
	struct gate_cfg cfg = { "127.0.0.1", NULL, NULL, 1u << 20, 16, 1, 1 };
	struct gate_verdict v;
	struct session *s;
	json_t *msg;
	int deep;

	if (!ready)
		LLVMFuzzerInitialize(NULL, NULL);
	if (size > (1u << 20))
		return 0;
	int call = sel == 4 && !memcmp(data, "call", 4);
	int ro = sel == 2 && !memcmp(data, "ro", 2);
	int anon = sel == 4 && !memcmp(data, "anon", 4);

	snprintf(len_txt, sizeof(len_txt), "%zu", blen);
	snprintf(bearer, sizeof(bearer), "Bearer %s", call ? key_inc : ro ? key_ro : key_all);
	struct gate_req in = {
		.method = "POST", .url = call ? "/call/mcp" : "/mcp", .host = "127.0.0.1",
		.accept = "application/json, text/event-stream",
		.content_type = "application/json", .content_length = len_txt,
		.authorization = bearer,
		.account_id = call ? account_txt : NULL, .persona_id = call ? asst_txt : NULL,
		.call_id = call ? call_txt : NULL,
	};
	if (!anon) {
		gate_check(&cfg, &in, &v);
		if (v.status)
			abort();	/* these headers are well-formed: the gate passes them */
	}

	msg = jsonsafe_loadb(body, blen, JSON_REJECT_DUPLICATES, NULL, &deep);
	if (deep && jsonsafe_depth(body, blen, JSONSAFE_MAX_DEPTH) <= JSONSAFE_MAX_DEPTH)
		abort();
	if (!msg || json_is_array(msg) || rpc_classify(msg) == RPC_INVALID) {
		json_decref(msg);
		return 0;	/* answered by the transport itself (400) */
	}

	s = session_create(SESSION_HTTP, anon ? NULL : &v.who);
	if (!s)
		abort();
	s->surface = anon ? SURFACE_CONFORMANCE : call ? SURFACE_INCALL : SURFACE_CONTROL;
	if (call)
		s->call = v.call;
	s->initialized = 1;
	snprintf(s->protocol, sizeof(s->protocol), "%s", MCP_PROTOCOL_LATEST);

	/* on a thread with a worker's stack (http.c start_job) */
	struct job j = { s, msg, { { rsink_send }, 0 } };
	pthread_attr_t a;
	pthread_t t;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 256 * 1024);
	if (pthread_create(&t, &a, job_main, &j))
		abort();
	pthread_attr_destroy(&a);
	pthread_join(t, NULL);
	audit_flush();

	if (rpc_classify(msg) == RPC_REQUEST && j.sink.responses != 1)
		abort();	/* exactly one answer (nobody cancels here) */
	session_end(s);
	session_unref(s);
	json_decref(msg);
	return 0;
}
