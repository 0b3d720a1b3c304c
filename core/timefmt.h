/* core/timefmt.h — timestamps as people and SIEMs read them.
 *
 * Contract: hb_time_iso() writes nanoseconds since the epoch as Suricata EVE
 * does, in UTC with microseconds: "2026-11-23T11:23:47.123456+0000".
 * out must hold HB_TIME_STRLEN bytes. Never fails; years past 9999 print as
 * they come.
 */
#ifndef HABIT_CORE_TIMEFMT_H
#define HABIT_CORE_TIMEFMT_H

#include <stdint.h>

#define HB_TIME_STRLEN 80 /* room for any int year the compiler can imagine */

const char *hb_time_iso(uint64_t ns, char *out);
/* Now, in nanoseconds since the epoch (CLOCK_REALTIME). */
uint64_t hb_now_ns(void);
/* Monotonic nanoseconds, for measuring durations. */
uint64_t hb_mono_ns(void);

#endif
