/* detect/scan.h — port scans and host sweeps, from flows.
 *
 * Contract: scan_observe() looks at one flow. A *probe* is a connection
 * attempt that carried nothing: TCP never established (unanswered or
 * reset), or established with no payload and at most 3 packets from the
 * initiator; UDP never answered; any ICMP echo. Per source, in a window of
 * cfg->scan.window seconds starting at its first probe, it counts distinct
 * ports probed on each host and distinct hosts probed on each port; the
 * flow that reaches a threshold raises one threat alert (port scan or host
 * sweep), at most once per kind per source and window. Violations that a
 * probe would raise are held (scan_hold) until the source's window ends:
 * if the source turns out to be scanning they are folded into the scan
 * alert (counted, not raised), otherwise they are released as they were.
 * Nothing is lost: at scan_finish() everything held is released.
 */
#ifndef HABIT_DETECT_SCAN_H
#define HABIT_DETECT_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "core/event.h"
#include "core/keytab.h"

typedef void (*scan_alert_fn)(void *ctx, const struct ev_alert *a);

struct scan_held {
  struct hb_addr src;
  uint64_t window_start;
  struct ev_alert alert;
};

struct scan_tracker {
  struct cfg_scan cfg;
  uint64_t window_ns;
  struct keytab sources;  /* src -> a: window start, b: flags */
  struct keytab pairs;    /* (src, dst, proto, port) -> a: window start */
  struct keytab per_host; /* (src, dst) -> a: ports, b: window start */
  struct keytab per_port; /* (src, proto, port) -> a: hosts, b: window start */
  struct scan_held *held;
  uint32_t n_held, cap_held;
  uint64_t now_ns;
  uint64_t suppressed;    /* violations folded into scan alerts */
  scan_alert_fn emit;     /* threats, and released violations */
  void *ctx;
  uint8_t mode;           /* for the alerts it raises */
};

enum scan_status {
  SCAN_NOT_PROBE = 0,
  SCAN_PROBE = 1,   /* a probe from a source not (yet) scanning */
  SCAN_SCANNER = 2, /* a probe from a source found scanning this window */
};

void scan_init(struct scan_tracker *s, const struct cfg_scan *cfg,
               scan_alert_fn emit, void *ctx);
void scan_free(struct scan_tracker *s);
bool scan_is_probe(const struct ev_flow *f);
enum scan_status scan_observe(struct scan_tracker *s, const struct ev_flow *f,
                              uint8_t mode);
/* Hold a violation raised by a probe (status SCAN_PROBE). */
void scan_hold(struct scan_tracker *s, const struct ev_alert *a);
/* Release every held violation. */
void scan_finish(struct scan_tracker *s);

#endif
