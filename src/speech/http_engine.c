/* http_engine.c - POST for the HTTP speech engines (see http_engine.h), on
 * the outbound executor (outbound/http_exec.h). */
#include <stdio.h>
#include <string.h>
#include "outbound/http_exec.h"
#include "speech/http_engine.h"

struct sink {
	struct buf *b;
	int toobig;
};

static int on_body(const char *p, size_t n, const struct http_exec_head *head, void *arg)
{
	struct sink *s = arg;

	(void)head;
	if (buf_add(s->b, p, n)) {
		s->toobig = 1;
		return -1;
	}
	return 0;
}

int speech_http_post(const char *url, const char *key, const char *json,
		     const uint8_t *wav, size_t wavlen, const char *model, const char *language,
		     struct buf *out, char *err, size_t errlen)
{
	struct sink s = { out, 0 };
	struct http_exec_part parts[4];
	struct http_exec_req rq;
	struct http_exec_res res;
	const char *hdrs[3] = { NULL, NULL, NULL };
	char auth[600];
	size_t nh = 0;
	int r = -1;

	memset(&rq, 0, sizeof(rq));
	memset(parts, 0, sizeof(parts));
	http_exec_res_init(&res);
	rq.url = url;
	rq.user_agent = "switchboard-speech/1";
	rq.connect_timeout_ms = 3000L;
	rq.timeout_ms = 15000L;
	rq.max_response = out->limit > out->len ? out->limit - out->len : 0;
	rq.env_proxy = 1;          /* the engines are the operator's: no guard */
	rq.on_body = on_body;
	rq.arg = &s;
	if (key && *key) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
		hdrs[nh++] = auth;
	}
	if (json) {
		hdrs[nh++] = "Content-Type: application/json";
		rq.body = json;
		rq.body_len = strlen(json);
	} else {
		parts[0] = (struct http_exec_part){ "file", "utterance.wav", "audio/wav",
						    (const char *)wav, wavlen };
		parts[1] = (struct http_exec_part){ "model", NULL, NULL, model, model ? strlen(model) : 0 };
		parts[2] = (struct http_exec_part){ "response_format", NULL, NULL, "json", 4 };
		rq.nform = 3;
		if (language && *language)
			parts[rq.nform++] = (struct http_exec_part){ "language", NULL, NULL, language,
								    strlen(language) };
		rq.form = parts;
	}
	rq.headers = nh ? hdrs : NULL;
	http_exec_once(&rq, &res);
	if (res.err == HTTP_EXEC_INTERNAL)
		snprintf(err, errlen, "out of memory");
	else if (s.toobig || res.err == HTTP_EXEC_TOO_LARGE)
		snprintf(err, errlen, "the speech engine's answer is too large");
	else if (res.err != HTTP_EXEC_OK)
		snprintf(err, errlen, "the speech engine cannot be reached: %s", res.detail);
	else if (res.status < 200 || res.status > 299)
		snprintf(err, errlen, "the speech engine answered HTTP %ld", res.status);
	else
		r = 0;
	http_exec_res_release(&res);
	return r;
}
