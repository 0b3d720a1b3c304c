/* fuzz/fuzz_file_event.c — the fanotify event buffer parser on arbitrary
 * bytes. Every accepted event lies inside the buffer (its fields and its
 * name), offsets only grow, the walk ends, and a refusal comes with a
 * reason and leaves the reader at its end. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/fan_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* An exact-size copy: ASan sees any read past size. */
  uint8_t *buf = malloc(size ? size : 1);
  if (!buf)
    return 0;
  memcpy(buf, data, size);
  struct fan_reader r;
  fan_reader_init(&r, buf, size);
  struct fan_event e;
  struct hb_error err = {0, ""};
  size_t last = 0, count = 0;
  int rc;
  while ((rc = fan_next(&r, &e, &err)) == 1) {
    if (count++ && e.offset <= last)
      abort();
    last = e.offset;
    if (count > size / FAN_META_LEN)
      abort(); /* every event takes at least its metadata */
    if (e.has_dir) {
      if (e.handle_len == 0 || e.handle_len > FAN_HANDLE_MAX ||
          e.handle < buf || e.handle + e.handle_len > buf + size)
        abort();
    }
    if (e.name) {
      const uint8_t *n = (const uint8_t *)e.name;
      if (n < buf || n + e.name_len >= buf + size || strlen(e.name) != e.name_len ||
          e.name_len == 0)
        abort();
    }
  }
  if (rc < 0 && (rc != -EBADMSG || err.msg[0] == '\0' || fan_next(&r, &e, &err) != 0))
    abort();
  free(buf);
  return 0;
}
