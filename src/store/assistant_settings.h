/*
 * assistant_settings.h - an assistant's settings: every knob, its kind and
 * its default in one list, and the typed struct the call runtime reads.
 *
 * The stored assistant keeps its settings as one JSON document. This list
 * is the only place their defaults live: a store backend shows every
 * declared ("shown") setting in an assistant's JSON, with its default when
 * unset (assistant_settings_fill), and refuses a value of the wrong kind on
 * write (assistant_settings_kind_ok); ranges are the tool layer's job (the
 * input schema). A few settings are read but not shown when unset (shown 0:
 * voicemail_message, expected_phrases, fallback_number,
 * handoff_after_tool_failures), so the assistant JSON stays as it was.
 *
 * The consumers (the SIP user agent, the conversation, the brain, the
 * webhook sender, the spend previews) never read a setting by its key: they
 * parse the assistant once where they load it (assistant_settings_parse)
 * and read the struct. A value of the wrong kind counts as unset.
 *
 * Ownership: the struct borrows. Its text and JSON members point into the
 * assistant document it was parsed from (or at static defaults) and are
 * valid while that document is; nothing in it is freed. Pure functions on
 * the caller's data: any thread.
 */
#ifndef ASSISTANT_SETTINGS_H
#define ASSISTANT_SETTINGS_H

#include <jansson.h>

/* X(key, kind, default number, default text, shown). Kinds and their C types:
 * BOOL int (0/1), INT int, NUM double, STR const char * (default text, may be
 * NULL), OBJ and ARR json_t * (borrowed; NULL when unset: {} and [] are shown),
 * ONOFF int: any JSON value, on unless it is false (default number). The
 * order is the order of the keys in an assistant's JSON. */
#define ASSISTANT_SETTINGS(X) \
	X(variables,                      OBJ,   0,    NULL,           1) \
	X(post_call_schema,               ARR,   0,    NULL,           1) \
	X(endpoint_type,                  STR,   0,    "vad",          1) \
	X(endpoint_sensitivity,           NUM,   3,    NULL,           1) \
	X(interrupt_sensitivity,          NUM,   3,    NULL,           1) \
	X(ambient_sound_volume,           NUM,   0,    NULL,           1) \
	X(post_call_evaluation,           BOOL,  0,    NULL,           1) \
	X(send_webhook_only_on_completed, BOOL,  0,    NULL,           1) \
	X(include_recording_in_webhook,   BOOL,  0,    NULL,           1) \
	X(is_webhook_active,              BOOL,  0,    NULL,           1) \
	X(use_min_interrupt_words,        BOOL,  0,    NULL,           1) \
	X(min_interrupt_words,            INT,   2,    NULL,           1) \
	X(end_call_tool,                  ONOFF, 1,    NULL,           1) \
	X(llm_temperature,                NUM,   0.7,  NULL,           1) \
	X(voice_stability,                NUM,   0.5,  NULL,           1) \
	X(voice_similarity,               NUM,   0.75, NULL,           1) \
	X(speech_speed,                   NUM,   1.0,  NULL,           1) \
	X(allow_interruptions,            BOOL,  1,    NULL,           1) \
	X(filler_audios,                  BOOL,  0,    NULL,           1) \
	X(re_engagement_interval,         INT,   30,   NULL,           1) \
	X(max_call_duration,              INT,   600,  NULL,           1) \
	X(max_silence_duration,           INT,   30,   NULL,           1) \
	X(end_call_on_voicemail,          BOOL,  1,    NULL,           1) \
	X(noise_cancellation,             BOOL,  0,    NULL,           1) \
	X(record_call,                    BOOL,  0,    NULL,           1) \
	X(who_speaks_first,               STR,   0,    "AI assistant", 1) \
	X(voicemail_message,              STR,   0,    NULL,           0) \
	X(expected_phrases,               ARR,   0,    NULL,           0) \
	X(fallback_number,                STR,   0,    "",             0) \
	X(handoff_after_tool_failures,    INT,   3,    NULL,           0)

#define ASSISTANT_SETTING_TYPE_BOOL  int
#define ASSISTANT_SETTING_TYPE_INT   int
#define ASSISTANT_SETTING_TYPE_NUM   double
#define ASSISTANT_SETTING_TYPE_STR   const char *
#define ASSISTANT_SETTING_TYPE_OBJ   json_t *
#define ASSISTANT_SETTING_TYPE_ARR   json_t *
#define ASSISTANT_SETTING_TYPE_ONOFF int

struct assistant_settings {
#define ASSISTANT_SETTING_FIELD(key, kind, num, text, shown) ASSISTANT_SETTING_TYPE_##kind key;
	ASSISTANT_SETTINGS(ASSISTANT_SETTING_FIELD)
#undef ASSISTANT_SETTING_FIELD
	/* derived from the text settings above */
	int ai_speaks_first;    /* who_speaks_first is not "Customer" */
	int ai_endpoint;        /* endpoint_type "ai": the end of a turn is judged on the text */
};

/* ---- the typed view (the call runtime) ------------------------------------------- */

/* Fill s from an assistant's JSON (the store's assistant object, or any
 * object holding settings at its top level; NULL = all defaults). */
void assistant_settings_parse(const json_t *assistant, struct assistant_settings *s);
/* The minutes a call may be billed at most: max_call_duration rounded up. */
int assistant_settings_max_minutes(const struct assistant_settings *s);

/* ---- the stored document (store backends) ----------------------------------------- */

/* Set every shown setting on out: the stored value, or a new default. */
void assistant_settings_fill(json_t *out, const json_t *stored);
/* 1 when v has the kind of setting `key` or key is not a shown setting
 * (undeclared settings are kept as they come); 0 otherwise. */
int assistant_settings_kind_ok(const char *key, const json_t *v);

#endif
