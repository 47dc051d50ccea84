/* Cortex-M startup: vector table, reset handler, fault handlers (lf_cm.h). */
#include <stdint.h>
#include <string.h>

#include "lf_cm.h"

extern uint32_t __data_start__[], __data_end__[], __data_load__[];
extern uint32_t __bss_start__[], __bss_end__[], __stack_limit__[], __stack_top__[];
extern uint32_t __retained_start__[], __image_end__[];
extern const uint32_t lf_cm_vectors[];

#define REG32(a) (*(volatile uint32_t *)(a))

#define SCB_CPACR 0xE000ED88u
#define SCB_AIRCR 0xE000ED0Cu
#define SCB_CFSR  0xE000ED28u
#define SCB_HFSR  0xE000ED2Cu
#define SCB_SHCSR 0xE000ED24u

void lf_reset_handler(void);
void lf_cm_default_handler(void);
void lf_cm_fault_entry(uint32_t *frame, uint32_t kind);

__attribute__((weak)) void lf_cm_fault_report(const char *name, uint32_t pc, uint32_t lr,
                                              uint32_t cfsr, uint32_t hfsr)
{
    (void)name;
    (void)pc;
    (void)lr;
    (void)cfsr;
    (void)hfsr;
}

void lf_cm_reset(void)
{
    __asm volatile("dsb" ::: "memory");
    REG32(SCB_AIRCR) = 0x05FA0004u; /* VECTKEY | SYSRESETREQ */
    __asm volatile("dsb" ::: "memory");
    for (;;) {
    }
}

/* Each fault handler passes the exception frame (MSP: no thread stacks here)
 * and its kind to the common C handler. */
#define LF_CM_FAULT_STUB(name_, kind_)           \
    __attribute__((naked)) void name_(void);     \
    __attribute__((naked)) void name_(void)      \
    {                                            \
        __asm volatile("tst lr, #4\n"            \
                       "ite eq\n"                \
                       "mrseq r0, msp\n"         \
                       "mrsne r0, psp\n"         \
                       "movs r1, #" #kind_ "\n"  \
                       "b lf_cm_fault_entry\n"); \
    }

LF_CM_FAULT_STUB(lf_cm_nmi, 0)
LF_CM_FAULT_STUB(lf_cm_hardfault, 1)
LF_CM_FAULT_STUB(lf_cm_memmanage, 2)
LF_CM_FAULT_STUB(lf_cm_busfault, 3)
LF_CM_FAULT_STUB(lf_cm_usagefault, 4)
LF_CM_FAULT_STUB(lf_cm_unexpected, 5)

/* LF_CM_FAULT_REPORT=0: an image without a console (stage 0 with its logs
 * off) resets at once and links neither the names nor the report. */
#ifndef LF_CM_FAULT_REPORT
#define LF_CM_FAULT_REPORT 1
#endif

/* used: only the stubs' asm branches here, which LTO does not see */
__attribute__((used)) void lf_cm_fault_entry(uint32_t *frame, uint32_t kind)
{
#if !LF_CM_FAULT_REPORT
    (void)frame;
    (void)kind;
    lf_cm_reset();
#else
    static const char *const names[] = {"NMI",      "HardFault",  "MemManage",
                                        "BusFault", "UsageFault", "unexpected interrupt"};
    uint32_t pc = 0, lr = 0;
    /* The frame is only trusted when it lies in RAM (a stack overflow can
     * leave the stack pointer anywhere). */
    uintptr_t f = (uintptr_t)frame;
    if (f >= (uintptr_t)__stack_limit__ && f + 32u <= (uintptr_t)__stack_top__) {
        lr = frame[5];
        pc = frame[6];
    }
    lf_cm_fault_report(names[kind < 6u ? kind : 5u], pc, lr, REG32(SCB_CFSR), REG32(SCB_HFSR));
    lf_cm_reset();
#endif
}

void lf_cm_default_handler(void)
{
    __asm volatile("b lf_cm_unexpected");
}

/* 16 system vectors and LF_CM_IRQS device interrupts: 32 by default (the
 * mps2 boards use 32+; no interrupt is enabled by Leapfrog, so every one
 * reports and resets). Stage 0 builds with 0: it never enables one, and its
 * flash is the scarcest. */
#ifndef LF_CM_IRQS
#define LF_CM_IRQS 32u
#endif
#define LF_CM_VECTORS (16u + LF_CM_IRQS)
__attribute__((section(".vectors"), used, aligned(128)))
const uint32_t lf_cm_vectors[LF_CM_VECTORS] = {
    (uint32_t)__stack_top__,
    (uint32_t)lf_reset_handler,
    (uint32_t)lf_cm_nmi,
    (uint32_t)lf_cm_hardfault,
    (uint32_t)lf_cm_memmanage,
    (uint32_t)lf_cm_busfault,
    (uint32_t)lf_cm_usagefault,
    0,
    0,
    0,
    0,
    (uint32_t)lf_cm_unexpected, /* SVCall */
    (uint32_t)lf_cm_unexpected, /* DebugMonitor */
    0,
    (uint32_t)lf_cm_unexpected, /* PendSV */
    (uint32_t)lf_cm_unexpected, /* SysTick */
#if LF_CM_IRQS
    [16 ... LF_CM_VECTORS - 1u] = (uint32_t)lf_cm_unexpected,
#endif
};

/* Paint from the end of static RAM to just below the current stack frame.
 * Runs before .bss is cleared and must not itself use much stack. */
static void lf_cm_paint_stack(void)
{
    volatile uint32_t here = 0;
    uint32_t *end = (uint32_t *)(((uintptr_t)&here - 64u) & ~(uintptr_t)3u);
    for (uint32_t *p = __stack_limit__; p < end; p++) {
        *p = LF_CM_STACK_PAINT;
    }
}

void lf_reset_handler(void)
{
    /* FPU: full access to CP10 and CP11 before any VFP instruction. */
    REG32(SCB_CPACR) |= 0xFu << 20;
    __asm volatile("dsb\nisb" ::: "memory");
    /* Usage, bus and memory-management faults get their own handlers. */
    REG32(SCB_SHCSR) |= (1u << 16) | (1u << 17) | (1u << 18);
    for (uint32_t *s = __data_load__, *d = __data_start__; d < __data_end__;) {
        *d++ = *s++;
    }
    for (uint32_t *d = __bss_start__; d < __bss_end__;) {
        *d++ = 0;
    }
    lf_cm_paint_stack();
    main();
    lf_cm_reset();
}

uint32_t lf_cm_stack_used(void)
{
    const uint32_t *p = __stack_limit__;
    while (p < __stack_top__ && *p == LF_CM_STACK_PAINT) {
        p++;
    }
    return (uint32_t)((uintptr_t)__stack_top__ - (uintptr_t)p);
}

uint32_t lf_cm_stack_size(void)
{
    return (uint32_t)((uintptr_t)__stack_top__ - (uintptr_t)__stack_limit__);
}

uint32_t lf_cm_static_ram(void)
{
    return (uint32_t)((uintptr_t)__stack_limit__ - (uintptr_t)__data_start__);
}

uint32_t lf_cm_image_size(void)
{
    return (uint32_t)((uintptr_t)__image_end__ - (uintptr_t)lf_cm_vectors);
}

void *lf_cm_retained(void)
{
    return __retained_start__;
}
