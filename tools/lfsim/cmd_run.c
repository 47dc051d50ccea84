/*
 * lfsim run: boot the device and serve SMP over UDP and a pseudo-terminal.
 *
 * Every boot runs in a fresh child process (docs/design.md section 5: a reset must
 * be cold, no static state may survive it): the child opens the device from
 * its files, runs the boot step, then serves until an SMP reset (exit
 * LFSIM_EXIT_RESET: the parent boots a new child) or a stop signal. The
 * transports are opened once by the parent, so clients keep their socket and
 * tty across resets, as with a real device.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boards.h"
#include "lf/err.h"
#include "lf/version.h"
#include "app.h"
#include "chain.h"
#include "devlock.h"
#include "lf_exit.h"
#include "lfsim.h"
#include "sim_ble_sock.h"
#include "sim_net.h"

struct run_opts {
    const char *dir;
    uint32_t udp_port;
    bool udp;
    const char *pty_link;
    uint32_t baud;
    const char *ble_path; /* --ble: the simulated BLE link's socket */
    uint32_t mtu;         /* its ATT MTU */
    uint32_t buf_size;
    bool legacy;
    bool verbose;
    bool background;      /* --background: detach once serving */
    uint64_t cut_at;      /* power cut at this flash operation (1-based, counted over
                             all boots of this run); 0 = none */
    bool cut_torn;        /* ... half-way through it */
    bool no_boot;         /* serve without stage 0 / stage 1 (boot_none.c) */
    uint32_t watchdog_ms; /* a boot that does not reach its application or recovery
                             in this time is reset */
};

/* State the boots of one run share with the parent (MAP_SHARED). */
struct run_shared {
    uint64_t ops;   /* flash operations of all earlier boots */
    bool booted;    /* the current boot reached serving (watchdog) */
    bool cut_armed; /* --cut-at still to come */
    char halt[160]; /* why the last boot ended in stage 0's safe state */
};

static volatile sig_atomic_t g_stop;

/* The BLE link's socket, opened by the parent, served by each boot. */
static struct lf_sim_ble_sock g_ble = {.fd = -1};

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void run_help(FILE *f)
{
    fprintf(f,
            "usage: lfsim run DIR [--udp PORT | --no-udp] [--pty LINK [--baud N]]\n"
            "                     [--ble PATH [--mtu N]] [--buf-size N] [--legacy]\n"
            "                     [--cut-at N[t]] [--no-boot] [--watchdog MS] [--verbose]\n"
            "                     [--background]\n"
            "\n"
            "Boot the device in DIR and serve SMP (the application's server) until\n"
            "SIGINT/SIGTERM. An SMP reset boots the device again in a fresh process.\n"
            "\n"
            "  --udp PORT     serve UDP on 127.0.0.1:PORT (default %u; 0 picks a free\n"
            "                 port, printed on stdout). A port in use is refused (exit 6)\n"
            "  --no-udp       no UDP\n"
            "  --pty LINK     serve the serial console framing on a pseudo-terminal and\n"
            "                 make LINK a symlink to its slave side\n"
            "  --baud N       emulate a UART at N baud on the pty (10 bits per byte);\n"
            "                 default: unthrottled\n"
            "  --ble PATH     serve the simulated BLE link (docs/lfmgr.md) on a UNIX\n"
            "                 datagram socket bound at PATH (lfmgr --conn ble-sim:PATH)\n"
            "  --mtu N        the device's ATT MTU on that link, 23..517 (default 247)\n"
            "  --buf-size N   SMP receive buffer reported to clients (default 2048;\n"
            "                 serial messages may be N - 4 bytes)\n"
            "  --legacy       legacy reply shapes (Zephyr's legacy rc: \"rc\": 0 in upload and "
            "erase replies)\n"
            "  --cut-at N[t]  lose power at flash operation N (counted from the start of\n"
            "                 this run, over all boots; t = torn: half-way through it),\n"
            "                 then boot again from what the flash holds\n"
            "  --no-boot      serve SMP without running stage 0 and stage 1 (protocol\n"
            "                 tests with unsigned images; nothing is validated)\n"
            "  --watchdog MS  reset a boot that does not come up within MS ms (default\n"
            "                 10000; 5 watchdog resets in a row: exit 3)\n"
            "  --verbose      log the device's lines to stderr\n"
            "  --background   once the transports are open and the device checked, go on\n"
            "                 in the background and exit 0 (its messages then go to\n"
            "                 DIR/device.log); `lfsim stop DIR` stops it\n"
            "\n"
            "Each boot runs stage 0 and stage 1 on the device's flash; their decisions are\n"
            "appended to DIR/device.log. The run holds DIR's lock (DIR/lfsim.lock) until\n"
            "it ends: another lfsim on DIR is refused (exit 6). Stopped by a signal: exit\n"
            "0; the device halted in stage 0's safe state (nothing bootable): exit 3; DIR\n"
            "missing or damaged: exit 4, naming the file.\n"
            "\n%s",
            LF_SIM_UDP_DEFAULT_PORT, LF_EXIT_HELP);
}

static int parse(int argc, char **argv, struct run_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->udp = true;
    o->udp_port = LF_SIM_UDP_DEFAULT_PORT;
    o->buf_size = 2048;
    o->mtu = LF_SIM_BLE_SOCK_MTU_DEFAULT;
    o->watchdog_ms = 10000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--udp") == 0 && v) {
            if (!lfsim_parse_u32(v, 65535, &o->udp_port)) {
                fprintf(stderr, "lfsim run: bad port '%s'\n", v);
                return LF_EXIT_USAGE;
            }
            i++;
        } else if (strcmp(a, "--ble") == 0 && v) {
            o->ble_path = v;
            i++;
        } else if (strcmp(a, "--mtu") == 0 && v) {
            if (!lfsim_parse_u32(v, LF_SMP_BLE_MTU_MAX, &o->mtu) || o->mtu < LF_SMP_BLE_MTU_MIN) {
                fprintf(stderr, "lfsim run: mtu must be %u..%u\n", LF_SMP_BLE_MTU_MIN,
                        LF_SMP_BLE_MTU_MAX);
                return LF_EXIT_USAGE;
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
                return LF_EXIT_USAGE;
            }
            i++;
        } else if (strcmp(a, "--buf-size") == 0 && v) {
            if (!lfsim_parse_u32(v, LF_SIM_MSG_MAX, &o->buf_size) || o->buf_size < 128) {
                fprintf(stderr, "lfsim run: buf-size must be 128..%u\n", LF_SIM_MSG_MAX);
                return LF_EXIT_USAGE;
            }
            i++;
        } else if (strcmp(a, "--cut-at") == 0 && v) {
            char num[32];
            size_t n = strlen(v);
            o->cut_torn = n > 0 && v[n - 1] == 't';
            uint32_t at;
            if (n == 0 || n >= sizeof(num)) {
                fprintf(stderr, "lfsim run: bad --cut-at '%s'\n", v);
                return LF_EXIT_USAGE;
            }
            memcpy(num, v, n + 1);
            if (o->cut_torn || num[n - 1] == 'c') {
                num[n - 1] = '\0';
            }
            if (!lfsim_parse_u32(num, UINT32_MAX, &at) || at == 0) {
                fprintf(stderr, "lfsim run: bad --cut-at '%s' (N or Nt, N >= 1)\n", v);
                return LF_EXIT_USAGE;
            }
            o->cut_at = at;
            i++;
        } else if (strcmp(a, "--watchdog") == 0 && v) {
            if (!lfsim_parse_u32(v, 3600000u, &o->watchdog_ms) || o->watchdog_ms == 0) {
                fprintf(stderr, "lfsim run: bad --watchdog '%s'\n", v);
                return LF_EXIT_USAGE;
            }
            i++;
        } else if (strcmp(a, "--no-boot") == 0) {
            o->no_boot = true;
        } else if (strcmp(a, "--legacy") == 0) {
            o->legacy = true;
        } else if (strcmp(a, "--background") == 0) {
            o->background = true;
        } else if (strcmp(a, "--verbose") == 0) {
            o->verbose = true;
        } else if (a[0] != '-' && !o->dir) {
            o->dir = a;
        } else {
            fprintf(stderr, "lfsim run: unexpected '%s' (see --help)\n", a);
            return LF_EXIT_USAGE;
        }
    }
    if (!o->dir) {
        fprintf(stderr, "lfsim run: need DIR, the device directory (see --help)\n");
        return LF_EXIT_USAGE;
    }
    if (!o->udp && !o->pty_link && !o->ble_path) {
        fprintf(stderr, "lfsim run: no transport (--no-udp without --pty or --ble)\n");
        return LF_EXIT_USAGE;
    }
    return 0;
}

/* The device's log channel: DIR/device.log, and stderr with --verbose. */
struct run_log {
    FILE *file;
    bool verbose;
};

static void log_line(void *ctx, const char *line)
{
    struct run_log *l = ctx;
    if (l->file) {
        fprintf(l->file, "%s\n", line);
        fflush(l->file);
    }
    if (l->verbose) {
        fprintf(stderr, "%s\n", line);
    }
}

static void run_note(const struct run_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A line from the simulator itself (not the device) to the same log. */
static void run_note(const struct run_opts *o, const char *fmt, ...)
{
    char path[LF_SIM_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/device.log", o->dir);
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    FILE *f = fopen(path, "a");
    if (f) {
        fprintf(f, "%s\n", line);
        fclose(f);
    }
    if (o->verbose) {
        fprintf(stderr, "%s\n", line);
    }
}

/* Close the device, adding its operations to the run's count. */
static void run_close(struct lf_sim_device *dev, struct run_shared *sh)
{
    sh->ops += dev->pc.ops;
    lf_sim_device_close(dev);
}

/* One boot: open the device, boot, serve. Runs in a fresh child. */
static int boot_and_serve(const struct run_opts *o, struct lf_sim_udp *udp, struct lf_sim_pty *pty,
                          struct run_shared *sh)
{
    static struct lf_sim_device dev;
    int err = lfsim_device_open(&dev, o->dir, "lfsim run");
    if (err) {
        return LF_EXIT_FILE;
    }
    if (sh->cut_armed && o->cut_at > sh->ops) {
        dev.pc.cut_at = o->cut_at - sh->ops;
        dev.pc.kind = o->cut_torn ? LF_SIM_CUT_TORN : LF_SIM_CUT_CLEAN;
        dev.pc.seed = (uint32_t)o->cut_at;
    }
    char path[LF_SIM_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/device.log", o->dir);
    static struct run_log rlog;
    rlog.file = fopen(path, "a");
    rlog.verbose = o->verbose;
    struct lf_log log = {log_line, &rlog, lf_err_name};
    const struct lf_log *logp = &log;

    static struct lfsim_chain chain;
    int end;
    if (o->no_boot) {
        memset(&chain, 0, sizeof(chain));
        chain.keys_err = LF_E_NOT_FOUND; /* no key checks of uploads */
        end = lfsim_boot_none(&dev, logp, &chain.s0.handoff) == LF_OK ? LFSIM_BOOT_APP
                                                                      : LFSIM_BOOT_RECOVERY;
    } else {
        end = lfsim_chain_boot(&dev, logp, &chain);
    }
    if (end == LFSIM_BOOT_HALT) {
        snprintf(sh->halt, sizeof(sh->halt), "%s (%s)", lf_err_name(chain.stage0_err),
                 lf_err_str(chain.stage0_err));
        run_close(&dev, sh);
        return LFSIM_EXIT_HALT;
    }
    if (end == LFSIM_BOOT_RESET) {
        run_close(&dev, sh);
        return LFSIM_EXIT_RESET;
    }
    sh->booted = true;
    if (end == LFSIM_BOOT_RECOVERY) {
        lf_logf(logp, "stage1: serial recovery: serving SMP (image group)");
    }

    static struct lfsim_app app;
    err = lfsim_app_init(&app, &dev, &chain, logp, o->buf_size, o->legacy);
    if (err) {
        fprintf(stderr, "lfsim run: server: %s\n", lf_err_str(err));
        run_close(&dev, sh);
        return LF_EXIT_INTERNAL;
    }
    app.plat.recovery = end == LFSIM_BOOT_RECOVERY; /* bootloader info query "recovery" */
    struct lf_smp_server *srvp = &app.srv;
    int rc = 0;
    while (!g_stop) {
        struct pollfd pfd[3];
        nfds_t n = 0;
        if (o->udp) {
            pfd[n++] = (struct pollfd){.fd = udp->fd, .events = POLLIN};
        }
        if (o->pty_link) {
            pfd[n++] = (struct pollfd){.fd = pty->master, .events = POLLIN};
        }
        if (o->ble_path) {
            pfd[n++] = (struct pollfd){.fd = g_ble.fd, .events = POLLIN};
        }
        if (poll(pfd, n, 200) < 0) {
            if (errno == EINTR) {
                continue;
            }
            rc = LF_EXIT_INTERNAL;
            break;
        }
        for (nfds_t i = 0; i < n && !lf_smp_server_reset_pending(srvp); i++) {
            if (!(pfd[i].revents & POLLIN)) {
                continue;
            }
            int h = pfd[i].fd == udp->fd && o->udp ? lf_sim_udp_handle(udp, srvp)
                    : pfd[i].fd == g_ble.fd        ? lf_sim_ble_sock_handle(&g_ble, srvp)
                                                   : lf_sim_pty_handle(pty, srvp);
            if (h < 0) {
                fprintf(stderr, "lfsim run: transport error\n");
            }
        }
        if (lf_smp_server_reset_pending(srvp)) {
            rc = LFSIM_EXIT_RESET;
            break;
        }
    }
    run_close(&dev, sh);
    return rc;
}

/* Wait for a boot's child; the watchdog resets a boot that does not come
 * up in time. Returns the wait status; *watchdog tells if it fired. */
static int run_wait(pid_t pid, const struct run_opts *o, const struct run_shared *sh,
                    bool *watchdog)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *watchdog = false;
    for (;;) {
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            return status;
        }
        if (r < 0 && errno != EINTR) {
            return 1 << 8;
        }
        if (g_stop) {
            kill(pid, SIGTERM);
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t ms =
            (int64_t)(now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (!sh->booted && !*watchdog && ms > (int64_t)o->watchdog_ms) {
            *watchdog = true;
            kill(pid, SIGKILL);
        }
        struct timespec nap = {0, 5 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
}

/* Boot the device again and again: after an SMP reset, a power cut, a
 * watchdog reset or a crash, as long as no stop signal came. */
static int run_boots(const struct run_opts *o, struct lf_sim_udp *udp, struct lf_sim_pty *pty)
{
    struct run_shared *sh =
        mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("lfsim run: mmap");
        return LF_EXIT_INTERNAL;
    }
    memset(sh, 0, sizeof(*sh));
    sh->cut_armed = o->cut_at != 0;
    unsigned boots = 0, crashes = 0;
    int rc = 0;
    pid_t parent = getpid();
    for (;;) {
        sh->booted = false;
        pid_t pid = fork();
        if (pid < 0) {
            perror("lfsim run: fork");
            rc = LF_EXIT_INTERNAL;
            break;
        }
        if (pid == 0) {
            /* a boot never outlives its run (a killed run must not leave a
             * device serving, and holding the directory's lock, behind) */
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent) {
                _exit(0);
            }
            _exit(boot_and_serve(o, udp, pty, sh));
        }
        boots++;
        bool watchdog;
        int status = run_wait(pid, o, sh, &watchdog);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (g_stop) {
            break;
        }
        if (code == LFSIM_EXIT_RESET) {
            run_note(o, "lfsim: reset (boot %u)", boots + 1);
            crashes = 0;
            continue;
        }
        if (code == LF_SIM_CUT_EXIT && sh->cut_armed) {
            sh->cut_armed = false;
            sh->ops = o->cut_at; /* the cut operation counts; the rest never ran */
            run_note(o, "lfsim: power cut (%s) at flash operation %llu: cold boot",
                     o->cut_torn ? "torn" : "clean", (unsigned long long)o->cut_at);
            continue;
        }
        if (code == LFSIM_EXIT_HALT) {
            fprintf(stderr,
                    "lfsim run: the device halted in stage 0's safe state: %s (see "
                    "%s/device.log)\n",
                    sh->halt[0] ? sh->halt : "reason not known", o->dir);
            rc = LF_EXIT_DEVICE;
            break;
        }
        if (watchdog || code < 0) {
            run_note(o, "lfsim: %s: watchdog reset (boot %u)",
                     watchdog ? "boot did not come up in time" : "the device crashed", boots + 1);
            if (++crashes < 5) {
                continue;
            }
            fprintf(stderr,
                    "lfsim run: 5 watchdog resets in a row: giving up (see %s/device.log)\n",
                    o->dir);
            rc = LF_EXIT_DEVICE;
            break;
        }
        rc = code;
        break;
    }
    munmap(sh, sizeof(*sh));
    return rc;
}

/*
 * --background: fork; the parent exits at once (0), leaving the transports,
 * the pty link and the lock to the child; the child runs on in its own
 * session, its output appended to DIR/device.log, its pid in the lock file.
 */
static void run_detach(const struct run_opts *o, int lock)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("lfsim run: fork (staying in the foreground)");
        return;
    }
    if (pid > 0) {
        printf("lfsim: running in the background as process %ld; `lfsim stop %s` stops it\n",
               (long)pid, o->dir);
        fflush(stdout);
        _exit(LF_EXIT_OK); /* no cleanup: the child owns everything */
    }
    setsid();
    char path[LF_SIM_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/device.log", o->dir);
    int nul = open("/dev/null", O_RDONLY);
    int log = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (nul >= 0) {
        dup2(nul, STDIN_FILENO);
        close(nul);
    }
    if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
        close(log);
    }
    lfsim_lock_rename(lock, "lfsim run");
}

/* True when a process serves the UNIX datagram socket at path (a stale
 * socket file refuses the connection). */
static bool ble_path_in_use(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        return false;
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    bool live = connect(fd, (const struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return live;
}

int lfsim_cmd_run(int argc, char **argv)
{
    if (lfsim_wants_help(argc, argv)) {
        run_help(stdout);
        return LF_EXIT_OK;
    }
    static struct run_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) {
        return rc;
    }
    /* the device first: locked for the whole run (the boots' child processes
     * inherit the lock), and readable, before anything is served */
    int lock = lfsim_lock(o.dir, "lfsim run", &rc);
    if (lock < 0) {
        if (rc == LF_EXIT_FILE) {
            fprintf(stderr, "lfsim run: make a device with `lfsim create %s --board B`\n", o.dir);
        }
        return rc;
    }
    static struct lf_sim_device probe;
    if (lfsim_device_open(&probe, o.dir, "lfsim run") != LF_OK) {
        close(lock);
        return LF_EXIT_FILE;
    }
    lf_sim_device_close(&probe);
    static struct lf_sim_udp udp = {.fd = -1};
    static struct lf_sim_pty pty = {.master = -1, .slave = -1};
    if (o.udp && lf_sim_udp_open(&udp, (uint16_t)o.udp_port, o.buf_size) != LF_OK) {
        int e = errno;
        if (e == EADDRINUSE) {
            fprintf(stderr,
                    "lfsim run: UDP port %u is in use by another process; stop it or choose "
                    "another port (--udp 0 picks a free one)\n",
                    o.udp_port);
            close(lock);
            return LF_EXIT_BUSY;
        }
        fprintf(stderr, "lfsim run: UDP port %u: %s\n", o.udp_port, strerror(e));
        close(lock);
        return LF_EXIT_INTERNAL;
    }
    if (o.pty_link && lf_sim_pty_open(&pty, o.pty_link, o.baud, o.buf_size - 4u) != LF_OK) {
        fprintf(stderr, "lfsim run: pty %s: %s\n", o.pty_link, strerror(errno));
        lf_sim_udp_close(&udp);
        close(lock);
        return LF_EXIT_INTERNAL;
    }
    if (o.ble_path && ble_path_in_use(o.ble_path)) {
        fprintf(stderr, "lfsim run: BLE socket %s is in use by another process\n", o.ble_path);
        lf_sim_pty_close(&pty);
        lf_sim_udp_close(&udp);
        close(lock);
        return LF_EXIT_BUSY;
    }
    int ble_err = o.ble_path ? lf_sim_ble_sock_open(&g_ble, o.ble_path, o.mtu, o.buf_size) : LF_OK;
    if (ble_err) {
        fprintf(stderr, "lfsim run: ble %s: %s\n", o.ble_path,
                ble_err == LF_E_IO ? strerror(errno) : lf_err_str(ble_err));
        lf_sim_pty_close(&pty);
        lf_sim_udp_close(&udp);
        close(lock);
        return LF_EXIT_INTERNAL;
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
    if (o.ble_path) {
        printf("lfsim: serving SMP on ble-sim %s (ATT MTU %u)\n", o.ble_path, o.mtu);
    }
    fflush(stdout);
    if (o.background) {
        run_detach(&o, lock); /* only the child returns */
    }

    rc = run_boots(&o, &udp, &pty);
    lf_sim_ble_sock_close(&g_ble);
    lf_sim_pty_close(&pty);
    lf_sim_udp_close(&udp);
    close(lock);
    return rc;
}
