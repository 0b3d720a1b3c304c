/* fuzz/fuzz_event.c — the event decoder and the batch reader on arbitrary
 * bytes. Whatever is accepted must re-encode (within EV_MAX_WIRE) to bytes
 * that decode to the very same event, and encode the same again; whatever
 * is refused must come with a reason and a zeroed event. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/event_batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct event zero_event;

/* An accepted event: canonical re-encoding, identical on the way back. */
static void check_accepted(const struct event *ev) {
  static uint8_t a[EV_MAX_WIRE], b[EV_MAX_WIRE];
  int n = ev_encode(ev, a, sizeof a);
  if (n <= 0 || (size_t)n > EV_MAX_WIRE)
    abort();
  struct event again;
  struct hb_error err = {0, ""};
  if (ev_decode(a, (size_t)n, &again, &err) != 0)
    abort();
  if (memcmp(&again, ev, sizeof again) != 0)
    abort();
  int m = ev_encode(&again, b, sizeof b);
  if (m != n || memcmp(a, b, (size_t)n) != 0)
    abort();
  /* The exact size is enough, one byte less is not. */
  if (ev_encode(ev, b, (size_t)n - 1) != -ENOSPC)
    abort();
}

static void check_refused(int rc, const struct event *ev, const struct hb_error *err) {
  if (rc != -EBADMSG || err->code != -EBADMSG || err->msg[0] == '\0' ||
      memcmp(ev, &zero_event, sizeof *ev) != 0)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* An exact-size copy: ASan sees any read past size. */
  uint8_t *buf = malloc(size ? size : 1);
  if (!buf)
    return 0;
  memcpy(buf, data, size);
  struct event ev;
  struct hb_error err = {0, ""};

  /* The whole input as one event. */
  memset(&ev, 0x5a, sizeof ev);
  int rc = ev_decode(buf, size, &ev, &err);
  if (rc == 0)
    check_accepted(&ev);
  else
    check_refused(rc, &ev, &err);

  /* The whole input as a batch frame. */
  struct ev_batch_reader r;
  if (ev_batch_open(&r, buf, size, &err) == 0) {
    uint32_t got = 0;
    while ((rc = ev_batch_next(&r, &ev, &err)) == 1) {
      check_accepted(&ev);
      if (++got > size / 16)
        abort(); /* every event takes at least its 16-byte header */
    }
    if (rc == 0 && got != r.count)
      abort();
    /* Frame-level refusals leave ev alone; only the reason is promised. */
    if (rc < 0 && (rc != -EBADMSG || err.msg[0] == '\0'))
      abort();
  } else if (err.msg[0] == '\0') {
    abort();
  }
  free(buf);
  return 0;
}
