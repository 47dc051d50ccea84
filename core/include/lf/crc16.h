#ifndef LF_CRC16_H
#define LF_CRC16_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC-16/XMODEM (a.k.a. CRC-16/ITU-T as Zephyr's crc16_itu_t computes it):
 * polynomial 0x1021, initial value 0x0000, no reflection, no final xor;
 * check value 0x31C3 for "123456789". The SMP serial transport protects each
 * message with it.
 *
 * Incremental: start with crc = 0 (LF_CRC16_XMODEM_INIT) and feed the output
 * back in for the next piece. Running the CRC over data followed by its
 * big-endian CRC yields 0. `data` may be NULL only when len is 0.
 */
#define LF_CRC16_XMODEM_INIT 0x0000u

uint16_t lf_crc16_xmodem(uint16_t crc, const void *data, size_t len);

#endif
