/* QSPI driver for the DK's MX25R6435F (8 MiB NOR): single-line fast read and
 * page program (no quad-enable bit to manage), 4 KiB sector erase, status
 * polling, deep power-down on the way out. */
#ifndef NRF_QSPI_H
#define NRF_QSPI_H

#include <stdbool.h>
#include <stdint.h>

#include "lf/flash.h"

#define NRF_QSPI_PAGE   256u
#define NRF_QSPI_SECTOR 4096u

struct nrf_qspi_pins {
    uint8_t sck, csn, io0, io1, io2, io3;
};

/* Configure and activate the peripheral, wake the part from deep power-down. */
int nrf_qspi_start(const struct nrf_qspi_pins *pins);
/* The part into deep power-down, the peripheral off (no-op if not started). */
void nrf_qspi_stop(void);
bool nrf_qspi_started(void);

int nrf_qspi_read(uint32_t off, void *buf, uint32_t len);
/* len <= 256 and [off, off+len) inside one 256-byte program page. */
int nrf_qspi_program(uint32_t off, const void *buf, uint32_t len);
/* One 4 KiB sector; off sector-aligned. */
int nrf_qspi_erase_sector(uint32_t off);

/* lf_flash_ops; ctx: const struct nrf_qspi_pins * (started on first use). */
extern const struct lf_flash_ops nrf_qspi_ops;

#endif
