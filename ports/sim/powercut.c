#include "powercut.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lf/err.h"

#define LF_PC_WHY_MAX 240

/* What a child reports to the runner through a pipe. A child that lost power
 * reports nothing: it died inside a flash operation. */
struct lf_pc_report {
    uint64_t ops;
    int rc;
    bool cut;          /* sent by the cut itself (the process then dies) */
    bool torn_partial; /* the cut was torn and left a half-done operation */
    char why[LF_PC_WHY_MAX];
};

struct lf_pc_cut {
    uint64_t at; /* 0 = no cut */
    enum lf_sim_cut_kind kind;
};

enum lf_pc_outcome {
    LF_PC_DONE,     /* step returned; report valid */
    LF_PC_CUT_DIED, /* process exited with LF_SIM_CUT_EXIT */
    LF_PC_CRASHED,  /* anything else */
};

static const char *const lf_pc_files[] = {"flash-internal.bin",
                                          "flash-internal.bin.meta",
                                          "flash-external.bin",
                                          "flash-external.bin.meta",
                                          "otp.bin",
                                          "otp.bin.meta"};

/* ---- snapshot and restore of a device directory ------------------------ */

static int lf_pc_copy_file(const char *from, const char *to, bool only_diff)
{
    int in = open(from, O_RDONLY);
    if (in < 0) {
        return errno == ENOENT ? 0 : -1;
    }
    int out = open(to, O_RDWR | O_CREAT, 0644);
    if (out < 0) {
        close(in);
        return -1;
    }
    static uint8_t a[64 * 1024];
    static uint8_t b[64 * 1024];
    off_t pos = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = pread(in, a, sizeof(a), pos);
        if (n < 0) {
            rc = -1;
            break;
        }
        if (n == 0) {
            break;
        }
        bool write_it = true;
        if (only_diff) {
            ssize_t m = pread(out, b, (size_t)n, pos);
            write_it = m != n || memcmp(a, b, (size_t)n) != 0;
        }
        if (write_it && pwrite(out, a, (size_t)n, pos) != n) {
            rc = -1;
            break;
        }
        pos += n;
    }
    if (rc == 0 && ftruncate(out, pos) != 0) {
        rc = -1;
    }
    close(in);
    close(out);
    return rc;
}

static int lf_pc_snapshot(const char *dir, bool restore)
{
    for (size_t i = 0; i < sizeof(lf_pc_files) / sizeof(lf_pc_files[0]); i++) {
        char live[LF_SIM_PATH_MAX + 64];
        char snap[LF_SIM_PATH_MAX + 64];
        snprintf(live, sizeof(live), "%s/%s", dir, lf_pc_files[i]);
        snprintf(snap, sizeof(snap), "%s/%s.snap", dir, lf_pc_files[i]);
        int rc = restore ? lf_pc_copy_file(snap, live, true) : lf_pc_copy_file(live, snap, false);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* ---- one step in a fresh process --------------------------------------- */

/* The child's pipe and device, for the report its power cut sends. */
static int lf_pc_child_fd = -1;

/* on_cut of every step process: tell the runner what the cut left (a torn
 * operation half done or not), then die as the flash model would. */
static void lf_pc_child_cut(void *arg)
{
    const struct lf_sim_device *dev = arg;
    struct lf_pc_report r;
    memset(&r, 0, sizeof(r));
    r.ops = dev->pc.ops;
    r.cut = true;
    r.torn_partial = dev->pc.torn_partial;
    ssize_t w = write(lf_pc_child_fd, &r, sizeof(r));
    (void)w;
    _exit(LF_SIM_CUT_EXIT);
}

static enum lf_pc_outcome lf_pc_child(const struct lf_pc_scenario *s, const char *dir,
                                      lf_pc_step_fn step, struct lf_pc_cut cut,
                                      struct lf_pc_report *rep)
{
    int fds[2];
    memset(rep, 0, sizeof(*rep));
    if (pipe(fds) != 0) {
        snprintf(rep->why, sizeof(rep->why), "pipe: %s", strerror(errno));
        return LF_PC_CRASHED;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        snprintf(rep->why, sizeof(rep->why), "fork: %s", strerror(errno));
        return LF_PC_CRASHED;
    }
    if (pid == 0) {
        close(fds[0]);
        struct lf_sim_device dev;
        struct lf_pc_report r;
        memset(&r, 0, sizeof(r));
        int err = lf_sim_device_open(&dev, dir);
        if (err) {
            r.rc = err;
            snprintf(r.why, sizeof(r.why), "cannot open device: %s", lf_err_str(err));
        } else {
            dev.pc.cut_at = cut.at;
            dev.pc.kind = cut.kind;
            dev.pc.seed = (uint32_t)(cut.at * 7919u + (unsigned)cut.kind);
            lf_pc_child_fd = fds[1];
            dev.pc.on_cut = lf_pc_child_cut;
            dev.pc.on_cut_arg = &dev;
            r.rc = step(&dev, s->arg, r.why, sizeof(r.why));
            r.ops = dev.pc.ops;
            lf_sim_device_close(&dev);
        }
        ssize_t w = write(fds[1], &r, sizeof(r));
        (void)w;
        _exit(0);
    }
    close(fds[1]);
    ssize_t got = 0;
    while (got < (ssize_t)sizeof(*rep)) {
        ssize_t n = read(fds[0], (char *)rep + got, sizeof(*rep) - (size_t)got);
        if (n <= 0) {
            break;
        }
        got += n;
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == LF_SIM_CUT_EXIT) {
        if (got != (ssize_t)sizeof(*rep) || !rep->cut) {
            rep->torn_partial = false; /* died without its report */
        }
        return LF_PC_CUT_DIED;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && got == (ssize_t)sizeof(*rep)) {
        rep->why[sizeof(rep->why) - 1] = '\0';
        return LF_PC_DONE;
    }
    snprintf(rep->why, sizeof(rep->why), "step process died (status 0x%x)", status);
    return LF_PC_CRASHED;
}

/* Run a step that must finish; returns 0 or fills why. */
static int lf_pc_must_finish(const struct lf_pc_scenario *s, const char *dir, lf_pc_step_fn step,
                             const char *what, char *why, size_t why_len, uint64_t *ops)
{
    struct lf_pc_report rep;
    struct lf_pc_cut none = {0, LF_SIM_CUT_CLEAN};
    enum lf_pc_outcome o = lf_pc_child(s, dir, step, none, &rep);
    if (ops) {
        *ops = rep.ops;
    }
    if (o == LF_PC_DONE && rep.rc == 0) {
        return 0;
    }
    snprintf(why, why_len, "%s: %s", what, rep.why[0] ? rep.why : "failed");
    return -1;
}

/* ---- the runner ---------------------------------------------------------- */

static char lf_pc_kind_char(enum lf_sim_cut_kind k)
{
    return k == LF_SIM_CUT_TORN ? 't' : 'c';
}

/* One case: cut at first (and optionally again at second during resume),
 * then finish and check. Returns 0 if the invariants hold. *tore: the first
 * cut was torn and left its operation half done. */
static int lf_pc_case(const struct lf_pc_scenario *s, const char *dir, struct lf_pc_cut first,
                      struct lf_pc_cut second, char *why, size_t why_len, bool *tore)
{
    struct lf_pc_report rep;
    *tore = false;
    lf_pc_step_fn resume = s->resume ? s->resume : s->run;
    if (lf_pc_snapshot(dir, true) != 0) {
        snprintf(why, why_len, "cannot restore the snapshot");
        return -1;
    }
    enum lf_pc_outcome o = lf_pc_child(s, dir, s->run, first, &rep);
    if (o != LF_PC_CUT_DIED) {
        snprintf(why, why_len, "planned cut at op %llu did not happen (%s)",
                 (unsigned long long)first.at, o == LF_PC_DONE ? "flow ended first" : rep.why);
        return -1;
    }
    *tore = first.kind == LF_SIM_CUT_TORN && rep.torn_partial;
    if (second.at != 0) {
        o = lf_pc_child(s, dir, resume, second, &rep);
        if (o == LF_PC_DONE) {
            /* The resume finished before reaching the second cut point:
             * nothing more to cut; the check below still applies. */
        } else if (o != LF_PC_CUT_DIED) {
            snprintf(why, why_len, "resume before second cut: %s", rep.why);
            return -1;
        }
    }
    if (lf_pc_must_finish(s, dir, resume, "resume", why, why_len, NULL) != 0) {
        return -1;
    }
    return lf_pc_must_finish(s, dir, s->check, "check", why, why_len, NULL);
}

static bool lf_pc_parse_cut(const char *p, struct lf_pc_cut *cut, const char **end)
{
    char *e;
    unsigned long long n = strtoull(p, &e, 10);
    if (e == p || (*e != 'c' && *e != 't')) {
        return false;
    }
    cut->at = n;
    cut->kind = *e == 't' ? LF_SIM_CUT_TORN : LF_SIM_CUT_CLEAN;
    *end = e + 1;
    return true;
}

/* LF_PC_REPLAY=<name>@<N><c|t>[,<M><c|t>] */
static bool lf_pc_replay_request(const char *name, struct lf_pc_cut *first,
                                 struct lf_pc_cut *second)
{
    const char *env = getenv("LF_PC_REPLAY");
    if (!env) {
        return false;
    }
    const char *at = strrchr(env, '@');
    if (!at || (size_t)(at - env) != strlen(name) || strncmp(env, name, strlen(name)) != 0) {
        return false;
    }
    const char *p = at + 1;
    second->at = 0;
    second->kind = LF_SIM_CUT_CLEAN;
    if (!lf_pc_parse_cut(p, first, &p)) {
        return false;
    }
    if (*p == ',' && !lf_pc_parse_cut(p + 1, second, &p)) {
        return false;
    }
    return true;
}

static void lf_pc_sanitize(const char *name, char *out, size_t out_len)
{
    size_t i = 0;
    for (; name[i] && i + 1 < out_len; i++) {
        char c = name[i];
        out[i] = (c == '/' || c == ' ' || c == '@') ? '_' : c;
    }
    out[i] = '\0';
}

static void lf_pc_report_failure(const struct lf_pc_scenario *s, const struct lf_pc_options *opt,
                                 struct lf_pc_result *res, struct lf_pc_cut first,
                                 struct lf_pc_cut second, const char *why)
{
    res->failures++;
    unsigned max_fail = opt->max_fail ? opt->max_fail : 20;
    if (res->failures > max_fail) {
        return;
    }
    if (second.at) {
        printf("  FAIL %s: cut %llu%c then %llu%c: %s (replay: LF_PC_REPLAY='%s@%llu%c,%llu%c')\n",
               s->name, (unsigned long long)first.at, lf_pc_kind_char(first.kind),
               (unsigned long long)second.at, lf_pc_kind_char(second.kind), why, s->name,
               (unsigned long long)first.at, lf_pc_kind_char(first.kind),
               (unsigned long long)second.at, lf_pc_kind_char(second.kind));
    } else {
        printf("  FAIL %s: cut %llu%c: %s (replay: LF_PC_REPLAY='%s@%llu%c')\n", s->name,
               (unsigned long long)first.at, lf_pc_kind_char(first.kind), why, s->name,
               (unsigned long long)first.at, lf_pc_kind_char(first.kind));
    }
}

int lf_pc_run(const struct lf_pc_scenario *s, const struct lf_pc_options *opt,
              struct lf_pc_result *res)
{
    char dir[LF_SIM_PATH_MAX];
    char leaf[256];
    char why[LF_PC_WHY_MAX + 64];
    memset(res, 0, sizeof(*res));
    lf_pc_sanitize(s->name, leaf, sizeof(leaf));
    snprintf(dir, sizeof(dir), "%s/%s", opt->work_dir ? opt->work_dir : "/tmp", leaf);

    /* 1. The starting device, built once. */
    struct lf_sim_device dev;
    int err = lf_sim_device_create(&dev, dir, s->board);
    if (err) {
        printf("powercut %s: cannot create device in %s: %s\n", s->name, dir, lf_err_str(err));
        return -1;
    }
    lf_sim_device_close(&dev);
    if (s->setup && lf_pc_must_finish(s, dir, s->setup, "setup", why, sizeof(why), NULL) != 0) {
        printf("powercut %s: %s\n", s->name, why);
        return -1;
    }
    if (lf_pc_snapshot(dir, false) != 0) {
        printf("powercut %s: cannot snapshot %s\n", s->name, dir);
        return -1;
    }

    struct lf_pc_cut first;
    struct lf_pc_cut second;
    if (lf_pc_replay_request(s->name, &first, &second)) {
        printf("powercut %s: replaying cut %llu%c", s->name, (unsigned long long)first.at,
               lf_pc_kind_char(first.kind));
        if (second.at) {
            printf(" then %llu%c", (unsigned long long)second.at, lf_pc_kind_char(second.kind));
        }
        printf("\n");
        res->cuts = 1;
        bool tore;
        if (lf_pc_case(s, dir, first, second, why, sizeof(why), &tore) != 0) {
            lf_pc_report_failure(s, opt, res, first, second, why);
        }
        printf("powercut %s: replay, %llu failures\n", s->name, (unsigned long long)res->failures);
        return 0;
    }

    /* 2. Uncut: count the operations, and the invariants must hold. */
    if (lf_pc_must_finish(s, dir, s->run, "uncut run", why, sizeof(why), &res->ops) != 0 ||
        lf_pc_must_finish(s, dir, s->check, "uncut check", why, sizeof(why), NULL) != 0) {
        printf("powercut %s: %s\n", s->name, why);
        return -1;
    }
    if (res->ops == 0) {
        printf("powercut %s: the flow performs no flash operation\n", s->name);
        return -1;
    }

    /* 3. Every cut point, each kind. */
    unsigned kinds = opt->kinds ? opt->kinds : (LF_PC_CLEAN | LF_PC_TORN);
    unsigned stride = 1;
    const char *env_stride = getenv("LF_PC_STRIDE");
    if (opt->stride > 0) {
        stride = opt->stride;
    } else if (env_stride && atoi(env_stride) > 1) {
        stride = (unsigned)atoi(env_stride);
    }
    lf_pc_step_fn resume = s->resume ? s->resume : s->run;
    for (uint64_t n = 1; n <= res->ops; n += stride) {
        for (int k = 0; k < 2; k++) {
            if (!(kinds & (k == 0 ? LF_PC_CLEAN : LF_PC_TORN))) {
                continue;
            }
            first.at = n;
            first.kind = k == 0 ? LF_SIM_CUT_CLEAN : LF_SIM_CUT_TORN;
            second.at = 0;
            second.kind = LF_SIM_CUT_CLEAN;
            res->cuts++;
            bool tore;
            int bad = lf_pc_case(s, dir, first, second, why, sizeof(why), &tore);
            res->torn_cuts += first.kind == LF_SIM_CUT_TORN;
            res->torn_partial += tore;
            if (bad) {
                lf_pc_report_failure(s, opt, res, first, second, why);
            } else if (opt->verbose) {
                printf("  ok %s: cut %llu%c\n", s->name, (unsigned long long)n,
                       lf_pc_kind_char(first.kind));
            }
            if (!opt->double_cut || (opt->double_stride > 1 && (n - 1) % opt->double_stride != 0)) {
                continue;
            }
            /* Count the resume's own operations after this first cut, then cut
             * again at each of them. */
            struct lf_pc_report rep;
            struct lf_pc_cut none = {0, LF_SIM_CUT_CLEAN};
            lf_pc_snapshot(dir, true);
            if (lf_pc_child(s, dir, s->run, first, &rep) != LF_PC_CUT_DIED) {
                continue; /* already reported above */
            }
            if (lf_pc_child(s, dir, resume, none, &rep) != LF_PC_DONE) {
                continue;
            }
            uint64_t resume_ops = rep.ops;
            for (uint64_t m = 1; m <= resume_ops; m += stride) {
                for (int k2 = 0; k2 < 2; k2++) {
                    if (!(kinds & (k2 == 0 ? LF_PC_CLEAN : LF_PC_TORN))) {
                        continue;
                    }
                    second.at = m;
                    second.kind = k2 == 0 ? LF_SIM_CUT_CLEAN : LF_SIM_CUT_TORN;
                    res->cuts++;
                    bool tore2;
                    if (lf_pc_case(s, dir, first, second, why, sizeof(why), &tore2) != 0) {
                        lf_pc_report_failure(s, opt, res, first, second, why);
                    }
                }
            }
        }
    }
    /* The runner checks itself: torn cuts must leave half-done operations,
     * or a scenario passes only because they have become clean cuts. */
    unsigned min_pct = opt->min_torn_pct ? opt->min_torn_pct : LF_PC_MIN_TORN_PCT;
    if (res->torn_cuts > 0 && res->torn_partial * 100u < (uint64_t)min_pct * res->torn_cuts) {
        res->failures++;
        printf("  FAIL %s: only %llu of %llu torn cuts left an operation half done (at least "
               "%u%% must): torn cuts no longer tear\n",
               s->name, (unsigned long long)res->torn_partial, (unsigned long long)res->torn_cuts,
               min_pct);
    }
    printf("powercut %s: %llu ops, %llu cuts, %llu failures", s->name, (unsigned long long)res->ops,
           (unsigned long long)res->cuts, (unsigned long long)res->failures);
    if (stride > 1) {
        printf(" (every %u-th op)", stride);
    }
    printf("; %llu of %llu torn cuts tore\n", (unsigned long long)res->torn_partial,
           (unsigned long long)res->torn_cuts);
    fflush(stdout);
    return 0;
}
