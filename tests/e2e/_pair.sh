# tests/e2e/_pair.sh — two hosts in network namespaces joined by a veth pair
# (sourced after _lib.sh, not run). pair_up TAG NET4 NET6 makes namespaces
# <TAG>A$$ (client: NET4.1, NET6::1) and <TAG>B$$ (server: NET4.2, NET6::2)
# and sets NA NB VA VB; the EXIT trap kills PIDS and removes them. Traffic
# stays between the two. wait_for FILE TEXT waits up to 15 s for TEXT.
PY=$(command -v python3)
PIDS=()
pair_cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$NA" 2>/dev/null || true
  ip netns del "$NB" 2>/dev/null || true
  rm -rf "$TMP"
}
wait_for() {
  for _ in $(seq 150); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $1: $(tail -3 "$1" 2>/dev/null)"
}
pair_up() {
  local tag=$1 net4=$2 net6=$3
  NA="${tag}A$$" NB="${tag}B$$" VA="${tag}a$$" VB="${tag}b$$"
  trap pair_cleanup EXIT
  ip netns add "$NA"
  ip netns add "$NB"
  ip link add "$VA" type veth peer name "$VB"
  ip link set "$VA" netns "$NA"
  ip link set "$VB" netns "$NB"
  ip -n "$NA" link set lo up
  ip -n "$NB" link set lo up
  ip -n "$NA" addr add "$net4.1/24" dev "$VA"
  ip -n "$NB" addr add "$net4.2/24" dev "$VB"
  ip -n "$NA" addr add "$net6::1/64" dev "$VA" nodad
  ip -n "$NB" addr add "$net6::2/64" dev "$VB" nodad
  ip -n "$NA" link set "$VA" up
  ip -n "$NB" link set "$VB" up
}
