/* export_codebook.c - codebook.csv: every variable of every file, its label, type, storage,
 * value labels and why its name is not the question's */
#include "export_int.h"
#include "csv.h"
#include "expr.h"
#include "qtype.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the codebook */

/* Where question q is in a JSON document's answers: "answers.members[].plots[].p_area". */
static void json_path(const form *f, int q, char *out, size_t size)
{
    const form_question *fq = form_q(f, q);
    char outer[128] = "answers";

    if (fq->repeat >= 0)
        json_path(f, fq->repeat, outer, sizeof(outer));
    snprintf(out, size, "%.100s.%s%s", outer, fq->name, fq->type == Q_REPEAT ? "[]" : "");
}

static const char *type_text(const exp_ctx *x, const exp_var *v, char *out, size_t size)
{
    const form_question *fq = v->q >= 0 ? form_q(x->f, v->q) : NULL;

    if (v->pn)
        return "text (keyed hash)";
    switch (v->type) {
    case VT_STR:
        return "text";
    case VT_INT:
        return "integer";
    case VT_NUM:
        return v->src == SRC_GEO ? "number (geopoint)" : "number";
    case VT_CODE:
        snprintf(out, size, "select_one %s", v->list->name);
        return out;
    case VT_BIN:
        snprintf(out, size, "0/1 (select_multiple %s)", fq->list->name);
        return out;
    case VT_DATE:
        return "date";
    case VT_CALC:
        if (x->o->format == EXP_DTA || x->o->format == EXP_SAV)
            return v->nstr ? "calculate (text)" : "calculate (number)";
        return "calculate";
    }
    return "";
}

static int value_labels(const exp_ctx *x, const exp_var *v, buf *b)
{
    int rc = DT_OK;

    if (v->type == VT_CODE) {
        for (int i = 0; i < v->list->nchoices && !rc; i++)
            rc = buf_printf(b, "%s%lld=%s", i ? "; " : "", v->list->choices[i].code,
                            v->list->choices[i].label[x->lang]);
    } else if (v->type == VT_BIN) {
        rc = buf_printf(b, "0=%s; 1=%s", exp_yesno(x, 0), exp_yesno(x, 1));
    }
    return rc;
}

static int codebook_row(FILE *f, buf *line, const char *const *fields, dt_err *err)
{
    buf_reset(line);
    if (csv_write_record(line, fields, 8))
        return err_set(err, DT_ENOMEM, "out of memory");
    if (fwrite(line->data, 1, line->len, f) != line->len)
        return err_set(err, DT_EIO, "codebook: write error: %s", strerror(errno));
    return DT_OK;
}

static int write_codebook_flat(exp_ctx *x, FILE *f, buf *line, long long *rows, dt_err *err)
{
    const char *ext = exp_format_ext(x->o->format);
    int rc = DT_OK;

    for (int l = 0; l < x->nlevels && !rc; l++) {
        const exp_level *lv = &x->levels[l];
        char file[96];
        snprintf(file, sizeof(file), "%s.%s", lv->name, ext);
        for (int i = 0; i < lv->nvars && !rc; i++) {
            const exp_var *v = &lv->vars[i];
            char tbuf[96];
            buf vl, note;
            buf_init(&vl, 1 << 20);
            buf_init(&note, 1 << 16);
            const char *names = v->src == SRC_ANSWER ? exp_names_note(x, v->q) : NULL;
            rc = value_labels(x, v, &vl);
            if (!rc && names)
                rc = buf_puts(&note, names);
            if (!rc && v->note)
                rc = buf_printf(&note, "%s%s", note.len ? "; " : "", v->note);
            if (!rc && v->label_cut)
                rc =
                    buf_printf(&note, "%sthe label is cut in this format (in full here)%s",
                               note.len ? "; " : "", v->type == VT_BIN ? ", the choice first" : "");
            if (!rc && v->ncut)
                rc = buf_printf(&note,
                                "%s%lld value(s) cut to %zu bytes (the format's longest text)",
                                note.len ? "; " : "", v->ncut, v->width);
            const char *fields[8] = {file,
                                     v->name,
                                     v->label,
                                     type_text(x, v, tbuf, sizeof(tbuf)),
                                     v->storage,
                                     vl.data ? vl.data : "",
                                     v->q >= 0 ? form_q(x->f, v->q)->name : "",
                                     note.data ? note.data : ""};
            rc = rc ? err_set(err, DT_ENOMEM, "out of memory") : codebook_row(f, line, fields, err);
            buf_free(&vl);
            buf_free(&note);
            ++*rows;
        }
    }
    return rc;
}

/* JSON keeps the answers format: one line per key of a document. */
static int write_codebook_json(exp_ctx *x, FILE *f, buf *line, long long *rows, dt_err *err)
{
    static const char *const meta[][3] = {
        {"case_id", "text", "Case ID (UUID)"},
        {"form_id", "text", "Questionnaire"},
        {"form_version", "integer", "Questionnaire version of this case (answers follow it)"},
        {"status", "text", "Review status: finalized, approved, rejected"},
        {"outcome", "text", "Interview outcome: complete, refusal"},
        {"enumerator", "text", "Enumerator (user name)"},
        {"commune_code", "text", "Commune of the household"},
        {"assignment_id", "text", "Assignment in the sample frame"},
        {"weight", "number", "Sampling weight (sample frame)"},
        {"stratum", "text", "Stratum (sample frame)"},
        {"psu", "text", "Primary sampling unit (sample frame)"},
        {"conflict", "boolean", "Two branches of edits wait for a supervisor"},
        {"duplicate", "boolean", "Another case has the same household key"},
        {"head_rev", "text", "The revision exported (the case's head)"},
        {"created_at", "text", "When the head revision was made, on the device (UTC)"},
        {"answers", "object",
         "Relevant answers and calculations, repeats as arrays (docs/form-format.md)"},
        {"paradata", "object", "Interview times, sessions, device (docs/collector-db.md)"},
        {"history", "array",
         "--history: every revision, oldest first, with its answers as received"},
        {"decisions", "array", "--history: supervisors' decisions, in order"},
    };
    int rc = DT_OK, nq = form_nquestions(x->f);

    for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]) && !rc; i++) {
        const char *fields[8] = {
            "households.jsonl", meta[i][0], meta[i][2], meta[i][1], "", "", "", ""};
        rc = codebook_row(f, line, fields, err);
        ++*rows;
    }
    for (int q = 0; q < nq && !rc; q++) {
        const form_question *fq = form_q(x->f, q);
        char path[128], tbuf[96];
        exp_var v = {.q = q, .list = fq->list};
        buf vl;
        if (fq->type == Q_NOTE || fq->type == Q_GROUP)
            continue;
        json_path(x->f, q, path, sizeof(path));
        snprintf(tbuf, sizeof(tbuf), "%s%s%s%s", form_type_name(fq->type), fq->list ? " " : "",
                 fq->list ? fq->list->name : "", qtype_of(fq->type)->json_note);
        if (x->pseudonymise && x->names[q])
            snprintf(tbuf, sizeof(tbuf), "text (keyed hash)");
        buf_init(&vl, 1 << 20);
        v.type = fq->list ? VT_CODE : VT_STR;
        char *lab =
            fq->type == Q_CALCULATE ? exp_xprintf("= %s", expr_text(fq->calculation)) : NULL;
        rc = value_labels(x, &v, &vl);
        const char *fields[8] = {"households.jsonl",
                                 path,
                                 lab ? lab : exp_qlabel(x, fq),
                                 tbuf,
                                 "",
                                 vl.data ? vl.data : "",
                                 fq->name,
                                 exp_names_note(x, q) ? exp_names_note(x, q) : ""};
        rc = rc ? err_set(err, DT_ENOMEM, "out of memory") : codebook_row(f, line, fields, err);
        free(lab);
        buf_free(&vl);
        ++*rows;
    }
    return rc;
}

char *exp_design_note(const ind_weights *w)
{
    buf b;
    char *out = NULL;
    int bad;

    buf_init(&b, 1 << 20);
    bad = buf_printf(&b, "How the weights were made: %s. ", w->how);
    if (!w->nrep) {
        bad |= buf_printf(&b, "R: svydesign(ids = ~psu, strata = ~stratum, weights = ~wt_final, "
                              "nest = TRUE, data = households); Stata: svyset psu "
                              "[pw=wt_final], strata(stratum). After a calibration, standard "
                              "errors from these ignore it (usually overstating them): export "
                              "with --variance replicate to carry it.");
    } else if (w->method && !strcmp(w->method, "bootstrap")) {
        bad |= buf_printf(&b,
                          "R: svrepdesign(data = households, weights = ~wt_final, repweights = "
                          "\"rw_[0-9]+\", type = \"other\", scale = 1/%zu, rscales = 1, mse = "
                          "FALSE, combined.weights = TRUE); Stata: svyset [pw=wt_final], "
                          "bsrweight(rw_1-rw_%zu) vce(bootstrap) (Rao-Wu, n_h - 1 PSUs drawn; "
                          "seed %llu).",
                          w->nrep - 1, w->nrep, w->seed);
    } else {
        bad |= buf_printf(&b,
                          "R: svrepdesign(data = households, weights = ~wt_final, repweights = "
                          "\"rw_[0-9]+\", type = \"%s\", scale = %.17g, rscales = c(",
                          !strcmp(w->method, "jk1") ? "JK1" : "JKn", w->scale);
        for (size_t r = 0; r < w->nrep; r++)
            bad |= buf_printf(&b, "%s%.17g", r ? ", " : "", w->rscale[r]);
        bad |= buf_printf(&b, "), mse = FALSE, combined.weights = TRUE); Stata: svyset "
                              "[pw=wt_final], jkrweight(rw_*, multiplier(...)) vce(jackknife), "
                              "each replicate's multiplier scale x rscale as in R's call.");
    }
    if (!bad)
        out = strdup(b.data);
    buf_free(&b);
    return out;
}

int exp_codebook_write(exp_ctx *x, dt_err *err)
{
    static const char *const head[] = {"file",    "variable",     "label",    "type",
                                       "storage", "value_labels", "question", "note"};
    FILE *f = NULL;
    buf line;
    long long rows = 0;
    int rc;

    buf_init(&line, 4 << 20);
    if ((rc = exp_open(&f, x, "codebook", "csv", err)))
        return rc;
    rc = codebook_row(f, &line, head, err);
    if (!rc)
        rc = x->o->format == EXP_JSON ? write_codebook_json(x, f, &line, &rows, err)
                                      : write_codebook_flat(x, f, &line, &rows, err);
    buf_free(&line);
    if (rc) {
        fclose(f);
        exp_discard(x, "codebook", "csv");
        return rc;
    }
    return exp_commit(x, f, "codebook", "csv", rows, err);
}
