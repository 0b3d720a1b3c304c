/* tests/unit/test_l7_ldap.c — the LDAP probe: LDAPMessages built from RFC
 * 4511's ASN.1 with a small BER writer (bind, search, unbind, modify, add,
 * delete, extended; their responses), Active Directory's 4-byte lengths,
 * CLDAP over UDP, facts, malformed encodings, cut messages, junk, and the
 * other protocols' openings. Payloads are copied into exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l7_probe_test.h"

/* A BER element: tag, definite length (short or long form), value. */
struct ber {
  uint8_t b[1024];
  size_t n;
};

static void ber_raw(struct ber *o, const void *p, size_t n) {
  memcpy(o->b + o->n, p, n);
  o->n += n;
}

static void ber_tlv(struct ber *o, unsigned tag, const void *val, size_t n) {
  o->b[o->n++] = (uint8_t)tag;
  if (n < 128) {
    o->b[o->n++] = (uint8_t)n;
  } else {
    o->b[o->n++] = 0x82;
    o->b[o->n++] = (uint8_t)(n >> 8);
    o->b[o->n++] = (uint8_t)n;
  }
  ber_raw(o, val, n);
}

static void ber_str(struct ber *o, unsigned tag, const char *s) {
  ber_tlv(o, tag, s, strlen(s));
}

static void ber_int(struct ber *o, unsigned tag, unsigned v) {
  uint8_t b = (uint8_t)v;
  ber_tlv(o, tag, &b, 1);
}

/* LDAPMessage { id, op } with the op's body already encoded. */
static void message(struct ber *out, unsigned id, unsigned op, const struct ber *body) {
  struct ber inner = {.n = 0};
  ber_int(&inner, 0x02, id);
  ber_tlv(&inner, op, body->b, body->n);
  out->n = 0;
  ber_tlv(out, 0x30, inner.b, inner.n);
}

static void bind_request(struct ber *out, const char *dn, const char *pw) {
  struct ber body = {.n = 0};
  ber_int(&body, 0x02, 3);
  ber_str(&body, 0x04, dn);
  ber_str(&body, 0x80, pw);
  message(out, 1, 0x60, &body);
}

static void result(struct ber *out, unsigned id, unsigned op, unsigned code) {
  struct ber body = {.n = 0};
  ber_int(&body, 0x0a, code);
  ber_str(&body, 0x04, "");
  ber_str(&body, 0x04, "");
  message(out, id, op, &body);
}

static void search_request(struct ber *out, unsigned id, const char *base,
                           unsigned scope) {
  struct ber body = {.n = 0};
  ber_str(&body, 0x04, base);
  ber_int(&body, 0x0a, scope);
  ber_int(&body, 0x0a, 0);
  ber_int(&body, 0x02, 0);
  ber_int(&body, 0x02, 0);
  ber_int(&body, 0x01, 0);
  ber_str(&body, 0x87, "objectClass"); /* filter: present */
  ber_tlv(&body, 0x30, "", 0);         /* attributes */
  message(out, id, 0x63, &body);
}

static int feed_b(struct run *r, const struct ber *m, size_t n, uint8_t dir,
                  uint8_t proto) {
  return feed_fn(l7_probe_ldap, r, m->b, n, dir, proto, 389);
}

static void test_bind(void **state) {
  (void)state;
  struct ber req, resp;
  bind_request(&req, "cn=admin,dc=example,dc=com", "secret");
  result(&resp, 1, 0x61, 0);
  struct run r = {0};
  assert_int_equal(feed_b(&r, &req, req.n, 0, TCP), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.verb, "bindRequest");
  assert_string_equal(r.f.u.gen.object, "cn=admin,dc=example,dc=com");
  assert_string_equal(r.f.u.gen.user, "cn=admin,dc=example,dc=com");
  assert_int_equal(feed_b(&r, &resp, resp.n, 1, TCP), L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.verb, "bindRequest");
}

static void test_search_and_results(void **state) {
  (void)state;
  struct ber req, entry, done;
  search_request(&req, 2, "dc=example,dc=com", 2);
  struct ber body = {.n = 0};
  ber_str(&body, 0x04, "uid=jdoe,ou=people,dc=example,dc=com");
  ber_tlv(&body, 0x30, "", 0);
  message(&entry, 2, 0x64, &body);
  result(&done, 2, 0x65, 0);
  /* The response first (capture started late), then the request. */
  struct run r = {0};
  assert_int_equal(feed_b(&r, &entry, entry.n, 1, TCP), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "searchResEntry");
  assert_string_equal(r.f.u.gen.object, "");
  assert_int_equal(feed_b(&r, &req, req.n, 0, TCP), L7_DONE);
  assert_string_equal(r.f.u.gen.object, "dc=example,dc=com");
  assert_string_equal(r.f.u.gen.user, "");
  /* Entry and done in one segment. */
  struct ber both = {.n = 0};
  ber_raw(&both, entry.b, entry.n);
  ber_raw(&both, done.b, done.n);
  struct run r2 = {0};
  assert_int_equal(feed_b(&r2, &both, both.n, 1, TCP), L7_MATCH);
  /* CLDAP: a search over UDP (Active Directory's "LDAP ping"). */
  struct run r3 = {0};
  assert_int_equal(feed_b(&r3, &req, req.n, 0, UDP), L7_MATCH);
  assert_int_equal(feed_b(&r3, &entry, entry.n, 1, UDP), L7_DONE);
}

static void test_other_operations(void **state) {
  (void)state;
  struct ber m, body;
  /* unbindRequest: NULL. */
  body.n = 0;
  message(&m, 5, 0x42, &body);
  struct run r = {0};
  assert_int_equal(feed_b(&r, &m, m.n, 0, TCP), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "unbindRequest");
  /* delRequest: the DN itself. */
  body.n = 0;
  ber_raw(&body, "cn=old,dc=example,dc=com", 24);
  message(&m, 6, 0x4a, &body);
  struct run r2 = {0};
  assert_int_equal(feed_b(&r2, &m, m.n, 0, TCP), L7_MATCH);
  assert_string_equal(r2.f.u.gen.object, "cn=old,dc=example,dc=com");
  /* modifyRequest, addRequest: DN and a SEQUENCE. */
  body.n = 0;
  ber_str(&body, 0x04, "cn=x,dc=example,dc=com");
  ber_tlv(&body, 0x30, "", 0);
  message(&m, 7, 0x66, &body);
  struct run r3 = {0};
  assert_int_equal(feed_b(&r3, &m, m.n, 0, TCP), L7_MATCH);
  assert_string_equal(r3.f.u.gen.verb, "modifyRequest");
  message(&m, 8, 0x68, &body);
  struct run r4 = {0};
  assert_int_equal(feed_b(&r4, &m, m.n, 0, TCP), L7_MATCH);
  assert_string_equal(r4.f.u.gen.verb, "addRequest");
  /* extendedReq: StartTLS (RFC 4511 §4.14.1). */
  body.n = 0;
  ber_str(&body, 0x80, "1.3.6.1.4.1.1466.20037");
  message(&m, 1, 0x77, &body);
  struct run r5 = {0};
  assert_int_equal(feed_b(&r5, &m, m.n, 0, TCP), L7_MATCH);
  assert_string_equal(r5.f.u.gen.verb, "extendedReq");
  /* A SASL bind (GSS-SPNEGO) names no user. */
  body.n = 0;
  struct ber sasl = {.n = 0};
  ber_str(&sasl, 0x04, "GSS-SPNEGO");
  ber_int(&body, 0x02, 3);
  ber_str(&body, 0x04, "");
  ber_tlv(&body, 0xa3, sasl.b, sasl.n);
  message(&m, 9, 0x60, &body);
  struct run r6 = {0};
  assert_int_equal(feed_b(&r6, &m, m.n, 0, TCP), L7_MATCH);
  assert_string_equal(r6.f.u.gen.user, "");
}

static void test_active_directory_lengths(void **state) {
  (void)state;
  /* A bindResponse as Windows sends it: 4-byte lengths, serverSaslCreds
   * (the start of one in ndpi's kerberos.pcap, cut after 40 bytes). */
  static const uint8_t ad[] = {
      0x30, 0x84, 0x00, 0x00, 0x00, 0xcc, 0x02, 0x01, 0x03, 0x61, 0x84, 0x00,
      0x00, 0x00, 0xc3, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00, 0x87, 0x82,
      0x00, 0xb8, 0xa1, 0x81, 0xb5, 0x30, 0x81, 0xb2, 0xa0, 0x03, 0x0a, 0x01,
      0x00, 0xa1, 0x0b, 0x06};
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_ldap, &r, ad, sizeof ad, 1, TCP, 389), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "bindResponse");
  assert_int_equal(r.conf, 90);
}

static void test_malformed(void **state) {
  (void)state;
  struct ber m;
  bind_request(&m, "cn=a", "b");
  struct {
    size_t at;
    uint8_t v;
  } const edits[] = {
      {4, 0x00}, /* messageID 0 in a request */
      {9, 0x04}, /* version 4 */
      {1, 0x80}, /* indefinite length */
      {5, 0x7f}, /* a multi-octet tag */
      {5, 0x62}, /* [APPLICATION 2] constructed: no such operation */
      {2, 0x04}, /* messageID not an INTEGER */
      {1, 0x85}, /* 5 length octets */
  };
  for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
    struct ber x = m;
    x.b[edits[i].at] = edits[i].v;
    struct run r = {0};
    int v = feed_b(&r, &x, x.n, 0, TCP);
    if (v != L7_NO)
      fail_msg("edit %zu: verdict %d", i, v);
  }
  /* A search with scope 5. */
  struct ber s;
  search_request(&s, 2, "dc=x", 5);
  struct run r = {0};
  assert_int_equal(feed_b(&r, &s, s.n, 0, TCP), L7_NO);
  /* SNMP: SEQUENCE, INTEGER version, community OCTET STRING, PDU. */
  static const uint8_t snmp[] = {0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b',
                                 'l',  'i',  'c',  0xa0, 0x19, 0x02, 0x04, 0x12, 0x34,
                                 0x56, 0x78, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30,
                                 0x0b, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x06, 0x01, 0x02,
                                 0x01, 0x05, 0x00};
  struct run r2 = {0};
  assert_int_equal(feed_fn(l7_probe_ldap, &r2, snmp, sizeof snmp, 0, UDP, 161), L7_NO);
  /* A length past the message's end. */
  struct ber y = m;
  y.b[6] = (uint8_t)(y.b[6] + 40); /* the bindRequest claims more than its SEQUENCE */
  struct run r3 = {0};
  assert_int_equal(feed_b(&r3, &y, y.n, 0, TCP), L7_NO);
}

static void test_prefixes(void **state) {
  (void)state;
  struct ber m;
  bind_request(&m, "cn=admin,dc=example,dc=com", "secret");
  size_t first = check_prefixes(l7_probe_ldap, m.b, m.n, 0, TCP, 389, 0);
  /* Claimed once the version is in: SEQUENCE, id, op header, version. */
  assert_int_equal(first, 10);
  /* Cut inside the DN: claimed at a lower confidence, DN left out. */
  struct run r = {0};
  assert_int_equal(feed_b(&r, &m, 20, 0, TCP), L7_MATCH);
  assert_int_equal(r.conf, 80);
  assert_string_equal(r.f.u.gen.object, "");
}

static void test_after_claim(void **state) {
  (void)state;
  struct ber m;
  bind_request(&m, "cn=a", "b");
  struct run r = {0};
  assert_int_equal(feed_b(&r, &m, m.n, 0, TCP), L7_MATCH);
  /* SASL-wrapped traffic (a 4-byte length, GSS-API tokens) is ours now. */
  static const uint8_t wrapped[] = {0x00, 0x00, 0x00, 0x40, 0x05, 0x04, 0x01, 0xff};
  assert_int_equal(feed_fn(l7_probe_ldap, &r, wrapped, sizeof wrapped, 0, TCP, 389),
                   L7_MATCH);
}

static void test_not_ldap(void **state) {
  (void)state;
  assert_no_on_others(l7_probe_ldap, 1u << S_LDAP);
  assert_junk_unclaimed(l7_probe_ldap, TCP, 389);
  assert_junk_unclaimed(l7_probe_ldap, UDP, 389);
}

static void test_dispatcher(void **state) {
  (void)state;
  struct ber req, resp;
  search_request(&req, 1, "", 0); /* the root DSE */
  result(&resp, 1, 0x65, 0);
  const struct flow_pkt pk[] = {{req.b, req.n, 0}, {resp.b, resp.n, 1}};
  struct ev_l7 l7;
  uint8_t conf = 0;
  assert_string_equal(dispatch(pk, 2, TCP, 389, &l7, &conf), "ldap");
  assert_int_equal(conf, 100);
  assert_string_equal(l7.app_verb, "searchRequest");
  assert_string_equal(dispatch(pk, 2, UDP, 389, &l7, &conf), "ldap");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bind),
      cmocka_unit_test(test_search_and_results),
      cmocka_unit_test(test_other_operations),
      cmocka_unit_test(test_active_directory_lengths),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_prefixes),
      cmocka_unit_test(test_after_claim),
      cmocka_unit_test(test_not_ldap),
      cmocka_unit_test(test_dispatcher),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
