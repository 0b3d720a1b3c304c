/* detect/inject/decode.h — undoing what attackers encode, before detection.
 *
 * Contract: every function reads s[0, n) and writes out[0, cap), returns the
 * number of bytes written, never allocates and never reads past n. Decoding
 * only shrinks (each escape is at least as long as what it stands for), so
 * the output is never longer than the input: cap >= n never truncates, and
 * out may be s itself (in place). With cap < n the output is cut at cap.
 *
 * - URL: %HH is a byte; %uHHHH (IIS) is a code point, written as UTF-8;
 *   '+' is a space only when asked (query strings and form bodies); a '%'
 *   not followed by hex digits stays as it is.
 * - HTML: &#NN and &#xHH with or without ';' (any number of leading zeros),
 *   and the named references attackers use (lt, gt, quot, apos, amp, colon,
 *   lpar, rpar, Tab, NewLine, ...; names without case, ';' optional only for
 *   the legacy few browsers also accept without it: amp lt gt quot nbsp).
 *   A reference to NUL, a surrogate or past U+10FFFF is dropped.
 * - JS/CSS: \xHH, \uHHHH, \u{H...} and CSS \H... (1-6 hex digits and one
 *   optional space); other backslashes stay.
 * - Normalising (always the last step of inj_decode): NUL bytes are dropped
 *   (old browsers ignored them, so they split tag names: "<scr%00ipt>"), or
 *   become spaces with INJ_DEC_NUL_SPACE (what SQL back ends that do not
 *   stop at them make of them: "1%00UNION%00SELECT"); overlong UTF-8 forms of ASCII
 *   (C0 A7 for ') and fullwidth forms U+FF01..FF5E (＜ for <) become ASCII.
 *
 * inj_decode runs up to INJ_DEC_ROUNDS rounds of URL decoding (so %2527
 * becomes '), stopping as soon as a round changes nothing, then up to two
 * rounds of HTML decoding (&amp;lt; is <), then JS/CSS, then normalising;
 * '+' counts as a space in the first URL round only (a '+' that came from
 * %2B is a plus).
 */
#ifndef HABIT_DETECT_INJECT_DECODE_H
#define HABIT_DETECT_INJECT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define INJ_DEC_URL 0x01u  /* %HH and %uHHHH, repeated */
#define INJ_DEC_PLUS 0x02u /* '+' is a space (query string, form body) */
#define INJ_DEC_HTML 0x04u /* character references */
#define INJ_DEC_JS 0x08u   /* JS and CSS backslash escapes */
#define INJ_DEC_NUL_SPACE 0x10u /* NUL is a space (SQL), not dropped (HTML) */

#define INJ_DEC_ROUNDS 3

size_t inj_url_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap,
                      int plus_is_space);
size_t inj_html_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap);
size_t inj_js_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap);
size_t inj_normalize(const uint8_t *s, size_t n, uint8_t *out, size_t cap,
                     int nul_is_space);

/* The rounds above, as flags say. */
size_t inj_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap,
                  unsigned flags);

#endif
