/* session.c - the session table and cross-request traffic (see session.h). */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/log.h"
#include "mcp/session.h"
#include "mcp/stream.h"
#include "base/util.h"

#define SHARDS 64
#define SHARD_BUCKETS 256

struct pending {
	struct pending *next;
	char id[32];
	json_t *response;   /* the whole response message */
};

static struct shard {
	pthread_mutex_t mu;
	struct session *buckets[SHARD_BUCKETS];
	size_t count;
} shards[SHARDS];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static atomic_size_t client_bytes_total;

/* Client sessions per API key (session_create_client), by key hash. */
struct keycount {
	struct keycount *next;
	unsigned char key_hash[32];
	int n;
};
static struct keycount *keys[256];
static pthread_mutex_t keys_mu = PTHREAD_MUTEX_INITIALIZER;
static int per_key_max;

static void table_init(void)
{
	for (int i = 0; i < SHARDS; i++)
		pthread_mutex_init(&shards[i].mu, NULL);
}

static uint32_t hash_id(const char *id)
{
	uint32_t h = 2166136261u;
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h;
}

static struct shard *shard_of(const char *id, struct session ***bucket)
{
	uint32_t h = hash_id(id);
	struct shard *sh = &shards[h % SHARDS];
	*bucket = &sh->buckets[(h / SHARDS) % SHARD_BUCKETS];
	return sh;
}

/* A new session in the table; keyed is set before another thread can see it. */
static struct session *session_new(enum session_transport t,
				   const struct principal *who, int keyed)
{
	struct session *s, **bucket;
	struct shard *sh;

	pthread_once(&table_once, table_init);
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	util_random_hex(s->id, 16);
	atomic_init(&s->refs, 2);	/* the table's and the caller's */
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->transport = t;
	if (who) {
		s->who = *who;
		s->authenticated = 1;
	}
	s->keyed = keyed;
	atomic_init(&s->log_level, 1);	/* "info" until logging/setLevel */
	atomic_init(&s->last_seen, util_mono());
	snprintf(s->protocol, sizeof(s->protocol), "2025-03-26");
	sh = shard_of(s->id, &bucket);
	pthread_mutex_lock(&sh->mu);
	s->hnext = *bucket;
	*bucket = s;
	sh->count++;
	pthread_mutex_unlock(&sh->mu);
	return s;
}

struct session *session_create(enum session_transport t,
			       const struct principal *who)
{
	return session_new(t, who, 0);
}

struct session *session_find(const char *id)
{
	struct session *s, **bucket;
	struct shard *sh;

	pthread_once(&table_once, table_init);
	if (!id || strlen(id) != 32)
		return NULL;
	sh = shard_of(id, &bucket);
	pthread_mutex_lock(&sh->mu);
	for (s = *bucket; s; s = s->hnext)
		if (!strcmp(s->id, id)) {
			atomic_fetch_add(&s->refs, 1);
			break;
		}
	pthread_mutex_unlock(&sh->mu);
	return s;
}

void session_ref(struct session *s)
{
	atomic_fetch_add(&s->refs, 1);
}

void session_unref(struct session *s)
{
	struct pending *p, *pn;

	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	for (p = s->pending; p; p = pn) {
		pn = p->next;
		json_decref(p->response);
		free(p);
	}
	if (s->standalone)
		stream_unref(s->standalone);
	json_decref(s->client_caps);
	json_decref(s->client_info);
	atomic_fetch_sub(&client_bytes_total, s->client_bytes);
	json_decref(s->subscriptions);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Add delta to the key's count; with max > 0, only while the count stays
 * at or below max. 0 when added, -1 when at the limit or out of memory. */
static int key_count_add(const unsigned char key_hash[32], int delta, int max)
{
	struct keycount **pp, *k;
	int r = -1;

	pthread_mutex_lock(&keys_mu);
	for (pp = &keys[key_hash[0]]; *pp; pp = &(*pp)->next)
		if (!memcmp((*pp)->key_hash, key_hash, 32))
			break;
	k = *pp;
	if (!k && delta > 0) {
		k = calloc(1, sizeof(*k));
		if (!k)
			goto out;
		memcpy(k->key_hash, key_hash, 32);
		*pp = k;
	}
	if (!k)
		goto out;
	if (max > 0 && k->n + delta > max)
		goto out;
	k->n += delta;
	r = 0;
	if (k->n <= 0) {
		*pp = k->next;
		free(k);
	}
out:
	pthread_mutex_unlock(&keys_mu);
	return r;
}

struct lru {
	const unsigned char *key_hash;
	struct session *oldest;   /* reference */
};

static int find_lru(struct session *s, void *arg)
{
	struct lru *l = arg;

	if (!s->keyed || memcmp(s->who.key_hash, l->key_hash, 32))
		return 0;
	pthread_mutex_lock(&s->mu);
	int busy = s->inflight != NULL || atomic_load(&s->ended) || atomic_load(&s->open_streams) > 0;
	pthread_mutex_unlock(&s->mu);
	if (busy || (l->oldest && atomic_load(&l->oldest->last_seen) <= atomic_load(&s->last_seen)))
		return 0;
	session_unref(l->oldest);
	session_ref(s);
	l->oldest = s;
	return 0;
}

int session_per_key_limit(void)
{
	pthread_mutex_lock(&keys_mu);
	if (!per_key_max)
		per_key_max = (int)util_env_i64("SWITCHBOARD_SESSIONS_PER_KEY",
						SESSION_PER_KEY_DEFAULT, 1, 100000);
	int n = per_key_max;
	pthread_mutex_unlock(&keys_mu);
	return n;
}

struct session *session_create_client(enum session_transport t,
				      const struct principal *who, int *full)
{
	struct session *s;

	*full = 0;
	if (!who)
		return session_create(t, NULL);
	int max = session_per_key_limit();
	/* a few rounds: another thread may take the room an eviction made */
	for (int round = 0; key_count_add(who->key_hash, 1, max); round++) {
		struct lru l = { who->key_hash, NULL };
		if (round == 4)
			goto refuse;
		session_foreach(find_lru, &l);
		if (!l.oldest)
			goto refuse;
		log_info("session %.8s: ended to make room for a new session of key '%s' "
			 "(limit %d)", l.oldest->id, who->key_prefix, max);
		session_end(l.oldest);
		session_unref(l.oldest);
	}
	s = session_new(t, who, 1);
	if (!s) {
		key_count_add(who->key_hash, -1, 0);
		return NULL;
	}
	return s;
refuse:
	*full = 1;
	return NULL;
}

int session_set_client(struct session *s, const json_t *caps, const json_t *info)
{
	size_t n = (caps ? json_dumpb(caps, NULL, 0, JSON_COMPACT) : 0) +
		   (info ? json_dumpb(info, NULL, 0, JSON_COMPACT) : 0);
	json_t *c, *i;

	if (n > SESSION_CLIENT_DATA_MAX)
		return -1;
	c = json_is_object(caps) ? json_deep_copy(caps) : json_object();
	i = info ? json_deep_copy(info) : NULL;
	pthread_mutex_lock(&s->mu);
	json_decref(s->client_caps);
	json_decref(s->client_info);
	s->client_caps = c;
	s->client_info = i;
	atomic_fetch_sub(&client_bytes_total, s->client_bytes);
	s->client_bytes = n;
	atomic_fetch_add(&client_bytes_total, n);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

void session_stats(size_t *sessions, size_t *client_bytes)
{
	*sessions = session_count();
	*client_bytes = atomic_load(&client_bytes_total);
}

/* Unlink from the table; 1 if this call did it. */
static int unlink_session(struct session *s)
{
	struct session **bucket, **pp;
	struct shard *sh = shard_of(s->id, &bucket);
	int found = 0;

	pthread_mutex_lock(&sh->mu);
	for (pp = bucket; *pp; pp = &(*pp)->hnext)
		if (*pp == s) {
			*pp = s->hnext;
			sh->count--;
			found = 1;
			break;
		}
	pthread_mutex_unlock(&sh->mu);
	if (found && s->keyed)
		key_count_add(s->who.key_hash, -1, 0);
	return found;
}

void session_end(struct session *s)
{
	struct inflight *f;
	int dropped = unlink_session(s);

	pthread_mutex_lock(&s->mu);
	atomic_store(&s->ended, 1);
	for (f = s->inflight; f; f = f->next)
		atomic_store(&f->cancelled, 1);
	if (s->standalone)
		stream_end(s->standalone);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (dropped)
		session_unref(s);	/* the table's reference */
}

void session_touch(struct session *s)
{
	atomic_store(&s->last_seen, util_mono());
}

int session_sweep(double idle_s)
{
	double now = util_mono();
	int ended = 0;

	pthread_once(&table_once, table_init);
	for (int i = 0; i < SHARDS; i++) {
		struct session *victims[64];
		int n = 0;
		struct shard *sh = &shards[i];

		pthread_mutex_lock(&sh->mu);
		for (int b = 0; b < SHARD_BUCKETS && n < 64; b++)
			for (struct session *s = sh->buckets[b]; s && n < 64; s = s->hnext) {
				if (!(now - atomic_load(&s->last_seen) > idle_s))
					continue;
				pthread_mutex_lock(&s->mu);	/* shard, then session: see session.h */
				int idle = !s->inflight;
				pthread_mutex_unlock(&s->mu);
				if (idle) {
					atomic_fetch_add(&s->refs, 1);
					victims[n++] = s;
				}
			}
		pthread_mutex_unlock(&sh->mu);
		for (int k = 0; k < n; k++) {
			session_end(victims[k]);
			session_unref(victims[k]);
		}
		ended += n;
	}
	return ended;
}

size_t session_count(void)
{
	size_t n = 0;
	pthread_once(&table_once, table_init);
	for (int i = 0; i < SHARDS; i++) {
		pthread_mutex_lock(&shards[i].mu);
		n += shards[i].count;
		pthread_mutex_unlock(&shards[i].mu);
	}
	return n;
}

void session_foreach(int (*fn)(struct session *s, void *arg), void *arg)
{
	pthread_once(&table_once, table_init);
	for (int i = 0; i < SHARDS; i++) {
		struct shard *sh = &shards[i];
		struct session **batch = NULL;
		size_t n = 0, cap = 0;

		/* collect references under the lock, call fn outside it */
		pthread_mutex_lock(&sh->mu);
		for (int b = 0; b < SHARD_BUCKETS; b++)
			for (struct session *s = sh->buckets[b]; s; s = s->hnext) {
				if (n == cap) {
					size_t nc = cap ? cap * 2 : 16;
					struct session **nb = realloc(batch, nc * sizeof(*nb));
					if (!nb)
						break;
					batch = nb;
					cap = nc;
				}
				atomic_fetch_add(&s->refs, 1);
				batch[n++] = s;
			}
		pthread_mutex_unlock(&sh->mu);
		int stop = 0;
		for (size_t k = 0; k < n; k++) {
			if (!stop)
				stop = fn(batch[k], arg);
			session_unref(batch[k]);
		}
		free(batch);
		if (stop)
			return;
	}
}

void session_end_all(void)
{
	while (session_sweep(-1.0) > 0)
		;
	/* sessions with requests in flight: end them too */
	for (int i = 0; i < SHARDS; i++) {
		for (;;) {
			struct session *s = NULL;
			pthread_mutex_lock(&shards[i].mu);
			for (int b = 0; b < SHARD_BUCKETS && !s; b++)
				if (shards[i].buckets[b]) {
					s = shards[i].buckets[b];
					atomic_fetch_add(&s->refs, 1);
				}
			pthread_mutex_unlock(&shards[i].mu);
			if (!s)
				break;
			session_end(s);
			session_unref(s);
		}
	}
}

int session_key_matches(const struct session *s, const struct principal *p)
{
	if (!s->authenticated)
		return p == NULL;
	return p && util_ct_equal(s->who.key_hash, p->key_hash, 32);
}

int session_notify(struct session *s, const json_t *msg)
{
	struct stream *st;
	int r = -1;

	pthread_mutex_lock(&s->mu);
	st = s->standalone;
	if (st)
		stream_ref(st);
	pthread_mutex_unlock(&s->mu);
	if (st) {
		r = stream_push_json(st, msg);
		stream_unref(st);
	} else {
		log_debug("session %.8s: no stream open, notification dropped", s->id);
	}
	return r;
}

int session_client_request(struct session *s, struct sink *out,
			   const char *method, json_t *params, int timeout_ms,
			   struct inflight *flight, json_t **result)
{
	struct pending *p = NULL, **pp;
	json_t *msg = NULL, *resp = NULL;
	struct timespec dl;
	int r = -1;

	*result = NULL;
	if (!params)
		params = json_object();
	p = calloc(1, sizeof(*p));
	if (!p)
		goto out;
	pthread_mutex_lock(&s->mu);
	snprintf(p->id, sizeof(p->id), "srv-%llu",
		 (unsigned long long)++s->next_request_id);
	p->next = s->pending;
	s->pending = p;
	pthread_mutex_unlock(&s->mu);

	msg = json_pack("{s:s, s:s, s:s, s:O}", "jsonrpc", "2.0", "id", p->id,
			"method", method, "params", params);
	if (!msg || out->send(out, msg))
		goto unlink;

	util_deadline(&dl, CLOCK_MONOTONIC, timeout_ms / 1000.0);
	pthread_mutex_lock(&s->mu);
	while (!p->response && !s->ended &&
	       !(flight && atomic_load(&flight->cancelled))) {
		if (pthread_cond_timedwait(&s->cv, &s->mu, &dl) == ETIMEDOUT)
			break;
	}
	resp = p->response;
	p->response = NULL;
	pthread_mutex_unlock(&s->mu);
	if (resp) {
		json_t *res = json_object_get(resp, "result");
		if (res) {
			*result = json_incref(res);
			r = 0;
		} else {
			*result = json_incref(json_object_get(resp, "error"));
			r = 1;
		}
		json_decref(resp);
	}
unlink:
	pthread_mutex_lock(&s->mu);
	for (pp = &s->pending; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	pthread_mutex_unlock(&s->mu);
	json_decref(p->response);
	free(p);
out:
	json_decref(params);
	json_decref(msg);
	return r;
}

int session_resolve(struct session *s, const json_t *msg)
{
	const json_t *id = json_object_get(msg, "id");
	struct pending *p;
	int r = -1;

	if (!json_is_string(id))
		return -1;
	pthread_mutex_lock(&s->mu);
	for (p = s->pending; p; p = p->next)
		if (!strcmp(p->id, json_string_value(id)) && !p->response) {
			p->response = json_deep_copy(msg);
			pthread_cond_broadcast(&s->cv);
			r = 0;
			break;
		}
	pthread_mutex_unlock(&s->mu);
	return r;
}

void session_inflight_add(struct session *s, struct inflight *f,
			  const json_t *id)
{
	f->id = json_deep_copy(id);
	atomic_init(&f->cancelled, 0);
	pthread_mutex_lock(&s->mu);
	f->next = s->inflight;
	s->inflight = f;
	if (atomic_load(&s->ended))
		atomic_store(&f->cancelled, 1);
	pthread_mutex_unlock(&s->mu);
}

void session_inflight_remove(struct session *s, struct inflight *f)
{
	struct inflight **pp;

	pthread_mutex_lock(&s->mu);
	for (pp = &s->inflight; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	pthread_mutex_unlock(&s->mu);
	json_decref(f->id);
	f->id = NULL;
}

void session_cancel(struct session *s, const json_t *id)
{
	pthread_mutex_lock(&s->mu);
	for (struct inflight *f = s->inflight; f; f = f->next)
		if (json_equal(f->id, id)) {
			atomic_store(&f->cancelled, 1);
			pthread_cond_broadcast(&s->cv);
		}
	pthread_mutex_unlock(&s->mu);
}
