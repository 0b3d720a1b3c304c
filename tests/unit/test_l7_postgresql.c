/* tests/unit/test_l7_postgresql.c — the PostgreSQL probe on messages built
 * byte by byte (protocol 3): StartupMessage, SSLRequest, GSSENCRequest,
 * CancelRequest, the server's authentication and parameters, simple and
 * extended queries, flows seen mid-way, every cut, and what is not
 * PostgreSQL. Payloads are copied into exact-size buffers. */
#include "l7_data_samples.h"

static int feed(struct run *r, const struct buf *b, uint8_t dir, uint16_t port) {
  return feed_fn(l7_probe_postgresql, r, b->b, b->n, dir, TCP, port);
}

static void auth(struct buf *b, uint32_t code, const void *extra, size_t n) {
  size_t at = pg_begin(b, 'R');
  be32(b, code);
  if (n)
    bytes(b, extra, n);
  pg_end(b, at);
}

static void param(struct buf *b, const char *name, const char *value) {
  size_t at = pg_begin(b, 'S');
  cstr(b, name);
  cstr(b, value);
  pg_end(b, at);
}

static void ready(struct buf *b) {
  size_t at = pg_begin(b, 'Z');
  u8(b, 'I');
  pg_end(b, at);
}

/* What a server sends once the password is right. */
static void login_ok(struct buf *b) {
  auth(b, 0, NULL, 0);
  param(b, "client_encoding", "UTF8");
  param(b, "server_version", "16.2 (Debian 16.2-1.pgdg120+2)");
  size_t at = pg_begin(b, 'K');
  be32(b, 4242);
  be32(b, 0x01020304);
  pg_end(b, at);
  ready(b);
}

/* A query's answer: RowDescription, DataRow, CommandComplete, ready. */
static void answer(struct buf *b) {
  size_t at = pg_begin(b, 'T');
  be16(b, 1);
  cstr(b, "id");
  be32(b, 0);
  be16(b, 0);
  be32(b, 23);
  be16(b, 4);
  be32(b, 0xffffffffu);
  be16(b, 0);
  pg_end(b, at);
  at = pg_begin(b, 'D');
  be16(b, 1);
  be32(b, 1);
  u8(b, '7');
  pg_end(b, at);
  at = pg_begin(b, 'C');
  cstr(b, "SELECT 1");
  pg_end(b, at);
  ready(b);
}

static void test_login_and_query(void **state) {
  (void)state;
  struct buf st = {.n = 0}, md5 = {.n = 0}, pw = {.n = 0}, ok = {.n = 0},
             q = {.n = 0}, a = {.n = 0};
  pg_startup(&st, "oryx");
  auth(&md5, 5, "\xad\x44\xff\x54", 4);
  size_t at = pg_begin(&pw, 'p');
  cstr(&pw, "md5ceffc01dcde7541829deef6b5e9c9142");
  pg_end(&pw, at);
  login_ok(&ok);
  pg_query(&q, "select * from mailboxes where owner = 'x'");
  answer(&a);
  struct run r = {0};
  assert_int_equal(feed(&r, &st, 0, 5432), L7_MATCH);
  assert_int_equal(r.conf, 95);
  assert_string_equal(r.f.u.gen.user, "oryx");
  assert_int_equal(feed(&r, &md5, 1, 5432), L7_MATCH);
  assert_int_equal(r.conf, 100);
  assert_int_equal(feed(&r, &pw, 0, 5432), L7_MATCH);
  assert_int_equal(feed(&r, &ok, 1, 5432), L7_MATCH);
  assert_string_equal(r.f.u.gen.software, "16.2 (Debian 16.2-1.pgdg120+2)");
  assert_int_equal(feed(&r, &q, 0, 5432), L7_DONE);
  assert_int_equal(r.conf, 100);
  assert_string_equal(r.f.u.gen.verb, "SELECT");
  assert_string_equal(r.f.u.gen.object, "mailboxes");

  struct run r2 = {0};
  assert_int_equal(feed(&r2, &st, 0, 6543), L7_MATCH);
  assert_int_equal(r2.conf, 90);
}

static void test_scram(void **state) {
  (void)state;
  struct buf st = {.n = 0}, sasl = {.n = 0};
  pg_startup(&st, "test");
  auth(&sasl, 10, "SCRAM-SHA-256\0\0", 15);
  struct run r = {0};
  assert_int_equal(feed(&r, &st, 0, 5432), L7_MATCH);
  assert_int_equal(feed(&r, &sasl, 1, 5432), L7_MATCH);
  assert_int_equal(r.conf, 100);
  /* An authentication code that does not exist is not an answer. */
  struct buf bad = {.n = 0};
  auth(&bad, 4, NULL, 0);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &st, 0, 5432), L7_MATCH);
  assert_int_equal(feed(&r2, &bad, 1, 5432), L7_MATCH);
  assert_int_equal(r2.conf, 95);
}

static void test_ssl_request(void **state) {
  (void)state;
  struct buf ssl = {.n = 0}, ch = {.n = 0}, sh = {.n = 0}, st = {.n = 0};
  sample(S_PG_SSL, &ssl);
  tls_hello(&ch);
  u8(&sh, 0x16);
  be16(&sh, 0x0303);
  be16(&sh, 4);
  bytes(&sh, "\x02\x00\x00\x00", 4);
  struct run r = {0};
  assert_int_equal(feed(&r, &ssl, 0, 5432), L7_MATCH);
  assert_int_equal(r.conf, 90);
  /* The server's 'S' is one byte the dispatcher never shows: TLS next. */
  assert_int_equal(feed(&r, &ch, 0, 5432), L7_MATCH);
  assert_int_equal(r.conf, 95);
  assert_int_equal(feed(&r, &sh, 1, 5432), L7_DONE);
  assert_int_equal(r.conf, 100);
  /* After 'N', a plain StartupMessage. */
  pg_startup(&st, "zeek");
  struct buf ok = {.n = 0};
  login_ok(&ok);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &ssl, 0, 5432), L7_MATCH);
  assert_int_equal(feed(&r2, &st, 0, 5432), L7_MATCH);
  assert_string_equal(r2.f.u.gen.user, "zeek");
  assert_int_equal(feed(&r2, &ok, 1, 5432), L7_MATCH);
  assert_int_equal(r2.conf, 100);
  assert_string_equal(r2.f.u.gen.software, "16.2 (Debian 16.2-1.pgdg120+2)");
}

static void test_gss_and_cancel(void **state) {
  (void)state;
  struct buf gss = {.n = 0}, cancel = {.n = 0};
  be32(&gss, 8);
  be32(&gss, 80877104);
  struct run r = {0};
  assert_int_equal(feed(&r, &gss, 0, 5432), L7_MATCH);
  assert_int_equal(r.conf, 90);
  static const uint8_t token[] = {0x00, 0x00, 0x02, 0x10, 0x60, 0x82};
  assert_int_equal(feed_fn(l7_probe_postgresql, &r, token, sizeof token, 0, TCP, 5432),
                   L7_DONE);
  be32(&cancel, 16);
  be32(&cancel, 80877102);
  be32(&cancel, 4242);
  be32(&cancel, 0xdeadbeef);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &cancel, 0, 5432), L7_DONE);
  assert_int_equal(r2.conf, 90);
  /* A request of the wrong length is none. */
  struct buf bad = {.n = 0};
  be32(&bad, 12);
  be32(&bad, 80877102);
  be32(&bad, 1);
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &bad, 0, 5432), L7_NO);
}

static void test_startup_versions(void **state) {
  (void)state;
  struct buf st = {.n = 0};
  pg_startup(&st, "app");
  /* 3.2 (PostgreSQL 18) is taken; 2.0 and 4.0 are not. */
  st.b[7] = 2;
  struct run r = {0};
  assert_int_equal(feed(&r, &st, 0, 5432), L7_MATCH);
  st.b[7] = 0;
  st.b[5] = 2;
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &st, 0, 5432), L7_NO);
  st.b[5] = 4;
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &st, 0, 5432), L7_NO);
  /* Without a user, or with a length that is not the message's. */
  struct buf nouser = {.n = 0};
  be32(&nouser, 0);
  be32(&nouser, 0x00030000);
  cstr(&nouser, "database");
  cstr(&nouser, "shop");
  u8(&nouser, 0);
  put_be32(&nouser, 0, (uint32_t)nouser.n);
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &nouser, 0, 5432), L7_NO);
  struct buf len = {.n = 0};
  pg_startup(&len, "app");
  put_be32(&len, 0, (uint32_t)len.n - 1);
  struct run r5 = {0};
  assert_int_equal(feed(&r5, &len, 0, 5432), L7_NO);
}

static void test_mid_flow(void **state) {
  (void)state;
  struct buf q = {.n = 0}, a = {.n = 0};
  pg_query(&q, "INSERT INTO public.events (kind) VALUES ('login')");
  answer(&a);
  struct run r = {0};
  assert_int_equal(feed(&r, &q, 0, 5433), L7_MATCH);
  assert_int_equal(r.conf, 80);
  assert_string_equal(r.f.u.gen.verb, "INSERT");
  assert_string_equal(r.f.u.gen.object, "public.events");
  assert_int_equal(feed(&r, &a, 1, 5433), L7_MATCH);
  assert_int_equal(r.conf, 100);

  /* The extended protocol: Parse, Bind, Describe, Execute, Sync. */
  struct buf ext = {.n = 0};
  size_t at = pg_begin(&ext, 'P');
  cstr(&ext, "");
  cstr(&ext, "select id, name from users where id = $1");
  be16(&ext, 1);
  be32(&ext, 23);
  pg_end(&ext, at);
  at = pg_begin(&ext, 'B');
  cstr(&ext, "");
  cstr(&ext, "");
  be16(&ext, 0);
  be16(&ext, 1);
  be32(&ext, 1);
  u8(&ext, '7');
  be16(&ext, 0);
  pg_end(&ext, at);
  at = pg_begin(&ext, 'E');
  cstr(&ext, "");
  be32(&ext, 0);
  pg_end(&ext, at);
  at = pg_begin(&ext, 'S');
  pg_end(&ext, at);
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &ext, 0, 5432), L7_MATCH);
  assert_string_equal(r2.f.u.gen.verb, "SELECT");
  assert_string_equal(r2.f.u.gen.object, "users");

  /* The server's side alone: two messages or more, once; one waits. */
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &a, 1, 5432), L7_MATCH);
  assert_int_equal(r3.conf, 80);
  struct buf z = {.n = 0};
  ready(&z);
  struct run r4 = {0};
  assert_int_equal(feed(&r4, &z, 1, 5432), L7_MORE);
  assert_int_equal(feed(&r4, &z, 1, 5432), L7_NO);
  /* Bind/Execute without a Parse: wait once, then the query decides. */
  struct buf be = {.n = 0};
  at = pg_begin(&be, 'E');
  cstr(&be, "");
  be32(&be, 0);
  pg_end(&be, at);
  struct run r5 = {0};
  assert_int_equal(feed(&r5, &be, 0, 5432), L7_MORE);
  assert_int_equal(feed(&r5, &q, 0, 5432), L7_MATCH);
}

static void test_error_and_notice(void **state) {
  (void)state;
  struct buf st = {.n = 0}, e = {.n = 0};
  pg_startup(&st, "nobody");
  size_t at = pg_begin(&e, 'E');
  u8(&e, 'S');
  cstr(&e, "FATAL");
  u8(&e, 'C');
  cstr(&e, "28000");
  u8(&e, 'M');
  cstr(&e, "role \"nobody\" does not exist");
  u8(&e, 0);
  pg_end(&e, at);
  struct run r = {0};
  assert_int_equal(feed(&r, &st, 0, 5432), L7_MATCH);
  assert_int_equal(feed(&r, &e, 1, 5432), L7_MATCH);
  assert_int_equal(r.conf, 100);
  /* An error whose fields are not terminated is not one. */
  e.b[e.n - 1] = 'x';
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &st, 0, 5432), L7_MATCH);
  assert_int_equal(feed(&r2, &e, 1, 5432), L7_MATCH);
  assert_int_equal(r2.conf, 95);
}

static void test_every_prefix(void **state) {
  (void)state;
  struct buf st = {.n = 0}, ssl = {.n = 0}, q = {.n = 0};
  pg_startup(&st, "app");
  sample(S_PG_SSL, &ssl);
  pg_query(&q, "SELECT now()");
  every_prefix(l7_probe_postgresql, &st, 0, TCP, 5432, 16);
  every_prefix(l7_probe_postgresql, &ssl, 0, TCP, 5432, 0);
  every_prefix(l7_probe_postgresql, &q, 0, TCP, 5432, 5 + 7);
}

static void test_not_postgresql(void **state) {
  (void)state;
  static const enum sample maybe[] = {S_COUNT};
  refuses_others(l7_probe_postgresql, "postgresql", maybe);
  /* Zeek's http-on-port-5432 and mysql-on-port-5432 are in the samples;
   * the same query over UDP is nothing. */
  struct buf q = {.n = 0};
  pg_query(&q, "SELECT 1");
  struct run r = {0};
  assert_int_equal(feed_fn(l7_probe_postgresql, &r, q.b, q.n, 0, UDP, 5432), L7_NO);
  /* A Query without its NUL, or one that is not SQL. */
  q.b[q.n - 1] = ' ';
  struct run r2 = {0};
  assert_int_equal(feed(&r2, &q, 0, 5432), L7_NO);
  struct buf t = {.n = 0};
  pg_query(&t, "hello there");
  struct run r3 = {0};
  assert_int_equal(feed(&r3, &t, 0, 5432), L7_MORE);
  assert_int_equal(feed(&r3, &t, 0, 5432), L7_NO);
}

static void test_random_junk(void **state) {
  (void)state;
  random_junk(l7_probe_postgresql, TCP, 5432, 11);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_login_and_query),
      cmocka_unit_test(test_scram),
      cmocka_unit_test(test_ssl_request),
      cmocka_unit_test(test_gss_and_cancel),
      cmocka_unit_test(test_startup_versions),
      cmocka_unit_test(test_mid_flow),
      cmocka_unit_test(test_error_and_notice),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_not_postgresql),
      cmocka_unit_test(test_random_junk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
