/*
 * ua.h - the SIP user agent: libre's event loop in its own thread, owning
 * every call on the line.
 *
 * One thread runs re_main. It carries SIP over UDP and TCP on the listen
 * address (SWITCHBOARD_SIP_LISTEN, default 127.0.0.1:5060), RTP for every
 * call (voice/media.h), and timers. Other threads never touch libre: they
 * hand work over with the functions below, which push onto a libre mqueue
 * (thread-safe, wakes the loop).
 *
 * A call here is a SIP session plus its media and its voice_line (the
 * conversation's side runs in voice/conv.c). The UA moves the call's row
 * through the statuses users know: initiated -> ringing (180/183) ->
 * in-progress (answered) -> completed / ended_by_customer (the far end's
 * BYE) / ended_by_assistant (hang-up asked for by the assistant) / busy
 * (486, 600, 603) / no-answer (ring timeout, 408, 480, 487) / failed (any
 * other answer, an unreachable trunk, a bad trunk setting - with the
 * reason in end_reason). It reports each step to the call runtime through
 * the callbacks the runtime registered (struct sip_ua_events): the runtime
 * writes the statuses, and records the end (duration, charge) once, in one
 * store transaction.
 *
 * Inbound INVITEs are answered for numbers that have an assistant (after
 * ringing SWITCHBOARD_ANSWER_DELAY_MS, default 0; a CANCEL meanwhile ends
 * the call ended_by_customer, "hung up before the answer", uncharged); OPTIONS
 * are answered 200 (proxies probe with them); re-INVITEs update the media
 * (a far end's hold stops our sending until it resumes); REFER performs a
 * blind transfer (NOTIFY sipfrag followed; a failure goes back to the
 * conversation, which says so and the call goes on). Each frame the caller
 * sends goes to voice/listen.h (end-pointing, barge-in, keypad tones, the
 * voicemail beep); the conversation's orders (hang up, transfer, digits)
 * come back through the call's voice_line (voice_line_order), which wakes
 * the loop through its mqueue.
 *
 * Numbers whose trunk has a registrar are REGISTERed there (sip/reg.h); all
 * un-register at stop.
 *
 * Environment: SWITCHBOARD_SIP_LISTEN host:port; SWITCHBOARD_RTP_PORTS
 * "min-max" (default 20000-29999); SWITCHBOARD_MEDIA_IP (address put in SDP,
 * default the listen host); SWITCHBOARD_RING_TIMEOUT seconds an outbound
 * call may ring (default 45) - all in sip/conf.h; SWITCHBOARD_SIP_DISABLE=1
 * skips the UA.
 */
#ifndef SIP_UA_H
#define SIP_UA_H

#include <stdint.h>

struct store_dial;

/* ---- what the user agent reports ------------------------------------------ */

/* A call's end, for sip_ua_events.ended. */
struct sip_ua_end {
	int64_t call_id;
	const char *status;    /* the final status (ua's list above) */
	const char *reason;    /* why, or NULL */
	int64_t duration_s;    /* from the answer, rounded; 0 when never answered */
	int conversation;      /* a conversation ran: it queues the call's evaluation itself */
};

/* Called on the loop thread; each may be NULL. They must not block long
 * (they run between RTP frames). */
struct sip_ua_events {
	/* the far end rings (first 180/183 of an outbound call) */
	void (*ringing)(int64_t call_id);
	/* the call was answered; answered_by is "human" (inbound) or "unknown" */
	void (*answered)(int64_t call_id, const char *answered_by);
	/* the call ended, once per call: record its end; returns the charge in
	 * micro-dollars (for the log line) */
	int64_t (*ended)(const struct sip_ua_end *end);
	/* a transfer's outcome: why is NULL when it went through (the call
	 * then ends completed), the reason when it failed (the call goes on) */
	void (*transfer)(int64_t call_id, const char *target, const char *why);
};

/* Register the callbacks (copied); before sip_ua_start. */
void sip_ua_set_events(const struct sip_ua_events *ev);

/* ---- lifecycle and work from other threads --------------------------------- */

/* Start the loop thread; data_dir holds recordings (data_dir/recordings).
 * Returns 0 once listening, -1 when it cannot (logged). */
int sip_ua_start(const char *data_dir);
/* End every call (status failed, "server shutting down"), let BYEs go,
 * stop the loop and wait for the conversations (bounded). */
void sip_ua_stop(void);
int sip_ua_running(void);

/* Dial the call (row status initiated) described by d. Blocking work
 * (trunk parsing, name resolution) happens on the calling thread. 0 when
 * handed over; -1 with the reason in why (the caller fails the call). */
int sip_ua_dial(int64_t call_id, const struct store_dial *d, char *why, size_t whylen);

/* A command for a live call: "hangup" (say goodbye, then BYE), "transfer"
 * (arg: E.164 or extension), "dtmf" (arg: digits to send). 0 when the call
 * is on this UA's line; -1 when it is not (an external voice engine's). */
int sip_ua_command(int64_t call_id, const char *command, const char *arg);

/* For the call runtime: end the call now with this status and reason
 * ("bye"), or REFER it to arg ("refer"). Ignored when gone. (The
 * conversation orders through its line: voice_line_order.) */
int sip_ua_post(int64_t call_id, const char *op, const char *arg, const char *status);

#endif
