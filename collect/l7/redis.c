/* collect/l7/redis.c — Redis (and Valkey, KeyDB...) by RESP, its wire format.
 *
 * Clients send commands as RESP arrays of bulk strings
 * ("*<n>\r\n$<len>\r\n<command>\r\n$<len>\r\n<arg>\r\n..."), each length
 * agreeing with the bytes after it, or as inline commands (one line of
 * words, as typed into telnet). Servers answer with one RESP value: simple
 * string '+', error '-', integer ':', bulk '$' (or "$-1" for nil), array
 * '*', and the RESP3 types map '%', set '~', push '>', attribute '|', null
 * '_', boolean '#', double ',', big number '(', blob error '!', verbatim
 * '='. Aggregates are walked element by element (a bounded number, a
 * bounded depth, recursion included); what lies past the walk or past the
 * segment is not held against them.
 * Direction decides the role: direction 0 sends commands, direction 1
 * answers (Redis servers never speak first; replication streams run from
 * the master in direction 1 and are answers here too).
 * Inline commands are text any line protocol could start with, so one is
 * taken only when its first word is a Redis command (memcached's storage
 * lines "set k 0 0 5", all numbers after the key, excepted) and only once
 * a RESP answer follows. A lone answer proves little too: "+OK" opens a
 * POP3 session; only an aggregate of two elements or more, well formed
 * throughout, is taken without its command.
 * Facts: verb = the command (upper case) and object = its first argument
 * (the key, channel or pattern) for commands that take one; connection
 * set-up commands (HELLO, AUTH, CLIENT, SELECT, PING, ECHO, COMMAND,
 * READONLY, READWRITE) give way to the first command after them, in the same
 * segment (pipelines) or a later one. user = the AUTH or HELLO ... AUTH
 * user name (never the password). software = "<server> <version>" from a
 * HELLO answer, or "redis <version>" from an INFO answer.
 *
 * Confidence: a RESP command 85, an aggregate answer without its command
 * 75, an inline command and its RESP answer 90; +5 on port 6379; 100 for a
 * RESP command and its answer. DONE once both sides are proved, a
 * non-set-up verb is known and so is the software, or when no HELLO/INFO
 * answer can come (both proved, final verb, two answers seen).
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: bits of raw[0]; raw[1] counts answers. */
#define RD_REQ 0x01u     /* a RESP command was seen (client proved) */
#define RD_REPLY 0x02u   /* a RESP answer followed a command (server proved) */
#define RD_INLINE 0x04u  /* an inline command awaits its answer */
#define RD_EARLY 0x08u   /* a lone simple answer came first (mid-flow) */
#define RD_FINAL 0x10u   /* the verb is a data command's, not set-up's */
#define RD_SW 0x20u      /* software is known */

#define RD_MAX_DEPTH 8    /* nesting walked (COMMAND's answer goes 6 deep) */
#define RD_MAX_NODES 128  /* values visited in one segment */
#define RD_MAX_INT 20     /* digits of an integer, sign included */
#define RD_MAX_ARGS (1u << 20)
#define RD_MAX_PIPELINE 8 /* commands looked at in one segment */

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };

struct rd_walk {
  const uint8_t *p;
  size_t n;
  unsigned nodes;
};

/* Where the bytes of lit (k of them) first occur in p[0..n), or NULL. */
static const uint8_t *find(const uint8_t *p, size_t n, const char *lit, size_t k) {
  for (size_t i = 0; k && i + k <= n; i++)
    if (p[i] == (uint8_t)lit[0] && memcmp(p + i, lit, k) == 0)
      return p + i;
  return NULL;
}

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 6379; }

/* The line at p[i] up to CR LF: *end after the LF. P_CUT when the data ends
 * first; P_BAD on a bare CR or LF, or a control byte. */
static int line(const uint8_t *p, size_t n, size_t i, size_t *end) {
  for (size_t j = i; j < n; j++) {
    uint8_t c = p[j];
    if (c == '\r') {
      if (j + 1 == n)
        return P_CUT;
      if (p[j + 1] != '\n')
        return P_BAD;
      *end = j + 2;
      return P_OK;
    }
    if (c == '\n' || (c < 0x20 && c != '\t'))
      return P_BAD;
  }
  return P_CUT;
}

/* An integer line at p[i] (after the type byte): optional '-', digits. */
static int int_line(const uint8_t *p, size_t n, size_t i, long long *v,
                    size_t *end) {
  size_t j = i;
  int neg = 0;
  long long x = 0;
  if (j < n && p[j] == '-') {
    neg = 1;
    j++;
  }
  size_t d = j;
  while (j < n && p[j] >= '0' && p[j] <= '9') {
    if (j - i >= RD_MAX_INT)
      return P_BAD;
    x = x * 10 + (p[j] - '0');
    j++;
  }
  if (j == n || (j + 1 == n && p[j] == '\r'))
    return P_CUT;
  if (j == d || p[j] != '\r' || p[j + 1] != '\n')
    return P_BAD;
  *v = neg ? -x : x;
  *end = j + 2;
  return P_OK;
}

/* A bulk body of len bytes at p[i] then CR LF. */
static int bulk_body(const uint8_t *p, size_t n, size_t i, long long len,
                     size_t *end) {
  if ((size_t)len > n - i)
    return P_CUT;
  size_t j = i + (size_t)len;
  if (n - j < 2)
    return n - j == 1 && p[j] != '\r' ? P_BAD : P_CUT;
  if (p[j] != '\r' || p[j + 1] != '\n')
    return P_BAD;
  *end = j + 2;
  return P_OK;
}

static int value(struct rd_walk *w, size_t i, int depth, size_t *end);

/* count values (pairs: 2 * count) after an aggregate's header. */
static int elements(struct rd_walk *w, size_t i, long long count, int depth,
                    size_t *end) {
  for (long long k = 0; k < count; k++) {
    if (i == w->n)
      return P_CUT;
    if (w->nodes >= RD_MAX_NODES)
      return P_CUT; /* looked far enough */
    int r = value(w, i, depth + 1, &i);
    if (r != P_OK)
      return r;
  }
  *end = i;
  return P_OK;
}

/* One RESP value at w->p[i]. */
static int value(struct rd_walk *w, size_t i, int depth, size_t *end) {
  const uint8_t *p = w->p;
  size_t n = w->n;
  if (i >= n)
    return P_CUT;
  if (depth > RD_MAX_DEPTH)
    return P_CUT; /* walked deep enough: no verdict on the rest */
  w->nodes++;
  uint8_t t = p[i];
  long long v = 0;
  size_t j = 0;
  int r;
  switch (t) {
  case '+':
  case '-':
    return line(p, n, i + 1, end);
  case ':':
    return int_line(p, n, i + 1, &v, end);
  case '(': /* a big number: digits without bound */
    if ((r = line(p, n, i + 1, end)) != P_OK)
      return r;
    for (j = i + 1 + (i + 1 < n && p[i + 1] == '-'); j + 2 < *end; j++)
      if (p[j] < '0' || p[j] > '9')
        return P_BAD;
    return j + 2 == *end && j > i + 1 ? P_OK : P_BAD;
  case ',':
    return line(p, n, i + 1, end);
  case '_':
    if (n - i < 3)
      return memcmp(p + i + 1, "\r\n", n - i - 1) == 0 ? P_CUT : P_BAD;
    if (p[i + 1] != '\r' || p[i + 2] != '\n')
      return P_BAD;
    *end = i + 3;
    return P_OK;
  case '#':
    if (n - i < 4)
      return P_CUT;
    if ((p[i + 1] != 't' && p[i + 1] != 'f') || p[i + 2] != '\r' || p[i + 3] != '\n')
      return P_BAD;
    *end = i + 4;
    return P_OK;
  case '$':
  case '!':
  case '=':
    if ((r = int_line(p, n, i + 1, &v, &j)) != P_OK)
      return r;
    if (v == -1 && t == '$') {
      *end = j;
      return P_OK;
    }
    if (v < 0 || v > 512LL * 1024 * 1024)
      return P_BAD;
    return bulk_body(p, n, j, v, end);
  case '*':
  case '~':
  case '>':
  case '%':
  case '|':
    if ((r = int_line(p, n, i + 1, &v, &j)) != P_OK)
      return r;
    if (v == -1 && t == '*') {
      *end = j;
      return P_OK;
    }
    if (v < 0 || v > (long long)RD_MAX_ARGS)
      return P_BAD;
    if (t == '%' || t == '|')
      v *= 2;
    r = elements(w, j, v, depth, end);
    /* An attribute comes before the value it describes. */
    if (r == P_OK && t == '|')
      return value(w, *end, depth, end);
    return r;
  default:
    return P_BAD;
  }
}

/* A command name: a letter, then letters, digits, '.', '_', '-' (module
 * commands: "JSON.SET", "FT.SEARCH"). */
static int command_name(const uint8_t *s, size_t n) {
  if (n == 0 || n > 32)
    return 0;
  uint8_t c = s[0] | 0x20;
  if (c < 'a' || c > 'z')
    return 0;
  for (size_t i = 1; i < n; i++) {
    c = s[i];
    if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9') &&
        c != '.' && c != '_' && c != '-')
      return 0;
  }
  return 1;
}

static int word_is(const uint8_t *s, size_t n, const char *lit) {
  return strlen(lit) == n && l7_ieq(s, lit, n);
}

static int word_in(const uint8_t *s, size_t n, const char *const *list,
                   size_t count) {
  for (size_t i = 0; i < count; i++)
    if (word_is(s, n, list[i]))
      return 1;
  return 0;
}

/* Commands that open a connection: a later command says more. */
static int is_setup(const uint8_t *s, size_t n) {
  static const char *const setup[] = {"hello", "auth", "client", "select", "ping",
                                      "echo", "command", "readonly", "readwrite"};
  return word_in(s, n, setup, sizeof setup / sizeof setup[0]);
}

/* Commands whose first argument is not a key, channel or pattern. */
static int keyless(const uint8_t *s, size_t n) {
  static const char *const list[] = {
      "hello", "auth", "client", "select", "ping", "echo", "command", "info",
      "config", "cluster", "debug", "script", "eval", "evalsha", "eval_ro",
      "evalsha_ro", "fcall", "fcall_ro", "function", "acl", "memory", "module",
      "latency", "slowlog", "object", "xinfo", "xgroup", "scan", "wait",
      "replicaof", "slaveof", "psync", "sync", "replconf", "shutdown", "swapdb",
      "migrate", "failover", "multi", "exec", "discard", "flushall", "flushdb",
      "save", "bgsave", "bgrewriteaof", "lastsave", "dbsize", "time", "role",
      "monitor", "quit", "reset", "lolwut", "pubsub"};
  return word_in(s, n, list, sizeof list / sizeof list[0]);
}

/* Inline commands taken (a line any text protocol might send is not). */
static int inline_command(const uint8_t *s, size_t n) {
  static const char *const list[] = {
      "ping", "auth", "info", "get", "set", "del", "exists", "keys", "select",
      "hello", "incr", "decr", "expire", "ttl", "type", "hget", "hset",
      "hgetall", "lpush", "rpush", "lpop", "rpop", "lrange", "sadd",
      "smembers", "zadd", "zrange", "publish", "subscribe", "psubscribe",
      "config", "client", "dbsize", "flushall", "flushdb", "monitor", "slaveof",
      "replicaof", "role", "command", "echo", "mget", "mset", "setex", "setnx",
      "scan", "eval", "cluster", "debug", "save", "bgsave", "shutdown",
      "module", "acl", "memory", "slowlog", "multi", "exec", "watch", "unlink"};
  return word_in(s, n, list, sizeof list / sizeof list[0]);
}

struct bulk {
  const uint8_t *s;
  size_t n;
};

/* A RESP command: an array of bulk strings. args gets up to 4 of them (the
 * name first); *next is after the command (when whole). P_OK once the name
 * is whole and everything up to the data's end agrees. */
static int resp_command(const uint8_t *p, size_t n, size_t i, struct bulk *args,
                        size_t *nargs, size_t *next) {
  long long count = 0, len = 0;
  size_t j = 0;
  *nargs = 0;
  if (i >= n || p[i] != '*')
    return P_BAD;
  int r = int_line(p, n, i + 1, &count, &j);
  if (r != P_OK)
    return r;
  if (count < 1 || count > (long long)RD_MAX_ARGS)
    return P_BAD;
  for (long long k = 0; k < count; k++) {
    if (j == n)
      return k ? P_OK : P_CUT;
    if (p[j] != '$')
      return P_BAD;
    if ((r = int_line(p, n, j + 1, &len, &j)) != P_OK)
      return k && r == P_CUT ? P_OK : r;
    if (len < 0 || len > 512LL * 1024 * 1024)
      return P_BAD;
    size_t body = j;
    r = bulk_body(p, n, body, len, &j);
    if (k == 0 && r == P_CUT) {
      /* The name cut short: what is here of it must fit a name. */
      size_t have = n - body < (size_t)len ? n - body : (size_t)len;
      return (size_t)len <= 32 && (have == 0 || command_name(p + body, have))
                 ? P_CUT
                 : P_BAD;
    }
    if (k == 0 && (r != P_OK || !command_name(p + body, (size_t)len)))
      return P_BAD;
    if (r == P_BAD)
      return P_BAD;
    if (*nargs < 4) {
      /* A cut argument is kept only when it is cut after its whole text. */
      size_t have = n - body < (size_t)len ? n - body : (size_t)len;
      if (r == P_OK || have == (size_t)len) {
        args[*nargs].s = p + body;
        args[*nargs].n = (size_t)len;
        (*nargs)++;
      }
    }
    if (r == P_CUT)
      return P_OK;
  }
  *next = j;
  return P_OK;
}

static void upper_copy(char *dst, size_t cap, const uint8_t *s, size_t n) {
  uint8_t up[32];
  size_t k = n < sizeof up ? n : sizeof up;
  for (size_t i = 0; i < k; i++)
    up[i] = (uint8_t)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
  l7_copy(dst, cap, up, k);
}

/* Verb, object and user of one command (args[0] its name). */
static void command_facts(uint8_t *st, struct l7_facts *facts,
                          const struct bulk *args, size_t nargs) {
  const struct bulk *name = &args[0];
  /* AUTH user pass / HELLO 3 AUTH user pass: the user, not the password. */
  if (word_is(name->s, name->n, "auth") && nargs >= 3 && !facts->u.gen.user[0])
    l7_copy(facts->u.gen.user, sizeof facts->u.gen.user, args[1].s, args[1].n);
  if (word_is(name->s, name->n, "hello") && nargs >= 4 &&
      word_is(args[2].s, args[2].n, "auth") && !facts->u.gen.user[0])
    l7_copy(facts->u.gen.user, sizeof facts->u.gen.user, args[3].s, args[3].n);
  if (*st & RD_FINAL)
    return;
  int setup = is_setup(name->s, name->n);
  if (facts->u.gen.verb[0] && setup)
    return; /* keep the first set-up verb until a data command comes */
  upper_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, name->s, name->n);
  facts->u.gen.object[0] = '\0';
  if (nargs >= 2 && !keyless(name->s, name->n))
    l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, args[1].s, args[1].n);
  if (!setup)
    *st |= RD_FINAL;
}

/* Commands of a client segment: P_OK when the first is a whole RESP
 * command name (facts taken from up to RD_MAX_PIPELINE of them). */
static int on_commands(const struct l7_pkt *pkt, uint8_t *st,
                       struct l7_facts *facts) {
  size_t i = 0;
  for (int k = 0; k < RD_MAX_PIPELINE && i < pkt->len; k++) {
    struct bulk args[4];
    size_t nargs = 0, next = pkt->len;
    int r = resp_command(pkt->data, pkt->len, i, args, &nargs, &next);
    if (r != P_OK)
      return k ? P_OK : r;
    command_facts(st, facts, args, nargs);
    i = next;
  }
  return P_OK;
}

/* memcached's storage line: set/add/replace/append/prepend/cas key and
 * numbers only. */
static int memcached_storage(const uint8_t *s, size_t n, size_t w) {
  static const char *const verbs[] = {"set", "add", "replace", "append",
                                      "prepend", "cas"};
  if (!word_in(s, w, verbs, sizeof verbs / sizeof verbs[0]))
    return 0;
  size_t i = w, words = 0;
  while (i < n) {
    while (i < n && s[i] == ' ')
      i++;
    size_t st = i;
    int digits = 1;
    while (i < n && s[i] != ' ') {
      if (s[i] < '0' || s[i] > '9')
        digits = 0;
      i++;
    }
    if (i == st)
      break;
    words++;
    if (words > 1 && !digits && !(i - st == 7 && memcmp(s + st, "noreply", 7) == 0))
      return 0;
  }
  return words >= 4;
}

/* An inline command line: P_OK (*name, *name_len set), P_CUT, P_BAD. */
static int inline_line(const uint8_t *p, size_t n, const uint8_t **name,
                       size_t *name_len) {
  const uint8_t *lf = memchr(p, '\n', n);
  size_t end = lf ? (size_t)(lf - p) : n;
  if (end && p[end - 1] == '\r')
    end--;
  size_t w = 0;
  while (w < end && ((p[w] | 0x20) >= 'a' && (p[w] | 0x20) <= 'z'))
    w++;
  for (size_t i = w; i < end; i++)
    if (p[i] < 0x20 && p[i] != '\t')
      return P_BAD;
  if (w == end && !lf)
    return w <= 12 ? P_CUT : P_BAD;
  if (w == 0 || (w < end && p[w] != ' ') || !inline_command(p, w))
    return P_BAD;
  if (!lf)
    return P_CUT;
  if (memcached_storage(p, end, w))
    return P_BAD;
  /* A request line of HTTP, RTSP or SIP ("GET /x HTTP/1.1"). */
  if (find(p, end, " HTTP/", 6) || find(p, end, " RTSP/", 6) ||
      find(p, end, " SIP/", 5))
    return P_BAD;
  *name = p;
  *name_len = w;
  return P_OK;
}

/* software from a HELLO answer (a map or array of server, version, proto,
 * ...) or an INFO answer (a bulk string with "redis_version:"). */
static void answer_software(const uint8_t *p, size_t n, struct l7_facts *facts,
                            uint8_t *st) {
  if (*st & RD_SW)
    return;
  if (n > 16 && p[0] == '$') {
    static const char key[] = "redis_version:";
    const uint8_t *at = find(p, n, key, sizeof key - 1);
    if (!at || !find(p, (size_t)(at - p), "# Server", 8))
      return;
    at += sizeof key - 1;
    size_t k = 0, rest = n - (size_t)(at - p);
    while (k < rest && at[k] != '\r' && at[k] != '\n')
      k++;
    if (k == rest)
      return;
    char buf[64] = "redis ";
    l7_copy(buf + 6, sizeof buf - 6, at, k);
    l7_copy(facts->u.gen.software, sizeof facts->u.gen.software,
            (const uint8_t *)buf, strlen(buf));
    *st |= RD_SW;
    return;
  }
  if (n < 4 || (p[0] != '%' && p[0] != '*'))
    return;
  /* Walk key/value pairs of simple or bulk strings. */
  struct rd_walk w = {p, n, 0};
  long long count = 0;
  size_t i = 0;
  if (int_line(p, n, 1, &count, &i) != P_OK || count < 3 || count > 32)
    return;
  if (p[0] == '*' && count % 2)
    return;
  long long pairs = p[0] == '%' ? count : count / 2;
  struct bulk server = {NULL, 0}, version = {NULL, 0};
  int proto = 0;
  for (long long k = 0; k < pairs; k++) {
    struct bulk kv[2];
    for (int e = 0; e < 2; e++) {
      size_t start = i, end = 0;
      if (value(&w, i, 1, &end) != P_OK)
        return;
      kv[e].s = NULL;
      kv[e].n = 0;
      if (p[start] == '$' || p[start] == '+') {
        const uint8_t *lf = memchr(p + start, '\n', end - start);
        size_t body = lf ? (size_t)(lf - p) + 1 : end;
        if (p[start] == '+')
          body = start + 1;
        if (body + 2 <= end) { /* not "$-1" */
          kv[e].s = p + body;
          kv[e].n = end - 2 - body;
        }
      }
      i = end;
    }
    if (!kv[0].s)
      continue;
    if (word_is(kv[0].s, kv[0].n, "server") && kv[1].s)
      server = kv[1];
    else if (word_is(kv[0].s, kv[0].n, "version") && kv[1].s)
      version = kv[1];
    else if (word_is(kv[0].s, kv[0].n, "proto"))
      proto = 1;
  }
  if (!server.s || !version.s || !proto)
    return;
  char buf[64];
  size_t o = l7_copy(buf, 32, server.s, server.n);
  buf[o++] = ' ';
  l7_copy(buf + o, sizeof buf - o, version.s, version.n);
  l7_copy(facts->u.gen.software, sizeof facts->u.gen.software,
          (const uint8_t *)buf, strlen(buf));
  *st |= RD_SW;
}

static int verdict(uint8_t st, uint8_t answers) {
  if ((st & (RD_REQ | RD_REPLY)) == (RD_REQ | RD_REPLY) && (st & RD_FINAL) &&
      ((st & RD_SW) || answers >= 2))
    return L7_DONE;
  return L7_MATCH;
}

static int on_client(const struct l7_pkt *pkt, union l7_scratch *s,
                     struct l7_facts *facts, uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  int claimed = (*st & (RD_REQ | RD_REPLY)) != 0;
  int r = on_commands(pkt, st, facts);
  if (r == P_OK) {
    *st |= RD_REQ;
    *confidence = (*st & RD_REPLY) ? 100 : l7_conf(85, usual_port(pkt));
    return verdict(*st, s->raw[1]);
  }
  if (r == P_CUT && pkt->data[0] == '*')
    return claimed ? (l7_conf_floor(confidence, 70), L7_MATCH) : L7_MORE;
  const uint8_t *name = NULL;
  size_t name_len = 0;
  int il = inline_line(pkt->data, pkt->len, &name, &name_len);
  if (il == P_OK) {
    if (claimed) {
      l7_conf_floor(confidence, 70);
      return L7_MATCH;
    }
    /* A server that spoke first is no Redis server (a POP3 greeting, say);
     * RESP commands after it are still taken (a capture started late). */
    if (*st & RD_EARLY)
      return L7_NO;
    (void)name;
    (void)name_len;
    *st |= RD_INLINE;
    return L7_MORE; /* facts of a packet that claims nothing are not kept */
  }
  if (claimed) {
    l7_conf_floor(confidence, 70);
    return L7_MATCH;
  }
  return il == P_CUT ? L7_MORE : L7_NO;
}

static int on_server(const struct l7_pkt *pkt, union l7_scratch *s,
                     struct l7_facts *facts, uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  struct rd_walk w = {pkt->data, pkt->len, 0};
  size_t end = 0;
  int r = value(&w, 0, 0, &end);
  /* After a whole value, more values may follow (pipelined answers):
   * judged by the first. */
  if (r == P_BAD) {
    if (!(*st & (RD_REQ | RD_REPLY)))
      return L7_NO;
    l7_conf_floor(confidence, 70);
    return L7_MATCH;
  }
  answer_software(pkt->data, pkt->len, facts, st);
  /* Count the answers of the segment (pipelined commands get several). */
  unsigned answers = 1;
  for (size_t at = end; r == P_OK && at < pkt->len && answers < 8; answers++) {
    struct rd_walk more = {pkt->data, pkt->len, 0};
    if (value(&more, at, 0, &at) != P_OK)
      break;
  }
  s->raw[1] = (uint8_t)(s->raw[1] + answers > 255 ? 255 : s->raw[1] + answers);
  if (*st & RD_REQ) {
    *st |= RD_REPLY;
    *confidence = 100;
    return verdict(*st, s->raw[1]);
  }
  if (*st & RD_INLINE) {
    *st |= RD_REPLY | RD_REQ;
    *confidence = l7_conf(90, usual_port(pkt));
    return verdict(*st, s->raw[1]);
  }
  if (*st & RD_REPLY) {
    l7_conf_floor(confidence, 75);
    return L7_MATCH;
  }
  /* Without a command: an aggregate of two or more, whole or walked far. */
  uint8_t t = pkt->data[0];
  int aggregate = t == '*' || t == '%' || t == '~' || t == '>';
  if (aggregate && w.nodes >= 3) {
    *st |= RD_REPLY;
    *confidence = l7_conf(75, usual_port(pkt));
    return L7_MATCH;
  }
  if (*st & RD_EARLY)
    return r == P_CUT ? L7_MORE : L7_NO;
  *st |= RD_EARLY;
  return L7_MORE;
}

int l7_probe_redis(const struct l7_pkt *pkt, union l7_scratch *scratch,
                   struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  if (pkt->dir & 1)
    return on_server(pkt, scratch, facts, confidence);
  return on_client(pkt, scratch, facts, confidence);
}
