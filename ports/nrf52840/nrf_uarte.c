/*
 * UARTE0 (nRF52840 Product Specification, UARTE chapter), polled:
 * TX: EasyDMA from a RAM buffer, wait ENDTX per chunk.
 * RX: EasyDMA one byte at a time into a RAM cell; when ENDRX is seen the
 * byte is taken and reception is started again. Bytes arriving between the
 * two stay in the UARTE's RX FIFO. SMP clients send a request and wait for
 * its response, so the long operations (flash erases) happen while the line
 * is quiet; with hardware flow control (NRF_UART_HWFC=1: the DK wires RTS/CTS
 * to its interface MCU) the UARTE also holds the sender off when the FIFO
 * fills.
 */
#include <stdbool.h>
#include <string.h>

#include "nrf_hw.h"
#include "nrf_uarte.h"

static uint8_t rx_cell[4] __attribute__((aligned(4)));
static uint8_t tx_buf[32] __attribute__((aligned(4)));
static uint8_t on;

static void uarte_rx_arm(void)
{
    nrf_wr_ptr(NRF_UARTE0, UARTE_RXD_PTR, rx_cell);
    nrf_wr(NRF_UARTE0, UARTE_RXD_MAXCNT, 1u);
    nrf_wr(NRF_UARTE0, UARTE_TASKS_STARTRX, NRF_TRIGGER);
}

void nrf_uarte_start(const struct nrf_uarte_pins *pins, uint32_t baud_reg)
{
    bool hwfc = pins->rts != 0xFFu && pins->cts != 0xFFu;
    nrf_wr(NRF_UARTE0, UARTE_PSEL_TXD, pins->txd);
    nrf_wr(NRF_UARTE0, UARTE_PSEL_RXD, pins->rxd);
    nrf_wr(NRF_UARTE0, UARTE_PSEL_RTS, hwfc ? pins->rts : NRF_PSEL_DISCONNECTED);
    nrf_wr(NRF_UARTE0, UARTE_PSEL_CTS, hwfc ? pins->cts : NRF_PSEL_DISCONNECTED);
    nrf_wr(NRF_UARTE0, UARTE_BAUDRATE, baud_reg);
    nrf_wr(NRF_UARTE0, UARTE_CONFIG, hwfc ? UARTE_CONFIG_HWFC : 0u);
    nrf_wr(NRF_UARTE0, UARTE_ENABLE, UARTE_ENABLE_ON);
    nrf_wr(NRF_UARTE0, UARTE_EVENTS_ENDRX, 0);
    nrf_wr(NRF_UARTE0, UARTE_EVENTS_ERROR, 0);
    uarte_rx_arm();
    on = 1;
}

void nrf_uarte_stop(void)
{
    if (!on) {
        return;
    }
    nrf_wr(NRF_UARTE0, UARTE_EVENTS_RXTO, 0);
    nrf_wr(NRF_UARTE0, UARTE_TASKS_STOPRX, NRF_TRIGGER);
    for (uint32_t i = 0; i < 100000u && !nrf_rd(NRF_UARTE0, UARTE_EVENTS_RXTO); i++) {
    }
    nrf_wr(NRF_UARTE0, UARTE_EVENTS_TXSTOPPED, 0);
    nrf_wr(NRF_UARTE0, UARTE_TASKS_STOPTX, NRF_TRIGGER);
    for (uint32_t i = 0; i < 100000u && !nrf_rd(NRF_UARTE0, UARTE_EVENTS_TXSTOPPED); i++) {
    }
    nrf_wr(NRF_UARTE0, UARTE_ENABLE, 0);
    nrf_wr(NRF_UARTE0, UARTE_PSEL_TXD, NRF_PSEL_DISCONNECTED);
    nrf_wr(NRF_UARTE0, UARTE_PSEL_RXD, NRF_PSEL_DISCONNECTED);
    nrf_wr(NRF_UARTE0, UARTE_PSEL_RTS, NRF_PSEL_DISCONNECTED);
    nrf_wr(NRF_UARTE0, UARTE_PSEL_CTS, NRF_PSEL_DISCONNECTED);
    on = 0;
}

void nrf_uarte_write(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (on && len) {
        size_t n = len < sizeof(tx_buf) ? len : sizeof(tx_buf);
        memcpy(tx_buf, p, n);
        nrf_wr(NRF_UARTE0, UARTE_EVENTS_ENDTX, 0);
        nrf_wr_ptr(NRF_UARTE0, UARTE_TXD_PTR, tx_buf);
        nrf_wr(NRF_UARTE0, UARTE_TXD_MAXCNT, (uint32_t)n);
        nrf_wr(NRF_UARTE0, UARTE_TASKS_STARTTX, NRF_TRIGGER);
        while (!nrf_rd(NRF_UARTE0, UARTE_EVENTS_ENDTX)) {
        }
        p += n;
        len -= n;
    }
}

int nrf_uarte_getc(void)
{
    if (!on) {
        return -1;
    }
    if (nrf_rd(NRF_UARTE0, UARTE_EVENTS_ERROR)) {
        /* Framing or overrun: clear and go on (SMP's CRC catches the rest). */
        nrf_wr(NRF_UARTE0, UARTE_ERRORSRC, nrf_rd(NRF_UARTE0, UARTE_ERRORSRC));
        nrf_wr(NRF_UARTE0, UARTE_EVENTS_ERROR, 0);
    }
    if (!nrf_rd(NRF_UARTE0, UARTE_EVENTS_ENDRX)) {
        return -1;
    }
    nrf_wr(NRF_UARTE0, UARTE_EVENTS_ENDRX, 0);
    uint32_t got = nrf_rd(NRF_UARTE0, UARTE_RXD_AMOUNT);
    int c = (int)rx_cell[0];
    uarte_rx_arm();
    return got ? c : -1;
}
