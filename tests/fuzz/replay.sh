#!/usr/bin/env bash
# Replays every fuzz corpus through its target, built with gcc and ASan/UBSan
# (no clang or libFuzzer needed), as part of scripts/test.sh. A target passes
# when all its corpus files ran without a sanitizer report, abort or non-zero
# exit. Prints one line per target, then "fuzz-replay: N passed, M failed".
# tests/fuzz/crashes/NAME/ (known bugs, not yet fixed) is not replayed; pass
# a directory or files to replay those instead: replay.sh NAME [FILE|DIR...]
set -uo pipefail
cd "$(dirname "$0")/../.."

targets=(); for f in tests/fuzz/fuzz_*.c; do t=${f#tests/fuzz/fuzz_}; targets+=("${t%.c}"); done
only=${1:-}; [ $# -gt 0 ] && shift
[ -n "$only" ] && targets=("$only")

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
log=build/fuzz-replay/logs
mkdir -p "$log"

if ! make -s -j"$(nproc)" FUZZ_TARGETS="${targets[*]}" fuzz-replay-build >"$log/build.log" 2>&1; then
  echo "fuzz-replay: build failed (see $log/build.log)"; tail -20 "$log/build.log"
  echo "fuzz-replay: 0 passed, ${#targets[@]} failed"; exit 1
fi

passed=0; failed=0
for t in "${targets[@]}"; do
  if [ $# -gt 0 ]; then files=("$@")
  else files=(tests/fuzz/corpus/"$t"/*); fi
  # a directory argument stands for its files
  list=(); for f in "${files[@]}"; do
    if [ -d "$f" ]; then list+=("$f"/*); elif [ -e "$f" ]; then list+=("$f"); fi
  done
  if [ ${#list[@]} -eq 0 ]; then
    echo "FAIL $t: no corpus files"; failed=$((failed + 1)); continue
  fi
  start=$(date +%s%N)
  # in a subshell so bash's own "Aborted" note goes to the log too
  if (build/fuzz-replay/fuzz_"$t" "${list[@]}"; rc=$?; exit $rc) >"$log/$t.log" 2>&1 &&
     ! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log/$t.log"; then
    echo "ok   $t: ${#list[@]} files in $(( ($(date +%s%N) - start) / 1000000 )) ms"
    passed=$((passed + 1))
  else
    echo "FAIL $t: see $log/$t.log (REPLAY_VERBOSE=1 names each file)"
    grep -E 'ERROR: |SUMMARY: |runtime error:|^fuzz_[a-z]+: ' "$log/$t.log" | head -5
    failed=$((failed + 1))
  fi
done
echo "fuzz-replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
