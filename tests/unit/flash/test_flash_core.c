/*
 * The core's checks: every rule refused with its own error, and a refused
 * request never reaches the driver. A RAM driver counts the calls it gets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/flash.h"

struct ram_flash {
    uint8_t mem[256 * 1024];
    unsigned reads, programs, erases;
    uint32_t last_erase_len;
};

static int ram_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct ram_flash *r = ctx;
    r->reads++;
    memcpy(buf, r->mem + off, len);
    return LF_OK;
}

static int ram_program(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct ram_flash *r = ctx;
    r->programs++;
    memcpy(r->mem + off, buf, len);
    return LF_OK;
}

static int ram_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct ram_flash *r = ctx;
    r->erases++;
    r->last_erase_len = len;
    memset(r->mem + off, 0xFF, len);
    return LF_OK;
}

static const struct lf_flash_ops ram_ops = {ram_read, ram_program, ram_erase};

/* Mixed sectors: 4 x 16 KiB, 1 x 64 KiB, 1 x 128 KiB = 256 KiB (STM32F4-like). */
static const struct lf_flash_geometry mixed_geo = {
    .part = "mixed",
    .size = 256 * 1024,
    .run_count = 3,
    .erase_value = 0xFF,
    .write_align = 8,
    .program_page = 256,
    .max_program = 128,
    .runs = {{4, 16 * 1024}, {1, 64 * 1024}, {1, 128 * 1024}},
};

static struct ram_flash ram;
static struct lf_flash_dev dev = {&mixed_geo, &ram_ops, &ram, LF_FLASH_NOT_MAPPED};

static int reset_ram(void **state)
{
    (void)state;
    memset(&ram, 0xFF, sizeof(ram.mem));
    ram.reads = ram.programs = ram.erases = 0;
    return 0;
}

static void test_geometry_checks(void **state)
{
    (void)state;
    assert_int_equal(lf_flash_geometry_check(&mixed_geo), LF_OK);
    assert_int_equal(lf_flash_geometry_check(&lf_flash_part_nrf52840_nvmc), LF_OK);
    assert_int_equal(lf_flash_geometry_check(&lf_flash_part_mx25r6435f), LF_OK);
    assert_int_equal(lf_flash_geometry_check(&lf_flash_part_otp_4k), LF_OK);
    assert_int_equal(lf_flash_geometry_check(&lf_flash_part_nor_64k), LF_OK);

    struct lf_flash_geometry bad = mixed_geo;
    bad.size += 1; /* runs no longer sum to size */
    assert_int_equal(lf_flash_geometry_check(&bad), LF_E_FLASH_GEOMETRY);
    bad = mixed_geo;
    bad.write_align = 3;
    assert_int_equal(lf_flash_geometry_check(&bad), LF_E_FLASH_GEOMETRY);
    bad = mixed_geo;
    bad.erase_value = 0x5A;
    assert_int_equal(lf_flash_geometry_check(&bad), LF_E_FLASH_GEOMETRY);
    bad = mixed_geo;
    bad.run_count = 0;
    assert_int_equal(lf_flash_geometry_check(&bad), LF_E_FLASH_GEOMETRY);
    bad = mixed_geo;
    bad.max_program = 100; /* not a multiple of the alignment */
    assert_int_equal(lf_flash_geometry_check(&bad), LF_E_FLASH_GEOMETRY);
}

static void test_sector_map_is_data(void **state)
{
    (void)state;
    uint32_t start, size;
    assert_int_equal(lf_flash_geometry_sector_at(&mixed_geo, 0, &start, &size), LF_OK);
    assert_int_equal(start, 0);
    assert_int_equal(size, 16 * 1024);
    assert_int_equal(lf_flash_geometry_sector_at(&mixed_geo, 70000, &start, &size), LF_OK);
    assert_int_equal(start, 64 * 1024);
    assert_int_equal(size, 64 * 1024);
    assert_int_equal(lf_flash_geometry_sector_at(&mixed_geo, 200000, &start, &size), LF_OK);
    assert_int_equal(start, 128 * 1024);
    assert_int_equal(size, 128 * 1024);
    assert_int_equal(lf_flash_geometry_sector_at(&mixed_geo, 256 * 1024, &start, &size),
                     LF_E_FLASH_OUT_OF_BOUNDS);
    assert_true(lf_flash_geometry_is_sector_boundary(&mixed_geo, 48 * 1024));
    assert_false(lf_flash_geometry_is_sector_boundary(&mixed_geo, 80 * 1024));
    assert_true(lf_flash_geometry_is_sector_boundary(&mixed_geo, 256 * 1024));
    assert_ptr_equal(lf_flash_part_find("mx25r6435f"), &lf_flash_part_mx25r6435f);
    assert_null(lf_flash_part_find("no-such-part"));
}

static void test_refusals_never_touch_flash(void **state)
{
    (void)state;
    uint8_t buf[512];
    memset(buf, 0, sizeof(buf));
    /* Out of bounds, including offset+length overflow. */
    assert_int_equal(lf_flash_read(&dev, 256 * 1024 - 4, buf, 8), LF_E_FLASH_OUT_OF_BOUNDS);
    assert_int_equal(lf_flash_program(&dev, 0xFFFFFFF8u, buf, 16), LF_E_FLASH_OUT_OF_BOUNDS);
    assert_int_equal(lf_flash_erase(&dev, 0, 512 * 1024), LF_E_FLASH_OUT_OF_BOUNDS);
    /* Misaligned offset and length (alignment 8). */
    assert_int_equal(lf_flash_program(&dev, 4, buf, 8), LF_E_FLASH_MISALIGNED);
    assert_int_equal(lf_flash_program(&dev, 8, buf, 12), LF_E_FLASH_MISALIGNED);
    /* Longer than one program may be. */
    assert_int_equal(lf_flash_program(&dev, 0, buf, 136), LF_E_FLASH_TOO_LONG);
    /* Crossing a 256-byte program page. */
    assert_int_equal(lf_flash_program(&dev, 200, buf, 64), LF_E_FLASH_PAGE_CROSS);
    /* Erase not on sector boundaries (inside the 64 KiB sector). */
    assert_int_equal(lf_flash_erase(&dev, 64 * 1024, 16 * 1024), LF_E_FLASH_NOT_SECTOR);
    assert_int_equal(lf_flash_erase(&dev, 4096, 16 * 1024), LF_E_FLASH_NOT_SECTOR);
    assert_int_equal(ram.reads + ram.programs + ram.erases, 0);

    /* Legal requests do reach it. */
    assert_int_equal(lf_flash_program(&dev, 192, buf, 64), LF_OK);
    assert_int_equal(ram.programs, 1);
    assert_int_equal(lf_flash_erase(&dev, 32 * 1024, 16 * 1024 + 16 * 1024 + 64 * 1024), LF_OK);
    assert_int_equal(ram.erases, 3); /* one call per sector: 16K, 16K, 64K */
    assert_int_equal(ram.last_erase_len, 64 * 1024);
}

static void test_area_bounds_and_split_writes(void **state)
{
    (void)state;
    struct lf_flash_area fa = {.id = 1, .dev = &dev, .off = 16 * 1024, .size = 48 * 1024};
    struct lf_flash_area bad = {.id = 2, .dev = &dev, .off = 8 * 1024, .size = 16 * 1024};
    uint8_t buf[1000];
    uint8_t back[1000];
    assert_int_equal(lf_flash_area_check(&fa), LF_OK);
    assert_int_equal(lf_flash_area_check(&bad), LF_E_FLASH_NOT_SECTOR);
    assert_int_equal(lf_flash_area_read(&fa, 48 * 1024 - 8, buf, 16), LF_E_FLASH_OUT_OF_BOUNDS);
    assert_int_equal(lf_flash_area_erase(&fa, 0, 64 * 1024), LF_E_FLASH_OUT_OF_BOUNDS);
    assert_int_equal(ram.reads + ram.programs + ram.erases, 0);

    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)(i * 7 + 1);
    }
    /* 992 bytes from area offset 200 (device 16584): pages end at 16640,
     * 16896, 17152, 17408 -> 56, 256, 256, 256, 168 bytes in 128-byte programs. */
    assert_int_equal(lf_flash_area_write(&fa, 200, buf, 996), LF_E_FLASH_MISALIGNED);
    assert_int_equal(lf_flash_area_write(&fa, 204, buf, 992), LF_E_FLASH_MISALIGNED);
    assert_int_equal(lf_flash_area_write(&fa, 200, buf, 992), LF_OK);
    assert_int_equal(ram.programs, 9);
    assert_int_equal(lf_flash_area_read(&fa, 200, back, 992), LF_OK);
    assert_memory_equal(buf, back, 992);
    assert_int_equal(lf_flash_area_sector_count(&fa), 3);
    assert_int_equal(lf_flash_area_max_sector(&fa), 16 * 1024);

    bool erased = true;
    assert_int_equal(lf_flash_area_is_erased(&fa, 0, 200, &erased), LF_OK);
    assert_true(erased);
    assert_int_equal(lf_flash_area_is_erased(&fa, 0, 208, &erased), LF_OK);
    assert_false(erased);
}

static void test_area_copy_pads_tail(void **state)
{
    (void)state;
    struct lf_flash_area src = {.id = 1, .dev = &dev, .off = 0, .size = 16 * 1024};
    struct lf_flash_area dst = {.id = 2, .dev = &dev, .off = 16 * 1024, .size = 16 * 1024};
    uint8_t data[300];
    for (unsigned i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(0x80 ^ i);
    }
    assert_int_equal(lf_flash_area_write(&src, 0, data, 296), LF_OK);
    uint8_t bounce[64];
    /* 293 bytes copy as 296 (alignment 8): the 3 extra bytes stay erased. */
    assert_int_equal(lf_flash_area_copy(&dst, 0, &src, 0, 293, bounce, sizeof(bounce)), LF_OK);
    uint8_t back[296];
    assert_int_equal(lf_flash_area_read(&dst, 0, back, 296), LF_OK);
    assert_memory_equal(back, data, 293);
    assert_int_equal(back[293], 0xFF);
    assert_int_equal(back[295], 0xFF);
    assert_int_equal(lf_flash_area_copy(&dst, 0, &src, 0, 293, bounce, 4), LF_E_INVAL);
}

static void test_error_names(void **state)
{
    (void)state;
    assert_string_equal(lf_err_name(LF_E_FLASH_PAGE_CROSS), "FLASH_PAGE_CROSS");
    assert_string_equal(lf_err_str(LF_OK), "ok");
    assert_string_equal(lf_err_str(12345), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_geometry_checks, reset_ram),
        cmocka_unit_test_setup(test_sector_map_is_data, reset_ram),
        cmocka_unit_test_setup(test_refusals_never_touch_flash, reset_ram),
        cmocka_unit_test_setup(test_area_bounds_and_split_writes, reset_ram),
        cmocka_unit_test_setup(test_area_copy_pads_tail, reset_ram),
        cmocka_unit_test_setup(test_error_names, reset_ram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
