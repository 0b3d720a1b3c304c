/* Unit tests of models/policy_codec: a compiled policy decodes to the same
 * whitelists and modes; every truncation and every lie is refused with
 * the byte it happened at, and nothing is half-built. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "models/policy_codec.h"

static void build(struct model *m) {
  model_init(m);
  uint32_t web, db, ext, idx;
  assert_int_equal(model_get_service(m, "web", SVC_CONFIGURED, &web), 0);
  assert_int_equal(model_get_service(m, "db", SVC_CONFIGURED, &db), 0);
  assert_int_equal(model_get_service(m, "10.9.9.9:53", SVC_INFERRED, &ext), 0);
  struct edge_key k = {.cli = web, .srv = db, .port = 5432, .proto = 6, .app = "postgresql"};
  assert_int_equal(model_get_edge(m, &k, &idx), 0);
  k = (struct edge_key){.cli = web, .srv = ext, .port = 53, .proto = 17, .app = "dns"};
  assert_int_equal(model_get_edge(m, &k, &idx), 0);
  assert_int_equal(model_learn_proc(m, web, "/usr/bin/python3", "/usr/sbin/nginx", 33, 1,
                                    NULL), 0);
  assert_int_equal(model_learn_file(m, web, "/usr/bin/python3", "/etc/app/", FA_READ, 1,
                                    NULL), 0);
}

static const struct svc_mode modes[] = {{.service = "web", .mode = EV_MODE_PROTECT},
                                        {.service = "db", .mode = EV_MODE_MONITOR},
                                        {.service = "unlearned", .mode = EV_MODE_PROTECT}};

static void test_round_trip(void **state) {
  (void)state;
  struct model m;
  build(&m);
  uint8_t *buf;
  size_t len;
  struct hb_error err = {0, ""};
  assert_int_equal(policy_encode(&m, modes, 3, EV_MODE_DISCOVER, 77, &buf, &len, &err), 0);
  assert_memory_equal(buf, POLICY_MAGIC, 4);
  struct policy p;
  assert_int_equal(policy_decode(buf, len, &p, &err), 0);
  assert_int_equal(p.version, 77);
  assert_int_equal(policy_mode(&p, "web"), EV_MODE_PROTECT);
  assert_int_equal(policy_mode(&p, "db"), EV_MODE_MONITOR);
  assert_int_equal(policy_mode(&p, "unlearned"), EV_MODE_PROTECT);
  assert_int_equal(policy_mode(&p, "other"), EV_MODE_DISCOVER);
  assert_int_equal(p.m.n_services, 3);
  assert_int_equal(p.m.n_edges, 2);
  struct edge_key k = {.cli = model_find_service(&p.m, "web"),
                       .srv = model_find_service(&p.m, "db"), .port = 5432, .proto = 6};
  size_t pos = 0;
  assert_int_not_equal(model_next_edge_on_port(&p.m, &k, &pos), IDXMAP_NONE);
  k.port = 5433;
  pos = 0;
  assert_int_equal(model_next_edge_on_port(&p.m, &k, &pos), IDXMAP_NONE);
  uint32_t web = model_find_service(&p.m, "web");
  assert_int_not_equal(model_find_proc(&p.m, web, "/usr/bin/python3", "/usr/sbin/nginx", 33),
                       IDXMAP_NONE);
  assert_true(model_file_allowed(&p.m, web, "/usr/bin/python3", "/etc/app/x.conf", FA_READ));
  assert_false(model_file_allowed(&p.m, web, "/usr/bin/python3", "/etc/app/x.conf", FA_WRITE));
  policy_free(&p);
  free(buf);
  model_free(&m);
}

/* Every prefix of a valid policy is refused (and ASan sees no overread). */
static void test_truncations_refused(void **state) {
  (void)state;
  struct model m;
  build(&m);
  uint8_t *buf;
  size_t len;
  struct hb_error err = {0, ""};
  assert_int_equal(policy_encode(&m, modes, 3, EV_MODE_DISCOVER, 1, &buf, &len, &err), 0);
  for (size_t n = 0; n < len; n++) {
    uint8_t *cut = malloc(n ? n : 1);
    memcpy(cut, buf, n);
    struct policy p;
    hb_error_clear(&err);
    assert_int_equal(policy_decode(cut, n, &p, &err), -EBADMSG);
    assert_non_null(strstr(err.msg, "policy: byte "));
    assert_int_equal(p.m.n_services, 0);
    assert_null(p.modes);
    free(cut);
  }
  free(buf);
  model_free(&m);
}

static void expect_refused(uint8_t *buf, size_t len, const char *why) {
  struct policy p;
  struct hb_error err = {0, ""};
  assert_int_equal(policy_decode(buf, len, &p, &err), -EBADMSG);
  if (!strstr(err.msg, why))
    fail_msg("'%s' not in '%s'", why, err.msg);
}

static void test_lies_refused(void **state) {
  (void)state;
  struct model m;
  build(&m);
  uint8_t *buf;
  size_t len;
  struct hb_error err = {0, ""};
  assert_int_equal(policy_encode(&m, modes, 3, EV_MODE_DISCOVER, 1, &buf, &len, &err), 0);
  uint8_t *b = malloc(len + 1);
  memcpy(b, buf, len);
  b[0] = 'X';
  expect_refused(b, len, "not a habit policy");
  memcpy(b, buf, len);
  b[12] = 9; /* default mode */
  expect_refused(b, len, "byte 13: an unknown mode");
  memcpy(b, buf, len);
  b[13] = 0xff; /* mode count */
  expect_refused(b, len, "a count larger than the bytes left can hold");
  memcpy(b, buf, len);
  b[17] = 200; /* the first service name's length */
  expect_refused(b, len, "a string longer than its bound");
  memcpy(b, buf, len);
  b[len] = 0;
  expect_refused(b, len + 1, "bytes after the policy");
  /* The first edge's client index (after the modes and service names). */
  size_t at = 4 + 8 + 1 + 4 + (1 + 3 + 1) + (1 + 2 + 1) + (1 + 9 + 1) + 4 + (1 + 3) +
              (1 + 2) + (1 + 11) + 4;
  memcpy(b, buf, len);
  b[at] = 7;
  expect_refused(b, len, "a service index out of range");
  memcpy(b, buf, len);
  b[18] = '\0'; /* inside "web" */
  expect_refused(b, len, "a NUL inside a string");
  free(b);
  free(buf);
  model_free(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_truncations_refused),
      cmocka_unit_test(test_lies_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
