/* value.c - answer values: checked and made canonical through their type's entry (qtype.c) */
#include "value_int.h"
#include "qtype.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int val_why(char *why, size_t whylen, const char *fmt, ...)
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

int val_set(val *out, const char *s, size_t n, double num)
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

int val_set_number(val *out, double d)
{
    char tmp[40];

    expr_format_number(d, tmp, sizeof(tmp));
    return val_set(out, tmp, strlen(tmp), d);
}

static int no_answer(const form_question *q, char *why, size_t whylen)
{
    return val_why(why, whylen, "a %s takes no answer", form_type_name(q->type));
}

int val_from_json(val *out, const form_question *q, const cJSON *j, char *why, size_t whylen)
{
    const qtype *t = qtype_of(q->type);

    val_free(out);
    if (!j || cJSON_IsNull(j) || (cJSON_IsString(j) && j->valuestring[0] == '\0'))
        return DT_OK;
    return t->from_json ? t->from_json(out, q, j, why, whylen) : no_answer(q, why, whylen);
}

int val_from_text(val *out, const form_question *q, const char *text, char *why, size_t whylen)
{
    const qtype *t = qtype_of(q->type);
    size_t n = strlen(text), i = 0;
    char *s;
    int rc;

    val_free(out);
    if (n > FORM_TEXT_MAX)
        return val_why(why, whylen, "text is longer than %d bytes", FORM_TEXT_MAX);
    while (i < n && isspace((unsigned char)text[i]))
        i++;
    while (n > i && isspace((unsigned char)text[n - 1]))
        n--;
    if (n == i)
        return DT_OK;
    if (!t->from_text)
        return no_answer(q, why, whylen);
    s = malloc(n - i + 1);
    if (!s)
        return DT_ENOMEM;
    memcpy(s, text + i, n - i);
    s[n - i] = '\0';
    rc = t->from_text(out, q, s, why, whylen);
    free(s);
    return rc;
}

cJSON *val_to_json(const form_question *q, const val *v)
{
    return v->has ? qtype_of(q->type)->to_json(q, v) : NULL;
}
