/*
 * fuzz_stream.c - the SSE event queue (stream.c) driven by a random
 * sequence of operations on two streams, one with history (MCP framing, as
 * the GET /mcp stream) and one without (MCP or legacy framing, as POST
 * answers and /sse), checked against a model of what was pushed.
 *
 * Input: byte 0 picks max_bytes and the second stream's framing, then one
 * operation per byte (low 4 bits: what, bit 4: which stream, bit 5: push a
 * message pre-serialized), some taking the following bytes as arguments.
 *
 * Invariants checked (stream.h):
 *   - a read never returns more than asked nor writes past it (the buffer
 *     is a heap block of exactly that size);
 *   - every byte a reader receives during one attachment is a sequence of
 *     whole frames, each exactly the frame pushed with that event id, ids
 *     consecutive (a detach may cut the last frame short: dropped with it);
 *   - a successful push takes the next id; a stream without history never
 *     delivers a whole frame twice;
 *   - a parked reader (read returned 0) is resumed by the next successful
 *     push or by the end of the stream;
 *   - after the end a read never parks, and once it returned -1 it stays -1;
 *   - queued bytes never exceed max_bytes.
 * Payloads are made unique (each carries its id) so a frame names its event
 * even when its framing shows no id. Event names, data and comments are
 * kept to printable ASCII without newlines: stream.h takes them verbatim,
 * and its callers pass constants ("endpoint", "ping").
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "base/log.h"
#include "mcp/stream.h"

#define MAX_EVENTS 4096   /* far more pushes than an input can hold */

/* FUZZ_STREAM_LAX=1 skips the "nothing undelivered, yet refused" check, to
 * look for other bugs while that one (tests/fuzz/crashes/stream/) is open. */
static int lax = -1;

struct model {
	struct stream *st;
	enum stream_framing framing;
	int history;
	size_t max_bytes;
	char *frames[MAX_EVENTS + 1];  /* expected frame by id */
	uint64_t next_id;              /* id the next successful push takes */
	int ended;                     /* stream_end called (or read gave -1) */
	int eof;                       /* a read returned -1 */
	/* reader */
	int attached, parked, resumes;
	char *seen;                    /* bytes read in this attachment */
	size_t seen_len, checked;      /* checked: bytes already matched */
	uint64_t last_id;              /* last whole frame in this attachment */
	uint64_t max_delivered;        /* highest id ever delivered whole */
	unsigned char delivered[MAX_EVENTS + 1];
};

struct input {
	const uint8_t *p;
	size_t n;
};

static unsigned next_byte(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* Up to `max` printable ASCII chars from the input into out (NUL-ended). */
static void take_text(struct input *in, char *out, size_t max)
{
	size_t len = next_byte(in) % (max + 1), i;
	for (i = 0; i < len && in->n; i++)
		out[i] = (char)(0x20 + next_byte(in) % 0x5f);
	out[i] = '\0';
}

static void resume_cb(void *arg)
{
	struct model *m = arg;
	m->parked = 0;
	m->resumes++;
}

static void suspend_cb(void *arg)
{
	struct model *m = arg;
	if (m->parked)
		abort();	/* parked twice without a resume in between */
	m->parked = 1;
}

/* Record the frame a successful push produced. */
static void pushed(struct model *m, char *frame)
{
	if (m->next_id > MAX_EVENTS)
		abort();
	m->frames[m->next_id++] = frame;
}

static char *dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

/* After a push or end: a parked reader must have been woken. */
static void check_woken(struct model *m, int pushed_ok)
{
	if (m->attached && m->parked && (pushed_ok || m->ended || stream_ended(m->st)))
		abort();
}

/* kind: 0 json, 1 named event, 2 priming, 3 comment; bit 2 (with 0): the
 * message goes in pre-serialized (stream_push_serialized) */
static void op_push(struct model *m, struct input *in, int kind)
{
	char text[200], name[24], *frame = NULL;
	uint64_t id = m->next_id;
	int ended_before = m->ended || stream_ended(m->st);
	/* the reader has every event so far: nothing is undelivered */
	int caught_up = m->attached && m->last_id + 1 == m->next_id &&
			m->checked == m->seen_len;
	int r;

	switch (kind & 3) {
	case 0: {	/* a small JSON-RPC notification */
		take_text(in, text, 160);
		json_t *msg = json_pack("{s:s, s:s, s:{s:I, s:s}}", "jsonrpc", "2.0",
					"method", "notifications/message", "params",
					"n", (json_int_t)id, "s", text);
		char *txt = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(15));
		frame = m->framing == STREAM_FRAMING_MCP
			? dup_printf("id: %llu\ndata: %s\n\n", (unsigned long long)id, txt)
			: dup_printf("event: message\ndata: %s\n\n", txt);
		r = (kind & 4) ? stream_push_serialized(m->st, txt, strlen(txt))
			       : stream_push_json(m->st, msg);
		free(txt);
		json_decref(msg);
		break;
	}
	case 1: {	/* a named event, as "endpoint" on /sse */
		char data[200];
		take_text(in, name, 16);
		take_text(in, text, 160);
		snprintf(data, sizeof(data), "#%llu %s", (unsigned long long)id, text);
		frame = dup_printf("event: %s\ndata: %s\n\n", name, data);
		r = stream_push_event(m->st, name, data);
		break;
	}
	case 2:		/* priming event */
		frame = dup_printf("id: %llu\ndata: \n\n", (unsigned long long)id);
		r = stream_push_prime(m->st);
		break;
	default: {	/* comment */
		char data[200];
		take_text(in, text, 160);
		snprintf(data, sizeof(data), "#%llu %s", (unsigned long long)id, text);
		frame = dup_printf(": %s\n\n", data);
		r = stream_push_comment(m->st, data);
		break;
	}
	}
	if (r == 0) {
		if (ended_before)
			abort();	/* accepted after the end */
		pushed(m, frame);
	} else {
		/* refused: the stream had ended, is now ended (too much queued),
		 * or this one frame is larger than max_bytes */
		if (!stream_ended(m->st) && strlen(frame) <= m->max_bytes)
			abort();
		/* "never grows past max_bytes of undelivered data": with
		 * nothing undelivered, a frame that fits must be taken */
		if (!lax && !ended_before && caught_up && strlen(frame) <= m->max_bytes) {
			fprintf(stderr, "fuzz_stream: %zu-byte frame refused with "
				"nothing undelivered (max_bytes %zu, queued %zu)\n",
				strlen(frame), m->max_bytes, stream_bytes(m->st));
			abort();
		}
		free(frame);
	}
	if (stream_bytes(m->st) > m->max_bytes)
		abort();
	check_woken(m, r == 0);
}

/* Match the complete frames received so far in this attachment. */
static void check_seen(struct model *m)
{
	for (;;) {
		const char *start = m->seen + m->checked;
		size_t left = m->seen_len - m->checked;
		const char *end = left >= 2 ? memmem(start, left, "\n\n", 2) : NULL;
		uint64_t id;

		if (!end)
			return;
		size_t flen = (size_t)(end - start) + 2;
		/* which event is it? the next one when this attachment has
		 * delivered before; otherwise search (ids are in every payload) */
		if (m->last_id) {
			id = m->last_id + 1;
		} else {
			for (id = 1; id < m->next_id; id++)
				if (strlen(m->frames[id]) == flen &&
				    !memcmp(m->frames[id], start, flen))
					break;
		}
		if (id >= m->next_id || strlen(m->frames[id]) != flen ||
		    memcmp(m->frames[id], start, flen)) {
			fprintf(stderr, "fuzz_stream: unexpected frame '%.*s' "
				"(expected id %llu of %llu)\n", (int)flen, start,
				(unsigned long long)id, (unsigned long long)m->next_id - 1);
			abort();
		}
		if (!m->history && m->delivered[id]) {
			fprintf(stderr, "fuzz_stream: event %llu delivered twice\n",
				(unsigned long long)id);
			abort();
		}
		m->delivered[id] = 1;
		if (id > m->max_delivered)
			m->max_delivered = id;
		m->last_id = id;
		m->checked += flen;
	}
}

/* One read as the transport does it (never while parked): returns what
 * stream_read returned, or -2 when no read was made. */
static ssize_t op_read(struct model *m, size_t max)
{
	char *buf;
	ssize_t n;

	if (!m->attached || m->parked || !max)
		return -2;
	buf = malloc(max);
	n = stream_read(m->st, buf, max, suspend_cb, m);
	if (n > (ssize_t)max || n < -1)
		abort();
	if (n > 0) {
		if (m->eof)
			abort();	/* data after -1 in the same attachment */
		m->seen = realloc(m->seen, m->seen_len + (size_t)n);
		memcpy(m->seen + m->seen_len, buf, (size_t)n);
		m->seen_len += (size_t)n;
		check_seen(m);
	} else if (n == 0) {
		if (m->ended || m->eof || !m->parked)
			abort();	/* parked after the end: nobody would wake it */
	} else {
		if (!m->ended && !stream_ended(m->st))
			abort();
		m->eof = 1;
	}
	free(buf);
	return n;
}

/* Read until the reader parks or sees the end. */
static void op_drain(struct model *m)
{
	for (int i = 0; i < 100000; i++)
		if (op_read(m, 997) <= 0)
			return;
	abort();	/* more than 97 MB from a bounded stream */
}

static void op_attach(struct model *m, uint64_t last_id)
{
	/* attaching again starts a new attachment (a reconnect takes over) */
	if (stream_attach(m->st, last_id, resume_cb, m) != 0)
		abort();
	m->attached = 1;
	m->parked = 0;
	m->eof = 0;
	m->seen_len = m->checked = 0;
	m->last_id = 0;
}

static void op_detach(struct model *m)
{
	stream_detach(m->st, m);
	m->attached = 0;
	m->parked = 0;
	m->eof = 0;
	/* a frame cut short by the detach is abandoned with the connection */
	m->seen_len = m->checked = 0;
	m->last_id = 0;
}

static void model_init(struct model *m, enum stream_framing f, int history,
		       size_t max_bytes)
{
	memset(m, 0, sizeof(*m));
	m->framing = f;
	m->history = history;
	m->max_bytes = max_bytes;
	m->next_id = 1;
	m->st = stream_new(f, history, max_bytes);
	if (!m->st)
		abort();
}

static void model_release(struct model *m)
{
	stream_end(m->st);
	m->ended = 1;
	check_woken(m, 0);
	if (!m->attached)
		op_attach(m, 0);
	op_drain(m);
	if (m->attached && !m->eof)
		abort();	/* ended and drained, yet no end of stream */
	stream_detach(m->st, m);
	stream_unref(m->st);
	for (uint64_t i = 1; i < m->next_id; i++)
		free(m->frames[i]);
	free(m->seen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	static struct model ms[2];
	unsigned b0 = next_byte(&in);
	size_t max_bytes = 64 + (size_t)(b0 & 0x3f) * 48;

	if (lax < 0) {
		lax = getenv("FUZZ_STREAM_LAX") != NULL;
		log_set_level(LOG_ERROR);	/* "reader too slow" by the thousand */
	}

	model_init(&ms[0], STREAM_FRAMING_MCP, 1, max_bytes);
	model_init(&ms[1], (b0 & 0x40) ? STREAM_FRAMING_LEGACY : STREAM_FRAMING_MCP,
		   0, max_bytes);
	while (in.n) {
		unsigned op = next_byte(&in);
		struct model *m = &ms[(op >> 4) & 1];
		uint64_t last;

		switch (op & 0x0f) {
		case 0: case 1: case 2: case 3:
			op_push(m, &in, (int)(op & 3) | ((op & 0x20) ? 4 : 0));
			break;
		case 4: case 5:
			op_read(m, 1 + next_byte(&in) % 64);
			break;
		case 6:
			op_read(m, 1 + next_byte(&in) * 16);
			break;
		case 7: case 8:
			op_attach(m, 0);
			break;
		case 9:	/* reconnect with Last-Event-ID: recent, old or bogus */
			last = next_byte(&in);
			if (last == 255)
				last = UINT64_MAX - 1;
			else if (last >= 128 && m->next_id > 1)
				last = m->next_id - 1 - (last - 128) % m->next_id;
			op_attach(m, last);
			break;
		case 10: case 11:
			op_detach(m);
			break;
		case 12:
			stream_end(m->st);
			m->ended = 1;
			check_woken(m, 0);
			break;
		case 13: case 14:
			op_drain(m);
			break;
		default:
			if (stream_bytes(m->st) > m->max_bytes)
				abort();
			break;
		}
		if (ms[0].next_id > MAX_EVENTS - 8 || ms[1].next_id > MAX_EVENTS - 8)
			break;
	}
	model_release(&ms[0]);
	model_release(&ms[1]);
	return 0;
}
