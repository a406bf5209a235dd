/*
 * store.h - the persistent store: one interface, SQLite behind it today.
 *
 * Everything a user would miss after a crash lives here: accounts, API keys,
 * catalogs (models, voices, languages), assistants, phone numbers, calls with
 * transcripts, conversations and messages, campaigns, leads, SMS, mid-call
 * tool definitions and the audit trail. The schema is created and upgraded by
 * versioned migrations (store_migrate); it is designed for the whole control
 * plane even where tools arrive later.
 *
 * Threads: every thread gets its own connection, opened lazily on first use
 * (WAL mode, busy timeout, prepared statements cached per connection), so no
 * lock is shared on the hot path. store_open() sets the database path once
 * per process; store_thread_release() closes the calling thread's connection.
 *
 * Tenancy: every function that reads or writes account data takes the
 * account id and scopes its SQL to it; a row of another account is
 * indistinguishable from a missing one (STORE_NOTFOUND / NULL).
 *
 * Money is int64 micro-dollars (1 USD = 1,000,000) everywhere in the store;
 * tools format it as decimal strings. Times are UTC; timestamps in JSON are
 * "YYYY-MM-DDTHH:MM:SS.000000Z" strings (the shape users know).
 *
 * Return convention: int functions return 0 (STORE_OK) on success or a
 * negative STORE_* code; json_t functions return a new reference the caller
 * owns, or NULL on error/not found. A PostgreSQL backend later implements the
 * same functions in src/store/postgres.c.
 */
#ifndef STORE_H
#define STORE_H

#include <stdint.h>
#include <stddef.h>
#include <jansson.h>

enum {
	STORE_OK = 0,
	STORE_ERR = -1,        /* database error (logged with the SQL error) */
	STORE_NOTFOUND = -2,   /* no such row for this account */
	STORE_CONFLICT = -3,   /* unique constraint, e.g. duplicate prefix */
	STORE_INVALID = -4,    /* a referenced row does not exist, bad value */
	STORE_FUNDS = -5,      /* the account balance does not cover the cost */
};

/* ---- lifecycle ------------------------------------------------------- */

/* Remember `path`, open this thread's connection, set WAL and pragmas. */
int store_open(const char *path, char *err, size_t errlen);
/* Close the calling thread's connection (worker threads call it on exit). */
void store_thread_release(void);
/* Apply pending migrations in one transaction each; report versions. */
int store_migrate(int *from, int *to);
/* Latest schema version this binary knows. */
int store_schema_latest(void);
/* 0 when the database answers a trivial query. */
int store_ping(void);
/* Run fn inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK when fn fails). */
int store_tx(int (*fn)(void *arg), void *arg);

/* ---- accounts -------------------------------------------------------- */

struct store_account {
	int64_t id;
	char name[128];
	char timezone[64];
	int64_t balance_micros;
	char created_at[32];
};

int store_account_create(const char *name, const char *timezone,
			 int64_t balance_micros, int64_t *id_out);
int store_account_get(int64_t id, struct store_account *out);
/* [{id, name, timezone, balance_micros, created_at}] */
json_t *store_account_list(void);
/* Spend this calendar month (UTC): total, calls, sms counts and costs:
 * {month:"YYYY-MM", calls, call_cost_micros, sms, sms_cost_micros,
 *  total_cost_micros} */
json_t *store_account_usage_month(int64_t account_id);

/* ---- API keys -------------------------------------------------------- */

struct store_key {
	int64_t id;
	int64_t account_id;
	char prefix[24];
	unsigned char hash[32];  /* SHA-256 of the whole key */
	unsigned scopes;         /* AUTH_SCOPE_* bits, see auth.h */
	int revoked;
	int64_t last_used;       /* unix seconds, 0 = never */
	char created_at[32];     /* ISO 8601 */
};

int store_key_insert(int64_t account_id, const char *prefix,
		     const unsigned char hash[32], unsigned scopes,
		     const char *label);
/* STORE_NOTFOUND when no key has this prefix (revoked keys are returned
 * with revoked = 1; auth decides). */
int store_key_by_prefix(const char *prefix, struct store_key *out);
/* [{prefix, account_id, scopes (bits), label, created_at, revoked_at|null}],
 * all accounts when account_id == 0 */
json_t *store_key_list(int64_t account_id);
/* Note that the key was used now (last_used_at). */
int store_key_touch(const char *prefix);
/* 0; STORE_NOTFOUND (no key with that prefix); STORE_CONFLICT (revoked before). */
int store_key_revoke(const char *prefix);

/* ---- catalogs (shared by all accounts) -------------------------------- */

json_t *store_models_list(void);    /* [{id, name, provider, ...}] */
json_t *store_voices_list(const char *mode); /* mode NULL, "pipeline", "multimodal" */
json_t *store_languages_list(void); /* [{id, name, iso_2}] */
int store_voice_exists(int64_t id);

/* ---- assistants ------------------------------------------------------- */

/* A page of the account's assistants ordered by id; *total = all of them. */
json_t *store_assistant_page(int64_t account_id, int page, int per_page,
			     int64_t *total);
/* The same, only assistants with this calls_direction ("make" = outbound). */
json_t *store_assistant_page_direction(int64_t account_id, const char *direction,
				       int page, int per_page, int64_t *total);
json_t *store_assistant_get(int64_t account_id, int64_t id);
/* `fields` holds assistant attributes by their tool names (assistant_name,
 * voice_id, ...); unknown keys are kept in the settings document. */
int store_assistant_insert(int64_t account_id, const json_t *fields,
			   int64_t *id_out);
/* Only keys present in `fields` change; a JSON null clears the column. */
int store_assistant_update(int64_t account_id, int64_t id,
			   const json_t *fields);
int store_assistant_delete(int64_t account_id, int64_t id);

/* ---- phone numbers ---------------------------------------------------- */

/* [{id, phone_number, country_code, type, type_label, is_available,
 *   sms_capable, assistant_id|null}]; type NULL, "inbound", "outbound" */
json_t *store_phone_numbers_list(int64_t account_id, const char *type);

struct store_phone {
	int64_t id;
	char phone_number[24];
	char type[16];           /* inbound, outbound */
	int sms_capable;
	char trunk[1024];        /* SIP trunk settings, JSON text ("{}" = none) */
};

/* Add a number to an account (operator command); STORE_CONFLICT when the
 * number is taken, STORE_INVALID when it is not E.164 or type is bad. */
int store_phone_number_insert(int64_t account_id, const char *number,
			      const char *type, int sms_capable,
			      const char *country_code, int64_t *id_out);
int store_phone_number_get(int64_t account_id, int64_t id, struct store_phone *out);

/* ---- calls ------------------------------------------------------------ */

/* A call as the store shows it (tools turn *_micros into decimal strings):
 * {id, assistant_id, assistant_name|null, campaign_id, campaign_name|null,
 *  lead_id, type, duration, assistant_phone_number, client_phone_number,
 *  status, end_reason|null, transcript:[{text, type, sender, timestamp}],
 *  variables{}, evaluation[], webhook_response|null, carrier_cost_micros,
 *  total_cost_micros, answered_by|null, recording_url|null, started_at,
 *  answered_at, ended_at, created_at, updated_at} */
struct store_call_new {
	int64_t assistant_id;
	int64_t campaign_id;         /* 0: none */
	int64_t lead_id;             /* 0: none */
	const char *type;            /* outbound, inbound, web */
	const char *from_number;
	const char *to_number;
	const json_t *variables;     /* object or NULL */
	const char *idempotency_key; /* NULL: none */
};
int store_call_insert(int64_t account_id, const struct store_call_new *c,
		      int64_t *id_out);
json_t *store_call_get(int64_t account_id, int64_t id);

/* Filters of list_calls; NULL / 0 = not filtered. Dates are YYYY-MM-DD,
 * both ends inclusive. phone_number matches either end of the call. */
struct store_call_filter {
	const char *status, *type, *phone_number;
	int64_t assistant_id, campaign_id;
	const char *date_from, *date_to;
};
json_t *store_call_page(int64_t account_id, const struct store_call_filter *f,
			int page, int per_page, int64_t *total);
/* STORE_CONFLICT while the call is still live (initiated, ringing,
 * in-progress). */
int store_call_delete(int64_t account_id, int64_t id);

/* For the call runtime, which owns call ids across accounts. */
struct store_dial {
	int64_t account_id;
	char status[24];
	char from_number[24];
	char to_number[24];
	char trunk[1024];        /* "" when the number has no row any more */
};
int store_call_dial_info(int64_t call_id, struct store_dial *out);
/* Move a call that has not ended to `status` with `reason` (ended_at set
 * for final states). STORE_NOTFOUND when gone or already final. */
int store_call_set_status(int64_t call_id, const char *status, const char *reason);

/* ---- campaigns and leads ---------------------------------------------- */

/* A campaign: {id, name, status, assistant_id, assistant_name, timezone,
 *  max_calls_in_parallel, allowed_hours_start_time, allowed_hours_end_time,
 *  allowed_days[], max_retries, retry_interval, retry_on_voicemail,
 *  retry_on_goal_incomplete, goal_completion_variable, mark_complete_when_no_leads,
 *  phone_number_ids[], leads_count, leads_ready, started_at, stopped_at,
 *  created_at, updated_at}; leads_ready counts leads in created|scheduled. */
json_t *store_campaign_list(int64_t account_id);
json_t *store_campaign_get(int64_t account_id, int64_t id);
/* `fields` by tool names; absent settings take the schema defaults. The
 * caller has checked the references (assistant, phone numbers). */
int store_campaign_insert(int64_t account_id, const json_t *fields, int64_t *id_out);
/* STORE_CONFLICT while the campaign is in progress. Leads go with it. */
int store_campaign_delete(int64_t account_id, int64_t id);

/*
 * Spend approval. The dialer calls only approved leads. A confirmed start
 * approves the leads it priced: of a campaign that is not running, every
 * lead it would call (created, scheduled or rescheduled), and no other; of
 * a running campaign, those of them not approved yet (added or reopened
 * since). A new lead is not approved; update_lead withdraws the approval
 * when it changes a lead's campaign, phone number or status. So nothing a
 * key without the spend scope does makes more calls than were confirmed.
 */
struct store_campaign_priced {
	int64_t leads;       /* how many leads a start would approve now */
	int running;         /* the campaign is in progress */
	char digest[65];     /* hex SHA-256 over their ids ("1,2,7,") */
};
/* What a start would approve now; STORE_NOTFOUND for another account's. */
int store_campaign_priced(int64_t account_id, int64_t id, struct store_campaign_priced *out);

enum store_campaign_why {
	CAMPAIGN_OK = 0,
	CAMPAIGN_NO_LEADS,       /* start: no lead to call */
	CAMPAIGN_NO_BALANCE,     /* start: balance is not positive */
	CAMPAIGN_RUNNING,        /* start: in progress, nothing new to approve */
	CAMPAIGN_CHANGED,        /* start: the leads differ from the confirmed ones */
	CAMPAIGN_NOT_STARTED,    /* stop: still a draft */
};
/* One transaction each. start: what it would approve must be `confirmed`
 * (what the confirmed preview priced, read in the same transaction, so
 * nothing slips in between), the balance positive; then the campaign is in
 * progress, exactly those leads are approved and the created ones among
 * them scheduled (*n = how many approved). stop: status stopped, scheduled
 * leads back to created, live calls of the campaign end with reason
 * "campaign stopped" (*n = how many). A refusal returns STORE_INVALID with
 * *why set and writes nothing. */
int store_campaign_start(int64_t account_id, int64_t id,
			 const struct store_campaign_priced *confirmed,
			 enum store_campaign_why *why, int64_t *n);
int store_campaign_stop(int64_t account_id, int64_t id, enum store_campaign_why *why,
			int64_t *n);

/* A lead: {id, campaign_id, phone_number, variables{}, status, approved
 *  (a confirmed start lets the dialer call it), created_at, updated_at,
 *  campaign:{id, name}|null, secondary_contacts[]} */
json_t *store_lead_page(int64_t account_id, const char *status, int64_t campaign_id,
			const char *phone_number, int page, int per_page, int64_t *total);
json_t *store_lead_get(int64_t account_id, int64_t id);
/* STORE_INVALID: campaign not the account's; STORE_CONFLICT: the number is
 * already a lead of the campaign and duplicates are not allowed. */
int store_lead_insert(int64_t account_id, int64_t campaign_id, const char *phone_number,
		      const json_t *variables, int allow_duplicate, int64_t *id_out);
/* fields: campaign_id, phone_number, status, variables (merged into the
 * lead's). Errors as store_lead_insert, STORE_NOTFOUND for the lead. A move
 * or renumbering that would duplicate a lead of the campaign is refused
 * unless allow_duplicate. A change of campaign, number or status withdraws
 * the lead's approval. */
int store_lead_update(int64_t account_id, int64_t id, const json_t *fields,
		      int allow_duplicate);
int store_lead_delete(int64_t account_id, int64_t id);

/* ---- SMS -------------------------------------------------------------- */

struct store_sms_new {
	int64_t phone_number_id;
	const char *from_number, *to_number, *body, *encoding;
	int segments;
	int64_t cost_micros;
	const char *idempotency_key;   /* NULL: none */
};
/* One transaction: STORE_FUNDS unless the balance covers cost_micros; else
 * the balance is charged and the row inserted with status "sending". */
int store_sms_reserve(int64_t account_id, const struct store_sms_new *m, int64_t *id_out);
/* The provider took it: its status and message id. */
int store_sms_sent(int64_t account_id, int64_t id, const char *status,
		   const char *provider_id);
/* The provider refused or could not be reached: status "failed", the
 * error kept, the charge refunded (one transaction). */
int store_sms_failed(int64_t account_id, int64_t id, const char *error);
/* {id, phone_number_id, from, to, body, segments, encoding, cost_micros,
 *  status, provider_id, error, created_at, updated_at} */
json_t *store_sms_get(int64_t account_id, int64_t id);

/* ---- mid-call tools --------------------------------------------------- */

/* {id, name, description, endpoint, method, timeout, headers:[{name,
 *  value}], schema:[...], assistant_ids[], created_at, updated_at}. Header
 * values are returned as stored (sealed by secret.h): tools redact them. */
json_t *store_midtool_list(int64_t account_id);
json_t *store_midtool_get(int64_t account_id, int64_t id);
/* STORE_CONFLICT when the account has a tool of that name. */
int store_midtool_insert(int64_t account_id, const json_t *fields, int64_t *id_out);
/* Only the given fields change; headers / schema replace the whole list. */
int store_midtool_update(int64_t account_id, int64_t id, const json_t *fields);
int store_midtool_delete(int64_t account_id, int64_t id);

/* ---- audit ------------------------------------------------------------ */

struct store_audit_row {
	double ts;               /* unix seconds */
	int64_t account_id;
	char key_prefix[24];
	char tool[64];
	char transport[16];      /* stdio, http, sse */
	const char *args_json;   /* redacted arguments */
	char outcome[16];        /* ok, error, denied, invalid */
	const char *error;       /* NULL when ok */
	double duration_ms;
};

/* Insert rows in one transaction. */
int store_audit_insert(const struct store_audit_row *rows, size_t n);
/* Delete up to `limit` rows older than `before` (unix seconds), oldest
 * first, in one statement (the audit_ts index): the number deleted, or a
 * negative STORE_ code. Callers loop to delete more (audit.h, retention). */
int store_audit_prune(double before, int limit);
/* Newest first: [{ts, key_prefix, tool, transport, arguments, outcome,
 *   error, duration_ms}] */
json_t *store_audit_list(int64_t account_id, int limit);

/* ---- spend governance ------------------------------------------------- */

/* Remember a confirmation token (only its hash) for `tool` with arguments
 * hashing to args_hash and the preview it was issued with hashing to
 * preview_hash, valid until expires_at (unix seconds). */
int store_confirmation_insert(int64_t account_id, const unsigned char token_hash[32],
			      const char *tool, const unsigned char args_hash[32],
			      const unsigned char preview_hash[32], double expires_at);
/* Consume a token atomically: 0 when it existed for this account, tool and
 * args, was unused and not expired at `now` (it is used up now);
 * STORE_NOTFOUND when unknown, used or expired; STORE_CONFLICT when it was
 * issued for another tool or other arguments; STORE_INVALID when it was
 * issued for these arguments but another preview (what they would do has
 * changed since). A refused token stays unused. */
int store_confirmation_consume(int64_t account_id, const unsigned char token_hash[32],
			       const char *tool, const unsigned char args_hash[32],
			       const unsigned char preview_hash[32], double now);
/* Claim an idempotency key for (account, tool). Returns 0 when claimed (the
 * caller runs the action, then calls _finish or _release); 1 when the key
 * already finished with the same arguments (*result = the stored result,
 * caller owns it); STORE_CONFLICT when it is still running or was used with
 * other arguments (*result NULL; *other_args set to 1 in the latter case). */
int store_idempotency_claim(int64_t account_id, const char *tool, const char *key,
			    const unsigned char args_hash[32], json_t **result,
			    int *other_args);
int store_idempotency_finish(int64_t account_id, const char *tool, const char *key,
			     const json_t *result);
/* Forget a claim whose action did not happen, so a retry may run. */
int store_idempotency_release(int64_t account_id, const char *tool, const char *key);

/* ---- in-call plane (store/sqlite_incall.c) ------------------------------ */

/* An assistant's office hours, as officehours.h reads them ({weekly,
 * exceptions, timezone?}); a stored bare weekly object (older rows, the demo
 * seed) comes back wrapped as {weekly}. New reference; STORE_NOTFOUND when
 * none are set. */
int store_office_hours_get(int64_t account_id, int64_t assistant_id, json_t **schedule);
int store_office_hours_set(int64_t account_id, int64_t assistant_id, const json_t *schedule);

/* Contacts: numbers is an array of E.164 strings. */
int store_contact_insert(int64_t account_id, const char *name, const char *company,
			 const char *email, const char *source, const json_t *numbers,
			 int64_t *id_out);
/* [{id, name, company, email, source, numbers:[...]}] of contacts that
 * have this E.164 number. */
json_t *store_contacts_by_number(int64_t account_id, const char *e164);
json_t *store_contact_list(int64_t account_id);

/* Users who take transferred calls: {id, name, extension, phone_number,
 * dnd (bool), schedule{}} */
int store_user_insert(int64_t account_id, const char *name, const char *extension,
		      const char *phone_number, int dnd, const json_t *schedule,
		      int64_t *id_out);
json_t *store_user_get(int64_t account_id, int64_t id);
json_t *store_user_list(int64_t account_id);
int store_user_set_dnd(int64_t account_id, int64_t id, int dnd);

/* A lead from a caller's number: a new lead (no campaign) and its first
 * case, or, when the account already has a lead with this number, a new
 * case linked to it (*existing = 1). */
struct store_lead_case {
	const char *phone_number, *name, *intent, *classification, *summary, *notes;
	int64_t call_id;
};
int store_lead_from_call(int64_t account_id, const struct store_lead_case *lc,
			 int64_t *lead_id, int64_t *case_id, int *existing);

/* The decision log with idempotency. Claim an action under `key` for the
 * call: 0 = claimed (*action_id set; run it, then _finish); 1 = the same
 * action finished within window_s (*result = its result); STORE_CONFLICT =
 * the same action is still running. A finished action older than the
 * window no longer blocks a new one. */
int store_action_claim(int64_t call_id, const char *tool, const char *key,
		       const char *args_json, double window_s, int64_t *action_id,
		       json_t **result);
int store_action_finish(int64_t action_id, int upstream_status, double latency_ms,
			const char *outcome, const char *summary, const json_t *result);
/* [{id, tool, arguments, upstream_status, latency_ms, outcome,
 *   result_summary, created_at}] oldest first; NULL when the call is not
 * the account's. */
json_t *store_action_list(int64_t account_id, int64_t call_id);

/* The mid-call tools attached to an assistant, with their settings:
 * [{id, name, description, endpoint, method, timeout, headers, schema,
 *   settings{}}]; header values as stored (sealed). */
json_t *store_assistant_midtools(int64_t account_id, int64_t assistant_id);

/* Claim an initiated call for `node` to dial: STORE_OK for the one process
 * that gets it, STORE_NOTFOUND when another has it or it has moved on. */
int store_call_claim(int64_t call_id, const char *node);
/* Outbound calls waiting for a process to dial them (initiated, not
 * claimed): those created in the last max_age_s seconds, or with stale
 * those created before; up to n ids, oldest first; the count, or -1. */
int store_calls_unclaimed(double max_age_s, int stale, int64_t *ids, int n);
/* A process with a SIP line says it is there (seen now, unix seconds), or
 * leaves (gone = 1); store_call_nodes_live counts those seen in the last
 * within_s seconds. */
int store_call_node_beat(const char *node, double now, int gone);
int store_call_nodes_live(double now, double within_s);

/* A call a voice engine has on the line now (status in-progress). */
int store_call_start_live(int64_t account_id, int64_t assistant_id, const char *type,
			  const char *from_number, const char *to_number, int64_t *id_out);

/* ---- voice runtime (store/sqlite_voice.c) ------------------------------- */

/* A phone number as the SIP user agent sees it, any account: for inbound
 * INVITEs (which account and assistant answer) and trunk settings. */
struct store_voice_line {
	int64_t account_id;
	int64_t phone_id;
	int64_t assistant_id;    /* 0: no assistant on the number */
	char phone_number[24];
	char type[16];           /* inbound, outbound */
	char calls_direction[16];/* the assistant's: receive, make ("" when none) */
	char trunk[1024];        /* JSON text, "{}" = none */
};
int store_voice_line_by_number(const char *e164, struct store_voice_line *out);
/* Replace a number's trunk settings (JSON object text; the caller sealed
 * the password). STORE_NOTFOUND when the number is not the account's. */
int store_phone_number_set_trunk(int64_t account_id, int64_t id, const char *trunk_json);
/* Every number that has a trunk: [{account_id, id, phone_number, trunk{}}]. */
json_t *store_voice_trunks(void);

/* An inbound call arriving: a call row of type inbound, status ringing,
 * started_at now, with the SIP Call-ID. As for every call, from_number is
 * the assistant's number (the one called) and to_number the client's. */
int store_voice_call_inbound(int64_t account_id, int64_t assistant_id,
			     const char *assistant_number, const char *client_number,
			     const char *sip_call_id, int64_t *id_out);
/* An outbound call being dialled: started_at now, the SIP Call-ID kept. */
int store_voice_call_dialing(int64_t call_id, const char *sip_call_id);
/* Answered: status in-progress, answered_at now, answered_by (human,
 * machine, unknown). STORE_NOTFOUND when the call is no longer live. */
int store_voice_call_answered(int64_t call_id, const char *answered_by);
int store_voice_call_answered_by(int64_t call_id, const char *answered_by);
/* The end of a call, one transaction: final status and reason, duration
 * (seconds since the answer, 0 when never answered), total_cost_micros =
 * started minutes x price_per_minute, charged to the account's balance
 * (which may go below zero: the call has happened). *cost_out (may be
 * NULL) gets the charge. STORE_NOTFOUND when the call has already ended
 * (nothing is charged twice). A call a campaign stop ended (status ended,
 * nothing recorded yet) keeps its status and reason and gets the duration
 * and charge here, once. */
int store_voice_call_end(int64_t call_id, const char *status, const char *reason,
			 int64_t duration_s, int64_t price_per_minute, int64_t *cost_out);
/* Append a transcript entry (sender "bot" or "human", ts unix seconds). */
int store_voice_transcript_add(int64_t call_id, const char *sender, const char *text,
			       double ts);
/* Where the recording is served (recording_url), e.g. "/recordings/12.wav". */
int store_voice_recording_set(int64_t call_id, const char *url);
/* Catalog voice `id`: its name and provider; STORE_NOTFOUND when none. */
int store_voice_catalog(int64_t id, char *name, size_t namelen, char *provider, size_t provlen);
/* The ISO 639-1 code of a language of the catalog given by name ("German")
 * or code ("de"), case-insensitive; STORE_NOTFOUND when unknown. */
int store_language_iso(const char *name_or_iso, char iso[3]);
/* The assistant of a call as store_assistant_get shows it, plus
 * "_call": {account_id, type, from_number, to_number, variables{}}. */
json_t *store_voice_call_assistant(int64_t call_id);

/* ---- assistant brain (store/sqlite_brain.c) ----------------------------- */

/* A model of the catalog with its provider. base_url "" = none of its own
 * (the default provider may serve it, see llm.h); api_key is sealed text
 * (secret.h), "" = none. */
struct store_model {
	int64_t id;
	char name[128];
	char provider[64];
	char base_url[1024];
	char api_key[1024];
};
int store_model_get(const char *name, struct store_model *out);
/* Add or replace a catalog model by name (operator command, start-up).
 * base_url / api_key_sealed / description NULL: left as they are on an
 * existing row, NULL on a new one. */
int store_model_upsert(const char *name, const char *provider, const char *base_url,
		       const char *api_key_sealed, const char *description);
int store_model_delete(const char *name);

/*
 * Chat conversations. Each runs on a call row of type "web" (created with
 * it, status in-progress, the conversation's variables), so the in-call
 * tools, the decision log (list_call_actions) and the post-call results
 * work the same for chats and phone calls. Status: active | ended.
 */
struct store_conversation {
	int64_t id, account_id, assistant_id, call_id;
	char uuid[40];
	char type[16];          /* test | widget */
	char status[16];
	char end_reason[128];
	int64_t cost_micros;
	double idle_s;          /* seconds since the last message */
	char created_at[32];
};
/* One transaction: the web call and the conversation. */
int store_conversation_create(int64_t account_id, int64_t assistant_id, const char *type,
			      const json_t *variables, const char *uuid, int64_t *id_out,
			      int64_t *call_id_out);
int store_conversation_get(int64_t account_id, const char *uuid, struct store_conversation *out);
int store_conversation_by_call(int64_t call_id, struct store_conversation *out);
/* [{role, content, function_calls[]}] oldest first (system rows left out). */
json_t *store_conversation_messages(int64_t conversation_id);
int store_conversation_message_add(int64_t conversation_id, const char *role,
				   const char *content, const json_t *function_calls);
/* The conversation's summary or NULL (caller frees). */
char *store_conversation_summary(int64_t conversation_id);
/* End an active conversation and its call (status `call_status`, reason);
 * STORE_NOTFOUND when it had ended already. */
int store_conversation_end(int64_t conversation_id, const char *call_status,
			   const char *reason, int64_t *call_id_out);
/* Charge a message: balance and the conversation's (and its call's) cost,
 * one transaction; STORE_FUNDS when the balance does not cover it. A
 * negative amount refunds. Marks the conversation active now. */
int store_conversation_charge(int64_t account_id, int64_t conversation_id, int64_t micros);
int store_conversation_touch(int64_t conversation_id);
/* Active conversations idle for more than idle_s: [{id, account_id, call_id}]
 * (all accounts, at most `limit`). */
json_t *store_conversations_idle(double idle_s, int limit);

/* Post-call results on a call: the evaluation ([{name, type, value,
 * description, valid, error?}]), the extracted variables ({name: value},
 * valid ones only) and a short summary; evaluated_at is set. A conversation
 * on the call gets the summary too. */
int store_call_outcome_set(int64_t call_id, const json_t *evaluation,
			   const json_t *extracted, const char *summary);
/* {summary|null, evaluation[], extracted_variables{}, evaluated_at|null} for
 * the webhook payload; NULL when the call is not the account's. */
json_t *store_call_outcome_get(int64_t account_id, int64_t call_id);
/* What was said, for the post-call model: [{role: user|assistant, content}]
 * from the call's conversation, else from its transcript. */
json_t *store_call_dialogue(int64_t call_id);

/* ---- post-call webhooks (store/sqlite_webhook.c) ----------------------- */

/* An account's signing secrets (outbound/signing.h), one of each kind,
 * kept apart: the webhook secret and the mid-call tool secret. */
enum store_secret_kind { STORE_SECRET_WEBHOOK, STORE_SECRET_MIDTOOL };
/* The secret as stored (sealed, secret.h) into out; STORE_NOTFOUND when the
 * account has none of this kind yet. */
int store_account_secret_get(int64_t account_id, enum store_secret_kind kind, char *out,
			     size_t outlen);
/* Keep a new sealed secret unless the account has one already (the first
 * one wins a race: read it back with store_account_secret_get). */
int store_account_secret_add(int64_t account_id, enum store_secret_kind kind, const char *sealed);
/* Decide a call's webhook once: sets the call's webhook_state (queued or
 * skipped) when it is still undecided. 0 when this caller decided;
 * STORE_NOTFOUND when it was decided already or the call is gone. */
int store_webhook_call_claim(int64_t call_id, const char *state);
/* Calls that ended before `ended_before` (unix seconds) and whose webhook
 * was never decided: [call_id, ...], at most `limit`, any account. */
json_t *store_webhook_undecided_calls(double ended_before, int limit);
/* Persist a delivery (state pending, due at next_at) before it is sent. */
int store_webhook_enqueue(int64_t account_id, int64_t call_id, const char *url,
			  const char *payload, double next_at, int64_t *id_out);
/* Pending deliveries due at `now`, oldest first: [{id, account_id, call_id,
 * url, payload, attempts}] (any account, at most `limit`). */
json_t *store_webhook_due(double now, int limit);
/* Take a due delivery for one attempt (several processes may send from one
 * database): its next_attempt_at moves to `until`, so others skip it until
 * then. STORE_OK for the one that gets it; STORE_NOTFOUND when another
 * took it, or it is no longer pending with `attempts` attempts and due. */
int store_webhook_lease(int64_t delivery_id, int attempts, double now, double until);
/* The earliest next_attempt_at of a pending delivery, 0 when none. */
double store_webhook_next_due(void);
/* Record attempt number `attempt` in one transaction: its row (HTTP status,
 * 0 when none, error or NULL, latency), the delivery's state (pending with
 * next_at, delivered, failed), and when `response` is given (JSON text)
 * the call's webhook_response. */
int store_webhook_attempt(int64_t delivery_id, int attempt, long status, const char *error,
			  double latency_ms, const char *state, double next_at,
			  const char *response);
/* [{id, url, state, attempts, last_status, last_error, next_attempt_at
 *   (ISO text|null), delivered_at, created_at, history:[{attempt, status,
 *   error, latency_ms, at}]}] of one call, oldest first; NULL when the call
 * is not the account's. */
json_t *store_webhook_list(int64_t account_id, int64_t call_id);

/* ---- contact sources (store/sqlite_contacts.c) --------------------------- */

/* An external directory lookup_contact asks after the native contacts:
 * kind "http" or "carddav"; password sealed (secret.h) or NULL. */
int store_contact_source_add(int64_t account_id, const char *kind, const char *url,
			     const char *username, const char *password_sealed,
			     int64_t *id_out);
/* [{id, kind, url, username|null, password|null (sealed), enabled (bool),
 *   created_at}] ordered by id; enabled_only skips disabled ones. */
json_t *store_contact_source_list(int64_t account_id, int enabled_only);
int store_contact_source_delete(int64_t account_id, int64_t id);

/* ---- campaign dialer (store/sqlite_campaign.c) --------------------------- */

/* Campaigns in progress, any account, at most `limit`, by id: [{id,
 *  account_id, name, assistant_id (0: none), timezone,
 *  max_calls_in_parallel, allowed_hours_start_time, allowed_hours_end_time,
 *  allowed_days[], max_retries, retry_interval, retry_on_voicemail,
 *  retry_on_goal_incomplete, goal_completion_variable|null,
 *  mark_complete_when_no_leads, phone_number_ids[], live_calls (initiated,
 *  ringing, in-progress), calls_made, open_leads (approved leads created,
 *  scheduled, processing or rescheduled), balance_micros}]. */
json_t *store_dialer_campaigns(int limit);
/* The campaign's leads that may be called at `now` (the dialer's clock, as
 * "YYYY-MM-DDTHH:MM:SS.mmm000Z"): approved, and created, scheduled, or
 * rescheduled with next_attempt_at <= now; by id, at most `limit`: [{id, phone_number,
 * variables{}, status, retries}]. */
json_t *store_dialer_due_leads(int64_t campaign_id, const char *now, int limit);
/* One transaction: the lead (c->lead_id of c->campaign_id) moves to
 * processing with one more attempt counted, and its call row is inserted
 * (status initiated, *call_id). STORE_CONFLICT when the lead is no longer
 * due or approved, or the campaign no longer in progress (nothing written). */
int store_dialer_place(int64_t account_id, const struct store_call_new *c, int64_t *call_id);
/* Processing leads whose latest call has ended (or is gone), any account,
 * at most `limit`: [{lead_id, account_id, campaign_id, retries (attempts
 * made), call_id|null, call_status|null, answered, answered_by|null,
 * extracted{}, evaluated, ended_age_s, end_reason|null, max_retries,
 * retry_interval, retry_on_voicemail, retry_on_goal_incomplete,
 * goal_completion_variable|null, campaign_status}]. */
json_t *store_dialer_finished(int limit);
/* A processing lead's next status (completed, rescheduled with
 * next_attempt_at, reached-max-retries, created); STORE_NOTFOUND when it
 * is not processing any more (an update_lead came first). */
int store_dialer_lead_settle(int64_t lead_id, const char *status, const char *next_attempt_at);
/* End a campaign in progress: "completed" (no leads left) or "stopped"
 * with the reason users see as status_reason (scheduled leads go back to
 * created, as on a stop; live calls go on). STORE_NOTFOUND when it is not
 * in progress any more. A start clears status_reason. */
int store_dialer_campaign_end(int64_t campaign_id, const char *status, const char *reason);

/* ---- demo data -------------------------------------------------------- */

/* Fill the catalogs when empty (idempotent). */
int store_seed_catalogs(void);
/* Create the demo account with two assistants and phone numbers;
 * returns its id. */
int store_seed_demo(int64_t *account_id_out);

#endif
