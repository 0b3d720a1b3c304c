/* cli/cli_util.h — small pieces the long-running commands share.
 *
 * Contract: cli_catch_stop() makes SIGINT and SIGTERM set the process's
 * one stop flag (returned; async-signal-safe to set, read it in the main
 * loop) instead of killing it, without SA_RESTART so a blocking call
 * returns EINTR. cli_uint() reads a whole number option in [lo, hi], or
 * prints "CMD: --OPT takes WHAT (lo-hi), not 'TEXT'" and returns -1.
 * cli_open_output() opens an output file ("-" is stdout; NULL path gives
 * NULL, no error), truncating it or, with append, adding to it.
 */
#ifndef HABIT_CLI_CLI_UTIL_H
#define HABIT_CLI_CLI_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/curve.h"
#include "core/error.h"

const volatile sig_atomic_t *cli_catch_stop(void);
int cli_uint(const char *cmd, const char *opt, const char *what, const char *text,
             unsigned long lo, unsigned long hi, unsigned long *out);
FILE *cli_open_output(const char *path, bool append, struct hb_error *err);
/* CURVE client keys from the files of --curve-server (the engine's public
 * key) and --curve-secret (ours): 0 with *c filled, or nothing to do when
 * server is NULL; negative (err names the file) otherwise. */
int cli_curve_client(const char *server, const char *secret, struct bus_curve *c,
                     struct hb_error *err);

#endif
