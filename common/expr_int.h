/* expr_int.h - the parsed form of an expression, private to expr_parse.c and expr_eval.c */
#ifndef DT_EXPR_INT_H
#define DT_EXPR_INT_H

#include <regex.h>

#include "expr.h"

typedef enum node_type {
    N_NUM,  /* literal number: num */
    N_STR,  /* literal string: str, len */
    N_REF,  /* ${name}: ref */
    N_ATTR, /* bare name (choice attribute): ref */
    N_DOT,  /* . */
    N_NEG,  /* unary minus: a */
    N_BIN,  /* binary operator op: a, b */
    N_CALL  /* function fn: args[first .. first+nargs) in expr->args */
} node_type;

typedef enum bin_op {
    OP_OR,
    OP_AND,
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_MOD
} bin_op;

typedef enum fn_id {
    F_SELECTED,
    F_COUNT_SELECTED,
    F_STRING_LENGTH,
    F_REGEX,
    F_IF,
    F_COALESCE,
    F_TODAY,
    F_INT,
    F_ROUND,
    F_COUNT,
    F_SUM,
    F_POSITION,
    F_NOT,
    F_CONCAT,
    F_CONTAINS,
    F_STARTS_WITH,
    F_STRING,
    F_NUMBER,
    F_TRUE,
    F_FALSE,
    F_MIN,
    F_MAX,
    F_DATE,
    F_SUBSTR,
    F_SELECTED_AT,
    F_DECIMAL_DATE_TIME,
    F_DECIMAL_TIME,
    F_FORMAT_DATE,
    F_ONCE,
    F_CHOICE_NAME,
    F_INDEXED_REPEAT,
    F_ABS,
    F_FLOOR,
    F_CEILING,
    F_POW,
    F_PULLDATA
} fn_id;

typedef struct node {
    node_type type;
    int op;          /* bin_op for N_BIN, fn_id for N_CALL */
    int a, b;        /* operand nodes */
    int first;       /* N_CALL: first argument's slot in expr->args */
    int nargs;       /* N_CALL */
    int ref;         /* N_REF, N_ATTR */
    int regex;       /* N_CALL regex() with a literal pattern: index in expr->regexes, else -1 */
    double num;      /* N_NUM */
    const char *str; /* N_STR: points into expr->strings */
    size_t len;      /* N_STR */
    int height;      /* levels below and including this node: bounds evaluation's recursion */
} node;

struct expr {
    char *text;  /* the source, owned */
    node *nodes; /* every node, owned */
    int nnodes;
    int root;  /* index of the root node */
    int *args; /* argument node indexes of every call, owned */
    int nargs;
    char *strings; /* decoded string literals, NUL-separated, owned */
    int *refs;     /* distinct ${} references, owned */
    size_t nrefs;
    regex_t *regexes; /* compiled literal patterns, owned */
    int nregexes;
    int uses_dot;
};

/* expr_fn.c. substr(): the characters of s[0..len) from start (0-based) to end (not included;
 * NAN: to the end) as *out, *outlen (within s). expr_token_at: the n-th (0-based) space-separated
 * token, 1 when there is one. decimal-time() of "HH:MM[:SS]" and decimal-date-time() of
 * "YYYY-MM-DD[THH:MM[:SS]]" (days since 1970-01-01, the time their fraction): NAN when s is not
 * one. format-date(): when (days, a fraction the time of day) by fmt's %Y %y %m %n %b %d %e %a
 * %H %h %M %S into out; the length written ("" when when is no date). */
void expr_substr(const char *s, size_t len, double start, double end, const char **out,
                 size_t *outlen);
int expr_token_at(const char *s, size_t len, double n, const char **out, size_t *outlen);
double expr_decimal_time(const char *s, size_t len);
double expr_decimal_date_time(const char *s, size_t len);
size_t expr_format_date_text(double when, const char *fmt, size_t flen, char *out, size_t size);

/* Translates the Perl shorthands \d \D \s \S \w \W that form authors write
 * into POSIX ERE and compiles the pattern. Returns 0 or regcomp's code. */
int expr_regcomp(regex_t *re, const char *pattern, size_t len);

#endif
