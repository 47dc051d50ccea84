#include "args.h"

#include "lf_exit.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

void lfimg_print_help(const char *usage, const char *description, const struct lfimg_opt *opts,
                      int nopts)
{
    printf("usage: %s\n\n%s\n\noptions:\n", usage, description);
    for (int i = 0; i < nopts; i++) {
        char left[64];
        int n = 0;
        if (opts[i].letter) {
            n = snprintf(left, sizeof(left), "-%c, ", opts[i].letter);
        }
        snprintf(left + n, sizeof(left) - (size_t)n, "--%s%s%s", opts[i].name,
                 opts[i].metavar ? " " : "", opts[i].metavar ? opts[i].metavar : "");
        printf("  %-34s %s\n", left, opts[i].help);
    }
    printf("  %-34s %s\n", "-h, --help", "show this help and exit");
    printf("\n%s", LF_EXIT_HELP);
}

static int lfimg_find(const struct lfimg_opt *opts, int nopts, const char *arg, const char **inl)
{
    *inl = NULL;
    if (arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (int i = 0; i < nopts; i++) {
            if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0) {
                *inl = eq ? eq + 1 : NULL;
                return i;
            }
        }
        return -1;
    }
    for (int i = 0; i < nopts; i++) {
        if (opts[i].letter && opts[i].letter == arg[1]) {
            *inl = arg[2] ? arg + 2 : NULL;
            return i;
        }
    }
    return -1;
}

int lfimg_parse(int argc, char **argv, const struct lfimg_opt *opts, int nopts, lfimg_opt_fn fn,
                void *ctx, char **pos, int max_pos, int *npos, const char *usage,
                const char *description)
{
    int only_pos = 0;
    *npos = 0;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (*npos >= max_pos) {
                lfimg_err("%s: unexpected argument '%s' (see --help)", argv[0], a);
                return 2;
            }
            pos[(*npos)++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            lfimg_print_help(usage, description, opts, nopts);
            return 1;
        }
        const char *inl;
        int k = lfimg_find(opts, nopts, a, &inl);
        if (k < 0) {
            lfimg_err("%s: unknown option '%s' (see --help)", argv[0], a);
            return 2;
        }
        char *vals[2] = {NULL, NULL};
        int have = 0;
        if (inl) {
            if (opts[k].nargs == 0) {
                lfimg_err("%s: option '%s' takes no value", argv[0], a);
                return 2;
            }
            vals[have++] = (char *)inl;
        }
        while (have < opts[k].nargs) {
            if (i + 1 >= argc) {
                lfimg_err("%s: option '%s' needs %d value(s)", argv[0], a, opts[k].nargs);
                return 2;
            }
            vals[have++] = argv[++i];
        }
        if (fn(ctx, k, vals) != 0) {
            return 2;
        }
    }
    return 0;
}
