/* display.c - how the collector shows answers and problems to a person */
#include "cmdline.h"
#include "display.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int choice_text(buf *b, const form_question *q, long long code, int lang)
{
    const form_choice *c = form_choice_find(q->list, code);

    return buf_printf(b, "%lld (%s)", code, c ? c->label[lang] : "?");
}

int disp_value(buf *b, const form_question *q, const val *v, int lang)
{
    if (!v->has)
        return buf_puts(b, "-");
    switch (q->type) {
    case Q_TEXT:
        return buf_printf(b, "\"%s\"", v->str);
    case Q_SELECT_ONE:
        return choice_text(b, q, (long long)v->num, lang);
    case Q_SELECT_MULTIPLE: {
        const char *p = v->str;
        int rc = DT_OK, first = 1;
        while (*p && rc == DT_OK) {
            char *end;
            long long code = strtoll(p, &end, 10);
            if (end == p)
                break;
            if (!first)
                rc = buf_puts(b, ", ");
            if (rc == DT_OK)
                rc = choice_text(b, q, code, lang);
            first = 0;
            p = end;
            while (*p == ' ')
                p++;
        }
        return rc;
    }
    default:
        return buf_puts(b, v->str);
    }
}

/* Prints the errors found at one place, from the validation issues. */
static void print_issues_at(FILE *out, const errlist *issues, const char *where)
{
    for (size_t i = 0; i < issues->n; i++)
        if (!strcmp(issues->items[i].where, where))
            fprintf(out, "      ! %s: %s\n", issues->items[i].what, issues->items[i].msg);
}

static void print_place(FILE *out, interview *iv, eng_pos at, int lang, const errlist *issues)
{
    const form_question *q = form_q(eng_form(iv), at.q);
    char where[256];
    buf b;

    eng_pos_name(iv, at, where, sizeof(where));
    if (q->type == Q_GROUP) {
        fprintf(out, "  %-8s [%s]\n", eng_relevant(iv, at) ? "group" : "skipped", where);
        return;
    }
    if (!eng_relevant(iv, at)) {
        fprintf(out, "  %-8s %s\n", "skipped", where);
        return;
    }
    if (q->type == Q_NOTE) {
        fprintf(out, "  %-8s %s\n", "note", where);
        return;
    }
    buf_init(&b, FORM_TEXT_MAX + 4096);
    disp_value(&b, q, eng_get(iv, at), lang);
    fprintf(out, "  %-8s %-28s = %s\n", q->type == Q_CALCULATE ? "calc" : "shown", where,
            b.data ? b.data : "");
    buf_free(&b);
    print_issues_at(out, issues, where);
}

/* Prints questions from..to in slot of the repeat around them (0 outside repeats), the
 * instances of each repeat among them with theirs. */
static void print_span(FILE *out, interview *iv, int from, int to, int slot, int lang,
                       const errlist *issues)
{
    const form *f = eng_form(iv);
    char where[256];

    for (int q = from; q < to; q++) {
        const form_question *fq = form_q(f, q);
        if (fq->type != Q_REPEAT) {
            print_place(out, iv, (eng_pos){q, slot}, lang, issues);
            continue;
        }
        eng_pos_name(iv, (eng_pos){q, ENG_ADD_PLACE(slot, 0)}, where, sizeof(where));
        if (!eng_relevant(iv, (eng_pos){q, slot})) {
            fprintf(out, "  %-8s %s\n", "skipped", where);
        } else {
            int count = eng_instances_in(iv, q, slot);
            fprintf(out, "  %-8s %s: %d instance%s\n", "repeat", where, count,
                    count == 1 ? "" : "s");
            print_issues_at(out, issues, where);
            for (int k = 0; k < count; k++)
                print_span(out, iv, q + 1, fq->end, eng_instance_slot(iv, q, slot, k), lang,
                           issues);
        }
        q = fq->end - 1;
    }
}

void disp_interview(FILE *out, interview *iv, int lang, const errlist *issues)
{
    print_span(out, iv, 0, form_nquestions(eng_form(iv)), 0, lang, issues);
}

int disp_today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    char iso[11];
    int days = 0;

    if (!localtime_r(&now, &tm))
        return 0;
    strftime(iso, sizeof(iso), "%Y-%m-%d", &tm);
    expr_parse_date(iso, 10, &days);
    return days;
}
