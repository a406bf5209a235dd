/*
 * migrations.h - the SQLite schema, as numbered migrations.
 *
 * store_migrations[i] upgrades the schema from version i to i + 1; sqlite.c
 * runs each one inside its own BEGIN IMMEDIATE transaction and records it in
 * schema_version (and PRAGMA user_version). A released migration is never
 * edited: a change is a new entry at the end of the list.
 *
 * Conventions: every table that holds account data has an account_id column
 * and an index on it; money is INTEGER micro-dollars (*_micros); JSON lives in
 * TEXT columns checked with json_valid(); timestamps are TEXT in the shape
 * users know, "YYYY-MM-DDTHH:MM:SS.mmm000Z" (UTC, millisecond precision padded
 * to six digits), so they sort as strings; epoch seconds (REAL) only where the
 * public shape wants a float (transcript timestamps, the audit trail).
 */
#ifndef STORE_MIGRATIONS_H
#define STORE_MIGRATIONS_H

#include "store/sqlite_internal.h"   /* SQL_NOW */

#define SQL_TS_COLS \
	"  created_at TEXT NOT NULL DEFAULT " SQL_NOW ",\n" \
	"  updated_at TEXT NOT NULL DEFAULT " SQL_NOW "\n"

/* Bootstrap table, created before any migration runs. */
#define SQL_SCHEMA_VERSION_TABLE \
	"CREATE TABLE IF NOT EXISTS schema_version (\n" \
	"  version INTEGER PRIMARY KEY,\n" \
	"  applied_at TEXT NOT NULL DEFAULT " SQL_NOW "\n" \
	");"

/* ---- migration 1: the whole control plane ----------------------------- */
static const char store_migration_1[] =
	/* tenants and their keys */
	"CREATE TABLE accounts (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL CHECK (length(name) > 0),\n"
	"  timezone TEXT NOT NULL DEFAULT 'UTC',\n"
	"  balance_micros INTEGER NOT NULL DEFAULT 0,\n"
	SQL_TS_COLS
	");\n"
	"CREATE INDEX accounts_name ON accounts(name);\n"

	"CREATE TABLE api_keys (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  prefix TEXT NOT NULL UNIQUE,\n"
	"  hash BLOB NOT NULL CHECK (length(hash) = 32),\n"
	"  scopes INTEGER NOT NULL DEFAULT 0,\n"
	"  label TEXT,\n"
	"  created_at TEXT NOT NULL DEFAULT " SQL_NOW ",\n"
	"  revoked_at TEXT,\n"
	"  last_used_at TEXT\n"
	");\n"
	"CREATE INDEX api_keys_account ON api_keys(account_id);\n"

	/* catalogs shared by all accounts */
	"CREATE TABLE models (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  provider TEXT NOT NULL DEFAULT 'openai-compatible',\n"
	"  context_window INTEGER,\n"
	"  description TEXT,\n"
	/* its own OpenAI-compatible provider (NULL: the default one, llm.h);
	 * api_key is sealed (secret.h) */
	"  base_url TEXT,\n"
	"  api_key TEXT\n"
	");\n"
	"CREATE TABLE voices (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  mode TEXT NOT NULL CHECK (mode IN ('pipeline','multimodal','both')),\n"
	"  provider TEXT NOT NULL,\n"
	"  language TEXT,\n"
	"  gender TEXT\n"
	");\n"
	"CREATE INDEX voices_mode ON voices(mode);\n"
	"CREATE TABLE languages (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  iso_2 TEXT NOT NULL UNIQUE CHECK (length(iso_2) = 2)\n"
	");\n"

	/* telephony */
	"CREATE TABLE phone_numbers (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  phone_number TEXT NOT NULL UNIQUE\n"
	"    CHECK (phone_number GLOB '+[1-9][0-9]*' AND length(phone_number) <= 16),\n"
	"  country_code TEXT,\n"
	"  type TEXT NOT NULL CHECK (type IN ('inbound','outbound')),\n"
	"  sms_capable INTEGER NOT NULL DEFAULT 0 CHECK (sms_capable IN (0,1)),\n"
	"  trunk TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(trunk)),\n"
	"  assistant_id INTEGER REFERENCES assistants(id) ON DELETE SET NULL,\n"
	SQL_TS_COLS
	");\n"
	"CREATE INDEX phone_numbers_account ON phone_numbers(account_id, type);\n"
	"CREATE INDEX phone_numbers_assistant ON phone_numbers(assistant_id);\n"

	/* assistants: the fields tools name explicitly are columns, the long
	 * tail of tuning knobs lives in the settings document */
	"CREATE TABLE assistants (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  assistant_name TEXT NOT NULL\n"
	"    CHECK (length(assistant_name) BETWEEN 1 AND 255),\n"
	"  calls_direction TEXT NOT NULL DEFAULT 'receive'\n"
	"    CHECK (calls_direction IN ('receive','make')),\n"
	"  engine_type TEXT NOT NULL DEFAULT 'pipeline'\n"
	"    CHECK (engine_type IN ('pipeline','multimodal')),\n"
	"  voice_id INTEGER REFERENCES voices(id) ON DELETE SET NULL,\n"
	"  language TEXT CHECK (length(language) <= 100),\n"
	"  llm_model TEXT CHECK (length(llm_model) <= 100),\n"
	"  phone_number_id INTEGER REFERENCES phone_numbers(id) ON DELETE SET NULL,\n"
	"  timezone TEXT,\n"
	"  initial_message TEXT,\n"
	"  system_prompt TEXT,\n"
	"  webhook_url TEXT,\n"
	"  settings TEXT NOT NULL DEFAULT '{}'\n"
	"    CHECK (json_valid(settings) AND json_type(settings) = 'object'),\n"
	SQL_TS_COLS
	");\n"
	"CREATE INDEX assistants_account ON assistants(account_id, id);\n"
	"CREATE INDEX assistants_phone ON assistants(phone_number_id);\n"
	/* phone_numbers.assistant_id mirrors assistants.phone_number_id */
	"CREATE TRIGGER assistants_phone_ins AFTER INSERT ON assistants\n"
	"WHEN NEW.phone_number_id IS NOT NULL BEGIN\n"
	"  UPDATE phone_numbers SET assistant_id = NEW.id\n"
	"   WHERE id = NEW.phone_number_id;\n"
	"END;\n"
	"CREATE TRIGGER assistants_phone_upd AFTER UPDATE OF phone_number_id\n"
	"ON assistants WHEN NEW.phone_number_id IS NOT OLD.phone_number_id BEGIN\n"
	"  UPDATE phone_numbers SET assistant_id = NULL\n"
	"   WHERE id = OLD.phone_number_id AND assistant_id = NEW.id;\n"
	"  UPDATE phone_numbers SET assistant_id = NEW.id\n"
	"   WHERE id = NEW.phone_number_id;\n"
	"END;\n"

	"CREATE TABLE mid_call_tools (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 32\n"
	"    AND name GLOB '[a-z]*' AND name NOT GLOB '*[^a-z_]*'),\n"
	"  description TEXT CHECK (length(description) <= 255),\n"
	"  endpoint TEXT NOT NULL,\n"
	"  method TEXT NOT NULL DEFAULT 'POST'\n"
	"    CHECK (method IN ('GET','POST','PUT','PATCH','DELETE')),\n"
	"  timeout INTEGER NOT NULL DEFAULT 10 CHECK (timeout BETWEEN 1 AND 30),\n"
	"  headers TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(headers)),\n"
	"  schema TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(schema)),\n"
	/* in-call behaviour: {kind: api_request|transfer_to_user|
	 * transfer_to_queue, target, body{}, say_start, say_delay, say_failure} */
	"  settings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),\n"
	SQL_TS_COLS ",\n"
	"  UNIQUE (account_id, name)\n"
	");\n"
	"CREATE TABLE assistant_tools (\n"
	"  assistant_id INTEGER NOT NULL REFERENCES assistants(id) ON DELETE CASCADE,\n"
	"  tool_id INTEGER NOT NULL REFERENCES mid_call_tools(id) ON DELETE CASCADE,\n"
	"  PRIMARY KEY (assistant_id, tool_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX assistant_tools_tool ON assistant_tools(tool_id);\n"

	"CREATE TABLE office_hours (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  assistant_id INTEGER NOT NULL UNIQUE\n"
	"    REFERENCES assistants(id) ON DELETE CASCADE,\n"
	/* {"monday":[{"open":"09:00","close":"17:00"}], ...}; a missing day is
	 * closed, [{"open":"00:00","close":"24:00"}] is open 24 hours */
	"  schedule TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(schedule)),\n"
	/* [{"date":"YYYY-MM-DD","closed":true}|{"date",...,"hours":[...]}] */
	"  exceptions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(exceptions)),\n"
	SQL_TS_COLS
	");\n"

	/* campaigns and leads */
	"CREATE TABLE campaigns (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),\n"
	"  assistant_id INTEGER REFERENCES assistants(id) ON DELETE SET NULL,\n"
	"  status TEXT NOT NULL DEFAULT 'draft'\n"
	"    CHECK (status IN ('draft','in-progress','stopped','completed')),\n"
	"  timezone TEXT NOT NULL DEFAULT 'UTC',\n"
	"  max_calls_in_parallel INTEGER NOT NULL DEFAULT 3\n"
	"    CHECK (max_calls_in_parallel BETWEEN 1 AND 10),\n"
	"  allowed_hours_start_time TEXT NOT NULL DEFAULT '09:00'\n"
	"    CHECK (allowed_hours_start_time GLOB '[0-2][0-9]:[0-5][0-9]'),\n"
	"  allowed_hours_end_time TEXT NOT NULL DEFAULT '17:00'\n"
	"    CHECK (allowed_hours_end_time GLOB '[0-2][0-9]:[0-5][0-9]'),\n"
	"  allowed_days TEXT NOT NULL\n"
	"    DEFAULT '[\"monday\",\"tuesday\",\"wednesday\",\"thursday\",\"friday\"]'\n"
	"    CHECK (json_valid(allowed_days)),\n"
	"  max_retries INTEGER NOT NULL DEFAULT 3 CHECK (max_retries BETWEEN 1 AND 5),\n"
	"  retry_interval INTEGER NOT NULL DEFAULT 60\n"
	"    CHECK (retry_interval BETWEEN 10 AND 4320),\n"
	"  retry_on_voicemail INTEGER NOT NULL DEFAULT 0,\n"
	"  retry_on_goal_incomplete INTEGER NOT NULL DEFAULT 0,\n"
	"  goal_completion_variable TEXT,\n"
	"  mark_complete_when_no_leads INTEGER NOT NULL DEFAULT 0,\n"
	"  phone_number_ids TEXT NOT NULL DEFAULT '[]'\n"
	"    CHECK (json_valid(phone_number_ids)),\n"
	"  started_at TEXT,\n"
	"  stopped_at TEXT,\n"
	SQL_TS_COLS
	");\n"
	"CREATE INDEX campaigns_account ON campaigns(account_id, id);\n"
	"CREATE INDEX campaigns_assistant ON campaigns(assistant_id);\n"

	/* (campaign_id, phone_number) is deliberately not UNIQUE: create_lead
	 * may allow duplicates. campaign_id is NULL for leads taken in a call. */
	"CREATE TABLE leads (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE CASCADE,\n"
	"  phone_number TEXT NOT NULL,\n"
	"  name TEXT,\n"
	"  variables TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(variables)),\n"
	"  secondary_contacts TEXT NOT NULL DEFAULT '[]'\n"
	"    CHECK (json_valid(secondary_contacts)),\n"
	"  status TEXT NOT NULL DEFAULT 'created' CHECK (status IN ('created',\n"
	"    'scheduled','processing','completed','rescheduled',\n"
	"    'reached-max-retries','blacklisted')),\n"
	"  retries INTEGER NOT NULL DEFAULT 0,\n"
	"  next_attempt_at TEXT,\n"
	SQL_TS_COLS
	");\n"
	"CREATE INDEX leads_account ON leads(account_id, id);\n"
	"CREATE INDEX leads_campaign_phone ON leads(campaign_id, phone_number);\n"
	"CREATE INDEX leads_account_phone ON leads(account_id, phone_number);\n"
	"CREATE INDEX leads_due ON leads(status, next_attempt_at);\n"

	/* calls */
	"CREATE TABLE calls (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  assistant_id INTEGER REFERENCES assistants(id) ON DELETE SET NULL,\n"
	"  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,\n"
	"  lead_id INTEGER REFERENCES leads(id) ON DELETE SET NULL,\n"
	"  type TEXT NOT NULL CHECK (type IN ('inbound','outbound','web')),\n"
	"  direction TEXT NOT NULL CHECK (direction IN ('inbound','outbound')),\n"
	"  status TEXT NOT NULL DEFAULT 'initiated' CHECK (status IN ('initiated',\n"
	"    'ringing','busy','in-progress','ended','completed',\n"
	"    'ended_by_customer','ended_by_assistant','no-answer','failed')),\n"
	"  from_number TEXT,\n"
	"  to_number TEXT,\n"
	"  duration INTEGER NOT NULL DEFAULT 0,\n"
	"  carrier_cost_micros INTEGER NOT NULL DEFAULT 0,\n"
	"  total_cost_micros INTEGER NOT NULL DEFAULT 0,\n"
	"  answered_by TEXT CHECK (answered_by IN ('human','machine','unknown')),\n"
	"  variables TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(variables)),\n"
	"  evaluation TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(evaluation)),\n"
	/* post-call results (brain.h): valid extracted fields, a short summary */
	"  extracted_variables TEXT NOT NULL DEFAULT '{}'\n"
	"    CHECK (json_valid(extracted_variables)),\n"
	"  summary TEXT,\n"
	"  evaluated_at TEXT,\n"
	"  webhook_response TEXT,\n"
	/* post-call webhook (webhook.h): NULL until decided, then queued | skipped */
	"  webhook_state TEXT,\n"
	"  recording_path TEXT,\n"
	"  end_reason TEXT,\n"
	"  sip_call_id TEXT,\n"
	"  idempotency_key TEXT,\n"
	"  started_at TEXT,\n"
	"  answered_at TEXT,\n"
	"  ended_at TEXT,\n"
	SQL_TS_COLS ",\n"
	"  UNIQUE (account_id, idempotency_key)\n"
	");\n"
	"CREATE INDEX calls_account_created ON calls(account_id, created_at);\n"
	"CREATE INDEX calls_assistant ON calls(assistant_id);\n"
	"CREATE INDEX calls_campaign ON calls(campaign_id);\n"
	"CREATE INDEX calls_lead ON calls(lead_id);\n"
	"CREATE INDEX calls_status ON calls(status);\n"
	"CREATE INDEX calls_webhook ON calls(webhook_state, ended_at);\n"

	"CREATE TABLE call_transcripts (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  sender TEXT NOT NULL CHECK (sender IN ('bot','human')),\n"
	"  text TEXT NOT NULL,\n"
	"  ts REAL NOT NULL,\n"
	"  UNIQUE (call_id, seq)\n"
	");\n"

	/* the decision log of in-call actions */
	"CREATE TABLE call_actions (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,\n"
	"  tool TEXT NOT NULL,\n"
	"  args TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(args)),\n"
	"  upstream_status INTEGER,\n"
	"  latency_ms REAL,\n"
	"  result_summary TEXT,\n"
	"  outcome TEXT,\n"               /* ok, error, replayed; NULL while running */
	"  result TEXT CHECK (result IS NULL OR json_valid(result)),\n"
	"  idempotency_key TEXT,\n"
	"  created_at TEXT NOT NULL DEFAULT " SQL_NOW ",\n"
	"  created_ts REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),\n"
	"  UNIQUE (call_id, idempotency_key)\n"
	");\n"
	"CREATE INDEX call_actions_call ON call_actions(call_id, id);\n"

	/* chat conversations */
	"CREATE TABLE conversations (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  uuid TEXT NOT NULL UNIQUE,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  assistant_id INTEGER REFERENCES assistants(id) ON DELETE SET NULL,\n"
	"  type TEXT NOT NULL DEFAULT 'test' CHECK (type IN ('test','widget')),\n"
	"  status TEXT NOT NULL DEFAULT 'active'\n"
	"    CHECK (status IN ('active','ended')),\n"
	"  variables TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(variables)),\n"
	"  cost_micros INTEGER NOT NULL DEFAULT 0,\n"
	/* the web call it runs on: in-call tools, decision log, evaluation */
	"  call_id INTEGER REFERENCES calls(id) ON DELETE SET NULL,\n"
	"  summary TEXT,\n"
	"  end_reason TEXT,\n"
	"  ended_at TEXT,\n"
	"  last_active REAL NOT NULL\n"
	"    DEFAULT ((julianday('now') - 2440587.5) * 86400.0),\n"
	SQL_TS_COLS
	");\n"
	"CREATE INDEX conversations_account ON conversations(account_id, id);\n"
	"CREATE INDEX conversations_call ON conversations(call_id);\n"
	"CREATE INDEX conversations_idle ON conversations(status, last_active);\n"
	"CREATE TABLE conversation_messages (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  conversation_id INTEGER NOT NULL\n"
	"    REFERENCES conversations(id) ON DELETE CASCADE,\n"
	"  role TEXT NOT NULL CHECK (role IN ('system','user','assistant','tool')),\n"
	"  content TEXT NOT NULL DEFAULT '',\n"
	"  function_calls TEXT NOT NULL DEFAULT '[]'\n"
	"    CHECK (json_valid(function_calls)),\n"
	"  created_at TEXT NOT NULL DEFAULT " SQL_NOW "\n"
	");\n"
	"CREATE INDEX conversation_messages_conv\n"
	"  ON conversation_messages(conversation_id, id);\n"

	/* SMS; from_number keeps the sender after its number is released */
	"CREATE TABLE sms (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  phone_number_id INTEGER REFERENCES phone_numbers(id) ON DELETE SET NULL,\n"
	"  from_number TEXT,\n"
	"  to_number TEXT NOT NULL,\n"
	"  body TEXT NOT NULL,\n"
	"  segments INTEGER NOT NULL DEFAULT 1,\n"
	"  encoding TEXT NOT NULL DEFAULT 'GSM-7'\n"
	"    CHECK (encoding IN ('GSM-7','UCS-2')),\n"
	"  cost_micros INTEGER NOT NULL DEFAULT 0,\n"
	"  status TEXT NOT NULL DEFAULT 'queued',\n"
	"  provider_id TEXT,\n"
	"  error TEXT,\n"
	"  idempotency_key TEXT,\n"
	SQL_TS_COLS ",\n"
	"  UNIQUE (account_id, idempotency_key)\n"
	");\n"
	"CREATE INDEX sms_account_created ON sms(account_id, created_at);\n"

	/* the in-call directory: contacts, users, cases */
	"CREATE TABLE contacts (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL,\n"
	"  company TEXT,\n"
	"  email TEXT,\n"
	"  source TEXT NOT NULL DEFAULT 'native',\n"
	"  external_id TEXT,\n"
	SQL_TS_COLS
	");\n"
	"CREATE INDEX contacts_account ON contacts(account_id, id);\n"
	"CREATE TABLE contact_numbers (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,\n"
	"  phone_number TEXT NOT NULL,\n"
	"  label TEXT\n"
	");\n"
	"CREATE INDEX contact_numbers_number ON contact_numbers(phone_number);\n"
	"CREATE INDEX contact_numbers_contact ON contact_numbers(contact_id);\n"

	"CREATE TABLE users (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL,\n"
	"  extension TEXT,\n"
	"  phone_number TEXT,\n"
	"  dnd INTEGER NOT NULL DEFAULT 0 CHECK (dnd IN (0,1)),\n"
	"  schedule TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(schedule)),\n"
	SQL_TS_COLS ",\n"
	"  UNIQUE (account_id, extension)\n"
	");\n"
	"CREATE INDEX users_account ON users(account_id, id);\n"

	"CREATE TABLE cases (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,\n"
	"  call_id INTEGER REFERENCES calls(id) ON DELETE SET NULL,\n"
	"  intent TEXT NOT NULL,\n"
	"  classification TEXT NOT NULL DEFAULT 'lead'\n"
	"    CHECK (classification IN ('lead','customer','spam','other')),\n"
	"  summary TEXT,\n"
	"  notes TEXT,\n"
	SQL_TS_COLS
	");\n"
	"CREATE INDEX cases_account ON cases(account_id, id);\n"
	"CREATE INDEX cases_lead ON cases(lead_id);\n"

	/* safety rails: confirmations of spend actions, idempotent replies */
	"CREATE TABLE confirmations (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  token_hash BLOB NOT NULL UNIQUE,\n"
	"  tool TEXT NOT NULL,\n"
	"  args_hash BLOB NOT NULL,\n"
	"  key_prefix TEXT,\n"
	"  expires_at REAL NOT NULL,\n"
	"  used_at TEXT,\n"
	"  created_at TEXT NOT NULL DEFAULT " SQL_NOW "\n"
	");\n"
	"CREATE INDEX confirmations_account ON confirmations(account_id);\n"
	"CREATE INDEX confirmations_expires ON confirmations(expires_at);\n"
	"CREATE TABLE idempotency (\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  tool TEXT NOT NULL,\n"
	"  key TEXT NOT NULL,\n"
	"  args_hash BLOB NOT NULL,\n"
	"  result TEXT CHECK (result IS NULL OR json_valid(result)),\n"
	"  created_at TEXT NOT NULL DEFAULT " SQL_NOW ",\n"
	"  PRIMARY KEY (account_id, tool, key)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX idempotency_created ON idempotency(created_at);\n"

	/* the audit trail outlives accounts and keys: no foreign keys */
	"CREATE TABLE audit (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  ts REAL NOT NULL,\n"
	"  account_id INTEGER NOT NULL DEFAULT 0,\n"
	"  key_prefix TEXT,\n"
	"  tool TEXT NOT NULL,\n"
	"  transport TEXT,\n"
	"  args TEXT,\n"
	"  outcome TEXT NOT NULL,\n"
	"  error TEXT,\n"
	"  duration_ms REAL\n"
	");\n"
	"CREATE INDEX audit_account_ts ON audit(account_id, ts);\n"
	"CREATE INDEX audit_ts ON audit(ts);\n"

	/* post-call webhooks (webhook.h, store/sqlite_webhook.c): the account's
	 * signing secret (sealed), deliveries persisted before they are sent,
	 * and every attempt */
	"CREATE TABLE webhook_secrets (\n"
	"  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  secret TEXT NOT NULL,\n"
	"  created_at TEXT NOT NULL DEFAULT " SQL_NOW "\n"
	");\n"
	"CREATE TABLE webhook_deliveries (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,\n"
	"  url TEXT NOT NULL,\n"
	"  payload TEXT NOT NULL,\n"
	"  state TEXT NOT NULL DEFAULT 'pending'\n"
	"    CHECK (state IN ('pending','delivered','failed')),\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  next_attempt_at REAL,\n"          /* unix seconds; NULL once final */
	"  last_status INTEGER,\n"
	"  last_error TEXT,\n"
	"  delivered_at TEXT,\n"
	SQL_TS_COLS
	");\n"
	"CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);\n"
	"CREATE INDEX webhook_deliveries_call ON webhook_deliveries(call_id);\n"
	"CREATE TABLE webhook_attempts (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,\n"
	"  attempt INTEGER NOT NULL,\n"
	"  status INTEGER,\n"
	"  error TEXT,\n"
	"  latency_ms REAL,\n"
	"  created_at TEXT NOT NULL DEFAULT " SQL_NOW "\n"
	");\n"
	"CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, attempt);\n"

	/* external contact sources for lookup_contact (contactsrc.h) */
	"CREATE TABLE contact_sources (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('http','carddav')),\n"
	"  url TEXT NOT NULL,\n"
	"  username TEXT,\n"
	"  password TEXT,\n"                /* sealed (secret.h) */
	"  enabled INTEGER NOT NULL DEFAULT 1,\n"
	SQL_TS_COLS
	");\n"
	"CREATE INDEX contact_sources_account ON contact_sources(account_id, id);\n";

/* 2: why a campaign stopped when the dialer stopped it (balance ran out,
 * assistant or caller id gone); cleared when it starts again. */
static const char store_migration_2[] =
	"ALTER TABLE campaigns ADD COLUMN status_reason TEXT;\n";

/* 3: calls are dialled by whichever process has a SIP line (calls.h): the
 * one that dials a call claims it first (claimed_by), so no call is dialled
 * twice; such processes beat in call_nodes (unix seconds) so that one
 * without a line (stdio) knows a call it creates will be placed. */
static const char store_migration_3[] =
	"ALTER TABLE calls ADD COLUMN claimed_by TEXT;\n"
	"CREATE INDEX calls_unclaimed ON calls(created_at)\n"
	"  WHERE status = 'initiated' AND claimed_by IS NULL AND type = 'outbound';\n"
	"CREATE TABLE call_nodes (\n"
	"  node TEXT PRIMARY KEY,\n"
	"  seen_at REAL NOT NULL\n"
	");\n";

/* 4: mid-call tool requests are signed per account with a secret of their
 * own (sealed, secret.h), apart from the webhook secret: a webhook receiver
 * that holds one cannot sign requests to the account's CRM. */
static const char store_migration_4[] =
	"CREATE TABLE midtool_secrets (\n"
	"  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,\n"
	"  secret TEXT NOT NULL,\n"
	"  created_at TEXT NOT NULL DEFAULT " SQL_NOW "\n"
	");\n";

/* 5: a campaign start's confirmation approves the leads it priced, and
 * the dialer calls approved leads only (store.h, store_campaign_start):
 * leads added or reopened later wait for a new confirmed start. Leads of a
 * campaign already running keep being called if they were there when it
 * started (those added since were never priced). A confirmation token also
 * remembers the hash of the preview it was issued with, so a changed
 * preview is told apart from changed arguments. */
static const char store_migration_5[] =
	"ALTER TABLE leads ADD COLUMN approved INTEGER NOT NULL DEFAULT 0;\n"
	"UPDATE leads SET approved = 1 WHERE EXISTS (SELECT 1 FROM campaigns cp\n"
	"  WHERE cp.id = leads.campaign_id AND cp.status = 'in-progress'\n"
	"  AND leads.created_at <= coalesce(cp.started_at, ''));\n"
	"ALTER TABLE confirmations ADD COLUMN preview_hash BLOB;\n";

/* 6: a phone number has one assistant at a time. Giving a number to an
 * assistant takes it from the one that had it, in the same statement
 * (BEFORE triggers), and a unique index makes a second owner impossible.
 * Existing double owners: the one phone_numbers.assistant_id names keeps
 * the number (it was the last to take it). */
static const char store_migration_6[] =
	"UPDATE assistants SET phone_number_id = NULL\n"
	" WHERE phone_number_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM phone_numbers p\n"
	"   WHERE p.id = assistants.phone_number_id AND p.assistant_id = assistants.id);\n"
	"CREATE UNIQUE INDEX assistants_phone_one ON assistants(phone_number_id)\n"
	"  WHERE phone_number_id IS NOT NULL;\n"
	"CREATE TRIGGER assistants_phone_take_ins BEFORE INSERT ON assistants\n"
	"WHEN NEW.phone_number_id IS NOT NULL BEGIN\n"
	"  UPDATE assistants SET phone_number_id = NULL WHERE phone_number_id = NEW.phone_number_id;\n"
	"END;\n"
	"CREATE TRIGGER assistants_phone_take_upd BEFORE UPDATE OF phone_number_id ON assistants\n"
	"WHEN NEW.phone_number_id IS NOT NULL AND NEW.phone_number_id IS NOT OLD.phone_number_id BEGIN\n"
	"  UPDATE assistants SET phone_number_id = NULL\n"
	"   WHERE phone_number_id = NEW.phone_number_id AND id <> NEW.id;\n"
	"END;\n";

/* store_migrations[i] takes the schema from version i to i + 1. */
static const char *const store_migrations[] = {
	store_migration_1,
	store_migration_2,
	store_migration_3,
	store_migration_4,
	store_migration_5,
	store_migration_6,
};

#endif
