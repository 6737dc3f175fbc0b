/* export.c - statisticians' exports: one pass over a snapshot of the cases through the form
 * engine, turned into rows by a pool of workers and written in case order by the format's
 * writer (the table of writers is here; the files' helpers are export_file.c) */
#include "export_int.h"
#include "cmdline.h"
#include "csv.h"
#include "expr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROGRESS_EVERY 256 /* cases between progress reports */

/* The formats: a writer is a line here and its own file (export_int.h, "Writers"). */
static const exp_writer *const writers[] = {
    [EXP_CSV] = &exp_writer_csv,
    [EXP_DTA] = &exp_writer_dta,
    [EXP_SAV] = &exp_writer_sav,
    [EXP_JSON] = &exp_writer_json,
};

int exp_format_parse(const char *name)
{
    for (int i = 0; i < (int)(sizeof(writers) / sizeof(writers[0])); i++)
        if (!strcmp(name, writers[i]->name))
            return i;
    return -1;
}

const char *exp_format_name(exp_format f)
{
    return writers[f]->name;
}

const char *exp_format_ext(exp_format f)
{
    return writers[f]->ext;
}

/* ---- one case, in a worker: parse, the engine, a row per level turned into bytes */

/* Today as the interview saw it: the date its head revision was made on the device. */
static int case_today(const store_case_row *row)
{
    int days;

    if (row->created_at && strlen(row->created_at) >= 10 &&
        expr_parse_date(row->created_at, 10, &days))
        return days;
    return 0;
}

static int encode(exp_ctx *x, exp_worker *w, exp_job *j, int level)
{
    const exp_level *lv = &x->levels[level];
    buf *out = &j->out[level];

    j->rows[level]++;
    return x->w->row(w, lv, w->cells, out);
}

/* Where the case lies, in the units of today; NULL when the newest version declares none. */
static const exp_place *place(exp_ctx *x, exp_job *j, const store_case_row *row, const form *f,
                              const cJSON *answers, exp_place *at)
{
    const form_choice *c;
    size_t len = 0;

    if (!x->pl)
        return NULL;
    placer_place_form(x->pl, f, row, answers, &at->r);
    j->placed[at->r.how]++;
    c = at->r.unit ? form_area_choice(x->f, at->r.unit->code) : NULL;
    at->has_choice = c != NULL;
    at->choice = c ? c->code : 0;
    at->cands[0] = '\0';
    for (int i = 0; i < at->r.ncands && len < sizeof(at->cands); i++) {
        int n = snprintf(at->cands + len, sizeof(at->cands) - len, "%s%s", i ? " " : "",
                         at->r.cands[i]->code);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    return at;
}

static int one_case(exp_ctx *x, exp_worker *w, exp_job *j, int k, dt_err *err)
{
    const store_case_row *row = &j->row[k];
    const exp_vmap *vm = j->vm[k];
    const exp_place *at;
    exp_place where;
    interview *iv = NULL;
    cJSON *answers = NULL;
    errlist problems = {0};
    int rc = DT_OK;

    if (!(answers = cJSON_Parse(row->answers)))
        return err_set(err, DT_EINVAL, "case %s: its answers are not JSON (run `syncd check`)",
                       row->case_id);
    if (!(iv = eng_new(vm->f, case_today(row), 0))) {
        rc = DT_ENOMEM;
        goto cleanup;
    }
    /* The revision was valid when it was accepted: problems are not the export's business. */
    if ((rc = eng_load_json(iv, answers, &problems)) != DT_ENOMEM)
        rc = DT_OK;
    if (rc)
        goto cleanup;
    at = place(x, j, row, vm->f, answers, &where);
    if (x->w->per_case) {
        j->rows[0]++;
        rc = x->w->doc(x, vm, row, iv, at, &j->out[0]);
        j->end[k] = j->out[0].len;
        goto cleanup;
    }
    exp_fill(w, &x->levels[0], vm, iv, row, at, 0);
    if ((rc = encode(x, w, j, 0)))
        goto cleanup;
    for (int l = 1; l < x->nlevels && !rc; l++) {
        int r = vm->q[x->levels[l].repeat];
        const int *slots;
        if (r < 0)
            continue;
        int n = eng_instances_all(iv, r, &slots);
        if (n < 0) {
            rc = n;
            break;
        }
        for (int i = 0; i < n && !rc; i++) {
            exp_fill(w, &x->levels[l], vm, iv, row, NULL, slots[i]);
            rc = encode(x, w, j, l);
        }
    }
cleanup:
    if (rc == DT_ENOMEM)
        err_set(err, DT_ENOMEM, "out of memory (or a case too large to export: %s)", row->case_id);
    errlist_free(&problems);
    eng_free(iv);
    cJSON_Delete(answers);
    return rc;
}

static void work(exp_worker *w, exp_job *j)
{
    exp_ctx *x = w->x;

    for (int l = 0; l < x->nlevels; l++) {
        buf_reset(&j->out[l]);
        j->rows[l] = 0;
    }
    memset(j->placed, 0, sizeof(j->placed));
    j->rc = DT_OK;
    for (int k = 0; k < j->n && !j->rc; k++)
        j->rc = one_case(x, w, j, k, &j->err);
}

/* ---- in the main thread, in case order: the bytes of a batch to the files */

static int consume(exp_ctx *x, exp_job *j, dt_err *err)
{
    int rc = DT_OK;

    if (j->rc) {
        *err = j->err;
        return j->rc;
    }
    for (int k = 0; k < j->n; k++)
        if (j->vm[k]->f != x->f)
            x->sum->other_version++;
    for (int h = 0; h <= PLACE_NO_TABLE; h++)
        x->sum->placed[h] += j->placed[h];
    if (x->w->per_case) {
        size_t start = 0;
        for (int k = 0; k < j->n && !rc; k++) {
            rc = x->w->take(x, 0, j->row[k].case_id, j->out[0].data + start, j->end[k] - start, 1,
                            err);
            start = j->end[k];
        }
        x->levels[0].rows += j->rows[0];
    }
    for (int l = 0; !x->w->per_case && l < x->nlevels && !rc; l++) {
        x->levels[l].rows += j->rows[l];
        rc = x->w->take(x, l, NULL, j->out[l].data, j->out[l].len, j->rows[l], err);
    }
    long long before = x->sum->cases;
    x->sum->cases += j->n;
    if (!rc && before / PROGRESS_EVERY != x->sum->cases / PROGRESS_EVERY)
        exp_progress(x, "reading", x->sum->cases, -1);
    return rc;
}

/* ---- the pipeline: the main thread reads the snapshot and writes the files; workers turn
 * batches of cases into bytes. A ring of jobs keeps the order and bounds the memory; batches
 * keep the threads from waking each other for every case. */

#define JOBS_PER_WORKER 4
#define MAX_WORKERS     8
#define OUT_MAX         (1u << 30) /* what one batch may give one file */

typedef struct exp_pool {
    pthread_t *tids;
    int started;
    pthread_mutex_t lock; /* next_in, next_work, next_out, stop, abort, job states */
    pthread_cond_t work;  /* a job is ready, or stop */
    pthread_cond_t done;  /* a job is done */
    exp_job *filling;     /* the batch the main thread is filling, or NULL */
} exp_pool;

static void *worker_main(void *arg)
{
    exp_worker *w = arg;
    exp_ctx *x = w->x;
    exp_pool *p = x->pool;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!x->stop && x->next_work == x->next_in)
            pthread_cond_wait(&p->work, &p->lock);
        if (x->next_work == x->next_in)
            break; /* stopped, nothing left */
        exp_job *j = &x->jobs[x->next_work++ % x->njobs];
        int skip = x->abort;
        pthread_mutex_unlock(&p->lock);
        if (!skip)
            work(w, j);
        pthread_mutex_lock(&p->lock);
        j->state = JOB_DONE;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static int pool_start(exp_ctx *x, dt_err *err)
{
    exp_pool *p = calloc(1, sizeof(*p));

    if (!p || !(p->tids = calloc((size_t)x->nthreads, sizeof(*p->tids)))) {
        free(p);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    x->pool = p;
    for (int i = 0; i < x->nthreads; i++) {
        if (pthread_create(&p->tids[i], NULL, worker_main, &x->workers[i]) != 0)
            break;
        p->started++;
    }
    if (!p->started) /* no thread to be had: do the work inline */
        x->nthreads = 0;
    return DT_OK;
}

static void pool_stop(exp_ctx *x, int abort)
{
    exp_pool *p = x->pool;

    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    x->stop = 1;
    x->abort |= abort;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->tids[i], NULL);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    free(p->tids);
    free(p);
    x->pool = NULL;
}

/* Writes the finished jobs in order: waits for them up to job number until, then takes those
 * already done. */
static int drain(exp_ctx *x, long long until, dt_err *err)
{
    exp_pool *p = x->pool;
    int rc = DT_OK;

    pthread_mutex_lock(&p->lock);
    while (x->next_out < x->next_in) {
        exp_job *j = &x->jobs[x->next_out % x->njobs];
        if (j->state != JOB_DONE) {
            if (x->next_out >= until)
                break;
            pthread_cond_wait(&p->done, &p->lock);
            continue;
        }
        pthread_mutex_unlock(&p->lock);
        rc = consume(x, j, err);
        pthread_mutex_lock(&p->lock);
        j->state = JOB_FREE;
        x->next_out++;
        if (rc)
            break;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

/* The texts of a row, in the order copy_row keeps them. */
#define ROW_TEXTS 13
static void row_texts(store_case_row *r, const char **t[ROW_TEXTS])
{
    const char **all[ROW_TEXTS] = {
        &r->case_id,      &r->form_id,       &r->status,   &r->outcome, &r->enumerator,
        &r->commune_code, &r->assignment_id, &r->head_rev, &r->answers, &r->paradata,
        &r->created_at,   &r->stratum,       &r->psu};
    memcpy(t, all, sizeof(all));
}

/* Copies the row's texts into the batch, for a worker to read after the callback returned
 * (offsets now, pointers when the batch is submitted: the text may move as it grows). */
static int copy_row(exp_job *j, const store_case_row *row)
{
    const char **t[ROW_TEXTS];
    int k = j->n;

    j->row[k] = *row; /* paradata only for JSON: store_each_case was told */
    row_texts(&j->row[k], t);
    for (int i = 0; i < ROW_TEXTS; i++) {
        if (!*t[i]) {
            j->off[k][i] = (size_t)-1;
            continue;
        }
        size_t len = strlen(*t[i]) + 1;
        if (j->len + len > j->cap) {
            size_t cap = (j->len + len) * 2;
            char *p = realloc(j->text, cap);
            if (!p)
                return DT_ENOMEM;
            j->text = p;
            j->cap = cap;
        }
        memcpy(j->text + j->len, *t[i], len);
        j->off[k][i] = j->len;
        j->len += len;
    }
    return DT_OK;
}

static int submit(exp_ctx *x, dt_err *err)
{
    exp_pool *p = x->pool;
    exp_job *j = p->filling;

    if (!j)
        return DT_OK;
    for (int k = 0; k < j->n; k++) {
        const char **t[ROW_TEXTS];
        row_texts(&j->row[k], t);
        for (int i = 0; i < ROW_TEXTS; i++)
            *t[i] = j->off[k][i] == (size_t)-1 ? NULL : j->text + j->off[k][i];
    }
    p->filling = NULL;
    pthread_mutex_lock(&p->lock);
    j->state = JOB_READY;
    x->next_in++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    return drain(x, 0, err);
}

static int queue(exp_ctx *x, const store_case_row *row, exp_vmap *vm, dt_err *err)
{
    exp_pool *p = x->pool;
    int rc;

    if (!p->filling) {
        if ((rc = drain(x, x->next_in - x->njobs + 1, err))) /* a free slot */
            return rc;
        p->filling = &x->jobs[x->next_in % x->njobs];
        p->filling->n = 0;
        p->filling->len = 0;
    }
    exp_job *j = p->filling;
    if (copy_row(j, row))
        return err_set(err, DT_ENOMEM, "out of memory");
    j->vm[j->n++] = vm;
    return j->n == EXP_BATCH ? submit(x, err) : DT_OK;
}

static int each_case(void *ctx, const store_case_row *row)
{
    exp_ctx *x = ctx;
    exp_vmap *vm = NULL;
    int rc;

    if ((rc = exp_vmap_get(x, row->form_id, row->form_version, &vm, &x->err)))
        return rc;
    if (x->nthreads)
        return queue(x, row, vm, &x->err);
    exp_job *j = &x->jobs[0]; /* inline: the row stays valid during the callback */
    j->n = 1;
    j->row[0] = *row;
    j->vm[0] = vm;
    work(&x->workers[0], j);
    return consume(x, j, &x->err);
}

static int setup_workers(exp_ctx *x)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int want = x->o->threads > 0 ? x->o->threads : ncpu > 0 ? (int)ncpu : 1;

    x->nthreads = want <= 1 ? 0 : want > MAX_WORKERS ? MAX_WORKERS : want;
    x->njobs = x->nthreads ? JOBS_PER_WORKER * x->nthreads : 1;
    if (!(x->workers = calloc((size_t)x->nthreads + 1, sizeof(*x->workers))) ||
        !(x->jobs = calloc((size_t)x->njobs, sizeof(*x->jobs))))
        return DT_ENOMEM;
    for (int i = 0; i <= x->nthreads; i++) {
        exp_worker *w = &x->workers[i];
        w->x = x;
        if (!(w->cells = calloc((size_t)x->widest, sizeof(*w->cells))) ||
            !(w->fields = calloc((size_t)x->widest, sizeof(*w->fields))) ||
            !(w->num = calloc((size_t)x->widest, sizeof(*w->num))) ||
            !(w->pn = calloc((size_t)x->widest, sizeof(*w->pn))))
            return DT_ENOMEM;
    }
    for (int i = 0; i < x->njobs; i++) {
        exp_job *j = &x->jobs[i];
        if (!(j->out = calloc((size_t)x->nlevels, sizeof(*j->out))) ||
            !(j->rows = calloc((size_t)x->nlevels, sizeof(*j->rows))))
            return DT_ENOMEM;
        for (int l = 0; l < x->nlevels; l++)
            buf_init(&j->out[l], OUT_MAX);
    }
    return DT_OK;
}

static void free_workers(exp_ctx *x)
{
    for (int i = 0; x->workers && i <= x->nthreads; i++) {
        free(x->workers[i].cells);
        free(x->workers[i].fields);
        free(x->workers[i].num);
        free(x->workers[i].pn);
    }
    free(x->workers);
    for (int i = 0; x->jobs && i < x->njobs; i++) {
        for (int l = 0; x->jobs[i].out && l < x->nlevels; l++)
            buf_free(&x->jobs[i].out[l]);
        free(x->jobs[i].out);
        free(x->jobs[i].rows);
        free(x->jobs[i].text);
    }
    free(x->jobs);
}

/* ---- the whole export */

int exp_run(store *s, const exp_options *o, exp_summary *out, dt_err *err)
{
    exp_ctx x;
    char dir[4096];
    int rc, begun = 0;

    memset(out, 0, sizeof(*out));
    memset(&x, 0, sizeof(x));
    x.s = s;
    x.o = o;
    x.sum = out;
    if ((unsigned)o->format >= sizeof(writers) / sizeof(writers[0]))
        return err_set(err, DT_EINVAL, "export: format %d is not one", (int)o->format);
    x.w = writers[o->format];
    if (o->history && o->format != EXP_JSON)
        return err_set(err, DT_EINVAL, "--history is for --format json");
    if (o->history && !o->db_path)
        return err_set(err, DT_EINVAL, "the history needs the store's path");
    if (o->status && strcmp(o->status, "approved") != 0)
        return err_set(err, DT_EINVAL, "status '%s': use approved, or all", o->status);
    if ((rc = store_form_latest(s, o->form_id, &x.f, err)))
        return rc;
    x.lang = o->lang ? form_lang_index(x.f, o->lang) : 0;
    if (x.lang < 0) {
        char langs[128] = "";
        for (int i = 0; i < form_nlangs(x.f); i++)
            snprintf(langs + strlen(langs), sizeof(langs) - strlen(langs), "%s%s", i ? ", " : "",
                     form_lang(x.f, i));
        return err_set(err, DT_EINVAL, "form %s has no language '%s' (it has %s)", form_id(x.f),
                       o->lang, langs);
    }
    x.meta_en = strcmp(form_lang(x.f, x.lang), "vi") != 0;
    snprintf(out->form_id, sizeof(out->form_id), "%s", form_id(x.f));
    out->form_version = form_version(x.f);
    if (snprintf(dir, sizeof(dir), "%s", o->out_dir) >= (int)sizeof(dir))
        return err_set(err, DT_EINVAL, "%s: the folder's name is too long", o->out_dir);
    if ((rc = cmdline_mkdirs(dir, err)))
        return rc;
    /* The newest version's table of units places every case (place.h), before the layout:
     * its columns exist only then. */
    if (form_geo_table(x.f) && (rc = placer_open(&x.pl, s, form_id(x.f), err)))
        goto cleanup;
    if (x.pl)
        snprintf(out->units, sizeof(out->units), "%s", form_geo_table(x.f));
    /* Which columns name people, before the layout: they become text when hashed. */
    if ((rc = exp_names_begin(&x, err)))
        goto cleanup;
    if ((rc = exp_layout_build(&x)) || (rc = setup_workers(&x))) {
        err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (x.nlevels + 1 > EXP_MAX_FILES) {
        rc = err_set(err, DT_EINVAL, "form %s has %d repeats: an export makes %d files at most",
                     form_id(x.f), x.nlevels - 1, EXP_MAX_FILES);
        goto cleanup;
    }
    begun = 1;
    rc = x.w->begin(&x, err);
    if (rc || (x.nthreads && (rc = pool_start(&x, err))))
        goto cleanup;
    err_clear(&x.err);
    rc = store_each_case(s, form_id(x.f), o->status,
                         o->format == EXP_JSON ? STORE_EACH_PARADATA : 0u, each_case, &x, err);
    if (!rc && x.pool && !(rc = submit(&x, &x.err))) /* the last batch */
        rc = drain(&x, x.next_in, &x.err);
    if (rc) {
        if (x.err.code)
            *err = x.err;
        goto cleanup;
    }
    pool_stop(&x, 0);
    exp_progress(&x, "reading", out->cases, out->cases);
    rc = x.w->finish(&x, err);
    if (!rc)
        rc = exp_codebook_write(&x, err);
cleanup:
    rc = exp_publish(&x, rc == DT_OK, err) ? DT_EIO : rc;
    pool_stop(&x, 1);
    if (begun)
        x.w->free(&x);
    free_workers(&x);
    exp_layout_free(&x);
    exp_names_end(&x);
    placer_close(x.pl);
    return rc;
}
