/*
 * conf.h - the SIP user agent's settings, read from the environment once
 * when it starts (sip_ua_start).
 *
 *   SWITCHBOARD_SIP_LISTEN      host:port for SIP over UDP and TCP
 *                               (default 127.0.0.1:5060)
 *   SWITCHBOARD_MEDIA_IP        the address put in SDP (default the listen
 *                               host; a wildcard one is replaced by the
 *                               default route's source address)
 *   SWITCHBOARD_RTP_PORTS       "min-max" RTP ports (default 20000-29999)
 *   SWITCHBOARD_ANSWER_DELAY_MS inbound calls ring this long first (0..60000,
 *                               default 0)
 *   SWITCHBOARD_SIP_REG_SCAN_MS how often the trunks are rescanned for
 *                               registration (sip_reg_config, sip/reg.h)
 *   SWITCHBOARD_RING_TIMEOUT    seconds an outbound call may ring (1..600,
 *                               default 45)
 */
#ifndef SIP_CONF_H
#define SIP_CONF_H

#include <stdint.h>
#include "voice/libre.h"

struct sip_conf {
	struct sa listen_addr, media_ip;
	uint16_t rtp_min, rtp_max;
	uint32_t ring_timeout_ms;
	uint32_t answer_delay_ms;
};

/* Fill cf: the defaults, then the environment. 0, or -1 when a setting is
 * not valid (logged, naming it). */
int sip_conf_read(struct sip_conf *cf);

#endif
