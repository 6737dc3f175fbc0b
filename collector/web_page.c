/* web_page.c - the interview's page: the screen being answered drawn from the session, and
 * the answer posted back through the same session functions as the terminal's (the engine
 * decides; every accepted answer is committed before the page is drawn again) */
#include "web_int.h"
#include "html.h"
#include "ui.h"
#include "qtype.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct text_pair {
    const char *vi, *en;
} text_pair;

static const text_pair texts[W_COUNT] = {
    [W_HOME] = {"Công việc của tôi", "My work"},
    [W_NEED_SECRET] = {"Hãy mở địa chỉ mà lệnh collector serve đã in ra.",
                       "Open the address that collector serve printed."},
    [W_SEARCH] = {"Tên hoặc số hộ", "Household name or number"},
    [W_SEARCH_GO] = {"Tìm", "Search"},
    [W_TO_VISIT] = {"Hộ cần đến", "Households to visit"},
    [W_DRAFTS] = {"Đang phỏng vấn dở", "Drafts to resume"},
    [W_REJECTED] = {"Giám sát viên trả lại", "Sent back by the supervisor"},
    [W_FINISHED] = {"Đã hoàn thành", "Finished"},
    [W_APPROVED] = {"Đã duyệt", "Approved"},
    [W_NONE] = {"Không có.", "None."},
    [W_START] = {"Bắt đầu", "Start"},
    [W_SYNC] = {"Đồng bộ với máy chủ", "Sync with the server"},
    [W_SYNC_OK] = {"Đã đồng bộ xong.", "Synced."},
    [W_SYNC_REFUSED] = {"Máy chủ từ chối một số phỏng vấn: xem bên dưới, sửa rồi đồng bộ lại.",
                        "The server refused some interviews: see below, correct them, sync again."},
    [W_SYNC_STAYS] = {"Chưa đồng bộ được: mọi thứ vẫn ở trên máy này, hãy đồng bộ lại sau.",
                      "Not synced: everything stays on this laptop; sync again later."},
    [W_NEW] = {"Phỏng vấn mới (hộ ngoài danh sách)", "New interview (a household not listed)"},
    [W_WAITING] = {"chờ đồng bộ", "waiting to sync"},
    [W_SENT] = {"đã gửi", "sent"},
    [W_NEXT] = {"Tiếp", "Next"},
    [W_BACK] = {"Quay lại", "Back"},
    [W_JUMP] = {"Đến câu", "Go to"},
    [W_FINISH] = {"Kết thúc", "Finish"},
    [W_LEAVE] = {"Về trang chính (đã lưu)", "Home (saved)"},
    [W_SCREEN] = {"Màn hình %d/%d", "Screen %d of %d"},
    [W_ADD_ANOTHER] = {"Thêm một nữa?", "Add another?"},
    [W_YES] = {"Có", "Yes"},
    [W_ALL_QUESTIONS] = {"Tất cả các câu (✓ đã trả lời, * bắt buộc chưa trả lời, ! có lỗi)",
                         "All questions (✓ answered, * required and empty, ! a problem)"},
    [W_NO] = {"Không", "No"},
    [W_FINISHED_OK] = {"Đã hoàn thành phỏng vấn.", "The interview is finished."},
    [W_PROBLEMS] = {"Còn %d lỗi cần sửa trước khi kết thúc.",
                    "%d problems to correct before finishing."},
    [W_HIDES] = {"Câu trả lời này làm ẩn %d câu đã trả lời (sẽ không được lưu). Bấm Tiếp lần "
                 "nữa để giữ.",
                 "This answer hides %d answered questions (they would not be kept). Press Next "
                 "again to keep it."},
    [W_AT_START] = {"Đây là câu đầu tiên.", "This is the first question."},
    [W_NO_QUESTION] = {"Không có câu này.", "There is no such question."},
    [W_SKIPPED] = {"Câu này hiện bị bỏ qua.", "That question is skipped now."},
    [W_MOVED] = {"Phỏng vấn này vừa được thay đổi ở một thẻ khác. Đây là câu hiện tại; điều vừa "
                 "nhập ở thẻ này chưa được lưu.",
                 "This interview was changed in another tab. Here is where it is now; what you "
                 "just entered in this tab was not saved."},
    [W_EDIT] = {"Sửa", "Edit"},
    [W_MEMBERS] = {"Thành viên", "Members"},
    [W_ADD_MEMBER] = {"Thêm thành viên", "Add a member"},
    [W_ADD_TO] = {"Thêm: ", "Add: "},
    [W_REMOVE] = {"Xoá", "Remove"},
    [W_REMOVE_SURE] = {"Xoá thành viên %d (%s) cùng mọi câu trả lời của người này? Bấm Xoá lần "
                       "nữa để xác nhận.",
                       "Remove member %d (%s) with every answer of theirs? Press Remove again to "
                       "confirm."},
    [W_REMOVE_SURE_IN] = {"Xoá %s số %d (%s) cùng mọi câu trả lời trong đó? Bấm Xoá lần nữa để xác "
                          "nhận.",
                          "Remove %s number %d (%s) with every answer in it? Press Remove again to "
                          "confirm."},
    [W_UP] = {"Chuyển lên", "Move up"},
    [W_DOWN] = {"Chuyển xuống", "Move down"},
    [W_PROBLEMS_LIST] = {"Các lỗi cần sửa (bấm để đến câu đó):",
                         "What to correct (press one to go there):"},
    [W_NO_LINK] = {"Không làm được việc này ở đây.", "That cannot be done here."},
    [W_UNLOCK] = {"Mã PIN", "PIN"},
    [W_UNLOCK_WHY] = {"Các phỏng vấn trên máy này được mã hóa. Nhập mã PIN của bạn một lần cho "
                      "buổi làm việc này.",
                      "The interviews on this laptop are encrypted. Enter your PIN once for this "
                      "session."},
    [W_UNLOCK_GO] = {"Mở khóa", "Unlock"},
    [W_UNLOCK_WRONG] = {"Sai mã PIN. Hãy thử lại.", "Wrong PIN. Try again."},
    [W_MORE] = {"… và %d nữa: tìm theo tên hoặc số hộ để thấy.",
                "… and %d more: search by name or number to see them."},
    [W_SYNCING] = {"Đang đồng bộ… (có thể mất vài phút nếu mạng chậm)",
                   "Syncing… (this can take a few minutes on a slow network)"},
};

const char *web_tr(const web_app *a, int id)
{
    return a->lang == UI_EN ? texts[id].en : texts[id].vi;
}

void web_puts(page *p, const char *s)
{
    if (!p->failed && buf_append(&p->b, s, strlen(s)))
        p->failed = 1;
}

void web_esc(page *p, const char *text)
{
    if (!p->failed && html_put(&p->b, text))
        p->failed = 1;
}

void web_num(page *p, long long n)
{
    char num[32];

    snprintf(num, sizeof(num), "%lld", n);
    web_puts(p, num);
}

const char *web_label(const isess *s, const form_question *q)
{
    return q->label && q->label[s->flang] ? q->label[s->flang] : q->name;
}

void web_say(web_open *o, const web_app *a, int id)
{
    snprintf(o->msg, sizeof(o->msg), "%s", web_tr(a, id));
}

void web_put_step(page *p, const web_open *o)
{
    web_puts(p, "<input type=\"hidden\" name=\"s\" value=\"");
    web_num(p, o->step);
    web_puts(p, "\">");
}

void web_begin(page *b, const web_app *a, const char *path, const char *title, int heading)
{
    buf_init(&b->b, 8u << 20);
    b->failed = 0;
    web_puts(b, a->lang == UI_EN ? "<!DOCTYPE html>\n<html lang=\"en\">"
                                 : "<!DOCTYPE html>\n<html lang=\"vi\">");
    web_puts(b, "<head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                "content=\"width=device-width\"><title>");
    web_esc(b, title);
    web_puts(b, "</title><link rel=\"stylesheet\" href=\"");
    web_puts(b, a->style_href);
    web_puts(b, "\"><script defer src=\"");
    web_puts(b, a->script_href);
    web_puts(b, "\"></script></head><body><div class=\"top\"><a href=\"/\">");
    web_puts(b, web_tr(a, W_HOME));
    web_puts(b, "</a><span class=\"title\">");
    web_esc(b, title);
    web_puts(b, "</span><form method=\"post\" action=\"/lang\" class=\"lang\"><input "
                "type=\"hidden\" name=\"to\" value=\"");
    web_esc(b, path);
    web_puts(b, a->lang == UI_EN ? "\"><button name=\"l\" value=\"vi\">Tiếng Việt</button>"
                                 : "\"><button name=\"l\" value=\"en\">English</button>");
    web_puts(b, "</form></div><main id=\"m\">");
    if (heading) {
        web_puts(b, "<h1>");
        web_esc(b, title);
        web_puts(b, "</h1>\n");
    }
}

int web_end(http_req *r, page *b)
{
    web_puts(b, "</main></body></html>\n");
    if (b->failed) {
        buf_free(&b->b);
        return http_reply_error(r, 503, "out of memory: try again later");
    }
    return http_reply_html(r, 200, buf_detach(&b->b));
}

/* ---- drawing the screen */

/* The answer's field holding text (the stored answer, or one waiting to be confirmed). */
static void put_input(page *b, const form_question *q, const char *type, const char *extra,
                      const char *text)
{
    web_puts(b, "<p><input name=\"v\" id=\"v\" autofocus type=\"");
    web_puts(b, type);
    web_puts(b, "\" ");
    web_puts(b, extra);
    web_puts(b, " value=\"");
    web_esc(b, text);
    web_puts(b, "\" aria-label=\"");
    web_esc(b, q->name);
    web_puts(b, "\"></p>\n");
}

/* A code among text's ("1 3" of a select_multiple, "2" of a select_one). */
static int has_code(const char *text, long long code)
{
    const char *p = text;
    char *end;

    while (*p) {
        long long c = strtoll(p, &end, 10);
        if (end == p)
            break;
        if (c == code)
            return 1;
        p = end;
    }
    return 0;
}

static void put_choices(page *b, isess *s, const form_question *q, const char *text)
{
    const char *type = qtype_of(q->type)->input == QI_ONE ? "radio" : "checkbox";

    for (int i = 0; i < q->list->nchoices; i++) {
        const form_choice *c = &q->list->choices[i];
        if (!eng_choice_allowed(s->iv, s->cur, c->code))
            continue;
        web_puts(b, "<label class=\"c\"><input name=\"v\" type=\"");
        web_puts(b, type);
        web_puts(b, "\" value=\"");
        web_num(b, c->code);
        web_puts(b, "\"");
        if (has_code(text, c->code))
            web_puts(b, " checked");
        web_puts(b, "> ");
        web_num(b, c->code);
        web_puts(b, ". ");
        web_esc(b, c->label[s->flang]);
        web_puts(b, "</label>\n");
    }
}

/* A submit button that posts op=op. */
static void put_button(page *b, const web_app *a, const char *op, int text)
{
    web_puts(b, "<button name=\"op\" value=\"");
    web_puts(b, op);
    web_puts(b, "\">");
    web_puts(b, web_tr(a, text));
    web_puts(b, "</button>");
}

static void put_answer(page *b, const web_app *a, web_open *o, const form_question *q)
{
    const val *v = eng_get(o->s->iv, o->s->cur);
    const char *text = o->confirm ? o->pending : v->has ? v->str : "";

    char extra[160];

    switch (qtype_input(q)) {
    case QI_NOTE:
        if (q->read_only && v->has) { /* its value, as the note it reads as */
            web_puts(b, "<p class=\"value\">");
            web_esc(b, v->str);
            web_puts(b, "</p>\n");
        }
        break;
    case QI_NONE:
    case QI_NKINDS:
        break;
    case QI_REPEAT:
        web_puts(b, "<p>");
        web_puts(b, web_tr(a, W_ADD_ANOTHER));
        web_puts(b, "</p><p>");
        put_button(b, a, "add", W_YES);
        put_button(b, a, "noadd", W_NO);
        web_puts(b, "</p>\n");
        break;
    case QI_ONE:
    case QI_MULTI:
        web_puts(b, "<div class=\"choices\">");
        put_choices(b, o->s, q, text);
        web_puts(b, "</div>\n");
        break;
    case QI_ACK:
        web_puts(b, "<div class=\"choices\"><label class=\"c\"><input name=\"v\" "
                    "type=\"checkbox\" value=\"OK\"");
        web_puts(b, *text ? " checked" : "");
        web_puts(b, "> OK</label></div>\n");
        break;
    case QI_INTEGER:
        put_input(b, q, "text", "inputmode=\"numeric\" pattern=\"-?[0-9]*\"", text);
        break;
    case QI_DECIMAL:
        put_input(b, q, "text", "inputmode=\"decimal\" pattern=\"-?[0-9]*[.,]?[0-9]*\"", text);
        break;
    case QI_RANGE:
        /* The bounds said in the page's language: a number field's own check would speak the
         * browser's, and keep the collector from saying what is wrong. */
        put_input(b, q, "text", "inputmode=\"decimal\"", text);
        web_puts(b, "<p class=\"hint\">");
        web_esc(b, ui_type_guide(a->lang, q, extra, sizeof(extra)));
        web_puts(b, "</p>\n");
        break;
    case QI_DATE:
        put_input(b, q, "date", "", text);
        break;
    case QI_TIME:
        put_input(b, q, "time", "step=\"1\"", text);
        break;
    case QI_DATETIME:
        put_input(b, q, "datetime-local", "step=\"1\"", text);
        break;
    case QI_TEXT:
    case QI_GEO:
        put_input(b, q, "text", "", text);
        break;
    }
}

/* Every problem left, each a jump to its question: what finishing was refused for. */
static void put_problems(page *b, const web_app *a, isess *s, const errlist *issues)
{
    if (issues->n == 0)
        return;
    web_puts(b, "<div class=\"msg\" role=\"alert\"><p>");
    web_puts(b, web_tr(a, W_PROBLEMS_LIST));
    web_puts(b, "</p><ul class=\"panel\">\n");
    for (size_t i = 0; i < issues->n; i++) {
        const char *where = issues->items[i].where, *name = strrchr(where, '/');
        int q = form_find(s->f, name ? name + 1 : where);
        web_puts(b, "<li class=\"bad\"><button form=\"nav\" name=\"j\" value=\"");
        web_esc(b, where);
        web_puts(b, "\">");
        web_esc(b, where);
        if (q >= 0) {
            web_puts(b, " — ");
            web_esc(b, web_label(s, form_q(s->f, q)));
        }
        web_puts(b, "</button><div class=\"why\">");
        web_esc(b, issues->items[i].msg);
        web_puts(b, "</div></li>\n");
    }
    web_puts(b, "</ul></div>\n");
}

/* Where the screen is: "Screen 4 of 31 · members[1]/m_sex". */
static void put_where(page *b, const web_app *a, isess *s, const web_view *v)
{
    char line[128], where[IS_PLACE_MAX];
    int n = v->nscreens, k = -1;

    for (int i = 0; i < n; i++)
        if (eng_pos_same(v->screens[i], s->cur))
            k = i;
    snprintf(line, sizeof(line), web_tr(a, W_SCREEN), k + 1, n);
    eng_pos_name(s->iv, s->cur, where, sizeof(where));
    web_puts(b, "<div class=\"where\"><progress max=\"");
    web_num(b, n);
    web_puts(b, "\" value=\"");
    web_num(b, k + 1);
    web_puts(b, "\"></progress><p class=\"hint\">");
    web_puts(b, line);
    web_puts(b, " · ");
    web_esc(b, where);
    web_puts(b, "</p></div>\n");
}

static void put_screen(page *b, web_app *a, web_open *o, const web_view *v)
{
    isess *s = o->s;
    const form_question *q = form_q(s->f, s->cur.q);

    put_where(b, a, s, v);
    if (o->msg[0]) {
        web_puts(b, "<p class=\"msg\" role=\"alert\">");
        web_esc(b, o->msg);
        web_puts(b, "</p>\n");
    }
    if (o->show_problems)
        put_problems(b, a, s, &v->issues);
    web_puts(b, "<form method=\"post\" data-live action=\"/i/");
    web_esc(b, s->c.case_id);
    web_puts(b, "\">");
    web_put_step(b, o);
    web_puts(b, "<h2><label for=\"v\">");
    web_esc(b, web_label(s, q));
    web_puts(b, "</label></h2>\n");
    if (q->hint && q->hint[s->flang] && *q->hint[s->flang]) {
        web_puts(b, "<p class=\"hint\">");
        web_esc(b, q->hint[s->flang]);
        web_puts(b, "</p>\n");
    }
    put_answer(b, a, o, q);
    if (o->confirm)
        web_puts(b, "<input type=\"hidden\" name=\"hide\" value=\"1\">");
    /* Next first: Enter in a field presses it */
    web_puts(b, "<p class=\"go\">");
    put_button(b, a, "next", W_NEXT);
    put_button(b, a, "back", W_BACK);
    put_button(b, a, "finish", W_FINISH);
    web_puts(b, "<span class=\"jump\"><input name=\"j\" size=\"16\" accesskey=\"j\" aria-label=\"");
    web_puts(b, web_tr(a, W_JUMP));
    web_puts(b, "\" placeholder=\"/ m_age, 12\">");
    put_button(b, a, "jump", W_JUMP);
    web_puts(b, "</span></p></form>\n");
}

/* Every screen with its state (answered, a problem, the current one), each a button that
 * jumps there: folded, so that a long interview stays readable. */
static void put_panel(page *b, web_open *o, const web_app *a, const web_view *v)
{
    const isess *s = o->s;
    const eng_pos *sc = v->screens;
    char where[IS_PLACE_MAX];

    web_puts(b, "<form id=\"nav\" method=\"post\" data-live action=\"/i/");
    web_esc(b, s->c.case_id);
    web_puts(b, "\"><input type=\"hidden\" name=\"op\" value=\"jump\">");
    web_put_step(b, o);
    web_puts(b, "</form>\n<details><summary>");
    web_puts(b, web_tr(a, W_ALL_QUESTIONS));
    web_puts(b, "</summary><ol class=\"panel\">\n");
    for (int i = 0; i < v->nscreens; i++) {
        const form_question *q = form_q(s->f, sc[i].q);
        const err_item *it;
        int cur = eng_pos_same(sc[i], s->cur), has;
        eng_pos_name(s->iv, sc[i], where, sizeof(where));
        it = errlist_find(&v->issues, where);
        has = eng_get(s->iv, sc[i])->has;
        /* a required question not answered yet is work to do, not a mistake */
        web_puts(b, it && has ? "<li class=\"bad\">"
                    : it      ? "<li class=\"todo\">"
                    : has     ? "<li class=\"done\">"
                              : "<li>");
        web_puts(b, "<button form=\"nav\" name=\"j\" value=\"");
        web_num(b, i + 1);
        web_puts(b, cur ? "\" aria-current=\"step\">" : "\">");
        web_esc(b, where);
        web_puts(b, " — ");
        web_esc(b, web_label(s, q));
        web_puts(b, "</button>");
        if (it && has) {
            web_puts(b, "<div class=\"why\">");
            web_esc(b, it->msg);
            web_puts(b, "</div>");
        }
        web_puts(b, "</li>\n");
    }
    web_puts(b, "</ol></details>\n");
}

/* The interview's page as it is now; what it said is said once. The screens and the
 * problems are read from the engine once for the whole page. */
static int draw(http_req *r, web_app *a, web_open *o)
{
    char path[UUID_LEN + 4];
    web_view v = {0};
    page b;

    if ((v.nscreens = is_screens(o->s, &v.screens)) < 0 || eng_validate(o->s->iv, &v.issues) < 0) {
        free(v.screens);
        errlist_free(&v.issues);
        return http_reply_error(r, 503, "out of memory: try again later");
    }
    snprintf(path, sizeof(path), "/i/%s", o->s->c.case_id);
    web_begin(&b, a, path, form_title(o->s->f, o->s->flang), 0);
    put_screen(&b, a, o, &v);
    web_put_roster(&b, a, o, &v.issues);
    put_panel(&b, o, a, &v);
    o->msg[0] = '\0';
    free(v.screens);
    errlist_free(&v.issues);
    return web_end(r, &b);
}

static int case_page(http_req *r)
{
    web_app *a = http_app(r);
    web_open *o;
    dt_err err;

    if (!(o = web_session(a, http_param(r, 0), IS_RESUME, &err)))
        return http_reply_dt(r, err.code, &err);
    return draw(r, a, o);
}

/* ---- an answer posted */

/* The posted answer as the terminal would read it typed: the boxes ticked of a list
 * joined by spaces. */
static void posted_text(http_req *r, char *out, size_t size)
{
    const char *v;
    size_t n = 0;

    out[0] = '\0';
    for (int i = 0; (v = http_form_nth(r, "v", i)) && n + 1 < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%s", i ? " " : "", v);
}

/* Moves past the current screen: the next, or the end (stays, finish shows what is left). */
static void advance(web_open *o)
{
    eng_pos nx;

    if (is_next(o->s, &nx))
        is_go(o->s, nx);
}

static void next(http_req *r, web_app *a, web_open *o)
{
    const form_question *q = form_q(o->s->f, o->s->cur.q);
    const char *hide = http_form(r, "hide");
    char text[FORM_TEXT_MAX + 1];
    int hidden, asked = o->confirm;

    o->confirm = 0;
    posted_text(r, text, sizeof(text));
    if (qtype_input(q) == QI_NOTE || !*text) {
        if (is_check_current(o->s, o->msg, sizeof(o->msg)))
            advance(o);
        return;
    }
    switch (is_answer(o->s, text, 1, hide && asked, o->msg, sizeof(o->msg), &hidden)) {
    case IS_KEPT:
        advance(o);
        break;
    case IS_BAD_TYPE:
        ui_type_error(a->lang, q, o->msg, sizeof(o->msg));
        break;
    case IS_WOULD_HIDE:
        snprintf(o->msg, sizeof(o->msg), web_tr(a, W_HIDES), hidden);
        snprintf(o->pending, sizeof(o->pending), "%s", text);
        o->confirm = 1;
        break;
    case IS_REFUSED:
        break;
    default:
        snprintf(o->msg, sizeof(o->msg), "out of memory");
    }
}

/* Finishes when valid: 1 when finished (the session is closed), else 0 with the message
 * and the list of what is left. */
static int finish(web_app *a, web_open *o)
{
    char rev[UUID_LEN + 1];
    dt_err err;
    int n = is_problems(o->s);

    if (n != 0) {
        snprintf(o->msg, sizeof(o->msg), web_tr(a, W_PROBLEMS), n < 0 ? 0 : n);
        o->show_problems = n > 0;
        return 0;
    }
    if (is_finalize(o->s, rev, &err)) {
        snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
        return 0;
    }
    is_close(o->s);
    o->s = NULL;
    return 1;
}

/* 1 when the post gives the current question an answer other than the one it holds. */
static int posted_changes(http_req *r, const web_open *o)
{
    const form_question *q = form_q(o->s->f, o->s->cur.q);
    const val *v = eng_get(o->s->iv, o->s->cur);
    char text[FORM_TEXT_MAX + 1];

    if (!qtype_answerable(q->type))
        return 0;
    posted_text(r, text, sizeof(text));
    return *text && !(v->has && !strcmp(v->str, text));
}

/* The post was drawn at the step the interview is at (see web_open.step). */
static int current(http_req *r, const web_open *o)
{
    const char *st = http_form(r, "s");
    char *end;
    unsigned long n;

    if (!st)
        return 0;
    n = strtoul(st, &end, 10);
    return end != st && !*end && n == o->step;
}

/* op = next (or none), back, jump (j), add, noadd, finish, or a roster's button. */
static void act(http_req *r, web_app *a, web_open *o, const char *op)
{
    const char *j = http_form(r, "j");

    if (web_roster_post(r, a, o))
        return;
    o->confirm_rm = 0;
    if (!op && j)
        op = "jump";
    if (!op || !strcmp(op, "next")) {
        next(r, a, o);
        return;
    }
    o->confirm = 0;
    if (!strcmp(op, "back")) {
        if (!is_back(o->s))
            web_say(o, a, W_AT_START);
    } else if (!strcmp(op, "jump")) {
        int rc = is_jump(o->s, j ? j : "");
        if (rc != IS_JUMPED)
            web_say(o, a, rc == IS_SKIPPED ? W_SKIPPED : W_NO_QUESTION);
    } else if (!strcmp(op, "add") || !strcmp(op, "noadd")) {
        if (!strcmp(op, "add") &&
            eng_add_instance_in(o->s->iv, o->s->cur.q, ENG_ADD_PARENT(o->s->cur.inst)) < 0)
            web_say(o, a, W_NO_QUESTION);
        else
            advance(o);
    }
}

static int answer(http_req *r)
{
    web_app *a = http_app(r);
    const char *op = http_form(r, "op");
    char where[UUID_LEN + 4];
    web_open *o;
    dt_err err;

    if (!(o = web_session(a, http_param(r, 0), IS_RESUME, &err)))
        return http_reply_dt(r, err.code, &err);
    o->msg[0] = '\0';
    o->show_problems = 0;
    if (!current(r, o)) {
        /* another tab moved it: this page's post would land on another question. Nothing
         * changes, the step neither: the tab that is current stays so. */
        web_say(o, a, W_MOVED);
    } else {
        o->step = ++a->steps;
        if (op && !strcmp(op, "finish")) {
            o->confirm = o->confirm_rm = 0;
            /* What is in the field goes in first, as Next would take it: a box ticked or a
             * number typed on the last screen is not lost by finishing from there. */
            if (posted_changes(r, o))
                next(r, a, o);
            if (!o->msg[0] && finish(a, o))
                return http_reply_redirect(r, "/", NULL);
        } else {
            act(r, a, o, op);
        }
    }
    /* the answer is committed before the page says anything of it */
    if (is_save(o->s, &err))
        return http_reply_dt(r, err.code, &err);
    if (http_header(r, "X-Dieutra-Live"))
        return draw(r, a, o); /* the script puts it in the page: no second request */
    snprintf(where, sizeof(where), "/i/%s", o->s->c.case_id);
    return http_reply_redirect(r, where, NULL);
}

/* GET /app.js and /app.css: the page's script and style, the same for the life of the
 * binary. */
static int script(http_req *r)
{
    return http_reply_asset(r, "text/javascript; charset=utf-8", web_script);
}

static int style(http_req *r)
{
    return http_reply_asset(r, "text/css; charset=utf-8", web_style);
}

const http_route web_route_script = {
    .method = "GET", .pattern = "/app.js", .handler = script, .auth = HTTP_AUTH_NONE};
const http_route web_route_style = {
    .method = "GET", .pattern = "/app.css", .handler = style, .auth = HTTP_AUTH_NONE};
const http_route web_route_case = {.method = "GET",
                                   .pattern = "/i/{uuid}",
                                   .roles = HTTP_ROLE(0),
                                   .handler = case_page,
                                   .auth = HTTP_AUTH_SESSION,
                                   .html = 1};
const http_route web_route_answer = {.method = "POST",
                                     .pattern = "/i/{uuid}",
                                     .roles = HTTP_ROLE(0),
                                     .body = HTTP_BODY_FORM,
                                     .handler = answer,
                                     .auth = HTTP_AUTH_SESSION,
                                     .html = 1};
