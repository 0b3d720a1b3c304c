/* core/text.h — writing text into fixed buffers.
 *
 * Contract: hb_fmt() is snprintf for fields whose size is part of a format
 * (event strings, alert sentences): the text is cut to fit, always
 * NUL-terminated, and the cut is by design, not an error. Returns dst.
 */
#ifndef HABIT_CORE_TEXT_H
#define HABIT_CORE_TEXT_H

#include <stddef.h>

char *hb_fmt(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
