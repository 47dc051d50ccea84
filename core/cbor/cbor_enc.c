/*
 * CBOR encoder: minimal heads, definite-length containers only.
 *
 * Every item written bumps the item count of the innermost container frame.
 * Definite containers (count known up front) pop themselves when their last
 * item arrives; open containers reserve a one-byte head that is patched at
 * close, moving the content right when the count needs a longer head. The
 * counting of definite frames is what makes an open map that contains
 * definite arrays count correctly.
 */
#include "lf/cbor.h"
#include "lf/err.h"

#include <string.h>

#define OPEN_EXPECT SIZE_MAX

void lf_cbor_enc_init(struct lf_cbor_enc *e, uint8_t *buf, size_t cap)
{
    memset(e, 0, sizeof(*e));
    e->buf = buf;
    e->cap = buf ? cap : 0;
}

static int fail(struct lf_cbor_enc *e, int err)
{
    if (!e->err) {
        e->err = err;
    }
    return e->err;
}

/* Size of a minimal head carrying argument v. */
static size_t head_size(uint64_t v)
{
    if (v < 24) {
        return 1;
    }
    if (v <= 0xFF) {
        return 2;
    }
    if (v <= 0xFFFF) {
        return 3;
    }
    if (v <= 0xFFFFFFFFu) {
        return 5;
    }
    return 9;
}

/* Write a minimal head at out (which has room for head_size(v) bytes). */
static void put_head(uint8_t *out, unsigned major, uint64_t v)
{
    size_t n = head_size(v);
    static const uint8_t ai_for_size[10] = {0, 0, 24, 25, 0, 26, 0, 0, 0, 27};
    uint8_t ib = (uint8_t)(major << 5);

    if (n == 1) {
        out[0] = (uint8_t)(ib | (uint8_t)v);
        return;
    }
    out[0] = (uint8_t)(ib | ai_for_size[n]);
    for (size_t i = n - 1; i >= 1; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* Account for one complete item at the current level; definite containers
 * that just received their last item complete in turn as items of their
 * parent. */
static void item_done(struct lf_cbor_enc *e)
{
    while (e->depth > 0) {
        struct lf_cbor_enc_frame *f = &e->stack[e->depth - 1];
        f->count++;
        if (f->expect == OPEN_EXPECT || f->count < f->expect) {
            return;
        }
        e->depth--;
    }
}

/* Reserve n bytes at the current position. */
static uint8_t *reserve(struct lf_cbor_enc *e, size_t n)
{
    if (e->err) {
        return NULL;
    }
    if (n > e->cap - e->pos) {
        fail(e, LF_E_CBOR_NO_SPACE);
        return NULL;
    }
    uint8_t *p = e->buf + e->pos;
    e->pos += n;
    return p;
}

/* A head followed by `len` payload bytes copied from p (p may be NULL when
 * the caller fills the payload). Returns the payload pointer or NULL. */
static uint8_t *put_item(struct lf_cbor_enc *e, unsigned major, uint64_t arg, size_t len)
{
    size_t hs = head_size(arg);
    if (e->err) {
        return NULL;
    }
    if (len > e->cap - e->pos || hs > e->cap - e->pos - len) {
        fail(e, LF_E_CBOR_NO_SPACE);
        return NULL;
    }
    uint8_t *out = reserve(e, hs + len);
    put_head(out, major, arg);
    item_done(e);
    return out + hs;
}

int lf_cbor_enc_uint(struct lf_cbor_enc *e, uint64_t v)
{
    put_item(e, LF_CBOR_MAJOR_UINT, v, 0);
    return e->err;
}

int lf_cbor_enc_negint(struct lf_cbor_enc *e, uint64_t n)
{
    put_item(e, LF_CBOR_MAJOR_NINT, n, 0);
    return e->err;
}

int lf_cbor_enc_int(struct lf_cbor_enc *e, int64_t v)
{
    if (v >= 0) {
        return lf_cbor_enc_uint(e, (uint64_t)v);
    }
    /* -1 - v without overflow for INT64_MIN: ~v == -1 - v in two's complement. */
    return lf_cbor_enc_negint(e, ~(uint64_t)v);
}

int lf_cbor_enc_bool(struct lf_cbor_enc *e, bool v)
{
    put_item(e, LF_CBOR_MAJOR_SIMPLE, v ? 21u : 20u, 0);
    return e->err;
}

int lf_cbor_enc_null(struct lf_cbor_enc *e)
{
    put_item(e, LF_CBOR_MAJOR_SIMPLE, 22u, 0);
    return e->err;
}

static int put_string(struct lf_cbor_enc *e, unsigned major, const void *p, size_t len)
{
    if (!e->err && len > 0 && p == NULL) {
        return fail(e, LF_E_INVAL);
    }
    uint8_t *out = put_item(e, major, len, len);
    if (out && len > 0) {
        memcpy(out, p, len);
    }
    return e->err;
}

int lf_cbor_enc_text(struct lf_cbor_enc *e, const char *s, size_t len)
{
    return put_string(e, LF_CBOR_MAJOR_TEXT, s, len);
}

int lf_cbor_enc_text_z(struct lf_cbor_enc *e, const char *s)
{
    size_t len = 0;
    if (s == NULL) {
        return fail(e, LF_E_INVAL);
    }
    while (s[len] != '\0') {
        len++;
    }
    return put_string(e, LF_CBOR_MAJOR_TEXT, s, len);
}

int lf_cbor_enc_bytes(struct lf_cbor_enc *e, const uint8_t *p, size_t len)
{
    return put_string(e, LF_CBOR_MAJOR_BYTES, p, len);
}

int lf_cbor_enc_bytes_reserve(struct lf_cbor_enc *e, size_t len, uint8_t **dst)
{
    *dst = put_item(e, LF_CBOR_MAJOR_BYTES, len, len);
    return e->err;
}

static int push(struct lf_cbor_enc *e, unsigned major, size_t head_pos, size_t expect)
{
    if (e->depth >= LF_CBOR_MAX_DEPTH) {
        return fail(e, LF_E_CBOR_TOO_DEEP);
    }
    struct lf_cbor_enc_frame *f = &e->stack[e->depth++];
    f->head_pos = head_pos;
    f->count = 0;
    f->expect = expect;
    f->major = (uint8_t)major;
    return LF_OK;
}

static int open_definite(struct lf_cbor_enc *e, unsigned major, size_t n, size_t items)
{
    if (e->err) {
        return e->err;
    }
    if (items == 0) { /* empty: complete at once, no frame */
        put_item(e, major, 0, 0);
        return e->err;
    }
    if (e->depth >= LF_CBOR_MAX_DEPTH) {
        return fail(e, LF_E_CBOR_TOO_DEEP);
    }
    uint8_t *out = reserve(e, head_size(n));
    if (!out) {
        return e->err;
    }
    put_head(out, major, n);
    return push(e, major, (size_t)(out - e->buf), items);
}

int lf_cbor_enc_map(struct lf_cbor_enc *e, size_t n_pairs)
{
    if (n_pairs > (SIZE_MAX - 1) / 2) { /* could never fit, and 2n must not wrap */
        return fail(e, LF_E_CBOR_NO_SPACE);
    }
    return open_definite(e, LF_CBOR_MAJOR_MAP, n_pairs, 2 * n_pairs);
}

int lf_cbor_enc_array(struct lf_cbor_enc *e, size_t n_items)
{
    if (n_items == OPEN_EXPECT) {
        return fail(e, LF_E_CBOR_NO_SPACE);
    }
    return open_definite(e, LF_CBOR_MAJOR_ARRAY, n_items, n_items);
}

static int open_unknown(struct lf_cbor_enc *e, unsigned major)
{
    if (e->err) {
        return e->err;
    }
    if (e->depth >= LF_CBOR_MAX_DEPTH) {
        return fail(e, LF_E_CBOR_TOO_DEEP);
    }
    uint8_t *out = reserve(e, 1);
    if (!out) {
        return e->err;
    }
    *out = (uint8_t)(major << 5); /* placeholder, patched at close */
    return push(e, major, (size_t)(out - e->buf), OPEN_EXPECT);
}

int lf_cbor_enc_map_open(struct lf_cbor_enc *e)
{
    return open_unknown(e, LF_CBOR_MAJOR_MAP);
}

int lf_cbor_enc_array_open(struct lf_cbor_enc *e)
{
    return open_unknown(e, LF_CBOR_MAJOR_ARRAY);
}

static int close_unknown(struct lf_cbor_enc *e, unsigned major)
{
    if (e->err) {
        return e->err;
    }
    if (e->depth == 0) {
        return fail(e, LF_E_CBOR_UNBALANCED);
    }
    struct lf_cbor_enc_frame *f = &e->stack[e->depth - 1];
    if (f->expect != OPEN_EXPECT || f->major != major) {
        return fail(e, LF_E_CBOR_UNBALANCED);
    }
    if (major == LF_CBOR_MAJOR_MAP && (f->count & 1u) != 0) {
        return fail(e, LF_E_CBOR_UNBALANCED);
    }
    uint64_t n = major == LF_CBOR_MAJOR_MAP ? f->count / 2 : f->count;
    size_t hs = head_size(n);
    size_t extra = hs - 1;
    if (extra > 0) {
        if (extra > e->cap - e->pos) {
            return fail(e, LF_E_CBOR_NO_SPACE);
        }
        /* Move the content right by `extra`, back to front (overlapping). */
        size_t first = f->head_pos + 1;
        for (size_t i = e->pos; i > first; i--) {
            e->buf[i - 1 + extra] = e->buf[i - 1];
        }
        e->pos += extra;
    }
    put_head(e->buf + f->head_pos, major, n);
    e->depth--;
    item_done(e);
    return LF_OK;
}

int lf_cbor_enc_map_close(struct lf_cbor_enc *e)
{
    return close_unknown(e, LF_CBOR_MAJOR_MAP);
}

int lf_cbor_enc_array_close(struct lf_cbor_enc *e)
{
    return close_unknown(e, LF_CBOR_MAJOR_ARRAY);
}

int lf_cbor_enc_finish(const struct lf_cbor_enc *e, size_t *len)
{
    if (e->err) {
        return e->err;
    }
    if (e->depth != 0) {
        return LF_E_CBOR_UNBALANCED;
    }
    if (len) {
        *len = e->pos;
    }
    return LF_OK;
}
