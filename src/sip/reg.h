/*
 * reg.h - trunk registration: numbers whose trunk has a registrar are
 * REGISTERed there, and the digest credentials every request we send uses.
 *
 * Two sides. A scanner thread (sip_reg_scan_start) reads the trunks
 * (store_voice_trunks) every SWITCHBOARD_SIP_REG_SCAN_MS (default 30000),
 * parses them and resolves each registrar (getaddrinfo: DNS never blocks
 * the loop), and hands the wanted set to the loop through the post
 * function it was given (sip/ua.c pushes it onto its mqueue). On the loop
 * thread, sip_reg_apply diffs that set by a hash of the settings: new or
 * changed numbers get a libre sipreg (digest auth as for INVITEs, Contact
 * user = the number, expiry the trunk's "expires", default 3600, refreshed
 * by libre), numbers gone are dropped (libre sends expires=0 when
 * registered). sip_reg_flush un-registers all (at stop, before the SIP
 * stack closes). Outcomes are log lines.
 *
 * Threads: sip_reg_apply and sip_reg_flush run on the loop thread only
 * (they own the list of registrations); the scanner's start and stop run
 * on the thread that starts and stops the user agent.
 */
#ifndef SIP_REG_H
#define SIP_REG_H

#include <stdint.h>

/* Sent with every request and answer of ours: what we allow, who we are. */
#define SIP_ALLOW_HDR "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REFER, NOTIFY\r\n"
#define SIP_USER_AGENT "switchboard"

struct sip;

/* ---- digest credentials --------------------------------------------------- */

/* Digest credentials for sip_cred_auth: a call's (embedded) or a
 * registration's (its own mem object, referenced by the sipreg while it
 * lives). Wiped when freed. */
struct sip_cred {
	char username[128], password[128];
};

/* libre's auth handler of every request we send (INVITE, REFER,
 * REGISTER); arg is a struct sip_cred. EAUTH without a username. */
int sip_cred_auth(char **username, char **password, const char *realm, void *arg);

/* ---- registration --------------------------------------------------------- */

/* The wanted registrations the scanner made (a libre mem object; whoever
 * holds it mem_derefs it, which wipes the credentials). */
struct sip_reg_set;

/* Read SWITCHBOARD_SIP_REG_SCAN_MS (100..3600000); -1 when it is not valid
 * (logged). */
int sip_reg_config(void);

/* Loop side: ready the list; bring the registrations in line with rs; drop
 * them all (un-REGISTER where registered). */
void sip_reg_init(void);
void sip_reg_apply(struct sip *sip, const struct sip_reg_set *rs);
void sip_reg_flush(void);

/* Start the scanner thread; each scan hands its set to post, which owns it
 * from then on (even when it fails). A thread that cannot start is logged:
 * trunks then do not register. */
void sip_reg_scan_start(int (*post)(struct sip_reg_set *rs));
/* Stop the scanner and wait for it; no post after this returns. */
void sip_reg_scan_stop(void);

#endif
