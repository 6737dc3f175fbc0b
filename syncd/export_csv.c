/* export_csv.c - exports as CSV: one UTF-8 file per level, a header row, RFC 4180 quoting,
 * missing values empty, dates as YYYY-MM-DD */
#include "export_int.h"
#include "csv.h"
#include "expr.h"

#include <stdlib.h>
#include <string.h>

struct exp_csv {
    FILE **f; /* one per level, NULL once committed */
};

static int csv_begin(exp_ctx *x, dt_err *err)
{
    exp_csv *c = calloc(1, sizeof(*c));
    exp_worker *w = &x->workers[x->nthreads];
    buf line;
    int rc = DT_OK;

    if (!c)
        return err_set(err, DT_ENOMEM, "out of memory");
    x->csv = c;
    if (!(c->f = calloc((size_t)x->nlevels, sizeof(*c->f))))
        return err_set(err, DT_ENOMEM, "out of memory");
    buf_init(&line, 1 << 20);
    for (int l = 0; l < x->nlevels && !rc; l++) {
        const exp_level *lv = &x->levels[l];
        char what[96];
        if ((rc = exp_open(&c->f[l], x, lv->name, x->w->ext, err)))
            break;
        for (int i = 0; i < lv->nvars; i++)
            w->fields[i] = lv->vars[i].name;
        buf_reset(&line);
        snprintf(what, sizeof(what), "%s.%s", lv->name, x->w->ext);
        rc = csv_write_record(&line, w->fields, lv->nvars)
                 ? err_set(err, DT_ENOMEM, "out of memory")
                 : exp_write(c->f[l], line.data, line.len, what, err);
    }
    buf_free(&line);
    return rc;
}

static int csv_row(exp_worker *w, const exp_level *lv, const exp_cell *cells, buf *out)
{
    for (int i = 0; i < lv->nvars; i++) {
        const exp_cell *e = &cells[i];
        if (e->kind == CELL_MISSING) {
            w->fields[i] = "";
        } else if (e->str) {
            w->fields[i] = e->str;
        } else if (lv->vars[i].type == VT_DATE) {
            expr_format_date((int)e->num, w->num[i]);
            w->fields[i] = w->num[i];
        } else {
            w->fields[i] = exp_num_text(e->num, w->num[i], sizeof(w->num[i]));
        }
    }
    return csv_write_record(out, w->fields, lv->nvars);
}

static int csv_take(exp_ctx *x, int level, const char *case_id, const char *data, size_t len,
                    long long rows, dt_err *err)
{
    char what[96];

    (void)case_id;
    (void)rows;
    if (!len)
        return DT_OK;
    snprintf(what, sizeof(what), "%s.%s", x->levels[level].name, x->w->ext);
    return exp_write(x->csv->f[level], data, len, what, err);
}

static int csv_finish(exp_ctx *x, dt_err *err)
{
    exp_csv *c = x->csv;
    int rc;

    for (int l = 0; l < x->nlevels; l++) {
        FILE *f = c->f[l];
        c->f[l] = NULL;
        if ((rc = exp_commit(x, f, x->levels[l].name, x->w->ext, x->levels[l].rows, err)))
            return rc;
    }
    return DT_OK;
}

static void csv_free(exp_ctx *x)
{
    exp_csv *c = x->csv;

    if (!c)
        return;
    for (int l = 0; c->f && l < x->nlevels; l++)
        if (c->f[l]) {
            fclose(c->f[l]);
            exp_discard(x, x->levels[l].name, x->w->ext);
        }
    free(c->f);
    free(c);
    x->csv = NULL;
}

const exp_writer exp_writer_csv = {
    .name = "csv",
    .ext = "csv",
    .begin = csv_begin,
    .row = csv_row,
    .take = csv_take,
    .finish = csv_finish,
    .free = csv_free,
};
