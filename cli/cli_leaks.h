/* cli/cli_leaks.h — the data-leak matcher of a config, for the commands
 * that run a collector (replay, collect net).
 *
 * Contract: cli_build_leaks() builds the built-in patterns plus the
 * config's detect.leaks, through the compiled-database cache
 * ($HABIT_CACHE_DIR, else $XDG_CACHE_HOME/habit, else ~/.cache/habit; set
 * HABIT_CACHE_DIR= to turn it off). A bad user regex fails with a message
 * prefixed by the config's path.
 */
#ifndef HABIT_CLI_CLI_LEAKS_H
#define HABIT_CLI_CLI_LEAKS_H

#include "config/config.h"
#include "core/error.h"
#include "detect/leak/leak.h"

int cli_build_leaks(const struct config *cfg, const char *config_path,
                    struct leak_matcher **out, struct hb_error *err);

#endif
