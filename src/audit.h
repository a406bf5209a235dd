/*
 * audit.h - the audit trail of every tools/call.
 *
 * audit_record() copies the row into a bounded in-memory queue and returns;
 * a writer thread commits queued rows in batches (one transaction per batch,
 * at least every 100 ms) so the request path never waits on the disk.
 * audit_flush() blocks until everything queued so far is committed (used by
 * tests and at shutdown). Arguments are redacted before they get here
 * (audit_redact). When the queue is full the caller writes its row itself:
 * rows are never dropped.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <jansson.h>
#include "auth.h"

int audit_start(void);
void audit_stop(void);          /* flushes, then joins the writer */
void audit_flush(void);
void audit_record(const struct principal *who, const char *transport,
		  const char *tool, const json_t *args, const char *outcome,
		  const char *error, double duration_ms);
/* A deep copy of args with secret-looking fields replaced by "[redacted]". */
json_t *audit_redact(const json_t *args);

#endif
