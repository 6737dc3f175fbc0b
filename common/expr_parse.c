/* expr_parse.c - lexer and recursive-descent parser for form expressions */
#include "expr_int.h"
#include "buf.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH  64  /* parenthesis and call nesting while parsing */
#define MAX_HEIGHT 256 /* levels in the tree, so evaluation's recursion stays shallow */
#define MAX_TEXT   (64 * 1024)

typedef enum tok_type {
    T_EOF,
    T_NUM,
    T_STR,
    T_REF,
    T_NAME,
    T_DOT,
    T_DOTDOT,
    T_LP,
    T_RP,
    T_COMMA,
    T_PLUS,
    T_MINUS,
    T_STAR,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE
} tok_type;

typedef struct token {
    tok_type type;
    size_t pos;    /* byte offset in the text */
    const char *s; /* T_STR contents, T_REF and T_NAME name */
    size_t len;
    double num;
} token;

typedef struct parser {
    const char *text;
    size_t len;
    size_t pos;
    token tok; /* the current token */
    expr *e;
    int cap_nodes, cap_args, cap_refs, cap_regexes;
    buf strings; /* literal contents, NUL-separated */
    int depth;
    expr_resolve_fn resolve;
    void *ctx;
    dt_err *err;
    int failed;
} parser;

static const struct fn_def {
    const char *name;
    fn_id id;
    int min, max; /* argument counts; max -1 for any */
} fns[] = {
    {"selected", F_SELECTED, 2, 2},
    {"count-selected", F_COUNT_SELECTED, 1, 1},
    {"string-length", F_STRING_LENGTH, 1, 1},
    {"regex", F_REGEX, 2, 2},
    {"if", F_IF, 3, 3},
    {"coalesce", F_COALESCE, 2, 2},
    {"today", F_TODAY, 0, 0},
    {"int", F_INT, 1, 1},
    {"round", F_ROUND, 1, 2},
    {"count", F_COUNT, 1, 1},
    {"sum", F_SUM, 1, 1},
    {"position", F_POSITION, 0, 1},
    {"not", F_NOT, 1, 1},
    {"concat", F_CONCAT, 1, -1},
    {"contains", F_CONTAINS, 2, 2},
    {"starts-with", F_STARTS_WITH, 2, 2},
    {"string", F_STRING, 1, 1},
    {"number", F_NUMBER, 1, 1},
    {"true", F_TRUE, 0, 0},
    {"false", F_FALSE, 0, 0},
    {"min", F_MIN, 1, -1},
    {"max", F_MAX, 1, -1},
    {"date", F_DATE, 1, 1},
    {"substr", F_SUBSTR, 2, 3},
    {"selected-at", F_SELECTED_AT, 2, 2},
    {"decimal-date-time", F_DECIMAL_DATE_TIME, 1, 1},
    {"decimal-time", F_DECIMAL_TIME, 1, 1},
    {"format-date", F_FORMAT_DATE, 2, 2},
    {"format-date-time", F_FORMAT_DATE, 2, 2},
    {"once", F_ONCE, 1, 1},
    {"jr:choice-name", F_CHOICE_NAME, 2, 2},
    {"indexed-repeat", F_INDEXED_REPEAT, 3, 3},
    {"abs", F_ABS, 1, 1},
    {"floor", F_FLOOR, 1, 1},
    {"ceiling", F_CEILING, 1, 1},
    {"pow", F_POW, 2, 2},
    {"pulldata", F_PULLDATA, 4, 4},
};

static int fail(parser *p, size_t pos, const char *fmt, const char *arg)
{
    char what[256];

    if (p->failed)
        return -1;
    p->failed = 1;
    snprintf(what, sizeof(what), fmt, arg ? arg : "");
    err_set(p->err, DT_EINVAL, "column %zu: %s", pos + 1, what);
    return -1;
}

static int is_name_start(int c)
{
    return isalpha(c) || c == '_';
}

static int is_name_char(int c, int in_ref)
{
    return isalnum(c) || c == '_' || c == '-' || (in_ref && c == '.');
}

/* Reads the next token into p->tok. Returns 0, or -1 after fail(). */
static int lex(parser *p)
{
    const char *t = p->text;
    size_t i = p->pos;

    while (i < p->len && isspace((unsigned char)t[i]))
        i++;
    p->tok.pos = i;
    p->tok.s = NULL;
    p->tok.len = 0;
    if (i >= p->len) {
        p->tok.type = T_EOF;
        p->pos = i;
        return 0;
    }
    unsigned char c = (unsigned char)t[i];
    if (isdigit(c) || (c == '.' && i + 1 < p->len && isdigit((unsigned char)t[i + 1]))) {
        char tmp[64];
        size_t j = i, n;
        while (j < p->len && (isdigit((unsigned char)t[j]) || t[j] == '.'))
            j++;
        n = j - i;
        if (n >= sizeof(tmp))
            return fail(p, i, "number is too long", NULL);
        memcpy(tmp, t + i, n);
        tmp[n] = '\0';
        char *end;
        p->tok.num = strtod(tmp, &end);
        if (*end)
            return fail(p, i, "malformed number '%s'", tmp);
        p->tok.type = T_NUM;
        p->pos = j;
        return 0;
    }
    if (c == '\'' || c == '"') {
        size_t j = i + 1;
        while (j < p->len && t[j] != (char)c)
            j++;
        if (j >= p->len)
            return fail(p, i, "string is not closed", NULL);
        p->tok.type = T_STR;
        p->tok.s = t + i + 1;
        p->tok.len = j - i - 1;
        p->pos = j + 1;
        return 0;
    }
    if (c == '$') {
        size_t j = i + 2;
        if (i + 1 >= p->len || t[i + 1] != '{')
            return fail(p, i, "expected '{' after '$'", NULL);
        if (j >= p->len || !is_name_start((unsigned char)t[j]))
            return fail(p, j, "expected a question name after '${'", NULL);
        while (j < p->len && is_name_char((unsigned char)t[j], 1))
            j++;
        if (j >= p->len || t[j] != '}')
            return fail(p, j, "expected '}' to close '${'", NULL);
        p->tok.type = T_REF;
        p->tok.s = t + i + 2;
        p->tok.len = j - i - 2;
        p->pos = j + 1;
        return 0;
    }
    if (is_name_start(c)) {
        size_t j = i;
        while (j < p->len && is_name_char((unsigned char)t[j], 0))
            j++;
        /* JavaRosa's own functions are written jr:name */
        if (j - i == 2 && !memcmp(t + i, "jr", 2) && j + 1 < p->len && t[j] == ':' &&
            is_name_start((unsigned char)t[j + 1]))
            for (j++; j < p->len && is_name_char((unsigned char)t[j], 0);)
                j++;
        p->tok.type = T_NAME;
        p->tok.s = t + i;
        p->tok.len = j - i;
        p->pos = j;
        return 0;
    }
    p->pos = i + 1;
    switch (c) {
    case '.':
        if (i + 1 < p->len && t[i + 1] == '.') {
            p->pos = i + 2;
            p->tok.type = T_DOTDOT;
        } else {
            p->tok.type = T_DOT;
        }
        return 0;
    case '(':
        p->tok.type = T_LP;
        return 0;
    case ')':
        p->tok.type = T_RP;
        return 0;
    case ',':
        p->tok.type = T_COMMA;
        return 0;
    case '+':
        p->tok.type = T_PLUS;
        return 0;
    case '-':
        p->tok.type = T_MINUS;
        return 0;
    case '*':
        p->tok.type = T_STAR;
        return 0;
    case '=':
        p->tok.type = T_EQ;
        return 0;
    case '!':
        if (i + 1 < p->len && t[i + 1] == '=') {
            p->pos = i + 2;
            p->tok.type = T_NE;
            return 0;
        }
        return fail(p, i, "'!' must be followed by '=' (use not() for negation)", NULL);
    case '<':
    case '>':
        if (i + 1 < p->len && t[i + 1] == '=') {
            p->pos = i + 2;
            p->tok.type = c == '<' ? T_LE : T_GE;
        } else {
            p->tok.type = c == '<' ? T_LT : T_GT;
        }
        return 0;
    default: {
        char ch[2] = {(char)c, 0};
        return fail(p, i, "unexpected character '%s'", ch);
    }
    }
}

static int tok_is_word(const parser *p, const char *w)
{
    return p->tok.type == T_NAME && strlen(w) == p->tok.len && !memcmp(p->tok.s, w, p->tok.len);
}

static int new_node(parser *p, node_type type)
{
    expr *e = p->e;

    if (e->nnodes == p->cap_nodes) {
        int cap = p->cap_nodes ? p->cap_nodes * 2 : 16;
        node *n = realloc(e->nodes, (size_t)cap * sizeof(*n));
        if (!n)
            return fail(p, p->tok.pos, "out of memory", NULL);
        e->nodes = n;
        p->cap_nodes = cap;
    }
    memset(&e->nodes[e->nnodes], 0, sizeof(node));
    e->nodes[e->nnodes].type = type;
    e->nodes[e->nnodes].regex = -1;
    e->nodes[e->nnodes].height = 1;
    return e->nnodes++;
}

/* Sets node n's height from its children and refuses trees too tall to
 * evaluate safely: "1+1+...+1" nests as deeply as parentheses do. */
static int set_height(parser *p, int n, int below)
{
    p->e->nodes[n].height = below + 1;
    if (below + 1 > MAX_HEIGHT)
        return fail(p, p->tok.pos, "expression is too long or nested too deeply (over %s levels)",
                    "256");
    return n;
}

static int height(const parser *p, int n)
{
    return p->e->nodes[n].height;
}

static int add_ref(parser *p, int ref)
{
    expr *e = p->e;

    for (size_t i = 0; i < e->nrefs; i++)
        if (e->refs[i] == ref)
            return 0;
    if ((int)e->nrefs == p->cap_refs) {
        int cap = p->cap_refs ? p->cap_refs * 2 : 4;
        int *r = realloc(e->refs, (size_t)cap * sizeof(*r));
        if (!r)
            return fail(p, p->tok.pos, "out of memory", NULL);
        e->refs = r;
        p->cap_refs = cap;
    }
    e->refs[e->nrefs++] = ref;
    return 0;
}

static int parse_or(parser *p);

static int parse_args(parser *p, int call, const struct fn_def *fd, size_t name_pos)
{
    int tmp[64];
    int n = 0;

    if (lex(p)) /* past '(' */
        return -1;
    if (p->tok.type == T_DOTDOT && fd->id == F_POSITION) {
        if (lex(p))
            return -1;
    } else if (p->tok.type != T_RP) {
        for (;;) {
            int a = parse_or(p);
            if (a < 0)
                return -1;
            if (n == (int)(sizeof(tmp) / sizeof(tmp[0])))
                return fail(p, p->tok.pos, "too many arguments", NULL);
            tmp[n++] = a;
            if (p->tok.type != T_COMMA)
                break;
            if (lex(p))
                return -1;
        }
    }
    if (p->tok.type != T_RP)
        return fail(p, p->tok.pos, "expected ')' or ',' in the arguments of %s()", fd->name);
    if (n < fd->min || (fd->max >= 0 && n > fd->max)) {
        char msg[128];
        if (fd->max < 0)
            snprintf(msg, sizeof(msg), "%s() takes at least %d argument(s), not %d", fd->name,
                     fd->min, n);
        else if (fd->min == fd->max)
            snprintf(msg, sizeof(msg), "%s() takes %d argument(s), not %d", fd->name, fd->min, n);
        else
            snprintf(msg, sizeof(msg), "%s() takes %d to %d arguments, not %d", fd->name, fd->min,
                     fd->max, n);
        return fail(p, name_pos, "%s", msg);
    }
    if (lex(p))
        return -1;

    expr *e = p->e;
    if (e->nargs + n > p->cap_args) {
        int cap = p->cap_args ? p->cap_args : 8;
        while (cap < e->nargs + n)
            cap *= 2;
        int *a = realloc(e->args, (size_t)cap * sizeof(*a));
        if (!a)
            return fail(p, p->tok.pos, "out of memory", NULL);
        e->args = a;
        p->cap_args = cap;
    }
    e->nodes[call].first = e->nargs;
    e->nodes[call].nargs = n;
    if (n > 0) /* e->args may still be NULL for a call without arguments */
        memcpy(e->args + e->nargs, tmp, (size_t)n * sizeof(int));
    e->nargs += n;
    int below = 0;
    for (int i = 0; i < n; i++)
        if (height(p, tmp[i]) > below)
            below = height(p, tmp[i]);
    return set_height(p, call, below);
}

/* Argument k of a call when it is a literal string: its text (while parsing, a literal's str
 * is an offset into p->strings) and *len; NULL for any other argument. */
static const char *literal_arg(const parser *p, int call, int k, size_t *len)
{
    const node *a = &p->e->nodes[p->e->args[p->e->nodes[call].first + k]];

    if (a->type != N_STR)
        return NULL;
    *len = a->len;
    return p->strings.data + (uintptr_t)a->str;
}

/* A literal regex pattern is compiled once here, so that a bad pattern is a
 * load-time error and evaluation does not recompile it for every answer. */
static int compile_literal_regex(parser *p, int call, size_t pos)
{
    expr *e = p->e;
    size_t len;
    const char *text = literal_arg(p, call, 1, &len);

    if (!text)
        return call;
    if (e->nregexes == p->cap_regexes) {
        int cap = p->cap_regexes ? p->cap_regexes * 2 : 2;
        regex_t *r = realloc(e->regexes, (size_t)cap * sizeof(*r));
        if (!r)
            return fail(p, pos, "out of memory", NULL);
        e->regexes = r;
        p->cap_regexes = cap;
    }
    int rc = expr_regcomp(&e->regexes[e->nregexes], text, len);
    if (rc == REG_ESPACE)
        return fail(p, pos,
                    "regex(): the pattern is too complex (repetition stacked or nested more "
                    "than twice, a bound over 100, or over 512 bytes)",
                    NULL);
    if (rc != 0)
        return fail(p, pos, "regex(): the pattern is not a valid regular expression", NULL);
    e->nodes[call].regex = e->nregexes++;
    return call;
}

/* jr:choice-name(value, '${q}'): the question whose list names the value is a literal, as in
 * ODK; resolved here into the call's ref (not a dependency: only its list is read). */
static int choice_name_question(parser *p, int call, size_t pos)
{
    size_t len = 0;
    const char *text = literal_arg(p, call, 1, &len);
    int ref = -1;

    if (text && len > 3 && !strncmp(text, "${", 2) && text[len - 1] == '}')
        ref = p->resolve ? p->resolve(p->ctx, text + 2, len - 3, 0) : -1;
    if (ref < 0)
        return fail(p, pos,
                    "jr:choice-name() needs the select question as text in its second "
                    "argument: jr:choice-name(${q}, '${q}')",
                    NULL);
    p->e->nodes[call].ref = ref;
    return call;
}

/* pulldata('table', 'column', 'key column', key): the table is named in text, as ODK's file;
 * resolved here into the call's ref. */
static int pulldata_table(parser *p, int call, size_t pos)
{
    size_t len = 0;
    const char *text = literal_arg(p, call, 0, &len);
    int ref = -1;

    if (text && len)
        ref = p->resolve ? p->resolve(p->ctx, text, len, EXPR_NAME_DATA) : -1;
    if (ref < 0) {
        char name[80];
        snprintf(name, sizeof(name), "%.*s", (int)(len > 64 ? 64 : len), text ? text : "");
        return fail(p, pos,
                    "pulldata(): no table '%s' (a CSV file of that name beside the XLSForm, or "
                    "the form's \"data\")",
                    name);
    }
    p->e->nodes[call].ref = ref;
    return call;
}

/* indexed-repeat(${x}, ${repeat}, n): x and the repeat are questions; x's ref is the call's. */
static int indexed_repeat_refs(parser *p, int call, size_t pos)
{
    const node *x = &p->e->nodes[p->e->args[p->e->nodes[call].first]];
    const node *r = &p->e->nodes[p->e->args[p->e->nodes[call].first + 1]];

    if (x->type != N_REF || r->type != N_REF)
        return fail(p, pos,
                    "indexed-repeat() reads a question of a repeat: indexed-repeat(${x}, "
                    "${repeat}, n)",
                    NULL);
    p->e->nodes[call].ref = x->ref;
    return call;
}

static int parse_call_or_name(parser *p)
{
    token name = p->tok;
    size_t i;

    if (lex(p))
        return -1;
    if (p->tok.type != T_LP) {
        /* A bare name: a choice attribute, meaningful in choice_filter. */
        char tmp[128];
        int ref = p->resolve ? p->resolve(p->ctx, name.s, name.len, 1) : -1;
        if (ref < 0) {
            snprintf(tmp, sizeof(tmp), "%.*s", (int)(name.len > 100 ? 100 : name.len), name.s);
            return fail(p, name.pos,
                        "unknown name '%s' (questions are written ${name}; functions need '()')",
                        tmp);
        }
        int n = new_node(p, N_ATTR);
        if (n < 0)
            return -1;
        p->e->nodes[n].ref = ref;
        return n;
    }
    for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
        if (strlen(fns[i].name) == name.len && !memcmp(fns[i].name, name.s, name.len))
            break;
    if (i == sizeof(fns) / sizeof(fns[0])) {
        char tmp[128];
        snprintf(tmp, sizeof(tmp), "%.*s", (int)(name.len > 100 ? 100 : name.len), name.s);
        return fail(p, name.pos, "unknown function '%s()'", tmp);
    }
    int call = new_node(p, N_CALL);
    if (call < 0)
        return -1;
    p->e->nodes[call].op = fns[i].id;
    if (parse_args(p, call, &fns[i], name.pos) < 0)
        return -1;
    if (fns[i].id == F_REGEX)
        return compile_literal_regex(p, call, name.pos);
    if (fns[i].id == F_CHOICE_NAME)
        return choice_name_question(p, call, name.pos);
    if (fns[i].id == F_INDEXED_REPEAT)
        return indexed_repeat_refs(p, call, name.pos);
    if (fns[i].id == F_PULLDATA)
        return pulldata_table(p, call, name.pos);
    return call;
}

static int parse_primary(parser *p)
{
    int n;

    switch (p->tok.type) {
    case T_NUM:
        n = new_node(p, N_NUM);
        if (n < 0)
            return -1;
        p->e->nodes[n].num = p->tok.num;
        return lex(p) ? -1 : n;
    case T_STR: {
        size_t off = p->strings.len;
        n = new_node(p, N_STR);
        if (n < 0)
            return -1;
        if (buf_append(&p->strings, p->tok.s, p->tok.len) || buf_append(&p->strings, "", 1))
            return fail(p, p->tok.pos, "out of memory", NULL);
        /* Offsets for now: the buffer may move; fixed up in expr_parse. */
        p->e->nodes[n].str = (const char *)(uintptr_t)off;
        p->e->nodes[n].len = p->tok.len;
        return lex(p) ? -1 : n;
    }
    case T_REF: {
        int ref = p->resolve ? p->resolve(p->ctx, p->tok.s, p->tok.len, 0) : -1;
        if (ref < 0) {
            char tmp[128];
            snprintf(tmp, sizeof(tmp), "%.*s", (int)(p->tok.len > 100 ? 100 : p->tok.len),
                     p->tok.s);
            return fail(p, p->tok.pos, "unknown question '${%s}'", tmp);
        }
        n = new_node(p, N_REF);
        if (n < 0 || add_ref(p, ref))
            return -1;
        p->e->nodes[n].ref = ref;
        return lex(p) ? -1 : n;
    }
    case T_DOT:
        n = new_node(p, N_DOT);
        if (n < 0)
            return -1;
        p->e->uses_dot = 1;
        return lex(p) ? -1 : n;
    case T_LP:
        if (lex(p))
            return -1;
        n = parse_or(p);
        if (n < 0)
            return -1;
        if (p->tok.type != T_RP)
            return fail(p, p->tok.pos, "expected ')'", NULL);
        return lex(p) ? -1 : n;
    case T_NAME:
        if (tok_is_word(p, "and") || tok_is_word(p, "or") || tok_is_word(p, "div") ||
            tok_is_word(p, "mod"))
            return fail(p, p->tok.pos, "expected a value before '%s'",
                        tok_is_word(p, "or")    ? "or"
                        : tok_is_word(p, "and") ? "and"
                        : tok_is_word(p, "div") ? "div"
                                                : "mod");
        return parse_call_or_name(p);
    case T_EOF:
        return fail(p, p->tok.pos, "unexpected end of expression", NULL);
    case T_DOTDOT:
        return fail(p, p->tok.pos, "'..' is only allowed in position(..)", NULL);
    default:
        return fail(p, p->tok.pos, "expected a value", NULL);
    }
}

static int parse_unary(parser *p)
{
    if (p->tok.type == T_MINUS) {
        if (++p->depth > MAX_DEPTH)
            return fail(p, p->tok.pos, "expression is nested too deeply", NULL);
        if (lex(p))
            return -1;
        int a = parse_unary(p);
        p->depth--;
        if (a < 0)
            return -1;
        int n = new_node(p, N_NEG);
        if (n < 0)
            return -1;
        p->e->nodes[n].a = a;
        return set_height(p, n, height(p, a));
    }
    return parse_primary(p);
}

static int binary(parser *p, int op, int a, int b)
{
    int n;

    if (b < 0)
        return -1;
    n = new_node(p, N_BIN);
    if (n < 0)
        return -1;
    p->e->nodes[n].op = op;
    p->e->nodes[n].a = a;
    p->e->nodes[n].b = b;
    return set_height(p, n, height(p, a) > height(p, b) ? height(p, a) : height(p, b));
}

/* The binary operator at the current token for precedence level, or -1.
 * Levels, loosest first: or; and; = !=; < <= > >=; + -; * div mod. */
static int binary_op(const parser *p, int level)
{
    switch (level) {
    case 0:
        return tok_is_word(p, "or") ? OP_OR : -1;
    case 1:
        return tok_is_word(p, "and") ? OP_AND : -1;
    case 2:
        return p->tok.type == T_EQ ? OP_EQ : p->tok.type == T_NE ? OP_NE : -1;
    case 3:
        switch (p->tok.type) {
        case T_LT:
            return OP_LT;
        case T_LE:
            return OP_LE;
        case T_GT:
            return OP_GT;
        case T_GE:
            return OP_GE;
        default:
            return -1;
        }
    case 4:
        return p->tok.type == T_PLUS ? OP_ADD : p->tok.type == T_MINUS ? OP_SUB : -1;
    default:
        return p->tok.type == T_STAR   ? OP_MUL
               : tok_is_word(p, "div") ? OP_DIV
               : tok_is_word(p, "mod") ? OP_MOD
                                       : -1;
    }
}

#define LEVELS 6

/* Parses operands joined by the operators of one level, left-associative. */
static int parse_level(parser *p, int level)
{
    int a, op;

    if (level == LEVELS)
        return parse_unary(p);
    a = parse_level(p, level + 1);
    while (a >= 0 && (op = binary_op(p, level)) >= 0) {
        if (lex(p))
            return -1;
        a = binary(p, op, a, parse_level(p, level + 1));
    }
    return a;
}

static int parse_or(parser *p)
{
    int a;

    if (++p->depth > MAX_DEPTH)
        return fail(p, p->tok.pos, "expression is nested too deeply", NULL);
    a = parse_level(p, 0);
    p->depth--;
    return a;
}

int expr_parse(expr **out, const char *text, expr_resolve_fn resolve, void *ctx, dt_err *err)
{
    parser p;
    expr *e = NULL;
    int rc = DT_EINVAL;

    *out = NULL;
    memset(&p, 0, sizeof(p));
    buf_init(&p.strings, MAX_TEXT * 2);
    p.text = text;
    p.len = strlen(text);
    p.resolve = resolve;
    p.ctx = ctx;
    p.err = err;
    if (p.len > MAX_TEXT) {
        err_set(err, DT_EINVAL, "column 1: expression is longer than %d bytes", MAX_TEXT);
        goto cleanup;
    }
    e = calloc(1, sizeof(*e));
    if (!e || !(e->text = strdup(text))) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    p.e = e;
    if (lex(&p))
        goto cleanup;
    if (p.tok.type == T_EOF) {
        fail(&p, 0, "expression is empty", NULL);
        goto cleanup;
    }
    e->root = parse_or(&p);
    if (e->root < 0)
        goto cleanup;
    if (p.tok.type != T_EOF) {
        fail(&p, p.tok.pos, "unexpected text after the end of the expression", NULL);
        goto cleanup;
    }
    e->strings = buf_detach(&p.strings);
    if (!e->strings) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (int i = 0; i < e->nnodes; i++)
        if (e->nodes[i].type == N_STR)
            e->nodes[i].str = e->strings + (uintptr_t)e->nodes[i].str;
    /* Literal regexes were compiled before the strings were fixed up; they
     * copied the pattern, so nothing points into the old buffer. */
    *out = e;
    e = NULL;
    rc = DT_OK;
cleanup:
    buf_free(&p.strings);
    expr_free(e);
    return rc;
}

void expr_free(expr *e)
{
    if (!e)
        return;
    for (int i = 0; i < e->nregexes; i++)
        regfree(&e->regexes[i]);
    free(e->regexes);
    free(e->text);
    free(e->nodes);
    free(e->args);
    free(e->strings);
    free(e->refs);
    free(e);
}

const char *expr_text(const expr *e)
{
    return e->text;
}

const int *expr_refs(const expr *e, size_t *n)
{
    *n = e->nrefs;
    return e->refs;
}

int expr_uses_dot(const expr *e)
{
    return e->uses_dot;
}
