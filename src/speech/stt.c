/* stt.c - speech to text: a pool of warmed pocketsphinx decoders, or an
 * OpenAI-compatible /audio/transcriptions server (see speech.h). */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <jansson.h>
#include "base/jsonsafe.h"
#include "base/buf.h"
#include "base/log.h"
#include "speech/http_engine.h"
#include "speech/speech.h"
#include "base/util.h"
#include "speech/wav.h"

#define MAX_POOL 16
#define MAX_GRAMMARS 8          /* searches kept per decoder */
#define MAX_UTT (8000 * 30)
#define DEFAULT_MODEL "/usr/share/pocketsphinx/model/en-us"
#define WARM_TEXT "hello, I would like to book an appointment for tomorrow morning please"

static const char *env(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

const char *stt_engine_name(void)
{
	const char *e = env("SWITCHBOARD_STT", "sphinx");
	return !strcmp(e, "http") ? "http" : !strcmp(e, "none") ? "none" : "sphinx";
}

/* ---- grammar ------------------------------------------------------------------ */

/* One phrase as grammar words: lowercase letters, digits and apostrophes;
 * everything else separates words. */
static int phrase_words(const char *p, struct buf *out)
{
	int any = 0, in_word = 0;

	for (; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (isalnum(ch) || ch == '\'') {
			if (!in_word && any && buf_addch(out, ' '))
				return -1;
			if (buf_addch(out, (char)tolower(ch)))
				return -1;
			in_word = any = 1;
		} else {
			in_word = 0;
		}
	}
	return any ? 0 : 1;
}

char *stt_grammar(const json_t *phrases)
{
	struct buf g = BUF_INIT(64 * 1024), one = BUF_INIT(4096);
	json_t *seen = json_object();
	size_t i, n = 0;
	json_t *v;
	char *out = NULL;

	if (!json_is_array(phrases) || !seen)
		goto done;
	if (buf_adds(&g, "#JSGF V1.0;\ngrammar expected;\npublic <utt> = "))
		goto done;
	json_array_foreach(phrases, i, v) {
		const char *s = json_string_value(v);
		buf_reset(&one);
		if (!s || phrase_words(s, &one) != 0 || json_object_get(seen, buf_str(&one)))
			continue;
		json_object_set_new(seen, buf_str(&one), json_true());
		if ((n && buf_adds(&g, "\n  | ")) || buf_adds(&g, buf_str(&one)))
			goto done;
		n++;
	}
	if (!n || buf_adds(&g, ";\n"))
		goto done;
	out = buf_detach(&g, NULL);
done:
	json_decref(seen);
	buf_release(&g);
	buf_release(&one);
	return out;
}

/* Keep only the words the dictionary knows (an unknown word makes
 * pocketsphinx refuse the whole grammar). */
static char *grammar_for(ps_decoder_t *ps, const json_t *phrases)
{
	json_t *known = json_array();
	struct buf one = BUF_INIT(4096), kept = BUF_INIT(4096);
	size_t i;
	json_t *v;
	char *g;

	json_array_foreach(phrases, i, v) {
		const char *s = json_string_value(v);
		char *save = NULL, *w, *copy;
		buf_reset(&one);
		buf_reset(&kept);
		if (!s || phrase_words(s, &one))
			continue;
		copy = buf_detach(&one, NULL);
		for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			char *pron = ps_lookup_word(ps, w);
			if (pron) {
				ckd_free(pron);
				if ((kept.len && buf_addch(&kept, ' ')) || buf_adds(&kept, w))
					break;
			}
		}
		free(copy);
		if (kept.len)
			json_array_append_new(known, json_string(buf_str(&kept)));
	}
	g = stt_grammar(known);
	json_decref(known);
	buf_release(&one);
	buf_release(&kept);
	return g;
}

/* ---- the decoder pool ------------------------------------------------------------ */

struct decoder {
	ps_decoder_t *ps;
	cmd_ln_t *cfg;
	int busy;
	int warm;
	int has_lm;
	char searches[MAX_GRAMMARS][20];	/* names of grammar searches set */
	int next_slot;
};

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cv = PTHREAD_COND_INITIALIZER;
static struct decoder pool[MAX_POOL];
static int pool_n, pool_size, pool_failed;
static pthread_t warm_thread;
static int warm_started;

static int pool_target(void)
{
	int64_t v = 2;
	const char *e = getenv("SWITCHBOARD_STT_POOL");
	if (e && *e && (util_parse_i64(e, &v) || v < 1 || v > MAX_POOL))
		v = 2;
	return (int)v;
}

/* pocketsphinx (sphinxbase) logs through this: its warnings and errors
 * reach the server's log with a level, its chatter (info, debug) nowhere. */
static void sphinx_log(void *data, err_lvl_t lvl, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	size_t n;

	if (lvl < ERR_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_msg(lvl == ERR_WARN ? LOG_DEBUG : lvl == ERR_ERROR ? LOG_WARN : LOG_ERROR,
		"stt: pocketsphinx: %s", line);
}

static void sphinx_log_init(void)
{
	err_set_callback(sphinx_log, NULL);
}

static int decoder_new(struct decoder *d)
{
	static pthread_once_t log_once = PTHREAD_ONCE_INIT;
	char hmm[1024], dict[1024];
	const char *dir = env("SWITCHBOARD_SPHINX_MODEL", DEFAULT_MODEL);

	pthread_once(&log_once, sphinx_log_init);
	snprintf(hmm, sizeof hmm, "%s/en-us", dir);
	snprintf(dict, sizeof dict, "%s/cmudict-en-us.dict", dir);
	memset(d, 0, sizeof(*d));
	d->cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", dict,
			     "-dither", "no", NULL);
	if (!d->cfg)
		return -1;
	d->ps = ps_init(d->cfg);
	if (!d->ps) {
		cmd_ln_free_r(d->cfg);
		d->cfg = NULL;
		return -1;
	}
	return 0;
}

static void decoder_free(struct decoder *d)
{
	if (d->ps)
		ps_free(d->ps);
	if (d->cfg)
		cmd_ln_free_r(d->cfg);
	memset(d, 0, sizeof(*d));
}

/* Use grammar g (or the general model when NULL) for the next utterance. */
static int decoder_search(struct decoder *d, const char *g, char *err, size_t errlen)
{
	char name[20];
	unsigned char h[32];
	int slot;

	if (!g) {
		if (!d->has_lm) {
			char lm[1024];
			snprintf(lm, sizeof lm, "%s/en-us.lm.bin",
				 env("SWITCHBOARD_SPHINX_MODEL", DEFAULT_MODEL));
			if (ps_set_lm_file(d->ps, "general", lm)) {
				snprintf(err, errlen, "pocketsphinx cannot load its language model");
				return -1;
			}
			d->has_lm = 1;
		}
		return ps_set_search(d->ps, "general") ? -1 : 0;
	}
	util_sha256(g, strlen(g), h);
	snprintf(name, sizeof name, "g");
	util_hex(h, 8, name + 1);
	for (slot = 0; slot < MAX_GRAMMARS; slot++)
		if (!strcmp(d->searches[slot], name))
			return ps_set_search(d->ps, name) ? -1 : 0;
	slot = d->next_slot;
	d->next_slot = (slot + 1) % MAX_GRAMMARS;
	if (d->searches[slot][0]) {
		if (!strcmp(ps_get_search(d->ps) ? ps_get_search(d->ps) : "", d->searches[slot]))
			ps_set_search(d->ps, d->has_lm ? "general" : "warm");
		ps_unset_search(d->ps, d->searches[slot]);
		d->searches[slot][0] = '\0';
	}
	if (ps_set_jsgf_string(d->ps, name, g)) {
		snprintf(err, errlen, "pocketsphinx refused the grammar of expected phrases");
		return -1;
	}
	snprintf(d->searches[slot], sizeof d->searches[slot], "%s", name);
	return ps_set_search(d->ps, name) ? -1 : 0;
}

static int decode16(struct decoder *d, const int16_t *pcm, size_t n, char *out, size_t outlen)
{
	const char *hyp;
	int32 score;

	if (ps_start_utt(d->ps) < 0)
		return -1;
	for (size_t i = 0; i < n; i += 320) {
		size_t k = n - i < 320 ? n - i : 320;
		if (ps_process_raw(d->ps, pcm + i, k, FALSE, FALSE) < 0) {
			ps_end_utt(d->ps);
			return -1;
		}
	}
	if (ps_end_utt(d->ps) < 0)
		return -1;
	hyp = ps_get_hyp(d->ps, &score);
	snprintf(out, outlen, "%s", hyp ? hyp : "");
	return 0;
}

/* A cold decoder hears nothing in its first utterance: give it one. */
static void decoder_warm(struct decoder *d)
{
	static const char *const words[] = { "hello", "i", "would", "like", "to", "book", "an",
		"appointment", "for", "tomorrow", "morning", "please" };
	json_t *ph = json_array();
	int16_t *pcm8 = NULL, *pcm16 = NULL;
	size_t n8, n16;
	char err[200], hyp[256];
	struct buf all = BUF_INIT(512);

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if ((all.len && buf_addch(&all, ' ')) || buf_adds(&all, words[i]))
			break;
	json_array_append_new(ph, json_string(buf_str(&all)));
	char *g = stt_grammar(ph);
	if (g && !ps_set_jsgf_string(d->ps, "warm", g) && !ps_set_search(d->ps, "warm") &&
	    !tts_synthesize(WARM_TEXT, &pcm8, &n8, err, sizeof err) &&
	    !speech_resample(pcm8, n8, 8000, 16000, &pcm16, &n16)) {
		for (int i = 0; i < 2; i++)
			decode16(d, pcm16, n16, hyp, sizeof hyp);
	}
	d->warm = 1;
	free(g);
	free(pcm8);
	free(pcm16);
	json_decref(ph);
	buf_release(&all);
}

/* Fill the pool up to its size; decoders are made outside the lock. */
static void pool_fill(void)
{
	for (;;) {
		struct decoder d;
		pthread_mutex_lock(&pool_mu);
		if (!pool_size)
			pool_size = pool_target();
		if (pool_n >= pool_size || pool_failed) {
			pthread_mutex_unlock(&pool_mu);
			return;
		}
		pthread_mutex_unlock(&pool_mu);
		if (decoder_new(&d)) {
			log_error("stt: pocketsphinx cannot start (model in %s?)",
				  env("SWITCHBOARD_SPHINX_MODEL", DEFAULT_MODEL));
			pthread_mutex_lock(&pool_mu);
			pool_failed = 1;
			pthread_cond_broadcast(&pool_cv);
			pthread_mutex_unlock(&pool_mu);
			return;
		}
		decoder_warm(&d);
		pthread_mutex_lock(&pool_mu);
		if (pool_n < pool_size) {
			pool[pool_n++] = d;
			pthread_cond_broadcast(&pool_cv);
			pthread_mutex_unlock(&pool_mu);
		} else {
			pthread_mutex_unlock(&pool_mu);
			decoder_free(&d);
		}
	}
}

static void *warm_main(void *arg)
{
	(void)arg;
	pool_fill();
	return NULL;
}

void stt_prewarm(void)
{
	if (strcmp(stt_engine_name(), "sphinx"))
		return;
	pthread_mutex_lock(&pool_mu);
	if (!warm_started && !pthread_create(&warm_thread, NULL, warm_main, NULL))
		warm_started = 1;
	pthread_mutex_unlock(&pool_mu);
}

static struct decoder *pool_take(void)
{
	struct decoder *d = NULL;
	double deadline = util_mono() + 60;

	pthread_mutex_lock(&pool_mu);
	for (;;) {
		for (int i = 0; i < pool_n; i++)
			if (!pool[i].busy) {
				d = &pool[i];
				d->busy = 1;
				break;
			}
		if (d || pool_failed || util_mono() > deadline)
			break;
		if (!warm_started && !pthread_create(&warm_thread, NULL, warm_main, NULL))
			warm_started = 1;
		struct timespec ts;
		util_deadline(&ts, CLOCK_REALTIME, 0.05);
		pthread_cond_timedwait(&pool_cv, &pool_mu, &ts);
	}
	pthread_mutex_unlock(&pool_mu);
	return d;
}

static void pool_give(struct decoder *d)
{
	pthread_mutex_lock(&pool_mu);
	d->busy = 0;
	pthread_cond_broadcast(&pool_cv);
	pthread_mutex_unlock(&pool_mu);
}

void stt_shutdown(void)
{
	pthread_mutex_lock(&pool_mu);
	int started = warm_started;
	pthread_mutex_unlock(&pool_mu);
	if (started)
		pthread_join(warm_thread, NULL);
	pthread_mutex_lock(&pool_mu);
	for (int i = 0; i < pool_n; i++)
		decoder_free(&pool[i]);
	pool_n = 0;
	warm_started = 0;
	pthread_mutex_unlock(&pool_mu);
}

static int stt_sphinx(const int16_t *pcm, size_t n, const json_t *phrases, char *out,
		      size_t outlen, char *err, size_t errlen)
{
	struct decoder *d = pool_take();
	int16_t *pcm16 = NULL;
	size_t n16;
	char *g = NULL;
	int r = -1;

	if (!d) {
		snprintf(err, errlen, "no speech decoder is available");
		return -1;
	}
	if (json_array_size(phrases)) {
		g = grammar_for(d->ps, phrases);
		if (!g)
			log_warn("stt: no expected phrase has words the dictionary knows: "
				 "using the general model");
	}
	if (decoder_search(d, g, err, errlen))
		goto out;
	if (speech_resample(pcm, n, 8000, 16000, &pcm16, &n16)) {
		snprintf(err, errlen, "cannot resample the utterance");
		goto out;
	}
	/* Live CMN adapts at the end of each utterance: the first one of a new
	 * voice or line (level, codec) can decode empty even on a warmed
	 * decoder. Once adapted to this audio, a second pass hears it. */
	for (int pass = 0; pass < 2; pass++) {
		if (decode16(d, pcm16, n16, out, outlen)) {
			snprintf(err, errlen, "pocketsphinx could not decode the utterance");
			goto out;
		}
		if (out[0])
			break;
	}
	r = 0;
out:
	free(g);
	free(pcm16);
	pool_give(d);
	return r;
}

/* ---- HTTP engine ------------------------------------------------------------------ */

static int stt_http(const int16_t *pcm, size_t n, const char *lang, char *out, size_t outlen,
		    char *err, size_t errlen)
{
	const char *base = env("SWITCHBOARD_STT_URL", NULL);
	struct buf body = BUF_INIT(64 * 1024), url = BUF_INIT(2048);
	uint8_t *wav = NULL;
	size_t wavlen;
	json_t *j = NULL;
	int r = -1;

	if (!base) {
		snprintf(err, errlen, "SWITCHBOARD_STT=http needs SWITCHBOARD_STT_URL");
		return -1;
	}
	wav = wav_encode_mono(pcm, n, 8000, &wavlen);
	if (!wav || buf_printf(&url, "%s/audio/transcriptions", base)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (speech_http_post(buf_str(&url), env("SWITCHBOARD_STT_KEY", ""), NULL, wav, wavlen,
			     env("SWITCHBOARD_STT_MODEL", "whisper-1"), lang, &body, err, errlen))
		goto out;
	j = jsonsafe_loadb(body.ptr ? body.ptr : "", body.len, 0, NULL, NULL);
	if (!json_is_string(json_object_get(j, "text"))) {
		snprintf(err, errlen, "the transcription engine answered no text");
		goto out;
	}
	snprintf(out, outlen, "%s", json_string_value(json_object_get(j, "text")));
	r = 0;
out:
	json_decref(j);
	free(wav);
	buf_release(&body);
	buf_release(&url);
	return r;
}

int stt_transcribe(const int16_t *pcm, size_t n, const json_t *phrases, const char *lang,
		   char *out, size_t outlen, char *err, size_t errlen)
{
	const char *e = stt_engine_name();

	out[0] = '\0';
	if (n > MAX_UTT)
		n = MAX_UTT;
	if (!strcmp(e, "none"))
		return 0;
	if (!strcmp(e, "http"))
		return stt_http(pcm, n, lang, out, outlen, err, errlen);
	return stt_sphinx(pcm, n, phrases, out, outlen, err, errlen);
}
