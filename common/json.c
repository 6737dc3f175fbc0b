/* json.c - reading JSON documents with errors that say where */
#include "json.h"
#include "buf.h"
#include "utf8.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
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

/* ---- printing compact JSON as cJSON does */

const char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int json_append_string(buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)(s ? s : ""), *run;
    int rc;

    if ((rc = buf_append(b, "\"", 1)))
        return rc;
    /* Runs of bytes that need no escape go in with one append: most strings are one. */
    for (run = p; *p; p++) {
        char esc[6] = {'\\', 0, '0', '0', 0, 0};
        size_t n = 2;
        if (*p > 31 && *p != '"' && *p != '\\')
            continue;
        switch (*p) {
        case '"':
        case '\\':
            esc[1] = (char)*p;
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default: /* cJSON's "u%04x": lowercase hex */
            esc[1] = 'u';
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 15];
            n = 6;
            break;
        }
        if ((rc = buf_append(b, run, (size_t)(p - run))) || (rc = buf_append(b, esc, n)))
            return rc;
        run = p + 1;
    }
    if ((rc = buf_append(b, run, (size_t)(p - run))))
        return rc;
    return buf_append(b, "\"", 1);
}

/* cJSON's test of a number read back: equal within DBL_EPSILON relative to the larger. */
static int close_enough(double a, double b)
{
    double larger = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

    return fabs(a - b) <= larger * DBL_EPSILON;
}

/* What "%1.15g" prints for the finite d when d is a whole number below 1e15, or is the
 * double nearest k / 10^p for some whole k and p <= 3 while below 1e9: then the digits
 * of k with the point put back are d rounded to 15 significant digits (d is within half
 * an ulp, 2^-53 relative, of k / 10^p, which has at most 13 digits), and they read back
 * as d exactly, so cJSON keeps them. Writes at most 24 bytes to out; returns their
 * number, or 0 when d is none of these. */
static int number_fast(double d, char *out)
{
    static const double scale[] = {1, 10, 100, 1000};
    double a = fabs(d);
    char digits[24];
    long long k = -1;
    int p = 0, nd = 0, n = 0;

    if (a < 1e15 && a == floor(a)) {
        k = (long long)a;
    } else if (a < 1e9) {
        for (int q = 1; q <= 3; q++) {
            double t = (double)llround(a * scale[q]);
            if (t / scale[q] == a) {
                k = (long long)t;
                p = q;
                break;
            }
        }
    }
    if (k < 0)
        return 0;
    do { /* least significant first */
        digits[nd++] = (char)('0' + k % 10);
        k /= 10;
    } while (k);
    while (nd <= p) /* 5 / 10^3 is 0.005 */
        digits[nd++] = '0';
    /* Dropped like %g drops them: zeros at the end of the fraction. */
    int skip = 0;
    while (skip < p && digits[skip] == '0')
        skip++;
    if (signbit(d)) /* -0.0 too: cJSON prints "-0" */
        out[n++] = '-';
    for (int i = nd - 1; i >= p; i--)
        out[n++] = digits[i];
    if (skip < p) {
        out[n++] = '.';
        for (int i = p - 1; i >= skip; i--)
            out[n++] = digits[i];
    }
    return n;
}

/* cJSON's way for every other finite number: "%1.15g" when it reads back close enough,
 * else "%1.17g", with the locale's decimal point turned into '.'. out has 32 bytes. */
static int number_slow(double d, char *out)
{
    char point = localeconv()->decimal_point[0], *end;
    int n = snprintf(out, 32, "%1.15g", d);
    double back = strtod(out, &end); /* what sscanf("%lg") does inside glibc */

    if (end == out || !close_enough(back, d))
        n = snprintf(out, 32, "%1.17g", d);
    if (n < 0 || n >= 32)
        return -1;
    for (int i = 0; i < n; i++)
        if (out[i] == point)
            out[i] = '.';
    return n;
}

static int append_number(buf *b, double d)
{
    char out[32];
    int n;

    if (isnan(d) || isinf(d))
        return buf_append(b, "null", 4);
    n = number_fast(d, out);
    if (n == 0)
        n = number_slow(d, out);
    return n < 0 ? DT_EINVAL : buf_append(b, out, (size_t)n);
}

int json_append_compact(buf *b, const cJSON *item)
{
    const cJSON *c;
    int rc;

    if (!item)
        return DT_EINVAL;
    switch (item->type & 0xFF) {
    case cJSON_NULL:
        return buf_append(b, "null", 4);
    case cJSON_False:
        return buf_append(b, "false", 5);
    case cJSON_True:
        return buf_append(b, "true", 4);
    case cJSON_Number:
        return append_number(b, item->valuedouble);
    case cJSON_Raw:
        return item->valuestring ? buf_puts(b, item->valuestring) : DT_EINVAL;
    case cJSON_String:
        return json_append_string(b, item->valuestring);
    case cJSON_Array:
        if ((rc = buf_append(b, "[", 1)))
            return rc;
        for (c = item->child; c; c = c->next)
            if ((c != item->child && (rc = buf_append(b, ",", 1))) ||
                (rc = json_append_compact(b, c)))
                return rc;
        return buf_append(b, "]", 1);
    case cJSON_Object:
        if ((rc = buf_append(b, "{", 1)))
            return rc;
        for (c = item->child; c; c = c->next)
            if ((c != item->child && (rc = buf_append(b, ",", 1))) ||
                (rc = json_append_string(b, c->string)) || (rc = buf_append(b, ":", 1)) ||
                (rc = json_append_compact(b, c)))
                return rc;
        return buf_append(b, "}", 1);
    default:
        return DT_EINVAL;
    }
}

char *json_print_compact(const cJSON *item)
{
    buf b;

    /* No cap but memory, like cJSON. */
    buf_init(&b, SIZE_MAX / 2);
    if (json_append_compact(&b, item)) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}
