/* collect/l7/postgresql.c — PostgreSQL by its frontend/backend protocol 3.
 *
 * The client opens with a message without a type byte: a 4-byte length and
 * a 4-byte code — StartupMessage (protocol 3.0 to 3.2: key/value C strings,
 * "user" among them, ending with an empty key exactly at the declared
 * length), SSLRequest and GSSENCRequest (length 8, codes 80877103 and
 * 80877104) or CancelRequest (length 16, or up to 268 with the longer keys
 * of protocol 3.2; code 80877102). Every later message has a type byte and a
 * 4-byte length counting itself; a segment is walked message by message,
 * each type checked against the side that sends it and, when the message
 * is whole, against its layout: 'R' authentication codes and their lengths,
 * 'S' ParameterStatus (two C strings), 'K', 'Z' (status I/T/E), 'E'/'N'
 * fields, 'C', 'Q' (one C string), 'P' (two C strings and the parameter
 * types), the fixed-size ones. The server's one-byte answer to SSLRequest
 * never reaches a probe (the dispatcher takes one-byte segments for
 * keep-alives); the TLS records that follow it do.
 * Facts: user = the StartupMessage's user; software = the server_version
 * ParameterStatus; verb and object = the SQL verb and first table of the
 * first simple Query or Parse (l7_sql.h).
 *
 * Confidence: StartupMessage 90; SSLRequest, GSSENCRequest, CancelRequest
 * 85; a Query or Parse whose text is SQL 80; a mid-flow segment of two or
 * more well-formed server messages 75; +5 on port 5432. 100 once the other
 * side answers in kind (the server's messages after the client's, TLS from
 * the server after SSLRequest and TLS from the client); 95 for TLS from the
 * client after SSLRequest. DONE once TLS or GSS encryption starts, after a
 * CancelRequest, or when both sides are proved and verb and software are
 * known.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_sql.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: bits of raw[0] and raw[1]. */
#define PG_CLI 0x01u      /* the client side is proved */
#define PG_SRV 0x02u      /* the server side is proved */
#define PG_ROLE 0x04u     /* roles are known ... */
#define PG_SRV_DIR1 0x08u /* ... and the server is direction 1 */
#define PG_SSLREQ 0x10u   /* SSLRequest sent: TLS or a StartupMessage next */
#define PG_GSSREQ 0x20u   /* GSSENCRequest sent */
#define PG_TLS 0x40u      /* TLS from the client after SSLRequest */
#define PG_FRAMED 0x01u   /* raw[1]: one well-formed mid-flow segment seen */

#define PG_SSL_CODE 80877103u
#define PG_GSS_CODE 80877104u
#define PG_CANCEL_CODE 80877102u
#define PG_PROTO_3 0x00030000u
#define PG_MAX_STARTUP 10000u   /* the server's own limit */
#define PG_MAX_MSG 0x3fffffffu  /* a message length is a positive int32 */
#define PG_MAX_WALK 32          /* messages looked at in one segment */

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };
enum { SIDE_CLIENT = 0, SIDE_SERVER = 1 };

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 5432; }

/* Length of the C string at p[0..n) without its NUL; n when none ends. */
static size_t cstr(const uint8_t *p, size_t n) {
  const uint8_t *z = memchr(p, 0, n);
  return z ? (size_t)(z - p) : n;
}

static int text_ok(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
      return 0;
  return 1;
}

/* StartupMessage parameters in b[0..n) (n: what is here of body_len):
 * C-string pairs, then an empty key at body_len - 1. Sets the user. */
static int startup_params(const uint8_t *b, size_t n, size_t body_len,
                          const uint8_t **user, size_t *user_len) {
  size_t i = 0;
  int have_user = 0;
  while (i < n) {
    size_t k = cstr(b + i, n - i);
    if (k == n - i)
      return n < body_len ? P_CUT : P_BAD;
    if (k == 0)
      return i + 1 == body_len && have_user ? P_OK : P_BAD;
    if (k > 64 || !text_ok(b + i, k))
      return P_BAD;
    const uint8_t *key = b + i;
    i += k + 1;
    if (i >= n)
      return n < body_len ? P_CUT : P_BAD;
    size_t v = cstr(b + i, n - i);
    if (v == n - i)
      return n < body_len ? P_CUT : P_BAD;
    if (!text_ok(b + i, v))
      return P_BAD;
    if (k == 4 && memcmp(key, "user", 4) == 0) {
      have_user = 1;
      *user = b + i;
      *user_len = v;
    }
    i += v + 1;
  }
  return n < body_len ? P_CUT : P_BAD;
}

enum untyped { U_NONE, U_STARTUP, U_SSL, U_GSS, U_CANCEL };

/* The client's first message. P_CUT with *kind set when a prefix of one. */
static int untyped(const uint8_t *p, size_t n, enum untyped *kind,
                   const uint8_t **user, size_t *user_len) {
  *kind = U_NONE;
  if (n < 8)
    return n >= 1 && p[0] == 0 ? P_CUT : P_BAD;
  uint32_t len = be32(p), code = be32(p + 4);
  if (code == PG_SSL_CODE || code == PG_GSS_CODE) {
    *kind = code == PG_SSL_CODE ? U_SSL : U_GSS;
    return len == 8 && n == 8 ? P_OK : P_BAD;
  }
  if (code == PG_CANCEL_CODE) {
    *kind = U_CANCEL;
    return len >= 16 && len <= 12 + 256 && n == len ? P_OK : P_BAD;
  }
  if ((code >> 16) != 3 || (code & 0xffff) > 2 || len < 8 + 6 ||
      len > PG_MAX_STARTUP || n > len)
    return P_BAD;
  *kind = U_STARTUP;
  return startup_params(p + 8, n - 8, len - 8, user, user_len);
}

/* Message types each side sends. */
static int client_type(uint8_t t) { return t && strchr("QPBEDSXHpCFdcf", t) != NULL; }
static int server_type(uint8_t t) {
  return t && strchr("RSKZENTDC123nstIGHWAVvcd", t) != NULL;
}

/* Layout of a whole message body b[0..n) of type t from side. */
static int body_ok(int side, uint8_t t, const uint8_t *b, size_t n) {
  if (side == SIDE_CLIENT) {
    switch (t) {
    case 'Q':
      return n >= 1 && cstr(b, n) == n - 1;
    case 'P': {
      size_t a = cstr(b, n);
      if (a == n)
        return 0;
      size_t q = cstr(b + a + 1, n - a - 1);
      size_t at = a + 1 + q + 1;
      if (at > n || n - at < 2)
        return 0;
      return n - at - 2 == (size_t)l7_be16(b + at) * 4;
    }
    case 'E': {
      size_t a = cstr(b, n);
      return a < n && n - a - 1 == 4;
    }
    case 'D':
    case 'C':
      return n >= 2 && (b[0] == 'S' || b[0] == 'P') && cstr(b + 1, n - 1) == n - 2;
    case 'S':
    case 'H':
    case 'X':
    case 'c':
      return n == 0;
    case 'B': {
      size_t a = cstr(b, n);
      if (a == n)
        return 0;
      size_t s = cstr(b + a + 1, n - a - 1);
      return a + 1 + s + 1 + 6 <= n;
    }
    default:
      return n >= 1 || t == 'd';
    }
  }
  switch (t) {
  case 'R': {
    if (n < 4)
      return 0;
    uint32_t code = be32(b);
    if (code == 0 || code == 2 || code == 3 || code == 6 || code == 7 || code == 9)
      return n == 4;
    if (code == 5)
      return n == 8;
    if (code == 10)
      return n >= 6 && b[n - 1] == 0 && b[n - 2] == 0;
    return code == 8 || code == 11 || code == 12;
  }
  case 'S': {
    size_t a = cstr(b, n);
    return a > 0 && a < n && cstr(b + a + 1, n - a - 1) == n - a - 2;
  }
  case 'K':
    return n >= 8 && n <= 4 + 256;
  case 'Z':
    return n == 1 && (b[0] == 'I' || b[0] == 'T' || b[0] == 'E');
  case 'E':
  case 'N': {
    size_t i = 0;
    while (i < n && b[i] != 0) {
      if (b[i] < 'A' || b[i] > 'z')
        return 0;
      size_t f = cstr(b + i + 1, n - i - 1);
      if (f == n - i - 1)
        return 0;
      i += 1 + f + 1;
    }
    return i == n - 1;
  }
  case 'C':
    return n >= 2 && cstr(b, n) == n - 1;
  case '1':
  case '2':
  case '3':
  case 'n':
  case 's':
  case 'I':
  case 'c':
    return n == 0;
  case 'T':
  case 'D':
    return n >= 2;
  case 't':
    return n >= 2 && n == 2 + (size_t)l7_be16(b) * 4;
  case 'v':
    return n >= 8;
  default:
    return 1;
  }
}

struct walk {
  int whole;              /* messages read whole */
  const uint8_t *query;   /* the first Q or P's SQL text */
  size_t query_len;
  int query_whole;        /* ... up to its NUL */
  const uint8_t *version; /* server_version's value */
  size_t version_len;
};

static void note_message(int side, uint8_t t, const uint8_t *b, size_t n,
                         struct walk *w) {
  if (side == SIDE_CLIENT && !w->query && (t == 'Q' || t == 'P')) {
    size_t at = 0;
    if (t == 'P')
      at = cstr(b, n) + 1;
    if (at < n) {
      w->query = b + at;
      w->query_len = cstr(b + at, n - at);
      w->query_whole = w->query_len < n - at;
    }
  } else if (side == SIDE_SERVER && t == 'S' && n > 15 &&
             memcmp(b, "server_version", 15) == 0) {
    w->version = b + 15;
    w->version_len = cstr(b + 15, n - 15);
  }
}

/* Walk the typed messages of a segment as sent by side. P_OK: all well
 * formed (the last may be cut by the segment); P_CUT: not even one header. */
static int walk(int side, const uint8_t *p, size_t n, struct walk *w) {
  size_t i = 0;
  memset(w, 0, sizeof *w);
  for (int k = 0; k < PG_MAX_WALK && i < n; k++) {
    uint8_t t = p[i];
    if (side == SIDE_CLIENT ? !client_type(t) : !server_type(t))
      return P_BAD;
    if (n - i < 5)
      return k ? P_OK : P_CUT;
    uint32_t len = be32(p + i + 1);
    if (len < 4 || len > PG_MAX_MSG)
      return P_BAD;
    const uint8_t *b = p + i + 5;
    size_t blen = len - 4;
    if (blen && n - i == 5)
      return k ? P_OK : P_CUT; /* a header and nothing of its body */
    if (blen > n - i - 5) {
      /* Cut: what is here of a query is still its text. */
      note_message(side, t, b, n - i - 5, w);
      return P_OK;
    }
    if (!body_ok(side, t, b, blen))
      return P_BAD;
    note_message(side, t, b, blen, w);
    w->whole++;
    i += 5 + blen;
  }
  return P_OK;
}

static void set_role(const struct l7_pkt *pkt, uint8_t *st, int server) {
  if (*st & PG_ROLE)
    return;
  int srv_dir1 = server ? (pkt->dir & 1) : !(pkt->dir & 1);
  *st |= (uint8_t)(PG_ROLE | (srv_dir1 ? PG_SRV_DIR1 : 0));
}

static int from_server(const struct l7_pkt *pkt, uint8_t st) {
  return ((st & PG_SRV_DIR1) != 0) == ((pkt->dir & 1) != 0);
}

static int is_tls_record(const uint8_t *p, size_t n) {
  return n >= 3 && p[0] >= 20 && p[0] <= 23 && p[1] == 3 && p[2] <= 4;
}

static int verdict(uint8_t st, const struct l7_facts *facts) {
  if ((st & (PG_CLI | PG_SRV)) == (PG_CLI | PG_SRV) && facts->u.gen.verb[0] &&
      facts->u.gen.software[0])
    return L7_DONE;
  return L7_MATCH;
}

static uint8_t conf_of(uint8_t st, unsigned base, const struct l7_pkt *pkt) {
  if ((st & (PG_CLI | PG_SRV)) == (PG_CLI | PG_SRV))
    return 100;
  return l7_conf(base, usual_port(pkt));
}

static int on_untyped(const struct l7_pkt *pkt, uint8_t *st,
                      struct l7_facts *facts, enum untyped kind,
                      const uint8_t *user, size_t user_len,
                      uint8_t *confidence) {
  set_role(pkt, st, 0);
  *st |= PG_CLI;
  switch (kind) {
  case U_SSL:
    *st |= PG_SSLREQ;
    *confidence = l7_conf(85, usual_port(pkt));
    return L7_MATCH;
  case U_GSS:
    *st |= PG_GSSREQ;
    *confidence = l7_conf(85, usual_port(pkt));
    return L7_MATCH;
  case U_CANCEL:
    *confidence = l7_conf(85, usual_port(pkt));
    return L7_DONE;
  default:
    break;
  }
  *st &= (uint8_t)~(PG_SSLREQ | PG_GSSREQ);
  if (user && !facts->u.gen.user[0])
    l7_copy(facts->u.gen.user, sizeof facts->u.gen.user, user, user_len);
  *confidence = conf_of(*st, 90, pkt);
  return verdict(*st, facts);
}

static void take_facts(const struct walk *w, struct l7_facts *facts) {
  if (w->query && !facts->u.gen.verb[0])
    l7_sql_facts(w->query, w->query_len, w->query_whole, facts->u.gen.verb,
                 sizeof facts->u.gen.verb, facts->u.gen.object,
                 sizeof facts->u.gen.object);
  if (w->version && !facts->u.gen.software[0])
    l7_copy(facts->u.gen.software, sizeof facts->u.gen.software, w->version,
            w->version_len);
}

/* Typed messages: roles known, or guessed from what parses. */
static int on_typed(const struct l7_pkt *pkt, union l7_scratch *s,
                    struct l7_facts *facts, uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  int claimed = (*st & (PG_CLI | PG_SRV)) != 0;
  struct walk w;
  int side = -1, r = P_BAD;
  if (*st & PG_ROLE) {
    side = from_server(pkt, *st) ? SIDE_SERVER : SIDE_CLIENT;
    r = walk(side, pkt->data, pkt->len, &w);
  } else {
    r = walk(SIDE_CLIENT, pkt->data, pkt->len, &w);
    side = SIDE_CLIENT;
    if (r == P_BAD || (r == P_OK && !w.query)) {
      struct walk ws;
      int rs = walk(SIDE_SERVER, pkt->data, pkt->len, &ws);
      if (rs != P_BAD && (r == P_BAD || ws.whole > w.whole)) {
        r = rs;
        w = ws;
        side = SIDE_SERVER;
      }
    }
  }
  if (r == P_BAD) {
    if (!claimed)
      return L7_NO;
    l7_conf_floor(confidence, 70);
    return verdict(*st, facts);
  }
  if (r == P_CUT) {
    if (!claimed)
      return L7_MORE;
    l7_conf_floor(confidence, 70);
    return L7_MATCH;
  }
  if (side == SIDE_CLIENT) {
    int sql = w.query && l7_sql_looks_like(w.query, w.query_len);
    if (!claimed && !sql) {
      /* A query cut before its verb is whole: wait. */
      if (w.whole == 0 && w.query && !w.query_whole &&
          l7_sql_maybe_verb(w.query, w.query_len))
        return L7_MORE;
      /* Bind/Execute/Sync and the like: wait for more, once; a lone
       * message cut by the segment proves too little to wait for. */
      if (w.whole == 0 || (s->raw[1] & PG_FRAMED))
        return L7_NO;
      s->raw[1] |= PG_FRAMED;
      return L7_MORE;
    }
    set_role(pkt, st, 0);
    if (sql)
      *st |= PG_CLI;
    take_facts(&w, facts);
    *confidence = conf_of(*st, 80, pkt);
    return verdict(*st, facts);
  }
  /* The server: after the client proved itself, or two messages alone. */
  if (!claimed && w.whole < 2) {
    if (w.whole == 0 || (s->raw[1] & PG_FRAMED))
      return L7_NO;
    s->raw[1] |= PG_FRAMED;
    return L7_MORE;
  }
  set_role(pkt, st, 1);
  *st |= PG_SRV;
  take_facts(&w, facts);
  *confidence = conf_of(*st, 75, pkt);
  return verdict(*st, facts);
}

/* After SSLRequest or GSSENCRequest: TLS, GSS tokens, or a plain start. */
static int after_request(const struct l7_pkt *pkt, uint8_t *st,
                         uint8_t *confidence) {
  int srv = from_server(pkt, *st);
  if (*st & PG_SSLREQ) {
    if (is_tls_record(pkt->data, pkt->len)) {
      if (srv) {
        *confidence = 100;
        return L7_DONE;
      }
      *st |= PG_TLS;
      *confidence = 95;
      return L7_MATCH;
    }
    if (*st & PG_TLS) {
      l7_conf_floor(confidence, 95);
      return L7_DONE;
    }
  }
  /* GSS encryption (or something we cannot read): nothing more to learn. */
  l7_conf_floor(confidence, 85);
  return L7_DONE;
}

int l7_probe_postgresql(const struct l7_pkt *pkt, union l7_scratch *scratch,
                        struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *st = &scratch->raw[0];
  const uint8_t *p = pkt->data;
  int client_side = !(*st & PG_ROLE) || !from_server(pkt, *st);
  if (client_side && p[0] == 0) {
    enum untyped kind = U_NONE;
    const uint8_t *user = NULL;
    size_t user_len = 0;
    int r = untyped(p, pkt->len, &kind, &user, &user_len);
    if (r == P_OK || (r == P_CUT && kind == U_STARTUP && pkt->len >= 16))
      return on_untyped(pkt, st, facts, kind, user, user_len, confidence);
    if (r == P_CUT && !(*st & (PG_CLI | PG_SRV)))
      return L7_MORE;
  }
  if (*st & (PG_SSLREQ | PG_GSSREQ)) {
    /* The client's answer to the one-byte 'S'/'N'/'G' we never see. */
    return after_request(pkt, st, confidence);
  }
  return on_typed(pkt, scratch, facts, confidence);
}
