/* review_query.c - a case list's query string (review_query.h) */
#include "review_query.h"

#include <stdlib.h>
#include <string.h>

static const char *const sort_names[] = {"updated", "interviewed", "household", "enumerator",
                                         "commune"};

const char *rq_sort_name(store_sort s)
{
    return (unsigned)s < sizeof(sort_names) / sizeof(sort_names[0]) ? sort_names[s] : "updated";
}

/* Parameter key as a filter: NULL when absent or empty; *bad when too long. */
static const char *text(const http_req *r, const char *key, const char **bad)
{
    const char *v = http_query(r, key);

    if (!v || !*v)
        return NULL;
    if (strlen(v) > RQ_TEXT_MAX)
        *bad = key;
    return v;
}

/* Parameter key as a whole number from 0 to max into *out (left alone when absent). */
static int number(const http_req *r, const char *key, int max, int *out)
{
    const char *v = http_query(r, key);
    char *end;
    long n;

    if (!v || !*v)
        return 0;
    n = strtol(v, &end, 10);
    if (*end || n < 0 || n > max)
        return -1;
    *out = (int)n;
    return 0;
}

int rq_parse(const http_req *r, store_case_query *q, int max_limit, dt_err *err)
{
    const char *bad = NULL, *sort, *order;

    memset(q, 0, sizeof(*q));
    q->status = text(r, "status", &bad);
    q->commune = text(r, "commune", &bad);
    q->enumerator = text(r, "enumerator", &bad);
    q->locality = text(r, "village", &bad);
    q->from = text(r, "from", &bad);
    q->to = text(r, "to", &bad);
    q->flag = text(r, "flag", &bad);
    q->search = text(r, "q", &bad);
    if (bad)
        return err_set(err, DT_EINVAL, "%s: at most %d bytes", bad, RQ_TEXT_MAX);
    if (q->commune &&
        strspn(q->commune, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_") <
            strlen(q->commune))
        return err_set(err, DT_EINVAL, "commune: expected a commune code such as 04012");
    q->sort = SORT_UPDATED;
    if ((sort = text(r, "sort", &bad)) != NULL) {
        int k = -1;
        for (size_t i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++)
            if (!strcmp(sort, sort_names[i]))
                k = (int)i;
        if (k < 0)
            return err_set(err, DT_EINVAL,
                           "sort: expected updated, interviewed, household, enumerator or commune");
        q->sort = (store_sort)k;
    }
    /* names and places read best A to Z, dates newest first */
    q->ascending = q->sort >= SORT_HOUSEHOLD;
    if ((order = text(r, "order", &bad)) != NULL) {
        if (strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0)
            return err_set(err, DT_EINVAL, "order: expected asc or desc");
        q->ascending = !strcmp(order, "asc");
    }
    q->limit = max_limit;
    if (number(r, "offset", 100000000, &q->offset))
        return err_set(err, DT_EINVAL, "offset: expected a whole number from 0");
    if (number(r, "limit", max_limit, &q->limit) || q->limit == 0)
        return err_set(err, DT_EINVAL, "limit: expected a whole number from 1 to %d", max_limit);
    return DT_OK;
}
