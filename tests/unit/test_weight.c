/* test_weight.c - nonresponse classes, calibration and replicate weights against small cases
 * worked by hand (R's survey package checks them on generated designs: tests/r) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "replicate.h"
#include "weight.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static void near(double got, double want, double eps)
{
    if (!(fabs(got - want) <= eps))
        fail_msg("got %.12f, want %.12f", got, want);
}

/* Class 0: four households of weight 10, three respond: factor 40/30.
 * Class 1: two of weight 20, both respond: factor 1. */
static void test_weight__each_class_takes_the_inverse_of_its_weighted_response_rate(void **state)
{
    (void)state;
    const wt_nr_unit u[] = {{10, 0, 1}, {10, 0, 1}, {10, 0, 1}, {10, 0, 0}, {20, 1, 1}, {20, 1, 1}};
    wt_nr_rule rule = {.min_respondents = 1, .max_factor = 0};
    wt_nr_class c[2];
    double w[LEN(u)];

    assert_int_equal(wt_nonresponse(w, c, 2, u, LEN(u), &rule), 0);
    near(c[0].rate, 0.75, 1e-15);
    near(c[0].factor, 4.0 / 3.0, 1e-15);
    near(c[1].factor, 1.0, 1e-15);
    assert_int_equal(c[0].into, 0);
    assert_int_equal(c[1].into, 1);
    near(w[0], 40.0 / 3.0, 1e-12);
    near(w[3], 0.0, 0);
    near(w[4], 20.0, 1e-15);
    /* the respondents carry the whole class: 3 * 40/3 = 40 */
    near(w[0] + w[1] + w[2], 40.0, 1e-12);
}

/* The same, but a class needs 3 respondents: class 1 (2) is the last, so it joins class 0:
 * one group of weight 80 with 70 responding, factor 8/7 for all. */
static void test_weight__a_small_class_is_collapsed_into_its_neighbour(void **state)
{
    (void)state;
    const wt_nr_unit u[] = {{10, 0, 1}, {10, 0, 1}, {10, 0, 1}, {10, 0, 0}, {20, 1, 1}, {20, 1, 1}};
    wt_nr_rule rule = {.min_respondents = 3, .max_factor = 0};
    wt_nr_class c[2];
    double w[LEN(u)];

    assert_int_equal(wt_nonresponse(w, c, 2, u, LEN(u), &rule), 0);
    assert_int_equal(c[1].into, 0);
    near(c[0].factor, 80.0 / 70.0, 1e-15);
    near(c[1].factor, 80.0 / 70.0, 1e-15);
    near(c[1].rate, 1.0, 0); /* its own rate is still reported */
    near(w[4], 20.0 * 8.0 / 7.0, 1e-12);
}

/* A factor above the limit collapses too: class 0 has 1 of 4 responding (factor 4 > 2) and
 * joins class 1: (40 + 40) / (10 + 40) = 1.6. */
static void test_weight__a_factor_above_the_limit_is_collapsed(void **state)
{
    (void)state;
    const wt_nr_unit u[] = {{10, 0, 1}, {10, 0, 0}, {10, 0, 0}, {10, 0, 0}, {20, 1, 1}, {20, 1, 1}};
    wt_nr_rule rule = {.min_respondents = 1, .max_factor = 2.0};
    wt_nr_class c[3];
    double w[LEN(u)];

    assert_int_equal(wt_nonresponse(w, c, 3, u, LEN(u), &rule), 0); /* class 2 is empty */
    assert_int_equal(c[0].into, 0);
    assert_int_equal(c[1].into, 0);
    near(c[0].factor, 1.6, 1e-15);
    assert_true(isnan(c[2].rate));
}

static void test_weight__no_respondent_or_a_bad_weight_is_refused(void **state)
{
    (void)state;
    const wt_nr_unit none[] = {{10, 0, 0}}, bad[] = {{0, 0, 1}}, out[] = {{1, 5, 1}};
    wt_nr_rule rule = {.min_respondents = 1};
    wt_nr_class c[1];
    double w[1];

    assert_int_equal(wt_nonresponse(w, c, 1, none, 1, &rule), -1);
    assert_int_equal(wt_nonresponse(w, c, 1, bad, 1, &rule), -1);
    assert_int_equal(wt_nonresponse(w, c, 1, out, 1, &rule), -1);
}

/* A dense n x p matrix (row-major) as the sparse rows calibration reads, zeros left out:
 * static, valid until the next call. */
static const wt_matrix *dense(const double *x, size_t n, size_t p)
{
    static size_t row[17], col[64];
    static double val[64];
    static wt_matrix m;
    size_t nz = 0;

    assert_true(n < 17 && n * p <= 64);
    for (size_t i = 0; i < n; i++) {
        row[i] = nz;
        for (size_t j = 0; j < p; j++)
            if (x[i * p + j] != 0.0) {
                col[nz] = j;
                val[nz++] = x[i * p + j];
            }
    }
    row[n] = nz;
    m = (wt_matrix){n, p, row, col, val};
    return &m;
}

static const wt_cal_opts linear = {WT_LINEAR, -INFINITY, INFINITY, 1e-12, 50};
static const wt_cal_opts raking = {WT_RAKING, -INFINITY, INFINITY, 1e-12, 50};

/* Post-stratification: four units of weight 1, two in each post-stratum, totals 10 and 30:
 * g = 10/2 and 30/2, by linear calibration and by raking alike. */
static void test_weight__one_margin_is_post_stratification(void **state)
{
    (void)state;
    const double d[] = {1, 1, 1, 1}, x[] = {1, 0, 1, 0, 0, 1, 0, 1}, T[] = {10, 30};
    const wt_cal_opts *fns[] = {&linear, &raking};
    double g[4];
    wt_cal_result res;

    for (size_t f = 0; f < LEN(fns); f++) {
        assert_int_equal(wt_calibrate(g, d, dense(x, 4, 2), T, fns[f], &res), 0);
        assert_int_equal(res.status, WT_CAL_OK);
        near(g[0], 5, 1e-9);
        near(g[1], 5, 1e-9);
        near(g[2], 15, 1e-9);
        near(g[3], 15, 1e-9);
        near(res.g_min, 5, 1e-9);
        near(res.g_max, 15, 1e-9);
    }
}

/* Raking a 2x2 table, one unit per cell, to margins A (3, 7) and B (4, 6): iterative
 * proportional fitting ends at w_ab = A_a B_b / 10 = 1.2, 1.8, 2.8, 4.2. The four columns
 * are collinear (both margins add up to 10): the solver must cope. */
static void test_weight__raking_two_margins_is_the_fixed_point_of_ipf(void **state)
{
    (void)state;
    const double d[] = {1, 1, 1, 1}, T[] = {3, 7, 4, 6};
    const double x[] = {1, 0, 1, 0, /* a1 b1 */ 1, 0, 0, 1, /* a1 b2 */
                        0, 1, 1, 0, /* a2 b1 */ 0, 1, 0, 1 /* a2 b2 */};
    const double want[] = {1.2, 1.8, 2.8, 4.2};
    double g[4];
    wt_cal_result res;

    assert_int_equal(wt_calibrate(g, d, dense(x, 4, 4), T, &raking, &res), 0);
    for (int i = 0; i < 4; i++)
        near(g[i], want[i], 1e-9);
    assert_true(res.iterations > 1);
}

/* A margin with a known total that no sample unit has: said, by its column. */
static void test_weight__a_margin_no_unit_has_is_named(void **state)
{
    (void)state;
    const double d[] = {1, 1}, x[] = {1, 0, 0, 0, 1, 0}, T[] = {5, 5, 3};
    double g[2];
    wt_cal_result res;

    assert_int_equal(wt_calibrate(g, d, dense(x, 2, 3), T, &linear, &res), -1);
    assert_int_equal(res.status, WT_CAL_EMPTY);
    assert_int_equal(res.worst, 2);
    /* a column with nothing to reach and no unit is dropped, as R does */
    const double T0[] = {5, 5, 0};
    assert_int_equal(wt_calibrate(g, d, dense(x, 2, 3), T0, &linear, &res), 0);
    near(g[0], 5, 1e-9);
}

/* Bounds that cannot hold the totals: g would have to be 5, the bound is 3. Linear (cut at
 * the bound) cannot converge; logit stays inside its bounds. */
static void test_weight__bounds_that_cannot_be_met_do_not_converge(void **state)
{
    (void)state;
    const double d[] = {1, 1}, x[] = {1, 1}, T[] = {10};
    wt_cal_opts o = {WT_LINEAR, 0.5, 3.0, 1e-9, 30};
    double g[2];
    wt_cal_result res;

    assert_int_equal(wt_calibrate(g, d, dense(x, 2, 1), T, &o, &res), -1);
    assert_int_equal(res.status, WT_CAL_NO_CONVERGE);
    assert_int_equal(res.worst, 0);
    assert_true(res.misfit > 0.1);
    o.fn = WT_LOGIT;
    assert_int_equal(wt_calibrate(g, d, dense(x, 2, 1), T, &o, &res), -1);
    assert_true(g[0] <= 3.0 && g[0] >= 0.5); /* at most at the bound, never past it */
    /* a reachable total: g = 2.5 inside (0.5, 3) */
    const double T2[] = {5};
    assert_int_equal(wt_calibrate(g, d, dense(x, 2, 1), T2, &o, &res), 0);
    near(g[0], 2.5, 1e-9);
    o.lower = -INFINITY; /* logit needs both bounds */
    assert_int_equal(wt_calibrate(g, d, dense(x, 2, 1), T2, &o, &res), -1);
    assert_int_equal(res.status, WT_CAL_BAD);
}

/* Steps that run out while a factor is not a number are not a success: logit bounded to
 * (0.5, 1.5) cannot take a total of 1000 from two units, and one or two steps leave g
 * undefined. */
static void test_weight__factors_that_are_not_numbers_never_pass(void **state)
{
    (void)state;
    const double d[] = {1, 1, 1, 1}, x[] = {1, 0, 1, 0, 0, 1, 0, 1}, T[] = {1000, 2};
    double g[4];
    wt_cal_result res;

    for (int maxit = 1; maxit <= 2; maxit++) {
        wt_cal_opts o = {WT_LOGIT, 0.5, 1.5, 1e-9, maxit};
        assert_int_equal(wt_calibrate(g, d, dense(x, 4, 2), T, &o, &res), -1);
        assert_int_equal(res.status, WT_CAL_NO_CONVERGE);
    }
}

/* A column of signed values that adds up to 0 is still a constraint (R drops only columns
 * that are all zeros): rows A, A + z(+1), B + z(-1), B with totals A 10, B 2, z 0: the
 * calibrated total of z must be 0. */
static void test_weight__a_signed_column_adding_up_to_zero_is_kept(void **state)
{
    (void)state;
    const double d[] = {1, 1, 1, 1}, T[] = {10, 2, 0};
    const double x[] = {1, 0, 0, 1, 0, 1, 0, 1, -1, 0, 1, 0};
    double g[4];
    wt_cal_result res;

    assert_int_equal(wt_calibrate(g, d, dense(x, 4, 3), T, &linear, &res), 0);
    near(g[1] - g[2], 0, 1e-9);
    near(g[0] + g[1], 10, 1e-9);
    near(g[2] + g[3], 2, 1e-9);
}

/* Residuals on post-stratum indicators: z minus its design-weighted mean in the post-stratum:
 * stratum 1: z = 1, 3 with d = 1, 3: mean 10/4 = 2.5: e = -1.5, 0.5; stratum 2: z = 4: 0. */
static void test_weight__residuals_are_within_post_stratum_deviations(void **state)
{
    (void)state;
    const double d[] = {1, 3, 2}, z[] = {1, 3, 4}, x[] = {1, 0, 1, 0, 0, 1};
    double e[3];

    assert_int_equal(wt_cal_residuals(e, z, d, dense(x, 3, 2)), 0);
    near(e[0], -1.5, 1e-12);
    near(e[1], 0.5, 1e-12);
    near(e[2], 0.0, 1e-12);
}

/* ---- replicates */

/* JK1 on three PSUs: replicate r drops PSU r, the others times 3/2; scale 2/3. The mean of
 * y = 1, 2, 6 (one unit each, weight 1): replicates 4, 3.5, 1.5; their mean 3;
 * variance 2/3 * (1 + 0.25 + 2.25) = 7/3 (the textbook s^2/n = 7/3 too). */
static void test_weight__jk1_drops_one_psu_at_a_time(void **state)
{
    (void)state;
    const size_t ps[] = {0, 0, 0};
    const double y[] = {1, 2, 6};
    rep_weights rw;
    double th[3];

    assert_int_equal(rep_make(&rw, REP_JK1, ps, 3, 1, 0, 0), 0);
    assert_int_equal(rw.nrep, 3);
    for (size_t r = 0; r < 3; r++) {
        double sw = 0, swy = 0;
        for (size_t k = 0; k < 3; k++) {
            sw += rw.mult[r * 3 + k];
            swy += rw.mult[r * 3 + k] * y[k];
        }
        th[r] = swy / sw;
    }
    near(th[0], 4, 1e-12);
    near(rep_variance(&rw, th, 3, 0, NULL), 7.0 / 3.0, 1e-12);
    near(rep_variance(&rw, th, 3, 1, NULL), 7.0 / 3.0, 1e-12); /* the mean of replicates is 3 */
    /* a replicate with no estimate (0/0) is left out, as R's na.omit does; all: NaN */
    size_t dropped = 0;
    double m = (th[0] + th[2]) / 2, keep1 = th[1];
    th[1] = NAN;
    near(rep_variance(&rw, th, 3, 0, &dropped),
         2.0 / 3.0 * ((th[0] - m) * (th[0] - m) + (th[2] - m) * (th[2] - m)), 1e-12);
    assert_int_equal(dropped, 1);
    th[0] = th[2] = NAN;
    assert_true(isnan(rep_variance(&rw, th, 3, 0, &dropped)));
    assert_int_equal(dropped, 3);
    th[1] = keep1;
    rep_free(&rw);
}

/* JKn: strata of 2 and 3 PSUs give 5 replicates with rscale 1/2 and 2/3; a third stratum of
 * one PSU gets R's "adjust" replicate: its PSU 0, every other times 3/2, rscale 2/3. */
static void test_weight__jkn_works_within_strata_and_adjusts_a_lonely_one(void **state)
{
    (void)state;
    const size_t ps[] = {0, 0, 1, 1, 1, 2};
    rep_weights rw;

    assert_int_equal(rep_make(&rw, REP_JKN, ps, 6, 3, 0, 0), 0);
    assert_int_equal(rw.nrep, 6);
    assert_int_equal(rw.lonely, 1);
    near(rw.rscale[0], 0.5, 0);
    near(rw.mult[0 * 6 + 0], 0, 0);
    near(rw.mult[0 * 6 + 1], 2, 0);
    near(rw.mult[0 * 6 + 2], 1, 0); /* another stratum untouched */
    near(rw.rscale[2], 2.0 / 3.0, 1e-15);
    near(rw.mult[2 * 6 + 3], 1.5, 1e-15);
    near(rw.rscale[5], 2.0 / 3.0, 1e-15);
    near(rw.mult[5 * 6 + 5], 0, 0);
    near(rw.mult[5 * 6 + 0], 1.5, 1e-15);
    rep_free(&rw);
}

/* Rao-Wu: in each replicate a stratum of n PSUs has n - 1 draws, each worth n/(n-1): its
 * factors add up to n; a single-PSU stratum keeps 1; the same seed, the same weights. */
static void test_weight__the_bootstrap_draws_n_minus_1_psus_per_stratum(void **state)
{
    (void)state;
    const size_t ps[] = {0, 0, 0, 1, 1, 2};
    rep_weights a, b;

    assert_int_equal(rep_make(&a, REP_BOOTSTRAP, ps, 6, 3, 200, 42), 0);
    assert_int_equal(rep_make(&b, REP_BOOTSTRAP, ps, 6, 3, 200, 42), 0);
    assert_memory_equal(a.mult, b.mult, 200 * 6 * sizeof(double));
    near(a.scale, 1.0 / 199.0, 1e-15);
    double mean0 = 0;
    for (size_t r = 0; r < 200; r++) {
        const double *m = &a.mult[r * 6];
        near(m[0] + m[1] + m[2], 3, 1e-12);
        near(m[3] + m[4], 2, 1e-12);
        near(m[5], 1, 0);
        assert_true(m[3] == 0 || m[3] == 2); /* 1 draw of 2: all or nothing */
        mean0 += m[0] / 200;
    }
    near(mean0, 1, 0.2); /* a PSU's factor is 1 on average */
    rep_free(&b);
    assert_int_equal(rep_make(&b, REP_BOOTSTRAP, ps, 6, 3, 200, 43), 0);
    assert_true(memcmp(a.mult, b.mult, 200 * 6 * sizeof(double)) != 0);
    rep_free(&a);
    rep_free(&b);
    assert_int_equal(rep_make(&a, REP_BOOTSTRAP, ps, 6, 3, 1, 42), -1);
    assert_int_equal(rep_make(&a, REP_BOOTSTRAP, ps, 6, 3, SIZE_MAX / 4, 42), -1); /* no wrap */
    assert_int_equal(rep_make(&a, REP_JK1, ps, 1, 3, 0, 0), -1);
    const size_t out[] = {4};
    assert_int_equal(rep_make(&a, REP_JKN, out, 1, 3, 0, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weight__each_class_takes_the_inverse_of_its_weighted_response_rate),
        cmocka_unit_test(test_weight__a_small_class_is_collapsed_into_its_neighbour),
        cmocka_unit_test(test_weight__a_factor_above_the_limit_is_collapsed),
        cmocka_unit_test(test_weight__no_respondent_or_a_bad_weight_is_refused),
        cmocka_unit_test(test_weight__one_margin_is_post_stratification),
        cmocka_unit_test(test_weight__raking_two_margins_is_the_fixed_point_of_ipf),
        cmocka_unit_test(test_weight__a_margin_no_unit_has_is_named),
        cmocka_unit_test(test_weight__bounds_that_cannot_be_met_do_not_converge),
        cmocka_unit_test(test_weight__factors_that_are_not_numbers_never_pass),
        cmocka_unit_test(test_weight__a_signed_column_adding_up_to_zero_is_kept),
        cmocka_unit_test(test_weight__residuals_are_within_post_stratum_deviations),
        cmocka_unit_test(test_weight__jk1_drops_one_psu_at_a_time),
        cmocka_unit_test(test_weight__jkn_works_within_strata_and_adjusts_a_lonely_one),
        cmocka_unit_test(test_weight__the_bootstrap_draws_n_minus_1_psus_per_stratum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
