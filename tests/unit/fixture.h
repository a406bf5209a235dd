/* fixture.h - shared set-up for unit tests that need a store. */
#ifndef UNIT_FIXTURE_H
#define UNIT_FIXTURE_H

/* Open (once per process) a fresh migrated, seeded store in /tmp. */
int fixture_store(void);
/* Create an account and a key with `scopes`; key text into key (96 bytes). */
long long fixture_account(const char *name, unsigned scopes, char *key);

#endif
