/* review_answers.c - a revision's answers for the review's pages (review_answers.h) */
#include "review_answers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The form's languages as the page shows them: Vietnamese first, English beside. */
typedef struct langs {
    int vi, en;
} langs;

static langs langs_of(const form *f)
{
    langs l = {form_lang_index(f, "vi"), form_lang_index(f, "en")};

    if (l.vi < 0)
        l.vi = 0;
    if (l.en == l.vi)
        l.en = -1;
    return l;
}

/* Whether q is shown as a row (not a heading, a note or a roster's own row). */
static int answerable(const form_question *q)
{
    return q->type != Q_GROUP && q->type != Q_REPEAT && q->type != Q_NOTE;
}

static void put_label(dout *o, const form_question *q, langs l)
{
    if (!q->label) {
        dout_esc(o, q->name);
        return;
    }
    dout_esc(o, q->label[l.vi]);
    if (l.en >= 0 && q->label[l.en] && strcmp(q->label[l.en], q->label[l.vi]) != 0) {
        dout_puts(o, "<br><span class=\"en\">");
        dout_esc(o, q->label[l.en]);
        dout_puts(o, "</span>");
    }
}

static void put_choice(dout *o, const form_question *q, const cJSON *v, langs l)
{
    const form_choice *c =
        q->list && cJSON_IsNumber(v) ? form_choice_find(q->list, (long long)v->valuedouble) : NULL;

    if (!c) {
        char *t = cJSON_PrintUnformatted(v);
        dout_esc(o, t ? t : "?");
        cJSON_free(t);
        return;
    }
    dout_printf(o, "%lld · ", c->code);
    dout_esc(o, c->label[l.vi]);
}

/* One answer as text: choices by their labels, "—" when unanswered. */
static void put_value(dout *o, const form_question *q, const cJSON *v, langs l)
{
    const cJSON *e;
    int n = 0;

    if (!v || cJSON_IsNull(v)) {
        dout_puts(o, "<span class=\"muted\">—</span>");
    } else if (q->type == Q_SELECT_ONE) {
        put_choice(o, q, v, l);
    } else if (q->type == Q_SELECT_MULTIPLE && cJSON_IsArray(v)) {
        cJSON_ArrayForEach(e, v)
        {
            if (n++)
                dout_puts(o, "; ");
            put_choice(o, q, e, l);
        }
        if (!n)
            dout_puts(o, "<span class=\"muted\">(không chọn · none)</span>");
    } else if (cJSON_IsString(v)) {
        dout_esc(o, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        dout_printf(o, "%.15g", v->valuedouble);
    } else {
        char *t = cJSON_PrintUnformatted(v);
        dout_esc(o, t ? t : "?");
        cJSON_free(t);
    }
}

/* The rows of repeat chain[depth - 1] under list, the instances of chain[d]: one per
 * instance, led by the positions of the instances around it (pos). Returns the rows (only
 * counted when o is NULL). */
static int roster_rows(dout *o, const form *f, const int *chain, int depth, int d,
                       const cJSON *list, int *pos, langs l)
{
    const form_question *rq = form_q(f, chain[depth - 1]);
    const cJSON *inst;
    int rows = 0;

    pos[d] = 0;
    cJSON_ArrayForEach(inst, list)
    {
        pos[d]++;
        if (d + 1 < depth) {
            rows += roster_rows(
                o, f, chain, depth, d + 1,
                cJSON_GetObjectItemCaseSensitive(inst, form_q(f, chain[d + 1])->name), pos, l);
            continue;
        }
        rows++;
        if (!o)
            continue;
        dout_puts(o, "<tr>");
        for (int k = 0; k < depth; k++)
            dout_printf(o, "<td>%d</td>", pos[k]);
        for (int j = rq->index + 1; j < rq->end; j++) {
            const form_question *q = form_q(f, j);
            if (q->repeat != rq->index || !answerable(q))
                continue;
            dout_puts(o, "<td>");
            put_value(o, q, cJSON_GetObjectItemCaseSensitive(inst, q->name), l);
            dout_puts(o, "</td>");
        }
        dout_puts(o, "</tr>\n");
    }
    return rows;
}

/* A roster (repeat r) as a table: a row per member, a column per question of theirs. A
 * roster inside a roster is a table of its own, each row led by the positions around it
 * (member 2's first phone: 2, 1), as its export file is. */
static void roster(dout *o, const form *f, int r, const cJSON *answers, langs l)
{
    const form_question *rq = form_q(f, r);
    int chain[FORM_MAX_DEPTH_REPEATS + 1], pos[FORM_MAX_DEPTH_REPEATS + 1];
    int depth = form_repeats_around(f, r, chain);
    const cJSON *top;

    chain[depth++] = r; /* the repeats from the top down to r */
    top = cJSON_GetObjectItemCaseSensitive(answers, form_q(f, chain[0])->name);
    dout_puts(o, "<tr class=\"group\"><td colspan=\"2\">");
    put_label(o, rq, l);
    dout_printf(o,
                " (%d)</td></tr>\n<tr><td colspan=\"2\"><div class=\"scroll\"><table "
                "class=\"answers roster\"><tr>",
                roster_rows(NULL, f, chain, depth, 0, top, pos, l));
    for (int d = 0; d + 1 < depth; d++) {
        dout_puts(o, "<th>");
        put_label(o, form_q(f, chain[d]), l);
        dout_puts(o, " #</th>");
    }
    dout_puts(o, "<th>#</th>");
    for (int j = r + 1; j < rq->end; j++)
        if (form_q(f, j)->repeat == r && answerable(form_q(f, j))) {
            dout_puts(o, "<th>");
            put_label(o, form_q(f, j), l);
            dout_puts(o, "</th>");
        }
    dout_puts(o, "</tr>\n");
    roster_rows(o, f, chain, depth, 0, top, pos, l);
    dout_puts(o, "</table></div></td></tr>\n");
}

void ra_answers(dout *o, const form *f, const cJSON *answers)
{
    langs l = langs_of(f);

    dout_puts(o, "<table class=\"answers\"><tr><th>Câu hỏi · Question</th><th>Trả lời · "
                 "Answer</th></tr>\n");
    for (int i = 0; i < form_nquestions(f); i++) {
        const form_question *q = form_q(f, i);
        if (q->type == Q_REPEAT) {
            roster(o, f, i, answers, l);
        } else if (q->repeat != -1) {
            continue; /* inside a roster: in its table */
        } else if (q->type == Q_GROUP) {
            dout_puts(o, "<tr class=\"group\"><td colspan=\"2\">");
            put_label(o, q, l);
            dout_puts(o, "</td></tr>\n");
        } else if (q->type != Q_NOTE) {
            dout_puts(o, "<tr><td>");
            put_label(o, q, l);
            dout_printf(o, " <span class=\"muted\">%s%s</span></td><td class=\"v\">",
                        q->label ? q->name : "",
                        q->type == Q_CALCULATE ? " · tính · calculated" : "");
            put_value(o, q, cJSON_GetObjectItemCaseSensitive(answers, q->name), l);
            dout_puts(o, "</td></tr>\n");
        }
    }
    dout_puts(o, "</table>\n");
}

/* One row of a comparison, at the instance named member ("#2", "#2.1"; "" outside rosters):
 * returns 1 when the values differ. */
static int compare_row(dout *o, const form_question *q, const char *member, const cJSON *va,
                       const cJSON *vb, int all, langs l)
{
    int differ = !((!va || cJSON_IsNull(va)) && (!vb || cJSON_IsNull(vb))) &&
                 (!va || !vb || !cJSON_Compare(va, vb, 1));

    if (!differ && !all)
        return 0;
    dout_printf(o, "<tr%s><td>", differ ? " class=\"diff\"" : "");
    if (*member)
        dout_printf(o, "<span class=\"muted\">%s</span> ", member);
    put_label(o, q, l);
    dout_puts(o, "</td><td>");
    put_value(o, q, va, l);
    dout_puts(o, "</td><td>");
    put_value(o, q, vb, l);
    dout_puts(o, "</td></tr>\n");
    return differ;
}

/* The rows of repeat r's instances in lists la and lb side by side, every instance either
 * has (the one with more members shows them all), those of the repeats inside each after
 * it; member is the name of the instance around them ("#2"). Returns how many differ. */
static int compare_repeat(dout *o, const form *f, int r, const cJSON *la, const cJSON *lb,
                          const char *member, int all, langs l)
{
    const form_question *rq = form_q(f, r);
    int na = cJSON_GetArraySize(la), nb = cJSON_GetArraySize(lb), n = 0;
    char name[64];

    for (int m = 0; m < (na > nb ? na : nb); m++) {
        const cJSON *ia = cJSON_GetArrayItem(la, m), *ib = cJSON_GetArrayItem(lb, m);
        snprintf(name, sizeof(name), "%s%s%d", *member ? member : "#", *member ? "." : "", m + 1);
        for (int j = r + 1; j < rq->end; j++) {
            const form_question *c = form_q(f, j);
            if (c->repeat != r)
                continue;
            if (c->type == Q_REPEAT)
                n += compare_repeat(o, f, j, cJSON_GetObjectItemCaseSensitive(ia, c->name),
                                    cJSON_GetObjectItemCaseSensitive(ib, c->name), name, all, l);
            else if (answerable(c))
                n += compare_row(o, c, name, cJSON_GetObjectItemCaseSensitive(ia, c->name),
                                 cJSON_GetObjectItemCaseSensitive(ib, c->name), all, l);
        }
    }
    return n;
}

int ra_compare(dout *o, const form *f, const cJSON *a, const cJSON *b, const char *left,
               const char *right, int all)
{
    langs l = langs_of(f);
    int n = 0;

    dout_puts(o, "<table class=\"answers compare\"><tr><th>Câu hỏi · Question</th><th>");
    dout_esc(o, left);
    dout_puts(o, "</th><th>");
    dout_esc(o, right);
    dout_puts(o, "</th></tr>\n");
    for (int i = 0; i < form_nquestions(f); i++) {
        const form_question *q = form_q(f, i);
        if (q->repeat != -1)
            continue;
        if (q->type == Q_REPEAT)
            n += compare_repeat(o, f, i, cJSON_GetObjectItemCaseSensitive(a, q->name),
                                cJSON_GetObjectItemCaseSensitive(b, q->name), "", all, l);
        else if (answerable(q))
            n += compare_row(o, q, "", cJSON_GetObjectItemCaseSensitive(a, q->name),
                             cJSON_GetObjectItemCaseSensitive(b, q->name), all, l);
    }
    if (!n && !all)
        dout_puts(o, "<tr><td colspan=\"3\" class=\"muted\">Không có gì khác · nothing "
                     "differs</td></tr>\n");
    dout_puts(o, "</table>\n");
    return n;
}

double ra_seconds(const cJSON *paradata)
{
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive(paradata, "seconds"), *e;
    double total = 0;
    int any = 0;

    cJSON_ArrayForEach(e, sec)
    {
        if (cJSON_IsNumber(e) && e->valuedouble > 0) {
            total += e->valuedouble;
            any = 1;
        }
    }
    return any ? total : -1;
}

/* The top-level question (or group) that the place "members[2]/m_age" is under, or -1. */
static int section_of(const form *f, const char *place)
{
    const char *name = strrchr(place, '/');
    char bare[FORM_NAME_MAX + 1];
    int q;

    name = name ? name + 1 : place;
    snprintf(bare, sizeof(bare), "%.*s", (int)strcspn(name, "["), name);
    if ((q = form_find(f, bare)) < 0)
        return -1;
    while (form_q(f, q)->parent >= 0)
        q = form_q(f, q)->parent;
    return q;
}

static void put_minutes(dout *o, double seconds)
{
    if (seconds < 0)
        dout_puts(o, "<span class=\"muted\">—</span>");
    else
        dout_printf(o, "%.0f phút · min %02.0f s", floor(seconds / 60), fmod(seconds, 60));
}

static void fact(dout *o, const char *label, const cJSON *p, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, key);

    dout_printf(o, "<tr><td>%s</td><td>", label);
    if (cJSON_IsString(v))
        dout_esc(o, v->valuestring);
    else if (cJSON_IsNumber(v))
        dout_printf(o, "%.15g", v->valuedouble);
    else
        dout_puts(o, "<span class=\"muted\">—</span>");
    dout_puts(o, "</td></tr>\n");
}

void ra_paradata(dout *o, const form *f, const cJSON *paradata, const cJSON *answers)
{
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive(paradata, "seconds"), *e;
    int n = form_nquestions(f);
    double *per = calloc((size_t)n + 1, sizeof(double));
    langs l = langs_of(f);

    dout_puts(o, "<table class=\"answers\">\n");
    fact(o, "Bắt đầu · Started (UTC)", paradata, "started_at");
    fact(o, "Kết thúc · Ended (UTC)", paradata, "ended_at");
    dout_puts(o, "<tr><td>Thời gian trên các màn hình · Time on the screens</td><td>");
    put_minutes(o, ra_seconds(paradata));
    dout_puts(o, "</td></tr>\n");
    fact(o, "Số lần mở · Sessions", paradata, "sessions");
    fact(o, "Điều tra viên · Enumerator", paradata, "enumerator");
    fact(o, "Máy · Device", paradata, "device_id");
    fact(o, "Chương trình · Program", paradata, "program_version");
    fact(o, "Nguồn · Source", paradata, "source");
    for (int i = 0; i < n; i++) {
        const form_question *q = form_q(f, i);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(answers, q->name);
        if (q->type == Q_GEOPOINT && q->repeat == -1 && v && !cJSON_IsNull(v)) {
            dout_puts(o, "<tr><td>GPS: ");
            put_label(o, q, l);
            dout_puts(o, "</td><td>");
            put_value(o, q, v, l);
            dout_puts(o, "</td></tr>\n");
        }
    }
    dout_puts(o, "</table>\n");
    if (!per)
        return;
    cJSON_ArrayForEach(e, sec)
    {
        int s = cJSON_IsNumber(e) ? section_of(f, e->string) : -1;
        per[s < 0 ? n : s] += cJSON_IsNumber(e) && e->valuedouble > 0 ? e->valuedouble : 0;
    }
    if (ra_seconds(paradata) >= 0) {
        dout_puts(o, "<h3>Thời gian theo phần · Time per section</h3><table class=\"answers\">\n");
        for (int i = 0; i <= n; i++) {
            if (per[i] <= 0 || (i < n && form_q(f, i)->parent >= 0))
                continue;
            dout_puts(o, "<tr><td>");
            if (i < n)
                put_label(o, form_q(f, i), l);
            else
                dout_puts(o, "Khác · Other");
            dout_puts(o, "</td><td>");
            put_minutes(o, per[i]);
            dout_puts(o, "</td></tr>\n");
        }
        dout_puts(o, "</table>\n");
    }
    free(per);
}
