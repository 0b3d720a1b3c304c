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

#define PROBE_ENTRY(id, name, probe, weak) [L7_APP_##id] = probe,
static const l7_probe_fn probes[L7_APP_COUNT] = {L7_APPS(PROBE_ENTRY)};
#undef PROBE_ENTRY

#define NAME_ENTRY(id, name, probe, weak) [L7_APP_##id] = name,
static const char *const names[L7_APP_COUNT] = {L7_APPS(NAME_ENTRY)};
#undef NAME_ENTRY

/* The order probes are asked in: the first to match claims the flow, so
 * strong signatures go first (in registry order) and weak ones — DNS, whose
 * signature is a 12-byte header any UDP payload may resemble, and the like —
 * only after all of them. */
#define WEAK_BIT(id, name, probe, weak) | ((weak) ? 1u << L7_APP_##id : 0u)
static const uint32_t weak_mask = 0u L7_APPS(WEAK_BIT);
#undef WEAK_BIT

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

/* Ask the candidates among `set`, lowest app number first. Returns 1 when
 * one claimed the flow. */
static int ask(struct l7_flow *f, const struct l7_pkt *pkt, uint32_t set) {
  struct l7_facts scratch_facts;
  uint32_t todo = f->candidates & set;
  while (todo) {
    uint8_t app = (uint8_t)__builtin_ctz(todo);
    uint32_t bit = 1u << app;
    todo &= ~bit;
    /* Zeroed for every probe: one that looked and said no may have written. */
    memset(&scratch_facts, 0, sizeof scratch_facts);
    uint8_t conf = 0;
    int v = probes[app](pkt, &f->scratch[app], &scratch_facts, &conf);
    if (v == L7_NO) {
      f->candidates &= ~bit;
    } else if (v == L7_MATCH || v == L7_DONE) {
      claim(f, app, conf, &scratch_facts, v == L7_DONE);
      return 1;
    }
  }
  return 0;
}

static void identify(struct l7_flow *f, const struct l7_pkt *pkt) {
  if (!ask(f, pkt, ~weak_mask))
    ask(f, pkt, weak_mask);
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
    PUT(out->app_verb, x->u.gen.verb);
    PUT(out->app_object, x->u.gen.object);
    PUT(out->app_user, x->u.gen.user);
    PUT(out->app_software, x->u.gen.software);
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
  return app > L7_APP_NONE && app < L7_APP_COUNT ? names[app] : "";
}
