/* indicators_out.c - an indicator report written out: JSON, a text table for people, CSV */
#include "indicators_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "place.h"
#include "survey.h"
#include "utf8.h"

#define OUT_MAX (64u << 20) /* a CSV or table line buffer: far above any real report */

/* ---- JSON */

static cJSON *number(double d)
{
    return isfinite(d) ? cJSON_CreateNumber(d) : cJSON_CreateNull();
}

static int add(cJSON *o, const char *key, cJSON *v)
{
    if (!v)
        return -1;
    if (!cJSON_AddItemToObject(o, key, v)) {
        cJSON_Delete(v);
        return -1;
    }
    return 0;
}

static const char *value_note(const ind_value *v)
{
    if (!v->measurable)
        return ind_out_of_scope;
    if (!v->defined)
        return "no unit in the denominator";
    return NULL;
}

/* {"estimate", "se"}, or null when there is no difference. */
static cJSON *diff_json(double d, double se)
{
    cJSON *o;

    if (!isfinite(d))
        return cJSON_CreateNull();
    if (!(o = cJSON_CreateObject()))
        return NULL;
    if (add(o, "estimate", cJSON_CreateNumber(d)) || add(o, "se", number(se)) ||
        add(o, "ci_low", number(d - SVY_Z95 * se)) || add(o, "ci_high", number(d + SVY_Z95 * se))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *value_json(const ind_value *v)
{
    cJSON *o = cJSON_CreateObject();
    const char *note = value_note(v);
    int bad = !o;

    if (bad)
        return NULL;
    bad |= add(o, "code", cJSON_CreateString(v->code));
    bad |= add(o, "label_vi", cJSON_CreateString(v->label_vi));
    bad |= add(o, "label_en", cJSON_CreateString(v->label_en));
    bad |= add(o, "unit", cJSON_CreateString(v->unit));
    bad |= add(o, "unit_kind", cJSON_CreateString(v->unit_kind));
    bad |= add(o, "target", cJSON_CreateNumber(v->target));
    bad |= add(o, "measurable", cJSON_CreateBool(v->measurable));
    bad |= add(o, "estimate", number(v->estimate));
    bad |= add(o, "se", number(v->se));
    bad |= add(o, "ci_low", number(v->ci_low));
    bad |= add(o, "ci_high", number(v->ci_high));
    bad |= add(o, "numerator", v->measurable ? cJSON_CreateNumber(v->num_w) : cJSON_CreateNull());
    bad |= add(o, "denominator", v->measurable ? cJSON_CreateNumber(v->den_w) : cJSON_CreateNull());
    bad |= add(o, "n_numerator", cJSON_CreateNumber((double)v->n_num));
    bad |= add(o, "n_units", cJSON_CreateNumber((double)v->n_units));
    bad |= add(o, "households", cJSON_CreateNumber((double)v->n_households));
    bad |= add(o, "gap", number(v->gap));
    bad |= add(o, "weighted", cJSON_CreateBool(v->weighted));
    bad |= add(o, "ci_method", cJSON_CreateString(ind_ci_method_name(v->ci_method)));
    bad |= add(o, "total", number(v->weighted && v->measurable ? v->num_w : NAN));
    bad |= add(o, "total_se", number(v->total_se));
    bad |= add(o, "total_ci_low", number(v->total_low));
    bad |= add(o, "total_ci_high", number(v->total_high));
    bad |= add(o, "deff", number(v->deff));
    bad |= add(o, "diff_reference", diff_json(v->diff_ref, v->diff_ref_se));
    bad |= add(o, "diff_province", diff_json(v->diff_prov, v->diff_prov_se));
    bad |= add(o, "replicates_dropped",
               v->ci_method == IND_CI_REPLICATE ? cJSON_CreateNumber((double)v->reps_dropped)
                                                : cJSON_CreateNull());
    bad |= add(o, "note", note ? cJSON_CreateString(note) : cJSON_CreateNull());
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* {"category", "label"} of a domain's group, null for a whole group. */
static cJSON *domain_json(const ind_group *g)
{
    cJSON *o;

    if (!g->domain)
        return cJSON_CreateNull();
    if (!(o = cJSON_CreateObject()))
        return NULL;
    if (add(o, "category", cJSON_CreateString(g->domain)) ||
        add(o, "label", cJSON_CreateString(g->domain_name))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *group_json(const ind_group *g)
{
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    int bad = !o || !arr;

    if (!bad) {
        bad |= add(o, "key", cJSON_CreateString(g->key));
        bad |= add(o, "name", cJSON_CreateString(g->name));
        bad |= add(o, "name_en", cJSON_CreateString(g->name_en));
        bad |= add(o, "former_districts", cJSON_CreateString(g->former_districts));
        bad |= add(o, "cases", cJSON_CreateNumber((double)g->cases));
        bad |= add(o, "households", cJSON_CreateNumber((double)g->households));
        bad |= add(o, "persons", cJSON_CreateNumber((double)g->persons));
        bad |= add(o, "refusals", cJSON_CreateNumber((double)g->refusals));
        bad |= add(o, "no_weight", cJSON_CreateNumber((double)g->no_weight));
        bad |= add(o, "domain", domain_json(g));
        for (int k = 0; k < IND_COUNT && !bad; k++) {
            cJSON *v = value_json(&g->ind[k]);
            if (!v || !cJSON_AddItemToArray(arr, v)) {
                cJSON_Delete(v);
                bad = 1;
            }
        }
        bad |= add(o, "indicators", arr);
        arr = NULL;
    }
    cJSON_Delete(arr);
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* {"as_recorded": N, "mapped": N, "by_frame": N, "ambiguous": N, "unknown": N} */
static cJSON *placed_json(const ind_report *r)
{
    cJSON *o = cJSON_CreateObject();

    for (int h = PLACE_AS_RECORDED; o && h < PLACE_NO_TABLE; h++)
        if (add(o, place_how_name((place_how)h), cJSON_CreateNumber((double)r->placed[h]))) {
            cJSON_Delete(o);
            return NULL;
        }
    return o;
}

static cJSON *unplaced_json(const ind_report *r)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t i = 0; arr && i < r->nunplaced; i++) {
        const ind_unplaced *u = &r->unplaced[i];
        cJSON *o = cJSON_CreateObject();
        int bad = !o || !cJSON_AddItemToArray(arr, o);
        if (bad)
            cJSON_Delete(o);
        bad = bad || add(o, "case_id", cJSON_CreateString(u->case_id)) ||
              add(o, "form_version", cJSON_CreateNumber(u->form_version)) ||
              add(o, "how", cJSON_CreateString(u->how)) ||
              add(o, "recorded", cJSON_CreateString(u->recorded)) ||
              add(o, "candidates", cJSON_CreateString(u->candidates));
        if (bad) {
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return arr;
}

/* The nonresponse adjustment, or JSON null when the weights are the frame's. */
static cJSON *nonresponse_json(const ind_report *r)
{
    cJSON *o, *arr;

    if (!r->nr_by)
        return cJSON_CreateNull();
    if (!(o = cJSON_CreateObject()))
        return NULL;
    int bad = add(o, "classes_by", cJSON_CreateString(r->nr_by));
    bad |= add(o, "min_respondents", cJSON_CreateNumber((double)r->nr_min));
    bad |= add(o, "max_factor", cJSON_CreateNumber(r->nr_max));
    bad |= add(o, "sampled", cJSON_CreateNumber((double)r->nr_sampled));
    bad |= add(o, "responded", cJSON_CreateNumber((double)r->nr_responded));
    bad |= add(o, "refused", cJSON_CreateNumber((double)r->nr_refused));
    bad |= add(o, "not_reached", cJSON_CreateNumber((double)r->nr_not_reached));
    bad |= add(o, "classes", arr = cJSON_CreateArray());
    for (size_t k = 0; k < r->nnr && !bad; k++) {
        const ind_nr_class *c = &r->nr[k];
        cJSON *e = cJSON_CreateObject();
        bad |= !e || !cJSON_AddItemToArray(arr, e);
        if (bad) {
            cJSON_Delete(e);
            break;
        }
        bad |= add(e, "key", cJSON_CreateString(c->key));
        bad |= add(e, "sampled", cJSON_CreateNumber((double)c->sampled));
        bad |= add(e, "responded", cJSON_CreateNumber((double)c->responded));
        bad |= add(e, "response_rate", number(c->rate));
        bad |= add(e, "factor", number(c->factor));
        bad |= add(e, "collapsed_into",
                   c->into == k ? cJSON_CreateNull() : cJSON_CreateString(r->nr[c->into].key));
    }
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* The calibration, or null. */
static cJSON *calibration_json(const ind_report *r)
{
    cJSON *o, *arr;

    if (!r->cal_file)
        return cJSON_CreateNull();
    if (!(o = cJSON_CreateObject()))
        return NULL;
    int bad = add(o, "file", cJSON_CreateString(r->cal_file));
    bad |= add(o, "calfun", cJSON_CreateString(r->cal_fn));
    bad |= add(o, "lower", number(r->cal_lower));
    bad |= add(o, "upper", number(r->cal_upper));
    bad |= add(o, "iterations", cJSON_CreateNumber(r->cal_iterations));
    bad |= add(o, "misfit", number(r->cal_misfit));
    bad |= add(o, "factor_min", number(r->cal_g_min));
    bad |= add(o, "factor_max", number(r->cal_g_max));
    bad |= add(o, "margins", arr = cJSON_CreateArray());
    for (size_t k = 0; k < r->ncal && !bad; k++) {
        const ind_cal_margin *m = &r->cal[k];
        cJSON *e = cJSON_CreateObject();
        if (!e || !cJSON_AddItemToArray(arr, e)) {
            cJSON_Delete(e);
            bad = 1;
            break;
        }
        bad |= add(e, "margin", cJSON_CreateString(m->margin));
        bad |= add(e, "category", cJSON_CreateString(m->category));
        bad |= add(e, "total", cJSON_CreateNumber(m->total));
        bad |= add(e, "before", cJSON_CreateNumber(m->before));
        bad |= add(e, "after", cJSON_CreateNumber(m->after));
    }
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* {"method", "replicates", "seed"}: how the standard errors were computed. */
static cJSON *variance_json(const ind_report *r)
{
    cJSON *o = cJSON_CreateObject();

    if (!o || add(o, "method", cJSON_CreateString(r->variance ? r->variance : "taylor")) ||
        add(o, "replicates", cJSON_CreateNumber((double)r->reps)) ||
        add(o, "seed", r->seed ? cJSON_CreateNumber((double)r->seed) : cJSON_CreateNull())) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* {"question", "reference"} of the report's domain, or null. */
static cJSON *report_domain_json(const ind_report *r)
{
    cJSON *o;

    if (!r->domain)
        return cJSON_CreateNull();
    if (!(o = cJSON_CreateObject()))
        return NULL;
    if (add(o, "question", cJSON_CreateString(r->domain)) ||
        add(o, "reference", cJSON_CreateString(r->domain_ref))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int ind_report_json(cJSON **out, const ind_report *r, dt_err *err)
{
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    int bad = !o || !arr;

    *out = NULL;
    if (!bad) {
        bad |= add(o, "level", cJSON_CreateString(ind_level_name(r->level)));
        bad |= add(o, "status", cJSON_CreateString(r->status));
        bad |= add(o, "form_id", cJSON_CreateString(r->form_id));
        bad |= add(o, "weighted", cJSON_CreateBool(r->weighted));
        bad |= add(o, "ci_method", cJSON_CreateString(ind_ci_method_name(r->ci_method)));
        bad |= add(o, "lonely_psu", cJSON_CreateString(r->lonely_psu));
        bad |= add(o, "cases", cJSON_CreateNumber((double)r->cases));
        bad |= add(o, "households", cJSON_CreateNumber((double)r->households));
        bad |= add(o, "persons", cJSON_CreateNumber((double)r->persons));
        bad |= add(o, "refusals", cJSON_CreateNumber((double)r->refusals));
        bad |= add(o, "no_weight", cJSON_CreateNumber((double)r->no_weight));
        bad |= add(o, "design_fallback", cJSON_CreateNumber((double)r->design_fallback));
        bad |= add(o, "strata", cJSON_CreateNumber((double)r->strata));
        bad |= add(o, "psus", cJSON_CreateNumber((double)r->psus));
        bad |= add(o, "lonely_strata", cJSON_CreateNumber((double)r->lonely_strata));
        bad |= add(o, "duplicates", cJSON_CreateNumber((double)r->duplicates));
        bad |= add(o, "units", cJSON_CreateString(r->units));
        bad |= add(o, "placed", placed_json(r));
        bad |= add(o, "nonresponse", nonresponse_json(r));
        bad |= add(o, "calibration", calibration_json(r));
        bad |= add(o, "variance", variance_json(r));
        bad |= add(o, "domain", report_domain_json(r));
        bad |= add(o, "unplaced", unplaced_json(r));
        for (size_t i = 0; i < r->ngroups && !bad; i++) {
            cJSON *g = group_json(&r->groups[i]);
            if (!g || !cJSON_AddItemToArray(arr, g)) {
                cJSON_Delete(g);
                bad = 1;
            }
        }
        bad |= add(o, "groups", arr);
        arr = NULL;
    }
    cJSON_Delete(arr);
    if (bad) {
        cJSON_Delete(o);
        return err_set(err, DT_ENOMEM, "out of memory writing the indicators");
    }
    *out = o;
    return 0;
}

/* ---- the table */

/* Writes s padded with spaces to width characters (code points), then a space. */
static void pad(FILE *fp, const char *s, size_t width, int right)
{
    size_t n = utf8_length(s, strlen(s));
    if (right)
        for (size_t i = n; i < width; i++)
            fputc(' ', fp);
    fputs(s, fp);
    if (!right)
        for (size_t i = n; i < width; i++)
            fputc(' ', fp);
    fputc(' ', fp);
}

static void fmt(char *out, size_t size, double d, const char *suffix)
{
    if (isfinite(d))
        snprintf(out, size, "%.1f%s", d, suffix);
    else
        snprintf(out, size, "-");
}

static const char *unit_word(const ind_value *v, long n)
{
    if (strcmp(v->unit_kind, "household") == 0)
        return n == 1 ? "household" : "households";
    return n == 1 ? "person" : "persons";
}

/* The weighting classes: one line for the adjustment, one per class. */
static void nonresponse_note(FILE *fp, const ind_report *r)
{
    if (!r->nr_by)
        return;
    fprintf(fp,
            "Nonresponse: weights adjusted in classes by %s (a class needs %ld respondents and "
            "a factor of at most %g, else it joins the next): %ld households of the frame, %ld "
            "responded, %ld refused, %ld not reached.\n",
            r->nr_by, r->nr_min, r->nr_max, r->nr_sampled, r->nr_responded, r->nr_refused,
            r->nr_not_reached);
    for (size_t k = 0; k < r->nnr; k++) {
        const ind_nr_class *c = &r->nr[k];
        fprintf(fp, "  class %s: %ld of %ld responded (weighted %.1f%%), factor %.4f", c->key,
                c->responded, c->sampled, 100.0 * c->rate, c->factor);
        if (c->into != k)
            fprintf(fp, " (with class %s)", r->nr[c->into].key);
        fputs("\n", fp);
    }
}

/* The calibration: one line for it, one per margin. */
static void calibration_note(FILE *fp, const ind_report *r)
{
    if (!r->cal_file)
        return;
    fprintf(fp,
            "Calibration: %s, to the %zu totals of %s, in %d step%s (largest misfit left "
            "%.2g); factors %.4f to %.4f",
            r->cal_fn, r->ncal, r->cal_file, r->cal_iterations, r->cal_iterations == 1 ? "" : "s",
            r->cal_misfit, r->cal_g_min, r->cal_g_max);
    if (isfinite(r->cal_lower) || isfinite(r->cal_upper))
        fprintf(fp, " (bounds %g to %g)", r->cal_lower, r->cal_upper);
    fputs(".\n", fp);
    for (size_t k = 0; k < r->ncal; k++)
        fprintf(fp, "  %s%s%s: known %.10g, weights before %.10g, after %.10g\n", r->cal[k].margin,
                r->cal[k].category[0] ? " " : "", r->cal[k].category, r->cal[k].total,
                r->cal[k].before, r->cal[k].after);
}

static void method_note(FILE *fp, const ind_report *r)
{
    if (r->ci_method == IND_CI_REPLICATE)
        fprintf(fp, "from %ld %s replicate weights (%s", r->reps, r->variance,
                r->cal_file ? "the calibration redone in each" : "the weights as they are");
    else
        fprintf(fp,
                "Taylor linearization of the ratio%s (strata and PSUs from the frame, PSUs "
                "with replacement within strata",
                r->cal_file ? ", of the calibration's residuals" : "");
    if (r->seed)
        fprintf(fp, "; seed %llu", r->seed);
    fputs("), z = 1.96", fp);
}

void ind_report_note(FILE *fp, const ind_report *r)
{
    if (r->weighted) {
        fputs("Design: weighted (sample weights from the frame); 95% CI: ", fp);
        method_note(fp, r);
        fprintf(fp, "; %ld strata, %ld PSUs", r->strata, r->psus);
        if (r->lonely_strata)
            fprintf(fp, "; %ld single-PSU strat%s (rule: %s)", r->lonely_strata,
                    r->lonely_strata == 1 ? "um" : "a", r->lonely_psu);
        fputs(".\n", fp);
        if (r->no_weight)
            fprintf(fp, "Left out: %ld completed interview%s without a sample weight.\n",
                    r->no_weight, r->no_weight == 1 ? "" : "s");
        nonresponse_note(fp, r);
        calibration_note(fp, r);
        if (r->design_fallback)
            fprintf(fp,
                    "Design fallback: %ld case%s without a stratum/PSU in the frame: stratum = "
                    "district answer, PSU = commune_code/village.\n",
                    r->design_fallback, r->design_fallback == 1 ? "" : "s");
    } else {
        fputs("Design: unweighted (no sample weights); 95% CI: Wilson binomial interval on the "
              "units (binomial, no design).\n",
              fp);
    }
    if (r->duplicates)
        fprintf(fp,
                "Possible duplicates: %ld cases flagged (kept in the estimates; see "
                "`syncd review list`).\n",
                r->duplicates);
    ind_report_placement(fp, r);
}

void ind_report_placement(FILE *fp, const ind_report *r)
{
    if (!r->units[0])
        return;
    place_print_counts(fp, r->units, r->placed);
    for (size_t i = 0; i < r->nunplaced; i++) {
        const ind_unplaced *u = &r->unplaced[i];
        fprintf(fp, "  not placed: case %s (version %d): %s code '%s'%s%s\n", u->case_id,
                u->form_version, u->how, u->recorded, u->candidates[0] ? ", split between " : "",
                u->candidates);
    }
}

/* A difference and its interval: "-3.2 [-5.1, -1.3]", or "-". */
static void diff_text(char *out, size_t size, double d, double se)
{
    if (isfinite(d) && isfinite(se))
        snprintf(out, size, "%+.1f [%+.1f, %+.1f]", d, d - SVY_Z95 * se, d + SVY_Z95 * se);
    else
        snprintf(out, size, "-");
}

/* The extra columns a report has: totals and design effects when weighted, differences from
 * the reference category (a domain) and from the province (another level). */
typedef struct table_cols {
    int weighted, ref, prov;
    size_t lw;
} table_cols;

static void group_head(FILE *fp, const ind_report *r, const ind_group *g, const table_cols *c)
{
    fputc('\n', fp);
    if (r->level == IND_PROVINCE)
        fprintf(fp, "%s — %s", g->name, g->name_en);
    else if (r->level == IND_FORMER_DISTRICT || !g->former_districts[0])
        fprintf(fp, "%s %s — %s", g->key, g->name, g->name_en);
    else
        fprintf(fp, "%s %s — %s (former district %s)", g->key, g->name, g->name_en,
                g->former_districts);
    if (g->domain && strcmp(g->domain, g->domain_name))
        fprintf(fp, ", %s = %s %s", r->domain, g->domain, g->domain_name);
    else if (g->domain)
        fprintf(fp, ", %s = %s", r->domain, g->domain);
    fprintf(fp, ": %ld household%s, %ld person%s, %ld refusal%s\n", g->households,
            g->households == 1 ? "" : "s", g->persons, g->persons == 1 ? "" : "s", g->refusals,
            g->refusals == 1 ? "" : "s");
    pad(fp, "code", 4, 0);
    pad(fp, "indicator", c->lw, 0);
    pad(fp, "estimate", 8, 1);
    pad(fp, "95% CI", 14, 0);
    pad(fp, "target", 6, 1);
    pad(fp, "gap", 6, 1);
    pad(fp, "n (units)", 18, 1);
    pad(fp, "households", 10, 1);
    if (c->weighted) {
        pad(fp, "total", 12, 1);
        pad(fp, "deff", 5, 1);
    }
    if (c->ref)
        pad(fp, "vs reference", 22, 0);
    if (c->prov)
        pad(fp, "vs province", 22, 0);
    fputc('\n', fp);
}

static void value_row(FILE *fp, const ind_value *v, const table_cols *c)
{
    char label[512], est[32], ci[64], target[32], gap[32], n[48], lo[16], hi[16], nh[24];
    char tot[32], deff[16], dref[64], dprov[64];

    snprintf(label, sizeof(label), "%s — %s", v->label_vi, v->label_en);
    snprintf(target, sizeof(target), "%g", v->target);
    pad(fp, v->code, 4, 0);
    if (!v->measurable) {
        fprintf(fp, "%s: %s; target %s%%\n", label, ind_out_of_scope, target);
        return;
    }
    pad(fp, label, c->lw, 0);
    fmt(est, sizeof(est), v->estimate, "%");
    fmt(lo, sizeof(lo), v->ci_low, "");
    fmt(hi, sizeof(hi), v->ci_high, "");
    if (v->defined)
        snprintf(ci, sizeof(ci), "[%s, %s]", lo, hi);
    else
        snprintf(ci, sizeof(ci), "-");
    fmt(gap, sizeof(gap), v->gap, "");
    snprintf(n, sizeof(n), "%ld %s", v->n_units, unit_word(v, v->n_units));
    snprintf(nh, sizeof(nh), "%ld", v->n_households);
    pad(fp, est, 8, 1);
    pad(fp, ci, 14, 0);
    pad(fp, target, 6, 1);
    pad(fp, gap, 6, 1);
    pad(fp, n, 18, 1);
    pad(fp, nh, 10, 1);
    if (c->weighted) {
        snprintf(tot, sizeof(tot), "%.0f", v->num_w);
        snprintf(deff, sizeof(deff), isfinite(v->deff) ? "%.2f" : "-", v->deff);
        pad(fp, tot, 12, 1);
        pad(fp, deff, 5, 1);
    }
    diff_text(dref, sizeof(dref), v->diff_ref, v->diff_ref_se);
    diff_text(dprov, sizeof(dprov), v->diff_prov, v->diff_prov_se);
    if (c->ref)
        pad(fp, dref, 22, 0);
    if (c->prov)
        pad(fp, dprov, 22, 0);
    fputc('\n', fp);
}

int ind_report_table(FILE *fp, const ind_report *r, dt_err *err)
{
    table_cols c = {.weighted = r->weighted,
                    .ref = r->weighted && r->domain,
                    .prov = r->weighted && r->level != IND_PROVINCE,
                    .lw = strlen("indicator")};

    for (int k = 0; k < IND_COUNT; k++) {
        char label[512];
        snprintf(label, sizeof(label), "%s — %s", ind_defs[k].label_vi, ind_defs[k].label_en);
        size_t n = utf8_length(label, strlen(label));
        if (k < IND_NEST && n > c.lw)
            c.lw = n;
    }
    fprintf(fp,
            "Chỉ tiêu chuyển đổi số 2025 — 2025 digital-plan indicators (%s, by %s, %s cases)\n",
            r->form_id[0] ? r->form_id : "no form published", ind_level_name(r->level), r->status);
    for (size_t i = 0; i < r->ngroups; i++) {
        group_head(fp, r, &r->groups[i], &c);
        for (int k = 0; k < IND_COUNT; k++)
            value_row(fp, &r->groups[i].ind[k], &c);
    }
    fputc('\n', fp);
    fputs("gap = target - estimate, percentage points (> 0: short of the 2025 target).\n", fp);
    if (c.weighted)
        fputs("total = the estimated number of households or persons in the numerator; deff = "
              "the variance over a simple random sample's of the same size.\n",
              fp);
    if (c.ref)
        fprintf(fp,
                "vs reference = the estimate minus that of %s = %s in the same group, "
                "with its 95%% CI (percentage points).\n",
                r->domain, r->domain_ref);
    if (c.prov)
        fputs("vs province = the estimate minus the province's (the same category), with its "
              "95% CI (percentage points).\n",
              fp);
    long all = r->cases;
    fprintf(fp, "Refusals (non-response, left out of every estimate): %ld of %ld cases",
            r->refusals, all);
    if (all)
        fprintf(fp, " (%.1f%%)", 100.0 * (double)r->refusals / (double)all);
    fputs(".\n", fp);
    ind_report_note(fp, r);
    if (fflush(fp) || ferror(fp))
        return err_set(err, DT_EIO, "writing the indicator table failed");
    return 0;
}

/* ---- CSV */

static void csv_num(char *out, size_t size, double d)
{
    if (isfinite(d))
        snprintf(out, size, "%.10g", d);
    else
        out[0] = '\0';
}

int ind_report_csv(FILE *fp, const ind_report *r, dt_err *err)
{
    static const char *const header[] = {
        "level",
        "key",
        "name",
        "code",
        "label_vi",
        "label_en",
        "unit",
        "target",
        "measurable",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "numerator",
        "denominator",
        "n_numerator",
        "n_units",
        "households",
        "gap",
        "weighted",
        "ci_method",
        "refusals",
        "domain",
        "domain_label",
        "total_se",
        "total_ci_low",
        "total_ci_high",
        "deff",
        "diff_reference",
        "diff_reference_se",
        "diff_province",
        "diff_province_se",
    };
    enum { NF = sizeof(header) / sizeof(header[0]) };
    buf b;
    int rc = 0;

    buf_init(&b, OUT_MAX);
    if (csv_write_record(&b, header, NF))
        goto nomem;
    for (size_t i = 0; i < r->ngroups; i++) {
        const ind_group *g = &r->groups[i];
        for (int k = 0; k < IND_COUNT; k++) {
            const ind_value *v = &g->ind[k];
            char target[32], est[32], se[32], lo[32], hi[32], nw[32], dw[32], nn[32], nu[32],
                nh[32], gap[32], ref[32];
            csv_num(target, sizeof(target), v->target);
            csv_num(est, sizeof(est), v->estimate);
            csv_num(se, sizeof(se), v->se);
            csv_num(lo, sizeof(lo), v->ci_low);
            csv_num(hi, sizeof(hi), v->ci_high);
            csv_num(nw, sizeof(nw), v->measurable ? v->num_w : NAN);
            csv_num(dw, sizeof(dw), v->measurable ? v->den_w : NAN);
            csv_num(gap, sizeof(gap), v->gap);
            snprintf(nn, sizeof(nn), "%ld", v->n_num);
            snprintf(nu, sizeof(nu), "%ld", v->n_units);
            snprintf(nh, sizeof(nh), "%ld", v->n_households);
            snprintf(ref, sizeof(ref), "%ld", g->refusals);
            const double extra[] = {v->total_se, v->total_low,   v->total_high, v->deff,
                                    v->diff_ref, v->diff_ref_se, v->diff_prov,  v->diff_prov_se};
            char xs[8][32];
            for (int q = 0; q < 8; q++)
                csv_num(xs[q], sizeof(xs[q]), extra[q]);
            const char *f[NF] = {
                ind_level_name(r->level),
                g->key,
                g->name,
                v->code,
                v->label_vi,
                v->label_en,
                v->unit,
                target,
                v->measurable ? "1" : "0",
                est,
                se,
                lo,
                hi,
                nw,
                dw,
                nn,
                nu,
                nh,
                gap,
                v->weighted ? "1" : "0",
                ind_ci_method_name(v->ci_method),
                ref,
                g->domain ? g->domain : "",
                g->domain ? g->domain_name : "",
                xs[0],
                xs[1],
                xs[2],
                xs[3],
                xs[4],
                xs[5],
                xs[6],
                xs[7],
            };
            if (csv_write_record(&b, f, NF))
                goto nomem;
        }
    }
    if (b.len && fwrite(b.data, 1, b.len, fp) != b.len)
        rc = err_set(err, DT_EIO, "writing the indicator CSV failed");
    else if (fflush(fp) || ferror(fp))
        rc = err_set(err, DT_EIO, "writing the indicator CSV failed");
    buf_free(&b);
    return rc;

nomem:
    buf_free(&b);
    return err_set(err, DT_ENOMEM, "out of memory writing the indicator CSV");
}
