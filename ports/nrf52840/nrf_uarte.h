/* UARTE0 for the SMP console (the DK's USB serial through its interface MCU). */
#ifndef NRF_UARTE_H
#define NRF_UARTE_H

#include <stddef.h>
#include <stdint.h>

struct nrf_uarte_pins {
    uint8_t txd, rxd, rts, cts; /* rts/cts 0xFF: no flow control */
};

void nrf_uarte_start(const struct nrf_uarte_pins *pins, uint32_t baud_reg);
/* Stop receiving and transmitting, release the pins (no-op if not started). */
void nrf_uarte_stop(void);
/* Blocking write of any buffer (flash or RAM: EasyDMA reads RAM only, so
 * the bytes go through a RAM buffer). */
void nrf_uarte_write(const void *buf, size_t len);
/* One received byte, or -1. */
int nrf_uarte_getc(void);

#endif
