/* detect/leak/leak_matcher.c — compile the patterns; per-thread scratch. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "detect/leak/issuer.h"
#include "detect/leak/leak_cache.h"
#include "detect/leak/leak_int.h"
#include "detect/leak/pem.h"

/* The built-in patterns find candidates only; C confirms them. None needs
 * the start of match (each checker finds it), which keeps them cheap. The
 * card pattern fires once per run of digits, on its 13th digit: the run
 * starts at the payload's start, after a byte that is neither a digit nor a
 * separator, or after a separator that follows no digit — where card.c
 * finds it too. (Firing on every 13-digit window instead scans as fast —
 * bench/leak_engines.c measures both — but calls back once per digit of a
 * long run; this way the callback count is one per run.) */
static const char *const builtin_regex[LEAK_ID_USER] = {
    [LEAK_ID_CARD] = "(?:^[ \\-]?|[^0-9 \\-]|[^0-9][ \\-])[0-9](?:[ \\-]?[0-9]){12}",
    [LEAK_ID_PEM] = "-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----",
    [LEAK_ID_AWS] = "(?:AKIA|ASIA)[A-Z2-7]{16}",
};

static bool is_user(const hs_compile_error_t *ce, size_t n) {
  return ce->expression >= LEAK_ID_USER && (size_t)(ce->expression - LEAK_ID_USER) < n;
}

static int bad_regex(const struct leak_pattern *u, const char *why, struct hb_error *err) {
  return hb_fail(err, EINVAL, "leak pattern \"%s\": bad regex /%.200s/: %s", u->name,
                 u->regex, why);
}

/* Name, copy and width of one user pattern; its syntax is checked here so
 * that the error names it. A fixed-width regex needs no start of match
 * (cheaper to scan); any other asks Hyperscan for the leftmost start. */
static int user_prepare(const struct leak_pattern *u, size_t i, struct leak_user *out,
                        unsigned *flags, struct hb_error *err) {
  if (!u->name || !u->name[0])
    return hb_fail(err, EINVAL, "leak pattern %zu: no name", i + 1);
  if (!u->regex || !u->regex[0])
    return hb_fail(err, EINVAL, "leak pattern \"%s\": empty regex", u->name);
  if (strlen(u->regex) > LEAK_MAX_REGEX)
    return hb_fail(err, EINVAL, "leak pattern \"%s\": regex longer than %d bytes",
                   u->name, LEAK_MAX_REGEX);
  hs_expr_info_t *info = NULL;
  hs_compile_error_t *ce = NULL;
  if (hs_expression_info(u->regex, 0, &info, &ce) != HS_SUCCESS) {
    int rc = bad_regex(u, ce ? ce->message : "rejected", err);
    hs_free_compile_error(ce);
    return rc;
  }
  bool fixed = info->min_width == info->max_width;
  out->width = info->min_width;
  free(info);
  out->how = fixed ? LEAK_USER_FIXED : LEAK_USER_SOM;
  *flags = fixed ? 0 : HS_FLAG_SOM_LEFTMOST;
  if (!(out->name = strdup(u->name)))
    return hb_fail(err, ENOMEM, "leak patterns: out of memory");
  return 0;
}

/* Compile everything. Hyperscan tracks where a match starts only for some
 * regexes: bounded repeats of wide classes ("[^@]{1,64}:[^@]{1,64}@") are
 * "too large". Such a pattern is kept without it and reports its first
 * match of a payload, covering its last min-width bytes (which every match
 * ending there contains); then the set is compiled again. */
static int compile_all(struct leak_matcher *m, const struct leak_pattern *user,
                       const char **exprs, unsigned *flags, unsigned *ids, size_t total,
                       struct hb_error *err) {
  for (;;) {
    hs_compile_error_t *ce = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)total, HS_MODE_BLOCK, NULL, &m->db,
                         &ce) == HS_SUCCESS)
      return 0;
    if (!ce)
      return hb_fail(err, EINVAL, "leak patterns: Hyperscan failed to compile");
    int rc;
    if (is_user(ce, m->n_user)) {
      size_t e = (size_t)ce->expression;
      struct leak_user *u = &m->user[e - LEAK_ID_USER];
      if (u->how == LEAK_USER_SOM) {
        hs_free_compile_error(ce);
        u->how = LEAK_USER_FIRST;
        flags[e] = HS_FLAG_SINGLEMATCH;
        continue;
      }
      rc = bad_regex(&user[e - LEAK_ID_USER], ce->message, err);
    } else {
      rc = hb_fail(err, EINVAL, "leak patterns: %s", ce->message);
    }
    hs_free_compile_error(ce);
    return rc;
  }
}

/* Everything the compiled database depends on: Hyperscan's version, the
 * CPU it is tuned for, and the patterns with their flags. */
static uint64_t cache_key(const char **exprs, const unsigned *flags, size_t total) {
  uint64_t h = hb_hash_bytes(hs_version(), strlen(hs_version()), HS_MODE_BLOCK);
  hs_platform_info_t plat;
  memset(&plat, 0, sizeof plat);
  if (hs_populate_platform(&plat) == HS_SUCCESS)
    h = hb_hash_bytes(&plat, sizeof plat, h);
  for (size_t i = 0; i < total; i++) {
    h = hb_hash_bytes(exprs[i], strlen(exprs[i]) + 1, h);
    h = hb_hash_bytes(&flags[i], sizeof flags[i], h);
  }
  return h;
}

/* From the cache when it holds this set, else compiled (and cached). */
static int load_or_compile(struct leak_matcher *m, const struct leak_pattern *user,
                           const char **exprs, unsigned *flags, unsigned *ids,
                           size_t total, const char *cache_dir, struct hb_error *err) {
  uint64_t key = cache_key(exprs, flags, total);
  uint8_t *how = calloc(m->n_user ? m->n_user : 1, 1);
  if (!how)
    return hb_fail(err, ENOMEM, "leak patterns: out of memory");
  int rc = 0;
  if (leak_cache_load(cache_dir, key, m->n_user, how, &m->db)) {
    for (size_t i = 0; i < m->n_user; i++)
      m->user[i].how = how[i];
  } else if ((rc = compile_all(m, user, exprs, flags, ids, total, err)) == 0) {
    for (size_t i = 0; i < m->n_user; i++)
      how[i] = m->user[i].how;
    leak_cache_store(cache_dir, key, m->n_user, how, m->db);
  }
  free(how);
  return rc;
}

int leak_matcher_build(const struct leak_pattern *user, size_t n,
                       struct leak_matcher **out, struct hb_error *err) {
  return leak_matcher_build_cached(user, n, NULL, out, err);
}

int leak_matcher_build_cached(const struct leak_pattern *user, size_t n,
                              const char *cache_dir, struct leak_matcher **out,
                              struct hb_error *err) {
  *out = NULL;
  if (n > LEAK_MAX_USER)
    return hb_fail(err, EINVAL, "leak patterns: %zu user patterns, at most %d", n,
                   LEAK_MAX_USER);
  if (n > 0 && !user)
    return hb_fail(err, EINVAL, "leak patterns: none given");
  if (hs_valid_platform() != HS_SUCCESS)
    return hb_fail(err, ENOTSUP, "leak patterns: this CPU lacks SSSE3, which Hyperscan needs");

  size_t total = LEAK_ID_USER + n;
  const char **exprs = calloc(total, sizeof *exprs);
  unsigned *flags = calloc(total, sizeof *flags);
  unsigned *ids = calloc(total, sizeof *ids);
  struct leak_matcher *m = calloc(1, sizeof *m);
  int rc = 0;
  if (!exprs || !flags || !ids || !m || !(m->user = calloc(n ? n : 1, sizeof *m->user))) {
    rc = hb_fail(err, ENOMEM, "leak patterns: out of memory");
    goto out;
  }
  for (size_t i = 0; i < total; i++) {
    ids[i] = (unsigned)i;
    exprs[i] = i < LEAK_ID_USER ? builtin_regex[i] : user[i - LEAK_ID_USER].regex;
  }
  for (size_t i = 0; i < n; i++, m->n_user++)
    if ((rc = user_prepare(&user[i], i, &m->user[i], &flags[LEAK_ID_USER + i], err)))
      goto out;
  if ((rc = load_or_compile(m, user, exprs, flags, ids, total, cache_dir, err)))
    goto out;
  m->min_width = UINT_MAX;
  for (size_t i = 0; i < total; i++) {
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *ce = NULL;
    if (hs_expression_info(exprs[i], flags[i], &info, &ce) != HS_SUCCESS) {
      hs_free_compile_error(ce); /* compiled above: cannot happen; be safe */
      m->min_width = 1;
      break;
    }
    if (info->min_width < m->min_width)
      m->min_width = info->min_width;
    free(info);
  }
  if (m->min_width == 0 || m->min_width == UINT_MAX)
    m->min_width = 1;
  *out = m;
  m = NULL;
out:
  free(exprs);
  free(flags);
  free(ids);
  leak_matcher_free(m);
  return rc;
}

void leak_matcher_free(struct leak_matcher *m) {
  if (!m)
    return;
  hs_free_database(m->db);
  for (size_t i = 0; i < m->n_user; i++)
    free(m->user[i].name);
  free(m->user);
  free(m);
}

size_t leak_matcher_user_count(const struct leak_matcher *m) { return m ? m->n_user : 0; }

int leak_scratch_alloc(const struct leak_matcher *m, struct leak_scratch **out,
                       struct hb_error *err) {
  *out = NULL;
  if (!m)
    return hb_fail(err, EINVAL, "leak scratch: no matcher");
  struct leak_scratch *s = calloc(1, sizeof *s);
  if (!s)
    return hb_fail(err, ENOMEM, "leak scratch: out of memory");
  s->m = m;
  size_t nu = m->n_user ? m->n_user : 1;
  s->pending = calloc(nu, sizeof *s->pending);
  s->live = calloc(nu, sizeof *s->live);
  s->copy = calloc(1, LEAK_COPY_INITIAL + LEAK_PAD);
  s->copy_cap = LEAK_COPY_INITIAL;
  if (!s->pending || !s->live || !s->copy || hs_alloc_scratch(m->db, &s->hs) != HS_SUCCESS) {
    leak_scratch_free(s);
    return hb_fail(err, ENOMEM, "leak scratch: out of memory");
  }
  *out = s;
  return 0;
}

void leak_scratch_free(struct leak_scratch *s) {
  if (!s)
    return;
  hs_free_scratch(s->hs);
  free(s->copy);
  free(s->pending);
  free(s->live);
  free(s);
}

const char *leak_kind_name(enum leak_kind k) {
  switch (k) {
  case LEAK_CARD:
    return "card";
  case LEAK_PRIVATE_KEY:
    return "private_key";
  case LEAK_AWS_ACCESS_KEY:
    return "aws_access_key";
  case LEAK_AWS_SECRET_KEY:
    return "aws_secret_key";
  case LEAK_USER:
    return "user";
  }
  return "unknown";
}

const char *leak_hit_label(const struct leak_matcher *m, const struct leak_hit *h) {
  switch (h->kind) {
  case LEAK_CARD:
    return leak_issuer_name((enum leak_issuer)h->pattern);
  case LEAK_PRIVATE_KEY:
    return leak_key_name((enum leak_key)h->pattern);
  case LEAK_AWS_ACCESS_KEY:
  case LEAK_AWS_SECRET_KEY:
    return "aws";
  case LEAK_USER:
    return m && h->pattern < m->n_user ? m->user[h->pattern].name : "user";
  }
  return "unknown";
}
