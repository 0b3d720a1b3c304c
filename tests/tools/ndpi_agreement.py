#!/usr/bin/env python3
"""How often habit names a flow's application as nDPI's own test suite does.

nDPI ships, beside each test capture in pcap/, the result it expects in
result/<capture>.out: one line per flow with its 5-tuple, the protocol and
how nDPI decided ("Confidence: DPI" when from the payload, "Match by port"
or "by IP" when guessed). This tool replays every capture through
`habit replay -q --mode discover --flows FILE`, matches habit's flows with
nDPI's by 5-tuple (either direction: habit's src is the initiator, nDPI
prints its own first-seen side), maps nDPI's protocol names to habit's app
names and counts, for the protocols habit identifies (read from the registry,
collect/l7/apps_*.h), the flows nDPI named by DPI that habit names the same.

Name mapping: for "X.Y" names (TLS.Google, HTTP.WebDAV, DNS.WhatsApp, ...)
the master X, unless habit has an app for the sub-protocol Y
(NetBIOS.SMBv1 -> smb); a few names nDPI gives to what habit calls by its
carrier (HTTP_Proxy, HTTP_Connect -> http; FTP_CONTROL -> ftp; RESP ->
redis; SMBv1/SMBv23 -> smb); and mail over TLS (SMTPS, IMAPS, POPS, FTPS),
which nDPI also uses for STARTTLS, accepts either the mail protocol or tls.
nDPI names whose flows start with a habit protocol's messages though nDPI
names the payload instead (WebSocket and SOAP over HTTP/1) are listed apart
as "carried", never counted as agreement or as false claims.

A habit flow's answer for a 5-tuple: the app of the earliest of habit's
flows with that tuple that has one (habit may split what nDPI counts as one
flow: UDP idle timeouts, a FIN then a reused port), else none.

Standard library only. Exit status: 0, or 1 when --min is given and the
overall agreement is below it, or 2 on a usage or replay error.
"""
import argparse
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

# nDPI name (lower case) -> habit app.
NDPI_TO_HABIT = {
    "http": "http", "http_proxy": "http", "http_connect": "http",
    "http2": "http2", "grpc": "grpc", "tls": "tls", "quic": "quic",
    "dns": "dns", "ssh": "ssh",
    "mysql": "mysql", "postgresql": "postgresql", "resp": "redis",
    "redis": "redis", "mongodb": "mongodb", "cassandra": "cassandra",
    "kafka": "kafka", "memcached": "memcached", "amqp": "amqp", "mqtt": "mqtt",
    "smtp": "smtp", "imap": "imap", "pop3": "pop3", "ftp_control": "ftp",
    "ldap": "ldap", "smbv1": "smb", "smbv23": "smb", "ntp": "ntp",
    "dhcp": "dhcp", "sip": "sip",
}
# Mail over TLS: STARTTLS (habit names the mail protocol) or implicit TLS.
EITHER = {
    "smtps": ("smtp", "tls"), "imaps": ("imap", "tls"),
    "pops": ("pop3", "tls"), "ftps": ("ftp", "tls"),
}
# Payloads nDPI names that ride on a protocol habit names by its handshake.
CARRIED = {"websocket": "http", "soap": "http"}

FLOW_RE = re.compile(
    r"^\t\d+\t(TCP|UDP) (\S+) (?:<->|->) (\S+) (?:\[VLAN: \d+\])?"
    r"\[proto: [\d.]+/([^\]]+)\].*?\[Confidence: ([^\]]+)\]")
REGISTRY_RE = re.compile(r'X\(\s*[A-Z0-9_]+\s*,\s*"([^"]+)"\s*,\s*l7_probe_\w+')


def registered_apps(src):
    """habit's app names, in registry order, from collect/l7/apps_*.h."""
    d = os.path.join(src, "collect", "l7")
    apps = []
    for name in sorted(os.listdir(d)):
        if name.startswith("apps_") and name.endswith(".h"):
            with open(os.path.join(d, name), encoding="utf-8") as f:
                apps += REGISTRY_RE.findall(f.read())
    return apps


def endpoint(s):
    """'1.2.3.4:80' or '[v6]:80' -> (normalized address, port)."""
    host, _, port = s.rpartition(":")
    host = host.strip("[]")
    return str(ipaddress.ip_address(host)), int(port)


def tuple_key(proto, a, b):
    return (proto, frozenset((a, b)))


def expected(name, apps):
    """(row, accepted set) for an nDPI name, or (None, None)."""
    low = name.lower()
    master, _, sub = low.partition(".")
    if sub and NDPI_TO_HABIT.get(sub) in apps:
        app = NDPI_TO_HABIT[sub]
        return app, {app}
    if master in EITHER:
        ok = {a for a in EITHER[master] if a in apps}
        return (EITHER[master][0], ok) if EITHER[master][0] in apps else (None, None)
    app = NDPI_TO_HABIT.get(master)
    if app in apps:
        return app, {app}
    return None, None


def ndpi_flows(path):
    flows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = FLOW_RE.match(line)
            if not m:
                continue
            proto, a, b, name, conf = m.groups()
            try:
                key = tuple_key(proto, endpoint(a), endpoint(b))
            except ValueError:
                continue
            flows.append({"key": key, "name": name, "conf": conf.strip(),
                          "text": "%s %s <-> %s" % (proto, a, b)})
    return flows


def habit_flows(habit, capture, tmp):
    model = os.path.join(tmp, "m.db")
    out = os.path.join(tmp, "flows.json")
    for p in (model, model + "-wal", model + "-shm", out):
        if os.path.exists(p):
            os.remove(p)
    r = subprocess.run([habit, "replay", "-q", "--no-progress", "--mode", "discover",
                        "--model", model, "--flows", out, capture],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s: habit exited %d: %s" % (capture, r.returncode,
                                                         r.stderr.strip()))
    by_key = defaultdict(list)
    with open(out, encoding="utf-8") as f:
        for line in f:
            ev = json.loads(line)
            if ev.get("event_type") != "flow" or ev.get("proto") not in ("TCP", "UDP"):
                continue
            key = tuple_key(ev["proto"],
                            (str(ipaddress.ip_address(ev["src_ip"])), ev["src_port"]),
                            (str(ipaddress.ip_address(ev["dest_ip"])), ev["dest_port"]))
            app = ev.get("app_proto", "failed")
            by_key[key].append((ev["flow"]["start"], "" if app == "failed" else app))
    return by_key


def habit_answer(entries):
    """The app of the earliest habit flow of a tuple that has one."""
    named = sorted(e for e in entries if e[1])
    return named[0][1] if named else ""


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.normpath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--habit", default=os.environ.get("HABIT", os.path.join(src, "build", "habit")))
    ap.add_argument("--ndpi", default=os.path.join(src, "..", "shared", "datasets", "ndpi"),
                    help="folder with nDPI's pcap/ and result/")
    ap.add_argument("--src", default=src, help="habit's source tree (for the registry)")
    ap.add_argument("--min", type=float, default=None,
                    help="fail (exit 1) when overall agreement %% is below this")
    ap.add_argument("-q", "--quiet", action="store_true", help="table only, no flow lists")
    args = ap.parse_args()

    apps = registered_apps(args.src)
    pcap_dir = os.path.join(args.ndpi, "pcap")
    res_dir = os.path.join(args.ndpi, "result")
    if not apps or not os.path.isdir(pcap_dir) or not os.path.isdir(res_dir):
        print("ndpi_agreement: no registry or no nDPI captures (%s)" % args.ndpi, file=sys.stderr)
        return 2

    rows = defaultdict(lambda: {"dpi": 0, "agree": 0, "skipped": 0})
    disagree, false_claims, unknown_claims, carried, port_claims = [], [], [], [], []
    captures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(os.listdir(pcap_dir)):
            result = os.path.join(res_dir, name + ".out")
            if not os.path.exists(result):
                continue
            captures += 1
            try:
                habit = habit_flows(args.habit, os.path.join(pcap_dir, name), tmp)
            except RuntimeError as e:
                print("ndpi_agreement: %s" % e, file=sys.stderr)
                return 2
            for fl in ndpi_flows(result):
                got = habit_answer(habit.get(fl["key"], []))
                row, ok = expected(fl["name"], apps)
                where = "%s  %s" % (name, fl["text"])
                by_dpi = fl["conf"].startswith("DPI")
                if row is None:
                    carrier = CARRIED.get(fl["name"].lower())
                    if got and carrier == got:
                        carried.append((where, fl["name"], got))
                    elif got and fl["name"] != "Unknown":
                        false_claims.append((where, "%s (%s)" % (fl["name"], fl["conf"]), got))
                    elif got:
                        unknown_claims.append((where, got))
                    continue
                if not by_dpi:
                    rows[row]["skipped"] += 1
                    if got and got not in ok:
                        false_claims.append((where, "%s (%s)" % (fl["name"], fl["conf"]), got))
                    elif got:
                        port_claims.append((where, fl["name"], got))
                    continue
                rows[row]["dpi"] += 1
                if got in ok:
                    rows[row]["agree"] += 1
                else:
                    disagree.append((where, fl["name"], got or "(none)"))
                    if got:
                        false_claims.append((where, "%s (%s)" % (fl["name"], fl["conf"]), got))

    print("nDPI agreement over %d captures; habit apps: %s" % (captures, " ".join(apps)))
    print("%-12s %8s %8s %9s %8s" % ("protocol", "nDPI-DPI", "agree", "percent", "skipped"))
    tot_dpi = tot_agree = tot_skip = 0
    for app in apps:
        r = rows.get(app, {"dpi": 0, "agree": 0, "skipped": 0})
        tot_dpi += r["dpi"]
        tot_agree += r["agree"]
        tot_skip += r["skipped"]
        pct = "%.1f%%" % (100.0 * r["agree"] / r["dpi"]) if r["dpi"] else "-"
        print("%-12s %8d %8d %9s %8d" % (app, r["dpi"], r["agree"], pct, r["skipped"]))
    overall = 100.0 * tot_agree / tot_dpi if tot_dpi else 0.0
    print("%-12s %8d %8d %8.1f%% %8d" % ("overall", tot_dpi, tot_agree, overall, tot_skip))
    print("skipped: %d flows nDPI named a habit protocol by port or IP only, not by DPI"
          % tot_skip)
    print("false claims (habit names an app, nDPI names another): %d" % len(false_claims))
    print("habit claims on flows nDPI left Unknown: %d" % len(unknown_claims))
    print("habit claims agreeing with nDPI's port/IP guess: %d" % len(port_claims))
    print("carried (nDPI names the payload of habit's protocol): %d" % len(carried))
    if not args.quiet:
        for title, items in (("disagreements (nDPI by DPI; habit)", disagree),
                             ("false claims (nDPI; habit)", false_claims),
                             ("claims on nDPI Unknown flows (habit)", unknown_claims),
                             ("claims agreeing with a port guess (nDPI; habit)", port_claims),
                             ("carried (nDPI; habit)", carried)):
            if items:
                print("\n%s:" % title)
                for it in items:
                    print("  " + "  ->  ".join(it))
    if args.min is not None and overall < args.min:
        print("FAIL: overall agreement %.1f%% is below %.1f%%" % (overall, args.min),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
