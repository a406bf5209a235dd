/*
 * brain.h - the assistant brain: the model loop behind a call or a chat.
 * Text in, text and actions out; the voice runtime and the conversation
 * tools (tools/conversations.c) drive it the same way.
 *
 * A brain is opened on a call row (a phone call, or the "web" call a chat
 * conversation runs on) and holds that call's dialogue in memory:
 *
 *   struct brain *b = brain_open(account_id, call_id, err, sizeof(err));
 *   brain_initial(b, on_sentence, arg, &res);    // greeting, if it speaks first
 *   ... per caller utterance:
 *   brain_turn(b, "I'd like to book a table", on_sentence, arg, &res);
 *   ... speak res.reply (already streamed sentence by sentence), carry out
 *   res.line (BRAIN_LINE_TRANSFER to res.destination, BRAIN_LINE_HANGUP)
 *   brain_close(b);
 *   brain_after_call(call_id);                   // or brain_after_call_queue
 *
 * What the model sees. The system prompt is the assistant's system_prompt
 * with its variables filled in: {name} and {{name}} take, in this order of
 * precedence, the system variables (customer_phone, assistant_phone,
 * assistant_id, assistant_name, call_id, current_date, current_time in the
 * assistant's timezone), the call's (or conversation's) variables and the
 * assistant's default variables; an unknown placeholder stays as written.
 * The initial message is templated the same way and, when who_speaks_first
 * is "AI assistant", is the first assistant message (said without asking
 * the model); with no initial message the model opens the conversation.
 * Temperature: the assistant's llm_temperature. Model: its llm_model (or
 * the default, llm.h); with no usable model brain_open fails saying how to
 * configure one.
 *
 * Tools. The assistant's in-call tools (the global ones; hangup_call only
 * when end_call_tool is on; and its custom mid-call tools) are offered as
 * functions. Every call the model makes runs through tool_call() on an
 * internal SURFACE_INCALL session bound to the call (AUTH_SCOPE_INCALL of
 * the call's account), exactly as /call/mcp would run it: schema
 * validation, the decision log with repeat protection, audit. The result
 * goes back to the model as a tool message: the structured result as JSON,
 * or for a failure {"error": message, "instruction": ...} - never an
 * upstream error body. At most SWITCHBOARD_LLM_MAX_TOOL_ROUNDS (default 5)
 * rounds of tool calls per turn; when the model wants more, it is asked
 * once more with tool_choice "none" and a note to answer with what it has
 * (res.rounds_exhausted = 1).
 *
 * Line commands and escalation. A successful transfer_call / hangup_call
 * (or a custom transfer tool) ends the turn at once: res.line says what the
 * runtime must do. Human handoff: when the assistant has fallback_number
 * set (E.164 or an extension), the model is told it may transfer there
 * when the caller asks for a person; and after handoff_after_tool_failures
 * consecutive failed tool calls (default 3, 0 = off) the brain transfers
 * there itself (through transfer_call, so it is logged) and says so
 * (res.escalated = 1). Without a fallback number the model is told not to
 * retry and to offer another way.
 *
 * Errors: a turn whose model request fails returns -1 with res.error set
 * (timeout, refusal, garbage: llm.h); nothing is invented in its place, and
 * the failed turn leaves the history as it was, so the caller may retry.
 *
 * Threads: one brain per call or conversation, used by one thread at a
 * time; different brains run in parallel. Every function may block on the
 * network for up to the model timeout (plus tool timeouts).
 */
#ifndef BRAIN_H
#define BRAIN_H

#include <stdint.h>
#include <stddef.h>
#include <jansson.h>
#include "agent/llm.h"

struct brain;

enum brain_line {
	BRAIN_LINE_NONE = 0,
	BRAIN_LINE_TRANSFER,    /* destination holds the number or extension */
	BRAIN_LINE_HANGUP,
};

struct brain_result {
	char *reply;             /* the assistant's text this turn ("" when none); owned */
	json_t *function_calls;  /* [{name, arguments, result, is_error}] executed; owned */
	enum brain_line line;
	char destination[64];
	int escalated;           /* the brain handed off after tool failures */
	int rounds_exhausted;    /* the tool-round bound was reached */
	int model_requests;      /* chat completions made this turn */
	char error[512];         /* why the turn failed (-1) */
};
void brain_result_release(struct brain_result *r);

/* Open a brain on the call (account-scoped). NULL with a reason in err:
 * unknown call or assistant, no usable model (says how to configure one). */
struct brain *brain_open(int64_t account_id, int64_t call_id, char *err, size_t errlen);
/* Replace the dialogue with stored messages [{role: user|assistant, content,
 * function_calls[]}] (a chat conversation resumed by a new request). */
int brain_restore(struct brain *b, const json_t *messages);
/* The assistant's initial_message for the call with its placeholders filled
 * as brain_initial fills them ({{customer_name}}, the call's and the
 * assistant's variables, system variables), for a call no model serves:
 * a new string, or NULL when there is none. */
char *brain_greeting_text(int64_t account_id, int64_t call_id);
/* The greeting: res.reply is the initial message (templated), or the
 * model's opening when there is none; "" when the customer speaks first. */
int brain_initial(struct brain *b, llm_sentence_fn cb, void *arg, struct brain_result *res);
/* One user utterance -> the assistant's reply, tool calls and line command.
 * 0, or -1 with res->error. cb (may be NULL) gets each sentence as soon as
 * the model has written it. */
int brain_turn(struct brain *b, const char *user_text, llm_sentence_fn cb, void *arg,
	       struct brain_result *res);
/* Voice lines: while a tool runs, the line must not go quiet. When the
 * model calls a tool without saying anything, the tool's say_start (the
 * table row's, or a custom tool's settings.say_start) goes to the sentence
 * callback first. With a delay speaker set, a tool that has a say_delay
 * and is still running after delay_s seconds has it handed to cb - once,
 * from a timer thread (so cb must be safe to call while the turn's thread
 * waits in the tool); the turn continues only after cb returned. Both
 * messages become part of res.reply. */
void brain_set_delay_speaker(struct brain *b, double delay_s, llm_sentence_fn cb, void *arg);
/* Voice lines: the caller cut the last answer short and heard only `heard`
 * ("" for nothing): the model is told so before its next turn. */
void brain_interrupted(struct brain *b, const char *heard);
/* The templated system prompt in use (for tests and logs; owned by b). */
const char *brain_system_prompt(const struct brain *b);
int64_t brain_call_id(const struct brain *b);
void brain_close(struct brain *b);

/*
 * After a call or conversation: a short summary and, when the assistant has
 * post_call_evaluation on, its post_call_schema fields (string, number,
 * bool) extracted with structured output (response_format json_schema; a
 * server that refuses it is asked again for plain JSON). Every field is
 * checked against its type (schema.h): a wrong type is recorded in the
 * evaluation as {value: null, valid: false, error} and left out of the
 * extracted variables. Stored on the call (store_call_outcome_set) and on
 * its conversation. 0, or -1 (logged; nothing stored) when there is nothing
 * to evaluate or no model.
 */
int brain_after_call(int64_t call_id);
/* The same on the brain's worker thread (returns at once; 0 when queued). */
int brain_after_call_queue(int64_t call_id);

/* Start / stop the worker (after-call queue, ends idle conversations after
 * SWITCHBOARD_CONVERSATION_IDLE_S seconds, default 1800) and register the
 * default model in the catalog (SWITCHBOARD_LLM_MODEL). */
int brain_start(void);
void brain_stop(void);
/* End a conversation: status ended, its call ended with `call_status`, the
 * post-call work queued. 0, or STORE_NOTFOUND when it had ended. */
int brain_conversation_end(int64_t conversation_id, const char *call_status,
			   const char *reason);
double brain_conversation_idle_s(void);

#endif
