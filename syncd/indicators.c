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

/* Fills h's y and x from one household's answers (docs/questionnaire.md, Indicators). */
static void measure(hh_rec *h, const cJSON *a)
{
    double d;

    /* T1: fixed_bb = 1 over households that answered it */
    if (num(a, "fixed_bb", &d)) {
        h->x[0] = 1;
        h->y[0] = d == 1.0;
    }
    /* T2: hh_hispeed (signal 4 or 5) */
    int sig = num(a, "signal", &d) ? (d == 4.0 || d == 5.0) : -1;
    int hi = flag(a, "hh_hispeed", sig);
    if (hi >= 0) {
        h->x[1] = 1;
        h->y[1] = hi;
    }
    /* T3: hh_smart (n_smartphones >= 1) */
    int sm = num(a, "n_smartphones", &d) ? d >= 1.0 : -1;
    sm = flag(a, "hh_smart", sm);
    if (sm >= 0) {
        h->x[2] = 1;
        h->y[2] = sm;
    }
    /* T4, T5: over the roster */
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(a, "members"), *m;
    cJSON_ArrayForEach(m, members)
    {
        double age;
        int known = num(m, "m_age", &age);
        int a15 = flag(m, "m_age15", known ? age >= 15.0 : -1);
        int a5 = flag(m, "m_age5", known ? age >= 5.0 : -1);
        if (a15 == 1) {
            h->x[3]++;
            h->y[3] += flag(m, "m_epay_flag", has_epay(m)) == 1;
        }
        if (a5 == 1) {
            h->x[4]++;
            h->y[4] += flag(m, "m_inet_flag", num(m, "m_internet", &d) && d == 1.0) == 1;
        }
    }
}

static int oom(pass *p)
{
    return err_set(p->err, DT_ENOMEM, "out of memory computing the indicators");
}

/* The group of the current case (p->at) at the report's level: its key and names. */
static void group_names(const pass *p, char *key, size_t ksize, const char **vi, const char **en,
                        char *bufs, size_t bsize)
{
    const place_result *at = &p->at;
    size_t half = bsize / 2;

    key[0] = '\0';
    if (p->r->level == IND_PROVINCE) {
        *vi = "Tỉnh Sơn La";
        *en = "Sơn La province";
    } else if (at->how == PLACE_NO_TABLE) { /* nothing to place into: the code as recorded */
        snprintf(key, ksize, "%s", at->recorded);
        *vi = *en = at->recorded[0] ? at->recorded : "(unknown)";
    } else if (!at->unit) {
        snprintf(key, ksize, "%s", IND_UNPLACED_KEY);
        *vi = "Chưa xếp được vào đơn vị hành chính hiện nay";
        *en = "Not placed in a unit of today";
    } else if (p->r->level == IND_COMMUNE) {
        snprintf(key, ksize, "%s", at->unit->code);
        *vi = placer_unit_name(p->pl, at->unit, 0);
        *en = placer_unit_name(p->pl, at->unit, 1);
    } else {
        snprintf(key, ksize, "%s", at->districts);
        *vi = placer_districts_name(p->pl, at->districts, 0, bufs, half);
        *en = placer_districts_name(p->pl, at->districts, 1, bufs + half, bsize - half);
    }
}

/* The group of the current case, made when new. Returns its index or -1. */
static long group_of(pass *p)
{
    char key[128], names[1024];
    const char *vi, *en;
    int added;

    group_names(p, key, sizeof(key), &vi, &en, names, sizeof(names));
    long gi = ind_map_put(&p->groups, key, &added);
    if (gi < 0 || !added)
        return gi;

    if ((size_t)gi >= p->gcap) {
        size_t cap = p->gcap ? p->gcap * 2 : 16;
        ind_group *g = realloc(p->r->groups, cap * sizeof(*g));
        if (!g)
            return -1;
        p->r->groups = g;
        p->gcap = cap;
    }
    ind_group *g = &p->r->groups[gi];
    memset(g, 0, sizeof(*g));
    p->r->ngroups = (size_t)gi + 1;
    g->key = strdup(key);
    g->name = strdup(vi);
    g->name_en = strdup(en);
    g->former_districts = strdup(p->r->level == IND_COMMUNE && p->at.unit ? p->at.districts : "");
    if (!g->key || !g->name || !g->name_en || !g->former_districts)
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

static int each(void *ctx, const store_case_row *row)
{
    pass *p = ctx;
    cJSON *a = cJSON_Parse(row->answers ? row->answers : "{}");
    int rc = 0;

    if (!a) /* the store only keeps answers it parsed: out of memory */
        return oom(p);
    if ((rc = placer_place(p->pl, row, a, &p->at, p->err)))
        goto done;
    p->r->placed[p->at.how]++;
    long gi = group_of(p);
    if (gi < 0 || (p->at.how != PLACE_NO_TABLE && !p->at.unit && note_unplaced(p, row))) {
        rc = oom(p);
        goto done;
    }
    ind_group *g = &p->r->groups[gi];
    g->cases++;
    p->r->cases++;
    if (row->duplicate)
        p->r->duplicates++;
    if (row->outcome && strcmp(row->outcome, "refusal") == 0) {
        g->refusals++;
        p->r->refusals++;
        ind_frame_mark(p, row, 0, NULL);
        goto done;
    }

    if (p->nhh == p->hcap) {
        size_t cap = p->hcap ? p->hcap * 2 : 1024;
        hh_rec *n = realloc(p->hh, cap * sizeof(*n));
        if (!n) {
            rc = oom(p);
            goto done;
        }
        p->hh = n;
        p->hcap = cap;
    }
    hh_rec *h = &p->hh[p->nhh];
    memset(h, 0, sizeof(*h));
    h->group = (size_t)gi;
    long j = psu_of(p, row);
    if (j < 0) {
        rc = oom(p);
        goto done;
    }
    h->psu = (size_t)j;
    h->frame = -1;
    if (row->has_weight && isfinite(row->weight) && row->weight > 0.0) {
        h->w = row->weight;
        p->any_weight = 1;
    }
    ind_frame_mark(p, row, 1, h);
    measure(h, a);
    p->nhh++;
    g->households++;
    p->r->households++;
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(a, "members");
    int nm = cJSON_IsArray(members) ? cJSON_GetArraySize(members) : 0;
    g->persons += nm;
    p->r->persons += nm;

done:
    cJSON_Delete(a);
    return rc;
}

/* ---- estimation */

static void set_undefined(ind_value *v)
{
    v->defined = 0;
    v->estimate = v->se = v->ci_low = v->ci_high = v->gap = NAN;
}

static void init_values(ind_group *g)
{
    for (int k = 0; k < IND_COUNT; k++) {
        ind_value *v = &g->ind[k];
        memset(v, 0, sizeof(*v));
        v->code = ind_defs[k].code;
        v->label_vi = ind_defs[k].label_vi;
        v->label_en = ind_defs[k].label_en;
        v->unit = ind_defs[k].unit;
        v->unit_kind = ind_defs[k].unit_kind;
        v->target = ind_defs[k].target;
        v->measurable = k < NEST;
        v->ci_method = IND_CI_NONE;
        set_undefined(v);
    }
}

static void put(ind_value *v, const svy_estimate *e, ind_ci_method m)
{
    v->num_w = e->y;
    v->den_w = e->x;
    if (!e->defined)
        return;
    v->defined = 1;
    v->ci_method = m;
    v->estimate = 100.0 * e->r;
    v->se = 100.0 * e->se;
    v->ci_low = 100.0 * e->lo;
    v->ci_high = 100.0 * e->hi;
    v->gap = v->target - v->estimate;
}

/* Per group and indicator, from the households of p. */
static int estimate(pass *p)
{
    ind_report *r = p->r;
    size_t ng = r->ngroups, npsu = p->psus.n, nstrata = p->strata.n;
    size_t *start = calloc(ng + 1, sizeof(*start)), *order = NULL, *fill = NULL;
    size_t *npsu_h = NULL, *touched = NULL;
    double *acc = NULL;
    unsigned char *in_design = NULL, *seen = NULL;
    svy_psu *list = NULL;
    int rc = DT_ENOMEM;

    r->weighted = p->any_weight;
    r->ci_method = r->weighted ? IND_CI_TAYLOR : IND_CI_BINOMIAL;
    if (!start)
        goto cleanup;
    /* households by group (a counting sort) */
    order = malloc((p->nhh ? p->nhh : 1) * sizeof(*order));
    fill = calloc(ng + 1, sizeof(*fill));
    if (!order || !fill)
        goto cleanup;
    for (size_t i = 0; i < p->nhh; i++)
        start[p->hh[i].group + 1]++;
    for (size_t gi = 0; gi < ng; gi++)
        start[gi + 1] += start[gi];
    for (size_t i = 0; i < p->nhh; i++) {
        size_t gi = p->hh[i].group;
        order[start[gi] + fill[gi]++] = i;
    }

    if (r->weighted) {
        /* The design: the PSUs (and their strata) holding a weighted household. */
        npsu_h = calloc(nstrata ? nstrata : 1, sizeof(*npsu_h));
        in_design = calloc(npsu ? npsu : 1, 1);
        seen = calloc(npsu ? npsu : 1, 1);
        touched = malloc((npsu ? npsu : 1) * sizeof(*touched));
        acc = malloc((npsu ? npsu : 1) * 2 * NEST * sizeof(*acc));
        list = malloc((npsu ? npsu : 1) * sizeof(*list));
        if (!npsu_h || !in_design || !seen || !touched || !acc || !list)
            goto cleanup;
        for (size_t i = 0; i < p->nhh; i++) {
            const hh_rec *h = &p->hh[i];
            if (h->w > 0.0 && !in_design[h->psu]) {
                in_design[h->psu] = 1;
                npsu_h[p->psu_stratum[h->psu]]++;
                r->psus++;
            }
        }
        for (size_t h = 0; h < nstrata; h++) {
            if (npsu_h[h])
                r->strata++;
            if (npsu_h[h] == 1)
                r->lonely_strata++;
        }
    }

    for (size_t gi = 0; gi < ng; gi++) {
        ind_group *g = &r->groups[gi];
        long n_num[NEST] = {0}, n_units[NEST] = {0}, n_hh[NEST] = {0};
        size_t nt = 0;

        init_values(g);
        for (size_t o = start[gi]; o < start[gi + 1]; o++) {
            const hh_rec *h = &p->hh[order[o]];
            if (r->weighted && !(h->w > 0.0)) {
                g->no_weight++;
                r->no_weight++;
                continue;
            }
            for (int k = 0; k < NEST; k++) {
                n_num[k] += h->y[k];
                n_units[k] += h->x[k];
                n_hh[k] += h->x[k] > 0;
            }
            if (!r->weighted)
                continue;
            double *a = &acc[h->psu * 2 * NEST];
            if (!seen[h->psu]) {
                seen[h->psu] = 1;
                touched[nt++] = h->psu;
                memset(a, 0, 2 * NEST * sizeof(*a));
            }
            for (int k = 0; k < NEST; k++) {
                a[k] += h->w * h->y[k];
                a[NEST + k] += h->w * h->x[k];
            }
        }
        for (int k = 0; k < NEST; k++) {
            ind_value *v = &g->ind[k];
            svy_estimate e;
            v->weighted = r->weighted;
            v->n_num = n_num[k];
            v->n_units = n_units[k];
            v->n_households = n_hh[k];
            if (r->weighted) {
                svy_design d = {.nstrata = nstrata, .npsu = npsu_h, .lonely = SVY_LONELY_ADJUST};
                for (size_t t = 0; t < nt; t++) {
                    const double *a = &acc[touched[t] * 2 * NEST];
                    list[t] = (svy_psu){p->psu_stratum[touched[t]], a[k], a[NEST + k]};
                }
                if (svy_ratio_psu(&e, &d, list, nt)) {
                    rc = err_set(p->err, DT_ERR, "indicators: inconsistent design (a bug)");
                    goto cleanup;
                }
                put(v, &e, IND_CI_TAYLOR);
            } else {
                svy_binomial(&e, (double)n_num[k], (double)n_units[k]);
                put(v, &e, IND_CI_BINOMIAL);
            }
        }
        for (size_t t = 0; t < nt; t++)
            seen[touched[t]] = 0;
    }
    rc = 0;

cleanup:
    if (rc == DT_ENOMEM)
        oom(p);
    free(start);
    free(order);
    free(fill);
    free(npsu_h);
    free(in_design);
    free(seen);
    free(touched);
    free(acc);
    free(list);
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

static int by_key(const void *pa, const void *pb)
{
    return ind_key_cmp(((const ind_group *)pa)->key, ((const ind_group *)pb)->key);
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

/* The province's report from a pass already estimated at another level: the same households
 * in one group (the design, strata and PSUs, is the same). p's households are regrouped in
 * place. Returns 0 or DT_ENOMEM. */
static int province_from(ind_report **out, pass *p)
{
    ind_report *r = calloc(1, sizeof(*r)), *by = p->r;
    pass q = *p; /* shares the design maps and the households, read only */
    int rc = DT_ENOMEM;

    memset(&q.groups, 0, sizeof(q.groups));
    q.gcap = 0;
    q.r = r;
    if (!r)
        goto cleanup;
    r->level = IND_PROVINCE;
    r->lonely_psu = by->lonely_psu;
    r->status = strdup(by->status);
    r->form_id = strdup(by->form_id);
    r->units = strdup(by->units);
    if (!r->status || !r->form_id || !r->units || group_of(&q) != 0)
        goto cleanup;
    memcpy(r->placed, by->placed, sizeof(r->placed));
    r->cases = r->groups[0].cases = by->cases;
    r->households = r->groups[0].households = by->households;
    r->persons = r->groups[0].persons = by->persons;
    r->refusals = r->groups[0].refusals = by->refusals;
    r->duplicates = by->duplicates;
    r->design_fallback = by->design_fallback;
    for (size_t i = 0; i < p->nhh; i++)
        p->hh[i].group = 0;
    if ((rc = estimate(&q)))
        goto cleanup;
    *out = r;
    r = NULL;
cleanup:
    ind_map_free(&q.groups);
    ind_report_free(r);
    return rc ? err_set(p->err, DT_ENOMEM, "out of memory computing the indicators") : DT_OK;
}

static int compute(ind_report **out, ind_report **province, store *s, ind_level level,
                   const char *status, const ind_options *o, dt_err *err);

int ind_compute(ind_report **out, store *s, ind_level level, const char *status, dt_err *err)
{
    return compute(out, NULL, s, level, status, NULL, err);
}

int ind_compute_opts(ind_report **out, store *s, ind_level level, const char *status,
                     const ind_options *o, dt_err *err)
{
    return compute(out, NULL, s, level, status, o, err);
}

int ind_compute_pair(ind_report **out, ind_report **province, store *s, ind_level level,
                     const char *status, dt_err *err)
{
    return compute(out, province, s, level, status, NULL, err);
}

static int compute(ind_report **out, ind_report **province, store *s, ind_level level,
                   const char *status, const ind_options *o, dt_err *err)
{
    ind_report *r = calloc(1, sizeof(*r));
    pass p = {0};
    int rc = DT_ENOMEM;

    *out = NULL;
    if (province)
        *province = NULL;
    if (!r)
        return err_set(err, DT_ENOMEM, "out of memory computing the indicators");
    r->level = level;
    r->lonely_psu = svy_lonely_name(SVY_LONELY_ADJUST);
    r->status = strdup(status ? status : "all");
    p.r = r;
    p.err = err;
    p.opt = o && o->nonresponse ? o : NULL;
    p.f = household_form(s);
    if (p.f && (rc = placer_open(&p.pl, s, form_id(p.f), err)))
        goto cleanup;
    if (p.f && level == IND_FORMER_DISTRICT && !placer_table(p.pl)) {
        rc = err_set(err, DT_EINVAL,
                     "indicators by former district need a table of units, and version %d of %s "
                     "declares none (its \"geography\": docs/geography.md)",
                     form_version(p.f), form_id(p.f));
        goto cleanup;
    }
    r->form_id = strdup(p.f ? form_id(p.f) : "");
    r->units = strdup(p.f && form_geo_table(p.f) ? form_geo_table(p.f) : "");
    if (!r->status || !r->form_id || !r->units)
        goto fail;

    if (level == IND_PROVINCE && group_of(&p) < 0) /* the province exists even with no case */
        goto fail;
    if (p.opt && (rc = ind_read_frame(&p, s)))
        goto cleanup;
    if (p.f) {
        rc = store_each_case(s, form_id(p.f), status, STORE_EACH_ANY_ORDER, each, &p, err);
        if (rc)
            goto cleanup;
    }
    if (p.opt && (rc = ind_adjust_nonresponse(&p)))
        goto cleanup;
    if ((rc = estimate(&p)))
        goto cleanup;
    if (province && (rc = province_from(province, &p)))
        goto cleanup;
    if (r->ngroups > 1)
        qsort(r->groups, r->ngroups, sizeof(*r->groups), by_key);
    *out = r;
    r = NULL;
    rc = 0;
    goto cleanup;

fail:
    rc = err_set(err, DT_ENOMEM, "out of memory computing the indicators");
cleanup:
    ind_report_free(r);
    ind_map_free(&p.groups);
    ind_map_free(&p.strata);
    ind_map_free(&p.psus);
    free(p.psu_stratum);
    free(p.hh);
    ind_frame_free(&p);
    placer_close(p.pl);
    return rc;
}

void ind_report_free(ind_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ngroups; i++) {
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
    free(r->units);
    free(r->status);
    free(r->form_id);
    free(r);
}
