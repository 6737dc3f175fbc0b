/* web_roster.c - the roster as a table of members on the interview's page: a row per
 * member with their first answers (each a jump to that question), the member's problems
 * marked, and the buttons that add, remove and reorder members where the form allows it
 * (the session's is_member_* functions do it; the engine decides what follows). */
#include "web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROSTER_COLUMNS 4 /* answers shown per member: the rest are a jump away */

/* The roster the screen belongs to: the one around it, the repeat itself (its "add
 * another?" place), the one its answer counts, or one in the same section (the group
 * around the roster: "Part 2. Household members"); -1 when none. */
static int roster_of(const isess *s)
{
    const form_question *q = form_q(s->f, s->cur.q);

    if (q->type == Q_REPEAT)
        return q->index;
    if (q->repeat >= 0)
        return q->repeat;
    for (int r = 0; r < form_nquestions(s->f); r++) {
        const form_question *rq = form_q(s->f, r);
        const form_question *g = rq->parent >= 0 ? form_q(s->f, rq->parent) : NULL;
        if (rq->type != Q_REPEAT)
            continue;
        if (form_repeat_counter(s->f, r) == s->cur.q ||
            (g && s->cur.q > g->index && s->cur.q < g->end))
            return r;
    }
    return -1;
}

/* The questions of roster r shown as columns (up to ROSTER_COLUMNS): their number. */
static int columns(const isess *s, int r, int *cols)
{
    const form_question *rq = form_q(s->f, r);
    int n = 0;

    for (int q = r + 1; q < rq->end && n < ROSTER_COLUMNS; q++) {
        form_type t = form_q(s->f, q)->type;
        if (t != Q_NOTE && t != Q_CALCULATE && t != Q_GROUP && t != Q_REPEAT)
            cols[n++] = q;
    }
    return n;
}

/* An answer in a cell: a choice by its label, anything else as stored. */
static const char *cell_text(const isess *s, const form_question *q, const val *v)
{
    const form_choice *c;

    if (!v->has)
        return "—";
    if (q->type == Q_SELECT_ONE && (c = form_choice_find(q->list, (long long)v->num)))
        return c->label[s->flang];
    return v->str;
}

/* 1 when a problem of issues is at a question of member k of roster r. */
static int member_has_problem(const isess *s, int r, int k, const errlist *issues)
{
    char prefix[FORM_NAME_MAX + 24];
    size_t n;

    n = (size_t)snprintf(prefix, sizeof(prefix), "%s[%d]/", form_q(s->f, r)->name, k + 1);
    for (size_t i = 0; i < issues->n; i++)
        if (!strncmp(issues->items[i].where, prefix, n))
            return 1;
    return 0;
}

static void put_member_button(page *b, const char *name, int k, const char *text, const web_app *a,
                              int title)
{
    web_puts(b, "<button name=\"");
    web_puts(b, name);
    web_puts(b, "\" value=\"");
    web_num(b, k + 1);
    web_puts(b, "\" title=\"");
    web_puts(b, web_tr(a, title));
    web_puts(b, "\">");
    web_puts(b, text);
    web_puts(b, "</button>");
}

static void put_member(page *b, const web_app *a, isess *s, int r, int k, const int *cols,
                       int ncols, int n, const errlist *issues)
{
    int editable = is_roster_kind(s, r) != IS_ROSTER_FIXED;
    char where[IS_PLACE_MAX];

    web_puts(b, member_has_problem(s, r, k, issues) ? "<tr class=\"bad\"><td>" : "<tr><td>");
    web_num(b, k + 1);
    web_puts(b, "</td>");
    for (int c = 0; c < ncols; c++) {
        eng_pos at = {cols[c], k};
        const form_question *q = form_q(s->f, cols[c]);
        web_puts(b, "<td>");
        if (eng_relevant(s->iv, at)) {
            eng_pos_name(s->iv, at, where, sizeof(where));
            web_puts(b, eng_pos_same(at, s->cur) ? "<button name=\"j\" aria-current=\"step\" "
                                                   "value=\""
                                                 : "<button name=\"j\" value=\"");
            web_esc(b, where);
            web_puts(b, "\">");
            web_esc(b, cell_text(s, q, eng_get(s->iv, at)));
            web_puts(b, "</button>");
        }
        web_puts(b, "</td>");
    }
    web_puts(b, "<td class=\"act\">");
    if (editable) {
        if (k > 0)
            put_member_button(b, "up", k, "↑", a, W_UP);
        if (k < n - 1)
            put_member_button(b, "dn", k, "↓", a, W_DOWN);
        put_member_button(b, "rm", k, web_tr(a, W_REMOVE), a, W_REMOVE);
    }
    web_puts(b, "</td></tr>\n");
}

void web_put_roster(page *b, web_app *a, web_open *o, const errlist *issues)
{
    isess *s = o->s;
    int r = roster_of(s), cols[ROSTER_COLUMNS], ncols, n;

    if (r < 0)
        return;
    ncols = columns(s, r, cols);
    n = eng_instances(s->iv, r);
    web_puts(b, "<section class=\"roster\"><h2>");
    web_esc(b, web_label(s, form_q(s->f, r)));
    web_puts(b, " (");
    web_num(b, n);
    web_puts(b, ")</h2><form method=\"post\" data-live action=\"/i/");
    web_esc(b, s->c.case_id);
    web_puts(b, "\">");
    web_put_step(b, o);
    web_puts(b, "<input type=\"hidden\" name=\"r\" value=\"");
    web_num(b, r);
    web_puts(b, "\"><table><thead><tr><th>#</th>");
    for (int c = 0; c < ncols; c++) {
        web_puts(b, "<th>");
        web_esc(b, web_label(s, form_q(s->f, cols[c])));
        web_puts(b, "</th>");
    }
    web_puts(b, "<th></th></tr></thead><tbody>\n");
    for (int k = 0; k < n; k++)
        put_member(b, a, s, r, k, cols, ncols, n, issues);
    web_puts(b, "</tbody></table>");
    if (is_roster_kind(s, r) != IS_ROSTER_FIXED) {
        web_puts(b, "<p><button name=\"op\" value=\"addm\">");
        web_puts(b, web_tr(a, W_ADD_MEMBER));
        web_puts(b, "</button></p>");
    }
    web_puts(b, "</form></section>\n");
}

/* ---- the buttons posted */

/* The member number posted as name (from 1), as an index of roster r: -1 when absent,
 * -2 when not a member now. */
static int posted_member(http_req *r, const char *name, isess *s, int roster)
{
    const char *v = http_form(r, name);
    char *end;
    long k;

    if (!v)
        return -1;
    k = strtol(v, &end, 10);
    if (end == v || *end || k < 1 || k > eng_instances(s->iv, roster))
        return -2;
    return (int)k - 1;
}

/* The first asking to remove member k only asks: the second, on the same member, does. */
static void remove_member(web_app *a, web_open *o, int r, int k, int asked)
{
    int cols[ROSTER_COLUMNS];
    const char *who = "";

    if (asked != k + 1) {
        if (columns(o->s, r, cols) > 0)
            who =
                cell_text(o->s, form_q(o->s->f, cols[0]), eng_get(o->s->iv, (eng_pos){cols[0], k}));
        snprintf(o->msg, sizeof(o->msg), web_tr(a, W_REMOVE_SURE), k + 1, who);
        o->confirm_rm = k + 1;
        return;
    }
    if (is_member_remove(o->s, r, k, o->msg, sizeof(o->msg)) && !o->msg[0])
        web_say(o, a, W_NO_LINK);
}

int web_roster_post(http_req *r, web_app *a, web_open *o)
{
    const char *op = http_form(r, "op"), *rs = http_form(r, "r");
    int asked = o->confirm_rm, roster = rs ? atoi(rs) : -1, rm, up, dn, add;

    add = op && !strcmp(op, "addm");
    if (!add && !http_form(r, "rm") && !http_form(r, "up") && !http_form(r, "dn"))
        return 0;
    o->confirm_rm = 0;
    if (roster < 0 || roster >= form_nquestions(o->s->f) ||
        form_q(o->s->f, roster)->type != Q_REPEAT) {
        web_say(o, a, W_NO_QUESTION);
        return 1;
    }
    rm = posted_member(r, "rm", o->s, roster);
    up = posted_member(r, "up", o->s, roster);
    dn = posted_member(r, "dn", o->s, roster);
    if (add) {
        if (is_member_add(o->s, roster, o->msg, sizeof(o->msg)) < 0 && !o->msg[0])
            web_say(o, a, W_NO_LINK);
    } else if (rm >= 0) {
        remove_member(a, o, roster, rm, asked);
    } else if (up >= 1 || (dn >= 0 && dn + 1 < eng_instances(o->s->iv, roster))) {
        is_member_move(o->s, roster, up >= 1 ? up : dn, up >= 1 ? up - 1 : dn + 1);
    } else {
        web_say(o, a, W_NO_QUESTION);
    }
    return 1;
}
