#include "core/text.h"

#include <stdarg.h>
#include <stdio.h>

char *hb_fmt(char *dst, size_t cap, const char *fmt, ...) {
  if (cap == 0)
    return dst;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dst, cap, fmt, ap);
  va_end(ap);
  return dst;
}
