/* test_form.c - the form loader: a corpus of good and bad forms, the model's API, hostile files
 *
 * Usage: test_form [DATA_DIR]   (default: $DT_TEST_DATA, else "tests/data")
 *
 * DATA_DIR/forms/good/ holds forms that must load without a problem.
 * DATA_DIR/forms/bad/NAME.json is a form the loader must refuse, and
 * DATA_DIR/forms/bad/NAME.expect lists, one a line, every problem it must
 * report, as "where: what: message-substring" ("where: message-substring"
 * when the loader leaves what empty). The bad directory is read at run time,
 * so a new case is a new pair of files; each case runs in a child process, so
 * that a loader crash fails that case only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "form.h"

static const char *data_dir = "tests/data";
static char tmp_dir[1024]; /* scratch files for the hostile-input tests */

/* ---- small helpers */

static void join(char *out, size_t size, const char *a, const char *b)
{
    int n = snprintf(out, size, "%s/%s", a, b);
    assert_true(n > 0 && (size_t)n < size);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names in dir ending with suffix, sorted; the caller frees with
 * free_names. Returns -1 when dir cannot be opened. */
static int list_dir(const char *dir, const char *suffix, char ***out)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    int n = 0;

    *out = NULL;
    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !has_suffix(de->d_name, suffix))
            continue;
        char **p = realloc(names, sizeof(char *) * (size_t)(n + 1));
        assert_non_null(p);
        names = p;
        names[n] = strdup(de->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, (size_t)n, sizeof(char *), cmp_str);
    *out = names;
    return n;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void forms_dir(char *out, size_t size, const char *sub)
{
    char forms[4096];
    join(forms, sizeof(forms), data_dir, "forms");
    join(out, size, forms, sub);
}

/* One problem as the .expect files write it. */
static void format_problem(const err_item *it, char *out, size_t size)
{
    if (it->what[0])
        snprintf(out, size, "%s: %s: %s", it->where, it->what, it->msg);
    else
        snprintf(out, size, "%s: %s", it->where, it->msg);
}

static void print_problems(FILE *to, const errlist *pr)
{
    char line[2048];
    for (size_t i = 0; i < pr->n; i++) {
        format_problem(&pr->items[i], line, sizeof(line));
        fprintf(to, "    %s\n", line);
    }
}

/* Loads DATA_DIR/forms/good/file, which must load without a problem. */
static form *load_good(const char *file)
{
    char dir[4096], path[4096];
    errlist pr = {0};
    form *f = NULL;

    forms_dir(dir, sizeof(dir), "good");
    join(path, sizeof(path), dir, file);
    int rc = form_load_file(&f, path, &pr);
    if (rc != DT_OK || pr.n) {
        fprintf(stderr, "%s: rc %d, %zu problem(s):\n", path, rc, pr.n);
        print_problems(stderr, &pr);
    }
    errlist_free(&pr);
    assert_int_equal(rc, DT_OK);
    assert_non_null(f);
    return f;
}

/* Writes text to a scratch file and returns its path (static storage). */
static const char *write_tmp(const char *name, const char *text, size_t len)
{
    static char path[4096];
    FILE *fp;

    join(path, sizeof(path), tmp_dir, name);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    return path;
}

/* ---- matching problems against a .expect file */

/* Lines of a text file, without their newline; blank lines are skipped. */
static int read_lines(const char *path, char ***out)
{
    FILE *fp = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    char **lines = NULL;
    int n = 0;

    *out = NULL;
    if (!fp)
        return -1;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        char **p = realloc(lines, sizeof(char *) * (size_t)(n + 1));
        if (!p)
            break;
        lines = p;
        lines[n++] = strdup(line);
    }
    free(line);
    fclose(fp);
    *out = lines;
    return n;
}

/* "where: what: " must be exact; the rest of the line is a substring of the message. */
static int line_matches(const char *line, const err_item *it)
{
    char prefix[1024];

    if (it->what[0])
        snprintf(prefix, sizeof(prefix), "%s: %s: ", it->where, it->what);
    else
        snprintf(prefix, sizeof(prefix), "%s: ", it->where);
    size_t n = strlen(prefix);
    return !strncmp(line, prefix, n) && line[n] && strstr(it->msg, line + n) != NULL;
}

/* Bipartite matching (expect lines to problems), so that two similar lines
 * cannot both claim one problem. */
static int assign(int l, char **lines, const errlist *pr, unsigned char *seen, int *owner)
{
    for (size_t p = 0; p < pr->n; p++) {
        if (seen[p] || !line_matches(lines[l], &pr->items[p]))
            continue;
        seen[p] = 1;
        if (owner[p] < 0 || assign(owner[p], lines, pr, seen, owner)) {
            owner[p] = l;
            return 1;
        }
    }
    return 0;
}

/* Checks one bad case; prints what is wrong to stderr. Returns 1 when the
 * loader reported exactly the expected problems. */
static int check_bad_case(const char *dir, const char *name)
{
    char json[4096], expect[4096], file[1024];
    errlist pr = {0};
    form *f = NULL;
    char **lines = NULL;
    int nlines, ok = 1;

    snprintf(file, sizeof(file), "%s.json", name);
    join(json, sizeof(json), dir, file);
    snprintf(file, sizeof(file), "%s.expect", name);
    join(expect, sizeof(expect), dir, file);
    nlines = read_lines(expect, &lines);
    if (nlines <= 0) {
        fprintf(stderr, "%s: missing or empty; it must list the problems of %s\n", expect, json);
        free_names(lines, nlines < 0 ? 0 : nlines);
        return 0;
    }

    int rc = form_load_file(&f, json, &pr);
    if (f) {
        fprintf(stderr, "%s: loaded (rc %d), but it is a bad form\n", json, rc);
        ok = 0;
        form_free(f);
    } else if (rc != DT_EINVAL) {
        fprintf(stderr, "%s: rc %d, expected DT_EINVAL (%d)\n", json, rc, DT_EINVAL);
        ok = 0;
    }

    unsigned char *seen = calloc(pr.n + 1, 1);
    int *owner = malloc(sizeof(int) * (pr.n + 1));
    if (!seen || !owner) {
        fprintf(stderr, "out of memory\n");
        ok = 0;
        goto done;
    }
    for (size_t p = 0; p < pr.n; p++)
        owner[p] = -1;
    for (int l = 0; l < nlines; l++) {
        memset(seen, 0, pr.n + 1);
        if (!assign(l, lines, &pr, seen, owner)) {
            fprintf(stderr, "%s: expected but not reported: %s\n", json, lines[l]);
            ok = 0;
        }
    }
    if (pr.n != (size_t)nlines) {
        char line[2048];
        fprintf(stderr, "%s: %zu problem(s) reported, %d expected\n", json, pr.n, nlines);
        for (size_t p = 0; p < pr.n; p++) {
            if (owner[p] >= 0)
                continue;
            format_problem(&pr.items[p], line, sizeof(line));
            fprintf(stderr, "%s: reported but not expected: %s\n", json, line);
        }
        ok = 0;
    }
    if (!ok) {
        fprintf(stderr, "%s: the loader reported:\n", json);
        print_problems(stderr, &pr);
    }
done:
    free(seen);
    free(owner);
    free_names(lines, nlines);
    errlist_free(&pr);
    return ok;
}

/* ---- the bad corpus: one dynamic test per case, each run in a child */

typedef struct bad_case {
    char dir[4096];
    char name[256];
    char title[512];
} bad_case;

static void test_form__bad_form_reports_exactly_its_expected_problems(void **state)
{
    const bad_case *c = *state;
    int status = 0;
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* cmocka's signal handlers would resume the test runner in the child */
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        signal(SIGILL, SIG_DFL);
        signal(SIGFPE, SIG_DFL);
        int ok = check_bad_case(c->dir, c->name);
        fflush(stderr);
        exit(ok ? 0 : 2); /* exit, not _exit: the leak checker runs at exit */
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        fail_msg("%s: the loader crashed (signal %d)", c->name, WTERMSIG(status));
    if (WEXITSTATUS(status) == 2)
        fail_msg("%s: the problems differ from %s.expect (see above)", c->name, c->name);
    if (WEXITSTATUS(status) != 0)
        fail_msg("%s: the child exited with %d: a sanitizer report or a leak (see above)", c->name,
                 WEXITSTATUS(status));
}

/* Case names (without .json) of the bad directory; -1 when it cannot be read. */
static int bad_case_names(char ***out)
{
    char dir[4096];
    char **names;
    int n;

    forms_dir(dir, sizeof(dir), "bad");
    n = list_dir(dir, ".json", &names);
    for (int i = 0; i < n; i++)
        names[i][strlen(names[i]) - 5] = '\0';
    *out = names;
    return n;
}

static void test_form__bad_corpus_is_not_empty(void **state)
{
    char **names;
    int n = bad_case_names(&names);

    (void)state;
    free_names(names, n < 0 ? 0 : n);
    if (n < 0)
        fail_msg("cannot open %s/forms/bad (pass the data directory as argv[1] or DT_TEST_DATA)",
                 data_dir);
    if (n == 0)
        fail_msg("%s/forms/bad holds no NAME.json cases", data_dir);
}

static void test_form__every_bad_form_has_an_expect_file_and_every_expect_file_a_form(void **state)
{
    char dir[4096], path[4096], file[512];
    char **names;
    int n, missing = 0;
    struct stat st;

    (void)state;
    forms_dir(dir, sizeof(dir), "bad");
    n = list_dir(dir, ".json", &names);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        snprintf(file, sizeof(file), "%.*s.expect", (int)strlen(names[i]) - 5, names[i]);
        join(path, sizeof(path), dir, file);
        if (stat(path, &st) != 0) {
            fprintf(stderr, "%s is missing\n", path);
            missing++;
        }
    }
    free_names(names, n);
    n = list_dir(dir, ".expect", &names);
    for (int i = 0; i < n; i++) {
        snprintf(file, sizeof(file), "%.*s.json", (int)strlen(names[i]) - 7, names[i]);
        join(path, sizeof(path), dir, file);
        if (stat(path, &st) != 0) {
            fprintf(stderr, "%s is missing\n", path);
            missing++;
        }
    }
    free_names(names, n < 0 ? 0 : n);
    assert_int_equal(missing, 0);
}

/* ---- good forms: every one loads, and its model is consistent */

static int reads(const expr *e, int q)
{
    size_t n;
    const int *refs;

    if (!e)
        return 0;
    refs = expr_refs(e, &n);
    for (size_t i = 0; i < n; i++)
        if (refs[i] == q)
            return 1;
    return 0;
}

/* Invariants that hold for any loaded form. */
static void check_model(const form *f)
{
    int n = form_nquestions(f), norder;
    const int *order = form_eval_order(f, &norder);
    int *pos = malloc(sizeof(int) * (size_t)(n ? n : 1));

    assert_non_null(pos);
    assert_true(n > 0);
    assert_true(form_nlangs(f) >= 1);
    for (int l = 0; l < form_nlangs(f); l++) {
        assert_int_equal(form_lang_index(f, form_lang(f, l)), l);
        assert_non_null(form_title(f, l));
    }
    for (int i = 0; i < n; i++) {
        const form_question *q = form_q(f, i);
        assert_int_equal(q->index, i);
        assert_int_equal(form_find(f, q->name), i);
        if (q->parent < 0) {
            assert_int_equal(q->depth, 0);
        } else {
            const form_question *p = form_q(f, q->parent);
            assert_true(p->type == Q_GROUP || p->type == Q_REPEAT);
            assert_true(q->parent < i && i < p->end);
            assert_int_equal(q->depth, p->depth + 1);
            assert_int_equal(q->repeat, p->type == Q_REPEAT ? p->index : p->repeat);
        }
        if (q->type == Q_GROUP || q->type == Q_REPEAT)
            assert_true(q->end > i + 1 && q->end <= n);
        else
            assert_int_equal(q->end, i + 1);
        for (int l = 0; l < form_nlangs(f); l++)
            if (q->type != Q_CALCULATE)
                assert_non_null(q->label[l]);
        if (q->type == Q_SELECT_ONE || q->type == Q_SELECT_MULTIPLE)
            assert_non_null(q->list);
        else
            assert_null(q->list);
        if (q->type == Q_CALCULATE)
            assert_non_null(q->calculation);
    }
    /* The evaluation order: every question once, after everything it reads. */
    assert_int_equal(norder, n);
    for (int i = 0; i < n; i++)
        pos[i] = -1;
    for (int k = 0; k < norder; k++) {
        assert_true(order[k] >= 0 && order[k] < n);
        assert_int_equal(pos[order[k]], -1);
        pos[order[k]] = k;
    }
    for (int i = 0; i < n; i++) {
        const form_question *q = form_q(f, i);
        if (q->parent >= 0)
            assert_true(pos[q->parent] < pos[i]);
        for (int d = 0; d < n; d++)
            if (reads(q->relevant, d) || reads(q->calculation, d) || reads(q->repeat_count, d))
                assert_true(pos[d] < pos[i]);
    }
    free(pos);
}

static void test_form__every_good_form_loads_and_is_consistent(void **state)
{
    char dir[4096];
    char **names;
    int n;

    (void)state;
    forms_dir(dir, sizeof(dir), "good");
    n = list_dir(dir, ".json", &names);
    if (n <= 0)
        fail_msg("%s holds no good forms", dir);
    for (int i = 0; i < n; i++) {
        form *f = load_good(names[i]);
        check_model(f);
        form_free(f);
    }
    free_names(names, n);
}

static void test_form__a_minimal_form_needs_one_language_and_one_question(void **state)
{
    form *f = load_good("minimal.json");

    (void)state;
    assert_string_equal(form_id(f), "minimal");
    assert_int_equal(form_version(f), 1);
    assert_int_equal(form_nlangs(f), 1);
    assert_string_equal(form_lang(f, 0), "en");
    assert_int_equal(form_lang_index(f, "vi"), -1);
    assert_string_equal(form_title(f, 0), "Minimal form");
    assert_int_equal(form_nquestions(f), 1);
    assert_int_equal(form_nlists(f), 0);
    assert_null(form_refusal(f));
    int nkey = -1;
    form_household_key(f, &nkey);
    assert_int_equal(nkey, 0);
    const form_question *q = form_q(f, 0);
    assert_string_equal(q->name, "hh_size");
    assert_int_equal(q->type, Q_INTEGER);
    assert_int_equal(q->parent, -1);
    assert_int_equal(q->repeat, -1);
    assert_string_equal(q->label[0], "How many people live in this household?");
    assert_null(q->hint);
    assert_null(q->relevant);
    assert_null(q->constraint);
    assert_null(q->default_value);
    assert_int_equal(q->required, 0);
    form_free(f);
}

/* roster.json in document order */
enum {
    CONSENT,
    WHERE,
    DISTRICT,
    COMMUNE,
    HH_NUMBER,
    HH_SIZE,
    MEMBERS,
    M_NAME,
    M_SEX,
    M_AGE,
    M_ADULT,
    N_ADULTS,
    ADULTS_NOTE,
    VISIT_DATE,
    GPS,
    INCOME,
    NROSTER
};

static void test_form__groups_and_repeats_are_flattened_in_document_order(void **state)
{
    static const struct {
        const char *name;
        form_type type;
        int parent, repeat, depth, end;
    } want[NROSTER] = {
        [CONSENT] = {"consent", Q_SELECT_ONE, -1, -1, 0, CONSENT + 1},
        [WHERE] = {"where", Q_GROUP, -1, -1, 0, HH_NUMBER + 1},
        [DISTRICT] = {"district", Q_SELECT_ONE, WHERE, -1, 1, DISTRICT + 1},
        [COMMUNE] = {"commune", Q_SELECT_ONE, WHERE, -1, 1, COMMUNE + 1},
        [HH_NUMBER] = {"hh_number", Q_INTEGER, WHERE, -1, 1, HH_NUMBER + 1},
        [HH_SIZE] = {"hh_size", Q_INTEGER, -1, -1, 0, HH_SIZE + 1},
        [MEMBERS] = {"members", Q_REPEAT, -1, -1, 0, M_ADULT + 1},
        [M_NAME] = {"m_name", Q_TEXT, MEMBERS, MEMBERS, 1, M_NAME + 1},
        [M_SEX] = {"m_sex", Q_SELECT_ONE, MEMBERS, MEMBERS, 1, M_SEX + 1},
        [M_AGE] = {"m_age", Q_INTEGER, MEMBERS, MEMBERS, 1, M_AGE + 1},
        [M_ADULT] = {"m_adult", Q_CALCULATE, MEMBERS, MEMBERS, 1, M_ADULT + 1},
        [N_ADULTS] = {"n_adults", Q_CALCULATE, -1, -1, 0, N_ADULTS + 1},
        [ADULTS_NOTE] = {"adults_note", Q_NOTE, -1, -1, 0, ADULTS_NOTE + 1},
        [VISIT_DATE] = {"visit_date", Q_DATE, -1, -1, 0, VISIT_DATE + 1},
        [GPS] = {"gps", Q_GEOPOINT, -1, -1, 0, GPS + 1},
        [INCOME] = {"income", Q_DECIMAL, -1, -1, 0, INCOME + 1},
    };
    form *f = load_good("roster.json");

    (void)state;
    assert_string_equal(form_id(f), "roster_test");
    assert_int_equal(form_version(f), 3);
    assert_int_equal(form_nquestions(f), NROSTER);
    for (int i = 0; i < NROSTER; i++) {
        const form_question *q = form_q(f, i);
        assert_string_equal(q->name, want[i].name);
        assert_int_equal(q->type, want[i].type);
        assert_int_equal(q->index, i);
        assert_int_equal(q->parent, want[i].parent);
        assert_int_equal(q->repeat, want[i].repeat);
        assert_int_equal(q->depth, want[i].depth);
        assert_int_equal(q->end, want[i].end);
    }
    form_free(f);
}

static void test_form__texts_come_in_every_form_language(void **state)
{
    form *f = load_good("roster.json");
    int vi, en;

    (void)state;
    assert_int_equal(form_nlangs(f), 2);
    vi = form_lang_index(f, "vi");
    en = form_lang_index(f, "en");
    assert_int_equal(vi, 0);
    assert_int_equal(en, 1);
    assert_int_equal(form_lang_index(f, "fr"), -1);
    assert_string_equal(form_title(f, vi), "Phiếu thử");
    assert_string_equal(form_title(f, en), "Test form");

    const form_question *q = form_q(f, CONSENT);
    assert_string_equal(q->label[vi], "Hộ đồng ý trả lời?");
    assert_string_equal(q->label[en], "Does the household agree to answer?");
    assert_null(q->hint);

    q = form_q(f, HH_NUMBER);
    assert_string_equal(q->label[en], "Household number");
    assert_non_null(q->hint);
    assert_string_equal(q->hint[vi], "Theo bảng kê");
    assert_string_equal(q->hint[en], "From the listing");
    assert_non_null(q->constraint_msg);
    assert_string_equal(q->constraint_msg[vi], "Từ 1 đến 999");
    assert_string_equal(q->constraint_msg[en], "From 1 to 999");
    assert_null(q->required_msg);

    assert_string_equal(form_q(f, WHERE)->label[en], "Location");
    assert_string_equal(form_q(f, ADULTS_NOTE)->label[vi], "Hộ có người lớn");
    assert_null(form_q(f, M_ADULT)->label); /* a calculate has no label */
    form_free(f);
}

static void test_form__choice_lists_keep_codes_labels_and_attributes(void **state)
{
    form *f = load_good("roster.json");
    const form_list *l;
    const form_choice *c;

    (void)state;
    assert_int_equal(form_nlists(f), 4);
    assert_string_equal(form_list_at(f, 0)->name, "yesno");
    assert_string_equal(form_list_at(f, 1)->name, "district");
    assert_string_equal(form_list_at(f, 2)->name, "commune");
    assert_string_equal(form_list_at(f, 3)->name, "sex");

    l = form_list_at(f, 0);
    assert_int_equal(l->nchoices, 2);
    assert_int_equal(l->nattrs, 0);
    assert_int_equal(l->choices[0].code, 1);
    assert_int_equal(l->choices[1].code, 2);
    assert_string_equal(l->choices[1].label[0], "Không");
    assert_string_equal(l->choices[1].label[1], "No");
    assert_ptr_equal(form_q(f, CONSENT)->list, l);

    l = form_list_at(f, 2);
    assert_ptr_equal(form_q(f, COMMUNE)->list, l);
    assert_int_equal(l->nchoices, 3);
    assert_int_equal(l->nattrs, 2);
    assert_string_equal(l->attr_names[0], "district");
    assert_string_equal(l->attr_names[1], "urban");
    c = form_choice_find(l, 3601);
    assert_non_null(c);
    assert_string_equal(c->label[1], "Chieng Le ward");
    assert_string_equal(c->attr[0], "116"); /* a number attribute as XPath prints it */
    assert_string_equal(c->attr[1], "");    /* absent: empty */
    c = form_choice_find(l, 3801);
    assert_non_null(c);
    assert_string_equal(c->label[0], "Xã Mường Giôn");
    assert_string_equal(c->attr[0], "118");
    assert_string_equal(c->attr[1], "no");
    assert_null(form_choice_find(l, 116));
    assert_null(form_choice_find(l, 0));

    l = form_list_at(f, 1);
    assert_int_equal(l->choices[0].code, 116);
    assert_int_equal(l->choices[1].code, 118);
    form_free(f);
}

static void test_form__form_find_knows_every_name_and_only_those(void **state)
{
    form *f = load_good("roster.json");

    (void)state;
    assert_int_equal(form_find(f, "consent"), CONSENT);
    assert_int_equal(form_find(f, "where"), WHERE);
    assert_int_equal(form_find(f, "members"), MEMBERS);
    assert_int_equal(form_find(f, "m_adult"), M_ADULT);
    assert_int_equal(form_find(f, "income"), INCOME);
    assert_int_equal(form_find(f, "m_ag"), -1);
    assert_int_equal(form_find(f, "m_age_"), -1);
    assert_int_equal(form_find(f, "Consent"), -1);
    assert_int_equal(form_find(f, ""), -1);
    assert_int_equal(form_find(f, "aaa"), -1);
    assert_int_equal(form_find(f, "zzz"), -1);
    form_free(f);
}

static int order_pos(const form *f, int q)
{
    int n;
    const int *order = form_eval_order(f, &n);

    for (int k = 0; k < n; k++)
        if (order[k] == q)
            return k;
    fail_msg("question %d is not in the evaluation order", q);
    return -1;
}

static void test_form__calculations_come_after_the_questions_they_read(void **state)
{
    form *f = load_good("roster.json");

    (void)state;
    assert_true(reads(form_q(f, M_ADULT)->calculation, M_AGE));
    assert_true(order_pos(f, M_AGE) < order_pos(f, M_ADULT));
    assert_true(order_pos(f, M_ADULT) < order_pos(f, N_ADULTS));
    assert_true(order_pos(f, N_ADULTS) < order_pos(f, ADULTS_NOTE)); /* relevance reads it */
    assert_true(order_pos(f, HH_SIZE) < order_pos(f, MEMBERS));      /* repeat_count reads it */
    assert_true(order_pos(f, CONSENT) < order_pos(f, WHERE));
    assert_true(order_pos(f, WHERE) < order_pos(f, DISTRICT)); /* a child after its group */
    assert_true(order_pos(f, MEMBERS) < order_pos(f, M_AGE));
    form_free(f);
}

static void test_form__expressions_keep_their_text_and_what_they_read(void **state)
{
    form *f = load_good("roster.json");
    const form_question *q;
    size_t n;
    const int *refs;

    (void)state;
    q = form_q(f, MEMBERS);
    assert_non_null(q->repeat_count);
    assert_string_equal(expr_text(q->repeat_count), "${hh_size}");
    refs = expr_refs(q->repeat_count, &n);
    assert_int_equal(n, 1);
    assert_int_equal(refs[0], HH_SIZE);
    assert_non_null(q->relevant);

    q = form_q(f, COMMUNE);
    assert_non_null(q->choice_filter);
    assert_string_equal(expr_text(q->choice_filter), "district = ${district}");
    refs = expr_refs(q->choice_filter, &n); /* the bare name is an attribute, not a question */
    assert_int_equal(n, 1);
    assert_int_equal(refs[0], DISTRICT);

    q = form_q(f, HH_NUMBER);
    assert_int_equal(q->required, 1);
    assert_null(q->required_if);
    assert_non_null(q->constraint);
    assert_true(expr_uses_dot(q->constraint));

    q = form_q(f, GPS);
    assert_int_equal(q->required, 0);
    assert_non_null(q->required_if);
    assert_true(reads(q->required_if, CONSENT));

    assert_true(reads(form_q(f, WHERE)->relevant, CONSENT));
    assert_null(form_q(f, DISTRICT)->relevant);
    assert_null(form_q(f, M_ADULT)->constraint);
    form_free(f);
}

static void test_form__defaults_are_kept_as_checked_literals(void **state)
{
    form *f = load_good("roster.json");
    const cJSON *d;

    (void)state;
    d = form_q(f, DISTRICT)->default_value;
    assert_true(cJSON_IsNumber(d));
    assert_true(d->valuedouble == 116);
    d = form_q(f, M_AGE)->default_value;
    assert_true(cJSON_IsNumber(d));
    assert_true(d->valuedouble == 30);
    d = form_q(f, VISIT_DATE)->default_value;
    assert_true(cJSON_IsString(d));
    assert_string_equal(d->valuestring, "2024-05-01");
    d = form_q(f, INCOME)->default_value;
    assert_true(cJSON_IsNumber(d));
    assert_true(fabs(d->valuedouble - 2.5) < 1e-12);
    assert_null(form_q(f, CONSENT)->default_value);
    form_free(f);
}

static void test_form__household_key_and_refusal_are_loaded(void **state)
{
    form *f = load_good("roster.json");
    int n = -1;
    const int *key = form_household_key(f, &n);

    (void)state;
    assert_int_equal(n, 3);
    assert_int_equal(key[0], DISTRICT);
    assert_int_equal(key[1], COMMUNE);
    assert_int_equal(key[2], HH_NUMBER);
    assert_non_null(form_refusal(f));
    assert_string_equal(expr_text(form_refusal(f)), "${consent} = 2");
    assert_true(reads(form_refusal(f), CONSENT));
    form_free(f);
}

static void test_form__an_identifier_is_marked_and_nothing_else_is(void **state)
{
    form *f = load_good("roster.json");

    (void)state;
    for (int i = 0; i < form_nquestions(f); i++)
        assert_int_equal(form_q(f, i)->identifier, i == M_NAME);
    form_free(f);
}

/* The questionnaires the programs carry: the names of people are marked, so that exports
 * hash them (docs/exports.md). */
static void test_form__the_sonla_forms_mark_the_names_of_people(void **state)
{
    static const char *const files[] = {"sonla_ict_household.json", "sonla_ict_household_v2.json"};
    char path[4096];

    (void)state;
    for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
        errlist pr = {0};
        form *f = NULL;
        int marked = 0;
        snprintf(path, sizeof(path), "%s/../../schema/forms/%s", data_dir, files[k]);
        assert_int_equal(form_load_file(&f, path, &pr), DT_OK);
        for (int i = 0; i < form_nquestions(f); i++) {
            const form_question *q = form_q(f, i);
            int name = !strcmp(q->name, "resp_name") || !strcmp(q->name, "m_name");
            assert_int_equal(q->identifier, name);
            marked += q->identifier;
        }
        assert_int_equal(marked, 2);
        form_free(f);
        errlist_free(&pr);
    }
}

static void test_form__an_open_ended_repeat_has_no_repeat_count(void **state)
{
    form *f = load_good("open_repeat.json");
    int devices = form_find(f, "devices"), kind = form_find(f, "d_kind");
    int uses = form_find(f, "d_uses"), total = form_find(f, "n_devices");

    (void)state;
    assert_int_equal(form_nquestions(f), 5);
    assert_int_equal(devices, 0);
    assert_int_equal(form_q(f, devices)->type, Q_REPEAT);
    assert_null(form_q(f, devices)->repeat_count);
    assert_int_equal(form_q(f, devices)->end, 4);
    assert_int_equal(form_q(f, kind)->repeat, devices);
    assert_int_equal(form_q(f, uses)->type, Q_SELECT_MULTIPLE);
    assert_ptr_equal(form_q(f, uses)->list, form_q(f, kind)->list);
    assert_int_equal(form_q(f, total)->repeat, -1);
    assert_true(reads(form_q(f, total)->calculation, kind));
    assert_true(order_pos(f, kind) < order_pos(f, total));
    form_free(f);
}

static void test_form__loading_a_parsed_document_gives_the_same_form(void **state)
{
    char dir[4096], path[4096];
    char *text;
    long size;
    FILE *fp;
    errlist pr = {0};
    form *f = NULL, *g;

    (void)state;
    forms_dir(dir, sizeof(dir), "good");
    join(path, sizeof(path), dir, "roster.json");
    fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    size = ftell(fp);
    assert_true(size > 0);
    rewind(fp);
    text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, fp), (size_t)size);
    text[size] = '\0';
    fclose(fp);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    assert_non_null(doc);

    assert_int_equal(form_load_json(&f, doc, "roster.json", &pr), DT_OK);
    cJSON_Delete(doc); /* the form owns copies of what it keeps */
    assert_int_equal(pr.n, 0);
    g = load_good("roster.json");
    assert_int_equal(form_nquestions(f), form_nquestions(g));
    for (int i = 0; i < form_nquestions(f); i++) {
        assert_string_equal(form_q(f, i)->name, form_q(g, i)->name);
        assert_int_equal(form_q(f, i)->type, form_q(g, i)->type);
    }
    assert_string_equal(form_q(f, COMMUNE)->list->choices[2].attr[1], "no");
    assert_true(form_q(f, DISTRICT)->default_value->valuedouble == 116);
    form_free(f);
    form_free(g);
}

static void test_form__type_names_are_written_as_in_a_form(void **state)
{
    (void)state;
    assert_string_equal(form_type_name(Q_INTEGER), "integer");
    assert_string_equal(form_type_name(Q_SELECT_ONE), "select_one");
    assert_string_equal(form_type_name(Q_SELECT_MULTIPLE), "select_multiple");
    assert_string_equal(form_type_name(Q_CALCULATE), "calculate");
    assert_string_equal(form_type_name(Q_REPEAT), "repeat");
    assert_string_equal(form_type_name((form_type)99), "?");
}

/* ---- how problems are handed back */

static void test_form__problems_are_appended_after_those_already_listed(void **state)
{
    char dir[4096], path[4096];
    errlist pr = {0};
    form *f = (form *)(void *)&pr; /* must be reset to NULL */

    (void)state;
    assert_int_equal(errlist_add(&pr, "earlier", "check", "kept"), 0);
    forms_dir(dir, sizeof(dir), "bad");
    join(path, sizeof(path), dir, "default_wrong_type.json");
    assert_int_equal(form_load_file(&f, path, &pr), DT_EINVAL);
    assert_null(f);
    assert_int_equal(pr.n, 3);
    assert_string_equal(pr.items[0].where, "earlier");
    assert_string_equal(pr.items[0].msg, "kept");
    assert_string_equal(pr.items[1].where, "age");
    assert_string_equal(pr.items[2].where, "owns");
    errlist_free(&pr);
}

static void test_form__a_missing_file_is_one_problem(void **state)
{
    errlist pr = {0};
    form *f = NULL;
    char path[4096];

    (void)state;
    join(path, sizeof(path), tmp_dir, "no_such_form.json");
    assert_int_equal(form_load_file(&f, path, &pr), DT_EIO);
    assert_null(f);
    assert_int_equal(pr.n, 1);
    assert_string_equal(pr.items[0].where, "form");
    assert_non_null(strstr(pr.items[0].msg, "cannot open"));
    errlist_free(&pr);
}

/* ---- hostile files */

/* Loads the form in the scratch file path and expects exactly one problem. */
static void expect_one_problem(const char *path, int rc_want, const char *where, const char *what,
                               const char *msg_part)
{
    errlist pr = {0};
    form *f = NULL;
    int rc = form_load_file(&f, path, &pr);

    if (pr.n != 1) {
        fprintf(stderr, "%s: %zu problems:\n", path, pr.n);
        print_problems(stderr, &pr);
    }
    assert_int_equal(rc, rc_want);
    assert_null(f);
    assert_int_equal(pr.n, 1);
    assert_string_equal(pr.items[0].where, where);
    assert_string_equal(pr.items[0].what, what);
    assert_non_null(strstr(pr.items[0].msg, msg_part));
    errlist_free(&pr);
}

#define DEEP 10000

static void test_form__a_10000_deep_expression_is_refused(void **state)
{
    static const char head[] =
        "{\"id\": \"t\", \"version\": 1, \"languages\": [\"en\"], "
        "\"title\": {\"en\": \"T\"}, \"questions\": [{\"name\": \"a\", "
        "\"type\": \"integer\", \"label\": {\"en\": \"A\"}, \"relevant\": \"";
    static const char tail[] = "\"}]}";
    static const struct {
        const char *open, *close;
    } shapes[] = {{"(", ")"}, {"-", ""}, {"not(", ")"}};

    (void)state;
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        size_t no = strlen(shapes[s].open), nc = strlen(shapes[s].close);
        size_t len = sizeof(head) - 1 + DEEP * (no + nc) + 1 + sizeof(tail) - 1;
        char *text = malloc(len + 1), *p = text;
        assert_non_null(text);
        memcpy(p, head, sizeof(head) - 1);
        p += sizeof(head) - 1;
        for (int i = 0; i < DEEP; i++, p += no)
            memcpy(p, shapes[s].open, no);
        *p++ = '1';
        for (int i = 0; i < DEEP; i++, p += nc)
            memcpy(p, shapes[s].close, nc);
        memcpy(p, tail, sizeof(tail));
        assert_int_equal(strlen(text), len);
        const char *path = write_tmp("deep_expr.json", text, len);
        free(text);
        expect_one_problem(path, DT_EINVAL, "a", "relevant", "nested too deeply");
    }
}

static void test_form__a_10000_deep_json_document_is_refused(void **state)
{
    static const char level[] =
        "{\"name\": \"g\", \"type\": \"group\", \"label\": {\"en\": \"G\"}, \"children\": [";
    static const char head[] = "{\"id\": \"t\", \"version\": 1, \"languages\": [\"en\"], "
                               "\"title\": {\"en\": \"T\"}, \"questions\": [";
    size_t len = sizeof(head) - 1 + DEEP * (sizeof(level) - 1 + 2) + 4;
    char *text = malloc(len + 1), *p = text;

    (void)state;
    assert_non_null(text);
    memcpy(p, head, sizeof(head) - 1);
    p += sizeof(head) - 1;
    for (int i = 0; i < DEEP; i++, p += sizeof(level) - 1)
        memcpy(p, level, sizeof(level) - 1);
    memcpy(p, "1", 1);
    p++;
    for (int i = 0; i < DEEP; i++, p += 2)
        memcpy(p, "]}", 2);
    memcpy(p, "]}", 3);
    len = strlen(text);
    const char *path = write_tmp("deep_json.json", text, len);
    free(text);
    expect_one_problem(path, DT_EINVAL, "form", "", "malformed JSON");
}

/* A valid form of exactly size bytes: the description pads it. */
static char *padded_form(size_t size)
{
    static const char head[] = "{\"id\": \"t\", \"version\": 1, \"languages\": [\"en\"], "
                               "\"title\": {\"en\": \"T\"}, \"questions\": [{\"name\": \"a\", "
                               "\"type\": \"integer\", \"label\": {\"en\": \"A\"}}], "
                               "\"description\": \"";
    static const char tail[] = "\"}\n";
    char *text = malloc(size + 1);

    assert_non_null(text);
    assert_true(size > sizeof(head) + sizeof(tail));
    memcpy(text, head, sizeof(head) - 1);
    memset(text + sizeof(head) - 1, 'x', size - (sizeof(head) - 1) - (sizeof(tail) - 1));
    memcpy(text + size - (sizeof(tail) - 1), tail, sizeof(tail));
    assert_int_equal(strlen(text), size);
    return text;
}

static void test_form__a_5_mb_file_is_refused(void **state)
{
    size_t size = 5 * 1024 * 1024;
    char *text = padded_form(size);
    const char *path = write_tmp("five_mb.json", text, size);

    (void)state;
    free(text);
    expect_one_problem(path, DT_EINVAL, "form", "", "larger than the limit");
    /* The problem does not repeat the path: the caller prints it. */
    errlist pr = {0};
    form *f = NULL;
    form_load_file(&f, path, &pr);
    assert_int_equal(pr.n, 1);
    assert_null(strstr(pr.items[0].msg, tmp_dir));
    errlist_free(&pr);
}

static void test_form__a_file_of_exactly_the_size_limit_is_read(void **state)
{
    char *text = padded_form(FORM_MAX_FILE);
    const char *path = write_tmp("at_limit.json", text, FORM_MAX_FILE);
    errlist pr = {0};
    form *f = NULL;

    (void)state;
    free(text);
    assert_int_equal(form_load_file(&f, path, &pr), DT_OK);
    assert_int_equal(pr.n, 0);
    assert_int_equal(form_nquestions(f), 1);
    form_free(f);

    text = padded_form(FORM_MAX_FILE + 1);
    path = write_tmp("over_limit.json", text, FORM_MAX_FILE + 1);
    free(text);
    expect_one_problem(path, DT_EINVAL, "form", "", "larger than the limit");
}

/* ---- fixtures and main */

static int make_tmp_dir(void **state)
{
    const char *t = getenv("TMPDIR");

    (void)state;
    snprintf(tmp_dir, sizeof(tmp_dir), "%s/test_form.XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static int remove_tmp_dir(void **state)
{
    static const char *const files[] = {"deep_expr.json", "deep_json.json", "five_mb.json",
                                        "at_limit.json", "over_limit.json"};
    char path[4096];

    (void)state;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmp_dir, files[i]);
        unlink(path);
    }
    return rmdir(tmp_dir);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form__bad_corpus_is_not_empty),
        cmocka_unit_test(test_form__every_bad_form_has_an_expect_file_and_every_expect_file_a_form),
        cmocka_unit_test(test_form__every_good_form_loads_and_is_consistent),
        cmocka_unit_test(test_form__a_minimal_form_needs_one_language_and_one_question),
        cmocka_unit_test(test_form__groups_and_repeats_are_flattened_in_document_order),
        cmocka_unit_test(test_form__texts_come_in_every_form_language),
        cmocka_unit_test(test_form__choice_lists_keep_codes_labels_and_attributes),
        cmocka_unit_test(test_form__form_find_knows_every_name_and_only_those),
        cmocka_unit_test(test_form__calculations_come_after_the_questions_they_read),
        cmocka_unit_test(test_form__expressions_keep_their_text_and_what_they_read),
        cmocka_unit_test(test_form__defaults_are_kept_as_checked_literals),
        cmocka_unit_test(test_form__household_key_and_refusal_are_loaded),
        cmocka_unit_test(test_form__an_identifier_is_marked_and_nothing_else_is),
        cmocka_unit_test(test_form__the_sonla_forms_mark_the_names_of_people),
        cmocka_unit_test(test_form__an_open_ended_repeat_has_no_repeat_count),
        cmocka_unit_test(test_form__loading_a_parsed_document_gives_the_same_form),
        cmocka_unit_test(test_form__type_names_are_written_as_in_a_form),
        cmocka_unit_test(test_form__problems_are_appended_after_those_already_listed),
        cmocka_unit_test(test_form__a_missing_file_is_one_problem),
        cmocka_unit_test(test_form__a_10000_deep_expression_is_refused),
        cmocka_unit_test(test_form__a_10000_deep_json_document_is_refused),
        cmocka_unit_test(test_form__a_5_mb_file_is_refused),
        cmocka_unit_test(test_form__a_file_of_exactly_the_size_limit_is_read),
    };
    const char *env = getenv("DT_TEST_DATA");
    char **names = NULL;
    int failed, n;

    if (argc > 1)
        data_dir = argv[1];
    else if (env && *env)
        data_dir = env;

    failed = cmocka_run_group_tests_name("form", tests, make_tmp_dir, remove_tmp_dir);

    /* One test per case of the bad corpus, found at run time. */
    n = bad_case_names(&names);
    if (n > 0) {
        struct CMUnitTest *bad = calloc((size_t)n, sizeof(*bad));
        bad_case *cases = calloc((size_t)n, sizeof(*cases));
        if (!bad || !cases) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            forms_dir(cases[i].dir, sizeof(cases[i].dir), "bad");
            snprintf(cases[i].name, sizeof(cases[i].name), "%s", names[i]);
            snprintf(cases[i].title, sizeof(cases[i].title),
                     "test_form__bad_form_reports_exactly_its_expected_problems(%s)", names[i]);
            bad[i].name = cases[i].title;
            bad[i].test_func = test_form__bad_form_reports_exactly_its_expected_problems;
            bad[i].initial_state = &cases[i];
        }
        failed += _cmocka_run_group_tests("form_bad_corpus", bad, (size_t)n, NULL, NULL);
        free(bad);
        free(cases);
    }
    free_names(names, n < 0 ? 0 : n);
    return failed ? 1 : 0;
}
