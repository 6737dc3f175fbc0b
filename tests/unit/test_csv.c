/* test_csv.c - the CSV reader (sample frames, assignment lists) and the field writer */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"

#define LEN(a)   (sizeof(a) / sizeof((a)[0]))
#define MANY     1000000 /* a line cap that no test reaches */
#define BOM      "\xEF\xBB\xBF"
#define DUMP_MAX (4u << 20)

static char tmp_dir[4096];

/* ---- helpers */

/* Appends the header and every record of an open reader to out, one line
 * each: "1: [a][b]". Returns what the last csv_next returned. */
static int dump_reader(csv_reader *r, buf *out, dt_err *err)
{
    const char *const *f;
    int n, rc;

    n = csv_header(r, &f);
    assert_int_equal(csv_line(r), 1);
    assert_int_equal(buf_puts(out, "1:"), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(buf_printf(out, " [%s]", f[i]), 0);
    assert_int_equal(buf_puts(out, "\n"), 0);
    while ((rc = csv_next(r, &f, &n, err)) == 1) {
        assert_int_equal(buf_printf(out, "%d:", csv_line(r)), 0);
        for (int i = 0; i < n; i++)
            assert_int_equal(buf_printf(out, " [%s]", f[i]), 0);
        assert_int_equal(buf_puts(out, "\n"), 0);
    }
    if (rc == 0)
        assert_int_equal(csv_next(r, &f, &n, err), 0); /* the end stays the end */
    else
        assert_null(f);
    return rc;
}

/* Reads data[0..len) named "t.csv"; *out is the dump (free()). Returns 0 or
 * the first error, with err set. */
static int read_mem_n(const char *data, size_t len, int max_lines, char **out, dt_err *err)
{
    csv_reader *r = NULL;
    buf b;
    int rc;

    buf_init(&b, DUMP_MAX);
    err_clear(err);
    rc = csv_open_mem(&r, "t.csv", data, len, max_lines, err);
    if (rc != DT_OK)
        assert_null(r);
    else
        rc = dump_reader(r, &b, err);
    csv_close(r);
    *out = buf_detach(&b);
    assert_non_null(*out);
    return rc;
}

static int read_mem(const char *data, int max_lines, char **out, dt_err *err)
{
    return read_mem_n(data, strlen(data), max_lines, out, err);
}

/* data reads without error and dumps as want. */
static void expect_dump_n(const char *data, size_t len, const char *want)
{
    dt_err err;
    char *got = NULL;
    int rc = read_mem_n(data, len, MANY, &got, &err);

    if (rc != 0)
        fail_msg("unexpected error: %s", err.msg);
    assert_string_equal(got, want);
    free(got);
}

static void expect_dump(const char *data, const char *want)
{
    expect_dump_n(data, strlen(data), want);
}

/* data fails with code and exactly the message msg. */
static void expect_error_n(const char *data, size_t len, int max_lines, int code, const char *msg)
{
    dt_err err;
    char *got = NULL;
    int rc = read_mem_n(data, len, max_lines, &got, &err);

    if (rc == 0)
        fail_msg("no error; read:\n%s", got);
    assert_string_equal(err.msg, msg);
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    free(got);
}

static void expect_error(const char *data, const char *msg)
{
    expect_error_n(data, strlen(data), MANY, DT_EINVAL, msg);
}

static void tmp_path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmp_dir, name);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Reads the file at path; *out is the dump (free()). */
static int read_file_dump(const char *path, int max_lines, char **out, dt_err *err)
{
    csv_reader *r = NULL;
    buf b;
    int rc;

    buf_init(&b, DUMP_MAX);
    err_clear(err);
    rc = csv_open(&r, path, max_lines, err);
    if (rc == DT_OK)
        rc = dump_reader(r, &b, err);
    csv_close(r);
    *out = buf_detach(&b);
    assert_non_null(*out);
    return rc;
}

/* "h1,h2,...,hn\n" followed by one record of n fields "v1,...,vn\n". */
static char *columns(int nh, int nv)
{
    buf b;

    buf_init(&b, 1 << 20);
    for (int i = 0; i < nh; i++)
        assert_int_equal(buf_printf(&b, "%sh%d", i ? "," : "", i + 1), 0);
    assert_int_equal(buf_puts(&b, "\n"), 0);
    for (int i = 0; i < nv; i++)
        assert_int_equal(buf_printf(&b, "%sv%d", i ? "," : "", i + 1), 0);
    assert_int_equal(buf_puts(&b, "\n"), 0);
    return buf_detach(&b);
}

/* ---- the reader: records, quoting, line ends */

static void test_csv__header_and_records_are_read_in_order(void **state)
{
    (void)state;
    expect_dump("hh_key,district,village\n"
                "SL-001-0001,Thuan Chau,Ban Le\n"
                "SL-001-0002,Thuan Chau,Ban Nong\n",
                "1: [hh_key] [district] [village]\n"
                "2: [SL-001-0001] [Thuan Chau] [Ban Le]\n"
                "3: [SL-001-0002] [Thuan Chau] [Ban Nong]\n");
}

static void test_csv__a_sample_frame_is_read_by_column_name(void **state)
{
    static const char frame[] = BOM
        "hh_key,enumerator,weight,stratum,psu,district,commune_code,commune_name,village,hh_no\r\n"
        "SL-116-0001,enum07,153.25,urban,PSU-0412,Thuận Châu,04108,Chiềng Pấc,Bản Lè,1\r\n"
        "SL-116-0002,enum07,153.25,urban,PSU-0412,Thuận Châu,04108,Chiềng Pấc,\"Bản Lè, xóm "
        "2\",2\r\n";
    csv_reader *r = NULL;
    const char *const *h, *const *f;
    dt_err err;
    int nh, n;

    (void)state;
    assert_int_equal(csv_open_mem(&r, "frame.csv", frame, strlen(frame), 100, &err), 0);
    nh = csv_header(r, &h);
    assert_int_equal(nh, 10);
    assert_int_equal(csv_column(h, nh, "hh_key"), 0);
    assert_int_equal(csv_column(h, nh, "weight"), 2);
    assert_int_equal(csv_column(h, nh, "hh_no"), 9);
    assert_int_equal(csv_next(r, &f, &n, &err), 1);
    assert_int_equal(n, 10);
    assert_int_equal(csv_line(r), 2);
    assert_string_equal(f[csv_column(h, nh, "commune_name")], "Chiềng Pấc");
    assert_int_equal(csv_next(r, &f, &n, &err), 1);
    assert_int_equal(csv_line(r), 3);
    assert_string_equal(f[csv_column(h, nh, "village")], "Bản Lè, xóm 2");
    assert_string_equal(f[csv_column(h, nh, "hh_no")], "2");
    assert_int_equal(csv_next(r, &f, &n, &err), 0);
    csv_close(r);
}

static void test_csv__quoted_field_keeps_embedded_comma_and_doubled_quote(void **state)
{
    (void)state;
    expect_dump("name,note\n"
                "\"Lò Văn, Minh\",\"said \"\"no\"\" twice\"\n"
                "\"\"\"\",\"\"\n",
                "1: [name] [note]\n"
                "2: [Lò Văn, Minh] [said \"no\" twice]\n"
                "3: [\"] []\n");
}

static void test_csv__quoted_field_keeps_embedded_newline(void **state)
{
    (void)state;
    expect_dump("id,address\n"
                "1,\"Bản Lè\nxã Chiềng Pấc\"\n"
                "2,\"three\n\nlines\"\n"
                "3,one\n",
                "1: [id] [address]\n"
                "2: [1] [Bản Lè\nxã Chiềng Pấc]\n"
                "4: [2] [three\n\nlines]\n"
                "7: [3] [one]\n");
}

static void test_csv__crlf_line_ends_are_accepted_and_kept_inside_quotes(void **state)
{
    (void)state;
    expect_dump("a,b\r\n"
                "1,2\r\n"
                "\"x\r\ny\",3\r\n"
                "4,5\n" /* both kinds in one file */
                "6,7\r\n",
                "1: [a] [b]\n"
                "2: [1] [2]\n"
                "3: [x\r\ny] [3]\n"
                "5: [4] [5]\n"
                "6: [6] [7]\n");
}

static void test_csv__a_carriage_return_alone_is_kept_only_inside_quotes(void **state)
{
    (void)state;
    expect_dump("a\n\"x\ry\"\n", "1: [a]\n2: [x\ry]\n");
    expect_error("a,b\r1,2\r", "t.csv: line 1: a carriage return (CR) that does not end a line; "
                               "save the file with CRLF or LF line ends");
    expect_error("a,b\n1,2\r", "t.csv: line 2: a carriage return (CR) that does not end a line; "
                               "save the file with CRLF or LF line ends");
}

static void test_csv__last_line_without_newline_is_read(void **state)
{
    (void)state;
    expect_dump("a,b\n1,2", "1: [a] [b]\n2: [1] [2]\n");
    expect_dump("a,b\r\n1,\"2\"", "1: [a] [b]\n2: [1] [2]\n");
    expect_dump("a,b\n1,", "1: [a] [b]\n2: [1] []\n");
}

static void test_csv__a_header_without_records_gives_no_records(void **state)
{
    (void)state;
    expect_dump("a,b", "1: [a] [b]\n");
    expect_dump("a,b\r\n", "1: [a] [b]\n");
    expect_dump("a,b\n\n\n", "1: [a] [b]\n");
}

static void test_csv__empty_fields_are_empty_strings(void **state)
{
    (void)state;
    expect_dump("a,b,c\n,,x\n1,,\n\"\",\"\",\"\"\n",
                "1: [a] [b] [c]\n2: [] [] [x]\n3: [1] [] []\n4: [] [] []\n");
}

static void test_csv__spaces_around_fields_are_kept(void **state)
{
    (void)state;
    expect_dump("a,b\n  1 , two \n", "1: [a] [b]\n2: [  1 ] [ two ]\n");
}

static void test_csv__a_quote_inside_an_unquoted_field_is_kept_as_it_is(void **state)
{
    (void)state;
    expect_dump("size,note\n12\" screen,say \"hi\"\n1, \"x\"\n",
                "1: [size] [note]\n2: [12\" screen] [say \"hi\"]\n3: [1] [ \"x\"]\n");
}

static void test_csv__text_after_a_closing_quote_is_an_error_naming_the_line(void **state)
{
    (void)state;
    expect_error("a,b\n1,2\n\"ab\"c,d\n",
                 "t.csv: line 3: field 1 (a) has text after its closing quote (a quote inside a "
                 "quoted field is written twice: \"\")");
    expect_error("a,b\n1,\"x\ny\" \n",
                 "t.csv: line 3: field 2 (b) has text after its closing quote (a quote inside a "
                 "quoted field is written twice: \"\")");
}

static void test_csv__a_quote_never_closed_is_reported_at_the_line_it_opens(void **state)
{
    (void)state;
    expect_error("a,b\n1,2\n3,\"Bản Lè\n4,5\n6,7\n",
                 "t.csv: line 3: field 2 (b) opens a quote that is never closed");
    expect_error("a\n\"", "t.csv: line 2: field 1 (a) opens a quote that is never closed");
}

/* ---- BOM and UTF-8 */

static void test_csv__utf8_bom_at_the_start_is_skipped(void **state)
{
    csv_reader *r = NULL;
    const char *const *h;
    dt_err err;
    const char *data = BOM "hh_key,district\n1,Sông Mã\n";

    (void)state;
    assert_int_equal(csv_open_mem(&r, "t.csv", data, strlen(data), MANY, &err), 0);
    assert_int_equal(csv_header(r, &h), 2);
    assert_string_equal(h[0], "hh_key");
    assert_int_equal(csv_column(h, 2, "hh_key"), 0);
    csv_close(r);
    expect_dump(BOM "a\r\n1\r\n", "1: [a]\n2: [1]\n");
    /* Only one, and only at the start: others are text (U+FEFF). */
    expect_dump(BOM BOM "a\n" BOM "1\n", "1: [" BOM "a]\n2: [" BOM "1]\n");
}

static void test_csv__vietnamese_text_is_read_unchanged(void **state)
{
    (void)state;
    /* Precomposed (NFC) and decomposed (NFD: "a" + U+0300) forms stay as written. */
    expect_dump("huyện,xã,bản\n"
                "Thuận Châu,Chiềng Pấc,Bản Lè\n"
                "Mường La,Mường Bú,\"Nà Sành, Hua Ngày\"\n"
                "Sông Mã,Nà Nghịu,Ba\xCC\x80n Ca\n",
                "1: [huyện] [xã] [bản]\n"
                "2: [Thuận Châu] [Chiềng Pấc] [Bản Lè]\n"
                "3: [Mường La] [Mường Bú] [Nà Sành, Hua Ngày]\n"
                "4: [Sông Mã] [Nà Nghịu] [Ba\xCC\x80n Ca]\n");
}

static void test_csv__invalid_utf8_is_refused_with_its_line(void **state)
{
    (void)state;
    /* "Thuận" saved as Windows-1258 rather than UTF-8 */
    expect_error("district,village\nMường La,Bản Lè\nThu\xE2n Ch\xE2u,x\n",
                 "t.csv: line 3: field 1 (district) is not valid UTF-8 (save the file as CSV "
                 "UTF-8)");
    /* in a quoted field that spans lines: the line of the bad byte */
    expect_error("id,address\n1,\"Bản Lè\nxã \xFF\"\n",
                 "t.csv: line 3: field 2 (address) is not valid UTF-8 (save the file as CSV "
                 "UTF-8)");
    /* a sequence cut short by the end of the file */
    expect_error("id\n\xE1\xBB", "t.csv: line 2: field 1 (id) is not valid UTF-8 (save the "
                                 "file as CSV UTF-8)");
    /* a surrogate, and an overlong "/" */
    expect_error("id\n\xED\xA0\x80\n", "t.csv: line 2: field 1 (id) is not valid UTF-8 (save the "
                                       "file as CSV UTF-8)");
    expect_error("id\n\xC0\xAF\n", "t.csv: line 2: field 1 (id) is not valid UTF-8 (save the "
                                   "file as CSV UTF-8)");
    /* in the header */
    expect_error("id,t\xEAn\n", "t.csv: line 1: field 2 is not valid UTF-8 (save the file as CSV "
                                "UTF-8)");
}

static void test_csv__a_utf16_file_is_refused_with_advice(void **state)
{
    static const char le[] = "\xFF\xFE"
                             "a\0,\0b\0\n\0";
    static const char be[] = "\xFE\xFF\0a\0,\0b\0\n";

    (void)state;
    expect_error_n(le, sizeof(le) - 1, MANY, DT_EINVAL,
                   "t.csv: line 1: the file is UTF-16 text; save it as CSV UTF-8");
    expect_error_n(be, sizeof(be) - 1, MANY, DT_EINVAL,
                   "t.csv: line 1: the file is UTF-16 text; save it as CSV UTF-8");
}

static void test_csv__a_nul_byte_is_refused_with_its_line(void **state)
{
    static const char data[] = "a,b\n1,x\0y\n";

    (void)state;
    expect_error_n(data, sizeof(data) - 1, MANY, DT_EINVAL,
                   "t.csv: line 2: field 2 (b) holds a NUL byte (is this a text file? save it as "
                   "CSV UTF-8)");
}

/* ---- the shape of the file */

static void test_csv__record_with_too_few_fields_names_the_line(void **state)
{
    buf b;
    char *data;

    (void)state;
    buf_init(&b, 1 << 16);
    assert_int_equal(buf_puts(&b, "hh_key,enumerator,weight,stratum,psu,district,commune_code,"
                                  "village,hh_no\n"),
                     0);
    for (int i = 2; i <= 11; i++)
        assert_int_equal(buf_printf(&b,
                                    "SL-%04d,enum07,153.25,rural,PSU-1,Mai Sơn,04114,Bản "
                                    "Hẹ,%d\n",
                                    i, i),
                         0);
    assert_int_equal(buf_puts(&b, "SL-0012,enum07,153.25,rural,PSU-1,Mai Sơn,04114,12\n"), 0);
    data = buf_detach(&b);

    dt_err err;
    csv_reader *r = NULL;
    const char *const *f;
    int n, rows = 0, rc;

    assert_int_equal(csv_open_mem(&r, "frame.csv", data, strlen(data), MANY, &err), 0);
    while ((rc = csv_next(r, &f, &n, &err)) == 1)
        rows++;
    assert_int_equal(rows, 10);
    assert_int_equal(rc, DT_EINVAL);
    assert_string_equal(err.msg, "frame.csv: line 12: expected 9 fields, found 8");
    csv_close(r);
    free(data);
}

static void test_csv__record_with_too_many_fields_names_the_line(void **state)
{
    (void)state;
    expect_error("a,b\n1,2\n1,2,\n", "t.csv: line 3: expected 2 fields, found 3");
    expect_error("a,b,c\n1\n", "t.csv: line 2: expected 3 fields, found 1");
}

static void test_csv__line_numbers_count_newlines_inside_quotes(void **state)
{
    (void)state;
    expect_error("id,address\n1,\"a\nb\nc\"\n2,\"d\r\ne\"\n3\n",
                 "t.csv: line 7: expected 2 fields, found 1");
}

static void test_csv__blank_rows_at_the_end_are_ignored(void **state)
{
    (void)state;
    expect_dump("a,b\n1,2\n\n\n", "1: [a] [b]\n2: [1] [2]\n");
    expect_dump("a,b\r\n1,2\r\n\r\n\r\n", "1: [a] [b]\n2: [1] [2]\n");
    /* what a spreadsheet writes for rows it once formatted: commas only */
    expect_dump("a,b,c\n1,2,3\n,,\n,,\n,\n  , \t\n", "1: [a] [b] [c]\n2: [1] [2] [3]\n");
}

static void test_csv__a_blank_row_before_the_end_is_an_error_naming_it(void **state)
{
    (void)state;
    expect_error("a,b\n1,2\n\n\n3,4\n",
                 "t.csv: line 3: blank row before the end of the data (delete it)");
    expect_error("a,b\n1,2\n,\n3,4\n",
                 "t.csv: line 3: blank row before the end of the data (delete it)");
    /* a quoted empty field is data, not a blank row */
    expect_dump("a,b\n\"\",\n3,4\n", "1: [a] [b]\n2: [] []\n3: [3] [4]\n");
}

static void test_csv__an_empty_file_is_refused(void **state)
{
    (void)state;
    expect_error("", "t.csv: the file is empty; expected a header row");
    expect_error(BOM, "t.csv: the file is empty; expected a header row");
    expect_error_n(NULL, 0, MANY, DT_EINVAL, "t.csv: the file is empty; expected a header row");
}

static void test_csv__a_blank_header_row_is_refused(void **state)
{
    (void)state;
    expect_error("\n1,2\n", "t.csv: line 1: the header row is blank");
    expect_error(",,\r\n1,2,3\r\n", "t.csv: line 1: the header row is blank");
}

static void test_csv__a_column_named_twice_is_refused(void **state)
{
    (void)state;
    expect_error("hh_key,village, hh_key\n",
                 "t.csv: line 1: column 'hh_key' appears twice (columns 1 and 3)");
    /* unnamed columns (a spreadsheet's stray cells) may repeat */
    expect_dump("a,,\n1,2,3\n", "1: [a] [] []\n2: [1] [2] [3]\n");
}

/* ---- caps */

static void test_csv__a_field_of_64_kib_is_read_and_one_byte_more_is_refused(void **state)
{
    size_t big = CSV_MAX_FIELD + 1;
    char *data = malloc(big + 64);
    char *got = NULL;
    dt_err err;

    (void)state;
    assert_non_null(data);
    /* exactly the cap, unquoted */
    memcpy(data, "a,b\n1,", 6);
    memset(data + 6, 'x', CSV_MAX_FIELD);
    memcpy(data + 6 + CSV_MAX_FIELD, "\n", 2);
    assert_int_equal(read_mem(data, MANY, &got, &err), 0);
    assert_int_equal(strlen(got), strlen("1: [a] [b]\n2: [1] []\n") + CSV_MAX_FIELD);
    free(got);

    /* exactly the cap, quoted with doubled quotes counted once */
    memcpy(data, "a,b\n1,\"\"\"", 9);
    memset(data + 9, 'x', CSV_MAX_FIELD - 1);
    memcpy(data + 9 + CSV_MAX_FIELD - 1, "\"\n", 3);
    assert_int_equal(read_mem(data, MANY, &got, &err), 0);
    free(got);

    /* one more */
    memcpy(data, "a,b\n1,", 6);
    memset(data + 6, 'x', big);
    memcpy(data + 6 + big, "\n", 2);
    expect_error(data, "t.csv: line 2: field 2 (b) is longer than 65536 bytes");

    /* a missing closing quote swallows the rest of the file */
    memcpy(data, "a,b\n\"1", 6);
    for (size_t i = 6; i < big + 6; i++)
        data[i] = i % 80 ? 'y' : '\n';
    data[big + 6] = '\0';
    expect_error(data, "t.csv: line 2: field 1 (a) is longer than 65536 bytes (is a closing quote "
                       "missing?)");
    free(data);
}

static void test_csv__256_columns_are_read_and_257_refused(void **state)
{
    char *data, *got = NULL;
    dt_err err;

    (void)state;
    data = columns(CSV_MAX_COLUMNS, CSV_MAX_COLUMNS);
    assert_int_equal(read_mem(data, MANY, &got, &err), 0);
    assert_non_null(strstr(got, "[h256]\n2: [v1]"));
    assert_non_null(strstr(got, "[v256]\n"));
    free(got);
    free(data);

    data = columns(CSV_MAX_COLUMNS + 1, 1);
    expect_error(data, "t.csv: line 1: more than 256 columns");
    free(data);

    data = columns(CSV_MAX_COLUMNS, CSV_MAX_COLUMNS + 1);
    expect_error(data, "t.csv: line 2: expected 256 fields, found more than 256");
    free(data);
}

static void test_csv__the_line_cap_counts_the_header_and_every_line(void **state)
{
    char *got = NULL;
    dt_err err;

    (void)state;
    assert_int_equal(read_mem("h\n1\n2\n", 3, &got, &err), 0);
    free(got);
    assert_int_equal(read_mem("h\n1\n2", 3, &got, &err), 0);
    free(got);
    expect_error_n("h\n1\n2\n3\n", 9, 3, DT_EINVAL,
                   "t.csv: line 4: the file has more than 3 lines");
    expect_error_n("h\n1\n2\n\n", 8, 3, DT_EINVAL, "t.csv: line 4: the file has more than 3 lines");
    /* lines inside a quoted field count too */
    expect_error_n("h\n\"1\n2\n3\"\n", 11, 3, DT_EINVAL,
                   "t.csv: line 4: the file has more than 3 lines");
    expect_error_n("h\n", 2, 0, DT_EINVAL, "t.csv: the line limit must be positive, not 0");
}

/* ---- the reader as an object */

static void test_csv__an_error_is_returned_again_by_later_calls(void **state)
{
    const char *data = "a,b\n1\n2,3\n";
    csv_reader *r = NULL;
    const char *const *f;
    dt_err err;
    int n;

    (void)state;
    assert_int_equal(csv_open_mem(&r, "t.csv", data, strlen(data), MANY, &err), 0);
    assert_int_equal(csv_next(r, &f, &n, &err), DT_EINVAL);
    assert_string_equal(err.msg, "t.csv: line 2: expected 2 fields, found 1");
    err_clear(&err);
    assert_int_equal(csv_next(r, &f, &n, &err), DT_EINVAL);
    assert_string_equal(err.msg, "t.csv: line 2: expected 2 fields, found 1");
    assert_null(f);
    assert_int_equal(n, 0);
    assert_int_equal(csv_next(r, &f, &n, NULL), DT_EINVAL);
    csv_close(r);
    csv_close(NULL);
}

static void test_csv__csv_line_is_where_each_record_starts(void **state)
{
    const char *data = "a,b\r\n1,\"x\r\ny\"\r\n2,3\r\n";
    csv_reader *r = NULL;
    const char *const *f;
    dt_err err;
    int n;

    (void)state;
    assert_int_equal(csv_open_mem(&r, "t.csv", data, strlen(data), MANY, &err), 0);
    assert_int_equal(csv_line(r), 1);
    assert_int_equal(csv_next(r, &f, &n, &err), 1);
    assert_int_equal(csv_line(r), 2);
    assert_int_equal(csv_next(r, &f, &n, &err), 1);
    assert_int_equal(csv_line(r), 4);
    assert_string_equal(f[0], "2");
    assert_int_equal(csv_next(r, &f, &n, &err), 0);
    csv_close(r);
}

static void test_csv__column_lookup_trims_spaces_and_is_otherwise_exact(void **state)
{
    static const char *const h[] = {"hh_key", " district ", "\tvillage", "Weight", ""};

    (void)state;
    assert_int_equal(csv_column(h, 5, "hh_key"), 0);
    assert_int_equal(csv_column(h, 5, "district"), 1);
    assert_int_equal(csv_column(h, 5, " village "), 2);
    assert_int_equal(csv_column(h, 5, "weight"), -1);
    assert_int_equal(csv_column(h, 5, "hh"), -1);
    assert_int_equal(csv_column(h, 5, "hh_key_2"), -1);
    assert_int_equal(csv_column(h, 5, ""), 4);
    assert_int_equal(csv_column(h, 0, "hh_key"), -1);
    assert_int_equal(csv_column(NULL, 5, "hh_key"), -1);
    assert_int_equal(csv_column(h, 5, NULL), -1);
}

/* ---- files */

static void test_csv__a_file_is_read_like_the_same_bytes_in_memory(void **state)
{
    const char *data = BOM "id,name\r\n1,\"Lò, Văn\"\r\n2,Hà\r\n";
    char path[4200], *a = NULL, *b = NULL;
    dt_err err;

    (void)state;
    tmp_path(path, sizeof(path), "small.csv");
    write_file(path, data, strlen(data));
    assert_int_equal(read_file_dump(path, MANY, &a, &err), 0);
    assert_int_equal(read_mem(data, MANY, &b, &err), 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
    unlink(path);
}

/* The file is read 64 KiB at a time: put a doubled quote, a CRLF inside and
 * after quotes, and a multi-byte character across every nearby boundary. */
static void test_csv__records_across_read_chunk_boundaries_are_whole(void **state)
{
    static const char tail[] = "\"q\"\"uo\r\nté\",Chiềng Pấc\r\n\"x\",y\r\n";
    const size_t chunk = 65536;
    char path[4200];
    char *data = malloc(2 * chunk);

    (void)state;
    assert_non_null(data);
    tmp_path(path, sizeof(path), "chunks.csv");
    for (size_t pad = 0; pad < sizeof(tail); pad++) {
        /* header, then one record padded so that the tail starts at chunk - pad */
        size_t head = 4, fill = chunk - pad - head - 3, len = 0;
        char *a = NULL, *b = NULL;
        dt_err err;

        memcpy(data, "a,b\n", head);
        len = head;
        memset(data + len, 'p', fill);
        len += fill;
        memcpy(data + len, ",z\n", 3);
        len += 3;
        assert_int_equal(len, chunk - pad);
        memcpy(data + len, tail, sizeof(tail) - 1);
        len += sizeof(tail) - 1;

        write_file(path, data, len);
        if (read_file_dump(path, MANY, &a, &err) != 0)
            fail_msg("pad %zu: %s", pad, err.msg);
        assert_int_equal(read_mem_n(data, len, MANY, &b, &err), 0);
        assert_string_equal(a, b);
        assert_non_null(strstr(a, "\n3: [q\"uo\r\nté] [Chiềng Pấc]\n5: [x] [y]\n"));
        free(a);
        free(b);
    }
    unlink(path);
    free(data);
}

static void test_csv__errors_in_a_file_name_its_path_and_line(void **state)
{
    const char *data = "a,b\n1,2\n3\n";
    char path[4200], want[4400], *got = NULL;
    dt_err err;

    (void)state;
    tmp_path(path, sizeof(path), "bad.csv");
    write_file(path, data, strlen(data));
    assert_int_equal(read_file_dump(path, MANY, &got, &err), DT_EINVAL);
    snprintf(want, sizeof(want), "%s: line 3: expected 2 fields, found 1", path);
    assert_string_equal(err.msg, want);
    free(got);
    unlink(path);
}

static void test_csv__a_missing_file_is_an_io_error_naming_it(void **state)
{
    char path[4200], want[4400];
    csv_reader *r = (csv_reader *)&r; /* not NULL, to see it cleared */
    dt_err err;

    (void)state;
    tmp_path(path, sizeof(path), "no-such-frame.csv");
    assert_int_equal(csv_open(&r, path, MANY, &err), DT_EIO);
    assert_null(r);
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
    assert_string_equal(err.msg, want);
}

/* ---- the writer */

static void test_csv__writer_quotes_only_when_needed(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"abc", "abc"},
        {"Thuận Châu", "Thuận Châu"},
        {"in side", "in side"},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"\"", "\"\"\"\""},
        {"a\nb", "\"a\nb\""},
        {"a\rb", "\"a\rb\""},
        {" lead", "\" lead\""},
        {"trail ", "\"trail \""},
        {"\ttab", "\"\ttab\""},
        {" ", "\" \""},
        {"12\" screen", "\"12\"\" screen\""},
    };

    (void)state;
    for (size_t i = 0; i < LEN(cases); i++) {
        buf b;
        buf_init(&b, 1024);
        assert_int_equal(buf_puts(&b, "|"), 0);
        assert_int_equal(csv_write_field(&b, cases[i].in), 0);
        assert_string_equal(b.data + 1, cases[i].out);
        buf_free(&b);
    }
}

static void test_csv__writer_round_trip_gives_back_every_field(void **state)
{
    static const char *const header[] = {"hh_key", "name", "note", "village", "empty"};
    static const char *const rows[][5] = {
        {"SL-1", "Lò Văn Minh", "said \"no\"", "Bản Lè, xóm 2", ""},
        {"SL-2", " leading", "trailing ", "two\nlines", "\r\n"},
        {"SL-3", "\"", "\"\"", ",", " "},
        {"", "", "", "", ""}, /* written with one "" so that it is not a blank row */
        {"SL-5", "Ba\xCC\x80n", "x", "y", "z"},
    };
    csv_reader *r = NULL;
    const char *const *f;
    dt_err err;
    buf b;
    int n;

    (void)state;
    buf_init(&b, 1 << 16);
    assert_int_equal(csv_write_record(&b, header, 5), 0);
    for (size_t i = 0; i < LEN(rows); i++)
        assert_int_equal(csv_write_record(&b, rows[i], 5), 0);
    assert_non_null(strstr(b.data, "\r\n\"\",,,,\r\n"));

    assert_int_equal(csv_open_mem(&r, "out.csv", b.data, b.len, MANY, &err), 0);
    assert_int_equal(csv_header(r, &f), 5);
    for (int j = 0; j < 5; j++)
        assert_string_equal(f[j], header[j]);
    for (size_t i = 0; i < LEN(rows); i++) {
        if (csv_next(r, &f, &n, &err) != 1)
            fail_msg("row %zu: %s", i, err.msg);
        assert_int_equal(n, 5);
        for (int j = 0; j < 5; j++)
            assert_string_equal(f[j], rows[i][j]);
    }
    assert_int_equal(csv_next(r, &f, &n, &err), 0);
    csv_close(r);
    buf_free(&b);
}

static void test_csv__writer_stops_at_the_buffer_cap(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 8);
    assert_int_equal(csv_write_field(&b, "1234567"), 0);
    assert_int_equal(csv_write_field(&b, "a,b"), DT_EINVAL);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    buf_init(&b, 4);
    assert_int_equal(csv_write_field(&b, "\"\""), DT_EINVAL);
    assert_null(b.data);
}

/* ---- main */

static int make_tmp_dir(void **state)
{
    const char *t = getenv("TMPDIR");

    (void)state;
    snprintf(tmp_dir, sizeof(tmp_dir), "%s/test_csv.XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static int remove_tmp_dir(void **state)
{
    static const char *const files[] = {"small.csv", "chunks.csv", "bad.csv"};
    char path[4200];

    (void)state;
    for (size_t i = 0; i < LEN(files); i++) {
        tmp_path(path, sizeof(path), files[i]);
        unlink(path);
    }
    return rmdir(tmp_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv__header_and_records_are_read_in_order),
        cmocka_unit_test(test_csv__a_sample_frame_is_read_by_column_name),
        cmocka_unit_test(test_csv__quoted_field_keeps_embedded_comma_and_doubled_quote),
        cmocka_unit_test(test_csv__quoted_field_keeps_embedded_newline),
        cmocka_unit_test(test_csv__crlf_line_ends_are_accepted_and_kept_inside_quotes),
        cmocka_unit_test(test_csv__a_carriage_return_alone_is_kept_only_inside_quotes),
        cmocka_unit_test(test_csv__last_line_without_newline_is_read),
        cmocka_unit_test(test_csv__a_header_without_records_gives_no_records),
        cmocka_unit_test(test_csv__empty_fields_are_empty_strings),
        cmocka_unit_test(test_csv__spaces_around_fields_are_kept),
        cmocka_unit_test(test_csv__a_quote_inside_an_unquoted_field_is_kept_as_it_is),
        cmocka_unit_test(test_csv__text_after_a_closing_quote_is_an_error_naming_the_line),
        cmocka_unit_test(test_csv__a_quote_never_closed_is_reported_at_the_line_it_opens),
        cmocka_unit_test(test_csv__utf8_bom_at_the_start_is_skipped),
        cmocka_unit_test(test_csv__vietnamese_text_is_read_unchanged),
        cmocka_unit_test(test_csv__invalid_utf8_is_refused_with_its_line),
        cmocka_unit_test(test_csv__a_utf16_file_is_refused_with_advice),
        cmocka_unit_test(test_csv__a_nul_byte_is_refused_with_its_line),
        cmocka_unit_test(test_csv__record_with_too_few_fields_names_the_line),
        cmocka_unit_test(test_csv__record_with_too_many_fields_names_the_line),
        cmocka_unit_test(test_csv__line_numbers_count_newlines_inside_quotes),
        cmocka_unit_test(test_csv__blank_rows_at_the_end_are_ignored),
        cmocka_unit_test(test_csv__a_blank_row_before_the_end_is_an_error_naming_it),
        cmocka_unit_test(test_csv__an_empty_file_is_refused),
        cmocka_unit_test(test_csv__a_blank_header_row_is_refused),
        cmocka_unit_test(test_csv__a_column_named_twice_is_refused),
        cmocka_unit_test(test_csv__a_field_of_64_kib_is_read_and_one_byte_more_is_refused),
        cmocka_unit_test(test_csv__256_columns_are_read_and_257_refused),
        cmocka_unit_test(test_csv__the_line_cap_counts_the_header_and_every_line),
        cmocka_unit_test(test_csv__an_error_is_returned_again_by_later_calls),
        cmocka_unit_test(test_csv__csv_line_is_where_each_record_starts),
        cmocka_unit_test(test_csv__column_lookup_trims_spaces_and_is_otherwise_exact),
        cmocka_unit_test(test_csv__a_file_is_read_like_the_same_bytes_in_memory),
        cmocka_unit_test(test_csv__records_across_read_chunk_boundaries_are_whole),
        cmocka_unit_test(test_csv__errors_in_a_file_name_its_path_and_line),
        cmocka_unit_test(test_csv__a_missing_file_is_an_io_error_naming_it),
        cmocka_unit_test(test_csv__writer_quotes_only_when_needed),
        cmocka_unit_test(test_csv__writer_round_trip_gives_back_every_field),
        cmocka_unit_test(test_csv__writer_stops_at_the_buffer_cap),
    };

    return cmocka_run_group_tests_name("csv", tests, make_tmp_dir, remove_tmp_dir) ? 1 : 0;
}
