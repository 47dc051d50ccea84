/*
 * Minimal bare-metal start-up for the crypto benchmark on QEMU's mps2-an386
 * (Cortex-M4F). It is deliberately tiny and local to the benchmark: when this
 * was written ports/cortex-m had no start-up code to reuse yet. Vector table
 * with the reset and fault entries only, .data copy, .bss clear, FPU enable,
 * then main(); semihosting SYS_EXIT_EXTENDED ends QEMU with main's status.
 */
#include <stdint.h>

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];
int main(void);
void bench_exit(int code);

void bench_exit(int code)
{
    /* ADP_Stopped_ApplicationExit with a status: QEMU exits with `code`. */
    static volatile uint32_t block[2];
    block[0] = 0x20026;
    block[1] = (uint32_t)code;
    register uint32_t r0 __asm__("r0") = 0x20; /* SYS_EXIT_EXTENDED */
    register volatile uint32_t *r1 __asm__("r1") = block;
    __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
    for (;;) {
    }
}

static void fault(void)
{
    bench_exit(99);
}

void reset_handler(void);
void reset_handler(void)
{
    for (uint32_t *s = _sidata, *d = _sdata; d < _edata;) {
        *d++ = *s++;
    }
    for (uint32_t *d = _sbss; d < _ebss;) {
        *d++ = 0;
    }
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20; /* CPACR: CP10, CP11 full access */
    __asm__ volatile("dsb\n isb");
    bench_exit(main());
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)_estack, reset_handler, fault, fault, fault, fault, fault,
};
