#include "detect/threat/frag.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

#define MAX_DATAGRAM 65535u

void frag_init(struct frag_tracker *t) { t->slots = NULL; }

void frag_free(struct frag_tracker *t) {
  free(t->slots);
  t->slots = NULL;
}

static uint64_t slot_hash(const struct pkt_info *p) {
  uint64_t h = hb_hash_bytes(p->src.b, 16, p->ip_id);
  return hb_hash_bytes(p->dst.b, 16, h ^ p->proto);
}

static int same_datagram(const struct frag_slot *s, const struct pkt_info *p) {
  return s->used && s->id == p->ip_id && s->proto == p->proto &&
         hb_addr_eq(&s->src, &p->src) && hb_addr_eq(&s->dst, &p->dst);
}

enum frag_verdict frag_observe(struct frag_tracker *t, const struct pkt_info *p,
                               uint64_t ts_ns, uint32_t *overlap_with) {
  /* The IPv4 header (20 bytes at least) counts towards the 65,535. */
  uint32_t limit = p->src.family == 4 ? MAX_DATAGRAM - 20 : MAX_DATAGRAM;
  int too_big = p->frag_offset + p->frag_len > limit;
  if (!t->slots && !(t->slots = calloc(FRAG_SLOTS, sizeof *t->slots)))
    return too_big ? FRAG_TOO_BIG : FRAG_FINE; /* no memory: no tracking */
  struct frag_slot *s = &t->slots[slot_hash(p) & (FRAG_SLOTS - 1)];
  if (!same_datagram(s, p) || ts_ns > s->seen_ns + FRAG_TIMEOUT * 1000000000ull) {
    memset(s, 0, sizeof *s);
    s->src = p->src;
    s->dst = p->dst;
    s->id = p->ip_id;
    s->proto = p->proto;
    s->used = 1;
  }
  s->seen_ns = ts_ns;
  if (p->frag_offset == 0 && (p->proto == 6 || p->proto == 17)) {
    s->sport = p->sport;
    s->dport = p->dport;
    s->have_ports = 1;
  }
  if (too_big) {
    /* Reported once per datagram, like an overlap. */
    if (s->alerted)
      return FRAG_FINE;
    s->alerted = 1;
    return FRAG_TOO_BIG;
  }
  uint32_t off = p->frag_offset, len = p->frag_len;
  for (uint8_t i = 0; i < s->n; i++) {
    const struct frag_range *r = &s->r[i];
    if (r->off == off && r->len == len)
      return FRAG_FINE; /* the same fragment again */
    if (off < r->off + r->len && r->off < off + len) {
      if (s->alerted)
        return FRAG_FINE;
      s->alerted = 1;
      *overlap_with = r->off;
      return FRAG_OVERLAP;
    }
  }
  if (s->n < FRAG_RANGES)
    s->r[s->n++] = (struct frag_range){off, len};
  return FRAG_FINE;
}

int frag_ports(const struct frag_tracker *t, const struct pkt_info *p, uint16_t *sport,
               uint16_t *dport) {
  if (!t->slots)
    return 0;
  const struct frag_slot *s = &t->slots[slot_hash(p) & (FRAG_SLOTS - 1)];
  if (!same_datagram(s, p) || !s->have_ports)
    return 0;
  *sport = s->sport;
  *dport = s->dport;
  return 1;
}
