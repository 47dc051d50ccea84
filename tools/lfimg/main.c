/*
 * lfimg: keys, signing, verification and dumps of MCUboot-format images,
 * provision areas and stage-1 update files.
 * Signing follows imgtool's options and produces imgtool's layout byte for
 * byte; verification runs the firmware's own validator (core/image).
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "lf/version.h"
#include "util.h"

struct lfimg_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct lfimg_cmd lfimg_cmds[] = {
    {"keygen", lfimg_cmd_keygen, "generate a signing key (ecdsa-p256 or ed25519), PEM"},
    {"getpub", lfimg_cmd_getpub, "print a key's public part (C source, PEM, DER or hash)"},
    {"sign", lfimg_cmd_sign, "make a signed image (imgtool's options and layout)"},
    {"verify", lfimg_cmd_verify, "validate an image with the bootloader's validator"},
    {"dump", lfimg_cmd_dump, "show an image (header, TLVs, trailer) or an update file (--json)"},
    {"dumpinfo", lfimg_cmd_dump, "imgtool's name for dump (same command, same output)"},
    {"provision", lfimg_cmd_provision, "write a device's provision area (root keys, counter)"},
    {"pack", lfimg_cmd_pack, "pack the S0 and S1 variants of stage 1 into one update file"},
};

static void lfimg_usage(FILE *f)
{
    fprintf(f, "usage: lfimg COMMAND [options] [args]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(lfimg_cmds) / sizeof(lfimg_cmds[0]); i++) {
        fprintf(f, "  %-10s %s\n", lfimg_cmds[i].name, lfimg_cmds[i].summary);
    }
    fprintf(f,
            "\n  --version  print the version and exit\n"
            "\n'lfimg COMMAND --help' describes a command.\n\n%s",
            LF_EXIT_HELP);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        lfimg_usage(stderr);
        return LF_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        lfimg_usage(stdout);
        return LF_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("lfimg %s\n", LF_VERSION_STRING);
        return LF_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(lfimg_cmds) / sizeof(lfimg_cmds[0]); i++) {
        if (strcmp(argv[1], lfimg_cmds[i].name) == 0) {
            return lfimg_cmds[i].run(argc - 1, argv + 1);
        }
    }
    lfimg_err("unknown command '%s' (see lfimg --help)", argv[1]);
    return LF_EXIT_USAGE;
}
