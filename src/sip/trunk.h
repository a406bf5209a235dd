/*
 * trunk.h - SIP trunk settings of a phone number.
 *
 * A phone_numbers row keeps its trunk as a JSON object (store.h):
 *   {"proxy": "host[:port]",        where INVITEs go (or "registrar")
 *    "registrar": "host[:port]",    optional: REGISTER there for inbound calls
 *    "expires": 3600,               REGISTER expiry in seconds (60..86400)
 *    "transport": "udp" | "tcp",    default udp
 *    "username": "...",             digest credentials, optional
 *    "password": "sb1:...",         sealed with secret.h, never plain at rest
 *    "caller_id": "+4930...",       the From user, default the number itself
 *    "domain": "sip.example.com"}   the From/To host, default the proxy host
 * "{}" means no trunk. sip_trunk_parse() opens the password; the struct is
 * plain data on the stack (no allocation) and holds the secret only while a
 * call is being set up: wipe it with sip_trunk_wipe() when done.
 */
#ifndef SIP_TRUNK_H
#define SIP_TRUNK_H

#include <stddef.h>
#include <stdint.h>

struct sip_trunk {
	char host[256];        /* proxy host as given (name or address) */
	char addr[64];         /* numeric address after sip_trunk_resolve() */
	uint16_t port;
	int tcp;               /* 0: udp */
	char registrar[280];   /* "" when none, else host:port */
	uint32_t expires;      /* REGISTER expiry, default 3600 */
	char username[128];
	char password[128];
	char caller_id[64];
	char domain[256];
};

/* 0, or -1 with the reason in err ("trunk has no proxy", ...). A trunk of
 * "{}" or "" fails with "no SIP trunk configured". */
int sip_trunk_parse(const char *json, struct sip_trunk *t, char *err, size_t errlen);
/* Resolve host into addr (numeric, getaddrinfo; blocking: not on the SIP
 * loop). 0 or -1 with the reason. */
int sip_trunk_resolve(struct sip_trunk *t, char *err, size_t errlen);
/* The registrar's numeric "addr:port" ("[v6]:port") into out; blocking
 * (getaddrinfo): not on the SIP loop. 0, or -1 with the reason. */
int sip_trunk_registrar_addr(const struct sip_trunk *t, char *out, size_t n, char *err,
			     size_t errlen);
/* The JSON text to store for these settings (password sealed); caller
 * frees. NULL with the reason in err when a value is bad or no key. */
char *sip_trunk_build(const char *proxy, const char *registrar, const char *transport,
		      const char *username, const char *password, const char *caller_id,
		      const char *domain, char *err, size_t errlen);
void sip_trunk_wipe(struct sip_trunk *t);

#endif
