/* cmdline.h - what both programs' command lines share: subcommand words, options, exit
 * statuses, problem lists, folders */
#ifndef DT_CMDLINE_H
#define DT_CMDLINE_H

#include <stdio.h>

#include "err.h"

/* Exit statuses of every collector and syncd command. */
#define EXIT_OK      0
#define EXIT_FAILED  1 /* the command ran and said no: a bad form, an invalid interview */
#define EXIT_USAGE   2 /* the command line (or a config file) was wrong */
#define EXIT_TROUBLE 3 /* something outside the input failed: memory, disk, network */

/* Number of leading argv words that spell name ("form check" is two), or 0. */
int cmdline_words(const char *name, int argc, char **argv);

/* Removes "OPTION VALUE" from argv (every occurrence, shifting the rest) and returns the
 * last VALUE, or NULL. When OPTION is last with no value, *missing (if not NULL) is set
 * to 1 and the option is dropped. */
const char *cmdline_take(int *argc, char **argv, const char *option, int *missing);

/* Removes every FLAG (an option without a value) from argv; returns 1 when it was
 * there. */
int cmdline_take_flag(int *argc, char **argv, const char *flag);

/* The exit status for a DT_ code: 0 for DT_OK, EXIT_FAILED for bad input or a missing
 * thing, EXIT_TROUBLE otherwise. */
int cmdline_exit_status(int code);

/* Prints each problem as "FILE: where: what: message" (what omitted when empty). */
void cmdline_problems(FILE *out, const char *file, const errlist *problems);

/* Creates dir and its parents (like mkdir -p) with mode 0700: the folders that hold
 * interviews and the store are private. dir is modified while working and restored. */
int cmdline_mkdirs(char *dir, dt_err *err);

#endif
