/* ui.c - the terminal interview's texts (Vietnamese, English) and its terminal input and output */
#include "ui_int.h"
#include "qtype.h"
#include "utf8.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

typedef struct text_pair {
    const char *vi;
    const char *en;
} text_pair;

static const text_pair texts[T_COUNT] = {
    [UI_MSG_NO_ENUMERATOR] = {"Máy này chưa có tên điều tra viên. Hãy chạy trước:\n"
                              "  collector setup --enumerator \"HỌ VÀ TÊN\"",
                              "No enumerator is set on this laptop. First run:\n"
                              "  collector setup --enumerator \"FULL NAME\""},
    [UI_MSG_PREFILL_BAD] =
        {"Một số thông tin có sẵn của hộ được giao không hợp lệ và đã bị bỏ qua:",
         "Some prefilled answers of the assignment are not valid and were left out:"},
    [UI_MSG_BAD_CASE_ID] = {"\"%s\" không phải là mã phỏng vấn. Xem danh sách: collector list",
                            "\"%s\" is not an interview id. See the list: collector list"},
    [UI_MSG_CREATE_FAILED] = {"Chưa tạo được phỏng vấn mới (lỗi ở trên).",
                              "The new interview could not be created (error above)."},
    [T_CASE_ID] = {"Mã phỏng vấn: %s", "Interview: %s"},
    [T_RESUMED] = {"Tiếp tục phỏng vấn (lần làm việc thứ %d).",
                   "Resuming the interview (session %d)."},
    [T_EDITING] = {"Sửa phỏng vấn (lần làm việc thứ %d). Khi xong, gõ :f để hoàn thành lại.",
                   "Editing the interview (session %d). When done, type :f to finish it again."},
    [T_COMMENT] = {"Nhận xét của giám sát viên: %s", "Supervisor's comment: %s"},
    [T_START_HELP] = {"Mỗi câu trả lời được lưu ngay. Gõ :h để xem các lệnh.",
                      "Every answer is saved at once. Type :h for the commands."},
    [T_MEMBER] = {"%s %d/%d", "%s %d of %d"},
    [T_CURRENT] = {"Trả lời hiện tại: ", "Current answer: "},
    [T_G_INTEGER] = {"Nhập một số nguyên.", "Type a whole number."},
    [T_G_DECIMAL] = {"Nhập một số (ví dụ 2,5).", "Type a number (e.g. 2.5)."},
    [T_G_TEXT] = {"Gõ câu trả lời.", "Type the answer."},
    [T_G_ONE] = {"Nhập số của một lựa chọn.", "Type the number of one choice."},
    [T_G_MULTI] = {"Nhập một hoặc nhiều số, cách nhau bằng dấu cách.",
                   "Type one or several numbers separated by spaces."},
    [T_G_DATE] = {"Nhập ngày dạng NN/TT/NNNN (ví dụ 25/03/2024) hoặc NNNN-TT-NN.",
                  "Type a date as YYYY-MM-DD (e.g. 2024-03-25) or DD/MM/YYYY."},
    [T_G_GEO] = {"Nhập vĩ độ và kinh độ, cách nhau bằng dấu cách (ví dụ 21.33 103.91).",
                 "Type latitude and longitude separated by a space (e.g. 21.33 103.91)."},
    [T_G_NOTE] = {"Nhấn Enter để tiếp tục.", "Press Enter to continue."},
    [T_G_TIME] = {"Nhập giờ dạng GG:PP, 24 giờ (ví dụ 14:30).",
                  "Type a time as HH:MM, 24-hour (e.g. 14:30)."},
    [T_G_DATETIME] = {"Nhập ngày và giờ dạng NN/TT/NNNN GG:PP (ví dụ 25/03/2025 14:30).",
                      "Type a date and time as DD/MM/YYYY HH:MM (e.g. 25/03/2025 14:30)."},
    [T_G_RANGE] = {"Nhập một số từ %g đến %g (bước %g).",
                   "Type a number from %g to %g (in steps of %g)."},
    [T_G_ACK] = {"Gõ ok để xác nhận.", "Type ok to confirm."},
    [T_KEYS] = {"(Enter: sang câu tiếp · :b quay lại · :h trợ giúp)",
                "(Enter: next · :b back · :h help)"},
    [T_ANOTHER] = {"%s: đã ghi %d.", "%s: %d recorded."},
    [T_ANOTHER_ASK] = {"Thêm một nữa? (c = có, k = không)", "Add another? (y = yes, n = no)"},
    [T_E_INTEGER] = {"Cần nhập một số nguyên, ví dụ 3.", "Enter a whole number, e.g. 3."},
    [T_E_DECIMAL] = {"Cần nhập một số, ví dụ 2,5.", "Enter a number, e.g. 2.5."},
    [T_E_TEXT] = {"Câu trả lời này không ghi được (quá dài).",
                  "This answer cannot be recorded (too long)."},
    [T_E_ONE] = {"Cần nhập số của một lựa chọn có trong danh sách.",
                 "Enter the number of a choice in the list."},
    [T_E_MULTI] = {"Cần nhập các số có trong danh sách, cách nhau bằng dấu cách, mỗi số một lần.",
                   "Enter numbers from the list, separated by spaces, each once."},
    [T_E_DATE] = {"Ngày không đúng. Nhập dạng NN/TT/NNNN, ví dụ 25/03/2024.",
                  "Not a date. Enter YYYY-MM-DD or DD/MM/YYYY, e.g. 2024-03-25."},
    [T_E_GEO] = {"Cần nhập vĩ độ (-90 đến 90) và kinh độ (-180 đến 180), cách nhau bằng dấu cách.",
                 "Enter latitude (-90 to 90) and longitude (-180 to 180), separated by a space."},
    [T_E_TIME] = {"Giờ không đúng. Nhập dạng GG:PP, ví dụ 14:30.",
                  "Not a time. Enter HH:MM, e.g. 14:30."},
    [T_E_DATETIME] = {"Ngày giờ không đúng. Nhập dạng NN/TT/NNNN GG:PP, ví dụ 25/03/2025 14:30.",
                      "Not a date and time. Enter DD/MM/YYYY HH:MM, e.g. 25/03/2025 14:30."},
    [T_E_RANGE] = {"Cần nhập một số từ %g đến %g, bước %g.",
                   "Enter a number from %g to %g, in steps of %g."},
    [T_E_ACK] = {"Gõ ok để xác nhận.", "Type ok to confirm."},
    [T_E_UTF8] = {"Không đọc được chữ vừa gõ (bảng mã không phải UTF-8). Hãy gõ lại.",
                  "The text typed is not UTF-8 and cannot be read. Please type it again."},
    [T_E_LONG] = {"Dòng vừa gõ quá dài nên chưa được ghi. Hãy gõ lại.",
                  "The line typed is too long and was not recorded. Please type it again."},
    [T_E_COMMAND] = {"Không hiểu lệnh \"%s\". Gõ :h để xem các lệnh.",
                     "Unknown command \"%s\". Type :h for the commands."},
    [T_E_AT_START] = {"Đây là câu đầu tiên.", "This is the first question."},
    [T_E_NO_QUESTION] = {"Không có câu \"%s\". Gõ :r để xem danh sách các câu.",
                         "There is no question \"%s\". Type :r for the list of questions."},
    [T_E_SKIPPED] = {"Câu \"%s\" hiện không được hỏi (bị bỏ qua do các câu trả lời trước).",
                     "Question \"%s\" is not asked now (skipped because of earlier answers)."},
    [T_E_NOTHING] = {"Câu này không có câu trả lời để xóa.", "There is no answer to clear here."},
    [T_E_LIMIT] = {"Không thể thêm nữa.", "No more can be added."},
    [T_E_YESNO] = {"Hãy gõ c (có) hoặc k (không).", "Type y (yes) or n (no)."},
    [T_CLEARED] = {"Đã xóa câu trả lời.", "The answer was cleared."},
    [T_HIDES] = {"Thay đổi này làm %d câu đã trả lời không còn được hỏi nữa; "
                 "các câu trả lời đó sẽ bị bỏ khi lưu.",
                 "This change means %d answered questions are no longer asked; "
                 "their answers will be dropped when saved."},
    [T_HIDES_ASK] = {"Vẫn thay đổi? (c = có, k = không)", "Change it anyway? (y = yes, n = no)"},
    [T_SAVED] = {"Đã lưu. Để tiếp tục phỏng vấn này sau, gõ:",
                 "Saved. To continue this interview later, type:"},
    [T_STOPPED] = {"Đã dừng. Mọi câu trả lời đã nhấn Enter đều đã được lưu.",
                   "Stopped. Every answer confirmed with Enter has been saved."},
    [T_NOT_SAVED] = {"Câu trả lời cuối cùng CHƯA được lưu (lỗi ở trên). Các câu trước đó đã được "
                     "lưu.\nHãy khắc phục lỗi (ví dụ giải phóng ổ đĩa), rồi tiếp tục bằng lệnh:",
                     "The last answer was NOT saved (error above). The answers before it are "
                     "saved.\nFix the problem (e.g. free disk space), then continue with:"},
    [T_NOT_FOUND] = {"Không có phỏng vấn %s trên máy này. Xem danh sách: collector list",
                     "There is no interview %s on this laptop. See the list: collector list"},
    [T_NOT_DRAFT] = {"Phỏng vấn này không còn là bản nháp (trạng thái: %s). Để sửa, gõ:\n"
                     "  collector edit %s",
                     "This interview is no longer a draft (status: %s). To change it, type:\n"
                     "  collector edit %s"},
    [T_NO_FORM] = {"Máy này không có mẫu phiếu %s phiên bản %d mà phỏng vấn này đã dùng.\n"
                   "Hãy cài lại mẫu phiếu đó (collector form install TỆP) rồi thử lại.",
                   "Form %s version %d, which this interview was taken on, is not installed.\n"
                   "Install it again (collector form install FILE) and try again."},
    [T_LOCKED] = {"Phỏng vấn này đang mở ở một cửa sổ khác. Hãy đóng cửa sổ đó trước.",
                  "This interview is open in another window. Close that window first."},
    [T_BAD_ANSWERS] = {"Các câu trả lời đã lưu của phỏng vấn này không đọc được; chưa thay đổi gì. "
                       "Hãy báo giám sát viên.",
                       "The saved answers of this interview cannot be read; nothing was changed. "
                       "Tell your supervisor."},
    [T_REVIEW] = {"Xem lại: %d câu, %d câu còn thiếu hoặc có lỗi (dấu !)",
                  "Review: %d questions, %d missing or with a problem (marked !)"},
    [T_REVIEW_PICK] = {"Gõ số của câu muốn đến, hoặc Enter để trở lại câu đang hỏi.",
                       "Type the number of a question to go there, or Enter to go back."},
    [T_NO_ANSWER] = {"(chưa trả lời)", "(no answer)"},
    [T_NOTE] = {"(ghi chú)", "(note)"},
    [T_ADD_ROW] = {"thêm nữa? (đã ghi %d)", "add another? (%d recorded)"},
    [T_PROBLEMS] = {"Chưa thể hoàn thành: còn %d vấn đề.", "The interview cannot be finished yet: "
                                                           "%d problem(s)."},
    [T_PROBLEMS_PICK] = {"Nhấn Enter để đến câu đầu tiên có vấn đề, gõ số của câu khác, "
                         "hoặc k để ở lại câu này.",
                         "Press Enter to go to the first problem, type another number, "
                         "or n to stay here."},
    [T_SUMMARY] = {"Tóm tắt:", "Summary:"},
    [T_SUM_ANSWERED] = {"  Số câu đã trả lời: %d", "  Questions answered: %d"},
    [T_REFUSAL] = {"Hộ TỪ CHỐI tham gia: phỏng vấn sẽ được ghi nhận là TỪ CHỐI.",
                   "The household REFUSED: the interview will be recorded as a REFUSAL."},
    [T_ASK_FINISH] = {"Hoàn thành phỏng vấn? (c = có, k = không)",
                      "Finish the interview? (y = yes, n = no)"},
    [T_FINISHED] = {"Đã hoàn thành và lưu phỏng vấn.\n  Mã phiên bản: %s\n"
                    "Phỏng vấn đang chờ đồng bộ lên trung tâm.",
                    "The interview is finished and saved.\n  Revision: %s\n"
                    "It is waiting to be synced to the centre."},
    [T_FINISHED_REFUSAL] = {"Đã ghi nhận: hộ từ chối.", "Recorded as a refusal."},
    [T_NOT_FINISHED] = {"Chưa hoàn thành; phỏng vấn vẫn được lưu dưới dạng bản nháp.",
                        "Not finished; the interview stays saved as a draft."},
    [T_FINALIZE_FAILED] = {"Chưa ghi được việc hoàn thành (lỗi ở trên). Các câu trả lời vẫn được "
                           "lưu dưới dạng bản nháp. Tiếp tục sau bằng lệnh:",
                           "Finishing could not be recorded (error above). The answers stay "
                           "saved as a draft. Continue later with:"},
    [T_ST_FINALIZED] = {"đã hoàn thành", "finalized"},
    [T_ST_REJECTED] = {"bị trả lại", "sent back"},
    [T_ST_APPROVED] = {"đã được duyệt", "approved"},
    [T_HELP] = {"Các lệnh:\n"
                "  Enter      giữ câu trả lời hiện tại, sang câu tiếp\n"
                "  :b  hoặc < quay lại câu trước\n"
                "  :j SỐ      đến câu số SỐ trong danh sách xem lại (ví dụ :j 12)\n"
                "  :j TÊN     đến câu có tên TÊN (ví dụ :j m_age hoặc :j m_age[2])\n"
                "  :r         xem lại tất cả các câu và câu trả lời\n"
                "  :x         xóa câu trả lời của câu này\n"
                "  :f         kết thúc phỏng vấn\n"
                "  :q         lưu và thoát (tiếp tục sau)\n"
                "  :h         trợ giúp này\n"
                "  Ctrl-D     lưu và thoát",
                "Commands:\n"
                "  Enter      keep the current answer and go to the next question\n"
                "  :b  or <   back to the previous question\n"
                "  :j NUMBER  go to question NUMBER of the review list (e.g. :j 12)\n"
                "  :j NAME    go to question NAME (e.g. :j m_age or :j m_age[2])\n"
                "  :r         review every question and answer\n"
                "  :x         clear the answer of this question\n"
                "  :f         finish the interview\n"
                "  :q         save and quit (continue later)\n"
                "  :h         this help\n"
                "  Ctrl-D     save and quit"},
};

static volatile sig_atomic_t got_signal;

static const int caught[3] = {SIGINT, SIGTERM, SIGHUP};

int ui_lang_parse(const char *code)
{
    if (!code || !strcmp(code, "vi"))
        return UI_VI;
    if (!strcmp(code, "en"))
        return UI_EN;
    return -1;
}

const char *ui_lang_code(int lang)
{
    return lang == UI_EN ? "en" : "vi";
}

/* What each way of asking says: how to type the answer, and what to type instead of a wrong
 * one. A kind without its own texts says what the text one says. */
static const int kind_texts[QI_NKINDS][2] = {
    [QI_INTEGER] = {T_G_INTEGER, T_E_INTEGER},
    [QI_DECIMAL] = {T_G_DECIMAL, T_E_DECIMAL},
    [QI_TEXT] = {T_G_TEXT, T_E_TEXT},
    [QI_ONE] = {T_G_ONE, T_E_ONE},
    [QI_MULTI] = {T_G_MULTI, T_E_MULTI},
    [QI_DATE] = {T_G_DATE, T_E_DATE},
    [QI_TIME] = {T_G_TIME, T_E_TIME},
    [QI_DATETIME] = {T_G_DATETIME, T_E_DATETIME},
    [QI_GEO] = {T_G_GEO, T_E_GEO},
    [QI_RANGE] = {T_G_RANGE, T_E_RANGE},
    [QI_NOTE] = {T_G_NOTE, T_E_TEXT},
    [QI_ACK] = {T_G_ACK, T_E_ACK},
};

/* Text `which` (0 the guide, 1 the error) of q's kind, its range's bounds filled in. */
static const char *kind_text(int lang, const form_question *q, int which, char *out, size_t size)
{
    int id = kind_texts[qtype_input(q)][which];

    snprintf(out, size, ui_tr(lang, id ? id : kind_texts[QI_TEXT][which]), q->range[0], q->range[1],
             q->range[2]);
    return out;
}

const char *ui_type_guide(int lang, const form_question *q, char *out, size_t size)
{
    return kind_text(lang, q, 0, out, size);
}

const char *ui_type_error(int lang, const form_question *q, char *out, size_t size)
{
    return kind_text(lang, q, 1, out, size);
}

const char *ui_tr(int lang, int id)
{
    return lang == UI_EN ? texts[id].en : texts[id].vi;
}

static void vsay(int lang, const char *prefix, int id, va_list ap)
{
    fputs(prefix, stdout);
    vprintf(ui_tr(lang, id), ap);
    putchar('\n');
}

void ui_say(int lang, ui_msg id, ...)
{
    va_list ap;

    va_start(ap, id);
    vsay(lang, "! ", (int)id, ap);
    va_end(ap);
}

void ui_say_resume_hint(int lang, const char *case_id)
{
    (void)lang;
    printf("  collector interview --resume %s\n", case_id);
}

void ui_warn(const ui *u, int id, ...)
{
    char msg[2048];
    va_list ap;

    va_start(ap, id);
    vsnprintf(msg, sizeof(msg), ui_tr(u->lang, id), ap);
    va_end(ap);
    ui_warn_text(u, msg);
}

void ui_warn_text(const ui *u, const char *msg)
{
    fputs("! ", stdout);
    ui_wrap(u, msg, 2);
}

void ui_out(const ui *u, int id, ...)
{
    char msg[2048];
    va_list ap;

    va_start(ap, id);
    vsnprintf(msg, sizeof(msg), ui_tr(u->lang, id), ap);
    va_end(ap);
    ui_wrap(u, msg, 0);
}

int ui_nomem(void)
{
    fprintf(stderr, "collector: out of memory\n");
    return A_TROUBLE;
}

static void on_signal(int sig)
{
    got_signal = sig;
}

int ui_read_line(ui *u)
{
    size_t len;

    fflush(stdout);
    for (;;) {
        if (got_signal)
            return R_SIGNAL;
        if (fgets(u->line, LINE_BYTES, stdin))
            break;
        if (got_signal) {
            clearerr(stdin);
            return R_SIGNAL;
        }
        if (!ferror(stdin))
            return R_EOF;
        clearerr(stdin); /* interrupted by a signal we do not stop for: read again */
    }
    len = strlen(u->line);
    if (len && u->line[len - 1] == '\n') {
        u->line[--len] = '\0';
    } else if (!feof(stdin)) {
        int ch;
        while ((ch = getchar()) != EOF && ch != '\n')
            ;
        return R_LONG;
    }
    if (len && u->line[len - 1] == '\r')
        u->line[--len] = '\0';
    return R_LINE;
}

char *ui_trim(char *s)
{
    size_t n;

    while (isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* 1 for yes, 0 for no, -1 for anything else. Both languages' words are accepted. */
int ui_yes_no(const char *s)
{
    static const char *const yes[] = {"c", "C", "có", "Có", "co", "y", "Y", "yes", "1"};
    static const char *const no[] = {"k", "K", "không", "Không", "khong", "n", "N", "no", "2"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!strcmp(s, yes[i]))
            return 1;
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (!strcmp(s, no[i]))
            return 0;
    return -1;
}

/* Asks question id until yes or no. Returns 1, 0, or A_QUIT / A_SIGNAL negated. */
int ui_ask_yes_no(ui *u, int id)
{
    for (;;) {
        int r, yn;
        ui_out(u, id);
        fputs("> ", stdout);
        r = ui_read_line(u);
        if (r == R_SIGNAL)
            return -A_SIGNAL;
        if (r == R_EOF)
            return -A_QUIT;
        if (r == R_LINE && (yn = ui_yes_no(ui_trim(u->line))) >= 0)
            return yn;
        ui_warn(u, T_E_YESNO);
    }
}

int ui_term_width(void)
{
    struct winsize ws;
    int w = 80;

    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        w = ws.ws_col;
    /* Short lines read best: at most 78 columns, even on a wide terminal. */
    w -= 2;
    return w < 38 ? 38 : w > 78 ? 78 : w;
}

/* Prints text wrapped at the screen width. The caller has printed indent columns on
 * the first line; the next lines start with indent spaces. Ends the line. */
void ui_wrap(const ui *u, const char *text, int indent)
{
    int col = indent, first = 1; /* first: no word yet on this line of the text */

    for (const char *p = text; *p;) {
        if (*p == '\n') {
            printf("\n%*s", indent, "");
            col = indent;
            first = 1;
            p++;
            continue;
        }
        if (*p == ' ') {
            if (first) { /* spaces that begin a line of the text indent it */
                putchar(' ');
                col++;
            }
            p++;
            continue;
        }
        size_t len = strcspn(p, " \n");
        int w = (int)utf8_length(p, len);
        if (!first && col + 1 + w > u->width) {
            printf("\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            putchar(' ');
            col++;
        }
        fwrite(p, 1, len, stdout);
        col += w;
        first = 0;
        p += len;
    }
    putchar('\n');
}

/* Appends s on one line, cut to at most cols characters ("…" marks a cut). */
void ui_put_cut(buf *b, const char *s, int cols)
{
    int n = (int)utf8_length(s, strlen(s));
    int keep = n <= cols ? n : cols - 1;

    for (const char *p = s; *p && keep > 0; keep--) {
        size_t k = 1;
        while ((p[k] & 0xC0) == 0x80)
            k++;
        buf_append(b, *p == '\n' ? " " : p, *p == '\n' ? 1 : k);
        p += k;
    }
    if (n > cols)
        buf_puts(b, "…");
}

void ui_rule(const ui *u)
{
    putchar('\n');
    for (int i = 0; i < u->width; i++)
        fputs("─", stdout);
    putchar('\n');
}

/* Catches the signals that stop an interview without SA_RESTART, so that a blocked read
 * returns and the run can say how to resume; lets the terminal erase whole UTF-8
 * characters on backspace. */
void ui_term_setup(term_saved *t)
{
    struct sigaction sa;
    struct termios tio;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    got_signal = 0;
    for (int i = 0; i < 3; i++)
        sigaction(caught[i], &sa, &t->old[i]);
    t->tio_set = 0;
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &t->tio) == 0 &&
        !(t->tio.c_iflag & IUTF8)) {
        tio = t->tio;
        tio.c_iflag |= IUTF8;
        t->tio_set = tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0;
    }
}

void ui_term_restore(term_saved *t)
{
    if (t->tio_set)
        tcsetattr(STDIN_FILENO, TCSANOW, &t->tio);
    for (int i = 0; i < 3; i++)
        sigaction(caught[i], &t->old[i], NULL);
    fflush(stdout);
}
