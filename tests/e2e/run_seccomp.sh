#!/usr/bin/env bash
# habit run: a command under its service's seccomp profile, end to end, with
# tests/tools/syscall_probe (prints "ok"; with "getpriority" it also makes
# that call and prints the result):
#  - discover records the probe's syscalls into the service (policy show);
#  - protect: the probe runs; a call it never made in discover fails with
#    "Operation not permitted", also in a child (sh -c); --kill kills it
#    with SIGSYS (exit 159);
#  - monitor: the call passes and is reported;
#  - learning it in discover, then protect lets it through;
#  - without --mode, the mode set with `policy mode` is used, and followed
#    while the command runs (protect -> monitor lets the call through);
#  - policy export --format seccomp: an OCI/Docker profile with the names;
#  - bad usage and an unlearned service: exit 2 with one line.
source "$(dirname "$0")/_lib.sh"
PROBE="$HABIT_BUILD/tests/tools/syscall_probe"
[ -x "$PROBE" ] || fail "no $PROBE"
M="$TMP/m.db"
run() { "$HABIT" run --model "$M" --service probe "$@"; }

out=$(run --mode discover -- "$PROBE" 2>"$TMP/err") || fail "discover exit $?: $(cat "$TMP/err")"
[ "$out" = ok ] || fail "discover output: $out"
grep -q "syscalls seen" "$TMP/err" || fail "no summary: $(cat "$TMP/err")"
"$HABIT" policy show --model "$M" >"$TMP/show"
grep -q '^  "probe": \[.*\bwrite\b' "$TMP/show" || fail "no syscalls listed: $(tail -3 "$TMP/show")"
grep -q 'getpriority' "$TMP/show" && fail "getpriority learned without being made"
pass "discover: $(grep -o '"probe": \[.*' "$TMP/show" | tr ',' '\n' | wc -l) syscalls learned"

out=$(run --mode protect -- "$PROBE") || fail "protect exit $?"
[ "$out" = ok ] || fail "protect broke the learned run: $out"
out=$(run --mode protect -- "$PROBE" getpriority) || fail "protect exit $?"
[ "$out" = "$(printf 'ok\ngetpriority: Operation not permitted')" ] || fail "protect: $out"
out=$(run --mode protect -- sh -c "exec \"$PROBE\" getpriority" 2>&1) || true
grep -q "Operation not permitted" <<<"$out" || fail "a child was not confined: $out"
rc=0
run --mode protect --kill -- "$PROBE" getpriority >/dev/null 2>&1 || rc=$?
[ "$rc" = 159 ] || fail "--kill: exit $rc, want 159 (SIGSYS)"
pass "protect: EPERM for a call never made (also in a child), SIGSYS with --kill"

out=$(run --mode monitor -- "$PROBE" getpriority 2>"$TMP/err") || fail "monitor exit $?"
[ "$out" = "$(printf 'ok\ngetpriority: ok')" ] || fail "monitor changed behavior: $out"
grep -q "syscall getpriority (pid [0-9]*) was never made while learning" "$TMP/err" ||
  fail "monitor did not report: $(cat "$TMP/err")"
pass "monitor: the call passes and is reported"

# Without --mode, the mode `policy mode` sets is followed while the command
# runs: refused in protect, let through once switched to monitor. (The
# probe's sleep between calls is learned first.)
run --mode discover -- "$PROBE" nap >/dev/null 2>&1 || fail "discover nap"
"$HABIT" policy mode --model "$M" probe protect >/dev/null
"$HABIT" run --model "$M" --service probe -- "$PROBE" getpriority-loop 40 >"$TMP/loop.out" \
  2>"$TMP/loop.err" &
RUNPID=$!
for _ in $(seq 50); do grep -q "Operation not permitted" "$TMP/loop.out" && break; sleep 0.1; done
grep -q "^getpriority: Operation not permitted$" "$TMP/loop.out" || fail "follow: not refused: $(cat "$TMP/loop.out" "$TMP/loop.err")"
"$HABIT" policy mode --model "$M" probe monitor >/dev/null
wait "$RUNPID" || fail "follow: exit $?: $(cat "$TMP/loop.err")"
[ "$(tail -1 "$TMP/loop.out")" = "getpriority: ok" ] || fail "follow: not let through after the switch: $(tail -3 "$TMP/loop.out")"
grep -q "syscall getpriority (pid [0-9]*) was never made while learning (protect: refused)" "$TMP/loop.err" &&
  grep -q "now in monitor (policy mode)" "$TMP/loop.err" || fail "follow: $(cat "$TMP/loop.err")"
refused=$(grep -c "Operation not permitted" "$TMP/loop.out") passed=$(grep -c ": ok$" "$TMP/loop.out")
pass "the model's mode is followed while it runs: $refused calls refused in protect, $passed let through after policy mode monitor (no restart)"

run --mode discover -- "$PROBE" getpriority >/dev/null 2>&1
out=$(run --mode protect -- "$PROBE" getpriority) || fail "exit $?"
[ "$out" = "$(printf 'ok\ngetpriority: ok')" ] || fail "learned call still refused: $out"
"$HABIT" policy mode --model "$M" probe protect >/dev/null
out=$("$HABIT" run --model "$M" --service probe -- sh -c "exec \"$PROBE\"; ls /" 2>"$TMP/err") || true
[ "$out" = ok ] || fail "mode from the model: $out $(cat "$TMP/err")"
pass "learning again lets the call through; the model's mode is used"

"$HABIT" policy export --model "$M" --format seccomp --output "$TMP/profile.json"
python3 - "$TMP/profile.json" <<'PY' || fail "bad profile: $(cat "$TMP/profile.json")"
import json, os, sys
p = json.load(open(sys.argv[1]))
assert p["defaultAction"] == "SCMP_ACT_ERRNO" and p["defaultErrnoRet"] == 1, p
native = {"x86_64": "SCMP_ARCH_X86_64", "aarch64": "SCMP_ARCH_AARCH64"}.get(os.uname().machine, "SCMP_ARCH_NATIVE")
assert native in p["architectures"], p
rules = p["syscalls"]
assert len(rules) == 1 and rules[0]["action"] == "SCMP_ACT_ALLOW", rules
names = rules[0]["names"]
assert names == sorted(names) and len(set(names)) == len(names), names
for n in ("getpriority", "write", "execve", "exit_group"):
    assert n in names, n
print(len(names), "names")
PY
"$HABIT" policy export --model "$M" --format seccomp --kill | grep -c '"defaultAction":"SCMP_ACT_KILL_PROCESS"' >/dev/null ||
  fail "--kill profile"
pass "policy export --format seccomp: an OCI profile"

expect_usage() {
  local rc=0
  "$@" >/dev/null 2>"$TMP/err" || rc=$?
  [ "$rc" = 2 ] || fail "$*: exit $rc, want 2"
  [ "$(wc -l <"$TMP/err")" = 1 ] || fail "$*: $(cat "$TMP/err")"
}
expect_usage "$HABIT" run --model "$M" --service probe
expect_usage "$HABIT" run --model "$M" --service nobody --mode protect -- /bin/true
expect_usage "$HABIT" run --model "$M" --service probe --mode sideways -- /bin/true
expect_usage "$HABIT" policy export --model "$M" --format yaml
expect_usage "$HABIT" policy export --model "$M" --format seccomp --service nobody
pass "bad usage: exit 2 with one line"
