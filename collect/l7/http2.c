/* collect/l7/http2.c — HTTP/2 over cleartext TCP (RFC 9113), and gRPC, the
 * HTTP/2 whose requests carry "content-type: application/grpc..." (gRPC's
 * PROTOCOL-HTTP2 spec). Two registry entries share this file: the http2
 * probe and the grpc probe run the same examination, and the first HEADERS
 * block decides which of them may claim the flow; the other gives up.
 * (HTTP/2 over TLS is TLS with ALPN "h2" to habit; an h2c upgrade starts
 * as HTTP/1.1 and stays the HTTP/1 probe's.)
 *
 * The client proves itself with the connection preface (RFC 9113 §3.4),
 * the 24 bytes "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", possibly split across
 * segments, then frames; the server with its first frame, a SETTINGS
 * frame: stream 0, not an ACK, a length that is a multiple of 6 (§6.5).
 * When the preface was not seen (a capture that lost it), that SETTINGS
 * must be non-empty and every setting known (§6.5.2, RFC 8441, RFC 9218)
 * with a value in its range. Frames are walked with their 9-byte headers
 * (§4.1); a frame of a known type with an impossible length or stream
 * ends the examination. HEADERS (and their padding and priority fields,
 * §6.2) carry an HPACK block (RFC 7541) decoded here: indexed fields from
 * the static table (Appendix A), literals with or without indexing, table
 * size updates, strings plain or Huffman-coded (Appendix B, decoded as the
 * canonical code it is; padding of at most 7 one-bits, no EOS). The
 * dynamic table is not kept: the first block of a connection cannot refer
 * to it but for entries it adds itself, which are then unknown here.
 * The decision: the first request's (or, failing that, response's) block
 * names content-type "application/grpc*" → grpc; a complete block without
 * it → http2. If no block decides before a direction's 4th packet (the
 * dispatcher's budget), http2 claims.
 * Facts: verb = :method, object = :path, software = user-agent (or the
 * response's server header when the request said none).
 *
 * Confidence: the client's preface 90, the server's SETTINGS alone 80;
 * 100 with both.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: flags in scratch->raw[0] ... */
#define H2_PREFACE 0x01u /* the client's connection preface was seen */
#define H2_CLIENT1 0x02u /* the client is direction 1 ... */
#define H2_SIDES 0x04u   /* ... and H2_CLIENT1 is known */
#define H2_SERVER 0x08u  /* the server's first SETTINGS was seen */
#define H2_CLAIMED 0x10u /* we said MATCH: the flow is ours */
#define H2_REQ 0x20u     /* a request's HEADERS were decoded */
#define H2_RESP 0x40u    /* a response's HEADERS were decoded */
/* ... raw[1]: bytes of the preface seen so far when it is split; raw[2]:
 * packets examined, direction 0 in the low nibble, 1 in the high one;
 * raw[3]: the decision. */
enum { DECIDE_NONE = 0, DECIDE_HTTP2 = 1, DECIDE_GRPC = 2 };

enum { EX_NO, EX_MORE, EX_OK };
enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define PREFACE_LEN (sizeof preface - 1)

#define FRAME_HDR 9
enum { F_DATA, F_HEADERS, F_PRIORITY, F_RST_STREAM, F_SETTINGS,
       F_PUSH_PROMISE, F_PING, F_GOAWAY, F_WINDOW_UPDATE, F_CONTINUATION };
#define FL_ACK 0x01u
#define FL_END_HEADERS 0x04u
#define FL_PADDED 0x08u
#define FL_PRIORITY 0x20u

/* ---- HPACK (RFC 7541) -------------------------------------------------- */

/* Appendix B as a canonical code: how many codes each length has, and the
 * symbols ordered by length, then by value. Codes of one length are
 * consecutive and come after all shorter ones; 256 is EOS. */
static const uint8_t huff_count[31] = {
    [5] = 10, [6] = 26, [7] = 32, [8] = 6,   [10] = 5,  [11] = 3,  [12] = 2,
    [13] = 6, [14] = 2, [15] = 3, [19] = 3,  [20] = 8,  [21] = 13, [22] = 26,
    [23] = 29, [24] = 12, [25] = 4, [26] = 15, [27] = 19, [28] = 29, [30] = 4};

static const uint16_t huff_syms[257] = {
    /* 5 */ '0', '1', '2', 'a', 'c', 'e', 'i', 'o', 's', 't',
    /* 6 */ ' ', '%', '-', '.', '/', '3', '4', '5', '6', '7', '8', '9', '=',
             'A', '_', 'b', 'd', 'f', 'g', 'h', 'l', 'm', 'n', 'p', 'r', 'u',
    /* 7 */ ':', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M',
             'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'Y', 'j', 'k',
             'q', 'v', 'w', 'x', 'y', 'z',
    /* 8 */ '&', '*', ',', ';', 'X', 'Z',
    /* 10 */ '!', '"', '(', ')', '?',
    /* 11 */ '\'', '+', '|',
    /* 12 */ '#', '>',
    /* 13 */ 0, '$', '@', '[', ']', '~',
    /* 14 */ '^', '}',
    /* 15 */ '<', '`', '{',
    /* 19 */ '\\', 195, 208,
    /* 20 */ 128, 130, 131, 162, 184, 194, 224, 226,
    /* 21 */ 153, 161, 167, 172, 176, 177, 179, 209, 216, 217, 227, 229, 230,
    /* 22 */ 129, 132, 133, 134, 136, 146, 154, 156, 160, 163, 164, 169, 170,
             173, 178, 181, 185, 186, 187, 189, 190, 196, 198, 228, 232, 233,
    /* 23 */ 1, 135, 137, 138, 139, 140, 141, 143, 147, 149, 150, 151, 152,
             155, 157, 158, 165, 166, 168, 174, 175, 180, 182, 183, 188, 191,
             197, 231, 239,
    /* 24 */ 9, 142, 144, 145, 148, 159, 171, 206, 215, 225, 236, 237,
    /* 25 */ 199, 207, 234, 235,
    /* 26 */ 192, 193, 200, 201, 202, 205, 210, 213, 218, 219, 238, 240, 242,
             243, 255,
    /* 27 */ 203, 204, 211, 212, 214, 221, 222, 223, 241, 244, 245, 246, 247,
             248, 250, 251, 252, 253, 254,
    /* 28 */ 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 23,
             24, 25, 26, 27, 28, 29, 30, 31, 127, 220, 249,
    /* 30 */ 10, 13, 22, 256};

#define HUFF_EOS 256
#define HUFF_MAX_LEN 30

/* A decoded string: the first cap-1 bytes are kept, all are counted. */
struct hstr {
  char *buf;
  size_t cap, len;
};

static void hstr_put(struct hstr *s, uint8_t c) {
  if (s->len + 1 < s->cap)
    s->buf[s->len] = (char)c;
  s->len++;
}

static size_t hstr_kept(const struct hstr *s) {
  return s->len < s->cap ? s->len : s->cap - 1;
}

/* Decode n Huffman-coded bytes. The canonical walk: per bit, the code so
 * far is compared with the first code of its length. */
static int huff_decode(const uint8_t *p, size_t n, struct hstr *out) {
  unsigned code = 0, first = 0, index = 0, len = 0;
  int ones = 1; /* the bits of the open symbol are all 1 (EOS padding) */
  for (size_t i = 0; i < n; i++) {
    for (int b = 7; b >= 0; b--) {
      unsigned bit = (p[i] >> b) & 1u;
      code |= bit;
      ones &= (int)bit;
      len++;
      unsigned count = huff_count[len];
      if (code - first < count) {
        unsigned sym = huff_syms[index + code - first];
        if (sym == HUFF_EOS)
          return P_BAD; /* RFC 7541 §5.2: EOS in a string is an error */
        hstr_put(out, (uint8_t)sym);
        code = first = index = len = 0;
        ones = 1;
        continue;
      }
      if (len == HUFF_MAX_LEN)
        return P_BAD;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
  }
  /* Padding: fewer than 8 bits, all ones (the EOS code's start). */
  return len < 8 && ones ? P_OK : P_BAD;
}

/* Appendix A: the static table, index 1..61. */
static const struct {
  const char *name, *value;
} static_table[62] = {
    {NULL, NULL},
    {":authority", ""}, {":method", "GET"}, {":method", "POST"},
    {":path", "/"}, {":path", "/index.html"}, {":scheme", "http"},
    {":scheme", "https"}, {":status", "200"}, {":status", "204"},
    {":status", "206"}, {":status", "304"}, {":status", "400"},
    {":status", "404"}, {":status", "500"}, {"accept-charset", ""},
    {"accept-encoding", "gzip, deflate"}, {"accept-language", ""},
    {"accept-ranges", ""}, {"accept", ""},
    {"access-control-allow-origin", ""}, {"age", ""}, {"allow", ""},
    {"authorization", ""}, {"cache-control", ""},
    {"content-disposition", ""}, {"content-encoding", ""},
    {"content-language", ""}, {"content-length", ""},
    {"content-location", ""}, {"content-range", ""}, {"content-type", ""},
    {"cookie", ""}, {"date", ""}, {"etag", ""}, {"expect", ""},
    {"expires", ""}, {"from", ""}, {"host", ""}, {"if-match", ""},
    {"if-modified-since", ""}, {"if-none-match", ""}, {"if-range", ""},
    {"if-unmodified-since", ""}, {"last-modified", ""}, {"link", ""},
    {"location", ""}, {"max-forwards", ""}, {"proxy-authenticate", ""},
    {"proxy-authorization", ""}, {"range", ""}, {"referer", ""},
    {"refresh", ""}, {"retry-after", ""}, {"server", ""},
    {"set-cookie", ""}, {"strict-transport-security", ""},
    {"transfer-encoding", ""}, {"user-agent", ""}, {"vary", ""},
    {"via", ""}, {"www-authenticate", ""}};

#define STATIC_COUNT 61

struct hreader {
  const uint8_t *p;
  size_t n, i;
};

/* An integer with an N-bit prefix (§5.1), at most 2^28. */
static int hp_int(struct hreader *r, unsigned bits, uint32_t *v) {
  if (r->i >= r->n)
    return P_CUT;
  uint32_t max = (1u << bits) - 1u, x = r->p[r->i++] & max;
  if (x == max) {
    unsigned shift = 0;
    uint8_t b;
    do {
      if (r->i >= r->n)
        return P_CUT;
      if (shift > 21)
        return P_BAD;
      b = r->p[r->i++];
      x += (uint32_t)(b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
  }
  *v = x;
  return P_OK;
}

/* A string literal (§5.2) into out. */
static int hp_str(struct hreader *r, struct hstr *out) {
  if (r->i >= r->n)
    return P_CUT;
  int huff = (r->p[r->i] & 0x80) != 0;
  uint32_t len = 0;
  int rc = hp_int(r, 7, &len);
  if (rc != P_OK)
    return rc;
  if (len > r->n - r->i)
    return P_CUT;
  const uint8_t *s = r->p + r->i;
  r->i += len;
  out->len = 0;
  if (huff)
    return huff_decode(s, len, out);
  for (uint32_t k = 0; k < len; k++)
    hstr_put(out, s[k]);
  return P_OK;
}

/* What a header block told. */
struct hblock {
  int ctype; /* content-type was there ... */
  int grpc;  /* ... and it is application/grpc* */
};

static int name_is(const char *name, size_t len, const char *want) {
  return strlen(want) == len && memcmp(name, want, len) == 0;
}

static void on_field(const char *name, size_t nl, const char *value,
                     size_t vl, int request, struct l7_facts *facts,
                     struct hblock *hb) {
  const uint8_t *v = (const uint8_t *)value;
  if (name_is(name, nl, "content-type")) {
    static const char grpc[] = "application/grpc";
    hb->ctype = 1;
    hb->grpc = vl >= sizeof grpc - 1 && memcmp(value, grpc, sizeof grpc - 1) == 0;
  } else if (request && name_is(name, nl, ":method") && !facts->u.gen.verb[0]) {
    l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, v, vl);
  } else if (request && name_is(name, nl, ":path") && !facts->u.gen.object[0]) {
    l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, v, vl);
  } else if (request && name_is(name, nl, "user-agent")) {
    l7_copy(facts->u.gen.software, sizeof facts->u.gen.software, v, vl);
  } else if (!request && name_is(name, nl, "server") &&
             !facts->u.gen.software[0]) {
    l7_copy(facts->u.gen.software, sizeof facts->u.gen.software, v, vl);
  }
}

#define HNAME_CAP 32
#define HVALUE_CAP 256

/* One field representation (§6). */
static int hp_field(struct hreader *r, int request, struct l7_facts *facts,
                    struct hblock *hb) {
  uint8_t b = r->p[r->i];
  uint32_t idx = 0;
  char nbuf[HNAME_CAP], vbuf[HVALUE_CAP];
  struct hstr name = {nbuf, sizeof nbuf, 0}, value = {vbuf, sizeof vbuf, 0};
  int rc;
  if (b & 0x80) { /* indexed (§6.1) */
    if ((rc = hp_int(r, 7, &idx)) != P_OK)
      return rc;
    if (idx == 0)
      return P_BAD;
    if (idx <= STATIC_COUNT) {
      const char *n = static_table[idx].name, *v = static_table[idx].value;
      on_field(n, strlen(n), v, strlen(v), request, facts, hb);
    }
    return P_OK; /* a dynamic entry: unknown here */
  }
  if ((b & 0xe0) == 0x20) /* dynamic table size update (§6.3) */
    return hp_int(r, 5, &idx);
  /* Literal with incremental indexing (§6.2.1, 6-bit index), without
   * indexing or never indexed (§6.2.2, §6.2.3, 4-bit index). */
  if ((rc = hp_int(r, (b & 0x40) ? 6 : 4, &idx)) != P_OK)
    return rc;
  const char *known = NULL;
  if (idx == 0) {
    if ((rc = hp_str(r, &name)) != P_OK)
      return rc;
  } else if (idx <= STATIC_COUNT) {
    known = static_table[idx].name;
  }
  if ((rc = hp_str(r, &value)) != P_OK)
    return rc;
  if (known)
    on_field(known, strlen(known), vbuf, hstr_kept(&value), request, facts, hb);
  else if (idx == 0 && name.len < name.cap)
    on_field(nbuf, name.len, vbuf, hstr_kept(&value), request, facts, hb);
  return P_OK;
}

/* A header block fragment; P_CUT when it ends inside a field. */
static int hp_block(const uint8_t *p, size_t n, int request,
                    struct l7_facts *facts, struct hblock *hb) {
  struct hreader r = {p, n, 0};
  while (r.i < n) {
    int rc = hp_field(&r, request, facts, hb);
    if (rc != P_OK)
      return rc;
  }
  return P_OK;
}

/* ---- frames ------------------------------------------------------------ */

struct frame {
  uint32_t len;
  uint8_t type, flags;
  uint32_t stream;
};

static void frame_head(const uint8_t *p, struct frame *f) {
  f->len = l7_be24(p);
  f->type = p[3];
  f->flags = p[4];
  f->stream = ((uint32_t)p[5] << 24 | l7_be24(p + 6)) & 0x7fffffffu;
}

/* Lengths and streams §6 requires of the known frame types. */
static int frame_ok(const struct frame *f) {
  switch (f->type) {
  case F_DATA:
  case F_HEADERS:
  case F_CONTINUATION:
    return f->stream != 0;
  case F_PRIORITY:
    return f->stream != 0 && f->len == 5;
  case F_RST_STREAM:
    return f->stream != 0 && f->len == 4;
  case F_SETTINGS:
    return f->stream == 0 && ((f->flags & FL_ACK) ? f->len == 0 : f->len % 6 == 0);
  case F_PUSH_PROMISE:
    return f->stream != 0 && f->len >= 4;
  case F_PING:
    return f->stream == 0 && f->len == 8;
  case F_GOAWAY:
    return f->stream == 0 && f->len >= 8;
  case F_WINDOW_UPDATE:
    return f->len == 4;
  default:
    return 1; /* unknown types are ignored (§5.5) */
  }
}

/* The settings of a server's first SETTINGS, when the client's preface was
 * not seen: known identifiers with values in range (§6.5.2; 8 from RFC
 * 8441, 9 from RFC 9218). */
static int settings_known(const uint8_t *p, size_t n) {
  if (n == 0)
    return 0;
  for (size_t i = 0; i + 6 <= n; i += 6) {
    unsigned id = l7_be16(p + i);
    uint32_t v = (uint32_t)p[i + 2] << 24 | l7_be24(p + i + 3);
    switch (id) {
    case 1: /* HEADER_TABLE_SIZE */
    case 3: /* MAX_CONCURRENT_STREAMS */
    case 6: /* MAX_HEADER_LIST_SIZE */
      break;
    case 2: /* ENABLE_PUSH */
    case 8: /* ENABLE_CONNECT_PROTOCOL */
    case 9: /* NO_RFC7540_PRIORITIES */
      if (v > 1)
        return 0;
      break;
    case 4: /* INITIAL_WINDOW_SIZE */
      if (v > 0x7fffffffu)
        return 0;
      break;
    case 5: /* MAX_FRAME_SIZE */
      if (v < 16384 || v > 16777215)
        return 0;
      break;
    default:
      return 0;
    }
  }
  return 1;
}

/* A HEADERS frame's block: p[0..n) is what was captured of its payload. */
static int on_headers(const struct frame *f, const uint8_t *p, size_t n,
                      int request, uint8_t *s, struct l7_facts *facts) {
  size_t skip = 0, pad = 0;
  if (f->flags & FL_PADDED) {
    if (n < 1)
      return P_CUT;
    pad = p[0];
    skip = 1;
  }
  if (f->flags & FL_PRIORITY)
    skip += 5;
  if (skip + pad > f->len)
    return P_BAD;
  size_t end = f->len - pad; /* the fragment's end in the payload */
  int whole = n >= end;
  if (!whole)
    end = n;
  if (skip > end)
    return P_CUT;
  uint8_t bit = request ? H2_REQ : H2_RESP;
  if (s[0] & bit)
    return P_OK; /* a later stream: the facts are the first one's */
  struct hblock hb = {0, 0};
  int rc = hp_block(p + skip, end - skip, request, facts, &hb);
  if (rc == P_BAD)
    return P_BAD;
  int complete = rc == P_OK && whole && (f->flags & FL_END_HEADERS);
  if (!hb.ctype && !complete)
    return P_OK; /* cut before it told anything: the next block may */
  s[0] |= bit;
  if (s[3] == DECIDE_NONE)
    s[3] = hb.grpc ? DECIDE_GRPC : DECIDE_HTTP2;
  return P_OK;
}

/* Walk the frames of p[0..n) from off. first_settings: the first frame
 * must be a SETTINGS (the server's first, or the client's after the
 * preface); strict: and its settings must all be known. */
static int walk_frames(const uint8_t *p, size_t n, size_t off, int request,
                       int first_settings, int strict, uint8_t *s,
                       struct l7_facts *facts) {
  int first = 1;
  while (n - off >= FRAME_HDR) {
    struct frame f;
    frame_head(p + off, &f);
    if (!frame_ok(&f))
      return P_BAD;
    const uint8_t *body = p + off + FRAME_HDR;
    size_t avail = n - off - FRAME_HDR;
    if (first && first_settings) {
      if (f.type != F_SETTINGS || (f.flags & FL_ACK))
        return P_BAD;
      if (strict && (f.len > avail || !settings_known(body, f.len)))
        return P_BAD;
    }
    first = 0;
    if (f.type == F_HEADERS &&
        on_headers(&f, body, avail < f.len ? avail : f.len, request, s,
                   facts) == P_BAD)
      return P_BAD;
    if (f.len > avail)
      return P_OK; /* the frame goes on in the next segment */
    off += FRAME_HDR + f.len;
  }
  /* A few bytes of a frame header: fine unless the first must be here. */
  return first && first_settings ? P_CUT : P_OK;
}

/* ---- the probe --------------------------------------------------------- */

static int client_dir(const uint8_t *s, const struct l7_pkt *pkt) {
  return ((s[0] & H2_CLIENT1) != 0) == ((pkt->dir & 1) != 0);
}

static void count_packet(uint8_t *s, const struct l7_pkt *pkt) {
  unsigned shift = (pkt->dir & 1) ? 4 : 0, c = (s[2] >> shift) & 15u;
  if (c < 15)
    s[2] = (uint8_t)((s[2] & ~(15u << shift)) | (c + 1) << shift);
}

static unsigned packets_in_dir(const uint8_t *s, const struct l7_pkt *pkt) {
  return (s[2] >> ((pkt->dir & 1) ? 4 : 0)) & 15u;
}

/* The preface, or the rest of one that began in an earlier segment.
 * Returns the bytes of it in this packet, 0 when this is no preface, or
 * (size_t)-1 when a split preface went wrong. */
static size_t match_preface(const struct l7_pkt *pkt, uint8_t *s) {
  size_t have = s[1], want = PREFACE_LEN - have;
  size_t k = pkt->len < want ? pkt->len : want;
  if (memcmp(pkt->data, preface + have, k) != 0)
    return have ? (size_t)-1 : 0;
  if (have + k < PREFACE_LEN) {
    s[1] = (uint8_t)(have + k);
    return k;
  }
  s[1] = 0;
  s[0] |= H2_PREFACE;
  return k;
}

static void set_client(uint8_t *s, const struct l7_pkt *pkt, int is_client) {
  if (s[0] & H2_SIDES)
    return;
  int c1 = is_client ? (pkt->dir & 1) : !(pkt->dir & 1);
  s[0] |= (uint8_t)(H2_SIDES | (c1 ? H2_CLIENT1 : 0));
}

/* Update the state with one packet. */
static int examine(const struct l7_pkt *pkt, uint8_t *s,
                   struct l7_facts *facts) {
  const uint8_t *p = pkt->data;
  size_t n = pkt->len;
  int known = (s[0] & H2_SIDES) != 0;
  if (!(s[0] & H2_PREFACE) && (!known || client_dir(s, pkt))) {
    size_t k = match_preface(pkt, s);
    if (k == (size_t)-1)
      return EX_NO;
    if (k) {
      set_client(s, pkt, 1);
      if (!(s[0] & H2_PREFACE))
        return EX_MORE;
      return walk_frames(p, n, k, 1, 1, 0, s, facts) == P_BAD ? EX_NO : EX_OK;
    }
    if (known)
      return EX_NO; /* the client side, and no preface */
  }
  if ((s[0] & H2_SIDES) && client_dir(s, pkt))
    return walk_frames(p, n, 0, 1, 0, 0, s, facts) == P_BAD ? EX_NO : EX_OK;
  /* The server side. */
  int first = !(s[0] & H2_SERVER);
  int strict = first && !(s[0] & H2_PREFACE);
  int r = walk_frames(p, n, 0, 0, first, strict, s, facts);
  if (r == P_BAD)
    return EX_NO;
  if (r == P_CUT)
    return EX_MORE;
  if (first) {
    s[0] |= H2_SERVER;
    set_client(s, pkt, 0);
  }
  return EX_OK;
}

static int probe(const struct l7_pkt *pkt, uint8_t *s, struct l7_facts *facts,
                 uint8_t *confidence, int want) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  count_packet(s, pkt);
  int ex = examine(pkt, s, facts);
  if (!(s[0] & H2_CLAIMED)) {
    if (ex == EX_NO)
      return L7_NO;
    if (!(s[0] & (H2_PREFACE | H2_SERVER)))
      return L7_MORE;
    /* The budget of packets is ending without a deciding block. */
    if (s[3] == DECIDE_NONE && packets_in_dir(s, pkt) >= L7_MAX_PKTS_PER_DIR)
      s[3] = DECIDE_HTTP2;
    if (s[3] == DECIDE_NONE)
      return L7_MORE;
    if (s[3] != want)
      return L7_NO;
  }
  s[0] |= H2_CLAIMED;
  if ((s[0] & H2_PREFACE) && (s[0] & H2_SERVER)) {
    *confidence = 100;
    return (s[0] & H2_REQ) && (s[0] & H2_RESP) ? L7_DONE : L7_MATCH;
  }
  l7_conf_floor(confidence, (s[0] & H2_PREFACE) ? 90 : 80);
  return L7_MATCH;
}

int l7_probe_http2(const struct l7_pkt *pkt, union l7_scratch *scratch,
                   struct l7_facts *facts, uint8_t *confidence) {
  return probe(pkt, scratch->raw, facts, confidence, DECIDE_HTTP2);
}

int l7_probe_grpc(const struct l7_pkt *pkt, union l7_scratch *scratch,
                  struct l7_facts *facts, uint8_t *confidence) {
  return probe(pkt, scratch->raw, facts, confidence, DECIDE_GRPC);
}
