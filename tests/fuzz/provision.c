/*
 * Fuzz target: the provision-area parser (docs/provision.md). The input is
 * the OTP contents (padded with erased bytes to 4 KiB). Whatever it holds,
 * the reader must stay in bounds and either refuse it or return a header, a
 * key table and a counter that obey the documented rules; an advance and a
 * revocation on it must then do exactly what rows A1-A3 and K1-K2 say.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lf/err.h"
#include "lf/provision.h"
#include "lf/stage0.h"

#define OTP_SIZE 4096u

struct ram_otp {
    uint8_t mem[OTP_SIZE];
};

static int otp_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct ram_otp *o = ctx;
    memcpy(buf, o->mem + off, len);
    return LF_OK;
}

static int otp_program(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct ram_otp *o = ctx;
    const uint8_t *src = buf;
    for (uint32_t i = 0; i < len; i++) {
        o->mem[off + i] &= src[i];
    }
    return LF_OK;
}

static int otp_erase(void *ctx, uint32_t off, uint32_t len)
{
    (void)ctx;
    (void)off;
    (void)len;
    return LF_E_FLASH_NO_ERASE;
}

static const struct lf_flash_ops otp_ops = {otp_read, otp_program, otp_erase};

#define CHECK(c)     \
    do {             \
        if (!(c)) {  \
            abort(); \
        }            \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ram_otp otp;
    memset(otp.mem, 0xFF, sizeof(otp.mem));
    memcpy(otp.mem, data, size < OTP_SIZE ? size : OTP_SIZE);
    const struct lf_flash_dev dev = {&lf_flash_part_otp_4k, &otp_ops, &otp, LF_FLASH_NOT_MAPPED};
    const struct lf_flash_area fa = {LF_AREA_PROVISION, &dev, 0, OTP_SIZE};

    struct lf_provision p;
    int err = lf_provision_read(&fa, &p);
    if (err) {
        CHECK(err < 0);
        return 0;
    }
    CHECK(p.key_count >= 1 && p.key_count <= LF_PROVISION_MAX_KEYS);
    CHECK(p.counter_slots >= 1 && LF_PROVISION_SIZE(p.counter_slots) <= OTP_SIZE);
    CHECK((p.revoked >> p.key_count) == 0);

    struct lf_provision_counter c;
    err = lf_provision_counter_read(&fa, &p, &c);
    struct lf_provision_counter c2;
    CHECK(lf_stage0_check_counter(&fa, 0, &c2) == (err           ? err
                                                   : c.value > 0 ? LF_E_STAGE0_ROLLBACK
                                                                 : LF_OK));
    if (err) {
        CHECK(err == LF_E_PROVISION_NO_COUNTER);
        return 0;
    }
    CHECK(c.used >= 1 && c.used <= p.counter_slots);
    CHECK(c.left == p.counter_slots - c.used);

    /* A1: no increase, nothing written. */
    uint8_t before[OTP_SIZE];
    memcpy(before, otp.mem, sizeof(before));
    CHECK(lf_provision_counter_advance(&fa, &p, c.value, &c2) == LF_OK);
    CHECK(memcmp(before, otp.mem, sizeof(before)) == 0);

    /* A2 / A3. */
    if (c.value != UINT32_MAX) {
        uint32_t want = c.value + 1u + (uint32_t)(size % 5u);
        if (want < c.value) {
            want = UINT32_MAX;
        }
        err = lf_provision_counter_advance(&fa, &p, want, &c2);
        if (c.left == 0) {
            CHECK(err == LF_E_PROVISION_COUNTER_FULL);
            CHECK(memcmp(before, otp.mem, sizeof(before)) == 0);
        } else {
            CHECK(err == LF_OK);
            CHECK(c2.value == want && c2.used == c.used + 1u && c2.left == c.left - 1u);
        }
    }

    /* K2: revocation only ever adds revoked keys. */
    uint8_t was = p.revoked;
    uint8_t k = (uint8_t)(size % p.key_count);
    CHECK(lf_provision_revoke(&fa, &p, k) == LF_OK);
    struct lf_provision q;
    CHECK(lf_provision_read(&fa, &q) == LF_OK);
    CHECK(q.revoked == (uint8_t)(was | (1u << k)));
    return 0;
}
