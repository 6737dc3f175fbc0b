/* fault.c - kill points and failures at the file layer, offered to the fault tests */
#include "fault.h"

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fault_plan {
    long kill_at_write; /* 0: never */
    long kill_at_sync;
    long fail_sync;
    char count_path[4096]; /* "" : no count kept */
} fault_plan;

/* A file of ours: SQLite allocates szOsFile bytes, the real file follows this header. */
typedef struct fault_file {
    sqlite3_file base;
    sqlite3_file *real;
} fault_file;

static fault_plan plan;
static long writes, syncs; /* of the whole process, updated atomically */
static sqlite3_vfs vfs, *real_vfs;
static sqlite3_io_methods io;
static int install_rc;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define REAL(f) (((fault_file *)(f))->real)

static int f_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods->xClose(REAL(f));

    REAL(f)->pMethods = NULL;
    return rc;
}

static int f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    long k = __atomic_add_fetch(&writes, 1, __ATOMIC_SEQ_CST);

    if (k == plan.kill_at_write) {
        if (n > 1)
            REAL(f)->pMethods->xWrite(REAL(f), p, n / 2, off);
        raise(SIGKILL);
    }
    return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
    long k = __atomic_add_fetch(&syncs, 1, __ATOMIC_SEQ_CST);
    int rc = REAL(f)->pMethods->xSync(REAL(f), flags);

    if (k == plan.kill_at_sync)
        raise(SIGKILL);
    if (k == plan.fail_sync && rc == SQLITE_OK)
        return SQLITE_IOERR_FSYNC;
    return rc;
}

static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int f_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int f_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int f_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int f_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int f_device(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int f_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int f_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    if (REAL(f)->pMethods->iVersion < 3) {
        *pp = NULL;
        return SQLITE_OK;
    }
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    if (REAL(f)->pMethods->iVersion < 3)
        return SQLITE_OK;
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static int f_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    fault_file *ff = (fault_file *)f;
    int rc;

    (void)v;
    ff->real = (sqlite3_file *)(ff + 1);
    rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
    /* SQLite calls xClose only when pMethods is set: set it exactly when the real one is. */
    ff->base.pMethods = ff->real->pMethods ? &io : NULL;
    return rc;
}

static void write_count(void)
{
    FILE *fp = fopen(plan.count_path, "a");

    if (fp) {
        fprintf(fp, "writes=%ld syncs=%ld\n", writes, syncs);
        fclose(fp);
    }
}

/* One item of DIEUTRA_FAULT; returns -1 when it is not one of ours. */
static int parse_item(const char *item, size_t len)
{
    static const struct {
        const char *name;
        long *to;
    } counts[] = {
        {"kill-at-write=", &plan.kill_at_write},
        {"kill-at-sync=", &plan.kill_at_sync},
        {"fail-sync=", &plan.fail_sync},
    };
    char text[4200];
    char *end;

    if (len >= sizeof(text))
        return -1;
    memcpy(text, item, len);
    text[len] = '\0';
    if (!strncmp(text, "count=", 6) && text[6]) {
        if (len - 6 >= sizeof(plan.count_path))
            return -1;
        memcpy(plan.count_path, text + 6, len - 6 + 1);
        return 0;
    }
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        size_t n = strlen(counts[i].name);
        if (strncmp(text, counts[i].name, n) != 0)
            continue;
        *counts[i].to = strtol(text + n, &end, 10);
        return *end || *counts[i].to < 1 ? -1 : 0;
    }
    return -1;
}

static void install(void)
{
    const char *spec = getenv("DIEUTRA_FAULT");

    if (!spec || !*spec)
        return;
    for (const char *p = spec; *p;) {
        size_t len = strcspn(p, ",");
        if (parse_item(p, len)) {
            fprintf(stderr, "DIEUTRA_FAULT: cannot understand '%.*s' (see common/fault.h)\n",
                    (int)len, p);
            install_rc = -1;
            return;
        }
        p += len + (p[len] == ',');
    }
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs) {
        install_rc = -1;
        return;
    }
    vfs = *real_vfs;
    vfs.zName = "dieutra-fault";
    vfs.szOsFile = (int)sizeof(fault_file) + real_vfs->szOsFile;
    vfs.xOpen = f_open;
    io = (sqlite3_io_methods){3,        f_close,   f_read,     f_write,       f_truncate,  f_sync,
                              f_size,   f_lock,    f_unlock,   f_reserved,    f_control,   f_sector,
                              f_device, f_shm_map, f_shm_lock, f_shm_barrier, f_shm_unmap, f_fetch,
                              f_unfetch};
    if (sqlite3_vfs_register(&vfs, 1) != SQLITE_OK) {
        install_rc = -1;
        return;
    }
    if (plan.count_path[0])
        atexit(write_count);
}

int fault_install(void)
{
    pthread_once(&once, install);
    return install_rc;
}
