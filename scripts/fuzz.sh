#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] — build every libFuzzer target (clang) and run each
# for SECONDS (default 60) from a seed corpus; fails on any crash, leak or UB.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
build=build-fuzz
CC=clang cmake -S . -B "$build" -DHABIT_FUZZ=ON -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build "$build" -j"$(nproc)"
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
for fz in "$build"/fuzz/fuzz_*; do
  [ -x "$fz" ] || continue
  name=$(basename "$fz")
  mkdir -p "$corpus/$name"
  case $name in
    fuzz_capture|fuzz_decode)
      mapfile -t seeds < <(find ../shared/datasets/zeek -name '*.pcap' -size -20k | sort)
      cp "${seeds[@]:0:40}" "$corpus/$name/" ;;
    fuzz_config)
      cp datasets/shop.yaml "$corpus/$name/"
      # A seed with process selectors and protected files as well.
      cat >"$corpus/$name/host.yaml" <<'YAML'
services:
  - name: web
    mode: protect
    members:
      - cgroup: "habit-lab/web*"
      - exe: /usr/bin/python3*
      - container: 0123456789abcdef
      - cidr: 10.77.0.2/32
        ports: [8080, 9000-9100]
        proto: tcp
    protected_files: [/etc/shadow, /srv/data/]
YAML
      ;;
  esac
  echo "fuzz: $name for ${secs}s"
  "$fz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 "$corpus/$name" \
    2>"$corpus/$name.log" || { tail -50 "$corpus/$name.log"; echo "fuzz: $name FAILED" >&2; exit 1; }
  grep -E '^(Done|#[0-9]+ +DONE)' "$corpus/$name.log" | tail -1 || true
done
echo "fuzz: every target ran ${secs}s without a finding"
