/* conf.c - the SIP user agent's settings from the environment (see conf.h).
 * Moved out of sip/ua.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/log.h"
#include "base/util.h"
#include "sip/conf.h"
#include "sip/reg.h"

int sip_conf_read(struct sip_conf *cf)
{
	const char *e = getenv("SWITCHBOARD_SIP_LISTEN"), *p;
	char buf[128];
	int64_t v, w;

	*cf = (struct sip_conf){ .rtp_min = 20000, .rtp_max = 29999, .ring_timeout_ms = 45000 };
	if (!e || !*e)
		e = "127.0.0.1:5060";
	if (sa_decode(&cf->listen_addr, e, strlen(e))) {
		if (sa_set_str(&cf->listen_addr, e, 5060)) {
			log_error("voice: SWITCHBOARD_SIP_LISTEN='%s' is not host:port", e);
			return -1;
		}
	}
	cf->media_ip = cf->listen_addr;
	e = getenv("SWITCHBOARD_MEDIA_IP");
	if (e && *e && sa_set_str(&cf->media_ip, e, 0)) {
		log_error("voice: SWITCHBOARD_MEDIA_IP='%s' is not an address", e);
		return -1;
	}
	sa_set_port(&cf->media_ip, 0);
	if (sa_is_any(&cf->media_ip) &&
	    net_default_source_addr_get(sa_af(&cf->media_ip), &cf->media_ip)) {
		log_error("voice: cannot tell which address to put in SDP: set SWITCHBOARD_MEDIA_IP");
		return -1;
	}
	e = getenv("SWITCHBOARD_RTP_PORTS");
	if (e && *e) {
		snprintf(buf, sizeof buf, "%s", e);
		p = strchr(buf, '-');
		if (p)
			buf[p - buf] = '\0';
		if (!p || util_parse_i64(buf, &v) || util_parse_i64(p + 1, &w) || v < 1024 ||
		    w > 65535 || w <= v) {
			log_error("voice: SWITCHBOARD_RTP_PORTS='%s' is not min-max", e);
			return -1;
		}
		cf->rtp_min = (uint16_t)v;
		cf->rtp_max = (uint16_t)w;
	}
	e = getenv("SWITCHBOARD_ANSWER_DELAY_MS");
	if (e && *e) {
		if (util_parse_i64(e, &v) || v < 0 || v > 60000) {
			log_error("voice: SWITCHBOARD_ANSWER_DELAY_MS='%s' is not 0..60000", e);
			return -1;
		}
		cf->answer_delay_ms = (uint32_t)v;
	}
	if (sip_reg_config())
		return -1;
	e = getenv("SWITCHBOARD_RING_TIMEOUT");
	if (e && *e) {
		if (util_parse_i64(e, &v) || v < 1 || v > 600) {
			log_error("voice: SWITCHBOARD_RING_TIMEOUT='%s' is not 1..600 seconds", e);
			return -1;
		}
		cf->ring_timeout_ms = (uint32_t)v * 1000;
	}
	return 0;
}
