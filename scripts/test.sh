#!/usr/bin/env bash
# Runs the whole nnc test suite from a fresh checkout: installs dependencies, builds, and
# runs the lit suite. Ends with a line `N passed, M failed`.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}

"$root/scripts/install-deps.sh" || exit 1
"$root/scripts/build.sh" || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv "$build/test" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# lit's summary lines look like "  Passed: 41 (95.35%)" / "  Failed: 2 (4.65%)" (absent
# when zero).
count() { sed -nE "s/^ +$1 *: +([0-9]+).*/\1/p" "$log" | awk '{s += $1} END {print s + 0}'; }
passed=$(( $(count Passed) + $(count "Expectedly Failed") ))
failed=$(( $(count Failed) + $(count Unresolved) + $(count "Unexpectedly Passed") + $(count "Timed Out") ))
rm -f "$log"
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # no test ran: a failure
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
