/* config/config_value.h — one YAML scalar into one typed configuration value.
 *
 * Contract: each reader takes a node and the path it sits at, stores the
 * value and returns 0, or fails with "file:line:col: path: expected X, got Y"
 * (yw_fail_at) and leaves *out alone. Numbers must be plain scalars in
 * decimal ("1000", "0.01", "1e-3"): a quoted "1000" is a string, and YAML 1.1
 * forms (0x1f, 0o17, 1_000, .inf) are refused rather than guessed at.
 */
#ifndef HABIT_CONFIG_CONFIG_VALUE_H
#define HABIT_CONFIG_CONFIG_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "config/yaml_walk.h"

/* An interval of doubles; open ends exclude their bound. */
struct cv_range {
  double lo, hi;
  bool lo_open, hi_open;
};

int cv_u32(struct yw *w, const yaml_node_t *n, const struct yw_path *p,
           uint32_t lo, uint32_t hi, uint32_t *out);
int cv_double(struct yw *w, const yaml_node_t *n, const struct yw_path *p,
              const struct cv_range *r, double *out);
/* A node, service or group name: 1..EV_NAME_MAX-1 bytes of [A-Za-z0-9._-]. */
int cv_name(struct yw *w, const yaml_node_t *n, const struct yw_path *p,
            char out[EV_NAME_MAX]);
/* discover | monitor | protect -> enum ev_mode. */
int cv_mode(struct yw *w, const yaml_node_t *n, const struct yw_path *p,
            uint8_t *out);
/* One of two words: no -> false, yes -> true. */
int cv_choice(struct yw *w, const yaml_node_t *n, const struct yw_path *p, const char *no,
              const char *yes, bool *out);
/* tcp | udp | any -> 6, 17, 0. */
int cv_proto(struct yw *w, const yaml_node_t *n, const struct yw_path *p,
             uint8_t *out);
/* 80 or "8000-8080", ports 1..65535, lo <= hi. */
int cv_port_range(struct yw *w, const yaml_node_t *n,
                  const struct yw_path *p, struct cfg_port_range *out);
/* "10.0.0.0/8", "fd00::/8" or a bare address (full-length prefix); host
 * bits must be clear. With bare_only, a prefix is refused (the ip: keys). */
int cv_cidr(struct yw *w, const yaml_node_t *n, const struct yw_path *p,
            bool bare_only, struct hb_cidr *out);

#endif
