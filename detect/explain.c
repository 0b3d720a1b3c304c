#include "detect/explain.h"

#include <stdio.h>

const char *explain_bytes(double v, char *out, size_t cap) {
  static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    u++;
  }
  snprintf(out, cap, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
  return out;
}

const char *explain_duration_ms(double ms, char *out, size_t cap) {
  if (ms < 1000)
    snprintf(out, cap, "%.0f ms", ms);
  else if (ms < 120000)
    snprintf(out, cap, "%.1f s", ms / 1000);
  else if (ms < 7200000)
    snprintf(out, cap, "%.1f min", ms / 60000);
  else
    snprintf(out, cap, "%.1f h", ms / 3600000);
  return out;
}

const char *explain_metric(enum edge_metric em, double v, char *out, size_t cap) {
  switch (em) {
  case EM_BYTES_C2S:
  case EM_BYTES_S2C:
    return explain_bytes(v, out, cap);
  case EM_DURATION_MS:
    return explain_duration_ms(v, out, cap);
  case EM_PKTS:
    snprintf(out, cap, "%.0f packets", v);
    return out;
  default:
    snprintf(out, cap, "%.0f", v);
    return out;
  }
}

const char *explain_proto(uint8_t proto) {
  switch (proto) {
  case 6: return "tcp";
  case 17: return "udp";
  case 1: return "icmp";
  case 58: return "icmp6";
  case 47: return "gre";
  case 50: return "esp";
  case 132: return "sctp";
  default: return "ip";
  }
}

const char *explain_edge(const struct ev_flow *f, char *out, size_t cap) {
  char app[EV_APP_MAX + 4] = "";
  if (f->app[0])
    snprintf(app, sizeof app, " (%s)", f->app);
  if (f->proto == 6 || f->proto == 17)
    snprintf(out, cap, "%s -> %s %s/%u%s", f->cli_service, f->srv_service,
             explain_proto(f->proto), f->srv_port, app);
  else if (f->proto == 1 || f->proto == 58)
    snprintf(out, cap, "%s -> %s %s type %u", f->cli_service, f->srv_service,
             explain_proto(f->proto), f->srv_port);
  else
    snprintf(out, cap, "%s -> %s ip proto %u", f->cli_service, f->srv_service, f->proto);
  return out;
}
