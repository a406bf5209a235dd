/*
 * libre.h - the parts of libre (re.h) the voice runtime uses.
 *
 * re.h cannot be included next to jansson.h: its re_json.h declares the
 * enumerators JSON_STRING and JSON_NULL too. So the headers needed are
 * listed here, in re.h's order, without re_json.h and re_odict.h.
 * Build with -DHAVE_INTTYPES_H -DHAVE_STDBOOL_H -DHAVE_INET6 (Makefile).
 */
#ifndef SIP_LIBRE_H
#define SIP_LIBRE_H

#include <re/re_types.h>
#include <re/re_fmt.h>
#include <re/re_mbuf.h>
#include <re/re_msg.h>
#include <re/re_list.h>
#include <re/re_sa.h>
#include <re/re_dns.h>
#include <re/re_hash.h>
#include <re/re_jbuf.h>
#include <re/re_main.h>
#include <re/re_mem.h>
#include <re/re_mqueue.h>
#include <re/re_net.h>
#include <re/re_rtp.h>
#include <re/re_sdp.h>
#include <re/re_uri.h>
#include <re/re_sip.h>
#include <re/re_sipevent.h>
#include <re/re_sipreg.h>
#include <re/re_sipsess.h>
#include <re/re_sys.h>
#include <re/re_tmr.h>
#include <re/re_udp.h>
#include <re/re_tcp.h>
#include <rem/rem_g711.h>

#endif
