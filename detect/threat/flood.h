/* detect/threat/flood.h — packets per destination and second, by kind.
 *
 * Contract: flood_count() counts one packet of a kind (SYN, ICMP echo
 * request, UDP) towards a destination host in fixed windows of
 * `window` seconds of capture time. It returns the window's count at the
 * packet that takes it above the kind's limit per second (times the window),
 * once per destination and kind per FLOOD_QUIET windows; 0 otherwise. Memory
 * is one small entry per destination seen in a flood kind, cleared when the
 * table passes FLOOD_MAX_DESTS (the count restarts, nothing else is lost).
 */
#ifndef HABIT_DETECT_THREAT_FLOOD_H
#define HABIT_DETECT_THREAT_FLOOD_H

#include <stdint.h>

#include "core/addr.h"
#include "core/keytab.h"

enum flood_kind { FLOOD_SYN, FLOOD_ICMP, FLOOD_UDP, FLOOD_KINDS };

#define FLOOD_QUIET 60         /* windows between two alerts of one flood */
#define FLOOD_MAX_DESTS (1u << 16)

struct flood_tracker {
  struct keytab dests;         /* (kind, dst) -> a: count | last alert << 32, b: window */
  uint64_t window_ns;
  uint64_t limit[FLOOD_KINDS]; /* packets per window */
};

void flood_init(struct flood_tracker *t, uint32_t window_s, uint32_t syn_pps,
                uint32_t icmp_pps, uint32_t udp_pps);
void flood_free(struct flood_tracker *t);
uint64_t flood_count(struct flood_tracker *t, enum flood_kind kind,
                     const struct hb_addr *dst, uint64_t ts_ns);

#endif
