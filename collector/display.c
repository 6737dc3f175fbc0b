/* display.c - how the collector shows answers and problems to a person */
#include "display.h"

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
        return buf_puts(b, "(no answer)");
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

void disp_problems(FILE *out, const char *file, const errlist *problems)
{
    for (size_t i = 0; i < problems->n; i++) {
        const err_item *it = &problems->items[i];
        if (it->what[0])
            fprintf(out, "%s: %s: %s: %s\n", file, it->where, it->what, it->msg);
        else
            fprintf(out, "%s: %s: %s\n", file, it->where, it->msg);
    }
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
