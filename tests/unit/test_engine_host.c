/* tests/unit/test_engine_host.c — process and file events in the engine
 * (engine/engine_host.h), fed by hand: a service named by its cgroup learns
 * its programs and file accesses in discover; after a store round trip, a
 * second engine in monitor raises 1101 for a program never run (with the
 * process tree), 1201 for a file never touched (a learned directory prefix
 * covers new names), nothing for learned behavior, once a minute for
 * repeats; a child with no match of its own takes its parent's configured
 * service; forks inherit; an attack tool raises 3050 even in discover; and
 * services/service_proc.h's selectors and inferred names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "core/event.h"
#include "detect/signatures.h"
#include "engine/engine.h"
#include "models/store.h"
#include "services/service_proc.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)

static const char cfg_text[] =
    "services:\n"
    "  web:\n"
    "    members:\n"
    "      - cgroup: \"*/lab/web\"\n"
    "  db:\n"
    "    members:\n"
    "      - exe: /usr/lib/postgresql/*/bin/postgres\n"
    "  pinned:\n"
    "    members:\n"
    "      - container: 0123456789ab\n";

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/habit-ehost-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void load(struct config *c) {
  struct hb_error err = {0, ""};
  config_defaults(c);
  if (config_parse("t.yaml", cfg_text, strlen(cfg_text), c, &err))
    fail_msg("config: %s", err.msg);
}

static struct event proc_ev(uint8_t op, uint32_t pid, uint32_t ppid, const char *exe,
                            const char *parent, const char *cgroup, uint64_t ts) {
  struct event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EV_PROC;
  ev.ts_ns = ts;
  snprintf(ev.node, sizeof ev.node, "n1");
  ev.u.proc.op = op;
  ev.u.proc.pid = ev.u.proc.tgid = pid;
  ev.u.proc.ppid = ppid;
  ev.u.proc.uid = 33;
  snprintf(ev.u.proc.exe, sizeof ev.u.proc.exe, "%s", exe);
  snprintf(ev.u.proc.parent_exe, sizeof ev.u.proc.parent_exe, "%s", parent);
  snprintf(ev.u.proc.cgroup, sizeof ev.u.proc.cgroup, "%s", cgroup);
  return ev;
}

static struct event file_ev(uint8_t op, uint32_t pid, const char *exe, const char *path,
                            uint64_t ts) {
  struct event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EV_FILE;
  ev.ts_ns = ts;
  snprintf(ev.node, sizeof ev.node, "n1");
  ev.u.file.op = op;
  ev.u.file.pid = pid;
  ev.u.file.uid = 33;
  snprintf(ev.u.file.exe, sizeof ev.u.file.exe, "%s", exe);
  snprintf(ev.u.file.path, sizeof ev.u.file.path, "%s", path);
  return ev;
}

static void feed(struct engine *e, struct event ev) {
  struct hb_error err = {0, ""};
  if (engine_event(e, &ev, &err) != 0)
    fail_msg("engine_event: %s", err.msg);
}

static char *slurp(FILE *f) {
  static char buf[1 << 16];
  fflush(f);
  rewind(f);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  return buf;
}

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p++)
    n++;
  return n;
}

#define PY "/usr/bin/python3.11"
#define SH "/usr/bin/dash"
#define WEB "/sys/fs/cgroup/lab/web"

/* Discover: the web service starts python from bash, python reads its
 * config and writes uploads into a directory. */
static void learn(const char *model) {
  struct config c;
  load(&c);
  struct store st;
  struct model m;
  struct engine e;
  struct hb_error err = {0, ""};
  model_init(&m);
  assert_int_equal(store_open(&st, model, STORE_CREATE, &err), 0);
  assert_int_equal(engine_init(&e, &c, &m, &st, EV_MODE_DISCOVER, NULL, NULL), 0);
  feed(&e, proc_ev(EV_PROC_EXISTING, 100, 1, "/usr/bin/bash", "/sbin/init", WEB, T0));
  feed(&e, proc_ev(EV_PROC_EXEC, 101, 100, PY, "/usr/bin/bash", WEB, T0 + S));
  feed(&e, file_ev(EV_FILE_OPEN, 101, PY, "/etc/app.conf", T0 + 2 * S));
  feed(&e, file_ev(EV_FILE_CREATE, 101, PY, "/srv/up/a.txt", T0 + 3 * S));
  feed(&e, file_ev(EV_FILE_MODIFY, 101, PY, "/srv/up/a.txt", T0 + 3 * S));
  assert_int_equal(e.host.procs_learned, 2);
  assert_int_equal(e.host.files_learned, 3);
  assert_int_equal(e.counts.alerts_total, 0);
  assert_int_equal(engine_finish(&e, &err), 0);
  engine_free(&e);
  store_close(&st);
  model_free(&m);
  config_free(&c);
}

static void discover_then_monitor(void **state) {
  (void)state;
  char model[128];
  snprintf(model, sizeof model, "%s/m.db", dir);
  learn(model);

  struct config c;
  load(&c);
  struct store st;
  struct model m;
  struct engine e;
  struct hb_error err = {0, ""};
  model_init(&m);
  assert_int_equal(store_open(&st, model, STORE_READONLY, &err), 0);
  assert_int_equal(store_load(&st, &m, &err), 0);
  assert_int_equal(m.n_procs, 2);
  assert_int_equal(m.n_files, 3); /* app.conf (r), /srv/up/ (w, create), a.txt (w) */
  FILE *alerts = tmpfile();
  assert_non_null(alerts);
  assert_int_equal(engine_init(&e, &c, &m, NULL, EV_MODE_MONITOR, alerts, NULL), 0);
  /* Learned behavior: quiet. */
  feed(&e, proc_ev(EV_PROC_EXISTING, 200, 1, "/usr/bin/bash", "/sbin/init", WEB, T0 + 10 * S));
  feed(&e, proc_ev(EV_PROC_EXEC, 201, 200, PY, "/usr/bin/bash", WEB, T0 + 11 * S));
  feed(&e, file_ev(EV_FILE_OPEN, 201, PY, "/etc/app.conf", T0 + 12 * S));
  feed(&e, file_ev(EV_FILE_CREATE, 201, PY, "/srv/up/b.txt", T0 + 12 * S));
  assert_int_equal(e.counts.alerts_total, 0);
  /* A shell from python: its cgroup moved, but its parent is web's. */
  feed(&e, proc_ev(EV_PROC_FORK, 202, 201, "", "", "", T0 + 13 * S));
  feed(&e, proc_ev(EV_PROC_EXEC, 202, 201, SH, PY, "/elsewhere", T0 + 13 * S));
  /* The same again within a minute: counted, not raised. */
  feed(&e, proc_ev(EV_PROC_EXEC, 203, 201, SH, PY, WEB, T0 + 14 * S));
  /* A write under /etc by python. */
  feed(&e, file_ev(EV_FILE_CREATE, 201, PY, "/etc/pwned", T0 + 15 * S));
  /* Read where only writes were learned (the prefix /srv/up/ is "w"). */
  feed(&e, file_ev(EV_FILE_OPEN, 201, PY, "/srv/up/b.txt", T0 + 16 * S));
  assert_int_equal(e.counts.alerts[EV_CAT_VIOLATION], 3);
  assert_int_equal(e.host.suppressed, 1);
  /* After a minute the repeat is raised again. */
  feed(&e, proc_ev(EV_PROC_EXEC, 204, 201, SH, PY, WEB, T0 + 90 * S));
  assert_int_equal(e.counts.alerts[EV_CAT_VIOLATION], 4);
  char *out = slurp(alerts);
  assert_int_equal(count(out, "\"signature_id\":1101"), 2);
  assert_int_equal(count(out, "\"signature_id\":1201"), 2);
  assert_non_null(strstr(out, "\"service\":\"web\",\"process\":{\"pid\":202,\"ppid\":201"));
  assert_non_null(strstr(out, "\"tree\":[{\"pid\":201,\"exe\":\"" PY "\"},{\"pid\":200,"));
  assert_non_null(strstr(out, "process violation: web ran " SH " (parent " PY ", uid 33)"));
  assert_non_null(strstr(out, "\"file\":{\"path\":\"/etc/pwned\",\"op\":\"create\",\"access\":\"w\""));
  assert_non_null(strstr(out, "file violation: web: " PY " read /srv/up/b.txt"));
  fclose(alerts);
  engine_free(&e);
  store_close(&st);
  model_free(&m);
  config_free(&c);
}

static void attack_tool_in_every_mode(void **state) {
  (void)state;
  struct config c;
  load(&c);
  struct model m;
  struct engine e;
  model_init(&m);
  FILE *alerts = tmpfile();
  assert_non_null(alerts);
  assert_int_equal(engine_init(&e, &c, &m, NULL, 0, alerts, NULL), 0);
  struct hb_error err = {0, ""};
  /* Discover on a read-only model fails with a message... */
  struct event ev = proc_ev(EV_PROC_EXEC, 300, 1, "/usr/bin/ls", "/usr/bin/bash", "", T0);
  assert_true(engine_event(&e, &ev, &err) < 0);
  assert_non_null(strstr(err.msg, "discover mode but the model is read-only"));
  /* ... after the threat check, which needs no model. */
  ev = proc_ev(EV_PROC_EXEC, 301, 1, "/usr/bin/nmap", "/usr/bin/bash", "", T0);
  assert_true(engine_event(&e, &ev, &err) < 0);
  assert_int_equal(e.counts.alerts[EV_CAT_THREAT], 1);
  char *out = slurp(alerts);
  assert_non_null(strstr(out, "\"signature_id\":3050"));
  assert_non_null(strstr(out, "attack tool executed: nmap (/usr/bin/nmap) in host"));
  fclose(alerts);
  engine_free(&e);
  model_free(&m);
  config_free(&c);
}

/* An enforcer's refusals (exec, open): alerts that say blocked in protect,
 * in any mode of the engine, never learned and never in the table. */
static void enforcer_refusals(void **state) {
  (void)state;
  struct config c;
  load(&c);
  struct model m;
  struct engine e;
  model_init(&m);
  FILE *alerts = tmpfile();
  assert_non_null(alerts);
  assert_int_equal(engine_init(&e, &c, &m, NULL, EV_MODE_MONITOR, alerts, NULL), 0);
  feed(&e, proc_ev(EV_PROC_DENIED, 400, 399, "/usr/bin/whoami", "/usr/bin/bash", WEB, T0));
  feed(&e, file_ev(EV_FILE_DENIED, 401, "/usr/bin/cat", "/srv/secret", T0 + S));
  assert_int_equal(e.enforced, 2);
  assert_int_equal(e.host.procs_learned + e.host.procs_checked, 0);
  assert_int_equal(m.n_procs, 0);
  assert_null(proc_table_get(&e.procs, proc_table_node("n1"), 400));
  char *out = slurp(alerts);
  assert_int_equal(count(out, "\"action\":\"blocked\""), 2);
  assert_int_equal(count(out, "\"mode\":\"protect\""), 2);
  assert_non_null(strstr(out, "exec refused by habit enforce proc: web never ran /usr/bin/whoami"));
  assert_non_null(strstr(out, "open refused by habit enforce proc: /usr/bin/cat (host) may not "
                              "open the protected file /srv/secret"));
  /* A repeat within the minute is counted, not raised again. */
  feed(&e, proc_ev(EV_PROC_DENIED, 402, 399, "/usr/bin/whoami", "/usr/bin/bash", WEB, T0 + S));
  assert_int_equal(e.enforced, 3);
  assert_int_equal(count(slurp(alerts), "\"action\":\"blocked\""), 2);
  fclose(alerts);
  engine_free(&e);
  model_free(&m);
  config_free(&c);
}

/* A parent known only from its child's event gives the tree its exe, but
 * no service: a fork of it is mapped on its own facts, never named "". */
static void parent_known_from_child(void **state) {
  (void)state;
  struct config c;
  load(&c);
  struct model m;
  struct engine e;
  model_init(&m);
  FILE *alerts = tmpfile();
  assert_non_null(alerts);
  assert_int_equal(engine_init(&e, &c, &m, NULL, EV_MODE_MONITOR, alerts, NULL), 0);
  feed(&e, proc_ev(EV_PROC_EXEC, 501, 500, SH, PY, WEB, T0));
  feed(&e, proc_ev(EV_PROC_FORK, 502, 500, "", PY, "", T0 + S));
  feed(&e, proc_ev(EV_PROC_EXEC, 502, 500, "/usr/bin/ls", PY, "", T0 + 2 * S));
  feed(&e, file_ev(EV_FILE_OPEN, 500, PY, "/etc/hosts", T0 + 3 * S));
  char *out = slurp(alerts);
  assert_non_null(strstr(out, "\"tree\":[{\"pid\":500,\"exe\":\"" PY "\"}]"));
  assert_null(strstr(out, "\"service\":\"\""));
  assert_non_null(strstr(out, "\"service\":\"host\",\"process\":{\"pid\":502"));
  assert_non_null(strstr(out, "\"service\":\"host\",\"process\":{\"pid\":500"));
  assert_int_equal(model_find_service(&m, ""), IDXMAP_NONE);
  fclose(alerts);
  engine_free(&e);
  model_free(&m);
  config_free(&c);
}

static void process_selectors(void **state) {
  (void)state;
  struct config c;
  load(&c);
  {
    static const char pf[] = "services:\n  a:\n    protected_files: [/etc/x, /srv/keys/]\n";
    struct config d;
    struct hb_error err = {0, ""};
    config_defaults(&d);
    assert_int_equal(config_parse("t.yaml", pf, strlen(pf), &d, &err), 0);
    assert_int_equal(d.services[0].n_protected_files, 2);
    assert_string_equal(d.services[0].protected_files[1], "/srv/keys/");
    config_free(&d);
  }
  char name[EV_NAME_MAX];
  struct proc_facts web = {"/usr/sbin/nginx", "/habit/lab/web", ""};
  assert_true(svc_proc_configured(&c, &web, name));
  assert_string_equal(name, "web");
  struct proc_facts pg = {"/usr/lib/postgresql/15/bin/postgres", "/system.slice/x", ""};
  assert_true(svc_proc_configured(&c, &pg, name));
  assert_string_equal(name, "db");
  struct proc_facts ctr = {"/app", "/docker/0123456789abcdef",
                           "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"};
  assert_true(svc_proc_configured(&c, &ctr, name));
  assert_string_equal(name, "pinned");
  struct proc_facts other = {"/usr/sbin/sshd", "/system.slice/ssh.service", ""};
  assert_false(svc_proc_configured(&c, &other, name));
  svc_proc_inferred(&other, name);
  assert_string_equal(name, "ssh.service");
  struct proc_facts other_ctr = {"/x", "/docker/fedcba", "fedcba9876543210fedcba9876543210"};
  svc_proc_inferred(&other_ctr, name);
  assert_string_equal(name, "container:fedcba987654");
  struct proc_facts session = {"/usr/bin/bash", "/user.slice/user-0.slice/session-3.scope", ""};
  svc_proc_inferred(&session, name);
  assert_string_equal(name, "host");
  config_free(&c);
}

static void selector_errors(void **state) {
  (void)state;
  static const struct {
    const char *text, *msg;
  } bad[] = {
      {"services:\n  a:\n    members:\n      - {ports: [80]}\n", "needs an address"},
      {"services:\n  a:\n    members:\n      - {exe: /x, ports: [80]}\n",
       "ports and proto need an address"},
      {"services:\n  a:\n    members:\n      - {container: abc}\n", "at least 12 hex"},
      {"services:\n  a:\n    members:\n      - {container: 0123456789AB}\n", "lowercase hex"},
      {"services:\n  a:\n    members:\n      - {cgroup: \"\"}\n", "non-empty string"},
      {"services:\n  a:\n    members:\n      - {exe: [a]}\n", "non-empty string"},
      {"services:\n  a:\n    protected_files: [etc/x]\n", "is not absolute"},
      {"services:\n  a:\n    protected_files: []\n", "empty list"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct config c;
    struct hb_error err = {0, ""};
    config_defaults(&c);
    assert_true(config_parse("t.yaml", bad[i].text, strlen(bad[i].text), &c, &err) < 0);
    if (!strstr(err.msg, bad[i].msg))
      fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].msg);
    config_free(&c);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(discover_then_monitor, setup, teardown),
      cmocka_unit_test(attack_tool_in_every_mode),
      cmocka_unit_test(parent_known_from_child),
      cmocka_unit_test(enforcer_refusals),
      cmocka_unit_test(process_selectors),
      cmocka_unit_test(selector_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
