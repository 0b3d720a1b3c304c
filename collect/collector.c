#include "collect/collector.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

void collector_flow_event(const struct flow *f, uint8_t end_reason,
                          const char *node, struct event *ev) {
  memset(ev, 0, offsetof(struct event, u) + sizeof ev->u.flow);
  ev->kind = EV_FLOW;
  ev->ts_ns = f->last_ns;
  memcpy(ev->node, node, sizeof ev->node); /* both EV_NAME_MAX, NUL-padded */
  struct ev_flow *e = &ev->u.flow;
  e->flow_id = flow_id(f);
  e->first_ns = f->first_ns;
  e->last_ns = f->last_ns;
  e->cli = f->c;
  e->srv = f->s;
  e->cli_port = f->c_port;
  e->srv_port = f->s_port;
  e->proto = f->proto;
  e->client_guessed = f->client_guessed;
  e->vlan = f->vlan;
  e->bytes_c2s = f->bytes[0];
  e->bytes_s2c = f->bytes[1];
  e->payload_c2s = f->payload[0];
  e->payload_s2c = f->payload[1];
  e->pkts_c2s = f->pkts[0];
  e->pkts_s2c = f->pkts[1];
  e->tcp_flags_c2s = f->flags[0];
  e->tcp_flags_s2c = f->flags[1];
  e->state = flow_state(f);
  e->end_reason = end_reason;
  l7_flow_export(&f->l7, e->app, &e->app_confidence, &e->l7);
}

static void on_flow_end(void *ctx, const struct flow *f, uint8_t end_reason) {
  struct collector *c = ctx;
  collector_flow_event(f, end_reason, c->node, &c->scratch);
  c->stats.flows++;
  if (end_reason == EV_END_EVICTED)
    c->stats.flows_evicted++;
  int rc = c->sink(c->sink_ctx, &c->scratch);
  if (rc < 0 && c->sink_status == 0)
    c->sink_status = rc;
}

static int on_threat(void *ctx, const struct event *ev) {
  struct collector *c = ctx;
  int rc = c->sink(c->sink_ctx, ev);
  if (rc < 0 && c->sink_status == 0)
    c->sink_status = rc;
  return rc;
}

int collector_init(struct collector *c, const struct config *cfg,
                   collector_sink_fn sink, void *ctx) {
  memset(c, 0, sizeof *c);
  snprintf(c->node, sizeof c->node, "%s", cfg->node); /* rest stays zero */
  c->sink = sink;
  c->sink_ctx = ctx;
  inspect_init(&c->inspect, cfg, c->node, on_threat, c);
  return flow_table_init(&c->flows, &cfg->flow, on_flow_end, c);
}

int collector_set_leaks(struct collector *c, const struct leak_matcher *m,
                        struct hb_error *err) {
  return inspect_set_leaks(&c->inspect, m, err);
}

void collector_packet(struct collector *c, int linktype, const struct raw_pkt *p) {
  struct pkt_info info;
  c->stats.packets++;
  c->stats.bytes += p->wirelen;
  switch (decode_packet(linktype, p->data, p->caplen, p->wirelen, &info, &c->anomalies)) {
  case DEC_OK: {
    c->stats.ip_packets++;
    int dir = 0;
    struct flow *f = flow_table_packet(&c->flows, &info, p->ts_ns, &dir);
    if (c->flows.dpi)
      inspect_packet(&c->inspect, f, dir, &info, p->ts_ns);
    break;
  }
  case DEC_NON_IP:
    c->stats.non_ip++;
    break;
  case DEC_TRUNCATED:
    c->stats.truncated++;
    break;
  case DEC_MALFORMED:
    c->stats.malformed++;
    break;
  case DEC_FRAGMENT:
    c->stats.ip_packets++;
    c->stats.fragments++;
    if (c->flows.dpi)
      inspect_packet(&c->inspect, NULL, 0, &info, p->ts_ns);
    break;
  }
}

void collector_end_source(struct collector *c) { flow_table_flush(&c->flows); }

void collector_tick(struct collector *c, uint64_t now_ns) {
  flow_table_advance(&c->flows, now_ns);
}

void collector_free(struct collector *c) {
  flow_table_free(&c->flows);
  inspect_free(&c->inspect);
}
