/* tests/unit/test_proc_conn.c — collect/proc_conn.h: the netlink message
 * parser on crafted datagrams (exec, fork, exit, acks, several in one
 * buffer; cut, lying lengths, another connector, stray bytes), the per-CPU
 * sequence gap count, and the live socket: subscribing and seeing our own
 * child's fork, exec and exit (we run as root). */
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "collect/proc_conn.h"

/* Build one netlink message holding one proc_event into buf at pos;
 * data is the event's own fields (dlen bytes). Returns the new pos. */
static size_t put_msg(uint8_t *buf, size_t pos, uint32_t what, uint32_t cpu, uint32_t seq,
                      uint64_t ts, const uint32_t *data, size_t dlen) {
  size_t ev_len = 16 + dlen, cn_len = 20 + ev_len, nl_len = 16 + cn_len;
  uint8_t *p = buf + pos;
  memset(p, 0, NLMSG_ALIGN(nl_len));
  uint32_t u = (uint32_t)nl_len;
  memcpy(p, &u, 4);
  uint16_t t = NLMSG_DONE;
  memcpy(p + 4, &t, 2);
  u = CN_IDX_PROC;
  memcpy(p + 16, &u, 4);
  u = CN_VAL_PROC;
  memcpy(p + 20, &u, 4);
  memcpy(p + 24, &seq, 4);
  uint16_t l = (uint16_t)ev_len;
  memcpy(p + 32, &l, 2);
  memcpy(p + 36, &what, 4);
  memcpy(p + 40, &cpu, 4);
  memcpy(p + 44, &ts, 8);
  memcpy(p + 52, data, dlen);
  return pos + NLMSG_ALIGN(nl_len);
}

static size_t exec_msg(uint8_t *buf, size_t pos, uint32_t pid) {
  uint32_t d[2] = {pid, pid};
  return put_msg(buf, pos, PROC_EVENT_EXEC, 1, 7, 123456789, d, sizeof d);
}

/* Parse from an exact-size heap copy so ASan sees any overread. */
static int parse(const uint8_t *buf, size_t len, struct proc_batch *b, struct hb_error *err) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, buf, len);
  hb_error_clear(err);
  int rc = proc_conn_parse(copy, len, b, err);
  free(copy);
  return rc;
}

static void expect_bad(const uint8_t *buf, size_t len, const char *why, size_t n_good) {
  struct proc_batch b;
  struct hb_error err;
  int rc = parse(buf, len, &b, &err);
  if (rc != -EBADMSG || !strstr(err.msg, why))
    print_error("want '%s', got %d '%s'\n", why, rc, err.msg);
  assert_int_equal(rc, -EBADMSG);
  assert_non_null(strstr(err.msg, why));
  assert_int_equal(b.n, n_good);
}

static void test_exec_fork_exit(void **state) {
  (void)state;
  uint8_t buf[1024];
  struct proc_batch b;
  struct hb_error err;
  size_t n = exec_msg(buf, 0, 4242);
  assert_int_equal(parse(buf, n, &b, &err), 0);
  assert_int_equal(b.n, 1);
  assert_int_equal(b.recs[0].type, PROC_REC_EXEC);
  assert_int_equal(b.recs[0].pid, 4242);
  assert_int_equal(b.recs[0].tgid, 4242);
  assert_int_equal(b.recs[0].cpu, 1);
  assert_int_equal(b.recs[0].seq, 7);
  assert_int_equal(b.recs[0].ktime_ns, 123456789);

  uint32_t fork[4] = {100, 100, 200, 200};
  n = put_msg(buf, 0, PROC_EVENT_FORK, 0, 1, 5, fork, sizeof fork);
  assert_int_equal(parse(buf, n, &b, &err), 0);
  assert_int_equal(b.recs[0].type, PROC_REC_FORK);
  assert_int_equal(b.recs[0].parent_pid, 100);
  assert_int_equal(b.recs[0].parent_tgid, 100);
  assert_int_equal(b.recs[0].pid, 200);
  assert_int_equal(b.recs[0].tgid, 200);

  /* Exit with the parent fields (Linux >= 4.18) and without. */
  uint32_t ex[6] = {300, 300, 9, 17, 1, 1};
  n = put_msg(buf, 0, PROC_EVENT_EXIT, 0, 2, 6, ex, sizeof ex);
  assert_int_equal(parse(buf, n, &b, &err), 0);
  assert_int_equal(b.recs[0].type, PROC_REC_EXIT);
  assert_int_equal(b.recs[0].pid, 300);
  assert_int_equal(b.recs[0].exit_code, 9);
  assert_int_equal(b.recs[0].exit_signal, 17);
  assert_int_equal(b.recs[0].parent_tgid, 1);
  n = put_msg(buf, 0, PROC_EVENT_EXIT, 0, 3, 6, ex, 16);
  assert_int_equal(parse(buf, n, &b, &err), 0);
  assert_int_equal(b.recs[0].parent_tgid, 0);

  /* The LISTEN ack and events this collector does not report. */
  uint32_t ack[6] = {0};
  n = put_msg(buf, 0, PROC_EVENT_NONE, 0, 0, 0, ack, sizeof ack);
  assert_int_equal(parse(buf, n, &b, &err), 0);
  assert_int_equal(b.recs[0].type, PROC_REC_ACK);
  uint32_t uid[4] = {5, 5, 1000, 1000};
  n = put_msg(buf, 0, PROC_EVENT_UID, 0, 4, 0, uid, sizeof uid);
  assert_int_equal(parse(buf, n, &b, &err), 0);
  assert_int_equal(b.recs[0].type, PROC_REC_OTHER);
  assert_int_equal(b.recs[0].pid, 5);
  n = put_msg(buf, 0, 0x12345678, 0, 4, 0, uid, 0); /* unknown kind: counted */
  assert_int_equal(parse(buf, n, &b, &err), 0);
  assert_int_equal(b.recs[0].type, PROC_REC_OTHER);
}

static void test_several_in_one_buffer(void **state) {
  (void)state;
  uint8_t buf[4096];
  size_t n = 0;
  for (uint32_t i = 0; i < 10; i++)
    n = exec_msg(buf, n, 1000 + i);
  /* A NOOP in the middle is skipped. */
  uint8_t noop[16] = {16, 0, 0, 0, NLMSG_NOOP, 0};
  memcpy(buf + n, noop, 16);
  n += 16;
  uint32_t fork[4] = {1, 1, 2000, 2000};
  n = put_msg(buf, n, PROC_EVENT_FORK, 3, 9, 0, fork, sizeof fork);
  struct proc_batch b;
  struct hb_error err;
  assert_int_equal(parse(buf, n, &b, &err), 0);
  assert_int_equal(b.n, 11);
  for (uint32_t i = 0; i < 10; i++)
    assert_int_equal(b.recs[i].pid, 1000 + i);
  assert_int_equal(b.recs[10].type, PROC_REC_FORK);
  assert_int_equal(b.recs[10].pid, 2000);
  /* A bad third message keeps the first two. */
  size_t m = exec_msg(buf, 0, 1);
  m = exec_msg(buf, m, 2);
  size_t third = m;
  m = exec_msg(buf, m, 3);
  uint32_t lie = 4096;
  memcpy(buf + third, &lie, 4);
  expect_bad(buf, m, "says length 4096, only 60 bytes left", 2);
  /* More than a batch holds. */
  static uint8_t big[PROC_BATCH_MAX * 80 + 80];
  size_t k = 0;
  for (int i = 0; i <= PROC_BATCH_MAX; i++)
    k = exec_msg(big, k, (uint32_t)i + 1);
  expect_bad(big, k, "more than 64 messages", PROC_BATCH_MAX);
}

static void test_truncated(void **state) {
  (void)state;
  uint8_t buf[256];
  size_t n = exec_msg(buf, 0, 77);
  assert_int_equal(n, 60); /* 16 netlink + 20 cn_msg + 16 + 8 */
  expect_bad(buf, 0, "empty datagram", 0);
  /* Every cut of a good message is refused, never read past. */
  for (size_t len = 1; len < n; len++) {
    struct proc_batch b;
    struct hb_error err;
    assert_int_equal(parse(buf, len, &b, &err), -EBADMSG);
    assert_int_equal(b.n, 0);
    assert_true(err.msg[0] != '\0');
  }
  expect_bad(buf, 15, "15 stray bytes at offset 0", 0);
  expect_bad(buf, 40, "says length 60, only 40 bytes left", 0);
  /* Stray bytes after a good message. */
  memset(buf + n, 0, 8);
  expect_bad(buf, n + 8, "8 stray bytes at offset 60", 1);
}

static void test_lying_lengths(void **state) {
  (void)state;
  uint8_t buf[256];
  size_t n;
  uint32_t u;
  uint16_t s;
  /* nlmsg_len below its header, and zero (would loop forever). */
  const uint32_t small[] = {0, 1, 15};
  for (size_t i = 0; i < 3; i++) {
    n = exec_msg(buf, 0, 1);
    memcpy(buf, &small[i], 4);
    expect_bad(buf, n, "less than its 16-byte header", 0);
  }
  /* nlmsg_len past the datagram. */
  n = exec_msg(buf, 0, 1);
  u = 61;
  memcpy(buf, &u, 4);
  expect_bad(buf, n, "says length 61, only 60 bytes left", 0);
  u = UINT32_MAX;
  memcpy(buf, &u, 4);
  expect_bad(buf, n, "only 60 bytes left", 0);
  /* A netlink message too short for the cn_msg header. */
  n = exec_msg(buf, 0, 1);
  u = 30;
  memcpy(buf, &u, 4);
  expect_bad(buf, 32, "less than a cn_msg header", 0);
  /* cn_msg.len larger than what the netlink message holds. */
  n = exec_msg(buf, 0, 1);
  s = 25;
  memcpy(buf + 32, &s, 2);
  expect_bad(buf, n, "cn_msg at offset 0 says 25 bytes of data, the netlink message holds 24", 0);
  s = 0xffff;
  memcpy(buf + 32, &s, 2);
  expect_bad(buf, n, "says 65535 bytes of data", 0);
  /* cn_msg.len too small for the proc_event header, or for the exec data. */
  s = 10;
  memcpy(buf + 32, &s, 2);
  expect_bad(buf, n, "less than a proc_event header", 0);
  s = 20;
  memcpy(buf + 32, &s, 2);
  expect_bad(buf, n, "event 0x2 at offset 0 has 4 bytes of data, needs 8", 0);
  /* A fork that says exec's size. */
  uint32_t d[2] = {1, 1};
  n = put_msg(buf, 0, PROC_EVENT_FORK, 0, 0, 0, d, sizeof d);
  expect_bad(buf, n, "has 8 bytes of data, needs 16", 0);
  /* An ack without its err field. */
  n = put_msg(buf, 0, PROC_EVENT_NONE, 0, 0, 0, d, 0);
  expect_bad(buf, n, "has 0 bytes of data, needs 4", 0);
}

static void test_wrong_source(void **state) {
  (void)state;
  uint8_t buf[256];
  size_t n = exec_msg(buf, 0, 1);
  uint32_t idx = CN_IDX_PROC + 1;
  memcpy(buf + 16, &idx, 4);
  expect_bad(buf, n, "is for connector 2.1, not the process connector (1.1)", 0);
  n = exec_msg(buf, 0, 1);
  uint32_t val = 2;
  memcpy(buf + 20, &val, 4);
  expect_bad(buf, n, "connector 1.2", 0);
  n = exec_msg(buf, 0, 1);
  uint16_t type = NLMSG_ERROR;
  memcpy(buf + 4, &type, 2);
  expect_bad(buf, n, "has type 2, expected 3", 0);
  type = NLMSG_OVERRUN;
  memcpy(buf + 4, &type, 2);
  expect_bad(buf, n, "has type 4", 0);
}

static void test_sequence_gaps(void **state) {
  (void)state;
  struct proc_seq *s = calloc(1, sizeof *s);
  assert_non_null(s);
  assert_int_equal(proc_seq_note(s, 0, 10), 0); /* the first is the baseline */
  assert_int_equal(proc_seq_note(s, 0, 11), 0);
  assert_int_equal(proc_seq_note(s, 0, 15), 3); /* 12, 13, 14 lost */
  assert_int_equal(proc_seq_note(s, 1, 500), 0); /* CPUs count apart */
  assert_int_equal(proc_seq_note(s, 1, 501), 0);
  assert_int_equal(proc_seq_note(s, 0, 16), 0);
  assert_int_equal(proc_seq_note(s, 0, 14), 0); /* back: nothing, kept 16 */
  assert_int_equal(proc_seq_note(s, 0, 17), 0);
  assert_int_equal(proc_seq_note(s, 2, UINT32_MAX - 1), 0); /* wrap */
  assert_int_equal(proc_seq_note(s, 2, 1), 2);             /* MAX and 0 lost */
  assert_int_equal(proc_seq_note(s, PROC_SEQ_CPUS, 5), 0); /* out of range */
  assert_int_equal(proc_seq_note(s, PROC_SEQ_CPUS, 50), 0);
  free(s);
}

/* The live socket sees our own child fork, exec /bin/true and exit 3. */
static void test_live(void **state) {
  (void)state;
  struct proc_conn *c = malloc(sizeof *c);
  assert_non_null(c);
  struct hb_error err = {0, ""};
  int rc = proc_conn_open(c, 4 << 20, &err);
  if (rc != 0)
    print_error("%s\n", err.msg);
  assert_int_equal(rc, 0);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", "exit 3", (char *)NULL);
    _exit(127);
  }
  int status;
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_int_equal(WEXITSTATUS(status), 3);
  bool fork_seen = false, exec_seen = false, exit_seen = false;
  struct proc_batch b;
  uint64_t deadline = 0;
  for (int tries = 0; tries < 2000 && !(fork_seen && exec_seen && exit_seen); tries++) {
    rc = proc_conn_read(c, &b, 100, &err);
    assert_true(rc >= 0);
    if (rc == 0 && ++deadline > 30)
      break;
    for (size_t i = 0; i < b.n; i++) {
      const struct proc_rec *r = &b.recs[i];
      if (r->type == PROC_REC_FORK && r->tgid == (uint32_t)child) {
        fork_seen = true;
        assert_int_equal(r->parent_tgid, getpid());
      }
      if (r->type == PROC_REC_EXEC && r->tgid == (uint32_t)child)
        exec_seen = true;
      if (r->type == PROC_REC_EXIT && r->tgid == (uint32_t)child) {
        exit_seen = true;
        assert_int_equal(r->exit_code, 3 << 8);
        assert_true(proc_conn_walltime(c, r) > 1600000000ull * 1000000000ull);
      }
    }
  }
  assert_true(fork_seen);
  assert_true(exec_seen);
  assert_true(exit_seen);
  assert_int_equal(c->malformed, 0);
  proc_conn_close(c);
  free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_exec_fork_exit),
      cmocka_unit_test(test_several_in_one_buffer),
      cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_lying_lengths),
      cmocka_unit_test(test_wrong_source),
      cmocka_unit_test(test_sequence_gaps),
      cmocka_unit_test(test_live),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
