/*
 * stream.h - a bounded queue of server-sent events with replay.
 *
 * A stream carries JSON-RPC messages from the server to one HTTP reader as
 * SSE frames. Producers (any thread) push; the transport's content callback
 * reads. When the queue is empty the reader is parked through the
 * `suspend` callback passed to stream_read (called under the stream's lock,
 * so a concurrent push cannot slip in between) and woken by the `resume`
 * callback set with stream_attach when the next event arrives.
 *
 * Event ids grow from 1. A stream made with history keeps delivered events
 * (bounded) so a reader that reattaches with Last-Event-ID gets what it
 * missed; one without history frees each event once delivered. A stream
 * never grows past max_bytes of undelivered data: the push that would is
 * refused, the stream ends and the fact is logged (never a silent drop).
 *
 * Threads: every function may be called from any thread; one mutex per
 * stream guards its queue and reader state (the callbacks run under it, so
 * they must not call back into the stream).
 *
 * Ownership: reference counted; stream_new returns one reference.
 */
#ifndef STREAM_H
#define STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

enum stream_framing {
	STREAM_FRAMING_MCP,     /* "id: N\ndata: {...}\n\n" (Streamable HTTP) */
	STREAM_FRAMING_LEGACY,  /* "event: message\ndata: {...}\n\n" (HTTP+SSE) */
};

struct stream;

struct stream *stream_new(enum stream_framing framing, int history,
			  size_t max_bytes);
void stream_ref(struct stream *s);
void stream_unref(struct stream *s);

/* Producers: 0 on success, -1 when the stream has ended or is full.
 * Event names, data and comment text are written verbatim: they must not
 * contain newlines (JSON from stream_push_json never does). */
int stream_push_json(struct stream *s, const json_t *msg);
/* The same for a message already serialized (rpc_serialize). */
int stream_push_serialized(struct stream *s, const char *json, size_t len);
int stream_push_event(struct stream *s, const char *event, const char *data);
/* An SSE event with an id and empty data (primes client reconnection). */
int stream_push_prime(struct stream *s);
/* A comment line ": ping" to keep proxies from closing an idle stream. */
int stream_push_comment(struct stream *s, const char *text);
/* No more events: the reader sees end of stream after draining. */
void stream_end(struct stream *s);
int stream_ended(struct stream *s);

/*
 * Readers. One reader at a time, named by `arg`: stream_attach binds it
 * (a new reader replaces an attached one, whose next read returns -1: a
 * reconnecting client takes the stream over). With last_event_id > 0 it
 * resumes after that id (replay from history), otherwise it starts at the
 * next new event (or at the beginning for a stream nobody has read yet).
 */
int stream_attach(struct stream *s, uint64_t last_event_id,
		  void (*resume)(void *), void *arg);
/* Unbind reader `arg` (no-op when it was replaced). */
void stream_detach(struct stream *s, void *arg);
/* Copies up to max bytes for reader `arg`. Returns >0 bytes, 0 when parked
 * (suspend(arg) was called), -1 at end of stream or for a replaced reader. */
ssize_t stream_read(struct stream *s, char *dst, size_t max,
		    void (*suspend)(void *), void *arg);

/* Bytes currently queued (delivered history included), for memory stats. */
size_t stream_bytes(struct stream *s);

#endif
