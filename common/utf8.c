/* utf8.c - UTF-8 validation and measuring */
#include "utf8.h"

/* Length of the sequence that starts with byte c, 0 when c cannot start one. */
static int seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

int utf8_valid(const char *str, size_t n, size_t *bad_at)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < n) {
        int len = seq_len(s[i]);
        if (len == 0 || i + (size_t)len > n)
            goto bad;
        for (int k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                goto bad;
        /* Second-byte ranges that rule out overlong forms, surrogates and
         * code points past U+10FFFF (RFC 3629, section 4). */
        if (s[i] == 0xE0 && s[i + 1] < 0xA0)
            goto bad;
        if (s[i] == 0xED && s[i + 1] > 0x9F)
            goto bad;
        if (s[i] == 0xF0 && s[i + 1] < 0x90)
            goto bad;
        if (s[i] == 0xF4 && s[i + 1] > 0x8F)
            goto bad;
        i += (size_t)len;
    }
    return 1;
bad:
    if (bad_at)
        *bad_at = i;
    return 0;
}

size_t utf8_length(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t count = 0;

    for (size_t i = 0; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            count++;
    return count;
}
