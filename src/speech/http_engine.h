/*
 * http_engine.h - the one HTTP request the speech engines make (through the
 * outbound executor, outbound/http_exec.h; no netguard, proxies from the
 * environment, as the engines are the operator's):
 * POST with a JSON body or a multipart form, bounded answer, fixed
 * timeouts (connect 3 s, total 15 s). Internal to src/speech/.
 */
#ifndef SPEECH_HTTP_ENGINE_H
#define SPEECH_HTTP_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

/* POST url. json != NULL: a JSON body; else a multipart form with the WAV
 * (file field "file", name utterance.wav), "model", "response_format"
 * json and, when language is given, "language" (ISO 639-1). The answer
 * body goes to out (limit set by the caller's buf_init). 0 on a 2xx;
 * -1 with err (status or transport error). key: bearer token or "". */
int speech_http_post(const char *url, const char *key, const char *json,
		     const uint8_t *wav, size_t wavlen, const char *model, const char *language,
		     struct buf *out, char *err, size_t errlen);

#endif
