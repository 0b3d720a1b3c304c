/* tests/unit/test_config.c — config/: defaults, a full file, and every
 * refusal with its exact "file:line:col: what" message. Each failing case
 * also checks that *cfg is back to defaults; the ASan build checks that
 * nothing leaked on the way. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "detect/signatures.h"

#define NAME "shop.yaml"

static void assert_defaults(const struct config *c) {
  struct config d;
  config_defaults(&d);
  assert_string_equal(c->path, "");
  assert_string_equal(c->node, d.node);
  assert_int_equal(c->default_mode, EV_MODE_DISCOVER);
  assert_null(c->services);
  assert_int_equal(c->n_services, 0);
  assert_null(c->internal);
  assert_int_equal(c->n_internal, 0);
  assert_null(c->externals);
  assert_int_equal(c->n_externals, 0);
  assert_int_equal(c->flow.max_flows, 262144);
  assert_int_equal(c->flow.tcp_new_timeout, 30);
  assert_int_equal(c->flow.tcp_est_timeout, 3600);
  assert_int_equal(c->flow.tcp_closed_timeout, 10);
  assert_int_equal(c->flow.udp_timeout, 60);
  assert_int_equal(c->flow.icmp_timeout, 30);
  assert_int_equal(c->flow.other_timeout, 60);
  assert_true(c->learn.readiness_bound == 0.01);
  assert_int_equal(c->learn.batch_events, 10000);
  assert_int_equal(c->learn.auto_monitor, 0);
  assert_int_equal(c->learn.auto_monitor_flows, 100);
  assert_int_equal(c->detect.min_samples, 20);
  assert_true(c->detect.quantile == 0.999);
  assert_true(c->detect.margin == 4.0);
  assert_true(c->detect.rate_margin == 2.0);
  assert_int_equal(c->detect.scan.window, 60);
  assert_int_equal(c->detect.scan.ports, 20);
  assert_int_equal(c->detect.scan.hosts, 20);
}

static int parse(const char *text, struct config *c, struct hb_error *e) {
  hb_error_clear(e);
  return config_parse(NAME, text, strlen(text), c, e);
}

/* text must fail with exactly msg, and leave defaults behind. */
static void expect_error(const char *text, const char *msg) {
  struct config c;
  struct hb_error e;
  int rc = parse(text, &c, &e);
  if (rc != -EINVAL || strcmp(e.msg, msg) != 0)
    print_error("input:\n%s\nwant: %s\ngot (%d): %s\n", text, msg, rc, e.msg);
  assert_int_equal(rc, -EINVAL);
  assert_int_equal(e.code, -EINVAL);
  assert_string_equal(e.msg, msg);
  assert_null(strchr(e.msg, '\n'));
  assert_defaults(&c);
  config_free(&c);
}

static void expect_ok(const char *text, struct config *c) {
  struct hb_error e;
  int rc = parse(text, c, &e);
  if (rc != 0)
    print_error("input:\n%s\nunexpected error: %s\n", text, e.msg);
  assert_int_equal(rc, 0);
}

static void assert_cidr(const struct hb_cidr *c, const char *want) {
  char buf[HB_ADDR_STRLEN], text[HB_ADDR_STRLEN + 8];
  snprintf(text, sizeof text, "%s/%u", hb_addr_str(&c->net, buf),
           (unsigned)c->len);
  assert_string_equal(text, want);
}

/* ---- valid files ------------------------------------------------------- */

static void test_defaults(void **state) {
  (void)state;
  struct config c;
  config_defaults(&c);
  assert_defaults(&c);
  char host[256] = "";
  if (gethostname(host, sizeof host) == 0 && host[0]) {
    host[EV_NAME_MAX - 1] = '\0';
    assert_string_equal(c.node, host);
  } else {
    assert_string_equal(c.node, "localhost");
  }
  config_free(&c);
  config_free(&c); /* twice is harmless */
}

static const char full[] =
    "node: lab1\n"
    "mode: monitor\n"
    "services:\n"
    "  web:\n"
    "    mode: protect\n"
    "    members:\n"
    "      - cidr: 10.1.0.10/32\n"
    "        ports: [80, 443, \"8000-8080\"]\n"
    "        proto: tcp\n"
    "      - {ips: [10.1.0.11, \"fd00::11\"], ip: 10.1.0.12, cidrs: "
    "[10.2.0.0/16], proto: udp, ports: [53]}\n"
    "  db:\n"
    "    members:\n"
    "      - ip: 10.1.0.30\n"
    "        ports: [5432]\n"
    "        proto: any\n"
    "  idle.v2_x-y:\n"
    "networks:\n"
    "  internal: [10.0.0.0/8, \"fd00::/8\"]\n"
    "  external:\n"
    "    payments: [198.51.100.0/24]\n"
    "    cdn: [203.0.113.0/25, 2001:db8::/32]\n"
    "flows:\n"
    "  max_flows: 1024\n"
    "  timeouts: {tcp_new: 31, tcp_established: 3601, tcp_closed: 11, "
    "udp: 61, icmp: 32, other: 62}\n"
    "learn:\n"
    "  readiness_bound: 0.05\n"
    "  batch_events: 500\n"
    "  auto_monitor: 3600\n"
    "  auto_monitor_flows: 250\n"
    "detect:\n"
    "  min_samples: 7\n"
    "  quantile: 0.99\n"
    "  margin: 1\n"
    "  rate_margin: 2.5e0\n"
    "  scan: {window: 30, ports: 15, hosts: 25}\n";

static void test_full_file(void **state) {
  (void)state;
  struct config c;
  expect_ok(full, &c);
  assert_string_equal(c.path, NAME);
  assert_string_equal(c.node, "lab1");
  assert_int_equal(c.default_mode, EV_MODE_MONITOR);
  assert_int_equal(c.n_services, 3);

  const struct cfg_service *web = &c.services[0];
  assert_string_equal(web->name, "web");
  assert_int_equal(web->mode, EV_MODE_PROTECT);
  assert_int_equal(web->n_selectors, 2);
  const struct cfg_selector *s = &web->selectors[0];
  assert_int_equal(s->n_cidrs, 1);
  assert_cidr(&s->cidrs[0], "10.1.0.10/32");
  assert_int_equal(s->n_ports, 3);
  assert_int_equal(s->ports[0].lo, 80);
  assert_int_equal(s->ports[0].hi, 80);
  assert_int_equal(s->ports[1].lo, 443);
  assert_int_equal(s->ports[1].hi, 443);
  assert_int_equal(s->ports[2].lo, 8000);
  assert_int_equal(s->ports[2].hi, 8080);
  assert_int_equal(s->proto, 6);
  s = &web->selectors[1];
  assert_int_equal(s->n_cidrs, 4); /* file order */
  assert_cidr(&s->cidrs[0], "10.1.0.11/32");
  assert_cidr(&s->cidrs[1], "fd00::11/128");
  assert_cidr(&s->cidrs[2], "10.1.0.12/32");
  assert_cidr(&s->cidrs[3], "10.2.0.0/16");
  assert_int_equal(s->proto, 17);
  assert_int_equal(s->n_ports, 1);
  assert_int_equal(s->ports[0].lo, 53);

  const struct cfg_service *db = &c.services[1];
  assert_string_equal(db->name, "db");
  assert_int_equal(db->mode, 0); /* the default mode */
  assert_int_equal(db->n_selectors, 1);
  assert_cidr(&db->selectors[0].cidrs[0], "10.1.0.30/32");
  assert_int_equal(db->selectors[0].n_ports, 1);
  assert_int_equal(db->selectors[0].ports[0].lo, 5432);
  assert_int_equal(db->selectors[0].ports[0].hi, 5432);
  assert_int_equal(db->selectors[0].proto, 0);

  const struct cfg_service *idle = &c.services[2];
  assert_string_equal(idle->name, "idle.v2_x-y");
  assert_int_equal(idle->mode, 0);
  assert_int_equal(idle->n_selectors, 0);
  assert_null(idle->selectors);

  assert_int_equal(c.n_internal, 2);
  assert_cidr(&c.internal[0], "10.0.0.0/8");
  assert_cidr(&c.internal[1], "fd00::/8");
  assert_int_equal(c.n_externals, 2);
  assert_string_equal(c.externals[0].name, "payments");
  assert_int_equal(c.externals[0].n_cidrs, 1);
  assert_cidr(&c.externals[0].cidrs[0], "198.51.100.0/24");
  assert_string_equal(c.externals[1].name, "cdn");
  assert_int_equal(c.externals[1].n_cidrs, 2);
  assert_cidr(&c.externals[1].cidrs[0], "203.0.113.0/25");
  assert_cidr(&c.externals[1].cidrs[1], "2001:db8::/32");

  assert_int_equal(c.flow.max_flows, 1024);
  assert_int_equal(c.flow.tcp_new_timeout, 31);
  assert_int_equal(c.flow.tcp_est_timeout, 3601);
  assert_int_equal(c.flow.tcp_closed_timeout, 11);
  assert_int_equal(c.flow.udp_timeout, 61);
  assert_int_equal(c.flow.icmp_timeout, 32);
  assert_int_equal(c.flow.other_timeout, 62);
  assert_true(c.learn.readiness_bound == 0.05);
  assert_int_equal(c.learn.batch_events, 500);
  assert_int_equal(c.learn.auto_monitor, 3600);
  assert_int_equal(c.learn.auto_monitor_flows, 250);
  assert_int_equal(c.detect.min_samples, 7);
  assert_true(c.detect.quantile == 0.99);
  assert_true(c.detect.margin == 1.0);
  assert_true(c.detect.rate_margin == 2.5);
  assert_int_equal(c.detect.scan.window, 30);
  assert_int_equal(c.detect.scan.ports, 15);
  assert_int_equal(c.detect.scan.hosts, 25);
  config_free(&c);
  assert_null(c.services);
  assert_int_equal(c.n_services, 0);
  config_free(&c);
}

/* Keys left out keep their defaults; a section given as nothing is empty. */
static void test_partial_and_empty(void **state) {
  (void)state;
  static const char *const empty[] = {
      "", "# only a comment\n", "---\n", "---\n...\n", "~\n", "null\n",
      "\xef\xbb\xbf", "%YAML 1.1\n---\n",
      "services:\nnetworks:\nflows:\nlearn:\ndetect: ~\n",
      "services: {}\nnetworks: {external: {}}\n"
      "flows: {timeouts: }\ndetect: {scan: {}}\n",
  };
  for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
    struct config c;
    expect_ok(empty[i], &c);
    assert_string_equal(c.path, NAME);
    c.path[0] = '\0';
    assert_defaults(&c);
    config_free(&c);
  }
  struct config c;
  struct hb_error e;
  assert_int_equal(config_parse(NAME, NULL, 0, &c, &e), 0);
  config_free(&c);

  expect_ok("flows: {timeouts: {udp: 5}}\ndetect: {scan: {ports: 3}}\n", &c);
  assert_int_equal(c.flow.udp_timeout, 5);
  assert_int_equal(c.flow.tcp_new_timeout, 30);
  assert_int_equal(c.flow.max_flows, 262144);
  assert_int_equal(c.detect.scan.ports, 3);
  assert_int_equal(c.detect.scan.window, 60);
  config_free(&c);

  /* Services without members: allowed, with no selectors. */
  expect_ok("services:\n  a:\n  b: {}\n  c: {members: []}\n  d: {mode: "
            "monitor}\n",
            &c);
  assert_int_equal(c.n_services, 4);
  for (size_t i = 0; i < 4; i++)
    assert_int_equal(c.services[i].n_selectors, 0);
  assert_int_equal(c.services[3].mode, EV_MODE_MONITOR);
  config_free(&c);

  /* A UTF-8 byte order mark and CRLF line ends are fine. */
  expect_ok("\xef\xbb\xbfnode: x\r\nmode: protect\r\n", &c);
  assert_string_equal(c.node, "x");
  assert_int_equal(c.default_mode, EV_MODE_PROTECT);
  config_free(&c);

  /* Quoted strings are strings: fine for names, modes and ports. */
  expect_ok("node: \"123\"\nmode: 'discover'\nservices:\n  '80':\n    "
            "members: [{ip: '::1', ports: ['22', 1-2]}]\n",
            &c);
  assert_string_equal(c.node, "123");
  assert_string_equal(c.services[0].name, "80");
  assert_cidr(&c.services[0].selectors[0].cidrs[0], "::1/128");
  assert_int_equal(c.services[0].selectors[0].ports[0].lo, 22);
  assert_int_equal(c.services[0].selectors[0].ports[1].lo, 1);
  assert_int_equal(c.services[0].selectors[0].ports[1].hi, 2);
  config_free(&c);
}

/* Bounds are inclusive where FORMAT.md says so. */
static void test_bounds_accepted(void **state) {
  (void)state;
  struct config c;
  expect_ok("flows:\n  max_flows: 134217728\n  timeouts: {udp: 1, "
            "tcp_established: 604800}\nlearn: {readiness_bound: 1e-9, "
            "batch_events: 1}\ndetect: {quantile: .5, margin: 1000, "
            "rate_margin: 1.0, min_samples: 1, scan: {window: 86400, ports: "
            "65535, hosts: 100000000}}\n",
            &c);
  assert_int_equal(c.flow.max_flows, 134217728);
  assert_int_equal(c.flow.udp_timeout, 1);
  assert_int_equal(c.flow.tcp_est_timeout, 604800);
  assert_true(c.learn.readiness_bound == 1e-9);
  assert_true(c.detect.quantile == 0.5);
  assert_true(c.detect.margin == 1000);
  assert_int_equal(c.detect.scan.window, 86400);
  assert_int_equal(c.detect.scan.ports, 65535);
  assert_int_equal(c.detect.scan.hosts, 100000000);
  config_free(&c);

  expect_ok("services:\n  x: {members: [{ip: 1.2.3.4, ports: [1, 65535, "
            "1-65535, 7-7]}]}\n",
            &c);
  const struct cfg_selector *s = &c.services[0].selectors[0];
  assert_int_equal(s->ports[0].lo, 1);
  assert_int_equal(s->ports[1].hi, 65535);
  assert_int_equal(s->ports[2].lo, 1);
  assert_int_equal(s->ports[2].hi, 65535);
  assert_int_equal(s->ports[3].lo, 7);
  assert_int_equal(s->ports[3].hi, 7);
  config_free(&c);

  /* Names of exactly EV_NAME_MAX - 1 bytes. */
  char text[256], name[EV_NAME_MAX];
  memset(name, 'n', EV_NAME_MAX - 1);
  name[EV_NAME_MAX - 1] = '\0';
  snprintf(text, sizeof text, "node: %s\nservices:\n  %s:\n", name, name);
  expect_ok(text, &c);
  assert_string_equal(c.node, name);
  assert_string_equal(c.services[0].name, name);
  config_free(&c);
}

/* No table cuts a long list: 5000 services of 3 members of 3 addresses. */
static void test_many_services(void **state) {
  (void)state;
  size_t cap = 4 << 20, n = 0;
  char *text = malloc(cap);
  assert_non_null(text);
  n += (size_t)snprintf(text + n, cap - n, "services:\n");
  for (int i = 0; i < 5000; i++) {
    n += (size_t)snprintf(text + n, cap - n, "  s%d:\n    members:\n", i);
    for (int j = 0; j < 3; j++)
      n += (size_t)snprintf(text + n, cap - n,
                            "      - ips: [10.%d.%d.1, 10.%d.%d.2]\n"
                            "        cidr: 10.%d.%d.128/25\n",
                            i / 256, i % 256, i / 256, i % 256, i / 256,
                            i % 256);
  }
  struct config c;
  expect_ok(text, &c);
  assert_int_equal(c.n_services, 5000);
  assert_string_equal(c.services[4999].name, "s4999");
  assert_int_equal(c.services[4999].n_selectors, 3);
  assert_int_equal(c.services[4999].selectors[2].n_cidrs, 3);
  assert_cidr(&c.services[4999].selectors[2].cidrs[2], "10.19.135.128/25");
  config_free(&c);

  /* The same with a duplicate at the very end: refused, nothing leaks. */
  n += (size_t)snprintf(text + n, cap - n, "  s17:\n");
  struct hb_error e;
  assert_int_equal(config_parse(NAME, text, n, &c, &e), -EINVAL);
  assert_string_equal(e.msg, "shop.yaml:40002:3: duplicate key 's17' in "
                             "services (first at 138:3)");
  assert_defaults(&c);
  free(text);
}

/* ---- refusals ---------------------------------------------------------- */

static void test_syntax_errors(void **state) {
  (void)state;
  expect_error("node: x\nmode discover\nflows: {}\n",
               "shop.yaml:3:1: syntax error: could not find expected ':' "
               "(while scanning a simple key at 2:1)");
  expect_error("services:\n  web: {members: [}\n",
               "shop.yaml:2:19: syntax error: did not find expected node "
               "content (while parsing a flow node)");
  expect_error("\tnode: x\n",
               "shop.yaml:1:1: syntax error: found character that cannot "
               "start any token (while scanning for the next token)");
  expect_error("node: \"x\n",
               "shop.yaml:2:1: syntax error: found unexpected end of stream "
               "(while scanning a quoted scalar at 1:7)");
  /* Reader errors come with an offset; the line and column are counted. */
  expect_error("node: x\nmode: \xff\n",
               "shop.yaml:2:7: syntax error: invalid leading UTF-8 octet "
               "(value 0xff)");
  expect_error("node: x\nmode: \x01\n",
               "shop.yaml:2:7: syntax error: control characters are not "
               "allowed (value 0x1)");
  expect_error("\xff\xfen\0",
               "shop.yaml:1:1: the file is UTF-16 or UTF-32; habit reads "
               "UTF-8");
}

static void test_refused_yaml_features(void **state) {
  (void)state;
  expect_error("learn: &l {batch_events: 5}\ndetect: *l\n",
               "shop.yaml:1:8: anchors (&l) are not supported");
  expect_error("node: *x\n", "shop.yaml:1:7: aliases (*x) are not supported");
  expect_error("node: !!str x\n",
               "shop.yaml:1:7: tags (tag:yaml.org,2002:str) are not "
               "supported");
  expect_error("services: !custom {}\n",
               "shop.yaml:1:11: tags (!custom) are not supported");
  expect_error("node: a\n---\nnode: b\n",
               "shop.yaml:2:1: a second YAML document: a configuration file "
               "holds one");
  /* After "...", YAML 1.1 wants "---" before more content. */
  expect_error("node: a\n...\nnode: b\n",
               "shop.yaml:3:1: syntax error: did not find expected <document "
               "start>");
  expect_error("node: a\n...\n---\nnode: b\n",
               "shop.yaml:3:1: a second YAML document: a configuration file "
               "holds one");
  expect_error("- node: a\n",
               "shop.yaml:1:1: expected a mapping at top level, got a list");
  expect_error("just words\n",
               "shop.yaml:1:1: expected a mapping at top level, got 'just "
               "words'");
  expect_error("\"\"\n",
               "shop.yaml:1:1: expected a mapping at top level, got ''");
  expect_error("? [a, b]\n: c\n",
               "shop.yaml:1:3: expected a name as key at top level, got a "
               "list");
  expect_error("services:\n  ~: {}\n",
               "shop.yaml:2:3: expected a name as key in services, got "
               "nothing");

  /* Nesting is bounded (32), far beyond the schema's depth. */
  char deep[256];
  size_t n = (size_t)snprintf(deep, sizeof deep, "node: ");
  for (int i = 0; i < 40; i++)
    deep[n++] = '[';
  deep[n] = '\0';
  expect_error(deep, "shop.yaml:1:38: nested deeper than 32 levels");
}

static void test_unknown_keys(void **state) {
  (void)state;
  expect_error("node: x\nnodes: y\n",
               "shop.yaml:2:1: unknown key 'nodes' at top level (expected "
               "one of: collect, detect, enforce, engine, flows, learn, mode, networks, node, "
               "services)");
  expect_error("services:\n  web:\n    mode: monitor\n    member: []\n",
               "shop.yaml:4:5: unknown key 'member' in services.web "
               "(expected one of: members, mode, protected_files)");
  expect_error("services:\n"
               "  web:\n"
               "    members:\n"
               "      - ip: 10.1.0.10\n"
               "      - cidr: 10.1.0.0/24\n"
               "        prots: [80]\n",
               "shop.yaml:6:9: unknown key 'prots' in services.web.members[1] "
               "(expected one of: cgroup, cidr, cidrs, container, exe, ip, ips, ports, proto)");
  expect_error("networks:\n  intern: []\n",
               "shop.yaml:2:3: unknown key 'intern' in networks (expected "
               "one of: external, internal)");
  expect_error("flows:\n  max_flow: 5000\n",
               "shop.yaml:2:3: unknown key 'max_flow' in flows (expected one "
               "of: max_flows, timeouts)");
  expect_error("flows:\n  timeouts: {tcp: 5}\n",
               "shop.yaml:2:14: unknown key 'tcp' in flows.timeouts "
               "(expected one of: icmp, other, tcp_closed, tcp_established, "
               "tcp_new, udp)");
  expect_error("learn:\n  batch: 5\n",
               "shop.yaml:2:3: unknown key 'batch' in learn (expected one "
               "of: auto_monitor, auto_monitor_flows, batch_events, readiness_bound)");
  expect_error("detect:\n  threshold: 5\n",
               "shop.yaml:2:3: unknown key 'threshold' in detect (expected "
               "one of: leaks, margin, min_samples, quantile, rate_margin, scan, threats)");
  expect_error("detect:\n  scan:\n    windows: 5\n",
               "shop.yaml:3:5: unknown key 'windows' in detect.scan (expected "
               "one of: hosts, ports, window)");
  /* Unprintable and long keys stay on one line, cut. */
  expect_error("\"a\\nb\\u00e9\": 1\n",
               "shop.yaml:1:1: unknown key 'a\\x0ab\\xc3\\xa9' at top level "
               "(expected one of: collect, detect, enforce, engine, flows, learn, "
               "mode, networks, node, services)");
  expect_error("kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
               "kkkkkkkkkkkk: 1\n",
               "shop.yaml:1:1: unknown key "
               "'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk..."
               "' at top level (expected one of: collect, detect, enforce, engine, "
               "flows, learn, mode, networks, node, services)");
}

static void test_duplicate_keys(void **state) {
  (void)state;
  expect_error("node: a\nmode: monitor\nnode: b\n",
               "shop.yaml:3:1: duplicate key 'node' at top level (first at "
               "1:1)");
  expect_error("services:\n  web: {}\n  db: {}\n  web: {}\n",
               "shop.yaml:4:3: duplicate key 'web' in services (first at "
               "2:3)");
  expect_error("services:\n  web: {}\n  'web': {}\n",
               "shop.yaml:3:3: duplicate key 'web' in services (first at "
               "2:3)");
  /* The first repeat in the file is the one reported. */
  expect_error("services:\n  b: {}\n  a: {}\n  a: {}\n  b: {}\n",
               "shop.yaml:4:3: duplicate key 'a' in services (first at 3:3)");
  expect_error("services:\n  w:\n    members:\n      - {ip: 1.2.3.4, ports: "
               "[1], ip: 1.2.3.5}\n",
               "shop.yaml:4:35: duplicate key 'ip' in services.w.members[0] "
               "(first at 4:10)");
  expect_error("detect: {scan: {window: 5, window: 6}}\n",
               "shop.yaml:1:28: duplicate key 'window' in detect.scan (first "
               "at 1:17)");
  expect_error("networks:\n  external:\n    a: [1.2.3.4]\n    a: "
               "[1.2.3.5]\n",
               "shop.yaml:4:5: duplicate key 'a' in networks.external (first "
               "at 3:5)");
}

static void test_modes(void **state) {
  (void)state;
  expect_error("node: x\nmode: watch\n",
               "shop.yaml:2:7: mode: expected discover, monitor or protect, "
               "got 'watch'");
  expect_error("services:\n  web:\n    mode: Monitor\n",
               "shop.yaml:3:11: services.web.mode: expected discover, monitor "
               "or protect, got 'Monitor'");
  expect_error("mode:\n", "shop.yaml:1:6: mode: expected discover, monitor or "
                          "protect, got nothing");
  expect_error("mode: [monitor]\n",
               "shop.yaml:1:7: mode: expected discover, monitor or protect, "
               "got a list");
  expect_error("mode: \"monitor\\0\"\n",
               "shop.yaml:1:7: mode: expected discover, monitor or protect, "
               "got 'monitor\\x00'");
}

static void test_wrong_types(void **state) {
  (void)state;
  expect_error("services: [web, db]\n",
               "shop.yaml:1:11: services: expected a mapping, got a list");
  expect_error("services:\n  web:\n    members: {ip: 10.0.0.1}\n",
               "shop.yaml:3:14: services.web.members: expected a list, got a "
               "mapping");
  expect_error("services:\n  web:\n    members:\n",
               "shop.yaml:3:13: services.web.members: expected a list, got "
               "nothing");
  expect_error("services:\n  web:\n    members:\n      - 10.0.0.1\n",
               "shop.yaml:4:9: services.web.members[0]: expected a mapping, "
               "got '10.0.0.1'");
  expect_error("services:\n  web: monitor\n",
               "shop.yaml:2:8: services.web: expected a mapping, got "
               "'monitor'");
  expect_error("services:\n  web:\n    members:\n      - ip: 10.0.0.1\n"
               "        ports: 80\n",
               "shop.yaml:5:16: services.web.members[0].ports: expected a "
               "list, got '80'");
  expect_error("services:\n  web:\n    members:\n      - ips: 10.0.0.1\n",
               "shop.yaml:4:14: services.web.members[0].ips: expected a list, "
               "got '10.0.0.1'");
  expect_error("services:\n  web:\n    members:\n      - ip: [10.0.0.1]\n",
               "shop.yaml:4:13: services.web.members[0].ip: expected an IP "
               "address, got a list");
  expect_error("flows:\n  max_flows: abc\n",
               "shop.yaml:2:14: flows.max_flows: expected a whole number from "
               "1024 to 134217728, got 'abc'");
  expect_error("flows:\n  max_flows: \"4096\"\n",
               "shop.yaml:2:14: flows.max_flows: expected a whole number from "
               "1024 to 134217728, got a quoted string '4096'");
  expect_error("flows:\n  max_flows: [4096]\n",
               "shop.yaml:2:14: flows.max_flows: expected a whole number from "
               "1024 to 134217728, got a list");
  expect_error("flows:\n  max_flows:\n",
               "shop.yaml:2:13: flows.max_flows: expected a whole number from "
               "1024 to 134217728, got nothing");
  expect_error("flows:\n  timeouts: [1, 2]\n",
               "shop.yaml:2:13: flows.timeouts: expected a mapping, got a "
               "list");
  expect_error("learn: 5\n",
               "shop.yaml:1:8: learn: expected a mapping, got '5'");
  expect_error("detect:\n  quantile: high\n",
               "shop.yaml:2:13: detect.quantile: expected a number in (0, 1), "
               "got 'high'");
  expect_error("detect:\n  quantile: '0.9'\n",
               "shop.yaml:2:13: detect.quantile: expected a number in (0, 1), "
               "got a quoted string '0.9'");
  expect_error("networks:\n  internal: 10.0.0.0/8\n",
               "shop.yaml:2:13: networks.internal: expected a list, got "
               "'10.0.0.0/8'");
  expect_error("networks:\n  external: [1.2.3.4]\n",
               "shop.yaml:2:13: networks.external: expected a mapping, got a "
               "list");
  expect_error("networks:\n  external:\n    pay: 1.2.3.4\n",
               "shop.yaml:3:10: networks.external.pay: expected a list, got "
               "'1.2.3.4'");
  expect_error("node: [a]\n", "shop.yaml:1:7: node: expected a name, got a "
                              "list");
  expect_error("node:\n",
               "shop.yaml:1:6: node: expected a name, got nothing");
  expect_error("services:\n  w: {members: [{ip: 1.2.3.4, proto: icmp}]}\n",
               "shop.yaml:2:38: services.w.members[0].proto: expected tcp, "
               "udp or any, got 'icmp'");
  expect_error("services:\n  w: {members: [{ip: 1.2.3.4, proto: 6}]}\n",
               "shop.yaml:2:38: services.w.members[0].proto: expected tcp, "
               "udp or any, got '6'");
}

static void test_numbers_out_of_range(void **state) {
  (void)state;
  expect_error("flows:\n  max_flows: -5\n",
               "shop.yaml:2:14: flows.max_flows: expected a whole number from "
               "1024 to 134217728, got '-5'");
  expect_error("flows:\n  max_flows: 1023\n",
               "shop.yaml:2:14: flows.max_flows: expected a whole number from "
               "1024 to 134217728, got '1023'");
  expect_error("flows:\n  max_flows: 134217729\n",
               "shop.yaml:2:14: flows.max_flows: expected a whole number from "
               "1024 to 134217728, got '134217729'");
  expect_error("flows:\n  max_flows: 99999999999999999999999999\n",
               "shop.yaml:2:14: flows.max_flows: expected a whole number from "
               "1024 to 134217728, got '99999999999999999999999999'");
  /* YAML 1.1 spellings of integers are not guessed at. */
  static const char *const odd[] = {"0x1000", "0o7777", "010000", "1_000_000",
                                    "+4096",  "4096.0", "4e3"};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    char text[64], msg[200];
    snprintf(text, sizeof text, "flows:\n  max_flows: %s\n", odd[i]);
    snprintf(msg, sizeof msg,
             "shop.yaml:2:14: flows.max_flows: expected a whole number from "
             "1024 to 134217728, got '%s'",
             odd[i]);
    expect_error(text, msg);
  }
  expect_error("flows:\n  timeouts:\n    udp: 0\n",
               "shop.yaml:3:10: flows.timeouts.udp: expected a whole number "
               "from 1 to 604800, got '0'");
  expect_error("flows:\n  timeouts: {tcp_established: 604801}\n",
               "shop.yaml:2:31: flows.timeouts.tcp_established: expected a "
               "whole number from 1 to 604800, got '604801'");
  expect_error("learn:\n  batch_events: 0\n",
               "shop.yaml:2:17: learn.batch_events: expected a whole number "
               "from 1 to 100000000, got '0'");
  expect_error("learn:\n  readiness_bound: 0\n",
               "shop.yaml:2:20: learn.readiness_bound: expected a number in "
               "(0, 1), got '0'");
  expect_error("learn:\n  readiness_bound: 1\n",
               "shop.yaml:2:20: learn.readiness_bound: expected a number in "
               "(0, 1), got '1'");
  expect_error("detect:\n  min_samples: 0\n",
               "shop.yaml:2:16: detect.min_samples: expected a whole number "
               "from 1 to 100000000, got '0'");
  expect_error("detect:\n  quantile: 1.5\n",
               "shop.yaml:2:13: detect.quantile: expected a number in (0, 1), "
               "got '1.5'");
  expect_error("detect:\n  quantile: -0.5\n",
               "shop.yaml:2:13: detect.quantile: expected a number in (0, 1), "
               "got '-0.5'");
  expect_error("detect:\n  margin: 0.99\n",
               "shop.yaml:2:11: detect.margin: expected a number in [1, "
               "1000], got '0.99'");
  expect_error("detect:\n  margin: 1e999\n",
               "shop.yaml:2:11: detect.margin: expected a number in [1, "
               "1000], got '1e999'");
  expect_error("detect:\n  rate_margin: 0\n",
               "shop.yaml:2:16: detect.rate_margin: expected a number in [1, "
               "1000], got '0'");
  static const char *const odd_reals[] = {".inf", ".nan", "nan", "inf",
                                          "0x1p1", "2.", "1e", "1,5", "1.5.2"};
  for (size_t i = 0; i < sizeof odd_reals / sizeof odd_reals[0]; i++) {
    char text[64], msg[200];
    snprintf(text, sizeof text, "detect:\n  margin: %s\n", odd_reals[i]);
    snprintf(msg, sizeof msg,
             "shop.yaml:2:11: detect.margin: expected a number in [1, 1000], "
             "got '%s'",
             odd_reals[i]);
    if (strcmp(odd_reals[i], "2.") == 0) { /* "2." is a fine decimal */
      struct config c;
      expect_ok(text, &c);
      assert_true(c.detect.margin == 2.0);
      config_free(&c);
      continue;
    }
    expect_error(text, msg);
  }
  expect_error("detect:\n  scan: {window: 86401}\n",
               "shop.yaml:2:18: detect.scan.window: expected a whole number "
               "from 1 to 86400, got '86401'");
  expect_error("detect:\n  scan: {ports: 65536}\n",
               "shop.yaml:2:17: detect.scan.ports: expected a whole number "
               "from 1 to 65535, got '65536'");
  expect_error("detect:\n  scan: {hosts: 0}\n",
               "shop.yaml:2:17: detect.scan.hosts: expected a whole number "
               "from 1 to 100000000, got '0'");
}

#define MEMBER(x) "services:\n  web:\n    members:\n      - " x "\n"

static void test_ports(void **state) {
  (void)state;
  expect_error(MEMBER("{ip: 10.0.0.1, ports: [80, 0]}"),
               "shop.yaml:4:36: services.web.members[0].ports[1]: port '0' is "
               "outside 1-65535");
  expect_error(MEMBER("{ip: 10.0.0.1, ports: [65536]}"),
               "shop.yaml:4:32: services.web.members[0].ports[0]: port "
               "'65536' is outside 1-65535");
  expect_error(MEMBER("{ip: 10.0.0.1, ports: [\"0-80\"]}"),
               "shop.yaml:4:32: services.web.members[0].ports[0]: port "
               "'0-80' is outside 1-65535");
  expect_error(MEMBER("{ip: 10.0.0.1, ports: [\"8080-80\"]}"),
               "shop.yaml:4:32: services.web.members[0].ports[0]: port range "
               "'8080-80' has lo > hi");
  static const char *const bad[] = {"-80", "80-", "a-b", "80 - 90", "1-2-3",
                                    "080", "http", "''", "8e1", "99999999999"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[128], msg[256];
    snprintf(text, sizeof text, MEMBER("{ip: 10.0.0.1, ports: [%s]}"),
             bad[i]);
    const char *shown = strcmp(bad[i], "''") == 0 ? "" : bad[i];
    if (strcmp(bad[i], "99999999999") == 0)
      snprintf(msg, sizeof msg,
               "shop.yaml:4:32: services.web.members[0].ports[0]: port '%s' "
               "is outside 1-65535",
               shown);
    else
      snprintf(msg, sizeof msg,
               "shop.yaml:4:32: services.web.members[0].ports[0]: expected a "
               "port (1-65535) or a range 'lo-hi', got '%s'",
               shown);
    expect_error(text, msg);
  }
  expect_error(MEMBER("{ip: 10.0.0.1, ports: [[80]]}"),
               "shop.yaml:4:32: services.web.members[0].ports[0]: expected a "
               "port (1-65535) or a range 'lo-hi', got a list");
  expect_error(MEMBER("{ip: 10.0.0.1, ports: []}"),
               "shop.yaml:4:31: services.web.members[0].ports: empty list "
               "(leave the key out for any port)");
}

static void test_addresses(void **state) {
  (void)state;
  expect_error(MEMBER("cidr: 10.0.0.0/33"),
               "shop.yaml:4:15: services.web.members[0].cidr: prefix length "
               "in '10.0.0.0/33' is longer than 32");
  expect_error(MEMBER("cidr: fd00::/129"),
               "shop.yaml:4:15: services.web.members[0].cidr: prefix length "
               "in 'fd00::/129' is longer than 128");
  expect_error(MEMBER("cidr: 10.1.0.10/8"),
               "shop.yaml:4:15: services.web.members[0].cidr: '10.1.0.10/8' "
               "has host bits set (the network is 10.0.0.0/8)");
  expect_error(MEMBER("cidr: fd00::1/64"),
               "shop.yaml:4:15: services.web.members[0].cidr: 'fd00::1/64' "
               "has host bits set (the network is fd00::/64)");
  static const char *const bad_prefix[] = {"10.0.0.0/", "10.0.0.0/08",
                                           "10.0.0.0/x", "10.0.0.0/-1",
                                           "10.0.0.0/1000"};
  for (size_t i = 0; i < sizeof bad_prefix / sizeof bad_prefix[0]; i++) {
    char text[128], msg[256];
    snprintf(text, sizeof text, MEMBER("cidr: %s"), bad_prefix[i]);
    snprintf(msg, sizeof msg,
             "shop.yaml:4:15: services.web.members[0].cidr: bad prefix "
             "length in '%s'",
             bad_prefix[i]);
    expect_error(text, msg);
  }
  static const char *const bad_addr[] = {"10.0.0", "10.0.0.256", "web",
                                         "fd00::1%eth0", "::g", "10.0.0.1 "};
  for (size_t i = 0; i < sizeof bad_addr / sizeof bad_addr[0]; i++) {
    char text[128], msg[256];
    snprintf(text, sizeof text, MEMBER("cidr: '%s'"), bad_addr[i]);
    snprintf(msg, sizeof msg,
             "shop.yaml:4:15: services.web.members[0].cidr: expected an IP "
             "address or CIDR, got '%s'",
             bad_addr[i]);
    expect_error(text, msg);
  }
  expect_error(MEMBER("ip: 10.0.0.0/8"),
               "shop.yaml:4:13: services.web.members[0].ip: expected an IP "
               "address, got '10.0.0.0/8' (a prefix belongs under cidr or "
               "cidrs)");
  expect_error(MEMBER("ips: [10.0.0.1, 10.0.0.2/32]"),
               "shop.yaml:4:25: services.web.members[0].ips[1]: expected an "
               "IP address, got '10.0.0.2/32' (a prefix belongs under cidr or "
               "cidrs)");
  expect_error(MEMBER("cidrs: [10.0.0.0/8, 300.0.0.0/8]"),
               "shop.yaml:4:29: services.web.members[0].cidrs[1]: expected an "
               "IP address or CIDR, got '300.0.0.0/8'");
  expect_error(MEMBER("cidrs: []"),
               "shop.yaml:4:16: services.web.members[0].cidrs: empty list "
               "(leave the key out instead)");
  expect_error(MEMBER("ports: [80]\n        proto: tcp"),
               "shop.yaml:4:9: services.web.members[0]: a member needs an "
               "address (cidr, cidrs, ip or ips) or a process key (cgroup, "
               "container or exe)");
  expect_error(MEMBER("{}"), "shop.yaml:4:9: services.web.members[0]: a "
                             "member needs an address (cidr, cidrs, ip or "
                             "ips) or a process key (cgroup, container or exe)");
  expect_error("networks:\n  internal: []\n",
               "shop.yaml:2:13: networks.internal: empty list (leave the key "
               "out instead)");
  expect_error("networks:\n  internal: [10.0.0.0/8, 10.0.0.1/8]\n",
               "shop.yaml:2:26: networks.internal[1]: '10.0.0.1/8' has host "
               "bits set (the network is 10.0.0.0/8)");
  expect_error("networks:\n  external:\n    pay: []\n",
               "shop.yaml:3:10: networks.external.pay: empty list (leave the "
               "key out instead)");
  expect_error("networks:\n  external:\n    pay: [1.2.3.4/40]\n",
               "shop.yaml:3:11: networks.external.pay[0]: prefix length in "
               "'1.2.3.4/40' is longer than 32");
}

static void test_names(void **state) {
  (void)state;
  expect_error("services:\n  \"a b\": {}\n",
               "shop.yaml:2:3: services: name 'a b' has a character outside "
               "[A-Za-z0-9._-]");
  expect_error("services:\n  web/1: {}\n",
               "shop.yaml:2:3: services: name 'web/1' has a character outside "
               "[A-Za-z0-9._-]");
  expect_error("services:\n  \"w\\0b\": {}\n",
               "shop.yaml:2:3: services: name 'w\\x00b' has a character "
               "outside [A-Za-z0-9._-]");
  expect_error("services:\n  caf\xc3\xa9: {}\n",
               "shop.yaml:2:3: services: name 'caf\\xc3\\xa9' has a character "
               "outside [A-Za-z0-9._-]");
  expect_error("services:\n  \"\": {}\n",
               "shop.yaml:2:3: expected a name as key in services, got ''");
  expect_error("services:\n  [a]: {}\n",
               "shop.yaml:2:3: expected a name as key in services, got a "
               "list");
  char text[256], msg[512], name[EV_NAME_MAX + 1];
  memset(name, 'n', EV_NAME_MAX);
  name[EV_NAME_MAX] = '\0';
  snprintf(text, sizeof text, "services:\n  %s: {}\n", name);
  snprintf(msg, sizeof msg,
           "shop.yaml:2:3: services: name '%.60s...' is longer than 63 bytes",
           name);
  expect_error(text, msg);
  snprintf(text, sizeof text, "node: %s\n", name);
  snprintf(msg, sizeof msg,
           "shop.yaml:1:7: node: name '%.60s...' is longer than 63 bytes",
           name);
  expect_error(text, msg);
  expect_error("node: \"\"\n", "shop.yaml:1:7: node: a name cannot be empty");
  expect_error("node: lab 1\n", "shop.yaml:1:7: node: name 'lab 1' has a "
                                "character outside [A-Za-z0-9._-]");
  expect_error("networks:\n  external:\n    \"pay ments\": [1.2.3.4]\n",
               "shop.yaml:3:5: networks.external: name 'pay ments' has a "
               "character outside [A-Za-z0-9._-]");
  /* An external group may not take a service's name, in either order. */
  expect_error("networks:\n  external:\n    db: [1.2.3.4]\nservices:\n  db: "
               "{}\n",
               "shop.yaml:3:5: networks.external: group 'db' has the name of "
               "a service; pick another");
}

/* The first error reported is the first one in the file, within a section. */
static void test_error_order(void **state) {
  (void)state;
  expect_error("services:\n"
               "  a:\n"
               "    members:\n"
               "      - {ip: 1.2.3.4, ports: [1]}\n"
               "      - {ip: 1.2.3.5, ports: [0]}\n"
               "  b: {mode: bad}\n",
               "shop.yaml:5:31: services.a.members[1].ports[0]: port '0' is "
               "outside 1-65535");
  expect_error("detect:\n  margin: 0\n  quantile: 2\n",
               "shop.yaml:2:11: detect.margin: expected a number in [1, "
               "1000], got '0'");
}

/* ---- config_load ------------------------------------------------------- */

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
  assert_int_equal(fclose(f), 0);
}

static void test_load(void **state) {
  (void)state;
  char dir[] = "/tmp/habit-test-config-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[128], msg[512];
  struct config c;
  struct hb_error e;

  snprintf(path, sizeof path, "%s/shop.yaml", dir);
  write_file(path, full);
  assert_int_equal(config_load(path, &c, &e), 0);
  assert_string_equal(c.path, path);
  assert_string_equal(c.node, "lab1");
  assert_int_equal(c.n_services, 3);
  config_free(&c);

  write_file(path, "node: x\nmode: watch\n");
  assert_int_equal(config_load(path, &c, &e), -EINVAL);
  snprintf(msg, sizeof msg,
           "%s:2:7: mode: expected discover, monitor or protect, got 'watch'",
           path);
  assert_string_equal(e.msg, msg);
  assert_defaults(&c);

  write_file(path, "");
  assert_int_equal(config_load(path, &c, &e), 0);
  assert_string_equal(c.path, path);
  config_free(&c);

  assert_int_equal(unlink(path), 0);
  assert_int_equal(config_load(path, &c, &e), -ENOENT);
  snprintf(msg, sizeof msg, "%s: cannot read: %s", path, strerror(ENOENT));
  assert_string_equal(e.msg, msg);
  assert_defaults(&c);

  assert_int_equal(config_load(dir, &c, &e), -EISDIR);
  snprintf(msg, sizeof msg, "%s: cannot read: %s", dir, strerror(EISDIR));
  assert_string_equal(e.msg, msg);
  assert_defaults(&c);

  /* Larger than 16 MiB: refused before parsing. */
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  char block[4096];
  memset(block, '#', sizeof block);
  for (int i = 0; i < (16 << 20) / 4096 + 1; i++)
    assert_int_equal(fwrite(block, 1, sizeof block, f), sizeof block);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(config_load(path, &c, &e), -EFBIG);
  snprintf(msg, sizeof msg, "%s: cannot read: larger than 16 MiB", path);
  assert_string_equal(e.msg, msg);
  assert_defaults(&c);

  assert_int_equal(unlink(path), 0);
  assert_int_equal(rmdir(dir), 0);
}

/* A NULL error pointer is allowed; the code still comes back. */
/* detect.threats thresholds and detect.leaks user patterns. */
/* engine: its endpoints, alerts file and flush period; strict values. */
static void test_engine_section(void **state) {
  (void)state;
  struct config c;
  struct hb_error e;
  const char *ok = "engine:\n  listen: tcp://*:7070\n  publish: ipc:///run/habit/alerts\n"
                   "  alerts: /var/log/habit/alerts.json\n  flush: 2\n";
  assert_int_equal(parse(ok, &c, &e), 0);
  assert_string_equal(c.engine.listen, "tcp://*:7070");
  assert_string_equal(c.engine.publish, "ipc:///run/habit/alerts");
  assert_string_equal(c.engine.alerts, "/var/log/habit/alerts.json");
  assert_int_equal(c.engine.flush, 2);
  config_free(&c);
  assert_int_equal(parse("node: a\n", &c, &e), 0);
  assert_string_equal(c.engine.listen, "");
  assert_int_equal(c.engine.flush, 0);
  config_free(&c);
  expect_error("engine:\n  listen: localhost:7070\n",
               "shop.yaml:2:11: engine.listen: expected an endpoint: ipc://PATH or "
               "tcp://HOST:PORT (at most 255 bytes)");
  expect_error("engine:\n  flush: 0\n",
               "shop.yaml:2:10: engine.flush: expected a whole number from 1 to 3600, got '0'");
  expect_error("engine:\n  port: 7070\n",
               "shop.yaml:2:3: unknown key 'port' in engine (expected one of: alerts, "
               "enforcers, flush, listen, publish)");
}

/* enforce.reset: threat ids as a mask; a default set; [] for none. */
static void test_enforce_section(void **state) {
  (void)state;
  struct config c;
  struct hb_error e;
  assert_int_equal(parse("node: a\n", &c, &e), 0);
  assert_true(c.enforce.reset_threats & SIG_THREAT_BIT(SIG_HTTP_SQLI));
  assert_true(c.enforce.reset_threats & SIG_THREAT_BIT(SIG_HEARTBLEED));
  assert_false(c.enforce.reset_threats & SIG_THREAT_BIT(SIG_PORT_SCAN));
  config_free(&c);
  assert_int_equal(parse("enforce:\n  reset: [3001, 3063]\nengine:\n  enforcers: ipc:///x\n",
                         &c, &e), 0);
  assert_true(c.enforce.reset_threats == (SIG_THREAT_BIT(3001) | SIG_THREAT_BIT(3063)));
  assert_string_equal(c.engine.enforcers, "ipc:///x");
  config_free(&c);
  assert_int_equal(parse("enforce:\n  reset: []\n", &c, &e), 0);
  assert_true(c.enforce.reset_threats == 0);
  config_free(&c);
  expect_error("enforce:\n  reset: [3020, 1001]\n",
               "shop.yaml:2:17: enforce.reset[1]: expected a whole number from 3000 to 3063, "
               "got '1001'");
  expect_error("enforce:\n  reset: 3020\n",
               "shop.yaml:2:10: enforce.reset: expected a list, got '3020'");
  expect_error("enforce:\n  drop: []\n",
               "shop.yaml:2:3: unknown key 'drop' in enforce (expected one of: no_policy, "
               "queue_bypass, reset)");
  assert_int_equal(parse("enforce:\n  queue_bypass: true\n", &c, &e), 0);
  assert_true(c.enforce.queue_bypass);
  config_free(&c);
  expect_error("enforce:\n  queue_bypass: 1\n",
               "shop.yaml:2:17: enforce.queue_bypass: expected false or true, got '1'");
  assert_int_equal(parse("node: a\n", &c, &e), 0);
  assert_false(c.enforce.fail_closed);
  config_free(&c);
  assert_int_equal(parse("enforce:\n  no_policy: closed\n", &c, &e), 0);
  assert_true(c.enforce.fail_closed);
  config_free(&c);
  expect_error("enforce:\n  no_policy: shut\n",
               "shop.yaml:2:14: enforce.no_policy: expected open or closed, got 'shut'");
}

static void test_threats_and_leaks(void **state) {
  (void)state;
  struct config c;
  expect_ok("detect:\n"
            "  threats: {syn_flood: 50, tiny_mss: 0, dns_entropy: 4.25, dns_score: 7}\n"
            "  leaks:\n"
            "    - {name: employee-id, regex: 'EMP-[0-9]{6}'}\n"
            "    - name: internal-host\n"
            "      regex: \"corp\\\\.example\"\n",
            &c);
  assert_int_equal(c.detect.threats.syn_flood, 50);
  assert_int_equal(c.detect.threats.tiny_mss, 0);
  assert_true(c.detect.threats.dns_entropy == 4.25);
  assert_int_equal(c.detect.threats.dns_score, 7);
  assert_int_equal(c.detect.threats.icmp_flood, 500); /* untouched default */
  assert_int_equal(c.detect.n_leaks, 2);
  assert_string_equal(c.detect.leaks[0].name, "employee-id");
  assert_string_equal(c.detect.leaks[0].regex, "EMP-[0-9]{6}");
  assert_string_equal(c.detect.leaks[1].name, "internal-host");
  assert_string_equal(c.detect.leaks[1].regex, "corp\\.example");
  config_free(&c);
  expect_error("detect:\n  threats: {syn_floods: 5}\n",
               "shop.yaml:2:13: unknown key 'syn_floods' in detect.threats (expected one of: "
               "dns_entropy, dns_label, dns_name, dns_score, dns_window, flood_window, "
               "icmp_flood, leak_bytes, syn_flood, tiny_mss, udp_flood)");
  expect_error("detect:\n  leaks:\n    - {name: x}\n",
               "shop.yaml:3:7: detect.leaks[0]: a leak pattern needs a name and a regex");
  expect_error("detect:\n  leaks:\n    - {name: x, regex: '', y: 1}\n",
               "shop.yaml:3:24: detect.leaks[0].regex: expected a regular expression");
}

/* collect.file.watch: absolute paths, in order; strict like the rest. */
static void test_collect_file(void **state) {
  (void)state;
  struct config c;
  expect_ok("", &c);
  assert_null(c.collect.file.watch);
  assert_int_equal(c.collect.file.n_watch, 0);
  config_free(&c);
  expect_ok("collect:\n  file:\n    watch: [/etc/passwd, \"/srv/app data\", /]\n", &c);
  assert_int_equal(c.collect.file.n_watch, 3);
  assert_string_equal(c.collect.file.watch[0], "/etc/passwd");
  assert_string_equal(c.collect.file.watch[1], "/srv/app data");
  assert_string_equal(c.collect.file.watch[2], "/");
  config_free(&c);
  assert_null(c.collect.file.watch);
  expect_ok("collect:\n  file:\n", &c); /* nothing under it: the defaults */
  assert_null(c.collect.file.watch);
  config_free(&c);

  expect_error("collect:\n  files: {}\n",
               "shop.yaml:2:3: unknown key 'files' in collect (expected one of: file)");
  expect_error("collect:\n  file:\n    paths: [/etc]\n",
               "shop.yaml:3:5: unknown key 'paths' in collect.file (expected one of: watch)");
  expect_error("collect:\n  file:\n    watch: [/etc, etc/shadow]\n",
               "shop.yaml:3:19: collect.file.watch[1]: path 'etc/shadow' is not absolute");
  expect_error("collect:\n  file:\n    watch: [\"\"]\n",
               "shop.yaml:3:13: collect.file.watch[0]: path '' is not absolute");
  expect_error("collect:\n  file:\n    watch: []\n",
               "shop.yaml:3:12: collect.file.watch: empty list (leave the key out for the "
               "default paths)");
  expect_error("collect:\n  file:\n    watch: /etc\n",
               "shop.yaml:3:12: collect.file.watch: expected a list, got '/etc'");
  expect_error("collect:\n  file:\n    watch: [[/etc]]\n",
               "shop.yaml:3:13: collect.file.watch[0]: expected an absolute path, got a list");
  expect_error("collect:\n  file:\n    watch:\n      - \n",
               "shop.yaml:4:8: collect.file.watch[0]: expected an absolute path, got nothing");
  char text[1200] = "collect: {file: {watch: [/";
  size_t len = strlen(text);
  memset(text + len, 'a', 1023);
  strcpy(text + len + 1023, "]}}\n");
  expect_error(text, "shop.yaml:1:26: collect.file.watch[0]: a path of at most 1023 bytes, "
                     "without NUL");
  /* A failure after the list was built leaks nothing (ASan build). */
  expect_error("collect:\n  file:\n    watch: [/a, /b]\nnode: \"bad name\"\n",
               "shop.yaml:4:7: node: name 'bad name' has a character outside [A-Za-z0-9._-]");
}

static void test_null_error(void **state) {
  (void)state;
  struct config c;
  assert_int_equal(config_parse(NAME, "mode: x\n", 8, &c, NULL), -EINVAL);
  assert_defaults(&c);
  assert_int_equal(config_load("/nonexistent/habit.yaml", &c, NULL), -ENOENT);
  assert_defaults(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_full_file),
      cmocka_unit_test(test_partial_and_empty),
      cmocka_unit_test(test_bounds_accepted),
      cmocka_unit_test(test_many_services),
      cmocka_unit_test(test_syntax_errors),
      cmocka_unit_test(test_refused_yaml_features),
      cmocka_unit_test(test_unknown_keys),
      cmocka_unit_test(test_duplicate_keys),
      cmocka_unit_test(test_modes),
      cmocka_unit_test(test_wrong_types),
      cmocka_unit_test(test_numbers_out_of_range),
      cmocka_unit_test(test_ports),
      cmocka_unit_test(test_addresses),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_error_order),
      cmocka_unit_test(test_load),
      cmocka_unit_test(test_engine_section),
      cmocka_unit_test(test_enforce_section),
      cmocka_unit_test(test_threats_and_leaks),
      cmocka_unit_test(test_collect_file),
      cmocka_unit_test(test_null_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
