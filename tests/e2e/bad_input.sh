#!/usr/bin/env bash
# Bad input: a one-line error naming the file and what is wrong, exit 2, and
# no model change — neither to an existing model nor by creating one.
source "$(dirname "$0")/_lib.sh"
GOOD="$SHARED/datasets/zeek/wikipedia.pcap"
MODEL="$TMP/model.db"
"$HABIT" replay -q --mode discover --model "$MODEL" "$GOOD" || fail "learning the base model"
digest() { sha256sum "$MODEL" | cut -d' ' -f1; }
BEFORE=$(digest)

# expect_bad NAME PATTERN -- habit args...: exit 2, one line matching PATTERN,
# the model unchanged and no stray model created.
expect_bad() {
  local name=$1 pattern=$2
  shift 3
  local rc=0
  "$HABIT" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  [ "$rc" = 2 ] || fail "$name: exit $rc, expected 2 ($(cat "$TMP/err"))"
  grep -Eq -- "$pattern" "$TMP/err" || fail "$name: message '$(cat "$TMP/err")' does not match /$pattern/"
  [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q '^habit: ' "$TMP/err" ||
    fail "$name: expected one 'habit:' line, got: $(cat "$TMP/err")"
  [ "$(digest)" = "$BEFORE" ] || fail "$name: the model changed"
  [ ! -e "$TMP/new.db" ] || fail "$name: a new model file was left behind"
  [ ! -e "$MODEL-wal" ] || [ ! -s "$MODEL-wal" ] || fail "$name: a write-ahead log was left"
  pass "$name: $(head -1 "$TMP/err")"
}

# Captures.
printf '' >"$TMP/empty.pcap"
echo "this is not a capture" >"$TMP/text.pcap"
size=$(stat -c %s "$GOOD")
head -c $((size - 7)) "$GOOD" >"$TMP/cut.pcap"
# A pcap header with link type 147 (USER0) and one 4-byte record.
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x93\x00\x00\x00' >"$TMP/user0.pcap"
printf '\x01\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x04\x00\x00\x00abcd' >>"$TMP/user0.pcap"

for mode in discover monitor; do
  for target in "$MODEL" "$TMP/new.db"; do
    [ "$mode" = monitor ] && [ "$target" = "$TMP/new.db" ] && continue
    t=$(basename "$target")
    expect_bad "$mode/$t missing file" "missing\.pcap: cannot open: No such file" -- \
      replay -q --mode "$mode" --model "$target" "$TMP/missing.pcap"
    expect_bad "$mode/$t empty file" "empty\.pcap: empty file" -- \
      replay -q --mode "$mode" --model "$target" "$TMP/empty.pcap"
    expect_bad "$mode/$t not a pcap" "text\.pcap: not a pcap or pcapng capture" -- \
      replay -q --mode "$mode" --model "$target" "$TMP/text.pcap"
    expect_bad "$mode/$t cut mid-record" "cut\.pcap: record [0-9]+: the file ends mid-record" -- \
      replay -q --mode "$mode" --model "$target" "$TMP/cut.pcap"
    expect_bad "$mode/$t cut after a good file" "cut\.pcap: record [0-9]+: the file ends mid-record" -- \
      replay -q --mode "$mode" --model "$target" "$GOOD" "$TMP/cut.pcap"
    expect_bad "$mode/$t unknown link type" "user0\.pcap: unsupported link type 147" -- \
      replay -q --mode "$mode" --model "$target" "$TMP/user0.pcap"
  done
done

# Configuration.
printf 'services:\n  web:\n    members:\n      - cidr: 10.0.0.1/32\n     ports: [80]\n' >"$TMP/syntax.yaml"
printf 'services:\n  web:\n    members:\n      - cidr: 10.0.0.1/32\n        prots: [80]\n' >"$TMP/unknown.yaml"
for target in "$MODEL" "$TMP/new.db"; do
  expect_bad "yaml syntax error" "syntax\.yaml:[0-9]+:[0-9]+: .*syntax" -- \
    replay -q --mode discover --config "$TMP/syntax.yaml" --model "$target" "$GOOD"
  expect_bad "yaml unknown key" "unknown\.yaml:5:9: unknown key 'prots'" -- \
    replay -q --mode discover --config "$TMP/unknown.yaml" --model "$target" "$GOOD"
done

# Models that are not habit's: never touched.
cp "$TMP/text.pcap" "$TMP/text.db"
printf '' >"$TMP/empty.db"
python3 - "$TMP/other.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("create table t(x)"); c.commit()
PY
for bad in text.db empty.db other.db; do
  sum=$(sha256sum "$TMP/$bad" | cut -d' ' -f1)
  for mode in discover monitor; do
    expect_bad "$mode model $bad" "$bad: not a habit model" -- \
      replay -q --mode "$mode" --model "$TMP/$bad" "$GOOD"
  done
  expect_bad "policy show $bad" "$bad: not a habit model" -- policy show --model "$TMP/$bad"
  [ "$(sha256sum "$TMP/$bad" | cut -d' ' -f1)" = "$sum" ] || fail "$bad was modified"
done
expect_bad "monitor without a model" "new\.db: no such model" -- \
  replay -q --mode monitor --model "$TMP/new.db" "$GOOD"

# Usage.
expect_bad "no capture" "no capture files given" -- replay --model "$MODEL"
expect_bad "bad mode" "--mode must be discover or monitor" -- replay --mode watch --model "$MODEL" "$GOOD"
expect_bad "unknown command" "unknown command 'frobnicate'" -- frobnicate
pass "all bad input refused with exit 2 and no model change"
