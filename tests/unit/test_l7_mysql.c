/* tests/unit/test_l7_mysql.c — the MySQL probe on packets built byte by
 * byte (protocol 10 greeting, HandshakeResponse41, SSLRequest, commands,
 * answers): both directions, facts, query attributes, MariaDB, every cut,
 * and what is not MySQL. Payloads are copied into exact-size buffers. */
#include "l7_data_samples.h"

static int feed(struct run *r, const struct buf *b, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_mysql, r, b->b, b->n, dir, TCP, port);
}

/* OK packet with a sequence number. */
static void ok_packet(struct buf *b, unsigned seq) {
  size_t at = mysql_begin(b, seq);
  u8(b, 0x00);
  u8(b, 0);
  u8(b, 0);
  le16(b, 0x0002);
  le16(b, 0);
  mysql_end(b, at);
}

/* A result set's first packets: column count, one column definition. */
static void result_set(struct buf *b) {
  size_t at = mysql_begin(b, 1);
  u8(b, 1);
  mysql_end(b, at);
  at = mysql_begin(b, 2);
  u8(b, 3);
  text(b, "def");
  u8(b, 4);
  text(b, "shop");
  u8(b, 5);
  text(b, "users");
  u8(b, 5);
  text(b, "users");
  u8(b, 2);
  text(b, "id");
  u8(b, 2);
  text(b, "id");
  mysql_end(b, at);
}

static void test_login_then_query(void **state) {
  (void)state;
  struct buf g = {.n = 0}, l = {.n = 0}, ok = {.n = 0}, q = {.n = 0}, rs = {.n = 0};
  mysql_greeting(&g, "8.0.36");
  mysql_login(&l, "shop", MY_CAPS);
  ok_packet(&ok, 2);
  mysql_query(&q, "SELECT id, name FROM users WHERE id = 1");
  result_set(&rs);
  struct run r = {0};
  assert_int_equal(feed(&r, &g, 1, 3306), L7_MATCH);
  assert_int_equal(r.conf, 95);
  assert_string_equal(r.f.u.gen.software, "8.0.36");
  assert_int_equal(feed(&r, &l, 0, 3306), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.user, "shop");
  assert_int_equal(feed(&r, &ok, 1, 3306), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_int_equal(feed(&r, &q, 0, 3306), L7_DONE);
  assert_string_equal(r.f.u.gen.verb, "SELECT");
  assert_string_equal(r.f.u.gen.object, "users");
  (void)rs;

  /* No port bonus elsewhere. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &g, 1, 13306), L7_MATCH);
  assert_int_equal(r2.conf, 90);
}

static void test_query_and_answer_mid_flow(void **state) {
  (void)state;
  struct buf q = {.n = 0}, rs = {.n = 0}, ok = {.n = 0};
  mysql_query(&q, "update `shop`.`orders` set state = 'paid' where id = 9");
  result_set(&rs);
  ok_packet(&ok, 1);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, 3307), L7_MATCH);
  assert_int_equal(r.conf, 80);
  assert_string_equal(r.f.u.gen.verb, "UPDATE");
  assert_string_equal(r.f.u.gen.object, "shop.orders");
  assert_int_equal(feed(&r, &ok, 1, 3307), L7_DONE);
  assert_int_equal(r.conf, 100);

  struct run r2 = {0};
  mysql_query(&q, "");
  q.n = 0;
  mysql_query(&q, "select count(*) from items i join stock s on s.item = i.id");
  assert_int_equal(feed(&r2, &q, 0, 3306), L7_MATCH);
  assert_int_equal(r2.conf, 85);
  assert_int_equal(feed(&r2, &rs, 1, 3306), L7_DONE);
  assert_int_equal(r2.conf, 100);
  assert_string_equal(r2.f.u.gen.object, "items");

  /* An answer with the wrong sequence number is not the answer. */
  struct run r3 = {0};
  struct buf bad = {.n = 0};
  ok_packet(&bad, 5);
  assert_int_equal(feed(&r3, &q, 0, 3306), L7_MATCH);
  assert_int_equal(feed(&r3, &bad, 1, 3306), L7_MATCH);
  assert_int_equal(r3.conf, 85);
}

static void test_ssl_request(void **state) {
  (void)state;
  struct buf g = {.n = 0}, ssl = {.n = 0};
  mysql_greeting(&g, "8.0.28");
  size_t at = mysql_begin(&ssl, 1);
  le32(&ssl, MY_CAPS | 0x800);
  le32(&ssl, 0x01000000);
  u8(&ssl, 0x21);
  zeros(&ssl, 23);
  mysql_end(&ssl, at);
  struct run r = {0};
  assert_int_equal(feed(&r, &g, 1, 3306), L7_MATCH);
  assert_int_equal(feed(&r, &ssl, 0, 3306), L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.user, "");
  /* The same 32 bytes without CLIENT_SSL are nothing. */
  struct run r2 = {0};
  ssl.b[5] &= (uint8_t)~0x08;
  assert_int_equal(feed(&r2, &g, 1, 3306), L7_MATCH);
  assert_int_equal(feed(&r2, &ssl, 0, 3306), L7_MATCH);
  assert_int_equal(r2.conf, 95);
}

static void test_refusal(void **state) {
  (void)state;
  /* Zeek's auth.pcap: the server refuses the host before any greeting. */
  struct buf e = {.n = 0};
  size_t at = mysql_begin(&e, 0);
  u8(&e, 0xff);
  le16(&e, 1130);
  text(&e, "Host 'lumberjack.home' is not allowed to connect to this MySQL server");
  mysql_end(&e, at);
  struct run r = {0};
  assert_int_equal(feed(&r, &e, 1, 3306), L7_DONE);
  assert_int_equal(r.conf, 75);
  /* An error code out of the server's range is not taken. */
  struct run r2 = {0};
  e.b[5] = 0x00;
  e.b[6] = 0x00;
  assert_int_equal(feed(&r2, &e, 1, 3306), L7_MORE);
}

static void test_short_command(void **state) {
  (void)state;
  struct buf ping = {.n = 0}, ok = {.n = 0};
  size_t at = mysql_begin(&ping, 0);
  u8(&ping, 0x0e);
  mysql_end(&ping, at);
  ok_packet(&ok, 1);
  struct run r = {0};
  assert_int_equal(feed(&r, &ping, 0, 3306), L7_MORE);
  assert_int_equal(feed(&r, &ok, 1, 3306), L7_MATCH);
  assert_int_equal(r.conf, 90);
  /* A ping answered by something else: no. */
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &ping, 0, 3306), L7_MORE);
  struct buf junk = {.n = 0};
  text(&junk, "+PONG\r\n");
  assert_int_equal(feed(&r2, &junk, 1, 3306), L7_NO);
}

static void test_query_attributes(void **state) {
  (void)state;
  struct buf g = {.n = 0}, l = {.n = 0}, q = {.n = 0};
  mysql_greeting(&g, "9.0.0");
  mysql_login(&l, "root", MY_CAPS | 0x08000000u);
  /* No parameters: count 0, one set, the text. */
  size_t at = mysql_begin(&q, 0);
  u8(&q, 0x03);
  u8(&q, 0);
  u8(&q, 1);
  text(&q, "show databases");
  mysql_end(&q, at);
  struct run r = {0};
  assert_int_equal(feed(&r, &g, 1, 3306), L7_MATCH);
  assert_int_equal(feed(&r, &l, 0, 3306), L7_MATCH);
  assert_int_equal(feed(&r, &q, 0, 3306), L7_DONE);
  assert_string_equal(r.f.u.gen.verb, "SHOW");

  /* Two string parameters (Zeek's query-attr.pcap): walked to the text. */
  struct buf q2 = {.n = 0};
  at = mysql_begin(&q2, 0);
  u8(&q2, 0x03);
  u8(&q2, 2);
  u8(&q2, 1);
  u8(&q2, 0x00); /* null bitmap */
  u8(&q2, 0x01); /* types follow */
  be16(&q2, 0xfe00);
  u8(&q2, 2);
  text(&q2, "n1");
  be16(&q2, 0xfe00);
  u8(&q2, 2);
  text(&q2, "n2");
  u8(&q2, 2);
  text(&q2, "v1");
  u8(&q2, 2);
  text(&q2, "v2");
  text(&q2, "select now()");
  mysql_end(&q2, at);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &g, 1, 3306), L7_MATCH);
  assert_int_equal(feed(&r2, &l, 0, 3306), L7_MATCH);
  assert_int_equal(feed(&r2, &q2, 0, 3306), L7_DONE);
  assert_string_equal(r2.f.u.gen.verb, "SELECT");
  assert_string_equal(r2.f.u.gen.object, "");

  /* Attributes seen without the handshake (mid-flow): still a query. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &q, 0, 3306), L7_MATCH);
  assert_string_equal(r3.f.u.gen.verb, "SHOW");
}

static void test_mariadb(void **state) {
  (void)state;
  struct buf g = {.n = 0}, l = {.n = 0};
  mysql_greeting(&g, "5.5.5-10.6.12-MariaDB-0ubuntu0.22.04.1");
  /* MariaDB keeps extended capabilities in the filler's last 4 bytes. */
  mysql_login(&l, "admin", MY_CAPS);
  l.b[4 + 9 + 19] = 0x1d;
  struct run r = {0};
  assert_int_equal(feed(&r, &g, 1, 3306), L7_MATCH);
  assert_string_equal(r.f.u.gen.software, "5.5.5-10.6.12-MariaDB-0ubuntu0.22.04.1");
  assert_int_equal(feed(&r, &l, 0, 3306), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.user, "admin");
  /* Earlier filler bytes must be zero. */
  struct run r2 = {0};
  l.b[4 + 9 + 3] = 1;
  assert_int_equal(feed(&r2, &g, 1, 3306), L7_MATCH);
  assert_int_equal(feed(&r2, &l, 0, 3306), L7_MATCH);
  assert_int_equal(r2.conf, 95);
  assert_string_equal(r2.f.u.gen.user, "");
}

static void test_statements(void **state) {
  (void)state;
  static const struct {
    const char *sql, *verb, *object;
  } cases[] = {
      {"INSERT INTO `shop`.`orders` (a, b) VALUES (1, 'x')", "INSERT", "shop.orders"},
      {"  -- note\n  delete from sessions where id = 'FROM nowhere'", "DELETE", "sessions"},
      {"/*!40101 SET NAMES utf8mb4 */", "SET", ""},
      {"/* hint */ SELECT a FROM t1 WHERE b = 2", "SELECT", "t1"},
      {"(SELECT a FROM t2) UNION (SELECT a FROM t3)", "SELECT", "t2"},
      {"SELECT * FROM (SELECT id FROM inner_t) AS x", "SELECT", "inner_t"},
      {"CREATE TABLE IF NOT EXISTS logs (id INT)", "CREATE", "logs"},
      {"select 'a from b' as s from real_table", "SELECT", "real_table"},
      {"replace low_priority into cache values (1)", "REPLACE", "cache"},
      {"select @@version_comment limit 1", "SELECT", ""},
      {"BEGIN", "BEGIN", ""},
      {"lock tables accounts write", "LOCK", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct buf q = {.n = 0};
    mysql_query(&q, cases[i].sql);
    struct run r = {0};
    int v = feed(&r, &q, 0, 3306);
    if (!claims(v))
      fail_msg("%s: %d", cases[i].sql, v);
    assert_string_equal(r.f.u.gen.verb, cases[i].verb);
    assert_string_equal(r.f.u.gen.object, cases[i].object);
  }
  /* A query cut inside its table name leaves the object empty. */
  struct buf q = {.n = 0};
  mysql_query(&q, "SELECT * FROM customers");
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_mysql, &r, q.b, q.n - 3, 0, TCP, 3306), L7_MATCH);
  assert_string_equal(r.f.u.gen.verb, "SELECT");
  assert_string_equal(r.f.u.gen.object, "");
  /* Text that is not SQL is no query. */
  struct buf t = {.n = 0};
  mysql_query(&t, "hello world");
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &t, 0, 3306), L7_MORE);
}

static void test_long_fields(void **state) {
  (void)state;
  char version[64], user[80];
  memset(version, '9', 63);
  version[63] = '\0';
  memset(user, 'u', 79);
  user[79] = '\0';
  struct buf g = {.n = 0}, l = {.n = 0};
  mysql_greeting(&g, version);
  mysql_login(&l, "averyveryveryveryveryveryveryveryveryveryveryverylongusername", MY_CAPS);
  struct run r = {0};
  assert_int_equal(feed(&r, &g, 1, 3306), L7_MATCH);
  assert_int_equal(strlen(r.f.u.gen.software), 63);
  assert_int_equal(feed(&r, &l, 0, 3306), L7_MATCH);
  assert_string_equal(r.f.u.gen.user,
                      "averyveryveryveryveryveryveryveryveryveryveryverylongusername");
  /* A version past 63 bytes is no greeting; a user past 64 no login. */
  struct buf g2 = {.n = 0};
  char longer[80];
  memset(longer, '8', 79);
  longer[79] = '\0';
  mysql_greeting(&g2, longer);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &g2, 1, 3306), L7_MORE);
  struct buf l2 = {.n = 0};
  mysql_login(&l2, user, MY_CAPS);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &l2, 0, 3306), L7_MORE);
}

static void test_every_prefix(void **state) {
  (void)state;
  struct buf g = {.n = 0}, l = {.n = 0}, q = {.n = 0};
  mysql_greeting(&g, "8.0.36");
  mysql_login(&l, "shop", MY_CAPS);
  mysql_query(&q, "SELECT id FROM users");
  /* The greeting is taken once its filler is in: 4 + 1 + 7 + 13 bytes. */
  every_prefix(l7_probe_mysql, &g, 1, TCP, 3306, 4 + 1 + 7 + 13);
  /* The login once its 32 fixed bytes are in. */
  every_prefix(l7_probe_mysql, &l, 0, TCP, 3306, 4 + 32);
  /* A query once its verb and a blank are. */
  every_prefix(l7_probe_mysql, &q, 0, TCP, 3306, 4 + 1 + 6);
}

static void test_not_mysql(void **state) {
  (void)state;
  static const enum sample maybe[] = {
      /* a consistently framed packet is waited through once: these start
       * with a length that happens to fit a MySQL header */
      S_COUNT};
  refuses_others(l7_probe_mysql, "mysql", maybe);
  struct buf g = {.n = 0};
  mysql_greeting(&g, "8.0.36");
  /* Protocol 9, a version that does not start with a digit, a filler that
   * is not zero, a byte too many. */
  struct buf bad = g;
  bad.b[4] = 9;
  struct run r = {0};
  assert_int_equal(feed(&r, &bad, 1, 3306), L7_MORE);
  bad = g;
  bad.b[5] = 'v';
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &bad, 1, 3306), L7_MORE);
  bad = g;
  bad.b[4 + 1 + 7 + 12] = 1;
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &bad, 1, 3306), L7_MORE);
  bad = g;
  u8(&bad, 0);
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &bad, 1, 3306), L7_NO);
  /* Over UDP, nothing. */
  struct run r5 = {0};
  assert_int_equal(feed_fn(l7_probe_mysql, &r5, g.b, g.n, 1, UDP, 3306), L7_NO);
  /* Framed packets that never turn into a greeting or a command. */
  struct run r6 = {0};
  struct buf f = {.n = 0};
  size_t at = mysql_begin(&f, 4);
  text(&f, "xyz");
  mysql_end(&f, at);
  assert_int_equal(feed(&r6, &f, 1, 3306), L7_MORE);
  assert_int_equal(feed(&r6, &f, 1, 3306), L7_NO);
}

static void test_random_junk(void **state) {
  (void)state;
  random_junk(l7_probe_mysql, TCP, 3306, 7);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_login_then_query),
      cmocka_unit_test(test_query_and_answer_mid_flow),
      cmocka_unit_test(test_ssl_request),
      cmocka_unit_test(test_refusal),
      cmocka_unit_test(test_short_command),
      cmocka_unit_test(test_query_attributes),
      cmocka_unit_test(test_mariadb),
      cmocka_unit_test(test_statements),
      cmocka_unit_test(test_long_fields),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_not_mysql),
      cmocka_unit_test(test_random_junk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
