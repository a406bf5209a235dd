/*
 * media.h - one call's audio on the SIP loop thread: SDP (PCMU, PCMA,
 * telephone-event), RTP at 20 ms, a jitter buffer on receive, keypad
 * digits (RFC 4733), hold (nothing is sent while the far end holds the
 * call or the stream is not sendable), and an optional stereo WAV
 * recording (left: the caller, right: the agent).
 *
 * Every 20 ms tick takes one frame from the jitter buffer (silence on
 * underflow) and one frame of playout from the call's voice_line (silence
 * when idle), sends the latter, records both, and hands both to the tick
 * callback (end-pointing lives with the caller of this module).
 *
 * Everything here runs on the loop thread that libre's re_main drives,
 * except what voice_line does. Objects are libre mem objects: mem_deref()
 * stops the timer, closes the socket and the recording.
 */
#ifndef VOICE_MEDIA_H
#define VOICE_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sa;
struct sdp_session;
struct voice_line;
struct media;

#define MEDIA_FRAME 160   /* samples per 20 ms at 8 kHz */

struct media_cb {
	/* one tick: what the caller said, what the agent sent (both 160) */
	void (*tick)(void *arg, const int16_t *rx, const int16_t *tx, bool tx_audio);
	/* one keypad digit ('0'-'9', '*', '#', 'A'-'D') */
	void (*dtmf)(void *arg, char digit);
	void *arg;
};

struct media_stats {
	uint64_t rx_packets, tx_packets, rx_lost, jb_underflows;
	bool on_hold;
	char codec[8];
};

/* RTP socket on `ip` in [port_min, port_max], SDP session offering PCMU,
 * PCMA and telephone-event. */
int media_alloc(struct media **mp, const struct sa *ip, uint16_t port_min, uint16_t port_max,
		struct voice_line *line, const struct media_cb *cb);
struct sdp_session *media_sdp(struct media *m);
/* After an SDP offer or answer was decoded: pick the codec, the remote
 * address and the direction. 0, or EPROTO when no codec is common. */
int media_update(struct media *m);
/* Start the 20 ms clock (once). */
void media_start(struct media *m);
/* Record both directions into a stereo WAV at path (0 or errno). */
int media_record(struct media *m, const char *path);
/* Close the recording now (also done by mem_deref). */
void media_record_stop(struct media *m);
void media_stats(const struct media *m, struct media_stats *st);
/* Queue RFC 4733 digits to send ("0-9*#A-D", a-d taken as A-D; ',' a
 * 500 ms pause): 100 ms per tone, 60 ms apart, on the far end's
 * telephone-event payload type (nothing is sent when it offered none or
 * holds the call: logged). 0, EINVAL for another character, ENOSPC when
 * more than 64 are waiting. */
int media_send_dtmf(struct media *m, const char *digits);
/* ambient_sound_volume (0..1): a soft room noise mixed under what we send
 * (voice and pauses alike); 0 turns it off. */
void media_set_ambient(struct media *m, double volume);

#endif
