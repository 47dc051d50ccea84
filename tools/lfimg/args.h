/*
 * A small command-line parser shared by the subcommands: a table of options
 * (long name, short letter, number of values, help) drives both the parsing
 * and the --help text, so the two cannot disagree. Options and positional
 * arguments may be mixed (as with imgtool); "--" ends the options;
 * "--name=value" and "-k value" are both accepted.
 */
#ifndef LFIMG_ARGS_H
#define LFIMG_ARGS_H

struct lfimg_opt {
    const char *name;    /* long name without "--" */
    char letter;         /* short option, or 0 */
    int nargs;           /* 0 (flag), 1 or 2 values */
    const char *metavar; /* value names for the help text, e.g. "FILE" */
    const char *help;
};

/* Called for each option found: `index` into the table, `vals` its nargs
 * values. Returns 0, or non-zero to stop parsing (error already printed). */
typedef int (*lfimg_opt_fn)(void *ctx, int index, char **vals);

/*
 * Parse argv[1..argc-1] (argv[0] is the subcommand name). Positional
 * arguments are moved, in order, to pos[0..*npos-1] (at most max_pos).
 * Returns 0, 1 when --help was given (help printed), or 2 on a usage error
 * (message printed to stderr).
 */
int lfimg_parse(int argc, char **argv, const struct lfimg_opt *opts, int nopts, lfimg_opt_fn fn,
                void *ctx, char **pos, int max_pos, int *npos, const char *usage,
                const char *description);

void lfimg_print_help(const char *usage, const char *description, const struct lfimg_opt *opts,
                      int nopts);

#endif
