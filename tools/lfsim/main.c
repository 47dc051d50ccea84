/*
 * lfsim: the Leapfrog virtual device. A device is a directory of flash
 * files; `run` serves SMP from it over UDP and a pseudo-terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf/version.h"
#include "lf_exit.h"
#include "lfsim.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: lfsim <command> [options]\n"
            "\n"
            "The Leapfrog virtual device: flash, OTP and external NOR kept as files in a\n"
            "device directory, SMP served over UDP and a pseudo-terminal.\n"
            "\n"
            "commands:\n"
            "  create DIR --board B        make an erased device\n"
            "  program DIR AREA FILE       write FILE raw into an area (factory programmer)\n"
            "  run DIR [--udp PORT] ...    boot the device and serve SMP until stopped\n"
            "  stop DIR                    stop the lfsim run serving DIR (run --background)\n"
            "  stage1-image --app-key K -o FILE\n"
            "                              a stage-1 binary for the virtual device, its\n"
            "                              application key table included (sign it with\n"
            "                              lfimg sign and a root key)\n"
            "  demo --dir DIR [--board B]  the end-to-end update scenario (README)\n"
            "\n"
            "  --version                   print the version and exit\n"
            "\n"
            "'lfsim <command> --help' describes each command. A device directory is used\n"
            "by one lfsim at a time (DIR/lfsim.lock): another is refused with exit 6.\n"
            "\n%s",
            LF_EXIT_HELP);
}

bool lfsim_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            return true;
        }
    }
    return false;
}

bool lfsim_parse_u32(const char *s, uint32_t max, uint32_t *v)
{
    char *end;
    if (!s || !*s || *s == '-') {
        return false;
    }
    unsigned long long x = strtoull(s, &end, 0);
    if (*end || x > max) {
        return false;
    }
    *v = (uint32_t)x;
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return LF_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return LF_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("lfsim %s\n", LF_VERSION_STRING);
        return LF_EXIT_OK;
    }
    if (strcmp(cmd, "stop") == 0) {
        return lfsim_cmd_stop(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "stage1-image") == 0) {
        return lfsim_cmd_stage1_image(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "create") == 0) {
        return lfsim_cmd_create(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "program") == 0) {
        return lfsim_cmd_program(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "demo") == 0) {
        return lfsim_cmd_demo(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "run") == 0) {
        return lfsim_cmd_run(argc - 1, argv + 1);
    }
    fprintf(stderr, "lfsim: unknown command '%s' (see lfsim --help)\n", cmd);
    return LF_EXIT_USAGE;
}
