/* collect/l7/imap.c — IMAP by its greeting, tagged client commands and the
 * server's responses (RFC 3501, RFC 9051).
 *
 * The server speaks first with an untagged "* OK", "* PREAUTH" or "* BYE"
 * SP text (RFC 9051 §7.1): a line no other common protocol starts with, so
 * it claims the flow — more surely when its text names IMAP or carries a
 * [CAPABILITY ...] code. A client line is a tag (1..64 characters of
 * ASTRING-CHAR but '+', RFC 9051 §9), SP and a known command; a server
 * response is untagged ("* " ...), a continuation ("+" ...) or a tag and
 * OK/NO/BAD. A known client command seen first claims the flow as well.
 * Facts: verb = the client's first command (upper case as sent), user = the
 * LOGIN name (quoted or atom; a literal is left out), object = the mailbox
 * of the first SELECT or EXAMINE, software = the greeting's text after the
 * status word (when the greeting made the claim).
 *
 * Confidence: a greeting 75, 85 when it names IMAP or lists capabilities; a
 * known tagged command 85; +5 on ports 143/993; 100 once both sides proved
 * it (a greeting or a response, and a command).
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_text.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: flags in scratch->raw[0] ... */
#define IMAP_GREET 0x01u   /* a greeting was seen */
#define IMAP_SRV1 L7_TXT_SRV1   /* the server speaks in direction 1 ... */
#define IMAP_SIDES L7_TXT_SIDES /* ... and IMAP_SRV1 is known */
#define IMAP_CMD 0x08u     /* a client command was seen */
#define IMAP_REPLY 0x10u   /* the server responded after a command */
#define IMAP_CLAIMED 0x20u /* we said MATCH: the flow is ours */
/* ... and in scratch->raw[1], which facts are in. */
#define IMAP_F_VERB 0x01u
#define IMAP_F_USER 0x02u
#define IMAP_F_OBJECT 0x04u

#define IMAP_TAG_MAX 64

static const char *const commands[] = {
    "CAPABILITY", "NOOP",      "LOGOUT",     "STARTTLS", "AUTHENTICATE",
    "LOGIN",      "SELECT",    "EXAMINE",    "CREATE",   "DELETE",
    "RENAME",     "SUBSCRIBE", "UNSUBSCRIBE", "LIST",    "LSUB",
    "STATUS",     "APPEND",    "CHECK",      "CLOSE",    "EXPUNGE",
    "SEARCH",     "FETCH",     "STORE",      "COPY",     "MOVE",
    "UID",        "IDLE",      "ID",         "ENABLE",   "NAMESPACE",
    "UNSELECT",   "GETQUOTA",  "GETQUOTAROOT", "SETQUOTA", "GETACL",
    "SETACL",     "MYRIGHTS",  "LISTRIGHTS", "COMPRESS", "XLIST",
    "SORT",       "THREAD",    "GETMETADATA", "SETMETADATA"};

#define COUNT(a) (sizeof(a) / sizeof *(a))

enum { LINE_OTHER, LINE_GREETING, LINE_RESPONSE, LINE_COMMAND, LINE_PREFIX };

static int usual_port(const struct l7_pkt *pkt) {
  return pkt->srv_port == 143 || pkt->srv_port == 993;
}

/* ASTRING-CHAR but '+' (RFC 9051 §9): no SP, CTL, "(){%*\"\\]" or 8-bit. */
static int is_tag_char(uint8_t c) {
  return c > 0x20 && c < 0x7f && !strchr("(){%*\"\\]+", c);
}

/* The word after p[0..n) starting at i, ending at SP or the end of the
 * line: its length. */
static size_t word_len(const uint8_t *p, size_t n, size_t i) {
  size_t k = i;
  while (k < n && p[k] != ' ')
    k++;
  return k - i;
}

static int is_status_word(const uint8_t *w, size_t k) {
  return (k == 2 && (l7_ieq(w, "ok", 2) || l7_ieq(w, "no", 2))) ||
         (k == 3 && l7_ieq(w, "bad", 3));
}

/* What the first line is. *cmd / *cmd_len locate a command's name. */
static int classify(const struct l7_line *l, size_t *cmd, size_t *cmd_len) {
  const uint8_t *p = l->p;
  size_t n = l->len;
  if (n >= 2 && p[0] == '*' && p[1] == ' ') {
    size_t k = word_len(p, n, 2);
    if (2 + k == n && !l->complete)
      return l7_iprefix(p + 2, k, "ok") || l7_iprefix(p + 2, k, "preauth") ||
                     l7_iprefix(p + 2, k, "bye")
                 ? LINE_PREFIX
                 : LINE_RESPONSE;
    if ((k == 2 && l7_ieq(p + 2, "ok", 2)) || (k == 7 && l7_ieq(p + 2, "preauth", 7)) ||
        (k == 3 && l7_ieq(p + 2, "bye", 3)))
      return LINE_GREETING;
    return LINE_RESPONSE;
  }
  if (n >= 1 && p[0] == '+' && (n == 1 || p[1] == ' '))
    return LINE_RESPONSE;
  size_t t = 0;
  while (t < n && t <= IMAP_TAG_MAX && is_tag_char(p[t]))
    t++;
  if (t == n && !l->complete && t <= IMAP_TAG_MAX)
    return LINE_PREFIX;
  if (t == 0 || t > IMAP_TAG_MAX || t == n || p[t] != ' ')
    return n == 1 && p[0] == '*' && !l->complete ? LINE_PREFIX : LINE_OTHER;
  size_t k = word_len(p, n, t + 1);
  if (!l->complete && t + 1 + k == n)
    return k < 13 ? LINE_PREFIX : LINE_OTHER; /* the word may go on */
  if (is_status_word(p + t + 1, k))
    return LINE_RESPONSE;
  if (l7_word_in(p + t + 1, k, commands, COUNT(commands)) >= 0) {
    *cmd = t + 1;
    *cmd_len = k;
    return LINE_COMMAND;
  }
  return LINE_OTHER;
}

static int ours(const struct l7_pkt *pkt, uint8_t *s, uint8_t base,
                uint8_t *confidence) {
  s[0] |= IMAP_CLAIMED;
  if ((s[0] & IMAP_CMD) && (s[0] & (IMAP_GREET | IMAP_REPLY))) {
    *confidence = 100;
    return (s[1] & IMAP_F_USER) ? L7_DONE : L7_MATCH;
  }
  if (*confidence < base)
    *confidence = l7_conf(base, usual_port(pkt));
  return L7_MATCH;
}

/* An astring argument (atom or quoted string) at p[0..n). */
static void copy_astring(char *dst, size_t cap, const uint8_t *p, size_t n) {
  if (n && p[0] == '"') {
    size_t k = 1;
    while (k < n && p[k] != '"') {
      if (p[k] == '\\' && k + 1 < n)
        k++;
      k++;
    }
    l7_copy(dst, cap, p + 1, k - 1);
    return;
  }
  if (n && p[0] == '{')
    return; /* a literal: its bytes follow in another line */
  l7_copy_word(dst, cap, p, n);
}

static void command_facts(const struct l7_line *l, size_t c, size_t k,
                          uint8_t *s, struct l7_facts *facts) {
  const uint8_t *name = l->p + c;
  size_t a = c + k + 1; /* where the arguments start */
  const uint8_t *arg = a < l->len ? l->p + a : NULL;
  size_t an = a < l->len ? l->len - a : 0;
  if (!(s[1] & IMAP_F_VERB)) {
    s[1] |= IMAP_F_VERB;
    l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, name, k);
  }
  if (arg && k == 5 && l7_ieq(name, "login", 5) && !(s[1] & IMAP_F_USER)) {
    s[1] |= IMAP_F_USER;
    copy_astring(facts->u.gen.user, sizeof facts->u.gen.user, arg, an);
  }
  if (arg && ((k == 6 && l7_ieq(name, "select", 6)) ||
              (k == 7 && l7_ieq(name, "examine", 7))) &&
      !(s[1] & IMAP_F_OBJECT)) {
    s[1] |= IMAP_F_OBJECT;
    copy_astring(facts->u.gen.object, sizeof facts->u.gen.object, arg, an);
  }
}

static int on_greeting(const struct l7_pkt *pkt, uint8_t *s,
                       const struct l7_line *l, struct l7_facts *facts,
                       uint8_t *confidence) {
  if (s[0] & (IMAP_GREET | IMAP_CMD)) {
    if (s[0] & IMAP_CMD)
      s[0] |= IMAP_REPLY; /* "* OK" answering a command */
    return ours(pkt, s, 75, confidence);
  }
  s[0] |= IMAP_GREET;
  l7_set_sides(pkt, &s[0], 1);
  size_t k = word_len(l->p, l->len, 2);
  l7_copy_rest(facts->u.gen.software, sizeof facts->u.gen.software, l, 2 + k);
  int hint = l7_icontains(l->p, l->len, "imap") ||
             l7_icontains(l->p, l->len, "[capability");
  return ours(pkt, s, hint ? 85 : 75, confidence);
}

int l7_probe_imap(const struct l7_pkt *pkt, union l7_scratch *scratch,
                  struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *s = scratch->raw;
  struct l7_line l;
  int kind = LINE_OTHER;
  size_t c = 0, k = 0;
  if (l7_first_line(pkt->data, pkt->len, &l))
    kind = classify(&l, &c, &k);
  if (s[0] & IMAP_CLAIMED) {
    if (kind == LINE_COMMAND && !l7_from_server(pkt, s[0], 0)) {
      s[0] |= IMAP_CMD;
      command_facts(&l, c, k, s, facts);
    } else if ((kind == LINE_RESPONSE || kind == LINE_GREETING) &&
               l7_from_server(pkt, s[0], 1) && (s[0] & IMAP_CMD)) {
      s[0] |= IMAP_REPLY;
    }
    return ours(pkt, s, 75, confidence); /* literals, message bodies, TLS */
  }
  switch (kind) {
  case LINE_PREFIX:
    return L7_MORE;
  case LINE_GREETING:
    if (!l7_from_server(pkt, s[0], 1))
      return L7_NO;
    return on_greeting(pkt, s, &l, facts, confidence);
  case LINE_COMMAND:
    if (l7_from_server(pkt, s[0], 0))
      return L7_NO;
    s[0] |= IMAP_CMD;
    l7_set_sides(pkt, &s[0], 0);
    command_facts(&l, c, k, s, facts);
    return ours(pkt, s, 85, confidence);
  default:
    return L7_NO;
  }
}
