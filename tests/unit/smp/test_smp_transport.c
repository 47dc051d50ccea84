/*
 * The virtual device's transports with the server behind them: UDP (one
 * message per datagram), the pty with the serial framing (the worked
 * example of docs/reference/smp.md 3.1, chunked lines, the emulated baud
 * rate) and the simulated BLE link at MTUs from 23 to 517.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/sha256.h"
#include "lf/smp_client.h"
#include "lf/smp_serial.h"
#include "sim_ble.h"
#include "sim_net.h"
#include "smp_fixture.h"

static const char echo_req[] = "02 00 00 09 00 00 42 00 a1 61 64 65 68 65 6c 6c 6f";
static const char echo_rsp[] = "03 00 00 09 00 00 42 00 a1 61 72 65 68 65 6c 6c 6f";

/* ---- UDP ------------------------------------------------------------------------ */

static void test_udp_one_message_per_datagram(void **state)
{
    (void)state;
    static struct lf_sim_udp u;
    assert_int_equal(lf_sim_udp_open(&u, 0, F.cfg.buf_size), LF_OK);
    assert_true(u.port != 0);
    int c = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(u.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    uint8_t req[64], want[64], got[256];
    size_t n = hex2bin(echo_req, req, sizeof(req));
    size_t wn = hex2bin(echo_rsp, want, sizeof(want));
    assert_int_equal(sendto(c, req, n, 0, (struct sockaddr *)&a, sizeof(a)), (ssize_t)n);
    struct pollfd pfd = {.fd = u.fd, .events = POLLIN};
    assert_int_equal(poll(&pfd, 1, 2000), 1);
    assert_int_equal(lf_sim_udp_handle(&u, &F.srv), 1);
    assert_int_equal(recv(c, got, sizeof(got), 0), (ssize_t)wn);
    assert_memory_equal(got, want, wn);
    /* two messages in one datagram: two reply datagrams */
    uint8_t two[128];
    memcpy(two, req, n);
    memcpy(two + n, req, n);
    two[n + 6] = 0x43;
    assert_int_equal(sendto(c, two, 2 * n, 0, (struct sockaddr *)&a, sizeof(a)), (ssize_t)(2 * n));
    assert_int_equal(poll(&pfd, 1, 2000), 1);
    assert_int_equal(lf_sim_udp_handle(&u, &F.srv), 1);
    assert_int_equal(recv(c, got, sizeof(got), 0), (ssize_t)wn);
    assert_int_equal(got[6], 0x42);
    assert_int_equal(recv(c, got, sizeof(got), 0), (ssize_t)wn);
    assert_int_equal(got[6], 0x43);
    /* nothing pending */
    assert_int_equal(lf_sim_udp_handle(&u, &F.srv), 0);
    /* a datagram larger than buf_size is dropped */
    static uint8_t big[3000];
    memset(big, 0, sizeof(big));
    assert_int_equal(sendto(c, big, sizeof(big), 0, (struct sockaddr *)&a, sizeof(a)),
                     (ssize_t)sizeof(big));
    assert_int_equal(poll(&pfd, 1, 2000), 1);
    assert_int_equal(lf_sim_udp_handle(&u, &F.srv), 1);
    assert_int_equal(u.dropped, 1);
    close(c);
    lf_sim_udp_close(&u);
}

/* ---- pty ------------------------------------------------------------------------ */

static int open_client(const char *link)
{
    int fd = open(link, O_RDWR | O_NOCTTY);
    assert_true(fd >= 0);
    struct termios t;
    assert_int_equal(tcgetattr(fd, &t), 0);
    cfmakeraw(&t);
    assert_int_equal(tcsetattr(fd, TCSANOW, &t), 0);
    return fd;
}

/* Serve until the client has `want` bytes of reply (or 3 s pass). */
static size_t serve_and_read(struct lf_sim_pty *p, int cfd, uint8_t *out, size_t cap, size_t want)
{
    size_t got = 0;
    for (int i = 0; i < 3000 && got < want; i++) {
        struct pollfd pfd[2] = {{.fd = p->master, .events = POLLIN}, {.fd = cfd, .events = POLLIN}};
        poll(pfd, 2, 1);
        if (pfd[0].revents & POLLIN) {
            assert_true(lf_sim_pty_handle(p, &F.srv) >= 0);
        }
        if (pfd[1].revents & POLLIN) {
            ssize_t n = read(cfd, out + got, cap - got);
            if (n > 0) {
                got += (size_t)n;
            }
        }
    }
    return got;
}

static void test_pty_spec_worked_example(void **state)
{
    (void)state;
    static struct lf_sim_pty p;
    char link[600];
    snprintf(link, sizeof(link), "%s/tty", F.dir);
    assert_int_equal(lf_sim_pty_open(&p, link, 0, F.cfg.buf_size - 4u), LF_OK);
    int cfd = open_client(link);
    /* smp.md 3.1: v1 echo "hello", seq 0x42, in one line */
    static const char line[] = "\x06\x09"
                               "ABMCAAAJAABCAKFhZGVoZWxsb8EJ\n";
    /* console noise before it is ignored */
    static const char noise[] = "shell> help\r\n";
    assert_int_equal(write(cfd, noise, strlen(noise)), (ssize_t)strlen(noise));
    assert_int_equal(write(cfd, line, strlen(line)), (ssize_t)strlen(line));
    uint8_t out[512];
    uint8_t want[64], want_line[128];
    size_t wn = hex2bin(echo_rsp, want, sizeof(want));
    size_t wl;
    assert_int_equal(lf_smp_serial_encode_buf(want, wn, want_line, sizeof(want_line), &wl), LF_OK);
    size_t got = serve_and_read(&p, cfd, out, sizeof(out), wl);
    assert_int_equal(got, wl);
    assert_memory_equal(out, want_line, wl);
    close(cfd);
    lf_sim_pty_close(&p);
    assert_int_equal(access(link, F_OK), -1); /* the link goes with the pty */
}

static void test_pty_multiline_upload_at_baud(void **state)
{
    (void)state;
    static struct lf_sim_pty p;
    char link[600];
    snprintf(link, sizeof(link), "%s/tty-baud", F.dir);
    unsigned baud = 115200;
    assert_int_equal(lf_sim_pty_open(&p, link, baud, F.cfg.buf_size - 4u), LF_OK);
    int cfd = open_client(link);
    /* one upload chunk filling buf_size - 4: 22+ lines each way */
    static uint8_t img[4096];
    struct img_opts o = {.major = 1, .minor = 1, .payload = 3000, .seed = 6};
    size_t len = img_make(img, sizeof(img), &o);
    struct lf_smp_upload up;
    assert_int_equal(lf_smp_upload_init(&up, (uint32_t)len, NULL, 0, 0, false, 1), LF_OK);
    struct lf_smp_chunk c;
    assert_int_equal(lf_smp_upload_chunk(&up, 0, F.cfg.buf_size - 4u, &c), LF_OK);
    c.data = img;
    static uint8_t msg[4096], framed[8192], out[512];
    struct lf_smp_req r;
    size_t n, fl;
    lf_smp_req_begin(&r, msg, sizeof(msg), LF_SMP_VER_2, 1);
    assert_int_equal(lf_smp_req_upload(&r, &c, &n), LF_OK);
    assert_int_equal(n, F.cfg.buf_size - 4u);
    assert_int_equal(lf_smp_serial_encode_buf(msg, n, framed, sizeof(framed), &fl), LF_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(write(cfd, framed, fl), (ssize_t)fl);
    size_t got = serve_and_read(&p, cfd, out, sizeof(out), 20);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* the framed request alone takes fl * 10 / baud seconds on the wire */
    double wire = (double)fl * 10.0 / baud;
    assert_true(secs >= wire * 0.95);
    assert_true(secs < wire + 1.0);
    /* the reply decodes to {"off": data_len} */
    struct lf_smp_serial_rx rx;
    uint8_t rbuf[256];
    lf_smp_serial_rx_init(&rx, rbuf, sizeof(rbuf));
    size_t mlen = 0;
    lf_smp_serial_rx_feed(&rx, out, got, &mlen);
    assert_true(mlen > 0);
    struct lf_smp_rsp rsp;
    uint32_t off;
    enum lf_smp_match m;
    assert_int_equal(lf_smp_rsp_parse(rbuf, mlen, &rsp), LF_OK);
    assert_int_equal(lf_smp_rsp_upload(&rsp, &off, &m), LF_OK);
    assert_int_equal(off, c.data_len);
    close(cfd);
    lf_sim_pty_close(&p);
}

/* ---- BLE ------------------------------------------------------------------------ */

static uint8_t ble_rsp[4096];
static size_t ble_rsp_len;
static int ble_nrsp;

static void on_rsp(void *ctx, const uint8_t *msg, size_t len)
{
    (void)ctx;
    memcpy(ble_rsp, msg, len);
    ble_rsp_len = len;
    ble_nrsp++;
}

static void ble_echo_at(unsigned mtu)
{
    static struct lf_sim_ble b;
    assert_int_equal(lf_sim_ble_init(&b, &F.srv, mtu, F.cfg.buf_size, on_rsp, NULL), LF_OK);
    char text[700];
    memset(text, 'a', sizeof(text));
    uint8_t msg[1024];
    struct lf_smp_req r;
    size_t n;
    lf_smp_req_begin(&r, msg, sizeof(msg), LF_SMP_VER_2, 9);
    assert_int_equal(lf_smp_req_echo(&r, text, sizeof(text), &n), LF_OK);
    ble_nrsp = 0;
    assert_int_equal(lf_sim_ble_send(&b, msg, n), LF_OK);
    assert_int_equal(ble_nrsp, 1);
    size_t chunk = lf_smp_ble_chunk_size(mtu);
    assert_int_equal(b.stats.writes, (n + chunk - 1) / chunk);
    assert_int_equal(b.stats.notifications, (ble_rsp_len + chunk - 1) / chunk);
    assert_true(b.stats.max_fragment <= chunk);
    struct lf_smp_rsp rsp;
    struct lf_cbor_str s;
    assert_int_equal(lf_smp_rsp_parse(ble_rsp, ble_rsp_len, &rsp), LF_OK);
    assert_int_equal(lf_smp_rsp_text(&rsp, "r", &s), LF_OK);
    assert_int_equal(s.len, sizeof(text));
}

static void test_ble_echo_across_mtus(void **state)
{
    (void)state;
    ble_echo_at(23);
    ble_echo_at(185);
    ble_echo_at(247);
    ble_echo_at(498);
    ble_echo_at(517);
    static struct lf_sim_ble b;
    assert_int_equal(lf_sim_ble_init(&b, &F.srv, 22, F.cfg.buf_size, on_rsp, NULL), LF_E_BLE_MTU);
    assert_int_equal(lf_sim_ble_init(&b, &F.srv, 518, F.cfg.buf_size, on_rsp, NULL), LF_E_BLE_MTU);
}

static void test_ble_upload_segmented(void **state)
{
    (void)state;
    /* Device Manager style: messages of buf_size split over MTU-23 writes */
    static struct lf_sim_ble b;
    assert_int_equal(lf_sim_ble_init(&b, &F.srv, 23, F.cfg.buf_size, on_rsp, NULL), LF_OK);
    static uint8_t img[16384], msg[4096];
    struct img_opts o = {.major = 1, .minor = 1, .payload = 12000, .seed = 7};
    size_t len = img_make(img, sizeof(img), &o);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    struct lf_smp_upload up;
    assert_int_equal(lf_smp_upload_init(&up, (uint32_t)len, sha, 32, 0, false, 4), LF_OK);
    while (!up.done) {
        struct lf_smp_chunk c;
        assert_int_equal(lf_smp_upload_chunk(&up, up.off, F.cfg.buf_size, &c), LF_OK);
        c.data = img + c.off;
        struct lf_smp_req r;
        size_t n;
        lf_smp_req_begin(&r, msg, sizeof(msg), LF_SMP_VER_2, 1);
        assert_int_equal(lf_smp_req_upload(&r, &c, &n), LF_OK);
        ble_nrsp = 0;
        assert_int_equal(lf_sim_ble_send(&b, msg, n), LF_OK);
        assert_int_equal(ble_nrsp, 1);
        struct lf_smp_rsp rsp;
        uint32_t off;
        enum lf_smp_match m;
        assert_int_equal(lf_smp_rsp_parse(ble_rsp, ble_rsp_len, &rsp), LF_OK);
        assert_int_equal(lf_smp_rsp_upload(&rsp, &off, &m), LF_OK);
        assert_int_equal(lf_smp_upload_reply(&up, off, m), LF_OK);
    }
    assert_true(b.stats.writes > 12000 / 20);
    static uint8_t back[16384];
    fx_read(&F, LF_AREA_APP_SECONDARY, 0, back, len);
    assert_memory_equal(back, img, len);
    /* a message larger than buf_size never reaches the server */
    static uint8_t big[3000];
    struct lf_smp_hdr h = {.op = 2, .ver = 1, .len = sizeof(big) - 8, .group = 0, .id = 0};
    lf_smp_hdr_encode(&h, big);
    ble_nrsp = 0;
    assert_int_equal(lf_sim_ble_send(&b, big, sizeof(big)), LF_OK);
    assert_int_equal(ble_nrsp, 0);
    assert_int_equal(b.stats.dropped, 1);
    /* and the link still works after it */
    ble_echo_at(23);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_udp_one_message_per_datagram), FX_TEST(test_pty_spec_worked_example),
        FX_TEST(test_pty_multiline_upload_at_baud), FX_TEST(test_ble_echo_across_mtus),
        FX_TEST(test_ble_upload_segmented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
