/*
 * vad.h - voice-activity end-pointing on 20 ms frames of 8 kHz PCM.
 *
 * Energy based with an adaptive noise floor: a frame is "loud" when its
 * RMS is above max(min_rms, floor x ratio). Speech starts after start_ms
 * of loud frames (short clicks are ignored) and ends after hangover_ms of
 * quiet frames, so pauses between words stay inside one utterance. The
 * floor follows quiet frames slowly and never rises during speech. Plain
 * data, no allocation; one per call, used on one thread.
 */
#ifndef VOICE_VAD_H
#define VOICE_VAD_H

#include <stddef.h>
#include <stdint.h>

enum vad_event { VAD_NONE, VAD_START, VAD_END };

struct vad {
	/* settings (vad_init sets defaults; change before the first frame) */
	double min_rms;        /* absolute floor for "loud", default 300 */
	double ratio;          /* loud = above floor x ratio, default 3 */
	int start_ms;          /* default 60 */
	int hangover_ms;       /* default 600 */
	/* state */
	double floor;
	int loud_ms, quiet_ms;
	int in_speech;
	int speech_ms;         /* length of the current utterance so far */
};

void vad_init(struct vad *v);
/* End the current utterance now (a cut); settings and noise floor stay. */
void vad_reset(struct vad *v);
/* Feed one frame (any length, typically 160 samples = 20 ms at 8 kHz). */
enum vad_event vad_frame(struct vad *v, const int16_t *pcm, size_t n);
/* RMS of a frame (also used for barge-in and tests). */
double vad_rms(const int16_t *pcm, size_t n);

#endif
