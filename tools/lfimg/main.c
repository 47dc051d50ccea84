/*
 * lfimg: keys, signing, verification and dumps of MCUboot-format images,
 * provision areas and stage-1 update files.
 * Signing follows imgtool's options and produces imgtool's layout byte for
 * byte; verification runs the firmware's own validator (core/image).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

static bool wants_json(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            return true;
        }
    }
    return false;
}

/* The object of a failure that printed no JSON of its own. */
static void print_json_error(int rc)
{
    const char *msg = lfimg_last_error();
    printf("{\"ok\": false, \"exit\": %d, \"error\": ", rc);
    lfimg_json_str(stdout, msg[0] ? msg : "failed (see stderr)");
    printf("}\n");
}

/* With --json, stdout carries exactly one JSON object whatever happens
 * (docs/exit-codes.md): the command's own, or, when it stopped before
 * printing one, {"ok": false, "exit": N, "error": ...}. The command's output
 * goes to a temporary file first so that we know which case it is. */
static int run_json(const struct lfimg_cmd *c, int argc, char **argv)
{
    FILE *cap = tmpfile();
    int saved = -1;
    int rc;
    bool printed = false;
    fflush(stdout);
    if (cap != NULL) {
        saved = dup(STDOUT_FILENO);
    }
    if (cap == NULL || saved < 0 || dup2(fileno(cap), STDOUT_FILENO) < 0) {
        if (cap != NULL) {
            fclose(cap);
        }
        if (saved >= 0) {
            close(saved);
        }
        return c->run(argc, argv); /* no temporary file: run it as it is */
    }
    rc = c->run(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    rewind(cap);
    for (int ch; (ch = fgetc(cap)) != EOF;) {
        printed = printed || (ch != ' ' && ch != '\n' && ch != '\t' && ch != '\r');
        putchar(ch);
    }
    fclose(cap);
    if (!printed && rc != LF_EXIT_OK) {
        print_json_error(rc);
    }
    return rc;
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
            if (wants_json(argc, argv)) {
                return run_json(&lfimg_cmds[i], argc - 1, argv + 1);
            }
            return lfimg_cmds[i].run(argc - 1, argv + 1);
        }
    }
    lfimg_err("unknown command '%s' (see lfimg --help)", argv[1]);
    if (wants_json(argc, argv)) {
        print_json_error(LF_EXIT_USAGE);
    }
    return LF_EXIT_USAGE;
}
