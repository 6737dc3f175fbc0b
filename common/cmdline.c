/* cmdline.c - what both programs' command lines share */
#include "cmdline.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int cmdline_words(const char *name, int argc, char **argv)
{
    const char *p = name;
    int n = 0;

    while (*p) {
        size_t len = strcspn(p, " ");
        if (n >= argc || strlen(argv[n]) != len || strncmp(argv[n], p, len) != 0)
            return 0;
        n++;
        p += len;
        while (*p == ' ')
            p++;
    }
    return n;
}

const char *cmdline_take(int *argc, char **argv, const char *option, int *missing)
{
    const char *value = NULL;

    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], option) != 0)
            continue;
        if (i + 1 >= *argc) {
            if (missing)
                *missing = 1;
            *argc = i;
            break;
        }
        value = argv[i + 1];
        for (int k = i; k + 2 <= *argc; k++)
            argv[k] = argv[k + 2];
        *argc -= 2;
        i--;
    }
    return value;
}

int cmdline_take_flag(int *argc, char **argv, const char *flag)
{
    int found = 0;

    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], flag) != 0)
            continue;
        found = 1;
        for (int k = i; k + 1 < *argc; k++)
            argv[k] = argv[k + 1];
        (*argc)--;
        i--;
    }
    return found;
}

int cmdline_exit_status(int code)
{
    switch (code) {
    case DT_OK:
        return EXIT_OK;
    case DT_EINVAL:
    case DT_ENOTFOUND:
    case DT_ECHANGED:
        return EXIT_FAILED;
    default:
        return EXIT_TROUBLE;
    }
}

void cmdline_problems(FILE *out, const char *file, const errlist *problems)
{
    for (size_t i = 0; i < problems->n; i++) {
        const err_item *it = &problems->items[i];
        if (it->what[0])
            fprintf(out, "%s: %s: %s: %s\n", file, it->where, it->what, it->msg);
        else
            fprintf(out, "%s: %s: %s\n", file, it->where, it->msg);
    }
}

int cmdline_mkdirs(char *dir, dt_err *err)
{
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(dir, 0700);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return err_set(err, DT_EIO, "cannot create %s: %s", dir, strerror(errno));
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return err_set(err, DT_EIO, "cannot create %s: %s", dir, strerror(errno));
    return DT_OK;
}
