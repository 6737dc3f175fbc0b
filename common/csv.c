/* csv.c - reading and writing RFC 4180 CSV (sample frames, assignment lists) */
#include "csv.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 65536 /* bytes read from a file at a time */

enum { AT_END = 256 }; /* what peek returns past the last byte */

struct csv_reader {
    char *name;          /* for messages; owned */
    FILE *f;             /* NULL when reading from memory */
    char *chunk;         /* the file's read buffer; owned */
    const char *p, *end; /* the unread input in hand */
    int eof;             /* the file has no more to give */
    int line;            /* the physical line of p, 1-based */
    int max_lines;       /* the caller's cap on line */
    int rec_line;        /* where the record last read starts */
    int blank_line;      /* the first blank row not yet followed by a record, or 0 */
    buf field;           /* the field being read, capped at CSV_MAX_FIELD */
    buf rec;             /* the record: its fields, each followed by a NUL */
    size_t offs[CSV_MAX_COLUMNS];
    const char *ptrs[CSV_MAX_COLUMNS];
    int nf;          /* fields in rec */
    char *hdr;       /* the header's fields, NUL-separated; owned */
    const char **hn; /* the header's names, pointing into hdr; owned */
    int ncols;       /* how many */
    dt_err err;      /* the first error, returned again by later calls */
};

static int fail(csv_reader *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records an error in r->err, prefixed with the reader's name, and returns
 * code. */
static int fail(csv_reader *r, int code, const char *fmt, ...)
{
    char msg[DT_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return err_set(&r->err, code, "%s: %s", r->name, msg);
}

/* "field 3 (commune_name)" once the header is known, "field 3" before. */
static void field_label(const csv_reader *r, int idx, char *out, size_t size)
{
    if (r->hn && idx < r->ncols && r->hn[idx][0])
        snprintf(out, size, "field %d (%.60s)", idx + 1, r->hn[idx]);
    else
        snprintf(out, size, "field %d", idx + 1);
}

/* Makes at least one unread byte available. Returns 1, 0 at the end, or
 * DT_EIO. */
static int fill(csv_reader *r)
{
    size_t n;

    if (r->p < r->end)
        return 1;
    if (!r->f || r->eof)
        return 0;
    n = fread(r->chunk, 1, CHUNK, r->f);
    if (n == 0) {
        if (ferror(r->f))
            return fail(r, DT_EIO, "read error");
        r->eof = 1;
        return 0;
    }
    r->p = r->chunk;
    r->end = r->chunk + n;
    return 1;
}

/* The next byte (0..255) without taking it, AT_END, or DT_EIO. */
static int peek(csv_reader *r)
{
    int rc = fill(r);

    if (rc < 0)
        return rc;
    return rc ? (unsigned char)*r->p : AT_END;
}

/* Counts a line end just taken; refuses a line past the cap. */
static int new_line(csv_reader *r)
{
    r->line++;
    if (r->line > r->max_lines)
        return fail(r, DT_EINVAL, "line %d: the file has more than %d lines", r->line,
                    r->max_lines);
    return DT_OK;
}

/* Appends s[0..n) to the field being read. */
static int field_add(csv_reader *r, const char *s, size_t n, int idx, int quoted, int fline)
{
    char what[96];
    int rc = buf_append(&r->field, s, n);

    if (rc == DT_OK)
        return DT_OK;
    if (rc == DT_ENOMEM)
        return fail(r, DT_ENOMEM, "line %d: out of memory", fline);
    field_label(r, idx, what, sizeof(what));
    return fail(r, DT_EINVAL, "line %d: %s is longer than %d bytes%s", fline, what, CSV_MAX_FIELD,
                quoted ? " (is a closing quote missing?)" : "");
}

/* Reads a quoted field, from its opening quote to the byte after its closing
 * one, into r->field. */
static int read_quoted(csv_reader *r, int idx, int fline)
{
    char what[96];
    int c, rc;

    r->p++; /* the opening quote */
    for (;;) {
        const char *s;

        c = peek(r);
        if (c < 0)
            return c;
        if (c == AT_END) {
            field_label(r, idx, what, sizeof(what));
            return fail(r, DT_EINVAL, "line %d: %s opens a quote that is never closed", fline,
                        what);
        }
        s = r->p;
        while (s < r->end && *s != '"') {
            if (*s == '\n' && (rc = new_line(r)) != DT_OK)
                return rc;
            s++;
        }
        if ((rc = field_add(r, r->p, (size_t)(s - r->p), idx, 1, fline)) != DT_OK)
            return rc;
        r->p = s;
        if (s == r->end)
            continue;
        r->p++; /* a quote: doubled, or the closing one */
        c = peek(r);
        if (c < 0)
            return c;
        if (c != '"')
            break;
        if ((rc = field_add(r, "\"", 1, idx, 1, fline)) != DT_OK)
            return rc;
        r->p++;
    }
    if (c != ',' && c != '\r' && c != '\n' && c != AT_END) {
        field_label(r, idx, what, sizeof(what));
        return fail(r, DT_EINVAL,
                    "line %d: %s has text after its closing quote (a quote inside a quoted "
                    "field is written twice: \"\")",
                    r->line, what);
    }
    return DT_OK;
}

/* Reads an unquoted field up to the comma, line end or end of input after
 * it. A quote inside it is kept as it is. */
static int read_plain(csv_reader *r, int idx, int fline)
{
    for (;;) {
        const char *s;
        int c = peek(r), rc;

        if (c < 0)
            return c;
        if (c == AT_END)
            return DT_OK;
        s = r->p;
        while (s < r->end && *s != ',' && *s != '\r' && *s != '\n')
            s++;
        if ((rc = field_add(r, r->p, (size_t)(s - r->p), idx, 0, fline)) != DT_OK)
            return rc;
        r->p = s;
        if (s < r->end)
            return DT_OK;
    }
}

/* The line of byte off of the field that starts on line fline. */
static int line_at(const buf *b, size_t off, int fline)
{
    for (size_t i = 0; i < off; i++)
        if (b->data[i] == '\n')
            fline++;
    return fline;
}

/* Checks the field just read and moves it to the record. */
static int field_end(csv_reader *r, int idx, int fline)
{
    const char *s = r->field.data ? r->field.data : "";
    const char *nul = memchr(s, '\0', r->field.len);
    char what[96];
    size_t bad = 0;

    if (nul) {
        field_label(r, idx, what, sizeof(what));
        return fail(r, DT_EINVAL,
                    "line %d: %s holds a NUL byte (is this a text file? save it as CSV UTF-8)",
                    line_at(&r->field, (size_t)(nul - s), fline), what);
    }
    if (!utf8_valid(s, r->field.len, &bad)) {
        field_label(r, idx, what, sizeof(what));
        return fail(r, DT_EINVAL, "line %d: %s is not valid UTF-8 (save the file as CSV UTF-8)",
                    line_at(&r->field, bad, fline), what);
    }
    r->offs[idx] = r->rec.len;
    if (buf_append(&r->rec, s, r->field.len) != DT_OK || buf_append(&r->rec, "", 1) != DT_OK)
        return fail(r, DT_ENOMEM, "line %d: out of memory", fline);
    return DT_OK;
}

/* Whether a field as read counts as empty in a blank row. */
static int is_blank(const buf *b)
{
    for (size_t i = 0; i < b->len; i++)
        if (b->data[i] != ' ' && b->data[i] != '\t')
            return 0;
    return 1;
}

/* Reads one record into r->rec / r->ptrs. Returns 1 (with *blank telling
 * whether every field was unquoted and empty or spaces), 0 when no input is
 * left, or a negative DT_ code. */
static int read_record(csv_reader *r, int *blank)
{
    int c, rc;

    buf_reset(&r->rec);
    r->nf = 0;
    *blank = 1;
    c = peek(r);
    if (c < 0)
        return c;
    if (c == AT_END)
        return 0;
    r->rec_line = r->line;
    for (;;) {
        int fline = r->line, idx = r->nf;

        if (idx == CSV_MAX_COLUMNS) {
            if (r->hn)
                return fail(r, DT_EINVAL, "line %d: expected %d fields, found more than %d",
                            r->rec_line, r->ncols, CSV_MAX_COLUMNS);
            return fail(r, DT_EINVAL, "line %d: more than %d columns", r->rec_line,
                        CSV_MAX_COLUMNS);
        }
        buf_reset(&r->field);
        c = peek(r);
        if (c < 0)
            return c;
        if (c == '"') {
            *blank = 0;
            rc = read_quoted(r, idx, fline);
        } else {
            rc = read_plain(r, idx, fline);
        }
        if (rc != DT_OK)
            return rc;
        if (*blank && !is_blank(&r->field))
            *blank = 0;
        if ((rc = field_end(r, idx, fline)) != DT_OK)
            return rc;
        r->nf++;

        c = peek(r);
        if (c < 0)
            return c;
        if (c == ',') {
            r->p++;
            continue;
        }
        if (c == '\r') {
            r->p++;
            c = peek(r);
            if (c < 0)
                return c;
            if (c != '\n')
                return fail(r, DT_EINVAL,
                            "line %d: a carriage return (CR) that does not end a line; save "
                            "the file with CRLF or LF line ends",
                            r->line);
        }
        if (c == '\n') {
            r->p++;
            /* A line end at the very end of the file starts no new line. */
            c = peek(r);
            if (c < 0)
                return c;
            if (c != AT_END && (rc = new_line(r)) != DT_OK)
                return rc;
        }
        break;
    }
    for (int i = 0; i < r->nf; i++)
        r->ptrs[i] = r->rec.data + r->offs[i];
    return 1;
}

/* Start and length of s without leading and trailing spaces and tabs. */
static const char *trim(const char *s, size_t *len)
{
    size_t n = strlen(s);

    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *len = n;
    return s;
}

/* Reads the header row and keeps it. */
static int read_header(csv_reader *r)
{
    int blank = 0, rc;

    /* Excel writes a BOM before UTF-8; UTF-16 ("Unicode text") is refused.
     * The first fread fills the whole chunk unless the file is shorter. */
    rc = fill(r);
    if (rc < 0)
        return rc;
    if (r->end - r->p >= 3 && !memcmp(r->p, "\xEF\xBB\xBF", 3))
        r->p += 3;
    else if (r->end - r->p >= 2 && (!memcmp(r->p, "\xFF\xFE", 2) || !memcmp(r->p, "\xFE\xFF", 2)))
        return fail(r, DT_EINVAL, "line 1: the file is UTF-16 text; save it as CSV UTF-8");

    rc = read_record(r, &blank);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return fail(r, DT_EINVAL, "the file is empty; expected a header row");
    if (blank)
        return fail(r, DT_EINVAL, "line %d: the header row is blank", r->rec_line);

    for (int i = 0; i < r->nf; i++) {
        size_t li, lj;
        const char *a = trim(r->ptrs[i], &li);
        if (li == 0)
            continue;
        for (int j = i + 1; j < r->nf; j++) {
            const char *b = trim(r->ptrs[j], &lj);
            if (li == lj && !memcmp(a, b, li))
                return fail(r, DT_EINVAL,
                            "line %d: column '%.*s' appears twice (columns %d and %d)", r->rec_line,
                            (int)(li > 60 ? 60 : li), a, i + 1, j + 1);
        }
    }

    r->hn = calloc((size_t)r->nf, sizeof(*r->hn));
    r->hdr = buf_detach(&r->rec);
    if (!r->hn || !r->hdr)
        return fail(r, DT_ENOMEM, "out of memory");
    for (int i = 0; i < r->nf; i++)
        r->hn[i] = r->hdr + r->offs[i];
    r->ncols = r->nf;
    return DT_OK;
}

/* Makes a reader over nothing yet. */
static csv_reader *reader_new(const char *name)
{
    csv_reader *r = calloc(1, sizeof(*r));
    size_t n = strlen(name);

    if (!r)
        return NULL;
    r->name = malloc(n + 1);
    if (!r->name) {
        free(r);
        return NULL;
    }
    memcpy(r->name, name, n + 1);
    r->line = 1;
    buf_init(&r->field, CSV_MAX_FIELD);
    buf_init(&r->rec, (size_t)CSV_MAX_COLUMNS * (CSV_MAX_FIELD + 1));
    return r;
}

/* Reads the header of a new reader; hands it over, or frees it. */
static int finish_open(csv_reader **out, csv_reader *r, int max_lines, dt_err *err)
{
    int rc;

    if (max_lines <= 0) {
        rc = fail(r, DT_EINVAL, "the line limit must be positive, not %d", max_lines);
        goto cleanup;
    }
    r->max_lines = max_lines;
    rc = read_header(r);
cleanup:
    if (rc != DT_OK) {
        if (err)
            *err = r->err;
        csv_close(r);
        return rc;
    }
    *out = r;
    return DT_OK;
}

int csv_open(csv_reader **out, const char *path, int max_lines, dt_err *err)
{
    csv_reader *r = NULL;
    int rc = DT_OK;

    *out = NULL;
    r = reader_new(path);
    if (!r) {
        rc = err_set(err, DT_ENOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    r->f = fopen(path, "rb");
    if (!r->f) {
        rc = err_set(err, DT_EIO, "%s: cannot open: %s", path, strerror(errno));
        goto cleanup;
    }
    r->chunk = malloc(CHUNK);
    if (!r->chunk) {
        rc = err_set(err, DT_ENOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    r->p = r->end = r->chunk;
    rc = finish_open(out, r, max_lines, err);
    r = NULL; /* finish_open owns it now */
cleanup:
    csv_close(r);
    return rc;
}

int csv_open_mem(csv_reader **out, const char *name, const char *data, size_t len, int max_lines,
                 dt_err *err)
{
    csv_reader *r;

    *out = NULL;
    r = reader_new(name);
    if (!r)
        return err_set(err, DT_ENOMEM, "%s: out of memory", name);
    if (!data) {
        data = "";
        len = 0;
    }
    r->p = data;
    r->end = data + len;
    return finish_open(out, r, max_lines, err);
}

int csv_header(const csv_reader *r, const char *const **fields)
{
    *fields = r->hn;
    return r->ncols;
}

int csv_next(csv_reader *r, const char *const **fields, int *nfields, dt_err *err)
{
    int blank = 0, rc;

    *fields = NULL;
    *nfields = 0;
    if (r->err.code != DT_OK) {
        rc = r->err.code;
        goto cleanup;
    }
    for (;;) {
        rc = read_record(r, &blank);
        if (rc <= 0)
            goto cleanup;
        if (blank) {
            if (!r->blank_line)
                r->blank_line = r->rec_line;
            continue;
        }
        if (r->blank_line) {
            rc = fail(r, DT_EINVAL, "line %d: blank row before the end of the data (delete it)",
                      r->blank_line);
            goto cleanup;
        }
        if (r->nf != r->ncols) {
            rc = fail(r, DT_EINVAL, "line %d: expected %d fields, found %d", r->rec_line, r->ncols,
                      r->nf);
            goto cleanup;
        }
        *fields = r->ptrs;
        *nfields = r->nf;
        return 1;
    }
cleanup:
    if (rc < 0 && err)
        *err = r->err;
    return rc;
}

int csv_line(const csv_reader *r)
{
    return r->rec_line;
}

void csv_close(csv_reader *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    free(r->chunk);
    free(r->name);
    buf_free(&r->field);
    buf_free(&r->rec);
    free(r->hdr);
    free(r->hn);
    free(r);
}

int csv_column(const char *const *header, int n, const char *name)
{
    size_t want, len;
    const char *w;

    if (!header || !name)
        return -1;
    w = trim(name, &want);
    for (int i = 0; i < n; i++) {
        const char *h = trim(header[i], &len);
        if (len == want && !memcmp(h, w, len))
            return i;
    }
    return -1;
}

int csv_write_field(buf *b, const char *s)
{
    size_t n = strlen(s);
    const char *q;
    int rc;

    if (!strpbrk(s, ",\"\r\n") &&
        !(n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')))
        return buf_append(b, s, n);
    if ((rc = buf_append(b, "\"", 1)) != DT_OK)
        return rc;
    while ((q = strchr(s, '"')) != NULL) {
        /* Up to and including the quote, then the quote again. */
        if ((rc = buf_append(b, s, (size_t)(q - s) + 1)) != DT_OK ||
            (rc = buf_append(b, "\"", 1)) != DT_OK)
            return rc;
        s = q + 1;
    }
    if ((rc = buf_puts(b, s)) != DT_OK)
        return rc;
    return buf_append(b, "\"", 1);
}

int csv_write_record(buf *b, const char *const *fields, int n)
{
    int all_empty = 1, rc;

    for (int i = 0; i < n && all_empty; i++)
        all_empty = !fields[i][0];
    for (int i = 0; i < n; i++) {
        if (i && (rc = buf_append(b, ",", 1)) != DT_OK)
            return rc;
        /* A row of empty fields would read back as a blank row: quote one. */
        if (i == 0 && all_empty)
            rc = buf_append(b, "\"\"", 2);
        else
            rc = csv_write_field(b, fields[i]);
        if (rc != DT_OK)
            return rc;
    }
    return buf_append(b, "\r\n", 2);
}
