#include "enforce/flow_reset.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "enforce/nfq_guard.h"
#include "enforce/tcp_reset.h"

int flow_reset_open(struct flow_reset *fr, const struct ipt_rules *rules,
                    struct hb_error *err) {
  memset(fr, 0, sizeof *fr);
  fr->rules = rules;
  fr->raw_fd = -1;
  fr->orders = calloc(FLOW_RESET_MAX, sizeof *fr->orders);
  if (!fr->orders)
    return hb_fail(err, ENOMEM, "out of memory");
  /* IPPROTO_RAW: we write whole IPv4 packets (IP_HDRINCL). */
  fr->raw_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  /* Marked, so the chain lets them pass instead of queueing them to us. */
  unsigned mark = NFQ_OWN_MARK;
  if (fr->raw_fd < 0 || setsockopt(fr->raw_fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) {
    int e = errno;
    flow_reset_close(fr);
    return hb_fail(err, e, "raw socket for resets: %s (needs CAP_NET_RAW and CAP_NET_ADMIN)",
                   strerror(e));
  }
  return 0;
}

static void addr_text(const uint8_t a[4], char out[16]) {
  snprintf(out, 16, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/* Both directions' rules: add, or remove. 0, or -EIO. */
static int flow_rules(struct flow_reset *fr, const struct flow_reset_order *o, bool add) {
  char c[16], s[16];
  addr_text(o->cli, c);
  addr_text(o->srv, s);
  int rc1 = ipt_rules_flow(fr->rules, add, c, o->cli_port, s, o->srv_port);
  if (rc1 < 0 && add)
    return rc1;
  int rc2 = ipt_rules_flow(fr->rules, add, s, o->srv_port, c, o->cli_port);
  if (rc2 < 0 && add)
    ipt_rules_flow(fr->rules, false, c, o->cli_port, s, o->srv_port);
  if ((rc1 < 0 || rc2 < 0) && !add)
    fr->rule_failures++;
  return rc1 < 0 ? rc1 : rc2;
}

static void drop_order(struct flow_reset *fr, size_t i) {
  flow_rules(fr, &fr->orders[i], false);
  fr->orders[i] = fr->orders[--fr->n];
}

/* The order for a->b, in either direction; NULL when none. */
static struct flow_reset_order *find(struct flow_reset *fr, const uint8_t a[4], uint16_t ap,
                                     const uint8_t b[4], uint16_t bp) {
  for (size_t i = 0; i < fr->n; i++) {
    struct flow_reset_order *o = &fr->orders[i];
    if ((!memcmp(o->cli, a, 4) && o->cli_port == ap && !memcmp(o->srv, b, 4) &&
         o->srv_port == bp) ||
        (!memcmp(o->cli, b, 4) && o->cli_port == bp && !memcmp(o->srv, a, 4) &&
         o->srv_port == ap))
      return o;
  }
  return NULL;
}

static void probe(struct flow_reset *fr, const struct flow_reset_order *o);

int flow_reset_add(struct flow_reset *fr, const struct ev_alert *a, uint64_t now_ns,
                   struct hb_error *err) {
  const struct ev_flow *f = &a->flow;
  if (f->proto != 6 || f->cli.family != 4 || f->srv.family != 4 ||
      find(fr, f->cli.b, f->cli_port, f->srv.b, f->srv_port)) {
    fr->ignored++;
    return 0;
  }
  if (fr->n == FLOW_RESET_MAX) { /* the oldest order makes room */
    size_t oldest = 0;
    for (size_t i = 1; i < fr->n; i++)
      if (fr->orders[i].until_ns < fr->orders[oldest].until_ns)
        oldest = i;
    drop_order(fr, oldest);
  }
  struct flow_reset_order *o = &fr->orders[fr->n];
  memset(o, 0, sizeof *o);
  memcpy(o->cli, f->cli.b, 4);
  memcpy(o->srv, f->srv.b, 4);
  o->cli_port = f->cli_port;
  o->srv_port = f->srv_port;
  o->until_ns = now_ns + FLOW_RESET_HOLD_S * 1000000000ull;
  o->alert = *a;
  if (flow_rules(fr, o, true) < 0) {
    fr->rule_failures++;
    char c[16], s[16];
    addr_text(o->cli, c);
    addr_text(o->srv, s);
    return hb_fail(err, EIO, "iptables: cannot queue %s:%u <-> %s:%u to reset it", c,
                   o->cli_port, s, o->srv_port);
  }
  fr->n++;
  fr->ordered++;
  probe(fr, o);
  return 1;
}

/* Send one of our segments (a reset or a probe); false when it failed. */
static bool send_segment(struct flow_reset *fr, const uint8_t pkt[TCP_RESET_LEN]) {
  struct sockaddr_in to = {.sin_family = AF_INET};
  memcpy(&to.sin_addr, pkt + 16, 4);
  ssize_t n = sendto(fr->raw_fd, pkt, TCP_RESET_LEN, 0, (struct sockaddr *)&to, sizeof to);
  if (n != TCP_RESET_LEN)
    fr->send_failed++;
  return n == TCP_RESET_LEN;
}

static void send_reset(struct flow_reset *fr, const uint8_t pkt[TCP_RESET_LEN]) {
  fr->resets_sent += send_segment(fr, pkt);
}

/* Make both ends speak now, so a quiet connection is reset at once: each
 * gets an ACK it cannot accept and answers with where it stands. */
static void probe(struct flow_reset *fr, const struct flow_reset_order *o) {
  uint8_t p[TCP_RESET_LEN];
  tcp_probe_build(o->cli, o->srv, o->cli_port, o->srv_port, p);
  fr->probes_sent += send_segment(fr, p);
  tcp_probe_build(o->srv, o->cli, o->srv_port, o->cli_port, p);
  fr->probes_sent += send_segment(fr, p);
}

enum flow_reset_verdict flow_reset_packet(struct flow_reset *fr, const uint8_t *pkt,
                                          size_t len, const struct flow_reset_order **which) {
  *which = NULL;
  struct tcp_segment s;
  if (fr->n == 0 || tcp_segment_parse(pkt, len, &s) < 0)
    return FLOW_RESET_NOT_OURS;
  struct flow_reset_order *o = find(fr, s.src, s.sport, s.dst, s.dport);
  if (!o)
    return FLOW_RESET_NOT_OURS;
  *which = o;
  if (s.flags & TCPF_RST)
    return FLOW_RESET_PASS;
  uint8_t to_dst[TCP_RESET_LEN], to_src[TCP_RESET_LEN];
  tcp_reset_build(&s, to_dst, to_src);
  send_reset(fr, to_dst);
  send_reset(fr, to_src);
  o->packets++;
  fr->dropped++;
  return FLOW_RESET_DROP;
}

void flow_reset_expire(struct flow_reset *fr, uint64_t now_ns) {
  for (size_t i = fr->n; i-- > 0;)
    if (fr->orders[i].until_ns <= now_ns)
      drop_order(fr, i);
}

void flow_reset_close(struct flow_reset *fr) {
  while (fr->n)
    drop_order(fr, fr->n - 1);
  if (fr->raw_fd >= 0)
    close(fr->raw_fd);
  fr->raw_fd = -1;
  free(fr->orders);
  fr->orders = NULL;
}
