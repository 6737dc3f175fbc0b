/* outputs_store.c - a province's store made through syncd's own commands: bundles merged by
 * `syncd import`, the sample frame by `syncd assign import` */
#include "outputs_store.h"
#include "child.h"
#include "proto.h"
#include "sync_data.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ENUMERATORS 256
#define JOBS            2 /* threads generating each bundle: the cores of the machine measured */

/* Runs `syncd ARGS... --db PATH`, its output dropped, its errors to the log. */
static int run_syncd(const ostore_opts *o, const char *const args[], dt_err *err)
{
    char *argv[16];
    child_result r;
    int n = 0;

    argv[n++] = (char *)o->syncd;
    for (int i = 0; args[i] && n < 12; i++)
        argv[n++] = (char *)args[i];
    argv[n++] = "--db";
    argv[n++] = (char *)o->path;
    argv[n] = NULL;
    if (child_run(argv, NULL, NULL, o->log_path, &r) || r.status != 0)
        return err_set(err, DT_ERR, "`syncd %s %s` failed (status %d; see %s)", args[0],
                       args[1] ? args[1] : "", r.status, o->log_path);
    return 0;
}

/* Writes one CSV field, quoted (RFC 4180), then sep. */
static void csv_field(FILE *fp, const char *s, char sep)
{
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
    fputc(sep, fp);
}

/* Ties revision r (household number n) to an assignment and writes its frame row: stratum =
 * district, PSU = the village in its commune, as the sample frame of the issue; the weight
 * differs by commune, as when communes were sampled at different rates. */
static int assign(cJSON *r, long n, const char *enumerator, FILE *frame)
{
    const cJSON *ans = cJSON_GetObjectItemCaseSensitive(r, "answers");
    const cJSON *district = cJSON_GetObjectItemCaseSensitive(ans, "district");
    const cJSON *commune = cJSON_GetObjectItemCaseSensitive(ans, "commune_code");
    const cJSON *village = cJSON_GetObjectItemCaseSensitive(ans, "village");
    char id[32], stratum[32], psu[256], weight[32];
    cJSON *v;

    if (!cJSON_IsNumber(district) || !cJSON_IsString(commune) || !cJSON_IsString(village))
        return -1;
    snprintf(id, sizeof(id), "SL-%07ld", n);
    snprintf(stratum, sizeof(stratum), "%d", district->valueint);
    snprintf(psu, sizeof(psu), "%s/%s", commune->valuestring, village->valuestring);
    snprintf(weight, sizeof(weight), "%.2f", 40.0 + 10.0 * (atoi(commune->valuestring) % 5));
    if (!(v = cJSON_CreateString(id)))
        return -1;
    if (cJSON_HasObjectItem(r, "assignment_id")) {
        if (!cJSON_ReplaceItemInObjectCaseSensitive(r, "assignment_id", v))
            return -1;
    } else if (!cJSON_AddItemToObject(r, "assignment_id", v)) {
        return -1;
    }
    csv_field(frame, id, ',');
    csv_field(frame, enumerator, ',');
    csv_field(frame, weight, ',');
    csv_field(frame, stratum, ',');
    csv_field(frame, psu, '\n');
    return ferror(frame) ? -1 : 0;
}

/* Generates households [first, first + n) of enumerator c and writes them as one bundle, as
 * `collector bundle export` would from that laptop's outbox. Bundle k is made by JOBS threads,
 * each with its own generator seeded from k, so that a seed gives the same province whatever
 * the number of cores. */
static int make_bundle(const ostore_opts *o, const sdata_client *c, long k, long first, int n,
                       const char *path, FILE *frame, long *members, dt_err *err)
{
    sdata_job jobs[JOBS];
    cJSON *all = cJSON_CreateArray(), *r;
    long i = 0;
    int rc, count = n < JOBS ? 1 : JOBS; /* every job makes at least one household */

    if (!all)
        return err_set(err, DT_ENOMEM, "out of memory");
    for (int j = 0; j < count; j++)
        jobs[j] = (sdata_job){.first = first + (long)n * j / count,
                              .n = (int)((long)n * (j + 1) / count - (long)n * j / count),
                              .seed = o->seed + (unsigned long long)(k * JOBS + j),
                              .revs_only = 1};
    /* Each household validated by the engine and built with the collector's code. */
    if ((rc = sdata_make_jobs(jobs, count, o->f, n, c, 1, err))) {
        cJSON_Delete(all);
        return rc;
    }
    for (int j = 0; j < count; j++) {
        *members += jobs[j].set.members;
        sdata_free(&jobs[j].set);
        while ((r = cJSON_DetachItemFromArray(jobs[j].revs, 0)))
            cJSON_AddItemToArray(all, r);
        cJSON_Delete(jobs[j].revs);
    }
    cJSON_ArrayForEach(r, all)
    {
        if (assign(r, first + i++, c->user, frame)) {
            rc = err_set(err, DT_EIO, "writing the frame: out of memory or disk");
            goto cleanup;
        }
    }
    rc = proto_bundle_write(path, c->user, c->device_id, all, err);
cleanup:
    cJSON_Delete(all);
    return rc;
}

/* Waits for the import of bundle path, then removes the bundle. */
static int finish_import(const ostore_opts *o, child *imp, const char *path, dt_err *err)
{
    child_result r;

    if (child_wait(imp, &r) || r.status != 0)
        return err_set(err, DT_ERR, "`syncd import %s` failed (status %d; see %s)", path, r.status,
                       o->log_path);
    unlink(path);
    return 0;
}

/* The publishing and the enumerators: what an administrator does on the first day. */
static int first_day(const ostore_opts *o, sdata_client *clients, dt_err *err)
{
    const char *publish[] = {"form", "publish", o->form_path, NULL};
    int rc = run_syncd(o, publish, err);

    for (int i = 0; !rc && i < o->enumerators; i++) {
        sdata_client *c = &clients[i];
        snprintf(c->user, sizeof(c->user), "enum%03d", i + 1);
        snprintf(c->author, sizeof(c->author), "Điều tra viên %03d", i + 1);
        uuid_new(c->device_id);
        const char *add[] = {"user", "add", c->user, "--role", "enumerator", NULL};
        rc = run_syncd(o, add, err);
    }
    return rc;
}

/* Bundles generated one after the other, each imported while the next is generated. */
static int import_all(const ostore_opts *o, const sdata_client *clients, FILE *frame,
                      ostore_info *out, dt_err *err)
{
    char path[2][4200];
    child imp = {0};
    int rc = 0, pending = -1; /* the bundle being imported, or -1 */

    for (int k = 0; k < 2; k++)
        snprintf(path[k], sizeof(path[k]), "%s/bundle-%d.json.gz", o->workdir, k);
    for (long first = 0, k = 0; !rc && first < o->households; first += o->bundle, k++) {
        int n = o->households - first < o->bundle ? (int)(o->households - first) : o->bundle;
        const sdata_client *c = &clients[k % o->enumerators];
        double t0 = child_now();
        if ((rc = make_bundle(o, c, k, first + 1, n, path[k % 2], frame, &out->members, err)))
            break;
        double t1 = child_now();
        out->gen_seconds += t1 - t0;
        if (pending >= 0 && (rc = finish_import(o, &imp, path[pending], err)))
            break;
        out->wait_seconds += child_now() - t1;
        char *argv[] = {(char *)o->syncd, "import",        path[k % 2],
                        "--db",           (char *)o->path, (char *)NULL};
        if (child_start(&imp, argv, NULL, NULL, o->log_path)) {
            pending = -1;
            rc = err_set(err, DT_ERR, "cannot run %s", o->syncd);
            break;
        }
        pending = (int)(k % 2);
        out->bundles++;
    }
    if (pending >= 0) {
        dt_err last;
        double t0 = child_now();
        int rc2 = finish_import(o, &imp, path[pending], &last);
        out->wait_seconds += child_now() - t0;
        if (!rc && rc2)
            rc = err_set(err, rc2, "%s", last.msg);
    }
    return rc;
}

int ostore_build(const ostore_opts *o, ostore_info *out, dt_err *err)
{
    sdata_client *clients = NULL;
    char frame_path[4200];
    FILE *frame = NULL;
    double t0 = child_now(), t1;
    long cases = 0, revisions = 0, framed = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (o->enumerators < 1 || o->enumerators > MAX_ENUMERATORS || o->bundle < 1)
        return err_set(err, DT_EINVAL, "enumerators 1 to %d, bundles of at least 1",
                       MAX_ENUMERATORS);
    if (access(o->path, F_OK) == 0)
        return err_set(err, DT_EINVAL, "%s exists: the benchmark makes its store itself", o->path);
    snprintf(frame_path, sizeof(frame_path), "%s/frame.csv", o->workdir);
    if (!(clients = calloc((size_t)o->enumerators, sizeof(*clients))) ||
        !(frame = fopen(frame_path, "w"))) {
        rc = err_set(err, DT_EIO, "cannot write %s", frame_path);
        goto cleanup;
    }
    fputs("assignment_id,enumerator,weight,stratum,psu\n", frame);
    if ((rc = first_day(o, clients, err)) || (rc = import_all(o, clients, frame, out, err)))
        goto cleanup;
    if (fclose(frame) != 0) {
        frame = NULL;
        rc = err_set(err, DT_EIO, "cannot write %s", frame_path);
        goto cleanup;
    }
    frame = NULL;
    /* The frame last: syncd does not check a revision's assignment on arrival, and the
     * households' districts and villages are known only once they are generated. */
    t1 = child_now();
    const char *frame_args[] = {"assign", "import", frame_path, NULL};
    if ((rc = run_syncd(o, frame_args, err)))
        goto cleanup;
    out->frame_seconds = child_now() - t1;
    if (o->later_form_path) {
        const char *later[] = {"form", "publish", o->later_form_path, NULL};
        if ((rc = run_syncd(o, later, err)))
            goto cleanup;
    }
    out->seconds = child_now() - t0;
    if ((rc = ostore_count(o->path, &cases, &revisions, &framed, err)))
        goto cleanup;
    if (cases != o->households || revisions != o->households || framed != o->households)
        rc = err_set(err, DT_ERR,
                     "%ld households imported, but the store has %ld cases, %ld revisions and "
                     "%ld cases in the frame",
                     o->households, cases, revisions, framed);
cleanup:
    if (frame)
        fclose(frame);
    unlink(frame_path);
    free(clients);
    return rc;
}

int ostore_count(const char *path, long *cases, long *revisions, long *framed, dt_err *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db,
                                "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM "
                                "revisions), (SELECT count(*) FROM cases c JOIN assignments a ON "
                                "a.assignment_id = c.assignment_id)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *cases = (long)sqlite3_column_int64(st, 0);
        *revisions = (long)sqlite3_column_int64(st, 1);
        *framed = (long)sqlite3_column_int64(st, 2);
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        rc = err_set(err, DT_EIO, "%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
