/* tests/unit/test_l7_smb.c — the SMB probe: SMB2 NEGOTIATE both ways with
 * the dialect, TREE_CONNECT's share, SMB1 behind a NetBIOS session request,
 * encrypted SMB3, error responses, NetBIOS datagrams over UDP (the
 * browser's SMB1 mailslots), malformed headers, cut messages, junk, and
 * the other protocols' openings. Messages are built from MS-SMB2, MS-CIFS
 * and RFC 1002 layouts; payloads are copied into exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l7_probe_test.h"

static int feed_s(struct run *r, const struct sample *m, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_smb, r, m->b, m->n, dir, TCP, port);
}

/* NBSS header, then an SMB2 header for command cmd (response or not),
 * then body bytes; the length is set. */
static void smb2(struct sample *s, unsigned cmd, int response, const void *body,
                 size_t n) {
  memset(s, 0, sizeof *s);
  s_u8(s, 0), s_u8(s, 0), s_u16(s, 0);
  s_u8(s, 0xfe), s_str(s, "SMB");
  s_u16le(s, 64), s_u16le(s, 1), s_zero(s, 4);
  s_u16le(s, cmd), s_u16le(s, 31);
  s_u16le(s, response ? 1 : 0), s_u16le(s, 0); /* Flags (32-bit LE) */
  s_zero(s, 4 + 8 + 4 + 4 + 8 + 16);
  s_put(s, body, n);
  s_len_at(s, 1, 3, s->n - 4);
}

static void negotiate_response(struct sample *s, unsigned dialect) {
  uint8_t body[65] = {65, 0, 1, 0, (uint8_t)dialect, (uint8_t)(dialect >> 8)};
  smb2(s, 0, 1, body, sizeof body);
}

/* TREE_CONNECT request: StructureSize 9, flags, PathOffset, PathLength,
 * then the UTF-16LE path. */
static void tree_connect(struct sample *s, const char *path) {
  uint8_t body[128] = {9, 0, 0, 0, 64 + 8, 0, 0, 0};
  size_t n = strlen(path);
  for (size_t i = 0; i < n; i++)
    body[8 + 2 * i] = (uint8_t)path[i];
  body[6] = (uint8_t)(2 * n);
  smb2(s, 3, 0, body, 8 + 2 * n);
}

static void test_smb2_negotiate(void **state) {
  (void)state;
  struct sample all[S_COUNT];
  samples_all(all);
  struct sample resp;
  negotiate_response(&resp, 0x0311);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &all[S_SMB], 0, 445), L7_MATCH);
  assert_int_equal(r.conf, 90);
  assert_string_equal(r.f.u.gen.verb, "SMB2 NEGOTIATE");
  assert_int_equal(feed_s(&r, &resp, 1, 445), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.software, "SMB 3.1.1");
  /* The share of the first TREE_CONNECT ends the following. */
  struct sample tc;
  tree_connect(&tc, "\\\\fs01\\projects");
  assert_int_equal(feed_s(&r, &tc, 0, 445), L7_DONE);
  assert_string_equal(r.f.u.gen.object, "\\\\fs01\\projects");
  assert_string_equal(r.f.u.gen.verb, "SMB2 NEGOTIATE");
}

static void test_smb2_error_and_encrypted(void **state) {
  (void)state;
  /* SESSION_SETUP answered with an error (StructureSize 9). */
  uint8_t err[9] = {9, 0};
  struct sample e;
  smb2(&e, 1, 1, err, sizeof err);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &e, 1, 445), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "SMB2 SESSION_SETUP");
  /* An SMB3 transform header: encrypted, no request/response flag. */
  struct sample t;
  memset(&t, 0, sizeof t);
  s_u8(&t, 0), s_u8(&t, 0), s_u16(&t, 0);
  s_u8(&t, 0xfd), s_str(&t, "SMB");
  s_zero(&t, 16 + 16);                    /* signature, nonce */
  s_u16le(&t, 200), s_u16le(&t, 0);       /* original size */
  s_u16le(&t, 0), s_u16le(&t, 1);         /* reserved, flags: encrypted */
  s_zero(&t, 8 + 100);                    /* session id, ciphertext */
  s_len_at(&t, 1, 3, t.n - 4);
  struct run r2 = {0};
  assert_int_equal(feed_s(&r2, &t, 0, 445), L7_MATCH);
  assert_int_equal(r2.conf, 85);
  assert_string_equal(r2.f.u.gen.verb, "SMB3 ENCRYPTED");
}

/* An encoded NetBIOS name (RFC 1001 §14.1): each nibble + 'A'. */
static void nb_name(struct sample *s, const char *name) {
  char padded[16];
  memset(padded, ' ', 16);
  memcpy(padded, name, strlen(name));
  padded[15] = 0x20;
  s_u8(s, 0x20);
  for (int i = 0; i < 16; i++) {
    s_u8(s, 'A' + ((uint8_t)padded[i] >> 4));
    s_u8(s, 'A' + ((uint8_t)padded[i] & 15));
  }
  s_u8(s, 0);
}

/* An SMB1 header (MS-CIFS §2.2.3.1) for cmd, flags2 with Unicode. */
static void smb1_header(struct sample *s, unsigned cmd, int response) {
  s_u8(s, 0xff), s_str(s, "SMB");
  s_u8(s, cmd), s_zero(s, 4);
  s_u8(s, response ? 0x98 : 0x18), s_u16le(s, 0xc807);
  s_zero(s, 2 + 8 + 2 + 2 + 2 + 2 + 2);
}

static void test_smb1_over_netbios(void **state) {
  (void)state;
  /* SESSION REQUEST (port 139) and its positive answer: waited through. */
  struct sample req;
  memset(&req, 0, sizeof req);
  s_u8(&req, 0x81), s_u8(&req, 0), s_u16(&req, 68);
  nb_name(&req, "FILESRV");
  nb_name(&req, "WORKSTATION");
  struct run r = {0};
  assert_int_equal(feed_s(&r, &req, 0, 139), L7_MORE);
  static const uint8_t positive[] = {0x82, 0, 0, 0};
  assert_int_equal(feed_fn(l7_probe_smb, &r, positive, 4, 1, TCP, 139), L7_MORE);
  /* Then SMB1 NEGOTIATE with its dialect strings. */
  struct sample neg;
  memset(&neg, 0, sizeof neg);
  s_u8(&neg, 0), s_u8(&neg, 0), s_u16(&neg, 0);
  smb1_header(&neg, 0x72, 0);
  static const char dialects[] = "\x02NT LM 0.12\0\x02SMB 2.002\0\x02SMB 2.???";
  s_u8(&neg, 0), s_u16le(&neg, sizeof dialects);
  s_put(&neg, dialects, sizeof dialects);
  s_len_at(&neg, 1, 3, neg.n - 4);
  assert_int_equal(feed_s(&r, &neg, 0, 139), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "SMB1 NEGOTIATE");
  assert_int_equal(r.conf, 90);
  /* A keep-alive, then a TREE_CONNECT_ANDX with a Unicode path. */
  static const uint8_t keepalive[] = {0x85, 0, 0, 0};
  assert_int_equal(feed_fn(l7_probe_smb, &r, keepalive, 4, 0, TCP, 139), L7_MATCH);
  struct sample tc;
  memset(&tc, 0, sizeof tc);
  s_u8(&tc, 0), s_u8(&tc, 0), s_u16(&tc, 0);
  smb1_header(&tc, 0x75, 0);
  s_u8(&tc, 4), s_u8(&tc, 0xff), s_u8(&tc, 0), s_u16le(&tc, 0), s_u16le(&tc, 0),
      s_u16le(&tc, 1); /* words: AndX, flags, password length 1 */
  static const char path[] = "\\\\SRV\\IPC$";
  s_u16le(&tc, (unsigned)(1 + 2 * sizeof path + 6));
  s_u8(&tc, 0); /* password; the path at 32+1+8+2+1 = 44 is aligned: no pad */
  for (size_t i = 0; i < sizeof path; i++)
    s_u16le(&tc, (uint8_t)path[i]);
  s_str(&tc, "?????"), s_u8(&tc, 0);
  s_len_at(&tc, 1, 3, tc.n - 4);
  assert_int_equal(feed_s(&r, &tc, 0, 139), L7_MATCH);
  assert_string_equal(r.f.u.gen.object, "\\\\SRV\\IPC$");
  /* The server's answer: both sides now. */
  struct sample resp;
  memset(&resp, 0, sizeof resp);
  s_u8(&resp, 0), s_u8(&resp, 0), s_u16(&resp, 0);
  smb1_header(&resp, 0x75, 1);
  s_u8(&resp, 0), s_u16le(&resp, 0);
  s_len_at(&resp, 1, 3, resp.n - 4);
  assert_int_equal(feed_s(&r, &resp, 1, 139), L7_DONE);
  assert_int_equal(r.conf, 100);
}

/* A NetBIOS DIRECT_GROUP datagram to \MAILSLOT\BROWSE (RFC 1002 §4.4.2). */
static void datagram(struct sample *s) {
  memset(s, 0, sizeof *s);
  s_u8(s, 0x11), s_u8(s, 0x02), s_u16(s, 0x8001);
  s_u8(s, 192), s_u8(s, 168), s_u8(s, 239), s_u8(s, 129), s_u16(s, 138);
  s_u16(s, 0), s_u16(s, 0);              /* length later, offset */
  nb_name(s, "WIN98");
  nb_name(s, "WORKGROUP");
  smb1_header(s, 0x25, 0);
  s_u8(s, 17);                            /* TRANSACTION: 17 words */
  s_zero(s, 34);
  s_u16le(s, 20), s_str(s, "\\MAILSLOT\\BROWSE"), s_zero(s, 4);
  s_len_at(s, 10, 2, s->n - 14);
}

static void test_netbios_datagram(void **state) {
  (void)state;
  struct sample d;
  datagram(&d);
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_smb, &r, d.b, d.n, 0, UDP, 138), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "SMB1 TRANSACTION");
  assert_int_equal(r.conf, 90);
  /* A fragment, a wrong length, a name that is not encoded, no SMB. */
  struct {
    size_t at;
    uint8_t v;
  } const edits[] = {{1, 0x03}, {11, 0x00}, {20, 'Z'}, {14 + 68 + 1, 'X'}, {1, 0x12}};
  for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
    struct sample x = d;
    x.b[edits[i].at] = edits[i].v;
    struct run r2 = {0};
    int v = feed_fn(l7_probe_smb, &r2, x.b, x.n, 0, UDP, 138);
    if (v != L7_NO)
      fail_msg("edit %zu: verdict %d", i, v);
  }
  /* Cut by a snap length: waited for, never refused. */
  check_prefixes(l7_probe_smb, d.b, d.n, 0, UDP, 138, 0);
}

static void test_malformed(void **state) {
  (void)state;
  struct sample all[S_COUNT];
  samples_all(all);
  const struct sample *m = &all[S_SMB];
  struct {
    size_t at;
    uint8_t v;
  } const edits[] = {
      {8, 0x41},  /* StructureSize 65 */
      {16, 0x20}, /* command 32 */
      {68, 37},   /* NEGOTIATE request body StructureSize 37 */
      {7, 'C'},   /* "\xfeSMC" */
      {4, 0xfb},  /* no such protocol id */
      {0, 0x01},  /* NetBIOS type 1 */
      {3, 20},    /* length too short for an SMB2 header */
  };
  for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
    struct sample x = *m;
    x.b[edits[i].at] = edits[i].v;
    if (edits[i].at == 3)
      x.b[1] = x.b[2] = 0;
    struct run r = {0};
    int v = feed_s(&r, &x, 0, 445);
    if (v != L7_NO)
      fail_msg("edit %zu: verdict %d", i, v);
  }
  /* SMB1 whose word count runs past the message. */
  struct sample s1;
  memset(&s1, 0, sizeof s1);
  s_u8(&s1, 0), s_u8(&s1, 0), s_u16(&s1, 0);
  smb1_header(&s1, 0x72, 0);
  s_u8(&s1, 40), s_u16le(&s1, 0);
  s_len_at(&s1, 1, 3, s1.n - 4);
  struct run r = {0};
  assert_int_equal(feed_s(&r, &s1, 0, 445), L7_NO);
}

static void test_prefixes(void **state) {
  (void)state;
  struct sample all[S_COUNT];
  samples_all(all);
  size_t first = check_prefixes(l7_probe_smb, all[S_SMB].b, all[S_SMB].n, 0, TCP, 445, 0);
  assert_int_equal(first, 4 + 64 + 2); /* the header and the body's size */
  struct sample tc;
  tree_connect(&tc, "\\\\fs01\\projects");
  check_prefixes(l7_probe_smb, tc.b, tc.n, 0, TCP, 445, 0);
}

static void test_not_smb(void **state) {
  (void)state;
  assert_no_on_others(l7_probe_smb, 1u << S_SMB);
  assert_junk_unclaimed(l7_probe_smb, TCP, 445);
  assert_junk_unclaimed(l7_probe_smb, UDP, 138);
}

static void test_dispatcher(void **state) {
  (void)state;
  struct sample all[S_COUNT];
  samples_all(all);
  struct sample resp;
  negotiate_response(&resp, 0x0302);
  const struct flow_pkt pk[] = {{all[S_SMB].b, all[S_SMB].n, 0}, {resp.b, resp.n, 1}};
  struct ev_l7 l7;
  uint8_t conf = 0;
  assert_string_equal(dispatch(pk, 2, TCP, 445, &l7, &conf), "smb");
  assert_int_equal(conf, 100);
  assert_string_equal(l7.app_software, "SMB 3.0.2");
  struct sample d;
  datagram(&d);
  const struct flow_pkt pd[] = {{d.b, d.n, 0}};
  assert_string_equal(dispatch(pd, 1, UDP, 138, &l7, &conf), "smb");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_smb2_negotiate),
      cmocka_unit_test(test_smb2_error_and_encrypted),
      cmocka_unit_test(test_smb1_over_netbios),
      cmocka_unit_test(test_netbios_datagram),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_prefixes),
      cmocka_unit_test(test_not_smb),
      cmocka_unit_test(test_dispatcher),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
