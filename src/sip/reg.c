/* reg.c - trunk registration: the scanner thread and the loop-side diff of
 * registrations, and the digest credentials (see reg.h). Moved out of
 * sip/ua.c. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "base/log.h"
#include "base/util.h"
#include "sip/reg.h"
#include "sip/trunk.h"
#include "store/store.h"
#include "voice/libre.h"

static struct list regs;          /* struct reg: one per number with a registrar (loop thread) */

/* the scanner thread (scan_mu) */
static pthread_mutex_t scan_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t scan_cv = PTHREAD_COND_INITIALIZER;
static pthread_t scan_thread;
static bool scan_running, scan_stop;
static uint32_t reg_scan_ms = 30000;  /* SWITCHBOARD_SIP_REG_SCAN_MS */
static int (*post)(struct sip_reg_set *rs);

/* ---- digest credentials ------------------------------------------------------------------------ */

int sip_cred_auth(char **username, char **password, const char *realm, void *arg)
{
	struct sip_cred *cr = arg;
	int err;
	(void)realm;

	if (!cr->username[0])
		return EAUTH;
	err = str_dup(username, cr->username);
	if (!err)
		err = str_dup(password, cr->password);
	return err;
}

/* ---- registrations ------------------------------------------------------------------------------ */

/* What the scanner thread wants registered: one per number whose trunk has
 * a registrar, resolved off the loop (err set when the trunk is unusable).
 * sig hashes everything before it: a changed setting re-registers. */
struct reg_want {
	int64_t phone_id;
	char number[32];
	char reg_uri[120];
	char aor[420];
	uint32_t expires;
	struct sip_cred cred;
	char err[200];
	uint8_t sig[32];
};

struct sip_reg_set {
	size_t n;
	struct reg_want *w;	/* calloc'd, wiped when freed */
};

/* A number's registration on the loop. */
struct reg {
	struct le le;
	int64_t phone_id;
	char number[32];
	char reg_uri[120];
	uint8_t sig[32];
	struct sip_cred *cred;	/* its own mem object: the sipreg refers to it */
	struct sipreg *sipreg;	/* NULL when the trunk could not be used */
	int state;		/* 0 pending, 1 registered, -1 failed */
};

static void cred_destructor(void *arg)
{
	sodium_memzero(arg, sizeof(struct sip_cred));
}

static void reg_destructor(void *arg)
{
	struct reg *r = arg;

	list_unlink(&r->le);
	if (r->sipreg && r->state == 1)
		log_info("voice: number %s: un-registering from %s", r->number, r->reg_uri);
	mem_deref(r->sipreg);	/* when registered, libre sends REGISTER expires=0 */
	mem_deref(r->cred);
}

static void reg_set_destructor(void *arg)
{
	struct sip_reg_set *rs = arg;

	if (rs->w) {
		sodium_memzero(rs->w, rs->n * sizeof(*rs->w));
		free(rs->w);
	}
}

static void reg_resp_h(int err, const struct sip_msg *msg, void *arg)
{
	struct reg *r = arg;

	if (!err && msg && msg->scode >= 200 && msg->scode < 300) {
		if (r->state != 1)
			log_info("voice: number %s registered at %s (expires %u s)", r->number,
				 r->reg_uri, sipreg_proxy_expires(r->sipreg));
		r->state = 1;
		return;
	}
	r->state = -1;
	if (msg)
		log_warn("voice: number %s: registration at %s failed: %u %.*s (libre retries later)",
			 r->number, r->reg_uri, msg->scode, (int)msg->reason.l, msg->reason.p);
	else
		log_warn("voice: number %s: registration at %s failed: %s (libre retries later)",
			 r->number, r->reg_uri, strerror(err ? err : EPROTO));
}

static struct reg *reg_find(int64_t phone_id)
{
	for (struct le *le = list_head(&regs); le; le = le->next) {
		struct reg *r = le->data;
		if (r->phone_id == phone_id)
			return r;
	}
	return NULL;
}

static void reg_start(struct sip *sip, const struct reg_want *w, struct list *into)
{
	struct reg *r = mem_zalloc(sizeof(*r), reg_destructor);
	int err;

	if (!r)
		return;
	r->phone_id = w->phone_id;
	snprintf(r->number, sizeof r->number, "%s", w->number);
	snprintf(r->reg_uri, sizeof r->reg_uri, "%s", w->reg_uri);
	memcpy(r->sig, w->sig, sizeof r->sig);
	list_append(into, &r->le, r);
	if (w->err[0]) {
		r->state = -1;
		log_warn("voice: number %s: registration failed: %s", r->number, w->err);
		return;
	}
	r->cred = mem_zalloc(sizeof(*r->cred), cred_destructor);
	if (!r->cred) {
		r->state = -1;
		return;
	}
	*r->cred = w->cred;
	/* the Contact's user is the number: inbound INVITEs come to it */
	err = sipreg_register(&r->sipreg, sip, w->reg_uri, w->aor, NULL, w->aor, w->expires,
			      w->number, NULL, 0, 0, sip_cred_auth, r->cred, true, reg_resp_h, r, NULL,
			      SIP_ALLOW_HDR);
	if (err) {
		r->state = -1;
		log_warn("voice: number %s: registration at %s failed: %s", r->number, w->reg_uri,
			 strerror(err));
		return;
	}
	log_info("voice: number %s: registering at %s as %s", r->number, w->reg_uri, w->aor);
}

/* Bring the registrations in line with what the store says now: new and
 * changed numbers register, numbers gone (or without a registrar now)
 * un-register, unchanged ones are left to libre's refreshing. */
void sip_reg_apply(struct sip *sip, const struct sip_reg_set *rs)
{
	struct list keep;
	struct le *le;

	list_init(&keep);
	for (size_t i = 0; i < rs->n; i++) {
		const struct reg_want *w = &rs->w[i];
		struct reg *r = reg_find(w->phone_id);

		if (r && !memcmp(r->sig, w->sig, sizeof r->sig)) {
			list_unlink(&r->le);
			list_append(&keep, &r->le, r);
			continue;
		}
		if (r && w->err[0] && r->sipreg) {
			/* e.g. DNS failed this time: keep what works */
			list_unlink(&r->le);
			list_append(&keep, &r->le, r);
			continue;
		}
		mem_deref(r);	/* changed: un-register the old one first */
		reg_start(sip, w, &keep);
	}
	while ((le = list_head(&regs)))
		mem_deref(le->data);	/* no longer wanted */
	while ((le = list_head(&keep))) {
		list_unlink(le);
		list_append(&regs, le, le->data);
	}
}

/* ---- the registration scanner (its own thread: store and DNS off the loop) ---- */

/* Without a "domain" the AOR's host is the registrar's. */
static void want_fill(struct reg_want *w, const json_t *row)
{
	const json_t *tj = json_object_get(row, "trunk");
	const char *num = json_string_value(json_object_get(row, "phone_number"));
	struct sip_trunk t;
	char addr[80], host[280], *txt, *colon;

	w->phone_id = (int64_t)json_integer_value(json_object_get(row, "id"));
	snprintf(w->number, sizeof w->number, "%s", num ? num : "");
	txt = json_dumps(tj, JSON_COMPACT);
	if (!txt) {
		snprintf(w->err, sizeof w->err, "out of memory");
		goto hash;
	}
	if (sip_trunk_parse(txt, &t, w->err, sizeof w->err)) {
		free(txt);
		goto hash;
	}
	free(txt);
	if (sip_trunk_registrar_addr(&t, addr, sizeof addr, w->err, sizeof w->err))
		goto wipe;
	snprintf(host, sizeof host, "%s", t.registrar);
	colon = strrchr(host, ':');
	if (colon && colon > host && colon[-1] != ':')
		*colon = '\0';
	snprintf(w->reg_uri, sizeof w->reg_uri, "sip:%s%s", addr, t.tcp ? ";transport=tcp" : "");
	snprintf(w->aor, sizeof w->aor, "sip:%s@%s", t.username[0] ? t.username : w->number,
		 json_string_value(json_object_get(tj, "domain")) ? t.domain : host);
	w->expires = t.expires;
	snprintf(w->cred.username, sizeof w->cred.username, "%s", t.username);
	snprintf(w->cred.password, sizeof w->cred.password, "%s", t.password);
wipe:
	sip_trunk_wipe(&t);
hash:
	crypto_generichash(w->sig, sizeof w->sig, (const unsigned char *)w,
			   offsetof(struct reg_want, sig), NULL, 0);
}

static void reg_scan(void)
{
	json_t *rows = store_voice_trunks(), *row;
	struct sip_reg_set *rs = NULL;
	size_t i, n = 0;

	if (!rows)
		return;	/* the store logged why */
	json_array_foreach(rows, i, row)
		if (json_string_value(json_object_get(json_object_get(row, "trunk"), "registrar")))
			n++;
	rs = mem_zalloc(sizeof(*rs), reg_set_destructor);
	if (!rs)
		goto out;
	rs->w = calloc(n ? n : 1, sizeof(*rs->w));
	if (!rs->w)
		goto out;
	json_array_foreach(rows, i, row)
		if (rs->n < n &&
		    json_string_value(json_object_get(json_object_get(row, "trunk"), "registrar")))
			want_fill(&rs->w[rs->n++], row);
	(void)post(rs);	/* even when empty: numbers may have gone */
	rs = NULL;
out:
	mem_deref(rs);
	json_decref(rows);
}

static void *scan_loop(void *arg)
{
	struct timespec ts;
	(void)arg;

	pthread_mutex_lock(&scan_mu);
	while (!scan_stop) {
		pthread_mutex_unlock(&scan_mu);
		reg_scan();
		util_deadline(&ts, CLOCK_REALTIME, reg_scan_ms / 1000.0);
		pthread_mutex_lock(&scan_mu);
		while (!scan_stop && pthread_cond_timedwait(&scan_cv, &scan_mu, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&scan_mu);
	store_thread_release();
	return NULL;
}

void sip_reg_scan_start(int (*post_fn)(struct sip_reg_set *rs))
{
	pthread_mutex_lock(&scan_mu);
	scan_stop = false;
	post = post_fn;
	scan_running = pthread_create(&scan_thread, NULL, scan_loop, NULL) == 0;
	pthread_mutex_unlock(&scan_mu);
	if (!scan_running)
		log_error("voice: cannot start the registration thread: trunks will not register");
}

void sip_reg_scan_stop(void)
{
	bool was;

	pthread_mutex_lock(&scan_mu);
	was = scan_running;
	scan_running = false;
	scan_stop = true;
	pthread_cond_broadcast(&scan_cv);
	pthread_mutex_unlock(&scan_mu);
	if (was)
		pthread_join(scan_thread, NULL);
}

int sip_reg_config(void)
{
	const char *e = getenv("SWITCHBOARD_SIP_REG_SCAN_MS");
	int64_t v;

	if (e && *e) {
		if (util_parse_i64(e, &v) || v < 100 || v > 3600000) {
			log_error("voice: SWITCHBOARD_SIP_REG_SCAN_MS='%s' is not 100..3600000", e);
			return -1;
		}
		reg_scan_ms = (uint32_t)v;
	}
	return 0;
}

void sip_reg_init(void)
{
	list_init(&regs);
}

void sip_reg_flush(void)
{
	list_flush(&regs);
}
