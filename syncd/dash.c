/* dash.c - the dashboard's pages: progress table, indicator charts, sign-in form */
#include "dash_int.h"
#include "html.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the writer (dash_int.h) */

void dout_puts(dout *o, const char *s)
{
    if (!o->rc)
        o->rc = buf_puts(o->b, s);
}

void dout_esc(dout *o, const char *s)
{
    if (!o->rc)
        o->rc = html_put(o->b, s ? s : "");
}

void dout_printf(dout *o, const char *fmt, ...)
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
    "height:.9em;vertical-align:middle;margin-right:.3em}"
    "nav.tabs{margin-top:.4em}nav.tabs a{color:#fff;margin-right:1.2em}"
    "nav.tabs a[aria-current]{font-weight:700;text-decoration:none;border-bottom:2px solid #fff}"
    /* the review's pages */
    "form.filters{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:flex-end}"
    "form.filters label{display:flex;flex-direction:column;font-size:.85em}"
    "form.filters input,form.filters select,form.filters button{font:inherit;padding:.2em}"
    "table.cases td,table.cases th{text-align:left}table.answers td,table.answers th{"
    "text-align:left;vertical-align:top}table.answers td.v{font-weight:600}"
    "table.answers td:first-child{white-space:normal;width:45%}table.compare td:first-child{"
    "width:34%}table.roster td:first-child{width:auto}div.scroll{overflow-x:auto;max-width:100%}"
    "table.roster th{font-size:.8em}"
    "table.answers td:first-child{white-space:normal;width:45%}table.compare td:first-child{"
    "width:34%}table.roster td:first-child{width:auto}div.scroll{overflow-x:auto;max-width:100%}"
    "table.roster th{font-size:.8em}"
    "tr.group td{background:#f3f7f4;font-weight:700}tr.diff td{background:#fff4d6}"
    ".en{color:#5a6570;font-size:.85em}.muted{color:#8a939c}"
    ".flag{display:inline-block;background:#fbe3e3;color:#7a1d1d;border-radius:3px;"
    "padding:0 .35em;margin:0 .2em .1em 0;font-size:.8em;white-space:nowrap}"
    ".state{display:inline-block;border-radius:3px;padding:0 .4em;font-size:.85em;color:#fff;"
    "background:#4a7fc1}.state.approved{background:#2e8b57}.state.rejected{background:#e08a2e}"
    ".state.conflict{background:#b03030}"
    ".pager a,.pager span{margin-right:.8em}.decide{display:flex;flex-wrap:wrap;gap:1em}"
    ".decide form{border:1px solid #d8dce2;border-radius:6px;padding:.6em .8em;flex:1 1 20em}"
    ".decide textarea{width:100%;font:inherit}.decide button{font:inherit;padding:.3em 1em}"
    ".ok{color:#1d6b3a;font-weight:600}.side{display:flex;gap:1em;flex-wrap:wrap}";

void dash_head(dout *o, const char *title)
{
    dout_puts(o, "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    dout_esc(o, title);
    dout_puts(o, "</title><style>");
    dout_puts(o, style);
    dout_puts(o, "</style></head><body>\n");
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
static void chart_row(dout *o, double y, const char *label, const ind_value *v, int strong)
{
    const double x0 = 190, w = 420;
    char est[16], lo[16], hi[16];

    fmt_pct(est, sizeof(est), v->estimate);
    fmt_pct(lo, sizeof(lo), v->ci_low);
    fmt_pct(hi, sizeof(hi), v->ci_high);
    dout_printf(o, "<g><title>");
    dout_esc(o, label);
    if (v->defined)
        dout_printf(o, ": %s%% (95%% CI %s–%s), n = %ld", est, lo, hi, v->n_units);
    else
        dout_puts(o, ": chưa có số liệu / no data");
    dout_puts(o, "</title>");
    dout_printf(o, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\"%s>", x0 - 8,
                y + 11, strong ? " font-weight=\"700\"" : "");
    dout_esc(o, label);
    dout_puts(o, "</text>");
    if (v->defined) {
        double xe = px(v->estimate, x0, w), xl = px(v->ci_low, x0, w), xh = px(v->ci_high, x0, w);
        dout_printf(o,
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
            dout_printf(o,
                        "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\" fill=\"#888\" "
                        "font-style=\"italic\"%s>(%s%% [%s–%s], n = %ld)</text>",
                        x0 + w + 8, y + 11, strong ? " font-weight=\"700\"" : "", est, lo, hi,
                        v->n_units);
        else
            dout_printf(o, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\"%s>%s%% [%s–%s]</text>",
                        x0 + w + 8, y + 11, strong ? " font-weight=\"700\"" : "", est, lo, hi);
    } else {
        dout_printf(o,
                    "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\" fill=\"#777\">chưa có số liệu — "
                    "no data</text>",
                    x0 + 4, y + 11);
    }
    dout_puts(o, "</g>");
}

static int sort_k; /* the indicator by_estimate compares (qsort has no context argument) */
static const ind_report *sort_by;

/* Units by estimate, highest first; those without one last, by code. */
static int by_estimate(const void *pa, const void *pb)
{
    const ind_value *a = &sort_by->groups[*(const size_t *)pa].ind[sort_k];
    const ind_value *b = &sort_by->groups[*(const size_t *)pb].ind[sort_k];

    if (a->defined != b->defined)
        return a->defined ? -1 : 1;
    if (a->defined && a->estimate != b->estimate)
        return a->estimate > b->estimate ? -1 : 1;
    return strcmp(sort_by->groups[*(const size_t *)pa].key,
                  sort_by->groups[*(const size_t *)pb].key);
}

/* One chart: the province, then each unit of today by its estimate, against the target line. */
static void chart(dout *o, int k, const dash_view *v)
{
    const ind_value *pv = &v->prov->groups[0].ind[k];
    const double x0 = 190, w = 420, row = 20, top = 22;
    size_t nd = v->dist ? v->dist->ngroups : 0;
    size_t *order = malloc((nd ? nd : 1) * sizeof(*order));
    double height = top + row * (double)(1 + nd) + 8, xt = px(pv->target, x0, w);

    if (!order) {
        o->rc = DT_ENOMEM;
        return;
    }
    for (size_t i = 0; i < nd; i++)
        order[i] = i;
    sort_k = k;
    sort_by = v->dist;
    if (nd > 1)
        qsort(order, nd, sizeof(*order), by_estimate);
    dout_printf(o,
                "<svg class=\"chart\" id=\"%s-chart\" width=\"880\" height=\"%.0f\" role=\"img\" "
                "aria-labelledby=\"%s-title\" font-family=\"DejaVu Sans, Arial, sans-serif\">",
                pv->code, height + 14, pv->code);
    for (int g = 0; g <= 100; g += 25) {
        double x = px(g, x0, w);
        dout_printf(o,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"16\" y2=\"%.0f\" stroke=\"#e1e4e8\"/>"
                    "<text x=\"%.1f\" y=\"12\" font-size=\"10\" text-anchor=\"middle\" "
                    "fill=\"#667\">%d%%</text>",
                    x, x, height - 4, x, g);
    }
    chart_row(o, top, "Tỉnh Sơn La — Province", pv, 1);
    for (size_t i = 0; i < nd; i++) {
        const ind_group *g = &v->dist->groups[order[i]];
        char label[160];
        if (strcmp(g->key, IND_UNPLACED_KEY) == 0)
            snprintf(label, sizeof(label), "(chưa xếp / not placed)");
        else
            snprintf(label, sizeof(label), "%s %s", g->key, g->name);
        chart_row(o, top + row * (double)(i + 1), label, &g->ind[k], 0);
    }
    free(order);
    dout_printf(o,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"16\" y2=\"%.0f\" stroke=\"#c0392b\" "
                "stroke-width=\"2\" stroke-dasharray=\"5,3\"/>"
                "<text x=\"%.1f\" y=\"%.0f\" font-size=\"10\" fill=\"#c0392b\" "
                "text-anchor=\"middle\">mục tiêu / target %g%%</text></svg>\n",
                xt, xt, height - 4, xt, height + 10, pv->target);
}

/* The province's figure in words, with the ids the integration test reads. */
static void summary(dout *o, const ind_value *pv)
{
    char est[16], lo[16], hi[16], gap[16];

    fmt_pct(est, sizeof(est), pv->estimate);
    fmt_pct(lo, sizeof(lo), pv->ci_low);
    fmt_pct(hi, sizeof(hi), pv->ci_high);
    fmt_pct(gap, sizeof(gap), pv->gap);
    dout_printf(o, "<p class=\"summary\">Tỉnh / Province: <b id=\"%s-estimate\">%s%%</b> ",
                pv->code, est);
    dout_printf(o,
                "(KTC 95%% / 95%% CI <span id=\"%s-ci\">%s–%s</span>) · mục tiêu 2025 / "
                "2025 target <span id=\"%s-target\">%g%%</span> · ",
                pv->code, lo, hi, pv->code, pv->target);
    if (pv->defined && pv->gap > 0)
        dout_printf(o, "còn thiếu / short by <span id=\"%s-gap\">%s</span> điểm / points", pv->code,
                    gap);
    else if (pv->defined)
        dout_printf(o, "đã đạt / reached (<span id=\"%s-gap\">%s</span>)", pv->code, gap);
    else
        dout_printf(o, "<span id=\"%s-gap\">–</span>", pv->code);
    if (!strcmp(pv->unit_kind, "household"))
        dout_printf(o, " · <span id=\"%s-n\">%ld</span> hộ / households</p>\n", pv->code,
                    pv->n_units);
    else
        dout_printf(o,
                    " · <span id=\"%s-n\">%ld</span> người / persons in %ld hộ / households</p>\n",
                    pv->code, pv->n_units, pv->n_households);
}

/* The method, as `syncd indicators` prints it under its table. */
static void method_note(dout *o, const ind_report *r)
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
    dout_puts(o, "<p class=\"note\">(…, n = …) trong biểu đồ: dưới 30 đơn vị, cần thận trọng — in "
                 "the charts: fewer than 30 units, read with care. ");
    dout_esc(o, text);
    dout_printf(o,
                " Từ chối (không trả lời, không tính vào ước lượng) / refusals (non-response, "
                "left out of every estimate): %ld / %ld.</p>\n",
                r->refusals, r->cases);
    free(text);
}

static void indicators_section(dout *o, const dash_view *v)
{
    const ind_report *r = v->prov;
    int all = !strcmp(v->status, "all");
    char when[64];
    struct tm tm;

    dout_puts(o, "<section id=\"indicators\"><h2>Chỉ tiêu chuyển đổi số 2025 — 2025 digital-plan "
                 "indicators</h2>\n<nav class=\"note\">");
    dout_puts(o, all ? "<a href=\"/\">Chỉ phiếu đã duyệt / approved interviews only</a><span>Tất "
                       "cả phiếu đã nhận / every interview received</span>"
                     : "<span>Chỉ phiếu đã duyệt / approved interviews only</span><a "
                       "href=\"/?status=all\">Tất cả phiếu đã nhận / every interview received</a>");
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&v->computed_at, &tm));
    dout_printf(o,
                "</nav><p class=\"note\" id=\"basis\">%ld hộ phỏng vấn xong, %ld người, %ld từ "
                "chối — %ld households interviewed, %ld persons, %ld refusals (%s); tính lúc / "
                "computed at %s</p>\n",
                r->households, r->persons, r->refusals, r->households, r->persons, r->refusals,
                all ? "every case received" : "approved cases", when);
    for (int k = 0; k < IND_COUNT && r->ngroups > 0; k++) {
        const ind_value *pv = &r->groups[0].ind[k];
        dout_printf(o, "<h3 id=\"%s-title\">%s — ", pv->code, pv->code);
        dout_esc(o, pv->label_vi);
        dout_puts(o, " / ");
        dout_esc(o, pv->label_en);
        dout_puts(o, " <span class=\"note\">(");
        dout_esc(o, pv->unit);
        dout_puts(o, ")</span></h3>\n");
        if (!pv->measurable) {
            dout_printf(o,
                        "<p class=\"note\" id=\"%s-scope\">Không đo được bằng khảo sát hộ gia "
                        "đình — not measurable from a household survey (target %g%%).</p>\n",
                        pv->code, pv->target);
            continue;
        }
        summary(o, pv);
        chart(o, k, v);
    }
    method_note(o, r);
    dout_puts(o, "</section>\n");
}

/* Statisticians download the data the way `syncd export` writes it. */
static void exports_section(dout *o, const dash_view *v)
{
    static const char *const formats[][2] = {
        {"csv", "CSV"}, {"dta", "Stata (.dta)"}, {"sav", "SPSS (.sav)"}, {"json", "JSON Lines"}};

    if (v->user->role != ROLE_STATISTICIAN && v->user->role != ROLE_ADMIN)
        return;
    dout_puts(o, "<section id=\"exports\"><h2>Tải dữ liệu — Download the data</h2><p>");
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        dout_printf(o, "<a href=\"/api/v1/export?format=%s&amp;status=approved\">%s</a> · ",
                    formats[i][0], formats[i][1]);
    dout_puts(o,
              "<a href=\"/api/v1/export?format=csv&amp;status=all\">CSV, tất cả phiếu / every "
              "case</a></p><p class=\"note\">Một tệp zip: hộ, thành viên, từ điển biến — one zip "
              "archive: households, members, codebook.</p></section>\n");
}

void dash_banner(dout *o, const store_user *u, int tab)
{
    dout_puts(o, "<header><div><h1>dieutra · Khảo sát hộ gia đình về kinh tế số, tỉnh Sơn La</h1>"
                 "<p>Household survey on the digital economy, Sơn La province · ");
    dout_esc(o, u->name);
    dout_printf(o,
                " (%s)</p><nav class=\"tabs\"><a href=\"/\"%s>Tiến độ và chỉ tiêu · Progress</a>"
                "<a href=\"/cases\"%s>Phiếu phỏng vấn · Cases</a></nav></div><form "
                "method=\"post\" action=\"/signout\"><button type=\"submit\">Đăng xuất / Sign "
                "out</button></form></header>\n<main>\n",
                store_role_name(u->role), tab == DASH_TAB_PROGRESS ? " aria-current=\"page\"" : "",
                tab == DASH_TAB_CASES ? " aria-current=\"page\"" : "");
}

int dash_page(buf *b, store *s, const dash_view *v, dt_err *err)
{
    dout o = {b, 0};
    int rc;

    dash_head(&o, "dieutra — Sơn La: tiến độ và chỉ tiêu");
    dash_banner(&o, v->user, DASH_TAB_PROGRESS);
    if ((rc = dash_progress_section(&o, s, v, err)))
        return rc == DT_ENOMEM ? err_set(err, DT_ENOMEM, "out of memory") : rc;
    indicators_section(&o, v);
    exports_section(&o, v);
    dout_puts(&o, "</main></body></html>\n");
    return o.rc ? err_set(err, DT_ENOMEM, "out of memory") : DT_OK;
}

int dash_signin_page(buf *b, const char *message)
{
    dout o = {b, 0};

    dash_head(&o, "dieutra — đăng nhập / sign in");
    dout_puts(&o, "<header><div><h1>dieutra · Sơn La</h1><p>Bảng tiến độ cho giám sát viên và "
                  "thống kê — the dashboard for supervisors and statisticians</p></div></header>"
                  "<main><section><h2>Đăng nhập — Sign in</h2>\n");
    if (message) {
        dout_puts(&o, "<p class=\"warn\" id=\"message\">");
        dout_esc(&o, message);
        dout_puts(&o, "</p>\n");
    }
    dout_puts(&o, "<form method=\"post\" action=\"/signin\"><p><label for=\"token\">Mã truy cập "
                  "— Token</label><br><input id=\"token\" name=\"token\" type=\"password\" "
                  "size=\"70\" autocomplete=\"off\" required autofocus></p><p><button "
                  "type=\"submit\">Đăng nhập / Sign in</button></p></form><p class=\"note\">Mã do "
                  "quản trị viên cấp (<code>syncd user add</code>), hoặc dùng liên kết đăng nhập "
                  "một lần (<code>syncd user link</code>). — Your token comes from the "
                  "administrator; a one-time sign-in link works too.</p></section></main></body>"
                  "</html>\n");
    return o.rc;
}
