/* export_json.c - exports as JSON Lines: one document per case (its facts, its answers in the
 * answers format with the roster nested, its paradata) and, on request, its history: every
 * revision and decision, read through the store's history snapshot (store_history) */
#include "export_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct exp_json {
    FILE *f;
    long long rows;
    store_history *hist; /* --history: a snapshot of its own, opened at the first case */
};

static const char *name = "households";

static int json_begin(exp_ctx *x, dt_err *err)
{
    exp_json *j = calloc(1, sizeof(*j));

    if (!j)
        return err_set(err, DT_ENOMEM, "out of memory");
    x->json = j;
    return exp_open(&j->f, x, name, x->w->ext, err);
}

/* Adds key: s, or null. Returns 0 or -1 (out of memory). */
static int add_str(cJSON *o, const char *key, const char *s)
{
    return (s ? cJSON_AddStringToObject(o, key, s) : cJSON_AddNullToObject(o, key)) ? 0 : -1;
}

/* Where one case's history goes while the store reads it. */
typedef struct hist_ctx {
    exp_ctx *x;
    cJSON *revs, *decs;
    const char *case_id;
    dt_err *err;
} hist_ctx;

static int add_rev(void *ctx, const store_rev_row *row)
{
    hist_ctx *h = ctx;
    exp_ctx *x = h->x;
    cJSON *r = cJSON_CreateObject(), *a;
    int rc;

    if (!r || !cJSON_AddItemToArray(h->revs, r)) {
        cJSON_Delete(r);
        return err_set(h->err, DT_ENOMEM, "out of memory");
    }
    if (add_str(r, "rev_id", row->rev_id) || add_str(r, "parent_rev_id", row->parent_rev_id) ||
        !cJSON_AddNumberToObject(r, "form_version", row->form_version) ||
        add_str(r, "author", row->author) || add_str(r, "device_id", row->device_id) ||
        add_str(r, "outcome", row->outcome) || add_str(r, "verdict", row->verdict) ||
        add_str(r, "created_at", row->created_at) || add_str(r, "received_by", row->received_by) ||
        add_str(r, "received_at", row->received_at))
        return err_set(h->err, DT_ENOMEM, "out of memory");
    /* the answers as they were received: JSON the store wrote itself, copied as is, but for
     * the names of people, replaced as in the head's answers (by the revision's own version:
     * an edit may have moved the case to another) */
    if (!x->pseudonymise) {
        a = cJSON_CreateRaw(row->answers);
    } else {
        exp_vmap *vm = NULL;
        if ((rc = exp_vmap_get(x, form_id(x->f), row->form_version, &vm, h->err)))
            return rc;
        if (!(a = cJSON_Parse(row->answers)))
            return err_set(h->err, DT_EINVAL,
                           "case %s: a revision's answers are not JSON (run `syncd check`)",
                           h->case_id);
        if (exp_names_json(x, vm, a)) {
            cJSON_Delete(a);
            a = NULL;
        }
    }
    if (!a || !cJSON_AddItemToObject(r, "answers", a)) {
        cJSON_Delete(a);
        return err_set(h->err, DT_ENOMEM, "out of memory");
    }
    return 0;
}

static int add_dec(void *ctx, const store_decision_row *row)
{
    hist_ctx *h = ctx;
    cJSON *d = cJSON_CreateObject();

    if (!d || !cJSON_AddItemToArray(h->decs, d)) {
        cJSON_Delete(d);
        return err_set(h->err, DT_ENOMEM, "out of memory");
    }
    if (add_str(d, "rev_id", row->rev_id) || add_str(d, "decision", row->decision) ||
        add_str(d, "comment", row->comment) || add_str(d, "by_user", row->by_user) ||
        add_str(d, "at", row->at))
        return err_set(h->err, DT_ENOMEM, "out of memory");
    return 0;
}

/* Adds "history" and "decisions" of case_id to doc. The history's snapshot is opened at the
 * first case, after store_each_case took its own: it is the same or newer, so every exported
 * head is in it (revisions are never changed or deleted); a revision that arrived in between
 * may be there too. */
static int add_history(exp_ctx *x, exp_json *j, cJSON *doc, const char *case_id, dt_err *err)
{
    hist_ctx h = {.x = x, .case_id = case_id, .err = err};
    int rc;

    if (!j->hist && (rc = store_history_open(&j->hist, x->o->db_path, err)))
        return rc;
    if (!(h.revs = cJSON_AddArrayToObject(doc, "history")) ||
        !(h.decs = cJSON_AddArrayToObject(doc, "decisions")))
        return err_set(err, DT_ENOMEM, "out of memory");
    return store_case_history(j->hist, case_id, add_rev, add_dec, &h, err);
}

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

/* "place": where the case lies, as recorded and in the units of today (place.h). */
static int add_place(const exp_ctx *x, cJSON *doc, const exp_place *at)
{
    const place_result *r = &at->r;
    cJSON *p = cJSON_AddObjectToObject(doc, "place"), *cands;

    if (!p || add_str(p, "recorded", or_null(r->recorded)) ||
        add_str(p, "recorded_name", r->recorded_name) ||
        add_str(p, "unit", r->unit ? r->unit->code : NULL) ||
        add_str(p, "unit_name", r->unit ? placer_unit_name(x->pl, r->unit, x->meta_en) : NULL) ||
        add_str(p, "former_districts", or_null(r->districts)) ||
        add_str(p, "how", place_how_name(r->how)) ||
        !(cands = cJSON_AddArrayToObject(p, "candidates")))
        return -1;
    for (int i = 0; i < r->ncands; i++)
        if (!cJSON_AddItemToArray(cands, cJSON_CreateString(r->cands[i]->code)))
            return -1;
    return 0;
}

/* "wt_final" and, with replicates, "replicate_weights": [...]. Returns 0 or -1. */
static int add_weights(const ind_weights *w, cJSON *doc, const store_case_row *row)
{
    long k = ind_weights_find(w, row->case_id);
    cJSON *arr;

    if (k < 0 || !isfinite(w->w[k]))
        return cJSON_AddNullToObject(doc, "wt_final") ? 0 : -1;
    if (!cJSON_AddNumberToObject(doc, "wt_final", w->w[k]))
        return -1;
    if (!w->nrep)
        return 0;
    if (!(arr = cJSON_AddArrayToObject(doc, "replicate_weights")))
        return -1;
    for (size_t r = 0; r < w->nrep; r++) {
        double d = w->rep[(size_t)k * w->nrep + r];
        cJSON *n = isfinite(d) ? cJSON_CreateNumber(d) : cJSON_CreateNull();
        if (!n || !cJSON_AddItemToArray(arr, n)) {
            cJSON_Delete(n);
            return -1;
        }
    }
    return 0;
}

static int json_doc(exp_ctx *x, const exp_vmap *vm, const store_case_row *row, interview *iv,
                    const exp_place *at, buf *out)
{
    cJSON *doc = cJSON_CreateObject(), *answers = NULL;
    char *text = NULL;
    int rc = DT_ENOMEM;

    if (!doc || add_str(doc, "case_id", row->case_id) || add_str(doc, "form_id", row->form_id) ||
        !cJSON_AddNumberToObject(doc, "form_version", row->form_version) ||
        add_str(doc, "status", row->status) || add_str(doc, "outcome", row->outcome) ||
        add_str(doc, "enumerator", row->enumerator) ||
        add_str(doc, "commune_code", row->commune_code) ||
        add_str(doc, "assignment_id", row->assignment_id) ||
        !(row->has_weight ? cJSON_AddNumberToObject(doc, "weight", row->weight)
                          : cJSON_AddNullToObject(doc, "weight")) ||
        add_str(doc, "stratum", row->stratum) || add_str(doc, "psu", row->psu) ||
        !cJSON_AddBoolToObject(doc, "conflict", row->conflict) ||
        !cJSON_AddBoolToObject(doc, "duplicate", row->duplicate) ||
        add_str(doc, "head_rev", row->head_rev) || add_str(doc, "created_at", row->created_at) ||
        (at && add_place(x, doc, at)) || (x->o->weights && add_weights(x->o->weights, doc, row)))
        goto cleanup;
    /* Relevant answers and calculations, recomputed by the engine: what the flat files hold. */
    if (!(answers = eng_to_json(iv)) || exp_names_json(x, vm, answers) ||
        !cJSON_AddItemToObject(doc, "answers", answers))
        goto cleanup;
    answers = NULL;
    /* The paradata as stored: JSON the store wrote itself, copied without parsing. */
    if (!cJSON_AddRawToObject(doc, "paradata",
                              row->paradata && *row->paradata ? row->paradata : "{}"))
        goto cleanup;
    if (!(text = cJSON_PrintUnformatted(doc)))
        goto cleanup;
    rc = buf_puts(out, text);
cleanup:
    cJSON_free(text);
    cJSON_Delete(answers);
    cJSON_Delete(doc);
    return rc;
}

static int json_take(exp_ctx *x, int level, const char *case_id, const char *doc, size_t len,
                     long long rows, dt_err *err)
{
    exp_json *j = x->json;
    char what[64];
    int rc;

    (void)level;
    (void)rows;

    snprintf(what, sizeof(what), "%s.%s", name, x->w->ext);
    if (!x->o->history) {
        if ((rc = exp_write(j->f, doc, len, what, err)))
            return rc;
    } else {
        /* {"case_id":...} becomes {"case_id":...,"history":[...],"decisions":[...]} */
        cJSON *h = cJSON_CreateObject();
        char *text = NULL;
        if (!h)
            return err_set(err, DT_ENOMEM, "out of memory");
        rc = add_history(x, j, h, case_id, err);
        if (!rc && !(text = cJSON_PrintUnformatted(h)))
            rc = err_set(err, DT_ENOMEM, "out of memory");
        if (!rc && len >= 2)
            rc = exp_write(j->f, doc, len - 1, what, err);
        if (!rc)
            rc = exp_write(j->f, ",", 1, what, err);
        if (!rc)
            rc = exp_write(j->f, text + 1, strlen(text + 1), what, err);
        cJSON_free(text);
        cJSON_Delete(h);
        if (rc)
            return rc;
    }
    if ((rc = exp_write(j->f, "\n", 1, what, err)))
        return rc;
    j->rows++;
    return DT_OK;
}

static int json_finish(exp_ctx *x, dt_err *err)
{
    exp_json *j = x->json;
    FILE *f = j->f;

    j->f = NULL;
    return exp_commit(x, f, name, x->w->ext, j->rows, err);
}

static void json_free(exp_ctx *x)
{
    exp_json *j = x->json;

    if (!j)
        return;
    if (j->f) {
        fclose(j->f);
        exp_discard(x, name, x->w->ext);
    }
    store_history_close(j->hist);
    free(j);
    x->json = NULL;
}

const exp_writer exp_writer_json = {
    .name = "json",
    .ext = "jsonl",
    .per_case = 1,
    .begin = json_begin,
    .doc = json_doc,
    .take = json_take,
    .finish = json_finish,
    .free = json_free,
};
