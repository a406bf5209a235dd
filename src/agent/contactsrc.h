/*
 * contactsrc.h - external contact directories for lookup_contact: per
 * account, the HTTP and CardDAV sources an operator configured
 * (`switchboard contact source add`, table contact_sources).
 *
 * lookup_contact asks the native contact store first; when it knows the
 * number not, contactsrc_lookup() asks every enabled source of the account
 * at once (one thread each, at most CONTACTSRC_MAX) with the number in
 * E.164 and in its national format, and waits at most
 * SWITCHBOARD_CONTACT_SOURCE_TIMEOUT_MS (2000) for all of them: a slow or
 * failing source is named in `failed`, the others still answer.
 *
 *   http:    GET {url}?phone={e164} (then ?phone={national} when nothing
 *            matched), answered with JSON [{name, company, numbers[]}] or
 *            {contacts: [...]} ("phone"/"number"/"phones" are read too).
 *   carddav: REPORT {url} (the address book collection), Depth: 1, an
 *            RFC 6352 addressbook-query with TEL text-match filters (E.164,
 *            national, and the last 7 digits: stored numbers are often
 *            spaced), parsed from the multistatus address-data vCards
 *            (vcard.h) by a bounded hand-written reader.
 * Both go through httpaction_raw: the netguard (SWITCHBOARD_HTTP_ALLOW),
 * TLS verified, no redirects, responses capped (512 KiB); credentials are
 * sent as HTTP basic auth. Every number a source returns is normalised
 * (phone.h) and only contacts with the asked number are kept (a contact
 * without numbers is trusted as the source's match).
 *
 * Answers are cached per account and number for
 * SWITCHBOARD_CONTACT_CACHE_TTL_S (60, 0 = off) when no source failed.
 * Thread-safe.
 */
#ifndef CONTACTSRC_H
#define CONTACTSRC_H

#include <stdint.h>
#include <jansson.h>

#define CONTACTSRC_MAX 8
#define CONTACTSRC_RESPONSE_MAX (512 * 1024)

/* "http:<host>" or "carddav:<host>" (":port" when the URL names one). */
int contactsrc_label(const char *kind, const char *url, char *out, size_t outlen);

/* Ask the account's sources for e164. *found = [{name, company, numbers[],
 * email, source}] in source order, *failed = [{source, source_id, error}]; both new
 * references, empty arrays when there are no sources. 0, or -1 when the
 * sources cannot be read. */
int contactsrc_lookup(int64_t account_id, const char *e164, json_t **found, json_t **failed);

/* The national form of an E.164 number ("+49301234567" -> "0301234567",
 * "+14155552671" -> "4155552671"); -1 when it has no known country code. */
int contactsrc_national(const char *e164, char *out, size_t outlen);

/* Forget cached answers (tests, after a source changed). */
void contactsrc_cache_clear(void);

#endif
