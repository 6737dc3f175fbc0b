/* canon.c - RFC 8785 canonical JSON: ECMAScript numbers, minimal string escapes, members in
 * UTF-16 code-unit order */
#include "canon.h"
#include "json.h"
#include "utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 256

/* ---- numbers */

/* The shortest digits of d > 0 that read back as d (ECMAScript's k, the fewest), into
 * digits (NUL-terminated, no point); *n is the decimal exponent with d = 0.digits x 10^n. */
static void shortest(double d, char *digits, int *n)
{
    char tmp[40];

    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d || p == 17)
            break;
    }
    /* tmp is "D.DDDe+XX" or "De+XX": the closest p-digit decimal, which reads back as d when
     * any p-digit one does */
    int k = 0;
    for (const char *c = tmp; *c && *c != 'e'; c++)
        if (*c != '.')
            digits[k++] = *c;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    *n = atoi(strchr(tmp, 'e') + 1) + 1;
}

int canon_number(char *out, size_t size, double d)
{
    char s[24];
    int n, at = 0;

    if (!isfinite(d))
        return -1;
    if (d == 0.0) { /* -0 too */
        snprintf(out, size, "0");
        return 0;
    }
    if (d < 0)
        at = snprintf(out, size, "-");
    shortest(fabs(d), s, &n);
    int k = (int)strlen(s);
    char *o = out + at;
    size_t left = size - (size_t)at;
    if (k <= n && n <= 21) /* an integer: its digits, then zeros */
        snprintf(o, left, "%s%.*s", s, n - k, "000000000000000000000");
    else if (0 < n && n <= 21) /* the point inside the digits */
        snprintf(o, left, "%.*s.%s", n, s, s + n);
    else if (-6 < n && n <= 0) /* 0.000ddd */
        snprintf(o, left, "0.%.*s%s", -n, "000000", s);
    else /* d.ddde+x */
        snprintf(o, left, "%c%s%se%c%d", s[0], k > 1 ? "." : "", s + 1, n >= 1 ? '+' : '-',
                 abs(n - 1));
    return 0;
}

/* ---- output: a buffer that cannot take more (full, or no memory) is an error of its own */

static int full(dt_err *err)
{
    return err_set(err, DT_ENOMEM, "canonical JSON: out of memory or past its size limit");
}

static int put(buf *b, const char *p, size_t n, dt_err *err)
{
    return buf_append(b, p, n) ? full(err) : 0;
}

/* ---- strings: json_append_string's form is RFC 8785's (only ", \ and the controls escaped,
 * those as \b \f \n \r \t or \u00xx in lowercase, everything else as is) */

static int append_string(buf *b, const char *s, dt_err *err)
{
    return json_append_string(b, s) ? full(err) : 0;
}

/* ---- member names in UTF-16 code-unit order */

/* The next UTF-16 code unit of a valid UTF-8 string, or -1 at its end. *low holds the second
 * half of a surrogate pair between calls. */
static long next_unit(const unsigned char **p, unsigned *low)
{
    const unsigned char *s = *p;
    unsigned long cp;

    if (*low) {
        long u = (long)*low;
        *low = 0;
        return u;
    }
    if (!*s)
        return -1;
    if (*s < 0x80) {
        cp = *s++;
    } else if ((*s & 0xE0) == 0xC0) {
        cp = (unsigned long)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
        s += 2;
    } else if ((*s & 0xF0) == 0xE0) {
        cp = (unsigned long)(s[0] & 0x0F) << 12 | (unsigned long)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
        s += 3;
    } else {
        cp = (unsigned long)(s[0] & 0x07) << 18 | (unsigned long)(s[1] & 0x3F) << 12 |
             (unsigned long)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
        s += 4;
    }
    *p = s;
    if (cp < 0x10000)
        return (long)cp;
    cp -= 0x10000;
    *low = (unsigned)(0xDC00 + (cp & 0x3FF));
    return (long)(0xD800 + (cp >> 10));
}

static int by_name(const void *pa, const void *pb)
{
    const unsigned char *a = (const unsigned char *)(*(const cJSON *const *)pa)->string;
    const unsigned char *b = (const unsigned char *)(*(const cJSON *const *)pb)->string;
    unsigned la = 0, lb = 0;

    for (;;) {
        long ua = next_unit(&a, &la), ub = next_unit(&b, &lb);
        if (ua != ub)
            return ua < ub ? -1 : 1;
        if (ua < 0)
            return 0;
    }
}

/* ---- values */

static int bad(dt_err *err, const char *path, const char *what)
{
    return err_set(err, DT_EINVAL, "%s: %s (RFC 8785 canonical JSON)", path[0] ? path : "$", what);
}

static int value(buf *b, const cJSON *v, char *path, dt_err *err);

static int object(buf *b, const cJSON *v, char *path, dt_err *err)
{
    size_t n = 0, at = strlen(path);
    const cJSON *c;
    int rc = 0;

    cJSON_ArrayForEach(c, v) n++;
    const cJSON **m = malloc((n ? n : 1) * sizeof(*m));
    if (!m)
        return err_set(err, DT_ENOMEM, "out of memory");
    n = 0;
    cJSON_ArrayForEach(c, v) m[n++] = c;
    for (size_t i = 0; i < n && !rc; i++)
        if (!m[i]->string || !utf8_valid(m[i]->string, strlen(m[i]->string), NULL))
            rc = bad(err, path, "a member name that is not UTF-8");
    if (!rc)
        qsort(m, n, sizeof(*m), by_name);
    for (size_t i = 1; i < n && !rc; i++)
        if (!strcmp(m[i - 1]->string, m[i]->string)) {
            snprintf(path + at, PATH_MAX_LEN - at, ".%s", m[i]->string);
            rc = bad(err, path, "a name given twice in one object");
        }
    if (!rc)
        rc = put(b, "{", 1, err);
    for (size_t i = 0; i < n && !rc; i++) {
        snprintf(path + at, PATH_MAX_LEN - at, ".%s", m[i]->string);
        if ((i && (rc = put(b, ",", 1, err))) || (rc = append_string(b, m[i]->string, err)) ||
            (rc = put(b, ":", 1, err)))
            break;
        rc = value(b, m[i], path, err);
    }
    path[at] = '\0';
    free(m);
    if (!rc)
        rc = put(b, "}", 1, err);
    return rc;
}

static int array(buf *b, const cJSON *v, char *path, dt_err *err)
{
    size_t at = strlen(path), i = 0;
    const cJSON *c;
    int rc = put(b, "[", 1, err);

    cJSON_ArrayForEach(c, v)
    {
        if (rc)
            break;
        snprintf(path + at, PATH_MAX_LEN - at, "[%zu]", i);
        if (!(i++ && (rc = put(b, ",", 1, err))))
            rc = value(b, c, path, err);
    }
    path[at] = '\0';
    return rc ? rc : put(b, "]", 1, err);
}

static int value(buf *b, const cJSON *v, char *path, dt_err *err)
{
    char num[40];

    if (cJSON_IsNull(v))
        return put(b, "null", 4, err);
    if (cJSON_IsTrue(v))
        return put(b, "true", 4, err);
    if (cJSON_IsFalse(v))
        return put(b, "false", 5, err);
    if (cJSON_IsNumber(v)) {
        if (canon_number(num, sizeof(num), v->valuedouble))
            return bad(err, path, "a number that is not finite");
        return put(b, num, strlen(num), err);
    }
    if (cJSON_IsString(v)) {
        if (!utf8_valid(v->valuestring, strlen(v->valuestring), NULL))
            return bad(err, path, "a string that is not UTF-8");
        return append_string(b, v->valuestring, err);
    }
    if (cJSON_IsArray(v))
        return array(b, v, path, err);
    if (cJSON_IsObject(v))
        return object(b, v, path, err);
    return bad(err, path, "not a JSON value");
}

int canon_append(buf *b, const cJSON *v, dt_err *err)
{
    char path[PATH_MAX_LEN] = "$";

    return value(b, v, path, err);
}
