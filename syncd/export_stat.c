/* export_stat.c - exports for Stata (.dta, format 118: UTF-8, Stata 14+) and SPSS (.sav) with
 * ReadStat's writer: variable and value labels, dates as dates, missing as system-missing.
 * ReadStat needs each file's row count and each variable's type before the first row, and
 * the pass over the store gives them only at its end: rows go to a compact spool (an
 * unlinked file in the output folder) while the pass gathers the counts, the longest texts
 * and the ranges that choose each variable's storage; then each file is written from its
 * spool. Memory stays bounded; the store is read once, from one snapshot. */
#include "export_int.h"
#include "expr.h"

#include <errno.h>
#include <math.h>
#include <readstat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Limits of the formats (ReadStat refuses more; Stata and SPSS document these). */
#define DTA_STR_MAX        2045  /* str# */
#define SAV_STR_MAX        32767 /* A# */
#define DTA_VARLABEL_CHARS 80    /* characters, ... */
#define DTA_VARLABEL_BYTES 320   /* ... and bytes (format 118 keeps 321 with the NUL) */
#define SAV_VARLABEL_BYTES 256
#define DTA_VALLABEL_BYTES 32000
#define SAV_VALLABEL_BYTES 120
#define FILELABEL_BYTES    60     /* dta: 80 characters; sav: 64 bytes */
#define DTA_DATE_SHIFT     3653   /* days from 1960-01-01 (Stata's 0) to 1970-01-01 */
#define SAV_DATE_SHIFT     141428 /* days from 1582-10-14 (SPSS's 0) to 1970-01-01 */

/* Spool records: a tag byte per value, then its bytes. */
enum { SP_MISSING, SP_DOUBLE, SP_INT8, SP_INT32, SP_STR8, SP_STR32 };

struct exp_stat {
    FILE **spool;    /* one per level */
    FILE *out;       /* the file being written */
    int write_errno; /* the first write error, for the message */
    int write_failed;
    char *sbuf; /* one text read back from a spool */
    size_t scap;
    char **labels; /* cut copies of labels, freed with the writer */
    int nlabels, caplabels;
};

static const char *ext_of(const exp_ctx *x)
{
    return x->w->ext;
}

static int spool_fail(dt_err *err, const char *doing)
{
    return err_set(err, DT_EIO, "the export's spool file: %s: %s", doing,
                   errno ? strerror(errno) : "unexpected end");
}

static int stat_begin(exp_ctx *x, dt_err *err)
{
    exp_stat *st = calloc(1, sizeof(*st));

    if (!st)
        return err_set(err, DT_ENOMEM, "out of memory");
    x->stat = st;
    if (!(st->spool = calloc((size_t)(x->nlevels > 0 ? x->nlevels : 1), sizeof(*st->spool))))
        return err_set(err, DT_ENOMEM, "out of memory");
    for (int l = 0; l < x->nlevels; l++) {
        char path[4096];
        int fd;
        if (snprintf(path, sizeof(path), "%s/.export-spool-XXXXXX", x->o->out_dir) >=
            (int)sizeof(path))
            return err_set(err, DT_EINVAL, "%s: the folder's name is too long", x->o->out_dir);
        if ((fd = mkstemp(path)) < 0)
            return err_set(err, DT_EIO, "%s: cannot make a spool file: %s", x->o->out_dir,
                           strerror(errno));
        unlink(path); /* gone however the export ends */
        if (!(st->spool[l] = fdopen(fd, "w+b"))) {
            close(fd);
            return err_set(err, DT_ENOMEM, "out of memory");
        }
        setvbuf(st->spool[l], NULL, _IOFBF, 1 << 20);
    }
    return DT_OK;
}

static void note_number(exp_var *v, double d)
{
    if (v->nnum++ == 0) {
        v->min = v->max = d;
    } else {
        if (d < v->min)
            v->min = d;
        if (d > v->max)
            v->max = d;
    }
    if (d != trunc(d) || fabs(d) > 9007199254740992.0)
        v->all_int = 0;
    /* A calculation may turn out to be text: room for a number's text (at most 31 bytes). */
    if (v->type == VT_CALC && v->max_len < 31)
        v->max_len = 31;
}

static int stat_row(exp_worker *w, const exp_level *lv, const exp_cell *cells, buf *out)
{
    (void)w;
    int rc = DT_OK;

    for (int i = 0; i < lv->nvars && !rc; i++) {
        const exp_cell *c = &cells[i];
        unsigned char tag[5];
        if (c->kind == CELL_NUM && isfinite(c->num)) {
            double d = c->num;
            if (d == trunc(d) && d >= -128 && d <= 127) {
                int8_t b = (int8_t)d;
                tag[0] = SP_INT8;
                memcpy(tag + 1, &b, 1);
                rc = buf_append(out, tag, 2);
            } else if (d == trunc(d) && d >= INT32_MIN && d <= INT32_MAX) {
                int32_t n = (int32_t)d;
                tag[0] = SP_INT32;
                memcpy(tag + 1, &n, 4);
                rc = buf_append(out, tag, 5);
            } else {
                tag[0] = SP_DOUBLE;
                rc = buf_append(out, tag, 1);
                if (!rc)
                    rc = buf_append(out, &d, sizeof(d));
            }
        } else if (c->kind == CELL_STR && c->len > 0) {
            if (c->len <= 255) {
                tag[0] = SP_STR8;
                tag[1] = (unsigned char)c->len;
                rc = buf_append(out, tag, 2);
            } else {
                uint32_t n = (uint32_t)c->len;
                tag[0] = SP_STR32;
                memcpy(tag + 1, &n, 4);
                rc = buf_append(out, tag, 5);
            }
            if (!rc)
                rc = buf_append(out, c->str, c->len);
        } else {
            tag[0] = SP_MISSING;
            rc = buf_append(out, tag, 1);
        }
    }
    return rc;
}

static int stat_take(exp_ctx *x, int level, const char *case_id, const char *data, size_t size,
                     long long rows, dt_err *err)
{
    exp_level *lv = &x->levels[level];
    const unsigned char *p = (const unsigned char *)data, *end = p + size;

    (void)case_id;

    /* What each variable holds decides its storage: gathered here, in the main thread. */
    for (long long r = 0; r < rows; r++)
        for (int i = 0; i < lv->nvars; i++) {
            exp_var *v = &lv->vars[i];
            int8_t b8;
            int32_t n32;
            uint32_t len;
            double d;
            if (p >= end)
                return err_set(err, DT_ERR, "export: a row was cut short (a bug)");
            switch (*p++) {
            case SP_INT8:
                memcpy(&b8, p, 1);
                p += 1;
                note_number(v, b8);
                break;
            case SP_INT32:
                memcpy(&n32, p, 4);
                p += 4;
                note_number(v, n32);
                break;
            case SP_DOUBLE:
                memcpy(&d, p, 8);
                p += 8;
                note_number(v, d);
                break;
            case SP_STR8:
            case SP_STR32:
                if (p[-1] == SP_STR8) {
                    len = *p++;
                } else {
                    memcpy(&len, p, 4);
                    p += 4;
                }
                p += len;
                v->nstr++;
                if (len > v->max_len)
                    v->max_len = len;
                break;
            default:
                break;
            }
        }
    if (!size)
        return DT_OK;
    errno = 0;
    if (fwrite(data, 1, size, x->stat->spool[level]) != size)
        return spool_fail(err, "writing");
    return DT_OK;
}

/* One value read back: *kind CELL_NUM with *d, CELL_STR in st->sbuf (*len bytes), or
 * CELL_MISSING. */
static int spool_read(exp_stat *st, FILE *f, exp_cell_kind *kind, double *d, size_t *len,
                      dt_err *err)
{
    int tag = getc(f);

    errno = 0;
    switch (tag) {
    case SP_MISSING:
        *kind = CELL_MISSING;
        return DT_OK;
    case SP_INT8: {
        int8_t b;
        if (fread(&b, 1, 1, f) != 1)
            return spool_fail(err, "reading");
        *kind = CELL_NUM;
        *d = b;
        return DT_OK;
    }
    case SP_INT32: {
        int32_t n;
        if (fread(&n, sizeof(n), 1, f) != 1)
            return spool_fail(err, "reading");
        *kind = CELL_NUM;
        *d = n;
        return DT_OK;
    }
    case SP_DOUBLE:
        if (fread(d, sizeof(*d), 1, f) != 1)
            return spool_fail(err, "reading");
        *kind = CELL_NUM;
        return DT_OK;
    case SP_STR8:
    case SP_STR32: {
        uint32_t n = 0;
        if (tag == SP_STR8) {
            unsigned char b;
            if (fread(&b, 1, 1, f) != 1)
                return spool_fail(err, "reading");
            n = b;
        } else if (fread(&n, sizeof(n), 1, f) != 1) {
            return spool_fail(err, "reading");
        }
        if ((size_t)n + 1 > st->scap) {
            char *p = realloc(st->sbuf, (size_t)n + 1);
            if (!p)
                return err_set(err, DT_ENOMEM, "out of memory");
            st->sbuf = p;
            st->scap = (size_t)n + 1;
        }
        if (fread(st->sbuf, 1, n, f) != n)
            return spool_fail(err, "reading");
        st->sbuf[n] = '\0';
        *kind = CELL_STR;
        *len = n;
        return DT_OK;
    }
    default:
        return spool_fail(err, "reading (damaged)");
    }
}

static ssize_t write_bytes(const void *data, size_t len, void *ctx)
{
    exp_stat *st = ctx;

    if (st->write_failed)
        return 0;
    if (fwrite(data, 1, len, st->out) != len) {
        st->write_failed = 1;
        st->write_errno = errno;
        return 0; /* ReadStat sees a short write: READSTAT_ERROR_WRITE */
    }
    return (ssize_t)len;
}

/* A copy of s cut to whole characters within the limits, kept until the file is written
 * (ReadStat keeps pointers to some labels). Sets *cut when it had to cut. */
static const char *cut_copy(exp_stat *st, const char *s, size_t max_bytes, size_t max_chars,
                            int *cut)
{
    size_t len = strlen(s), n = exp_utf8_cut(s, len, max_bytes, max_chars);
    char *p;

    if (cut && n < len)
        *cut = 1;
    if (st->nlabels == st->caplabels) {
        int cap = st->caplabels ? st->caplabels * 2 : 64;
        char **l = realloc(st->labels, (size_t)cap * sizeof(*l));
        if (!l)
            return NULL;
        st->labels = l;
        st->caplabels = cap;
    }
    if (!(p = malloc(n + 1)))
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    st->labels[st->nlabels++] = p;
    return p;
}

static void free_labels(exp_stat *st)
{
    for (int i = 0; i < st->nlabels; i++)
        free(st->labels[i]);
    st->nlabels = 0;
}

static int is_text(const exp_var *v)
{
    return v->type == VT_STR || (v->type == VT_CALC && v->nstr > 0);
}

/* The numeric storage for a dta variable: the smallest Stata type that holds every value. */
static readstat_type_t dta_type(const exp_var *v)
{
    double lo = v->min, hi = v->max;

    if (v->type == VT_DATE) {
        lo += DTA_DATE_SHIFT;
        hi += DTA_DATE_SHIFT;
    }
    if (!v->nnum)
        return READSTAT_TYPE_INT8;
    if (!v->all_int)
        return READSTAT_TYPE_DOUBLE;
    if (lo >= -127 && hi <= 100)
        return READSTAT_TYPE_INT8;
    if (lo >= -32767 && hi <= 32740)
        return READSTAT_TYPE_INT16;
    if (lo >= -2147483647.0 && hi <= 2147483620.0)
        return READSTAT_TYPE_INT32;
    return READSTAT_TYPE_DOUBLE;
}

static const char *type_name(readstat_type_t t)
{
    switch (t) {
    case READSTAT_TYPE_INT8:
        return "int8";
    case READSTAT_TYPE_INT16:
        return "int16";
    case READSTAT_TYPE_INT32:
        return "int32";
    default:
        return "double";
    }
}

typedef struct labelset {
    const form_list *list; /* NULL: the 0/1 set */
    readstat_label_set_t *rs;
} labelset;

/* The value labels of list (or the 0/1 labels when list is NULL), made once per file. */
static readstat_label_set_t *label_set(exp_ctx *x, readstat_writer_t *w, labelset *sets, int *nsets,
                                       const form_list *list)
{
    exp_stat *st = x->stat;
    int dta = x->o->format == EXP_DTA;
    size_t max = dta ? DTA_VALLABEL_BYTES : SAV_VALLABEL_BYTES;

    for (int i = 0; i < *nsets; i++)
        if (sets[i].list == list)
            return sets[i].rs;
    readstat_label_set_t *rs;
    if (list) {
        if (!(rs = readstat_add_label_set(w, READSTAT_TYPE_DOUBLE, list->name)))
            return NULL;
        for (int i = 0; i < list->nchoices; i++) {
            const form_choice *c = &list->choices[i];
            /* Stata keeps labels for whole numbers of 32 bits; a code beyond has none. */
            if (dta && (c->code < -2147483647LL || c->code > 2147483620LL))
                continue;
            const char *lab = cut_copy(st, c->label[x->lang], max, 0, NULL);
            if (!lab)
                return NULL;
            readstat_label_double_value(rs, (double)c->code, lab);
        }
    } else {
        /* a name no form list has */
        char name[FORM_NAME_MAX + 1] = "yesno01";
        size_t n = strlen(name);
        for (int again = 1; again && n < FORM_NAME_MAX;) {
            again = 0;
            for (int i = 0; i < form_nlists(x->f) && !again; i++)
                if (!strcmp(form_list_at(x->f, i)->name, name)) {
                    name[n++] = '_';
                    name[n] = '\0';
                    again = 1;
                }
        }
        if (!(rs = readstat_add_label_set(w, READSTAT_TYPE_DOUBLE, name)))
            return NULL;
        readstat_label_double_value(rs, 0, exp_yesno(x, 0));
        readstat_label_double_value(rs, 1, exp_yesno(x, 1));
    }
    sets[*nsets].list = list;
    sets[*nsets].rs = rs;
    ++*nsets;
    return rs;
}

/* Defines the variables of level l on w; vars[i] receives ReadStat's variable. */
static int define(exp_ctx *x, readstat_writer_t *w, exp_level *lv, readstat_variable_t **vars,
                  dt_err *err)
{
    exp_stat *st = x->stat;
    int dta = x->o->format == EXP_DTA, nsets = 0;
    labelset *sets = calloc((size_t)lv->nvars + 1, sizeof(*sets));

    if (!sets)
        return err_set(err, DT_ENOMEM, "out of memory");
    for (int i = 0; i < lv->nvars; i++) {
        exp_var *v = &lv->vars[i];
        readstat_variable_t *rv;
        int cut = 0;
        const char *lab = dta ? cut_copy(st, v->label, DTA_VARLABEL_BYTES, DTA_VARLABEL_CHARS, &cut)
                              : cut_copy(st, v->label, SAV_VARLABEL_BYTES, 0, &cut);
        if (!lab)
            goto nomem;
        if (cut && v->type == VT_BIN) {
            /* "question: choice" cut would lose the choice, the part that tells the 0/1
             * variables apart: the choice goes first. */
            const form_question *fq = form_q(x->f, v->q);
            const form_choice *ch = form_choice_find(fq->list, v->code);
            char alt[1024];
            snprintf(alt, sizeof(alt), "%s | %s", ch->label[x->lang], fq->label[x->lang]);
            lab = dta ? cut_copy(st, alt, DTA_VARLABEL_BYTES, DTA_VARLABEL_CHARS, NULL)
                      : cut_copy(st, alt, SAV_VARLABEL_BYTES, 0, NULL);
            if (!lab)
                goto nomem;
        }
        v->label_cut = cut;
        if (is_text(v)) {
            size_t width = v->max_len ? v->max_len : 1, max = dta ? DTA_STR_MAX : SAV_STR_MAX;
            if (width > max)
                width = max;
            v->width = width;
            if (!(rv = readstat_add_variable(w, v->name, READSTAT_TYPE_STRING, width)))
                goto nomem;
            snprintf(v->storage, sizeof(v->storage), "%s%zu", dta ? "str" : "A", width);
            readstat_variable_set_measure(rv, READSTAT_MEASURE_NOMINAL);
        } else {
            readstat_type_t t = dta ? dta_type(v) : READSTAT_TYPE_DOUBLE;
            if (!(rv = readstat_add_variable(w, v->name, t, 0)))
                goto nomem;
            snprintf(v->storage, sizeof(v->storage), "%s", type_name(t));
            if (v->type == VT_DATE) {
                readstat_variable_set_format(rv, dta ? "%td" : "DATE11");
            } else if (!dta && v->all_int) {
                /* SPSS shows F8.2 by default: whole numbers get no decimals */
                double m = fmax(fabs(v->min), fabs(v->max));
                int digits = m >= 1 ? (int)floor(log10(m)) + 1 : 1;
                char fmt[16];
                snprintf(fmt, sizeof(fmt), "F%d.0", digits + 1 > 8 ? digits + 1 : 8);
                readstat_variable_set_format(rv, fmt);
            }
            readstat_variable_set_measure(rv, v->type == VT_CODE || v->type == VT_BIN
                                                  ? READSTAT_MEASURE_NOMINAL
                                                  : READSTAT_MEASURE_SCALE);
            if (v->type == VT_CODE || v->type == VT_BIN) {
                readstat_label_set_t *rs =
                    label_set(x, w, sets, &nsets, v->type == VT_CODE ? v->list : NULL);
                if (!rs)
                    goto nomem;
                readstat_variable_set_label_set(rv, rs);
            }
        }
        readstat_variable_set_label(rv, lab);
        vars[i] = rv;
    }
    free(sets);
    return DT_OK;
nomem:
    free(sets);
    return err_set(err, DT_ENOMEM, "out of memory");
}

static int rs_fail(exp_ctx *x, const char *file, readstat_error_t e, const char *what, dt_err *err)
{
    exp_stat *st = x->stat;

    if (st->write_failed)
        return err_set(err, DT_EIO, "%s: write error: %s", file, strerror(st->write_errno));
    return err_set(err, DT_EIO, "%s: %s%s%s", file, what ? what : "", what ? ": " : "",
                   readstat_error_message(e));
}

static readstat_error_t insert(exp_ctx *x, readstat_writer_t *w, exp_var *v,
                               readstat_variable_t *rv, exp_cell_kind kind, double d, size_t len)
{
    exp_stat *st = x->stat;
    int dta = x->o->format == EXP_DTA;

    if (kind == CELL_MISSING)
        return readstat_insert_missing_value(w, rv);
    if (readstat_variable_get_type(rv) == READSTAT_TYPE_STRING) {
        char num[EXP_NUM_TEXT];
        const char *s = st->sbuf;
        if (kind == CELL_NUM) { /* a calculate that is text elsewhere */
            s = exp_num_text(d, num, sizeof(num));
            len = strlen(s);
        }
        size_t width = readstat_variable_get_storage_width(rv);
        size_t n = exp_utf8_cut(s, len, width, 0);
        if (n < len) {
            if (s == num)
                num[n] = '\0';
            else
                st->sbuf[n] = '\0';
            v->ncut++;
            x->sum->strings_cut++;
        }
        return readstat_insert_string_value(w, rv, s);
    }
    if (kind != CELL_NUM) /* text in a numeric variable cannot happen: be safe */
        return readstat_insert_missing_value(w, rv);
    if (v->type == VT_DATE)
        d = dta ? d + DTA_DATE_SHIFT : (d + SAV_DATE_SHIFT) * 86400.0;
    switch (readstat_variable_get_type(rv)) {
    case READSTAT_TYPE_INT8:
        return readstat_insert_int8_value(w, rv, (int8_t)d);
    case READSTAT_TYPE_INT16:
        return readstat_insert_int16_value(w, rv, (int16_t)d);
    case READSTAT_TYPE_INT32:
        return readstat_insert_int32_value(w, rv, (int32_t)d);
    default:
        return readstat_insert_double_value(w, rv, d);
    }
}

static int write_level(exp_ctx *x, int l, dt_err *err)
{
    exp_stat *st = x->stat;
    exp_level *lv = &x->levels[l];
    FILE *spool = st->spool[l];
    const char *ext = ext_of(x);
    int dta = x->o->format == EXP_DTA, rc = DT_OK;
    readstat_variable_t **vars = NULL;
    readstat_writer_t *w = NULL;
    readstat_error_t e;
    char file[96], title[256];

    snprintf(file, sizeof(file), "%s.%s", lv->name, ext);
    if (fflush(spool) != 0 || fseek(spool, 0, SEEK_SET) != 0)
        return spool_fail(err, "rewinding");
    if ((rc = exp_open(&st->out, x, lv->name, ext, err)))
        return rc;
    st->write_failed = 0;
    if (!(w = readstat_writer_init()) || !(vars = calloc((size_t)lv->nvars, sizeof(*vars)))) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    readstat_set_data_writer(w, write_bytes);
    snprintf(title, sizeof(title), "%s: %s", lv->name, form_title(x->f, x->lang));
    const char *label = cut_copy(st, title, FILELABEL_BYTES, 0, NULL);
    if (!label) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    readstat_writer_set_file_label(w, label);
    if (dta)
        readstat_writer_set_file_format_version(w, 118);
    else
        readstat_writer_set_compression(w, READSTAT_COMPRESS_ROWS);
    if ((rc = define(x, w, lv, vars, err)))
        goto cleanup;
    e = dta ? readstat_begin_writing_dta(w, st, lv->rows)
            : readstat_begin_writing_sav(w, st, lv->rows);
    if (e != READSTAT_OK) {
        rc = rs_fail(x, file, e, NULL, err);
        goto cleanup;
    }
    if ((e = readstat_validate_metadata(w)) != READSTAT_OK) {
        rc = rs_fail(x, file, e, NULL, err);
        goto cleanup;
    }
    for (int i = 0; i < lv->nvars; i++)
        if ((e = readstat_validate_variable(w, vars[i])) != READSTAT_OK) {
            rc = rs_fail(x, file, e, lv->vars[i].name, err);
            goto cleanup;
        }
    for (long long r = 0; r < lv->rows; r++) {
        if ((e = readstat_begin_row(w)) != READSTAT_OK) {
            rc = rs_fail(x, file, e, NULL, err);
            goto cleanup;
        }
        for (int i = 0; i < lv->nvars; i++) {
            exp_cell_kind kind = CELL_MISSING;
            double d = 0;
            size_t len = 0;
            if ((rc = spool_read(st, spool, &kind, &d, &len, err)))
                goto cleanup;
            if ((e = insert(x, w, &lv->vars[i], vars[i], kind, d, len)) != READSTAT_OK) {
                rc = rs_fail(x, file, e, lv->vars[i].name, err);
                goto cleanup;
            }
        }
        if ((e = readstat_end_row(w)) != READSTAT_OK) {
            rc = rs_fail(x, file, e, NULL, err);
            goto cleanup;
        }
        if ((r + 1) % 4096 == 0)
            exp_progress(x, file, r + 1, lv->rows);
    }
    if ((e = readstat_end_writing(w)) != READSTAT_OK) {
        rc = rs_fail(x, file, e, NULL, err);
        goto cleanup;
    }
    exp_progress(x, file, lv->rows, lv->rows);
    readstat_writer_free(w);
    w = NULL;
    FILE *out = st->out;
    st->out = NULL;
    rc = exp_commit(x, out, lv->name, ext, lv->rows, err);
cleanup:
    readstat_writer_free(w);
    free(vars);
    free_labels(st);
    if (st->out) {
        fclose(st->out);
        st->out = NULL;
        exp_discard(x, lv->name, ext);
    }
    return rc;
}

static int stat_finish(exp_ctx *x, dt_err *err)
{
    int rc;

    for (int l = 0; l < x->nlevels; l++)
        if ((rc = write_level(x, l, err)))
            return rc;
    return DT_OK;
}

static void stat_free(exp_ctx *x)
{
    exp_stat *st = x->stat;

    if (!st)
        return;
    for (int l = 0; st->spool && l < x->nlevels; l++)
        if (st->spool[l])
            fclose(st->spool[l]);
    free(st->spool);
    free_labels(st);
    free(st->labels);
    free(st->sbuf);
    free(st);
    x->stat = NULL;
}

const exp_writer exp_writer_dta = {
    .name = "dta",
    .ext = "dta",
    .begin = stat_begin,
    .row = stat_row,
    .take = stat_take,
    .finish = stat_finish,
    .free = stat_free,
};

const exp_writer exp_writer_sav = {
    .name = "sav",
    .ext = "sav",
    .begin = stat_begin,
    .row = stat_row,
    .take = stat_take,
    .finish = stat_finish,
    .free = stat_free,
};
