#ifndef LFMGR_H
#define LFMGR_H

/*
 * lfmgr internals shared by its source files: exit codes, connections
 * (transports), the SMP session (requests, replies, retries, version
 * fallback) and output helpers. docs/lfmgr.md is the user's view.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include "lf/smp_client.h"

/* Exit codes: the tools' shared table (tools/common/lf_exit.h, docs/exit-codes.md). */
#include "lf_exit.h"

/* Transport receive result besides LF_EXIT_* codes: nothing arrived in time. */
#define LFM_TIMEOUT (-1)
/* ... and: the OS says nothing listens there (UDP: ICMP port unreachable). */
#define LFM_REFUSED (-2)

/* Largest SMP message handled: header + 16-bit data length. */
#define LFM_MSG_MAX (LF_SMP_HDR_SIZE + LF_SMP_MAX_PAYLOAD)

/* ---- connections ------------------------------------------------------------ */

enum lfm_conn_kind { LFM_CONN_UDP, LFM_CONN_SERIAL, LFM_CONN_BLE };

struct lfm_conn;

struct lfm_conn_ops {
    /* Send one SMP message. Returns LF_EXIT_OK or LF_EXIT_CONN (message printed). */
    int (*send)(struct lfm_conn *c, const uint8_t *msg, size_t len);
    /* Wait up to timeout_ms for one SMP message into buf[0..cap). Returns
     * LF_EXIT_OK with *len set, LFM_TIMEOUT, or LF_EXIT_CONN. Data that is
     * not a complete, well-framed message is skipped. */
    int (*recv)(struct lfm_conn *c, uint8_t *buf, size_t cap, int timeout_ms, size_t *len);
    void (*close)(struct lfm_conn *c);
};

struct lfm_conn {
    const struct lfm_conn_ops *ops;
    enum lfm_conn_kind kind;
    int fd;
    int verbose;     /* 2 and more: log transport frames */
    uint32_t baud;   /* serial: line rate; 0 otherwise */
    uint32_t mtu;    /* UDP: link MTU (IP+UDP headers subtracted for the budget); BLE: ATT MTU */
    uint32_t ip_hdr; /* UDP: IPv4 28 / IPv6 48 bytes of headers */
    void *priv;      /* transport state */
};

/* Parse a connection spec ("udp:HOST[:PORT][,mtu=N]", "serial:DEV[,baud=N]",
 * "ble-sim:PATH[,mtu=N]") and open it. Returns LF_EXIT_OK, LF_EXIT_USAGE
 * (bad spec) or LF_EXIT_CONN, with a message on stderr. */
int lfm_conn_open(const char *spec, int verbose, struct lfm_conn *c);
void lfm_conn_close(struct lfm_conn *c);

/* Largest SMP message (header + CBOR) this connection lets a client send to a
 * server reporting buf_size (docs/reference/smp.md 3 and 5.4): serial buf_size - 4,
 * UDP min(buf_size, MTU - IP/UDP headers), BLE buf_size. */
size_t lfm_conn_budget(const struct lfm_conn *c, uint32_t buf_size);

int lfm_udp_open(struct lfm_conn *c, const char *host, const char *port, uint32_t mtu);
int lfm_serial_open(struct lfm_conn *c, const char *dev, uint32_t baud);
int lfm_ble_open(struct lfm_conn *c, const char *path, uint32_t mtu);

/* Whether the last UDP wait met "connection refused" (nothing listening). */
bool lfm_udp_refused(const struct lfm_conn *c);
/* "HOST:PORT" of a UDP connection ("" otherwise). */
const char *lfm_udp_where(const struct lfm_conn *c);

/* ---- session ------------------------------------------------------------------ */

/* Encode the request with the session's version and sequence number into
 * r (begun by the session). Returns an lf_err. */
typedef int (*lfm_build_fn)(struct lf_smp_req *r, const void *arg, size_t *msg_len);

struct lfm_session {
    struct lfm_conn *conn;
    uint8_t ver;         /* version requests are sent with */
    bool ver_forced;     /* --smp-v1: never change ver */
    uint8_t seq;         /* next sequence number */
    int timeout_ms;      /* per request */
    int long_timeout_ms; /* first upload chunk, erase */
    int retries;         /* resends after a timeout */
    int verbose;         /* 1: protocol log on stderr */
    bool json;
    bool quiet_timeout; /* lfm_transact: no message on timeout (caller handles it) */
    bool unreachable;   /* the OS said nothing listens at the address (reported once) */
    int64_t t0_ms;      /* session start, for the protocol log's timestamps */
    uint32_t buf_size;  /* from OS params, else an assumed default */
    uint32_t buf_count;
    bool have_params;
    uint32_t buf_size_override; /* --buf-size, 0 = none */
    uint8_t tx[LFM_MSG_MAX];
    uint8_t rx[LFM_MSG_MAX];
    size_t tx_len;
    struct lf_smp_hdr tx_hdr; /* header of the request in tx */
};

void lfm_session_init(struct lfm_session *s, struct lfm_conn *c);

/* Encode a request (build) into s->tx with the next sequence number.
 * Returns LF_EXIT_OK or LF_EXIT_USAGE (request does not encode). */
int lfm_session_build(struct lfm_session *s, lfm_build_fn build, const void *arg);

/* Send s->tx (logged with -v). */
int lfm_session_send(struct lfm_session *s);

/* Receive the next well-formed response within timeout_ms into s->rx and
 * parse it into *rsp. Applies the v2 -> v1 fallback when a response comes
 * with Ver 0. Returns LF_EXIT_OK, LFM_TIMEOUT, LF_EXIT_CONN, or keeps
 * waiting past malformed messages (logged). */
int lfm_session_recv(struct lfm_session *s, int timeout_ms, struct lf_smp_rsp *rsp);

/* Build, send and wait for the matching response, resending after a
 * timeout up to s->retries times. timeout_ms 0 = s->timeout_ms. Does not
 * check the response's status. Returns LF_EXIT_OK, LF_EXIT_CONN (timeout:
 * message printed naming `what`), LF_EXIT_USAGE. */
int lfm_transact(struct lfm_session *s, const char *what, lfm_build_fn build, const void *arg,
                 int timeout_ms, struct lf_smp_rsp *rsp);

/* transact + status check: LF_EXIT_DEVICE with a message naming the error
 * if the device reports one. */
int lfm_request(struct lfm_session *s, const char *what, lfm_build_fn build, const void *arg,
                int timeout_ms, struct lf_smp_rsp *rsp);

/* Read OS params once per session (buf_size, buf_count). Falls back to
 * assumed sizes (noted with -v) when the device does not support the
 * command or does not answer. Never fails except on I/O errors. */
int lfm_session_params(struct lfm_session *s);

/* Report (once) that nothing listens at the UDP address; marks the session. */
void lfm_report_unreachable(struct lfm_session *s);

/* Print "lfmgr: <what>: device error ..." for a failed response. */
/* When the reply carries no reason (SMP v2 errors cannot: smpclient refuses
 * "rsn"), asks a Leapfrog device for it (bootloader info query
 * "last_error", docs/smp-server.md) and appends it; other devices just do
 * not answer that query. s may be NULL (no question asked). */
void lfm_report_device_error(struct lfm_session *s, const char *what, const struct lf_smp_rsp *rsp);

/* Format the status of a response into buf ("image error INVALID_FLASH_ADDRESS
 * (group 1, rc 25): img addr mismatch"). */
void lfm_format_status(const struct lf_smp_rsp *rsp, char *buf, size_t cap);

/* ---- output ------------------------------------------------------------------- */

/* Error message on stderr, prefixed "lfmgr: ". The first one that is not a
 * warning is kept in lfm_error_text (the "error" of --json's failure object). */
void lfm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define LFM_ERROR_TEXT 512
extern char lfm_error_text[LFM_ERROR_TEXT];

/* Fields (", \"key\": value" each, leading comma included) that --json adds
 * to the command's object, also when it fails (e.g. what the device runs
 * after a reset that reverted an update). */
void lfm_json_extra_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define LFM_JSON_EXTRA 4096
extern char lfm_json_extra[LFM_JSON_EXTRA];

/* Protocol log line on stderr (only when verbose). */
void lfm_log(const struct lfm_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* CBOR diagnostic notation of buf[0..len) into out (truncated to cap, always
 * NUL-terminated); byte strings longer than 16 bytes are shown by length. */
void lfm_cbor_diag(const uint8_t *buf, size_t len, char *out, size_t cap);

/* A CBOR map (a reply's payload) as one JSON object on f; byte strings as
 * hex text. Anything but a map prints {}. */
void lfm_cbor_json(const uint8_t *buf, size_t len, FILE *f);

/* The same map as "key: value" lines (text unquoted, the rest as JSON). */
void lfm_cbor_lines(const uint8_t *buf, size_t len, FILE *f);

/* JSON string literal of s[0..len) on f (quotes and escapes). */
void lfm_json_str(FILE *f, const char *s, size_t len);

/* Lower-case hex of p[0..n) on f. */
void lfm_hex(FILE *f, const uint8_t *p, size_t n);

/* Parse hex text (even length, 1..max bytes) into out; returns bytes or -1. */
int lfm_parse_hex(const char *s, uint8_t *out, size_t max);

/* Parse an unsigned decimal (or 0x hex) number <= max; false on error. */
bool lfm_parse_u32(const char *s, uint32_t max, uint32_t *v);

/* Set by SIGINT during an upload (upload.c); receives then return at once. */
extern volatile sig_atomic_t lfm_interrupted;

/* Monotonic milliseconds. */
int64_t lfm_now_ms(void);

/* Monotonic seconds with sub-microsecond resolution (throughput figures:
 * a fast local upload takes a few milliseconds). */
double lfm_now_s(void);

/* Read a whole file (malloc'ed, caller frees). LF_EXIT_OK or LF_EXIT_FILE. */
int lfm_read_file(const char *path, uint8_t **data, size_t *len);

#endif
