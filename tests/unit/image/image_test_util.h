/*
 * Helpers for the image tests: a RAM flash area, the shared imgtool vectors
 * (files, keys, manifest), and an in-memory image builder that signs with
 * OpenSSL so that each rejection can be provoked on an otherwise valid image.
 */
#ifndef IMAGE_TEST_UTIL_H
#define IMAGE_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf/flash.h"
#include "lf/image.h"

#define VEC_DIR LF_VECTORS_DIR "/imgtool"

/* ---- RAM flash ----------------------------------------------------------- */

/* A device of `cap` bytes (erased 0xff) with an area covering its first
 * `size` bytes (size <= cap; may be 0). */
struct ram_flash {
    uint8_t *mem;
    uint32_t cap;
    struct lf_flash_geometry geo;
    struct lf_flash_dev dev;
    struct lf_flash_area area;
};

void ram_flash_init(struct ram_flash *rf, uint32_t cap, uint32_t size);
/* Copy data to device offset 0, set the area to [0, size). */
void ram_flash_load(struct ram_flash *rf, const uint8_t *data, size_t len, uint32_t size);
void ram_flash_free(struct ram_flash *rf);

/* ---- files and vectors ------------------------------------------------------ */

/* Whole file (malloc'd); fails the test when unreadable. */
uint8_t *read_file(const char *path, size_t *len);

/* The DER SPKI of a PEM key file (private or public), and its type. */
struct test_key {
    uint8_t der[128];
    uint16_t der_len;
    uint8_t type; /* enum lf_key_type */
    void *pkey;   /* EVP_PKEY *, NULL for public-only files */
};
void load_key(const char *path, struct test_key *k);
void free_key(struct test_key *k);

/* One manifest.json entry (only the fields the tests use). */
struct vector {
    char name[64];
    char file[128];
    char verify_key[128];
    char command[512];
    bool derived; /* made by own code from another image */
    bool valid;   /* expected verdict */
};
/* Parse manifest.json; returns the count (fails the test on a parse error). */
int load_manifest(struct vector *out, int max);

/* ---- image builder ------------------------------------------------------------ */

#define TB_MAX_TLVS 12
#define TB_AUTO     0xffffffffu /* value marker: let the builder fill it */

struct tb_tlv {
    uint16_t type;
    uint16_t len;        /* TB_AUTO-free: explicit length of data */
    const uint8_t *data; /* NULL: builder fills (SHA256 digest, KEYHASH, PUBKEY, signature) */
};

struct tb_image {
    uint16_t hdr_size;
    uint32_t flags;
    uint32_t load_addr;
    struct lf_image_version version;
    uint32_t payload_len;
    struct tb_tlv prot[TB_MAX_TLVS];
    int nprot;
    struct tb_tlv unprot[TB_MAX_TLVS];
    int nunprot;
    const struct test_key *key; /* signs; NULL = leave signature TLVs zero */
};

/* A standard signed image description: 1 KiB payload, header 0x200,
 * SHA256 + KEYHASH + signature of key's type. */
void tb_default(struct tb_image *t, const struct test_key *key);

/* Build into buf (cap bytes); returns the image length. Auto data: SHA256 =
 * digest of [0, prot_end); KEYHASH = SHA-256 of key DER; PUBKEY = key DER;
 * ECDSA_SIG / ED25519 = signature of the digest by key. */
size_t tb_build(const struct tb_image *t, uint8_t *buf, size_t cap);

/* Offsets within a built image, for targeted corruption. */
uint32_t tb_tlv_off(const struct tb_image *t);   /* hdr_size + payload_len */
uint32_t tb_prot_size(const struct tb_image *t); /* 0 if no protected TLVs */

/* Recompute the SHA256 TLV (and the signature with key, if non-NULL) of an
 * image in buf after its hashed range was edited. The image's TLV structure
 * must be sound. */
void tb_refresh(uint8_t *buf, size_t len, const struct test_key *key);

/* Validate buf[0..len) in an area of exactly len bytes with the keyring. */
int validate_buf(const uint8_t *buf, size_t len, const struct lf_keyring *ring,
                 struct lf_image_info *info);

/* Keyring of the given keys (DER only) with every algorithm. */
struct test_ring {
    struct lf_pubkey pub[4];
    struct lf_keyring ring;
};
void ring_of(struct test_ring *r, const struct test_key *const *keys, int n);

#endif
