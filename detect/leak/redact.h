/* detect/leak/redact.h — evidence that shows enough to find the leak and
 * not enough to reuse it.
 *
 * Contract: every function writes a NUL-terminated string of at most 63
 * bytes into out[64], whatever its input.
 * - leak_redact_card(): the first 6 and last 4 digits (what PCI DSS allows
 *   to display), the rest as '*', in groups of 4 ("4111 11** **** 1111"),
 *   or 4-6-rest for 14- and 15-digit numbers ("3782 82**** *0005").
 * - leak_redact_token(): the first 4 and last 4 bytes around "…"
 *   ("AKIA…XYZ1"); a token of 12 bytes or less keeps n/6 at each end
 *   (nothing when under 6); non-printable bytes show as '.'.
 * - leak_redact_text(): up to 63 printable bytes as they are (for what is
 *   not secret, like a PEM header).
 */
#ifndef HABIT_DETECT_LEAK_REDACT_H
#define HABIT_DETECT_LEAK_REDACT_H

#include <stddef.h>
#include <stdint.h>

void leak_redact_card(const char *digits, size_t n, char out[64]);
void leak_redact_token(const uint8_t *s, size_t n, char out[64]);
void leak_redact_text(const uint8_t *s, size_t n, char out[64]);

#endif
