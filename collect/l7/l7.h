/* collect/l7/l7.h — application identification by payload, not by port.
 *
 * Contract: every protocol has one file with one probe (l7_probe_<proto>).
 * The dispatcher (l7.c) shows each payload packet of a flow's first packets
 * to the probes still in the running; a probe answers
 *   L7_NO    — this flow is not mine (it drops out for good),
 *   L7_MORE  — could be mine, show me more,
 *   L7_MATCH — mine, with a confidence; keep showing me packets for facts,
 *   L7_DONE  — mine, and I need nothing more.
 * The first probe to match claims the flow; from then on only it sees
 * packets, until it says L7_DONE or the packet budget is spent. A probe never
 * reads past len, never allocates, and keeps what it must remember between
 * packets in its member of `struct l7_scratch`. Facts go into `struct
 * l7_facts` (the member of the claimed app), which the dispatcher allocates
 * only for claimed flows. Ports are given only as a hint: a probe may raise
 * its confidence when the port is the usual one, never decide by it.
 */
#ifndef HABIT_COLLECT_L7_H
#define HABIT_COLLECT_L7_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

/* The registry: X(ID, "name", probe, weak) for every protocol. `weak` probes
 * (short or loose signatures: DNS, NTP, ...) are asked only after every
 * strong one has passed on the packet. Each group of protocols lists its
 * own entries in its own header, so adding a protocol touches one line. */
#include "collect/l7/apps_core.h"
#include "collect/l7/apps_data.h"
#include "collect/l7/apps_net.h"
#define L7_APPS(X) L7_APPS_CORE(X) L7_APPS_DATA(X) L7_APPS_NET(X)

#define L7_ENUM_ENTRY(id, name, probe, weak) L7_APP_##id,
enum l7_app { L7_APP_NONE = 0, L7_APPS(L7_ENUM_ENTRY) L7_APP_COUNT };
#undef L7_ENUM_ENTRY
_Static_assert(L7_APP_COUNT <= 32, "candidates is a 32-bit mask");

enum l7_verdict { L7_NO = 0, L7_MORE = 1, L7_MATCH = 2, L7_DONE = 3 };

/* Payload packets the dispatcher shows per direction before it gives up
 * identifying (or stops collecting facts). */
#define L7_MAX_PKTS_PER_DIR 4

struct l7_pkt {
  const uint8_t *data; /* L4 payload as captured (may be cut by snaplen) */
  size_t len;          /* bytes available at data */
  uint8_t proto;       /* 6 TCP, 17 UDP */
  uint8_t dir;         /* 0 client->server, 1 server->client */
  uint16_t cli_port, srv_port;
};

/* What a probe remembers between packets of one flow: 4 bytes per protocol
 * in the running (there are many of them in every new flow). */
union l7_scratch {
  struct { uint8_t saw_request; } http;
  struct { uint8_t saw_client_hello; } tls;
  struct { uint16_t id; uint8_t saw_query; } dns;
  struct { uint8_t saw_client; } ssh;
  uint8_t raw[4];
  uint32_t word;
};
_Static_assert(sizeof(union l7_scratch) == 4, "scratch is 4 bytes a protocol");

/* Facts of the claimed app. Strings are NUL-terminated and cut to fit. */
struct l7_facts {
  union {
    struct {
      char method[16];
      char host[128];
      char path[192];
      char user_agent[64];
      uint16_t status;
    } http;
    struct {
      char qname[256];
      uint16_t qtype;
      uint8_t rcode;
      uint8_t answered;
    } dns;
    struct {
      char sni[256];
      char alpn[32];
      uint16_t version;
    } tls;
    struct {
      char client[64];
      char server[64];
    } ssh;
    /* Every other protocol: what it has of these (empty when unseen). */
    struct {
      char verb[32];      /* SQL verb, Redis/SMTP/FTP/IMAP command, MQTT type... */
      char object[128];   /* table, key, topic, mailbox, path, bind DN... */
      char user[64];      /* login user, database user */
      char software[64];  /* server or client software/version banner */
    } gen;
  } u;
};

/* A probe. scratch is this app's member (zeroed at flow start); facts is
 * non-NULL once the flow is claimed, and on the packet that claims it a
 * zeroed block the probe may already fill. *confidence (0..100) is set on
 * L7_MATCH / L7_DONE. */
typedef int (*l7_probe_fn)(const struct l7_pkt *pkt, union l7_scratch *scratch,
                           struct l7_facts *facts, uint8_t *confidence);

#define L7_PROBE_DECL(id, name, probe, weak)                                  \
  int probe(const struct l7_pkt *pkt, union l7_scratch *scratch,               \
            struct l7_facts *facts, uint8_t *confidence);
L7_APPS(L7_PROBE_DECL)
#undef L7_PROBE_DECL

/* Per-flow identification state, kept inline in the flow table (small). */
struct l7_flow {
  uint32_t candidates;       /* bit per app still in the running */
  uint8_t app;               /* enum l7_app, NONE until claimed */
  uint8_t confidence;
  uint8_t done;              /* nothing more to inspect */
  uint8_t pkts[2];           /* payload packets inspected per direction */
  union l7_scratch scratch[L7_APP_COUNT];
  struct l7_facts *facts;    /* allocated when claimed, freed by l7_flow_release */
};

void l7_flow_init(struct l7_flow *f);
/* Show one payload packet (len > 0) to the probes. Cheap once done. */
void l7_flow_inspect(struct l7_flow *f, const struct l7_pkt *pkt);
/* Copy app, confidence and facts into an event's fields. */
void l7_flow_export(const struct l7_flow *f, char app[EV_APP_MAX],
                    uint8_t *confidence, struct ev_l7 *out);
void l7_flow_release(struct l7_flow *f);

const char *l7_app_name(uint8_t app);

#endif
