/* sync_data.h - synthetic uploads for the sync benchmark: households as the collector sends them
 * (wire revisions in gzip-compressed push batches), the rows syncd stores for them, and the
 * same answers as ODK XML instances */
#ifndef BENCH_SYNC_DATA_H
#define BENCH_SYNC_DATA_H

#include <stddef.h>

#include "err.h"
#include "form.h"
#include "synth.h"
#include "uuid.h"

/* One enumerator's laptop. */
typedef struct sdata_client {
    char user[32];                /* syncd user name */
    char token[96];               /* their bearer token */
    char author[64];              /* the name on their revisions */
    char device_id[UUID_LEN + 1]; /* their laptop */
    long long cursor;             /* their pull cursor */
} sdata_client;

/* One finalized interview. */
typedef struct sdata_hh {
    char rev_id[UUID_LEN + 1];
    char case_id[UUID_LEN + 1];
    char created_at[24]; /* "2026-11-29T09:25:56Z" */
    char hash[65];       /* proto_rev_hash: what syncd stores as body_hash */
    int client;          /* index of the laptop that pushes it */
    const char *outcome; /* "complete" or "refusal" (static) */
    char *answers;       /* compact JSON, exactly as syncd stores it */
    char *paradata;      /* the same */
    char *commune;       /* the commune_code answer, or NULL */
    char *hkey;          /* the household key as syncd joins it, or NULL */
    char *xml;           /* the ODK XML instance of the same answers */
    int members;
} sdata_hh;

/* One push: households [first, first + n), all of one client. */
typedef struct sdata_batch {
    int client;
    int first, n;
    char *gz; /* the body as the collector sends it: gzip of the JSON */
    size_t gz_len;
    size_t json_len; /* the JSON's size before compression */
} sdata_batch;

typedef struct sdata_set {
    sdata_hh *hh;
    int n;
    sdata_batch *batches;
    int nbatches;
    long members;
} sdata_set;

/* Generates n households with synth_household (numbers first_number, first_number + 1,
 * ...), each loaded into the engine and validated (an invalid one is an error), with fresh
 * UUIDs, the answers as the engine writes them back (what the collector stores), paradata
 * as an interview records it (a time for every screen), and cuts them into push batches
 * of at most `batch` revisions, batch k belonging to client k % nclients, each batch
 * built with proto_rev_build and gzip-compressed exactly as `collector sync` does.
 * Returns 0, or an error with err set (*out is then empty). *out is freed with
 * sdata_free. */
int sdata_make(sdata_set *out, const form *f, synth_rng *rng, long first_number, int n, int batch,
               const sdata_client *clients, int nclients, dt_err *err);

/* The same households for one client without push batches: their wire revisions go to *revs,
 * a cJSON array owned by the caller, as a bundle of `collector bundle export` holds them. */
int sdata_make_revs(sdata_set *out, cJSON **revs, const form *f, synth_rng *rng, long first_number,
                    int n, const sdata_client *client, dt_err *err);

/* One set of households for sdata_make_jobs: numbers first, first + 1, ..., from a generator
 * of its own seeded with seed, so that what it holds does not depend on the other jobs. */
typedef struct sdata_job {
    long first;
    int n;
    unsigned long long seed;
    int revs_only; /* sdata_make_revs for clients[0] rather than sdata_make */
    sdata_set set; /* the result; freed with sdata_free */
    cJSON *revs;   /* with revs_only: the wire revisions, the caller's to delete */
} sdata_job;

/* Runs sdata_make (or sdata_make_revs) for each job on a thread of its own (the engine shares a
 * form between threads, as syncd does): a province's households are generated on every core.
 * Returns 0, or the first failed job's error (every job is then empty). */
int sdata_make_jobs(sdata_job *jobs, int count, const form *f, int batch,
                    const sdata_client *clients, int nclients, dt_err *err);

/* Frees what a set holds. Accepts an empty set. */
void sdata_free(sdata_set *s);

#endif
