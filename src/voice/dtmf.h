/*
 * dtmf.h - in-band DTMF (keypad tones) on 20 ms frames of 8 kHz PCM, for
 * calls whose far end sends digits as audio rather than as RFC 4733
 * telephone-events.
 *
 * A key is two sines at once: a row tone (697, 770, 852, 941 Hz) and a
 * column tone (1209, 1336, 1477, 1633 Hz); the keypad is "123A", "456B",
 * "789C", "*0#D". Each frame gets a Goertzel filter on the eight
 * frequencies (voice/goertzel.h). The frame carries a key when
 *   - it is loud enough: RMS >= min_rms;
 *   - the best row tone R and the best column tone C carry at least
 *     `purity` of the frame's power, 2 (R + C) / (n E) with E = sum x^2
 *     (~1 for a clean key, also after G.711; a tone that starts or stops
 *     inside the frame scores the part of the frame it covers);
 *   - each beats the next strongest tone of its own group by `isolation`
 *     (a power ratio), so a broad sound lighting up several filters is not
 *     a key;
 *   - R / C and C / R are both at most `twist` (a power ratio).
 * Speech fails the purity test: its power is spread over harmonics and
 * formants, not two exact frequencies (espeak-ng sentences through
 * mu-law peak at ~0.4, clean keys score ~0.95-1.05). A single tone fails
 * the twist test.
 *
 * A key counts once it is seen in min_frames consecutive frames, and is
 * reported once per press, the moment it counts. The same key counts
 * again only after gap_frames frames without it (a dropped frame inside
 * a long press is not a second press); a different key counts as soon
 * as its own min_frames are seen. With the defaults a press of 50 ms or
 * more counts however it falls across frames, one of 30-45 ms at some
 * alignments, one of 20 ms or less never.
 *
 * Limits of a 20 ms window: the filters are ~50 Hz wide, so a key whose
 * two tones are both 1% off its frequencies scores ~0.77-0.84, 1.2% off
 * ~0.70-0.78; keys sent further off may be missed (ITU-T Q.24 asks a
 * receiver to accept 1.5%; that needs longer windows than 20 ms).
 * Plain data, no allocation; one per call, used on one thread.
 */
#ifndef VOICE_DTMF_H
#define VOICE_DTMF_H

#include <stddef.h>
#include <stdint.h>

struct dtmf {
	/* settings (dtmf_init sets defaults; change before the first frame) */
	double min_rms;        /* frame RMS of the quietest key, default 100 (~-44 dBm0) */
	double purity;         /* share of the frame's power in the two tones, default 0.7 */
	double twist;          /* max power ratio between row and column tone, default 10 (10 dB) */
	double isolation;      /* each tone vs the next of its group, default 6 (7.8 dB) */
	int min_frames;        /* consecutive frames of a key before it counts, default 2 */
	int gap_frames;        /* frames without a key before it counts again, default 2 */
	/* state */
	char run_key;          /* the key of the current run of frames, or 0 */
	int run;               /* frames in that run, up to min_frames + 1 */
	int run_new;           /* the run may be reported (new key, or after the gap) */
	char last;             /* the key reported last, or 0 */
	int absent;            /* frames since `last` was seen, up to gap_frames */
	double share;          /* the last frame's two-tone share (for logs and tuning) */
};

void dtmf_init(struct dtmf *d);
/* Feed one frame (any length, typically 160 samples = 20 ms). The key
 * ('0'-'9', '*', '#', 'A'-'D') the moment a press is recognised, once per
 * press; else 0. */
char dtmf_frame(struct dtmf *d, const int16_t *pcm, size_t n);

#endif
