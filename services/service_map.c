#include "services/service_map.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct endpoint_key {
  uint8_t family, server, accepted, proto;
  uint16_t port, pad;
  uint8_t addr[16];
};

void svc_map_init(struct svc_map *m, const struct config *cfg) {
  memset(m, 0, sizeof *m);
  m->cfg = cfg;
  keytab_init(&m->cache, sizeof(struct endpoint_key));
}

void svc_map_free(struct svc_map *m) {
  keytab_free(&m->cache);
  free(m->answers);
  m->answers = NULL;
}

static bool in_cidrs(const struct hb_cidr *c, size_t n, const struct hb_addr *a) {
  for (size_t i = 0; i < n; i++)
    if (hb_cidr_contains(&c[i], a))
      return true;
  return false;
}

static bool port_listed(const struct cfg_selector *s, uint16_t port, uint8_t proto) {
  if (s->proto && s->proto != proto)
    return false;
  for (size_t i = 0; i < s->n_ports; i++)
    if (port >= s->ports[i].lo && port <= s->ports[i].hi)
      return true;
  return false;
}

/* Rule 1. as_server: the endpoint serves `port`. loose: ignore ports. */
static const struct cfg_service *match_config(const struct config *cfg,
                                              const struct hb_addr *a, uint16_t port,
                                              uint8_t proto, bool as_server, bool loose) {
  for (size_t i = 0; i < cfg->n_services; i++) {
    const struct cfg_service *svc = &cfg->services[i];
    for (size_t j = 0; j < svc->n_selectors; j++) {
      const struct cfg_selector *s = &svc->selectors[j];
      if (!in_cidrs(s->cidrs, s->n_cidrs, a))
        continue;
      if (s->n_ports == 0 || loose || (as_server && port_listed(s, port, proto)))
        return svc;
    }
  }
  return NULL;
}

static bool is_internal(const struct config *cfg, const struct hb_addr *a) {
  if (cfg->n_internal)
    return in_cidrs(cfg->internal, cfg->n_internal, a);
  return hb_addr_is_private(a);
}

/* "10.0.0.1" or "[fd00::1]" + optional ":port". */
static void endpoint_text(const struct hb_addr *a, int port, char *out, size_t cap) {
  char ip[HB_ADDR_STRLEN];
  hb_addr_str(a, ip);
  if (port < 0)
    snprintf(out, cap, "%s", ip);
  else if (a->family == 6)
    snprintf(out, cap, "[%s]:%d", ip, port);
  else
    snprintf(out, cap, "%s:%d", ip, port);
}

static const char *proto_name(uint8_t proto) {
  switch (proto) {
  case 6: return "tcp";
  case 17: return "udp";
  case 1: return "icmp";
  case 58: return "icmp6";
  default: return NULL;
  }
}

static void name_endpoint(const struct config *cfg, const struct ev_flow *f,
                          bool server, struct svc_endpoint *out) {
  const struct hb_addr *a = server ? &f->srv : &f->cli;
  bool ported = f->proto == 6 || f->proto == 17;
  bool accepted = f->state == EV_STATE_ESTABLISHED || f->state == EV_STATE_CLOSED;
  memset(out, 0, sizeof *out);
  out->role = server ? ROLE_SERVER : ROLE_CLIENT;
  if (server && ported && accepted) {
    char ep[MEMBER_TEXT_MAX - 8];
    endpoint_text(a, f->srv_port, ep, sizeof ep);
    snprintf(out->member, sizeof out->member, "%s/%s", ep, proto_name(f->proto));
  } else {
    endpoint_text(a, -1, out->member, sizeof out->member);
  }

  const struct cfg_service *svc = match_config(cfg, a, f->srv_port, f->proto, server, false);
  if (!svc)
    svc = match_config(cfg, a, 0, f->proto, false, true);
  if (svc) {
    snprintf(out->name, sizeof out->name, "%s", svc->name);
    out->kind = SVC_CONFIGURED;
    return;
  }
  if (is_internal(cfg, a)) {
    endpoint_text(a, server && ported && accepted ? f->srv_port : -1, out->name,
                  sizeof out->name);
    out->kind = SVC_INFERRED;
    return;
  }
  out->kind = SVC_EXTERNAL;
  for (size_t i = 0; i < cfg->n_externals; i++)
    if (in_cidrs(cfg->externals[i].cidrs, cfg->externals[i].n_cidrs, a)) {
      snprintf(out->name, sizeof out->name, "%s", cfg->externals[i].name);
      return;
    }
  snprintf(out->name, sizeof out->name, "external");
}

/* What decides an endpoint's answer: the address, and for a server its
 * port, protocol and whether it accepted. */
static void endpoint_key(const struct ev_flow *f, bool server, struct endpoint_key *k) {
  const struct hb_addr *a = server ? &f->srv : &f->cli;
  memset(k, 0, sizeof *k);
  k->family = a->family;
  memcpy(k->addr, a->b, 16);
  if (server) {
    k->server = 1;
    k->port = f->srv_port;
    k->proto = f->proto;
    k->accepted = f->state == EV_STATE_ESTABLISHED || f->state == EV_STATE_CLOSED;
  }
}

static void lookup(struct svc_map *m, const struct ev_flow *f, bool server,
                   struct svc_endpoint *out) {
  struct endpoint_key k;
  endpoint_key(f, server, &k);
  struct keytab_entry *e = keytab_find(&m->cache, &k);
  if (e) {
    m->hits++;
    *out = m->answers[e->a];
    return;
  }
  m->misses++;
  name_endpoint(m->cfg, f, server, out);
  if (m->n_answers == SVC_CACHE_MAX) {
    keytab_clear(&m->cache);
    m->n_answers = 0;
  }
  if (m->n_answers == m->cap_answers) {
    uint32_t cap = m->cap_answers ? m->cap_answers * 2 : 256;
    struct svc_endpoint *na = realloc(m->answers, cap * sizeof *na);
    if (!na)
      return; /* answered, just not remembered */
    m->answers = na;
    m->cap_answers = cap;
  }
  bool created;
  e = keytab_get(&m->cache, &k, &created);
  if (!e)
    return;
  e->a = m->n_answers;
  m->answers[m->n_answers++] = *out;
}

void svc_map_flow(struct svc_map *m, struct ev_flow *f, struct svc_endpoint *cli,
                  struct svc_endpoint *srv) {
  lookup(m, f, false, cli);
  lookup(m, f, true, srv);
  memcpy(f->cli_service, cli->name, sizeof f->cli_service);
  memcpy(f->srv_service, srv->name, sizeof f->srv_service);
}
