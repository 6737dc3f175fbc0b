/* proto.h - the sync protocol's shared pieces: revisions on the wire, push batches, gzip, bundles
 * (the contract is docs/protocol.md) */
#ifndef DT_PROTO_H
#define DT_PROTO_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "err.h"

#define PROTO_MAX_BODY     (8 * 1024 * 1024)  /* a request body as sent */
#define PROTO_MAX_INFLATED (64 * 1024 * 1024) /* a body once decompressed */
#define PROTO_MAX_BATCH    200                /* revisions in one push */
#define PROTO_MAX_PULL     500                /* changes in one pull answer */
#define PROTO_MAX_NAME     200                /* bytes in author, ids, timestamps */

/* One revision as it travels. Strings point into the cJSON it was parsed from (or
 * belong to whoever built it); answers and paradata are that document's objects. */
typedef struct proto_rev {
    const char *rev_id;        /* UUID */
    const char *case_id;       /* UUID */
    const char *parent_rev_id; /* UUID or NULL */
    const char *form_id;
    int form_version;
    const char *author;
    const char *device_id;
    const char *created_at;    /* "2026-11-29T09:25:56Z" */
    const char *outcome;       /* "complete" or "refusal" */
    const char *assignment_id; /* or NULL */
    const cJSON *answers;      /* object */
    const cJSON *paradata;     /* object */
    const cJSON *json;         /* the whole revision object */
} proto_rev;

/* Reads a revision object, checking every field's presence, type and shape. On
 * error returns DT_EINVAL with err naming the field ("revisions[3].rev_id: expected a
 * UUID"); prefix is that "revisions[3]". */
int proto_rev_parse(proto_rev *out, const cJSON *j, const char *prefix, dt_err *err);

/* Builds the wire object of a revision from its parts (answers and paradata are
 * JSON text, parsed here). NULL when out of memory or the text is not JSON. */
cJSON *proto_rev_build(const proto_rev *r, const char *answers_json, const char *paradata_json);

/* A push body, parsed: device_id and its revisions. revs points into doc. */
typedef struct proto_push {
    cJSON *doc; /* owned: the parsed body */
    const char *device_id;
    proto_rev *revs; /* owned array */
    int nrevs;
} proto_push;

/* Parses a push body of len bytes (already decompressed): JSON, the shape of
 * docs/protocol.md, at most max_revs revisions. Returns 0, DT_EINVAL (err names what),
 * DT_ENOMEM, or DT_ERR with "too many revisions" (the HTTP layer answers 413). */
int proto_push_parse(proto_push *out, const char *body, size_t len, int max_revs, dt_err *err);
void proto_push_free(proto_push *p);

/* A stable fingerprint of a revision's content (BLAKE2b of its compact JSON), as
 * lowercase hex in out (65 bytes): syncd compares it to tell a re-sent revision from a
 * different body under a known rev_id. */
void proto_rev_hash(const proto_rev *r, char *out);

/* proto_rev_hash, given the compact texts of r->answers and r->paradata
 * (json_print_compact), which a caller storing them has made anyway: the same bytes are
 * hashed, piece by piece, without printing the revision again. Returns 0, DT_ENOMEM, or
 * DT_EINVAL for a member cJSON cannot print (none in a parsed revision); out is then
 * unchanged. */
int proto_rev_hash_texts(const proto_rev *r, const char *answers_text, const char *paradata_text,
                         char *out);

/* 1 when data starts like a gzip stream. */
int proto_is_gzip(const void *data, size_t len);

/* Decompresses a gzip stream, refusing to produce more than max bytes (the output is
 * checked while it grows: a bomb is stopped early). *out is NUL-terminated and owned
 * by the caller (free()). Returns 0, DT_EINVAL (not gzip, corrupt, truncated) or
 * DT_ERR (larger than max; err says so). */
int proto_gunzip(char **out, size_t *out_len, const void *in, size_t in_len, size_t max,
                 dt_err *err);

/* Compresses with gzip. *out owned by the caller (free()). */
int proto_gzip(char **out, size_t *out_len, const void *in, size_t in_len, dt_err *err);

/* The error body of docs/protocol.md: {"error": {"code": ..., "message": ...}} as text,
 * owned by the caller. */
char *proto_error_body(const char *code, const char *message);

/* Bundles: a gzip-compressed document holding revisions, with a SHA-256 checksum. */
int proto_bundle_write(const char *path, const char *user, const char *device_id, cJSON *revisions,
                       dt_err *err);
/* The same sealed to the centre's public key (seal.h): what a laptop writes, so that a copied
 * stick shows nothing. */
int proto_bundle_write_sealed(const char *path, const char *user, const char *device_id,
                              cJSON *revisions, const unsigned char *centre_pk, dt_err *err);
/* Reads and checks a bundle (format, version, checksum, size). *doc is the whole
 * document (owned by the caller); *revs its "revisions" array, *user its "user". A sealed
 * bundle is refused (read it with the _sealed form). */
int proto_bundle_read(const char *path, cJSON **doc, const cJSON **revs, const char **user,
                      dt_err *err);
/* The same opening a sealed bundle with the centre's key pair (both NULL: refused); a bundle
 * that is not sealed (an older laptop's) is read as it is. */
int proto_bundle_read_sealed(const char *path, const unsigned char *centre_pk,
                             const unsigned char *centre_sk, cJSON **doc, const cJSON **revs,
                             const char **user, dt_err *err);

#endif
