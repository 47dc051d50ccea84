/*
 * Fuzz target for the CBOR codec.
 *
 * 1. Skip every top-level item (the well-formedness checker).
 * 2. Decode the same input through the typed API (peek, reads, enter/leave,
 *    map walker). Both must agree on whether the input is well-formed, except
 *    where the typed API is stricter by design (non-text or chunked map keys).
 * 3. Transcode what the typed walk accepts with the encoder (definite,
 *    minimal; tags dropped, floats/simple/chunked strings/huge negatives
 *    become null), decode the output and transcode again: the output must be
 *    a fixed point. This exercises the encoder's head patching as well.
 * 4. Transcode into a too-small buffer chosen by the first byte: must fail
 *    with LF_E_CBOR_NO_SPACE and never write past it (ASan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lf/cbor.h"
#include "lf/err.h"

#define MAX_INPUT 8192

static void transcode_item(struct lf_cbor_dec *d, struct lf_cbor_enc *e, bool *non_text_key);

static void transcode_container(struct lf_cbor_dec *d, struct lf_cbor_enc *e, bool map,
                                size_t count, bool *non_text_key)
{
    bool open = count == SIZE_MAX;
    if (map) {
        if (open) {
            lf_cbor_enc_map_open(e);
        } else {
            lf_cbor_enc_map(e, count);
        }
        struct lf_cbor_str key;
        while (lf_cbor_map_next(d, &key)) {
            lf_cbor_enc_text(e, (const char *)key.ptr, key.len);
            transcode_item(d, e, non_text_key);
        }
        if (d->err == LF_E_CBOR_TYPE || d->err == LF_E_CBOR_INDEF_STRING) {
            *non_text_key = true;
        }
    } else {
        if (open) {
            lf_cbor_enc_array_open(e);
        } else {
            lf_cbor_enc_array(e, count);
        }
        while (lf_cbor_dec_more(d)) {
            transcode_item(d, e, non_text_key);
        }
    }
    lf_cbor_leave(d);
    if (open && !d->err) {
        if (map) {
            lf_cbor_enc_map_close(e);
        } else {
            lf_cbor_enc_array_close(e);
        }
    }
}

static void transcode_item(struct lf_cbor_dec *d, struct lf_cbor_enc *e, bool *non_text_key)
{
    struct lf_cbor_str s;
    uint64_t u;
    int64_t i;
    bool b;
    size_t count;
    switch (lf_cbor_peek(d)) {
    case LF_CBOR_T_UINT:
        if (lf_cbor_read_uint(d, &u) == LF_OK) {
            lf_cbor_enc_uint(e, u);
        }
        return;
    case LF_CBOR_T_NINT:
        if (lf_cbor_read_int(d, &i) == LF_OK) {
            lf_cbor_enc_int(e, i);
            return;
        }
        break; /* below INT64_MIN */
    case LF_CBOR_T_BYTES:
        if (lf_cbor_read_bytes(d, &s) == LF_OK) {
            lf_cbor_enc_bytes(e, s.ptr, s.len);
            return;
        }
        break; /* chunked */
    case LF_CBOR_T_TEXT:
        if (lf_cbor_read_text(d, &s) == LF_OK) {
            lf_cbor_enc_text(e, (const char *)s.ptr, s.len);
            return;
        }
        break;
    case LF_CBOR_T_ARRAY:
        if (lf_cbor_enter_array(d, &count) == LF_OK) {
            transcode_container(d, e, false, count, non_text_key);
        }
        return;
    case LF_CBOR_T_MAP:
        if (lf_cbor_enter_map(d, &count) == LF_OK) {
            transcode_container(d, e, true, count, non_text_key);
        }
        return;
    case LF_CBOR_T_TAG:
        if (lf_cbor_read_tag(d, &u) == LF_OK) {
            transcode_item(d, e, non_text_key);
        }
        return;
    case LF_CBOR_T_BOOL:
        if (lf_cbor_read_bool(d, &b) == LF_OK) {
            lf_cbor_enc_bool(e, b);
        }
        return;
    case LF_CBOR_T_END:
        if (!d->err) {
            d->err = LF_E_CBOR_END;
        }
        return;
    default: /* null, undefined, simple, float */
        if (lf_cbor_skip(d) == LF_OK) {
            lf_cbor_enc_null(e);
        }
        return;
    }
    /* The typed read refused a well-formed item: skip it instead. */
    if (d->err == LF_E_CBOR_INT_RANGE || d->err == LF_E_CBOR_INDEF_STRING) {
        d->err = LF_OK;
        if (lf_cbor_skip(d) == LF_OK) {
            lf_cbor_enc_null(e);
        }
    }
}

/* Transcode a whole sequence; returns the decoder verdict, *out_len the
 * encoder output length (or the encoder error in *enc_err). */
static int transcode(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len,
                     int *enc_err, bool *non_text_key)
{
    struct lf_cbor_dec d;
    struct lf_cbor_enc e;
    lf_cbor_dec_init(&d, in, in_len);
    lf_cbor_enc_init(&e, out, cap);
    *non_text_key = false;
    while (lf_cbor_dec_more(&d)) {
        transcode_item(&d, &e, non_text_key);
    }
    *enc_err = lf_cbor_enc_finish(&e, out_len);
    return lf_cbor_dec_finish(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT) {
        return 0;
    }
    struct lf_cbor_dec d;
    lf_cbor_dec_init(&d, data, size);
    while (lf_cbor_dec_more(&d)) {
        lf_cbor_skip(&d);
    }
    int skip_verdict = lf_cbor_dec_finish(&d);

    /* Output never exceeds the input by more than 8 bytes per input byte
     * (a 1-byte item can become at most a 9-byte head). */
    size_t cap = 9 * size + 16;
    uint8_t *out1 = malloc(cap);
    uint8_t *out2 = malloc(cap);
    if (!out1 || !out2) {
        abort();
    }
    size_t len1 = 0, len2 = 0;
    int enc1, enc2;
    bool ntk;
    int walk_verdict = transcode(data, size, out1, cap, &len1, &enc1, &ntk);
    if ((skip_verdict == LF_OK) != (walk_verdict == LF_OK) && !ntk) {
        abort(); /* the two decoding paths disagree */
    }
    if (walk_verdict == LF_OK) {
        if (enc1 != LF_OK) {
            abort();
        }
        int v2 = transcode(out1, len1, out2, cap, &len2, &enc2, &ntk);
        if (v2 != LF_OK || enc2 != LF_OK || len2 != len1 || memcmp(out1, out2, len1) != 0) {
            abort(); /* encoder output not decodable or not a fixed point */
        }
        /* A smaller buffer must fail cleanly, without writing past it. */
        if (len1 > 0 && size > 0) {
            size_t small = data[0] % len1;
            uint8_t *tight = malloc(small ? small : 1);
            int enc3;
            size_t len3;
            transcode(data, size, small ? tight : NULL, small, &len3, &enc3, &ntk);
            if (enc3 != LF_E_CBOR_NO_SPACE) {
                abort();
            }
            free(tight);
        }
    }
    free(out1);
    free(out2);
    return 0;
}
