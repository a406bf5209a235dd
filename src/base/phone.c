/* phone.c - phone numbers to E.164 (see phone.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "base/phone.h"

/* ITU-T E.164 country codes of length 1 and 2; every other starts a
 * 3-digit code. */
static int cc_len(const char *d)
{
	static const char *const two[] = {
		"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41",
		"43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54",
		"55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
		"81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98", NULL
	};
	if (d[0] == '1' || d[0] == '7')
		return 1;
	for (int i = 0; two[i]; i++)
		if (!strncmp(d, two[i], 2))
			return 2;
	return 3;
}

int phone_country_code(const char *e164, char *cc, size_t cclen)
{
	size_t n;
	if (!e164 || e164[0] != '+' || !isdigit((unsigned char)e164[1]) || strlen(e164) < 4)
		return -1;
	n = (size_t)cc_len(e164 + 1);
	if (n + 1 > cclen)
		return -1;
	memcpy(cc, e164 + 1, n);
	cc[n] = '\0';
	return 0;
}

int phone_is_extension(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 6)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int phone_normalize(const char *in, const char *default_cc, char *out, size_t outlen)
{
	char d[40];
	size_t n = 0;
	int plus = 0;
	const char *p;

	if (!in)
		return -1;
	while (isspace((unsigned char)*in))
		in++;
	if (*in == '+') {
		plus = 1;
		in++;
	}
	for (p = in; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n + 1 >= sizeof(d))
				return -1;
			d[n++] = *p;
		} else if (!strchr(" -./()\t", *p)) {
			return -1;
		}
	}
	d[n] = '\0';
	if (!plus) {
		if (!strncmp(d, "00", 2)) {
			memmove(d, d + 2, n - 1);
			n -= 2;
		} else if (default_cc && !strcmp(default_cc, "1") && !strncmp(d, "011", 3)) {
			memmove(d, d + 3, n - 2);
			n -= 3;
		} else if (default_cc && !strcmp(default_cc, "1") && (n == 10 ||
			   (n == 11 && d[0] == '1'))) {
			if (n == 10) {	/* area code + number: add the country */
				memmove(d + 1, d, n + 1);
				d[0] = '1';
				n++;
			}
		} else if (d[0] == '0' && default_cc && *default_cc) {
			size_t k = strlen(default_cc);
			if (k > 3 || n - 1 + k >= sizeof(d))
				return -1;
			memmove(d + k, d + 1, n);	/* drop the trunk 0, keep the NUL */
			memcpy(d, default_cc, k);
			n = n - 1 + k;
		} else {
			return -1;	/* a national number with no country to put it in */
		}
	}
	if (n < 7 || n > 15 || d[0] == '0')
		return -1;
	if ((size_t)snprintf(out, outlen, "+%s", d) >= outlen)
		return -1;
	return 0;
}
