/* detect/threat/wrong_port.h — an application on another's well-known port.
 *
 * Contract: wrong_port_expected() gives the applications a well-known
 * server port (by L4 protocol) is for, as "a, b" text, or NULL when the
 * port is not one habit knows; wrong_port_check() says whether `app` is
 * none of them. Only ports whose protocol habit identifies are listed, so
 * an unidentified application never counts as wrong. Pure, static tables.
 */
#ifndef HABIT_DETECT_THREAT_WRONG_PORT_H
#define HABIT_DETECT_THREAT_WRONG_PORT_H

#include <stdbool.h>
#include <stdint.h>

const char *wrong_port_expected(uint8_t proto, uint16_t port);
bool wrong_port_check(uint8_t proto, uint16_t port, const char *app);

#endif
