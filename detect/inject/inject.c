/* detect/inject/inject.c — filling a finding (see inject.h). */
#include "detect/inject/inject.h"

#include <string.h>

void inj_finding_clear(struct inj_finding *f) { memset(f, 0, sizeof *f); }

void inj_finding_evidence(struct inj_finding *f, const uint8_t *s, size_t n,
                          size_t off, size_t len) {
  if (off > n)
    off = n;
  if (len > n - off)
    len = n - off;
  f->ev_off = (uint32_t)off;
  f->ev_len = (uint32_t)len;
  size_t k = len < INJ_EVIDENCE_MAX ? len : INJ_EVIDENCE_MAX;
  for (size_t i = 0; i < k; i++) {
    uint8_t c = s[off + i];
    /* Printable ASCII only: the evidence ends up in alerts and logs. */
    f->evidence[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
  }
  f->evidence[k] = '\0';
}

void inj_finding_rule(struct inj_finding *f, const char *rule) {
  size_t k = strlen(rule);
  if (k >= INJ_RULE_MAX)
    k = INJ_RULE_MAX - 1;
  memcpy(f->rule, rule, k);
  f->rule[k] = '\0';
}

void inj_finding_keep_best(struct inj_finding *best,
                           const struct inj_finding *cand) {
  if (cand->score > best->score)
    *best = *cand;
}
