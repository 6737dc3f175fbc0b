/* isess.c - one interview session: the case, its form version, the answers and the screen
 * being answered; every accepted answer committed with its position and paradata */
#include "isess.h"
#include "display.h"
#include "paradata.h"
#include "qtype.h"
#include "uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Adds the time since the last count to the screen being answered. */
static void count_time(isess *s)
{
    char where[IS_PLACE_MAX];
    double t = now_s();

    if (s->cur.q >= 0) {
        eng_pos_name(s->iv, s->cur, where, sizeof(where));
        paradata_add_time(s->para, where, t - s->shown_at);
    }
    s->shown_at = t;
}

void is_set_lang(isess *s, const char *lang)
{
    s->flang = form_lang_index(s->f, lang);
    if (s->flang < 0)
        s->flang = 0;
    eng_set_lang(s->iv, s->flang);
}

void is_go(isess *s, eng_pos to)
{
    count_time(s);
    s->cur = to;
}

int is_screens(const isess *s, eng_pos **out)
{
    int n = eng_screens(s->iv, out);

    if (n < 0)
        *out = NULL;
    return n;
}

int is_count_answered(const isess *s, int leave_out_cur)
{
    eng_pos *sc;
    int n = is_screens(s, &sc), k = 0;

    for (int i = 0; i < n; i++)
        if (!(leave_out_cur && eng_pos_same(sc[i], s->cur)) && eng_get(s->iv, sc[i])->has)
            k++;
    free(sc);
    return n < 0 ? n : k;
}

/* A label for lists: the assignment's, else the household key's answers (malloc'd). */
static char *case_label(const isess *s)
{
    buf b;

    if (s->c.assignment_id && s->c.label && *s->c.label)
        return strdup(s->c.label);
    buf_init(&b, 4096);
    eng_household_label(&b, s->iv, s->flang);
    return buf_detach(&b);
}

/* The answers, paradata and label as text, to be stored (each freed with free()).
 * Returns 0, or DT_ENOMEM with err set and nothing to free. */
static int snapshot(const isess *s, char **answers, char **para, char **label, dt_err *err)
{
    cJSON *a = eng_to_json(s->iv);

    *answers = a ? cJSON_PrintUnformatted(a) : NULL;
    *para = paradata_text(s->para);
    *label = case_label(s);
    cJSON_Delete(a);
    if (*answers && *para && *label)
        return DT_OK;
    free(*answers);
    free(*para);
    free(*label);
    *answers = *para = *label = NULL;
    return err_set(err, DT_ENOMEM, "out of memory");
}

int is_save(isess *s, dt_err *err)
{
    char where[IS_PLACE_MAX] = "", *answers, *para, *label;
    int rc;

    count_time(s);
    if (s->cur.q >= 0)
        eng_pos_name(s->iv, s->cur, where, sizeof(where));
    rc = snapshot(s, &answers, &para, &label, err);
    if (rc == DT_OK)
        rc = cstore_case_save(s->cs, s->c.case_id, answers, para, where, label, err);
    free(answers);
    free(para);
    free(label);
    return rc;
}

int is_problems(const isess *s)
{
    errlist issues = {0};
    int n = eng_validate(s->iv, &issues);

    errlist_free(&issues);
    return n;
}

int is_finalize(isess *s, char *rev, dt_err *err)
{
    char *answers, *para, *label;
    int refusal = eng_is_refusal(s->iv), rc;

    rev[0] = '\0';
    if ((rc = is_problems(s)) != 0)
        return rc < 0 ? err_set(err, DT_ENOMEM, "out of memory")
                      : err_set(err, DT_EINVAL,
                                "the interview has %d problem%s to correct before it can be "
                                "finished",
                                rc, rc == 1 ? "" : "s");
    count_time(s);
    paradata_end(s->para);
    rc = snapshot(s, &answers, &para, &label, err);
    if (rc == DT_OK)
        rc = cstore_case_finalize(s->cs, s->c.case_id, answers, para,
                                  refusal ? "refusal" : "complete", label, rev, err);
    free(answers);
    free(para);
    free(label);
    /* "Finished" only when it is, and said whenever it is: the file's truth decides. */
    if (rc && cstore_recheck_finalized(s->cs, s->c.case_id, rev) == 1)
        rc = DT_OK;
    return rc;
}

is_verdict is_answer(isess *s, const char *text, int check, int hide, char *msg, size_t size,
                     int *hidden)
{
    char why[256];
    val prev = {0};
    int before = is_count_answered(s, 1), after;
    is_verdict v = IS_KEPT;

    *hidden = 0;
    msg[0] = '\0';
    if (before < 0 || val_copy(&prev, eng_get(s->iv, s->cur)))
        return IS_NOMEM;
    switch (eng_set_text(s->iv, s->cur, text, why, sizeof(why))) {
    case DT_OK:
        break;
    case DT_ENOMEM:
        v = IS_NOMEM;
        goto cleanup;
    default:
        v = IS_BAD_TYPE;
        goto cleanup;
    }
    if (check && !eng_check(s->iv, s->cur, msg, size)) {
        v = IS_REFUSED;
        goto undo;
    }
    after = is_count_answered(s, 1);
    if (hide || after < 0 || after >= before)
        goto cleanup;
    *hidden = before - after;
    v = IS_WOULD_HIDE;
undo:
    if (eng_set_val(s->iv, s->cur, &prev))
        v = IS_NOMEM;
cleanup:
    val_free(&prev);
    return v;
}

int is_check_current(isess *s, char *msg, size_t size)
{
    msg[0] = '\0';
    return qtype_input(form_q(s->f, s->cur.q)) == QI_NOTE || eng_check(s->iv, s->cur, msg, size);
}

int is_next(const isess *s, eng_pos *next)
{
    return eng_next(s->iv, s->cur, next);
}

int is_back(isess *s)
{
    eng_pos p;

    if (!eng_prev(s->iv, s->cur, &p))
        return 0;
    is_go(s, p);
    return 1;
}

/* One step of a place's name: "members[2]" (k = 1) or "m_age" (k = -1). */
typedef struct jump_step {
    int q, k;
} jump_step;

/* Parses "members[2]/plots[1]/p_area" (or "m_age[2]", "m_age") into st: the number of steps,
 * or -1 when a name is not one of the form's or the text is not a place. */
static int parse_place(const form *f, const char *arg, jump_step *st, int max)
{
    char name[FORM_NAME_MAX + 1];
    int n = 0;

    while (*arg && n < max) {
        size_t len = strcspn(arg, "[/");
        if (!len || len > FORM_NAME_MAX)
            return -1;
        memcpy(name, arg, len);
        name[len] = '\0';
        if ((st[n].q = form_find(f, name)) < 0)
            return -1;
        st[n].k = -1;
        arg += len;
        if (*arg == '[') {
            char *end;
            st[n].k = (int)strtol(arg + 1, &end, 10) - 1;
            if (*end != ']' || st[n].k < 0)
                return -1;
            arg = end + 1;
        }
        n++;
        if (*arg == '/')
            arg++;
        else if (*arg)
            return -1;
    }
    return *arg ? -1 : n;
}

/* 1 when screen p is the last step's question or inside it (its group or repeat), in the
 * instances the steps name: "m_age[2]" is member 2's, "members[2]/plots[1]" their first
 * plot's. */
static int screen_matches(const isess *s, eng_pos p, const jump_step *st, int n)
{
    const form_question *fq = form_q(s->f, st[n - 1].q);

    if (p.q != fq->index &&
        !(p.q > fq->index && p.q < fq->end && (fq->type == Q_GROUP || fq->type == Q_REPEAT)))
        return 0;
    for (int i = 0; i < n; i++) {
        const form_question *q = form_q(s->f, st[i].q);
        int r = q->type == Q_REPEAT ? q->index : q->repeat, slot;
        if (st[i].k < 0 || r < 0)
            continue;
        slot = eng_place_instance(s->iv, p, r);
        if (slot < 0 || eng_instance_position(s->iv, r, slot) != st[i].k)
            return 0;
    }
    return 1;
}

int is_jump(isess *s, const char *arg)
{
    jump_step st[FORM_MAX_DEPTH_REPEATS + 2];
    eng_pos *sc;
    int n = is_screens(s, &sc), found = -1, steps;
    char *end;
    long k = strtol(arg, &end, 10);

    if (n < 0)
        return DT_ENOMEM;
    steps = parse_place(s->f, arg, st, FORM_MAX_DEPTH_REPEATS + 2);
    if (end != arg && !*end && k >= 1 && k <= n)
        found = (int)k - 1;
    for (int i = 0; steps > 0 && i < n && found < 0; i++)
        if (screen_matches(s, sc[i], st, steps))
            found = i;
    if (found >= 0)
        is_go(s, sc[found]);
    free(sc);
    return found >= 0 ? IS_JUMPED : steps > 0 ? IS_SKIPPED : IS_NO_QUESTION;
}

/* Where the session starts: the stored position, else the first screen unanswered or with
 * a problem, else the first. 0, DT_ENOMEM or DT_EINVAL (no screen). */
static int start_position(isess *s, is_start how)
{
    char where[IS_PLACE_MAX], msg[512];
    eng_pos *sc;
    int n = is_screens(s, &sc), at = -1;

    if (n <= 0) {
        free(sc);
        return n < 0 ? DT_ENOMEM : DT_EINVAL;
    }
    for (int i = 0; how != IS_NEW && i < n && at < 0; i++) {
        eng_pos_name(s->iv, sc[i], where, sizeof(where));
        if (s->c.position && !strcmp(where, s->c.position))
            at = i;
    }
    for (int i = 0; how != IS_NEW && i < n && at < 0; i++) {
        qt_input t = qtype_input(form_q(s->f, sc[i].q));
        if (t != QI_NOTE && t != QI_REPEAT &&
            (!eng_get(s->iv, sc[i])->has || !eng_check(s->iv, sc[i], msg, sizeof(msg))))
            at = i;
    }
    s->cur = sc[at < 0 ? 0 : at];
    free(sc);
    return DT_OK;
}

/* Loads the case, its form and its answers into s: 0, or a DT_ code with *why. */
static int load(isess *s, const char *case_id, const char *lang, is_start how, is_failure *why,
                errlist *problems, dt_err *err)
{
    cJSON *answers = NULL;
    int rc;

    why->why = IS_FAIL_TROUBLE;
    if ((rc = cstore_case_get(s->cs, case_id, &s->c, err))) {
        if (rc == DT_ENOTFOUND)
            why->why = IS_FAIL_NOT_FOUND;
        return rc;
    }
    if (strcmp(s->c.status, "draft") != 0) {
        why->why = IS_FAIL_NOT_DRAFT;
        snprintf(why->status, sizeof(why->status), "%s", s->c.status);
        return err_set(err, DT_EINVAL, "case %s is %s, not a draft", case_id, s->c.status);
    }
    if ((rc = cstore_load_form(s->cs, s->c.form_id, s->c.form_version, &s->f, err))) {
        snprintf(why->form_id, sizeof(why->form_id), "%s", s->c.form_id);
        why->form_version = s->c.form_version;
        if (rc == DT_ENOTFOUND)
            why->why = IS_FAIL_NO_FORM;
        return rc;
    }
    s->iv = eng_new(s->f, disp_today(), 0);
    if (!s->iv || (how == IS_NEW && eng_use_defaults(s->iv)))
        return err_set(err, DT_ENOMEM, "out of memory");
    is_set_lang(s, lang);
    answers = cJSON_Parse(s->c.answers ? s->c.answers : "{}");
    rc = answers ? eng_load_json(s->iv, answers, problems) : DT_EINVAL;
    cJSON_Delete(answers);
    if (rc) {
        /* Going on would overwrite what cannot be read: stop instead. */
        why->why = IS_FAIL_BAD_ANSWERS;
        return err_set(err, DT_EINVAL, "the stored answers of case %s cannot be read", case_id);
    }
    if (!(s->para = paradata_parse(s->c.paradata)))
        return err_set(err, DT_ENOMEM, "out of memory");
    if (how != IS_NEW)
        paradata_session(s->para);
    if ((rc = start_position(s, how)))
        return err_set(err, rc, "the interview has no screen to show");
    why->why = IS_FAIL_NONE;
    return DT_OK;
}

/* ---- a new interview */

/* The form of a new case: the assignment's, the one asked for, or the only one installed. */
static int choose_form(cstore *cs, const char *form_id, const cstore_assignment *a, char **out,
                       dt_err *err)
{
    if (a && form_id && strcmp(form_id, a->form_id) != 0)
        return err_set(err, DT_EINVAL, "assignment %s is for form %s, not %s", a->assignment_id,
                       a->form_id, form_id);
    if (a || form_id) {
        *out = strdup(a ? a->form_id : form_id);
        return *out ? DT_OK : err_set(err, DT_ENOMEM, "out of memory");
    }
    return cstore_default_form(cs, out, err);
}

/* Puts an assignment's prefilled answers into iv. A bad prefill goes to notes and what
 * fits is kept: the centre's mistake must not stop the interview. 0 or DT_ENOMEM. */
static int prefill(interview *iv, const cstore_assignment *a, errlist *notes)
{
    cJSON *j;
    int rc;

    if (!a || !a->prefill || !*a->prefill)
        return DT_OK;
    j = cJSON_Parse(a->prefill);
    rc = j ? eng_load_json(iv, j, notes) : DT_EINVAL;
    if (!j)
        errlist_add(notes, a->assignment_id, "prefill", "not a JSON object");
    cJSON_Delete(j);
    return rc == DT_EINVAL ? DT_OK : rc;
}

/* What the new case starts with, apart from the answers and paradata. */
static void fill_case(cstore_case *c, char *id, char *form_id, const form *f, char *enumerator,
                      char *device, const cstore_assignment *a, char *now)
{
    static char draft[] = "draft", empty[] = "";

    c->case_id = id;
    c->form_id = form_id;
    c->form_version = form_version(f);
    c->enumerator = enumerator;
    c->device_id = device;
    c->status = draft;
    c->position = empty;
    c->label = a && a->label ? a->label : empty;
    c->created_at = now;
    if (!a)
        return;
    c->assignment_id = a->assignment_id;
    c->weight = a->weight;
    c->has_weight = a->has_weight;
    c->stratum = a->stratum;
    c->psu = a->psu;
}

int is_create(cstore *cs, const char *form_id, const char *assignment_id, const char *lang,
              char *id, is_failure *why, errlist *notes, dt_err *err)
{
    char *enumerator = NULL, *device = NULL, *fid = NULL, now[32];
    cstore_assignment a;
    cstore_case c;
    form *f = NULL;
    interview *iv = NULL;
    cJSON *para = NULL, *answers = NULL;
    int rc, flang;

    memset(&a, 0, sizeof(a));
    memset(&c, 0, sizeof(c));
    memset(why, 0, sizeof(*why));
    why->why = IS_FAIL_TROUBLE;
    rc = cstore_identity(cs, &enumerator, &device, err);
    if (rc == DT_ENOTFOUND)
        why->why = IS_FAIL_NO_ENUMERATOR;
    if (rc || (assignment_id && (rc = cstore_assignment_get(cs, assignment_id, &a, err))))
        goto cleanup;
    if ((rc = choose_form(cs, form_id, assignment_id ? &a : NULL, &fid, err)) ||
        (rc = cstore_load_form(cs, fid, 0, &f, err)))
        goto cleanup;
    flang = form_lang_index(f, lang);
    iv = eng_new(f, disp_today(), flang < 0 ? 0 : flang);
    if (!iv || eng_use_defaults(iv) || prefill(iv, assignment_id ? &a : NULL, notes))
        goto nomem;
    answers = eng_to_json(iv);
    para = paradata_new(enumerator, device, fid, form_version(f), "interview");
    c.answers = answers ? cJSON_PrintUnformatted(answers) : NULL;
    c.paradata = para ? paradata_text(para) : NULL;
    if (!c.answers || !c.paradata)
        goto nomem;
    uuid_new(id);
    cstore_now(now);
    fill_case(&c, id, fid, f, enumerator, device, assignment_id ? &a : NULL, now);
    if ((rc = cstore_case_create(cs, &c, err)) == DT_OK)
        why->why = IS_FAIL_NONE;
    goto cleanup;
nomem:
    rc = err_set(err, DT_ENOMEM, "out of memory");
cleanup:
    cJSON_free(c.answers);
    cJSON_free(c.paradata);
    cJSON_Delete(answers);
    cJSON_Delete(para);
    eng_free(iv);
    form_free(f);
    if (assignment_id)
        cstore_assignment_free(&a);
    free(fid);
    free(enumerator);
    free(device);
    return rc;
}

static void sess_free(isess *s)
{
    eng_free(s->iv);
    form_free(s->f);
    cJSON_Delete(s->para);
    cstore_case_free(&s->c);
    free(s);
}

int is_open(isess **out, cstore *cs, const char *case_id, const char *lang, is_start how,
            is_failure *why, errlist *problems, dt_err *err)
{
    isess *s = calloc(1, sizeof(*s));
    int rc;

    *out = NULL;
    memset(why, 0, sizeof(*why));
    if (!s) {
        why->why = IS_FAIL_TROUBLE;
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    s->cs = cs;
    s->cur.q = -1;
    if ((rc = load(s, case_id, lang, how, why, problems, err)))
        goto fail;
    if ((rc = cstore_case_lock(cs, case_id, err))) {
        why->why = IS_FAIL_LOCKED;
        goto fail;
    }
    s->shown_at = now_s();
    *out = s;
    return DT_OK;
fail:
    sess_free(s);
    return rc;
}

void is_close(isess *s)
{
    if (!s)
        return;
    cstore_case_unlock(s->cs, s->c.case_id);
    sess_free(s);
}

/* ---- the members of a roster, as a table */

int is_roster_kind(const isess *s, int r)
{
    const form_question *rq = form_q(s->f, r);

    if (rq->type != Q_REPEAT)
        return IS_ROSTER_FIXED;
    if (!rq->repeat_count)
        return IS_ROSTER_OPEN;
    return form_repeat_counter(s->f, r) >= 0 ? IS_ROSTER_COUNTED : IS_ROSTER_FIXED;
}

const char *is_member_name(const isess *s, int r, int slot)
{
    const form_question *rq = form_q(s->f, r);

    for (int q = r + 1; q < rq->end; q++) {
        if (form_q(s->f, q)->type != Q_TEXT || form_q(s->f, q)->repeat != r)
            continue;
        const val *v = eng_get(s->iv, (eng_pos){q, slot});
        return v->has ? v->str : NULL;
    }
    return NULL;
}

int is_roster_parent(const isess *s, int r)
{
    return eng_place_instance(s->iv, s->cur, form_q(s->f, r)->repeat);
}

/* Sets roster r's counting question (in parent, the slot of the repeat around r) to n as if
 * it were answered (its constraint checked): 1, or 0 with msg and the answer unchanged, or
 * DT_ENOMEM. */
static int set_count(isess *s, int r, int parent, int n, char *msg, size_t size)
{
    eng_pos at = {form_repeat_counter(s->f, r), parent};
    char text[16], why[256];
    val prev = {0};
    int ok = 1;

    if (val_copy(&prev, eng_get(s->iv, at)))
        return DT_ENOMEM;
    snprintf(text, sizeof(text), "%d", n);
    if (eng_set_text(s->iv, at, text, why, sizeof(why)) || !eng_check(s->iv, at, msg, size)) {
        ok = 0;
        if (eng_set_val(s->iv, at, &prev))
            ok = DT_ENOMEM;
    }
    val_free(&prev);
    return ok;
}

/* Goes to member k's first screen (of roster r in parent); when they have none, to the
 * roster's "add another?" place there, or to what follows the roster's members there. */
static void land(isess *s, int r, int parent, int k)
{
    eng_pos *sc, to = {-1, 0},
                 after = {r, ENG_ADD_PLACE(parent, eng_instances_in(s->iv, r, parent))};
    int n = is_screens(s, &sc), slot = eng_instance_slot(s->iv, r, parent, k);

    for (int i = 0; i < n && to.q < 0 && slot >= 0; i++)
        if (eng_place_instance(s->iv, sc[i], r) == slot)
            to = sc[i];
    for (int i = 0; i < n && to.q < 0; i++)
        if (eng_pos_same(sc[i], after))
            to = sc[i];
    free(sc);
    if (to.q < 0 && !eng_next(s->iv, after, &to) && !eng_prev(s->iv, after, &to))
        return;
    is_go(s, to);
}

/* 1 when the screen being answered is in an instance of roster r or at its "add another?"
 * place. */
static int in_roster(const isess *s, int r)
{
    return s->cur.q == r || eng_place_instance(s->iv, s->cur, r) >= 0;
}

int is_member_add(isess *s, int r, int parent, char *msg, size_t size)
{
    int n = eng_instances_in(s->iv, r, parent), rc;

    msg[0] = '\0';
    switch (is_roster_kind(s, r)) {
    case IS_ROSTER_OPEN:
        if ((rc = eng_add_instance_in(s->iv, r, parent)) < 0)
            return rc;
        break;
    case IS_ROSTER_COUNTED:
        if ((rc = set_count(s, r, parent, n + 1, msg, size)) != 1)
            return rc == 0 ? DT_EINVAL : rc;
        break;
    default:
        return DT_EINVAL;
    }
    land(s, r, parent, n);
    return n;
}

int is_member_remove(isess *s, int r, int parent, int k, char *msg, size_t size)
{
    int kind = is_roster_kind(s, r), n = eng_instances_in(s->iv, r, parent), rc, last;

    msg[0] = '\0';
    if (kind == IS_ROSTER_FIXED || eng_move_instance_in(s->iv, r, parent, k, n - 1))
        return DT_EINVAL;
    last = eng_instance_slot(s->iv, r, parent, n - 1); /* before the count leaves it out */
    if (kind == IS_ROSTER_COUNTED && (rc = set_count(s, r, parent, n - 1, msg, size)) != 1) {
        eng_move_instance_in(s->iv, r, parent, n - 1, k);
        return rc == 0 ? DT_EINVAL : rc;
    }
    eng_clear_instance(s->iv, r, last);
    if (kind == IS_ROSTER_OPEN)
        eng_remove_instance_in(s->iv, r, parent);
    if (in_roster(s, r))
        land(s, r, parent, k < n - 1 ? k : k - 1);
    return DT_OK;
}

int is_member_move(isess *s, int r, int parent, int from, int to)
{
    if (is_roster_kind(s, r) == IS_ROSTER_FIXED || eng_move_instance_in(s->iv, r, parent, from, to))
        return DT_EINVAL;
    if (in_roster(s, r))
        land(s, r, parent, to);
    return DT_OK;
}
