/*
 * secret.h - sealing small secrets at rest (mid-call tool header values,
 * later SIP trunk passwords) with libsodium's crypto_secretbox.
 *
 * The key is 32 bytes: SWITCHBOARD_SECRET_KEY (64 hex chars) when set,
 * otherwise the file "secret.key" in the directory given to secret_init()
 * (the database's directory), created on first use with mode 0600 and
 * never logged. Losing the key makes sealed values unreadable; a sealed
 * value carries a version prefix so a key rotation can tell them apart.
 *
 * Sealed text: "sb1:" + base64(nonce || ciphertext). Thread-safe: the key
 * is loaded once behind a mutex and read-only afterwards.
 */
#ifndef SECRET_H
#define SECRET_H

#include <stddef.h>

/* Remember where the key file lives (the directory is not touched yet). */
void secret_init(const char *dir);
/* Seal `plain` (NUL-terminated); the sealed text (caller frees) or NULL
 * with a reason in err when no key can be had. */
char *secret_seal(const char *plain, char *err, size_t errlen);
/* Open sealed text; the plain text (caller frees) or NULL when the text
 * is not sealed with this key. */
char *secret_open(const char *sealed, char *err, size_t errlen);
/* Does the text look sealed ("sb1:" prefix)? */
int secret_is_sealed(const char *s);
/* Forget the key (tests). */
void secret_reset(void);

#endif
