/*
 * The application, for any port: reports how the boot went, then serves SMP
 * (OS and image groups) on the console UART: updates of itself through its
 * secondary slot and of stage 1 through image 1 or image 0.
 */
#include "fw.h"
#include "lf/image.h"
#include "lf_cm.h"

int main(void)
{
    uint32_t t_main = board_clock();
    board_init();
    struct fw_retained *r = board_retained();
    const struct lf_flash_map *map = board_flash_map();
    const struct lf_stage0_handoff *h = &r->handoff;
    struct lf_image_header hdr = {0};
    const struct lf_flash_area *app = map ? lf_flash_map_area(map, LF_AREA_APP_PRIMARY) : NULL;
    if (!app || lf_image_read_header(app, 0, &hdr) != 0) {
        lf_logf(&fw_log, "app: cannot read its own header");
    }
    lf_logf(&fw_log, "app: up %u.%u.%u on stage 1 s%u %u.%u.%u", hdr.version.major,
            hdr.version.minor, hdr.version.revision, h->slot, h->version.major, h->version.minor,
            h->version.revision);
    if (r->magic == FW_RETAINED_MAGIC) {
        lf_logf(&fw_log,
                "boot: ticks s0-main %u s0-jump %u s1-main %u s1-jump %u app-main %u (%u Hz)",
                (unsigned)r->t_s0_main, (unsigned)r->t_s0_jump, (unsigned)r->t_s1_main,
                (unsigned)r->t_s1_jump, (unsigned)t_main, (unsigned)board_clock_hz());
        lf_logf(&fw_log, "boot: stage0 stack %u ram %u, stage1 stack %u ram %u",
                (unsigned)r->stack_s0, (unsigned)r->ram_s0, (unsigned)r->stack_s1,
                (unsigned)r->ram_s1);
    }
    if (!map) {
        board_reset();
    }
    fw_smp_serve(map, h, "app");
}
