#ifndef LF_CBOR_H
#define LF_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Bounded CBOR (RFC 8949) encoder and pull decoder for SMP payloads.
 *
 * No heap, no recursion, no globals: all state lives in a caller-owned struct.
 * Errors are sticky: the first failure is stored in the state (`err`) and every
 * later call on that state is a no-op returning the same error, so a caller may
 * issue a whole sequence of calls and check once at the end, or use the
 * `if (err) return err;` style after each call. Every function returning int
 * returns LF_OK (0) or that stored negative lf_err.
 *
 * Encoder: writes minimal-length heads and definite-length containers only.
 * Containers whose item count is not known up front are opened with
 * lf_cbor_enc_map_open()/lf_cbor_enc_array_open() and closed with the matching
 * *_close(): the head is reserved and patched at close (moving the content if
 * the count needs a longer head), so the output is still definite-length.
 *
 * Decoder: a cursor over a const buffer. Reads consume one item of the current
 * container; lf_cbor_enter_map()/lf_cbor_enter_array() descend and
 * lf_cbor_leave() returns to the parent, skipping whatever the caller did not
 * read. Both definite and indefinite containers are accepted (Zephyr/zcbor,
 * Go ugorji and python cbor2 produce both). Non-minimal heads are accepted.
 * Text is returned as pointer+length into the input (zero copy; not checked
 * for valid UTF-8, not NUL-terminated). Indefinite-length (chunked) byte and
 * text strings are well-formed and are skipped, but reading one as a value
 * fails with LF_E_CBOR_INDEF_STRING: zero-copy needs a contiguous string and
 * no known SMP client sends chunked strings. Floats, tags, undefined and other
 * simple values can be peeked at and skipped; tags can be read with
 * lf_cbor_read_tag().
 *
 * Typical request decoding (unknown keys are skipped automatically):
 *
 *   struct lf_cbor_dec d;
 *   struct lf_cbor_str key;
 *   lf_cbor_dec_init(&d, payload, payload_len);
 *   lf_cbor_enter_map(&d, NULL);
 *   while (lf_cbor_map_next(&d, &key)) {
 *       if (lf_cbor_str_eq(&key, "off")) {
 *           lf_cbor_read_u32(&d, &off);
 *       } else if (lf_cbor_str_eq(&key, "data")) {
 *           lf_cbor_read_bytes(&d, &data);
 *       }
 *   }
 *   lf_cbor_leave(&d);
 *   err = lf_cbor_dec_finish(&d);  // also rejects trailing bytes
 */

/* Deepest container nesting accepted by the decoder (entered containers plus
 * containers inside a skipped item; empty ones count, chunked strings do not)
 * and by the encoder (containers being written). */
#define LF_CBOR_MAX_DEPTH 8

/* Major types (high three bits of the initial byte). */
#define LF_CBOR_MAJOR_UINT   0u
#define LF_CBOR_MAJOR_NINT   1u
#define LF_CBOR_MAJOR_BYTES  2u
#define LF_CBOR_MAJOR_TEXT   3u
#define LF_CBOR_MAJOR_ARRAY  4u
#define LF_CBOR_MAJOR_MAP    5u
#define LF_CBOR_MAJOR_TAG    6u
#define LF_CBOR_MAJOR_SIMPLE 7u

/* Largest encoded head: initial byte + 8-byte argument. */
#define LF_CBOR_HEAD_MAX 9u

/* A string inside a decoder's input: not NUL-terminated, never NULL when
 * len > 0. */
struct lf_cbor_str {
    const uint8_t *ptr;
    size_t len;
};

/* ---- encoder ----------------------------------------------------------- */

/* One level of container being encoded (internal; do not touch). */
struct lf_cbor_enc_frame {
    size_t head_pos; /* offset of the container's head in buf */
    size_t count;    /* items written at this level (keys and values count separately) */
    size_t expect;   /* items announced by a definite head; SIZE_MAX for open containers */
    uint8_t major;   /* LF_CBOR_MAJOR_ARRAY or LF_CBOR_MAJOR_MAP */
};

struct lf_cbor_enc {
    uint8_t *buf;
    size_t cap;
    size_t pos; /* bytes written so far */
    int err;    /* sticky error, LF_OK while all is well */
    uint8_t depth;
    struct lf_cbor_enc_frame stack[LF_CBOR_MAX_DEPTH];
};

/* Start encoding into buf[0..cap). buf may be NULL only when cap is 0 (every
 * write then fails with LF_E_CBOR_NO_SPACE, which is a way to measure). */
void lf_cbor_enc_init(struct lf_cbor_enc *e, uint8_t *buf, size_t cap);

/* Integers. lf_cbor_enc_negint(e, n) encodes the value -1 - n (major type 1),
 * so the whole CBOR negative range down to -2^64 is reachable. */
int lf_cbor_enc_uint(struct lf_cbor_enc *e, uint64_t v);
int lf_cbor_enc_int(struct lf_cbor_enc *e, int64_t v);
int lf_cbor_enc_negint(struct lf_cbor_enc *e, uint64_t n);
int lf_cbor_enc_bool(struct lf_cbor_enc *e, bool v);
int lf_cbor_enc_null(struct lf_cbor_enc *e);

/* Strings. `s` may be NULL only when len is 0. lf_cbor_enc_text_z takes a
 * NUL-terminated string (handy for map keys). */
int lf_cbor_enc_text(struct lf_cbor_enc *e, const char *s, size_t len);
int lf_cbor_enc_text_z(struct lf_cbor_enc *e, const char *s);
int lf_cbor_enc_bytes(struct lf_cbor_enc *e, const uint8_t *p, size_t len);

/* Write a byte-string head for `len` bytes and hand out *dst, where the caller
 * writes the len bytes itself (e.g. reading flash straight into a response).
 * *dst is set to NULL on error. *dst stays valid until the next call that
 * closes an enclosing open container (closing may move the content). */
int lf_cbor_enc_bytes_reserve(struct lf_cbor_enc *e, size_t len, uint8_t **dst);

/* Definite containers of known size: a map of n key/value pairs, an array of
 * n items. The encoder counts the following items and returns to the parent
 * level by itself after the last one. */
int lf_cbor_enc_map(struct lf_cbor_enc *e, size_t n_pairs);
int lf_cbor_enc_array(struct lf_cbor_enc *e, size_t n_items);

/* Containers of unknown size: open, write items, close. Output is still a
 * definite-length container with a minimal head. Closing the wrong kind, a
 * map with a key but no value, or while an inner definite container is
 * incomplete fails with LF_E_CBOR_UNBALANCED. */
int lf_cbor_enc_map_open(struct lf_cbor_enc *e);
int lf_cbor_enc_map_close(struct lf_cbor_enc *e);
int lf_cbor_enc_array_open(struct lf_cbor_enc *e);
int lf_cbor_enc_array_close(struct lf_cbor_enc *e);

/* Finish: returns the sticky error, or LF_E_CBOR_UNBALANCED if a container is
 * still open or incomplete; on success *len (may be NULL) = bytes written. */
int lf_cbor_enc_finish(const struct lf_cbor_enc *e, size_t *len);

/* ---- decoder ----------------------------------------------------------- */

/* What the next item is (lf_cbor_peek). */
enum lf_cbor_type {
    LF_CBOR_T_END = 0, /* no more items in the current container (or error set) */
    LF_CBOR_T_UINT,
    LF_CBOR_T_NINT, /* negative integer */
    LF_CBOR_T_BYTES,
    LF_CBOR_T_TEXT,
    LF_CBOR_T_ARRAY,
    LF_CBOR_T_MAP,
    LF_CBOR_T_TAG,
    LF_CBOR_T_BOOL,
    LF_CBOR_T_NULL,
    LF_CBOR_T_UNDEFINED,
    LF_CBOR_T_SIMPLE, /* other simple values (0..19, 32..255) */
    LF_CBOR_T_FLOAT,  /* half, single or double */
};

/* One entered container (internal; do not touch). */
struct lf_cbor_dec_frame {
    size_t left;   /* items left in a definite container (keys and values counted) */
    uint8_t indef; /* 1 = indefinite length, ends at a break byte */
    uint8_t map;   /* 1 = map */
    uint8_t odd;   /* map: a key was consumed and its value has not been */
};

struct lf_cbor_dec {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    int err;       /* sticky error */
    uint8_t depth; /* entered containers; 0 = top level (a sequence of items) */
    struct lf_cbor_dec_frame stack[LF_CBOR_MAX_DEPTH];
};

/* Start decoding buf[0..len). buf may be NULL only when len is 0. The buffer
 * must stay unchanged while the decoder and any returned lf_cbor_str live. */
void lf_cbor_dec_init(struct lf_cbor_dec *d, const uint8_t *buf, size_t len);

/* Type of the next item of the current container without consuming it.
 * LF_CBOR_T_END at the end of a container (or of the input at top level), or
 * when an error is set; a malformed head sets the error and returns END. */
enum lf_cbor_type lf_cbor_peek(struct lf_cbor_dec *d);

/* True if the current container has another item; false at its end or on
 * error (input ending inside an indefinite container sets
 * LF_E_CBOR_TRUNCATED; reaching the end is not an error). */
bool lf_cbor_dec_more(struct lf_cbor_dec *d);

/* Typed reads: each consumes exactly one item, or sets the error and consumes
 * nothing. LF_E_CBOR_TYPE if the item has another type, LF_E_CBOR_INT_RANGE if
 * an integer does not fit the output type, LF_E_CBOR_END past the end of the
 * current container. Output pointers must not be NULL; they are written only
 * on success. */
int lf_cbor_read_uint(struct lf_cbor_dec *d, uint64_t *v);
int lf_cbor_read_u32(struct lf_cbor_dec *d, uint32_t *v);
int lf_cbor_read_int(struct lf_cbor_dec *d, int64_t *v); /* major 0 or 1 */
int lf_cbor_read_bool(struct lf_cbor_dec *d, bool *v);
int lf_cbor_read_null(struct lf_cbor_dec *d);
int lf_cbor_read_text(struct lf_cbor_dec *d, struct lf_cbor_str *s);
int lf_cbor_read_bytes(struct lf_cbor_dec *d, struct lf_cbor_str *s);

/* Consume a tag head; the tagged item follows as the next item. */
int lf_cbor_read_tag(struct lf_cbor_dec *d, uint64_t *tag);

/* Skip the next item whatever it is, including nested containers (validated
 * for well-formedness down to LF_CBOR_MAX_DEPTH total nesting), tags, floats
 * and chunked strings. */
int lf_cbor_skip(struct lf_cbor_dec *d);

/* Enter the next item, which must be a map (or array). *count, if not NULL,
 * receives the number of pairs (items), or SIZE_MAX for indefinite length.
 * LF_E_CBOR_TOO_DEEP beyond LF_CBOR_MAX_DEPTH entered levels. */
int lf_cbor_enter_map(struct lf_cbor_dec *d, size_t *count);
int lf_cbor_enter_array(struct lf_cbor_dec *d, size_t *count);

/* Leave the current container: skip its unread items (a pending map value
 * included), consume the break of an indefinite one, and continue in the
 * parent. LF_E_CBOR_UNBALANCED at top level. */
int lf_cbor_leave(struct lf_cbor_dec *d);

/* Map walker: inside an entered map, skip the previous key's value if the
 * caller did not consume it, then read the next key, which must be text
 * (LF_E_CBOR_TYPE otherwise). Returns true with *key set when a key was read
 * and its value is next; false at the end of the map or on error (check the
 * error with lf_cbor_dec_finish or d->err). Must not be called outside a map
 * (sets LF_E_CBOR_TYPE). */
bool lf_cbor_map_next(struct lf_cbor_dec *d, struct lf_cbor_str *key);

/* True if s holds exactly the NUL-terminated text z (case-sensitive). */
bool lf_cbor_str_eq(const struct lf_cbor_str *s, const char *z);

/* End of decoding: returns the sticky error, else LF_E_CBOR_UNBALANCED if a
 * container is still entered, else LF_E_CBOR_TRAILING if bytes follow the
 * items read, else LF_OK. */
int lf_cbor_dec_finish(const struct lf_cbor_dec *d);

#endif
