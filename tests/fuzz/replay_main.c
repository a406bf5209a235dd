/*
 * replay_main.c - runs a libFuzzer target without libFuzzer: every file
 * named on the command line is read and passed to LLVMFuzzerTestOneInput
 * once (after LLVMFuzzerInitialize, when the target defines it). Built with
 * gcc and ASan/UBSan by tests/fuzz/replay.sh so the corpora are replayed in
 * the normal test run; a sanitizer report or an abort fails the run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* The whole file in a buffer of exactly its size, so that ASan catches a
 * read one byte past the input as libFuzzer would. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	p = malloc(n ? (size_t)n : 1);
	if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	*len = (size_t)n;
out:
	fclose(f);
	return p;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		size_t len = 0;
		uint8_t *data = slurp(argv[i], &len);
		if (!data) {
			fprintf(stderr, "replay: cannot read '%s'\n", argv[i]);
			bad = 1;
			continue;
		}
		if (getenv("REPLAY_VERBOSE"))
			fprintf(stderr, "replay: %s\n", argv[i]);
		LLVMFuzzerTestOneInput(data, len);
		free(data);
	}
	return bad;
}
