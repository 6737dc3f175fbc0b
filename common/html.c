/* html.c - writing the dashboard's HTML */
#include "html.h"

#include <string.h>

int html_put(buf *b, const char *text)
{
    const char *p = text, *run = text;
    int rc = 0;

    for (; *p && !rc; p++) {
        const char *e = *p == '&'    ? "&amp;"
                        : *p == '<'  ? "&lt;"
                        : *p == '>'  ? "&gt;"
                        : *p == '"'  ? "&quot;"
                        : *p == '\'' ? "&#39;"
                                     : NULL;
        if (!e)
            continue;
        if (p > run)
            rc = buf_append(b, run, (size_t)(p - run));
        if (!rc)
            rc = buf_puts(b, e);
        run = p + 1;
    }
    if (!rc && p > run)
        rc = buf_append(b, run, (size_t)(p - run));
    return rc;
}
