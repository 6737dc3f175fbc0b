/* figures.c - medians, spreads and ratios of benchmark figures, and their JSON */
#include "figures.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double fig_median(const double *x, int n)
{
    double s[FIG_MAX_REPS];

    if (n <= 0)
        return 0;
    if (n > FIG_MAX_REPS)
        n = FIG_MAX_REPS;
    memcpy(s, x, sizeof(double) * (size_t)n);
    qsort(s, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

double fig_spread(const double *x, int n)
{
    double lo, hi, m = fig_median(x, n);

    if (n <= 0)
        return 0;
    lo = hi = x[0];
    for (int i = 1; i < n && i < FIG_MAX_REPS; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    return m > 0 ? (hi - lo) / m : 0;
}

double fig_ratio(const figure *f, int reps)
{
    double r[FIG_MAX_REPS];

    if (reps > FIG_MAX_REPS)
        reps = FIG_MAX_REPS;
    for (int i = 0; i < reps; i++)
        r[i] = f->b[i] > 0 ? f->v[i] / f->b[i] : 0;
    return fig_median(r, reps);
}

int fig_goal_met(const figure *f, double ratio)
{
    return !f->goal || (f->higher_better ? ratio >= f->goal_ratio : ratio <= f->goal_ratio);
}

static cJSON *runs_json(const double *x, int n)
{
    cJSON *a = cJSON_CreateArray();

    for (int i = 0; a && i < n; i++)
        if (!cJSON_AddItemToArray(a, cJSON_CreateNumber(x[i]))) {
            cJSON_Delete(a);
            return NULL;
        }
    return a;
}

cJSON *fig_json(const figure *f, int reps)
{
    double v = fig_median(f->v, reps), b = fig_median(f->b, reps), r = fig_ratio(f, reps);
    cJSON *j = cJSON_CreateObject();

    if (!j || !cJSON_AddStringToObject(j, "name", f->key) ||
        !cJSON_AddStringToObject(j, "measure", f->label) ||
        !cJSON_AddStringToObject(j, "unit", f->unit) ||
        !cJSON_AddStringToObject(j, "baseline_is", f->baseline) ||
        !cJSON_AddNumberToObject(j, "value", v) || !cJSON_AddNumberToObject(j, "baseline", b) ||
        !cJSON_AddNumberToObject(j, "ratio", r) ||
        !cJSON_AddNumberToObject(j, "ratio_of_medians", b > 0 ? v / b : 0) ||
        !cJSON_AddBoolToObject(j, "higher_better", f->higher_better) ||
        !cJSON_AddNumberToObject(j, "reps", reps))
        goto nomem;
    if (f->goal && (!cJSON_AddStringToObject(j, "goal", f->goal) ||
                    !cJSON_AddBoolToObject(j, "met", fig_goal_met(f, r))))
        goto nomem;
    if (!cJSON_AddItemToObject(j, "runs", runs_json(f->v, reps)) ||
        !cJSON_AddItemToObject(j, "baseline_runs", runs_json(f->b, reps)) ||
        !cJSON_AddNumberToObject(j, "spread", fig_spread(f->v, reps)) ||
        !cJSON_AddNumberToObject(j, "baseline_spread", fig_spread(f->b, reps)))
        goto nomem;
    return j;
nomem:
    cJSON_Delete(j);
    return NULL;
}

cJSON *fig_report_new(const char *benchmark)
{
    cJSON *doc = cJSON_CreateObject();
    char date[16];
    time_t t = time(NULL);
    struct tm tm;

    localtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    if (!doc || !cJSON_AddStringToObject(doc, "benchmark", benchmark) ||
        !cJSON_AddStringToObject(doc, "date", date) ||
        !cJSON_AddNumberToObject(doc, "cores", (double)sysconf(_SC_NPROCESSORS_ONLN)) ||
        !cJSON_AddArrayToObject(doc, "figures")) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

int fig_report_write(cJSON *doc, const char *path)
{
    char *text = doc ? cJSON_Print(doc) : NULL;
    FILE *fp = NULL;
    int rc = -1;

    cJSON_Delete(doc);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    if ((fp = fopen(path, "w")) && fputs(text, fp) >= 0 && fputc('\n', fp) != EOF)
        rc = 0;
    if (fp && fclose(fp) != 0)
        rc = -1;
    cJSON_free(text);
    return rc;
}

cJSON *fig_read_json(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *text = NULL;
    long size;
    cJSON *doc = NULL;

    if (fp && fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) > 0 &&
        fseek(fp, 0, SEEK_SET) == 0 && (text = malloc((size_t)size)) &&
        fread(text, 1, (size_t)size, fp) == (size_t)size)
        doc = cJSON_ParseWithLength(text, (size_t)size);
    free(text);
    if (fp)
        fclose(fp);
    return doc;
}

int fig_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}
