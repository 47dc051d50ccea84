#ifndef LF_SMP_HDR_H
#define LF_SMP_HDR_H

#include <stddef.h>
#include <stdint.h>

/*
 * The 8-byte SMP (mcumgr) message header and the protocol's numbers
 * (docs/reference/smp.md sections 1.1 and 1.5 to 1.8). All multi-byte fields are
 * big-endian on the wire.
 *
 *   byte 0   res:3 (bits 7..5) | ver:2 (bits 4..3) | op:3 (bits 2..0)
 *   byte 1   flags
 *   2..3     data length (CBOR payload only, header not counted)
 *   4..5     group id
 *   6        sequence
 *   7        command id
 */

#define LF_SMP_HDR_SIZE 8u

/* Largest payload the 16-bit data length can announce. */
#define LF_SMP_MAX_PAYLOAD 0xFFFFu

/* Op (byte 0, bits 2..0). */
#define LF_SMP_OP_READ      0u
#define LF_SMP_OP_READ_RSP  1u
#define LF_SMP_OP_WRITE     2u
#define LF_SMP_OP_WRITE_RSP 3u

/* Version (byte 0, bits 4..3). 2 and 3 are reserved (a server answers
 * LF_SMP_RC_UNSUPPORTED_TOO_NEW). */
#define LF_SMP_VER_1 0u /* legacy, what the Go mcumgr CLI sends */
#define LF_SMP_VER_2 1u

/* Group ids. */
#define LF_SMP_GROUP_OS           0u
#define LF_SMP_GROUP_IMAGE        1u
#define LF_SMP_GROUP_STATS        2u
#define LF_SMP_GROUP_SETTINGS     3u
#define LF_SMP_GROUP_FS           8u
#define LF_SMP_GROUP_SHELL        9u
#define LF_SMP_GROUP_ENUM         10u
#define LF_SMP_GROUP_ZEPHYR_BASIC 63u
#define LF_SMP_GROUP_PERUSER      64u /* first application-defined group */

/* Command ids of the OS group. */
#define LF_SMP_OS_ID_ECHO          0u
#define LF_SMP_OS_ID_CONSOLE_ECHO  1u
#define LF_SMP_OS_ID_TASKSTAT      2u
#define LF_SMP_OS_ID_MPSTAT        3u
#define LF_SMP_OS_ID_DATETIME      4u
#define LF_SMP_OS_ID_RESET         5u
#define LF_SMP_OS_ID_MCUMGR_PARAMS 6u
#define LF_SMP_OS_ID_INFO          7u
#define LF_SMP_OS_ID_BOOTLOADER    8u

/* Command ids of the image group. */
#define LF_SMP_IMG_ID_STATE     0u
#define LF_SMP_IMG_ID_UPLOAD    1u
#define LF_SMP_IMG_ID_FILE      2u
#define LF_SMP_IMG_ID_CORELIST  3u
#define LF_SMP_IMG_ID_CORELOAD  4u
#define LF_SMP_IMG_ID_ERASE     5u
#define LF_SMP_IMG_ID_SLOT_INFO 6u

/* MGMT_ERR: the "rc" value of a response (section 1.5). */
#define LF_SMP_RC_EOK                 0
#define LF_SMP_RC_EUNKNOWN            1
#define LF_SMP_RC_ENOMEM              2
#define LF_SMP_RC_EINVAL              3
#define LF_SMP_RC_ETIMEOUT            4
#define LF_SMP_RC_ENOENT              5
#define LF_SMP_RC_EBADSTATE           6
#define LF_SMP_RC_EMSGSIZE            7
#define LF_SMP_RC_ENOTSUP             8
#define LF_SMP_RC_ECORRUPT            9
#define LF_SMP_RC_EBUSY               10
#define LF_SMP_RC_EACCESSDENIED       11
#define LF_SMP_RC_UNSUPPORTED_TOO_OLD 12
#define LF_SMP_RC_UNSUPPORTED_TOO_NEW 13
#define LF_SMP_RC_EPERUSER            256

/* Image group errors: v2 "err": {"group": 1, "rc": ...} (section 1.6). */
#define LF_SMP_IMG_ERR_OK                                  0
#define LF_SMP_IMG_ERR_UNKNOWN                             1
#define LF_SMP_IMG_ERR_FLASH_CONFIG_QUERY_FAIL             2
#define LF_SMP_IMG_ERR_NO_IMAGE                            3
#define LF_SMP_IMG_ERR_NO_TLVS                             4
#define LF_SMP_IMG_ERR_INVALID_TLV                         5
#define LF_SMP_IMG_ERR_TLV_MULTIPLE_HASHES_FOUND           6
#define LF_SMP_IMG_ERR_TLV_INVALID_SIZE                    7
#define LF_SMP_IMG_ERR_HASH_NOT_FOUND                      8
#define LF_SMP_IMG_ERR_NO_FREE_SLOT                        9
#define LF_SMP_IMG_ERR_FLASH_OPEN_FAILED                   10
#define LF_SMP_IMG_ERR_FLASH_READ_FAILED                   11
#define LF_SMP_IMG_ERR_FLASH_WRITE_FAILED                  12
#define LF_SMP_IMG_ERR_FLASH_ERASE_FAILED                  13
#define LF_SMP_IMG_ERR_INVALID_SLOT                        14
#define LF_SMP_IMG_ERR_NO_FREE_MEMORY                      15
#define LF_SMP_IMG_ERR_FLASH_CONTEXT_ALREADY_SET           16
#define LF_SMP_IMG_ERR_FLASH_CONTEXT_NOT_SET               17
#define LF_SMP_IMG_ERR_FLASH_AREA_DEVICE_NULL              18
#define LF_SMP_IMG_ERR_INVALID_PAGE_OFFSET                 19
#define LF_SMP_IMG_ERR_INVALID_OFFSET                      20
#define LF_SMP_IMG_ERR_INVALID_LENGTH                      21
#define LF_SMP_IMG_ERR_INVALID_IMAGE_HEADER                22
#define LF_SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC          23
#define LF_SMP_IMG_ERR_INVALID_HASH                        24
#define LF_SMP_IMG_ERR_INVALID_FLASH_ADDRESS               25
#define LF_SMP_IMG_ERR_VERSION_GET_FAILED                  26
#define LF_SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER            27
#define LF_SMP_IMG_ERR_IMAGE_ALREADY_PENDING               28
#define LF_SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE          29
#define LF_SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE             30
#define LF_SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN          31
#define LF_SMP_IMG_ERR_IMAGE_CONFIRMATION_DENIED           32
#define LF_SMP_IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED 33
#define LF_SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN               34

/* OS group errors: v2 "err": {"group": 0, "rc": ...} (section 1.7). */
#define LF_SMP_OS_ERR_OK                             0
#define LF_SMP_OS_ERR_UNKNOWN                        1
#define LF_SMP_OS_ERR_INVALID_FORMAT                 2
#define LF_SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER         3
#define LF_SMP_OS_ERR_RTC_NOT_SET                    4
#define LF_SMP_OS_ERR_RTC_COMMAND_FAILED             5
#define LF_SMP_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID 6

/* A decoded header. Fields hold the values, not the wire bit positions. */
struct lf_smp_hdr {
    uint8_t op;     /* LF_SMP_OP_*, 0..7 (4..7 undefined, passed through) */
    uint8_t ver;    /* LF_SMP_VER_*, 0..3 */
    uint8_t flags;  /* send 0, ignore on receive */
    uint16_t len;   /* CBOR payload bytes following the header */
    uint16_t group; /* LF_SMP_GROUP_* */
    uint8_t seq;
    uint8_t id; /* command id within the group */
};

/* Write h to out[0..8). The reserved bits are written as 0. LF_E_INVAL (and
 * nothing written) if op > 7 or ver > 3. */
int lf_smp_hdr_encode(const struct lf_smp_hdr *h, uint8_t out[LF_SMP_HDR_SIZE]);

/*
 * Parse the message at buf[0..len). The reserved bits are ignored (as Zephyr
 * does); version 2/3 are returned as they are for the caller to reject.
 *   LF_E_SMP_HDR_SHORT    len < 8: *h untouched.
 *   LF_E_SMP_PAYLOAD_SHORT  the header is valid and written to *h, but fewer
 *                         than h->len payload bytes follow (a server answers
 *                         MGMT_ERR ECORRUPT to this).
 * len may exceed 8 + h->len: the bytes after are the next message of the same
 * transport packet.
 */
int lf_smp_hdr_decode(const uint8_t *buf, size_t len, struct lf_smp_hdr *h);

#endif
