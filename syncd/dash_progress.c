/* dash_progress.c - the dashboard's progress section: the frame against the cases received, one
 * row per unit of today, folded under the former districts their areas came from */
#include "dash_int.h"
#include "place.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Sums of progress rows: a unit, a fold, or the whole scope. */
typedef struct tally {
    long assigned, pending, received, finalized, approved, rejected, conflicts, duplicates,
        refusals;
} tally;

static void tally_add(tally *t, const tally *r)
{
    t->assigned += r->assigned;
    t->pending += r->pending;
    t->received += r->received;
    t->finalized += r->finalized;
    t->approved += r->approved;
    t->rejected += r->rejected;
    t->conflicts += r->conflicts;
    t->duplicates += r->duplicates;
    t->refusals += r->refusals;
}

/* One row of the table: a unit of today (every code recorded in it summed), or a code that
 * cannot be placed (a split former commune, a code in no table), in the fold "unplaced". */
typedef struct unit_row {
    char fold[64];               /* former districts ("123", "122+125"), "unplaced", or "" */
    char code[GEO_CODE_MAX * 4]; /* the unit's code, or the code as recorded */
    char name[512];              /* the unit's name; what is wrong with a code */
    tally t;
} unit_row;

typedef struct progress_ctx {
    placer *pl; /* NULL when no household form is published */
    unit_row *rows;
    size_t n, cap;
    int failed;
} progress_ctx;

static unit_row *row_for(progress_ctx *c, const char *fold, const char *code)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->rows[i].code, code) && !strcmp(c->rows[i].fold, fold))
            return &c->rows[i];
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 128;
        unit_row *r = realloc(c->rows, cap * sizeof(*r));
        if (!r)
            return NULL;
        c->rows = r;
        c->cap = cap;
    }
    unit_row *r = &c->rows[c->n++];
    memset(r, 0, sizeof(*r));
    snprintf(r->fold, sizeof(r->fold), "%s", fold);
    snprintf(r->code, sizeof(r->code), "%s", code);
    return r;
}

/* The row a progress row's code goes to, with its name written when the row is new. */
static unit_row *place_row(progress_ctx *c, const char *code)
{
    place_result at;
    unit_row *r;

    if (!c->pl)
        return row_for(c, "", code);
    placer_place_code(c->pl, code, &at);
    if (at.how == PLACE_NO_TABLE)
        return row_for(c, "", code);
    if (at.unit) {
        if ((r = row_for(c, at.districts, at.unit->code)) && !r->name[0])
            snprintf(r->name, sizeof(r->name), "%s", placer_unit_name(c->pl, at.unit, 0));
        return r;
    }
    if (!(r = row_for(c, "unplaced", code)) || r->name[0])
        return r;
    if (!code[0]) {
        snprintf(r->name, sizeof(r->name), "(không ghi / none recorded)");
    } else if (at.how == PLACE_AMBIGUOUS) {
        size_t len = (size_t)snprintf(r->name, sizeof(r->name),
                                      "xã cũ đã chia / a former "
                                      "commune, split:");
        for (int i = 0; i < at.ncands && len < sizeof(r->name); i++)
            len += (size_t)snprintf(r->name + len, sizeof(r->name) - len, "%s %s %s", i ? "," : "",
                                    at.cands[i]->code, placer_unit_name(c->pl, at.cands[i], 0));
    } else {
        snprintf(r->name, sizeof(r->name), "không có trong danh mục / in no table of units");
    }
    return r;
}

static int progress_row(void *ctx, const store_progress_row *p)
{
    progress_ctx *c = ctx;
    unit_row *r = place_row(c, p->commune_code);
    tally t = {p->assigned, p->pending,   p->received,   p->finalized, p->approved,
               p->rejected, p->conflicts, p->duplicates, p->refusals};

    if (!r)
        return c->failed = -1;
    tally_add(&r->t, &t);
    return 0;
}

/* Folds in order: former districts by number ("116" < "122" < "122+125"), the codes that
 * cannot be placed last; within a fold, units by code. */
static int fold_cmp(const char *a, const char *b)
{
    int ua = !strcmp(a, "unplaced"), ub = !strcmp(b, "unplaced");
    long na = strtol(a, NULL, 10), nb = strtol(b, NULL, 10);

    if (ua != ub)
        return ua - ub;
    if (na != nb)
        return na < nb ? -1 : 1;
    return strcmp(a, b);
}

static int by_fold(const void *pa, const void *pb)
{
    const unit_row *a = pa, *b = pb;
    int c = fold_cmp(a->fold, b->fold);

    return c ? c : strcmp(a->code, b->code);
}

/* A stacked bar of where a unit's households are: approved, waiting for review, rejected
 * (back on the laptop), not received yet. */
static void progress_bar(dout *o, const tally *t)
{
    const double w = 140.0;
    long whole = t->assigned > t->received ? t->assigned : t->received;
    long parts[4] = {t->approved, t->finalized, t->rejected, t->pending};
    const char *colours[4] = {C_APPROVED, C_FINALIZED, C_REJECTED, C_PENDING};
    double x = 0;

    dout_printf(o, "<svg width=\"%.0f\" height=\"12\" role=\"img\" aria-label=\"%ld/%ld\">", w,
                t->approved, whole);
    dout_printf(o, "<rect width=\"%.0f\" height=\"12\" fill=\"#f0f2f5\"/>", w);
    for (int i = 0; i < 4 && whole > 0; i++) {
        double pw = w * (double)parts[i] / (double)whole;
        if (pw <= 0)
            continue;
        dout_printf(o, "<rect x=\"%.2f\" width=\"%.2f\" height=\"12\" fill=\"%s\"/>", x, pw,
                    colours[i]);
        x += pw;
    }
    dout_puts(o, "</svg>");
}

static void progress_cells(dout *o, const tally *t)
{
    dout_printf(o,
                "<td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td>"
                "<td%s>%ld</td><td%s>%ld</td><td>%ld</td><td>",
                t->assigned, t->pending, t->received, t->finalized, t->approved, t->rejected,
                t->conflicts ? " class=\"warn\"" : "", t->conflicts,
                t->duplicates ? " class=\"warn\"" : "", t->duplicates, t->refusals);
    progress_bar(o, t);
    dout_puts(o, "</td></tr>\n");
}

static const char progress_head[] =
    "<table><thead><tr><th>%s</th><th>Được giao<br>Assigned</th><th>Đang thực hiện<br>In "
    "progress</th><th>Đã nhận<br>Received</th><th>Chờ duyệt<br>Finalized</th><th>Đã "
    "duyệt<br>Approved</th><th>Trả lại<br>Rejected</th><th>Xung đột<br>Conflicts</th><th>Có "
    "thể trùng<br>Possible duplicates</th><th>Từ chối<br>Refusals</th><th></th></tr></thead>"
    "<tbody>\n";

/* A fold's label: "123 Huyện Mộc Châu", "122+125 Huyện Phù Yên + Huyện Mai Sơn". */
static void fold_label(dout *o, const progress_ctx *c, const char *fold)
{
    char names[512];

    if (!strcmp(fold, "unplaced")) {
        dout_puts(o, "Chưa xếp được vào xã/phường hiện nay — not placed in a unit of today");
        return;
    }
    if (!fold[0]) {
        dout_puts(o, "Tất cả — All");
        return;
    }
    dout_esc(o, fold);
    dout_puts(o, " ");
    dout_esc(o, c->pl ? placer_districts_name(c->pl, fold, 0, names, sizeof(names)) : "");
}

/* The folds' table, then each fold's units in a <details> block under it (closed unless there
 * is only one fold), so that a province of 75 units reads as a dozen lines first. */
static void progress_write(dout *o, const progress_ctx *c, const dash_view *v)
{
    tally all = {0};
    size_t i = 0;

    dout_printf(o, progress_head, "Huyện cũ — Former district");
    for (size_t k = 0; k < c->n;) { /* the folds' rows */
        tally sum = {0};
        size_t end = k;
        while (end < c->n && !strcmp(c->rows[end].fold, c->rows[k].fold))
            tally_add(&sum, &c->rows[end++].t);
        dout_printf(o, "<tr id=\"d-%s\"><td>", c->rows[k].fold[0] ? c->rows[k].fold : "all");
        fold_label(o, c, c->rows[k].fold);
        dout_puts(o, "</td>");
        progress_cells(o, &sum);
        tally_add(&all, &sum);
        k = end;
    }
    if (c->n == 0)
        dout_puts(o, "<tr><td colspan=\"11\">Chưa có hộ nào được giao hay nhận — no household "
                     "assigned or received yet</td></tr>\n");
    dout_puts(o, "<tr class=\"total\" id=\"total\"><td>Tổng — Total</td>");
    progress_cells(o, &all);
    dout_puts(o, "</tbody></table>\n");
    if (c->n)
        dout_printf(o, "<h3>Theo xã, phường — By commune or ward (%zu)</h3>\n", c->n);
    while (i < c->n) {
        const char *fold = c->rows[i].fold;
        int open = v->open_communes || c->rows[0].fold[0] == '\0' ||
                   !strcmp(c->rows[c->n - 1].fold, c->rows[0].fold);
        dout_printf(o, "<details id=\"dd-%s\"%s><summary>", fold[0] ? fold : "all",
                    open ? " open" : "");
        fold_label(o, c, fold);
        dout_puts(o, "</summary>");
        dout_printf(o, progress_head, "Xã, phường — Commune or ward");
        for (; i < c->n && !strcmp(c->rows[i].fold, fold); i++) {
            const unit_row *r = &c->rows[i];
            dout_printf(o, "<tr id=\"c-%s\"><td>", r->code[0] ? r->code : "none");
            dout_esc(o, r->code[0] ? r->code : "—");
            dout_puts(o, " ");
            dout_esc(o, r->name);
            dout_puts(o, "</td>");
            progress_cells(o, &r->t);
        }
        dout_puts(o, "</tbody></table></details>\n");
    }
}

static const char legend[] =
    "<p class=\"legend note\"><span><i class=\"sw\" style=\"background:" C_APPROVED
    "\"></i>đã duyệt / approved</span><span><i class=\"sw\" style=\"background:" C_FINALIZED
    "\"></i>chờ duyệt / awaiting review</span><span><i class=\"sw\" style=\"background:" C_REJECTED
    "\"></i>trả lại / rejected</span><span><i class=\"sw\" style=\"background:" C_PENDING
    "\"></i>đang thực hiện / in progress</span></p>\n";

int dash_progress_section(dout *o, store *s, const dash_view *v, dt_err *err)
{
    progress_ctx c;
    int rc = 0;

    memset(&c, 0, sizeof(c));
    if (v->form && (rc = placer_open(&c.pl, s, form_id(v->form), err)))
        return rc;
    dout_puts(o, "<section id=\"progress\"><h2>Tiến độ thu thập — Fieldwork progress</h2>\n");
    if (v->user->role == ROLE_SUPERVISOR) {
        dout_puts(o, "<p class=\"note\">Các xã, phường bạn giám sát / Your communes and wards: ");
        dout_esc(o, v->user->communes[0] ? v->user->communes : "—");
        dout_puts(o, "</p>");
    }
    dout_puts(o, legend);
    rc = store_progress(s, v->user, progress_row, &c, err);
    if (rc == -1 || c.failed) {
        rc = DT_ENOMEM;
    } else if (rc == DT_OK) {
        if (c.n)
            qsort(c.rows, c.n, sizeof(*c.rows), by_fold);
        progress_write(o, &c, v);
        dout_puts(o, "<p class=\"note\">Trung tâm chỉ thấy một phiếu khi điều tra viên đã hoàn "
                     "thành và đồng bộ: đến lúc đó hộ được tính là đang thực hiện. Phiếu ghi theo "
                     "xã cũ được tính vào xã, phường hiện nay. — The centre sees an interview once "
                     "it is finalized and synced; until then an assigned household counts as in "
                     "progress (or not started) on a laptop. Interviews that recorded a former "
                     "commune count in the unit of today it lies in. Conflicts and possible "
                     "duplicates wait for a supervisor.</p></section>\n");
        rc = o->rc ? DT_ENOMEM : DT_OK;
    }
    free(c.rows);
    placer_close(c.pl);
    return rc;
}
