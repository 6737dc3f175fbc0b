/* sync_data.c - synthetic uploads for the sync benchmark: households as the collector sends
 * them, the rows syncd stores for them, and the same answers as ODK XML instances */
#include "sync_data.h"
#include "buf.h"
#include "engine.h"
#include "openrosa.h"
#include "proto.h"
#include "version.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TODAY 20786 /* 2026-11-29, days since 1970-01-01: the survey's day */

void sdata_free(sdata_set *s)
{
    for (int i = 0; s->hh && i < s->n; i++) {
        sdata_hh *h = &s->hh[i];
        cJSON_free(h->answers);
        cJSON_free(h->paradata);
        free(h->commune);
        free(h->hkey);
        free(h->xml);
    }
    for (int i = 0; s->batches && i < s->nbatches; i++)
        free(s->batches[i].gz);
    free(s->hh);
    free(s->batches);
    memset(s, 0, sizeof(*s));
}

/* The paradata `collector interview` records: who, where, when, and the tenths of a
 * second each screen was shown (collector/paradata.c). */
static char *interview_paradata(interview *iv, synth_rng *rng, const sdata_client *c,
                                const char *started, const char *ended)
{
    cJSON *p = cJSON_CreateObject(), *sec;
    eng_pos *screens = NULL;
    char *text = NULL;
    int n;

    if (!p || !cJSON_AddStringToObject(p, "started_at", started) ||
        !cJSON_AddStringToObject(p, "ended_at", ended) ||
        !cJSON_AddStringToObject(p, "device_id", c->device_id) ||
        !cJSON_AddStringToObject(p, "enumerator", c->author) ||
        !cJSON_AddStringToObject(p, "program_version", DT_VERSION) ||
        !cJSON_AddStringToObject(p, "form_id", form_id(eng_form(iv))) ||
        !cJSON_AddNumberToObject(p, "form_version", form_version(eng_form(iv))) ||
        !cJSON_AddNumberToObject(p, "sessions", 1) ||
        !cJSON_AddStringToObject(p, "source", "interview") ||
        !(sec = cJSON_AddObjectToObject(p, "seconds")) || (n = eng_screens(iv, &screens)) < 0)
        goto cleanup;
    for (int i = 0; i < n; i++) {
        char place[128];
        eng_pos_name(iv, screens[i], place, sizeof(place));
        if (!cJSON_AddNumberToObject(sec, place, synth_int(rng, 10, 400) / 10.0))
            goto cleanup;
    }
    text = cJSON_PrintUnformatted(p);
cleanup:
    free(screens);
    cJSON_Delete(p);
    return text;
}

/* The household key as syncd joins it ('|'), NULL when the form has none or a part is
 * unanswered; the commune code likewise. 0 or -1 (out of memory). */
static int identify(interview *iv, sdata_hh *h)
{
    const form *f = eng_form(iv);
    int n, cq = form_find(f, "commune_code");
    const int *key = form_household_key(f, &n);
    buf b;

    if (cq >= 0 && form_q(f, cq)->repeat < 0) {
        const val *v = eng_get(iv, (eng_pos){cq, 0});
        if (v->has && !(h->commune = strdup(v->str)))
            return -1;
    }
    if (n <= 0)
        return 0;
    buf_init(&b, 64 * 1024);
    for (int i = 0; i < n; i++) {
        const val *v = eng_get(iv, (eng_pos){key[i], 0});
        if (!v->has) {
            buf_free(&b);
            return 0;
        }
        if ((i && buf_puts(&b, "|")) || buf_puts(&b, v->str))
            return -1;
    }
    return (h->hkey = buf_detach(&b)) ? 0 : -1;
}

/* Makes household h (number `number`) and its wire revision, appended to revs. */
static int make_one(sdata_hh *h, cJSON *revs, const form *f, synth_rng *rng, long number,
                    const sdata_client *c, dt_err *err)
{
    errlist issues = {0};
    cJSON *doc = synth_household(rng, number), *ans = NULL, *j = NULL;
    interview *iv = eng_new(f, TODAY, 0);
    char *answers = NULL, *paradata = NULL, started[24];
    proto_rev r, back;
    dt_err perr;
    int rc = DT_ENOMEM;
    long t = number % 36000; /* a time of the day, for created_at */

    if (!doc || !iv)
        goto cleanup;
    if (eng_load_document(iv, doc, &issues) || eng_validate(iv, &issues) != 0) {
        rc = err_set(err, DT_EINVAL, "synthetic household %ld is not valid: %s: %s", number,
                     issues.n ? issues.items[0].where : "?",
                     issues.n ? issues.items[0].msg : "out of memory");
        goto cleanup;
    }
    uuid_new(h->rev_id);
    uuid_new(h->case_id);
    snprintf(started, sizeof(started), "2026-11-29T%02ld:%02ld:%02ldZ", 7 + t / 3600 % 10,
             t / 60 % 60, t % 60);
    snprintf(h->created_at, sizeof(h->created_at), "2026-11-29T%02ld:%02ld:%02ldZ",
             7 + t / 3600 % 10, (t / 60 + 20) % 60, t % 60);
    h->outcome = eng_is_refusal(iv) ? "refusal" : "complete";
    h->members = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "answers"), "members"));
    if (!(ans = eng_to_json(iv)) || !(answers = cJSON_PrintUnformatted(ans)) ||
        !(paradata = interview_paradata(iv, rng, c, started, h->created_at)) || identify(iv, h) ||
        !(h->xml = openrosa_instance(iv, h->rev_id)))
        goto cleanup;
    memset(&r, 0, sizeof(r));
    r.rev_id = h->rev_id;
    r.case_id = h->case_id;
    r.parent_rev_id = NULL; /* a new case's first revision */
    r.form_id = form_id(f);
    r.form_version = form_version(f);
    r.author = c->author;
    r.device_id = c->device_id;
    r.created_at = h->created_at;
    r.outcome = h->outcome;
    r.assignment_id = NULL;
    if (!(j = proto_rev_build(&r, answers, paradata)))
        goto cleanup;
    /* What syncd will see: the revision parsed back, its hash and its re-printed parts. */
    if (proto_rev_parse(&back, j, "revision", &perr)) {
        rc = err_set(err, DT_EINVAL, "a built revision does not parse: %s", perr.msg);
        goto cleanup;
    }
    proto_rev_hash(&back, h->hash);
    if (!(h->answers = cJSON_PrintUnformatted(back.answers)) ||
        !(h->paradata = cJSON_PrintUnformatted(back.paradata)))
        goto cleanup;
    if (!cJSON_AddItemToArray(revs, j))
        goto cleanup;
    j = NULL;
    rc = DT_OK;
cleanup:
    if (rc == DT_ENOMEM)
        err_set(err, DT_ENOMEM, "out of memory");
    cJSON_Delete(j);
    cJSON_free(answers);
    cJSON_free(paradata);
    cJSON_Delete(ans);
    cJSON_Delete(doc);
    eng_free(iv);
    errlist_free(&issues);
    return rc;
}

/* The push body of `collector sync` (collector/cmd_sync.c push_batch), gzip-compressed as
 * collector/net.c sends it. Takes revs. */
static int seal(sdata_batch *b, const char *device_id, cJSON *revs, dt_err *err)
{
    cJSON *body = cJSON_CreateObject();
    char *text = NULL;
    int rc = DT_ENOMEM;

    if (!body || !cJSON_AddStringToObject(body, "device_id", device_id) ||
        !cJSON_AddItemToObject(body, "revisions", revs)) {
        cJSON_Delete(body);
        cJSON_Delete(revs);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    if ((text = cJSON_PrintUnformatted(body))) {
        b->json_len = strlen(text);
        rc = proto_gzip(&b->gz, &b->gz_len, text, b->json_len, err);
    } else {
        err_set(err, DT_ENOMEM, "out of memory");
    }
    cJSON_free(text);
    cJSON_Delete(body);
    return rc;
}

int sdata_make(sdata_set *out, const form *f, synth_rng *rng, long first_number, int n, int batch,
               const sdata_client *clients, int nclients, dt_err *err)
{
    int rc = DT_OK;

    memset(out, 0, sizeof(*out));
    if (n <= 0 || batch <= 0 || nclients <= 0)
        return err_set(err, DT_EINVAL, "nothing to generate");
    out->hh = calloc((size_t)n, sizeof(*out->hh));
    out->batches = calloc((size_t)(n + batch - 1) / (size_t)batch, sizeof(*out->batches));
    if (!out->hh || !out->batches) {
        sdata_free(out);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    out->n = n;
    for (int first = 0, k = 0; first < n; first += batch, k++) {
        sdata_batch *b = &out->batches[k];
        cJSON *revs = cJSON_CreateArray();
        b->client = k % nclients;
        b->first = first;
        b->n = n - first < batch ? n - first : batch;
        out->nbatches = k + 1;
        if (!revs) {
            rc = err_set(err, DT_ENOMEM, "out of memory");
            break;
        }
        for (int i = first; i < first + b->n && rc == DT_OK; i++) {
            out->hh[i].client = b->client;
            rc = make_one(&out->hh[i], revs, f, rng, first_number + i, &clients[b->client], err);
            out->members += out->hh[i].members;
        }
        if (rc) {
            cJSON_Delete(revs);
            break;
        }
        if ((rc = seal(b, clients[b->client].device_id, revs, err)))
            break;
    }
    if (rc)
        sdata_free(out);
    return rc;
}

int sdata_make_revs(sdata_set *out, cJSON **revs, const form *f, synth_rng *rng, long first_number,
                    int n, const sdata_client *client, dt_err *err)
{
    int rc = DT_OK;

    memset(out, 0, sizeof(*out));
    *revs = NULL;
    if (n <= 0)
        return err_set(err, DT_EINVAL, "nothing to generate");
    out->hh = calloc((size_t)n, sizeof(*out->hh));
    *revs = cJSON_CreateArray();
    if (!out->hh || !*revs) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    out->n = n;
    for (int i = 0; i < n && rc == DT_OK; i++) {
        rc = make_one(&out->hh[i], *revs, f, rng, first_number + i, client, err);
        out->members += out->hh[i].members;
    }
cleanup:
    if (rc) {
        sdata_free(out);
        cJSON_Delete(*revs);
        *revs = NULL;
    }
    return rc;
}

typedef struct job_run {
    sdata_job *job;
    const form *f;
    int batch, nclients;
    const sdata_client *clients;
    int rc;
    dt_err err;
} job_run;

static void *job_thread(void *arg)
{
    job_run *r = arg;
    synth_rng rng;

    synth_seed(&rng, r->job->seed);
    if (r->job->revs_only)
        r->rc = sdata_make_revs(&r->job->set, &r->job->revs, r->f, &rng, r->job->first, r->job->n,
                                r->clients, &r->err);
    else
        r->rc = sdata_make(&r->job->set, r->f, &rng, r->job->first, r->job->n, r->batch, r->clients,
                           r->nclients, &r->err);
    return NULL;
}

int sdata_make_jobs(sdata_job *jobs, int count, const form *f, int batch,
                    const sdata_client *clients, int nclients, dt_err *err)
{
    job_run *runs = calloc((size_t)count, sizeof(*runs));
    pthread_t *th = calloc((size_t)count, sizeof(*th));
    int rc = DT_OK, started = 0;

    if (!runs || !th) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (; started < count; started++) {
        runs[started] = (job_run){&jobs[started], f, batch, nclients, clients, DT_OK, {0, ""}};
        if (pthread_create(&th[started], NULL, job_thread, &runs[started])) {
            rc = err_set(err, DT_ERR, "cannot start a thread");
            break;
        }
    }
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        if (runs[i].rc && !rc)
            rc = err_set(err, runs[i].rc, "%s", runs[i].err.msg);
    }
    if (rc)
        for (int i = 0; i < started; i++) {
            sdata_free(&jobs[i].set);
            cJSON_Delete(jobs[i].revs);
            jobs[i].revs = NULL;
        }
cleanup:
    free(runs);
    free(th);
    return rc;
}
