/* NVMC: the nRF52840's internal flash (4 KiB pages, 32-bit word programs). */
#ifndef NRF_NVMC_H
#define NRF_NVMC_H

#include <stdint.h>

#include "lf/flash.h"

#define NRF_FLASH_PAGE 4096u

/* Erase the page at CPU address addr (page-aligned). */
int nrf_nvmc_erase_page(uint32_t addr);
/* Program len bytes (multiple of 4) at addr (word-aligned) from src (any
 * alignment). Programs only clear bits; the caller erased first. */
int nrf_nvmc_write(uint32_t addr, const void *src, uint32_t len);

/* lf_flash_ops for the internal flash; ctx: struct nrf_nvmc_dev. */
struct nrf_nvmc_dev {
    uint32_t base; /* CPU address of device offset 0 */
    uint32_t size;
    uint8_t otp; /* 1: a page used as write-once words (the provision page) */
};
extern const struct lf_flash_ops nrf_nvmc_ops;

#endif
