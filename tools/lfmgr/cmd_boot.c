/* lfmgr: bootloader update: send the stage-1 variant linked for the inactive
 * S slot, mark it for test, reset (docs/design.md section 2; docs/update-file.md). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "boards.h"
#include "cmds.h"
#include "devcheck.h"
#include "imgfile.h"
#include "lf/err.h"
#include "upload.h"

#define STAGE1_IMAGE 1u /* SMP image number of stage 1 */

static int build_boot(struct lf_smp_req *r, const void *arg, size_t *len)
{
    return lf_smp_req_bootloader_info(r, arg, len);
}

/* Ask the device which S slot runs: {"query": "active_b0_slot"} -> {"active": 0|1}. */
static int active_slot(struct lfm_session *s, unsigned *active)
{
    struct lf_smp_rsp rsp;
    uint64_t v = 0;
    int err = lfm_transact(s, "bootloader update", build_boot, "active_b0_slot", 0, &rsp);
    if (err) {
        return err;
    }
    if (!lf_smp_rsp_ok(&rsp)) {
        lfm_report_device_error(s,
                                "bootloader update: cannot learn the active stage-1 slot "
                                "(query active_b0_slot)",
                                &rsp);
        return LF_EXIT_DEVICE;
    }
    if (lf_smp_rsp_uint(&rsp, "active", &v) != LF_OK || v > 1u) {
        lfm_err("bootloader update: the device's active_b0_slot reply has no \"active\" 0 or 1");
        return LF_EXIT_PROTO;
    }
    *active = (unsigned)v;
    return LF_EXIT_OK;
}

/* CPU address of S0 / S1 on a board. */
static uint32_t slot_addr(const struct lf_board *b, unsigned slot)
{
    const struct lf_board_area *ar = &b->areas[slot ? LF_AREA_S1 : LF_AREA_S0];
    return b->dev_map_addr[ar->dev] + ar->off;
}

struct set_arg {
    const uint8_t *hash;
};

static int build_test(struct lf_smp_req *r, const void *arg, size_t *len)
{
    const struct set_arg *x = arg;
    return lf_smp_req_image_set(r, x->hash, 32, false, len);
}

/* Pick the bytes to send from the file: the variant for `target`. */
static int pick_variant(const uint8_t *data, size_t len, unsigned active, unsigned target,
                        const struct lf_board *board, bool board_given, const uint8_t **img,
                        uint32_t *img_len, uint32_t *image_no)
{
    char why[200];
    struct lfm_img_info info;
    if (lfm_upd_is(data, len)) {
        struct lfm_upd u;
        unsigned i;
        if (lfm_upd_parse(data, len, &u, why, sizeof(why)) != 0) {
            lfm_err("bootloader update: %s", why);
            return LF_EXIT_FILE;
        }
        for (i = 0; i < u.count; i++) {
            if (u.e[i].slot == target) {
                if (board_given && u.e[i].load_addr != slot_addr(board, target)) {
                    lfm_err("bootloader update: the S%u variant is linked for 0x%08" PRIx32
                            ", but S%u of board %s is at 0x%08" PRIx32,
                            target, u.e[i].load_addr, target, board->name,
                            slot_addr(board, target));
                    return LF_EXIT_FILE;
                }
                *img = data + u.e[i].off;
                *img_len = u.e[i].len;
                *image_no = u.e[i].image;
                return LF_EXIT_OK;
            }
        }
        lfm_err("bootloader update: the device runs S%u, so it needs the S%u variant, which "
                "this update file does not contain",
                active, target);
        return LF_EXIT_FILE;
    }
    if (lfm_img_inspect(data, len, &info, why, sizeof(why)) != 0) {
        lfm_err("bootloader update: neither an update file nor a signed image: %s", why);
        return LF_EXIT_FILE;
    }
    if ((info.hdr.flags & LF_IMAGE_F_ROM_FIXED) == 0) {
        lfm_err("bootloader update: the image is not ROM_FIXED: not a stage-1 image");
        return LF_EXIT_FILE;
    }
    if (info.hdr.load_addr != slot_addr(board, target)) {
        if (info.hdr.load_addr == slot_addr(board, active)) {
            lfm_err("bootloader update: this image is linked for S%u (0x%08" PRIx32
                    "), the slot the device runs from; send the S%u variant (0x%08" PRIx32 ")",
                    active, info.hdr.load_addr, target, slot_addr(board, target));
        } else {
            lfm_err("bootloader update: this image is linked for 0x%08" PRIx32
                    ", neither S0 (0x%08" PRIx32 ") nor S1 (0x%08" PRIx32 ") of board %s",
                    info.hdr.load_addr, slot_addr(board, 0), slot_addr(board, 1), board->name);
        }
        return LF_EXIT_FILE;
    }
    *img = data;
    *img_len = (uint32_t)len;
    *image_no = STAGE1_IMAGE;
    return LF_EXIT_OK;
}

/* The board the file's variants are linked for: the first known board
 * whose S0/S1 addresses match every variant's load address. */
static const struct lf_board *board_from_file(const uint8_t *data, size_t len)
{
    static const char *const names[] = {"nrf52840dk", "nrf52840dk-qspi", "nrf52840dk-nor64k",
                                        "qemu"};
    struct lfm_upd u;
    struct lfm_img_info info;
    char why[200];
    uint32_t addr[LFM_UPD_MAX_ENTRIES];
    uint8_t slot[LFM_UPD_MAX_ENTRIES];
    unsigned n = 0;
    if (lfm_upd_is(data, len)) {
        if (lfm_upd_parse(data, len, &u, why, sizeof(why)) != 0) {
            return NULL;
        }
        for (unsigned i = 0; i < u.count; i++) {
            addr[n] = u.e[i].load_addr;
            slot[n++] = u.e[i].slot;
        }
    } else if (lfm_img_inspect(data, len, &info, why, sizeof(why)) == 0) {
        addr[n] = info.hdr.load_addr;
        slot[n++] = 2; /* either slot */
    }
    for (size_t b = 0; b < sizeof(names) / sizeof(names[0]); b++) {
        const struct lf_board *bd = lf_board_find(names[b]);
        bool all = bd != NULL && n > 0;
        for (unsigned i = 0; all && i < n; i++) {
            all = slot[i] < 2
                      ? addr[i] == lfm_board_s_addr(bd, slot[i])
                      : (addr[i] == lfm_board_s_addr(bd, 0) || addr[i] == lfm_board_s_addr(bd, 1));
        }
        if (all) {
            return bd;
        }
    }
    return NULL;
}

/* The variant not sent now must be sound too: the next update sends it. */
static int check_other(const struct lfm_dev *d, const uint8_t *data, size_t len, unsigned target,
                       bool force)
{
    struct lfm_upd u;
    char why[200], msg[300];
    if (!lfm_upd_is(data, len) || lfm_upd_parse(data, len, &u, why, sizeof(why)) != 0) {
        return LF_EXIT_OK;
    }
    for (unsigned i = 0; i < u.count; i++) {
        struct lfm_img_facts f;
        if (u.e[i].slot == target) {
            continue;
        }
        msg[0] = '\0';
        if (lfm_img_facts(data + u.e[i].off, u.e[i].len, &f, why, sizeof(why)) != 0) {
            snprintf(msg, sizeof(msg), "%s", why);
        } else if (!f.hash_ok) {
            snprintf(msg, sizeof(msg), "it is corrupt: its SHA-256 does not match its SHA256 TLV");
        } else if (d->have_root_keys && f.has_key) {
            bool known = false;
            for (unsigned k = 0; k < d->nroot; k++) {
                known = known || memcmp(d->root[k], f.key_hash, 32) == 0;
            }
            if (!known) {
                snprintf(msg, sizeof(msg), "it is signed with a key the device does not trust");
            }
        }
        if (msg[0] == '\0') {
            continue;
        }
        if (force) {
            lfm_err("warning: bootloader update: the S%u variant (not the one sent now): %s "
                    "(--force: going on)",
                    u.e[i].slot, msg);
            continue;
        }
        lfm_err("bootloader update: the S%u variant of this update file (not the one sent now, "
                "but the one the next update needs): %s; the file is damaged, nothing was sent "
                "(--force sends the S%u variant anyway)",
                u.e[i].slot, msg, target);
        return LF_EXIT_FILE;
    }
    return LF_EXIT_OK;
}

int lfm_cmd_boot_update(struct lfm_session *s, const struct lfm_args *a)
{
    const struct lf_board *board = NULL;
    struct lfm_upload_opts o;
    struct lfm_upload_stats st;
    struct lfm_img_info info;
    struct lfm_img_facts f;
    struct lfm_dev d;
    struct lf_smp_rsp rsp;
    struct set_arg x;
    char why[200];
    const uint8_t *img = NULL;
    uint32_t img_len = 0;
    uint32_t image_no = STAGE1_IMAGE;
    uint8_t *data = NULL;
    size_t len = 0;
    unsigned active = 0;
    unsigned target;
    int err;
    if (a->board && lf_board_find(a->board) == NULL) {
        lfm_err("bootloader update: unknown board '%s'", a->board);
        return LF_EXIT_USAGE;
    }
    err = lfm_read_file(a->pos[0], &data, &len);
    if (err) {
        return err;
    }
    if (!lfm_upd_is(data, len) && lfm_img_inspect(data, len, &info, why, sizeof(why)) != 0) {
        lfm_err("bootloader update: %s: neither an update file nor a signed image: %s", a->pos[0],
                why);
        free(data);
        return LF_EXIT_FILE;
    }
    err = lfm_dev_read(s, &d);
    if (err) {
        free(data);
        return err;
    }
    if (a->board) {
        board = lf_board_find(a->board);
        if (d.board && d.board != board) {
            lfm_err("bootloader update: --board %s, but the device reports that it is a %s; "
                    "nothing was sent",
                    a->board, d.board->name);
            free(data);
            return LF_EXIT_FILE;
        }
    } else if (d.board) {
        board = d.board;
    } else {
        board = board_from_file(data, len);
        if (board == NULL) {
            lfm_err("bootloader update: %s is linked for S-slot addresses of no board lfmgr "
                    "knows, and the device does not name its board: give --board",
                    a->pos[0]);
            free(data);
            return LF_EXIT_FILE;
        }
    }
    err = active_slot(s, &active);
    if (err) {
        free(data);
        return err;
    }
    target = active ^ 1u;
    err = pick_variant(data, len, active, target, board, true, &img, &img_len, &image_no);
    if (err == LF_EXIT_OK && lfm_img_facts(img, img_len, &f, why, sizeof(why)) != 0) {
        lfm_err("bootloader update: the S%u variant: %s", target, why);
        err = LF_EXIT_FILE;
    }
    info = f.info;
    if (err == LF_EXIT_OK && !info.has_hash) {
        lfm_err("bootloader update: the S%u variant has no SHA256 TLV to mark it for test", target);
        err = LF_EXIT_FILE;
    }
    if (err == LF_EXIT_OK) {
        err = lfm_precheck("bootloader update", &d, board, &f, img_len, image_no, a->force);
    }
    if (err == LF_EXIT_OK) {
        err = check_other(&d, data, len, target, a->force);
    }
    if (err == LF_EXIT_OK && ((d.have_recovery && d.recovery) || !d.s[0][0].present)) {
        if (a->force) {
            lfm_err("warning: bootloader update: the device runs no valid application: confirm "
                    "the new stage 1 with `lfmgr image confirm` after the reset, or stage 0 "
                    "goes back at the next one (--force: going on)");
        } else {
            lfm_err("bootloader update: the device runs no valid application (stage 1 serves "
                    "recovery), so the new stage 1 could not confirm itself after its trial "
                    "boot and stage 0 would go back to S%u at the next reset; nothing was sent. "
                    "Upload an application first (lfmgr image upload APP, image test HASH, "
                    "reset), or pass --force and run `lfmgr image confirm` after the update",
                    active);
            err = LF_EXIT_DEVICE;
        }
    }
    if (err) {
        free(data);
        return err;
    }
    if (!s->json) {
        printf("device runs stage 1 from S%u: sending the S%u variant (%" PRIu32
               " bytes, linked for 0x%08" PRIx32 ") to image %" PRIu32 "\n",
               active, target, img_len, info.hdr.load_addr, image_no);
        fflush(stdout);
    }
    memset(&o, 0, sizeof(o));
    o.image = image_no;
    o.upgrade = a->upgrade;
    o.window = a->window;
    o.align = (uint16_t)a->align;
    o.progress = !s->json;
    o.label = "stage 1";
    err = lfm_upload(s, img, img_len, &o, &st);
    if (err == LF_EXIT_OK) {
        x.hash = info.hash;
        err = lfm_request(s, "bootloader update: image test", build_test, &x, 0, &rsp);
    }
    if (err == LF_EXIT_OK) {
        if (s->json) {
            printf("{\"active_slot\": %u, \"target_slot\": %u, \"image\": %" PRIu32
                   ", \"load_addr\": %" PRIu32 ", \"board\": \"%s\", \"reset\": %s, ",
                   active, target, image_no, info.hdr.load_addr, board->name,
                   a->no_reset ? "false" : "true");
            lfm_print_upload_summary(s, &st, info.hash, true, stdout, true);
            printf("}\n");
        } else {
            lfm_print_upload_summary(s, &st, info.hash, true, stdout, false);
            printf("marked for test; %s\n",
                   a->no_reset ? "reset the device to boot it (trial boot)"
                               : "resetting into the trial boot of the new stage 1");
            fflush(stdout);
        }
    }
    if (err == LF_EXIT_OK && !a->no_reset) {
        struct lfm_expect ex;
        ex.has = true;
        memcpy(ex.hash, info.hash, 32);
        err = lfm_reset_and_report(s, &d, &ex, false);
    }
    free(data);
    return err;
}
