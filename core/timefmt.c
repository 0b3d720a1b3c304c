#include "core/timefmt.h"

#include <stdio.h>
#include <time.h>

const char *hb_time_iso(uint64_t ns, char *out) {
  time_t secs = (time_t)(ns / 1000000000ull);
  unsigned usec = (unsigned)((ns % 1000000000ull) / 1000u);
  struct tm tm;
  if (!gmtime_r(&secs, &tm)) {
    snprintf(out, HB_TIME_STRLEN, "%llu", (unsigned long long)ns);
    return out;
  }
  snprintf(out, HB_TIME_STRLEN, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+0000",
           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
           tm.tm_sec, usec);
  return out;
}

static uint64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t hb_now_ns(void) { return clock_ns(CLOCK_REALTIME); }
uint64_t hb_mono_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
