/*
 * The QEMU port's memory map (docs/qemu.md section 4), shared by the boot-ROM
 * shim and the board driver. The only non-volatile state is the host file
 * behind mps2-an386's 16 MiB PSRAM (QEMU -object memory-backend-file,
 * share=on): every store reaches the file at once, so it survives guest
 * resets, QEMU exits and kill -9 alike.
 */
#ifndef QEMU_NVM_H
#define QEMU_NVM_H

#include <stdint.h>

#define QEMU_NVM_BASE 0x21000000u /* PSRAM = the file nvm.bin */
#define QEMU_NVM_SIZE 0x01000000u

/* Offsets in the file. */
#define QEMU_NVM_INTERNAL   0x000000u /* internal flash, 1 MiB; executed from the XIP window */
#define QEMU_NVM_INTERNAL_N 0x100000u
#define QEMU_NVM_NOR        0x100000u /* external NOR, 8 MiB, not executable */
#define QEMU_NVM_NOR_N      0x800000u
#define QEMU_NVM_OTP        0x900000u /* provision OTP, 4 KiB */
#define QEMU_NVM_OTP_N      0x001000u
#define QEMU_NVM_CTRL       0x901000u /* struct qemu_ctrl: the host's power-cut control */

/* The XIP window: SSRAM1 at 0, where the internal flash executes in place.
 * The shim fills it from the file at every reset; the driver writes both. */
#define QEMU_XIP_BASE 0x00000000u

/* Power-cut control, written by the host (tests/qemu/nvm.py) and counted by
 * the flash driver: every program or erase of any device increments ops;
 * the operation that makes ops equal cut_at (when non-zero) is done only in
 * part (half of its bytes), and QEMU exits with QEMU_EXIT_CUT right there,
 * which is the power cut. ops lives in the file, so it counts across guest
 * resets within one QEMU run. */
#define QEMU_CTRL_MAGIC 0x4351464Cu /* "LFQC" */
struct qemu_ctrl {
    uint32_t magic;
    uint32_t cut_at;
    uint32_t ops;
    uint32_t reserved;
};

/* QEMU's exit codes (semihosting SYS_EXIT_EXTENDED). */
#define QEMU_EXIT_OK     0
#define QEMU_EXIT_NOFILE 3  /* shim: the PSRAM holds no flash image */
#define QEMU_EXIT_HALT   4  /* stage 0's safe state */
#define QEMU_EXIT_CUT    77 /* the power cut of qemu_ctrl.cut_at */

/* Port-private retained RAM: the protection state (the nRF52840's ACL
 * registers, cleared by a reset: the shim clears it at every reset). Above
 * the firmware's struct fw_retained, inside the linker scripts' retained
 * block (boards/lf_sections.ld: the top 256 bytes of the 256 KiB RAM). */
#define QEMU_LOCKS_ADDR 0x2003FF80u
#define QEMU_LOCKS_MAX  4u
struct qemu_lock {
    uint32_t dev; /* enum lf_dev_id */
    uint32_t start, end;
};
struct qemu_locks {
    uint32_t count;
    struct qemu_lock l[QEMU_LOCKS_MAX];
};

/* CMSDK APB timer 0: counts down at the 25 MHz system clock. The shim starts
 * it free-running at every reset; it is the boot's clock. */
#define QEMU_TIMER0   0x40000000u
#define QEMU_TIMER_HZ 25000000u
#define QEMU_UART0    0x40004000u

/* ARM semihosting: SYS_EXIT_EXTENDED with ADP_Stopped_ApplicationExit makes
 * QEMU exit with `code` (needs -semihosting-config enable=on). */
static inline __attribute__((noreturn)) void qemu_exit(int code)
{
    volatile uint32_t block[2] = {0x20026u, (uint32_t)code};
    register uint32_t r0 __asm__("r0") = 0x20u;
    register volatile uint32_t *r1 __asm__("r1") = block;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    for (;;) {
    }
}

#endif
