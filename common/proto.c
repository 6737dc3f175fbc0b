/* proto.c - the sync protocol's shared pieces: revisions on the wire, push batches, gzip, bundles
 */
#include "proto.h"
#include "seal.h"
#include "buf.h"
#include "expr.h"
#include "json.h"
#include "uuid.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* ---- revisions */

static int bad(dt_err *err, const char *prefix, const char *field, const char *what)
{
    return err_set(err, DT_EINVAL, "%s.%s: %s", prefix, field, what);
}

/* A required (or optional, may_be_null) string field of at most PROTO_MAX_NAME bytes. */
static int get_str(const cJSON *j, const char *field, int may_be_null, const char **out,
                   const char *prefix, dt_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, field);

    *out = NULL;
    if (may_be_null && (!v || cJSON_IsNull(v)))
        return DT_OK;
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return bad(err, prefix, field, "expected a non-empty string");
    if (strlen(v->valuestring) > PROTO_MAX_NAME)
        return bad(err, prefix, field, "longer than 200 bytes");
    *out = v->valuestring;
    return DT_OK;
}

static int get_uuid(const cJSON *j, const char *field, int may_be_null, const char **out,
                    const char *prefix, dt_err *err)
{
    int rc = get_str(j, field, may_be_null, out, prefix, err);

    if (rc == DT_OK && *out && !uuid_valid(*out))
        return bad(err, prefix, field, "expected a UUID like 3f0c2a4e-…");
    return rc;
}

/* A UTC timestamp "YYYY-MM-DDTHH:MM:SSZ": syncd orders branches by it, so it must
 * compare as text in time order. */
static int get_time(const cJSON *j, const char *field, const char **out, const char *prefix,
                    dt_err *err)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    int rc = get_str(j, field, 0, out, prefix, err);

    if (rc)
        return rc;
    for (size_t i = 0; i < sizeof(shape); i++) {
        char c = (*out)[i], want = shape[i];
        int okc = want == 'd' ? c >= '0' && c <= '9' : c == want;
        if (!okc)
            return bad(err, prefix, field, "expected a UTC time like 2026-11-29T09:25:56Z");
    }
    const char *t = *out;
    int days, hh = (t[11] - '0') * 10 + (t[12] - '0'), mm = (t[14] - '0') * 10 + (t[15] - '0'),
              ss = (t[17] - '0') * 10 + (t[18] - '0');
    if (!expr_parse_date(t, 10, &days) || hh > 23 || mm > 59 || ss > 60)
        return bad(err, prefix, field, "not a real date and time");
    return DT_OK;
}

int proto_rev_parse(proto_rev *r, const cJSON *j, const char *prefix, dt_err *err)
{
    static const char *const keys[] = {
        "rev_id",     "case_id", "parent_rev_id", "form_id", "form_version", "author", "device_id",
        "created_at", "outcome", "assignment_id", "answers", "paradata",     NULL};
    const cJSON *v;
    long long ver;
    int rc;

    memset(r, 0, sizeof(*r));
    if (!cJSON_IsObject(j))
        return err_set(err, DT_EINVAL, "%s: expected a revision object", prefix);
    cJSON_ArrayForEach(v, j)
    {
        int known = 0;
        for (int i = 0; keys[i]; i++)
            known |= !strcmp(v->string, keys[i]);
        if (!known)
            return bad(err, prefix, v->string, "unknown field");
    }
    if ((rc = get_uuid(j, "rev_id", 0, &r->rev_id, prefix, err)) ||
        (rc = get_uuid(j, "case_id", 0, &r->case_id, prefix, err)) ||
        (rc = get_uuid(j, "parent_rev_id", 1, &r->parent_rev_id, prefix, err)) ||
        (rc = get_str(j, "form_id", 0, &r->form_id, prefix, err)) ||
        (rc = get_str(j, "author", 0, &r->author, prefix, err)) ||
        (rc = get_uuid(j, "device_id", 0, &r->device_id, prefix, err)) ||
        (rc = get_time(j, "created_at", &r->created_at, prefix, err)) ||
        (rc = get_str(j, "outcome", 0, &r->outcome, prefix, err)) ||
        (rc = get_str(j, "assignment_id", 1, &r->assignment_id, prefix, err)))
        return rc;
    if (!json_get_int(cJSON_GetObjectItemCaseSensitive(j, "form_version"), &ver) || ver < 1 ||
        ver > 1000000)
        return bad(err, prefix, "form_version", "expected a whole number from 1");
    r->form_version = (int)ver;
    if (strcmp(r->outcome, "complete") != 0 && strcmp(r->outcome, "refusal") != 0)
        return bad(err, prefix, "outcome", "expected \"complete\" or \"refusal\"");
    if (r->parent_rev_id && !strcmp(r->parent_rev_id, r->rev_id))
        return bad(err, prefix, "parent_rev_id", "a revision cannot be its own parent");
    r->answers = cJSON_GetObjectItemCaseSensitive(j, "answers");
    r->paradata = cJSON_GetObjectItemCaseSensitive(j, "paradata");
    if (!cJSON_IsObject(r->answers))
        return bad(err, prefix, "answers", "expected an object");
    if (!cJSON_IsObject(r->paradata))
        return bad(err, prefix, "paradata", "expected an object");
    r->json = j;
    return DT_OK;
}

static int add_str(cJSON *o, const char *key, const char *value)
{
    cJSON *v = value ? cJSON_CreateString(value) : cJSON_CreateNull();

    return v && cJSON_AddItemToObject(o, key, v) ? 0 : (cJSON_Delete(v), -1);
}

cJSON *proto_rev_build(const proto_rev *r, const char *answers_json, const char *paradata_json)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *answers = cJSON_Parse(answers_json), *paradata = cJSON_Parse(paradata_json);

    if (!o || !cJSON_IsObject(answers) || !cJSON_IsObject(paradata))
        goto fail;
    if (add_str(o, "rev_id", r->rev_id) || add_str(o, "case_id", r->case_id) ||
        add_str(o, "parent_rev_id", r->parent_rev_id) || add_str(o, "form_id", r->form_id) ||
        !cJSON_AddNumberToObject(o, "form_version", r->form_version) ||
        add_str(o, "author", r->author) || add_str(o, "device_id", r->device_id) ||
        add_str(o, "created_at", r->created_at) || add_str(o, "outcome", r->outcome) ||
        add_str(o, "assignment_id", r->assignment_id))
        goto fail;
    if (!cJSON_AddItemToObject(o, "answers", answers))
        goto fail;
    answers = NULL;
    if (!cJSON_AddItemToObject(o, "paradata", paradata))
        goto fail;
    return o;
fail:
    cJSON_Delete(answers);
    cJSON_Delete(paradata);
    cJSON_Delete(o);
    return NULL;
}

void proto_rev_hash(const proto_rev *r, char *out)
{
    unsigned char h[32];
    char *text = cJSON_PrintUnformatted(r->json);

    /* Out of memory gives a hash of nothing, which no real revision has: a re-send
     * would then be refused rather than taken for a different body silently. */
    crypto_generichash(h, sizeof(h), (const unsigned char *)(text ? text : ""),
                       text ? strlen(text) : 0, NULL, 0);
    cJSON_free(text);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

int proto_rev_hash_texts(const proto_rev *r, const char *answers_text, const char *paradata_text,
                         char *out)
{
    crypto_generichash_state st;
    unsigned char h[32];
    const cJSON *m;
    buf b;
    int rc;

    /* The bytes of cJSON_PrintUnformatted(r->json), fed in order: the small members are
     * printed into b, and b goes to the hash before each given text. Members are matched
     * by identity, not by name: a duplicate "answers" key is printed like any other. */
    buf_init(&b, PROTO_MAX_INFLATED);
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    if ((rc = buf_append(&b, "{", 1)))
        goto cleanup;
    for (m = r->json->child; m; m = m->next) {
        const char *text = m == r->answers ? answers_text : m == r->paradata ? paradata_text : NULL;
        if ((m != r->json->child && (rc = buf_append(&b, ",", 1))) ||
            (rc = json_append_string(&b, m->string)) || (rc = buf_append(&b, ":", 1)))
            goto cleanup;
        if (!text) {
            if ((rc = json_append_compact(&b, m)))
                goto cleanup;
            continue;
        }
        crypto_generichash_update(&st, (const unsigned char *)b.data, b.len);
        crypto_generichash_update(&st, (const unsigned char *)text, strlen(text));
        buf_reset(&b);
    }
    if ((rc = buf_append(&b, "}", 1)))
        goto cleanup;
    crypto_generichash_update(&st, (const unsigned char *)b.data, b.len);
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(out, 65, h, sizeof(h));
cleanup:
    buf_free(&b);
    return rc;
}

/* ---- push batches */

int proto_push_parse(proto_push *out, const char *body, size_t len, int max_revs, dt_err *err)
{
    const cJSON *revs, *j;
    int n, i = 0, rc;

    memset(out, 0, sizeof(*out));
    if ((rc = json_parse(&out->doc, body, len, "body", err)))
        return rc;
    if (!cJSON_IsObject(out->doc)) {
        rc = err_set(err, DT_EINVAL, "body: expected a JSON object");
        goto fail;
    }
    if ((rc = get_uuid(out->doc, "device_id", 0, &out->device_id, "body", err)))
        goto fail;
    revs = cJSON_GetObjectItemCaseSensitive(out->doc, "revisions");
    if (!cJSON_IsArray(revs)) {
        rc = err_set(err, DT_EINVAL, "body.revisions: expected an array");
        goto fail;
    }
    n = cJSON_GetArraySize(revs);
    if (n > max_revs) {
        rc = err_set(err, DT_ERR, "body.revisions: %d revisions, more than the limit of %d", n,
                     max_revs);
        goto fail;
    }
    out->revs = calloc((size_t)(n ? n : 1), sizeof(proto_rev));
    if (!out->revs) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto fail;
    }
    cJSON_ArrayForEach(j, revs)
    {
        char prefix[48];
        snprintf(prefix, sizeof(prefix), "body.revisions[%d]", i);
        if ((rc = proto_rev_parse(&out->revs[i], j, prefix, err)))
            goto fail;
        for (int k = 0; k < i; k++)
            if (!strcmp(out->revs[k].rev_id, out->revs[i].rev_id)) {
                rc = err_set(err, DT_EINVAL, "%s.rev_id: given twice in the batch", prefix);
                goto fail;
            }
        i++;
    }
    out->nrevs = n;
    return DT_OK;
fail:
    proto_push_free(out);
    return rc;
}

void proto_push_free(proto_push *p)
{
    if (!p)
        return;
    cJSON_Delete(p->doc);
    free(p->revs);
    memset(p, 0, sizeof(*p));
}

/* ---- gzip */

int proto_is_gzip(const void *data, size_t len)
{
    const unsigned char *d = data;
    return len >= 2 && d[0] == 0x1f && d[1] == 0x8b;
}

int proto_gunzip(char **out, size_t *out_len, const void *in, size_t in_len, size_t max,
                 dt_err *err)
{
    z_stream z;
    size_t cap = in_len * 4 + 1024, len = 0;
    char *dst = NULL;
    int rc = DT_OK, zrc;

    *out = NULL;
    *out_len = 0;
    memset(&z, 0, sizeof(z));
    if (!proto_is_gzip(in, in_len))
        return err_set(err, DT_EINVAL, "the body is not gzip data");
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return err_set(err, DT_ENOMEM, "out of memory");
    if (cap > max + 1)
        cap = max + 1;
    if (!(dst = malloc(cap + 1))) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)in_len;
    do {
        if (len == cap) {
            /* Growing past the limit is where a bomb is stopped: before inflating more. */
            if (cap > max) {
                rc = err_set(err, DT_ERR, "the body inflates to more than %zu bytes", max);
                goto cleanup;
            }
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *p = realloc(dst, ncap + 1);
            if (!p) {
                rc = err_set(err, DT_ENOMEM, "out of memory");
                goto cleanup;
            }
            dst = p;
            cap = ncap;
        }
        z.next_out = (Bytef *)dst + len;
        z.avail_out = (uInt)(cap - len);
        zrc = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
        if (zrc == Z_NEED_DICT || zrc == Z_DATA_ERROR || zrc == Z_MEM_ERROR ||
            (zrc == Z_BUF_ERROR && z.avail_in == 0 && len < cap)) {
            rc = err_set(err, DT_EINVAL, "the gzip data is corrupt or cut short");
            goto cleanup;
        }
        if (len > max) {
            rc = err_set(err, DT_ERR, "the body inflates to more than %zu bytes", max);
            goto cleanup;
        }
    } while (zrc != Z_STREAM_END);
    /* Another gzip member or garbage after the stream would be dropped silently: a
     * concatenation of two bundles must not lose the second one's revisions. */
    if (z.avail_in > 0) {
        rc = err_set(err, DT_EINVAL, "unexpected bytes after the end of the gzip data");
        goto cleanup;
    }
    dst[len] = '\0';
    *out = dst;
    *out_len = len;
    dst = NULL;
cleanup:
    inflateEnd(&z);
    free(dst);
    return rc;
}

int proto_gzip(char **out, size_t *out_len, const void *in, size_t in_len, dt_err *err)
{
    z_stream z;
    size_t cap;
    char *dst;

    *out = NULL;
    *out_len = 0;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return err_set(err, DT_ENOMEM, "out of memory");
    cap = deflateBound(&z, (uLong)in_len) + 32;
    dst = malloc(cap);
    if (!dst) {
        deflateEnd(&z);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)in_len;
    z.next_out = (Bytef *)dst;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        deflateEnd(&z);
        free(dst);
        return err_set(err, DT_ERR, "compression failed");
    }
    *out_len = cap - z.avail_out;
    *out = dst;
    deflateEnd(&z);
    return DT_OK;
}

char *proto_error_body(const char *code, const char *message)
{
    cJSON *o = cJSON_CreateObject(), *e = o ? cJSON_AddObjectToObject(o, "error") : NULL;
    char *text = NULL;

    if (e && cJSON_AddStringToObject(e, "code", code) &&
        cJSON_AddStringToObject(e, "message", message))
        text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* ---- bundles */

#define BUNDLE_MAX (512 * 1024 * 1024)

static void sha256_hex(const char *text, char *out)
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(out, 65, h, sizeof(h));
}

/* Flushes the folder that holds path, so that a rename survives a power cut (a USB
 * stick pulled out right after "written"). Best effort: some file systems refuse. */
static void sync_folder(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int fd;

    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path > 0 ? slash - path : 1), path);
    fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int proto_bundle_write(const char *path, const char *user, const char *device_id, cJSON *revisions,
                       dt_err *err)
{
    return proto_bundle_write_sealed(path, user, device_id, revisions, NULL, err);
}

int proto_bundle_write_sealed(const char *path, const char *user, const char *device_id,
                              cJSON *revisions, const unsigned char *centre_pk, dt_err *err)
{
    cJSON *doc = cJSON_CreateObject();
    char *revs_text = NULL, *text = NULL, *gz = NULL, sum[65], tmp[4096], now[32];
    size_t gz_len = 0;
    FILE *f = NULL;
    int rc = DT_ENOMEM;
    time_t t = time(NULL);
    struct tm tm;

    if (!user || !device_id || strlen(path) + 5 > sizeof(tmp)) {
        cJSON_Delete(doc);
        return err_set(err, DT_EINVAL, "%s: a bundle needs a user, a device and a shorter path",
                       path);
    }
    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
    revs_text = cJSON_PrintUnformatted(revisions);
    if (!doc || !revs_text)
        goto nomem;
    sha256_hex(revs_text, sum);
    if (!cJSON_AddStringToObject(doc, "format", "dieutra-bundle") ||
        !cJSON_AddNumberToObject(doc, "version", 1) ||
        !cJSON_AddStringToObject(doc, "user", user) ||
        !cJSON_AddStringToObject(doc, "device_id", device_id) ||
        !cJSON_AddStringToObject(doc, "created_at", now) ||
        !cJSON_AddItemReferenceToObject(doc, "revisions", revisions) ||
        !cJSON_AddStringToObject(doc, "sha256", sum))
        goto nomem;
    text = cJSON_PrintUnformatted(doc);
    if (!text)
        goto nomem;
    if ((rc = proto_gzip(&gz, &gz_len, text, strlen(text), err)))
        goto cleanup;
    if (centre_pk) {
        char *sealed = NULL;
        if ((rc = seal_to(centre_pk, gz, gz_len, &sealed, &gz_len, err)))
            goto cleanup;
        free(gz);
        gz = sealed;
    }
    /* Written beside the target and renamed over it: a stick pulled out half-way leaves
     * the old bundle or none, never half of one. */
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "wb");
    if (!f || fwrite(gz, 1, gz_len, f) != gz_len || fflush(f) || fsync(fileno(f))) {
        rc = err_set(err, DT_EIO, "%s: cannot write the bundle", tmp);
        goto cleanup;
    }
    fclose(f);
    f = NULL;
    if (rename(tmp, path) != 0) {
        rc = err_set(err, DT_EIO, "%s: cannot write the bundle: %s", path, strerror(errno));
        remove(tmp);
        goto cleanup;
    }
    sync_folder(path);
    rc = DT_OK;
    goto cleanup;
nomem:
    rc = err_set(err, DT_ENOMEM, "out of memory");
cleanup:
    if (f) {
        fclose(f);
        remove(tmp);
    }
    free(gz);
    cJSON_free(text);
    cJSON_free(revs_text);
    cJSON_Delete(doc);
    return rc;
}

int proto_bundle_read(const char *path, cJSON **doc, const cJSON **revs, const char **user,
                      dt_err *err)
{
    return proto_bundle_read_sealed(path, NULL, NULL, doc, revs, user, err);
}

/* A sealed bundle opened with the centre's key pair into *raw in place of what was read. */
static int bundle_open(const char *path, const unsigned char *pk, const unsigned char *sk,
                       char **raw, size_t *raw_len, dt_err *err)
{
    char *opened = NULL, why[DT_ERR_MSG_MAX];
    size_t len = 0;
    int rc;

    if (!pk || !sk)
        return err_set(err, DT_EINVAL,
                       "%s: the bundle is sealed to the centre's key: import it with `syncd "
                       "import` on the centre's store",
                       path);
    if ((rc = seal_open(pk, sk, *raw, *raw_len, &opened, &len, err))) {
        snprintf(why, sizeof(why), "%s", err->msg);
        return err_set(err, rc, "%s: %s", path, why);
    }
    free(*raw);
    *raw = opened;
    *raw_len = len;
    return DT_OK;
}

int proto_bundle_read_sealed(const char *path, const unsigned char *centre_pk,
                             const unsigned char *centre_sk, cJSON **doc, const cJSON **revs,
                             const char **user, dt_err *err)
{
    char *raw = NULL, *text = NULL, *revs_text = NULL, sum[65];
    size_t raw_len = 0, len = 0;
    const cJSON *fmt, *ver, *given;
    long long version = 0;
    int rc;

    *doc = NULL;
    *revs = NULL;
    *user = NULL;
    if ((rc = file_read(&raw, &raw_len, path, BUNDLE_MAX, err)))
        return rc;
    if (seal_is(raw, raw_len) &&
        (rc = bundle_open(path, centre_pk, centre_sk, &raw, &raw_len, err)))
        goto cleanup;
    if ((rc = proto_gunzip(&text, &len, raw, raw_len, PROTO_MAX_INFLATED * 8, err))) {
        char why[DT_ERR_MSG_MAX];
        snprintf(why, sizeof(why), "%s", err->msg);
        err_set(err, DT_EINVAL, "%s: not a bundle, or damaged: %s", path, why);
        rc = DT_EINVAL;
        goto cleanup;
    }
    if ((rc = json_parse(doc, text, len, path, err)))
        goto cleanup;
    fmt = cJSON_GetObjectItemCaseSensitive(*doc, "format");
    ver = cJSON_GetObjectItemCaseSensitive(*doc, "version");
    given = cJSON_GetObjectItemCaseSensitive(*doc, "sha256");
    *revs = cJSON_GetObjectItemCaseSensitive(*doc, "revisions");
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(*doc, "user");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "dieutra-bundle") != 0 ||
        !json_get_int(ver, &version) || version != 1 || !cJSON_IsArray(*revs) ||
        !cJSON_IsString(given) || !cJSON_IsString(u)) {
        rc = err_set(err, DT_EINVAL, "%s: not a dieutra bundle of version 1", path);
        goto cleanup;
    }
    revs_text = cJSON_PrintUnformatted(*revs);
    if (!revs_text) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    sha256_hex(revs_text, sum);
    if (strcmp(sum, given->valuestring) != 0) {
        rc = err_set(err, DT_EINVAL,
                     "%s: the checksum does not match: the bundle was changed "
                     "or damaged on the way",
                     path);
        goto cleanup;
    }
    *user = u->valuestring;
    rc = DT_OK;
cleanup:
    if (rc) {
        cJSON_Delete(*doc);
        *doc = NULL;
        *revs = NULL;
    }
    cJSON_free(revs_text);
    free(text);
    free(raw);
    return rc;
}
