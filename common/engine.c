/* engine.c - the interview engine: relevance, calculations, checks and navigation */
#include "engine_int.h"
#include "qtype.h"
#include "buf.h"
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    return ei_scope(iv, q);
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
    iv->scratch = expr_scratch_new();
    if (!iv->qs || !iv->scratch || ei_init(iv))
        goto fail;
    for (int q = 0; q < n; q++) {
        iv->qs[q].v = calloc(1, sizeof(val));
        iv->qs[q].rel = calloc(1, 1);
        if (!iv->qs[q].v || !iv->qs[q].rel)
            goto fail;
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
        int n = s >= 0 && iv->reps ? iv->reps[s].capslots : 1;
        for (int i = 0; iv->qs[q].v && i < n; i++)
            val_free(&iv->qs[q].v[i]);
        free(iv->qs[q].v);
        free(iv->qs[q].rel);
    }
    free(iv->qs);
    ei_free(iv);
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
    return in_use ? ei_live(iv, s, at.inst) : at.inst < iv->reps[s].nslots;
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

int ei_defaults(interview *iv, int r, int p)
{
    const form_question *rq = form_q(iv->f, r);
    eng_kids *k = ei_kids(iv, r, p);

    if (!k)
        return DT_ENOMEM;
    for (int j = 0; j < k->n; j++) {
        int s = k->slot[j];
        if (iv->reps[r].dflt[s])
            continue;
        iv->reps[r].dflt[s] = 1;
        for (int q = r + 1; q < rq->end; q++) {
            if (scope_of(iv, q) != r)
                continue;
            if (apply_default(iv, q, s))
                return DT_ENOMEM;
            /* an open-ended repeat inside starts empty: its instances get theirs when added */
        }
    }
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
        if (form_q(iv->f, q)->type == Q_REPEAT && ei_defaults(iv, q, 0))
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

/* ${ref} seen from the current evaluation: its answer in the instance the evaluation is in
 * (or one around it), else the set of its answers in the instances the evaluation can see
 * (sum(${m_age}) from the household, count(${plots}) from a member). */
static void lookup(void *ctx, int ref, int bare, expr_val *out)
{
    interview *iv = ctx;
    const form_question *fq;
    const int *slots;
    int r, a;

    if (bare) {
        const form_choice *c = iv->ctx_choice;
        memset(out, 0, sizeof(*out));
        out->kind = EXPR_STR;
        out->str = c ? c->attr[ref] : "";
        out->len = strlen(out->str);
        return;
    }
    fq = form_q(iv->f, ref);
    r = fq->type == Q_REPEAT ? ref : fq->repeat;
    if (fq->type != Q_REPEAT &&
        (r < 0 || (a = ei_ancestor(iv, iv->ctx_repeat, iv->ctx_inst, r)) >= 0)) {
        slot_value(iv, ref, r < 0 ? 0 : a, out);
        return;
    }
    memset(out, 0, sizeof(*out));
    out->kind = EXPR_SET;
    out->ref = ref;
    out->count = ei_set(iv, r, iv->ctx_repeat, iv->ctx_inst, &slots);
    if (out->count < 0)
        out->count = 0; /* out of memory: nothing seen */
}

static void item(void *ctx, int ref, int i, expr_val *out)
{
    interview *iv = ctx;
    const form_question *fq = form_q(iv->f, ref);
    const int *slots;
    int n;

    memset(out, 0, sizeof(*out));
    out->kind = EXPR_STR;
    out->str = "";
    if (fq->type == Q_REPEAT || fq->repeat < 0 || i < 0)
        return;
    n = ei_set(iv, fq->repeat, iv->ctx_repeat, iv->ctx_inst, &slots);
    if (i < n)
        slot_value(iv, ref, slots[i], out);
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
    env->position = s >= 0 ? iv->reps[s].pos[inst] + 1 : 0;
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
    if (fq->parent == fq->repeat) /* the repeat's own relevance: per slot of the one around it */
        return iv->qs[fq->parent]
            .rel[scope_of(iv, fq->parent) >= 0 ? iv->reps[fq->repeat].par[inst] : 0];
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
        eng_kids *k = ei_ensure(iv, q, inst, count) == DT_OK ? ei_kids(iv, q, inst) : NULL;
        if (k)
            k->n = count;
        if ((k = ei_kids(iv, q, inst)))
            k->want = count; /* more than n when past ENG_MAX_SLOTS: eng_validate says so */
        if (iv->defaults)
            ei_defaults(iv, q, inst);
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
        for (int k = 0; k < iv->reps[s].nslots; k++)
            if (ei_live(iv, s, k))
                compute(iv, q, k);
    }
    iv->dirty = 0;
}

static void fresh(interview *iv)
{
    if (iv->dirty)
        eng_recompute(iv);
}

void ei_fresh(interview *iv)
{
    fresh(iv);
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
    ei_forget_given(iv);
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
        const char *s = expr_to_string(&v, &env, &len); /* a set: its first item */
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

/* The instances of repeat r in slot p of the one around it (0 at the top), from an array of
 * objects; a repeat inside comes as an array in each. where names r's place ("members[2]/plots"
 * or "members"). */
static int load_instances(interview *iv, int r, int p, const cJSON *arr, const char *where,
                          errlist *problems)
{
    const form_question *rq = form_q(iv->f, r);
    int n = cJSON_GetArraySize(arr), k = 0, rc = DT_OK;
    const cJSON *inst, *a;
    eng_kids *kids;

    if (!cJSON_IsArray(arr))
        return errlist_add(problems, where, "answer", "expected an array of objects, one per %s",
                           "instance")
                   ? DT_ENOMEM
                   : DT_EINVAL;
    if (n > FORM_MAX_INSTANCES)
        return errlist_add(problems, where, "answer", "more than %d instances", FORM_MAX_INSTANCES)
                   ? DT_ENOMEM
                   : DT_EINVAL;
    if ((rc = ei_ensure(iv, r, p, n)) == DT_EINVAL)
        return errlist_add(problems, where, "answer",
                           "more than %d instances of this repeat in the whole interview",
                           ENG_MAX_SLOTS)
                   ? DT_ENOMEM
                   : DT_EINVAL;
    if (rc || !(kids = ei_kids(iv, r, p)))
        return DT_ENOMEM;
    kids->given = n;
    if (!rq->repeat_count)
        kids->n = n;
    cJSON_ArrayForEach(inst, arr)
    {
        char at[256];
        int slot = ei_kids(iv, r, p)->slot[k];
        iv->reps[r].dflt[slot] = 1; /* answers from a file get no defaults */
        snprintf(at, sizeof(at), "%s[%d]", where, k + 1);
        if (!cJSON_IsObject(inst)) {
            if (errlist_add(problems, at, "answer", "expected an object of answers"))
                return DT_ENOMEM;
            rc = DT_EINVAL;
        }
        cJSON_ArrayForEach(a, inst)
        {
            int q = form_find(iv->f, a->string), r3;
            char sub[300];
            snprintf(sub, sizeof(sub), "%s/%s", at, a->string);
            if (q < 0 || scope_of(iv, q) != r) {
                if (errlist_add(problems, sub, "answer", "%s",
                                q < 0 ? "unknown question" : "question is not part of this repeat"))
                    return DT_ENOMEM;
                rc = DT_EINVAL;
                continue;
            }
            if (form_q(iv->f, q)->type == Q_CALCULATE)
                continue; /* recomputed, never trusted */
            r3 = form_q(iv->f, q)->type == Q_REPEAT ? load_instances(iv, q, slot, a, sub, problems)
                                                    : load_value(iv, q, slot, a, problems);
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
        r = fq->type == Q_REPEAT ? load_instances(iv, q, 0, a, fq->name, problems)
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
        int s = fq->repeat, nslots = s >= 0 ? iv->reps[s].nslots : 1;

        for (int k = 0; k < nslots; k++) {
            if (s >= 0 && !ei_live(iv, s, k))
                continue;
            if (fq->type == Q_REPEAT && fq->repeat_count && iv->qs[q].rel[k] &&
                k < iv->reps[q].nkids && iv->reps[q].kids[k].given > iv->reps[q].kids[k].n) {
                eng_pos_name(iv, (eng_pos){q, ENG_ADD_PLACE(k, 0)}, where, sizeof(where));
                if (errlist_add(issues, where, "repeat",
                                "answers were given for %d instances but repeat_count gives %d",
                                iv->reps[q].kids[k].given, iv->reps[q].kids[k].n))
                    return DT_ENOMEM;
                count++;
            }
            if (fq->type == Q_REPEAT && fq->repeat_count && iv->qs[q].rel[k] &&
                k < iv->reps[q].nkids && iv->reps[q].kids[k].want > iv->reps[q].kids[k].n) {
                eng_pos_name(iv, (eng_pos){q, ENG_ADD_PLACE(k, 0)}, where, sizeof(where));
                if (errlist_add(issues, where, "repeat",
                                "repeat_count gives %d instances: more than %d of this repeat "
                                "in the whole interview",
                                iv->reps[q].kids[k].want, ENG_MAX_SLOTS))
                    return DT_ENOMEM;
                count++;
            }
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
            int p = fq->repeat >= 0 ? inst : 0;
            eng_kids *k = rel ? ei_kids(iv, i, p) : NULL;
            if (rel && !k)
                s->nomem = 1;
            for (int j = 0; k && j < k->n; j++)
                walk(iv, i + 1, fq->end, k->slot[j], s);
            if (k && !fq->repeat_count)
                push(s, i, ENG_ADD_PLACE(p, k->n));
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

/* A place's key in the order the interview meets places: for each repeat around it, outermost
 * first, the repeat and the instance's position; then the question. An open-ended repeat's
 * "add another?" place is the repeat, the count it was made at and -1: after those instances,
 * before the questions of the one it would add, so that adding one and going next enters it.
 * Returns the key's length. */
static int pos_key(const interview *iv, eng_pos at, int *key, int max)
{
    const form_question *fq = form_q(iv->f, at.q);
    int n = 0, chain[FORM_MAX_DEPTH_REPEATS + 1], slots[FORM_MAX_DEPTH_REPEATS + 1], depth = 0;

    int rep_place = fq->type == Q_REPEAT;

    for (int r = fq->repeat, sl = rep_place ? ENG_ADD_PARENT(at.inst) : at.inst;
         r >= 0 && depth <= FORM_MAX_DEPTH_REPEATS && sl >= 0 && sl < iv->reps[r].nslots;
         sl = iv->reps[r].par[sl], r = scope_of(iv, r)) {
        chain[depth] = r;
        slots[depth++] = sl;
    }
    for (int d = depth - 1; d >= 0 && n + 2 <= max; d--) {
        key[n++] = chain[d];
        key[n++] = iv->reps[chain[d]].pos[slots[d]];
    }
    if (rep_place && n + 3 <= max) {
        key[n++] = at.q;
        key[n++] = ENG_ADD_COUNT(at.inst);
        key[n++] = -1;
    } else if (n < max) {
        key[n++] = at.q;
    }
    return n;
}

static int pos_cmp(const interview *iv, eng_pos a, eng_pos b)
{
    int ka[2 * FORM_MAX_DEPTH_REPEATS + 8], kb[2 * FORM_MAX_DEPTH_REPEATS + 8];
    int na = pos_key(iv, a, ka, 2 * FORM_MAX_DEPTH_REPEATS + 8);
    int nb = pos_key(iv, b, kb, 2 * FORM_MAX_DEPTH_REPEATS + 8);

    for (int i = 0; i < na && i < nb; i++)
        if (ka[i] != kb[i])
            return ka[i] < kb[i] ? -1 : 1;
    return na < nb ? -1 : na > nb;
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

/* The instances of repeat r in slot p of the one around it, as an array in obj. */
static int add_repeat(interview *iv, cJSON *obj, int r, int p)
{
    const form_question *rq = form_q(iv->f, r);
    eng_kids *k;
    cJSON *arr;

    if (!iv->qs[r].rel[p])
        return DT_OK;
    if (!(k = ei_kids(iv, r, p)) || !(arr = cJSON_AddArrayToObject(obj, rq->name)))
        return DT_ENOMEM;
    for (int j = 0; j < k->n; j++) {
        cJSON *inst = cJSON_CreateObject();
        int slot = k->slot[j];
        if (!inst || !cJSON_AddItemToArray(arr, inst)) {
            cJSON_Delete(inst);
            return DT_ENOMEM;
        }
        for (int q = r + 1; q < rq->end; q++) {
            if (scope_of(iv, q) != r)
                continue;
            if (form_q(iv->f, q)->type == Q_REPEAT ? add_repeat(iv, inst, q, slot)
                                                   : add_answer(iv, inst, q, slot))
                return DT_ENOMEM;
        }
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
        rc = fq->type == Q_REPEAT ? add_repeat(iv, obj, q, 0) : add_answer(iv, obj, q, 0);
        if (rc) {
            cJSON_Delete(obj);
            return NULL;
        }
    }
    return obj;
}
