/* collect/l7/l7.c — the dispatcher: shows a flow's first payload packets to
 * the probes still in the running and keeps the winner's facts.
 *
 * This runs for every packet of a replay, so the common case (a flow that is
 * already decided) is one load and one branch. Identification costs a few
 * probe calls on the first packets only; the one allocation is the facts
 * block of a claimed flow.
 */
#include "collect/l7/l7.h"

#include <stdlib.h>
#include <string.h>

#include "collect/l7/l7_util.h"

static const l7_probe_fn probes[L7_APP_COUNT] = {
    [L7_APP_HTTP] = l7_probe_http,
    [L7_APP_TLS] = l7_probe_tls,
    [L7_APP_DNS] = l7_probe_dns,
    [L7_APP_SSH] = l7_probe_ssh,
};

/* The order probes are asked in. The first to match claims the flow, so the
 * strongest signatures go first and DNS — whose signature is a 12-byte
 * header any UDP payload may resemble — goes last. TLS and HTTP also reject
 * most foreign payloads on their first byte, which keeps misses cheap. */
static const uint8_t probe_order[] = {L7_APP_TLS, L7_APP_HTTP, L7_APP_SSH,
                                      L7_APP_DNS};

#define L7_ALL_CANDIDATES (((1u << L7_APP_COUNT) - 1u) & ~1u)

void l7_flow_init(struct l7_flow *f) {
  memset(f, 0, sizeof *f);
  f->candidates = L7_ALL_CANDIDATES;
}

/* The probe `app` returned MATCH or DONE on this packet: it owns the flow. */
static void claim(struct l7_flow *f, uint8_t app, uint8_t conf,
                  const struct l7_facts *facts, int done) {
  f->app = app;
  f->confidence = conf > 100 ? 100 : conf;
  f->candidates = 1u << app;
  f->facts = calloc(1, sizeof *f->facts);
  if (f->facts)
    memcpy(f->facts, facts, sizeof *f->facts);
  /* Without memory for facts the app is still known; stop following. */
  if (done || !f->facts)
    f->done = 1;
}

static void identify(struct l7_flow *f, const struct l7_pkt *pkt) {
  struct l7_facts scratch_facts;
  for (size_t i = 0; i < sizeof probe_order; i++) {
    uint8_t app = probe_order[i];
    uint32_t bit = 1u << app;
    if (!(f->candidates & bit))
      continue;
    /* Zeroed for every probe: one that looked and said no may have written. */
    memset(&scratch_facts, 0, sizeof scratch_facts);
    uint8_t conf = 0;
    int v = probes[app](pkt, &f->scratch[app], &scratch_facts, &conf);
    if (v == L7_NO) {
      f->candidates &= ~bit;
    } else if (v == L7_MATCH || v == L7_DONE) {
      claim(f, app, conf, &scratch_facts, v == L7_DONE);
      return;
    }
  }
  if (f->candidates == 0)
    f->done = 1;
}

/* Only the claiming probe sees packets now, to complete its facts. A probe
 * that says NO after claiming (the peer stopped speaking its protocol) ends
 * the following but keeps the claim. */
static void follow(struct l7_flow *f, const struct l7_pkt *pkt) {
  uint8_t conf = f->confidence;
  int v = probes[f->app](pkt, &f->scratch[f->app], f->facts, &conf);
  if (v == L7_MATCH || v == L7_DONE)
    f->confidence = conf > 100 ? 100 : conf;
  if (v == L7_DONE || v == L7_NO)
    f->done = 1;
}

void l7_flow_inspect(struct l7_flow *f, const struct l7_pkt *pkt) {
  if (f->done || pkt->len == 0)
    return;
  /* A one-byte TCP segment is almost always a keep-alive probe (one old
   * octet, RFC 1122 §4.2.3.6); none of the probes needs one, and shown to
   * them it would end the identification of a healthy flow. */
  if (pkt->len == 1 && pkt->proto == L7_IP_TCP)
    return;
  unsigned dir = pkt->dir & 1u;
  if (f->pkts[dir] >= L7_MAX_PKTS_PER_DIR)
    return;
  f->pkts[dir]++;
  if (f->app == L7_APP_NONE)
    identify(f, pkt);
  else
    follow(f, pkt);
  if (f->pkts[0] >= L7_MAX_PKTS_PER_DIR && f->pkts[1] >= L7_MAX_PKTS_PER_DIR)
    f->done = 1;
}

/* Copy a facts string (NUL-terminated within srccap) into an event field. */
static void put_str(char *dst, size_t cap, const char *src, size_t srccap) {
  l7_copy(dst, cap, (const uint8_t *)src, strnlen(src, srccap));
}

#define PUT(dst, src) put_str((dst), sizeof(dst), (src), sizeof(src))

static void export_facts(uint8_t app, const struct l7_facts *x,
                         struct ev_l7 *out) {
  switch (app) {
  case L7_APP_HTTP:
    PUT(out->http_method, x->u.http.method);
    PUT(out->http_host, x->u.http.host);
    PUT(out->http_path, x->u.http.path);
    PUT(out->http_user_agent, x->u.http.user_agent);
    out->http_status = x->u.http.status;
    break;
  case L7_APP_DNS:
    PUT(out->dns_qname, x->u.dns.qname);
    out->dns_qtype = x->u.dns.qtype;
    out->dns_rcode = x->u.dns.rcode;
    out->dns_answered = x->u.dns.answered ? 1 : 0;
    break;
  case L7_APP_TLS:
    PUT(out->tls_sni, x->u.tls.sni);
    PUT(out->tls_alpn, x->u.tls.alpn);
    out->tls_version = x->u.tls.version;
    break;
  case L7_APP_SSH:
    PUT(out->ssh_client, x->u.ssh.client);
    PUT(out->ssh_server, x->u.ssh.server);
    break;
  default:
    break;
  }
}

/* Fills all of *out (fields of other apps are zeroed). Any pointer may be
 * NULL when the caller does not want that part. */
void l7_flow_export(const struct l7_flow *f, char app[EV_APP_MAX],
                    uint8_t *confidence, struct ev_l7 *out) {
  if (app) {
    const char *name = l7_app_name(f->app);
    put_str(app, EV_APP_MAX, name, EV_APP_MAX);
  }
  if (confidence)
    *confidence = f->confidence; /* 0 until claimed */
  if (!out)
    return;
  memset(out, 0, sizeof *out);
  if (f->facts)
    export_facts(f->app, f->facts, out);
}

/* Frees the facts; the flow keeps its app and confidence for a late export
 * and is marked done so that a stray inspect cannot reach a probe. */
void l7_flow_release(struct l7_flow *f) {
  free(f->facts);
  f->facts = NULL;
  f->done = 1;
}

const char *l7_app_name(uint8_t app) {
  switch (app) {
  case L7_APP_HTTP:
    return "http";
  case L7_APP_TLS:
    return "tls";
  case L7_APP_DNS:
    return "dns";
  case L7_APP_SSH:
    return "ssh";
  default:
    return "";
  }
}
