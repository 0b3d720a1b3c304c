#include "pcap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

struct rec {
  int64_t ts_us;
  uint64_t order; /* insertion index: the tie-breaker that keeps causality */
  uint64_t off;   /* into the arena */
  uint32_t orig_len;
  uint32_t cap_len;
};

struct pcap_trace {
  struct rec *recs;
  size_t n, cap;
  struct buf arena;
  uint64_t bytes;
};

struct pcap_trace *pcap_trace_new(void) {
  struct pcap_trace *t = calloc(1, sizeof(*t));
  if (!t) gen_die("out of memory");
  buf_init(&t->arena);
  return t;
}

void pcap_trace_free(struct pcap_trace *t) {
  if (!t) return;
  free(t->recs);
  buf_free(&t->arena);
  free(t);
}

void pcap_trace_add(struct pcap_trace *t, int64_t ts_us, const uint8_t *frame,
                    size_t len) {
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 4096;
    struct rec *r = realloc(t->recs, cap * sizeof(*r));
    if (!r) gen_die("out of memory");
    t->recs = r;
    t->cap = cap;
  }
  size_t caplen = len < PCAP_SNAPLEN ? len : PCAP_SNAPLEN;
  struct rec *r = &t->recs[t->n];
  r->ts_us = ts_us;
  r->order = t->n;
  r->off = t->arena.len;
  r->orig_len = (uint32_t)len;
  r->cap_len = (uint32_t)caplen;
  buf_put(&t->arena, frame, caplen);
  t->bytes += len;
  t->n++;
}

size_t pcap_trace_count(const struct pcap_trace *t) { return t->n; }

uint64_t pcap_trace_bytes(const struct pcap_trace *t) { return t->bytes; }

static int rec_cmp(const void *a, const void *b) {
  const struct rec *x = a, *y = b;
  if (x->ts_us != y->ts_us) return x->ts_us < y->ts_us ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* pcap headers are little-endian here whatever the host's byte order. */
static void le32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void le16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

int pcap_trace_write(struct pcap_trace *t, const char *path) {
  qsort(t->recs, t->n, sizeof(*t->recs), rec_cmp);
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  uint8_t gh[24];
  le32(gh, 0xa1b2c3d4u);
  le16(gh + 4, 2);
  le16(gh + 6, 4);
  le32(gh + 8, 0);  /* thiszone */
  le32(gh + 12, 0); /* sigfigs */
  le32(gh + 16, PCAP_SNAPLEN);
  le32(gh + 20, 1); /* LINKTYPE_ETHERNET */
  int ok = fwrite(gh, sizeof(gh), 1, f) == 1;
  for (size_t i = 0; ok && i < t->n; i++) {
    const struct rec *r = &t->recs[i];
    uint8_t rh[16];
    le32(rh, (uint32_t)(r->ts_us / 1000000));
    le32(rh + 4, (uint32_t)(r->ts_us % 1000000));
    le32(rh + 8, r->cap_len);
    le32(rh + 12, r->orig_len);
    ok = fwrite(rh, sizeof(rh), 1, f) == 1 &&
         fwrite(t->arena.p + r->off, 1, r->cap_len, f) == r->cap_len;
  }
  int saved = errno;
  if (fclose(f) != 0 && ok) return -1;
  if (!ok) {
    errno = saved ? saved : EIO;
    return -1;
  }
  return 0;
}
