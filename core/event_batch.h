/* core/event_batch.h — many events in one bus message.
 *
 * Frame layout: 'H' 'B', u8 version, u8 reserved (0), u32 LE count, then
 * `count` encoded events back to back (each carries its own length, see
 * core/event_codec.c). Batching keeps the per-message cost of ZeroMQ off the
 * per-event path. The reader checks the frame header, that every event's
 * length stays inside the frame and that the count matches.
 */
#ifndef HABIT_CORE_EVENT_BATCH_H
#define HABIT_CORE_EVENT_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/event.h"

#define EV_BATCH_HDR 8
#define EV_BATCH_CAP (64 * 1024)

struct ev_batch {
  uint8_t buf[EV_BATCH_CAP];
  size_t len;     /* bytes used, header included */
  uint32_t count; /* events in buf */
};

void ev_batch_reset(struct ev_batch *b);
/* Append ev. 0 on success, -ENOSPC when it does not fit (flush, then retry),
 * -EINVAL when ev cannot be encoded. */
int ev_batch_add(struct ev_batch *b, const struct event *ev);
/* Write the header; returns the frame length to send. */
size_t ev_batch_seal(struct ev_batch *b);

/* Reading a received frame. */
struct ev_batch_reader {
  const uint8_t *frame;
  size_t len, pos;
  uint32_t count, read;
};

/* Check the frame header. 0 or -EBADMSG with a reason. */
int ev_batch_open(struct ev_batch_reader *r, const uint8_t *frame, size_t len,
                  struct hb_error *err);
/* Next event: 1 when one was decoded, 0 at the end of the frame, -EBADMSG
 * when the frame or the event is malformed (the rest of the frame is then
 * unusable). */
int ev_batch_next(struct ev_batch_reader *r, struct event *ev,
                  struct hb_error *err);

#endif
