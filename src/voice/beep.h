/*
 * beep.h - the answering machine's beep on 20 ms frames of 8 kHz PCM.
 *
 * A Goertzel filter bank over the tones voicemail systems use (800-1100 Hz
 * and 1350-1450 Hz, 25 Hz apart, so a tone between two filters still
 * lands near one) finds the strongest tone of each frame. A frame is
 * "tonal" when it is loud enough (min_rms) and that one tone carries at
 * least `purity` of the frame's power: speech spreads its power over
 * harmonics and formants, a beep does not. A beep is a run of tonal
 * frames at a steady frequency (within 50 Hz) lasting at least min_ms;
 * it is reported once, when it ends (the machine records from then on),
 * or after max_ms of an unending tone. Plain data, no allocation; one per
 * call, used on one thread.
 */
#ifndef VOICE_BEEP_H
#define VOICE_BEEP_H

#include <stddef.h>
#include <stdint.h>

struct beep {
	/* settings (beep_init sets defaults; change before the first frame) */
	double min_rms;        /* default 200 */
	double purity;         /* share of the frame's power in one tone, default 0.7 */
	int min_ms;            /* default 150 */
	int max_ms;            /* default 2000 */
	/* state */
	int run_ms;            /* length of the current tonal run */
	double run_hz;         /* its frequency */
	int reported;          /* the current run was reported (max_ms) */
	/* the last beep reported */
	double hz;
	int ms;
};

void beep_init(struct beep *b);
/* Feed one frame (typically 160 samples). 1 when a beep has just been
 * heard (b->hz, b->ms say which), else 0. */
int beep_frame(struct beep *b, const int16_t *pcm, size_t n);
/* The strongest tone of the bank in a frame: its frequency, and in
 * *share the part of the frame's power it carries (0..~1). */
double beep_tone(const int16_t *pcm, size_t n, double *share);

#endif
