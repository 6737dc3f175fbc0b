/* err.h - error reports that a person can act on, and lists of them */
#ifndef DT_ERR_H
#define DT_ERR_H

#include <stddef.h>

/* Error codes: 0 is success, failures are negative. */
enum {
    DT_OK = 0,
    DT_ERR = -1,       /* generic failure; the message says what */
    DT_ENOMEM = -2,    /* out of memory */
    DT_EIO = -3,       /* a file or system call failed */
    DT_EINVAL = -4,    /* bad input: the message names what and where */
    DT_ENOTFOUND = -5, /* something named does not exist */
    DT_ECHANGED = -6   /* what was shown has changed since: read it again */
};

#define DT_ERR_MSG_MAX 512

/* One error: a code and a sentence. Set once where the error is born. */
typedef struct dt_err {
    int code;                 /* one of the DT_ codes */
    char msg[DT_ERR_MSG_MAX]; /* human-readable, without trailing newline */
} dt_err;

/* Sets err (which may be NULL) and returns code, so that callers can write
 * `return err_set(err, DT_EINVAL, "...")`. The message is truncated to fit. */
int err_set(dt_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* msg without the "PREFIX: " it starts with (a path the caller prints itself), else msg. */
const char *err_after_prefix(const char *msg, const char *prefix);

/* Clears err to success. */
void err_clear(dt_err *err);

/* One problem in a list: where it is and what is wrong. */
typedef struct err_item {
    char *where; /* "question 'age'" or a file name; owned by the list */
    char *what;  /* the column or part: "constraint", "label"; may be ""; owned */
    char *msg;   /* the message; owned */
} err_item;

/* A growable list of problems, for checks that report everything at once
 * (a bad form, an invalid interview). Zero-initialise it, free with
 * errlist_free. */
typedef struct errlist {
    err_item *items; /* the problems, in the order found */
    size_t n;        /* how many */
    size_t cap;      /* allocated */
} errlist;

/* Appends a problem. Returns 0, or DT_ENOMEM (the list stays as it was). */
int errlist_add(errlist *l, const char *where, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Frees every item; the list is empty and reusable afterwards. Accepts NULL. */
void errlist_free(errlist *l);

/* The first item whose where is where, or NULL. */
const err_item *errlist_find(const errlist *l, const char *where);

/* Appends every item of src to dst (copies). Returns 0 or DT_ENOMEM. */
int errlist_extend(errlist *dst, const errlist *src);

#endif
