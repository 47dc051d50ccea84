/*
 * Stage 1 links no table of error texts (8.5 KB of core/err.c): the SMP
 * server's reasons in serial recovery read "error" and the number is in the
 * reply's rc; the log prints numbers (%E). Defining both functions here keeps
 * err.c out of the link.
 */
#include "lf/err.h"

const char *lf_err_str(int err)
{
    return err ? "error" : "ok";
}

const char *lf_err_name(int err)
{
    return err ? "ERROR" : "OK";
}
