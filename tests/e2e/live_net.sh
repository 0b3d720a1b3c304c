#!/usr/bin/env bash
# Live network collection, end to end: two network namespaces joined by a
# veth pair, a web server and a TCP echo server in one, a client in the
# other. `habit collect net` captures the client's side and sends to
# `habit engine` over ipc://, which learns; tcpdump records the same
# interface. Then:
#  - the engine learned exactly what `habit replay` learns from tcpdump's
#    capture (`habit policy show` outputs equal but for the header line
#    and the times, which two packet sockets may stamp 1 us apart);
#  - the engine, restarted in monitor mode on that model, raises nothing on
#    the same traffic and a violation for a port never used, and publishes
#    it on a PUB socket to `habit alerts --subscribe`;
#  - a collector that cannot reach its interface, or a bad filter, exits 2
#    with one line.
# Traffic stays between the two namespaces.
source "$(dirname "$0")/_lib.sh"
command -v tcpdump >/dev/null || fail "needs tcpdump"
PY=$(command -v python3) || fail "needs python3"
NA="hbA$$" NB="hbB$$" VA="hva$$" VB="hvb$$"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$NA" 2>/dev/null || true
  ip netns del "$NB" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

ip netns add "$NA"
ip netns add "$NB"
ip link add "$VA" type veth peer name "$VB"
ip link set "$VA" netns "$NA"
ip link set "$VB" netns "$NB"
for ns in "$NA" "$NB"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
done
ip -n "$NA" addr add 10.199.0.1/24 dev "$VA"
ip -n "$NB" addr add 10.199.0.2/24 dev "$VB"
ip -n "$NA" link set "$VA" up
ip -n "$NB" link set "$VB" up

# Servers in B: HTTP on 8080, a TCP echo on 9000.
mkdir -p "$TMP/www" && echo "hello from B" >"$TMP/www/index.html"
ip netns exec "$NB" "$PY" -m http.server 8080 --bind 10.199.0.2 --directory "$TMP/www" \
  >/dev/null 2>&1 &
PIDS+=($!)
cat >"$TMP/echo.py" <<'PY'
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.199.0.2", 9000)); s.listen(16)
while True:
    c, _ = s.accept()
    data = c.recv(4096)
    c.sendall(data); c.close()
PY
ip netns exec "$NB" "$PY" "$TMP/echo.py" >/dev/null 2>&1 &
PIDS+=($!)

cat >"$TMP/client.py" <<'PY'
import socket, sys, time, urllib.request
host = "10.199.0.2"
def wait(port):
    for _ in range(100):
        try:
            socket.create_connection((host, port), 0.2).close(); return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"server {port} never came up")
if sys.argv[1] == "wait":
    wait(8080); wait(9000); sys.exit(0)
if sys.argv[1] == "traffic":
    for i in range(5):
        body = urllib.request.urlopen(f"http://{host}:8080/index.html", timeout=5).read()
        assert body == b"hello from B\n", body
    for i in range(3):
        c = socket.create_connection((host, 9000), 5)
        c.sendall(b"ping %d" % i); assert c.recv(64) == b"ping %d" % i; c.close()
    time.sleep(0.3)
if sys.argv[1] == "newport":
    try:
        socket.create_connection((host, 9999), 1).close()
    except OSError:
        pass
    time.sleep(0.3)
PY
# The wait probes are flows too: they happen before anything captures.
ip netns exec "$NA" "$PY" "$TMP/client.py" wait || fail "servers did not start"

cat >"$TMP/c.yaml" <<'YAML'
networks:
  internal: [10.199.0.0/24]
flows:
  timeouts: {tcp_closed: 1}
YAML

# wait_for FILE PATTERN: until the line appears (10 s).
wait_for() {
  for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $1: $(tail -3 "$1" 2>/dev/null)"
}
# stop PID: SIGTERM and wait for it.
stop() { kill -TERM "$1"; wait "$1" || fail "pid $1 exited $?"; }

SOCK="ipc://$TMP/engine.sock"
"$HABIT" engine --model "$TMP/live.db" --listen "$SOCK" --config "$TMP/c.yaml" \
  --mode discover --flush 1 2>"$TMP/engine.log" &
ENG=$!; PIDS+=($ENG)
wait_for "$TMP/engine.log" "listening on"
ip netns exec "$NA" tcpdump -i "$VA" --immediate-mode --time-stamp-precision=nano -U -w "$TMP/live.pcap" 2>"$TMP/tcpdump.log" &
TCPD=$!; PIDS+=($TCPD)
ip netns exec "$NA" "$HABIT" collect net --iface "$VA" --connect "$SOCK" \
  --config "$TMP/c.yaml" 2>"$TMP/collect.log" &
COL=$!; PIDS+=($COL)
wait_for "$TMP/tcpdump.log" "listening on"
wait_for "$TMP/collect.log" "capturing on"
sleep 0.5

ip netns exec "$NA" "$PY" "$TMP/client.py" traffic || fail "traffic failed"
sleep 0.5
stop "$COL"
kill -INT "$TCPD"; wait "$TCPD" || true
wait_for "$TMP/engine.log" "ended"
stop "$ENG"
grep -q "collect net $VA: packets [1-9]" "$TMP/collect.log" || fail "collector: $(cat "$TMP/collect.log")"
grep -q "dropped: kernel 0, bus 0" "$TMP/collect.log" || fail "drops: $(cat "$TMP/collect.log")"
grep -q "learned 8," "$TMP/engine.log" || fail "engine did not learn the 8 flows: $(tail -2 "$TMP/engine.log")"
pass "collector -> engine over ipc: $(grep -o 'packets [0-9]*' "$TMP/collect.log"), 8 flows learned"

"$HABIT" replay -q --config "$TMP/c.yaml" --mode discover --model "$TMP/replay.db" "$TMP/live.pcap"
# Two packet sockets may stamp a frame a microsecond apart: times aside
# (first/last seen, durations), the models must be equal line for line.
untimed() { tail -n +2 | grep -Ev '^ *(first_seen|last_seen|duration_ms):'; }
"$HABIT" policy show --model "$TMP/live.db" | untimed >"$TMP/live.yaml"
"$HABIT" policy show --model "$TMP/replay.db" | untimed >"$TMP/replay.yaml"
diff -u "$TMP/replay.yaml" "$TMP/live.yaml" >"$TMP/diff" || fail "live and replay differ: $(head -30 "$TMP/diff")"
grep -q 'app: "http"' "$TMP/live.yaml" || fail "no http edge: $(cat "$TMP/live.yaml")"
grep -q 'port: 9000' "$TMP/live.yaml" || fail "no echo edge"
pass "live and replay learned the same model ($(grep -c '^  - from' "$TMP/live.yaml") edges)"

# Monitor: the same traffic is quiet; a new port is a violation, published.
"$HABIT" engine --model "$TMP/live.db" --listen "$SOCK" --config "$TMP/c.yaml" \
  --mode monitor --alerts "$TMP/alerts.json" --publish "ipc://$TMP/pub.sock" \
  2>"$TMP/engine2.log" &
ENG=$!; PIDS+=($ENG)
wait_for "$TMP/engine2.log" "listening on"
"$HABIT" alerts --subscribe "ipc://$TMP/pub.sock" --count 1 --timeout 30 >"$TMP/sub.json" &
SUB=$!; PIDS+=($SUB)
sleep 0.3 # the subscription reaches the PUB socket
ip netns exec "$NA" "$HABIT" collect net --iface "$VA" --connect "$SOCK" \
  --config "$TMP/c.yaml" 2>"$TMP/collect2.log" &
COL=$!; PIDS+=($COL)
wait_for "$TMP/collect2.log" "capturing on"
sleep 0.5
ip netns exec "$NA" "$PY" "$TMP/client.py" traffic || fail "traffic failed"
ip netns exec "$NA" "$PY" "$TMP/client.py" newport
sleep 0.5
stop "$COL"
wait_for "$TMP/engine2.log" "ended"
stop "$ENG"
n=$(grep -c '"event_type":"alert"' "$TMP/alerts.json" || true)
[ "$n" = 1 ] || fail "monitor: $n alerts, want 1: $(cat "$TMP/alerts.json")"
grep -q '"signature_id":1001' "$TMP/alerts.json" || fail "not a new-edge violation"
grep -q '"dest_port":9999' "$TMP/alerts.json" || fail "not the new port"
wait "$SUB" || fail "habit alerts --subscribe: exit $?"
cmp -s <(head -1 "$TMP/alerts.json") "$TMP/sub.json" || fail "published alert differs: $(cat "$TMP/sub.json")"
pass "monitor: same traffic quiet, port 9999 -> 1001 violation, published to a subscriber"

# Bad input: one line, exit 2.
set +e
"$HABIT" collect net --iface nosuch0 --connect "$SOCK" 2>"$TMP/err1"; rc1=$?
ip netns exec "$NA" "$HABIT" collect net --iface "$VA" --filter "port port" --connect "$SOCK" 2>"$TMP/err2"; rc2=$?
"$HABIT" engine --model "$TMP/live.db" 2>"$TMP/err3"; rc3=$?
set -e
[ $rc1 = 2 ] && grep -q "nosuch0: cannot capture" "$TMP/err1" || fail "unknown iface: $rc1 $(cat "$TMP/err1")"
[ $rc2 = 2 ] && grep -q "bad filter" "$TMP/err2" || fail "bad filter: $rc2 $(cat "$TMP/err2")"
[ $rc3 = 2 ] && grep -q "required" "$TMP/err3" || fail "engine usage: $rc3 $(cat "$TMP/err3")"
pass "bad interface, bad filter, missing --listen: exit 2 with a message"
