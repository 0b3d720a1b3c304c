#!/usr/bin/env bash
# bench/proc_bus.sh [BUILD_DIR] — process events through the bus: `habit
# collect proc --connect` sends to `habit engine` over ipc:// while a bash
# loop runs N short processes (/bin/true, N=10000 by default); 3 runs.
# Prints per run and as medians: exec events the engine received against
# the loop's count (the engine sees every exec on the machine, so it may
# see a few more), the collector's sent/dropped counts against what the
# engine received (the bus lost nothing if they agree), and events per
# second through the bus over the loop's duration. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
habit=$build/habit
n=${N:-10000}
runs=${RUNS:-3}
[ -x "$habit" ] || { echo "build habit first ($habit)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
num() { sed -n "s/.*$1 \([0-9]*\).*/\1/p" "$2" | tail -1; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '| run | loop execs | engine execs | collector sent | dropped | engine events | loop s | events/s |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for r in $(seq "$runs"); do
  sock="ipc://$work/e$r.sock"
  "$habit" engine --model "$work/m$r.db" --listen "$sock" 2>"$work/eng$r" &
  eng=$!
  until grep -q "listening on" "$work/eng$r" 2>/dev/null; do
    if ! kill -0 "$eng" 2>/dev/null; then cat "$work/eng$r" >&2; exit 1; fi
    sleep 0.05
  done
  "$habit" collect proc --connect "$sock" 2>"$work/col$r" &
  col=$!
  until grep -q listening "$work/col$r"; do sleep 0.05; done
  t0=${EPOCHREALTIME/./}
  bash -c 'for ((i = 0; i < $1; i++)); do /bin/true; done' _ "$n"
  t1=${EPOCHREALTIME/./}
  sleep 1
  kill -TERM "$col"; wait "$col"
  sleep 1
  kill -TERM "$eng"; wait "$eng"
  execs=$(num "exec" "$work/eng$r")
  fork=$(num "fork" "$work/eng$r") exitn=$(num "exit" "$work/eng$r") ex=$(num "existing" "$work/eng$r")
  total=$((execs + fork + exitn + ex))
  sent=$(sed -n 's/.*sent \([0-9]*\), dropped \([0-9]*\).*/\1/p' "$work/col$r" | tail -1)
  dropped=$(sed -n 's/.*sent \([0-9]*\), dropped \([0-9]*\).*/\2/p' "$work/col$r" | tail -1)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e6}')
  rate=$(awk -v e="$total" -v s="$secs" 'BEGIN {printf "%.0f", e / s}')
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$r" "$n" "$execs" "$sent" "$dropped" \
    "$total" "$secs" "$rate"
  echo "$execs $rate" >>"$work/rows"
done
echo
echo "median engine execs $(cut -d' ' -f1 "$work/rows" | median) of $n; median events/s $(cut -d' ' -f2 "$work/rows" | median)"
