/* indicators.c - T1-T6 from the store's cases: one pass over the head revisions, then the
 * ratio estimator of common/survey per group and indicator */
#include "indicators_int.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "place.h"
#include "survey.h"

#define NEST           IND_NEST
#define HOUSEHOLD_FORM "sonla_ict_household"

/* ---- the indicators */

const ind_def ind_defs[IND_COUNT] = {
    {"T1", "Hộ gia đình có băng rộng cố định", "Households with fixed broadband", "% of households",
     "household", 80.0},
    {"T2", "Phủ sóng di động tốc độ cao (4G/5G) tại nơi ở",
     "High-speed mobile (4G/5G) coverage at the dwelling", "% of households", "household", 99.56},
    {"T3", "Hộ gia đình có điện thoại thông minh", "Households with a smartphone",
     "% of households", "household", 96.52},
    {"T4", "Người từ 15 tuổi có tài khoản thanh toán điện tử",
     "Adults 15+ with an electronic payment account", "% of persons 15+", "person", 80.0},
    {"T5", "Người sử dụng Internet", "People using the Internet", "% of persons 5+", "person",
     48.56},
    {"T6", "Tỷ trọng kinh tế số trong GRDP", "Digital economy share of provincial GRDP",
     "% of GRDP", "", 10.0},
};

const char ind_out_of_scope[] = "not measurable from a household survey (out of scope)";

const char *ind_level_name(ind_level l)
{
    switch (l) {
    case IND_FORMER_DISTRICT:
        return "former-district";
    case IND_COMMUNE:
        return "commune";
    default:
        return "province";
    }
}

int ind_level_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "province") == 0)
        return IND_PROVINCE;
    if (strcmp(name, "former-district") == 0 || strcmp(name, "district") == 0)
        return IND_FORMER_DISTRICT;
    if (strcmp(name, "commune") == 0)
        return IND_COMMUNE;
    return -1;
}

const char *ind_ci_method_name(ind_ci_method m)
{
    switch (m) {
    case IND_CI_TAYLOR:
        return "taylor";
    case IND_CI_BINOMIAL:
        return "binomial";
    case IND_CI_REPLICATE:
        return "replicate";
    default:
        return "none";
    }
}

/* ---- a string -> index map (open addressing, FNV-1a) */

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static int grow_slots(ind_map *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 64;
    size_t *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return -1;
    for (size_t i = 0; i < m->n; i++) {
        size_t at = (size_t)hash(m->keys[i]) & (n - 1);
        while (slots[at])
            at = (at + 1) & (n - 1);
        slots[at] = i + 1;
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
    return 0;
}

long ind_map_get(const ind_map *m, const char *key)
{
    if (!m->nslots)
        return -1;
    for (size_t at = (size_t)hash(key) & (m->nslots - 1); m->slots[at];
         at = (at + 1) & (m->nslots - 1))
        if (strcmp(m->keys[m->slots[at] - 1], key) == 0)
            return (long)(m->slots[at] - 1);
    return -1;
}

/* The index of key, adding it when new (*added 1). Returns -1 when out of memory. */
long ind_map_put(ind_map *m, const char *key, int *added)
{
    *added = 0;
    if ((m->n + 1) * 2 > m->nslots && grow_slots(m))
        return -1;
    size_t at = (size_t)hash(key) & (m->nslots - 1);
    while (m->slots[at]) {
        size_t i = m->slots[at] - 1;
        if (strcmp(m->keys[i], key) == 0)
            return (long)i;
        at = (at + 1) & (m->nslots - 1);
    }
    if (m->n == m->kcap) {
        size_t cap = m->kcap ? m->kcap * 2 : 32;
        char **k = realloc(m->keys, cap * sizeof(*k));
        if (!k)
            return -1;
        m->keys = k;
        m->kcap = cap;
    }
    char *copy = strdup(key);
    if (!copy)
        return -1;
    m->keys[m->n] = copy;
    m->slots[at] = m->n + 1;
    *added = 1;
    return (long)m->n++;
}

void ind_map_free(ind_map *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->slots);
}

/* ---- the pass over the cases */

/* A number from an answer: a JSON number, or a string holding one. */
static int num(const cJSON *o, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return 1;
    }
    if (cJSON_IsString(v) && v->valuestring[0]) {
        char *end;
        double d = strtod(v->valuestring, &end);
        if (*end == '\0') {
            *out = d;
            return 1;
        }
    }
    return 0;
}

/* Whether a select_multiple answer holds any of codes 1, 2, 3 (an electronic account). */
static int has_epay(const cJSON *m)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "m_epay"), *c;
    cJSON_ArrayForEach(c, v)
    {
        double d = cJSON_IsNumber(c)   ? c->valuedouble
                   : cJSON_IsString(c) ? strtod(c->valuestring, NULL)
                                       : 0.0;
        if (d == 1.0 || d == 2.0 || d == 3.0)
            return 1;
    }
    return 0;
}

/* A flag: the form's calculation when the answers hold it, else the same rule from the raw
 * answers. -1 when neither is there. */
static int flag(const cJSON *o, const char *calc, int raw)
{
    double d;
    if (num(o, calc, &d))
        return d == 1.0;
    return raw;
}

/* What one member adds to T4 and T5 (y and x: a household's NEST values). */
static void measure_member(int32_t *y, int32_t *x, const cJSON *m)
{
    double age, d;
    int known = num(m, "m_age", &age);
    int a15 = flag(m, "m_age15", known ? age >= 15.0 : -1);
    int a5 = flag(m, "m_age5", known ? age >= 5.0 : -1);

    if (a15 == 1) {
        x[3]++;
        y[3] += flag(m, "m_epay_flag", has_epay(m)) == 1;
    }
    if (a5 == 1) {
        x[4]++;
        y[4] += flag(m, "m_inet_flag", num(m, "m_internet", &d) && d == 1.0) == 1;
    }
}

/* Fills y and x from one household's answers (docs/questionnaire.md, Indicators). */
static void measure(int32_t *y, int32_t *x, const cJSON *a)
{
    double d;

    /* T1: fixed_bb = 1 over households that answered it */
    if (num(a, "fixed_bb", &d)) {
        x[0] = 1;
        y[0] = d == 1.0;
    }
    /* T2: hh_hispeed (signal 4 or 5) */
    int sig = num(a, "signal", &d) ? (d == 4.0 || d == 5.0) : -1;
    int hi = flag(a, "hh_hispeed", sig);
    if (hi >= 0) {
        x[1] = 1;
        y[1] = hi;
    }
    /* T3: hh_smart (n_smartphones >= 1) */
    int sm = num(a, "n_smartphones", &d) ? d >= 1.0 : -1;
    sm = flag(a, "hh_smart", sm);
    if (sm >= 0) {
        x[2] = 1;
        y[2] = sm;
    }
    /* T4, T5: over the roster */
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(a, "members"), *m;
    cJSON_ArrayForEach(m, members) measure_member(y, x, m);
}

static int oom(pass *p)
{
    return err_set(p->err, DT_ENOMEM, "out of memory computing the indicators");
}

/* The group of the current case (p->at) at the report's level: its key and names. */
static void group_names(const pass *p, ind_level level, char *key, size_t ksize, const char **vi,
                        const char **en, char *bufs, size_t bsize)
{
    const place_result *at = &p->at;
    size_t half = bsize / 2;

    key[0] = '\0';
    if (level == IND_PROVINCE) {
        *vi = "Tỉnh Sơn La";
        *en = "Sơn La province";
    } else if (at->how == PLACE_NO_TABLE) { /* nothing to place into: the code as recorded */
        snprintf(key, ksize, "%s", at->recorded);
        *vi = *en = at->recorded[0] ? at->recorded : "(unknown)";
    } else if (!at->unit) {
        snprintf(key, ksize, "%s", IND_UNPLACED_KEY);
        *vi = "Chưa xếp được vào đơn vị hành chính hiện nay";
        *en = "Not placed in a unit of today";
    } else if (level == IND_COMMUNE) {
        snprintf(key, ksize, "%s", at->unit->code);
        *vi = placer_unit_name(p->pl, at->unit, 0);
        *en = placer_unit_name(p->pl, at->unit, 1);
    } else {
        snprintf(key, ksize, "%s", at->districts);
        *vi = placer_districts_name(p->pl, at->districts, 0, bufs, half);
        *en = placer_districts_name(p->pl, at->districts, 1, bufs + half, bsize - half);
    }
}

long ind_group_of(pass *p, ind_target *t, int cat)
{
    char key[128], names[1024], mkey[256];
    const char *vi, *en;
    ind_report *r = t->r;
    const ctl_column *c = cat >= 0 ? &p->dom->cats.col[cat] : NULL;
    int added;

    group_names(p, r->level, key, sizeof(key), &vi, &en, names, sizeof(names));
    snprintf(mkey, sizeof(mkey), "%s\x1f%d", key, cat);
    long gi = ind_map_put(&t->groups, mkey, &added);
    if (gi < 0 || !added)
        return gi;

    if ((size_t)gi >= t->gcap) {
        size_t cap = t->gcap ? t->gcap * 2 : 16;
        ind_group *g = realloc(r->groups, cap * sizeof(*g));
        if (!g)
            return -1;
        r->groups = g;
        t->gcap = cap;
    }
    ind_group *g = &r->groups[gi];
    memset(g, 0, sizeof(*g));
    r->ngroups = (size_t)gi + 1;
    g->domain_index = cat;
    g->key = strdup(key);
    g->name = strdup(vi);
    g->name_en = strdup(en);
    g->former_districts = strdup(r->level == IND_COMMUNE && p->at.unit ? p->at.districts : "");
    if (!g->key || !g->name || !g->name_en || !g->former_districts)
        return -1;
    if (c && (!(g->domain = strdup(c->category)) || !(g->domain_name = strdup(p->dom->label[cat]))))
        return -1;
    return gi;
}

/* A case no unit of today holds, for the report's list. Returns 0 or -1 (out of memory). */
static int note_unplaced(pass *p, const store_case_row *row)
{
    ind_report *r = p->r;
    ind_unplaced *u;
    buf cands;

    if (r->nunplaced == p->ucap) {
        size_t cap = p->ucap ? p->ucap * 2 : 16;
        ind_unplaced *n = realloc(r->unplaced, cap * sizeof(*n));
        if (!n)
            return -1;
        r->unplaced = n;
        p->ucap = cap;
    }
    u = &r->unplaced[r->nunplaced];
    memset(u, 0, sizeof(*u));
    r->nunplaced++;
    u->form_version = row->form_version;
    u->how = place_how_name(p->at.how);
    buf_init(&cands, 1u << 16);
    for (int i = 0; i < p->at.ncands; i++)
        if (buf_printf(&cands, "%s%s %s", i ? "; " : "", p->at.cands[i]->code,
                       placer_unit_name(p->pl, p->at.cands[i], 0))) {
            buf_free(&cands);
            return -1;
        }
    u->candidates = strdup(cands.len ? cands.data : "");
    buf_free(&cands);
    u->case_id = strdup(row->case_id);
    u->recorded = strdup(p->at.recorded);
    return u->case_id && u->recorded && u->candidates ? 0 : -1;
}

/* The PSU of a case: the frame's stratum and PSU, else the former districts of its unit and
 * its area code/village as recorded. PSU keys are nested in their stratum (a PSU "3" of two
 * strata is two PSUs). Returns the PSU's index or -1 when out of memory. */
static long psu_of(pass *p, const store_case_row *row)
{
    char stratum[256], psu[512], key[800];
    int added;

    if (row->stratum && row->psu) {
        snprintf(stratum, sizeof(stratum), "%s", row->stratum);
        snprintf(psu, sizeof(psu), "%s", row->psu);
    } else {
        p->r->design_fallback++;
        snprintf(stratum, sizeof(stratum), "%s", row->stratum ? row->stratum : p->at.districts);
        if (row->psu)
            snprintf(psu, sizeof(psu), "%s", row->psu);
        else
            snprintf(psu, sizeof(psu), "%s/%s", p->at.recorded, p->at.locality);
    }
    long h = ind_map_put(&p->strata, stratum, &added);
    if (h < 0)
        return -1;
    snprintf(key, sizeof(key), "%s\x1f%s", stratum, psu);
    long j = ind_map_put(&p->psus, key, &added);
    if (j < 0)
        return -1;
    if (added) {
        if ((size_t)j >= p->psu_cap) {
            size_t cap = p->psu_cap ? p->psu_cap * 2 : 64;
            size_t *ps = realloc(p->psu_stratum, cap * sizeof(*ps));
            if (!ps)
                return -1;
            p->psu_stratum = ps;
            p->psu_cap = cap;
        }
        p->psu_stratum[j] = (size_t)h;
    }
    return j;
}

/* A record of household hi in category cat (-1: the whole group) of every target; the
 * groups count it. Returns 0 or -1 (out of memory). */
static int add_recs(pass *p, size_t hi, int cat, const int32_t *y, const int32_t *x, long persons)
{
    for (int t = 0; t < p->nt; t++) {
        long gi = ind_group_of(p, &p->t[t], cat);
        if (gi < 0)
            return -1;
        if (p->nrec == p->rcap) {
            size_t cap = p->rcap ? p->rcap * 2 : 1024;
            ind_rec *more = realloc(p->rec, cap * sizeof(*more));
            if (!more)
                return -1;
            p->rec = more;
            p->rcap = cap;
        }
        ind_rec *e = &p->rec[p->nrec++];
        e->hh = hi;
        e->group = (uint32_t)gi;
        e->tgt = (uint8_t)t;
        memcpy(e->y, y, sizeof(e->y));
        memcpy(e->x, x, sizeof(e->x));
        ind_group *g = &p->t[t].r->groups[gi];
        if (cat >= 0)
            g->cases++;
        g->households++;
        g->persons += persons;
    }
    return 0;
}

static long members_of(const cJSON *a)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a, "members"));
}

/* The household's records in the domain's categories: its own (a household question), or
 * one per category its members are in, counting those members only (T4, T5). */
static int add_domain(pass *p, size_t hi, const cJSON *a, const ind_rec *whole)
{
    int32_t y[IND_DOMAIN_MAX][NEST], x[IND_DOMAIN_MAX][NEST];
    long n[IND_DOMAIN_MAX] = {0};
    const cJSON *m;

    if (!p->dom->member) {
        int c = ind_domain_of(p, a);
        return c < 0 ? 0 : add_recs(p, hi, c, whole->y, whole->x, members_of(a));
    }
    memset(y, 0, sizeof(y));
    memset(x, 0, sizeof(x));
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(a, "members"))
    {
        int c = ind_domain_member(p, m);
        if (c >= 0) {
            measure_member(y[c], x[c], m);
            n[c]++;
        }
    }
    for (size_t c = 0; c < p->dom->cats.n; c++)
        if (n[c] && add_recs(p, hi, (int)c, y[c], x[c], n[c]))
            return -1;
    return 0;
}

/* A completed household: a unit of the design, its records. */
static int add_household(pass *p, const store_case_row *row, const cJSON *a)
{
    if (p->nhh == p->hcap) {
        size_t cap = p->hcap ? p->hcap * 2 : 1024;
        ind_hh *n = realloc(p->hh, cap * sizeof(*n));
        if (!n)
            return -1;
        p->hh = n;
        p->hcap = cap;
    }
    ind_hh *h = &p->hh[p->nhh];
    memset(h, 0, sizeof(*h));
    long j = psu_of(p, row);
    if (j < 0)
        return -1;
    h->psu = (size_t)j;
    h->frame = -1;
    if (p->want && !(h->case_id = strdup(row->case_id)))
        return -1;
    if (row->has_weight && isfinite(row->weight) && row->weight > 0.0) {
        h->w = h->d = row->weight;
        h->in = 1;
        p->any_weight = 1;
    }
    ind_frame_mark(p, row, 1, h);
    size_t hi = p->nhh++;
    if (p->ctl && ind_cal_row(p, a))
        return -1;

    ind_rec whole = {0};
    long nm = members_of(a);
    measure(whole.y, whole.x, a);
    if (add_recs(p, hi, -1, whole.y, whole.x, nm))
        return -1;
    for (int t = 0; t < p->nt; t++) {
        p->t[t].r->households++;
        p->t[t].r->persons += nm;
    }
    return p->dom ? add_domain(p, hi, a, &whole) : 0;
}

static int each(void *ctx, const store_case_row *row)
{
    pass *p = ctx;
    cJSON *a = cJSON_Parse(row->answers ? row->answers : "{}");
    int refusal = row->outcome && strcmp(row->outcome, "refusal") == 0;
    int rc = 0;

    if (!a) /* the store only keeps answers it parsed: out of memory */
        return oom(p);
    if ((rc = placer_place(p->pl, row, a, &p->at, p->err)))
        goto done;
    if (p->at.how != PLACE_NO_TABLE && !p->at.unit && note_unplaced(p, row)) {
        rc = oom(p);
        goto done;
    }
    for (int t = 0; t < p->nt; t++) {
        ind_report *r = p->t[t].r;
        long gi = ind_group_of(p, &p->t[t], -1);
        if (gi < 0) {
            rc = oom(p);
            goto done;
        }
        r->placed[p->at.how]++;
        r->groups[gi].cases++;
        r->cases++;
        r->duplicates += row->duplicate != 0;
        r->groups[gi].refusals += refusal;
        r->refusals += refusal;
    }
    if (refusal)
        ind_frame_mark(p, row, 0, NULL);
    else if (add_household(p, row, a))
        rc = oom(p);

done:
    cJSON_Delete(a);
    return rc;
}

/* Group keys in order: numbers by value (district and commune codes), then text. */
static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

int ind_key_cmp(const char *a, const char *b)
{
    int da = all_digits(a), db = all_digits(b);
    if (da && db && strlen(a) != strlen(b))
        return strlen(a) < strlen(b) ? -1 : 1;
    if (da != db)
        return da ? -1 : 1;
    return strcmp(a, b);
}

static const form *household_form(store *s)
{
    const form *f = NULL;
    dt_err e;

    if (store_form_latest(s, HOUSEHOLD_FORM, &f, &e) == 0)
        return f;
    if (store_form_latest(s, NULL, &f, &e) == 0)
        return f;
    return NULL;
}

static int compute(ind_report **out, ind_report **province, store *s, ind_level level,
                   const char *status, const ind_options *o, ind_weights *want, dt_err *err);

int ind_compute(ind_report **out, store *s, ind_level level, const char *status, dt_err *err)
{
    return compute(out, NULL, s, level, status, NULL, NULL, err);
}

int ind_compute_opts(ind_report **out, store *s, ind_level level, const char *status,
                     const ind_options *o, dt_err *err)
{
    return compute(out, NULL, s, level, status, o, NULL, err);
}

int ind_compute_pair(ind_report **out, ind_report **province, store *s, ind_level level,
                     const char *status, dt_err *err)
{
    return compute(out, province, s, level, status, NULL, NULL, err);
}

/* A report's own fields, before any case. Returns 0 or -1 (out of memory). */
static int report_init(ind_report *r, ind_level level, const char *status, const form *f)
{
    r->level = level;
    r->lonely_psu = svy_lonely_name(SVY_LONELY_ADJUST);
    r->status = strdup(status ? status : "all");
    r->form_id = strdup(f ? form_id(f) : "");
    r->units = strdup(f && form_geo_table(f) ? form_geo_table(f) : "");
    return r->status && r->form_id && r->units ? 0 : -1;
}

static void pass_free(pass *p)
{
    for (int t = 0; t < p->nt; t++)
        ind_map_free(&p->t[t].groups);
    ind_map_free(&p->strata);
    ind_map_free(&p->psus);
    free(p->psu_stratum);
    for (size_t i = 0; i < p->nhh; i++)
        free(p->hh[i].case_id);
    free(p->hh);
    free(p->rec);
    ind_frame_free(p);
    ind_cal_free(p);
    ind_domain_free(p);
    placer_close(p->pl);
}

static int compute(ind_report **out, ind_report **province, store *s, ind_level level,
                   const char *status, const ind_options *o, ind_weights *want, dt_err *err)
{
    static const ind_options plain = {0};
    ind_report *r = calloc(1, sizeof(*r)), *prov = NULL;
    pass p = {0};
    int rc = DT_ENOMEM;

    *out = NULL;
    if (province)
        *province = NULL;
    p.err = err;
    p.want = want;
    p.opt = o ? o : &plain;
    p.f = household_form(s);
    p.r = p.t[0].r = r;
    p.nt = 1;
    /* the province beside another level: a report of its own, and what differences from it
     * are measured against */
    if (level != IND_PROVINCE || province) {
        p.t[1].r = prov = calloc(1, sizeof(*prov));
        p.nt = 2;
    }
    if (!r || (p.nt == 2 && !prov))
        goto fail;
    if (p.f && (rc = placer_open(&p.pl, s, form_id(p.f), err)))
        goto cleanup;
    if (p.f && level == IND_FORMER_DISTRICT && !placer_table(p.pl)) {
        rc = err_set(err, DT_EINVAL,
                     "indicators by former district need a table of units, and version %d of %s "
                     "declares none (its \"geography\": docs/geography.md)",
                     form_version(p.f), form_id(p.f));
        goto cleanup;
    }
    if (report_init(r, level, status, p.f) ||
        (prov && report_init(prov, IND_PROVINCE, status, p.f)))
        goto fail;
    /* the province exists even with no case */
    for (int t = 0; t < p.nt; t++)
        if (p.t[t].r->level == IND_PROVINCE && ind_group_of(&p, &p.t[t], -1) < 0)
            goto fail;
    if (p.opt->nonresponse && (rc = ind_read_frame(&p, s)))
        goto cleanup;
    if (p.opt->domain && (rc = ind_domain_open(&p)))
        goto cleanup;
    if (p.opt->calibrate && (rc = ind_cal_open(&p)))
        goto cleanup;
    if (p.f) {
        rc = store_each_case(s, form_id(p.f), status, STORE_EACH_ANY_ORDER, each, &p, err);
        if (rc)
            goto cleanup;
    }
    if (p.opt->nonresponse && (rc = ind_adjust_nonresponse(&p)))
        goto cleanup;
    if (p.ctl && (rc = ind_calibrate(&p)))
        goto cleanup;
    if ((rc = ind_estimate(&p)))
        goto cleanup;
    if (prov)
        prov->design_fallback = r->design_fallback;
    *out = r;
    r = NULL;
    if (province) {
        *province = prov;
        prov = NULL;
    }
    rc = 0;
    goto cleanup;

fail:
    rc = err_set(err, DT_ENOMEM, "out of memory computing the indicators");
cleanup:
    ind_report_free(r);
    ind_report_free(prov);
    pass_free(&p);
    return rc;
}

int ind_first_problem(dt_err *err, const errlist *l, const char *prefix)
{
    const err_item *e = &l->items[0];

    return err_set(err, DT_EINVAL, "%s%s%s: %s%s%s%s", prefix ? prefix : "", prefix ? ": " : "",
                   e->where, e->what, e->what[0] ? ": " : "", e->msg,
                   l->n > 1 ? " (and more problems)" : "");
}

/* How the weights were made, in a line (the report's). */
static char *weights_how(const ind_report *r)
{
    buf b;
    char *out = NULL;

    buf_init(&b, 1 << 16);
    int bad = buf_printf(&b, "the frame's design weights");
    if (r->nr_by)
        bad |= buf_printf(&b, ", adjusted for nonresponse in classes by %s", r->nr_by);
    if (r->cal_file)
        bad |= buf_printf(&b, ", calibrated (%s) to the totals of %s", r->cal_fn, r->cal_file);
    if (r->reps)
        bad |= buf_printf(&b, "; %ld %s replicates", r->reps, r->variance);
    if (r->seed)
        bad |= buf_printf(&b, " (seed %llu)", r->seed);
    if (r->reps && r->cal_file)
        bad |= buf_printf(&b, ", calibrated again in each");
    if (r->reps && r->nr_by)
        bad |= buf_printf(&b, ", the nonresponse factors kept");
    if (!bad)
        out = strdup(b.data);
    buf_free(&b);
    return out;
}

int ind_compute_weights(ind_weights *out, store *s, const char *status, const ind_options *o,
                        dt_err *err)
{
    ind_report *r = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = compute(&r, NULL, s, IND_PROVINCE, status, o, out, err);
    if (rc == 0 && !r->weighted)
        rc = err_set(err, DT_EINVAL,
                     "--weights: the cases have no sample weights (syncd assign import with a "
                     "weight column, and cases linked to the frame)");
    if (rc == 0 && !(out->how = weights_how(r)))
        rc = err_set(err, DT_ENOMEM, "out of memory");
    ind_report_free(r);
    if (rc)
        ind_weights_free(out);
    return rc;
}

static int id_cmp(const void *key, const void *elem)
{
    return strcmp(key, *(char *const *)elem);
}

long ind_weights_find(const ind_weights *w, const char *case_id)
{
    char **at = w->n ? bsearch(case_id, w->case_id, w->n, sizeof(*w->case_id), id_cmp) : NULL;
    return at ? (long)(at - w->case_id) : -1;
}

void ind_weights_free(ind_weights *w)
{
    for (size_t i = 0; w->case_id && i < w->n; i++)
        free(w->case_id[i]);
    free(w->case_id);
    free(w->w);
    free(w->rep);
    free(w->rscale);
    free(w->how);
    memset(w, 0, sizeof(*w));
}

void ind_report_free(ind_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ngroups; i++) {
        free(r->groups[i].domain);
        free(r->groups[i].domain_name);
        free(r->groups[i].key);
        free(r->groups[i].name);
        free(r->groups[i].name_en);
        free(r->groups[i].former_districts);
    }
    free(r->groups);
    for (size_t i = 0; i < r->nunplaced; i++) {
        free(r->unplaced[i].case_id);
        free(r->unplaced[i].recorded);
        free(r->unplaced[i].candidates);
    }
    free(r->unplaced);
    for (size_t i = 0; i < r->nnr; i++)
        free(r->nr[i].key);
    free(r->nr);
    free(r->nr_by);
    for (size_t i = 0; i < r->ncal; i++) {
        free(r->cal[i].margin);
        free(r->cal[i].category);
    }
    free(r->cal);
    free(r->cal_file);
    free(r->domain);
    free(r->domain_ref);
    free(r->units);
    free(r->status);
    free(r->form_id);
    free(r);
}
