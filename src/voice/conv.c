/*
 * conv.c - the conversation on a live call, one thread per call (see
 * conv.h): greeting, caller speech -> text -> brain -> speech, keypad
 * digits, barge-in, the call's timers, hang-up and transfer in order.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agent/brain.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/oneshot.h"
#include "speech/speech.h"
#include "store/assistant_settings.h"
#include "store/store.h"
#include "base/util.h"
#include "voice/conv.h"
#include "voice/line.h"
#include "speech/wav.h"

#define DTMF_GAP_S 1.5           /* digits end after this pause, or at '#' */
#define DRAIN_MAX_S 30.0         /* longest wait for speech to be played out */
#define GOODBYE "Thank you for calling. Goodbye."
#define TIME_UP "I'm sorry, we have reached the time limit for this call. Goodbye."
#define STILL_THERE "Are you still there?"
#define TRANSFER_FAILED_SAY "I'm sorry, I could not transfer your call right now. " \
	"Is there anything else I can help you with?"
#define DEFAULT_CONSENT "This call may be recorded."
#define TOOL_DELAY_MS 2500      /* a tool still running then: its say_delay */
#define FILLER_MS 1200          /* filler_audios: nothing said by then, a filler */
#define OPEN_WAIT_S 1.5         /* endpoint_type ai: how long an open sentence waits */
#define VM_BEEP_WAIT_S 5.0       /* after a long greeting, wait this long for its beep */
#define SAID_MAX 32              /* sentences of one answer followed until heard */

static pthread_mutex_t threads_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t threads_cv = PTHREAD_COND_INITIALIZER;
static int threads_live;

/* One sentence of the answer being said, where it is on the line. */
struct said {
	char *text;
	uint64_t start, end;       /* play positions (voice_line_play) */
	unsigned flushes;          /* the line's flushes when it was queued */
};

struct conv {
	struct voice_line *line;
	json_t *a;                 /* the assistant, with "_call" */
	struct assistant_settings set;	/* its settings (borrow from a) */
	int64_t call_id, account_id;
	struct brain *brain;
	struct tts_voice tts;      /* the assistant's voice and pace */
	char lang[3];              /* its language (ISO 639-1), "" unknown */
	int barge_in;
	const json_t *phrases;
	double started, last_activity, last_reengage;
	double max_duration, max_silence, reengage;
	int outbound, answered_by_known, end_on_voicemail;
	char digits[64];
	size_t ndigits;
	double digit_at;
	int ending;                /* a bye was posted: nothing more to do */
	int machine;               /* an answering machine took the call */
	double vm_deadline;        /* leave the message then, beep or not (0: no wait) */
	int vm_done;               /* the voicemail was handled */
	int prompting;             /* a re-engagement prompt is playing */
	uint64_t spoken_samples;
	double heard_at;           /* when the last utterance ended (unix s) */
	double stt_ms;             /* what its transcription took */
	double turn_at;            /* when the brain's turn for it started (mono s) */
	/* the brain's answer being said: in the transcript once heard (settle) */
	int collecting;
	struct said said[SAID_MAX];
	size_t nsaid;
	/* speaking from more than one thread (the turn's, the brain's delay
	 * timer, the filler timer): one at a time, in order */
	pthread_mutex_t speak_mu;
	int turn_spoke;            /* something of this turn's answer was queued */
	int fillers;               /* fillers said (the next one to pick) */
	double filler_s;           /* filler_audios: after this long (0: off) */
	/* endpoint_type "ai": a sentence left open waits for the rest */
	int text_endpoint;
	char held[1024];           /* what the caller said so far, "" when none */
	double held_until;         /* answer it then (mono s); 0 while they talk */
	double held_heard_at, held_stt_ms;
};

/* ---- speaking ---------------------------------------------------------------------- */

static void store_entry(struct conv *c, const char *sender, const char *text)
{
	if (text && *text && store_voice_transcript_add(c->call_id, sender, text, util_now()))
		log_warn("voice: call %lld: cannot store a transcript entry", (long long)c->call_id);
}

/* The first `f` (0..1) of a sentence, cut back to a word, then "...". */
static void add_cut(struct buf *out, const char *text, double f)
{
	size_t n = strlen(text), k = (size_t)(f * (double)n);

	while (k > 0 && text[k] != ' ')
		k--;
	if (!k)
		return;	/* not a whole word heard */
	if (out->len)
		buf_addch(out, ' ');
	buf_add(out, text, k);
	buf_adds(out, "...");
}

/*
 * The brain's answer goes to the transcript as the caller heard it: once
 * every sentence of it has played out, or was cut by a barge-in (the
 * sentence cut short ends in "...", what never played is left out). With
 * force, now: what is still queued counts as said (it plays on unless the
 * caller interrupts). When it was cut, the brain is told what was heard.
 */
static void settle(struct conv *c, int force)
{
	struct buf out = BUF_INIT(64 * 1024);
	int cut = 0, final;
	size_t i;

	if (!c->nsaid)
		return;
	if (!force)
		for (i = 0; i < c->nsaid; i++)
			if (voice_line_heard_until(c->line, c->said[i].flushes, &final) < c->said[i].end &&
			    !final)
				goto out;	/* still playing */
	for (i = 0; i < c->nsaid; i++) {
		struct said *s = &c->said[i];
		uint64_t h = voice_line_heard_until(c->line, s->flushes, &final);
		if (h >= s->end || !final) {
			if (out.len)
				buf_addch(&out, ' ');
			buf_adds(&out, s->text);
		} else {
			cut = 1;
			if (h > s->start)
				add_cut(&out, s->text, (double)(h - s->start) / (double)(s->end - s->start));
		}
	}
	store_entry(c, "bot", buf_str(&out));
	if (cut) {
		log_info("voice: call %lld: the caller heard only \"%s\" of the answer",
			 (long long)c->call_id, buf_str(&out));
		if (c->brain)
			brain_interrupted(c->brain, buf_str(&out));
	}
	for (i = 0; i < c->nsaid; i++)
		free(c->said[i].text);
	c->nsaid = 0;
out:
	buf_release(&out);
}

/* A transcript entry now: the answer being said goes first. */
static void transcript(struct conv *c, const char *sender, const char *text)
{
	settle(c, 1);
	store_entry(c, sender, text);
}

static int caller_speaking(struct conv *c)
{
	int s;

	pthread_mutex_lock(&c->line->mu);
	s = c->line->caller_speaking;
	pthread_mutex_unlock(&c->line->mu);
	return s;
}

/* Follow a sentence of the answer being said. A long answer's sentences
 * past SAID_MAX join the last one (judged heard or cut as one). */
static void follow(struct conv *c, const char *text, uint64_t start, uint64_t end,
		   unsigned flushes)
{
	struct said *s;

	if (c->nsaid == SAID_MAX) {
		s = &c->said[SAID_MAX - 1];
		size_t a = strlen(s->text), b = strlen(text);
		char *t = realloc(s->text, a + b + 2);
		if (!t)
			return;
		t[a] = ' ';
		memcpy(t + a + 1, text, b + 1);
		s->text = t;
		s->end = end;
		return;
	}
	s = &c->said[c->nsaid];
	if (!(s->text = strdup(text)))
		return;
	s->start = start;
	s->end = end;
	s->flushes = flushes;
	c->nsaid++;
}

/* Synthesise one sentence and queue it on the line: the samples queued, or
 * 0. Touches only the line (it has its own lock), so the delay speaker may
 * call it from the brain's timer thread. When the caller is talking and may
 * interrupt, it is not said at all, unless forced. */
static size_t utter_locked(struct conv *c, const char *text, int force, double *tts_ms)
{
	uint64_t start = 0;
	unsigned flushes = 0;
	int16_t *pcm = NULL;
	size_t n = 0;
	char err[256];
	double t0 = util_mono();

	if (!text || !*text || c->ending)
		return 0;
	if (c->barge_in && !force && caller_speaking(c))
		return 0;
	if (tts_synthesize_as(&c->tts, text, &pcm, &n, err, sizeof err)) {
		log_warn("voice: call %lld: cannot speak: %s", (long long)c->call_id, err);
		return 0;
	}
	if (tts_ms)
		*tts_ms = (util_mono() - t0) * 1000;
	if (voice_line_play(c->line, pcm, n, &start, &flushes)) {
		log_warn("voice: call %lld: the line did not take the speech", (long long)c->call_id);
		n = 0;
	} else if (c->collecting) {
		/* on the turn's thread, or the brain's timer thread while the turn waits */
		follow(c, text, start, start + n, flushes);
		c->turn_spoke = 1;
	}
	free(pcm);
	return n;
}

static size_t utter(struct conv *c, const char *text, int force, double *tts_ms)
{
	size_t n;

	pthread_mutex_lock(&c->speak_mu);
	n = utter_locked(c, text, force, tts_ms);
	pthread_mutex_unlock(&c->speak_mu);
	return n;
}

static void speak(struct conv *c, const char *text, int force)
{
	double tts_ms = 0;
	size_t n = utter(c, text, force, &tts_ms);

	if (n) {
		c->spoken_samples += n;
		if (c->heard_at > 0) {	/* the voice turn's latency and where it went */
			double model_ms = (util_mono() - c->turn_at) * 1000 - tts_ms;
			log_info("voice: call %lld: turn: answer audio queued %.0f ms after the end of "
				 "speech (speech-to-text %.0f, model to first sentence %.0f, "
				 "text-to-speech %.0f ms)", (long long)c->call_id,
				 (util_now() - c->heard_at) * 1000, c->stt_ms, model_ms, tts_ms);
			c->heard_at = 0;
		}
	}
	c->last_activity = util_mono();
}

/* The brain's delay speaker: a tool runs long while the turn waits in it
 * (brain_set_delay_speaker); called on the brain's timer thread, while this
 * conversation's thread is blocked in the turn. */
static void on_delay(void *arg, const char *sentence)
{
	struct conv *c = arg;

	if (utter(c, sentence, 0, NULL))
		log_info("voice: call %lld: a tool runs long: said its delay message",
			 (long long)c->call_id);
}

/* filler_audios: the answer is slow to come (oneshot.h, on its timer
 * thread) and nothing of it has been said yet: a short filler. */
static void on_slow_answer(void *arg)
{
	static const char *const fillers[] = { "Hmm, let me see.", "One moment.",
					       "Let me think about that." };
	struct conv *c = arg;
	size_t n = 0;

	pthread_mutex_lock(&c->speak_mu);
	if (!c->turn_spoke)
		n = utter_locked(c, fillers[c->fillers++ % (sizeof fillers / sizeof *fillers)], 0, NULL);
	pthread_mutex_unlock(&c->speak_mu);
	if (n)
		log_info("voice: call %lld: the answer is slow: said a filler", (long long)c->call_id);
}

static void say(struct conv *c, const char *text)
{
	speak(c, text, 0);
}

static void on_sentence(void *arg, const char *sentence)
{
	say(arg, sentence);
}

/* Wait until what was queued has gone out (bounded). */
static void drain(struct conv *c)
{
	double until = util_mono() + DRAIN_MAX_S;
	struct timespec ts = { 0, 20 * 1000000L };

	while (voice_line_pending(c->line) && !voice_line_is_closed(c->line) && util_mono() < until)
		nanosleep(&ts, NULL);
	ts.tv_nsec = 60 * 1000000L;	/* the last frame leaves on the next tick */
	nanosleep(&ts, NULL);
	c->last_activity = util_mono();
}

static void bye(struct conv *c, const char *status, const char *reason)
{
	if (c->ending)
		return;
	drain(c);
	c->ending = 1;
	voice_line_order(c->line, LINE_HANGUP, reason, status);
}

static void transfer(struct conv *c, const char *target)
{
	drain(c);
	voice_line_order(c->line, LINE_TRANSFER, target, NULL);
}

/* ---- the brain ------------------------------------------------------------------------- */

static void line_command(struct conv *c, struct brain_result *res)
{
	if (res->line == BRAIN_LINE_TRANSFER && res->destination[0])
		transfer(c, res->destination);
	else if (res->line == BRAIN_LINE_HANGUP)
		bye(c, "ended_by_assistant", "the assistant ended the call");
}

static void turn(struct conv *c, const char *text)
{
	struct brain_result res;

	if (!c->brain)
		return;
	memset(&res, 0, sizeof res);
	settle(c, 1);
	c->collecting = 1;
	c->turn_spoke = 0;
	struct oneshot filler;
	int armed = c->filler_s > 0 && !oneshot_start(&filler, c->filler_s, on_slow_answer, c);
	int rc = brain_turn(c->brain, text, on_sentence, c, &res);
	if (armed)
		oneshot_stop(&filler);
	c->collecting = 0;
	if (rc) {
		log_warn("voice: call %lld: the assistant could not answer: %s",
			 (long long)c->call_id, res.error);
		say(c, "I'm sorry, I did not catch that. Could you say it again?");
	} else {
		line_command(c, &res);	/* the answer is in the transcript once heard */
	}
	brain_result_release(&res);
	c->last_activity = util_mono();
}

static void greet(struct conv *c)
{
	const char *consent = getenv("SWITCHBOARD_RECORDING_CONSENT");

	if (c->set.record_call) {
		const char *s = consent && *consent ? consent : DEFAULT_CONSENT;
		say(c, s);
		transcript(c, "bot", s);
	}
	if (!c->set.ai_speaks_first)
		return;	/* the customer speaks first */
	if (c->brain) {
		struct brain_result res;
		memset(&res, 0, sizeof res);
		c->collecting = 1;
		if (brain_initial(c->brain, on_sentence, c, &res))
			log_warn("voice: call %lld: no greeting: %s", (long long)c->call_id, res.error);
		c->collecting = 0;
		brain_result_release(&res);
	} else {
		/* no model: the initial message alone, its placeholders filled by
		 * the brain's own templating */
		char *initial = brain_greeting_text(c->account_id, c->call_id);
		if (initial && *initial) {
			say(c, initial);
			transcript(c, "bot", initial);
		}
		free(initial);
	}
}

/* ---- events ---------------------------------------------------------------------------- */

/* After the beep (or when none came after a long greeting): the
 * assistant's voicemail_message, said whatever the line hears, then BYE. */
static void leave_message(struct conv *c)
{
	const char *msg = c->set.voicemail_message;

	c->vm_deadline = 0;
	if (c->vm_done || c->ending)
		return;
	c->vm_done = 1;
	voice_line_flush(c->line);	/* nothing said before goes on the recording */
	if (!msg || !*msg) {
		bye(c, "completed", "voicemail reached: no voicemail_message to leave");
		return;
	}
	log_info("voice: call %lld: leaving the voicemail message", (long long)c->call_id);
	speak(c, msg, 1);
	transcript(c, "bot", msg);
	bye(c, "completed", "voicemail message left");
}

/* An answering machine took the call (how: "beep ..." or "a long
 * greeting"). With end_call_on_voicemail hang up; otherwise leave the
 * message after the beep. */
static void voicemail(struct conv *c, const char *how, int beep)
{
	if (c->vm_done || c->ending)
		return;
	c->answered_by_known = 1;
	if (!c->machine) {
		c->machine = 1;
		store_voice_call_answered_by(c->call_id, "machine");
		log_info("voice: call %lld: answered by a machine (%s)", (long long)c->call_id, how);
	}
	if (c->end_on_voicemail) {
		c->vm_done = 1;
		voice_line_flush(c->line);
		bye(c, "completed", beep ? "voicemail reached (beep)" : "voicemail reached (long greeting)");
	} else if (beep) {
		leave_message(c);
	} else {
		c->vm_deadline = util_mono() + VM_BEEP_WAIT_S;	/* the beep should follow */
	}
}

static void detect_machine(struct conv *c, size_t samples)
{
	/* a greeting of more than ~5 s before anyone spoke to it is an
	 * answering machine's, not a person's "hello?"; the beep (VEV_BEEP)
	 * tells it whatever was said before */
	if (c->answered_by_known || !c->outbound)
		return;
	c->answered_by_known = 1;
	if (samples > 5 * 8000 && c->spoken_samples == 0)
		voicemail(c, "a long greeting", 0);
	else
		store_voice_call_answered_by(c->call_id, "human");
}

/* SWITCHBOARD_VOICE_DUMP_DIR: keep every utterance as a WAV there (to see
 * what the recogniser was given). */
static void dump(struct conv *c, const struct voice_ev *e)
{
	const char *dir = getenv("SWITCHBOARD_VOICE_DUMP_DIR");
	struct wav_writer w;
	char path[1024];

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof path, "%s/utt-%lld-%.3f.wav", dir, (long long)c->call_id, e->ts);
	if (!wav_open(&w, path, 8000, 1)) {
		wav_write(&w, e->pcm, e->n);
		wav_close(&w);
	}
}

/*
 * endpoint_type "ai": does the transcript leave the sentence open? It ends
 * in a word that needs more after it (a conjunction, preposition, article,
 * possessive, or a hesitation such as "um"), or in a comma. A text check,
 * not a model: it catches "I'd like to book a table for ..." pauses; it
 * cannot tell a finished thought from an unfinished one otherwise.
 */
static int sentence_open(const char *text)
{
	static const char *const open_words[] = {
		"and", "but", "or", "so", "because", "if", "that", "which", "when", "then",
		"to", "for", "of", "in", "on", "at", "with", "from", "about", "by",
		"a", "an", "the", "my", "your", "our", "their", "his", "her",
		"um", "uh", "er", "erm", "like", "is", "are", "was", "i", "i'm", "we", NULL
	};
	size_t n = strlen(text), k;
	char last[24];

	while (n && (text[n - 1] == ' ' || text[n - 1] == '.'))
		n--;
	if (!n)
		return 0;
	if (text[n - 1] == ',' || text[n - 1] == '-')
		return 1;
	k = n;
	while (k && text[k - 1] != ' ')
		k--;
	if (n - k >= sizeof last)
		return 0;
	for (size_t i = 0; i < n - k; i++)
		last[i] = (char)tolower((unsigned char)text[k + i]);
	last[n - k] = '\0';
	for (size_t i = 0; open_words[i]; i++)
		if (!strcmp(last, open_words[i]))
			return 1;
	return 0;
}

static void utterance(struct conv *c, struct voice_ev *e)
{
	char text[1024], err[256];
	double t0 = util_mono();

	dump(c, e);
	detect_machine(c, e->n);
	if (c->ending || c->machine)
		return;	/* nothing to answer on a machine */
	if (stt_transcribe(e->pcm, e->n, c->phrases, c->lang[0] ? c->lang : NULL, text, sizeof text,
			   err, sizeof err)) {
		log_warn("voice: call %lld: cannot transcribe: %s", (long long)c->call_id, err);
		return;
	}
	log_info("voice: call %lld: heard \"%s\" (%.1f s of speech, %.0f ms to text)",
		 (long long)c->call_id, text, (double)e->n / 8000, (util_mono() - t0) * 1000);
	c->last_activity = util_mono();
	if (!text[0])
		return;
	transcript(c, "human", text);
	if (c->held[0]) {	/* the rest of a sentence left open */
		struct buf all = BUF_INIT(2 * sizeof c->held);
		buf_adds(&all, c->held);
		buf_addch(&all, ' ');
		buf_adds(&all, text);
		snprintf(text, sizeof text, "%s", buf_str(&all));
		buf_release(&all);
		c->held[0] = '\0';
	}
	if (c->text_endpoint && sentence_open(text)) {
		snprintf(c->held, sizeof c->held, "%s", text);
		c->held_until = util_mono() + OPEN_WAIT_S;
		c->held_heard_at = e->ts;
		c->held_stt_ms = (util_mono() - t0) * 1000;
		log_info("voice: call %lld: \"%s\" sounds unfinished: waiting for the rest",
			 (long long)c->call_id, text);
		return;
	}
	c->heard_at = e->ts;
	c->stt_ms = (util_mono() - t0) * 1000;
	c->turn_at = util_mono();
	turn(c, text);
	c->heard_at = 0;
}

/* The caller said no more after an open sentence: answer what was said. */
static void held_done(struct conv *c)
{
	char text[sizeof c->held];

	snprintf(text, sizeof text, "%s", c->held);
	c->held[0] = '\0';
	c->held_until = 0;
	c->heard_at = c->held_heard_at;
	c->stt_ms = c->held_stt_ms;
	c->turn_at = util_mono();
	turn(c, text);
	c->heard_at = 0;
}

static void digits_done(struct conv *c)
{
	char text[96];

	if (!c->ndigits)
		return;
	snprintf(text, sizeof text, "[keypad] %.*s", (int)c->ndigits, c->digits);
	c->ndigits = 0;
	transcript(c, "human", text);
	c->heard_at = util_now();
	c->stt_ms = 0;
	c->turn_at = util_mono();
	turn(c, text);
	c->heard_at = 0;
}

static void digit(struct conv *c, char d)
{
	c->last_activity = util_mono();
	if (d == '#') {
		digits_done(c);
		return;
	}
	if (c->ndigits < sizeof c->digits)
		c->digits[c->ndigits++] = d;
	c->digit_at = util_mono();
}

/* ---- the thread -------------------------------------------------------------------------- */

/* The assistant's voice (voice_id from the catalog), language and
 * speech_speed, as the speech engines in use can follow them. */
static void sound_of(struct conv *c)
{
	const json_t *vid = json_object_get(c->a, "voice_id");
	const char *lang = json_string_value(json_object_get(c->a, "language"));
	char name[96] = "", provider[48] = "";

	if (json_is_integer(vid) &&
	    store_voice_catalog(json_integer_value(vid), name, sizeof name, provider, sizeof provider))
		name[0] = provider[0] = '\0';
	if (!lang || store_language_iso(lang, c->lang))
		c->lang[0] = '\0';
	tts_voice_pick(&c->tts, name[0] ? name : NULL, provider[0] ? provider : NULL,
		       c->lang[0] ? c->lang : NULL, c->set.speech_speed);
	log_info("voice: call %lld: speaking as '%s' at %.2fx (%s), language %s",
		 (long long)c->call_id, c->tts.voice[0] ? c->tts.voice : "the default voice",
		 c->tts.speed, tts_engine_name(), c->lang[0] ? c->lang : "not set");
}

static void *conv_main(void *arg)
{
	struct conv *c = arg;
	const json_t *call = json_object_get(c->a, "_call");
	char err[512] = "";

	c->call_id = json_integer_value(json_object_get(call, "call_id"));
	c->account_id = json_integer_value(json_object_get(call, "account_id"));
	c->outbound = !strcmp(json_string_value(json_object_get(call, "type")) ?
			      json_string_value(json_object_get(call, "type")) : "", "outbound");
	c->barge_in = c->set.allow_interruptions;
	c->end_on_voicemail = c->set.end_call_on_voicemail;
	if (c->set.filler_audios)
		c->filler_s = (double)util_env_i64("SWITCHBOARD_FILLER_MS", FILLER_MS, 100, 60000) / 1000;
	c->text_endpoint = c->set.ai_endpoint;
	c->phrases = c->set.expected_phrases;
	c->max_duration = c->set.max_call_duration;
	c->max_silence = c->set.max_silence_duration;
	c->reengage = c->set.re_engagement_interval;
	c->started = c->last_activity = c->last_reengage = util_mono();
	sound_of(c);
	c->brain = brain_open(c->account_id, c->call_id, err, sizeof err);
	if (!c->brain)	/* the call goes on: greeting, transcript, timers */
		log_warn("voice: call %lld: no assistant brain: %s", (long long)c->call_id, err);
	else
		brain_set_delay_speaker(c->brain, (double)util_env_i64("SWITCHBOARD_TOOL_DELAY_MS",
			TOOL_DELAY_MS, 0, 600000) / 1000, on_delay, c);
	greet(c);
	while (!c->ending) {
		double now = util_mono(), wake;
		int playing = voice_line_pending(c->line) > 0, talking = caller_speaking(c);
		struct voice_ev *e;

		if (!playing)
			c->prompting = 0;
		settle(c, 0);
		/* silence counts from the last sound, but "are you still there?"
		 * does not restart it */
		if ((playing && !c->prompting) || talking)
			c->last_activity = now;
		if (c->vm_deadline > 0 && now >= c->vm_deadline) {
			log_info("voice: call %lld: no beep after the greeting", (long long)c->call_id);
			leave_message(c);
			continue;
		}
		if (now - c->started >= c->max_duration) {
			say(c, TIME_UP);
			transcript(c, "bot", TIME_UP);
			bye(c, "completed", "the call reached its max_call_duration");
			break;
		}
		if (now - c->last_activity >= c->max_silence && !c->vm_deadline) {
			bye(c, "completed", "nobody spoke for max_silence_duration");
			break;
		}
		if (c->reengage < c->max_silence && now - c->last_activity >= c->reengage &&
		    c->last_reengage < c->last_activity && !c->machine) {
			double keep = c->last_activity;
			c->last_reengage = now;
			say(c, STILL_THERE);
			c->last_activity = keep;
			c->prompting = 1;
			transcript(c, "bot", STILL_THERE);
			continue;
		}
		if (c->ndigits && now - c->digit_at >= DTMF_GAP_S) {
			digits_done(c);
			continue;
		}
		/* the caller went on but nothing came of it (a cough, keypad
		 * tones, nothing understood): the open sentence waits again */
		if (c->held[0] && !c->held_until && !talking)
			c->held_until = now + OPEN_WAIT_S;
		if (c->held[0] && c->held_until > 0 && now >= c->held_until) {
			held_done(c);
			continue;
		}
		wake = c->started + c->max_duration;
		if (!c->vm_deadline && c->last_activity + c->max_silence < wake)
			wake = c->last_activity + c->max_silence;
		if (c->reengage < c->max_silence && c->last_reengage < c->last_activity &&
		    !c->machine && c->last_activity + c->reengage < wake)
			wake = c->last_activity + c->reengage;
		if (c->ndigits && c->digit_at + DTMF_GAP_S < wake)
			wake = c->digit_at + DTMF_GAP_S;
		if (c->held[0] && c->held_until > 0 && c->held_until < wake)
			wake = c->held_until;
		if (c->vm_deadline > 0 && c->vm_deadline < wake)
			wake = c->vm_deadline;
		if (playing || talking)
			wake = now + 0.1;	/* keep the silence clock current */
		e = voice_line_next(c->line, wake);
		if (!e)
			continue;
		switch (e->type) {
		case VEV_CLOSED:
			c->ending = 1;
			break;
		case VEV_SPEECH_START:
			c->last_activity = util_mono();
			c->prompting = 0;
			if (c->held[0])
				c->held_until = 0;	/* they go on: wait for it */
			break;
		case VEV_UTTERANCE:
			utterance(c, e);
			break;
		case VEV_DTMF:
			digit(c, e->text[0]);
			break;
		case VEV_HANGUP:
			bye(c, "ended_by_assistant", "the assistant ended the call");
			break;
		case VEV_TRANSFER:
			transfer(c, e->text);
			break;
		case VEV_BEEP:
			if (c->outbound) {
				char how[300];
				snprintf(how, sizeof how, "beep, %s", e->text);
				voicemail(c, how, 1);
			}
			break;
		case VEV_TRANSFER_FAILED:
			say(c, TRANSFER_FAILED_SAY);
			transcript(c, "bot", TRANSFER_FAILED_SAY);
			break;
		}
		voice_ev_free(e);
	}
	settle(c, 1);
	if (c->brain)
		brain_close(c->brain);
	brain_after_call_queue(c->call_id);
	voice_line_unref(c->line);
	json_decref(c->a);
	pthread_mutex_destroy(&c->speak_mu);
	free(c);
	store_thread_release();
	pthread_mutex_lock(&threads_mu);
	threads_live--;
	pthread_cond_broadcast(&threads_cv);
	pthread_mutex_unlock(&threads_mu);
	return NULL;
}

int voice_conv_start(struct voice_line *line, json_t *assistant,
		     const struct assistant_settings *settings)
{
	struct conv *c = calloc(1, sizeof(*c));
	pthread_attr_t at;
	pthread_t th;
	int r;

	if (!c)
		return -1;
	c->line = line;
	c->a = assistant;
	c->set = *settings;
	pthread_mutex_init(&c->speak_mu, NULL);
	voice_line_ref(line);
	pthread_mutex_lock(&threads_mu);
	threads_live++;
	pthread_mutex_unlock(&threads_mu);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&th, &at, conv_main, c);
	pthread_attr_destroy(&at);
	if (r) {
		voice_line_unref(line);
		pthread_mutex_destroy(&c->speak_mu);
		free(c);
		pthread_mutex_lock(&threads_mu);
		threads_live--;
		pthread_mutex_unlock(&threads_mu);
		return -1;
	}
	return 0;
}

void voice_conv_wait_all(double timeout_s)
{
	double until = util_mono() + timeout_s;

	pthread_mutex_lock(&threads_mu);
	while (threads_live > 0 && util_mono() < until) {
		struct timespec ts;	/* each thread's end broadcasts */
		util_deadline(&ts, CLOCK_REALTIME, until - util_mono());
		pthread_cond_timedwait(&threads_cv, &threads_mu, &ts);
	}
	if (threads_live > 0)
		log_warn("voice: %d conversation(s) still running at shutdown", threads_live);
	pthread_mutex_unlock(&threads_mu);
}
