/* cmd_import.c - `collector import FILE.json`: create and finalize interviews from answer files */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "display.h"
#include "engine.h"
#include "json.h"
#include "paradata.h"
#include "uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_MAX (256 * 1024 * 1024) /* a file of answer documents */

typedef struct importer {
    cstore *cs;
    const char *file;
    char *enumerator;
    char *device;
    form *f; /* the form of the previous document, kept while the next uses it too */
    int imported;
    int skipped; /* already on this laptop: importing a file twice is safe */
    int refused;
} importer;

/* Loads the form a document names, reusing the previous one when it is the same. */
static int doc_form(importer *im, const cJSON *doc, errlist *problems, dt_err *err)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "form_id");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "form_version");
    long long v;

    if (!cJSON_IsString(id) || !json_get_int(ver, &v) || v < 1 || v > 1000000) {
        errlist_add(problems, "document", "", "needs \"form_id\" and \"form_version\"");
        return DT_EINVAL;
    }
    if (im->f && !strcmp(form_id(im->f), id->valuestring) && form_version(im->f) == v)
        return DT_OK;
    form_free(im->f);
    im->f = NULL;
    int rc = cstore_load_form(im->cs, id->valuestring, (int)v, &im->f, err);
    if (rc == DT_ENOTFOUND || rc == DT_EINVAL) {
        errlist_add(problems, "form_version", "", "%s", err->msg);
        return DT_EINVAL;
    }
    return rc;
}

/* The case id a document gives (to make re-imports safe), or a new one. Returns
 * 1 when that interview is already here. */
static int doc_case_id(importer *im, const cJSON *doc, char *out, errlist *problems, dt_err *err)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "case_id");
    cstore_case existing;

    if (!id) {
        uuid_new(out);
        return DT_OK;
    }
    if (!cJSON_IsString(id) || !uuid_valid(id->valuestring)) {
        errlist_add(problems, "case_id", "", "expected a UUID like 0b6e4e7a-...");
        return DT_EINVAL;
    }
    snprintf(out, UUID_LEN + 1, "%s", id->valuestring);
    int rc = cstore_case_get(im->cs, out, &existing, err);
    cstore_case_free(&existing);
    if (rc == DT_OK)
        return 1;
    return rc == DT_ENOTFOUND ? DT_OK : rc;
}

/* Stores one valid interview: created and finalized in one transaction, so that a
 * crash leaves either nothing or the whole finalized interview. */
/* The assignment a document names ("assignment_id"), which must be on this laptop and for
 * the document's form: 0 (a filled, or left zeroed when none is named), DT_EINVAL with the
 * problem added, or an error of the database. */
static int doc_assignment(importer *im, const cJSON *doc, cstore_assignment *a, errlist *problems,
                          dt_err *err)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "assignment_id");
    int rc;

    memset(a, 0, sizeof(*a));
    if (!id || cJSON_IsNull(id))
        return DT_OK;
    if (!cJSON_IsString(id) || !*id->valuestring) {
        errlist_add(problems, "assignment_id", "", "expected the id of an assignment");
        return DT_EINVAL;
    }
    rc = cstore_assignment_get(im->cs, id->valuestring, a, err);
    if (rc == DT_ENOTFOUND) {
        errlist_add(problems, "assignment_id", id->valuestring,
                    "no such assignment on this laptop (collector assignments)");
        return DT_EINVAL;
    }
    if (rc)
        return rc;
    if (strcmp(a->form_id, form_id(im->f)) != 0) {
        errlist_add(problems, "assignment_id", id->valuestring, "this assignment is for form %s",
                    a->form_id);
        cstore_assignment_free(a);
        memset(a, 0, sizeof(*a));
        return DT_EINVAL;
    }
    return DT_OK;
}

static int store(importer *im, interview *iv, const char *case_id, const cJSON *doc,
                 const cstore_assignment *a, dt_err *err)
{
    cstore_case c = {0};
    char now[32], rev[UUID_LEN + 1];
    char *answers = NULL, *para = NULL;
    cJSON *json = eng_to_json(iv), *p = NULL;
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(doc, "paradata");
    buf label;
    int rc;

    buf_init(&label, 4096);
    p = cJSON_IsObject(given) ? cJSON_Duplicate(given, 1)
                              : paradata_new(im->enumerator, im->device, form_id(im->f),
                                             form_version(im->f), "import");
    if (p && !cJSON_IsObject(given))
        paradata_end(p);
    answers = json ? cJSON_PrintUnformatted(json) : NULL;
    para = p ? paradata_text(p) : NULL;
    if (!answers || !para || eng_household_label(&label, iv, 0)) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    cstore_now(now);
    c.case_id = (char *)case_id;
    c.form_id = (char *)form_id(im->f);
    c.form_version = form_version(im->f);
    c.enumerator = im->enumerator;
    c.device_id = im->device;
    c.answers = answers;
    c.paradata = para;
    c.label = label.data ? label.data : "";
    c.created_at = now;
    if (a->assignment_id) {
        c.assignment_id = a->assignment_id;
        c.weight = a->weight;
        c.has_weight = a->has_weight;
        c.stratum = a->stratum;
        c.psu = a->psu;
    }
    if ((rc = cstore_begin(im->cs, err)))
        goto cleanup;
    rc = cstore_case_create(im->cs, &c, err);
    if (rc == DT_OK)
        rc = cstore_case_finalize(im->cs, case_id, answers, para,
                                  eng_is_refusal(iv) ? "refusal" : "complete", c.label, rev, err);
    if (rc == DT_OK)
        rc = cstore_commit(im->cs, err);
    else
        cstore_rollback(im->cs);
cleanup:
    buf_free(&label);
    free(answers);
    free(para);
    cJSON_Delete(json);
    cJSON_Delete(p);
    return rc;
}

/* Validates and stores document number n. Returns 0 (imported or refused, counted)
 * or an error that stops the import (the disk, the database). */
static int import_one(importer *im, const cJSON *doc, int n, dt_err *err)
{
    errlist problems = {0};
    interview *iv = NULL;
    cstore_assignment a = {0};
    char case_id[UUID_LEN + 1], rev[UUID_LEN + 1], where[4200];
    int rc;

    snprintf(where, sizeof(where), "%s: interview %d", im->file, n);
    if (!cJSON_IsObject(doc)) {
        errlist_add(&problems, "document", "", "expected a JSON object");
        goto refused;
    }
    if ((rc = doc_form(im, doc, &problems, err)) == DT_EINVAL)
        goto refused;
    if (rc)
        goto cleanup;
    if ((rc = doc_case_id(im, doc, case_id, &problems, err)) == DT_EINVAL)
        goto refused;
    if (rc == 1) {
        im->skipped++;
        printf("%s: already imported as %s, skipped\n", where, case_id);
        rc = DT_OK;
        goto cleanup;
    }
    if (rc)
        goto cleanup;
    iv = eng_new(im->f, disp_today(), 0);
    if (!iv) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    rc = eng_load_document(iv, doc, &problems);
    if (rc == DT_ENOMEM || (rc == DT_OK && eng_validate(iv, &problems) < 0)) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (problems.n)
        goto refused;
    if ((rc = doc_assignment(im, doc, &a, &problems, err)) == DT_EINVAL)
        goto refused;
    if (rc)
        goto cleanup;
    /* A failed save still stops the import, but what the database holds is said first: an
     * interview stored and reported as lost would be typed again, a duplicate household. */
    if ((rc = store(im, iv, case_id, doc, &a, err)) &&
        cstore_recheck_finalized(im->cs, case_id, rev) != 1)
        goto cleanup;
    im->imported++;
    /* Said only after the commit, and flushed: a line on the screen is a promise. */
    printf("%s: imported as %s\n", where, case_id);
    fflush(stdout);
    goto cleanup;
refused:
    im->refused++;
    rc = DT_OK;
    cmdline_problems(stderr, where, &problems);
    fprintf(stderr, "%s: refused, nothing stored (%zu problem%s)\n", where, problems.n,
            problems.n == 1 ? "" : "s");
cleanup:
    eng_free(iv);
    cstore_assignment_free(&a);
    errlist_free(&problems);
    return rc;
}

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv);
    importer im = {0};
    cJSON *doc = NULL;
    dt_err err;
    int rc = DT_OK, n = 0, status;

    if (argc != 1)
        return cmd_usage(&cmd_import);
    im.file = argv[0];
    if (json_load_file(&doc, im.file, IMPORT_MAX, &err)) {
        cli_error(&err);
        return EXIT_FAILED;
    }
    if (!(im.cs = cli_open(db))) {
        cJSON_Delete(doc);
        return EXIT_TROUBLE;
    }
    if ((rc = cstore_identity(im.cs, &im.enumerator, &im.device, &err)))
        goto done;
    if (cJSON_IsArray(doc)) {
        const cJSON *d;
        cJSON_ArrayForEach(d, doc)
        {
            if ((rc = import_one(&im, d, ++n, &err)))
                break;
        }
    } else {
        rc = import_one(&im, doc, ++n, &err);
    }
done:
    if (rc)
        cli_error(&err);
    printf("%d imported, %d already here, %d refused\n", im.imported, im.skipped, im.refused);
    status = rc ? cmdline_exit_status(rc) : im.refused ? EXIT_FAILED : EXIT_OK;
    form_free(im.f);
    free(im.enumerator);
    free(im.device);
    cstore_close(im.cs);
    cJSON_Delete(doc);
    return status;
}

const cmd_entry cmd_import = {
    .name = "import",
    .args = "FILE.json [--db PATH]",
    .summary = "create and finalize interviews from answer files",
    .exec = exec,
};
