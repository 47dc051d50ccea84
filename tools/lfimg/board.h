/* Board lookups for lfimg (provision, pack): names, slot addresses. */
#ifndef LFIMG_BOARD_H
#define LFIMG_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "boards.h"

/* The board called `name`; NULL (error naming the known boards printed,
 * prefixed with `cmd`) if there is none. */
const struct lf_board *lfimg_board(const char *cmd, const char *name);

/* The CPU address of area `id` of board b: false when the board has no such
 * area or its device is not memory-mapped. */
bool lfimg_board_area_addr(const struct lf_board *b, uint8_t id, uint32_t *addr);

#endif
