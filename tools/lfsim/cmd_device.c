/* lfsim create / program: make a device, write raw bytes into its areas. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boards.h"
#include "lf/err.h"
#include "lfsim.h"

static void create_help(FILE *f)
{
    fprintf(f, "usage: lfsim create DIR --board BOARD\n"
               "\n"
               "Make DIR (and its parents) holding an erased device laid out for BOARD.\n"
               "Existing flash files in DIR are erased again.\n"
               "\n"
               "boards:\n");
    for (unsigned i = 0; lf_board_at(i); i++) {
        fprintf(f, "  %s\n", lf_board_at(i)->name);
    }
}

int lfsim_cmd_create(int argc, char **argv)
{
    if (lfsim_wants_help(argc, argv)) {
        create_help(stdout);
        return 0;
    }
    const char *dir = NULL, *board = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--board") == 0 && i + 1 < argc) {
            board = argv[++i];
        } else if (argv[i][0] != '-' && !dir) {
            dir = argv[i];
        } else {
            fprintf(stderr, "lfsim create: unexpected '%s'\n", argv[i]);
            create_help(stderr);
            return 2;
        }
    }
    if (!dir || !board) {
        create_help(stderr);
        return 2;
    }
    const struct lf_board *b = lf_board_find(board);
    if (!b) {
        fprintf(stderr, "lfsim create: unknown board '%s'\n", board);
        return 2;
    }
    static struct lf_sim_device dev;
    int err = lf_sim_device_create(&dev, dir, b);
    if (err) {
        fprintf(stderr, "lfsim create: %s: %s\n", dir, lf_err_str(err));
        return 1;
    }
    printf("created %s (board %s)\n", dir, b->name);
    for (uint8_t id = 0; id < LF_AREA_COUNT; id++) {
        const struct lf_flash_area *fa = lf_sim_device_area(&dev, id);
        if (fa) {
            static const char *const devs[LF_DEV_COUNT] = {"internal", "external", "otp"};
            unsigned d = 0;
            while (d + 1u < LF_DEV_COUNT && dev.devs[d] != fa->dev) {
                d++;
            }
            printf("  %-14s %-8s off 0x%06x size 0x%06x\n", lf_area_name(id), devs[d], fa->off,
                   fa->size);
        }
    }
    lf_sim_device_close(&dev);
    return 0;
}

static void program_help(FILE *f)
{
    fprintf(f, "usage: lfsim program DIR AREA FILE [--offset N]\n"
               "\n"
               "Write FILE into AREA of the device in DIR, raw, as a factory programmer\n"
               "does: no flash rules, nothing counted. N (default 0) is an offset inside\n"
               "the area. Areas:");
    for (uint8_t id = 0; id < LF_AREA_COUNT; id++) {
        fprintf(f, " %s", lf_area_name(id));
    }
    fprintf(f, "\n");
}

int lfsim_cmd_program(int argc, char **argv)
{
    if (lfsim_wants_help(argc, argv)) {
        program_help(stdout);
        return 0;
    }
    const char *pos[3] = {NULL, NULL, NULL};
    int npos = 0;
    uint32_t offset = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--offset") == 0 && i + 1 < argc) {
            if (!lfsim_parse_u32(argv[++i], UINT32_MAX, &offset)) {
                fprintf(stderr, "lfsim program: bad offset '%s'\n", argv[i]);
                return 2;
            }
        } else if (npos < 3) {
            pos[npos++] = argv[i];
        } else {
            program_help(stderr);
            return 2;
        }
    }
    if (npos != 3) {
        program_help(stderr);
        return 2;
    }
    int id = -1;
    for (uint8_t a = 0; a < LF_AREA_COUNT; a++) {
        if (strcmp(pos[1], lf_area_name(a)) == 0) {
            id = a;
        }
    }
    if (id < 0) {
        fprintf(stderr, "lfsim program: unknown area '%s'\n", pos[1]);
        return 2;
    }
    FILE *fp = fopen(pos[2], "rb");
    if (!fp) {
        perror(pos[2]);
        return 1;
    }
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *data = malloc(n > 0 ? (size_t)n : 1u);
    if (!data || n < 0 || fread(data, 1, (size_t)n, fp) != (size_t)n) {
        fprintf(stderr, "lfsim program: cannot read %s\n", pos[2]);
        fclose(fp);
        free(data);
        return 1;
    }
    fclose(fp);
    static struct lf_sim_device dev;
    int err = lf_sim_device_open(&dev, pos[0]);
    if (err) {
        fprintf(stderr, "lfsim program: %s: %s\n", pos[0], lf_err_str(err));
        free(data);
        return 1;
    }
    const struct lf_flash_area *fa = lf_sim_device_area(&dev, (uint8_t)id);
    int rc = 0;
    if (!fa) {
        fprintf(stderr, "lfsim program: board %s has no area %s\n", dev.board->name, pos[1]);
        rc = 1;
    } else if (offset > fa->size || (uint64_t)n > fa->size - offset) {
        fprintf(stderr, "lfsim program: %ld bytes at 0x%x do not fit %s (0x%x bytes)\n", n, offset,
                pos[1], fa->size);
        rc = 1;
    } else {
        err = lf_sim_flash_load(lf_sim_device_flash_of(&dev, fa), fa->off + offset, data,
                                (uint32_t)n);
        if (err) {
            fprintf(stderr, "lfsim program: %s\n", lf_err_str(err));
            rc = 1;
        } else {
            printf("programmed %ld bytes into %s at 0x%x\n", n, pos[1], offset);
        }
    }
    lf_sim_device_close(&dev);
    free(data);
    return rc;
}
