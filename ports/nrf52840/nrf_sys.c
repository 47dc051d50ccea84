/* Clocks, GPIO, ACL, RESETREAS/GPREGRET and WDT (nrf_sys.h). Register facts
 * from the nRF52840 Product Specification. */
#include "nrf_sys.h"

#include "lf/err.h"
#include "nrf_hw.h"

void nrf_clock_start(void)
{
    nrf_wr(NRF_CLOCK, CLOCK_EVENTS_HFCLKSTARTED, 0);
    nrf_wr(NRF_CLOCK, CLOCK_TASKS_HFCLKSTART, NRF_TRIGGER);
    while (nrf_rd(NRF_CLOCK, CLOCK_EVENTS_HFCLKSTARTED) == 0u) {
    }
    nrf_wr(NRF_CLOCK, CLOCK_EVENTS_HFCLKSTARTED, 0);
}

void nrf_clock_stop(void)
{
    nrf_wr(NRF_CLOCK, CLOCK_TASKS_HFCLKSTOP, NRF_TRIGGER);
}

bool nrf_button_pressed(uint32_t pin)
{
    nrf_wr(NRF_P0, GPIO_PIN_CNF(pin), GPIO_CNF_IN_PULLUP);
    /* Let the pull-up charge the line (a few microseconds). */
    for (volatile uint32_t i = 0; i < 2000u; i++) {
    }
    bool low = ((nrf_rd(NRF_P0, GPIO_IN) >> pin) & 1u) == 0u;
    nrf_wr(NRF_P0, GPIO_PIN_CNF(pin), GPIO_CNF_DEFAULT);
    return low;
}

int nrf_acl_protect(uint32_t addr, uint32_t size)
{
    if ((addr | size) & 0xFFFu || size == 0u) {
        return LF_E_INVAL;
    }
    for (uint32_t n = 0; n < ACL_REGIONS; n++) {
        if (nrf_rd(NRF_ACL, ACL_SIZE(n)) == 0u) {
            nrf_wr(NRF_ACL, ACL_ADDR(n), addr);
            nrf_wr(NRF_ACL, ACL_SIZE(n), size);
            nrf_wr(NRF_ACL, ACL_PERM(n), ACL_PERM_WRITE);
            return nrf_rd(NRF_ACL, ACL_SIZE(n)) == size ? LF_OK : LF_E_IO;
        }
    }
    return LF_E_NOSPACE;
}

bool nrf_acl_blocks(uint32_t addr, uint32_t len)
{
    for (uint32_t n = 0; n < ACL_REGIONS; n++) {
        uint32_t a = nrf_rd(NRF_ACL, ACL_ADDR(n));
        uint32_t s = nrf_rd(NRF_ACL, ACL_SIZE(n));
        if (s && (nrf_rd(NRF_ACL, ACL_PERM(n)) & ACL_PERM_WRITE) && addr < a + s &&
            addr + len > a) {
            return true;
        }
    }
    return false;
}

uint32_t nrf_resetreas_take(void)
{
    uint32_t r = nrf_rd(NRF_POWER, POWER_RESETREAS);
    nrf_wr(NRF_POWER, POWER_RESETREAS, r); /* write 1 to clear */
    return r;
}

uint32_t nrf_gpregret_get(void)
{
    return nrf_rd(NRF_POWER, POWER_GPREGRET) & 0xFFu;
}

void nrf_gpregret_set(uint32_t v)
{
    nrf_wr(NRF_POWER, POWER_GPREGRET, v & 0xFFu);
}

void nrf_wdt_start(uint32_t seconds)
{
    if (nrf_rd(NRF_WDT, WDT_RUNSTATUS) & 1u) {
        return;
    }
    nrf_wr(NRF_WDT, WDT_CRV, seconds * 32768u); /* 32.768 kHz ticks */
    nrf_wr(NRF_WDT, WDT_RREN, 1u);              /* RR[0] only */
    nrf_wr(NRF_WDT, WDT_CONFIG, 1u);            /* keep running while the CPU sleeps */
    nrf_wr(NRF_WDT, WDT_TASKS_START, NRF_TRIGGER);
}

void nrf_wdt_feed(void)
{
    if (nrf_rd(NRF_WDT, WDT_RUNSTATUS) & 1u) {
        nrf_wr(NRF_WDT, WDT_RR0, WDT_RELOAD);
    }
}
