/* review_list.c - the supervisors' case list page (review_list.h) */
#include "review_list.h"
#include "dash_int.h"
#include "json.h"
#include "quality.h"
#include "review_query.h"

#include <stdio.h>
#include <string.h>

static const char *const states[][3] = {
    {"finalized", "Chờ duyệt", "Awaiting review"},
    {"approved", "Đã duyệt", "Approved"},
    {"rejected", "Đã trả lại", "Sent back"},
    {"conflict", "Xung đột", "Conflict"},
    {"duplicate", "Có thể trùng", "Possible duplicate"},
};
#define NSTATES (sizeof(states) / sizeof(states[0]))

const char *rl_state_label(const char *status, int vi)
{
    for (size_t i = 0; i < NSTATES; i++)
        if (status && !strcmp(status, states[i][0]))
            return states[i][vi ? 1 : 2];
    return status ? status : "?";
}

/* &key=value, value percent-encoded (RFC 3986's unreserved characters kept). */
static int param(buf *b, const char *key, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;

    if (!value || !*value)
        return 0;
    rc |= buf_printf(b, "%s%s=", b->len ? "&" : "", key);
    for (const unsigned char *p = (const unsigned char *)value; *p && !rc; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            rc |= buf_printf(b, "%c", *p);
        else
            rc |= buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
    return rc ? DT_ENOMEM : 0;
}

/* Appends to b the query string (without "?") of q with its page moved to offset, and its
 * order changed to sort when sort >= 0: each value percent-encoded. 0 or DT_ENOMEM. */
static int query_string(buf *b, const store_case_query *q, int offset, int sort)
{
    char num[32];
    int rc = 0;

    rc |= param(b, "status", q->status);
    rc |= param(b, "commune", q->commune);
    rc |= param(b, "enumerator", q->enumerator);
    rc |= param(b, "village", q->locality);
    rc |= param(b, "from", q->from);
    rc |= param(b, "to", q->to);
    rc |= param(b, "flag", q->flag);
    rc |= param(b, "q", q->search);
    if (sort >= 0) {
        /* the column clicked: its natural order, or the other one when it is the current */
        int asc = (store_sort)sort >= SORT_HOUSEHOLD;
        if ((store_sort)sort == q->sort)
            asc = !q->ascending;
        rc |= param(b, "sort", rq_sort_name((store_sort)sort));
        rc |= param(b, "order", asc ? "asc" : "desc");
    } else {
        rc |= param(b, "sort", rq_sort_name(q->sort));
        rc |= param(b, "order", q->ascending ? "asc" : "desc");
    }
    if (offset > 0) {
        snprintf(num, sizeof(num), "%d", offset);
        rc |= param(b, "offset", num);
    }
    return rc ? DT_ENOMEM : 0;
}

/* An href to /cases with q's filters, at offset, sorted by sort (-1: as now). */
static void href(dout *o, const store_case_query *q, int offset, int sort)
{
    buf b;

    buf_init(&b, 4096);
    if (!o->rc && query_string(&b, q, offset, sort))
        o->rc = DT_ENOMEM;
    dout_puts(o, "/cases");
    if (b.len) {
        dout_puts(o, "?");
        dout_esc(o, b.data);
    }
    buf_free(&b);
}

static void text_filter(dout *o, const char *name, const char *label, const char *value,
                        const char *type)
{
    dout_printf(o, "<label>%s<input name=\"%s\" type=\"%s\" maxlength=\"%d\" value=\"", label, name,
                type, RQ_TEXT_MAX);
    dout_esc(o, value);
    dout_puts(o, "\"></label>");
}

static void filters(dout *o, const store_case_query *q)
{
    dout_puts(o, "<form class=\"filters\" method=\"get\" action=\"/cases\"><label>Trạng thái · "
                 "State<select name=\"status\"><option value=\"\">Tất cả · All</option>");
    for (size_t i = 0; i < NSTATES; i++)
        dout_printf(o, "<option value=\"%s\"%s>%s · %s</option>", states[i][0],
                    q->status && !strcmp(q->status, states[i][0]) ? " selected" : "", states[i][1],
                    states[i][2]);
    dout_puts(o, "</select></label>");
    text_filter(o, "commune", "Mã xã · Commune", q->commune, "text");
    text_filter(o, "village", "Thôn, bản · Village", q->locality, "text");
    text_filter(o, "enumerator", "Điều tra viên · Enumerator", q->enumerator, "text");
    text_filter(o, "from", "Từ ngày · From", q->from, "date");
    text_filter(o, "to", "Đến ngày · To", q->to, "date");
    dout_puts(o, "<label>Cờ chất lượng · Quality flag<select name=\"flag\"><option "
                 "value=\"\">Không lọc · Any</option>");
    for (int k = 0; k < QUAL_COUNT; k++)
        dout_printf(o, "<option value=\"%s\"%s>%s · %s</option>", qual_name((qual_kind)k),
                    q->flag && !strcmp(q->flag, qual_name((qual_kind)k)) ? " selected" : "",
                    qual_label((qual_kind)k, 1), qual_label((qual_kind)k, 0));
    dout_puts(o, "</select></label>");
    text_filter(o, "q", "Tìm hộ, mã phiếu · Household, case", q->search, "search");
    dout_puts(o, "<button type=\"submit\">Lọc · Filter</button><a href=\"/cases\">Bỏ lọc · "
                 "Clear</a></form>\n");
}

/* A column heading that sorts by sort (the current one marked with its direction). */
static void sort_head(dout *o, const store_case_query *q, store_sort sort, const char *label)
{
    dout_puts(o, "<th><a href=\"");
    href(o, q, 0, (int)sort);
    dout_printf(o, "\">%s</a>%s</th>", label, q->sort == sort ? (q->ascending ? " ▲" : " ▼") : "");
}

static void case_row(dout *o, const cJSON *c)
{
    const cJSON *f;
    const char *hh = json_str(c, "household"), *status = json_str(c, "status");
    const char *at = json_str(c, "interviewed_at"), *up = json_str(c, "updated_at");

    dout_puts(o, "<tr><td><a href=\"/cases/");
    dout_esc(o, json_str(c, "case_id"));
    dout_puts(o, "\">");
    dout_esc(o, hh ? hh : json_str(c, "case_id"));
    dout_puts(o, "</a></td><td>");
    dout_esc(o, json_str(c, "commune_code"));
    dout_puts(o, "</td><td>");
    dout_esc(o, json_str(c, "locality"));
    dout_puts(o, "</td><td>");
    dout_esc(o, json_str(c, "enumerator"));
    dout_printf(o, "</td><td>%.10s %.5s</td><td>%.10s %.5s</td><td>", at ? at : "",
                at && strlen(at) > 11 ? at + 11 : "", up ? up : "",
                up && strlen(up) > 11 ? up + 11 : "");
    dout_printf(o, "<span class=\"state %s\">%s</span>", status ? status : "",
                rl_state_label(status, 1));
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "conflict")))
        dout_puts(o, " <span class=\"state conflict\">Xung đột · Conflict</span>");
    dout_puts(o, "</td><td>");
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(c, "flags"))
    {
        int k = cJSON_IsString(f) ? qual_parse(f->valuestring) : -1;
        if (k >= 0)
            dout_printf(o, "<span class=\"flag\" title=\"%s\">%s</span>", qual_label(k, 0),
                        qual_label(k, 1));
    }
    dout_puts(o, "</td></tr>\n");
}

static void pager(dout *o, const rl_view *v)
{
    const store_case_query *q = v->q;
    long shown = cJSON_GetArraySize(v->cases);

    dout_puts(o, "<p class=\"pager\">");
    if (!shown)
        dout_puts(o, "<span id=\"count\">Không có phiếu nào · no cases</span>");
    else
        dout_printf(o, "<span id=\"count\">%d–%ld / %ld phiếu · cases</span>", q->offset + 1,
                    q->offset + shown, v->total);
    if (q->offset > 0) {
        dout_puts(o, "<a rel=\"prev\" href=\"");
        href(o, q, q->offset > q->limit ? q->offset - q->limit : 0, -1);
        dout_puts(o, "\">← Trang trước · Previous</a>");
    }
    if (q->offset + shown < v->total) {
        dout_puts(o, "<a rel=\"next\" href=\"");
        href(o, q, q->offset + q->limit, -1);
        dout_puts(o, "\">Trang sau · Next →</a>");
    }
    dout_puts(o, "</p>\n");
}

int rl_page(buf *b, const rl_view *v)
{
    dout o = {b, 0};
    const cJSON *c;

    dash_head(&o, "dieutra — phiếu phỏng vấn · cases");
    dash_banner(&o, v->user, DASH_TAB_CASES);
    dout_puts(&o, "<section><h2>Phiếu phỏng vấn · Cases</h2>\n");
    if (v->user->role == ROLE_SUPERVISOR) {
        dout_puts(&o, "<p class=\"note\">Các xã của bạn · Your communes: ");
        dout_esc(&o, v->user->communes);
        dout_puts(&o, "</p>\n");
    }
    filters(&o, v->q);
    pager(&o, v);
    dout_puts(&o, "<table class=\"cases\"><tr>");
    sort_head(&o, v->q, SORT_HOUSEHOLD, "Hộ · Household");
    sort_head(&o, v->q, SORT_COMMUNE, "Xã · Commune");
    dout_puts(&o, "<th>Thôn · Village</th>");
    sort_head(&o, v->q, SORT_ENUMERATOR, "Điều tra viên · Enumerator");
    sort_head(&o, v->q, SORT_INTERVIEWED, "Phỏng vấn · Interviewed (UTC)");
    sort_head(&o, v->q, SORT_UPDATED, "Cập nhật · Updated (UTC)");
    dout_puts(&o, "<th>Trạng thái · State</th><th>Cờ · Flags</th></tr>\n");
    cJSON_ArrayForEach(c, v->cases)
    {
        case_row(&o, c);
    }
    dout_puts(&o, "</table>\n");
    pager(&o, v);
    dout_puts(&o, "</section></main></body></html>\n");
    return o.rc ? DT_ENOMEM : DT_OK;
}
