/* quality.c - the quality flags of an interview (quality.h) */
#include "quality.h"
#include "err.h"
#include "form.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void qual_defaults(qual_limits *l)
{
    /* a household of four read out the whole questionnaire in about 20 minutes in the
     * pilot: less than half of that is worth a supervisor's look */
    l->base_seconds = 240;
    l->member_seconds = 90;
    l->night_start = 21;
    l->night_end = 6;
    l->utc_offset_minutes = 7 * 60;
    l->fast_seconds = 1.0;
    l->fast_share = 0.5;
    l->fast_min_screens = 10;
}

static double number(const cJSON *o, const char *key, int *has)
{
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

    *has = cJSON_IsNumber(v);
    return *has ? v->valuedouble : 0;
}

/* The members answered: the roster's length, else the size question's answer. */
static int members(const qual_case *c)
{
    const cJSON *r = c->roster ? cJSON_GetObjectItemCaseSensitive(c->answers, c->roster) : NULL;
    int has;
    double n;

    if (cJSON_IsArray(r))
        return cJSON_GetArraySize(r);
    n = c->size_question ? number(c->answers, c->size_question, &has) : 0;
    return has && n > 0 ? (int)n : 0;
}

/* The local hour of "YYYY-MM-DDTHH:MM:SS(.fff)Z" in the field's zone, or -1. */
static int local_hour(const char *utc, int offset_minutes)
{
    int h, m;

    if (!utc || strlen(utc) < 17 || utc[10] != 'T' || sscanf(utc + 11, "%2d:%2d", &h, &m) != 2 ||
        h < 0 || h > 23 || m < 0 || m > 59)
        return -1;
    m += h * 60 + offset_minutes;
    m = ((m % 1440) + 1440) % 1440;
    return m / 60;
}

static int night(const qual_limits *l, int hour)
{
    if (hour < 0)
        return 0;
    return l->night_start > l->night_end ? hour >= l->night_start || hour < l->night_end
                                         : hour >= l->night_start && hour < l->night_end;
}

/* The screens' times: their total, and how many were timed and quick. */
static double times(const qual_limits *l, const cJSON *para, int *timed, int *quick)
{
    const cJSON *secs = para ? cJSON_GetObjectItemCaseSensitive(para, "seconds") : NULL;
    const cJSON *t;
    double total = 0;

    *timed = *quick = 0;
    cJSON_ArrayForEach(t, secs)
    {
        if (!cJSON_IsNumber(t))
            continue;
        total += t->valuedouble;
        (*timed)++;
        *quick += t->valuedouble < l->fast_seconds;
    }
    return total;
}

static void add(qual_flag *out, int *n, qual_kind k, double value, double limit)
{
    out[*n].kind = k;
    out[*n].value = value;
    out[*n].limit = limit;
    (*n)++;
}

int qual_check(const qual_limits *l, const qual_case *c, qual_flag *out)
{
    const cJSON *started =
        c->paradata ? cJSON_GetObjectItemCaseSensitive(c->paradata, "started_at") : NULL;
    int n = 0, timed, quick, has_a, has_f, hour;
    double total = times(l, c->paradata, &timed, &quick), minimum, a, f;

    minimum = l->base_seconds + l->member_seconds * members(c);
    if (!c->refusal && timed > 0 && total < minimum)
        add(out, &n, QUAL_SPEEDING, total / 60, minimum / 60);
    hour = local_hour(cJSON_IsString(started) ? started->valuestring : NULL, l->utc_offset_minutes);
    if (night(l, hour))
        add(out, &n, QUAL_NIGHT, hour, 0);
    if (timed >= l->fast_min_screens && timed > 0 && (double)quick / timed > l->fast_share)
        add(out, &n, QUAL_FAST_ANSWERS, (double)quick / timed, l->fast_share);
    if (c->revisions > 1)
        add(out, &n, QUAL_EDITED, c->revisions, 1);
    a = c->size_question ? number(c->answers, c->size_question, &has_a) : 0;
    f = c->size_question ? number(c->prefill, c->size_question, &has_f) : 0;
    if (!c->refusal && c->size_question && has_a && has_f && a != f)
        add(out, &n, QUAL_SIZE_FRAME, a, f);
    if (c->duplicate)
        add(out, &n, QUAL_DUPLICATE, 0, 0);
    return n;
}

static const char *const names[QUAL_COUNT] = {"speeding", "night",      "fast_answers",
                                              "edited",   "size_frame", "duplicate"};

const char *qual_name(qual_kind k)
{
    return k < QUAL_COUNT ? names[k] : "?";
}

const char *qual_label(qual_kind k, int vi)
{
    static const char *const labels[QUAL_COUNT][2] = {
        {"Too short", "Quá ngắn"},
        {"At night", "Ban đêm"},
        {"Answered too fast", "Trả lời quá nhanh"},
        {"Edited after finishing", "Sửa sau khi xong"},
        {"Size differs from the frame", "Số người khác danh sách mẫu"},
        {"Possible duplicate", "Có thể trùng"},
    };
    return k < QUAL_COUNT ? labels[k][vi != 0] : "?";
}

int qual_parse(const char *name)
{
    for (int k = 0; name && k < QUAL_COUNT; k++)
        if (!strcmp(name, names[k]))
            return k;
    return -1;
}

void qual_reason(char *out, size_t size, const qual_flag *f, int vi)
{
    switch (f->kind) {
    case QUAL_SPEEDING:
        snprintf(out, size,
                 vi ? "phỏng vấn %.0f phút, ít hơn %.0f phút cho số thành viên của hộ"
                    : "interviewed in %.0f minutes, under %.0f for the household's size",
                 f->value, f->limit);
        break;
    case QUAL_NIGHT:
        snprintf(out, size, vi ? "bắt đầu lúc %02.0fh (ban đêm)" : "started at %02.0f:00 (night)",
                 f->value);
        break;
    case QUAL_FAST_ANSWERS:
        snprintf(out, size,
                 vi ? "%.0f%% số câu được trả lời dưới một giây (ngưỡng %.0f%%)"
                    : "%.0f%% of the questions answered in under a second (limit %.0f%%)",
                 100 * f->value, 100 * f->limit);
        break;
    case QUAL_EDITED:
        snprintf(out, size,
                 vi ? "được sửa sau khi hoàn thành (%.0f phiên bản)"
                    : "edited after it was finished (%.0f revisions)",
                 f->value);
        break;
    case QUAL_SIZE_FRAME:
        snprintf(out, size,
                 vi ? "hộ có %.0f người, danh sách mẫu ghi %.0f"
                    : "%.0f members, the sample frame says %.0f",
                 f->value, f->limit);
        break;
    case QUAL_DUPLICATE:
        snprintf(out, size,
                 vi ? "có thể trùng: một phỏng vấn khác cùng địa chỉ hộ"
                    : "possible duplicate: another interview has the same household key");
        break;
    default:
        snprintf(out, size, "?");
    }
}

/* The revision of shown that is its head, or NULL. */
static const cJSON *head_of(const cJSON *shown)
{
    const cJSON *head = cJSON_GetObjectItemCaseSensitive(shown, "head_rev"), *r;

    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(shown, "revisions"))
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "rev_id");
        if (cJSON_IsString(head) && cJSON_IsString(id) &&
            !strcmp(id->valuestring, head->valuestring))
            return r;
    }
    return NULL;
}

/* The roster counted by one question (the members, counted by the household's size). */
static void members_of(const form *f, qual_case *c)
{
    for (int r = 0; f && r < form_nquestions(f); r++) {
        int n = form_repeat_counter(f, r);
        if (n >= 0 && form_q(f, r)->repeat < 0) {
            c->roster = form_q(f, r)->name;
            c->size_question = form_q(f, n)->name;
            return;
        }
    }
}

unsigned qual_bits(const qual_limits *l, const form *f, qual_case *c)
{
    qual_flag flags[QUAL_COUNT];
    unsigned bits = 0;
    int n;

    members_of(f, c);
    n = qual_check(l, c, flags);
    for (int i = 0; i < n; i++)
        if (flags[i].kind != QUAL_DUPLICATE)
            bits |= 1u << flags[i].kind;
    return bits;
}

int qual_annotate(cJSON *shown, const form *f, const qual_limits *l)
{
    const cJSON *head = head_of(shown), *outcome, *frame;
    cJSON *list = cJSON_AddArrayToObject(shown, "quality"), *kinds = cJSON_CreateArray();
    qual_flag flags[QUAL_COUNT];
    qual_case c = {0};
    char why[256];
    int n;

    /* the names as computed now, with these limits, in place of the ones the store kept */
    cJSON_DeleteItemFromObjectCaseSensitive(shown, "flags");
    if (!list || !kinds || !cJSON_AddItemToObject(shown, "flags", kinds)) {
        cJSON_Delete(kinds);
        return DT_ENOMEM;
    }
    if (!head)
        return DT_OK;
    outcome = cJSON_GetObjectItemCaseSensitive(head, "outcome");
    frame = cJSON_GetObjectItemCaseSensitive(shown, "frame");
    c.answers = cJSON_GetObjectItemCaseSensitive(head, "answers");
    c.paradata = cJSON_GetObjectItemCaseSensitive(head, "paradata");
    c.prefill = frame ? cJSON_GetObjectItemCaseSensitive(frame, "prefill") : NULL;
    c.refusal = cJSON_IsString(outcome) && !strcmp(outcome->valuestring, "refusal");
    c.revisions = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(shown, "revisions"));
    c.duplicate = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(shown, "duplicate"));
    members_of(f, &c);
    n = qual_check(l, &c, flags);
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(list, o)) {
            cJSON_Delete(o);
            return DT_ENOMEM;
        }
        qual_reason(why, sizeof(why), &flags[i], 0);
        if (!cJSON_AddItemToArray(kinds, cJSON_CreateString(qual_name(flags[i].kind))) ||
            !cJSON_AddStringToObject(o, "flag", qual_name(flags[i].kind)) ||
            !cJSON_AddNumberToObject(o, "value", flags[i].value) ||
            !cJSON_AddNumberToObject(o, "limit", flags[i].limit) ||
            !cJSON_AddStringToObject(o, "reason", why))
            return DT_ENOMEM;
        qual_reason(why, sizeof(why), &flags[i], 1);
        if (!cJSON_AddStringToObject(o, "reason_vi", why))
            return DT_ENOMEM;
    }
    return DT_OK;
}

const form *qual_shown_form(store *s, const cJSON *shown)
{
    const cJSON *fid = cJSON_GetObjectItemCaseSensitive(shown, "form_id");
    const cJSON *head = head_of(shown);
    const cJSON *v = head ? cJSON_GetObjectItemCaseSensitive(head, "form_version") : NULL;
    const form *f = NULL;
    dt_err ignored;

    if (cJSON_IsString(fid) && cJSON_IsNumber(v))
        store_form_get(s, fid->valuestring, v->valueint, &f, &ignored);
    return f;
}

int qual_review(store *s, cJSON *shown, const qual_limits *l, dt_err *err)
{
    /* a version no longer loadable leaves the roster unknown, not the flags */
    return qual_annotate(shown, qual_shown_form(s, shown), l)
               ? err_set(err, DT_ENOMEM, "out of memory")
               : DT_OK;
}
