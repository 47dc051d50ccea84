/*
 * CBOR decoder tests: payloads as python cbor2, Zephyr's zcbor (indefinite
 * maps) and the Go CLI's ugorji codec produce them, RFC 8949 Appendix A
 * (well-formed) and Appendix F (not well-formed) examples, and every error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lf/cbor.h"
#include "lf/err.h"

/* Hex to a malloc'd buffer of exactly the decoded size, so ASan catches any
 * read past the end. Spaces are ignored. */
static uint8_t *unhex(const char *hex, size_t *len)
{
    uint8_t *out = malloc(strlen(hex) / 2 + 1);
    size_t n = 0;
    assert_non_null(out);
    while (*hex) {
        unsigned v;
        if (*hex == ' ') {
            hex++;
            continue;
        }
        assert_int_equal(sscanf(hex, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    uint8_t *exact = malloc(n ? n : 1);
    assert_non_null(exact);
    memcpy(exact, out, n);
    free(out);
    *len = n;
    return exact;
}

/* Skip every top-level item, then check for a clean end. */
static int skip_all(const uint8_t *buf, size_t len)
{
    struct lf_cbor_dec d;
    lf_cbor_dec_init(&d, buf, len);
    while (lf_cbor_dec_more(&d)) {
        lf_cbor_skip(&d);
    }
    return lf_cbor_dec_finish(&d);
}

static int skip_all_hex(const char *hex)
{
    size_t len;
    uint8_t *buf = unhex(hex, &len);
    int err = skip_all(buf, len);
    free(buf);
    return err;
}

/* Decode anything through the typed API (enter/leave, map walker, reads),
 * recursively; returns the decoder's final verdict. */
static void walk_item(struct lf_cbor_dec *d);

static void walk_container(struct lf_cbor_dec *d, bool map)
{
    struct lf_cbor_str s;
    if (map) {
        while (lf_cbor_map_next(d, &s)) {
            walk_item(d);
        }
    } else {
        while (lf_cbor_dec_more(d)) {
            walk_item(d);
        }
    }
    lf_cbor_leave(d);
}

static void walk_item(struct lf_cbor_dec *d)
{
    struct lf_cbor_str s;
    uint64_t u;
    int64_t i;
    bool b;
    switch (lf_cbor_peek(d)) {
    case LF_CBOR_T_UINT:
        lf_cbor_read_uint(d, &u);
        break;
    case LF_CBOR_T_NINT:
        if (lf_cbor_read_int(d, &i) == LF_E_CBOR_INT_RANGE) {
            d->err = 0; /* below INT64_MIN: fine for a walk, skip it */
            lf_cbor_skip(d);
        }
        break;
    case LF_CBOR_T_BYTES:
        if (lf_cbor_read_bytes(d, &s) == LF_E_CBOR_INDEF_STRING) {
            d->err = 0;
            lf_cbor_skip(d);
        }
        break;
    case LF_CBOR_T_TEXT:
        if (lf_cbor_read_text(d, &s) == LF_E_CBOR_INDEF_STRING) {
            d->err = 0;
            lf_cbor_skip(d);
        }
        break;
    case LF_CBOR_T_ARRAY:
        if (lf_cbor_enter_array(d, NULL) == LF_OK) {
            walk_container(d, false);
        }
        break;
    case LF_CBOR_T_MAP:
        if (lf_cbor_enter_map(d, NULL) == LF_OK) {
            walk_container(d, true);
        }
        break;
    case LF_CBOR_T_TAG:
        if (lf_cbor_read_tag(d, &u) == LF_OK) {
            walk_item(d);
        }
        break;
    case LF_CBOR_T_BOOL:
        lf_cbor_read_bool(d, &b);
        break;
    case LF_CBOR_T_NULL:
        lf_cbor_read_null(d);
        break;
    case LF_CBOR_T_END:
        if (!d->err) {
            d->err = LF_E_CBOR_END;
        }
        break;
    default:
        lf_cbor_skip(d);
        break;
    }
}

/* ---- real client payloads ------------------------------------------------ */

struct upload {
    uint32_t image, len, off;
    struct lf_cbor_str sha, data;
    bool upgrade;
    unsigned seen;
};

static int decode_upload(const uint8_t *buf, size_t n, struct upload *u)
{
    struct lf_cbor_dec d;
    struct lf_cbor_str key;
    memset(u, 0, sizeof(*u));
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_map(&d, NULL);
    while (lf_cbor_map_next(&d, &key)) {
        if (lf_cbor_str_eq(&key, "image")) {
            lf_cbor_read_u32(&d, &u->image);
            u->seen |= 1;
        } else if (lf_cbor_str_eq(&key, "len")) {
            lf_cbor_read_u32(&d, &u->len);
            u->seen |= 2;
        } else if (lf_cbor_str_eq(&key, "off")) {
            lf_cbor_read_u32(&d, &u->off);
            u->seen |= 4;
        } else if (lf_cbor_str_eq(&key, "sha")) {
            lf_cbor_read_bytes(&d, &u->sha);
            u->seen |= 8;
        } else if (lf_cbor_str_eq(&key, "data")) {
            lf_cbor_read_bytes(&d, &u->data);
            u->seen |= 16;
        } else if (lf_cbor_str_eq(&key, "upgrade")) {
            lf_cbor_read_bool(&d, &u->upgrade);
            u->seen |= 32;
        }
    }
    lf_cbor_leave(&d);
    return lf_cbor_dec_finish(&d);
}

/* cbor2.dumps({"image":0,"len":1000,"off":0,"sha":bytes(range(32)),
 *              "data":bytes(range(16)),"upgrade":True}) (python smpclient) */
static const char upload_cbor2[] =
    "a665696d61676500636c656e1903e8636f666600637368615820000102030405060708090a0b0c0d0e0f10111213"
    "1415161718191a1b1c1d1e1f646461746150000102030405060708090a0b0c0d0e0f6775706772616465f5";

static void test_upload_cbor2(void **state)
{
    (void)state;
    size_t n;
    uint8_t *buf = unhex(upload_cbor2, &n);
    struct upload u;
    assert_int_equal(decode_upload(buf, n, &u), LF_OK);
    assert_int_equal(u.seen, 63);
    assert_int_equal(u.len, 1000);
    assert_int_equal(u.off, 0);
    assert_int_equal(u.sha.len, 32);
    assert_int_equal(u.sha.ptr[31], 31);
    assert_int_equal(u.data.len, 16);
    assert_ptr_equal(u.data.ptr, buf + n - 8 - 16 - 1);
    assert_true(u.upgrade);

    /* Every truncation fails, with no read past the end (ASan). */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, buf, cut);
        int err = decode_upload(p, cut, &u);
        assert_true(err == LF_E_CBOR_TRUNCATED || err == LF_E_CBOR_END);
        free(p);
    }
    free(buf);
}

/* The same request the way zcbor encodes without canonical mode (indefinite
 * map), with keys in another order, an unknown key holding nested data, and
 * non-minimal integer heads (accepted). */
static void test_upload_indefinite_nonminimal(void **state)
{
    (void)state;
    size_t n;
    uint8_t *buf = unhex("bf"
                         "636f66661a00000200" /* "off": 512 in 4 bytes */
                         "6464617461"
                         "5803"
                         "aabbcc" /* "data": 1-byte length */
                         "65787472617381"
                         "bf6178f9 3c00ff" /* "xtras": [{_ "x": 1.0}] */
                         "65696d616765"
                         "1800" /* "image": 0 in 2 bytes */
                         "ff",
                         &n);
    struct upload u;
    assert_int_equal(decode_upload(buf, n, &u), LF_OK);
    assert_int_equal(u.seen, 1 | 4 | 16);
    assert_int_equal(u.off, 512);
    assert_int_equal(u.data.len, 3);
    assert_int_equal(u.data.ptr[2], 0xcc);
    free(buf);
}

/* Go mcumgr CLI (ugorji codec): definite map, image confirm with a nil hash
 * that may arrive as null or as an empty bstr; both must read as "no hash". */
static int decode_state_write(const char *hex, bool *confirm, size_t *hash_len)
{
    size_t n;
    uint8_t *buf = unhex(hex, &n);
    struct lf_cbor_dec d;
    struct lf_cbor_str key, hash = {0};
    *hash_len = 99;
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_map(&d, NULL);
    while (lf_cbor_map_next(&d, &key)) {
        if (lf_cbor_str_eq(&key, "confirm")) {
            lf_cbor_read_bool(&d, confirm);
        } else if (lf_cbor_str_eq(&key, "hash")) {
            if (lf_cbor_peek(&d) == LF_CBOR_T_NULL) {
                lf_cbor_read_null(&d);
            } else {
                lf_cbor_read_bytes(&d, &hash);
            }
            *hash_len = hash.len;
        }
    }
    lf_cbor_leave(&d);
    int err = lf_cbor_dec_finish(&d);
    free(buf);
    return err;
}

static void test_state_write_go(void **state)
{
    (void)state;
    bool confirm = false;
    size_t hl;
    /* {"confirm": true, "hash": null} */
    assert_int_equal(decode_state_write("a267636f6e6669726df56468617368f6", &confirm, &hl), LF_OK);
    assert_true(confirm);
    assert_int_equal(hl, 0);
    /* {"confirm": false, "hash": h''} */
    assert_int_equal(decode_state_write("a267636f6e6669726df4646861736840", &confirm, &hl), LF_OK);
    assert_false(confirm);
    assert_int_equal(hl, 0);
    /* "hash" as text: type error */
    assert_int_equal(decode_state_write("a16468617368616100", &confirm, &hl), LF_E_CBOR_TYPE);
}

/* Echo request of docs/reference/smp.md 3.1, definite and zcbor-indefinite. */
static void test_echo(void **state)
{
    (void)state;
    static const char *const forms[] = {"a161646568656c6c6f", "bf61646568656c6c6fff"};
    for (int f = 0; f < 2; f++) {
        size_t n;
        uint8_t *buf = unhex(forms[f], &n);
        struct lf_cbor_dec d;
        struct lf_cbor_str key, val = {0};
        size_t count;
        lf_cbor_dec_init(&d, buf, n);
        assert_int_equal(lf_cbor_enter_map(&d, &count), LF_OK);
        assert_int_equal(count, f == 0 ? 1 : SIZE_MAX);
        assert_true(lf_cbor_map_next(&d, &key));
        assert_true(lf_cbor_str_eq(&key, "d"));
        assert_false(lf_cbor_str_eq(&key, ""));
        assert_false(lf_cbor_str_eq(&key, "dd"));
        assert_int_equal(lf_cbor_read_text(&d, &val), LF_OK);
        assert_int_equal(val.len, 5);
        assert_memory_equal(val.ptr, "hello", 5);
        assert_false(lf_cbor_map_next(&d, &key));
        assert_false(lf_cbor_map_next(&d, &key)); /* stays at the end */
        assert_int_equal(lf_cbor_leave(&d), LF_OK);
        assert_int_equal(lf_cbor_dec_finish(&d), LF_OK);
        free(buf);
    }
}

/* A v2 error response with the inner map entered and left half-read, inside
 * an indefinite outer map, followed by a key the caller wants. */
static void test_partial_inner_map(void **state)
{
    (void)state;
    size_t n;
    /* {_ "err": {_ "group": 1, "rc": 9}, "off": 7} */
    uint8_t *buf = unhex("bf 63657272 bf 6567726f7570 01 627263 09 ff 636f6666 07 ff", &n);
    struct lf_cbor_dec d;
    struct lf_cbor_str key;
    uint32_t group = 0, off = 0;
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_map(&d, NULL);
    assert_true(lf_cbor_map_next(&d, &key));
    assert_true(lf_cbor_str_eq(&key, "err"));
    assert_int_equal(lf_cbor_enter_map(&d, NULL), LF_OK);
    assert_true(lf_cbor_map_next(&d, &key));
    assert_int_equal(lf_cbor_read_u32(&d, &group), LF_OK);
    assert_true(lf_cbor_map_next(&d, &key)); /* "rc", value left unread */
    assert_int_equal(lf_cbor_leave(&d), LF_OK);
    assert_true(lf_cbor_map_next(&d, &key));
    assert_true(lf_cbor_str_eq(&key, "off"));
    assert_int_equal(lf_cbor_read_u32(&d, &off), LF_OK);
    assert_int_equal(lf_cbor_leave(&d), LF_OK);
    assert_int_equal(lf_cbor_dec_finish(&d), LF_OK);
    assert_int_equal(group, 1);
    assert_int_equal(off, 7);
    free(buf);
}

/* An array of image maps read item by item with lf_cbor_dec_more. */
static void test_array_iteration(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "a16669 6d6167657383 a1 64736c6f7400 a1 64736c6f7401 a0",   /* definite */
        "a16669 6d616765739f a1 64736c6f7400 a1 64736c6f7401 a0ff", /* indefinite */
    };
    for (int f = 0; f < 2; f++) {
        size_t n;
        uint8_t *buf = unhex(forms[f], &n);
        struct lf_cbor_dec d;
        struct lf_cbor_str key;
        unsigned items = 0;
        uint32_t slots = 0;
        lf_cbor_dec_init(&d, buf, n);
        lf_cbor_enter_map(&d, NULL);
        assert_true(lf_cbor_map_next(&d, &key));
        assert_true(lf_cbor_str_eq(&key, "images"));
        lf_cbor_enter_array(&d, NULL);
        while (lf_cbor_dec_more(&d)) {
            lf_cbor_enter_map(&d, NULL);
            while (lf_cbor_map_next(&d, &key)) {
                uint32_t slot;
                lf_cbor_read_u32(&d, &slot);
                slots += slot + 1;
            }
            lf_cbor_leave(&d);
            items++;
        }
        lf_cbor_leave(&d);
        lf_cbor_leave(&d);
        assert_int_equal(lf_cbor_dec_finish(&d), LF_OK);
        assert_int_equal(items, 3);
        assert_int_equal(slots, 3);
        free(buf);
    }
}

/* ---- integers ------------------------------------------------------------ */

static void test_integers(void **state)
{
    (void)state;
    size_t n;
    /* cbor2.dumps([0,23,24,255,256,65535,65536,2**32-1,2**32,2**64-1,
     *              -1,-24,-25,-256,-257,-2**63,-2**64]) */
    uint8_t *buf = unhex("910017181818ff19010019ffff1a000100001affffffff1b00000001000000001bff"
                         "ffffffffffffff2037381838ff3901003b7fffffffffffffff3bffffffffffffffff",
                         &n);
    static const uint64_t u[] = {0,     23,    24,          255,          256,
                                 65535, 65536, 0xFFFFFFFFu, 0x100000000u, UINT64_MAX};
    static const int64_t s[] = {-1, -24, -25, -256, -257, INT64_MIN};
    struct lf_cbor_dec d;
    lf_cbor_dec_init(&d, buf, n);
    size_t count;
    assert_int_equal(lf_cbor_enter_array(&d, &count), LF_OK);
    assert_int_equal(count, 17);
    for (size_t i = 0; i < 10; i++) {
        uint64_t v;
        assert_int_equal(lf_cbor_peek(&d), LF_CBOR_T_UINT);
        assert_int_equal(lf_cbor_read_uint(&d, &v), LF_OK);
        assert_true(v == u[i]);
    }
    for (size_t i = 0; i < 6; i++) {
        int64_t v;
        assert_int_equal(lf_cbor_peek(&d), LF_CBOR_T_NINT);
        assert_int_equal(lf_cbor_read_int(&d, &v), LF_OK);
        assert_true(v == s[i]);
    }
    int64_t v = 42;
    assert_int_equal(lf_cbor_read_int(&d, &v), LF_E_CBOR_INT_RANGE); /* -2^64 */
    assert_true(v == 42);
    free(buf);

    struct {
        const char *hex;
        int want_u32, want_int, want_uint;
        int64_t value;
    } cases[] = {
        {"1affffffff", LF_OK, LF_OK, LF_OK, 0xFFFFFFFF},
        {"1b0000000100000000", LF_E_CBOR_INT_RANGE, LF_OK, LF_OK, 0x100000000},
        {"1b7fffffffffffffff", LF_E_CBOR_INT_RANGE, LF_OK, LF_OK, INT64_MAX},
        {"1b8000000000000000", LF_E_CBOR_INT_RANGE, LF_E_CBOR_INT_RANGE, LF_OK, 0},
        {"3b7fffffffffffffff", LF_E_CBOR_INT_RANGE, LF_OK, LF_E_CBOR_INT_RANGE, INT64_MIN},
        {"3b8000000000000000", LF_E_CBOR_INT_RANGE, LF_E_CBOR_INT_RANGE, LF_E_CBOR_INT_RANGE, 0},
        {"20", LF_E_CBOR_INT_RANGE, LF_OK, LF_E_CBOR_INT_RANGE, -1},
        {"1b0000000000000005", LF_OK, LF_OK, LF_OK, 5}, /* non-minimal heads */
        {"1905", LF_E_CBOR_TRUNCATED, LF_E_CBOR_TRUNCATED, LF_E_CBOR_TRUNCATED, 0},
        {"f5", LF_E_CBOR_TYPE, LF_E_CBOR_TYPE, LF_E_CBOR_TYPE, 0},
        {"c11a514b67b0", LF_E_CBOR_TYPE, LF_E_CBOR_TYPE, LF_E_CBOR_TYPE, 0}, /* tagged */
        {"", LF_E_CBOR_END, LF_E_CBOR_END, LF_E_CBOR_END, 0},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        buf = unhex(cases[c].hex, &n);
        uint32_t v32;
        uint64_t v64;
        int64_t vi;
        lf_cbor_dec_init(&d, buf, n);
        assert_int_equal(lf_cbor_read_u32(&d, &v32), cases[c].want_u32);
        if (!cases[c].want_u32) {
            assert_true(v32 == (uint64_t)cases[c].value);
        }
        lf_cbor_dec_init(&d, buf, n);
        assert_int_equal(lf_cbor_read_int(&d, &vi), cases[c].want_int);
        if (!cases[c].want_int) {
            assert_true(vi == cases[c].value);
        }
        lf_cbor_dec_init(&d, buf, n);
        assert_int_equal(lf_cbor_read_uint(&d, &v64), cases[c].want_uint);
        free(buf);
    }
}

/* ---- peek, simple values, tags, strings ----------------------------------- */

static void test_peek_and_simple(void **state)
{
    (void)state;
    size_t n;
    /* [0, -1, h'', "", [], {}, 1(0), false, null, undefined, simple(16),
     *  simple(255), 1.5 half, 100000.0 single, 1.1 double] */
    uint8_t *buf = unhex(
        "8f 00 20 40 60 80 a0 c100 f4 f6 f7 f0 f8ff f93e00 fa47c35000 fb3ff199999999999a", &n);
    static const enum lf_cbor_type want[] = {
        LF_CBOR_T_UINT,   LF_CBOR_T_NINT,   LF_CBOR_T_BYTES, LF_CBOR_T_TEXT,  LF_CBOR_T_ARRAY,
        LF_CBOR_T_MAP,    LF_CBOR_T_TAG,    LF_CBOR_T_BOOL,  LF_CBOR_T_NULL,  LF_CBOR_T_UNDEFINED,
        LF_CBOR_T_SIMPLE, LF_CBOR_T_SIMPLE, LF_CBOR_T_FLOAT, LF_CBOR_T_FLOAT, LF_CBOR_T_FLOAT,
    };
    struct lf_cbor_dec d;
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_array(&d, NULL);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        size_t pos = d.pos;
        assert_int_equal(lf_cbor_peek(&d), want[i]);
        assert_int_equal(d.pos, pos); /* peek consumes nothing */
        if (want[i] == LF_CBOR_T_TAG) {
            uint64_t tag = 0;
            assert_int_equal(lf_cbor_read_tag(&d, &tag), LF_OK);
            assert_true(tag == 1);
            assert_int_equal(lf_cbor_peek(&d), LF_CBOR_T_UINT);
        }
        assert_int_equal(lf_cbor_skip(&d), LF_OK);
    }
    assert_int_equal(lf_cbor_peek(&d), LF_CBOR_T_END);
    assert_false(lf_cbor_dec_more(&d));
    assert_int_equal(lf_cbor_skip(&d), LF_E_CBOR_END); /* past the end */
    assert_int_equal(lf_cbor_peek(&d), LF_CBOR_T_END);
    free(buf);

    bool b = false;
    buf = unhex("83f5f4f6", &n);
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_array(&d, NULL);
    assert_int_equal(lf_cbor_read_bool(&d, &b), LF_OK);
    assert_true(b);
    assert_int_equal(lf_cbor_read_bool(&d, &b), LF_OK);
    assert_false(b);
    assert_int_equal(lf_cbor_read_bool(&d, &b), LF_E_CBOR_TYPE); /* null is not a bool */
    free(buf);

    buf = unhex("f7", &n);
    lf_cbor_dec_init(&d, buf, n);
    assert_int_equal(lf_cbor_read_null(&d), LF_E_CBOR_TYPE); /* undefined is not null */
    free(buf);

    /* A tag must be followed by its item. */
    buf = unhex("9fc1ff", &n);
    lf_cbor_dec_init(&d, buf, n);
    uint64_t tag;
    lf_cbor_enter_array(&d, NULL);
    assert_int_equal(lf_cbor_read_tag(&d, &tag), LF_E_CBOR_UNEXPECTED_BREAK);
    free(buf);
    buf = unhex("c1", &n);
    lf_cbor_dec_init(&d, buf, n);
    assert_int_equal(lf_cbor_read_tag(&d, &tag), LF_E_CBOR_TRUNCATED);
    free(buf);
}

static void test_strings(void **state)
{
    (void)state;
    size_t n;
    struct lf_cbor_str s;
    struct lf_cbor_dec d;
    /* text with a non-minimal 1-byte length, then bytes with a 2-byte one */
    uint8_t *buf = unhex("827803616263590002ffee", &n);
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_array(&d, NULL);
    assert_int_equal(lf_cbor_read_bytes(&d, &s), LF_E_CBOR_TYPE); /* text is not bytes */
    assert_int_equal(d.pos, 1);                                   /* nothing consumed */
    d.err = 0;
    assert_int_equal(lf_cbor_read_text(&d, &s), LF_OK);
    assert_int_equal(s.len, 3);
    assert_memory_equal(s.ptr, "abc", 3);
    assert_int_equal(lf_cbor_read_bytes(&d, &s), LF_OK);
    assert_int_equal(s.len, 2);
    assert_int_equal(s.ptr[0], 0xff);
    assert_int_equal(lf_cbor_leave(&d), LF_OK);
    assert_int_equal(lf_cbor_dec_finish(&d), LF_OK);
    free(buf);

    /* Chunked strings: skipped fine, refused as values. */
    buf = unhex("825f42010243030405ff7f657374726561646d696e67ff", &n);
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_array(&d, NULL);
    assert_int_equal(lf_cbor_peek(&d), LF_CBOR_T_BYTES);
    assert_int_equal(lf_cbor_read_bytes(&d, &s), LF_E_CBOR_INDEF_STRING);
    free(buf);
    assert_int_equal(skip_all_hex("825f42010243030405ff7f657374726561646d696e67ff"), LF_OK);

    /* A string longer than the input. */
    buf = unhex("6461626364", &n); /* says 4, has 4: fine */
    lf_cbor_dec_init(&d, buf, n);
    assert_int_equal(lf_cbor_read_text(&d, &s), LF_OK);
    free(buf);
    buf = unhex("7b7fffffffffffffff010203", &n);
    lf_cbor_dec_init(&d, buf, n);
    assert_int_equal(lf_cbor_read_text(&d, &s), LF_E_CBOR_TRUNCATED);
    free(buf);
}

/* ---- well-formed and malformed inputs ------------------------------------ */

/* RFC 8949 Appendix A examples (well-formed), skipped as a sequence. */
static void test_rfc8949_wellformed(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "00", "17", "1818", "1903e8", "1bffffffffffffffff", "c249010000000000000000",
        "3bffffffffffffffff", "c349010000000000000000", "3903e7", "f90000", "f98000", "f93c00",
        "fb3ff199999999999a", "f93e00", "f97bff", "fa47c35000", "fa7f7fffff", "fb7e37e43c8800759c",
        "f90001", "f90400", "f9c400", "fbc010666666666666", "f97c00", "f97e00", "f9fc00",
        "fa7f800000", "fa7fc00000", "faff800000", "fb7ff0000000000000", "fb7ff8000000000000",
        "fbfff0000000000000", "f4", "f5", "f6", "f7", "f0", "f820", "f8ff",
        "c074323031332d30332d32315432303a30343a30305a", "c11a514b67b0", "c1fb41d452d9ec200000",
        "d74401020304", "d818456449455446", "d82076687474703a2f2f7777772e6578616d706c652e636f6d",
        "40", "4401020304", "60", "6161", "6449455446", "62225c", "62c3bc", "63e6b0b4",
        "64f0908591", "80", "83010203", "8301820203820405",
        "98190102030405060708090a0b0c0d0e0f101112131415161718181819", "a0", "a201020304",
        "a26161016162820203", "826161a161626163", "a56161614161626142616361436164614461656145",
        "5f42010243030405ff", "7f657374726561646d696e67ff", "9fff", "9f018202039f0405ffff",
        "9f01820203820405ff", "83018202039f0405ff", "83019f0203ff820405",
        "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff", "bf61610161629f0203ffff",
        "826161bf61626163ff", "bf6346756ef563416d7421ff",
        /* a sequence of several items, and nesting right at the depth limit */
        "0001020304",
        "8181818181818181"
        "00",
        "9f9f9f9f9f9f9f9fffffffffffffffff", "c1c1c1c1c1c1c1c1c1c100", "5fff", "7f60ff",
        "81818181818181815f4100ff", /* a chunked string is not a level */
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int err = skip_all_hex(ok[i]);
        if (err) {
            fail_msg("%s: %s", ok[i], lf_err_name(err));
        }
    }
}

/* RFC 8949 Appendix F (not well-formed) plus our own limits, each with the
 * precise error. */
static void test_rfc8949_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *hex;
        int err;
    } bad[] = {
        /* end of input in a head */
        {"18", LF_E_CBOR_TRUNCATED},
        {"19", LF_E_CBOR_TRUNCATED},
        {"1a", LF_E_CBOR_TRUNCATED},
        {"1b", LF_E_CBOR_TRUNCATED},
        {"1901", LF_E_CBOR_TRUNCATED},
        {"1a0102", LF_E_CBOR_TRUNCATED},
        {"1b01020304050607", LF_E_CBOR_TRUNCATED},
        {"38", LF_E_CBOR_TRUNCATED},
        {"58", LF_E_CBOR_TRUNCATED},
        {"78", LF_E_CBOR_TRUNCATED},
        {"98", LF_E_CBOR_TRUNCATED},
        {"9a01ff00", LF_E_CBOR_TRUNCATED},
        {"b8", LF_E_CBOR_TRUNCATED},
        {"d8", LF_E_CBOR_TRUNCATED},
        {"f8", LF_E_CBOR_TRUNCATED},
        {"f900", LF_E_CBOR_TRUNCATED},
        {"fa0000", LF_E_CBOR_TRUNCATED},
        {"fb000000", LF_E_CBOR_TRUNCATED},
        /* definite strings with short data */
        {"41", LF_E_CBOR_TRUNCATED},
        {"61", LF_E_CBOR_TRUNCATED},
        {"5affffffff00", LF_E_CBOR_TRUNCATED},
        {"5bffffffffffffffff010203", LF_E_CBOR_TRUNCATED},
        {"7affffffff00", LF_E_CBOR_TRUNCATED},
        {"7b7fffffffffffffff010203", LF_E_CBOR_TRUNCATED},
        /* definite containers short of items */
        {"81", LF_E_CBOR_TRUNCATED},
        {"818181818181818181", LF_E_CBOR_TOO_DEEP}, /* depth is checked first */
        {"8200", LF_E_CBOR_TRUNCATED},
        {"a1", LF_E_CBOR_TRUNCATED},
        {"a20102", LF_E_CBOR_TRUNCATED},
        {"a100", LF_E_CBOR_TRUNCATED},
        {"a2000000", LF_E_CBOR_TRUNCATED},
        {"9bffffffffffffffff00", LF_E_CBOR_TRUNCATED}, /* 2^64-1 items in 1 byte */
        /* tag without content */
        {"c0", LF_E_CBOR_TRUNCATED},
        /* indefinite items not closed */
        {"5f4100", LF_E_CBOR_TRUNCATED},
        {"7f6100", LF_E_CBOR_TRUNCATED},
        {"9f", LF_E_CBOR_TRUNCATED},
        {"9f0102", LF_E_CBOR_TRUNCATED},
        {"bf", LF_E_CBOR_TRUNCATED},
        {"bf01020102", LF_E_CBOR_TRUNCATED},
        {"819f", LF_E_CBOR_TRUNCATED},
        {"9f8000", LF_E_CBOR_TRUNCATED},
        {"9f9f9f9f9fffffffff", LF_E_CBOR_TRUNCATED},
        {"9f819f819f9fffffff", LF_E_CBOR_TRUNCATED},
        /* reserved additional information */
        {"1c", LF_E_CBOR_RESERVED_AI},
        {"1d", LF_E_CBOR_RESERVED_AI},
        {"1e", LF_E_CBOR_RESERVED_AI},
        {"3c", LF_E_CBOR_RESERVED_AI},
        {"3d", LF_E_CBOR_RESERVED_AI},
        {"3e", LF_E_CBOR_RESERVED_AI},
        {"5c", LF_E_CBOR_RESERVED_AI},
        {"5d", LF_E_CBOR_RESERVED_AI},
        {"5e", LF_E_CBOR_RESERVED_AI},
        {"7c", LF_E_CBOR_RESERVED_AI},
        {"7d", LF_E_CBOR_RESERVED_AI},
        {"7e", LF_E_CBOR_RESERVED_AI},
        {"9c", LF_E_CBOR_RESERVED_AI},
        {"9d", LF_E_CBOR_RESERVED_AI},
        {"9e", LF_E_CBOR_RESERVED_AI},
        {"bc", LF_E_CBOR_RESERVED_AI},
        {"bd", LF_E_CBOR_RESERVED_AI},
        {"be", LF_E_CBOR_RESERVED_AI},
        {"dc", LF_E_CBOR_RESERVED_AI},
        {"dd", LF_E_CBOR_RESERVED_AI},
        {"de", LF_E_CBOR_RESERVED_AI},
        {"fc", LF_E_CBOR_RESERVED_AI},
        {"fd", LF_E_CBOR_RESERVED_AI},
        {"fe", LF_E_CBOR_RESERVED_AI},
        {"8201fc", LF_E_CBOR_RESERVED_AI},
        /* reserved two-byte simple values */
        {"f800", LF_E_CBOR_BAD_SIMPLE},
        {"f801", LF_E_CBOR_BAD_SIMPLE},
        {"f818", LF_E_CBOR_BAD_SIMPLE}, /* RFC 7049 listed it; RFC 8949 does not */
        {"f81f", LF_E_CBOR_BAD_SIMPLE},
        /* chunks of the wrong type or indefinite */
        {"5f00ff", LF_E_CBOR_BAD_CHUNK},
        {"5f21ff", LF_E_CBOR_BAD_CHUNK},
        {"5f6100ff", LF_E_CBOR_BAD_CHUNK},
        {"5f80ff", LF_E_CBOR_BAD_CHUNK},
        {"5fa0ff", LF_E_CBOR_BAD_CHUNK},
        {"5fc000ff", LF_E_CBOR_BAD_CHUNK},
        {"5fe0ff", LF_E_CBOR_BAD_CHUNK},
        {"7f4100ff", LF_E_CBOR_BAD_CHUNK},
        {"5f5f4100ffff", LF_E_CBOR_BAD_CHUNK},
        {"7f7f6100ffff", LF_E_CBOR_BAD_CHUNK},
        /* break outside an indefinite item */
        {"ff", LF_E_CBOR_UNEXPECTED_BREAK},
        {"81ff", LF_E_CBOR_UNEXPECTED_BREAK},
        {"8200ff", LF_E_CBOR_UNEXPECTED_BREAK},
        {"a1ff", LF_E_CBOR_TRUNCATED}, /* 1 pair cannot fit in 1 byte: caught first */
        {"a1ff00", LF_E_CBOR_UNEXPECTED_BREAK},
        {"a100ff", LF_E_CBOR_UNEXPECTED_BREAK},
        {"a20000ff", LF_E_CBOR_TRUNCATED}, /* 2 pairs cannot fit in 3 bytes */
        {"9f81ff", LF_E_CBOR_UNEXPECTED_BREAK},
        {"9f829f819f9fffffffff", LF_E_CBOR_UNEXPECTED_BREAK},
        {"c0ff", LF_E_CBOR_UNEXPECTED_BREAK},
        {"9fc0ff", LF_E_CBOR_UNEXPECTED_BREAK},
        {"00ff", LF_E_CBOR_UNEXPECTED_BREAK},
        /* odd number of items in an indefinite map */
        {"bf00ff", LF_E_CBOR_ODD_MAP},
        {"bf000000ff", LF_E_CBOR_ODD_MAP},
        /* indefinite length on majors 0, 1, 6 */
        {"1f", LF_E_CBOR_BAD_INDEFINITE},
        {"3f", LF_E_CBOR_BAD_INDEFINITE},
        {"df", LF_E_CBOR_BAD_INDEFINITE},
        /* nesting deeper than LF_CBOR_MAX_DEPTH */
        {"818181818181818181"
         "00",
         LF_E_CBOR_TOO_DEEP},
        {"9f9f9f9f9f9f9f9f9fffffffffffffffffff", LF_E_CBOR_TOO_DEEP},
        {"a1 00 a1 00 a1 00 a1 00 a1 00 a1 00 a1 00 a1 00 a1 00 00", LF_E_CBOR_TOO_DEEP},
        {"5f5f", LF_E_CBOR_BAD_CHUNK},
        {"8181818181818181a0", LF_E_CBOR_TOO_DEEP}, /* empty containers count too */
        {"8181818181818181bf00ff", LF_E_CBOR_TOO_DEEP},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int err = skip_all_hex(bad[i].hex);
        if (err != bad[i].err) {
            fail_msg("%s: got %s, want %s", bad[i].hex, lf_err_name(err), lf_err_name(bad[i].err));
        }
        /* The typed API agrees that it is not well-formed. */
        if (bad[i].err) {
            size_t n;
            uint8_t *buf = unhex(bad[i].hex, &n);
            struct lf_cbor_dec d;
            lf_cbor_dec_init(&d, buf, n);
            while (!d.err && lf_cbor_dec_more(&d)) {
                walk_item(&d);
            }
            assert_int_not_equal(lf_cbor_dec_finish(&d), LF_OK);
            free(buf);
        }
    }
}

/* ---- structure errors ------------------------------------------------------ */

static void test_depth_enter(void **state)
{
    (void)state;
    size_t n;
    uint8_t *buf = unhex("818181818181818181"
                         "00",
                         &n);
    struct lf_cbor_dec d;
    lf_cbor_dec_init(&d, buf, n);
    for (int i = 0; i < LF_CBOR_MAX_DEPTH; i++) {
        assert_int_equal(lf_cbor_enter_array(&d, NULL), LF_OK);
    }
    assert_int_equal(lf_cbor_enter_array(&d, NULL), LF_E_CBOR_TOO_DEEP);
    free(buf);

    /* Entered levels count against the skip limit too. */
    buf = unhex("8181818181818181"
                "00",
                &n);
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_array(&d, NULL);
    lf_cbor_enter_array(&d, NULL);
    assert_int_equal(lf_cbor_skip(&d), LF_OK); /* 2 entered + 6 skipped */
    free(buf);
    buf = unhex("818181818181818181"
                "00",
                &n);
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_array(&d, NULL);
    lf_cbor_enter_array(&d, NULL);
    assert_int_equal(lf_cbor_skip(&d), LF_E_CBOR_TOO_DEEP); /* 2 + 7 */
    free(buf);
}

static void test_structure_errors(void **state)
{
    (void)state;
    size_t n;
    struct lf_cbor_dec d;
    struct lf_cbor_str key;
    uint32_t v;

    /* Non-text key in a map. */
    uint8_t *buf = unhex("a10102", &n);
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_map(&d, NULL);
    assert_false(lf_cbor_map_next(&d, &key));
    assert_int_equal(lf_cbor_dec_finish(&d), LF_E_CBOR_TYPE);
    free(buf);

    /* Chunked text key. */
    buf = unhex("bf7f6161ff01ff", &n);
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_map(&d, NULL);
    assert_false(lf_cbor_map_next(&d, &key));
    assert_int_equal(d.err, LF_E_CBOR_INDEF_STRING);
    free(buf);

    /* Walker outside a map, entering the wrong kind. */
    buf = unhex("8100", &n);
    lf_cbor_dec_init(&d, buf, n);
    assert_false(lf_cbor_map_next(&d, &key));
    assert_int_equal(d.err, LF_E_CBOR_TYPE);
    lf_cbor_dec_init(&d, buf, n);
    assert_int_equal(lf_cbor_enter_map(&d, NULL), LF_E_CBOR_TYPE);
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_array(&d, NULL);
    assert_false(lf_cbor_map_next(&d, &key));
    assert_int_equal(d.err, LF_E_CBOR_TYPE);
    free(buf);

    /* Reading past the end of a definite and an indefinite container. */
    static const char *const one[] = {"8100", "9f00ff"};
    for (int f = 0; f < 2; f++) {
        buf = unhex(one[f], &n);
        lf_cbor_dec_init(&d, buf, n);
        lf_cbor_enter_array(&d, NULL);
        assert_int_equal(lf_cbor_read_u32(&d, &v), LF_OK);
        assert_false(lf_cbor_dec_more(&d));
        assert_int_equal(d.err, LF_OK); /* asking is not an error */
        assert_int_equal(lf_cbor_read_u32(&d, &v), LF_E_CBOR_END);
        free(buf);
    }

    /* Leave at top level; finish with a container still entered. */
    buf = unhex("a0", &n);
    lf_cbor_dec_init(&d, buf, n);
    assert_int_equal(lf_cbor_leave(&d), LF_E_CBOR_UNBALANCED);
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_map(&d, NULL);
    assert_int_equal(lf_cbor_dec_finish(&d), LF_E_CBOR_UNBALANCED);
    free(buf);

    /* Trailing garbage after the payload map. */
    buf = unhex("a0 00", &n);
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_map(&d, NULL);
    assert_int_equal(lf_cbor_leave(&d), LF_OK);
    assert_int_equal(lf_cbor_dec_finish(&d), LF_E_CBOR_TRAILING);
    free(buf);

    /* An empty payload has no map. */
    lf_cbor_dec_init(&d, NULL, 0);
    assert_int_equal(lf_cbor_peek(&d), LF_CBOR_T_END);
    assert_int_equal(lf_cbor_enter_map(&d, NULL), LF_E_CBOR_END);

    /* Leave skips a pending value in an indefinite map, and checks the break. */
    buf = unhex("bf616b9f0102ff", &n); /* break missing */
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_map(&d, NULL);
    assert_true(lf_cbor_map_next(&d, &key));
    assert_int_equal(lf_cbor_leave(&d), LF_E_CBOR_TRUNCATED);
    free(buf);
    buf = unhex("bf616bff", &n); /* key, then break */
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_map(&d, NULL);
    assert_true(lf_cbor_map_next(&d, &key));
    assert_false(lf_cbor_map_next(&d, &key));
    assert_int_equal(d.err, LF_E_CBOR_ODD_MAP);
    free(buf);
}

static void test_errors_are_sticky(void **state)
{
    (void)state;
    size_t n;
    uint8_t *buf = unhex("82f50a", &n);
    struct lf_cbor_dec d;
    uint32_t v = 7;
    struct lf_cbor_str s;
    lf_cbor_dec_init(&d, buf, n);
    lf_cbor_enter_array(&d, NULL);
    assert_int_equal(lf_cbor_read_u32(&d, &v), LF_E_CBOR_TYPE);
    size_t pos = d.pos;
    /* Even a read that would now succeed does nothing. */
    bool b;
    assert_int_equal(lf_cbor_read_bool(&d, &b), LF_E_CBOR_TYPE);
    assert_int_equal(lf_cbor_skip(&d), LF_E_CBOR_TYPE);
    assert_int_equal(lf_cbor_read_text(&d, &s), LF_E_CBOR_TYPE);
    assert_int_equal(lf_cbor_leave(&d), LF_E_CBOR_TYPE);
    assert_int_equal(lf_cbor_enter_map(&d, NULL), LF_E_CBOR_TYPE);
    assert_int_equal(lf_cbor_peek(&d), LF_CBOR_T_END);
    assert_false(lf_cbor_dec_more(&d));
    assert_int_equal(d.pos, pos);
    assert_int_equal(v, 7);
    assert_int_equal(lf_cbor_dec_finish(&d), LF_E_CBOR_TYPE);
    assert_string_equal(lf_err_name(LF_E_CBOR_TYPE), "CBOR_TYPE");
    free(buf);
}

/* Encode with our encoder, decode with our decoder: a response with every
 * kind of value, the data bstr of every length around head-size steps. */
static void test_round_trip(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 23, 24, 255, 256, 1000, 65535, 65536};
    uint8_t *data = malloc(70000);
    uint8_t *buf = malloc(70100);
    for (size_t i = 0; i < 70000; i++) {
        data[i] = (uint8_t)(i * 7 + 3);
    }
    for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
        struct lf_cbor_enc e;
        lf_cbor_enc_init(&e, buf, 70100);
        lf_cbor_enc_map_open(&e);
        lf_cbor_enc_text_z(&e, "off");
        lf_cbor_enc_uint(&e, lens[l]);
        lf_cbor_enc_text_z(&e, "data");
        lf_cbor_enc_bytes(&e, data, lens[l]);
        lf_cbor_enc_text_z(&e, "neg");
        lf_cbor_enc_int(&e, -(int64_t)lens[l] - 1);
        lf_cbor_enc_text_z(&e, "ok");
        lf_cbor_enc_bool(&e, true);
        lf_cbor_enc_map_close(&e);
        size_t len;
        assert_int_equal(lf_cbor_enc_finish(&e, &len), LF_OK);

        struct lf_cbor_dec d;
        struct lf_cbor_str key, got = {0};
        uint64_t off = 0;
        int64_t neg = 0;
        bool ok = false;
        lf_cbor_dec_init(&d, buf, len);
        lf_cbor_enter_map(&d, NULL);
        while (lf_cbor_map_next(&d, &key)) {
            if (lf_cbor_str_eq(&key, "off")) {
                lf_cbor_read_uint(&d, &off);
            } else if (lf_cbor_str_eq(&key, "data")) {
                lf_cbor_read_bytes(&d, &got);
            } else if (lf_cbor_str_eq(&key, "neg")) {
                lf_cbor_read_int(&d, &neg);
            } else if (lf_cbor_str_eq(&key, "ok")) {
                lf_cbor_read_bool(&d, &ok);
            }
        }
        lf_cbor_leave(&d);
        assert_int_equal(lf_cbor_dec_finish(&d), LF_OK);
        assert_true(off == lens[l]);
        assert_true(neg == -(int64_t)lens[l] - 1);
        assert_true(ok);
        assert_int_equal(got.len, lens[l]);
        if (lens[l]) {
            assert_memory_equal(got.ptr, data, lens[l]);
        }
    }
    free(data);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_upload_cbor2),
        cmocka_unit_test(test_upload_indefinite_nonminimal),
        cmocka_unit_test(test_state_write_go),
        cmocka_unit_test(test_echo),
        cmocka_unit_test(test_partial_inner_map),
        cmocka_unit_test(test_array_iteration),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_peek_and_simple),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_rfc8949_wellformed),
        cmocka_unit_test(test_rfc8949_malformed),
        cmocka_unit_test(test_depth_enter),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_errors_are_sticky),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
