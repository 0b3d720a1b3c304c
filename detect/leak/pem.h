/* detect/leak/pem.h — PEM private keys.
 *
 * Contract: leak_pem_check() is called with the end of a regex match of
 * "-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----" and
 * reports it through leak_emit() when key material follows: a line break
 * (LF, CRLF, or the two characters "\n" as a JSON or source string would
 * carry it, e.g. a cloud service-account file), then at least 16 base64
 * characters or a "Proc-Type:" header, or the end of the payload (a key
 * cut by the packet boundary still counts). A header quoted in prose or
 * code ("-----BEGIN RSA PRIVATE KEY-----\n" + key, "... KEY----- ...") is
 * not a key. The evidence is the header itself, which is not secret.
 */
#ifndef HABIT_DETECT_LEAK_PEM_H
#define HABIT_DETECT_LEAK_PEM_H

#include <stddef.h>

#include "detect/leak/leak_int.h"

void leak_pem_check(struct leak_scratch *s, size_t end);
const char *leak_key_name(enum leak_key k);

#endif
