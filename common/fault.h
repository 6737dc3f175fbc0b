/* fault.h - kill points and failures at the file layer, offered to the fault tests
 *
 * A test cannot kill a program "in the middle of a write" by the clock without its verdict
 * depending on the machine's speed. Instead the program offers the points itself: when the
 * environment variable DIEUTRA_FAULT is set, every SQLite file the process opens goes through a
 * thin VFS that counts the writes and syncs of the whole process and acts on the Nth one:
 *
 *   kill-at-write=N  the Nth write puts the first half of its bytes on the file, then the
 *                    process is killed (SIGKILL): a torn write, as a power cut leaves one
 *   kill-at-sync=N   the Nth sync completes, then the process is killed: the data is durable
 *                    and nobody was told
 *   fail-sync=N      the Nth sync completes but reports an I/O error: the data is durable and
 *                    the program is told it is not
 *   count=PATH       at exit, appends "writes=W syncs=S" to PATH (how a test finds the range
 *                    of its kill points)
 *
 * Items are separated by commas. Unset (the field), nothing is registered and SQLite's own VFS
 * is used untouched. */
#ifndef DT_FAULT_H
#define DT_FAULT_H

/* Registers the VFS as SQLite's default when DIEUTRA_FAULT asks for it; a no-op otherwise
 * and on every call after the first. Call before the first sqlite3_open_v2 of the process
 * (db_open does). Returns 0, or -1 when DIEUTRA_FAULT cannot be understood (said on stderr). */
int fault_install(void);

#endif
