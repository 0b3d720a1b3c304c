/* The leak matcher the collectors scan payloads with, built from a config. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli_leaks.h"

/* Where compiled pattern databases are kept: $HABIT_CACHE_DIR, else
 * $XDG_CACHE_HOME/habit, else ~/.cache/habit (created when missing);
 * "" when none can be named (no cache). */
static void cache_dir(char *out, size_t cap) {
  const char *env = getenv("HABIT_CACHE_DIR");
  const char *xdg = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  if (env)
    snprintf(out, cap, "%s", env);
  else if (xdg && xdg[0])
    snprintf(out, cap, "%s/habit", xdg);
  else if (home && home[0])
    snprintf(out, cap, "%s/.cache/habit", home);
  else
    out[0] = '\0';
}

int cli_build_leaks(const struct config *cfg, const char *config_path,
                    struct leak_matcher **out, struct hb_error *err) {
  const struct cfg_detect *d = &cfg->detect;
  struct leak_pattern *user = calloc(d->n_leaks ? d->n_leaks : 1, sizeof *user);
  if (!user)
    return hb_fail(err, ENOMEM, "out of memory");
  for (size_t i = 0; i < d->n_leaks; i++)
    user[i] = (struct leak_pattern){d->leaks[i].name, d->leaks[i].regex};
  char dir[4096];
  cache_dir(dir, sizeof dir);
  int rc = leak_matcher_build_cached(user, d->n_leaks, dir, out, err);
  free(user);
  if (rc < 0 && config_path)
    hb_error_prefix(err, "%s: detect.leaks: ", config_path);
  return rc;
}
