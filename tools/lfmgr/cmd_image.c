/* lfmgr: image group commands (docs/reference/smp.md 2.2). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ceiling.h"
#include "cmds.h"
#include "imgfile.h"
#include "lf/err.h"
#include "devcheck.h"
#include "upload.h"

#define STATE_MAX 16u

int lfm_print_image_state(const struct lfm_session *s, const struct lf_smp_rsp *rsp)
{
    struct lf_smp_image_slot e[STATE_MAX];
    size_t n = 0;
    size_t i;
    int err = lf_smp_rsp_image_state(rsp, e, STATE_MAX, &n);
    if (err) {
        lfm_err("image list: cannot read the device's image list: %s", lf_err_str(err));
        return LF_EXIT_PROTO;
    }
    if (s->json) {
        printf("{\"images\": [");
        for (i = 0; i < n; i++) {
            printf("%s{\"image\": %" PRIu32 ", \"slot\": %" PRIu32 ", \"version\": ", i ? ", " : "",
                   e[i].image, e[i].slot);
            lfm_json_str(stdout, (const char *)e[i].version.ptr, e[i].version.len);
            printf(", \"hash\": ");
            if (e[i].hash_len) {
                putchar('"');
                lfm_hex(stdout, e[i].hash, e[i].hash_len);
                putchar('"');
            } else {
                printf("null");
            }
            printf(", \"bootable\": %s, \"pending\": %s, \"confirmed\": %s, \"active\": %s, "
                   "\"permanent\": %s}",
                   e[i].bootable ? "true" : "false", e[i].pending ? "true" : "false",
                   e[i].confirmed ? "true" : "false", e[i].active ? "true" : "false",
                   e[i].permanent ? "true" : "false");
        }
        printf("]}\n");
        return LF_EXIT_OK;
    }
    printf("%-5s %-4s %-16s %-34s %s\n", "image", "slot", "version", "flags", "hash");
    for (i = 0; i < n; i++) {
        char flags[64] = "";
        if (e[i].active) {
            strcat(flags, "active ");
        }
        if (e[i].confirmed) {
            strcat(flags, "confirmed ");
        }
        if (e[i].pending) {
            strcat(flags, "pending ");
        }
        if (e[i].permanent) {
            strcat(flags, "permanent ");
        }
        if (e[i].bootable) {
            strcat(flags, "bootable ");
        }
        printf("%-5" PRIu32 " %-4" PRIu32 " %-16.*s %-34s ", e[i].image, e[i].slot,
               (int)(e[i].version.len > 16 ? 16 : e[i].version.len), (const char *)e[i].version.ptr,
               flags);
        if (e[i].hash_len) {
            lfm_hex(stdout, e[i].hash, e[i].hash_len);
        } else {
            fputc('-', stdout);
        }
        fputc('\n', stdout);
    }
    if (n == 0) {
        printf("(no images)\n");
    }
    return LF_EXIT_OK;
}

static int build_state(struct lf_smp_req *r, const void *arg, size_t *len)
{
    (void)arg;
    return lf_smp_req_image_state(r, len);
}

int lfm_cmd_image_list(struct lfm_session *s, const struct lfm_args *a)
{
    struct lf_smp_rsp rsp;
    int err = lfm_request(s, "image list", build_state, NULL, 0, &rsp);
    (void)a;
    if (err) {
        return err;
    }
    return lfm_print_image_state(s, &rsp);
}

struct set_arg {
    const uint8_t *hash;
    size_t hash_len;
    bool confirm;
};

static int build_set(struct lf_smp_req *r, const void *arg, size_t *len)
{
    const struct set_arg *x = arg;
    return lf_smp_req_image_set(r, x->hash, x->hash_len, x->confirm, len);
}

/* HASH may also name a signed image file: its SHA256 TLV is the hash the
 * device lists, so `image test app.signed.bin` needs no copying of digits. */
static int hash_of_file(const char *what, const char *arg, uint8_t out[32])
{
    struct lfm_img_info info;
    char why[160];
    uint8_t *data = NULL;
    size_t len = 0;
    int err;
    FILE *f = fopen(arg, "rb");
    if (f == NULL) {
        lfm_err("%s: '%s' is neither a hash (64 hex digits, from `image list`) nor a readable "
                "image file",
                what, arg);
        return LF_EXIT_USAGE;
    }
    fclose(f);
    err = lfm_read_file(arg, &data, &len);
    if (err) {
        return err;
    }
    if (lfm_img_inspect(data, len, &info, why, sizeof(why)) != 0) {
        lfm_err("%s: %s: not a signed image (%s)", what, arg, why);
        free(data);
        return LF_EXIT_FILE;
    }
    if (!info.has_hash) {
        lfm_err("%s: %s: the image has no SHA256 TLV to name it by", what, arg);
        free(data);
        return LF_EXIT_FILE;
    }
    memcpy(out, info.hash, 32);
    free(data);
    return LF_EXIT_OK;
}

static int set_state(struct lfm_session *s, const char *what, const char *hex, bool confirm)
{
    struct lf_smp_rsp rsp;
    uint8_t hash[LF_SMP_SHA_MAX];
    struct set_arg x = {NULL, 0, confirm};
    int err;
    if (hex != NULL) {
        int n = lfm_parse_hex(hex, hash, sizeof(hash));
        if (n != (int)sizeof(hash)) {
            err = hash_of_file(what, hex, hash);
            if (err) {
                return err;
            }
        }
        x.hash = hash;
        x.hash_len = sizeof(hash);
    }
    err = lfm_request(s, what, build_set, &x, 0, &rsp);
    if (err) {
        return err;
    }
    if (rsp.hdr.len == 0 || lf_smp_rsp_find(&rsp, "images", &(struct lf_cbor_dec){0}) != LF_OK) {
        if (s->json) {
            printf("{\"images\": null}\n");
        }
        return LF_EXIT_OK; /* servers that answer an empty map */
    }
    return lfm_print_image_state(s, &rsp);
}

int lfm_cmd_image_test(struct lfm_session *s, const struct lfm_args *a)
{
    return set_state(s, "image test", a->pos[0], false);
}

/* `image confirm` without a hash: confirm what is on trial (the running
 * stage 1, the running application), or say why there is nothing to. */
static int confirm_running(struct lfm_session *s)
{
    struct lfm_dev d;
    struct lf_smp_rsp rsp;
    int err = lfm_dev_read(s, &d);
    if (err) {
        return err;
    }
    const struct lfm_slot_fact *app = d.s[0][0].present ? &d.s[0][0] : NULL;
    const struct lfm_slot_fact *s1 = d.have_s1 ? &d.s[1][d.s1_active] : NULL;
    bool no_app = !app || (d.have_recovery && d.recovery);
    bool did = false;
    if (s1 && !s1->confirmed) {
        struct set_arg x = {s1->hash, 32, true};
        err = lfm_request(s, "image confirm (stage 1)", build_set, &x, 0, &rsp);
        if (err) {
            return err;
        }
        if (!s->json) {
            printf("confirmed stage 1 %s in S%u (it was on trial)\n", s1->vtext, d.s1_active);
        }
        did = true;
    }
    if (app && !no_app && !app->confirmed) {
        struct set_arg x = {NULL, 0, true};
        err = lfm_request(s, "image confirm (application)", build_set, &x, 0, &rsp);
        if (err) {
            return err;
        }
        if (!s->json) {
            printf("confirmed the application %s (it was on trial)\n", app->vtext);
        }
        did = true;
    }
    if (!did && no_app) {
        lfm_err("image confirm: nothing to confirm: the device runs no valid application (stage "
                "1 serves recovery)%s; upload an application, test it and reset first",
                s1 ? " and its stage 1 is confirmed" : "");
        return LF_EXIT_DEVICE;
    }
    if (!did && !s->json) {
        printf("nothing to confirm: the application %s%s%s %s confirmed\n", app->vtext,
               s1 ? " and stage 1 " : "", s1 ? s1->vtext : "", s1 ? "are" : "is");
        return LF_EXIT_OK;
    }
    return s->json ? lfm_cmd_image_list(s, NULL) : LF_EXIT_OK;
}

int lfm_cmd_image_confirm(struct lfm_session *s, const struct lfm_args *a)
{
    if (a->npos > 0) {
        return set_state(s, "image confirm", a->pos[0], true);
    }
    return confirm_running(s);
}

struct erase_arg {
    bool has_slot;
    uint32_t slot;
};

static int build_erase(struct lf_smp_req *r, const void *arg, size_t *len)
{
    const struct erase_arg *x = arg;
    return lf_smp_req_image_erase(r, x->has_slot, x->slot, len);
}

int lfm_cmd_image_erase(struct lfm_session *s, const struct lfm_args *a)
{
    struct lf_smp_rsp rsp;
    struct erase_arg x = {a->has_slot, a->slot};
    int err = lfm_request(s, "image erase", build_erase, &x, s->long_timeout_ms, &rsp);
    if (err) {
        return err;
    }
    if (s->json) {
        printf("{\"erased\": true}\n");
    }
    return LF_EXIT_OK;
}

void lfm_print_upload_summary(const struct lfm_session *s, const struct lfm_upload_stats *st,
                              const uint8_t *hash, bool has_hash, FILE *f, bool json_inner)
{
    double sent = (double)(st->len - st->resumed_off);
    double rate = st->seconds > 0 ? sent / st->seconds : 0.0;
    double ceiling = 0.0;
    if (s->conn->kind == LFM_CONN_SERIAL) {
        ceiling = lfm_serial_ceiling(st->len, st->resumed_off, st->budget, s->conn->baud, 0,
                                     LF_SMP_SHA_MAX, 0);
    }
    if (!s->json) {
        fprintf(f, "uploaded %" PRIu32 " bytes", st->len - st->resumed_off);
        if (st->resumed_off) {
            fprintf(f, " (%" PRIu32 " already on the device)", st->resumed_off);
        }
        fprintf(f, " in %.2f s, %.1f KiB/s", st->seconds, rate / 1024.0);
        if (ceiling > 0) {
            fprintf(f, ", %.1f%% of the serial framing's ceiling at %" PRIu32 " baud",
                    100.0 * rate / ceiling, s->conn->baud);
        }
        fputc('\n', f);
        if (has_hash) {
            fprintf(f, "image hash: ");
            lfm_hex(f, hash, 32);
            fputc('\n', f);
        }
        return;
    }
    if (!json_inner) {
        fputc('{', f);
    }
    fprintf(f,
            "\"len\": %" PRIu32 ", \"resumed_off\": %" PRIu32 ", \"uploaded\": %" PRIu32
            ", \"seconds\": %.4f, "
            "\"bytes_per_s\": %.1f, \"requests\": %" PRIu32 ", \"timeouts\": %" PRIu32
            ", \"resyncs\": %" PRIu32 ", \"restarts\": %" PRIu32 ", \"chunk_max\": %" PRIu32
            ", \"msg_max\": %zu, \"buf_size\": %" PRIu32 ", \"buf_count\": %" PRIu32
            ", \"window\": %u, \"match\": %s, \"smp_version\": %u",
            st->len, st->resumed_off, st->len - st->resumed_off, st->seconds, rate, st->requests,
            st->timeouts, st->resyncs, st->restarts, st->chunk_max, st->budget, s->buf_size,
            s->buf_count, st->window, st->match ? "true" : "false", s->ver + 1u);
    fprintf(f, ", \"transport\": \"%s\"",
            s->conn->kind == LFM_CONN_SERIAL ? "serial"
                                             : (s->conn->kind == LFM_CONN_UDP ? "udp" : "ble-sim"));
    if (s->conn->kind == LFM_CONN_SERIAL) {
        fprintf(f, ", \"baud\": %" PRIu32 ", \"ceiling_bytes_per_s\": %.1f, \"fraction\": %.4f",
                s->conn->baud, ceiling, ceiling > 0 ? rate / ceiling : 0.0);
    }
    if (s->conn->kind == LFM_CONN_BLE) {
        fprintf(f, ", \"mtu\": %" PRIu32, s->conn->mtu);
    }
    if (has_hash) {
        fprintf(f, ", \"hash\": \"");
        lfm_hex(f, hash, 32);
        fputc('"', f);
    }
    if (!json_inner) {
        fputs("}\n", f);
    }
}

int lfm_cmd_image_upload(struct lfm_session *s, const struct lfm_args *a)
{
    struct lfm_upload_opts o;
    struct lfm_upload_stats st;
    struct lfm_img_info info;
    char why[200];
    uint8_t *data = NULL;
    size_t len = 0;
    bool is_image;
    int err = lfm_read_file(a->pos[0], &data, &len);
    if (err) {
        return err;
    }
    if (len == 0 || len > UINT32_MAX) {
        lfm_err("%s: %s", a->pos[0], len ? "file too large" : "empty file");
        free(data);
        return LF_EXIT_FILE;
    }
    /* Everything the device would refuse is refused here, before a byte
     * is sent (--force sends anyway, e.g. to test a server's checks). */
    struct lfm_img_facts f;
    is_image = lfm_img_facts(data, len, &f, why, sizeof(why)) == 0;
    info = f.info;
    uint32_t image = a->has_image ? a->image : 0;
    if (!is_image && !a->force) {
        lfm_err("image upload: %s is not a signed MCUboot-format image (%s); nothing was sent "
                "(--force sends it anyway)",
                a->pos[0], why);
        free(data);
        return LF_EXIT_FILE;
    }
    if (is_image) {
        struct lfm_dev d;
        err = lfm_dev_read(s, &d);
        if (err == LF_EXIT_OK) {
            err = lfm_precheck("image upload", &d, d.board, &f, (uint32_t)len, image, a->force);
        } else if (err != LF_EXIT_CONN) {
            lfm_log(s, "   (the device does not list its images: checks skipped)");
            lfm_error_text[0] = '\0';
            err = LF_EXIT_OK;
        }
        if (err) {
            free(data);
            return err;
        }
    }
    memset(&o, 0, sizeof(o));
    o.image = image;
    o.upgrade = a->upgrade;
    o.window = a->window;
    o.align = (uint16_t)a->align;
    o.progress = !s->json;
    o.label = "upload";
    err = lfm_upload(s, data, (uint32_t)len, &o, &st);
    if (err == LF_EXIT_OK) {
        lfm_print_upload_summary(s, &st, info.hash, is_image && info.has_hash, stdout, false);
    }
    free(data);
    return err;
}
