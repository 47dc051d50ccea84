/* Host-side helpers for lfimg: files, numbers, versions, messages. */
#ifndef LFIMG_UTIL_H
#define LFIMG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lf/image.h"

/* Exit codes: the tools' one table (tools/common/lf_exit.h, docs/exit-codes.md).
 * lfimg uses LF_EXIT_USAGE for a bad command line, LF_EXIT_FILE for an input
 * that is unreadable, malformed or not valid (verify: "invalid", dump: broken
 * structure) and LF_EXIT_INTERNAL when an output cannot be written. */
#include "lf_exit.h"

/* "lfimg: <message>\n" on stderr. */
void lfimg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The text of the last lfimg_err ("" if none). */
const char *lfimg_last_error(void);

/* Whole file into a malloc'd buffer (freed by the caller). 0 or -1 (message printed). */
int lfimg_read_file(const char *path, uint8_t **buf, size_t *len);
/* Write a whole file; "-" is stdout. 0 or -1 (message printed). */
int lfimg_write_file(const char *path, const uint8_t *buf, size_t len);
/* Write buf as an Intel HEX file (data records of 16 bytes at base + offset,
 * extended linear address records where the upper 16 address bits change,
 * an end-of-file record); "-" is stdout. 0 or -1 (message printed). */
int lfimg_write_ihex(const char *path, const uint8_t *buf, size_t len, uint32_t base);
/* Open for text output; "-" or NULL is stdout. */
FILE *lfimg_open_out(const char *path);
void lfimg_close_out(FILE *f);

/* Decimal or 0x-hex unsigned 32-bit number, the whole string. */
bool lfimg_parse_u32(const char *s, uint32_t *out);
/* imgtool's version syntax: M[.m[.r[+b]]], each field within its width. */
bool lfimg_parse_version(const char *s, struct lf_image_version *v);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void lfimg_hex(const uint8_t *buf, size_t len, char *out);

/* s as a JSON string literal (quotes included) on f. */
void lfimg_json_str(FILE *f, const char *s);

/* Little-endian accessors. */
uint16_t lfimg_le16(const uint8_t *p);
uint32_t lfimg_le32(const uint8_t *p);
void lfimg_put_le16(uint8_t *p, uint16_t v);
void lfimg_put_le32(uint8_t *p, uint32_t v);

#endif
