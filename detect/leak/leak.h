/* detect/leak/leak.h — data leaks in payloads: payment card numbers,
 * private keys, AWS access keys (and their secrets), user patterns.
 *
 * Contract:
 * - leak_matcher_build() compiles the built-in patterns and the user's
 *   (name + regex, Hyperscan's PCRE subset: no back-references, no
 *   lookaround) once, into one Hyperscan database. A bad user regex fails
 *   with a message naming the pattern and saying what is wrong; nothing is
 *   built. The matcher is read-only afterwards: any number of threads may
 *   scan with it at once, each with its own scratch.
 * - leak_scratch_alloc() gives one thread its working memory. A scratch
 *   belongs to the matcher it was made for and serves one scan at a time.
 * - leak_scan() looks at ONE payload in block mode: nothing is carried from
 *   one call to the next, so a number or key split across two packets is
 *   not seen (the caller hands over reassembled bytes if it wants that).
 *   It accepts any length below 4 GiB; bounding the work (e.g. the first
 *   64 KiB of each flow direction) is the caller's choice. It allocates
 *   nothing, with one exception: a payload that ends within 64 bytes of a
 *   4 KiB page boundary is scanned from a copy in the scratch (Hyperscan
 *   5.4 can read past the end of a block: see leak_int.h), and a payload
 *   over 64 KiB grows that copy once, to its length. Bytes at the very start or end of the payload count as a
 *   boundary, so a payload cut inside a number is judged as it is.
 * - Every regex candidate of a built-in kind is confirmed in C before it
 *   is reported: cards by grouping, boundaries, issuer prefix and length,
 *   Luhn and a "not a toy number" check; keys by their boundaries and what
 *   follows them. User patterns count as soon as their regex matches; each
 *   is reported leftmost-longest and without overlapping itself. Hyperscan
 *   cannot track where matches start for some regexes (bounded repeats of
 *   wide classes, "[^@]{1,64}:[^@]{1,64}@", are "too large"): such a
 *   pattern is still accepted, but reported once per payload, its hit
 *   covering the last bytes of its first match (as many as the regex's
 *   shortest match), which are certain to be part of it.
 * - Hits go to the callback as they are confirmed, which is not offset
 *   order (user hits come when their extent is known). The callback returns
 *   0 to go on or non-zero to stop the scan.
 * - The evidence is redacted: a card shows its first 6 and last 4 digits
 *   only ("4111 11** **** 1111"), a key its first and last 4 characters
 *   ("AKIA…XYZ1"); no full secret ever leaves this module.
 * No global mutable state.
 */
#ifndef HABIT_DETECT_LEAK_H
#define HABIT_DETECT_LEAK_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum leak_kind {
  LEAK_CARD = 1,       /* payment card number; pattern: enum leak_issuer */
  LEAK_PRIVATE_KEY,    /* PEM private key header; pattern: enum leak_key */
  LEAK_AWS_ACCESS_KEY, /* AKIA/ASIA access key id; pattern 0 */
  LEAK_AWS_SECRET_KEY, /* a 40-character secret near an access key id */
  LEAK_USER,           /* a user pattern; pattern: its index in `user` */
};

enum leak_issuer {
  LEAK_ISSUER_VISA,
  LEAK_ISSUER_MASTERCARD,
  LEAK_ISSUER_AMEX,
  LEAK_ISSUER_DISCOVER,
  LEAK_ISSUER_JCB,
  LEAK_ISSUER_DINERS,
  LEAK_ISSUER_UNIONPAY,
  LEAK_ISSUER_MAESTRO,
  LEAK_ISSUER_DANKORT,
  LEAK_ISSUER_MIR,
  LEAK_ISSUER_RUPAY,
  LEAK_ISSUER_TROY,
  LEAK_ISSUER_COUNT
};

enum leak_key {
  LEAK_KEY_PKCS8,     /* -----BEGIN PRIVATE KEY----- */
  LEAK_KEY_RSA,
  LEAK_KEY_EC,
  LEAK_KEY_DSA,
  LEAK_KEY_OPENSSH,
  LEAK_KEY_ENCRYPTED, /* PKCS#8 encrypted */
  LEAK_KEY_COUNT
};

/* A user pattern, as the config supplies it. Both strings are copied. */
struct leak_pattern {
  const char *name;
  const char *regex;
};

struct leak_hit {
  enum leak_kind kind;
  uint32_t pattern;  /* see enum leak_kind */
  size_t offset;     /* where the match starts in the payload */
  size_t length;     /* bytes it covers (separators included) */
  char evidence[64]; /* redacted, NUL-terminated, UTF-8 */
};

/* Return 0 to go on, non-zero to stop the scan. */
typedef int (*leak_hit_fn)(void *ctx, const struct leak_hit *hit);

struct leak_matcher;
struct leak_scratch;

/* At most this many user patterns, each regex at most this long. */
#define LEAK_MAX_USER 4096
#define LEAK_MAX_REGEX 4096

int leak_matcher_build(const struct leak_pattern *user, size_t n,
                       struct leak_matcher **out, struct hb_error *err);
/* The same, keeping the compiled database in cache_dir (leak_cache.h):
 * a later build of the same patterns on the same Hyperscan and CPU loads
 * it instead of compiling (about 1 ms instead of 20-150). A cache that
 * cannot be read or written is ignored. NULL: no cache. */
int leak_matcher_build_cached(const struct leak_pattern *user, size_t n,
                              const char *cache_dir, struct leak_matcher **out,
                              struct hb_error *err);
void leak_matcher_free(struct leak_matcher *m);

int leak_scratch_alloc(const struct leak_matcher *m, struct leak_scratch **out,
                       struct hb_error *err);
void leak_scratch_free(struct leak_scratch *s);

/* Scan p[0..n). Returns 0 when the payload was scanned to its end, 1 when
 * the callback stopped it, -EINVAL for bad arguments (a scratch of another
 * matcher, n >= 4 GiB), -ENOMEM when the copy cannot grow, -EBUSY when the
 * scratch is in use, -EIO when Hyperscan fails. */
int leak_scan(const struct leak_matcher *m, struct leak_scratch *s,
              const uint8_t *p, size_t n, leak_hit_fn fn, void *ctx);

/* "card", "private_key", "aws_access_key", "aws_secret_key", "user". */
const char *leak_kind_name(enum leak_kind k);
/* What matched: the issuer ("visa"), the key type ("rsa"), "aws" or the
 * user pattern's name. */
const char *leak_hit_label(const struct leak_matcher *m,
                           const struct leak_hit *h);
size_t leak_matcher_user_count(const struct leak_matcher *m);

#endif
