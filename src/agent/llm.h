/*
 * llm.h - a client for OpenAI-compatible chat-completions servers (llama.cpp's
 * server, vLLM, Ollama, LiteLLM, hosted providers) on libcurl.
 *
 * Models. A model name resolves to a provider (base URL, key) in this order:
 *   1. a row of the models catalog with its own base_url (api_key sealed at
 *      rest with secret.h), which `switchboard model add` writes (cli/models.c);
 *   2. the default provider from the environment: SWITCHBOARD_LLM_URL (the
 *      base URL, e.g. http://127.0.0.1:8081/v1), SWITCHBOARD_LLM_KEY
 *      (optional) and SWITCHBOARD_LLM_MODEL. With SWITCHBOARD_LLM_MODEL set,
 *      the default provider serves that model only (and it is the model of
 *      assistants that name none); without it, it serves every catalog model
 *      that has no base_url of its own, under its catalog name (a gateway).
 * Anything else is not configured: llm_resolve fails with LLM_HOWTO, never
 * a stand-in model or a canned reply.
 *
 * Requests. POST {base}/chat/completions with {model, messages, tools,
 * tool_choice, temperature, stream, response_format, max_tokens}. Streamed
 * answers (SSE `data:` events up to `[DONE]`) are assembled as they arrive:
 * content deltas are appended and cut into sentences for the sentence
 * callback (so speech can start on the first one); tool_calls deltas are
 * assembled by their index. A server that answers a streamed request with a
 * plain JSON completion is understood too.
 *
 * Limits and failures (environment, read once; defaults in brackets):
 * SWITCHBOARD_LLM_CONNECT_TIMEOUT_MS [5000], SWITCHBOARD_LLM_TIMEOUT_MS
 * [30000] for the whole exchange, SWITCHBOARD_LLM_TRIES [3] on HTTP 429/5xx
 * and failed connections (never once a sentence went out, never after a
 * timeout), SWITCHBOARD_LLM_BACKOFF_MS [500] doubling per try,
 * SWITCHBOARD_LLM_RETRY_CAP_MS [10000] (also caps Retry-After),
 * SWITCHBOARD_LLM_MAX_RESPONSE [1 MiB] bytes read; content is capped at
 * LLM_MAX_CONTENT, tool calls at LLM_MAX_CALLS with LLM_MAX_ARGS bytes of
 * arguments each. Errors are one lowercase sentence naming the model (not
 * the URL or key), fit for a tool's isError.
 *
 * Ownership: requests are borrowed; an llm_response owns its strings until
 * llm_response_release(). Everything is thread-safe once the configuration
 * has been read (first use, pthread_once).
 */
#ifndef LLM_H
#define LLM_H

#include <stddef.h>
#include <jansson.h>
#include "base/buf.h"

#define LLM_MAX_CONTENT (64 * 1024)
#define LLM_MAX_CALLS 16
#define LLM_MAX_ARGS (16 * 1024)
#define LLM_MAX_SENTENCE 2048

#define LLM_HOWTO "the operator configures an OpenAI-compatible model server with " \
	"SWITCHBOARD_LLM_URL (e.g. http://127.0.0.1:8081/v1), SWITCHBOARD_LLM_MODEL and " \
	"SWITCHBOARD_LLM_KEY, or adds one to the catalog with 'switchboard model add', " \
	"and restarts the server"

/* ---- configuration ------------------------------------------------------ */

struct llm_config {
	char url[1024], key[512], model[128];   /* the default provider */
	long connect_timeout_ms, timeout_ms;
	int tries;
	long backoff_ms, retry_cap_ms;
	size_t max_response;
	int max_tool_rounds;                    /* SWITCHBOARD_LLM_MAX_TOOL_ROUNDS [5] */
	int max_tokens;                         /* SWITCHBOARD_LLM_MAX_TOKENS [0: not sent] */
};
const struct llm_config *llm_config(void);

struct llm_model {
	char name[128];        /* sent as "model" */
	char base_url[1024];   /* without the trailing /chat/completions */
	char api_key[512];     /* "" = no Authorization header */
	int own;               /* 1: the catalog row's provider, 0: the default */
};

/* Resolve `name` (NULL or "" = the default model). 0, or -1 with a reason in
 * err ("no language model is configured: <LLM_HOWTO>", "model 'x' is not
 * configured on this server: ..."). Opens sealed keys. */
int llm_resolve(const char *name, struct llm_model *out, char *err, size_t errlen);
void llm_model_wipe(struct llm_model *m);   /* zero the key */
/* 1 when llm_resolve would succeed for this catalog name (no key opened). */
int llm_usable(const char *name);

/* ---- sentences ------------------------------------------------------------ */

/* Called with each complete sentence (trimmed, NUL-terminated). */
typedef void (*llm_sentence_fn)(void *arg, const char *sentence);

/*
 * Cut streamed text into sentences: a sentence ends at . ! ? or an
 * ellipsis followed by white space (closing quotes and brackets stay with
 * it), or at a line break. A period after a single letter, a number or a
 * common abbreviation (Mr, Dr, e.g., etc., ...) does not end one. Text that
 * has not reached an end waits for more, or for llm_sentences_flush. A
 * sentence longer than LLM_MAX_SENTENCE bytes is emitted at a space.
 */
struct llm_sentences {
	struct buf pending;
	llm_sentence_fn cb;
	void *arg;
	size_t emitted;        /* sentences delivered */
};
void llm_sentences_init(struct llm_sentences *s, llm_sentence_fn cb, void *arg);
int llm_sentences_add(struct llm_sentences *s, const char *text, size_t n);
void llm_sentences_flush(struct llm_sentences *s);
void llm_sentences_release(struct llm_sentences *s);

/* ---- answers ----------------------------------------------------------------- */

struct llm_tool_call {
	char id[96];
	char name[96];
	struct buf args;       /* JSON text as the model wrote it */
};

struct llm_response {
	char *content;                         /* never NULL after success */
	struct llm_tool_call calls[LLM_MAX_CALLS];
	size_t ncalls;
	char finish_reason[32];
	int http_status;
	int tries;
	size_t sentences;                      /* delivered to the callback */
};
void llm_response_release(struct llm_response *r);

/*
 * The SSE decoder, exposed for tests: feed the body in chunks of any size,
 * then finish. Deltas of content go to the sentence splitter as they come.
 */
struct llm_stream {
	struct buf line;       /* the line being read */
	struct buf data;       /* data: lines of the current event */
	struct buf content;
	struct llm_tool_call calls[LLM_MAX_CALLS];
	size_t ncalls;
	struct llm_sentences sent;
	char finish_reason[32];
	int done;              /* [DONE] seen */
	int failed;            /* error holds why */
	char error[256];
};
void llm_stream_init(struct llm_stream *st, llm_sentence_fn cb, void *arg);
/* 0, or -1 once the stream is broken (st->error says why). */
int llm_stream_feed(struct llm_stream *st, const char *p, size_t n);
/* End of body: flush sentences, move the result into r. 0, or -1 with
 * st->error set (garbage, cut off, nothing in it). */
int llm_stream_finish(struct llm_stream *st, struct llm_response *r);
void llm_stream_release(struct llm_stream *st);

/* A complete (non-streamed) completion document into r; 0 or -1 with err. */
int llm_parse_completion(const char *body, size_t len, struct llm_response *r,
			 char *err, size_t errlen);

/* ---- requests ---------------------------------------------------------------- */

struct llm_request {
	const json_t *messages;          /* OpenAI messages array */
	const json_t *tools;             /* OpenAI tools array, or NULL */
	const char *tool_choice;         /* "auto", "none", or NULL (not sent) */
	double temperature;              /* < 0: not sent */
	const json_t *response_format;   /* or NULL */
	int stream;
};

/*
 * One chat completion. r is always initialised (release it). Returns 0 when
 * the model answered with content or tool calls; -1 with a sentence in err;
 * *status_out (if not NULL) gets the last HTTP status (0 = none), which tells
 * a caller whether a fallback (e.g. without response_format) makes sense.
 */
int llm_chat(const struct llm_model *m, const struct llm_request *rq,
	     llm_sentence_fn cb, void *arg, struct llm_response *r,
	     char *err, size_t errlen);

#endif
