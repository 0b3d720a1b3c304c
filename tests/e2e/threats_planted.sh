#!/usr/bin/env bash
# The shipped threats capture (datasets/README.md): every planted threat
# raises its signature ids on its flow, in discover and in monitor mode, and
# nothing else raises a threat — the shop's benign traffic around them
# included.
source "$(dirname "$0")/_lib.sh"
DS="$HABIT_BUILD/datasets"
CFG="$HABIT_SRC/datasets/shop.yaml"
for f in shop-benign.pcap shop-threats.pcap shop-threats.truth.tsv; do
  [ -s "$DS/$f" ] || fail "$DS/$f missing (the build generates it)"
done
"$HABIT" replay -q --config "$CFG" --mode discover --model "$TMP/m.db" "$DS/shop-benign.pcap"
for mode in discover monitor; do
  cp "$TMP/m.db" "$TMP/run.db"
  "$HABIT" replay -q --config "$CFG" --mode "$mode" --model "$TMP/run.db" \
    --alerts "$TMP/$mode.json" "$DS/shop-threats.pcap" || fail "$mode: exit $?"
  python3 - "$DS/shop-threats.truth.tsv" "$TMP/$mode.json" "$mode" <<'PY' || fail "$mode: threats"
import csv, ipaddress, json, sys
truth = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
alerts = [json.loads(l) for l in open(sys.argv[2])]
threats = [a for a in alerts if a["alert"]["category"] == "threat"]
used = set()
def addr_in(ip, spec):
    return ipaddress.ip_address(ip) in ipaddress.ip_network(spec, strict=False)
for t in truth:
    sids = list(map(int, t["expected_sids"].split(",")))
    for sid in sorted(set(sids)):
        want = sids.count(sid)  # one alert per distinct secret, etc.
        hits = [i for i, a in enumerate(threats)
                if a["alert"]["signature_id"] == sid
                and addr_in(a["src_ip"], t["cli_ip"]) and a["dest_ip"] == t["srv_ip"]
                and (t["cli_port"] == "*" or str(a["src_port"]) == t["cli_port"])
                and (t["srv_port"] == "*" or str(a["dest_port"]) == t["srv_port"])]
        assert len(hits) == want, f"{t['id']}: {len(hits)} alerts with id {sid}, want {want}"
        used.update(hits)
        print(f"ok: {sys.argv[3]}: {t['id']} -> {sid}: {threats[hits[0]]['alert']['signature'][:110]}")
extra = [a["alert"]["signature"] for i, a in enumerate(threats) if i not in used]
assert not extra, f"threats nobody planted: {extra[:5]}"
PY
done
pass "every planted threat raised its ids, in both modes, and nothing else"
