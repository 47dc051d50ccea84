#define _POSIX_C_SOURCE 200809L
#include "test_pc_swap_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lf/err.h"

static struct bt_key key;
static struct bt_keyring ring;
/* Small images (2 and 3 sectors of 4 KiB) keep every scenario to seconds. */
static struct bt_image v1_small;
static struct bt_image v2_small;
/* Realistic ones, made on demand (pc_swap_scenario_big): 64 and 66 sectors. */
static struct bt_image v1_big;
static struct bt_image v2_big;
#define PC_BIG_V1_PAYLOAD (64u * 4096u - 0x200u - 400u) /* 64 sectors with its TLVs */
#define PC_BIG_V2_PAYLOAD (65u * 4096u + 1000u)         /* 66 sectors */

struct pc_arg {
    const struct lf_boot_strategy *strategy;
    enum pc_flow flow;
    const struct bt_image *v1;
    const struct bt_image *v2;
};

int pc_swap_init(void **state)
{
    (void)state;
    if (bt_key_load(&key, "ecdsa-p256.pem") != 0) {
        return -1;
    }
    bt_keyring_init(&ring, &key);
    struct bt_image_spec s1 = {.key = &key, .ver = {1, 0, 0, 0}, .payload_len = 5000, .seed = 1};
    struct bt_image_spec s2 = {.key = &key, .ver = {2, 0, 0, 0}, .payload_len = 9500, .seed = 2};
    return bt_image_make(&s1, &v1_small) | bt_image_make(&s2, &v2_small);
}

static int pc_big_images(void)
{
    if (v1_big.data) {
        return 0;
    }
    struct bt_image_spec s1 = {
        .key = &key, .ver = {1, 0, 0, 0}, .payload_len = PC_BIG_V1_PAYLOAD, .seed = 11};
    struct bt_image_spec s2 = {
        .key = &key, .ver = {2, 0, 0, 0}, .payload_len = PC_BIG_V2_PAYLOAD, .seed = 12};
    return bt_image_make(&s1, &v1_big) | bt_image_make(&s2, &v2_big);
}

int pc_swap_fini(void **state)
{
    (void)state;
    bt_image_free(&v1_small);
    bt_image_free(&v2_small);
    bt_image_free(&v1_big);
    bt_image_free(&v2_big);
    bt_key_free(&key);
    return 0;
}

static int fail(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return -1;
}

static int boot(struct lf_sim_device *dev, const struct pc_arg *a, struct lf_boot_result *res)
{
    struct bt_boot_opts o = {.strategy = a->strategy, .keys = &ring.ring};
    return bt_boot(dev, &o, res);
}

static int pc_setup(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    const struct pc_arg *a = arg;
    const struct lf_flash_area *sec = lf_sim_device_area(dev, LF_AREA_APP_SECONDARY);
    if (bt_dev_load(dev, LF_AREA_APP_PRIMARY, 0, a->v1->data, a->v1->len) ||
        bt_area_write(sec, 0, a->v2->data, a->v2->len) ||
        lf_trailer_set_pending(sec, 0, a->flow == PC_UPGRADE_PERM)) {
        return fail(why, why_len, "setup: cannot lay out the images");
    }
    if (a->flow == PC_REVERT) {
        struct lf_boot_result res;
        int err = boot(dev, a, &res);
        if (err || res.action != LF_BOOT_ACT_SWAP_TEST) {
            return fail(why, why_len, "setup: trial swap: %s", lf_err_name(err));
        }
    }
    return 0;
}

/* Two boots; in upgrade-test the application confirms v2 after the first. */
static int pc_run(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    const struct pc_arg *a = arg;
    const struct lf_flash_area *pri = lf_sim_device_area(dev, LF_AREA_APP_PRIMARY);
    for (int i = 0; i < 2; i++) {
        struct lf_boot_result res;
        int err = boot(dev, a, &res);
        if (err) {
            return fail(why, why_len, "boot %d: no bootable image: %s (%s, reason %s)", i + 1,
                        lf_err_name(err), lf_boot_action_name(res.action), lf_err_name(res.reason));
        }
        if (i == 0 && a->flow == PC_UPGRADE_TEST && res.primary.hdr.version.major == 2 &&
            bt_trailer(pri).image_ok != LF_FLAG_SET) {
            err = lf_trailer_set_confirmed(pri);
            if (err) {
                return fail(why, why_len, "confirm: %s", lf_err_name(err));
            }
        }
    }
    return 0;
}

static int expect_trailer(const struct lf_flash_area *fa, const char *slot, uint8_t magic,
                          uint8_t image_ok, uint8_t copy_done, char *why, size_t why_len)
{
    struct lf_trailer t = bt_trailer(fa);
    if (t.magic != magic ||
        (magic == LF_MAGIC_GOOD && (t.image_ok != image_ok || t.copy_done != copy_done))) {
        return fail(why, why_len, "%s trailer: magic %u image_ok %u copy_done %u", slot, t.magic,
                    t.image_ok, t.copy_done);
    }
    return 0;
}

static int pc_check(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    const struct pc_arg *a = arg;
    const struct lf_flash_area *pri = lf_sim_device_area(dev, LF_AREA_APP_PRIMARY);
    const struct lf_flash_area *sec = lf_sim_device_area(dev, LF_AREA_APP_SECONDARY);
    struct lf_image_info info;
    int err = lf_image_validate(pri, 0, &ring.ring, &info);
    if (err) {
        return fail(why, why_len, "primary not valid: %s", lf_err_name(err));
    }
    const struct bt_image *v1 = a->v1;
    const struct bt_image *v2 = a->v2;
    bool has_v1 = bt_area_has(pri, 0, v1->data, v1->len);
    bool has_v2 = bt_area_has(pri, 0, v2->data, v2->len);
    const struct bt_image *now;
    const struct bt_image *other;
    if (a->flow == PC_REVERT) {
        if (!has_v1) {
            return fail(why, why_len, "revert did not bring v1 back");
        }
        now = v1;
        other = v2;
    } else if (has_v2) {
        now = v2;
        other = v1;
    } else if (has_v1 && a->flow == PC_UPGRADE_TEST && a->strategy->can_revert &&
               bt_trailer(pri).swap_type == LF_SWAP_REVERT) {
        now = v1; /* reset before the confirmation: reverted */
        other = v2;
    } else {
        return fail(why, why_len, "primary holds neither the new nor a reverted image");
    }
    if (expect_trailer(pri, "primary", LF_MAGIC_GOOD, LF_FLAG_SET, LF_FLAG_SET, why, why_len) ||
        expect_trailer(sec, "secondary", LF_MAGIC_UNSET, 0, 0, why, why_len)) {
        return -1;
    }
    if (a->strategy->can_revert) {
        if (!bt_area_has(sec, 0, other->data, other->len)) {
            return fail(why, why_len, "secondary does not hold v%u", other == v1 ? 1 : 2);
        }
    } else if (!bt_area_erased(sec, 0, 32)) {
        return fail(why, why_len, "secondary header not cleared");
    }
    struct lf_boot_record r;
    err = lf_boot_record_read(lf_sim_device_area(dev, LF_AREA_STATE), 0, &r);
    if (err || r.action != LF_BOOT_ACT_NONE || r.primary_ver.major != (now == v1 ? 1 : 2)) {
        return fail(why, why_len, "newest boot record: %s action %s v%u", lf_err_name(err),
                    lf_boot_action_name(r.action), r.primary_ver.major);
    }
    return 0;
}

static long pc_run_scenario(const struct lf_board *board, const struct lf_boot_strategy *s,
                            enum pc_flow flow, unsigned double_stride, bool big, unsigned stride)
{
    static const char *const flows[] = {"upgrade-test", "upgrade-perm", "revert"};
    char name[128];
    snprintf(name, sizeof(name), "%s/%s/%s%s%s", s->name, flows[flow], board->name,
             big ? "/66-sectors" : "", double_stride ? "/double-cut" : "");
    struct pc_arg arg = {s, flow, big ? &v1_big : &v1_small, big ? &v2_big : &v2_small};
    struct lf_pc_scenario sc = {
        .name = name,
        .board = board,
        .arg = &arg,
        .setup = pc_setup,
        .run = pc_run,
        .resume = NULL,
        .check = pc_check,
    };
    struct lf_pc_options opt = {
        .work_dir = getenv("LF_PC_WORK") ? getenv("LF_PC_WORK") : LF_BINARY_DIR "/powercut-work",
        .double_cut = double_stride > 0,
        .double_stride = double_stride,
        .stride = stride,
    };
    struct lf_pc_result res;
    struct timespec t0;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = lf_pc_run(&sc, &opt, &res);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("powercut-time %s: %.1f s\n", name, secs);
    fflush(stdout);
    if (rc == 0 && big && !getenv("LF_PC_REPLAY")) {
        /* every (strided) operation was cut, clean and torn */
        unsigned k = stride > 1 ? stride : 1;
        if (res.cuts != 2u * ((res.ops + k - 1u) / k)) {
            printf("powercut %s: %llu cuts for %llu ops at stride %u\n", name,
                   (unsigned long long)res.cuts, (unsigned long long)res.ops, k);
            return -1;
        }
    }
    return rc != 0 ? -1 : (long)res.failures;
}

long pc_swap_scenario(const struct lf_board *board, const struct lf_boot_strategy *s,
                      enum pc_flow flow, unsigned double_stride)
{
    return pc_run_scenario(board, s, flow, double_stride, false, 0);
}

unsigned pc_big_stride(void)
{
    const char *env = getenv("LF_PC_BIG_STRIDE");
    if (env && atoi(env) >= 1) {
        return (unsigned)atoi(env);
    }
    /* the sanitizer run's LF_PC_STRIDE (3) thins these out as much again */
    const char *all = getenv("LF_PC_STRIDE");
    unsigned k = all && atoi(all) > 1 ? (unsigned)atoi(all) : 1u;
    return PC_BIG_STRIDE_DEFAULT * k;
}

long pc_swap_scenario_big(const struct lf_board *board, const struct lf_boot_strategy *s,
                          enum pc_flow flow)
{
    if (pc_big_images() != 0) {
        return -1;
    }
    return pc_run_scenario(board, s, flow, 0, true, pc_big_stride());
}
