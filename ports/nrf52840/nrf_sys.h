/* The nRF52840's small system drivers: clocks, GPIO (the recovery button),
 * ACL, RESETREAS and GPREGRET, the watchdog. */
#ifndef NRF_SYS_H
#define NRF_SYS_H

#include <stdbool.h>
#include <stdint.h>

/* HFXO on (accurate UART baud rate); nrf_clock_stop turns it off again. */
void nrf_clock_start(void);
void nrf_clock_stop(void);

/* The pin's level with the pull-up on (buttons pull to ground); the pin
 * goes back to its reset configuration afterwards. */
bool nrf_button_pressed(uint32_t pin);

/* Write-protect [addr, addr+size) (4 KiB-aligned) until the next reset, in
 * the first free ACL region. LF_E_NOSPACE when all 8 are used. */
int nrf_acl_protect(uint32_t addr, uint32_t size);
/* True when a write or erase of [addr, addr+len) would hit a protected region. */
bool nrf_acl_blocks(uint32_t addr, uint32_t len);

/* RESETREAS (sticky bits since they were last cleared) and clear them. */
uint32_t nrf_resetreas_take(void);
uint32_t nrf_gpregret_get(void);
void nrf_gpregret_set(uint32_t v);

/* Watchdog: start with a timeout (it cannot be stopped until reset) and
 * feed it, if running (the flash drivers feed it across long operations). */
void nrf_wdt_start(uint32_t seconds);
void nrf_wdt_feed(void);

#endif
