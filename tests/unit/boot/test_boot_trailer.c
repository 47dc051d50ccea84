/*
 * Trailer fields, the decision table and the status area, on a RAM flash.
 * Includes the imgtool-padded vectors: their trailers must read exactly as
 * MCUboot reads them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/trailer.h"

#define RAM_SIZE 0x10000u

struct ram {
    uint8_t mem[RAM_SIZE];
    unsigned programs;
    struct lf_flash_geometry geo;
    struct lf_flash_dev dev;
    struct lf_flash_area fa;
};

static int ram_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct ram *r = ctx;
    memcpy(buf, r->mem + off, len);
    return LF_OK;
}

static int ram_program(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct ram *r = ctx;
    const uint8_t *s = buf;
    for (uint32_t i = 0; i < len; i++) {
        r->mem[off + i] &= s[i];
    }
    r->programs++;
    return LF_OK;
}

static int ram_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct ram *r = ctx;
    memset(r->mem + off, 0xFF, len);
    return LF_OK;
}

static const struct lf_flash_ops ram_ops = {ram_read, ram_program, ram_erase};

static struct ram ram;

static void ram_init(uint16_t align)
{
    memset(&ram, 0, sizeof(ram));
    memset(ram.mem, 0xFF, sizeof(ram.mem));
    ram.geo = (struct lf_flash_geometry){
        .part = "ram",
        .size = RAM_SIZE,
        .run_count = 1,
        .erase_value = 0xFF,
        .write_align = align,
        .runs = {{RAM_SIZE / 4096, 4096}},
    };
    ram.dev = (struct lf_flash_dev){&ram.geo, &ram_ops, &ram, LF_FLASH_NOT_MAPPED};
    ram.fa = (struct lf_flash_area){7, &ram.dev, 0, RAM_SIZE};
}

static void load_vector(const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/imgtool/images/%s", LF_VECTORS_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(ram.mem, 1, RAM_SIZE, f), RAM_SIZE);
    fclose(f);
}

static const uint8_t legacy_magic[16] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                         0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};

static void test_offsets_and_sizes(void **state)
{
    (void)state;
    ram_init(4);
    assert_int_equal(lf_trailer_magic_off(&ram.fa), 0xfff0);
    assert_int_equal(lf_trailer_image_ok_off(&ram.fa), 0xffe8);
    assert_int_equal(lf_trailer_copy_done_off(&ram.fa), 0xffe0);
    assert_int_equal(lf_trailer_swap_info_off(&ram.fa), 0xffd8);
    assert_int_equal(lf_trailer_swap_size_off(&ram.fa), 0xffd0);
    assert_int_equal(lf_trailer_info_size(), 48);
    /* docs/reference/mcuboot.md 2.1 worked example (W=4, 128 sectors) and ours (256). */
    assert_int_equal(lf_trailer_size(128, 3, 4), 1584);
    assert_int_equal(lf_trailer_size(256, 3, 4), 3120);
    assert_int_equal(lf_trailer_size(LF_BOOT_MAX_IMG_SECTORS, 0, 4), 48);
}

/* imgtool --pad / --confirm / --test / --overwrite-only, slot 0x10000. */
static void test_imgtool_padded_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        uint8_t image_ok;
        uint8_t as_secondary; /* swap type with an empty primary */
    } v[] = {
        {"ecdsa-p256_p1k_pad.bin", LF_FLAG_UNSET, LF_SWAP_TEST},
        {"ecdsa-p256_p1k_pad_confirm.bin", LF_FLAG_SET, LF_SWAP_PERM},
        {"ecdsa-p256_p1k_pad_test.bin", LF_FLAG_UNSET, LF_SWAP_TEST},
        {"ecdsa-p256_p1k_pad_overwrite.bin", LF_FLAG_UNSET, LF_SWAP_TEST},
    };
    struct lf_trailer empty = {LF_MAGIC_UNSET, LF_FLAG_UNSET, LF_FLAG_UNSET, LF_SWAP_NONE, 0, 0};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        ram_init(4);
        load_vector(v[i].file);
        struct lf_trailer tr;
        assert_int_equal(lf_trailer_read(&ram.fa, &tr), LF_OK);
        assert_int_equal(tr.magic, LF_MAGIC_GOOD);
        assert_int_equal(tr.image_ok, v[i].image_ok);
        assert_int_equal(tr.copy_done, LF_FLAG_UNSET);
        assert_int_equal(tr.swap_type, LF_SWAP_NONE);
        assert_int_equal(tr.image_num, 0);
        assert_int_equal(tr.swap_size, 0xffffffffu);
        uint8_t row;
        /* In the secondary: a pending test (T1) or permanent (T2) request. */
        assert_int_equal(lf_swap_type_decide(&empty, &tr, &row), v[i].as_secondary);
        assert_int_equal(row, v[i].as_secondary == LF_SWAP_TEST ? 1 : 2);
        /* Flashed in the primary: nothing to do (copy_done unset, T4). */
        assert_int_equal(lf_swap_type_decide(&tr, &empty, &row), LF_SWAP_NONE);
        assert_int_equal(row, 4);
    }
}

static void test_decode_odd_contents(void **state)
{
    (void)state;
    ram_init(4);
    struct lf_trailer tr;
    assert_int_equal(lf_trailer_read(&ram.fa, &tr), LF_OK);
    assert_int_equal(tr.magic, LF_MAGIC_UNSET);
    assert_int_equal(tr.image_ok, LF_FLAG_UNSET);
    assert_int_equal(tr.swap_type, LF_SWAP_NONE);
    memcpy(ram.mem + 0xfff0, legacy_magic, 16);
    ram.mem[0xffff] ^= 0x01; /* one bit off */
    ram.mem[0xffe8] = 0x00;  /* image_ok neither 0x01 nor erased */
    ram.mem[0xffe0] = 0x01;
    ram.mem[0xffd8] = 0x13; /* image 1, PERM */
    assert_int_equal(lf_trailer_read(&ram.fa, &tr), LF_OK);
    assert_int_equal(tr.magic, LF_MAGIC_BAD);
    assert_int_equal(tr.image_ok, LF_FLAG_BAD);
    assert_int_equal(tr.copy_done, LF_FLAG_SET);
    assert_int_equal(tr.swap_type, LF_SWAP_PERM);
    assert_int_equal(tr.image_num, 1);
    ram.mem[0xffd8] = 0x25; /* type 5 > REVERT: NONE, image 0 */
    assert_int_equal(lf_trailer_read(&ram.fa, &tr), LF_OK);
    assert_int_equal(tr.swap_type, LF_SWAP_NONE);
    assert_int_equal(tr.image_num, 0);
}

static void test_field_writers(void **state)
{
    (void)state;
    for (uint16_t align = 1; align <= 8; align *= 2) {
        ram_init(align);
        assert_int_equal(lf_trailer_write_swap_info(&ram.fa, 0, LF_SWAP_TEST), LF_OK);
        assert_int_equal(lf_trailer_write_swap_size(&ram.fa, 0x12345), LF_OK);
        assert_int_equal(lf_trailer_write_image_ok(&ram.fa), LF_OK);
        assert_int_equal(lf_trailer_write_copy_done(&ram.fa), LF_OK);
        assert_int_equal(lf_trailer_write_magic(&ram.fa), LF_OK);
        assert_int_equal(ram.programs, 5); /* one program per field */
        assert_memory_equal(ram.mem + 0xfff0, legacy_magic, 16);
        assert_int_equal(ram.mem[0xffe8], 0x01);
        assert_int_equal(ram.mem[0xffe0], 0x01);
        assert_int_equal(ram.mem[0xffd8], 0x02);
        static const uint8_t sz[4] = {0x45, 0x23, 0x01, 0x00};
        assert_memory_equal(ram.mem + 0xffd0, sz, 4);
        /* Padding of each unit stays erased. */
        for (uint32_t u = 0xffd0; u < 0xfff0; u += 8) {
            uint32_t used = u == 0xffd0 ? 4 : 1;
            for (uint32_t i = used; i < 8; i++) {
                assert_int_equal(ram.mem[u + i], 0xFF);
            }
        }
        struct lf_trailer tr;
        assert_int_equal(lf_trailer_read(&ram.fa, &tr), LF_OK);
        assert_int_equal(tr.magic, LF_MAGIC_GOOD);
        assert_int_equal(tr.swap_size, 0x12345);
    }
    /* A torn magic is BAD; writing it again completes it. */
    ram_init(4);
    for (int i = 0; i < 16; i++) {
        ram.mem[0xfff0 + i] = (uint8_t)(legacy_magic[i] | 0x10);
    }
    struct lf_trailer tr;
    assert_int_equal(lf_trailer_read(&ram.fa, &tr), LF_OK);
    assert_int_equal(tr.magic, LF_MAGIC_BAD);
    assert_int_equal(lf_trailer_write_magic(&ram.fa), LF_OK);
    assert_int_equal(lf_trailer_read(&ram.fa, &tr), LF_OK);
    assert_int_equal(tr.magic, LF_MAGIC_GOOD);
    assert_int_equal(lf_trailer_write_swap_info(&ram.fa, 15, LF_SWAP_TEST), LF_E_RANGE);
}

static void test_pending_and_confirm(void **state)
{
    (void)state;
    struct lf_trailer tr;
    ram_init(4);
    assert_int_equal(lf_trailer_set_pending(&ram.fa, 0, false), LF_OK);
    assert_int_equal(lf_trailer_read(&ram.fa, &tr), LF_OK);
    assert_int_equal(tr.magic, LF_MAGIC_GOOD);
    assert_int_equal(tr.image_ok, LF_FLAG_UNSET);
    assert_int_equal(tr.swap_type, LF_SWAP_TEST);
    unsigned before = ram.programs;
    assert_int_equal(lf_trailer_set_pending(&ram.fa, 0, true), LF_OK); /* already pending */
    assert_int_equal(ram.programs, before);

    ram_init(4);
    assert_int_equal(lf_trailer_set_pending(&ram.fa, 1, true), LF_OK);
    assert_int_equal(lf_trailer_read(&ram.fa, &tr), LF_OK);
    assert_int_equal(tr.image_ok, LF_FLAG_SET);
    assert_int_equal(tr.swap_type, LF_SWAP_PERM);
    assert_int_equal(tr.image_num, 1);

    ram_init(4);
    ram.mem[0xfff0] = 0x00; /* BAD magic */
    assert_int_equal(lf_trailer_set_pending(&ram.fa, 0, false), LF_E_BOOT_BAD_TRAILER);
    assert_int_equal(lf_trailer_set_confirmed(&ram.fa), LF_E_BOOT_BAD_TRAILER);

    ram_init(4); /* no trailer: nothing written, cannot be reverted anyway */
    assert_int_equal(lf_trailer_set_confirmed(&ram.fa), LF_OK);
    assert_int_equal(ram.programs, 0);

    ram_init(4);
    load_vector("ecdsa-p256_p1k_pad.bin");
    assert_int_equal(lf_trailer_set_confirmed(&ram.fa), LF_OK);
    assert_int_equal(ram.mem[0xffe8], 0x01);
    assert_int_equal(ram.programs, 1);
    assert_int_equal(lf_trailer_set_confirmed(&ram.fa), LF_OK);
    assert_int_equal(ram.programs, 1);

    /* A torn confirm (0x01's bits half programmed) is completed... */
    ram_init(4);
    load_vector("ecdsa-p256_p1k_pad.bin");
    ram.mem[0xffe8] = 0x7F;
    assert_int_equal(lf_trailer_set_confirmed(&ram.fa), LF_OK);
    assert_int_equal(ram.mem[0xffe8], 0x01);
    /* ... a value that can no longer become 0x01 is left alone. */
    ram.mem[0xffe8] = 0xFE;
    ram.programs = 0;
    assert_int_equal(lf_trailer_set_confirmed(&ram.fa), LF_OK);
    assert_int_equal(ram.programs, 0);
}

/* The table against the rows of mcuboot.md 2.5, written as plain conditions. */
static uint8_t reference_decide(const struct lf_trailer *p, const struct lf_trailer *s)
{
    if (s->magic == LF_MAGIC_GOOD && s->image_ok == LF_FLAG_UNSET) {
        return LF_SWAP_TEST;
    }
    if (s->magic == LF_MAGIC_GOOD && s->image_ok == LF_FLAG_SET) {
        return LF_SWAP_PERM;
    }
    if (p->magic == LF_MAGIC_GOOD && p->image_ok == LF_FLAG_UNSET && p->copy_done == LF_FLAG_SET) {
        return LF_SWAP_REVERT;
    }
    return LF_SWAP_NONE;
}

static void test_decision_table_exhaustive(void **state)
{
    (void)state;
    unsigned cases = 0;
    for (uint8_t pm = 1; pm <= 3; pm++) {
        for (uint8_t sm = 1; sm <= 3; sm++) {
            for (uint8_t pi = 1; pi <= 3; pi++) {
                for (uint8_t si = 1; si <= 3; si++) {
                    for (uint8_t pc = 1; pc <= 3; pc++) {
                        for (uint8_t sc = 1; sc <= 3; sc++) {
                            struct lf_trailer p = {pm, pi, pc, LF_SWAP_NONE, 0, 0};
                            struct lf_trailer s = {sm, si, sc, LF_SWAP_NONE, 0, 0};
                            uint8_t row;
                            assert_int_equal(lf_swap_type_decide(&p, &s, &row),
                                             reference_decide(&p, &s));
                            assert_true(row >= 1 && row <= 4);
                            cases++;
                        }
                    }
                }
            }
        }
    }
    assert_int_equal(cases, 729);
}

static struct lf_status_map status_map(uint8_t kind, uint32_t n)
{
    struct lf_status_map m = {kind, 4, LF_BOOT_MAX_IMG_SECTORS,
                              RAM_SIZE - lf_trailer_size(LF_BOOT_MAX_IMG_SECTORS, 3, 4), n};
    return m;
}

static void test_status_placement(void **state)
{
    (void)state;
    struct lf_status_map m = status_map(LF_STATUS_MOVE, 3);
    assert_int_equal(lf_status_steps(&m), 9);
    /* mcuboot.md 2.4: move record idx-1, swap record MAX + (idx-1)*2 + (state-1). */
    static const uint32_t rec[9] = {0, 1, 2, 256, 257, 258, 259, 260, 261};
    static const uint8_t val[9] = {1, 1, 1, 1, 2, 1, 2, 1, 2};
    for (uint32_t e = 0; e < 9; e++) {
        assert_int_equal(lf_status_record(&m, e), rec[e]);
        assert_int_equal(lf_status_value(&m, e), val[e]);
    }
    m = status_map(LF_STATUS_SCRATCH, 2);
    assert_int_equal(lf_status_steps(&m), 6);
    for (uint32_t e = 0; e < 6; e++) {
        assert_int_equal(lf_status_record(&m, e), e); /* (idx-1)*3 + (state-1) */
        assert_int_equal(lf_status_value(&m, e), e % 3 + 1);
    }
    m.kind = LF_STATUS_NONE;
    assert_int_equal(lf_status_steps(&m), 0);
}

static void test_status_progress(void **state)
{
    (void)state;
    uint8_t buf[64];
    uint32_t done = 99;
    ram_init(4);
    struct lf_status_map m = status_map(LF_STATUS_MOVE, 3);
    assert_int_equal(lf_status_read(&ram.fa, &m, buf, sizeof(buf), &done), LF_OK);
    assert_int_equal(done, 0);
    for (uint32_t e = 0; e < 9; e++) {
        assert_int_equal(lf_status_write(&ram.fa, &m, e), LF_OK);
        uint32_t at = m.off + lf_status_record(&m, e) * 4;
        assert_int_equal(ram.mem[at], lf_status_value(&m, e));
        assert_int_equal(ram.mem[at + 1], 0xFF);
        assert_int_equal(lf_status_read(&ram.fa, &m, buf, sizeof(buf), &done), LF_OK);
        assert_int_equal(done, e + 1);
    }
    assert_int_equal(lf_status_write(&ram.fa, &m, 9), LF_E_RANGE);
    /* A record written after a gap is corruption. */
    ram_init(4);
    assert_int_equal(lf_status_write(&ram.fa, &m, 0), LF_OK);
    assert_int_equal(lf_status_write(&ram.fa, &m, 2), LF_OK);
    assert_int_equal(lf_status_read(&ram.fa, &m, buf, sizeof(buf), &done), LF_E_BOOT_BAD_STATUS);
    /* A record this operation never writes (move record 5 with n = 3). */
    ram_init(4);
    ram.mem[m.off + 5 * 4] = 0x01;
    assert_int_equal(lf_status_read(&ram.fa, &m, buf, sizeof(buf), &done), LF_E_BOOT_BAD_STATUS);
    /* Swap records before all move records. */
    ram_init(4);
    assert_int_equal(lf_status_write(&ram.fa, &m, 0), LF_OK);
    assert_int_equal(lf_status_write(&ram.fa, &m, 3), LF_OK);
    assert_int_equal(lf_status_read(&ram.fa, &m, buf, sizeof(buf), &done), LF_E_BOOT_BAD_STATUS);
    /* A torn record (any bit programmed) counts as written. */
    ram_init(4);
    m = status_map(LF_STATUS_SCRATCH, 4);
    ram.mem[m.off] = 0xFD;
    assert_int_equal(lf_status_read(&ram.fa, &m, buf, sizeof(buf), &done), LF_OK);
    assert_int_equal(done, 1);
    /* Bad maps. */
    m.n = 0;
    assert_int_equal(lf_status_read(&ram.fa, &m, buf, sizeof(buf), &done), LF_E_INVAL);
    m = status_map(LF_STATUS_SCRATCH, 4);
    m.off = RAM_SIZE - 100;
    assert_int_equal(lf_status_read(&ram.fa, &m, buf, sizeof(buf), &done), LF_E_INVAL);
    m = status_map(LF_STATUS_SCRATCH, 4);
    assert_int_equal(lf_status_read(&ram.fa, &m, buf, 2, &done), LF_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets_and_sizes),
        cmocka_unit_test(test_imgtool_padded_vectors),
        cmocka_unit_test(test_decode_odd_contents),
        cmocka_unit_test(test_field_writers),
        cmocka_unit_test(test_pending_and_confirm),
        cmocka_unit_test(test_decision_table_exhaustive),
        cmocka_unit_test(test_status_placement),
        cmocka_unit_test(test_status_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
