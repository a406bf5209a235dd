/* stream.c - bounded SSE event queue with replay (see stream.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/log.h"
#include "mcp/stream.h"

#define HISTORY_MAX_EVENTS 64

struct sse_event {
	struct sse_event *next;
	uint64_t id;
	size_t len;
	char data[];
};

struct stream {
	pthread_mutex_t mu;
	atomic_int refs;
	enum stream_framing framing;   /* fixed at stream_new */
	int history;                   /* fixed */
	size_t max_bytes;              /* fixed */
	/* everything below: mu */
	struct sse_event *head, *tail;
	size_t count, bytes;
	uint64_t next_id;
	/* reader */
	int attached, ever_attached, suspended, ended;
	uint64_t cursor;     /* id of the next event to send */
	size_t offset;       /* bytes of that event already sent */
	void (*resume)(void *);
	void *resume_arg;
};

struct stream *stream_new(enum stream_framing framing, int history,
			  size_t max_bytes)
{
	struct stream *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	atomic_init(&s->refs, 1);
	s->framing = framing;
	s->history = history;
	s->max_bytes = max_bytes;
	s->next_id = 1;
	s->cursor = 1;
	return s;
}

void stream_ref(struct stream *s)
{
	atomic_fetch_add(&s->refs, 1);
}

void stream_unref(struct stream *s)
{
	struct sse_event *e, *n;

	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	for (e = s->head; e; e = n) {
		n = e->next;
		free(e);
	}
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Free the oldest event. Lock held, head not NULL. */
static void drop_head(struct stream *s)
{
	struct sse_event *e = s->head;

	s->head = e->next;
	if (!s->head)
		s->tail = NULL;
	s->count--;
	s->bytes -= e->len;
	free(e);
}

/* Drop events nobody will read again. Lock held. */
static void trim(struct stream *s)
{
	while (s->head && s->head->id < s->cursor &&
	       (!s->history || s->count > HISTORY_MAX_EVENTS || s->bytes > s->max_bytes / 2))
		drop_head(s);
}

/* Drop every delivered event, history or not. Lock held. */
static void drop_delivered(struct stream *s)
{
	while (s->head && s->head->id < s->cursor)
		drop_head(s);
}

static void wake(struct stream *s)
{
	if (s->suspended && s->resume) {
		s->suspended = 0;
		s->resume(s->resume_arg);
	}
}

/* Queue a finished frame; `with_id` marks events that take an id. Lock is
 * taken here. */
static int enqueue(struct stream *s, const char *frame_fmt_prefix,
		   const char *data, size_t dlen, int kind)
{
	struct sse_event *e;
	struct buf b = BUF_INIT(s->max_bytes);
	int r = -1;

	pthread_mutex_lock(&s->mu);
	if (s->ended)
		goto out;
	uint64_t id = s->next_id;
	switch (kind) {
	case 0: /* json message */
		if (s->framing == STREAM_FRAMING_MCP)
			r = buf_printf(&b, "id: %llu\ndata: ", (unsigned long long)id);
		else
			r = buf_adds(&b, "event: message\ndata: ");
		r = r ? r : buf_add(&b, data, dlen);
		r = r ? r : buf_adds(&b, "\n\n");
		break;
	case 1: /* named event */
		r = buf_printf(&b, "event: %s\ndata: ", frame_fmt_prefix);
		r = r ? r : buf_add(&b, data, dlen);
		r = r ? r : buf_adds(&b, "\n\n");
		break;
	case 2: /* priming */
		r = buf_printf(&b, "id: %llu\ndata: \n\n", (unsigned long long)id);
		break;
	default: /* comment */
		r = buf_printf(&b, ": %.*s\n\n", (int)dlen, data);
		break;
	}
	if (r)
		goto out;
	if (s->bytes + b.len > s->max_bytes) {
		/* the limit is on undelivered data: replay history goes first */
		drop_delivered(s);
		if (s->bytes + b.len > s->max_bytes) {
			log_warn("stream: reader too slow, %zu bytes queued; ending stream",
				 s->bytes);
			s->ended = 1;
			wake(s);
			r = -1;
			goto out;
		}
	}
	e = malloc(sizeof(*e) + b.len);
	if (!e) {
		r = -1;
		goto out;
	}
	e->next = NULL;
	e->id = id;
	e->len = b.len;
	memcpy(e->data, b.ptr, b.len);
	s->next_id++;
	if (s->tail)
		s->tail->next = e;
	else
		s->head = e;
	s->tail = e;
	s->count++;
	s->bytes += e->len;
	trim(s);
	wake(s);
	r = 0;
out:
	pthread_mutex_unlock(&s->mu);
	buf_release(&b);
	return r;
}

int stream_push_json(struct stream *s, const json_t *msg)
{
	char *txt = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(15));
	int r;
	if (!txt)
		return -1;
	r = enqueue(s, NULL, txt, strlen(txt), 0);
	free(txt);
	return r;
}

int stream_push_serialized(struct stream *s, const char *json, size_t len)
{
	return enqueue(s, NULL, json, len, 0);
}

int stream_push_event(struct stream *s, const char *event, const char *data)
{
	return enqueue(s, event, data, strlen(data), 1);
}

int stream_push_prime(struct stream *s)
{
	return enqueue(s, NULL, "", 0, 2);
}

int stream_push_comment(struct stream *s, const char *text)
{
	return enqueue(s, NULL, text, strlen(text), 3);
}

void stream_end(struct stream *s)
{
	pthread_mutex_lock(&s->mu);
	s->ended = 1;
	wake(s);
	pthread_mutex_unlock(&s->mu);
}

int stream_ended(struct stream *s)
{
	int e;
	pthread_mutex_lock(&s->mu);
	e = s->ended;
	pthread_mutex_unlock(&s->mu);
	return e;
}

int stream_attach(struct stream *s, uint64_t last_event_id,
		  void (*resume)(void *), void *arg)
{
	pthread_mutex_lock(&s->mu);
	if (s->attached && s->resume_arg != arg) {
		/* a reconnect replaces the old reader (its client is usually
		 * gone without the server having noticed): wake it so its next
		 * read ends its response */
		void (*old)(void *) = s->resume;
		void *old_arg = s->resume_arg;
		int was_suspended = s->suspended;
		s->suspended = 0;
		if (was_suspended && old)
			old(old_arg);
	}
	s->attached = 1;
	s->suspended = 0;
	s->resume = resume;
	s->resume_arg = arg;
	s->offset = 0;
	if (last_event_id > 0) {
		s->cursor = last_event_id + 1;
		if (s->head && s->cursor < s->head->id)
			s->cursor = s->head->id;
		if (s->cursor > s->next_id)	/* an id we never sent */
			s->cursor = s->next_id;
	} else if (s->ever_attached) {
		s->cursor = s->next_id;
	}
	s->ever_attached = 1;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

void stream_detach(struct stream *s, void *arg)
{
	pthread_mutex_lock(&s->mu);
	if (s->resume_arg == arg) {	/* a replaced reader detaches nothing */
		s->attached = 0;
		s->suspended = 0;
		s->resume = NULL;
		s->resume_arg = NULL;
		s->offset = 0;	/* a half-sent event is sent whole next time */
	}
	pthread_mutex_unlock(&s->mu);
}

ssize_t stream_read(struct stream *s, char *dst, size_t max,
		    void (*suspend)(void *), void *arg)
{
	struct sse_event *e;
	size_t done = 0;

	pthread_mutex_lock(&s->mu);
	if (s->attached && s->resume_arg != arg) {	/* replaced by a reconnect */
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	for (e = s->head; e && done < max; e = e->next) {
		if (e->id < s->cursor)
			continue;
		size_t n = e->len - s->offset;
		if (n > max - done)
			n = max - done;
		memcpy(dst + done, e->data + s->offset, n);
		done += n;
		s->offset += n;
		if (s->offset == e->len) {
			s->cursor = e->id + 1;
			s->offset = 0;
		}
	}
	trim(s);
	if (done) {
		pthread_mutex_unlock(&s->mu);
		return (ssize_t)done;
	}
	if (s->ended) {
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	s->suspended = 1;
	if (suspend)
		suspend(arg);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

size_t stream_bytes(struct stream *s)
{
	size_t n;
	pthread_mutex_lock(&s->mu);
	n = s->bytes;
	pthread_mutex_unlock(&s->mu);
	return n;
}
