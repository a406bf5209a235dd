/* worker.c - a module's background thread lifecycle (see worker.h). */
#include "base/log.h"
#include "base/worker.h"

int worker_start(struct worker *w, void *(*fn)(void *), void *arg)
{
	int r = 0;

	pthread_mutex_lock(w->mu);
	if (!w->running) {
		w->stopping = 0;
		r = pthread_create(&w->thread, NULL, fn, arg) ? -1 : 0;
		w->running = r == 0;
	}
	pthread_mutex_unlock(w->mu);
	if (r)
		log_error("%s: cannot start its thread", w->name);
	return r;
}

void worker_stop(struct worker *w)
{
	pthread_mutex_lock(w->mu);
	if (!w->running) {
		pthread_mutex_unlock(w->mu);
		return;
	}
	w->stopping = 1;
	pthread_cond_broadcast(w->cv);
	pthread_mutex_unlock(w->mu);
	pthread_join(w->thread, NULL);
	pthread_mutex_lock(w->mu);
	w->running = 0;
	w->stopping = 0;
	pthread_mutex_unlock(w->mu);
}
