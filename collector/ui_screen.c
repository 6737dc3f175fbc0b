/* ui_screen.c - what the enumerator sees: a question's screen, the review list, the summary */
#include "ui_int.h"
#include "display.h"
#include "qtype.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ui_label(const ui *u, const form_question *q)
{
    return q->label ? q->label[u->s->flang] : q->name;
}

/* "Thành viên 2/4" for the instance in slot inst of repeat r, into b. */
void ui_put_member(ui *u, buf *b, int r, int inst)
{
    int parent = eng_instance_parent(u->s->iv, r, inst);

    buf_printf(b, ui_tr(u->lang, T_MEMBER), ui_label(u, form_q(u->s->f, r)),
               eng_instance_position(u->s->iv, r, inst) + 1, eng_instances_in(u->s->iv, r, parent));
}

/* The instances around place p, outermost first, into b: "Thành viên 2/4 › Điện thoại 1/2"
 * (the repeat's own label last for an "add another?" place). */
static void put_chain(ui *u, buf *b, eng_pos p)
{
    const form_question *q = form_q(u->s->f, p.q);
    int chain[FORM_MAX_DEPTH_REPEATS], depth = form_repeats_around(u->s->f, p.q, chain);

    for (int d = 0; d < depth; d++) {
        if (d)
            buf_puts(b, " › ");
        ui_put_member(u, b, chain[d], eng_place_instance(u->s->iv, p, chain[d]));
    }
    if (q->type == Q_REPEAT) {
        if (depth)
            buf_puts(b, " › ");
        buf_puts(b, ui_label(u, q));
    }
}

/* A line per instance around place p, outermost first: "Thành viên 2/4: Lò Văn A", the
 * instance inside it indented under it. */
static void put_members(ui *u, buf *b, eng_pos p)
{
    int chain[FORM_MAX_DEPTH_REPEATS], depth = form_repeats_around(u->s->f, p.q, chain);

    for (int d = 0; d < depth; d++) {
        int slot = eng_place_instance(u->s->iv, p, chain[d]), indent = 2 * d;
        const char *name = is_member_name(u->s, chain[d], slot);
        size_t from;
        buf_printf(b, "\n%*s", indent, "");
        from = b->len;
        ui_put_member(u, b, chain[d], slot);
        if (name && b->data) {
            buf_puts(b, ": ");
            ui_put_cut(b, name,
                       u->width - indent - (int)utf8_length(b->data + from, b->len - from));
        }
    }
}

/* The answer as the enumerator reads it, or "(no answer)". */
static void put_answer(const ui *u, buf *b, const form_question *q, const val *v)
{
    if (!v->has)
        buf_puts(b, ui_tr(u->lang, T_NO_ANSWER));
    else
        disp_value(b, q, v, u->s->flang);
}

int ui_screens(ui *u, eng_pos **s)
{
    return is_screens(u->s, s);
}

int ui_screen_index(const eng_pos *s, int n, eng_pos p)
{
    for (int i = 0; i < n; i++)
        if (eng_pos_same(s[i], p))
            return i;
    return -1;
}

static void show_header(ui *u)
{
    const form_question *q = ui_cur_q(u);
    char where[PLACE_MAX], prog[32];
    eng_pos *s;
    int n = ui_screens(u, &s), p = q->parent;
    buf b;

    buf_init(&b, 8192);
    snprintf(prog, sizeof(prog), "[%d/%d] ", ui_screen_index(s, n, u->s->cur) + 1, n);
    free(s);
    buf_puts(&b, prog);
    ui_put_cut(&b, form_title(u->s->f, u->s->flang), u->width - (int)strlen(prog));
    while (p >= 0 && form_q(u->s->f, p)->type != Q_GROUP)
        p = form_q(u->s->f, p)->parent;
    eng_pos_name(u->s->iv, u->s->cur, where, sizeof(where));
    buf_puts(&b, "\n");
    if (p >= 0)
        buf_printf(&b, "%s · ", ui_label(u, form_q(u->s->f, p)));
    buf_puts(&b, where);
    put_members(u, &b, u->s->cur);
    if (b.data)
        puts(b.data);
    buf_free(&b);
}

/* The choices the question offers now: those its choice_filter lets through. */
static void show_choices(const ui *u, const form_question *q)
{
    int w = 1;

    for (int i = 0; i < q->list->nchoices; i++) {
        char num[32];
        int len = snprintf(num, sizeof(num), "%lld", q->list->choices[i].code);
        if (len > w)
            w = len;
    }
    putchar('\n');
    for (int i = 0; i < q->list->nchoices; i++) {
        if (!eng_choice_allowed(u->s->iv, u->s->cur, q->list->choices[i].code))
            continue;
        printf("  %*lld. ", w, q->list->choices[i].code);
        ui_wrap(u, q->list->choices[i].label[u->s->flang], w + 4);
    }
}

void ui_show_screen(ui *u)
{
    const form_question *q = ui_cur_q(u);
    char guide[256];
    const val *v;
    buf b;

    ui_rule(u);
    show_header(u);
    putchar('\n');
    if (q->type == Q_REPEAT) {
        ui_out(u, T_ANOTHER, ui_label(u, q), ENG_ADD_COUNT(u->s->cur.inst));
        ui_out(u, T_ANOTHER_ASK);
        fputs("> ", stdout);
        return;
    }
    ui_wrap(u, ui_label(u, q), 0);
    if (q->hint) {
        fputs("  ", stdout);
        ui_wrap(u, q->hint[u->s->flang], 2);
    }
    if (qtype_of(q->type)->flags & QT_LIST)
        show_choices(u, q);
    putchar('\n');
    v = eng_get(u->s->iv, u->s->cur);
    if (v->has) {
        buf_init(&b, FORM_TEXT_MAX + 4096);
        buf_puts(&b, ui_tr(u->lang, T_CURRENT));
        disp_value(&b, q, v, u->s->flang);
        if (b.data)
            puts(b.data);
        buf_free(&b);
    }
    ui_wrap(u, ui_type_guide(u->lang, q, guide, sizeof(guide)), 0);
    ui_out(u, T_KEYS);
    fputs("> ", stdout);
}

static int cols_of(const char *s)
{
    return s ? (int)utf8_length(s, strlen(s)) : 0;
}

/* Appends "label: answer" in avail columns: the answer gets what the label leaves, and
 * at least half when both are long. */
static void put_label_answer(ui *u, buf *b, const form_question *q, eng_pos p, int avail)
{
    const char *label = ui_label(u, q);
    int llen = cols_of(label), alen, acols, lcols;
    buf a;

    buf_init(&a, FORM_TEXT_MAX + 4096);
    put_answer(u, &a, q, eng_get(u->s->iv, p));
    alen = cols_of(a.data);
    acols = alen < avail / 2 ? alen : avail / 2;
    lcols = avail - acols < 12 ? 12 : avail - acols;
    if (llen < lcols)
        acols = avail - llen;
    ui_put_cut(b, label, lcols);
    buf_puts(b, ": ");
    ui_put_cut(b, a.data ? a.data : "", acols < 8 ? 8 : acols);
    buf_free(&a);
}

/* One line of a list: marks (! a problem, > the current screen), number, [member],
 * label: answer; the problem's message below it. */
static void print_row(ui *u, int num, int numw, eng_pos p, const err_item *problem)
{
    const form_question *q = form_q(u->s->f, p.q);
    int used = numw + 4;
    buf b;

    buf_init(&b, 16384);
    buf_printf(&b, "%c%c%*d. ", problem ? '!' : ' ', eng_pos_same(p, u->s->cur) ? '>' : ' ', numw,
               num);
    if (q->repeat >= 0 || q->type == Q_REPEAT) {
        size_t before = b.len;
        buf_puts(&b, "[");
        put_chain(u, &b, p);
        buf_puts(&b, "] ");
        used += b.data ? (int)utf8_length(b.data + before, b.len - before) : 0;
    }
    if (q->type == Q_REPEAT) {
        buf_printf(&b, ui_tr(u->lang, T_ADD_ROW), ENG_ADD_COUNT(p.inst));
    } else if (q->type == Q_NOTE) {
        buf_puts(&b, ui_tr(u->lang, T_NOTE));
        buf_puts(&b, " ");
        ui_put_cut(&b, ui_label(u, q), u->width - used - 12);
    } else {
        put_label_answer(u, &b, q, p, u->width - used - 2);
    }
    if (b.data)
        puts(b.data);
    buf_free(&b);
    if (problem) {
        printf("%*s! ", numw + 4, "");
        ui_wrap(u, problem->msg, numw + 6);
    }
}

/* Lists every screen (or only those with a problem) with its number. *first gets the
 * first screen with a problem. Returns the number of problems, or DT_ENOMEM. */
int ui_print_list(ui *u, int only_problems, eng_pos *first, int *has_first)
{
    errlist issues = {0};
    eng_pos *s = NULL;
    char where[PLACE_MAX];
    int n, nprob, marked = 0, numw;

    *has_first = 0;
    nprob = eng_validate(u->s->iv, &issues);
    n = ui_screens(u, &s);
    if (nprob < 0 || n < 0) {
        errlist_free(&issues);
        free(s);
        return DT_ENOMEM;
    }
    numw = n >= 100 ? 3 : n >= 10 ? 2 : 1;
    for (int i = 0; i < n; i++) {
        eng_pos_name(u->s->iv, s[i], where, sizeof(where));
        const err_item *it = errlist_find(&issues, where);
        if (it && !*has_first) {
            *first = s[i];
            *has_first = 1;
        }
        marked += it != NULL;
        if (it || !only_problems)
            print_row(u, i + 1, numw, s[i], it);
    }
    /* Problems with no screen of their own. "repeat" says that the stored answers had
     * more members than the count now gives: stale here, because what is saved
     * (eng_to_json) never holds more instances than the count. */
    for (size_t i = 0; i < issues.n; i++) {
        int shown = 0;
        for (int k = 0; k < n && !shown; k++) {
            eng_pos_name(u->s->iv, s[k], where, sizeof(where));
            shown = !strcmp(where, issues.items[i].where);
        }
        if (!strcmp(issues.items[i].what, "repeat"))
            nprob--;
        else if (!shown)
            printf("! %s: %s\n", issues.items[i].where, issues.items[i].msg);
    }
    if (!only_problems) {
        putchar('\n');
        ui_out(u, T_REVIEW, n, marked);
    }
    errlist_free(&issues);
    free(s);
    return nprob;
}

/* Repeat r's members in slot parent of the repeat around it, with their names, and the
 * repeats inside each member that have any below them, indent columns in. */
static void summary_repeat(ui *u, int r, int parent, int indent)
{
    const form_question *rq = form_q(u->s->f, r);
    int n = eng_instances_in(u->s->iv, r, parent);
    buf b;

    printf("%*s%s: %d\n", indent, "", ui_label(u, rq), n);
    for (int k = 0; k < n; k++) {
        int slot = eng_instance_slot(u->s->iv, r, parent, k);
        const char *name = is_member_name(u->s, r, slot);
        if (name) {
            buf_init(&b, 8192);
            buf_printf(&b, "%*s%d. ", indent + 2, "", k + 1);
            ui_put_cut(&b, name, u->width - indent - 6);
            if (b.data)
                puts(b.data);
            buf_free(&b);
        }
        for (int q = r + 1; q < rq->end; q++)
            if (form_q(u->s->f, q)->type == Q_REPEAT && form_q(u->s->f, q)->repeat == r &&
                eng_instances_in(u->s->iv, q, slot) > 0)
                summary_repeat(u, q, slot, indent + 6);
    }
}

void ui_summary(ui *u, int answered)
{
    ui_out(u, T_SUMMARY);
    ui_out(u, T_SUM_ANSWERED, answered);
    for (int r = 0; r < form_nquestions(u->s->f); r++) {
        const form_question *q = form_q(u->s->f, r);
        if (q->type == Q_REPEAT && q->repeat < 0 && eng_relevant(u->s->iv, (eng_pos){r, 0}))
            summary_repeat(u, r, 0, 2);
    }
}

int ui_count_answered(ui *u, int leave_out_cur)
{
    return is_count_answered(u->s, leave_out_cur);
}
