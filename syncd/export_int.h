/* export_int.h - the inside of exports, shared by export.c (the pass over the cases),
 * export_layout.c (the files' variables, a row's values), export_codebook.c, and the writers
 * export_csv.c, export_stat.c (dta and sav) and export_json.c */
#ifndef SYNCD_EXPORT_INT_H
#define SYNCD_EXPORT_INT_H

#include "export.h"
#include "buf.h"
#include "engine.h"
#include "form.h"
#include "place.h"

#include <stdio.h>

/* Where a variable's value comes from. */
typedef enum exp_src {
    SRC_CASE_ID,
    SRC_STATUS,
    SRC_OUTCOME,
    SRC_ENUMERATOR,
    SRC_FORM_VERSION,
    SRC_WEIGHT,
    SRC_STRATUM,
    SRC_PSU,
    SRC_POSITION, /* the instance's number in its repeat, from 1 */
    SRC_ANSWER,   /* the answer to question q */
    SRC_CHOICE,   /* 1 when select_multiple q has code selected, else 0 */
    SRC_GEO,      /* part `part` of geopoint q: latitude, longitude, altitude, accuracy */
    /* Where the case lies (place.h), when the newest version declares a table of units: */
    SRC_AREA_RECORDED,      /* the area code as its own version recorded it */
    SRC_AREA_RECORDED_NAME, /* that unit's name in the table (a former unit's name then) */
    SRC_UNIT_TODAY,         /* the newest version's choice code of the unit of today */
    SRC_UNIT_TODAY_CODE,    /* its code in the table ("03980") */
    SRC_FORMER_DISTRICTS,   /* its former districts ("122+125") */
    SRC_PLACEMENT,          /* how it was found (place_how_name) */
    SRC_CANDIDATES,         /* a split former unit the frame does not settle: the candidates */
    /* The weights (exp_options.weights): */
    SRC_WT_FINAL, /* the household's final weight */
    SRC_REPW,     /* its replicate weight number part + 1 */
} exp_src;

/* What a variable holds. */
typedef enum exp_vtype {
    VT_STR,  /* text */
    VT_INT,  /* whole numbers */
    VT_NUM,  /* any number */
    VT_CODE, /* a select_one code, with the list's value labels */
    VT_BIN,  /* 0/1 of a select_multiple choice, with no/yes labels */
    VT_DATE, /* days since 1970-01-01; "YYYY-MM-DD" in text */
    VT_CALC, /* a calculate: a number when every value is one, else text */
} exp_vtype;

/* One column of one file. */
typedef struct exp_var {
    char name[FORM_NAME_MAX + 1]; /* unique in its file (ignoring case), valid in Stata and SPSS */
    char *label;                  /* variable label in the chosen language, owned */
    char *note; /* for the codebook: why the name is not the question's; or NULL */
    exp_src src;
    exp_vtype type;
    int q;                 /* SRC_ANSWER, SRC_CHOICE, SRC_GEO: question (layout form), else -1 */
    long long code;        /* SRC_CHOICE */
    int part;              /* SRC_GEO */
    const form_list *list; /* VT_CODE: the value labels */
    /* What the data held, gathered while the rows go by (dta and sav need it first). */
    long long nnum, nstr; /* numbers and texts seen */
    int all_int;          /* every number seen was whole */
    double min, max;      /* of the numbers */
    size_t max_len;       /* longest text, in bytes */
    long long ncut;       /* texts cut to fit the format ... */
    size_t width;         /* ... in this many bytes (dta, sav: the text's storage) */
    int label_cut;        /* the label was cut to fit the format */
    char storage[16];     /* dta, sav: how it is stored ("int8", "str36", "double") */
    int pn;               /* the values are replaced by their keyed hash (exp_pseudonym) */
} exp_var;

/* One output file: households (repeat -1) or one repeat's instances. */
typedef struct exp_level {
    char name[FORM_NAME_MAX + 8]; /* file name without extension */
    int repeat;                   /* the repeat question (layout form), or -1 */
    exp_var *vars;
    int nvars;
    long long rows;
} exp_level;

/* Where one case lies, as a row of households shows it. */
typedef struct exp_place {
    place_result r;
    long long choice;                       /* r.unit's code in the newest version's list ... */
    int has_choice;                         /* ... when r.unit is placed and listed */
    char cands[PLACE_CANDS * GEO_CODE_MAX]; /* "03980 04078" */
} exp_place;

/* A value while a row goes by. Texts are borrowed (from the interview or the case row). */
typedef enum exp_cell_kind { CELL_MISSING, CELL_NUM, CELL_STR } exp_cell_kind;
typedef struct exp_cell {
    exp_cell_kind kind;
    double num;      /* CELL_NUM */
    const char *str; /* CELL_STR: the text; CELL_NUM: its canonical text, or NULL */
    size_t len;
} exp_cell;

/* A form version other than the layout's, mapped by question name. */
typedef struct exp_vmap {
    int version;
    const form *f;
    int *q; /* layout question -> this version's question with the same name and type, or -1 */
    unsigned char *names; /* this version's question -> 1 when its answer names people
                             (exp_names_version) */
    struct exp_vmap *next;
} exp_vmap;

typedef struct exp_ctx exp_ctx;

/* Per-format state, private to each writer. */
typedef struct exp_csv exp_csv;
typedef struct exp_stat exp_stat;
typedef struct exp_json exp_json;

/* A batch of cases on its way: copied from the store by the main thread, turned into bytes
 * for each file by a worker, written by the main thread in case order. */
#define EXP_BATCH 64
typedef enum exp_job_state { JOB_FREE, JOB_READY, JOB_DONE } exp_job_state;
typedef struct exp_job {
    exp_job_state state;
    int n;                         /* cases in the batch */
    store_case_row row[EXP_BATCH]; /* strings point into text (or the store's row, inline) */
    size_t off[EXP_BATCH][13];     /* while filling: where each string is in text */
    exp_vmap *vm[EXP_BATCH];
    size_t end[EXP_BATCH];           /* JSON: where each case's document ends in out[0] */
    long placed[PLACE_NO_TABLE + 1]; /* the batch's cases by how they were placed */
    char *text;
    size_t len, cap;
    buf *out;        /* per level: CSV lines, spool records, or JSON documents */
    long long *rows; /* per level */
    int rc;
    dt_err err;
} exp_job;

#define EXP_NUM_TEXT 400 /* the longest text of a number (1e300 in plain decimal) */

/* A worker's scratch: never shared. */
typedef struct exp_worker {
    exp_ctx *x;
    exp_cell *cells;           /* as many as the widest level */
    const char **fields;       /* CSV: the texts of a row */
    char (*num)[EXP_NUM_TEXT]; /* CSV: texts of numbers, one per field */
    char (*pn)[EXP_PN_SIZE];   /* the pseudonyms of a row, one per field */
} exp_worker;

struct exp_ctx {
    store *s;
    const exp_options *o;
    const struct exp_writer *w; /* the format's */
    const form *f;              /* the layout form: the newest version */
    placer *pl;  /* where cases lie in the units of today; NULL when f declares no table */
    int lang;    /* index in f */
    int meta_en; /* our own labels in English (the form language is not "vi") */
    exp_level *levels;
    int nlevels;
    int widest; /* the most variables in one file */
    exp_vmap *vmaps;
    exp_summary *sum;
    unsigned char *names; /* layout question -> 1: a direct identifier, or a calculation that
                             reads one (export_names.c) */
    int pseudonymise;     /* replace their answers by keyed hashes (not with_names) */
    unsigned char pn_key[STORE_PSEUDONYM_KEY_BYTES]; /* the store's, when pseudonymise */
    dt_err err;                                      /* the first error inside the pass */
    exp_csv *csv;
    exp_stat *stat;
    exp_json *json;
    /* the pipeline (export.c) */
    exp_job *jobs;
    int njobs;                              /* slots in the ring */
    int nthreads;                           /* workers; 0: each case is done inline */
    exp_worker *workers;                    /* nthreads + 1: the last is the main thread's */
    void *pool;                             /* threads, lock and conditions */
    long long next_in, next_work, next_out; /* jobs submitted, taken by a worker, written */
    int stop, abort;
};

/* A file in the output folder: the final path and the temporary one written first. */
int exp_path(char *out, size_t size, const exp_ctx *x, const char *name, const char *ext,
             int partial);
/* Opens DIR/NAME.EXT.partial for writing (mode 0600) with a large buffer. */
int exp_open(FILE **out, const exp_ctx *x, const char *name, const char *ext, dt_err *err);
/* Closes f, checking that everything reached the disk, and records NAME.EXT in the summary
 * with rows. The export renames every NAME.EXT.partial to NAME.EXT at its very end, when
 * all were written, or removes them all. */
int exp_commit(exp_ctx *x, FILE *f, const char *name, const char *ext, long long rows, dt_err *err);
/* Removes DIR/NAME.EXT.partial (after a failure). */
void exp_discard(const exp_ctx *x, const char *name, const char *ext);
/* Reports progress when the caller asked for it. */
void exp_progress(const exp_ctx *x, const char *phase, long long done, long long total);
/* Writes bytes to f; DT_EIO naming what on failure. */
int exp_write(FILE *f, const void *p, size_t n, const char *what, dt_err *err);
/* Every file is complete (ok): each takes its final name; or something failed: none does, and
 * the partial files go. */
int exp_publish(exp_ctx *x, int ok, dt_err *err);

/* "csv", "dta", "sav", "jsonl". */
const char *exp_format_ext(exp_format f);
/* printf into a new string, owned by the caller; NULL when out of memory. */
char *exp_xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The codebook's note on wt_final: how the weights were made and how R and Stata declare the
 * design. Owned by the caller; NULL when out of memory. */
char *exp_design_note(const ind_weights *w);

/* The layout (export_layout.c): the variables of every file, from the newest version, and the
 * other versions met on the way, mapped by question name (store_form_get: main thread only). */
int exp_layout_build(exp_ctx *x);
void exp_layout_free(exp_ctx *x);
/* A question's label in the export's language (its name when it has none). */
const char *exp_qlabel(const exp_ctx *x, const form_question *fq);
int exp_vmap_get(exp_ctx *x, const char *form_id, int version, exp_vmap **out, dt_err *err);
/* The cells of one row of lv into w->cells: instance inst of its repeat (0 for households). */
void exp_fill(exp_worker *w, const exp_level *lv, const exp_vmap *vm, interview *iv,
              const store_case_row *row, const exp_place *at, int inst);
/* Names of people (export_names.c). exp_names_begin, before the layout: which questions of the
 * newest version name people (x->names), and the store's key when they are to be hashed.
 * exp_names_version: the same for another version's questions (m->names), by name, the
 * version's own calculations that read them added. exp_names_end wipes the key. */
int exp_names_begin(exp_ctx *x, dt_err *err);
int exp_names_version(const exp_ctx *x, exp_vmap *m);
void exp_names_end(exp_ctx *x);
/* The pseudonym of the text s (len bytes) into out: "pn_" and 16 hex digits of its keyed hash,
 * after trimming, collapsing spaces and lower-casing A-Z; returns its length, or 0 (out "")
 * when nothing is left of s. Safe in any thread. */
size_t exp_pseudonym(const exp_ctx *x, const char *s, size_t len, char out[EXP_PN_SIZE]);
/* Replaces, in answers (the answers format of form version vm, at any depth), the values of
 * the questions that name people by their pseudonyms. 0, or DT_ENOMEM. */
int exp_names_json(const exp_ctx *x, const exp_vmap *vm, cJSON *answers);
/* What the codebook says of a variable of question q (layout) that names people, or NULL. */
const char *exp_names_note(const exp_ctx *x, int q);

/* codebook.csv (export_codebook.c), after the data files. */
int exp_codebook_write(exp_ctx *x, dt_err *err);

/* The text of a number as XPath writes it ("3", "1.5", never an exponent), in out. */
const char *exp_num_text(double d, char *out, size_t size);
/* The longest prefix of s that is whole UTF-8 characters, at most max_bytes bytes and
 * max_chars characters (0: no limit). */
size_t exp_utf8_cut(const char *s, size_t len, size_t max_bytes, size_t max_chars);
/* "no"/"yes" (0/1) in the export's language. */
const char *exp_yesno(const exp_ctx *x, int yes);

/* ---- Writers: a format is one entry (export.c's table) and its own file. begin opens its
 * files; row (in a worker) appends one row's bytes of a level to out, or doc one case's whole
 * document when per_case; take (in the main thread, in case order) writes what a batch gave a
 * level (rows of them), or one case's document (case_id) when per_case; finish completes the
 * files; free releases everything and removes unfinished files. */
typedef struct exp_writer {
    const char *name; /* the --format value: "csv" */
    const char *ext;  /* its files' extension: "csv" */
    int per_case;     /* 1: one document per case with its roster inside (JSON Lines) */
    int (*begin)(exp_ctx *x, dt_err *err);
    int (*row)(exp_worker *w, const exp_level *lv, const exp_cell *cells, buf *out);
    int (*doc)(exp_ctx *x, const exp_vmap *vm, const store_case_row *row, interview *iv,
               const exp_place *at, buf *out);
    int (*take)(exp_ctx *x, int level, const char *case_id, const char *data, size_t len,
                long long rows, dt_err *err);
    int (*finish)(exp_ctx *x, dt_err *err);
    void (*free)(exp_ctx *x);
} exp_writer;

extern const exp_writer exp_writer_csv;  /* export_csv.c */
extern const exp_writer exp_writer_dta;  /* export_stat.c: rows spooled, then ReadStat */
extern const exp_writer exp_writer_sav;  /* export_stat.c */
extern const exp_writer exp_writer_json; /* export_json.c: the answers, the case's facts, and on
                                            request its history from a connection of its own */

#endif
