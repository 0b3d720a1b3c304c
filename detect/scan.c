#include "detect/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "detect/signatures.h"

#define NS_PER_S 1000000000ull
#define F_PORTSCAN 1u  /* port scan alert raised this window */
#define F_SWEEP 2u     /* host sweep alert raised this window */
#define F_SCANNER 4u   /* scanning this window */
#define MAX_PAIRS (1u << 20) /* tables are cleared beyond this */
#define MAX_HELD 4096

struct addr_key {
  uint8_t family, pad[3];
  uint8_t b[16];
};

struct pair_key {
  struct addr_key src, dst;
  uint16_t port;
  uint8_t proto, pad;
};

struct port_key {
  struct addr_key src;
  uint16_t port;
  uint8_t proto, pad;
};

_Static_assert(sizeof(struct pair_key) <= KEYTAB_KEY_MAX, "pair key too long");
_Static_assert(2 * sizeof(struct addr_key) <= KEYTAB_KEY_MAX, "host key too long");

static void addr_key(const struct hb_addr *a, struct addr_key *k) {
  memset(k, 0, sizeof *k);
  k->family = a->family;
  memcpy(k->b, a->b, 16);
}

void scan_init(struct scan_tracker *s, const struct cfg_scan *cfg,
               scan_alert_fn emit, void *ctx) {
  memset(s, 0, sizeof *s);
  s->cfg = *cfg;
  s->window_ns = (uint64_t)(cfg->window ? cfg->window : 60) * NS_PER_S;
  keytab_init(&s->sources, sizeof(struct addr_key));
  keytab_init(&s->pairs, sizeof(struct pair_key));
  keytab_init(&s->per_host, 2 * sizeof(struct addr_key));
  keytab_init(&s->per_port, sizeof(struct port_key));
  s->emit = emit;
  s->ctx = ctx;
}

void scan_free(struct scan_tracker *s) {
  keytab_free(&s->sources);
  keytab_free(&s->pairs);
  keytab_free(&s->per_host);
  keytab_free(&s->per_port);
  free(s->held);
  s->held = NULL;
}

bool scan_is_probe(const struct ev_flow *f) {
  switch (f->proto) {
  case 6:
    if (f->state == EV_STATE_NEW || f->state == EV_STATE_REJECTED)
      return true;
    return f->payload_c2s == 0 && f->payload_s2c == 0 && f->pkts_c2s <= 3;
  case 17:
    return f->state == EV_STATE_NEW || f->state == EV_STATE_REJECTED;
  case 1:
    return f->srv_port == 8;
  case 58:
    return f->srv_port == 128;
  default:
    return false;
  }
}

/* Count one in a (key -> a: count, b: window) table; returns the count. */
static uint64_t count_in_window(struct keytab *t, const void *key, uint64_t window) {
  bool created;
  struct keytab_entry *e = keytab_get(t, key, &created);
  if (!e)
    return 0;
  if (created || e->b != window) {
    e->a = 0;
    e->b = window;
  }
  return ++e->a;
}

static void raise_threat(struct scan_tracker *s, const struct ev_flow *f, uint32_t sig,
                         double score, const char *what) {
  struct ev_alert a;
  memset(&a, 0, sizeof a);
  a.flow = *f;
  a.signature_id = sig;
  a.category = EV_CAT_THREAT;
  a.severity = 2;
  a.action = EV_ACTION_ALLOWED;
  a.mode = s->mode;
  a.score = score;
  hb_fmt(a.signature, sizeof a.signature, "%s", what);
  s->emit(s->ctx, &a);
}

/* A source found scanning: what it held is evidence, not news. */
static void drop_held_of(struct scan_tracker *s, const struct hb_addr *src) {
  uint32_t keep = 0;
  for (uint32_t i = 0; i < s->n_held; i++) {
    if (hb_addr_eq(&s->held[i].src, src))
      s->suppressed++;
    else
      s->held[keep++] = s->held[i];
  }
  s->n_held = keep;
}

/* Release held violations whose source window is over. */
static void release_due(struct scan_tracker *s) {
  uint32_t keep = 0;
  for (uint32_t i = 0; i < s->n_held; i++) {
    if (s->held[i].window_start + s->window_ns <= s->now_ns)
      s->emit(s->ctx, &s->held[i].alert);
    else
      s->held[keep++] = s->held[i];
  }
  s->n_held = keep;
}

static void check_thresholds(struct scan_tracker *s, const struct ev_flow *f,
                             struct keytab_entry *src, uint64_t ports, uint64_t hosts) {
  char ip[HB_ADDR_STRLEN], dst[HB_ADDR_STRLEN], why[EV_REASON_MAX];
  hb_addr_str(&f->cli, ip);
  hb_addr_str(&f->srv, dst);
  if (s->cfg.ports && ports >= s->cfg.ports && !(src->b & F_PORTSCAN)) {
    src->b |= F_PORTSCAN | F_SCANNER;
    hb_fmt(why, sizeof why,
             "port scan: %s (%s) probed %llu ports of %s (%s) within %u s; threshold %u",
             ip, f->cli_service, (unsigned long long)ports, dst, f->srv_service,
             s->cfg.window, s->cfg.ports);
    raise_threat(s, f, SIG_PORT_SCAN, (double)ports / s->cfg.ports, why);
  }
  if (s->cfg.hosts && hosts >= s->cfg.hosts && !(src->b & F_SWEEP)) {
    src->b |= F_SWEEP | F_SCANNER;
    hb_fmt(why, sizeof why,
             "host sweep: %s (%s) probed %llu hosts on %s/%u within %u s; threshold %u",
             ip, f->cli_service, (unsigned long long)hosts,
             f->proto == 17 ? "udp" : f->proto == 6 ? "tcp" : "icmp", f->srv_port,
             s->cfg.window, s->cfg.hosts);
    raise_threat(s, f, SIG_HOST_SWEEP, (double)hosts / s->cfg.hosts, why);
  }
}

enum scan_status scan_observe(struct scan_tracker *s, const struct ev_flow *f,
                              uint8_t mode) {
  s->mode = mode;
  if (f->last_ns > s->now_ns)
    s->now_ns = f->last_ns;
  if (s->n_held)
    release_due(s);
  if (!scan_is_probe(f))
    return SCAN_NOT_PROBE;

  struct addr_key sk;
  addr_key(&f->cli, &sk);
  bool created;
  struct keytab_entry *src = keytab_get(&s->sources, &sk, &created);
  if (!src)
    return SCAN_PROBE;
  if (created || f->first_ns >= src->a + s->window_ns) {
    src->a = f->first_ns; /* a new window starts with this probe */
    src->b = 0;
  }
  uint64_t window = src->a, flags_before = src->b;

  if (s->pairs.n > MAX_PAIRS) {
    keytab_clear(&s->pairs);
    keytab_clear(&s->per_host);
    keytab_clear(&s->per_port);
  }
  struct pair_key pk;
  memset(&pk, 0, sizeof pk);
  pk.src = sk;
  addr_key(&f->srv, &pk.dst);
  pk.port = f->srv_port;
  pk.proto = f->proto;
  struct keytab_entry *pe = keytab_get(&s->pairs, &pk, &created);
  if (pe && (created || pe->a != window)) {
    pe->a = window;
    struct addr_key hk[2] = {pk.src, pk.dst};
    struct port_key ok;
    memset(&ok, 0, sizeof ok);
    ok.src = sk;
    ok.port = pk.port;
    ok.proto = pk.proto;
    uint64_t ports = count_in_window(&s->per_host, hk, window);
    uint64_t hosts = count_in_window(&s->per_port, &ok, window);
    /* keytab_get above may have moved entries: find the source again. */
    src = keytab_find(&s->sources, &sk);
    if (src)
      check_thresholds(s, f, src, ports, hosts);
  }
  src = keytab_find(&s->sources, &sk);
  if (src && (src->b & F_SCANNER)) {
    if (!(flags_before & F_SCANNER))
      drop_held_of(s, &f->cli);
    return SCAN_SCANNER;
  }
  return SCAN_PROBE;
}

void scan_hold(struct scan_tracker *s, const struct ev_alert *a) {
  if (s->n_held == s->cap_held) {
    uint32_t cap = s->cap_held ? s->cap_held * 2 : 64;
    struct scan_held *nh = cap <= MAX_HELD ? realloc(s->held, cap * sizeof *nh) : NULL;
    if (!nh) {
      s->emit(s->ctx, a); /* cannot hold it: raise it now rather than lose it */
      return;
    }
    s->held = nh;
    s->cap_held = cap;
  }
  struct scan_held *h = &s->held[s->n_held++];
  h->src = a->flow.cli;
  struct addr_key sk;
  addr_key(&a->flow.cli, &sk);
  struct keytab_entry *src = keytab_find(&s->sources, &sk);
  h->window_start = src ? src->a : a->flow.first_ns;
  h->alert = *a;
}

void scan_finish(struct scan_tracker *s) {
  for (uint32_t i = 0; i < s->n_held; i++)
    s->emit(s->ctx, &s->held[i].alert);
  s->n_held = 0;
}
