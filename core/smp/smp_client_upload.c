/* SMP client: upload chunk sizing and offset bookkeeping (docs/reference/smp.md 2.2, 4, 5.4). */
#include "lf/err.h"
#include "lf/smp_client.h"

/* Size of a minimal CBOR head carrying argument v (what the encoder writes). */
static size_t head_size(uint64_t v)
{
    if (v < 24u) {
        return 1;
    }
    if (v <= 0xFFu) {
        return 2;
    }
    if (v <= 0xFFFFu) {
        return 3;
    }
    if (v <= 0xFFFFFFFFu) {
        return 5;
    }
    return 9;
}

/* A text key: head + characters. */
static size_t key_size(size_t chars)
{
    return head_size(chars) + chars;
}

/* Everything of the request except the data bytes and their head. */
static size_t fixed_size(const struct lf_smp_chunk *c)
{
    size_t pairs = 2;
    size_t n = key_size(3) + head_size(c->off) + key_size(4); /* "off": uint, "data" */
    if (c->first) {
        n += key_size(5) + head_size(c->image); /* "image" */
        n += key_size(3) + head_size(c->len);   /* "len" */
        pairs += 2;
        if (c->sha != NULL) {
            n += key_size(3) + head_size(c->sha_len) + c->sha_len; /* "sha" */
            pairs++;
        }
        if (c->upgrade) {
            n += key_size(7) + 1u; /* "upgrade": true */
            pairs++;
        }
    }
    return LF_SMP_HDR_SIZE + head_size(pairs) + n;
}

size_t lf_smp_chunk_msg_size(const struct lf_smp_chunk *c)
{
    return fixed_size(c) + head_size(c->data_len) + c->data_len;
}

uint32_t lf_smp_chunk_data_max(const struct lf_smp_chunk *c, size_t budget)
{
    size_t fixed = fixed_size(c);
    size_t d;
    if (budget > LF_SMP_HDR_SIZE + LF_SMP_MAX_PAYLOAD) {
        budget = LF_SMP_HDR_SIZE + LF_SMP_MAX_PAYLOAD; /* the 16-bit data length */
    }
    if (budget <= fixed + 1u) {
        return 0;
    }
    /* Start from the 1-byte head guess and shrink while the head grows past it;
     * at most four steps (head sizes 1, 2, 3, 5, 9). */
    d = budget - fixed - 1u;
    if (d > UINT32_MAX) {
        d = UINT32_MAX;
    }
    while (d > 0 && fixed + head_size(d) + d > budget) {
        d--;
    }
    return (uint32_t)d;
}

int lf_smp_upload_init(struct lf_smp_upload *u, uint32_t len, const uint8_t *sha, uint8_t sha_len,
                       uint32_t image, bool upgrade, uint16_t align)
{
    if (len == 0 || sha_len > LF_SMP_SHA_MAX || (sha == NULL && sha_len != 0)) {
        return LF_E_INVAL;
    }
    u->sha = sha;
    u->sha_len = sha != NULL ? sha_len : 0u;
    u->len = len;
    u->image = image;
    u->off = 0;
    u->align = align != 0 ? align : 1u;
    u->upgrade = upgrade;
    u->done = false;
    return LF_OK;
}

int lf_smp_upload_chunk(const struct lf_smp_upload *u, uint32_t off, size_t budget,
                        struct lf_smp_chunk *c)
{
    uint32_t max;
    uint32_t left;
    if (off >= u->len) {
        return LF_E_RANGE;
    }
    c->off = off;
    c->data = NULL;
    c->data_len = 0;
    c->first = off == 0;
    c->image = u->image;
    c->len = u->len;
    c->sha = u->sha;
    c->sha_len = u->sha_len;
    c->upgrade = u->upgrade;
    max = lf_smp_chunk_data_max(c, budget);
    left = u->len - off;
    if (max >= left) {
        c->data_len = left; /* the last chunk needs no alignment */
        return LF_OK;
    }
    max -= max % u->align;
    if (max == 0) {
        return LF_E_NOSPACE;
    }
    c->data_len = max;
    return LF_OK;
}

int lf_smp_upload_reply(struct lf_smp_upload *u, uint32_t off, enum lf_smp_match match)
{
    if (off > u->len) {
        return LF_E_RANGE;
    }
    if (off == u->len && match == LF_SMP_MATCH_FALSE) {
        return LF_E_CORRUPT;
    }
    u->off = off;
    u->done = off == u->len;
    return LF_OK;
}
