/* engine.c - the interview engine: relevance, calculations, checks and navigation */
#include "engine.h"
#include "qtype.h"
#include "buf.h"
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct qstate {
    val *v;             /* one per instance (one outside repeats) */
    unsigned char *rel; /* relevance, one per instance */
} qstate;

struct interview {
    const form *f;
    int today;
    int lang;
    qstate *qs;     /* one per question */
    int *ninst;     /* per question; used for repeats: instances in use */
    int *cap;       /* per question; used for repeats: instances allocated */
    int *given;     /* per repeat: instances an answers file gave */
    int *defaulted; /* per repeat: instances that got their defaults */
    int defaults;   /* apply defaults to new instances */
    int dirty;      /* answers changed since the last recompute */
    expr_scratch *scratch;
    int ctx_repeat; /* the repeat the current evaluation is inside, or -1 */
    int ctx_inst;
    const form_choice *ctx_choice; /* for bare names in a choice_filter */
};

/* Messages the engine says itself, when the form gives none. */
static const char *msg_required(const interview *iv)
{
    const char *lang = form_lang(iv->f, iv->lang);
    return !strcmp(lang, "vi") ? "Câu hỏi này bắt buộc phải trả lời."
                               : "This question requires an answer.";
}

static const char *msg_invalid(const interview *iv)
{
    const char *lang = form_lang(iv->f, iv->lang);
    return !strcmp(lang, "vi") ? "Câu trả lời không hợp lệ." : "This answer is not valid.";
}

static const char *msg_choice(const interview *iv)
{
    const char *lang = form_lang(iv->f, iv->lang);
    return !strcmp(lang, "vi") ? "Lựa chọn này không được phép ở đây."
                               : "This choice is not allowed here.";
}

/* ---- storage */

static int scope_of(const interview *iv, int q)
{
    return form_q(iv->f, q)->repeat;
}

/* Grows every question inside repeat r to hold n instances. */
static int ensure_cap(interview *iv, int r, int n)
{
    const form_question *rq = form_q(iv->f, r);
    int cap = iv->cap[r];

    if (n <= cap)
        return DT_OK;
    while (cap < n)
        cap *= 2;
    for (int q = r + 1; q < rq->end; q++) {
        qstate *s = &iv->qs[q];
        val *v = realloc(s->v, sizeof(val) * (size_t)cap);
        if (!v)
            return DT_ENOMEM;
        s->v = v;
        unsigned char *rel = realloc(s->rel, (size_t)cap);
        if (!rel)
            return DT_ENOMEM;
        s->rel = rel;
        memset(s->v + iv->cap[r], 0, sizeof(val) * (size_t)(cap - iv->cap[r]));
        memset(s->rel + iv->cap[r], 0, (size_t)(cap - iv->cap[r]));
    }
    iv->cap[r] = cap;
    return DT_OK;
}

void eng_set_lang(interview *iv, int lang)
{
    iv->lang = lang >= 0 && lang < form_nlangs(iv->f) ? lang : 0;
}

interview *eng_new(const form *f, int today, int lang)
{
    int n = form_nquestions(f);
    interview *iv = calloc(1, sizeof(*iv));

    if (!iv)
        return NULL;
    iv->f = f;
    iv->today = today;
    iv->lang = lang >= 0 && lang < form_nlangs(f) ? lang : 0;
    iv->ctx_repeat = -1;
    iv->dirty = 1;
    iv->qs = calloc((size_t)n, sizeof(qstate));
    iv->ninst = calloc((size_t)n, sizeof(int));
    iv->cap = calloc((size_t)n, sizeof(int));
    iv->given = calloc((size_t)n, sizeof(int));
    iv->defaulted = calloc((size_t)n, sizeof(int));
    iv->scratch = expr_scratch_new();
    if (!iv->qs || !iv->ninst || !iv->cap || !iv->given || !iv->defaulted || !iv->scratch)
        goto fail;
    for (int q = 0; q < n; q++) {
        iv->qs[q].v = calloc(1, sizeof(val));
        iv->qs[q].rel = calloc(1, 1);
        if (!iv->qs[q].v || !iv->qs[q].rel)
            goto fail;
        if (form_q(f, q)->type == Q_REPEAT)
            iv->cap[q] = 1;
    }
    return iv;
fail:
    eng_free(iv);
    return NULL;
}

void eng_free(interview *iv)
{
    if (!iv)
        return;
    for (int q = 0; iv->qs && q < form_nquestions(iv->f); q++) {
        int s = scope_of(iv, q);
        int n = s >= 0 ? iv->cap[s] : 1;
        for (int i = 0; iv->qs[q].v && i < n; i++)
            val_free(&iv->qs[q].v[i]);
        free(iv->qs[q].v);
        free(iv->qs[q].rel);
    }
    free(iv->qs);
    free(iv->ninst);
    free(iv->cap);
    free(iv->given);
    free(iv->defaulted);
    expr_scratch_free(iv->scratch);
    free(iv);
}

const form *eng_form(const interview *iv)
{
    return iv->f;
}

/* 1 when at names a stored place: with in_use, only instances now in use
 * (answers go there); without, any kept instance (hidden ones keep their
 * answers while an interview is open). */
static int in_range(const interview *iv, eng_pos at, int in_use)
{
    int s;

    if (at.q < 0 || at.q >= form_nquestions(iv->f) || at.inst < 0)
        return 0;
    s = scope_of(iv, at.q);
    if (s < 0)
        return at.inst == 0;
    return at.inst < (in_use ? iv->ninst[s] : iv->cap[s]);
}

/* ---- defaults */

static int apply_default(interview *iv, int q, int inst)
{
    const form_question *fq = form_q(iv->f, q);
    char why[128];
    val *v = &iv->qs[q].v[inst];

    if (!fq->default_value || v->has)
        return DT_OK;
    /* The loader checked the default; only memory can fail here. */
    return val_from_json(v, fq, fq->default_value, why, sizeof(why)) == DT_ENOMEM ? DT_ENOMEM
                                                                                  : DT_OK;
}

static int default_instances(interview *iv, int r)
{
    const form_question *rq = form_q(iv->f, r);

    for (; iv->defaulted[r] < iv->ninst[r]; iv->defaulted[r]++)
        for (int q = r + 1; q < rq->end; q++)
            if (apply_default(iv, q, iv->defaulted[r]))
                return DT_ENOMEM;
    return DT_OK;
}

int eng_use_defaults(interview *iv)
{
    iv->defaults = 1;
    for (int q = 0; q < form_nquestions(iv->f); q++) {
        if (scope_of(iv, q) >= 0)
            continue;
        if (apply_default(iv, q, 0))
            return DT_ENOMEM;
        if (form_q(iv->f, q)->type == Q_REPEAT && default_instances(iv, q))
            return DT_ENOMEM;
    }
    iv->dirty = 1;
    return DT_OK;
}

/* ---- what expressions see */

static void slot_value(const interview *iv, int q, int inst, expr_val *out)
{
    const form_question *fq = form_q(iv->f, q);
    const val *v = &iv->qs[q].v[inst];

    memset(out, 0, sizeof(*out));
    out->kind = EXPR_STR;
    out->str = "";
    if (!iv->qs[q].rel[inst] || !v->has)
        return;
    switch (qtype_of(fq->type)->expr) {
    case QE_NUM:
        out->kind = EXPR_NUM;
        out->num = v->num;
        return;
    case QE_DATE:
        out->kind = EXPR_DATE;
        out->num = v->num;
        return;
    case QE_CALC:
        if (!isnan(v->num)) {
            out->kind = EXPR_NUM;
            out->num = v->num;
            return;
        }
        break;
    case QE_STR:
        break;
    }
    out->str = v->str;
    out->len = v->len;
}

static int repeat_count_now(const interview *iv, int r)
{
    return iv->qs[r].rel[0] ? iv->ninst[r] : 0;
}

static void lookup(void *ctx, int ref, int bare, expr_val *out)
{
    const interview *iv = ctx;
    const form_question *fq;

    if (bare) {
        const form_choice *c = iv->ctx_choice;
        memset(out, 0, sizeof(*out));
        out->kind = EXPR_STR;
        out->str = c ? c->attr[ref] : "";
        out->len = strlen(out->str);
        return;
    }
    fq = form_q(iv->f, ref);
    if (fq->type == Q_REPEAT || (fq->repeat >= 0 && fq->repeat != iv->ctx_repeat)) {
        memset(out, 0, sizeof(*out));
        out->kind = EXPR_SET;
        out->ref = ref;
        out->count = repeat_count_now(iv, fq->type == Q_REPEAT ? ref : fq->repeat);
        return;
    }
    slot_value(iv, ref, fq->repeat >= 0 ? iv->ctx_inst : 0, out);
}

static void item(void *ctx, int ref, int i, expr_val *out)
{
    const interview *iv = ctx;
    const form_question *fq = form_q(iv->f, ref);

    if (fq->type == Q_REPEAT || fq->repeat < 0 || i < 0 || i >= iv->ninst[fq->repeat]) {
        memset(out, 0, sizeof(*out));
        out->kind = EXPR_STR;
        out->str = "";
        return;
    }
    slot_value(iv, ref, i, out);
}

static void choice_label(void *ctx, int ref, const char *code, size_t len, expr_val *out)
{
    const interview *iv = ctx;
    const form_question *fq = form_q(iv->f, ref);
    const form_choice *c;
    char tmp[32], *end;
    long long k;

    if (!fq->list || len >= sizeof(tmp))
        return;
    memcpy(tmp, code, len);
    tmp[len] = '\0';
    k = strtoll(tmp, &end, 10);
    if (*end || !(c = form_choice_find(fq->list, k)))
        return;
    out->str = c->label[iv->lang];
    out->len = strlen(out->str);
}

static const char *pulldata(void *ctx, int ref, const char *col, const char *key_col,
                            const char *key)
{
    const interview *iv = ctx;
    return form_data_lookup(iv->f, ref, col, key_col, key);
}

static void env_at(interview *iv, expr_env *env, int q, int inst)
{
    int s = scope_of(iv, q);

    memset(env, 0, sizeof(*env));
    iv->ctx_repeat = s;
    iv->ctx_inst = s >= 0 ? inst : 0;
    iv->ctx_choice = NULL;
    expr_scratch_reset(iv->scratch);
    env->ctx = iv;
    env->lookup = lookup;
    env->item = item;
    env->choice_label = choice_label;
    env->pulldata = pulldata;
    env->position = s >= 0 ? inst + 1 : 0;
    env->today = iv->today;
    env->scratch = iv->scratch;
    env->dot.kind = EXPR_STR;
    env->dot.str = "";
}

/* An evaluation of the whole form: outside every repeat. */
static void top_env(interview *iv, expr_env *env)
{
    env_at(iv, env, 0, 0);
    iv->ctx_repeat = -1;
    env->position = 0;
}

/* ---- recompute */

static int parent_relevant(const interview *iv, const form_question *fq, int inst)
{
    if (fq->parent < 0)
        return 1;
    if (fq->parent == fq->repeat)
        return iv->qs[fq->parent].rel[0];
    return iv->qs[fq->parent].rel[fq->repeat >= 0 ? inst : 0];
}

static void store_calculation(interview *iv, int q, int inst, expr_env *env)
{
    const form_question *fq = form_q(iv->f, q);
    val *v = &iv->qs[q].v[inst];
    expr_val r;
    size_t len;
    const char *s;

    expr_eval(fq->calculation, env, &r);
    if (r.kind == EXPR_SET) { /* a bare ${repeated} from outside: its first item */
        expr_val first = r;
        r.kind = EXPR_STR;
        r.str = "";
        r.len = 0;
        if (first.count > 0)
            item(iv, first.ref, 0, &r);
    }
    val_free(v);
    if (r.kind == EXPR_NUM && isnan(r.num))
        return;
    s = expr_to_string(&r, env, &len);
    if (len == 0)
        return;
    v->str = malloc(len + 1);
    if (!v->str)
        return; /* out of memory: the calculation reads as unanswered */
    memcpy(v->str, s, len);
    v->str[len] = '\0';
    v->len = len;
    v->has = 1;
    v->num = r.kind == EXPR_NUM ? r.num : NAN;
}

static void compute(interview *iv, int q, int inst)
{
    const form_question *fq = form_q(iv->f, q);
    expr_env env;
    int rel = parent_relevant(iv, fq, inst);

    env_at(iv, &env, q, inst);
    if (rel && fq->relevant)
        rel = expr_eval_bool(fq->relevant, &env);
    iv->qs[q].rel[inst] = (unsigned char)rel;
    if (fq->type == Q_CALCULATE) {
        if (rel)
            store_calculation(iv, q, inst, &env);
        else
            val_free(&iv->qs[q].v[inst]);
    } else if (fq->type == Q_REPEAT && rel && fq->repeat_count) {
        expr_val n;
        expr_eval(fq->repeat_count, &env, &n);
        double d = expr_to_number(&n);
        int count = isnan(d) || d < 0 ? 0 : d > FORM_MAX_INSTANCES ? FORM_MAX_INSTANCES : (int)d;
        if (ensure_cap(iv, q, count) == DT_OK)
            iv->ninst[q] = count;
        if (iv->defaults)
            default_instances(iv, q);
    }
}

void eng_recompute(interview *iv)
{
    int n;
    const int *order = form_eval_order(iv->f, &n);

    for (int i = 0; i < n; i++) {
        int q = order[i], s = scope_of(iv, q);
        if (s < 0) {
            compute(iv, q, 0);
            continue;
        }
        for (int k = 0; k < iv->ninst[s]; k++)
            compute(iv, q, k);
    }
    iv->dirty = 0;
}

static void fresh(interview *iv)
{
    if (iv->dirty)
        eng_recompute(iv);
}

/* ---- answers */

int eng_set_val(interview *iv, eng_pos at, const val *v)
{
    const form_question *fq;

    fresh(iv); /* a repeat count may have just changed */
    if (!in_range(iv, at, 1))
        return DT_EINVAL;
    fq = form_q(iv->f, at.q);
    if (!qtype_answerable(fq->type) || fq->read_only)
        return DT_EINVAL; /* a read-only answer comes from its default or a prefill only */
    iv->dirty = 1;
    /* Once someone answers, the answers file no longer speaks for the roster size. */
    memset(iv->given, 0, sizeof(int) * (size_t)form_nquestions(iv->f));
    return val_copy(&iv->qs[at.q].v[at.inst], v);
}

int eng_set_text(interview *iv, eng_pos at, const char *text, char *why, size_t whylen)
{
    val v = {0};
    int rc;

    fresh(iv);
    if (!in_range(iv, at, 1)) {
        snprintf(why, whylen, "no such question");
        return DT_EINVAL;
    }
    rc = val_from_text(&v, form_q(iv->f, at.q), text, why, whylen);
    if (rc == DT_OK)
        rc = eng_set_val(iv, at, &v);
    val_free(&v);
    return rc;
}

const val *eng_get(interview *iv, eng_pos at)
{
    static const val none = {0, 0, NULL, 0};

    fresh(iv);
    if (!in_range(iv, at, 0))
        return &none;
    return &iv->qs[at.q].v[at.inst];
}

int eng_relevant(interview *iv, eng_pos at)
{
    fresh(iv);
    if (!in_range(iv, at, 1))
        return 0;
    return iv->qs[at.q].rel[at.inst];
}

int eng_instances(interview *iv, int r)
{
    fresh(iv);
    return repeat_count_now(iv, r);
}

int eng_add_instance(interview *iv, int r)
{
    const form_question *rq = form_q(iv->f, r);

    if (rq->type != Q_REPEAT || rq->repeat_count || iv->ninst[r] >= FORM_MAX_INSTANCES)
        return DT_EINVAL;
    if (ensure_cap(iv, r, iv->ninst[r] + 1))
        return DT_ENOMEM;
    iv->ninst[r]++;
    if (iv->defaults && default_instances(iv, r))
        return DT_ENOMEM;
    iv->dirty = 1;
    return iv->ninst[r] - 1;
}

int eng_move_instance(interview *iv, int r, int from, int to)
{
    const form_question *rq = form_q(iv->f, r);
    int n;

    if (rq->type != Q_REPEAT)
        return DT_EINVAL;
    n = eng_instances(iv, r);
    if (from < 0 || to < 0 || from >= n || to >= n)
        return DT_EINVAL;
    if (from == to)
        return DT_OK;
    for (int q = r + 1; q < rq->end; q++) {
        val *v = iv->qs[q].v, moved = v[from];
        /* the members between slide one place towards from's */
        if (from < to)
            memmove(v + from, v + from + 1, sizeof(val) * (size_t)(to - from));
        else
            memmove(v + to + 1, v + to, sizeof(val) * (size_t)(from - to));
        v[to] = moved;
    }
    iv->dirty = 1;
    return DT_OK;
}

void eng_clear_instance(interview *iv, int r, int inst)
{
    const form_question *rq = form_q(iv->f, r);

    if (rq->type != Q_REPEAT || inst < 0 || inst >= iv->cap[r])
        return;
    for (int q = r + 1; q < rq->end; q++)
        val_free(&iv->qs[q].v[inst]);
    iv->dirty = 1;
}

int eng_remove_instance(interview *iv, int r)
{
    const form_question *rq = form_q(iv->f, r);
    int last = iv->ninst[r] - 1;

    if (rq->type != Q_REPEAT || rq->repeat_count || last < 0)
        return DT_EINVAL;
    eng_clear_instance(iv, r, last);
    iv->ninst[r] = last;
    if (iv->defaulted[r] > last)
        iv->defaulted[r] = last;
    iv->dirty = 1;
    return DT_OK;
}

int eng_household_label(buf *b, interview *iv, int lang)
{
    int n, rc = DT_OK, any = 0;
    const int *key = form_household_key(iv->f, &n);
    const expr *name = form_instance_name(iv->f);

    if (name) { /* the form's own: ODK's instance_name */
        expr_env env;
        expr_val v;
        size_t len;
        fresh(iv);
        top_env(iv, &env);
        expr_eval(name, &env, &v);
        if (v.kind == EXPR_SET) {
            expr_val first = v;
            v.kind = EXPR_STR, v.str = "", v.len = 0;
            if (first.count > 0)
                item(iv, first.ref, 0, &v);
        }
        const char *s = expr_to_string(&v, &env, &len);
        return buf_append(b, s, len);
    }
    for (int i = 0; i < n && rc == DT_OK; i++) {
        const form_question *q = form_q(iv->f, key[i]);
        const val *v = eng_get(iv, (eng_pos){key[i], 0});
        if (!v->has)
            continue;
        if (any)
            rc = buf_puts(b, " / ");
        if (rc == DT_OK && q->type == Q_SELECT_ONE) {
            const form_choice *c = form_choice_find(q->list, (long long)v->num);
            rc = buf_puts(b, c ? c->label[lang] : v->str);
        } else if (rc == DT_OK) {
            rc = buf_puts(b, v->str);
        }
        any = 1;
    }
    return rc;
}

void eng_pos_name(const interview *iv, eng_pos at, char *out, size_t size)
{
    const form_question *fq = form_q(iv->f, at.q);

    if (fq->repeat >= 0)
        snprintf(out, size, "%s[%d]/%s", form_q(iv->f, fq->repeat)->name, at.inst + 1, fq->name);
    else
        snprintf(out, size, "%s", fq->name);
}

static int load_value(interview *iv, int q, int inst, const cJSON *j, errlist *problems)
{
    char why[256], where[256];
    int rc = val_from_json(&iv->qs[q].v[inst], form_q(iv->f, q), j, why, sizeof(why));

    if (rc == DT_EINVAL) {
        eng_pos_name(iv, (eng_pos){q, inst}, where, sizeof(where));
        return errlist_add(problems, where, "answer", "%s", why) ? DT_ENOMEM : DT_EINVAL;
    }
    return rc;
}

static int load_instances(interview *iv, int r, const cJSON *arr, errlist *problems)
{
    const form_question *rq = form_q(iv->f, r);
    int n = cJSON_GetArraySize(arr), k = 0, rc = DT_OK;
    const cJSON *inst, *a;

    if (!cJSON_IsArray(arr))
        return errlist_add(problems, rq->name, "answer", "expected an array of objects, one per %s",
                           "instance")
                   ? DT_ENOMEM
                   : DT_EINVAL;
    if (n > FORM_MAX_INSTANCES)
        return errlist_add(problems, rq->name, "answer", "more than %d instances",
                           FORM_MAX_INSTANCES)
                   ? DT_ENOMEM
                   : DT_EINVAL;
    if (ensure_cap(iv, r, n))
        return DT_ENOMEM;
    iv->given[r] = n;
    if (!rq->repeat_count)
        iv->ninst[r] = n;
    if (iv->defaulted[r] < n)
        iv->defaulted[r] = n; /* answers from a file get no defaults */
    cJSON_ArrayForEach(inst, arr)
    {
        char where[256];
        snprintf(where, sizeof(where), "%s[%d]", rq->name, k + 1);
        if (!cJSON_IsObject(inst)) {
            if (errlist_add(problems, where, "answer", "expected an object of answers"))
                return DT_ENOMEM;
            rc = DT_EINVAL;
        }
        cJSON_ArrayForEach(a, inst)
        {
            int q = form_find(iv->f, a->string);
            int r2 = q < 0 ? -2 : scope_of(iv, q);
            if (r2 != r) {
                char at[300];
                snprintf(at, sizeof(at), "%s/%s", where, a->string);
                if (errlist_add(problems, at, "answer", "%s",
                                q < 0 ? "unknown question" : "question is not part of this repeat"))
                    return DT_ENOMEM;
                rc = DT_EINVAL;
                continue;
            }
            if (form_q(iv->f, q)->type == Q_CALCULATE)
                continue; /* recomputed, never trusted */
            int r3 = load_value(iv, q, k, a, problems);
            if (r3 == DT_ENOMEM)
                return r3;
            if (r3)
                rc = r3;
        }
        k++;
    }
    return rc;
}

int eng_load_json(interview *iv, const cJSON *answers, errlist *problems)
{
    const cJSON *a;
    int rc = DT_OK, r;

    iv->dirty = 1;
    if (!cJSON_IsObject(answers))
        return errlist_add(problems, "answers", "", "expected an object of answers") ? DT_ENOMEM
                                                                                     : DT_EINVAL;
    cJSON_ArrayForEach(a, answers)
    {
        int q = form_find(iv->f, a->string);
        const form_question *fq = q >= 0 ? form_q(iv->f, q) : NULL;
        const char *what = NULL;

        if (!fq)
            what = "unknown question";
        else if (fq->repeat >= 0)
            what = "question belongs inside its repeat";
        else if (fq->type == Q_GROUP || fq->type == Q_NOTE)
            what = "takes no answer";
        if (what) {
            if (errlist_add(problems, a->string, "answer", "%s", what))
                return DT_ENOMEM;
            rc = DT_EINVAL;
            continue;
        }
        if (fq->type == Q_CALCULATE)
            continue; /* recomputed, never trusted */
        r = fq->type == Q_REPEAT ? load_instances(iv, q, a, problems)
                                 : load_value(iv, q, 0, a, problems);
        if (r == DT_ENOMEM)
            return r;
        if (r)
            rc = r;
    }
    return rc;
}

int eng_load_document(interview *iv, const cJSON *doc, errlist *problems)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "form_id");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "form_version");
    long long v;
    int bad = 0;

    if (!cJSON_IsObject(doc))
        return errlist_add(problems, "document", "", "expected a JSON object") ? DT_ENOMEM
                                                                               : DT_EINVAL;
    if (!cJSON_IsString(id) || strcmp(id->valuestring, form_id(iv->f)) != 0) {
        if (errlist_add(problems, "form_id", "", "the answers are for form '%s', not '%s'",
                        cJSON_IsString(id) ? id->valuestring : "(missing)", form_id(iv->f)))
            return DT_ENOMEM;
        bad = 1;
    }
    if (!json_get_int(ver, &v) || v != form_version(iv->f)) {
        char given[40] = "(missing)";
        if (cJSON_IsNumber(ver))
            expr_format_number(ver->valuedouble, given, sizeof(given));
        if (errlist_add(problems, "form_version", "",
                        "the answers are for version %s of the form; this is version %d", given,
                        form_version(iv->f)))
            return DT_ENOMEM;
        bad = 1;
    }
    if (bad)
        return DT_EINVAL;
    return eng_load_json(iv, cJSON_GetObjectItemCaseSensitive(doc, "answers"), problems);
}

/* ---- checks */

static int choice_allowed(interview *iv, const form_question *fq, int q, int inst, long long code)
{
    expr_env env;
    const form_choice *c = form_choice_find(fq->list, code);

    if (!c)
        return 0;
    if (!fq->choice_filter)
        return 1;
    env_at(iv, &env, q, inst);
    iv->ctx_choice = c;
    int ok = expr_eval_bool(fq->choice_filter, &env);
    iv->ctx_choice = NULL;
    return ok;
}

int eng_choice_allowed(interview *iv, eng_pos at, long long code)
{
    const form_question *fq;

    fresh(iv);
    if (!in_range(iv, at, 1))
        return 0;
    fq = form_q(iv->f, at.q);
    if (fq->type != Q_SELECT_ONE && fq->type != Q_SELECT_MULTIPLE)
        return 0;
    return choice_allowed(iv, fq, at.q, at.inst, code);
}

static int choices_allowed(interview *iv, const form_question *fq, int q, int inst, const val *v)
{
    const char *p = v->str;

    if (fq->type == Q_SELECT_ONE)
        return choice_allowed(iv, fq, q, inst, (long long)v->num);
    while (*p) {
        char *end;
        long long code = strtoll(p, &end, 10);
        if (end == p)
            return 0;
        if (!choice_allowed(iv, fq, q, inst, code))
            return 0;
        p = end;
        while (*p == ' ')
            p++;
    }
    return 1;
}

static const char *text_in(const interview *iv, char **texts, const char *fallback)
{
    return texts ? texts[iv->lang] : fallback;
}

/* Checks one relevant place; returns 1 when fine, else 0 with what and msg. */
static int check_at(interview *iv, int q, int inst, const char **what, char *msg, size_t msglen)
{
    const form_question *fq = form_q(iv->f, q);
    const val *v = &iv->qs[q].v[inst];
    expr_env env;

    if (!qtype_answerable(fq->type))
        return 1;
    if (!v->has) {
        int req = fq->required;
        if (!req && fq->required_if) {
            env_at(iv, &env, q, inst);
            req = expr_eval_bool(fq->required_if, &env);
        }
        if (!req)
            return 1;
        *what = "required";
        snprintf(msg, msglen, "%s", text_in(iv, fq->required_msg, msg_required(iv)));
        return 0;
    }
    if ((qtype_of(fq->type)->flags & QT_LIST) && !choices_allowed(iv, fq, q, inst, v)) {
        *what = "choice";
        snprintf(msg, msglen, "%s", msg_choice(iv));
        return 0;
    }
    if (fq->constraint) {
        env_at(iv, &env, q, inst);
        slot_value(iv, q, inst, &env.dot);
        if (!expr_eval_bool(fq->constraint, &env)) {
            *what = "constraint";
            snprintf(msg, msglen, "%s", text_in(iv, fq->constraint_msg, msg_invalid(iv)));
            return 0;
        }
    }
    return 1;
}

int eng_check(interview *iv, eng_pos at, char *msg, size_t msglen)
{
    const char *what;

    if (!eng_relevant(iv, at))
        return 1;
    return check_at(iv, at.q, at.inst, &what, msg, msglen);
}

int eng_validate(interview *iv, errlist *issues)
{
    int n = form_nquestions(iv->f), count = 0;
    char msg[512], where[256];
    const char *what;

    fresh(iv);
    for (int q = 0; q < n; q++) {
        const form_question *fq = form_q(iv->f, q);
        int s = fq->repeat;
        int ninst = s >= 0 ? iv->ninst[s] : 1;

        if (fq->type == Q_REPEAT && fq->repeat_count && iv->qs[q].rel[0] &&
            iv->given[q] > iv->ninst[q]) {
            if (errlist_add(issues, fq->name, "repeat",
                            "answers were given for %d instances but repeat_count gives %d",
                            iv->given[q], iv->ninst[q]))
                return DT_ENOMEM;
            count++;
        }
        for (int k = 0; k < ninst; k++) {
            if (!iv->qs[q].rel[k] || check_at(iv, q, k, &what, msg, sizeof(msg)))
                continue;
            eng_pos_name(iv, (eng_pos){q, k}, where, sizeof(where));
            if (errlist_add(issues, where, what, "%s", msg))
                return DT_ENOMEM;
            count++;
        }
    }
    return count;
}

int eng_is_refusal(interview *iv)
{
    expr_env env;
    const expr *e = form_refusal(iv->f);

    if (!e)
        return 0;
    fresh(iv);
    top_env(iv, &env);
    return expr_eval_bool(e, &env);
}

/* ---- navigation */

typedef struct screens {
    eng_pos *p;
    int n, cap;
    int nomem;
} screens;

static void push(screens *s, int q, int inst)
{
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 64;
        eng_pos *p = realloc(s->p, sizeof(eng_pos) * (size_t)cap);
        if (!p) {
            s->nomem = 1;
            return;
        }
        s->p = p;
        s->cap = cap;
    }
    s->p[s->n].q = q;
    s->p[s->n].inst = inst;
    s->n++;
}

static void walk(interview *iv, int from, int to, int inst, screens *s)
{
    for (int i = from; i < to;) {
        const form_question *fq = form_q(iv->f, i);
        int rel = iv->qs[i].rel[fq->repeat >= 0 ? inst : 0];

        if (fq->type == Q_GROUP) {
            i = rel ? i + 1 : fq->end;
            continue;
        }
        if (fq->type == Q_REPEAT) {
            if (rel) {
                for (int k = 0; k < iv->ninst[i]; k++)
                    walk(iv, i + 1, fq->end, k, s);
                if (!fq->repeat_count)
                    push(s, i, iv->ninst[i]);
            }
            i = fq->end;
            continue;
        }
        if (rel && (qtype_of(fq->type)->flags & QT_ASKED))
            push(s, i, fq->repeat >= 0 ? inst : 0);
        i++;
    }
}

int eng_screens(interview *iv, eng_pos **out)
{
    screens s = {0};

    fresh(iv);
    walk(iv, 0, form_nquestions(iv->f), 0, &s);
    if (s.nomem) {
        free(s.p);
        *out = NULL;
        return DT_ENOMEM;
    }
    *out = s.p;
    return s.n;
}

/* Orders places as the interview meets them: a repeat's instances in turn,
 * each in question order, its "add another?" place after the last one. */
static int pos_cmp(const interview *iv, eng_pos a, eng_pos b)
{
    const form_question *qa = form_q(iv->f, a.q), *qb = form_q(iv->f, b.q);
    int ta = qa->repeat >= 0 ? qa->repeat : a.q, tb = qb->repeat >= 0 ? qb->repeat : b.q;
    int ia = qa->repeat >= 0 || qa->type == Q_REPEAT ? a.inst : 0;
    int ib = qb->repeat >= 0 || qb->type == Q_REPEAT ? b.inst : 0;

    if (ta != tb)
        return ta < tb ? -1 : 1;
    if (ia != ib)
        return ia < ib ? -1 : 1;
    /* (r, n) is "add another?" for instance n: it comes before that instance's
     * questions, so that adding an instance and going next enters it. */
    int ka = qa->type == Q_REPEAT ? -1 : a.q, kb = qb->type == Q_REPEAT ? -1 : b.q;
    return ka < kb ? -1 : ka > kb;
}

int eng_next(interview *iv, eng_pos cur, eng_pos *out)
{
    eng_pos *s;
    int n = eng_screens(iv, &s), found = 0;

    for (int i = 0; i < n && !found; i++) {
        if (cur.q < 0 || pos_cmp(iv, s[i], cur) > 0) {
            *out = s[i];
            found = 1;
        }
    }
    free(s);
    return found;
}

int eng_prev(interview *iv, eng_pos cur, eng_pos *out)
{
    eng_pos *s;
    int n = eng_screens(iv, &s), found = 0;

    for (int i = n - 1; i >= 0 && !found && cur.q >= 0; i--) {
        if (pos_cmp(iv, s[i], cur) < 0) {
            *out = s[i];
            found = 1;
        }
    }
    free(s);
    return found;
}

/* ---- output */

static int add_answer(interview *iv, cJSON *obj, int q, int inst)
{
    const form_question *fq = form_q(iv->f, q);
    const val *v = &iv->qs[q].v[inst];
    cJSON *j;

    if (!iv->qs[q].rel[inst] || !v->has || fq->type == Q_NOTE || fq->type == Q_GROUP)
        return DT_OK;
    j = val_to_json(fq, v);
    if (!j || !cJSON_AddItemToObject(obj, fq->name, j)) {
        cJSON_Delete(j);
        return DT_ENOMEM;
    }
    return DT_OK;
}

static int add_repeat(interview *iv, cJSON *obj, int r)
{
    const form_question *rq = form_q(iv->f, r);
    cJSON *arr;

    if (!iv->qs[r].rel[0])
        return DT_OK;
    arr = cJSON_AddArrayToObject(obj, rq->name);
    if (!arr)
        return DT_ENOMEM;
    for (int k = 0; k < iv->ninst[r]; k++) {
        cJSON *inst = cJSON_CreateObject();
        if (!inst || !cJSON_AddItemToArray(arr, inst)) {
            cJSON_Delete(inst);
            return DT_ENOMEM;
        }
        for (int q = r + 1; q < rq->end; q++)
            if (add_answer(iv, inst, q, k))
                return DT_ENOMEM;
    }
    return DT_OK;
}

cJSON *eng_to_json(interview *iv)
{
    cJSON *obj = cJSON_CreateObject();
    int n = form_nquestions(iv->f);

    if (!obj)
        return NULL;
    fresh(iv);
    for (int q = 0; q < n; q++) {
        const form_question *fq = form_q(iv->f, q);
        int rc = DT_OK;
        if (fq->repeat >= 0)
            continue;
        rc = fq->type == Q_REPEAT ? add_repeat(iv, obj, q) : add_answer(iv, obj, q, 0);
        if (rc) {
            cJSON_Delete(obj);
            return NULL;
        }
    }
    return obj;
}
