/* secret.c - sealing secrets at rest with crypto_secretbox (see secret.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "base/log.h"
#include "base/secret.h"

#define PREFIX "sb1:"
#define KEY_FILE "secret.key"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char key_dir[4096] = ".";
static unsigned char key[crypto_secretbox_KEYBYTES];
static int have_key;

void secret_init(const char *dir)
{
	pthread_mutex_lock(&mu);
	snprintf(key_dir, sizeof(key_dir), "%s", dir && *dir ? dir : ".");
	have_key = 0;
	pthread_mutex_unlock(&mu);
}

void secret_reset(void)
{
	pthread_mutex_lock(&mu);
	sodium_memzero(key, sizeof(key));
	have_key = 0;
	pthread_mutex_unlock(&mu);
}

static int parse_hex_key(const char *hex, unsigned char out[32])
{
	size_t n = 0;

	if (strlen(hex) != 64 ||
	    sodium_hex2bin(out, 32, hex, 64, NULL, &n, NULL) || n != 32)
		return -1;
	return 0;
}

/* Read the key file, or create it (O_EXCL: two processes agree on one). */
static int key_file(char *err, size_t errlen)
{
	char path[4200], hex[72];
	struct stat stt;
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "%s/" KEY_FILE, key_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		unsigned char k[32];
		randombytes_buf(k, sizeof(k));
		sodium_bin2hex(hex, sizeof(hex), k, sizeof(k));
		hex[64] = '\n';
		got = write(fd, hex, 65);
		sodium_memzero(k, sizeof(k));
		if (close(fd) || got != 65) {
			snprintf(err, errlen, "cannot write key file '%s': %s", path,
				 strerror(errno));
			unlink(path);
			return -1;
		}
		log_info("secret: created key file '%s' (mode 0600): back it up with the database", path);
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "cannot create key file '%s': %s", path, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open key file '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!fstat(fd, &stt) && (stt.st_mode & 077))
		log_warn("secret: key file '%s' is readable by others: chmod 600 it", path);
	got = read(fd, hex, 64);
	close(fd);
	hex[got > 0 ? got : 0] = '\0';
	if (got != 64 || parse_hex_key(hex, key)) {
		snprintf(err, errlen, "key file '%s' does not hold 64 hex characters", path);
		sodium_memzero(hex, sizeof(hex));
		return -1;
	}
	sodium_memzero(hex, sizeof(hex));
	return 0;
}

static int key_load(char *err, size_t errlen)
{
	int r = 0;

	pthread_mutex_lock(&mu);
	if (!have_key) {
		const char *env = getenv("SWITCHBOARD_SECRET_KEY");
		if (env && *env) {
			if (parse_hex_key(env, key)) {
				snprintf(err, errlen, "SWITCHBOARD_SECRET_KEY must be 64 hex characters");
				r = -1;
			}
		} else {
			r = key_file(err, errlen);
		}
		have_key = r == 0;
	}
	pthread_mutex_unlock(&mu);
	return r;
}

int secret_is_sealed(const char *s)
{
	return s && !strncmp(s, PREFIX, strlen(PREFIX));
}

char *secret_seal(const char *plain, char *err, size_t errlen)
{
	size_t n = strlen(plain), blen = crypto_secretbox_NONCEBYTES +
		crypto_secretbox_MACBYTES + n;
	size_t b64 = sodium_base64_encoded_len(blen, sodium_base64_VARIANT_ORIGINAL);
	unsigned char *box = NULL;
	char *out = NULL;

	if (key_load(err, errlen))
		return NULL;
	box = malloc(blen);
	out = malloc(strlen(PREFIX) + b64);
	if (!box || !out) {
		snprintf(err, errlen, "out of memory");
		free(out);
		out = NULL;
		goto out;
	}
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES,
			      (const unsigned char *)plain, n, box, key);
	memcpy(out, PREFIX, strlen(PREFIX));
	sodium_bin2base64(out + strlen(PREFIX), b64, box, blen,
			  sodium_base64_VARIANT_ORIGINAL);
out:
	free(box);
	return out;
}

char *secret_open(const char *sealed, char *err, size_t errlen)
{
	unsigned char *box = NULL;
	char *plain = NULL;
	size_t slen, blen = 0;

	if (!secret_is_sealed(sealed)) {
		snprintf(err, errlen, "not a sealed value");
		return NULL;
	}
	if (key_load(err, errlen))
		return NULL;
	sealed += strlen(PREFIX);
	slen = strlen(sealed);
	box = malloc(slen + 1);
	if (!box || sodium_base642bin(box, slen + 1, sealed, slen, NULL, &blen, NULL,
				      sodium_base64_VARIANT_ORIGINAL) ||
	    blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		snprintf(err, errlen, "sealed value is damaged");
		goto out;
	}
	size_t n = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	plain = malloc(n + 1);
	if (!plain)
		goto out;
	if (crypto_secretbox_open_easy((unsigned char *)plain,
				       box + crypto_secretbox_NONCEBYTES,
				       blen - crypto_secretbox_NONCEBYTES, box, key)) {
		snprintf(err, errlen, "sealed value does not open with this key");
		free(plain);
		plain = NULL;
		goto out;
	}
	plain[n] = '\0';
out:
	free(box);
	return plain;
}
