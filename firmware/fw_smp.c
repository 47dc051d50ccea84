/* The SMP server on the console UART (fw.h): the application's (library
 * fw_smp), and stage 1's serial recovery (library fw_smp_rec, built from
 * this file with FW_SMP_RECOVERY=1: the recovery tables of the core's OS and
 * image groups, so stage 1 links only the commands recovery serves). */
#include <string.h>

#include "fw.h"
#include "lf/boot_record.h"
#include "lf/err.h"
#include "lf/provision.h"
#include "lf/smp_serial.h"
#include "lf/smp_server.h"
#include "lf/version.h"
#include "lf_cm.h"

#ifndef FW_SMP_RECOVERY
#define FW_SMP_RECOVERY 0
#endif

#define FW_SMP_BUF 2048u /* the transport's receive buffer (mcumgr buf_size) */

#if FW_SMP_RECOVERY
static const struct lf_smp_group *const fw_groups[] = {&lf_smp_group_os_recovery,
                                                       &lf_smp_group_img_recovery};
#define FW_SMP_RSP LF_SMP_RSP_MIN /* the longest reply: the state list */
#else
static const struct lf_smp_group *const fw_groups[] = {&lf_smp_group_os, &lf_smp_group_img};
#define FW_SMP_RSP FW_SMP_BUF
#endif

static uint8_t rx_buf[FW_SMP_BUF];
static uint8_t rsp_buf[FW_SMP_RSP];
static struct lf_smp_serial_rx rx;
static struct lf_smp_server srv;
static struct lf_smp_server_cfg cfg;
static struct lf_smp_platform plat;
#if !FW_SMP_RECOVERY
static struct lf_smp_os_info info;
static struct lf_provision prov;
static struct lf_pubkey root_keys[LF_PROVISION_MAX_KEYS];
static struct lf_keyring root_ring;
#endif

static int send_line(void *ctx, const uint8_t *line, size_t len)
{
    (void)ctx;
    board_uart_write(line, len);
    return LF_OK;
}

static int send_msg(void *ctx, const uint8_t *msg, size_t len)
{
    return lf_smp_serial_encode(msg, len, send_line, ctx);
}

#if !FW_SMP_RECOVERY
static int boot_record(void *ctx, struct lf_boot_record *rec)
{
    const struct lf_flash_map *map = ctx;
    const struct lf_flash_area *fa = lf_flash_map_area(map, LF_AREA_STATE);
    return fa ? lf_boot_record_read(fa, 0, rec) : LF_E_NOT_FOUND;
}
#endif

/* line == word (newlib's strcmp alone is 0.7 KB on Cortex-M). */
static bool line_is(const char *line, const char *word)
{
    while (*line && *line == *word) {
        line++;
        word++;
    }
    return *line == *word;
}

/* Console commands: the text lines between SMP frames. Stage 1's recovery
 * takes "exit" only. */
static void console_line(const char *line, const char *who)
{
    if (line_is(line, "exit")) {
        lf_logf(&fw_log, "%s: exit", who);
        board_halt(0);
    }
#if !FW_SMP_RECOVERY
    if (line_is(line, "recovery")) {
        board_retained()->recovery = FW_RECOVERY_REQUESTED;
        lf_logf(&fw_log, "%s: serial recovery requested: reset", who);
        board_reset();
    } else if (line_is(line, "stats")) {
        fw_log_usage(who);
    } else if (line_is(line, "fault")) {
        lf_logf(&fw_log, "%s: undefined instruction", who);
        __asm volatile("udf #0"); /* the fault handler reports and resets */
    }
#endif
}

void fw_smp_serve(const struct lf_flash_map *map, const struct lf_stage0_handoff *handoff,
                  const char *who)
{
#if FW_SMP_RECOVERY
    plat.recovery = true; /* bootloader info query "recovery" */
#else
    info = (struct lf_smp_os_info){
        .nodename = board_name(),
        .release = LF_VERSION_STRING,
        .version = who,
        .machine = "cortex-m4",
        .processor = "armv7e-m",
        .platform = board_name(),
        .os = "Leapfrog",
    };
    const struct lf_flash_area *pa = lf_flash_map_area(map, LF_AREA_PROVISION);
    if (pa && lf_provision_read(pa, &prov) == LF_OK) {
        lf_provision_keyring(&prov, root_keys, fw_algs, 1, &root_ring);
    }
    plat.keys[1] = root_ring.count ? &root_ring : NULL;
    plat.os_info = &info;
    plat.boot_record = boot_record;
#endif
    cfg.groups = fw_groups;
    cfg.group_count = 2;
    cfg.rsp_buf = rsp_buf;
    cfg.rsp_cap = sizeof(rsp_buf);
    cfg.buf_size = FW_SMP_BUF;
    cfg.buf_count = 1;
    cfg.boot_mode = 3; /* swap-move */
    cfg.no_downgrade = true;
    cfg.verbose_err = true;
    plat.map = map;
    plat.log = &fw_log;
    plat.handoff = handoff;
    plat.keys[0] = fw_app_keys();
    plat.ctx = (void *)map;
    int err = lf_smp_server_init(&srv, &cfg, &plat);
    if (err) {
        lf_logf(&fw_log, "%s: smp server: %E", who, err);
    }
    /* Zephyr's convention: messages up to buf_size - 4 (length and CRC). */
    lf_smp_serial_rx_init(&rx, rx_buf, sizeof(rx_buf) - 4u);
    lf_logf(&fw_log, "%s: smp ready", who);
    char line[32];
    size_t line_len = 0;
    bool line_smp = false;
    for (;;) {
        int c = board_uart_getc();
        if (c < 0) {
            continue;
        }
        size_t n = lf_smp_serial_rx_byte(&rx, (uint8_t)c);
        if (n && !err) {
            lf_smp_server_handle(&srv, rx_buf, n, send_msg, NULL);
            if (lf_smp_server_reset_pending(&srv)) {
                lf_logf(&fw_log, "%s: reset", who);
                board_reset();
            }
        }
        /* A console line: anything not starting with an SMP marker. */
        if (c == '\n' || c == '\r') {
            if (!line_smp && line_len > 0 && line_len < sizeof(line)) {
                line[line_len] = '\0';
                console_line(line, who);
            }
            line_len = 0;
            line_smp = false;
        } else {
            if (line_len == 0 && (c == 0x06 || c == 0x04)) {
                line_smp = true;
            }
            if (line_len < sizeof(line)) {
                line_len++;
                line[line_len - 1u] = (char)c;
            }
        }
    }
}
