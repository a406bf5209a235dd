/* dtmf.c - in-band DTMF detection with eight Goertzel filters (see dtmf.h). */
#include <math.h>
#include "voice/dtmf.h"
#include "voice/goertzel.h"

#define RATE 8000.0

static const double rows[4] = { 697, 770, 852, 941 };
static const double cols[4] = { 1209, 1336, 1477, 1633 };
static const char keys[4][5] = { "123A", "456B", "789C", "*0#D" };

void dtmf_init(struct dtmf *d)
{
	*d = (struct dtmf){ .min_rms = 100, .purity = 0.7, .twist = 10, .isolation = 6,
			    .min_frames = 2, .gap_frames = 2 };
}

/* The strongest of four tones: its index, its power in *best, and in
 * *next the power of the strongest of the other three. */
static int strongest(const int16_t *pcm, size_t n, const double hz[4], double *best,
		     double *next)
{
	double p[4];
	int k = 0;

	for (int i = 0; i < 4; i++) {
		p[i] = goertzel_power(pcm, n, hz[i], RATE);
		if (p[i] > p[k])
			k = i;
	}
	*best = p[k];
	*next = 0;
	for (int i = 0; i < 4; i++)
		if (i != k && p[i] > *next)
			*next = p[i];
	return k;
}

/* The key this frame carries, or 0; d->share is set either way. */
static char frame_key(struct dtmf *d, const int16_t *pcm, size_t n)
{
	double energy = 0, r, r2, c, c2;
	int ri, ci;

	d->share = 0;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		energy += (double)pcm[i] * pcm[i];
	if (energy <= 0 || sqrt(energy / (double)n) < d->min_rms)
		return 0;
	ri = strongest(pcm, n, rows, &r, &r2);
	ci = strongest(pcm, n, cols, &c, &c2);
	/* a pure tone A cos(wt) on a filter: |X|^2 = (A n / 2)^2, energy A^2 n / 2 */
	d->share = 2 * (r + c) / ((double)n * energy);
	if (d->share < d->purity)
		return 0;
	if (r < d->isolation * r2 || c < d->isolation * c2)
		return 0;
	if (r > d->twist * c || c > d->twist * r)
		return 0;
	return keys[ri][ci];
}

char dtmf_frame(struct dtmf *d, const int16_t *pcm, size_t n)
{
	char key = frame_key(d, pcm, n);
	int need = d->min_frames > 1 ? d->min_frames : 1;
	char heard = 0;

	if (key && key == d->run_key) {
		if (d->run <= need)	/* bounded: past need it only says "counted" */
			d->run++;
	} else {
		/* a new run: reportable when it is another key than the last
		 * reported, or that key after gap_frames without it */
		d->run_key = key;
		d->run = key ? 1 : 0;
		d->run_new = key && (key != d->last || d->absent >= d->gap_frames);
	}
	if (key && d->run == need && d->run_new) {
		d->last = key;
		heard = key;
	}
	if (d->last && key == d->last)
		d->absent = 0;
	else if (d->absent < d->gap_frames)
		d->absent++;
	return heard;
}
