/*
 * phone.h - phone numbers to E.164, so "030 1234567", "+49 (30) 123-4567"
 * and "0049301234567" all match "+49301234567".
 *
 * Rules: visual separators (space, '-', '.', '/', parentheses) are dropped;
 * a leading "+" or international prefix "00" (or "011" for NANP) starts an
 * international number; a leading national trunk "0" is replaced by the
 * default country code; for NANP (+1) a 10-digit number or an 11-digit one
 * starting with 1 is national. Anything else (letters, too short/long) is
 * refused. Short internal extensions (2-6 digits) are not phone numbers.
 */
#ifndef PHONE_H
#define PHONE_H

#include <stddef.h>

/* 0 and out = "+<digits>" (at least 17 bytes); -1 when not a number.
 * default_cc is the country calling code without '+', e.g. "49", "1";
 * NULL or "" when unknown (then a national number is refused). */
int phone_normalize(const char *in, const char *default_cc, char *out, size_t outlen);
/* 1 when s is a plausible internal extension (2-6 digits). */
int phone_is_extension(const char *s);
/* The calling code of an E.164 number's country for the common codes
 * (1, 7, 2x, 3x, 4x, 5x, 6x, 8x, 9x, 3-digit ones): copies it into cc
 * (at least 4 bytes). -1 when e164 is not "+digits". */
int phone_country_code(const char *e164, char *cc, size_t cclen);

#endif
