/*
 * lfsim end to end: create and program a device, run it, talk SMP over UDP
 * and the pty, reset it over SMP (a fresh process boots and keeps serving
 * on the same socket and tty), upload, stop it with SIGTERM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/sha256.h"
#include "lf/smp_client.h"
#include "lf/smp_serial.h"
#include "smp_fixture.h"

#define LFSIM LF_BINARY_DIR "/bin/lfsim"
#define DIR   LF_BINARY_DIR "/smp-work/lfsim-dev"

static int run_tool(char *const argv[])
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int udp_fd;
static struct sockaddr_in dev_addr;
static uint8_t seq;

/* One request over UDP; the reply parsed into *rsp (buffer kept static). */
static void udp_call(const uint8_t *req, size_t n, struct lf_smp_rsp *rsp)
{
    static uint8_t buf[4096];
    assert_int_equal(sendto(udp_fd, req, n, 0, (struct sockaddr *)&dev_addr, sizeof(dev_addr)),
                     (ssize_t)n);
    struct pollfd p = {.fd = udp_fd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    ssize_t got = recv(udp_fd, buf, sizeof(buf), 0);
    assert_true(got > 0);
    assert_int_equal(lf_smp_rsp_parse(buf, (size_t)got, rsp), LF_OK);
    assert_true(lf_smp_rsp_ok(rsp));
}

static void echo(const char *text)
{
    uint8_t req[256];
    struct lf_smp_req r;
    size_t n;
    struct lf_smp_rsp rsp;
    struct lf_cbor_str s;
    lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, seq++);
    assert_int_equal(lf_smp_req_echo(&r, text, strlen(text), &n), LF_OK);
    udp_call(req, n, &rsp);
    assert_int_equal(lf_smp_rsp_text(&rsp, "r", &s), LF_OK);
    assert_int_equal(s.len, strlen(text));
}

static void test_lfsim_end_to_end(void **state)
{
    (void)state;
    char *help[] = {LFSIM, "run", "--help", NULL};
    assert_int_equal(run_tool(help), 0);
    char *bad[] = {LFSIM, "create", DIR, "--board", "nope", NULL};
    assert_int_equal(run_tool(bad), 1); /* usage (docs/exit-codes.md) */
    /* --force: the directory is left from an earlier run of this test */
    char *create[] = {LFSIM, "create", DIR, "--board", "nrf52840dk", "--force", NULL};
    assert_int_equal(run_tool(create), 0);
    static uint8_t img[8192];
    struct img_opts o = {.major = 2, .payload = 4000, .seed = 3};
    size_t len = img_make(img, sizeof(img), &o);
    char file[512];
    snprintf(file, sizeof(file), "%s/app.bin", DIR);
    FILE *fp = fopen(file, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(img, 1, len, fp), len);
    fclose(fp);
    char *program[] = {LFSIM, "program", DIR, "app-primary", file, NULL};
    assert_int_equal(run_tool(program), 0);
    char *toobig[] = {LFSIM, "program", DIR, "s0", file, "--offset", "0x7f00", NULL};
    assert_int_equal(run_tool(toobig), 4); /* the file does not fit the area */

    /* run, reading the bound port from its first line */
    char link[512];
    snprintf(link, sizeof(link), "%s/tty", DIR);
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        execl(LFSIM, LFSIM, "run", DIR, "--no-boot", "--udp", "0", "--pty", link, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    FILE *so = fdopen(out[0], "r");
    char line[256];
    assert_non_null(fgets(line, sizeof(line), so));
    char *colon = strrchr(line, ':');
    assert_non_null(colon);
    udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
    dev_addr.sin_family = AF_INET;
    dev_addr.sin_port = htons((uint16_t)atoi(colon + 1));
    dev_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    echo("before reset");

    /* the state lists the programmed application */
    uint8_t req[4096];
    struct lf_smp_req r;
    size_t n;
    struct lf_smp_rsp rsp;
    struct lf_smp_image_slot sl[4];
    size_t count;
    lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, seq++);
    assert_int_equal(lf_smp_req_image_state(&r, &n), LF_OK);
    udp_call(req, n, &rsp);
    assert_int_equal(lf_smp_rsp_image_state(&rsp, sl, 4, &count), LF_OK);
    assert_int_equal(count, 1);
    assert_memory_equal(sl[0].hash, img_hash(img, len), 32);

    /* upload half, reset over SMP, resume on the rebooted device */
    o.minor = 1;
    len = img_make(img, sizeof(img), &o);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    struct lf_smp_upload up;
    assert_int_equal(lf_smp_upload_init(&up, (uint32_t)len, sha, 32, 0, false, 4), LF_OK);
    for (int i = 0; i < 3 && !up.done; i++) {
        struct lf_smp_chunk c;
        assert_int_equal(lf_smp_upload_chunk(&up, up.off, 1000, &c), LF_OK);
        c.data = img + c.off;
        lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, seq++);
        assert_int_equal(lf_smp_req_upload(&r, &c, &n), LF_OK);
        udp_call(req, n, &rsp);
        uint32_t off;
        enum lf_smp_match m;
        assert_int_equal(lf_smp_rsp_upload(&rsp, &off, &m), LF_OK);
        assert_int_equal(lf_smp_upload_reply(&up, off, m), LF_OK);
    }
    assert_true(up.off > 0 && !up.done);
    lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, seq++);
    assert_int_equal(lf_smp_req_reset(&r, false, &n), LF_OK);
    udp_call(req, n, &rsp);
    usleep(300000);
    echo("after reset");
    up.off = 0; /* the client restarts at 0 with the same sha */
    while (!up.done) {
        struct lf_smp_chunk c;
        assert_int_equal(lf_smp_upload_chunk(&up, up.off, 1000, &c), LF_OK);
        c.data = img + c.off;
        lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, seq++);
        assert_int_equal(lf_smp_req_upload(&r, &c, &n), LF_OK);
        udp_call(req, n, &rsp);
        uint32_t off;
        enum lf_smp_match m;
        assert_int_equal(lf_smp_rsp_upload(&rsp, &off, &m), LF_OK);
        assert_int_equal(lf_smp_upload_reply(&up, off, m), LF_OK);
    }

    /* the pty serves the same server (params over the serial framing) */
    int tty = open(link, O_RDWR | O_NOCTTY);
    assert_true(tty >= 0);
    struct termios t;
    tcgetattr(tty, &t);
    cfmakeraw(&t);
    tcsetattr(tty, TCSANOW, &t);
    lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_1, seq++);
    assert_int_equal(lf_smp_req_params(&r, &n), LF_OK);
    uint8_t framed[256];
    size_t fl;
    assert_int_equal(lf_smp_serial_encode_buf(req, n, framed, sizeof(framed), &fl), LF_OK);
    assert_int_equal(write(tty, framed, fl), (ssize_t)fl);
    struct lf_smp_serial_rx rx;
    uint8_t rbuf[256];
    lf_smp_serial_rx_init(&rx, rbuf, sizeof(rbuf));
    size_t mlen = 0;
    for (int i = 0; i < 50 && !mlen; i++) {
        struct pollfd p = {.fd = tty, .events = POLLIN};
        if (poll(&p, 1, 100) == 1) {
            uint8_t b[256];
            ssize_t k = read(tty, b, sizeof(b));
            if (k > 0) {
                lf_smp_serial_rx_feed(&rx, b, (size_t)k, &mlen);
            }
        }
    }
    assert_true(mlen > 0);
    assert_int_equal(lf_smp_rsp_parse(rbuf, mlen, &rsp), LF_OK);
    uint64_t bs;
    assert_int_equal(lf_smp_rsp_uint(&rsp, "buf_size", &bs), LF_OK);
    assert_int_equal(bs, 2048);
    close(tty);

    assert_int_equal(kill(pid, SIGTERM), 0);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    fclose(so);
    close(udp_fd);

    /* the upload is on the device's files */
    static struct lf_sim_device dev;
    assert_int_equal(lf_sim_device_open(&dev, DIR), LF_OK);
    static uint8_t back[8192];
    assert_int_equal(
        lf_flash_area_read(lf_sim_device_area(&dev, LF_AREA_APP_SECONDARY), 0, back, len), LF_OK);
    assert_memory_equal(back, img, len);
    lf_sim_device_close(&dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lfsim_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
