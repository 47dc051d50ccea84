/*
 * The qemu board (mps2-an386) behind firmware/board.h: CMSDK UART, the flash
 * devices emulated in the file-backed PSRAM with real NOR rules, protection,
 * reset, exit and the power-cut counter (docs/qemu.md section 4).
 */
#include <string.h>

#include "board.h"
#include "boards.h"
#include "lf/err.h"
#include "lf_cm.h"
#include "qemu_nvm.h"

#define REG32(a) (*(volatile uint32_t *)(a))

#define UART_DATA    (QEMU_UART0 + 0x00u)
#define UART_STATE   (QEMU_UART0 + 0x04u)
#define UART_CTRL    (QEMU_UART0 + 0x08u)
#define UART_BAUDDIV (QEMU_UART0 + 0x10u)

_Static_assert(sizeof(struct fw_retained) <= 128u, "fw_retained overlaps the port's locks");

/* ---- UART ------------------------------------------------------------------ */

static void uart_init(void)
{
    REG32(UART_BAUDDIV) = 16u;
    REG32(UART_CTRL) = 3u; /* TX and RX enabled */
    /* QEMU 7.2's CMSDK UART does not poll its chardev again when CTRL
     * enables RX: without a read of DATA the host's first byte waits ~1 s. */
    (void)REG32(UART_DATA);
}

void board_uart_write(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        while (REG32(UART_STATE) & 1u) {
        }
        REG32(UART_DATA) = p[i];
    }
}

int board_uart_getc(void)
{
    if (REG32(UART_STATE) & 2u) {
        return (int)(REG32(UART_DATA) & 0xFFu);
    }
    return -1;
}

/* ---- flash ----------------------------------------------------------------- */

struct qflash {
    uint8_t dev;      /* enum lf_dev_id */
    uint32_t nvm_off; /* where the device lies in the file */
    uint32_t xip;     /* CPU address of its execute-in-place copy, or NOT_MAPPED */
    const struct lf_flash_geometry *geo;
};

static volatile struct qemu_ctrl *ctrl(void)
{
    return (volatile struct qemu_ctrl *)(QEMU_NVM_BASE + QEMU_NVM_CTRL);
}

static volatile struct qemu_locks *locks(void)
{
    return (volatile struct qemu_locks *)QEMU_LOCKS_ADDR;
}

static uint8_t *nvm(const struct qflash *f, uint32_t off)
{
    return (uint8_t *)(QEMU_NVM_BASE + f->nvm_off + off);
}

static bool locked(const struct qflash *f, uint32_t off, uint32_t len)
{
    volatile struct qemu_locks *l = locks();
    uint32_t n = l->count < QEMU_LOCKS_MAX ? l->count : QEMU_LOCKS_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (l->l[i].dev == f->dev && off < l->l[i].end && off + len > l->l[i].start) {
            return true;
        }
    }
    return false;
}

/* Count one program or erase; true when it is the one the host cuts. */
static bool cut_now(void)
{
    volatile struct qemu_ctrl *c = ctrl();
    if (c->magic != QEMU_CTRL_MAGIC) {
        return false;
    }
    c->ops = c->ops + 1u;
    return c->cut_at != 0u && c->ops == c->cut_at;
}

/* Store bytes into the file and the XIP copy: a program clears bits only. */
static void store_and(const struct qflash *f, uint32_t off, const uint8_t *src, uint32_t len)
{
    uint8_t *d = nvm(f, off);
    for (uint32_t i = 0; i < len; i++) {
        d[i] &= src[i];
    }
    if (f->xip != LF_FLASH_NOT_MAPPED) {
        memcpy((uint8_t *)(f->xip + off), d, len);
    }
}

static void store_erase(const struct qflash *f, uint32_t off, uint32_t len)
{
    memset(nvm(f, off), 0xFF, len);
    if (f->xip != LF_FLASH_NOT_MAPPED) {
        memset((uint8_t *)(f->xip + off), 0xFF, len);
    }
}

static int q_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct qflash *f = ctx;
    if (off > f->geo->size || len > f->geo->size - off) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    memcpy(buf, nvm(f, off), len);
    return LF_OK;
}

static int q_program(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    const struct qflash *f = ctx;
    const struct lf_flash_geometry *g = f->geo;
    /* The device's own rules, whatever the caller checked. */
    if (off > g->size || len > g->size - off) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    if ((off | len) & (g->write_align - 1u)) {
        return LF_E_FLASH_MISALIGNED;
    }
    if (g->max_program && len > g->max_program) {
        return LF_E_FLASH_TOO_LONG;
    }
    if (g->program_page && len && off / g->program_page != (off + len - 1u) / g->program_page) {
        return LF_E_FLASH_PAGE_CROSS;
    }
    if (locked(f, off, len)) {
        return LF_E_FLASH_LOCKED;
    }
    if (g->flags & LF_FLASH_F_OTP) {
        const uint8_t *cur = nvm(f, off);
        for (uint32_t i = 0; i < len; i++) {
            if (cur[i] != 0xFFu) {
                return LF_E_FLASH_OTP_REWRITE; /* each word is programmed once */
            }
        }
    }
    if (cut_now()) {
        uint32_t half = (len / 2u) & ~(uint32_t)(g->write_align - 1u);
        store_and(f, off, buf, half);
        qemu_exit(QEMU_EXIT_CUT);
    }
    store_and(f, off, buf, len);
    return LF_OK;
}

static int q_erase(void *ctx, uint32_t off, uint32_t len)
{
    const struct qflash *f = ctx;
    const struct lf_flash_geometry *g = f->geo;
    if (g->flags & LF_FLASH_F_OTP) {
        return LF_E_FLASH_NO_ERASE;
    }
    if (off > g->size || len > g->size - off) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    /* One sector (4 KiB on every part here) or one block, aligned. */
    uint32_t sector = g->runs[0].size;
    if (!((len == sector && off % sector == 0u) ||
          (g->block_size && len == g->block_size && off % g->block_size == 0u))) {
        return LF_E_FLASH_NOT_SECTOR;
    }
    if (locked(f, off, len)) {
        return LF_E_FLASH_LOCKED;
    }
    if (cut_now()) {
        store_erase(f, off, len / 2u); /* erased in part: the rest keeps old data */
        qemu_exit(QEMU_EXIT_CUT);
    }
    store_erase(f, off, len);
    return LF_OK;
}

static const struct lf_flash_ops q_ops = {q_read, q_program, q_erase};

static struct qflash q_int = {LF_DEV_INTERNAL, QEMU_NVM_INTERNAL, QEMU_XIP_BASE, NULL};
static struct qflash q_nor = {LF_DEV_EXTERNAL, QEMU_NVM_NOR, LF_FLASH_NOT_MAPPED, NULL};
static struct qflash q_otp = {LF_DEV_OTP, QEMU_NVM_OTP, LF_FLASH_NOT_MAPPED, NULL};
static struct lf_flash_dev devs[LF_DEV_COUNT];
static struct lf_flash_map map;
static bool map_ok;

const char *board_name(void)
{
    return lf_board_qemu.name;
}

void board_init(void)
{
    uart_init();
    const struct lf_board *b = &lf_board_qemu;
    struct qflash *q[LF_DEV_COUNT] = {&q_int, &q_nor, &q_otp};
    static const uint32_t max[LF_DEV_COUNT] = {QEMU_NVM_INTERNAL_N, QEMU_NVM_NOR_N, QEMU_NVM_OTP_N};
    const struct lf_flash_dev *dp[LF_DEV_COUNT];
    map_ok = true;
    for (unsigned i = 0; i < LF_DEV_COUNT; i++) {
        q[i]->geo = b->dev_geo[i];
        if (!q[i]->geo || q[i]->geo->size > max[i]) {
            map_ok = false; /* the layout does not fit the file's map */
            dp[i] = NULL;
            continue;
        }
        devs[i] = (struct lf_flash_dev){q[i]->geo, &q_ops, q[i], b->dev_map_addr[i]};
        dp[i] = &devs[i];
    }
    if ((uintptr_t)lf_cm_retained() + 128u != QEMU_LOCKS_ADDR) {
        map_ok = false; /* linker scripts and port disagree on retained RAM */
    }
    if (map_ok && lf_flash_map_init(&map, b, dp) != LF_OK) {
        map_ok = false;
    }
}

const struct lf_flash_map *board_flash_map(void)
{
    return map_ok ? &map : NULL;
}

int board_protect(const struct lf_flash_area *fa)
{
    volatile struct qemu_locks *l = locks();
    const struct qflash *f = fa->dev ? fa->dev->ctx : NULL;
    if (!f || l->count >= QEMU_LOCKS_MAX) {
        return LF_E_INVAL;
    }
    l->l[l->count].dev = f->dev;
    l->l[l->count].start = fa->off;
    l->l[l->count].end = fa->off + fa->size;
    l->count = l->count + 1u;
    return LF_OK;
}

struct fw_retained *board_retained(void)
{
    return lf_cm_retained();
}

uint32_t board_clock(void)
{
    return 0xFFFFFFFFu - REG32(QEMU_TIMER0 + 0x04u);
}

uint32_t board_clock_hz(void)
{
    return QEMU_TIMER_HZ;
}

void board_reset(void)
{
    lf_cm_reset();
}

void board_jump(uint32_t vtor)
{
    lf_cm_jump(vtor);
}

void board_halt(int code)
{
    qemu_exit(code);
}

/* Faults: one line on the UART, then the Cortex-M layer resets. */
void lf_cm_fault_report(const char *name, uint32_t pc, uint32_t lr, uint32_t cfsr, uint32_t hfsr)
{
    static const char hex[] = "0123456789abcdef";
    char line[96];
    size_t n = 0;
    const char *pre = "fault: ";
    while (*pre) {
        line[n++] = *pre++;
    }
    while (*name && n < 40u) {
        line[n++] = *name++;
    }
    const uint32_t v[4] = {pc, lr, cfsr, hfsr};
    const char *tag[4] = {" pc=", " lr=", " cfsr=", " hfsr="};
    for (unsigned i = 0; i < 4u; i++) {
        for (const char *t = tag[i]; *t; t++) {
            line[n++] = *t;
        }
        for (int s = 28; s >= 0; s -= 4) {
            line[n++] = hex[(v[i] >> s) & 0xFu];
        }
    }
    line[n++] = '\n';
    board_uart_write(line, n);
}
