/* tests/unit/test_file_event_parse.c — collect/fan_parse.h on crafted
 * fanotify buffers: one event, several, directory records with and without
 * names, the overflow event, and every way an event can lie about a length
 * (each refused with its reason, nothing read past the buffer: buffers are
 * exact-size heap copies, so ASan sees any overrun). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>

#include <cmocka.h>

#include "collect/fan_parse.h"

struct buf {
  uint8_t b[4096];
  size_t len;
};

static size_t put_meta(struct buf *b, uint32_t event_len, uint64_t mask, int32_t pid) {
  size_t at = b->len;
  uint8_t *p = b->b + at;
  memcpy(p, &event_len, 4);
  p[4] = FAN_META_VERSION;
  p[5] = 0;
  uint16_t ml = FAN_META_LEN;
  memcpy(p + 6, &ml, 2);
  memcpy(p + 8, &mask, 8);
  int32_t fd = FAN_NOFD;
  memcpy(p + 16, &fd, 4);
  memcpy(p + 20, &pid, 4);
  b->len += FAN_META_LEN;
  return at;
}

/* A directory record: fsid 1..8, a handle of hlen bytes, an optional name,
 * padded to 4 bytes as the kernel does. */
static void put_dir(struct buf *b, uint8_t type, uint32_t hlen, const char *name) {
  uint8_t *p = b->b + b->len;
  size_t len = 4 + 8 + 8 + hlen + (name ? strlen(name) + 1 : 0);
  len = (len + 3) & ~(size_t)3;
  memset(p, 0, len);
  p[0] = type;
  uint16_t l16 = (uint16_t)len;
  memcpy(p + 2, &l16, 2);
  for (int i = 0; i < 8; i++)
    p[4 + i] = (uint8_t)(i + 1);
  memcpy(p + 12, &hlen, 4);
  int32_t htype = 0x81;
  memcpy(p + 16, &htype, 4);
  for (uint32_t i = 0; i < hlen; i++)
    p[20 + i] = (uint8_t)(0xa0 + i);
  if (name)
    memcpy(p + 20 + hlen, name, strlen(name) + 1);
  b->len += len;
}

/* Set the event_len of the event at `at` to end at the buffer's end. */
static void close_event(struct buf *b, size_t at) {
  uint32_t len = (uint32_t)(b->len - at);
  memcpy(b->b + at, &len, 4);
}

static void add_event(struct buf *b, uint64_t mask, int32_t pid, const char *name) {
  size_t at = put_meta(b, 0, mask, pid);
  put_dir(b, name ? FAN_INFO_DFID_NAME : FAN_INFO_DFID, 8, name);
  close_event(b, at);
}

/* Parse b whole; returns the count of events, or the first refusal. */
static int parse_all(const struct buf *b, struct fan_event *evs, size_t max,
                     struct hb_error *err) {
  uint8_t *copy = malloc(b->len ? b->len : 1);
  assert_non_null(copy);
  memcpy(copy, b->b, b->len);
  struct fan_reader r;
  fan_reader_init(&r, copy, b->len);
  struct fan_event e;
  int n = 0, rc;
  hb_error_clear(err);
  while ((rc = fan_next(&r, &e, err)) == 1) {
    assert_true((size_t)n < max);
    evs[n++] = e;
    if (e.name) /* names are checked here, while the copy lives */
      assert_int_equal(strlen(e.name), e.name_len);
  }
  /* After a refusal the reader is at its end. */
  if (rc < 0)
    assert_int_equal(fan_next(&r, &e, err), 0);
  free(copy);
  return rc < 0 ? rc : n;
}

static void expect_refused(const struct buf *b, const char *why) {
  struct fan_event evs[8];
  struct hb_error err;
  int rc = parse_all(b, evs, 8, &err);
  if (rc != -EBADMSG || !strstr(err.msg, why))
    print_error("want '%s', got %d '%s'\n", why, rc, err.msg);
  assert_int_equal(rc, -EBADMSG);
  assert_non_null(strstr(err.msg, why));
  assert_non_null(strstr(err.msg, "fanotify event at offset"));
}

static void test_one_event(void **state) {
  (void)state;
  struct buf b = {.len = 0};
  add_event(&b, FAN_CREATE, 4242, "passwd");
  struct fan_event e[4];
  struct hb_error err;
  assert_int_equal(parse_all(&b, e, 4, &err), 1);
  assert_int_equal(e[0].mask, FAN_CREATE);
  assert_int_equal(e[0].pid, 4242);
  assert_int_equal(e[0].fd, FAN_NOFD);
  assert_true(e[0].has_dir);
  assert_int_equal(e[0].handle_len, 8);
  assert_int_equal(e[0].handle_type, 0x81);
  assert_int_equal(e[0].fsid[0], 1);
  assert_int_equal(e[0].fsid[7], 8);
  assert_int_equal(e[0].name_len, 6);
  assert_int_equal(e[0].offset, 0);
  /* An empty buffer has no event and no error. */
  struct buf empty = {.len = 0};
  assert_int_equal(parse_all(&empty, e, 4, &err), 0);
  struct fan_reader r;
  fan_reader_init(&r, NULL, 100);
  assert_int_equal(fan_next(&r, &e[0], &err), 0);
}

static void test_several_events(void **state) {
  (void)state;
  struct buf b = {.len = 0};
  add_event(&b, FAN_OPEN | FAN_MODIFY, 1, "a");
  add_event(&b, FAN_DELETE, 2, "a-much-longer-name-to-move-the-padding");
  add_event(&b, FAN_OPEN | FAN_OPEN_EXEC, 3, NULL); /* DFID without a name */
  size_t at = put_meta(&b, FAN_META_LEN, FAN_Q_OVERFLOW, 0); /* no info at all */
  add_event(&b, FAN_MOVED_TO | FAN_ONDIR, 5, "dir");
  struct fan_event e[8];
  struct hb_error err;
  assert_int_equal(parse_all(&b, e, 8, &err), 5);
  assert_int_equal(e[0].mask, FAN_OPEN | FAN_MODIFY);
  assert_int_equal(e[1].pid, 2);
  assert_int_equal(e[1].name_len, strlen("a-much-longer-name-to-move-the-padding"));
  assert_true(e[2].has_dir);
  assert_null(e[2].name);
  assert_int_equal(e[3].mask, FAN_Q_OVERFLOW);
  assert_false(e[3].has_dir);
  assert_int_equal(e[3].offset, at);
  assert_int_equal(e[4].mask, FAN_MOVED_TO | FAN_ONDIR);
  assert_int_equal(e[4].name_len, 3);
}

static void test_other_records_skipped(void **state) {
  (void)state;
  /* A FID record and an unknown record type beside the DFID_NAME one. */
  struct buf b = {.len = 0};
  size_t at = put_meta(&b, 0, FAN_MODIFY, 7);
  put_dir(&b, FAN_INFO_FID, 12, NULL);
  uint8_t *p = b.b + b.len;
  p[0] = 99;
  p[1] = 0;
  p[2] = 8;
  p[3] = 0;
  memset(p + 4, 0xee, 4);
  b.len += 8;
  put_dir(&b, FAN_INFO_DFID_NAME, 16, "shadow");
  close_event(&b, at);
  struct fan_event e[2];
  struct hb_error err;
  assert_int_equal(parse_all(&b, e, 2, &err), 1);
  assert_int_equal(e[0].handle_len, 16);
  assert_int_equal(e[0].name_len, strlen("shadow")); /* the copy is freed: no deref */
  /* Two directory records are one too many. */
  b.len = 0;
  at = put_meta(&b, 0, FAN_MODIFY, 7);
  put_dir(&b, FAN_INFO_DFID_NAME, 8, "x");
  put_dir(&b, FAN_INFO_DFID, 8, NULL);
  close_event(&b, at);
  expect_refused(&b, "two directory records");
}

static void test_truncated(void **state) {
  (void)state;
  struct buf good = {.len = 0};
  add_event(&good, FAN_CREATE, 1, "passwd");
  size_t first = good.len;
  add_event(&good, FAN_DELETE, 1, "group");
  /* Every cut: refused (never a crash), or whole events before the cut. */
  for (size_t len = 1; len < good.len; len++) {
    struct buf b = good;
    b.len = len;
    struct fan_event e[4];
    struct hb_error err;
    int rc = parse_all(&b, e, 4, &err);
    assert_int_equal(rc, len == first ? 1 : -EBADMSG);
  }
  struct buf b = good;
  b.len = 10;
  expect_refused(&b, "10 bytes left, shorter than the 24-byte metadata");
  b.len = good.len - 1;
  expect_refused(&b, "exceeds the");
}

static void test_lying_lengths(void **state) {
  (void)state;
  struct buf b;
  size_t at;
  /* event_len larger than the buffer. */
  b.len = 0;
  add_event(&b, FAN_OPEN, 1, "x");
  uint32_t big = (uint32_t)b.len + 4;
  memcpy(b.b, &big, 4);
  expect_refused(&b, "event_len");
  big = UINT32_MAX;
  memcpy(b.b, &big, 4);
  expect_refused(&b, "exceeds the");
  /* event_len shorter than the metadata. */
  b.len = 0;
  add_event(&b, FAN_OPEN, 1, "x");
  uint32_t small = 8;
  memcpy(b.b, &small, 4);
  expect_refused(&b, "event_len 8 shorter than metadata_len 24");
  small = 0; /* would loop forever if trusted */
  memcpy(b.b, &small, 4);
  expect_refused(&b, "event_len 0 shorter");
  /* metadata_len below the struct, or past event_len. */
  b.len = 0;
  add_event(&b, FAN_OPEN, 1, "x");
  uint16_t ml = 4;
  memcpy(b.b + 6, &ml, 2);
  expect_refused(&b, "metadata_len 4, shorter than 24");
  ml = 200;
  memcpy(b.b + 6, &ml, 2);
  expect_refused(&b, "shorter than metadata_len 200");
  /* Version. */
  b.len = 0;
  add_event(&b, FAN_OPEN, 1, "x");
  b.b[4] = 2;
  expect_refused(&b, "metadata version 2");
  /* An info record longer than the event, or shorter than its header. */
  b.len = 0;
  add_event(&b, FAN_OPEN, 1, "x");
  uint16_t rl = 200;
  memcpy(b.b + FAN_META_LEN + 2, &rl, 2);
  expect_refused(&b, "runs past the event");
  rl = 2;
  memcpy(b.b + FAN_META_LEN + 2, &rl, 2);
  expect_refused(&b, "info record of type 2 has length 2");
  rl = 0;
  memcpy(b.b + FAN_META_LEN + 2, &rl, 2);
  expect_refused(&b, "has length 0");
  /* Stray bytes after the records. */
  b.len = 0;
  at = put_meta(&b, 0, FAN_OPEN, 1);
  put_dir(&b, FAN_INFO_DFID_NAME, 8, "x");
  b.len += 2;
  close_event(&b, at);
  expect_refused(&b, "2 stray bytes after the info records");
  /* A handle larger than its record, or than MAX_HANDLE_SZ, or empty. */
  uint32_t hl;
  const uint32_t bad_h[] = {0, 129, 64, UINT32_MAX};
  const char *why[] = {"file handle of 0 bytes", "file handle of 129 bytes",
                       "file handle of 64 bytes overruns", "file handle of 4294967295 bytes"};
  for (size_t i = 0; i < 4; i++) {
    b.len = 0;
    add_event(&b, FAN_OPEN, 1, "x");
    hl = bad_h[i];
    memcpy(b.b + FAN_META_LEN + 12, &hl, 4);
    expect_refused(&b, why[i]);
  }
  /* A record too short to hold the handle header. */
  b.len = 0;
  at = put_meta(&b, 0, FAN_OPEN, 1);
  uint8_t *p = b.b + b.len;
  memset(p, 0, 16);
  p[0] = FAN_INFO_DFID_NAME;
  p[2] = 16;
  b.len += 16;
  close_event(&b, at);
  expect_refused(&b, "directory record of 16 bytes, shorter than 20");
  /* A name without its NUL, and an empty name. */
  b.len = 0;
  add_event(&b, FAN_OPEN, 1, "abc"); /* 20 + 8 + 4 = 32 bytes, no padding */
  b.b[b.len - 1] = 'd';
  expect_refused(&b, "name not terminated within its record");
  b.len = 0;
  add_event(&b, FAN_OPEN, 1, "");
  expect_refused(&b, "empty name");
  /* A good event, then a lying one: the good one counts, offset named. */
  b.len = 0;
  add_event(&b, FAN_OPEN, 1, "ok");
  size_t second = b.len;
  add_event(&b, FAN_OPEN, 1, "x");
  b.b[second + 4] = 9;
  char want[64];
  snprintf(want, sizeof want, "fanotify event at offset %zu: metadata version 9", second);
  expect_refused(&b, want);
}

static void test_overflow_event(void **state) {
  (void)state;
  struct buf b = {.len = 0};
  put_meta(&b, FAN_META_LEN, FAN_Q_OVERFLOW, 0);
  struct fan_event e[2];
  struct hb_error err;
  assert_int_equal(parse_all(&b, e, 2, &err), 1);
  assert_true(e[0].mask & FAN_Q_OVERFLOW);
  assert_false(e[0].has_dir);
  assert_null(e[0].name);
}

/* Unaligned buffers are fine (fields are copied out). */
static void test_unaligned(void **state) {
  (void)state;
  struct buf b = {.len = 0};
  add_event(&b, FAN_CREATE, 99, "group");
  uint8_t *raw = malloc(b.len + 1);
  assert_non_null(raw);
  memcpy(raw + 1, b.b, b.len);
  struct fan_reader r;
  fan_reader_init(&r, raw + 1, b.len);
  struct fan_event e;
  struct hb_error err;
  assert_int_equal(fan_next(&r, &e, &err), 1);
  assert_int_equal(e.pid, 99);
  assert_string_equal(e.name, "group");
  assert_int_equal(fan_next(&r, &e, &err), 0);
  free(raw);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_one_event),        cmocka_unit_test(test_several_events),
      cmocka_unit_test(test_other_records_skipped), cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_lying_lengths),    cmocka_unit_test(test_overflow_event),
      cmocka_unit_test(test_unaligned),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
