/* The virtual device's side of the simulated BLE link (lfsim run --ble,
 * ports/sim/sim_ble_sock.c), driven PDU by PDU from raw sockets: the MTU
 * exchange, fragments both ways within the negotiated MTU, one link per
 * client address, writes too long for the link, other opcodes, a message
 * larger than buf_size answered EMSGSIZE, and lfmgr over the link after a
 * device reset. One device for the whole file (docs/lfmgr.md, "The
 * simulated BLE link"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/smp_ble.h"
#include "lf/smp_client.h"
#include "lf/smp_hdr.h"
#include "lfmgr.h"
#include "sim_proc.h"
#include "test_util.h"

#define REPLY_WAIT_MS 2000

static struct sim dev;
static struct run_result res;

struct client {
    int fd;
    unsigned mtu; /* negotiated */
    struct lf_smp_ble_rx rx;
    uint8_t buf[4096];
    unsigned notes;    /* notifications received */
    size_t max_note;   /* longest notification PDU */
    unsigned bad_note; /* PDUs that were not notifications of handle 0x12 */
};

static void client_open(struct client *c)
{
    struct sockaddr_un sa;
    memset(c, 0, sizeof(*c));
    c->fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(c->fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    assert_int_equal(bind(c->fd, (struct sockaddr *)&sa, sizeof(sa_family_t)), 0); /* autobind */
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", dev.ble);
    assert_int_equal(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    c->mtu = LF_SMP_BLE_MTU_MIN;
    lf_smp_ble_rx_init(&c->rx, c->buf, sizeof(c->buf));
}

static void pdu_send(const struct client *c, const uint8_t *p, size_t n)
{
    assert_int_equal(send(c->fd, p, n, 0), (ssize_t)n);
}

/* One datagram within ms, or 0 bytes. */
static size_t pdu_recv(const struct client *c, uint8_t *p, size_t cap, int ms)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    ssize_t n;
    if (poll(&pfd, 1, ms) <= 0) {
        return 0;
    }
    n = recv(c->fd, p, cap, 0);
    assert_true(n >= 0);
    return (size_t)n;
}

/* Exchange MTU; returns the device's MTU from the response. */
static unsigned exchange(struct client *c, unsigned ours)
{
    uint8_t req[3] = {0x02, (uint8_t)(ours & 0xFF), (uint8_t)(ours >> 8)};
    uint8_t rsp[8];
    unsigned dev_mtu;
    pdu_send(c, req, sizeof(req));
    assert_int_equal(pdu_recv(c, rsp, sizeof(rsp), REPLY_WAIT_MS), 3);
    assert_int_equal(rsp[0], 0x03);
    dev_mtu = (unsigned)rsp[1] | ((unsigned)rsp[2] << 8);
    c->mtu = ours < dev_mtu ? ours : dev_mtu;
    return dev_mtu;
}

/* Write msg[from..to) as Write Without Response PDUs of at most mtu - 3
 * bytes of value. */
static void write_part(const struct client *c, const uint8_t *msg, size_t from, size_t to,
                       unsigned mtu)
{
    size_t chunk = mtu - 3u;
    while (from < to) {
        uint8_t pdu[LF_SMP_BLE_MTU_MAX + 8] = {0x52, 0x12, 0x00};
        size_t n = to - from < chunk ? to - from : chunk;
        memcpy(pdu + 3, msg + from, n);
        pdu_send(c, pdu, n + 3);
        from += n;
    }
}

/* Reassemble notifications until one message is complete; its length, or 0
 * when nothing completes within the wait. */
static size_t reply(struct client *c, int ms)
{
    for (;;) {
        uint8_t pdu[LF_SMP_BLE_MTU_MAX + 8];
        size_t n = pdu_recv(c, pdu, sizeof(pdu), ms);
        size_t off = 3;
        if (n == 0) {
            return 0;
        }
        if (n < 3 || pdu[0] != 0x1B || pdu[1] != 0x12 || pdu[2] != 0x00) {
            c->bad_note++;
            continue;
        }
        c->notes++;
        if (n > c->max_note) {
            c->max_note = n;
        }
        while (off < n) {
            size_t used = 0;
            size_t mlen = 0;
            assert_int_equal(lf_smp_ble_rx_write(&c->rx, pdu + off, n - off, &used, &mlen), LF_OK);
            off += used;
            if (mlen) {
                assert_int_equal(off, n); /* one message per reply */
                return mlen;
            }
        }
    }
}

/* An echo request of `len` characters of `fill`. */
static size_t echo_req(uint8_t *msg, size_t cap, uint8_t seq, char fill, size_t len)
{
    static char text[3000];
    struct lf_smp_req r;
    size_t n = 0;
    assert_true(len < sizeof(text));
    memset(text, fill, len);
    lf_smp_req_begin(&r, msg, cap, LF_SMP_VER_2, seq);
    assert_int_equal(lf_smp_req_echo(&r, text, len, &n), LF_OK);
    return n;
}

/* The reply in c->buf[0..n) is the echo of `len` x `fill` with sequence seq. */
static void check_echo(const struct client *c, size_t n, uint8_t seq, char fill, size_t len)
{
    struct lf_smp_rsp rsp;
    struct lf_cbor_str s;
    size_t i;
    assert_true(n > 0);
    assert_int_equal(lf_smp_rsp_parse(c->buf, n, &rsp), LF_OK);
    assert_int_equal(rsp.hdr.seq, seq);
    assert_true(lf_smp_rsp_ok(&rsp));
    assert_int_equal(lf_smp_rsp_text(&rsp, "r", &s), LF_OK);
    assert_int_equal(s.len, len);
    for (i = 0; i < len; i++) {
        assert_int_equal(s.ptr[i], (uint8_t)fill);
    }
}

/* The device announces its MTU; both directions use min(ours, device's);
 * a long reply comes back in full notifications of MTU - 3 bytes. */
static void test_exchange_and_fragments(void **st)
{
    struct client c;
    static uint8_t msg[4096];
    size_t n, got;
    (void)st;
    client_open(&c);
    assert_int_equal(exchange(&c, 100), SIM_BLE_MTU);
    assert_int_equal(c.mtu, 100);
    n = echo_req(msg, sizeof(msg), 7, 'a', 700);
    write_part(&c, msg, 0, n, c.mtu);
    got = reply(&c, REPLY_WAIT_MS);
    check_echo(&c, got, 7, 'a', 700);
    assert_int_equal(c.max_note, 100); /* full notifications, never longer */
    assert_int_equal(c.notes, (got + 96) / 97);
    assert_int_equal(c.bad_note, 0);
    /* ours above the device's: the device's 185 */
    c.notes = 0;
    c.max_note = 0;
    assert_int_equal(exchange(&c, 517), SIM_BLE_MTU);
    assert_int_equal(c.mtu, SIM_BLE_MTU);
    n = echo_req(msg, sizeof(msg), 8, 'b', 1000);
    write_part(&c, msg, 0, n, c.mtu);
    got = reply(&c, REPLY_WAIT_MS);
    check_echo(&c, got, 8, 'b', 1000);
    assert_int_equal(c.max_note, SIM_BLE_MTU);
    assert_int_equal(c.notes, (got + SIM_BLE_MTU - 4) / (SIM_BLE_MTU - 3));
    close(c.fd);
}

/* Two clients' fragments interleaved: each address has its own link
 * (reassembly, MTU), and each reply goes to its own client. */
static void test_two_links(void **st)
{
    struct client a, b;
    static uint8_t ma[4096], mb[4096];
    size_t na, nb;
    (void)st;
    client_open(&a);
    client_open(&b);
    exchange(&a, 23);
    exchange(&b, 200);
    na = echo_req(ma, sizeof(ma), 1, 'x', 300);
    nb = echo_req(mb, sizeof(mb), 2, 'y', 500);
    write_part(&b, mb, 0, 200, b.mtu);
    write_part(&a, ma, 0, 100, a.mtu);
    write_part(&b, mb, 200, nb, b.mtu);
    check_echo(&b, reply(&b, REPLY_WAIT_MS), 2, 'y', 500);
    write_part(&a, ma, 100, na, a.mtu);
    check_echo(&a, reply(&a, REPLY_WAIT_MS), 1, 'x', 300);
    assert_int_equal(a.max_note, 23);
    assert_int_equal(b.max_note, SIM_BLE_MTU);
    /* nothing more arrived at either */
    assert_int_equal(reply(&a, 200), 0);
    assert_int_equal(reply(&b, 0), 0);
    close(a.fd);
    close(b.fd);
}

/* Without an MTU exchange the link runs at the default 23; a write longer
 * than the link's MTU is dropped; other opcodes are ignored. */
static void test_default_mtu_and_drops(void **st)
{
    struct client c;
    static uint8_t msg[4096];
    uint8_t pdu[64];
    size_t n;
    (void)st;
    client_open(&c);
    n = echo_req(msg, sizeof(msg), 3, 'c', 120);
    write_part(&c, msg, 0, n, 23);
    check_echo(&c, reply(&c, REPLY_WAIT_MS), 3, 'c', 120);
    assert_int_equal(c.max_note, 23);
    /* a whole request in one 24-byte write: too long for the link, dropped */
    {
        static uint8_t small[64];
        size_t sn = echo_req(small, sizeof(small), 6, 's', 9);
        assert_int_equal(sn, 21);
        write_part(&c, small, 0, sn, 24);
        assert_int_equal(reply(&c, 300), 0);
    }
    /* a Write Request (0x12) and a Read Request (0x0A): not the SMP path */
    memset(pdu, 0, sizeof(pdu));
    pdu[0] = 0x12;
    pdu[1] = 0x12;
    memcpy(pdu + 3, msg, 20);
    pdu_send(&c, pdu, 23);
    pdu[0] = 0x0A;
    pdu_send(&c, pdu, 3);
    assert_int_equal(reply(&c, 300), 0);
    /* and the link still works */
    write_part(&c, msg, 0, n, 23);
    check_echo(&c, reply(&c, REPLY_WAIT_MS), 3, 'c', 120);
    assert_int_equal(c.bad_note, 0);
    close(c.fd);
}

/* A new MTU exchange is a new connection: a half-sent message is dropped. */
static void test_exchange_resets_reassembly(void **st)
{
    struct client c;
    static uint8_t msg[4096];
    size_t n;
    (void)st;
    client_open(&c);
    exchange(&c, 64);
    n = echo_req(msg, sizeof(msg), 4, 'd', 400);
    write_part(&c, msg, 0, 200, c.mtu);
    exchange(&c, 64);
    n = echo_req(msg, sizeof(msg), 5, 'e', 90);
    write_part(&c, msg, 0, n, c.mtu);
    check_echo(&c, reply(&c, REPLY_WAIT_MS), 5, 'e', 90);
    assert_int_equal(reply(&c, 200), 0);
    close(c.fd);
}

/* A message larger than the device's buf_size (2048): its fragments are
 * discarded and it is answered with rc 7 (EMSGSIZE), same sequence; the
 * link goes on. */
static void test_too_big(void **st)
{
    struct client c;
    static uint8_t msg[4096];
    struct lf_smp_rsp rsp;
    size_t n, got;
    (void)st;
    client_open(&c);
    exchange(&c, 247);
    n = echo_req(msg, sizeof(msg), 9, 'f', 2100);
    assert_true(n > 2048);
    write_part(&c, msg, 0, n, c.mtu);
    got = reply(&c, REPLY_WAIT_MS);
    assert_true(got > 0);
    assert_int_equal(lf_smp_rsp_parse(c.buf, got, &rsp), LF_OK);
    assert_int_equal(rsp.hdr.seq, 9);
    assert_int_equal(rsp.hdr.op, LF_SMP_OP_WRITE_RSP);
    assert_int_equal(rsp.hdr.group, LF_SMP_GROUP_OS);
    assert_true(rsp.has_rc);
    assert_int_equal(rsp.rc, LF_SMP_RC_EMSGSIZE);
    assert_int_equal(reply(&c, 200), 0); /* one answer, the rest discarded */
    /* the largest message accepted: exactly buf_size (8 header bytes, map
     * head 1, "d" 2, text head 3) */
    n = echo_req(msg, sizeof(msg), 10, 'g', 2048 - 14);
    assert_int_equal(n, 2048);
    write_part(&c, msg, 0, n, c.mtu);
    check_echo(&c, reply(&c, REPLY_WAIT_MS), 10, 'g', 2048 - 14);
    close(c.fd);
}

/* lfmgr with a buf_size larger than the device's: the device's EMSGSIZE is
 * reported as a device error (exit 3), nothing written. */
static void test_lfmgr_too_big(void **st)
{
    static uint8_t app[20000];
    char path[600];
    size_t n = make_image(app, 0, false, 12000, 11, NULL);
    (void)st;
    tmp_path(path, sizeof(path), "big-msg.bin");
    assert_int_equal(write_file(path, app, n), 0);
    {
        const char *a[] = {"--conn", dev.ble_spec, "-t",     "2",  "--buf-size",
                           "4096",   "image",      "upload", path, NULL};
        run_lfmgr(a, 60, &res);
    }
    if (res.code != 3) {
        fprintf(stderr, "stdout: %s\nstderr: %s\n", res.out, res.err);
    }
    assert_int_equal(res.code, 3);
    assert_non_null(strstr(res.err, "EMSGSIZE"));
    assert_int_equal(sim_log_count(&dev, "bytes to image 0"), 0);
}

/* After a reset the device has forgotten every link (a reset drops BLE
 * connections); a client that connects again is served. */
static void test_reset_over_ble(void **st)
{
    int before = sim_log_count(&dev, "lfsim: reset");
    (void)st;
    {
        const char *a[] = {"--conn", dev.ble23_spec, "reset", NULL};
        run_lfmgr(a, 30, &res);
    }
    assert_int_equal(res.code, 0);
    {
        const char *a[] = {"--conn", dev.ble_spec, "-vv", "echo", "again", NULL};
        run_lfmgr(a, 30, &res);
    }
    assert_int_equal(res.code, 0);
    assert_string_equal(res.out, "again\n");
    assert_non_null(strstr(res.err, "ble: MTU 185 (ours 247, device 185)"));
    assert_int_equal(sim_log_count(&dev, "lfsim: reset"), before + 1);
}

struct echo_arg {
    const char *text;
    size_t len;
};

static int build_echo(struct lf_smp_req *r, const void *arg, size_t *len)
{
    const struct echo_arg *e = arg;
    return lf_smp_req_echo(r, e->text, e->len, len);
}

/* One lfmgr connection across a device reset: the device forgets the link,
 * so the first long request after the reset goes out in 182-byte writes to
 * a link at the default MTU 23 and is dropped; after that timeout lfmgr
 * exchanges MTUs again and the resend is answered. */
static void test_client_relinks_after_reset(void **st)
{
    static struct lfm_session s;
    static char text[600];
    struct lfm_conn c;
    struct lf_smp_rsp rsp;
    struct lf_cbor_str r;
    struct echo_arg e = {text, sizeof(text)};
    int before = sim_log_count(&dev, "lfsim: reset");
    int i;
    (void)st;
    memset(text, 'r', sizeof(text));
    assert_int_equal(lfm_conn_open(dev.ble_spec, 0, &c), LF_EXIT_OK);
    assert_int_equal(c.mtu, SIM_BLE_MTU);
    lfm_session_init(&s, &c);
    s.timeout_ms = 700;
    s.retries = 2;
    assert_int_equal(lfm_transact(&s, "echo", build_echo, &e, 0, &rsp), LF_EXIT_OK);
    {
        const char *a[] = {"--conn", dev.udp_spec, "reset", NULL};
        run_lfmgr(a, 30, &res);
        assert_int_equal(res.code, 0);
    }
    for (i = 0; i < 100 && sim_log_count(&dev, "lfsim: reset") == before; i++) {
        usleep(20000);
    }
    assert_int_equal(sim_log_count(&dev, "lfsim: reset"), before + 1);
    usleep(300000); /* the new boot is serving */
    assert_int_equal(lfm_transact(&s, "echo", build_echo, &e, 0, &rsp), LF_EXIT_OK);
    assert_true(lf_smp_rsp_ok(&rsp));
    assert_int_equal(lf_smp_rsp_text(&rsp, "r", &r), LF_OK);
    assert_int_equal(r.len, sizeof(text));
    assert_int_equal(c.mtu, SIM_BLE_MTU);
    lfm_conn_close(&c);
}

/* lfmgr to a socket nobody serves: a connection error (exit 2), named. */
static void test_lfmgr_no_device(void **st)
{
    char spec[700];
    (void)st;
    snprintf(spec, sizeof(spec), "ble-sim:%s.none", dev.ble);
    {
        const char *a[] = {"--conn", spec, "echo", "x", NULL};
        run_lfmgr(a, 30, &res);
    }
    assert_int_equal(res.code, 2);
    assert_non_null(strstr(res.err, "cannot reach the device"));
}

static int group_setup(void **st)
{
    (void)st;
    if (sim_create(&dev, "ble") != 0 || sim_start(&dev, 0) != 0) {
        fprintf(stderr, "cannot start the virtual device (%s)\n", dev.log);
        return -1;
    }
    return 0;
}

static int group_teardown(void **st)
{
    (void)st;
    sim_stop(&dev);
    sim_remove(&dev);
    tmp_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exchange_and_fragments),
        cmocka_unit_test(test_two_links),
        cmocka_unit_test(test_default_mtu_and_drops),
        cmocka_unit_test(test_exchange_resets_reassembly),
        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_lfmgr_too_big),
        cmocka_unit_test(test_lfmgr_no_device),
        cmocka_unit_test(test_reset_over_ble),
        cmocka_unit_test(test_client_relinks_after_reset),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
