/*
 * audit.h - the audit trail of every tools/call.
 *
 * audit_record() copies the row into a bounded in-memory queue and returns;
 * a writer thread (worker.h) commits queued rows in batches (one transaction
 * per batch, at least every 100 ms) so the request path never waits on the
 * disk. audit_flush() blocks until everything queued so far is committed
 * (used by tests and at shutdown). When the queue is full the caller writes
 * its row itself: rows are never dropped.
 *
 * A row is bounded whatever the request held: the arguments are copied with
 * secret-looking fields redacted, strings over AUDIT_VALUE_MAX bytes cut to
 * a prefix and a marker "…[truncated N bytes sha256:<hex>]" (N and the hash
 * of the whole value), containers deeper than AUDIT_DEPTH_MAX replaced by a
 * marker string (so no walk and no json_dumps recurses deeper), and a text
 * still over SWITCHBOARD_AUDIT_ARGS_MAX bytes stored as one JSON string: its
 * prefix and the same kind of marker. The error text is cut like a value.
 *
 * Retention: the writer deletes rows older than
 * SWITCHBOARD_AUDIT_RETENTION_DAYS (0 keeps them forever) at start and every
 * SWITCHBOARD_AUDIT_SWEEP_S, in bounded batches between its commits.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <jansson.h>
#include "mcp/auth.h"

/* ---- bounds on what a row keeps ---- */
#define AUDIT_VALUE_MAX 1024           /* a longer string keeps a prefix + marker */
#define AUDIT_DEPTH_MAX 32             /* deeper subtrees become a marker */
#define AUDIT_ARGS_MAX_DEFAULT 8192    /* SWITCHBOARD_AUDIT_ARGS_MAX */
#define AUDIT_RETENTION_DAYS_DEFAULT 90 /* SWITCHBOARD_AUDIT_RETENTION_DAYS */

/* ---- lifecycle ---- */

/* Reads the settings, starts the writer: 0, or -1 (logged). */
int audit_start(void);
void audit_stop(void);          /* flushes, then joins the writer */
void audit_flush(void);
void audit_record(const struct principal *who, const char *transport,
		  const char *tool, const json_t *args, const char *outcome,
		  const char *error, double duration_ms);

/* ---- the stored copy ---- */

/* A bounded copy of args (new reference): secret-looking fields replaced by
 * "[redacted]", header values too, long strings and deep subtrees cut as
 * above. NULL args gives {}. */
json_t *audit_redact(const json_t *args);
/* audit_redact's copy as the JSON text a row stores, at most max bytes
 * (over it: one JSON string, prefix + marker). Caller frees; NULL when out
 * of memory. */
char *audit_args_text(const json_t *args, size_t max);

/* ---- retention ---- */

/* Delete rows older than `before` (unix seconds), oldest first, in batches
 * of 1000 and at most 20 batches a call: 0 when none is left, 1 when more
 * may be (call again), -1 on a store error. *deleted (may be NULL) gets the
 * count. The writer calls it; exposed for tests. */
int audit_sweep(double before, long *deleted);

#endif
