/*
 * Fuzz target: trailer and status-area parsing, and the engine's decisions
 * on arbitrary trailers. Input: 1 selector byte (status record size, kind,
 * operation size, strategy), 48 bytes for the primary's trailer info part
 * (swap_size .. magic), 48 for the secondary's, and the rest for the
 * primary's status area, from its first record on. Then:
 *   - lf_trailer_read on both, the decision table,
 *   - lf_status_read for the chosen map,
 *   - lf_boot_record_decode over the input,
 *   - a whole lf_boot_go (swap-move, no keys: nothing validates), which
 *     resumes or decides from these trailers and must never write outside
 *     the slots or crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lf/boot.h"
#include "lf/boot_record.h"
#include "lf/err.h"
#include "lf/trailer.h"

#define SLOT     0x4000u
#define DEV_SIZE (2u * SLOT + 0x2000u)

static uint8_t mem[DEV_SIZE];

static int ram_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    (void)ctx;
    memcpy(buf, mem + off, len);
    return LF_OK;
}

static int ram_program(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    (void)ctx;
    const uint8_t *s = buf;
    for (uint32_t i = 0; i < len; i++) {
        mem[off + i] &= s[i];
    }
    return LF_OK;
}

static int ram_erase(void *ctx, uint32_t off, uint32_t len)
{
    (void)ctx;
    memset(mem + off, 0xFF, len);
    return LF_OK;
}

static const struct lf_flash_ops ops = {ram_read, ram_program, ram_erase};
static const struct lf_flash_geometry geo = {
    .part = "fuzz-ram",
    .size = DEV_SIZE,
    .run_count = 1,
    .erase_value = 0xFF,
    .write_align = 4,
    .runs = {{DEV_SIZE / 4096u, 4096u}},
};
static const struct lf_flash_dev dev = {&geo, &ops, NULL, LF_FLASH_NOT_MAPPED};
static const struct lf_flash_area pri = {6, &dev, 0, SLOT};
static const struct lf_flash_area sec = {7, &dev, SLOT, SLOT};
static const struct lf_flash_area state = {4, &dev, 2u * SLOT, 0x2000u};

static struct lf_boot_ctx ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t sel = data[0];
    data++;
    size--;
    uint8_t w = (uint8_t)(1u << (sel & 3u)); /* 1, 2, 4, 8 */
    uint32_t tsz = lf_trailer_size(LF_BOOT_MAX_IMG_SECTORS, 3, w);
    uint32_t info = lf_trailer_info_size();
    memset(mem, 0xFF, sizeof(mem));
    size_t n = size < info ? size : info;
    memcpy(mem + SLOT - info, data, n);
    size_t m = size - n < info ? size - n : info;
    memcpy(mem + 2u * SLOT - info, data + n, m);
    size_t rest = size - n - m;
    rest = rest < tsz - info ? rest : tsz - info;
    memcpy(mem + SLOT - tsz, data + n + m, rest);

    struct lf_trailer tp;
    struct lf_trailer ts;
    if (lf_trailer_read(&pri, &tp) != LF_OK || lf_trailer_read(&sec, &ts) != LF_OK) {
        __builtin_trap();
    }
    uint8_t row = 0;
    uint8_t type = lf_swap_type_decide(&tp, &ts, &row);
    if (row < 1 || row > 4 || type < LF_SWAP_NONE || type > LF_SWAP_REVERT) {
        __builtin_trap();
    }

    uint8_t kind = (sel & 4u) ? LF_STATUS_SCRATCH : LF_STATUS_MOVE;
    struct lf_status_map map = {kind, w, (uint16_t)LF_BOOT_MAX_IMG_SECTORS, SLOT - tsz,
                                (uint32_t)((sel >> 3) & 0x0Fu) + 1u};
    uint8_t buf[64];
    uint32_t done = 0;
    int err = lf_status_read(&pri, &map, buf, sizeof(buf), &done);
    if (err == LF_OK && done > lf_status_steps(&map)) {
        __builtin_trap();
    }

    for (size_t off = 0; off + LF_BOOT_RECORD_SIZE <= size; off += LF_BOOT_RECORD_SIZE) {
        struct lf_boot_record r;
        (void)lf_boot_record_decode(data + off, &r);
    }

    static const struct lf_keyring none = {NULL, 0, NULL, 0};
    struct lf_boot_cfg cfg = {
        .strategy = (sel & 0x80u) ? &lf_boot_strategy_overwrite : &lf_boot_strategy_swap_move,
        .primary = &pri,
        .secondary = &sec,
        .state = &state,
        .keys = &none,
    };
    struct lf_boot_result res;
    err = lf_boot_go(&ctx, &cfg, &res);
    if (err == LF_OK) {
        __builtin_trap(); /* nothing can validate without keys */
    }
    return 0;
}
