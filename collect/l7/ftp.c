/* collect/l7/ftp.c — the FTP control connection by its greeting, the
 * client's commands and the server's replies (RFC 959, 2228, 2389, 3659).
 *
 * The server speaks first: "220" (or "120" then "220"; "421" when it
 * refuses) SP or '-' text. SMTP greets with "220" too, so a greeting alone
 * decides only when its text says so: "FTP" (vsFTPd, ProFTPD, FileZilla's
 * "FTP server" ...) claims the flow unless "SMTP" is there as well, which
 * gives it up; otherwise the client's first command decides: an FTP command
 * other than the few every text protocol has (HELP, NOOP, QUIT, STAT) —
 * and never EHLO/HELO. A client seen first (capture started late, or the
 * greeting lost) proves FTP with a command only FTP has (AUTH TLS, FEAT,
 * SYST, PASV, CWD, ...); USER is POP3's too, so it waits for the answer:
 * a reply code (331 password required, 230, 530, ...) is FTP, "+OK" is not.
 * Facts: verb = the client's first command (upper case as sent), user = the
 * USER argument, object = the argument of the first RETR, STOR, CWD or
 * LIST, software = the greeting's text after the code (when the greeting
 * made the claim or came after it).
 *
 * Confidence: a greeting that says FTP 85, a client command only FTP sends
 * 80, +5 on port 21; 100 once both sides proved it (greeting or reply, and
 * an FTP command).
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_text.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: flags in scratch->raw[0] ... */
#define FTP_GREET 0x01u   /* a greeting was seen */
#define FTP_SRV1 L7_TXT_SRV1   /* the server speaks in direction 1 ... */
#define FTP_SIDES L7_TXT_SIDES /* ... and FTP_SRV1 is known */
#define FTP_CMD 0x08u     /* a client command proved FTP */
#define FTP_REPLY 0x10u   /* the server replied with a code after a command */
#define FTP_CLAIMED 0x20u /* we said MATCH: the flow is ours */
#define FTP_USER_WAIT 0x40u /* a USER came first: the reply will tell */
/* ... and in scratch->raw[1], which facts are in. */
#define FTP_F_VERB 0x01u
#define FTP_F_USER 0x02u
#define FTP_F_OBJECT 0x04u



/* Commands every line protocol has: no proof of FTP. */
static const char *const common[] = {"HELP", "NOOP", "QUIT", "STAT"};
/* Commands POP3 has too: after a greeting they prove FTP, alone not. */
static const char *const shared[] = {"USER", "PASS", "LIST", "RETR", "DELE"};
/* Commands only FTP has. */
static const char *const own[] = {
    "ACCT", "CWD",  "CDUP", "SMNT", "REIN", "PORT", "PASV", "TYPE", "STRU",
    "MODE", "STOR", "STOU", "APPE", "ALLO", "REST", "RNFR", "RNTO", "ABOR",
    "RMD",  "MKD",  "PWD",  "NLST", "SITE", "SYST", "AUTH", "ADAT", "PROT",
    "PBSZ", "CCC",  "MIC",  "CONF", "ENC",  "FEAT", "OPTS", "EPRT", "EPSV",
    "LANG", "MDTM", "SIZE", "MLST", "MLSD", "HOST", "CLNT", "XPWD", "XCWD",
    "XMKD", "XRMD", "XCUP"};

#define COUNT(a) (sizeof(a) / sizeof *(a))

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 21; }

static int ours(const struct l7_pkt *pkt, uint8_t *s, uint8_t base,
                uint8_t *confidence) {
  s[0] |= FTP_CLAIMED;
  if ((s[0] & FTP_CMD) && (s[0] & (FTP_GREET | FTP_REPLY))) {
    *confidence = 100;
    /* Nothing more to learn once the user is known. */
    return (s[1] & FTP_F_USER) ? L7_DONE : L7_MATCH;
  }
  if (*confidence < base)
    *confidence = l7_conf(base, usual_port(pkt));
  return L7_MATCH;
}

static int other(const struct l7_pkt *pkt, uint8_t *s, uint8_t *confidence) {
  if (!(s[0] & FTP_CLAIMED))
    return L7_NO;
  return ours(pkt, s, 80, confidence);
}

/* Replies a server gives to USER (RFC 959 §5.4). */
static int user_reply(unsigned code) {
  return code == 230 || code == 331 || code == 332 || code == 530 ||
         code == 421 || code == 500 || code == 501 || code == 503 ||
         code == 504 || code == 202 || code == 232 || code == 336;
}

static int on_reply(const struct l7_pkt *pkt, uint8_t *s, unsigned code,
                    const struct l7_line *l, struct l7_facts *facts,
                    uint8_t *confidence) {
  if (s[0] & FTP_USER_WAIT) {
    if (!user_reply(code))
      return L7_NO;
    s[0] = (uint8_t)((s[0] & ~FTP_USER_WAIT) | FTP_CMD | FTP_REPLY);
    return ours(pkt, s, 80, confidence);
  }
  if (!(s[0] & (FTP_GREET | FTP_CMD))) {
    if (code != 220 && code != 120 && code != 421)
      return L7_NO;
    s[0] |= FTP_GREET;
    l7_set_sides(pkt, &s[0], 1);
    int hint = l7_greeting_hint(pkt->data, pkt->len);
    if (hint == L7_HINT_SMTP)
      return L7_NO;
    if (hint == L7_HINT_NONE)
      return L7_MORE;
    l7_copy_rest(facts->u.gen.software, sizeof facts->u.gen.software, l, 4);
    return ours(pkt, s, 85, confidence);
  }
  if (s[0] & FTP_CMD)
    s[0] |= FTP_REPLY;
  else if (!(s[0] & FTP_CLAIMED)) {
    /* More of an undecided greeting ("120" then "220", or "220-" lines). */
    int hint = l7_greeting_hint(pkt->data, pkt->len);
    if (hint == L7_HINT_SMTP)
      return L7_NO;
    if (hint == L7_HINT_NONE)
      return L7_MORE;
  }
  if (!facts->u.gen.software[0] && code == 220 && !(s[0] & FTP_CMD))
    l7_copy_rest(facts->u.gen.software, sizeof facts->u.gen.software, l, 4);
  return ours(pkt, s, 85, confidence);
}

static void command_facts(const struct l7_line *l, size_t k, uint8_t *s,
                          struct l7_facts *facts) {
  size_t n = l->len - k;
  if (!(s[1] & FTP_F_VERB)) {
    s[1] |= FTP_F_VERB;
    l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, l->p, k);
  }
  if (k == 4 && l7_ieq(l->p, "user", 4) && !(s[1] & FTP_F_USER)) {
    s[1] |= FTP_F_USER;
    l7_copy_rest(facts->u.gen.user, sizeof facts->u.gen.user, l, 4);
  }
  int obj = (k == 4 && (l7_ieq(l->p, "retr", 4) || l7_ieq(l->p, "stor", 4) ||
                        l7_ieq(l->p, "list", 4))) ||
            (k == 3 && l7_ieq(l->p, "cwd", 3));
  if (obj && n > 1 && !(s[1] & FTP_F_OBJECT)) {
    s[1] |= FTP_F_OBJECT;
    l7_copy_rest(facts->u.gen.object, sizeof facts->u.gen.object, l, k);
  }
}

/* AUTH's mechanisms in FTP (RFC 2228, RFC 4217): SMTP's and POP3's AUTH
 * name SASL mechanisms instead. */
static int ftp_auth(const struct l7_line *l) {
  if (l->len < 8)
    return 0;
  const uint8_t *a = l->p + 5;
  size_t n = l->len - 5;
  return (n == 3 && (l7_ieq(a, "tls", 3) || l7_ieq(a, "ssl", 3))) ||
         (n == 5 && (l7_ieq(a, "tls-c", 5) || l7_ieq(a, "tls-p", 5)));
}

static int on_command(const struct l7_pkt *pkt, uint8_t *s,
                      const struct l7_line *l, struct l7_facts *facts,
                      uint8_t *confidence) {
  size_t k = l7_alpha_len(l->p, l->len);
  int word = k >= 3 && k <= 4 && (k == l->len || l->p[k] == ' ');
  int is_common = word && l7_word_in(l->p, k, common, COUNT(common)) >= 0;
  int is_shared = word && l7_word_in(l->p, k, shared, COUNT(shared)) >= 0;
  int is_own = word && l7_word_in(l->p, k, own, COUNT(own)) >= 0;
  if (is_own && k == 4 && l7_ieq(l->p, "auth", 4) && !ftp_auth(l))
    is_own = 0;
  if (s[0] & FTP_CLAIMED) {
    if (is_common || is_shared || is_own) {
      s[0] |= FTP_CMD;
      command_facts(l, k, s, facts);
    }
    return ours(pkt, s, 80, confidence);
  }
  if (!l->complete)
    return k == l->len && k <= 4 ? L7_MORE : L7_NO;
  if (s[0] & FTP_USER_WAIT)
    return is_shared || is_common ? L7_MORE : L7_NO; /* PASS before 331? */
  if ((s[0] & FTP_GREET) ? !(is_shared || is_own) : !is_own) {
    if (!(s[0] & FTP_GREET) && k == 4 && l7_ieq(l->p, "user", 4) &&
        l->len > 5) {
      /* USER first: POP3 or FTP, the reply will tell. */
      s[0] |= FTP_USER_WAIT;
      l7_set_sides(pkt, &s[0], 0);
      return L7_MORE;
    }
    return L7_NO;
  }
  s[0] |= FTP_CMD;
  l7_set_sides(pkt, &s[0], 0);
  command_facts(l, k, s, facts);
  return ours(pkt, s, 80, confidence);
}

int l7_probe_ftp(const struct l7_pkt *pkt, union l7_scratch *scratch,
                 struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *s = scratch->raw;
  struct l7_line l;
  if (!l7_first_line(pkt->data, pkt->len, &l))
    return other(pkt, s, confidence);
  uint8_t sep = 0;
  unsigned code = l7_reply_code(&l, &sep);
  if (!code && !(s[0] & FTP_CLAIMED) && l7_reply_prefix(&l))
    return L7_MORE;
  if (l7_from_server(pkt, s[0], code != 0)) {
    if (code)
      return on_reply(pkt, s, code, &l, facts, confidence);
    return other(pkt, s, confidence);
  }
  return on_command(pkt, s, &l, facts, confidence);
}
