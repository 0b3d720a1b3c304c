/* habit policy mode — change a service's mode while engines run. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "models/model.h"
#include "models/store.h"
#include "models/store_modes.h"

static const char mode_usage[] =
    "usage: habit policy mode --model M.db SERVICE discover|monitor|protect|config\n"
    "                         [--why TEXT]\n"
    "\n"
    "Sets SERVICE's mode in the model; a running engine takes it within a second\n"
    "and logs the change. It overrides the config's mode for that service until\n"
    "set again; 'config' removes it (the config decides again). SERVICE must be\n"
    "in the model. The change is recorded with its time and --why.\n";

int cmd_policy_mode(int argc, char **argv) {
  static const struct option longopts[] = {
      {"model", required_argument, NULL, 'm'},
      {"why", required_argument, NULL, 'w'},
      {"help", no_argument, NULL, 'h'},
      {0, 0, 0, 0},
  };
  const char *path = NULL, *why = "set with habit policy mode";
  optind = 1;
  int ch;
  while ((ch = getopt_long(argc, argv, "m:h", longopts, NULL)) != -1) {
    switch (ch) {
    case 'm': path = optarg; break;
    case 'w': why = optarg; break;
    case 'h': fputs(mode_usage, stdout); return EXIT_OK;
    default: fputs(mode_usage, stderr); return EXIT_BAD_INPUT;
    }
  }
  if (!path || argc - optind != 2) {
    cli_error("policy mode: --model M.db, a service and a mode are required");
    return EXIT_BAD_INPUT;
  }
  const char *service = argv[optind], *word = argv[optind + 1];
  uint8_t mode = strcmp(word, "config") == 0 ? 0 : ev_mode_parse(word);
  if (strcmp(word, "config") != 0 && !mode) {
    cli_error("policy mode: '%s' is not a mode (discover, monitor, protect, config)", word);
    return EXIT_BAD_INPUT;
  }
  struct hb_error err = {0, ""};
  struct store st;
  struct model m;
  model_init(&m);
  int rc = store_open(&st, path, 0, &err);
  bool opened = rc == 0;
  if (rc == 0)
    rc = store_load(&st, &m, &err);
  if (rc == 0 && model_find_service(&m, service) == IDXMAP_NONE)
    rc = hb_fail(&err, ENOENT, "%s: no service named '%s'", path, service);
  if (rc == 0)
    rc = store_set_mode(&st, service, mode, why, &err);
  if (rc < 0)
    cli_error("policy mode: %s", err.msg);
  else
    printf("%s: %s\n", service, mode ? ev_mode_name(mode) : "the config's mode");
  if (opened)
    store_close(&st);
  model_free(&m);
  return rc < 0 ? cli_exit_for(rc) : EXIT_OK;
}
