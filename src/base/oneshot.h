/*
 * oneshot.h - "do this in N seconds unless I am done by then": a timer
 * thread that calls fn(arg) once when the delay passes first, or nothing
 * when oneshot_stop() comes first. oneshot_stop() waits for the thread, so
 * fn has returned when it does (what fn did is ordered before what the
 * caller does next). Used for what a voice line says while it would
 * otherwise be silent: a slow tool's delay message (brain.c), a slow
 * model's filler (voice/conv.c).
 *
 *   struct oneshot o;
 *   oneshot_start(&o, 2.5, say_delay, ctx);
 *   ... the slow work ...
 *   if (oneshot_stop(&o)) ... fn ran ...
 */
#ifndef ONESHOT_H
#define ONESHOT_H

#include <pthread.h>

struct oneshot {
	pthread_mutex_t mu;
	pthread_cond_t cv;          /* on CLOCK_MONOTONIC */
	struct timespec at;
	int done, fired, running;
	void (*fn)(void *arg);
	void *arg;
	pthread_t th;
};

/* 0 when armed; -1 when no thread could start (fn will not run). */
int oneshot_start(struct oneshot *o, double delay_s, void (*fn)(void *), void *arg);
/* Disarm and join; 1 when fn ran (to its end), 0 when it did not. */
int oneshot_stop(struct oneshot *o);

#endif
