/* detect/leak/leak_scan.c — one payload through Hyperscan, candidates to
 * their checkers, user matches to the caller.
 *
 * Hyperscan reports every end offset at which a pattern matches, in order
 * of end offset. The checkers see each digit run, header or key id once
 * (the scratch remembers how far they got). A user pattern's matches are
 * folded leftmost-longest without overlapping, as a PCRE loop would find
 * them: a match is held while later ones start at the same place or before
 * it (they are longer, or further left), ones that start inside it are
 * dropped, and it is reported when one starts after it, or at the end of
 * the payload.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "detect/leak/aws.h"
#include "detect/leak/card.h"
#include "detect/leak/leak_int.h"
#include "detect/leak/pem.h"
#include "detect/leak/redact.h"

static void user_report(struct leak_scratch *s, uint32_t u, const struct leak_pending *m) {
  struct leak_hit h = {.kind = LEAK_USER, .pattern = u, .offset = m->from,
                       .length = m->to - m->from};
  leak_redact_token(s->p + m->from, m->to - m->from, h.evidence);
  leak_emit(s, &h);
}

static void user_match(struct leak_scratch *s, uint32_t u, size_t from, size_t to) {
  const struct leak_user *pat = &s->m->user[u];
  if (pat->how == LEAK_USER_FIRST) { /* its first match only, its last bytes */
    struct leak_pending last = {.from = to >= pat->width ? to - pat->width : 0, .to = to};
    user_report(s, u, &last);
    return;
  }
  if (pat->how == LEAK_USER_FIXED)
    from = to - pat->width;
  struct leak_pending *m = &s->pending[u];
  if (m->to == 0) {
    s->live[s->n_live++] = u;
  } else if (from <= m->from) { /* as far left or further: it wins */
    m->from = from;
    if (to > m->to)
      m->to = to;
    return;
  } else if (from < m->to) {
    return; /* starts inside the held match */
  } else {
    user_report(s, u, m);
  }
  m->from = from;
  m->to = to;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx) {
  (void)flags;
  struct leak_scratch *s = ctx;
  switch (id) {
  case LEAK_ID_CARD:
    if (to > s->card_seen)
      s->card_seen = leak_card_run(s, (size_t)to - 1);
    break;
  case LEAK_ID_PEM:
    leak_pem_check(s, (size_t)to);
    break;
  case LEAK_ID_AWS:
    leak_aws_check(s, (size_t)to);
    break;
  default:
    user_match(s, id - LEAK_ID_USER, (size_t)from, (size_t)to);
    break;
  }
  return s->stopped ? 1 : 0;
}

/* The block Hyperscan may scan: the payload itself when at least LEAK_PAD
 * readable bytes follow it in its 4 KiB page, else a padded copy (see
 * leak_int.h). NULL when the copy buffer cannot grow. */
static const uint8_t *safe_block(struct leak_scratch *s, const uint8_t *p, size_t n) {
  size_t in_page = (size_t)(((uintptr_t)p + n) % LEAK_PAGE);
  if (in_page != 0 && in_page <= LEAK_PAGE - LEAK_PAD)
    return p;
  if (n > s->copy_cap) { /* only for payloads over 64 KiB: once per new maximum */
    uint8_t *bigger = realloc(s->copy, n + LEAK_PAD);
    if (!bigger)
      return NULL;
    s->copy = bigger;
    s->copy_cap = n;
  }
  memcpy(s->copy, p, n);
  memset(s->copy + n, 0, LEAK_PAD);
  return s->copy;
}

int leak_scan(const struct leak_matcher *m, struct leak_scratch *s, const uint8_t *p,
              size_t n, leak_hit_fn fn, void *ctx) {
  if (!m || !s || s->m != m || !fn || (!p && n) || n > UINT_MAX)
    return -EINVAL;
  if (n < m->min_width) /* no pattern can match: skip Hyperscan's call cost */
    return 0;
  if (!(p = safe_block(s, p, n)))
    return -ENOMEM;
  s->p = p;
  s->n = n;
  s->fn = fn;
  s->ctx = ctx;
  s->card_seen = 0;
  s->secret_seen = 0;
  s->stopped = false;
  s->n_live = 0;
  hs_error_t rc = hs_scan(m->db, (const char *)p, (unsigned)n, 0, s->hs, on_match, s);
  /* Report what is held (unless the caller stopped), and clear it all: the
   * next payload starts from nothing. */
  for (size_t i = 0; i < s->n_live; i++) {
    struct leak_pending *h = &s->pending[s->live[i]];
    if (rc == HS_SUCCESS)
      user_report(s, s->live[i], h);
    h->to = 0;
  }
  s->n_live = 0;
  s->p = NULL;
  s->fn = NULL;
  s->ctx = NULL;
  switch (rc) {
  case HS_SUCCESS:
    return s->stopped ? 1 : 0;
  case HS_SCAN_TERMINATED:
    return 1;
  case HS_SCRATCH_IN_USE:
    return -EBUSY;
  default:
    return -EIO;
  }
}
