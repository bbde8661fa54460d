#!/usr/bin/env bash
# Runs the libFuzzer harnesses of fuzz/: scripts/fuzz.sh [TARGET] [SECONDS]
#   TARGET   safetensors, npy, idx, text, json, flags, frontend (any fuzz-NAME in <build>/bin), or all
#            (default)
#   SECONDS  time per fuzzer (default 60)
# Builds them first (scripts/build-asan.sh). Seeds come from fuzz/make-corpus.py; the
# growing corpus is kept in <build>/fuzz-corpus/TARGET, crashes in
# <build>/fuzz-artifacts. Extra libFuzzer flags: FUZZ_ARGS (e.g. FUZZ_ARGS=-runs=10000000).
# Prints `PASS: fuzz-NAME: N executions in S s` or `FAIL: ...` per fuzzer and exits 1 if
# one failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_ASAN_BUILD_DIR:-$root/build-asan}
target=${1:-all}
seconds=${2:-60}

"$root/scripts/build-asan.sh" fuzzers >/dev/null || { echo "FAIL: building the fuzzers"; exit 1; }
if [ "$target" = all ]; then
  targets=$(cd "$build/bin" && ls fuzz-* | sed 's/^fuzz-//')
else
  targets=$target
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=0
for t in $targets; do
  exe=$build/bin/fuzz-$t
  [ -x "$exe" ] || { echo "FAIL: fuzz-$t: no such fuzzer in $build/bin"; failed=1; continue; }
  corpus=$build/fuzz-corpus/$t seeds=$build/fuzz-seeds/$t artifacts=$build/fuzz-artifacts
  rm -rf "$seeds"
  mkdir -p "$corpus" "$artifacts"
  python3 "$root/fuzz/make-corpus.py" "$t" "$seeds" || { echo "FAIL: fuzz-$t: no seeds"; failed=1; continue; }
  log=$build/fuzz-$t.log
  # -timeout: an input running 10 s is a hang; -rss_limit_mb: 2 GiB is a leak or a bomb.
  "$exe" "$corpus" "$seeds" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
    ${FUZZ_ARGS:-} > "$log" 2>&1
  status=$?
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
  took=$(sed -nE 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/p' "$log" | tail -1)
  if [ "$status" -eq 0 ]; then
    echo "PASS: fuzz-$t: ${runs:-?} executions in ${took:-$seconds} s"
  else
    echo "FAIL: fuzz-$t (exit $status; log $log)"
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/  /'
    failed=1
  fi
done
exit $failed
