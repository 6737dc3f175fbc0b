/* qtype.c - question types as one table, and each type's own checks of its answers */
#include "qtype.h"
#include "buf.h"
#include "json.h"
#include "utf8.h"
#include "value_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- shared by several types ---- */

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

/* Parses a whole string as a finite double, accepting ',' as the decimal separator as
 * Vietnamese writes it. 1 on success. */
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

static int text_ok(const char *s, size_t n, char *why, size_t whylen)
{
    size_t at;

    if (n > FORM_TEXT_MAX)
        return val_why(why, whylen, "text is longer than %d bytes", FORM_TEXT_MAX);
    if (!utf8_valid(s, n, &at))
        return val_why(why, whylen, "text is not valid UTF-8 (byte %zu)", at + 1);
    return DT_OK;
}

/* The answer as numbers: select_multiple's codes, a geopoint's parts. */
static cJSON *numbers_to_json(const form_question *q, const val *v)
{
    const char *p = v->str;
    cJSON *a = cJSON_CreateArray();

    (void)q;
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

static cJSON *number_to_json(const form_question *q, const val *v)
{
    (void)q;
    return cJSON_CreateNumber(v->num);
}

static cJSON *string_to_json(const form_question *q, const val *v)
{
    (void)q;
    return cJSON_CreateString(v->str);
}

/* ---- integer, decimal ---- */

static int integer_json(val *out, const form_question *q, const cJSON *j, char *why, size_t n)
{
    long long i;

    (void)q;
    if (!json_get_int(j, &i) || fabs((double)i) > VAL_MAX_EXACT)
        return val_why(why, n, "expected a whole number");
    return val_set_number(out, (double)i);
}

static int integer_text(val *out, const form_question *q, char *t, char *why, size_t n)
{
    long long i;

    (void)q;
    if (!parse_ll(t, &i) || fabs((double)i) > VAL_MAX_EXACT)
        return val_why(why, n, "enter a whole number");
    return val_set_number(out, (double)i);
}

static int decimal_json(val *out, const form_question *q, const cJSON *j, char *why, size_t n)
{
    (void)q;
    if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble))
        return val_why(why, n, "expected a number");
    return val_set_number(out, j->valuedouble);
}

static int decimal_text(val *out, const form_question *q, char *t, char *why, size_t n)
{
    double d;

    (void)q;
    if (!parse_d(t, &d))
        return val_why(why, n, "enter a number");
    return val_set_number(out, d);
}

/* ---- range: a number from start to end in steps (ODK's parameters) ---- */

static int range_check(val *out, const form_question *q, double d, char *why, size_t n)
{
    double lo = fmin(q->range[0], q->range[1]), hi = fmax(q->range[0], q->range[1]);
    double steps = (d - q->range[0]) / q->range[2];

    if (!(d >= lo && d <= hi) || fabs(steps - round(steps)) > 1e-9)
        return val_why(why, n, "expected a number from %g to %g in steps of %g", q->range[0],
                       q->range[1], q->range[2]);
    return val_set_number(out, d);
}

static int range_json(val *out, const form_question *q, const cJSON *j, char *why, size_t n)
{
    if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble))
        return val_why(why, n, "expected a number");
    return range_check(out, q, j->valuedouble, why, n);
}

static int range_text(val *out, const form_question *q, char *t, char *why, size_t n)
{
    double d;

    if (!parse_d(t, &d))
        return val_why(why, n, "enter a number");
    return range_check(out, q, d, why, n);
}

/* ---- text, hidden ---- */

static int text_json(val *out, const form_question *q, const cJSON *j, char *why, size_t n)
{
    int rc;

    (void)q;
    if (!cJSON_IsString(j))
        return val_why(why, n, "expected text (a JSON string)");
    rc = text_ok(j->valuestring, strlen(j->valuestring), why, n);
    return rc ? rc : val_set(out, j->valuestring, strlen(j->valuestring), NAN);
}

static int text_text(val *out, const form_question *q, char *t, char *why, size_t n)
{
    int rc = text_ok(t, strlen(t), why, n);

    (void)q;
    return rc ? rc : val_set(out, t, strlen(t), NAN);
}

/* ---- select_one, select_multiple ---- */

static int check_code(const form_question *q, long long code, char *why, size_t n)
{
    if (!form_choice_find(q->list, code))
        return val_why(why, n, "code %lld is not in list '%s'", code, q->list->name);
    return DT_OK;
}

static int one_json(val *out, const form_question *q, const cJSON *j, char *why, size_t n)
{
    long long i;
    int rc;

    if (!json_get_int(j, &i))
        return val_why(why, n, "expected a choice code (a whole number)");
    rc = check_code(q, i, why, n);
    return rc ? rc : val_set_number(out, (double)i);
}

static int one_text(val *out, const form_question *q, char *t, char *why, size_t n)
{
    long long i;
    int rc;

    if (!parse_ll(t, &i))
        return val_why(why, n, "enter the number of a choice");
    rc = check_code(q, i, why, n);
    return rc ? rc : val_set_number(out, (double)i);
}

#define MULTI_MAX 1024 /* choices in a list a select_multiple can read */

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
        rc = any ? val_set(out, b.data, b.len, NAN) : (val_free(out), DT_OK);
    buf_free(&b);
    return rc;
}

/* Marks code in picked; refuses codes not in the list and repeated codes. */
static int pick(const form_question *q, unsigned char *picked, long long code, char *why, size_t n)
{
    for (int i = 0; i < q->list->nchoices; i++) {
        if (q->list->choices[i].code != code)
            continue;
        if (picked[i])
            return val_why(why, n, "code %lld is chosen twice", code);
        picked[i] = 1;
        return DT_OK;
    }
    return val_why(why, n, "code %lld is not in list '%s'", code, q->list->name);
}

static int multi_json(val *out, const form_question *q, const cJSON *j, char *why, size_t n)
{
    unsigned char picked[MULTI_MAX] = {0};
    const cJSON *c;
    long long i;
    int rc;

    if (!cJSON_IsArray(j))
        return val_why(why, n, "expected an array of choice codes");
    if (q->list->nchoices > MULTI_MAX)
        return val_why(why, n, "list '%s' is too long", q->list->name);
    cJSON_ArrayForEach(c, j)
    {
        if (!json_get_int(c, &i))
            return val_why(why, n, "expected an array of choice codes");
        if ((rc = pick(q, picked, i, why, n)))
            return rc;
    }
    return set_multi(out, q, picked);
}

static int multi_text(val *out, const form_question *q, char *t, char *why, size_t n)
{
    unsigned char picked[MULTI_MAX] = {0};
    char *p = t;
    int rc;

    if (q->list->nchoices > MULTI_MAX)
        return val_why(why, n, "list '%s' is too long", q->list->name);
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
        rc = parse_ll(start, &code);
        *p = save;
        if (!rc)
            return val_why(why, n, "enter the numbers of the choices, separated by spaces");
        if ((rc = pick(q, picked, code, why, n)))
            return rc;
    }
    return set_multi(out, q, picked);
}

/* ---- date, time, datetime ---- */

static int set_date(val *out, int days)
{
    char iso[11];

    expr_format_date(days, iso);
    return val_set(out, iso, 10, days);
}

/* Accepts YYYY-MM-DD and the DD/MM/YYYY that Vietnamese forms use. */
static int parse_date_text(const char *s, size_t len, int *days)
{
    char iso[11];

    if (len == 10 && s[2] == '/' && s[5] == '/') {
        memcpy(iso, s + 6, 4);
        iso[4] = '-';
        memcpy(iso + 5, s + 3, 2);
        iso[7] = '-';
        memcpy(iso + 8, s, 2);
        iso[10] = '\0';
        return expr_parse_date(iso, 10, days);
    }
    return expr_parse_date(s, len, days);
}

static int date_json(val *out, const form_question *q, const cJSON *j, char *why, size_t n)
{
    int days;

    (void)q;
    if (!cJSON_IsString(j) || !expr_parse_date(j->valuestring, strlen(j->valuestring), &days))
        return val_why(why, n, "expected a date as \"YYYY-MM-DD\"");
    return set_date(out, days);
}

static int date_text(val *out, const form_question *q, char *t, char *why, size_t n)
{
    int days;

    (void)q;
    if (!parse_date_text(t, strlen(t), &days))
        return val_why(why, n, "enter a date as YYYY-MM-DD or DD/MM/YYYY");
    return set_date(out, days);
}

/* HH:MM or HH:MM:SS, a 24-hour clock; *secs receives the seconds since midnight. */
static int parse_clock(const char *s, size_t len, int *secs)
{
    int h, m, sec = 0;

    if (len != 5 && len != 8)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((i % 3 == 2) ? s[i] != ':' : !isdigit((unsigned char)s[i]))
            return 0;
    h = (s[0] - '0') * 10 + s[1] - '0';
    m = (s[3] - '0') * 10 + s[4] - '0';
    if (len == 8)
        sec = (s[6] - '0') * 10 + s[7] - '0';
    if (h > 23 || m > 59 || sec > 59)
        return 0;
    *secs = h * 3600 + m * 60 + sec;
    return 1;
}

/* A time is kept as HH:MM:SS, its number the fraction of the day (decimal-time). */
static int set_time(val *out, int secs)
{
    char t[16];

    snprintf(t, sizeof(t), "%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
    return val_set(out, t, 8, secs / 86400.0);
}

static int time_json(val *out, const form_question *q, const cJSON *j, char *why, size_t n)
{
    int secs;

    (void)q;
    if (!cJSON_IsString(j) || !parse_clock(j->valuestring, strlen(j->valuestring), &secs))
        return val_why(why, n, "expected a time as \"HH:MM\" or \"HH:MM:SS\" (24-hour)");
    return set_time(out, secs);
}

static int time_text(val *out, const form_question *q, char *t, char *why, size_t n)
{
    int secs;

    (void)q;
    if (!parse_clock(t, strlen(t), &secs))
        return val_why(why, n, "enter a time as HH:MM (24-hour, e.g. 14:30)");
    return set_time(out, secs);
}

/* A date and a time of the laptop's day, no offset: "YYYY-MM-DDTHH:MM[:SS]" (a space for the T
 * as well); typed, the date may be DD/MM/YYYY. Kept as YYYY-MM-DDTHH:MM:SS, its number the days
 * since 1970-01-01 with the time as their fraction (decimal-date-time). */
static int parse_datetime(val *out, const char *s, int typed)
{
    const char *sep = strpbrk(s, "T ");
    int days, secs;
    char t[32];

    if (!sep || !(typed ? parse_date_text(s, (size_t)(sep - s), &days)
                        : expr_parse_date(s, (size_t)(sep - s), &days)))
        return 1;
    if (!parse_clock(sep + 1, strlen(sep + 1), &secs))
        return 1;
    expr_format_date(days, t);
    snprintf(t + 10, sizeof(t) - 10, "T%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
    return val_set(out, t, 19, days + secs / 86400.0) ? -1 : 0;
}

static int datetime_json(val *out, const form_question *q, const cJSON *j, char *why, size_t n)
{
    int rc;

    (void)q;
    if (!cJSON_IsString(j) || (rc = parse_datetime(out, j->valuestring, 0)) > 0)
        return val_why(why, n,
                       "expected a date and time as \"YYYY-MM-DDTHH:MM:SS\" (local, no offset)");
    return rc ? DT_ENOMEM : DT_OK;
}

static int datetime_text(val *out, const form_question *q, char *t, char *why, size_t n)
{
    int rc = parse_datetime(out, t, 1);

    (void)q;
    if (rc > 0)
        return val_why(why, n, "enter a date and time as DD/MM/YYYY HH:MM (e.g. 25/03/2025 14:30)");
    return rc ? DT_ENOMEM : DT_OK;
}

/* ---- geopoint ---- */

static int check_geo(const double *g, char *why, size_t n)
{
    if (!(g[0] >= -90 && g[0] <= 90) || !(g[1] >= -180 && g[1] <= 180))
        return val_why(why, n, "latitude must be within -90..90 and longitude within -180..180");
    if (!(g[3] >= 0))
        return val_why(why, n, "accuracy must not be negative");
    return DT_OK;
}

static int set_geo(val *out, const double *g, int k, char *why, size_t n)
{
    char tmp[128];
    int rc = check_geo(g, why, n);

    if (rc)
        return rc;
    if (k == 2)
        snprintf(tmp, sizeof(tmp), "%.7f %.7f", g[0], g[1]);
    else
        snprintf(tmp, sizeof(tmp), "%.7f %.7f %.1f %.1f", g[0], g[1], g[2], g[3]);
    return val_set(out, tmp, strlen(tmp), NAN);
}

static int geo_json(val *out, const form_question *q, const cJSON *j, char *why, size_t n)
{
    double g[4] = {0, 0, 0, 0};
    int k = 0, size = cJSON_GetArraySize(j);
    const cJSON *c;

    (void)q;
    if (!cJSON_IsArray(j) || (size != 2 && size != 4))
        return val_why(why, n, "expected [latitude, longitude] or [lat, lon, alt, accuracy]");
    cJSON_ArrayForEach(c, j)
    {
        if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble))
            return val_why(why, n, "geopoint parts must be numbers");
        g[k++] = c->valuedouble;
    }
    return set_geo(out, g, k, why, n);
}

static int geo_text(val *out, const form_question *q, char *t, char *why, size_t n)
{
    double g[4] = {0, 0, 0, 0};
    int k = 0;
    char *p = t;

    (void)q;
    while (*p && k < 5) {
        char *end;
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || errno || !isfinite(x) || (*end && *end != ' '))
            return val_why(why, n, "enter latitude and longitude separated by a space");
        if (k < 4)
            g[k] = x;
        k++;
        p = end;
    }
    if (k != 2 && k != 4)
        return val_why(why, n, "enter latitude and longitude separated by a space");
    return set_geo(out, g, k, why, n);
}

/* ---- acknowledge: "OK" once the enumerator confirms ---- */

static int ack_json(val *out, const form_question *q, const cJSON *j, char *why, size_t n)
{
    (void)q;
    if (!(cJSON_IsTrue(j) || (cJSON_IsString(j) && !strcmp(j->valuestring, "OK"))))
        return val_why(why, n, "expected \"OK\"");
    return val_set(out, "OK", 2, 1);
}

static int ack_text(val *out, const form_question *q, char *t, char *why, size_t n)
{
    static const char *const yes[] = {"ok", "y", "yes", "c", "có", "1"};

    (void)q;
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!strcasecmp(t, yes[i]))
            return val_set(out, "OK", 2, 1);
    return val_why(why, n, "type OK to confirm");
}

/* ---- calculate: a number when the result is one ---- */

static cJSON *calc_to_json(const form_question *q, const val *v)
{
    return isnan(v->num) ? string_to_json(q, v) : number_to_json(q, v);
}

/* ---- the table ---- */

#define ASK (QT_ANSWER | QT_ASKED)

static const qtype types[Q_NTYPES] = {
    [Q_INTEGER] = {"integer", ASK | QT_NUMERIC, QE_NUM, QC_INT, QI_INTEGER, "", integer_json,
                   integer_text, number_to_json},
    [Q_DECIMAL] = {"decimal", ASK | QT_NUMERIC, QE_NUM, QC_NUM, QI_DECIMAL, "", decimal_json,
                   decimal_text, number_to_json},
    [Q_RANGE] = {"range", ASK | QT_NUMERIC | QT_PARAMS, QE_NUM, QC_NUM, QI_RANGE, "", range_json,
                 range_text, number_to_json},
    [Q_TEXT] = {"text", ASK, QE_STR, QC_STR, QI_TEXT, "", text_json, text_text, string_to_json},
    [Q_SELECT_ONE] = {"select_one", ASK | QT_LIST | QT_NUMERIC, QE_NUM, QC_CODE, QI_ONE, "",
                      one_json, one_text, number_to_json},
    [Q_SELECT_MULTIPLE] = {"select_multiple", ASK | QT_LIST, QE_STR, QC_CHOICES, QI_MULTI,
                           " (array of codes)", multi_json, multi_text, numbers_to_json},
    [Q_DATE] = {"date", ASK, QE_DATE, QC_DATE, QI_DATE, " (YYYY-MM-DD)", date_json, date_text,
                string_to_json},
    [Q_TIME] = {"time", ASK, QE_STR, QC_STR, QI_TIME, " (HH:MM:SS)", time_json, time_text,
                string_to_json},
    [Q_DATETIME] = {"datetime", ASK, QE_STR, QC_STR, QI_DATETIME, " (YYYY-MM-DDTHH:MM:SS)",
                    datetime_json, datetime_text, string_to_json},
    [Q_GEOPOINT] = {"geopoint", ASK, QE_STR, QC_GEO, QI_GEO, " ([lat, lon, alt, acc])", geo_json,
                    geo_text, numbers_to_json},
    [Q_ACKNOWLEDGE] = {"acknowledge", ASK, QE_STR, QC_STR, QI_ACK, " (\"OK\")", ack_json, ack_text,
                       string_to_json},
    [Q_HIDDEN] = {"hidden", QT_ANSWER, QE_STR, QC_STR, QI_NONE, "", text_json, text_text,
                  string_to_json},
    [Q_NOTE] = {"note", QT_ASKED, QE_STR, QC_NONE, QI_NOTE, "", NULL, NULL, string_to_json},
    [Q_CALCULATE] = {"calculate", 0, QE_CALC, QC_CALC, QI_NONE, "", NULL, NULL, calc_to_json},
    [Q_GROUP] = {"group", QT_CONTAINER, QE_STR, QC_NONE, QI_NONE, "", NULL, NULL, string_to_json},
    [Q_REPEAT] = {"repeat", QT_CONTAINER | QT_ASKED, QE_STR, QC_NONE, QI_REPEAT, "", NULL, NULL,
                  string_to_json},
};

const qtype *qtype_of(form_type t)
{
    return (unsigned)t < Q_NTYPES ? &types[t] : &types[Q_NOTE];
}

int qtype_find(const char *name)
{
    for (int t = 0; t < Q_NTYPES; t++)
        if (!strcmp(types[t].name, name))
            return t;
    return -1;
}

qt_input qtype_input(const form_question *q)
{
    return q->read_only ? QI_NOTE : qtype_of(q->type)->input;
}

int qtype_answerable(form_type t)
{
    return (qtype_of(t)->flags & QT_ANSWER) != 0;
}

int qtype_container(form_type t)
{
    return (qtype_of(t)->flags & QT_CONTAINER) != 0;
}
