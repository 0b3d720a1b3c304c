/* A minimal self-signed X.509 v3 certificate in DER: what a TLS 1.2 server
 * sends in its Certificate message. Well-formed ASN.1 throughout, so
 * dissectors parse whatever part of it a capture keeps; the key and the
 * signature are random bytes. */
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "rng.h"

enum {
  DER_INTEGER = 0x02,
  DER_BIT_STRING = 0x03,
  DER_NULL = 0x05,
  DER_OID = 0x06,
  DER_UTF8 = 0x0c,
  DER_UTCTIME = 0x17,
  DER_SEQUENCE = 0x30,
  DER_SET = 0x31,
  DER_EXPLICIT0 = 0xa0,
};

/* Tag, minimal definite length, content. */
static void der(struct buf *out, uint8_t tag, const uint8_t *p, size_t n) {
  buf_u8(out, tag);
  if (n < 0x80) {
    buf_u8(out, (uint8_t)n);
  } else if (n < 0x100) {
    buf_u8(out, 0x81);
    buf_u8(out, (uint8_t)n);
  } else {
    buf_u8(out, 0x82);
    buf_u16(out, (uint16_t)n);
  }
  buf_put(out, p, n);
}

/* Wrap what `in` holds into `out` and empty `in`. */
static void wrap(struct buf *out, uint8_t tag, struct buf *in) {
  der(out, tag, in->p, in->len);
  buf_reset(in);
}

static void algorithm(struct buf *out, const uint8_t *oid, size_t n) {
  struct buf t;
  buf_init(&t);
  der(&t, DER_OID, oid, n);
  der(&t, DER_NULL, NULL, 0);
  wrap(out, DER_SEQUENCE, &t);
  buf_free(&t);
}

/* Name: one RDN, CN=cn. */
static void name(struct buf *out, const char *cn) {
  static const uint8_t oid_cn[] = {0x55, 0x04, 0x03};
  struct buf atv, t;
  buf_init(&atv);
  buf_init(&t);
  der(&atv, DER_OID, oid_cn, sizeof(oid_cn));
  der(&atv, DER_UTF8, (const uint8_t *)cn, strlen(cn));
  wrap(&t, DER_SEQUENCE, &atv);
  wrap(&atv, DER_SET, &t);
  wrap(out, DER_SEQUENCE, &atv);
  buf_free(&atv);
  buf_free(&t);
}

/* A positive INTEGER of n random bytes, the top bit set (a full-size RSA
 * modulus) behind a leading zero. */
static void big_integer(struct buf *out, struct rng *r, size_t n) {
  struct buf t;
  buf_init(&t);
  buf_u8(&t, 0);
  buf_random(&t, r, n);
  t.p[1] |= 0x80;
  t.p[n] |= 1; /* odd */
  wrap(out, DER_INTEGER, &t);
  buf_free(&t);
}

void x509_self_signed(struct buf *b, struct rng *r, const char *cn) {
  static const uint8_t sha256_rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                       0x0d, 0x01, 0x01, 0x0b};
  static const uint8_t rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                0x0d, 0x01, 0x01, 0x01};
  static const uint8_t v3[] = {DER_INTEGER, 1, 2};
  static const uint8_t e65537[] = {0x01, 0x00, 0x01};
  struct buf tbs, t, u;
  buf_init(&tbs);
  buf_init(&t);
  buf_init(&u);
  der(&tbs, DER_EXPLICIT0, v3, sizeof(v3));
  buf_random(&t, r, 16);
  t.p[0] = (uint8_t)((t.p[0] & 0x7f) | 0x10); /* positive, 16 bytes */
  wrap(&tbs, DER_INTEGER, &t);
  algorithm(&tbs, sha256_rsa, sizeof(sha256_rsa));
  name(&tbs, cn);
  der(&t, DER_UTCTIME, (const uint8_t *)"251201000000Z", 13);
  der(&t, DER_UTCTIME, (const uint8_t *)"261201000000Z", 13);
  wrap(&tbs, DER_SEQUENCE, &t);
  name(&tbs, cn);
  /* SubjectPublicKeyInfo: rsaEncryption, BIT STRING of RSAPublicKey. */
  algorithm(&t, rsa, sizeof(rsa));
  big_integer(&u, r, 256);
  der(&u, DER_INTEGER, e65537, sizeof(e65537));
  struct buf key;
  buf_init(&key);
  buf_u8(&key, 0); /* no unused bits */
  wrap(&key, DER_SEQUENCE, &u);
  wrap(&t, DER_BIT_STRING, &key);
  wrap(&tbs, DER_SEQUENCE, &t);
  /* Certificate: tbs, algorithm, signature. */
  wrap(&t, DER_SEQUENCE, &tbs);
  algorithm(&t, sha256_rsa, sizeof(sha256_rsa));
  buf_u8(&u, 0);
  buf_random(&u, r, 256);
  wrap(&t, DER_BIT_STRING, &u);
  wrap(b, DER_SEQUENCE, &t);
  buf_free(&tbs);
  buf_free(&t);
  buf_free(&u);
  buf_free(&key);
}
