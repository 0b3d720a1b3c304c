/* detect/explain.h — numbers and edges as an alert sentence shows them.
 *
 * Contract: pure formatting into caller buffers (always NUL-terminated,
 * cut to fit): "5.0 MB", "820 B", "2.5 s", "api -> payments tcp/443 (tls)".
 */
#ifndef HABIT_DETECT_EXPLAIN_H
#define HABIT_DETECT_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "models/model.h"

const char *explain_bytes(double v, char *out, size_t cap);
const char *explain_duration_ms(double ms, char *out, size_t cap);
/* A value of a metric in its unit. */
const char *explain_metric(enum edge_metric em, double v, char *out, size_t cap);
const char *explain_proto(uint8_t proto);
/* "api -> payments tcp/443 (tls)" */
const char *explain_edge(const struct ev_flow *f, char *out, size_t cap);

#endif
