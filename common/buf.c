/* buf.c - a growable byte buffer with a hard size cap */
#include "buf.h"
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_free(buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_reset(buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int grow(buf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 64;
    char *p;

    while (cap < need + 1)
        cap *= 2;
    p = realloc(b->data, cap);
    if (!p)
        return DT_ENOMEM;
    b->data = p;
    b->cap = cap;
    return DT_OK;
}

int buf_reserve(buf *b, size_t n)
{
    if (b->len + n + 1 > b->cap && grow(b, b->len + n)) {
        buf_free(b);
        return DT_ENOMEM;
    }
    return DT_OK;
}

int buf_append(buf *b, const void *p, size_t n)
{
    if (n > b->max || b->len > b->max - n) {
        buf_free(b);
        return DT_EINVAL;
    }
    if (b->len + n + 1 > b->cap && grow(b, b->len + n)) {
        buf_free(b);
        return DT_ENOMEM;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return DT_OK;
}

int buf_puts(buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return DT_EINVAL;
    if ((size_t)n < sizeof(small))
        return buf_append(b, small, (size_t)n);

    char *big = malloc((size_t)n + 1);
    if (!big) {
        buf_free(b);
        return DT_ENOMEM;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = buf_append(b, big, (size_t)n);
    free(big);
    return rc;
}

char *buf_detach(buf *b)
{
    char *p = b->data;

    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
