/* calls.c - the call queue and its worker (see calls.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "agent/brain.h"
#include "calls/runtime.h"
#include "base/log.h"
#include "sip/ua.h"
#include "store/call_status.h"
#include "store/store.h"
#include "base/util.h"
#include "base/worker.h"

#define QUEUE_CAP 1024
#define SCAN_BATCH 32
#define NODE_FRESH_S 10.0      /* a line process seen this recently is there */
#define STALE_S 60.0           /* a call nobody dialled by then has failed */
#define NO_LINE "no process with a SIP line runs on this database: calls are " \
	"placed by 'switchboard serve' (bash scripts/run.sh); start it and place the call again"
#define STALE "no process with a SIP line dialled the call within 60 s"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int64_t queue[QUEUE_CAP];
static size_t q_head, q_len;
static struct worker w = WORKER_INIT(&mu, &cv, "calls");
static char node[96];          /* this process, in calls.claimed_by and call_nodes;
				* fixed before the worker starts */
static double next_scan;       /* util_mono() of the next scan, under mu */
static int beating;            /* this process has said it has a line; the worker's */

static void fail_call(int64_t id, const char *reason)
{
	int r = store_call_set_status(id, "failed", reason);
	if (r && r != STORE_NOTFOUND)
		log_error("calls: cannot mark call %lld failed", (long long)id);
	else if (!r) {
		log_info("calls: call %lld failed: %s", (long long)id, reason);
		brain_after_call_queue(id);	/* its webhook now, not at the sweep */
	}
}

/* Place one call. Without a SIP line in this process it is left for a
 * process that has one (or fails at once when there is none); otherwise
 * it is claimed (so no other process dials it too) and handed to the SIP
 * user agent, which owns its status from then on. A number without a
 * trunk or a trunk that cannot be used ends it as failed, saying why. */
static void place(int64_t id)
{
	struct store_dial d;
	char reason[256];

	if (store_call_dial_info(id, &d))
		return;	/* deleted meanwhile */
	if (call_status_parse(d.status) != CALL_STATUS_INITIATED)
		goto out;	/* already moved on (cancelled by a campaign stop, ...) */
	if (!d.trunk[0] || !strcmp(d.trunk, "{}")) {
		snprintf(reason, sizeof(reason), "no SIP trunk configured for phone number %s",
			 d.from_number[0] ? d.from_number : "(none)");
		fail_call(id, reason);
		goto out;
	}
	if (!sip_ua_running()) {
		if (store_call_nodes_live(util_now(), NODE_FRESH_S) > 0)
			log_info("calls: call %lld left for the process with a SIP line",
				 (long long)id);
		else
			fail_call(id, NO_LINE);
		goto out;
	}
	if (store_call_claim(id, node))
		goto out;	/* another process dials it */
	if (sip_ua_dial(id, &d, reason, sizeof(reason)))
		fail_call(id, reason);
out:
	sodium_memzero(&d, sizeof d);	/* the trunk's credentials */
}

/* With a SIP line here: say so in the store, and dial the calls other
 * processes (stdio, another node) created. Outside the lock. */
static void scan(void)
{
	int64_t ids[SCAN_BATCH];
	int n;

	if (!sip_ua_running())
		return;
	if (store_call_node_beat(node, util_now(), 0))
		return;
	beating = 1;
	/* nobody dialled these in time: they fail (and get their webhook) */
	n = store_calls_unclaimed(STALE_S, 1, ids, SCAN_BATCH);
	for (int i = 0; i < n; i++)
		if (!store_call_claim(ids[i], "(stale)"))
			fail_call(ids[i], STALE);
	n = store_calls_unclaimed(STALE_S, 0, ids, SCAN_BATCH);
	for (int i = 0; i < n; i++)
		place(ids[i]);
}

static void *work(void *arg)
{
	double scan_s = (double)util_env_i64("SWITCHBOARD_CALLS_SCAN_MS", 1000, 50, 60000) / 1000;

	(void)arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		while (!q_len && !w.stopping && util_mono() < next_scan) {
			struct timespec ts;
			util_deadline(&ts, CLOCK_REALTIME, next_scan - util_mono());
			if (pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT)
				break;
		}
		if (!q_len && w.stopping)
			break;
		if (!q_len) {
			next_scan = util_mono() + scan_s;
			pthread_mutex_unlock(&mu);
			scan();
			pthread_mutex_lock(&mu);
			continue;
		}
		int64_t id = queue[q_head];
		q_head = (q_head + 1) % QUEUE_CAP;
		q_len--;
		int drain = w.stopping;
		pthread_mutex_unlock(&mu);
		if (drain)
			fail_call(id, "server shutting down before the call was placed");
		else
			place(id);
		pthread_mutex_lock(&mu);
	}
	pthread_mutex_unlock(&mu);
	if (beating)
		store_call_node_beat(node, 0, 1);
	store_thread_release();
	return NULL;
}

/* ---- what the SIP user agent reports (on its loop thread) -------------------- */

static void on_ringing(int64_t call_id)
{
	store_call_set_status(call_id, "ringing", NULL);
}

static void on_answered(int64_t call_id, const char *answered_by)
{
	store_voice_call_answered(call_id, answered_by);
}

/* The end, its duration and the charge of its started minutes: one store
 * transaction, once. */
static int64_t on_ended(const struct sip_ua_end *e)
{
	int64_t cost = 0;
	int r;

	r = store_voice_call_end(e->call_id, e->status, e->reason, e->duration_s,
				 calls_price_per_minute(), &cost);
	if (r && r != STORE_NOTFOUND)
		log_error("voice: call %lld: cannot record its end", (long long)e->call_id);
	/* a call no conversation ran on (busy, no answer, failed): its
	 * evaluation and webhook now - a conversation queues its own */
	if (!r && !e->conversation)
		brain_after_call_queue(e->call_id);
	return cost;
}

static void on_transfer(int64_t call_id, const char *target, const char *why)
{
	if (why)
		log_info("voice: call %lld: transfer to %s failed: %s", (long long)call_id,
			 target, why);
}

static const struct sip_ua_events ua_events = {
	.ringing = on_ringing,
	.answered = on_answered,
	.ended = on_ended,
	.transfer = on_transfer,
};

int calls_runtime_start(void)
{
	char host[64] = "";

	sip_ua_set_events(&ua_events);

	gethostname(host, sizeof host - 1);
	snprintf(node, sizeof node, "%s:%ld:%.0f", host, (long)getpid(), util_now());
	return worker_start(&w, work, NULL);
}

void calls_runtime_scan_now(void)
{
	pthread_mutex_lock(&mu);
	next_scan = 0;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

void calls_runtime_stop(void)
{
	worker_stop(&w);
}

int calls_runtime_submit(int64_t call_id)
{
	const char *why = NULL;

	pthread_mutex_lock(&mu);
	if (!w.running || w.stopping)
		why = "the call runtime is not running";
	else if (q_len == QUEUE_CAP)
		why = "the call runtime queue is full: try again shortly";
	if (!why) {
		queue[(q_head + q_len) % QUEUE_CAP] = call_id;
		q_len++;
		pthread_cond_signal(&cv);
	}
	pthread_mutex_unlock(&mu);
	if (why) {
		fail_call(call_id, why);
		return -1;
	}
	return 0;
}

static int64_t price;
static pthread_once_t price_once = PTHREAD_ONCE_INIT;

static void price_init(void)
{
	const char *e = getenv("SWITCHBOARD_CALL_PRICE_MICROS");
	int64_t v;

	price = 90000;
	if (e && *e) {
		if (util_parse_i64(e, &v) || v < 0 || v > 100000000)
			log_warn("SWITCHBOARD_CALL_PRICE_MICROS='%s' is not a price: using %lld",
				 e, (long long)price);
		else
			price = v;
	}
}

int64_t calls_price_per_minute(void)
{
	pthread_once(&price_once, price_init);
	return price;
}

/* Is this call the carrier of a chat conversation (type web)? */
static int is_chat(int64_t call_id)
{
	struct store_dial d;
	json_t *c;
	int chat;

	if (store_call_dial_info(call_id, &d))
		return 0;
	sodium_memzero(d.trunk, sizeof d.trunk);	/* only the account is needed */
	c = store_call_get(d.account_id, call_id);
	chat = c && !strcmp(json_string_value(json_object_get(c, "type")) ?
			    json_string_value(json_object_get(c, "type")) : "", "web");
	json_decref(c);
	return chat;
}

int calls_runtime_end(int64_t call_id, const char *reason)
{
	int r;

	if (!sip_ua_command(call_id, "hangup", NULL))
		return 0;	/* on our line: the goodbye, then BYE */
	r = store_call_set_status(call_id, "ended", reason);
	if (r)
		return r == STORE_NOTFOUND ? 1 : -1;
	if (!is_chat(call_id))
		brain_after_call_queue(call_id);	/* evaluation, then the webhook */
	return 1;
}

int calls_runtime_command(int64_t call_id, const char *command, const char *arg)
{
	/* a call on our own line: the voice runtime carries it out */
	if ((!strcmp(command, "hangup") || !strcmp(command, "transfer") ||
	     !strcmp(command, "dtmf")) && !sip_ua_command(call_id, command, arg))
		return 0;
	if (!strcmp(command, "hangup")) {
		int r = store_call_set_status(call_id, "ended_by_assistant",
					      "the assistant ended the call");
		if (r && r != STORE_NOTFOUND)
			log_error("calls: cannot end call %lld", (long long)call_id);
		else if (!r && !is_chat(call_id))
			/* evaluation, then the post-call webhook (a chat's own
			 * ending does that for it) */
			brain_after_call_queue(call_id);
		return 0;
	}
	if (!strcmp(command, "transfer")) {
		log_info("calls: call %lld: transfer to %s requested", (long long)call_id,
			 arg ? arg : "?");
		return 0;
	}
	if (!strcmp(command, "dtmf")) {
		/* only the engine on the line can press keys */
		log_info("calls: call %lld: digits '%s' for the voice engine to send",
			 (long long)call_id, arg ? arg : "");
		return 1;
	}
	return -1;
}
