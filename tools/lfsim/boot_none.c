/*
 * `lfsim run --no-boot`: serve SMP without running stage 0 and stage 1, for
 * protocol and client tests whose devices hold unsigned images. The handoff
 * the server needs is derived read-only from the S slots; nothing is
 * validated or written. The real chain is chain.c.
 */
#include <string.h>

#include "lf/err.h"
#include "lf/provision.h"
#include "lfsim.h"

/* An S slot holds a stage 1 linked for itself: its header and version. */
static bool s_image(const struct lf_flash_area *fa, struct lf_image_header *hdr)
{
    uint32_t addr;
    return fa && lf_image_read_header(fa, 0, hdr) == LF_OK &&
           lf_image_rom_fixed_addr(hdr, &addr) == LF_OK && addr == lf_flash_area_addr(fa);
}

int lfsim_boot_none(struct lf_sim_device *dev, const struct lf_log *log,
                    struct lf_stage0_handoff *h)
{
    memset(h, 0, sizeof(*h));
    struct lf_image_header hdr[2];
    bool have[2];
    for (uint8_t i = 0; i < 2; i++) {
        have[i] = s_image(lf_stage0_slot_area(&dev->map, i), &hdr[i]);
    }
    if (!have[0] && !have[1]) {
        lf_logf(log, "lfsim: boot: no stage 1 in S0/S1: image 1 not served");
        return LF_E_STAGE0_NO_IMAGE;
    }
    /* The newest, S0 on a tie (docs/stage0.md section 3, without the trial
     * and trailer rules: this stand-in writes nothing). */
    uint8_t slot =
        (!have[0] || (have[1] && lf_stage0_version_cmp(&hdr[1].version, &hdr[0].version) > 0)) ? 1u
                                                                                               : 0u;
    const struct lf_flash_area *prov = lf_sim_device_area(dev, LF_AREA_PROVISION);
    struct lf_provision p;
    struct lf_provision_counter c;
    if (!prov || lf_provision_read(prov, &p) != LF_OK ||
        lf_provision_counter_read(prov, &p, &c) != LF_OK) {
        lf_logf(log, "lfsim: boot: provision area not readable: image 1 not served");
        return LF_E_PROVISION_BLANK;
    }
    h->magic = LF_STAGE0_HANDOFF_MAGIC;
    h->slot = slot;
    h->version = hdr[slot].version;
    h->counter = c.value;
    h->counter_slots_used = c.used;
    h->counter_slots_left = c.left;
    h->counter_exhausted = c.left == 0;
    h->entry = lf_flash_area_addr(lf_stage0_slot_area(&dev->map, slot)) + hdr[slot].hdr_size;
    lf_logf(log, "lfsim: boot: stage 1 in s%u (%u.%u.%u), counter %u (%u slots left)", slot,
            h->version.major, h->version.minor, h->version.revision, (unsigned)h->counter,
            h->counter_slots_left);
    return LF_OK;
}
