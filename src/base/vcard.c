/* vcard.c - a tolerant, bounded vCard reader (see vcard.h). */
#include <string.h>
#include <strings.h>
#include "base/buf.h"
#include "base/vcard.h"

struct card {
	struct buf name, n, org, email;
	struct buf tels[VCARD_MAX_TELS];
	size_t ntels;
};

static void card_reset(struct card *c)
{
	buf_reset(&c->name);
	buf_reset(&c->n);
	buf_reset(&c->org);
	buf_reset(&c->email);
	for (size_t i = 0; i < VCARD_MAX_TELS; i++)
		buf_reset(&c->tels[i]);
	c->ntels = 0;
}

/* value with escapes undone, up to `stop` (';' for structured values, 0 = none) */
static void unescape(struct buf *out, const char *v, char stop)
{
	buf_reset(out);
	for (; *v; v++) {
		if (*v == stop)
			break;
		if (*v == '\\' && v[1]) {
			v++;
			if (buf_addch(out, *v == 'n' || *v == 'N' ? ' ' : *v))
				return;
			continue;
		}
		if (buf_addch(out, *v))
			return;
	}
}

/* "Family;Given;..." -> "Given Family" */
static void name_from_n(struct buf *out, const char *v)
{
	struct buf fam = BUF_INIT(VCARD_MAX_FIELD), giv = BUF_INIT(VCARD_MAX_FIELD);
	const char *semi = strchr(v, ';');

	unescape(&fam, v, ';');
	if (semi)
		unescape(&giv, semi + 1, ';');
	buf_reset(out);
	if (giv.len)
		buf_printf(out, "%s%s", buf_str(&giv), fam.len ? " " : "");
	buf_adds(out, buf_str(&fam));
	buf_release(&fam);
	buf_release(&giv);
}

static int emit(struct card *c, vcard_fn fn, void *arg)
{
	struct vcard_entry e;

	memset(&e, 0, sizeof(e));
	e.name = c->name.len ? buf_str(&c->name) : buf_str(&c->n);
	e.org = buf_str(&c->org);
	e.email = buf_str(&c->email);
	for (size_t i = 0; i < c->ntels; i++)
		e.tels[i] = buf_str(&c->tels[i]);
	e.ntels = c->ntels;
	return fn(&e, arg);
}

int vcard_parse(const char *text, size_t len, vcard_fn fn, void *arg)
{
	struct card c;
	struct buf line = BUF_INIT(VCARD_MAX_LINE);
	const char *p = text, *end = text + len;
	int count = 0, open = 0;

	memset(&c, 0, sizeof(c));
	buf_init(&c.name, VCARD_MAX_FIELD);
	buf_init(&c.n, VCARD_MAX_FIELD);
	buf_init(&c.org, VCARD_MAX_FIELD);
	buf_init(&c.email, VCARD_MAX_FIELD);
	for (size_t i = 0; i < VCARD_MAX_TELS; i++)
		buf_init(&c.tels[i], 64);

	while (p < end) {
		/* one unfolded line */
		buf_reset(&line);
		for (;;) {
			const char *q = p;
			while (q < end && *q != '\r' && *q != '\n')
				q++;
			if (line.len < line.limit)
				buf_add(&line, p, (size_t)(q - p) <= line.limit - line.len
					? (size_t)(q - p) : line.limit - line.len);
			p = q;
			if (p < end && *p == '\r')
				p++;
			if (p < end && *p == '\n')
				p++;
			if (p < end && (*p == ' ' || *p == '\t'))
				p++;   /* folded continuation */
			else
				break;
		}
		const char *l = buf_str(&line), *colon = strchr(l, ':');
		if (!colon)
			continue;
		/* "group.NAME;params:value": skip the group */
		size_t klen = strcspn(l, ";:");
		const char *dot = memchr(l, '.', klen);
		if (dot) {
			klen -= (size_t)(dot + 1 - l);
			l = dot + 1;
		}
		const char *val = colon + 1;
#define IS(k) (klen == sizeof(k) - 1 && !strncasecmp(l, k, klen))
		if (IS("BEGIN") && !strncasecmp(val, "VCARD", 5)) {
			card_reset(&c);
			open = 1;
		} else if (IS("FN")) {
			unescape(&c.name, val, 0);
			open = 1;
		} else if (IS("N")) {
			name_from_n(&c.n, val);
			open = 1;
		} else if (IS("ORG")) {
			unescape(&c.org, val, ';');
		} else if (IS("EMAIL")) {
			if (!c.email.len)
				unescape(&c.email, val, 0);
		} else if (IS("TEL")) {
			if (!strncasecmp(val, "tel:", 4))
				val += 4;
			if (c.ntels < VCARD_MAX_TELS && *val) {
				unescape(&c.tels[c.ntels], val, 0);
				if (c.tels[c.ntels].len)
					c.ntels++;
			}
			open = 1;
		} else if (IS("END") && !strncasecmp(val, "VCARD", 5)) {
			if (open) {
				count++;
				if (emit(&c, fn, arg))
					break;
			}
			card_reset(&c);
			open = 0;
		}
#undef IS
	}
	buf_release(&line);
	buf_release(&c.name);
	buf_release(&c.n);
	buf_release(&c.org);
	buf_release(&c.email);
	for (size_t i = 0; i < VCARD_MAX_TELS; i++)
		buf_release(&c.tels[i]);
	return count;
}
