/*
 * recording.h - where call recordings live and who may read them.
 *
 * A recorded call (assistant setting record_call) is a stereo 16-bit
 * 8 kHz WAV, left channel the caller, right channel the assistant, at
 * <data dir>/recordings/<account id>/<call id>.wav (directories 0700).
 * The call's recording_url is "/recordings/<call id>.wav": the HTTP
 * server serves it to a client whose key belongs to the call's account,
 * with voice_recording_path() as its only check.
 */
#ifndef VOICE_RECORDING_H
#define VOICE_RECORDING_H

#include <stddef.h>
#include <stdint.h>

/* Remember the data directory (the database's). */
void voice_recording_init(const char *data_dir);
/* The file to write for a call, directories made. 0 or -1. */
int voice_recording_file(int64_t account_id, int64_t call_id, char *out, size_t n);
/* The recording of call_id when it belongs to account_id and exists:
 * 0 with the path in out; -1 otherwise (not the account's, none, or not
 * yet written). For the HTTP route GET /recordings/{call_id}.wav. */
int voice_recording_path(int64_t account_id, int64_t call_id, char *out, size_t n);

#endif
