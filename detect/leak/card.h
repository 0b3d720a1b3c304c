/* detect/leak/card.h — payment card numbers around a regex candidate.
 *
 * Contract: leak_card_run() is called with the offset of a digit that ends
 * a regex candidate (13 digits, single spaces or dashes allowed between
 * them). It examines the whole *run* that digit belongs to — the longest
 * stretch of digits joined by single spaces or dashes — once, and reports
 * through leak_emit() every card number in it:
 * - the number is either one group of 13-19 digits not glued to other
 *   digits by dashes (12-4111111111111111 is one id; a space-separated
 *   column of numbers is fine), or a whole chain of groups joined by the
 *   same separator shaped like a printed card (4-4-4-4, 4-4-4-4-3,
 *   4-4-4-1..4, 4-6-5, 4-6-4): a number is never a piece of a longer chain
 *   (2024 4111 1111 1111 1111 is 20 digits, no card);
 * - where it touches the ends of the run, the byte outside is not a letter,
 *   '_' or '+' (hex ids, words, phone numbers "+4915…") and not a '.' with
 *   a digit beyond it (a decimal fraction); a %-escape just before it is a
 *   boundary ("%3D4111…", and "%204111…" where the escape's digits touch);
 * - its prefix and length fit a card scheme (issuer.h), its Luhn check
 *   digit is right, and it is not a toy number: one digit repeated, or
 *   digits that go up or down by one all the way (1234567890123456).
 * Returns the offset where the run ends: candidates ending before it need
 * not be examined again.
 */
#ifndef HABIT_DETECT_LEAK_CARD_H
#define HABIT_DETECT_LEAK_CARD_H

#include <stdbool.h>
#include <stddef.h>

#include "detect/leak/leak_int.h"

size_t leak_card_run(struct leak_scratch *s, size_t last_digit);

/* The checks on the digits alone (exposed for the tests). */
bool leak_luhn_ok(const char *digits, size_t n);
bool leak_card_is_toy(const char *digits, size_t n);

#endif
