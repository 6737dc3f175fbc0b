/* test_survey.c - the ratio estimator and its intervals against small cases worked by hand */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "survey.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define EPS    1e-9

static void near(double got, double want)
{
    if (fabs(got - want) > EPS)
        fail_msg("got %.12f, want %.12f", got, want);
}

/* A household unit: weight, y, x, stratum, PSU. */
#define U(w, y, x, h, i)                                                                           \
    {                                                                                              \
        (w), (y), (x), (h), (i)                                                                    \
    }

/* One stratum, four PSUs of one household each, weight 1, y = 1, 1, 0, 0 (x = 1).
 *   R = 2/4 = 0.5, X = 4
 *   z_i = (y_i - 0.5) / 4 = +1/8, +1/8, -1/8, -1/8; zbar = 0
 *   sum (z - zbar)^2 = 4/64 = 1/16; times n/(n-1) = 4/3: var = 1/12
 *   se = sqrt(1/12) = 0.288675134595 (= sqrt(p(1-p)/(n-1)), the textbook result)
 *   CI = 0.5 +- 1.96 * 0.288675 = [-0.0658, 1.0658], clamped to [0, 1]. */
static void test_survey__equal_weights_one_stratum_matches_the_textbook_variance(void **state)
{
    (void)state;
    const svy_unit u[] = {U(1, 1, 1, 0, 0), U(1, 1, 1, 0, 1), U(1, 0, 1, 0, 2), U(1, 0, 1, 0, 3)};
    svy_estimate e;

    assert_int_equal(svy_ratio_units(&e, u, LEN(u), SVY_LONELY_ADJUST), 0);
    assert_true(e.defined);
    near(e.r, 0.5);
    near(e.y, 2.0);
    near(e.x, 4.0);
    near(e.se, sqrt(1.0 / 12.0));
    near(e.lo, 0.0);
    near(e.hi, 1.0);
    assert_int_equal(e.lonely_strata, 0);
}

/* The same with ten PSUs, y = 1 for 7 of them (the interval does not reach the bounds).
 *   R = 0.7; z_i = (y_i - 0.7)/10: +0.03 (7 times), -0.07 (3 times); zbar = 0
 *   sum z^2 = 7 * 0.0009 + 3 * 0.0049 = 0.0063 + 0.0147 = 0.021
 *   var = 10/9 * 0.021 = 0.0233333...; se = 0.152752523165
 *   CI = 0.7 +- 1.96 * 0.152752523 = 0.7 +- 0.299394945 = [0.400605055, 0.999394945] */
static void test_survey__equal_weights_ten_psus_gives_an_interval_inside_the_bounds(void **state)
{
    (void)state;
    svy_unit u[10];
    svy_estimate e;

    for (size_t i = 0; i < 10; i++)
        u[i] = (svy_unit)U(3.5, i < 7 ? 1 : 0, 1, 0, i);
    assert_int_equal(svy_ratio_units(&e, u, 10, SVY_LONELY_ADJUST), 0);
    near(e.r, 0.7);
    near(e.y, 24.5); /* weighted: 7 * 3.5 */
    near(e.x, 35.0);
    near(e.se, sqrt(10.0 / 9.0 * 0.021));
    near(e.lo, 0.7 - 1.96 * sqrt(10.0 / 9.0 * 0.021));
    near(e.hi, 0.7 + 1.96 * sqrt(10.0 / 9.0 * 0.021));
}

/* Two strata, unequal weights, x = 1:
 *   stratum A (w = 2): PSU a1 = {y 1, y 0}, PSU a2 = {y 1}
 *   stratum B (w = 4): PSU b1 = {y 0}, b2 = {y 1}, b3 = {y 0}
 *   PSU totals (Y_i, X_i): a1 (2, 4), a2 (2, 2), b1 (0, 4), b2 (4, 4), b3 (0, 4)
 *   Y = 8, X = 18, R = 4/9 = 0.444444...
 *   z_i = (Y_i - 4/9 X_i) / 18, in units of 1/162:
 *     a1: (2 - 16/9) = 2/9 -> 2;  a2: (2 - 8/9) = 10/9 -> 10
 *     b1: -16/9 -> -16;  b2: 20/9 -> 20;  b3: -16
 *   A: mean 6, deviations -4, +4, SS 32, times 2/1 -> 64
 *   B: mean -4, deviations -12, 24, -12, SS 864, times 3/2 -> 1296
 *   var = 1360 / 162^2 = 0.051821368; se = sqrt(1360)/162 = 0.227643...
 *   CI = 0.444444 +- 0.446180 = [-0.001736, 0.890624]: the low end is clamped to 0
 *   (the unweighted proportion would be 3/6 = 0.5: the weights matter) */
static void test_survey__two_strata_unequal_weights_worked_by_hand(void **state)
{
    (void)state;
    const svy_unit u[] = {U(2, 1, 1, 0, 0), U(2, 0, 1, 0, 0), U(2, 1, 1, 0, 1),
                          U(4, 0, 1, 1, 2), U(4, 1, 1, 1, 3), U(4, 0, 1, 1, 4)};
    svy_estimate e;
    double se = sqrt(1360.0) / 162.0;

    assert_int_equal(svy_ratio_units(&e, u, LEN(u), SVY_LONELY_ADJUST), 0);
    near(e.r, 4.0 / 9.0);
    near(e.y, 8.0);
    near(e.x, 18.0);
    near(e.se, se);
    near(e.lo, 0.0);
    near(e.hi, 4.0 / 9.0 + 1.96 * se);
}

/* Persons: each household carries y = members counted, x = members eligible.
 * One stratum, three PSUs of one household, weight 1: (y 1, x 2), (y 2, x 3), (y 0, x 1)
 *   R = 3/6 = 0.5, X = 6
 *   z = (y - 0.5 x)/6: 0, 0.5/6, -0.5/6; zbar = 0; SS = 0.5/36
 *   var = 3/2 * 0.5/36 = 0.75/36 = 1/48; se = 0.144337567 */
static void test_survey__person_ratio_uses_household_totals(void **state)
{
    (void)state;
    const svy_unit u[] = {U(1, 1, 2, 0, 0), U(1, 2, 3, 0, 1), U(1, 0, 1, 0, 2)};
    svy_estimate e;

    assert_int_equal(svy_ratio_units(&e, u, LEN(u), SVY_LONELY_ADJUST), 0);
    near(e.r, 0.5);
    near(e.se, sqrt(1.0 / 48.0));
}

/* A stratum with a single PSU.
 *   stratum A: a1 = {w 1, y 1}, a2 = {w 1, y 0}; stratum B: b1 = {w 2, y 1}, {w 2, y 1}
 *   Y = 1 + 4 = 5, X = 1 + 1 + 4 = 6, R = 5/6
 *   z (units of 1/36): a1 (1 - 5/6)/6 = 1; a2 (0 - 5/6)/6 = -5; b1 (4 - 20/6)/6 = 4
 *   (sum z = 0: the grand mean of z is 0)
 *   A: mean -2, deviations 3, -3, SS 18, times 2 -> 36
 *   B, adjust: (4 - 0)^2 = 16, factor 1 -> var = 52/1296, se = sqrt(52)/36 = 0.200308
 *   B, certainty: 0 -> var = 36/1296, se = 6/36 = 1/6 */
static void test_survey__single_psu_stratum_adjust_centres_at_the_grand_mean(void **state)
{
    (void)state;
    const svy_unit u[] = {U(1, 1, 1, 0, 10), U(1, 0, 1, 0, 11), U(2, 1, 1, 1, 20),
                          U(2, 1, 1, 1, 20)};
    svy_estimate e;

    assert_int_equal(svy_ratio_units(&e, u, LEN(u), SVY_LONELY_ADJUST), 0);
    near(e.r, 5.0 / 6.0);
    near(e.se, sqrt(52.0) / 36.0);
    assert_int_equal(e.lonely_strata, 1);

    assert_int_equal(svy_ratio_units(&e, u, LEN(u), SVY_LONELY_CERTAINTY), 0);
    near(e.r, 5.0 / 6.0);
    near(e.se, 1.0 / 6.0);
    assert_int_equal(e.lonely_strata, 1);
    assert_string_equal(svy_lonely_name(SVY_LONELY_ADJUST), "adjust");
    assert_string_equal(svy_lonely_name(SVY_LONELY_CERTAINTY), "certainty");
}

/* A domain (say, one commune) inside the two-strata sample of the test above: only a1's
 * second household and b2 are in it; the other PSUs count as zeros, as R's svyby does.
 *   domain: a1 -> (Y 0, X 2), b2 -> (Y 4, X 4); the rest (0, 0). Y = 4, X = 6, R = 2/3
 *   z = (Y_i - 2/3 X_i)/6: a1 = -4/3/6 = -2/9; a2 = 0; b1 = 0; b2 = (4 - 8/3)/6 = 2/9; b3 = 0
 *   A (n 2): mean -1/9, deviations -1/9, +1/9, SS 2/81, times 2 -> 4/81
 *   B (n 3): mean 2/27, deviations -2/27, 4/27, -2/27, SS 24/729, times 3/2 -> 36/729 = 4/81
 *   var = 8/81, se = sqrt(8)/9 = 0.314270 */
static void test_survey__a_domain_keeps_the_whole_design_with_zeros(void **state)
{
    (void)state;
    const size_t npsu[] = {2, 3};
    const svy_design d = {.nstrata = 2, .npsu = npsu, .lonely = SVY_LONELY_ADJUST};
    const svy_psu p[] = {{0, 0.0, 2.0}, {1, 4.0, 4.0}};
    const svy_unit u[] = {U(2, 0, 0, 0, 0), U(2, 0, 1, 0, 0), U(2, 0, 0, 0, 1),
                          U(4, 0, 0, 1, 2), U(4, 1, 1, 1, 3), U(4, 0, 0, 1, 4)};
    svy_estimate e, e2;

    assert_int_equal(svy_ratio_psu(&e, &d, p, LEN(p)), 0);
    near(e.r, 2.0 / 3.0);
    near(e.se, sqrt(8.0) / 9.0);
    /* the same from units with y = x = 0 outside the domain */
    assert_int_equal(svy_ratio_units(&e2, u, LEN(u), SVY_LONELY_ADJUST), 0);
    near(e2.r, e.r);
    near(e2.se, e.se);
}

/* No unit in the denominator (nobody aged 15+, or no household at all): no estimate. */
static void test_survey__zero_denominator_gives_no_estimate(void **state)
{
    (void)state;
    const svy_unit u[] = {U(1, 0, 0, 0, 0), U(1, 0, 0, 0, 1)};
    svy_estimate e;

    assert_int_equal(svy_ratio_units(&e, u, LEN(u), SVY_LONELY_ADJUST), 0);
    assert_false(e.defined);
    assert_true(isnan(e.r));
    near(e.x, 0.0);
    assert_int_equal(svy_ratio_units(&e, NULL, 0, SVY_LONELY_ADJUST), 0);
    assert_false(e.defined);
    assert_int_equal(svy_binomial(&e, 0, 0), 0);
    assert_false(e.defined);
}

/* Everyone has it: R = 1, every z = (Y_i - X_i)/X = 0, var = 0, CI [1, 1]. */
static void test_survey__all_yes_gives_one_with_no_spread(void **state)
{
    (void)state;
    const svy_unit u[] = {U(1.5, 1, 1, 0, 0), U(3, 1, 1, 0, 1), U(2, 2, 2, 1, 2), U(7, 1, 1, 1, 3)};
    svy_estimate e;

    assert_int_equal(svy_ratio_units(&e, u, LEN(u), SVY_LONELY_ADJUST), 0);
    near(e.r, 1.0);
    near(e.se, 0.0);
    near(e.lo, 1.0);
    near(e.hi, 1.0);
}

/* Bad input: a weight that is not positive, a PSU in two strata, an out-of-range stratum,
 * more PSUs listed than the design has. */
static void test_survey__bad_designs_are_refused(void **state)
{
    (void)state;
    const svy_unit zero_w[] = {U(0, 1, 1, 0, 0)};
    const svy_unit two_strata[] = {U(1, 1, 1, 0, 0), U(1, 1, 1, 1, 0)};
    const size_t npsu[] = {1};
    const svy_design d = {.nstrata = 1, .npsu = npsu, .lonely = SVY_LONELY_ADJUST};
    const svy_psu out_of_range[] = {{1, 1.0, 1.0}};
    const svy_psu too_many[] = {{0, 1.0, 1.0}, {0, 0.0, 1.0}};
    svy_estimate e;

    assert_int_equal(svy_ratio_units(&e, zero_w, 1, SVY_LONELY_ADJUST), -1);
    assert_int_equal(svy_ratio_units(&e, two_strata, 2, SVY_LONELY_ADJUST), -1);
    assert_int_equal(svy_ratio_psu(&e, &d, out_of_range, 1), -1);
    assert_int_equal(svy_ratio_psu(&e, &d, too_many, 2), -1);
    assert_int_equal(svy_binomial(&e, 3, 2), -1);
}

/* Without a design: the Wilson score interval. k = 3, n = 10, z = 1.96, z^2 = 3.8416:
 *   p = 0.3; denominator 1 + z^2/n = 1.38416
 *   centre = (0.3 + 3.8416/20) / 1.38416 = 0.49208 / 1.38416 = 0.355508
 *   half = 1.96/1.38416 * sqrt(0.3*0.7/10 + 3.8416/400) = 1.416021 * sqrt(0.030604)
 *        = 1.416021 * 0.174940 = 0.247719
 *   CI = [0.107789, 0.603227] (the published Wilson interval for 3/10: 0.108-0.603)
 *   se (binomial) = sqrt(0.021) = 0.144914
 * k = 0: the interval is [0, z^2/(n + z^2)] = [0, 3.8416/13.8416 = 0.277540];
 * k = n: [n/(n + z^2), 1] = [0.722460, 1]. */
static void test_survey__binomial_fallback_is_the_wilson_interval(void **state)
{
    (void)state;
    svy_estimate e;
    double z2 = 1.96 * 1.96, d = 1.0 + z2 / 10.0;
    double c = (0.3 + z2 / 20.0) / d, h = 1.96 / d * sqrt(0.021 + z2 / 400.0);

    assert_int_equal(svy_binomial(&e, 3, 10), 0);
    assert_true(e.defined);
    near(e.r, 0.3);
    near(e.se, sqrt(0.021));
    near(e.lo, c - h);
    near(e.hi, c + h);
    assert_true(fabs(e.lo - 0.107789) < 1e-6);
    assert_true(fabs(e.hi - 0.603227) < 1e-6);

    assert_int_equal(svy_binomial(&e, 0, 10), 0);
    near(e.r, 0.0);
    near(e.lo, 0.0);
    near(e.hi, z2 / (10.0 + z2));
    assert_int_equal(svy_binomial(&e, 10, 10), 0);
    near(e.r, 1.0);
    near(e.lo, 10.0 / (10.0 + z2));
    near(e.hi, 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_survey__equal_weights_one_stratum_matches_the_textbook_variance),
        cmocka_unit_test(test_survey__equal_weights_ten_psus_gives_an_interval_inside_the_bounds),
        cmocka_unit_test(test_survey__two_strata_unequal_weights_worked_by_hand),
        cmocka_unit_test(test_survey__person_ratio_uses_household_totals),
        cmocka_unit_test(test_survey__single_psu_stratum_adjust_centres_at_the_grand_mean),
        cmocka_unit_test(test_survey__a_domain_keeps_the_whole_design_with_zeros),
        cmocka_unit_test(test_survey__zero_denominator_gives_no_estimate),
        cmocka_unit_test(test_survey__all_yes_gives_one_with_no_spread),
        cmocka_unit_test(test_survey__bad_designs_are_refused),
        cmocka_unit_test(test_survey__binomial_fallback_is_the_wilson_interval),
    };

    return cmocka_run_group_tests_name("survey", tests, NULL, NULL) ? 1 : 0;
}
