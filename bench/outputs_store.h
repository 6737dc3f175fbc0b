/* outputs_store.h - a province's store for the outputs benchmark, filled as a centre fills one:
 * bundles in `collector bundle export`'s format merged by the real `syncd import`, and the sample
 * frame through `syncd assign import` */
#ifndef BENCH_OUTPUTS_STORE_H
#define BENCH_OUTPUTS_STORE_H

#include "err.h"
#include "form.h"

typedef struct ostore_opts {
    const char *syncd;           /* the syncd program */
    const char *form_path;       /* the questionnaire published */
    const char *later_form_path; /* published once the cases are in (a version in the units of
                                    today, which places them), or NULL */
    const form *f;        /* the same, loaded: households are generated and validated with it */
    const char *path;     /* the store to make; must not exist */
    const char *workdir;  /* where bundles and the frame are written (and removed) */
    const char *log_path; /* syncd's standard error goes there */
    long households;
    int enumerators; /* one bundle in turn from each */
    int bundle;      /* households per bundle */
    unsigned long long seed;
} ostore_opts;

typedef struct ostore_info {
    double seconds;       /* to make it all: generation, imports, the frame */
    double frame_seconds; /* of which `syncd assign import` */
    double gen_seconds;   /* of which generating and writing bundles (imports run meanwhile) */
    double wait_seconds;  /* of which waiting for an import to end, nothing else running */
    long members;         /* roster members generated */
    int bundles;          /* `syncd import` runs */
} ostore_info;

/* Publishes the form, adds the enumerators, then generates the households with synth (each
 * validated by the engine, as in bench_sync) a bundle at a time, each bundle merged by
 * `syncd import` while the next is generated (two cores: one each), every revision tied to an
 * assignment of a frame (stratum = district, PSU = commune and village, a weight per commune)
 * imported at the end. Checks the store then holds exactly the households, each with its frame
 * row. 0, or an error with err (what syncd said is in log_path). */
int ostore_build(const ostore_opts *o, ostore_info *out, dt_err *err);

/* Counts a store's cases, revisions and cases with a frame row (read-only). 0 or an error. */
int ostore_count(const char *path, long *cases, long *revisions, long *framed, dt_err *err);

#endif
