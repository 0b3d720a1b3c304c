/* detect/leak/issuer.h — which card scheme a number belongs to.
 *
 * Contract: leak_issuer_of() looks at the leading digits (the IIN) and the
 * length of a candidate number and returns the scheme whose published
 * prefix range and lengths it fits, or -1. Only schemes that issue cards
 * today are known; a prefix outside every range (timestamps start with 1,
 * most phone numbers with a country code that is no IIN) is not a card.
 */
#ifndef HABIT_DETECT_LEAK_ISSUER_H
#define HABIT_DETECT_LEAK_ISSUER_H

#include <stddef.h>

#include "detect/leak/leak.h"

/* digits: ASCII '0'-'9', n of them. */
int leak_issuer_of(const char *digits, size_t n);
const char *leak_issuer_name(enum leak_issuer i);

#endif
