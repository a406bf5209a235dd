/* quota.c - per-account bounds on work in flight (see quota.h). */
#include <pthread.h>
#include <stdlib.h>
#include "mcp/quota.h"
#include "base/util.h"

#define BUCKETS 256

struct entry {
	struct entry *next;
	int64_t account_id;
	int n;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct entry *table[BUCKETS];
static int total;
static int limit;	/* 0 until read from the environment */

static struct entry **slot(int64_t account_id)
{
	uint64_t h = (uint64_t)account_id * 0x9E3779B97F4A7C15ull;
	struct entry **pp = &table[h >> 56];	/* top 8 bits: BUCKETS = 256 */

	while (*pp && (*pp)->account_id != account_id)
		pp = &(*pp)->next;
	return pp;
}

int quota_limit(void)
{
	pthread_mutex_lock(&mu);
	if (!limit)
		limit = (int)util_env_i64("SWITCHBOARD_ACCOUNT_INFLIGHT_MAX",
					  QUOTA_DEFAULT_MAX, 1, 4096);
	int l = limit;
	pthread_mutex_unlock(&mu);
	return l;
}

int quota_acquire(int64_t account_id)
{
	int max = quota_limit(), r = -1;
	struct entry **pp, *e;

	pthread_mutex_lock(&mu);
	pp = slot(account_id);
	e = *pp;
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			goto out;
		e->account_id = account_id;
		*pp = e;
	}
	if (e->n < max) {
		e->n++;
		total++;
		r = 0;
	}
out:
	pthread_mutex_unlock(&mu);
	return r;
}

void quota_release(int64_t account_id)
{
	struct entry **pp, *e;

	pthread_mutex_lock(&mu);
	pp = slot(account_id);
	e = *pp;
	if (e && e->n > 0) {
		e->n--;
		total--;
		if (!e->n) {	/* idle accounts take no memory */
			*pp = e->next;
			free(e);
		}
	}
	pthread_mutex_unlock(&mu);
}

int quota_in_flight(int64_t account_id)
{
	pthread_mutex_lock(&mu);
	struct entry *e = *slot(account_id);
	int n = e ? e->n : 0;
	pthread_mutex_unlock(&mu);
	return n;
}

int quota_total(void)
{
	pthread_mutex_lock(&mu);
	int n = total;
	pthread_mutex_unlock(&mu);
	return n;
}
