#ifndef LFMGR_CMDS_H
#define LFMGR_CMDS_H

#include <stdbool.h>
#include <stdint.h>

#include "lfmgr.h"

#define LFM_POS_MAX 4

/* The command line after parsing (main.c). */
struct lfm_args {
    const char *pos[LFM_POS_MAX]; /* positional arguments after the command words */
    int npos;
    bool json;
    uint32_t image;
    bool has_image;
    bool upgrade;
    uint32_t slot;
    bool has_slot;
    uint32_t window;
    uint32_t align;
    bool force;
    const char *query;
    const char *board;
    bool no_reset;
    bool no_wait;
};

typedef int (*lfm_cmd_fn)(struct lfm_session *s, const struct lfm_args *a);

int lfm_cmd_echo(struct lfm_session *s, const struct lfm_args *a);
int lfm_cmd_params(struct lfm_session *s, const struct lfm_args *a);
int lfm_cmd_info(struct lfm_session *s, const struct lfm_args *a);
int lfm_cmd_reset(struct lfm_session *s, const struct lfm_args *a);
int lfm_cmd_image_list(struct lfm_session *s, const struct lfm_args *a);
int lfm_cmd_image_upload(struct lfm_session *s, const struct lfm_args *a);
int lfm_cmd_image_test(struct lfm_session *s, const struct lfm_args *a);
int lfm_cmd_image_confirm(struct lfm_session *s, const struct lfm_args *a);
int lfm_cmd_image_erase(struct lfm_session *s, const struct lfm_args *a);
int lfm_cmd_boot_info(struct lfm_session *s, const struct lfm_args *a);
int lfm_cmd_boot_update(struct lfm_session *s, const struct lfm_args *a);

/* MCUboot's name of a bootloader-info "mode" number, or NULL. */
const char *lfm_mcuboot_mode_name(int64_t mode);

/* Shared by image and bootloader commands: print an image state list (table
 * or JSON) from a state response. Returns an LF_EXIT_* code. */
int lfm_print_image_state(const struct lfm_session *s, const struct lf_smp_rsp *rsp);

/* Upload with the session's settings and print the summary (text or JSON
 * fields without the enclosing braces when json_inner). */
struct lfm_upload_stats;
void lfm_print_upload_summary(const struct lfm_session *s, const struct lfm_upload_stats *st,
                              const uint8_t *hash, bool has_hash, FILE *f, bool json_inner);

#endif
