/* zipdir.c - a zip archive of some files of a folder, written with libzip */
#include "zipdir.h"

#include <stdio.h>
#include <zip.h>

/* The deflate level. 0 would be libzip's default, which is zlib's slowest (9); zlib's own
 * default (6) makes archives of these files hardly bigger, in much less time: a statistician
 * waits for the whole archive before the download starts. */
#define ZD_LEVEL 6

/* err from a libzip error about what (a path); returns the DT_ code. */
static int zip_failed(dt_err *err, zip_error_t *ze, const char *what)
{
    int code = zip_error_code_zip(ze) == ZIP_ER_MEMORY ? DT_ENOMEM : DT_EIO;

    return err_set(err, code, "%s: %s", what, zip_error_strerror(ze));
}

int zd_write(const char *zip_path, const char *dir, const char *const *names, int n, dt_err *err)
{
    zip_t *za;
    zip_error_t ze;
    char path[4096];
    int zerr = 0, rc = DT_OK;

    /* libzip writes no file at all for an archive without entries: the caller would find
     * nothing to send. */
    if (n < 1)
        return err_set(err, DT_EIO, "%s: no file to put in the archive", zip_path);
    za = zip_open(zip_path, ZIP_CREATE | ZIP_EXCL, &zerr);
    if (!za) {
        zip_error_init_with_code(&ze, zerr);
        rc = zip_failed(err, &ze, zip_path);
        zip_error_fini(&ze);
        return rc;
    }
    for (int i = 0; i < n; i++) {
        zip_source_t *src;
        zip_int64_t idx;

        if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path)) {
            rc = err_set(err, DT_EIO, "%s: the folder's name is too long", dir);
            goto cleanup;
        }
        /* Only the path is taken now: the file is opened and read while zip_close writes. */
        src = zip_source_file(za, path, 0, -1);
        if (!src) {
            rc = zip_failed(err, zip_get_error(za), path);
            goto cleanup;
        }
        idx = zip_file_add(za, names[i], src, ZIP_FL_ENC_UTF_8);
        if (idx < 0) {
            zip_source_free(src); /* not taken by the archive */
            rc = zip_failed(err, zip_get_error(za), path);
            goto cleanup;
        }
        if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, ZD_LEVEL) < 0) {
            rc = zip_failed(err, zip_get_error(za), path);
            goto cleanup;
        }
    }
    /* Everything is written here, into a temporary file next to zip_path that is renamed
     * only when complete (ZIP64 records are added when a file or the archive needs them). On
     * failure libzip removes that file and the archive stays open, to be discarded. */
    if (zip_close(za) < 0) {
        rc = zip_failed(err, zip_get_error(za), zip_path);
        goto cleanup;
    }
    za = NULL;
cleanup:
    if (za)
        zip_discard(za);
    return rc;
}
