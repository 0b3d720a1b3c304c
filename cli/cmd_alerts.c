/* habit alerts --subscribe — follow a running engine's alerts (its
 * --publish socket) and print them as EVE JSON lines. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "core/timefmt.h"

static const char alerts_usage[] =
    "usage: habit alerts --subscribe ENDPOINT [--count N] [--timeout SECONDS]\n"
    "\n"
    "Prints the alerts a running engine publishes (habit engine --publish\n"
    "ENDPOINT), one EVE JSON line each, as they come.\n"
    "\n"
    "  --subscribe ENDPOINT  the engine's PUB endpoint\n"
    "  --count N             stop after N alerts\n"
    "  --timeout SECONDS     stop after this long (exit 1 if --count was not met)\n"
    "\n"
    "Stops on SIGINT/SIGTERM. Exit: 0 ok, 1 timeout before --count alerts,\n"
    "2 bad usage, 3 failure of the machine.\n";

int cmd_alerts(int argc, char **argv) {
  static const struct option longopts[] = {
      {"subscribe", required_argument, NULL, 's'}, {"count", required_argument, NULL, 'n'},
      {"timeout", required_argument, NULL, 't'},   {"help", no_argument, NULL, 'h'},
      {0, 0, 0, 0},
  };
  const char *endpoint = NULL;
  unsigned long count = 0, timeout = 0;
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case 's': endpoint = optarg; break;
    case 'n':
      if (cli_uint("alerts", "count", "a whole number", optarg, 1, 100000000, &count) < 0)
        return EXIT_BAD_INPUT;
      break;
    case 't':
      if (cli_uint("alerts", "timeout", "seconds", optarg, 1, 31536000, &timeout) < 0)
        return EXIT_BAD_INPUT;
      break;
    case 'h': fputs(alerts_usage, stdout); return EXIT_OK;
    default: fputs(alerts_usage, stderr); return EXIT_BAD_INPUT;
    }
  }
  if (!endpoint || optind < argc) {
    cli_error("alerts: --subscribe ENDPOINT is required (and nothing else)");
    return EXIT_BAD_INPUT;
  }
  const volatile sig_atomic_t *stop = cli_catch_stop();
  void *zctx = zmq_ctx_new();
  void *sub = zctx ? zmq_socket(zctx, ZMQ_SUB) : NULL;
  int linger = 0, wait_ms = 200;
  if (!sub || zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0) != 0 ||
      zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
      zmq_setsockopt(sub, ZMQ_RCVTIMEO, &wait_ms, sizeof wait_ms) != 0 ||
      zmq_connect(sub, endpoint) != 0) {
    cli_error("alerts: cannot subscribe to %s: %s", endpoint, zmq_strerror(zmq_errno()));
    if (sub)
      zmq_close(sub);
    if (zctx)
      zmq_ctx_term(zctx);
    return EXIT_FAILURE_RT;
  }
  uint64_t end = timeout ? hb_mono_ns() + timeout * 1000000000ull : 0;
  unsigned long got = 0;
  char buf[65536];
  int rc = EXIT_OK;
  while (!*stop && (!count || got < count)) {
    if (end && hb_mono_ns() >= end) {
      rc = count ? EXIT_ALERTS : EXIT_OK;
      break;
    }
    int n = zmq_recv(sub, buf, sizeof buf, 0);
    if (n < 0) {
      if (zmq_errno() == EAGAIN || zmq_errno() == EINTR)
        continue;
      cli_error("alerts: %s: %s", endpoint, zmq_strerror(zmq_errno()));
      rc = EXIT_FAILURE_RT;
      break;
    }
    size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf; /* cut if larger */
    fwrite(buf, 1, len, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    got++;
  }
  zmq_close(sub);
  zmq_ctx_term(zctx);
  if (rc == EXIT_ALERTS)
    cli_error("alerts: %lu of %lu alerts before the timeout", got, count);
  return rc;
}
