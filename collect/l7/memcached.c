/* collect/l7/memcached.c — memcached by its text and binary protocols, over
 * TCP and over UDP.
 *
 * Text protocol: one command line of lower-case words ending in CR LF (LF
 * alone accepted), its fields checked by kind — storage "set|add|replace|
 * append|prepend <key> <flags> <exptime> <bytes> [noreply]" (and "cas" with
 * its unique) followed by exactly <bytes> of data and CR LF when they are
 * here, "get|gets <key>...", "gat|gats <exptime> <key>...", "delete <key>",
 * "incr|decr <key> <n>", "touch <key> <exptime>", "stats [...]", "version",
 * "flush_all [n]", "verbosity <n>", "quit", and the meta commands
 * "mg|ms|md|ma|me <key> [flags]", "mn". Keys are 1..250 bytes without
 * blanks or control bytes. Answers: "VALUE <key> <flags> <bytes> [<cas>]"
 * and its data, END, STORED, NOT_STORED, EXISTS, NOT_FOUND, DELETED,
 * TOUCHED, OK, ERROR, CLIENT_ERROR ..., SERVER_ERROR ..., "STAT <name>
 * <value>", "VERSION <v>", a number (incr/decr), and the meta answers HD,
 * VA, EN, NF, NS, EX, MN, ME.
 * Binary protocol: a 24-byte header, magic 0x80 (request) or 0x81
 * (response), a known opcode, data type 0, extras and key within the total
 * body length, which agrees with the segment; a request's extras length
 * must be the one its opcode takes; a response's status a known one.
 * UDP: each datagram starts with an 8-byte frame header — request id,
 * sequence number, datagram count, 0 — a request being datagram 0 of 1,
 * then a text or binary message as above.
 * "get <key>" is also a Redis inline command: alone it only makes the probe
 * wait for the answer. memcached is a weak probe (apps_data.h): its text
 * lines are short and UDP adds only an 8-byte header, so every strong probe
 * passes on a packet before it is asked.
 * Facts: verb = the command (upper case, the binary opcode's name for the
 * binary protocol); object = the first key (from the command, or from a
 * VALUE answer when the command was not kept); software = "memcached
 * <version>" from a VERSION answer or a "STAT version" line.
 *
 * Confidence: a text command whose fields check 80 (a storage command with
 * its data block 85, a command without arguments 70); a binary request 85;
 * a lone VALUE answer with its data 80, a lone answer of several STAT lines
 * 75; over UDP 5 less; +5 on port 11211; 100 for a command and its answer
 * (text), or a request and the response with its opaque or UDP request id.
 * DONE once both sides are proved and the software is known or was not
 * asked for.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: bits of raw[0]; raw[1] the pending text
 * command (index in commands[] + 1); raw[2..3] the low 16 bits of the
 * binary opaque or the UDP request id. */
#define MC_CLI 0x01u   /* a command was seen and taken (client proved) */
#define MC_SRV 0x02u   /* an answer was seen and taken (server proved) */
#define MC_PEND 0x04u  /* a command awaits its answer */
#define MC_EARLY 0x08u /* an unplaced answer came first (mid-flow) */
#define MC_BIN 0x10u   /* binary protocol */
#define MC_ID 0x20u    /* raw[2..3] hold an id to match */
#define MC_SW 0x40u    /* software known or not to be expected */

#define MC_UDP_HDR 8
#define MC_BIN_HDR 24
#define MC_MAX_KEY 250
#define MC_MAX_LINE 2048
#define MC_MAX_BODY (64u << 20)

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };

enum kind { K_STORAGE, K_CAS, K_GET, K_GAT, K_DELETE, K_ARITH, K_TOUCH, K_STATS,
            K_NOARG, K_FLUSH, K_VERBOSITY, K_META, K_MN };

static const struct {
  const char *name;
  enum kind kind;
} commands[] = {
    {"get", K_GET},         {"gets", K_GET},       {"set", K_STORAGE},
    {"add", K_STORAGE},     {"replace", K_STORAGE}, {"append", K_STORAGE},
    {"prepend", K_STORAGE}, {"cas", K_CAS},        {"gat", K_GAT},
    {"gats", K_GAT},        {"delete", K_DELETE},  {"incr", K_ARITH},
    {"decr", K_ARITH},      {"touch", K_TOUCH},    {"stats", K_STATS},
    {"version", K_NOARG},   {"quit", K_NOARG},     {"flush_all", K_FLUSH},
    {"verbosity", K_VERBOSITY}, {"mg", K_META},    {"ms", K_META},
    {"md", K_META},         {"ma", K_META},        {"me", K_META},
    {"mn", K_MN},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 11211; }

/* Words of one line (without CR LF). */
struct words {
  const uint8_t *w[8];
  size_t n[8];
  size_t count; /* words found, at most 8 are kept */
};

static void split(const uint8_t *p, size_t n, struct words *ws) {
  size_t i = 0;
  ws->count = 0;
  while (i < n) {
    while (i < n && p[i] == ' ')
      i++;
    if (i == n)
      break;
    size_t s = i;
    while (i < n && p[i] != ' ')
      i++;
    if (ws->count < 8) {
      ws->w[ws->count] = p + s;
      ws->n[ws->count] = i - s;
    }
    ws->count++;
  }
}

/* A line at p[0..n): *len its text without CR LF, *next after it. P_CUT
 * without an LF; P_BAD on control bytes or a line too long. */
static int text_line(const uint8_t *p, size_t n, size_t *len, size_t *next) {
  size_t lim = n < MC_MAX_LINE ? n : MC_MAX_LINE;
  for (size_t i = 0; i < lim; i++) {
    uint8_t c = p[i];
    if (c == '\n') {
      *len = i && p[i - 1] == '\r' ? i - 1 : i;
      *next = i + 1;
      return P_OK;
    }
    if ((c < 0x20 && c != '\r') || (c == '\r' && i + 1 < n && p[i + 1] != '\n'))
      return P_BAD;
  }
  return n < MC_MAX_LINE ? P_CUT : P_BAD;
}

static int is_key(const uint8_t *k, size_t n) {
  if (n == 0 || n > MC_MAX_KEY)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (k[i] <= 0x20 || k[i] == 0x7f)
      return 0;
  return 1;
}

static int is_num(const uint8_t *s, size_t n, int sign) {
  size_t i = sign && n && s[0] == '-' ? 1 : 0;
  if (n == i || n - i > 20)
    return 0;
  for (; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

static int is_noreply(const uint8_t *s, size_t n) {
  return n == 7 && memcmp(s, "noreply", 7) == 0;
}

static size_t to_size(const uint8_t *s, size_t n) {
  size_t v = 0;
  for (size_t i = 0; i < n && v < MC_MAX_BODY; i++)
    v = v * 10 + (size_t)(s[i] - '0');
  return v;
}

/* Exactly len bytes of data and CR LF at p[0..n): P_OK, P_CUT, P_BAD. */
static int data_block(const uint8_t *p, size_t n, size_t len, size_t *next) {
  if (len > MC_MAX_BODY)
    return P_BAD;
  if (n < len + 2)
    return P_CUT;
  if (p[len] != '\r' || p[len + 1] != '\n')
    return P_BAD;
  *next = len + 2;
  return P_OK;
}

/* Which command a line is: index, or -1. */
static int command_index(const uint8_t *w, size_t n) {
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strlen(commands[i].name) == n && memcmp(commands[i].name, w, n) == 0)
      return (int)i;
  return -1;
}

/* Check a command line's fields. Returns the confidence it earns alone
 * (0: wait for the answer), or -1 when malformed. *data: bytes of data
 * that follow the line (storage). */
static int check_command(enum kind kind, const struct words *ws, size_t *data) {
  size_t c = ws->count;
  *data = 0;
  switch (kind) {
  case K_STORAGE:
  case K_CAS: {
    size_t need = kind == K_CAS ? 6 : 5;
    if (c != need && !(c == need + 1 && is_noreply(ws->w[need], ws->n[need])))
      return -1;
    if (!is_key(ws->w[1], ws->n[1]) || !is_num(ws->w[2], ws->n[2], 0) ||
        !is_num(ws->w[3], ws->n[3], 1) || !is_num(ws->w[4], ws->n[4], 0) ||
        (kind == K_CAS && !is_num(ws->w[5], ws->n[5], 0)))
      return -1;
    *data = to_size(ws->w[4], ws->n[4]);
    return 80;
  }
  case K_GET:
    if (c < 2)
      return -1;
    for (size_t i = 1; i < c && i < 8; i++)
      if (!is_key(ws->w[i], ws->n[i]))
        return -1;
    /* "gets" is memcached's own; "get key" is a Redis inline command too. */
    return ws->n[0] == 4 ? 80 : 0;
  case K_GAT:
    if (c < 3 || !is_num(ws->w[1], ws->n[1], 1))
      return -1;
    for (size_t i = 2; i < c && i < 8; i++)
      if (!is_key(ws->w[i], ws->n[i]))
        return -1;
    return 80;
  case K_DELETE:
    if (c < 2 || c > 4 || !is_key(ws->w[1], ws->n[1]))
      return -1;
    if (c >= 3 && !is_noreply(ws->w[c - 1], ws->n[c - 1]) &&
        !is_num(ws->w[2], ws->n[2], 0))
      return -1;
    return 75;
  case K_ARITH:
  case K_TOUCH:
    if ((c != 3 && !(c == 4 && is_noreply(ws->w[3], ws->n[3]))) ||
        !is_key(ws->w[1], ws->n[1]) || !is_num(ws->w[2], ws->n[2], kind == K_TOUCH))
      return -1;
    return 80;
  case K_STATS:
    return c <= 3 ? 70 : -1;
  case K_NOARG:
    if (c != 1)
      return -1;
    return ws->n[0] == 4 ? 0 : 70; /* "quit" ends many protocols */
  case K_FLUSH:
    if (c > 3 || (c >= 2 && !is_num(ws->w[1], ws->n[1], 0) &&
                  !is_noreply(ws->w[1], ws->n[1])))
      return -1;
    return 70;
  case K_VERBOSITY:
    return c >= 2 && c <= 3 && is_num(ws->w[1], ws->n[1], 0) ? 75 : -1;
  case K_META:
    if (c < 2 || !is_key(ws->w[1], ws->n[1]))
      return -1;
    if (ws->w[0][1] == 's') { /* ms <key> <datalen> <flags>* */
      if (c < 3 || !is_num(ws->w[2], ws->n[2], 0))
        return -1;
      *data = to_size(ws->w[2], ws->n[2]);
    }
    return 75;
  case K_MN:
    return c == 1 ? 70 : -1;
  }
  return -1;
}

struct text_cmd {
  int index;     /* in commands[] */
  int conf;      /* what it earns alone (0: wait) */
  const uint8_t *key;
  size_t key_len;
};

/* A text command at p[0..n). */
static int parse_text_command(const uint8_t *p, size_t n, struct text_cmd *tc) {
  size_t w = 0;
  while (w < n && ((p[w] >= 'a' && p[w] <= 'z') || p[w] == '_'))
    w++;
  if (w == n)
    return w <= 9 ? P_CUT : P_BAD; /* "flush_all" is the longest */
  if (w == 0 || (p[w] != ' ' && p[w] != '\r' && p[w] != '\n'))
    return P_BAD;
  tc->index = command_index(p, w);
  if (tc->index < 0)
    return P_BAD;
  size_t len = 0, next = 0;
  int r = text_line(p, n, &len, &next);
  if (r != P_OK)
    return r;
  struct words ws;
  split(p, len, &ws);
  size_t data = 0;
  enum kind kind = commands[tc->index].kind;
  tc->conf = check_command(kind, &ws, &data);
  if (tc->conf < 0)
    return P_BAD;
  tc->key = NULL;
  tc->key_len = 0;
  size_t key_word = kind == K_GAT ? 2 : 1;
  int keyed = kind != K_STATS && kind != K_NOARG && kind != K_FLUSH &&
              kind != K_VERBOSITY && kind != K_MN;
  if (keyed && ws.count > key_word)
    tc->key = ws.w[key_word], tc->key_len = ws.n[key_word];
  if (kind == K_STORAGE || kind == K_CAS || (kind == K_META && data)) {
    size_t after = 0;
    int d = data_block(p + next, n - next, data, &after);
    if (d == P_BAD)
      return P_BAD;
    if (d == P_OK && next + after == n && kind != K_META)
      tc->conf = 85;
  } else if (next != n) {
    /* Pipelined commands: the next line must be one too. */
    size_t w2 = 0;
    while (next + w2 < n && p[next + w2] >= 'a' && p[next + w2] <= 'z')
      w2++;
    if (next + w2 < n && command_index(p + next, w2) < 0)
      return P_BAD;
  }
  return P_OK;
}

enum answer { A_NONE, A_VALUE, A_STAT, A_VERSION, A_OTHER };

struct text_answer {
  enum answer kind;
  int strong;            /* proves memcached alone */
  const uint8_t *key;    /* VALUE's key */
  size_t key_len;
  const uint8_t *version;
  size_t version_len;
};

static int word_eq(const uint8_t *w, size_t n, const char *lit) {
  return strlen(lit) == n && memcmp(w, lit, n) == 0;
}

/* The answer's first line (and, for VALUE and STAT, what follows). */
static int parse_text_answer(const uint8_t *p, size_t n, struct text_answer *a) {
  static const char *const bare[] = {"END", "STORED", "NOT_STORED", "EXISTS",
                                     "NOT_FOUND", "DELETED", "TOUCHED", "OK",
                                     "ERROR", "RESET", "HD", "EN", "NF", "NS",
                                     "EX", "MN"};
  memset(a, 0, sizeof a[0]);
  size_t len = 0, next = 0;
  int r = text_line(p, n, &len, &next);
  if (r != P_OK)
    return r == P_CUT && n <= 64 && p[0] >= 'A' && p[0] <= 'Z' ? P_CUT : P_BAD;
  struct words ws;
  split(p, len, &ws);
  if (ws.count == 0)
    return P_BAD;
  const uint8_t *w0 = ws.w[0];
  size_t n0 = ws.n[0];
  if (ws.w[0] != p)
    return P_BAD; /* no leading blanks */
  if (word_eq(w0, n0, "VALUE")) {
    if ((ws.count != 4 && ws.count != 5) || !is_key(ws.w[1], ws.n[1]) ||
        !is_num(ws.w[2], ws.n[2], 0) || !is_num(ws.w[3], ws.n[3], 0) ||
        (ws.count == 5 && !is_num(ws.w[4], ws.n[4], 0)))
      return P_BAD;
    a->kind = A_VALUE;
    a->key = ws.w[1];
    a->key_len = ws.n[1];
    size_t after = 0;
    int d = data_block(p + next, n - next, to_size(ws.w[3], ws.n[3]), &after);
    if (d == P_BAD)
      return P_BAD;
    a->strong = d == P_OK;
    return P_OK;
  }
  if (word_eq(w0, n0, "STAT")) {
    if (ws.count < 3)
      return P_BAD;
    a->kind = A_STAT;
    /* More STAT lines (or END) after the first make it certain. */
    size_t i = next;
    for (int k = 0; k < 64 && i < n; k++) {
      size_t l = 0, nx = 0;
      if (text_line(p + i, n - i, &l, &nx) != P_OK)
        break;
      if (l > 13 && memcmp(p + i, "STAT version ", 13) == 0) {
        a->version = p + i + 13;
        a->version_len = l - 13;
      }
      if (!(l >= 5 && memcmp(p + i, "STAT ", 5) == 0) && !word_eq(p + i, l, "END"))
        return P_BAD;
      a->strong = 1;
      i += nx;
    }
    if (len > 13 && memcmp(p, "STAT version ", 13) == 0) {
      a->version = p + 13;
      a->version_len = len - 13;
    }
    return P_OK;
  }
  if (word_eq(w0, n0, "VERSION")) {
    if (ws.count != 2)
      return P_BAD;
    a->kind = A_VERSION;
    a->version = ws.w[1];
    a->version_len = ws.n[1];
    return P_OK;
  }
  if (word_eq(w0, n0, "CLIENT_ERROR") || word_eq(w0, n0, "SERVER_ERROR") ||
      word_eq(w0, n0, "VA") || word_eq(w0, n0, "ME")) {
    a->kind = A_OTHER;
    return P_OK;
  }
  for (size_t i = 0; i < sizeof bare / sizeof bare[0]; i++)
    if (word_eq(w0, n0, bare[i]) && (ws.count == 1 || n0 == 2)) {
      a->kind = A_OTHER;
      return P_OK;
    }
  if (ws.count == 1 && is_num(w0, n0, 0)) {
    a->kind = A_OTHER;
    return P_OK;
  }
  return P_BAD;
}

/* Binary protocol. */
struct bin {
  int request;
  uint8_t opcode;
  uint16_t opaque; /* low 16 bits */
  const uint8_t *key;
  size_t key_len;
  const uint8_t *value;
  size_t value_len;
};

static const char *bin_name(uint8_t op) {
  static const char *const names[] = {
      "GET", "SET", "ADD", "REPLACE", "DELETE", "INCREMENT", "DECREMENT",
      "QUIT", "FLUSH", "GETQ", "NOOP", "VERSION", "GETK", "GETKQ", "APPEND",
      "PREPEND", "STAT", "SETQ", "ADDQ", "REPLACEQ", "DELETEQ", "INCREMENTQ",
      "DECREMENTQ", "QUITQ", "FLUSHQ", "APPENDQ", "PREPENDQ", "VERBOSITY",
      "TOUCH", "GAT", "GATQ", NULL, "SASL_LIST_MECHS", "SASL_AUTH", "SASL_STEP",
      "GATK", "GATKQ"};
  return op < sizeof names / sizeof names[0] ? names[op] : NULL;
}

/* The extras length a request of opcode op carries (-1: 0 or 4 allowed). */
static int bin_req_extras(uint8_t op) {
  switch (op) {
  case 0x01: case 0x02: case 0x03: case 0x11: case 0x12: case 0x13: return 8;
  case 0x05: case 0x06: case 0x15: case 0x16: return 20;
  case 0x08: case 0x18: return -1;
  case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x23: case 0x24: return 4;
  default: return 0;
  }
}

static int bin_status_ok(unsigned s) {
  return s <= 0x09 || (s >= 0x20 && s <= 0x24) || (s >= 0x81 && s <= 0x86);
}

static int parse_bin(const uint8_t *p, size_t n, struct bin *b) {
  if (p[0] != 0x80 && p[0] != 0x81)
    return P_BAD;
  b->request = p[0] == 0x80;
  if (n >= 2 && !bin_name(p[1]))
    return P_BAD;
  if (n < MC_BIN_HDR)
    return P_CUT;
  b->opcode = p[1];
  size_t key_len = l7_be16(p + 2), extras = p[4];
  unsigned status = l7_be16(p + 6);
  uint32_t body = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
  if (p[5] != 0 || body > MC_MAX_BODY || extras + key_len > body)
    return P_BAD;
  if (b->request) {
    int want = bin_req_extras(b->opcode);
    if (status > 0x3ff) /* vbucket ids stay small */
      return P_BAD;
    if (want >= 0 ? extras != (size_t)want : extras != 0 && extras != 4)
      return P_BAD;
  } else if (!bin_status_ok(status)) {
    return P_BAD;
  }
  /* The body fills the segment, runs past it, or another header follows. */
  size_t total = MC_BIN_HDR + body;
  if (total < n && p[total] != 0x80 && p[total] != 0x81)
    return P_BAD;
  b->opaque = (uint16_t)l7_be16(p + 14);
  size_t have = n - MC_BIN_HDR < body ? n - MC_BIN_HDR : body;
  b->key = NULL;
  b->value = NULL;
  if (extras + key_len <= have && key_len) {
    b->key = p + MC_BIN_HDR + extras;
    b->key_len = key_len;
  }
  if (have == body && body > extras + key_len) {
    b->value = p + MC_BIN_HDR + extras + key_len;
    b->value_len = body - extras - key_len;
  }
  return P_OK;
}

static void set_software(struct l7_facts *facts, uint8_t *st, const uint8_t *v,
                         size_t n) {
  if (*st & MC_SW)
    return;
  *st |= MC_SW;
  if (facts->u.gen.software[0] || n == 0 || n > 40)
    return;
  char buf[64] = "memcached ";
  l7_copy(buf + 10, sizeof buf - 10, v, n);
  l7_copy(facts->u.gen.software, sizeof facts->u.gen.software,
          (const uint8_t *)buf, strlen(buf));
}

static void set_verb(struct l7_facts *facts, const char *name) {
  uint8_t up[32];
  size_t n = strlen(name);
  n = n < sizeof up ? n : sizeof up;
  for (size_t i = 0; i < n; i++)
    up[i] = (uint8_t)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
  l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, up, n);
}

static int verdict(uint8_t st) {
  return (st & (MC_CLI | MC_SRV)) == (MC_CLI | MC_SRV) && (st & MC_SW) ? L7_DONE
                                                                       : L7_MATCH;
}

static uint8_t udp_less(const struct l7_pkt *pkt, unsigned base) {
  return l7_conf(pkt->proto == L7_IP_UDP ? base - 5 : base, usual_port(pkt));
}

/* A text command from the client. */
static int on_text_command(const struct l7_pkt *pkt, union l7_scratch *s,
                           const struct text_cmd *tc, struct l7_facts *facts,
                           uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  int claimed = (*st & (MC_CLI | MC_SRV)) != 0;
  const char *name = commands[tc->index].name;
  if (!claimed && !(*st & MC_PEND))
    s->raw[1] = (uint8_t)(tc->index + 1);
  *st |= MC_PEND;
  if (commands[tc->index].kind != K_STATS && commands[tc->index].kind != K_NOARG)
    *st |= MC_SW; /* no version to wait for */
  if (claimed) {
    l7_conf_floor(confidence, 80);
    return verdict(*st);
  }
  if (tc->conf == 0)
    return L7_MORE;
  *st |= MC_CLI;
  set_verb(facts, name);
  if (tc->key)
    l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, tc->key, tc->key_len);
  *confidence = udp_less(pkt, (unsigned)tc->conf);
  return L7_MATCH;
}

static int on_text_answer(const struct l7_pkt *pkt, union l7_scratch *s,
                          const struct text_answer *a, struct l7_facts *facts,
                          uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  int was_claimed = (*st & (MC_CLI | MC_SRV)) != 0;
  if (a->version)
    set_software(facts, st, a->version, a->version_len);
  if (*st & MC_PEND) {
    if (!was_claimed && s->raw[1] && s->raw[1] <= N_COMMANDS) {
      /* The command alone did not claim: its verb and key come now. */
      set_verb(facts, commands[s->raw[1] - 1].name);
      if (a->key)
        l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, a->key, a->key_len);
    }
    *st &= (uint8_t)~MC_PEND;
    *st |= MC_CLI | MC_SRV;
    *confidence = 100;
    return verdict(*st);
  }
  if (was_claimed) {
    *st |= MC_SRV;
    l7_conf_floor(confidence, 75);
    return verdict(*st);
  }
  if (a->strong) {
    *st |= MC_SRV;
    if (a->key)
      l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, a->key, a->key_len);
    *confidence = udp_less(pkt, a->kind == A_VALUE ? 80 : 75);
    return L7_MATCH;
  }
  if (*st & MC_EARLY)
    return L7_NO;
  *st |= MC_EARLY;
  return L7_MORE;
}

static int on_bin(const struct l7_pkt *pkt, union l7_scratch *s,
                  const struct bin *b, uint16_t id, struct l7_facts *facts,
                  uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  *st |= MC_BIN;
  if (b->request) {
    if (!(*st & MC_CLI)) {
      *st |= MC_CLI | MC_ID;
      s->raw[2] = (uint8_t)id;
      s->raw[3] = (uint8_t)(id >> 8);
      set_verb(facts, bin_name(b->opcode));
      if (b->key)
        l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, b->key, b->key_len);
      if (b->opcode != 0x0b && b->opcode != 0x10)
        *st |= MC_SW; /* neither VERSION nor STAT: no version coming */
    }
    if (*st & MC_SRV) {
      *confidence = 100;
      return verdict(*st);
    }
    *confidence = udp_less(pkt, 85);
    return L7_MATCH;
  }
  uint16_t want = (uint16_t)(s->raw[2] | s->raw[3] << 8);
  int ours = (*st & MC_ID) && want == id;
  if (b->opcode == 0x0b && b->value)
    set_software(facts, st, b->value, b->value_len);
  *st |= MC_SRV;
  if (ours) {
    *confidence = 100;
    return verdict(*st);
  }
  if (*st & MC_CLI) {
    l7_conf_floor(confidence, 85);
    return verdict(*st);
  }
  *confidence = udp_less(pkt, 80);
  return L7_MATCH;
}

/* Bytes that are not memcached here. */
static int other(const union l7_scratch *s, int cut, uint8_t *confidence) {
  if (s->raw[0] & (MC_CLI | MC_SRV)) {
    l7_conf_floor(confidence, 70);
    return L7_MATCH;
  }
  return cut ? L7_MORE : L7_NO;
}

int l7_probe_memcached(const struct l7_pkt *pkt, union l7_scratch *scratch,
                       struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->len == 0 || (pkt->proto != L7_IP_TCP && pkt->proto != L7_IP_UDP))
    return L7_NO;
  uint8_t *st = &scratch->raw[0];
  const uint8_t *p = pkt->data;
  size_t n = pkt->len;
  uint16_t id = 0;
  int from_client = !(pkt->dir & 1);
  if (pkt->proto == L7_IP_UDP) {
    /* The frame header: a request is datagram 0 of 1. */
    if (n <= MC_UDP_HDR)
      return other(scratch, 0, confidence);
    unsigned seq = l7_be16(p + 2), total = l7_be16(p + 4);
    if (p[6] != 0 || p[7] != 0 || total == 0 || seq >= total ||
        (from_client && (seq != 0 || total != 1)))
      return other(scratch, 0, confidence);
    id = (uint16_t)l7_be16(p);
    if (from_client && !(*st & MC_ID)) {
      *st |= MC_ID;
      scratch->raw[2] = (uint8_t)id;
      scratch->raw[3] = (uint8_t)(id >> 8);
    } else if (!from_client && (*st & MC_ID) && !(*st & MC_BIN) &&
               (uint16_t)(scratch->raw[2] | scratch->raw[3] << 8) != id) {
      return other(scratch, 0, confidence);
    }
    /* Datagrams after the first of an answer continue its text. */
    if (!from_client && seq > 0)
      return other(scratch, 0, confidence);
    p += MC_UDP_HDR;
    n -= MC_UDP_HDR;
  }
  if (p[0] == 0x80 || p[0] == 0x81) {
    struct bin b;
    int r = parse_bin(p, n, &b);
    if (r == P_OK && (b.request == from_client))
      return on_bin(pkt, scratch, &b, pkt->proto == L7_IP_UDP ? id : b.opaque,
                    facts, confidence);
    return other(scratch, r == P_CUT, confidence);
  }
  if (from_client) {
    struct text_cmd tc;
    int r = parse_text_command(p, n, &tc);
    if (r == P_OK)
      return on_text_command(pkt, scratch, &tc, facts, confidence);
    return other(scratch, r == P_CUT, confidence);
  }
  struct text_answer a;
  int r = parse_text_answer(p, n, &a);
  if (r == P_OK)
    return on_text_answer(pkt, scratch, &a, facts, confidence);
  return other(scratch, r == P_CUT, confidence);
}
