/* expr_fn.c - the functions on text and dates of the expression language that need more than a
 * line: substr(), selected-at(), decimal-date-time(), decimal-time(), format-date(). Pure: they
 * read their arguments and write what the caller gives them. */
#include "expr_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The byte offset of character k (0-based) of s[0..len), or len when s is shorter. */
static size_t char_offset(const char *s, size_t len, double k)
{
    size_t i = 0;

    for (double c = 0; i < len && c < k; c++) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++; /* continuation bytes */
    }
    return i;
}

void expr_substr(const char *s, size_t len, double start, double end, const char **out,
                 size_t *outlen)
{
    size_t a, b;

    /* ODK's substr(s, start, end): characters from start (0-based) up to end, not included. */
    if (isnan(start) || (!isnan(end) && end <= start)) {
        *out = s;
        *outlen = 0;
        return;
    }
    a = char_offset(s, len, start < 0 ? 0 : floor(start));
    b = isnan(end) ? len : char_offset(s, len, floor(end));
    *out = s + a;
    *outlen = b > a ? b - a : 0;
}

int expr_token_at(const char *s, size_t len, double n, const char **out, size_t *outlen)
{
    size_t i = 0;

    if (isnan(n) || n < 0 || n != floor(n))
        return 0;
    for (double k = 0;; k++) {
        while (i < len && s[i] == ' ')
            i++;
        if (i == len)
            return 0;
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        if (k == n) {
            *out = s + i;
            *outlen = j - i;
            return 1;
        }
        i = j;
    }
}

/* HH:MM[:SS] at s[0..len) into seconds, or -1. */
static double clock_secs(const char *s, size_t len)
{
    int h, m, sec = 0, used = 0;
    char tmp[16];

    if (len < 5 || len >= sizeof(tmp))
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (sscanf(tmp, "%2d:%2d%n", &h, &m, &used) != 2)
        return -1;
    if (tmp[used] == ':' && sscanf(tmp + used, ":%2d%n", &sec, &used) == 1)
        used += 5;
    if ((size_t)used != len || h > 23 || m > 59 || sec > 59 || h < 0 || m < 0 || sec < 0)
        return -1;
    return h * 3600.0 + m * 60 + sec;
}

double expr_decimal_time(const char *s, size_t len)
{
    double secs = clock_secs(s, len);
    return secs < 0 ? NAN : secs / 86400.0;
}

double expr_decimal_date_time(const char *s, size_t len)
{
    int days;
    double secs;

    if (len >= 10 && expr_parse_date(s, 10, &days)) {
        if (len == 10)
            return days;
        if ((s[10] == 'T' || s[10] == ' ') && (secs = clock_secs(s + 11, len - 11)) >= 0)
            return days + secs / 86400.0;
    }
    return NAN;
}

/* Days since 1970-01-01 as a civil date (Howard Hinnant's algorithm). */
static void civil(long days, int *y, int *m, int *d, int *wday)
{
    long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
    *wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday: 0 is Sunday */
}

size_t expr_format_date_text(double when, const char *fmt, size_t flen, char *out, size_t size)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    size_t n = 0;
    int y, m, d, wd;

    out[0] = '\0';
    if (isnan(when) || when < -719162 || when > 2932896)
        return 0; /* no date: "" as ODK gives */
    double day = floor(when);
    long secs = lround((when - day) * 86400.0);
    civil((long)day, &y, &m, &d, &wd);
    for (size_t i = 0; i < flen && n + 16 < size; i++) {
        if (fmt[i] != '%' || i + 1 == flen) {
            out[n++] = fmt[i];
            continue;
        }
        switch (fmt[++i]) {
        case 'Y':
            n += (size_t)snprintf(out + n, size - n, "%04d", y);
            break;
        case 'y':
            n += (size_t)snprintf(out + n, size - n, "%02d", y % 100);
            break;
        case 'm':
            n += (size_t)snprintf(out + n, size - n, "%02d", m);
            break;
        case 'n':
            n += (size_t)snprintf(out + n, size - n, "%d", m);
            break;
        case 'b':
            n += (size_t)snprintf(out + n, size - n, "%s", months[m - 1]);
            break;
        case 'd':
            n += (size_t)snprintf(out + n, size - n, "%02d", d);
            break;
        case 'e':
            n += (size_t)snprintf(out + n, size - n, "%d", d);
            break;
        case 'a':
            n += (size_t)snprintf(out + n, size - n, "%s", wdays[wd]);
            break;
        case 'H':
            n += (size_t)snprintf(out + n, size - n, "%02ld", secs / 3600);
            break;
        case 'h':
            n += (size_t)snprintf(out + n, size - n, "%ld", secs / 3600);
            break;
        case 'M':
            n += (size_t)snprintf(out + n, size - n, "%02ld", secs / 60 % 60);
            break;
        case 'S':
            n += (size_t)snprintf(out + n, size - n, "%02ld", secs % 60);
            break;
        default: /* an unknown directive is written as it is, as JavaRosa does */
            out[n++] = '%';
            out[n++] = fmt[i];
        }
    }
    out[n] = '\0';
    return n;
}
