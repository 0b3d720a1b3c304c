#!/usr/bin/env bash
# Injection detection rates: run tests/tools/injection_eval on the payload
# corpora (../shared/datasets/payloads) and fail when a rate regresses past
# the figures measured when the detector was written, minus a margin.
#
# Thresholds (percent; detection groups must stay at or above, false-
# positive groups at or below). Measured (all entries) / threshold:
#   sqli-libinjection   99.74 / >= 99.0   libinjection's sqli-* lists
#   xss-libinjection    97.33 / >= 96.0   libinjection's xss-* lists
#   csv-sqli            99.94 / >= 99.0   HttpParamsDataset attack_type sqli
#   csv-xss             95.11 / >= 93.5   HttpParamsDataset attack_type xss
#   sqli-pentest        94.53 / >= 92.0   fuzzdb, PayloadsAllTheThings,
#   xss-pentest         97.07 / >= 95.5   payloadbox (probe lines apart)
#   csic-normal          0.00 / <= 0.10   72,000 CSIC 2010 normal requests
#   csv-norm             0.00 / <= 0.10   19,304 CSIC normal parameter values
#   benign-raft          0.00 / <= 0.05   54,427 path and file names
#   benign-libinjection  0.48 / <= 1.50   libinjection's false_positives.txt
# Each is checked on both halves (even entries: tuned on; odd: held out)
# with the same threshold, so overfitting one half shows.
source "$(dirname "$0")/_lib.sh"

TOOL="$HABIT_BUILD/tests/tools/injection_eval"
PAYLOADS="$SHARED/datasets/payloads"
[ -x "$TOOL" ] || fail "no $TOOL (build the injection_eval target)"
[ -d "$PAYLOADS" ] || fail "no corpora at $PAYLOADS"
command -v unzip >/dev/null && command -v zcat >/dev/null || fail "needs unzip and zcat"

"$TOOL" --payloads "$PAYLOADS" --bench 1 >"$TMP/eval.txt" 2>"$TMP/eval.err" ||
  fail "injection_eval failed: $(tail -3 "$TMP/eval.err")"
grep -E '^(SUMMARY|SPEED)' "$TMP/eval.txt"

# rate GROUP HALF: the rate of a SUMMARY line's half (even, odd or all).
rate() {
  sed -n "s/^SUMMARY $1 .*$2=\([0-9.]*\) .*/\1/p" "$TMP/eval.txt" | head -1
}

check() { # check GROUP OP LIMIT
  local group=$1 op=$2 limit=$3 half v
  for half in even odd all; do
    v=$(rate "$group" "$half")
    [ -n "$v" ] || fail "$group: no SUMMARY line"
    if [ "$op" = ge ]; then
      awk -v v="$v" -v l="$limit" 'BEGIN { exit !(v >= l) }' ||
        fail "$group ($half half): detection $v% < $limit%"
    else
      awk -v v="$v" -v l="$limit" 'BEGIN { exit !(v <= l) }' ||
        fail "$group ($half half): false positives $v% > $limit%"
    fi
  done
  pass "$group $op $limit% (even $(rate "$group" even), odd $(rate "$group" odd))"
}

check sqli-libinjection ge 99.0
check xss-libinjection ge 96.0
check csv-sqli ge 99.0
check csv-xss ge 93.5
check sqli-pentest ge 92.0
check xss-pentest ge 95.5
check csic-normal le 0.10
check csv-norm le 0.10
check benign-raft le 0.05
check benign-libinjection le 1.50
