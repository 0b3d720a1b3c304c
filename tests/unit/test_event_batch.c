/* tests/unit/test_event_batch.c — core/event_batch.h: many events in one
 * frame come back in order; a full batch says -ENOSPC and stays usable; the
 * reader refuses bad headers, counts that disagree with the content either
 * way, events running past the frame, and a zero-length event (which must
 * not loop forever). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/event_batch.h"

static void make_flow(struct event *ev, uint32_t i) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EV_FLOW;
  ev->ts_ns = 1000 + i;
  snprintf(ev->node, sizeof ev->node, "node-%u", i);
  struct ev_flow *f = &ev->u.flow;
  f->flow_id = i;
  f->first_ns = i;
  f->last_ns = i + 5;
  f->cli.family = f->srv.family = (i % 3) ? 4 : 6;
  f->cli.b[0] = 10;
  f->cli.b[3] = (uint8_t)i;
  f->srv.b[0] = 192;
  f->cli_port = (uint16_t)(40000 + i);
  f->srv_port = 80;
  f->proto = 6;
  f->state = EV_STATE_ESTABLISHED;
  f->end_reason = EV_END_FIN;
  f->pkts_c2s = i;
  /* Vary sizes so events are not all alike. */
  memset(f->l7.http_path, 'p', i % 200);
}

static void make_stats(struct event *ev, uint32_t i) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EV_STATS;
  ev->ts_ns = i;
  snprintf(ev->u.stats.source, sizeof ev->u.stats.source, "cap-%u.pcap", i);
  ev->u.stats.packets = i * 10ull;
}

static void make_event(struct event *ev, uint32_t i) {
  if (i % 7 == 3)
    make_stats(ev, i);
  else
    make_flow(ev, i);
}

/* Read every event of a frame (in an exact-size heap copy); returns the
 * count, checks each against make_event(first + k). */
static uint32_t read_all(const uint8_t *frame, size_t len, uint32_t first) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, frame, len);
  struct ev_batch_reader r;
  struct hb_error err = {0, ""};
  assert_int_equal(ev_batch_open(&r, copy, len, &err), 0);
  struct event got, want;
  uint32_t k = 0;
  int rc;
  while ((rc = ev_batch_next(&r, &got, &err)) == 1) {
    make_event(&want, first + k);
    assert_memory_equal(&got, &want, sizeof got);
    k++;
  }
  if (rc != 0)
    print_error("%s\n", err.msg);
  assert_int_equal(rc, 0);
  /* The end stays the end. */
  assert_int_equal(ev_batch_next(&r, &got, &err), 0);
  free(copy);
  return k;
}

static void test_roundtrip_until_full(void **state) {
  (void)state;
  struct ev_batch *b = malloc(sizeof *b);
  assert_non_null(b);
  ev_batch_reset(b);
  uint32_t i = 0, first = 0, frames = 0, total = 0;
  struct event ev;
  while (frames < 3) {
    make_event(&ev, i);
    int rc = ev_batch_add(b, &ev);
    if (rc == -ENOSPC) {
      /* Full: nothing half-added, the frame reads back whole. */
      assert_true(b->len + EV_MAX_WIRE > EV_BATCH_CAP);
      size_t len = ev_batch_seal(b);
      assert_int_equal(len, b->len);
      assert_true(b->count > 100);
      assert_int_equal(read_all(b->buf, len, first), b->count);
      total += b->count;
      first = i;
      ev_batch_reset(b);
      frames++;
      continue; /* retry the same event in the new batch */
    }
    assert_int_equal(rc, 0);
    i++;
  }
  assert_int_equal(total, first);
  /* The empty batch is a valid frame of nothing. */
  ev_batch_reset(b);
  size_t len = ev_batch_seal(b);
  assert_int_equal(len, EV_BATCH_HDR);
  assert_int_equal(read_all(b->buf, len, 0), 0);
  /* An event that cannot be encoded is refused, the batch unchanged. */
  make_flow(&ev, 1);
  assert_int_equal(ev_batch_add(b, &ev), 0);
  size_t before = b->len;
  memset(ev.node, 'x', sizeof ev.node);
  assert_int_equal(ev_batch_add(b, &ev), -EINVAL);
  assert_int_equal(b->len, before);
  assert_int_equal(b->count, 1);
  free(b);
}

/* A sealed frame of n events starting at make_event(0). */
static size_t build(struct ev_batch *b, uint32_t n) {
  ev_batch_reset(b);
  struct event ev;
  for (uint32_t i = 0; i < n; i++) {
    make_event(&ev, i);
    assert_int_equal(ev_batch_add(b, &ev), 0);
  }
  return ev_batch_seal(b);
}

static void expect_open_fail(const uint8_t *frame, size_t len, const char *why) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, frame, len);
  struct ev_batch_reader r;
  struct hb_error err = {0, ""};
  int rc = ev_batch_open(&r, copy, len, &err);
  if (rc != -EBADMSG || !strstr(err.msg, why))
    print_error("want '%s', got %d '%s'\n", why, rc, err.msg);
  assert_int_equal(rc, -EBADMSG);
  assert_non_null(strstr(err.msg, why));
  free(copy);
}

/* Open succeeds; reading yields `good` events then fails with why. */
static void expect_next_fail(const uint8_t *frame, size_t len, uint32_t good,
                             const char *why) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, frame, len);
  struct ev_batch_reader r;
  struct hb_error err = {0, ""};
  assert_int_equal(ev_batch_open(&r, copy, len, &err), 0);
  struct event ev;
  for (uint32_t i = 0; i < good; i++)
    assert_int_equal(ev_batch_next(&r, &ev, &err), 1);
  int rc = ev_batch_next(&r, &ev, &err);
  if (rc != -EBADMSG || !strstr(err.msg, why))
    print_error("want '%s', got %d '%s'\n", why, rc, err.msg);
  assert_int_equal(rc, -EBADMSG);
  assert_non_null(strstr(err.msg, why));
  free(copy);
}

static void test_reject_header(void **state) {
  (void)state;
  struct ev_batch *b = malloc(sizeof *b);
  assert_non_null(b);
  size_t len = build(b, 3);
  for (size_t n = 0; n < EV_BATCH_HDR; n++)
    expect_open_fail(b->buf, n, "shorter than its header");
  uint8_t saved[EV_BATCH_HDR];
  memcpy(saved, b->buf, sizeof saved);
  b->buf[0] = 'h';
  expect_open_fail(b->buf, len, "bad magic");
  memcpy(b->buf, saved, sizeof saved);
  b->buf[1] = 'E'; /* an event is not a batch */
  expect_open_fail(b->buf, len, "bad magic");
  memcpy(b->buf, saved, sizeof saved);
  b->buf[2] = EV_WIRE_VERSION + 1;
  expect_open_fail(b->buf, len, "unsupported version 2");
  memcpy(b->buf, saved, sizeof saved);
  b->buf[3] = 1;
  expect_open_fail(b->buf, len, "reserved byte is 1");
  memcpy(b->buf, saved, sizeof saved);
  assert_int_equal(read_all(b->buf, len, 0), 3);
  free(b);
}

static void set_count(uint8_t *frame, uint32_t count) {
  for (int i = 0; i < 4; i++)
    frame[4 + i] = (uint8_t)(count >> (8 * i));
}

static void test_reject_counts(void **state) {
  (void)state;
  struct ev_batch *b = malloc(sizeof *b);
  assert_non_null(b);
  size_t len = build(b, 5);
  /* Fewer announced than present. */
  set_count(b->buf, 4);
  expect_next_fail(b->buf, len, 4, "after the 4 events it announced");
  set_count(b->buf, 0);
  expect_next_fail(b->buf, len, 0, "after the 0 events it announced");
  /* More announced than present. */
  set_count(b->buf, 6);
  expect_next_fail(b->buf, len, 5, "header says 6 events, found 5");
  set_count(b->buf, UINT32_MAX);
  expect_next_fail(b->buf, len, 5, "found 5");
  /* An empty frame announcing one. */
  len = build(b, 0);
  set_count(b->buf, 1);
  expect_next_fail(b->buf, len, 0, "header says 1 events, found 0");
  free(b);
}

static void put_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static void test_reject_event_lengths(void **state) {
  (void)state;
  struct ev_batch *b = malloc(sizeof *b);
  assert_non_null(b);
  size_t len = build(b, 2);
  size_t second = EV_BATCH_HDR + (b->buf[EV_BATCH_HDR + 4] | b->buf[EV_BATCH_HDR + 5] << 8);
  /* The frame cut inside the second event. */
  expect_next_fail(b->buf, len - 1, 1, "claims");
  expect_next_fail(b->buf, second + 5, 1, "cut short");
  expect_next_fail(b->buf, second + 10, 1, "claims");
  /* The second event claiming more than the frame holds. */
  uint32_t evlen = (uint32_t)(len - second);
  put_u32(b->buf + second + 4, evlen + 1);
  expect_next_fail(b->buf, len, 1, "event 1 at offset");
  put_u32(b->buf + second + 4, UINT32_MAX);
  expect_next_fail(b->buf, len, 1, "claims 4294967295 bytes");
  /* Claiming less: that event's fields run past its own end. */
  put_u32(b->buf + second + 4, evlen - 1);
  expect_next_fail(b->buf, len, 1, "malformed event");
  /* Zero and tiny lengths: refused, not read forever. */
  for (uint32_t l = 0; l < 16; l++) {
    len = build(b, 2);
    put_u32(b->buf + second + 4, l);
    expect_next_fail(b->buf, len, 1, "shorter than the 16-byte header");
    /* Even the first one. */
    len = build(b, 2);
    put_u32(b->buf + EV_BATCH_HDR + 4, l);
    expect_next_fail(b->buf, len, 0, "event 0 at offset 8");
  }
  /* The reason names the event and offset. */
  len = build(b, 3);
  b->buf[second] = 'X';
  char why[64];
  snprintf(why, sizeof why, "event 1 at offset %zu: malformed event: bad magic", second);
  expect_next_fail(b->buf, len, 1, why);
  free(b);
}

/* Read a frame (exact-size copy) to its end; returns the last result. */
static int read_through(const uint8_t *frame, size_t len) {
  uint8_t *exact = malloc(len ? len : 1);
  assert_non_null(exact);
  memcpy(exact, frame, len);
  struct ev_batch_reader r;
  struct hb_error err;
  struct event ev;
  int rc = ev_batch_open(&r, exact, len, &err);
  if (rc == 0) {
    int guard = 0;
    while ((rc = ev_batch_next(&r, &ev, &err)) == 1)
      assert_true(++guard <= 4);
  }
  free(exact);
  return rc;
}

/* Every prefix of a frame and every byte flipped: clean refusals only. */
static void test_mutations(void **state) {
  (void)state;
  struct ev_batch *b = malloc(sizeof *b);
  assert_non_null(b);
  size_t len = build(b, 4);
  for (size_t cut = 0; cut < len; cut++)
    assert_int_equal(read_through(b->buf, cut), -EBADMSG);
  assert_int_equal(read_through(b->buf, len), 0);
  for (size_t i = 0; i < len; i++) {
    b->buf[i] ^= 0x81;
    int rc = read_through(b->buf, len);
    assert_true(rc == 0 || rc == -EBADMSG);
    b->buf[i] ^= 0x81;
  }
  free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip_until_full),
      cmocka_unit_test(test_reject_header),
      cmocka_unit_test(test_reject_counts),
      cmocka_unit_test(test_reject_event_lengths),
      cmocka_unit_test(test_mutations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
