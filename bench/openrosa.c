/* openrosa.c - an interview's answers as the XML instance ODK Collect submits (the baseline of
 * the wire benchmark) */
#include "openrosa.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#define INSTANCE_MAX (16 * 1024 * 1024) /* far above any household's instance */

/* Appends s with the characters XML text must escape (as JavaRosa's serializer does). */
static int put_escaped(buf *b, const char *s)
{
    const char *run = s;

    for (; *s; s++) {
        const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : NULL;
        if (!rep)
            continue;
        if (buf_append(b, run, (size_t)(s - run)) || buf_puts(b, rep))
            return -1;
        run = s + 1;
    }
    return buf_append(b, run, (size_t)(s - run)) ? -1 : 0;
}

/* Writes the questions in [from, to) of repeat instance inst (0 outside repeats). */
static int emit(buf *b, interview *iv, int from, int to, int inst)
{
    const form *f = eng_form(iv);

    for (int i = from; i < to;) {
        const form_question *q = form_q(f, i);
        int at = q->repeat >= 0 && q->type != Q_REPEAT ? inst : 0;

        if (!eng_relevant(iv, (eng_pos){i, at})) {
            i = q->type == Q_GROUP || q->type == Q_REPEAT ? q->end : i + 1;
            continue;
        }
        if (q->type == Q_GROUP) {
            if (buf_printf(b, "<%s>", q->name) || emit(b, iv, i + 1, q->end, inst) ||
                buf_printf(b, "</%s>", q->name))
                return -1;
            i = q->end;
            continue;
        }
        if (q->type == Q_REPEAT) {
            for (int k = 0; k < eng_instances(iv, i); k++)
                if (buf_printf(b, "<%s>", q->name) || emit(b, iv, i + 1, q->end, k) ||
                    buf_printf(b, "</%s>", q->name))
                    return -1;
            i = q->end;
            continue;
        }
        const val *v = eng_get(iv, (eng_pos){i, at});
        if (!v->has || !v->len) {
            if (buf_printf(b, "<%s/>", q->name))
                return -1;
        } else if (buf_printf(b, "<%s>", q->name) || put_escaped(b, v->str) ||
                   buf_printf(b, "</%s>", q->name)) {
            return -1;
        }
        i++;
    }
    return 0;
}

char *openrosa_instance(interview *iv, const char *instance_id)
{
    const form *f = eng_form(iv);
    buf b;

    buf_init(&b, INSTANCE_MAX);
    if (buf_printf(&b, "<?xml version='1.0' ?><%s id=\"%s\" version=\"%d\">", form_id(f),
                   form_id(f), form_version(f)) ||
        emit(&b, iv, 0, form_nquestions(f), 0) ||
        buf_printf(&b, "<meta><instanceID>uuid:%s</instanceID></meta></%s>", instance_id,
                   form_id(f))) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}
