/*
 * The application of the virtual device: the SMP server (OS and image
 * groups) on the booted device, set up from what the boot chain handed over.
 * `lfsim run` serves it over its transports; the system tests call it
 * directly.
 */
#ifndef LFSIM_APP_H
#define LFSIM_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "chain.h"
#include "lf/smp_server.h"
#include "sim_device.h"
#include "sim_net.h"

struct lfsim_app {
    struct lf_smp_server srv;
    struct lf_smp_server_cfg cfg;
    struct lf_smp_platform plat;
    struct lf_smp_os_info info;
    struct lf_sim_device *dev;
    uint8_t rsp_buf[LF_SIM_MSG_MAX];
};

/* Set up the server on dev after chain c booted it (c must outlive a).
 * buf_size: the transport's receive buffer reported to clients (128 ..
 * LF_SIM_MSG_MAX). Returns LF_OK or the server's init error. */
int lfsim_app_init(struct lfsim_app *a, struct lf_sim_device *dev, const struct lfsim_chain *c,
                   const struct lf_log *log, uint32_t buf_size, bool legacy);

#endif
