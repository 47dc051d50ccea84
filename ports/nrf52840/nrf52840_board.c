/*
 * The nRF52840 DK behind firmware/board.h, for the boards nrf52840dk and
 * nrf52840dk-qspi (NRF_BOARD_QSPI=1): internal flash through the NVMC, the
 * provision page (4 KiB of write-once words at NRF_PROVISION_ADDR, the last
 * page of the STAGE0 area), the MX25R6435F through QSPI, the console on
 * UARTE0 (the DK's USB serial), ACL protection, recovery requests through
 * GPREGRET and button 1, and the hand-over that stops everything a stage
 * started before it jumps. docs/nrf52840.md.
 */
#include <stdbool.h>
#include <string.h>

#include "board.h"
#include "boards.h"
#include "lf/boot.h"
#include "lf/err.h"
#include "lf_cm.h"
#include "nrf_hw.h"
#include "nrf_nvmc.h"
#include "nrf_qspi.h"
#include "nrf_sys.h"
#include "nrf_uarte.h"

#ifndef NRF_BOARD_QSPI
#define NRF_BOARD_QSPI 0
#endif
#ifndef NRF_UART_BAUD
#define NRF_UART_BAUD UARTE_BAUD_115200
#endif
/* Seconds of watchdog started by stage 0; 0: no watchdog (the default: the
 * application would have to feed it). */
#ifndef NRF_WDT_SECONDS
#define NRF_WDT_SECONDS 0
#endif

#if NRF_BOARD_QSPI
#define NRF_BOARD lf_board_nrf52840dk_qspi
#else
#define NRF_BOARD lf_board_nrf52840dk
#endif

/* Where the provision area lives on this chip: a flash page (UICR's customer
 * words are too small). port.cmake sets it: the last page of STAGE0. */
#ifndef NRF_PROVISION_ADDR
#define NRF_PROVISION_ADDR 0x3000u
#endif
/* GPREGRET value: the application asked stage 1 for serial recovery. */
#define NRF_GPREGRET_RECOVERY 0xB1u
/* DK pins (P0): UART through the interface MCU, button 1, QSPI NOR. */
#define NRF_PIN_BUTTON1 11u
/* Hardware flow control on the UART (RTS P0.05, CTS P0.07): off by default,
 * so a host that does not drive RTS cannot stall the console. */
#ifndef NRF_UART_HWFC
#define NRF_UART_HWFC 0
#endif
static const struct nrf_uarte_pins uart_pins = {6, 8, NRF_UART_HWFC ? 5 : 0xFF,
                                                NRF_UART_HWFC ? 7 : 0xFF};
#if NRF_BOARD_QSPI
static const struct nrf_qspi_pins qspi_pins = {19, 17, 20, 21, 22, 23};
#endif

#define DEMCR      0xE000EDFCu
#define DWT_CTRL   0xE0001000u
#define DWT_CYCCNT 0xE0001004u
#define REG32(a)   (*(volatile uint32_t *)(a))

extern const uint32_t lf_cm_vectors[];
/* Weak: only the images after stage 0 link the QSPI driver (port.cmake). */
extern const struct lf_flash_ops nrf_qspi_ops __attribute__((weak));
void nrf_qspi_stop(void) __attribute__((weak));

#if NRF_BOARD_QSPI
static int no_rd(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    return LF_E_FLASH_DEVICE;
}
static int no_pr(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    return LF_E_FLASH_DEVICE;
}
static int no_er(void *ctx, uint32_t off, uint32_t len)
{
    return LF_E_FLASH_DEVICE;
}
static const struct lf_flash_ops no_ops = {no_rd, no_pr, no_er};
#endif

static void qspi_stop(void)
{
    if (nrf_qspi_stop) {
        nrf_qspi_stop();
    }
}

static struct nrf_nvmc_dev nv_int = {0x00000000u, 1024u * 1024u, 0};
static struct nrf_nvmc_dev nv_prov = {NRF_PROVISION_ADDR, 4096u, 1};
static struct lf_flash_dev devs[LF_DEV_COUNT];
static struct lf_flash_map map;
static bool map_ok;

const char *board_name(void)
{
    return NRF_BOARD.name;
}

#ifndef FW_STAGE0
/* The S slot this image runs in, or NULL (the application). */
static const struct lf_board_area *own_s_slot(void)
{
    uint32_t pc = (uint32_t)(uintptr_t)lf_cm_vectors;
    for (unsigned id = LF_AREA_S0; id <= LF_AREA_S1; id++) {
        const struct lf_board_area *a = &NRF_BOARD.areas[id];
        if (pc >= a->off && pc < a->off + a->size) {
            return a;
        }
    }
    return NULL;
}
#endif

void board_init(void)
{
    REG32(DEMCR) |= 1u << 24; /* TRCENA: the cycle counter is board_clock */
    REG32(DWT_CTRL) |= 1u;
    nrf_clock_start();
    if (FW_CONSOLE) {
        nrf_uarte_start(&uart_pins, NRF_UART_BAUD);
    }
    struct fw_retained *r = board_retained();
#ifdef FW_STAGE0
    {
        /* After a power-on or brown-out no RESETREAS bit is set and RAM holds
         * nothing; after a watchdog reset it is not trusted either: forget
         * the retained block (stage 0 then starts it anew). */
        uint32_t why = nrf_rd(NRF_POWER, POWER_RESETREAS);
        if (!(why & (RESETREAS_RESETPIN | RESETREAS_SREQ | RESETREAS_LOCKUP)) ||
            (why & RESETREAS_DOG)) {
            r->magic = 0;
        }
        if (NRF_WDT_SECONDS) {
            nrf_wdt_start(NRF_WDT_SECONDS);
        }
    }
#else
    if (own_s_slot()) {
        (void)nrf_resetreas_take();
        /* Recovery asked by the application (GPREGRET, kept across a soft
         * reset) or by button 1 held at reset. */
        if (nrf_gpregret_get() == NRF_GPREGRET_RECOVERY || nrf_button_pressed(NRF_PIN_BUTTON1)) {
            nrf_gpregret_set(0);
            r->recovery = FW_RECOVERY_REQUESTED;
        }
    }
#endif
    const struct lf_board *b = &NRF_BOARD;
    const struct lf_flash_dev *dp[LF_DEV_COUNT] = {NULL};
    devs[LF_DEV_INTERNAL] = (struct lf_flash_dev){b->dev_geo[LF_DEV_INTERNAL], &nrf_nvmc_ops,
                                                  &nv_int, b->dev_map_addr[LF_DEV_INTERNAL]};
    dp[LF_DEV_INTERNAL] = &devs[LF_DEV_INTERNAL];
    devs[LF_DEV_OTP] =
        (struct lf_flash_dev){b->dev_geo[LF_DEV_OTP], &nrf_nvmc_ops, &nv_prov, LF_FLASH_NOT_MAPPED};
    dp[LF_DEV_OTP] = &devs[LF_DEV_OTP];
#if NRF_BOARD_QSPI
    /* Started on first use; in stage 0 (no driver linked) every access
     * fails: stage 0 never touches the NOR. */
    devs[LF_DEV_EXTERNAL] =
        (struct lf_flash_dev){b->dev_geo[LF_DEV_EXTERNAL], &nrf_qspi_ops ? &nrf_qspi_ops : &no_ops,
                              (void *)&qspi_pins, LF_FLASH_NOT_MAPPED};
    dp[LF_DEV_EXTERNAL] = &devs[LF_DEV_EXTERNAL];
#endif
    /* The provision page inside SCRATCH only while nothing uses SCRATCH. */
    const struct lf_board_area *scr = &b->areas[LF_AREA_SCRATCH];
    bool in_scratch = NRF_PROVISION_ADDR >= scr->off && NRF_PROVISION_ADDR < scr->off + scr->size;
    map_ok = lf_flash_map_init(&map, b, dp) == LF_OK &&
             !(in_scratch && b->app_strategy == LF_BOOT_STRATEGY_SWAP_SCRATCH);
}

const struct lf_flash_map *board_flash_map(void)
{
    return map_ok ? &map : NULL;
}

int board_protect(const struct lf_flash_area *fa)
{
    if (!fa->dev || fa->dev->ops != &nrf_nvmc_ops) {
        return LF_E_UNSUPPORTED; /* the NOR has no protection the CPU can lock */
    }
    const struct nrf_nvmc_dev *d = fa->dev->ctx;
    return nrf_acl_protect(d->base + fa->off, fa->size);
}

struct fw_retained *board_retained(void)
{
    return lf_cm_retained();
}

void board_uart_write(const void *buf, size_t len)
{
    nrf_uarte_write(buf, len);
}

int board_uart_getc(void)
{
    nrf_wdt_feed(); /* the serving loops poll here */
    return nrf_uarte_getc();
}

uint32_t board_clock(void)
{
    return REG32(DWT_CYCCNT);
}

uint32_t board_clock_hz(void)
{
    return 64000000u;
}

void board_reset(void)
{
    if (board_retained()->recovery == FW_RECOVERY_REQUESTED) {
        nrf_gpregret_set(NRF_GPREGRET_RECOVERY);
    }
    qspi_stop();
    lf_cm_reset();
}

void board_jump(uint32_t vtor)
{
    /* Hand over a chip as after reset: everything this stage started stops. */
    if (FW_CONSOLE) {
        nrf_uarte_stop();
    }
#ifndef FW_STAGE0
    qspi_stop();
    const struct lf_board_area *own = own_s_slot();
    if (own) {
        /* Stage 1's own slot stays read-only while the application runs. */
        (void)nrf_acl_protect(NRF_BOARD.dev_map_addr[own->dev] + own->off, own->size);
    }
#endif
    nrf_clock_stop();
    REG32(DWT_CTRL) &= ~1u;
    lf_cm_jump(vtor);
}

void board_halt(int code)
{
    (void)code;
    qspi_stop();
    for (;;) {
        nrf_wdt_feed();
        __asm volatile("wfe");
    }
}

/* Faults: one line on the UART, then the Cortex-M layer resets. */
void lf_cm_fault_report(const char *name, uint32_t pc, uint32_t lr, uint32_t cfsr, uint32_t hfsr)
{
    static const char hex[] = "0123456789abcdef";
    const uint32_t v[4] = {pc, lr, cfsr, hfsr};
    char line[48];
    board_uart_write("fault: ", 7);
    board_uart_write(name, strlen(name));
    size_t n = 0;
    for (unsigned i = 0; i < 4u; i++) {
        line[n++] = ' ';
        for (int s = 28; s >= 0; s -= 4) {
            line[n++] = hex[(v[i] >> s) & 0xFu];
        }
    }
    line[n++] = '\n';
    board_uart_write(line, n);
}
