/* value.c - answer values: checked and made canonical from JSON or typed text, and back */
#include "value.h"
#include "buf.h"
#include "json.h"
#include "utf8.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXACT 1e15 /* integers beyond this lose precision in a double */

static int bad(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return DT_EINVAL;
}

void val_free(val *v)
{
    free(v->str);
    v->str = NULL;
    v->len = 0;
    v->num = 0;
    v->has = 0;
}

int val_copy(val *dst, const val *src)
{
    char *s = NULL;

    if (src->has) {
        s = malloc(src->len + 1);
        if (!s)
            return DT_ENOMEM;
        memcpy(s, src->str, src->len + 1);
    }
    val_free(dst);
    dst->has = src->has;
    dst->num = src->num;
    dst->str = s;
    dst->len = src->has ? src->len : 0;
    return DT_OK;
}

/* Makes *out an answer with text s[0..n) and number num. */
static int set(val *out, const char *s, size_t n, double num)
{
    char *p = malloc(n + 1);

    if (!p)
        return DT_ENOMEM;
    memcpy(p, s, n);
    p[n] = '\0';
    val_free(out);
    out->has = 1;
    out->num = num;
    out->str = p;
    out->len = n;
    return DT_OK;
}

static int set_number(val *out, double d)
{
    char tmp[40];

    expr_format_number(d, tmp, sizeof(tmp));
    return set(out, tmp, strlen(tmp), d);
}

static int check_code(const form_question *q, long long code, char *why, size_t whylen)
{
    if (!form_choice_find(q->list, code))
        return bad(why, whylen, "code %lld is not in list '%s'", code, q->list->name);
    return DT_OK;
}

/* Builds the canonical select_multiple text from a flag per choice of the list. */
static int set_multi(val *out, const form_question *q, const unsigned char *picked)
{
    buf b;
    int any = 0, rc = DT_OK;

    buf_init(&b, (size_t)q->list->nchoices * 24 + 1);
    for (int i = 0; i < q->list->nchoices && rc == DT_OK; i++) {
        if (!picked[i])
            continue;
        rc = buf_printf(&b, "%s%lld", any ? " " : "", q->list->choices[i].code);
        any = 1;
    }
    if (rc == DT_OK)
        rc = any ? set(out, b.data, b.len, NAN) : (val_free(out), DT_OK);
    buf_free(&b);
    return rc;
}

/* Marks code in picked; refuses codes not in the list and repeated codes. */
static int pick(const form_question *q, unsigned char *picked, long long code, char *why,
                size_t whylen)
{
    for (int i = 0; i < q->list->nchoices; i++) {
        if (q->list->choices[i].code != code)
            continue;
        if (picked[i])
            return bad(why, whylen, "code %lld is chosen twice", code);
        picked[i] = 1;
        return DT_OK;
    }
    return bad(why, whylen, "code %lld is not in list '%s'", code, q->list->name);
}

static int check_geo(double lat, double lon, double acc, char *why, size_t whylen)
{
    if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180))
        return bad(why, whylen, "latitude must be within -90..90 and longitude within -180..180");
    if (!(acc >= 0))
        return bad(why, whylen, "accuracy must not be negative");
    return DT_OK;
}

static int set_geo(val *out, const double *g, int n)
{
    char tmp[128];

    if (n == 2)
        snprintf(tmp, sizeof(tmp), "%.7f %.7f", g[0], g[1]);
    else
        snprintf(tmp, sizeof(tmp), "%.7f %.7f %.1f %.1f", g[0], g[1], g[2], g[3]);
    return set(out, tmp, strlen(tmp), NAN);
}

static int text_ok(const char *s, size_t n, char *why, size_t whylen)
{
    size_t at;

    if (n > FORM_TEXT_MAX)
        return bad(why, whylen, "text is longer than %d bytes", FORM_TEXT_MAX);
    if (!utf8_valid(s, n, &at))
        return bad(why, whylen, "text is not valid UTF-8 (byte %zu)", at + 1);
    return DT_OK;
}

int val_from_json(val *out, const form_question *q, const cJSON *j, char *why, size_t whylen)
{
    long long i;
    int rc;

    val_free(out);
    if (!j || cJSON_IsNull(j) || (cJSON_IsString(j) && j->valuestring[0] == '\0'))
        return DT_OK;
    switch (q->type) {
    case Q_INTEGER:
        if (!json_get_int(j, &i) || fabs((double)i) > MAX_EXACT)
            return bad(why, whylen, "expected a whole number");
        return set_number(out, (double)i);
    case Q_DECIMAL:
        if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble))
            return bad(why, whylen, "expected a number");
        return set_number(out, j->valuedouble);
    case Q_TEXT:
        if (!cJSON_IsString(j))
            return bad(why, whylen, "expected text (a JSON string)");
        rc = text_ok(j->valuestring, strlen(j->valuestring), why, whylen);
        return rc ? rc : set(out, j->valuestring, strlen(j->valuestring), NAN);
    case Q_SELECT_ONE:
        if (!json_get_int(j, &i))
            return bad(why, whylen, "expected a choice code (a whole number)");
        rc = check_code(q, i, why, whylen);
        return rc ? rc : set_number(out, (double)i);
    case Q_SELECT_MULTIPLE: {
        unsigned char picked[1024] = {0};
        const cJSON *c;
        if (!cJSON_IsArray(j))
            return bad(why, whylen, "expected an array of choice codes");
        if (q->list->nchoices > (int)sizeof(picked))
            return bad(why, whylen, "list '%s' is too long", q->list->name);
        cJSON_ArrayForEach(c, j)
        {
            if (!json_get_int(c, &i))
                return bad(why, whylen, "expected an array of choice codes");
            if ((rc = pick(q, picked, i, why, whylen)))
                return rc;
        }
        return set_multi(out, q, picked);
    }
    case Q_DATE: {
        int days;
        if (!cJSON_IsString(j) || !expr_parse_date(j->valuestring, strlen(j->valuestring), &days))
            return bad(why, whylen, "expected a date as \"YYYY-MM-DD\"");
        return set(out, j->valuestring, 10, days);
    }
    case Q_GEOPOINT: {
        double g[4] = {0, 0, 0, 0};
        int n = cJSON_GetArraySize(j), k = 0;
        const cJSON *c;
        if (!cJSON_IsArray(j) || (n != 2 && n != 4))
            return bad(why, whylen, "expected [latitude, longitude] or [lat, lon, alt, accuracy]");
        cJSON_ArrayForEach(c, j)
        {
            if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble))
                return bad(why, whylen, "geopoint parts must be numbers");
            g[k++] = c->valuedouble;
        }
        if ((rc = check_geo(g[0], g[1], g[3], why, whylen)))
            return rc;
        return set_geo(out, g, n);
    }
    default:
        return bad(why, whylen, "a %s takes no answer", form_type_name(q->type));
    }
}

/* Parses a whole string as a long long; 1 on success. */
static int parse_ll(const char *s, long long *out)
{
    char *end;

    if (!*s)
        return 0;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return errno == 0 && *end == '\0';
}

/* Parses a whole string as a finite double, accepting ',' as the decimal
 * separator as Vietnamese writes it. 1 on success. */
static int parse_d(const char *s, double *out)
{
    char tmp[64], *end;
    size_t n = strlen(s);

    if (n == 0 || n >= sizeof(tmp))
        return 0;
    for (size_t k = 0; k <= n; k++)
        tmp[k] = s[k] == ',' ? '.' : s[k];
    for (size_t k = 0; k < n; k++)
        if (!isdigit((unsigned char)tmp[k]) && tmp[k] != '.' && !(k == 0 && tmp[k] == '-'))
            return 0;
    errno = 0;
    *out = strtod(tmp, &end);
    return errno == 0 && *end == '\0' && isfinite(*out);
}

/* Accepts YYYY-MM-DD and the DD/MM/YYYY that Vietnamese forms use. */
static int parse_date_text(const char *s, int *days)
{
    char iso[11];

    if (strlen(s) == 10 && s[2] == '/' && s[5] == '/') {
        memcpy(iso, s + 6, 4);
        iso[4] = '-';
        memcpy(iso + 5, s + 3, 2);
        iso[7] = '-';
        memcpy(iso + 8, s, 2);
        iso[10] = '\0';
        return expr_parse_date(iso, 10, days);
    }
    return expr_parse_date(s, strlen(s), days);
}

static int multi_from_text(val *out, const form_question *q, char *t, char *why, size_t whylen)
{
    unsigned char picked[1024] = {0};
    char *p = t;
    int rc;

    if (q->list->nchoices > (int)sizeof(picked))
        return bad(why, whylen, "list '%s' is too long", q->list->name);
    while (*p) {
        long long code;
        char *start, save;
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        start = p;
        while (*p && *p != ' ' && *p != ',')
            p++;
        save = *p;
        *p = '\0';
        if (!parse_ll(start, &code)) {
            *p = save;
            return bad(why, whylen, "enter the numbers of the choices, separated by spaces");
        }
        *p = save;
        if ((rc = pick(q, picked, code, why, whylen)))
            return rc;
    }
    return set_multi(out, q, picked);
}

static int typed(val *out, const form_question *q, char *t, char *why, size_t whylen)
{
    long long i;
    double d;
    int rc, days;

    switch (q->type) {
    case Q_INTEGER:
        if (!parse_ll(t, &i) || fabs((double)i) > MAX_EXACT)
            return bad(why, whylen, "enter a whole number");
        return set_number(out, (double)i);
    case Q_DECIMAL:
        if (!parse_d(t, &d))
            return bad(why, whylen, "enter a number");
        return set_number(out, d);
    case Q_TEXT:
        rc = text_ok(t, strlen(t), why, whylen);
        return rc ? rc : set(out, t, strlen(t), NAN);
    case Q_SELECT_ONE:
        if (!parse_ll(t, &i))
            return bad(why, whylen, "enter the number of a choice");
        rc = check_code(q, i, why, whylen);
        return rc ? rc : set_number(out, (double)i);
    case Q_SELECT_MULTIPLE:
        return multi_from_text(out, q, t, why, whylen);
    case Q_DATE:
        if (!parse_date_text(t, &days))
            return bad(why, whylen, "enter a date as YYYY-MM-DD or DD/MM/YYYY");
        {
            char iso[11];
            expr_format_date(days, iso);
            return set(out, iso, 10, days);
        }
    case Q_GEOPOINT: {
        double g[4] = {0, 0, 0, 0};
        int n = 0;
        char *p = t;
        while (*p && n < 5) {
            char *end;
            while (*p == ' ')
                p++;
            if (!*p)
                break;
            errno = 0;
            double x = strtod(p, &end);
            if (end == p || errno || !isfinite(x) || (*end && *end != ' '))
                return bad(why, whylen, "enter latitude and longitude separated by a space");
            if (n < 4)
                g[n] = x;
            n++;
            p = end;
        }
        if (n != 2 && n != 4)
            return bad(why, whylen, "enter latitude and longitude separated by a space");
        if ((rc = check_geo(g[0], g[1], g[3], why, whylen)))
            return rc;
        return set_geo(out, g, n);
    }
    default:
        return bad(why, whylen, "a %s takes no answer", form_type_name(q->type));
    }
}

int val_from_text(val *out, const form_question *q, const char *text, char *why, size_t whylen)
{
    size_t n = strlen(text), i = 0;
    char *t;
    int rc;

    val_free(out);
    if (n > FORM_TEXT_MAX)
        return bad(why, whylen, "text is longer than %d bytes", FORM_TEXT_MAX);
    while (i < n && isspace((unsigned char)text[i]))
        i++;
    while (n > i && isspace((unsigned char)text[n - 1]))
        n--;
    if (n == i)
        return DT_OK;
    t = malloc(n - i + 1);
    if (!t)
        return DT_ENOMEM;
    memcpy(t, text + i, n - i);
    t[n - i] = '\0';
    rc = typed(out, q, t, why, whylen);
    free(t);
    return rc;
}

cJSON *val_to_json(const form_question *q, const val *v)
{
    cJSON *a;

    if (!v->has)
        return NULL;
    switch (q->type) {
    case Q_INTEGER:
    case Q_DECIMAL:
    case Q_SELECT_ONE:
        return cJSON_CreateNumber(v->num);
    case Q_SELECT_MULTIPLE:
    case Q_GEOPOINT: {
        const char *p = v->str;
        a = cJSON_CreateArray();
        while (a && *p) {
            char *end;
            double d = strtod(p, &end);
            if (end == p)
                break;
            cJSON *n = cJSON_CreateNumber(d);
            if (!n || !cJSON_AddItemToArray(a, n)) {
                cJSON_Delete(n);
                cJSON_Delete(a);
                return NULL;
            }
            p = end;
            while (*p == ' ')
                p++;
        }
        return a;
    }
    case Q_CALCULATE:
        if (!isnan(v->num))
            return cJSON_CreateNumber(v->num);
        return cJSON_CreateString(v->str);
    default:
        return cJSON_CreateString(v->str);
    }
}
