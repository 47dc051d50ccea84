/* lfmgr: connection specs and per-transport message budgets. */
#include <stdlib.h>
#include <string.h>

#include "lf/smp_serial.h"
#include "lfmgr.h"

#define SPEC_MAX 512

/* Split "A,k=v,k=v": returns the option value for key, or NULL. */
static const char *opt_value(char *opts, const char *key)
{
    char *p = opts;
    size_t klen = strlen(key);
    while (p != NULL && *p != '\0') {
        char *next = strchr(p, ',');
        if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
            if (next != NULL) {
                *next = '\0';
            }
            return p + klen + 1;
        }
        p = next != NULL ? next + 1 : NULL;
    }
    return NULL;
}

/* Reject option keys other than the ones a transport knows. */
static bool opts_known(const char *opts, const char *known)
{
    const char *p = opts;
    while (p != NULL && *p != '\0') {
        const char *eq = strchr(p, '=');
        const char *next = strchr(p, ',');
        size_t klen;
        if (eq == NULL || (next != NULL && eq > next)) {
            return false;
        }
        klen = (size_t)(eq - p);
        if (klen != strlen(known) || strncmp(p, known, klen) != 0) {
            return false;
        }
        p = next != NULL ? next + 1 : NULL;
    }
    return true;
}

static int parse_udp(char *rest, int verbose, struct lfm_conn *c)
{
    char *opts = strchr(rest, ',');
    char *host = rest;
    char *port = NULL;
    uint32_t mtu = 1500;
    const char *v;
    if (opts != NULL) {
        *opts++ = '\0';
        if (!opts_known(opts, "mtu")) {
            lfm_err("udp: unknown option in '%s' (known: mtu=N)", opts);
            return LF_EXIT_USAGE;
        }
        v = opt_value(opts, "mtu");
        if (v != NULL && (!lfm_parse_u32(v, 65535, &mtu) || mtu < 128)) {
            lfm_err("udp: mtu must be 128..65535");
            return LF_EXIT_USAGE;
        }
    }
    if (host[0] == '[') { /* [v6addr]:port */
        char *end = strchr(host, ']');
        if (end == NULL) {
            lfm_err("udp: missing ']' in '%s'", rest);
            return LF_EXIT_USAGE;
        }
        *end = '\0';
        host++;
        if (end[1] == ':') {
            port = end + 2;
        } else if (end[1] != '\0') {
            lfm_err("udp: unexpected text after ']'");
            return LF_EXIT_USAGE;
        }
    } else {
        char *colon = strchr(host, ':');
        if (colon != NULL) {
            *colon = '\0';
            port = colon + 1;
        }
    }
    if (host[0] == '\0') {
        lfm_err("udp: missing host (udp:HOST[:PORT])");
        return LF_EXIT_USAGE;
    }
    if (port == NULL) {
        port = "1337";
    }
    c->verbose = verbose;
    return lfm_udp_open(c, host, port, mtu);
}

static int parse_serial(char *rest, int verbose, struct lfm_conn *c)
{
    char *opts = strchr(rest, ',');
    uint32_t baud = 115200;
    if (opts != NULL) {
        const char *v;
        *opts++ = '\0';
        if (!opts_known(opts, "baud")) {
            lfm_err("serial: unknown option in '%s' (known: baud=N)", opts);
            return LF_EXIT_USAGE;
        }
        v = opt_value(opts, "baud");
        if (v != NULL && !lfm_parse_u32(v, 4000000, &baud)) {
            lfm_err("serial: bad baud rate '%s'", v);
            return LF_EXIT_USAGE;
        }
    }
    if (rest[0] == '\0') {
        lfm_err("serial: missing device (serial:DEVICE[,baud=N])");
        return LF_EXIT_USAGE;
    }
    c->verbose = verbose;
    return lfm_serial_open(c, rest, baud);
}

static int parse_ble(char *rest, int verbose, struct lfm_conn *c)
{
    char *opts = strchr(rest, ',');
    uint32_t mtu = 247; /* a common negotiated ATT MTU (LE Data Length 251) */
    if (opts != NULL) {
        const char *v;
        *opts++ = '\0';
        if (!opts_known(opts, "mtu")) {
            lfm_err("ble-sim: unknown option in '%s' (known: mtu=N)", opts);
            return LF_EXIT_USAGE;
        }
        v = opt_value(opts, "mtu");
        if (v != NULL && (!lfm_parse_u32(v, 517, &mtu) || mtu < 23)) {
            lfm_err("ble-sim: mtu must be 23..517");
            return LF_EXIT_USAGE;
        }
    }
    if (rest[0] == '\0') {
        lfm_err("ble-sim: missing socket path (ble-sim:PATH[,mtu=N])");
        return LF_EXIT_USAGE;
    }
    c->verbose = verbose;
    return lfm_ble_open(c, rest, mtu);
}

int lfm_conn_open(const char *spec, int verbose, struct lfm_conn *c)
{
    char buf[SPEC_MAX];
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    if (spec == NULL) {
        lfm_err("no connection given: use --conn udp:HOST[:PORT], serial:DEVICE[,baud=N] or "
                "ble-sim:PATH[,mtu=N] (or set LFMGR_CONN)");
        return LF_EXIT_USAGE;
    }
    if (strlen(spec) >= sizeof(buf)) {
        lfm_err("connection spec too long");
        return LF_EXIT_USAGE;
    }
    strcpy(buf, spec);
    if (strncmp(buf, "udp:", 4) == 0) {
        return parse_udp(buf + 4, verbose, c);
    }
    if (strncmp(buf, "serial:", 7) == 0) {
        return parse_serial(buf + 7, verbose, c);
    }
    if (strncmp(buf, "ble-sim:", 8) == 0) {
        return parse_ble(buf + 8, verbose, c);
    }
    lfm_err("unknown connection '%s' (udp:, serial: or ble-sim:)", spec);
    return LF_EXIT_USAGE;
}

void lfm_conn_close(struct lfm_conn *c)
{
    if (c->ops != NULL) {
        c->ops->close(c);
        c->ops = NULL;
    }
}

size_t lfm_conn_budget(const struct lfm_conn *c, uint32_t buf_size)
{
    size_t b = buf_size;
    switch (c->kind) {
    case LFM_CONN_SERIAL:
        /* The device's buffer also holds the 2-byte length and 2-byte CRC. */
        b = b > 4u ? b - 4u : 0u;
        if (b > LF_SMP_SERIAL_MSG_MAX) {
            b = LF_SMP_SERIAL_MSG_MAX;
        }
        break;
    case LFM_CONN_UDP:
        if (c->mtu > c->ip_hdr && b > c->mtu - c->ip_hdr) {
            b = c->mtu - c->ip_hdr;
        }
        break;
    case LFM_CONN_BLE:
        break;
    }
    if (b > LFM_MSG_MAX) {
        b = LFM_MSG_MAX;
    }
    return b;
}
