/* httpd_jobs.c - the background routes' workers (httpd_int.h): a queue of suspended requests
 * and threads that run their handlers at a lower scheduling priority than the server's own
 * threads. Under a province's pushes, the two cores go to the pushes only when no page wants
 * them. */
#define _GNU_SOURCE
#include "httpd_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WORKER_NICE 10 /* a nice 0 thread gets about ten times a nice 10 thread's time */
#define MAX_WORKERS 64

struct httpd_jobs {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    http_req *head, *tail; /* queued, oldest first */
    int stopping;
    unsigned n;
    pthread_t th[MAX_WORKERS];
};

static void *worker(void *arg)
{
    httpd_jobs *j = arg;
    http_req *r;

    /* this thread only (Linux schedules threads as tasks); a thread may lower its own
     * priority without privileges. Failing to is not an error: it runs as the others. */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE);
    for (;;) {
        pthread_mutex_lock(&j->lock);
        while (!j->head && !j->stopping)
            pthread_cond_wait(&j->wake, &j->lock);
        r = j->head;
        if (r) {
            j->head = r->next_job;
            if (!j->head)
                j->tail = NULL;
        }
        pthread_mutex_unlock(&j->lock);
        if (!r)
            return NULL; /* stopping, and nothing left */
        httpd_run_handler(r);
        r->resumed = 1;
        MHD_resume_connection(r->conn);
    }
}

int httpd_jobs_start(httpd_jobs **out, unsigned threads)
{
    httpd_jobs *j = calloc(1, sizeof(*j));

    *out = NULL;
    if (!j)
        return -1;
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->wake, NULL);
    if (threads < 1)
        threads = 1;
    for (; j->n < threads && j->n < MAX_WORKERS; j->n++)
        if (pthread_create(&j->th[j->n], NULL, worker, j) != 0)
            break;
    if (!j->n) {
        httpd_jobs_stop(j);
        return -1;
    }
    *out = j;
    return 0;
}

int httpd_jobs_run(httpd_jobs *j, http_req *r)
{
    int rc = -1;

    pthread_mutex_lock(&j->lock);
    if (!j->stopping) {
        r->next_job = NULL;
        if (j->tail)
            j->tail->next_job = r;
        else
            j->head = r;
        j->tail = r;
        pthread_cond_signal(&j->wake);
        rc = 0;
    }
    pthread_mutex_unlock(&j->lock);
    return rc;
}

void httpd_jobs_stop(httpd_jobs *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->lock);
    j->stopping = 1;
    pthread_cond_broadcast(&j->wake);
    pthread_mutex_unlock(&j->lock);
    /* the queue is drained before the workers return: every suspended request is resumed */
    for (unsigned i = 0; i < j->n; i++)
        pthread_join(j->th[i], NULL);
    pthread_cond_destroy(&j->wake);
    pthread_mutex_destroy(&j->lock);
    free(j);
}
