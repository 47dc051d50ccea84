/*
 * Two third-party client models against one `lfsim run --legacy` (issue 13,
 * docs/smp-server.md section 6). Each client speaks SMP over UDP with the
 * project's request builders and CBOR decoder, and checks every reply
 * against its own model before using it:
 *
 *   cmcumgr-like (SMP v1): the image upload and image erase replies must
 *     carry "rc", and every value in them is an integer; an image-state
 *     entry may hold only the keys it knows (slot, version, hash and the
 *     five flags: no "image").
 *   strict (SMP v2, like intercreate smpclient's reply models, which forbid
 *     unknown keys): every reply holds only the keys its model declares,
 *     with the declared types; "rc" is declared for upload and erase only.
 *
 * Each completes erase, list, upload, test, reset, list (the new image
 * runs on trial), confirm, list (confirmed), on the same running device:
 * the cmcumgr-like client installs application 2.0.0, the strict one 3.0.0.
 * A control run shows the strict client failing on the old shape ("rc": 0
 * in every reply is exactly what it must refuse) through its model alone.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf/cbor.h"
#include "lf/err.h"
#include "lf/sha256.h"
#include "lf/smp_client.h"
#include "lf/smp_hdr.h"
#include "sys_dev.h"

enum kind { K_ERASE, K_LIST, K_UPLOAD, K_STATE_SET, K_RESET };

struct client {
    const char *name;
    uint8_t ver;
    bool strict; /* else the cmcumgr-like model */
    int fd;
    struct sockaddr_in to;
    uint8_t seq;
    uint8_t req[1100];
    uint8_t rsp[4096];
    size_t rsp_len;
    struct lf_smp_rsp r;
    char why[300];
};

static struct sys_dev g_dev;
static bool g_running;

static int stop_device(void **state)
{
    (void)state;
    if (g_running) {
        sys_stop(&g_dev);
        g_running = false;
    }
    return 0;
}

/* ---- the models ------------------------------------------------------------ */

enum vt { T_UINT, T_INT, T_BOOL, T_TEXT, T_BYTES, T_ARRAY };

struct field {
    const char *key;
    enum vt type;
    bool required;
};

static bool type_ok(struct lf_cbor_dec *d, enum vt t)
{
    int64_t i;
    uint64_t u;
    bool b;
    struct lf_cbor_str s;
    size_t n;
    switch (t) {
    case T_UINT:
        return lf_cbor_read_uint(d, &u) == LF_OK;
    case T_INT:
        return lf_cbor_read_int(d, &i) == LF_OK;
    case T_BOOL:
        return lf_cbor_read_bool(d, &b) == LF_OK;
    case T_TEXT:
        return lf_cbor_read_text(d, &s) == LF_OK;
    case T_BYTES:
        return lf_cbor_read_bytes(d, &s) == LF_OK;
    case T_ARRAY:
        return lf_cbor_enter_array(d, &n) == LF_OK;
    }
    return false;
}

/* The map at d holds only fields of `m` (typed as declared) and all its
 * required ones. `images` (when non-NULL) checks the "images" array's
 * entries against that model. Returns 0 or -1 with why filled. */
static int check_map(struct lf_cbor_dec *d, const struct field *m, size_t nm,
                     const struct field *images, size_t ni, const char *what, char *why,
                     size_t why_len)
{
    bool seen[16] = {false};
    struct lf_cbor_str k;
    if (lf_cbor_enter_map(d, NULL) != LF_OK) {
        snprintf(why, why_len, "%s: not a map", what);
        return -1;
    }
    while (lf_cbor_map_next(d, &k)) {
        size_t f = 0;
        while (f < nm && !lf_cbor_str_eq(&k, m[f].key)) {
            f++;
        }
        if (f == nm) {
            snprintf(why, why_len, "%s: unknown key \"%.*s\"", what, (int)k.len,
                     (const char *)k.ptr);
            return -1;
        }
        seen[f] = true;
        if (m[f].type == T_ARRAY && images) {
            size_t n = 0;
            if (lf_cbor_enter_array(d, &n) != LF_OK) {
                snprintf(why, why_len, "%s: \"%s\" is not an array", what, m[f].key);
                return -1;
            }
            for (size_t i = 0; i < n; i++) {
                if (check_map(d, images, ni, NULL, 0, "image-state entry", why, why_len)) {
                    return -1;
                }
            }
            lf_cbor_leave(d);
        } else if (m[f].type == T_ARRAY) {
            if (lf_cbor_skip(d) != LF_OK) {
                return -1;
            }
        } else if (!type_ok(d, m[f].type)) {
            snprintf(why, why_len, "%s: \"%s\" has the wrong type", what, m[f].key);
            return -1;
        }
    }
    lf_cbor_leave(d);
    for (size_t f = 0; f < nm; f++) {
        if (m[f].required && !seen[f]) {
            snprintf(why, why_len, "%s: \"%s\" missing", what, m[f].key);
            return -1;
        }
    }
    return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* strict: smpclient-like reply models, nothing undeclared */
static const struct field strict_entry[] = {
    {"image", T_UINT, false},     {"slot", T_UINT, true},      {"version", T_TEXT, true},
    {"hash", T_BYTES, false},     {"bootable", T_BOOL, false}, {"pending", T_BOOL, false},
    {"confirmed", T_BOOL, false}, {"active", T_BOOL, false},   {"permanent", T_BOOL, false},
};
static const struct field strict_state[] = {{"images", T_ARRAY, true},
                                            {"splitStatus", T_INT, false}};
static const struct field strict_upload[] = {
    {"off", T_UINT, true}, {"match", T_BOOL, false}, {"rc", T_INT, false}};
static const struct field strict_erase[] = {{"rc", T_INT, false}};
static const struct field strict_reset[] = {{"_", T_INT, false}}; /* no key at all */

/* cmcumgr-like: rc in upload and erase, integers only there; entries with
 * its known keys only */
static const struct field cm_entry[] = {
    {"slot", T_INT, true},       {"version", T_TEXT, true},    {"hash", T_BYTES, true},
    {"bootable", T_BOOL, false}, {"pending", T_BOOL, false},   {"confirmed", T_BOOL, false},
    {"active", T_BOOL, false},   {"permanent", T_BOOL, false},
};
/* the state reply's own level: an "rc" is tolerated (an integer) */
static const struct field cm_state[] = {
    {"images", T_ARRAY, true}, {"splitStatus", T_INT, false}, {"rc", T_INT, false}};
static const struct field cm_upload[] = {{"rc", T_INT, true}, {"off", T_INT, true}};
static const struct field cm_erase[] = {{"rc", T_INT, true}};

static int model_check(struct client *c, enum kind k)
{
    struct lf_cbor_dec d;
    lf_cbor_dec_init(&d, c->r.payload, c->r.hdr.len);
    char what[64];
    snprintf(what, sizeof(what), "%s reply %d", c->name, (int)k);
    if (c->r.has_err || (c->r.has_rc && c->r.rc != 0)) {
        snprintf(c->why, sizeof(c->why), "%s: an error (rc %lld, err %lld)", what,
                 (long long)c->r.rc, (long long)c->r.err_rc);
        return -1;
    }
    switch (k) {
    case K_LIST:
    case K_STATE_SET:
        return c->strict ? check_map(&d, strict_state, N(strict_state), strict_entry,
                                     N(strict_entry), what, c->why, sizeof(c->why))
                         : check_map(&d, cm_state, N(cm_state), cm_entry, N(cm_entry), what, c->why,
                                     sizeof(c->why));
    case K_UPLOAD:
        return c->strict
                   ? check_map(&d, strict_upload, N(strict_upload), NULL, 0, what, c->why,
                               sizeof(c->why))
                   : check_map(&d, cm_upload, N(cm_upload), NULL, 0, what, c->why, sizeof(c->why));
    case K_ERASE:
        return c->strict
                   ? check_map(&d, strict_erase, N(strict_erase), NULL, 0, what, c->why,
                               sizeof(c->why))
                   : check_map(&d, cm_erase, N(cm_erase), NULL, 0, what, c->why, sizeof(c->why));
    case K_RESET:
        /* strict: the empty model; cmcumgr: whatever, rc an integer */
        return c->strict ? check_map(&d, strict_reset, 0, NULL, 0, what, c->why, sizeof(c->why))
                         : 0;
    }
    return -1;
}

/* ---- transport ------------------------------------------------------------- */

static void client_open(struct client *c, const char *name, uint8_t ver, bool strict)
{
    memset(c, 0, sizeof(*c));
    c->name = name;
    c->ver = ver;
    c->strict = strict;
    c->fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(c->fd >= 0);
    const char *port = strrchr(g_dev.udp, ':');
    assert_non_null(port);
    c->to.sin_family = AF_INET;
    c->to.sin_port = htons((uint16_t)atoi(port + 1));
    c->to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* Send the request in c->req[0..len), wait for its reply, parse it, and
 * check it against the client's model. Returns 0 or -1 with c->why. */
static int call(struct client *c, size_t len, enum kind k)
{
    struct lf_smp_hdr req;
    assert_int_equal(lf_smp_hdr_decode(c->req, len, &req), LF_OK);
    for (int attempt = 0; attempt < 3; attempt++) {
        assert_true(sendto(c->fd, c->req, len, 0, (struct sockaddr *)&c->to, sizeof(c->to)) ==
                    (ssize_t)len);
        struct pollfd p = {c->fd, POLLIN, 0};
        while (poll(&p, 1, 3000) == 1) {
            ssize_t n = recv(c->fd, c->rsp, sizeof(c->rsp), 0);
            if (n <= 0) {
                break;
            }
            c->rsp_len = (size_t)n;
            if (lf_smp_rsp_parse(c->rsp, c->rsp_len, &c->r) != LF_OK) {
                snprintf(c->why, sizeof(c->why), "%s: unparsable reply", c->name);
                return -1;
            }
            if (lf_smp_rsp_matches(&req, &c->r)) {
                return model_check(c, k);
            }
        }
    }
    snprintf(c->why, sizeof(c->why), "%s: no reply", c->name);
    return -1;
}

static void must(struct client *c, int rc)
{
    if (rc != 0) {
        fail_msg("%s", c->why);
    }
}

static size_t begin(struct client *c, struct lf_smp_req *r)
{
    lf_smp_req_begin(r, c->req, sizeof(c->req), c->ver, c->seq++);
    return 0;
}

/* ---- the flow ------------------------------------------------------------------ */

/* image 0's entries after a list (the client's view) */
static void state_of(struct client *c, struct lf_smp_image_slot *sl, size_t *n)
{
    assert_int_equal(lf_smp_rsp_image_state(&c->r, sl, 4, n), LF_OK);
}

static const struct lf_smp_image_slot *slot_with(const struct lf_smp_image_slot *sl, size_t n,
                                                 const char *ver)
{
    for (size_t i = 0; i < n; i++) {
        if (sl[i].image == 0 && sl[i].version.len == strlen(ver) &&
            memcmp(sl[i].version.ptr, ver, sl[i].version.len) == 0) {
            return &sl[i];
        }
    }
    return NULL;
}

static int list(struct client *c)
{
    struct lf_smp_req r;
    size_t len;
    begin(c, &r);
    assert_int_equal(lf_smp_req_image_state(&r, &len), LF_OK);
    return call(c, len, K_LIST);
}

static int set_state(struct client *c, const uint8_t *hash, bool confirm)
{
    struct lf_smp_req r;
    size_t len;
    begin(c, &r);
    assert_int_equal(lf_smp_req_image_set(&r, hash, 32, confirm, &len), LF_OK);
    return call(c, len, K_STATE_SET);
}

static int upload(struct client *c, const uint8_t *file, uint32_t flen)
{
    uint8_t sha[LF_SHA256_SIZE];
    lf_sha256(file, flen, sha);
    struct lf_smp_upload u;
    assert_int_equal(lf_smp_upload_init(&u, flen, sha, sizeof(sha), 0, false, 4), LF_OK);
    for (unsigned guard = 0; !u.done; guard++) {
        if (guard > 4 * (flen / 256u) + 20u) {
            snprintf(c->why, sizeof(c->why), "%s: upload does not progress", c->name);
            return -1;
        }
        struct lf_smp_chunk ch;
        struct lf_smp_req r;
        size_t len;
        assert_int_equal(lf_smp_upload_chunk(&u, u.off, 1024, &ch), LF_OK);
        ch.data = file + ch.off;
        begin(c, &r);
        assert_int_equal(lf_smp_req_upload(&r, &ch, &len), LF_OK);
        if (call(c, len, K_UPLOAD)) {
            return -1;
        }
        uint64_t off;
        bool m = false;
        enum lf_smp_match match = lf_smp_rsp_bool(&c->r, "match", &m) == LF_OK
                                      ? (m ? LF_SMP_MATCH_TRUE : LF_SMP_MATCH_FALSE)
                                      : LF_SMP_MATCH_ABSENT;
        assert_int_equal(lf_smp_rsp_uint(&c->r, "off", &off), LF_OK);
        if (lf_smp_upload_reply(&u, (uint32_t)off, match) != LF_OK) {
            snprintf(c->why, sizeof(c->why), "%s: bad upload reply", c->name);
            return -1;
        }
    }
    return 0;
}

static int erase(struct client *c)
{
    struct lf_smp_req r;
    size_t len;
    begin(c, &r);
    assert_int_equal(lf_smp_req_image_erase(&r, false, 0, &len), LF_OK);
    return call(c, len, K_ERASE);
}

static int reset(struct client *c)
{
    struct lf_smp_req r;
    size_t len;
    begin(c, &r);
    assert_int_equal(lf_smp_req_reset(&r, false, &len), LF_OK);
    return call(c, len, K_RESET);
}

static uint8_t g_file[512 * 1024];

static uint32_t read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(g_file, 1, sizeof(g_file), f);
    fclose(f);
    assert_true(n > 0 && n < sizeof(g_file));
    return (uint32_t)n;
}

/* Sign the demo's application binary as `ver` into DIR/images. */
static void sign_app(const char *ver, char *out, size_t cap)
{
    char in[700], key[700];
    snprintf(in, sizeof(in), "%s/images/app.bin", g_dev.dir);
    snprintf(key, sizeof(key), "%s/keys/app.pem", g_dev.dir);
    snprintf(out, cap, "%s/images/app-v%s.legacy-test.bin", g_dev.dir, ver);
    assert_int_equal(sys_tool(&g_dev, "lfimg", "sign", "-k", key, "-H", "0x200", "--pad-header",
                              "-v", ver, "-S", "0x73000", "--align", "4", in, out, (char *)NULL),
                     0);
}

/* The whole flow with one client; `ver` is the application it installs. */
static void flow(struct client *c, const char *ver)
{
    char path[800];
    struct lf_smp_image_slot sl[4];
    size_t n = 0;
    sign_app(ver, path, sizeof(path));
    uint32_t flen = read_file(path);

    must(c, erase(c));
    must(c, list(c));
    state_of(c, sl, &n);
    assert_null(slot_with(sl, n, ver));
    must(c, upload(c, g_file, flen));
    must(c, list(c));
    state_of(c, sl, &n);
    const struct lf_smp_image_slot *s = slot_with(sl, n, ver);
    assert_non_null(s);
    assert_int_equal(s->slot, 1);
    uint8_t hash[32];
    memcpy(hash, s->hash, 32);
    must(c, set_state(c, hash, false));
    state_of(c, sl, &n);
    s = slot_with(sl, n, ver);
    assert_non_null(s);
    assert_true(s->pending);
    must(c, reset(c));
    sys_wait_up(&g_dev);

    must(c, list(c));
    state_of(c, sl, &n);
    s = slot_with(sl, n, ver);
    assert_non_null(s);
    assert_true(s->active);
    assert_false(s->confirmed);
    must(c, set_state(c, hash, true));
    must(c, list(c));
    state_of(c, sl, &n);
    s = slot_with(sl, n, ver);
    assert_non_null(s);
    assert_true(s->active);
    assert_true(s->confirmed);
}

static void test_both_clients_one_legacy_device(void **state)
{
    (void)state;
    static const char *const legacy[] = {"--legacy", NULL};
    sys_prepare(&g_dev, "legacy-clients", "nrf52840dk");
    sys_start_with(&g_dev, legacy);
    g_running = true;
    static struct client cm, strict;
    client_open(&cm, "cmcumgr-like", LF_SMP_VER_1, false);
    client_open(&strict, "strict", LF_SMP_VER_2, true);
    flow(&cm, "2.0.0");
    flow(&strict, "3.0.0");
    /* and the first client again, on the device the second one updated */
    must(&cm, list(&cm));
    close(cm.fd);
    close(strict.fd);
    sys_stop(&g_dev);
    g_running = false;
}

/* The models can fail: replies of the old shape ("rc": 0 appended to every
 * successful reply), and a state entry with an "image" key, are refused. */
static void test_models_refuse(void **state)
{
    (void)state;
    static struct client c;
    memset(&c, 0, sizeof(c));
    c.name = "strict";
    c.strict = true;
    /* a state reply with "rc": 0: {"images": [], "splitStatus": 0, "rc": 0} */
    static const uint8_t st[] = {0x09, 0x00, 0x00, 0x1a, 0x00, 0x01, 0x00, 0x00, 0xa3,
                                 0x66, 'i',  'm',  'a',  'g',  'e',  's',  0x80, 0x6b,
                                 's',  'p',  'l',  'i',  't',  'S',  't',  'a',  't',
                                 'u',  's',  0x00, 0x62, 'r',  'c',  0x00};
    assert_int_equal(lf_smp_rsp_parse(st, sizeof(st), &c.r), LF_OK);
    assert_int_equal(model_check(&c, K_LIST), -1);
    assert_non_null(strstr(c.why, "unknown key \"rc\""));
    /* a reset reply {"rc": 0} */
    static const uint8_t rs[] = {0x0b, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
                                 0x05, 0xa1, 0x62, 'r',  'c',  0x00};
    assert_int_equal(lf_smp_rsp_parse(rs, sizeof(rs), &c.r), LF_OK);
    assert_int_equal(model_check(&c, K_RESET), -1);
    /* cmcumgr: an upload reply without "rc", one with "match" (a bool) */
    c.strict = false;
    c.name = "cmcumgr-like";
    static const uint8_t up[] = {0x03, 0x00, 0x00, 0x06, 0x00, 0x01, 0x00,
                                 0x01, 0xa1, 0x63, 'o',  'f',  'f',  0x10};
    assert_int_equal(lf_smp_rsp_parse(up, sizeof(up), &c.r), LF_OK);
    assert_int_equal(model_check(&c, K_UPLOAD), -1);
    static const uint8_t um[] = {0x03, 0x00, 0x00, 0x11, 0x00, 0x01, 0x00, 0x01, 0xa3,
                                 0x62, 'r',  'c',  0x00, 0x63, 'o',  'f',  'f',  0x10,
                                 0x65, 'm',  'a',  't',  'c',  'h',  0xf5};
    assert_int_equal(lf_smp_rsp_parse(um, sizeof(um), &c.r), LF_OK);
    assert_int_equal(model_check(&c, K_UPLOAD), -1);
    /* an entry with "image" */
    static const uint8_t en[] = {
        0x01, 0x00, 0x00, 0x27, 0x00, 0x01, 0x00, 0x00, 0xa1, 0x66, 'i', 'm', 'a', 'g', 'e',  's',
        0x81, 0xa4, 0x65, 'i',  'm',  'a',  'g',  'e',  0x00, 0x64, 's', 'l', 'o', 't', 0x00, 0x67,
        'v',  'e',  'r',  's',  'i',  'o',  'n',  0x61, '1',  0x64, 'h', 'a', 's', 'h', 0x40};
    assert_int_equal(lf_smp_rsp_parse(en, sizeof(en), &c.r), LF_OK);
    assert_int_equal(model_check(&c, K_LIST), -1);
    assert_non_null(strstr(c.why, "unknown key \"image\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_models_refuse),
        cmocka_unit_test_teardown(test_both_clients_one_legacy_device, stop_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
