/* resample.c - speexdsp resampling for the speech engines (see speech.h). */
#include <stdlib.h>
#include <speex/speex_resampler.h>
#include "speech/speech.h"

int speech_resample(const int16_t *in, size_t n, uint32_t rin, uint32_t rout,
		    int16_t **out, size_t *nout)
{
	SpeexResamplerState *st;
	spx_uint32_t il, ol;
	size_t cap, done_in = 0, done_out = 0;
	int16_t *o;
	int err = 0;

	*out = NULL;
	*nout = 0;
	if (!rin || !rout || n > (size_t)1 << 28)
		return -1;
	cap = (size_t)((double)n * rout / rin) + 64;
	o = malloc(cap * sizeof(int16_t));
	if (!o)
		return -1;
	if (rin == rout) {
		for (size_t i = 0; i < n; i++)
			o[i] = in[i];
		*out = o;
		*nout = n;
		return 0;
	}
	st = speex_resampler_init(1, rin, rout, 5, &err);
	if (!st || err) {
		free(o);
		return -1;
	}
	speex_resampler_skip_zeros(st);
	while (done_in < n && done_out < cap) {
		il = (spx_uint32_t)(n - done_in > 1u << 20 ? 1u << 20 : n - done_in);
		ol = (spx_uint32_t)(cap - done_out > 1u << 20 ? 1u << 20 : cap - done_out);
		if (speex_resampler_process_int(st, 0, in + done_in, &il, o + done_out, &ol))
			break;
		if (!il && !ol)
			break;
		done_in += il;
		done_out += ol;
	}
	speex_resampler_destroy(st);
	*out = o;
	*nout = done_out;
	return 0;
}
