/* web_roster.c - the roster as a table of members on the interview's page: a row per
 * member with their first answers (each a jump to that question), the member's problems
 * marked, and the buttons that add, remove and reorder members where the form allows it
 * (the session's is_member_* functions do it; the engine decides what follows). */
#include "web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROSTER_COLUMNS 4 /* answers shown per member: the rest are a jump away */

/* The roster the screen belongs to: the one its answer counts (a member's number of
 * phones: their phones), the repeat itself (its "add another?" place), the one around it, or
 * one at the top in the same section (the group around the roster: "Part 2. Household
 * members"); -1 when none. */
static int roster_of(const isess *s)
{
    const form_question *q = form_q(s->f, s->cur.q);

    for (int r = 0; r < form_nquestions(s->f); r++)
        if (form_repeat_counter(s->f, r) == s->cur.q)
            return r;
    if (q->type == Q_REPEAT)
        return q->index;
    if (q->repeat >= 0)
        return q->repeat;
    for (int r = 0; r < form_nquestions(s->f); r++) {
        const form_question *rq = form_q(s->f, r);
        const form_question *g = rq->parent >= 0 ? form_q(s->f, rq->parent) : NULL;
        if (rq->type == Q_REPEAT && rq->repeat < 0 && g && s->cur.q > g->index && s->cur.q < g->end)
            return r;
    }
    return -1;
}

/* The questions of roster r's own members shown as columns (up to ROSTER_COLUMNS; a roster
 * inside it has its own table): their number. */
static int columns(const isess *s, int r, int *cols)
{
    const form_question *rq = form_q(s->f, r);
    int n = 0;

    for (int q = r + 1; q < rq->end && n < ROSTER_COLUMNS; q++) {
        const form_question *c = form_q(s->f, q);
        if (c->repeat == r && c->type != Q_NOTE && c->type != Q_CALCULATE && c->type != Q_GROUP &&
            c->type != Q_REPEAT)
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

/* 1 when a problem of issues is at a question of member k of roster r in parent (theirs
 * inside included: "members[2]/phones[1]/p_kind" is member 2's). */
static int member_has_problem(const isess *s, int r, int parent, int k, const errlist *issues)
{
    char prefix[IS_PLACE_MAX + 24];
    size_t n;

    eng_pos_name(s->iv, (eng_pos){r, ENG_ADD_PLACE(parent, 0)}, prefix, IS_PLACE_MAX);
    n = strlen(prefix);
    n += (size_t)snprintf(prefix + n, sizeof(prefix) - n, "[%d]/", k + 1);
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

/* One roster's table, as the rows of its members in parent show it. */
typedef struct roster_table {
    int r, parent, n;
    int cols[ROSTER_COLUMNS], ncols;
    int editable;
} roster_table;

static void put_member(page *b, const web_app *a, isess *s, const roster_table *t, int k,
                       const errlist *issues)
{
    int slot = eng_instance_slot(s->iv, t->r, t->parent, k);
    int here = slot >= 0 && eng_place_instance(s->iv, s->cur, t->r) == slot;
    int bad = member_has_problem(s, t->r, t->parent, k, issues);
    char where[IS_PLACE_MAX];

    web_puts(b, "<tr");
    if (bad || here) {
        web_puts(b, " class=\"");
        web_puts(b, bad ? "bad" : "");
        web_puts(b, here ? " here\"" : "\"");
    }
    web_puts(b, "><td>");
    web_num(b, k + 1);
    web_puts(b, "</td>");
    for (int c = 0; c < t->ncols; c++) {
        eng_pos at = {t->cols[c], slot};
        const form_question *q = form_q(s->f, t->cols[c]);
        web_puts(b, "<td>");
        if (slot >= 0 && eng_relevant(s->iv, at)) {
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
    if (t->editable) {
        if (k > 0)
            put_member_button(b, "up", k, "↑", a, W_UP);
        if (k < t->n - 1)
            put_member_button(b, "dn", k, "↓", a, W_DOWN);
        put_member_button(b, "rm", k, web_tr(a, W_REMOVE), a, W_REMOVE);
    }
    web_puts(b, "</td></tr>\n");
}

/* The heading of roster r's table: "Điện thoại (2)", and for a roster inside another whose
 * member it is: "Điện thoại · Thành viên 2: Lò Văn A (2)". */
static void put_heading(page *b, isess *s, const roster_table *t)
{
    int up = form_q(s->f, t->r)->repeat;

    web_puts(b, "<h2>");
    web_esc(b, web_label(s, form_q(s->f, t->r)));
    if (up >= 0) {
        const char *name = is_member_name(s, up, t->parent);
        web_puts(b, " · ");
        web_esc(b, web_label(s, form_q(s->f, up)));
        web_puts(b, " ");
        web_num(b, eng_instance_position(s->iv, up, t->parent) + 1);
        if (name) {
            web_puts(b, ": ");
            web_esc(b, name);
        }
    }
    web_puts(b, " (");
    web_num(b, t->n);
    web_puts(b, ")</h2>");
}

static void put_table(page *b, web_app *a, web_open *o, const roster_table *t,
                      const errlist *issues)
{
    isess *s = o->s;

    web_puts(b, "<section class=\"roster\">");
    put_heading(b, s, t);
    web_puts(b, "<form method=\"post\" data-live action=\"/i/");
    web_esc(b, s->c.case_id);
    web_puts(b, "\">");
    web_put_step(b, o);
    web_puts(b, "<input type=\"hidden\" name=\"r\" value=\"");
    web_num(b, t->r);
    web_puts(b, "\"><table><thead><tr><th>#</th>");
    for (int c = 0; c < t->ncols; c++) {
        web_puts(b, "<th>");
        web_esc(b, web_label(s, form_q(s->f, t->cols[c])));
        web_puts(b, "</th>");
    }
    web_puts(b, "<th></th></tr></thead><tbody>\n");
    for (int k = 0; k < t->n; k++)
        put_member(b, a, s, t, k, issues);
    web_puts(b, "</tbody></table>");
    if (t->editable) {
        web_puts(b, "<p><button name=\"op\" value=\"addm\">");
        if (form_q(s->f, t->r)->repeat < 0) {
            web_puts(b, web_tr(a, W_ADD_MEMBER));
        } else {
            web_puts(b, web_tr(a, W_ADD_TO));
            web_esc(b, web_label(s, form_q(s->f, t->r)));
        }
        web_puts(b, "</button></p>");
    }
    web_puts(b, "</form></section>\n");
}

void web_put_roster(page *b, web_app *a, web_open *o, const errlist *issues)
{
    isess *s = o->s;
    int chain[FORM_MAX_DEPTH_REPEATS + 1], r = roster_of(s), depth;

    if (r < 0)
        return;
    depth = form_repeats_around(s->f, r, chain);
    chain[depth++] = r;
    /* the tables of the rosters around it first: the members, then this member's phones */
    for (int d = 0; d < depth; d++) {
        roster_table t = {.r = chain[d], .parent = is_roster_parent(s, chain[d])};
        if (t.parent < 0)
            break;
        t.ncols = columns(s, t.r, t.cols);
        t.n = eng_instances_in(s->iv, t.r, t.parent);
        t.editable = is_roster_kind(s, t.r) != IS_ROSTER_FIXED;
        put_table(b, a, o, &t, issues);
    }
}

/* ---- the buttons posted */

/* The member number posted as name (from 1), as a position in roster r's parent: -1 when
 * absent, -2 when not a member now. */
static int posted_member(http_req *r, const char *name, isess *s, int roster, int parent)
{
    const char *v = http_form(r, name);
    char *end;
    long k;

    if (!v)
        return -1;
    k = strtol(v, &end, 10);
    if (end == v || *end || k < 1 || k > eng_instances_in(s->iv, roster, parent))
        return -2;
    return (int)k - 1;
}

/* The first asking to remove member k only asks: the second, on the same member of the same
 * roster, does. */
static void remove_member(web_app *a, web_open *o, int r, int parent, int k)
{
    int cols[ROSTER_COLUMNS];
    const char *who = "";

    if (o->confirm_rm != k + 1 || o->confirm_rm_roster != r) {
        int slot = eng_instance_slot(o->s->iv, r, parent, k);
        if (columns(o->s, r, cols) > 0)
            who = cell_text(o->s, form_q(o->s->f, cols[0]),
                            eng_get(o->s->iv, (eng_pos){cols[0], slot}));
        if (form_q(o->s->f, r)->repeat < 0)
            snprintf(o->msg, sizeof(o->msg), web_tr(a, W_REMOVE_SURE), k + 1, who);
        else
            snprintf(o->msg, sizeof(o->msg), web_tr(a, W_REMOVE_SURE_IN),
                     web_label(o->s, form_q(o->s->f, r)), k + 1, who);
        o->confirm_rm = k + 1;
        o->confirm_rm_roster = r;
        return;
    }
    o->confirm_rm = 0;
    if (is_member_remove(o->s, r, parent, k, o->msg, sizeof(o->msg)) && !o->msg[0])
        web_say(o, a, W_NO_LINK);
}

int web_roster_post(http_req *r, web_app *a, web_open *o)
{
    const char *op = http_form(r, "op"), *rs = http_form(r, "r");
    int roster = rs ? atoi(rs) : -1, parent, rm, up, dn, add;

    add = op && !strcmp(op, "addm");
    if (!add && !http_form(r, "rm") && !http_form(r, "up") && !http_form(r, "dn"))
        return 0;
    if (roster < 0 || roster >= form_nquestions(o->s->f) ||
        form_q(o->s->f, roster)->type != Q_REPEAT ||
        (parent = is_roster_parent(o->s, roster)) < 0) {
        o->confirm_rm = 0;
        web_say(o, a, W_NO_QUESTION);
        return 1;
    }
    rm = posted_member(r, "rm", o->s, roster, parent);
    up = posted_member(r, "up", o->s, roster, parent);
    dn = posted_member(r, "dn", o->s, roster, parent);
    if (rm < 0)
        o->confirm_rm = 0;
    if (add) {
        if (is_member_add(o->s, roster, parent, o->msg, sizeof(o->msg)) < 0 && !o->msg[0])
            web_say(o, a, W_NO_LINK);
    } else if (rm >= 0) {
        remove_member(a, o, roster, parent, rm);
    } else if (up >= 1 || (dn >= 0 && dn + 1 < eng_instances_in(o->s->iv, roster, parent))) {
        is_member_move(o->s, roster, parent, up >= 1 ? up : dn, up >= 1 ? up - 1 : dn + 1);
    } else {
        web_say(o, a, W_NO_QUESTION);
    }
    return 1;
}
