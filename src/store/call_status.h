/*
 * call_status.h - the states of a call: one enum, its name table and its
 * predicates, so no caller compares status strings.
 *
 * The names are the values stored in calls.status (the CHECK list in
 * store/migrations.h) and shown in tool outputs and webhooks; they never
 * change. A call is live while it may still be dialled, ring or talk
 * (initiated, ringing, in-progress); every other state is final. Of the
 * final states, completed, ended, ended_by_customer and ended_by_assistant
 * end a call that ran its course ("completed" for webhooks); busy,
 * no-answer and failed end an attempt that never became a conversation
 * (the dialer retries those).
 *
 * A name nobody declared (and NULL) parses to CALL_STATUS_UNKNOWN, for
 * which every predicate is false. Pure functions: any thread.
 */
#ifndef CALL_STATUS_H
#define CALL_STATUS_H

/* X(enum suffix, stored name, live, completed, unreached) */
#define CALL_STATUS_MAP(X) \
	X(INITIATED,          "initiated",          1, 0, 0) \
	X(RINGING,            "ringing",            1, 0, 0) \
	X(IN_PROGRESS,        "in-progress",        1, 0, 0) \
	X(BUSY,               "busy",               0, 0, 1) \
	X(NO_ANSWER,          "no-answer",          0, 0, 1) \
	X(FAILED,             "failed",             0, 0, 1) \
	X(COMPLETED,          "completed",          0, 1, 0) \
	X(ENDED,              "ended",              0, 1, 0) \
	X(ENDED_BY_CUSTOMER,  "ended_by_customer",  0, 1, 0) \
	X(ENDED_BY_ASSISTANT, "ended_by_assistant", 0, 1, 0)

enum call_status {
	CALL_STATUS_UNKNOWN = 0,
#define CALL_STATUS_ENUM(e, name, live, completed, unreached) CALL_STATUS_##e,
	CALL_STATUS_MAP(CALL_STATUS_ENUM)
#undef CALL_STATUS_ENUM
	CALL_STATUS_COUNT
};

/* The live states as an SQL list, for "status IN " CALL_STATUS_LIVE_SQL in
 * the store backends (a unit test checks it against call_status_is_live). */
#define CALL_STATUS_LIVE_SQL "('initiated','ringing','in-progress')"

/* ---- names ------------------------------------------------------------------ */

/* The stored name (a static string); NULL for CALL_STATUS_UNKNOWN or a value
 * out of range. */
const char *call_status_name(enum call_status s);
/* The state named `name` (exact, case-sensitive); CALL_STATUS_UNKNOWN for
 * NULL or a name not in the table. */
enum call_status call_status_parse(const char *name);

/* ---- predicates (0 or 1; 0 for CALL_STATUS_UNKNOWN) ---------------------------- */

/* initiated, ringing, in-progress: the call may still be dialled or talk. */
int call_status_is_live(enum call_status s);
/* Any known state that is not live: the call is over. */
int call_status_is_final(enum call_status s);
/* completed, ended, ended_by_customer, ended_by_assistant: over after it
 * ran its course. */
int call_status_is_completed(enum call_status s);
/* busy, no-answer, failed: the attempt never became a conversation. */
int call_status_is_unreached(enum call_status s);

#endif
