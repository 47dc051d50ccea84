/* Fault-injection hardening primitives that are not inline (lf/fih.h). */
#include "lf/fih.h"

/* The default stop: a trap (on a Cortex-M, a HardFault), then a loop in case
 * the trap itself was skipped. A port overrides it with its own halt. */
__attribute__((weak, noreturn)) void lf_fih_panic(void)
{
    for (;;) {
        __builtin_trap();
    }
}

lf_fih_t lf_fih_memeq(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *x = a;
    const volatile uint8_t *y = b;
#if LF_FIH
    lf_fih_t r = LF_FIH_INIT_FAILURE;
    volatile uint32_t diff = 0;
    volatile size_t same = 0;
    volatile size_t i;
    for (i = 0; i < len; i++) {
        diff |= (uint32_t)(x[i] ^ y[i]);
    }
    if (i != len) {
        lf_fih_panic(); /* the loop left early */
    }
    for (size_t j = len; j-- > 0;) {
        same += x[j] == y[j];
    }
    if ((diff == 0) != (same == len)) {
        lf_fih_panic(); /* the two passes disagree */
    }
    if (diff == 0 && same == len) {
        lf_fih_set(&r, LF_FIH_SUCCESS);
    }
    if (diff != 0 || same != len) {
        lf_fih_set(&r, LF_FIH_FAILURE); /* a skipped test above stays a failure */
    }
    return r;
#else
    uint8_t diff = 0;
    for (size_t i = 0; i < len; i++) {
        diff |= (uint8_t)(x[i] ^ y[i]);
    }
    return (lf_fih_t){diff == 0 ? LF_FIH_SUCCESS : LF_FIH_FAILURE};
#endif
}
