/* ui_run.c - one run of the terminal interview: answers, commands, saving, finishing */
#include "cmdline.h"
#include "ui_int.h"
#include "cli.h"
#include "cmd.h"
#include "display.h"
#include "paradata.h"
#include "utf8.h"
#include "uuid.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXIT_SIGNAL 130 /* after Ctrl-C or a request to stop */

static int command(ui *u, char *cmd);

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Adds the time since the last count to the screen shown. */
static void count_time(ui *u)
{
    char where[PLACE_MAX];
    double t = now_s();

    if (u->cur.q >= 0) {
        eng_pos_name(u->iv, u->cur, where, sizeof(where));
        paradata_add_time(u->para, where, t - u->shown_at);
    }
    u->shown_at = t;
}

static void go(ui *u, eng_pos to)
{
    count_time(u);
    u->cur = to;
}

/* A label for lists: the assignment's, else the household key's answers. */
static char *case_label(ui *u)
{
    buf b;

    if (u->c.assignment_id && u->c.label && *u->c.label)
        return strdup(u->c.label);
    buf_init(&b, 4096);
    eng_household_label(&b, u->iv, u->flang);
    return buf_detach(&b);
}

/* The answers, paradata and label as text, to be stored (each freed with free()).
 * Returns 0, or DT_ENOMEM with err set and nothing to free. */
static int snapshot(ui *u, char **answers, char **para, char **label, dt_err *err)
{
    cJSON *a = eng_to_json(u->iv);

    *answers = a ? cJSON_PrintUnformatted(a) : NULL;
    *para = paradata_text(u->para);
    *label = case_label(u);
    cJSON_Delete(a);
    if (*answers && *para && *label)
        return DT_OK;
    free(*answers);
    free(*para);
    free(*label);
    *answers = *para = *label = NULL;
    return err_set(err, DT_ENOMEM, "out of memory");
}

/* Commits the answers, paradata, position and label. Prints the store's error. */
static int save(ui *u)
{
    char where[PLACE_MAX] = "", *answers, *para, *label;
    dt_err err;
    int rc;

    count_time(u);
    if (u->cur.q >= 0)
        eng_pos_name(u->iv, u->cur, where, sizeof(where));
    rc = snapshot(u, &answers, &para, &label, &err);
    if (rc == DT_OK)
        rc = cstore_case_save(u->cs, u->c.case_id, answers, para, where, label, &err);
    if (rc)
        cli_error(&err);
    free(answers);
    free(para);
    free(label);
    return rc;
}

/* After a failed save: says what was lost and how to go on. */
static int trouble(const ui *u)
{
    ui_warn(u, T_NOT_SAVED);
    ui_say_resume_hint(u->lang, u->c.case_id);
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
    char rev[UUID_LEN + 1] = "", *answers, *para, *label;
    int refusal = eng_is_refusal(u->iv), rc;
    dt_err err;

    count_time(u);
    paradata_end(u->para);
    rc = snapshot(u, &answers, &para, &label, &err);
    if (rc == DT_OK)
        rc = cstore_case_finalize(u->cs, u->c.case_id, answers, para,
                                  refusal ? "refusal" : "complete", label, rev, &err);
    free(answers);
    free(para);
    free(label);
    /* "Finished" only when it is, and said whenever it is: the report is the file's truth. */
    if (rc && cstore_recheck_finalized(u->cs, u->c.case_id, rev) == 1)
        rc = DT_OK;
    if (rc) {
        cli_error(&err);
        ui_warn(u, T_FINALIZE_FAILED);
        ui_say_resume_hint(u->lang, u->c.case_id);
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
    if (eng_is_refusal(u->iv))
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

    if (!eng_next(u->iv, u->cur, &nx))
        return save(u) ? trouble(u) : finish(u);
    go(u, nx);
    return save(u) ? trouble(u) : A_SHOW;
}

/* When a change makes answered questions disappear (they would not be saved), asks
 * first. Returns 1 to keep the change, 0 to undo it, or -A_QUIT / -A_SIGNAL. */
static int confirm_hiding(ui *u, int before)
{
    int after = ui_count_answered(u, 1);

    if (after < 0 || after >= before)
        return 1;
    ui_warn(u, T_HIDES, before - after);
    return ui_ask_yes_no(u, T_HIDES_ASK);
}

/* The engine's reason is for form authors ("code 7 is not in list 'yesno'"): the
 * enumerator reads what to type instead, in the chosen language. */
static void type_error(const ui *u, form_type t)
{
    static const int ids[] = {
        [Q_INTEGER] = T_E_INTEGER, [Q_DECIMAL] = T_E_DECIMAL,       [Q_TEXT] = T_E_TEXT,
        [Q_SELECT_ONE] = T_E_ONE,  [Q_SELECT_MULTIPLE] = T_E_MULTI, [Q_DATE] = T_E_DATE,
        [Q_GEOPOINT] = T_E_GEO,
    };

    ui_warn(u, t <= Q_GEOPOINT ? ids[t] : T_E_TEXT);
}

/* Sets the answer from text ("" clears it); checks it unless clearing; undoes it when
 * refused. Returns 1 when it stays, 0 when undone, or -A_... */
static int set_answer(ui *u, const char *text, int check)
{
    char why[256], msg[512];
    val prev = {0};
    int before = ui_count_answered(u, 1), rc, keep = 0;

    if (before < 0 || val_copy(&prev, eng_get(u->iv, u->cur)))
        return -ui_nomem();
    rc = eng_set_text(u->iv, u->cur, text, why, sizeof(why));
    if (rc == DT_ENOMEM) {
        keep = -ui_nomem();
        goto cleanup;
    }
    if (rc) {
        type_error(u, ui_cur_q(u)->type);
        goto cleanup;
    }
    if (check && !eng_check(u->iv, u->cur, msg, sizeof(msg))) {
        ui_warn_text(u, msg);
        goto undo;
    }
    keep = confirm_hiding(u, before);
    if (keep == 1)
        goto cleanup;
undo:
    if (eng_set_val(u->iv, u->cur, &prev))
        keep = -ui_nomem();
cleanup:
    val_free(&prev);
    return keep;
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

    if (ui_cur_q(u)->type != Q_NOTE && !eng_check(u->iv, u->cur, msg, sizeof(msg))) {
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
    k = eng_add_instance(u->iv, u->cur.q);
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
    eng_pos p;

    if (!eng_prev(u->iv, u->cur, &p)) {
        ui_warn(u, T_E_AT_START);
        return A_ASK;
    }
    go(u, p);
    return A_SHOW;
}

/* Parses "12", "m_age", "m_age[2]" or "members[2]/m_age" into a screen. */
static int jump(ui *u, const char *arg)
{
    char name[FORM_NAME_MAX + 1], *end;
    const char *base = strrchr(arg, '/'), *br;
    eng_pos *s;
    int n = ui_screens(u, &s), q, inst = -1, found = -1;
    long k = strtol(arg, &end, 10);
    size_t len;

    if (n < 0)
        return ui_nomem();
    base = base ? base + 1 : arg;
    br = strchr(arg, '[');
    len = br && br < base ? strlen(base) : strcspn(base, "[");
    if (br)
        inst = (int)strtol(br + 1, NULL, 10) - 1;
    if (end != arg && !*end && k >= 1 && k <= n) {
        found = (int)k - 1;
    } else if (len <= FORM_NAME_MAX) {
        memcpy(name, base, len);
        name[len] = '\0';
        q = form_find(u->f, name);
        for (int i = 0; q >= 0 && i < n && found < 0; i++) {
            const form_question *fq = form_q(u->f, q);
            int inside = s[i].q == q || (s[i].q > q && s[i].q < fq->end &&
                                         (fq->type == Q_GROUP || fq->type == Q_REPEAT));
            int in_rep = form_q(u->f, s[i].q)->repeat >= 0;
            if (inside && (inst < 0 || !in_rep || s[i].inst == inst))
                found = i;
        }
        if (found < 0 && q < 0)
            ui_warn(u, T_E_NO_QUESTION, arg);
        else if (found < 0)
            ui_warn(u, T_E_SKIPPED, arg);
    } else {
        ui_warn(u, T_E_NO_QUESTION, arg);
    }
    if (found >= 0)
        go(u, s[found]);
    free(s);
    return found >= 0 ? A_SHOW : A_ASK;
}

static int clear(ui *u)
{
    form_type t = ui_cur_q(u)->type;
    int keep;

    if (t == Q_NOTE || t == Q_REPEAT || !eng_get(u->iv, u->cur)->has) {
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
    if (!*line || ui_cur_q(u)->type == Q_NOTE)
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
    ui_say_resume_hint(u->lang, u->c.case_id);
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

/* Where a resumed case continues: its stored position, else the first screen that
 * is unanswered or has a problem, else the first. */
static int start_position(ui *u, ui_start how)
{
    char where[PLACE_MAX], msg[512];
    eng_pos *s;
    int n = ui_screens(u, &s), at = -1;

    if (n <= 0) {
        free(s);
        return n < 0 ? DT_ENOMEM : DT_EINVAL;
    }
    for (int i = 0; how != UI_START_NEW && i < n && at < 0; i++) {
        eng_pos_name(u->iv, s[i], where, sizeof(where));
        if (u->c.position && !strcmp(where, u->c.position))
            at = i;
    }
    for (int i = 0; how != UI_START_NEW && i < n && at < 0; i++) {
        form_type t = form_q(u->f, s[i].q)->type;
        if (t != Q_NOTE && t != Q_REPEAT &&
            (!eng_get(u->iv, s[i])->has || !eng_check(u->iv, s[i], msg, sizeof(msg))))
            at = i;
    }
    u->cur = s[at < 0 ? 0 : at];
    free(s);
    return DT_OK;
}

/* Loads the case, its form and its answers; prints why not and returns an exit status. */
static int load(ui *u, const char *case_id, ui_start how)
{
    errlist problems = {0};
    cJSON *answers = NULL;
    dt_err err;
    int rc, status = EXIT_FAILED;

    rc = cstore_case_get(u->cs, case_id, &u->c, &err);
    if (rc == DT_ENOTFOUND) {
        ui_warn(u, T_NOT_FOUND, case_id);
        goto cleanup;
    }
    if (rc) {
        cli_error(&err);
        status = cmdline_exit_status(rc);
        goto cleanup;
    }
    if (strcmp(u->c.status, "draft") != 0) {
        int st = !strcmp(u->c.status, "rejected")   ? T_ST_REJECTED
                 : !strcmp(u->c.status, "approved") ? T_ST_APPROVED
                                                    : T_ST_FINALIZED;
        ui_warn(u, T_NOT_DRAFT, ui_tr(u->lang, st), case_id);
        goto cleanup;
    }
    rc = cstore_load_form(u->cs, u->c.form_id, u->c.form_version, &u->f, &err);
    if (rc) {
        cli_error(&err);
        if (rc == DT_ENOTFOUND)
            ui_warn(u, T_NO_FORM, u->c.form_id, u->c.form_version);
        status = cmdline_exit_status(rc);
        goto cleanup;
    }
    u->flang = form_lang_index(u->f, ui_lang_code(u->lang));
    if (u->flang < 0)
        u->flang = 0;
    u->iv = eng_new(u->f, disp_today(), u->flang);
    if (!u->iv || (how == UI_START_NEW && eng_use_defaults(u->iv))) {
        status = EXIT_TROUBLE;
        ui_nomem();
        goto cleanup;
    }
    answers = cJSON_Parse(u->c.answers ? u->c.answers : "{}");
    rc = answers ? eng_load_json(u->iv, answers, &problems) : DT_EINVAL;
    if (rc) {
        /* Going on would overwrite what cannot be read: stop instead. */
        cmdline_problems(stderr, case_id, &problems);
        ui_warn(u, T_BAD_ANSWERS);
        status = EXIT_TROUBLE;
        goto cleanup;
    }
    u->para = paradata_parse(u->c.paradata);
    if (!u->para) {
        ui_nomem();
        status = EXIT_TROUBLE;
        goto cleanup;
    }
    if (how != UI_START_NEW)
        paradata_session(u->para);
    rc = start_position(u, how);
    status = rc ? EXIT_TROUBLE : EXIT_OK;
cleanup:
    cJSON_Delete(answers);
    errlist_free(&problems);
    return status;
}

static void print_start(ui *u, ui_start how)
{
    const cJSON *sessions = cJSON_GetObjectItemCaseSensitive(u->para, "sessions");
    int n = cJSON_IsNumber(sessions) ? (int)sessions->valuedouble : 1;

    putchar('\n');
    ui_wrap(u, form_title(u->f, u->flang), 0);
    ui_out(u, T_CASE_ID, u->c.case_id);
    if (how == UI_START_RESUME)
        ui_out(u, T_RESUMED, n);
    if (how == UI_START_EDIT)
        ui_out(u, T_EDITING, n);
    if (u->c.comment && *u->c.comment)
        ui_warn(u, T_COMMENT, u->c.comment);
    ui_out(u, T_START_HELP);
}

int ui_run_interview(cstore *cs, const char *case_id, int lang, ui_start how)
{
    ui u;
    term_saved t;
    dt_err err;
    int status, locked = 0, eg, act = A_SHOW;

    memset(&u, 0, sizeof(u));
    u.cs = cs;
    u.lang = lang == UI_EN ? UI_EN : UI_VI;
    u.width = ui_term_width();
    u.cur.q = -1;
    u.line = malloc(LINE_BYTES);
    if (!u.line) {
        ui_nomem();
        return EXIT_TROUBLE;
    }
    status = load(&u, case_id, how);
    if (status != EXIT_OK)
        goto cleanup;
    if ((eg = cstore_case_lock(cs, case_id, &err)) != DT_OK) {
        cli_error(&err);
        ui_warn(&u, T_LOCKED);
        status = cmdline_exit_status(eg);
        goto cleanup;
    }
    locked = 1;
    ui_term_setup(&t);
    print_start(&u, how);
    u.shown_at = now_s();
    if (how == UI_START_EDIT)
        act = review(&u);
    status = loop(&u, act);
    ui_term_restore(&t);
cleanup:
    if (locked)
        cstore_case_unlock(cs, case_id);
    eng_free(u.iv);
    form_free(u.f);
    cJSON_Delete(u.para);
    cstore_case_free(&u.c);
    free(u.line);
    return status;
}
