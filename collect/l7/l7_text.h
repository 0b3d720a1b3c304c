/* collect/l7/l7_text.h — helpers of the probes of line-based protocols
 * (SMTP, IMAP, POP3, FTP, SIP), private to l7/.
 *
 * Everything here is static inline, allocates nothing and reads nothing
 * past the length it is given. A "line" is the bytes up to LF (a CR before
 * it is not part of the text); a line without its LF in the packet is
 * "open": cut by the segment or the snap length, or still to come.
 */
#ifndef HABIT_COLLECT_L7_TEXT_H
#define HABIT_COLLECT_L7_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "collect/l7/l7_util.h"

/* Longest first line the text probes take: SMTP allows 512 bytes for a
 * command and 1000 for a text line (RFC 5321 §4.5.3.1), the others less.
 * An open line longer than this is not one of theirs. */
#define L7_TEXT_MAX_LINE 1024

struct l7_line {
  const uint8_t *p; /* the text, without CR LF */
  size_t len;
  size_t next;      /* offset of the next line (n when open) */
  int complete;     /* the LF is in the packet */
};

/* The line that starts at offset off of p[0..n). */
static inline void l7_line_at(const uint8_t *p, size_t n, size_t off,
                              struct l7_line *l) {
  const uint8_t *lf = off < n ? memchr(p + off, '\n', n - off) : NULL;
  size_t end = lf ? (size_t)(lf - p) : n;
  l->p = p + off;
  l->len = end - off;
  l->complete = lf != NULL;
  l->next = lf ? end + 1 : n;
  if (l->complete && l->len && l->p[l->len - 1] == '\r')
    l->len--;
}

/* Text a command, a reply or a banner is made of: printable ASCII, tab,
 * and bytes of 0x80 and over (UTF-8 or Latin-1 in banners); no other
 * control byte. A CR may only end a line, and l7_line_at removed it. */
static inline int l7_text_ok(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
      return 0;
  return 1;
}

/* The first line of a packet, when it is text a line-based protocol could
 * send: complete and at most L7_TEXT_MAX_LINE long, or open and still short
 * enough (then l->complete is 0). Returns 0 on binary bytes or a line too
 * long. An open line ending in CR is fine (the LF is in the next segment):
 * the CR is left out of l->len as it would be from a complete line. */
static inline int l7_first_line(const uint8_t *p, size_t n, struct l7_line *l) {
  l7_line_at(p, n, 0, l);
  if (!l->complete && l->len && l->p[l->len - 1] == '\r')
    l->len--;
  return l->len <= L7_TEXT_MAX_LINE && l7_text_ok(l->p, l->len);
}

/* Does p[0..n) contain the lower-case needle, without regard to case? */
static inline int l7_icontains(const uint8_t *p, size_t n, const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = 0; k <= n && i <= n - k; i++)
    if (l7_ieq(p + i, needle, k))
      return 1;
  return 0;
}

/* Is p[0..n) (n may be shorter than lit) a prefix of the lower-case lit,
 * without regard to case? */
static inline int l7_iprefix(const uint8_t *p, size_t n, const char *lit) {
  size_t k = strlen(lit);
  return l7_ieq(p, lit, n < k ? n : k);
}

/* Length of the run of letters at the start of p[0..n). */
static inline size_t l7_alpha_len(const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < n && ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z'))
    i++;
  return i;
}

/* The word p[0..k) among the upper-case words of list, without regard to
 * case: its index, or -1. */
static inline int l7_word_in(const uint8_t *p, size_t k,
                             const char *const *list, size_t count) {
  for (size_t i = 0; i < count; i++) {
    const char *w = list[i];
    size_t wl = strlen(w);
    if (wl != k)
      continue;
    size_t j = 0;
    while (j < k) {
      uint8_t c = p[j];
      if (c >= 'a' && c <= 'z')
        c = (uint8_t)(c - 32);
      if (c != (uint8_t)w[j])
        break;
      j++;
    }
    if (j == k)
      return (int)i;
  }
  return -1;
}

/* A reply line "DDD", then SP, '-' or the end of the line (RFC 5321 §4.2,
 * RFC 959 §4.2): the code (100..599), or 0. *sep gets the separator (0 at
 * the end of the line). */
static inline unsigned l7_reply_code(const struct l7_line *l, uint8_t *sep) {
  if (l->len < 3)
    return 0;
  unsigned code = 0;
  for (size_t i = 0; i < 3; i++) {
    if (l->p[i] < '0' || l->p[i] > '9')
      return 0;
    code = code * 10 + (unsigned)(l->p[i] - '0');
  }
  if (code < 100 || code > 599)
    return 0;
  uint8_t c = l->len > 3 ? l->p[3] : 0;
  if (c != 0 && c != ' ' && c != '-')
    return 0;
  if (c == 0 && !l->complete)
    return 0; /* "220" and the rest of the line still to come */
  *sep = c;
  return code;
}

/* An open line that could still become a reply code ("2", "22", "220"). */
static inline int l7_reply_prefix(const struct l7_line *l) {
  if (l->complete || l->len > 3)
    return 0;
  for (size_t i = 0; i < l->len; i++)
    if (l->p[i] < '0' || l->p[i] > '9')
      return 0;
  return 1;
}

/* Copy the text of a line after skip bytes (and the blanks after them). */
static inline void l7_copy_rest(char *dst, size_t cap, const struct l7_line *l,
                                size_t skip) {
  if (skip > l->len)
    skip = l->len;
  const uint8_t *s = l->p + skip;
  size_t n = l->len - skip;
  while (n && (*s == ' ' || *s == '\t'))
    s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  l7_copy(dst, cap, s, n);
}

/* Copy the argument word at p[0..n) (up to a blank), blanks before it
 * skipped. */
static inline void l7_copy_word(char *dst, size_t cap, const uint8_t *p,
                                size_t n) {
  while (n && (*p == ' ' || *p == '\t'))
    p++, n--;
  size_t k = 0;
  while (k < n && p[k] != ' ' && p[k] != '\t')
    k++;
  l7_copy(dst, cap, p, k);
}

/* Which side is the server, kept by the text probes in bits of their
 * first scratch byte: L7_TXT_SIDES says it is known, L7_TXT_SRV1 that the
 * server speaks in direction 1. Each probe's own flags avoid these bits. */
#define L7_TXT_SRV1 0x02u
#define L7_TXT_SIDES 0x04u

/* Is this packet from the server? While the sides are unknown: by what it
 * looks like (looks_reply). */
static inline int l7_from_server(const struct l7_pkt *pkt, uint8_t st, int looks_reply) {
  if (!(st & L7_TXT_SIDES))
    return looks_reply;
  return ((st & L7_TXT_SRV1) != 0) == ((pkt->dir & 1) != 0);
}

/* Fix the sides once: the packet is from the server (server) or not. */
static inline void l7_set_sides(const struct l7_pkt *pkt, uint8_t *st, int server) {
  if (*st & L7_TXT_SIDES)
    return;
  int srv1 = server ? (pkt->dir & 1) : !(pkt->dir & 1);
  *st |= (uint8_t)(L7_TXT_SIDES | (srv1 ? L7_TXT_SRV1 : 0));
}

/* What a 220 greeting's first L7_HINT_SPAN bytes say it is: SMTP and FTP
 * servers both greet with 220. */
#define L7_HINT_SPAN 1024
enum { L7_HINT_NONE, L7_HINT_SMTP, L7_HINT_FTP };

static inline int l7_greeting_hint(const uint8_t *p, size_t n) {
  size_t k = n < L7_HINT_SPAN ? n : L7_HINT_SPAN;
  if (l7_icontains(p, k, "smtp"))
    return L7_HINT_SMTP;
  if (l7_icontains(p, k, "ftp"))
    return L7_HINT_FTP;
  return L7_HINT_NONE;
}

#endif
