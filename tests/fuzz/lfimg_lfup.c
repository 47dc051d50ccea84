/* Fuzz target: lfimg's reader of the stage-1 update file (tools/lfimg/lfup.c,
 * used by `lfimg dump` and `lfimg pack`'s self-check: the tools' shared
 * container reader plus its own image checks). Every entry it accepts lies
 * inside the file, and what it accepts the shared reader accepts alone with
 * the same entries. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imgfile.h"
#include "lfup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t copy[1u << 16];
    if (size > sizeof(copy)) {
        return 0;
    }
    memcpy(copy, data, size); /* the reader may hash in place */
    static struct lfup u;
    char why[200];
    if (!lfup_is(copy, size) || lfup_parse(copy, size, &u, why, sizeof(why)) != 0) {
        return 0;
    }
    for (unsigned i = 0; i < u.count; i++) {
        if (u.e[i].off > size || u.e[i].len > size - u.e[i].off) {
            abort();
        }
    }
    /* lfmgr must accept what lfimg accepts, with the same entries */
    struct lfm_upd m;
    if (lfm_upd_parse(data, size, &m, why, sizeof(why)) != 0 || m.count != u.count) {
        abort();
    }
    for (unsigned i = 0; i < u.count; i++) {
        if (m.e[i].slot != u.e[i].slot || m.e[i].off != u.e[i].off || m.e[i].len != u.e[i].len) {
            abort();
        }
    }
    return 0;
}
