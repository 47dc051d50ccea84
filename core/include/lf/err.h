#ifndef LF_ERR_H
#define LF_ERR_H

/*
 * One negative error enum shared by the whole core. Success is LF_OK (0);
 * every failure is a distinct negative value so that a caller, a log line or
 * an SMP reason string can say exactly what went wrong.
 *
 * Each module owns one list file (err_<module>.def) and its own numeric
 * range, so modules grow their lists without touching each other:
 *   generic  -1 ..  -19     flash   -20 ..  -39    crypto  -40 ..  -59
 *   image   -60 ..  -99     boot   -100 .. -139    cbor   -140 .. -159
 *   smp    -160 .. -189     transport -190..-199   provision/stage0 -200..-239
 *   sim/host -240 .. -269   stage1 -270 .. -289
 * Entries: X(NAME, value, "short reason")  ->  enum constant LF_E_<NAME>.
 */

#define LF_ERR_LIST(X)                                  \
    X(INVAL, -1, "invalid argument")                    \
    X(RANGE, -2, "value out of range")                  \
    X(NOSPACE, -3, "no space left")                     \
    X(IO, -4, "I/O error")                              \
    X(UNSUPPORTED, -5, "not supported")                 \
    X(STATE, -6, "operation not allowed in this state") \
    X(CORRUPT, -7, "data corrupt")                      \
    X(NOT_FOUND, -8, "not found")                       \
    X(BUSY, -9, "busy")                                 \
    X(TIMEOUT, -10, "timed out")                        \
    X(OVERFLOW, -11, "arithmetic overflow")

/* clang-format off */
enum lf_err {
    LF_OK = 0,
#define LF_ERR_ENUM_(name, value, text) LF_E_##name = (value),
    LF_ERR_LIST(LF_ERR_ENUM_)
#include "lf/err_flash.def"
#include "lf/err_crypto.def"
#include "lf/err_image.def"
#include "lf/err_boot.def"
#include "lf/err_cbor.def"
#include "lf/err_smp.def"
#include "lf/err_transport.def"
#include "lf/err_provision.def"
#include "lf/err_sim.def"
#include "lf/err_stage1.def"
#undef LF_ERR_ENUM_
};
/* clang-format on */

/* Short human-readable reason for an error code ("unknown error" if none). */
const char *lf_err_str(int err);

/* Symbolic name without prefix, e.g. "FLASH_MISALIGNED", for logs and --json. */
const char *lf_err_name(int err);

#endif
