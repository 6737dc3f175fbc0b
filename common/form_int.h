/* form_int.h - the inside of a form, private to form.c and form_load.c */
#ifndef DT_FORM_INT_H
#define DT_FORM_INT_H

#include "form.h"

#include <cjson/cJSON.h>

/* A table the form carries for pulldata() (form_data.c): text cells, NULL when empty. */
typedef struct form_data {
    char *name;
    char **cols;
    int ncols;
    char **cells; /* nrows x ncols */
    int nrows;
} form_data;

struct form {
    char *id;
    int version;
    char *langs[FORM_MAX_LANGS];
    int nlangs;
    char **title; /* one per language */
    form_list *lists;
    int nlists;
    form_question *qs; /* document order */
    int nqs;
    int *by_name; /* question indexes sorted by name, for form_find */
    int *order;   /* evaluation order (see form_eval_order) */
    int norder;
    expr *refusal;
    expr *instance_name; /* what an interview is called in lists, or NULL */
    int *hh_key;
    int nhh_key;
    int area_q;      /* the question holding the area unit, or -1 (form_geo.c) */
    int area_attr;   /* the attribute of its choices that holds the unit's code, or -1 */
    char *geo_table; /* the table of units, or NULL */
    int locality_q;  /* the place within the unit (village), or -1 */
    form_data *data; /* pulldata()'s tables */
    int ndata;
};

/* Frees an array of n strings and the array. */
void form_free_texts(char **t, int n);

/* Reads the form's "geography" (docs/form-format.md) into area_q, area_attr and geo_table,
 * after its questions; problems go to pr. Returns 0 or DT_ENOMEM. */
int form_load_geography(form *f, const cJSON *doc, errlist *pr);

/* Reads the form's "data" tables (form_data.c); problems go to pr. 0 or DT_ENOMEM. */
int form_load_data(form *f, const cJSON *doc, errlist *pr);
void form_free_data(form *f);

/* Builds f->by_name. Returns 0 or DT_ENOMEM. */
int form_index_names(form *f);

#endif
