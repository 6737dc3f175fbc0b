/* frame.c - sample frames: CSV files of the households to visit, read against a form */
#include "frame.h"
#include "buf.h"
#include "csv.h"
#include "engine.h"
#include "geo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 1000000

/* The meaning of a column: one of these, or the question index it pre-fills. */
enum {
    COL_IGNORED = -1,
    COL_ID = -2,
    COL_FORM = -3,
    COL_WEIGHT = -4,
    COL_STRATUM = -5,
    COL_PSU = -6,
    COL_LABEL = -7,
    COL_ENUMERATOR = -8
};

struct frame {
    csv_reader *csv;
    const form *f;
    int *col; /* per column */
    int ncols;
    char area[64];  /* the current row's area unit code (form_area_code) */
    interview *iv;  /* the current row's pre-filled answers */
    char *prefill;  /* the current row's, owned */
    buf label;      /* the current row's household label */
    geo_table *geo; /* the form's table of units, owned; NULL when it declares none */
};

static const struct {
    const char *name;
    int col;
} fixed[] = {{"assignment_id", COL_ID},     {"form_id", COL_FORM}, {"weight", COL_WEIGHT},
             {"stratum", COL_STRATUM},      {"psu", COL_PSU},      {"label", COL_LABEL},
             {"enumerator", COL_ENUMERATOR}};

#define NFIXED ((int)(sizeof(fixed) / sizeof(fixed[0])))

static void map_columns(frame *fr, const char *const *h, int n, errlist *problems)
{
    int have_id = 0;

    for (int i = 0; i < n; i++) {
        int k;
        for (k = 0; k < NFIXED; k++)
            if (csv_column(h, n, fixed[k].name) == i)
                break;
        if (k < NFIXED) {
            fr->col[i] = fixed[k].col;
            have_id |= fixed[k].col == COL_ID;
            continue;
        }
        int q = form_find(fr->f, h[i]);
        const form_question *fq = q >= 0 ? form_q(fr->f, q) : NULL;
        if (!fq || fq->repeat >= 0 || fq->type == Q_GROUP || fq->type == Q_REPEAT ||
            fq->type == Q_NOTE || fq->type == Q_CALCULATE) {
            errlist_add(problems, "line 1", h[i],
                        "not a column this file can have (assignment_id, enumerator, weight, "
                        "stratum, psu, label, form_id, or a question of form %s outside the "
                        "roster)",
                        form_id(fr->f));
            fr->col[i] = COL_IGNORED;
            continue;
        }
        fr->col[i] = q;
    }
    if (!have_id)
        errlist_add(problems, "line 1", "assignment_id", "the file needs this column");
}

int frame_open(frame **out, const char *path, const form *f, errlist *problems, dt_err *err)
{
    frame *fr = calloc(1, sizeof(*fr));
    const char *const *h;
    int n, rc;

    *out = NULL;
    if (!fr)
        return err_set(err, DT_ENOMEM, "out of memory");
    fr->f = f;
    buf_init(&fr->label, 4096);
    if ((rc = csv_open(&fr->csv, path, MAX_LINES, err)))
        goto fail;
    n = csv_header(fr->csv, &h);
    if (!(fr->col = calloc((size_t)n, sizeof(int)))) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto fail;
    }
    fr->ncols = n;
    map_columns(fr, h, n, problems);
    if (form_geo_table(f) && (rc = geo_builtin(&fr->geo, form_geo_table(f), err)))
        goto fail;
    *out = fr;
    return DT_OK;
fail:
    frame_close(fr);
    return rc;
}

int frame_has_column(const frame *fr, const char *name)
{
    for (int k = 0; k < NFIXED; k++)
        if (!strcmp(fixed[k].name, name))
            for (int i = 0; i < fr->ncols; i++)
                if (fr->col[i] == fixed[k].col)
                    return 1;
    return 0;
}

static int parse_weight(const char *s, double *out)
{
    char *end;

    *out = strtod(s, &end);
    return *s && !*end && isfinite(*out) && *out > 0;
}

/* The former unit's name as a unit of today lists it among its predecessors. */
static const char *former_name(const geo_unit *u, const char *code)
{
    const char *name = geo_pred_name(u, code);

    return name ? name : "";
}

/* A frame row naming its area by a unit that no longer exists: says where it lies now, so
 * that whoever made the frame can correct it. 1 with why written, or 0 when s is no retired
 * unit. Both spellings of a code are tried: "04012" as in the code list, and 4012 as a
 * select_one choice is written. */
static int retired(const frame *fr, const char *s, char *why, size_t whylen)
{
    const geo_unit *c[8];
    char code[GEO_CODE_MAX];
    size_t width = geo_count(fr->geo) ? strlen(geo_at(fr->geo, 0)->code) : 0, len = strlen(s);
    int n;

    if (len == 0 || len >= sizeof(code) || strspn(s, "0123456789") != len)
        return 0;
    size_t pad = len < width && width < sizeof(code) ? width - len : 0;
    memset(code, '0', pad);
    memcpy(code + pad, s, len + 1);
    if (geo_find(fr->geo, code))
        return 0;
    switch (geo_place(fr->geo, code, c, 8, &n)) {
    case GEO_PLACED:
        snprintf(why, whylen,
                 "%s %s is a former unit, not one of today: it is now part of %s %s (write "
                 "%s)",
                 code, former_name(c[0], code), c[0]->code, c[0]->name, c[0]->code);
        return 1;
    case GEO_SPLIT:
        snprintf(why, whylen,
                 "%s %s is a former unit, not one of today: it was split between %s %s and "
                 "%s %s%s (write the one the household's village is in)",
                 code, former_name(c[0], code), c[0]->code, c[0]->name, c[1]->code, c[1]->name,
                 n > 2 ? " and others" : "");
        return 1;
    default:
        return 0;
    }
}

/* Reads one pre-filled answer into the interview and pre. Returns 0, 1 when the value
 * was refused (reported), or DT_ENOMEM. */
static int prefill_value(frame *fr, int q, const char *s, cJSON *pre, const char *where,
                         errlist *problems)
{
    const form_question *fq = form_q(fr->f, q);
    char why[256];
    val x = {0};
    int rc = 0;

    if (fr->geo && q == form_area(fr->f) && retired(fr, s, why, sizeof(why))) {
        errlist_add(problems, where, fq->name, "%s", why);
        return 1;
    }
    if (val_from_text(&x, fq, s, why, sizeof(why))) {
        errlist_add(problems, where, fq->name, "%s", why);
        return 1;
    }
    if (x.has) {
        cJSON *j = val_to_json(fq, &x);
        if (!j || !cJSON_AddItemToObject(pre, fq->name, j) ||
            eng_set_val(fr->iv, (eng_pos){q, 0}, &x)) {
            cJSON_Delete(j);
            rc = DT_ENOMEM;
        }
    }
    val_free(&x);
    return rc;
}

static void clear_row(frame *fr)
{
    eng_free(fr->iv);
    fr->iv = NULL;
    cJSON_free(fr->prefill);
    fr->prefill = NULL;
    buf_reset(&fr->label);
}

int frame_next(frame *fr, frame_row *row, errlist *problems, dt_err *err)
{
    const char *const *v;
    char where[32];
    cJSON *pre = NULL;
    size_t before = problems->n;
    int n, rc;

    clear_row(fr);
    memset(row, 0, sizeof(*row));
    if ((rc = csv_next(fr->csv, &v, &n, err)) != 1)
        return rc;
    row->line = csv_line(fr->csv);
    row->enumerator = "";
    snprintf(where, sizeof(where), "line %d", row->line);
    pre = cJSON_CreateObject();
    fr->iv = eng_new(fr->f, 0, 0);
    if (!pre || !fr->iv)
        goto nomem;
    for (int i = 0; i < fr->ncols; i++) {
        const char *s = v[i];
        switch (fr->col[i]) {
        case COL_ID:
            row->assignment_id = s;
            break;
        case COL_ENUMERATOR:
            row->enumerator = s;
            break;
        case COL_LABEL:
            row->label = *s ? s : NULL;
            break;
        case COL_STRATUM:
            row->stratum = *s ? s : NULL;
            break;
        case COL_PSU:
            row->psu = *s ? s : NULL;
            break;
        case COL_IGNORED:
            break;
        case COL_FORM:
            if (*s && strcmp(s, form_id(fr->f)) != 0)
                errlist_add(problems, where, "form_id", "form '%s' is not %s", s, form_id(fr->f));
            break;
        case COL_WEIGHT:
            row->has_weight = *s != '\0';
            if (*s && !parse_weight(s, &row->weight))
                errlist_add(problems, where, "weight", "'%s' is not a positive number", s);
            break;
        default:
            if (prefill_value(fr, fr->col[i], s, pre, where, problems) == DT_ENOMEM)
                goto nomem;
        }
    }
    if (!row->assignment_id || !*row->assignment_id)
        errlist_add(problems, where, "assignment_id", "empty");
    /* Pre-filled answers must pass their constraints too, or the interview would start
     * with an answer it cannot keep. */
    for (int i = 0; i < fr->ncols; i++) {
        char msg[512];
        eng_pos at = {fr->col[i], 0};
        if (fr->col[i] < 0 || !eng_get(fr->iv, at)->has || eng_check(fr->iv, at, msg, sizeof(msg)))
            continue;
        errlist_add(problems, where, form_q(fr->f, fr->col[i])->name, "%s", msg);
    }
    if (problems->n > before) {
        cJSON_Delete(pre);
        return 2;
    }
    if (!(fr->prefill = cJSON_PrintUnformatted(pre)) || eng_household_label(&fr->label, fr->iv, 0))
        goto nomem;
    cJSON_Delete(pre);
    row->prefill = fr->prefill;
    if (!row->label)
        row->label = fr->label.data && *fr->label.data ? fr->label.data : row->assignment_id;
    if (form_area(fr->f) >= 0 &&
        *form_area_code(fr->f, eng_get(fr->iv, (eng_pos){form_area(fr->f), 0}), fr->area,
                        sizeof(fr->area)))
        row->commune_code = fr->area;
    return 1;
nomem:
    cJSON_Delete(pre);
    return err_set(err, DT_ENOMEM, "out of memory");
}

void frame_close(frame *fr)
{
    if (!fr)
        return;
    clear_row(fr);
    buf_free(&fr->label);
    geo_free(fr->geo);
    csv_close(fr->csv);
    free(fr->col);
    free(fr);
}
