#!/usr/bin/env bash
# scripts/test.sh [BUILD_DIR [CMAKE_ARGS...]] — configure, build, run every test.
# The README's test command and CI's (.ci/run) are this script.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
