/*
 * The board interface the firmware's mains use (stage0.c, stage1.c, app.c).
 * A port (ports/qemu, later ports/nrf52840) implements it; the mains never
 * touch a register. docs/qemu.md section 3.
 */
#ifndef FW_BOARD_H
#define FW_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf/flash_map.h"
#include "lf/stage0.h"

/* Whether this image has a console UART: every image but a stage 0 built
 * with its logs off (LF_LOG_LEVEL_STAGE0=0), which then links no UART driver
 * and reports faults by resetting alone. */
#if defined(FW_STAGE0) && LF_LOG_LEVEL == 0
#define FW_CONSOLE 0
#else
#define FW_CONSOLE 1
#endif

/* Retained RAM shared by the stages of one boot and across resets (not
 * across power cycles): stage 0 fills the handoff, stage 1 and the
 * application read it. */
#define FW_RETAINED_MAGIC     0x3154524Cu /* "LRT1" */
#define FW_RECOVERY_REQUESTED 0x5245434Fu /* "RECO": the application asks stage 1 for recovery */

struct fw_retained {
    uint32_t magic;
    uint32_t recovery; /* FW_RECOVERY_REQUESTED: stage 1 serves SMP at the next boot */
    struct lf_stage0_handoff handoff;
    /* measurements of this boot: board_clock ticks at each stage's main and
     * just before each jump; stack high-water marks and static RAM (bytes) */
    uint32_t t_s0_main, t_s0_jump, t_s1_main, t_s1_jump;
    uint32_t stack_s0, stack_s1;
    uint32_t ram_s0, ram_s1;
};

/* Start the board: clocks, the UART, the flash devices. */
void board_init(void);
/* The board's flash map (every device bound). NULL if it failed to bind. */
const struct lf_flash_map *board_flash_map(void);
/* The board's layout name ("qemu", ...). */
const char *board_name(void);

/* Console UART: blocking write, non-blocking read (-1: nothing received). */
void board_uart_write(const void *buf, size_t len);
int board_uart_getc(void);

/* Write-protect fa until the next reset (stage 0's protection hook). */
int board_protect(const struct lf_flash_area *fa);

/* Retained RAM (never NULL). */
struct fw_retained *board_retained(void);

/* A free-running counter of board_clock_hz() ticks since reset. */
uint32_t board_clock(void);
uint32_t board_clock_hz(void);

__attribute__((noreturn)) void board_reset(void);
/* Start the image whose vector table is at vtor. */
__attribute__((noreturn)) void board_jump(uint32_t vtor);
/* Stop here in the safe state (nothing to boot): the board's choice of
 * halt; under QEMU the emulator exits with code `code`. */
__attribute__((noreturn)) void board_halt(int code);

#endif
