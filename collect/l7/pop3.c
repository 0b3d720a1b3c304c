/* collect/l7/pop3.c — POP3 by its greeting, the client's commands and the
 * server's status indicators (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS).
 *
 * The server speaks first: "+OK" SP text CR LF. That indicator is also
 * what a Redis server answers to a command, so a bare "+OK" decides
 * nothing: it waits for the client. A greeting with text claims the flow.
 * After a greeting, any POP3 command proves the client side. A client seen
 * first (capture started late) proves POP3 with CAPA, APOP, STLS, UIDL or
 * TOP; USER is FTP's too, so it waits for the answer: "+OK" or "-ERR" is
 * POP3, anything else is not. A reply "+OK"/"-ERR" after a command proves
 * the server side.
 * Facts: verb = the client's first command as sent, user = the USER or
 * APOP name, software = the greeting's text after "+OK" (when the greeting
 * made the claim).
 *
 * Confidence: a greeting with text 75, 85 when the text says POP; a client
 * command only POP3 sends 80; +5 on ports 110/995; 100 once both sides
 * proved it.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_text.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: flags in scratch->raw[0] ... */
#define POP_GREET 0x01u   /* a greeting was seen */
#define POP_SRV1 L7_TXT_SRV1   /* the server speaks in direction 1 ... */
#define POP_SIDES L7_TXT_SIDES /* ... and POP_SRV1 is known */
#define POP_CMD 0x08u     /* a client command proved POP3 */
#define POP_REPLY 0x10u   /* the server answered +OK/-ERR after a command */
#define POP_CLAIMED 0x20u /* we said MATCH: the flow is ours */
#define POP_USER_WAIT 0x40u /* a USER came first: the answer will tell */
/* ... and in scratch->raw[1], which facts are in. */
#define POP_F_VERB 0x01u
#define POP_F_USER 0x02u

static const char *const commands[] = {
    "USER", "PASS", "APOP", "CAPA", "STLS", "AUTH", "STAT", "LIST", "RETR",
    "DELE", "NOOP", "RSET", "QUIT", "TOP",  "UIDL", "UTF8", "LANG", "XTND"};
/* The ones no other protocol's client sends first. */
static const char *const own[] = {"CAPA", "APOP", "STLS", "UIDL", "TOP"};

#define COUNT(a) (sizeof(a) / sizeof *(a))

static int usual_port(const struct l7_pkt *pkt) {
  return pkt->srv_port == 110 || pkt->srv_port == 995;
}

/* "+OK" or "-ERR", then SP or the end of the line: the length of the
 * indicator, or 0. */
static size_t status_indicator(const struct l7_line *l) {
  size_t k = 0;
  if (l->len >= 3 && memcmp(l->p, "+OK", 3) == 0)
    k = 3;
  else if (l->len >= 4 && memcmp(l->p, "-ERR", 4) == 0)
    k = 4;
  if (!k)
    return 0;
  if (l->len > k && l->p[k] != ' ')
    return 0;
  if (l->len == k && !l->complete)
    return 0; /* the rest of the line may still come */
  return k;
}

/* Could this open line still become an indicator? */
static int indicator_prefix(const struct l7_line *l) {
  if (l->complete)
    return 0;
  return (l->len <= 3 && memcmp(l->p, "+OK", l->len) == 0) ||
         (l->len <= 4 && memcmp(l->p, "-ERR", l->len) == 0);
}

static int ours(const struct l7_pkt *pkt, uint8_t *s, uint8_t base,
                uint8_t *confidence) {
  s[0] |= POP_CLAIMED;
  if ((s[0] & POP_CMD) && (s[0] & (POP_GREET | POP_REPLY))) {
    *confidence = 100;
    return (s[1] & POP_F_USER) ? L7_DONE : L7_MATCH;
  }
  if (*confidence < base)
    *confidence = l7_conf(base, usual_port(pkt));
  return L7_MATCH;
}

static int other(const struct l7_pkt *pkt, uint8_t *s, uint8_t *confidence) {
  if (!(s[0] & POP_CLAIMED))
    return L7_NO;
  return ours(pkt, s, 75, confidence); /* a message, TLS after STLS, ... */
}

static int on_status(const struct l7_pkt *pkt, uint8_t *s, size_t k,
                     const struct l7_line *l, struct l7_facts *facts,
                     uint8_t *confidence) {
  int ok = k == 3;
  if (s[0] & POP_USER_WAIT) {
    s[0] = (uint8_t)((s[0] & ~POP_USER_WAIT) | POP_CMD | POP_REPLY);
    return ours(pkt, s, 80, confidence);
  }
  if (!(s[0] & (POP_GREET | POP_CMD))) {
    if (!ok)
      return L7_NO; /* "-ERR" first: not a greeting */
    s[0] |= POP_GREET;
    l7_set_sides(pkt, &s[0], 1);
    if (l->len <= 4)
      return L7_MORE; /* bare "+OK": Redis says that too */
    l7_copy_rest(facts->u.gen.software, sizeof facts->u.gen.software, l, 3);
    return ours(pkt, s, l7_icontains(l->p, l->len, "pop") ? 85 : 75, confidence);
  }
  if (s[0] & POP_CMD)
    s[0] |= POP_REPLY;
  else if (!(s[0] & POP_CLAIMED))
    return L7_MORE; /* a second indicator before any command */
  return ours(pkt, s, 75, confidence);
}

static void command_facts(const struct l7_line *l, size_t k, uint8_t *s,
                          struct l7_facts *facts) {
  if (!(s[1] & POP_F_VERB)) {
    s[1] |= POP_F_VERB;
    l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, l->p, k);
  }
  if (k == 4 && (l7_ieq(l->p, "user", 4) || l7_ieq(l->p, "apop", 4)) &&
      l->len > 5 && !(s[1] & POP_F_USER)) {
    s[1] |= POP_F_USER;
    l7_copy_word(facts->u.gen.user, sizeof facts->u.gen.user, l->p + 5,
                 l->len - 5);
  }
}

static int on_command(const struct l7_pkt *pkt, uint8_t *s,
                      const struct l7_line *l, struct l7_facts *facts,
                      uint8_t *confidence) {
  size_t k = l7_alpha_len(l->p, l->len);
  if (k == 4 && l->len > 4 && l->p[4] == '8' && l7_ieq(l->p, "utf", 3))
    k = 4; /* UTF8 */
  int word = (k == 3 || k == 4) && (k == l->len || l->p[k] == ' ');
  int known = word && l7_word_in(l->p, k, commands, COUNT(commands)) >= 0;
  int is_own = word && l7_word_in(l->p, k, own, COUNT(own)) >= 0;
  if (s[0] & POP_CLAIMED) {
    if (known) {
      s[0] |= POP_CMD;
      command_facts(l, k, s, facts);
    }
    return ours(pkt, s, 80, confidence);
  }
  if (!l->complete)
    return k == l->len && k <= 4 ? L7_MORE : L7_NO;
  if (s[0] & POP_USER_WAIT)
    return known ? L7_MORE : L7_NO; /* PASS pipelined before the answer */
  if (!(s[0] & POP_GREET) && !is_own) {
    if (k == 4 && l7_ieq(l->p, "user", 4) && l->len > 5) {
      s[0] |= POP_USER_WAIT; /* FTP's too: the answer will tell */
      l7_set_sides(pkt, &s[0], 0);
      return L7_MORE;
    }
    return L7_NO;
  }
  if (!known)
    return L7_NO;
  s[0] |= POP_CMD;
  l7_set_sides(pkt, &s[0], 0);
  command_facts(l, k, s, facts);
  return ours(pkt, s, 80, confidence);
}

int l7_probe_pop3(const struct l7_pkt *pkt, union l7_scratch *scratch,
                  struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *s = scratch->raw;
  struct l7_line l;
  if (!l7_first_line(pkt->data, pkt->len, &l))
    return other(pkt, s, confidence);
  size_t k = status_indicator(&l);
  if (!k && !(s[0] & POP_CLAIMED) && indicator_prefix(&l))
    return L7_MORE;
  if (l7_from_server(pkt, s[0], k != 0)) {
    if (k)
      return on_status(pkt, s, k, &l, facts, confidence);
    return other(pkt, s, confidence);
  }
  return on_command(pkt, s, &l, facts, confidence);
}
