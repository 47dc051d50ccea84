/*
 * The Cortex-M layer every Cortex-M port shares (docs/qemu.md section 2):
 * startup (vector table, .data/.bss, FPU, stack painting), fault handlers
 * that report and reset, the jump into the next stage, and the measurement
 * of stack and static RAM use. ARMv7-M system registers only: no vendor
 * header, no SDK.
 */
#ifndef LF_CM_H
#define LF_CM_H

#include <stdint.h>

/* Value every stack word holds until the stack first reaches it. */
#define LF_CM_STACK_PAINT 0xC5A5C5A5u

/* The image's entry point after startup: the firmware's main. */
int main(void);

/* Reset the core and the peripherals (SYSRESETREQ). */
__attribute__((noreturn)) void lf_cm_reset(void);

/*
 * Start the image whose vector table is at vtor, as a reset would: every
 * interrupt disabled and its pending bit cleared, SysTick stopped, VTOR set,
 * MSP loaded from vtor[0], FPU context flag cleared, then a branch to
 * vtor[1]. vtor must be 128-byte aligned (the caller checked the image).
 */
__attribute__((noreturn)) void lf_cm_jump(uint32_t vtor);

/* Deepest stack use so far, in bytes (the painted words that changed). */
uint32_t lf_cm_stack_used(void);
/* Stack size available: from the end of static RAM to the stack top. */
uint32_t lf_cm_stack_size(void);
/* Static RAM of the image: .data + .bss + .noinit, in bytes. */
uint32_t lf_cm_static_ram(void);
/* Bytes of flash the image occupies (code, constants, .data's initial values). */
uint32_t lf_cm_image_size(void);
/* Start of the retained RAM block (not initialised by any image). */
void *lf_cm_retained(void);

/*
 * Called by the fault handlers before they reset: the port prints it where it
 * can (a UART). name: "HardFault", ...; pc: the faulting instruction; cfsr and
 * hfsr: the fault status registers. Weak default: nothing.
 */
void lf_cm_fault_report(const char *name, uint32_t pc, uint32_t lr, uint32_t cfsr, uint32_t hfsr);

#endif
