/* lfmgr: OS group commands (docs/reference/smp.md 2.1). */
#include <inttypes.h>
#include <string.h>

#include "cmds.h"
#include "devcheck.h"
#include "lf/err.h"

static int build_echo(struct lf_smp_req *r, const void *arg, size_t *len)
{
    const char *t = arg;
    return lf_smp_req_echo(r, t, strlen(t), len);
}

int lfm_cmd_echo(struct lfm_session *s, const struct lfm_args *a)
{
    struct lf_smp_rsp rsp;
    struct lf_cbor_str r;
    int err = lfm_request(s, "echo", build_echo, a->pos[0], 0, &rsp);
    if (err) {
        return err;
    }
    if (lf_smp_rsp_text(&rsp, "r", &r) != LF_OK) {
        lfm_err("echo: the reply has no text \"r\"");
        return LF_EXIT_PROTO;
    }
    if (s->json) {
        fputs("{\"r\": ", stdout);
        lfm_json_str(stdout, (const char *)r.ptr, r.len);
        fputs("}\n", stdout);
    } else {
        printf("%.*s\n", (int)r.len, (const char *)r.ptr);
    }
    return LF_EXIT_OK;
}

static int build_params(struct lf_smp_req *r, const void *arg, size_t *len)
{
    (void)arg;
    return lf_smp_req_params(r, len);
}

int lfm_cmd_params(struct lfm_session *s, const struct lfm_args *a)
{
    struct lf_smp_rsp rsp;
    uint64_t size = 0;
    uint64_t count = 0;
    int err = lfm_request(s, "params", build_params, NULL, 0, &rsp);
    (void)a;
    if (err) {
        return err;
    }
    if (lf_smp_rsp_uint(&rsp, "buf_size", &size) != LF_OK ||
        lf_smp_rsp_uint(&rsp, "buf_count", &count) != LF_OK) {
        lfm_err("params: the reply lacks buf_size or buf_count");
        return LF_EXIT_PROTO;
    }
    if (s->json) {
        printf("{\"buf_size\": %" PRIu64 ", \"buf_count\": %" PRIu64 "}\n", size, count);
    } else {
        printf("buf_size: %" PRIu64 "\nbuf_count: %" PRIu64 "\n", size, count);
    }
    return LF_EXIT_OK;
}

static int build_info(struct lf_smp_req *r, const void *arg, size_t *len)
{
    return lf_smp_req_os_info(r, arg, len);
}

int lfm_cmd_info(struct lfm_session *s, const struct lfm_args *a)
{
    struct lf_smp_rsp rsp;
    struct lf_cbor_str out;
    int err = lfm_request(s, "info", build_info, a->npos > 0 ? a->pos[0] : NULL, 0, &rsp);
    if (err) {
        return err;
    }
    if (lf_smp_rsp_text(&rsp, "output", &out) != LF_OK) {
        lfm_err("info: the reply has no text \"output\"");
        return LF_EXIT_PROTO;
    }
    if (s->json) {
        fputs("{\"output\": ", stdout);
        lfm_json_str(stdout, (const char *)out.ptr, out.len);
        fputs("}\n", stdout);
    } else {
        printf("%.*s\n", (int)out.len, (const char *)out.ptr);
    }
    return LF_EXIT_OK;
}

static int build_reset(struct lf_smp_req *r, const void *arg, size_t *len)
{
    return lf_smp_req_reset(r, *(const bool *)arg, len);
}

int lfm_cmd_reset(struct lfm_session *s, const struct lfm_args *a)
{
    struct lf_smp_rsp rsp;
    if (!a->no_wait) {
        struct lfm_dev before;
        int err = lfm_dev_read(s, &before);
        if (err == LF_EXIT_CONN) {
            return err;
        }
        if (err == LF_EXIT_OK) {
            err = lfm_reset_and_report(s, &before, NULL, a->force);
            if (s->json) {
                printf("{\"reset\": true}\n");
            }
            return err;
        }
        /* a device without an image list: a plain reset */
        lfm_error_text[0] = '\0';
    }
    int err = lfm_request(s, "reset", build_reset, &a->force, 0, &rsp);
    if (err) {
        return err;
    }
    if (s->json) {
        printf("{\"reset\": true}\n");
    }
    return LF_EXIT_OK;
}

const char *lfm_mcuboot_mode_name(int64_t mode)
{
    /* bootutil's enum mcuboot_mode (the "mode" bootloader-info query) */
    static const char *const names[] = {
        "single application slot",
        "swap using scratch",
        "overwrite only (no revert)",
        "swap using move (test and revert)",
        "DirectXIP without revert",
        "DirectXIP with revert",
        "RAM load",
        "firmware loader",
        "single slot RAM load",
        "swap using offset",
    };
    if (mode == -1) {
        return "unknown";
    }
    return mode >= 0 && mode < (int64_t)(sizeof(names) / sizeof(names[0])) ? names[mode] : NULL;
}

static int build_boot(struct lf_smp_req *r, const void *arg, size_t *len)
{
    return lf_smp_req_bootloader_info(r, arg, len);
}

/* A bootloader-info query whose answer may legitimately be "no answer". */
static int boot_query(struct lfm_session *s, const char *q, struct lf_smp_rsp *rsp, bool *answered)
{
    int err = lfm_transact(s, "bootloader info", build_boot, q, 0, rsp);
    *answered = false;
    if (err) {
        return err;
    }
    if (lf_smp_rsp_ok(rsp)) {
        *answered = true;
        return LF_EXIT_OK;
    }
    if ((rsp->has_err && rsp->err_group == LF_SMP_GROUP_OS &&
         (rsp->err_rc == LF_SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER ||
          rsp->err_rc == LF_SMP_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID)) ||
        (rsp->has_rc && (rsp->rc == LF_SMP_RC_ENOTSUP || rsp->rc == LF_SMP_RC_EUNKNOWN ||
                         rsp->rc == LF_SMP_RC_EINVAL))) {
        return LF_EXIT_OK; /* the device does not know this one */
    }
    lfm_report_device_error(s, q ? q : "bootloader info", rsp);
    return LF_EXIT_DEVICE;
}

int lfm_cmd_boot_info(struct lfm_session *s, const struct lfm_args *a)
{
    struct lf_smp_rsp rsp;
    struct lf_cbor_str name = {NULL, 0};
    int64_t mode = 0;
    uint64_t active = 0;
    bool no_downgrade = false;
    bool has_mode = false;
    bool has_active = false;
    bool ok;
    int err;
    if (a->query != NULL) {
        err = lfm_request(s, "bootloader info", build_boot, a->query, 0, &rsp);
        if (err) {
            return err;
        }
        if (s->json) {
            lfm_cbor_json(rsp.payload, rsp.hdr.len, stdout);
            putchar('\n');
        } else {
            lfm_cbor_lines(rsp.payload, rsp.hdr.len, stdout);
        }
        return LF_EXIT_OK;
    }
    err = lfm_request(s, "bootloader info", build_boot, NULL, 0, &rsp);
    if (err) {
        return err;
    }
    if (lf_smp_rsp_text(&rsp, "bootloader", &name) != LF_OK) {
        lfm_err("bootloader info: the reply has no text \"bootloader\"");
        return LF_EXIT_PROTO;
    }
    /* The name points into the session's receive buffer: print it first. */
    if (s->json) {
        fputs("{\"bootloader\": ", stdout);
        lfm_json_str(stdout, (const char *)name.ptr, name.len);
    } else {
        printf("bootloader: %.*s\n", (int)name.len, (const char *)name.ptr);
    }
    err = boot_query(s, "mode", &rsp, &ok);
    if (err) {
        return err;
    }
    if (ok && lf_smp_rsp_int(&rsp, "mode", &mode) == LF_OK) {
        has_mode = true;
        lf_smp_rsp_bool(&rsp, "no-downgrade", &no_downgrade);
    }
    err = boot_query(s, "active_b0_slot", &rsp, &ok);
    if (err) {
        return err;
    }
    if (ok && lf_smp_rsp_uint(&rsp, "active", &active) == LF_OK) {
        has_active = true;
    }
    if (s->json) {
        if (has_mode) {
            const char *mn = lfm_mcuboot_mode_name(mode);
            printf(", \"mode\": %" PRId64 ", \"mode_name\": ", mode);
            lfm_json_str(stdout, mn ? mn : "unknown to lfmgr",
                         strlen(mn ? mn : "unknown to lfmgr"));
            printf(", \"no_downgrade\": %s", no_downgrade ? "true" : "false");
        }
        if (has_active) {
            printf(", \"active_b0_slot\": %" PRIu64, active);
        }
        printf("}\n");
    } else {
        if (has_mode) {
            const char *mn = lfm_mcuboot_mode_name(mode);
            printf("mode: %" PRId64 " = %s; downgrade prevention: %s\n", mode,
                   mn ? mn : "unknown to lfmgr", no_downgrade ? "on" : "off");
        }
        if (has_active) {
            printf("active stage-1 slot: S%" PRIu64 "\n", active);
        }
    }
    return LF_EXIT_OK;
}
