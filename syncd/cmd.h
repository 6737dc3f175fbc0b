/* cmd.h - syncd's subcommands: one file each, registered in main.c's table */
#ifndef SYNCD_CMD_H
#define SYNCD_CMD_H

#include "cmdline.h" /* the exit statuses */

typedef struct cmd_entry {
    const char *name;                   /* the words that select it: "user add" */
    const char *args;                   /* what follows them, for usage lines */
    const char *summary;                /* one line for --help */
    int (*exec)(int argc, char **argv); /* argv: the arguments after the words */
} cmd_entry;

extern const cmd_entry cmd_serve;
extern const cmd_entry cmd_tls_init;
extern const cmd_entry cmd_tls_pin;
extern const cmd_entry cmd_user_add;
extern const cmd_entry cmd_user_list;
extern const cmd_entry cmd_user_revoke;
extern const cmd_entry cmd_user_link;
extern const cmd_entry cmd_form_publish;
extern const cmd_entry cmd_assign_import;
extern const cmd_entry cmd_review_list;
extern const cmd_entry cmd_review_quality;
extern const cmd_entry cmd_review_distinct;
extern const cmd_entry cmd_review_show;
extern const cmd_entry cmd_review_approve;
extern const cmd_entry cmd_review_reject;
extern const cmd_entry cmd_review_resolve;
extern const cmd_entry cmd_import;
extern const cmd_entry cmd_export;
extern const cmd_entry cmd_indicators;
extern const cmd_entry cmd_check;
extern const cmd_entry cmd_centre_key;
extern const cmd_entry cmd_recovery;

struct ind_options;
/* Takes the weighting options (--nonresponse, --min-respondents, --max-factor, --calibrate,
 * --calfun, --bounds, --variance, --replicates, --reps, --seed) out of argv into opt. Returns
 * 0, or EXIT_USAGE with a message on stderr (cmd_weights.c). */
int cmd_weight_options(int *argc, char **argv, struct ind_options *opt);

/* Prints "usage: syncd NAME ARGS" on stderr; returns EXIT_USAGE. */
int cmd_usage(const cmd_entry *c);

#endif
