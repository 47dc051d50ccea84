/*
 * The nRF52840 port's drivers against the register-level model (nrf_model.c):
 * NVMC erase and word programs (CONFIG sequencing, READY waits, nWRITE), the
 * provision page's write-once words, ACL protection, the watchdog feed, and
 * the QSPI driver on the MX25R6435F (wake from deep power-down, EasyDMA
 * alignment through the bounce buffer, page programs, sector erase, status
 * polling, deep power-down on stop), also through the core's flash layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/flash.h"
#include "nrf_hw.h"
#include "nrf_model.h"
#include "nrf_nvmc.h"
#include "nrf_qspi.h"
#include "nrf_sys.h"
#include "nrf_uarte.h"

static int setup(void **state)
{
    (void)state;
    model_reset();
    return 0;
}

static void no_violation(void)
{
    if (model->violations) {
        fail_msg("model: %u violation(s), last: %s", model->violations, model->last_violation);
    }
}

static void test_nvmc_erase_program_read(void **state)
{
    (void)state;
    struct nrf_nvmc_dev d = {0, MODEL_FLASH_SIZE, 0};
    uint8_t data[64], back[64];
    for (unsigned i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 7u + 1u);
    }
    assert_int_equal(nrf_nvmc_ops.program(&d, 0x20000, data, sizeof(data)), LF_OK);
    assert_int_equal(nrf_nvmc_ops.read(&d, 0x20000, back, sizeof(back)), LF_OK);
    assert_memory_equal(back, data, sizeof(data));
    assert_int_equal(model->nvmc_config, NVMC_CONFIG_REN); /* read-only again */
    assert_int_equal(nrf_nvmc_ops.erase(&d, 0x20000, 0x2000), LF_OK);
    assert_int_equal(model->erases, 2);
    assert_int_equal(nrf_nvmc_ops.read(&d, 0x20000, back, sizeof(back)), LF_OK);
    for (unsigned i = 0; i < sizeof(back); i++) {
        assert_int_equal(back[i], 0xFF);
    }
    assert_int_equal(model->nvmc_config, NVMC_CONFIG_REN);
    no_violation();
}

static void test_nvmc_refusals(void **state)
{
    (void)state;
    struct nrf_nvmc_dev d = {0, MODEL_FLASH_SIZE, 0};
    uint8_t w[8] = {0};
    assert_int_equal(nrf_nvmc_ops.program(&d, 2, w, 4), LF_E_FLASH_MISALIGNED);
    assert_int_equal(nrf_nvmc_ops.program(&d, 0, w, 3), LF_E_FLASH_MISALIGNED);
    assert_int_equal(nrf_nvmc_ops.program(&d, MODEL_FLASH_SIZE - 4u, w, 8),
                     LF_E_FLASH_OUT_OF_BOUNDS);
    assert_int_equal(nrf_nvmc_ops.erase(&d, 0x1000, 0x800), LF_E_FLASH_NOT_SECTOR);
    assert_int_equal(nrf_nvmc_ops.erase(&d, 0x800, 0x1000), LF_E_FLASH_NOT_SECTOR);
    assert_int_equal(model->programs + model->erases, 0);
    no_violation();
}

static void test_provision_page_write_once(void **state)
{
    (void)state;
    struct nrf_nvmc_dev p = {0x17000, 4096, 1};
    const uint8_t slot[4] = {1, 0, 0, 0};
    assert_int_equal(nrf_nvmc_ops.program(&p, 0x100, slot, 4), LF_OK);
    assert_int_equal(model->flash[0x17100], 1);
    assert_int_equal(nrf_nvmc_ops.program(&p, 0x100, slot, 4), LF_E_FLASH_OTP_REWRITE);
    assert_int_equal(nrf_nvmc_ops.erase(&p, 0, 4096), LF_E_FLASH_NO_ERASE);
    assert_int_equal(nrf_nvmc_ops.program(&p, 4096, slot, 4), LF_E_FLASH_OUT_OF_BOUNDS);
    no_violation();
}

static void test_acl_protects_until_reset(void **state)
{
    (void)state;
    struct nrf_nvmc_dev d = {0, MODEL_FLASH_SIZE, 0};
    const uint8_t w[4] = {0};
    assert_int_equal(nrf_acl_protect(0x0, 0x4000), LF_OK);
    assert_int_equal(nrf_acl_protect(0x17000, 0x1000), LF_OK);
    assert_true(nrf_acl_blocks(0x3FFC, 4));
    assert_false(nrf_acl_blocks(0x4000, 4));
    /* Refused before the store: no bus fault. */
    assert_int_equal(nrf_nvmc_ops.program(&d, 0x1000, w, 4), LF_E_FLASH_LOCKED);
    assert_int_equal(nrf_nvmc_ops.erase(&d, 0x17000, 0x1000), LF_E_FLASH_LOCKED);
    assert_int_equal(nrf_nvmc_ops.program(&d, 0x4000, w, 4), LF_OK);
    assert_int_equal(nrf_acl_protect(0x1001, 0x1000), LF_E_INVAL);
    for (int i = 2; i < 8; i++) {
        assert_int_equal(nrf_acl_protect(0x20000u + 0x1000u * (uint32_t)i, 0x1000), LF_OK);
    }
    assert_int_equal(nrf_acl_protect(0x80000, 0x1000), LF_E_NOSPACE);
    no_violation();
}

static void test_wdt_fed_by_erases(void **state)
{
    (void)state;
    assert_int_equal(nrf_nvmc_erase_page(0x30000), LF_OK);
    assert_int_equal(model->wdt_feeds, 0); /* not running: not touched */
    nrf_wdt_start(4);
    assert_int_equal(nrf_nvmc_erase_page(0x30000), LF_OK);
    assert_int_equal(model->wdt_feeds, 1);
    no_violation();
}

static const struct nrf_qspi_pins pins = {19, 17, 20, 21, 22, 23};

static void test_qspi_start_program_read_erase_stop(void **state)
{
    (void)state;
    assert_true(model->nor_dpm);
    assert_int_equal(nrf_qspi_start(&pins), LF_OK);
    assert_false(model->nor_dpm);
    assert_int_equal(model->q[QSPI_PSEL_SCK / 4], 19);
    assert_int_equal(model->q[QSPI_PSEL_CSN / 4], 17);

    /* Unaligned offset and length: padded with 0xFF inside the page. */
    model->nor[0x1004] = 0x5A; /* a neighbour that must stay */
    const uint8_t d[3] = {0x11, 0x22, 0x33};
    assert_int_equal(nrf_qspi_program(0x1005, d, 3), LF_OK);
    assert_memory_equal(model->nor + 0x1005, d, 3);
    assert_int_equal(model->nor[0x1004], 0x5A);
    assert_int_equal(model->nor[0x1008], 0xFF);
    assert_int_equal(nrf_qspi_program(0x10FE, d, 3), LF_E_FLASH_PAGE_CROSS);
    uint8_t big[300];
    assert_int_equal(nrf_qspi_program(0x2000, big, 257), LF_E_FLASH_TOO_LONG);
    assert_int_equal(model->page_programs_crossing, 0);

    /* Reads of any length at any offset, across the bounce buffer's size. */
    for (unsigned i = 0; i < 256; i++) {
        model->nor[0x3000 + i] = (uint8_t)i;
        model->nor[0x3100 + i] = (uint8_t)(255u - i);
    }
    memset(big, 0, sizeof(big));
    assert_int_equal(nrf_qspi_read(0x3001, big, 300), LF_OK);
    assert_memory_equal(big, model->nor + 0x3001, 300);
    assert_int_equal(nrf_qspi_read(MODEL_NOR_SIZE - 2u, big, 4), LF_E_FLASH_OUT_OF_BOUNDS);

    assert_int_equal(nrf_qspi_erase_sector(0x3000), LF_OK);
    assert_int_equal(model->nor[0x3000], 0xFF);
    assert_int_equal(model->nor[0x3FFF], 0xFF);
    assert_int_equal(nrf_qspi_erase_sector(0x3800), LF_E_FLASH_NOT_SECTOR);
    assert_int_equal(model->nor_busy, 0); /* status polled until WIP cleared */

    nrf_qspi_stop();
    assert_true(model->nor_dpm);
    assert_false(model->q_active);
    assert_false(model->q_enabled);
    no_violation();
}

static void test_qspi_through_core_flash_layer(void **state)
{
    (void)state;
    struct lf_flash_dev dev = {&lf_flash_part_mx25r6435f, &nrf_qspi_ops, (void *)&pins,
                               LF_FLASH_NOT_MAPPED};
    struct lf_flash_area fa = {0, &dev, 0x10000, 0x10000};
    uint8_t buf[1000], back[1000];
    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)(i ^ 0xA5u);
    }
    /* Started on first use, out of deep power-down. */
    assert_int_equal(lf_flash_area_erase(&fa, 0, 0x1000), LF_OK);
    assert_int_equal(lf_flash_area_write(&fa, 0x33, buf, sizeof(buf)), LF_OK);
    assert_int_equal(lf_flash_area_read(&fa, 0x33, back, sizeof(back)), LF_OK);
    assert_memory_equal(back, buf, sizeof(buf));
    assert_int_equal(model->page_programs_crossing, 0);
    nrf_qspi_stop();
    no_violation();
}

static void test_uarte_write_getc_stop(void **state)
{
    (void)state;
    static const struct nrf_uarte_pins upins = {6, 8, 0xFF, 0xFF};
    assert_int_equal(nrf_uarte_getc(), -1); /* not started */
    nrf_uarte_start(&upins, UARTE_BAUD_115200);
    assert_int_equal(model->u[UARTE_PSEL_TXD / 4], 6);
    assert_int_equal(model->u[UARTE_PSEL_RXD / 4], 8);
    assert_int_equal(model->u[UARTE_PSEL_RTS / 4], NRF_PSEL_DISCONNECTED);
    assert_int_equal(model->u[UARTE_CONFIG / 4], 0); /* no flow control without RTS/CTS */
    assert_int_equal(model->u[UARTE_BAUDRATE / 4], UARTE_BAUD_115200);

    /* A write longer than the driver's RAM buffer, from constant data. */
    static const char msg[] = "stage0: up on nrf52840dk-qspi, then a longer line than 32 bytes";
    nrf_uarte_write(msg, sizeof(msg) - 1u);
    assert_int_equal(model->u_tx_len, sizeof(msg) - 1u);
    assert_memory_equal(model->u_tx_log, msg, sizeof(msg) - 1u);

    /* Bytes in, one at a time, in order; nothing more after them. */
    assert_int_equal(nrf_uarte_getc(), -1);
    model_uart_push('a');
    model_uart_push('b');
    model_uart_push('c');
    assert_int_equal(nrf_uarte_getc(), 'a');
    assert_int_equal(nrf_uarte_getc(), 'b');
    assert_int_equal(nrf_uarte_getc(), 'c');
    assert_int_equal(nrf_uarte_getc(), -1);

    nrf_uarte_stop();
    assert_int_equal(model->u[UARTE_ENABLE / 4], 0);
    assert_int_equal(model->u[UARTE_PSEL_TXD / 4], NRF_PSEL_DISCONNECTED);
    assert_int_equal(model->u[UARTE_PSEL_RXD / 4], NRF_PSEL_DISCONNECTED);
    assert_false(model->u_rx_armed);
    uint32_t before = model->u_tx_len;
    nrf_uarte_write("x", 1); /* stopped: nothing goes out */
    assert_int_equal(model->u_tx_len, before);
    assert_int_equal(nrf_uarte_getc(), -1);
    no_violation();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_nvmc_erase_program_read, setup),
        cmocka_unit_test_setup(test_nvmc_refusals, setup),
        cmocka_unit_test_setup(test_provision_page_write_once, setup),
        cmocka_unit_test_setup(test_acl_protects_until_reset, setup),
        cmocka_unit_test_setup(test_wdt_fed_by_erases, setup),
        cmocka_unit_test_setup(test_qspi_start_program_read_erase_stop, setup),
        cmocka_unit_test_setup(test_qspi_through_core_flash_layer, setup),
        cmocka_unit_test_setup(test_uarte_write_getc_stop, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
