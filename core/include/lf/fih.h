#ifndef LF_FIH_H
#define LF_FIH_H

/*
 * Fault-injection hardening (docs/glitch.md, "Hardening"). A voltage or
 * clock glitch can skip one instruction or flip one condition flag; a
 * decision taken by a single `if` then goes the wrong way. The primitives
 * here let a decision be taken twice, through independent paths, so that one
 * glitch can at most make the two disagree, which stops the device
 * (lf_fih_panic) instead of booting:
 *
 *   lf_fih_t          a hardened verdict: LF_FIH_SUCCESS or LF_FIH_FAILURE,
 *                     16 bits apart, neither 0 nor all ones, failure the
 *                     default (a zeroed or skipped store never reads as
 *                     success);
 *   lf_fih_require    re-reads a verdict from memory twice (volatile) and
 *                     panics unless both reads say success;
 *   LF_FIH_CHECK      re-tests a condition (on volatile data) on the success
 *                     path of the first test: panics if it does not hold;
 *   lf_fih_memeq      compares two buffers twice, forwards and backwards,
 *                     with different operations;
 *   struct lf_fih_ctr a step counter kept with its complement: a counted loop
 *                     or a sequence of checks that ended early is caught.
 *
 * LF_FIH (CMake option, default ON, compile definition of lf_core) selects
 * the hardened build. With LF_FIH=0 every check, store and counter below
 * compiles to nothing and LF_FIH_VOL to nothing, so the code is exactly the
 * unhardened decision path (the "before" of the glitch campaign).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef LF_FIH
#define LF_FIH 1
#endif

#define LF_FIH_SUCCESS 0x3CA5C35Au
#define LF_FIH_FAILURE 0xA53C5AC3u

/* A hardened verdict. Zero-initialised memory is neither value: only an
 * explicit store of LF_FIH_SUCCESS makes one a success. */
typedef struct {
    uint32_t v;
} lf_fih_t;

#define LF_FIH_INIT_FAILURE \
    {                       \
        LF_FIH_FAILURE      \
    }

/* `volatile` in the hardened build: a variable whose every test must read it
 * again from memory (the compiler may not reuse what the first test read). */
#if LF_FIH
#define LF_FIH_VOL volatile
#else
#define LF_FIH_VOL
#endif

/*
 * Stop: an inconsistency that only a fault can cause. Never returns. The
 * port provides it (the firmware: firmware/fw_common.c, a log line and the
 * board's halt); core/fih.c holds a weak default that traps and loops.
 */
__attribute__((noreturn)) void lf_fih_panic(void);

/* The first, ordinary test of a verdict (the branch the caller takes). */
static inline bool lf_fih_ok(lf_fih_t r)
{
    return r.v == LF_FIH_SUCCESS;
}

/* Volatile accesses to a verdict in memory. */
static inline uint32_t lf_fih_load(const lf_fih_t *r)
{
    return *(const volatile uint32_t *)&r->v;
}

/* Store a verdict (hardened build only; the unhardened build never writes
 * verdicts and never tests them beyond lf_fih_ok). */
static inline void lf_fih_set(lf_fih_t *r, uint32_t v)
{
#if LF_FIH
    *(volatile uint32_t *)&r->v = v;
#else
    (void)r;
    (void)v;
#endif
}

/* v, with its value hidden from the optimiser: a constant the compiler
 * cannot replace by a register it believes equal after the first test (it
 * would otherwise compare the second read with the first one). */
static inline uint32_t lf_fih_opaque(uint32_t v)
{
#if LF_FIH
    __asm__ volatile("" : "+r"(v));
#endif
    return v;
}

/* Panic unless *r holds LF_FIH_SUCCESS, read twice: once compared with the
 * success value, once XORed with the failure value (a constant the compiler
 * must materialise again). */
static inline void lf_fih_require(const lf_fih_t *r)
{
#if LF_FIH
    if (lf_fih_load(r) != LF_FIH_SUCCESS) {
        lf_fih_panic();
    }
    if ((lf_fih_load(r) ^ lf_fih_opaque(LF_FIH_FAILURE)) !=
        lf_fih_opaque(LF_FIH_SUCCESS ^ LF_FIH_FAILURE)) {
        lf_fih_panic();
    }
#else
    (void)r;
#endif
}

/* a == k for the second test of a condition: k hidden from the optimiser, so
 * that it is compared with the constant, not with what the first test read. */
#define LF_FIH_EQ(a, k) ((uint32_t)(a) == lf_fih_opaque((uint32_t)(k)))

/* The second test of a condition the code has just taken as true. `cond`
 * must read LF_FIH_VOL data (else the compiler folds it into the first). */
#if LF_FIH
#define LF_FIH_CHECK(cond)  \
    do {                    \
        if (!(cond)) {      \
            lf_fih_panic(); \
        }                   \
    } while (0)
#else
#define LF_FIH_CHECK(cond) \
    do {                   \
    } while (0)
#endif

/*
 * Compare len bytes twice (an OR of XORs forwards, a count of equal bytes
 * backwards, both through volatile reads); the two passes disagreeing, or a
 * loop that did not run to its end, panics. LF_FIH_SUCCESS only when both
 * passes found the buffers equal. The unhardened build: one plain pass.
 */
lf_fih_t lf_fih_memeq(const void *a, const void *b, size_t len);

/*
 * The second comparison where nothing can be linked but the file itself
 * (core/crypto, which its benches build alone): len bytes compared
 * backwards through volatile reads, every byte counted. True only when all
 * are equal; the caller turns false into a refusal, not a panic.
 */
static inline bool lf_fih_bytes_eq(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *x = a;
    const volatile uint8_t *y = b;
    volatile uint32_t diff = 0;
    volatile size_t seen = 0;
    for (size_t i = len; i-- > 0;) {
        diff |= (uint32_t)(x[i] ^ y[i]);
        seen = seen + 1u;
    }
    return seen == len && diff == 0;
}

/*
 * A step counter kept twice, as the count and its complement, in memory.
 * Counted loops step it once per iteration and check it against the number
 * of iterations they had to make; a sequence of checks steps it once per
 * check passed and checks the total before its success is written.
 */
struct lf_fih_ctr {
    uint32_t n;
    uint32_t inv;
};

static inline void lf_fih_ctr_init(struct lf_fih_ctr *c)
{
#if LF_FIH
    *(volatile uint32_t *)&c->n = 0;
    *(volatile uint32_t *)&c->inv = ~(uint32_t)0;
#else
    (void)c;
#endif
}

static inline void lf_fih_ctr_step(struct lf_fih_ctr *c)
{
#if LF_FIH
    volatile uint32_t *n = &c->n;
    volatile uint32_t *inv = &c->inv;
    *n = *n + 1u;
    *inv = *inv - 1u;
#else
    (void)c;
#endif
}

/* Panic unless exactly `steps` steps were counted (both copies agree). */
static inline void lf_fih_ctr_check(const struct lf_fih_ctr *c, uint32_t steps)
{
#if LF_FIH
    if (*(const volatile uint32_t *)&c->n != steps) {
        lf_fih_panic();
    }
    if (*(const volatile uint32_t *)&c->inv != ~steps) {
        lf_fih_panic();
    }
#else
    (void)c;
    (void)steps;
#endif
}

#endif
