/* buf.c - bounded growable byte buffer (see buf.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"

void buf_init(struct buf *b, size_t limit)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->limit = limit;
}

void buf_release(struct buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p = b->ptr;
	if (!p) {
		p = calloc(1, 1);
		if (!p)
			abort();
	}
	if (len)
		*len = b->len;
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

static int buf_grow(struct buf *b, size_t extra)
{
	size_t need, ncap;
	char *np;

	if (extra > b->limit || b->len > b->limit - extra)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	if (ncap > b->limit + 1)
		ncap = b->limit + 1;
	np = realloc(b->ptr, ncap);
	if (!np)
		return -1;
	b->ptr = np;
	b->cap = ncap;
	return 0;
}

int buf_add(struct buf *b, const void *data, size_t len)
{
	if (buf_grow(b, len))
		return -1;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addch(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || buf_grow(b, (size_t)n))
		return -1;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

const char *buf_str(const struct buf *b)
{
	return b->ptr ? b->ptr : "";
}
