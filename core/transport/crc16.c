/* CRC-16/XMODEM, four bits at a time: a 16-entry table (32 bytes) is the
 * compromise between the 512-byte byte table and the bit loop's speed. */
#include "lf/crc16.h"

static const uint16_t crc16_nibble[16] = {
    0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50A5, 0x60C6, 0x70E7,
    0x8108, 0x9129, 0xA14A, 0xB16B, 0xC18C, 0xD1AD, 0xE1CE, 0xF1EF,
};

uint16_t lf_crc16_xmodem(uint16_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        crc = (uint16_t)((crc << 4) ^ crc16_nibble[crc >> 12]);
        crc = (uint16_t)((crc << 4) ^ crc16_nibble[crc >> 12]);
    }
    return crc;
}
