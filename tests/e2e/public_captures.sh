#!/usr/bin/env bash
# Every public capture replays in both modes with exit 0; the packet count
# habit reports equals capinfos -c; monitor against the model learned from
# the same capture raises no violation and no anomaly (threats may stand:
# some captures are scans).
source "$(dirname "$0")/_lib.sh"
command -v capinfos >/dev/null || fail "capinfos (wireshark-common) is needed"
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  m="$TMP/m$n.db"
  "$HABIT" replay --mode discover --model "$m" --no-progress "$f" 2>"$TMP/d.err" ||
    fail "$f: discover exited $? ($(cat "$TMP/d.err"))"
  "$HABIT" replay --mode monitor --model "$m" --alerts "$TMP/a.json" --no-progress "$f" \
    2>"$TMP/m.err" || fail "$f: monitor exited $? ($(cat "$TMP/m.err"))"
  want=$(capinfos -c -M -T -r "$f" | cut -f2)
  got=$(summary_packets "$TMP/m.err")
  [ "$want" = "$got" ] || fail "$f: habit counted $got packets, capinfos $want"
  v=$(count_category "$TMP/a.json" violation)
  a=$(count_category "$TMP/a.json" anomaly)
  [ "$v" = 0 ] && [ "$a" = 0 ] ||
    fail "$f: self-replay raised $v violations and $a anomalies: $(head -c 600 "$TMP/a.json")"
  rm -f "$m" "$m-wal" "$m-shm"
done < <(find "$SHARED/datasets/zeek" "$SHARED/datasets/esnet" "$SHARED/datasets/ndpi" \
  "$SHARED/datasets/pcaphunt" "$SHARED/datasets/dns-tunnel" -type f \
  \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
[ "$n" -gt 200 ] || fail "found only $n captures under $SHARED/datasets"
pass "$n captures replayed in both modes, packet counts equal capinfos"
