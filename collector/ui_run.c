/* ui_run.c - one run of the terminal interview on an interview session (isess.c): lines read,
 * commands, what the enumerator is told */
#include "cmdline.h"
#include "ui_int.h"
#include "qtype.h"
#include "cli.h"
#include "cmd.h"
#include "utf8.h"
#include "uuid.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_SIGNAL 130 /* after Ctrl-C or a request to stop */

static int command(ui *u, char *cmd);

static void go(ui *u, eng_pos to)
{
    is_go(u->s, to);
}

/* Commits the answers, paradata, position and label. Prints the store's error. */
static int save(ui *u)
{
    dt_err err;
    int rc = is_save(u->s, &err);

    if (rc)
        cli_error(&err);
    return rc;
}

/* After a failed save: says what was lost and how to go on. */
static int trouble(const ui *u)
{
    ui_warn(u, T_NOT_SAVED);
    ui_say_resume_hint(u->lang, u->s->c.case_id);
    return A_TROUBLE;
}

/* After a list: a number goes to that screen, Enter to dflt (if any), a command runs. */
static int pick(ui *u, int prompt, const eng_pos *dflt)
{
    eng_pos *s;
    char *line, *end;
    int r, n;
    long k;

    ui_out(u, prompt);
    fputs("> ", stdout);
    r = ui_read_line(u);
    if (r == R_SIGNAL || r == R_EOF)
        return r == R_SIGNAL ? A_SIGNAL : A_QUIT;
    line = ui_trim(u->line);
    if (r != R_LINE || !*line) {
        if (r == R_LINE && dflt)
            go(u, *dflt);
        return A_SHOW;
    }
    if (*line == ':' || *line == '<')
        return command(u, line);
    k = strtol(line, &end, 10);
    if (*end || (n = ui_screens(u, &s)) < 0)
        return A_SHOW;
    if (k >= 1 && k <= n)
        go(u, s[k - 1]);
    free(s);
    return A_SHOW;
}

static int review(ui *u)
{
    eng_pos first;
    int has;

    putchar('\n');
    if (ui_print_list(u, 0, &first, &has) < 0)
        return ui_nomem();
    return pick(u, T_REVIEW_PICK, NULL);
}

static int finalize(ui *u)
{
    char rev[UUID_LEN + 1];
    int refusal = eng_is_refusal(u->s->iv);
    dt_err err;

    if (is_finalize(u->s, rev, &err)) {
        cli_error(&err);
        ui_warn(u, T_FINALIZE_FAILED);
        ui_say_resume_hint(u->lang, u->s->c.case_id);
        return A_TROUBLE;
    }
    putchar('\n');
    ui_out(u, T_FINISHED, rev);
    if (refusal)
        ui_out(u, T_FINISHED_REFUSAL);
    return A_DONE;
}

static int finish(ui *u)
{
    eng_pos first;
    int has, n, yn;

    putchar('\n');
    n = ui_print_list(u, 1, &first, &has);
    if (n < 0)
        return ui_nomem();
    if (n > 0) {
        ui_warn(u, T_PROBLEMS, n);
        return pick(u, T_PROBLEMS_PICK, has ? &first : NULL);
    }
    ui_summary(u, ui_count_answered(u, 0));
    if (eng_is_refusal(u->s->iv))
        ui_warn(u, T_REFUSAL);
    putchar('\n');
    yn = ui_ask_yes_no(u, T_ASK_FINISH);
    if (yn < 0)
        return -yn;
    if (yn)
        return finalize(u);
    ui_out(u, T_NOT_FINISHED);
    return A_SHOW;
}

/* Commits, then shows the next screen, or the end of the interview. */
static int advance(ui *u)
{
    eng_pos nx;

    if (!is_next(u->s, &nx))
        return save(u) ? trouble(u) : finish(u);
    go(u, nx);
    return save(u) ? trouble(u) : A_SHOW;
}

static void type_error(const ui *u, const form_question *q)
{
    char msg[256];

    ui_warn_text(u, ui_type_error(u->lang, q, msg, sizeof(msg)));
}

/* Sets the answer from text ("" clears it); checks it unless clearing; asks first when it
 * would hide answered questions (they would not be saved). Returns 1 when it stays, 0
 * when not, or -A_... */
static int set_answer(ui *u, const char *text, int check)
{
    char msg[512];
    int hidden, yn;

    switch (is_answer(u->s, text, check, 0, msg, sizeof(msg), &hidden)) {
    case IS_KEPT:
        return 1;
    case IS_BAD_TYPE:
        type_error(u, ui_cur_q(u));
        return 0;
    case IS_REFUSED:
        ui_warn_text(u, msg);
        return 0;
    case IS_WOULD_HIDE:
        ui_warn(u, T_HIDES, hidden);
        yn = ui_ask_yes_no(u, T_HIDES_ASK);
        if (yn != 1)
            return yn;
        if (is_answer(u->s, text, check, 1, msg, sizeof(msg), &hidden) == IS_KEPT)
            return 1;
        return -ui_nomem();
    default:
        return -ui_nomem();
    }
}

static int answer(ui *u, const char *text)
{
    int keep = set_answer(u, text, 1);

    if (keep < 0)
        return -keep;
    return keep ? advance(u) : A_ASK;
}

/* Enter: keeps the answer if it passes its checks. */
static int keep_going(ui *u)
{
    char msg[512];

    if (!is_check_current(u->s, msg, sizeof(msg))) {
        ui_warn_text(u, msg);
        return A_ASK;
    }
    return advance(u);
}

/* The "add another?" screen of an open-ended repeat. */
static int another(ui *u, const char *line)
{
    int yn = ui_yes_no(line), k;

    if (yn < 0) {
        ui_warn(u, T_E_YESNO);
        return A_ASK;
    }
    if (!yn)
        return advance(u);
    k = eng_add_instance_in(u->s->iv, u->s->cur.q, ENG_ADD_PARENT(u->s->cur.inst));
    if (k == DT_ENOMEM)
        return ui_nomem();
    if (k < 0) {
        ui_warn(u, T_E_LIMIT);
        return A_ASK;
    }
    return advance(u);
}

static int back(ui *u)
{
    if (!is_back(u->s)) {
        ui_warn(u, T_E_AT_START);
        return A_ASK;
    }
    return A_SHOW;
}

static int jump(ui *u, const char *arg)
{
    switch (is_jump(u->s, arg)) {
    case IS_JUMPED:
        return A_SHOW;
    case IS_SKIPPED:
        ui_warn(u, T_E_SKIPPED, arg);
        return A_ASK;
    case IS_NO_QUESTION:
        ui_warn(u, T_E_NO_QUESTION, arg);
        return A_ASK;
    default:
        return ui_nomem();
    }
}

static int clear(ui *u)
{
    qt_input t = qtype_input(ui_cur_q(u));
    int keep;

    if (t == QI_NOTE || t == QI_REPEAT || !eng_get(u->s->iv, u->s->cur)->has) {
        ui_warn(u, T_E_NOTHING);
        return A_ASK;
    }
    keep = set_answer(u, "", 0);
    if (keep < 0)
        return -keep;
    if (!keep)
        return A_SHOW;
    if (save(u))
        return trouble(u);
    ui_warn(u, T_CLEARED);
    return A_SHOW;
}

static int command(ui *u, char *cmd)
{
    char *arg = cmd + strcspn(cmd, " ");

    if (*arg)
        *arg++ = '\0';
    arg = ui_trim(arg);
    for (char *p = cmd; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (!strcmp(cmd, ":b") || !strcmp(cmd, "<"))
        return back(u);
    if (!strcmp(cmd, ":j") && *arg)
        return jump(u, arg);
    if (!strcmp(cmd, ":r"))
        return review(u);
    if (!strcmp(cmd, ":x"))
        return clear(u);
    if (!strcmp(cmd, ":q"))
        return A_QUIT;
    if (!strcmp(cmd, ":f"))
        return save(u) ? trouble(u) : finish(u);
    if (!strcmp(cmd, ":h") || !strcmp(cmd, ":?")) {
        putchar('\n');
        puts(ui_tr(u->lang, T_HELP)); /* a table: not wrapped */
        return A_ASK;
    }
    ui_warn(u, T_E_COMMAND, cmd);
    return A_ASK;
}

static int handle_line(ui *u, char *raw)
{
    char *line = ui_trim(raw);

    if (!utf8_valid(line, strlen(line), NULL)) {
        ui_warn(u, T_E_UTF8);
        return A_ASK;
    }
    if (*line == ':' || !strcmp(line, "<"))
        return command(u, line);
    if (ui_cur_q(u)->type == Q_REPEAT)
        return another(u, line);
    if (!*line || qtype_input(ui_cur_q(u)) == QI_NOTE)
        return keep_going(u);
    return answer(u, line);
}

/* Saves and says how to go on, after :q, Ctrl-D or a signal. */
static int leave(ui *u, int sig)
{
    putchar('\n');
    if (sig)
        ui_warn(u, T_STOPPED);
    if (save(u))
        return sig ? EXIT_SIGNAL : (trouble(u), EXIT_TROUBLE);
    ui_out(u, T_SAVED);
    ui_say_resume_hint(u->lang, u->s->c.case_id);
    return sig ? EXIT_SIGNAL : EXIT_OK;
}

static int loop(ui *u, int act)
{
    for (;;) {
        switch (act) {
        case A_SHOW:
            ui_show_screen(u);
            break;
        case A_ASK:
            fputs("> ", stdout);
            break;
        case A_QUIT:
            return leave(u, 0);
        case A_SIGNAL:
            return leave(u, 1);
        case A_DONE:
            return EXIT_OK;
        default:
            return EXIT_TROUBLE;
        }
        switch (ui_read_line(u)) {
        case R_SIGNAL:
            act = A_SIGNAL;
            break;
        case R_EOF:
            act = A_QUIT;
            break;
        case R_LONG:
            ui_warn(u, T_E_LONG);
            act = A_ASK;
            break;
        default:
            act = handle_line(u, u->line);
        }
    }
}

/* Opens the session; prints why not and returns an exit status. */
static int open_session(ui *u, cstore *cs, const char *case_id, ui_start how)
{
    static const is_start starts[] = {
        [UI_START_NEW] = IS_NEW, [UI_START_RESUME] = IS_RESUME, [UI_START_EDIT] = IS_EDIT};
    errlist problems = {0};
    is_failure why;
    dt_err err;
    int rc = is_open(&u->s, cs, case_id, ui_lang_code(u->lang), starts[how], &why, &problems, &err);

    switch (rc ? why.why : IS_FAIL_NONE) {
    case IS_FAIL_NONE:
        break;
    case IS_FAIL_NOT_FOUND:
        ui_warn(u, T_NOT_FOUND, case_id);
        rc = DT_EINVAL;
        break;
    case IS_FAIL_NOT_DRAFT:
        ui_warn(u, T_NOT_DRAFT,
                ui_tr(u->lang, !strcmp(why.status, "rejected")   ? T_ST_REJECTED
                               : !strcmp(why.status, "approved") ? T_ST_APPROVED
                                                                 : T_ST_FINALIZED),
                case_id);
        rc = DT_EINVAL;
        break;
    case IS_FAIL_NO_FORM:
        cli_error(&err);
        ui_warn(u, T_NO_FORM, why.form_id, why.form_version);
        break;
    case IS_FAIL_BAD_ANSWERS:
        cmdline_problems(stderr, case_id, &problems);
        ui_warn(u, T_BAD_ANSWERS);
        rc = DT_ERR;
        break;
    case IS_FAIL_LOCKED:
        cli_error(&err);
        ui_warn(u, T_LOCKED);
        break;
    default:
        cli_error(&err);
    }
    errlist_free(&problems);
    return rc ? cmdline_exit_status(rc) : EXIT_OK;
}

static void print_start(ui *u, ui_start how)
{
    const cJSON *sessions = cJSON_GetObjectItemCaseSensitive(u->s->para, "sessions");
    int n = cJSON_IsNumber(sessions) ? (int)sessions->valuedouble : 1;

    putchar('\n');
    ui_wrap(u, form_title(u->s->f, u->s->flang), 0);
    ui_out(u, T_CASE_ID, u->s->c.case_id);
    if (how == UI_START_RESUME)
        ui_out(u, T_RESUMED, n);
    if (how == UI_START_EDIT)
        ui_out(u, T_EDITING, n);
    if (u->s->c.comment && *u->s->c.comment)
        ui_warn(u, T_COMMENT, u->s->c.comment);
    ui_out(u, T_START_HELP);
}

int ui_run_interview(cstore *cs, const char *case_id, int lang, ui_start how)
{
    ui u;
    term_saved t;
    int status, act = A_SHOW;

    memset(&u, 0, sizeof(u));
    u.lang = lang == UI_EN ? UI_EN : UI_VI;
    u.width = ui_term_width();
    u.line = malloc(LINE_BYTES);
    if (!u.line) {
        ui_nomem();
        return EXIT_TROUBLE;
    }
    status = open_session(&u, cs, case_id, how);
    if (status != EXIT_OK)
        goto cleanup;
    ui_term_setup(&t);
    print_start(&u, how);
    if (how == UI_START_EDIT)
        act = review(&u);
    status = loop(&u, act);
    ui_term_restore(&t);
cleanup:
    is_close(u.s);
    free(u.line);
    return status;
}
