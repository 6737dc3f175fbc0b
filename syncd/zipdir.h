/* zipdir.h - a zip archive of some files of a folder (libzip: deflate, ZIP64 when needed),
 * for the exports served over HTTP */
#ifndef SYNCD_ZIPDIR_H
#define SYNCD_ZIPDIR_H

#include "err.h"

/* Writes a new archive at zip_path holding the files names[0..n) of dir, in that order, at
 * the archive's top level, deflated. The files are read while the archive is written, one
 * buffer at a time: memory does not grow with their size. zip_path must not exist (it is
 * never replaced); on failure nothing is left there. Returns 0, DT_EIO (err names the
 * file: a full disk, a file that cannot be read) or DT_ENOMEM. */
int zd_write(const char *zip_path, const char *dir, const char *const *names, int n, dt_err *err);

#endif
