/*
 * calls.h - the call runtime's front door: a queue that takes the calls
 * make_call and the campaign dialer created, and a worker thread that
 * places them.
 *
 * make_call writes the call row (status "initiated") and submits its id;
 * from then on the runtime owns the call's status. The worker hands each
 * call to the SIP user agent (sip/ua.h), which dials it through the
 * from-number's trunk; a number without a SIP trunk or a trunk that cannot
 * be used ends the call as "failed" with the reason stored in the call's
 * end_reason - never a pretended success.
 *
 * Who dials. Only a process whose SIP user agent runs (`serve`) can; a
 * stdio process serving a desktop client shares the database but has no
 * line. A process with a line beats in the store every
 * SWITCHBOARD_CALLS_SCAN_MS (1000) and, at the same pace, dials the
 * initiated calls nobody has claimed (those other processes created); every
 * call is claimed in the store before it is dialled, so it is dialled once
 * even with several such processes. A process without a line leaves its
 * calls to them - or, when none has beaten in the last 10 s, ends the call
 * as failed saying to start `serve`. A call nobody dialled within 60 s ends
 * as failed.
 *
 * What happens on the line comes back from the SIP user agent through the
 * callbacks calls_runtime_start registers (sip_ua_set_events): ringing and
 * answered statuses, and the end - recorded with its duration and charge
 * in one store transaction, and, for a call no conversation ran on, its
 * post-call evaluation and webhook queued (brain_after_call_queue).
 *
 * Pricing of calls lives here too: SWITCHBOARD_CALL_PRICE_MICROS per
 * started minute (default 90000 = $0.09), read once.
 *
 * Lifecycle: calls_runtime_start() once the store is open and before
 * sip_ua_start (it registers the callbacks); submit from any
 * thread; calls_runtime_scan_now() once the SIP user agent runs (it beats
 * and scans at once); calls_runtime_stop() drains the queue (calls still
 * waiting end as failed, "server shutting down"), leaves call_nodes and
 * joins the worker.
 *
 * Threads: the queue and the next scan time are guarded by the module's
 * mutex (any thread submits, the worker takes); the node name is written
 * once by calls_runtime_start before the worker starts; `beating` is the
 * worker's own. Nothing here is called with the runtime's mutex held; the
 * SIP user agent's event handlers run on its loop thread and use only the
 * store.
 */
#ifndef CALLS_H
#define CALLS_H

#include <stdint.h>

int calls_runtime_start(void);
void calls_runtime_stop(void);
void calls_runtime_scan_now(void);
/* Hand a call over; 0, or -1 when the runtime is not running or its queue
 * is full (the call is then ended as failed with that reason). */
int calls_runtime_submit(int64_t call_id);

/* A command for a live call from the in-call plane: "transfer" (arg: an
 * E.164 number or an extension), "hangup", or "dtmf" (arg: digits). For a
 * call on our SIP line the voice runtime performs it (the goodbye or the
 * transfer sentence is said to the end first); calls driven by an external
 * voice engine learn it from the tool's answer, and their hang-up ends the
 * call's record as ended_by_assistant (a transfer is only logged).
 * 0 when done or handed to the voice runtime; 1 for "dtmf" on a call that
 * is not on our line (only its engine can send the digits); -1 for an
 * unknown command. */
int calls_runtime_command(int64_t call_id, const char *command, const char *arg);

/* An operator ends a live call (end_call): on our SIP line the voice
 * runtime says goodbye and hangs up (0); any other call (an external
 * engine's, or one not yet dialled) is marked ended at once with `reason`
 * and its post-call evaluation queued (1); -1 when the store failed. */
int calls_runtime_end(int64_t call_id, const char *reason);

/* Price of one started minute, in micro-dollars. */
int64_t calls_price_per_minute(void);

#endif
