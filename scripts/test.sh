#!/usr/bin/env bash
# Runs the whole nnc test suite from a fresh checkout: installs dependencies, then
#  1. builds the Release tree (build/) and runs the lit suite on it;
#  2. builds the sanitized tree (build-asan/: clang, ASan + UBSan, leak detection on;
#     scripts/build-asan.sh) and runs the lit suite on it; every sanitizer report a test
#     process wrote (<build-asan>/sanitizer-reports) counts as a failure;
#  3. runs each fuzzer of fuzz/ for a short smoke time (scripts/fuzz.sh, NNC_FUZZ_SECONDS,
#     default 15).
# Ends with one line `N passed, M failed` over everything it ran. NNC_SANITIZERS=0 skips
# steps 2 and 3 (a quick local run; CI runs them all).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}
asan=${NNC_ASAN_BUILD_DIR:-$root/build-asan}
lit=/usr/lib/llvm-19/build/utils/lit/lit.py
passed=0 failed=0 status=0

"$root/scripts/install-deps.sh" || exit 1

# lit's summary lines look like "  Passed: 41 (95.35%)" / "  Failed: 2 (4.65%)" (absent
# when zero).
count() { sed -nE "s/^ +$2 *: +([0-9]+).*/\1/p" "$1" | awk '{s += $1} END {print s + 0}'; }
# run_lit NAME BUILDDIR: runs the suite, adds its counts; a run where no test ran fails.
run_lit() {
  local log p f
  log=$(mktemp)
  python3 "$lit" -sv "$2/test" 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  p=$(( $(count "$log" Passed) + $(count "$log" "Expectedly Failed") ))
  f=$(( $(count "$log" Failed) + $(count "$log" Unresolved) + $(count "$log" "Unexpectedly Passed") + $(count "$log" "Timed Out") ))
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "$1: $p passed, $f failed"
  passed=$((passed + p)) failed=$((failed + f))
  rm -f "$log"
}

if "$root/scripts/build.sh"; then
  run_lit "lit (Release)" "$build"
else
  echo "build failed"; failed=$((failed + 1))
fi

if [ "${NNC_SANITIZERS:-1}" != 0 ]; then
  if "$root/scripts/build-asan.sh"; then
    reports=$asan/sanitizer-reports
    rm -rf "$reports"
    run_lit "lit (ASan+UBSan)" "$asan"
    # Reports of processes a test expected to fail are not failures to lit: count them
    # (files holding only a warning, such as ASan's note on swapcontext, are not reports).
    n=0
    for r in "$reports"/*; do
      [ -f "$r" ] && grep -qE 'ERROR: |SUMMARY: |runtime error' "$r" || continue
      n=$((n + 1))
      echo "sanitizer report $r:"
      grep -E 'ERROR|SUMMARY|^ +#[0-9]' "$r" | head -12 | sed 's/^/  /'
    done
    echo "sanitizer reports: $n"
    failed=$((failed + n))
    fuzz_log=$(mktemp)
    "$root/scripts/fuzz.sh" all "${NNC_FUZZ_SECONDS:-15}" | tee "$fuzz_log"
    passed=$((passed + $(grep -c '^PASS: ' "$fuzz_log")))
    fuzz_failed=$(grep -c '^FAIL: ' "$fuzz_log")
    [ "$(grep -c -E '^(PASS|FAIL): ' "$fuzz_log")" -gt 0 ] || fuzz_failed=1
    failed=$((failed + fuzz_failed))
    rm -f "$fuzz_log"
  else
    echo "sanitized build failed"; failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
