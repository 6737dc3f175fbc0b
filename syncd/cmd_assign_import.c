/* cmd_assign_import.c - `syncd assign import FRAME.csv`: the sample frame, sent to each enumerator
 */
#include "cmdline.h"
#include "cmd.h"
#include "csv.h"
#include "engine.h"
#include "sconf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 1000000

/* The meaning of each column of the file. */
enum {
    COL_ID = -2,
    COL_FORM = -3,
    COL_WEIGHT = -4,
    COL_STRATUM = -5,
    COL_PSU = -6,
    COL_LABEL = -7,
    COL_ENUMERATOR = -8
};

/* One row, with the strings it owns. */
typedef struct row {
    char *id, *enumerator, *label, *prefill, *commune, *stratum, *psu;
    double weight;
    int has_weight;
    int line;
} row;

typedef struct frame {
    const char *file;
    const form *f;
    int *col; /* per column: a COL_ value or the question index to pre-fill */
    int ncols;
    int commune_q; /* the question commune_code, or -1 */
    int have_enum; /* the file has an enumerator column */
    store_user *users;
    int nusers;
    row *rows;
    int nrows, cap;
    errlist problems;
} frame;

static int add_user(void *ctx, const store_user *u, int revoked)
{
    frame *fr = ctx;
    store_user *p;

    (void)revoked;
    if (u->role != ROLE_ENUMERATOR)
        return 0;
    if (!(p = realloc(fr->users, sizeof(*p) * (size_t)(fr->nusers + 1))))
        return 1;
    fr->users = p;
    fr->users[fr->nusers++] = *u;
    return 0;
}

static int is_enumerator(const frame *fr, const char *name)
{
    for (int i = 0; i < fr->nusers; i++)
        if (!strcmp(fr->users[i].name, name))
            return 1;
    return 0;
}

static int map_columns(frame *fr, const char *const *h, int n)
{
    static const struct {
        const char *name;
        int col;
    } fixed[] = {{"assignment_id", COL_ID},     {"form_id", COL_FORM}, {"weight", COL_WEIGHT},
                 {"stratum", COL_STRATUM},      {"psu", COL_PSU},      {"label", COL_LABEL},
                 {"enumerator", COL_ENUMERATOR}};
    int have_id = 0, have_enum = 0;

    if (!(fr->col = calloc((size_t)n, sizeof(int))))
        return DT_ENOMEM;
    fr->ncols = n;
    for (int i = 0; i < n; i++) {
        size_t k;
        for (k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
            if (csv_column(h, n, fixed[k].name) == i)
                break;
        if (k < sizeof(fixed) / sizeof(fixed[0])) {
            fr->col[i] = fixed[k].col;
            have_id |= fixed[k].col == COL_ID;
            have_enum |= fixed[k].col == COL_ENUMERATOR;
            continue;
        }
        int q = form_find(fr->f, h[i]);
        const form_question *fq = q >= 0 ? form_q(fr->f, q) : NULL;
        if (!fq || fq->repeat >= 0 || fq->type == Q_GROUP || fq->type == Q_REPEAT ||
            fq->type == Q_NOTE || fq->type == Q_CALCULATE) {
            errlist_add(&fr->problems, "line 1", h[i],
                        "not a column this file can have (assignment_id, enumerator, weight, "
                        "stratum, psu, label, form_id, or a question of form %s outside the "
                        "roster)",
                        form_id(fr->f));
            fr->col[i] = -1;
            continue;
        }
        fr->col[i] = q;
    }
    if (!have_id)
        errlist_add(&fr->problems, "line 1", "assignment_id", "the file needs this column");
    fr->have_enum = have_enum;
    if (!have_enum)
        errlist_add(&fr->problems, "line 1", "enumerator",
                    "the file needs this column: who visits each household");
    return DT_OK;
}

static int parse_weight(const char *s, double *out)
{
    char *end;

    *out = strtod(s, &end);
    return *s && !*end && isfinite(*out) && *out > 0;
}

/* The household's identification from the pre-filled answers: the household_key answers,
 * choices by their label, joined by " / " (as the collector shows it). */
static int key_label(buf *b, interview *iv)
{
    int n, rc = DT_OK, any = 0;
    const int *key = form_household_key(eng_form(iv), &n);

    for (int i = 0; i < n && rc == DT_OK; i++) {
        const form_question *q = form_q(eng_form(iv), key[i]);
        const val *v = eng_get(iv, (eng_pos){key[i], 0});
        if (!v->has)
            continue;
        if (any)
            rc = buf_puts(b, " / ");
        if (rc == DT_OK && q->type == Q_SELECT_ONE) {
            const form_choice *c = form_choice_find(q->list, (long long)v->num);
            rc = buf_puts(b, c ? c->label[0] : v->str);
        } else if (rc == DT_OK) {
            rc = buf_puts(b, v->str);
        }
        any = 1;
    }
    return rc;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

/* Reads one record into a new row; problems go to fr->problems. Returns 0 or DT_ENOMEM. */
static int read_row(frame *fr, const char *const *v, int line)
{
    cJSON *pre = cJSON_CreateObject();
    interview *iv = eng_new(fr->f, 0, 0);
    char where[32], why[256];
    const char *id = NULL, *enumerator = NULL, *label = NULL, *stratum = NULL, *psu = NULL;
    double weight = 0;
    int has_weight = 0, rc = DT_ENOMEM;
    size_t before = fr->problems.n;
    row *r;
    buf lb;

    buf_init(&lb, 4096);
    snprintf(where, sizeof(where), "line %d", line);
    if (!pre || !iv)
        goto cleanup;
    for (int i = 0; i < fr->ncols; i++) {
        const char *s = v[i];
        switch (fr->col[i]) {
        case COL_ID:
            id = s;
            break;
        case COL_ENUMERATOR:
            enumerator = s;
            break;
        case COL_LABEL:
            label = s;
            break;
        case COL_STRATUM:
            stratum = s;
            break;
        case COL_PSU:
            psu = s;
            break;
        case COL_FORM:
            if (*s && strcmp(s, form_id(fr->f)) != 0)
                errlist_add(&fr->problems, where, "form_id", "form '%s' is not %s", s,
                            form_id(fr->f));
            break;
        case COL_WEIGHT:
            has_weight = *s != '\0';
            if (*s && !parse_weight(s, &weight))
                errlist_add(&fr->problems, where, "weight", "'%s' is not a positive number", s);
            break;
        case -1:
            break;
        default: {
            val x = {0};
            const form_question *q = form_q(fr->f, fr->col[i]);
            if (val_from_text(&x, q, s, why, sizeof(why))) {
                errlist_add(&fr->problems, where, q->name, "%s", why);
            } else if (x.has) {
                cJSON *j = val_to_json(q, &x);
                if (!j || !cJSON_AddItemToObject(pre, q->name, j) ||
                    eng_set_val(iv, (eng_pos){fr->col[i], 0}, &x)) {
                    val_free(&x);
                    goto cleanup;
                }
            }
            val_free(&x);
        }
        }
    }
    if (!id || !*id)
        errlist_add(&fr->problems, where, "assignment_id", "empty");
    if (!fr->have_enum)
        ; /* said once, for the header */
    else if (!enumerator || !*enumerator)
        errlist_add(&fr->problems, where, "enumerator", "empty");
    else if (!is_enumerator(fr, enumerator))
        errlist_add(&fr->problems, where, "enumerator",
                    "'%s' is not an enumerator on this server (add them with `syncd user add "
                    "NAME --role enumerator`)",
                    enumerator);
    /* Pre-filled answers must pass their constraints too, or the interview would start
     * with an answer it cannot keep. */
    for (int i = 0; i < fr->ncols; i++) {
        char msg[512];
        eng_pos at = {fr->col[i], 0};
        if (fr->col[i] < 0 || !eng_get(iv, at)->has || eng_check(iv, at, msg, sizeof(msg)))
            continue;
        errlist_add(&fr->problems, where, form_q(fr->f, fr->col[i])->name, "%s", msg);
    }
    rc = DT_OK;
    if (fr->problems.n > before)
        goto cleanup; /* reported; the whole file will be refused */
    if (fr->nrows == fr->cap) {
        int ncap = fr->cap ? fr->cap * 2 : 256;
        row *p = realloc(fr->rows, sizeof(*p) * (size_t)ncap);
        if (!p) {
            rc = DT_ENOMEM;
            goto cleanup;
        }
        fr->rows = p;
        fr->cap = ncap;
    }
    r = &fr->rows[fr->nrows];
    memset(r, 0, sizeof(*r));
    r->line = line;
    r->weight = weight;
    r->has_weight = has_weight;
    if (!label || !*label) {
        if (key_label(&lb, iv)) {
            rc = DT_ENOMEM;
            goto cleanup;
        }
        label = lb.data && *lb.data ? lb.data : id;
    }
    if (fr->commune_q >= 0 && eng_get(iv, (eng_pos){fr->commune_q, 0})->has)
        r->commune = strdup(eng_get(iv, (eng_pos){fr->commune_q, 0})->str);
    r->id = strdup(id);
    r->enumerator = strdup(enumerator);
    r->label = strdup(label);
    r->prefill = cJSON_PrintUnformatted(pre);
    r->stratum = dup_or_null(stratum);
    r->psu = dup_or_null(psu);
    fr->nrows++; /* counted now, so that its strings are freed whatever follows */
    if (!r->id || !r->enumerator || !r->label || !r->prefill)
        rc = DT_ENOMEM;
cleanup:
    buf_free(&lb);
    cJSON_Delete(pre);
    eng_free(iv);
    return rc;
}

static int by_id(const void *a, const void *b)
{
    const row *x = *(row *const *)a, *y = *(row *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : x->line - y->line;
}

/* An assignment given twice would be sent twice, the second silently winning. */
static int find_repeats(frame *fr)
{
    row **sorted = malloc(sizeof(row *) * (size_t)(fr->nrows ? fr->nrows : 1));

    if (!sorted)
        return DT_ENOMEM;
    for (int i = 0; i < fr->nrows; i++)
        sorted[i] = &fr->rows[i];
    qsort(sorted, (size_t)fr->nrows, sizeof(row *), by_id);
    for (int i = 1; i < fr->nrows; i++) {
        if (strcmp(sorted[i]->id, sorted[i - 1]->id) != 0)
            continue;
        char where[32];
        snprintf(where, sizeof(where), "line %d", sorted[i]->line);
        int k = i - 1;
        while (k > 0 && !strcmp(sorted[k - 1]->id, sorted[i]->id))
            k--;
        errlist_add(&fr->problems, where, "assignment_id", "'%s' is already on line %d",
                    sorted[i]->id, sorted[k]->line);
    }
    free(sorted);
    return DT_OK;
}

static int load(frame *fr, dt_err *err)
{
    csv_reader *r = NULL;
    const char *const *h, *const *v;
    int n, rc;

    if ((rc = csv_open(&r, fr->file, MAX_LINES, err)))
        return rc;
    n = csv_header(r, &h);
    if ((rc = map_columns(fr, h, n))) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    while ((rc = csv_next(r, &v, &n, err)) == 1) {
        if ((rc = read_row(fr, v, csv_line(r)))) {
            rc = err_set(err, DT_ENOMEM, "out of memory");
            break;
        }
    }
    if (rc == 0 && find_repeats(fr))
        rc = err_set(err, DT_ENOMEM, "out of memory");
cleanup:
    csv_close(r);
    return rc;
}

static int save(store *s, frame *fr, dt_err *err)
{
    store_assignment *a = calloc((size_t)(fr->nrows ? fr->nrows : 1), sizeof(*a));
    int rc;

    if (!a)
        return err_set(err, DT_ENOMEM, "out of memory");
    for (int i = 0; i < fr->nrows; i++) {
        const row *r = &fr->rows[i];
        a[i] = (store_assignment){.assignment_id = r->id,
                                  .form_id = form_id(fr->f),
                                  .enumerator = r->enumerator,
                                  .label = r->label,
                                  .prefill = r->prefill,
                                  .commune_code = r->commune,
                                  .weight = r->weight,
                                  .has_weight = r->has_weight,
                                  .stratum = r->stratum,
                                  .psu = r->psu};
    }
    rc = store_assign(s, a, fr->nrows, err);
    free(a);
    return rc;
}

static void frame_free(frame *fr)
{
    for (int i = 0; i < fr->nrows; i++) {
        row *r = &fr->rows[i];
        free(r->id);
        free(r->enumerator);
        free(r->label);
        cJSON_free(r->prefill);
        free(r->commune);
        free(r->stratum);
        free(r->psu);
    }
    free(fr->rows);
    free(fr->users);
    free(fr->col);
    errlist_free(&fr->problems);
}

static int exec(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    int bad = 0;
    const char *form_name = sconf_take_opt(&argc, argv, "--form", &bad);
    frame fr = {0};
    store *s;
    dt_err err;
    int rc;

    if (bad || argc != 1 || argv[0][0] == '-')
        return cmd_usage(&cmd_assign_import);
    fr.file = argv[0];
    if (!(s = sconf_open(db)))
        return EXIT_TROUBLE;
    rc = store_form_latest(s, form_name, &fr.f, &err);
    if (rc == DT_OK)
        rc = store_user_list(s, add_user, &fr, &err);
    if (rc == DT_OK) {
        int q = form_find(fr.f, "commune_code");
        fr.commune_q = q >= 0 && form_q(fr.f, q)->repeat < 0 ? q : -1;
        rc = load(&fr, &err);
    }
    /* All or nothing: a frame with a mistake is fixed and loaded again whole. */
    if (rc == DT_OK && fr.problems.n == 0)
        rc = save(s, &fr, &err);
    if (rc) {
        sconf_error(&err);
    } else if (fr.problems.n) {
        cmdline_problems(stderr, fr.file, &fr.problems);
        fprintf(stderr, "%s: nothing loaded: %zu problem%s\n", fr.file, fr.problems.n,
                fr.problems.n == 1 ? "" : "s");
        rc = DT_EINVAL;
    } else {
        printf("%d assignment%s loaded for form %s version %d: each enumerator receives theirs on "
               "their next sync\n",
               fr.nrows, fr.nrows == 1 ? "" : "s", form_id(fr.f), form_version(fr.f));
    }
    frame_free(&fr);
    store_close(s);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_assign_import = {
    .name = "assign import",
    .args = "FRAME.csv [--form ID] [--db PATH]",
    .summary = "load the sample frame: households, enumerators, weights",
    .exec = exec,
};
