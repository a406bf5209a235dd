/* media.c - one call's RTP, jitter buffer, keypad digits, hold and
 * recording on the SIP loop thread (see media.h). */
#include <errno.h>
#include <math.h>
#include <string.h>
#include "voice/libre.h"
#include "base/log.h"
#include "voice/line.h"
#include "voice/media.h"
#include "speech/wav.h"

#define TE_PT 101          /* our telephone-event payload type */
#define RX_FIFO 1600       /* samples of decoded audio waiting for a tick */
#define DTMF_QUEUE 64
#define DTMF_PAUSE_TICKS 25 /* ',' in digits to send: 500 ms without a tone */
#define MAX_LATE_MS 200    /* a timer later than this skips ahead */

/* A decoded packet in the jitter buffer. */
struct rxframe {
	size_t n;
	int16_t pcm[];
};

struct media {
	struct rtp_sock *rtp;
	struct sdp_session *sdp;
	struct sdp_media *sdpm;
	struct jbuf *jb;
	struct tmr tick;
	struct voice_line *line;
	struct media_cb cb;
	struct sa raddr;
	int pt;                /* the voice payload type we send, -1 before SDP */
	int alaw;
	int te_pt;             /* the far end's telephone-event pt, -1: none */
	bool sendable;         /* false while held or inactive */
	bool started;
	uint64_t t0, frames;
	uint32_t ts;
	uint32_t ssrc_seen;
	int16_t rx[RX_FIFO];
	size_t rx_len;
	struct wav_writer rec;
	struct media_stats st;
	/* keypad tones received: the timestamp of the last event reported */
	uint32_t dtmf_ts;
	bool dtmf_seen;
	/* keypad tones to send */
	char dtmf_q[DTMF_QUEUE];
	size_t dtmf_len;
	int dtmf_tick;         /* ticks into the current digit */
	double ambient;        /* comfort noise RMS mixed into what we send, 0: none */
	double brown;          /* the noise filter's state */
	uint32_t seed;
	uint32_t dtmf_ts0;
};

static void media_destructor(void *arg)
{
	struct media *m = arg;

	tmr_cancel(&m->tick);
	mem_deref(m->rtp);
	mem_deref(m->jb);
	mem_deref(m->sdp);
	wav_close(&m->rec);
}

/* ---- receive ------------------------------------------------------------- */

static char event_digit(int ev)
{
	static const char map[] = "0123456789*#ABCD";
	return ev >= 0 && ev < 16 ? map[ev] : 0;
}

static void on_dtmf_packet(struct media *m, const struct rtp_header *hdr, struct mbuf *mb)
{
	const uint8_t *p = mbuf_buf(mb);
	char d;

	if (mbuf_get_left(mb) < 4)
		return;
	/* one event repeats with the same timestamp; report it once, at its end */
	if (!(p[1] & 0x80))
		return;
	if (m->dtmf_seen && hdr->ts == m->dtmf_ts)
		return;
	m->dtmf_seen = true;
	m->dtmf_ts = hdr->ts;
	d = event_digit(p[0]);
	if (d && m->cb.dtmf)
		m->cb.dtmf(m->cb.arg, d);
}

static void on_rtp(const struct sa *src, const struct rtp_header *hdr, struct mbuf *mb, void *arg)
{
	struct media *m = arg;
	struct rxframe *f;
	size_t n = mbuf_get_left(mb);
	const uint8_t *p = mbuf_buf(mb);
	(void)src;

	m->st.rx_packets++;
	if (hdr->pt == TE_PT || (m->te_pt >= 0 && hdr->pt == m->te_pt)) {
		on_dtmf_packet(m, hdr, mb);
		return;
	}
	if ((hdr->pt != 0 && hdr->pt != 8) || n == 0 || n > 480)
		return;
	f = mem_alloc(sizeof(*f) + n * sizeof(int16_t), NULL);
	if (!f)
		return;
	f->n = n;
	for (size_t i = 0; i < n; i++)
		f->pcm[i] = hdr->pt == 8 ? g711_alaw2pcm(p[i]) : g711_ulaw2pcm(p[i]);
	/* a new source (a transfer, a re-INVITE to another gateway) restarts
	 * the sequence numbers: start the buffer over */
	if (m->ssrc_seen && hdr->ssrc != m->ssrc_seen)
		jbuf_flush(m->jb);
	m->ssrc_seen = hdr->ssrc;
	(void)jbuf_put(m->jb, hdr, f);
	mem_deref(f);
}

/* One 20 ms frame of what the caller said: from the jitter buffer, else
 * silence. */
static void rx_frame(struct media *m, int16_t *out)
{
	while (m->rx_len < MEDIA_FRAME) {
		struct rtp_header hdr;
		void *mem = NULL;
		int err = jbuf_get(m->jb, &hdr, &mem);
		if (err && err != EAGAIN) {
			break;
		}
		if (mem) {
			struct rxframe *f = mem;
			size_t k = f->n;
			if (k > RX_FIFO - m->rx_len)
				k = RX_FIFO - m->rx_len;
			memcpy(m->rx + m->rx_len, f->pcm, k * sizeof(int16_t));
			m->rx_len += k;
			mem_deref(mem);
		}
		if (err != EAGAIN)
			break;
	}
	if (m->rx_len >= MEDIA_FRAME) {
		memcpy(out, m->rx, MEDIA_FRAME * sizeof(int16_t));
		memmove(m->rx, m->rx + MEDIA_FRAME, (m->rx_len - MEDIA_FRAME) * sizeof(int16_t));
		m->rx_len -= MEDIA_FRAME;
	} else {
		if (m->st.rx_packets)
			m->st.jb_underflows++;
		memset(out, 0, MEDIA_FRAME * sizeof(int16_t));
	}
}

/* ---- send ----------------------------------------------------------------- */

static int te_code(char d)
{
	static const char map[] = "0123456789*#ABCD";
	const char *p = d ? strchr(map, d) : NULL;
	return p ? (int)(p - map) : -1;
}

/* A keypad digit as audio in the voice frame (for a far end without
 * telephone-event): tick t of the digit's 100 ms of its row and column
 * tones (-10 dBm0 or so each), phase-continuous across the frames. */
static void dtmf_tone(char d, int t, int16_t *pcm)
{
	static const double rows[4] = { 697, 770, 852, 941 };
	static const double cols[4] = { 1209, 1336, 1477, 1633 };
	static const char pad[] = "123A456B789C*0#D";
	const char *p = strchr(pad, d);
	int k = p ? (int)(p - pad) : 0;

	for (int i = 0; i < MEDIA_FRAME; i++) {
		double x = (double)(t * MEDIA_FRAME + i) / 8000.0;
		pcm[i] = (int16_t)(6000 * sin(2 * M_PI * rows[k / 4] * x) +
				   6000 * sin(2 * M_PI * cols[k % 4] * x));
	}
}

/* Keypad digit being sent: 100 ms of tone, three end packets, 60 ms gap;
 * a ',' is a pause of DTMF_PAUSE_TICKS (voice goes on meanwhile). When the
 * far end did not offer telephone-event, the digit goes as tones in the
 * voice frame `tx` instead (100 ms of tone, 120 ms of silence). Returns
 * true when this tick carried a telephone-event packet. */
static bool tx_dtmf(struct media *m, int16_t *tx)
{
	struct mbuf *mb;
	int code, t = m->dtmf_tick;
	bool end, pause;

	if (!m->dtmf_len)
		return false;
	pause = m->dtmf_q[0] == ',';
	if (t >= (pause ? DTMF_PAUSE_TICKS : 8 + 3)) {	/* gap done: next digit */
		memmove(m->dtmf_q, m->dtmf_q + 1, --m->dtmf_len);
		m->dtmf_tick = 0;
		return false;
	}
	m->dtmf_tick++;
	if (pause)
		return false;
	if (m->te_pt < 0) {	/* in-band: the tone, then silence, in the voice */
		if (t == 0)
			log_info("media: digit '%c' sent as tones in the audio (the far end did "
				 "not offer telephone-event)", m->dtmf_q[0]);
		if (t < 5)
			dtmf_tone(m->dtmf_q[0], t, tx);
		else
			memset(tx, 0, MEDIA_FRAME * sizeof(int16_t));
		return false;
	}
	if (t >= 8)
		return false;	/* the gap */
	code = te_code(m->dtmf_q[0]);
	if (t == 0 && !m->sendable)
		log_warn("media: digit '%c' not sent: the call is on hold", m->dtmf_q[0]);
	if (t == 0)
		m->dtmf_ts0 = m->ts;
	end = t >= 5;
	mb = mbuf_alloc(RTP_HEADER_SIZE + 4);
	if (!mb)
		return true;
	mb->pos = mb->end = RTP_HEADER_SIZE;
	mbuf_write_u8(mb, (uint8_t)code);
	mbuf_write_u8(mb, (uint8_t)((end ? 0x80 : 0) | 10));
	mbuf_write_u16(mb, htons((uint16_t)(MEDIA_FRAME * (t < 5 ? t + 1 : 5))));
	mb->pos = RTP_HEADER_SIZE;
	if (m->sendable &&
	    !rtp_send(m->rtp, &m->raddr, false, t == 0, (uint8_t)m->te_pt, m->dtmf_ts0, mb))
		m->st.tx_packets++;
	mem_deref(mb);
	return true;
}

/* ambient_sound_volume: a soft, low-passed noise under the voice (a room,
 * not a recording of one): RMS ~340 (about -40 dBm0) at volume 1. */
static void add_ambient(struct media *m, int16_t *pcm)
{
	for (int i = 0; i < MEDIA_FRAME; i++) {
		m->seed = m->seed * 1664525u + 1013904223u;
		double white = (double)(int32_t)m->seed / 2147483648.0;	/* -1..1 */
		m->brown = 0.97 * m->brown + 0.03 * white * 8;		/* low-passed */
		int v = pcm[i] + (int)(m->brown * m->ambient);
		pcm[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
	}
}

void media_set_ambient(struct media *m, double volume)
{
	if (!m)
		return;
	m->ambient = volume > 0 ? (volume > 1 ? 1 : volume) * 600 : 0;
	m->seed = 12345;
}

static void tx_voice(struct media *m, const int16_t *pcm)
{
	struct mbuf *mb;

	if (!m->sendable || m->pt < 0)
		return;
	mb = mbuf_alloc(RTP_HEADER_SIZE + MEDIA_FRAME);
	if (!mb)
		return;
	mb->pos = mb->end = RTP_HEADER_SIZE;
	for (int i = 0; i < MEDIA_FRAME; i++)
		mbuf_write_u8(mb, m->alaw ? g711_pcm2alaw(pcm[i]) : g711_pcm2ulaw(pcm[i]));
	mb->pos = RTP_HEADER_SIZE;
	if (!rtp_send(m->rtp, &m->raddr, false, m->frames == 0, (uint8_t)m->pt, m->ts, mb))
		m->st.tx_packets++;
	mem_deref(mb);
}

static void tick(void *arg)
{
	struct media *m = arg;
	uint64_t now = tmr_jiffies();

	if (now > m->t0 + m->frames * 20 + MAX_LATE_MS)	/* stalled: do not burst */
		m->frames = (now - m->t0) / 20;
	while (m->t0 + m->frames * 20 <= now) {
		int16_t rx[MEDIA_FRAME], tx[MEDIA_FRAME];
		/* keypad tones in the audio take the frame: the voice waits */
		bool inband = m->dtmf_len && m->te_pt < 0 && m->dtmf_q[0] != ',';
		size_t got = inband ? 0 : voice_line_pull(m->line, tx, MEDIA_FRAME);
		bool dtmf;

		if (got < MEDIA_FRAME)
			memset(tx + got, 0, (MEDIA_FRAME - got) * sizeof(int16_t));
		if (m->ambient > 0)
			add_ambient(m, tx);
		rx_frame(m, rx);
		dtmf = tx_dtmf(m, tx);
		if (!dtmf)
			tx_voice(m, tx);
		if (m->rec.f) {
			int16_t st[2 * MEDIA_FRAME];
			for (int i = 0; i < MEDIA_FRAME; i++) {
				st[2 * i] = rx[i];
				st[2 * i + 1] = m->sendable ? tx[i] : 0;
			}
			if (wav_write(&m->rec, st, MEDIA_FRAME)) {
				log_warn("voice: recording write failed: %s", strerror(errno));
				wav_close(&m->rec);
			}
		}
		if (m->cb.tick)
			m->cb.tick(m->cb.arg, rx, tx, got > 0);
		m->ts += MEDIA_FRAME;
		m->frames++;
	}
	tmr_start(&m->tick, 20 - (now - m->t0) % 20, tick, m);
}

/* ---- set-up ---------------------------------------------------------------- */

int media_alloc(struct media **mp, const struct sa *ip, uint16_t port_min, uint16_t port_max,
		struct voice_line *line, const struct media_cb *cb)
{
	struct media *m = mem_zalloc(sizeof(*m), media_destructor);
	int err;

	if (!m)
		return ENOMEM;
	m->line = line;
	m->cb = *cb;
	m->pt = -1;
	m->te_pt = -1;
	err = rtp_listen(&m->rtp, IPPROTO_UDP, ip, port_min, port_max, false, on_rtp, NULL, m);
	if (!err)
		err = jbuf_alloc(&m->jb, 3, 20);	/* 60 ms before playing out, at most 400 */
	if (!err)
		err = sdp_session_alloc(&m->sdp, ip);
	if (!err)
		err = sdp_media_add(&m->sdpm, m->sdp, "audio", sa_port(rtp_local(m->rtp)), "RTP/AVP");
	if (!err)
		err = sdp_format_add(NULL, m->sdpm, false, "0", "PCMU", 8000, 1, NULL, NULL, NULL,
				     false, NULL);
	if (!err)
		err = sdp_format_add(NULL, m->sdpm, false, "8", "PCMA", 8000, 1, NULL, NULL, NULL,
				     false, NULL);
	if (!err)
		err = sdp_format_add(NULL, m->sdpm, false, "101", "telephone-event", 8000, 1, NULL,
				     NULL, NULL, false, "0-15");
	if (!err)
		err = sdp_media_set_lattr(m->sdpm, true, "ptime", "20");
	if (err) {
		mem_deref(m);
		return err;
	}
	*mp = m;
	return 0;
}

struct sdp_session *media_sdp(struct media *m)
{
	return m->sdp;
}

int media_update(struct media *m)
{
	const struct list *l = sdp_media_format_lst(m->sdpm, false);
	const struct sdp_format *voice = NULL;
	struct le *le;
	enum sdp_dir dir;

	m->te_pt = -1;
	for (le = l ? list_head(l) : NULL; le; le = le->next) {
		const struct sdp_format *f = le->data;
		if (!voice && (!str_casecmp(f->name, "PCMU") || !str_casecmp(f->name, "PCMA")) &&
		    f->srate == 8000)
			voice = f;
		if (!str_casecmp(f->name, "telephone-event") && m->te_pt < 0)
			m->te_pt = f->pt;
	}
	if (!voice)
		return EPROTO;
	m->pt = voice->pt;
	m->alaw = !str_casecmp(voice->name, "PCMA");
	snprintf(m->st.codec, sizeof m->st.codec, "%s", m->alaw ? "PCMA" : "PCMU");
	m->raddr = *sdp_media_raddr(m->sdpm);
	dir = sdp_media_dir(m->sdpm);
	m->sendable = (dir & SDP_SENDONLY) && sa_isset(&m->raddr, SA_ALL) &&
		      !sa_is_any(&m->raddr);
	m->st.on_hold = !(dir & SDP_SENDONLY);
	return 0;
}

void media_start(struct media *m)
{
	if (m->started)
		return;
	m->started = true;
	m->t0 = tmr_jiffies();
	tick(m);
}

int media_record(struct media *m, const char *path)
{
	if (m->rec.f)
		return 0;
	return wav_open(&m->rec, path, 8000, 2) ? errno : 0;
}

void media_record_stop(struct media *m)
{
	wav_close(&m->rec);
}

void media_stats(const struct media *m, struct media_stats *st)
{
	struct jbuf_stat js;

	*st = m->st;
	st->on_hold = !m->sendable;
	if (!jbuf_stats(m->jb, &js))
		st->rx_lost = js.n_lost;
}

int media_send_dtmf(struct media *m, const char *digits)
{
	size_t n = strlen(digits);

	for (size_t i = 0; i < n; i++)
		if (digits[i] != ',' && te_code(digits[i]) < 0 &&
		    !(digits[i] >= 'a' && digits[i] <= 'd'))
			return EINVAL;
	if (n > DTMF_QUEUE - m->dtmf_len)
		return ENOSPC;
	for (size_t i = 0; i < n; i++) {
		char d = digits[i];
		m->dtmf_q[m->dtmf_len++] = d >= 'a' && d <= 'd' ? (char)(d - 'a' + 'A') : d;
	}
	return 0;
}
