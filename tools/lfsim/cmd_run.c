/*
 * lfsim run: boot the device and serve SMP over UDP and a pseudo-terminal.
 *
 * Every boot runs in a fresh child process (DESIGN.md section 5: a reset must
 * be cold, no static state may survive it): the child opens the device from
 * its files, runs the boot step, then serves until an SMP reset (exit
 * LFSIM_EXIT_RESET: the parent boots a new child) or a stop signal. The
 * transports are opened once by the parent, so clients keep their socket and
 * tty across resets, as with a real device.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boards.h"
#include "lf/err.h"
#include "lf/version.h"
#include "lfsim.h"
#include "sim_net.h"

struct run_opts {
    const char *dir;
    uint32_t udp_port;
    bool udp;
    const char *pty_link;
    uint32_t baud;
    uint32_t buf_size;
    bool legacy;
    bool verbose;
};

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void run_help(FILE *f)
{
    fprintf(f, "usage: lfsim run DIR [--udp PORT | --no-udp] [--pty LINK [--baud N]]\n"
               "                     [--buf-size N] [--legacy] [--verbose]\n"
               "\n"
               "Boot the device in DIR and serve SMP (the application's server) until\n"
               "SIGINT/SIGTERM. An SMP reset boots the device again in a fresh process.\n"
               "\n"
               "  --udp PORT     serve UDP on 127.0.0.1:PORT (default 1337; 0 picks a free\n"
               "                 port, printed on stdout)\n"
               "  --no-udp       no UDP\n"
               "  --pty LINK     serve the serial console framing on a pseudo-terminal and\n"
               "                 make LINK a symlink to its slave side\n"
               "  --baud N       emulate a UART at N baud on the pty (10 bits per byte);\n"
               "                 default: unthrottled\n"
               "  --buf-size N   SMP receive buffer reported to clients (default 2048;\n"
               "                 serial messages may be N - 4 bytes)\n"
               "  --legacy       legacy reply shapes (\"rc\": 0 everywhere, for old clients)\n"
               "  --verbose      log the device's lines to stderr\n");
}

static int parse(int argc, char **argv, struct run_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->udp = true;
    o->udp_port = LF_SIM_UDP_DEFAULT_PORT;
    o->buf_size = 2048;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--udp") == 0 && v) {
            if (!lfsim_parse_u32(v, 65535, &o->udp_port)) {
                fprintf(stderr, "lfsim run: bad port '%s'\n", v);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--no-udp") == 0) {
            o->udp = false;
        } else if (strcmp(a, "--pty") == 0 && v) {
            o->pty_link = v;
            i++;
        } else if (strcmp(a, "--baud") == 0 && v) {
            if (!lfsim_parse_u32(v, 100000000u, &o->baud)) {
                fprintf(stderr, "lfsim run: bad baud rate '%s'\n", v);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--buf-size") == 0 && v) {
            if (!lfsim_parse_u32(v, LF_SIM_MSG_MAX, &o->buf_size) || o->buf_size < 128) {
                fprintf(stderr, "lfsim run: buf-size must be 128..%u\n", LF_SIM_MSG_MAX);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--legacy") == 0) {
            o->legacy = true;
        } else if (strcmp(a, "--verbose") == 0) {
            o->verbose = true;
        } else if (a[0] != '-' && !o->dir) {
            o->dir = a;
        } else {
            fprintf(stderr, "lfsim run: unexpected '%s'\n", a);
            return 2;
        }
    }
    if (!o->dir) {
        run_help(stderr);
        return 2;
    }
    if (!o->udp && !o->pty_link) {
        fprintf(stderr, "lfsim run: no transport (--no-udp without --pty)\n");
        return 2;
    }
    return 0;
}

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s\n", line);
}

static int reset_hook(void *ctx, bool force)
{
    (void)ctx;
    (void)force;
    return LF_OK;
}

/* One boot: open the device, boot, serve. Runs in a fresh child. */
static int boot_and_serve(const struct run_opts *o, struct lf_sim_udp *udp, struct lf_sim_pty *pty)
{
    static struct lf_sim_device dev;
    int err = lf_sim_device_open(&dev, o->dir);
    if (err) {
        fprintf(stderr, "lfsim run: %s: %s\n", o->dir, lf_err_str(err));
        return 1;
    }
    struct lf_log log = {log_line, NULL};
    const struct lf_log *logp = o->verbose ? &log : NULL;

    /* The boot step (the lead's chain goes here). */
    static struct lf_stage0_handoff handoff;
    bool have_handoff = lfsim_boot(&dev, logp, &handoff) == LF_OK;

    static const struct lf_smp_group *groups[] = {&lf_smp_group_os, &lf_smp_group_img};
    static uint8_t rsp_buf[LF_SIM_MSG_MAX];
    static struct lf_smp_os_info info;
    info.nodename = "lfsim";
    info.release = LF_VERSION_STRING;
    info.machine = "host";
    info.processor = "sim";
    info.platform = dev.board->name;
    info.os = "Leapfrog";
    static struct lf_smp_server_cfg cfg;
    cfg.groups = groups;
    cfg.group_count = 2;
    cfg.rsp_buf = rsp_buf;
    cfg.rsp_cap = o->buf_size > LF_SMP_RSP_MIN ? o->buf_size : LF_SMP_RSP_MIN;
    cfg.buf_size = (uint16_t)o->buf_size;
    cfg.buf_count = 4; /* the kernel queues datagrams and tty bytes: pipelining is safe */
    cfg.boot_mode = 3; /* swap-move, the default engine */
    cfg.legacy_rc = o->legacy;
    cfg.verbose_err = true;
    static struct lf_smp_platform plat;
    plat.map = &dev.map;
    plat.log = logp;
    plat.handoff = have_handoff ? &handoff : NULL;
    plat.os_info = &info;
    plat.reset_hook = reset_hook;
    static struct lf_smp_server srv;
    err = lf_smp_server_init(&srv, &cfg, &plat);
    if (err) {
        fprintf(stderr, "lfsim run: server: %s\n", lf_err_str(err));
        lf_sim_device_close(&dev);
        return 1;
    }
    int rc = 0;
    while (!g_stop) {
        struct pollfd pfd[2];
        nfds_t n = 0;
        if (o->udp) {
            pfd[n++] = (struct pollfd){.fd = udp->fd, .events = POLLIN};
        }
        if (o->pty_link) {
            pfd[n++] = (struct pollfd){.fd = pty->master, .events = POLLIN};
        }
        if (poll(pfd, n, 200) < 0) {
            if (errno == EINTR) {
                continue;
            }
            rc = 1;
            break;
        }
        for (nfds_t i = 0; i < n && !lf_smp_server_reset_pending(&srv); i++) {
            if (!(pfd[i].revents & POLLIN)) {
                continue;
            }
            int h = pfd[i].fd == udp->fd && o->udp ? lf_sim_udp_handle(udp, &srv)
                                                   : lf_sim_pty_handle(pty, &srv);
            if (h < 0) {
                fprintf(stderr, "lfsim run: transport error\n");
            }
        }
        if (lf_smp_server_reset_pending(&srv)) {
            rc = LFSIM_EXIT_RESET;
            break;
        }
    }
    lf_sim_device_close(&dev);
    return rc;
}

int lfsim_cmd_run(int argc, char **argv)
{
    if (lfsim_wants_help(argc, argv)) {
        run_help(stdout);
        return 0;
    }
    static struct run_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) {
        return rc;
    }
    static struct lf_sim_udp udp = {.fd = -1};
    static struct lf_sim_pty pty = {.master = -1, .slave = -1};
    if (o.udp && lf_sim_udp_open(&udp, (uint16_t)o.udp_port, o.buf_size) != LF_OK) {
        fprintf(stderr, "lfsim run: udp port %u: %s\n", o.udp_port, strerror(errno));
        return 1;
    }
    if (o.pty_link && lf_sim_pty_open(&pty, o.pty_link, o.baud, o.buf_size - 4u) != LF_OK) {
        fprintf(stderr, "lfsim run: pty %s: %s\n", o.pty_link, strerror(errno));
        lf_sim_udp_close(&udp);
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (o.udp) {
        printf("lfsim: serving SMP on udp 127.0.0.1:%u\n", udp.port);
    }
    if (o.pty_link) {
        printf("lfsim: serving SMP on %s -> %s%s\n", o.pty_link, pty.slave_path,
               o.baud ? "" : " (unthrottled)");
    }
    fflush(stdout);

    unsigned boots = 0;
    for (;;) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("lfsim run: fork");
            rc = 1;
            break;
        }
        if (pid == 0) {
            _exit(boot_and_serve(&o, &udp, &pty));
        }
        boots++;
        int status = 0;
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) {
                status = 1 << 8;
                break;
            }
            if (g_stop) {
                kill(pid, SIGTERM);
            }
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == LFSIM_EXIT_RESET && !g_stop) {
            if (o.verbose) {
                fprintf(stderr, "lfsim: reset (boot %u)\n", boots + 1);
            }
            continue;
        }
        rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
        if (rc == LFSIM_EXIT_RESET) {
            rc = 0;
        }
        break;
    }
    lf_sim_pty_close(&pty);
    lf_sim_udp_close(&udp);
    return rc;
}
