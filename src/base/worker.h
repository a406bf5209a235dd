/*
 * worker.h - the start/stop lifecycle of a module's background thread.
 *
 * The module owns its mutex and condition variable (its queue and timed
 * waits use them) and lends them to a struct worker. The thread function
 * loops until `stopping` is set, reading it under the module's mutex.
 * worker_start is a no-op while running; worker_stop sets `stopping`,
 * wakes the thread, joins it and clears both flags. Used by the call
 * runtime, the brain's after-call worker, the webhook sender, the
 * campaign dialer and the audit writer.
 */
#ifndef WORKER_H
#define WORKER_H

#include <pthread.h>

struct worker {
	pthread_mutex_t *mu;
	pthread_cond_t *cv;
	const char *name;        /* for the log line when the thread cannot start */
	pthread_t thread;
	int running, stopping;   /* under *mu */
};

#define WORKER_INIT(mutex, cond, label) { (mutex), (cond), (label), 0, 0, 0 }

/* 0 when running (already or now), -1 (logged) when the thread cannot start. */
int worker_start(struct worker *w, void *(*fn)(void *), void *arg);
void worker_stop(struct worker *w);

#endif
