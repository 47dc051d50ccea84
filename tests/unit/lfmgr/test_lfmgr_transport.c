/* lfmgr's transports against the threaded fake server: serial framing over a
 * pty (with console noise), UDP on loopback, the simulated BLE link. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include "fake_smp.h"
#include "lf/base64.h"
#include "lf/crc16.h"
#include "lf/err.h"
#include "upload.h"

static struct fake_smp fk;
static struct lfm_session sess;
static uint8_t file[60000];

static int build_echo(struct lf_smp_req *r, const void *arg, size_t *len)
{
    const char *t = arg;
    return lf_smp_req_echo(r, t, strlen(t), len);
}

/* Echo a long text and upload a file over `kind`; check both on the device. */
static void roundtrip(enum fake_kind kind, uint32_t buf_size, bool garbage, uint32_t ble_mtu)
{
    struct fake_srv srv;
    struct lfm_conn c;
    struct lf_smp_rsp rsp;
    struct lf_cbor_str r;
    struct lfm_upload_opts o;
    struct lfm_upload_stats st;
    char text[400]; /* fits every buf_size used here */
    size_t i;
    fake_smp_init(&fk);
    fk.buf_size = buf_size;
    memset(&srv, 0, sizeof(srv));
    srv.garbage = garbage;
    srv.ble_mtu = ble_mtu;
    assert_int_equal(fake_srv_start(&srv, &fk, kind), 0);
    assert_int_equal(lfm_conn_open(srv.spec, 0, &c), LF_EXIT_OK);
    lfm_session_init(&sess, &c);
    sess.timeout_ms = 2000;

    for (i = 0; i < sizeof(text) - 1; i++) {
        text[i] = (char)('a' + i % 26);
    }
    text[sizeof(text) - 1] = '\0';
    /* a message of several serial lines and BLE fragments */
    assert_int_equal(lfm_request(&sess, "echo", build_echo, text, 0, &rsp), LF_EXIT_OK);
    assert_int_equal(lf_smp_rsp_text(&rsp, "r", &r), LF_OK);
    assert_int_equal(r.len, strlen(text));
    assert_memory_equal(r.ptr, text, r.len);

    for (i = 0; i < sizeof(file); i++) {
        file[i] = (uint8_t)(i ^ (i >> 9));
    }
    memset(&o, 0, sizeof(o));
    o.align = 16;
    assert_int_equal(lfm_upload(&sess, file, sizeof(file), &o, &st), LF_EXIT_OK);
    assert_true(st.match);
    assert_memory_equal(fk.slot, file, sizeof(file));
    assert_true(fk.max_msg <= st.budget);
    if (kind == FAKE_PTY) {
        assert_int_equal(st.budget, buf_size - 4);
    }
    if (kind == FAKE_BLE) {
        assert_int_equal(c.mtu, ble_mtu < 247 ? ble_mtu : 247);
    }
    lfm_conn_close(&c);
    fake_srv_stop(&srv);
}

static void test_udp(void **st)
{
    (void)st;
    roundtrip(FAKE_UDP, 2048, false, 0);
}

static void test_pty(void **st)
{
    (void)st;
    roundtrip(FAKE_PTY, 1024, false, 0);
}

static void test_pty_console_noise(void **st)
{
    (void)st;
    roundtrip(FAKE_PTY, 512, true, 0);
}

static void test_ble(void **st)
{
    (void)st;
    roundtrip(FAKE_BLE, 1024, false, 185);
    roundtrip(FAKE_BLE, 512, false, 23); /* the smallest MTU: 20-byte fragments */
}

/* The bytes on the wire: lines of marker + base64 + '\n', at most 127 bytes,
 * 124 base64 characters on every line but the last; decoded: length, the
 * message, CRC-16/XMODEM. */
static void test_serial_wire_format(void **st)
{
    int master = -1;
    int slave = -1;
    char name[128];
    char spec[160];
    struct termios t;
    struct lfm_conn c;
    uint8_t msg[500];
    uint8_t wire[2000];
    uint8_t packet[600];
    size_t got = 0;
    size_t plen = 0;
    size_t pos = 0;
    unsigned lines = 0;
    size_t i;
    (void)st;
    assert_int_equal(openpty(&master, &slave, name, NULL, NULL), 0);
    tcgetattr(slave, &t);
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    snprintf(spec, sizeof(spec), "serial:%s,baud=1000000", name);
    assert_int_equal(lfm_conn_open(spec, 0, &c), LF_EXIT_OK);
    assert_int_equal(c.baud, 1000000);
    for (i = 0; i < sizeof(msg); i++) {
        msg[i] = (uint8_t)(i * 3);
    }
    assert_int_equal(c.ops->send(&c, msg, sizeof(msg)), LF_EXIT_OK);
    for (;;) {
        struct pollfd pfd = {.fd = master, .events = POLLIN};
        ssize_t n;
        if (poll(&pfd, 1, 500) <= 0) {
            break;
        }
        n = read(master, wire + got, sizeof(wire) - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    /* 504 packet bytes -> 672 base64 characters -> 6 lines */
    assert_int_equal(got, 672 + 6 * 3);
    while (pos < got) {
        size_t end = pos;
        size_t n;
        size_t out = 0;
        while (end < got && wire[end] != '\n') {
            end++;
        }
        assert_true(end < got);
        assert_true(end + 1 - pos <= 127);
        if (lines == 0) {
            assert_int_equal(wire[pos], 0x06);
            assert_int_equal(wire[pos + 1], 0x09);
        } else {
            assert_int_equal(wire[pos], 0x04);
            assert_int_equal(wire[pos + 1], 0x14);
        }
        n = end - pos - 2;
        if (end + 1 < got) {
            assert_int_equal(n, 124);
        }
        assert_int_equal(lf_base64_decode((const char *)wire + pos + 2, n, packet + plen,
                                          sizeof(packet) - plen, &out),
                         LF_OK);
        plen += out;
        pos = end + 1;
        lines++;
    }
    assert_int_equal(lines, 6);
    assert_int_equal(plen, 2 + sizeof(msg) + 2);
    assert_int_equal((packet[0] << 8) | packet[1], sizeof(msg) + 2);
    assert_memory_equal(packet + 2, msg, sizeof(msg));
    assert_int_equal(lf_crc16_xmodem(0, packet + 2, sizeof(msg) + 2), 0);
    lfm_conn_close(&c);
    close(master);
    close(slave);
}

static void test_conn_errors(void **st)
{
    struct lfm_conn c;
    (void)st;
    assert_int_equal(lfm_conn_open("tcp:1.2.3.4", 0, &c), LF_EXIT_USAGE);
    assert_int_equal(lfm_conn_open("udp:", 0, &c), LF_EXIT_USAGE);
    assert_int_equal(lfm_conn_open("udp:127.0.0.1,mtu=5", 0, &c), LF_EXIT_USAGE);
    assert_int_equal(lfm_conn_open("udp:127.0.0.1,foo=5", 0, &c), LF_EXIT_USAGE);
    assert_int_equal(lfm_conn_open("serial:/dev/null,baud=12345", 0, &c), LF_EXIT_USAGE);
    assert_int_equal(lfm_conn_open("serial:/nonexistent/tty", 0, &c), LF_EXIT_CONN);
    assert_int_equal(lfm_conn_open("serial:/dev/null", 0, &c), LF_EXIT_CONN); /* not a tty */
    assert_int_equal(lfm_conn_open("ble-sim:/nonexistent/sock", 0, &c), LF_EXIT_CONN);
    assert_int_equal(lfm_conn_open("ble-sim:/x,mtu=600", 0, &c), LF_EXIT_USAGE);
    assert_int_equal(lfm_conn_open(NULL, 0, &c), LF_EXIT_USAGE);
    /* the budget rules */
    assert_int_equal(lfm_conn_open("udp:[::1]:7,mtu=1280", 0, &c), LF_EXIT_OK);
    assert_int_equal(c.ip_hdr, 48);
    assert_int_equal(lfm_conn_budget(&c, 2048), 1280 - 48);
    assert_int_equal(lfm_conn_budget(&c, 512), 512);
    lfm_conn_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_udp),
        cmocka_unit_test(test_pty),
        cmocka_unit_test(test_pty_console_noise),
        cmocka_unit_test(test_ble),
        cmocka_unit_test(test_serial_wire_format),
        cmocka_unit_test(test_conn_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
