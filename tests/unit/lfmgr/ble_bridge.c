/*
 * ble_bridge: serves lfmgr's simulated BLE link (docs/lfmgr.md, "The
 * simulated BLE link") on a UNIX datagram socket and forwards each
 * reassembled SMP message to an SMP server over UDP, fragmenting the replies
 * back into notifications. Lets the end-to-end tests drive lfmgr's ble-sim
 * transport against the virtual device until lfsim serves the link itself.
 *
 *   ble_bridge SOCKET_PATH UDP_PORT [DEVICE_MTU]
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lf/err.h"
#include "lf/smp_ble.h"

#define BUF_SIZE 4096u

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    static uint8_t msg[BUF_SIZE];
    static uint8_t rsp[65536];
    struct sockaddr_un me;
    struct sockaddr_un peer;
    socklen_t peer_len = 0;
    struct sockaddr_in dev;
    struct lf_smp_ble_rx rx;
    unsigned dev_mtu = 247;
    unsigned mtu = LF_SMP_BLE_MTU_MIN;
    int bs, us;
    if (argc < 3) {
        fprintf(stderr, "usage: ble_bridge SOCKET_PATH UDP_PORT [DEVICE_MTU]\n");
        return 2;
    }
    if (argc > 3) {
        dev_mtu = (unsigned)atoi(argv[3]);
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    memset(&me, 0, sizeof(me));
    me.sun_family = AF_UNIX;
    snprintf(me.sun_path, sizeof(me.sun_path), "%s", argv[1]);
    unlink(argv[1]);
    bs = socket(AF_UNIX, SOCK_DGRAM, 0);
    us = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&dev, 0, sizeof(dev));
    dev.sin_family = AF_INET;
    dev.sin_port = htons((uint16_t)atoi(argv[2]));
    dev.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bs < 0 || us < 0 || bind(bs, (struct sockaddr *)&me, sizeof(me)) != 0 ||
        connect(us, (struct sockaddr *)&dev, sizeof(dev)) != 0) {
        perror("ble_bridge");
        return 1;
    }
    lf_smp_ble_rx_init(&rx, msg, sizeof(msg));
    printf("ble_bridge: %s -> udp %s\n", argv[1], argv[2]);
    fflush(stdout);
    while (!stop) {
        struct pollfd pfd[2] = {{.fd = bs, .events = POLLIN}, {.fd = us, .events = POLLIN}};
        if (poll(pfd, 2, 200) <= 0) {
            continue;
        }
        if (pfd[0].revents & POLLIN) {
            uint8_t pdu[LF_SMP_BLE_MTU_MAX + 1];
            struct sockaddr_un from;
            socklen_t flen = sizeof(from);
            ssize_t n = recvfrom(bs, pdu, sizeof(pdu), 0, (struct sockaddr *)&from, &flen);
            size_t off = LF_SMP_BLE_ATT_HDR;
            if (n >= 3 && pdu[0] == 0x02) { /* exchange MTU: a new connection */
                unsigned cm = (unsigned)pdu[1] | ((unsigned)pdu[2] << 8);
                uint8_t r[3] = {0x03, (uint8_t)(dev_mtu & 0xFF), (uint8_t)(dev_mtu >> 8)};
                mtu = cm < dev_mtu ? cm : dev_mtu;
                if (mtu < LF_SMP_BLE_MTU_MIN) {
                    mtu = LF_SMP_BLE_MTU_MIN;
                }
                peer = from;
                peer_len = flen;
                lf_smp_ble_rx_reset(&rx);
                sendto(bs, r, sizeof(r), 0, (struct sockaddr *)&from, flen);
                continue;
            }
            if (n < 3 || pdu[0] != 0x52 || (size_t)n > mtu) {
                continue;
            }
            peer = from;
            peer_len = flen;
            while (off < (size_t)n) {
                size_t used = 0;
                size_t mlen = 0;
                lf_smp_ble_rx_write(&rx, pdu + off, (size_t)n - off, &used, &mlen);
                off += used;
                if (mlen > 0) {
                    send(us, msg, mlen, 0);
                }
                if (used == 0) {
                    break;
                }
            }
        }
        if (pfd[1].revents & POLLIN) {
            ssize_t n = recv(us, rsp, sizeof(rsp), 0);
            struct lf_smp_ble_frag f;
            const uint8_t *p;
            size_t pn;
            if (n <= 0 || peer_len == 0 || lf_smp_ble_frag_init(&f, rsp, (size_t)n, mtu)) {
                continue;
            }
            while (lf_smp_ble_frag_next(&f, &p, &pn)) {
                uint8_t ntf[LF_SMP_BLE_MTU_MAX] = {0x1B, 0x12, 0x00};
                memcpy(ntf + 3, p, pn);
                sendto(bs, ntf, pn + 3, 0, (struct sockaddr *)&peer, peer_len);
            }
        }
    }
    unlink(argv[1]);
    return 0;
}
