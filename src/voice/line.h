/*
 * line.h - what a call's conversation and its phone line share.
 *
 * The SIP loop thread (sip/ua.c) owns the line's network side; the
 * conversation (voice/conv.c) runs on its own thread and blocks on speech
 * engines and the model. They meet here, in one reference-counted object
 * with a mutex:
 *   - the playout queue: 8 kHz 16-bit PCM the conversation appends
 *     (voice_line_play) and the loop takes 20 ms at a time
 *     (voice_line_pull); bounded at VOICE_LINE_MAX_S seconds, flushed on
 *     barge-in;
 *   - the event queue the loop posts to the conversation (speech started,
 *     an utterance, a keypad digit, a voicemail beep, a command, the line
 *     closed);
 *   - the order queue the other way: hang up, transfer, send digits
 *     (voice_line_order), which the loop takes (voice_line_take_order)
 *     when the wake function it set on the line tells it to (sip/ua.c
 *     pushes a message onto its mqueue);
 *   - the closed flag: once closed, play and orders fail and waits return
 *     at once.
 * Each side holds a reference; the last voice_line_unref frees it (and
 * the events and orders still queued).
 * Locks: mu guards every field of struct voice_line but call_id (fixed at
 * voice_line_new); a caller outside line.c that reads or writes one (conv.c
 * and ua.c do caller_speaking) takes mu. cv (with mu) signals a new event.
 */
#ifndef VOICE_LINE_H
#define VOICE_LINE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define VOICE_LINE_MAX_S 120
#define VOICE_LINE_FLUSH_LOG 16  /* positions of the last flushes kept */
#define VOICE_RATE 8000

enum voice_ev_type {
	VEV_SPEECH_START,  /* the caller started speaking (barge-in point) */
	VEV_UTTERANCE,     /* pcm/n: one end-pointed utterance */
	VEV_DTMF,          /* text[0]: the digit */
	VEV_HANGUP,        /* a hang-up was asked for (in-call tool) */
	VEV_TRANSFER,      /* text: the target; say it, then REFER */
	VEV_TRANSFER_FAILED, /* text: why */
	VEV_BEEP,          /* an answering machine's beep just ended; text: "<hz> Hz, <ms> ms" */
	VEV_CLOSED,        /* the line is gone: stop */
};

/* An order from the conversation to the loop. */
enum voice_line_cmd {
	LINE_HANGUP,       /* end the call now with status (empty: completed), arg the reason */
	LINE_TRANSFER,     /* REFER the call to arg (E.164 or extension) */
	LINE_DTMF,         /* send the digits in arg */
};

struct voice_line_order {
	enum voice_line_cmd cmd;
	char arg[200];
	char status[24];
	struct voice_line_order *next;
};

struct voice_ev {
	enum voice_ev_type type;
	int16_t *pcm;      /* VEV_UTTERANCE: owned by the event */
	size_t n;
	double ts;         /* unix seconds when it happened */
	char text[256];
	struct voice_ev *next;
};

struct voice_line {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* everything below: mu, except call_id (fixed) */
	int refs;
	int closed;
	int64_t call_id;
	/* playout ring */
	int16_t *ring;
	size_t cap, head, len;
	uint64_t pulled;         /* samples the loop has taken (the play position) */
	uint64_t flush_at[VOICE_LINE_FLUSH_LOG]; /* play position of flush k at [k % LOG] */
	unsigned flushes;        /* flushes so far */
	/* events for the conversation */
	struct voice_ev *evh, *evt;
	size_t nev;
	/* the caller is speaking now (set by the loop) */
	int caller_speaking;
	/* orders for the loop, and how to wake it (set by the loop) */
	struct voice_line_order *ordh, *ordt;
	size_t nord;
	void (*wake)(int64_t call_id);
};

struct voice_line *voice_line_new(int64_t call_id);
void voice_line_ref(struct voice_line *l);
void voice_line_unref(struct voice_line *l);

/* Conversation side */
/* Append audio; 0, or -1 when closed or more than VOICE_LINE_MAX_S is queued.
 * *start and *flushes (may be NULL): the play position its first sample
 * will have, and how many flushes the line had had by then. */
int voice_line_play(struct voice_line *l, const int16_t *pcm, size_t n, uint64_t *start,
		    unsigned *flushes);
/* Drop what is queued (barge-in); returns how many samples were dropped. */
size_t voice_line_flush(struct voice_line *l);
/* What was heard of audio queued after `since` flushes (voice_line_play):
 * up to the position of the first flush after that (*final = 1: nothing
 * more of it will play), or up to the play position now (*final = 1 once
 * the line is closed). Audio is heard up to a position when it was queued
 * below it. */
uint64_t voice_line_heard_until(struct voice_line *l, unsigned since, int *final);
size_t voice_line_pending(struct voice_line *l);
/* The next event, waiting until `deadline` (util_mono seconds; 0 = do not
 * wait). NULL on timeout. The caller frees it with voice_ev_free. */
struct voice_ev *voice_line_next(struct voice_line *l, double deadline);
void voice_ev_free(struct voice_ev *e);
int voice_line_is_closed(struct voice_line *l);
/* Order the loop to act on the call (arg and status may be NULL: empty;
 * longer ones are cut). The orders are carried out in the order given.
 * 0, or -1 when the line is closed (the call is gone), too many orders
 * wait, or memory is short. */
int voice_line_order(struct voice_line *l, enum voice_line_cmd cmd, const char *arg,
		     const char *status);

/* Loop side */
/* Take up to n samples of playout; returns how many (0 when idle). */
size_t voice_line_pull(struct voice_line *l, int16_t *out, size_t n);
/* Post an event (takes ownership; freed when the line is closed). */
void voice_line_post(struct voice_line *l, struct voice_ev *e);
struct voice_ev *voice_ev_new(enum voice_ev_type type, const char *text);
/* Set the function voice_line_order calls (outside the lock, with the
 * line's call id) after queueing an order. */
void voice_line_set_wake(struct voice_line *l, void (*wake)(int64_t call_id));
/* The next order, or NULL; the caller frees it with free(). */
struct voice_line_order *voice_line_take_order(struct voice_line *l);
/* Close: play fails from now on, the conversation gets VEV_CLOSED. */
void voice_line_close(struct voice_line *l);

#endif
