#include "detect/threat/flood.h"

#include <string.h>

struct flood_key {
  uint8_t kind, family, pad[2];
  uint8_t addr[16];
};

void flood_init(struct flood_tracker *t, uint32_t window_s, uint32_t syn_pps,
                uint32_t icmp_pps, uint32_t udp_pps) {
  memset(t, 0, sizeof *t);
  keytab_init(&t->dests, sizeof(struct flood_key));
  uint64_t w = window_s ? window_s : 1;
  t->window_ns = w * 1000000000ull;
  t->limit[FLOOD_SYN] = (uint64_t)syn_pps * w;
  t->limit[FLOOD_ICMP] = (uint64_t)icmp_pps * w;
  t->limit[FLOOD_UDP] = (uint64_t)udp_pps * w;
}

void flood_free(struct flood_tracker *t) { keytab_free(&t->dests); }

/* Clearing the full table: counts restart, but a destination that alerted
 * within FLOOD_QUIET windows keeps its last alert (else a flood going on
 * would alert again at once). */
static bool drop_unless_quiet(void *ctx, struct keytab_entry *e) {
  uint64_t now = *(const uint64_t *)ctx, last_alert = e->a >> 32;
  if (last_alert == 0 || now >= last_alert + FLOOD_QUIET)
    return true;
  e->a = last_alert << 32; /* count 0 */
  return false;
}

uint64_t flood_count(struct flood_tracker *t, enum flood_kind kind,
                     const struct hb_addr *dst, uint64_t ts_ns) {
  struct flood_key k;
  memset(&k, 0, sizeof k);
  k.kind = (uint8_t)kind;
  k.family = dst->family;
  memcpy(k.addr, dst->b, 16);
  uint64_t window = ts_ns / t->window_ns;
  if (t->dests.n >= FLOOD_MAX_DESTS) {
    uint64_t now = window & 0xffffffffu;
    keytab_each(&t->dests, drop_unless_quiet, &now);
    if (t->dests.n >= FLOOD_MAX_DESTS / 2) /* floods everywhere: memory first */
      keytab_clear(&t->dests);
  }
  bool created;
  struct keytab_entry *e = keytab_get(&t->dests, &k, &created);
  if (!e)
    return 0;
  uint64_t count = e->a & 0xffffffffu, last_alert = e->a >> 32;
  if (created) {
    last_alert = 0;
    count = 0;
  }
  if (created || e->b != window) {
    count = 0;
    e->b = window;
  }
  count++;
  uint64_t fired = 0;
  /* Window numbers are seconds-scale: they fit 32 bits until 2106. The
   * first alert of a destination always fires (last_alert 0). */
  uint64_t w32 = window & 0xffffffffu;
  if (count == t->limit[kind] + 1 &&
      (last_alert == 0 || w32 >= last_alert + FLOOD_QUIET)) {
    fired = count;
    last_alert = w32 ? w32 : 1;
  }
  if (count > 0xffffffffu)
    count = 0xffffffffu;
  e->a = last_alert << 32 | count;
  return fired;
}
