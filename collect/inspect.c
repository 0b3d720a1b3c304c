/* Per-packet threat checks. The order of work per packet: floods (cheap
 * counters), then, only when the packet carries something to look at,
 * the check its flow's application calls for. Every check is a pure
 * function in detect/threat/; this file decides when to call them and turns
 * their findings into alerts. */
#include "collect/inspect.h"

#include <stdio.h>
#include <string.h>

#include "collect/collector.h"
#include "collect/l7/dns_wire.h"
#include "core/hash.h"
#include "core/text.h"
#include "detect/inject/http_inject.h"
#include "detect/inject/sql_statement.h"
#include "detect/leak/leak.h"
#include "detect/signatures.h"
#include "detect/threat/heartbleed.h"
#include "detect/threat/http_smuggle.h"
#include "detect/threat/icmp_tunnel.h"

#define TCP_SYN 0x02
#define TCP_ACK 0x10
#define MDNS_PORT 5353

void inspect_init(struct inspector *in, const struct config *cfg, const char *node,
                  inspect_emit_fn emit, void *ctx) {
  memset(in, 0, sizeof *in);
  in->cfg = cfg->detect.threats;
  const struct cfg_threats *t = &in->cfg;
  flood_init(&in->floods, t->flood_window, t->syn_flood, t->icmp_flood, t->udp_flood);
  frag_init(&in->frags);
  dns_tunnel_init(&in->dns, t);
  in->node = node;
  in->emit = emit;
  in->ctx = ctx;
  in->config = cfg;
  keytab_init(&in->leaks_seen, 2 * sizeof(uint64_t));
}

int inspect_set_leaks(struct inspector *in, const struct leak_matcher *m,
                      struct hb_error *err) {
  int rc = leak_scratch_alloc(m, &in->leak_scratch, err);
  if (rc == 0)
    in->leaks = m;
  return rc;
}

void inspect_free(struct inspector *in) {
  leak_scratch_free(in->leak_scratch);
  in->leak_scratch = NULL;
  keytab_free(&in->leaks_seen);
  flood_free(&in->floods);
  frag_free(&in->frags);
  dns_tunnel_free(&in->dns);
}

/* A flow for a packet that has none (a fragment) or whose flow is not the
 * point (a flood): the packet's own addresses. */
static void packet_flow(const struct pkt_info *p, uint64_t ts, struct ev_flow *f) {
  memset(f, 0, sizeof *f);
  f->cli = p->src;
  f->srv = p->dst;
  f->cli_port = p->sport;
  f->srv_port = p->dport;
  f->proto = p->proto;
  f->vlan = p->vlan;
  f->first_ns = f->last_ns = ts;
  f->state = EV_STATE_NEW;
  f->end_reason = EV_END_OPEN;
  f->bytes_c2s = p->ip_len;
  f->pkts_c2s = 1;
  uint64_t h = hb_hash_bytes(p->src.b, 16, p->proto);
  h = hb_hash_bytes(p->dst.b, 16, h ^ ((uint64_t)p->sport << 16 | p->dport));
  f->flow_id = hb_mix64(h ^ ts) & ((1ull << 51) - 1);
}

/* Start an alert about flow f (or, when NULL, about packet p). Returns
 * NULL when it was raised on this flow before (once_per_flow). */
static struct ev_alert *begin_alert(struct inspector *in, struct flow *f,
                                    const struct pkt_info *p, uint64_t ts, uint32_t sig,
                                    uint8_t severity, bool once_per_flow) {
  struct event *ev = &in->scratch;
  if (f) {
    if (once_per_flow && (f->insp.raised & SIG_THREAT_BIT(sig)))
      return NULL;
    f->insp.raised |= SIG_THREAT_BIT(sig);
    collector_flow_event(f, EV_END_OPEN, in->node, ev);
    struct ev_flow copy = ev->u.flow;
    memset(&ev->u.alert, 0, sizeof ev->u.alert);
    ev->u.alert.flow = copy;
  } else {
    memset(ev, 0, offsetof(struct event, u) + sizeof ev->u.alert);
    memcpy(ev->node, in->node, sizeof ev->node);
    packet_flow(p, ts, &ev->u.alert.flow);
  }
  ev->kind = EV_ALERT;
  ev->ts_ns = ts;
  struct ev_alert *a = &ev->u.alert;
  a->signature_id = sig;
  a->category = EV_CAT_THREAT;
  a->severity = severity;
  a->action = EV_ACTION_ALLOWED;
  a->mode = EV_MODE_DISCOVER; /* the engine sets the mode in force */
  a->score = 1.0;
  a->at_ns = ts;
  return a;
}

static struct ev_alert *begin(struct inspector *in, struct flow *f,
                              const struct pkt_info *p, uint64_t ts, uint32_t sig,
                              uint8_t severity) {
  return begin_alert(in, f, p, ts, sig, severity, true);
}

static void raise_alert(struct inspector *in) {
  in->alerts++;
  in->emit(in->ctx, &in->scratch);
}

static void check_floods(struct inspector *in, const struct pkt_info *p, uint64_t ts) {
  enum flood_kind kind;
  const char *what;
  uint32_t sig;
  if (p->proto == 6 && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
    kind = FLOOD_SYN, what = "SYNs", sig = SIG_SYN_FLOOD;
  } else if ((p->proto == 1 && p->icmp_type == 8) || (p->proto == 58 && p->icmp_type == 128)) {
    kind = FLOOD_ICMP, what = "ICMP echo requests", sig = SIG_ICMP_FLOOD;
  } else if (p->proto == 17 && !p->fragment) {
    kind = FLOOD_UDP, what = "UDP packets", sig = SIG_UDP_FLOOD;
  } else {
    return;
  }
  uint64_t n = flood_count(&in->floods, kind, &p->dst, ts);
  if (!n)
    return;
  struct ev_alert *a = begin(in, NULL, p, ts, sig, 2);
  char dst[HB_ADDR_STRLEN];
  a->score = (double)n / (double)in->floods.limit[kind];
  hb_fmt(a->signature, sizeof a->signature,
         "%s flood: more than %llu %s to %s within %u s (threshold %llu per second)",
         kind == FLOOD_SYN ? "SYN" : kind == FLOOD_ICMP ? "ICMP" : "UDP",
         (unsigned long long)(n - 1), what, hb_addr_str(&p->dst, dst),
         in->cfg.flood_window,
         (unsigned long long)(in->floods.limit[kind] / in->cfg.flood_window));
  raise_alert(in);
}

static void check_fragment(struct inspector *in, const struct pkt_info *p, uint64_t ts) {
  uint32_t with = 0;
  enum frag_verdict v = frag_observe(&in->frags, p, ts, &with);
  if (v == FRAG_FINE)
    return;
  char src[HB_ADDR_STRLEN], dst[HB_ADDR_STRLEN];
  hb_addr_str(&p->src, src);
  hb_addr_str(&p->dst, dst);
  struct ev_alert *a = begin(in, NULL, p, ts, v == FRAG_TOO_BIG ? SIG_PING_OF_DEATH
                                                               : SIG_FRAG_OVERLAP,
                             v == FRAG_TOO_BIG ? 1 : 2);
  frag_ports(&in->frags, p, &a->flow.cli_port, &a->flow.srv_port);
  if (v == FRAG_TOO_BIG)
    hb_fmt(a->signature, sizeof a->signature,
           "ping of death: a fragment of %s -> %s (id %u) ends at byte %u, past the "
           "65,535 an IP datagram can hold",
           src, dst, p->ip_id, p->frag_offset + p->frag_len);
  else
    hb_fmt(a->signature, sizeof a->signature,
           "overlapping IP fragments: %s -> %s (id %u) bytes %u-%u overlap the "
           "fragment at %u",
           src, dst, p->ip_id, p->frag_offset, p->frag_offset + p->frag_len, with);
  raise_alert(in);
}

static void check_tls(struct inspector *in, struct flow *f, int dir,
                      const struct pkt_info *p, uint64_t ts) {
  struct hb_state st = {f->insp.hb_request, (uint8_t)(f->insp.hb_appdata)};
  uint32_t rec = 0, detail = 0;
  enum hb_verdict v = tls_heartbeat_check(&st, dir, p->payload, p->payload_cap, &rec, &detail);
  f->insp.hb_request = st.request_len;
  f->insp.hb_appdata = st.app_data;
  if (v == HB_NONE)
    return;
  struct ev_alert *a = begin(in, f, p, ts, v == HB_LEAK ? SIG_HEARTBLEED_LEAK : SIG_HEARTBLEED, 1);
  if (!a)
    return;
  if (v == HB_LEAK)
    hb_fmt(a->signature, sizeof a->signature,
           "Heartbleed: the server answered a %u-byte heartbeat with a %u-byte one "
           "(memory leaked)", detail, rec);
  else if (detail)
    hb_fmt(a->signature, sizeof a->signature,
           "Heartbleed: a TLS heartbeat request claims %u bytes in a %u-byte record",
           detail, rec);
  else
    hb_fmt(a->signature, sizeof a->signature,
           "Heartbleed: a TLS heartbeat from the client before any application data "
           "(record of %u bytes)", rec);
  raise_alert(in);
}

static void check_injection(struct inspector *in, struct flow *f, const struct pkt_info *p,
                            uint64_t ts) {
  struct http_inject_result r;
  if (!http_inject_request(p->payload, p->payload_cap, &r))
    return;
  int sqli = r.kind == INJ_SQLI;
  struct ev_alert *a = begin(in, f, p, ts, sqli ? SIG_HTTP_SQLI : SIG_HTTP_XSS, 1);
  if (!a)
    return;
  a->score = (double)r.f.score / INJ_DETECT;
  hb_fmt(a->signature, sizeof a->signature, "%s in an HTTP request (%s, rule %s): %s",
         sqli ? "SQL injection" : "cross-site scripting", r.where, r.f.rule, r.f.evidence);
  raise_alert(in);
}

static void check_http(struct inspector *in, struct flow *f, int dir,
                       const struct pkt_info *p, uint64_t ts) {
  if (dir != 0 || !http_request_start(p->payload, p->payload_cap))
    return;
  check_injection(in, f, p, ts);
  const char *why = http_smuggling_check(p->payload, p->payload_cap);
  if (!why)
    return;
  struct ev_alert *a = begin(in, f, p, ts, SIG_HTTP_SMUGGLING, 1);
  if (!a)
    return;
  hb_fmt(a->signature, sizeof a->signature, "HTTP request smuggling: %s", why);
  raise_alert(in);
}

/* The statement of a MySQL COM_QUERY / COM_STMT_PREPARE or a PostgreSQL
 * Query / Parse message starting the payload; 0 when there is none. */
static int sql_statement_of(uint8_t app, const uint8_t *p, uint32_t cap,
                            const uint8_t **stmt, size_t *n) {
  if (app == L7_APP_MYSQL) {
    if (cap < 6 || (p[4] != 0x03 && p[4] != 0x16))
      return 0;
    size_t len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
    if (len < 2)
      return 0;
    *stmt = p + 5;
    *n = len - 1 < cap - 5 ? len - 1 : cap - 5;
    return 1;
  }
  if (cap < 6 || (p[0] != 'Q' && p[0] != 'P'))
    return 0;
  size_t len = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
  if (len < 5)
    return 0;
  size_t end = len + 1 < cap ? len + 1 : cap, off = 5;
  if (p[0] == 'P') { /* a statement name first */
    const uint8_t *z = memchr(p + off, 0, end - off);
    if (!z)
      return 0;
    off = (size_t)(z - p) + 1;
  }
  const uint8_t *z = memchr(p + off, 0, end - off);
  *stmt = p + off;
  *n = (z ? (size_t)(z - p) : end) - off;
  return *n > 0;
}

static void check_sql(struct inspector *in, struct flow *f, int dir,
                      const struct pkt_info *p, uint64_t ts) {
  const uint8_t *stmt;
  size_t n;
  if (dir != 0 || !sql_statement_of(f->l7.app, p->payload, p->payload_cap, &stmt, &n))
    return;
  struct sql_statement_result r;
  if (!sql_statement_check(stmt, n, &r))
    return;
  struct ev_alert *a = begin(in, f, p, ts, SIG_SQL_INJECTION, 1);
  if (!a)
    return;
  a->score = (double)r.f.score / INJ_DETECT;
  hb_fmt(a->signature, sizeof a->signature, "SQL injection in a %s statement (rule %s): %s",
         l7_app_name(f->l7.app), r.f.rule, r.f.evidence);
  raise_alert(in);
}

struct leak_ctx {
  struct inspector *in;
  struct flow *f;
  const struct pkt_info *p;
  uint64_t ts;
  int dir;
};

/* Each distinct secret once per flow: five cards on one page are five
 * alerts, the same card sent twice is one. */
static bool leak_seen(struct inspector *in, const struct flow *f,
                      const struct leak_hit *hit) {
  uint64_t key[2] = {f->hash ^ f->first_ns,
                     hb_hash_bytes(hit->evidence, strnlen(hit->evidence, sizeof hit->evidence),
                                   hit->kind)};
  if (in->leaks_seen.n >= LEAKS_SEEN_MAX)
    keytab_clear(&in->leaks_seen);
  bool created;
  return keytab_get(&in->leaks_seen, key, &created) && !created;
}

static int on_leak(void *ctx, const struct leak_hit *hit) {
  struct leak_ctx *c = ctx;
  uint32_t sig = hit->kind == LEAK_CARD          ? SIG_LEAK_CARD
                 : hit->kind == LEAK_PRIVATE_KEY ? SIG_LEAK_PRIVATE_KEY
                 : hit->kind == LEAK_USER        ? SIG_LEAK_PATTERN
                 : hit->kind == LEAK_AWS_SECRET_KEY ? SIG_LEAK_AWS_SECRET
                                                 : SIG_LEAK_AWS_KEY;
  if (leak_seen(c->in, c->f, hit))
    return 0;
  struct ev_alert *a = begin_alert(c->in, c->f, c->p, c->ts, sig,
                                   sig == SIG_LEAK_PATTERN ? 2 : 1, false);
  const char *way = c->dir == 0 ? "to the server" : "to the client";
  if (hit->kind == LEAK_USER && hit->pattern < c->in->config->detect.n_leaks)
    hb_fmt(a->signature, sizeof a->signature, "data leak: pattern '%s' sent %s (%s)",
           c->in->config->detect.leaks[hit->pattern].name, way, hit->evidence);
  else
    hb_fmt(a->signature, sizeof a->signature, "data leak: %s sent %s (%s)",
           hit->kind == LEAK_CARD          ? "a payment card number"
           : hit->kind == LEAK_PRIVATE_KEY ? "a private key"
           : hit->kind == LEAK_AWS_SECRET_KEY ? "an AWS secret access key"
                                           : "an AWS access key id",
           way, hit->evidence);
  raise_alert(c->in);
  return 0;
}

/* A payload that looks encrypted or compressed: under half of its first
 * 64 bytes are text. No leak pattern can match in such bytes as they are,
 * and scanning them is most of what leak scanning would cost. */
static bool looks_opaque(const uint8_t *p, uint32_t n) {
  uint32_t k = n < 64 ? n : 64, text = 0;
  for (uint32_t i = 0; i < k; i++)
    text += (p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\n' || p[i] == '\r' || p[i] == '\t';
  return text * 2 < k;
}

/* The first leak_bytes of each way of a flow whose bytes can be read. */
static void check_leaks(struct inspector *in, struct flow *f, int dir,
                        const struct pkt_info *p, uint64_t ts) {
  uint8_t app = f->l7.app;
  if (app == L7_APP_TLS || app == L7_APP_SSH || app == L7_APP_QUIC)
    return;
  uint32_t done = f->insp.scanned[dir];
  if (done >= in->cfg.leak_bytes)
    return;
  uint32_t n = p->payload_cap < in->cfg.leak_bytes - done ? p->payload_cap
                                                           : in->cfg.leak_bytes - done;
  f->insp.scanned[dir] = done + n;
  if (looks_opaque(p->payload, n))
    return;
  struct leak_ctx c = {in, f, p, ts, dir};
  leak_scan(in->leaks, in->leak_scratch, p->payload, n, on_leak, &c);
}

static void check_dns(struct inspector *in, struct flow *f, const struct pkt_info *p,
                      uint64_t ts) {
  const uint8_t *m = p->payload;
  size_t cap = p->payload_cap, len = p->payload_len;
  int udp = p->proto == 17;
  /* mDNS may fill a UDP datagram up to 9000 bytes without EDNS (RFC 6762
   * §17): the unicast size limits are not for it. */
  int size_limits = udp && p->sport != MDNS_PORT && p->dport != MDNS_PORT;
  if (!udp) { /* TCP: a message after its 2-byte length, when one starts here */
    if (cap < 2 + DNS_HDR)
      return;
    len = (size_t)m[0] << 8 | m[1];
    m += 2;
    cap -= 2;
  }
  struct dns_question q;
  const char *why;
  enum dns_msg_verdict v = dns_message_check(m, cap, len, size_limits, &q, &why);
  if (v == DNS_MSG_NOT_DNS)
    return;
  if (v != DNS_MSG_FINE) {
    struct ev_alert *a = begin(in, f, p, ts, v == DNS_MSG_LOOP ? SIG_DNS_LOOP : SIG_DNS_OVERSIZE,
                               v == DNS_MSG_LOOP ? 2 : 3);
    if (a) {
      hb_fmt(a->signature, sizeof a->signature, "%s (%zu bytes%s%s)", why, len,
             q.name[0] ? ", question " : "", q.name);
      raise_alert(in);
    }
  }
  struct dns_tunnel_sign sign;
  uint64_t n = dns_tunnel_observe(&in->dns, &q, ts, &sign);
  if (!n)
    return;
  /* Per domain, not per flow: a tunnel may spread over many flows. */
  f->insp.raised &= ~SIG_THREAT_BIT(SIG_DNS_TUNNEL);
  struct ev_alert *a = begin(in, f, p, ts, SIG_DNS_TUNNEL, 2);
  a->score = sign.entropy;
  hb_fmt(a->signature, sizeof a->signature,
         "DNS tunnel: queries for names under %s look like data (score %llu within %u s; "
         "e.g. %s; longest label %u, entropy %.1f bits/char)",
         sign.domain, (unsigned long long)n, in->cfg.dns_window, q.name,
         sign.longest_label, sign.entropy);
  raise_alert(in);
}

static void check_icmp(struct inspector *in, struct flow *f, const struct pkt_info *p,
                       uint64_t ts) {
  int echo = p->proto == 1 ? (p->icmp_type == 8 || p->icmp_type == 0)
                           : (p->icmp_type == 128 || p->icmp_type == 129);
  if (!echo || p->has_inner)
    return;
  const char *why = icmp_tunnel_check(p->payload, p->payload_cap, p->payload_len);
  if (!why)
    return;
  struct ev_alert *a = begin(in, f, p, ts, SIG_ICMP_TUNNEL, 2);
  if (!a)
    return;
  char src[HB_ADDR_STRLEN], dst[HB_ADDR_STRLEN];
  hb_fmt(a->signature, sizeof a->signature, "ICMP tunnel: %s (%s -> %s, %u bytes)", why,
         hb_addr_str(&p->src, src), hb_addr_str(&p->dst, dst), p->payload_len);
  raise_alert(in);
}

static void check_mss(struct inspector *in, struct flow *f, const struct pkt_info *p,
                      uint64_t ts) {
  if (!(p->tcp_flags & TCP_SYN) || !p->tcp_mss || p->tcp_mss >= in->cfg.tiny_mss)
    return;
  struct ev_alert *a = begin(in, f, p, ts, SIG_TINY_MSS, 3);
  if (!a)
    return;
  char src[HB_ADDR_STRLEN];
  hb_fmt(a->signature, sizeof a->signature,
         "tiny TCP MSS: a SYN from %s announces %u bytes per segment (below %u)",
         hb_addr_str(&p->src, src), p->tcp_mss, in->cfg.tiny_mss);
  raise_alert(in);
}

static int is_dns(const struct flow *f, const struct pkt_info *p) {
  if (f && f->l7.app == L7_APP_DNS)
    return 1;
  return (p->proto == 17 || p->proto == 6) && (p->sport == 53 || p->dport == 53);
}

void inspect_packet(struct inspector *in, struct flow *f, int dir,
                    const struct pkt_info *p, uint64_t ts) {
  check_floods(in, p, ts);
  if (p->fragment)
    check_fragment(in, p, ts);
  if (!f)
    return;
  if (p->proto == 6 && p->tcp_mss)
    check_mss(in, f, p, ts);
  if (p->proto == 1 || p->proto == 58) {
    check_icmp(in, f, p, ts);
    return;
  }
  if (!p->payload_cap)
    return;
  if (in->leaks)
    check_leaks(in, f, dir, p, ts);
  if (is_dns(f, p))
    check_dns(in, f, p, ts);
  else if (f->l7.app == L7_APP_TLS)
    check_tls(in, f, dir, p, ts);
  else if (f->l7.app == L7_APP_HTTP)
    check_http(in, f, dir, p, ts);
  else if (f->l7.app == L7_APP_MYSQL || f->l7.app == L7_APP_POSTGRESQL)
    check_sql(in, f, dir, p, ts);
}
