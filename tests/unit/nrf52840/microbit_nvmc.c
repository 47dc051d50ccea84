/*
 * The NVMC driver (ports/nrf52840/nrf_nvmc.c) built for Cortex-M0 and run on
 * QEMU's microbit machine (nRF51822), whose NVMC model follows Nordic's
 * register semantics: CONFIG write/erase enable, ERASEPAGE, READY. The same
 * NVMC registers sit at the same address on the nRF52840. The result is the
 * exit code through semihosting: 0 when every check passed, else the number
 * of the first failed check. (On the nRF51 ERASEPAGE erases a 1 KiB page;
 * the checks stay inside the first KiB of the 4 KiB-aligned page.)
 */
#include <stdint.h>
#include <string.h>

#include "lf/err.h"
#include "nrf_hw.h"
#include "nrf_nvmc.h"

#define PAGE 0x30000u

int main(void);
void reset_handler(void);

extern uint32_t __stack_top__[];

static void semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

static void say(const char *s)
{
    semihost(0x04u, s); /* SYS_WRITE0 */
}

__attribute__((noreturn)) static void finish(uint32_t code)
{
    /* SYS_EXIT_EXTENDED: ADP_Stopped_ApplicationExit (0x20026) and a code. */
    static uint32_t block[2];
    block[0] = 0x20026u;
    block[1] = code;
    say(code ? "microbit_nvmc: FAIL\n" : "microbit_nvmc: ok\n");
    semihost(0x20u, block);
    for (;;) {
    }
}

static const volatile uint32_t *flash32(uint32_t a)
{
    return (const volatile uint32_t *)(uintptr_t)a;
}

int main(void)
{
    static const uint32_t words[4] = {0x12345678u, 0x9ABCDEF0u, 0x00FF00FFu, 0xCAFEF00Du};
    if (nrf_nvmc_erase_page(PAGE) != LF_OK) {
        finish(1);
    }
    for (uint32_t i = 0; i < 64u; i++) {
        if (flash32(PAGE + 4u * i)[0] != 0xFFFFFFFFu) {
            finish(2); /* QEMU's flash starts as 0x00: the erase set it */
        }
    }
    if (nrf_nvmc_write(PAGE + 16u, words, sizeof(words)) != LF_OK) {
        finish(3);
    }
    for (uint32_t i = 0; i < 4u; i++) {
        if (flash32(PAGE + 16u)[i] != words[i]) {
            finish(4);
        }
    }
    if (flash32(PAGE + 12u)[0] != 0xFFFFFFFFu || flash32(PAGE + 32u)[0] != 0xFFFFFFFFu) {
        finish(5); /* neighbours untouched */
    }
    if (nrf_rd(NRF_NVMC, NVMC_CONFIG) != NVMC_CONFIG_REN) {
        finish(6); /* read-only again after the program */
    }
    /* With CONFIG read-only a store must not program (the driver leaves it so). */
    *(volatile uint32_t *)(uintptr_t)(PAGE + 64u) = 0u;
    if (flash32(PAGE + 64u)[0] != 0xFFFFFFFFu) {
        finish(7);
    }
    if (nrf_nvmc_write(PAGE + 2u, words, 4u) != LF_E_FLASH_MISALIGNED ||
        nrf_nvmc_erase_page(PAGE + 0x400u) != LF_E_FLASH_NOT_SECTOR) {
        finish(8);
    }
    if (nrf_nvmc_erase_page(PAGE) != LF_OK || flash32(PAGE + 16u)[0] != 0xFFFFFFFFu ||
        nrf_rd(NRF_NVMC, NVMC_CONFIG) != NVMC_CONFIG_REN) {
        finish(9);
    }
    finish(0);
}

void reset_handler(void)
{
    main();
    finish(99);
}

__attribute__((section(".vectors"), used)) const uint32_t vectors[16] = {
    (uint32_t)(uintptr_t)__stack_top__, (uint32_t)(uintptr_t)reset_handler};
