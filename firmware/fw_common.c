/* The console log and the key ring every firmware image shares (fw.h). */
#include <string.h>

#include "fw.h"
#include "lf/fih.h"
#include "lf_cm.h"

#if FW_CONSOLE
static void fw_log_write(void *ctx, const char *line)
{
    (void)ctx;
    board_uart_write(line, strlen(line));
    board_uart_write("\n", 1);
}

/* No error table on the device: %E prints "error -N" (docs/errors.md). */
const struct lf_log fw_log = {fw_log_write, NULL, NULL};
#else
const struct lf_log fw_log = {NULL, NULL, NULL}; /* no console: lf/log.h drops writes */
#endif

const struct lf_image_sig_alg *const fw_algs[1] = {&lf_image_sig_ecdsa_p256};

extern const unsigned char fw_app_key[];
extern const unsigned int fw_app_key_len;

const struct lf_keyring *fw_app_keys(void)
{
    static struct lf_pubkey key;
    static struct lf_keyring ring;
    key = (struct lf_pubkey){LF_KEY_ECDSA_P256, (uint16_t)fw_app_key_len, fw_app_key, NULL};
    ring = (struct lf_keyring){&key, 1, fw_algs, 1};
    return &ring;
}

/* A fault-injection check found two copies of a decision disagreeing
 * (lf/fih.h): say so and stop, never boot (docs/glitch.md). */
void lf_fih_panic(void)
{
    lf_logf(&fw_log, "fih: panic");
    board_halt(FW_HALT_FIH);
}

void fw_log_usage(const char *who)
{
    lf_logf(&fw_log, "%s: stack %u of %u bytes, static ram %u bytes, image %u bytes", who,
            (unsigned)lf_cm_stack_used(), (unsigned)lf_cm_stack_size(),
            (unsigned)lf_cm_static_ram(), (unsigned)lf_cm_image_size());
}
