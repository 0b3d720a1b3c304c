#include "cli/cli_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* The process's stop request: the one flag a signal handler may touch. */
static volatile sig_atomic_t stop_requested;

static void on_stop(int sig) {
  (void)sig;
  stop_requested = 1;
}

const volatile sig_atomic_t *cli_catch_stop(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  return &stop_requested;
}

int cli_uint(const char *cmd, const char *opt, const char *what, const char *text,
             unsigned long lo, unsigned long hi, unsigned long *out) {
  char *end;
  unsigned long v = strtoul(text, &end, 10);
  if (*text == '\0' || *text == '-' || *end || v < lo || v > hi) {
    cli_error("%s: --%s takes %s (%lu-%lu), not '%s'", cmd, opt, what, lo, hi, text);
    return -1;
  }
  *out = v;
  return 0;
}

FILE *cli_open_output(const char *path, bool append, struct hb_error *err) {
  if (!path)
    return NULL;
  if (strcmp(path, "-") == 0)
    return stdout;
  FILE *f = fopen(path, append ? "a" : "w");
  if (!f)
    hb_fail(err, errno, "%s: cannot write: %s", path, strerror(errno));
  return f;
}

int cli_curve_client(const char *server, const char *secret, struct bus_curve *c,
                     struct hb_error *err) {
  memset(c, 0, sizeof *c);
  if (!server)
    return 0;
  int rc = curve_read_key(server, c->server_key, err);
  if (rc == 0)
    rc = curve_read_key(secret, c->secret_key, err);
  if (rc == 0)
    rc = curve_public_of(c->secret_key, c->public_key, err);
  return rc;
}
