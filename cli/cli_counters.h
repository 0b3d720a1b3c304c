/* cli/cli_counters.h — a host collector's counters on the bus.
 *
 * Contract: the process and file collectors report like the network one:
 * an EV_STATS event at most once a second while running and an EV_END when
 * they stop, with `source` "proc" or "file", `packets` = events read,
 * `dropped_kernel` = events the kernel lost (netlink sequence gaps,
 * fanotify/inotify queue overflows), `dropped_bus` = events a full queue
 * dropped and `malformed` = records refused. The engine reports every rise
 * of a drop counter (cmd_engine.c), so no loss is silent anywhere.
 */
#ifndef HABIT_CLI_CLI_COUNTERS_H
#define HABIT_CLI_CLI_COUNTERS_H

#include <stdint.h>

#include "core/bus.h"
#include "core/event.h"

struct cli_counters {
  const char *node, *source;
  uint64_t events, lost, malformed;
  uint64_t last_ns;            /* when the last EV_STATS went (monotonic) */
  uint64_t sent;               /* counter events queued on the bus */
};

/* EV_STATS when a second has passed since the last one; 0 or negative. */
int cli_counters_tick(struct cli_counters *c, struct bus_out *bus, struct hb_error *err);
/* EV_END with status 0: the collector stops. */
int cli_counters_end(struct cli_counters *c, struct bus_out *bus, struct hb_error *err);

#endif
