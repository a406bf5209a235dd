/* beep.c - voicemail beep detection with a Goertzel bank (see beep.h). */
#include <math.h>
#include "voice/beep.h"
#include "voice/goertzel.h"

#define RATE 8000.0

static const double bank[] = {
	800, 825, 850, 875, 900, 925, 950, 975, 1000, 1025, 1050, 1075, 1100,
	1350, 1375, 1400, 1425, 1450,
};

void beep_init(struct beep *b)
{
	*b = (struct beep){ .min_rms = 200, .purity = 0.7, .min_ms = 150, .max_ms = 2000 };
}

double beep_tone(const int16_t *pcm, size_t n, double *share)
{
	double energy = 0, best = 0, hz = 0;

	*share = 0;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		energy += (double)pcm[i] * pcm[i];
	if (energy <= 0)
		return 0;
	for (size_t k = 0; k < sizeof bank / sizeof bank[0]; k++) {
		double p = goertzel_power(pcm, n, bank[k], RATE);
		if (p > best) {
			best = p;
			hz = bank[k];
		}
	}
	/* a pure tone A cos(wt) on a filter: |X|^2 = (A n / 2)^2, energy A^2 n / 2 */
	*share = 2 * best / ((double)n * energy);
	return hz;
}

int beep_frame(struct beep *b, const int16_t *pcm, size_t n)
{
	int ms = (int)(n * 1000 / (size_t)RATE);
	double share = 0, hz = 0, rms = 0;
	int tonal, heard = 0;

	for (size_t i = 0; i < n; i++)
		rms += (double)pcm[i] * pcm[i];
	rms = n ? sqrt(rms / (double)n) : 0;
	if (rms >= b->min_rms)
		hz = beep_tone(pcm, n, &share);
	tonal = rms >= b->min_rms && share >= b->purity;
	if (tonal && b->run_ms && fabs(hz - b->run_hz) <= 50) {
		b->run_ms += ms;
	} else {
		/* the run ended: it was a beep when it lasted long enough */
		if (b->run_ms >= b->min_ms && !b->reported) {
			b->hz = b->run_hz;
			b->ms = b->run_ms;
			heard = 1;
		}
		b->run_ms = tonal ? ms : 0;
		b->run_hz = hz;
		b->reported = 0;
	}
	if (b->run_ms >= b->max_ms && !b->reported) {
		b->hz = b->run_hz;
		b->ms = b->run_ms;
		b->reported = 1;
		heard = 1;
	}
	return heard;
}
