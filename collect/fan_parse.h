/* collect/fan_parse.h — the fanotify event buffer, read without trusting it.
 *
 * Contract: fan_next() walks a buffer filled by read(2) on a fanotify group
 * (FAN_REPORT_DFID_NAME or without fid reporting) one event at a time. Every
 * length is checked against what is left before anything is read through
 * it: the event length, the metadata length, each info record's length, a
 * file handle's size and the name's NUL. An event that lies about a length
 * is refused with the reason and its offset, and the rest of the buffer is
 * not read (nothing after a lie can be trusted). Pure: no syscalls, no
 * allocation, any alignment; the fields of a fan_event point into the
 * buffer. The caller owns and must close a non-negative fd of an event.
 */
#ifndef HABIT_COLLECT_FAN_PARSE_H
#define HABIT_COLLECT_FAN_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define FAN_META_LEN 24      /* struct fanotify_event_metadata */
#define FAN_META_VERSION 3   /* FANOTIFY_METADATA_VERSION */
#define FAN_HANDLE_MAX 128   /* MAX_HANDLE_SZ */

/* Info record types (linux/fanotify.h). */
enum {
  FAN_INFO_FID = 1,
  FAN_INFO_DFID_NAME = 2,
  FAN_INFO_DFID = 3,
};

struct fan_event {
  uint64_t mask;      /* FAN_* bits, FAN_Q_OVERFLOW included */
  int32_t fd;         /* FAN_NOFD (-1) with fid reporting */
  int32_t pid;
  /* The directory record (DFID_NAME or DFID), when there is one. */
  bool has_dir;
  uint8_t fsid[8];
  int32_t handle_type;
  uint32_t handle_len;
  const uint8_t *handle;
  const char *name;   /* NUL-terminated in the buffer; NULL without a name */
  size_t name_len;
  size_t offset;      /* of this event in the buffer */
};

struct fan_reader {
  const uint8_t *buf;
  size_t len, pos;
};

void fan_reader_init(struct fan_reader *r, const void *buf, size_t len);
/* 1 when *ev holds the next event, 0 at the end of the buffer, -EBADMSG
 * with "fanotify event at offset N: what" in err for a malformed one (the
 * reader then stays at its end). */
int fan_next(struct fan_reader *r, struct fan_event *ev, struct hb_error *err);

#endif
