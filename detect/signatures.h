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
  SIG_PROC_NEW = 1101,       /* a program the service never ran (exe, parent, user) */
  SIG_FILE_NEW = 1201,       /* a watched file access the service never made */
  SIG_BYTES_TOSERVER = 2001, /* more bytes to the server than learned */
  SIG_BYTES_TOCLIENT = 2002, /* more bytes to the client than learned */
  SIG_PACKETS = 2003,        /* more packets per connection than learned */
  SIG_DURATION = 2004,       /* longer connection than learned */
  SIG_CONN_RATE = 2005,      /* more connections per minute than learned */
  SIG_PORT_SCAN = 3001,      /* many ports of one host probed */
  SIG_HOST_SWEEP = 3002,     /* many hosts probed on one port */
  SIG_SYN_FLOOD = 3003,      /* SYNs to one host above the rate */
  SIG_ICMP_FLOOD = 3004,     /* ICMP echo requests to one host above the rate */
  SIG_UDP_FLOOD = 3005,      /* UDP packets to one host above the rate */
  SIG_DNS_TUNNEL = 3010,     /* tunnel-like names to one domain */
  SIG_ICMP_TUNNEL = 3011,    /* echo payloads that are not pings */
  SIG_WRONG_PORT = 3012,     /* an application on another's well-known port */
  SIG_PORT_APP_CHANGED = 3013, /* a learned port now carries another application */
  SIG_HTTP_SQLI = 3020,      /* SQL injection in an HTTP request */
  SIG_HTTP_XSS = 3021,       /* cross-site scripting in an HTTP request */
  SIG_SQL_INJECTION = 3022,  /* injection signs in a SQL protocol's statement */
  SIG_LEAK_CARD = 3030,      /* payment card number */
  SIG_LEAK_PRIVATE_KEY = 3031, /* PEM private key */
  SIG_LEAK_AWS_KEY = 3032,   /* AWS access key id */
  SIG_LEAK_PATTERN = 3033,   /* a user-defined pattern */
  SIG_LEAK_AWS_SECRET = 3034, /* AWS secret access key next to its key id */
  SIG_HEARTBLEED = 3040,     /* a TLS heartbeat that asks for more than it sends */
  SIG_HEARTBLEED_LEAK = 3041, /* a heartbeat answered with far more than asked */
  SIG_HTTP_SMUGGLING = 3042, /* conflicting or obfuscated body lengths */
  SIG_DNS_LOOP = 3043,       /* a DNS name whose compression pointers loop */
  SIG_DNS_OVERSIZE = 3044,   /* a DNS message larger than its transport allows */
  SIG_PING_OF_DEATH = 3045,  /* fragments that reassemble past 65535 bytes */
  SIG_FRAG_OVERLAP = 3046,   /* IP fragments that overlap */
  SIG_TINY_MSS = 3047,       /* a SYN announcing a tiny MSS */
  SIG_ATTACK_TOOL = 3050,    /* a known attack tool was executed */
};

/* Threat ids fit a 64-bit "raised on this flow" mask as (id - 3000). */
#define SIG_THREAT_BIT(id) (1ull << (((id) - 3000u) & 63u))

#endif
