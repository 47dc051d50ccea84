/* The core's log formatter (lf/log.h): every directive, widths, truncation,
 * and %E with and without the port's error names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/log.h"

static char g_line[LF_LOG_LINE_MAX + 8];
static unsigned g_lines;

static void capture(void *ctx, const char *line)
{
    (void)ctx;
    strncpy(g_line, line, sizeof(g_line) - 1);
    g_lines++;
}

static void test_directives(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(lf_format(buf, sizeof(buf), "%s|%c|%d|%u|%x|%%", "ab", 'z', -42, 7u, 0xbeefu),
                     17);
    assert_string_equal(buf, "ab|z|-42|7|beef|%");
    lf_format(buf, sizeof(buf), "%08x %5u %04d", 0x1234u, 42u, -7);
    assert_string_equal(buf, "00001234    42 -007");
    /* an unknown directive prints '?' and takes no argument */
    lf_format(buf, sizeof(buf), "%-d %d", 5);
    assert_string_equal(buf, "?d 5");
    lf_format(buf, sizeof(buf), "%s %d", (const char *)NULL, INT32_MIN);
    assert_string_equal(buf, "(null) -2147483648");
    lf_format(buf, sizeof(buf), "%q ends%");
    assert_string_equal(buf, "? ends");
}

static void test_truncation(void **state)
{
    (void)state;
    char buf[8];
    assert_int_equal(lf_format(buf, sizeof(buf), "%s", "0123456789"), 7);
    assert_string_equal(buf, "0123456");
    char one[1] = {'x'};
    assert_int_equal(lf_format(one, sizeof(one), "abc"), 0);
    assert_int_equal(one[0], '\0');
    /* a log line longer than the line buffer is cut, not overflowed */
    char longtext[400];
    memset(longtext, 'a', sizeof(longtext) - 1);
    longtext[sizeof(longtext) - 1] = '\0';
    const struct lf_log log = {capture, NULL, NULL};
    lf_logf(&log, "%s", longtext);
    assert_int_equal(strlen(g_line), LF_LOG_LINE_MAX - 1);
}

static void test_error_names(void **state)
{
    (void)state;
    const struct lf_log named = {capture, NULL, lf_err_name};
    const struct lf_log bare = {capture, NULL, NULL};
    lf_logf(&named, "refused: %E", LF_E_STAGE0_WRONG_SLOT);
    assert_string_equal(g_line, "refused: STAGE0_WRONG_SLOT");
    lf_logf(&bare, "refused: %E", LF_E_STAGE0_WRONG_SLOT);
    assert_string_equal(g_line, "refused: error -229");
    /* lf_format has no names: numbers */
    char buf[32];
    lf_format(buf, sizeof(buf), "%E", LF_E_IO);
    assert_string_equal(buf, "error -4");
}

static void test_no_log(void **state)
{
    (void)state;
    unsigned before = g_lines;
    lf_logf(NULL, "nothing %d", 1);
    const struct lf_log none = {NULL, NULL, NULL};
    lf_logf(&none, "nothing %d", 2);
    assert_int_equal(g_lines, before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directives),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_no_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
