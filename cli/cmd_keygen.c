/* habit keygen NAME — a CURVE key pair for the bus between hosts:
 * NAME.key (secret, mode 0600) and NAME.pub (public). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/curve.h"

static const char keygen_usage[] =
    "usage: habit keygen NAME\n"
    "\n"
    "Writes a CURVE key pair: NAME.key (the secret key, mode 0600) and NAME.pub\n"
    "(the public key). The engine takes its own .key (--curve-secret) and the\n"
    "collectors' .pub files, one a line (--curve-clients); a collector takes its\n"
    "own .key and the engine's .pub. Existing files are never overwritten.\n";

int cmd_keygen(int argc, char **argv) {
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(keygen_usage, stdout);
    return EXIT_OK;
  }
  if (argc != 2 || argv[1][0] == '-' || argv[1][0] == '\0') {
    fputs(keygen_usage, stderr);
    return EXIT_BAD_INPUT;
  }
  struct hb_error err = {0, ""};
  int rc = curve_keygen(argv[1], &err);
  if (rc < 0) {
    cli_error("keygen: %s", err.msg);
    return cli_exit_for(rc);
  }
  printf("%s.key %s.pub\n", argv[1], argv[1]);
  return EXIT_OK;
}
