/* enforce/flow_reset.h — connections the engine ordered reset, ended at
 * their next packet.
 *
 * Contract: flow_reset_add() takes the flow of an order (a TCP connection
 * with a threat, core/order_bus.h; IPv4 or IPv6) and has both of its
 * directions queued to the guard (two rules early in the chain of
 * enforce/ipt_rules.h, of the connection's family) for FLOW_RESET_HOLD_S seconds, and sends each end a
 * probe it answers at once (tcp_probe_build), so a quiet connection is
 * reset too. flow_reset_packet()
 * is asked first about every queued packet: a packet of such a connection
 * that is not itself a reset is to be dropped, and a reset is sent to each
 * end (enforce/tcp_reset.h, raw socket), so both ends stop at once and
 * whatever either sends while the order holds is dropped and answered
 * again; the ends' own resets pass (ours carry NFQ_OWN_MARK and are never
 * queued). flow_reset_expire() removes the
 * rules of orders past their time; flow_reset_close() removes the rest. At
 * most FLOW_RESET_MAX orders hold at once: the oldest makes room. No
 * global state.
 */
#ifndef HABIT_ENFORCE_FLOW_RESET_H
#define HABIT_ENFORCE_FLOW_RESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/event.h"
#include "enforce/ipt_rules.h"

#define FLOW_RESET_MAX 256
#define FLOW_RESET_HOLD_S 30

struct flow_reset_order {
  uint8_t family;           /* 4 or 6 */
  uint8_t cli[16], srv[16]; /* IPv4 in the first 4 bytes */
  uint16_t cli_port, srv_port;
  uint64_t until_ns;      /* monotonic */
  struct ev_alert alert;  /* what the engine said */
  uint64_t packets;       /* dropped and answered */
};

enum flow_reset_verdict {
  FLOW_RESET_NOT_OURS = 0, /* no order for this packet's connection */
  FLOW_RESET_PASS = 1,     /* a reset of an ordered connection */
  FLOW_RESET_DROP = 2,     /* dropped: both ends were sent a reset */
};

struct flow_reset {
  const struct ipt_rules *rules[2]; /* IPv4, IPv6 */
  int raw_fd[2];                    /* raw sockets, IPv4 and IPv6 */
  struct flow_reset_order *orders; /* FLOW_RESET_MAX */
  size_t n;
  uint64_t ordered, ignored;       /* ignored: not TCP, or repeated */
  uint64_t dropped, resets_sent, probes_sent, send_failed, rule_failures;
};

/* rules: the IPv4 and IPv6 rule sets (either may have no CIDRs). */
int flow_reset_open(struct flow_reset *fr, const struct ipt_rules rules[2],
                    struct hb_error *err);
/* 1 when the order holds now, 0 when it was ignored (not TCP, or held
 * already), negative (err) when its rules could not be added. */
int flow_reset_add(struct flow_reset *fr, const struct ev_alert *a, uint64_t now_ns,
                   struct hb_error *err);
/* For a queued raw IP packet; *which is the order it belongs to. */
enum flow_reset_verdict flow_reset_packet(struct flow_reset *fr, const uint8_t *pkt,
                                          size_t len, const struct flow_reset_order **which);
void flow_reset_expire(struct flow_reset *fr, uint64_t now_ns);
void flow_reset_close(struct flow_reset *fr);

#endif
