/* The jump into the next stage (lf_cm.h). */
#include <stdint.h>

#include "lf_cm.h"

#define REG32(a) (*(volatile uint32_t *)(a))

#define SYST_CSR   0xE000E010u
#define SCB_ICSR   0xE000ED04u
#define SCB_VTOR   0xE000ED08u
#define SCB_SHCSR  0xE000ED24u
#define NVIC_ICER0 0xE000E180u
#define NVIC_ICPR0 0xE000E280u

#define ICSR_PENDSTCLR (1u << 25)
#define ICSR_PENDSVCLR (1u << 27)

void lf_cm_jump(uint32_t vtor)
{
    const volatile uint32_t *v = (const volatile uint32_t *)vtor;
    uint32_t sp = v[0];
    uint32_t pc = v[1];
    __asm volatile("cpsid i" ::: "memory");
    REG32(SYST_CSR) = 0; /* SysTick off, its interrupt too */
    for (uint32_t i = 0; i < 16u; i++) {
        REG32(NVIC_ICER0 + 4u * i) = 0xFFFFFFFFu;
        REG32(NVIC_ICPR0 + 4u * i) = 0xFFFFFFFFu;
    }
    REG32(SCB_ICSR) = ICSR_PENDSTCLR | ICSR_PENDSVCLR;
    REG32(SCB_SHCSR) &= ~((1u << 16) | (1u << 17) | (1u << 18)); /* as after reset */
    REG32(SCB_VTOR) = vtor;
    __asm volatile("dsb\nisb" ::: "memory");
    /* Thread mode on MSP with no FPU context (CONTROL = 0), the new stack,
     * interrupts enabled again as after a reset (none is enabled in the
     * NVIC), then the branch. Nothing of this stage's stack is used after
     * the MSP changes. */
    __asm volatile("movs r2, #0\n"
                   "msr control, r2\n"
                   "isb\n"
                   "msr msp, %0\n"
                   "cpsie i\n"
                   "bx %1\n"
                   :
                   : "r"(sp), "r"(pc)
                   : "r2", "memory");
    __builtin_unreachable();
}
