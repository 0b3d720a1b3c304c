#include <string.h>

#include "buf.h"
#include "proto.h"
#include "rng.h"

enum {
  CT_CCS = 20,
  CT_HANDSHAKE = 22,
  CT_APP = 23,
  HS_CLIENT_HELLO = 1,
  HS_SERVER_HELLO = 2,
  X25519 = 0x001d,
  /* The smallest TLS 1.3 ciphertext record: header, inner type, 16-byte tag. */
  MIN_RECORD = 5 + 1 + 16,
};

static size_t record_begin(struct buf *b, uint8_t type, uint16_t version) {
  buf_u8(b, type);
  buf_u16(b, version);
  size_t at = b->len;
  buf_u16(b, 0);
  return at;
}

static void set_len16(struct buf *b, size_t at) {
  buf_set_u16(b, at, (uint16_t)(b->len - at - 2));
}

static size_t hs_begin(struct buf *b, uint8_t type) {
  buf_u8(b, type);
  size_t at = b->len;
  buf_put(b, "\0\0\0", 3);
  return at;
}

static size_t ext_begin(struct buf *b, uint16_t type) {
  buf_u16(b, type);
  size_t at = b->len;
  buf_u16(b, 0);
  return at;
}

void tls_client_hello(struct buf *b, struct rng *r, const char *sni,
                      uint8_t sid[TLS_SID_LEN]) {
  /* Record version 1.0 and legacy_version 1.2, as TLS 1.3 clients send. */
  size_t rec = record_begin(b, CT_HANDSHAKE, 0x0301);
  size_t hs = hs_begin(b, HS_CLIENT_HELLO);
  buf_u16(b, 0x0303);
  buf_random(b, r, 32);
  rng_bytes(r, sid, TLS_SID_LEN);
  buf_u8(b, TLS_SID_LEN);
  buf_put(b, sid, TLS_SID_LEN);
  buf_u16(b, 6);
  buf_u16(b, 0x1301); /* TLS_AES_128_GCM_SHA256 */
  buf_u16(b, 0x1302); /* TLS_AES_256_GCM_SHA384 */
  buf_u16(b, 0xc02f); /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (1.2) */
  buf_u8(b, 1);
  buf_u8(b, 0); /* null compression */
  size_t exts = b->len;
  buf_u16(b, 0);

  size_t n = strlen(sni);
  size_t e = ext_begin(b, 0x0000); /* server_name, first on purpose */
  buf_u16(b, (uint16_t)(n + 3));
  buf_u8(b, 0); /* host_name */
  buf_u16(b, (uint16_t)n);
  buf_put(b, sni, n);
  set_len16(b, e);

  e = ext_begin(b, 0x0010); /* ALPN */
  buf_u16(b, 9);
  buf_u8(b, 8);
  buf_str(b, "http/1.1");
  set_len16(b, e);

  e = ext_begin(b, 0x002b); /* supported_versions */
  buf_u8(b, 4);
  buf_u16(b, 0x0304);
  buf_u16(b, 0x0303);
  set_len16(b, e);

  e = ext_begin(b, 0x000a); /* supported_groups */
  buf_u16(b, 2);
  buf_u16(b, X25519);
  set_len16(b, e);

  e = ext_begin(b, 0x0033); /* key_share */
  buf_u16(b, 36);
  buf_u16(b, X25519);
  buf_u16(b, 32);
  buf_random(b, r, 32);
  set_len16(b, e);

  e = ext_begin(b, 0x000d); /* signature_algorithms */
  buf_u16(b, 4);
  buf_u16(b, 0x0403); /* ecdsa_secp256r1_sha256 */
  buf_u16(b, 0x0804); /* rsa_pss_rsae_sha256 */
  set_len16(b, e);

  set_len16(b, exts);
  buf_set_u24(b, hs, (uint32_t)(b->len - hs - 3));
  set_len16(b, rec);
}

void tls_server_hello(struct buf *b, struct rng *r,
                      const uint8_t sid[TLS_SID_LEN]) {
  size_t rec = record_begin(b, CT_HANDSHAKE, 0x0303);
  size_t hs = hs_begin(b, HS_SERVER_HELLO);
  buf_u16(b, 0x0303);
  buf_random(b, r, 32);
  buf_u8(b, TLS_SID_LEN);
  buf_put(b, sid, TLS_SID_LEN);
  buf_u16(b, 0x1301);
  buf_u8(b, 0);
  size_t exts = b->len;
  buf_u16(b, 0);
  size_t e = ext_begin(b, 0x002b);
  buf_u16(b, 0x0304);
  set_len16(b, e);
  e = ext_begin(b, 0x0033);
  buf_u16(b, X25519);
  buf_u16(b, 32);
  buf_random(b, r, 32);
  set_len16(b, e);
  set_len16(b, exts);
  buf_set_u24(b, hs, (uint32_t)(b->len - hs - 3));
  set_len16(b, rec);
}

void tls_change_cipher_spec(struct buf *b) {
  size_t rec = record_begin(b, CT_CCS, 0x0303);
  buf_u8(b, 1);
  set_len16(b, rec);
}

static void app_record(struct buf *b, struct rng *r, size_t total) {
  size_t rec = record_begin(b, CT_APP, 0x0303);
  buf_random(b, r, total - 5);
  set_len16(b, rec);
}

void tls_app_data(struct buf *b, struct rng *r, size_t n, size_t mss) {
  if (n < MIN_RECORD) n = MIN_RECORD;
  while (n > 0) {
    size_t room = mss - b->len % mss;
    if (room < MIN_RECORD) room += mss;
    size_t rec = n < room ? n : room;
    /* Never leave a remainder too small to be a record of its own. */
    if (n > rec && n - rec < MIN_RECORD) rec = n - MIN_RECORD;
    if (rec < MIN_RECORD) rec = n; /* n < 2 * MIN_RECORD: one record */
    app_record(b, r, rec);
    n -= rec;
  }
}

void tls_encrypted_alert(struct buf *b, struct rng *r) {
  app_record(b, r, 5 + 2 + 1 + 16);
}

/* ---- TLS 1.2 with the heartbeat extension (RFC 6520) ---- */

enum {
  CT_HEARTBEAT = 24,
  HS_CERTIFICATE = 11,
  HS_SERVER_HELLO_DONE = 14,
  HS_CLIENT_KEY_EXCHANGE = 16,
  EXT_HEARTBEAT = 0x000f,
  RSA_AES128_GCM = 0x009c, /* TLS_RSA_WITH_AES_128_GCM_SHA256 */
  /* A TLS 1.2 AES-GCM Finished: explicit nonce 8, message 16, tag 16. */
  GCM_FINISHED = 8 + 16 + 16,
};

static void heartbeat_ext(struct buf *b) {
  size_t e = ext_begin(b, EXT_HEARTBEAT);
  buf_u8(b, 1); /* peer_allowed_to_send */
  set_len16(b, e);
}

void tls12_client_hello(struct buf *b, struct rng *r, const char *sni) {
  static const uint16_t suites[] = {0xc02f, 0xc030, 0xc013, 0xc014,
                                    0x009c, 0x009d, 0x002f, 0x0035};
  size_t rec = record_begin(b, CT_HANDSHAKE, 0x0301);
  size_t hs = hs_begin(b, HS_CLIENT_HELLO);
  buf_u16(b, 0x0303);
  buf_random(b, r, 32);
  buf_u8(b, 0); /* no session id */
  buf_u16(b, (uint16_t)(2 * (sizeof(suites) / sizeof(suites[0]))));
  for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
    buf_u16(b, suites[i]);
  buf_u8(b, 1);
  buf_u8(b, 0);
  size_t exts = b->len;
  buf_u16(b, 0);
  size_t n = strlen(sni);
  size_t e = ext_begin(b, 0x0000);
  buf_u16(b, (uint16_t)(n + 3));
  buf_u8(b, 0);
  buf_u16(b, (uint16_t)n);
  buf_put(b, sni, n);
  set_len16(b, e);
  e = ext_begin(b, 0x000a); /* supported_groups */
  buf_u16(b, 4);
  buf_u16(b, X25519);
  buf_u16(b, 0x0017); /* secp256r1 */
  set_len16(b, e);
  e = ext_begin(b, 0x000b); /* ec_point_formats: uncompressed */
  buf_u8(b, 1);
  buf_u8(b, 0);
  set_len16(b, e);
  e = ext_begin(b, 0x000d); /* signature_algorithms */
  buf_u16(b, 4);
  buf_u16(b, 0x0401); /* rsa_pkcs1_sha256 */
  buf_u16(b, 0x0403); /* ecdsa_secp256r1_sha256 */
  set_len16(b, e);
  heartbeat_ext(b);
  set_len16(b, exts);
  buf_set_u24(b, hs, (uint32_t)(b->len - hs - 3));
  set_len16(b, rec);
}

void tls12_server_flight(struct buf *b, struct rng *r, const char *cn) {
  size_t rec = record_begin(b, CT_HANDSHAKE, 0x0303);
  size_t hs = hs_begin(b, HS_SERVER_HELLO);
  buf_u16(b, 0x0303);
  buf_random(b, r, 32);
  buf_u8(b, TLS_SID_LEN);
  buf_random(b, r, TLS_SID_LEN);
  buf_u16(b, RSA_AES128_GCM);
  buf_u8(b, 0);
  size_t exts = b->len;
  buf_u16(b, 0);
  size_t e = ext_begin(b, 0xff01); /* renegotiation_info, empty */
  buf_u8(b, 0);
  set_len16(b, e);
  heartbeat_ext(b);
  set_len16(b, exts);
  buf_set_u24(b, hs, (uint32_t)(b->len - hs - 3));
  set_len16(b, rec);

  rec = record_begin(b, CT_HANDSHAKE, 0x0303);
  hs = hs_begin(b, HS_CERTIFICATE);
  size_t list = b->len;
  buf_put(b, "\0\0\0", 3);
  size_t one = b->len;
  buf_put(b, "\0\0\0", 3);
  x509_self_signed(b, r, cn);
  buf_set_u24(b, one, (uint32_t)(b->len - one - 3));
  buf_set_u24(b, list, (uint32_t)(b->len - list - 3));
  buf_set_u24(b, hs, (uint32_t)(b->len - hs - 3));
  set_len16(b, rec);

  rec = record_begin(b, CT_HANDSHAKE, 0x0303);
  hs_begin(b, HS_SERVER_HELLO_DONE);
  set_len16(b, rec);
}

static void gcm_finished(struct buf *b, struct rng *r) {
  size_t rec = record_begin(b, CT_HANDSHAKE, 0x0303);
  buf_random(b, r, GCM_FINISHED);
  set_len16(b, rec);
}

static void ccs12(struct buf *b) {
  size_t rec = record_begin(b, CT_CCS, 0x0303);
  buf_u8(b, 1);
  set_len16(b, rec);
}

void tls12_client_finish(struct buf *b, struct rng *r) {
  size_t rec = record_begin(b, CT_HANDSHAKE, 0x0303);
  size_t hs = hs_begin(b, HS_CLIENT_KEY_EXCHANGE);
  buf_u16(b, 256); /* the premaster secret under the server's RSA key */
  buf_random(b, r, 256);
  buf_set_u24(b, hs, (uint32_t)(b->len - hs - 3));
  set_len16(b, rec);
  ccs12(b);
  gcm_finished(b, r);
}

void tls12_server_finish(struct buf *b, struct rng *r) {
  ccs12(b);
  gcm_finished(b, r);
}

void tls_heartbeat(struct buf *b, struct rng *r, uint8_t type, uint16_t claimed,
                   const uint8_t *payload, size_t n) {
  size_t rec = record_begin(b, CT_HEARTBEAT, 0x0303);
  buf_u8(b, type);
  buf_u16(b, claimed);
  buf_put(b, payload, n);
  buf_random(b, r, 16); /* padding */
  set_len16(b, rec);
}
