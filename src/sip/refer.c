/* refer.c - blind transfer by REFER on a call's dialog (see refer.h).
 * Moved out of sip/ua.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "base/log.h"
#include "sip/refer.h"
#include "sip/reg.h"

#define USER_AGENT SIP_USER_AGENT
#define TRANSFER_TIMEOUT_MS 30000

void sip_refer_init(struct sip_refer *r, int64_t call_id,
		    void (*done)(void *arg, const char *target, const char *why), void *arg)
{
	memset(r, 0, sizeof(*r));
	r->call_id = call_id;
	r->done = done;
	r->arg = arg;
	tmr_init(&r->tmr);
}

void sip_refer_release(struct sip_refer *r)
{
	tmr_cancel(&r->tmr);
	r->sub = mem_deref(r->sub);
}

/* libre is done with the subscription (or we are): free it on a clean
 * stack, and say so when the transfer went through (the owner ends the
 * call: nothing of r is touched after). */
static void refer_release(void *arg)
{
	struct sip_refer *r = arg;

	r->sub = mem_deref(r->sub);
	if (r->state == 2)
		r->done(r->arg, r->target, NULL);
}

static void transfer_failed(struct sip_refer *r, const char *why)
{
	if (r->state != 1)
		return;
	r->state = 0;
	tmr_start(&r->tmr, 0, refer_release, r);	/* drop the subscription */
	r->done(r->arg, r->target, why);
}

static void refer_notify_h(struct sip *s, const struct sip_msg *msg, void *arg)
{
	struct sip_refer *r = arg;
	struct pl code, reason;
	uint32_t sc;

	if (re_regex((const char *)mbuf_buf(msg->mb), mbuf_get_left(msg->mb),
		     "SIP/2.0 [0-9]+ [^\r\n]*", &code, &reason)) {
		(void)sip_reply(s, msg, 400, "Bad Request");
		return;
	}
	(void)sip_reply(s, msg, 200, "OK");
	sc = pl_u32(&code);
	log_info("voice: call %lld: transfer progress %u %.*s", (long long)r->call_id, sc,
		 (int)reason.l, reason.p);
	if (sc < 200 || r->state != 1)
		return;
	if (sc < 300) {
		r->state = 2;
		tmr_start(&r->tmr, 0, refer_release, r);	/* BYE on the next turn */
	} else {
		char why[200];
		snprintf(why, sizeof why, "the transfer target answered %u %.*s", sc,
			 (int)reason.l, reason.p);
		transfer_failed(r, why);
	}
}

static void refer_close_h(int err, const struct sip_msg *msg,
			  const struct sipevent_substate *substate, void *arg)
{
	struct sip_refer *r = arg;
	char why[200];
	(void)substate;

	tmr_start(&r->tmr, 0, refer_release, r);
	if (r->state != 1)
		return;
	if (msg && msg->scode >= 300)
		snprintf(why, sizeof why, "the far end refused the transfer (%u %.*s)", msg->scode,
			 (int)msg->reason.l, msg->reason.p);
	else
		snprintf(why, sizeof why, "the transfer did not complete (%s)",
			 err ? strerror(err) : "no final notification");
	transfer_failed(r, why);
}

static void refer_timeout(void *arg)
{
	transfer_failed(arg, "the transfer timed out");
}

void sip_refer_start(struct sip_refer *r, struct sipevent_sock *sock, struct sipsess *sess,
		     const char *target, const char *peer, const char *transport_param,
		     struct sip_cred *cred)
{
	int err;

	if (r->state == 1 || !sess)
		return;
	r->sub = mem_deref(r->sub);	/* an earlier, failed attempt */
	snprintf(r->target, sizeof r->target, "%s", target);
	r->state = 1;
	err = sipevent_drefer(&r->sub, sock, sipsess_dialog(sess), USER_AGENT,
			      sip_cred_auth, cred, false, refer_notify_h, refer_close_h, r,
			      "Refer-To: <sip:%s@%s%s>\r\nReferred-By: <sip:%s@%s>\r\n",
			      target, peer, transport_param, USER_AGENT, peer);
	if (err) {
		char why[120];
		snprintf(why, sizeof why, "cannot send the transfer: %s", strerror(err));
		transfer_failed(r, why);
		return;
	}
	tmr_start(&r->tmr, TRANSFER_TIMEOUT_MS, refer_timeout, r);
	log_info("voice: call %lld: REFER to %s", (long long)r->call_id, target);
}
