#!/usr/bin/env bash
# bench/replay.sh [BUILD_DIR] — habit replay against the floor (tcpdump) and
# a DPI peer (ndpiReader) on the anchor capture of DESIGN §7, in one run, on
# one core (taskset -c 0). Prints a markdown table: median wall time of 5
# runs (hyperfine, 1 warm-up), packets/s, ratio to tcpdump, peak RSS; then
# the cost of DPI (L7 identification + packet threats + leak scanning): the
# monitor run against the same run with --no-dpi.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
habit=$build/habit
cap=$build/bench/anchor.pcap
runs=${RUNS:-5}
[ -x "$habit" ] || { echo "build habit first ($habit)" >&2; exit 2; }
if [ ! -s "$cap" ]; then
  mkdir -p "$build/bench"
  bench/make_capture.sh "$cap" "${COPIES:-30}"
fi
packets=$(capinfos -c -M -T -r "$cap" | cut -f2)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
model=$work/anchor.db
"$habit" replay -q --no-progress --mode discover --model "$model" "$cap"
# the baseline checks against a model learned without DPI too (no apps)
"$habit" replay -q --no-progress --no-dpi --mode discover --model "$work/nodpi.db" "$cap"

declare -A cmd=(
  [tcpdump]="tcpdump -r $cap -w /dev/null"
  [ndpiReader]="ndpiReader -i $cap -q"
  [habit-monitor]="$habit replay -q --no-progress --mode monitor --model $model $cap"
  [habit-monitor-no-dpi]="$habit replay -q --no-progress --no-dpi --mode monitor --model $work/nodpi.db $cap"
  [habit-discover]="$habit replay -q --no-progress --mode discover --model $work/fresh.db $cap"
)
order=(tcpdump ndpiReader habit-monitor habit-monitor-no-dpi habit-discover)
hf=(hyperfine --runs "$runs" --warmup 1 --export-json "$work/h.json" -N)
for k in "${order[@]}"; do
  if [ "$k" = habit-discover ]; then
    hf+=(--prepare "rm -f $work/fresh.db $work/fresh.db-wal $work/fresh.db-shm")
  else
    hf+=(--prepare true)
  fi
  hf+=(-n "$k" "taskset -c 0 ${cmd[$k]}")
done
"${hf[@]}" >"$work/hyperfine.txt" 2>&1 || { cat "$work/hyperfine.txt"; exit 1; }

rss() { # median peak RSS (MiB) of 3 runs
  for _ in 1 2 3; do
    rm -f "$work/fresh.db"*
    /usr/bin/time -f %M taskset -c 0 $1 2>&1 >/dev/null | tail -1
  done | sort -n | sed -n 2p | awk '{printf "%.0f", $1/1024}'
}
echo "capture: $cap ($packets packets, $(du -m "$cap" | cut -f1) MiB), one core, median of $runs"
echo
echo "| command | median wall | packets/s | vs tcpdump | peak RSS |"
echo "|---|---|---|---|---|"
python3 - "$work/h.json" "$packets" <<'PY' >"$work/table"
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
pk = int(sys.argv[2])
base = res["tcpdump"]["median"]
for name, r in res.items():
    m = r["median"]
    print(f"{name}\t{m:.3f}\t{pk / m / 1e6:.2f}\t{m / base:.2f}")
PY
while IFS=$'\t' read -r name med mpps ratio; do
  echo "| $name | ${med} s | ${mpps} M | ${ratio}x | $(rss "${cmd[$name]}") MiB |"
done <"$work/table"
python3 - "$work/h.json" <<'PY'
import json, sys
res = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
print(f"\nDPI cost: monitor {res['habit-monitor']:.3f} s / --no-dpi {res['habit-monitor-no-dpi']:.3f} s"
      f" = {res['habit-monitor'] / res['habit-monitor-no-dpi']:.2f}x")
PY
