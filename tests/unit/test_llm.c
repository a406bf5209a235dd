/* test_llm.c - the chat-completions client's pure parts: SSE decoding with
 * content and tool_calls deltas assembled by index (whatever the chunking),
 * [DONE] and cut-off streams, garbage, non-streamed completions, and the
 * sentence splitter that lets speech start on the first sentence. */
#include <stdlib.h>
#include "test.h"
#include "agent/llm.h"

struct said {
	char s[16][256];
	int n;
};

static void collect(void *arg, const char *sentence)
{
	struct said *w = arg;
	if (w->n < 16)
		snprintf(w->s[w->n++], sizeof(w->s[0]), "%s", sentence);
}

static const char stream_text[] =
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
	": keep-alive comment\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello Mr. Smith. I ch\"}}]}\r\n\r\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ecked 3.5 items! Ok\"}}]}\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\","
	"\"type\":\"function\",\"function\":{\"name\":\"second\",\"arguments\":\"\"}}]}}]}\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\","
	"\"type\":\"function\",\"function\":{\"name\":\"first\",\"arguments\":\"{\\\"x\\\":\"}}]}}]}\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
	"\"function\":{\"arguments\":\"1}\"}}]}}]}\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
	"\"function\":{\"arguments\":\"{}\"}}]}}]}\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
	"data: [DONE]\n\n";

/* Feed stream_text in chunks of `step` bytes; check the assembled answer. */
static int assemble(size_t step)
{
	struct llm_stream st;
	struct llm_response r;
	struct said w = { .n = 0 };
	size_t n = strlen(stream_text);
	int ok;

	memset(&r, 0, sizeof(r));
	llm_stream_init(&st, collect, &w);
	for (size_t i = 0; i < n; i += step)
		llm_stream_feed(&st, stream_text + i, i + step > n ? n - i : step);
	ok = llm_stream_finish(&st, &r) == 0 &&
	     !strcmp(r.content, "Hello Mr. Smith. I checked 3.5 items! Ok") &&
	     r.ncalls == 2 && !strcmp(r.calls[0].id, "call_a") &&
	     !strcmp(r.calls[0].name, "first") && !strcmp(buf_str(&r.calls[0].args), "{\"x\":1}") &&
	     !strcmp(r.calls[1].name, "second") && !strcmp(buf_str(&r.calls[1].args), "{}") &&
	     !strcmp(r.finish_reason, "tool_calls") &&
	     w.n == 3 && !strcmp(w.s[0], "Hello Mr. Smith.") &&
	     !strcmp(w.s[1], "I checked 3.5 items!") && !strcmp(w.s[2], "Ok");
	if (!ok)
		fprintf(stderr, "  step %zu: error '%s' content '%s' calls %zu sentences %d\n", step,
			st.error, r.content ? r.content : "(null)", r.ncalls, w.n);
	llm_response_release(&r);
	llm_stream_release(&st);
	return ok;
}

TEST(sse_assembly_any_chunking)
{
	size_t steps[] = { 1, 2, 3, 7, 64, 100000 };
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		CHECK(assemble(steps[i]));
}

static int stream_fails(const char *text, const char *want)
{
	struct llm_stream st;
	struct llm_response r;
	int failed;

	memset(&r, 0, sizeof(r));
	llm_stream_init(&st, NULL, NULL);
	llm_stream_feed(&st, text, strlen(text));
	failed = llm_stream_finish(&st, &r) != 0 && strstr(st.error, want) != NULL;
	if (!failed)
		fprintf(stderr, "  '%.40s': error '%s', wanted '%s'\n", text, st.error, want);
	llm_response_release(&r);
	llm_stream_release(&st);
	return failed;
}

TEST(sse_errors)
{
	CHECK(stream_fails("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n", "cut off"));
	CHECK(stream_fails("data: not json\n\ndata: [DONE]\n\n", "not JSON"));
	CHECK(stream_fails("<html>oops</html>\n", "not an event stream"));
	CHECK(stream_fails("data: [DONE]\n\n", "empty"));
	CHECK(stream_fails("data: {\"error\":{\"message\":\"overloaded\"}}\n\n", "overloaded"));
	CHECK(stream_fails("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":40,"
			   "\"function\":{\"name\":\"x\"}}]}}]}\n\ndata: [DONE]\n\n", "more than"));
	CHECK(stream_fails("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
			   "\"function\":{\"arguments\":\"{}\"}}]}}]}\n\ndata: [DONE]\n\n", "no function name"));
}

TEST(sse_finish_reason_without_done)
{
	struct llm_stream st;
	struct llm_response r;
	const char *t = "data: {\"choices\":[{\"delta\":{\"content\":\"Bye\"},\"finish_reason\":\"stop\"}]}";

	memset(&r, 0, sizeof(r));
	llm_stream_init(&st, NULL, NULL);
	llm_stream_feed(&st, t, strlen(t));	/* no newline, no [DONE]: the end of the body */
	CHECK(llm_stream_finish(&st, &r) == 0);
	CHECK_STR(r.content, "Bye");
	llm_response_release(&r);
	llm_stream_release(&st);
}

TEST(completion_parse)
{
	struct llm_response r;
	char err[256];
	const char *ok = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,"
		"\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
		"\"arguments\":{\"a\":1}}}]},\"finish_reason\":\"tool_calls\"}]}";

	memset(&r, 0, sizeof(r));
	REQUIRE(llm_parse_completion(ok, strlen(ok), &r, err, sizeof(err)) == 0);
	CHECK_STR(r.content, "");
	CHECK(r.ncalls == 1);
	CHECK_STR(r.calls[0].name, "f");
	CHECK_STR(buf_str(&r.calls[0].args), "{\"a\":1}");
	llm_response_release(&r);
	CHECK(llm_parse_completion("[1]", 3, &r, err, sizeof(err)) == -1);
	CHECK(llm_parse_completion("{\"choices\":[]}", 14, &r, err, sizeof(err)) == -1);
	CHECK(strstr(err, "no choices[0].message") != NULL);
	CHECK(llm_parse_completion("{\"error\":{\"message\":\"bad key\"}}", 31, &r, err, sizeof(err)) == -1);
	CHECK(strstr(err, "bad key") != NULL);
	llm_response_release(&r);
}

static int split(const char *const *pieces, const char *const *want)
{
	struct llm_sentences s;
	struct said w = { .n = 0 };
	int ok = 1, n = 0;

	llm_sentences_init(&s, collect, &w);
	for (int i = 0; pieces[i]; i++)
		llm_sentences_add(&s, pieces[i], strlen(pieces[i]));
	llm_sentences_flush(&s);
	llm_sentences_release(&s);
	for (; want[n]; n++)
		ok &= n < w.n && !strcmp(w.s[n], want[n]);
	ok &= n == w.n;
	if (!ok)
		for (int i = 0; i < w.n; i++)
			fprintf(stderr, "  got [%d] '%s'\n", i, w.s[i]);
	return ok;
}

TEST(sentences)
{
	CHECK(split((const char *const[]){ "Hi", " there", ". How", " are you?", " Fine", NULL },
		    (const char *const[]){ "Hi there.", "How are you?", "Fine", NULL }));
	/* abbreviations, initials, numbers, decimals, e.g. */
	CHECK(split((const char *const[]){ "Dr. Who met J. R. R. Tolkien at 3.30 p", "m. e.g. now. Done", NULL },
		    (const char *const[]){ "Dr. Who met J. R. R. Tolkien at 3.30 pm.", "e.g. now.", "Done", NULL }));
	/* quotes and brackets stay; runs of marks; line breaks; ellipsis */
	CHECK(split((const char *const[]){ "He said \"yes.\" Really?! (Sure.) Wait\xe2\x80\xa6 ok\nnext", NULL },
		    (const char *const[]){ "He said \"yes.\"", "Really?!", "(Sure.)", "Wait\xe2\x80\xa6", "ok", "next", NULL }));
	/* a list item number does not end a sentence */
	CHECK(split((const char *const[]){ "Steps: 1. open 2. close.", NULL },
		    (const char *const[]){ "Steps: 1. open 2. close.", NULL }));
	/* nothing but space: nothing said */
	CHECK(split((const char *const[]){ "  ", "\n", NULL }, (const char *const[]){ NULL }));
}

TEST(sentences_run_on)
{
	struct llm_sentences s;
	struct said w = { .n = 0 };
	char *big = malloc(LLM_MAX_SENTENCE * 3);

	REQUIRE(big);
	for (int i = 0; i < LLM_MAX_SENTENCE * 3 - 1; i++)
		big[i] = i % 10 == 9 ? ' ' : 'a';
	big[LLM_MAX_SENTENCE * 3 - 1] = '\0';
	llm_sentences_init(&s, collect, &w);
	llm_sentences_add(&s, big, strlen(big));
	CHECK(w.n >= 1);	/* spoken before the end arrives */
	CHECK(s.pending.len <= LLM_MAX_SENTENCE);
	llm_sentences_flush(&s);
	llm_sentences_release(&s);
	free(big);
}

const struct unit_test llm_tests[] = {
	T(sse_assembly_any_chunking), T(sse_errors), T(sse_finish_reason_without_done),
	T(completion_parse), T(sentences), T(sentences_run_on), { 0 }
};
