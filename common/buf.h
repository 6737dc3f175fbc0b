/* buf.h - a growable byte buffer with a hard size cap (after curl's dynbuf) */
#ifndef DT_BUF_H
#define DT_BUF_H

#include <stddef.h>

/* The contents are always NUL-terminated once anything was appended, so
 * b->data can be used as a C string. A failed append frees the contents:
 * a buffer that hit its cap or ran out of memory is empty again. */
typedef struct buf {
    char *data; /* owned; NULL until the first append */
    size_t len; /* bytes used, without the terminating NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* the hard cap on len */
} buf;

/* Starts an empty buffer that refuses to grow past max bytes. */
void buf_init(buf *b, size_t max);

/* Appends n bytes. Returns 0, DT_ENOMEM, or DT_EINVAL when the cap would be
 * passed (in both failure cases the buffer is freed and empty). */
int buf_append(buf *b, const void *p, size_t n);
/* Makes room for n more bytes and a NUL after len, for a caller that writes into data itself
 * (and moves len); the cap is the caller's to check. DT_OK or DT_ENOMEM (b freed). */
int buf_reserve(buf *b, size_t n);

/* Appends a C string. Same returns as buf_append. */
int buf_puts(buf *b, const char *s);

/* Appends printf-formatted text. Same returns as buf_append. */
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Empties the buffer without freeing its memory. */
void buf_reset(buf *b);

/* Hands the contents to the caller (who frees them with free()) and leaves
 * the buffer empty. Returns an empty allocated string when nothing was
 * appended, or NULL when out of memory. */
char *buf_detach(buf *b);

/* Frees the contents. Accepts NULL. */
void buf_free(buf *b);

#endif
