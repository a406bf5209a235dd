/*
 * dialer.h - the campaign dialer: a scheduler thread that places the calls
 * of every campaign in progress.
 *
 * Each tick (SWITCHBOARD_DIALER_TICK_MS, default 1000) it first settles the
 * attempts that ended: a lead in processing whose call is over becomes
 * completed (answered; with retry_on_goal_incomplete only when the call's
 * extracted goal_completion_variable is true; a voicemail only without
 * retry_on_voicemail), rescheduled (busy, no-answer, failed, voicemail with
 * retry_on_voicemail, goal not reached) with next_attempt_at = now +
 * retry_interval minutes, reached-max-retries once max_retries attempts
 * were made, or created again when a campaign stop cancelled its call (the
 * call is then also hung up on the line). A goal is judged once the
 * post-call evaluation has stored the extracted variables, or after
 * SWITCHBOARD_DIALER_EVAL_WAIT_S (default 120) seconds without one.
 *
 * Then, per campaign in progress: with no lead left to call (created,
 * scheduled, processing, rescheduled) it is completed when
 * mark_complete_when_no_leads is set; outside allowed_days and
 * allowed_hours_start_time..allowed_hours_end_time (end excluded) in the
 * campaign's timezone (tz.h: wall-clock time, so DST is followed) nothing
 * is placed; otherwise up to max_calls_in_parallel minus its live calls
 * due leads are called: caller ids from phone_number_ids in round robin
 * (the assistant's own number when the list is empty), the campaign's
 * assistant, the lead's variables as the call's variables. The lead's move
 * to processing and the call row are one store transaction; the call goes
 * to the call runtime (calls.h) like make_call's, and the voice runtime
 * charges it. A campaign whose account balance does not cover a minute of
 * calling, whose assistant is gone or that has no number to call from is
 * stopped with the reason in its status_reason (a start clears it).
 * Every decision is logged (log_info); a campaign's waiting state (outside
 * its hours, at its limit) only when it changes.
 *
 * Environment: SWITCHBOARD_DIALER_TICK_MS (50..60000); SWITCHBOARD_DIALER_
 * MINUTE_S, the length in seconds of one retry_interval minute (default
 * 60; tests use fractions like 0.3); SWITCHBOARD_DIALER_NOW, the dialer's
 * clock at start-up ("YYYY-MM-DDTHH:MM[:SS]Z" UTC or epoch seconds; it
 * runs on from there) for schedule tests; SWITCHBOARD_DIALER_DISABLE=1.
 * The dialer runs only with the SIP user agent (serve starts it after
 * sip_ua_start): without a line its calls could only fail.
 */
#ifndef DIALER_H
#define DIALER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Start / stop the scheduler thread (stop joins it; calls already placed
 * go on). 0, or -1 when the thread cannot start or the environment is
 * wrong (logged). */
int dialer_start(void);
void dialer_stop(void);

/* ---- the decisions, pure (unit-tested) ---- */

/* Bits of allowed_days (["monday", ...]): bit d for weekday d, 0 = Sunday.
 * Unknown names are ignored. */
unsigned dialer_days_mask(const json_t *allowed_days);
/* 1 when the wall clock in zone at utc is on an allowed day and within
 * [start, end) ("HH:MM"), 0 when not, -1 for an unknown zone or a bad
 * time. local (may be NULL) gets e.g. "monday 10:30 CET". */
int dialer_window_open(const char *zone, const char *start, const char *end,
		       unsigned days_mask, int64_t utc, char *local, size_t n);
/* 1 when extracted[var] says yes (true, a non-zero number, "true", "yes",
 * "1"), else 0. */
int dialer_goal_met(const json_t *extracted, const char *var);

enum dialer_verdict {
	DIALER_WAIT = 0,         /* decide later (the evaluation is not in yet) */
	DIALER_COMPLETED,
	DIALER_RETRY,            /* rescheduled, or reached-max-retries */
	DIALER_RELEASE,          /* back to created: a stop cancelled the call */
};
/* What a finished attempt (a row of store_dialer_finished) means; *why
 * gets a short reason for the log (valid while the attempt is). eval_wait_s: how long an answered call
 * waits for its evaluation when the goal decides. */
enum dialer_verdict dialer_judge(const json_t *attempt, double eval_wait_s, const char **why);

/* utc as "YYYY-MM-DDTHH:MM:SS.mmm000Z" (the store's timestamps; the
 * millisecond rounded up). */
void dialer_timestamp(double utc, char *out, size_t n);

#endif
