# tests/e2e/_live.sh — shared by the live tests (sourced after _lib.sh):
# a private network namespace with only its loopback up, web servers on
# 127.0.0.1, a client, and waits on logs and models. Traffic never leaves
# the namespace. The caller sets NS and calls live_setup PORT...
PY=$(command -v python3) || fail "needs python3"
PIDS=()
live_cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$TMP"
}
trap live_cleanup EXIT

# live_setup PORT...: the namespace, and an HTTP server on each port,
# each answering "ok". The servers are up (probed) before the caller starts
# capturing, so the probes are no flows of the test.
live_setup() {
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  mkdir -p "$TMP/www" && echo ok >"$TMP/www/index.html"
  cat >"$TMP/get.py" <<'PY'
import socket, sys, time, urllib.request
port, n = int(sys.argv[1]), int(sys.argv[2])
if n == 0:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close(); sys.exit(0)
        except OSError:
            time.sleep(0.1)
    sys.exit(f"no server on {port}")
for _ in range(n):
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read() == b"ok\n"
PY
  local port
  for port in "$@"; do
    ip netns exec "$NS" "$PY" -m http.server "$port" --bind 127.0.0.1 --directory "$TMP/www" \
      >/dev/null 2>&1 &
    PIDS+=($!)
  done
  for port in "$@"; do ip netns exec "$NS" "$PY" "$TMP/get.py" "$port" 0; done
}

# get PORT N: N HTTP requests (one connection each) to 127.0.0.1:PORT.
get() { ip netns exec "$NS" "$PY" "$TMP/get.py" "$1" "$2"; }

# wait_for FILE TEXT: until the text appears in the file (15 s).
wait_for() {
  for _ in $(seq 150); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $1: $(tail -3 "$1" 2>/dev/null)"
}

# flows_on PORT: the flows of the model's edges to that port ($TMP/m.db).
flows_on() {
  "$HABIT" policy show --model "$TMP/m.db" 2>/dev/null |
    awk -v p="$1" '/^  - from:/{e=0} $1=="port:" && $2==p {e=1} e && $1=="flows:" {n+=$2; e=0}
                   END {print n+0}'
}

# until_flows PORT N: until the model holds N flows to PORT (10 s).
until_flows() {
  for _ in $(seq 100); do [ "$(flows_on "$1")" = "$2" ] && return 0; sleep 0.1; done
  fail "port $1: $(flows_on "$1") flows, want $2"
}

# collector LOG [ARGS...]: `habit collect net` on the namespace's loopback,
# to $SOCK with $TMP/c.yaml, capturing when it returns; its pid in COL.
collector() {
  local log=$1
  shift
  ip netns exec "$NS" "$HABIT" collect net --iface lo --connect "$SOCK" --config "$TMP/c.yaml" \
    "$@" 2>"$log" &
  COL=$!
  PIDS+=($COL)
  wait_for "$log" "capturing on"
  sleep 0.3
}
