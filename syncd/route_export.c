/* route_export.c - GET /api/v1/export?format=csv|dta|sav|json&status=approved|all&lang=vi|en
 * &history=0|1&with_names=0|1&form=ID: what `syncd export` writes (households, the roster, the
 * codebook) as one zip archive, for statisticians */
#include "export.h"
#include "http.h"
#include "zipdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The temporary folders are NAME-PID-XXXXXX in the store's folder (see store_dir). */
#define TMP_PREFIX   ".syncd-export-"
#define ARCHIVE_NAME "archive.zip" /* no export file ends in .zip */

/* One export at a time per server: each one is a whole pass over the store with its own
 * worker threads, and needs room on the disk for the files and their archive; a second one
 * at once would only slow both down and double that room. */
static pthread_mutex_t export_lock = PTHREAD_MUTEX_INITIALIZER;

/* The folder of the store's file, into out (size bytes). The temporary folders go there
 * rather than under TMPDIR: that folder is private to the service (0700, the service's user:
 * StateDirectoryMode in packaging/syncd.service) and already holds the same answers, so the
 * microdata goes nowhere new; it is on the disk sized for the data, whereas /tmp may be a
 * tmpfs in memory (and an export of the province is hundreds of MB); and it is one of the
 * few folders the hardened service may write to at all (ProtectSystem=strict). The store's
 * path is private to the store module: exports need it anyway (exp_options.db_path). */
static int store_dir(char *out, size_t size, const store *s)
{
    const char *slash = strrchr(store_path(s), '/');

    if (!slash)
        return snprintf(out, size, ".") >= (int)size ? -1 : 0;
    if (slash == store_path(s))
        return snprintf(out, size, "/") >= (int)size ? -1 : 0;
    return snprintf(out, size, "%.*s", (int)(slash - store_path(s)), store_path(s)) >= (int)size
               ? -1
               : 0;
}

/* Removes a folder that holds only files (what an export puts in its folder): the files, then
 * the folder. 0, or -1 with errno set by the first failure. */
static int remove_flat(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0, saved = 0;

    if (!d)
        return -1;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) && !rc) {
            rc = -1;
            saved = errno;
        }
    }
    closedir(d);
    if (rmdir(dir) && !rc) {
        rc = -1;
        saved = errno;
    }
    if (rc)
        errno = saved;
    return rc;
}

/* Removes the folders a syncd killed during an export left behind: every other way out of
 * an export removes its folder, but SIGKILL or a power cut cannot. Called holding the export
 * lock, so this process has no export running; a folder is stale when the process named in
 * it is this one or is gone. (Another live process is left alone: two servers on one
 * store, or a recycled process id, err on the side of keeping.) */
static void sweep_stale(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];

    if (!d)
        return;
    while ((e = readdir(d))) {
        const char *p = e->d_name + strlen(TMP_PREFIX);
        char *end;
        long pid;

        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
            continue;
        errno = 0;
        pid = strtol(p, &end, 10);
        if (end == p || *end != '-' || errno || pid <= 0)
            continue;
        if (pid != (long)getpid() && !(kill((pid_t)pid, 0) < 0 && errno == ESRCH))
            continue;
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
            continue;
        if (remove_flat(path) == 0)
            fprintf(stderr, "syncd: export: removed %s, left by an export that was killed\n", path);
        else
            fprintf(stderr, "syncd: export: cannot remove %s: %s\n", path, strerror(errno));
    }
    closedir(d);
}

/* err's message without the temporary folder in it (a file name means more to the caller
 * than the server's folders do). */
static void hide_dir(dt_err *err, const char *tmp)
{
    size_t n = strlen(tmp);
    char *p;

    while ((p = strstr(err->msg, tmp)) != NULL) {
        size_t skip = p[n] == '/' ? n + 1 : n;
        memmove(p, p + skip, strlen(p + skip) + 1);
    }
}

static int export_zip(http_req *r)
{
    const char *format = http_query(r, "format"), *status = http_query(r, "status");
    const char *lang = http_query(r, "lang"), *history = http_query(r, "history");
    const char *form_arg = http_query(r, "form"), *with_names = http_query(r, "with_names");
    const char *names[EXP_MAX_FILES];
    store *s = http_store(r);
    const form *f;
    exp_options o = {0};
    exp_summary sum;
    char dir[4096] = "", tmp[4096], zip_path[4200], name[160], stamp[32];
    int fmt, rc, n = -1, locked = 0, made = 0, fd = -1;
    struct stat st;
    struct tm tm;
    time_t now;
    dt_err err;

    /* The parameters first, each named in its error; unknown ones are ignored. */
    if (!format)
        return http_reply_error(r, 400, "format: required: csv, dta, sav or json");
    if ((fmt = exp_format_parse(format)) < 0)
        return http_reply_error(r, 400, "format: expected csv, dta, sav or json");
    if (status && strcmp(status, "approved") != 0 && strcmp(status, "all") != 0)
        return http_reply_error(r, 400, "status: expected approved (the default) or all");
    if (history && strcmp(history, "0") != 0 && strcmp(history, "1") != 0)
        return http_reply_error(r, 400, "history: expected 0 (the default) or 1");
    o.history = history && !strcmp(history, "1");
    if (o.history && fmt != EXP_JSON)
        return http_reply_error(r, 400, "history: only with format=json");
    if (with_names && strcmp(with_names, "0") != 0 && strcmp(with_names, "1") != 0)
        return http_reply_error(r, 400, "with_names: expected 0 (the default) or 1");
    o.with_names = with_names && !strcmp(with_names, "1");
    /* The route's roles say the same today; this stays true if they ever widen. */
    if (o.with_names && http_user(r)->role != ROLE_STATISTICIAN && http_user(r)->role != ROLE_ADMIN)
        return http_reply_error(r, 403,
                                "with_names: only a statistician or an administrator may export "
                                "names of people");
    /* The form and its languages are checked here rather than left to exp_run, whose
     * messages speak of the command line's options. */
    rc = store_form_latest(s, form_arg, &f, &err);
    if (rc == DT_EINVAL)
        return http_reply_error(r, 400,
                                "form: several forms are published: choose one with form=ID");
    if (rc)
        return http_reply_dt(r, rc, &err);
    if (lang && form_lang_index(f, lang) < 0) {
        char langs[128] = "";
        for (int i = 0; i < form_nlangs(f); i++)
            snprintf(langs + strlen(langs), sizeof(langs) - strlen(langs), "%s%s", i ? ", " : "",
                     form_lang(f, i));
        return http_reply_error(r, 400, "lang: expected a language of form %s: %s", form_id(f),
                                langs);
    }

    /* On record in the request's line of the log, with who asked (docs/exports.md): the line
     * alone does not show the query. Its status says whether the archive went out. */
    if (o.with_names)
        http_log_note(r, "with_names=1");

    if (pthread_mutex_trylock(&export_lock) != 0)
        return http_reply_error(
            r, 503, "an export is already running on this server: try again when it has finished");
    locked = 1;
    if (store_dir(dir, sizeof(dir), s) == 0)
        n = snprintf(tmp, sizeof(tmp), "%s/%s%ld-XXXXXX", dir, TMP_PREFIX, (long)getpid());
    if (n < 0 || n >= (int)sizeof(tmp)) {
        rc = err_set(&err, DT_EIO, "the store's folder has too long a name");
        goto cleanup;
    }
    sweep_stale(dir);
    if (!mkdtemp(tmp)) { /* mode 0700: what is written in it is microdata */
        rc = err_set(&err, DT_EIO, "the store's folder: cannot make a temporary folder: %s",
                     strerror(errno));
        goto cleanup;
    }
    made = 1;
    now = time(NULL);
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);

    o.format = (exp_format)fmt;
    o.out_dir = tmp;
    o.status = status && !strcmp(status, "all") ? NULL : "approved";
    o.lang = lang;          /* NULL: the form's first language */
    o.form_id = form_id(f); /* the form checked above, even if another is published since */
    o.db_path = store_path(s);
    if ((rc = exp_run(s, &o, &sum, &err)))
        goto cleanup;
    for (int i = 0; i < sum.nfiles; i++)
        names[i] = sum.files[i].name;
    snprintf(zip_path, sizeof(zip_path), "%s/%s", tmp, ARCHIVE_NAME);
    if ((rc = zd_write(zip_path, tmp, names, sum.nfiles, &err)))
        goto cleanup;
    /* Opened before everything is removed below: the archive lives on, nameless, until the
     * download ends and the server closes fd. */
    fd = open(zip_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        rc = err_set(&err, DT_EIO, "%s: cannot open: %s", zip_path, strerror(errno));
        goto cleanup;
    }
    /* "-names": an archive with names of people says so wherever it is saved */
    snprintf(name, sizeof(name), "%s-v%d-%s-%s-%s%s.zip", sum.form_id, sum.form_version,
             exp_format_name(o.format), o.status ? "approved" : "all", stamp,
             o.with_names ? "-names" : "");

cleanup:
    if (made && remove_flat(tmp))
        fprintf(stderr, "syncd: export: cannot remove %s: %s\n", tmp, strerror(errno));
    if (locked)
        pthread_mutex_unlock(&export_lock);
    if (rc) {
        if (fd >= 0)
            close(fd);
        if (rc != DT_EINVAL && rc != DT_ENOTFOUND)
            fprintf(stderr, "syncd: export: %s (in %s)\n", err.msg, dir); /* for the operator */
        if (made)
            hide_dir(&err, tmp);
        return http_reply_dt(r, rc, &err);
    }
    return http_reply_file(r, fd, (size_t)st.st_size, "application/zip", name);
}

/* Microdata, case by case: for the statisticians who analyse it (and admins), not for the
 * enumerators and supervisors who collect and review it. The session cookie works too, so
 * that the dashboard can offer the download; errors stay JSON (a download, not a page). */
const http_route route_export = {
    .method = "GET",
    .pattern = "/api/v1/export",
    .roles = HTTP_ROLE(ROLE_STATISTICIAN) | HTTP_ROLE(ROLE_ADMIN),
    .body = HTTP_BODY_NONE,
    .handler = export_zip,
    .background = 1, /* a province's export */
    .auth = HTTP_AUTH_SESSION,
    .html = 0,
};
