/* tts.c - text to speech: espeak-ng in process, or an OpenAI-compatible
 * /audio/speech server (see speech.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>
#include <jansson.h>
#include "base/buf.h"
#include "base/log.h"
#include "speech/http_engine.h"
#include "speech/speech.h"
#include "speech/wav.h"

#define MAX_TEXT 4000
#define MAX_SAMPLES (22050 * 120)   /* two minutes per call of tts_synthesize */

static const char *env(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

const char *tts_engine_name(void)
{
	return strcmp(env("SWITCHBOARD_TTS", "espeak"), "http") ? "espeak" : "http";
}

/* ---- espeak-ng ------------------------------------------------------------- */

static pthread_mutex_t es_mu = PTHREAD_MUTEX_INITIALIZER;
static int es_state;             /* 0 not yet, 1 ready, -1 failed */
static int es_rate;
static char es_voice[64];        /* the voice set now ("" = the default) */
static int es_wpm;               /* the speaking rate set now */

#define ES_WPM 165               /* words per minute at speed 1.0 */

/* The synthesis in progress (under es_mu). */
static int16_t *es_pcm;
static size_t es_n, es_cap;
static int es_overflow;

static int es_cb(short *wav, int n, espeak_EVENT *ev)
{
	(void)ev;
	if (!wav || n <= 0)
		return 0;
	if (es_n + (size_t)n > MAX_SAMPLES) {
		es_overflow = 1;
		return 1;	/* abort */
	}
	if (es_n + (size_t)n > es_cap) {
		size_t cap = (es_n + (size_t)n) * 2;
		int16_t *p = realloc(es_pcm, cap * sizeof(int16_t));
		if (!p) {
			es_overflow = 1;
			return 1;
		}
		es_pcm = p;
		es_cap = cap;
	}
	memcpy(es_pcm + es_n, wav, (size_t)n * sizeof(int16_t));
	es_n += (size_t)n;
	return 0;
}

static int es_init(char *err, size_t errlen)
{
	if (es_state)
		goto done;
	espeak_ng_InitializePath(NULL);
	if (espeak_ng_Initialize(NULL) != ENS_OK ||
	    espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL) != ENS_OK) {
		es_state = -1;
		goto done;
	}
	espeak_SetSynthCallback(es_cb);
	if (espeak_ng_SetVoiceByName(env("SWITCHBOARD_TTS_VOICE", "en-us")) != ENS_OK)
		log_warn("tts: espeak-ng has no voice '%s': using its default",
			 env("SWITCHBOARD_TTS_VOICE", "en-us"));
	espeak_SetParameter(espeakRATE, ES_WPM, 0);
	es_wpm = ES_WPM;
	es_rate = espeak_ng_GetSampleRate();
	es_state = es_rate > 0 ? 1 : -1;
done:
	if (es_state < 0)
		snprintf(err, errlen, "espeak-ng cannot start (is espeak-ng-data installed?)");
	return es_state > 0 ? 0 : -1;
}

/* The call's voice and pace (under es_mu): set only when they change. */
static void es_use(const struct tts_voice *tv)
{
	const char *want = tv && tv->voice[0] ? tv->voice : env("SWITCHBOARD_TTS_VOICE", "en-us");
	int wpm = (int)(ES_WPM * (tv && tv->speed > 0 ? tv->speed : 1.0) + 0.5);

	if (strcmp(es_voice, want)) {
		if (espeak_ng_SetVoiceByName(want) != ENS_OK)
			log_warn("tts: espeak-ng has no voice '%s': keeping the last one", want);
		snprintf(es_voice, sizeof es_voice, "%s", want);
	}
	if (wpm != es_wpm) {
		espeak_SetParameter(espeakRATE, wpm, 0);
		es_wpm = wpm;
	}
}

static int tts_espeak(const struct tts_voice *tv, const char *text, int16_t **pcm, size_t *n,
		      char *err, size_t errlen)
{
	int r = -1;

	pthread_mutex_lock(&es_mu);
	if (es_init(err, errlen))
		goto out;
	es_use(tv);
	es_n = 0;
	es_overflow = 0;
	if (espeak_ng_Synthesize(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
				 NULL, NULL) != ENS_OK) {
		snprintf(err, errlen, "espeak-ng could not synthesise the text");
		goto out;
	}
	espeak_ng_Synchronize();
	if (es_overflow) {
		snprintf(err, errlen, "the text is too long to speak at once");
		goto out;
	}
	if (speech_resample(es_pcm, es_n, (uint32_t)es_rate, 8000, pcm, n)) {
		snprintf(err, errlen, "cannot resample the speech");
		goto out;
	}
	r = 0;
out:
	/* keep the buffer for the next sentence unless it grew large */
	if (es_cap > 22050 * 20) {
		free(es_pcm);
		es_pcm = NULL;
		es_cap = 0;
	}
	pthread_mutex_unlock(&es_mu);
	return r;
}

/* ---- HTTP engine ------------------------------------------------------------ */

static int tts_http(const struct tts_voice *tv, const char *text, int16_t **pcm, size_t *n,
		    char *err, size_t errlen)
{
	const char *base = env("SWITCHBOARD_TTS_URL", NULL);
	struct buf body = BUF_INIT(16u << 20), url = BUF_INIT(2048);
	json_t *req;
	char *js = NULL;
	struct wav_view v;
	int16_t *mono = NULL;
	int r = -1;

	if (!base) {
		snprintf(err, errlen, "SWITCHBOARD_TTS=http needs SWITCHBOARD_TTS_URL");
		return -1;
	}
	req = json_pack("{s:s, s:s, s:s, s:s}", "model", env("SWITCHBOARD_TTS_MODEL", "tts-1"),
			"input", text, "voice", tv && tv->voice[0] ? tv->voice
					: env("SWITCHBOARD_TTS_VOICE", "alloy"),
			"response_format", "wav");
	if (req && tv && tv->speed > 0 && (tv->speed < 0.999 || tv->speed > 1.001))
		json_object_set_new(req, "speed", json_real(tv->speed));
	js = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!js || buf_printf(&url, "%s/audio/speech", base)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (speech_http_post(buf_str(&url), env("SWITCHBOARD_TTS_KEY", ""), js, NULL, 0, NULL,
			     NULL, &body, err, errlen))
		goto out;
	if (wav_parse((const uint8_t *)body.ptr, body.len, &v) || !v.frames) {
		snprintf(err, errlen, "the speech engine did not answer 16-bit PCM WAV audio");
		goto out;
	}
	mono = malloc(v.frames * sizeof(int16_t));
	if (!mono) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < v.frames; i++)
		mono[i] = wav_sample(&v, i, 0);
	if (speech_resample(mono, v.frames, v.rate, 8000, pcm, n)) {
		snprintf(err, errlen, "cannot resample the speech");
		goto out;
	}
	r = 0;
out:
	free(mono);
	free(js);
	buf_release(&body);
	buf_release(&url);
	return r;
}

int tts_synthesize_as(const struct tts_voice *tv, const char *text, int16_t **pcm, size_t *n,
		      char *err, size_t errlen)
{
	*pcm = NULL;
	*n = 0;
	if (!text || !*text || strlen(text) > MAX_TEXT) {
		snprintf(err, errlen, "nothing to say, or too much at once");
		return -1;
	}
	return strcmp(tts_engine_name(), "http") ? tts_espeak(tv, text, pcm, n, err, errlen)
						 : tts_http(tv, text, pcm, n, err, errlen);
}

int tts_synthesize(const char *text, int16_t **pcm, size_t *n, char *err, size_t errlen)
{
	return tts_synthesize_as(NULL, text, pcm, n, err, errlen);
}

void tts_voice_pick(struct tts_voice *tv, const char *name, const char *provider,
		    const char *lang, double speed)
{
	int http = !strcmp(tts_engine_name(), "http");

	memset(tv, 0, sizeof *tv);
	tv->speed = speed > 0 ? speed : 1.0;
	if (name && provider && !strcmp(provider, http ? "openai-compatible" : "espeak-ng")) {
		/* the catalog's espeak-ng voices are named "en-us (espeak-ng)" */
		size_t k = strcspn(name, " ");
		snprintf(tv->voice, sizeof tv->voice, "%.*s", (int)k, name);
	} else if (!http && lang && strlen(lang) == 2) {
		snprintf(tv->voice, sizeof tv->voice, "%s", strcmp(lang, "en") ? lang : "en-us");
	}
}
