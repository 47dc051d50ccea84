/*
 * The QEMU-only boot-ROM shim (docs/qemu.md section 4). QEMU's loader
 * (-device loader,file=bootrom.elf,cpu-num=0) starts it at power-on and after
 * every reset. It stands in for what real flash does by itself: holding its
 * contents at power-on. It copies the internal flash from the file-backed
 * PSRAM into the XIP window at 0, clears the protection state (as a reset
 * clears the nRF52840's ACL), and then starts stage 0 exactly as a hardware
 * reset would: VTOR = 0, MSP = [0], PC = [4]. The boot clock (timer 0) starts
 * from 0 at that jump, so the shim's own work is not counted in the boot.
 * Stage 0 contains no emulator code.
 */
#include <stdint.h>

#include "qemu_nvm.h"

#define REG32(a) (*(volatile uint32_t *)(a))

void bootrom_main(void);
void bootrom_entry(void);

static void rom_puts(const char *s)
{
    REG32(QEMU_UART0 + 0x10u) = 16u; /* BAUDDIV */
    REG32(QEMU_UART0 + 0x08u) = 1u;  /* CTRL: TX */
    for (; *s; s++) {
        while (REG32(QEMU_UART0 + 0x04u) & 1u) {
        }
        REG32(QEMU_UART0) = (uint8_t)*s;
    }
}

__attribute__((naked, noreturn)) void bootrom_entry(void)
{
    __asm volatile("ldr r0, =0x20010000\n"
                   "msr msp, r0\n"
                   "b bootrom_main\n");
}

__attribute__((noreturn, used)) void bootrom_main(void)
{
    const volatile uint32_t *nvm = (const volatile uint32_t *)(QEMU_NVM_BASE + QEMU_NVM_INTERNAL);
    uint32_t sp = nvm[0], pc = nvm[1];
    if (sp == 0u || sp == 0xFFFFFFFFu || pc == 0u || pc == 0xFFFFFFFFu) {
        rom_puts("bootrom: no flash image in the PSRAM (missing -object memory-backend-file?)\n");
        qemu_exit(QEMU_EXIT_NOFILE);
    }
    volatile uint32_t *xip = (volatile uint32_t *)QEMU_XIP_BASE;
    for (uint32_t i = 0; i < QEMU_NVM_INTERNAL_N / 4u; i++) {
        xip[i] = nvm[i];
    }
    ((volatile struct qemu_locks *)QEMU_LOCKS_ADDR)->count = 0;
    REG32(0xE000ED08u) = QEMU_XIP_BASE;       /* VTOR */
    REG32(QEMU_TIMER0 + 0x08u) = 0xFFFFFFFFu; /* RELOAD */
    REG32(QEMU_TIMER0 + 0x04u) = 0xFFFFFFFFu; /* VALUE */
    REG32(QEMU_TIMER0 + 0x00u) = 1u;          /* CTRL: enable */
    __asm volatile("dsb\nisb\n"
                   "msr msp, %0\n"
                   "bx %1\n"
                   :
                   : "r"(xip[0]), "r"(xip[1])
                   : "memory");
    __builtin_unreachable();
}
