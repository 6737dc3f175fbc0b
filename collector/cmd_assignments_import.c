/* cmd_assignments_import.c - `collector assignments import FILE.csv`: the households to visit */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "csv.h"
#include "display.h"
#include "engine.h"

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

typedef struct frame {
    const char *file;
    form *f;
    int *col; /* per column: a COL_ value or the question index to pre-fill */
    int ncols;
    const char *me; /* this laptop's enumerator: rows for others are skipped */
    errlist problems;
    int loaded, skipped;
} frame;

static int map_columns(frame *fr, const char *const *h, int n)
{
    static const struct {
        const char *name;
        int col;
    } fixed[] = {{"assignment_id", COL_ID},     {"form_id", COL_FORM}, {"weight", COL_WEIGHT},
                 {"stratum", COL_STRATUM},      {"psu", COL_PSU},      {"label", COL_LABEL},
                 {"enumerator", COL_ENUMERATOR}};
    int have_id = 0;

    fr->col = calloc((size_t)n, sizeof(int));
    if (!fr->col)
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
            continue;
        }
        int q = form_find(fr->f, h[i]);
        const form_question *fq = q >= 0 ? form_q(fr->f, q) : NULL;
        if (!fq || fq->repeat >= 0 || fq->type == Q_GROUP || fq->type == Q_REPEAT ||
            fq->type == Q_NOTE || fq->type == Q_CALCULATE) {
            errlist_add(&fr->problems, "line 1", h[i],
                        "not a column this file can have (assignment_id, weight, stratum, psu, "
                        "label, enumerator, form_id, or a question of form %s outside the roster)",
                        form_id(fr->f));
            fr->col[i] = -1;
            continue;
        }
        fr->col[i] = q;
    }
    if (!have_id)
        errlist_add(&fr->problems, "line 1", "assignment_id", "the file needs this column");
    return DT_OK;
}

static int parse_weight(const char *s, double *out)
{
    char *end;

    *out = strtod(s, &end);
    return *s && !*end && isfinite(*out) && *out > 0;
}

/* Turns one row into an assignment; problems go to fr->problems. Returns 1 to store,
 * 0 to skip (another enumerator's or bad), or DT_ENOMEM. */
static int read_row(frame *fr, const char *const *v, int line, cstore_assignment *a, cJSON *pre,
                    interview *iv)
{
    char where[32], why[256];
    int bad = 0;

    snprintf(where, sizeof(where), "line %d", line);
    for (int i = 0; i < fr->ncols; i++) {
        const char *s = v[i];
        switch (fr->col[i]) {
        case COL_ID:
            a->assignment_id = (char *)s;
            break;
        case COL_LABEL:
            a->label = (char *)s;
            break;
        case COL_STRATUM:
            a->stratum = *s ? (char *)s : NULL;
            break;
        case COL_PSU:
            a->psu = *s ? (char *)s : NULL;
            break;
        case COL_ENUMERATOR:
            if (*s && fr->me && strcmp(s, fr->me) != 0)
                return 0;
            break;
        case COL_FORM:
            if (*s && strcmp(s, form_id(fr->f)) != 0) {
                bad = 1;
                errlist_add(&fr->problems, where, "form_id", "form '%s' is not %s", s,
                            form_id(fr->f));
            }
            break;
        case COL_WEIGHT:
            a->has_weight = *s != '\0';
            if (*s && !parse_weight(s, &a->weight)) {
                bad = 1;
                errlist_add(&fr->problems, where, "weight", "'%s' is not a positive number", s);
            }
            break;
        case -1:
            break;
        default: {
            val x = {0};
            const form_question *q = form_q(fr->f, fr->col[i]);
            if (val_from_text(&x, q, s, why, sizeof(why))) {
                bad = 1;
                errlist_add(&fr->problems, where, q->name, "%s", why);
            } else if (x.has) {
                cJSON *j = val_to_json(q, &x);
                if (!j || !cJSON_AddItemToObject(pre, q->name, j) ||
                    eng_set_val(iv, (eng_pos){fr->col[i], 0}, &x)) {
                    val_free(&x);
                    return DT_ENOMEM;
                }
            }
            val_free(&x);
        }
        }
    }
    if (!a->assignment_id || !*a->assignment_id) {
        errlist_add(&fr->problems, where, "assignment_id", "empty");
        bad = 1;
    }
    return bad ? 0 : 1;
}

static int store_row(cstore *cs, frame *fr, const char *const *v, int line, dt_err *err)
{
    cstore_assignment a = {0};
    cJSON *pre = cJSON_CreateObject();
    interview *iv = eng_new(fr->f, 0, 0);
    buf label;
    int rc;

    buf_init(&label, 4096);
    if (!pre || !iv) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    rc = read_row(fr, v, line, &a, pre, iv);
    if (rc <= 0) {
        if (rc == 0 && fr->problems.n == 0)
            fr->skipped++;
        rc = rc < 0 ? err_set(err, DT_ENOMEM, "out of memory") : DT_OK;
        goto cleanup;
    }
    /* Pre-filled answers must pass their constraints too, or the interview would
     * start with an answer it cannot keep. */
    for (int i = 0; i < fr->ncols; i++) {
        char msg[512], where[32];
        eng_pos at = {fr->col[i], 0};
        if (fr->col[i] < 0 || !eng_get(iv, at)->has || eng_check(iv, at, msg, sizeof(msg)))
            continue;
        snprintf(where, sizeof(where), "line %d", line);
        errlist_add(&fr->problems, where, form_q(fr->f, fr->col[i])->name, "%s", msg);
    }
    rc = DT_OK;
    if (fr->problems.n)
        goto cleanup; /* reported; the whole file will be refused */
    char *prefill = cJSON_PrintUnformatted(pre);
    a.form_id = (char *)form_id(fr->f);
    a.prefill = prefill;
    if (!a.label || !*a.label) {
        disp_case_label(&label, iv, 0);
        a.label = label.data ? label.data : a.assignment_id;
    }
    rc = prefill ? cstore_assignment_put(cs, &a, err) : err_set(err, DT_ENOMEM, "out of memory");
    free(prefill);
    if (rc == DT_OK)
        fr->loaded++;
cleanup:
    buf_free(&label);
    cJSON_Delete(pre);
    eng_free(iv);
    return rc;
}

static int load(cstore *cs, frame *fr, dt_err *err)
{
    csv_reader *r = NULL;
    const char *const *h, *const *v;
    int n, rc;

    if ((rc = csv_open(&r, fr->file, MAX_LINES, err)))
        return rc;
    n = csv_header(r, &h);
    if ((rc = map_columns(fr, h, n)))
        goto cleanup;
    if ((rc = cstore_begin(cs, err)))
        goto cleanup;
    while ((rc = csv_next(r, &v, &n, err)) == 1) {
        if ((rc = store_row(cs, fr, v, csv_line(r), err)))
            break;
    }
    /* All or nothing: a frame with a mistake is fixed and loaded again whole. */
    if (rc == 0 && fr->problems.n == 0) {
        rc = cstore_commit(cs, err);
    } else {
        cstore_rollback(cs);
        fr->loaded = 0;
    }
cleanup:
    csv_close(r);
    return rc;
}

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv), *form_name = NULL;
    char *fid = NULL, *me = NULL, *device = NULL;
    frame fr = {0};
    cstore *cs;
    dt_err err;
    int rc;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--form") && i + 1 < argc)
            form_name = argv[++i];
        else if (!fr.file && argv[i][0] != '-')
            fr.file = argv[i];
        else
            return cmd_usage(&cmd_assignments_import);
    }
    if (!fr.file)
        return cmd_usage(&cmd_assignments_import);
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
    rc = cstore_identity(cs, &me, &device, &err);
    if (rc == DT_OK && !form_name && (rc = cstore_default_form(cs, &fid, &err)) == DT_OK)
        form_name = fid;
    if (rc == DT_OK)
        rc = cstore_load_form(cs, form_name, 0, &fr.f, &err);
    fr.me = me;
    if (rc == DT_OK)
        rc = load(cs, &fr, &err);
    if (rc) {
        cli_error(&err);
    } else if (fr.problems.n) {
        cmdline_problems(stderr, fr.file, &fr.problems);
        fprintf(stderr, "%s: nothing loaded: %zu problem%s\n", fr.file, fr.problems.n,
                fr.problems.n == 1 ? "" : "s");
        rc = DT_EINVAL;
    } else {
        printf("%d assignment%s loaded", fr.loaded, fr.loaded == 1 ? "" : "s");
        if (fr.skipped)
            printf(", %d for other enumerators skipped", fr.skipped);
        printf("\n");
    }
    errlist_free(&fr.problems);
    free(fr.col);
    form_free(fr.f);
    free(fid);
    free(me);
    free(device);
    cstore_close(cs);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_assignments_import = {
    .name = "assignments import",
    .args = "FILE.csv [--form ID] [--db PATH]",
    .summary = "load the households to visit from a CSV file",
    .exec = exec,
};
