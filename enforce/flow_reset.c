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

/* A raw socket of family af that writes whole IP packets (IPPROTO_RAW
 * implies the header is ours, for IPv4 and IPv6), marked so the chain
 * lets them pass instead of queueing them to us. -1 on failure (errno). */
static int raw_socket(int af) {
  int fd = socket(af, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  unsigned mark = NFQ_OWN_MARK;
  if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

int flow_reset_open(struct flow_reset *fr, const struct ipt_rules rules[2],
                    struct hb_error *err) {
  memset(fr, 0, sizeof *fr);
  fr->rules[0] = &rules[0];
  fr->rules[1] = &rules[1];
  fr->raw_fd[0] = fr->raw_fd[1] = -1;
  fr->orders = calloc(FLOW_RESET_MAX, sizeof *fr->orders);
  if (!fr->orders)
    return hb_fail(err, ENOMEM, "out of memory");
  fr->raw_fd[0] = raw_socket(AF_INET);
  if (fr->raw_fd[0] >= 0)
    fr->raw_fd[1] = raw_socket(AF_INET6);
  if (fr->raw_fd[0] < 0 || fr->raw_fd[1] < 0) {
    int e = errno;
    flow_reset_close(fr);
    return hb_fail(err, e, "raw socket for resets: %s (needs CAP_NET_RAW and CAP_NET_ADMIN)",
                   strerror(e));
  }
  return 0;
}

static void addr_text(uint8_t family, const uint8_t *a, char out[INET6_ADDRSTRLEN]) {
  if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, out, INET6_ADDRSTRLEN))
    snprintf(out, INET6_ADDRSTRLEN, "?");
}

/* Both directions' rules: add, or remove. 0, or -EIO. */
static int flow_rules(struct flow_reset *fr, const struct flow_reset_order *o, bool add) {
  const struct ipt_rules *r = fr->rules[o->family == 6];
  char c[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
  addr_text(o->family, o->cli, c);
  addr_text(o->family, o->srv, s);
  int rc1 = ipt_rules_flow(r, add, c, o->cli_port, s, o->srv_port);
  if (rc1 < 0 && add)
    return rc1;
  int rc2 = ipt_rules_flow(r, add, s, o->srv_port, c, o->cli_port);
  if (rc2 < 0 && add)
    ipt_rules_flow(r, false, c, o->cli_port, s, o->srv_port);
  if ((rc1 < 0 || rc2 < 0) && !add)
    fr->rule_failures++;
  return rc1 < 0 ? rc1 : rc2;
}

static void drop_order(struct flow_reset *fr, size_t i) {
  flow_rules(fr, &fr->orders[i], false);
  fr->orders[i] = fr->orders[--fr->n];
}

/* The order for a->b, in either direction; NULL when none. */
static struct flow_reset_order *find(struct flow_reset *fr, uint8_t family, const uint8_t *a,
                                     uint16_t ap, const uint8_t *b, uint16_t bp) {
  size_t alen = family == 6 ? 16 : 4;
  for (size_t i = 0; i < fr->n; i++) {
    struct flow_reset_order *o = &fr->orders[i];
    if (o->family != family)
      continue;
    if ((!memcmp(o->cli, a, alen) && o->cli_port == ap && !memcmp(o->srv, b, alen) &&
         o->srv_port == bp) ||
        (!memcmp(o->cli, b, alen) && o->cli_port == bp && !memcmp(o->srv, a, alen) &&
         o->srv_port == ap))
      return o;
  }
  return NULL;
}

/* Send one of our segments (a reset or a probe); false when it failed. */
static bool send_segment(struct flow_reset *fr, uint8_t family, const uint8_t *pkt,
                         size_t len) {
  ssize_t n;
  if (family == 6) {
    struct sockaddr_in6 to = {.sin6_family = AF_INET6};
    memcpy(&to.sin6_addr, pkt + 24, 16);
    n = sendto(fr->raw_fd[1], pkt, len, 0, (struct sockaddr *)&to, sizeof to);
  } else {
    struct sockaddr_in to = {.sin_family = AF_INET};
    memcpy(&to.sin_addr, pkt + 16, 4);
    n = sendto(fr->raw_fd[0], pkt, len, 0, (struct sockaddr *)&to, sizeof to);
  }
  if (n != (ssize_t)len)
    fr->send_failed++;
  return n == (ssize_t)len;
}

/* Make both ends speak now, so a quiet connection is reset at once: each
 * gets an ACK it cannot accept and answers with where it stands. */
static void probe(struct flow_reset *fr, const struct flow_reset_order *o) {
  uint8_t p[TCP_RESET_MAX];
  size_t len = tcp_probe_build(o->family, o->cli, o->srv, o->cli_port, o->srv_port, p);
  fr->probes_sent += send_segment(fr, o->family, p, len);
  len = tcp_probe_build(o->family, o->srv, o->cli, o->srv_port, o->cli_port, p);
  fr->probes_sent += send_segment(fr, o->family, p, len);
}

int flow_reset_add(struct flow_reset *fr, const struct ev_alert *a, uint64_t now_ns,
                   struct hb_error *err) {
  const struct ev_flow *f = &a->flow;
  uint8_t family = f->cli.family;
  if (f->proto != 6 || (family != 4 && family != 6) || f->srv.family != family ||
      fr->rules[family == 6]->n_cidrs == 0 ||
      find(fr, family, f->cli.b, f->cli_port, f->srv.b, f->srv_port)) {
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
  o->family = family;
  memcpy(o->cli, f->cli.b, 16);
  memcpy(o->srv, f->srv.b, 16);
  o->cli_port = f->cli_port;
  o->srv_port = f->srv_port;
  o->until_ns = now_ns + FLOW_RESET_HOLD_S * 1000000000ull;
  o->alert = *a;
  if (flow_rules(fr, o, true) < 0) {
    fr->rule_failures++;
    char c[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
    addr_text(family, o->cli, c);
    addr_text(family, o->srv, s);
    return hb_fail(err, EIO, "%s: cannot queue [%s]:%u <-> [%s]:%u to reset it",
                   family == 6 ? "ip6tables" : "iptables", c, o->cli_port, s, o->srv_port);
  }
  fr->n++;
  fr->ordered++;
  probe(fr, o);
  return 1;
}

enum flow_reset_verdict flow_reset_packet(struct flow_reset *fr, const uint8_t *pkt,
                                          size_t len, const struct flow_reset_order **which) {
  *which = NULL;
  struct tcp_segment s;
  if (fr->n == 0 || tcp_segment_parse(pkt, len, &s) < 0)
    return FLOW_RESET_NOT_OURS;
  struct flow_reset_order *o = find(fr, s.family, s.src, s.sport, s.dst, s.dport);
  if (!o)
    return FLOW_RESET_NOT_OURS;
  *which = o;
  if (s.flags & TCPF_RST)
    return FLOW_RESET_PASS;
  uint8_t to_dst[TCP_RESET_MAX], to_src[TCP_RESET_MAX];
  size_t n = tcp_reset_build(&s, to_dst, to_src);
  fr->resets_sent += send_segment(fr, s.family, to_dst, n);
  fr->resets_sent += send_segment(fr, s.family, to_src, n);
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
  for (int i = 0; i < 2; i++) {
    if (fr->raw_fd[i] >= 0)
      close(fr->raw_fd[i]);
    fr->raw_fd[i] = -1;
  }
  free(fr->orders);
  fr->orders = NULL;
}
