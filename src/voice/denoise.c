/* denoise.c - speexdsp noise suppression (see denoise.h). */
#include <stdlib.h>
#include <speex/speex_preprocess.h>
#include "voice/denoise.h"

struct denoise {
	SpeexPreprocessState *st;
};

struct denoise *denoise_new(int frame, int suppress_db)
{
	struct denoise *d = calloc(1, sizeof(*d));
	int on = 1, off = 0, db = suppress_db > 0 ? -suppress_db : -25;

	if (!d)
		return NULL;
	d->st = speex_preprocess_state_init(frame, 8000);
	if (!d->st) {
		free(d);
		return NULL;
	}
	speex_preprocess_ctl(d->st, SPEEX_PREPROCESS_SET_DENOISE, &on);
	speex_preprocess_ctl(d->st, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &db);
	/* levels stay as they are: the end-pointer judges loudness */
	speex_preprocess_ctl(d->st, SPEEX_PREPROCESS_SET_AGC, &off);
	/* VAD stays off by default: setting it (even off) makes speexdsp print
	 * "The VAD has been replaced by a hack" to stderr */
	speex_preprocess_ctl(d->st, SPEEX_PREPROCESS_SET_DEREVERB, &off);
	return d;
}

void denoise_frame(struct denoise *d, int16_t *pcm)
{
	if (d)
		speex_preprocess_run(d->st, pcm);
}

void denoise_free(struct denoise *d)
{
	if (!d)
		return;
	speex_preprocess_state_destroy(d->st);
	free(d);
}
