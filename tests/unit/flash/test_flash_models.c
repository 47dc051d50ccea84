/*
 * Every rule of every simulated flash part, through the checked core API,
 * asserting the bytes that end up in the backing file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/flash.h"
#include "sim_flash.h"

static char work[512];

static int make_work(void **state)
{
    (void)state;
    snprintf(work, sizeof(work), "%s/flash-models-%d", LF_BINARY_DIR, (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "mkdir -p %s", work);
    return system(cmd);
}

static int drop_work(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
    return system(cmd);
}

static void open_part(struct lf_sim_flash *f, const char *name, const struct lf_flash_geometry *geo)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/%s", work, name);
    assert_int_equal(lf_sim_flash_open(f, path, geo, true), LF_OK);
}

static void test_nrf52840_words_clear_bits_only(void **state)
{
    (void)state;
    struct lf_sim_flash f;
    open_part(&f, "nvmc.bin", &lf_flash_part_nrf52840_nvmc);
    const struct lf_flash_dev *d = &f.dev;
    uint8_t w[4] = {0xF0, 0x0F, 0xAA, 0x55};
    uint8_t r[4];
    assert_int_equal(lf_flash_read(d, 0x1000, r, 4), LF_OK);
    assert_int_equal(r[0], 0xFF); /* created erased */
    assert_int_equal(lf_flash_program(d, 0x1000, w, 4), LF_OK);
    assert_int_equal(lf_flash_read(d, 0x1000, r, 4), LF_OK);
    assert_memory_equal(r, w, 4);
    /* Clearing more bits is fine. */
    uint8_t w2[4] = {0x80, 0x01, 0x00, 0x55};
    assert_int_equal(lf_flash_program(d, 0x1000, w2, 4), LF_OK);
    /* Setting one (0x01 -> 0x03) is refused in strict mode and changes nothing. */
    uint8_t w3[4] = {0x80, 0x03, 0x00, 0x55};
    assert_int_equal(lf_flash_program(d, 0x1000, w3, 4), LF_E_FLASH_BIT_SET);
    assert_int_equal(lf_flash_read(d, 0x1000, r, 4), LF_OK);
    assert_memory_equal(r, w2, 4);
    /* Without strict mode the hardware ANDs. */
    f.strict = false;
    uint8_t w4[4] = {0xFF, 0xFF, 0xFF, 0x0F};
    assert_int_equal(lf_flash_program(d, 0x1000, w4, 4), LF_OK);
    assert_int_equal(lf_flash_read(d, 0x1000, r, 4), LF_OK);
    assert_int_equal(r[3], 0x05);
    f.strict = true;
    /* 4-byte alignment of offset and length; out of range. */
    assert_int_equal(lf_flash_program(d, 0x1002, w, 4), LF_E_FLASH_MISALIGNED);
    assert_int_equal(lf_flash_program(d, 0x1000, w, 2), LF_E_FLASH_MISALIGNED);
    assert_int_equal(lf_flash_program(d, 1024 * 1024, w, 4), LF_E_FLASH_OUT_OF_BOUNDS);
    /* Erase: 4 KiB pages only, back to 0xFF, counted per page. */
    assert_int_equal(lf_flash_erase(d, 0x1000, 0x800), LF_E_FLASH_NOT_SECTOR);
    assert_int_equal(lf_sim_flash_erase_count(&f, 0x1000), 0);
    assert_int_equal(lf_flash_erase(d, 0x1000, 0x1000), LF_OK);
    assert_int_equal(lf_flash_erase(d, 0x1000, 0x2000), LF_OK);
    assert_int_equal(lf_sim_flash_erase_count(&f, 0x1000), 2);
    assert_int_equal(lf_sim_flash_erase_count(&f, 0x2FFF), 1);
    assert_int_equal(lf_sim_flash_erase_count(&f, 0x3000), 0);
    assert_int_equal(lf_flash_read(d, 0x1000, r, 4), LF_OK);
    assert_int_equal(r[0] & r[1] & r[2] & r[3], 0xFF);
    struct lf_sim_flash_stats st;
    lf_sim_flash_get_stats(&f, &st);
    assert_int_equal(st.sector_erases, 3);
    assert_int_equal(st.programs, 3);
    assert_int_equal(st.bytes_programmed, 12);
    lf_sim_flash_close(&f);
}

static void test_mx25r_pages_and_persistence(void **state)
{
    (void)state;
    struct lf_sim_flash f;
    open_part(&f, "nor.bin", &lf_flash_part_mx25r6435f);
    uint8_t data[256];
    for (unsigned i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)i;
    }
    /* Byte-granular writes, but never across a 256-byte page. */
    assert_int_equal(lf_flash_program(&f.dev, 0x10003, data, 1), LF_OK);
    assert_int_equal(lf_flash_program(&f.dev, 0x10080, data, 0x81), LF_E_FLASH_PAGE_CROSS);
    assert_int_equal(lf_flash_program(&f.dev, 0x10100, data, 256), LF_OK);
    uint8_t big[300] = {0};
    assert_int_equal(lf_flash_program(&f.dev, 0x20000, big, 300), LF_E_FLASH_TOO_LONG);
    assert_int_equal(lf_flash_erase(&f.dev, 0x10000, 0x1000), LF_OK);
    assert_int_equal(lf_flash_program(&f.dev, 0x7FFF00, data, 256), LF_OK);
    lf_sim_flash_close(&f);

    /* A new process would see exactly this: reopen without creating. */
    char path[600];
    snprintf(path, sizeof(path), "%s/nor.bin", work);
    assert_int_equal(lf_sim_flash_open(&f, path, &lf_flash_part_mx25r6435f, false), LF_OK);
    uint8_t back[256];
    assert_int_equal(lf_flash_read(&f.dev, 0x7FFF00, back, 256), LF_OK);
    assert_memory_equal(back, data, 256);
    assert_int_equal(lf_flash_read(&f.dev, 0x10100, back, 4), LF_OK);
    assert_int_equal(back[0], 0xFF); /* erased before the restart */
    assert_int_equal(lf_sim_flash_erase_count(&f, 0x10000), 1);
    /* Wrong geometry for an existing file is refused. */
    struct lf_sim_flash g;
    assert_int_equal(lf_sim_flash_open(&g, path, &lf_flash_part_nrf52840_nvmc, false),
                     LF_E_FLASH_GEOMETRY);
    lf_sim_flash_close(&f);
}

static void test_otp_program_once_never_erase(void **state)
{
    (void)state;
    struct lf_sim_flash f;
    open_part(&f, "otp.bin", &lf_flash_part_otp_4k);
    uint8_t w[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(lf_flash_program(&f.dev, 0x10, w, 4), LF_OK);
    /* Programming the same word again, even clearing more bits, is refused. */
    uint8_t z[4] = {0, 0, 0, 0};
    assert_int_equal(lf_flash_program(&f.dev, 0x10, z, 4), LF_E_FLASH_OTP_REWRITE);
    /* A range that only touches it partly is refused as a whole. */
    assert_int_equal(lf_flash_program(&f.dev, 0x0C, w, 8), LF_E_FLASH_OTP_REWRITE);
    uint8_t r[8];
    assert_int_equal(lf_flash_read(&f.dev, 0x0C, r, 8), LF_OK);
    assert_int_equal(r[0], 0xFF);
    assert_memory_equal(r + 4, w, 4);
    assert_int_equal(lf_flash_program(&f.dev, 0x14, w + 4, 4), LF_OK);
    assert_int_equal(lf_flash_erase(&f.dev, 0, 4096), LF_E_FLASH_NO_ERASE);
    lf_sim_flash_close(&f);
    /* The programmed-once marks survive a restart. */
    char path[600];
    snprintf(path, sizeof(path), "%s/otp.bin", work);
    assert_int_equal(lf_sim_flash_open(&f, path, &lf_flash_part_otp_4k, false), LF_OK);
    assert_int_equal(lf_flash_program(&f.dev, 0x14, z, 4), LF_E_FLASH_OTP_REWRITE);
    assert_int_equal(lf_flash_program(&f.dev, 0x18, z, 4), LF_OK);
    lf_sim_flash_close(&f);
}

/* Parametric geometries: alignments 1, 2, 8; erase value 0x00; 128 KiB
 * sectors; mixed sectors. Same rules, no new code path. */
static void test_any_geometry_as_data(void **state)
{
    (void)state;
    static const struct lf_flash_geometry zero_erased = {
        .part = "zero-erased-2",
        .size = 64 * 1024,
        .run_count = 1,
        .erase_value = 0x00,
        .write_align = 2,
        .runs = {{16, 4096}},
    };
    static const struct lf_flash_geometry big_sectors = {
        .part = "big-8",
        .size = 512 * 1024,
        .run_count = 1,
        .erase_value = 0xFF,
        .write_align = 8,
        .runs = {{4, 128 * 1024}},
    };
    static const struct lf_flash_geometry mixed_1 = {
        .part = "mixed-1",
        .size = 16 * 1024 + 64 * 1024 + 128 * 1024,
        .run_count = 3,
        .erase_value = 0xFF,
        .write_align = 1,
        .runs = {{4, 4096}, {1, 64 * 1024}, {1, 128 * 1024}},
    };
    struct lf_sim_flash f;
    uint8_t r[8];

    open_part(&f, "zero.bin", &zero_erased);
    assert_int_equal(lf_flash_read(&f.dev, 100, r, 2), LF_OK);
    assert_int_equal(r[0] | r[1], 0x00);
    uint8_t set[2] = {0x0F, 0x30};
    assert_int_equal(lf_flash_program(&f.dev, 100, set, 2), LF_OK);
    assert_int_equal(lf_flash_program(&f.dev, 101, set, 2), LF_E_FLASH_MISALIGNED);
    uint8_t clear[2] = {0x07, 0x30}; /* would clear a bit: only an erase can */
    assert_int_equal(lf_flash_program(&f.dev, 100, clear, 2), LF_E_FLASH_BIT_SET);
    uint8_t more[2] = {0x1F, 0x31};
    assert_int_equal(lf_flash_program(&f.dev, 100, more, 2), LF_OK);
    assert_int_equal(lf_flash_erase(&f.dev, 0, 4096), LF_OK);
    assert_int_equal(lf_flash_read(&f.dev, 100, r, 2), LF_OK);
    assert_int_equal(r[0] | r[1], 0x00);
    lf_sim_flash_close(&f);

    open_part(&f, "big.bin", &big_sectors);
    uint8_t eight[8] = {0};
    assert_int_equal(lf_flash_program(&f.dev, 4, eight, 8), LF_E_FLASH_MISALIGNED);
    assert_int_equal(lf_flash_program(&f.dev, 8, eight, 8), LF_OK);
    assert_int_equal(lf_flash_erase(&f.dev, 0, 64 * 1024), LF_E_FLASH_NOT_SECTOR);
    assert_int_equal(lf_flash_erase(&f.dev, 128 * 1024, 128 * 1024), LF_OK);
    assert_int_equal(lf_sim_flash_erase_count(&f, 200000), 1);
    lf_sim_flash_close(&f);

    open_part(&f, "mixed.bin", &mixed_1);
    assert_int_equal(lf_flash_program(&f.dev, 3, eight, 1), LF_OK);
    assert_int_equal(lf_flash_erase(&f.dev, 16 * 1024, 64 * 1024), LF_OK);
    assert_int_equal(lf_flash_erase(&f.dev, 16 * 1024, 4096), LF_E_FLASH_NOT_SECTOR);
    assert_int_equal(lf_flash_erase(&f.dev, 12 * 1024, 4096 + 64 * 1024), LF_OK);
    assert_int_equal(lf_sim_flash_erase_count(&f, 20 * 1024), 2);
    lf_sim_flash_close(&f);
}

static void test_write_protection(void **state)
{
    (void)state;
    struct lf_sim_flash f;
    open_part(&f, "acl.bin", &lf_flash_part_nrf52840_nvmc);
    lf_sim_flash_lock(&f, 0, 0x4000);
    uint8_t w[4] = {0};
    assert_int_equal(lf_flash_program(&f.dev, 0x3FFC, w, 4), LF_E_FLASH_LOCKED);
    assert_int_equal(lf_flash_erase(&f.dev, 0x3000, 0x1000), LF_E_FLASH_LOCKED);
    assert_int_equal(lf_flash_program(&f.dev, 0x4000, w, 4), LF_OK);
    uint8_t r[4];
    assert_int_equal(lf_flash_read(&f.dev, 0x3FFC, r, 4), LF_OK); /* reads still work */
    assert_int_equal(r[0], 0xFF);
    lf_sim_flash_close(&f);
}

static int cuts_seen;
static void note_cut(void *arg)
{
    (void)arg;
    cuts_seen++;
}

static void test_powercut_clean_and_torn(void **state)
{
    (void)state;
    struct lf_sim_flash f;
    struct lf_sim_powercut pc = {0};
    open_part(&f, "cut.bin", &lf_flash_part_nrf52840_nvmc);
    f.pc = &pc;
    pc.on_cut = note_cut;
    uint8_t zero[16] = {0};
    uint8_t r[16];

    /* Clean cut at op 2: op 1 lands, op 2 and everything after do not. */
    cuts_seen = 0;
    pc.cut_at = 2;
    pc.kind = LF_SIM_CUT_CLEAN;
    assert_int_equal(lf_flash_program(&f.dev, 0, zero, 4), LF_OK);
    assert_int_equal(lf_flash_program(&f.dev, 4, zero, 4), LF_E_FLASH_DEVICE);
    assert_int_equal(lf_flash_erase(&f.dev, 0, 4096), LF_E_FLASH_DEVICE);
    assert_true(pc.fired);
    assert_int_equal(cuts_seen, 1);
    assert_int_equal(lf_flash_read(&f.dev, 0, r, 8), LF_OK);
    assert_int_equal(r[0], 0x00);
    assert_int_equal(r[4], 0xFF);

    /* Torn program: only a subset of the bits to clear get cleared. */
    memset(&pc, 0, sizeof(pc));
    pc.on_cut = note_cut;
    pc.cut_at = 1;
    pc.kind = LF_SIM_CUT_TORN;
    pc.seed = 1234;
    assert_int_equal(lf_flash_program(&f.dev, 0x100, zero, 16), LF_E_FLASH_DEVICE);
    assert_int_equal(lf_flash_read(&f.dev, 0x100, r, 16), LF_OK);
    unsigned cleared = 0, kept = 0;
    for (int i = 0; i < 16; i++) {
        for (int b = 0; b < 8; b++) {
            if (r[i] & (1u << b)) {
                kept++;
            } else {
                cleared++;
            }
        }
    }
    assert_true(cleared > 0 && kept > 0);

    /* Torn erase of a programmed sector: a mix of erased and old bytes. */
    memset(&pc, 0, sizeof(pc));
    f.pc = NULL;
    uint8_t page[4096];
    memset(page, 0x00, sizeof(page));
    assert_int_equal(lf_flash_program(&f.dev, 0x2000, page, 4096), LF_OK);
    f.pc = &pc;
    pc.on_cut = note_cut;
    pc.cut_at = 1;
    pc.kind = LF_SIM_CUT_TORN;
    assert_int_equal(lf_flash_erase(&f.dev, 0x2000, 4096), LF_E_FLASH_DEVICE);
    assert_int_equal(lf_flash_read(&f.dev, 0x2000, page, 4096), LF_OK);
    unsigned erased = 0, old = 0, partial = 0;
    for (int i = 0; i < 4096; i++) {
        if (page[i] == 0xFF) {
            erased++;
        } else if (page[i] == 0x00) {
            old++;
        } else {
            partial++;
        }
    }
    assert_true(erased > 500 && old > 500 && partial > 500);
    /* A torn erase is not counted as an erase (it did not complete). */
    assert_int_equal(lf_sim_flash_erase_count(&f, 0x2000), 0);
    lf_sim_flash_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nrf52840_words_clear_bits_only),
        cmocka_unit_test(test_mx25r_pages_and_persistence),
        cmocka_unit_test(test_otp_program_once_never_erase),
        cmocka_unit_test(test_any_geometry_as_data),
        cmocka_unit_test(test_write_protection),
        cmocka_unit_test(test_powercut_clean_and_torn),
    };
    return cmocka_run_group_tests(tests, make_work, drop_work);
}
