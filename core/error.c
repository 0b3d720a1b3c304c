#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int hb_fail(struct hb_error *err, int code, const char *fmt, ...) {
  if (code <= 0)
    code = 1;
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = -code;
  }
  return -code;
}

void hb_error_prefix(struct hb_error *err, const char *fmt, ...) {
  if (!err)
    return;
  char head[HB_ERROR_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
  /* Shift the old message right by the head's length; what no longer fits
   * is cut at the end, where the least specific words are. */
  size_t hn = strlen(head), on = strnlen(err->msg, sizeof err->msg - 1);
  if (hn > sizeof err->msg - 1)
    hn = sizeof err->msg - 1;
  if (hn + on > sizeof err->msg - 1)
    on = sizeof err->msg - 1 - hn;
  memmove(err->msg + hn, err->msg, on);
  memcpy(err->msg, head, hn);
  err->msg[hn + on] = '\0';
}

void hb_error_clear(struct hb_error *err) {
  if (err) {
    err->code = 0;
    err->msg[0] = '\0';
  }
}
