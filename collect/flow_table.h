/* collect/flow_table.h — bidirectional flows, by capture time.
 *
 * Contract: flow_table_packet() finds or creates the flow of a decoded
 * packet (both directions map to one flow; the client is the initiator),
 * updates its counters and TCP state, and shows payload to L7
 * identification. Flows end by FIN/RST (after a short linger for late
 * packets), by idle timeout, by eviction when the table is full, or at
 * flow_table_flush(); each ending calls the emit callback exactly once with
 * the flow and the reason. Time is the capture's: it never goes backwards
 * inside the table (an earlier timestamp counts as the latest seen). Memory
 * is bounded by max_flows entries of sizeof(struct flow) plus, for flows
 * whose application was identified, one struct l7_facts.
 */
#ifndef HABIT_COLLECT_FLOW_TABLE_H
#define HABIT_COLLECT_FLOW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "collect/decode.h"
#include "collect/l7/l7.h"
#include "config/config.h"

/* Timeout classes: each has its own LRU list, so the head of a list is
 * always its oldest flow. */
enum flow_class {
  FC_TCP_NEW,
  FC_TCP_EST,
  FC_TCP_CLOSED,
  FC_UDP,
  FC_ICMP,
  FC_OTHER,
  FC_COUNT
};

#define FLOW_NONE UINT32_MAX

struct flow {
  /* identity: c = client (initiator), s = server */
  struct hb_addr c, s;
  uint16_t c_port, s_port;
  uint8_t proto;
  uint8_t cls;            /* enum flow_class */
  uint16_t vlan;
  uint32_t hash_next;     /* bucket chain */
  uint32_t lru_prev, lru_next;
  uint64_t hash;
  uint64_t first_ns, last_ns;
  uint64_t bytes[2], payload[2]; /* [0] c->s, [1] s->c */
  uint32_t pkts[2];
  uint8_t flags[2];
  uint8_t client_guessed;
  uint8_t syn, synack, fin[2], rst, icmp_unreach;
  uint8_t replied;        /* the server sent a packet (ICMP errors aside) */
  struct l7_flow l7;
  /* Owned by collect/inspect.c: what packet inspection remembers. */
  struct {
    uint64_t raised;     /* bit per threat already raised on this flow */
    uint32_t scanned[2]; /* payload bytes scanned for leaks, each way */
    uint16_t hb_request; /* length of the client's last TLS heartbeat record */
    uint8_t hb_appdata;  /* a TLS application-data record went by */
  } insp;
};

/* Called once per ended flow; the flow is freed right after it returns. */
typedef void (*flow_emit_fn)(void *ctx, const struct flow *f, uint8_t end_reason);

struct flow_table {
  struct flow *flows;     /* max_flows entries */
  uint32_t *buckets;      /* heads of hash chains */
  uint32_t n_buckets;     /* power of two */
  uint32_t max_flows;
  uint32_t used;          /* live flows */
  uint32_t free_head;     /* free list through hash_next */
  uint32_t never_used;    /* entries [never_used, max) have not been touched */
  uint32_t lru_head[FC_COUNT], lru_tail[FC_COUNT];
  uint64_t timeout_ns[FC_COUNT];
  uint64_t now_ns;        /* latest capture time seen */
  uint64_t next_expiry_ns;
  uint64_t emitted, evicted;
  bool dpi;               /* identify L7 apps (cfg_flow.dpi) */
  flow_emit_fn emit;
  void *emit_ctx;
};

int flow_table_init(struct flow_table *t, const struct cfg_flow *cfg,
                    flow_emit_fn emit, void *ctx);
/* Account one decoded IP packet seen at ts_ns. Returns its flow (valid
 * until the next call) and sets *dir (0 client->server, 1 back); an ICMP
 * error is accounted to the flow it quotes, and that flow is returned. */
struct flow *flow_table_packet(struct flow_table *t, const struct pkt_info *pkt,
                               uint64_t ts_ns, int *dir);
/* Let time pass without a packet (a live source that is quiet): flows
 * idle past their timeout at now_ns end. A time before the table's clock
 * changes nothing. */
void flow_table_advance(struct flow_table *t, uint64_t now_ns);
/* Emit every open flow (reason EV_END_CAPTURE, or FIN/RST for closed ones)
 * and forget the clock: what comes next may be an older capture. */
void flow_table_flush(struct flow_table *t);
void flow_table_free(struct flow_table *t);

/* State a flow ends in (enum ev_flow_state). */
uint8_t flow_state(const struct flow *f);
/* Deterministic id from the flow's identity and start time. */
uint64_t flow_id(const struct flow *f);

#endif
