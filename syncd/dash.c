/* dash.c - the dashboard's pages: progress table, indicator charts, sign-in form */
#include "dash.h"
#include "html.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A writer whose first failure sticks, so that a page is either whole or not sent. */
typedef struct out {
    buf *b;
    int rc;
} out;

static void o_puts(out *o, const char *s)
{
    if (!o->rc)
        o->rc = buf_puts(o->b, s);
}

static void o_esc(out *o, const char *s)
{
    if (!o->rc)
        o->rc = html_put(o->b, s ? s : "");
}

static void o_printf(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void o_printf(out *o, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;

    if (o->rc)
        return;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    o->rc = buf_puts(o->b, tmp);
}

static const char style[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}"
    "header{background:#0b5d3b;color:#fff;padding:.8em 1.5em;display:flex;align-items:center;"
    "justify-content:space-between;flex-wrap:wrap}"
    "header h1{font-size:1.25em;margin:0}header p{margin:.2em 0 0;font-size:.9em}"
    "header form{margin:0}header button{font:inherit;padding:.3em .8em}"
    "main{padding:1em 1.5em;max-width:1180px}"
    "section{background:#fff;border:1px solid #d8dce2;border-radius:6px;padding:1em 1.2em;"
    "margin-bottom:1.2em}"
    "h2{font-size:1.1em;margin:0 0 .6em}h3{font-size:1em;margin:1em 0 .3em}"
    "table{border-collapse:collapse;font-size:.85em;width:100%}"
    "th,td{padding:.25em .5em;border-bottom:1px solid #e3e6ea;text-align:right}"
    "th:first-child,td:first-child{text-align:left;white-space:nowrap}th{background:#eef1f4;font-"
    "weight:600}"
    "tr.district td{font-weight:700;background:#f3f7f4}tr.total td{font-weight:700;"
    "border-top:2px solid #888}td.commune{padding-left:1.5em}"
    ".note{font-size:.85em;color:#4a5560}.warn{color:#a33}"
    "details{margin:.3em 0}summary{cursor:pointer;font-weight:600;padding:.25em 0}"
    "nav a,nav span{margin-right:1em}.chart{margin:.2em 0 1.2em}"
    ".summary{font-size:.95em;margin:.2em 0}"
    ".legend span{display:inline-block;margin-right:1em}.sw{display:inline-block;width:.9em;"
    "height:.9em;vertical-align:middle;margin-right:.3em}";

/* Colours of the progress bars, used by the legend and the bars alike. */
#define C_APPROVED  "#2e8b57"
#define C_FINALIZED "#4a7fc1"
#define C_REJECTED  "#e08a2e"
#define C_PENDING   "#c9ced6"

static void head(out *o, const char *title)
{
    o_puts(o, "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    o_esc(o, title);
    o_puts(o, "</title><style>");
    o_puts(o, style);
    o_puts(o, "</style></head><body>\n");
}

/* ---- progress */

/* Sums of progress rows: a district, or the whole scope. */
typedef struct tally {
    long assigned, pending, received, finalized, approved, rejected, conflicts, duplicates,
        refusals;
} tally;

static void tally_add(tally *t, const store_progress_row *r)
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

/* A stacked bar of where a commune's households are: approved, waiting for review,
 * rejected (back on the laptop), not received yet. */
static void progress_bar(out *o, const tally *t)
{
    const double w = 140.0;
    long whole = t->assigned > t->received ? t->assigned : t->received;
    long parts[4] = {t->approved, t->finalized, t->rejected, t->pending};
    const char *colours[4] = {C_APPROVED, C_FINALIZED, C_REJECTED, C_PENDING};
    double x = 0;

    o_printf(o, "<svg width=\"%.0f\" height=\"12\" role=\"img\" aria-label=\"%ld/%ld\">", w,
             t->approved, whole);
    o_printf(o, "<rect width=\"%.0f\" height=\"12\" fill=\"#f0f2f5\"/>", w);
    for (int i = 0; i < 4 && whole > 0; i++) {
        double pw = w * (double)parts[i] / (double)whole;
        if (pw <= 0)
            continue;
        o_printf(o, "<rect x=\"%.2f\" width=\"%.2f\" height=\"12\" fill=\"%s\"/>", x, pw,
                 colours[i]);
        x += pw;
    }
    o_puts(o, "</svg>");
}

static void progress_cells(out *o, const tally *t)
{
    o_printf(o,
             "<td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td>"
             "<td%s>%ld</td><td%s>%ld</td><td>%ld</td><td>",
             t->assigned, t->pending, t->received, t->finalized, t->approved, t->rejected,
             t->conflicts ? " class=\"warn\"" : "", t->conflicts,
             t->duplicates ? " class=\"warn\"" : "", t->duplicates, t->refusals);
    progress_bar(o, t);
    o_puts(o, "</td></tr>\n");
}

/* The district's name in the form's district list (Vietnamese), or NULL. */
static const char *district_name(const form *f, const char *code)
{
    const form_choice *c;
    char *end;
    long long n;
    int q, vi;

    if (!f || !*code || (q = form_find(f, "district")) < 0 || !form_q(f, q)->list)
        return NULL;
    n = strtoll(code, &end, 10);
    if (*end || !(c = form_choice_find(form_q(f, q)->list, n)))
        return NULL;
    vi = form_lang_index(f, "vi");
    return c->label[vi < 0 ? 0 : vi];
}

static const char progress_head[] =
    "<table><thead><tr><th>%s</th><th>Được giao<br>Assigned</th><th>Đang thực hiện<br>In "
    "progress</th><th>Đã nhận<br>Received</th><th>Chờ duyệt<br>Finalized</th><th>Đã "
    "duyệt<br>Approved</th><th>Trả lại<br>Rejected</th><th>Xung đột<br>Conflicts</th><th>Có "
    "thể trùng<br>Possible duplicates</th><th>Từ chối<br>Refusals</th><th></th></tr></thead>"
    "<tbody>\n";

/* Progress is written in two parts: a table of districts, then each district's communes
 * in a <details> block under it (closed unless there is one district), so that a province
 * of 200 communes reads as 12 lines first. */
typedef struct progress_ctx {
    const dash_view *v;
    out districts;          /* the district table's rows */
    out communes;           /* the <details> blocks */
    buf drows, crows, rows; /* their storage; rows: the current district's communes */
    char code[64];          /* the current district */
    int any;
    tally dsum, all;
    long ncommunes, ndistricts;
} progress_ctx;

static void flush_district(progress_ctx *c)
{
    const char *name = district_name(c->v->form, c->code);
    out *d = &c->districts, *m = &c->communes;
    const char *id = c->code[0] ? c->code : "none";

    if (!c->any)
        return;
    o_printf(d, "<tr id=\"d-%s\"><td>", id);
    if (c->code[0]) {
        o_esc(d, c->code);
        o_puts(d, " ");
        o_esc(d, name ? name : "");
    } else {
        o_puts(d, "Không rõ huyện / District unknown");
    }
    o_puts(d, "</td>");
    progress_cells(d, &c->dsum);
    o_printf(m, "<details id=\"dd-%s\"%s><summary>", id, c->v->open_communes ? " open" : "");
    o_esc(m, c->code[0] ? c->code : "—");
    o_puts(m, " ");
    o_esc(m, name ? name : "");
    o_printf(m, "</summary>");
    o_printf(m, progress_head, "Xã — Commune");
    if (!m->rc && c->rows.len)
        m->rc = buf_append(m->b, c->rows.data, c->rows.len);
    o_puts(m, "</tbody></table></details>\n");
    buf_reset(&c->rows);
    memset(&c->dsum, 0, sizeof(c->dsum));
    c->any = 0;
    c->ndistricts++;
}

static int progress_row(void *ctx, const store_progress_row *r)
{
    progress_ctx *c = ctx;
    out row = {&c->rows, 0};
    tally t = {0};

    if (c->any && strcmp(c->code, r->district) != 0)
        flush_district(c);
    if (!c->any) {
        snprintf(c->code, sizeof(c->code), "%s", r->district);
        c->any = 1;
    }
    tally_add(&t, r);
    tally_add(&c->dsum, r);
    tally_add(&c->all, r);
    c->ncommunes++;
    o_printf(&row, "<tr id=\"c-%s\"><td>", r->commune_code[0] ? r->commune_code : "none");
    o_esc(&row, r->commune_code[0] ? r->commune_code : "—");
    o_puts(&row, " ");
    o_esc(&row, r->commune_name);
    o_puts(&row, "</td>");
    progress_cells(&row, &t);
    if (row.rc)
        c->communes.rc = row.rc;
    return c->districts.rc || c->communes.rc ? -1 : 0;
}

static const char legend[] =
    "<p class=\"legend note\"><span><i class=\"sw\" style=\"background:" C_APPROVED
    "\"></i>đã duyệt / approved</span><span><i class=\"sw\" style=\"background:" C_FINALIZED
    "\"></i>chờ duyệt / awaiting review</span><span><i class=\"sw\" style=\"background:" C_REJECTED
    "\"></i>trả lại / rejected</span><span><i class=\"sw\" style=\"background:" C_PENDING
    "\"></i>đang thực hiện / in progress</span></p>\n";

/* Writes the section from the two parts; 0 or DT_ENOMEM. */
static int progress_write(out *o, progress_ctx *c)
{
    if (c->districts.rc || c->communes.rc)
        return DT_ENOMEM;
    o_printf(o, progress_head, "Huyện — District");
    if (!o->rc && c->drows.len)
        o->rc = buf_append(o->b, c->drows.data, c->drows.len);
    if (c->ncommunes == 0)
        o_puts(o, "<tr><td colspan=\"11\">Chưa có hộ nào được giao hay nhận — no household "
                  "assigned or received yet</td></tr>\n");
    o_puts(o, "<tr class=\"total\" id=\"total\"><td>Tổng — Total</td>");
    progress_cells(o, &c->all);
    o_puts(o, "</tbody></table>\n");
    if (c->ncommunes) {
        o_printf(o, "<h3>Theo xã — By commune (%ld)</h3>\n", c->ncommunes);
        if (!o->rc && c->crows.len)
            o->rc = buf_append(o->b, c->crows.data, c->crows.len);
    }
    o_puts(o, "<p class=\"note\">Trung tâm chỉ thấy một phiếu khi điều tra viên đã hoàn thành "
              "và đồng bộ: đến lúc đó hộ được tính là đang thực hiện. — The centre sees an "
              "interview once it is finalized and synced; until then an assigned household "
              "counts as in progress (or not started) on a laptop. Conflicts and possible "
              "duplicates wait for a supervisor.</p></section>\n");
    return o->rc ? DT_ENOMEM : DT_OK;
}

static int progress_section(out *o, store *s, const dash_view *v, dt_err *err)
{
    progress_ctx c;
    int rc;

    memset(&c, 0, sizeof(c));
    c.v = v;
    buf_init(&c.drows, 1u << 24);
    buf_init(&c.crows, 1u << 26);
    buf_init(&c.rows, 1u << 24);
    c.districts.b = &c.drows;
    c.communes.b = &c.crows;
    o_puts(o, "<section id=\"progress\"><h2>Tiến độ thu thập — Fieldwork progress</h2>\n");
    if (v->user->role == ROLE_SUPERVISOR) {
        o_puts(o, "<p class=\"note\">Các xã bạn giám sát / Your communes: ");
        o_esc(o, v->user->communes[0] ? v->user->communes : "—");
        o_puts(o, "</p>");
    }
    o_puts(o, legend);
    rc = store_progress(s, v->user, progress_row, &c, err);
    if (rc == DT_OK) {
        flush_district(&c);
        rc = progress_write(o, &c);
    } else if (rc == -1) { /* a row could not be written */
        rc = DT_ENOMEM;
    }
    buf_free(&c.drows);
    buf_free(&c.crows);
    buf_free(&c.rows);
    return rc;
}

/* ---- indicators */

static void fmt_pct(char *out_, size_t size, double d)
{
    if (isfinite(d))
        snprintf(out_, size, "%.1f", d);
    else
        snprintf(out_, size, "–");
}

/* The x of a percentage on a chart whose 0-100 runs from x0 over width w. */
static double px(double pct, double x0, double w)
{
    if (!isfinite(pct))
        pct = 0;
    if (pct < 0)
        pct = 0;
    if (pct > 100)
        pct = 100;
    return x0 + w * pct / 100.0;
}

/* Below this many units an estimate is shown in brackets with its n: its interval is
 * unreliable (a stratum of one or two PSUs can even give a zero-width one). */
#define FEW_UNITS 30

/* One bar of a chart: label, estimate, interval whiskers, the value written at the end. */
static void chart_row(out *o, double y, const char *label, const ind_value *v, int strong)
{
    const double x0 = 190, w = 420;
    char est[16], lo[16], hi[16];

    fmt_pct(est, sizeof(est), v->estimate);
    fmt_pct(lo, sizeof(lo), v->ci_low);
    fmt_pct(hi, sizeof(hi), v->ci_high);
    o_printf(o, "<g><title>");
    o_esc(o, label);
    if (v->defined)
        o_printf(o, ": %s%% (95%% CI %s–%s), n = %ld", est, lo, hi, v->n_units);
    else
        o_puts(o, ": chưa có số liệu / no data");
    o_puts(o, "</title>");
    o_printf(o, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\"%s>", x0 - 8,
             y + 11, strong ? " font-weight=\"700\"" : "");
    o_esc(o, label);
    o_puts(o, "</text>");
    if (v->defined) {
        double xe = px(v->estimate, x0, w), xl = px(v->ci_low, x0, w), xh = px(v->ci_high, x0, w);
        o_printf(o,
                 "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.2f\" height=\"14\" fill=\"%s\"/>"
                 "<line x1=\"%.2f\" x2=\"%.2f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#222\" "
                 "stroke-width=\"1.5\"/>"
                 "<line x1=\"%.2f\" x2=\"%.2f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#222\" "
                 "stroke-width=\"1.5\"/>"
                 "<line x1=\"%.2f\" x2=\"%.2f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#222\" "
                 "stroke-width=\"1.5\"/>",
                 x0, y, xe - x0, strong ? "#0b5d3b" : "#6aa88a", xl, xh, y + 7, y + 7, xl, xl,
                 y + 2, y + 12, xh, xh, y + 2, y + 12);
        /* few units: the figure is shown, greyed, with its n, as survey reports do */
        if (v->n_units < FEW_UNITS)
            o_printf(o,
                     "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\" fill=\"#888\" "
                     "font-style=\"italic\"%s>(%s%% [%s–%s], n = %ld)</text>",
                     x0 + w + 8, y + 11, strong ? " font-weight=\"700\"" : "", est, lo, hi,
                     v->n_units);
        else
            o_printf(o, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\"%s>%s%% [%s–%s]</text>",
                     x0 + w + 8, y + 11, strong ? " font-weight=\"700\"" : "", est, lo, hi);
    } else {
        o_printf(o,
                 "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\" fill=\"#777\">chưa có số liệu — "
                 "no data</text>",
                 x0 + 4, y + 11);
    }
    o_puts(o, "</g>");
}

/* One chart: the province, then each district, against the target line. */
static void chart(out *o, int k, const dash_view *v)
{
    const ind_value *pv = &v->prov->groups[0].ind[k];
    const double x0 = 190, w = 420, row = 20, top = 22;
    size_t nd = v->dist ? v->dist->ngroups : 0;
    double height = top + row * (double)(1 + nd) + 8, xt = px(pv->target, x0, w);

    o_printf(o,
             "<svg class=\"chart\" id=\"%s-chart\" width=\"880\" height=\"%.0f\" role=\"img\" "
             "aria-labelledby=\"%s-title\" font-family=\"DejaVu Sans, Arial, sans-serif\">",
             pv->code, height + 14, pv->code);
    for (int g = 0; g <= 100; g += 25) {
        double x = px(g, x0, w);
        o_printf(o,
                 "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"16\" y2=\"%.0f\" stroke=\"#e1e4e8\"/>"
                 "<text x=\"%.1f\" y=\"12\" font-size=\"10\" text-anchor=\"middle\" "
                 "fill=\"#667\">%d%%</text>",
                 x, x, height - 4, x, g);
    }
    chart_row(o, top, "Tỉnh Sơn La — Province", pv, 1);
    for (size_t i = 0; i < nd; i++) {
        const ind_group *g = &v->dist->groups[i];
        char label[160];
        snprintf(label, sizeof(label), "%s %s", g->key, g->name);
        chart_row(o, top + row * (double)(i + 1), label, &g->ind[k], 0);
    }
    o_printf(o,
             "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"16\" y2=\"%.0f\" stroke=\"#c0392b\" "
             "stroke-width=\"2\" stroke-dasharray=\"5,3\"/>"
             "<text x=\"%.1f\" y=\"%.0f\" font-size=\"10\" fill=\"#c0392b\" "
             "text-anchor=\"middle\">mục tiêu / target %g%%</text></svg>\n",
             xt, xt, height - 4, xt, height + 10, pv->target);
}

/* The province's figure in words, with the ids the integration test reads. */
static void summary(out *o, const ind_value *pv)
{
    char est[16], lo[16], hi[16], gap[16];

    fmt_pct(est, sizeof(est), pv->estimate);
    fmt_pct(lo, sizeof(lo), pv->ci_low);
    fmt_pct(hi, sizeof(hi), pv->ci_high);
    fmt_pct(gap, sizeof(gap), pv->gap);
    o_printf(o, "<p class=\"summary\">Tỉnh / Province: <b id=\"%s-estimate\">%s%%</b> ", pv->code,
             est);
    o_printf(o,
             "(KTC 95%% / 95%% CI <span id=\"%s-ci\">%s–%s</span>) · mục tiêu 2025 / "
             "2025 target <span id=\"%s-target\">%g%%</span> · ",
             pv->code, lo, hi, pv->code, pv->target);
    if (pv->defined && pv->gap > 0)
        o_printf(o, "còn thiếu / short by <span id=\"%s-gap\">%s</span> điểm / points", pv->code,
                 gap);
    else if (pv->defined)
        o_printf(o, "đã đạt / reached (<span id=\"%s-gap\">%s</span>)", pv->code, gap);
    else
        o_printf(o, "<span id=\"%s-gap\">–</span>", pv->code);
    if (!strcmp(pv->unit_kind, "household"))
        o_printf(o, " · <span id=\"%s-n\">%ld</span> hộ / households</p>\n", pv->code, pv->n_units);
    else
        o_printf(o, " · <span id=\"%s-n\">%ld</span> người / persons in %ld hộ / households</p>\n",
                 pv->code, pv->n_units, pv->n_households);
}

/* The method, as `syncd indicators` prints it under its table. */
static void method_note(out *o, const ind_report *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);

    if (!fp) {
        o->rc = DT_ENOMEM;
        return;
    }
    ind_report_note(fp, r);
    if (fclose(fp) || !text) {
        free(text);
        o->rc = DT_ENOMEM;
        return;
    }
    o_puts(o, "<p class=\"note\">(…, n = …) trong biểu đồ: dưới 30 đơn vị, cần thận trọng — in "
              "the charts: fewer than 30 units, read with care. ");
    o_esc(o, text);
    o_printf(o,
             " Từ chối (không trả lời, không tính vào ước lượng) / refusals (non-response, "
             "left out of every estimate): %ld / %ld.</p>\n",
             r->refusals, r->cases);
    free(text);
}

static void indicators_section(out *o, const dash_view *v)
{
    const ind_report *r = v->prov;
    int all = !strcmp(v->status, "all");
    char when[64];
    struct tm tm;

    o_puts(o, "<section id=\"indicators\"><h2>Chỉ tiêu chuyển đổi số 2025 — 2025 digital-plan "
              "indicators</h2>\n<nav class=\"note\">");
    o_puts(o, all ? "<a href=\"/\">Chỉ phiếu đã duyệt / approved interviews only</a><span>Tất "
                    "cả phiếu đã nhận / every interview received</span>"
                  : "<span>Chỉ phiếu đã duyệt / approved interviews only</span><a "
                    "href=\"/?status=all\">Tất cả phiếu đã nhận / every interview received</a>");
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&v->computed_at, &tm));
    o_printf(o,
             "</nav><p class=\"note\" id=\"basis\">%ld hộ phỏng vấn xong, %ld người, %ld từ "
             "chối — %ld households interviewed, %ld persons, %ld refusals (%s); tính lúc / "
             "computed at %s</p>\n",
             r->households, r->persons, r->refusals, r->households, r->persons, r->refusals,
             all ? "every case received" : "approved cases", when);
    for (int k = 0; k < IND_COUNT && r->ngroups > 0; k++) {
        const ind_value *pv = &r->groups[0].ind[k];
        o_printf(o, "<h3 id=\"%s-title\">%s — ", pv->code, pv->code);
        o_esc(o, pv->label_vi);
        o_puts(o, " / ");
        o_esc(o, pv->label_en);
        o_puts(o, " <span class=\"note\">(");
        o_esc(o, pv->unit);
        o_puts(o, ")</span></h3>\n");
        if (!pv->measurable) {
            o_printf(o,
                     "<p class=\"note\" id=\"%s-scope\">Không đo được bằng khảo sát hộ gia "
                     "đình — not measurable from a household survey (target %g%%).</p>\n",
                     pv->code, pv->target);
            continue;
        }
        summary(o, pv);
        chart(o, k, v);
    }
    method_note(o, r);
    o_puts(o, "</section>\n");
}

/* Statisticians download the data the way `syncd export` writes it. */
static void exports_section(out *o, const dash_view *v)
{
    static const char *const formats[][2] = {
        {"csv", "CSV"}, {"dta", "Stata (.dta)"}, {"sav", "SPSS (.sav)"}, {"json", "JSON Lines"}};

    if (v->user->role != ROLE_STATISTICIAN && v->user->role != ROLE_ADMIN)
        return;
    o_puts(o, "<section id=\"exports\"><h2>Tải dữ liệu — Download the data</h2><p>");
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        o_printf(o, "<a href=\"/api/v1/export?format=%s&amp;status=approved\">%s</a> · ",
                 formats[i][0], formats[i][1]);
    o_puts(o, "<a href=\"/api/v1/export?format=csv&amp;status=all\">CSV, tất cả phiếu / every "
              "case</a></p><p class=\"note\">Một tệp zip: hộ, thành viên, từ điển biến — one zip "
              "archive: households, members, codebook.</p></section>\n");
}

int dash_page(buf *b, store *s, const dash_view *v, dt_err *err)
{
    out o = {b, 0};
    int rc;

    head(&o, "dieutra — Sơn La: tiến độ và chỉ tiêu");
    o_puts(&o, "<header><div><h1>dieutra · Khảo sát hộ gia đình về kinh tế số, tỉnh Sơn La</h1>"
               "<p>Household survey on the digital economy, Sơn La province · ");
    o_esc(&o, v->user->name);
    o_printf(&o,
             " (%s)</p></div><form method=\"post\" action=\"/signout\"><button "
             "type=\"submit\">Đăng xuất / Sign out</button></form></header>\n<main>\n",
             store_role_name(v->user->role));
    if ((rc = progress_section(&o, s, v, err)))
        return rc == DT_ENOMEM ? err_set(err, DT_ENOMEM, "out of memory") : rc;
    indicators_section(&o, v);
    exports_section(&o, v);
    o_puts(&o, "</main></body></html>\n");
    return o.rc ? err_set(err, DT_ENOMEM, "out of memory") : DT_OK;
}

int dash_signin_page(buf *b, const char *message)
{
    out o = {b, 0};

    head(&o, "dieutra — đăng nhập / sign in");
    o_puts(&o, "<header><div><h1>dieutra · Sơn La</h1><p>Bảng tiến độ cho giám sát viên và "
               "thống kê — the dashboard for supervisors and statisticians</p></div></header>"
               "<main><section><h2>Đăng nhập — Sign in</h2>\n");
    if (message) {
        o_puts(&o, "<p class=\"warn\" id=\"message\">");
        o_esc(&o, message);
        o_puts(&o, "</p>\n");
    }
    o_puts(&o, "<form method=\"post\" action=\"/signin\"><p><label for=\"token\">Mã truy cập "
               "— Token</label><br><input id=\"token\" name=\"token\" type=\"password\" "
               "size=\"70\" autocomplete=\"off\" required autofocus></p><p><button "
               "type=\"submit\">Đăng nhập / Sign in</button></p></form><p class=\"note\">Mã do "
               "quản trị viên cấp (<code>syncd user add</code>), hoặc dùng liên kết đăng nhập "
               "một lần (<code>syncd user link</code>). — Your token comes from the "
               "administrator; a one-time sign-in link works too.</p></section></main></body>"
               "</html>\n");
    return o.rc;
}
