#!/usr/bin/env bash
# The main job on the data habit ships: discover on the benign shop capture,
# then monitor on the attack capture. Every planted attack (truth file) raises
# an alert of its expected category on its flow, and nothing else raises any;
# the benign capture checked against its own model raises nothing; exit codes
# follow --fail-on-alert; learning twice merges; policy show lists members.
source "$(dirname "$0")/_lib.sh"
DS="$HABIT_BUILD/datasets"
CFG="$HABIT_SRC/datasets/shop.yaml"
M="$TMP/shop.db"
for f in shop-benign.pcap shop-attack.pcap shop-attack.truth.tsv; do
  [ -s "$DS/$f" ] || fail "$DS/$f missing (the build generates it)"
done

"$HABIT" replay -q --config "$CFG" --mode discover --model "$M" "$DS/shop-benign.pcap" ||
  fail "discover exited $?"

# Self-replay: nothing.
rc=0
"$HABIT" replay --config "$CFG" --mode monitor --model "$M" --alerts "$TMP/self.json" \
  --fail-on-alert "$DS/shop-benign.pcap" 2>"$TMP/self.err" || rc=$?
[ "$rc" = 0 ] || fail "benign against its own model: exit $rc, alerts: $(head -c 800 "$TMP/self.json")"
[ ! -s "$TMP/self.json" ] || fail "benign against its own model raised alerts"
pass "benign capture against its own model: no alert, exit 0"

# Attacks: exit 1 under --fail-on-alert, and exactly the planted ones.
rc=0
"$HABIT" replay --config "$CFG" --mode monitor --model "$M" --alerts "$TMP/attack.json" \
  --fail-on-alert "$DS/shop-attack.pcap" 2>"$TMP/attack.err" || rc=$?
[ "$rc" = 1 ] || fail "attack capture: exit $rc, expected 1"
grep -q 'alerts 5 (violation 2, anomaly 1, threat 2)' "$TMP/attack.err" ||
  fail "summary does not count the alerts: $(cat "$TMP/attack.err")"
python3 - "$DS/shop-attack.truth.tsv" "$TMP/attack.json" <<'PY' || fail "alerts do not match the planted attacks"
import csv, json, sys
truth = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
alerts = [json.loads(l) for l in open(sys.argv[2])]
required = {"timestamp", "flow_id", "event_type", "src_ip", "src_port", "dest_ip",
            "dest_port", "proto", "app_proto", "src_service", "dest_service", "alert"}
used = set()
for a in alerts:
    missing = required - a.keys()
    assert not missing, f"alert lacks {missing}: {a}"
    assert a["event_type"] == "alert"
    for k in ("signature_id", "signature", "category", "severity", "action"):
        assert k in a["alert"], f"alert{{}} lacks {k}"
for t in truth:
    for category in t["expected_category"].split(","):
        def matches(a):
            if a["src_ip"] != t["cli_ip"] or a["dest_ip"] != t["srv_ip"]:
                return False
            if t["srv_port"] != "*" and (str(a["src_port"]) != t["cli_port"] or
                                         str(a["dest_port"]) != t["srv_port"]):
                return False
            return a["alert"]["category"] == category
        hits = [i for i, a in enumerate(alerts) if matches(a)]
        assert len(hits) == 1, f"attack {t['id']} ({t['description']}): {len(hits)} {category} alerts"
        used.add(hits[0])
        print(f"ok: attack {t['id']} -> {category}: {alerts[hits[0]]['alert']['signature']}")
extra = [alerts[i] for i in range(len(alerts)) if i not in used]
assert not extra, f"{len(extra)} alerts for nothing planted: {extra[:3]}"
PY
pass "attack capture: each planted attack raised its category, nothing else did, exit 1"

# The explanation carries the learned figure it broke.
grep -q '"signature":"api -> payments tcp/443 (tls) sent 5.4 MB to the server in one connection; learned p99.9 is' \
  "$TMP/attack.json" || fail "the bulk-transfer alert does not explain itself"

# Without --fail-on-alert: exit 0; --alerts - writes to stdout.
"$HABIT" replay -q --config "$CFG" --mode monitor --model "$M" --alerts - \
  "$DS/shop-attack.pcap" >"$TMP/stdout.json" || fail "monitor without --fail-on-alert exited $?"
[ "$(wc -l <"$TMP/stdout.json")" = 5 ] || fail "--alerts - did not write 5 alerts to stdout"

# Flows in both modes, one JSON object a line.
"$HABIT" replay -q --config "$CFG" --mode monitor --model "$M" --flows "$TMP/flows.json" \
  "$DS/shop-benign.pcap"
python3 -c "
import json,sys
n=0
for l in open(sys.argv[1]):
    f=json.loads(l); n+=1
    assert f['event_type']=='flow' and 'flow' in f, f
assert n==1784, n
" "$TMP/flows.json" || fail "flow records"

# Policy: services with members, the whitelist.
"$HABIT" policy show --model "$M" >"$TMP/policy.yaml"
python3 - "$TMP/policy.yaml" <<'PY' || fail "policy show"
import sys, re
text = open(sys.argv[1]).read()
for needle in ['"api":', '"db":', '{address: "10.1.0.30:5432/tcp", role: server',
               'from: "api"\n    to: "payments"\n    proto: tcp\n    port: 443\n    app: "tls"',
               'from: "web"\n    to: "api"\n    proto: tcp\n    port: 8080\n    app: "http"']:
    assert needle in text, f"policy lacks {needle!r}"
PY
grep -q '^  - from:' "$TMP/policy.yaml" || fail "no edges in policy show"
pass "policy show lists services, members and edges"

# Learning twice merges: every count doubles, no new edge.
flows1=$(grep -A6 'from: "web"' "$TMP/policy.yaml" | sed -n 's/ *flows: //p' | head -1)
"$HABIT" replay -q --config "$CFG" --mode discover --model "$M" "$DS/shop-benign.pcap"
"$HABIT" policy show --model "$M" >"$TMP/policy2.yaml"
flows2=$(grep -A6 'from: "web"' "$TMP/policy2.yaml" | sed -n 's/ *flows: //p' | head -1)
[ "$flows2" = $((flows1 * 2)) ] || fail "learning twice: web edge flows $flows1 -> $flows2"
[ "$(grep -c '^  - from:' "$TMP/policy.yaml")" = "$(grep -c '^  - from:' "$TMP/policy2.yaml")" ] ||
  fail "learning the same capture twice added edges"
grep -q '^# habit model .*, version 2$' "$TMP/policy2.yaml" || fail "model version did not move to 2"
pass "learning twice merges (web edge $flows1 -> $flows2 flows, version 2)"
