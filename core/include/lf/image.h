#ifndef LF_IMAGE_H
#define LF_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf/fih.h"
#include "lf/flash.h"
#include "lf/sha256.h"

/*
 * MCUboot-format images (docs/reference/mcuboot.md section 1): header,
 * payload, protected and unprotected TLV areas. One validator serves stage 0
 * (root keys) and stage 1 (application keys); both call lf_image_validate with
 * their own key table. Reads go through the flash-area interface in small
 * chunks: no whole-image buffer. docs/image-format.md lists every check in
 * the order it is made and the error each one returns.
 *
 * All offsets in struct lf_image_info and struct lf_image_tlv are relative to
 * the first byte of the image (the `off` passed in), not to the area.
 */

#define LF_IMAGE_MAGIC         0x96f3b83du
#define LF_IMAGE_HEADER_SIZE   32u
#define LF_IMAGE_TLV_INFO      0x6907u
#define LF_IMAGE_TLV_PROT_INFO 0x6908u
#define LF_IMAGE_TLV_INFO_SIZE 4u /* it_magic u16, it_tlv_tot u16 */
#define LF_IMAGE_TLV_HDR_SIZE  4u /* it_type u16, it_len u16 */

/* Largest ih_hdr_size accepted. MCUboot puts no bound on it; real builds use
 * 0x20..0x400 (NCS: 0x200). A bound keeps a corrupt header from making the
 * validator hash megabytes of padding. */
#define LF_IMAGE_MAX_HDR_SIZE 0x1000u

/* Header flags (ih_flags). */
#define LF_IMAGE_F_PIC                  0x00000001u
#define LF_IMAGE_F_ENCRYPTED_AES128     0x00000004u
#define LF_IMAGE_F_ENCRYPTED_AES256     0x00000008u
#define LF_IMAGE_F_NON_BOOTABLE         0x00000010u
#define LF_IMAGE_F_RAM_LOAD             0x00000020u
#define LF_IMAGE_F_ROM_FIXED            0x00000100u
#define LF_IMAGE_F_COMPRESSED_LZMA1     0x00000200u
#define LF_IMAGE_F_COMPRESSED_LZMA2     0x00000400u
#define LF_IMAGE_F_COMPRESSED_ARM_THUMB 0x00000800u
#define LF_IMAGE_F_ENCRYPTED_MASK       (LF_IMAGE_F_ENCRYPTED_AES128 | LF_IMAGE_F_ENCRYPTED_AES256)
#define LF_IMAGE_F_COMPRESSED_MASK \
    (LF_IMAGE_F_COMPRESSED_LZMA1 | LF_IMAGE_F_COMPRESSED_LZMA2 | LF_IMAGE_F_COMPRESSED_ARM_THUMB)

/* TLV types (mcuboot.md 1.6). */
#define LF_TLV_KEYHASH           0x01u
#define LF_TLV_PUBKEY            0x02u
#define LF_TLV_SHA256            0x10u
#define LF_TLV_SHA384            0x11u
#define LF_TLV_SHA512            0x12u
#define LF_TLV_RSA2048_PSS       0x20u
#define LF_TLV_ECDSA224          0x21u
#define LF_TLV_ECDSA_SIG         0x22u
#define LF_TLV_RSA3072_PSS       0x23u
#define LF_TLV_ED25519           0x24u
#define LF_TLV_SIG_PURE          0x25u
#define LF_TLV_ENC_RSA2048       0x30u
#define LF_TLV_ENC_KW            0x31u
#define LF_TLV_ENC_EC256         0x32u
#define LF_TLV_ENC_X25519        0x33u
#define LF_TLV_ENC_X25519_SHA512 0x34u
#define LF_TLV_DEPENDENCY        0x40u
#define LF_TLV_SEC_CNT           0x50u
#define LF_TLV_BOOT_RECORD       0x60u
#define LF_TLV_VENDOR_MIN        0x00a0u /* custom TLVs: 0x00a0..0xfffe (imgtool) */
#define LF_TLV_VENDOR_MAX        0xfffeu

/* Bounds of key and signature TLV payloads this validator accepts. */
#define LF_IMAGE_KEYHASH_SIZE    LF_SHA256_SIZE
#define LF_IMAGE_MAX_PUBKEY_SIZE 91u /* DER SPKI of a P-256 key, the largest supported */
#define LF_IMAGE_MAX_SIG_SIZE    72u /* DER ECDSA P-256, or legacy --pad-sig padding to 72 */

struct lf_image_version {
    uint8_t major;
    uint8_t minor;
    uint16_t revision;
    uint32_t build;
};

struct lf_image_header {
    uint32_t magic;
    uint32_t load_addr;
    uint16_t hdr_size;
    uint16_t protect_tlv_size;
    uint32_t img_size;
    uint32_t flags;
    struct lf_image_version version;
};

/* Key algorithms a key table entry may hold. */
enum lf_key_type {
    LF_KEY_ECDSA_P256 = 1,
    LF_KEY_ED25519 = 2,
};

/*
 * A trusted public key, as MCUboot embeds it: the DER SubjectPublicKeyInfo.
 * KEYHASH TLVs carry SHA-256 of exactly these bytes.
 * der: may be NULL for an entry known only by its hash (stage 0's provisioned
 *      root-key hashes); such an entry matches only images that carry the full
 *      key in a PUBKEY TLV.
 * hash: SHA-256 of the DER; may be NULL when der is set (then computed).
 * At least one of der and hash is non-NULL.
 */
struct lf_pubkey {
    uint8_t type; /* enum lf_key_type */
    uint16_t der_len;
    const uint8_t *der;
    const uint8_t *hash; /* LF_SHA256_SIZE bytes, or NULL */
};

/*
 * A signature algorithm: which signature TLV it reads, which key type it
 * needs, the accepted TLV lengths and the verifier. The verifier gets the
 * key's DER SPKI, the 32-byte image digest (the message for both ECDSA and
 * Ed25519, mcuboot.md 1.7) and the raw signature TLV payload; it returns LF_OK,
 * LF_E_IMG_BAD_KEY, LF_E_IMG_SIG_ENCODING, LF_E_IMG_SIG_LEN or
 * LF_E_IMG_BAD_SIGNATURE.
 */
struct lf_image_sig_alg {
    uint16_t tlv_type;
    uint8_t key_type; /* enum lf_key_type */
    uint8_t sig_min;  /* TLV payload length bounds, inclusive */
    uint8_t sig_max;  /* <= LF_IMAGE_MAX_SIG_SIZE */
    int (*verify)(const uint8_t *spki, size_t spki_len, const uint8_t digest[LF_SHA256_SIZE],
                  const uint8_t *sig, size_t sig_len);
};

/* The algorithms provided. Referencing one links its verifier (and only that
 * one): a firmware that trusts only P-256 keys lists only the P-256 entry. */
extern const struct lf_image_sig_alg lf_image_sig_ecdsa_p256;
extern const struct lf_image_sig_alg lf_image_sig_ed25519;
/* Both, for host tools and tests. */
#define LF_IMAGE_SIG_ALGS_ALL_COUNT 2u
extern const struct lf_image_sig_alg *const lf_image_sig_algs_all[LF_IMAGE_SIG_ALGS_ALL_COUNT];

/*
 * The keys an image may be signed with, and the algorithms the caller
 * supports. A key whose type has no entry in algs cannot verify anything
 * (LF_E_IMG_NO_SIG_ALG). keys and algs may be NULL only with a zero count.
 */
struct lf_keyring {
    const struct lf_pubkey *keys;
    uint8_t count;
    const struct lf_image_sig_alg *const *algs;
    uint8_t alg_count;
};

/* What validation learned about an image. Filled only on LF_OK, except fih. */
struct lf_image_info {
    /* Hardened verdict (lf/fih.h): LF_FIH_SUCCESS only when lf_image_validate
     * returned LF_OK in the hardened build (LF_FIH), written last; set to
     * failure when validation starts. Not written when LF_FIH is 0. */
    lf_fih_t fih;
    struct lf_image_header hdr;
    uint32_t tlv_off;             /* hdr_size + img_size: start of the TLV areas */
    uint32_t prot_end;            /* end of the protected area (= tlv_off if none) */
    uint32_t tlv_end;             /* end of the whole image (unprotected area included) */
    uint8_t hash[LF_SHA256_SIZE]; /* the SHA256 TLV, verified */
    bool has_sec_cnt;
    uint32_t sec_cnt;  /* SEC_CNT TLV (protected area only); 0 when absent */
    uint8_t key_index; /* index in the key table of the key that verified it */
};

/* ---- header ---------------------------------------------------------------- */

/* Decode the 32 raw little-endian header bytes (no checks). For callers that
 * hold the start of an image in RAM (e.g. the first chunk of an upload). */
void lf_image_header_decode(const uint8_t raw[LF_IMAGE_HEADER_SIZE], struct lf_image_header *hdr);

/*
 * Acceptance checks of a decoded header for an image that may occupy at most
 * `avail` bytes: magic, LF_IMAGE_HEADER_SIZE <= hdr_size <= LF_IMAGE_MAX_HDR_SIZE,
 * NON_BOOTABLE, encryption and compression flags (unsupported), and
 * hdr_size + img_size + protect_tlv_size + 4 (room for the unprotected TLV
 * info) <= avail, computed without overflow.
 */
int lf_image_header_check(const struct lf_image_header *hdr, uint32_t avail);

/* Read the 32-byte header at area offset `off` and apply lf_image_header_check
 * with avail = the rest of the area. */
int lf_image_read_header(const struct lf_flash_area *fa, uint32_t off, struct lf_image_header *hdr);

/* The flash address the image is linked for, when it is flagged ROM_FIXED.
 * Returns LF_OK and *addr, or LF_E_IMG_NOT_ROM_FIXED. */
int lf_image_rom_fixed_addr(const struct lf_image_header *hdr, uint32_t *addr);

/* -1, 0 or +1; major, minor, revision (build number ignored, as in MCUboot). */
int lf_image_version_cmp(const struct lf_image_version *a, const struct lf_image_version *b);

/* ---- TLV areas --------------------------------------------------------------- */

/* One TLV entry. */
struct lf_image_tlv {
    uint16_t type;
    uint16_t len; /* payload bytes */
    uint32_t off; /* image offset of the payload (after the 4-byte entry header) */
    bool prot;    /* inside the protected area (covered by the hash) */
};

/* Cursor over both TLV areas of one image. Caller-owned; no other state. */
struct lf_image_tlv_iter {
    const struct lf_flash_area *fa;
    uint32_t img_off;      /* area offset of the image */
    uint32_t cur;          /* image offset of the next entry header */
    uint32_t prot_end;     /* end of the protected area */
    uint32_t unprot_first; /* first entry of the unprotected area (after its info) */
    uint32_t end;          /* end of the unprotected area */
};

/*
 * Check the TLV info headers of the image at area offset img_off whose header
 * (already checked with lf_image_header_check) is `hdr`: the protected info
 * (magic 0x6908, it_tlv_tot == ih_protect_tlv_size) when protect_tlv_size is
 * non-zero, the unprotected info (magic 0x6907) right after it, both totals
 * >= 4 and the whole TLV area inside the flash area. Positions `it` on the
 * first entry.
 */
int lf_image_tlv_iter_begin(struct lf_image_tlv_iter *it, const struct lf_flash_area *fa,
                            uint32_t img_off, const struct lf_image_header *hdr);

/*
 * Next entry, in flash order (protected area first). Returns 1 and fills *tlv,
 * 0 at the end of the unprotected area, or a negative error:
 * LF_E_IMG_TLV_ENTRY_OVERFLOW when an entry header or payload crosses the end
 * of its area (the areas must be exactly tiled by their entries).
 */
int lf_image_tlv_iter_next(struct lf_image_tlv_iter *it, struct lf_image_tlv *tlv);

/* Read exactly len bytes of an entry's payload, starting at payload offset
 * `at` (at + len <= tlv->len, else LF_E_RANGE). */
int lf_image_tlv_read(const struct lf_image_tlv_iter *it, const struct lf_image_tlv *tlv,
                      uint32_t at, void *buf, uint32_t len);

/*
 * Structural parse of the image at area offset `off` (header and TLV areas,
 * as lf_image_validate checks them) and copy of its SHA256 TLV, without
 * hashing or verifying anything: what an SMP "image state" listing shows.
 * Returns LF_OK, LF_E_IMG_NO_HASH, LF_E_IMG_DUP_HASH, LF_E_IMG_HASH_LEN or a
 * header/structure error.
 */
int lf_image_get_hash(const struct lf_flash_area *fa, uint32_t off, uint8_t hash[LF_SHA256_SIZE]);

/* The image's security counter (its SEC_CNT TLV, 0 without one) from the
 * header and TLV structure alone, no crypto: the hardened stage 0 reads it a
 * second time before it jumps (lf_stage0_decision_check). */
int lf_image_get_sec_cnt(const struct lf_flash_area *fa, uint32_t off, uint32_t *sec_cnt);

/* ---- validation ---------------------------------------------------------- */

/*
 * Full validation of the image starting at area offset `off`: header checks,
 * TLV area structure with overflow-safe bounds, SHA-256 over exactly header +
 * payload + protected TLVs, key lookup by KEYHASH or PUBKEY in `keys`,
 * signature verification. Exactly one SHA256, one key and one signature TLV
 * are accepted (docs/image-format.md). Returns LF_OK and fills *info, or a
 * distinct LF_E_IMG_* error (or a flash read error). A "valid" verdict is
 * never a default.
 */
int lf_image_validate(const struct lf_flash_area *fa, uint32_t off, const struct lf_keyring *keys,
                      struct lf_image_info *info);

#endif
