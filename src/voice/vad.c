/* vad.c - energy VAD with hangover (see vad.h). */
#include <math.h>
#include "voice/vad.h"

void vad_init(struct vad *v)
{
	*v = (struct vad){ .min_rms = 300, .ratio = 3, .start_ms = 60, .hangover_ms = 600,
			   .floor = 100 };
}

void vad_reset(struct vad *v)
{
	v->loud_ms = v->quiet_ms = v->speech_ms = 0;
	v->in_speech = 0;
}

double vad_rms(const int16_t *pcm, size_t n)
{
	double acc = 0;

	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		acc += (double)pcm[i] * pcm[i];
	return sqrt(acc / (double)n);
}

enum vad_event vad_frame(struct vad *v, const int16_t *pcm, size_t n)
{
	double rms = vad_rms(pcm, n), thr = v->floor * v->ratio;
	int ms = (int)(n / 8);
	int loud;

	if (thr < v->min_rms)
		thr = v->min_rms;
	loud = rms > thr;
	if (!loud && !v->in_speech) {
		/* follow the noise: quickly down, slowly up */
		v->floor = rms < v->floor ? 0.7 * v->floor + 0.3 * rms : 0.98 * v->floor + 0.02 * rms;
		if (v->floor < 1)
			v->floor = 1;
	}
	if (v->in_speech)
		v->speech_ms += ms;
	if (loud) {
		v->quiet_ms = 0;
		v->loud_ms += ms;
		if (!v->in_speech && v->loud_ms >= v->start_ms) {
			v->in_speech = 1;
			v->speech_ms = v->loud_ms;
			return VAD_START;
		}
	} else {
		v->loud_ms = 0;
		if (v->in_speech) {
			v->quiet_ms += ms;
			if (v->quiet_ms >= v->hangover_ms) {
				v->in_speech = 0;
				v->quiet_ms = 0;
				return VAD_END;
			}
		}
	}
	return VAD_NONE;
}
