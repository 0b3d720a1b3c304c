/* habit — one binary, subcommands like git. */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#ifndef HABIT_VERSION
#define HABIT_VERSION "0.1.0"
#endif

static const char usage[] =
    "usage: habit <command> [options]\n"
    "\n"
    "Learns what each service normally does on the network and alerts on what it\n"
    "has never done.\n"
    "\n"
    "commands:\n"
    "  replay    learn from, or check, pcap/pcapng captures (discover | monitor)\n"
    "  policy    show what a model has learned, change modes, export (policy --help)\n"
    "  collect   live collectors: collect net (packets), proc (processes), file (files)\n"
    "  engine    the daemon collectors send to (engine --listen E --model M.db)\n"
    "  alerts    follow a running engine's alerts (alerts --subscribe E)\n"
    "  keygen    a CURVE key pair for collectors and engines on other hosts\n"
    "  enforce   protect mode: enforce proc denies programs a service never ran\n"
    "  run       run a command under its service's seccomp profile (discover | protect)\n"
    "  version   print the version\n"
    "\n"
    "Run `habit <command> --help` for a command's options.\n"
    "Exit codes: 0 ok, 1 alerts raised (--fail-on-alert), 2 bad usage or input,\n"
    "3 failure of the machine (memory, disk, sockets).\n";

void cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("habit: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int cli_exit_for(int rc) {
  switch (-rc) {
  case ENOMEM: case ENOSPC: case EIO: case EAGAIN: case EINTR:
    return EXIT_FAILURE_RT;
  default:
    return EXIT_BAD_INPUT;
  }
}

int main(int argc, char **argv) {
  /* GSL aborts on errors by default; habit checks return codes instead. */
  gsl_set_error_handler_off();
  if (argc < 2) {
    fputs(usage, stderr);
    return EXIT_BAD_INPUT;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "replay") == 0)
    return cmd_replay(argc - 1, argv + 1);
  if (strcmp(cmd, "policy") == 0)
    return cmd_policy(argc - 1, argv + 1);
  if (strcmp(cmd, "collect") == 0)
    return cmd_collect(argc - 1, argv + 1);
  if (strcmp(cmd, "engine") == 0)
    return cmd_engine(argc - 1, argv + 1);
  if (strcmp(cmd, "alerts") == 0)
    return cmd_alerts(argc - 1, argv + 1);
  if (strcmp(cmd, "keygen") == 0)
    return cmd_keygen(argc - 1, argv + 1);
  if (strcmp(cmd, "run") == 0)
    return cmd_run(argc - 1, argv + 1);
  if (strcmp(cmd, "enforce") == 0)
    return cmd_enforce(argc - 1, argv + 1);
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
    printf("habit %s\n", HABIT_VERSION);
    return EXIT_OK;
  }
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    fputs(usage, stdout);
    return EXIT_OK;
  }
  cli_error("unknown command '%s' (try habit --help)", cmd);
  return EXIT_BAD_INPUT;
}
