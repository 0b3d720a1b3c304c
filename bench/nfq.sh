#!/usr/bin/env bash
# bench/nfq.sh [BUILD_DIR] — the cost of habit enforce net on new connections.
# Two network namespaces (client 10.197.0.1, server 10.197.0.2, a TCP
# server that accepts and closes); the client opens N connections one after
# another (N=2000) and times each connect(); 3 runs of each setup, in the
# same run:
#   none      no rules (the floor);
#   discover  the rules and habit's queue, the service in discover: habit
#             decodes and names the connection, then accepts it (the plain
#             ACCEPT verdict: what queueing itself costs);
#   protect   the service in protect: the edge is looked up in the model and
#             the connection (learned) is accepted.
# Prints median and p99 connect latency and connections/s per setup
# (medians over runs) and the added latency against none. Established
# packets never reach the queue (conntrack NEW only), so data flows are not
# slowed; this measures the first packet. The client closes with a reset,
# so the 18,000 connections of a run leave no TIME_WAIT behind (which
# slowed every setup measured after the first ~14,000). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
habit=$build/habit
n=${N:-2000}
runs=${RUNS:-3}
[ -x "$habit" ] || { echo "build habit first ($habit)" >&2; exit 2; }
work=$(mktemp -d)
NA=hbnA$$ NB=hbnB$$
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$NA" 2>/dev/null || true
  ip netns del "$NB" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$NA"; ip netns add "$NB"
ip link add va$$ type veth peer name vb$$
ip link set va$$ netns "$NA"; ip link set vb$$ netns "$NB"
ip -n "$NA" addr add 10.197.0.1/24 dev va$$; ip -n "$NB" addr add 10.197.0.2/24 dev vb$$
for ns in "$NA" "$NB"; do ip -n "$ns" link set lo up; done
ip -n "$NA" link set va$$ up; ip -n "$NB" link set vb$$ up
cat >"$work/server.py" <<'PY'
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.197.0.2", 7000)); s.listen(512)
while True:
    c, _ = s.accept(); c.close()
PY
cat >"$work/client.py" <<'PY'
import socket, struct, sys, time
n = int(sys.argv[1]); lat = []
abort = struct.pack("ii", 1, 0)  # close with a reset: no TIME_WAIT piles up between runs
t0 = time.perf_counter()
for _ in range(n):
    t = time.perf_counter()
    c = socket.create_connection(("10.197.0.2", 7000), 5)
    lat.append(time.perf_counter() - t)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, abort); c.close()
total = time.perf_counter() - t0
lat.sort()
print(f"{lat[len(lat)//2]*1e6:.1f} {lat[int(len(lat)*0.99)]*1e6:.1f} {n/total:.0f}")
PY
ip netns exec "$NB" python3 "$work/server.py" & pids+=($!)
sleep 0.5
cat >"$work/c.yaml" <<'YAML'
services:
  srv: {members: [{ip: 10.197.0.2}]}
  cli: {members: [{ip: 10.197.0.1}]}
YAML
# A model with the edge cli -> srv tcp/7000, learned live.
"$habit" engine --config "$work/c.yaml" --model "$work/m.db" --listen "ipc://$work/e.sock" \
  --flush 1 2>"$work/eng.log" & eng=$!
sleep 0.5
ip netns exec "$NB" "$habit" collect net --iface vb$$ --connect "ipc://$work/e.sock" \
  --config "$work/c.yaml" 2>"$work/col.log" & col=$!
sleep 1
ip netns exec "$NA" python3 "$work/client.py" 20 >/dev/null
sleep 12
kill -TERM "$col"; wait "$col" || true
kill -TERM "$eng"; wait "$eng" || true
"$habit" policy show --model "$work/m.db" >"$work/show"
grep -q "port: 7000" "$work/show" ||
  { echo "no edge learned" >&2; cat "$work/eng.log" "$work/col.log" >&2; exit 1; }

measure() { ip netns exec "$NA" python3 "$work/client.py" "$n"; }
enforcer_up() {
  "$habit" policy mode --model "$work/m.db" srv "$1" >/dev/null
  ip netns exec "$NB" "$habit" enforce net --model "$work/m.db" --config "$work/c.yaml" -q \
    2>"$work/enf.log" & enf=$!
  for _ in $(seq 50); do ip netns exec "$NB" iptables -S 2>/dev/null | grep -q NFQUEUE && break; sleep 0.1; done
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '| setup | run | connect median µs | connect p99 µs | connections/s |\n|---|---|---|---|---|\n'
for setup in ${SETUPS:-none discover protect}; do
  : >"$work/$setup"
  for r in $(seq "$runs"); do
    [ "$setup" = none ] || enforcer_up "$setup"
    row=$(measure)
    [ "$setup" = none ] || { kill -TERM "$enf"; wait "$enf" || true; }
    echo "$row" >>"$work/$setup"
    read -r med p99 rate <<<"$row"
    printf '| %s | %s | %s | %s | %s |\n' "$setup" "$r" "$med" "$p99" "$rate"
  done
done
echo
base=$(cut -d' ' -f1 "$work/none" | median)
for setup in ${SETUPS:-none discover protect}; do
  med=$(cut -d' ' -f1 "$work/$setup" | median) p99=$(cut -d' ' -f2 "$work/$setup" | median)
  rate=$(cut -d' ' -f3 "$work/$setup" | median)
  awk -v s="$setup" -v m="$med" -v p="$p99" -v r="$rate" -v b="$base" \
    'BEGIN {printf "%-8s median %s µs (+%.1f µs, %.2fx), p99 %s µs, %s connections/s\n", s, m, m - b, m / b, p, r}'
done
