/* tests/unit/test_l7_dispatch.c — l7.c: who gets shown which packet, when a
 * flow is claimed and done, the packet budget, the one allocation, the
 * export into struct ev_l7, and that each protocol is claimed by its own
 * probe only, whatever the port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/l7/l7.h"

#define TCP 6
#define UDP 17

static void show(struct l7_flow *f, const void *data, size_t len, uint8_t dir,
                 uint8_t proto, uint16_t port) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, data, len);
  struct l7_pkt p = {copy, len, proto, dir, 41000, port};
  l7_flow_inspect(f, &p);
  free(copy);
}

static void show_str(struct l7_flow *f, const char *s, uint8_t dir, uint16_t port) {
  show(f, s, strlen(s), dir, TCP, port);
}

/* Payloads of each protocol. */
static const char HTTP_REQ[] = "GET /api/v1/items HTTP/1.1\r\nHost: shop.internal\r\n"
                               "User-Agent: curl/8.5.0\r\n\r\n";
static const char HTTP_RESP[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
static const char SSH_SRV[] = "SSH-2.0-OpenSSH_5.8p1 Debian-1ubuntu3\r\n";
static const char SSH_CLI[] = "SSH-2.0-OpenSSH_5.2\r\n";
/* A ClientHello with SNI "a.example" and no other extension. */
static const uint8_t TLS_CH[] = {
    0x16, 0x03, 0x01, 0x00, 0x41, 0x01, 0x00, 0x00, 0x3d, 0x03, 0x03,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
    0x00,                   /* session id */
    0x00, 0x02, 0x13, 0x01, /* one suite */
    0x01, 0x00,             /* null compression */
    0x00, 0x12,             /* extensions */
    0x00, 0x00, 0x00, 0x0e, 0x00, 0x0c, 0x00, 0x00, 0x09,
    'a', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e'};
/* A query for "db.example" A, and its answer. */
static const uint8_t DNS_Q[] = {0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x00, 0x02, 'd',  'b',  0x07,
                                'e',  'x',  'a',  'm',  'p',  'l',  'e',  0x00,
                                0x00, 0x01, 0x00, 0x01};
static const uint8_t DNS_A[] = {0xab, 0xcd, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00,
                                0x00, 0x00, 0x00, 0x02, 'd',  'b',  0x07, 'e',  'x',
                                'a',  'm',  'p',  'l',  'e',  0x00, 0x00, 0x01, 0x00,
                                0x01, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
                                0x00, 0x3c, 0x00, 0x04, 10,   0,    0,    7};

/* Every registered protocol (bit 0 is "none"). */
#define ALL (((1u << L7_APP_COUNT) - 1u) & ~1u)

static void test_init(void **state) {
  (void)state;
  struct l7_flow f;
  memset(&f, 0xee, sizeof f);
  l7_flow_init(&f);
  assert_int_equal(f.candidates, ALL);
  assert_int_equal(f.app, L7_APP_NONE);
  assert_int_equal(f.confidence, 0);
  assert_int_equal(f.done, 0);
  assert_int_equal(f.pkts[0] + f.pkts[1], 0);
  assert_null(f.facts);
  for (int a = 0; a < L7_APP_COUNT; a++)
    for (size_t i = 0; i < sizeof f.scratch[a].raw; i++)
      assert_int_equal(f.scratch[a].raw[i], 0);
  l7_flow_release(&f);
}

static void test_app_names(void **state) {
  (void)state;
  assert_string_equal(l7_app_name(L7_APP_NONE), "");
  assert_string_equal(l7_app_name(L7_APP_HTTP), "http");
  assert_string_equal(l7_app_name(L7_APP_TLS), "tls");
  assert_string_equal(l7_app_name(L7_APP_DNS), "dns");
  assert_string_equal(l7_app_name(L7_APP_SSH), "ssh");
  assert_string_equal(l7_app_name(L7_APP_COUNT), "");
  assert_string_equal(l7_app_name(200), "");
}

static void test_http_flow_and_export(void **state) {
  (void)state;
  struct l7_flow f;
  l7_flow_init(&f);
  show_str(&f, HTTP_REQ, 0, 8080);
  assert_int_equal(f.app, L7_APP_HTTP);
  assert_int_equal(f.candidates, 1u << L7_APP_HTTP);
  assert_int_equal(f.confidence, 95);
  assert_non_null(f.facts);
  assert_int_equal(f.done, 0);
  show_str(&f, HTTP_RESP, 1, 8080);
  assert_int_equal(f.done, 1);
  assert_int_equal(f.confidence, 100);

  char app[EV_APP_MAX];
  uint8_t conf = 0;
  struct ev_l7 ev;
  memset(&ev, 0x5a, sizeof ev);
  l7_flow_export(&f, app, &conf, &ev);
  assert_string_equal(app, "http");
  assert_int_equal(conf, 100);
  assert_string_equal(ev.http_method, "GET");
  assert_string_equal(ev.http_host, "shop.internal");
  assert_string_equal(ev.http_path, "/api/v1/items");
  assert_string_equal(ev.http_user_agent, "curl/8.5.0");
  assert_int_equal(ev.http_status, 200);
  /* The other apps' fields are cleared, not left as they were. */
  assert_string_equal(ev.dns_qname, "");
  assert_string_equal(ev.tls_sni, "");
  assert_string_equal(ev.ssh_server, "");
  assert_int_equal(ev.dns_qtype, 0);
  assert_int_equal(ev.tls_version, 0);
  l7_flow_release(&f);
  assert_null(f.facts);
}

static void test_each_protocol_claimed_by_its_probe(void **state) {
  (void)state;
  struct l7_flow f;

  l7_flow_init(&f);
  show(&f, TLS_CH, sizeof TLS_CH, 0, TCP, 443);
  assert_int_equal(f.app, L7_APP_TLS);
  char app[EV_APP_MAX];
  uint8_t conf;
  struct ev_l7 ev;
  l7_flow_export(&f, app, &conf, &ev);
  assert_string_equal(app, "tls");
  assert_string_equal(ev.tls_sni, "a.example");
  assert_int_equal(ev.tls_version, 0x0303);
  assert_string_equal(ev.http_host, "");
  l7_flow_release(&f);

  l7_flow_init(&f);
  show(&f, DNS_Q, sizeof DNS_Q, 0, UDP, 53);
  show(&f, DNS_A, sizeof DNS_A, 1, UDP, 53);
  assert_int_equal(f.app, L7_APP_DNS);
  assert_int_equal(f.done, 1);
  l7_flow_export(&f, app, &conf, &ev);
  assert_string_equal(app, "dns");
  assert_int_equal(conf, 100);
  assert_string_equal(ev.dns_qname, "db.example");
  assert_int_equal(ev.dns_qtype, 1);
  assert_int_equal(ev.dns_answered, 1);
  assert_int_equal(ev.dns_rcode, 0);
  l7_flow_release(&f);

  l7_flow_init(&f);
  show_str(&f, SSH_SRV, 1, 22);
  show_str(&f, SSH_CLI, 0, 22);
  assert_int_equal(f.app, L7_APP_SSH);
  assert_int_equal(f.done, 1);
  l7_flow_export(&f, app, &conf, &ev);
  assert_string_equal(app, "ssh");
  assert_string_equal(ev.ssh_server, "SSH-2.0-OpenSSH_5.8p1 Debian-1ubuntu3");
  assert_string_equal(ev.ssh_client, "SSH-2.0-OpenSSH_5.2");
  l7_flow_release(&f);
}

/* Each protocol on the others' ports: the payload decides. */
static void test_ports_are_hints(void **state) {
  (void)state;
  struct l7_flow f;
  /* Zeek's ssh-on-port-80.pcap: the server's banner first. */
  l7_flow_init(&f);
  show_str(&f, SSH_SRV, 1, 80);
  assert_int_equal(f.app, L7_APP_SSH);
  assert_int_equal(f.confidence, 90);
  show_str(&f, SSH_CLI, 0, 80);
  assert_int_equal(f.confidence, 100);
  l7_flow_release(&f);

  l7_flow_init(&f);
  show_str(&f, HTTP_REQ, 0, 22);
  assert_int_equal(f.app, L7_APP_HTTP);
  assert_int_equal(f.confidence, 90);
  l7_flow_release(&f);

  l7_flow_init(&f);
  show(&f, TLS_CH, sizeof TLS_CH, 0, TCP, 53);
  assert_int_equal(f.app, L7_APP_TLS);
  l7_flow_release(&f);

  l7_flow_init(&f);
  show(&f, DNS_Q, sizeof DNS_Q, 0, UDP, 443);
  assert_int_equal(f.app, L7_APP_DNS);
  assert_int_equal(f.confidence, 80);
  l7_flow_release(&f);
}

/* Each probe on the others' payloads: none claims what is not its own. */
static void test_probes_refuse_others(void **state) {
  (void)state;
  struct {
    const void *data;
    size_t len;
    uint8_t proto, app;
  } cases[] = {
      {HTTP_REQ, sizeof HTTP_REQ - 1, TCP, L7_APP_HTTP},
      {HTTP_RESP, sizeof HTTP_RESP - 1, TCP, L7_APP_HTTP},
      {SSH_SRV, sizeof SSH_SRV - 1, TCP, L7_APP_SSH},
      {TLS_CH, sizeof TLS_CH, TCP, L7_APP_TLS},
      {DNS_Q, sizeof DNS_Q, UDP, L7_APP_DNS},
      {DNS_A, sizeof DNS_A, UDP, L7_APP_DNS},
  };
#define PROBE_OF(id, name, probe, weak) [L7_APP_##id] = probe,
  static const l7_probe_fn probes[L7_APP_COUNT] = {L7_APPS(PROBE_OF)};
#undef PROBE_OF
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    for (uint8_t a = 1; a < L7_APP_COUNT; a++) {
      union l7_scratch s;
      struct l7_facts facts;
      memset(&s, 0, sizeof s);
      memset(&facts, 0, sizeof facts);
      uint8_t conf = 0;
      struct l7_pkt p = {cases[i].data, cases[i].len, cases[i].proto, 0, 1000, 80};
      int v = probes[a](&p, &s, &facts, &conf);
      int claims = v == L7_MATCH || v == L7_DONE;
      if (claims != (a == cases[i].app))
        fail_msg("case %zu: probe %s said %d", i, l7_app_name(a), v);
    }
  }
  /* DNS's payload over TCP without its length prefix is nobody's. */
  struct l7_flow f;
  l7_flow_init(&f);
  show(&f, DNS_Q, sizeof DNS_Q, 0, TCP, 53);
  assert_int_equal(f.app, L7_APP_NONE);
  l7_flow_release(&f);
}

static void test_unclaimed_flow_allocates_nothing(void **state) {
  (void)state;
  static const uint8_t junk[] = {0x00, 0x00, 0x00, 0x2a, 0xde, 0xad, 0xbe, 0xef,
                                 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  struct l7_flow f;
  l7_flow_init(&f);
  show(&f, junk, sizeof junk, 0, TCP, 5432);
  assert_int_equal(f.candidates, 0);
  assert_int_equal(f.done, 1);
  assert_null(f.facts);
  assert_int_equal(f.pkts[0], 1);
  /* Done: further packets are not even counted. */
  show_str(&f, HTTP_REQ, 0, 5432);
  assert_int_equal(f.pkts[0], 1);
  assert_int_equal(f.app, L7_APP_NONE);

  char app[EV_APP_MAX];
  uint8_t conf = 7;
  struct ev_l7 ev;
  memset(&ev, 0x5a, sizeof ev);
  l7_flow_export(&f, app, &conf, &ev);
  assert_string_equal(app, "");
  assert_int_equal(conf, 0);
  static const struct ev_l7 zero;
  assert_memory_equal(&ev, &zero, sizeof ev);
  l7_flow_release(&f);
}

static void test_budget(void **state) {
  (void)state;
  /* DNS over TCP in tiny segments, each too short for a header: DNS keeps
   * waiting, so only the budget ends this flow. */
  static const uint8_t tiny[] = {0x00, 0x20, 0x12, 0x34, 0x01};
  struct l7_flow f;
  l7_flow_init(&f);
  for (int i = 0; i < 10; i++) {
    show(&f, tiny, sizeof tiny, 1, TCP, 53);
    show(&f, tiny, sizeof tiny, 0, TCP, 53);
  }
  assert_int_equal(f.app, L7_APP_NONE);
  assert_true(f.candidates & (1u << L7_APP_DNS)); /* DNS never gave up */
  assert_int_equal(f.pkts[0], L7_MAX_PKTS_PER_DIR);
  assert_int_equal(f.pkts[1], L7_MAX_PKTS_PER_DIR);
  assert_int_equal(f.done, 1);
  assert_null(f.facts);
  l7_flow_release(&f);

  /* One side only (an unanswered talker): its share is spent, the other
   * side's is left, and packets past the share are not looked at. */
  l7_flow_init(&f);
  for (int i = 0; i < 10; i++)
    show(&f, tiny, sizeof tiny, 0, TCP, 53);
  assert_int_equal(f.pkts[0], L7_MAX_PKTS_PER_DIR);
  assert_int_equal(f.pkts[1], 0);
  assert_int_equal(f.done, 0);
  uint8_t framed[2 + sizeof DNS_A] = {0, sizeof DNS_A};
  memcpy(framed + 2, DNS_A, sizeof DNS_A);
  show(&f, framed, sizeof framed, 1, TCP, 53); /* the other side decides */
  assert_int_equal(f.app, L7_APP_DNS);
  assert_int_equal(f.done, 1);
  l7_flow_release(&f);

  /* The budget is per direction: a long request body does not use up the
   * response's share. */
  l7_flow_init(&f);
  show_str(&f, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 9000\r\n\r\n", 0, 80);
  for (int i = 0; i < 8; i++)
    show_str(&f, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0, 80);
  assert_int_equal(f.done, 0);
  show_str(&f, "HTTP/1.1 201 Created\r\n\r\n", 1, 80);
  assert_int_equal(f.done, 1);
  assert_int_equal(f.confidence, 100);
  assert_int_equal(f.facts->u.http.status, 201);
  l7_flow_release(&f);
}

static void test_only_claimer_after_claim(void **state) {
  (void)state;
  /* Claimed by HTTP; the answer is a DNS message over TCP. DNS never sees
   * it: HTTP says the answer is not HTTP and the claim stands. */
  static const uint8_t tcp_dns[] = {0x00, 0x1c, 0xab, 0xcd, 0x81, 0x80, 0x00, 0x01,
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 'd',
                                    'b',  0x07, 'e',  'x',  'a',  'm',  'p',  'l',
                                    'e',  0x00, 0x00, 0x01, 0x00, 0x01};
  struct l7_flow f;
  l7_flow_init(&f);
  show_str(&f, HTTP_REQ, 0, 53);
  show(&f, tcp_dns, sizeof tcp_dns, 1, TCP, 53);
  assert_int_equal(f.app, L7_APP_HTTP);
  assert_int_equal(f.confidence, 60);
  assert_int_equal(f.done, 1);
  assert_int_equal(f.scratch[L7_APP_DNS].dns.saw_query, 0);
  l7_flow_release(&f);
}

static void test_done_at_claim(void **state) {
  (void)state;
  /* A DNS response alone: claimed and done on the same packet. */
  struct l7_flow f;
  l7_flow_init(&f);
  show(&f, DNS_A, sizeof DNS_A, 1, UDP, 53);
  assert_int_equal(f.app, L7_APP_DNS);
  assert_int_equal(f.done, 1);
  assert_non_null(f.facts);
  assert_string_equal(f.facts->u.dns.qname, "db.example");
  l7_flow_release(&f);
}

static void test_keepalive_and_empty(void **state) {
  (void)state;
  /* One-byte TCP keep-alives and empty payloads are not shown. */
  struct l7_flow f;
  l7_flow_init(&f);
  show(&f, "\0", 1, 0, TCP, 443);
  show(&f, "", 0, 0, TCP, 443);
  assert_int_equal(f.pkts[0], 0);
  assert_int_equal(f.candidates, ALL);
  show(&f, TLS_CH, sizeof TLS_CH, 0, TCP, 443);
  assert_int_equal(f.app, L7_APP_TLS);
  show(&f, "\x01", 1, 1, TCP, 443);
  assert_int_equal(f.done, 0);
  l7_flow_release(&f);
}

static void test_export_bounds(void **state) {
  (void)state;
  /* Facts filled to the brim export terminated, within the event's sizes,
   * even when a facts string lost its NUL. */
  struct l7_flow f;
  l7_flow_init(&f);
  show_str(&f, HTTP_REQ, 0, 80);
  assert_non_null(f.facts);
  memset(f.facts->u.http.path, 'p', sizeof f.facts->u.http.path);
  memset(f.facts->u.http.user_agent, 'u', sizeof f.facts->u.http.user_agent);
  struct ev_l7 ev;
  l7_flow_export(&f, NULL, NULL, &ev);
  assert_int_equal(strlen(ev.http_path), sizeof f.facts->u.http.path);
  assert_int_equal(strlen(ev.http_user_agent), sizeof ev.http_user_agent - 1);
  l7_flow_release(&f);

  l7_flow_init(&f);
  show(&f, DNS_A, sizeof DNS_A, 1, UDP, 53);
  memset(f.facts->u.dns.qname, 'q', sizeof f.facts->u.dns.qname);
  l7_flow_export(&f, NULL, NULL, &ev);
  assert_int_equal(strlen(ev.dns_qname), sizeof ev.dns_qname - 1);
  l7_flow_release(&f);

  /* Export and release of a flow never shown a packet; release twice. */
  l7_flow_init(&f);
  char app[EV_APP_MAX];
  l7_flow_export(&f, app, NULL, NULL);
  assert_string_equal(app, "");
  l7_flow_release(&f);
  l7_flow_release(&f);
}

static void test_inspect_after_release(void **state) {
  (void)state;
  /* A stray packet after release reaches no probe (and no freed facts). */
  struct l7_flow f;
  l7_flow_init(&f);
  show_str(&f, HTTP_REQ, 0, 80);
  l7_flow_release(&f);
  show_str(&f, HTTP_RESP, 1, 80);
  assert_null(f.facts);
  assert_int_equal(f.app, L7_APP_HTTP);
  char app[EV_APP_MAX];
  uint8_t conf;
  struct ev_l7 ev;
  l7_flow_export(&f, app, &conf, &ev);
  assert_string_equal(app, "http");
  assert_string_equal(ev.http_host, "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_init),
      cmocka_unit_test(test_app_names),
      cmocka_unit_test(test_http_flow_and_export),
      cmocka_unit_test(test_each_protocol_claimed_by_its_probe),
      cmocka_unit_test(test_ports_are_hints),
      cmocka_unit_test(test_probes_refuse_others),
      cmocka_unit_test(test_unclaimed_flow_allocates_nothing),
      cmocka_unit_test(test_budget),
      cmocka_unit_test(test_only_claimer_after_claim),
      cmocka_unit_test(test_done_at_claim),
      cmocka_unit_test(test_keepalive_and_empty),
      cmocka_unit_test(test_export_bounds),
      cmocka_unit_test(test_inspect_after_release),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
