/*
 * refer.h - blind transfer of a live call by REFER (RFC 3515), on the SIP
 * loop thread.
 *
 * sip_refer_start sends a REFER in the call's dialog (Refer-To the target
 * at the far end's host, digest auth as for the INVITE) and follows the
 * NOTIFYs (message/sipfrag): a 2xx means the transfer went through, a
 * final failure, the REFER refused, the subscription closing without a
 * final notification, or TRANSFER_TIMEOUT_MS (30 s) without one means it
 * failed. The outcome goes to the done callback once per attempt: why is
 * NULL when it went through (called on a clean loop turn once libre has
 * let go of the subscription; the owner then ends the call, and may free
 * r in it), the reason otherwise (the call goes on; another attempt may
 * follow). An attempt while one is pending, or without a session, is
 * ignored.
 *
 * Ownership: a struct sip_refer lives inside its call (loop thread only);
 * sip_refer_init readies it, sip_refer_release cancels its timer and drops
 * the subscription (when the call goes).
 */
#ifndef SIP_REFER_H
#define SIP_REFER_H

#include <stdint.h>
#include "voice/libre.h"

struct sip_cred;

struct sip_refer {
	int64_t call_id;               /* for log lines */
	struct sipsub *sub;            /* the REFER's subscription, or NULL */
	struct tmr tmr;                /* timeout, or the release on a clean turn */
	char target[128];
	int state;                     /* 0 none, 1 pending, 2 done */
	void (*done)(void *arg, const char *target, const char *why);
	void *arg;
};

void sip_refer_init(struct sip_refer *r, int64_t call_id,
		    void (*done)(void *arg, const char *target, const char *why), void *arg);
void sip_refer_start(struct sip_refer *r, struct sipevent_sock *sock, struct sipsess *sess,
		     const char *target, const char *peer, const char *transport_param,
		     struct sip_cred *cred);
void sip_refer_release(struct sip_refer *r);

#endif
