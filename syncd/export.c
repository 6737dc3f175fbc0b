/* export.c - statisticians' exports: the layout of each file (names, labels, types), one
 * pass over a snapshot of the cases through the form engine, the codebook */
#include "export_int.h"
#include "cmdline.h"
#include "csv.h"
#include "expr.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROGRESS_EVERY 256 /* cases between progress reports */

static const char *const format_names[] = {"csv", "dta", "sav", "json"};
static const char *const format_ext[] = {"csv", "dta", "sav", "jsonl"};

int exp_format_parse(const char *name)
{
    for (int i = 0; i < (int)(sizeof(format_names) / sizeof(format_names[0])); i++)
        if (!strcmp(name, format_names[i]))
            return i;
    return -1;
}

const char *exp_format_name(exp_format f)
{
    return format_names[f];
}

/* ---- small helpers shared by the writers */

int exp_path(char *out, size_t size, const exp_ctx *x, const char *name, const char *ext,
             int partial)
{
    int n = snprintf(out, size, "%s/%s.%s%s", x->o->out_dir, name, ext, partial ? ".partial" : "");
    return n < 0 || (size_t)n >= size ? DT_EINVAL : DT_OK;
}

int exp_open(FILE **out, const exp_ctx *x, const char *name, const char *ext, dt_err *err)
{
    char path[4096];

    *out = NULL;
    if (exp_path(path, sizeof(path), x, name, ext, 1))
        return err_set(err, DT_EINVAL, "%s: the folder's name is too long", x->o->out_dir);
    /* Private, like the folder: the files hold what households told us. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(err, DT_EIO, "%s: cannot write: %s", path, strerror(errno));
    if (!(*out = fdopen(fd, "wb"))) {
        close(fd);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    setvbuf(*out, NULL, _IOFBF, 1 << 20);
    return DT_OK;
}

int exp_commit(exp_ctx *x, FILE *f, const char *name, const char *ext, long long rows, dt_err *err)
{
    char path[4096];
    int bad = ferror(f), saved = 0;

    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        bad = 1;
        saved = errno;
    }
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    exp_path(path, sizeof(path), x, name, ext, 0);
    if (bad) {
        exp_discard(x, name, ext);
        return err_set(err, DT_EIO, "%s: could not be written: %s", path,
                       saved ? strerror(saved) : "write error");
    }
    exp_summary *s = x->sum;
    if (s->nfiles == EXP_MAX_FILES) {
        exp_discard(x, name, ext);
        return err_set(err, DT_EINVAL, "the form has too many repeats to export (%d files at most)",
                       EXP_MAX_FILES - 1);
    }
    snprintf(s->files[s->nfiles].name, sizeof(s->files[0].name), "%s.%s", name, ext);
    s->files[s->nfiles].rows = rows;
    s->nfiles++;
    return DT_OK;
}

/* Every file is complete: each takes its final name. Or something failed: none does. */
static int publish(exp_ctx *x, int ok, dt_err *err)
{
    int rc = DT_OK;

    for (int i = 0; i < x->sum->nfiles; i++) {
        char tmp[4096], path[4096];
        snprintf(tmp, sizeof(tmp), "%s/%s.partial", x->o->out_dir, x->sum->files[i].name);
        snprintf(path, sizeof(path), "%s/%s", x->o->out_dir, x->sum->files[i].name);
        if (ok && !rc && rename(tmp, path) != 0)
            rc = err_set(err, DT_EIO, "%s: cannot rename: %s", path, strerror(errno));
        else if (!ok || rc)
            unlink(tmp);
    }
    if (!ok || rc)
        x->sum->nfiles = 0;
    return rc;
}

void exp_discard(const exp_ctx *x, const char *name, const char *ext)
{
    char tmp[4096];

    if (exp_path(tmp, sizeof(tmp), x, name, ext, 1) == DT_OK)
        unlink(tmp);
}

int exp_write(FILE *f, const void *p, size_t n, const char *what, dt_err *err)
{
    if (n && fwrite(p, 1, n, f) != n)
        return err_set(err, DT_EIO, "%s: write error: %s", what, strerror(errno));
    return DT_OK;
}

void exp_progress(const exp_ctx *x, const char *phase, long long done, long long total)
{
    if (x->o->progress)
        x->o->progress(x->o->progress_ctx, phase, done, total);
}

const char *exp_num_text(double d, char *out, size_t size)
{
    expr_format_number(d, out, size);
    return out;
}

size_t exp_utf8_cut(const char *s, size_t len, size_t max_bytes, size_t max_chars)
{
    size_t i = 0, chars = 0;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (i + n > len || i + n > max_bytes || (max_chars && chars == max_chars))
            break;
        i += n;
        chars++;
    }
    return i;
}

/* Our own texts, in Vietnamese and English (any other form language gets English). */
enum {
    T_CASE_ID,
    T_STATUS,
    T_OUTCOME,
    T_ENUMERATOR,
    T_FORM_VERSION,
    T_WEIGHT,
    T_STRATUM,
    T_PSU,
    T_POSITION,
    T_NO,
    T_YES,
    T_LAT,
    T_LON,
    T_ALT,
    T_ACC,
    T_NTEXTS
};
static const char *const texts[T_NTEXTS][2] = {
    [T_CASE_ID] = {"Mã hồ sơ (UUID)", "Case ID (UUID)"},
    [T_STATUS] = {"Trạng thái duyệt (finalized, approved, rejected)",
                  "Review status (finalized, approved, rejected)"},
    [T_OUTCOME] = {"Kết quả phỏng vấn (complete, refusal)",
                   "Interview outcome (complete, refusal)"},
    [T_ENUMERATOR] = {"Điều tra viên", "Enumerator"},
    [T_FORM_VERSION] = {"Phiên bản phiếu hỏi", "Questionnaire version"},
    [T_WEIGHT] = {"Quyền số mẫu", "Sampling weight"},
    [T_STRATUM] = {"Tầng mẫu", "Stratum"},
    [T_PSU] = {"Đơn vị mẫu cấp 1 (PSU)", "Primary sampling unit (PSU)"},
    [T_POSITION] = {"Số thứ tự trong danh sách", "Position in the list"},
    [T_NO] = {"Không", "No"},
    [T_YES] = {"Có", "Yes"},
    [T_LAT] = {"vĩ độ", "latitude"},
    [T_LON] = {"kinh độ", "longitude"},
    [T_ALT] = {"độ cao", "altitude"},
    [T_ACC] = {"độ chính xác", "accuracy"},
};

static const char *text(const exp_ctx *x, int t)
{
    return texts[t][x->meta_en];
}

const char *exp_yesno(const exp_ctx *x, int yes)
{
    return text(x, yes ? T_YES : T_NO);
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !(p = malloc((size_t)n + 1)))
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

/* ---- names: valid in Stata and SPSS, at most 32 bytes, unique in a file ignoring case */

/* Stata's reserved names, and SPSS's reserved keywords (SPSS ignores case: so do we). */
static const char *const reserved[] = {
    "_all", "_b",  "byte",  "_coef", "_cons", "double", "float", "if",   "in",  "int", "long",
    "_n",   "_pi", "_pred", "_rc",   "_skip", "strl",   "using", "with", "all", "and", "by",
    "eq",   "ge",  "gt",    "le",    "lt",    "ne",     "not",   "or",   "to",  NULL,
};

static int is_reserved(const char *name)
{
    for (int i = 0; reserved[i]; i++)
        if (!strcasecmp(name, reserved[i]))
            return 1;
    /* Stata: str1 ... str2045 name storage types */
    if (!strncasecmp(name, "str", 3) && name[3]) {
        const char *p = name + 3;
        while (isdigit((unsigned char)*p))
            p++;
        if (!*p)
            return 1;
    }
    return 0;
}

static int name_taken(const exp_level *lv, const char *name)
{
    for (int i = 0; i < lv->nvars; i++)
        if (!strcasecmp(lv->vars[i].name, name))
            return 1;
    return 0;
}

/* Gives v a name made of base and suffix ("m_epay" "_1"), changed only where it must be,
 * and says why in v->note. */
static int name_var(const exp_level *lv, exp_var *v, const char *base, const char *suffix)
{
    /* Sized so that no snprintf here can truncate: the logic below keeps names within
     * FORM_NAME_MAX, which the compiler cannot see. */
    char want[320], b[256], cand[340];
    const char *why = NULL;
    size_t slen = strlen(suffix);

    snprintf(want, sizeof(want), "%s%s", base, suffix);
    snprintf(b, sizeof(b), "%s", base);
    if (!isalpha((unsigned char)want[0])) {
        snprintf(b, sizeof(b), "q_%s", base);
        why = "SPSS names start with a letter";
    } else if (is_reserved(want)) {
        snprintf(b, sizeof(b), "q_%s", base);
        why = "a reserved word in Stata or SPSS";
    }
    if (strlen(b) + slen > FORM_NAME_MAX) {
        b[FORM_NAME_MAX - slen] = '\0';
        if (!why)
            why = "shortened: Stata and SPSS names have at most 32 characters";
    }
    snprintf(cand, sizeof(cand), "%s%s", b, suffix);
    for (int k = 2; name_taken(lv, cand); k++) {
        char tail[16];
        int tl = snprintf(tail, sizeof(tail), "_%d", k);
        char full[320];
        snprintf(full, sizeof(full), "%s%s", b, suffix);
        if (strlen(full) + (size_t)tl > FORM_NAME_MAX)
            full[FORM_NAME_MAX - tl] = '\0';
        snprintf(cand, sizeof(cand), "%s%s", full, tail);
        why = "the name was already taken in this file";
    }
    memcpy(v->name, cand, strlen(cand) + 1);
    if (why && strcmp(cand, want) != 0 &&
        !(v->note = xprintf("named %s instead of %s: %s", cand, want, why)))
        return DT_ENOMEM;
    return DT_OK;
}

/* ---- the layout */

static int add_var(exp_level *lv, exp_src src, exp_vtype type, int q, const char *base,
                   const char *suffix, char *label)
{
    exp_var *v = &lv->vars[lv->nvars];

    memset(v, 0, sizeof(*v));
    v->src = src;
    v->type = type;
    v->q = q;
    v->all_int = 1;
    v->label = label;
    if (!label || name_var(lv, v, base, suffix)) {
        free(label);
        free(v->note);
        v->label = v->note = NULL;
        return DT_ENOMEM;
    }
    lv->nvars++;
    return DT_OK;
}

static int add_meta(exp_ctx *x, exp_level *lv, exp_src src, exp_vtype type, const char *name, int t)
{
    return add_var(lv, src, type, -1, name, "", xstrdup(text(x, t)));
}

static const char *qlabel(const exp_ctx *x, const form_question *fq)
{
    return fq->label ? fq->label[x->lang] : fq->name;
}

static int add_question(exp_ctx *x, exp_level *lv, int q)
{
    const form_question *fq = form_q(x->f, q);
    const char *lab = qlabel(x, fq);
    int rc;

    switch (fq->type) {
    case Q_INTEGER:
        return add_var(lv, SRC_ANSWER, VT_INT, q, fq->name, "", xstrdup(lab));
    case Q_DECIMAL:
        return add_var(lv, SRC_ANSWER, VT_NUM, q, fq->name, "", xstrdup(lab));
    case Q_TEXT:
        return add_var(lv, SRC_ANSWER, VT_STR, q, fq->name, "", xstrdup(lab));
    case Q_DATE:
        return add_var(lv, SRC_ANSWER, VT_DATE, q, fq->name, "", xstrdup(lab));
    case Q_SELECT_ONE:
        if ((rc = add_var(lv, SRC_ANSWER, VT_CODE, q, fq->name, "", xstrdup(lab))))
            return rc;
        lv->vars[lv->nvars - 1].list = fq->list;
        return DT_OK;
    case Q_CALCULATE:
        return add_var(lv, SRC_ANSWER, VT_CALC, q, fq->name, "",
                       xprintf("= %s", expr_text(fq->calculation)));
    case Q_SELECT_MULTIPLE:
        for (int i = 0; i < fq->list->nchoices; i++) {
            const form_choice *c = &fq->list->choices[i];
            char suffix[32];
            /* A name cannot hold '-': code -1 becomes _m1. */
            if (c->code < 0)
                snprintf(suffix, sizeof(suffix), "_m%lld", -c->code);
            else
                snprintf(suffix, sizeof(suffix), "_%lld", c->code);
            if ((rc = add_var(lv, SRC_CHOICE, VT_BIN, q, fq->name, suffix,
                              xprintf("%s: %s", lab, c->label[x->lang]))))
                return rc;
            lv->vars[lv->nvars - 1].code = c->code;
        }
        return DT_OK;
    case Q_GEOPOINT: {
        static const char *const sfx[] = {"_lat", "_lon", "_alt", "_acc"};
        for (int i = 0; i < 4; i++) {
            if ((rc = add_var(lv, SRC_GEO, VT_NUM, q, fq->name, sfx[i],
                              xprintf("%s (%s)", lab, text(x, T_LAT + i)))))
                return rc;
            lv->vars[lv->nvars - 1].part = i;
        }
        return DT_OK;
    }
    default:
        return DT_OK; /* notes, groups, repeats: no column */
    }
}

/* How many columns question q makes. */
static int width_of(const form_question *fq)
{
    switch (fq->type) {
    case Q_SELECT_MULTIPLE:
        return fq->list->nchoices;
    case Q_GEOPOINT:
        return 4;
    case Q_NOTE:
    case Q_GROUP:
    case Q_REPEAT:
        return 0;
    default:
        return 1;
    }
}

static int level_of(const exp_ctx *x, int repeat)
{
    for (int i = 0; i < x->nlevels; i++)
        if (x->levels[i].repeat == repeat)
            return i;
    return -1;
}

static int build_layout(exp_ctx *x)
{
    int nq = form_nquestions(x->f), rc, widest = 0;

    x->levels = calloc((size_t)nq + 1, sizeof(*x->levels));
    if (!x->levels)
        return DT_ENOMEM;
    /* households, then one file per repeat (forms have one level of repeats) */
    x->levels[0].repeat = -1;
    snprintf(x->levels[0].name, sizeof(x->levels[0].name), "households");
    x->nlevels = 1;
    for (int q = 0; q < nq; q++) {
        const form_question *fq = form_q(x->f, q);
        if (fq->type != Q_REPEAT)
            continue;
        exp_level *lv = &x->levels[x->nlevels++];
        lv->repeat = q;
        snprintf(lv->name, sizeof(lv->name), "%s", fq->name);
        for (int i = 0; i < x->nlevels - 1; i++)
            if (!strcasecmp(x->levels[i].name, lv->name) || !strcasecmp(lv->name, "codebook")) {
                snprintf(lv->name, sizeof(lv->name), "r_%s", fq->name);
                break;
            }
    }
    for (int i = 0; i < x->nlevels; i++) {
        exp_level *lv = &x->levels[i];
        int n = i == 0 ? 8 : 2;
        for (int q = 0; q < nq; q++) {
            const form_question *fq = form_q(x->f, q);
            if (fq->repeat == lv->repeat)
                n += width_of(fq);
        }
        if (!(lv->vars = calloc((size_t)n, sizeof(*lv->vars))))
            return DT_ENOMEM;
        if (n > widest)
            widest = n;
        if ((rc = add_meta(x, lv, SRC_CASE_ID, VT_STR, "case_id", T_CASE_ID)))
            return rc;
        if (i == 0) {
            if ((rc = add_meta(x, lv, SRC_STATUS, VT_STR, "status", T_STATUS)) ||
                (rc = add_meta(x, lv, SRC_OUTCOME, VT_STR, "outcome", T_OUTCOME)) ||
                (rc = add_meta(x, lv, SRC_ENUMERATOR, VT_STR, "enumerator", T_ENUMERATOR)) ||
                (rc = add_meta(x, lv, SRC_FORM_VERSION, VT_INT, "form_version", T_FORM_VERSION)) ||
                (rc = add_meta(x, lv, SRC_WEIGHT, VT_NUM, "weight", T_WEIGHT)) ||
                (rc = add_meta(x, lv, SRC_STRATUM, VT_STR, "stratum", T_STRATUM)) ||
                (rc = add_meta(x, lv, SRC_PSU, VT_STR, "psu", T_PSU)))
                return rc;
        } else {
            /* The instance's number: "member" for a roster called members. */
            const char *rn = form_q(x->f, lv->repeat)->name;
            char pos[FORM_NAME_MAX + 8];
            size_t len = strlen(rn);
            if (len > 1 && rn[len - 1] == 's')
                snprintf(pos, sizeof(pos), "%.*s", (int)(len - 1), rn);
            else
                snprintf(pos, sizeof(pos), "%s_no", rn);
            if ((rc = add_var(
                     lv, SRC_POSITION, VT_INT, -1, pos, "",
                     xprintf("%s (%s)", text(x, T_POSITION), qlabel(x, form_q(x->f, lv->repeat))))))
                return rc;
        }
    }
    for (int q = 0; q < nq; q++) {
        const form_question *fq = form_q(x->f, q);
        if (fq->type == Q_REPEAT)
            continue;
        int l = level_of(x, fq->repeat);
        if (l >= 0 && (rc = add_question(x, &x->levels[l], q)))
            return rc;
    }
    x->widest = widest;
    return DT_OK;
}

static void free_layout(exp_ctx *x)
{
    for (int i = 0; i < x->nlevels; i++) {
        for (int k = 0; k < x->levels[i].nvars; k++) {
            free(x->levels[i].vars[k].label);
            free(x->levels[i].vars[k].note);
        }
        free(x->levels[i].vars);
    }
    free(x->levels);
    while (x->vmaps) {
        exp_vmap *n = x->vmaps->next;
        free(x->vmaps->q);
        free(x->vmaps);
        x->vmaps = n;
    }
}

/* ---- form versions: a case is read with its own version, its answers found by name */

static int vmap_get(exp_ctx *x, const char *form_id, int version, exp_vmap **out, dt_err *err)
{
    exp_vmap *m;
    int nq = form_nquestions(x->f), rc;

    for (m = x->vmaps; m; m = m->next)
        if (m->version == version) {
            *out = m;
            return DT_OK;
        }
    if (!(m = calloc(1, sizeof(*m))) || !(m->q = calloc((size_t)nq, sizeof(int)))) {
        free(m);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    m->version = version;
    if (version == form_version(x->f)) {
        m->f = x->f;
    } else if ((rc = store_form_get(x->s, form_id, version, &m->f, err))) {
        free(m->q);
        free(m);
        return rc;
    }
    for (int q = 0; q < nq; q++) {
        const form_question *a = form_q(x->f, q);
        int j = m->f == x->f ? q : form_find(m->f, a->name);
        const form_question *b = j >= 0 ? form_q(m->f, j) : NULL;
        int same_level =
            b && ((a->repeat < 0 && b->repeat < 0) ||
                  (a->repeat >= 0 && b->repeat >= 0 &&
                   !strcmp(form_q(x->f, a->repeat)->name, form_q(m->f, b->repeat)->name)));
        m->q[q] = b && b->type == a->type && same_level ? j : -1;
    }
    m->next = x->vmaps;
    x->vmaps = m;
    *out = m;
    return DT_OK;
}

/* ---- one row's values */

static int has_code(const char *codes, long long code)
{
    const char *p = codes;

    while (*p) {
        char *end;
        long long c = strtoll(p, &end, 10);
        if (end == p)
            return 0;
        if (c == code)
            return 1;
        p = end;
        while (*p == ' ')
            p++;
    }
    return 0;
}

static int geo_part(const char *s, int part, double *out)
{
    const char *p = s;

    for (int i = 0; i <= part; i++) {
        char *end;
        double d = strtod(p, &end);
        if (end == p)
            return 0;
        if (i == part) {
            *out = d;
            return 1;
        }
        p = end;
    }
    return 0;
}

static void fill(const exp_level *lv, const exp_vmap *vm, interview *iv, const store_case_row *row,
                 int inst, exp_cell *cells)
{
    static const char *const bin[] = {"0", "1"};

    for (int i = 0; i < lv->nvars; i++) {
        const exp_var *v = &lv->vars[i];
        exp_cell *c = &cells[i];
        memset(c, 0, sizeof(*c));
        switch (v->src) {
        case SRC_CASE_ID:
        case SRC_STATUS:
        case SRC_OUTCOME:
        case SRC_ENUMERATOR:
        case SRC_STRATUM:
        case SRC_PSU: {
            const char *s = v->src == SRC_CASE_ID      ? row->case_id
                            : v->src == SRC_STATUS     ? row->status
                            : v->src == SRC_OUTCOME    ? row->outcome
                            : v->src == SRC_ENUMERATOR ? row->enumerator
                            : v->src == SRC_STRATUM    ? row->stratum
                                                       : row->psu;
            if (s && *s) {
                c->kind = CELL_STR;
                c->str = s;
                c->len = strlen(s);
            }
            break;
        }
        case SRC_FORM_VERSION:
            c->kind = CELL_NUM;
            c->num = row->form_version;
            break;
        case SRC_WEIGHT:
            if (row->has_weight) {
                c->kind = CELL_NUM;
                c->num = row->weight;
            }
            break;
        case SRC_POSITION:
            c->kind = CELL_NUM;
            c->num = inst + 1;
            break;
        case SRC_ANSWER:
        case SRC_CHOICE:
        case SRC_GEO: {
            int q = vm->q[v->q];
            eng_pos at = {q, inst};
            if (q < 0 || !eng_relevant(iv, at))
                break;
            const val *a = eng_get(iv, at);
            if (!a->has || !a->str || (!a->len && v->src == SRC_ANSWER))
                break;
            if (v->src == SRC_CHOICE) {
                int yes = has_code(a->str, v->code);
                c->kind = CELL_NUM;
                c->num = yes;
                c->str = bin[yes];
                c->len = 1;
            } else if (v->src == SRC_GEO) {
                if (geo_part(a->str, v->part, &c->num))
                    c->kind = CELL_NUM;
            } else if (v->type == VT_STR || (v->type == VT_CALC && isnan(a->num))) {
                c->kind = CELL_STR;
                c->str = a->str;
                c->len = a->len;
            } else {
                c->kind = CELL_NUM;
                c->num = a->num;
                c->str = a->str;
                c->len = a->len;
            }
            break;
        }
        }
    }
}

/* ---- one case, in a worker: parse, the engine, a row per level turned into bytes */

/* Today as the interview saw it: the date its head revision was made on the device. */
static int case_today(const store_case_row *row)
{
    int days;

    if (row->created_at && strlen(row->created_at) >= 10 &&
        expr_parse_date(row->created_at, 10, &days))
        return days;
    return 0;
}

static int encode(exp_ctx *x, exp_worker *w, exp_job *j, int level)
{
    const exp_level *lv = &x->levels[level];
    buf *out = &j->out[level];

    j->rows[level]++;
    return x->o->format == EXP_CSV ? exp_csv_row(w, lv, w->cells, out)
                                   : exp_stat_row(lv, w->cells, out);
}

static int one_case(exp_ctx *x, exp_worker *w, exp_job *j, int k, dt_err *err)
{
    const store_case_row *row = &j->row[k];
    const exp_vmap *vm = j->vm[k];
    interview *iv = NULL;
    cJSON *answers = NULL;
    errlist problems = {0};
    int rc = DT_OK;

    if (!(answers = cJSON_Parse(row->answers)))
        return err_set(err, DT_EINVAL, "case %s: its answers are not JSON (run `syncd check`)",
                       row->case_id);
    if (!(iv = eng_new(vm->f, case_today(row), 0))) {
        rc = DT_ENOMEM;
        goto cleanup;
    }
    /* The revision was valid when it was accepted: problems are not the export's business. */
    if ((rc = eng_load_json(iv, answers, &problems)) != DT_ENOMEM)
        rc = DT_OK;
    if (rc)
        goto cleanup;
    if (x->o->format == EXP_JSON) {
        j->rows[0]++;
        rc = exp_json_doc(x, row, iv, &j->out[0]);
        j->end[k] = j->out[0].len;
        goto cleanup;
    }
    fill(&x->levels[0], vm, iv, row, 0, w->cells);
    if ((rc = encode(x, w, j, 0)))
        goto cleanup;
    for (int l = 1; l < x->nlevels && !rc; l++) {
        int r = vm->q[x->levels[l].repeat];
        if (r < 0 || !eng_relevant(iv, (eng_pos){r, 0}))
            continue;
        int n = eng_instances(iv, r);
        for (int i = 0; i < n && !rc; i++) {
            fill(&x->levels[l], vm, iv, row, i, w->cells);
            rc = encode(x, w, j, l);
        }
    }
cleanup:
    if (rc == DT_ENOMEM)
        err_set(err, DT_ENOMEM, "out of memory (or a case too large to export: %s)", row->case_id);
    errlist_free(&problems);
    eng_free(iv);
    cJSON_Delete(answers);
    return rc;
}

static void work(exp_worker *w, exp_job *j)
{
    exp_ctx *x = w->x;

    for (int l = 0; l < x->nlevels; l++) {
        buf_reset(&j->out[l]);
        j->rows[l] = 0;
    }
    j->rc = DT_OK;
    for (int k = 0; k < j->n && !j->rc; k++)
        j->rc = one_case(x, w, j, k, &j->err);
}

/* ---- in the main thread, in case order: the bytes of a batch to the files */

static int consume(exp_ctx *x, exp_job *j, dt_err *err)
{
    int rc = DT_OK;

    if (j->rc) {
        *err = j->err;
        return j->rc;
    }
    for (int k = 0; k < j->n; k++)
        if (j->vm[k]->f != x->f)
            x->sum->other_version++;
    if (x->o->format == EXP_JSON) {
        size_t start = 0;
        for (int k = 0; k < j->n && !rc; k++) {
            rc =
                exp_json_take(x, j->row[k].case_id, j->out[0].data + start, j->end[k] - start, err);
            start = j->end[k];
        }
        x->levels[0].rows += j->rows[0];
    }
    for (int l = 0; x->o->format != EXP_JSON && l < x->nlevels && !rc; l++) {
        x->levels[l].rows += j->rows[l];
        rc = x->o->format == EXP_CSV ? exp_csv_take(x, l, &j->out[l], err)
                                     : exp_stat_take(x, l, &j->out[l], j->rows[l], err);
    }
    long long before = x->sum->cases;
    x->sum->cases += j->n;
    if (!rc && before / PROGRESS_EVERY != x->sum->cases / PROGRESS_EVERY)
        exp_progress(x, "reading", x->sum->cases, -1);
    return rc;
}

/* ---- the pipeline: the main thread reads the snapshot and writes the files; workers turn
 * batches of cases into bytes. A ring of jobs keeps the order and bounds the memory; batches
 * keep the threads from waking each other for every case. */

#define JOBS_PER_WORKER 4
#define MAX_WORKERS     8
#define OUT_MAX         (1u << 30) /* what one batch may give one file */

typedef struct exp_pool {
    pthread_t *tids;
    int started;
    pthread_mutex_t lock; /* next_in, next_work, next_out, stop, abort, job states */
    pthread_cond_t work;  /* a job is ready, or stop */
    pthread_cond_t done;  /* a job is done */
    exp_job *filling;     /* the batch the main thread is filling, or NULL */
} exp_pool;

static void *worker_main(void *arg)
{
    exp_worker *w = arg;
    exp_ctx *x = w->x;
    exp_pool *p = x->pool;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!x->stop && x->next_work == x->next_in)
            pthread_cond_wait(&p->work, &p->lock);
        if (x->next_work == x->next_in)
            break; /* stopped, nothing left */
        exp_job *j = &x->jobs[x->next_work++ % x->njobs];
        int skip = x->abort;
        pthread_mutex_unlock(&p->lock);
        if (!skip)
            work(w, j);
        pthread_mutex_lock(&p->lock);
        j->state = JOB_DONE;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static int pool_start(exp_ctx *x, dt_err *err)
{
    exp_pool *p = calloc(1, sizeof(*p));

    if (!p || !(p->tids = calloc((size_t)x->nthreads, sizeof(*p->tids)))) {
        free(p);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    x->pool = p;
    for (int i = 0; i < x->nthreads; i++) {
        if (pthread_create(&p->tids[i], NULL, worker_main, &x->workers[i]) != 0)
            break;
        p->started++;
    }
    if (!p->started) /* no thread to be had: do the work inline */
        x->nthreads = 0;
    return DT_OK;
}

static void pool_stop(exp_ctx *x, int abort)
{
    exp_pool *p = x->pool;

    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    x->stop = 1;
    x->abort |= abort;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->tids[i], NULL);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    free(p->tids);
    free(p);
    x->pool = NULL;
}

/* Writes the finished jobs in order: waits for them up to job number until, then takes those
 * already done. */
static int drain(exp_ctx *x, long long until, dt_err *err)
{
    exp_pool *p = x->pool;
    int rc = DT_OK;

    pthread_mutex_lock(&p->lock);
    while (x->next_out < x->next_in) {
        exp_job *j = &x->jobs[x->next_out % x->njobs];
        if (j->state != JOB_DONE) {
            if (x->next_out >= until)
                break;
            pthread_cond_wait(&p->done, &p->lock);
            continue;
        }
        pthread_mutex_unlock(&p->lock);
        rc = consume(x, j, err);
        pthread_mutex_lock(&p->lock);
        j->state = JOB_FREE;
        x->next_out++;
        if (rc)
            break;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

/* The texts of a row, in the order copy_row keeps them. */
#define ROW_TEXTS 13
static void row_texts(store_case_row *r, const char **t[ROW_TEXTS])
{
    const char **all[ROW_TEXTS] = {
        &r->case_id,      &r->form_id,       &r->status,   &r->outcome, &r->enumerator,
        &r->commune_code, &r->assignment_id, &r->head_rev, &r->answers, &r->paradata,
        &r->created_at,   &r->stratum,       &r->psu};
    memcpy(t, all, sizeof(all));
}

/* Copies the row's texts into the batch, for a worker to read after the callback returned
 * (offsets now, pointers when the batch is submitted: the text may move as it grows). */
static int copy_row(exp_job *j, const store_case_row *row)
{
    const char **t[ROW_TEXTS];
    int k = j->n;

    j->row[k] = *row; /* paradata only for JSON: store_each_case was told */
    row_texts(&j->row[k], t);
    for (int i = 0; i < ROW_TEXTS; i++) {
        if (!*t[i]) {
            j->off[k][i] = (size_t)-1;
            continue;
        }
        size_t len = strlen(*t[i]) + 1;
        if (j->len + len > j->cap) {
            size_t cap = (j->len + len) * 2;
            char *p = realloc(j->text, cap);
            if (!p)
                return DT_ENOMEM;
            j->text = p;
            j->cap = cap;
        }
        memcpy(j->text + j->len, *t[i], len);
        j->off[k][i] = j->len;
        j->len += len;
    }
    return DT_OK;
}

static int submit(exp_ctx *x, dt_err *err)
{
    exp_pool *p = x->pool;
    exp_job *j = p->filling;

    if (!j)
        return DT_OK;
    for (int k = 0; k < j->n; k++) {
        const char **t[ROW_TEXTS];
        row_texts(&j->row[k], t);
        for (int i = 0; i < ROW_TEXTS; i++)
            *t[i] = j->off[k][i] == (size_t)-1 ? NULL : j->text + j->off[k][i];
    }
    p->filling = NULL;
    pthread_mutex_lock(&p->lock);
    j->state = JOB_READY;
    x->next_in++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    return drain(x, 0, err);
}

static int queue(exp_ctx *x, const store_case_row *row, exp_vmap *vm, dt_err *err)
{
    exp_pool *p = x->pool;
    int rc;

    if (!p->filling) {
        if ((rc = drain(x, x->next_in - x->njobs + 1, err))) /* a free slot */
            return rc;
        p->filling = &x->jobs[x->next_in % x->njobs];
        p->filling->n = 0;
        p->filling->len = 0;
    }
    exp_job *j = p->filling;
    if (copy_row(j, row))
        return err_set(err, DT_ENOMEM, "out of memory");
    j->vm[j->n++] = vm;
    return j->n == EXP_BATCH ? submit(x, err) : DT_OK;
}

static int each_case(void *ctx, const store_case_row *row)
{
    exp_ctx *x = ctx;
    exp_vmap *vm = NULL;
    int rc;

    if ((rc = vmap_get(x, row->form_id, row->form_version, &vm, &x->err)))
        return rc;
    if (x->nthreads)
        return queue(x, row, vm, &x->err);
    exp_job *j = &x->jobs[0]; /* inline: the row stays valid during the callback */
    j->n = 1;
    j->row[0] = *row;
    j->vm[0] = vm;
    work(&x->workers[0], j);
    return consume(x, j, &x->err);
}

static int setup_workers(exp_ctx *x)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int want = x->o->threads > 0 ? x->o->threads : ncpu > 0 ? (int)ncpu : 1;

    x->nthreads = want <= 1 ? 0 : want > MAX_WORKERS ? MAX_WORKERS : want;
    x->njobs = x->nthreads ? JOBS_PER_WORKER * x->nthreads : 1;
    if (!(x->workers = calloc((size_t)x->nthreads + 1, sizeof(*x->workers))) ||
        !(x->jobs = calloc((size_t)x->njobs, sizeof(*x->jobs))))
        return DT_ENOMEM;
    for (int i = 0; i <= x->nthreads; i++) {
        exp_worker *w = &x->workers[i];
        w->x = x;
        if (!(w->cells = calloc((size_t)x->widest, sizeof(*w->cells))) ||
            !(w->fields = calloc((size_t)x->widest, sizeof(*w->fields))) ||
            !(w->num = calloc((size_t)x->widest, sizeof(*w->num))))
            return DT_ENOMEM;
    }
    for (int i = 0; i < x->njobs; i++) {
        exp_job *j = &x->jobs[i];
        if (!(j->out = calloc((size_t)x->nlevels, sizeof(*j->out))) ||
            !(j->rows = calloc((size_t)x->nlevels, sizeof(*j->rows))))
            return DT_ENOMEM;
        for (int l = 0; l < x->nlevels; l++)
            buf_init(&j->out[l], OUT_MAX);
    }
    return DT_OK;
}

static void free_workers(exp_ctx *x)
{
    for (int i = 0; x->workers && i <= x->nthreads; i++) {
        free(x->workers[i].cells);
        free(x->workers[i].fields);
        free(x->workers[i].num);
    }
    free(x->workers);
    for (int i = 0; x->jobs && i < x->njobs; i++) {
        for (int l = 0; x->jobs[i].out && l < x->nlevels; l++)
            buf_free(&x->jobs[i].out[l]);
        free(x->jobs[i].out);
        free(x->jobs[i].rows);
        free(x->jobs[i].text);
    }
    free(x->jobs);
}

/* ---- the codebook */

static const char *type_text(const exp_ctx *x, const exp_var *v, char *out, size_t size)
{
    const form_question *fq = v->q >= 0 ? form_q(x->f, v->q) : NULL;

    switch (v->type) {
    case VT_STR:
        return "text";
    case VT_INT:
        return "integer";
    case VT_NUM:
        return v->src == SRC_GEO ? "number (geopoint)" : "number";
    case VT_CODE:
        snprintf(out, size, "select_one %s", fq->list->name);
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
    const char *ext = format_ext[x->o->format];
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
            rc = value_labels(x, v, &vl);
            if (!rc && v->note)
                rc = buf_puts(&note, v->note);
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
        if (fq->repeat >= 0)
            snprintf(path, sizeof(path), "answers.%s[].%s", form_q(x->f, fq->repeat)->name,
                     fq->name);
        else
            snprintf(path, sizeof(path), "answers.%s%s", fq->name,
                     fq->type == Q_REPEAT ? "[]" : "");
        if (fq->list)
            snprintf(tbuf, sizeof(tbuf), "%s %s%s", form_type_name(fq->type), fq->list->name,
                     fq->type == Q_SELECT_MULTIPLE ? " (array of codes)" : "");
        else
            snprintf(tbuf, sizeof(tbuf), "%s%s", form_type_name(fq->type),
                     fq->type == Q_DATE       ? " (YYYY-MM-DD)"
                     : fq->type == Q_GEOPOINT ? " ([lat, lon, alt, acc])"
                                              : "");
        buf_init(&vl, 1 << 20);
        v.type = fq->list ? VT_CODE : VT_STR;
        char *lab = fq->type == Q_CALCULATE ? xprintf("= %s", expr_text(fq->calculation)) : NULL;
        rc = value_labels(x, &v, &vl);
        const char *fields[8] = {
            "households.jsonl", path, lab ? lab : qlabel(x, fq), tbuf, "", vl.data ? vl.data : "",
            fq->name,           ""};
        rc = rc ? err_set(err, DT_ENOMEM, "out of memory") : codebook_row(f, line, fields, err);
        free(lab);
        buf_free(&vl);
        ++*rows;
    }
    return rc;
}

static int write_codebook(exp_ctx *x, dt_err *err)
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

/* ---- the whole export */

int exp_run(store *s, const exp_options *o, exp_summary *out, dt_err *err)
{
    exp_ctx x;
    char dir[4096];
    int rc, begun = 0;

    memset(out, 0, sizeof(*out));
    memset(&x, 0, sizeof(x));
    x.s = s;
    x.o = o;
    x.sum = out;
    if (o->history && o->format != EXP_JSON)
        return err_set(err, DT_EINVAL, "--history is for --format json");
    if (o->history && !o->db_path)
        return err_set(err, DT_EINVAL, "the history needs the store's path");
    if (o->status && strcmp(o->status, "approved") != 0)
        return err_set(err, DT_EINVAL, "status '%s': use approved, or all", o->status);
    if ((rc = store_form_latest(s, o->form_id, &x.f, err)))
        return rc;
    x.lang = o->lang ? form_lang_index(x.f, o->lang) : 0;
    if (x.lang < 0) {
        char langs[128] = "";
        for (int i = 0; i < form_nlangs(x.f); i++)
            snprintf(langs + strlen(langs), sizeof(langs) - strlen(langs), "%s%s", i ? ", " : "",
                     form_lang(x.f, i));
        return err_set(err, DT_EINVAL, "form %s has no language '%s' (it has %s)", form_id(x.f),
                       o->lang, langs);
    }
    x.meta_en = strcmp(form_lang(x.f, x.lang), "vi") != 0;
    snprintf(out->form_id, sizeof(out->form_id), "%s", form_id(x.f));
    out->form_version = form_version(x.f);
    if (snprintf(dir, sizeof(dir), "%s", o->out_dir) >= (int)sizeof(dir))
        return err_set(err, DT_EINVAL, "%s: the folder's name is too long", o->out_dir);
    if ((rc = cmdline_mkdirs(dir, err)))
        return rc;
    if ((rc = build_layout(&x)) || (rc = setup_workers(&x))) {
        err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (x.nlevels + 1 > EXP_MAX_FILES) {
        rc = err_set(err, DT_EINVAL, "form %s has %d repeats: an export makes %d files at most",
                     form_id(x.f), x.nlevels - 1, EXP_MAX_FILES);
        goto cleanup;
    }
    begun = 1;
    switch (o->format) {
    case EXP_CSV:
        rc = exp_csv_begin(&x, err);
        break;
    case EXP_DTA:
    case EXP_SAV:
        rc = exp_stat_begin(&x, err);
        break;
    case EXP_JSON:
        rc = exp_json_begin(&x, err);
        break;
    }
    if (rc || (x.nthreads && (rc = pool_start(&x, err))))
        goto cleanup;
    err_clear(&x.err);
    rc = store_each_case(s, form_id(x.f), o->status,
                         o->format == EXP_JSON ? STORE_EACH_PARADATA : 0u, each_case, &x, err);
    if (!rc && x.pool && !(rc = submit(&x, &x.err))) /* the last batch */
        rc = drain(&x, x.next_in, &x.err);
    if (rc) {
        if (x.err.code)
            *err = x.err;
        goto cleanup;
    }
    pool_stop(&x, 0);
    exp_progress(&x, "reading", out->cases, out->cases);
    switch (o->format) {
    case EXP_CSV:
        rc = exp_csv_finish(&x, err);
        break;
    case EXP_DTA:
    case EXP_SAV:
        rc = exp_stat_finish(&x, err);
        break;
    case EXP_JSON:
        rc = exp_json_finish(&x, err);
        break;
    }
    if (!rc)
        rc = write_codebook(&x, err);
cleanup:
    rc = publish(&x, rc == DT_OK, err) ? DT_EIO : rc;
    pool_stop(&x, 1);
    if (begun) {
        exp_csv_free(&x);
        exp_stat_free(&x);
        exp_json_free(&x);
    }
    free_workers(&x);
    free_layout(&x);
    return rc;
}
