#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for SECONDS each (default 60), one after
# another, and prints runs, executions per second, coverage and crashes per
# target. CI does not run this; see docs/reliability.md.
#
#   scripts/fuzz.sh [SECONDS]            all targets
#   FUZZ_TARGETS="explain" scripts/fuzz.sh 30
#
# Needs cargo-fuzz (cargo install cargo-fuzz). No nightly toolchain is
# needed: RUSTC_BOOTSTRAP=1 lets the stable compiler accept the -Z flags
# cargo-fuzz passes (sanitizer, coverage instrumentation). FUZZ_SANITIZER=none
# builds without AddressSanitizer (faster, still coverage-guided).
# New inputs go to fuzz/work/<target>/ (not committed); the committed seeds
# in fuzz/corpus/<target>/ are read only. Crashes land in fuzz/artifacts/<target>/.
set -u
secs=${1:-60}
cd "$(dirname "$0")/../fuzz" || exit 2
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
sanitizer=${FUZZ_SANITIZER:-address}
targets=${FUZZ_TARGETS:-$(cargo fuzz list --fuzz-dir .)}

# Each target is built on its own (below), so one that no longer compiles
# fails its own line, not the run of the others.

status=0
printf '%-14s %6s %12s %9s %6s %7s %8s %7s\n' target seconds runs exec/s cov corpus peak_MiB crashes
for t in $targets; do
  mkdir -p "work/$t" "artifacts/$t"
  log="work/$t.log"
  max_len=4096
  case $t in usbmux_frame | backup_plist | snapshot_load) max_len=65536 ;; esac
  if ! cargo fuzz build -O -s "$sanitizer" --fuzz-dir . "$t" >"$log" 2>&1; then
    printf '%-14s %6s %12s %9s %6s %7s %8s %7s\n' "$t" - - - - - - "build"
    grep -m3 -E '^error' "$log" | sed 's/^/    /'
    status=1
    continue
  fi
  before=$(find "artifacts/$t" -type f | wc -l)
  cargo fuzz run -O -s "$sanitizer" --fuzz-dir . "$t" "work/$t" "corpus/$t" -- \
    -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"$log" 2>&1
  rc=$?
  after=$(find "artifacts/$t" -type f | wc -l)
  crashes=$((after - before))
  [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes="rc=$rc"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  corpus=$(find "work/$t" -type f | wc -l)
  printf '%-14s %6s %12s %9s %6s %7s %8s %7s\n' "$t" "$secs" "${runs:-?}" "${eps:-?}" "${cov:-?}" "$corpus" "${rss:-?}" "$crashes"
  if [ "$crashes" != 0 ]; then
    status=1
    grep -m5 -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | sed 's/^/    /'
  fi
done
exit $status
