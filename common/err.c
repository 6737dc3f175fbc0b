/* err.c - error reports and problem lists */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int err_set(dt_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    err->code = code;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    /* A message cut to fit must not end inside a UTF-8 character: it travels in JSON. */
    if (n >= (int)sizeof(err->msg)) {
        size_t last = sizeof(err->msg) - 2, start = last;
        while (start > 0 && ((unsigned char)err->msg[start] & 0xC0) == 0x80)
            start--;
        unsigned char lead = (unsigned char)err->msg[start];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (start + need > last + 1)
            err->msg[start] = '\0';
    }
    return code;
}

void err_clear(dt_err *err)
{
    if (!err)
        return;
    err->code = DT_OK;
    err->msg[0] = '\0';
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *p = malloc(n + 1);

    if (p)
        memcpy(p, s ? s : "", n + 1);
    return p;
}

static int add_owned(errlist *l, char *where, char *what, char *msg)
{
    if (!where || !what || !msg)
        goto fail;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        err_item *items = realloc(l->items, cap * sizeof(*items));
        if (!items)
            goto fail;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n].where = where;
    l->items[l->n].what = what;
    l->items[l->n].msg = msg;
    l->n++;
    return DT_OK;
fail:
    free(where);
    free(what);
    free(msg);
    return DT_ENOMEM;
}

int errlist_add(errlist *l, const char *where, const char *what, const char *fmt, ...)
{
    va_list ap;
    char buf[1024];

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return add_owned(l, dupstr(where), dupstr(what), dupstr(buf));
}

int errlist_extend(errlist *dst, const errlist *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const err_item *it = &src->items[i];
        int rc = add_owned(dst, dupstr(it->where), dupstr(it->what), dupstr(it->msg));
        if (rc)
            return rc;
    }
    return DT_OK;
}

void errlist_free(errlist *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].where);
        free(l->items[i].what);
        free(l->items[i].msg);
    }
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

const err_item *errlist_find(const errlist *l, const char *where)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].where, where))
            return &l->items[i];
    return NULL;
}

const char *err_after_prefix(const char *msg, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(msg, prefix, n) && msg[n] == ':' && msg[n + 1] == ' ' ? msg + n + 2 : msg;
}
