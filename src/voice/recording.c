/* recording.c - recording files and their access check (see recording.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include "store/store.h"
#include "voice/recording.h"

static char dir[1024] = "data";
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

void voice_recording_init(const char *data_dir)
{
	pthread_mutex_lock(&mu);
	snprintf(dir, sizeof dir, "%s", data_dir && *data_dir ? data_dir : ".");
	pthread_mutex_unlock(&mu);
}

static int build(int64_t account_id, int64_t call_id, char *out, size_t n, int make)
{
	char base[1100], acc[1200];
	int r;

	pthread_mutex_lock(&mu);
	snprintf(base, sizeof base, "%s/recordings", dir);
	pthread_mutex_unlock(&mu);
	snprintf(acc, sizeof acc, "%s/%lld", base, (long long)account_id);
	if (make && ((mkdir(base, 0700) && errno != EEXIST) || (mkdir(acc, 0700) && errno != EEXIST)))
		return -1;
	r = snprintf(out, n, "%s/%lld.wav", acc, (long long)call_id);
	return r < 0 || (size_t)r >= n ? -1 : 0;
}

int voice_recording_file(int64_t account_id, int64_t call_id, char *out, size_t n)
{
	return build(account_id, call_id, out, n, 1);
}

int voice_recording_path(int64_t account_id, int64_t call_id, char *out, size_t n)
{
	json_t *call = store_call_get(account_id, call_id);	/* scoped to the account */
	struct stat st;
	int ok = call && json_string_value(json_object_get(call, "recording_url"));

	json_decref(call);
	if (!ok || build(account_id, call_id, out, n, 0))
		return -1;
	return stat(out, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
}
