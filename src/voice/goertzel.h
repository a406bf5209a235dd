/*
 * goertzel.h - the power of one frequency in a block of PCM (the Goertzel
 * algorithm), shared by the tone detectors (voice/beep.c, voice/dtmf.c).
 *
 * goertzel_power() runs the second-order Goertzel recurrence over n samples
 * and returns |X(f)|^2, the squared magnitude of the DFT at hz (which need
 * not fall on a DFT bin). Scale, for comparing with the block's energy
 * E = sum x^2: a pure tone A cos(2 pi hz t) gives |X|^2 ~ (A n / 2)^2 and
 * E ~ A^2 n / 2, so 2 |X|^2 / (n E) is the share of the block's power the
 * tone carries (~1 for a pure tone on the filter, less off it). No state,
 * no allocation.
 */
#ifndef VOICE_GOERTZEL_H
#define VOICE_GOERTZEL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

static inline double goertzel_power(const int16_t *pcm, size_t n, double hz, double rate)
{
	double coeff = 2 * cos(2 * M_PI * hz / rate), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s = pcm[i] + coeff * s1 - s2;
		s2 = s1;
		s1 = s;
	}
	return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

#endif
