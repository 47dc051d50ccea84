/* The register-level model behind nrf_hw.h's NRF_HOST_MODEL hooks. */
#include "nrf_model.h"

#include <stdlib.h>
#include <string.h>

#include "nrf_hw.h"

struct nrf_model *model;

static void violation(const char *what)
{
    model->violations++;
    model->last_violation = what;
}

void model_reset(void)
{
    if (!model) {
        model = malloc(sizeof(*model));
    }
    memset(model, 0, sizeof(*model));
    memset(model->flash, 0xFF, sizeof(model->flash));
    memset(model->nor, 0xFF, sizeof(model->nor));
    model->nor_dpm = true; /* as the previous stage left it */
}

static bool acl_blocks(uint32_t a, uint32_t len)
{
    for (int n = 0; n < 8; n++) {
        uint32_t s = model->acl[n][1];
        if (s && (model->acl[n][2] & ACL_PERM_WRITE) && a < model->acl[n][0] + s &&
            a + len > model->acl[n][0]) {
            return true;
        }
    }
    return false;
}

/* ---- NVMC, ACL, POWER, WDT ---------------------------------------------- */

static uint32_t nvmc_read(uint32_t off)
{
    if (off == NVMC_READY) {
        if (model->ready_delay) {
            model->ready_delay--;
            return 0;
        }
        return 1;
    }
    if (off == NVMC_CONFIG) {
        return model->nvmc_config;
    }
    if (off >= 0x800u && off < 0x880u) {
        return model->acl[(off - 0x800u) / 16u][((off - 0x800u) % 16u) / 4u];
    }
    return 0;
}

static void nvmc_write(uint32_t off, uint32_t v)
{
    if (off == NVMC_CONFIG) {
        if (model->ready_delay) {
            violation("CONFIG written while the NVMC was busy");
        }
        model->nvmc_config = v;
    } else if (off == NVMC_ERASEPAGE) {
        if (model->nvmc_config != NVMC_CONFIG_EEN) {
            violation("ERASEPAGE without CONFIG = EEN");
            return;
        }
        if (v % 4096u || v >= MODEL_FLASH_SIZE) {
            violation("ERASEPAGE of a bad address");
            return;
        }
        if (acl_blocks(v, 4096u)) {
            violation("bus fault: erase of an ACL-protected page");
            return;
        }
        memset(model->flash + v, 0xFF, 4096u);
        memset(model->word_writes + v / 4u, 0, 1024u);
        model->erases++;
        model->ready_delay = 3;
    } else if (off >= 0x800u && off < 0x880u) {
        uint32_t n = (off - 0x800u) / 16u, r = ((off - 0x800u) % 16u) / 4u;
        if (r >= 3u || model->acl_written[n][r]) {
            return; /* each configuration register is written once until reset */
        }
        model->acl_written[n][r] = true;
        model->acl[n][r] = r == 1u && v % 4096u ? 0u : v;
    }
}

static void flash_store(uint32_t a, uint32_t v)
{
    if (model->nvmc_config != NVMC_CONFIG_WEN) {
        violation("flash store without CONFIG = WEN");
        return;
    }
    if (a % 4u) {
        violation("unaligned flash store");
        return;
    }
    if (acl_blocks(a, 4u)) {
        violation("bus fault: store into an ACL-protected region");
        return;
    }
    if (model->ready_delay) {
        violation("flash store while the NVMC was busy");
    }
    if (++model->word_writes[a / 4u] > 2u) {
        violation("word written more than twice between erases (nWRITE)");
    }
    uint32_t cur;
    memcpy(&cur, model->flash + a, 4);
    cur &= v;
    memcpy(model->flash + a, &cur, 4);
    model->programs++;
    model->ready_delay = 1;
}

/* ---- QSPI + MX25R6435F ---------------------------------------------------- */

static uint32_t *qreg(uint32_t off)
{
    return &model->q[off / 4u];
}

static void q_done(void)
{
    *qreg(QSPI_EVENTS_READY) = 1;
}

static bool q_usable(const char *what)
{
    if (!model->q_enabled || !model->q_active) {
        violation(what);
        return false;
    }
    if (model->nor_dpm) {
        violation("NOR accessed while in deep power-down");
        return false;
    }
    if (model->nor_busy) {
        violation("NOR accessed while a program or erase is in progress");
        return false;
    }
    return true;
}

static void q_cinstr(uint32_t conf)
{
    uint32_t op = conf & 0xFFu, len = (conf >> 8) & 0xFu;
    if (!model->q_enabled || !model->q_active) {
        violation("custom instruction with QSPI not active");
        return;
    }
    if (model->nor_dpm && op != 0xABu) {
        violation("NOR command other than RES in deep power-down");
    } else if (op == 0x05u && len == 2u) {
        *qreg(QSPI_CINSTRDAT0) = model->nor_busy ? 1u : 0u;
        if (model->nor_busy) {
            model->nor_busy--;
        }
    } else if (op == 0xABu) {
        model->nor_dpm = false;
    } else if (op == 0xB9u) {
        if (model->nor_busy) {
            violation("deep power-down during a program or erase");
        }
        model->nor_dpm = true;
    } else {
        violation("unexpected custom instruction");
    }
    q_done();
}

static void q_task(uint32_t off)
{
    switch (off) {
    case QSPI_TASKS_ACTIVATE:
        if (!model->q_enabled) {
            violation("ACTIVATE with ENABLE = 0");
        }
        model->q_active = true;
        q_done();
        break;
    case QSPI_TASKS_DEACTIVATE:
        model->q_active = false;
        break;
    case QSPI_TASKS_READSTART: {
        uint32_t src = *qreg(QSPI_READ_SRC), cnt = *qreg(QSPI_READ_CNT);
        if (!q_usable("READSTART with QSPI not active")) {
            break;
        }
        if (src % 4u || cnt % 4u || cnt == 0u || ((uintptr_t)model->read_dst) % 4u ||
            src + cnt > MODEL_NOR_SIZE) {
            violation("READ: EasyDMA needs word-aligned source, destination and count");
            break;
        }
        memcpy((void *)(uintptr_t)model->read_dst, model->nor + src, cnt);
        q_done();
        break;
    }
    case QSPI_TASKS_WRITESTART: {
        uint32_t dst = *qreg(QSPI_WRITE_DST), cnt = *qreg(QSPI_WRITE_CNT);
        if (!q_usable("WRITESTART with QSPI not active")) {
            break;
        }
        if (dst % 4u || cnt % 4u || cnt == 0u || ((uintptr_t)model->write_src) % 4u ||
            dst + cnt > MODEL_NOR_SIZE) {
            violation("WRITE: EasyDMA needs word-aligned source, destination and count");
            break;
        }
        if (dst / 256u != (dst + cnt - 1u) / 256u) {
            model->page_programs_crossing++;
        }
        const uint8_t *s = (const uint8_t *)(uintptr_t)model->write_src;
        for (uint32_t i = 0; i < cnt; i++) {
            model->nor[dst + i] &= s[i];
        }
        model->nor_busy = 2;
        q_done();
        break;
    }
    case QSPI_TASKS_ERASESTART: {
        uint32_t ptr = *qreg(QSPI_ERASE_PTR), len = *qreg(QSPI_ERASE_LEN);
        if (!q_usable("ERASESTART with QSPI not active")) {
            break;
        }
        if (len != QSPI_ERASE_LEN_4KB || ptr % 4096u || ptr >= MODEL_NOR_SIZE) {
            violation("ERASE: not one aligned 4 KiB sector");
            break;
        }
        memset(model->nor + ptr, 0xFF, 4096u);
        model->erases++;
        model->nor_busy = 5;
        q_done();
        break;
    }
    default:
        break;
    }
}

/* ---- UARTE0 ------------------------------------------------------------------ */

static uint32_t *ureg(uint32_t off)
{
    return &model->u[off / 4u];
}

static void u_deliver(void)
{
    if (!model->u_rx_armed || model->u_rx_head == model->u_rx_tail) {
        return;
    }
    if (*ureg(UARTE_RXD_MAXCNT) < 1u) {
        violation("UARTE RX armed with MAXCNT 0");
        return;
    }
    *(volatile uint8_t *)(uintptr_t)model->u_rx_ptr = model->u_rx_queue[model->u_rx_tail++ % 64u];
    *ureg(UARTE_RXD_AMOUNT) = 1;
    *ureg(UARTE_EVENTS_ENDRX) = 1;
    model->u_rx_armed = false;
}

void model_uart_push(uint8_t b)
{
    model->u_rx_queue[model->u_rx_head++ % 64u] = b;
    u_deliver();
}

static void u_write(uint32_t off, uint32_t v)
{
    bool on = *ureg(UARTE_ENABLE) == UARTE_ENABLE_ON;
    if (off == UARTE_TASKS_STARTTX && v) {
        uint32_t n = *ureg(UARTE_TXD_MAXCNT);
        if (!on || !model->u_tx_ptr) {
            violation("UARTE STARTTX while disabled or without TXD.PTR");
            return;
        }
        if (*ureg(UARTE_EVENTS_ENDTX)) {
            violation("UARTE STARTTX before ENDTX was cleared");
        }
        for (uint32_t i = 0; i < n && model->u_tx_len < sizeof(model->u_tx_log); i++) {
            model->u_tx_log[model->u_tx_len++] = ((const volatile uint8_t *)model->u_tx_ptr)[i];
        }
        *ureg(UARTE_EVENTS_ENDTX) = 1;
    } else if (off == UARTE_TASKS_STARTRX && v) {
        if (!on || !model->u_rx_ptr) {
            violation("UARTE STARTRX while disabled or without RXD.PTR");
            return;
        }
        model->u_rx_armed = true;
        u_deliver();
    } else if (off == UARTE_TASKS_STOPRX && v) {
        model->u_rx_armed = false;
        *ureg(UARTE_EVENTS_RXTO) = 1;
    } else if (off == UARTE_TASKS_STOPTX && v) {
        *ureg(UARTE_EVENTS_TXSTOPPED) = 1;
    } else if (off < 0x100u) {
        /* another task */
    } else {
        *ureg(off) = v;
    }
}

/* ---- the hooks ------------------------------------------------------------ */

uint32_t nrf_model_read(uint32_t addr)
{
    if (addr >= NRF_NVMC && addr < NRF_NVMC + 0x1000u) {
        return nvmc_read(addr - NRF_NVMC);
    }
    if (addr >= NRF_QSPI && addr < NRF_QSPI + 0x700u) {
        uint32_t off = addr - NRF_QSPI;
        if (off == QSPI_STATUS) {
            return model->q_active ? QSPI_STATUS_READY : 0u;
        }
        return *qreg(off);
    }
    if (addr == NRF_WDT + WDT_RUNSTATUS) {
        return model->wdt_running;
    }
    if (addr >= NRF_UARTE0 && addr < NRF_UARTE0 + 0x600u) {
        return *ureg(addr - NRF_UARTE0);
    }
    return 0;
}

void nrf_model_write(uint32_t addr, uint32_t v)
{
    if (addr < MODEL_FLASH_SIZE) {
        flash_store(addr, v);
    } else if (addr >= NRF_NVMC && addr < NRF_NVMC + 0x1000u) {
        nvmc_write(addr - NRF_NVMC, v);
    } else if (addr >= NRF_QSPI && addr < NRF_QSPI + 0x700u) {
        uint32_t off = addr - NRF_QSPI;
        if (off <= QSPI_TASKS_DEACTIVATE && v) {
            q_task(off);
        } else if (off == QSPI_ENABLE) {
            model->q_enabled = v != 0u;
            *qreg(off) = v;
        } else if (off == QSPI_CINSTRCONF) {
            *qreg(off) = v;
            q_cinstr(v);
        } else {
            *qreg(off) = v;
        }
    } else if (addr >= NRF_UARTE0 && addr < NRF_UARTE0 + 0x600u) {
        u_write(addr - NRF_UARTE0, v);
    } else if (addr == NRF_WDT + WDT_TASKS_START) {
        model->wdt_running = 1;
    } else if (addr == NRF_WDT + WDT_RR0 && v == WDT_RELOAD) {
        model->wdt_feeds++;
    }
}

void nrf_model_write_ptr(uint32_t addr, const volatile void *p)
{
    if (addr == NRF_QSPI + QSPI_READ_DST) {
        model->read_dst = p;
    } else if (addr == NRF_QSPI + QSPI_WRITE_SRC) {
        model->write_src = p;
    } else if (addr == NRF_UARTE0 + UARTE_RXD_PTR) {
        model->u_rx_ptr = p;
    } else if (addr == NRF_UARTE0 + UARTE_TXD_PTR) {
        model->u_tx_ptr = p;
    }
}

const uint8_t *nrf_model_mem(uint32_t addr)
{
    return model->flash + addr;
}
