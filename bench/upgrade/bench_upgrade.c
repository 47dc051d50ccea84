/*
 * bench_upgrade: what one upgrade and one revert cost in flash operations,
 * for every strategy on every layout that supports it and a few image
 * sizes, printed as a markdown table beside the formulas of docs/reference/mcuboot.md 3.7.
 *
 * Erases are counted per area (primary, secondary, scratch) from the
 * virtual device's per-sector erase counters; bytes programmed per device.
 * The boot record is left out (it is not part of the upgrade).
 *
 * Usage: bench_upgrade [--help]. Exit status 1 when a measured erase count
 * exceeds the formula (plus the one trailer erase per slot that mcuboot.md 3.7 allows).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boards.h"
#include "boot_testlib.h"
#include "lf/err.h"

struct cost {
    uint64_t erases[3]; /* primary, secondary, scratch (sector erases) */
    uint64_t bytes[2];  /* internal, external device */
    uint64_t programs[2];
};

static uint64_t area_erases(struct lf_sim_device *d, uint8_t id)
{
    const struct lf_flash_area *fa = lf_sim_device_area(d, id);
    if (!fa) {
        return 0;
    }
    struct lf_sim_flash *f = lf_sim_device_flash_of(d, fa);
    uint64_t sum = 0;
    for (uint32_t off = 0; off < fa->size;) {
        uint32_t start;
        uint32_t size;
        if (lf_flash_area_sector_at(fa, off, &start, &size) != LF_OK) {
            break;
        }
        sum += lf_sim_flash_erase_count(f, fa->off + start);
        off = start + size;
    }
    return sum;
}

static void snapshot(struct lf_sim_device *d, struct cost *c)
{
    static const uint8_t ids[3] = {LF_AREA_APP_PRIMARY, LF_AREA_APP_SECONDARY, LF_AREA_SCRATCH};
    for (int i = 0; i < 3; i++) {
        c->erases[i] = area_erases(d, ids[i]);
    }
    for (int dev = 0; dev < 2; dev++) {
        struct lf_sim_flash_stats st = {0, 0, 0};
        if (d->board->dev_geo[dev]) {
            lf_sim_flash_get_stats(&d->flash[dev], &st);
        }
        c->bytes[dev] = st.bytes_programmed;
        c->programs[dev] = st.programs;
    }
}

static struct cost diff(const struct cost *a, const struct cost *b)
{
    struct cost r;
    for (int i = 0; i < 3; i++) {
        r.erases[i] = b->erases[i] - a->erases[i];
    }
    for (int i = 0; i < 2; i++) {
        r.bytes[i] = b->bytes[i] - a->bytes[i];
        r.programs[i] = b->programs[i] - a->programs[i];
    }
    return r;
}

/* mcuboot.md 3.7 in sector erases: k* = sectors of each area per unit swapped. */
struct formula {
    uint64_t erases[3];
    const char *text;
};

static struct formula formula_of(const struct lf_boot_strategy *s, uint32_t n, uint32_t kp,
                                 uint32_t ks, uint32_t kscr)
{
    struct formula r = {{0, 0, 0}, ""};
    switch (s->id) {
    case LF_BOOT_STRATEGY_SWAP_MOVE:
        r.erases[0] = 2ull * n;
        r.erases[1] = n;
        r.text = "P 2N, S N";
        break;
    case LF_BOOT_STRATEGY_SWAP_SCRATCH:
        r.erases[0] = (uint64_t)n * kp;
        r.erases[1] = (uint64_t)n * ks;
        r.erases[2] = (uint64_t)n * kscr;
        r.text = "P N, S N, scratch N (regions)";
        break;
    default:
        r.erases[0] = n + 1u; /* FAST: the image's sectors + the trailer sector */
        r.erases[1] = 2;
        r.text = "P N+trailer, S 2";
        break;
    }
    return r;
}

static struct bt_key key;
static struct bt_keyring ring;
static int over_budget;

static void row(const char *board, const struct lf_boot_strategy *s, uint32_t kib, uint32_t n,
                const char *op, const struct cost *c, const struct formula *sp, bool has_ext)
{
    /* Swap modes add 1-2 trailer erases per slot at the start (mcuboot.md 3.7,
     * last note): one per slot, and a second in the secondary for a revert
     * (the fix-up that keeps the revert request while the primary's
     * trailer is erased, as MCUboot's fixup_revert). */
    uint64_t allow_p = s->can_revert ? 1 : 0;
    uint64_t allow_s = s->can_revert ? (strcmp(op, "revert") == 0 ? 2 : 1) : 0;
    bool ok = c->erases[0] <= sp->erases[0] + allow_p && c->erases[1] <= sp->erases[1] + allow_s &&
              c->erases[2] <= sp->erases[2];
    over_budget |= !ok;
    char ext[48];
    if (has_ext) {
        snprintf(ext, sizeof(ext), "%.1f KiB / %llu", (double)c->bytes[1] / 1024.0,
                 (unsigned long long)c->programs[1]);
    } else {
        snprintf(ext, sizeof(ext), "-");
    }
    printf(
        "| %s | %s | %u KiB | %u | %s | %llu (%llu) | %llu (%llu) | %llu (%llu) | %.1f KiB / %llu "
        "| %s | %s |\n",
        board, s->name, kib, n, op, (unsigned long long)c->erases[0],
        (unsigned long long)sp->erases[0], (unsigned long long)c->erases[1],
        (unsigned long long)sp->erases[1], (unsigned long long)c->erases[2],
        (unsigned long long)sp->erases[2], (double)c->bytes[0] / 1024.0,
        (unsigned long long)c->programs[0], ext, ok ? "ok" : "OVER");
}

static uint32_t sectors_per(const struct lf_flash_area *fa, uint32_t bytes)
{
    uint32_t sec = lf_flash_area_max_sector(fa);
    return sec && bytes > sec ? bytes / sec : 1;
}

static int bench_one(const struct lf_board *b, const struct lf_boot_strategy *s, uint32_t payload)
{
    struct lf_boot_layout l;
    if (lf_boot_layout_check_board(s, b, &l) != LF_OK) {
        return 0;
    }
    struct bt_image v1;
    struct bt_image v2;
    struct bt_image_spec s1 = {.key = &key, .ver = {1, 0, 0, 0}, .payload_len = payload, .seed = 1};
    struct bt_image_spec s2 = {.key = &key, .ver = {2, 0, 0, 0}, .payload_len = payload, .seed = 2};
    if (bt_image_make(&s1, &v1) || bt_image_make(&s2, &v2)) {
        return -1;
    }
    if (v2.len > l.app_max) {
        bt_image_free(&v1);
        bt_image_free(&v2);
        return 0;
    }
    char name[96];
    snprintf(name, sizeof(name), "bench_%s", b->name); /* recreated erased for each run */
    struct lf_sim_device d;
    if (bt_dev_create(&d, name, b) != LF_OK) {
        return -1;
    }
    const struct lf_flash_area *pri = lf_sim_device_area(&d, LF_AREA_APP_PRIMARY);
    const struct lf_flash_area *sec = lf_sim_device_area(&d, LF_AREA_APP_SECONDARY);
    const struct lf_flash_area *scr = lf_sim_device_area(&d, LF_AREA_SCRATCH);
    int err = bt_dev_load(&d, LF_AREA_APP_PRIMARY, 0, v1.data, v1.len);
    err = err ? err : bt_area_write(sec, 0, v2.data, v2.len);
    err = err ? err : lf_trailer_set_pending(sec, 0, false);
    struct bt_boot_opts o = {.strategy = s, .keys = &ring.ring, .no_record = true};
    struct cost c0;
    struct cost c1;
    struct cost c2;
    struct lf_boot_result res;
    snapshot(&d, &c0);
    err = err ? err : bt_boot(&d, &o, &res);
    snapshot(&d, &c1);
    if (err || res.action == LF_BOOT_ACT_REJECTED) {
        fprintf(stderr, "bench: %s: upgrade failed: %s\n", name,
                lf_err_name(err ? err : res.reason));
        lf_sim_device_close(&d);
        return -1;
    }
    /* N: sectors (move, overwrite) or regions (scratch) actually covered. */
    uint32_t n;
    uint32_t swap_size = s->can_revert ? bt_trailer(pri).swap_size : v2.len;
    struct lf_boot_cfg cfg = {.strategy = s, .primary = pri, .secondary = sec, .scratch = scr};
    static struct lf_boot_ctx ctx;
    ctx.cfg = &cfg;
    ctx.layout = l;
    if (s->units) {
        s->units(&ctx, swap_size, &n);
    } else {
        uint32_t sec_sz = lf_flash_area_max_sector(pri);
        n = (swap_size + sec_sz - 1) / sec_sz;
    }
    uint32_t region = scr ? scr->size : 0;
    struct formula sp = formula_of(s, n, sectors_per(pri, region), sectors_per(sec, region),
                                   scr ? sectors_per(scr, region) : 0);
    bool has_ext = b->dev_geo[LF_DEV_EXTERNAL] != NULL;
    struct cost up = diff(&c0, &c1);
    row(b->name, s, payload / 1024, n, "upgrade", &up, &sp, has_ext);
    if (s->can_revert) {
        err = bt_boot(&d, &o, &res);
        snapshot(&d, &c2);
        if (err || res.action != LF_BOOT_ACT_REVERT) {
            fprintf(stderr, "bench: %s: revert failed: %s\n", name, lf_err_name(err));
            lf_sim_device_close(&d);
            return -1;
        }
        struct cost rv = diff(&c1, &c2);
        row(b->name, s, payload / 1024, n, "revert", &rv, &sp, has_ext);
    }
    lf_sim_device_close(&d);
    bt_image_free(&v1);
    bt_image_free(&v2);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        printf("usage: bench_upgrade\n\nPrints, as a markdown table, the flash cost of one upgrade "
               "and one revert\nfor every strategy on every board layout and a few image sizes, "
               "beside\nthe formulas of docs/reference/mcuboot.md 3.7. Exit status 1 if a cost "
               "exceeds its formula.\n");
        return strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    if (bt_key_load(&key, "ecdsa-p256.pem") != 0) {
        fprintf(stderr, "bench: cannot load the test key\n");
        return 2;
    }
    bt_keyring_init(&ring, &key);
    printf("Sector erases per area: measured (docs/reference/mcuboot.md 3.7 formula; swap modes "
           "add one trailer "
           "erase per slot,\nand a revert a second one in the secondary for its fix-up).\nN = "
           "sectors swapped (swap-move, overwrite-only) or regions "
           "(swap-scratch: one scratch area each).\n\n");
    printf("| layout | strategy | image | N | op | primary erases | secondary erases | scratch "
           "erases | internal programmed / programs | external programmed / programs | budget |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    static const uint32_t sizes[] = {12 * 1024, 100 * 1024, 400 * 1024};
    int rc = 0;
    for (unsigned bi = 0; lf_board_at(bi); bi++) {
        for (unsigned si = 0; si < LF_BOOT_STRATEGY_COUNT; si++) {
            for (unsigned z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
                if (bench_one(lf_board_at(bi), lf_boot_strategies[si], sizes[z]) != 0) {
                    rc = 2;
                }
            }
        }
    }
    printf("\nFormulas (mcuboot.md 3.7): swap-move P 2N, S N; swap-scratch P N, S N, scratch N "
           "(in region erases,\nshown in sector erases); overwrite-only (FAST) P N + trailer, S 2. "
           "swap-move on nrf52840dk-nor64k\nis refused by the layout check (unequal sectors).\n");
    bt_key_free(&key);
    return rc ? rc : over_budget;
}
