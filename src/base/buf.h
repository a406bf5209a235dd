/*
 * buf.h - bounded growable byte buffer.
 *
 * A struct buf holds a NUL-terminated byte string that grows on demand up to
 * a limit fixed at buf_init(). An append that would pass the limit fails
 * with -1 and leaves the buffer exactly as it was: nothing is ever dropped or
 * truncated silently (curl's dynbuf "toobig"). The buffer owns its memory;
 * buf_release() frees it and leaves an empty, reusable buffer; buf_detach()
 * hands the bytes to the caller.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <stdarg.h>

struct buf {
	char *ptr;      /* always NUL-terminated when non-NULL */
	size_t len;     /* bytes used, without the NUL */
	size_t cap;     /* bytes allocated */
	size_t limit;   /* largest len allowed */
};

#define BUF_INIT(lim) { NULL, 0, 0, (lim) }

/* Lifecycle */
void buf_init(struct buf *b, size_t limit);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);          /* len = 0, keeps the memory */
char *buf_detach(struct buf *b, size_t *len); /* caller frees; never NULL */

/* Appending: 0 on success, -1 when the limit or memory would be exceeded */
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Read access: never NULL (an empty buffer gives "") */
const char *buf_str(const struct buf *b);

#endif
