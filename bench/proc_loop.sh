#!/usr/bin/env bash
# bench/proc_loop.sh [BUILD_DIR] — the process collector under a fork/exec
# storm: a bash loop runs N short processes (/bin/true, N=10000 by default)
# while `habit collect proc --output` records; 3 runs. Prints, per run and
# as medians: exec events of the loop seen vs. the loop's count, how many
# of them were enriched (exe read before the process was gone), events
# written per second of the loop (exec + fork + exit of the loop's
# children), the loop's own rate with and without the collector, and the
# collector's losses (ENOBUFS overruns, sequence gaps). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
habit=$build/habit
n=${N:-10000}
runs=${RUNS:-3}
[ -x "$habit" ] || { echo "build habit first ($habit)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

loop() { # prints the loop's pid, then its wall time in ns; it forks nothing
  # but the N processes ($EPOCHREALTIME is a bash builtin, not date(1))
  bash -c 'echo $$; t0=${EPOCHREALTIME/./}; for ((i = 0; i < $1; i++)); do /bin/true; done
           t1=${EPOCHREALTIME/./}; echo $(( (t1 - t0) * 1000 ))' _ "$n"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for r in $(seq "$runs"); do
  base=$(loop | tail -1)
  "$habit" collect proc --output "$work/p$r.json" 2>"$work/e$r" &
  pid=$!
  until grep -q listening "$work/e$r"; do sleep 0.05; done
  mapfile -t out < <(loop)
  loop_pid=${out[0]} ns=${out[1]}
  sleep 0.5
  # the collector's CPU time (utime + stime, clock ticks) for its capacity
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill -TERM "$pid"
  wait "$pid"
  python3 - "$work/p$r.json" "$loop_pid" "$n" "$ns" "$base" "$work/e$r" "$ticks" "$(getconf CLK_TCK)" <<'PY' >>"$work/rows"
import json, re, sys
path, loop_pid, n, ns, base, errf = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
cpu = int(sys.argv[7]) / int(sys.argv[8])
execs = enriched = events = 0
for line in open(path):
    p = json.loads(line)["proc"]
    if p.get("ppid") != loop_pid:
        continue
    if p["op"] in ("exec", "fork", "exit"):
        events += 1
    if p["op"] == "exec":
        execs += 1
        enriched += p.get("exe") == "/usr/bin/true"
err = open(errf).read()
over = int(re.search(r"overruns \(ENOBUFS\) (\d+)", err).group(1))
lost = int(re.search(r"events lost (\d+)", err).group(1))
total = sum(1 for _ in open(path))
print(execs, enriched, events / (ns / 1e9), n / (ns / 1e9), n / (base / 1e9), over, lost,
      total / cpu if cpu > 0 else 0)
PY
  read -r e en eps lps bps over lost cap < <(tail -1 "$work/rows")
  printf 'run %d: execs seen %d / %d, enriched %d, %.0f events/s, loop %.0f/s (alone %.0f/s), overruns %d, lost %d, %.0f events per CPU-second of the collector\n' \
    "$r" "$e" "$n" "$en" "$eps" "$lps" "$bps" "$over" "$lost" "$cap"
done
col() { awk -v c="$1" '{print $c}' "$work/rows" | median; }
printf '\nmedian of %d: execs seen %s / %d, enriched %s, %.0f events/s; loop %.0f processes/s with the collector, %.0f/s without; collector %.0f events per CPU-second\n' \
  "$runs" "$(col 1)" "$n" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 8)"
