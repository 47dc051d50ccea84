/*
 * NVMC driver: CONFIG selects read-only, write or erase; a page erase is a
 * write of the page address to ERASEPAGE; a word program is a 32-bit store
 * to the flash address; READY says when the NVMC is done (nRF52840 Product
 * Specification, NVMC chapter). CONFIG goes back to read-only after each
 * operation, so a stray store can never program.
 */
#include <string.h>

#include "lf/err.h"
#include "nrf_hw.h"
#include "nrf_nvmc.h"

#include "nrf_sys.h"

static void nvmc_wait(void)
{
    while ((nrf_rd(NRF_NVMC, NVMC_READY) & 1u) == 0u) {
    }
}

static void nvmc_config(uint32_t mode)
{
    nvmc_wait();
    nrf_wr(NRF_NVMC, NVMC_CONFIG, mode);
    NRF_BARRIER();
}

int nrf_nvmc_erase_page(uint32_t addr)
{
    if (addr % NRF_FLASH_PAGE) {
        return LF_E_FLASH_NOT_SECTOR;
    }
    nrf_wdt_feed(); /* a page erase takes up to ~85 ms */
    nvmc_config(NVMC_CONFIG_EEN);
    nrf_wr(NRF_NVMC, NVMC_ERASEPAGE, addr);
    nvmc_wait();
    nvmc_config(NVMC_CONFIG_REN);
    return LF_OK;
}

int nrf_nvmc_write(uint32_t addr, const void *src, uint32_t len)
{
    if ((addr | len) & 3u) {
        return LF_E_FLASH_MISALIGNED;
    }
    const uint8_t *s = src;
    nvmc_config(NVMC_CONFIG_WEN);
    for (uint32_t i = 0; i < len; i += 4u) {
        uint32_t w;
        memcpy(&w, s + i, 4u);
        nrf_mem_wr32(addr + i, w);
        nvmc_wait();
    }
    nvmc_config(NVMC_CONFIG_REN);
    return LF_OK;
}

static int nv_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct nrf_nvmc_dev *d = ctx;
    if (off > d->size || len > d->size - off) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    memcpy(buf, nrf_mem(d->base + off), len);
    return LF_OK;
}

static int nv_program(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    const struct nrf_nvmc_dev *d = ctx;
    if (off > d->size || len > d->size - off) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    if (nrf_acl_blocks(d->base + off, len)) {
        return LF_E_FLASH_LOCKED; /* the store would be a bus fault */
    }
    if (d->otp) {
        /* Write-once words: a word is programmed only from erased. */
        const uint8_t *cur = nrf_mem(d->base + off);
        for (uint32_t i = 0; i < len; i++) {
            if (cur[i] != 0xFFu) {
                return LF_E_FLASH_OTP_REWRITE;
            }
        }
    }
    return nrf_nvmc_write(d->base + off, buf, len);
}

static int nv_erase(void *ctx, uint32_t off, uint32_t len)
{
    const struct nrf_nvmc_dev *d = ctx;
    if (d->otp) {
        return LF_E_FLASH_NO_ERASE;
    }
    if (off > d->size || len > d->size - off || (off | len) % NRF_FLASH_PAGE) {
        return LF_E_FLASH_NOT_SECTOR;
    }
    if (nrf_acl_blocks(d->base + off, len)) {
        return LF_E_FLASH_LOCKED;
    }
    for (uint32_t p = 0; p < len; p += NRF_FLASH_PAGE) {
        int err = nrf_nvmc_erase_page(d->base + off + p);
        if (err) {
            return err;
        }
    }
    return LF_OK;
}

const struct lf_flash_ops nrf_nvmc_ops = {nv_read, nv_program, nv_erase};
