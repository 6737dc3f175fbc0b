/* expr_eval.c - evaluation of parsed expressions with XPath 1.0 / ODK semantics */
#include "expr_int.h"

#define FORM_INSTANCES_BOUND 1e6 /* beyond any repeat: an index past it reads as "" */
#include "utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- scratch memory: a chain of chunks, so handed-out pointers never move */

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    char data[];
} chunk;

struct expr_scratch {
    chunk *head;
};

expr_scratch *expr_scratch_new(void)
{
    return calloc(1, sizeof(expr_scratch));
}

void expr_scratch_reset(expr_scratch *s)
{
    chunk *c, *next;

    if (!s || !s->head)
        return;
    /* Keep the newest (largest) chunk for reuse, free the rest. */
    for (c = s->head->next; c; c = next) {
        next = c->next;
        free(c);
    }
    s->head->next = NULL;
    s->head->used = 0;
}

void expr_scratch_free(expr_scratch *s)
{
    chunk *c, *next;

    if (!s)
        return;
    for (c = s->head; c; c = next) {
        next = c->next;
        free(c);
    }
    free(s);
}

/* Returns n bytes of scratch, or NULL when out of memory. */
static char *scratch_alloc(expr_scratch *s, size_t n)
{
    chunk *c = s ? s->head : NULL;

    if (!s)
        return NULL;
    if (!c || c->size - c->used < n) {
        size_t size = c ? c->size * 2 : 4096;
        while (size < n)
            size *= 2;
        c = malloc(sizeof(chunk) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = s->head;
        s->head = c;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

/* ---- dates (proleptic Gregorian, days since 1970-01-01) */

static int days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

int expr_parse_date(const char *s, size_t len, int *days)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;

    if (len != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    *days = days_from_civil(y, m, d);
    return 1;
}

void expr_format_date(int days, char *out)
{
    int y, m, d;

    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        out[0] = '\0';
        return;
    }
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

void expr_format_number(double d, char *out, size_t size)
{
    if (isnan(d)) {
        snprintf(out, size, "NaN");
    } else if (isinf(d)) {
        snprintf(out, size, d > 0 ? "Infinity" : "-Infinity");
    } else if (d == floor(d) && fabs(d) < 9.2e18) {
        snprintf(out, size, "%lld", (long long)d);
    } else {
        /* XPath writes numbers in plain decimal, never with an exponent. */
        char tmp[400];
        snprintf(tmp, sizeof(tmp), "%.15g", d);
        if (strchr(tmp, 'e')) {
            int prec = fabs(d) < 1 ? 15 - (int)floor(log10(fabs(d))) : 0;
            snprintf(tmp, sizeof(tmp), "%.*f", prec > 340 ? 340 : prec, d);
            if (strchr(tmp, '.')) {
                size_t n = strlen(tmp);
                while (n > 0 && tmp[n - 1] == '0')
                    tmp[--n] = '\0';
                if (n > 0 && tmp[n - 1] == '.')
                    tmp[--n] = '\0';
            }
        }
        snprintf(out, size, "%s", tmp);
    }
}

/* ---- regular expressions */

/* Patterns whose compilation explodes in glibc's regcomp (memory and time grow
 * exponentially with stacked or nested repetition: "a++++", "((a+)+)+", "a{99}{99}")
 * are refused before they get there: a form, or an answer, must not be able to take a
 * server down. Allowed: one level of repetition inside a repeated group, like
 * "^([A-Z][a-z]+ )+$", bounds up to 100, patterns up to 512 bytes. */
static int too_complex(const char *p, size_t len)
{
    int depth[16] = {0}; /* per open group: the deepest repetition inside it */
    int level = 0, prev_quant = 0, last_group = -1, bracket = 0;

    if (len > 512)
        return 1;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        int quant = 0;
        if (c == '\\') {
            i++;
            prev_quant = 0;
            last_group = -1;
            continue;
        }
        if (bracket) {
            bracket = c != ']';
            continue;
        }
        if (c == '[') {
            bracket = 1;
            if (i + 1 < len && p[i + 1] == ']')
                i++;
        } else if (c == '(') {
            if (++level >= 16)
                return 1;
            depth[level] = 0;
        } else if (c == ')' && level > 0) {
            last_group = depth[level];
            level--;
            prev_quant = 0;
            continue;
        } else if (c == '*' || c == '+' || c == '?' || c == '{') {
            if (c == '{') {
                long n = 0;
                for (i++; i < len && p[i] != '}'; i++)
                    if (p[i] >= '0' && p[i] <= '9' && (n = n * 10 + (p[i] - '0')) > 100)
                        return 1;
            }
            if (prev_quant)
                return 1;
            quant = 1;
            int inner = last_group >= 0 ? last_group + 1 : 1;
            if (inner > 2)
                return 1;
            if (inner > depth[level])
                depth[level] = inner;
        }
        if (!quant && last_group > depth[level])
            depth[level] = last_group;
        prev_quant = quant;
        last_group = -1;
    }
    return 0;
}

int expr_regcomp(regex_t *re, const char *pattern, size_t len)
{
    if (too_complex(pattern, len))
        return REG_ESPACE;
    /* Each shorthand becomes at most 14 bytes ("[^[:alnum:]_]"). */
    char *tr = malloc(len * 14 + 1);
    size_t o = 0;
    int in_bracket = 0, rc;

    if (!tr)
        return REG_ESPACE;
    for (size_t i = 0; i < len; i++) {
        char c = pattern[i];
        if (c == '\\' && i + 1 < len) {
            const char *rep = NULL;
            char n = pattern[i + 1];
            if (in_bracket) {
                rep = n == 'd' ? "0-9" : n == 's' ? "[:space:]" : n == 'w' ? "[:alnum:]_" : NULL;
            } else {
                rep = n == 'd'   ? "[0-9]"
                      : n == 'D' ? "[^0-9]"
                      : n == 's' ? "[[:space:]]"
                      : n == 'S' ? "[^[:space:]]"
                      : n == 'w' ? "[[:alnum:]_]"
                      : n == 'W' ? "[^[:alnum:]_]"
                                 : NULL;
            }
            if (rep) {
                size_t rl = strlen(rep);
                memcpy(tr + o, rep, rl);
                o += rl;
            } else {
                tr[o++] = c;
                tr[o++] = n;
            }
            i++;
            continue;
        }
        if (c == '[' && !in_bracket) {
            in_bracket = 1;
            tr[o++] = c;
            /* A ']' right after '[' or '[^' is a literal member. */
            if (i + 1 < len && pattern[i + 1] == '^')
                tr[o++] = pattern[++i];
            if (i + 1 < len && pattern[i + 1] == ']')
                tr[o++] = pattern[++i];
            continue;
        }
        if (c == '[' && in_bracket && i + 1 < len &&
            (pattern[i + 1] == ':' || pattern[i + 1] == '.' || pattern[i + 1] == '=')) {
            /* A class like [:alpha:] inside a bracket: copy it whole, so that its
             * ']' does not end the bracket. */
            char kind = pattern[i + 1];
            size_t j = i + 2;
            while (j + 1 < len && !(pattern[j] == kind && pattern[j + 1] == ']'))
                j++;
            size_t end = j + 1 < len ? j + 2 : len;
            memcpy(tr + o, pattern + i, end - i);
            o += end - i;
            i = end - 1;
            continue;
        }
        if (c == ']' && in_bracket)
            in_bracket = 0;
        tr[o++] = c;
    }
    tr[o] = '\0';
    rc = regcomp(re, tr, REG_EXTENDED | REG_NOSUB);
    free(tr);
    return rc;
}

/* ---- conversions */

static const expr_val empty_str = {EXPR_STR, 0, "", 0, 0, 0};

/* A set seen where one value is wanted is its first item (XPath's string
 * value of a node-set), or the empty string when it has none. */
static void scalar(const expr_env *env, expr_val *v)
{
    if (v->kind != EXPR_SET)
        return;
    if (v->count > 0 && env->item)
        env->item(env->ctx, v->ref, 0, v);
    else
        *v = empty_str;
    if (v->kind == EXPR_SET) /* a misbehaving callback must not loop us */
        *v = empty_str;
}

static double str_to_number(const char *s, size_t len)
{
    char tmp[64];
    char *end;
    size_t i = 0, j = len;

    while (i < j && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    while (j > i && (s[j - 1] == ' ' || s[j - 1] == '\t' || s[j - 1] == '\n' || s[j - 1] == '\r'))
        j--;
    if (i == j || j - i >= sizeof(tmp))
        return NAN;
    /* XPath numbers are digits with an optional point and minus sign:
     * no exponent, no hex, no "inf". */
    for (size_t k = i; k < j; k++) {
        char c = s[k];
        if (!((c >= '0' && c <= '9') || c == '.' || (c == '-' && k == i)))
            return NAN;
    }
    memcpy(tmp, s + i, j - i);
    tmp[j - i] = '\0';
    double d = strtod(tmp, &end);
    return *end ? NAN : d;
}

double expr_to_number(const expr_val *v)
{
    switch (v->kind) {
    case EXPR_NUM:
    case EXPR_BOOL:
    case EXPR_DATE:
        return v->num;
    case EXPR_STR:
        return str_to_number(v->str, v->len);
    case EXPR_SET:
        return NAN;
    }
    return NAN;
}

int expr_to_bool(const expr_val *v)
{
    switch (v->kind) {
    case EXPR_NUM:
    case EXPR_DATE:
        return v->num != 0 && !isnan(v->num);
    case EXPR_BOOL:
        return v->num != 0;
    case EXPR_STR:
        return v->len > 0;
    case EXPR_SET:
        return v->count > 0;
    }
    return 0;
}

const char *expr_to_string(const expr_val *v, const expr_env *env, size_t *len)
{
    char tmp[40];
    const char *s = tmp;

    switch (v->kind) {
    case EXPR_STR:
        *len = v->len;
        return v->str;
    case EXPR_BOOL:
        s = v->num ? "true" : "false";
        *len = strlen(s);
        return s;
    case EXPR_NUM:
        expr_format_number(v->num, tmp, sizeof(tmp));
        break;
    case EXPR_DATE:
        /* Outside years 1..9999 a date has no YYYY-MM-DD form (and the cast
         * to int would be undefined): it reads as empty. */
        if (!(v->num >= -719162 && v->num <= 2932896))
            tmp[0] = '\0';
        else
            expr_format_date((int)v->num, tmp);
        break;
    case EXPR_SET: {
        expr_val first = *v;
        scalar(env, &first);
        return expr_to_string(&first, env, len);
    }
    }
    *len = strlen(tmp);
    char *p = scratch_alloc(env->scratch, *len + 1);
    if (!p) {
        *len = 0;
        return "";
    }
    memcpy(p, tmp, *len + 1);
    return p;
}

static double to_date(const expr_val *v)
{
    int days;

    if (v->kind == EXPR_STR)
        return expr_parse_date(v->str, v->len, &days) ? (double)days : NAN;
    return expr_to_number(v);
}

/* ---- evaluation */

static void eval(const expr *e, int n, const expr_env *env, expr_val *out);

static void set_num(expr_val *out, double d)
{
    out->kind = EXPR_NUM;
    out->num = d;
}

static void set_bool(expr_val *out, int b)
{
    out->kind = EXPR_BOOL;
    out->num = b ? 1 : 0;
}

static void arg(const expr *e, const node *nd, int i, const expr_env *env, expr_val *out)
{
    eval(e, e->args[nd->first + i], env, out);
}

static void arg_scalar(const expr *e, const node *nd, int i, const expr_env *env, expr_val *out)
{
    arg(e, nd, i, env, out);
    scalar(env, out);
}

static int compare(int op, const expr_val *a, const expr_val *b)
{
    double x, y;

    if (op == OP_EQ || op == OP_NE) {
        int eq;
        if (a->kind == EXPR_BOOL || b->kind == EXPR_BOOL) {
            eq = expr_to_bool(a) == expr_to_bool(b);
        } else if (a->kind == EXPR_DATE || b->kind == EXPR_DATE) {
            x = to_date(a);
            y = to_date(b);
            eq = x == y;
        } else if (a->kind == EXPR_NUM || b->kind == EXPR_NUM) {
            x = expr_to_number(a);
            y = expr_to_number(b);
            eq = x == y;
        } else {
            eq = a->len == b->len && !memcmp(a->str, b->str, a->len);
        }
        return op == OP_EQ ? eq : !eq;
    }
    if (a->kind == EXPR_DATE || b->kind == EXPR_DATE) {
        x = to_date(a);
        y = to_date(b);
    } else {
        x = expr_to_number(a);
        y = expr_to_number(b);
    }
    switch (op) {
    case OP_LT:
        return x < y;
    case OP_LE:
        return x <= y;
    case OP_GT:
        return x > y;
    default:
        return x >= y;
    }
}

static void eval_binary(const expr *e, const node *nd, const expr_env *env, expr_val *out)
{
    expr_val a, b;

    eval(e, nd->a, env, &a);
    scalar(env, &a);
    if (nd->op == OP_AND || nd->op == OP_OR) {
        int av = expr_to_bool(&a);
        if (nd->op == OP_AND ? !av : av) {
            set_bool(out, av);
            return;
        }
        eval(e, nd->b, env, &b);
        scalar(env, &b);
        set_bool(out, expr_to_bool(&b));
        return;
    }
    eval(e, nd->b, env, &b);
    scalar(env, &b);
    if (nd->op <= OP_GE) {
        set_bool(out, compare(nd->op, &a, &b));
        return;
    }
    double x = expr_to_number(&a), y = expr_to_number(&b);
    switch (nd->op) {
    case OP_ADD:
        set_num(out, x + y);
        break;
    case OP_SUB:
        set_num(out, x - y);
        break;
    case OP_MUL:
        set_num(out, x * y);
        break;
    case OP_DIV:
        set_num(out, x / y);
        break; /* IEEE: 1 div 0 is Infinity, as in XPath */
    default:
        set_num(out, fmod(x, y));
        break;
    }
}

/* Space-separated tokens of a select_multiple answer. Calls fn for each;
 * stops when fn returns non-zero and returns that. */
static int each_token(const char *s, size_t len, int (*fn)(const char *, size_t, void *), void *ctx)
{
    size_t i = 0;

    while (i < len) {
        while (i < len && s[i] == ' ')
            i++;
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        if (j > i) {
            int r = fn(s + i, j - i, ctx);
            if (r)
                return r;
        }
        i = j;
    }
    return 0;
}

typedef struct tok_match {
    const char *s;
    size_t len;
} tok_match;

static int token_equals(const char *t, size_t n, void *ctx)
{
    tok_match *m = ctx;
    return n == m->len && !memcmp(t, m->s, n);
}

static int token_count(const char *t, size_t n, void *ctx)
{
    (void)t;
    (void)n;
    (*(int *)ctx)++;
    return 0;
}

static void fn_concat(const expr *e, const node *nd, const expr_env *env, expr_val *out)
{
    size_t total = 0;
    const char *parts[64];
    size_t lens[64];
    int n = nd->nargs;

    for (int i = 0; i < n; i++) {
        expr_val v;
        arg_scalar(e, nd, i, env, &v);
        parts[i] = expr_to_string(&v, env, &lens[i]);
        total += lens[i];
    }
    char *p = scratch_alloc(env->scratch, total + 1);
    if (!p) {
        *out = empty_str;
        return;
    }
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        memcpy(p + o, parts[i], lens[i]);
        o += lens[i];
    }
    p[o] = '\0';
    out->kind = EXPR_STR;
    out->str = p;
    out->len = o;
}

/* Adds a value to a running sum, min or max; empty answers are skipped, so
 * that a roster with unanswered members still sums what was answered. */
static void fold(int fn, const expr_val *v, double *acc, int *seen)
{
    if (v->kind == EXPR_STR && v->len == 0)
        return;
    double d = expr_to_number(v);
    if (!*seen)
        *acc = fn == F_SUM ? 0 : d;
    *seen = 1;
    if (fn == F_SUM)
        *acc += d;
    else if (fn == F_MIN ? d < *acc : d > *acc)
        *acc = d;
    else if (isnan(d))
        *acc = NAN;
}

static void fold_value(int fn, const expr_val *v, const expr_env *env, double *acc, int *seen)
{
    if (v->kind != EXPR_SET) {
        fold(fn, v, acc, seen);
        return;
    }
    for (int k = 0; k < v->count && env->item; k++) {
        expr_val it;
        env->item(env->ctx, v->ref, k, &it);
        if (it.kind != EXPR_SET)
            fold(fn, &it, acc, seen);
    }
}

static void eval_regex(const expr *e, const node *nd, const expr_env *env, expr_val *out)
{
    expr_val s, pat;
    size_t slen, plen;
    const char *str;
    int ok = 0;

    arg_scalar(e, nd, 0, env, &s);
    str = expr_to_string(&s, env, &slen);
    if (nd->regex >= 0) {
        ok = regexec(&e->regexes[nd->regex], str, 0, NULL, 0) == 0;
    } else {
        regex_t re;
        arg_scalar(e, nd, 1, env, &pat);
        const char *ps = expr_to_string(&pat, env, &plen);
        if (expr_regcomp(&re, ps, plen) == 0) {
            ok = regexec(&re, str, 0, NULL, 0) == 0;
            regfree(&re);
        }
    }
    set_bool(out, ok);
}

/* A date, a datetime's text or a number of days as days (a fraction the time of day). */
static double to_when(const expr_val *v)
{
    if (v->kind == EXPR_STR)
        return expr_decimal_date_time(v->str, v->len);
    return expr_to_number(v);
}

/* Makes *out a copy of s[0..len) in the scratch: values are NUL-terminated. */
static void set_str(const expr_env *env, expr_val *out, const char *s, size_t len)
{
    char *p = len ? scratch_alloc(env->scratch, len + 1) : NULL;

    memset(out, 0, sizeof(*out));
    out->kind = EXPR_STR;
    out->str = "";
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
        out->str = p;
        out->len = len;
    }
}

/* The functions ODK forms use beyond the first set: substr, selected-at, dates and times,
 * once, jr:choice-name, indexed-repeat, abs, floor, ceiling, pow. */
static void eval_call_more(const expr *e, const node *nd, const expr_env *env, expr_val *out)
{
    expr_val a, b, c;
    size_t alen, blen;
    const char *as, *bs;
    char tmp[256];

    switch ((fn_id)nd->op) {
    case F_SUBSTR:
        arg_scalar(e, nd, 0, env, &a);
        arg_scalar(e, nd, 1, env, &b);
        as = expr_to_string(&a, env, &alen);
        double end = NAN;
        if (nd->nargs > 2) {
            arg_scalar(e, nd, 2, env, &c);
            end = expr_to_number(&c);
        }
        expr_substr(as, alen, expr_to_number(&b), end, &bs, &blen);
        set_str(env, out, bs, blen);
        return;
    case F_SELECTED_AT:
        arg_scalar(e, nd, 0, env, &a);
        arg_scalar(e, nd, 1, env, &b);
        as = expr_to_string(&a, env, &alen);
        if (!expr_token_at(as, alen, expr_to_number(&b), &bs, &blen))
            bs = "", blen = 0;
        set_str(env, out, bs, blen);
        return;
    case F_DECIMAL_DATE_TIME:
        arg_scalar(e, nd, 0, env, &a);
        set_num(out, to_when(&a));
        return;
    case F_DECIMAL_TIME:
        arg_scalar(e, nd, 0, env, &a);
        as = expr_to_string(&a, env, &alen);
        set_num(out, expr_decimal_time(as, alen));
        return;
    case F_FORMAT_DATE: {
        arg_scalar(e, nd, 0, env, &a);
        arg_scalar(e, nd, 1, env, &b);
        bs = expr_to_string(&b, env, &blen);
        size_t n = expr_format_date_text(to_when(&a), bs, blen, tmp, sizeof(tmp));
        set_str(env, out, tmp, n);
        return;
    }
    case F_ONCE:
        /* Every calculation is computed again from the answers, at the centre too: once(x) is
         * x (docs/form-format.md says why). */
        arg_scalar(e, nd, 0, env, out);
        return;
    case F_CHOICE_NAME:
        arg_scalar(e, nd, 0, env, &a);
        as = expr_to_string(&a, env, &alen);
        set_str(env, out, "", 0);
        if (env->choice_label && alen)
            env->choice_label(env->ctx, nd->ref, as, alen, out);
        return;
    case F_INDEXED_REPEAT: {
        arg_scalar(e, nd, 2, env, &c);
        double k = expr_to_number(&c);
        set_str(env, out, "", 0);
        if (k >= 1 && k <= FORM_INSTANCES_BOUND && k == floor(k) && env->item)
            env->item(env->ctx, nd->ref, (int)k - 1, out);
        return;
    }
    case F_ABS:
    case F_FLOOR:
    case F_CEILING:
        arg_scalar(e, nd, 0, env, &a);
        double x = expr_to_number(&a);
        set_num(out, nd->op == F_ABS ? fabs(x) : nd->op == F_FLOOR ? floor(x) : ceil(x));
        return;
    case F_PULLDATA: {
        /* each argument copied out: the next evaluation may reuse the scratch */
        char col[128], key_col[128], key[512];
        char *parts[3] = {col, key_col, key};
        size_t sizes[3] = {sizeof(col), sizeof(key_col), sizeof(key)};
        for (int i = 0; i < 3; i++) {
            arg_scalar(e, nd, i + 1, env, &a);
            as = expr_to_string(&a, env, &alen);
            snprintf(parts[i], sizes[i], "%.*s", (int)alen, as);
        }
        bs = env->pulldata ? env->pulldata(env->ctx, nd->ref, col, key_col, key) : NULL;
        set_str(env, out, bs ? bs : "", bs ? strlen(bs) : 0);
        return;
    }
    case F_POW:
        arg_scalar(e, nd, 0, env, &a);
        arg_scalar(e, nd, 1, env, &b);
        set_num(out, pow(expr_to_number(&a), expr_to_number(&b)));
        return;
    default:
        set_str(env, out, "", 0);
        return;
    }
}

static void eval_call(const expr *e, const node *nd, const expr_env *env, expr_val *out)
{
    expr_val a, b;
    size_t alen, blen;
    const char *as, *bs;

    switch ((fn_id)nd->op) {
    case F_SELECTED: {
        arg_scalar(e, nd, 0, env, &a);
        arg_scalar(e, nd, 1, env, &b);
        as = expr_to_string(&a, env, &alen);
        tok_match m;
        m.s = expr_to_string(&b, env, &m.len);
        set_bool(out, each_token(as, alen, token_equals, &m));
        return;
    }
    case F_COUNT_SELECTED: {
        int count = 0;
        arg_scalar(e, nd, 0, env, &a);
        as = expr_to_string(&a, env, &alen);
        each_token(as, alen, token_count, &count);
        set_num(out, count);
        return;
    }
    case F_STRING_LENGTH:
        arg_scalar(e, nd, 0, env, &a);
        as = expr_to_string(&a, env, &alen);
        set_num(out, (double)utf8_length(as, alen));
        return;
    case F_REGEX:
        eval_regex(e, nd, env, out);
        return;
    case F_IF:
        arg_scalar(e, nd, 0, env, &a);
        arg(e, nd, expr_to_bool(&a) ? 1 : 2, env, out);
        return;
    case F_COALESCE:
        arg_scalar(e, nd, 0, env, &a);
        expr_to_string(&a, env, &alen);
        if (alen > 0)
            *out = a;
        else
            arg_scalar(e, nd, 1, env, out);
        return;
    case F_TODAY:
        out->kind = EXPR_DATE;
        out->num = env->today;
        return;
    case F_INT:
        arg_scalar(e, nd, 0, env, &a);
        set_num(out, trunc(expr_to_number(&a)));
        return;
    case F_ROUND: {
        double places = 0, x, f;
        arg_scalar(e, nd, 0, env, &a);
        if (nd->nargs > 1) {
            arg_scalar(e, nd, 1, env, &b);
            places = trunc(expr_to_number(&b));
        }
        x = expr_to_number(&a);
        if (isnan(places) || places > 15 || places < -15) {
            set_num(out, NAN);
            return;
        }
        f = pow(10, places);
        set_num(out, round(x * f) / f);
        return;
    }
    case F_COUNT:
        arg(e, nd, 0, env, &a);
        set_num(out, a.kind == EXPR_SET ? a.count : 1);
        return;
    case F_SUM:
    case F_MIN:
    case F_MAX: {
        double acc = nd->op == F_SUM ? 0 : NAN;
        int seen = 0;
        for (int i = 0; i < nd->nargs; i++) {
            arg(e, nd, i, env, &a);
            fold_value(nd->op, &a, env, &acc, &seen);
        }
        set_num(out, acc);
        return;
    }
    case F_POSITION:
        set_num(out, env->position);
        return;
    case F_NOT:
        arg_scalar(e, nd, 0, env, &a);
        set_bool(out, !expr_to_bool(&a));
        return;
    case F_CONCAT:
        fn_concat(e, nd, env, out);
        return;
    case F_CONTAINS:
    case F_STARTS_WITH: {
        arg_scalar(e, nd, 0, env, &a);
        arg_scalar(e, nd, 1, env, &b);
        as = expr_to_string(&a, env, &alen);
        bs = expr_to_string(&b, env, &blen);
        int found = 0;
        if (nd->op == F_STARTS_WITH)
            found = blen <= alen && !memcmp(as, bs, blen);
        else
            for (size_t i = 0; !found && i + blen <= alen; i++)
                found = !memcmp(as + i, bs, blen);
        set_bool(out, found);
        return;
    }
    case F_STRING:
        arg_scalar(e, nd, 0, env, &a);
        out->kind = EXPR_STR;
        out->str = expr_to_string(&a, env, &out->len);
        return;
    case F_NUMBER:
        arg_scalar(e, nd, 0, env, &a);
        set_num(out, expr_to_number(&a));
        return;
    case F_TRUE:
    case F_FALSE:
        set_bool(out, nd->op == F_TRUE);
        return;
    case F_DATE:
        arg_scalar(e, nd, 0, env, &a);
        out->kind = EXPR_DATE;
        out->num = a.kind == EXPR_STR ? to_date(&a) : trunc(expr_to_number(&a));
        return;
    default:
        eval_call_more(e, nd, env, out);
        return;
    }
    *out = empty_str;
}

static void eval(const expr *e, int n, const expr_env *env, expr_val *out)
{
    const node *nd = &e->nodes[n];

    switch (nd->type) {
    case N_NUM:
        set_num(out, nd->num);
        return;
    case N_STR:
        out->kind = EXPR_STR;
        out->str = nd->str;
        out->len = nd->len;
        return;
    case N_REF:
    case N_ATTR:
        if (env->lookup)
            env->lookup(env->ctx, nd->ref, nd->type == N_ATTR, out);
        else
            *out = empty_str;
        return;
    case N_DOT:
        *out = env->dot;
        return;
    case N_NEG: {
        expr_val a;
        eval(e, nd->a, env, &a);
        scalar(env, &a);
        set_num(out, -expr_to_number(&a));
        return;
    }
    case N_BIN:
        eval_binary(e, nd, env, out);
        return;
    case N_CALL:
        eval_call(e, nd, env, out);
        return;
    }
    *out = empty_str;
}

void expr_eval(const expr *e, const expr_env *env, expr_val *out)
{
    eval(e, e->root, env, out);
}

int expr_eval_bool(const expr *e, const expr_env *env)
{
    expr_val v;

    eval(e, e->root, env, &v);
    scalar(env, &v);
    return expr_to_bool(&v);
}
