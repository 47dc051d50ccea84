/* A register-level model of the nRF52840's NVMC + ACL + WDT and of the QSPI
 * peripheral with an MX25R6435F behind it, for the host tests of the port's
 * drivers. It enforces the rules the hardware enforces (or would silently
 * break on) and counts every breach in `violations`. */
#ifndef NRF_MODEL_H
#define NRF_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define MODEL_FLASH_SIZE (1024u * 1024u)
#define MODEL_NOR_SIZE   (8u * 1024u * 1024u)

struct nrf_model {
    uint8_t flash[MODEL_FLASH_SIZE];
    uint8_t nor[MODEL_NOR_SIZE];
    uint8_t word_writes[MODEL_FLASH_SIZE / 4u]; /* programs since the page's erase */
    uint32_t nvmc_config;
    uint32_t ready_delay; /* NVMC READY reads 0 this many times after an operation */
    uint32_t acl[8][3];   /* ADDR, SIZE, PERM */
    bool acl_written[8][3];
    uint32_t wdt_running, wdt_feeds;
    /* QSPI */
    uint32_t q[0x700 / 4u]; /* register file */
    const volatile void *read_dst, *write_src;
    bool q_enabled, q_active, nor_dpm, nor_wel;
    uint32_t nor_busy; /* RDSR polls that still report WIP */
    uint32_t erases, programs, page_programs_crossing;
    /* UARTE0 */
    uint32_t u[0x600 / 4u];
    const volatile void *u_rx_ptr, *u_tx_ptr;
    uint8_t u_tx_log[512];
    uint32_t u_tx_len;
    uint8_t u_rx_queue[64];
    uint32_t u_rx_head, u_rx_tail;
    bool u_rx_armed;
    unsigned violations;
    const char *last_violation;
};

extern struct nrf_model *model;
void model_reset(void);
/* A byte arrives on the UART's RX line. */
void model_uart_push(uint8_t b);

#endif
