/* xlsx.c - an Excel workbook read as a zip of XML parts (see xlsx.h). The parts are found as
 * Office Open XML says (_rels/.rels, the workbook's relationships), each read whole with a cap
 * on its inflated size, then parsed by expat with its document type refused (no entities, no
 * external anything). */
#include "xlsx.h"
#include "buf.h"

#include <ctype.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#define TEXT_MAX     (1u << 20) /* bytes of one cell's or string's text */
#define PATH_MAX_LEN 512

typedef struct sheet {
    char *name;
    char *path; /* the part in the zip: "xl/worksheets/sheet1.xml" */
} sheet;

struct xlsx {
    zip_t *zip;
    char *name; /* for messages */
    sheet sheets[XLSX_SHEETS_MAX];
    int nsheets;
    buf pool;      /* the shared strings, each NUL-terminated, one after the other */
    size_t *start; /* where each begins in the pool (the pool moves as it grows) */
    long nstrings;
    unsigned char *xf_date; /* per cell style (cellXfs): 1 when its number format is a date */
    long nxf;
};

/* ---- parts */

static int zip_error(xlsx *x, zip_error_t *ze, dt_err *err)
{
    int code = zip_error_code_zip(ze) == ZIP_ER_MEMORY ? DT_ENOMEM : DT_EINVAL;
    return err_set(err, code, "%s: not an Excel workbook (.xlsx is a zip file): %s", x->name,
                   zip_error_strerror(ze));
}

/* The part at path, inflated, NUL-terminated, into *out (the caller frees); DT_ENOTFOUND when
 * the zip has no such part. */
static int read_part(xlsx *x, const char *path, char **out, size_t *len, dt_err *err)
{
    zip_int64_t i = zip_name_locate(x->zip, path, ZIP_FL_NOCASE);
    zip_file_t *f;
    zip_stat_t st;
    buf b;
    zip_int64_t n;
    size_t room;

    *out = NULL;
    *len = 0;
    if (i < 0)
        return err_set(err, DT_ENOTFOUND, "%s: the workbook has no part %s", x->name, path);
    if (!(f = zip_fopen_index(x->zip, (zip_uint64_t)i, 0)))
        return err_set(err, DT_EINVAL, "%s: %s cannot be read: %s", x->name, path,
                       zip_strerror(x->zip));
    /* Read straight into the buffer, sized at first as the zip declares (a sheet is read in
     * one go, not copied through chunks). The size may lie: the cap is on what inflates, one
     * byte past it is read to know. */
    buf_init(&b, XLSX_PART_MAX + 1);
    room = zip_stat_index(x->zip, (zip_uint64_t)i, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
                   st.size < XLSX_PART_MAX
               ? (size_t)st.size + 1
               : 65536;
    do {
        size_t left = XLSX_PART_MAX + 1 - b.len;
        if (b.len + 1 >= b.cap && buf_reserve(&b, room < left ? room : left)) {
            zip_fclose(f);
            return err_set(err, DT_ENOMEM, "out of memory");
        }
        room = b.cap - b.len - 1; /* the next time, as much again */
        n = zip_fread(f, b.data + b.len, room < left ? room : left);
        if (n > 0) {
            b.len += (size_t)n;
            b.data[b.len] = '\0';
        }
        if (b.len > XLSX_PART_MAX) {
            zip_fclose(f);
            buf_free(&b);
            return err_set(err, DT_EINVAL,
                           "%s: %s inflates past %u MiB: refused (a zip bomb, or not a "
                           "questionnaire)",
                           x->name, path, XLSX_PART_MAX >> 20);
        }
    } while (n > 0);
    zip_fclose(f);
    if (n < 0) {
        buf_free(&b);
        return err_set(err, DT_EINVAL, "%s: %s is damaged in the zip", x->name, path);
    }
    *len = b.len;
    *out = buf_detach(&b);
    return *out ? DT_OK : err_set(err, DT_ENOMEM, "out of memory");
}

/* ---- XML */

/* A parse in progress: the handlers' common state. */
typedef struct parse {
    XML_Parser p;
    xlsx *x;
    const char *part;
    dt_err *err;
    int rc;      /* the first error, or what a callback returned to stop */
    buf text;    /* character data being collected */
    int collect; /* > 0 while inside an element whose text is wanted */
    void *ctx;   /* the part's own state */
} parse;

/* The name without its namespace prefix ("x:row" -> "row"). The names are a few bytes and a
 * sheet has three for every cell: a loop, not a call (bench_xlsform). */
static const char *local(const char *name)
{
    const char *after = name;

    for (const char *p = name; *p; p++)
        if (*p == ':')
            after = p + 1;
    return after;
}

/* The value of the attribute whose local name is name, or NULL. */
static const char *attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (!strcmp(local(atts[i]), name))
            return atts[i + 1];
    return NULL;
}

static void stop(parse *ps, int rc)
{
    if (!ps->rc)
        ps->rc = rc;
    XML_StopParser(ps->p, XML_FALSE);
}

static void fail(parse *ps, int code, const char *what)
{
    if (!ps->rc)
        err_set(ps->err, code, "%s: %s, line %lu: %s", ps->x->name, ps->part,
                (unsigned long)XML_GetCurrentLineNumber(ps->p), what);
    stop(ps, code);
}

static void on_text(void *ud, const XML_Char *s, int len)
{
    parse *ps = ud;

    if (ps->collect > 0 && !ps->rc && buf_append(&ps->text, s, (size_t)len) != 0)
        fail(ps, DT_EINVAL, "a text longer than 1 MiB");
}

/* A document type could declare entities (a billion laughs) or fetch files: none is read. */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sys, const XML_Char *pub,
                       int internal)
{
    (void)name, (void)sys, (void)pub, (void)internal;
    fail(ud, DT_EINVAL, "a document type declaration (not written by a spreadsheet): refused");
}

/* Parses text with start and end handlers on ps. */
static int run_xml(parse *ps, const char *text, size_t len, XML_StartElementHandler start,
                   XML_EndElementHandler end)
{
    XML_Parser p = XML_ParserCreate("UTF-8");

    if (!p)
        return err_set(ps->err, DT_ENOMEM, "out of memory");
    ps->p = p;
    buf_init(&ps->text, TEXT_MAX);
    XML_SetUserData(p, ps);
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, on_text);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    if (XML_Parse(p, text, (int)len, XML_TRUE) == XML_STATUS_ERROR && !ps->rc)
        fail(ps, DT_EINVAL, XML_ErrorString(XML_GetErrorCode(p)));
    XML_ParserFree(p);
    buf_free(&ps->text);
    return ps->rc;
}

/* Reads the part and parses it. A missing part is DT_ENOTFOUND (the caller decides). */
static int parse_part(xlsx *x, const char *part, void *ctx, XML_StartElementHandler start,
                      XML_EndElementHandler end, dt_err *err)
{
    parse ps = {.x = x, .part = part, .err = err, .ctx = ctx};
    char *text = NULL;
    size_t len = 0;
    int rc;

    if ((rc = read_part(x, part, &text, &len, err)))
        return rc;
    rc = run_xml(&ps, text, len, start, end);
    free(text);
    return rc;
}

/* ---- relationships: where the workbook and its sheets are */

typedef struct rels {
    const char *want_type; /* a Type ending so ("/officeDocument"), or NULL: every Id */
    const char *want_id;
    char target[PATH_MAX_LEN];
    int found;
} rels;

static void rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    parse *ps = ud;
    rels *r = ps->ctx;
    const char *type = attr(atts, "Type"), *id = attr(atts, "Id"), *target = attr(atts, "Target");
    size_t tl;

    if (strcmp(local(name), "Relationship") != 0 || r->found || !target)
        return;
    if (r->want_type && (!type || (tl = strlen(type)) < strlen(r->want_type) ||
                         strcmp(type + tl - strlen(r->want_type), r->want_type) != 0))
        return;
    if (r->want_id && (!id || strcmp(id, r->want_id) != 0))
        return;
    snprintf(r->target, sizeof(r->target), "%s", target);
    r->found = 1;
}

static void ignore_end(void *ud, const XML_Char *name)
{
    (void)ud, (void)name;
}

/* A relationship's target as a path in the zip: relative to base's folder, or from the root. */
static void resolve(const char *base, const char *target, char *out, size_t size)
{
    const char *slash = strrchr(base, '/');

    if (target[0] == '/')
        snprintf(out, size, "%s", target + 1);
    else if (slash)
        snprintf(out, size, "%.*s/%s", (int)(slash - base), base, target);
    else
        snprintf(out, size, "%s", target);
}

/* ---- the workbook: its sheets */

typedef struct wb {
    char rels_part[2 * PATH_MAX_LEN + 16];
    char part[PATH_MAX_LEN];
} wb;

static void workbook_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    parse *ps = ud;
    xlsx *x = ps->x;
    wb *w = ps->ctx;
    const char *sname = attr(atts, "name"), *id = attr(atts, "id");
    rels r = {.want_id = id};
    dt_err sub;

    if (strcmp(local(name), "sheet") != 0)
        return;
    if (!sname || !id) {
        fail(ps, DT_EINVAL, "a sheet without a name or a relationship");
        return;
    }
    if (x->nsheets == XLSX_SHEETS_MAX) {
        fail(ps, DT_EINVAL, "more than 256 sheets");
        return;
    }
    if (parse_part(x, w->rels_part, &r, rels_start, ignore_end, &sub) || !r.found) {
        fail(ps, DT_EINVAL, "a sheet whose part the workbook does not say");
        return;
    }
    char path[PATH_MAX_LEN];
    resolve(w->part, r.target, path, sizeof(path));
    sheet *s = &x->sheets[x->nsheets];
    if (!(s->name = strdup(sname)) || !(s->path = strdup(path))) {
        fail(ps, DT_ENOMEM, "out of memory");
        return;
    }
    x->nsheets++;
}

/* ---- shared strings */

typedef struct sst {
    long cap;
    int in_si, in_rph; /* inside a string; inside its phonetic reading (not its text) */
} sst;

static void sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    parse *ps = ud;
    sst *t = ps->ctx;
    const char *n = local(name);

    (void)atts;
    if (!strcmp(n, "si")) {
        t->in_si = 1;
        buf_reset(&ps->text);
    } else if (!strcmp(n, "rPh"))
        t->in_rph = 1;
    else if (!strcmp(n, "t") && t->in_si && !t->in_rph)
        ps->collect++;
}

static void sst_end(void *ud, const XML_Char *name)
{
    parse *ps = ud;
    sst *t = ps->ctx;
    xlsx *x = ps->x;
    const char *n = local(name);

    if (!strcmp(n, "rPh"))
        t->in_rph = 0;
    else if (!strcmp(n, "t") && ps->collect > 0)
        ps->collect--;
    else if (!strcmp(n, "si")) {
        t->in_si = 0;
        if (x->nstrings == XLSX_CELLS_MAX) {
            fail(ps, DT_EINVAL, "more shared strings than a questionnaire has cells");
            return;
        }
        if (x->nstrings == t->cap) {
            long cap = t->cap ? t->cap * 2 : 256;
            size_t *more = realloc(x->start, (size_t)cap * sizeof(*more));
            if (!more) {
                fail(ps, DT_ENOMEM, "out of memory");
                return;
            }
            x->start = more;
            t->cap = cap;
        }
        x->start[x->nstrings] = x->pool.len;
        if (buf_append(&x->pool, ps->text.data ? ps->text.data : "", ps->text.len + 1)) {
            fail(ps, DT_ENOMEM, "out of memory");
            return;
        }
        x->nstrings++;
        buf_reset(&ps->text);
    }
}

/* ---- styles: which cell styles show a date */

typedef struct fmt {
    long id;
    int is_date;
    struct fmt *next;
} fmt;

typedef struct styles {
    fmt *custom;
    int in_xfs;
    long cap;
} styles;

/* A custom number format shows a date or time when, outside quoted text, brackets ([Red],
 * [h] counts) and escaped characters, it has y, m, d, h or s. */
static int code_is_date(const char *code)
{
    for (const char *p = code; *p; p++) {
        if (*p == '"') {
            while (p[1] && p[1] != '"')
                p++;
            if (p[1])
                p++;
        } else if (*p == '\\' && p[1])
            p++;
        else if (*p == '[') {
            if (strchr("hHmMsS", p[1]))
                return 1; /* elapsed time: [h]:mm */
            while (p[1] && p[1] != ']')
                p++;
        } else if (strchr("yYmMdDhHsS", *p))
            return 1;
    }
    return 0;
}

/* Excel's own number formats that are dates or times (ECMA-376 18.8.30). */
static int builtin_is_date(long id)
{
    return (id >= 14 && id <= 22) || (id >= 45 && id <= 47) || (id >= 27 && id <= 36) ||
           (id >= 50 && id <= 58);
}

static void styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    parse *ps = ud;
    styles *st = ps->ctx;
    xlsx *x = ps->x;
    const char *n = local(name), *id_text = attr(atts, "numFmtId");
    long id = id_text ? strtol(id_text, NULL, 10) : 0;

    if (!strcmp(n, "numFmt")) {
        const char *code = attr(atts, "formatCode");
        fmt *f = malloc(sizeof(*f));
        if (!f) {
            fail(ps, DT_ENOMEM, "out of memory");
            return;
        }
        f->id = id;
        f->is_date = code && code_is_date(code);
        f->next = st->custom;
        st->custom = f;
    } else if (!strcmp(n, "cellXfs"))
        st->in_xfs = 1;
    else if (!strcmp(n, "xf") && st->in_xfs) {
        int is_date = builtin_is_date(id);
        for (fmt *f = st->custom; f; f = f->next)
            if (f->id == id)
                is_date = f->is_date;
        if (x->nxf == 65536) {
            fail(ps, DT_EINVAL, "more than 65,536 cell styles");
            return;
        }
        if (x->nxf == st->cap) {
            long cap = st->cap ? st->cap * 2 : 64;
            unsigned char *more = realloc(x->xf_date, (size_t)cap);
            if (!more) {
                fail(ps, DT_ENOMEM, "out of memory");
                return;
            }
            x->xf_date = more;
            st->cap = cap;
        }
        x->xf_date[x->nxf++] = (unsigned char)is_date;
    }
}

static void styles_end(void *ud, const XML_Char *name)
{
    parse *ps = ud;
    styles *st = ps->ctx;

    if (!strcmp(local(name), "cellXfs"))
        st->in_xfs = 0;
}

/* ---- opening */

/* The workbook's part from the package's relationships (xl/workbook.xml when unsaid). */
static int find_workbook(xlsx *x, wb *w, dt_err *err)
{
    rels r = {.want_type = "/officeDocument"};
    int rc = parse_part(x, "_rels/.rels", &r, rels_start, ignore_end, err);

    if (rc && rc != DT_ENOTFOUND)
        return rc;
    resolve("", r.found ? r.target : "xl/workbook.xml", w->part, sizeof(w->part));
    const char *slash = strrchr(w->part, '/');
    snprintf(w->rels_part, sizeof(w->rels_part), "%.*s_rels/%s.rels",
             slash ? (int)(slash - w->part + 1) : 0, w->part, slash ? slash + 1 : w->part);
    return DT_OK;
}

/* Reads the workbook, strings and styles once the zip is open. */
static int load(xlsx *x, dt_err *err)
{
    wb w;
    sst t = {0};
    styles st = {0};
    char part[PATH_MAX_LEN];
    int rc;

    if ((rc = find_workbook(x, &w, err)))
        return rc;
    if ((rc = parse_part(x, w.part, &w, workbook_start, ignore_end, err)))
        return rc == DT_ENOTFOUND
                   ? err_set(err, DT_EINVAL, "%s: a zip, but not an Excel workbook (no %s)",
                             x->name, w.part)
                   : rc;
    if (x->nsheets == 0)
        return err_set(err, DT_EINVAL, "%s: the workbook has no sheet", x->name);
    resolve(w.part, "sharedStrings.xml", part, sizeof(part));
    if ((rc = parse_part(x, part, &t, sst_start, sst_end, err)) && rc != DT_ENOTFOUND)
        return rc;
    resolve(w.part, "styles.xml", part, sizeof(part));
    rc = parse_part(x, part, &st, styles_start, styles_end, err);
    while (st.custom) {
        fmt *next = st.custom->next;
        free(st.custom);
        st.custom = next;
    }
    return rc == DT_ENOTFOUND ? DT_OK : rc;
}

static int open_source(xlsx **out, zip_source_t *src, const char *name, zip_error_t *ze,
                       dt_err *err)
{
    xlsx *x = calloc(1, sizeof(*x));
    int rc;

    *out = NULL;
    if (x)
        buf_init(&x->pool, XLSX_PART_MAX); /* no bigger than the part it comes from */
    if (!x || !(x->name = strdup(name))) {
        free(x);
        zip_source_free(src);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    if (!(x->zip = zip_open_from_source(src, ZIP_RDONLY, ze))) {
        rc = zip_error(x, ze, err);
        zip_source_free(src);
        xlsx_close(x);
        return rc;
    }
    if ((rc = load(x, err))) {
        xlsx_close(x);
        return rc;
    }
    *out = x;
    return DT_OK;
}

int xlsx_open(xlsx **out, const char *path, dt_err *err)
{
    zip_error_t ze;
    zip_source_t *src;
    FILE *f = fopen(path, "rb");

    *out = NULL;
    if (!f)
        return err_set(err, DT_EIO, "%s: cannot be read", path);
    fclose(f);
    zip_error_init(&ze);
    if (!(src = zip_source_file_create(path, 0, -1, &ze))) {
        int rc = err_set(err, DT_EIO, "%s: %s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return rc;
    }
    int rc = open_source(out, src, path, &ze, err);
    zip_error_fini(&ze);
    return rc;
}

int xlsx_open_buffer(xlsx **out, const void *data, size_t len, const char *name, dt_err *err)
{
    zip_error_t ze;
    zip_source_t *src;
    void *copy;

    *out = NULL;
    if (len == 0) /* libzip keeps no empty buffer of its own: said here */
        return err_set(err, DT_EINVAL, "%s: an empty file, not an Excel workbook", name);
    if (!(copy = malloc(len)))
        return err_set(err, DT_ENOMEM, "out of memory");
    memcpy(copy, data, len);
    zip_error_init(&ze);
    /* freep 1: the source frees the copy */
    if (!(src = zip_source_buffer_create(copy, len, 1, &ze))) {
        free(copy);
        zip_error_fini(&ze);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    int rc = open_source(out, src, name, &ze, err);
    zip_error_fini(&ze);
    return rc;
}

void xlsx_close(xlsx *x)
{
    if (!x)
        return;
    if (x->zip)
        zip_discard(x->zip);
    for (int i = 0; i < x->nsheets; i++) {
        free(x->sheets[i].name);
        free(x->sheets[i].path);
    }
    buf_free(&x->pool);
    free(x->start);
    free(x->xf_date);
    free(x->name);
    free(x);
}

int xlsx_sheet_count(const xlsx *x)
{
    return x->nsheets;
}

const char *xlsx_sheet_name(const xlsx *x, int i)
{
    return i >= 0 && i < x->nsheets ? x->sheets[i].name : NULL;
}

int xlsx_sheet_find(const xlsx *x, const char *name)
{
    for (int i = 0; i < x->nsheets; i++)
        if (!strcasecmp(x->sheets[i].name, name))
            return i;
    return -1;
}

int xlsx_ref_parse(const char *ref, long *row, int *col)
{
    long c = 0, r = 0;
    const char *p = ref;

    for (; isupper((unsigned char)*p) || islower((unsigned char)*p); p++) {
        c = c * 26 + (toupper((unsigned char)*p) - 'A' + 1);
        if (c > 16384) /* XFD, Excel's last column */
            return -1;
    }
    if (p == ref || !isdigit((unsigned char)*p))
        return -1;
    for (; isdigit((unsigned char)*p); p++) {
        r = r * 10 + (*p - '0');
        if (r > 1048576) /* Excel's last row */
            return -1;
    }
    if (*p || r == 0)
        return -1;
    *row = r;
    *col = (int)c;
    return 0;
}

/* ---- a sheet's cells */

/* A cell's t attribute. */
typedef enum cell_type { T_NUMBER, T_SHARED, T_STR, T_INLINE, T_BOOL, T_ERROR } cell_type;

static cell_type type_of(const char *t)
{
    static const struct {
        const char *name;
        cell_type type;
    } types[] = {
        {"s", T_SHARED}, {"str", T_STR}, {"inlineStr", T_INLINE}, {"b", T_BOOL}, {"e", T_ERROR}};

    for (size_t i = 0; t && i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcmp(t, types[i].name))
            return types[i].type;
    return T_NUMBER; /* "n", and no t at all */
}

typedef struct cells {
    int (*fn)(void *, const xlsx_cell *);
    void *ctx;
    long row, ncells;
    int col;
    cell_type type;
    long style;
    int in_c, in_v, in_is, in_f, has_v, has_f;
    buf v, f; /* the value's and the formula's text */
} cells;

static void cells_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    parse *ps = ud;
    cells *cs = ps->ctx;
    const char *n = local(name);

    if (!strcmp(n, "row")) {
        const char *r = attr(atts, "r");
        long num = r ? strtol(r, NULL, 10) : cs->row + 1;
        if (num <= cs->row || num > 1048576) {
            fail(ps, DT_EINVAL, "rows out of order");
            return;
        }
        cs->row = num;
        cs->col = 0;
    } else if (!strcmp(n, "c")) {
        const char *ref = NULL, *t = NULL, *s = NULL;
        long row;
        for (int i = 0; atts[i]; i += 2) { /* one pass: a sheet has a cell for every answer */
            const char *a = local(atts[i]);
            if (a[0] && !a[1]) {
                if (a[0] == 'r')
                    ref = atts[i + 1];
                else if (a[0] == 't')
                    t = atts[i + 1];
                else if (a[0] == 's')
                    s = atts[i + 1];
            }
        }
        int col;
        if (ref) {
            if (xlsx_ref_parse(ref, &row, &col) || row != cs->row || col <= cs->col) {
                fail(ps, DT_EINVAL, "a cell reference out of place");
                return;
            }
        } else
            col = cs->col + 1; /* writers may leave the reference out */
        cs->col = col;
        cs->type = type_of(t);
        cs->style = s ? strtol(s, NULL, 10) : 0;
        cs->in_c = 1;
        cs->has_v = cs->has_f = 0;
        buf_reset(&cs->v);
        buf_reset(&cs->f);
        buf_reset(&ps->text);
    } else if (!strcmp(n, "mergeCell")) {
        const char *ref = attr(atts, "ref");
        char first[16];
        xlsx_cell c = {.kind = XLSX_MERGED, .text = ref ? ref : ""};
        int rc;
        snprintf(first, sizeof(first), "%.*s", (int)strcspn(c.text, ":"), c.text);
        if (xlsx_ref_parse(first, &c.row, &c.col)) {
            fail(ps, DT_EINVAL, "a merged range that is not one");
            return;
        }
        if ((rc = cs->fn(cs->ctx, &c)))
            stop(ps, rc);
    } else if (cs->in_c && !strcmp(n, "v")) {
        cs->in_v = cs->has_v = 1;
        buf_reset(&ps->text);
        ps->collect++;
    } else if (cs->in_c && !strcmp(n, "f")) {
        cs->in_f = cs->has_f = 1;
        buf_reset(&ps->text);
        ps->collect++;
    } else if (cs->in_c && !strcmp(n, "is")) {
        cs->in_is = 1;
        buf_reset(&ps->text);
    } else if (cs->in_is && !strcmp(n, "t"))
        ps->collect++;
}

/* Keeps what was collected into b. */
static int keep(parse *ps, buf *b)
{
    int rc = buf_append(b, ps->text.data ? ps->text.data : "", ps->text.len);
    buf_reset(&ps->text);
    return rc;
}

/* The cell just ended, as the reader's callback sees it; 0 when it holds nothing. */
static int make_cell(parse *ps, cells *cs, xlsx_cell *c)
{
    const char *v = cs->v.data ? cs->v.data : "";
    xlsx *x = ps->x;
    char *end;

    memset(c, 0, sizeof(*c));
    c->row = cs->row;
    c->col = cs->col;
    c->text = v;
    if (cs->type == T_INLINE) {
        c->kind = XLSX_STRING;
        return 1;
    }
    if (!cs->has_v || (!*v && cs->type != T_STR)) {
        if (!cs->has_f)
            return 0;
        c->kind = XLSX_NO_VALUE;
        c->text = cs->f.data ? cs->f.data : "";
        return 1;
    }
    if (cs->type == T_SHARED) {
        long i = strtol(v, &end, 10);
        if (*end || i < 0 || i >= x->nstrings) {
            fail(ps, DT_EINVAL, "a cell points at a shared string that is not there");
            return -1;
        }
        c->kind = XLSX_STRING;
        c->text = x->pool.data + x->start[i];
    } else if (cs->type == T_STR)
        c->kind = XLSX_STRING;
    else if (cs->type == T_ERROR)
        c->kind = XLSX_ERROR;
    else if (cs->type == T_BOOL) {
        c->kind = XLSX_BOOL;
        c->num = strcmp(v, "0") != 0;
    } else {
        c->kind = XLSX_NUMBER;
        c->num = strtod(v, &end);
        if (*end || end == v) {
            fail(ps, DT_EINVAL, "a number cell holds something else");
            return -1;
        }
        c->is_date = cs->style >= 0 && cs->style < x->nxf && x->xf_date[cs->style];
    }
    return 1;
}

static void cells_end(void *ud, const XML_Char *name)
{
    parse *ps = ud;
    cells *cs = ps->ctx;
    const char *n = local(name);
    xlsx_cell c;
    int made, rc;

    if (cs->in_v && !strcmp(n, "v")) {
        cs->in_v = 0;
        ps->collect--;
        if (keep(ps, &cs->v))
            fail(ps, DT_EINVAL, "a value longer than 1 MiB");
    } else if (cs->in_f && !strcmp(n, "f")) {
        cs->in_f = 0;
        ps->collect--;
        if (keep(ps, &cs->f))
            fail(ps, DT_EINVAL, "a formula longer than 1 MiB");
    } else if (cs->in_is && !strcmp(n, "t"))
        ps->collect--;
    else if (cs->in_is && !strcmp(n, "is")) {
        cs->in_is = 0;
        if (keep(ps, &cs->v))
            fail(ps, DT_EINVAL, "a text longer than 1 MiB");
    } else if (cs->in_c && !strcmp(n, "c")) {
        cs->in_c = 0;
        if (ps->rc || (made = make_cell(ps, cs, &c)) <= 0)
            return;
        if (++cs->ncells > XLSX_CELLS_MAX) {
            fail(ps, DT_EINVAL, "more than 2,000,000 cells: not a questionnaire");
            return;
        }
        if ((rc = cs->fn(cs->ctx, &c)))
            stop(ps, rc);
    }
}

int xlsx_sheet_read(xlsx *x, int i, int (*fn)(void *ctx, const xlsx_cell *c), void *ctx,
                    dt_err *err)
{
    cells cs = {.fn = fn, .ctx = ctx};
    int rc;

    if (i < 0 || i >= x->nsheets)
        return err_set(err, DT_EINVAL, "%s: no sheet %d", x->name, i);
    err_clear(err);
    buf_init(&cs.v, TEXT_MAX);
    buf_init(&cs.f, TEXT_MAX);
    rc = parse_part(x, x->sheets[i].path, &cs, cells_start, cells_end, err);
    if (rc == DT_ENOTFOUND)
        rc = err_set(err, DT_EINVAL, "%s: sheet \"%s\" has no part %s in the zip", x->name,
                     x->sheets[i].name, x->sheets[i].path);
    buf_free(&cs.v);
    buf_free(&cs.f);
    return rc;
}
