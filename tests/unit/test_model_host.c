/* tests/unit/test_model_host.c — the process, file and syscall whitelists
 * of a model (models/model_host.c) and their tables (models/store_host.c):
 * learning counts and finds; a directory prefix covers its entries but not
 * a sibling with the same start; accesses add up over covering entries;
 * access texts parse back; a store round trip keeps everything; a model
 * made before the tables existed loads with none; a damaged row is named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "models/model.h"
#include "models/store.h"

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/habit-mhost-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void fill(struct model *m, uint32_t *svc) {
  assert_int_equal(model_get_service(m, "web", SVC_CONFIGURED, svc), 0);
  assert_int_equal(model_learn_proc(m, *svc, "/usr/bin/python3", "/usr/bin/bash", 33, 5, NULL), 0);
  assert_int_equal(model_learn_proc(m, *svc, "/usr/bin/python3", "/usr/bin/bash", 33, 9, NULL), 0);
  assert_int_equal(model_learn_file(m, *svc, "/usr/bin/python3", "/srv/up/", FA_WRITE, 5, NULL), 0);
  assert_int_equal(model_learn_file(m, *svc, "/usr/bin/python3", "/srv/up/a", FA_READ, 6, NULL), 0);
  assert_int_equal(model_learn_syscall(m, *svc, "openat", 40, 7, NULL), 0);
  assert_int_equal(model_learn_syscall(m, *svc, "openat", 2, 8, NULL), 0);
}

static void check(const struct model *m, uint32_t svc) {
  uint32_t p = model_find_proc(m, svc, "/usr/bin/python3", "/usr/bin/bash", 33);
  assert_int_not_equal(p, IDXMAP_NONE);
  assert_int_equal(m->procs[p].count, 2);
  assert_int_equal(m->procs[p].first_ns, 5);
  assert_int_equal(m->procs[p].last_ns, 9);
  assert_int_equal(model_find_proc(m, svc, "/usr/bin/python3", "/usr/bin/bash", 0), IDXMAP_NONE);
  assert_int_equal(model_find_proc(m, svc, "/usr/bin/python3", "/sbin/init", 33), IDXMAP_NONE);
  assert_true(model_file_allowed(m, svc, "/usr/bin/python3", "/srv/up/b", FA_WRITE));
  assert_false(model_file_allowed(m, svc, "/usr/bin/python3", "/srv/up/b", FA_READ));
  assert_true(model_file_allowed(m, svc, "/usr/bin/python3", "/srv/up/a", FA_READ | FA_WRITE));
  assert_false(model_file_allowed(m, svc, "/usr/bin/python3", "/srv/upload/x", FA_WRITE));
  assert_false(model_file_allowed(m, svc, "/usr/bin/perl", "/srv/up/b", FA_WRITE));
  uint32_t c = model_find_syscall(m, svc, "openat");
  assert_int_not_equal(c, IDXMAP_NONE);
  assert_int_equal(m->syscalls[c].count, 42);
  assert_int_equal(model_find_syscall(m, svc, "ptrace"), IDXMAP_NONE);
}

static void learn_and_find(void **state) {
  (void)state;
  struct model m;
  uint32_t svc;
  model_init(&m);
  fill(&m, &svc);
  check(&m, svc);
  char t[4];
  assert_string_equal(file_access_text(FA_READ | FA_EXEC, t), "rx");
  assert_int_equal(file_access_parse("rw"), FA_READ | FA_WRITE);
  assert_int_equal(file_access_parse("rr"), 0);
  assert_int_equal(file_access_parse("q"), 0);
  assert_int_equal(file_access_parse(""), 0);
  model_free(&m);
}

static void store_round_trip(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof path, "%s/m.db", dir);
  struct hb_error err = {0, ""};
  struct store st;
  struct model m;
  uint32_t svc;
  model_init(&m);
  fill(&m, &svc);
  assert_int_equal(store_open(&st, path, STORE_CREATE, &err), 0);
  assert_int_equal(store_flush(&st, &m, &err), 0);
  store_close(&st);
  model_free(&m);

  model_init(&m);
  assert_int_equal(store_open(&st, path, STORE_READONLY, &err), 0);
  assert_int_equal(store_load(&st, &m, &err), 0);
  check(&m, model_find_service(&m, "web"));
  store_close(&st);
  model_free(&m);

  /* A damaged row is named, not loaded. */
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "UPDATE files SET access='z'", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  model_init(&m);
  assert_int_equal(store_open(&st, path, STORE_READONLY, &err), 0);
  assert_true(store_load(&st, &m, &err) < 0);
  assert_non_null(strstr(err.msg, "has access 'z'"));
  store_close(&st);
  model_free(&m);
}

static void model_without_tables(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof path, "%s/old.db", dir);
  struct hb_error err = {0, ""};
  struct store st;
  struct model m;
  uint32_t svc;
  model_init(&m);
  assert_int_equal(model_get_service(&m, "web", SVC_CONFIGURED, &svc), 0);
  assert_int_equal(store_open(&st, path, STORE_CREATE, &err), 0);
  assert_int_equal(store_flush(&st, &m, &err), 0); /* nothing host: no tables made */
  store_close(&st);
  model_free(&m);
  model_init(&m);
  assert_int_equal(store_open(&st, path, STORE_READONLY, &err), 0);
  assert_int_equal(store_load(&st, &m, &err), 0);
  assert_int_equal(m.n_procs + m.n_files + m.n_syscalls, 0);
  store_close(&st);
  model_free(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(learn_and_find),
      cmocka_unit_test_setup_teardown(store_round_trip, setup, teardown),
      cmocka_unit_test_setup_teardown(model_without_tables, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
