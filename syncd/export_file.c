/* export_file.c - the files of an export: opened private under a partial name, written,
 * committed with fsync, and published (renamed) only when all are complete; and the small
 * helpers every writer shares */
#include "export_int.h"
#include "expr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int exp_path(char *out, size_t size, const exp_ctx *x, const char *name, const char *ext,
             int partial)
{
    int n = snprintf(out, size, "%s/%s.%s%s", x->o->out_dir, name, ext, partial ? ".partial" : "");
    return n < 0 || (size_t)n >= size ? DT_EINVAL : DT_OK;
}

int exp_open(FILE **out, const exp_ctx *x, const char *name, const char *ext, dt_err *err)
{
    char path[4096];

    *out = NULL;
    if (exp_path(path, sizeof(path), x, name, ext, 1))
        return err_set(err, DT_EINVAL, "%s: the folder's name is too long", x->o->out_dir);
    /* Private, like the folder: the files hold what households told us. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(err, DT_EIO, "%s: cannot write: %s", path, strerror(errno));
    if (!(*out = fdopen(fd, "wb"))) {
        close(fd);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    setvbuf(*out, NULL, _IOFBF, 1 << 20);
    return DT_OK;
}

int exp_commit(exp_ctx *x, FILE *f, const char *name, const char *ext, long long rows, dt_err *err)
{
    char path[4096];
    int bad = ferror(f), saved = 0;

    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        bad = 1;
        saved = errno;
    }
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    exp_path(path, sizeof(path), x, name, ext, 0);
    if (bad) {
        exp_discard(x, name, ext);
        return err_set(err, DT_EIO, "%s: could not be written: %s", path,
                       saved ? strerror(saved) : "write error");
    }
    exp_summary *s = x->sum;
    if (s->nfiles == EXP_MAX_FILES) {
        exp_discard(x, name, ext);
        return err_set(err, DT_EINVAL, "the form has too many repeats to export (%d files at most)",
                       EXP_MAX_FILES - 1);
    }
    snprintf(s->files[s->nfiles].name, sizeof(s->files[0].name), "%s.%s", name, ext);
    s->files[s->nfiles].rows = rows;
    s->nfiles++;
    return DT_OK;
}

int exp_publish(exp_ctx *x, int ok, dt_err *err)
{
    int rc = DT_OK;

    for (int i = 0; i < x->sum->nfiles; i++) {
        char tmp[4096], path[4096];
        snprintf(tmp, sizeof(tmp), "%s/%s.partial", x->o->out_dir, x->sum->files[i].name);
        snprintf(path, sizeof(path), "%s/%s", x->o->out_dir, x->sum->files[i].name);
        if (ok && !rc && rename(tmp, path) != 0)
            rc = err_set(err, DT_EIO, "%s: cannot rename: %s", path, strerror(errno));
        else if (!ok || rc)
            unlink(tmp);
    }
    if (!ok || rc)
        x->sum->nfiles = 0;
    return rc;
}

void exp_discard(const exp_ctx *x, const char *name, const char *ext)
{
    char tmp[4096];

    if (exp_path(tmp, sizeof(tmp), x, name, ext, 1) == DT_OK)
        unlink(tmp);
}

int exp_write(FILE *f, const void *p, size_t n, const char *what, dt_err *err)
{
    if (n && fwrite(p, 1, n, f) != n)
        return err_set(err, DT_EIO, "%s: write error: %s", what, strerror(errno));
    return DT_OK;
}

void exp_progress(const exp_ctx *x, const char *phase, long long done, long long total)
{
    if (x->o->progress)
        x->o->progress(x->o->progress_ctx, phase, done, total);
}

const char *exp_num_text(double d, char *out, size_t size)
{
    expr_format_number(d, out, size);
    return out;
}

size_t exp_utf8_cut(const char *s, size_t len, size_t max_bytes, size_t max_chars)
{
    size_t i = 0, chars = 0;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (i + n > len || i + n > max_bytes || (max_chars && chars == max_chars))
            break;
        i += n;
        chars++;
    }
    return i;
}
