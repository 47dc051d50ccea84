/* Linker scripts are derived from the board layouts: each image's FLASH
 * region starts where its area (plus the image header) starts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "boards.h"

static unsigned long origin_of(const char *board, const char *image)
{
    char cmd[1024], path[512], line[256];
    snprintf(path, sizeof(path), "%s/ld-test-%d.ld", LF_BINARY_DIR, (int)getpid());
    snprintf(cmd, sizeof(cmd), "%s/bin/gen_linker %s %s %s", LF_BINARY_DIR, board, image, path);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    unsigned long origin = 0;
    while (fgets(line, sizeof(line), f)) {
        const char *p = strstr(line, "FLASH (rx) : ORIGIN = ");
        if (p) {
            origin = strtoul(p + strlen("FLASH (rx) : ORIGIN = "), NULL, 16);
        }
    }
    fclose(f);
    unlink(path);
    return origin;
}

static void test_origins_follow_the_layout(void **state)
{
    (void)state;
    for (unsigned i = 0; lf_board_at(i); i++) {
        const struct lf_board *b = lf_board_at(i);
        assert_int_equal(origin_of(b->name, "stage0"), b->areas[LF_AREA_STAGE0].off);
        assert_int_equal(origin_of(b->name, "stage1-s0"),
                         b->areas[LF_AREA_S0].off + b->image_header_size);
        assert_int_equal(origin_of(b->name, "stage1-s1"),
                         b->areas[LF_AREA_S1].off + b->image_header_size);
        assert_int_equal(origin_of(b->name, "app"),
                         b->areas[LF_AREA_APP_PRIMARY].off + b->image_header_size);
    }
}

static void test_unknown_inputs_refused(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "%s/bin/gen_linker nosuchboard app /dev/null 2>/dev/null",
             LF_BINARY_DIR);
    assert_int_not_equal(system(cmd), 0);
    snprintf(cmd, sizeof(cmd), "%s/bin/gen_linker nrf52840dk nosuchimage /dev/null 2>/dev/null",
             LF_BINARY_DIR);
    assert_int_not_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_origins_follow_the_layout),
        cmocka_unit_test(test_unknown_inputs_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
