/*
 * Fuzz target: the virtual device's stage-1 key table (tools/lfsim/s1_keys.h),
 * read from the start of a stage-1 image's payload. Every parsed key must lie
 * inside the input, and a table that parses must encode and parse back to
 * the same keys.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lf/err.h"
#include "s1_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lfsim_s1_keys k;
    if (lfsim_s1_keys_parse(&k, data, size) != LF_OK) {
        return 0;
    }
    size_t used = size < sizeof(k.table) ? size : sizeof(k.table);
    for (uint8_t i = 0; i < k.ring.count; i++) {
        const struct lf_pubkey *p = &k.keys[i];
        if (p->der < k.table || p->der + p->der_len > k.table + used) {
            abort();
        }
    }
    /* what parses encodes, and parses back to the same keys */
    static uint8_t again[LFSIM_S1_TABLE_MAX];
    static struct lfsim_s1_keys k2;
    size_t n = lfsim_s1_keys_encode(k.keys, k.ring.count, again, sizeof(again));
    if (n == 0 || lfsim_s1_keys_parse(&k2, again, n) != LF_OK || k2.ring.count != k.ring.count) {
        abort();
    }
    for (uint8_t i = 0; i < k.ring.count; i++) {
        if (k2.keys[i].type != k.keys[i].type || k2.keys[i].der_len != k.keys[i].der_len ||
            memcmp(k2.keys[i].der, k.keys[i].der, k.keys[i].der_len) != 0) {
            abort();
        }
    }
    return 0;
}
