/* Flows live in one preallocated array (calloc: pages are touched only as
 * flows are created), chained from a power-of-two bucket array that stores
 * index + 1 so that zeroed memory means empty. Each flow sits in the LRU
 * list of its timeout class; a packet moves it to the tail, so expiry only
 * looks at list heads. */
#include "collect/flow_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/hash.h"

#define NS_PER_S 1000000000ull
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

static inline uint64_t rd64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* Both directions hash alike: the smaller endpoint goes first. Runs per
 * packet, so five multiply-rotate steps and one finalizer, no buffer. */
static uint64_t key_hash(const struct hb_addr *x, uint16_t px,
                         const struct hb_addr *y, uint16_t py, uint8_t proto,
                         uint16_t vlan) {
  int c = memcmp(x->b, y->b, 16);
  if (c > 0 || (c == 0 && px > py)) {
    const struct hb_addr *t = x;
    x = y;
    y = t;
    uint16_t tp = px;
    px = py;
    py = tp;
  }
  const uint64_t k = 0x9e3779b97f4a7c15ull;
  uint64_t w[5] = {rd64(x->b), rd64(x->b + 8), rd64(y->b), rd64(y->b + 8),
                   (uint64_t)px << 48 | (uint64_t)py << 32 | (uint64_t)proto << 24 |
                       (uint64_t)x->family << 16 | vlan};
  uint64_t h = 0x68616269u;
  for (int i = 0; i < 5; i++) {
    h = (h ^ w[i]) * k;
    h = h << 31 | h >> 33;
  }
  return hb_mix64(h);
}

int flow_table_init(struct flow_table *t, const struct cfg_flow *cfg,
                    flow_emit_fn emit, void *ctx) {
  memset(t, 0, sizeof *t);
  t->max_flows = cfg->max_flows ? cfg->max_flows : 262144;
  uint32_t nb = 1024;
  while (nb < t->max_flows && nb < (1u << 31))
    nb <<= 1;
  t->n_buckets = nb;
  t->flows = calloc(t->max_flows, sizeof *t->flows);
  t->buckets = calloc(nb, sizeof *t->buckets);
  if (!t->flows || !t->buckets) {
    flow_table_free(t);
    return -ENOMEM;
  }
  t->free_head = FLOW_NONE;
  for (int i = 0; i < FC_COUNT; i++)
    t->lru_head[i] = t->lru_tail[i] = FLOW_NONE;
  t->dpi = cfg->dpi;
  t->timeout_ns[FC_TCP_NEW] = (uint64_t)cfg->tcp_new_timeout * NS_PER_S;
  t->timeout_ns[FC_TCP_EST] = (uint64_t)cfg->tcp_est_timeout * NS_PER_S;
  t->timeout_ns[FC_TCP_CLOSED] = (uint64_t)cfg->tcp_closed_timeout * NS_PER_S;
  t->timeout_ns[FC_UDP] = (uint64_t)cfg->udp_timeout * NS_PER_S;
  t->timeout_ns[FC_ICMP] = (uint64_t)cfg->icmp_timeout * NS_PER_S;
  t->timeout_ns[FC_OTHER] = (uint64_t)cfg->other_timeout * NS_PER_S;
  t->emit = emit;
  t->emit_ctx = ctx;
  return 0;
}

void flow_table_free(struct flow_table *t) {
  if (t->flows) {
    for (uint32_t i = 0; i < t->never_used; i++)
      l7_flow_release(&t->flows[i].l7);
  }
  free(t->flows);
  free(t->buckets);
  t->flows = NULL;
  t->buckets = NULL;
}

static void lru_unlink(struct flow_table *t, uint32_t i) {
  struct flow *f = &t->flows[i];
  if (f->lru_prev != FLOW_NONE)
    t->flows[f->lru_prev].lru_next = f->lru_next;
  else
    t->lru_head[f->cls] = f->lru_next;
  if (f->lru_next != FLOW_NONE)
    t->flows[f->lru_next].lru_prev = f->lru_prev;
  else
    t->lru_tail[f->cls] = f->lru_prev;
}

static void lru_append(struct flow_table *t, uint32_t i, uint8_t cls) {
  struct flow *f = &t->flows[i];
  f->cls = cls;
  f->lru_next = FLOW_NONE;
  f->lru_prev = t->lru_tail[cls];
  if (f->lru_prev != FLOW_NONE)
    t->flows[f->lru_prev].lru_next = i;
  else
    t->lru_head[cls] = i;
  t->lru_tail[cls] = i;
}

static void bucket_unlink(struct flow_table *t, uint32_t i) {
  struct flow *f = &t->flows[i];
  uint32_t *link = &t->buckets[f->hash & (t->n_buckets - 1)];
  while (*link != i + 1) {
    uint32_t cur = *link - 1;
    link = &t->flows[cur].hash_next;
  }
  *link = f->hash_next;
}

uint8_t flow_state(const struct flow *f) {
  if (f->proto == 6) {
    int handshake = f->synack || (!f->syn && f->pkts[0] && f->pkts[1]);
    if (!handshake)
      return (f->flags[1] & TCP_RST) ? EV_STATE_REJECTED : EV_STATE_NEW;
    if (f->rst || (f->fin[0] && f->fin[1]))
      return EV_STATE_CLOSED;
    return EV_STATE_ESTABLISHED;
  }
  /* pkts[1] also counts ICMP errors about the flow: they are no answer. */
  if (f->replied)
    return EV_STATE_ESTABLISHED;
  return f->icmp_unreach ? EV_STATE_REJECTED : EV_STATE_NEW;
}

uint64_t flow_id(const struct flow *f) {
  uint64_t h = f->hash ^ hb_mix64(f->first_ns);
  return hb_mix64(h) & ((1ull << 51) - 1); /* exact in a JSON double */
}

static uint8_t end_reason_of(const struct flow *f, uint8_t otherwise) {
  if (f->cls == FC_TCP_CLOSED)
    return f->rst ? EV_END_RST : EV_END_FIN;
  return otherwise;
}

/* Emit and free flow i. */
static void end_flow(struct flow_table *t, uint32_t i, uint8_t reason) {
  struct flow *f = &t->flows[i];
  t->emit(t->emit_ctx, f, reason);
  t->emitted++;
  lru_unlink(t, i);
  bucket_unlink(t, i);
  l7_flow_release(&f->l7);
  f->hash_next = t->free_head;
  t->free_head = i;
  t->used--;
}

static void expire(struct flow_table *t) {
  for (int cls = 0; cls < FC_COUNT; cls++) {
    uint32_t i;
    while ((i = t->lru_head[cls]) != FLOW_NONE &&
           t->flows[i].last_ns + t->timeout_ns[cls] <= t->now_ns)
      end_flow(t, i, end_reason_of(&t->flows[i], EV_END_TIMEOUT));
  }
  t->next_expiry_ns = t->now_ns + NS_PER_S;
}

/* The table is full: end the flow idle for longest. */
static void evict_one(struct flow_table *t) {
  uint32_t victim = FLOW_NONE;
  for (int cls = 0; cls < FC_COUNT; cls++) {
    uint32_t i = t->lru_head[cls];
    if (i != FLOW_NONE &&
        (victim == FLOW_NONE || t->flows[i].last_ns < t->flows[victim].last_ns))
      victim = i;
  }
  if (victim == FLOW_NONE)
    return;
  if (t->flows[victim].cls != FC_TCP_CLOSED)
    t->evicted++;
  end_flow(t, victim, end_reason_of(&t->flows[victim], EV_END_EVICTED));
}

static uint32_t alloc_flow(struct flow_table *t) {
  if (t->used == t->max_flows)
    evict_one(t);
  uint32_t i;
  if (t->free_head != FLOW_NONE) {
    i = t->free_head;
    t->free_head = t->flows[i].hash_next;
  } else {
    i = t->never_used++;
  }
  t->used++;
  return i;
}

static uint32_t lookup(struct flow_table *t, uint64_t h, const struct hb_addr *src,
                       uint16_t sport, const struct hb_addr *dst, uint16_t dport,
                       uint8_t proto, uint16_t vlan, int *dir) {
  for (uint32_t n = t->buckets[h & (t->n_buckets - 1)]; n; n = t->flows[n - 1].hash_next) {
    const struct flow *f = &t->flows[n - 1];
    if (f->hash != h || f->proto != proto || f->vlan != vlan)
      continue;
    if (f->c_port == sport && f->s_port == dport && hb_addr_eq(&f->c, src) &&
        hb_addr_eq(&f->s, dst)) {
      *dir = 0;
      return n - 1;
    }
    if (f->c_port == dport && f->s_port == sport && hb_addr_eq(&f->c, dst) &&
        hb_addr_eq(&f->s, src)) {
      *dir = 1;
      return n - 1;
    }
  }
  return FLOW_NONE;
}

/* Who initiated? A SYN says so; a SYN-ACK says the other side did. Without
 * either, a well-known server port on one side only decides, and failing
 * that the first sender is the client. Returns 1 when the sender is the
 * server, and sets *guessed when no handshake told. */
static int sender_is_server(const struct pkt_info *p, uint8_t *guessed) {
  *guessed = 0;
  if (p->proto == 6) {
    uint8_t fl = p->tcp_flags & (TCP_SYN | TCP_ACK);
    if (fl == TCP_SYN)
      return 0;
    if (fl == (TCP_SYN | TCP_ACK))
      return 1;
    *guessed = 1;
  } else if (p->proto == 1 || p->proto == 58) {
    uint8_t reply = p->proto == 1 ? 0 : 129;
    return p->icmp_type == reply;
  } else if (p->proto != 17) {
    return 0;
  }
  if (p->sport < 1024 && p->dport >= 1024) {
    *guessed = 1;
    return 1;
  }
  if (p->proto == 6 && p->sport < p->dport && p->dport >= 1024) {
    return 1; /* mid-stream TCP: the lower port serves */
  }
  return 0;
}

static uint8_t class_of(const struct flow *f) {
  switch (f->proto) {
  case 6:
    if (f->rst || (f->fin[0] && f->fin[1]))
      return FC_TCP_CLOSED;
    return (f->synack || (!f->syn && f->pkts[0] && f->pkts[1])) ? FC_TCP_EST
                                                                : FC_TCP_NEW;
  case 17: return FC_UDP;
  case 1: case 58: return FC_ICMP;
  default: return FC_OTHER;
  }
}

static uint32_t create_flow(struct flow_table *t, const struct pkt_info *p,
                            uint64_t h, uint64_t ts, int *dir) {
  uint32_t i = alloc_flow(t);
  struct flow *f = &t->flows[i];
  uint8_t guessed;
  int rev = sender_is_server(p, &guessed);
  memset(f, 0, sizeof *f);
  f->c = rev ? p->dst : p->src;
  f->s = rev ? p->src : p->dst;
  f->c_port = rev ? p->dport : p->sport;
  f->s_port = rev ? p->sport : p->dport;
  f->proto = p->proto;
  f->vlan = p->vlan;
  f->client_guessed = guessed;
  f->hash = h;
  f->first_ns = f->last_ns = ts;
  l7_flow_init(&f->l7);
  uint32_t b = (uint32_t)(h & (t->n_buckets - 1));
  f->hash_next = t->buckets[b];
  t->buckets[b] = i + 1;
  f->cls = FC_COUNT; /* not in a list yet */
  *dir = rev;
  return i;
}

static void update_tcp(struct flow *f, uint8_t flags, int dir) {
  if (dir == 0 && (flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
    f->syn = 1;
  if (dir == 1 && (flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
    f->synack = 1;
  if (flags & TCP_RST)
    f->rst = 1;
  if (flags & TCP_FIN)
    f->fin[dir] = 1;
}

/* An ICMP error about a flow we track counts as that flow's reply. */
static struct flow *account_icmp_error(struct flow_table *t, const struct pkt_info *p,
                                       uint64_t ts, int *dir_out) {
  const struct pkt_inner *in = &p->inner;
  uint64_t h = key_hash(&in->src, in->sport, &in->dst, in->dport, in->proto, p->vlan);
  int dir;
  uint32_t i = lookup(t, h, &in->src, in->sport, &in->dst, in->dport, in->proto,
                      p->vlan, &dir);
  if (i == FLOW_NONE)
    return NULL;
  struct flow *f = &t->flows[i];
  int back = !dir; /* the error travels against the quoted packet */
  f->pkts[back]++;
  f->bytes[back] += p->ip_len;
  uint8_t unreach = p->src.family == 4 ? 3 : 1;
  if (p->icmp_type == unreach && back == 1)
    f->icmp_unreach = 1;
  if (ts > f->last_ns)
    f->last_ns = ts;
  /* Seen now: to the tail, so the list stays oldest first. */
  lru_unlink(t, i);
  lru_append(t, i, f->cls);
  *dir_out = back;
  return f;
}

struct flow *flow_table_packet(struct flow_table *t, const struct pkt_info *p,
                               uint64_t ts, int *dir_out) {
  if (ts > t->now_ns)
    t->now_ns = ts;
  else
    ts = t->now_ns;
  if (t->now_ns >= t->next_expiry_ns)
    expire(t);
  if (p->has_inner) {
    struct flow *quoted = account_icmp_error(t, p, ts, dir_out);
    if (quoted)
      return quoted;
  }

  uint64_t h = key_hash(&p->src, p->sport, &p->dst, p->dport, p->proto, p->vlan);
  int dir;
  uint32_t i = lookup(t, h, &p->src, p->sport, &p->dst, p->dport, p->proto, p->vlan, &dir);
  /* A new SYN on a closed connection starts a new one (port reuse). */
  if (i != FLOW_NONE && t->flows[i].cls == FC_TCP_CLOSED &&
      (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
    end_flow(t, i, end_reason_of(&t->flows[i], EV_END_FIN));
    i = FLOW_NONE;
  }
  if (i == FLOW_NONE)
    i = create_flow(t, p, h, ts, &dir);
  struct flow *f = &t->flows[i];
  f->pkts[dir]++;
  f->bytes[dir] += p->ip_len;
  f->payload[dir] += p->payload_len;
  f->last_ns = ts;
  if (dir == 1)
    f->replied = 1;
  if (p->proto == 6) {
    f->flags[dir] |= p->tcp_flags;
    update_tcp(f, p->tcp_flags, dir);
  }
  if (t->dpi && p->payload_cap && !f->l7.done && (p->proto == 6 || p->proto == 17)) {
    struct l7_pkt lp = {p->payload, p->payload_cap, p->proto, (uint8_t)dir,
                        f->c_port, f->s_port};
    l7_flow_inspect(&f->l7, &lp);
  }
  uint8_t cls = class_of(f);
  if (f->cls != FC_COUNT)
    lru_unlink(t, i);
  lru_append(t, i, cls);
  *dir_out = dir;
  return f;
}

void flow_table_advance(struct flow_table *t, uint64_t now_ns) {
  if (now_ns <= t->now_ns)
    return;
  t->now_ns = now_ns;
  if (t->now_ns >= t->next_expiry_ns)
    expire(t);
}

void flow_table_flush(struct flow_table *t) {
  for (int cls = 0; cls < FC_COUNT; cls++) {
    uint32_t i;
    while ((i = t->lru_head[cls]) != FLOW_NONE)
      end_flow(t, i, end_reason_of(&t->flows[i], EV_END_CAPTURE));
  }
  /* The next capture has a clock of its own. */
  t->now_ns = 0;
  t->next_expiry_ns = 0;
}
