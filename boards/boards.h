#ifndef LF_BOARDS_H
#define LF_BOARDS_H

#include "lf/flash_map.h"

/* Every board Leapfrog knows, generated from boards/<name>.def. */
extern const struct lf_board lf_board_nrf52840dk;
extern const struct lf_board lf_board_nrf52840dk_qspi;
extern const struct lf_board lf_board_nrf52840dk_nor64k;
extern const struct lf_board lf_board_qemu; /* mps2-an386 under QEMU (ports/qemu) */

/* Look a board up by name ("nrf52840dk", ...); NULL if unknown. */
const struct lf_board *lf_board_find(const char *name);
/* The i-th known board, or NULL past the end (for listings and --help). */
const struct lf_board *lf_board_at(unsigned i);

#endif
