/*
 * webhook.h - post-call webhooks: the payload a customer's system receives
 * when a call or chat conversation has ended and been evaluated.
 *
 * When. webhook_call_ended() runs after the post-call evaluation (the
 * brain's worker calls it after brain_after_call, whatever that returned;
 * every ended call is queued there: by its conversation, by the SIP user
 * agent for calls none ran on, by the call runtime for calls that failed
 * before dialling), and a sweeper in the webhook worker catches ended calls
 * left undecided (a queue that was full, a process that stopped) once they
 * ended SWITCHBOARD_WEBHOOK_SWEEP_S (300) seconds ago. Each call is decided once
 * (the call's webhook_state: queued or skipped): its assistant must have
 * is_webhook_active and a webhook_url; with send_webhook_only_on_completed
 * only calls that took place and ended normally qualify (status completed,
 * ended, ended_by_customer, ended_by_assistant; not busy, no-answer,
 * failed).
 *
 * What. JSON {id, customer_phone, assistant_phone, duration, status,
 * extracted_variables{}, input_variables{}, transcript[], formatted_transcript
 * ("Assistant: ...\nCustomer: ..."), recording_url (only with
 * include_recording_in_webhook: SWITCHBOARD_PUBLIC_URL + the call's path
 * when set, else the path), created_at, finished_at, lead{}|null,
 * campaign{}|null} plus type, assistant_id, end_reason, summary and
 * evaluation[]. Built when the call is decided and persisted with the
 * delivery, so every retry sends the same bytes.
 *
 * How. A delivery row is written before anything is sent. The worker thread
 * (webhook_start / webhook_stop, from `serve`) POSTs due deliveries through
 * httpaction_raw: the netguard (SWITCHBOARD_HTTP_ALLOW), no redirects, a
 * timeout (SWITCHBOARD_WEBHOOK_TIMEOUT_MS, 10000), the answer read up to
 * 4 KiB. Signed with the account's webhook secret (created on first use,
 * sealed at rest with secret.h) as httpaction.h describes:
 *   X-Switchboard-Timestamp: <t>
 *   X-Switchboard-Signature: t=<t>,v2=<hex HMAC-SHA256(secret,
 *       "<t>\n<METHOD>\n<URL>\n<body>")>
 * (METHOD "POST", URL the webhook URL as sent, normalised by libcurl)
 * plus X-Switchboard-Event: call.ended and X-Switchboard-Delivery: <id>.
 * 2xx = delivered. Network errors, timeouts, 5xx and 429 are retried with
 * exponential backoff (SWITCHBOARD_WEBHOOK_BACKOFF_MS, 30000, doubling, at
 * most SWITCHBOARD_WEBHOOK_BACKOFF_CAP_MS, 3600000) up to
 * SWITCHBOARD_WEBHOOK_MAX_ATTEMPTS (6) attempts; any other status, a
 * refused address or a bad URL fails at once. Every attempt is recorded
 * (list_webhook_deliveries); the last answer is kept on the call as
 * webhook_response {status, body, attempt, delivered} (get_call). Pending
 * deliveries survive a restart: the worker picks them up when due.
 *
 * Threads: webhook_call_ended and webhook_secret may run on any thread;
 * one worker sends per process. Several processes on one database send
 * each attempt once: the worker leases a due delivery in the store
 * (store_webhook_lease: its next_attempt_at moves past the timeout) before
 * sending, and a lease left by a crashed process runs out and is retried.
 */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include <stdint.h>
#include <stddef.h>
#include <jansson.h>

#define WEBHOOK_RESPONSE_MAX 4096

/* Decide the ended call's webhook and persist the delivery (no network
 * here); wakes the worker. 0 when decided now or before, -1 on error or
 * when the call has not ended. */
int webhook_call_ended(int64_t call_id);

/* The account's webhook signing secret in plain text ("whsec_" + 64 hex),
 * created and sealed on first use (signing.h). 0, or -1 (no secret key,
 * store error). */
int webhook_secret(int64_t account_id, char *out, size_t outlen);

/* The payload for a call (new reference), asst = its assistant (may be
 * NULL: no recording_url). NULL when the call is not the account's. */
json_t *webhook_payload(int64_t account_id, int64_t call_id, const json_t *asst);

/* The worker: sends due deliveries, sweeps undecided ended calls. */
int webhook_start(void);
void webhook_stop(void);

#endif
