/* wav.c - 16-bit PCM RIFF/WAVE writer, encoder and parser (see wav.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "speech/wav.h"

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void header(uint8_t h[44], uint32_t rate, uint16_t channels, uint32_t data_bytes)
{
	memcpy(h, "RIFF", 4);
	le32(h + 4, 36 + data_bytes);
	memcpy(h + 8, "WAVEfmt ", 8);
	le32(h + 16, 16);
	le16(h + 20, 1);
	le16(h + 22, channels);
	le32(h + 24, rate);
	le32(h + 28, rate * channels * 2u);
	le16(h + 32, (uint16_t)(channels * 2));
	le16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	le32(h + 40, data_bytes);
}

int wav_open(struct wav_writer *w, const char *path, uint32_t rate, uint16_t channels)
{
	uint8_t h[44];

	memset(w, 0, sizeof(*w));
	w->f = fopen(path, "wb");
	if (!w->f)
		return -1;
	w->rate = rate;
	w->channels = channels;
	header(h, rate, channels, 0);
	if (fwrite(h, 1, sizeof h, w->f) != sizeof h) {
		fclose(w->f);
		w->f = NULL;
		return -1;
	}
	return 0;
}

int wav_write(struct wav_writer *w, const int16_t *frames, size_t nframes)
{
	uint8_t tmp[2 * 2 * 320];
	size_t per = w->channels, done = 0;

	if (!w->f)
		return -1;
	while (done < nframes) {
		size_t n = nframes - done;
		if (n * per * 2 > sizeof tmp)
			n = sizeof tmp / (per * 2);
		for (size_t i = 0; i < n * per; i++)
			le16(tmp + 2 * i, (uint16_t)frames[done * per + i]);
		if (fwrite(tmp, 2 * per, n, w->f) != n)
			return -1;
		done += n;
	}
	w->frames += nframes;
	return 0;
}

int wav_close(struct wav_writer *w)
{
	uint8_t h[44];
	uint64_t bytes;
	int r = 0;

	if (!w->f)
		return 0;
	bytes = w->frames * w->channels * 2;
	if (bytes > 0xffffffd0u)
		bytes = 0xffffffd0u;
	header(h, w->rate, w->channels, (uint32_t)bytes);
	if (fseek(w->f, 0, SEEK_SET) || fwrite(h, 1, sizeof h, w->f) != sizeof h)
		r = -1;
	if (fclose(w->f))
		r = -1;
	w->f = NULL;
	return r;
}

uint8_t *wav_encode_mono(const int16_t *pcm, size_t n, uint32_t rate, size_t *len)
{
	uint8_t *out;

	if (n > (0xffffffd0u - 44) / 2)
		return NULL;
	out = malloc(44 + 2 * n);
	if (!out)
		return NULL;
	header(out, rate, 1, (uint32_t)(2 * n));
	for (size_t i = 0; i < n; i++)
		le16(out + 44 + 2 * i, (uint16_t)pcm[i]);
	*len = 44 + 2 * n;
	return out;
}

int wav_parse(const uint8_t *d, size_t len, struct wav_view *v)
{
	size_t off = 12;
	int have_fmt = 0;

	memset(v, 0, sizeof(*v));
	if (len < 12 || memcmp(d, "RIFF", 4) || memcmp(d + 8, "WAVE", 4))
		return -1;
	while (off + 8 <= len) {
		uint32_t sz = rd32(d + off + 4);
		const uint8_t *body = d + off + 8;
		size_t avail = len - off - 8;
		if (!memcmp(d + off, "fmt ", 4)) {
			if (sz < 16 || avail < 16)
				return -1;
			if (rd16(body) != 1 || rd16(body + 14) != 16)
				return -1;	/* PCM 16-bit only */
			v->channels = rd16(body + 2);
			v->rate = rd32(body + 4);
			if (!v->channels || !v->rate)
				return -1;
			have_fmt = 1;
		} else if (!memcmp(d + off, "data", 4)) {
			if (!have_fmt)
				return -1;
			/* streaming engines send 0 or 0xffffffff: take what is there */
			size_t n = sz > avail || sz == 0 ? avail : sz;
			v->pcm = body;
			v->frames = n / (2u * v->channels);
			return 0;
		}
		if (sz > avail)
			return -1;
		off += 8 + sz + (sz & 1);
	}
	return -1;
}

int16_t wav_sample(const struct wav_view *v, size_t frame, uint16_t channel)
{
	const uint8_t *p = v->pcm + 2 * (frame * v->channels + channel);
	return (int16_t)rd16(p);
}
