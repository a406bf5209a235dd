/*
 * listen.h - how the agent listens on a live call: what the SIP loop does
 * with each 20 ms frame the caller sends.
 *
 * Per frame (voice_listen_frame), in this order: the answering machine's
 * beep (outbound calls, the first VOICE_LISTEN_BEEP_MS after the answer,
 * voice/beep.h) reaches the conversation as VEV_BEEP; keypad tones sent
 * as audio (voice/dtmf.h) as VEV_DTMF, until the far end shows it sends
 * RFC 4733 events (voice_listen_digit); with noise_cancellation the
 * frame is cleaned (voice/denoise.h); the end-pointer (voice/vad.h)
 * turns speech into VEV_SPEECH_START and one VEV_UTTERANCE per turn (with
 * 200 ms from before the trigger, cut at 30 s; an "utterance" of keypad
 * tones is dropped); barge-in flushes the line's playout once the caller
 * has spoken interrupt_ms over the agent. The line's caller_speaking
 * flag follows the end-pointer.
 *
 * Ownership and threads: a struct voice_listen lives inside the loop's
 * call and is used on the loop thread only; it does not own the line (the
 * call holds the reference). voice_listen_init readies it (it cannot
 * fail), voice_listen_release frees its contents (the utterance being cut,
 * the denoiser).
 */
#ifndef VOICE_LISTEN_H
#define VOICE_LISTEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "voice/beep.h"
#include "voice/dtmf.h"
#include "voice/vad.h"

#define VOICE_LISTEN_PREROLL 1600        /* 200 ms kept before speech starts */
#define VOICE_LISTEN_UTT_MAX (30 * 8000) /* one utterance is cut at 30 s */
#define VOICE_LISTEN_BEEP_MS 60000u      /* a voicemail beep is listened for this long */

struct voice_line;
struct denoise;

struct voice_listen {
	int64_t call_id;               /* for log lines */
	struct voice_line *line;       /* not owned */
	bool outbound, beep_heard;
	struct vad vad;
	struct beep beep;              /* outbound: the answering machine's beep */
	struct dtmf dtmf;              /* keypad tones sent as audio */
	bool te_seen;                  /* RFC 4733 digits came: no in-band detection */
	unsigned keyframes;            /* the last frames that carried a key, one bit each */
	bool utt_keyed;                /* the utterance being cut holds key tones */
	bool barge_in;
	int interrupt_ms;              /* caller speech that interrupts the agent */
	bool interrupted;              /* the current utterance did */
	struct denoise *dn;            /* noise_cancellation, or NULL */
	int16_t preroll[VOICE_LISTEN_PREROLL];
	size_t pre_pos, pre_len;
	int16_t *utt;
	size_t utt_len;
};

/* Ready l for a call (the end-pointer's pause is set by
 * voice_listen_configure, when the conversation starts). */
void voice_listen_init(struct voice_listen *l, int64_t call_id, struct voice_line *line,
		       bool outbound);
/* Free the utterance being cut and the denoiser. */
void voice_listen_release(struct voice_listen *l);

/* Take the assistant's settings (0-5 scales, 3 the default):
 * allow_interruptions; endpoint_sensitivity - the pause that ends the
 * caller's turn, SWITCHBOARD_VAD_HANGOVER_MS (600) at 3, twice that at 0,
 * half at 5; interrupt_sensitivity - how long the caller must speak over
 * the agent to interrupt it, 800 ms at 0 to 60 ms at 5 (250 at 3); with
 * use_min_interrupt_words, at least min_interrupt_words x 300 ms;
 * noise_cancellation - speexdsp's denoiser (a warning when it cannot be
 * had). Logs the result. */
struct assistant_settings;
void voice_listen_configure(struct voice_listen *l, const struct assistant_settings *settings);

/* One frame (MEDIA_FRAME samples) from the caller. tx_audio: the agent is
 * sending speech now; since_answer_ms: time since the call was answered. */
void voice_listen_frame(struct voice_listen *l, const int16_t *rx, bool tx_audio,
			uint64_t since_answer_ms);

/* The far end sent digit as an RFC 4733 event: it goes to the conversation
 * as VEV_DTMF, and in-band detection stops. */
void voice_listen_digit(struct voice_listen *l, char digit);

#endif
