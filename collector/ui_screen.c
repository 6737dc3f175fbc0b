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

/* The first text answer of instance inst of repeat r: a member's name. */
const char *ui_member_name(ui *u, int r, int inst)
{
    const form_question *rq = form_q(u->s->f, r);

    for (int q = r + 1; q < rq->end; q++) {
        if (form_q(u->s->f, q)->type != Q_TEXT || form_q(u->s->f, q)->repeat != r)
            continue;
        const val *v = eng_get(u->s->iv, (eng_pos){q, inst});
        return v->has ? v->str : NULL;
    }
    return NULL;
}

/* "Thành viên 2/4" for a place inside a repeat, into b. */
void ui_put_member(ui *u, buf *b, int r, int inst)
{
    buf_printf(b, ui_tr(u->lang, T_MEMBER), ui_label(u, form_q(u->s->f, r)), inst + 1,
               eng_instances(u->s->iv, r));
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
    if (q->repeat >= 0) {
        const char *name = ui_member_name(u, q->repeat, u->s->cur.inst);
        size_t from;
        buf_puts(&b, "\n");
        from = b.len;
        ui_put_member(u, &b, q->repeat, u->s->cur.inst);
        if (name && b.data) {
            buf_puts(&b, ": ");
            ui_put_cut(&b, name, u->width - (int)utf8_length(b.data + from, b.len - from));
        }
    }
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
        ui_out(u, T_ANOTHER, ui_label(u, q), eng_instances(u->s->iv, u->s->cur.q));
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
        if (q->type == Q_REPEAT)
            buf_puts(&b, ui_label(u, q));
        else
            ui_put_member(u, &b, q->repeat, p.inst);
        buf_puts(&b, "] ");
        used += b.data ? (int)utf8_length(b.data + before, b.len - before) : 0;
    }
    if (q->type == Q_REPEAT) {
        buf_printf(&b, ui_tr(u->lang, T_ADD_ROW), eng_instances(u->s->iv, p.q));
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

void ui_summary(ui *u, int answered)
{
    ui_out(u, T_SUMMARY);
    ui_out(u, T_SUM_ANSWERED, answered);
    for (int r = 0; r < form_nquestions(u->s->f); r++) {
        const form_question *q = form_q(u->s->f, r);
        int n;
        buf b;
        if (q->type != Q_REPEAT || !eng_relevant(u->s->iv, (eng_pos){r, 0}))
            continue;
        n = eng_instances(u->s->iv, r);
        printf("  %s: %d\n", ui_label(u, q), n);
        for (int k = 0; k < n; k++) {
            const char *name = ui_member_name(u, r, k);
            if (!name)
                continue;
            buf_init(&b, 8192);
            buf_printf(&b, "    %d. ", k + 1);
            ui_put_cut(&b, name, u->width - 8);
            if (b.data)
                puts(b.data);
            buf_free(&b);
        }
    }
}

int ui_count_answered(ui *u, int leave_out_cur)
{
    return is_count_answered(u->s, leave_out_cur);
}
