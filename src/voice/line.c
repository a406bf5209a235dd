/* line.c - the playout and event queues between a call's loop side and its
 * conversation (see line.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/util.h"
#include "voice/line.h"

#define MAX_EVENTS 256
#define MAX_ORDERS 16

struct voice_line *voice_line_new(int64_t call_id)
{
	struct voice_line *l = calloc(1, sizeof(*l));
	pthread_condattr_t ca;

	if (!l)
		return NULL;
	l->cap = (size_t)VOICE_LINE_MAX_S * VOICE_RATE;
	l->ring = malloc(l->cap * sizeof(int16_t));
	if (!l->ring) {
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	l->refs = 1;
	l->call_id = call_id;
	return l;
}

void voice_ev_free(struct voice_ev *e)
{
	if (!e)
		return;
	free(e->pcm);
	free(e);
}

void voice_line_ref(struct voice_line *l)
{
	pthread_mutex_lock(&l->mu);
	l->refs++;
	pthread_mutex_unlock(&l->mu);
}

void voice_line_unref(struct voice_line *l)
{
	int last;

	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	last = --l->refs == 0;
	pthread_mutex_unlock(&l->mu);
	if (!last)
		return;
	while (l->evh) {
		struct voice_ev *e = l->evh;
		l->evh = e->next;
		voice_ev_free(e);
	}
	while (l->ordh) {
		struct voice_line_order *o = l->ordh;
		l->ordh = o->next;
		free(o);
	}
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l->ring);
	free(l);
}

int voice_line_play(struct voice_line *l, const int16_t *pcm, size_t n, uint64_t *start,
		    unsigned *flushes)
{
	int r = 0;

	pthread_mutex_lock(&l->mu);
	if (start)
		*start = l->pulled + l->len;
	if (flushes)
		*flushes = l->flushes;
	if (l->closed || n > l->cap - l->len) {
		r = -1;
	} else {
		for (size_t i = 0; i < n; i++)
			l->ring[(l->head + l->len + i) % l->cap] = pcm[i];
		l->len += n;
	}
	pthread_mutex_unlock(&l->mu);
	return r;
}

size_t voice_line_flush(struct voice_line *l)
{
	size_t n;

	pthread_mutex_lock(&l->mu);
	n = l->len;
	l->len = 0;
	l->flush_at[l->flushes % VOICE_LINE_FLUSH_LOG] = l->pulled;
	l->flushes++;
	pthread_mutex_unlock(&l->mu);
	return n;
}

uint64_t voice_line_heard_until(struct voice_line *l, unsigned since, int *final)
{
	uint64_t at;

	pthread_mutex_lock(&l->mu);
	if (l->flushes > since) {
		/* the first flush after `since`; when it has left the log (more
		 * than VOICE_LINE_FLUSH_LOG barge-ins since), the oldest kept */
		unsigned k = l->flushes - since > VOICE_LINE_FLUSH_LOG ?
			l->flushes - VOICE_LINE_FLUSH_LOG : since;
		at = l->flush_at[k % VOICE_LINE_FLUSH_LOG];
		*final = 1;
	} else {
		at = l->pulled;
		*final = l->closed;
	}
	pthread_mutex_unlock(&l->mu);
	return at;
}

size_t voice_line_pending(struct voice_line *l)
{
	size_t n;

	pthread_mutex_lock(&l->mu);
	n = l->len;
	pthread_mutex_unlock(&l->mu);
	return n;
}

int voice_line_is_closed(struct voice_line *l)
{
	int c;

	pthread_mutex_lock(&l->mu);
	c = l->closed;
	pthread_mutex_unlock(&l->mu);
	return c;
}

size_t voice_line_pull(struct voice_line *l, int16_t *out, size_t n)
{
	size_t k;

	pthread_mutex_lock(&l->mu);
	k = n < l->len ? n : l->len;
	for (size_t i = 0; i < k; i++)
		out[i] = l->ring[(l->head + i) % l->cap];
	l->head = (l->head + k) % l->cap;
	l->len -= k;
	l->pulled += k;
	pthread_mutex_unlock(&l->mu);
	return k;
}

struct voice_ev *voice_ev_new(enum voice_ev_type type, const char *text)
{
	struct voice_ev *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->type = type;
	e->ts = util_now();
	if (text)
		snprintf(e->text, sizeof e->text, "%s", text);
	return e;
}

/* Queue an event for the conversation and wake it. Lock held. */
static void append(struct voice_line *l, struct voice_ev *e)
{
	e->next = NULL;
	if (l->evt)
		l->evt->next = e;
	else
		l->evh = e;
	l->evt = e;
	l->nev++;
	pthread_cond_broadcast(&l->cv);
}

void voice_line_post(struct voice_line *l, struct voice_ev *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&l->mu);
	/* a conversation that stopped reading must not grow the queue: past
	 * MAX_EVENTS new events are dropped (the closing one is added by
	 * voice_line_close, past the limit) */
	if (l->closed || l->nev >= MAX_EVENTS) {
		pthread_mutex_unlock(&l->mu);
		voice_ev_free(e);
		return;
	}
	append(l, e);
	pthread_mutex_unlock(&l->mu);
}

void voice_line_close(struct voice_line *l)
{
	struct voice_ev *e = voice_ev_new(VEV_CLOSED, NULL);

	pthread_mutex_lock(&l->mu);
	if (l->closed) {
		pthread_mutex_unlock(&l->mu);
		voice_ev_free(e);
		return;
	}
	l->closed = 1;
	l->len = 0;
	if (e)
		append(l, e);
	else
		pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

struct voice_ev *voice_line_next(struct voice_line *l, double deadline)
{
	struct voice_ev *e = NULL;

	pthread_mutex_lock(&l->mu);
	for (;;) {
		if (l->evh) {
			e = l->evh;
			l->evh = e->next;
			if (!l->evh)
				l->evt = NULL;
			l->nev--;
			e->next = NULL;
			break;
		}
		if (l->closed) {
			/* the closing event was taken already: keep saying so */
			e = voice_ev_new(VEV_CLOSED, NULL);
			break;
		}
		double now = util_mono();
		if (deadline <= now)
			break;
		struct timespec ts;
		util_deadline(&ts, CLOCK_MONOTONIC, deadline - now);
		if (pthread_cond_timedwait(&l->cv, &l->mu, &ts) == ETIMEDOUT && !l->evh && !l->closed)
			break;
	}
	pthread_mutex_unlock(&l->mu);
	return e;
}

/* ---- orders for the loop ------------------------------------------------------------ */

void voice_line_set_wake(struct voice_line *l, void (*wake)(int64_t call_id))
{
	pthread_mutex_lock(&l->mu);
	l->wake = wake;
	pthread_mutex_unlock(&l->mu);
}

int voice_line_order(struct voice_line *l, enum voice_line_cmd cmd, const char *arg,
		     const char *status)
{
	struct voice_line_order *o = calloc(1, sizeof(*o));
	void (*wake)(int64_t) = NULL;

	if (!o)
		return -1;
	o->cmd = cmd;
	snprintf(o->arg, sizeof o->arg, "%s", arg ? arg : "");
	snprintf(o->status, sizeof o->status, "%s", status ? status : "");
	pthread_mutex_lock(&l->mu);
	if (l->closed || l->nord >= MAX_ORDERS) {
		pthread_mutex_unlock(&l->mu);
		free(o);
		return -1;
	}
	if (l->ordt)
		l->ordt->next = o;
	else
		l->ordh = o;
	l->ordt = o;
	l->nord++;
	wake = l->wake;
	pthread_mutex_unlock(&l->mu);
	if (wake)
		wake(l->call_id);
	return 0;
}

struct voice_line_order *voice_line_take_order(struct voice_line *l)
{
	struct voice_line_order *o;

	pthread_mutex_lock(&l->mu);
	o = l->ordh;
	if (o) {
		l->ordh = o->next;
		if (!l->ordh)
			l->ordt = NULL;
		l->nord--;
		o->next = NULL;
	}
	pthread_mutex_unlock(&l->mu);
	return o;
}
