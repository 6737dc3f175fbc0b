/* review_case.c - one case's page for supervisors (review_case.h) */
#include "review_case.h"
#include "dash_int.h"
#include "json.h"
#include "quality.h"
#include "review_answers.h"
#include "review_list.h"

#include <stdio.h>
#include <string.h>

/* The revision rev_id of a shown case, or NULL. */
static const cJSON *revision(const cJSON *kase, const char *rev_id)
{
    const cJSON *r;

    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(kase, "revisions"))
    {
        const char *id = json_str(r, "rev_id");
        if (rev_id && id && !strcmp(id, rev_id))
            return r;
    }
    return NULL;
}

/* Whether revision r of kase is a branch tip: no revision has it as its parent. */
static int is_tip(const cJSON *kase, const cJSON *r)
{
    const cJSON *c;
    const char *id = json_str(r, "rev_id");

    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(kase, "revisions"))
    {
        const char *p = json_str(c, "parent_rev_id");
        if (p && id && !strcmp(p, id))
            return 0;
    }
    return 1;
}

/* The fields every decision's form carries: the session's token, the head and the number of
 * decisions the page showed (a case that moved since is refused), and the decision. */
static void form_open(dout *o, const rc_view *v, const char *decision)
{
    const cJSON *k = v->kase;

    dout_puts(o, "<form method=\"post\" action=\"/cases/");
    dout_esc(o, json_str(k, "case_id"));
    dout_puts(o, "/decide\"><input type=\"hidden\" name=\"csrf\" value=\"");
    dout_esc(o, v->csrf);
    dout_puts(o, "\"><input type=\"hidden\" name=\"head\" value=\"");
    dout_esc(o, json_str(k, "head_rev"));
    dout_printf(o,
                "\"><input type=\"hidden\" name=\"decisions\" value=\"%d\"><input "
                "type=\"hidden\" name=\"decision\" value=\"%s\">",
                cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(k, "decisions")), decision);
}

static void short_id(dout *o, const char *id)
{
    dout_printf(o, "<code title=\"%.36s\">%.8s</code>", id ? id : "", id ? id : "");
}

/* A conflict: its branch tips side by side, and "keep this one" under each. */
static void conflict_section(dout *o, const rc_view *v)
{
    const cJSON *k = v->kase, *r, *tips[2] = {NULL, NULL};
    int n = 0;

    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(k, "revisions"))
    {
        if (is_tip(k, r) && n < 2)
            tips[n++] = r;
    }
    dout_puts(o, "<section id=\"conflict\"><h2>Xung đột: hai bản khác nhau · Conflict: two "
                 "versions</h2><p class=\"note\">Phỏng vấn này được sửa trên hai máy. Chọn bản "
                 "giữ lại; cả hai bản vẫn được lưu. · This interview was changed on two laptops: "
                 "choose the one that stays; both stay stored.</p>\n");
    if (n == 2 && v->f) {
        char left[160], right[160];
        snprintf(left, sizeof(left), "%.8s · máy %.8s · %s", json_str(tips[0], "rev_id"),
                 json_str(tips[0], "device_id") ? json_str(tips[0], "device_id") : "",
                 json_str(tips[0], "created_at") ? json_str(tips[0], "created_at") : "");
        snprintf(right, sizeof(right), "%.8s · máy %.8s · %s", json_str(tips[1], "rev_id"),
                 json_str(tips[1], "device_id") ? json_str(tips[1], "device_id") : "",
                 json_str(tips[1], "created_at") ? json_str(tips[1], "created_at") : "");
        ra_compare(o, v->f, cJSON_GetObjectItemCaseSensitive(tips[0], "answers"),
                   cJSON_GetObjectItemCaseSensitive(tips[1], "answers"), left, right, 1);
    }
    if (v->may_decide) {
        dout_puts(o, "<div class=\"decide\">");
        for (int i = 0; i < n; i++) {
            form_open(o, v, "resolve");
            dout_puts(o, "<input type=\"hidden\" name=\"rev_id\" value=\"");
            dout_esc(o, json_str(tips[i], "rev_id"));
            dout_puts(o, "\"><button type=\"submit\" class=\"keep\">Giữ bản ");
            short_id(o, json_str(tips[i], "rev_id"));
            dout_puts(o, " · Keep this one</button></form>");
        }
        dout_puts(o, "</div>");
    }
    dout_puts(o, "</section>\n");
}

static void decide_section(dout *o, const rc_view *v)
{
    const char *status = json_str(v->kase, "status");

    dout_puts(o, "<section id=\"decide\"><h2>Quyết định · Decision</h2><div class=\"decide\">");
    if (!status || strcmp(status, "approved") != 0) {
        form_open(o, v, "approve");
        dout_puts(o, "<p><label for=\"ac\">Ghi chú (không bắt buộc) · Note (optional)</label><br>"
                     "<textarea id=\"ac\" name=\"comment\" rows=\"2\" maxlength=\"2000\">"
                     "</textarea></p><button type=\"submit\" id=\"approve\">Duyệt · "
                     "Approve</button></form>");
    }
    form_open(o, v, "reject");
    dout_puts(o, "<p><label for=\"rc\">Trả lại cho điều tra viên, với lời nhắn (bắt buộc) · Send "
                 "back to the enumerator, with a comment (required)</label><br><textarea "
                 "id=\"rc\" name=\"comment\" rows=\"2\" maxlength=\"2000\" required></textarea></p>"
                 "<button type=\"submit\" id=\"reject\">Trả lại · Send back</button></form>");
    dout_puts(o, "</div></section>\n");
}

static void flags_section(dout *o, const cJSON *kase)
{
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(kase, "quality"), *f;

    dout_puts(o, "<section id=\"quality\"><h2>Cờ chất lượng · Quality flags</h2>");
    if (!cJSON_GetArraySize(q))
        dout_puts(o, "<p class=\"ok\">Không có cờ nào · No flag</p>");
    dout_puts(o, "<ul>");
    cJSON_ArrayForEach(f, q)
    {
        int k = qual_parse(json_str(f, "flag"));
        dout_printf(o, "<li><span class=\"flag\">%s</span> ", k >= 0 ? qual_label(k, 1) : "?");
        dout_esc(o, json_str(f, "reason_vi"));
        dout_puts(o, " <span class=\"en\">· ");
        dout_esc(o, json_str(f, "reason"));
        dout_puts(o, "</span></li>");
    }
    dout_puts(o, "</ul></section>\n");
}

static void frame_section(dout *o, const cJSON *kase)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(kase, "frame"), *w, *e;

    dout_puts(o, "<section id=\"frame\"><h2>Danh sách mẫu · Sample frame</h2>");
    if (!f) {
        dout_puts(o, "<p class=\"muted\">Phỏng vấn không thuộc danh sách mẫu · not in the sample "
                     "frame</p></section>\n");
        return;
    }
    dout_puts(o, "<table class=\"answers\"><tr><td>Hộ · Household</td><td>");
    dout_esc(o, json_str(f, "label"));
    dout_puts(o, "</td></tr><tr><td>Phân cho · Assigned to</td><td>");
    dout_esc(o, json_str(f, "enumerator"));
    dout_puts(o, "</td></tr><tr><td>Xã · Commune</td><td>");
    dout_esc(o, json_str(f, "commune_code"));
    dout_puts(o, "</td></tr><tr><td>Tầng · Stratum</td><td>");
    dout_esc(o, json_str(f, "stratum"));
    dout_puts(o, "</td></tr><tr><td>Địa bàn · PSU</td><td>");
    dout_esc(o, json_str(f, "psu"));
    w = cJSON_GetObjectItemCaseSensitive(f, "weight");
    dout_puts(o, "</td></tr><tr><td>Quyền số · Weight</td><td>");
    if (cJSON_IsNumber(w))
        dout_printf(o, "%.6g", w->valuedouble);
    dout_puts(o, "</td></tr>");
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(f, "prefill"))
    {
        char *t = cJSON_IsString(e) ? NULL : cJSON_PrintUnformatted(e);
        dout_puts(o, "<tr><td>");
        dout_esc(o, e->string);
        dout_puts(o, "</td><td>");
        dout_esc(o, t ? t : e->valuestring);
        dout_puts(o, "</td></tr>");
        cJSON_free(t);
    }
    dout_puts(o, "</table></section>\n");
}

/* A radio button of the comparison form: revision id, checked when it is chosen. */
static void pick(dout *o, const char *name, const char *id, const char *chosen)
{
    dout_printf(o, "<td><input type=\"radio\" name=\"%s\" value=\"", name);
    dout_esc(o, id);
    dout_printf(o, "\"%s aria-label=\"%s\"></td>",
                chosen && id && !strcmp(chosen, id) ? " checked" : "", name);
}

static void revisions_section(dout *o, const rc_view *v)
{
    const cJSON *k = v->kase, *r, *ra = revision(k, v->a), *rb = revision(k, v->b);
    const char *head = json_str(k, "head_rev");
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(k, "revisions")), i = 0;

    dout_printf(o, "<section id=\"revisions\"><h2>Các phiên bản · Revisions (%d)</h2>", n);
    dout_puts(o, "<form method=\"get\" action=\"/cases/");
    dout_esc(o, json_str(k, "case_id"));
    dout_puts(o, "#compare\"><table class=\"cases\"><tr><th>A</th><th>B</th><th>Phiên bản · "
                 "Revision</th><th>Từ · Parent</th><th>Người sửa · Author</th><th>Máy · "
                 "Device</th><th>Lúc · Made (UTC)</th><th>Nhận · Received</th><th>Kết quả · "
                 "Verdict</th></tr>\n");
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(k, "revisions"))
    {
        const char *id = json_str(r, "rev_id");
        i++;
        dout_puts(o, "<tr>");
        pick(o, "a", id, v->a ? v->a : (i == n - 1 ? id : NULL));
        pick(o, "b", id, v->b ? v->b : (i == n ? id : NULL));
        dout_puts(o, "<td>");
        short_id(o, id);
        if (head && id && !strcmp(head, id))
            dout_puts(o, " <strong>hiện tại · head</strong>");
        dout_puts(o, "</td><td>");
        short_id(o, json_str(r, "parent_rev_id"));
        dout_puts(o, "</td><td>");
        dout_esc(o, json_str(r, "author"));
        dout_puts(o, "</td><td>");
        short_id(o, json_str(r, "device_id"));
        dout_puts(o, "</td><td>");
        dout_esc(o, json_str(r, "created_at"));
        dout_puts(o, "</td><td>");
        dout_esc(o, json_str(r, "received_by"));
        dout_puts(o, " · ");
        dout_esc(o, json_str(r, "received_at"));
        dout_puts(o, "</td><td>");
        dout_esc(o, json_str(r, "verdict"));
        dout_puts(o, "</td></tr>\n");
    }
    dout_puts(o, "</table>");
    if (n > 1)
        dout_puts(o, "<p><button type=\"submit\" id=\"compare-button\">So sánh A với B · Compare A "
                     "with B</button></p>");
    dout_puts(o, "</form>");
    if (ra && rb && v->f) {
        char left[64], right[64];
        snprintf(left, sizeof(left), "A · %.8s", json_str(ra, "rev_id"));
        snprintf(right, sizeof(right), "B · %.8s", json_str(rb, "rev_id"));
        dout_puts(o, "<h3 id=\"compare\">Khác nhau giữa A và B · What changed from A to B</h3>");
        ra_compare(o, v->f, cJSON_GetObjectItemCaseSensitive(ra, "answers"),
                   cJSON_GetObjectItemCaseSensitive(rb, "answers"), left, right, 0);
    }
    dout_puts(o, "</section>\n");
}

static void decisions_section(dout *o, const cJSON *kase)
{
    const cJSON *d, *list = cJSON_GetObjectItemCaseSensitive(kase, "decisions");

    dout_puts(o, "<section id=\"history\"><h2>Quyết định trước đây · Decisions so far</h2>");
    if (!cJSON_GetArraySize(list)) {
        dout_puts(o, "<p class=\"muted\">Chưa có · none yet</p></section>\n");
        return;
    }
    dout_puts(o, "<table class=\"cases\"><tr><th>Lúc · When (UTC)</th><th>Ai · Who</th><th>Quyết "
                 "định · Decision</th><th>Phiên bản · Revision</th><th>Lời nhắn · "
                 "Comment</th></tr>\n");
    cJSON_ArrayForEach(d, list)
    {
        const char *what = json_str(d, "decision");
        dout_puts(o, "<tr><td>");
        dout_esc(o, json_str(d, "at"));
        dout_puts(o, "</td><td>");
        dout_esc(o, json_str(d, "by"));
        dout_printf(o, "</td><td>%s</td><td>",
                    what && !strcmp(what, "approved")   ? "Duyệt · approved"
                    : what && !strcmp(what, "rejected") ? "Trả lại · sent back"
                    : what && !strcmp(what, "distinct") ? "Không trùng · not a duplicate"
                                                        : "Chọn bản · resolved");
        short_id(o, json_str(d, "rev_id"));
        dout_puts(o, "</td><td>");
        dout_esc(o, json_str(d, "comment"));
        dout_puts(o, "</td></tr>\n");
    }
    dout_puts(o, "</table></section>\n");
}

static void twin_section(dout *o, const rc_view *v)
{
    const cJSON *mine = revision(v->kase, json_str(v->kase, "head_rev"));
    const cJSON *theirs = revision(v->twin, json_str(v->twin, "head_rev"));

    dout_puts(o, "<section id=\"duplicate\"><h2>Có thể trùng · Possible duplicate</h2><p "
                 "class=\"note\">Một phỏng vấn khác có cùng mã hộ · another interview has the same "
                 "household key: <a href=\"/cases/");
    dout_esc(o, json_str(v->twin, "case_id"));
    dout_puts(o, "\">");
    dout_esc(o, json_str(v->twin, "case_id"));
    dout_puts(o, "</a> (");
    dout_esc(o, json_str(v->twin, "enumerator"));
    dout_puts(o, "). Nếu trùng thật, trả lại một trong hai · if it is one household twice, send "
                 "one of them back.</p>");
    if (v->may_decide) {
        dout_puts(o, "<div class=\"decide\">");
        form_open(o, v, "distinct");
        dout_puts(o, "<p><label for=\"dc\">Vì sao không trùng (không bắt buộc) · Why they differ "
                     "(optional)</label><br><textarea id=\"dc\" name=\"comment\" rows=\"2\" "
                     "maxlength=\"2000\"></textarea></p><button type=\"submit\" "
                     "id=\"distinct\">Không trùng: hai hộ khác nhau · Not a duplicate</button>"
                     "</form></div>");
    }
    if (mine && theirs && v->f)
        ra_compare(o, v->f, cJSON_GetObjectItemCaseSensitive(mine, "answers"),
                   cJSON_GetObjectItemCaseSensitive(theirs, "answers"), "Phiếu này · This case",
                   "Phiếu kia · The other", 1);
    dout_puts(o, "</section>\n");
}

static void summary(dout *o, const rc_view *v)
{
    const cJSON *k = v->kase;
    const char *status = json_str(k, "status");

    dout_puts(o, "<section><p><a href=\"/cases\">← Danh sách phiếu · All cases</a></p><h2>Hộ · "
                 "Household ");
    dout_esc(o, json_str(k, "household") ? json_str(k, "household") : "—");
    dout_printf(o, " <span class=\"state %s\" id=\"state\">%s · %s</span>", status ? status : "",
                rl_state_label(status, 1), rl_state_label(status, 0));
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(k, "conflict")))
        dout_puts(o, " <span class=\"state conflict\">Xung đột · Conflict</span>");
    dout_puts(o, "</h2><p class=\"note\">Mã phiếu · Case <code>");
    dout_esc(o, json_str(k, "case_id"));
    dout_puts(o, "</code> · điều tra viên · enumerator ");
    dout_esc(o, json_str(k, "enumerator"));
    dout_puts(o, " · xã · commune ");
    dout_esc(o, json_str(k, "commune_code"));
    dout_puts(o, " · cập nhật · updated ");
    dout_esc(o, json_str(k, "updated_at"));
    dout_puts(o, "</p>");
    if (v->message) {
        dout_printf(o, "<p id=\"message\" class=\"%s\">", v->message_ok ? "ok" : "warn");
        dout_esc(o, v->message);
        dout_puts(o, "</p>");
    }
    dout_puts(o, "</section>\n");
}

int rc_page(buf *b, const rc_view *v)
{
    dout o = {b, 0};
    const cJSON *k = v->kase, *head = revision(k, json_str(k, "head_rev"));
    int conflict = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(k, "conflict"));

    dash_head(&o, "dieutra — phiếu · case");
    dash_banner(&o, v->user, DASH_TAB_CASES);
    summary(&o, v);
    if (conflict)
        conflict_section(&o, v);
    else if (v->may_decide)
        decide_section(&o, v);
    flags_section(&o, k);
    if (v->twin)
        twin_section(&o, v);
    dout_puts(&o, "<section id=\"answers\"><h2>Câu trả lời · Answers</h2>");
    if (head && v->f)
        ra_answers(&o, v->f, cJSON_GetObjectItemCaseSensitive(head, "answers"));
    else
        dout_puts(&o, "<p class=\"warn\">Không đọc được bảng hỏi của phiếu này · the form version "
                      "of this case cannot be read</p>");
    dout_puts(&o, "</section>\n<section id=\"paradata\"><h2>Quá trình phỏng vấn · How it was "
                  "taken</h2>");
    if (head && v->f)
        ra_paradata(&o, v->f, cJSON_GetObjectItemCaseSensitive(head, "paradata"),
                    cJSON_GetObjectItemCaseSensitive(head, "answers"));
    dout_puts(&o, "</section>\n");
    frame_section(&o, k);
    revisions_section(&o, v);
    decisions_section(&o, k);
    dout_puts(&o, "</main></body></html>\n");
    return o.rc ? DT_ENOMEM : DT_OK;
}
