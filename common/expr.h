/* expr.h - the XLSForm/ODK expression language: parsed once, evaluated often */
#ifndef DT_EXPR_H
#define DT_EXPR_H

#include <stddef.h>

#include "err.h"

/* A parsed expression (opaque). Immutable after expr_parse, so one form can
 * be evaluated from several threads at once (syncd validates in parallel). */
typedef struct expr expr;

/* Scratch memory for the strings an evaluation makes (concat(), number to
 * string conversions). Reset it between evaluations; never shared between
 * threads. */
typedef struct expr_scratch expr_scratch;

typedef enum expr_kind {
    EXPR_STR,  /* text; an unanswered question is the empty string */
    EXPR_NUM,  /* a double; NaN for "not a number" */
    EXPR_BOOL, /* num is 0 or 1 */
    EXPR_DATE, /* num is days since 1970-01-01 */
    EXPR_SET   /* the instances of a repeated question, seen from outside its repeat */
} expr_kind;

/* A value during evaluation. Strings are borrowed: from the answers, from
 * the expression text, or from the scratch; they are NUL-terminated. */
typedef struct expr_val {
    expr_kind kind;
    double num;      /* EXPR_NUM, EXPR_BOOL, EXPR_DATE */
    const char *str; /* EXPR_STR */
    size_t len;      /* EXPR_STR: bytes */
    int ref;         /* EXPR_SET: the question whose instances these are */
    int count;       /* EXPR_SET: how many instances */
} expr_val;

/* Where names are resolved while parsing. For ${name} (bare == 0), for a
 * bare name (bare == 1, a choice attribute in a choice_filter) and for
 * pulldata()'s table (bare == EXPR_NAME_DATA), returns a reference number
 * >= 0, or -1 when the name is unknown. */
#define EXPR_NAME_DATA 2
typedef int (*expr_resolve_fn)(void *ctx, const char *name, size_t len, int bare);

/* What an evaluation reads. The engine fills it in; expressions have no other
 * way to see the world, which keeps them pure and deterministic. */
typedef struct expr_env {
    void *ctx;
    /* Value of reference ref (a question, or a bare choice attribute when
     * bare is 1) as seen from the current context. */
    void (*lookup)(void *ctx, int ref, int bare, expr_val *out);
    /* Item i (0-based) of a set returned by lookup; "" when there is no item i
     * (indexed-repeat() asks for any). */
    void (*item)(void *ctx, int ref, int i, expr_val *out);
    /* The label of the choice whose code is code[0..len) in question ref's list, in the
     * interview's language (jr:choice-name()); "" when there is none. NULL: always "". */
    void (*choice_label)(void *ctx, int ref, const char *code, size_t len, expr_val *out);
    /* pulldata(): column col of data table ref's first row whose key_col is key; NULL
     * when there is none. NULL: always "". */
    const char *(*pulldata)(void *ctx, int ref, const char *col, const char *key_col,
                            const char *key);
    expr_val dot;          /* the value of "." (the question being checked) */
    int position;          /* 1-based instance of the current repeat; 0 outside */
    int today;             /* days since 1970-01-01 for today() */
    expr_scratch *scratch; /* where made strings go */
} expr_env;

/* Parses text. Names are resolved through resolve(ctx, ...). On error
 * returns DT_EINVAL and err says "column N: what is wrong" (N is 1-based and
 * counts bytes). *out is owned by the caller: expr_free. */
int expr_parse(expr **out, const char *text, expr_resolve_fn resolve, void *ctx, dt_err *err);

/* Frees e. Accepts NULL. */
void expr_free(expr *e);

/* The source text e was parsed from. */
const char *expr_text(const expr *e);

/* The distinct ${...} references of e (not the bare ones), for dependency
 * analysis. *n receives their number; the array belongs to e. */
const int *expr_refs(const expr *e, size_t *n);

/* 1 when e uses "." (the current answer), 0 otherwise. */
int expr_uses_dot(const expr *e);

/* Evaluates e. Never fails: type mismatches give NaN or "", as in XPath. */
void expr_eval(const expr *e, const expr_env *env, expr_val *out);

/* Evaluates e as a boolean (XPath boolean() rules). */
int expr_eval_bool(const expr *e, const expr_env *env);

/* Conversions with XPath 1.0 rules, shared with the engine. expr_to_string
 * may put the text in env->scratch. */
double expr_to_number(const expr_val *v);
int expr_to_bool(const expr_val *v);
const char *expr_to_string(const expr_val *v, const expr_env *env, size_t *len);

/* Scratch memory: new (NULL when out of memory), reset, free (accepts NULL). */
expr_scratch *expr_scratch_new(void);
void expr_scratch_reset(expr_scratch *s);
void expr_scratch_free(expr_scratch *s);

/* Parses "YYYY-MM-DD" (a real calendar date) into days since 1970-01-01.
 * Returns 1 on success, 0 otherwise. */
int expr_parse_date(const char *s, size_t len, int *days);

/* Formats days since 1970-01-01 as "YYYY-MM-DD" into out (at least 11 bytes). */
void expr_format_date(int days, char *out);

/* Formats a number as XPath does: integers without a decimal point, NaN as
 * "NaN". out must hold at least 32 bytes. */
void expr_format_number(double d, char *out, size_t size);

#endif
