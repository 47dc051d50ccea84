/*
 * QSPI peripheral (nRF52840 Product Specification, QSPI chapter) driving the
 * MX25R6435F (Macronix datasheet): READ/WRITE/ERASE tasks through EasyDMA,
 * custom instructions for status (RDSR 0x05), release from deep power-down
 * (RES 0xAB) and deep power-down (DP 0xB9).
 *
 * EasyDMA moves whole words between word-aligned RAM and word-aligned flash
 * offsets, so every transfer goes through a word-aligned bounce buffer: reads
 * are widened to whole words, programs are padded with 0xFF (a NOR program
 * only clears bits, so 0xFF leaves the neighbouring bytes as they are).
 */
#include <string.h>

#include "lf/err.h"
#include "nrf_hw.h"
#include "nrf_qspi.h"
#include "nrf_sys.h"

#define MX_RDSR 0x05u
#define MX_RES  0xABu
#define MX_DP   0xB9u
#define MX_WIP  0x01u
#define MX_SIZE (8u * 1024u * 1024u)

static uint32_t bounce[NRF_QSPI_PAGE / 4u];
static bool started;

static int qspi_wait_ready(void)
{
    /* Bounded: a 4 KiB erase takes up to 240 ms on the MX25R; the poll loop
     * is far longer than that at 64 MHz. */
    for (uint32_t i = 0; i < 100000000u; i++) {
        if (nrf_rd(NRF_QSPI, QSPI_EVENTS_READY)) {
            nrf_wr(NRF_QSPI, QSPI_EVENTS_READY, 0);
            return LF_OK;
        }
    }
    return LF_E_FLASH_DEVICE;
}

static int qspi_cinstr(uint32_t op, uint32_t len, uint32_t *out)
{
    nrf_wr(NRF_QSPI, QSPI_EVENTS_READY, 0);
    nrf_wr(NRF_QSPI, QSPI_CINSTRCONF, QSPI_CINSTR(op, len));
    int err = qspi_wait_ready();
    if (out) {
        *out = nrf_rd(NRF_QSPI, QSPI_CINSTRDAT0);
    }
    return err;
}

/* Poll the status register until the part's write-in-progress bit clears. */
static int mx_wait_idle(void)
{
    for (uint32_t i = 0; i < 1000000u; i++) {
        uint32_t sr = 0;
        int err = qspi_cinstr(MX_RDSR, 2u, &sr);
        if (err) {
            return err;
        }
        if ((sr & MX_WIP) == 0u) {
            return LF_OK;
        }
        nrf_wdt_feed();
    }
    return LF_E_FLASH_DEVICE;
}

bool nrf_qspi_started(void)
{
    return started;
}

int nrf_qspi_start(const struct nrf_qspi_pins *pins)
{
    if (started) {
        return LF_OK;
    }
    nrf_wr(NRF_QSPI, QSPI_PSEL_SCK, pins->sck);
    nrf_wr(NRF_QSPI, QSPI_PSEL_CSN, pins->csn);
    nrf_wr(NRF_QSPI, QSPI_PSEL_IO0, pins->io0);
    nrf_wr(NRF_QSPI, QSPI_PSEL_IO1, pins->io1);
    nrf_wr(NRF_QSPI, QSPI_PSEL_IO2, pins->io2);
    nrf_wr(NRF_QSPI, QSPI_PSEL_IO3, pins->io3);
    /* FASTREAD, PP, 24-bit addresses, 256-byte pages. */
    nrf_wr(NRF_QSPI, QSPI_IFCONFIG0, 0);
    /* SCK = 32 MHz / (3 + 1) = 8 MHz, mode 0, one SCK of CSN delay. */
    nrf_wr(NRF_QSPI, QSPI_IFCONFIG1, (3u << 28) | 1u);
    nrf_wr(NRF_QSPI, QSPI_ENABLE, 1u);
    nrf_wr(NRF_QSPI, QSPI_EVENTS_READY, 0);
    nrf_wr(NRF_QSPI, QSPI_TASKS_ACTIVATE, NRF_TRIGGER);
    int err = qspi_wait_ready();
    if (!err) {
        err = qspi_cinstr(MX_RES, 1u, NULL); /* out of deep power-down */
    }
    /* tRES1 (35 us on the MX25R) before the next command. */
    for (volatile uint32_t i = 0; i < 3000u; i++) {
    }
    if (!err) {
        err = mx_wait_idle();
    }
    started = err == LF_OK;
    if (!started) {
        nrf_wr(NRF_QSPI, QSPI_ENABLE, 0);
    }
    return err;
}

void nrf_qspi_stop(void)
{
    if (!started) {
        return;
    }
    (void)mx_wait_idle();
    (void)qspi_cinstr(MX_DP, 1u, NULL);
    nrf_wr(NRF_QSPI, QSPI_EVENTS_READY, 0);
    nrf_wr(NRF_QSPI, QSPI_TASKS_DEACTIVATE, NRF_TRIGGER);
    nrf_wr(NRF_QSPI, QSPI_ENABLE, 0);
    started = false;
}

int nrf_qspi_read(uint32_t off, void *buf, uint32_t len)
{
    if (off > MX_SIZE || len > MX_SIZE - off) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    uint8_t *out = buf;
    while (len) {
        uint32_t a = off & ~3u, skip = off - a;
        uint32_t n = len < sizeof(bounce) - skip ? len : (uint32_t)sizeof(bounce) - skip;
        uint32_t cnt = (skip + n + 3u) & ~3u;
        nrf_wr(NRF_QSPI, QSPI_READ_SRC, a);
        nrf_wr_ptr(NRF_QSPI, QSPI_READ_DST, bounce);
        nrf_wr(NRF_QSPI, QSPI_READ_CNT, cnt);
        nrf_wr(NRF_QSPI, QSPI_EVENTS_READY, 0);
        nrf_wr(NRF_QSPI, QSPI_TASKS_READSTART, NRF_TRIGGER);
        int err = qspi_wait_ready();
        if (err) {
            return err;
        }
        memcpy(out, (const uint8_t *)bounce + skip, n);
        out += n;
        off += n;
        len -= n;
    }
    return LF_OK;
}

int nrf_qspi_program(uint32_t off, const void *buf, uint32_t len)
{
    if (off > MX_SIZE || len > MX_SIZE - off) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    if (len > NRF_QSPI_PAGE) {
        return LF_E_FLASH_TOO_LONG;
    }
    if (len == 0u) {
        return LF_OK;
    }
    if (off / NRF_QSPI_PAGE != (off + len - 1u) / NRF_QSPI_PAGE) {
        return LF_E_FLASH_PAGE_CROSS;
    }
    uint32_t a = off & ~3u, skip = off - a;
    uint32_t cnt = (skip + len + 3u) & ~3u; /* stays inside the page: 4 divides 256 */
    memset(bounce, 0xFF, cnt);
    memcpy((uint8_t *)bounce + skip, buf, len);
    nrf_wr(NRF_QSPI, QSPI_WRITE_DST, a);
    nrf_wr_ptr(NRF_QSPI, QSPI_WRITE_SRC, bounce);
    nrf_wr(NRF_QSPI, QSPI_WRITE_CNT, cnt);
    nrf_wr(NRF_QSPI, QSPI_EVENTS_READY, 0);
    nrf_wr(NRF_QSPI, QSPI_TASKS_WRITESTART, NRF_TRIGGER);
    int err = qspi_wait_ready();
    return err ? err : mx_wait_idle();
}

int nrf_qspi_erase_sector(uint32_t off)
{
    if (off % NRF_QSPI_SECTOR || off >= MX_SIZE) {
        return LF_E_FLASH_NOT_SECTOR;
    }
    nrf_wdt_feed();
    nrf_wr(NRF_QSPI, QSPI_ERASE_PTR, off);
    nrf_wr(NRF_QSPI, QSPI_ERASE_LEN, QSPI_ERASE_LEN_4KB);
    nrf_wr(NRF_QSPI, QSPI_EVENTS_READY, 0);
    nrf_wr(NRF_QSPI, QSPI_TASKS_ERASESTART, NRF_TRIGGER);
    int err = qspi_wait_ready();
    return err ? err : mx_wait_idle();
}

static int q_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    int err = nrf_qspi_start(ctx);
    return err ? err : nrf_qspi_read(off, buf, len);
}

static int q_program(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    int err = nrf_qspi_start(ctx);
    return err ? err : nrf_qspi_program(off, buf, len);
}

static int q_erase(void *ctx, uint32_t off, uint32_t len)
{
    int err = nrf_qspi_start(ctx);
    if (err) {
        return err;
    }
    if (off % NRF_QSPI_SECTOR || len % NRF_QSPI_SECTOR) {
        return LF_E_FLASH_NOT_SECTOR;
    }
    for (uint32_t s = 0; s < len && !err; s += NRF_QSPI_SECTOR) {
        err = nrf_qspi_erase_sector(off + s);
    }
    return err;
}

const struct lf_flash_ops nrf_qspi_ops = {q_read, q_program, q_erase};
