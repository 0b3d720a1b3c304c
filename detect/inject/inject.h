/* detect/inject/inject.h — what every injection detector reports.
 *
 * Contract: a finding is a plain struct with fixed buffers, filled by the
 * detectors in this folder (sqli.h, xss.h, sql_statement.h) and copied by
 * http_inject.h. A detector scores what it saw; a score of INJ_DETECT or
 * more means "detected". Strings are NUL-terminated and cut to fit; the
 * evidence holds printable ASCII only (other bytes become '.'), so it can go
 * into a log line or an alert as it is. inj_finding_* never allocate and
 * never read outside the span they are given.
 */
#ifndef HABIT_DETECT_INJECT_H
#define HABIT_DETECT_INJECT_H

#include <stddef.h>
#include <stdint.h>

/* A score at or above this is a detection. Scores are capped at 255. */
#define INJ_DETECT 100

#define INJ_RULE_MAX 24        /* rule name, e.g. "union-select" */
#define INJ_FP_MAX 24          /* fingerprint: token classes, e.g. "s&n=n" */
#define INJ_EVIDENCE_MAX 80    /* bytes of the matched span kept */

struct inj_finding {
  uint8_t score;                        /* 0..255; detected at INJ_DETECT */
  char context;                         /* where the analysis started:
                                           'n' bare, 's' in '...', 'd' in
                                           "...", 'h' HTML, 'j' JS, 'q' SQL */
  char rule[INJ_RULE_MAX];              /* strongest rule that fired */
  char fingerprint[INJ_FP_MAX];         /* token classes around the match */
  char evidence[INJ_EVIDENCE_MAX + 1];  /* the matched span, cut */
  uint32_t ev_off, ev_len;              /* that span in the analysed bytes */
};

void inj_finding_clear(struct inj_finding *f);
/* Copy s[off, off+len) (clamped to n) into f->evidence and the span. */
void inj_finding_evidence(struct inj_finding *f, const uint8_t *s, size_t n,
                          size_t off, size_t len);
void inj_finding_rule(struct inj_finding *f, const char *rule);
/* Keep the higher-scoring of *best and *cand in *best. */
void inj_finding_keep_best(struct inj_finding *best,
                           const struct inj_finding *cand);

#endif
