/*
 * test_engine_period_label.c - the period label and the discharge dates
 * (engine/period.c: period_label_months, civil_day, period_dates_check),
 * shared by casemix settle and casemix month.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "../../engine/period.h"

static void label(const char *s, int rc, int y, int m0, int m1)
{
    int yy = -1, a = -1, b = -1;
    int r = period_label_months(s, &yy, &a, &b);
    if (r != rc || (rc == 0 && (yy != y || a != m0 || b != m1)))
        fail_msg("'%s': rc %d year %d months %d..%d; want rc %d year %d months %d..%d", s, r, yy, a, b, rc, y, m0, m1);
}

static void test_labels(void **state)
{
    (void)state;
    label("2025", 0, 2025, 1, 12);
    label("2025Q1", 0, 2025, 1, 3);
    label("2025q4", 0, 2025, 10, 12);
    label("2025H2", 0, 2025, 7, 12);
    label("2025-03", 0, 2025, 3, 3);
    label("202511", 0, 2025, 11, 11);
    label("2025Q5", -1, 0, 0, 0);
    label("2025-13", -1, 0, 0, 0);
    label("2025年", -1, 0, 0, 0);
    label("", -1, 0, 0, 0);
    label("FY25Q1", -1, 0, 0, 0);
}

/* civil_day against the C library's calendar (timegm / gmtime_r), 1970-2100 */
static void test_civil_day(void **state)
{
    (void)state;
    for (int z = 0; z < 47500; z += 7) {
        time_t t = (time_t)z * 86400;
        struct tm tm;
        gmtime_r(&t, &tm);
        int y, m, d;
        civil_day(z, &y, &m, &d);
        if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 || d != tm.tm_mday)
            fail_msg("day %d: %d-%d-%d, libc %d-%d-%d", z, y, m, d, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    }
}

static int day_of(int y, int m, int d)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900; tm.tm_mon = m - 1; tm.tm_mday = d;
    return (int)(timegm(&tm) / 86400);
}

static void test_dates_check(void **state)
{
    (void)state;
    static cm_period p;
    char a[12], b[12];
    p.discharge_min = day_of(2025, 1, 1);
    p.discharge_max = day_of(2025, 12, 31);
    assert_int_equal(period_dates_check(&p, "x.csv", "2025Q1", "period", a, b), 1);  /* the demo's old label */
    assert_string_equal(a, "2025-01-01");
    assert_string_equal(b, "2025-12-31");
    assert_int_equal(period_dates_check(&p, "x.csv", "2025", "period", a, b), 0);
    assert_int_equal(period_dates_check(&p, "x.csv", "2024", "period", a, b), 1);
    assert_int_equal(period_dates_check(&p, "x.csv", "my period", "period", a, b), 0); /* not a label: no check */
    p.discharge_min = day_of(2025, 4, 1);
    p.discharge_max = day_of(2025, 6, 30);
    assert_int_equal(period_dates_check(&p, "x.csv", "2025Q2", "period", a, b), 0);
    assert_int_equal(period_dates_check(&p, "x.csv", "2025H1", "period", a, b), 0);
    assert_int_equal(period_dates_check(&p, "x.csv", "2025-04", "month", a, b), 1);
    assert_int_equal(period_dates_check(&p, "x.csv", "2025Q3", "period", a, b), 1);
    p.discharge_min = p.discharge_max = -1;   /* no case with a date */
    assert_int_equal(period_dates_check(&p, "x.csv", "2025Q3", "period", a, b), 0);
    assert_string_equal(a, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_civil_day),
        cmocka_unit_test(test_dates_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
