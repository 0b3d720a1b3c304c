/* tests/unit/test_threat_dns.c — detect/threat/dns_threat.h and the name
 * reader of collect/l7/dns_wire.h. Messages built byte by byte: owner names
 * whose compression pointers point at themselves or forward (loop), chains
 * of pointers past DNS_MAX_HOPS, names over 255 bytes (oversize), UDP
 * messages over 512 bytes without an additional record and over 4096 with
 * one, records past DNS_CHECK_RECORDS, fine queries and responses with
 * their first question, and payloads that are not DNS. Then the tunnel
 * score with the default thresholds: dnscat2-like names (34 hex characters
 * under a domain, TXT/MX) and iodine-like NULL queries reach it in a few
 * queries; ordinary names never do in thousands; registered domains
 * (example.com, foo.co.uk); windows restart; one alert per domain and
 * window; the domain table clearing past DNS_TUNNEL_MAX_DOMAINS. Messages
 * are checked from exact-size heap copies (ASan sees any read past cap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/l7/dns_wire.h"
#include "config/config.h"
#include "detect/threat/dns_threat.h"

#define S 1000000000ull
#define T0 (1700000040ull * S) /* a multiple of the 60-second window */

#define T_A 1
#define T_CNAME 5
#define T_NULL 10
#define T_MX 15
#define T_TXT 16
#define T_AAAA 28
#define T_SRV 33
#define T_OPT 41
#define QR 0x8000
#define RD 0x0100

struct msg {
  uint8_t b[8192];
  size_t n;
};

static void u8(struct msg *m, unsigned v) {
  assert_true(m->n < sizeof m->b);
  m->b[m->n++] = (uint8_t)v;
}
static void u16(struct msg *m, unsigned v) {
  u8(m, (v >> 8) & 0xff);
  u8(m, v & 0xff);
}
static void u32(struct msg *m, uint32_t v) {
  u16(m, v >> 16);
  u16(m, v & 0xffff);
}

static void header(struct msg *m, unsigned flags, unsigned qd, unsigned an, unsigned ns,
                   unsigned ar) {
  m->n = 0;
  u16(m, 0x1234);
  u16(m, flags);
  u16(m, qd);
  u16(m, an);
  u16(m, ns);
  u16(m, ar);
}

/* Labels of a dotted name, then the root (or nothing when open, for a
 * pointer to follow). */
static void labels(struct msg *m, const char *dotted, int open) {
  while (*dotted) {
    const char *dot = strchr(dotted, '.');
    size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);
    u8(m, (unsigned)n);
    for (size_t i = 0; i < n; i++)
      u8(m, (uint8_t)dotted[i]);
    dotted += n + (dot ? 1 : 0);
  }
  if (!open)
    u8(m, 0);
}

static void pointer(struct msg *m, size_t off) { u16(m, 0xc000u | (unsigned)off); }

static void question(struct msg *m, const char *name, unsigned type) {
  labels(m, name, 0);
  u16(m, type);
  u16(m, 1);
}

/* The rest of a record after its owner name: an A record. */
static void a_rest(struct msg *m) {
  u16(m, T_A);
  u16(m, 1);
  u32(m, 300);
  u16(m, 4);
  u32(m, 0x0a000001);
}

/* An OPT record for EDNS (owner: the root). */
static void opt(struct msg *m) {
  u8(m, 0);
  u16(m, T_OPT);
  u16(m, 4096);
  u32(m, 0);
  u16(m, 0);
}

static struct dns_question q;
static const char *why;

/* dns_message_check on the first cap bytes of m (a message of len). */
static enum dns_msg_verdict check_cl(const struct msg *m, size_t cap, size_t len, int udp) {
  uint8_t *copy = malloc(cap ? cap : 1);
  assert_non_null(copy);
  memcpy(copy, m->b, cap);
  enum dns_msg_verdict v = dns_message_check(copy, cap, len, udp, &q, &why);
  free(copy);
  if (v == DNS_MSG_FINE || v == DNS_MSG_NOT_DNS)
    assert_null(why);
  else
    assert_non_null(why);
  return v;
}

static enum dns_msg_verdict check(const struct msg *m, int udp) {
  return check_cl(m, m->n, m->n, udp);
}

/* --- messages ----------------------------------------------------------- */

static void test_fine_messages(void **state) {
  (void)state;
  struct msg m;
  header(&m, RD, 1, 0, 0, 0);
  question(&m, "www.example.com", T_AAAA);
  assert_int_equal(check(&m, 1), DNS_MSG_FINE);
  assert_string_equal(q.name, "www.example.com");
  assert_int_equal(q.qtype, T_AAAA);
  assert_int_equal(q.is_query, 1);
  /* The response: answers whose owner points back at the question. */
  header(&m, QR | RD | 0x80, 1, 2, 0, 1);
  question(&m, "www.example.com", T_A);
  pointer(&m, 12);
  a_rest(&m);
  labels(&m, "cdn", 1);
  pointer(&m, 12 + 4); /* cdn.example.com */
  a_rest(&m);
  opt(&m);
  assert_int_equal(check(&m, 1), DNS_MSG_FINE);
  assert_string_equal(q.name, "www.example.com");
  assert_int_equal(q.qtype, T_A);
  assert_int_equal(q.is_query, 0);
  /* Over TCP the same; and cut anywhere after the header, still fine. */
  assert_int_equal(check(&m, 0), DNS_MSG_FINE);
  for (size_t cap = 12; cap < m.n; cap++)
    assert_int_equal(check_cl(&m, cap, m.n, 1), DNS_MSG_FINE);
}

static void test_loop_self(void **state) {
  (void)state;
  struct msg m;
  header(&m, QR | RD | 0x80, 1, 1, 0, 0);
  question(&m, "example.com", T_A);
  size_t here = m.n;
  pointer(&m, here); /* the answer's owner is itself */
  a_rest(&m);
  assert_int_equal(check(&m, 1), DNS_MSG_LOOP);
  assert_non_null(strstr(why, "loop"));
  assert_string_equal(q.name, "example.com");
  /* A label, then a pointer back to that label: the name repeats forever. */
  header(&m, QR | RD | 0x80, 1, 1, 0, 0);
  question(&m, "example.com", T_A);
  here = m.n;
  labels(&m, "a", 1);
  pointer(&m, here);
  a_rest(&m);
  assert_int_equal(check(&m, 1), DNS_MSG_LOOP);
  assert_int_equal(check(&m, 0), DNS_MSG_LOOP);
}

static void test_loop_forward(void **state) {
  (void)state;
  struct msg m;
  header(&m, QR | RD | 0x80, 1, 2, 0, 0);
  question(&m, "example.com", T_A);
  /* The first answer's owner points at the second answer's. */
  size_t first = m.n;
  pointer(&m, first + 16);
  a_rest(&m);
  assert_int_equal(m.n, first + 16);
  labels(&m, "www.example.com", 0);
  a_rest(&m);
  assert_int_equal(check(&m, 1), DNS_MSG_LOOP);
  /* Two names pointing at each other. */
  header(&m, QR | RD | 0x80, 1, 2, 0, 0);
  question(&m, "example.com", T_A);
  first = m.n;
  pointer(&m, first + 16);
  a_rest(&m);
  pointer(&m, first);
  a_rest(&m);
  assert_int_equal(check(&m, 1), DNS_MSG_LOOP);
  /* A forward pointer in the question too. */
  header(&m, RD, 1, 0, 0, 0);
  pointer(&m, 14);
  u16(&m, T_A);
  u16(&m, 1);
  assert_int_equal(check(&m, 1), DNS_MSG_LOOP);
}

static void test_records_checked(void **state) {
  (void)state;
  /* A loop in the last record checked is found; one past it is not. */
  for (unsigned k = DNS_CHECK_RECORDS - 1; k <= DNS_CHECK_RECORDS; k++) {
    struct msg m;
    header(&m, QR | RD | 0x80, 1, (unsigned)k, 0, 0);
    question(&m, "example.com", T_A);
    for (unsigned i = 1; i < k; i++) {
      pointer(&m, 12);
      a_rest(&m);
    }
    pointer(&m, m.n);
    a_rest(&m);
    /* Over TCP: 1 + 31 records make more than 512 bytes. */
    assert_int_equal(check(&m, 0), k < DNS_CHECK_RECORDS ? DNS_MSG_LOOP : DNS_MSG_FINE);
  }
  /* Records in the authority and additional sections count as well. */
  struct msg m;
  header(&m, QR | RD | 0x80, 1, 0, 1, 1);
  question(&m, "example.com", T_A);
  pointer(&m, 12);
  a_rest(&m);
  pointer(&m, m.n);
  a_rest(&m);
  assert_int_equal(check(&m, 1), DNS_MSG_LOOP);
}

static void test_pointer_hops(void **state) {
  (void)state;
  /* A chain of backward pointers: DNS_MAX_HOPS is fine, one more a loop. */
  for (unsigned hops = DNS_MAX_HOPS; hops <= DNS_MAX_HOPS + 1; hops++) {
    struct msg m;
    header(&m, RD, 1, 0, 0, 0);
    size_t prev = m.n;
    labels(&m, "example.com", 0);
    for (unsigned i = 0; i < hops; i++) {
      size_t at = m.n;
      pointer(&m, prev);
      prev = at;
    }
    char out[256];
    size_t next = 0;
    int r = dns_read_name(m.b, m.n, prev, out, &next);
    if (hops <= DNS_MAX_HOPS) {
      assert_int_equal(r, DNS_OK);
      assert_string_equal(out, "example.com");
      assert_int_equal(next, prev + 2);
    } else {
      assert_int_equal(r, DNS_LOOP);
    }
  }
}

static void test_read_name(void **state) {
  (void)state;
  struct msg m;
  header(&m, RD, 1, 0, 0, 0);
  labels(&m, "", 0); /* the root */
  char out[256];
  size_t next = 0;
  assert_int_equal(dns_read_name(m.b, m.n, 12, out, &next), DNS_OK);
  assert_string_equal(out, ".");
  assert_int_equal(next, 13);
  /* A pointer into the header is impossible, not a loop. */
  header(&m, RD, 1, 0, 0, 0);
  pointer(&m, 4);
  assert_int_equal(dns_read_name(m.b, m.n, 12, out, &next), DNS_BAD);
  /* Cut inside a label or a pointer. */
  header(&m, RD, 1, 0, 0, 0);
  labels(&m, "example.com", 0);
  for (size_t cut = 12; cut < m.n; cut++)
    assert_int_equal(dns_read_name(m.b, cut, 12, NULL, &next), DNS_CUT);
  header(&m, RD, 1, 0, 0, 0);
  labels(&m, "x", 0);
  pointer(&m, 12);
  assert_int_equal(dns_read_name(m.b, m.n - 1, 15, NULL, &next), DNS_CUT);
}

static void test_name_over_255(void **state) {
  (void)state;
  char name[400];
  /* 4 labels of 63 = 256 wire bytes with the root: one too many. */
  size_t o = 0;
  for (int l = 0; l < 4; l++) {
    memset(name + o, 'a' + l, 63);
    o += 63;
    name[o++] = '.';
  }
  name[o - 1] = '\0';
  struct msg m;
  header(&m, RD, 1, 0, 0, 0);
  question(&m, name, T_A);
  assert_int_equal(check(&m, 1), DNS_MSG_OVERSIZE);
  assert_non_null(strstr(why, "255"));
  /* Two bytes shorter: 255 wire bytes, the most a name may be. */
  name[o - 3] = '\0';
  header(&m, RD, 1, 0, 0, 0);
  question(&m, name, T_A);
  assert_int_equal(check(&m, 1), DNS_MSG_FINE);
  assert_int_equal(strlen(q.name), 253);
  /* Over 255 through a pointer: 200 bytes of labels, then a pointer to the
   * 100-byte question name. */
  header(&m, QR | RD | 0x80, 1, 1, 0, 0);
  question(&m, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
               "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", T_A);
  for (int l = 0; l < 4; l++) {
    u8(&m, 49);
    for (int i = 0; i < 49; i++)
      u8(&m, 'c');
  }
  pointer(&m, 12);
  a_rest(&m);
  assert_int_equal(check(&m, 1), DNS_MSG_OVERSIZE);
}

/* A UDP response of about `size` bytes: A records after one question,
 * with an OPT record when edns. */
static void big_response(struct msg *m, size_t size, int edns) {
  unsigned an = (unsigned)((size - 12 - 17 - (edns ? 11 : 0)) / 16);
  header(m, QR | RD | 0x80, 1, an, 0, edns ? 1 : 0);
  question(m, "example.com", T_A);
  for (unsigned i = 0; i < an; i++) {
    pointer(m, 12);
    a_rest(m);
  }
  if (edns)
    opt(m);
}

static void test_udp_sizes(void **state) {
  (void)state;
  struct msg m;
  /* 509 bytes: fine with or without EDNS. */
  big_response(&m, 512, 0);
  assert_true(m.n <= 512);
  assert_int_equal(check(&m, 1), DNS_MSG_FINE);
  /* Over 512 without an additional record: oversize over UDP, fine over
   * TCP, fine with EDNS. */
  big_response(&m, 600, 0);
  assert_true(m.n > 512);
  assert_int_equal(check(&m, 1), DNS_MSG_OVERSIZE);
  assert_non_null(strstr(why, "512"));
  assert_int_equal(check(&m, 0), DNS_MSG_FINE);
  big_response(&m, 600, 1);
  assert_int_equal(check(&m, 1), DNS_MSG_FINE);
  /* Judged by the length the transport declared, even when cut. */
  big_response(&m, 600, 0);
  assert_int_equal(check_cl(&m, 100, m.n, 1), DNS_MSG_OVERSIZE);
  /* Exactly 512 and 513 bytes declared. */
  big_response(&m, 512, 0);
  assert_int_equal(check_cl(&m, m.n, 512, 1), DNS_MSG_FINE);
  assert_int_equal(check_cl(&m, m.n, 513, 1), DNS_MSG_OVERSIZE);
  /* Over 4096 even with EDNS: oversize over UDP, fine over TCP. */
  big_response(&m, 5000, 1);
  assert_true(m.n > 4096);
  assert_int_equal(check(&m, 1), DNS_MSG_OVERSIZE);
  assert_non_null(strstr(why, "4096"));
  assert_int_equal(check(&m, 0), DNS_MSG_FINE);
  big_response(&m, 4096, 1);
  assert_true(m.n <= 4096);
  assert_int_equal(check(&m, 1), DNS_MSG_FINE);
}

static void test_not_dns(void **state) {
  (void)state;
  struct msg m;
  const char *texts[] = {"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
                         "SSH-2.0-OpenSSH_9.6\r\n",
                         "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 random bytes here"};
  for (size_t i = 0; i < 3; i++) {
    m.n = strlen(texts[i]);
    memcpy(m.b, texts[i], m.n);
    assert_int_equal(check(&m, 1), DNS_MSG_NOT_DNS);
    assert_int_equal(check(&m, 0), DNS_MSG_NOT_DNS);
  }
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (int round = 0; round < 200; round++) {
    m.n = 12 + (size_t)round * 7;
    for (size_t i = 0; i < m.n; i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      m.b[i] = (uint8_t)x;
    }
    m.b[4] = 0xff; /* 65,000 questions: never plausible */
    assert_int_equal(check(&m, 1), DNS_MSG_NOT_DNS);
  }
  /* Shorter than a header, by capture or by declared length. */
  header(&m, RD, 1, 0, 0, 0);
  question(&m, "example.com", T_A);
  for (size_t n = 0; n < 12; n++) {
    assert_int_equal(check_cl(&m, n, m.n, 1), DNS_MSG_NOT_DNS);
    assert_int_equal(check_cl(&m, m.n, n, 1), DNS_MSG_NOT_DNS);
  }
  /* A query with no question. */
  header(&m, RD, 0, 0, 0, 0);
  assert_int_equal(check(&m, 1), DNS_MSG_NOT_DNS);
}

/* --- tunnel score -------------------------------------------------------- */

static struct config cfg;
static struct dns_tunnel_tracker tr;
static struct dns_tunnel_sign sign;

static int setup(void **state) {
  (void)state;
  config_defaults(&cfg);
  dns_tunnel_init(&tr, &cfg.detect.threats);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  dns_tunnel_free(&tr);
  config_free(&cfg);
  return 0;
}

static uint64_t observe(const char *name, unsigned type, uint64_t ts) {
  struct dns_question dq;
  memset(&dq, 0, sizeof dq);
  snprintf(dq.name, sizeof dq.name, "%s", name);
  dq.qtype = (uint16_t)type;
  dq.is_query = 1;
  memset(&sign, 0, sizeof sign);
  return dns_tunnel_observe(&tr, &dq, ts, &sign);
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static unsigned next_rand(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (unsigned)(rng >> 32);
}

/* dnscat2's shape: 34 hex characters of data as the first label. */
static void dnscat(char *out, size_t cap, const char *domain) {
  char hex[35];
  for (int i = 0; i < 34; i++)
    hex[i] = "0123456789abcdef"[next_rand() & 15];
  hex[34] = '\0';
  snprintf(out, cap, "%s.%s", hex, domain);
}

/* iodine's shape: base32 data in labels of up to 63, under t1.<domain>. */
static void iodine(char *out, size_t cap, const char *domain) {
  char data[130];
  size_t o = 0;
  for (int l = 0; l < 2; l++) {
    for (int i = 0; i < 60; i++)
      data[o++] = "abcdefghijklmnopqrstuvwxyz012345"[next_rand() & 31];
    data[o++] = '.';
  }
  data[o - 1] = '\0';
  snprintf(out, cap, "%s.t1.%s", data, domain);
}

/* Queries until the score is reached; how many it took (0: never). */
static unsigned until_alert(void (*make)(char *, size_t, const char *), const char *domain,
                            unsigned type, unsigned max, uint64_t ts) {
  char name[256];
  for (unsigned i = 1; i <= max; i++) {
    make(name, sizeof name, domain);
    if (observe(name, type, ts + i))
      return i;
  }
  return 0;
}

static void test_dnscat2(void **state) {
  (void)state;
  char name[256];
  dnscat(name, sizeof name, "evil.com");
  uint64_t score = 0;
  unsigned n = 0;
  while (!score && n < 50) {
    dnscat(name, sizeof name, "evil.com");
    score = observe(name, n & 1 ? T_MX : T_TXT, T0 + n);
    n++;
  }
  assert_true(n >= 2 && n <= 8);
  assert_true(score >= cfg.detect.threats.dns_score);
  assert_string_equal(sign.domain, "evil.com");
  assert_int_equal(sign.longest_label, 34);
  /* Under CNAME queries and a deeper subdomain as well. */
  assert_true(until_alert(dnscat, "dnscat.example.org", T_CNAME, 10, T0) > 0);
  assert_string_equal(sign.domain, "example.org");
}

static void test_iodine(void **state) {
  (void)state;
  unsigned n = until_alert(iodine, "tunnel.example.net", T_NULL, 10, T0);
  assert_true(n >= 2 && n <= 4);
  assert_string_equal(sign.domain, "example.net");
  assert_int_equal(sign.longest_label, 60);
  assert_true(sign.entropy >= cfg.detect.threats.dns_entropy);
  /* The same names as A queries take longer but get there. */
  assert_true(until_alert(iodine, "other.example", T_A, 10, T0) > n);
}

static void test_ordinary_names(void **state) {
  (void)state;
  struct {
    const char *name;
    unsigned type;
  } ordinary[] = {
      {"www.example.com", T_A},
      {"www.example.com", T_AAAA},
      {"example.com", T_MX},
      {"e12345.dscb.akamaiedge.net", T_A},
      {"www.example.com.edgekey.net", T_CNAME},
      {"_dmarc.example.com", T_TXT},
      {"default._domainkey.example.com", T_TXT},
      {"_ldap._tcp.dc._msdcs.corp.example.com", T_SRV},
      {"_sip._tls.example.com", T_SRV},
      {"1.113.0.203.in-addr.arpa", 12},
      {"b.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa", 12},
      {"www.bbc.co.uk", T_A},
      {"mail.google.com", T_A},
      {"d1a2b3c4d5e6f7.cloudfront.net", T_A},
      {"r4---sn-4g5e6nzl.googlevideo.com", T_A},
      {"safebrowsing.googleapis.com", T_A},
      {"login.microsoftonline.com", T_A},
      {"connectivity-check.ubuntu.com", T_A},
      {"time.windows.com", T_A},
      {"a1234.g.akamai.net", T_A},
  };
  size_t n = sizeof ordinary / sizeof ordinary[0];
  /* Thousands of queries within one window, and over several. */
  for (unsigned i = 0; i < 20000; i++) {
    size_t k = i % n;
    uint64_t ts = T0 + (uint64_t)(i / 5000) * 60 * S + i;
    if (observe(ordinary[k].name, ordinary[k].type, ts))
      fail_msg("an ordinary name reached the tunnel score: %s", ordinary[k].name);
  }
  assert_int_equal(tr.domains.n, 0); /* nothing even counted */
}

static void test_registered_domain(void **state) {
  (void)state;
  struct {
    const char *domain, *registered;
  } cases[] = {
      {"example.com", "example.com"},
      {"a.b.example.com", "example.com"},
      {"foo.co.uk", "foo.co.uk"},
      {"www.foo.co.uk", "foo.co.uk"},
      {"x.foo.com.au", "foo.com.au"},
      {"example.de", "example.de"},
      {"x.y.example.io", "example.io"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    assert_true(until_alert(dnscat, cases[i].domain, T_TXT, 10, T0 + i * 60 * S) > 0);
    assert_string_equal(sign.domain, cases[i].registered);
  }
  /* Subdomains of one registered domain add up; other domains do not. */
  dns_tunnel_free(&tr);
  dns_tunnel_init(&tr, &cfg.detect.threats);
  char name[256];
  const char *subs[] = {"a.example.com", "b.example.com", "example.com"};
  uint64_t fired = 0;
  unsigned i = 0;
  for (; i < 30; i++) {
    dnscat(name, sizeof name, subs[i % 3]);
    fired = observe(name, T_TXT, T0 + i);
    if (fired)
      break;
    /* The same shape under other domains, as often: never counted with it. */
    dnscat(name, sizeof name, i % 2 ? "example.net" : "sample.com");
    observe(name, T_A, T0 + i);
  }
  assert_true(fired);
  assert_string_equal(sign.domain, "example.com");
  assert_true(i >= 3); /* it took queries under all three names */
}

/* One dnscat2 query's score with the default thresholds: 2 for the hex
 * run, 2 if its entropy is high, 1 for TXT. Make it deterministic by
 * fixing the name. */
static const char *FIXED = "0123456789abcdef0123456789abcdef01.evil.com";

static void test_windows(void **state) {
  (void)state;
  uint32_t goal = cfg.detect.threats.dns_score;
  uint64_t w = (uint64_t)cfg.detect.threats.dns_window * S;
  /* Per query: goal reached at query k; k-1 queries score less. */
  unsigned k = 0;
  uint64_t got = 0;
  while (!got)
    got = observe(FIXED, T_TXT, T0 + ++k);
  assert_true(k >= 2);
  assert_true(got >= goal);
  uint64_t per = got / k;
  assert_int_equal(per * k, got);
  assert_true(per * (k - 1) < goal);
  /* One alert per window: more queries in it are quiet. */
  for (unsigned i = 0; i < 100; i++)
    assert_int_equal(observe(FIXED, T_TXT, T0 + 1000 + i), 0);
  /* The next window starts from zero and alerts again at query k. */
  for (unsigned i = 1; i < k; i++)
    assert_int_equal(observe(FIXED, T_TXT, T0 + w + i), 0);
  assert_int_equal(observe(FIXED, T_TXT, T0 + w + k), got);
  /* k - 1 queries at the end of a window and 1 at the start of the next:
   * no alert. */
  for (unsigned i = 1; i < k; i++)
    assert_int_equal(observe(FIXED, T_TXT, T0 + 3 * w - i), 0);
  assert_int_equal(observe(FIXED, T_TXT, T0 + 3 * w), 0);
  /* Responses do not count. */
  struct dns_question resp;
  memset(&resp, 0, sizeof resp);
  snprintf(resp.name, sizeof resp.name, "%s", FIXED);
  resp.qtype = T_TXT;
  for (unsigned i = 0; i < 100; i++)
    assert_int_equal(dns_tunnel_observe(&tr, &resp, T0 + 5 * w + i, &sign), 0);
  /* An empty question neither. */
  memset(&resp, 0, sizeof resp);
  resp.is_query = 1;
  assert_int_equal(dns_tunnel_observe(&tr, &resp, T0, &sign), 0);
}

static void test_table_clearing(void **state) {
  (void)state;
  /* A domain k-1 queries from its alert, then DNS_TUNNEL_MAX_DOMAINS
   * others: the table clears, the count restarts, nothing breaks. */
  unsigned k = 0;
  while (!observe(FIXED, T_TXT, T0 + ++k))
    ;
  dns_tunnel_free(&tr);
  dns_tunnel_init(&tr, &cfg.detect.threats);
  for (unsigned i = 1; i < k; i++)
    assert_int_equal(observe(FIXED, T_TXT, T0 + i), 0);
  char name[256];
  for (uint32_t i = 0; tr.domains.n < DNS_TUNNEL_MAX_DOMAINS; i++) {
    snprintf(name, sizeof name, "%s.d%u.com", "0123456789abcdef0123456789abcdef01", i);
    assert_int_equal(observe(name, T_A, T0 + 100), 0);
  }
  assert_int_equal(observe(FIXED, T_TXT, T0 + 200), 0);
  assert_int_equal(tr.domains.n, 1);
  for (unsigned i = 1; i < k - 1; i++)
    assert_int_equal(observe(FIXED, T_TXT, T0 + 300 + i), 0);
  assert_true(observe(FIXED, T_TXT, T0 + 400) > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fine_messages),
      cmocka_unit_test(test_loop_self),
      cmocka_unit_test(test_loop_forward),
      cmocka_unit_test(test_records_checked),
      cmocka_unit_test(test_pointer_hops),
      cmocka_unit_test(test_read_name),
      cmocka_unit_test(test_name_over_255),
      cmocka_unit_test(test_udp_sizes),
      cmocka_unit_test(test_not_dns),
      cmocka_unit_test_setup_teardown(test_dnscat2, setup, teardown),
      cmocka_unit_test_setup_teardown(test_iodine, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ordinary_names, setup, teardown),
      cmocka_unit_test_setup_teardown(test_registered_domain, setup, teardown),
      cmocka_unit_test_setup_teardown(test_windows, setup, teardown),
      cmocka_unit_test_setup_teardown(test_table_clearing, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
