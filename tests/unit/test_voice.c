/* test_voice.c - the voice runtime's pure parts: end-pointing, WAV, trunk
 * settings, the expected-phrase grammar, resampling, the line's queues,
 * the voicemail beep detector, the in-band DTMF detector, and the store's
 * end-of-call charge. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include "test.h"
#include "fixture.h"
#include "base/secret.h"
#include "voice/libre.h"
#include "sip/trunk.h"
#include "speech/speech.h"
#include "store/store.h"
#include "voice/beep.h"
#include "voice/denoise.h"
#include "voice/dtmf.h"
#include "voice/line.h"
#include "voice/vad.h"
#include "speech/wav.h"

static void tone(int16_t *f, size_t n, double amp)
{
	for (size_t i = 0; i < n; i++)
		f[i] = (int16_t)(amp * sin(2 * M_PI * 440 * (double)i / 8000));
}

/* Feed ms of a frame kind; returns the first event seen. */
static enum vad_event feed(struct vad *v, double amp, int ms)
{
	int16_t f[160];
	enum vad_event first = VAD_NONE, e;

	tone(f, 160, amp);
	for (int t = 0; t < ms; t += 20)
		if ((e = vad_frame(v, f, 160)) != VAD_NONE && first == VAD_NONE)
			first = e;
	return first;
}

TEST(vad_endpoints)
{
	struct vad v;

	vad_init(&v);
	CHECK(feed(&v, 20, 1000) == VAD_NONE);         /* line noise */
	CHECK(feed(&v, 8000, 40) == VAD_NONE);         /* a click is not speech */
	CHECK(feed(&v, 20, 200) == VAD_NONE);
	CHECK(feed(&v, 8000, 300) == VAD_START);       /* speech */
	CHECK(v.in_speech);
	CHECK(feed(&v, 20, 400) == VAD_NONE);          /* a pause between words */
	CHECK(feed(&v, 8000, 200) == VAD_NONE);
	CHECK(feed(&v, 20, 700) == VAD_END);           /* hangover passed */
	CHECK(!v.in_speech);
	CHECK(vad_rms((int16_t[]){ 3, -3, 3, -3 }, 4) == 3.0);
}

TEST(wav_roundtrip)
{
	int16_t pcm[100];
	size_t len;
	struct wav_view v;
	uint8_t *w;

	for (int i = 0; i < 100; i++)
		pcm[i] = (int16_t)(i * 300 - 15000);
	w = wav_encode_mono(pcm, 100, 8000, &len);
	REQUIRE(w);
	CHECK(len == 44 + 200);
	REQUIRE(wav_parse(w, len, &v) == 0);
	CHECK(v.rate == 8000 && v.channels == 1 && v.frames == 100);
	CHECK(wav_sample(&v, 0, 0) == -15000 && wav_sample(&v, 99, 0) == 99 * 300 - 15000);
	w[20] = 3;	/* not PCM */
	CHECK(wav_parse(w, len, &v) == -1);
	w[20] = 1;	/* PCM again: only the length is wrong now */
	REQUIRE(wav_parse(w, len, &v) == 0);
	CHECK(wav_parse(w, 10, &v) == -1);
	free(w);
}

TEST(wav_writer_patches_sizes)
{
	char path[] = "/tmp/sb-wav-XXXXXX";
	int fd = mkstemp(path);
	struct wav_writer w;
	int16_t st[2 * 160] = { 0 };
	uint8_t buf[4096];
	struct wav_view v;
	FILE *f;
	size_t n;

	REQUIRE(fd >= 0);
	close(fd);
	REQUIRE(wav_open(&w, path, 8000, 2) == 0);
	st[0] = 1000;
	st[1] = -1000;
	for (int i = 0; i < 3; i++)
		REQUIRE(wav_write(&w, st, 160) == 0);
	REQUIRE(wav_close(&w) == 0);
	f = fopen(path, "rb");
	REQUIRE(f);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	unlink(path);
	CHECK(n == 44 + 3 * 160 * 4);
	REQUIRE(wav_parse(buf, n, &v) == 0);
	CHECK(v.channels == 2 && v.frames == 480);
	CHECK(wav_sample(&v, 160, 0) == 1000 && wav_sample(&v, 160, 1) == -1000);
}

TEST(trunk_build_and_parse)
{
	char err[256], *j;
	struct sip_trunk t;

	setenv("SWITCHBOARD_SECRET_KEY",
	       "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
	secret_reset();
	j = sip_trunk_build("127.0.0.1:5070", NULL, "tcp", "agent", "pa55word", "+4930111",
			    NULL, err, sizeof err);
	REQUIRE(j);
	CHECK(!strstr(j, "pa55word"));		/* sealed at rest */
	CHECK(strstr(j, "\"password\":\"sb1:"));
	REQUIRE(sip_trunk_parse(j, &t, err, sizeof err) == 0);
	CHECK_STR(t.host, "127.0.0.1");
	CHECK(t.port == 5070 && t.tcp == 1);
	CHECK_STR(t.username, "agent");
	CHECK_STR(t.password, "pa55word");
	CHECK_STR(t.caller_id, "+4930111");
	CHECK_STR(t.domain, "127.0.0.1");
	REQUIRE(sip_trunk_resolve(&t, err, sizeof err) == 0);
	CHECK_STR(t.addr, "127.0.0.1");
	sip_trunk_wipe(&t);
	CHECK(t.password[0] == 0);
	free(j);

	CHECK(sip_trunk_parse("{}", &t, err, sizeof err) == -1);
	CHECK_STR(err, "no SIP trunk configured");
	CHECK(sip_trunk_parse("{\"proxy\":\"a b:5060\"}", &t, err, sizeof err) == -1);
	CHECK(sip_trunk_parse("{\"proxy\":\"h:99999\"}", &t, err, sizeof err) == -1);
	CHECK(sip_trunk_parse("{\"proxy\":\"h\",\"transport\":\"sctp\"}", &t, err, sizeof err) == -1);
	REQUIRE(sip_trunk_parse("{\"registrar\":\"[::1]:5080\"}", &t, err, sizeof err) == 0);
	CHECK_STR(t.host, "::1");
	CHECK(t.port == 5080 && !t.tcp);
	CHECK_STR(t.registrar, "[::1]:5080");
	CHECK(t.expires == 3600);
	{
		char addr[80];
		REQUIRE(sip_trunk_registrar_addr(&t, addr, sizeof addr, err, sizeof err) == 0);
		CHECK_STR(addr, "[::1]:5080");
		REQUIRE(sip_trunk_parse("{\"proxy\":\"10.0.0.1\",\"registrar\":\"127.0.0.1:5090\","
					"\"transport\":\"tcp\",\"expires\":120}", &t, err, sizeof err) == 0);
		CHECK(t.expires == 120 && t.tcp);
		REQUIRE(sip_trunk_registrar_addr(&t, addr, sizeof addr, err, sizeof err) == 0);
		CHECK_STR(addr, "127.0.0.1:5090");
		REQUIRE(sip_trunk_parse("{\"proxy\":\"10.0.0.1\"}", &t, err, sizeof err) == 0);
		CHECK(sip_trunk_registrar_addr(&t, addr, sizeof addr, err, sizeof err) == -1);
		CHECK_STR(err, "the trunk has no registrar");
		CHECK(sip_trunk_parse("{\"proxy\":\"h\",\"expires\":59}", &t, err, sizeof err) == -1);
		CHECK_STR(err, "the trunk's expires is not 60..86400 seconds");
		CHECK(sip_trunk_parse("{\"proxy\":\"h\",\"expires\":\"600\"}", &t, err, sizeof err) == -1);
	}
	CHECK(!sip_trunk_build(NULL, NULL, NULL, NULL, NULL, NULL, NULL, err, sizeof err));
	CHECK(!sip_trunk_build("h", NULL, NULL, NULL, "pw", NULL, NULL, err, sizeof err));
	unsetenv("SWITCHBOARD_SECRET_KEY");
	secret_reset();
}

TEST(stt_grammar_from_phrases)
{
	json_t *p = json_pack("[s,s,s,i,s]", "I'd like to BOOK, please!", "  goodbye ",
			      "goodbye", 7, "?!");
	char *g = stt_grammar(p);

	REQUIRE(g);
	CHECK_STR(g, "#JSGF V1.0;\ngrammar expected;\npublic <utt> = i'd like to book please\n"
		     "  | goodbye;\n");
	free(g);
	json_decref(p);
	p = json_pack("[s]", "...");
	CHECK(stt_grammar(p) == NULL);
	json_decref(p);
	CHECK(stt_grammar(NULL) == NULL);
}

TEST(resample_lengths)
{
	int16_t in[8000], *out;
	size_t n;

	tone(in, 8000, 10000);
	REQUIRE(speech_resample(in, 8000, 8000, 16000, &out, &n) == 0);
	CHECK(n > 15800 && n <= 16000);
	free(out);
	REQUIRE(speech_resample(in, 8000, 22050, 8000, &out, &n) == 0);
	CHECK(n > 2850 && n <= 2910);
	free(out);
}

TEST(line_queues)
{
	struct voice_line *l = voice_line_new(7);
	int16_t a[400], b[160];
	struct voice_ev *e;

	REQUIRE(l);
	for (int i = 0; i < 400; i++)
		a[i] = (int16_t)i;
	CHECK(voice_line_play(l, a, 400, NULL, NULL) == 0);
	CHECK(voice_line_pending(l) == 400);
	CHECK(voice_line_pull(l, b, 160) == 160 && b[0] == 0 && b[159] == 159);
	CHECK(voice_line_pull(l, b, 160) == 160 && b[0] == 160);
	voice_line_flush(l);
	CHECK(voice_line_pull(l, b, 160) == 0);
	CHECK(voice_line_next(l, 0) == NULL);
	voice_line_post(l, voice_ev_new(VEV_DTMF, "5"));
	e = voice_line_next(l, 0);
	REQUIRE(e);
	CHECK(e->type == VEV_DTMF && e->text[0] == '5');
	voice_ev_free(e);
	voice_line_ref(l);
	voice_line_close(l);
	CHECK(voice_line_play(l, a, 10, NULL, NULL) == -1);
	e = voice_line_next(l, 0);
	CHECK(e && e->type == VEV_CLOSED);
	voice_ev_free(e);
	e = voice_line_next(l, 0);	/* still closed */
	CHECK(e && e->type == VEV_CLOSED);
	voice_ev_free(e);
	voice_line_unref(l);
	voice_line_unref(l);
}

/* Play positions and what was heard of audio around barge-in flushes. */
TEST(line_heard_positions)
{
	struct voice_line *l = voice_line_new(8);
	int16_t a[400] = { 0 }, b[160];
	uint64_t s1, s2, s3;
	unsigned f0;
	int final;

	REQUIRE(l);
	CHECK(voice_line_play(l, a, 400, &s1, &f0) == 0 && s1 == 0 && f0 == 0);
	CHECK(voice_line_play(l, a, 400, &s2, NULL) == 0 && s2 == 400);
	CHECK(voice_line_heard_until(l, f0, &final) == 0 && !final);
	CHECK(voice_line_pull(l, b, 160) == 160);
	CHECK(voice_line_heard_until(l, f0, &final) == 160 && !final);
	CHECK(voice_line_pull(l, b, 160) == 160);
	/* the caller barges in at 320: the rest of both is dropped */
	CHECK(voice_line_flush(l) == 480);
	CHECK(voice_line_heard_until(l, f0, &final) == 320 && final);
	/* said after the flush: starts at 320 and plays on */
	unsigned f1;
	CHECK(voice_line_play(l, a, 200, &s3, &f1) == 0 && s3 == 320 && f1 == f0 + 1);
	CHECK(voice_line_pull(l, b, 160) == 160);
	CHECK(voice_line_heard_until(l, f1, &final) == 480 && !final);
	CHECK(voice_line_heard_until(l, f0, &final) == 320 && final);	/* still the first flush */
	voice_line_close(l);
	CHECK(voice_line_heard_until(l, f1, &final) == 480 && final);
	voice_line_unref(l);
}

/* Sentences the tone detectors must not mistake for tones. */
static const char *const speech_samples[] = {
	"Hello, you have reached the voicemail of John Smith. I am not available right now.",
	"Please leave your name, your number and a short message after the tone.",
	"Hello? Yes, this is Maria speaking. Who is calling, please?",
	"Oooh, weeell, nooo, I would like to book an appointment for tomorrow morning.",
	"My number is one two three, four five six, seven eight nine zero. Star, pound, hash.",
};

/* A speech sample synthesised (8 kHz) and passed through G.711 mu-law
 * like the line; NULL when TTS failed. Caller frees. */
static int16_t *speech_ulaw(const char *text, size_t *n)
{
	int16_t *pcm = NULL;
	char err[200];

	if (tts_synthesize(text, &pcm, n, err, sizeof err)) {
		fprintf(stderr, "  tts: %s\n", err);
		return NULL;
	}
	for (size_t i = 0; i < *n; i++)
		pcm[i] = g711_ulaw2pcm(g711_pcm2ulaw(pcm[i]));
	return pcm;
}

/* Feed ms of a tone (hz, or two tones when hz2) then 100 ms of silence,
 * through G.711 mu-law like the line; the beeps heard. */
static int beeps(struct beep *b, double hz, double hz2, double amp, int ms)
{
	int16_t f[160];
	int heard = 0;
	static size_t t;

	for (int k = 0; k < ms / 20 + 5; k++) {
		for (int i = 0; i < 160; i++, t++) {
			double v = k < ms / 20 ? amp * sin(2 * M_PI * hz * (double)t / 8000) +
				(hz2 > 0 ? amp * sin(2 * M_PI * hz2 * (double)t / 8000) : 0) : 0;
			f[i] = g711_ulaw2pcm(g711_pcm2ulaw((int16_t)v));
		}
		heard += beep_frame(b, f, 160);
	}
	return heard;
}

TEST(beep_tones_not_speech)
{
	struct beep b;
	int16_t *pcm = NULL;
	size_t n = 0;
	double share;

	beep_init(&b);
	CHECK(beeps(&b, 1000, 0, 6000, 400) == 1);
	CHECK(b.hz == 1000 && b.ms >= 360 && b.ms <= 420);
	CHECK(beeps(&b, 937, 0, 3000, 300) == 1);	/* between two filters */
	CHECK(fabs(b.hz - 937) <= 13);
	CHECK(beeps(&b, 1400, 0, 6000, 200) == 1);
	CHECK(beeps(&b, 850, 0, 6000, 1500) == 1);
	CHECK(beeps(&b, 1000, 0, 6000, 5000) == 1);	/* an endless tone: once, at max_ms */
	CHECK(b.ms == 2000);
	CHECK(beeps(&b, 1000, 0, 6000, 100) == 0);	/* too short */
	CHECK(beeps(&b, 440, 0, 6000, 500) == 0);	/* a dial tone's frequency */
	CHECK(beeps(&b, 1000, 0, 100, 500) == 0);	/* too quiet */
	CHECK(beeps(&b, 770, 1336, 4000, 500) == 0);	/* two tones (a keypad digit) */
	CHECK(beep_tone((int16_t[160]){ 0 }, 160, &share) == 0 && share == 0);
	for (size_t k = 0; k < sizeof speech_samples / sizeof speech_samples[0]; k++) {
		int heard = 0;
		REQUIRE((pcm = speech_ulaw(speech_samples[k], &n)) != NULL);
		beep_init(&b);
		for (size_t i = 0; i + 160 <= n; i += 160)
			heard += beep_frame(&b, pcm + i, 160);
		if (heard)
			fprintf(stderr, "  speech %zu heard as a beep (%.0f Hz, %d ms)\n", k, b.hz, b.ms);
		CHECK(heard == 0);
		free(pcm);
	}
}

/* ---- in-band DTMF ------------------------------------------------------ */

/* A tape of line audio for the DTMF tests: tones written at `at`, played
 * to a detector through G.711 mu-law like the line. */
#define TAPE_LEN (8000 * 4)	/* 4 s */
static struct {
	int16_t pcm[TAPE_LEN];
	size_t at;
	uint32_t seed;
} tape;

static void tape_reset(size_t lead)
{
	memset(&tape, 0, sizeof tape);
	tape.at = lead;
	tape.seed = 12345;
}

/* ms of two tones (a2 = 0: one tone), added to what the tape holds. */
static void tape_tone(double f1, double a1, double f2, double a2, int ms)
{
	for (size_t w = 0; w < (size_t)ms * 8 && tape.at < TAPE_LEN; w++, tape.at++)
		tape.pcm[tape.at] += (int16_t)(a1 * sin(2 * M_PI * f1 * (double)w / 8000) +
					       a2 * sin(2 * M_PI * f2 * (double)w / 8000));
}

/* A key: its row tone at amplitude ra, its column tone at ca. */
static void tape_key(char key, double ra, double ca, int ms)
{
	static const double rows[] = { 697, 770, 852, 941 }, cols[] = { 1209, 1336, 1477, 1633 };
	const char *pad = "123A456B789C*0#D", *k = strchr(pad, key);

	if (k && key)
		tape_tone(rows[(k - pad) / 4], ra, cols[(k - pad) % 4], ca, ms);
}

static void tape_pause(int ms)
{
	tape.at += (size_t)ms * 8;
}

/* Uniform white noise of peak amp over everything written so far. */
static void tape_noise(double amp)
{
	for (size_t i = 0; i < tape.at && i < TAPE_LEN; i++) {
		tape.seed = tape.seed * 1664525 + 1013904223;
		tape.pcm[i] += (int16_t)(amp * ((double)(tape.seed >> 8) / (1 << 23) - 1));
	}
}

/* Play the tape and 100 ms more to d in 20 ms frames; the keys heard
 * (out holds up to 31). */
static const char *tape_play(struct dtmf *d, char out[32])
{
	size_t end = tape.at + 800, len = 0;

	for (size_t i = 0; i + 160 <= end && i + 160 <= TAPE_LEN; i += 160) {
		int16_t f[160];
		char key;

		for (size_t j = 0; j < 160; j++)
			f[j] = g711_ulaw2pcm(g711_pcm2ulaw(tape.pcm[i + j]));
		if ((key = dtmf_frame(d, f, 160)) && len < 31)
			out[len++] = key;
	}
	out[len] = 0;
	return out;
}

TEST(dtmf_every_key)
{
	const char *pad = "123A456B789C*0#D";
	struct dtmf d;
	char out[32], one[2] = { 0 };

	/* each key 80 ms, starting at a different place in a frame */
	for (size_t k = 0; pad[k]; k++) {
		dtmf_init(&d);
		tape_reset(k * 37 % 160);
		tape_key(pad[k], 5000, 5000, 80);
		one[0] = pad[k];
		CHECK_STR(tape_play(&d, out), one);
	}
	/* one detector for the whole pad, 60 ms between keys */
	dtmf_init(&d);
	tape_reset(50);
	for (size_t k = 0; pad[k]; k++) {
		tape_key(pad[k], 5000, 5000, 80);
		tape_pause(60);
	}
	CHECK_STR(tape_play(&d, out), pad);
}

TEST(dtmf_presses)
{
	struct dtmf d;
	char out[32];

	dtmf_init(&d);
	tape_reset(90);
	for (const char *k = "123#"; *k; k++) {
		tape_key(*k, 4000, 4000, 80);
		tape_pause(60);
	}
	CHECK_STR(tape_play(&d, out), "123#");

	dtmf_init(&d);		/* the same key twice, 60 ms apart */
	tape_reset(0);
	tape_key('5', 4000, 4000, 80);
	tape_pause(60);
	tape_key('5', 4000, 4000, 80);
	CHECK_STR(tape_play(&d, out), "55");

	dtmf_init(&d);		/* one frame lost inside a press is not a new press */
	tape_reset(0);
	tape_key('9', 4000, 4000, 100);
	tape_pause(20);
	tape_key('9', 4000, 4000, 100);
	CHECK_STR(tape_play(&d, out), "9");

	dtmf_init(&d);		/* another key right after one counts at once */
	tape_reset(0);
	tape_key('1', 4000, 4000, 80);
	tape_key('2', 4000, 4000, 80);
	CHECK_STR(tape_play(&d, out), "12");

	/* single presses: a long one is one key; 20 ms (or less) within one
	 * frame is too short; just over min_rms counts, under it does not */
	static const struct { size_t lead; char key; double amp; int ms; const char *want; } one[] = {
		{ 13, '7', 4000, 500, "7" }, { 160, '4', 5000, 20, "" }, { 330, '4', 5000, 15, "" },
		{ 0, '8', 150, 80, "8" }, { 0, '8', 60, 80, "" },
	};
	for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
		dtmf_init(&d);
		tape_reset(one[i].lead);
		tape_key(one[i].key, one[i].amp, one[i].amp, one[i].ms);
		CHECK_STR(tape_play(&d, out), one[i].want);
	}

	dtmf_init(&d);		/* a key in noise (~9 dB SNR) */
	tape_reset(0);
	tape_key('0', 4000, 4000, 100);
	tape_pause(20);
	tape_noise(3000);
	CHECK_STR(tape_play(&d, out), "0");
}

TEST(dtmf_rejects_other_sounds)
{
	struct dtmf d;
	char out[32];

	dtmf_init(&d);		/* single tones: a row or a column alone, a beep */
	tape_reset(0);
	tape_tone(697, 6000, 0, 0, 300);
	tape_pause(60);
	tape_tone(1336, 6000, 0, 0, 300);
	tape_pause(60);
	tape_tone(1000, 6000, 0, 0, 300);
	tape_pause(60);
	tape_tone(440, 4000, 350, 4000, 300);	/* dial tone */
	CHECK_STR(tape_play(&d, out), "");

	dtmf_init(&d);		/* twist: 12 dB either way is too much, 8 dB is fine */
	tape_reset(0);
	tape_key('6', 6000, 1500, 100);
	tape_pause(60);
	tape_key('6', 1500, 6000, 100);
	CHECK_STR(tape_play(&d, out), "");
	dtmf_init(&d);
	tape_reset(0);
	tape_key('6', 5000, 2000, 100);
	tape_pause(60);
	tape_key('3', 2000, 5000, 100);
	CHECK_STR(tape_play(&d, out), "63");

	dtmf_init(&d);		/* two keys at once ('1' and a quieter '4'): not one key */
	tape_reset(0);
	tape_key('1', 4000, 4000, 100);
	tape.at = 0;
	tape_tone(770, 2000, 0, 0, 100);
	CHECK_STR(tape_play(&d, out), "");

	dtmf_init(&d);		/* white noise, loud and soft */
	tape_reset(8000 * 2);
	tape_noise(8000);
	tape_pause(1000);
	tape_noise(800);
	CHECK_STR(tape_play(&d, out), "");
}

TEST(dtmf_not_speech)
{
	struct dtmf d;
	int16_t *pcm;
	size_t n;

	for (size_t k = 0; k < sizeof speech_samples / sizeof speech_samples[0]; k++) {
		char out[32];
		size_t len = 0;
		double most = 0;

		REQUIRE((pcm = speech_ulaw(speech_samples[k], &n)) != NULL);
		dtmf_init(&d);
		for (size_t i = 0; i + 160 <= n; i += 160) {
			char key = dtmf_frame(&d, pcm + i, 160);
			if (key && len < 31)
				out[len++] = key;
			if (d.share > most)
				most = d.share;
		}
		out[len] = 0;
		if (len)
			fprintf(stderr, "  speech %zu heard as keys '%s'\n", k, out);
		CHECK(len == 0);
		/* speech peaks far below a key's ~1 (0.25-0.42 with espeak-ng) */
		if (most >= 0.6)
			fprintf(stderr, "  speech %zu: two-tone share %.2f\n", k, most);
		CHECK(most < 0.6);
		free(pcm);
	}
}

/* An assistant's voice and pace reach espeak-ng; the pick follows the
 * engine in use (espeak here). */
TEST(tts_voice_and_pace)
{
	struct tts_voice tv;
	int16_t *a = NULL, *b = NULL, *d = NULL;
	size_t na = 0, nb = 0, nd = 0;
	char err[256];
	const char *text = "Good morning, how can I help you today?";

	unsetenv("SWITCHBOARD_TTS");
	tts_voice_pick(&tv, "de (espeak-ng)", "espeak-ng", "de", 1.0);
	CHECK_STR(tv.voice, "de");
	tts_voice_pick(&tv, "alloy", "openai-compatible", "fr", 1.1);	/* not espeak's: by language */
	CHECK_STR(tv.voice, "fr");
	CHECK(tv.speed > 1.09 && tv.speed < 1.11);
	tts_voice_pick(&tv, NULL, NULL, "en", 0);
	CHECK_STR(tv.voice, "en-us");
	CHECK(tv.speed == 1.0);
	tts_voice_pick(&tv, NULL, NULL, NULL, 1.0);
	CHECK_STR(tv.voice, "");
	setenv("SWITCHBOARD_TTS", "http", 1);
	tts_voice_pick(&tv, "alloy", "openai-compatible", "de", 1.0);
	CHECK_STR(tv.voice, "alloy");
	tts_voice_pick(&tv, "de (espeak-ng)", "espeak-ng", "de", 1.0);	/* http has no espeak voices */
	CHECK_STR(tv.voice, "");
	unsetenv("SWITCHBOARD_TTS");

	/* slower is longer, faster is shorter; another voice sounds otherwise */
	tts_voice_pick(&tv, NULL, NULL, "en", 0.7);
	REQUIRE(tts_synthesize_as(&tv, text, &a, &na, err, sizeof err) == 0);
	tts_voice_pick(&tv, NULL, NULL, "en", 1.2);
	REQUIRE(tts_synthesize_as(&tv, text, &b, &nb, err, sizeof err) == 0);
	tts_voice_pick(&tv, "de (espeak-ng)", "espeak-ng", NULL, 1.2);
	REQUIRE(tts_synthesize_as(&tv, text, &d, &nd, err, sizeof err) == 0);
	CHECK(na > nb * 3 / 2);
	CHECK(nd != nb);
	free(a);
	free(b);
	free(d);
	/* and back to the default for the other tests */
	REQUIRE(tts_synthesize_as(NULL, text, &a, &na, err, sizeof err) == 0);
	free(a);
}

/* noise_cancellation: steady noise is lowered, speech in it is kept. */
TEST(denoise_noise_and_speech)
{
	struct denoise *d = denoise_new(160, 25);
	int16_t *sp = NULL, f[160];
	size_t nsp = 0;
	double in = 0, out = 0, kept = 0, clean = 0;
	unsigned seed = 7;

	REQUIRE(d);
	/* 2 s of white noise (RMS ~580): the last second comes out lower */
	for (int k = 0; k < 100; k++) {
		for (int i = 0; i < 160; i++)
			f[i] = (int16_t)((int)(rand_r(&seed) % 2001) - 1000);
		for (int i = 0; k >= 50 && i < 160; i++)
			in += (double)f[i] * f[i];
		denoise_frame(d, f);
		for (int i = 0; k >= 50 && i < 160; i++)
			out += (double)f[i] * f[i];
	}
	CHECK(out < in / 4);	/* more than 6 dB down */
	/* a sentence in the same noise: most of the speech's energy stays */
	REQUIRE((sp = speech_ulaw("Good morning, I would like to book a table for two.", &nsp)) != NULL);
	for (size_t k = 0; k + 160 <= nsp; k += 160) {
		for (int i = 0; i < 160; i++) {
			int v = sp[k + i] + (int)(rand_r(&seed) % 2001) - 1000;
			f[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
			clean += (double)sp[k + i] * sp[k + i];
		}
		denoise_frame(d, f);
		for (int i = 0; i < 160; i++)
			kept += (double)f[i] * f[i];
	}
	CHECK(kept > clean / 2);
	free(sp);
	denoise_free(d);
}

TEST(store_call_end_charges_once)
{
	struct store_account acc;
	struct store_call_new nc = { 0 };
	struct store_voice_line line;
	int64_t acc_id, call, cost = -1, phone;
	json_t *c;

	REQUIRE(fixture_store() == 0);
	REQUIRE(store_account_create("voice-unit", "UTC", 1000000, &acc_id) == 0);
	REQUIRE(store_phone_number_insert(acc_id, "+4930777001", "inbound", 0, NULL, &phone) == 0);
	CHECK(store_phone_number_set_trunk(acc_id, phone, "{\"proxy\":\"127.0.0.1:5070\"}") == 0);
	CHECK(store_phone_number_set_trunk(acc_id + 1000, phone, "{}") == STORE_NOTFOUND);
	REQUIRE(store_voice_line_by_number("+4930777001", &line) == 0);
	CHECK(line.account_id == acc_id && line.phone_id == phone && line.assistant_id == 0);
	CHECK(strstr(line.trunk, "5070") != NULL);
	CHECK(store_voice_line_by_number("+4930777999", &line) == STORE_NOTFOUND);

	nc.type = "outbound";
	nc.from_number = "+4930777001";
	nc.to_number = "+4915100000000";
	REQUIRE(store_call_insert(acc_id, &nc, &call) == 0);
	CHECK(store_voice_call_dialing(call, "abc@host") == 0);
	CHECK(store_voice_call_answered(call, "human") == 0);
	CHECK(store_voice_transcript_add(call, "bot", "Hello.", 1.5) == 0);
	CHECK(store_voice_transcript_add(call, "human", "Hi.", 2.5) == 0);
	/* 61 s = two started minutes */
	CHECK(store_voice_call_end(call, "completed", "done", 61, 90000, &cost) == 0);
	CHECK(cost == 180000);
	CHECK(store_voice_call_end(call, "completed", "again", 61, 90000, &cost) == STORE_NOTFOUND);
	REQUIRE(store_account_get(acc_id, &acc) == 0);
	CHECK(acc.balance_micros == 1000000 - 180000);
	c = store_call_get(acc_id, call);
	REQUIRE(c);
	CHECK_STR(json_string_value(json_object_get(c, "status")), "completed");
	CHECK(json_integer_value(json_object_get(c, "duration")) == 61);
	CHECK(json_integer_value(json_object_get(c, "total_cost_micros")) == 180000);
	CHECK_STR(json_string_value(json_object_get(c, "answered_by")), "human");
	CHECK(json_array_size(json_object_get(c, "transcript")) == 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(c, "transcript"), 1),
						    "sender")), "human");
	json_decref(c);

	/* a call a campaign stop ended in the store: the line's end adds the
	 * duration and the charge, keeps the stop's status and reason, once */
	REQUIRE(store_call_insert(acc_id, &nc, &call) == 0);
	CHECK(store_voice_call_answered(call, "human") == 0);
	CHECK(store_call_set_status(call, "ended", "campaign stopped") == 0);
	CHECK(store_voice_call_end(call, "ended", "campaign stopped", 0, 90000, &cost) == 0);
	CHECK(cost == 0);
	CHECK(store_voice_call_end(call, "ended_by_customer", "hung up", 30, 90000, &cost) == 0);
	CHECK(cost == 90000);
	CHECK(store_voice_call_end(call, "ended", "again", 30, 90000, &cost) == STORE_NOTFOUND);
	CHECK(cost == 0);
	REQUIRE(store_account_get(acc_id, &acc) == 0);
	CHECK(acc.balance_micros == 1000000 - 180000 - 90000);
	c = store_call_get(acc_id, call);
	REQUIRE(c);
	CHECK_STR(json_string_value(json_object_get(c, "status")), "ended");
	CHECK_STR(json_string_value(json_object_get(c, "end_reason")), "campaign stopped");
	CHECK(json_integer_value(json_object_get(c, "duration")) == 30);
	CHECK(json_integer_value(json_object_get(c, "total_cost_micros")) == 90000);
	json_decref(c);
}

/* Several processes on one database: a call is claimed (dialled) once,
 * calls nobody claimed in time fail, a webhook attempt is leased once. */
TEST(store_claims_across_processes)
{
	struct store_call_new nc = { .type = "outbound", .from_number = "+4930777002",
				     .to_number = "+4915100000001" };
	int64_t acc_id, a, b, ids[8], dlv;
	double now = 1e9;
	json_t *c;
	int n;

	REQUIRE(fixture_store() == 0);
	REQUIRE(store_account_create("claims", "UTC", 1000000, &acc_id) == 0);
	REQUIRE(store_call_insert(acc_id, &nc, &a) == 0);
	REQUIRE(store_call_insert(acc_id, &nc, &b) == 0);
	/* both wait; one claim each, and a claimed call is no longer waiting */
	n = store_calls_unclaimed(60, 0, ids, 8);
	CHECK(n == 2 && ids[0] == a && ids[1] == b);
	CHECK(store_calls_unclaimed(60, 1, ids, 8) == 0);
	CHECK(store_call_claim(a, "node-1") == 0);
	CHECK(store_call_claim(a, "node-2") == STORE_NOTFOUND);
	n = store_calls_unclaimed(60, 0, ids, 8);
	CHECK(n == 1 && ids[0] == b);
	/* nobody dialled b in time: it is stale, no longer waiting */
	usleep(5000);	/* created_at has millisecond steps */
	n = store_calls_unclaimed(0, 1, ids, 8);
	CHECK(n == 1 && ids[0] == b);
	CHECK(store_calls_unclaimed(0, 0, ids, 8) == 0);
	c = store_call_get(acc_id, a);
	CHECK_STR(json_string_value(json_object_get(c, "status")), "initiated");
	json_decref(c);

	/* the processes with a line */
	CHECK(store_call_nodes_live(now, 10) == 0);
	CHECK(store_call_node_beat("node-1", now - 30, 0) == 0);
	CHECK(store_call_nodes_live(now, 10) == 0);	/* seen too long ago */
	CHECK(store_call_node_beat("node-1", now - 1, 0) == 0);
	CHECK(store_call_node_beat("node-2", now, 0) == 0);
	CHECK(store_call_nodes_live(now, 10) == 2);
	CHECK(store_call_node_beat("node-2", 0, 1) == 0);
	CHECK(store_call_nodes_live(now, 10) == 1);

	/* a due webhook delivery: leased once per attempt */
	REQUIRE(store_webhook_enqueue(acc_id, a, "https://hooks.example/x", "{}", now - 5, &dlv) == 0);
	CHECK(store_webhook_lease(dlv, 0, now, now + 70) == 0);
	CHECK(store_webhook_lease(dlv, 0, now, now + 70) == STORE_NOTFOUND);	/* taken */
	CHECK(store_webhook_lease(dlv, 0, now + 71, now + 140) == 0);	/* the lease ran out */
	CHECK(store_webhook_attempt(dlv, 1, 500, NULL, 3, "pending", now + 200, NULL) == 0);
	CHECK(store_webhook_lease(dlv, 0, now + 300, now + 400) == STORE_NOTFOUND);	/* stale attempts */
	CHECK(store_webhook_lease(dlv, 1, now + 100, now + 170) == STORE_NOTFOUND);	/* not due */
	CHECK(store_webhook_lease(dlv, 1, now + 200, now + 270) == 0);
}

const struct unit_test voice_tests[] = {
	T(vad_endpoints), T(wav_roundtrip), T(wav_writer_patches_sizes), T(trunk_build_and_parse),
	T(stt_grammar_from_phrases), T(resample_lengths), T(line_queues), T(line_heard_positions),
	T(beep_tones_not_speech), T(dtmf_every_key), T(dtmf_presses), T(dtmf_rejects_other_sounds),
	T(dtmf_not_speech), T(tts_voice_and_pace), T(denoise_noise_and_speech), T(store_call_end_charges_once),
	T(store_claims_across_processes), { 0 },
};
