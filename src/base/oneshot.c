/* oneshot.c - a cancellable one-shot timer thread (see oneshot.h). */
#include <errno.h>
#include <time.h>
#include "base/oneshot.h"
#include "base/util.h"

static void *oneshot_main(void *p)
{
	struct oneshot *o = p;
	int fire = 0;

	pthread_mutex_lock(&o->mu);
	while (!o->done && !fire)
		if (pthread_cond_timedwait(&o->cv, &o->mu, &o->at) == ETIMEDOUT)
			fire = !o->done;
	o->fired = fire;
	pthread_mutex_unlock(&o->mu);
	if (fire)
		o->fn(o->arg);
	return NULL;
}

int oneshot_start(struct oneshot *o, double delay_s, void (*fn)(void *), void *arg)
{
	pthread_condattr_t ca;

	*o = (struct oneshot){ .fn = fn, .arg = arg };
	pthread_mutex_init(&o->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&o->cv, &ca);
	pthread_condattr_destroy(&ca);
	util_deadline(&o->at, CLOCK_MONOTONIC, delay_s);
	if (pthread_create(&o->th, NULL, oneshot_main, o)) {
		pthread_cond_destroy(&o->cv);
		pthread_mutex_destroy(&o->mu);
		return -1;
	}
	o->running = 1;
	return 0;
}

int oneshot_stop(struct oneshot *o)
{
	if (!o->running)
		return 0;
	pthread_mutex_lock(&o->mu);
	o->done = 1;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	pthread_join(o->th, NULL);
	o->running = 0;
	pthread_cond_destroy(&o->cv);
	pthread_mutex_destroy(&o->mu);
	return o->fired;
}
