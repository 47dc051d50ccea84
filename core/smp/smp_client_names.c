/* SMP client: names of groups and error codes, for messages people read
 * (docs/reference/smp.md 1.5 to 1.8). */
#include "lf/smp_client.h"

static const char *const rc_names[] = {
    "EOK",
    "EUNKNOWN",
    "ENOMEM",
    "EINVAL",
    "ETIMEOUT",
    "ENOENT",
    "EBADSTATE",
    "EMSGSIZE",
    "ENOTSUP",
    "ECORRUPT",
    "EBUSY",
    "EACCESSDENIED",
    "UNSUPPORTED_TOO_OLD",
    "UNSUPPORTED_TOO_NEW",
};

static const char *const os_err_names[] = {
    "OK",
    "UNKNOWN",
    "INVALID_FORMAT",
    "QUERY_YIELDS_NO_ANSWER",
    "RTC_NOT_SET",
    "RTC_COMMAND_FAILED",
    "QUERY_RESPONSE_VALUE_NOT_VALID",
};

static const char *const img_err_names[] = {
    "OK",
    "UNKNOWN",
    "FLASH_CONFIG_QUERY_FAIL",
    "NO_IMAGE",
    "NO_TLVS",
    "INVALID_TLV",
    "TLV_MULTIPLE_HASHES_FOUND",
    "TLV_INVALID_SIZE",
    "HASH_NOT_FOUND",
    "NO_FREE_SLOT",
    "FLASH_OPEN_FAILED",
    "FLASH_READ_FAILED",
    "FLASH_WRITE_FAILED",
    "FLASH_ERASE_FAILED",
    "INVALID_SLOT",
    "NO_FREE_MEMORY",
    "FLASH_CONTEXT_ALREADY_SET",
    "FLASH_CONTEXT_NOT_SET",
    "FLASH_AREA_DEVICE_NULL",
    "INVALID_PAGE_OFFSET",
    "INVALID_OFFSET",
    "INVALID_LENGTH",
    "INVALID_IMAGE_HEADER",
    "INVALID_IMAGE_HEADER_MAGIC",
    "INVALID_HASH",
    "INVALID_FLASH_ADDRESS",
    "VERSION_GET_FAILED",
    "CURRENT_VERSION_IS_NEWER",
    "IMAGE_ALREADY_PENDING",
    "INVALID_IMAGE_VECTOR_TABLE",
    "INVALID_IMAGE_TOO_LARGE",
    "INVALID_IMAGE_DATA_OVERRUN",
    "IMAGE_CONFIRMATION_DENIED",
    "IMAGE_SETTING_TEST_TO_ACTIVE_DENIED",
    "ACTIVE_SLOT_NOT_KNOWN",
};

struct group_name {
    uint32_t id;
    const char *name;
};

static const struct group_name group_names[] = {
    {LF_SMP_GROUP_OS, "os"},       {LF_SMP_GROUP_IMAGE, "image"},
    {LF_SMP_GROUP_STATS, "stats"}, {LF_SMP_GROUP_SETTINGS, "settings"},
    {LF_SMP_GROUP_FS, "fs"},       {LF_SMP_GROUP_SHELL, "shell"},
    {LF_SMP_GROUP_ENUM, "enum"},   {LF_SMP_GROUP_ZEPHYR_BASIC, "zephyr"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const char *const *names, size_t n, int64_t v)
{
    if (v < 0 || (uint64_t)v >= n) {
        return NULL;
    }
    return names[v];
}

const char *lf_smp_rc_name(int64_t rc)
{
    if (rc >= LF_SMP_RC_EPERUSER) {
        return "EPERUSER";
    }
    return lookup(rc_names, COUNT(rc_names), rc);
}

const char *lf_smp_group_err_name(uint32_t group, int64_t rc)
{
    if (group == LF_SMP_GROUP_OS) {
        return lookup(os_err_names, COUNT(os_err_names), rc);
    }
    if (group == LF_SMP_GROUP_IMAGE) {
        return lookup(img_err_names, COUNT(img_err_names), rc);
    }
    return NULL;
}

const char *lf_smp_group_name(uint32_t group)
{
    size_t i;
    for (i = 0; i < COUNT(group_names); i++) {
        if (group_names[i].id == group) {
            return group_names[i].name;
        }
    }
    if (group >= LF_SMP_GROUP_PERUSER) {
        return "user";
    }
    return NULL;
}
