/*
 * Crypto benchmark for Cortex-M4 under QEMU (mps2-an386, -icount shift=0).
 * With -icount shift=0 every retired instruction advances QEMU's virtual clock
 * by exactly 1 ns, so a timer running on virtual time counts instructions. The
 * CMSDK APB timer 0 (0x40000000) counts down at the 25 MHz system clock; the
 * ticks-to-instructions ratio is calibrated against a loop of known length.
 * Each operation runs between two timer reads; results go to UART0 as lines
 * "name value" (value in instructions, or tenths of an instruction per byte,
 * or bytes of stack), which run.sh turns into a table. Start-up is the
 * Cortex-M layer's (ports/cortex-m), which paints the stack: the stack an
 * operation used is measured by repainting before it. Every operation's
 * result is checked, so a broken build cannot report a fast time; the exit
 * status (semihosting) is 1 if any check failed. The UMAAL kernels are also
 * checked against portable C here, since the host tests run the C build.
 */
#include "lf/ed25519.h"
#include "lf/err.h"
#include "lf/p256.h"
#include "lf/sha256.h"
#include "lf/sha512.h"
#include "lf_cm.h"

#include <stdint.h>
#include <string.h>

#define REG(a)        (*(volatile uint32_t *)(a))
#define UART0_DATA    REG(0x40004000u)
#define UART0_STATE   REG(0x40004004u)
#define UART0_CTRL    REG(0x40004008u)
#define UART0_BAUDDIV REG(0x40004010u)
#define TIMER0_CTRL   REG(0x40000000u)
#define TIMER0_VALUE  REG(0x40000004u)
#define TIMER0_RELOAD REG(0x40000008u)

#define SHA_LEN 8192u

static void putc_(char c)
{
    while (UART0_STATE & 1u) {
    }
    UART0_DATA = (uint8_t)c;
}

static void puts_(const char *s)
{
    while (*s) {
        putc_(*s++);
    }
}

static void putu(uint32_t v)
{
    char buf[11];
    int i = 10;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    puts_(buf + i);
}

static void report(const char *name, uint32_t value)
{
    puts_(name);
    putc_(' ');
    putu(value);
    putc_('\n');
}

/* Ends QEMU with `code` as its exit status (semihosting SYS_EXIT_EXTENDED,
 * ADP_Stopped_ApplicationExit; needs -semihosting-config enable=on). */
static void bench_exit(int code)
{
    static volatile uint32_t block[2];
    block[0] = 0x20026;
    block[1] = (uint32_t)code;
    register uint32_t r0 __asm__("r0") = 0x20;
    register volatile uint32_t *r1 __asm__("r1") = block;
    __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
}

/* Repaint the unused stack below the caller, so that lf_cm_stack_used()
 * afterwards reports the deepest use since this call. */
extern uint32_t __stack_limit__[];
__attribute__((noinline)) static void repaint_stack(void)
{
    volatile uint32_t here = 0;
    uint32_t *end = (uint32_t *)(((uintptr_t)&here - 64u) & ~(uintptr_t)3u);
    for (uint32_t *p = __stack_limit__; p < end; p++) {
        *p = LF_CM_STACK_PAINT;
    }
}

/* Down-counting timer: elapsed ticks are start - end. */
static uint32_t ticks(void)
{
    return TIMER0_VALUE;
}

/* 2 instructions per turn (subs, bne). */
__attribute__((noinline)) static void spin(uint32_t n)
{
    __asm__ volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(n) : : "cc");
}

/* ECDSA P-256 over SHA-256("Leapfrog benchmark message"), made with OpenSSL. */
static const uint8_t p256_pub[64] = {
    0x45, 0x75, 0x52, 0x27, 0xb8, 0xcd, 0x7c, 0x1c, 0xe3, 0x82, 0xd1, 0xc0, 0x8d, 0xc9, 0xa3, 0xd8,
    0x58, 0xeb, 0xd7, 0x36, 0x74, 0x01, 0x24, 0xab, 0x07, 0x0f, 0x16, 0x8e, 0x28, 0xd2, 0xd4, 0xbf,
    0x59, 0x2b, 0xd3, 0x3a, 0x55, 0xc8, 0x1d, 0x9d, 0x04, 0x4c, 0x08, 0xc5, 0x74, 0x2f, 0x08, 0x2b,
    0xf0, 0xbe, 0x94, 0x24, 0x52, 0x93, 0x2c, 0xca, 0xff, 0x61, 0xb5, 0xd4, 0x6f, 0xa2, 0x46, 0xe1,
};
static const uint8_t p256_digest[32] = {
    0xc3, 0xc0, 0x0a, 0xa6, 0xe5, 0xa0, 0xd9, 0xef, 0xba, 0xfb, 0xa2, 0x44, 0x88, 0xfb, 0x4d, 0x30,
    0xa0, 0xba, 0x92, 0xa7, 0xd7, 0x9e, 0xb2, 0x1b, 0x7b, 0x03, 0x38, 0x89, 0x1b, 0xb4, 0x63, 0x7c,
};
static const uint8_t p256_sig[64] = {
    0x75, 0x52, 0xe3, 0x43, 0xa2, 0x74, 0x22, 0xa2, 0x37, 0xa6, 0xf5, 0x43, 0x71, 0x45, 0x14, 0xd6,
    0xb8, 0x6a, 0x82, 0x46, 0xa4, 0xba, 0x39, 0x05, 0x97, 0x52, 0x0d, 0x4e, 0x57, 0x18, 0x37, 0x0b,
    0x5c, 0x67, 0x09, 0x95, 0xb9, 0x57, 0x7b, 0xda, 0xea, 0xf0, 0xf4, 0x72, 0xb7, 0x43, 0x05, 0xaf,
    0x77, 0x5a, 0xff, 0x62, 0xc3, 0xde, 0x50, 0x60, 0xe1, 0xfc, 0x12, 0xc3, 0x69, 0x9c, 0x77, 0x7d,
};
/* Ed25519 over the same message, made with OpenSSL (pyca/cryptography). */
static const uint8_t ed_msg[] = "Leapfrog benchmark message";
static const uint8_t ed_pub[32] = {
    0x47, 0x88, 0xa7, 0x98, 0xe3, 0x17, 0x70, 0xde, 0x3f, 0xfd, 0x4c, 0xc2, 0xf2, 0x3f, 0x48, 0xd0,
    0x85, 0x23, 0xbc, 0x2c, 0x5e, 0x8b, 0xc1, 0xce, 0xc4, 0x2a, 0x7b, 0xbb, 0xa2, 0x73, 0x95, 0x66,
};
static const uint8_t ed_sig[64] = {
    0xe9, 0x26, 0x88, 0xfd, 0x94, 0xe8, 0xa8, 0x8f, 0x89, 0xc4, 0xc2, 0x76, 0xd0, 0x19, 0xdf, 0x12,
    0xf8, 0xc2, 0xf2, 0x89, 0xb3, 0xdf, 0x9a, 0x4d, 0xce, 0xb1, 0xf7, 0x4b, 0xb6, 0x67, 0x64, 0xc5,
    0x90, 0x93, 0x85, 0x5d, 0xd8, 0xaf, 0x40, 0xaf, 0x90, 0xe7, 0x11, 0xd0, 0x17, 0xdf, 0x58, 0x44,
    0xc8, 0x1e, 0xd2, 0x73, 0x5f, 0x16, 0x03, 0xde, 0x22, 0x4e, 0x78, 0x5d, 0x03, 0x6a, 0x0b, 0x04,
};
/* SHA-256 and SHA-512 of SHA_LEN bytes i * 7 mod 256 (python3 hashlib). */
static const uint8_t sha256_want[4] = {0xae, 0x67, 0x47, 0x3d};
static const uint8_t sha512_want[4] = {0xe8, 0xb4, 0xe4, 0x22};

static uint8_t buf[SHA_LEN];

#ifdef LF_BENCH_KERNELS /* run.sh: when core/crypto has the UMAAL kernels */
#include "bn256.h"
#include "fe25519.h"

/* Portable references for the UMAAL paths and the add/sub carry chains (the host tests run the
 * portable C build of bn256.c, so the inline assembly is checked here, on the target). */
static void ref_mul(uint32_t r[16], const uint32_t a[8], const uint32_t b[8])
{
    memset(r, 0, 64);
    for (int i = 0; i < 8; i++) {
        uint64_t c = 0;
        for (int j = 0; j < 8; j++) {
            c += (uint64_t)a[j] * b[i] + r[i + j];
            r[i + j] = (uint32_t)c;
            c >>= 32;
        }
        r[i + 8] = (uint32_t)c;
    }
}

/* t / 2^256 mod m by one-limb REDC steps, then one conditional subtraction. */
static void ref_redc(uint32_t r[8], uint32_t t[17], const struct lf_bn_mod *mod)
{
    t[16] = 0;
    for (int i = 0; i < 8; i++) {
        uint32_t q = t[i] * mod->m0inv;
        uint64_t c = 0;
        for (int j = 0; j < 8; j++) {
            c += (uint64_t)q * mod->m[j] + t[i + j];
            t[i + j] = (uint32_t)c;
            c >>= 32;
        }
        for (int j = i + 8; j < 17 && c; j++) {
            c += t[j];
            t[j] = (uint32_t)c;
            c >>= 32;
        }
    }
    lf_bn_reduce_once(r, t + 8, t[16], mod->m);
}

/* x mod 2^255 - 19, fully reduced, by repeated folding of bit 255. */
static void ref_mod25519(uint32_t r[8], const uint32_t t[16])
{
    uint32_t hi[8], lo[8], c38[16];
    memcpy(lo, t, 32);
    memcpy(hi, t + 8, 32);
    ref_mul(c38, hi, (const uint32_t[8]){38});
    /* lo + 38 hi < 2^262: fold again through lf_fe25519_canon's contract */
    uint32_t s[8];
    uint32_t carry = lf_bn_add(s, lo, c38);
    uint32_t top = c38[8] + carry; /* < 2^7 */
    uint32_t add[8] = {top * 38};
    while (add[0]) {
        carry = lf_bn_add(s, s, add);
        add[0] = carry * 38;
    }
    lf_fe25519_canon(r, s);
}

static uint32_t rng_state = 0x12345678;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Random limbs, with edge patterns (0, all-ones, one limb) mixed in. */
static void operand(uint32_t x[8], int i)
{
    for (int j = 0; j < 8; j++) {
        x[j] = rnd();
    }
    if (i % 7 == 1) {
        memset(x, 0xff, 32);
    } else if (i % 7 == 2) {
        memset(x, 0, 32);
        x[i % 8] = 0xffffffff;
    } else if (i % 7 == 3) {
        x[7] = 0xffffffff;
    }
}

/* Count of mismatches between the UMAAL kernels and the references. */
static int check_kernels(void)
{
    int bad = 0;
    const struct lf_bn_mod *mods[] = {&lf_bn_p256_p, &lf_bn_p256_n, &lf_bn_ed25519_l};
    for (int i = 0; i < 2000; i++) {
        uint32_t a[8], b[8], t[17], u[16], r[8], w[8];
        operand(a, i);
        operand(b, i / 7);
        lf_bn_mul(u, a, b);
        ref_mul(t, a, b);
        bad += memcmp(t, u, 64) != 0;
        for (int m = 0; m < 3; m++) {
            uint32_t bm[8]; /* b < m */
            memcpy(bm, b, 32);
            bm[7] &= mods[m]->m[7] >> 1;
            lf_bn_mont_mul(r, a, bm, mods[m]);
            ref_mul(t, a, bm);
            ref_redc(w, t, mods[m]);
            bad += memcmp(r, w, 32) != 0;
        }
        /* lf_bn_add / lf_bn_sub (assembly carry chains): value and carry,
         * into a separate result and in place */
        uint64_t c = 0, d = 0;
        for (int j = 0; j < 8; j++) {
            c += (uint64_t)a[j] + b[j];
            w[j] = (uint32_t)c;
            c >>= 32;
            d = (uint64_t)a[j] - b[j] - d;
            u[j] = (uint32_t)d;
            d >>= 63;
        }
        bad += lf_bn_add(r, a, b) != (uint32_t)c || memcmp(r, w, 32) != 0;
        memcpy(r, a, 32);
        bad += lf_bn_sub(r, r, b) != (uint32_t)d || memcmp(r, u, 32) != 0;
        lf_fe25519_mul(r, a, b);
        lf_fe25519_canon(r, r);
        ref_mul(t, a, b);
        ref_mod25519(w, t);
        bad += memcmp(r, w, 32) != 0;
    }
    return bad;
}
#endif

/* Instructions per 1000 timer ticks, from the calibration loop. */
static uint32_t scale_milli;
static uint32_t overhead;

static uint32_t to_insns(uint32_t t)
{
    uint64_t v = (uint64_t)t * scale_milli / 1000u;
    return (uint32_t)v > overhead ? (uint32_t)v - overhead : 0;
}

int main(void)
{
    int fails = 0;
    UART0_BAUDDIV = 16;
    UART0_CTRL = 1; /* TX enable */
    TIMER0_RELOAD = 0xffffffffu;
    TIMER0_VALUE = 0xffffffffu;
    TIMER0_CTRL = 1;

    /* Calibrate: 2,000,000 instructions of loop plus a few of call overhead. */
    uint32_t t0 = ticks();
    spin(1000000);
    uint32_t t1 = ticks();
    scale_milli = (uint32_t)(2000000000ull / (t0 - t1));
    t0 = ticks();
    t1 = ticks();
    overhead = (uint32_t)((uint64_t)(t0 - t1) * scale_milli / 1000u);
    report("calib_insns_per_kilotick", scale_milli);

#ifdef LF_BENCH_KERNELS
    int mismatches = check_kernels();
    fails += mismatches;
    report("kernel_mismatches", (uint32_t)mismatches);
#endif

    for (uint32_t i = 0; i < SHA_LEN; i++) {
        buf[i] = (uint8_t)(i * 7);
    }
    uint8_t out[64];
    t0 = ticks();
    lf_sha256(buf, SHA_LEN, out);
    t1 = ticks();
    fails += memcmp(out, sha256_want, 4) != 0;
    report("sha256_x10_per_byte", to_insns(t0 - t1) * 10u / SHA_LEN);

    t0 = ticks();
    lf_sha512(buf, SHA_LEN, out);
    t1 = ticks();
    fails += memcmp(out, sha512_want, 4) != 0;
    report("sha512_x10_per_byte", to_insns(t0 - t1) * 10u / SHA_LEN);

    repaint_stack();
    uint32_t base = lf_cm_stack_used();
    t0 = ticks();
    int rc = lf_p256_verify(p256_pub, p256_digest, 32, p256_sig);
    t1 = ticks();
    fails += rc != LF_OK;
    report("p256_verify", to_insns(t0 - t1));
    report("stack_p256", lf_cm_stack_used() - base);

    repaint_stack();
    t0 = ticks();
    rc = lf_ed25519_verify(ed_pub, ed_msg, sizeof(ed_msg) - 1, ed_sig);
    t1 = ticks();
    fails += rc != LF_OK;
    report("ed25519_verify", to_insns(t0 - t1));
    report("stack_ed25519", lf_cm_stack_used() - base);

    /* The key checks alone (lf_*_pubkey_from_spki runs them too). */
    t0 = ticks();
    rc = lf_p256_pubkey_check(p256_pub);
    t1 = ticks();
    fails += rc != LF_OK;
    report("p256_key_check", to_insns(t0 - t1));
    t0 = ticks();
    rc = lf_ed25519_pubkey_check(ed_pub);
    t1 = ticks();
    fails += rc != LF_OK;
    report("ed25519_key_check", to_insns(t0 - t1));

    /* A corrupted signature must fail (the bench measures real verification). */
    uint8_t bad[64];
    memcpy(bad, p256_sig, 64);
    bad[40] ^= 1;
    fails += lf_p256_verify(p256_pub, p256_digest, 32, bad) != LF_E_CRYPTO_BAD_SIGNATURE;
    memcpy(bad, ed_sig, 64);
    bad[40] ^= 1;
    fails +=
        lf_ed25519_verify(ed_pub, ed_msg, sizeof(ed_msg) - 1, bad) != LF_E_CRYPTO_BAD_SIGNATURE;

    report("failures", (uint32_t)fails);
    bench_exit(fails != 0); /* a status is 8 bits: never let a count wrap to 0 */
    return fails;
}
