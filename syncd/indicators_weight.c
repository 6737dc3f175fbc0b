/* indicators_weight.c - the report's weights adjusted for nonresponse: the sample frame's
 * households in weighting classes (the stratum, or questions the frame pre-fills), those with
 * a completed interview carrying the class's weight (common/weight's wt_nonresponse) */
#include "indicators_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "weight.h"

#define CLASS_NONE  "(none)" /* a frame row without the class's value */
#define CLASSES_MAX 8        /* names in --nonresponse */

typedef struct reading {
    pass *p;
    char names[CLASSES_MAX][64];
    int n;
    int found[CLASSES_MAX]; /* some row has the value */
} reading;

/* The value of question name in the frame row's pre-filled answers, as text into out. */
static int prefilled(const cJSON *prefill, const char *name, char *out, size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(prefill, name);

    if (cJSON_IsString(v))
        snprintf(out, size, "%s", v->valuestring);
    else if (cJSON_IsNumber(v))
        snprintf(out, size, "%.15g", v->valuedouble);
    else
        return 0;
    return 1;
}

/* The class key of a frame row: its values of the names, " × " between. */
static int class_key(reading *rd, const store_frame_row *row, buf *key)
{
    char v[256];
    cJSON *prefill = cJSON_Parse(row->prefill ? row->prefill : "{}"); /* once per row */
    int rc = 0;

    buf_reset(key);
    for (int i = 0; i < rd->n && rc == 0; i++) {
        int found;
        if (strcmp(rd->names[i], "stratum") == 0) {
            found = row->stratum != NULL;
            snprintf(v, sizeof(v), "%s", found ? row->stratum : "");
        } else
            found = prefilled(prefill, rd->names[i], v, sizeof(v));
        rd->found[i] |= found;
        if (buf_printf(key, "%s%s", i ? " × " : "", found && *v ? v : CLASS_NONE))
            rc = -1;
    }
    cJSON_Delete(prefill);
    return rc;
}

static int add_frame_row(void *ctx, const store_frame_row *row)
{
    reading *rd = ctx;
    pass *p = rd->p;
    buf key;
    int added;

    if (!row->has_weight || !isfinite(row->weight) || !(row->weight > 0.0))
        return 0; /* not in the design: nothing to adjust */
    /* room first: a row the map holds always has its entry (ind_frame_free reads them) */
    if (p->frame_ids.n >= p->fcap) {
        size_t cap = p->fcap ? p->fcap * 2 : 256;
        ind_frame_hh *more = realloc(p->frame, cap * sizeof(*more));
        if (!more)
            return DT_ENOMEM;
        p->frame = more;
        p->fcap = cap;
    }
    memset(&p->frame[p->frame_ids.n], 0, sizeof(*p->frame));
    long i = ind_map_put(&p->frame_ids, row->assignment_id, &added);
    if (i < 0 || !added)
        return i < 0 ? DT_ENOMEM : 0;
    ind_frame_hh *h = &p->frame[i];
    h->w = row->weight;
    buf_init(&key, 4096);
    if (class_key(rd, row, &key) || !(h->cls = strdup(key.len ? key.data : ""))) {
        buf_free(&key);
        return DT_ENOMEM;
    }
    buf_free(&key);
    return 0;
}

int ind_read_frame(pass *p, store *s)
{
    reading rd = {.p = p};
    const char *spec = p->opt->nonresponse;
    int rc;

    for (const char *c = spec + strspn(spec, ", "); *c;) {
        size_t len = strcspn(c, ",");
        if (rd.n == CLASSES_MAX)
            return err_set(p->err, DT_EINVAL, "--nonresponse %s: at most %d classes crossed", spec,
                           CLASSES_MAX);
        while (len && isspace((unsigned char)c[len - 1]))
            len--;
        if (len == 0 || len >= sizeof(rd.names[0]))
            return err_set(p->err, DT_EINVAL,
                           "--nonresponse %s: expected the names of classes, "
                           "comma-separated (stratum, or questions the frame "
                           "pre-fills)",
                           spec);
        snprintf(rd.names[rd.n++], sizeof(rd.names[0]), "%.*s", (int)len, c);
        c += strcspn(c, ",");
        c += strspn(c, ", ");
    }
    if (!p->f)
        return err_set(p->err, DT_EINVAL, "--nonresponse: no form is published");
    if ((rc = store_each_assignment(s, form_id(p->f), add_frame_row, &rd, p->err)))
        return rc == DT_ENOMEM ? err_set(p->err, DT_ENOMEM, "out of memory reading the frame") : rc;
    if (p->frame_ids.n == 0)
        return err_set(p->err, DT_EINVAL,
                       "--nonresponse needs a sample frame with weights (syncd assign import "
                       "with a weight column): the frame of %s has none",
                       form_id(p->f));
    for (int i = 0; i < rd.n; i++)
        if (!rd.found[i])
            return err_set(p->err, DT_EINVAL,
                           "--nonresponse %s: no household of the frame has a value for '%s' "
                           "(a class is the stratum or a question the frame pre-fills)",
                           spec, rd.names[i]);
    if (!(p->r->nr_by = strdup(spec)))
        return err_set(p->err, DT_ENOMEM, "out of memory");
    return 0;
}

void ind_frame_mark(pass *p, const store_case_row *row, int completed, ind_hh *h)
{
    long i = p->opt->nonresponse && row->assignment_id
                 ? ind_map_get(&p->frame_ids, row->assignment_id)
                 : -1;

    if (i < 0) /* not a household of the frame with a weight */
        return;
    p->frame[i].seen = 1;
    p->frame[i].responded |= completed;
    if (h)
        h->frame = i;
}

static int by_class(const void *pa, const void *pb)
{
    return ind_key_cmp(((const ind_nr_class *)pa)->key, ((const ind_nr_class *)pb)->key);
}

/* The classes of the frame in order, each frame row's class index into cls_of. */
static int make_classes(pass *p, ind_report *r, size_t *cls_of)
{
    ind_map keys = {0};
    int added, rc = DT_ENOMEM;

    for (size_t i = 0; i < p->frame_ids.n; i++)
        if (ind_map_put(&keys, p->frame[i].cls, &added) < 0)
            goto done;
    if (!(r->nr = calloc(keys.n, sizeof(*r->nr))))
        goto done;
    r->nnr = keys.n;
    for (size_t k = 0; k < keys.n; k++)
        if (!(r->nr[k].key = strdup(keys.keys[k])))
            goto done;
    qsort(r->nr, r->nnr, sizeof(*r->nr), by_class);
    ind_map_free(&keys);
    memset(&keys, 0, sizeof(keys));
    for (size_t k = 0; k < r->nnr; k++) /* the sorted order as the index */
        if (ind_map_put(&keys, r->nr[k].key, &added) < 0)
            goto done;
    for (size_t i = 0; i < p->frame_ids.n; i++)
        cls_of[i] = (size_t)ind_map_get(&keys, p->frame[i].cls); /* every key is there */
    rc = 0;
done:
    ind_map_free(&keys);
    return rc;
}

int ind_adjust_nonresponse(pass *p)
{
    ind_report *r = p->r;
    size_t n = p->frame_ids.n;
    size_t *cls_of = malloc(n * sizeof(*cls_of));
    wt_nr_unit *u = malloc(n * sizeof(*u));
    wt_nr_class *c = NULL;
    double *w = malloc(n * sizeof(*w));
    int rc = DT_ENOMEM;

    r->nr_min = p->opt->min_respondents > 0 ? p->opt->min_respondents : IND_NR_MIN_RESPONDENTS;
    r->nr_max = p->opt->max_factor > 0 ? p->opt->max_factor : IND_NR_MAX_FACTOR;
    if (!cls_of || !u || !w || make_classes(p, r, cls_of) || !(c = malloc(r->nnr * sizeof(*c))))
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        const ind_frame_hh *f = &p->frame[i];
        u[i] = (wt_nr_unit){f->w, cls_of[i], f->responded};
        r->nr_sampled++;
        r->nr_responded += f->responded;
        r->nr_refused += f->seen && !f->responded;
        r->nr_not_reached += !f->seen;
    }
    wt_nr_rule rule = {.min_respondents = (size_t)r->nr_min, .max_factor = r->nr_max};
    if (r->nr_responded == 0) {
        rc = err_set(p->err, DT_EINVAL,
                     "--nonresponse: no household of the frame has a completed interview%s",
                     r->status && strcmp(r->status, "approved") == 0 ? " approved yet" : "");
        goto cleanup;
    }
    if (wt_nonresponse(w, c, r->nnr, u, n, &rule))
        goto cleanup; /* the frame's weights are positive: out of memory */
    for (size_t k = 0; k < r->nnr; k++) {
        r->nr[k].sampled = (long)c[k].sampled;
        r->nr[k].responded = (long)c[k].responded;
        r->nr[k].rate = c[k].rate;
        r->nr[k].factor = c[k].factor;
        r->nr[k].into = c[k].into;
    }
    /* Each completed household of the frame carries its class's weight. */
    for (size_t i = 0; i < p->nhh; i++) {
        ind_hh *h = &p->hh[i];
        if (h->frame >= 0)
            h->w = h->d = w[h->frame];
    }
    rc = 0;
cleanup:
    if (rc == DT_ENOMEM)
        err_set(p->err, DT_ENOMEM, "out of memory adjusting for nonresponse");
    free(cls_of);
    free(u);
    free(c);
    free(w);
    return rc;
}

void ind_frame_free(pass *p)
{
    for (size_t i = 0; i < p->frame_ids.n; i++)
        free(p->frame[i].cls);
    free(p->frame);
    ind_map_free(&p->frame_ids);
}
