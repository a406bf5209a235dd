/*
 * denoise.h - noise suppression for what the caller sends (the assistant's
 * noise_cancellation setting): speexdsp's preprocessor on 20 ms frames of
 * 8 kHz PCM, in place. It learns the noise from the first frames (about a
 * second) and from the pauses, and lowers it by up to `suppress_db`
 * (default 25 dB) while speech passes. The end-pointer and the recogniser
 * hear the cleaned audio; keypad tones, the voicemail beep and the
 * recording take the line as it came. One per call, used on one thread.
 */
#ifndef VOICE_DENOISE_H
#define VOICE_DENOISE_H

#include <stddef.h>
#include <stdint.h>

struct denoise;

/* frame: samples per call of denoise_frame (160 for 20 ms). NULL on failure. */
struct denoise *denoise_new(int frame, int suppress_db);
void denoise_frame(struct denoise *d, int16_t *pcm);
void denoise_free(struct denoise *d);

#endif
