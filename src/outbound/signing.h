/*
 * signing.h - each account's secrets for signing outbound requests.
 *
 * Two purposes, two independent secrets per account, each made on first
 * use (prefix + 64 random hex), sealed at rest (secret.h) and kept in the
 * store: SIGNING_WEBHOOK signs post-call webhooks ("whsec_", table
 * webhook_secrets), SIGNING_MIDTOOL signs the requests of the account's
 * mid-call tools to its own systems ("mtsec_", midtool_secrets). They are
 * kept apart so that whoever verifies one kind (a webhook receiver may be a
 * third-party automation service) cannot sign the other kind (requests to
 * the CRM). The scheme itself is httpaction.h's ("Signing").
 *
 * Thread-safe: the store serialises a race between threads or processes
 * making the first secret (the first one kept wins and is read back).
 */
#ifndef SIGNING_H
#define SIGNING_H

#include <stddef.h>
#include <stdint.h>

enum signing_purpose { SIGNING_WEBHOOK, SIGNING_MIDTOOL };

#define SIGNING_SECRET_MAX 128   /* room for any secret, NUL included */

/* The account's secret for `p` in plain text into out (wipe it after use),
 * made and sealed on first use. 0, or -1 (no secret key, store error, out
 * too small); the reason is logged. */
int signing_secret(int64_t account_id, enum signing_purpose p, char *out, size_t outlen);

#endif
