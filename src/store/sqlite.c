/*
 * sqlite.c - the store on SQLite (see store.h).
 *
 * Every thread owns one connection, opened lazily from the process-wide path
 * that store_open() sets; a path change bumps a generation counter and each
 * thread reopens on its next call. Statements are prepared once per
 * connection (SQLITE_PREPARE_PERSISTENT) into a table indexed by enum
 * stmt_id, and reset after each use. Store functions that write several rows
 * run in BEGIN IMMEDIATE, or in a SAVEPOINT when the caller already holds a
 * transaction (store_tx), so they compose.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sodium.h>
#include "store/store.h"
#include "store/assistant_settings.h"
#include "store/call_status.h"
#include "store/migrations.h"
#include "base/util.h"

#define NOW SQL_NOW

/* ------------------------------------------------------------------------
 * Statement table
 * ---------------------------------------------------------------------- */

/* The assistant columns, in the order acols[] below describes them. */
#define ASSISTANT_SELECT \
	"SELECT a.id, a.assistant_name, a.calls_direction, a.engine_type," \
	" a.voice_id, a.language, a.llm_model, a.phone_number_id, a.timezone," \
	" a.initial_message, a.system_prompt, a.webhook_url, a.settings," \
	" (SELECT json_group_array(tool_id) FROM (SELECT tool_id" \
	"   FROM assistant_tools WHERE assistant_id = a.id ORDER BY tool_id))," \
	" a.created_at, a.updated_at FROM assistants a "

/* Calls: the columns call_json() reads, and list_calls' filters. */
/* the lead statuses a campaign's dialer calls */
#define LEAD_TO_CALL "('created','scheduled','rescheduled')"
#define CALL_SELECT \
	"SELECT c.id, c.assistant_id, a.assistant_name, c.campaign_id, cp.name," \
	" c.lead_id, c.type, c.duration, c.from_number, c.to_number, c.status," \
	" c.end_reason, (SELECT json_group_array(json_object('text', t.text," \
	"   'type', 'transcript', 'sender', t.sender, 'timestamp', t.ts))" \
	"   FROM (SELECT text, sender, ts FROM call_transcripts" \
	"   WHERE call_id = c.id ORDER BY seq) t)," \
	" c.variables, c.evaluation, c.webhook_response, c.carrier_cost_micros," \
	" c.total_cost_micros, c.answered_by, c.recording_path, c.started_at," \
	" c.answered_at, c.ended_at, c.created_at, c.updated_at FROM calls c" \
	" LEFT JOIN assistants a ON a.id = c.assistant_id" \
	" LEFT JOIN campaigns cp ON cp.id = c.campaign_id "
#define CALL_WHERE \
	"WHERE c.account_id = ?1 AND (?2 IS NULL OR c.status = ?2)" \
	" AND (?3 IS NULL OR c.type = ?3)" \
	" AND (?4 IS NULL OR c.to_number = ?4 OR c.from_number = ?4)" \
	" AND (?5 IS NULL OR c.assistant_id = ?5)" \
	" AND (?6 IS NULL OR c.campaign_id = ?6)" \
	" AND (?7 IS NULL OR c.created_at >= ?7)" \
	" AND (?8 IS NULL OR c.created_at < date(?8, '+1 day')) "

/* Campaigns, in campaign_json() order. */
#define CAMPAIGN_SELECT \
	"SELECT cp.id, cp.name, cp.status, cp.assistant_id, a.assistant_name," \
	" cp.timezone, cp.max_calls_in_parallel, cp.allowed_hours_start_time," \
	" cp.allowed_hours_end_time, cp.allowed_days, cp.max_retries," \
	" cp.retry_interval, cp.retry_on_voicemail, cp.retry_on_goal_incomplete," \
	" cp.goal_completion_variable, cp.mark_complete_when_no_leads," \
	" cp.phone_number_ids," \
	" (SELECT count(*) FROM leads l WHERE l.campaign_id = cp.id)," \
	" (SELECT count(*) FROM leads l WHERE l.campaign_id = cp.id" \
	"   AND l.status IN ('created','scheduled'))," \
	" cp.started_at, cp.stopped_at, cp.created_at, cp.updated_at," \
	" cp.status_reason" \
	" FROM campaigns cp LEFT JOIN assistants a ON a.id = cp.assistant_id "

/* Leads, in lead_json() order, and list_leads' filters. */
#define LEAD_SELECT \
	"SELECT l.id, l.campaign_id, l.phone_number, l.variables, l.status," \
	" l.created_at, l.updated_at, cp.name, l.secondary_contacts, l.approved" \
	" FROM leads l LEFT JOIN campaigns cp ON cp.id = l.campaign_id "
#define LEAD_WHERE \
	"WHERE l.account_id = ?1 AND (?2 IS NULL OR l.status = ?2)" \
	" AND (?3 IS NULL OR l.campaign_id = ?3)" \
	" AND (?4 IS NULL OR l.phone_number = ?4) "

/* Mid-call tools, in midtool_json() order. */
#define MT_SELECT \
	"SELECT t.id, t.name, t.description, t.endpoint, t.method, t.timeout," \
	" t.headers, t.schema, (SELECT json_group_array(assistant_id) FROM" \
	" (SELECT assistant_id FROM assistant_tools WHERE tool_id = t.id" \
	" ORDER BY assistant_id)), t.created_at, t.updated_at, t.settings" \
	" FROM mid_call_tools t "

#define STMTS(X) \
	X(PING, "SELECT 1") \
	X(BEGIN, "BEGIN IMMEDIATE") \
	X(COMMIT, "COMMIT") \
	X(ROLLBACK, "ROLLBACK") \
	X(SAVEPOINT, "SAVEPOINT store_sp") \
	X(RELEASE, "RELEASE store_sp") \
	X(ROLLBACK_TO, "ROLLBACK TO store_sp") \
	X(VERSION_GET, "SELECT coalesce(max(version), 0) FROM schema_version") \
	X(VERSION_ADD, "INSERT INTO schema_version (version) VALUES (?1)") \
	\
	X(ACCOUNT_INSERT, "INSERT INTO accounts (name, timezone, balance_micros)" \
	  " VALUES (?1, ?2, ?3)") \
	X(ACCOUNT_GET, "SELECT id, name, timezone, balance_micros, created_at" \
	  " FROM accounts WHERE id = ?1") \
	X(ACCOUNT_LIST, "SELECT id, name, timezone, balance_micros, created_at" \
	  " FROM accounts ORDER BY id") \
	X(ACCOUNT_BY_NAME, "SELECT id FROM accounts WHERE name = ?1" \
	  " ORDER BY id LIMIT 1") \
	X(USAGE_MONTH, "WITH b(lo, hi) AS (SELECT" \
	  " strftime('%Y-%m-%dT%H:%M:%S', 'now', 'start of month')," \
	  " strftime('%Y-%m-%dT%H:%M:%S', 'now', 'start of month', '+1 month'))" \
	  " SELECT strftime('%Y-%m', 'now')," \
	  " (SELECT count(*) FROM calls, b WHERE account_id = ?1" \
	  "   AND created_at >= lo AND created_at < hi)," \
	  " (SELECT coalesce(sum(total_cost_micros), 0) FROM calls, b" \
	  "   WHERE account_id = ?1 AND created_at >= lo AND created_at < hi)," \
	  " (SELECT count(*) FROM sms, b WHERE account_id = ?1" \
	  "   AND created_at >= lo AND created_at < hi)," \
	  " (SELECT coalesce(sum(cost_micros), 0) FROM sms, b" \
	  "   WHERE account_id = ?1 AND created_at >= lo AND created_at < hi)") \
	\
	X(KEY_INSERT, "INSERT INTO api_keys (account_id, prefix, hash, scopes," \
	  " label) VALUES (?1, ?2, ?3, ?4, ?5)") \
	X(KEY_BY_PREFIX, "SELECT id, account_id, prefix, hash, scopes," \
	  " revoked_at IS NOT NULL, coalesce(unixepoch(last_used_at), 0), created_at" \
	  " FROM api_keys WHERE prefix = ?1") \
	X(KEY_TOUCH, "UPDATE api_keys SET last_used_at = " NOW " WHERE prefix = ?1") \
	X(KEY_LIST, "SELECT prefix, account_id, scopes, label, created_at," \
	  " revoked_at, last_used_at FROM api_keys" \
	  " WHERE ?1 = 0 OR account_id = ?1 ORDER BY id") \
	X(KEY_REVOKE, "UPDATE api_keys SET revoked_at = " NOW \
	  " WHERE prefix = ?1 AND revoked_at IS NULL") \
	\
	X(MODELS_LIST, "SELECT id, name, provider, context_window, description" \
	  " FROM models ORDER BY id") \
	X(VOICES_LIST, "SELECT id, name, mode, provider, language, gender" \
	  " FROM voices WHERE ?1 IS NULL OR mode = ?1 OR mode = 'both'" \
	  " ORDER BY id") \
	X(LANGUAGES_LIST, "SELECT id, name, iso_2 FROM languages ORDER BY id") \
	X(VOICE_EXISTS, "SELECT 1 FROM voices WHERE id = ?1") \
	X(MODEL_SEED, "INSERT OR IGNORE INTO models (id, name, provider," \
	  " context_window, description) VALUES (?1, ?2, ?3, ?4, ?5)") \
	X(VOICE_SEED, "INSERT OR IGNORE INTO voices (id, name, mode, provider," \
	  " language, gender) VALUES (?1, ?2, ?3, ?4, ?5, ?6)") \
	X(LANGUAGE_SEED, "INSERT OR IGNORE INTO languages (id, name, iso_2)" \
	  " VALUES (?1, ?2, ?3)") \
	\
	X(ASSISTANT_COUNT, "SELECT count(*) FROM assistants WHERE account_id = ?1" \
	  " AND (?2 IS NULL OR calls_direction = ?2)") \
	X(ASSISTANT_PAGE, ASSISTANT_SELECT "WHERE a.account_id = ?1" \
	  " AND (?4 IS NULL OR a.calls_direction = ?4)" \
	  " ORDER BY a.id LIMIT ?2 OFFSET ?3") \
	X(ASSISTANT_GET, ASSISTANT_SELECT "WHERE a.account_id = ?1 AND a.id = ?2") \
	X(ASSISTANT_INSERT, "INSERT INTO assistants (account_id, assistant_name," \
	  " calls_direction, engine_type, voice_id, language, llm_model," \
	  " phone_number_id, timezone, initial_message, system_prompt," \
	  " webhook_url, settings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8," \
	  " coalesce(?9, (SELECT timezone FROM accounts WHERE id = ?1))," \
	  " ?10, ?11, ?12, ?13)") \
	X(ASSISTANT_UPDATE, "UPDATE assistants SET assistant_name = ?3," \
	  " calls_direction = ?4, engine_type = ?5, voice_id = ?6," \
	  " language = ?7, llm_model = ?8, phone_number_id = ?9," \
	  " timezone = ?10, initial_message = ?11, system_prompt = ?12," \
	  " webhook_url = ?13, settings = ?14, updated_at = " NOW \
	  " WHERE account_id = ?1 AND id = ?2") \
	X(ASSISTANT_DELETE, "DELETE FROM assistants" \
	  " WHERE account_id = ?1 AND id = ?2") \
	X(ATOOLS_CLEAR, "DELETE FROM assistant_tools WHERE assistant_id = ?1") \
	X(ATOOLS_ADD, "INSERT OR IGNORE INTO assistant_tools" \
	  " (assistant_id, tool_id) VALUES (?1, ?2)") \
	X(TOOL_OWNED, "SELECT 1 FROM mid_call_tools" \
	  " WHERE id = ?1 AND account_id = ?2") \
	X(PHONE_OWNED, "SELECT 1 FROM phone_numbers" \
	  " WHERE id = ?1 AND account_id = ?2") \
	\
	X(PHONES_LIST, "SELECT id, phone_number, country_code, type," \
	  " sms_capable, assistant_id FROM phone_numbers WHERE account_id = ?1" \
	  " AND (?2 IS NULL OR type = ?2) ORDER BY id") \
	X(PHONE_INSERT, "INSERT INTO phone_numbers (account_id, phone_number," \
	  " country_code, type, sms_capable) VALUES (?1, ?2, ?3, ?4, ?5)") \
	X(OFFICE_HOURS_SET, "INSERT INTO office_hours (assistant_id, schedule)" \
	  " VALUES (?1, ?2) ON CONFLICT (assistant_id) DO UPDATE SET" \
	  " schedule = excluded.schedule, updated_at = " NOW) \
	\
	X(AUDIT_INSERT, "INSERT INTO audit (ts, account_id, key_prefix, tool," \
	  " transport, args, outcome, error, duration_ms)" \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)") \
	X(AUDIT_LIST, "SELECT ts, key_prefix, tool, transport, args, outcome," \
	  " error, duration_ms FROM audit WHERE account_id = ?1" \
	  " ORDER BY ts DESC, id DESC LIMIT ?2") \
	X(AUDIT_LIST_ALL, "SELECT ts, key_prefix, tool, transport, args, outcome," \
	  " error, duration_ms FROM audit ORDER BY ts DESC, id DESC LIMIT ?2") \
	X(AUDIT_PRUNE, "DELETE FROM audit WHERE id IN (SELECT id FROM audit" \
	  " WHERE ts < ?1 ORDER BY ts LIMIT ?2)") \
	\
	X(CONFIRM_INSERT, "INSERT INTO confirmations (account_id, token_hash," \
	  " tool, args_hash, expires_at, preview_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)") \
	X(CONFIRM_GET, "SELECT id, tool, args_hash, expires_at, used_at IS NOT NULL," \
	  " preview_hash FROM confirmations WHERE account_id = ?1 AND token_hash = ?2") \
	X(CONFIRM_USE, "UPDATE confirmations SET used_at = " NOW \
	  " WHERE id = ?1 AND used_at IS NULL") \
	X(CONFIRM_PURGE, "DELETE FROM confirmations WHERE expires_at < ?1") \
	X(IDEM_INSERT, "INSERT INTO idempotency (account_id, tool, key, args_hash)" \
	  " VALUES (?1, ?2, ?3, ?4)") \
	X(IDEM_GET, "SELECT args_hash, result FROM idempotency" \
	  " WHERE account_id = ?1 AND tool = ?2 AND key = ?3") \
	X(IDEM_FINISH, "UPDATE idempotency SET result = ?4" \
	  " WHERE account_id = ?1 AND tool = ?2 AND key = ?3") \
	X(IDEM_RELEASE, "DELETE FROM idempotency WHERE account_id = ?1" \
	  " AND tool = ?2 AND key = ?3 AND result IS NULL") \
	\
	X(PHONE_GET, "SELECT id, phone_number, type, sms_capable, trunk" \
	  " FROM phone_numbers WHERE account_id = ?1 AND id = ?2") \
	X(BALANCE_TAKE, "UPDATE accounts SET balance_micros = balance_micros - ?2" \
	  " WHERE id = ?1 AND balance_micros >= ?2") \
	X(BALANCE_ADD, "UPDATE accounts SET balance_micros = balance_micros + ?2" \
	  " WHERE id = ?1") \
	\
	X(CALL_INSERT, "INSERT INTO calls (account_id, assistant_id, campaign_id," \
	  " lead_id, type, direction, from_number, to_number, variables," \
	  " idempotency_key) VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?5 = 'inbound'" \
	  " THEN 'inbound' ELSE 'outbound' END, ?6, ?7, coalesce(?8, '{}'), ?9)") \
	X(CALL_GET, CALL_SELECT "WHERE c.account_id = ?1 AND c.id = ?2") \
	X(CALL_COUNT, "SELECT count(*) FROM calls c " CALL_WHERE) \
	X(CALL_PAGE, CALL_SELECT CALL_WHERE "ORDER BY c.id DESC LIMIT ?9 OFFSET ?10") \
	X(CALL_DELETE, "DELETE FROM calls WHERE account_id = ?1 AND id = ?2" \
	  " AND status NOT IN " CALL_STATUS_LIVE_SQL) \
	X(CALL_OWNED, "SELECT 1 FROM calls WHERE id = ?1 AND account_id = ?2") \
	X(CALL_DIAL, "SELECT c.account_id, c.status, coalesce(c.from_number, '')," \
	  " coalesce(c.to_number, ''), coalesce(p.trunk, '') FROM calls c" \
	  " LEFT JOIN phone_numbers p ON p.phone_number = c.from_number" \
	  " AND p.account_id = c.account_id WHERE c.id = ?1") \
	X(CALL_STATUS, "UPDATE calls SET status = ?2, end_reason = coalesce(?3," \
	  " end_reason), ended_at = CASE WHEN ?2 IN " CALL_STATUS_LIVE_SQL " THEN ended_at" \
	  " ELSE " NOW " END, updated_at = " NOW " WHERE id = ?1 AND status IN " \
	  CALL_STATUS_LIVE_SQL) \
	\
	X(CAMPAIGN_LIST, CAMPAIGN_SELECT "WHERE cp.account_id = ?1 ORDER BY cp.id") \
	X(CAMPAIGN_GET, CAMPAIGN_SELECT "WHERE cp.account_id = ?1 AND cp.id = ?2") \
	X(CAMPAIGN_INSERT, "INSERT INTO campaigns (account_id, name, assistant_id," \
	  " timezone, max_calls_in_parallel, allowed_hours_start_time," \
	  " allowed_hours_end_time, allowed_days, max_retries, retry_interval," \
	  " retry_on_voicemail, retry_on_goal_incomplete, goal_completion_variable," \
	  " mark_complete_when_no_leads, phone_number_ids) VALUES (?1, ?2, ?3," \
	  " coalesce(?4, (SELECT timezone FROM accounts WHERE id = ?1)), ?5, ?6," \
	  " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)") \
	X(CAMPAIGN_DELETE, "DELETE FROM campaigns WHERE account_id = ?1" \
	  " AND id = ?2 AND status <> 'in-progress'") \
	X(CAMPAIGN_OWNED, "SELECT 1 FROM campaigns WHERE id = ?1 AND account_id = ?2") \
	X(CAMPAIGN_STATE, "SELECT cp.status, (SELECT count(*) FROM leads l" \
	  " WHERE l.campaign_id = cp.id AND l.status IN ('created','scheduled'))," \
	  " (SELECT balance_micros FROM accounts WHERE id = cp.account_id)" \
	  " FROM campaigns cp WHERE cp.account_id = ?1 AND cp.id = ?2") \
	X(CAMPAIGN_SET_STATUS, "UPDATE campaigns SET status = ?3, started_at =" \
	  " CASE WHEN ?3 = 'in-progress' THEN " NOW " ELSE started_at END," \
	  " stopped_at = CASE WHEN ?3 = 'stopped' THEN " NOW " ELSE stopped_at END," \
	  " status_reason = CASE WHEN ?3 = 'in-progress' THEN NULL ELSE status_reason END," \
	  " updated_at = " NOW " WHERE account_id = ?1 AND id = ?2") \
	X(LEADS_SCHEDULE, "UPDATE leads SET status = 'scheduled', updated_at = " \
	  NOW " WHERE campaign_id = ?1 AND status = 'created' AND approved = 1") \
	/* what a start would approve (store_campaign_priced): ?2 = running */ \
	X(LEADS_PRICED, "SELECT id FROM leads WHERE campaign_id = ?1 AND status IN " \
	  LEAD_TO_CALL " AND (?2 = 0 OR approved = 0) ORDER BY id") \
	X(LEADS_APPROVE_ALL, "UPDATE leads SET approved = (status IN " LEAD_TO_CALL \
	  ") WHERE campaign_id = ?1") \
	X(LEADS_APPROVE_NEW, "UPDATE leads SET approved = 1 WHERE campaign_id = ?1" \
	  " AND status IN " LEAD_TO_CALL " AND approved = 0") \
	X(LEADS_UNSCHEDULE, "UPDATE leads SET status = 'created', updated_at = " \
	  NOW " WHERE campaign_id = ?1 AND status = 'scheduled'") \
	X(CALLS_CANCEL, "UPDATE calls SET status = 'ended', end_reason =" \
	  " 'campaign stopped', ended_at = " NOW ", updated_at = " NOW \
	  " WHERE campaign_id = ?1 AND status IN " CALL_STATUS_LIVE_SQL) \
	\
	X(LEAD_GET, LEAD_SELECT "WHERE l.account_id = ?1 AND l.id = ?2") \
	X(LEAD_COUNT, "SELECT count(*) FROM leads l " LEAD_WHERE) \
	X(LEAD_PAGE, LEAD_SELECT LEAD_WHERE "ORDER BY l.id LIMIT ?5 OFFSET ?6") \
	X(LEAD_DUP, "SELECT 1 FROM leads WHERE campaign_id = ?1" \
	  " AND phone_number = ?2 AND id <> ?3 LIMIT 1") \
	X(LEAD_INSERT, "INSERT INTO leads (account_id, campaign_id, phone_number," \
	  " variables) VALUES (?1, ?2, ?3, coalesce(?4, '{}'))") \
	X(LEAD_ROW, "SELECT campaign_id, phone_number, variables, status" \
	  " FROM leads WHERE account_id = ?1 AND id = ?2") \
	X(LEAD_UPDATE, "UPDATE leads SET campaign_id = ?3, phone_number = ?4," \
	  " variables = ?5, status = ?6, approved = approved AND ?7," \
	  " updated_at = " NOW " WHERE account_id = ?1 AND id = ?2") \
	X(LEAD_DELETE, "DELETE FROM leads WHERE account_id = ?1 AND id = ?2") \
	\
	X(SMS_INSERT, "INSERT INTO sms (account_id, phone_number_id, from_number," \
	  " to_number, body, segments, encoding, cost_micros, status," \
	  " idempotency_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'sending', ?9)") \
	X(SMS_SENT, "UPDATE sms SET status = ?3, provider_id = ?4, updated_at = " \
	  NOW " WHERE account_id = ?1 AND id = ?2") \
	X(SMS_COST, "SELECT cost_micros FROM sms WHERE account_id = ?1 AND id = ?2" \
	  " AND status = 'sending'") \
	X(SMS_FAIL, "UPDATE sms SET status = 'failed', error = ?3, cost_micros = 0," \
	  " updated_at = " NOW " WHERE account_id = ?1 AND id = ?2") \
	X(SMS_GET, "SELECT id, phone_number_id, from_number, to_number, body," \
	  " segments, encoding, cost_micros, status, provider_id, error," \
	  " created_at, updated_at FROM sms WHERE account_id = ?1 AND id = ?2") \
	\
	X(MT_LIST, MT_SELECT "WHERE t.account_id = ?1 ORDER BY t.id") \
	X(MT_GET, MT_SELECT "WHERE t.account_id = ?1 AND t.id = ?2") \
	X(MT_INSERT, "INSERT INTO mid_call_tools (account_id, name, description," \
	  " endpoint, method, timeout, headers, schema, settings) VALUES (?1, ?2, ?3," \
	  " coalesce(?4, ''), coalesce(?5, 'POST'), coalesce(?6, 10), coalesce(?7, '[]')," \
	  " coalesce(?8, '[]'), coalesce(?9, '{}'))") \
	X(MT_UPDATE, "UPDATE mid_call_tools SET name = coalesce(?3, name)," \
	  " description = coalesce(?4, description), endpoint = coalesce(?5," \
	  " endpoint), method = coalesce(?6, method), timeout = coalesce(?7," \
	  " timeout), headers = coalesce(?8, headers), schema = coalesce(?9," \
	  " schema), settings = coalesce(?10, settings), updated_at = " NOW \
	  " WHERE account_id = ?1 AND id = ?2") \
	X(MT_DELETE, "DELETE FROM mid_call_tools WHERE account_id = ?1 AND id = ?2")

#define STMT_ENUM(name, sql) ST_##name,
#define STMT_SQL(name, sql) sql,
enum stmt_id { STMTS(STMT_ENUM) ST__COUNT };
static const char *const stmt_sql[ST__COUNT] = { STMTS(STMT_SQL) };

/* ------------------------------------------------------------------------
 * Connections
 * ---------------------------------------------------------------------- */

struct conn {
	sqlite3 *db;
	unsigned gen;                 /* g_gen when opened */
	sqlite3_stmt *st[ST__COUNT];  /* prepared on first use */
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_path[PATH_MAX];         /* guarded by g_mu */
static atomic_uint g_gen;             /* bumped when g_path changes */
static pthread_once_t g_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_key;           /* closes a forgotten connection */

static _Thread_local struct conn *t_conn;

static void conn_close(struct conn *c)
{
	if (!c)
		return;
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(c->st[i]);
	if (sqlite3_close(c->db) != SQLITE_OK)
		fprintf(stderr, "store: cannot close database: %s\n",
			sqlite3_errmsg(c->db));
	free(c);
}

/* A thread that exits without store_thread_release() still closes. */
static void conn_destructor(void *p)
{
	if (t_conn == p)
		t_conn = NULL;
	conn_close(p);
}

static void key_init(void)
{
	if (pthread_key_create(&g_key, conn_destructor))
		fprintf(stderr, "store: cannot create thread key\n");
}

static void conn_drop(void)
{
	if (!t_conn)
		return;
	pthread_setspecific(g_key, NULL);
	conn_close(t_conn);
	t_conn = NULL;
}

/* This thread's connection, (re)opened when missing or stale. Errors go to
 * err when given, else to stderr. */
static struct conn *conn_get_err(char *err, size_t errlen)
{
	char path[sizeof g_path];
	struct conn *c = NULL;
	unsigned gen = atomic_load(&g_gen);
	int rc;

	if (t_conn && t_conn->gen == gen)
		return t_conn;
	conn_drop();

	pthread_mutex_lock(&g_mu);
	snprintf(path, sizeof path, "%s", g_path);
	gen = atomic_load(&g_gen);
	pthread_mutex_unlock(&g_mu);

	char msg[sizeof g_path + 256] = "";
	if (!path[0]) {
		snprintf(msg, sizeof msg, "store is not open");
		goto fail;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(msg, sizeof msg, "cannot open database '%s': out of memory",
			 path);
		goto fail;
	}
	c->gen = gen;
	rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(msg, sizeof msg, "cannot open database '%s': %s", path,
			 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, 5000);
	rc = sqlite3_exec(c->db, "PRAGMA journal_mode=WAL;"
			  "PRAGMA synchronous=NORMAL;"
			  "PRAGMA foreign_keys=ON;", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(msg, sizeof msg, "cannot open database '%s': %s", path,
			 sqlite3_errmsg(c->db));
		goto fail;
	}
	pthread_once(&g_key_once, key_init);
	pthread_setspecific(g_key, c);
	t_conn = c;
	return c;
fail:
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	else
		fprintf(stderr, "store: %s\n", msg);
	if (c) {
		sqlite3_close(c->db);
		free(c);
	}
	return NULL;
}

static struct conn *conn_get(void)
{
	return conn_get_err(NULL, 0);
}

/* The cached statement `id` of this thread's connection; NULL (logged) on
 * error. Callers hand it back with stmt_done(). */
static sqlite3_stmt *stmt(enum stmt_id id)
{
	struct conn *c = conn_get();

	if (!c)
		return NULL;
	if (!c->st[id] &&
	    sqlite3_prepare_v3(c->db, stmt_sql[id], -1,
			       SQLITE_PREPARE_PERSISTENT, &c->st[id],
			       NULL) != SQLITE_OK) {
		fprintf(stderr, "store: cannot prepare statement %d: %s\n",
			(int)id, sqlite3_errmsg(c->db));
		c->st[id] = NULL;
	}
	return c->st[id];
}

static void stmt_done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* Map a failed sqlite3_step() to a STORE_* code; only real database
 * errors are logged, constraint violations are the caller's answer. */
static int step_fail(sqlite3_stmt *st, int rc, const char *what)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return STORE_CONFLICT;
	default:
		break;
	}
	if ((rc & 0xff) == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_MISMATCH)
		return STORE_INVALID;
	fprintf(stderr, "store: %s: %s\n", what,
		sqlite3_errmsg(sqlite3_db_handle(st)));
	return STORE_ERR;
}

/* Step a statement that returns no rows; reset it either way. */
static int stmt_exec(sqlite3_stmt *st, const char *what)
{
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK
						    : step_fail(st, rc, what);
	stmt_done(st);
	return rc;
}

/* Is there a row for a "SELECT 1 ... WHERE id = ?1 AND account_id = ?2"?
 * 1 yes, 0 no, STORE_ERR. */
static int row_exists(enum stmt_id id, int64_t a, int64_t b, const char *what)
{
	sqlite3_stmt *st = stmt(id);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0
					: step_fail(st, rc, what);
	stmt_done(st);
	return rc;
}

/* ---- transactions ----------------------------------------------------- */

struct tx {
	int nested;   /* a SAVEPOINT inside the caller's transaction */
};

static int tx_begin(struct tx *t)
{
	struct conn *c = conn_get();

	if (!c)
		return STORE_ERR;
	t->nested = !sqlite3_get_autocommit(c->db);
	return stmt_exec(stmt(t->nested ? ST_SAVEPOINT : ST_BEGIN),
			 "cannot begin transaction");
}

/* Commit when rc == 0, else roll back; returns rc or the commit error. */
static int tx_end(struct tx *t, int rc)
{
	if (rc == STORE_OK) {
		rc = stmt_exec(stmt(t->nested ? ST_RELEASE : ST_COMMIT),
			       "cannot commit transaction");
		if (rc == STORE_OK)
			return rc;
	}
	if (t->nested) {
		stmt_exec(stmt(ST_ROLLBACK_TO), "cannot roll back savepoint");
		stmt_exec(stmt(ST_RELEASE), "cannot release savepoint");
	} else {
		struct conn *c = conn_get();
		if (c && !sqlite3_get_autocommit(c->db))
			stmt_exec(stmt(ST_ROLLBACK), "cannot roll back");
	}
	return rc;
}

/* ---- binding and reading ------------------------------------------------ */

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Bind a JSON value: scalars as SQL scalars, containers as JSON text. */
static int bind_json(sqlite3_stmt *st, int i, const json_t *v)
{
	char *s;

	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		return sqlite3_bind_text(st, i, json_string_value(v),
					 (int)json_string_length(v),
					 SQLITE_TRANSIENT);
	case JSON_INTEGER:
		return sqlite3_bind_int64(st, i, json_integer_value(v));
	case JSON_REAL:
		return sqlite3_bind_double(st, i, json_real_value(v));
	case JSON_TRUE:
		return sqlite3_bind_int(st, i, 1);
	case JSON_FALSE:
		return sqlite3_bind_int(st, i, 0);
	case JSON_OBJECT:
	case JSON_ARRAY:
		s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15));
		if (!s)
			return SQLITE_NOMEM;
		return sqlite3_bind_text(st, i, s, -1, free);
	default:
		return sqlite3_bind_null(st, i);
	}
}

/* A column as a JSON scalar (NULL -> null). */
static json_t *col_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, i));
	case SQLITE_TEXT:
		return json_stringn((const char *)sqlite3_column_text(st, i),
				    (size_t)sqlite3_column_bytes(st, i));
	default:
		return json_null();
	}
}

/* A JSON-text column parsed; `dflt` ("{}" / "[]" / NULL for null) when it
 * is NULL or not JSON. */
static json_t *col_doc(sqlite3_stmt *st, int i, const char *dflt)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	json_t *v = s ? json_loadb(s, (size_t)sqlite3_column_bytes(st, i),
				   JSON_DECODE_ANY, NULL) : NULL;

	if (v)
		return v;
	if (!dflt)
		return json_null();
	return json_loads(dflt, 0, NULL);
}

static json_t *col_bool(sqlite3_stmt *st, int i)
{
	return json_boolean(sqlite3_column_int(st, i) != 0);
}

static void col_copy(char *dst, size_t n, sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	snprintf(dst, n, "%s", s ? s : "");
}

/* ------------------------------------------------------------------------
 * Lifecycle
 * ---------------------------------------------------------------------- */

/* Every row of a bound statement as row(st), in an array (NULL, logged, on
 * a database error); hands the statement back. */
static json_t *collect_rows(sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *),
			    const char *what)
{
	json_t *arr = json_array();
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, row(st));
	if (rc != SQLITE_DONE) {
		step_fail(st, rc, what);
		json_decref(arr);
		arr = NULL;
	}
	stmt_done(st);
	return arr;
}

/* Process-wide SQLite settings, before the library initialises: no global
 * memory statistics (a global mutex on every allocation), and connections
 * without their own mutexes (each is used by one thread only). */
static void sqlite_config(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_initialize();
}

int store_open(const char *path, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, sqlite_config);
	if (!path || !path[0] || strlen(path) >= sizeof g_path) {
		if (err && errlen)
			snprintf(err, errlen, "cannot open database '%s': %s",
				 path ? path : "", "bad path");
		return STORE_INVALID;
	}
	pthread_mutex_lock(&g_mu);
	if (strcmp(g_path, path)) {
		snprintf(g_path, sizeof g_path, "%s", path);
		atomic_fetch_add(&g_gen, 1);
	}
	pthread_mutex_unlock(&g_mu);
	return conn_get_err(err, errlen) ? STORE_OK : STORE_ERR;
}

void store_thread_release(void)
{
	conn_drop();
}

int store_schema_latest(void)
{
	return (int)(sizeof(store_migrations) / sizeof(store_migrations[0]));
}

static int version_get(int *v)
{
	sqlite3_stmt *st = stmt(ST_VERSION_GET);
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		rc = STORE_OK;
	} else {
		rc = step_fail(st, rc, "cannot read schema version");
	}
	stmt_done(st);
	return rc;
}

/* Apply migration `v` (to version v + 1) unless another process did. */
static int migrate_one(struct conn *c, int v)
{
	sqlite3_stmt *st;
	struct tx t;
	char sql[64];
	int cur, rc;

	rc = tx_begin(&t);
	if (rc)
		return rc;
	rc = version_get(&cur);
	if (rc || cur > v)
		goto out;
	if (sqlite3_exec(c->db, store_migrations[v], NULL, NULL, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "store: cannot apply migration %d: %s\n", v + 1,
			sqlite3_errmsg(c->db));
		rc = STORE_ERR;
		goto out;
	}
	st = stmt(ST_VERSION_ADD);
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int(st, 1, v + 1);
	rc = stmt_exec(st, "cannot record schema version");
	if (rc)
		goto out;
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
	if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "store: cannot set user_version: %s\n",
			sqlite3_errmsg(c->db));
		rc = STORE_ERR;
	}
out:
	return tx_end(&t, rc);
}

int store_migrate(int *from, int *to)
{
	struct conn *c = conn_get();
	int latest = store_schema_latest(), v = 0, rc;

	if (!c)
		return STORE_ERR;
	if (sqlite3_exec(c->db, SQL_SCHEMA_VERSION_TABLE, NULL, NULL, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "store: cannot create schema_version: %s\n",
			sqlite3_errmsg(c->db));
		return STORE_ERR;
	}
	rc = version_get(&v);
	if (rc)
		return rc;
	if (from)
		*from = v;
	if (v > latest) {
		fprintf(stderr, "store: database schema version %d is newer "
			"than this program's %d\n", v, latest);
		return STORE_ERR;
	}
	for (; v < latest; v++) {
		rc = migrate_one(c, v);
		if (rc)
			return rc;
	}
	rc = version_get(&v);
	if (!rc && to)
		*to = v;
	return rc;
}

int store_ping(void)
{
	sqlite3_stmt *st = stmt(ST_PING);
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	rc = rc == SQLITE_ROW ? STORE_OK : step_fail(st, rc, "ping failed");
	stmt_done(st);
	return rc;
}

int store_tx(int (*fn)(void *arg), void *arg)
{
	struct tx t;
	int rc = tx_begin(&t);

	if (rc)
		return rc;
	return tx_end(&t, fn(arg));
}

/* ------------------------------------------------------------------------
 * Accounts
 * ---------------------------------------------------------------------- */

int store_account_create(const char *name, const char *tz,
			 int64_t balance_micros, int64_t *id_out)
{
	struct store_account *a = NULL;
	sqlite3_stmt *st;
	int rc;

	if (!name || !name[0] || strlen(name) >= sizeof(a->name) ||
	    (tz && strlen(tz) >= sizeof(a->timezone)))
		return STORE_INVALID;
	st = stmt(ST_ACCOUNT_INSERT);
	if (!st)
		return STORE_ERR;
	bind_text(st, 1, name);
	bind_text(st, 2, tz && tz[0] ? tz : "UTC");
	sqlite3_bind_int64(st, 3, balance_micros);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		if (id_out)
			*id_out = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
		rc = STORE_OK;
	} else {
		rc = step_fail(st, rc, "cannot create account");
	}
	stmt_done(st);
	return rc;
}

int store_account_get(int64_t id, struct store_account *out)
{
	sqlite3_stmt *st = stmt(ST_ACCOUNT_GET);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(st, 0);
		col_copy(out->name, sizeof out->name, st, 1);
		col_copy(out->timezone, sizeof out->timezone, st, 2);
		out->balance_micros = sqlite3_column_int64(st, 3);
		col_copy(out->created_at, sizeof out->created_at, st, 4);
		rc = STORE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = STORE_NOTFOUND;
	} else {
		rc = step_fail(st, rc, "cannot read account");
	}
	stmt_done(st);
	return rc;
}

json_t *store_account_list(void)
{
	sqlite3_stmt *st = stmt(ST_ACCOUNT_LIST);
	json_t *arr = NULL;
	int rc;

	if (!st)
		return NULL;
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:I, s:o}",
			"id", (json_int_t)sqlite3_column_int64(st, 0),
			"name", col_json(st, 1),
			"timezone", col_json(st, 2),
			"balance_micros", (json_int_t)sqlite3_column_int64(st, 3),
			"created_at", col_json(st, 4)));
	if (rc != SQLITE_DONE) {
		step_fail(st, rc, "cannot list accounts");
		json_decref(arr);
		arr = NULL;
	}
	stmt_done(st);
	return arr;
}

json_t *store_account_usage_month(int64_t account_id)
{
	sqlite3_stmt *st = stmt(ST_USAGE_MONTH);
	json_t *o = NULL;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		json_int_t calls_cost = sqlite3_column_int64(st, 2);
		json_int_t sms_cost = sqlite3_column_int64(st, 4);
		o = json_pack("{s:o, s:I, s:I, s:I, s:I, s:I}",
			      "month", col_json(st, 0),
			      "calls", (json_int_t)sqlite3_column_int64(st, 1),
			      "call_cost_micros", calls_cost,
			      "sms", (json_int_t)sqlite3_column_int64(st, 3),
			      "sms_cost_micros", sms_cost,
			      "total_cost_micros", calls_cost + sms_cost);
	} else {
		step_fail(st, rc, "cannot sum monthly usage");
	}
	stmt_done(st);
	return o;
}

/* ------------------------------------------------------------------------
 * API keys
 * ---------------------------------------------------------------------- */

int store_key_insert(int64_t account_id, const char *prefix,
		     const unsigned char hash[32], unsigned scopes,
		     const char *label)
{
	struct store_key *k = NULL;
	sqlite3_stmt *st;

	if (!prefix || !prefix[0] || strlen(prefix) >= sizeof(k->prefix) ||
	    !hash)
		return STORE_INVALID;
	st = stmt(ST_KEY_INSERT);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	bind_text(st, 2, prefix);
	sqlite3_bind_blob(st, 3, hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, scopes);
	bind_text(st, 5, label);
	return stmt_exec(st, "cannot insert api key");
}

int store_key_by_prefix(const char *prefix, struct store_key *out)
{
	sqlite3_stmt *st;
	int rc;

	if (!prefix)
		return STORE_NOTFOUND;
	st = stmt(ST_KEY_BY_PREFIX);
	if (!st)
		return STORE_ERR;
	bind_text(st, 1, prefix);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(st, 0);
		out->account_id = sqlite3_column_int64(st, 1);
		col_copy(out->prefix, sizeof out->prefix, st, 2);
		if (sqlite3_column_bytes(st, 3) == 32)
			memcpy(out->hash, sqlite3_column_blob(st, 3), 32);
		out->scopes = (unsigned)sqlite3_column_int64(st, 4);
		out->revoked = sqlite3_column_int(st, 5);
		out->last_used = sqlite3_column_int64(st, 6);
		col_copy(out->created_at, sizeof out->created_at, st, 7);
		rc = STORE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = STORE_NOTFOUND;
	} else {
		rc = step_fail(st, rc, "cannot look up api key");
	}
	stmt_done(st);
	return rc;
}

json_t *store_key_list(int64_t account_id)
{
	sqlite3_stmt *st = stmt(ST_KEY_LIST);
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack(
			"{s:o, s:I, s:I, s:o, s:o, s:o, s:o}",
			"prefix", col_json(st, 0),
			"account_id", (json_int_t)sqlite3_column_int64(st, 1),
			"scopes", (json_int_t)sqlite3_column_int64(st, 2),
			"label", col_json(st, 3),
			"created_at", col_json(st, 4),
			"revoked_at", col_json(st, 5),
			"last_used_at", col_json(st, 6)));
	if (rc != SQLITE_DONE) {
		step_fail(st, rc, "cannot list api keys");
		json_decref(arr);
		arr = NULL;
	}
	stmt_done(st);
	return arr;
}

int store_key_touch(const char *prefix)
{
	sqlite3_stmt *st = stmt(ST_KEY_TOUCH);

	if (!st)
		return STORE_ERR;
	bind_text(st, 1, prefix);
	return stmt_exec(st, "cannot note the api key's use");
}

int store_key_revoke(const char *prefix)
{
	sqlite3_stmt *st;
	int rc;

	if (!prefix)
		return STORE_NOTFOUND;
	st = stmt(ST_KEY_REVOKE);
	if (!st)
		return STORE_ERR;
	bind_text(st, 1, prefix);
	rc = stmt_exec(st, "cannot revoke api key");
	if (rc == STORE_OK && sqlite3_changes(sqlite3_db_handle(st)) == 0) {
		/* nothing changed: no such key, or one revoked before */
		sqlite3_stmt *q = sq_prep("SELECT 1 FROM api_keys WHERE prefix = ?1");
		if (!q)
			return STORE_ERR;
		sqlite3_bind_text(q, 1, prefix, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(q) == SQLITE_ROW ? STORE_CONFLICT : STORE_NOTFOUND;
		sqlite3_finalize(q);
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * Catalogs
 * ---------------------------------------------------------------------- */

json_t *store_models_list(void)
{
	sqlite3_stmt *st = stmt(ST_MODELS_LIST);
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:o, s:o}",
			"id", (json_int_t)sqlite3_column_int64(st, 0),
			"name", col_json(st, 1),
			"provider", col_json(st, 2),
			"context_window", col_json(st, 3),
			"description", col_json(st, 4)));
	if (rc != SQLITE_DONE) {
		step_fail(st, rc, "cannot list models");
		json_decref(arr);
		arr = NULL;
	}
	stmt_done(st);
	return arr;
}

json_t *store_voices_list(const char *mode)
{
	sqlite3_stmt *st = stmt(ST_VOICES_LIST);
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	bind_text(st, 1, mode);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack(
			"{s:I, s:o, s:o, s:o, s:o, s:o}",
			"id", (json_int_t)sqlite3_column_int64(st, 0),
			"name", col_json(st, 1),
			"mode", col_json(st, 2),
			"provider", col_json(st, 3),
			"language", col_json(st, 4),
			"gender", col_json(st, 5)));
	if (rc != SQLITE_DONE) {
		step_fail(st, rc, "cannot list voices");
		json_decref(arr);
		arr = NULL;
	}
	stmt_done(st);
	return arr;
}

json_t *store_languages_list(void)
{
	sqlite3_stmt *st = stmt(ST_LANGUAGES_LIST);
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:o, s:o}",
			"id", (json_int_t)sqlite3_column_int64(st, 0),
			"name", col_json(st, 1),
			"iso_2", col_json(st, 2)));
	if (rc != SQLITE_DONE) {
		step_fail(st, rc, "cannot list languages");
		json_decref(arr);
		arr = NULL;
	}
	stmt_done(st);
	return arr;
}

/* 1 when the voice exists, 0 when not, STORE_ERR. */
int store_voice_exists(int64_t id)
{
	sqlite3_stmt *st = stmt(ST_VOICE_EXISTS);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0
				: step_fail(st, rc, "cannot look up voice");
	stmt_done(st);
	return rc;
}

/* ------------------------------------------------------------------------
 * Assistants
 * ---------------------------------------------------------------------- */

/* The explicit columns, in ASSISTANT_SELECT order (after id). */
enum { ACOL_NAME, ACOL_N = 11 };
static const struct acol {
	const char *name;
	int is_int;          /* INTEGER id column, else TEXT */
	int notnull;         /* a JSON null is refused */
	const char *dflt;    /* value on insert when not given */
} acols[ACOL_N] = {
	{ "assistant_name",  0, 1, NULL },
	{ "calls_direction", 0, 1, "receive" },
	{ "engine_type",     0, 1, "pipeline" },
	{ "voice_id",        1, 0, NULL },
	{ "language",        0, 0, NULL },
	{ "llm_model",       0, 0, NULL },
	{ "phone_number_id", 1, 0, NULL },
	{ "timezone",        0, 0, NULL },
	{ "initial_message", 0, 0, NULL },
	{ "system_prompt",   0, 0, NULL },
	{ "webhook_url",     0, 0, NULL },
};
#define ACOL_PHONE 6

static json_t *assistant_json(sqlite3_stmt *st)
{
	json_t *o = json_object(), *settings, *tools, *v;
	const char *k;

	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
	json_object_set_new(o, "assistant_name", col_json(st, 1));
	json_object_set_new(o, "name", col_json(st, 1));
	for (int i = 1; i < ACOL_N; i++)
		json_object_set_new(o, acols[i].name, col_json(st, i + 1));
	tools = col_doc(st, 13, "[]");
	json_object_set_new(o, "tool_ids", json_is_array(tools) ? tools
				: (json_decref(tools), json_array()));

	settings = col_doc(st, 12, "{}");
	if (!json_is_object(settings)) {
		json_decref(settings);
		settings = json_object();
	}
	assistant_settings_fill(o, settings);	/* every shown setting, its default when unset */
	/* settings nobody declared yet are kept and shown */
	json_object_foreach(settings, k, v)
		if (!json_object_get(o, k))
			json_object_set(o, k, v);
	json_decref(settings);

	json_object_set_new(o, "created_at", col_json(st, 14));
	json_object_set_new(o, "updated_at", col_json(st, 15));
	return o;
}

json_t *store_assistant_page(int64_t account_id, int page, int per_page,
			     int64_t *total)
{
	return store_assistant_page_direction(account_id, NULL, page, per_page, total);
}

json_t *store_assistant_page_direction(int64_t account_id, const char *direction,
				       int page, int per_page, int64_t *total)
{
	sqlite3_stmt *st = stmt(ST_ASSISTANT_COUNT);
	int rc;

	if (!st)
		return NULL;
	if (per_page < 1)
		per_page = 1;
	if (per_page > 100)
		per_page = 100;
	if (page < 1)
		page = 1;

	sqlite3_bind_int64(st, 1, account_id);
	bind_text(st, 2, direction);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		step_fail(st, rc, "cannot count assistants");
		stmt_done(st);
		return NULL;
	}
	if (total)
		*total = sqlite3_column_int64(st, 0);
	stmt_done(st);

	st = stmt(ST_ASSISTANT_PAGE);
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, per_page);
	sqlite3_bind_int64(st, 3, (int64_t)(page - 1) * per_page);
	bind_text(st, 4, direction);
	return collect_rows(st, assistant_json, "cannot list assistants");
}

json_t *store_assistant_get(int64_t account_id, int64_t id)
{
	sqlite3_stmt *st = stmt(ST_ASSISTANT_GET);
	json_t *o = NULL;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		o = assistant_json(st);
	else if (rc != SQLITE_DONE)
		step_fail(st, rc, "cannot read assistant");
	stmt_done(st);
	return o;
}

/* An assistant row being written: column values (NULL = SQL NULL), the
 * settings document, and tool_ids when they are to be replaced. */
struct arow {
	json_t *col[ACOL_N];
	json_t *settings;
	json_t *tool_ids;
};

static void arow_release(struct arow *r)
{
	for (int i = 0; i < ACOL_N; i++)
		json_decref(r->col[i]);
	json_decref(r->settings);
	json_decref(r->tool_ids);
	memset(r, 0, sizeof(*r));
}

static int acol_find(const char *key)
{
	for (int i = 0; i < ACOL_N; i++)
		if (!strcmp(acols[i].name, key))
			return i;
	return -1;
}

/* Check tool_ids: an array of the account's mid-call tool ids. */
static int tool_ids_check(int64_t account_id, const json_t *ids)
{
	size_t i;
	json_t *v;
	int rc;

	if (!json_is_array(ids))
		return STORE_INVALID;
	json_array_foreach(ids, i, v) {
		if (!json_is_integer(v))
			return STORE_INVALID;
		rc = row_exists(ST_TOOL_OWNED, json_integer_value(v), account_id,
				"cannot look up mid-call tool");
		if (rc <= 0)
			return rc < 0 ? rc : STORE_INVALID;
	}
	return STORE_OK;
}

/* Apply `fields` (tool names) to the row: columns by name, tool_ids, and
 * everything else into settings; a JSON null clears. */
static int arow_apply(struct arow *r, int64_t account_id, const json_t *fields)
{
	json_t *f = (json_t *)fields, *v;
	const char *fkey;
	int rc;

	if (!json_is_object(f))
		return STORE_INVALID;
	json_object_foreach(f, fkey, v) {
		/* json_object_foreach steps on from fkey: never reassign it */
		const char *key = fkey;
		int i;

		if (!strcmp(key, "id") || !strcmp(key, "account_id") ||
		    !strcmp(key, "created_at") || !strcmp(key, "updated_at"))
			continue;
		if (!strcmp(key, "name")) {
			/* alias of assistant_name, which wins when both */
			if (json_object_get(f, "assistant_name"))
				continue;
			key = "assistant_name";
		}
		if (!strcmp(key, "tool_ids")) {
			json_t *ids = json_is_null(v) ? json_array() : json_incref(v);
			rc = tool_ids_check(account_id, ids);
			json_decref(r->tool_ids);
			r->tool_ids = ids;
			if (rc)
				return rc;
			continue;
		}
		i = acol_find(key);
		if (i >= 0) {
			if (json_is_null(v)) {
				if (acols[i].notnull)
					return STORE_INVALID;
				json_decref(r->col[i]);
				r->col[i] = NULL;
				continue;
			}
			if (acols[i].is_int ? !json_is_integer(v) : !json_is_string(v))
				return STORE_INVALID;
			if (i == ACOL_PHONE) {
				rc = row_exists(ST_PHONE_OWNED, json_integer_value(v),
						account_id, "cannot look up phone number");
				if (rc <= 0)
					return rc < 0 ? rc : STORE_INVALID;
			}
			json_decref(r->col[i]);
			r->col[i] = json_incref(v);
			continue;
		}
		if (json_is_null(v)) {
			json_object_del(r->settings, key);
			continue;
		}
		if (!assistant_settings_kind_ok(key, v))
			return STORE_INVALID;
		json_object_set(r->settings, key, v);
	}
	return STORE_OK;
}

/* Bind the columns to ?first.. and the settings right after them. */
static int arow_bind(const struct arow *r, sqlite3_stmt *st, int first)
{
	for (int i = 0; i < ACOL_N; i++)
		if (bind_json(st, first + i, r->col[i]) != SQLITE_OK)
			return STORE_ERR;
	return bind_json(st, first + ACOL_N, r->settings) == SQLITE_OK
		? STORE_OK : STORE_ERR;
}

static int tools_replace(int64_t assistant_id, const json_t *ids)
{
	sqlite3_stmt *st = stmt(ST_ATOOLS_CLEAR);
	size_t i;
	json_t *v;
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, assistant_id);
	rc = stmt_exec(st, "cannot clear assistant tools");
	json_array_foreach(ids, i, v) {
		if (rc)
			break;
		st = stmt(ST_ATOOLS_ADD);
		if (!st)
			return STORE_ERR;
		sqlite3_bind_int64(st, 1, assistant_id);
		sqlite3_bind_int64(st, 2, json_integer_value(v));
		rc = stmt_exec(st, "cannot attach assistant tool");
	}
	return rc;
}

int store_assistant_insert(int64_t account_id, const json_t *fields,
			   int64_t *id_out)
{
	struct arow r = { 0 };
	sqlite3_stmt *st;
	struct tx t;
	int64_t id = 0;
	int rc;

	rc = tx_begin(&t);
	if (rc)
		return rc;
	for (int i = 0; i < ACOL_N; i++)
		r.col[i] = acols[i].dflt ? json_string(acols[i].dflt) : NULL;
	r.settings = json_object();
	rc = arow_apply(&r, account_id, fields);
	if (rc)
		goto out;
	if (!r.col[ACOL_NAME]) {
		rc = STORE_INVALID;
		goto out;
	}
	st = stmt(ST_ASSISTANT_INSERT);
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	rc = arow_bind(&r, st, 2);
	if (rc) {
		stmt_done(st);
		goto out;
	}
	rc = stmt_exec(st, "cannot insert assistant");
	if (rc)
		goto out;
	id = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
	if (r.tool_ids)
		rc = tools_replace(id, r.tool_ids);
out:
	arow_release(&r);
	rc = tx_end(&t, rc);
	if (!rc && id_out)
		*id_out = id;
	return rc;
}

int store_assistant_update(int64_t account_id, int64_t id,
			   const json_t *fields)
{
	struct arow r = { 0 };
	sqlite3_stmt *st;
	struct tx t;
	int rc;

	rc = tx_begin(&t);
	if (rc)
		return rc;

	/* read the current row inside the transaction, merge, write back */
	st = stmt(ST_ASSISTANT_GET);
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		for (int i = 0; i < ACOL_N; i++) {
			json_t *v = col_json(st, i + 1);
			if (json_is_null(v)) {
				json_decref(v);
				v = NULL;
			}
			r.col[i] = v;
		}
		r.settings = col_doc(st, 12, "{}");
		if (!json_is_object(r.settings)) {
			json_decref(r.settings);
			r.settings = json_object();
		}
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND
				       : step_fail(st, rc, "cannot read assistant");
	}
	stmt_done(st);
	if (rc)
		goto out;

	rc = arow_apply(&r, account_id, fields);
	if (rc)
		goto out;
	st = stmt(ST_ASSISTANT_UPDATE);
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	rc = arow_bind(&r, st, 3);
	if (rc) {
		stmt_done(st);
		goto out;
	}
	rc = stmt_exec(st, "cannot update assistant");
	if (!rc && r.tool_ids)
		rc = tools_replace(id, r.tool_ids);
out:
	arow_release(&r);
	return tx_end(&t, rc);
}

int store_assistant_delete(int64_t account_id, int64_t id)
{
	sqlite3_stmt *st = stmt(ST_ASSISTANT_DELETE);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	rc = stmt_exec(st, "cannot delete assistant");
	if (rc == STORE_OK && sqlite3_changes(sqlite3_db_handle(st)) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

/* ------------------------------------------------------------------------
 * Phone numbers
 * ---------------------------------------------------------------------- */

json_t *store_phone_numbers_list(int64_t account_id, const char *type)
{
	sqlite3_stmt *st = stmt(ST_PHONES_LIST);
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	bind_text(st, 2, type);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 3);
		int free_number = sqlite3_column_type(st, 5) == SQLITE_NULL;

		json_array_append_new(arr, json_pack(
			"{s:I, s:o, s:o, s:o, s:s, s:b, s:o, s:o}",
			"id", (json_int_t)sqlite3_column_int64(st, 0),
			"phone_number", col_json(st, 1),
			"country_code", col_json(st, 2),
			"type", col_json(st, 3),
			"type_label", t && !strcmp(t, "inbound") ? "Inbound"
								: "Outbound",
			"is_available", free_number,
			"sms_capable", col_bool(st, 4),
			"assistant_id", col_json(st, 5)));
	}
	if (rc != SQLITE_DONE) {
		step_fail(st, rc, "cannot list phone numbers");
		json_decref(arr);
		arr = NULL;
	}
	stmt_done(st);
	return arr;
}

/* ------------------------------------------------------------------------
 * Audit
 * ---------------------------------------------------------------------- */

int store_audit_insert(const struct store_audit_row *rows, size_t n)
{
	struct tx t;
	int rc;

	if (!n)
		return STORE_OK;
	if (!rows)
		return STORE_INVALID;
	rc = tx_begin(&t);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct store_audit_row *a = &rows[i];
		sqlite3_stmt *st = stmt(ST_AUDIT_INSERT);

		if (!st) {
			rc = STORE_ERR;
			break;
		}
		sqlite3_bind_double(st, 1, a->ts);
		sqlite3_bind_int64(st, 2, a->account_id);
		bind_text(st, 3, a->key_prefix[0] ? a->key_prefix : NULL);
		bind_text(st, 4, a->tool);
		bind_text(st, 5, a->transport[0] ? a->transport : NULL);
		bind_text(st, 6, a->args_json);
		bind_text(st, 7, a->outcome);
		bind_text(st, 8, a->error);
		sqlite3_bind_double(st, 9, a->duration_ms);
		rc = stmt_exec(st, "cannot insert audit row");
	}
	return tx_end(&t, rc);
}

int store_audit_prune(double before, int limit)
{
	sqlite3_stmt *st = stmt(ST_AUDIT_PRUNE);
	int rc;

	if (!st)
		return STORE_ERR;
	if (limit < 1)
		return STORE_INVALID;
	sqlite3_bind_double(st, 1, before);
	sqlite3_bind_int(st, 2, limit);
	rc = stmt_exec(st, "cannot prune audit rows");
	return rc ? rc : sqlite3_changes(sqlite3_db_handle(st));
}

/* account_id 0 lists every account's rows (operator view). */
json_t *store_audit_list(int64_t account_id, int limit)
{
	sqlite3_stmt *st = stmt(account_id ? ST_AUDIT_LIST : ST_AUDIT_LIST_ALL);
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	if (limit < 1 || limit > 1000)
		limit = limit < 1 ? 100 : 1000;
	if (account_id)
		sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int(st, 2, limit);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *args = sqlite3_column_type(st, 4) == SQLITE_NULL
			? json_null() : col_doc(st, 4, NULL);
		if (json_is_null(args) && sqlite3_column_type(st, 4) != SQLITE_NULL) {
			/* not JSON: show it as it was recorded */
			json_decref(args);
			args = col_json(st, 4);
		}
		json_array_append_new(arr, json_pack(
			"{s:f, s:o, s:o, s:o, s:o, s:o, s:o, s:f}",
			"ts", sqlite3_column_double(st, 0),
			"key_prefix", col_json(st, 1),
			"tool", col_json(st, 2),
			"transport", col_json(st, 3),
			"arguments", args,
			"outcome", col_json(st, 5),
			"error", col_json(st, 6),
			"duration_ms", sqlite3_column_double(st, 7)));
	}
	if (rc != SQLITE_DONE) {
		step_fail(st, rc, "cannot list audit rows");
		json_decref(arr);
		arr = NULL;
	}
	stmt_done(st);
	return arr;
}

/* ------------------------------------------------------------------------
 * Demo data
 * ---------------------------------------------------------------------- */

static const struct {
	int id;
	const char *name, *provider;
	int context_window;
	const char *description;
} seed_models[] = {
	{ 1, "gpt-4o-mini", "openai-compatible", 128000,
	  "Fast, low-cost hosted model; good default for phone calls" },
	{ 2, "gpt-4o", "openai-compatible", 128000,
	  "Hosted flagship model for complex conversations" },
	{ 3, "llama-3.1-8b-instruct", "openai-compatible", 131072,
	  "Local model (llama.cpp, vLLM or Ollama) behind an OpenAI-compatible API" },
	{ 4, "llama-3.1-70b-instruct", "openai-compatible", 131072,
	  "Large local model for a GPU server" },
	{ 5, "qwen2.5-7b-instruct", "openai-compatible", 32768,
	  "Local multilingual model, strong on German and French" },
	{ 6, "mistral-7b-instruct-v0.3", "openai-compatible", 32768,
	  "Small local model with function calling" },
};

static const struct {
	int id;
	const char *name, *mode, *provider, *language, *gender;
} seed_voices[] = {
	{ 1, "en-us (espeak-ng)", "pipeline", "espeak-ng", "en", "male" },
	{ 2, "en-gb (espeak-ng)", "pipeline", "espeak-ng", "en", "male" },
	{ 3, "de (espeak-ng)", "pipeline", "espeak-ng", "de", "male" },
	{ 4, "fr-fr (espeak-ng)", "pipeline", "espeak-ng", "fr", "male" },
	{ 5, "es (espeak-ng)", "pipeline", "espeak-ng", "es", "male" },
	{ 6, "en_US-lessac-medium (piper)", "pipeline", "piper", "en", "female" },
	{ 7, "de_DE-thorsten-medium (piper)", "pipeline", "piper", "de", "male" },
	{ 8, "alloy", "both", "openai-compatible", "en", "neutral" },
	{ 9, "shimmer", "multimodal", "openai-compatible", "en", "female" },
	{ 10, "verse", "multimodal", "openai-compatible", "en", "male" },
};

static const struct {
	int id;
	const char *name, *iso_2;
} seed_languages[] = {
	{ 1, "English", "en" }, { 2, "German", "de" }, { 3, "French", "fr" },
	{ 4, "Spanish", "es" }, { 5, "Italian", "it" }, { 6, "Dutch", "nl" },
	{ 7, "Portuguese", "pt" }, { 8, "Polish", "pl" }, { 9, "Turkish", "tr" },
	{ 10, "Swedish", "sv" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

int store_seed_catalogs(void)
{
	sqlite3_stmt *st;
	struct tx t;
	size_t i;
	int rc;

	rc = tx_begin(&t);
	if (rc)
		return rc;
	for (i = 0; i < NELEM(seed_models) && !rc; i++) {
		if (!(st = stmt(ST_MODEL_SEED))) {
			rc = STORE_ERR;
			break;
		}
		sqlite3_bind_int(st, 1, seed_models[i].id);
		bind_text(st, 2, seed_models[i].name);
		bind_text(st, 3, seed_models[i].provider);
		sqlite3_bind_int(st, 4, seed_models[i].context_window);
		bind_text(st, 5, seed_models[i].description);
		rc = stmt_exec(st, "cannot seed models");
	}
	for (i = 0; i < NELEM(seed_voices) && !rc; i++) {
		if (!(st = stmt(ST_VOICE_SEED))) {
			rc = STORE_ERR;
			break;
		}
		sqlite3_bind_int(st, 1, seed_voices[i].id);
		bind_text(st, 2, seed_voices[i].name);
		bind_text(st, 3, seed_voices[i].mode);
		bind_text(st, 4, seed_voices[i].provider);
		bind_text(st, 5, seed_voices[i].language);
		bind_text(st, 6, seed_voices[i].gender);
		rc = stmt_exec(st, "cannot seed voices");
	}
	for (i = 0; i < NELEM(seed_languages) && !rc; i++) {
		if (!(st = stmt(ST_LANGUAGE_SEED))) {
			rc = STORE_ERR;
			break;
		}
		sqlite3_bind_int(st, 1, seed_languages[i].id);
		bind_text(st, 2, seed_languages[i].name);
		bind_text(st, 3, seed_languages[i].iso_2);
		rc = stmt_exec(st, "cannot seed languages");
	}
	return tx_end(&t, rc);
}

#define DEMO_ACCOUNT "Demo Company"

static const char demo_reception[] =
	"{\"assistant_name\": \"Reception\","
	" \"calls_direction\": \"receive\", \"engine_type\": \"pipeline\","
	" \"voice_id\": 1, \"language\": \"English\","
	" \"llm_model\": \"llama-3.1-8b-instruct\","
	" \"timezone\": \"Europe/Berlin\","
	" \"initial_message\": \"Hello, you have reached Demo Company."
	" How can I help you?\","
	" \"system_prompt\": \"You are the receptionist of Demo Company, a small"
	" software consultancy in Berlin. Find out who is calling and why, then"
	" help: answer simple questions about the company and its opening hours"
	" (Monday to Friday, 9:00 to 17:00 Berlin time; check is_office_open),"
	" transfer the caller when they ask for a colleague who is available, or"
	" take a message with their name, number and concern. Keep every answer"
	" to one or two short sentences: this is a phone call. Never invent"
	" prices, appointments or promises; offer a callback instead. Say goodbye"
	" and end the call once the caller's request is handled.\","
	" \"post_call_evaluation\": true,"
	" \"end_call_on_voicemail\": false,"
	" \"post_call_schema\": ["
	"  {\"name\": \"caller_name\", \"type\": \"string\","
	"   \"description\": \"The caller's full name\"},"
	"  {\"name\": \"reason\", \"type\": \"string\","
	"   \"description\": \"Why the caller called, in one sentence\"},"
	"  {\"name\": \"callback_requested\", \"type\": \"bool\","
	"   \"description\": \"Whether the caller asked to be called back\"}]}";

static const char demo_sales[] =
	"{\"assistant_name\": \"Outbound Sales\","
	" \"calls_direction\": \"make\", \"engine_type\": \"pipeline\","
	" \"voice_id\": 6, \"language\": \"English\","
	" \"llm_model\": \"gpt-4o-mini\", \"timezone\": \"Europe/Berlin\","
	" \"initial_message\": \"Hi {{customer_name}}, this is Alex from Demo"
	" Company. Do you have a minute?\","
	" \"system_prompt\": \"You are Alex, a friendly sales representative of"
	" Demo Company. You call people who asked for information about"
	" {{product}}, our self-hosted AI phone assistant. Goal: learn whether"
	" they are interested and, if so, book a 20-minute demo. Say who you are"
	" and why you call in one sentence, ask whether now is a good time,"
	" listen more than you talk and answer questions honestly. Do not"
	" pressure anyone. If they are not interested, thank them and end the"
	" call politely. If you reach a voicemail, hang up without a message.\","
	" \"variables\": {\"customer_name\": \"there\","
	"  \"product\": \"Switchboard\"},"
	" \"max_call_duration\": 300, \"llm_temperature\": 0.5,"
	" \"post_call_evaluation\": true,"
	" \"post_call_schema\": ["
	"  {\"name\": \"interested\", \"type\": \"bool\","
	"   \"description\": \"Whether the person wants to learn more\"},"
	"  {\"name\": \"demo_time\", \"type\": \"string\","
	"   \"description\": \"Agreed demo date and time, if any\"},"
	"  {\"name\": \"objections\", \"type\": \"string\","
	"   \"description\": \"Objections the person raised\"}]}";

/* Monday to Friday, 9 to 17. */
static const char demo_office_hours[] =
	"{\"monday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}],"
	"\"tuesday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}],"
	"\"wednesday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}],"
	"\"thursday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}],"
	"\"friday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}]}";

static int demo_phone(int64_t account_id, const char *number,
		      const char *type, int sms, int64_t *id_out)
{
	sqlite3_stmt *st = stmt(ST_PHONE_INSERT);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	bind_text(st, 2, number);
	bind_text(st, 3, "DE");
	bind_text(st, 4, type);
	sqlite3_bind_int(st, 5, sms);
	rc = stmt_exec(st, "cannot insert phone number");
	if (!rc)
		*id_out = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
	return rc;
}

static int demo_assistant(int64_t account_id, const char *doc,
			  int64_t phone_id, int64_t *id_out)
{
	json_t *f = json_loads(doc, 0, NULL);
	int rc;

	if (!f) {
		fprintf(stderr, "store: demo assistant is not valid JSON\n");
		return STORE_ERR;
	}
	json_object_set_new(f, "phone_number_id", json_integer(phone_id));
	rc = store_assistant_insert(account_id, f, id_out);
	json_decref(f);
	return rc;
}

/* Idempotent: an existing "Demo Company" account is returned as is. */
int store_seed_demo(int64_t *account_id_out)
{
	int64_t acc = 0, in_id, out_id, reception, sales;
	sqlite3_stmt *st;
	struct tx t;
	int rc;

	rc = tx_begin(&t);
	if (rc)
		return rc;
	rc = store_seed_catalogs();
	if (rc)
		goto out;

	if (!(st = stmt(ST_ACCOUNT_BY_NAME))) {
		rc = STORE_ERR;
		goto out;
	}
	bind_text(st, 1, DEMO_ACCOUNT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		acc = sqlite3_column_int64(st, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE
		? STORE_OK : step_fail(st, rc, "cannot look up demo account");
	stmt_done(st);
	if (rc || acc)
		goto out;

	rc = store_account_create(DEMO_ACCOUNT, "Europe/Berlin", 25000000, &acc);
	if (!rc)
		rc = demo_phone(acc, "+493055501000", "inbound", 0, &in_id);
	if (!rc)
		rc = demo_phone(acc, "+493055501001", "outbound", 1, &out_id);
	if (!rc)
		rc = demo_assistant(acc, demo_reception, in_id, &reception);
	if (!rc)
		rc = demo_assistant(acc, demo_sales, out_id, &sales);
	if (rc)
		goto out;
	if (!(st = stmt(ST_OFFICE_HOURS_SET))) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, reception);
	bind_text(st, 2, demo_office_hours);
	rc = stmt_exec(st, "cannot set office hours");
out:
	rc = tx_end(&t, rc);
	if (!rc && account_id_out)
		*account_id_out = acc;
	return rc;
}

/* ---- spend governance ---------------------------------------------------- */

int store_confirmation_insert(int64_t account_id, const unsigned char token_hash[32],
			      const char *tool, const unsigned char args_hash[32],
			      const unsigned char preview_hash[32], double expires_at)
{
	sqlite3_stmt *st = stmt(ST_CONFIRM_PURGE);
	int rc;

	if (!st)
		return STORE_ERR;
	/* expired tokens are worthless: drop them as new ones arrive */
	sqlite3_bind_double(st, 1, expires_at - 2 * 86400.0);
	stmt_exec(st, "cannot purge confirmations");
	st = stmt(ST_CONFIRM_INSERT);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_blob(st, 2, token_hash, 32, SQLITE_STATIC);
	bind_text(st, 3, tool);
	sqlite3_bind_blob(st, 4, args_hash, 32, SQLITE_STATIC);
	sqlite3_bind_double(st, 5, expires_at);
	sqlite3_bind_blob(st, 6, preview_hash, 32, SQLITE_STATIC);
	rc = stmt_exec(st, "cannot insert confirmation");
	return rc;
}

int store_confirmation_consume(int64_t account_id, const unsigned char token_hash[32],
			       const char *tool, const unsigned char args_hash[32],
			       const unsigned char preview_hash[32], double now)
{
	struct tx t;
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc = tx_begin(&t), step;

	if (rc)
		return rc;
	st = stmt(ST_CONFIRM_GET);
	if (!st)
		return tx_end(&t, STORE_ERR);
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_blob(st, 2, token_hash, 32, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const char *ttool = (const char *)sqlite3_column_text(st, 1);
		const void *ah = sqlite3_column_blob(st, 2);
		if (sqlite3_column_int(st, 4) || sqlite3_column_double(st, 3) < now)
			rc = STORE_NOTFOUND;
		else if (!ttool || strcmp(ttool, tool) || sqlite3_column_bytes(st, 2) != 32 ||
			 memcmp(ah, args_hash, 32))
			rc = STORE_CONFLICT;
		else if (sqlite3_column_bytes(st, 5) != 32 ||
			 memcmp(sqlite3_column_blob(st, 5), preview_hash, 32))
			rc = STORE_INVALID;	/* a token from before the migration, too */
		else
			id = sqlite3_column_int64(st, 0);
	} else {
		rc = step == SQLITE_DONE ? STORE_NOTFOUND
					 : step_fail(st, step, "cannot read confirmation");
	}
	stmt_done(st);
	if (!rc) {
		st = stmt(ST_CONFIRM_USE);
		if (!st)
			return tx_end(&t, STORE_ERR);
		sqlite3_bind_int64(st, 1, id);
		rc = stmt_exec(st, "cannot use confirmation");
	}
	/* a refused token changes nothing, but the read must still end */
	return tx_end(&t, rc) == STORE_OK ? STORE_OK : rc;
}

int store_idempotency_claim(int64_t account_id, const char *tool, const char *key,
			    const unsigned char args_hash[32], json_t **result,
			    int *other_args)
{
	struct tx t;
	sqlite3_stmt *st;
	int rc = tx_begin(&t), step;

	*result = NULL;
	*other_args = 0;
	if (rc)
		return rc;
	st = stmt(ST_IDEM_GET);
	if (!st)
		return tx_end(&t, STORE_ERR);
	sqlite3_bind_int64(st, 1, account_id);
	bind_text(st, 2, tool);
	bind_text(st, 3, key);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const void *ah = sqlite3_column_blob(st, 0);
		if (sqlite3_column_bytes(st, 0) != 32 || memcmp(ah, args_hash, 32)) {
			*other_args = 1;
			rc = STORE_CONFLICT;
		} else if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
			rc = STORE_CONFLICT;	/* still running */
		} else {
			*result = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
			rc = *result ? 1 : STORE_ERR;
		}
		stmt_done(st);
		tx_end(&t, STORE_OK);
		return rc;
	}
	stmt_done(st);
	if (step != SQLITE_DONE)
		return tx_end(&t, STORE_ERR);
	st = stmt(ST_IDEM_INSERT);
	if (!st)
		return tx_end(&t, STORE_ERR);
	sqlite3_bind_int64(st, 1, account_id);
	bind_text(st, 2, tool);
	bind_text(st, 3, key);
	sqlite3_bind_blob(st, 4, args_hash, 32, SQLITE_STATIC);
	rc = stmt_exec(st, "cannot claim idempotency key");
	return tx_end(&t, rc);
}

int store_idempotency_finish(int64_t account_id, const char *tool, const char *key,
			     const json_t *result)
{
	sqlite3_stmt *st = stmt(ST_IDEM_FINISH);
	char *txt;
	int rc;

	if (!st)
		return STORE_ERR;
	txt = json_dumps(result, JSON_COMPACT | JSON_REAL_PRECISION(17));
	sqlite3_bind_int64(st, 1, account_id);
	bind_text(st, 2, tool);
	bind_text(st, 3, key);
	bind_text(st, 4, txt);
	rc = stmt_exec(st, "cannot store idempotent result");
	free(txt);
	return rc;
}

int store_idempotency_release(int64_t account_id, const char *tool, const char *key)
{
	sqlite3_stmt *st = stmt(ST_IDEM_RELEASE);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	bind_text(st, 2, tool);
	bind_text(st, 3, key);
	return stmt_exec(st, "cannot release idempotency key");
}

/* ------------------------------------------------------------------------
 * Phone numbers: operator side
 * ---------------------------------------------------------------------- */

int store_phone_number_insert(int64_t account_id, const char *number,
			      const char *type, int sms_capable,
			      const char *country_code, int64_t *id_out)
{
	sqlite3_stmt *st;
	int rc;

	if (!number || !type || (strcmp(type, "inbound") && strcmp(type, "outbound")))
		return STORE_INVALID;
	st = stmt(ST_PHONE_INSERT);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	bind_text(st, 2, number);
	bind_text(st, 3, country_code);
	bind_text(st, 4, type);
	sqlite3_bind_int(st, 5, !!sms_capable);
	rc = stmt_exec(st, "cannot insert phone number");
	if (!rc && id_out)
		*id_out = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
	return rc;
}

int store_phone_number_get(int64_t account_id, int64_t id, struct store_phone *out)
{
	sqlite3_stmt *st = stmt(ST_PHONE_GET);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(st, 0);
		col_copy(out->phone_number, sizeof out->phone_number, st, 1);
		col_copy(out->type, sizeof out->type, st, 2);
		out->sms_capable = sqlite3_column_int(st, 3);
		col_copy(out->trunk, sizeof out->trunk, st, 4);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND
				       : step_fail(st, rc, "cannot read phone number");
	}
	stmt_done(st);
	return rc;
}

/* Bind an id that 0 means "none" for. */
static void bind_id(sqlite3_stmt *st, int i, int64_t id)
{
	if (id)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

/* Read a one-row, one-integer answer; STORE_NOTFOUND when no row. */
static int one_int(sqlite3_stmt *st, int64_t *out, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : step_fail(st, rc, what);
	}
	stmt_done(st);
	return rc;
}

/* Run a page query: count with the same bindings, then the rows. `bind`
 * binds the filters (?1..?n) of both statements; limit/offset go to
 * ?first and ?first+1 of the page statement. */
static json_t *page_query(enum stmt_id count_id, enum stmt_id page_id, int first,
			  void (*bind)(sqlite3_stmt *, const void *), const void *arg,
			  json_t *(*row)(sqlite3_stmt *), int page, int per_page,
			  int64_t *total, const char *what)
{
	sqlite3_stmt *st = stmt(count_id);
	json_t *arr;
	int64_t n = 0;
	int rc;

	if (!st)
		return NULL;
	if (per_page < 1)
		per_page = 1;
	if (per_page > 100)
		per_page = 100;
	if (page < 1)
		page = 1;
	bind(st, arg);
	if (one_int(st, &n, what))
		return NULL;
	if (total)
		*total = n;
	st = stmt(page_id);
	if (!st)
		return NULL;
	bind(st, arg);
	sqlite3_bind_int64(st, first, per_page);
	sqlite3_bind_int64(st, first + 1, (int64_t)(page - 1) * per_page);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, row(st));
	if (rc != SQLITE_DONE) {
		step_fail(st, rc, what);
		json_decref(arr);
		arr = NULL;
	}
	stmt_done(st);
	return arr;
}

/* One row by (account, id) through `id` statement; NULL when none. */
static json_t *get_one(enum stmt_id sid, int64_t account_id, int64_t id,
		       json_t *(*row)(sqlite3_stmt *), const char *what)
{
	sqlite3_stmt *st = stmt(sid);
	json_t *o = NULL;
	int rc;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		o = row(st);
	else if (rc != SQLITE_DONE)
		step_fail(st, rc, what);
	stmt_done(st);
	return o;
}

/* Delete by (account, id) with `sid`; when nothing went, tell a missing row
 * (STORE_NOTFOUND) from one the statement's condition kept (STORE_CONFLICT)
 * by asking `owned` ("SELECT 1 ... WHERE id = ?1 AND account_id = ?2"). */
static int delete_one(enum stmt_id sid, enum stmt_id owned, int64_t account_id,
		      int64_t id, const char *what)
{
	sqlite3_stmt *st = stmt(sid);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	rc = stmt_exec(st, what);
	if (rc || sqlite3_changes(sqlite3_db_handle(st)) > 0)
		return rc;
	if (owned == ST__COUNT)
		return STORE_NOTFOUND;
	rc = row_exists(owned, id, account_id, what);
	return rc < 0 ? rc : rc ? STORE_CONFLICT : STORE_NOTFOUND;
}

/* ------------------------------------------------------------------------
 * Calls
 * ---------------------------------------------------------------------- */

static json_t *call_json(sqlite3_stmt *st)
{
	json_t *o = json_object(), *wh;

	json_object_set_new(o, "id", col_json(st, 0));
	json_object_set_new(o, "assistant_id", col_json(st, 1));
	json_object_set_new(o, "assistant_name", col_json(st, 2));
	json_object_set_new(o, "campaign_id", col_json(st, 3));
	json_object_set_new(o, "campaign_name", col_json(st, 4));
	json_object_set_new(o, "lead_id", col_json(st, 5));
	json_object_set_new(o, "type", col_json(st, 6));
	json_object_set_new(o, "duration", col_json(st, 7));
	json_object_set_new(o, "assistant_phone_number", col_json(st, 8));
	json_object_set_new(o, "client_phone_number", col_json(st, 9));
	json_object_set_new(o, "status", col_json(st, 10));
	json_object_set_new(o, "end_reason", col_json(st, 11));
	json_object_set_new(o, "transcript", col_doc(st, 12, "[]"));
	json_object_set_new(o, "variables", col_doc(st, 13, "{}"));
	json_object_set_new(o, "evaluation", col_doc(st, 14, "[]"));
	/* a webhook answer that is not JSON is shown as the text it was */
	wh = sqlite3_column_type(st, 15) == SQLITE_NULL ? json_null() : col_doc(st, 15, NULL);
	if (json_is_null(wh) && sqlite3_column_type(st, 15) != SQLITE_NULL) {
		json_decref(wh);
		wh = col_json(st, 15);
	}
	json_object_set_new(o, "webhook_response", wh);
	json_object_set_new(o, "carrier_cost_micros", col_json(st, 16));
	json_object_set_new(o, "total_cost_micros", col_json(st, 17));
	json_object_set_new(o, "answered_by", col_json(st, 18));
	json_object_set_new(o, "recording_url", col_json(st, 19));
	json_object_set_new(o, "started_at", col_json(st, 20));
	json_object_set_new(o, "answered_at", col_json(st, 21));
	json_object_set_new(o, "ended_at", col_json(st, 22));
	json_object_set_new(o, "created_at", col_json(st, 23));
	json_object_set_new(o, "updated_at", col_json(st, 24));
	return o;
}

int store_call_insert(int64_t account_id, const struct store_call_new *c,
		      int64_t *id_out)
{
	sqlite3_stmt *st = stmt(ST_CALL_INSERT);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	bind_id(st, 2, c->assistant_id);
	bind_id(st, 3, c->campaign_id);
	bind_id(st, 4, c->lead_id);
	bind_text(st, 5, c->type ? c->type : "outbound");
	bind_text(st, 6, c->from_number);
	bind_text(st, 7, c->to_number);
	if (bind_json(st, 8, c->variables) != SQLITE_OK) {
		stmt_done(st);
		return STORE_ERR;
	}
	bind_text(st, 9, c->idempotency_key);
	rc = stmt_exec(st, "cannot insert call");
	if (!rc && id_out)
		*id_out = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
	return rc;
}

json_t *store_call_get(int64_t account_id, int64_t id)
{
	return get_one(ST_CALL_GET, account_id, id, call_json, "cannot read call");
}

struct call_bind {
	int64_t account_id;
	const struct store_call_filter *f;
};

static void call_filter_bind(sqlite3_stmt *st, const void *arg)
{
	const struct call_bind *b = arg;
	const struct store_call_filter *f = b->f;

	sqlite3_bind_int64(st, 1, b->account_id);
	bind_text(st, 2, f->status);
	bind_text(st, 3, f->type);
	bind_text(st, 4, f->phone_number);
	bind_id(st, 5, f->assistant_id);
	bind_id(st, 6, f->campaign_id);
	bind_text(st, 7, f->date_from);
	bind_text(st, 8, f->date_to);
}

json_t *store_call_page(int64_t account_id, const struct store_call_filter *f,
			int page, int per_page, int64_t *total)
{
	static const struct store_call_filter none;
	struct call_bind b = { account_id, f ? f : &none };

	return page_query(ST_CALL_COUNT, ST_CALL_PAGE, 9, call_filter_bind, &b,
			  call_json, page, per_page, total, "cannot list calls");
}

int store_call_delete(int64_t account_id, int64_t id)
{
	return delete_one(ST_CALL_DELETE, ST_CALL_OWNED, account_id, id,
			  "cannot delete call");
}

int store_call_dial_info(int64_t call_id, struct store_dial *out)
{
	sqlite3_stmt *st = stmt(ST_CALL_DIAL);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, call_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->account_id = sqlite3_column_int64(st, 0);
		col_copy(out->status, sizeof out->status, st, 1);
		col_copy(out->from_number, sizeof out->from_number, st, 2);
		col_copy(out->to_number, sizeof out->to_number, st, 3);
		col_copy(out->trunk, sizeof out->trunk, st, 4);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND
				       : step_fail(st, rc, "cannot read call");
	}
	stmt_done(st);
	return rc;
}

int store_call_set_status(int64_t call_id, const char *status, const char *reason)
{
	sqlite3_stmt *st = stmt(ST_CALL_STATUS);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, call_id);
	bind_text(st, 2, status);
	bind_text(st, 3, reason);
	rc = stmt_exec(st, "cannot update call status");
	if (!rc && sqlite3_changes(sqlite3_db_handle(st)) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

/* ------------------------------------------------------------------------
 * Campaigns
 * ---------------------------------------------------------------------- */

static json_t *campaign_json(sqlite3_stmt *st)
{
	json_t *o = json_object();
	static const char *const names[] = {
		"id", "name", "status", "assistant_id", "assistant_name", "timezone",
		"max_calls_in_parallel", "allowed_hours_start_time",
		"allowed_hours_end_time", NULL,
	};

	for (int i = 0; names[i]; i++)
		json_object_set_new(o, names[i], col_json(st, i));
	json_object_set_new(o, "allowed_days", col_doc(st, 9, "[]"));
	json_object_set_new(o, "max_retries", col_json(st, 10));
	json_object_set_new(o, "retry_interval", col_json(st, 11));
	json_object_set_new(o, "retry_on_voicemail", col_bool(st, 12));
	json_object_set_new(o, "retry_on_goal_incomplete", col_bool(st, 13));
	json_object_set_new(o, "goal_completion_variable", col_json(st, 14));
	json_object_set_new(o, "mark_complete_when_no_leads", col_bool(st, 15));
	json_object_set_new(o, "phone_number_ids", col_doc(st, 16, "[]"));
	json_object_set_new(o, "leads_count", col_json(st, 17));
	json_object_set_new(o, "leads_ready", col_json(st, 18));
	json_object_set_new(o, "started_at", col_json(st, 19));
	json_object_set_new(o, "stopped_at", col_json(st, 20));
	json_object_set_new(o, "created_at", col_json(st, 21));
	json_object_set_new(o, "updated_at", col_json(st, 22));
	json_object_set_new(o, "status_reason", col_json(st, 23));
	return o;
}

json_t *store_campaign_list(int64_t account_id)
{
	sqlite3_stmt *st = stmt(ST_CAMPAIGN_LIST);

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	return collect_rows(st, campaign_json, "cannot list campaigns");
}

json_t *store_campaign_get(int64_t account_id, int64_t id)
{
	return get_one(ST_CAMPAIGN_GET, account_id, id, campaign_json,
		       "cannot read campaign");
}

/* fields[key] or the default, bound as SQL (containers as JSON text). */
static int bind_or(sqlite3_stmt *st, int i, const json_t *fields, const char *key,
		   const char *dflt_json)
{
	const json_t *v = json_object_get(fields, key);
	json_t *d = NULL;
	int rc;

	if (!v && dflt_json)
		v = d = json_loads(dflt_json, JSON_DECODE_ANY, NULL);
	rc = bind_json(st, i, v);
	json_decref(d);
	return rc == SQLITE_OK ? 0 : -1;
}

int store_campaign_insert(int64_t account_id, const json_t *fields, int64_t *id_out)
{
	sqlite3_stmt *st = stmt(ST_CAMPAIGN_INSERT);
	int bad = 0, rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	bad |= bind_or(st, 2, fields, "name", NULL);
	bad |= bind_or(st, 3, fields, "assistant_id", NULL);
	bad |= bind_or(st, 4, fields, "timezone", NULL);
	bad |= bind_or(st, 5, fields, "max_calls_in_parallel", "3");
	bad |= bind_or(st, 6, fields, "allowed_hours_start_time", "\"09:00\"");
	bad |= bind_or(st, 7, fields, "allowed_hours_end_time", "\"17:00\"");
	bad |= bind_or(st, 8, fields, "allowed_days",
		       "[\"monday\",\"tuesday\",\"wednesday\",\"thursday\",\"friday\"]");
	bad |= bind_or(st, 9, fields, "max_retries", "3");
	bad |= bind_or(st, 10, fields, "retry_interval", "60");
	bad |= bind_or(st, 11, fields, "retry_on_voicemail", "false");
	bad |= bind_or(st, 12, fields, "retry_on_goal_incomplete", "false");
	bad |= bind_or(st, 13, fields, "goal_completion_variable", NULL);
	bad |= bind_or(st, 14, fields, "mark_complete_when_no_leads", "false");
	bad |= bind_or(st, 15, fields, "phone_number_ids", "[]");
	if (bad) {
		stmt_done(st);
		return STORE_ERR;
	}
	rc = stmt_exec(st, "cannot insert campaign");
	if (!rc && id_out)
		*id_out = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
	return rc;
}

int store_campaign_delete(int64_t account_id, int64_t id)
{
	return delete_one(ST_CAMPAIGN_DELETE, ST_CAMPAIGN_OWNED, account_id, id,
			  "cannot delete campaign");
}

/* status, ready leads and the balance, read inside the caller's tx */
static int campaign_state(int64_t account_id, int64_t id, char *status, size_t n,
			  int64_t *ready, int64_t *balance)
{
	sqlite3_stmt *st = stmt(ST_CAMPAIGN_STATE);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		col_copy(status, n, st, 0);
		*ready = sqlite3_column_int64(st, 1);
		*balance = sqlite3_column_int64(st, 2);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND
				       : step_fail(st, rc, "cannot read campaign");
	}
	stmt_done(st);
	return rc;
}

static int campaign_status_set(int64_t account_id, int64_t id, const char *status)
{
	sqlite3_stmt *st = stmt(ST_CAMPAIGN_SET_STATUS);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	bind_text(st, 3, status);
	return stmt_exec(st, "cannot set campaign status");
}

/* Run a "... WHERE campaign_id = ?1" update; *n += rows changed. */
static int campaign_rows(enum stmt_id sid, int64_t id, int64_t *n, const char *what)
{
	sqlite3_stmt *st = stmt(sid);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	rc = stmt_exec(st, what);
	if (!rc && n)
		*n += sqlite3_changes(sqlite3_db_handle(st));
	return rc;
}

/* What a start would approve now (see store.h), read inside the caller's
 * transaction when it holds one. `running` says which set: every lead to
 * call, or those of them not approved yet. */
static int leads_priced(int64_t id, int running, struct store_campaign_priced *out)
{
	crypto_hash_sha256_state h;
	unsigned char d[32];
	char num[24];
	sqlite3_stmt *st = stmt(ST_LEADS_PRICED);
	int rc, n;

	out->leads = 0;
	out->running = running;
	out->digest[0] = '\0';
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, running);
	crypto_hash_sha256_init(&h);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = snprintf(num, sizeof num, "%lld,", (long long)sqlite3_column_int64(st, 0));
		crypto_hash_sha256_update(&h, (const unsigned char *)num, (unsigned long long)n);
		out->leads++;
	}
	rc = rc == SQLITE_DONE ? STORE_OK : step_fail(st, rc, "cannot read the leads to call");
	stmt_done(st);
	crypto_hash_sha256_final(&h, d);
	util_hex(d, sizeof d, out->digest);
	return rc;
}

int store_campaign_priced(int64_t account_id, int64_t id, struct store_campaign_priced *out)
{
	char status[24];
	int64_t ready = 0, balance = 0;
	int rc;

	/* no transaction: a preview, which the start checks again in its own */
	rc = campaign_state(account_id, id, status, sizeof status, &ready, &balance);
	if (!rc)
		rc = leads_priced(id, !strcmp(status, "in-progress"), out);
	return rc;
}

int store_campaign_start(int64_t account_id, int64_t id,
			 const struct store_campaign_priced *confirmed,
			 enum store_campaign_why *why, int64_t *n)
{
	struct store_campaign_priced now;
	char status[24];
	int64_t ready = 0, balance = 0;
	struct tx t;
	int rc = tx_begin(&t), running;

	*why = CAMPAIGN_OK;
	*n = 0;
	if (rc)
		return rc;
	rc = campaign_state(account_id, id, status, sizeof status, &ready, &balance);
	if (rc)
		goto out;
	running = !strcmp(status, "in-progress");
	rc = leads_priced(id, running, &now);
	if (rc)
		goto out;
	if (now.leads < 1)
		*why = running ? CAMPAIGN_RUNNING : CAMPAIGN_NO_LEADS;
	else if (!confirmed || confirmed->running != running || confirmed->leads != now.leads ||
		 strcmp(confirmed->digest, now.digest))
		*why = CAMPAIGN_CHANGED;
	else if (balance <= 0)
		*why = CAMPAIGN_NO_BALANCE;
	if (*why) {
		rc = STORE_INVALID;
		goto out;
	}
	/* the priced leads and no others, in this transaction: nothing added
	 * since the check can be approved by it */
	if (running) {
		rc = campaign_rows(ST_LEADS_APPROVE_NEW, id, NULL, "cannot approve leads");
	} else {
		rc = campaign_status_set(account_id, id, "in-progress");
		if (!rc)
			rc = campaign_rows(ST_LEADS_APPROVE_ALL, id, NULL, "cannot approve leads");
	}
	if (!rc)
		rc = campaign_rows(ST_LEADS_SCHEDULE, id, NULL, "cannot schedule leads");
	*n = now.leads;
out:
	return tx_end(&t, rc);
}

int store_campaign_stop(int64_t account_id, int64_t id, enum store_campaign_why *why,
			int64_t *n)
{
	char status[24];
	int64_t ready = 0, balance = 0;
	struct tx t;
	int rc = tx_begin(&t);

	*why = CAMPAIGN_OK;
	*n = 0;
	if (rc)
		return rc;
	rc = campaign_state(account_id, id, status, sizeof status, &ready, &balance);
	if (rc)
		goto out;
	if (!strcmp(status, "draft")) {
		*why = CAMPAIGN_NOT_STARTED;
		rc = STORE_INVALID;
		goto out;
	}
	if (!strcmp(status, "stopped"))
		goto out;	/* stopping twice is a no-op */
	rc = campaign_status_set(account_id, id, "stopped");
	if (!rc)
		rc = campaign_rows(ST_LEADS_UNSCHEDULE, id, NULL, "cannot unschedule leads");
	if (!rc)
		rc = campaign_rows(ST_CALLS_CANCEL, id, n, "cannot end campaign calls");
out:
	return tx_end(&t, rc);
}

/* ------------------------------------------------------------------------
 * Leads
 * ---------------------------------------------------------------------- */

static json_t *lead_json(sqlite3_stmt *st)
{
	json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			      "id", col_json(st, 0),
			      "campaign_id", col_json(st, 1),
			      "phone_number", col_json(st, 2),
			      "variables", col_doc(st, 3, "{}"),
			      "status", col_json(st, 4),
			      "created_at", col_json(st, 5),
			      "updated_at", col_json(st, 6));

	if (sqlite3_column_type(st, 1) == SQLITE_NULL)
		json_object_set_new(o, "campaign", json_null());
	else
		json_object_set_new(o, "campaign", json_pack("{s:o, s:o}", "id",
				    col_json(st, 1), "name", col_json(st, 7)));
	json_object_set_new(o, "secondary_contacts", col_doc(st, 8, "[]"));
	json_object_set_new(o, "approved", col_bool(st, 9));
	return o;
}

struct lead_bind {
	int64_t account_id, campaign_id;
	const char *status, *phone;
};

static void lead_filter_bind(sqlite3_stmt *st, const void *arg)
{
	const struct lead_bind *b = arg;

	sqlite3_bind_int64(st, 1, b->account_id);
	bind_text(st, 2, b->status);
	bind_id(st, 3, b->campaign_id);
	bind_text(st, 4, b->phone);
}

json_t *store_lead_page(int64_t account_id, const char *status, int64_t campaign_id,
			const char *phone_number, int page, int per_page, int64_t *total)
{
	struct lead_bind b = { account_id, campaign_id, status, phone_number };

	return page_query(ST_LEAD_COUNT, ST_LEAD_PAGE, 5, lead_filter_bind, &b,
			  lead_json, page, per_page, total, "cannot list leads");
}

json_t *store_lead_get(int64_t account_id, int64_t id)
{
	return get_one(ST_LEAD_GET, account_id, id, lead_json, "cannot read lead");
}

/* 1 when another lead (not `self`) of the campaign has the number. */
static int lead_dup(int64_t campaign_id, const char *phone, int64_t self)
{
	sqlite3_stmt *st = stmt(ST_LEAD_DUP);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, campaign_id);
	bind_text(st, 2, phone);
	sqlite3_bind_int64(st, 3, self);
	rc = sqlite3_step(st);
	rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0
				: step_fail(st, rc, "cannot look for duplicate leads");
	stmt_done(st);
	return rc;
}

int store_lead_insert(int64_t account_id, int64_t campaign_id, const char *phone_number,
		      const json_t *variables, int allow_duplicate, int64_t *id_out)
{
	sqlite3_stmt *st;
	struct tx t;
	int64_t id = 0;
	int rc = tx_begin(&t);

	if (rc)
		return rc;
	rc = row_exists(ST_CAMPAIGN_OWNED, campaign_id, account_id, "cannot look up campaign");
	if (rc <= 0) {
		rc = rc < 0 ? rc : STORE_INVALID;
		goto out;
	}
	rc = allow_duplicate ? 0 : lead_dup(campaign_id, phone_number, 0);
	if (rc) {
		rc = rc < 0 ? rc : STORE_CONFLICT;
		goto out;
	}
	if (!(st = stmt(ST_LEAD_INSERT))) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, campaign_id);
	bind_text(st, 3, phone_number);
	if (bind_json(st, 4, variables) != SQLITE_OK) {
		stmt_done(st);
		rc = STORE_ERR;
		goto out;
	}
	rc = stmt_exec(st, "cannot insert lead");
	if (!rc)
		id = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
out:
	rc = tx_end(&t, rc);
	if (!rc && id_out)
		*id_out = id;
	return rc;
}

int store_lead_update(int64_t account_id, int64_t id, const json_t *fields,
		      int allow_duplicate)
{
	json_t *vars = NULL, *v;
	char phone[64], status[32], was_phone[64], was_status[32];
	int64_t campaign = 0, was_campaign;
	sqlite3_stmt *st;
	struct tx t;
	int rc = tx_begin(&t), step;

	if (rc)
		return rc;
	if (!(st = stmt(ST_LEAD_ROW))) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		campaign = sqlite3_column_int64(st, 0);
		col_copy(phone, sizeof phone, st, 1);
		vars = col_doc(st, 2, "{}");
		col_copy(status, sizeof status, st, 3);
	} else {
		rc = step == SQLITE_DONE ? STORE_NOTFOUND
					 : step_fail(st, step, "cannot read lead");
	}
	stmt_done(st);
	if (rc)
		goto out;
	if (!json_is_object(vars)) {
		json_decref(vars);
		vars = json_object();
	}
	was_campaign = campaign;
	memcpy(was_phone, phone, sizeof phone);
	memcpy(was_status, status, sizeof status);

	v = json_object_get(fields, "campaign_id");
	if (json_is_integer(v) && json_integer_value(v) != campaign) {
		campaign = json_integer_value(v);
		rc = row_exists(ST_CAMPAIGN_OWNED, campaign, account_id,
				"cannot look up campaign");
		if (rc <= 0) {
			rc = rc < 0 ? rc : STORE_INVALID;
			goto out;
		}
		rc = 0;
	}
	if (json_is_string(json_object_get(fields, "phone_number")))
		snprintf(phone, sizeof phone, "%s",
			 json_string_value(json_object_get(fields, "phone_number")));
	if (json_is_string(json_object_get(fields, "status")))
		snprintf(status, sizeof status, "%s",
			 json_string_value(json_object_get(fields, "status")));
	/* variables merge: a null removes one */
	const char *k;
	json_object_foreach((json_t *)json_object_get(fields, "variables"), k, v) {
		if (json_is_null(v))
			json_object_del(vars, k);
		else
			json_object_set(vars, k, v);
	}
	if (campaign && !allow_duplicate &&
	    (json_object_get(fields, "campaign_id") || json_object_get(fields, "phone_number"))) {
		rc = lead_dup(campaign, phone, id);
		if (rc) {
			rc = rc < 0 ? rc : STORE_CONFLICT;
			goto out;
		}
	}
	if (!(st = stmt(ST_LEAD_UPDATE))) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	bind_id(st, 3, campaign);
	bind_text(st, 4, phone);
	if (bind_json(st, 5, vars) != SQLITE_OK) {
		stmt_done(st);
		rc = STORE_ERR;
		goto out;
	}
	bind_text(st, 6, status);
	/* who is called, and whether, was approved by a confirmed start: a
	 * change waits for the next one (store.h) */
	sqlite3_bind_int(st, 7, campaign == was_campaign && !strcmp(phone, was_phone) &&
			 !strcmp(status, was_status));
	rc = stmt_exec(st, "cannot update lead");
out:
	json_decref(vars);
	return tx_end(&t, rc);
}

int store_lead_delete(int64_t account_id, int64_t id)
{
	return delete_one(ST_LEAD_DELETE, ST__COUNT, account_id, id, "cannot delete lead");
}

/* ------------------------------------------------------------------------
 * SMS
 * ---------------------------------------------------------------------- */

int store_sms_reserve(int64_t account_id, const struct store_sms_new *m, int64_t *id_out)
{
	sqlite3_stmt *st;
	struct tx t;
	int64_t id = 0;
	int rc = tx_begin(&t);

	if (rc)
		return rc;
	if (!(st = stmt(ST_BALANCE_TAKE))) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, m->cost_micros);
	rc = stmt_exec(st, "cannot charge the balance");
	if (!rc && sqlite3_changes(sqlite3_db_handle(st)) == 0)
		rc = STORE_FUNDS;
	if (rc)
		goto out;
	if (!(st = stmt(ST_SMS_INSERT))) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	bind_id(st, 2, m->phone_number_id);
	bind_text(st, 3, m->from_number);
	bind_text(st, 4, m->to_number);
	bind_text(st, 5, m->body);
	sqlite3_bind_int(st, 6, m->segments);
	bind_text(st, 7, m->encoding);
	sqlite3_bind_int64(st, 8, m->cost_micros);
	bind_text(st, 9, m->idempotency_key);
	rc = stmt_exec(st, "cannot insert sms");
	if (!rc)
		id = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
out:
	rc = tx_end(&t, rc);
	if (!rc && id_out)
		*id_out = id;
	return rc;
}

int store_sms_sent(int64_t account_id, int64_t id, const char *status,
		   const char *provider_id)
{
	sqlite3_stmt *st = stmt(ST_SMS_SENT);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	bind_text(st, 3, status && *status ? status : "queued");
	bind_text(st, 4, provider_id);
	return stmt_exec(st, "cannot record sent sms");
}

int store_sms_failed(int64_t account_id, int64_t id, const char *error)
{
	sqlite3_stmt *st;
	int64_t cost = 0;
	struct tx t;
	int rc = tx_begin(&t);

	if (rc)
		return rc;
	if (!(st = stmt(ST_SMS_COST))) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	rc = one_int(st, &cost, "cannot read sms cost");
	if (rc)
		goto out;
	if (!(st = stmt(ST_BALANCE_ADD))) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, cost);
	rc = stmt_exec(st, "cannot refund the balance");
	if (rc)
		goto out;
	if (!(st = stmt(ST_SMS_FAIL))) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	bind_text(st, 3, error);
	rc = stmt_exec(st, "cannot record failed sms");
out:
	return tx_end(&t, rc);
}

static json_t *sms_json(sqlite3_stmt *st)
{
	static const char *const names[] = {
		"id", "phone_number_id", "from", "to", "body", "segments", "encoding",
		"cost_micros", "status", "provider_id", "error", "created_at",
		"updated_at", NULL,
	};
	json_t *o = json_object();

	for (int i = 0; names[i]; i++)
		json_object_set_new(o, names[i], col_json(st, i));
	return o;
}

json_t *store_sms_get(int64_t account_id, int64_t id)
{
	return get_one(ST_SMS_GET, account_id, id, sms_json, "cannot read sms");
}

/* ------------------------------------------------------------------------
 * Mid-call tools
 * ---------------------------------------------------------------------- */

static json_t *midtool_json(sqlite3_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "id", col_json(st, 0),
			 "name", col_json(st, 1),
			 "description", col_json(st, 2),
			 "endpoint", col_json(st, 3),
			 "method", col_json(st, 4),
			 "timeout", col_json(st, 5),
			 "headers", col_doc(st, 6, "[]"),
			 "schema", col_doc(st, 7, "[]"),
			 "assistant_ids", col_doc(st, 8, "[]"),
			 "created_at", col_json(st, 9),
			 "updated_at", col_json(st, 10),
			 "settings", col_doc(st, 11, "{}"));
}

json_t *store_midtool_list(int64_t account_id)
{
	sqlite3_stmt *st = stmt(ST_MT_LIST);

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	return collect_rows(st, midtool_json, "cannot list mid-call tools");
}

json_t *store_midtool_get(int64_t account_id, int64_t id)
{
	return get_one(ST_MT_GET, account_id, id, midtool_json, "cannot read mid-call tool");
}

static int midtool_bind(sqlite3_stmt *st, int first, const json_t *f)
{
	static const char *const keys[] = {
		"name", "description", "endpoint", "method", "timeout", "headers",
		"schema", "settings", NULL,
	};

	for (int i = 0; keys[i]; i++)
		if (bind_json(st, first + i, json_object_get(f, keys[i])) != SQLITE_OK)
			return STORE_ERR;
	return STORE_OK;
}

int store_midtool_insert(int64_t account_id, const json_t *fields, int64_t *id_out)
{
	sqlite3_stmt *st = stmt(ST_MT_INSERT);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	if (midtool_bind(st, 2, fields)) {
		stmt_done(st);
		return STORE_ERR;
	}
	rc = stmt_exec(st, "cannot insert mid-call tool");
	if (!rc && id_out)
		*id_out = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
	return rc;
}

int store_midtool_update(int64_t account_id, int64_t id, const json_t *fields)
{
	sqlite3_stmt *st = stmt(ST_MT_UPDATE);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	if (midtool_bind(st, 3, fields)) {
		stmt_done(st);
		return STORE_ERR;
	}
	rc = stmt_exec(st, "cannot update mid-call tool");
	if (!rc && sqlite3_changes(sqlite3_db_handle(st)) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

int store_midtool_delete(int64_t account_id, int64_t id)
{
	return delete_one(ST_MT_DELETE, ST__COUNT, account_id, id,
			  "cannot delete mid-call tool");
}

/* ---- for the other files of this backend (sqlite_internal.h) ------------- */

sqlite3 *store_sqlite_db(void)
{
	struct conn *c = conn_get();
	return c ? c->db : NULL;
}
