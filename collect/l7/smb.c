/* collect/l7/smb.c — SMB over TCP (NetBIOS session service, RFC 1002 §4.3,
 * or "direct TCP", MS-SMB2 §2.1) and SMB1 in NetBIOS datagrams over UDP
 * (RFC 1002 §4.4: the browser's mailslots).
 *
 * TCP: a 4-byte header — type 0x00 and a 24-bit length (NetBIOS's 17-bit
 * length is the same bytes) — then one SMB message whose protocol id says
 * its family: "\xffSMB" SMB1 (MS-CIFS §2.2.3.1: a 32-byte header, then a
 * word count and words and a byte count that must fit the message),
 * "\xfeSMB" SMB2/3 (MS-SMB2 §2.2.1: StructureSize 64, a command 0..18 and
 * the body's StructureSize that command has, or 9 for an error response),
 * "\xfdSMB" an encrypted SMB3 message (transform header §2.2.41, flags 1)
 * and "\xfcSMB" a compressed one (§2.2.42). A NetBIOS session request
 * (type 0x81 with two encoded names), its answers (0x82, 0x83) and
 * keep-alives (0x85) come before or between messages: they keep the probe
 * waiting, they do not claim. UDP: a datagram header (types 0x10..0x12, a
 * first and only fragment, a length that matches) and two encoded names,
 * then an SMB1 message.
 * Facts: verb = family and command of the first message ("SMB2 NEGOTIATE",
 * "SMB1 TRANSACTION", "SMB3 ENCRYPTED"), software = the dialect an SMB2
 * NEGOTIATE response chose ("SMB 3.1.1"), object = the share of the first
 * TREE_CONNECT ("\\server\share", UTF-16 shown in ASCII, other characters
 * as '?').
 *
 * Confidence: one well-formed message 85, an encrypted or compressed one
 * (no request/response flag to see) 80, +5 on ports 139/445 (138 for
 * datagrams); 100 once a request and a response came in opposite
 * directions.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: flags in scratch->raw[0] ... */
#define SMB_REQ 0x01u      /* a request was seen ... */
#define SMB_REQ_DIR1 0x02u /* ... in direction 1 */
#define SMB_RESP 0x04u     /* a response was seen ... */
#define SMB_RESP_DIR1 0x08u
#define SMB_CLAIMED 0x10u  /* we said MATCH: the flow is ours */
#define SMB_NBSS 0x20u     /* a NetBIOS session request was seen */
/* ... and in scratch->raw[1], which facts are in. */
#define SMB_F_VERB 0x01u
#define SMB_F_DIALECT 0x02u
#define SMB_F_OBJECT 0x04u

#define SMB1_HDR 32
#define SMB2_HDR 64
#define SMB_TRANSFORM_HDR 52
#define SMB_NAME_WIRE 34 /* 0x20, 32 letters, the root label */

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };
enum { FAM_SMB1 = 1, FAM_SMB2, FAM_SMB3_ENC, FAM_SMB3_COMP };

static uint16_t le16(const uint8_t *p) {
  return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

/* An SMB message m[0..cap) of declared length len. */
struct smb_msg {
  int family;
  unsigned command;
  int response; /* -1: cannot tell */
  const char *name;
};

static const char *smb1_name(unsigned c) {
  switch (c) {
  case 0x04: return "CLOSE";
  case 0x06: return "DELETE";
  case 0x08: return "QUERY_INFORMATION";
  case 0x10: return "CHECK_DIRECTORY";
  case 0x24: return "LOCKING_ANDX";
  case 0x25: return "TRANSACTION";
  case 0x2b: return "ECHO";
  case 0x2e: return "READ_ANDX";
  case 0x2f: return "WRITE_ANDX";
  case 0x32: return "TRANSACTION2";
  case 0x71: return "TREE_DISCONNECT";
  case 0x72: return "NEGOTIATE";
  case 0x73: return "SESSION_SETUP_ANDX";
  case 0x74: return "LOGOFF_ANDX";
  case 0x75: return "TREE_CONNECT_ANDX";
  case 0xa0: return "NT_TRANSACT";
  case 0xa2: return "NT_CREATE_ANDX";
  case 0xa4: return "NT_CANCEL";
  default: return "COMMAND";
  }
}

/* SMB2 commands with the body StructureSize of request and response
 * (MS-SMB2 §2.2.3 .. §2.2.24); OPLOCK_BREAK also has 36/44 for leases. */
static const struct {
  const char *name;
  uint16_t req, resp;
} smb2_cmds[] = {
    {"NEGOTIATE", 36, 65},    {"SESSION_SETUP", 25, 9}, {"LOGOFF", 4, 4},
    {"TREE_CONNECT", 9, 16},  {"TREE_DISCONNECT", 4, 4}, {"CREATE", 57, 89},
    {"CLOSE", 24, 60},        {"FLUSH", 24, 4},         {"READ", 49, 17},
    {"WRITE", 49, 17},        {"LOCK", 48, 4},          {"IOCTL", 57, 49},
    {"CANCEL", 4, 0},         {"ECHO", 4, 4},           {"QUERY_DIRECTORY", 33, 9},
    {"CHANGE_NOTIFY", 32, 9}, {"QUERY_INFO", 41, 9},    {"SET_INFO", 33, 2},
    {"OPLOCK_BREAK", 24, 24}};

static int smb1_header(const uint8_t *m, size_t cap, size_t len,
                       struct smb_msg *out) {
  if (len < SMB1_HDR + 3)
    return P_BAD; /* header, word count, byte count */
  if (cap < SMB1_HDR + 1)
    return P_CUT;
  unsigned wc = m[SMB1_HDR];
  if (SMB1_HDR + 1 + 2 * wc + 2 > len)
    return P_BAD;
  out->family = FAM_SMB1;
  out->command = m[4];
  out->response = (m[9] & 0x80) != 0;
  out->name = smb1_name(m[4]);
  return P_OK;
}

static int smb2_header(const uint8_t *m, size_t cap, size_t len,
                       struct smb_msg *out) {
  if (len < SMB2_HDR + 2)
    return P_BAD;
  if (cap < SMB2_HDR + 2)
    return cap < 16 ? P_CUT : (le16(m + 4) == SMB2_HDR ? P_CUT : P_BAD);
  unsigned cmd = le16(m + 12);
  if (le16(m + 4) != SMB2_HDR || cmd >= sizeof smb2_cmds / sizeof smb2_cmds[0])
    return P_BAD;
  int resp = (m[16] & 0x01) != 0; /* SMB2_FLAGS_SERVER_TO_REDIR */
  unsigned size = le16(m + SMB2_HDR);
  unsigned want = resp ? smb2_cmds[cmd].resp : smb2_cmds[cmd].req;
  int lease = cmd == 18 && (size == (resp ? 44u : 36u));
  if (size != want && !(resp && size == 9) && !lease)
    return P_BAD; /* 9: the error response (§2.2.2) */
  out->family = FAM_SMB2;
  out->command = cmd;
  out->response = resp;
  out->name = smb2_cmds[cmd].name;
  return P_OK;
}

static int transform_header(const uint8_t *m, size_t cap, size_t len,
                            struct smb_msg *out) {
  if (m[0] == 0xfd) {
    if (len < SMB_TRANSFORM_HDR + 1)
      return P_BAD;
    if (cap < 44)
      return P_CUT;
    if (le16(m + 42) != 1)
      return P_BAD; /* Flags/EncryptionAlgorithm: encrypted */
    out->family = FAM_SMB3_ENC;
    out->name = "ENCRYPTED";
  } else {
    if (len < 16)
      return P_BAD;
    if (cap < 12)
      return P_CUT;
    if (le16(m + 8) > 4 || le16(m + 10) > 1)
      return P_BAD; /* CompressionAlgorithm, Flags */
    out->family = FAM_SMB3_COMP;
    out->name = "COMPRESSED";
  }
  out->response = -1;
  return P_OK;
}

/* One SMB message m[0..cap), declared len bytes long. */
static int smb_message(const uint8_t *m, size_t cap, size_t len,
                       struct smb_msg *out) {
  static const uint8_t magic[3] = {'S', 'M', 'B'};
  if (len < 4)
    return P_BAD;
  size_t k = cap < 4 ? cap : 4;
  if (k == 0)
    return P_CUT;
  if (m[0] != 0xff && m[0] != 0xfe && m[0] != 0xfd && m[0] != 0xfc)
    return P_BAD;
  if (memcmp(m + 1, magic, k - 1) != 0)
    return P_BAD;
  if (k < 4)
    return P_CUT;
  if (m[0] == 0xff)
    return smb1_header(m, cap, len, out);
  if (m[0] == 0xfe)
    return smb2_header(m, cap, len, out);
  return transform_header(m, cap, len, out);
}

/* An encoded NetBIOS name (RFC 1001 §14.1): 0x20, 32 letters 'A'..'P',
 * then scope labels to a root label. *end gets the offset past it. */
static int nb_name(const uint8_t *p, size_t n, size_t off, size_t *end) {
  if (off >= n)
    return P_CUT;
  if (p[off] != 0x20)
    return P_BAD;
  size_t i = off + 1;
  for (; i < off + 33; i++) {
    if (i >= n)
      return P_CUT;
    if (p[i] < 'A' || p[i] > 'P')
      return P_BAD;
  }
  while (i - off < 255) {
    if (i >= n)
      return P_CUT;
    uint8_t l = p[i++];
    if (l == 0) {
      *end = i;
      return P_OK;
    }
    if (l > 63)
      return P_BAD;
    i += l;
  }
  return P_BAD;
}

static int usual_port(const struct l7_pkt *pkt) {
  return pkt->srv_port == 445 || pkt->srv_port == 139 || pkt->srv_port == 138;
}

static const char *dialect_name(unsigned d) {
  switch (d) {
  case 0x0202: return "SMB 2.0.2";
  case 0x0210: return "SMB 2.1";
  case 0x0300: return "SMB 3.0";
  case 0x0302: return "SMB 3.0.2";
  case 0x0311: return "SMB 3.1.1";
  case 0x02ff: return "SMB 2.???";
  default: return NULL;
  }
}

/* UTF-16LE text as ASCII, other characters as '?'. */
static void copy_utf16(char *dst, size_t cap, const uint8_t *p, size_t n) {
  size_t o = 0;
  for (size_t i = 0; i + 1 < n && o + 1 < cap; i += 2) {
    unsigned c = le16(p + i);
    if (c == 0)
      break;
    dst[o++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
  }
  dst[o] = '\0';
}

/* SMB1 TREE_CONNECT_ANDX request (MS-CIFS §2.2.4.55.1): words, then the
 * password, then the path (Unicode when flags2 says so, 2-aligned). */
static void smb1_tree_path(const uint8_t *m, size_t cap, size_t len,
                           struct l7_facts *facts) {
  size_t end = cap < len ? cap : len;
  if (end < SMB1_HDR + 1 + 8 + 2 || m[SMB1_HDR] != 4)
    return;
  size_t pw = le16(m + SMB1_HDR + 1 + 6);
  size_t i = SMB1_HDR + 1 + 8 + 2 + pw;
  if (i >= end)
    return;
  if (le16(m + 10) & 0x8000) {
    i += i & 1;
    if (i < end)
      copy_utf16(facts->u.gen.object, sizeof facts->u.gen.object, m + i, end - i);
  } else {
    const uint8_t *nul = memchr(m + i, 0, end - i);
    size_t k = nul ? (size_t)(nul - (m + i)) : end - i;
    l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, m + i, k);
  }
}

/* SMB2 TREE_CONNECT request: PathOffset and PathLength from the header. */
static void smb2_tree_path(const uint8_t *m, size_t cap, size_t len,
                           struct l7_facts *facts) {
  size_t end = cap < len ? cap : len;
  if (end < SMB2_HDR + 8)
    return;
  size_t off = le16(m + SMB2_HDR + 4), n = le16(m + SMB2_HDR + 6);
  if (off < SMB2_HDR + 8 || off >= end)
    return;
  if (n > end - off)
    n = end - off;
  copy_utf16(facts->u.gen.object, sizeof facts->u.gen.object, m + off, n);
}

static void message_facts(const uint8_t *m, size_t cap, size_t len,
                          const struct smb_msg *msg, uint8_t *s,
                          struct l7_facts *facts) {
  if (!(s[1] & SMB_F_VERB)) {
    s[1] |= SMB_F_VERB;
    const char *fam = msg->family == FAM_SMB1   ? "SMB1 "
                      : msg->family == FAM_SMB2 ? "SMB2 "
                                                : "SMB3 ";
    size_t fl = strlen(fam), nl = strlen(msg->name);
    char verb[sizeof facts->u.gen.verb];
    memcpy(verb, fam, fl);
    if (nl > sizeof verb - 1 - fl)
      nl = sizeof verb - 1 - fl;
    memcpy(verb + fl, msg->name, nl);
    verb[fl + nl] = '\0';
    memcpy(facts->u.gen.verb, verb, fl + nl + 1);
  }
  if (msg->family == FAM_SMB2 && msg->command == 0 && msg->response == 1 &&
      !(s[1] & SMB_F_DIALECT) && cap >= SMB2_HDR + 6) {
    const char *d = dialect_name(le16(m + SMB2_HDR + 4));
    if (d) {
      s[1] |= SMB_F_DIALECT;
      l7_copy(facts->u.gen.software, sizeof facts->u.gen.software,
              (const uint8_t *)d, strlen(d));
    }
  }
  if (msg->response == 0 && !(s[1] & SMB_F_OBJECT) &&
      ((msg->family == FAM_SMB2 && msg->command == 3) ||
       (msg->family == FAM_SMB1 && msg->command == 0x75))) {
    s[1] |= SMB_F_OBJECT;
    if (msg->family == FAM_SMB2)
      smb2_tree_path(m, cap, len, facts);
    else
      smb1_tree_path(m, cap, len, facts);
  }
}

static int on_message(const struct l7_pkt *pkt, uint8_t *s,
                      const uint8_t *m, size_t cap, size_t len,
                      const struct smb_msg *msg, struct l7_facts *facts,
                      uint8_t *confidence) {
  int dir1 = pkt->dir & 1;
  if (msg->response == 1 && !(s[0] & SMB_RESP))
    s[0] |= (uint8_t)(SMB_RESP | (dir1 ? SMB_RESP_DIR1 : 0));
  else if (msg->response == 0 && !(s[0] & SMB_REQ))
    s[0] |= (uint8_t)(SMB_REQ | (dir1 ? SMB_REQ_DIR1 : 0));
  message_facts(m, cap, len, msg, s, facts);
  s[0] |= SMB_CLAIMED;
  if ((s[0] & SMB_REQ) && (s[0] & SMB_RESP) &&
      ((s[0] & SMB_REQ_DIR1) != 0) != ((s[0] & SMB_RESP_DIR1) != 0)) {
    *confidence = 100;
    return (s[1] & SMB_F_OBJECT) ? L7_DONE : L7_MATCH;
  }
  l7_conf_floor(confidence, l7_conf(msg->response < 0 ? 80 : 85, usual_port(pkt)));
  return L7_MATCH;
}

/* What a packet that is no SMB message means. */
static int not_message(uint8_t *s, int r, uint8_t *confidence) {
  if (s[0] & SMB_CLAIMED) {
    l7_conf_floor(confidence, 80); /* the rest of a long READ or WRITE */
    return L7_MATCH;
  }
  return r == P_CUT ? L7_MORE : L7_NO;
}

/* NetBIOS session packets other than a message (RFC 1002 §4.3.2..7). */
static int session_control(const uint8_t *p, size_t n, size_t len,
                           uint8_t *s) {
  switch (p[0]) {
  case 0x81: { /* SESSION REQUEST: called and calling names */
    size_t end = 0;
    int r = nb_name(p, n, 4, &end);
    if (r == P_OK)
      r = nb_name(p, n, end, &end);
    if (r == P_BAD || (r == P_OK && end != 4 + len))
      return P_BAD;
    s[0] |= SMB_NBSS;
    return P_CUT; /* fine, and no message yet */
  }
  case 0x82: /* POSITIVE SESSION RESPONSE */
  case 0x85: /* KEEP ALIVE */
    return len == 0 ? P_CUT : P_BAD;
  case 0x83: /* NEGATIVE SESSION RESPONSE: an error code */
    return len == 1 && (n < 5 || (p[4] >= 0x80 && p[4] <= 0x8f)) ? P_CUT : P_BAD;
  case 0x84: /* RETARGET SESSION RESPONSE: address and port */
    return len == 6 ? P_CUT : P_BAD;
  default:
    return P_BAD;
  }
}

static int on_tcp(const struct l7_pkt *pkt, uint8_t *s,
                  struct l7_facts *facts, uint8_t *confidence) {
  const uint8_t *p = pkt->data;
  size_t n = pkt->len;
  if (n < 4) {
    /* A header cut short: 0x00 or a session packet type. */
    int could = p[0] == 0x00 || (p[0] >= 0x81 && p[0] <= 0x85);
    return not_message(s, could ? P_CUT : P_BAD, confidence);
  }
  size_t len = l7_be24(p + 1);
  if (p[0] != 0x00) {
    if (p[1] & 0xfe)
      return not_message(s, P_BAD, confidence);
    int r = session_control(p, n, len & 0x1ffff, s);
    if (r == P_CUT && (s[0] & SMB_CLAIMED)) {
      l7_conf_floor(confidence, 80);
      return L7_MATCH;
    }
    return r == P_CUT ? L7_MORE : not_message(s, r, confidence);
  }
  struct smb_msg msg = {0};
  int r = smb_message(p + 4, n - 4, len, &msg);
  if (r != P_OK)
    return not_message(s, r, confidence);
  return on_message(pkt, s, p + 4, n - 4, len, &msg, facts, confidence);
}

/* A NetBIOS datagram carrying SMB1 (RFC 1002 §4.4.2). */
static int on_udp(const struct l7_pkt *pkt, uint8_t *s,
                  struct l7_facts *facts, uint8_t *confidence) {
  const uint8_t *p = pkt->data;
  size_t n = pkt->len;
  if (p[0] < 0x10 || p[0] > 0x12)
    return not_message(s, P_BAD, confidence);
  if (n < 14)
    return not_message(s, P_CUT, confidence);
  /* Reserved flag bits clear; F (first) set and M (more) clear: one whole
   * datagram at offset 0, whose length is the bytes after this header. */
  if ((p[1] & 0xf3) != 0x02 || l7_be16(p + 12) != 0 ||
      l7_be16(p + 10) < 2 * SMB_NAME_WIRE + 4)
    return not_message(s, P_BAD, confidence);
  size_t total = 14 + (size_t)l7_be16(p + 10);
  if (total < n)
    return not_message(s, P_BAD, confidence);
  size_t end = 0;
  int r = nb_name(p, n, 14, &end);
  if (r == P_OK)
    r = nb_name(p, n, end, &end);
  if (r != P_OK)
    return not_message(s, r, confidence);
  if (end >= total)
    return not_message(s, P_BAD, confidence);
  struct smb_msg msg = {0};
  r = smb_message(p + end, n - end, total - end, &msg);
  if (r != P_OK || msg.family != FAM_SMB1)
    return not_message(s, r == P_OK ? P_BAD : r, confidence);
  return on_message(pkt, s, p + end, n - end, total - end, &msg, facts,
                    confidence);
}

int l7_probe_smb(const struct l7_pkt *pkt, union l7_scratch *scratch,
                 struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->len == 0)
    return L7_NO;
  if (pkt->proto == L7_IP_TCP)
    return on_tcp(pkt, scratch->raw, facts, confidence);
  if (pkt->proto == L7_IP_UDP)
    return on_udp(pkt, scratch->raw, facts, confidence);
  return L7_NO;
}
