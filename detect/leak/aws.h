/* detect/leak/aws.h — AWS access key ids, and their secrets nearby.
 *
 * Contract: leak_aws_check() is called with the end of a regex match of
 * "(AKIA|ASIA)[A-Z2-7]{16}" (long-term and temporary access key ids) and
 * reports it through leak_emit() when it is a word of its own (no letter
 * or digit touches either end) and not a placeholder: the 16 characters
 * show at least 6 different ones (AKIAXXXXXXXXXXXXXXXX) and do not end in
 * EXAMPLE (the id AWS documentation uses everywhere).
 * Then it looks for the secret access key within LEAK_AWS_NEAR bytes
 * either side: a word of exactly 40 base64 characters ([A-Za-z0-9/+],
 * none of them touching it, and no '=' padding after it) with an upper-case letter,
 * a lower-case letter and a digit (a hex digest has no upper case, or no
 * lower case). Each secret is reported once per scan.
 */
#ifndef HABIT_DETECT_LEAK_AWS_H
#define HABIT_DETECT_LEAK_AWS_H

#include <stddef.h>

#include "detect/leak/leak_int.h"

#define LEAK_AWS_NEAR 256

void leak_aws_check(struct leak_scratch *s, size_t end);

#endif
