/* detect/signatures.h — habit's stable rule ids.
 *
 * Contract: an id never changes meaning once released; new rules take new
 * ids. Ranges: 1xxx violations (outside the whitelist), 2xxx anomalies
 * (outside the learned distributions), 3xxx threats (from the traffic
 * itself, in every mode). README § Alerts lists them.
 */
#ifndef HABIT_DETECT_SIGNATURES_H
#define HABIT_DETECT_SIGNATURES_H

enum signature_id {
  SIG_NEW_EDGE = 1001,       /* connection on an edge never learned */
  SIG_APP_CHANGED = 1002,    /* learned port, other application */
  SIG_BYTES_TOSERVER = 2001, /* more bytes to the server than learned */
  SIG_BYTES_TOCLIENT = 2002, /* more bytes to the client than learned */
  SIG_PACKETS = 2003,        /* more packets per connection than learned */
  SIG_DURATION = 2004,       /* longer connection than learned */
  SIG_CONN_RATE = 2005,      /* more connections per minute than learned */
  SIG_PORT_SCAN = 3001,      /* many ports of one host probed */
  SIG_HOST_SWEEP = 3002,     /* many hosts probed on one port */
};

#endif
