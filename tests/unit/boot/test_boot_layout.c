/*
 * Layout checks (rows L of docs/upgrade-engine.md): every (board, strategy)
 * pair we ship, the numbers derived, and synthetic layouts each rule must
 * refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "boards.h"
#include "lf/boot.h"
#include "lf/err.h"

struct expect {
    const char *board;
    const char *strategy;
    int err;
    uint32_t app_max;
};

static const struct expect shipped[] = {
    {"nrf52840dk", "swap-move", LF_OK, 0x71000},
    {"nrf52840dk", "swap-scratch", LF_OK, 0x72000},
    {"nrf52840dk", "overwrite-only", LF_OK, 0x72FD8},
    {"nrf52840dk-qspi", "swap-move", LF_OK, 0xE4000},
    {"nrf52840dk-qspi", "swap-scratch", LF_OK, 0xE5000},
    {"nrf52840dk-qspi", "overwrite-only", LF_OK, 0xE5FD8},
    {"nrf52840dk-nor64k", "swap-move", LF_E_BOOT_LAYOUT_SECTORS, 0},
    {"nrf52840dk-nor64k", "swap-scratch", LF_OK, 0xD0000},
    {"nrf52840dk-nor64k", "overwrite-only", LF_OK, 0xDFFD8},
    {"qemu", "swap-move", LF_OK, 0xDC000},
    {"qemu", "swap-scratch", LF_OK, 0xDD000},
    {"qemu", "overwrite-only", LF_OK, 0xDDFD8},
};

static void test_every_shipped_pair(void **state)
{
    (void)state;
    unsigned pairs = 0;
    for (unsigned b = 0; lf_board_at(b); b++) {
        const struct lf_board *board = lf_board_at(b);
        for (unsigned s = 0; s < LF_BOOT_STRATEGY_COUNT; s++) {
            const struct lf_boot_strategy *st = lf_boot_strategies[s];
            const struct expect *e = NULL;
            for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
                if (strcmp(shipped[i].board, board->name) == 0 &&
                    strcmp(shipped[i].strategy, st->name) == 0) {
                    e = &shipped[i];
                }
            }
            assert_non_null(e); /* a new board needs its expectations here */
            struct lf_boot_layout l;
            int err = lf_boot_layout_check_board(st, board, &l);
            printf("  %-18s %-15s %-28s app_max 0x%x\n", board->name, st->name,
                   err ? lf_err_name(err) : "ok", err ? 0 : l.app_max);
            assert_int_equal(err, e->err);
            if (!err) {
                assert_int_equal(l.app_max, e->app_max);
                assert_true(l.pri_trailer_off + l.trailer_size <= 0xE6000 + 0x1000);
                if (st->can_revert) { /* swap modes never swap a trailer sector */
                    assert_true(l.app_max <= l.pri_trailer_off && l.app_max <= l.sec_trailer_off);
                }
            }
            pairs++;
        }
    }
    assert_int_equal(pairs, 12);
}

static void test_derived_numbers(void **state)
{
    (void)state;
    struct lf_boot_layout l;
    assert_int_equal(
        lf_boot_layout_check_board(&lf_boot_strategy_swap_move, &lf_board_nrf52840dk, &l), LF_OK);
    assert_int_equal(l.sector_size, 4096);
    assert_int_equal(l.units, 115);
    assert_int_equal(l.status_w, 4);
    assert_int_equal(l.trailer_size, 3120);
    assert_int_equal(l.pri_trailer_off, 0x72000);
    assert_int_equal(
        lf_boot_layout_check_board(&lf_boot_strategy_swap_scratch, &lf_board_nrf52840dk_nor64k, &l),
        LF_OK);
    assert_int_equal(l.units, 13); /* 64 KiB regions below the last block */
    assert_int_equal(l.pri_trailer_off, 0xDF000);
    assert_int_equal(l.sec_trailer_off, 0xD0000);
    assert_int_equal(
        lf_boot_layout_check_board(&lf_boot_strategy_swap_scratch, &lf_board_nrf52840dk, &l),
        LF_OK);
    assert_int_equal(l.units, 57); /* 8 KiB regions (scratch) over 0x72000 */
    assert_ptr_equal(lf_boot_strategy_find("swap-move"), &lf_boot_strategy_swap_move);
    assert_null(lf_boot_strategy_find("swap-offset"));
}

/* Synthetic layouts: one geometry per device, areas chosen per case. */
static struct lf_flash_geometry geo_a;
static struct lf_flash_geometry geo_b;
static struct lf_flash_dev dev_a;
static struct lf_flash_dev dev_b;

static void geos(uint32_t a_sector, uint16_t a_align, uint32_t b_sector, uint16_t b_align)
{
    geo_a = (struct lf_flash_geometry){.part = "a",
                                       .size = 1u << 20,
                                       .run_count = 1,
                                       .erase_value = 0xFF,
                                       .write_align = a_align,
                                       .runs = {{(1u << 20) / a_sector, a_sector}}};
    geo_b = (struct lf_flash_geometry){.part = "b",
                                       .size = 1u << 20,
                                       .run_count = 1,
                                       .erase_value = 0xFF,
                                       .write_align = b_align,
                                       .runs = {{(1u << 20) / b_sector, b_sector}}};
    dev_a = (struct lf_flash_dev){&geo_a, NULL, NULL, 0};
    dev_b = (struct lf_flash_dev){&geo_b, NULL, NULL, LF_FLASH_NOT_MAPPED};
}

static int check(const struct lf_boot_strategy *s, uint32_t pri_size, uint32_t sec_size,
                 uint32_t scratch_size, struct lf_boot_layout *l)
{
    struct lf_flash_area pri = {6, &dev_a, 0, pri_size};
    struct lf_flash_area sec = {7, &dev_b, 0, sec_size};
    struct lf_flash_area scr = {5, &dev_a, 0x80000, scratch_size};
    return lf_boot_layout_check(s, &pri, &sec, scratch_size ? &scr : NULL, l);
}

static void test_rules_refuse(void **state)
{
    (void)state;
    struct lf_boot_layout l;
    const struct lf_boot_strategy *mv = &lf_boot_strategy_swap_move;
    const struct lf_boot_strategy *sc = &lf_boot_strategy_swap_scratch;
    geos(4096, 4, 4096, 1);
    assert_int_equal(check(mv, 0x40000, 0x40000, 0, &l), LF_OK);
    assert_int_equal(check(mv, 0x41000, 0x40000, 0, &l), LF_OK); /* optimal: +1 sector */
    assert_int_equal(l.app_max, 0x41000 - 0x1000 - 0x1000);
    assert_int_equal(check(mv, 0x42000, 0x40000, 0, &l), LF_E_BOOT_LAYOUT_COUNT);
    assert_int_equal(check(mv, 0x40000, 0x41000, 0, &l), LF_E_BOOT_LAYOUT_COUNT);
    assert_int_equal(check(sc, 0x40000, 0x40000, 0, &l), LF_E_BOOT_LAYOUT_NO_AREA);
    assert_int_equal(check(sc, 0x40000, 0x40000, 0x1000, &l), LF_OK);
    assert_int_equal(check(sc, 0x40000, 0x41000, 0x1000, &l), LF_E_BOOT_LAYOUT_SIZE);
    assert_int_equal(check(mv, 0x2000, 0x2000, 0, &l), LF_E_BOOT_LAYOUT_SIZE);
    geos(4096, 4, 0x10000, 1);
    assert_int_equal(check(mv, 0x40000, 0x40000, 0, &l), LF_E_BOOT_LAYOUT_SECTORS);
    assert_int_equal(check(sc, 0x40000, 0x40000, 0x8000, &l), LF_E_BOOT_LAYOUT_SCRATCH);
    assert_int_equal(check(sc, 0x40000, 0x40000, 0x10000, &l), LF_OK);
    /* 12 KiB vs 8 KiB sectors: common boundaries only every 24 KiB. */
    geos(0x3000, 4, 0x2000, 4);
    assert_int_equal(check(sc, 0x30000, 0x30000, 0x4000, &l), LF_E_BOOT_LAYOUT_INCOMPATIBLE);
    assert_int_equal(check(sc, 0x30000, 0x30000, 0x6000, &l), LF_OK);
    geos(2048, 4, 2048, 4); /* 257 sectors: more than the status area tracks */
    assert_int_equal(check(mv, 257 * 2048, 257 * 2048, 0, &l), LF_E_BOOT_LAYOUT_TOO_MANY);
    geos(4096, 16, 4096, 4); /* write size above BOOT_MAX_ALIGN */
    assert_int_equal(check(mv, 0x40000, 0x40000, 0, &l), LF_E_BOOT_LAYOUT_ALIGN);
    assert_int_equal(check(NULL, 0x40000, 0x40000, 0, &l), LF_E_BOOT_LAYOUT_NO_AREA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_shipped_pair),
        cmocka_unit_test(test_derived_numbers),
        cmocka_unit_test(test_rules_refuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
