/* tests/unit/test_event_codec.c — core/event.h: every kind round-trips with
 * every field at its limit, the largest event fits EV_MAX_WIRE, and the
 * decoder refuses each kind of malformed input with its reason in err.msg
 * and a zeroed event. Malformed inputs are made by taking a good encoding
 * apart into its fields, changing one thing and putting it back together. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/event.h"

/* Fill a string buffer to its limit with printable, varying bytes. */
static void fill(char *s, size_t size, char seed) {
  for (size_t i = 0; i + 1 < size; i++)
    s[i] = (char)('!' + (seed + i) % 90);
  s[size - 1] = '\0';
}
#define FILL(member, seed) fill(member, sizeof(member), seed)

static void set_addr(struct hb_addr *a, int family, uint8_t base) {
  memset(a, 0, sizeof *a);
  a->family = (uint8_t)family;
  for (int i = 0; i < (family == 4 ? 4 : 16); i++)
    a->b[i] = (uint8_t)(base + i * 17);
}

static void max_flow(struct ev_flow *f, int family) {
  f->flow_id = UINT64_MAX - 1;
  f->first_ns = 1700000000123456789ull;
  f->last_ns = UINT64_MAX;
  set_addr(&f->cli, family, 10);
  set_addr(&f->srv, family, 200);
  f->cli_port = 65535;
  f->srv_port = 443;
  f->proto = 255;
  f->client_guessed = 1;
  f->vlan = 4095;
  f->bytes_c2s = UINT64_MAX;
  f->bytes_s2c = UINT64_MAX - 7;
  f->payload_c2s = 1ull << 63;
  f->payload_s2c = 12345678901234ull;
  f->pkts_c2s = UINT32_MAX;
  f->pkts_s2c = UINT32_MAX - 1;
  f->tcp_flags_c2s = 0xff;
  f->tcp_flags_s2c = 0x12;
  f->state = EV_STATE_CLOSED;
  f->end_reason = EV_END_EVICTED;
  FILL(f->app, 1);
  f->app_confidence = 100;
  FILL(f->cli_service, 2);
  FILL(f->srv_service, 3);
  FILL(f->l7.http_method, 4);
  FILL(f->l7.http_host, 5);
  FILL(f->l7.http_path, 6);
  FILL(f->l7.http_user_agent, 7);
  f->l7.http_status = 65535;
  FILL(f->l7.dns_qname, 8);
  f->l7.dns_qtype = 65535;
  f->l7.dns_rcode = 255;
  f->l7.dns_answered = 1;
  FILL(f->l7.tls_sni, 9);
  f->l7.tls_version = 0x0304;
  FILL(f->l7.tls_alpn, 10);
  FILL(f->l7.ssh_client, 11);
  FILL(f->l7.ssh_server, 12);
}

static void make_flow(struct event *ev, int family) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EV_FLOW;
  ev->ts_ns = UINT64_MAX;
  FILL(ev->node, 13);
  max_flow(&ev->u.flow, family);
}

static void make_alert(struct event *ev, int family) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EV_ALERT;
  ev->ts_ns = 42;
  FILL(ev->node, 14);
  max_flow(&ev->u.alert.flow, family);
  ev->u.alert.signature_id = UINT32_MAX;
  ev->u.alert.category = EV_CAT_THREAT;
  ev->u.alert.severity = 3;
  ev->u.alert.action = EV_ACTION_BLOCKED;
  ev->u.alert.mode = EV_MODE_PROTECT;
  ev->u.alert.score = -1.5e300;
  FILL(ev->u.alert.signature, 15);
}

static void max_stats(struct ev_stats *s) {
  FILL(s->source, 16);
  s->packets = UINT64_MAX;
  s->bytes = UINT64_MAX - 1;
  s->ip_packets = 3;
  s->non_ip = 4;
  s->truncated = 5;
  s->malformed = 6;
  s->fragments = 7;
  s->flows = 8;
  s->flows_evicted = 9;
  s->dropped_kernel = 10;
  s->dropped_bus = 1ull << 40;
}

static void make_stats(struct event *ev) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EV_STATS;
  ev->ts_ns = 1;
  FILL(ev->node, 17);
  max_stats(&ev->u.stats);
}

static void make_end(struct event *ev) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EV_END;
  ev->ts_ns = 0;
  FILL(ev->node, 18);
  max_stats(&ev->u.end.stats);
  ev->u.end.status = INT32_MIN;
  FILL(ev->u.end.message, 19);
}

static void make_file(struct event *ev) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EV_FILE;
  ev->ts_ns = 1700000000000000000ull;
  FILL(ev->node, 20);
  ev->u.file.op = EV_FILE_MOVE;
  ev->u.file.is_dir = 1;
  ev->u.file.pid = UINT32_MAX - 1;
  ev->u.file.uid = EV_UID_UNKNOWN;
  FILL(ev->u.file.path, 21);
  ev->u.file.path[0] = '/';
  FILL(ev->u.file.exe, 22);
  FILL(ev->u.file.comm, 23);
  FILL(ev->u.file.rule, 24);
}

static void make_proc(struct event *ev, uint8_t op) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EV_PROC;
  ev->ts_ns = 1700000000987654321ull;
  FILL(ev->node, 20);
  struct ev_proc *p = &ev->u.proc;
  p->op = op;
  p->flags = EV_PROC_F_ALL;
  p->pid = UINT32_MAX;
  p->tgid = UINT32_MAX - 1;
  p->ppid = UINT32_MAX - 2;
  p->uid = EV_PROC_ID_UNKNOWN;
  p->gid = 65534;
  p->exit_code = op == EV_PROC_EXIT ? INT32_MIN : 0;
  FILL(p->exe, 21);
  FILL(p->argv, 22);
  FILL(p->cwd, 23);
  FILL(p->parent_exe, 24);
  FILL(p->cgroup, 25);
  for (int i = 0; i < 64; i++)
    p->container_id[i] = "0123456789abcdef"[i % 16];
  FILL(p->comm, 26);
}

/* Encode, check the size limits, decode and compare byte for byte. */
static int roundtrip(const struct event *ev) {
  uint8_t buf[EV_MAX_WIRE + 64];
  int n = ev_encode(ev, buf, sizeof buf);
  assert_true(n > 16);
  assert_true(n <= EV_MAX_WIRE);
  /* An exact buffer is enough, one byte less is not. */
  uint8_t *exact = malloc((size_t)n);
  assert_non_null(exact);
  assert_int_equal(ev_encode(ev, exact, (size_t)n), n);
  assert_memory_equal(exact, buf, (size_t)n);
  assert_int_equal(ev_encode(ev, exact, (size_t)n - 1), -ENOSPC);
  free(exact);
  struct event out;
  struct hb_error err = {0, ""};
  int rc = ev_decode(buf, (size_t)n, &out, &err);
  if (rc != 0)
    print_error("decode: %s\n", err.msg);
  assert_int_equal(rc, 0);
  assert_memory_equal(&out, ev, sizeof out);
  return n;
}

static void test_roundtrip_every_kind(void **state) {
  (void)state;
  struct event ev;
  for (int fam = 4; fam <= 6; fam += 2) {
    make_flow(&ev, fam);
    roundtrip(&ev);
    make_alert(&ev, fam);
    roundtrip(&ev);
  }
  make_stats(&ev);
  roundtrip(&ev);
  make_end(&ev);
  roundtrip(&ev);
  make_file(&ev);
  roundtrip(&ev);
  for (uint8_t op = EV_PROC_EXEC; op <= EV_PROC_EXISTING; op++) {
    make_proc(&ev, op);
    roundtrip(&ev);
  }
}

static void test_roundtrip_minimal(void **state) {
  (void)state;
  /* Empty optional strings and zero counters are left out, and come back
   * empty and zero. */
  struct event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EV_FLOW;
  ev.u.flow.cli.family = ev.u.flow.srv.family = 4;
  ev.u.flow.state = EV_STATE_NEW;
  ev.u.flow.end_reason = EV_END_FIN;
  roundtrip(&ev);
  memset(&ev, 0, sizeof ev);
  ev.kind = EV_ALERT;
  ev.u.alert.flow.cli.family = ev.u.alert.flow.srv.family = 6;
  ev.u.alert.flow.state = EV_STATE_NEW;
  ev.u.alert.flow.end_reason = EV_END_FIN;
  ev.u.alert.category = EV_CAT_VIOLATION;
  ev.u.alert.severity = 1;
  ev.u.alert.action = EV_ACTION_ALLOWED;
  ev.u.alert.mode = EV_MODE_DISCOVER;
  ev.u.alert.score = INFINITY; /* only NaN is refused */
  roundtrip(&ev);
  memset(&ev, 0, sizeof ev);
  ev.kind = EV_END;
  ev.u.end.status = -5;
  roundtrip(&ev);
  /* A process that vanished before enrichment: ids only. */
  memset(&ev, 0, sizeof ev);
  ev.kind = EV_PROC;
  ev.u.proc.op = EV_PROC_EXEC;
  ev.u.proc.flags = EV_PROC_F_GONE;
  ev.u.proc.pid = ev.u.proc.tgid = 1;
  roundtrip(&ev);
}

static void test_largest_event_fits(void **state) {
  (void)state;
  struct event ev;
  make_alert(&ev, 6);
  int n = roundtrip(&ev);
  /* The alert carries every flow field plus its own: nothing is larger. */
  struct event other;
  make_flow(&other, 6);
  uint8_t buf[EV_MAX_WIRE];
  assert_true(ev_encode(&other, buf, sizeof buf) < n);
  make_end(&other);
  assert_true(ev_encode(&other, buf, sizeof buf) < n);
  make_proc(&other, EV_PROC_EXIT);
  assert_true(ev_encode(&other, buf, sizeof buf) < n);
  assert_true(n <= EV_MAX_WIRE);
}

static void test_encode_errors(void **state) {
  (void)state;
  struct event ev;
  uint8_t buf[EV_MAX_WIRE];
  make_flow(&ev, 4);
  assert_int_equal(ev_encode(&ev, buf, 0), -ENOSPC);
  assert_int_equal(ev_encode(&ev, buf, 15), -ENOSPC);
  assert_int_equal(ev_encode(&ev, buf, 16), -ENOSPC);
  assert_int_equal(ev_encode(&ev, buf, 100), -ENOSPC);
  /* Unterminated strings, wherever they are. */
  memset(ev.node, 'x', sizeof ev.node);
  assert_int_equal(ev_encode(&ev, buf, sizeof buf), -EINVAL);
  make_flow(&ev, 4);
  memset(ev.u.flow.l7.ssh_server, 'y', sizeof ev.u.flow.l7.ssh_server);
  assert_int_equal(ev_encode(&ev, buf, sizeof buf), -EINVAL);
  make_alert(&ev, 6);
  memset(ev.u.alert.signature, 'z', sizeof ev.u.alert.signature);
  assert_int_equal(ev_encode(&ev, buf, sizeof buf), -EINVAL);
  make_end(&ev);
  memset(ev.u.end.message, 'z', sizeof ev.u.end.message);
  assert_int_equal(ev_encode(&ev, buf, sizeof buf), -EINVAL);
  /* Unknown kind and unset address. */
  make_flow(&ev, 4);
  ev.kind = 0;
  assert_int_equal(ev_encode(&ev, buf, sizeof buf), -EINVAL);
  ev.kind = 9;
  assert_int_equal(ev_encode(&ev, buf, sizeof buf), -EINVAL);
  make_flow(&ev, 4);
  ev.u.flow.srv.family = 0;
  assert_int_equal(ev_encode(&ev, buf, sizeof buf), -EINVAL);
}

/* --- wire surgery ------------------------------------------------------ */

struct wfield {
  uint8_t tag;
  uint16_t len;
  uint8_t val[EV_PATH_MAX + 88];
};

struct wire {
  uint8_t hdr[16];
  struct wfield f[128];
  size_t n;
};

static void wire_from(struct wire *w, const struct event *ev) {
  uint8_t buf[EV_MAX_WIRE];
  int n = ev_encode(ev, buf, sizeof buf);
  assert_true(n > 0);
  memcpy(w->hdr, buf, 16);
  w->n = 0;
  for (size_t pos = 16; pos < (size_t)n; w->n++) {
    struct wfield *f = &w->f[w->n];
    f->tag = buf[pos];
    f->len = (uint16_t)(buf[pos + 1] | buf[pos + 2] << 8);
    memcpy(f->val, buf + pos + 3, f->len);
    pos += 3u + f->len;
  }
}

/* Serialize with a correct length field. */
static size_t wire_out(const struct wire *w, uint8_t *buf) {
  size_t pos = 16;
  memcpy(buf, w->hdr, 16);
  for (size_t i = 0; i < w->n; i++) {
    buf[pos] = w->f[i].tag;
    buf[pos + 1] = (uint8_t)w->f[i].len;
    buf[pos + 2] = (uint8_t)(w->f[i].len >> 8);
    memcpy(buf + pos + 3, w->f[i].val, w->f[i].len);
    pos += 3u + w->f[i].len;
  }
  buf[4] = (uint8_t)pos;
  buf[5] = (uint8_t)(pos >> 8);
  buf[6] = (uint8_t)(pos >> 16);
  buf[7] = (uint8_t)(pos >> 24);
  return pos;
}

static struct wfield *wire_find(struct wire *w, uint8_t tag) {
  for (size_t i = 0; i < w->n; i++)
    if (w->f[i].tag == tag)
      return &w->f[i];
  fail_msg("tag %u not in the encoding", tag);
  return NULL;
}

static void wire_remove(struct wire *w, uint8_t tag) {
  struct wfield *f = wire_find(w, tag);
  size_t i = (size_t)(f - w->f);
  memmove(&w->f[i], &w->f[i + 1], (w->n - i - 1) * sizeof w->f[0]);
  w->n--;
}

static void wire_add(struct wire *w, uint8_t tag, const void *val, uint16_t len) {
  struct wfield *f = &w->f[w->n++];
  f->tag = tag;
  f->len = len;
  memcpy(f->val, val, len);
}

static void wire_set(struct wire *w, uint8_t tag, const void *val, uint16_t len) {
  struct wfield *f = wire_find(w, tag);
  f->len = len;
  memcpy(f->val, val, len);
}

static int decode_bytes(const uint8_t *buf, size_t len, struct event *ev,
                        struct hb_error *err) {
  /* An exact-size heap copy: ASan sees any read past len. */
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, buf, len);
  memset(ev, 0xa5, sizeof *ev);
  hb_error_clear(err);
  int rc = ev_decode(copy, len, ev, err);
  free(copy);
  return rc;
}

static void assert_zeroed(const struct event *ev) {
  static const struct event zero;
  assert_memory_equal(ev, &zero, sizeof zero);
}

/* buf must be refused with a message containing why. */
static void expect_reject(const uint8_t *buf, size_t len, const char *why) {
  struct event ev;
  struct hb_error err;
  int rc = decode_bytes(buf, len, &ev, &err);
  if (rc != -EBADMSG || !strstr(err.msg, why))
    print_error("want '%s', got %d '%s'\n", why, rc, err.msg);
  assert_int_equal(rc, -EBADMSG);
  assert_int_equal(err.code, -EBADMSG);
  assert_non_null(strstr(err.msg, why));
  assert_non_null(strstr(err.msg, "malformed event"));
  assert_zeroed(&ev);
}

static void expect_wire_reject(const struct wire *w, const char *why) {
  uint8_t buf[EV_MAX_WIRE * 2];
  size_t n = wire_out(w, buf);
  expect_reject(buf, n, why);
}

static void expect_event_reject(const struct event *ev, const char *why) {
  uint8_t buf[EV_MAX_WIRE];
  int n = ev_encode(ev, buf, sizeof buf);
  assert_true(n > 0);
  expect_reject(buf, (size_t)n, why);
}

static void test_reject_header(void **state) {
  (void)state;
  struct event ev;
  make_flow(&ev, 4);
  uint8_t buf[EV_MAX_WIRE + 8];
  int n = ev_encode(&ev, buf, EV_MAX_WIRE);
  assert_true(n > 0);
  for (size_t len = 0; len < 16; len++)
    expect_reject(buf, len, "shorter than the 16-byte header");

  uint8_t c[EV_MAX_WIRE + 8];
  memcpy(c, buf, (size_t)n);
  c[0] = 'X';
  expect_reject(c, (size_t)n, "bad magic");
  memcpy(c, buf, (size_t)n);
  c[1] = 'B';
  expect_reject(c, (size_t)n, "bad magic");
  memcpy(c, buf, (size_t)n);
  c[2] = EV_WIRE_VERSION + 1;
  expect_reject(c, (size_t)n, "unsupported version 2");
  c[2] = 0;
  expect_reject(c, (size_t)n, "unsupported version 0");
  const uint8_t kinds[] = {0, 7, 8, 200, 255};
  for (size_t i = 0; i < sizeof kinds; i++) {
    memcpy(c, buf, (size_t)n);
    c[3] = kinds[i];
    char why[32];
    snprintf(why, sizeof why, "unknown kind %u", kinds[i]);
    expect_reject(c, (size_t)n, why);
  }
  /* The length field must equal the bytes given, both ways. */
  memcpy(c, buf, (size_t)n);
  c[4] = (uint8_t)(c[4] + 1);
  expect_reject(c, (size_t)n, "length field says");
  memcpy(c, buf, (size_t)n);
  c[n] = 0;
  expect_reject(c, (size_t)n + 1, "length field says");
  expect_reject(buf, (size_t)n - 1, "length field says");
  memcpy(c, buf, (size_t)n);
  c[7] = 1; /* 16 MiB and more */
  expect_reject(c, (size_t)n, "length field says");
  /* A kind valid for encoding but fields of another kind. */
  memcpy(c, buf, (size_t)n);
  c[3] = EV_STATS;
  expect_reject(c, (size_t)n, "unknown field tag 10 for kind 3");
}

static void test_reject_field_framing(void **state) {
  (void)state;
  struct event ev;
  make_flow(&ev, 6);
  uint8_t buf[EV_MAX_WIRE + 8];
  int n = ev_encode(&ev, buf, EV_MAX_WIRE);
  assert_true(n > 0);
  /* One or two stray bytes after the last field: a cut field header. */
  for (int extra = 1; extra <= 2; extra++) {
    uint8_t c[EV_MAX_WIRE + 8];
    memcpy(c, buf, (size_t)n);
    c[n] = 200;
    c[n + 1] = 0;
    size_t len = (size_t)n + (size_t)extra;
    c[4] = (uint8_t)len;
    c[5] = (uint8_t)(len >> 8);
    expect_reject(c, len, "truncated field header");
  }
  /* A field whose length runs past the end, even an extension. */
  uint8_t c[EV_MAX_WIRE + 16];
  memcpy(c, buf, (size_t)n);
  c[n] = 201;
  c[n + 1] = 10;
  c[n + 2] = 0;
  c[n + 3] = 'a';
  c[n + 4] = 'b';
  size_t len = (size_t)n + 5;
  c[4] = (uint8_t)len;
  c[5] = (uint8_t)(len >> 8);
  expect_reject(c, len, "field 201 runs past the end");
  c[n + 1] = 0xff;
  c[n + 2] = 0xff;
  expect_reject(c, len, "runs past the end");
  /* The same for a known field in the middle: shrink the total. */
  struct wire w;
  wire_from(&w, &ev);
  uint8_t out[EV_MAX_WIRE];
  size_t m = wire_out(&w, out);
  assert_int_equal(m, (size_t)n);
  /* Cut right inside the last field's value. */
  size_t cut = m - 1;
  out[4] = (uint8_t)cut;
  out[5] = (uint8_t)(cut >> 8);
  expect_reject(out, cut, "runs past the end");
}

static void test_tags(void **state) {
  (void)state;
  struct event ev;
  make_flow(&ev, 4);
  struct wire w;
  /* Unknown tags below 200 are refused, whatever their place. */
  const uint8_t bad[] = {0, 2, 9, 34, 59, 78, 100, 106, 120, 140, 199};
  for (size_t i = 0; i < sizeof bad; i++) {
    wire_from(&w, &ev);
    wire_add(&w, bad[i], "\x01", 1);
    char why[48];
    snprintf(why, sizeof why, "unknown field tag %u for kind 1", bad[i]);
    expect_wire_reject(&w, why);
  }
  /* Tags 200..255 are extensions: skipped, anywhere, any length. */
  wire_from(&w, &ev);
  uint8_t big[300];
  memset(big, 0, sizeof big);
  for (unsigned t = 200; t <= 255; t++)
    wire_add(&w, (uint8_t)t, big, (uint16_t)(t - 200));
  memmove(&w.f[1], &w.f[0], w.n * sizeof w.f[0]);
  w.n++;
  w.f[0].tag = 250;
  w.f[0].len = sizeof big;
  memcpy(w.f[0].val, big, sizeof big);
  uint8_t out[EV_MAX_WIRE * 2];
  size_t m = wire_out(&w, out);
  struct event got;
  struct hb_error err;
  assert_int_equal(decode_bytes(out, m, &got, &err), 0);
  assert_memory_equal(&got, &ev, sizeof ev);
  /* Repeated extensions are fine too (the same tag twice). */
  wire_add(&w, 200, "ab", 2);
  m = wire_out(&w, out);
  assert_int_equal(decode_bytes(out, m, &got, &err), 0);

  /* A known field twice is not, even with the same value. */
  wire_from(&w, &ev);
  wire_add(&w, 15, "\x01\x00", 2);
  expect_wire_reject(&w, "field cli_port repeated");
  wire_from(&w, &ev);
  struct wfield dup = *wire_find(&w, 1);
  wire_add(&w, dup.tag, dup.val, dup.len);
  expect_wire_reject(&w, "field node repeated");
  /* Field order does not matter. */
  wire_from(&w, &ev);
  for (size_t i = 0; i < w.n / 2; i++) {
    struct wfield t = w.f[i];
    w.f[i] = w.f[w.n - 1 - i];
    w.f[w.n - 1 - i] = t;
  }
  m = wire_out(&w, out);
  assert_int_equal(decode_bytes(out, m, &got, &err), 0);
  assert_memory_equal(&got, &ev, sizeof ev);
}

static void test_reject_strings(void **state) {
  (void)state;
  struct event ev;
  make_alert(&ev, 4);
  struct wire w;
  char s[400];
  memset(s, 'a', sizeof s);
  /* At the limit is fine (that is make_alert); one more is not. */
  wire_from(&w, &ev);
  wire_set(&w, 1, s, EV_NAME_MAX);
  expect_wire_reject(&w, "field node: 64 bytes, at most 63 allowed");
  wire_from(&w, &ev);
  wire_set(&w, 30, s, EV_APP_MAX);
  expect_wire_reject(&w, "field app: 16 bytes, at most 15 allowed");
  wire_from(&w, &ev);
  wire_set(&w, 60, s, 16);
  expect_wire_reject(&w, "field http_method: 16 bytes");
  wire_from(&w, &ev);
  wire_set(&w, 61, s, EV_TEXT_MAX);
  expect_wire_reject(&w, "field http_host: 256 bytes, at most 255 allowed");
  wire_from(&w, &ev);
  wire_set(&w, 106, s, EV_REASON_MAX);
  expect_wire_reject(&w, "field signature: 320 bytes, at most 319 allowed");
  wire_from(&w, &ev);
  wire_set(&w, 106, s, sizeof s);
  expect_wire_reject(&w, "field signature: 400 bytes");
  /* A NUL anywhere inside. */
  const size_t at[] = {0, 5, 62};
  for (size_t i = 0; i < 3; i++) {
    wire_from(&w, &ev);
    char t[63];
    memset(t, 'b', sizeof t);
    t[at[i]] = '\0';
    wire_set(&w, 33, t, sizeof t);
    expect_wire_reject(&w, "field srv_service contains a NUL byte");
  }
  /* An empty value is an empty string, also for a required one. */
  wire_from(&w, &ev);
  wire_set(&w, 106, "", 0);
  wire_set(&w, 1, "", 0);
  uint8_t out[EV_MAX_WIRE];
  size_t m = wire_out(&w, out);
  struct event got;
  struct hb_error err;
  assert_int_equal(decode_bytes(out, m, &got, &err), 0);
  assert_string_equal(got.u.alert.signature, "");
  assert_string_equal(got.node, "");
}

static void test_reject_addresses(void **state) {
  (void)state;
  struct event ev;
  make_flow(&ev, 4);
  struct wire w;
  struct {
    uint8_t fam;
    uint16_t len;
  } bad[] = {{4, 17}, {6, 5}, {5, 5}, {0, 5}, {4, 4}, {4, 6}, {6, 16}, {6, 18}, {0, 0},
             {4, 1}, {44, 17}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    for (uint8_t tag = 13; tag <= 14; tag++) {
      uint8_t v[20];
      memset(v, 7, sizeof v);
      v[0] = bad[i].fam;
      wire_from(&w, &ev);
      wire_set(&w, tag, v, bad[i].len);
      expect_wire_reject(&w, tag == 13 ? "field cli: bad address" : "field srv: bad address");
    }
  }
}

static void test_reject_int_width(void **state) {
  (void)state;
  struct event ev;
  make_alert(&ev, 6);
  struct wire w;
  uint8_t z[16];
  memset(z, 0, sizeof z);
  struct {
    uint8_t tag;
    const char *name;
    uint16_t want;
  } ints[] = {{10, "flow_id", 8}, {15, "cli_port", 2}, {16, "srv_port", 2},
              {17, "proto", 1},   {24, "pkts_c2s", 4}, {100, "signature_id", 4},
              {105, "score", 8},  {104, "mode", 1}};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    for (uint16_t len = 0; len <= 9; len++) {
      if (len == ints[i].want)
        continue;
      wire_from(&w, &ev);
      wire_set(&w, ints[i].tag, z, len);
      char why[96];
      snprintf(why, sizeof why, "field %s has length %u, expected %u", ints[i].name, len,
               ints[i].want);
      expect_wire_reject(&w, why);
    }
  }
  /* The end event's signed status. */
  make_end(&ev);
  wire_from(&w, &ev);
  wire_set(&w, 140, z, 8);
  expect_wire_reject(&w, "field status has length 8, expected 4");
}

static void test_reject_missing(void **state) {
  (void)state;
  struct event ev;
  struct wire w;
  const struct {
    uint8_t kind, tag;
    const char *name;
  } req[] = {{EV_FLOW, 10, "flow_id"},        {EV_FLOW, 11, "first_ns"},
             {EV_FLOW, 12, "last_ns"},        {EV_FLOW, 13, "cli"},
             {EV_FLOW, 14, "srv"},            {EV_FLOW, 15, "cli_port"},
             {EV_FLOW, 16, "srv_port"},       {EV_FLOW, 17, "proto"},
             {EV_FLOW, 28, "state"},          {EV_FLOW, 29, "end_reason"},
             {EV_ALERT, 10, "flow_id"},       {EV_ALERT, 100, "signature_id"},
             {EV_ALERT, 101, "category"},     {EV_ALERT, 102, "severity"},
             {EV_ALERT, 103, "action"},       {EV_ALERT, 104, "mode"},
             {EV_ALERT, 106, "signature"},    {EV_STATS, 121, "packets"},
             {EV_END, 121, "packets"},        {EV_END, 140, "status"},
             {EV_PROC, 150, "op"},            {EV_PROC, 152, "pid"},
             {EV_PROC, 153, "tgid"}};
  for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
    switch (req[i].kind) {
    case EV_FLOW: make_flow(&ev, 4); break;
    case EV_ALERT: make_alert(&ev, 4); break;
    case EV_STATS: make_stats(&ev); break;
    case EV_PROC: make_proc(&ev, EV_PROC_EXEC); break;
    default: make_end(&ev); break;
    }
    wire_from(&w, &ev);
    wire_remove(&w, req[i].tag);
    char why[64];
    snprintf(why, sizeof why, "required field %s missing", req[i].name);
    expect_wire_reject(&w, why);
  }
  /* Optional fields may all be absent. */
  make_flow(&ev, 4);
  wire_from(&w, &ev);
  const uint8_t optional[] = {1, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 30, 31, 32, 33,
                              60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73};
  for (size_t i = 0; i < sizeof optional; i++)
    wire_remove(&w, optional[i]);
  uint8_t out[EV_MAX_WIRE];
  size_t m = wire_out(&w, out);
  struct event got;
  struct hb_error err;
  assert_int_equal(decode_bytes(out, m, &got, &err), 0);
  assert_int_equal(got.u.flow.flow_id, ev.u.flow.flow_id);
  assert_string_equal(got.node, "");
  assert_int_equal(got.u.flow.pkts_c2s, 0);
  /* A header with no fields at all. */
  make_stats(&ev);
  wire_from(&w, &ev);
  w.n = 0;
  expect_wire_reject(&w, "required field packets missing");
}

static void test_reject_semantics(void **state) {
  (void)state;
  struct event ev;
  for (int alert = 0; alert <= 1; alert++) {
    struct ev_flow *f = alert ? &ev.u.alert.flow : &ev.u.flow;
#define FRESH() (alert ? make_alert(&ev, 4) : make_flow(&ev, 4))
    FRESH();
    set_addr(&f->srv, 6, 1);
    expect_event_reject(&ev, "client and server address families differ (4, 6)");
    FRESH();
    f->last_ns = f->first_ns - 1;
    expect_event_reject(&ev, "last_ns before first_ns");
    FRESH();
    f->last_ns = f->first_ns; /* equal is fine */
    roundtrip(&ev);
    const uint8_t bad_state[] = {0, 5, 255};
    for (size_t i = 0; i < sizeof bad_state; i++) {
      FRESH();
      f->state = bad_state[i];
      expect_event_reject(&ev, "state");
    }
    const uint8_t bad_end[] = {6, 7, 255};
    for (size_t i = 0; i < sizeof bad_end; i++) {
      FRESH();
      f->end_reason = bad_end[i];
      expect_event_reject(&ev, "end_reason");
    }
    FRESH();
    f->app_confidence = 101;
    expect_event_reject(&ev, "app_confidence 101 above 100");
#undef FRESH
  }
  const uint8_t bad_cat[] = {0, 4}, bad_sev[] = {0, 4}, bad_act[] = {0, 3}, bad_mode[] = {0, 4};
  for (int i = 0; i < 2; i++) {
    make_alert(&ev, 6);
    ev.u.alert.category = bad_cat[i];
    expect_event_reject(&ev, "alert category");
    make_alert(&ev, 6);
    ev.u.alert.severity = bad_sev[i];
    expect_event_reject(&ev, "alert severity");
    make_alert(&ev, 6);
    ev.u.alert.action = bad_act[i];
    expect_event_reject(&ev, "alert action");
    make_alert(&ev, 6);
    ev.u.alert.mode = bad_mode[i];
    expect_event_reject(&ev, "alert mode");
  }
  make_alert(&ev, 6);
  ev.u.alert.score = NAN;
  expect_event_reject(&ev, "alert score is NaN");
  make_alert(&ev, 6);
  ev.u.alert.score = -NAN;
  expect_event_reject(&ev, "alert score is NaN");
}

/* File events: every op round-trips with only the required fields; the
 * largest fits the wire; each refusal names its reason. */
static void test_file_event(void **state) {
  (void)state;
  struct event ev;
  for (uint8_t op = EV_FILE_OPEN; op <= EV_FILE_MOVE; op++) {
    memset(&ev, 0, sizeof ev);
    ev.kind = EV_FILE;
    ev.u.file.op = op;
    strcpy(ev.u.file.path, "/etc/passwd");
    roundtrip(&ev);
  }
  make_file(&ev);
  int n = roundtrip(&ev);
  assert_true(n <= EV_MAX_WIRE);
  assert_string_equal(ev_kind_name(EV_FILE), "file");
  assert_string_equal(ev_file_op_name(EV_FILE_EXEC), "exec");
  assert_string_equal(ev_file_op_name(EV_FILE_MOVE), "move");
  assert_string_equal(ev_file_op_name(EV_FILE_DENIED), "denied");
  assert_string_equal(ev_file_op_name(0), "unknown");
  assert_string_equal(ev_file_op_name(8), "unknown");
  /* An enforcer's refused open travels as a file event. */
  make_file(&ev);
  ev.u.file.op = EV_FILE_DENIED;
  assert_true(roundtrip(&ev) > 0);

  const uint8_t bad_op[] = {0, 8, 255};
  for (size_t i = 0; i < sizeof bad_op; i++) {
    make_file(&ev);
    ev.u.file.op = bad_op[i];
    expect_event_reject(&ev, "file op");
  }
  make_file(&ev);
  ev.u.file.path[0] = 'x';
  expect_event_reject(&ev, "file path is not absolute");
  make_file(&ev);
  ev.u.file.is_dir = 2;
  expect_event_reject(&ev, "is_dir 2 is not 0 or 1");

  struct wire w;
  const struct {
    uint8_t tag;
    const char *name;
  } req[] = {{170, "op"}, {171, "path"}, {172, "pid"}, {173, "uid"}};
  for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
    make_file(&ev);
    wire_from(&w, &ev);
    wire_remove(&w, req[i].tag);
    char why[64];
    snprintf(why, sizeof why, "required field %s missing", req[i].name);
    expect_wire_reject(&w, why);
  }
  /* Bounds: comm is 15 bytes at most, a path 1023. */
  char s[EV_PATH_MAX + 1];
  memset(s, '/', sizeof s);
  make_file(&ev);
  wire_from(&w, &ev);
  wire_set(&w, 175, s, EV_COMM_MAX);
  expect_wire_reject(&w, "field comm: 16 bytes, at most 15 allowed");
  make_file(&ev);
  wire_from(&w, &ev);
  wire_set(&w, 171, s, EV_PATH_MAX);
  expect_wire_reject(&w, "field path: 1024 bytes, at most 1023 allowed");
  make_file(&ev);
  wire_from(&w, &ev);
  wire_set(&w, 171, s, EV_PATH_MAX - 1);
  uint8_t out[EV_MAX_WIRE * 2];
  size_t m = wire_out(&w, out);
  struct event got;
  struct hb_error err;
  assert_int_equal(decode_bytes(out, m, &got, &err), 0);
  assert_int_equal(strlen(got.u.file.path), EV_PATH_MAX - 1);
  /* Another kind's tags are unknown to a file event. */
  make_file(&ev);
  wire_from(&w, &ev);
  wire_add(&w, 121, "\x01\0\0\0\0\0\0\0", 8);
  expect_wire_reject(&w, "unknown field tag 121 for kind 6");
}

static void test_proc(void **state) {
  (void)state;
  struct event ev;
  struct wire w;
  const uint8_t bad_op[] = {0, 6, 255};
  for (size_t i = 0; i < sizeof bad_op; i++) {
    make_proc(&ev, EV_PROC_EXEC);
    ev.u.proc.op = bad_op[i];
    expect_event_reject(&ev, "proc op");
  }
  make_proc(&ev, EV_PROC_EXEC);
  ev.u.proc.flags = 0x08;
  expect_event_reject(&ev, "proc flags 0x08 has unknown bits");
  make_proc(&ev, EV_PROC_FORK);
  ev.u.proc.pid = 0;
  expect_event_reject(&ev, "is zero");
  make_proc(&ev, EV_PROC_FORK);
  ev.u.proc.tgid = 0;
  expect_event_reject(&ev, "is zero");
  make_proc(&ev, EV_PROC_EXEC);
  ev.u.proc.exit_code = 1;
  expect_event_reject(&ev, "exit_code 1 on a proc exec event");
  make_proc(&ev, EV_PROC_EXIT);
  ev.u.proc.exit_code = -9; /* killed by SIGKILL */
  roundtrip(&ev);
  /* Container ids: 64 lowercase hex digits or nothing. */
  const char *bad_id[] = {"abc", "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
                          "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"};
  for (size_t i = 0; i < sizeof bad_id / sizeof bad_id[0]; i++) {
    make_proc(&ev, EV_PROC_EXISTING);
    snprintf(ev.u.proc.container_id, sizeof ev.u.proc.container_id, "%s", bad_id[i]);
    expect_event_reject(&ev, "container_id is not 64 lowercase hex digits");
  }
  make_proc(&ev, EV_PROC_EXISTING);
  memset(ev.u.proc.container_id, 0, sizeof ev.u.proc.container_id);
  roundtrip(&ev);
  /* String bounds: argv holds 511 bytes, comm 15, container id 64. */
  char s[600];
  memset(s, 'a', sizeof s);
  make_proc(&ev, EV_PROC_EXEC);
  wire_from(&w, &ev);
  wire_set(&w, 159, s, EV_ARGV_MAX);
  expect_wire_reject(&w, "field argv: 512 bytes, at most 511 allowed");
  wire_from(&w, &ev);
  wire_set(&w, 164, s, EV_COMM_MAX);
  expect_wire_reject(&w, "field comm: 16 bytes, at most 15 allowed");
  wire_from(&w, &ev);
  wire_set(&w, 163, s, EV_CONTAINER_MAX);
  expect_wire_reject(&w, "field container_id: 65 bytes, at most 64 allowed");
  wire_from(&w, &ev);
  wire_set(&w, 158, "a\0b", 3);
  expect_wire_reject(&w, "field exe contains a NUL byte");
  /* Integer widths. */
  uint8_t z[8] = {0};
  wire_from(&w, &ev);
  wire_set(&w, 152, z, 8);
  expect_wire_reject(&w, "field pid has length 8, expected 4");
  wire_from(&w, &ev);
  wire_set(&w, 150, z, 2);
  expect_wire_reject(&w, "field op has length 2, expected 1");
  wire_from(&w, &ev);
  wire_set(&w, 157, z, 2);
  expect_wire_reject(&w, "field exit_code has length 2, expected 4");
  /* Flow tags mean nothing to a proc event. */
  wire_from(&w, &ev);
  wire_add(&w, 10, z, 8);
  expect_wire_reject(&w, "unknown field tag 10 for kind 5");
  assert_string_equal(ev_kind_name(EV_PROC), "proc");
  assert_string_equal(ev_proc_op_name(EV_PROC_EXISTING), "existing");
  assert_string_equal(ev_proc_op_name(EV_PROC_DENIED), "denied");
  assert_string_equal(ev_proc_op_name(6), "unknown");
}

static void test_names(void **state) {
  (void)state;
  assert_string_equal(ev_kind_name(EV_FLOW), "flow");
  assert_string_equal(ev_kind_name(EV_END), "end");
  assert_string_equal(ev_kind_name(0), "unknown");
  assert_string_equal(ev_kind_name(200), "unknown");
  assert_string_equal(ev_end_reason_name(EV_END_EVICTED), "evicted");
  assert_string_equal(ev_end_reason_name(EV_END_OPEN), "open");
  assert_string_equal(ev_end_reason_name(6), "unknown");
  assert_string_equal(ev_state_name(EV_STATE_REJECTED), "rejected");
  assert_string_equal(ev_category_name(EV_CAT_THREAT), "threat");
  assert_string_equal(ev_action_name(EV_ACTION_BLOCKED), "blocked");
  assert_string_equal(ev_mode_name(EV_MODE_MONITOR), "monitor");
  assert_int_equal(ev_mode_parse("protect"), EV_MODE_PROTECT);
  assert_int_equal(ev_mode_parse("discover"), EV_MODE_DISCOVER);
  assert_int_equal(ev_mode_parse("unknown"), 0);
  assert_int_equal(ev_mode_parse(""), 0);
}

/* Every prefix and every single-byte change of a good encoding: accepted
 * or refused cleanly, never a crash (ASan watches). */
static void test_mutations(void **state) {
  (void)state;
  struct event ev;
  make_alert(&ev, 6);
  uint8_t buf[EV_MAX_WIRE];
  int n = ev_encode(&ev, buf, sizeof buf);
  assert_true(n > 0);
  struct event got;
  struct hb_error err;
  for (int len = 0; len < n; len++) {
    int rc = decode_bytes(buf, (size_t)len, &got, &err);
    assert_int_equal(rc, -EBADMSG);
    assert_zeroed(&got);
  }
  uint8_t c[EV_MAX_WIRE];
  for (int i = 0; i < n; i++) {
    memcpy(c, buf, (size_t)n);
    c[i] ^= 0x5a;
    int rc = decode_bytes(c, (size_t)n, &got, &err);
    if (rc != 0) {
      assert_int_equal(rc, -EBADMSG);
      assert_zeroed(&got);
      assert_true(err.msg[0] != '\0');
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip_every_kind),
      cmocka_unit_test(test_roundtrip_minimal),
      cmocka_unit_test(test_largest_event_fits),
      cmocka_unit_test(test_encode_errors),
      cmocka_unit_test(test_reject_header),
      cmocka_unit_test(test_reject_field_framing),
      cmocka_unit_test(test_tags),
      cmocka_unit_test(test_reject_strings),
      cmocka_unit_test(test_reject_addresses),
      cmocka_unit_test(test_reject_int_width),
      cmocka_unit_test(test_reject_missing),
      cmocka_unit_test(test_reject_semantics),
      cmocka_unit_test(test_file_event),
      cmocka_unit_test(test_proc),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_mutations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
