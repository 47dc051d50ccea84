#ifndef LF_BASE64_H
#define LF_BASE64_H

#include <stddef.h>
#include <stdint.h>

/*
 * Base64, standard alphabet (A-Z a-z 0-9 + /) with '=' padding (RFC 4648
 * section 4), as the SMP serial transport uses it. No line breaks, no
 * whitespace, no NUL terminator written.
 */

/* Encoded size of n bytes, and the most bytes that n characters decode to. */
#define LF_BASE64_ENC_LEN(n) ((((n) + 2u) / 3u) * 4u)
#define LF_BASE64_DEC_MAX(n) (((n) / 4u) * 3u)

/* Encode 1..3 bytes in[0..n) into one 4-character quantum (padded). */
void lf_base64_encode_quantum(const uint8_t *in, size_t n, char out[4]);

/* Decode one 4-character quantum: returns the number of bytes written to out
 * (3, or 2/1 for "xx=="-style padding) or LF_E_BASE64_INVALID for a character
 * outside the alphabet or misplaced padding. Bits below the last byte of a
 * padded quantum are ignored. */
int lf_base64_decode_quantum(const char in[4], uint8_t out[3]);

/* Encode in[0..in_len) into out[0..out_cap); *out_len = characters written.
 * LF_E_NOSPACE if out_cap < LF_BASE64_ENC_LEN(in_len) (nothing written).
 * in may be NULL only when in_len is 0. */
int lf_base64_encode(const uint8_t *in, size_t in_len, char *out, size_t out_cap, size_t *out_len);

/* Decode in[0..in_len): in_len must be a multiple of 4 and padding may only
 * end the text (else LF_E_BASE64_INVALID). *out_len = bytes written.
 * LF_E_NOSPACE if out_cap is smaller than the decoded size. */
int lf_base64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);

#endif
