/* listen.c - per-frame listening on a live call: beep, keypad tones,
 * denoise, end-pointing, barge-in (see listen.h). Moved out of sip/ua.c. */
#include <stdlib.h>
#include <string.h>
#include "base/log.h"
#include "base/util.h"
#include "voice/denoise.h"
#include "voice/line.h"
#include "voice/listen.h"
#include "store/assistant_settings.h"
#include "voice/media.h"

#define PREROLL VOICE_LISTEN_PREROLL
#define UTT_MAX VOICE_LISTEN_UTT_MAX
#define BEEP_WINDOW_MS VOICE_LISTEN_BEEP_MS

void voice_listen_init(struct voice_listen *l, int64_t call_id, struct voice_line *line,
		       bool outbound)
{
	memset(l, 0, sizeof(*l));
	l->call_id = call_id;
	l->line = line;
	l->outbound = outbound;
	vad_init(&l->vad);	/* hangover: voice_listen_configure, when the conversation starts */
	beep_init(&l->beep);
	dtmf_init(&l->dtmf);
}

void voice_listen_release(struct voice_listen *l)
{
	free(l->utt);
	l->utt = NULL;
	denoise_free(l->dn);
	l->dn = NULL;
}

static void post_utterance(struct voice_listen *l)
{
	struct voice_ev *e = voice_ev_new(VEV_UTTERANCE, NULL);

	if (!e) {
		free(l->utt);
	} else {
		e->pcm = l->utt;
		e->n = l->utt_len;
		voice_line_post(l->line, e);
	}
	l->utt = NULL;
	l->utt_len = 0;
}

/* A 0-5 setting of the assistant as a table index. (min_interrupt_words:
 * words are not known before the utterance is transcribed, their length
 * stands in.) */
static int level(double v)
{
	int n = (int)(v + 0.5);
	return n < 0 ? 0 : n > 5 ? 5 : n;
}

void voice_listen_configure(struct voice_listen *l, const struct assistant_settings *s)
{
	static const double pause[6] = { 2.0, 1.67, 1.33, 1.0, 0.75, 0.5 };
	static const int interrupt[6] = { 800, 600, 400, 250, 150, 60 };
	int base = (int)util_env_i64("SWITCHBOARD_VAD_HANGOVER_MS", 600, 200, 3000);

	l->barge_in = s->allow_interruptions;
	l->vad.hangover_ms = (int)(base * pause[level(s->endpoint_sensitivity)]);
	if (l->vad.hangover_ms < 200)
		l->vad.hangover_ms = 200;
	l->interrupt_ms = interrupt[level(s->interrupt_sensitivity)];
	if (s->use_min_interrupt_words && (int64_t)s->min_interrupt_words * 300 > l->interrupt_ms)
		l->interrupt_ms = (int)s->min_interrupt_words * 300;
	if (s->noise_cancellation && !l->dn &&
	    !(l->dn = denoise_new(MEDIA_FRAME, 25)))
		log_warn("voice: call %lld: no noise suppression (speexdsp)", (long long)l->call_id);
	char intr[48];

	if (l->barge_in)
		snprintf(intr, sizeof intr, "after %d ms of speech", l->interrupt_ms);
	else
		snprintf(intr, sizeof intr, "off");
	log_info("voice: call %lld: listening: a turn ends after %d ms of silence, interruptions %s, "
		 "noise suppression %s", (long long)l->call_id, l->vad.hangover_ms, intr,
		 l->dn ? "on" : "off");
}

/* Keypad digits sent as audio (voice/dtmf.h), until the far end shows it
 * sends RFC 4733 events. The tones also trip the end-pointer: that
 * "utterance" is dropped rather than transcribed. */
static void keypad_tones(struct voice_listen *l, const int16_t *rx)
{
	char key[2] = { 0, 0 };

	if (l->te_seen)
		return;
	key[0] = dtmf_frame(&l->dtmf, rx, MEDIA_FRAME);
	l->keyframes = l->keyframes << 1 | (l->dtmf.run_key != 0);
	if (l->dtmf.run_key && l->vad.in_speech)
		l->utt_keyed = true;
	if (key[0]) {
		log_info("voice: call %lld: keypad '%c' (in-band)", (long long)l->call_id, key[0]);
		voice_line_post(l->line, voice_ev_new(VEV_DTMF, key));
	}
}

void voice_listen_frame(struct voice_listen *l, const int16_t *rx, bool tx_audio,
			uint64_t since_answer_ms)
{
	int16_t clean[MEDIA_FRAME];
	enum vad_event ev;

	if (l->outbound && !l->beep_heard && since_answer_ms < BEEP_WINDOW_MS &&
	    beep_frame(&l->beep, rx, MEDIA_FRAME)) {
		char what[64];
		l->beep_heard = true;
		snprintf(what, sizeof what, "%.0f Hz, %d ms", l->beep.hz, l->beep.ms);
		log_info("voice: call %lld: voicemail beep (%s)", (long long)l->call_id, what);
		voice_line_post(l->line, voice_ev_new(VEV_BEEP, what));
	}
	keypad_tones(l, rx);
	if (l->dn) {	/* the end-pointer and the recogniser hear it cleaned */
		memcpy(clean, rx, sizeof clean);
		denoise_frame(l->dn, clean);
		rx = clean;
	}
	ev = vad_frame(&l->vad, rx, MEDIA_FRAME);
	if (ev == VAD_START) {
		/* a key pressed just before counts for this "utterance" */
		l->utt_keyed = (l->keyframes & 0x1f) != 0;
		/* the utterance starts with what came just before the trigger */
		l->utt = malloc(UTT_MAX * sizeof(int16_t));
		l->utt_len = 0;
		if (l->utt) {
			size_t start = (l->pre_pos + PREROLL - l->pre_len) % PREROLL;
			for (size_t i = 0; i < l->pre_len; i++)
				l->utt[l->utt_len++] = l->preroll[(start + i) % PREROLL];
		}
		pthread_mutex_lock(&l->line->mu);
		l->line->caller_speaking = 1;
		pthread_mutex_unlock(&l->line->mu);
		l->interrupted = false;
		voice_line_post(l->line, voice_ev_new(VEV_SPEECH_START, NULL));
	}
	/* barge-in: once the caller has spoken interrupt_ms over the agent,
	 * the agent stops at once */
	if (l->vad.in_speech && l->barge_in && !l->interrupted && tx_audio &&
	    l->vad.speech_ms >= l->interrupt_ms) {
		size_t dropped = voice_line_flush(l->line);
		l->interrupted = true;
		log_info("voice: call %lld: barge-in: the caller interrupted, %zu ms of "
			 "speech dropped", (long long)l->call_id, dropped / 8);
	}
	if (l->vad.in_speech || ev == VAD_END) {
		if (l->utt && l->utt_len + MEDIA_FRAME <= UTT_MAX) {
			memcpy(l->utt + l->utt_len, rx, MEDIA_FRAME * sizeof(int16_t));
			l->utt_len += MEDIA_FRAME;
		}
		if (ev == VAD_END || (l->utt && l->utt_len + MEDIA_FRAME > UTT_MAX)) {
			if (l->vad.in_speech)
				vad_reset(&l->vad);	/* cut: start over */
			pthread_mutex_lock(&l->line->mu);
			l->line->caller_speaking = 0;
			pthread_mutex_unlock(&l->line->mu);
			if (l->utt && l->utt_keyed) {	/* keypad tones, not speech */
				free(l->utt);
				l->utt = NULL;
				l->utt_len = 0;
			} else if (l->utt) {
				post_utterance(l);
			}
			l->utt_keyed = false;
		}
	}
	for (int i = 0; i < MEDIA_FRAME; i++) {
		l->preroll[l->pre_pos] = rx[i];
		l->pre_pos = (l->pre_pos + 1) % PREROLL;
	}
	l->pre_len = l->pre_len + MEDIA_FRAME > PREROLL ? PREROLL : l->pre_len + MEDIA_FRAME;
}

void voice_listen_digit(struct voice_listen *l, char digit)
{
	char d[2] = { digit, 0 };

	l->te_seen = true;
	log_info("voice: call %lld: keypad '%c'", (long long)l->call_id, digit);
	if (l->line)
		voice_line_post(l->line, voice_ev_new(VEV_DTMF, d));
}

