/* cmd_assignments_import.c - `collector assignments import FILE.csv`: the households to visit */
#include "cli.h"
#include "cmd.h"
#include "cmdline.h"
#include "frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct counts {
    int loaded;
    int skipped; /* rows for other enumerators */
} counts;

/* Reads the frame and stores this enumerator's rows in one transaction: a frame with a
 * mistake is fixed and loaded again whole. */
static int load(cstore *cs, const char *file, const form *f, const char *me, errlist *problems,
                counts *n, dt_err *err)
{
    frame *fr = NULL;
    frame_row row;
    int rc;

    if ((rc = frame_open(&fr, file, f, problems, err)))
        return rc;
    if ((rc = cstore_begin(cs, err)))
        goto cleanup;
    while ((rc = frame_next(fr, &row, problems, err)) > 0) {
        if (rc == 2 || problems->n)
            continue; /* keep reading: every problem of the file is reported at once */
        if (row.enumerator[0] && strcmp(row.enumerator, me) != 0) {
            n->skipped++;
            continue;
        }
        cstore_assignment a = {.assignment_id = (char *)row.assignment_id,
                               .form_id = (char *)form_id(f),
                               .label = (char *)row.label,
                               .prefill = (char *)row.prefill,
                               .weight = row.weight,
                               .has_weight = row.has_weight,
                               .stratum = (char *)row.stratum,
                               .psu = (char *)row.psu};
        if ((rc = cstore_assignment_put(cs, &a, err)))
            break;
        n->loaded++;
    }
    if (rc == 0 && problems->n == 0) {
        rc = cstore_commit(cs, err);
    } else {
        cstore_rollback(cs);
        n->loaded = 0;
    }
cleanup:
    frame_close(fr);
    return rc;
}

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv), *form_name = NULL, *file = NULL;
    char *fid = NULL, *me = NULL, *device = NULL;
    errlist problems = {0};
    counts n = {0, 0};
    form *f = NULL;
    cstore *cs;
    dt_err err;
    int rc;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--form") && i + 1 < argc)
            form_name = argv[++i];
        else if (!file && argv[i][0] != '-')
            file = argv[i];
        else
            return cmd_usage(&cmd_assignments_import);
    }
    if (!file)
        return cmd_usage(&cmd_assignments_import);
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
    rc = cstore_identity(cs, &me, &device, &err);
    if (rc == DT_OK && !form_name && (rc = cstore_default_form(cs, &fid, &err)) == DT_OK)
        form_name = fid;
    if (rc == DT_OK)
        rc = cstore_load_form(cs, form_name, 0, &f, &err);
    if (rc == DT_OK)
        rc = load(cs, file, f, me, &problems, &n, &err);
    if (rc) {
        cli_error(&err);
    } else if (problems.n) {
        cmdline_problems(stderr, file, &problems);
        fprintf(stderr, "%s: nothing loaded: %zu problem%s\n", file, problems.n,
                problems.n == 1 ? "" : "s");
        rc = DT_EINVAL;
    } else {
        printf("%d assignment%s loaded", n.loaded, n.loaded == 1 ? "" : "s");
        if (n.skipped)
            printf(", %d for other enumerators skipped", n.skipped);
        printf("\n");
    }
    errlist_free(&problems);
    form_free(f);
    free(fid);
    free(me);
    free(device);
    cstore_close(cs);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_assignments_import = {
    .name = "assignments import",
    .args = "FILE.csv [--form ID] [--db PATH]",
    .summary = "load the households to visit from a CSV file",
    .exec = exec,
};
