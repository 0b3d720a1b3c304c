/* core/error.h — how habit reports failures.
 *
 * Contract: a function that can fail returns 0 on success and a negative
 * errno-style code on failure, and, when it was given a `struct hb_error *`,
 * fills it with one human sentence that names the file and the place
 * ("x.pcap: record 12 at offset 4096: truncated"). Callers print err.msg as is.
 */
#ifndef HABIT_CORE_ERROR_H
#define HABIT_CORE_ERROR_H

#include <stddef.h>

#define HB_ERROR_MAX 512

struct hb_error {
  int code;               /* negative errno-style code, 0 when clear */
  char msg[HB_ERROR_MAX]; /* one sentence, no trailing newline */
};

/* Record a failure: formats msg, stores code (a positive errno value),
 * and returns -code so callers can write `return hb_fail(err, EINVAL, ...)`.
 * err may be NULL. */
int hb_fail(struct hb_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix an existing message ("model.db: " + msg). No-op when err is NULL. */
void hb_error_prefix(struct hb_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void hb_error_clear(struct hb_error *err);

#endif
