/*
 * Stage 0's boot decision (docs/stage0.md sections 3-5): evaluate both S
 * slots, pick the newest candidate, do this boot's writes, protect, hand over.
 */
#include <string.h>

#include "lf/err.h"
#include "stage0_int.h"

/* What one boot works with. */
struct lf_stage0_ctx {
    const struct lf_stage0_platform *p;
    const struct lf_flash_area *prov_fa;
    const struct lf_flash_area *slot_fa[LF_STAGE0_SLOTS];
    struct lf_provision prov;
    struct lf_provision_counter ctr;
    struct lf_stage0_slot slot[LF_STAGE0_SLOTS];
};

static int lf_cmp_u32(uint32_t a, uint32_t b)
{
    return (a > b) - (a < b);
}

/* > 0 when a should boot rather than b (section 3); 0 on a full tie, which
 * leaves the lower slot (rule 3c). */
static int lf_stage0_rank(const struct lf_stage0_slot *a, const struct lf_stage0_slot *b)
{
    int c = lf_stage0_version_cmp(&a->info.hdr.version, &b->info.hdr.version); /* 1 */
    if (!c) {
        c = lf_cmp_u32(a->info.sec_cnt, b->info.sec_cnt); /* 2 */
    }
    if (!c) {
        c = (a->state == LF_STAGE0_PENDING) - (b->state == LF_STAGE0_PENDING); /* 3a */
    }
    if (!c) {
        c = (a->state != LF_STAGE0_FACTORY) - (b->state != LF_STAGE0_FACTORY); /* 3b */
    }
    return c;
}

/* Best candidate among the abandoned ones (abandoned = true) or the others;
 * -1 when there is none. */
static int lf_stage0_pick(const struct lf_stage0_ctx *c, bool abandoned)
{
    int best = -1;
    for (int i = 0; i < (int)LF_STAGE0_SLOTS; i++) {
        const struct lf_stage0_slot *s = &c->slot[i];
        if (s->status != LF_OK || (s->state == LF_STAGE0_ABANDONED) != abandoned) {
            continue;
        }
        lf_fih_require(&s->fih); /* a candidate only with its hardened verdict */
        if (best < 0 || lf_stage0_rank(s, &c->slot[best]) > 0) {
            best = i;
        }
    }
    return best;
}

/* Error names come from the port (lf_err_name on hosts); a device without
 * the table logs the number alone. */
static const char *lf_stage0_err(const struct lf_stage0_platform *p, int err)
{
    return p->err_name ? p->err_name(err) : "error";
}

static void lf_stage0_log_slot(const struct lf_stage0_ctx *c, int i)
{
    const struct lf_stage0_slot *s = &c->slot[i];
    const struct lf_image_version *v = &s->info.hdr.version;
    if (s->status != LF_OK) {
        lf_logf(c->p->log, "stage0: s%d: rejected: %s (%d)", i, lf_stage0_err(c->p, s->status),
                s->status);
        return;
    }
    lf_logf(c->p->log, "stage0: s%d: candidate %u.%u.%u+%u cnt %u key %u %s", i, v->major, v->minor,
            v->revision, (unsigned)v->build, (unsigned)s->info.sec_cnt, s->info.key_index,
            lf_stage0_state_name(s->state));
    if (s->state == LF_STAGE0_ABANDONED) {
        lf_logf(c->p->log, "stage0: s%d: abandoned: tried, not confirmed", i);
    }
}

/* Choose, marking a pending choice as tried before anything else happens.
 * A trial that cannot be marked is never booted (it would be retried for
 * ever): the slot is dropped and the choice made again. */
static int lf_stage0_choose(struct lf_stage0_ctx *c)
{
    for (;;) {
        int best = lf_stage0_pick(c, false);
        if (best < 0 || c->slot[best].state != LF_STAGE0_PENDING) {
            return best;
        }
        int err = lf_trailer_write_copy_done(c->slot_fa[best]);
        if (!err) {
            lf_logf(c->p->log, "stage0: s%d: trial: marked tried", best);
            return best;
        }
        lf_logf(c->p->log, "stage0: s%d: trial mark failed: %s (%d)", best,
                lf_stage0_err(c->p, err), err);
        c->slot[best].status = err;
        lf_fih_set(&c->slot[best].fih, LF_FIH_FAILURE);
    }
}

/* Counter advance and revocation for a confirmed image (section 4). Failures
 * are logged and retried at the next boot; they never stop this one. */
static void lf_stage0_commit(struct lf_stage0_ctx *c, const struct lf_image_info *info,
                             struct lf_stage0_handoff *h)
{
    uint32_t old = c->ctr.value;
    if (info->sec_cnt > old) {
        int err = lf_provision_counter_advance(c->prov_fa, &c->prov, info->sec_cnt, &c->ctr);
        if (!err) {
            lf_logf(c->p->log, "stage0: counter %u -> %u (slots %u used %u left)", (unsigned)old,
                    (unsigned)c->ctr.value, c->ctr.used, c->ctr.left);
        } else if (err == LF_E_PROVISION_COUNTER_FULL) {
            lf_logf(c->p->log, "stage0: counter: %u not stored: no counter slot left (stays %u)",
                    (unsigned)info->sec_cnt, (unsigned)old);
        } else {
            lf_logf(c->p->log, "stage0: counter: advance to %u failed: %s (%d)",
                    (unsigned)info->sec_cnt, lf_stage0_err(c->p, err), err);
            /* A failed program may still have used a slot: report the truth. */
            if (lf_provision_counter_read(c->prov_fa, &c->prov, &c->ctr) != LF_OK) {
                c->ctr.value = old;
            }
        }
        h->counter_behind = info->sec_cnt > c->ctr.value;
    }
    for (uint8_t k = 0; k < info->key_index; k++) {
        if (c->prov.revoked & (1u << k)) {
            continue;
        }
        int err = lf_provision_revoke(c->prov_fa, &c->prov, k);
        if (err) {
            lf_logf(c->p->log, "stage0: revoking root key %u failed: %s (%d)", k,
                    lf_stage0_err(c->p, err), err);
        } else {
            lf_logf(c->p->log, "stage0: revoked root key %u", k);
        }
    }
}

static int lf_stage0_safe(const struct lf_stage0_platform *p, int err)
{
    lf_logf(p->log, "stage0: safe state: %s (%d)", lf_stage0_err(p, err), err);
    return err;
}

static int lf_stage0_protect(const struct lf_stage0_platform *p, const struct lf_flash_area *fa)
{
#if LF_FIH
    int LF_FIH_VOL r = p->protect ? p->protect(p->ctx, fa) : LF_E_STAGE0_PROTECT;
    if (r != LF_OK) {
        return LF_E_STAGE0_PROTECT;
    }
    LF_FIH_CHECK(r == LF_OK);
    return LF_OK;
#else
    return p->protect && p->protect(p->ctx, fa) == LF_OK ? LF_OK : LF_E_STAGE0_PROTECT;
#endif
}

int lf_stage0_boot(const struct lf_stage0_platform *p, struct lf_stage0_decision *out)
{
    if (!p || !p->map || !out) {
        return LF_E_INVAL;
    }
    memset(out, 0, sizeof(*out));
    lf_fih_set(&out->fih, LF_FIH_FAILURE);
    out->slot_status[0] = out->slot_status[1] = LF_E_STAGE0_NO_IMAGE;
    struct lf_stage0_ctx c;
    memset(&c, 0, sizeof(c));
    c.slot[0].status = c.slot[1].status = LF_E_STAGE0_NO_IMAGE; /* until judged */
    c.p = p;
    c.prov_fa = lf_flash_map_area(p->map, LF_AREA_PROVISION);
    const struct lf_flash_area *self = lf_flash_map_area(p->map, LF_AREA_STAGE0);
    c.slot_fa[0] = lf_stage0_slot_area(p->map, 0);
    c.slot_fa[1] = lf_stage0_slot_area(p->map, 1);
    if (!c.prov_fa || !self || !c.slot_fa[0] || !c.slot_fa[1]) {
        return lf_stage0_safe(p, LF_E_STAGE0_NO_SLOT);
    }

    int LF_FIH_VOL err = lf_provision_read(c.prov_fa, &c.prov);
    if (!err) {
        err = lf_provision_counter_read(c.prov_fa, &c.prov, &c.ctr);
    }
    if (err) {
        lf_logf(p->log, "stage0: provision: %s (%d)", lf_stage0_err(p, err), err);
        return lf_stage0_safe(p, err);
    }
    lf_logf(p->log, "stage0: provision: %u keys, counter %u, slots %u used %u left",
            c.prov.key_count, (unsigned)c.ctr.value, c.ctr.used, c.ctr.left);

    for (int i = 0; i < (int)LF_STAGE0_SLOTS; i++) {
        lf_stage0_eval_slot(p, c.slot_fa[i], &c.prov, c.ctr.value, &c.slot[i]);
        lf_stage0_log_slot(&c, i);
    }

    int best = lf_stage0_choose(&c);
    bool last_resort = false;
    if (best < 0) {
        best = lf_stage0_pick(&c, true);
        last_resort = best >= 0;
        if (last_resort) {
            lf_logf(p->log, "stage0: s%d: last resort: booting an abandoned image", best);
        }
    }
    for (int i = 0; i < (int)LF_STAGE0_SLOTS; i++) {
        bool abandoned = c.slot[i].status == LF_OK && c.slot[i].state == LF_STAGE0_ABANDONED;
        out->slot_status[i] = abandoned ? LF_E_STAGE0_ABANDONED : c.slot[i].status;
    }
    if (best < 0) {
        return lf_stage0_safe(p, LF_E_STAGE0_NO_IMAGE);
    }

    const struct lf_stage0_slot *s = &c.slot[best];
    struct lf_stage0_handoff *h = &out->handoff;
    bool trial = s->state == LF_STAGE0_PENDING;
    if (!trial && !last_resort) {
        lf_stage0_commit(&c, &s->info, h);
    }
    err = lf_stage0_protect(p, self);
    if (!err) {
        err = lf_stage0_protect(p, c.prov_fa);
    }
    if (err) {
        return lf_stage0_safe(p, err);
    }
    LF_FIH_CHECK(err == LF_OK); /* protection held */

    h->slot = (uint8_t)best;
    h->key_index = s->info.key_index;
    h->trial = trial;
    h->last_resort = last_resort;
    h->counter_exhausted = c.ctr.left == 0;
    h->counter_slots_used = c.ctr.used;
    h->counter_slots_left = c.ctr.left;
    h->version = s->info.hdr.version;
    h->image_sec_cnt = s->info.sec_cnt;
    h->counter = c.ctr.value;
    h->entry = lf_flash_area_addr(c.slot_fa[best]) + s->info.hdr.hdr_size;
    h->magic = LF_STAGE0_HANDOFF_MAGIC;
    out->area = c.slot_fa[best];
#if LF_FIH
    /* The choice once more: a candidate with its hardened verdict (or the
     * last resort), protection held; the entry again from its header. */
    const volatile struct lf_stage0_slot *vs = &c.slot[best];
    lf_fih_require(&c.slot[best].fih);
    LF_FIH_CHECK(vs->status == LF_OK);
    LF_FIH_CHECK((vs->state == LF_STAGE0_ABANDONED) == last_resort);
    LF_FIH_CHECK(err == LF_OK);
    out->entry_inv = ~(lf_flash_area_addr(out->area) + vs->info.hdr.hdr_size);
    lf_fih_set(&out->fih, LF_FIH_SUCCESS);
#endif
    lf_logf(p->log, "stage0: boot s%d %u.%u.%u+%u at 0x%08x%s", best, h->version.major,
            h->version.minor, h->version.revision, (unsigned)h->version.build, (unsigned)h->entry,
            trial         ? " (trial)"
            : last_resort ? " (last resort)"
                          : "");
    return LF_OK;
}
