/*
 * conv.h - the conversation on a live call: one thread per answered call.
 *
 * It reads the assistant's settings (who speaks first, initial message,
 * allow_interruptions, max_call_duration, max_silence_duration,
 * re_engagement_interval, expected_phrases), turns the caller's
 * utterances into text (speech/stt.h), asks the assistant's brain for
 * the answer, speaks it (speech/tts.h) sentence by sentence into the
 * line's playout, stores transcript entries as it goes, and carries out
 * hang-ups and transfers in order: what is being said is said to the
 * end first. On outbound calls it tells an answering machine (its beep,
 * VEV_BEEP from the loop, or a greeting longer than 5 s before the
 * assistant spoke): answered_by becomes machine, and the call either ends
 * (end_call_on_voicemail) or gets the assistant's voicemail_message after
 * the beep, then BYE. While the brain runs a slow tool, the tool's delay
 * message is said from the brain's timer thread (SWITCHBOARD_TOOL_DELAY_MS,
 * brain_set_delay_speaker); the call's timers wait for the turn. It talks
 * to the SIP loop only through its voice_line (events in, orders out:
 * voice_line_order).
 */
#ifndef VOICE_CONV_H
#define VOICE_CONV_H

#include <jansson.h>

struct voice_line;
struct assistant_settings;

/* Start the conversation thread. Takes a reference on line (released when
 * the thread ends) and ownership of assistant (store_voice_call_assistant
 * output); settings are the assistant's, parsed from it by the caller
 * (copied; their texts borrow from assistant, which the thread keeps).
 * 0, or -1 when no thread could be started (nothing is taken). */
int voice_conv_start(struct voice_line *line, json_t *assistant,
		     const struct assistant_settings *settings);
/* Wait until every conversation thread has ended, at most timeout_s. */
void voice_conv_wait_all(double timeout_s);

#endif
