#ifndef LFMGR_CEILING_H
#define LFMGR_CEILING_H

#include <stddef.h>
#include <stdint.h>

/*
 * The highest upload rate the serial framing allows (docs/lfmgr.md,
 * "Throughput ceiling"): the file cut into the longest chunks a message of
 * `budget` bytes can carry (no alignment), each message framed as
 * docs/reference/smp.md 3.1 does it (length 2 + CRC 2, base64 4/3, 124 characters per
 * line plus a 2-byte marker and '\n'), 10 bits per byte on the wire (8N1),
 * replies and turnaround not counted (they travel on the other wire).
 */

/* Wire bytes (host -> device) of uploading `len` bytes from offset `from`
 * with the given first-chunk fields, in messages of at most budget bytes. 0
 * if budget is too small for one data byte. */
uint64_t lfm_serial_upload_wire_bytes(uint32_t len, uint32_t from, size_t budget, uint32_t image,
                                      uint8_t sha_len, int upgrade);

/* Payload bytes per second at that ceiling: (len - from) * baud / 10 / wire bytes. */
double lfm_serial_ceiling(uint32_t len, uint32_t from, size_t budget, uint32_t baud, uint32_t image,
                          uint8_t sha_len, int upgrade);

#endif
