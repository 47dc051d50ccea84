#include "lf/err.h"

#include <stddef.h>

struct lf_err_entry {
    int code;
    const char *name;
    const char *text;
};

/* The table is generated from the same lists as the enum, so a code and its
 * text can never drift apart. */
#define LF_ERR_ENUM_(name, value, text) {(value), #name, (text)},
static const struct lf_err_entry lf_err_table[] = {{0, "OK", "ok"}, LF_ERR_LIST(LF_ERR_ENUM_)
#include "lf/err_flash.def"
#include "lf/err_crypto.def"
#include "lf/err_image.def"
#include "lf/err_boot.def"
#include "lf/err_cbor.def"
#include "lf/err_smp.def"
#include "lf/err_transport.def"
#include "lf/err_provision.def"
#include "lf/err_sim.def"
#include "lf/err_stage1.def"
};
#undef LF_ERR_ENUM_

static const struct lf_err_entry *lf_err_find(int err)
{
    for (size_t i = 0; i < sizeof(lf_err_table) / sizeof(lf_err_table[0]); i++) {
        if (lf_err_table[i].code == err) {
            return &lf_err_table[i];
        }
    }
    return NULL;
}

const char *lf_err_str(int err)
{
    const struct lf_err_entry *e = lf_err_find(err);
    return e ? e->text : "unknown error";
}

const char *lf_err_name(int err)
{
    const struct lf_err_entry *e = lf_err_find(err);
    return e ? e->name : "UNKNOWN";
}
