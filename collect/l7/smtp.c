/* collect/l7/smtp.c — SMTP by the server's greeting and the client's first
 * command (RFC 5321).
 *
 * The server speaks first: a reply line "220" (service ready; "421" or
 * "554" when it refuses) SP or '-' text (RFC 5321 §4.2, §4.3.1). FTP greets
 * with "220" too, so a greeting alone decides only when its text says so:
 * "SMTP" (ESMTP included) anywhere in the greeting's packet claims the
 * flow, "FTP" without "SMTP" gives it up, anything else waits for the
 * client. An SMTP client's first command is EHLO or HELO (§4.1.1.1); in a
 * capture that starts later, MAIL FROM: and RCPT TO: are just as telling.
 * Any other first command after a bare "220" is not SMTP. Once claimed, the
 * rest of the flow (replies, mail data, TLS after STARTTLS) is ours.
 * Facts: verb = the client's first command as sent (EHLO, HELO, ...),
 * object = the domain of EHLO/HELO, software = the greeting's text after
 * the code (when the greeting itself made the claim or came after it:
 * facts of packets before the claim are not kept).
 *
 * Confidence: a greeting that says SMTP 85, a client command only SMTP
 * sends 85, +5 on ports 25/465/587/2525; 100 once both sides proved it (a
 * greeting or a reply, and such a command).
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_text.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers, in scratch->raw[0]. */
#define SMTP_GREET 0x01u    /* a greeting was seen */
#define SMTP_SRV1 L7_TXT_SRV1   /* the server speaks in direction 1 ... */
#define SMTP_SIDES L7_TXT_SIDES /* ... and SMTP_SRV1 is known */
#define SMTP_CMD 0x08u      /* a client command proved SMTP */
#define SMTP_REPLY 0x10u    /* the server replied to it */
#define SMTP_CLAIMED 0x20u  /* we said MATCH: the flow is ours */
#define SMTP_VERB 0x40u     /* the first client command is in the facts */



static const char *const commands[] = {
    "HELO", "EHLO", "MAIL", "RCPT",  "DATA", "RSET",  "VRFY",     "EXPN",
    "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH", "BDAT", "ETRN", "TURN",
    "ATRN", "XCLIENT", "XFORWARD"};

static int usual_port(const struct l7_pkt *pkt) {
  uint16_t p = pkt->srv_port;
  return p == 25 || p == 465 || p == 587 || p == 2525;
}

static int proved_both(uint8_t st) {
  return (st & SMTP_CMD) && (st & (SMTP_GREET | SMTP_REPLY));
}

/* The verdict of a packet that keeps (or makes) the claim. */
static int ours(const struct l7_pkt *pkt, uint8_t *st, uint8_t base,
                uint8_t *confidence) {
  *st |= SMTP_CLAIMED;
  if (proved_both(*st)) {
    *confidence = 100;
    return (*st & SMTP_VERB) ? L7_DONE : L7_MATCH;
  }
  if (*confidence < base)
    *confidence = l7_conf(base, usual_port(pkt));
  return L7_MATCH;
}

/* Bytes that are not one of SMTP's lines here. */
static int other(const struct l7_pkt *pkt, uint8_t *st, uint8_t *confidence) {
  if (!(*st & SMTP_CLAIMED))
    return L7_NO;
  return ours(pkt, st, 85, confidence); /* message data, TLS, ... */
}

static int on_reply(const struct l7_pkt *pkt, uint8_t *st, unsigned code,
                    const struct l7_line *l, struct l7_facts *facts,
                    uint8_t *confidence) {
  if (!(*st & (SMTP_GREET | SMTP_CMD))) {
    if (code != 220 && code != 421 && code != 554)
      return L7_NO;
    *st |= SMTP_GREET;
    l7_set_sides(pkt, st, 1);
    int hint = l7_greeting_hint(pkt->data, pkt->len);
    if (hint == L7_HINT_FTP)
      return L7_NO;
    if (hint == L7_HINT_NONE)
      return L7_MORE; /* the client's first command will tell */
    l7_copy_rest(facts->u.gen.software, sizeof facts->u.gen.software, l, 4);
    return ours(pkt, st, 85, confidence);
  }
  if (*st & SMTP_CMD)
    *st |= SMTP_REPLY;
  else if (!(*st & SMTP_CLAIMED)) {
    /* The rest of an undecided greeting: it may still say SMTP. */
    int hint = l7_greeting_hint(pkt->data, pkt->len);
    if (hint == L7_HINT_FTP)
      return L7_NO;
    if (hint == L7_HINT_NONE)
      return L7_MORE;
  }
  if ((*st & SMTP_GREET) && !facts->u.gen.software[0] && code == 220 &&
      !(*st & SMTP_CMD))
    l7_copy_rest(facts->u.gen.software, sizeof facts->u.gen.software, l, 4);
  return ours(pkt, st, 85, confidence);
}

/* EHLO/HELO [domain], "MAIL FROM:", "RCPT TO:": commands no other
 * protocol's client starts with. */
static int smtp_only(const struct l7_line *l, size_t k) {
  const uint8_t *p = l->p;
  size_t n = l->len;
  if (k != 4 || (n > 4 && p[4] != ' '))
    return 0;
  if (l7_ieq(p, "ehlo", 4) || l7_ieq(p, "helo", 4))
    return 1;
  if (l7_ieq(p, "mail", 4))
    return n >= 10 && l7_ieq(p + 4, " from:", 6);
  if (l7_ieq(p, "rcpt", 4))
    return n >= 8 && l7_ieq(p + 4, " to:", 4);
  return 0;
}

static void command_facts(const struct l7_line *l, size_t k, uint8_t *st,
                          struct l7_facts *facts) {
  if (*st & SMTP_VERB)
    return;
  *st |= SMTP_VERB;
  l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, l->p, k);
  if (k == 4 && (l7_ieq(l->p, "ehlo", 4) || l7_ieq(l->p, "helo", 4)))
    l7_copy_word(facts->u.gen.object, sizeof facts->u.gen.object, l->p + k,
                 l->len - k);
}

static int on_command(const struct l7_pkt *pkt, uint8_t *st,
                      const struct l7_line *l, struct l7_facts *facts,
                      uint8_t *confidence) {
  size_t k = l7_alpha_len(l->p, l->len);
  int known = k && (k == l->len || l->p[k] == ' ') &&
              l7_word_in(l->p, k, commands, sizeof commands / sizeof *commands) >= 0;
  if (!l->complete && !(*st & SMTP_CLAIMED)) {
    /* An open line: wait while it can still become a command. */
    return k == l->len && k <= 8 ? L7_MORE : (known ? L7_MORE : L7_NO);
  }
  if (known && smtp_only(l, k)) {
    *st |= SMTP_CMD;
    l7_set_sides(pkt, st, 0);
    command_facts(l, k, st, facts);
    return ours(pkt, st, 85, confidence);
  }
  if (!(*st & SMTP_CLAIMED))
    return L7_NO;
  if (known)
    command_facts(l, k, st, facts);
  return ours(pkt, st, 85, confidence);
}

int l7_probe_smtp(const struct l7_pkt *pkt, union l7_scratch *scratch,
                  struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *st = &scratch->raw[0];
  struct l7_line l;
  if (!l7_first_line(pkt->data, pkt->len, &l))
    return other(pkt, st, confidence);
  uint8_t sep = 0;
  unsigned code = l7_reply_code(&l, &sep);
  if (!code && !l.complete && !(*st & SMTP_CLAIMED) && l7_reply_prefix(&l))
    return L7_MORE; /* "22": the code is not all here */
  if (l7_from_server(pkt, *st, code != 0)) {
    if (code)
      return on_reply(pkt, st, code, &l, facts, confidence);
    return other(pkt, st, confidence);
  }
  return on_command(pkt, st, &l, facts, confidence);
}
