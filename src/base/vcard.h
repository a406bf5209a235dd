/*
 * vcard.h - a tolerant, bounded vCard reader (RFC 2426 / 6350 subset) for
 * contact imports (admin.c) and CardDAV answers (contactsrc.c).
 *
 * It reads what a phone directory needs: FN (the name; N when there is no
 * FN), ORG (its first component), EMAIL (the first) and every TEL (a
 * "tel:" URI prefix dropped). Lines are unfolded (CRLF or LF followed by a
 * space or tab), property groups ("item1.TEL") and parameters are ignored,
 * backslash escapes (\\, \, \; \n) are undone in text values. Anything else
 * is skipped, never an error: a damaged card yields what it has. Each card
 * ends at END:VCARD and is handed to the callback; a card without BEGIN is
 * still read. Bounded: a line is at most VCARD_MAX_LINE bytes (longer ones
 * are cut), a card keeps at most VCARD_MAX_TELS numbers.
 *
 * The callback's strings are only valid during the call. Thread-safe; no
 * allocation survives vcard_parse().
 */
#ifndef VCARD_H
#define VCARD_H

#include <stddef.h>

#define VCARD_MAX_LINE (64 * 1024)
#define VCARD_MAX_TELS 16
#define VCARD_MAX_FIELD 512

struct vcard_entry {
	const char *name;               /* "" when the card has none */
	const char *org;                /* "" when none */
	const char *email;              /* "" when none */
	const char *tels[VCARD_MAX_TELS];
	size_t ntels;
};

/* Return non-zero from the callback to stop early. */
typedef int (*vcard_fn)(const struct vcard_entry *e, void *arg);

/* Read every card in text[0..len); the number of cards handed over. */
int vcard_parse(const char *text, size_t len, vcard_fn fn, void *arg);

#endif
