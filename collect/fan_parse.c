/* collect/fan_parse.c — see fan_parse.h. Layouts (linux/fanotify.h), all
 * host-endian as read(2) returns them:
 *
 *   metadata (24): u32 event_len, u8 vers, u8 reserved, u16 metadata_len,
 *                  u64 mask, s32 fd, s32 pid
 *   info header (4): u8 info_type, u8 pad, u16 len (the whole record)
 *   fid record: header, fsid (8), struct file_handle (u32 handle_bytes,
 *               s32 handle_type, handle_bytes bytes), then for DFID_NAME a
 *               NUL-terminated name (the record is padded after it)
 *
 * Fields are copied out with memcpy: the buffer may be unaligned (fuzzing).
 */
#include "collect/fan_parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define INFO_HDR_LEN 4
#define FID_FIXED_LEN (INFO_HDR_LEN + 8 + 8) /* header, fsid, handle header */

static uint32_t rd32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static uint16_t rd16(const uint8_t *p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return v;
}

static int refuse(struct fan_reader *r, size_t at, struct hb_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse(struct fan_reader *r, size_t at, struct hb_error *err, const char *fmt, ...) {
  char why[HB_ERROR_MAX - 64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  r->pos = r->len;
  return hb_fail(err, EBADMSG, "fanotify event at offset %zu: %s", at, why);
}

void fan_reader_init(struct fan_reader *r, const void *buf, size_t len) {
  r->buf = buf;
  r->len = buf ? len : 0;
  r->pos = 0;
}

/* One directory fid record of rlen bytes at p (header included). */
static int dir_record(struct fan_reader *r, const uint8_t *p, size_t rlen, uint8_t type,
                      struct fan_event *ev, struct hb_error *err) {
  size_t at = ev->offset;
  if (ev->has_dir)
    return refuse(r, at, err, "two directory records");
  if (rlen < FID_FIXED_LEN)
    return refuse(r, at, err, "directory record of %zu bytes, shorter than %d", rlen,
                  FID_FIXED_LEN);
  uint32_t hlen = rd32(p + INFO_HDR_LEN + 8);
  if (hlen == 0 || hlen > FAN_HANDLE_MAX)
    return refuse(r, at, err, "file handle of %u bytes (1 to %d allowed)", hlen,
                  FAN_HANDLE_MAX);
  if (hlen > rlen - FID_FIXED_LEN)
    return refuse(r, at, err, "file handle of %u bytes overruns its %zu-byte record", hlen,
                  rlen);
  memcpy(ev->fsid, p + INFO_HDR_LEN, 8);
  int32_t htype;
  memcpy(&htype, p + INFO_HDR_LEN + 12, 4);
  ev->handle_type = htype;
  ev->handle_len = hlen;
  ev->handle = p + FID_FIXED_LEN;
  ev->has_dir = true;
  if (type != FAN_INFO_DFID_NAME)
    return 0;
  const char *name = (const char *)p + FID_FIXED_LEN + hlen;
  size_t room = rlen - FID_FIXED_LEN - hlen;
  const char *nul = memchr(name, '\0', room);
  if (!nul)
    return refuse(r, at, err, "name not terminated within its record");
  if (nul == name)
    return refuse(r, at, err, "empty name in a DFID_NAME record");
  ev->name = name;
  ev->name_len = (size_t)(nul - name);
  return 0;
}

/* The info records between metadata_len and event_len. */
static int info_records(struct fan_reader *r, const uint8_t *p, size_t len,
                        struct fan_event *ev, struct hb_error *err) {
  size_t pos = 0;
  while (pos < len) {
    if (len - pos < INFO_HDR_LEN)
      return refuse(r, ev->offset, err, "%zu stray bytes after the info records",
                    len - pos);
    uint8_t type = p[pos];
    size_t rlen = rd16(p + pos + 2);
    if (rlen < INFO_HDR_LEN)
      return refuse(r, ev->offset, err, "info record of type %u has length %zu", type, rlen);
    if (rlen > len - pos)
      return refuse(r, ev->offset, err,
                    "info record of type %u (%zu bytes) runs past the event (%zu left)",
                    type, rlen, len - pos);
    if (type == FAN_INFO_DFID_NAME || type == FAN_INFO_DFID) {
      int rc = dir_record(r, p + pos, rlen, type, ev, err);
      if (rc)
        return rc;
    }
    /* Other records (FID, PIDFD, ERROR, RANGE...) are not needed. */
    pos += rlen;
  }
  return 0;
}

int fan_next(struct fan_reader *r, struct fan_event *ev, struct hb_error *err) {
  memset(ev, 0, sizeof *ev);
  ev->fd = -1;
  if (r->pos >= r->len)
    return 0;
  size_t left = r->len - r->pos;
  const uint8_t *p = r->buf + r->pos;
  ev->offset = r->pos;
  if (left < FAN_META_LEN)
    return refuse(r, ev->offset, err, "%zu bytes left, shorter than the %d-byte metadata",
                  left, FAN_META_LEN);
  uint32_t event_len = rd32(p);
  uint8_t vers = p[4];
  uint16_t meta_len = rd16(p + 6);
  if (vers != FAN_META_VERSION)
    return refuse(r, ev->offset, err, "metadata version %u (this build reads %d)", vers,
                  FAN_META_VERSION);
  if (meta_len < FAN_META_LEN)
    return refuse(r, ev->offset, err, "metadata_len %u, shorter than %d", meta_len,
                  FAN_META_LEN);
  if (event_len < meta_len)
    return refuse(r, ev->offset, err, "event_len %u shorter than metadata_len %u", event_len,
                  meta_len);
  if (event_len > left)
    return refuse(r, ev->offset, err, "event_len %u exceeds the %zu bytes left", event_len,
                  left);
  memcpy(&ev->mask, p + 8, 8);
  memcpy(&ev->fd, p + 16, 4);
  memcpy(&ev->pid, p + 20, 4);
  int rc = info_records(r, p + meta_len, event_len - meta_len, ev, err);
  if (rc)
    return rc;
  r->pos += event_len;
  return 1;
}
