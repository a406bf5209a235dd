/*
 * quota.h - per-account bounds on work in flight, so one tenant cannot
 * starve the others.
 *
 * Every request that runs off the HTTP threads (a streaming or spending
 * tools/call on a worker, an outbound action such as a custom in-call tool
 * waiting on a CRM) holds one unit of its account's quota from the moment
 * it is accepted until its thread finishes. An account at its limit gets
 * a clear refusal (HTTP 429) while every other account goes on; the global
 * bound on worker threads (http.c) stays as the last line. The limit is
 * SWITCHBOARD_ACCOUNT_INFLIGHT_MAX (default QUOTA_DEFAULT_MAX), read once.
 * Unauthenticated requests (conformance fixtures) share account 0.
 * Thread-safe: one mutex guards the table; nothing here blocks.
 */
#ifndef QUOTA_H
#define QUOTA_H

#include <stdint.h>

#define QUOTA_DEFAULT_MAX 16

/* Take one unit of the account's quota: 0, or -1 when it is at its limit. */
int quota_acquire(int64_t account_id);
/* Give back a unit taken by quota_acquire. */
void quota_release(int64_t account_id);
/* The account's units in flight now (0 for an account with none). */
int quota_in_flight(int64_t account_id);
/* Units in flight across all accounts, and the per-account limit. */
int quota_total(void);
int quota_limit(void);

#endif
