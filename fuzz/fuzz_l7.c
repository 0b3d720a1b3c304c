/* fuzz/fuzz_l7.c — libFuzzer target for collect/l7: a flow of a few packets
 * through l7_flow_init/inspect/export/release, and the same packets through
 * every probe on its own (so each probe also meets states the dispatcher
 * would have stopped at). Traps on a string without its NUL, a confidence
 * over 100, or a claim without facts; ASan and UBSan do the rest. Each
 * packet sits in a buffer of exactly its length.
 *
 * Input: byte 0 selects the transport (bit 0: UDP, else TCP), bytes 1-2
 * the server port; then packets, each a 2-byte header — bit 0 of the first
 * byte the direction, the other 15 bits the length — and its payload (cut
 * to what is left of the input). At most 16 packets.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/l7/l7.h"

#define MAX_PKTS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t cap) {
  if (!memchr(s, '\0', cap))
    __builtin_trap();
}

#define CHECK(field) check_str((field), sizeof(field))

/* The strings of app's member of the facts union (the members overlap:
 * only the claimed app's are meaningful). */
static void check_facts(uint8_t app, const struct l7_facts *x) {
  switch (app) {
  case L7_APP_HTTP:
    CHECK(x->u.http.method);
    CHECK(x->u.http.host);
    CHECK(x->u.http.path);
    CHECK(x->u.http.user_agent);
    break;
  case L7_APP_DNS:
    CHECK(x->u.dns.qname);
    break;
  case L7_APP_TLS:
    CHECK(x->u.tls.sni);
    CHECK(x->u.tls.alpn);
    break;
  case L7_APP_SSH:
    CHECK(x->u.ssh.client);
    CHECK(x->u.ssh.server);
    break;
  default:
    CHECK(x->u.gen.verb);
    CHECK(x->u.gen.object);
    CHECK(x->u.gen.user);
    CHECK(x->u.gen.software);
    break;
  }
}

static void check_export(const struct l7_flow *f) {
  char app[EV_APP_MAX];
  uint8_t conf = 0;
  struct ev_l7 ev;
  l7_flow_export(f, app, &conf, &ev);
  CHECK(app);
  CHECK(ev.http_method);
  CHECK(ev.http_host);
  CHECK(ev.http_path);
  CHECK(ev.http_user_agent);
  CHECK(ev.dns_qname);
  CHECK(ev.tls_sni);
  CHECK(ev.tls_alpn);
  CHECK(ev.ssh_client);
  CHECK(ev.ssh_server);
  if (conf > 100 || (f->app != L7_APP_NONE) != (app[0] != '\0'))
    __builtin_trap();
}

struct pkt_list {
  struct l7_pkt p[MAX_PKTS];
  size_t n;
};

static void split(const uint8_t *data, size_t size, struct pkt_list *out) {
  uint8_t proto = (data[0] & 1) ? 17 : 6;
  uint16_t port = (uint16_t)(data[1] << 8 | data[2]);
  size_t i = 3;
  out->n = 0;
  while (out->n < MAX_PKTS && i + 2 <= size) {
    size_t len = (size_t)((data[i] >> 1) << 8 | data[i + 1]);
    uint8_t dir = data[i] & 1;
    i += 2;
    if (len > size - i)
      len = size - i;
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
      break;
    memcpy(copy, data + i, len);
    i += len;
    out->p[out->n++] = (struct l7_pkt){copy, len, proto, dir, 40000, port};
  }
}

static void run_flow(const struct pkt_list *pl) {
  struct l7_flow f;
  l7_flow_init(&f);
  for (size_t k = 0; k < pl->n; k++) {
    l7_flow_inspect(&f, &pl->p[k]);
    if (f.app != L7_APP_NONE && !f.facts && !f.done)
      __builtin_trap();
    if (f.facts)
      check_facts(f.app, f.facts);
    if (f.confidence > 100)
      __builtin_trap();
  }
  check_export(&f);
  l7_flow_release(&f);
}

/* Every probe sees every packet, whatever it answered before. */
static void run_probes(const struct pkt_list *pl) {
#define PROBE_OF(id, name, probe, weak) [L7_APP_##id] = probe,
  static const l7_probe_fn probes[L7_APP_COUNT] = {L7_APPS(PROBE_OF)};
#undef PROBE_OF
  for (uint8_t a = 1; a < L7_APP_COUNT; a++) {
    union l7_scratch s;
    struct l7_facts facts;
    memset(&s, 0, sizeof s);
    memset(&facts, 0, sizeof facts);
    uint8_t conf = 0;
    for (size_t k = 0; k < pl->n; k++) {
      if (pl->p[k].len == 0)
        continue;
      int v = probes[a](&pl->p[k], &s, &facts, &conf);
      if (v < L7_NO || v > L7_DONE || conf > 100)
        __builtin_trap();
      check_facts(a, &facts);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3)
    return 0;
  struct pkt_list pl;
  split(data, size, &pl);
  run_flow(&pl);
  run_probes(&pl);
  for (size_t k = 0; k < pl.n; k++)
    free((void *)pl.p[k].data);
  return 0;
}
