#include <string.h>

#include "buf.h"
#include "proto.h"
#include "rng.h"

enum {
  SSH_MAC_LEN = 32,
  MSG_KEXINIT = 20,
  MSG_NEWKEYS = 21,
  MSG_KEX_ECDH_INIT = 30,
  MSG_KEX_ECDH_REPLY = 31,
};

void ssh_banner(struct buf *b, const char *banner) {
  buf_str(b, banner);
  buf_str(b, "\r\n");
}

static void sstring(struct buf *b, const char *s) {
  buf_u32(b, (uint32_t)strlen(s));
  buf_str(b, s);
}

static void sblob(struct buf *b, struct rng *r, size_t n) {
  buf_u32(b, (uint32_t)n);
  buf_random(b, r, n);
}

/* Unencrypted binary packet (RFC 4253 §6): the payload at b[at..] gets its
 * length, padding length and padding to a multiple of 8, at least 4 bytes. */
static size_t packet_begin(struct buf *b) {
  size_t at = b->len;
  buf_u32(b, 0);
  buf_u8(b, 0);
  return at;
}

static void packet_end(struct buf *b, struct rng *r, size_t at) {
  size_t payload = b->len - at - 5;
  size_t pad = 8 - (5 + payload) % 8;
  if (pad < 4) pad += 8;
  buf_random(b, r, pad);
  buf_set_u32(b, at, (uint32_t)(1 + payload + pad));
  b->p[at + 4] = (uint8_t)pad;
}

void ssh_kexinit(struct buf *b, struct rng *r, bool server) {
  size_t at = packet_begin(b);
  buf_u8(b, MSG_KEXINIT);
  buf_random(b, r, 16); /* cookie */
  /* Short lists keep the packet whole under the capture's snaplen. */
  sstring(b, server ? "curve25519-sha256" : "curve25519-sha256,ext-info-c");
  sstring(b, server ? "rsa-sha2-512,rsa-sha2-256" : "rsa-sha2-512");
  sstring(b, "aes128-ctr");
  sstring(b, "aes128-ctr");
  sstring(b, "hmac-sha2-256-etm@openssh.com");
  sstring(b, "hmac-sha2-256-etm@openssh.com");
  sstring(b, "none");
  sstring(b, "none");
  sstring(b, "");
  sstring(b, "");
  buf_u8(b, 0);  /* first_kex_packet_follows */
  buf_u32(b, 0); /* reserved */
  packet_end(b, r, at);
}

void ssh_kex_ecdh_init(struct buf *b, struct rng *r) {
  size_t at = packet_begin(b);
  buf_u8(b, MSG_KEX_ECDH_INIT);
  sblob(b, r, 32); /* client ephemeral curve25519 key */
  packet_end(b, r, at);
}

void ssh_kex_ecdh_reply(struct buf *b, struct rng *r) {
  /* An RSA-3072 host key signing with rsa-sha2-512, which OpenSSH 9.2 also
   * offers. Not ed25519: Wireshark 4.0 walks only ssh-rsa/ssh-dss signature
   * blobs and flags any other reply it sees whole; an ed25519 reply fits in
   * the snaplen, this one never does, so it is never flagged. */
  size_t at = packet_begin(b);
  buf_u8(b, MSG_KEX_ECDH_REPLY);
  buf_u32(b, 4 + 7 + 4 + 3 + 4 + 385); /* host key blob */
  sstring(b, "ssh-rsa");
  buf_u32(b, 3);
  buf_put(b, "\x01\x00\x01", 3); /* e = 65537 */
  buf_u32(b, 385);               /* n: a leading zero keeps it positive */
  buf_u8(b, 0);
  buf_u8(b, (uint8_t)(0x80 | rng_below(r, 128)));
  buf_random(b, r, 383);
  sblob(b, r, 32);              /* server ephemeral curve25519 key */
  buf_u32(b, 4 + 12 + 4 + 384); /* signature blob */
  sstring(b, "rsa-sha2-512");
  sblob(b, r, 384);
  packet_end(b, r, at);
}

void ssh_newkeys(struct buf *b) {
  /* Fixed padding keeps NEWKEYS byte-identical, as OpenSSH's almost is. */
  static const uint8_t pkt[16] = {0, 0, 0, 12, 10, MSG_NEWKEYS};
  buf_put(b, pkt, sizeof(pkt));
}

void ssh_encrypted(struct buf *b, struct rng *r, size_t plain) {
  /* aes-ctr with an encrypt-then-MAC hmac-sha2-256: clear 4-byte length,
   * padding length, payload and padding encrypted to a multiple of 16, then
   * the 32-byte MAC. */
  size_t body = 1 + plain + 4;
  body = (body + 15) / 16 * 16;
  buf_u32(b, (uint32_t)body);
  buf_random(b, r, body + SSH_MAC_LEN);
}

size_t ssh_frame_encrypted(const uint8_t *p, size_t avail) {
  if (avail < 4) return avail;
  return 4 + SSH_MAC_LEN +
         ((size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]);
}
