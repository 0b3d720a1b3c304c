/* tests/unit/test_service_map.c — services/service_map.h with configs parsed
 * from YAML text: rule 1 (configured selectors, first match in order, ports
 * and protocol only for the server's port, the fallback to the selector of
 * the address), rule 2 (inside: accepted TCP/UDP servers are "IP:PORT",
 * everything else "IP"; networks.internal replaces the private ranges),
 * rule 3 (outside: named groups, else "external"), member texts, and a cache
 * that answers as a fresh map does, also after it fills and starts over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "core/addr.h"
#include "core/event.h"
#include "services/service_map.h"

#define TCP 6
#define UDP 17
#define ICMP 1

static void load_config(const char *yaml, struct config *c) {
  struct hb_error err = {0, ""};
  int rc = config_parse("test.yaml", yaml, strlen(yaml), c, &err);
  if (rc)
    fail_msg("config: %s", err.msg);
}

static struct ev_flow flow(const char *cli, const char *srv, uint16_t port, uint8_t proto,
                           uint8_t state) {
  struct ev_flow f;
  memset(&f, 0, sizeof f);
  assert_int_equal(hb_addr_parse(cli, &f.cli), 0);
  assert_int_equal(hb_addr_parse(srv, &f.srv), 0);
  f.cli_port = 40000;
  f.srv_port = port;
  f.proto = proto;
  f.state = state;
  f.first_ns = 1000;
  f.last_ns = 2000;
  return f;
}

struct mapped {
  struct svc_endpoint cli, srv;
  struct ev_flow f;
};

/* Map one flow with a fresh map (no cache history). */
static struct mapped map_fresh(const struct config *c, struct ev_flow f) {
  struct svc_map m;
  struct mapped r;
  svc_map_init(&m, c);
  svc_map_flow(&m, &f, &r.cli, &r.srv);
  svc_map_free(&m);
  r.f = f;
  return r;
}

static void expect_srv(const struct config *c, struct ev_flow f, const char *name,
                       uint8_t kind, const char *member) {
  struct mapped r = map_fresh(c, f);
  if (strcmp(r.srv.name, name) != 0 || strcmp(r.srv.member, member) != 0 ||
      r.srv.kind != kind)
    fail_msg("server: want %s (%u) member %s, got %s (%u) member %s", name, kind, member,
             r.srv.name, r.srv.kind, r.srv.member);
  assert_int_equal(r.srv.role, ROLE_SERVER);
  assert_string_equal(r.f.srv_service, name);
}

static void expect_cli(const struct config *c, struct ev_flow f, const char *name,
                       uint8_t kind, const char *member) {
  struct mapped r = map_fresh(c, f);
  if (strcmp(r.cli.name, name) != 0 || strcmp(r.cli.member, member) != 0 ||
      r.cli.kind != kind)
    fail_msg("client: want %s (%u) member %s, got %s (%u) member %s", name, kind, member,
             r.cli.name, r.cli.kind, r.cli.member);
  assert_int_equal(r.cli.role, ROLE_CLIENT);
  assert_string_equal(r.f.cli_service, name);
}

/* --- rule 1 --------------------------------------------------------------- */

static const char *const selectors_yaml =
    "services:\n"
    "  admin:\n"
    "    members:\n"
    "      - ip: 10.1.9.30\n"
    "        ports: [\"8000-8080\"]\n"
    "  db:\n"
    "    members:\n"
    "      - ip: 10.1.9.30\n"
    "        ports: [5432]\n"
    "        proto: tcp\n"
    "  dns:\n"
    "    members:\n"
    "      - ip: 10.1.9.30\n"
    "        ports: [53]\n"
    "        proto: udp\n"
    "  web:\n"
    "    members:\n"
    "      - cidr: 10.1.0.0/28\n"
    "  lan:\n"
    "    members:\n"
    "      - cidr: 10.1.0.0/24\n"
    "  partner:\n"
    "    members:\n"
    "      - ip: 192.0.2.99\n"
    "      - cidrs: [203.0.113.0/25]\n"
    "        ports: [443]\n"
    "  v6db:\n"
    "    members:\n"
    "      - ip: \"fd00::30\"\n"
    "        ports: [5432]\n"
    "networks:\n"
    "  external:\n"
    "    payments: [198.51.100.0/24]\n";

static void test_configured_server_ports(void **state) {
  (void)state;
  struct config c;
  load_config(selectors_yaml, &c);
  /* The port-restricted selector that lists the server port wins, even when
   * an earlier selector of another service holds the same address. */
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 5432, TCP, EV_STATE_ESTABLISHED), "db",
             SVC_CONFIGURED, "10.1.9.30:5432/tcp");
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 8080, TCP, EV_STATE_ESTABLISHED), "admin",
             SVC_CONFIGURED, "10.1.9.30:8080/tcp");
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 8000, UDP, EV_STATE_ESTABLISHED), "admin",
             SVC_CONFIGURED, "10.1.9.30:8000/udp");
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 53, UDP, EV_STATE_ESTABLISHED), "dns",
             SVC_CONFIGURED, "10.1.9.30:53/udp");
  /* The protocol must match too: 5432/udp and 53/tcp fall back to the first
   * selector of the address (admin), not to db or dns. */
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 5432, UDP, EV_STATE_ESTABLISHED), "admin",
             SVC_CONFIGURED, "10.1.9.30:5432/udp");
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 53, TCP, EV_STATE_ESTABLISHED), "admin",
             SVC_CONFIGURED, "10.1.9.30:53/tcp");
  /* A port no selector lists: the host is known, the port is not. */
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 22, TCP, EV_STATE_ESTABLISHED), "admin",
             SVC_CONFIGURED, "10.1.9.30:22/tcp");
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 0, ICMP, EV_STATE_ESTABLISHED), "admin",
             SVC_CONFIGURED, "10.1.9.30");
  /* Not accepted: still the configured service; the member is the address. */
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 5432, TCP, EV_STATE_NEW), "db",
             SVC_CONFIGURED, "10.1.9.30");
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 5432, TCP, EV_STATE_REJECTED), "db",
             SVC_CONFIGURED, "10.1.9.30");
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 5432, TCP, EV_STATE_CLOSED), "db",
             SVC_CONFIGURED, "10.1.9.30:5432/tcp");
  /* IPv6 selector and member text. */
  expect_srv(&c, flow("fd00::5", "fd00::30", 5432, TCP, EV_STATE_ESTABLISHED), "v6db",
             SVC_CONFIGURED, "[fd00::30]:5432/tcp");
  config_free(&c);
}

static void test_configured_client_and_order(void **state) {
  (void)state;
  struct config c;
  load_config(selectors_yaml, &c);
  /* A client at a port-restricted address: the flow's server port says
   * nothing about it, so it takes the first selector of its address. */
  expect_cli(&c, flow("10.1.9.30", "10.1.9.31", 5432, TCP, EV_STATE_ESTABLISHED), "admin",
             SVC_CONFIGURED, "10.1.9.30");
  expect_cli(&c, flow("10.1.9.30", "10.1.9.31", 53, UDP, EV_STATE_ESTABLISHED), "admin",
             SVC_CONFIGURED, "10.1.9.30");
  /* First match in the config's order: web's /28 before lan's /24. */
  expect_cli(&c, flow("10.1.0.5", "8.8.8.8", 443, TCP, EV_STATE_ESTABLISHED), "web",
             SVC_CONFIGURED, "10.1.0.5");
  expect_srv(&c, flow("10.9.0.1", "10.1.0.15", 80, TCP, EV_STATE_ESTABLISHED), "web",
             SVC_CONFIGURED, "10.1.0.15:80/tcp");
  expect_srv(&c, flow("10.9.0.1", "10.1.0.16", 80, TCP, EV_STATE_ESTABLISHED), "lan",
             SVC_CONFIGURED, "10.1.0.16:80/tcp");
  expect_cli(&c, flow("10.1.0.200", "8.8.8.8", 443, TCP, EV_STATE_ESTABLISHED), "lan",
             SVC_CONFIGURED, "10.1.0.200");
  /* Configured selectors come before inside/outside: an outside address can
   * belong to a service, by any of its selectors. */
  expect_cli(&c, flow("192.0.2.99", "10.1.0.15", 80, TCP, EV_STATE_ESTABLISHED),
             "partner", SVC_CONFIGURED, "192.0.2.99");
  expect_srv(&c, flow("10.1.0.5", "203.0.113.7", 443, TCP, EV_STATE_ESTABLISHED),
             "partner", SVC_CONFIGURED, "203.0.113.7:443/tcp");
  /* Second selector's ports do not match: the loose pass still finds it. */
  expect_srv(&c, flow("10.1.0.5", "203.0.113.7", 80, TCP, EV_STATE_ESTABLISHED),
             "partner", SVC_CONFIGURED, "203.0.113.7:80/tcp");
  /* Outside the /25: not partner. */
  expect_srv(&c, flow("10.1.0.5", "203.0.113.200", 443, TCP, EV_STATE_ESTABLISHED),
             "external", SVC_EXTERNAL, "203.0.113.200:443/tcp");
  config_free(&c);
}

/* A port-less selector of the same address, later in the file, beats the
 * fallback: it matches in the first pass. */
static void test_portless_selector_first_pass(void **state) {
  (void)state;
  struct config c;
  load_config("services:\n"
              "  db:\n"
              "    members: [{ip: 10.1.9.30, ports: [5432]}]\n"
              "  host30:\n"
              "    members: [{ip: 10.1.9.30}]\n",
              &c);
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 5432, TCP, EV_STATE_ESTABLISHED), "db",
             SVC_CONFIGURED, "10.1.9.30:5432/tcp");
  expect_srv(&c, flow("10.1.0.5", "10.1.9.30", 22, TCP, EV_STATE_ESTABLISHED), "host30",
             SVC_CONFIGURED, "10.1.9.30:22/tcp");
  expect_cli(&c, flow("10.1.9.30", "10.1.0.5", 5432, TCP, EV_STATE_ESTABLISHED),
             "host30", SVC_CONFIGURED, "10.1.9.30");
  config_free(&c);
}

/* --- rule 2 --------------------------------------------------------------- */

static void test_inside_inferred(void **state) {
  (void)state;
  struct config c;
  load_config("", &c);
  /* Accepted TCP/UDP servers: IP:PORT. */
  expect_srv(&c, flow("10.2.0.1", "10.2.0.7", 8080, TCP, EV_STATE_ESTABLISHED),
             "10.2.0.7:8080", SVC_INFERRED, "10.2.0.7:8080/tcp");
  expect_srv(&c, flow("10.2.0.1", "10.2.0.7", 8080, TCP, EV_STATE_CLOSED),
             "10.2.0.7:8080", SVC_INFERRED, "10.2.0.7:8080/tcp");
  expect_srv(&c, flow("10.2.0.1", "192.168.1.1", 53, UDP, EV_STATE_ESTABLISHED),
             "192.168.1.1:53", SVC_INFERRED, "192.168.1.1:53/udp");
  expect_srv(&c, flow("10.2.0.1", "172.16.5.5", 443, TCP, EV_STATE_ESTABLISHED),
             "172.16.5.5:443", SVC_INFERRED, "172.16.5.5:443/tcp");
  expect_srv(&c, flow("fd00::1", "fd00::7", 443, TCP, EV_STATE_ESTABLISHED),
             "[fd00::7]:443", SVC_INFERRED, "[fd00::7]:443/tcp");
  expect_srv(&c, flow("fe80::1", "fe80::abcd", 546, UDP, EV_STATE_ESTABLISHED),
             "[fe80::abcd]:546", SVC_INFERRED, "[fe80::abcd]:546/udp");
  /* Unanswered or refused servers, and other protocols: the workload IP. */
  expect_srv(&c, flow("10.2.0.1", "10.2.0.7", 8080, TCP, EV_STATE_NEW), "10.2.0.7",
             SVC_INFERRED, "10.2.0.7");
  expect_srv(&c, flow("10.2.0.1", "10.2.0.7", 8080, TCP, EV_STATE_REJECTED), "10.2.0.7",
             SVC_INFERRED, "10.2.0.7");
  expect_srv(&c, flow("10.2.0.1", "10.2.0.7", 53, UDP, EV_STATE_NEW), "10.2.0.7",
             SVC_INFERRED, "10.2.0.7");
  expect_srv(&c, flow("10.2.0.1", "10.2.0.7", 8, ICMP, EV_STATE_ESTABLISHED), "10.2.0.7",
             SVC_INFERRED, "10.2.0.7");
  expect_srv(&c, flow("10.2.0.1", "10.2.0.7", 0, 47, EV_STATE_ESTABLISHED), "10.2.0.7",
             SVC_INFERRED, "10.2.0.7");
  expect_srv(&c, flow("fd00::1", "fd00::7", 443, TCP, EV_STATE_NEW), "fd00::7",
             SVC_INFERRED, "fd00::7");
  /* Clients: the workload IP, whatever the flow's state and port. */
  expect_cli(&c, flow("10.2.0.1", "10.2.0.7", 8080, TCP, EV_STATE_ESTABLISHED),
             "10.2.0.1", SVC_INFERRED, "10.2.0.1");
  expect_cli(&c, flow("100.64.0.9", "10.2.0.7", 53, UDP, EV_STATE_NEW), "100.64.0.9",
             SVC_INFERRED, "100.64.0.9");
  expect_cli(&c, flow("fd00::1", "fd00::7", 443, TCP, EV_STATE_ESTABLISHED), "fd00::1",
             SVC_INFERRED, "fd00::1");
  config_free(&c);
}

static void test_internal_overrides_private(void **state) {
  (void)state;
  struct config c;
  load_config("networks:\n  internal: [10.1.0.0/24, \"2001:db8:1::/48\"]\n", &c);
  expect_srv(&c, flow("10.1.0.5", "10.1.0.9", 80, TCP, EV_STATE_ESTABLISHED),
             "10.1.0.9:80", SVC_INFERRED, "10.1.0.9:80/tcp");
  expect_srv(&c, flow("10.1.0.5", "2001:db8:1::9", 80, TCP, EV_STATE_ESTABLISHED),
             "[2001:db8:1::9]:80", SVC_INFERRED, "[2001:db8:1::9]:80/tcp");
  /* Private, but not inside by this config. */
  expect_srv(&c, flow("10.1.0.5", "192.168.1.1", 80, TCP, EV_STATE_ESTABLISHED),
             "external", SVC_EXTERNAL, "192.168.1.1:80/tcp");
  expect_srv(&c, flow("10.1.0.5", "10.2.0.1", 80, TCP, EV_STATE_ESTABLISHED), "external",
             SVC_EXTERNAL, "10.2.0.1:80/tcp");
  expect_cli(&c, flow("fd00::1", "10.1.0.9", 80, TCP, EV_STATE_ESTABLISHED), "external",
             SVC_EXTERNAL, "fd00::1");
  expect_cli(&c, flow("10.1.0.5", "10.2.0.1", 80, TCP, EV_STATE_ESTABLISHED), "10.1.0.5",
             SVC_INFERRED, "10.1.0.5");
  config_free(&c);
}

/* --- rule 3 --------------------------------------------------------------- */

static void test_outside(void **state) {
  (void)state;
  struct config c;
  load_config(selectors_yaml, &c);
  expect_srv(&c, flow("10.1.0.5", "198.51.100.7", 443, TCP, EV_STATE_ESTABLISHED),
             "payments", SVC_EXTERNAL, "198.51.100.7:443/tcp");
  expect_srv(&c, flow("10.1.0.5", "198.51.100.7", 443, TCP, EV_STATE_NEW), "payments",
             SVC_EXTERNAL, "198.51.100.7");
  expect_srv(&c, flow("10.1.0.5", "8.8.8.8", 53, UDP, EV_STATE_ESTABLISHED), "external",
             SVC_EXTERNAL, "8.8.8.8:53/udp");
  expect_srv(&c, flow("10.1.0.5", "8.8.8.8", 8, ICMP, EV_STATE_ESTABLISHED), "external",
             SVC_EXTERNAL, "8.8.8.8");
  expect_srv(&c, flow("fd00::5", "2001:db8::1", 443, TCP, EV_STATE_ESTABLISHED),
             "external", SVC_EXTERNAL, "[2001:db8::1]:443/tcp");
  expect_cli(&c, flow("198.51.100.200", "10.1.0.15", 80, TCP, EV_STATE_ESTABLISHED),
             "payments", SVC_EXTERNAL, "198.51.100.200");
  expect_cli(&c, flow("9.9.9.9", "10.1.0.15", 80, TCP, EV_STATE_ESTABLISHED), "external",
             SVC_EXTERNAL, "9.9.9.9");
  config_free(&c);
}

/* --- the cache ------------------------------------------------------------ */

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void random_addr(struct hb_addr *a, uint64_t r) {
  memset(a, 0, sizeof *a);
  switch (r % 8) {
  case 0: /* the configured host, by many ports */
    hb_addr_parse("10.1.9.30", a);
    break;
  case 1: /* web's /28, lan's /24 */
  case 2:
    hb_addr_parse("10.1.0.0", a);
    a->b[3] = (uint8_t)(r >> 8);
    break;
  case 3: /* other private addresses */
    hb_addr_parse("192.168.0.0", a);
    a->b[2] = (uint8_t)(r >> 8) & 3;
    a->b[3] = (uint8_t)(r >> 16);
    break;
  case 4: /* payments, and outside */
    hb_addr_parse("198.51.100.0", a);
    a->b[2] = (uint8_t)(r >> 8) & 1;
    a->b[3] = (uint8_t)(r >> 16);
    break;
  case 5: /* partner's /25 and beyond */
    hb_addr_parse("203.0.113.0", a);
    a->b[3] = (uint8_t)(r >> 8);
    break;
  case 6:
    hb_addr_parse("fd00::", a);
    a->b[15] = (uint8_t)(r >> 8) & 0x3f;
    break;
  default:
    hb_addr_parse("2001:db8::", a);
    a->b[15] = (uint8_t)(r >> 8) & 7;
    break;
  }
}

static struct ev_flow random_flow(void) {
  static const uint16_t ports[] = {53, 80, 443, 5432, 8000, 8080, 8081, 22};
  static const uint8_t protos[] = {TCP, TCP, TCP, UDP, UDP, ICMP, 47};
  struct ev_flow f;
  memset(&f, 0, sizeof f);
  uint64_t r = next();
  random_addr(&f.cli, r);
  random_addr(&f.srv, next());
  f.proto = protos[(r >> 24) % 7];
  /* Mostly a few well-known ports (cache hits), sometimes any port (so the
   * cache fills). */
  f.srv_port = (r >> 32) % 4 ? ports[(r >> 40) % 8] : (uint16_t)(r >> 44);
  f.cli_port = (uint16_t)(r >> 12);
  f.state = (uint8_t)(1 + (r >> 60) % 4);
  return f;
}

static void same_endpoint(const struct svc_endpoint *a, const struct svc_endpoint *b,
                          const struct ev_flow *f, const char *which) {
  if (strcmp(a->name, b->name) || strcmp(a->member, b->member) || a->kind != b->kind ||
      a->role != b->role) {
    char c[HB_ADDR_STRLEN], s[HB_ADDR_STRLEN];
    fail_msg("%s of %s -> %s port %u proto %u state %u: cached %s/%s/%u/%u, fresh "
             "%s/%s/%u/%u",
             which, hb_addr_str(&f->cli, c), hb_addr_str(&f->srv, s), f->srv_port,
             f->proto, f->state, a->name, a->member, a->kind, a->role, b->name, b->member,
             b->kind, b->role);
  }
}

static void test_cache_matches_fresh(void **state) {
  (void)state;
  struct config c;
  load_config(selectors_yaml, &c);
  struct svc_map cached;
  svc_map_init(&cached, &c);
  int restarts = 0;
  uint32_t prev = 0;
  const int n = 3 * SVC_CACHE_MAX;
  for (int i = 0; i < n; i++) {
    struct ev_flow f = random_flow();
    struct svc_endpoint a_cli, a_srv;
    struct mapped b = map_fresh(&c, f);
    svc_map_flow(&cached, &f, &a_cli, &a_srv);
    same_endpoint(&a_cli, &b.cli, &f, "client");
    same_endpoint(&a_srv, &b.srv, &f, "server");
    assert_string_equal(f.cli_service, b.f.cli_service);
    assert_string_equal(f.srv_service, b.f.srv_service);
    assert_true(cached.n_answers <= SVC_CACHE_MAX);
    if (cached.n_answers < prev)
      restarts++;
    prev = cached.n_answers;
  }
  /* The run exercised both hits and misses, and the bound. */
  assert_true(cached.hits > (uint64_t)n / 2);
  assert_true(cached.misses > SVC_CACHE_MAX);
  assert_int_equal(cached.hits + cached.misses, 2 * (uint64_t)n);
  assert_true(restarts >= 1);
  svc_map_free(&cached);
  config_free(&c);
}

/* Answers that differ only in what the key must hold (port, protocol,
 * accepted, client or server side), asked through one map in a row. */
static void test_cache_keys(void **state) {
  (void)state;
  struct config c;
  load_config(selectors_yaml, &c);
  struct svc_map m;
  svc_map_init(&m, &c);
  struct {
    const char *cli, *srv;
    uint16_t port;
    uint8_t proto, state;
    const char *want_cli, *want_srv, *want_member;
  } cases[] = {
      {"10.1.0.5", "10.1.9.30", 5432, TCP, EV_STATE_ESTABLISHED, "web", "db",
       "10.1.9.30:5432/tcp"},
      {"10.1.0.5", "10.1.9.30", 5432, UDP, EV_STATE_ESTABLISHED, "web", "admin",
       "10.1.9.30:5432/udp"},
      {"10.1.0.5", "10.1.9.30", 5432, TCP, EV_STATE_NEW, "web", "db", "10.1.9.30"},
      {"10.1.0.5", "10.1.9.30", 8080, TCP, EV_STATE_ESTABLISHED, "web", "admin",
       "10.1.9.30:8080/tcp"},
      {"10.1.9.30", "10.1.0.5", 5432, TCP, EV_STATE_ESTABLISHED, "admin", "web",
       "10.1.0.5:5432/tcp"},
      {"10.1.0.5", "10.2.0.1", 80, TCP, EV_STATE_ESTABLISHED, "web", "10.2.0.1:80",
       "10.2.0.1:80/tcp"},
      {"10.1.0.5", "10.2.0.1", 81, TCP, EV_STATE_ESTABLISHED, "web", "10.2.0.1:81",
       "10.2.0.1:81/tcp"},
      {"10.1.0.5", "10.2.0.1", 80, TCP, EV_STATE_REJECTED, "web", "10.2.0.1", "10.2.0.1"},
      {"10.2.0.1", "10.1.0.5", 80, TCP, EV_STATE_ESTABLISHED, "10.2.0.1", "web",
       "10.1.0.5:80/tcp"},
      /* A server whose port, protocol and acceptance are all zero is still
       * a server. */
      {"10.2.0.1", "10.1.0.5", 0, 0, EV_STATE_NEW, "10.2.0.1", "web", "10.1.0.5"},
  };
  for (int round = 0; round < 3; round++)
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      struct ev_flow f = flow(cases[i].cli, cases[i].srv, cases[i].port, cases[i].proto,
                              cases[i].state);
      struct svc_endpoint cli, srv;
      svc_map_flow(&m, &f, &cli, &srv);
      assert_string_equal(cli.name, cases[i].want_cli);
      assert_string_equal(srv.name, cases[i].want_srv);
      assert_string_equal(srv.member, cases[i].want_member);
      assert_int_equal(cli.role, ROLE_CLIENT);
      assert_int_equal(srv.role, ROLE_SERVER);
      assert_string_equal(f.cli_service, cases[i].want_cli);
      assert_string_equal(f.srv_service, cases[i].want_srv);
    }
  assert_true(m.hits >= 2 * 2 * 10);
  svc_map_free(&m);
  config_free(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_configured_server_ports),
      cmocka_unit_test(test_configured_client_and_order),
      cmocka_unit_test(test_portless_selector_first_pass),
      cmocka_unit_test(test_inside_inferred),
      cmocka_unit_test(test_internal_overrides_private),
      cmocka_unit_test(test_outside),
      cmocka_unit_test(test_cache_matches_fresh),
      cmocka_unit_test(test_cache_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
