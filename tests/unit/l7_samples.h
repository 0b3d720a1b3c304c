/* tests/unit/l7_samples.h — the first message of every protocol the L7
 * probes know, built byte by byte from the protocols' layouts, for the
 * probe tests: each probe must give up on the other protocols' openings.
 * Shared by tests/unit/test_l7_*.c (static inline: unused ones cost
 * nothing). */
#ifndef HABIT_TESTS_L7_SAMPLES_H
#define HABIT_TESTS_L7_SAMPLES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SAMPLE_MAX 1400

struct sample {
  const char *name;
  uint8_t proto; /* 6 TCP, 17 UDP */
  uint8_t dir;   /* who sends it first: 0 client, 1 server */
  uint16_t port; /* the usual server port */
  uint8_t b[SAMPLE_MAX];
  size_t n;
};

static inline void s_put(struct sample *s, const void *p, size_t n) {
  memcpy(s->b + s->n, p, n);
  s->n += n;
}
static inline void s_u8(struct sample *s, unsigned v) { s->b[s->n++] = (uint8_t)v; }
static inline void s_u16(struct sample *s, unsigned v) {
  s_u8(s, v >> 8);
  s_u8(s, v);
}
static inline void s_u16le(struct sample *s, unsigned v) {
  s_u8(s, v);
  s_u8(s, v >> 8);
}
static inline void s_u32(struct sample *s, uint32_t v) {
  s_u16(s, v >> 16);
  s_u16(s, v & 0xffff);
}
static inline void s_str(struct sample *s, const char *t) { s_put(s, t, strlen(t)); }
static inline void s_zero(struct sample *s, size_t n) {
  memset(s->b + s->n, 0, n);
  s->n += n;
}
/* Write a big-endian length of k bytes at off. */
static inline void s_len_at(struct sample *s, size_t off, size_t k, size_t v) {
  for (size_t i = 0; i < k; i++)
    s->b[off + i] = (uint8_t)(v >> (8 * (k - 1 - i)));
}

static inline void sample_text(struct sample *s, const char *name, uint8_t proto,
                               uint8_t dir, uint16_t port, const char *t) {
  memset(s, 0, sizeof *s);
  s->name = name;
  s->proto = proto;
  s->dir = dir;
  s->port = port;
  s_str(s, t);
}

/* TLS 1.2 record with a ClientHello naming example.com (RFC 8446 §4.1.2). */
static inline void sample_tls(struct sample *s) {
  memset(s, 0, sizeof *s);
  s->name = "tls";
  s->proto = 6;
  s->port = 443;
  s_u8(s, 22), s_u16(s, 0x0301), s_u16(s, 0);      /* record, length later */
  s_u8(s, 1), s_u8(s, 0), s_u16(s, 0);             /* ClientHello, length */
  s_u16(s, 0x0303);
  for (int i = 0; i < 32; i++)
    s_u8(s, 0x40 + i);
  s_u8(s, 0);                                      /* session id */
  s_u16(s, 4), s_u16(s, 0x1301), s_u16(s, 0xc02f); /* cipher suites */
  s_u8(s, 1), s_u8(s, 0);                          /* compression */
  s_u16(s, 20);                                    /* extensions */
  s_u16(s, 0), s_u16(s, 16), s_u16(s, 14), s_u8(s, 0), s_u16(s, 11);
  s_str(s, "example.com");
  s_len_at(s, 3, 2, s->n - 5);
  s_len_at(s, 6, 3, s->n - 9);
}

/* A DNS query for example.com A (RFC 1035 §4.1). */
static inline void sample_dns(struct sample *s) {
  memset(s, 0, sizeof *s);
  s->name = "dns";
  s->proto = 17;
  s->port = 53;
  s_u16(s, 0x1234), s_u16(s, 0x0100), s_u16(s, 1), s_zero(s, 6);
  s_u8(s, 7), s_str(s, "example"), s_u8(s, 3), s_str(s, "com"), s_u8(s, 0);
  s_u16(s, 1), s_u16(s, 1);
}

/* LDAPMessage: bindRequest, simple, version 3 (RFC 4511 §4.2). */
static inline void sample_ldap_bind(struct sample *s, const char *dn,
                                    const char *pw) {
  memset(s, 0, sizeof *s);
  s->name = "ldap";
  s->proto = 6;
  s->port = 389;
  size_t dl = strlen(dn), pl = strlen(pw);
  size_t op = 3 + 2 + dl + 2 + pl; /* version, name, simple */
  s_u8(s, 0x30), s_u8(s, (unsigned)(3 + 2 + op));
  s_u8(s, 0x02), s_u8(s, 1), s_u8(s, 1);           /* messageID 1 */
  s_u8(s, 0x60), s_u8(s, (unsigned)op);
  s_u8(s, 0x02), s_u8(s, 1), s_u8(s, 3);
  s_u8(s, 0x04), s_u8(s, (unsigned)dl), s_str(s, dn);
  s_u8(s, 0x80), s_u8(s, (unsigned)pl), s_str(s, pw);
}

/* NetBIOS session header and an SMB2 NEGOTIATE request offering 2.0.2 ..
 * 3.1.1 (MS-SMB2 §2.2.3). */
static inline void sample_smb2_negotiate(struct sample *s) {
  memset(s, 0, sizeof *s);
  s->name = "smb";
  s->proto = 6;
  s->port = 445;
  s_u8(s, 0), s_u8(s, 0), s_u16(s, 0);             /* length later */
  s_u8(s, 0xfe), s_str(s, "SMB");
  s_u16le(s, 64), s_u16le(s, 0), s_zero(s, 4);     /* size, credit charge, status */
  s_u16le(s, 0), s_u16le(s, 1);                    /* NEGOTIATE, credits */
  s_zero(s, 4 + 4 + 8 + 4 + 4 + 8 + 16);           /* flags .. signature */
  s_u16le(s, 36), s_u16le(s, 5), s_u16le(s, 1), s_u16le(s, 0); /* size, count, mode */
  s_zero(s, 4 + 16 + 8);                           /* capabilities, guid, ... */
  s_u16le(s, 0x0202), s_u16le(s, 0x0210), s_u16le(s, 0x0300),
      s_u16le(s, 0x0302), s_u16le(s, 0x0311);
  s_len_at(s, 1, 3, s->n - 4);
}

/* An NTPv4 client request (RFC 5905 §7.3), transmit time set. */
static inline void sample_ntp(struct sample *s) {
  memset(s, 0, sizeof *s);
  s->name = "ntp";
  s->proto = 17;
  s->port = 123;
  s_u8(s, 0x23), s_u8(s, 0), s_u8(s, 6), s_u8(s, 0xec); /* v4 client */
  s_zero(s, 36);
  s_u32(s, 0xe9c0a1b2), s_u32(s, 0x5a6b7c8d);           /* transmit */
}

/* A DHCPDISCOVER (RFC 2131 §4.4.1). */
static inline void sample_dhcp(struct sample *s) {
  memset(s, 0, sizeof *s);
  s->name = "dhcp";
  s->proto = 17;
  s->port = 67;
  s_u8(s, 1), s_u8(s, 1), s_u8(s, 6), s_u8(s, 0);
  s_u32(s, 0x3903f326), s_u16(s, 0), s_u16(s, 0x8000);
  s_zero(s, 16);                                   /* ciaddr .. giaddr */
  s_u8(s, 0x00), s_u8(s, 0x0b), s_u8(s, 0x82), s_u8(s, 0x01), s_u8(s, 0xfc),
      s_u8(s, 0x42);
  s_zero(s, 10 + 64 + 128);
  s_u8(s, 99), s_u8(s, 130), s_u8(s, 83), s_u8(s, 99);
  s_u8(s, 53), s_u8(s, 1), s_u8(s, 1);
  s_u8(s, 12), s_u8(s, 6), s_str(s, "laptop");
  s_u8(s, 60), s_u8(s, 8), s_str(s, "MSFT 5.0");
  s_u8(s, 55), s_u8(s, 4), s_u8(s, 1), s_u8(s, 3), s_u8(s, 6), s_u8(s, 15);
  s_u8(s, 255);
}

/* A QUIC v1 client Initial padded to 1200 bytes (RFC 9000 §17.2.2): the
 * payload is what encryption would make of it, here a fixed pattern. */
static inline void sample_quic(struct sample *s) {
  memset(s, 0, sizeof *s);
  s->name = "quic";
  s->proto = 17;
  s->port = 443;
  s_u8(s, 0xc3), s_u32(s, 1);
  s_u8(s, 8);
  for (int i = 0; i < 8; i++)
    s_u8(s, 0x83 + i);                             /* DCID */
  s_u8(s, 5), s_str(s, "\x11\x22\x33\x44\x55");    /* SCID */
  s_u8(s, 0);                                      /* token length */
  size_t len_at = s->n;
  s_u16(s, 0);                                     /* Length, 2-byte varint */
  while (s->n < 1200)
    s_u8(s, (unsigned)(s->n * 7));
  s_len_at(s, len_at, 2, 0x4000 | (s->n - len_at - 2));
}

/* The HTTP/2 client preface and an empty SETTINGS (RFC 9113 §3.4). */
static inline void sample_http2(struct sample *s) {
  memset(s, 0, sizeof *s);
  s->name = "http2";
  s->proto = 6;
  s->port = 8080;
  s_str(s, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
  s_u8(s, 0), s_u16(s, 6), s_u8(s, 4), s_u8(s, 0), s_u32(s, 0);
  s_u16(s, 3), s_u32(s, 100);
}

enum {
  S_HTTP, S_TLS, S_SSH, S_DNS, S_SMTP, S_IMAP, S_POP3, S_FTP, S_LDAP,
  S_SMB, S_NTP, S_DHCP, S_SIP, S_QUIC, S_HTTP2, S_COUNT
};

/* Fill all[S_COUNT] with the first messages. */
static inline void samples_all(struct sample *all) {
  sample_text(&all[S_HTTP], "http", 6, 0, 80,
              "GET /index.html HTTP/1.1\r\nHost: example.com\r\n"
              "User-Agent: curl/8.0\r\nAccept: */*\r\n\r\n");
  sample_tls(&all[S_TLS]);
  sample_text(&all[S_SSH], "ssh", 6, 1, 22, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
  sample_dns(&all[S_DNS]);
  sample_text(&all[S_SMTP], "smtp", 6, 1, 25,
              "220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n");
  sample_text(&all[S_IMAP], "imap", 6, 1, 143,
              "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
              "STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n");
  sample_text(&all[S_POP3], "pop3", 6, 1, 110,
              "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
  sample_text(&all[S_FTP], "ftp", 6, 1, 21, "220 (vsFTPd 3.0.3)\r\n");
  sample_ldap_bind(&all[S_LDAP], "cn=admin,dc=example,dc=com", "secret");
  sample_smb2_negotiate(&all[S_SMB]);
  sample_ntp(&all[S_NTP]);
  sample_dhcp(&all[S_DHCP]);
  sample_text(&all[S_SIP], "sip", 17, 0, 5060,
              "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
              "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
              "Max-Forwards: 70\r\n"
              "To: Bob <sip:bob@biloxi.example.com>\r\n"
              "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
              "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
              "CSeq: 314159 INVITE\r\n"
              "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
              "User-Agent: Linphone/5.2.0\r\n"
              "Content-Length: 0\r\n\r\n");
  sample_quic(&all[S_QUIC]);
  sample_http2(&all[S_HTTP2]);
}

#endif
