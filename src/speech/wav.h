/*
 * wav.h - RIFF/WAVE, 16-bit PCM only: a streaming writer for call
 * recordings (the header's sizes are patched on close, so a file cut short
 * by a crash still has its audio), an in-memory encoder for an utterance
 * sent to an HTTP speech engine, and a parser for the audio such an engine
 * sends back. Samples are host int16 written little-endian.
 */
#ifndef VOICE_WAV_H
#define VOICE_WAV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct wav_writer {
	FILE *f;
	uint32_t rate;
	uint16_t channels;
	uint64_t frames;       /* frames written so far */
};

/* 0 or -1 (errno set). Interleaved frames: channels samples each. */
int wav_open(struct wav_writer *w, const char *path, uint32_t rate, uint16_t channels);
int wav_write(struct wav_writer *w, const int16_t *frames, size_t nframes);
/* Patch the sizes and close; 0 or -1. Safe on a writer that never opened. */
int wav_close(struct wav_writer *w);

/* A whole mono 16-bit WAV in memory (header + samples); caller frees.
 * NULL when out of memory. */
uint8_t *wav_encode_mono(const int16_t *pcm, size_t n, uint32_t rate, size_t *len);

/* The PCM of a WAV held in memory: pointer into data (may be unaligned:
 * read with wav_sample), count of samples per channel, rate, channels.
 * 0, or -1 when it is not 16-bit PCM WAV. */
struct wav_view {
	const uint8_t *pcm;
	size_t frames;
	uint32_t rate;
	uint16_t channels;
};
int wav_parse(const uint8_t *data, size_t len, struct wav_view *out);
int16_t wav_sample(const struct wav_view *v, size_t frame, uint16_t channel);

#endif
