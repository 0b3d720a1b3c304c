#!/usr/bin/env bash
# bench/make_capture.sh OUT [COPIES]
# The anchor capture of DESIGN §7: every Ethernet capture in
# ../shared/datasets/{ndpi,zeek,esnet}, concatenated COPIES times (30). Each
# piece is shifted in time to start one second after the previous one ends,
# so the result is one long capture whose clock never goes backwards.
set -euo pipefail
out=$1
copies=${2:-30}
shared=${SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mapfile -t files < <(for d in ndpi zeek esnet; do
  find "$shared/datasets/$d" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \)
done | sort)
next=1000000000 # the first piece starts at 2001-09-09 (any fixed epoch will do)
n=0
for copy in $(seq 1 "$copies"); do
  for f in "${files[@]}"; do
    [ "$(capinfos -E -T -r "$f" | cut -f2)" = ether ] || continue
    read -r first last < <(capinfos -a -e -S -T -r "$f" | awk -F'\t' '{print $2, $3}')
    [ -n "$first" ] && [ "$first" != "n/a" ] || continue
    n=$((n + 1))
    shift_s=$(awk -v a="$next" -v b="$first" 'BEGIN { printf "%.6f", a - b }')
    editcap -F pcap -t "$shift_s" "$f" "$work/p$(printf %06d $n).pcap" 2>/dev/null
    next=$(awk -v a="$next" -v b="$first" -v c="$last" 'BEGIN { printf "%.6f", a + (c - b) + 1 }')
  done
done
# mergecap has a limit on open files: join in chunks.
ls "$work"/p*.pcap | split -l 500 - "$work/chunk."
for c in "$work"/chunk.*; do
  mergecap -a -F pcap -w "$c.pcap" $(cat "$c")
done
mergecap -a -F pcap -w "$out" "$work"/chunk.*.pcap
echo "$out: $(capinfos -c -M -T -r "$out" | cut -f2) packets from $n pieces"
