#ifndef LF_EXIT_H
#define LF_EXIT_H

/*
 * One exit-code table for lfimg, lfmgr and lfsim (docs/exit-codes.md).
 * Scripts can tell "fix your command line" from "the device is not there"
 * from "the device said no" from "this file is wrong" without parsing text.
 */
enum lf_exit {
    LF_EXIT_OK = 0,
    LF_EXIT_USAGE = 1,    /* bad command line: unknown command or option, missing argument */
    LF_EXIT_CONN = 2,     /* no device answered: cannot connect, timeout, link I/O error */
    LF_EXIT_DEVICE = 3,   /* the device refused (SMP error) or did not do what was asked
                           * (an update reverted at boot) */
    LF_EXIT_FILE = 4,     /* an input file is unreadable, malformed, wrongly signed or
                           * unsuitable for the device (lfimg verify: image not valid) */
    LF_EXIT_PROTO = 5,    /* malformed or unexpected reply from the device */
    LF_EXIT_BUSY = 6,     /* a device directory, port or file is in use by another process */
    LF_EXIT_INTERNAL = 7, /* the tool failed: cannot write an output file, out of memory */
};

/* The table as printed at the end of every tool's --help. */
#define LF_EXIT_HELP                                                                     \
    "Exit codes (the same for lfimg, lfmgr and lfsim):\n"                                \
    "  0 ok\n"                                                                           \
    "  1 usage: bad command line\n"                                                      \
    "  2 connection: no device answered (cannot connect, timeout, link error)\n"         \
    "  3 device: the device refused, or an update did not take (reverted at boot)\n"     \
    "  4 file: an input file is unreadable, malformed, wrongly signed or does not fit\n" \
    "  5 protocol: malformed or unexpected reply\n"                                      \
    "  6 busy: the device directory or port is in use by another process\n"              \
    "  7 internal: the tool itself failed (cannot write output, out of memory)\n"

#endif
