/* collect/inspect.h — threats seen in the packets themselves, in every mode.
 *
 * Contract: the collector calls inspect_packet() for every decoded IP packet
 * with its flow (NULL for a non-first fragment, which has none) after the
 * flow table has accounted it. It counts floods per destination, follows
 * fragments (overlaps, ping of death), and looks into payloads by the
 * flow's application: TLS heartbeats, HTTP request framing, every DNS
 * message (compression loops, oversize, tunnel-like names per domain), ICMP
 * echo payloads, SYN options (tiny MSS), HTTP requests (SQL injection,
 * XSS: detect/inject/), SQL statements of MySQL and PostgreSQL, and — with
 * a leak matcher — the first `leak_bytes` of every cleartext flow each way
 * (cards, keys, user patterns: detect/leak/). Each finding becomes one EV_ALERT
 * event (category threat) handed to emit, at most once per flow and
 * signature (a leak: once per flow and distinct secret); the engine names the services and the mode. Thresholds come
 * from the config (detect.threats). Memory is bounded by the trackers'
 * stated limits; nothing is allocated per packet.
 */
#ifndef HABIT_COLLECT_INSPECT_H
#define HABIT_COLLECT_INSPECT_H

#include <stdint.h>

#include "collect/decode.h"
#include "collect/flow_table.h"
#include "config/config.h"
#include "core/event.h"
#include "core/keytab.h"
#include "detect/threat/dns_threat.h"
#include "detect/threat/flood.h"
#include "detect/threat/frag.h"

struct leak_matcher;
struct leak_scratch;

#define LEAKS_SEEN_MAX (1u << 16) /* (flow, secret) pairs remembered */

typedef int (*inspect_emit_fn)(void *ctx, const struct event *ev);

struct inspector {
  struct cfg_threats cfg;
  struct flood_tracker floods;
  struct frag_tracker frags;
  struct dns_tunnel_tracker dns;
  inspect_emit_fn emit;
  void *ctx;
  const char *node;     /* EV_NAME_MAX bytes, NUL-padded */
  struct event scratch; /* the alert being built */
  uint64_t alerts;      /* threats raised */
  const struct leak_matcher *leaks; /* NULL: no leak scanning */
  struct leak_scratch *leak_scratch;
  struct keytab leaks_seen;         /* (flow, secret) already reported */
  const struct config *config;      /* for the names of user leak patterns */
};

void inspect_init(struct inspector *in, const struct config *cfg, const char *node,
                  inspect_emit_fn emit, void *ctx);
void inspect_free(struct inspector *in);
/* Scan payloads for data leaks with m (built once, shared read-only). */
int inspect_set_leaks(struct inspector *in, const struct leak_matcher *m,
                      struct hb_error *err);
void inspect_packet(struct inspector *in, struct flow *f, int dir,
                    const struct pkt_info *p, uint64_t ts_ns);

#endif
