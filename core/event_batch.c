#include "core/event_batch.h"

#include <errno.h>
#include <string.h>

static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

void ev_batch_reset(struct ev_batch *b) {
  b->len = EV_BATCH_HDR;
  b->count = 0;
}

int ev_batch_add(struct ev_batch *b, const struct event *ev) {
  int n = ev_encode(ev, b->buf + b->len, sizeof b->buf - b->len);
  if (n < 0)
    return n;
  b->len += (size_t)n;
  b->count++;
  return 0;
}

size_t ev_batch_seal(struct ev_batch *b) {
  b->buf[0] = 'H';
  b->buf[1] = 'B';
  b->buf[2] = EV_WIRE_VERSION;
  b->buf[3] = 0;
  for (int i = 0; i < 4; i++)
    b->buf[4 + i] = (uint8_t)(b->count >> (8 * i));
  return b->len;
}

int ev_batch_open(struct ev_batch_reader *r, const uint8_t *frame, size_t len,
                  struct hb_error *err) {
  memset(r, 0, sizeof *r);
  if (len < EV_BATCH_HDR)
    return hb_fail(err, EBADMSG, "malformed batch: %zu bytes, shorter than its header", len);
  if (frame[0] != 'H' || frame[1] != 'B')
    return hb_fail(err, EBADMSG, "malformed batch: bad magic 0x%02x%02x", frame[0], frame[1]);
  if (frame[2] != EV_WIRE_VERSION)
    return hb_fail(err, EBADMSG, "malformed batch: unsupported version %u", frame[2]);
  if (frame[3] != 0)
    return hb_fail(err, EBADMSG, "malformed batch: reserved byte is %u", frame[3]);
  r->frame = frame;
  r->len = len;
  r->pos = EV_BATCH_HDR;
  r->count = get_u32(frame + 4);
  return 0;
}

int ev_batch_next(struct ev_batch_reader *r, struct event *ev,
                  struct hb_error *err) {
  if (r->pos == r->len) {
    if (r->read != r->count)
      return hb_fail(err, EBADMSG, "malformed batch: header says %u events, found %u",
                     r->count, r->read);
    return 0;
  }
  if (r->read == r->count)
    return hb_fail(err, EBADMSG, "malformed batch: %zu bytes after the %u events it announced",
                   r->len - r->pos, r->count);
  if (r->len - r->pos < 8)
    return hb_fail(err, EBADMSG, "malformed batch: event %u cut short at offset %zu",
                   r->read, r->pos);
  uint32_t evlen = get_u32(r->frame + r->pos + 4);
  if (evlen > r->len - r->pos)
    return hb_fail(err, EBADMSG, "malformed batch: event %u at offset %zu claims %u bytes, %zu left",
                   r->read, r->pos, evlen, r->len - r->pos);
  int rc = ev_decode(r->frame + r->pos, evlen, ev, err);
  if (rc < 0) {
    hb_error_prefix(err, "event %u at offset %zu: ", r->read, r->pos);
    return rc;
  }
  r->pos += evlen;
  r->read++;
  return 1;
}
