/*
 * The few C library functions the firmware calls (and the compiler emits for
 * struct copies), small: newlib's are unrolled for speed and cost about
 * 800 B in stage 0, whose flash limit is 8 KiB. Word loops when both pointers
 * are aligned, so the flash-to-buffer copies of image hashing stay fast.
 * Built with -fno-builtin and -fno-tree-loop-distribute-patterns, so the
 * loops are not turned back into calls of themselves.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LF_WORD_ALIGNED(a, b) ((((uintptr_t)(a) | (uintptr_t)(b)) & 3u) == 0)

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (LF_WORD_ALIGNED(d, s)) {
        for (; n >= 4u; n -= 4u, d += 4, s += 4) {
            *(uint32_t *)(void *)d = *(const uint32_t *)(const void *)s;
        }
    }
    while (n--) {
        *d++ = *s++;
    }
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if ((uintptr_t)d - (uintptr_t)s >= n) { /* no overlap that a forward copy breaks */
        return memcpy(dst, src, n);
    }
    while (n--) {
        d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    while (n--) {
        *d++ = (uint8_t)c;
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a;
    const uint8_t *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y) {
            return *x - *y;
        }
    }
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;
    while (*p) {
        p++;
    }
    return (size_t)(p - s);
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}
