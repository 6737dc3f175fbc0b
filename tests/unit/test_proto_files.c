/* test_proto_files.c - the sync protocol's bytes at rest and in transit: gzip (bombs,
 * truncation, corruption), error bodies, and bundles carried on a USB stick */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>
#include <zlib.h>

#include "json.h"
#include "proto.h"
#include "seal.h"
#include "utf8.h"

#include "proto_fixtures.h"

/* ---- gzip */

/* Compresses total bytes made of chunk repeated, streaming, so that a bomb needs little
 * memory to make. */
static unsigned char *gzip_repeat(const void *chunk, size_t chunk_len, size_t total,
                                  size_t *out_len)
{
    z_stream z;
    size_t cap = total / 500 + 4096, left = total;
    unsigned char *out = malloc(cap);
    int zrc = Z_OK;

    assert_non_null(out);
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    do {
        size_t n = left < chunk_len ? left : chunk_len;
        left -= n;
        z.next_in = (Bytef *)(uintptr_t)chunk;
        z.avail_in = (uInt)n;
        do {
            if (z.avail_out == 0) {
                size_t used = cap;
                cap *= 2;
                out = realloc(out, cap);
                assert_non_null(out);
                z.next_out = out + used;
                z.avail_out = (uInt)(cap - used);
            }
            zrc = deflate(&z, left ? Z_NO_FLUSH : Z_FINISH);
            assert_true(zrc == Z_OK || zrc == Z_STREAM_END || zrc == Z_BUF_ERROR);
        } while (z.avail_in > 0 || (!left && zrc != Z_STREAM_END));
    } while (left);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static void roundtrip(const void *data, size_t len)
{
    char *gz = NULL, *back = NULL;
    size_t gz_len = 0, back_len = 0;
    dt_err err;

    err_clear(&err);
    assert_int_equal(proto_gzip(&gz, &gz_len, data, len, &err), DT_OK);
    assert_true(proto_is_gzip(gz, gz_len));
    if (proto_gunzip(&back, &back_len, gz, gz_len, PROTO_MAX_INFLATED, &err) != DT_OK)
        fail_msg("%zu bytes do not come back: %s", len, err.msg);
    assert_int_equal(back_len, len);
    assert_memory_equal(back, len ? data : "", len);
    assert_int_equal(back[len], '\0');
    free(gz);
    free(back);
}

static void test_proto__gzip_round_trips_empty_one_byte_and_a_megabyte_of_vietnamese(void **state)
{
    static const char sentence[] =
        "Hộ gia đình ở bản Mường Lói, xã Mường Chà có điện thoại thông minh và sóng 4G yếu. ";
    size_t n = 0, cap = MIB + sizeof(sentence);
    char *vi = malloc(cap);

    (void)state;
    assert_non_null(vi);
    while (n < MIB) {
        memcpy(vi + n, sentence, sizeof(sentence) - 1);
        n += sizeof(sentence) - 1;
    }
    assert_true(utf8_valid(vi, n, NULL));
    roundtrip("", 0);
    roundtrip("x", 1);
    roundtrip("\0", 1);
    roundtrip(vi, n);
    /* incompressible data grows a little: the output buffer must still hold it */
    randombytes_buf(vi, 300000);
    roundtrip(vi, 300000);
    free(vi);
}

static void expect_gunzip_refused(const void *in, size_t len, size_t max, int code,
                                  const char *want)
{
    char *out = (char *)&out;
    size_t out_len = 99;
    dt_err err;
    int rc;

    err_clear(&err);
    rc = proto_gunzip(&out, &out_len, in, len, max, &err);
    if (rc != code)
        fail_msg("%zu bytes: expected %d, got %d (%s)", len, code, rc, err.msg);
    assert_null(out);
    assert_int_equal(out_len, 0);
    if (want && strstr(err.msg, want) == NULL)
        fail_msg("got \"%s\", want something with \"%s\"", err.msg, want);
}

static void test_proto__gunzip_refuses_what_is_not_gzip(void **state)
{
    char *zl = NULL;
    uLongf zl_len = compressBound(5);

    (void)state;
    expect_gunzip_refused("", 0, 1000, DT_EINVAL, "not gzip");
    expect_gunzip_refused("hello", 5, 1000, DT_EINVAL, "not gzip");
    expect_gunzip_refused("{\"device_id\":1}", 15, 1000, DT_EINVAL, "not gzip");
    expect_gunzip_refused("\x1f", 1, 1000, DT_EINVAL, "not gzip");
    /* a zlib stream (not gzip) */
    zl = malloc(zl_len);
    assert_non_null(zl);
    assert_int_equal(compress((Bytef *)zl, &zl_len, (const Bytef *)"hello", 5), Z_OK);
    expect_gunzip_refused(zl, zl_len, 1000, DT_EINVAL, "not gzip");
    free(zl);
    /* the magic alone, or with a bad method byte */
    expect_gunzip_refused("\x1f\x8b", 2, 1000, DT_EINVAL, "corrupt or cut short");
    expect_gunzip_refused("\x1f\x8b\x07\x00\x00\x00\x00\x00\x00\x03\x03\x00", 12, 1000, DT_EINVAL,
                          "corrupt");
}

static void test_proto__gunzip_refuses_every_truncation(void **state)
{
    static const char text[] = "{\"device_id\":\"" DEV "\",\"revisions\":[" GOOD_REV_WITH(REV) "]}";
    char *gz = NULL;
    size_t gz_len = 0;
    dt_err err;

    (void)state;
    assert_int_equal(proto_gzip(&gz, &gz_len, text, strlen(text), &err), DT_OK);
    for (size_t cut = 2; cut < gz_len; cut++) {
        char *exact = malloc(cut);
        assert_non_null(exact);
        memcpy(exact, gz, cut);
        expect_gunzip_refused(exact, cut, PROTO_MAX_INFLATED, DT_EINVAL, "corrupt or cut short");
        free(exact);
    }
    free(gz);
}

static void test_proto__gunzip_refuses_corrupt_bytes(void **state)
{
    static const char text[] = "{\"device_id\":\"" DEV "\",\"revisions\":[" GOOD_REV_WITH(REV) "]}";
    char *gz = NULL, *out = NULL;
    size_t gz_len = 0, out_len = 0;
    dt_err err;

    (void)state;
    assert_int_equal(proto_gzip(&gz, &gz_len, text, strlen(text), &err), DT_OK);
    /* The CRC-32 and the length in the trailer are checked. */
    for (size_t i = gz_len - 8; i < gz_len; i++) {
        gz[i] ^= 0x01;
        expect_gunzip_refused(gz, gz_len, PROTO_MAX_INFLATED, DT_EINVAL, "corrupt");
        gz[i] ^= 0x01;
    }
    /* Any byte of the compressed data changed: refused, or (rarely) the very same text. */
    for (size_t i = 10; i < gz_len; i++) {
        gz[i] ^= (char)0xff;
        int rc = proto_gunzip(&out, &out_len, gz, gz_len, PROTO_MAX_INFLATED, &err);
        if (rc == DT_OK && (out_len != strlen(text) || memcmp(out, text, out_len) != 0))
            fail_msg("byte %zu flipped: different text accepted", i);
        if (rc != DT_OK)
            assert_int_equal(rc, DT_EINVAL);
        free(out);
        out = NULL;
        gz[i] ^= (char)0xff;
    }
    free(gz);
}

/* docs/protocol.md: a body is one gzip stream. Bytes after its end are not silently
 * dropped: a second member (cat a.gz b.gz) would otherwise lose b's revisions. */
static void test_proto__gunzip_refuses_trailing_bytes_after_the_stream(void **state)
{
    static const char text[] = "{\"device_id\":\"" DEV "\",\"revisions\":[]}";
    char *gz = NULL, *two = NULL, *out = NULL;
    size_t gz_len = 0, out_len = 0;
    dt_err err;

    (void)state;
    assert_int_equal(proto_gzip(&gz, &gz_len, text, strlen(text), &err), DT_OK);
    two = malloc(gz_len * 2);
    assert_non_null(two);
    memcpy(two, gz, gz_len);
    memcpy(two + gz_len, "garbage", 7);
    expect_gunzip_refused(two, gz_len + 7, PROTO_MAX_INFLATED, DT_EINVAL, NULL);
    memcpy(two + gz_len, "\0", 1);
    expect_gunzip_refused(two, gz_len + 1, PROTO_MAX_INFLATED, DT_EINVAL, NULL);

    /* two members: either the whole text twice, or refused; never the first alone */
    memcpy(two + gz_len, gz, gz_len);
    int rc = proto_gunzip(&out, &out_len, two, gz_len * 2, PROTO_MAX_INFLATED, &err);
    if (rc == DT_OK && out_len != 2 * strlen(text))
        fail_msg("two gzip members: only %zu of %zu bytes inflated, the rest dropped silently",
                 out_len, 2 * strlen(text));
    free(out);
    free(two);
    free(gz);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs proto_gunzip in a child; returns how much its peak resident memory grew (KiB),
 * or -1 when the bomb was not refused with DT_ERR. */
static long gunzip_peak_growth_kib(const void *gz, size_t gz_len, size_t max)
{
    int fd[2];
    pid_t pid;
    long growth = -1;
    int status;

    assert_int_equal(pipe(fd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rusage before, after;
        char *out = NULL;
        size_t out_len = 0;
        dt_err err;
        long g = -1;
        close(fd[0]);
        getrusage(RUSAGE_SELF, &before);
        int rc = proto_gunzip(&out, &out_len, gz, gz_len, max, &err);
        getrusage(RUSAGE_SELF, &after);
        if (rc == DT_ERR)
            g = after.ru_maxrss - before.ru_maxrss;
        free(out);
        if (write(fd[1], &g, sizeof(g)) != (ssize_t)sizeof(g))
            _exit(2);
        _exit(0);
    }
    close(fd[1]);
    if (read(fd[0], &growth, sizeof(growth)) != (ssize_t)sizeof(growth))
        growth = -2;
    close(fd[0]);
    waitpid(pid, &status, 0);
    return growth;
}

static void test_proto__gzip_bomb_is_refused_before_it_inflates(void **state)
{
    static unsigned char zeros[1 << 16];
    size_t bomb_len = 0;
    unsigned char *bomb = gzip_repeat(zeros, sizeof(zeros), 200 * MIB, &bomb_len);
    double t0;

    (void)state;
    assert_true(bomb_len < 400 * 1024); /* 200 MB of zeros is a ~200 KB upload */
    t0 = now_s();
    expect_gunzip_refused(bomb, bomb_len, PROTO_MAX_INFLATED, DT_ERR,
                          "the body inflates to more than 67108864 bytes");
    double took = now_s() - t0;
    if (took > 3.0)
        fail_msg("refusing the bomb took %.1f s", took);

    /* Memory: with a cap of 16 MiB the peak is about the cap (the buffer doubling up to
     * it), far from the 200 MB the bomb holds. 4 x the cap allows for the last realloc's
     * copy and AddressSanitizer's quarantine and shadow memory. */
    size_t cap = 16 * MIB;
    long kib = gunzip_peak_growth_kib(bomb, bomb_len, cap);
    if (kib < 0)
        fail_msg("the bomb was not refused with DT_ERR under a cap of 16 MiB");
    if ((size_t)kib * 1024 > 4 * cap)
        fail_msg("refusing the bomb took %ld MiB of memory with a cap of 16 MiB", kib / 1024);
    free(bomb);
}

static void test_proto__gunzip_accepts_exactly_max_bytes_and_refuses_one_more(void **state)
{
    static const size_t sizes[] = {0,    1,    2,    100,  1023,  1024,  1025,  1100,   2047,
                                   2048, 2049, 4096, 4097, 65535, 65536, 65537, 1000000};
    unsigned char *data = malloc(1000001);

    (void)state;
    assert_non_null(data);
    for (int kind = 0; kind < 2; kind++) {
        /* zeros (the output outgrows in_len * 4 + 1024: the buffer grows) and random
         * bytes (it does not) */
        if (kind)
            randombytes_buf(data, 1000001);
        else
            memset(data, 0, 1000001);
        for (size_t i = 0; i < LEN(sizes); i++) {
            size_t n = sizes[i], gz_len = 0, out_len = 0;
            char *gz = NULL, *out = NULL;
            dt_err err;
            err_clear(&err);
            assert_int_equal(proto_gzip(&gz, &gz_len, data, n, &err), DT_OK);
            if (proto_gunzip(&out, &out_len, gz, gz_len, n, &err) != DT_OK)
                fail_msg("%zu bytes with a cap of %zu: %s", n, n, err.msg);
            assert_int_equal(out_len, n);
            assert_memory_equal(out, n ? (const char *)data : "", n);
            free(out);
            if (n > 0)
                expect_gunzip_refused(gz, gz_len, n - 1, DT_ERR, "inflates to more than");
            free(gz);
        }
    }
    /* and every size around the first growth of the buffer */
    memset(data, 0, 5000);
    for (size_t n = 1; n <= 5000; n += 7) {
        size_t gz_len = 0, out_len = 0;
        char *gz = NULL, *out = NULL;
        dt_err err;
        assert_int_equal(proto_gzip(&gz, &gz_len, data, n, &err), DT_OK);
        assert_int_equal(proto_gunzip(&out, &out_len, gz, gz_len, n, &err), DT_OK);
        assert_int_equal(out_len, n);
        free(out);
        expect_gunzip_refused(gz, gz_len, n - 1, DT_ERR, NULL);
        free(gz);
    }
    free(data);
}

/* ---- proto_error_body */

static void expect_error_body(const char *code, const char *message)
{
    char *text = proto_error_body(code, message);
    cJSON *j = NULL, *e;
    dt_err err;

    assert_non_null(text);
    if (json_parse(&j, text, strlen(text), "error body", &err) != DT_OK)
        fail_msg("%s: %s", text, err.msg);
    assert_int_equal(cJSON_GetArraySize(j), 1);
    e = cJSON_GetObjectItemCaseSensitive(j, "error");
    assert_true(cJSON_IsObject(e));
    assert_int_equal(cJSON_GetArraySize(e), 2);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "code")->valuestring, code);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring, message);
    cJSON_Delete(j);
    cJSON_free(text);
}

static void test_proto__error_body_is_json_with_code_and_escaped_message(void **state)
{
    char *text;

    (void)state;
    expect_error_body("bad_request", "body.revisions[3].rev_id: expected a UUID");
    expect_error_body("bad_request", "revisions[0].outcome: expected \"complete\" or \"refusal\"");
    expect_error_body("conflict", "back\\slash, new\nline, tab\t, bell\a, </script>");
    expect_error_body("forbidden", "ca của Lò Văn Minh thuộc điều tra viên khác");
    expect_error_body("internal", "");
    text = proto_error_body("bad_request", "say \"hi\"");
    assert_non_null(text);
    assert_string_equal(text,
                        "{\"error\":{\"code\":\"bad_request\",\"message\":\"say \\\"hi\\\"\"}}");
    cJSON_free(text);
}

/* ---- bundles */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_proto.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    DIR *d = opendir(tmpdir);
    struct dirent *de;
    char path[512];

    (void)state;
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(tmpdir);
    return 0;
}

static char *tmp_path(const char *name)
{
    static char path[8][256];
    static int next;
    char *p = path[next++ % 8];

    snprintf(p, 256, "%s/%s", tmpdir, name);
    return p;
}

static cJSON *two_revisions(void)
{
    cJSON *revs = cJSON_CreateArray();

    cJSON_AddItemToArray(revs, parse_json(GOOD_REV_WITH(REV)));
    cJSON_AddItemToArray(revs, parse_json(GOOD_REV_WITH(REV2)));
    return revs;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static char *read_whole(const char *path, size_t *len)
{
    char *data = NULL;
    dt_err err;

    if (file_read(&data, len, path, 64 * MIB, &err) != DT_OK)
        fail_msg("%s", err.msg);
    return data;
}

/* Writes a bundle by hand (zlib's gz* functions, not proto): the document text given. */
static void write_gz_text(const char *path, const char *text)
{
    gzFile g = gzopen(path, "wb");

    assert_non_null(g);
    assert_int_equal(gzwrite(g, text, (unsigned)strlen(text)), (int)strlen(text));
    assert_int_equal(gzclose(g), Z_OK);
}

static void sha256_of(const char *text, char *hex)
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(hex, 65, h, sizeof(h));
}

/* A bundle document as text with the given parts; sum NULL means the right checksum. */
static char *bundle_text(const char *format, const char *version, const char *revs, const char *sum)
{
    size_t cap = strlen(revs) + 1024;
    char right[65], *text = malloc(cap);

    assert_non_null(text);
    sha256_of(revs, right);
    snprintf(text, cap,
             "{\"format\":\"%s\",\"version\":%s,\"user\":\"lo_van_minh\",\"device_id\":\"" DEV
             "\",\"created_at\":\"2026-11-29T10:00:00Z\",\"revisions\":%s,\"sha256\":\"%s\"}",
             format, version, revs, sum ? sum : right);
    return text;
}

/* What the bundle being checked is, for failure messages. */
static const char *bundle_case = "";

static void expect_bundle_refused(const char *path, int code, const char *want)
{
    cJSON *doc = (cJSON *)&doc;
    const cJSON *revs = (const cJSON *)&revs;
    const char *user = "x";
    dt_err err;
    int rc;

    err_clear(&err);
    rc = proto_bundle_read(path, &doc, &revs, &user, &err);
    if (rc != code)
        fail_msg("%s%s: expected %d, got %d (%s)", path, bundle_case, code, rc, err.msg);
    assert_null(doc);
    assert_null(revs);
    assert_null(user);
    if (strstr(err.msg, path) == NULL)
        fail_msg("the message does not name the file: %s", err.msg);
    if (want && strstr(err.msg, want) == NULL)
        fail_msg("got \"%s\", want something with \"%s\"", err.msg, want);
}

/* A laptop's bundle sealed to the centre: opened with the centre's key pair only, nothing of it
 * readable in the file, the same revisions back. */
static void test_proto__bundle_sealed_opens_with_the_centre_key_only(void **state)
{
    cJSON *revs = two_revisions(), *doc = NULL;
    const cJSON *got = NULL;
    const char *user = NULL, *path = tmp_path("sealed.bundle");
    unsigned char pk[SEAL_KEY_BYTES], sk[SEAL_KEY_BYTES], pk2[SEAL_KEY_BYTES], sk2[SEAL_KEY_BYTES];
    dt_err err;
    char *raw;
    size_t raw_len;

    (void)state;
    seal_keypair(pk, sk);
    seal_keypair(pk2, sk2);
    err_clear(&err);
    if (proto_bundle_write_sealed(path, "lo_van_minh", DEV, revs, pk, &err) != DT_OK)
        fail_msg("%s", err.msg);
    raw = read_whole(path, &raw_len);
    assert_true(seal_is(raw, raw_len));
    assert_false(proto_is_gzip(raw, raw_len));
    for (size_t i = 0; i + 11 <= raw_len; i++) /* not even the user in clear */
        assert_int_not_equal(memcmp(raw + i, "lo_van_minh", 11), 0);
    free(raw);
    /* the reader of plain bundles, and another centre, are refused with what to do */
    assert_int_equal(proto_bundle_read(path, &doc, &got, &user, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "sealed to the centre's key"));
    assert_int_equal(proto_bundle_read_sealed(path, pk2, sk2, &doc, &got, &user, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "sealed to another centre's key"));
    assert_null(doc);
    /* its own centre reads the same revisions */
    if (proto_bundle_read_sealed(path, pk, sk, &doc, &got, &user, &err) != DT_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(user, "lo_van_minh");
    assert_true(cJSON_Compare(got, revs, 1));
    cJSON_Delete(doc);
    /* and a plain bundle of an older laptop still */
    assert_int_equal(proto_bundle_write(path, "lo_van_minh", DEV, revs, &err), DT_OK);
    assert_int_equal(proto_bundle_read_sealed(path, pk, sk, &doc, &got, &user, &err), DT_OK);
    cJSON_Delete(doc);
    cJSON_Delete(revs);
}

static void test_proto__bundle_written_reads_back_with_its_revisions(void **state)
{
    cJSON *revs = two_revisions(), *doc = NULL;
    const cJSON *got = NULL;
    const char *user = NULL, *path = tmp_path("out.bundle");
    dt_err err;
    char *raw;
    size_t raw_len;
    struct stat st;

    (void)state;
    err_clear(&err);
    if (proto_bundle_write(path, "lo_van_minh", DEV, revs, &err) != DT_OK)
        fail_msg("%s", err.msg);
    assert_int_not_equal(stat(tmp_path("out.bundle.tmp"), &st), 0); /* renamed, not left */
    raw = read_whole(path, &raw_len);
    assert_true(proto_is_gzip(raw, raw_len));
    free(raw);

    if (proto_bundle_read(path, &doc, &got, &user, &err) != DT_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(user, "lo_van_minh");
    assert_true(cJSON_Compare(got, revs, 1));
    assert_string_equal(cJSON_GetObjectItem(doc, "format")->valuestring, "dieutra-bundle");
    assert_int_equal(cJSON_GetObjectItem(doc, "version")->valueint, 1);
    assert_string_equal(cJSON_GetObjectItem(doc, "device_id")->valuestring, DEV);
    const char *created = cJSON_GetObjectItem(doc, "created_at")->valuestring;
    assert_int_equal(strlen(created), 20);
    assert_int_equal(created[10], 'T');
    assert_int_equal(created[19], 'Z');
    assert_int_equal(strlen(cJSON_GetObjectItem(doc, "sha256")->valuestring), 64);
    /* the revisions read back parse as revisions */
    proto_rev r;
    assert_int_equal(proto_rev_parse(&r, cJSON_GetArrayItem(got, 1), "bundle", &err), DT_OK);
    assert_string_equal(r.rev_id, REV2);
    cJSON_Delete(doc);

    /* written again over the old one; an empty outbox is a valid bundle too */
    cJSON *none = cJSON_CreateArray();
    assert_int_equal(proto_bundle_write(path, "lo_van_minh", DEV, none, &err), DT_OK);
    assert_int_equal(proto_bundle_read(path, &doc, &got, &user, &err), DT_OK);
    assert_int_equal(cJSON_GetArraySize(got), 0);
    cJSON_Delete(doc);
    cJSON_Delete(none);
    cJSON_Delete(revs);
    unlink(path);
}

static void test_proto__bundle_written_by_hand_with_the_right_checksum_is_accepted(void **state)
{
    const char *path = tmp_path("hand.bundle");
    cJSON *revs = two_revisions(), *doc = NULL;
    char *revs_text = cJSON_PrintUnformatted(revs);
    char *text = bundle_text("dieutra-bundle", "1", revs_text, NULL);
    const cJSON *got = NULL;
    const char *user = NULL;
    dt_err err;

    (void)state;
    write_gz_text(path, text);
    if (proto_bundle_read(path, &doc, &got, &user, &err) != DT_OK)
        fail_msg("%s", err.msg);
    assert_true(cJSON_Compare(got, revs, 1));
    assert_string_equal(user, "lo_van_minh");
    cJSON_Delete(doc);
    free(text);
    cJSON_free(revs_text);
    cJSON_Delete(revs);
    unlink(path);
}

static void test_proto__bundle_with_a_changed_revision_and_the_old_checksum_is_refused(void **state)
{
    const char *path = tmp_path("changed.bundle");
    cJSON *revs = two_revisions();
    char *revs_text = cJSON_PrintUnformatted(revs), old_sum[65];

    (void)state;
    sha256_of(revs_text, old_sum);
    /* head_name changed in the second revision, checksum kept */
    cJSON *answers = cJSON_GetObjectItem(cJSON_GetArrayItem(revs, 1), "answers");
    cJSON_ReplaceItemInObject(answers, "hh_size", cJSON_CreateNumber(9));
    char *changed = cJSON_PrintUnformatted(revs);
    char *text = bundle_text("dieutra-bundle", "1", changed, old_sum);
    write_gz_text(path, text);
    expect_bundle_refused(path, DT_EINVAL, "the checksum does not match");
    free(text);

    /* a checksum in upper case, or cut short, does not match either */
    for (char *c = old_sum; *c; c++)
        if (*c >= 'a' && *c <= 'f')
            *c = (char)(*c - 'a' + 'A');
    text = bundle_text("dieutra-bundle", "1", revs_text, old_sum);
    write_gz_text(path, text);
    expect_bundle_refused(path, DT_EINVAL, "checksum does not match");
    free(text);
    text = bundle_text("dieutra-bundle", "1", revs_text, "");
    write_gz_text(path, text);
    expect_bundle_refused(path, DT_EINVAL, "checksum does not match");
    free(text);

    cJSON_free(changed);
    cJSON_free(revs_text);
    cJSON_Delete(revs);
    unlink(path);
}

static void test_proto__bundle_of_another_format_or_version_is_refused(void **state)
{
    static const char revs[] = "[" GOOD_REV_WITH(REV) "]";
    static const struct {
        const char *format, *version;
    } bad[] = {
        {"dieutra-bundel", "1"},     {"", "1"},
        {"dieutra-bundle", "2"},     {"dieutra-bundle", "0"},
        {"dieutra-bundle", "\"1\""}, {"dieutra-bundle", "null"},
        {"dieutra-bundle", "1.5"},
    };
    const char *path = tmp_path("format.bundle");

    (void)state;
    for (size_t i = 0; i < LEN(bad); i++) {
        char *text = bundle_text(bad[i].format, bad[i].version, revs, NULL);
        char what[96];
        snprintf(what, sizeof(what), " (format \"%s\", version %s)", bad[i].format, bad[i].version);
        bundle_case = what;
        write_gz_text(path, text);
        expect_bundle_refused(path, DT_EINVAL, "not a dieutra bundle of version 1");
        bundle_case = "";
        free(text);
    }
    /* missing parts: revisions not an array, no checksum, no user, not an object */
    static const char *const docs[] = {
        "{\"format\":\"dieutra-bundle\",\"version\":1,\"user\":\"u\",\"revisions\":{},"
        "\"sha256\":\"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"}",
        "{\"format\":\"dieutra-bundle\",\"version\":1,\"user\":\"u\",\"revisions\":[]}",
        "{\"format\":\"dieutra-bundle\",\"version\":1,\"revisions\":[],"
        "\"sha256\":\"4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945\"}",
        "[\"dieutra-bundle\",1]",
    };
    for (size_t i = 0; i < LEN(docs); i++) {
        write_gz_text(path, docs[i]);
        expect_bundle_refused(path, DT_EINVAL, "not a dieutra bundle of version 1");
    }
    /* gzip of something that is not JSON */
    write_gz_text(path, "format=dieutra-bundle\n");
    expect_bundle_refused(path, DT_EINVAL, NULL);
    unlink(path);
}

static void test_proto__bundle_with_a_flipped_byte_is_refused(void **state)
{
    cJSON *revs = two_revisions();
    const char *path = tmp_path("flip.bundle");
    char *raw, want[512];
    size_t raw_len;
    dt_err err;

    (void)state;
    assert_int_equal(proto_bundle_write(path, "lo_van_minh", DEV, revs, &err), DT_OK);
    raw = read_whole(path, &raw_len);
    raw[raw_len / 2] ^= 0x10;
    write_file(path, raw, raw_len);
    snprintf(want, sizeof(want),
             "%s: not a bundle, or damaged: the gzip data is corrupt or cut short", path);
    expect_bundle_refused(path, DT_EINVAL, NULL);
    /* the message is built from the gunzip message: it reads as one sentence */
    {
        cJSON *doc = NULL;
        const cJSON *got = NULL;
        const char *user = NULL;
        err_clear(&err);
        proto_bundle_read(path, &doc, &got, &user, &err);
        if (strcmp(err.msg, want) != 0)
            fail_msg("got \"%s\",\nwant \"%s\"", err.msg, want);
    }
    raw[raw_len / 2] ^= 0x10;

    /* cut in half, or nothing at all */
    write_file(path, raw, raw_len / 2);
    expect_bundle_refused(path, DT_EINVAL, "not a bundle, or damaged");
    write_file(path, "", 0);
    expect_bundle_refused(path, DT_EINVAL, "not a bundle, or damaged");
    /* the document not compressed */
    write_file(path, "{\"format\":\"dieutra-bundle\"}", 27);
    expect_bundle_refused(path, DT_EINVAL, "not a bundle, or damaged");
    free(raw);
    cJSON_Delete(revs);
    unlink(path);
}

static void test_proto__bundle_file_that_cannot_be_opened_is_eio(void **state)
{
    cJSON *revs = two_revisions();
    const char *missing = tmp_path("no-such.bundle"), *bad_dir = tmp_path("no-dir/x.bundle");
    dt_err err;

    (void)state;
    expect_bundle_refused(missing, DT_EIO, NULL);
    err_clear(&err);
    assert_int_equal(proto_bundle_write(bad_dir, "lo_van_minh", DEV, revs, &err), DT_EIO);
    assert_non_null(strstr(err.msg, "cannot write the bundle"));
    cJSON_Delete(revs);
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_proto__gzip_round_trips_empty_one_byte_and_a_megabyte_of_vietnamese),
        T(test_proto__gunzip_refuses_what_is_not_gzip),
        T(test_proto__gunzip_refuses_every_truncation),
        T(test_proto__gunzip_refuses_corrupt_bytes),
        T(test_proto__gunzip_refuses_trailing_bytes_after_the_stream),
        T(test_proto__gzip_bomb_is_refused_before_it_inflates),
        T(test_proto__gunzip_accepts_exactly_max_bytes_and_refuses_one_more),
        T(test_proto__error_body_is_json_with_code_and_escaped_message),
        T(test_proto__bundle_written_reads_back_with_its_revisions),
        T(test_proto__bundle_sealed_opens_with_the_centre_key_only),
        T(test_proto__bundle_written_by_hand_with_the_right_checksum_is_accepted),
        T(test_proto__bundle_with_a_changed_revision_and_the_old_checksum_is_refused),
        T(test_proto__bundle_of_another_format_or_version_is_refused),
        T(test_proto__bundle_with_a_flipped_byte_is_refused),
        T(test_proto__bundle_file_that_cannot_be_opened_is_eio),
    };

    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
