/*
 * speech.h - text to speech and speech to text for calls, each behind one
 * interface with a local engine and an HTTP engine.
 *
 * TTS: text -> 8 kHz 16-bit mono PCM (what G.711 carries).
 *   espeak (default): espeak-ng in this process (22050 Hz, resampled with
 *     speexdsp); espeak-ng has global state, so syntheses are serialised
 *     behind one mutex (it runs ~1000x faster than real time).
 *   http: POST {SWITCHBOARD_TTS_URL}/audio/speech, the OpenAI-compatible
 *     wire format {model, input, voice, response_format: "wav"}; the WAV
 *     (any rate, 16-bit) is resampled to 8 kHz.
 *   Settings: SWITCHBOARD_TTS (espeak|http), SWITCHBOARD_TTS_URL (base, e.g.
 *   http://127.0.0.1:8000/v1), SWITCHBOARD_TTS_MODEL [tts-1],
 *   SWITCHBOARD_TTS_VOICE [espeak: en-us, http: alloy], SWITCHBOARD_TTS_KEY.
 *
 * STT: one end-pointed utterance of 8 kHz PCM -> text.
 *   sphinx (default): pocketsphinx with the US English model, audio
 *     resampled to 16 kHz; a pool of SWITCHBOARD_STT_POOL [2] decoders,
 *     each warmed with synthesised speech before its first caller (a cold
 *     decoder hears nothing in its first utterance). With expected phrases
 *     (the assistant's expected_phrases) a JSGF grammar of them is used
 *     (accurate on telephone audio); otherwise the general language model
 *     (loaded on first need; weak on telephone audio - use http).
 *   http: POST {SWITCHBOARD_STT_URL}/audio/transcriptions, multipart with
 *     the utterance as a WAV file and model [whisper-1]; answer {text}.
 *   none: nothing is transcribed (calls still run, say what they must).
 *   Settings: SWITCHBOARD_STT (sphinx|http|none), SWITCHBOARD_STT_URL,
 *   SWITCHBOARD_STT_MODEL, SWITCHBOARD_STT_KEY, SWITCHBOARD_STT_POOL,
 *   SWITCHBOARD_SPHINX_MODEL (model directory).
 *
 * HTTP engines: connect timeout 3 s, whole request 15 s, answers bounded
 * (TTS 16 MiB, STT 64 KiB). Functions are thread-safe and block.
 */
#ifndef SPEECH_H
#define SPEECH_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* ---- text to speech --------------------------------------------------- */

/* 0 with *pcm (caller frees) and *n samples at 8 kHz; -1 with err. */
int tts_synthesize(const char *text, int16_t **pcm, size_t *n, char *err, size_t errlen);
/* How one assistant sounds: a voice of the engine in use ("" = the
 * engine's default, SWITCHBOARD_TTS_VOICE) and a pace (1.0 = normal). */
struct tts_voice {
	char voice[64];
	double speed;
};
int tts_synthesize_as(const struct tts_voice *tv, const char *text, int16_t **pcm, size_t *n,
		      char *err, size_t errlen);
/* The voice for an assistant: its catalog voice (name, provider) when the
 * engine in use can speak it (espeak-ng voices for espeak - "de (espeak-ng)"
 * is "de" -, openai-compatible ones for http, sent as `voice` with `speed`
 * when not 1.0); else, for espeak, the voice of its language (ISO 639-1
 * `lang`, "en" is en-us); else the default. speed is speech_speed. */
void tts_voice_pick(struct tts_voice *tv, const char *name, const char *provider,
		    const char *lang, double speed);
const char *tts_engine_name(void);

/* ---- speech to text --------------------------------------------------- */

/* Text of an utterance into out ("" when nothing was understood); 0, or
 * -1 with err. phrases: a JSON array of strings, or NULL. lang: the
 * speaker's language (ISO 639-1) or NULL; the HTTP engine sends it as
 * `language`, pocketsphinx has the US English model only. */
int stt_transcribe(const int16_t *pcm, size_t n, const json_t *phrases, const char *lang,
		   char *out, size_t outlen, char *err, size_t errlen);
const char *stt_engine_name(void);
/* Warm the local decoders in the background (no-op for other engines). */
void stt_prewarm(void);
/* Free the decoders (at exit, once no call is left). */
void stt_shutdown(void);

/* ---- shared ------------------------------------------------------------ */

/* Resample 16-bit mono PCM; *out (caller frees) and *nout. 0 or -1. */
int speech_resample(const int16_t *in, size_t n, uint32_t rin, uint32_t rout,
		    int16_t **out, size_t *nout);
/* The JSGF grammar for phrases: lowercase words, punctuation dropped,
 * duplicates removed; NULL when no phrase is left. Caller frees. */
char *stt_grammar(const json_t *phrases);

#endif
