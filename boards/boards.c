/*
 * C tables generated from the board declarations. Each .def is included with
 * the macros below expanding its lines into designated initialisers.
 */
#include "boards.h"

#include <string.h>

#include "lf/boot.h"

/* clang-format off */
#define LF_BOARD_DEVICE(d_, geo_, addr_) \
    .dev_geo[LF_DEV_##d_] = &geo_, .dev_map_addr[LF_DEV_##d_] = (addr_),
#define LF_BOARD_AREA(a_, d_, off_, size_) \
    .areas[LF_AREA_##a_] = {.dev = LF_DEV_##d_, .off = (off_), .size = (size_)},
#define LF_BOARD_SETTING(name_, value_) .name_ = (value_),

/* Devices a board does not declare stay unmapped. */
#define LF_BOARD_DEFAULTS \
    .dev_map_addr = {LF_FLASH_NOT_MAPPED, LF_FLASH_NOT_MAPPED, LF_FLASH_NOT_MAPPED},

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
const struct lf_board lf_board_nrf52840dk = {
    .name = "nrf52840dk", LF_BOARD_DEFAULTS
#include "nrf52840dk.def"
};

const struct lf_board lf_board_nrf52840dk_qspi = {
    .name = "nrf52840dk-qspi", LF_BOARD_DEFAULTS
#include "nrf52840dk-qspi.def"
};

const struct lf_board lf_board_nrf52840dk_nor64k = {
    .name = "nrf52840dk-nor64k", LF_BOARD_DEFAULTS
#include "nrf52840dk-nor64k.def"
};

const struct lf_board lf_board_qemu = {
    .name = "qemu", LF_BOARD_DEFAULTS
#include "qemu.def"
};
#pragma GCC diagnostic pop
/* clang-format on */

static const struct lf_board *const lf_boards[] = {
    &lf_board_nrf52840dk,
    &lf_board_nrf52840dk_qspi,
    &lf_board_nrf52840dk_nor64k,
    &lf_board_qemu,
};

const struct lf_board *lf_board_find(const char *name)
{
    for (unsigned i = 0; i < sizeof(lf_boards) / sizeof(lf_boards[0]); i++) {
        if (strcmp(lf_boards[i]->name, name) == 0) {
            return lf_boards[i];
        }
    }
    return NULL;
}

const struct lf_board *lf_board_at(unsigned i)
{
    return i < sizeof(lf_boards) / sizeof(lf_boards[0]) ? lf_boards[i] : NULL;
}
