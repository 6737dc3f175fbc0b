/* cmd_assign_import.c - `syncd assign import FRAME.csv`: the sample frame, sent to each enumerator
 */
#include "cmdline.h"
#include "cmd.h"
#include "frame.h"
#include "engine.h"
#include "sconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One row, with the strings it owns. */
typedef struct row {
    char *id, *enumerator, *label, *prefill, *commune, *stratum, *psu;
    double weight;
    int has_weight;
    int line;
} row;

typedef struct rows {
    const char *file;
    const form *f;
    store_user *users;
    int nusers;
    row *rows;
    int nrows, cap;
    errlist problems;
} rows;

static int add_user(void *ctx, const store_user *u, int revoked)
{
    rows *fr = ctx;
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

static int is_enumerator(const rows *fr, const char *name)
{
    for (int i = 0; i < fr->nusers; i++)
        if (!strcmp(fr->users[i].name, name))
            return 1;
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

/* Keeps a good row of the frame (whose strings last only until the next one). */
static int keep(rows *fr, const frame_row *fr_row)
{
    if (fr->nrows == fr->cap) {
        int ncap = fr->cap ? fr->cap * 2 : 256;
        row *p = realloc(fr->rows, sizeof(*p) * (size_t)ncap);
        if (!p)
            return DT_ENOMEM;
        fr->rows = p;
        fr->cap = ncap;
    }
    row *r = &fr->rows[fr->nrows++]; /* counted now, so its strings are freed whatever follows */
    memset(r, 0, sizeof(*r));
    r->line = fr_row->line;
    r->weight = fr_row->weight;
    r->has_weight = fr_row->has_weight;
    r->id = strdup(fr_row->assignment_id);
    r->enumerator = strdup(fr_row->enumerator);
    r->label = strdup(fr_row->label);
    r->prefill = strdup(fr_row->prefill);
    r->commune = dup_or_null(fr_row->commune_code);
    r->stratum = dup_or_null(fr_row->stratum);
    r->psu = dup_or_null(fr_row->psu);
    if (!r->id || !r->enumerator || !r->label || !r->prefill)
        return DT_ENOMEM;
    return DT_OK;
}

static int find_repeats(rows *fr);

/* Reads the whole frame: every problem of every row is reported at once. */
static int load(rows *fr, dt_err *err)
{
    frame *f = NULL;
    frame_row r;
    int rc;

    if ((rc = frame_open(&f, fr->file, fr->f, &fr->problems, err)))
        return rc;
    if (!frame_has_column(f, "enumerator"))
        errlist_add(&fr->problems, "line 1", "enumerator",
                    "the file needs this column: who visits each household");
    while ((rc = frame_next(f, &r, &fr->problems, err)) > 0) {
        char where[32];
        snprintf(where, sizeof(where), "line %d", r.line);
        if (rc == 1 && frame_has_column(f, "enumerator") && !r.enumerator[0]) {
            errlist_add(&fr->problems, where, "enumerator", "empty");
            rc = 2;
        } else if (rc == 1 && r.enumerator[0] && !is_enumerator(fr, r.enumerator)) {
            errlist_add(&fr->problems, where, "enumerator",
                        "'%s' is not an enumerator on this server (add them with `syncd user "
                        "add NAME --role enumerator`)",
                        r.enumerator);
            rc = 2;
        }
        if (rc == 1 && keep(fr, &r)) {
            rc = err_set(err, DT_ENOMEM, "out of memory");
            break;
        }
    }
    if (rc == 0 && find_repeats(fr))
        rc = err_set(err, DT_ENOMEM, "out of memory");
    frame_close(f);
    return rc;
}

static int by_id(const void *a, const void *b)
{
    const row *x = *(row *const *)a, *y = *(row *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : x->line - y->line;
}

/* An assignment given twice would be sent twice, the second silently winning. */
static int find_repeats(rows *fr)
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

static int save(store *s, rows *fr, dt_err *err)
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

static void rows_free(rows *fr)
{
    for (int i = 0; i < fr->nrows; i++) {
        row *r = &fr->rows[i];
        free(r->id);
        free(r->enumerator);
        free(r->label);
        free(r->prefill);
        free(r->commune);
        free(r->stratum);
        free(r->psu);
    }
    free(fr->rows);
    free(fr->users);
    errlist_free(&fr->problems);
}

static int exec(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    int bad = 0;
    const char *form_name = sconf_take_opt(&argc, argv, "--form", &bad);
    rows fr = {0};
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
    if (rc == DT_OK)
        rc = load(&fr, &err);
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
    rows_free(&fr);
    store_close(s);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_assign_import = {
    .name = "assign import",
    .args = "FRAME.csv [--form ID] [--db PATH]",
    .summary = "load the sample frame: households, enumerators, weights",
    .exec = exec,
};
