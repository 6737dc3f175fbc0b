/* export.h - statisticians' exports: one file per level (households, the roster), a codebook,
 * as CSV, Stata .dta, SPSS .sav or JSON Lines, streamed from one snapshot of the store */
#ifndef SYNCD_EXPORT_H
#define SYNCD_EXPORT_H

#include "err.h"
#include "indicators.h"
#include "store.h"

typedef enum exp_format {
    EXP_CSV,  /* households.csv, members.csv: UTF-8, header row, RFC 4180 */
    EXP_DTA,  /* households.dta, members.dta: Stata 14+ (format 118, UTF-8) */
    EXP_SAV,  /* households.sav, members.sav: SPSS (bytecode-compressed, UTF-8) */
    EXP_JSON, /* households.jsonl: one document per case, the roster nested */
} exp_format;

/* The format called name ("csv", "dta", "sav", "json"), or -1. */
int exp_format_parse(const char *name);
const char *exp_format_name(exp_format f);

/* Told how far the export has gone: phase is "reading" (cases read from the store) or the
 * file being written ("households.dta"); total is -1 when not known. Called often (every
 * few hundred rows): the callee decides how often to show it. */
typedef void (*exp_progress_fn)(void *ctx, const char *phase, long long done, long long total);

typedef struct exp_options {
    exp_format format;
    const char *out_dir; /* made (mode 0700) when missing; files in it are replaced */
    const char *status;  /* "approved", or NULL for every case (finalized, approved, rejected) */
    const char *lang;    /* a language of the form for labels ("vi", "en"); NULL: the first */
    const char *form_id; /* NULL: the only published form */
    int history;         /* EXP_JSON: add each case's revisions and decisions */
    int with_names;      /* 1: direct identifiers (names of people) in clear; 0: each replaced by
                            its keyed hash (docs/exports.md, "Names of people") */
    const char *db_path; /* the store's file, read on a connection of its own for history */
    int threads;         /* cases turned into rows at once: 0 one per processor (at most 8);
                            1 everything in the calling thread */
    const ind_weights *weights; /* NULL, or each household's final and replicate weights:
                                   columns wt_final, rw_1.. in every file (docs/exports.md) */
    exp_progress_fn progress;   /* or NULL */
    void *progress_ctx;
} exp_options;

#define EXP_MAX_FILES 8

/* What an export wrote. */
typedef struct exp_summary {
    struct {
        char name[64];  /* "households.csv" */
        long long rows; /* data rows (the codebook: variables) */
    } files[EXP_MAX_FILES];
    int nfiles;
    long long cases;         /* cases read */
    char form_id[64];        /* the form whose variables were exported */
    int form_version;        /* its newest version: the columns */
    long long strings_cut;   /* text values cut to the format's longest string (dta: 2045 bytes) */
    long long other_version; /* cases taken on another version of the form (mapped by name) */
    char units[64];          /* the newest version's table of units, or "" when none: ... */
    long placed[6];          /* ... the cases by how they were placed (place_how) */
    char names[256];         /* the variables that name people (identifiers, and calculations
                                that read one), ", "-separated; "" when none */
    int names_hashed;        /* 1: they hold keyed hashes; 0: the names (with_names) */
} exp_summary;

/* The pseudonyms that replace names: "pn_" and 16 hex digits. */
#define EXP_PN_PREFIX "pn_"
#define EXP_PN_HEX    16
#define EXP_PN_SIZE   (sizeof(EXP_PN_PREFIX) + EXP_PN_HEX) /* with the NUL */

/* Exports the cases of one form (the newest published version gives the columns; cases of
 * older versions are mapped by question name) into o->out_dir, from one consistent snapshot
 * read on a connection of its own, so that pushes go on meanwhile. Memory stays bounded: one
 * case at a time (dta and sav need their row counts first: rows are spooled to an unlinked
 * file in out_dir, then written). Files are written under a temporary name and renamed when
 * complete, so a failed export leaves no half file under a final name.
 * Unless o->with_names, the answers of direct identifiers (form key "identifier") and of the
 * calculations that read them are replaced by their keyed hash (the store's key,
 * store_pseudonym_key) in every file: the flat files, the JSON answers and the history.
 * Returns 0 with *out filled; DT_EINVAL for a bad option (unknown language, history without
 * db_path or outside JSON), DT_ENOTFOUND when no form is published, DT_EIO when a file
 * cannot be written (the message names it), DT_ENOMEM; err says what. */
int exp_run(store *s, const exp_options *o, exp_summary *out, dt_err *err);

#endif
