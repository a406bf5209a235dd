/* webhook.c - post-call webhooks: decision, payload, persisted deliveries
 * and the worker that sends them (see webhook.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "base/jsonsafe.h"
#include "base/buf.h"
#include "outbound/httpaction.h"
#include "base/log.h"
#include "outbound/netguard.h"
#include "outbound/signing.h"
#include "store/assistant_settings.h"
#include "store/call_status.h"
#include "store/store.h"
#include "base/util.h"
#include "base/worker.h"
#include "agent/webhook.h"

/* ---- settings ------------------------------------------------------------------ */


static int max_attempts(void)
{
	return (int)util_env_i64("SWITCHBOARD_WEBHOOK_MAX_ATTEMPTS", 6, 1, 50);
}

/* seconds before attempt n + 1 after attempt n failed */
static double backoff_s(int n)
{
	double base = (double)util_env_i64("SWITCHBOARD_WEBHOOK_BACKOFF_MS", 30000, 1, 86400000) / 1000.0;
	double cap = (double)util_env_i64("SWITCHBOARD_WEBHOOK_BACKOFF_CAP_MS", 3600000, 1, 604800000) / 1000.0;
	double d = base;
	for (int i = 1; i < n && d < cap; i++)
		d *= 2;
	return d < cap ? d : cap;
}

/* ---- the secret ---------------------------------------------------------------- */

int webhook_secret(int64_t account_id, char *out, size_t outlen)
{
	return signing_secret(account_id, SIGNING_WEBHOOK, out, outlen);
}

/* ---- the payload --------------------------------------------------------------- */

static json_t *recording(const json_t *call)
{
	const char *path = json_string_value(json_object_get(call, "recording_url"));
	const char *base = getenv("SWITCHBOARD_PUBLIC_URL");
	struct buf u = BUF_INIT(8192);
	json_t *v;

	if (!path || !*path)
		return json_null();
	if (!base || !*base || !strncmp(path, "http://", 7) || !strncmp(path, "https://", 8))
		return json_string(path);
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	buf_add(&u, base, n);
	if (*path != '/')
		buf_addch(&u, '/');
	buf_adds(&u, path);
	v = json_string(buf_str(&u));
	buf_release(&u);
	return v ? v : json_null();
}

json_t *webhook_payload(int64_t account_id, int64_t call_id, const json_t *asst)
{
	json_t *call = store_call_get(account_id, call_id), *p = NULL, *outcome = NULL;
	json_t *dialogue = NULL, *transcript, *m;
	struct assistant_settings set;
	struct buf ft = BUF_INIT(4u << 20);
	int64_t lead, camp;
	size_t i;

	if (!call)
		return NULL;
	outcome = store_call_outcome_get(account_id, call_id);
	dialogue = store_call_dialogue(call_id);
	json_array_foreach(dialogue, i, m) {
		const char *c = json_string_value(json_object_get(m, "content"));
		const char *r = json_string_value(json_object_get(m, "role"));
		if (!c || !*c)
			continue;
		buf_printf(&ft, "%s%s: %s", ft.len ? "\n" : "",
			   r && !strcmp(r, "assistant") ? "Assistant" : "Customer", c);
	}
	transcript = json_incref(json_object_get(call, "transcript"));
	if (!json_array_size(transcript)) {
		/* a chat keeps its words with the conversation, not the call */
		json_decref(transcript);
		transcript = json_array();
		json_array_foreach(dialogue, i, m) {
			const char *r = json_string_value(json_object_get(m, "role"));
			json_array_append_new(transcript, json_pack("{s:O, s:s, s:s}",
				"text", json_object_get(m, "content"), "type", "transcript",
				"sender", r && !strcmp(r, "assistant") ? "bot" : "human"));
		}
	}
	p = json_object();
	json_object_set_new(p, "id", json_integer(call_id));
	json_object_set(p, "customer_phone", json_object_get(call, "client_phone_number"));
	json_object_set(p, "assistant_phone", json_object_get(call, "assistant_phone_number"));
	json_object_set(p, "duration", json_object_get(call, "duration"));
	json_object_set(p, "status", json_object_get(call, "status"));
	json_object_set_new(p, "extracted_variables",
			    json_is_object(json_object_get(outcome, "extracted_variables"))
			    ? json_incref(json_object_get(outcome, "extracted_variables"))
			    : json_object());
	json_object_set(p, "input_variables", json_object_get(call, "variables"));
	json_object_set_new(p, "transcript", transcript);
	json_object_set_new(p, "formatted_transcript", json_string(buf_str(&ft)));
	assistant_settings_parse(asst, &set);
	if (set.include_recording_in_webhook)
		json_object_set_new(p, "recording_url", recording(call));
	json_object_set(p, "created_at", json_object_get(call, "created_at"));
	json_object_set(p, "finished_at", json_object_get(call, "ended_at"));
	lead = json_integer_value(json_object_get(call, "lead_id"));
	camp = json_integer_value(json_object_get(call, "campaign_id"));
	json_t *lo = lead ? store_lead_get(account_id, lead) : NULL;
	json_t *co = camp ? store_campaign_get(account_id, camp) : NULL;
	json_object_set_new(p, "lead", lo ? lo : json_null());
	json_object_set_new(p, "campaign", co ? co : json_null());
	json_object_set(p, "type", json_object_get(call, "type"));
	json_object_set(p, "assistant_id", json_object_get(call, "assistant_id"));
	json_object_set(p, "end_reason", json_object_get(call, "end_reason"));
	json_object_set_new(p, "summary", json_object_get(outcome, "summary")
			    ? json_incref(json_object_get(outcome, "summary")) : json_null());
	json_object_set_new(p, "evaluation", json_object_get(outcome, "evaluation")
			    ? json_incref(json_object_get(outcome, "evaluation")) : json_array());
	/* json_object_set with a NULL value fails: fill the holes */
	static const char *const keys[] = { "customer_phone", "assistant_phone", "status",
		"input_variables", "created_at", "finished_at", "type", "assistant_id",
		"end_reason", NULL };
	for (int k = 0; keys[k]; k++)
		if (!json_object_get(p, keys[k]))
			json_object_set_new(p, keys[k], json_null());
	if (!json_object_get(p, "duration"))
		json_object_set_new(p, "duration", json_integer(0));
	buf_release(&ft);
	json_decref(dialogue);
	json_decref(outcome);
	json_decref(call);
	return p;
}

/* ---- deciding ------------------------------------------------------------------ */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int kicked;
static struct worker w = WORKER_INIT(&mu, &cv, "webhook");

static void kick(void)
{
	pthread_mutex_lock(&mu);
	kicked = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

struct enqueue_tx {
	int64_t account_id, call_id;
	const char *url, *payload;
};

static int enqueue_fn(void *arg)
{
	struct enqueue_tx *e = arg;
	int rc = store_webhook_call_claim(e->call_id, "queued");
	if (rc)
		return rc;   /* decided before: nothing to add */
	return store_webhook_enqueue(e->account_id, e->call_id, e->url, e->payload,
				     util_now(), NULL);
}

int webhook_call_ended(int64_t call_id)
{
	struct store_dial d;
	json_t *call = NULL, *asst = NULL, *payload = NULL;
	struct assistant_settings set;
	const char *url;
	char *text = NULL;
	int r = -1, rc;

	if (store_call_dial_info(call_id, &d) || call_status_is_live(call_status_parse(d.status)))
		goto out;
	call = store_call_get(d.account_id, call_id);
	if (!call)
		goto out;
	if (json_integer_value(json_object_get(call, "assistant_id")))
		asst = store_assistant_get(d.account_id,
			json_integer_value(json_object_get(call, "assistant_id")));
	url = json_string_value(json_object_get(asst, "webhook_url"));
	assistant_settings_parse(asst, &set);
	if (!asst || !set.is_webhook_active || !url || !*url ||
	    (set.send_webhook_only_on_completed &&
	     !call_status_is_completed(call_status_parse(d.status)))) {
		rc = store_webhook_call_claim(call_id, "skipped");
		r = rc == STORE_OK || rc == STORE_NOTFOUND ? 0 : -1;
		goto out;
	}
	payload = webhook_payload(d.account_id, call_id, asst);
	text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
	if (!text)
		goto out;
	struct enqueue_tx e = { d.account_id, call_id, url, text };
	rc = store_tx(enqueue_fn, &e);
	if (rc == STORE_OK) {
		log_info("webhook: call %lld: delivery queued", (long long)call_id);
		kick();
	}
	r = rc == STORE_OK || rc == STORE_NOTFOUND ? 0 : -1;
out:
	free(text);
	json_decref(payload);
	json_decref(asst);
	json_decref(call);
	return r;
}

/* ---- sending ------------------------------------------------------------------- */

static struct netguard guard;

/* {status, body (JSON when it parses, else text), attempt, delivered} */
static char *response_doc(const struct ha_raw_result *hr, int attempt, int delivered,
			  const char *error)
{
	json_t *o = json_object(), *body = NULL;
	char *txt;

	if (hr->ok) {
		if (!hr->truncated && hr->body_len)
			body = jsonsafe_loadb(hr->body, hr->body_len, JSON_DECODE_ANY, NULL, NULL);
		if (!body && hr->body_len) {
			body = json_stringn(hr->body, hr->body_len);
			if (!body) {   /* not UTF-8: keep the ASCII */
				char *c = malloc(hr->body_len + 1);
				if (c) {
					for (size_t i = 0; i < hr->body_len; i++)
						c[i] = (unsigned char)hr->body[i] >= 0x80 ||
						       !hr->body[i] ? '?' : hr->body[i];
					body = json_stringn(c, hr->body_len);
					free(c);
				}
			}
		}
	}
	json_object_set_new(o, "status", hr->ok ? json_integer(hr->status) : json_null());
	json_object_set_new(o, "body", body ? body : json_null());
	if (hr->truncated)
		json_object_set_new(o, "truncated", json_true());
	if (error)
		json_object_set_new(o, "error", json_string(error));
	json_object_set_new(o, "attempt", json_integer(attempt));
	json_object_set_new(o, "delivered", json_boolean(delivered));
	txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return txt;
}

static void attempt(const json_t *d)
{
	int64_t id = json_integer_value(json_object_get(d, "id"));
	int64_t acc = json_integer_value(json_object_get(d, "account_id"));
	int64_t call = json_integer_value(json_object_get(d, "call_id"));
	const char *url = json_string_value(json_object_get(d, "url"));
	const char *payload = json_string_value(json_object_get(d, "payload"));
	int n = (int)json_integer_value(json_object_get(d, "attempts")) + 1;
	char secret[128], hid[64], hat[64], err[300];
	const char *hdrs[] = { "Content-Type: application/json", "Accept: application/json, */*",
			       "X-Switchboard-Event: call.ended", hid, hat, NULL };
	struct ha_raw rq;
	struct ha_raw_result hr;
	const char *state = NULL;
	char *resp = NULL;
	int retry = 0, have_secret;

	memset(&hr, 0, sizeof(hr));
	/* this attempt is ours alone (another process on the database may be
	 * sending too); a lease that outlives a crash lets it be retried */
	double timeout_s = (double)util_env_i64("SWITCHBOARD_WEBHOOK_TIMEOUT_MS", 10000, 100, 60000) / 1000;
	if (store_webhook_lease(id, n - 1, util_now(), util_now() + timeout_s + 60))
		return;
	have_secret = !webhook_secret(acc, secret, sizeof(secret));
	if (!have_secret) {
		/* never send unsigned: the lease brings it back later; no attempt
		 * was made, so none is recorded */
		log_warn("webhook: delivery %lld: no signing secret for account %lld: not sent",
			 (long long)id, (long long)acc);
		return;
	}
	snprintf(hid, sizeof(hid), "X-Switchboard-Delivery: %lld", (long long)id);
	snprintf(hat, sizeof(hat), "X-Switchboard-Attempt: %d", n);
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = url;
	rq.headers = hdrs;
	rq.body = payload;
	rq.body_len = payload ? strlen(payload) : 0;
	rq.timeout_ms = (long)(timeout_s * 1000);
	rq.hmac_secret = secret;
	rq.max_response = WEBHOOK_RESPONSE_MAX;
	rq.truncate = 1;
	rq.guard = &guard;
	httpaction_raw(&rq, &hr);
	sodium_memzero(secret, sizeof(secret));

	err[0] = '\0';
	if (!hr.ok) {
		snprintf(err, sizeof(err), "%s: %s", ha_err_name(hr.err), hr.message);
		retry = hr.err == HA_ERR_CONNECT || hr.err == HA_ERR_TIMEOUT || hr.err == HA_ERR_TLS ||
			hr.err == HA_ERR_INTERNAL;
	} else if (hr.status >= 200 && hr.status < 300) {
		state = "delivered";
	} else if (hr.status == 429 || hr.status >= 500) {
		snprintf(err, sizeof(err), "http status %ld", hr.status);
		retry = 1;
	} else if (hr.status >= 300 && hr.status < 400) {
		snprintf(err, sizeof(err), "http status %ld: redirects are not followed", hr.status);
	} else {
		snprintf(err, sizeof(err), "http status %ld: not retried", hr.status);
	}
	if (!state)
		state = retry && n < max_attempts() ? "pending" : "failed";
	if (retry && !strcmp(state, "failed")) {
		size_t l = strlen(err);
		snprintf(err + l, sizeof(err) - l, " (gave up after %d attempts)", n);
	}
	resp = response_doc(&hr, n, !strcmp(state, "delivered"), err[0] ? err : NULL);
	if (store_webhook_attempt(id, n, hr.ok ? hr.status : 0, err[0] ? err : NULL,
				  (double)hr.latency_ms, state, util_now() + backoff_s(n), resp))
		log_error("webhook: delivery %lld: cannot record attempt %d", (long long)id, n);
	log_info("webhook: call %lld delivery %lld attempt %d: %s%s%s", (long long)call,
		 (long long)id, n, state, err[0] ? " - " : "", err);
	free(resp);
	ha_raw_result_release(&hr);
}

static void sweep(void)
{
	double grace = (double)util_env_i64("SWITCHBOARD_WEBHOOK_SWEEP_S", 300, 1, 86400 * 30);
	json_t *ids = store_webhook_undecided_calls(util_now() - grace, 50), *v;
	size_t i;

	json_array_foreach(ids, i, v)
		webhook_call_ended(json_integer_value(v));
	json_decref(ids);
}

static void *work(void *arg)
{
	double next_sweep = 0;

	(void)arg;
	pthread_mutex_lock(&mu);
	while (!w.stopping) {
		kicked = 0;
		pthread_mutex_unlock(&mu);
		json_t *due = store_webhook_due(util_now(), 20), *d;
		size_t i;
		json_array_foreach(due, i, d) {
			pthread_mutex_lock(&mu);
			int stop = w.stopping;
			pthread_mutex_unlock(&mu);
			if (stop)
				break;
			attempt(d);
		}
		size_t ndue = json_array_size(due);
		json_decref(due);
		if (util_mono() >= next_sweep) {
			double grace = (double)util_env_i64("SWITCHBOARD_WEBHOOK_SWEEP_S", 300, 1, 86400 * 30);
			sweep();
			next_sweep = util_mono() + (grace < 30 ? grace : 30);
		}
		double next = store_webhook_next_due(), wait = 1.0;
		if (next > 0)
			wait = next - util_now();
		if (wait > 1.0)
			wait = 1.0;
		if (wait < 0.02 || ndue == 20)
			wait = ndue == 20 ? 0 : 0.02;
		pthread_mutex_lock(&mu);
		if (!w.stopping && !kicked && wait > 0) {
			struct timespec ts;
			util_deadline(&ts, CLOCK_REALTIME, wait);
			pthread_cond_timedwait(&cv, &mu, &ts);
		}
	}
	pthread_mutex_unlock(&mu);
	store_thread_release();
	return NULL;
}

int webhook_start(void)
{
	char err[200];

	if (netguard_init_env(&guard, err, sizeof(err))) {
		log_error("webhook: %s: %s", NETGUARD_ENV, err);
		netguard_init(&guard);
	}
	return worker_start(&w, work, NULL);
}

void webhook_stop(void)
{
	worker_stop(&w);
}
