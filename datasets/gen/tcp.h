/* datasets/gen/tcp.h — a TCP conversation simulator that writes packets.
 *
 * Contract: one struct tcp_conn is one connection between a client and a
 * server as seen by a capture point (a tap next to the shop's servers). The
 * functions write every packet of the conversation to the trace with
 * consistent sequence and acknowledgement numbers: a three-way handshake
 * with MSS/SACK/window-scale options, data cut into MSS-sized segments under
 * a congestion window, pure ACKs every second segment, FIN teardown or RST.
 *
 * Time: c->now is the time at the tap of the conversation's latest event.
 * A side that answers a packet from its peer is seen path.react[side] later
 * (its round trip from the tap plus a little host time); a side that keeps
 * talking is seen a few microseconds later. Callers add application think
 * time with tcp_idle/tcp_sync. Each side's packets are written in strictly
 * increasing time, so the sorted file keeps every side's byte stream in order.
 */
#ifndef HABIT_GEN_TCP_H
#define HABIT_GEN_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct host;
struct pcap_trace;
struct rng;

enum { TCP_CLI = 0, TCP_SRV = 1 };

/* After a send: does the receiver wait for its own reply to carry the ACK
 * (request/response, or a FIN that follows), or acknowledge at once? */
enum tcp_ack_mode { TCP_REPLY_FOLLOWS, TCP_ACK_NOW };

struct tcp_path {
  int64_t react[2]; /* us from a packet at the tap to this side's answer */
  int64_t seg_us;   /* wire time of one full-size segment */
};

struct tcp_end {
  const struct host *h;
  uint16_t port;
  uint32_t isn, nxt; /* first and next sequence number */
  uint16_t ip_id;
  uint16_t win;  /* window field after the SYN (scaled by 2^TCP_WSCALE) */
  uint32_t cwnd; /* bytes this side may have unacknowledged */
  uint16_t mss;  /* largest segment this side sends (the peer's MSS) */
};

struct tcp_conn {
  struct pcap_trace *tr;
  struct rng *rng;
  struct tcp_end end[2];
  struct tcp_path path;
  int64_t start, now;
  int last_from;
  uint64_t payload[2]; /* application bytes sent by each side */
  uint32_t packets[2];
};

/* Paths. The tap is beside the shop: a remote peer answers after its RTT,
 * a local host after a few tens of microseconds; LAN peers split the RTT. */
void tcp_path_lan(struct tcp_path *p, struct rng *r);
void tcp_path_remote_client(struct tcp_path *p, struct rng *r, int64_t rtt_us);
void tcp_path_remote_server(struct tcp_path *p, struct rng *r, int64_t rtt_us);

/* SYN at t, SYN-ACK, ACK. */
void tcp_open(struct tcp_conn *c, struct pcap_trace *tr, struct rng *rng,
              const struct host *cli, uint16_t cport, const struct host *srv,
              uint16_t sport, const struct tcp_path *path, int64_t t);
/* Like tcp_open, as an attack tool opens: the client's SYN carries a lone
 * MSS option of cli_mss, the server answers with a lone MSS 1460, windows
 * are unscaled, and the server's segments carry at most cli_mss bytes. */
void tcp_open_mss(struct tcp_conn *c, struct pcap_trace *tr, struct rng *rng,
                  const struct host *cli, uint16_t cport,
                  const struct host *srv, uint16_t sport,
                  const struct tcp_path *path, int64_t t, uint16_t cli_mss);
/* Nothing happens on the wire before t (an application waits for others). */
void tcp_sync(struct tcp_conn *c, int64_t t);
void tcp_idle(struct tcp_conn *c, int64_t us);
void tcp_send(struct tcp_conn *c, int from, const uint8_t *data, size_t len,
              enum tcp_ack_mode mode);
/* Length of the protocol message that starts at p (avail bytes remain). */
typedef size_t tcp_framer(const uint8_t *p, size_t avail);
/* Like tcp_send, but segments hold whole messages as framed by `framer`
 * (a message longer than the MSS gets segments of its own), as a sender
 * that writes one message at a time does. Dissectors then find a message
 * header at the start of every segment even in a snaplen-cut capture. */
void tcp_send_framed(struct tcp_conn *c, int from, const uint8_t *data,
                     size_t len, tcp_framer *framer, enum tcp_ack_mode mode);
/* `from` sends FIN, the peer answers FIN-ACK, `from` sends the last ACK. */
void tcp_close(struct tcp_conn *c, int from);
/* `from` aborts with RST-ACK. */
void tcp_abort(struct tcp_conn *c, int from);

#endif
