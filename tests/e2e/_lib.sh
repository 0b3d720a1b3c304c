# tests/e2e/_lib.sh — shared by the end-to-end tests (sourced, not run).
# Environment from ctest: HABIT (the binary), HABIT_BUILD, HABIT_SRC, SHARED.
set -euo pipefail
: "${HABIT:=${HABIT_BUILD:-build}/habit}"
: "${HABIT_SRC:=$(pwd)}"
: "${SHARED:=$HABIT_SRC/../shared}"
: "${HABIT_BUILD:=$(dirname "$HABIT")}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# The summary line's "packets N".
summary_packets() { sed -n 's/.*packets \([0-9]*\) .*/\1/p' "$1" | head -1; }
# Count alerts of a category in an EVE file.
count_category() { grep -c "\"category\":\"$2\"" "$1" || true; }
