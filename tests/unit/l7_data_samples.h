/* tests/unit/l7_data_samples.h — what the tests of the database and
 * messaging probes (test_l7_{mysql,postgresql,redis,mongodb,cassandra,
 * kafka,memcached,amqp,mqtt}.c) share: a byte builder, a feeder that copies
 * each payload into a buffer of exactly its length (so that ASan sees any
 * read past it), the first messages of many protocols built field by field,
 * and three checks every probe must pass — every prefix of its own message,
 * everybody else's first messages, random bytes.
 *
 * Everything is static inline: each test file uses what it needs.
 */
#ifndef HABIT_TESTS_L7_DATA_SAMPLES_H
#define HABIT_TESTS_L7_DATA_SAMPLES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/l7/l7.h"

#define TCP 6
#define UDP 17

struct buf {
  uint8_t b[4096];
  size_t n;
};

static inline void u8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static inline void be16(struct buf *b, unsigned v) {
  u8(b, v >> 8);
  u8(b, v);
}
static inline void be32(struct buf *b, uint32_t v) {
  be16(b, v >> 16);
  be16(b, v & 0xffff);
}
static inline void le16(struct buf *b, unsigned v) {
  u8(b, v);
  u8(b, v >> 8);
}
static inline void le32(struct buf *b, uint32_t v) {
  le16(b, v & 0xffff);
  le16(b, v >> 16);
}
static inline void bytes(struct buf *b, const void *p, size_t n) {
  memcpy(b->b + b->n, p, n);
  b->n += n;
}
/* Text without its NUL; cstr: with it. */
static inline void text(struct buf *b, const char *s) { bytes(b, s, strlen(s)); }
static inline void cstr(struct buf *b, const char *s) { bytes(b, s, strlen(s) + 1); }
static inline void zeros(struct buf *b, size_t n) {
  memset(b->b + b->n, 0, n);
  b->n += n;
}
static inline void put_be32(struct buf *b, size_t at, uint32_t v) {
  b->b[at] = (uint8_t)(v >> 24);
  b->b[at + 1] = (uint8_t)(v >> 16);
  b->b[at + 2] = (uint8_t)(v >> 8);
  b->b[at + 3] = (uint8_t)v;
}
static inline void put_le32(struct buf *b, size_t at, uint32_t v) {
  b->b[at] = (uint8_t)v;
  b->b[at + 1] = (uint8_t)(v >> 8);
  b->b[at + 2] = (uint8_t)(v >> 16);
  b->b[at + 3] = (uint8_t)(v >> 24);
}
static inline void put_le24(struct buf *b, size_t at, uint32_t v) {
  b->b[at] = (uint8_t)v;
  b->b[at + 1] = (uint8_t)(v >> 8);
  b->b[at + 2] = (uint8_t)(v >> 16);
}

/* One flow as one probe sees it. */
struct run {
  union l7_scratch s;
  struct l7_facts f;
  uint8_t conf;
};

static inline int feed_fn(l7_probe_fn probe, struct run *r, const void *data,
                          size_t len, uint8_t dir, uint8_t proto, uint16_t port) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, data, len);
  struct l7_pkt p = {copy, len, proto, dir, 50123, port};
  int v = probe(&p, &r->s, &r->f, &r->conf);
  free(copy);
  assert_true(v >= L7_NO && v <= L7_DONE);
  assert_true(r->conf <= 100);
  /* The facts stay terminated whatever the probe read. */
  assert_non_null(memchr(r->f.u.gen.verb, 0, sizeof r->f.u.gen.verb));
  assert_non_null(memchr(r->f.u.gen.object, 0, sizeof r->f.u.gen.object));
  assert_non_null(memchr(r->f.u.gen.user, 0, sizeof r->f.u.gen.user));
  assert_non_null(memchr(r->f.u.gen.software, 0, sizeof r->f.u.gen.software));
  return v;
}

static inline int claims(int v) { return v == L7_MATCH || v == L7_DONE; }

/* --- first messages of many protocols, built field by field --- */

enum sample {
  /* other probes' protocols, and text protocols that open like ours */
  S_HTTP_REQ, S_HTTP_RESP, S_TLS_HELLO, S_SSH, S_DNS_UDP, S_DNS_TCP,
  S_SMTP_BANNER, S_POP3_BANNER, S_IMAP_BANNER, S_FTP_USER,
  /* ours */
  S_MYSQL_GREETING, S_MYSQL_LOGIN, S_MYSQL_QUERY, S_PG_STARTUP, S_PG_SSL,
  S_PG_QUERY, S_REDIS_CMD, S_REDIS_INLINE, S_MONGO_MSG, S_MONGO_QUERY,
  S_CQL_OPTIONS, S_CQL_STARTUP, S_KAFKA_APIVERSIONS, S_KAFKA_METADATA,
  S_MEMCACHED_SET, S_MEMCACHED_GETS, S_MEMCACHED_BIN, S_MEMCACHED_UDP,
  S_AMQP_HEADER, S_AMQP_PUBLISH, S_MQTT_CONNECT, S_MQTT_PUBLISH,
  S_COUNT
};

struct sample_meta {
  const char *app; /* the probe that should claim it */
  uint8_t proto, dir;
  uint16_t port;
};

/* A BSON document {find: "users", filter: {}, $db: "shop"}. */
static inline void bson_find(struct buf *b) {
  size_t at = b->n;
  le32(b, 0);
  u8(b, 0x02);
  cstr(b, "find");
  le32(b, 6);
  cstr(b, "users");
  u8(b, 0x03);
  cstr(b, "filter");
  le32(b, 5);
  u8(b, 0);
  u8(b, 0x02);
  cstr(b, "$db");
  le32(b, 5);
  cstr(b, "shop");
  u8(b, 0);
  put_le32(b, at, (uint32_t)(b->n - at));
}

/* A minimal TLS 1.2 ClientHello with SNI "db.example". */
static inline void tls_hello(struct buf *b) {
  static const char host[] = "db.example";
  size_t hl = sizeof host - 1;
  u8(b, 0x16);
  be16(b, 0x0301);
  size_t rec = b->n;
  be16(b, 0);
  u8(b, 1);
  size_t hs = b->n;
  u8(b, 0);
  be16(b, 0);
  be16(b, 0x0303);
  for (int i = 0; i < 32; i++)
    u8(b, i);
  u8(b, 0);       /* session id */
  be16(b, 2);     /* suites */
  be16(b, 0xc02f);
  u8(b, 1);       /* compression */
  u8(b, 0);
  be16(b, (unsigned)(9 + hl)); /* extensions */
  be16(b, 0);     /* server_name */
  be16(b, (unsigned)(5 + hl));
  be16(b, (unsigned)(3 + hl));
  u8(b, 0);
  be16(b, (unsigned)hl);
  bytes(b, host, hl);
  size_t body = b->n - hs - 3;
  b->b[hs] = (uint8_t)(body >> 16);
  b->b[hs + 1] = (uint8_t)(body >> 8);
  b->b[hs + 2] = (uint8_t)body;
  size_t rl = b->n - rec - 2;
  b->b[rec] = (uint8_t)(rl >> 8);
  b->b[rec + 1] = (uint8_t)rl;
}

static inline void dns_query(struct buf *b) {
  be16(b, 0x4242);
  be16(b, 0x0100);
  be16(b, 1);
  be16(b, 0);
  be16(b, 0);
  be16(b, 0);
  u8(b, 2);
  text(b, "db");
  u8(b, 7);
  text(b, "example");
  u8(b, 0);
  be16(b, 1);
  be16(b, 1);
}

/* MySQL: a packet's header is patched once its payload is in. */
static inline size_t mysql_begin(struct buf *b, unsigned seq) {
  size_t at = b->n;
  le32(b, seq << 24);
  return at;
}
static inline void mysql_end(struct buf *b, size_t at) {
  put_le24(b, at, (uint32_t)(b->n - at - 4));
}

static inline void mysql_greeting(struct buf *b, const char *version) {
  size_t at = mysql_begin(b, 0);
  u8(b, 10);
  cstr(b, version);
  le32(b, 12);                              /* thread id */
  bytes(b, "abcdefgh", 8);                  /* scramble, part 1 */
  u8(b, 0);                                 /* filler */
  le16(b, 0xffff);                          /* capabilities, low */
  u8(b, 0xff);                              /* character set */
  le16(b, 0x0002);                          /* status */
  le16(b, 0xdfff);                          /* capabilities, high */
  u8(b, 21);                                /* auth data length */
  zeros(b, 10);
  bytes(b, "ijklmnopqrst\0", 13);           /* scramble, part 2 */
  cstr(b, "caching_sha2_password");
  mysql_end(b, at);
}

#define MY_CAPS 0x002aa20du /* LONG_PASSWORD CONNECT_WITH_DB PROTOCOL_41 ... */

static inline void mysql_login(struct buf *b, const char *user, uint32_t caps) {
  size_t at = mysql_begin(b, 1);
  le32(b, caps);
  le32(b, 0x01000000);  /* max packet */
  u8(b, 0x21);          /* utf8 */
  zeros(b, 23);
  cstr(b, user);
  u8(b, 20);            /* auth response, length-encoded */
  bytes(b, "0123456789abcdefghij", 20);
  cstr(b, "shopdb");
  cstr(b, "mysql_native_password");
  mysql_end(b, at);
}

static inline void mysql_query(struct buf *b, const char *sql) {
  size_t at = mysql_begin(b, 0);
  u8(b, 0x03);
  text(b, sql);
  mysql_end(b, at);
}

static inline void pg_startup(struct buf *b, const char *user) {
  size_t at = b->n;
  be32(b, 0);
  be32(b, 0x00030000);
  cstr(b, "user");
  cstr(b, user);
  cstr(b, "database");
  cstr(b, "shop");
  cstr(b, "application_name");
  cstr(b, "psql");
  u8(b, 0);
  put_be32(b, at, (uint32_t)(b->n - at));
}

/* A typed message: type, length (patched), body. */
static inline size_t pg_begin(struct buf *b, char type) {
  u8(b, (uint8_t)type);
  size_t at = b->n;
  be32(b, 0);
  return at;
}
static inline void pg_end(struct buf *b, size_t at) {
  put_be32(b, at, (uint32_t)(b->n - at));
}
static inline void pg_query(struct buf *b, const char *sql) {
  size_t at = pg_begin(b, 'Q');
  cstr(b, sql);
  pg_end(b, at);
}

/* A RESP command of n arguments. */
static inline void resp_cmd(struct buf *b, size_t n, const char *const *args) {
  char tmp[32];
  int k = snprintf(tmp, sizeof tmp, "*%zu\r\n", n);
  bytes(b, tmp, (size_t)k);
  for (size_t i = 0; i < n; i++) {
    k = snprintf(tmp, sizeof tmp, "$%zu\r\n", strlen(args[i]));
    bytes(b, tmp, (size_t)k);
    text(b, args[i]);
    text(b, "\r\n");
  }
}

static inline size_t mongo_begin(struct buf *b, uint32_t id, uint32_t reply_to,
                                 uint32_t op) {
  size_t at = b->n;
  le32(b, 0);
  le32(b, id);
  le32(b, reply_to);
  le32(b, op);
  return at;
}
static inline void mongo_end(struct buf *b, size_t at) {
  put_le32(b, at, (uint32_t)(b->n - at));
}

static inline void mongo_find(struct buf *b, uint32_t id) {
  size_t at = mongo_begin(b, id, 0, 2013);
  le32(b, 0);  /* flags */
  u8(b, 0);    /* kind 0: body */
  bson_find(b);
  mongo_end(b, at);
}

/* CQL frame: header with the body length patched. */
static inline size_t cql_begin(struct buf *b, unsigned version, unsigned stream,
                               unsigned op) {
  u8(b, version);
  u8(b, 0);
  be16(b, stream);
  u8(b, op);
  size_t at = b->n;
  be32(b, 0);
  return at;
}
static inline void cql_end(struct buf *b, size_t at) {
  put_be32(b, at, (uint32_t)(b->n - at - 4));
}
static inline void cql_string(struct buf *b, const char *s) {
  be16(b, (unsigned)strlen(s));
  text(b, s);
}

/* Kafka request header (v1, or v2 with flexible = tagged fields). */
static inline size_t kafka_begin(struct buf *b, unsigned key, unsigned version,
                                 uint32_t corr, const char *client, int flexible) {
  size_t at = b->n;
  be32(b, 0);
  be16(b, key);
  be16(b, version);
  be32(b, corr);
  be16(b, (unsigned)strlen(client));
  text(b, client);
  if (flexible)
    u8(b, 0);
  return at;
}
static inline void kafka_end(struct buf *b, size_t at) {
  put_be32(b, at, (uint32_t)(b->n - at - 4));
}

/* AMQP 0-9-1 method frame: class, method, arguments, frame end. */
static inline size_t amqp_begin(struct buf *b, unsigned channel, unsigned cls,
                                unsigned method) {
  u8(b, 1);
  be16(b, channel);
  size_t at = b->n;
  be32(b, 0);
  be16(b, cls);
  be16(b, method);
  return at;
}
static inline void amqp_end(struct buf *b, size_t at) {
  put_be32(b, at, (uint32_t)(b->n - at - 4));
  u8(b, 0xce);
}
static inline void shortstr(struct buf *b, const char *s) {
  u8(b, (unsigned)strlen(s));
  text(b, s);
}

static inline void mqtt_str(struct buf *b, const char *s) {
  be16(b, (unsigned)strlen(s));
  text(b, s);
}
/* Fixed header (remaining length < 128 here) then the rest. */
static inline size_t mqtt_begin(struct buf *b, unsigned first) {
  u8(b, first);
  u8(b, 0);
  return b->n;
}
static inline void mqtt_end(struct buf *b, size_t at) {
  b->b[at - 1] = (uint8_t)(b->n - at);
}

static inline void mqtt_connect(struct buf *b, const char *client, const char *user) {
  size_t at = mqtt_begin(b, 0x10);
  mqtt_str(b, "MQTT");
  u8(b, 4);
  u8(b, 0xc2); /* user name, password, clean session */
  be16(b, 60);
  mqtt_str(b, client);
  mqtt_str(b, user);
  mqtt_str(b, "secret");
  mqtt_end(b, at);
}

static inline struct sample_meta sample(enum sample s, struct buf *b) {
  b->n = 0;
  switch (s) {
  case S_HTTP_REQ:
    text(b, "GET /api/items HTTP/1.1\r\nHost: shop\r\nUser-Agent: curl/8\r\n\r\n");
    return (struct sample_meta){"http", TCP, 0, 80};
  case S_HTTP_RESP:
    text(b, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    return (struct sample_meta){"http", TCP, 1, 80};
  case S_TLS_HELLO:
    tls_hello(b);
    return (struct sample_meta){"tls", TCP, 0, 443};
  case S_SSH:
    text(b, "SSH-2.0-OpenSSH_9.6\r\n");
    return (struct sample_meta){"ssh", TCP, 1, 22};
  case S_DNS_UDP:
    dns_query(b);
    return (struct sample_meta){"dns", UDP, 0, 53};
  case S_DNS_TCP: {
    struct buf q = {.n = 0};
    dns_query(&q);
    be16(b, (unsigned)q.n);
    bytes(b, q.b, q.n);
    return (struct sample_meta){"dns", TCP, 0, 53};
  }
  case S_SMTP_BANNER:
    text(b, "220 mail.example ESMTP Postfix\r\n");
    return (struct sample_meta){"smtp", TCP, 1, 25};
  case S_POP3_BANNER:
    text(b, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
    return (struct sample_meta){"pop3", TCP, 1, 110};
  case S_IMAP_BANNER:
    text(b, "* OK IMAP4rev1 Service Ready\r\n");
    return (struct sample_meta){"imap", TCP, 1, 143};
  case S_FTP_USER:
    text(b, "USER anonymous\r\n");
    return (struct sample_meta){"ftp", TCP, 0, 21};
  case S_MYSQL_GREETING:
    mysql_greeting(b, "8.0.36");
    return (struct sample_meta){"mysql", TCP, 1, 3306};
  case S_MYSQL_LOGIN:
    mysql_login(b, "shop", MY_CAPS);
    return (struct sample_meta){"mysql", TCP, 0, 3306};
  case S_MYSQL_QUERY:
    mysql_query(b, "SELECT id, name FROM users WHERE id = 1");
    return (struct sample_meta){"mysql", TCP, 0, 3306};
  case S_PG_STARTUP:
    pg_startup(b, "app");
    return (struct sample_meta){"postgresql", TCP, 0, 5432};
  case S_PG_SSL:
    be32(b, 8);
    be32(b, 80877103);
    return (struct sample_meta){"postgresql", TCP, 0, 5432};
  case S_PG_QUERY:
    pg_query(b, "SELECT * FROM orders WHERE id = 7");
    return (struct sample_meta){"postgresql", TCP, 0, 5432};
  case S_REDIS_CMD: {
    static const char *const args[] = {"SET", "session:42", "alice"};
    resp_cmd(b, 3, args);
    return (struct sample_meta){"redis", TCP, 0, 6379};
  }
  case S_REDIS_INLINE:
    text(b, "PING\r\n");
    return (struct sample_meta){"redis", TCP, 0, 6379};
  case S_MONGO_MSG:
    mongo_find(b, 7);
    return (struct sample_meta){"mongodb", TCP, 0, 27017};
  case S_MONGO_QUERY: {
    size_t at = mongo_begin(b, 1, 0, 2004);
    le32(b, 0);
    cstr(b, "admin.$cmd");
    le32(b, 0);
    le32(b, 0xffffffffu);
    size_t d = b->n;
    le32(b, 0);
    u8(b, 0x10);
    cstr(b, "isMaster");
    le32(b, 1);
    u8(b, 0);
    put_le32(b, d, (uint32_t)(b->n - d));
    mongo_end(b, at);
    return (struct sample_meta){"mongodb", TCP, 0, 27017};
  }
  case S_CQL_OPTIONS: {
    size_t at = cql_begin(b, 4, 0, 0x05);
    cql_end(b, at);
    return (struct sample_meta){"cassandra", TCP, 0, 9042};
  }
  case S_CQL_STARTUP: {
    size_t at = cql_begin(b, 4, 1, 0x01);
    be16(b, 1);
    cql_string(b, "CQL_VERSION");
    cql_string(b, "3.0.0");
    cql_end(b, at);
    return (struct sample_meta){"cassandra", TCP, 0, 9042};
  }
  case S_KAFKA_APIVERSIONS: {
    size_t at = kafka_begin(b, 18, 3, 0, "producer-1", 1);
    u8(b, 18);
    text(b, "apache-kafka-java");
    u8(b, 6);
    text(b, "3.6.1");
    u8(b, 0);
    kafka_end(b, at);
    return (struct sample_meta){"kafka", TCP, 0, 9092};
  }
  case S_KAFKA_METADATA: {
    size_t at = kafka_begin(b, 3, 4, 2, "producer-1", 0);
    be32(b, 1);
    be16(b, 6);
    text(b, "orders");
    u8(b, 1); /* allow_auto_topic_creation */
    kafka_end(b, at);
    return (struct sample_meta){"kafka", TCP, 0, 9092};
  }
  case S_MEMCACHED_SET:
    text(b, "set user:1 0 300 5\r\nalice\r\n");
    return (struct sample_meta){"memcached", TCP, 0, 11211};
  case S_MEMCACHED_GETS:
    text(b, "gets user:1 user:2\r\n");
    return (struct sample_meta){"memcached", TCP, 0, 11211};
  case S_MEMCACHED_BIN:
    u8(b, 0x80);
    u8(b, 0x00); /* GET */
    be16(b, 6);
    u8(b, 0);
    u8(b, 0);
    be16(b, 0);
    be32(b, 6);
    be32(b, 0xdeadbeef);
    be32(b, 0);
    be32(b, 0);
    text(b, "user:1");
    return (struct sample_meta){"memcached", TCP, 0, 11211};
  case S_MEMCACHED_UDP:
    be16(b, 0x0101);
    be16(b, 0);
    be16(b, 1);
    be16(b, 0);
    text(b, "gets user:1\r\n");
    return (struct sample_meta){"memcached", UDP, 0, 11211};
  case S_AMQP_HEADER:
    bytes(b, "AMQP\x00\x00\x09\x01", 8);
    return (struct sample_meta){"amqp", TCP, 0, 5672};
  case S_AMQP_PUBLISH: {
    size_t at = amqp_begin(b, 1, 60, 40);
    be16(b, 0);
    shortstr(b, "orders");
    shortstr(b, "order.created");
    u8(b, 0);
    amqp_end(b, at);
    return (struct sample_meta){"amqp", TCP, 0, 5672};
  }
  case S_MQTT_CONNECT:
    mqtt_connect(b, "sensor-1", "dev");
    return (struct sample_meta){"mqtt", TCP, 0, 1883};
  case S_MQTT_PUBLISH: {
    size_t at = mqtt_begin(b, 0x32); /* QoS 1 */
    mqtt_str(b, "sensors/kitchen/temp");
    be16(b, 5);
    text(b, "21.5");
    mqtt_end(b, at);
    return (struct sample_meta){"mqtt", TCP, 0, 1883};
  }
  case S_COUNT:
    break;
  }
  fail_msg("no sample %d", (int)s);
  return (struct sample_meta){"", 0, 0, 0};
}

/* --- checks every probe passes --- */

/* Every other protocol's first message: NO, except the samples listed in
 * `maybe` (an S_COUNT-terminated list), which may get MORE but never a
 * claim. */
static inline void refuses_others(l7_probe_fn probe, const char *app,
                                  const enum sample *maybe) {
  for (int s = 0; s < S_COUNT; s++) {
    struct buf b;
    struct sample_meta m = sample((enum sample)s, &b);
    if (strcmp(m.app, app) == 0)
      continue;
    int allowed = 0;
    for (const enum sample *x = maybe; x && *x != S_COUNT; x++)
      allowed |= *x == (enum sample)s;
    for (uint8_t dir = 0; dir < 2; dir++) {
      struct run r;
      memset(&r, 0, sizeof r);
      int v = feed_fn(probe, &r, b.b, b.n, dir, m.proto, m.port);
      if (claims(v) || (v != L7_NO && !allowed))
        fail_msg("%s probe said %d to sample %d (%s) in direction %u", app, v, s,
                 m.app, dir);
    }
  }
}

/* Every prefix of a message: never NO (it may be cut), a claim from
 * claim_from bytes on when claim_from > 0. */
static inline void every_prefix(l7_probe_fn probe, const struct buf *b,
                                uint8_t dir, uint8_t proto, uint16_t port,
                                size_t claim_from) {
  for (size_t n = 1; n < b->n; n++) {
    struct run r;
    memset(&r, 0, sizeof r);
    int v = feed_fn(probe, &r, b->b, n, dir, proto, port);
    if (v == L7_NO)
      fail_msg("prefix of %zu bytes (of %zu): NO", n, b->n);
    if (claim_from && n >= claim_from && !claims(v))
      fail_msg("prefix of %zu bytes (of %zu): %d, not claimed", n, b->n, v);
  }
}

/* Random payloads, alone and after a valid first message of another
 * protocol: no claim. */
static inline void random_junk(l7_probe_fn probe, uint8_t proto, uint16_t port,
                               uint32_t seed) {
  uint32_t x = seed;
  int claimed = 0;
  for (int i = 0; i < 20000; i++) {
    uint8_t b[96];
    size_t n = 1 + (size_t)(i % 96);
    for (size_t k = 0; k < n; k++) {
      x = x * 1103515245u + 12345u;
      b[k] = (uint8_t)(x >> 16);
    }
    struct run r;
    memset(&r, 0, sizeof r);
    int v = feed_fn(probe, &r, b, n, (uint8_t)(i & 1), proto, port);
    if (v == L7_MORE)
      v = feed_fn(probe, &r, b, n, (uint8_t)((i & 1) ^ 1), proto, port);
    claimed += claims(v);
  }
  assert_int_equal(claimed, 0);
}

#endif
