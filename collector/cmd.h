/* cmd.h - the collector's subcommands: one file each, registered in main.c's table */
#ifndef COLLECTOR_CMD_H
#define COLLECTOR_CMD_H

#include "cmdline.h" /* the exit statuses */

typedef struct cmd_entry {
    const char *name;    /* the words that select it: "form check" */
    const char *args;    /* what follows them, for usage lines */
    const char *summary; /* one line for --help */
    /* Runs the command with the arguments after its words (argv[0] is the
     * first of them). Returns an exit status. */
    int (*exec)(int argc, char **argv);
} cmd_entry;

extern const cmd_entry cmd_setup;
extern const cmd_entry cmd_interview;
extern const cmd_entry cmd_list;
extern const cmd_entry cmd_show;
extern const cmd_entry cmd_edit;
extern const cmd_entry cmd_import;
extern const cmd_entry cmd_status;
extern const cmd_entry cmd_serve;
extern const cmd_entry cmd_enroll;
extern const cmd_entry cmd_sync;
extern const cmd_entry cmd_bundle_export;
extern const cmd_entry cmd_assignments_import;
extern const cmd_entry cmd_assignments;
extern const cmd_entry cmd_form_check;
extern const cmd_entry cmd_form_simulate;
extern const cmd_entry cmd_form_install;
extern const cmd_entry cmd_form_convert;
extern const cmd_entry cmd_check;
extern const cmd_entry cmd_unlock;
extern const cmd_entry cmd_lock;
extern const cmd_entry cmd_pin_set;
extern const cmd_entry cmd_pin_recovery;
extern const cmd_entry cmd_pin_reset;
extern const cmd_entry cmd_query;

struct cstore;
/* Checks a form's text and installs it in the local database, printing what happened
 * (cmd_setup.c). Returns an exit status. */
int cmd_install_form_text(struct cstore *cs, const char *text, const char *name);

/* Sets a new PIN (typed twice, or $DIEUTRA_PIN) on a store unlocked or without one, printing
 * what happened (cmd_pin.c). Returns an exit status. */
int cmd_pin_new(struct cstore *cs);

/* Prints "usage: collector NAME ARGS" to stderr and returns EXIT_USAGE. */
int cmd_usage(const cmd_entry *c);

#endif
