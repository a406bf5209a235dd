/* signing.c - per-account signing secrets, made on first use and sealed
 * (see signing.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "base/log.h"
#include "base/secret.h"
#include "outbound/signing.h"
#include "store/store.h"
#include "base/util.h"

static const struct {
	const char *what;    /* for log lines */
	const char *prefix;
	enum store_secret_kind kind;
} purposes[] = {
	[SIGNING_WEBHOOK] = { "webhook", "whsec_", STORE_SECRET_WEBHOOK },
	[SIGNING_MIDTOOL] = { "mid-call tool", "mtsec_", STORE_SECRET_MIDTOOL },
};

int signing_secret(int64_t account_id, enum signing_purpose p, char *out, size_t outlen)
{
	char sealed[512], fresh[80], hex[65], err[200];
	char *plain = NULL, *s = NULL;
	int rc, r = -1;

	if ((size_t)p >= sizeof(purposes) / sizeof(purposes[0]))
		return -1;
	rc = store_account_secret_get(account_id, purposes[p].kind, sealed, sizeof(sealed));
	if (rc == STORE_NOTFOUND) {
		util_random_hex(hex, 32);
		snprintf(fresh, sizeof(fresh), "%s%s", purposes[p].prefix, hex);
		s = secret_seal(fresh, err, sizeof(err));
		sodium_memzero(fresh, sizeof(fresh));
		sodium_memzero(hex, sizeof(hex));
		if (!s) {
			log_error("signing: account %lld: cannot seal a %s secret: %s",
				  (long long)account_id, purposes[p].what, err);
			goto out;
		}
		if (store_account_secret_add(account_id, purposes[p].kind, s))
			goto out;
		rc = store_account_secret_get(account_id, purposes[p].kind, sealed, sizeof(sealed));
	}
	if (rc)
		goto out;
	plain = secret_open(sealed, err, sizeof(err));
	if (!plain) {
		log_error("signing: account %lld: cannot open the %s secret: %s",
			  (long long)account_id, purposes[p].what, err);
		goto out;
	}
	if (strlen(plain) + 1 > outlen)
		goto out;
	snprintf(out, outlen, "%s", plain);
	r = 0;
out:
	if (plain) {
		sodium_memzero(plain, strlen(plain));
		free(plain);
	}
	free(s);
	return r;
}
