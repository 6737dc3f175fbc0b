/* export_layout.c - the layout of each exported file (names valid in Stata and SPSS, labels,
 * types), the form versions mapped by question name, and the values of one row */
#include "export_int.h"
#include "expr.h"
#include "qtype.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
    T_AREA_RECORDED,
    T_AREA_RECORDED_NAME,
    T_UNIT_TODAY,
    T_UNIT_TODAY_CODE,
    T_FORMER_DISTRICTS,
    T_PLACEMENT,
    T_CANDIDATES,
    T_WT_FINAL,
    T_REPW,
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
    [T_WT_FINAL] = {"Quyền số cuối cùng (điều chỉnh không trả lời, hiệu chỉnh)",
                    "Final weight (nonresponse adjustment, calibration)"},
    [T_REPW] = {"Quyền số lặp", "Replicate weight"},
    [T_NO] = {"Không", "No"},
    [T_YES] = {"Có", "Yes"},
    [T_LAT] = {"vĩ độ", "latitude"},
    [T_LON] = {"kinh độ", "longitude"},
    [T_ALT] = {"độ cao", "altitude"},
    [T_ACC] = {"độ chính xác", "accuracy"},
    [T_AREA_RECORDED] = {"Mã địa bàn như đã ghi (theo phiên bản của phiếu)",
                         "Area code as recorded (in the case's own version)"},
    [T_AREA_RECORDED_NAME] = {"Tên địa bàn như đã ghi (tên khi đó)",
                              "Area as recorded, its name then"},
    [T_UNIT_TODAY] = {"Xã/phường hiện nay (từ 1/7/2025)",
                      "Commune or ward of today (since 1 July 2025)"},
    [T_UNIT_TODAY_CODE] = {"Mã xã/phường hiện nay", "Code of the commune or ward of today"},
    [T_FORMER_DISTRICTS] = {"Huyện cũ (trước 1/7/2025) của xã/phường hiện nay",
                            "Former district(s) (before 1 July 2025) of the unit of today"},
    [T_PLACEMENT] = {"Cách xác định xã/phường hiện nay (as_recorded, mapped, by_frame, "
                     "ambiguous, unknown)",
                     "How the unit of today was found (as_recorded, mapped, by_frame, "
                     "ambiguous, unknown)"},
    [T_CANDIDATES] = {"Các xã/phường có thể (khi không xác định được)",
                      "The units it may be in (when ambiguous)"},
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

char *exp_xprintf(const char *fmt, ...)
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
        !(v->note = exp_xprintf("named %s instead of %s: %s", cand, want, why)))
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

/* The final weight and the replicates, with how to declare the design in the codebook. */
static int add_weights(exp_ctx *x, exp_level *lv)
{
    const ind_weights *w = x->o->weights;
    int rc = add_meta(x, lv, SRC_WT_FINAL, VT_NUM, "wt_final", T_WT_FINAL);

    if (rc)
        return rc;
    lv->vars[lv->nvars - 1].note = exp_design_note(w);
    if (!lv->vars[lv->nvars - 1].note)
        return DT_ENOMEM;
    for (size_t r = 0; r < w->nrep; r++) {
        char name[32];
        snprintf(name, sizeof(name), "rw_%zu", r + 1);
        if ((rc = add_var(lv, SRC_REPW, VT_NUM, -1, name, "",
                          exp_xprintf("%s %zu (%s)", text(x, T_REPW), r + 1, w->method))))
            return rc;
        lv->vars[lv->nvars - 1].part = (int)r;
    }
    return DT_OK;
}

const char *exp_qlabel(const exp_ctx *x, const form_question *fq)
{
    return fq->label ? fq->label[x->lang] : fq->name;
}

static int add_question(exp_ctx *x, exp_level *lv, int q)
{
    const form_question *fq = form_q(x->f, q);
    const char *lab = exp_qlabel(x, fq);
    int rc;

    /* A name, or a calculation that reads one: text whatever the calculation gives, since
     * its values become pseudonyms. */
    if (x->pseudonymise && x->names[q] && (fq->type == Q_TEXT || fq->type == Q_CALCULATE)) {
        if ((rc = add_var(lv, SRC_ANSWER, VT_STR, q, fq->name, "",
                          fq->type == Q_TEXT ? xstrdup(lab)
                                             : exp_xprintf("= %s", expr_text(fq->calculation)))))
            return rc;
        lv->vars[lv->nvars - 1].pn = 1;
        return DT_OK;
    }
    switch (qtype_of(fq->type)->col) {
    case QC_INT:
        return add_var(lv, SRC_ANSWER, VT_INT, q, fq->name, "", xstrdup(lab));
    case QC_NUM:
        return add_var(lv, SRC_ANSWER, VT_NUM, q, fq->name, "", xstrdup(lab));
    case QC_STR:
        return add_var(lv, SRC_ANSWER, VT_STR, q, fq->name, "", xstrdup(lab));
    case QC_DATE:
        return add_var(lv, SRC_ANSWER, VT_DATE, q, fq->name, "", xstrdup(lab));
    case QC_CODE:
        if ((rc = add_var(lv, SRC_ANSWER, VT_CODE, q, fq->name, "", xstrdup(lab))))
            return rc;
        lv->vars[lv->nvars - 1].list = fq->list;
        return DT_OK;
    case QC_CALC:
        return add_var(lv, SRC_ANSWER, VT_CALC, q, fq->name, "",
                       exp_xprintf("= %s", expr_text(fq->calculation)));
    case QC_CHOICES:
        for (int i = 0; i < fq->list->nchoices; i++) {
            const form_choice *c = &fq->list->choices[i];
            char suffix[32];
            /* A name cannot hold '-': code -1 becomes _m1. */
            if (c->code < 0)
                snprintf(suffix, sizeof(suffix), "_m%lld", -c->code);
            else
                snprintf(suffix, sizeof(suffix), "_%lld", c->code);
            if ((rc = add_var(lv, SRC_CHOICE, VT_BIN, q, fq->name, suffix,
                              exp_xprintf("%s: %s", lab, c->label[x->lang]))))
                return rc;
            lv->vars[lv->nvars - 1].code = c->code;
        }
        return DT_OK;
    case QC_GEO: {
        static const char *const sfx[] = {"_lat", "_lon", "_alt", "_acc"};
        for (int i = 0; i < 4; i++) {
            if ((rc = add_var(lv, SRC_GEO, VT_NUM, q, fq->name, sfx[i],
                              exp_xprintf("%s (%s)", lab, text(x, T_LAT + i)))))
                return rc;
            lv->vars[lv->nvars - 1].part = i;
        }
        return DT_OK;
    }
    case QC_NONE:
        break; /* notes, groups, repeats */
    }
    return DT_OK;
}

/* Where the case lies, as recorded and in the units of today (the newest version's area list
 * gives unit_today its value labels). */
static int add_place(exp_ctx *x, exp_level *lv)
{
    int area = form_area(x->f), rc;

    if ((rc = add_meta(x, lv, SRC_AREA_RECORDED, VT_STR, "area_recorded", T_AREA_RECORDED)) ||
        (rc = add_meta(x, lv, SRC_AREA_RECORDED_NAME, VT_STR, "area_recorded_name",
                       T_AREA_RECORDED_NAME)))
        return rc;
    if (area >= 0 && form_q(x->f, area)->list) {
        if ((rc = add_meta(x, lv, SRC_UNIT_TODAY, VT_CODE, "unit_today", T_UNIT_TODAY)))
            return rc;
        lv->vars[lv->nvars - 1].list = form_q(x->f, area)->list;
    }
    if ((rc = add_meta(x, lv, SRC_UNIT_TODAY_CODE, VT_STR, "unit_today_code", T_UNIT_TODAY_CODE)) ||
        (rc = add_meta(x, lv, SRC_FORMER_DISTRICTS, VT_STR, "former_districts",
                       T_FORMER_DISTRICTS)) ||
        (rc = add_meta(x, lv, SRC_PLACEMENT, VT_STR, "placement", T_PLACEMENT)))
        return rc;
    /* The codebook says where the derived columns come from. */
    if (!(lv->vars[lv->nvars - 1].note = exp_xprintf(
              "not asked: as_recorded (the case's version asks for the units of table %s), mapped "
              "(a former unit that lies whole in one of them), by_frame (a split former unit "
              "settled by the frame's village), ambiguous (split, not settled: see "
              "placement_candidates), unknown (a code no unit came from); docs/geography.md",
              form_geo_table(x->f))))
        return DT_ENOMEM;
    return add_meta(x, lv, SRC_CANDIDATES, VT_STR, "placement_candidates", T_CANDIDATES);
}

/* How many columns question q makes. */
static int width_of(const form_question *fq)
{
    switch (qtype_of(fq->type)->col) {
    case QC_CHOICES:
        return fq->list->nchoices;
    case QC_GEO:
        return 4;
    case QC_NONE:
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

/* The numbers that place a row of repeat r's file: the instance's of every repeat around it,
 * outermost first, then its own ("member", "plot" for rosters called members and plots), so
 * that a statistician merges the files on case_id and these. */
static int add_positions(exp_ctx *x, exp_level *lv, int r)
{
    const char *rn = form_q(x->f, r)->name;
    char pos[FORM_NAME_MAX + 8];
    size_t len = strlen(rn);
    int rc;

    if (form_q(x->f, r)->repeat >= 0 && (rc = add_positions(x, lv, form_q(x->f, r)->repeat)))
        return rc;
    if (len > 1 && rn[len - 1] == 's')
        snprintf(pos, sizeof(pos), "%.*s", (int)(len - 1), rn);
    else
        snprintf(pos, sizeof(pos), "%s_no", rn);
    if ((rc = add_var(lv, SRC_POSITION, VT_INT, -1, pos, "",
                      exp_xprintf("%s (%s)", text(x, T_POSITION), exp_qlabel(x, form_q(x->f, r))))))
        return rc;
    lv->vars[lv->nvars - 1].part = r;
    return DT_OK;
}

int exp_layout_build(exp_ctx *x)
{
    int nq = form_nquestions(x->f), rc, widest = 0;

    x->levels = calloc((size_t)nq + 1, sizeof(*x->levels));
    if (!x->levels)
        return DT_ENOMEM;
    /* households, then one file per repeat, a repeat inside another included */
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
        int n = i == 0 ? 8 + 7 : 1 + FORM_MAX_DEPTH_REPEATS;
        if (x->o->weights)
            n += 1 + (int)x->o->weights->nrep;
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
                (rc = add_meta(x, lv, SRC_PSU, VT_STR, "psu", T_PSU)) ||
                (x->pl && (rc = add_place(x, lv))))
                return rc;
        } else if ((rc = add_positions(x, lv, lv->repeat))) {
            return rc;
        }
        if (x->o->weights && (rc = add_weights(x, lv)))
            return rc;
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

void exp_layout_free(exp_ctx *x)
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
        free(x->vmaps->names);
        free(x->vmaps);
        x->vmaps = n;
    }
}

/* ---- form versions: a case is read with its own version, its answers found by name */

int exp_vmap_get(exp_ctx *x, const char *form_id, int version, exp_vmap **out, dt_err *err)
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
    if (exp_names_version(x, m)) {
        free(m->names);
        free(m->q);
        free(m);
        return err_set(err, DT_ENOMEM, "out of memory");
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

static void text_cell(exp_cell *c, const char *s)
{
    if (s && *s) {
        c->kind = CELL_STR;
        c->str = s;
        c->len = strlen(s);
    }
}

/* The cell of a variable saying where the case lies. */
static void place_cell(const exp_var *v, const exp_place *at, exp_cell *c)
{
    const place_result *r = &at->r;

    switch (v->src) {
    case SRC_AREA_RECORDED:
        text_cell(c, r->recorded);
        break;
    case SRC_AREA_RECORDED_NAME:
        text_cell(c, r->recorded_name);
        break;
    case SRC_UNIT_TODAY:
        if (at->has_choice) {
            c->kind = CELL_NUM;
            c->num = (double)at->choice;
        }
        break;
    case SRC_UNIT_TODAY_CODE:
        text_cell(c, r->unit ? r->unit->code : NULL);
        break;
    case SRC_FORMER_DISTRICTS:
        text_cell(c, r->districts);
        break;
    case SRC_PLACEMENT:
        text_cell(c, place_how_name(r->how));
        break;
    default:
        text_cell(c, at->cands);
    }
}

void exp_fill(exp_worker *w, const exp_level *lv, const exp_vmap *vm, interview *iv,
              const store_case_row *row, const exp_place *at, int inst)
{
    static const char *const bin[] = {"0", "1"};
    exp_cell *cells = w->cells;
    long wk = -2; /* the case in o->weights, found when a weight column asks */

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
            text_cell(c, s);
            break;
        }
        case SRC_FORM_VERSION:
            c->kind = CELL_NUM;
            c->num = row->form_version;
            break;
        case SRC_WT_FINAL:
        case SRC_REPW: {
            const ind_weights *wt = w->x->o->weights;
            if (wk == -2) /* once a row */
                wk = ind_weights_find(wt, row->case_id);
            long k = wk;
            double d = k < 0                    ? NAN
                       : v->src == SRC_WT_FINAL ? wt->w[k]
                                                : wt->rep[(size_t)k * wt->nrep + (size_t)v->part];
            if (isfinite(d)) {
                c->kind = CELL_NUM;
                c->num = d;
            }
            break;
        }
        case SRC_WEIGHT:
            if (row->has_weight) {
                c->kind = CELL_NUM;
                c->num = row->weight;
            }
            break;
        case SRC_POSITION: { /* of the instance, or of the one around it this variable names */
            int r = vm->q[lv->repeat], s = inst, want = vm->q[v->part];
            while (r >= 0 && r != want) {
                s = eng_instance_parent(iv, r, s);
                r = form_q(vm->f, r)->repeat;
            }
            if (r >= 0) {
                c->kind = CELL_NUM;
                c->num = eng_instance_position(iv, r, s) + 1;
            }
            break;
        }
        case SRC_AREA_RECORDED:
        case SRC_AREA_RECORDED_NAME:
        case SRC_UNIT_TODAY:
        case SRC_UNIT_TODAY_CODE:
        case SRC_FORMER_DISTRICTS:
        case SRC_PLACEMENT:
        case SRC_CANDIDATES:
            if (at)
                place_cell(v, at, c);
            break;
        case SRC_ANSWER:
        case SRC_CHOICE:
        case SRC_GEO: {
            int q = vm->q[v->q];
            eng_pos pos = {q, inst};
            if (q < 0 || !eng_relevant(iv, pos))
                break;
            const val *a = eng_get(iv, pos);
            if (!a->has || !a->str || (!a->len && v->src == SRC_ANSWER))
                break;
            if (v->pn) {
                size_t n = exp_pseudonym(w->x, a->str, a->len, w->pn[i]);
                if (n) {
                    c->kind = CELL_STR;
                    c->str = w->pn[i];
                    c->len = n;
                }
                break;
            }
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
