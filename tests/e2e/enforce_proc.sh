#!/usr/bin/env bash
# habit enforce proc, end to end: a service "jail" named by its cgroup.
#  - discover: `collect proc` -> `engine` learn what jail runs (bash, true, id);
#  - protect (`policy mode`): with the enforcer up, jail runs what it learned,
#    and a program it never ran fails to start with "Operation not
#    permitted" (fanotify FAN_OPEN_EXEC_PERM); the same program outside jail
#    runs; the denial is reported (stderr and a JSON verdict line);
#  - back to monitor (`policy mode`, no restart): the program runs again;
#  - protect again, enforcer killed with -9: nothing is denied any more
#    (fanotify is fail-open: the kernel drops the marks with the group);
#  - bad usage: exit 2 with one line.
source "$(dirname "$0")/_lib.sh"
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then CGROOT=/sys/fs/cgroup
elif [ -d /sys/fs/cgroup/unified ]; then CGROOT=/sys/fs/cgroup/unified
else CGROOT=/sys/fs/cgroup/pids; fi
CG="$CGROOT/habit-e2e-jail$$"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rmdir "$CG" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
mkdir "$CG"
# injail SCRIPT: bash running SCRIPT inside the jail's cgroup.
injail() { bash -c 'echo $$ >"$1/cgroup.procs"; exec bash -c "$2"' _ "$CG" "$1"; }
wait_for() {
  for _ in $(seq 150); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $1: $(tail -3 "$1" 2>/dev/null)"
}
cat >"$TMP/c.yaml" <<YAML
services:
  jail:
    members:
      - cgroup: "*/habit-e2e-jail$$"
YAML
M="$TMP/m.db"
SOCK="ipc://$TMP/e.sock"
"$HABIT" engine --config "$TMP/c.yaml" --model "$M" --listen "$SOCK" --flush 1 2>"$TMP/engine.log" &
ENG=$!
PIDS+=($ENG)
wait_for "$TMP/engine.log" "listening on"
"$HABIT" collect proc --connect "$SOCK" 2>"$TMP/proc.log" &
COL=$!
PIDS+=($COL)
wait_for "$TMP/proc.log" "listening"
# Programs that live long enough to be read: sleep keeps each one alive.
injail '/usr/bin/sleep 0.2; /usr/bin/id -u >/dev/null; /usr/bin/true'
sleep 1.5
kill -TERM "$COL"; wait "$COL" || true
kill -TERM "$ENG"; wait "$ENG" || fail "engine exited $?"
"$HABIT" policy show --model "$M" >"$TMP/show"
grep -q 'service: "jail", exe: "/usr/bin/id", parent: "/usr/bin/bash"' "$TMP/show" ||
  fail "jail's programs not learned: $(grep jail "$TMP/show")"
pass "discover: jail ran $(grep -c 'service: "jail", exe' "$TMP/show") programs"

"$HABIT" policy mode --model "$M" jail protect >/dev/null
"$HABIT" enforce proc --model "$M" --config "$TMP/c.yaml" --output "$TMP/verdicts.json" \
  2>"$TMP/enforce.log" &
ENF=$!
PIDS+=($ENF)
wait_for "$TMP/enforce.log" "enforcing on"
out=$(injail '/usr/bin/sleep 0.1 && /usr/bin/id -u && /usr/bin/true && echo LEARNED_OK' 2>&1) ||
  fail "learned programs refused: $out"
grep -q LEARNED_OK <<<"$out" || fail "learned programs: $out"
rc=0
out=$(injail '/usr/bin/whoami' 2>&1) || rc=$?
[ "$rc" = 126 ] && grep -q "/usr/bin/whoami: Operation not permitted" <<<"$out" ||
  fail "whoami in jail: exit $rc: $out"
[ "$(/usr/bin/whoami)" = root ] || fail "whoami outside jail was refused"
wait_for "$TMP/enforce.log" "denied /usr/bin/whoami in jail"
grep -q '"event_type":"verdict","service":"jail","action":"blocked","what":"exec","exe":"/usr/bin/whoami"' \
  "$TMP/verdicts.json" || fail "no verdict line: $(cat "$TMP/verdicts.json")"
pass "protect: learned programs run; whoami in jail: Operation not permitted; outside: runs"

"$HABIT" policy mode --model "$M" jail monitor >/dev/null
ok=""
for _ in $(seq 30); do
  if [ "$(injail /usr/bin/whoami 2>/dev/null)" = root ]; then ok=1; break; fi
  sleep 0.1
done
[ -n "$ok" ] || fail "monitor did not restore whoami"
pass "monitor (no restart): whoami runs again"

"$HABIT" policy mode --model "$M" jail protect >/dev/null
sleep 1.2
injail /usr/bin/whoami >/dev/null 2>&1 && fail "protect again: whoami ran"
kill -9 "$ENF"
wait "$ENF" 2>/dev/null || true
[ "$(injail /usr/bin/whoami)" = root ] || fail "after kill -9 something is still denied"
pass "enforcer killed: nothing left behind (fail-open)"

rc=0
"$HABIT" enforce proc 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] || fail "no --model: exit $rc: $(cat "$TMP/err")"
rc=0
"$HABIT" enforce proc --model "$TMP/none.db" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] || fail "missing model: exit $rc: $(cat "$TMP/err")"
pass "bad usage: exit 2 with one line"
