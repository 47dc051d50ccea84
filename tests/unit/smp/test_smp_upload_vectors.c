/*
 * Upload, byte for byte (docs/reference/smp.md 2.2 id 1 and section 4; docs/smp-upload.md
 * U1-U15 and section 2): every first-chunk refusal, the session replies
 * (wrong offsets, overrun, resume, last chunk, early match, no session) and
 * the stage-1 admission checks, as request and reply bytes produced by
 * gen_vectors.py (an independent CBOR encoder). Each step also checks what
 * it may write: a refusal changes no flash at all, and no step touches the
 * running application, the active stage 1 or the provision area.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/trailer.h"
#include "smp_fixture.h"
#include "smp_vectors.h"

struct step {
    const char *name;
    const char *req, *rsp;
    bool writes; /* may change the target slot and the session log */
};
#define REFUSE(n)                           \
    {                                       \
#n, V_UP_##n, V_UP_##n##_RSP, false \
    }
#define WRITE(n)                           \
    {                                      \
#n, V_UP_##n, V_UP_##n##_RSP, true \
    }

static const uint8_t watched[] = {LF_AREA_APP_PRIMARY,   LF_AREA_S0, LF_AREA_PROVISION,
                                  LF_AREA_APP_SECONDARY, LF_AREA_S1, LF_AREA_SMP_STATE};
#define RUNNING 3u /* the first three of `watched` are never written */

static void run(const struct step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t before[sizeof(watched)];
        for (size_t a = 0; a < sizeof(watched); a++) {
            before[a] = fx_area_digest(&F, watched[a]);
        }
        print_message("step %s\n", steps[i].name);
        assert_int_equal(fx_send_hex(&F, steps[i].req), 1);
        fx_expect(&F, 0, steps[i].rsp);
        size_t fixed = steps[i].writes ? RUNNING : sizeof(watched);
        for (size_t a = 0; a < fixed; a++) {
            if (fx_area_digest(&F, watched[a]) != before[a]) {
                fail_msg("step %s changed area %u", steps[i].name, watched[a]);
            }
        }
    }
}

static void assert_slot_holds(uint8_t area, const struct img_opts *o)
{
    static uint8_t want[FX_IMG_MAX], got[FX_IMG_MAX];
    size_t len = img_make(want, sizeof(want), o);
    fx_read(&F, area, 0, got, len);
    assert_memory_equal(got, want, len);
}

/* The image of the UP_ vectors: app 1.1.0, 3000 payload bytes, seed 9. */
static const struct img_opts app_up = {.major = 1, .minor = 1, .payload = 3000, .seed = 9};

static void test_first_chunk_refusals(void **state)
{
    (void)state;
    static const struct step steps[] = {
        REFUSE(OFF_MISSING),        REFUSE(OFF_NOT_UINT),     REFUSE(LEN_MISSING),
        REFUSE(LEN_MISSING_V1),     REFUSE(SHORT_HEADER),     REFUSE(BAD_MAGIC),
        REFUSE(SHA_TOO_LONG),       REFUSE(NO_SUCH_IMAGE),    REFUSE(LEN_OVER_SLOT),
        REFUSE(LEN_OVER_SLOT_V1),   REFUSE(LEN_OVER_TRAILER), REFUSE(HEADER_TOO_BIG),
        REFUSE(LEN_SHORT_OF_IMAGE), REFUSE(DATA_OVER_LEN),    REFUSE(UPGRADE_SAME),
        REFUSE(UPGRADE_SAME_V1),
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
}

static void test_session(void **state)
{
    (void)state;
    static const struct step steps[] = {
        WRITE(FIRST),  REFUSE(AHEAD), REFUSE(BEHIND),     REFUSE(OVERRUN),     REFUSE(RESUME),
        WRITE(SECOND), WRITE(LAST),   REFUSE(NO_SESSION), REFUSE(EARLY_MATCH),
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
    assert_slot_holds(LF_AREA_APP_SECONDARY, &app_up);
}

static void test_session_legacy_last_reply(void **state)
{
    (void)state;
    static const struct step steps[] = {WRITE(FIRST), WRITE(SECOND)};
    static const struct step last[] = {WRITE(LAST_LEGACY)};
    run(steps, 2);
    F.cfg.legacy_rc = true; /* "rc": 0 and no "match" (cmcumgr) */
    run(last, 1);
    assert_slot_holds(LF_AREA_APP_SECONDARY, &app_up);
}

static void test_stage1_admission(void **state)
{
    (void)state;
    static const struct step steps[] = {
        REFUSE(S1_WRONG_VARIANT), REFUSE(S1_WRONG_VARIANT_V1),
        REFUSE(S1_NOT_ROM_FIXED), REFUSE(S1_NOT_NEWER),
        REFUSE(S1_COUNTER_LOW),   REFUSE(S1_COUNTER_LOW_V1),
        WRITE(S1_COMPLETE),       WRITE(S1_HIGH),
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
    struct img_opts o = {.major = 1,
                         .minor = 1,
                         .payload = 100,
                         .seed = 4,
                         .flags = LF_IMAGE_F_ROM_FIXED,
                         .load_addr = lf_flash_area_addr(lf_sim_device_area(&F.dev, LF_AREA_S1)),
                         .has_sec_cnt = true,
                         .sec_cnt = FX_COUNTER + 1};
    assert_slot_holds(LF_AREA_S1, &o);
}

static void test_stage1_active_on_trial(void **state)
{
    (void)state;
    const struct lf_flash_area *s0 = lf_sim_device_area(&F.dev, LF_AREA_S0);
    assert_int_equal(lf_trailer_write_magic(s0), LF_OK);
    assert_int_equal(lf_trailer_write_copy_done(s0), LF_OK);
    F.handoff.trial = true;
    static const struct step steps[] = {REFUSE(S1_ON_TRIAL)};
    run(steps, 1);
}

static void test_stage1_no_handoff(void **state)
{
    (void)state;
    F.handoff_valid = false;
    fx_server(&F);
    static const struct step steps[] = {REFUSE(S1_NO_HANDOFF), REFUSE(S1_NO_HANDOFF_V1)};
    run(steps, 2);
}

static void test_stage1_no_counter_slot_left(void **state)
{
    (void)state;
    fx_close(&F);
    fx_counter_slots = 1;
    fx_create(&F, "test_smp_upload_vectors-full", NULL);
    fx_counter_slots = 4;
    F.cfg.verbose_err = false;
    static const struct step steps[] = {REFUSE(S1_COUNTER_FULL), REFUSE(S1_COUNTER_FULL_V1)};
    run(steps, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_first_chunk_refusals),        FX_TEST(test_session),
        FX_TEST(test_session_legacy_last_reply),   FX_TEST(test_stage1_admission),
        FX_TEST(test_stage1_active_on_trial),      FX_TEST(test_stage1_no_handoff),
        FX_TEST(test_stage1_no_counter_slot_left),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
