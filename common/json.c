/* json.c - reading JSON documents with errors that say where */
#include "json.h"
#include "utf8.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int file_read(char **out, size_t *out_len, const char *path, size_t max, dt_err *err)
{
    FILE *f = NULL;
    char *data = NULL;
    size_t len = 0, cap = 0;
    int rc = DT_OK;

    *out = NULL;
    if (out_len)
        *out_len = 0;
    f = fopen(path, "rb");
    if (!f) {
        rc = err_set(err, DT_EIO, "%s: cannot open: %s", path, strerror(errno));
        goto cleanup;
    }
    for (;;) {
        if (len + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *p = realloc(data, ncap);
            if (!p) {
                rc = err_set(err, DT_ENOMEM, "%s: out of memory", path);
                goto cleanup;
            }
            data = p;
            cap = ncap;
        }
        size_t n = fread(data + len, 1, cap - len - 1, f);
        len += n;
        if (len > max) {
            rc = err_set(err, DT_EINVAL, "%s: file is larger than the limit of %zu bytes", path,
                         max);
            goto cleanup;
        }
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        rc = err_set(err, DT_EIO, "%s: read error", path);
        goto cleanup;
    }
    data[len] = '\0';
    *out = data;
    data = NULL;
    if (out_len)
        *out_len = len;
cleanup:
    free(data);
    if (f)
        fclose(f);
    return rc;
}

/* Line and column (both 1-based, column in bytes) of offset off in text. */
static void locate(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

int json_parse(cJSON **out, const char *text, size_t len, const char *name, dt_err *err)
{
    size_t bad = 0;
    const char *end = NULL;
    int line, col;

    *out = NULL;
    if (!utf8_valid(text, len, &bad)) {
        locate(text, bad, &line, &col);
        return err_set(err, DT_EINVAL, "%s: line %d, column %d: text is not valid UTF-8", name,
                       line, col);
    }
    *out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (*out) {
        /* Only white space may follow the document. */
        size_t off = (size_t)(end - text);
        while (off < len &&
               (text[off] == ' ' || text[off] == '\t' || text[off] == '\n' || text[off] == '\r'))
            off++;
        if (off == len)
            return DT_OK;
        cJSON_Delete(*out);
        *out = NULL;
        locate(text, off, &line, &col);
        return err_set(err, DT_EINVAL, "%s: line %d, column %d: unexpected text after the JSON",
                       name, line, col);
    }
    {
        size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        const char *p = cJSON_GetErrorPtr();
        if (!end && p && p >= text && p <= text + len)
            off = (size_t)(p - text);
        locate(text, off, &line, &col);
        return err_set(err, DT_EINVAL, "%s: line %d, column %d: malformed JSON", name, line, col);
    }
}

int json_load_file(cJSON **out, const char *path, size_t max, dt_err *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    rc = file_read(&text, &len, path, max, err);
    if (rc == DT_OK)
        rc = json_parse(out, text, len, path, err);
    free(text);
    return rc;
}

int json_get_int(const cJSON *item, long long *out)
{
    double d;

    if (!cJSON_IsNumber(item))
        return 0;
    d = item->valuedouble;
    if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740992.0)
        return 0;
    *out = (long long)d;
    return 1;
}
