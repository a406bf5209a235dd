/* dialer.c - the campaign dialer's scheduler thread and its decisions
 * (see dialer.h). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "calls/runtime.h"
#include "calls/dialer.h"
#include "base/log.h"
#include "sip/ua.h"
#include "store/call_status.h"
#include "store/store.h"
#include "base/tz.h"
#include "base/util.h"
#include "base/worker.h"

#define MAX_CAMPAIGNS 1000       /* campaigns looked at per tick */
#define MAX_FINISHED 500         /* attempts settled per tick */
#define NOTE_MAX 240

static const char *const day_names[7] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

/* ---- the decisions ----------------------------------------------------------- */

unsigned dialer_days_mask(const json_t *allowed_days)
{
	const json_t *v;
	unsigned mask = 0;
	size_t i;

	json_array_foreach(allowed_days, i, v) {
		const char *s = json_string_value(v);
		for (int d = 0; s && d < 7; d++)
			if (!strcasecmp(s, day_names[d]))
				mask |= 1u << d;
	}
	return mask;
}

/* "HH:MM" into minutes of the day; -1 when it is not one. */
static int hhmm(const char *s)
{
	if (!s || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' ||
	    s[1] < '0' || s[1] > '9' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	return h < 24 ? h * 60 + m : -1;
}

int dialer_window_open(const char *zone, const char *start, const char *end,
		       unsigned days_mask, int64_t utc, char *local, size_t n)
{
	struct tz_local l;
	int from = hhmm(start), to = hhmm(end), now;

	if (local && n)
		local[0] = '\0';
	if (from < 0 || to < 0 || !zone || tz_to_local(zone, utc, &l))
		return -1;
	if (local && n)
		snprintf(local, n, "%s %02d:%02d %s", day_names[l.weekday], l.hour, l.min, l.abbr);
	now = l.hour * 60 + l.min;
	return (days_mask & (1u << l.weekday)) && now >= from && now < to;
}

int dialer_goal_met(const json_t *extracted, const char *var)
{
	const json_t *v = var ? json_object_get(extracted, var) : NULL;
	const char *s;

	if (json_is_true(v))
		return 1;
	if (json_is_number(v))
		return json_number_value(v) != 0.0;
	s = json_string_value(v);
	return s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1"));
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

enum dialer_verdict dialer_judge(const json_t *a, double eval_wait_s, const char **why)
{
	const char *status = str(a, "call_status"), *goal = str(a, "goal_completion_variable");
	enum call_status st = call_status_parse(status);

	if (json_is_null(json_object_get(a, "call_id")) || !json_object_get(a, "call_id")) {
		*why = "its call is gone";
		return DIALER_RETRY;
	}
	if (st == CALL_STATUS_ENDED) {
		*why = "the campaign stop cancelled its call";
		return DIALER_RELEASE;
	}
	if (call_status_is_unreached(st) || !json_is_true(json_object_get(a, "answered"))) {
		*why = status[0] ? status : "not answered";
		return DIALER_RETRY;
	}
	if (!strcmp(str(a, "answered_by"), "machine")) {
		if (json_is_true(json_object_get(a, "retry_on_voicemail"))) {
			*why = "voicemail (retry_on_voicemail)";
			return DIALER_RETRY;
		}
		*why = "answered by voicemail";
		return DIALER_COMPLETED;
	}
	if (json_is_true(json_object_get(a, "retry_on_goal_incomplete")) && goal[0]) {
		if (!json_is_true(json_object_get(a, "evaluated")) &&
		    json_number_value(json_object_get(a, "ended_age_s")) < eval_wait_s) {
			*why = "waiting for the post-call evaluation";
			return DIALER_WAIT;
		}
		if (dialer_goal_met(json_object_get(a, "extracted"), goal)) {
			*why = "answered, goal reached";
			return DIALER_COMPLETED;
		}
		*why = json_is_true(json_object_get(a, "evaluated"))
			? "answered, goal not reached" : "answered, no evaluation to tell the goal";
		return DIALER_RETRY;
	}
	*why = "answered";
	return DIALER_COMPLETED;
}

void dialer_timestamp(double utc, char *out, size_t n)
{
	int64_t ms = (int64_t)ceil(utc * 1000.0);	/* never before the instant */
	int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
	int64_t rem = s - days * 86400, y;
	int m, d;

	tz_civil_from_days(days, &y, &m, &d);
	snprintf(out, n, "%04lld-%02d-%02dT%02d:%02d:%02d.%03d000Z", (long long)y, m, d,
		 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), (int)(ms - s * 1000));
}

/* ---- configuration ------------------------------------------------------------- */

static struct {
	int tick_ms;
	double minute_s, eval_wait_s;
	int have_now;
	double now0, mono0;      /* the dialer's clock = now0 + (mono - mono0) */
} cfg;

/* "YYYY-MM-DDTHH:MM[:SS]Z" (UTC) or epoch seconds. */
static int parse_now(const char *s, double *out)
{
	int y, mo, d, h, mi, sec = 0, used = 0;
	int64_t v;

	if (!util_parse_i64(s, &v) && v > 0) {
		*out = (double)v;
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &used) != 5)
		return -1;
	s += used;
	if (*s == ':') {
		if (sscanf(s, ":%2d%n", &sec, &used) != 1)
			return -1;
		s += used;
	}
	if (strcmp(s, "Z") || mo < 1 || mo > 12 || d < 1 || d > tz_days_in_month(y, mo) ||
	    h > 23 || h < 0 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return -1;
	*out = (double)(tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec);
	return 0;
}

static int configure(void)
{
	const char *e;
	char *end;
	int64_t v;
	double x;

	cfg.tick_ms = 1000;
	cfg.minute_s = 60.0;
	cfg.eval_wait_s = 120.0;
	cfg.have_now = 0;
	e = getenv("SWITCHBOARD_DIALER_TICK_MS");
	if (e && *e) {
		if (util_parse_i64(e, &v) || v < 50 || v > 60000) {
			log_error("dialer: SWITCHBOARD_DIALER_TICK_MS='%s' is not 50..60000", e);
			return -1;
		}
		cfg.tick_ms = (int)v;
	}
	e = getenv("SWITCHBOARD_DIALER_MINUTE_S");
	if (e && *e) {
		errno = 0;
		x = strtod(e, &end);
		if (errno || *end || !(x >= 0.01 && x <= 3600.0)) {
			log_error("dialer: SWITCHBOARD_DIALER_MINUTE_S='%s' is not 0.01..3600 seconds", e);
			return -1;
		}
		cfg.minute_s = x;
	}
	e = getenv("SWITCHBOARD_DIALER_EVAL_WAIT_S");
	if (e && *e) {
		if (util_parse_i64(e, &v) || v < 0 || v > 86400) {
			log_error("dialer: SWITCHBOARD_DIALER_EVAL_WAIT_S='%s' is not 0..86400", e);
			return -1;
		}
		cfg.eval_wait_s = (double)v;
	}
	e = getenv("SWITCHBOARD_DIALER_NOW");
	if (e && *e) {
		if (parse_now(e, &cfg.now0)) {
			log_error("dialer: SWITCHBOARD_DIALER_NOW='%s' is not YYYY-MM-DDTHH:MM[:SS]Z "
				  "or epoch seconds", e);
			return -1;
		}
		cfg.have_now = 1;
		cfg.mono0 = util_mono();
	}
	return 0;
}

static double clock_now(void)
{
	return cfg.have_now ? cfg.now0 + (util_mono() - cfg.mono0) : util_now();
}

/* ---- what was last said about a campaign (log on change only) -------------------- */

struct note {
	int64_t campaign_id;
	char text[NOTE_MAX];
};
static struct note *notes;
static size_t nnotes, cap_notes;

/* Log text for the campaign unless it is what was said last time. */
static void note(int64_t campaign_id, const char *text)
{
	size_t i;

	for (i = 0; i < nnotes && notes[i].campaign_id != campaign_id; i++)
		;
	if (i < nnotes && !strcmp(notes[i].text, text))
		return;
	if (i == nnotes) {
		if (nnotes == cap_notes) {
			size_t cap = cap_notes ? cap_notes * 2 : 16;
			struct note *p = realloc(notes, cap * sizeof(*p));
			if (!p) {
				log_info("dialer: campaign %lld: %s", (long long)campaign_id, text);
				return;
			}
			notes = p;
			cap_notes = cap;
		}
		nnotes++;
		notes[i].campaign_id = campaign_id;
	}
	snprintf(notes[i].text, sizeof notes[i].text, "%s", text);
	log_info("dialer: campaign %lld: %s", (long long)campaign_id, text);
}

/* Forget campaigns that are no longer running, so a restart is logged anew. */
static void notes_keep(const json_t *running)
{
	size_t i = 0;

	while (i < nnotes) {
		const json_t *c;
		size_t k;
		int found = 0;
		json_array_foreach(running, k, c)
			if (json_integer_value(json_object_get(c, "id")) == notes[i].campaign_id)
				found = 1;
		if (found)
			i++;
		else
			notes[i] = notes[--nnotes];
	}
}

/* ---- settling finished attempts --------------------------------------------------- */

static void settle(const json_t *a, double now)
{
	int64_t lead = json_integer_value(json_object_get(a, "lead_id"));
	int64_t campaign = json_integer_value(json_object_get(a, "campaign_id"));
	int64_t call = json_integer_value(json_object_get(a, "call_id"));
	int64_t tries = json_integer_value(json_object_get(a, "retries"));
	int64_t max = json_integer_value(json_object_get(a, "max_retries"));
	int64_t interval = json_integer_value(json_object_get(a, "retry_interval"));
	const char *why = "", *status;
	char next[40], msg[NOTE_MAX + 80];
	enum dialer_verdict v = dialer_judge(a, cfg.eval_wait_s, &why);
	int r;

	next[0] = '\0';
	switch (v) {
	case DIALER_WAIT:
		return;
	case DIALER_COMPLETED:
		status = "completed";
		break;
	case DIALER_RELEASE:
		status = "created";
		/* the store ended the row; the line may still carry the call */
		if (call > 0)
			sip_ua_post(call, "bye", "campaign stopped", "ended");
		break;
	default:
		if (tries >= max) {
			status = "reached-max-retries";
		} else {
			status = "rescheduled";
			dialer_timestamp(now + (double)interval * cfg.minute_s, next, sizeof next);
		}
		break;
	}
	r = store_dialer_lead_settle(lead, status, next[0] ? next : NULL);
	if (r == STORE_NOTFOUND)
		return;	/* changed meanwhile (update_lead) */
	if (r) {
		log_error("dialer: campaign %lld: cannot settle lead %lld", (long long)campaign,
			  (long long)lead);
		return;
	}
	snprintf(msg, sizeof msg, "lead %lld: call %lld %s: %s after attempt %lld of %lld%s%s",
		 (long long)lead, (long long)call, why, status, (long long)tries, (long long)max,
		 next[0] ? ", next attempt at " : "", next);
	log_info("dialer: campaign %lld: %s", (long long)campaign, msg);
}

static void settle_all(double now)
{
	json_t *fin = store_dialer_finished(MAX_FINISHED);
	const json_t *a;
	size_t i;

	if (!fin) {
		log_error("dialer: cannot read finished attempts");
		return;
	}
	json_array_foreach(fin, i, a)
		settle(a, now);
	json_decref(fin);
}

/* ---- one campaign --------------------------------------------------------------------- */

static void pause_campaign(int64_t id, const char *reason)
{
	int r = store_dialer_campaign_end(id, "stopped", reason);

	if (r && r != STORE_NOTFOUND)
		log_error("dialer: campaign %lld: cannot stop it", (long long)id);
	else if (!r)
		log_info("dialer: campaign %lld stopped: %s", (long long)id, reason);
}

/* The caller ids to use: phone_number_ids, else the assistant's number. */
static json_t *caller_ids(const json_t *c, const json_t *asst)
{
	const json_t *ids = json_object_get(c, "phone_number_ids");
	const json_t *own = json_object_get(asst, "phone_number_id");

	if (json_array_size(ids))
		return json_deep_copy(ids);
	return json_is_integer(own) ? json_pack("[O]", own) : json_array();
}

static void place(const json_t *c, const json_t *asst, const json_t *ids, const json_t *lead,
		  int64_t seq)
{
	int64_t id = json_integer_value(json_object_get(c, "id"));
	int64_t acc = json_integer_value(json_object_get(c, "account_id"));
	int64_t lead_id = json_integer_value(json_object_get(lead, "id"));
	size_t n = json_array_size(ids);
	struct store_phone p;
	struct store_call_new nc;
	int64_t call = 0;
	int r = -1;

	for (size_t k = 0; k < n && r; k++) {
		int64_t pid = json_integer_value(json_array_get(ids, (size_t)((seq + (int64_t)k) % (int64_t)n)));
		r = store_phone_number_get(acc, pid, &p);
	}
	memset(p.trunk, 0, sizeof p.trunk);
	if (r) {
		pause_campaign(id, "no phone number to call from: the campaign's phone_number_ids "
			       "(or its assistant's number) are gone");
		return;
	}
	memset(&nc, 0, sizeof nc);
	nc.assistant_id = json_integer_value(json_object_get(asst, "id"));
	nc.campaign_id = id;
	nc.lead_id = lead_id;
	nc.type = "outbound";
	nc.from_number = p.phone_number;
	nc.to_number = str(lead, "phone_number");
	nc.variables = json_object_get(lead, "variables");
	r = store_dialer_place(acc, &nc, &call);
	if (r == STORE_CONFLICT)
		return;	/* the lead or the campaign changed meanwhile */
	if (r) {
		log_error("dialer: campaign %lld: cannot place a call for lead %lld", (long long)id,
			  (long long)lead_id);
		return;
	}
	log_info("dialer: campaign %lld: lead %lld (%s): attempt %lld of %lld: call %lld from %s",
		 (long long)id, (long long)lead_id, nc.to_number,
		 (long long)json_integer_value(json_object_get(lead, "retries")) + 1,
		 (long long)json_integer_value(json_object_get(c, "max_retries")), (long long)call,
		 p.phone_number);
	calls_runtime_submit(call);
}

static void run_campaign(const json_t *c, double now, const char *now_ts)
{
	int64_t id = json_integer_value(json_object_get(c, "id"));
	int64_t acc = json_integer_value(json_object_get(c, "account_id"));
	int64_t live = json_integer_value(json_object_get(c, "live_calls"));
	int64_t par = json_integer_value(json_object_get(c, "max_calls_in_parallel"));
	int64_t balance = json_integer_value(json_object_get(c, "balance_micros"));
	int64_t price = calls_price_per_minute();
	json_t *asst = NULL, *ids = NULL, *leads = NULL;
	const json_t *lead;
	char local[80], text[NOTE_MAX], have[32], need[32];
	size_t i;
	int open;

	if (json_integer_value(json_object_get(c, "open_leads")) == 0) {
		if (json_is_true(json_object_get(c, "mark_complete_when_no_leads"))) {
			int r = store_dialer_campaign_end(id, "completed", NULL);
			if (!r)
				log_info("dialer: campaign %lld completed: no leads left to call "
					 "(mark_complete_when_no_leads)", (long long)id);
			else if (r != STORE_NOTFOUND)
				log_error("dialer: campaign %lld: cannot complete it", (long long)id);
		} else {
			/* leads added since the start wait for a confirmed one */
			note(id, "no leads left to call: new leads are called once "
			     "update_campaign_status start confirms them");
		}
		return;
	}
	open = dialer_window_open(str(c, "timezone"), str(c, "allowed_hours_start_time"),
				  str(c, "allowed_hours_end_time"),
				  dialer_days_mask(json_object_get(c, "allowed_days")),
				  (int64_t)floor(now), local, sizeof local);
	if (open < 0) {
		snprintf(text, sizeof text, "the campaign's schedule cannot be read (timezone '%s')",
			 str(c, "timezone"));
		pause_campaign(id, text);
		return;
	}
	if (!open) {
		snprintf(text, sizeof text, "outside its allowed hours (%s in %s; allowed %s-%s): "
			 "not dialing", local, str(c, "timezone"), str(c, "allowed_hours_start_time"),
			 str(c, "allowed_hours_end_time"));
		note(id, text);
		return;
	}
	if (live >= par) {
		snprintf(text, sizeof text, "within its allowed hours (%s), at its limit of %lld "
			 "live call%s", local, (long long)par, par == 1 ? "" : "s");
		note(id, text);
		return;
	}
	leads = store_dialer_due_leads(id, now_ts, (int)(par - live));
	if (!leads) {
		log_error("dialer: campaign %lld: cannot read its leads", (long long)id);
		return;
	}
	if (!json_array_size(leads)) {
		snprintf(text, sizeof text, "within its allowed hours (%s), %lld live call%s, "
			 "no lead due yet", local, (long long)live, live == 1 ? "" : "s");
		note(id, text);
		goto out;
	}
	if (balance < price || balance <= 0) {
		util_money(balance, have, sizeof have);
		util_money(price, need, sizeof need);
		snprintf(text, sizeof text, "paused: the account balance ($%s) does not cover a "
			 "minute of calling ($%s): top up and start the campaign again", have, need);
		pause_campaign(id, text);
		goto out;
	}
	asst = json_integer_value(json_object_get(c, "assistant_id")) > 0
		? store_assistant_get(acc, json_integer_value(json_object_get(c, "assistant_id")))
		: NULL;
	if (!asst) {
		pause_campaign(id, "the campaign's assistant was deleted: create a new campaign");
		goto out;
	}
	ids = caller_ids(c, asst);
	if (!json_array_size(ids)) {
		pause_campaign(id, "no phone number to call from: set phone_number_ids or give "
			       "the assistant a phone number");
		goto out;
	}
	snprintf(text, sizeof text, "within its allowed hours (%s): dialing", local);
	note(id, text);
	json_array_foreach(leads, i, lead)
		place(c, asst, ids, lead, json_integer_value(json_object_get(c, "calls_made")) +
		      (int64_t)i);
out:
	json_decref(asst);
	json_decref(ids);
	json_decref(leads);
}

static void tick(void)
{
	double now = clock_now();
	char now_ts[40];
	json_t *running;
	const json_t *c;
	size_t i;

	dialer_timestamp(now, now_ts, sizeof now_ts);
	settle_all(now);
	running = store_dialer_campaigns(MAX_CAMPAIGNS);
	if (!running) {
		log_error("dialer: cannot read the running campaigns");
		return;
	}
	notes_keep(running);
	json_array_foreach(running, i, c)
		run_campaign(c, now, now_ts);
	json_decref(running);
}

/* ---- the thread ------------------------------------------------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;	/* on the monotonic clock: cv_init */
static struct worker w = WORKER_INIT(&mu, &cv, "dialer");
static pthread_once_t cv_once = PTHREAD_ONCE_INIT;

static void cv_init(void)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &ca);
	pthread_condattr_destroy(&ca);
}

static void *loop(void *arg)
{
	struct timespec ts;
	(void)arg;

	pthread_mutex_lock(&mu);
	while (!w.stopping) {
		pthread_mutex_unlock(&mu);
		tick();
		pthread_mutex_lock(&mu);
		util_deadline(&ts, CLOCK_MONOTONIC, cfg.tick_ms / 1000.0);
		while (!w.stopping && pthread_cond_timedwait(&cv, &mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&mu);
	free(notes);
	notes = NULL;
	nnotes = cap_notes = 0;
	store_thread_release();
	return NULL;
}

int dialer_start(void)
{
	const char *off = getenv("SWITCHBOARD_DIALER_DISABLE");
	char now_ts[40];

	if (off && !strcmp(off, "1")) {
		log_info("dialer: off (SWITCHBOARD_DIALER_DISABLE=1): campaigns place no calls");
		return 0;
	}
	if (configure())
		return -1;
	pthread_once(&cv_once, cv_init);
	if (worker_start(&w, loop, NULL))
		return -1;
	dialer_timestamp(clock_now(), now_ts, sizeof now_ts);
	log_info("dialer: running: tick %d ms, a retry minute lasts %g s, clock %s%s", cfg.tick_ms,
		 cfg.minute_s, now_ts, cfg.have_now ? " (SWITCHBOARD_DIALER_NOW)" : "");
	return 0;
}

void dialer_stop(void)
{
	worker_stop(&w);
}
