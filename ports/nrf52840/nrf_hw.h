/*
 * nRF52840 register access for the Leapfrog port (no vendor header, no SDK):
 * base addresses and register offsets written from the nRF52840 Product
 * Specification. Every access goes through nrf_rd/nrf_wr so that the host
 * tests (tests/nrf52840) can build the drivers against a register-level
 * model (NRF_HOST_MODEL) instead of the chip.
 */
#ifndef NRF_HW_H
#define NRF_HW_H

#include <stdint.h>

/* Peripheral base addresses. */
#define NRF_POWER  0x40000000u /* POWER and CLOCK share this block */
#define NRF_CLOCK  0x40000000u
#define NRF_UARTE0 0x40002000u
#define NRF_WDT    0x40010000u
#define NRF_NVMC   0x4001E000u
#define NRF_ACL    0x4001E000u /* ACL[n] at 0x800 + 16 n */
#define NRF_QSPI   0x40029000u
#define NRF_P0     0x50000000u

/* Common task/event values. */
#define NRF_TRIGGER 1u

/* CLOCK */
#define CLOCK_TASKS_HFCLKSTART    0x000u
#define CLOCK_TASKS_HFCLKSTOP     0x004u
#define CLOCK_EVENTS_HFCLKSTARTED 0x100u
#define CLOCK_HFCLKSTAT           0x40Cu

/* POWER */
#define POWER_RESETREAS    0x400u
#define POWER_GPREGRET     0x51Cu
#define RESETREAS_RESETPIN (1u << 0)
#define RESETREAS_DOG      (1u << 1)
#define RESETREAS_SREQ     (1u << 2)
#define RESETREAS_LOCKUP   (1u << 3)

/* NVMC */
#define NVMC_READY      0x400u
#define NVMC_CONFIG     0x504u
#define NVMC_ERASEPAGE  0x508u
#define NVMC_CONFIG_REN 0u
#define NVMC_CONFIG_WEN 1u
#define NVMC_CONFIG_EEN 2u

/* ACL (8 regions, page granular, locked until reset once written) */
#define ACL_REGIONS    8u
#define ACL_ADDR(n)    (0x800u + 16u * (n))
#define ACL_SIZE(n)    (0x804u + 16u * (n))
#define ACL_PERM(n)    (0x808u + 16u * (n))
#define ACL_PERM_WRITE (1u << 1) /* writes and erases blocked */
#define ACL_PERM_READ  (1u << 2)

/* WDT */
#define WDT_TASKS_START 0x000u
#define WDT_RUNSTATUS   0x400u
#define WDT_CRV         0x504u
#define WDT_RREN        0x508u
#define WDT_CONFIG      0x50Cu
#define WDT_RR0         0x600u
#define WDT_RELOAD      0x6E524635u

/* GPIO port 0 */
#define GPIO_IN            0x510u
#define GPIO_PIN_CNF(n)    (0x700u + 4u * (n))
#define GPIO_CNF_DEFAULT   0x2u      /* input, buffer disconnected */
#define GPIO_CNF_IN_PULLUP (3u << 2) /* input, buffer connected, pull-up */

/* UARTE */
#define UARTE_TASKS_STARTRX    0x000u
#define UARTE_TASKS_STOPRX     0x004u
#define UARTE_TASKS_STARTTX    0x008u
#define UARTE_TASKS_STOPTX     0x00Cu
#define UARTE_EVENTS_ENDRX     0x110u
#define UARTE_EVENTS_ENDTX     0x120u
#define UARTE_EVENTS_ERROR     0x124u
#define UARTE_EVENTS_RXTO      0x144u
#define UARTE_EVENTS_TXSTOPPED 0x158u
#define UARTE_ERRORSRC         0x480u
#define UARTE_ENABLE           0x500u
#define UARTE_PSEL_RTS         0x508u
#define UARTE_PSEL_TXD         0x50Cu
#define UARTE_PSEL_CTS         0x510u
#define UARTE_PSEL_RXD         0x514u
#define UARTE_BAUDRATE         0x524u
#define UARTE_RXD_PTR          0x534u
#define UARTE_RXD_MAXCNT       0x538u
#define UARTE_RXD_AMOUNT       0x53Cu
#define UARTE_TXD_PTR          0x544u
#define UARTE_TXD_MAXCNT       0x548u
#define UARTE_CONFIG           0x56Cu
#define UARTE_ENABLE_ON        8u
#define UARTE_BAUD_115200      0x01D7E000u
#define UARTE_BAUD_1M          0x10000000u
#define UARTE_CONFIG_HWFC      1u
#define NRF_PSEL_DISCONNECTED  0xFFFFFFFFu

/* QSPI */
#define QSPI_TASKS_ACTIVATE   0x000u
#define QSPI_TASKS_READSTART  0x004u
#define QSPI_TASKS_WRITESTART 0x008u
#define QSPI_TASKS_ERASESTART 0x00Cu
#define QSPI_TASKS_DEACTIVATE 0x010u
#define QSPI_EVENTS_READY     0x100u
#define QSPI_ENABLE           0x500u
#define QSPI_READ_SRC         0x504u
#define QSPI_READ_DST         0x508u
#define QSPI_READ_CNT         0x50Cu
#define QSPI_WRITE_DST        0x510u
#define QSPI_WRITE_SRC        0x514u
#define QSPI_WRITE_CNT        0x518u
#define QSPI_ERASE_PTR        0x51Cu
#define QSPI_ERASE_LEN        0x520u
#define QSPI_PSEL_SCK         0x524u
#define QSPI_PSEL_CSN         0x528u
#define QSPI_PSEL_IO0         0x530u
#define QSPI_PSEL_IO1         0x534u
#define QSPI_PSEL_IO2         0x538u
#define QSPI_PSEL_IO3         0x53Cu
#define QSPI_IFCONFIG0        0x544u
#define QSPI_IFCONFIG1        0x600u
#define QSPI_STATUS           0x604u
#define QSPI_CINSTRCONF       0x634u
#define QSPI_CINSTRDAT0       0x638u
#define QSPI_ERASE_LEN_4KB    0u
#define QSPI_STATUS_READY     (1u << 3)
/* CINSTRCONF: opcode, total length in bytes (opcode included), and keep the
 * lines IO2/IO3 high (WP# and HOLD# inactive on a single-line command). */
#define QSPI_CINSTR(op, len) ((uint32_t)(op) | ((uint32_t)(len) << 8) | (1u << 12) | (1u << 13))

#ifdef NRF_HOST_MODEL
/* The host tests' model: every register read and write, and every store to
 * the flash address space, goes to the model. */
uint32_t nrf_model_read(uint32_t addr);
void nrf_model_write(uint32_t addr, uint32_t v);
/* EasyDMA pointers: the model keeps host pointers (64-bit). */
void nrf_model_write_ptr(uint32_t addr, const volatile void *p);
/* CPU view of a memory-mapped flash address. */
const uint8_t *nrf_model_mem(uint32_t addr);
static inline uint32_t nrf_rd(uint32_t base, uint32_t off)
{
    return nrf_model_read(base + off);
}
static inline void nrf_wr(uint32_t base, uint32_t off, uint32_t v)
{
    nrf_model_write(base + off, v);
}
static inline void nrf_wr_ptr(uint32_t base, uint32_t off, const volatile void *p)
{
    nrf_model_write_ptr(base + off, p);
}
static inline const uint8_t *nrf_mem(uint32_t addr)
{
    return nrf_model_mem(addr);
}
static inline void nrf_mem_wr32(uint32_t addr, uint32_t v)
{
    nrf_model_write(addr, v);
}
#define NRF_BARRIER() ((void)0)
#else
static inline uint32_t nrf_rd(uint32_t base, uint32_t off)
{
    return *(volatile uint32_t *)(uintptr_t)(base + off);
}
static inline void nrf_wr(uint32_t base, uint32_t off, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(base + off) = v;
}
static inline void nrf_wr_ptr(uint32_t base, uint32_t off, const volatile void *p)
{
    *(volatile uint32_t *)(uintptr_t)(base + off) = (uint32_t)(uintptr_t)p;
}
static inline const uint8_t *nrf_mem(uint32_t addr)
{
    return (const uint8_t *)(uintptr_t)addr;
}
static inline void nrf_mem_wr32(uint32_t addr, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)addr = v;
}
#define NRF_BARRIER() __asm volatile("dsb" ::: "memory")
#endif

#endif
