/* datasets/gen/proto.h — application payload builders.
 *
 * Contract: each builder appends one protocol message (or one flight) to a
 * buffer, encoded as the real protocol encodes it, so dissectors parse it
 * without complaint. Sizes asked for are met exactly where a function takes a
 * byte count. Random parts (ids, keys, ciphertext) come from the caller's
 * PRNG only. One source file per protocol: proto_http.c, proto_pgsql.c,
 * proto_redis.c, proto_dns.c, proto_tls.c, proto_ssh.c; content.c fills
 * bodies with plausible HTML, JSON and text.
 */
#ifndef HABIT_GEN_PROTO_H
#define HABIT_GEN_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct rng;

/* ---- content.c: bodies of exactly n bytes ---- */
void content_html(struct buf *b, struct rng *r, size_t n);
/* A product listing as JSON: field names once, then one array per row on a
 * line of its own. Lines after the first hold no ':', so an HTTP dissector
 * that meets the middle of a body never mistakes a line for a header. */
void content_json(struct buf *b, struct rng *r, size_t n);
/* A random product name, e.g. "Walnut Desk Lamp". */
const char *content_product(struct rng *r);

/* ---- proto_http.c: HTTP/1.1 ---- */
struct http_req {
  const char *method, *path, *host, *user_agent, *accept;
  const char *cookie;       /* NULL: none */
  const char *request_id;   /* NULL: no X-Request-Id */
  const char *content_type; /* body type when body_len > 0 */
  size_t body_len;          /* generated: form or JSON by content_type */
};
void http_request(struct buf *b, struct rng *r, const struct http_req *rq);
/* "HTTP/1.1 200 OK" with Date (from now_us), Content-Type, Content-Length
 * and a generated body of body_len bytes (HTML or JSON by ctype). */
void http_response(struct buf *b, struct rng *r, int64_t now_us,
                   const char *server, const char *ctype, size_t body_len);
/* Only the header block of a response, e.g. status "404 Not Found",
 * connection "close"; the caller appends body_len bytes of body. */
void http_response_head(struct buf *b, int64_t now_us, const char *server,
                        const char *status, const char *ctype, size_t body_len,
                        const char *connection);

/* ---- proto_pgsql.c: PostgreSQL frontend/backend protocol 3.0 ---- */
void pg_startup(struct buf *b, const char *user, const char *database,
                const char *application);
/* AuthenticationOk, ParameterStatus*, BackendKeyData, ReadyForQuery. */
void pg_auth_ok(struct buf *b, struct rng *r);
void pg_query(struct buf *b, const char *sql);
/* RowDescription, DataRow until about `bytes` in total, CommandComplete,
 * ReadyForQuery. */
void pg_result(struct buf *b, struct rng *r, size_t bytes);
/* A result of text columns: RowDescription, nrows DataRows (cells row by
 * row), CommandComplete, ReadyForQuery. */
void pg_result_text(struct buf *b, const char *const *names, size_t ncols,
                    const char *const *cells, size_t nrows);
void pg_terminate(struct buf *b);
/* Framer for backend messages (type byte + int32 length): see tcp.h. */
size_t pg_frame(const uint8_t *p, size_t avail);

/* ---- proto_redis.c: RESP2 ---- */
void resp_command(struct buf *b, int argc, const char *const *argv);
/* A command whose last argument is a generated JSON value of n bytes. */
void resp_command_value(struct buf *b, struct rng *r, const char *cmd,
                        const char *key, size_t n);
void resp_bulk_json(struct buf *b, struct rng *r, size_t n);
void resp_simple(struct buf *b, const char *s);

/* ---- proto_dns.c: DNS over UDP ---- */
void dns_query_a(struct buf *b, uint16_t id, const char *name);
/* Response to dns_query_a: the question, then one A record per address, each
 * naming the question through a compression pointer. */
void dns_answer_a(struct buf *b, uint16_t id, const char *name,
                  const uint32_t *ips, size_t n, uint32_t ttl);

/* Any question type; responses name it through pointers to offset 12. */
#define DNS_TXT 16
void dns_query(struct buf *b, uint16_t id, const char *name, uint16_t qtype);
/* n TXT records, one character-string each (cut at 255 bytes). No
 * additional section: no EDNS, whatever the size. */
void dns_answer_txt(struct buf *b, uint16_t id, const char *name,
                    const char *const *txt, size_t n, uint32_t ttl);
/* A malicious response to dns_query_a: its one A record's owner name is a
 * compression pointer to itself, a loop a parser must refuse. */
void dns_answer_loop(struct buf *b, uint16_t id, const char *name, uint32_t ip,
                     uint32_t ttl);

/* ---- proto_tls.c: TLS 1.3 as seen on the wire ---- */
#define TLS_SID_LEN 32
/* Compact ClientHello: SNI is the first extension, then ALPN http/1.1,
 * supported_versions, supported_groups, key_share, signature_algorithms;
 * the whole record stays under 202 bytes. Writes the legacy session id. */
void tls_client_hello(struct buf *b, struct rng *r, const char *sni,
                      uint8_t sid[TLS_SID_LEN]);
void tls_server_hello(struct buf *b, struct rng *r,
                      const uint8_t sid[TLS_SID_LEN]);
void tls_change_cipher_spec(struct buf *b);
/* n bytes (headers included) of application_data records. Records end on
 * multiples of `mss` counted from the start of b, so when b is sent from a
 * segment boundary every TCP segment starts with a record header. */
void tls_app_data(struct buf *b, struct rng *r, size_t n, size_t mss);
/* An encrypted alert (close_notify as it looks under TLS 1.3). */
void tls_encrypted_alert(struct buf *b, struct rng *r);

/* TLS 1.2 as a Heartbleed exploit meets it: a ClientHello (SNI, heartbeat
 * extension, RSA and ECDHE suites); the server's ServerHello (RSA with
 * AES-128-GCM, heartbeat extension), Certificate (x509_self_signed) and
 * ServerHelloDone, one record each; the client's ClientKeyExchange,
 * ChangeCipherSpec and encrypted Finished; the server's ChangeCipherSpec
 * and Finished. */
void tls12_client_hello(struct buf *b, struct rng *r, const char *sni);
void tls12_server_flight(struct buf *b, struct rng *r, const char *cn);
void tls12_client_finish(struct buf *b, struct rng *r);
void tls12_server_finish(struct buf *b, struct rng *r);
/* A heartbeat record: type (1 request, 2 response), the payload_length
 * field as given (a lie in an exploit), n payload bytes, 16 of padding. */
void tls_heartbeat(struct buf *b, struct rng *r, uint8_t type, uint16_t claimed,
                   const uint8_t *payload, size_t n);

/* ---- proto_x509.c: a self-signed certificate, CN=cn, RSA-2048 ---- */
void x509_self_signed(struct buf *b, struct rng *r, const char *cn);

/* ---- proto_ssh.c: SSH transport (RFC 4253) ---- */
#define SSH_BANNER "SSH-2.0-OpenSSH_9.2p1 Debian-2"
void ssh_banner(struct buf *b, const char *banner);
/* Short KEXINIT offering curve25519-sha256, RSA host keys, aes128-ctr and
 * hmac-sha2-256-etm@openssh.com: the packet length stays in clear, and
 * dissectors that can decrypt only AEAD ciphers leave the packets alone. */
void ssh_kexinit(struct buf *b, struct rng *r, bool server);
void ssh_kex_ecdh_init(struct buf *b, struct rng *r);
void ssh_kex_ecdh_reply(struct buf *b, struct rng *r);
void ssh_newkeys(struct buf *b);
/* One encrypted binary packet carrying `plain` payload bytes. */
void ssh_encrypted(struct buf *b, struct rng *r, size_t plain);
/* Framer for encrypted packets (clear length + body + 32-byte MAC). */
size_t ssh_frame_encrypted(const uint8_t *p, size_t avail);

#endif
