/* tests/unit/test_store.c — models/store.h with models/model.h: a model
 * written and read back is the same model, field by field; read-only opens
 * write nothing; files that are not habit models are refused with their
 * name in the message and left byte for byte as they were; a run rolled
 * back leaves the model as before; store_discard removes only what it
 * created; versions count committed runs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <sqlite3.h>

#include "models/model.h"
#include "models/store.h"

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/habit-store-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static const char *path_of(const char *name) {
  static char p[4][256];
  static int k;
  k = (k + 1) % 4;
  snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
  return p[k];
}

static bool exists(const char *p) {
  struct stat sb;
  return stat(p, &sb) == 0;
}

/* --- building and comparing models -------------------------------------- */

static uint32_t svc(struct model *m, const char *name, uint8_t kind) {
  uint32_t i;
  assert_int_equal(model_get_service(m, name, kind, &i), 0);
  return i;
}

static uint32_t edge(struct model *m, uint32_t cli, uint32_t srv, uint8_t proto,
                     uint16_t port, const char *app) {
  struct edge_key k;
  memset(&k, 0, sizeof k);
  k.cli = cli;
  k.srv = srv;
  k.proto = proto;
  k.port = port;
  snprintf(k.app, sizeof k.app, "%s", app);
  uint32_t i;
  assert_int_equal(model_get_edge(m, &k, &i), 0);
  return i;
}

static void build(struct model *m, unsigned seed) {
  uint32_t web = svc(m, "web", SVC_CONFIGURED);
  uint32_t db = svc(m, "db", SVC_INFERRED);
  uint32_t ext = svc(m, "external", SVC_EXTERNAL);
  uint32_t cli = svc(m, "a-name-that-is-exactly-sixty-three-bytes-long-0123456789abcdef",
                     SVC_INFERRED);
  m->services[web].first_ns = 1000 + seed;
  m->services[web].last_ns = 5000 + seed;
  m->services[web].flows = 42;
  m->services[db].first_ns = 1;
  m->services[db].last_ns = (uint64_t)INT64_MAX;
  m->services[db].flows = 7;
  m->services[ext].flows = 3;
  m->services[cli].flows = 1;
  assert_int_equal(model_note_member(m, web, "10.1.0.20", ROLE_CLIENT, 100), 0);
  assert_int_equal(model_note_member(m, web, "10.1.0.20", ROLE_CLIENT, 50), 0);
  assert_int_equal(model_note_member(m, web, "10.1.0.21", ROLE_CLIENT, 200), 0);
  assert_int_equal(model_note_member(m, db, "10.1.0.30:5432/tcp", ROLE_SERVER, 300), 0);
  assert_int_equal(model_note_member(m, db, "[fd00::30]:5432/tcp", ROLE_SERVER, 310), 0);
  assert_int_equal(model_note_member(m, ext, "93.184.216.34", ROLE_SERVER, 400), 0);
  /* Another service may have a member with the same text. */
  assert_int_equal(model_note_member(m, cli, "10.1.0.20", ROLE_CLIENT, 500), 0);
  uint32_t e1 = edge(m, web, db, 6, 5432, "");
  uint32_t e2 = edge(m, web, ext, 6, 443, "tls");
  uint32_t e3 = edge(m, web, ext, 6, 443, "http"); /* same port, other app */
  uint32_t e4 = edge(m, cli, web, 17, 53, "dns");
  (void)e4;
  uint64_t x = seed * 2654435761u + 1;
  for (int i = 0; i < 500; i++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    double v = (double)(x >> 40);
    struct model_edge *e = &m->edges[i % 3 == 0 ? e1 : i % 3 == 1 ? e2 : e3];
    e->count++;
    if (!e->first_ns)
      e->first_ns = 10 + (uint64_t)i;
    e->last_ns = 10 + (uint64_t)i;
    assert_int_equal(loghist_add(&e->h[EM_BYTES_C2S], v), 0);
    assert_int_equal(loghist_add(&e->h[EM_BYTES_S2C], v * 7), 0);
    assert_int_equal(loghist_add(&e->h[EM_PKTS], (double)(i % 17)), 0);
    if (i % 2)
      assert_int_equal(loghist_add(&e->h[EM_DURATION_MS], v / 1000), 0);
  }
  /* e4 keeps empty histograms; e1 a connection rate. */
  assert_int_equal(loghist_add(&m->edges[e1].h[EM_CONN_RATE], 12), 0);
}

static uint32_t member_index(const struct model *m, const char *svc_name, const char *text) {
  for (uint32_t i = 0; i < m->n_members; i++)
    if (strcmp(m->services[m->members[i].service].name, svc_name) == 0 &&
        strcmp(m->members[i].text, text) == 0)
      return i;
  return UINT32_MAX;
}

static void same_hist(const struct loghist *a, const struct loghist *b) {
  assert_int_equal(a->n, b->n);
  assert_true(a->min == b->min);
  assert_true(a->max == b->max);
  assert_int_equal(a->nb, b->nb);
  for (uint16_t i = 0; i < a->nb; i++) {
    assert_int_equal(a->bins[i].bin, b->bins[i].bin);
    assert_int_equal(a->bins[i].count, b->bins[i].count);
  }
}

/* b (loaded) holds exactly what a holds, matched by name. */
static void same_model(const struct model *a, const struct model *b) {
  assert_int_equal(a->n_services, b->n_services);
  for (uint32_t i = 0; i < a->n_services; i++) {
    const struct model_service *s = &a->services[i];
    uint32_t j = model_find_service(b, s->name);
    assert_int_not_equal(j, IDXMAP_NONE);
    const struct model_service *t = &b->services[j];
    assert_string_equal(s->name, t->name);
    assert_int_equal(s->kind, t->kind);
    assert_int_equal(s->first_ns, t->first_ns);
    assert_int_equal(s->last_ns, t->last_ns);
    assert_int_equal(s->flows, t->flows);
    assert_int_equal(s->members, t->members);
    assert_int_equal(s->members_over, t->members_over);
    assert_false(t->dirty);
  }
  assert_int_equal(a->n_members, b->n_members);
  for (uint32_t i = 0; i < a->n_members; i++) {
    const struct model_member *mm = &a->members[i];
    const char *sname = a->services[mm->service].name;
    uint32_t j = member_index(b, sname, mm->text);
    if (j == UINT32_MAX)
      fail_msg("member %s of %s lost", mm->text, sname);
    const struct model_member *nn = &b->members[j];
    assert_int_equal(mm->role, nn->role);
    assert_int_equal(mm->first_ns, nn->first_ns);
    assert_int_equal(mm->last_ns, nn->last_ns);
    assert_int_equal(mm->count, nn->count);
    assert_false(nn->dirty);
  }
  assert_int_equal(a->n_edges, b->n_edges);
  for (uint32_t i = 0; i < a->n_edges; i++) {
    const struct model_edge *e = &a->edges[i];
    struct edge_key k = e->k;
    k.cli = model_find_service(b, a->services[e->k.cli].name);
    k.srv = model_find_service(b, a->services[e->k.srv].name);
    uint32_t j = model_find_edge(b, &k);
    assert_int_not_equal(j, IDXMAP_NONE);
    const struct model_edge *f = &b->edges[j];
    assert_int_equal(e->count, f->count);
    assert_int_equal(e->first_ns, f->first_ns);
    assert_int_equal(e->last_ns, f->last_ns);
    for (int h = 0; h < EM_COUNT; h++)
      same_hist(&e->h[h], &f->h[h]);
    assert_false(f->dirty);
  }
}

static void load(const char *p, int flags, struct model *m) {
  struct store st;
  struct hb_error err = {0, ""};
  int rc = store_open(&st, p, flags, &err);
  if (rc)
    print_error("%s\n", err.msg);
  assert_int_equal(rc, 0);
  model_init(m);
  rc = store_load(&st, m, &err);
  if (rc)
    print_error("%s\n", err.msg);
  assert_int_equal(rc, 0);
  store_close(&st);
}

/* Write all of m (as if new) into p. */
static void save(const char *p, struct model *m) {
  for (uint32_t i = 0; i < m->n_services; i++)
    m->services[i].dirty = true;
  for (uint32_t i = 0; i < m->n_members; i++)
    m->members[i].dirty = true;
  for (uint32_t i = 0; i < m->n_edges; i++)
    m->edges[i].dirty = true;
  struct store st;
  struct hb_error err = {0, ""};
  assert_int_equal(store_open(&st, p, STORE_CREATE, &err), 0);
  int rc = store_flush(&st, m, &err);
  if (rc)
    print_error("%s\n", err.msg);
  assert_int_equal(rc, 0);
  store_close(&st);
}

/* --- tests ---------------------------------------------------------------- */

static void test_roundtrip(void **state) {
  (void)state;
  const char *p = path_of("model.db");
  struct model m, back;
  model_init(&m);
  build(&m, 1);
  struct store st;
  struct hb_error err = {0, ""};
  assert_int_equal(store_open(&st, p, STORE_CREATE, &err), 0);
  assert_true(st.created);
  assert_int_equal(store_version(&st), 0);
  assert_int_equal(store_flush(&st, &m, &err), 0);
  assert_int_equal(st.flushes, 1);
  /* Flushed: nothing dirty any more. */
  for (uint32_t i = 0; i < m.n_edges; i++)
    assert_false(m.edges[i].dirty);
  store_close(&st);
  load(p, 0, &back);
  same_model(&m, &back);
  /* The loaded model's lookups work. */
  struct edge_key k = back.edges[model_find_edge(&back, &m.edges[1].k)].k;
  size_t pos = 0;
  int on_port = 0;
  while (model_next_edge_on_port(&back, &k, &pos) != IDXMAP_NONE)
    on_port++;
  assert_int_equal(on_port, 2); /* tls and http on web -> external:443 */
  model_free(&back);

  /* Learn more (existing rows change, new rows appear), flush, reload. */
  uint32_t web = model_find_service(&m, "web");
  uint32_t db = model_find_service(&m, "db");
  m.services[web].flows += 10;
  m.services[web].dirty = true;
  assert_int_equal(model_note_member(&m, web, "10.1.0.20", ROLE_CLIENT, 9000), 0);
  uint32_t e = edge(&m, db, web, 6, 8080, "http");
  m.edges[e].count = 1;
  assert_int_equal(loghist_add(&m.edges[e].h[EM_PKTS], 3), 0);
  m.edges[0].count++;
  assert_int_equal(loghist_add(&m.edges[0].h[EM_PKTS], 1e6), 0);
  m.edges[0].dirty = true;
  svc(&m, "late", SVC_INFERRED);
  save(p, &m);
  load(p, STORE_READONLY, &back);
  same_model(&m, &back);
  model_free(&back);
  model_free(&m);
}

static void test_member_bound(void **state) {
  (void)state;
  const char *p = path_of("members.db");
  struct model m, back;
  model_init(&m);
  uint32_t s = svc(&m, "big", SVC_INFERRED);
  for (int i = 0; i < MODEL_MAX_MEMBERS + 44; i++) {
    char t[32];
    snprintf(t, sizeof t, "10.9.%d.%d", i / 250, i % 250);
    assert_int_equal(model_note_member(&m, s, t, ROLE_SERVER, (uint64_t)i), 0);
  }
  assert_int_equal(m.services[s].members, MODEL_MAX_MEMBERS);
  assert_int_equal(m.services[s].members_over, 44);
  save(p, &m);
  load(p, 0, &back);
  same_model(&m, &back);
  model_free(&back);
  model_free(&m);
}

/* A member text too long for its field is cut, and the cut text is the
 * member from then on: noting it again finds it. */
static void test_long_member_text(void **state) {
  (void)state;
  struct model m;
  model_init(&m);
  uint32_t s = svc(&m, "svc", SVC_INFERRED);
  char t[200];
  memset(t, 'x', sizeof t - 1);
  t[sizeof t - 1] = '\0';
  for (int i = 0; i < 5; i++)
    assert_int_equal(model_note_member(&m, s, t, ROLE_CLIENT, 1), 0);
  assert_int_equal(m.n_members, 1);
  assert_int_equal(m.members[0].count, 5);
  assert_int_equal(strlen(m.members[0].text), MEMBER_TEXT_MAX - 1);
  model_free(&m);
}

static uint8_t *slurp(const char *p, size_t *len) {
  FILE *f = fopen(p, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

static void test_readonly(void **state) {
  (void)state;
  const char *p = path_of("ro.db");
  struct model m, back;
  model_init(&m);
  build(&m, 2);
  save(p, &m);
  size_t n0, n1;
  uint8_t *before = slurp(p, &n0);
  struct store st;
  struct hb_error err = {0, ""};
  assert_int_equal(store_open(&st, p, STORE_READONLY, &err), 0);
  assert_false(st.created);
  model_init(&back);
  assert_int_equal(store_load(&st, &back, &err), 0);
  same_model(&m, &back);
  /* Change the model and try every way of writing. */
  back.services[0].flows = 999;
  back.services[0].dirty = true;
  assert_int_equal(store_flush(&st, &back, &err), -EROFS);
  assert_non_null(strstr(err.msg, p));
  assert_non_null(strstr(err.msg, "read-only"));
  assert_true(back.services[0].dirty); /* still to be written */
  assert_int_equal(store_begin_run(&st, &err), -EROFS);
  assert_non_null(strstr(err.msg, p));
  assert_true(store_commit_run(&st, "x.pcap", 1, &err) < 0);
  assert_int_equal(store_version(&st), 0);
  store_close(&st);
  uint8_t *after = slurp(p, &n1);
  assert_int_equal(n0, n1);
  assert_memory_equal(before, after, n0);
  free(before);
  free(after);
  model_free(&back);
  /* The file still loads as it was. */
  load(p, 0, &back);
  same_model(&m, &back);
  model_free(&back);
  model_free(&m);
}

static void write_file(const char *p, const void *data, size_t n) {
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  fclose(f);
}

static void sql(const char *p, const char *stmt) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
  char *msg = NULL;
  int rc = sqlite3_exec(db, stmt, NULL, NULL, &msg);
  if (rc != SQLITE_OK)
    print_error("%s\n", msg);
  assert_int_equal(rc, SQLITE_OK);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* Every way of opening p is refused with its name and why, and p stays
 * byte for byte the same. */
static void expect_refused(const char *p, const char *why) {
  size_t n0, n1;
  uint8_t *before = slurp(p, &n0);
  const int flags[] = {0, STORE_CREATE, STORE_READONLY};
  for (size_t i = 0; i < 3; i++) {
    struct store st;
    struct hb_error err = {0, ""};
    int rc = store_open(&st, p, flags[i], &err);
    if (rc >= 0 || !strstr(err.msg, why) || !strstr(err.msg, p))
      print_error("flags %d: want '%s', got %d '%s'\n", flags[i], why, rc, err.msg);
    assert_true(rc < 0);
    assert_int_equal(err.code, rc);
    assert_non_null(strstr(err.msg, p));
    assert_non_null(strstr(err.msg, why));
    assert_null(st.db);
    store_discard(&st); /* must not remove what it did not create */
    assert_true(exists(p));
  }
  uint8_t *after = slurp(p, &n1);
  assert_int_equal(n0, n1);
  assert_memory_equal(before, after, n0);
  free(before);
  free(after);
}

static void test_refusals(void **state) {
  (void)state;
  const char *p = path_of("notes.txt");
  const char *text = "these are my notes, not a model\n";
  write_file(p, text, strlen(text));
  expect_refused(p, "not a habit model (not an SQLite database)");
  p = path_of("short");
  write_file(p, "SQLite", 6);
  expect_refused(p, "not an SQLite database");
  p = path_of("empty.db");
  write_file(p, "", 0);
  expect_refused(p, "not a habit model (empty file)");

  p = path_of("other.db");
  sql(p, "CREATE TABLE foo(x INTEGER); INSERT INTO foo VALUES(1);");
  expect_refused(p, "not a habit model (no habit meta table");
  p = path_of("othermeta.db");
  sql(p, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
         "INSERT INTO meta VALUES('owner','someone');");
  expect_refused(p, "not a habit model (meta has no 'format')");

  struct model m;
  model_init(&m);
  build(&m, 3);
  p = path_of("format.db");
  save(p, &m);
  sql(p, "UPDATE meta SET value='not-habit' WHERE key='format';");
  expect_refused(p, "not a habit model (format is 'not-habit')");
  p = path_of("schema99.db");
  save(p, &m);
  sql(p, "UPDATE meta SET value='99' WHERE key='schema';");
  expect_refused(p, "model schema 99, this habit reads schema 1");
  p = path_of("noschema.db");
  save(p, &m);
  sql(p, "DELETE FROM meta WHERE key='schema';");
  expect_refused(p, "meta has no 'schema'");
  model_free(&m);

  /* A directory, and a file that is not there. */
  struct store st;
  struct hb_error err = {0, ""};
  assert_int_equal(store_open(&st, dir, STORE_CREATE, &err), -EISDIR);
  assert_non_null(strstr(err.msg, dir));
  p = path_of("missing.db");
  assert_int_equal(store_open(&st, p, 0, &err), -ENOENT);
  assert_non_null(strstr(err.msg, p));
  assert_false(exists(p));
  assert_true(store_open(&st, p, STORE_READONLY, &err) < 0);
  assert_false(exists(p));
  /* A path too long to be remembered whole is refused, not cut. */
  char longp[400];
  snprintf(longp, sizeof longp, "%s/%0300d.db", dir, 7);
  assert_true(store_open(&st, longp, STORE_CREATE, &err) < 0);
  assert_non_null(strstr(err.msg, "too long"));
  assert_false(exists(longp));
}

static void test_damaged(void **state) {
  (void)state;
  struct model m, back;
  model_init(&m);
  build(&m, 4);
  struct store st;
  struct hb_error err = {0, ""};
  const struct {
    const char *sql, *why;
  } cases[] = {
      {"UPDATE services SET kind='bogus' WHERE name='web';",
       "service 'web' is damaged (kind 'bogus')"},
      {"UPDATE services SET name='' WHERE name='web';", "is damaged"},
      {"INSERT INTO members VALUES('ghost','1.2.3.4','client',1,1,1);",
       "member '1.2.3.4' of unknown service 'ghost'"},
      {"UPDATE edges SET packets=x'01' WHERE port=5432;",
       "edge web -> db packets: histogram blob of 1 bytes"},
      {"UPDATE edges SET port=70000 WHERE port=5432;", "edge web -> db is damaged"},
      {"UPDATE edges SET client='nobody' WHERE port=5432;", "edge nobody -> db is damaged"},
      {"UPDATE members SET member = member || printf('%080d', 0) WHERE service='web';"
       "INSERT INTO members SELECT service, member || 'y', role, first_ns, last_ns, count"
       " FROM members WHERE service='web';",
       "of service 'web' is damaged (repeated"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *p = path_of("damaged.db");
    unlink(p);
    save(p, &m);
    sql(p, cases[i].sql);
    assert_int_equal(store_open(&st, p, STORE_READONLY, &err), 0);
    model_init(&back);
    int rc = store_load(&st, &back, &err);
    if (rc >= 0 || !strstr(err.msg, cases[i].why) || !strstr(err.msg, p))
      print_error("want '%s', got %d '%s'\n", cases[i].why, rc, err.msg);
    assert_true(rc < 0);
    assert_non_null(strstr(err.msg, cases[i].why));
    assert_non_null(strstr(err.msg, p));
    model_free(&back);
    store_close(&st);
  }
  model_free(&m);
}

static void test_run_rollback(void **state) {
  (void)state;
  const char *p = path_of("run.db");
  struct model m, back;
  model_init(&m);
  build(&m, 5);
  save(p, &m);
  size_t n0, n1;
  uint8_t *before = slurp(p, &n0);
  /* A run that learns and flushes twice, then is rolled back. */
  struct store st;
  struct hb_error err = {0, ""};
  model_init(&back);
  assert_int_equal(store_open(&st, p, 0, &err), 0);
  assert_int_equal(store_load(&st, &back, &err), 0);
  assert_int_equal(store_begin_run(&st, &err), 0);
  back.services[0].flows += 100;
  back.services[0].dirty = true;
  svc(&back, "new-in-run", SVC_INFERRED);
  assert_int_equal(store_flush(&st, &back, &err), 0);
  edge(&back, 0, 1, 17, 9999, "");
  assert_int_equal(store_flush(&st, &back, &err), 0);
  store_rollback_run(&st);
  assert_false(st.in_run);
  assert_int_equal(store_version(&st), 0);
  store_close(&st);
  model_free(&back);
  load(p, 0, &back);
  same_model(&m, &back);
  model_free(&back);
  /* Closing in the middle of a run rolls it back too. */
  model_init(&back);
  assert_int_equal(store_open(&st, p, 0, &err), 0);
  assert_int_equal(store_load(&st, &back, &err), 0);
  assert_int_equal(store_begin_run(&st, &err), 0);
  svc(&back, "lost", SVC_INFERRED);
  assert_int_equal(store_flush(&st, &back, &err), 0);
  store_close(&st);
  model_free(&back);
  load(p, 0, &back);
  same_model(&m, &back);
  assert_int_equal(model_find_service(&back, "lost"), IDXMAP_NONE);
  model_free(&back);
  uint8_t *after = slurp(p, &n1);
  assert_int_equal(n0, n1);
  assert_memory_equal(before, after, n0);
  free(before);
  free(after);
  model_free(&m);
}

static void test_versions(void **state) {
  (void)state;
  const char *p = path_of("versions.db");
  struct model m, back;
  model_init(&m);
  struct store st;
  struct hb_error err = {0, ""};
  assert_int_equal(store_open(&st, p, STORE_CREATE, &err), 0);
  assert_int_equal(store_version(&st), 0);
  for (int run = 1; run <= 3; run++) {
    assert_int_equal(store_begin_run(&st, &err), 0);
    char name[16];
    snprintf(name, sizeof name, "svc%d", run);
    svc(&m, name, SVC_INFERRED);
    assert_int_equal(store_flush(&st, &m, &err), 0);
    assert_int_equal(store_commit_run(&st, "capture.pcap", (uint64_t)run * 10, &err), 0);
    assert_false(st.in_run);
    assert_int_equal(store_version(&st), run);
  }
  /* A rolled-back run records no version. */
  assert_int_equal(store_begin_run(&st, &err), 0);
  store_rollback_run(&st);
  assert_int_equal(store_version(&st), 3);
  /* Without a run, commit still records one. */
  assert_int_equal(store_commit_run(&st, "live", 0, &err), 0);
  assert_int_equal(store_version(&st), 4);
  store_close(&st);
  /* Versions survive reopening, and keep counting up. */
  assert_int_equal(store_open(&st, p, 0, &err), 0);
  assert_false(st.created);
  assert_int_equal(store_version(&st), 4);
  assert_int_equal(store_begin_run(&st, &err), 0);
  assert_int_equal(store_commit_run(&st, "again.pcap", 1, &err), 0);
  assert_int_equal(store_version(&st), 5);
  store_close(&st);
  load(p, STORE_READONLY, &back);
  same_model(&m, &back);
  model_free(&back);
  model_free(&m);
}

static void test_discard(void **state) {
  (void)state;
  const char *p = path_of("discard.db");
  struct model m;
  model_init(&m);
  build(&m, 6);
  struct store st;
  struct hb_error err = {0, ""};
  assert_int_equal(store_open(&st, p, STORE_CREATE, &err), 0);
  assert_int_equal(store_begin_run(&st, &err), 0);
  assert_int_equal(store_flush(&st, &m, &err), 0);
  assert_true(exists(p));
  store_discard(&st);
  assert_false(exists(p));
  char side[300];
  snprintf(side, sizeof side, "%s-wal", p);
  assert_false(exists(side));
  snprintf(side, sizeof side, "%s-shm", p);
  assert_false(exists(side));
  /* A file it did not create stays. (The flush above cleared the dirty
   * flags though its run was discarded: start from a fresh model.) */
  model_free(&m);
  model_init(&m);
  build(&m, 6);
  save(p, &m);
  assert_int_equal(store_open(&st, p, STORE_CREATE, &err), 0);
  assert_false(st.created);
  store_discard(&st);
  assert_true(exists(p));
  struct model back;
  load(p, 0, &back);
  same_model(&m, &back);
  model_free(&back);
  model_free(&m);
}

int main(void) {
  gsl_set_error_handler_off();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip),
      cmocka_unit_test(test_member_bound),
      cmocka_unit_test(test_long_member_text),
      cmocka_unit_test(test_readonly),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_damaged),
      cmocka_unit_test(test_run_rollback),
      cmocka_unit_test(test_versions),
      cmocka_unit_test(test_discard),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
