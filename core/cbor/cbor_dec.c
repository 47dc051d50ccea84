/*
 * CBOR pull decoder over a const buffer.
 *
 * The decoder keeps one frame per entered container: items left (definite)
 * or "ends at a break" (indefinite), and for maps whether a key is waiting for
 * its value. Reading an item checks that the current container has one, parses
 * the head, checks the type, then advances and counts the item in its frame.
 * lf_cbor_skip() validates and jumps over a whole item without recursion,
 * using a small local stack bounded by what is left of LF_CBOR_MAX_DEPTH.
 */
#include "lf/cbor.h"
#include "lf/err.h"

#include <string.h>

#define AI_INDEF  31u
#define BREAK     0xFFu
#define NO_STRING 0xFFu

/* A parsed item head. */
struct head {
    uint8_t major;
    uint8_t ai;
    bool indef;  /* ai 31: indefinite length, or a break for major 7 */
    size_t size; /* bytes of the head itself */
    uint64_t arg;
};

void lf_cbor_dec_init(struct lf_cbor_dec *d, const uint8_t *buf, size_t len)
{
    memset(d, 0, sizeof(*d));
    d->buf = buf;
    d->len = buf ? len : 0;
}

static int fail(struct lf_cbor_dec *d, int err)
{
    if (!d->err) {
        d->err = err;
    }
    return d->err;
}

static bool is_break(const struct head *h)
{
    return h->major == LF_CBOR_MAJOR_SIMPLE && h->indef;
}

/* Parse the head at pos; rejects what can never be well-formed. */
static int read_head(const struct lf_cbor_dec *d, size_t pos, struct head *h)
{
    if (pos >= d->len) {
        return LF_E_CBOR_TRUNCATED;
    }
    uint8_t ib = d->buf[pos];
    h->major = (uint8_t)(ib >> 5);
    h->ai = (uint8_t)(ib & 0x1Fu);
    h->indef = false;
    h->size = 1;
    h->arg = h->ai;
    if (h->ai < 24) {
        return LF_OK;
    }
    if (h->ai == AI_INDEF) {
        if (h->major == LF_CBOR_MAJOR_UINT || h->major == LF_CBOR_MAJOR_NINT ||
            h->major == LF_CBOR_MAJOR_TAG) {
            return LF_E_CBOR_BAD_INDEFINITE;
        }
        h->indef = true;
        return LF_OK;
    }
    if (h->ai > 27) {
        return LF_E_CBOR_RESERVED_AI;
    }
    size_t n = (size_t)1 << (h->ai - 24);
    if (n > d->len - pos - 1) {
        return LF_E_CBOR_TRUNCATED;
    }
    uint64_t v = 0;
    for (size_t i = 1; i <= n; i++) {
        v = (v << 8) | d->buf[pos + i];
    }
    if (h->major == LF_CBOR_MAJOR_SIMPLE && h->ai == 24 && v < 32) {
        return LF_E_CBOR_BAD_SIMPLE;
    }
    h->arg = v;
    h->size = 1 + n;
    return LF_OK;
}

/* Check a definite container count against the bytes that remain after its
 * head (every item takes at least one byte); this also bounds the count to
 * size_t. Returns the number of items (pairs count twice). */
static int container_items(const struct lf_cbor_dec *d, size_t after_head, const struct head *h,
                           size_t *items)
{
    uint64_t room = d->len - after_head;
    bool map = h->major == LF_CBOR_MAJOR_MAP;
    /* (a shift, not a 64-bit division: no libgcc division on Cortex-M) */
    if (h->arg > (map ? room >> 1 : room)) {
        return LF_E_CBOR_TRUNCATED;
    }
    *items = (size_t)(map ? h->arg << 1 : h->arg);
    return LF_OK;
}

/* LF_OK if the current container has another item at d->pos, LF_E_CBOR_END
 * at its end, or an error for malformed input. */
static int at_item(const struct lf_cbor_dec *d)
{
    if (d->depth == 0) {
        return d->pos < d->len ? LF_OK : LF_E_CBOR_END;
    }
    const struct lf_cbor_dec_frame *f = &d->stack[d->depth - 1];
    if (!f->indef) {
        return f->left > 0 ? LF_OK : LF_E_CBOR_END;
    }
    if (d->pos >= d->len) {
        return LF_E_CBOR_TRUNCATED;
    }
    if (d->buf[d->pos] == BREAK) {
        return f->map && f->odd ? LF_E_CBOR_ODD_MAP : LF_E_CBOR_END;
    }
    return LF_OK;
}

/* The item at d->pos ended at new_pos: advance and count it. */
static void consume(struct lf_cbor_dec *d, size_t new_pos)
{
    d->pos = new_pos;
    if (d->depth > 0) {
        struct lf_cbor_dec_frame *f = &d->stack[d->depth - 1];
        if (!f->indef) {
            f->left--;
        }
        f->odd ^= f->map;
    }
}

/* Common start of every typed read: an item must be there and have a
 * well-formed head. */
static int begin(struct lf_cbor_dec *d, struct head *h)
{
    if (d->err) {
        return d->err;
    }
    int err = at_item(d);
    if (!err) {
        err = read_head(d, d->pos, h);
    }
    if (!err && is_break(h)) {
        err = LF_E_CBOR_UNEXPECTED_BREAK;
    }
    return err ? fail(d, err) : LF_OK;
}

enum lf_cbor_type lf_cbor_peek(struct lf_cbor_dec *d)
{
    struct head h;
    if (d->err) {
        return LF_CBOR_T_END;
    }
    int err = at_item(d);
    if (err == LF_E_CBOR_END) {
        return LF_CBOR_T_END;
    }
    if (begin(d, &h)) {
        return LF_CBOR_T_END;
    }
    static const uint8_t by_major[7] = {
        LF_CBOR_T_UINT,  LF_CBOR_T_NINT, LF_CBOR_T_BYTES, LF_CBOR_T_TEXT,
        LF_CBOR_T_ARRAY, LF_CBOR_T_MAP,  LF_CBOR_T_TAG,
    };
    if (h.major < LF_CBOR_MAJOR_SIMPLE) {
        return (enum lf_cbor_type)by_major[h.major];
    }
    switch (h.ai) {
    case 20:
    case 21:
        return LF_CBOR_T_BOOL;
    case 22:
        return LF_CBOR_T_NULL;
    case 23:
        return LF_CBOR_T_UNDEFINED;
    case 25:
    case 26:
    case 27:
        return LF_CBOR_T_FLOAT;
    default:
        return LF_CBOR_T_SIMPLE;
    }
}

bool lf_cbor_dec_more(struct lf_cbor_dec *d)
{
    if (d->err) {
        return false;
    }
    int err = at_item(d);
    if (err && err != LF_E_CBOR_END) {
        fail(d, err);
    }
    return err == LF_OK;
}

/* Integer head of major 0/1; everything else is a type error. */
static int read_integer(struct lf_cbor_dec *d, struct head *h)
{
    int err = begin(d, h);
    if (err) {
        return err;
    }
    if (h->major != LF_CBOR_MAJOR_UINT && h->major != LF_CBOR_MAJOR_NINT) {
        return fail(d, LF_E_CBOR_TYPE);
    }
    return LF_OK;
}

int lf_cbor_read_uint(struct lf_cbor_dec *d, uint64_t *v)
{
    struct head h;
    if (read_integer(d, &h)) {
        return d->err;
    }
    if (h.major != LF_CBOR_MAJOR_UINT) {
        return fail(d, LF_E_CBOR_INT_RANGE);
    }
    *v = h.arg;
    consume(d, d->pos + h.size);
    return LF_OK;
}

int lf_cbor_read_u32(struct lf_cbor_dec *d, uint32_t *v)
{
    struct head h;
    if (read_integer(d, &h)) {
        return d->err;
    }
    if (h.major != LF_CBOR_MAJOR_UINT || h.arg > UINT32_MAX) {
        return fail(d, LF_E_CBOR_INT_RANGE);
    }
    *v = (uint32_t)h.arg;
    consume(d, d->pos + h.size);
    return LF_OK;
}

int lf_cbor_read_int(struct lf_cbor_dec *d, int64_t *v)
{
    struct head h;
    if (read_integer(d, &h)) {
        return d->err;
    }
    /* Major 0 is arg, major 1 is -1 - arg: both fit iff arg <= INT64_MAX. */
    if (h.arg > (uint64_t)INT64_MAX) {
        return fail(d, LF_E_CBOR_INT_RANGE);
    }
    *v = h.major == LF_CBOR_MAJOR_UINT ? (int64_t)h.arg : -1 - (int64_t)h.arg;
    consume(d, d->pos + h.size);
    return LF_OK;
}

/* Simple value with one of the given additional-info values. */
static int read_simple(struct lf_cbor_dec *d, uint8_t ai_lo, uint8_t ai_hi, uint8_t *ai)
{
    struct head h;
    int err = begin(d, &h);
    if (err) {
        return err;
    }
    if (h.major != LF_CBOR_MAJOR_SIMPLE || h.ai < ai_lo || h.ai > ai_hi) {
        return fail(d, LF_E_CBOR_TYPE);
    }
    *ai = h.ai;
    consume(d, d->pos + h.size);
    return LF_OK;
}

int lf_cbor_read_bool(struct lf_cbor_dec *d, bool *v)
{
    uint8_t ai;
    int err = read_simple(d, 20, 21, &ai);
    if (!err) {
        *v = ai == 21;
    }
    return err;
}

int lf_cbor_read_null(struct lf_cbor_dec *d)
{
    uint8_t ai;
    return read_simple(d, 22, 22, &ai);
}

static int read_string(struct lf_cbor_dec *d, unsigned major, struct lf_cbor_str *s)
{
    struct head h;
    int err = begin(d, &h);
    if (err) {
        return err;
    }
    if (h.major != major) {
        return fail(d, LF_E_CBOR_TYPE);
    }
    if (h.indef) {
        return fail(d, LF_E_CBOR_INDEF_STRING);
    }
    size_t start = d->pos + h.size;
    if (h.arg > d->len - start) {
        return fail(d, LF_E_CBOR_TRUNCATED);
    }
    s->ptr = d->buf + start;
    s->len = (size_t)h.arg;
    consume(d, start + s->len);
    return LF_OK;
}

int lf_cbor_read_text(struct lf_cbor_dec *d, struct lf_cbor_str *s)
{
    return read_string(d, LF_CBOR_MAJOR_TEXT, s);
}

int lf_cbor_read_bytes(struct lf_cbor_dec *d, struct lf_cbor_str *s)
{
    return read_string(d, LF_CBOR_MAJOR_BYTES, s);
}

int lf_cbor_read_tag(struct lf_cbor_dec *d, uint64_t *tag)
{
    struct head h;
    int err = begin(d, &h);
    if (err) {
        return err;
    }
    if (h.major != LF_CBOR_MAJOR_TAG) {
        return fail(d, LF_E_CBOR_TYPE);
    }
    /* Not an item of its own: the tagged item that follows is, and it must
     * be there (a break or the end of input right after a tag is malformed). */
    struct head next;
    err = read_head(d, d->pos + h.size, &next);
    if (!err && is_break(&next)) {
        err = LF_E_CBOR_UNEXPECTED_BREAK;
    }
    if (err) {
        return fail(d, err);
    }
    *tag = h.arg;
    d->pos += h.size;
    return LF_OK;
}

/* ---- skipping ------------------------------------------------------------ */

struct skip_frame {
    size_t left;       /* definite: items left */
    uint8_t indef;     /* ends at a break */
    uint8_t map;       /* for the key/value parity check at the break */
    uint8_t odd;       /* map: a key without value so far */
    uint8_t str_major; /* chunked string of this major, or NO_STRING */
};

/* Validate the item at *pos and move *pos past it. */
static int skip_item(const struct lf_cbor_dec *d, size_t *pos_io)
{
    struct skip_frame st[LF_CBOR_MAX_DEPTH + 1]; /* + a chunked string */
    unsigned room = LF_CBOR_MAX_DEPTH - d->depth;
    unsigned sp = 0;
    size_t pos = *pos_io;
    bool after_tag = false;

    for (;;) {
        struct head h;
        int err = read_head(d, pos, &h);
        if (err) {
            return err;
        }
        struct skip_frame *top = sp ? &st[sp - 1] : NULL;
        if (is_break(&h)) {
            if (!top || !top->indef || after_tag) {
                return LF_E_CBOR_UNEXPECTED_BREAK;
            }
            if (top->map && top->odd) {
                return LF_E_CBOR_ODD_MAP;
            }
            pos += h.size;
            sp--;
        } else if (top && top->str_major != NO_STRING) {
            /* Chunks of a chunked string: definite strings of the same type. */
            if (h.major != top->str_major || h.indef) {
                return LF_E_CBOR_BAD_CHUNK;
            }
            pos += h.size;
            if (h.arg > d->len - pos) {
                return LF_E_CBOR_TRUNCATED;
            }
            pos += (size_t)h.arg;
            continue;
        } else {
            after_tag = false;
            pos += h.size;
            switch (h.major) {
            case LF_CBOR_MAJOR_BYTES:
            case LF_CBOR_MAJOR_TEXT:
            case LF_CBOR_MAJOR_ARRAY:
            case LF_CBOR_MAJOR_MAP: {
                bool container = h.major >= LF_CBOR_MAJOR_ARRAY;
                size_t items = 0;
                if (!h.indef && !container) {
                    if (h.arg > d->len - pos) {
                        return LF_E_CBOR_TRUNCATED;
                    }
                    pos += (size_t)h.arg;
                    break; /* a complete string */
                }
                /* Containers count against the depth limit even when empty,
                 * as lf_cbor_enter_*() does; a chunked string holds no
                 * further levels, so it may take the one spare slot. */
                if (sp >= room + (container ? 0u : 1u)) {
                    return LF_E_CBOR_TOO_DEEP;
                }
                if (!h.indef) {
                    err = container_items(d, pos, &h, &items);
                    if (err) {
                        return err;
                    }
                    if (items == 0) {
                        break; /* an empty container is complete */
                    }
                }
                st[sp].left = items;
                st[sp].indef = h.indef;
                st[sp].map = h.major == LF_CBOR_MAJOR_MAP;
                st[sp].odd = 0;
                st[sp].str_major = container ? NO_STRING : h.major;
                sp++;
                continue; /* read its content */
            }
            case LF_CBOR_MAJOR_TAG:
                after_tag = true;
                continue; /* the tagged item follows */
            default:
                break; /* integers and simple values/floats: the head is all */
            }
        }
        /* One item is complete at level sp; complete finished definite
         * containers in turn. */
        for (;;) {
            if (sp == 0) {
                *pos_io = pos;
                return LF_OK;
            }
            struct skip_frame *f = &st[sp - 1];
            if (f->indef) {
                f->odd ^= f->map;
                break;
            }
            if (--f->left > 0) {
                break;
            }
            sp--;
        }
    }
}

int lf_cbor_skip(struct lf_cbor_dec *d)
{
    if (d->err) {
        return d->err;
    }
    int err = at_item(d);
    size_t pos = d->pos;
    if (!err) {
        err = skip_item(d, &pos);
    }
    if (err) {
        return fail(d, err);
    }
    consume(d, pos);
    return LF_OK;
}

/* ---- containers ---------------------------------------------------------- */

static int enter(struct lf_cbor_dec *d, unsigned major, size_t *count)
{
    struct head h;
    int err = begin(d, &h);
    if (err) {
        return err;
    }
    if (h.major != major) {
        return fail(d, LF_E_CBOR_TYPE);
    }
    if (d->depth >= LF_CBOR_MAX_DEPTH) {
        return fail(d, LF_E_CBOR_TOO_DEEP);
    }
    size_t items = 0;
    if (!h.indef) {
        err = container_items(d, d->pos + h.size, &h, &items);
        if (err) {
            return fail(d, err);
        }
    }
    struct lf_cbor_dec_frame *f = &d->stack[d->depth++];
    f->left = items;
    f->indef = h.indef;
    f->map = major == LF_CBOR_MAJOR_MAP;
    f->odd = 0;
    d->pos += h.size;
    if (count) {
        *count = h.indef ? SIZE_MAX : (size_t)h.arg;
    }
    return LF_OK;
}

int lf_cbor_enter_map(struct lf_cbor_dec *d, size_t *count)
{
    return enter(d, LF_CBOR_MAJOR_MAP, count);
}

int lf_cbor_enter_array(struct lf_cbor_dec *d, size_t *count)
{
    return enter(d, LF_CBOR_MAJOR_ARRAY, count);
}

int lf_cbor_leave(struct lf_cbor_dec *d)
{
    if (d->err) {
        return d->err;
    }
    if (d->depth == 0) {
        return fail(d, LF_E_CBOR_UNBALANCED);
    }
    int err;
    while ((err = at_item(d)) == LF_OK) {
        if (lf_cbor_skip(d)) {
            return d->err;
        }
    }
    if (err != LF_E_CBOR_END) {
        return fail(d, err);
    }
    if (d->stack[d->depth - 1].indef) {
        d->pos++; /* the break */
    }
    d->depth--;
    consume(d, d->pos);
    return LF_OK;
}

bool lf_cbor_map_next(struct lf_cbor_dec *d, struct lf_cbor_str *key)
{
    if (d->err) {
        return false;
    }
    if (d->depth == 0 || !d->stack[d->depth - 1].map) {
        fail(d, LF_E_CBOR_TYPE);
        return false;
    }
    if (d->stack[d->depth - 1].odd && lf_cbor_skip(d)) {
        return false; /* the caller left the previous value unread */
    }
    if (!lf_cbor_dec_more(d)) {
        return false;
    }
    return lf_cbor_read_text(d, key) == LF_OK;
}

bool lf_cbor_str_eq(const struct lf_cbor_str *s, const char *z)
{
    size_t i = 0;
    for (; i < s->len; i++) {
        if (z[i] == '\0' || (uint8_t)z[i] != s->ptr[i]) {
            return false;
        }
    }
    return z[i] == '\0';
}

int lf_cbor_dec_finish(const struct lf_cbor_dec *d)
{
    if (d->err) {
        return d->err;
    }
    if (d->depth != 0) {
        return LF_E_CBOR_UNBALANCED;
    }
    return d->pos == d->len ? LF_OK : LF_E_CBOR_TRAILING;
}
