/*
 * ua.c - the SIP user agent on libre's loop, in its own thread (see ua.h).
 *
 * Sections: the call table other threads may ask about; a call's life
 * (alloc, end - reported to the runtime's callbacks); media ticks (handed
 * to voice/listen.c); SIP session handlers; inbound INVITE and OPTIONS;
 * outbound dialling; transfer by REFER (sip/refer.c); the work queue from
 * other threads and the conversations' line orders; start and stop.
 * Registration is sip/reg.c, the settings sip/conf.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "voice/libre.h"
#include <sodium.h>
#include "base/log.h"
#include "sip/conf.h"
#include "sip/refer.h"
#include "sip/reg.h"
#include "sip/trunk.h"
#include "sip/ua.h"
#include "speech/speech.h"
#include "store/assistant_settings.h"
#include "store/store.h"
#include "base/util.h"
#include "voice/conv.h"
#include "voice/line.h"
#include "voice/listen.h"
#include "voice/media.h"
#include "voice/recording.h"

#define ALLOW_HDR SIP_ALLOW_HDR
#define USER_AGENT SIP_USER_AGENT

enum { MSG_DIAL = 1, MSG_COMMAND, MSG_STOP, MSG_REGSET, MSG_LINE };

/* ---- loop-thread state ------------------------------------------------------ */

static struct sip *sip;
static struct sipsess_sock *sess_sock;
static struct sipevent_sock *evsock;
static struct sip_lsnr *lsnr;
static struct list calls;
static struct sip_conf conf;      /* read once at start (sip/conf.h) */
static struct tmr stop_tmr;

/* ---- shared with other threads (mu) ----------------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct mqueue *mq;       /* set while running */
static pthread_t thread;
static struct sip_ua_events events;  /* set before the loop starts */
static int state;               /* 0 stopped, 1 starting, 2 running, -1 failed */
static int64_t *live_ids;       /* calls on our line, for sip_ua_command */
static size_t live_n, live_cap;

static void line_wake(int64_t call_id);
static void transfer_done(void *arg, const char *target, const char *why);

static void live_add(int64_t id)
{
	pthread_mutex_lock(&mu);
	if (live_n == live_cap) {
		size_t cap = live_cap ? live_cap * 2 : 64;
		int64_t *p = realloc(live_ids, cap * sizeof(*p));
		if (p) {
			live_ids = p;
			live_cap = cap;
		}
	}
	if (live_n < live_cap)
		live_ids[live_n++] = id;
	pthread_mutex_unlock(&mu);
}

static void live_del(int64_t id)
{
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < live_n; i++)
		if (live_ids[i] == id) {
			live_ids[i] = live_ids[--live_n];
			break;
		}
	pthread_mutex_unlock(&mu);
}

static int live_has(int64_t id)
{
	int r = 0;

	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < live_n && !r; i++)
		r = live_ids[i] == id;
	pthread_mutex_unlock(&mu);
	return r;
}

/* ---- a call ------------------------------------------------------------------- */

struct call {
	struct le le;
	int64_t id, account_id;
	struct sipsess *sess;
	struct media *media;
	struct voice_line *line;
	struct tmr ring_tmr, defer_tmr, answer_tmr;
	bool outbound, answered, ended, rang, conv_started;
	uint64_t answered_at;          /* tmr_jiffies */
	struct sip_cred cred;          /* digest credentials (sip_cred_auth) */
	char peer[96];                 /* host:port for Refer-To URIs */
	char transport_param[16];      /* ";transport=tcp" or "" */
	struct sip_refer transfer;     /* a blind transfer by REFER */
	struct voice_listen listen;    /* end-pointing, barge-in, keypad tones, beep */
	/* a hang-up asked for while no conversation runs */
	char pending_status[24];
	char pending_reason[200];
};

static void call_destructor(void *arg)
{
	struct call *c = arg;

	tmr_cancel(&c->ring_tmr);
	tmr_cancel(&c->defer_tmr);
	tmr_cancel(&c->answer_tmr);
	list_unlink(&c->le);
	sip_refer_release(&c->transfer);
	mem_deref(c->sess);	/* BYE when established, CANCEL while ringing */
	mem_deref(c->media);
	if (c->line) {
		voice_line_close(c->line);
		voice_line_unref(c->line);
	}
	voice_listen_release(&c->listen);
	sodium_memzero(&c->cred, sizeof c->cred);
}

static struct call *call_find(int64_t id)
{
	for (struct le *le = list_head(&calls); le; le = le->next) {
		struct call *c = le->data;
		if (c->id == id && !c->ended)
			return c;
	}
	return NULL;
}

static void record_finish(struct call *c)
{
	char path[1200];
	struct stat st;

	if (!c->media)
		return;
	media_record_stop(c->media);
	if (!voice_recording_file(c->account_id, c->id, path, sizeof path) &&
	    !stat(path, &st) && st.st_size > 44) {
		char url[64];
		snprintf(url, sizeof url, "/recordings/%lld.wav", (long long)c->id);
		store_voice_recording_set(c->id, url);
	}
}

/* The one way a call ends: the row gets its final status, duration and
 * charge; the session goes (BYE / CANCEL as fits), the conversation stops. */
static void call_end(struct call *c, const char *status, const char *reason)
{
	int64_t dur = 0, cost = 0;
	struct media_stats st = { 0 };

	if (c->ended)
		return;
	c->ended = true;
	if (c->answered)
		dur = (int64_t)((tmr_jiffies() - c->answered_at + 500) / 1000);
	if (c->media)
		media_stats(c->media, &st);
	record_finish(c);
	if (events.ended) {	/* the runtime records the end and the charge */
		struct sip_ua_end end = { c->id, status, reason, dur, c->conv_started };
		cost = events.ended(&end);
	}
	log_info("voice: call %lld %s (%s): %llds, rtp rx %llu tx %llu, %s, cost %lld micros",
		 (long long)c->id, status, reason ? reason : "-", (long long)dur,
		 (unsigned long long)st.rx_packets, (unsigned long long)st.tx_packets,
		 st.codec[0] ? st.codec : "no media", (long long)cost);
	live_del(c->id);
	mem_deref(c);
}

static void deferred_end(void *arg)
{
	struct call *c = arg;
	call_end(c, c->pending_status, c->pending_reason);
}

/* End from inside a libre handler that may still use the session: on the
 * next loop turn. */
static void call_end_soon(struct call *c, const char *status, const char *reason)
{
	snprintf(c->pending_status, sizeof c->pending_status, "%s", status);
	snprintf(c->pending_reason, sizeof c->pending_reason, "%s", reason ? reason : "");
	tmr_start(&c->defer_tmr, 0, deferred_end, c);
}

/* ---- media ticks: the caller's frames go to voice/listen.c ---------------------- */

static void on_tick(void *arg, const int16_t *rx, const int16_t *tx, bool tx_audio)
{
	struct call *c = arg;
	(void)tx;

	if (!c->line || !c->conv_started)
		return;
	voice_listen_frame(&c->listen, rx, tx_audio, tmr_jiffies() - c->answered_at);
}

static void on_dtmf(void *arg, char digit)
{
	voice_listen_digit(&((struct call *)arg)->listen, digit);
}

/* ---- alloc ---------------------------------------------------------------------- */

static struct call *call_alloc(int64_t id, int64_t account_id, bool outbound)
{
	struct call *c = mem_zalloc(sizeof(*c), call_destructor);
	struct media_cb cb = { on_tick, on_dtmf, NULL };
	int err;

	if (!c)
		return NULL;
	c->id = id;
	c->account_id = account_id;
	c->outbound = outbound;
	sip_refer_init(&c->transfer, id, transfer_done, c);
	c->line = voice_line_new(id);
	voice_listen_init(&c->listen, id, c->line, outbound);
	if (c->line)
		voice_line_set_wake(c->line, line_wake);
	cb.arg = c;
	err = c->line ? media_alloc(&c->media, &conf.media_ip, conf.rtp_min, conf.rtp_max, c->line, &cb)
		      : ENOMEM;
	if (err) {
		log_error("voice: call %lld: cannot set up media: %s", (long long)id, strerror(err));
		mem_deref(c);
		return NULL;
	}
	list_append(&calls, &c->le, c);
	live_add(id);
	return c;
}

/* ---- the conversation starts ----------------------------------------------------- */

static void call_answered(struct call *c)
{
	struct assistant_settings s;
	json_t *a;

	if (c->answered)
		return;
	c->answered = true;
	c->answered_at = tmr_jiffies();
	stt_prewarm();	/* decoders warm while the greeting plays */
	tmr_cancel(&c->ring_tmr);
	/* no detection has spoken yet: the conversation may say "machine" */
	if (events.answered)
		events.answered(c->id, c->outbound ? "unknown" : "human");
	media_start(c->media);
	a = store_voice_call_assistant(c->id);
	if (!a) {
		call_end_soon(c, "failed", "the call's record is gone");
		return;
	}
	assistant_settings_parse(a, &s);	/* borrows from a, which the conversation keeps */
	voice_listen_configure(&c->listen, &s);
	media_set_ambient(c->media, s.ambient_sound_volume);
	if (s.record_call) {
		char path[1200];
		if (voice_recording_file(c->account_id, c->id, path, sizeof path) ||
		    media_record(c->media, path))
			log_warn("voice: call %lld: cannot record to '%s'", (long long)c->id, path);
	}
	if (voice_conv_start(c->line, a, &s)) {
		json_decref(a);
		call_end_soon(c, "failed", "cannot start the conversation");
		return;
	}
	c->conv_started = true;
}

/* ---- SIP session handlers ------------------------------------------------------------ */

static int offer_h(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	bool got_offer = mbuf_get_left(msg->mb) > 0;
	struct media_stats st;
	int err;

	if (got_offer) {
		err = sdp_decode(media_sdp(c->media), msg->mb, true);
		if (!err)
			err = media_update(c->media);
		if (err)
			return err;
	}
	media_stats(c->media, &st);
	log_info("voice: call %lld: re-INVITE, %s", (long long)c->id,
		 st.on_hold ? "on hold: not sending" : "sending");
	return sdp_encode(descp, media_sdp(c->media), !got_offer);
}

static int answer_h(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	int err = sdp_decode(media_sdp(c->media), msg->mb, false);

	if (!err)
		err = media_update(c->media);
	if (err)
		log_warn("voice: call %lld: the answer's SDP has no common codec", (long long)c->id);
	return err;
}

static void progr_h(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	if (!c->rang && (msg->scode == 180 || msg->scode == 183)) {
		c->rang = true;
		if (events.ringing)
			events.ringing(c->id);
	}
	if (msg->scode == 183 && mbuf_get_left(msg->mb))
		(void)answer_h(msg, arg);	/* early media: know where to send */
}

static void estab_h(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	(void)msg;

	log_info("voice: call %lld: established", (long long)c->id);
	call_answered(c);
}

static void close_h(int err, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	char reason[300];
	const char *status;

	c->sess = mem_deref(c->sess);	/* closed already: no BYE */
	if (c->answered) {
		if (err == ECONNRESET && !msg) {
			status = "ended_by_customer";
			snprintf(reason, sizeof reason, "%s hung up",
				 c->outbound ? "the called party" : "the caller");
		} else {
			status = "failed";
			snprintf(reason, sizeof reason, "the call was cut: %s%s%.*s",
				 err ? strerror(err) : "", msg ? " " : "",
				 msg ? (int)msg->reason.l : 0, msg ? msg->reason.p : "");
		}
	} else if (msg && msg->scode >= 300) {
		uint16_t sc = msg->scode;
		if (sc == 486 || sc == 600 || sc == 603)
			status = "busy";
		else if (sc == 408 || sc == 480 || sc == 487)
			status = "no-answer";
		else
			status = "failed";
		snprintf(reason, sizeof reason, "the far end answered %u %.*s", sc,
			 (int)msg->reason.l, msg->reason.p);
	} else if (!c->outbound) {
		status = "ended_by_customer";
		snprintf(reason, sizeof reason, "the caller hung up before the answer");
	} else if (err == ETIMEDOUT) {
		status = "failed";
		snprintf(reason, sizeof reason, "no answer from the SIP trunk %s (timeout)", c->peer);
	} else {
		status = "failed";
		snprintf(reason, sizeof reason, "cannot reach the SIP trunk %s: %s", c->peer,
			 strerror(err ? err : EPROTO));
	}
	call_end(c, status, reason);
}

/* ---- inbound ------------------------------------------------------------------------- */

/* "+4930...", "4930..." or "sip:+4930...@host" user part into E.164. */
static int user_e164(const struct pl *user, char *out, size_t n)
{
	size_t j = 0;

	if (!user || !user->l || user->l + 2 > n)
		return -1;
	if (user->p[0] != '+')
		out[j++] = '+';
	for (size_t i = 0; i < user->l; i++) {
		char ch = user->p[i];
		if (i == 0 && ch == '+') {
			out[j++] = ch;
			continue;
		}
		if (ch < '0' || ch > '9')
			return -1;
		out[j++] = ch;
	}
	out[j] = '\0';
	return j >= 3 && j <= 16 ? 0 : -1;
}

/* SWITCHBOARD_ANSWER_DELAY_MS after a ringing inbound call arrived: 200 OK
 * with our SDP (the conversation starts with the ACK, in estab_h). */
static void answer_now(void *arg)
{
	struct call *c = arg;
	struct mbuf *desc = NULL;
	int err;

	if (!c->sess)
		return;
	err = sdp_encode(&desc, media_sdp(c->media), false);
	if (!err)
		err = sipsess_answer(c->sess, 200, "OK", desc, ALLOW_HDR);
	mem_deref(desc);
	if (err) {
		log_warn("voice: call %lld: cannot answer: %s", (long long)c->id, strerror(err));
		call_end(c, "failed", "cannot answer the call");
	}
}

static void conn_h(const struct sip_msg *msg, void *arg)
{
	struct store_voice_line line;
	struct store_account acc;
	char to[32], from[32], callid[128];
	struct mbuf *desc = NULL;
	struct call *c = NULL;
	int64_t id;
	int err;
	(void)arg;

	if (user_e164(&msg->uri.user, to, sizeof to) && user_e164(&msg->to.uri.user, to, sizeof to)) {
		sip_treply(NULL, sip, msg, 404, "Not Found");
		return;
	}
	if (store_voice_line_by_number(to, &line)) {
		log_info("voice: inbound call for %s: no such number", to);
		sip_treply(NULL, sip, msg, 404, "Not Found");
		return;
	}
	if (!line.assistant_id || strcmp(line.calls_direction, "receive")) {
		log_info("voice: inbound call for %s: no inbound assistant on the number", to);
		sip_treply(NULL, sip, msg, 480, "Temporarily Unavailable");
		return;
	}
	if (store_account_get(line.account_id, &acc) || acc.balance_micros <= 0) {
		log_info("voice: inbound call for %s: the account has no balance", to);
		sip_treply(NULL, sip, msg, 480, "Temporarily Unavailable");
		return;
	}
	if (user_e164(&msg->from.uri.user, from, sizeof from))
		snprintf(from, sizeof from, "%.*s", (int)msg->from.uri.user.l, msg->from.uri.user.p);
	snprintf(callid, sizeof callid, "%.*s", (int)msg->callid.l, msg->callid.p);
	if (store_voice_call_inbound(line.account_id, line.assistant_id, to, from, callid, &id)) {
		sip_treply(NULL, sip, msg, 500, "Server Internal Error");
		return;
	}
	c = call_alloc(id, line.account_id, false);
	if (!c) {
		sip_treply(NULL, sip, msg, 500, "Server Internal Error");
		store_voice_call_end(id, "failed", "cannot set up media", 0, 0, NULL);
		return;
	}
	re_snprintf(c->peer, sizeof c->peer, "%J", &msg->src);
	snprintf(c->transport_param, sizeof c->transport_param, "%s",
		 msg->tp == SIP_TRANSP_TCP ? ";transport=tcp" : "");
	err = sdp_decode(media_sdp(c->media), msg->mb, true);
	if (!err)
		err = media_update(c->media);
	if (err) {
		sip_treply(NULL, sip, msg, 488, "Not Acceptable Here");
		call_end(c, "failed", "the caller offered no PCMU or PCMA audio");
		return;
	}
	if (conf.answer_delay_ms) {
		/* ring first: the caller may still hang up (CANCEL: close_h) */
		err = sipsess_accept(&c->sess, sess_sock, msg, 180, "Ringing", USER_AGENT,
				     "application/sdp", NULL, NULL, NULL, false, offer_h, answer_h,
				     estab_h, NULL, NULL, close_h, c, ALLOW_HDR);
		if (!err)
			tmr_start(&c->answer_tmr, conf.answer_delay_ms, answer_now, c);
	} else {
		err = sdp_encode(&desc, media_sdp(c->media), false);
		if (!err)
			err = sipsess_accept(&c->sess, sess_sock, msg, 200, "OK", USER_AGENT,
					     "application/sdp", desc, NULL, NULL, false, offer_h,
					     answer_h, estab_h, NULL, NULL, close_h, c, ALLOW_HDR);
		mem_deref(desc);
	}
	if (err) {
		sip_treply(NULL, sip, msg, 500, "Server Internal Error");
		call_end(c, "failed", "cannot answer the call");
		return;
	}
	log_info("voice: inbound call %lld from %s to %s%s", (long long)id, from, to,
		 conf.answer_delay_ms ? ": ringing" : "");
}

/* Out-of-dialog requests the session layer does not take. */
static bool request_h(const struct sip_msg *msg, void *arg)
{
	(void)arg;
	if (!pl_strcmp(&msg->met, "OPTIONS")) {
		(void)sip_replyf(sip, msg, 200, "OK", ALLOW_HDR
				 "Accept: application/sdp\r\nContent-Length: 0\r\n\r\n");
		return true;
	}
	return false;
}

/* ---- outbound ---------------------------------------------------------------------------- */

struct dial_req {
	int64_t call_id, account_id;
	char to[24], from[24];
	struct sip_trunk trunk;
};

static void dial_req_destructor(void *arg)
{
	struct dial_req *r = arg;
	sip_trunk_wipe(&r->trunk);
}

static void ring_timeout(void *arg)
{
	struct call *c = arg;
	/* mem_deref of a ringing session sends CANCEL */
	call_end(c, "no-answer", "no answer within the ring timeout");
}

static void dial(struct dial_req *r)
{
	struct sip_trunk *t = &r->trunk;
	char to_uri[400], from_uri[400], host[96];
	struct mbuf *desc = NULL;
	struct call *c;
	int err;

	c = call_alloc(r->call_id, r->account_id, true);
	if (!c) {
		store_voice_call_end(r->call_id, "failed", "cannot set up media", 0, 0, NULL);
		return;
	}
	if (strchr(t->addr, ':'))
		snprintf(host, sizeof host, "[%s]:%u", t->addr, t->port);
	else
		snprintf(host, sizeof host, "%s:%u", t->addr, t->port);
	snprintf(c->peer, sizeof c->peer, "%s", host);
	snprintf(c->transport_param, sizeof c->transport_param, "%s",
		 t->tcp ? ";transport=tcp" : "");
	snprintf(c->cred.username, sizeof c->cred.username, "%s", t->username);
	snprintf(c->cred.password, sizeof c->cred.password, "%s", t->password);
	snprintf(to_uri, sizeof to_uri, "sip:%s@%s%s", r->to, host, c->transport_param);
	snprintf(from_uri, sizeof from_uri, "sip:%s@%s", t->caller_id[0] ? t->caller_id : r->from,
		 t->domain);
	err = sdp_encode(&desc, media_sdp(c->media), true);
	if (!err)
		err = sipsess_connect(&c->sess, sess_sock, to_uri, NULL, from_uri, USER_AGENT,
				      NULL, 0, "application/sdp", desc, sip_cred_auth, &c->cred, false,
				      offer_h, answer_h, progr_h, estab_h, NULL, NULL, close_h, c,
				      ALLOW_HDR);
	mem_deref(desc);
	if (err) {
		char why[400];
		snprintf(why, sizeof why, "cannot dial %s through %s: %s", r->to, host, strerror(err));
		call_end(c, "failed", why);
		return;
	}
	store_voice_call_dialing(c->id, sip_dialog_callid(sipsess_dialog(c->sess)));
	tmr_start(&c->ring_tmr, conf.ring_timeout_ms, ring_timeout, c);
	log_info("voice: call %lld: dialling %s", (long long)c->id, to_uri);
}

/* ---- transfer by REFER (sip/refer.c) ------------------------------------------------------ */

/* The transfer's outcome: through, the call ends; failed, the
 * conversation says so and the call goes on. */
static void transfer_done(void *arg, const char *target, const char *why)
{
	struct call *c = arg;
	char reason[200];

	if (events.transfer)
		events.transfer(c->id, target, why);
	if (why) {
		voice_line_post(c->line, voice_ev_new(VEV_TRANSFER_FAILED, why));
		return;
	}
	snprintf(reason, sizeof reason, "transferred to %s", target);
	call_end(c, "completed", reason);
}

static void do_refer(struct call *c, const char *target)
{
	sip_refer_start(&c->transfer, evsock, c->sess, target, c->peer, c->transport_param, &c->cred);
}

/* ---- work from other threads ----------------------------------------------------------------- */

struct command {
	int64_t call_id;
	char op[16];
	char arg[200];
	char status[24];
};

static void send_digits(struct call *c, const char *digits)
{
	log_info("voice: call %lld: sending digits '%s'", (long long)c->id, digits);
	if (media_send_dtmf(c->media, digits))
		log_warn("voice: call %lld: cannot send digits '%s'", (long long)c->id, digits);
}

static void command(struct command *cmd)
{
	struct call *c = call_find(cmd->call_id);

	if (!c)
		return;
	if (!strcmp(cmd->op, "hangup") || !strcmp(cmd->op, "transfer")) {
		/* the conversation says what is being said to the end first */
		bool hang = !strcmp(cmd->op, "hangup");
		if (c->conv_started && !voice_line_is_closed(c->line))
			voice_line_post(c->line, voice_ev_new(hang ? VEV_HANGUP : VEV_TRANSFER,
							      hang ? NULL : cmd->arg));
		else if (hang)
			call_end(c, "ended_by_assistant", "the assistant ended the call");
		else if (c->answered)
			do_refer(c, cmd->arg);
	} else if (!strcmp(cmd->op, "bye")) {
		call_end(c, cmd->status[0] ? cmd->status : "completed", cmd->arg[0] ? cmd->arg : NULL);
	} else if (!strcmp(cmd->op, "refer")) {
		if (c->answered)
			do_refer(c, cmd->arg);
	} else if (!strcmp(cmd->op, "dtmf")) {
		send_digits(c, cmd->arg);
	}
}

/* The conversation's orders (voice_line_order), in the order given. A
 * hang-up ends the call: what follows it is dropped with the line. */
static void line_orders(const int64_t *call_id)
{
	struct call *c = call_find(*call_id);
	struct voice_line_order *o;
	bool ended = false;

	while (c && !ended && (o = voice_line_take_order(c->line))) {
		switch (o->cmd) {
		case LINE_HANGUP:
			ended = true;
			call_end(c, o->status[0] ? o->status : "completed", o->arg[0] ? o->arg : NULL);
			break;
		case LINE_TRANSFER:
			if (c->answered)
				do_refer(c, o->arg);
			break;
		case LINE_DTMF:
			send_digits(c, o->arg);
			break;
		}
		free(o);
	}
}

/* The SIP stack has let go (sip_close), or shutdown has waited long
 * enough: the loop ends. */
static void stop_now(void *arg)
{
	(void)arg;
	re_cancel();
}

static void stop_begin(void)
{
	struct le *le;

	while ((le = list_head(&calls))) {
		struct call *c = le->data;
		if (c->ended) {
			list_unlink(&c->le);
			continue;
		}
		call_end(c, c->answered ? "completed" : "failed", "server shutting down");
	}
	lsnr = mem_deref(lsnr);
	sip_reg_flush();	/* un-REGISTER (expires=0) where registered */
	sipsess_close_all(sess_sock);
	/* let the BYEs and CANCELs complete, but not for long */
	tmr_start(&stop_tmr, 1500, stop_now, NULL);
	sip_close(sip, false);
}

static void mq_h(int id, void *data, void *arg)
{
	(void)arg;
	switch (id) {
	case MSG_DIAL:
		dial(data);
		break;
	case MSG_COMMAND:
		command(data);
		break;
	case MSG_STOP:
		stop_begin();
		break;
	case MSG_REGSET:
		sip_reg_apply(sip, data);
		break;
	case MSG_LINE:
		line_orders(data);
		break;
	default:
		break;
	}
	mem_deref(data);
}

static int push(int id, void *data)
{
	int err = ENOENT;

	pthread_mutex_lock(&mu);
	if (state == 2 && mq)
		err = mqueue_push(mq, id, data);
	pthread_mutex_unlock(&mu);
	if (err)
		mem_deref(data);
	return err;
}

/* A conversation queued an order on its line (voice_line_order): the loop
 * takes it (line_orders). */
static void line_wake(int64_t call_id)
{
	int64_t *id = mem_zalloc(sizeof(*id), NULL);

	if (!id)
		return;
	*id = call_id;
	(void)push(MSG_LINE, id);
}

/* The registration scanner's wanted set, for the loop (sip_reg_apply). */
static int post_regset(struct sip_reg_set *rs)
{
	return push(MSG_REGSET, rs);
}

void sip_ua_set_events(const struct sip_ua_events *ev)
{
	pthread_mutex_lock(&mu);
	events = *ev;
	pthread_mutex_unlock(&mu);
}

int sip_ua_running(void)
{
	int r;

	pthread_mutex_lock(&mu);
	r = state == 2;
	pthread_mutex_unlock(&mu);
	return r;
}

int sip_ua_dial(int64_t call_id, const struct store_dial *d, char *why, size_t whylen)
{
	struct dial_req *r;

	if (!sip_ua_running()) {
		snprintf(why, whylen, "the SIP user agent is not running");
		return -1;
	}
	r = mem_zalloc(sizeof(*r), dial_req_destructor);
	if (!r) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	r->call_id = call_id;
	r->account_id = d->account_id;
	snprintf(r->to, sizeof r->to, "%s", d->to_number);
	snprintf(r->from, sizeof r->from, "%s", d->from_number);
	if (sip_trunk_parse(d->trunk, &r->trunk, why, whylen) ||
	    sip_trunk_resolve(&r->trunk, why, whylen)) {
		mem_deref(r);
		return -1;
	}
	if (push(MSG_DIAL, r)) {
		snprintf(why, whylen, "the SIP user agent is not running");
		return -1;
	}
	return 0;
}

static int post_command(int64_t call_id, const char *op, const char *arg, const char *status)
{
	struct command *c = mem_zalloc(sizeof(*c), NULL);

	if (!c)
		return -1;
	c->call_id = call_id;
	snprintf(c->op, sizeof c->op, "%s", op);
	snprintf(c->arg, sizeof c->arg, "%s", arg ? arg : "");
	snprintf(c->status, sizeof c->status, "%s", status ? status : "");
	return push(MSG_COMMAND, c) ? -1 : 0;
}

int sip_ua_command(int64_t call_id, const char *cmd, const char *arg)
{
	if (!live_has(call_id))
		return -1;
	return post_command(call_id, cmd, arg, NULL);
}

int sip_ua_post(int64_t call_id, const char *op, const char *arg, const char *status)
{
	return post_command(call_id, op, arg, status);
}

/* ---- start and stop ------------------------------------------------------------------------- */

static void set_state(int s)
{
	pthread_mutex_lock(&mu);
	state = s;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void *loop(void *arg)
{
	struct mqueue *q = NULL;
	int err;
	(void)arg;

	err = libre_init();
	if (err) {
		log_error("voice: cannot initialise libre: %s", strerror(err));
		set_state(-1);
		return NULL;
	}
	list_init(&calls);
	sip_reg_init();
	err = mqueue_alloc(&q, mq_h, NULL);
	if (!err)
		err = sip_alloc(&sip, NULL, 32, 32, 32, USER_AGENT, stop_now, NULL);
	if (!err)
		err = sip_transp_add(sip, SIP_TRANSP_UDP, &conf.listen_addr);
	if (!err)
		err = sip_transp_add(sip, SIP_TRANSP_TCP, &conf.listen_addr);
	if (!err)
		err = sip_listen(&lsnr, sip, true, request_h, NULL);
	if (!err)
		err = sipsess_listen(&sess_sock, sip, 32, conn_h, NULL);
	if (!err)
		err = sipevent_listen(&evsock, sip, 32, 32, NULL, NULL);
	if (err) {
		re_fprintf(stderr, "voice: cannot listen for SIP on %J: %m\n", &conf.listen_addr, err);
		set_state(-1);
		goto out;
	}
	{
		char la[80], ma[80];
		re_snprintf(la, sizeof la, "%J", &conf.listen_addr);
		re_snprintf(ma, sizeof ma, "%j", &conf.media_ip);
		log_info("voice: SIP listening on %s (udp, tcp); RTP on %s ports %u-%u", la, ma,
			 conf.rtp_min, conf.rtp_max);
	}
	pthread_mutex_lock(&mu);
	mq = q;
	state = 2;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	re_main(NULL);
	pthread_mutex_lock(&mu);
	mq = NULL;
	state = 0;
	pthread_mutex_unlock(&mu);
out:
	tmr_cancel(&stop_tmr);
	sip_reg_flush();
	list_flush(&calls);
	lsnr = mem_deref(lsnr);
	evsock = mem_deref(evsock);
	sess_sock = mem_deref(sess_sock);
	if (sip)
		sip_close(sip, true);
	sip = mem_deref(sip);
	mem_deref(q);
	libre_close();
	store_thread_release();
	return NULL;
}

int sip_ua_start(const char *data_dir)
{
	const char *off = getenv("SWITCHBOARD_SIP_DISABLE");
	int s;

	if (off && !strcmp(off, "1"))
		return 0;
	voice_recording_init(data_dir);
	if (sip_conf_read(&conf))
		return -1;
	if (getenv("SWITCHBOARD_STT_PREWARM") && !strcmp(getenv("SWITCHBOARD_STT_PREWARM"), "1"))
		stt_prewarm();
	pthread_mutex_lock(&mu);
	if (state != 0) {
		pthread_mutex_unlock(&mu);
		return state == 2 ? 0 : -1;
	}
	state = 1;
	pthread_mutex_unlock(&mu);
	if (pthread_create(&thread, NULL, loop, NULL)) {
		set_state(0);
		log_error("voice: cannot start the SIP thread");
		return -1;
	}
	pthread_mutex_lock(&mu);
	while (state == 1)
		pthread_cond_wait(&cv, &mu);
	s = state;
	pthread_mutex_unlock(&mu);
	if (s != 2) {
		pthread_join(thread, NULL);
		set_state(0);
		return -1;
	}
	sip_reg_scan_start(post_regset);
	return 0;
}

void sip_ua_stop(void)
{
	struct dial_req *dummy;

	pthread_mutex_lock(&mu);
	if (state != 2) {
		int was = state;
		pthread_mutex_unlock(&mu);
		if (was == -1)
			set_state(0);
		return;
	}
	pthread_mutex_unlock(&mu);
	sip_reg_scan_stop();	/* no registration work after this */
	dummy = mem_zalloc(1, NULL);
	if (push(MSG_STOP, dummy) == 0)
		pthread_join(thread, NULL);
	voice_conv_wait_all(10.0);
	stt_shutdown();
	pthread_mutex_lock(&mu);
	free(live_ids);
	live_ids = NULL;
	live_n = live_cap = 0;
	state = 0;
	pthread_mutex_unlock(&mu);
}
