/* tests/unit/test_proc_info.c — collect/proc_info.h: the status, cmdline
 * and cgroup parsers (v1, v2, hybrid; each container runtime's id), and the
 * enrichment and start-up scan on a fake /proc tree in a temp dir: complete
 * processes, a zombie, a kernel thread, a process whose files are gone. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "collect/proc_info.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char status_text[] =
    "Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nNgid:\t0\n"
    "Pid:\t4242\nPPid:\t4000\nTracerPid:\t0\nUid:\t1000\t1001\t1002\t1003\n"
    "Gid:\t100\t100\t100\t100\nFDSize:\t256\nKthread:\t0\n";

static void test_status(void **state) {
  (void)state;
  struct proc_status st;
  assert_int_equal(proc_parse_status(status_text, strlen(status_text), &st), 0);
  assert_string_equal(st.name, "bash");
  assert_int_equal(st.state, 'S');
  assert_int_equal(st.tgid, 4242);
  assert_int_equal(st.ppid, 4000);
  assert_int_equal(st.uid, 1000); /* the real id, not the effective */
  assert_int_equal(st.gid, 100);
  assert_int_equal(st.kthread, 0);
  /* Cut before Uid: what was read is kept, the rest unknown. */
  size_t cut = (size_t)(strstr(status_text, "Uid:") - status_text);
  assert_int_equal(proc_parse_status(status_text, cut, &st), -EBADMSG);
  assert_int_equal(st.ppid, 4000);
  assert_int_equal(st.uid, EV_PROC_ID_UNKNOWN);
  assert_int_equal(st.gid, EV_PROC_ID_UNKNOWN);
  assert_int_equal(st.kthread, -1);
  /* Nonsense and overflow. */
  const char bad[] = "PPid:\tx\nUid:\t99999999999\nGid:\t\n";
  assert_int_equal(proc_parse_status(bad, sizeof bad - 1, &st), -EBADMSG);
  assert_false(st.has_ppid);
  assert_int_equal(st.uid, EV_PROC_ID_UNKNOWN);
  assert_int_equal(proc_parse_status("", 0, &st), -EBADMSG);
  /* A long name is cut to the comm size; no trailing newline needed. */
  const char longname[] = "Name:\tabcdefghijklmnopqrstuvwxyz\nPPid:\t1\nUid:\t0\nGid:\t0";
  assert_int_equal(proc_parse_status(longname, sizeof longname - 1, &st), 0);
  assert_string_equal(st.name, "abcdefghijklmno");
  assert_int_equal(st.gid, 0);
}

static void test_cmdline(void **state) {
  (void)state;
  char out[EV_ARGV_MAX];
  bool cut;
  const uint8_t raw[] = "ls\0-l\0\0/tmp dir\0";
  size_t n = proc_format_cmdline(raw, sizeof raw - 1, false, out, sizeof out, &cut);
  assert_string_equal(out, "ls -l  /tmp dir"); /* an empty argument: two spaces */
  assert_int_equal(n, strlen(out));
  assert_false(cut);
  /* No trailing NUL (a process that rewrote its title). */
  proc_format_cmdline((const uint8_t *)"nginx: worker", 13, false, out, sizeof out, &cut);
  assert_string_equal(out, "nginx: worker");
  proc_format_cmdline((const uint8_t *)"", 0, false, out, sizeof out, &cut);
  assert_string_equal(out, "");
  assert_false(cut);
  /* Exactly the room (511 bytes + NUL terminator in the source) fits. */
  uint8_t big[2000];
  memset(big, 'a', sizeof big);
  big[EV_ARGV_MAX - 1] = '\0';
  proc_format_cmdline(big, EV_ARGV_MAX, false, out, sizeof out, &cut);
  assert_false(cut);
  assert_int_equal(strlen(out), EV_ARGV_MAX - 1);
  /* One byte more is cut and marked. */
  memset(big, 'a', sizeof big);
  big[EV_ARGV_MAX] = '\0';
  n = proc_format_cmdline(big, EV_ARGV_MAX + 1, false, out, sizeof out, &cut);
  assert_true(cut);
  assert_int_equal(n, EV_ARGV_MAX - 1);
  assert_string_equal(out + n - 3, "...");
  /* The source itself was cut (more bytes than read). */
  n = proc_format_cmdline(big, 10, true, out, sizeof out, &cut);
  assert_true(cut);
  assert_string_equal(out, "aaaaaaaaaa...");
  /* Tiny buffers never overflow. */
  char tiny[4];
  proc_format_cmdline(big, 100, false, tiny, sizeof tiny, &cut);
  assert_true(cut);
  assert_string_equal(tiny, "...");
  proc_format_cmdline(big, 100, false, tiny, 1, &cut);
  assert_string_equal(tiny, "");
}

static void expect_id(const char *path, const char *want) {
  char cid[EV_CONTAINER_MAX];
  bool found = proc_container_id(path, strlen(path), cid);
  if (want) {
    if (!found || strcmp(cid, want) != 0)
      print_error("%s: got '%s'\n", path, cid);
    assert_true(found);
    assert_string_equal(cid, want);
  } else {
    if (found)
      print_error("%s: unexpected '%s'\n", path, cid);
    assert_false(found);
    assert_string_equal(cid, "");
  }
}

static void test_container_ids(void **state) {
  (void)state;
  const char *other = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
  expect_id("/system.slice/docker-" ID64 ".scope", ID64);
  expect_id("/docker/" ID64, ID64);
  expect_id("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
            "cri-containerd-" ID64 ".scope", ID64);
  expect_id("/kubepods.slice/kubepods-pod2.slice/crio-" ID64 ".scope", ID64);
  expect_id("/kubepods/besteffort/pod3/crio-" ID64, ID64);
  expect_id("/machine.slice/libpod-" ID64 ".scope/container", ID64);
  expect_id("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64
            ".scope", ID64);
  expect_id("/kubepods/burstable/pod4/" ID64, ID64); /* cgroupfs driver */
  /* Nested: the deepest is the process's own. */
  expect_id("/docker/" ID64 "/docker/" "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", other);
  /* Not ids: conmon, short, upper case, extra suffix, no container. */
  expect_id("/machine.slice/libpod-conmon-" ID64 ".scope", NULL);
  expect_id("/system.slice/docker-0123.scope", NULL);
  expect_id("/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", NULL);
  expect_id("/system.slice/docker-" ID64 ".service", NULL);
  expect_id("/docker/" ID64 "0", NULL);
  expect_id("/user.slice/user-0.slice/session-3.scope", NULL);
  expect_id("/", NULL);
  expect_id("", NULL);
}

static void expect_cgroup(const char *text, const char *path, const char *cid) {
  char p[EV_TEXT_MAX], c[EV_CONTAINER_MAX];
  assert_int_equal(proc_parse_cgroup(text, strlen(text), p, sizeof p, c), 0);
  assert_string_equal(p, path);
  assert_string_equal(c, cid);
}

static void test_cgroup(void **state) {
  (void)state;
  /* v2 only. */
  expect_cgroup("0::/system.slice/docker-" ID64 ".scope\n",
                "/system.slice/docker-" ID64 ".scope", ID64);
  expect_cgroup("0::/user.slice/user-0.slice/session-1.scope\n",
                "/user.slice/user-0.slice/session-1.scope", "");
  /* v1 only: name=systemd wins over the first controller. */
  expect_cgroup("12:memory:/docker/" ID64 "\n11:cpu,cpuacct:/docker/" ID64
                "\n1:name=systemd:/docker/" ID64 "\n",
                "/docker/" ID64, ID64);
  expect_cgroup("5:memory:/mem/path\n1:name=systemd:/sys/path\n", "/sys/path", "");
  /* Hybrid with every root at "/" but one (this very machine's shape). */
  expect_cgroup("9:name=systemd:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n",
                "/process_api/abc", "");
  expect_cgroup("1:name=systemd:/\n0::/\n", "/", "");
  /* Hybrid with a real v2 path. */
  expect_cgroup("1:name=systemd:/a\n0::/b/crio-" ID64 "\n", "/b/crio-" ID64, ID64);
  /* The id is taken from whichever line has it. */
  expect_cgroup("0::/\n4:pids:/kubepods/pod1/" ID64 "\n", "/kubepods/pod1/" ID64, ID64);
  /* A path with ':' in it, and no final newline. */
  expect_cgroup("0::/a:b/c", "/a:b/c", "");
  /* Garbage lines are skipped; nothing usable is an error. */
  char p[EV_TEXT_MAX], c[EV_CONTAINER_MAX];
  const char *bad[] = {"", "garbage\n", "1:cpu\n", "0::relative\n", "::\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(proc_parse_cgroup(bad[i], strlen(bad[i]), p, sizeof p, c), -EBADMSG);
    assert_string_equal(p, "");
    assert_string_equal(c, "");
  }
  /* A long path is cut to fit. */
  char longtext[600] = "0::/";
  memset(longtext + 4, 'x', 500);
  longtext[504] = '\0';
  assert_int_equal(proc_parse_cgroup(longtext, strlen(longtext), p, sizeof p, c), 0);
  assert_int_equal(strlen(p), EV_TEXT_MAX - 1);
}

/* --- a fake /proc ------------------------------------------------------- */

struct fake {
  char root[256];
};

static void put(const struct fake *f, const char *rel, const void *data, size_t n) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", f->root, rel);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  assert_int_equal(fwrite(data, 1, n, fp), n);
  fclose(fp);
}

static void link_to(const struct fake *f, const char *rel, const char *target) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", f->root, rel);
  assert_int_equal(symlink(target, path), 0);
}

static void dir(const struct fake *f, const char *rel) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", f->root, rel);
  assert_int_equal(mkdir(path, 0755), 0);
}

static void status(const struct fake *f, unsigned pid, const char *name, char st,
                   unsigned ppid, unsigned uid, int kthread) {
  char rel[64], text[512];
  snprintf(rel, sizeof rel, "%u/status", pid);
  int n = snprintf(text, sizeof text,
                   "Name:\t%s\nState:\t%c (x)\nTgid:\t%u\nPid:\t%u\nPPid:\t%u\n"
                   "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t0\t0\t0\n%s",
                   name, st, pid, pid, ppid, uid, uid, uid, uid, uid + 1,
                   kthread < 0 ? "" : kthread ? "Kthread:\t1\n" : "Kthread:\t0\n");
  put(f, rel, text, (size_t)n);
}

/* pid 1 init; 100 a docker process (child of 1); 200 a zombie; 2 a kernel
 * thread (old kernel: no Kthread line); 300 a process with only a directory
 * left; 400 with a cmdline too long; "self" and "net" are not processes. */
static void build_tree(struct fake *f) {
  snprintf(f->root, sizeof f->root, "/tmp/habit-fakeproc-XXXXXX");
  assert_non_null(mkdtemp(f->root));
  dir(f, "1");
  status(f, 1, "systemd", 'S', 0, 0, 0);
  link_to(f, "1/exe", "/usr/lib/systemd/systemd");
  link_to(f, "1/cwd", "/");
  put(f, "1/cmdline", "/sbin/init\0splash\0", 18);
  put(f, "1/cgroup", "0::/init.scope\n", 15);

  dir(f, "100");
  status(f, 100, "nginx", 'S', 1, 101, 0);
  link_to(f, "100/exe", "/usr/sbin/nginx");
  link_to(f, "100/cwd", "/srv/www");
  put(f, "100/cmdline", "nginx\0-g\0daemon off;\0", 21);
  const char cg[] = "0::/system.slice/docker-" ID64 ".scope\n";
  put(f, "100/cgroup", cg, sizeof cg - 1);

  dir(f, "200");
  status(f, 200, "defunct", 'Z', 100, 101, 0);
  put(f, "200/cmdline", "", 0);

  dir(f, "2");
  status(f, 2, "kthreadd", 'S', 0, 0, -1);
  put(f, "2/cmdline", "", 0);
  put(f, "2/cgroup", "0::/\n", 5);

  dir(f, "300");

  dir(f, "400");
  status(f, 400, "long", 'R', 1, 0, 0);
  link_to(f, "400/exe", "/usr/bin/long");
  static uint8_t big[6000];
  memset(big, 'z', sizeof big);
  put(f, "400/cmdline", big, sizeof big);

  dir(f, "net");
  link_to(f, "self", "100");
}

static void remove_tree(const struct fake *f) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
  assert_int_equal(system(cmd), 0);
}

static void fill(const struct fake *f, uint32_t pid, struct ev_proc *p) {
  memset(p, 0, sizeof *p);
  p->op = EV_PROC_EXEC;
  p->pid = p->tgid = pid;
  proc_info_fill(f->root, pid, p);
}

static void test_fill(void **state) {
  (void)state;
  struct fake f;
  build_tree(&f);
  struct ev_proc p;
  fill(&f, 100, &p);
  assert_int_equal(p.flags, 0);
  assert_string_equal(p.exe, "/usr/sbin/nginx");
  assert_string_equal(p.argv, "nginx -g daemon off;");
  assert_string_equal(p.cwd, "/srv/www");
  assert_int_equal(p.ppid, 1);
  assert_int_equal(p.uid, 101);
  assert_int_equal(p.gid, 102);
  assert_string_equal(p.comm, "nginx");
  assert_string_equal(p.parent_exe, "/usr/lib/systemd/systemd");
  assert_string_equal(p.cgroup, "/system.slice/docker-" ID64 ".scope");
  assert_string_equal(p.container_id, ID64);

  fill(&f, 1, &p);
  assert_int_equal(p.flags, 0);
  assert_string_equal(p.argv, "/sbin/init splash");
  assert_int_equal(p.ppid, 0);
  assert_string_equal(p.parent_exe, "");
  assert_string_equal(p.container_id, "");

  /* A zombie: ids from status, no exe, flagged gone. */
  fill(&f, 200, &p);
  assert_int_equal(p.flags, EV_PROC_F_GONE);
  assert_string_equal(p.exe, "");
  assert_int_equal(p.ppid, 100);
  assert_string_equal(p.parent_exe, "/usr/sbin/nginx");

  /* A kernel thread, told by its parent on kernels without Kthread:. */
  fill(&f, 2, &p);
  assert_int_equal(p.flags, EV_PROC_F_KTHREAD);
  assert_string_equal(p.comm, "kthreadd");

  /* Only the directory is left; then not even that. The ppid the caller
   * knew (from the fork) is kept. */
  fill(&f, 300, &p);
  assert_int_equal(p.flags, EV_PROC_F_GONE);
  assert_int_equal(p.uid, EV_PROC_ID_UNKNOWN);
  memset(&p, 0, sizeof p);
  p.op = EV_PROC_EXEC;
  p.pid = p.tgid = 999;
  p.ppid = 100;
  proc_info_fill(f.root, 999, &p);
  assert_int_equal(p.flags, EV_PROC_F_GONE);
  assert_int_equal(p.ppid, 100);
  assert_string_equal(p.parent_exe, "/usr/sbin/nginx");
  assert_string_equal(p.exe, "");
  assert_string_equal(p.argv, "");
  assert_int_equal(p.gid, EV_PROC_ID_UNKNOWN);

  /* argv bounded and marked. */
  fill(&f, 400, &p);
  assert_int_equal(p.flags, EV_PROC_F_ARGV_CUT);
  assert_int_equal(strlen(p.argv), EV_ARGV_MAX - 1);
  assert_string_equal(p.argv + EV_ARGV_MAX - 4, "...");

  char exe[EV_TEXT_MAX];
  proc_info_exe(f.root, 100, exe, sizeof exe);
  assert_string_equal(exe, "/usr/sbin/nginx");
  proc_info_exe(f.root, 0, exe, sizeof exe);
  assert_string_equal(exe, "");
  proc_info_exe(f.root, 12345, exe, sizeof exe);
  assert_string_equal(exe, "");
  remove_tree(&f);
}

struct seen {
  uint32_t pids[16];
  uint8_t flags[16];
  size_t n;
  int stop_after;
};

static int collect(void *ctx, const struct ev_proc *p) {
  struct seen *s = ctx;
  assert_int_equal(p->op, EV_PROC_EXISTING);
  assert_int_equal(p->pid, p->tgid);
  assert_true(s->n < 16);
  s->flags[s->n] = p->flags;
  s->pids[s->n++] = p->pid;
  return s->stop_after && (int)s->n == s->stop_after ? 7 : 0;
}

static int find(const struct seen *s, uint32_t pid) {
  for (size_t i = 0; i < s->n; i++)
    if (s->pids[i] == pid)
      return (int)i;
  return -1;
}

static void test_scan(void **state) {
  (void)state;
  struct fake f;
  build_tree(&f);
  struct seen s = {.n = 0};
  struct hb_error err = {0, ""};
  assert_int_equal(proc_scan(f.root, collect, &s, &err), 0);
  assert_int_equal(s.n, 6); /* 1 2 100 200 300 400; not net, not self */
  assert_true(find(&s, 1) >= 0);
  assert_int_equal(s.flags[find(&s, 100)], 0);
  assert_int_equal(s.flags[find(&s, 200)], EV_PROC_F_GONE);
  assert_int_equal(s.flags[find(&s, 2)], EV_PROC_F_KTHREAD);
  /* The callback stops the scan. */
  struct seen s2 = {.n = 0, .stop_after = 2};
  assert_int_equal(proc_scan(f.root, collect, &s2, &err), 7);
  assert_int_equal(s2.n, 2);
  remove_tree(&f);
  assert_true(proc_scan(f.root, collect, &s, &err) < 0);
  assert_non_null(strstr(err.msg, "cannot list processes"));
  assert_non_null(strstr(err.msg, f.root));
}

/* The real /proc: this process, and pid 1. */
/* stat's start time (field 22), past a name holding spaces and ')'. */
static void test_stat_start(void **state) {
  (void)state;
  static const char good[] =
      "4242 (a) b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 "
      "1000 200 18446744073709551615\n";
  uint64_t t = 0;
  assert_int_equal(proc_parse_stat_start(good, strlen(good), &t), 0);
  assert_int_equal(t, 123456);
  static const char last[] = "1 (x) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 77";
  assert_int_equal(proc_parse_stat_start(last, strlen(last), &t), 0);
  assert_int_equal(t, 77);
  static const char *const bad[] = {
      "1 (x S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 77", /* no ')' */
      "1 (x) S 0 1 1 0",                                /* too few fields */
      "1 (x) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 -5", /* not a number */
      "1 (x) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999999",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(proc_parse_stat_start(bad[i], strlen(bad[i]), &t), -EBADMSG);
  /* This process started before now and after boot. */
  uint64_t me = proc_info_start_ns("/proc", (uint32_t)getpid());
  struct timespec boot;
  assert_int_equal(clock_gettime(CLOCK_BOOTTIME, &boot), 0);
  assert_true(me > 0);
  assert_true(me <= (uint64_t)boot.tv_sec * 1000000000ull + (uint64_t)boot.tv_nsec);
}

static void test_real_proc(void **state) {
  (void)state;
  struct ev_proc p;
  memset(&p, 0, sizeof p);
  p.op = EV_PROC_EXISTING;
  p.pid = p.tgid = (uint32_t)getpid();
  proc_info_fill("/proc", p.pid, &p);
  assert_int_equal(p.flags, 0);
  assert_non_null(strstr(p.exe, "test_proc_info"));
  assert_non_null(strstr(p.argv, "test_proc_info"));
  assert_int_equal(p.ppid, (uint32_t)getppid());
  assert_int_equal(p.uid, (uint32_t)getuid());
  assert_true(p.cgroup[0] == '/');
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_status),     cmocka_unit_test(test_cmdline),
      cmocka_unit_test(test_container_ids), cmocka_unit_test(test_cgroup),
      cmocka_unit_test(test_fill),       cmocka_unit_test(test_scan),
      cmocka_unit_test(test_real_proc),  cmocka_unit_test(test_stat_start),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
