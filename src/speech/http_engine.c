/* http_engine.c - POST for the HTTP speech engines (see http_engine.h). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include "speech/http_engine.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
	struct buf *b;
	int toobig;
};

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct sink *s = arg;

	if (buf_add(s->b, p, sz * n)) {
		s->toobig = 1;
		return 0;
	}
	return sz * n;
}

int speech_http_post(const char *url, const char *key, const char *json,
		     const uint8_t *wav, size_t wavlen, const char *model, const char *language,
		     struct buf *out, char *err, size_t errlen)
{
	CURL *h;
	curl_mime *mime = NULL;
	struct curl_slist *hdrs = NULL;
	struct sink s = { out, 0 };
	char auth[600];
	long status = 0;
	CURLcode cc;
	int r = -1;

	pthread_once(&once, init_once);
	h = curl_easy_init();
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 15000L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "switchboard-speech/1");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	if (key && *key) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
		hdrs = curl_slist_append(hdrs, auth);
	}
	if (json) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
	} else {
		curl_mimepart *part;
		mime = curl_mime_init(h);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "file");
		curl_mime_filename(part, "utterance.wav");
		curl_mime_type(part, "audio/wav");
		curl_mime_data(part, (const char *)wav, wavlen);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "model");
		curl_mime_data(part, model, CURL_ZERO_TERMINATED);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "response_format");
		curl_mime_data(part, "json", CURL_ZERO_TERMINATED);
		if (language && *language) {
			part = curl_mime_addpart(mime);
			curl_mime_name(part, "language");
			curl_mime_data(part, language, CURL_ZERO_TERMINATED);
		}
		curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
	}
	if (hdrs)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (s.toobig)
		snprintf(err, errlen, "the speech engine's answer is too large");
	else if (cc != CURLE_OK)
		snprintf(err, errlen, "the speech engine cannot be reached: %s", curl_easy_strerror(cc));
	else if (status < 200 || status > 299)
		snprintf(err, errlen, "the speech engine answered HTTP %ld", status);
	else
		r = 0;
	curl_slist_free_all(hdrs);
	curl_mime_free(mime);
	curl_easy_cleanup(h);
	return r;
}
