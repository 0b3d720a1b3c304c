/* detect/detector.h — monitor mode: a mapped flow against the model.
 *
 * Contract: detector_flow() checks one flow whose services are named and
 * raises, through the sink, at most:
 *  - one violation, when its edge is not in the whitelist (SIG_NEW_EDGE) or
 *    its port was learned with other applications (SIG_APP_CHANGED); a flow
 *    that carried no payload matches a learned edge of any application;
 *  - one anomaly, when the edge has at least min_samples flows and a value
 *    (bytes each way, packets, duration) is above
 *    max(margin x learned quantile, learned max) — the learned data itself
 *    never crosses it — naming the worst value and the learned figure;
 *  - one anomaly per edge and minute whose connection count goes above
 *    rate_margin x the most learned in a minute (same min_samples rule);
 *  - the threats of detect/scan.h, in every mode.
 * In discover mode only threats are raised. The model is only read.
 */
#ifndef HABIT_DETECT_DETECTOR_H
#define HABIT_DETECT_DETECTOR_H

#include <stdint.h>

#include "config/config.h"
#include "core/keytab.h"
#include "detect/scan.h"
#include "models/model.h"

typedef void (*alert_sink_fn)(void *ctx, const struct ev_alert *a);

/* Thresholds of an edge, computed from its distributions when its count
 * changes. */
struct edge_threshold {
  uint64_t count_at;          /* edge count they were computed for; 0 = never */
  double quantile[EM_COUNT];
  double limit[EM_COUNT];     /* 0 = not enough samples */
};

struct detector {
  const struct model *model;
  struct cfg_detect cfg;
  struct edge_threshold *th;
  uint32_t n_th;
  struct keytab minutes;      /* (edge, minute) -> a: count, b: alerted */
  uint64_t latest_minute, grace_minutes, since_prune;
  struct scan_tracker scan;
  alert_sink_fn sink;
  void *ctx;
  uint64_t suppressed;        /* violations of scanners' probes */
};

int detector_init(struct detector *d, const struct model *m,
                  const struct config *cfg, alert_sink_fn sink, void *ctx);
void detector_flow(struct detector *d, const struct ev_flow *f, uint8_t mode);
/* End of stream: release what scan detection holds. */
void detector_finish(struct detector *d);
void detector_free(struct detector *d);

#endif
