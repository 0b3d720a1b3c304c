#include "tcp.h"

#include <stdlib.h>

#include "buf.h"
#include "pkt.h"
#include "rng.h"

#define TCP_MSS 1460u
#define TCP_WSCALE 7
#define INIT_CWND (10u * TCP_MSS)
/* Below every advertised window (501 << 7 = 64128 bytes): the simulator never
 * fills the receiver's window, so dissectors see no window-full events. */
#define MAX_CWND (40u * TCP_MSS)

void tcp_path_lan(struct tcp_path *p, struct rng *r) {
  int64_t rtt = rng_range(r, 200, 1000);
  p->react[TCP_CLI] = rtt / 2;
  p->react[TCP_SRV] = rtt - rtt / 2;
  p->seg_us = 12; /* 1 Gbit/s */
}

void tcp_path_remote_client(struct tcp_path *p, struct rng *r, int64_t rtt_us) {
  p->react[TCP_CLI] = rtt_us;
  p->react[TCP_SRV] = rng_range(r, 20, 90);
  p->seg_us = 120; /* 100 Mbit/s uplink */
}

void tcp_path_remote_server(struct tcp_path *p, struct rng *r, int64_t rtt_us) {
  p->react[TCP_CLI] = rng_range(r, 20, 90);
  p->react[TCP_SRV] = rtt_us;
  p->seg_us = 120;
}

static void emit(struct tcp_conn *c, int from, int64_t ts, uint8_t flags,
                 const uint8_t *data, size_t len) {
  struct tcp_end *me = &c->end[from], *peer = &c->end[!from];
  struct tcp_hdr th = {
      .sport = me->port,
      .dport = peer->port,
      .seq = me->nxt,
      .ack = (flags & TCP_ACK) ? peer->nxt : 0,
      .flags = flags,
      .win = (flags & TCP_RST) ? 0 : me->win,
  };
  pkt_tcp(c->tr, ts, me->h, peer->h, me->ip_id++, &th, data, len);
  c->packets[from]++;
  if (ts > c->now) c->now = ts;
}

/* SYN options as Linux sends them without timestamps:
 * MSS 1460, NOP, NOP, SACK permitted, NOP, window scale 7. */
static const uint8_t linux_syn_opt[12] = {
    2, 4, TCP_MSS >> 8, TCP_MSS & 0xff, 1, 1, 4, 2, 1, 3, 3, TCP_WSCALE};

static void emit_syn(struct tcp_conn *c, int from, int64_t ts, uint8_t flags,
                     const uint8_t *opt, size_t optlen) {
  struct tcp_end *me = &c->end[from], *peer = &c->end[!from];
  struct tcp_hdr th = {
      .sport = me->port,
      .dport = peer->port,
      .seq = me->isn,
      .ack = (flags & TCP_ACK) ? peer->nxt : 0,
      .flags = flags,
      .win = 64240,
      .opt = opt,
      .optlen = optlen,
  };
  pkt_tcp(c->tr, ts, me->h, peer->h, me->ip_id++, &th, NULL, 0);
  me->nxt = me->isn + 1;
  c->packets[from]++;
  if (ts > c->now) c->now = ts;
}

static void end_init(struct tcp_end *e, struct rng *r, const struct host *h,
                     uint16_t port) {
  e->h = h;
  e->port = port;
  e->isn = (uint32_t)rng_next(r);
  e->nxt = e->isn;
  e->ip_id = (uint16_t)rng_next(r);
  e->win = (uint16_t)rng_range(r, 501, 2048);
  e->cwnd = INIT_CWND;
  e->mss = TCP_MSS;
}

static void conn_init(struct tcp_conn *c, struct pcap_trace *tr,
                      struct rng *rng, const struct host *cli, uint16_t cport,
                      const struct host *srv, uint16_t sport,
                      const struct tcp_path *path, int64_t t) {
  c->tr = tr;
  c->rng = rng;
  c->path = *path;
  end_init(&c->end[TCP_CLI], rng, cli, cport);
  end_init(&c->end[TCP_SRV], rng, srv, sport);
  c->payload[0] = c->payload[1] = 0;
  c->packets[0] = c->packets[1] = 0;
  c->start = c->now = t;
}

/* SYN, SYN-ACK, ACK with the given options. */
static void handshake(struct tcp_conn *c, const uint8_t *cli_opt,
                      size_t cli_optlen, const uint8_t *srv_opt,
                      size_t srv_optlen) {
  emit_syn(c, TCP_CLI, c->now, TCP_SYN, cli_opt, cli_optlen);
  emit_syn(c, TCP_SRV, c->now + c->path.react[TCP_SRV], TCP_SYN | TCP_ACK,
           srv_opt, srv_optlen);
  emit(c, TCP_CLI, c->now + c->path.react[TCP_CLI], TCP_ACK, NULL, 0);
  c->last_from = TCP_CLI;
}

void tcp_open(struct tcp_conn *c, struct pcap_trace *tr, struct rng *rng,
              const struct host *cli, uint16_t cport, const struct host *srv,
              uint16_t sport, const struct tcp_path *path, int64_t t) {
  conn_init(c, tr, rng, cli, cport, srv, sport, path, t);
  handshake(c, linux_syn_opt, sizeof(linux_syn_opt), linux_syn_opt,
            sizeof(linux_syn_opt));
}

void tcp_open_mss(struct tcp_conn *c, struct pcap_trace *tr, struct rng *rng,
                  const struct host *cli, uint16_t cport,
                  const struct host *srv, uint16_t sport,
                  const struct tcp_path *path, int64_t t, uint16_t cli_mss) {
  const uint8_t cli_opt[4] = {2, 4, (uint8_t)(cli_mss >> 8), (uint8_t)cli_mss};
  static const uint8_t srv_opt[4] = {2, 4, TCP_MSS >> 8, TCP_MSS & 0xff};
  conn_init(c, tr, rng, cli, cport, srv, sport, path, t);
  /* No window scaling was offered: windows are what the field says. */
  c->end[TCP_CLI].win = c->end[TCP_SRV].win = 64240;
  c->end[TCP_SRV].mss = cli_mss;
  c->end[TCP_SRV].cwnd = 10u * cli_mss;
  handshake(c, cli_opt, sizeof(cli_opt), srv_opt, sizeof(srv_opt));
}

void tcp_sync(struct tcp_conn *c, int64_t t) {
  if (t > c->now) c->now = t;
}

void tcp_idle(struct tcp_conn *c, int64_t us) { c->now += us; }

/* When `from` may put its next packet on the wire. */
static int64_t turn_time(struct tcp_conn *c, int from) {
  if (c->last_from == from) return c->now + rng_range(c->rng, 5, 40);
  return c->now + c->path.react[from];
}

struct pending_ack {
  int64_t ts;  /* when the ACK passed the tap */
  size_t upto; /* bytes of this send it acknowledges */
};

/* Cut data into segment lengths: MSS-sized, or whole messages when framed.
 * With seg NULL, only counts. */
static size_t plan_segments(const uint8_t *data, size_t len, size_t mss,
                            tcp_framer *framer, size_t *seg) {
  size_t n = 0, off = 0, rest = 0; /* rest: unsent part of a long message */
  while (off < len) {
    size_t s = 0;
    if (rest) {
      s = rest < mss ? rest : mss;
      rest -= s;
    } else if (!framer) {
      s = len - off < mss ? len - off : mss;
    } else {
      while (off + s < len) {
        size_t m = framer(data + off + s, len - off - s);
        if (m == 0 || m > len - off - s) m = len - off - s;
        if (s + m > mss) {
          if (s == 0) { /* a message longer than a segment */
            s = mss;
            rest = m - mss;
          }
          break;
        }
        s += m;
      }
    }
    if (seg) seg[n] = s;
    n++;
    off += s;
  }
  return n;
}

void tcp_send(struct tcp_conn *c, int from, const uint8_t *data, size_t len,
              enum tcp_ack_mode mode) {
  tcp_send_framed(c, from, data, len, NULL, mode);
}

void tcp_send_framed(struct tcp_conn *c, int from, const uint8_t *data,
                     size_t len, tcp_framer *framer, enum tcp_ack_mode mode) {
  if (len == 0) return;
  int to = !from;
  struct tcp_end *me = &c->end[from];
  size_t nseg = plan_segments(data, len, me->mss, framer, NULL);
  size_t *seg = malloc(nseg * sizeof(*seg));
  struct pending_ack *acks = malloc(nseg * sizeof(*acks));
  if (!seg || !acks) gen_die("out of memory");
  plan_segments(data, len, me->mss, framer, seg);
  size_t nacks = 0, next_ack = 0, acked = 0, off = 0;
  int64_t t = turn_time(c, from), last_ack_ts = 0;
  for (size_t k = 0; k < nseg; k++) {
    size_t seglen = seg[k];
    /* ACKs that reached the sender before t open the window; if it is still
     * full, wait for the next one. */
    for (;;) {
      bool arrived =
          next_ack < nacks && acks[next_ack].ts + c->path.react[from] <= t;
      bool blocked = off + seglen - acked > me->cwnd;
      if (!arrived && !(blocked && next_ack < nacks)) break;
      int64_t seen = acks[next_ack].ts + c->path.react[from];
      if (seen > t) t = seen;
      me->cwnd += (uint32_t)(acks[next_ack].upto - acked);
      if (me->cwnd > MAX_CWND) me->cwnd = MAX_CWND;
      acked = acks[next_ack].upto;
      next_ack++;
    }
    bool last = k + 1 == nseg;
    emit(c, from, t, (uint8_t)(TCP_ACK | (last ? TCP_PSH : 0)), data + off,
         seglen);
    me->nxt += (uint32_t)seglen;
    off += seglen;
    bool ack_here = (k % 2 == 1) || (last && mode == TCP_ACK_NOW);
    if (ack_here) {
      int64_t ats = t + c->path.react[to];
      if (ats <= last_ack_ts) ats = last_ack_ts + 1;
      emit(c, to, ats, TCP_ACK, NULL, 0);
      last_ack_ts = ats;
      acks[nacks].ts = ats;
      acks[nacks].upto = off;
      nacks++;
    }
    int64_t wire = c->path.seg_us * (int64_t)seglen / (int64_t)TCP_MSS;
    t += wire > 0 ? wire : 1;
  }
  free(seg);
  free(acks);
  c->payload[from] += len;
  c->last_from = from;
}

void tcp_close(struct tcp_conn *c, int from) {
  int to = !from;
  emit(c, from, turn_time(c, from), TCP_FIN | TCP_ACK, NULL, 0);
  c->end[from].nxt++;
  emit(c, to, c->now + c->path.react[to], TCP_FIN | TCP_ACK, NULL, 0);
  c->end[to].nxt++;
  emit(c, from, c->now + c->path.react[from], TCP_ACK, NULL, 0);
  c->last_from = from;
}

void tcp_abort(struct tcp_conn *c, int from) {
  emit(c, from, turn_time(c, from), TCP_RST | TCP_ACK, NULL, 0);
  c->last_from = from;
}
