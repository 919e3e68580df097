#!/usr/bin/env bash
# Benchmark of the --deep backup check against `du -s` on the same folder.
#
# Builds a synthetic backup of FILES files (default 1,000,000) in the 256
# `xx/` subfolders with a Manifest.db listing them (NSKeyedArchiver `file`
# records, as phones write them), then times the deep check and `du -s`,
# each RUNS times (default 3) with warm caches, and prints a markdown table
# with the median wall time and the peak resident memory (/usr/bin/time -v).
#
# The deep check runs through `iphone-backup-check diagnose --deep
# --backup-dir DIR --json`; the synthetic backup is written by
# `cargo xtask synthetic-backup`.
#
#   scripts/bench-backups.sh                 # 1,000,000 files under /tmp
#   FILES=1000000 BENCH_REUSE=/tmp/bk scripts/bench-backups.sh   # reuse a synthetic backup (kept)
#   FILES=100000 RUNS=5 scripts/bench-backups.sh
#   BENCH_DIR=/mnt/disk/bench KEEP=1 scripts/bench-backups.sh
#
# Needs: cargo, du, /usr/bin/time (Debian: apt-get install time).
set -euo pipefail

FILES="${FILES:-1000000}"
RUNS="${RUNS:-5}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
if [ -n "${BENCH_REUSE:-}" ]; then
    DIR="$BENCH_REUSE"; KEEP=1
else
    DIR="${BENCH_DIR:-$(mktemp -d /tmp/bench-backups.XXXXXX)}"
fi

if [ ! -x /usr/bin/time ]; then
    echo "bench-backups: /usr/bin/time is missing (apt-get install time)" >&2
    exit 3
fi
cleanup() { if [ "${KEEP:-0}" != 1 ]; then rm -rf "$DIR"; fi; }
trap cleanup EXIT

cd "$ROOT"
echo "building (release)..." >&2
cargo build --release --quiet -p iphone-backup-check -p xtask
BIN="$TARGET/release/iphone-backup-check"
CHECK=("$BIN" diagnose --deep --backup-dir "$DIR" --json)
CHECK_LABEL="iphone-backup-check diagnose --deep --backup-dir DIR --json"

if [ -z "${BENCH_REUSE:-}" ]; then
    echo "writing a synthetic backup of $FILES files to $DIR..." >&2
    "$TARGET/release/xtask" synthetic-backup "$DIR" "$FILES"
fi
SIZE="$(du -sh "$DIR" | cut -f1)"

# One timed run: prints "wall_seconds peak_kb cpu_seconds" (cpu = user + system).
measure() {
    local log
    log="$(mktemp)"
    # diagnose exits 1 or 2 when it finds something; only the timing matters.
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || true
    awk -F': ' '
        /Elapsed \(wall clock\) time/ {
            n = split($2, p, ":"); s = 0
            for (i = 1; i <= n; i++) s = s * 60 + p[i]
            wall = s
        }
        /Maximum resident set size/ { rss = $2 }
        /User time \(seconds\)/ { cpu += $2 }
        /System time \(seconds\)/ { cpu += $2 }
        END { printf "%.2f %d %.2f\n", wall, rss, cpu }' "$log"
    rm -f "$log"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "warming the caches..." >&2
du -s "$DIR" >/dev/null
"${CHECK[@]}" >/dev/null 2>&1 || true

du_times=(); du_rss=(); du_cpu=(); ck_times=(); ck_rss=(); ck_cpu=()
for _ in $(seq "$RUNS"); do
    read -r t m c < <(measure du -s "$DIR"); du_times+=("$t"); du_rss+=("$m"); du_cpu+=("$c")
    read -r t m c < <(measure "${CHECK[@]}"); ck_times+=("$t"); ck_rss+=("$m"); ck_cpu+=("$c")
done
du_t="$(printf '%s\n' "${du_times[@]}" | median)"
ck_t="$(printf '%s\n' "${ck_times[@]}" | median)"
du_c="$(printf '%s\n' "${du_cpu[@]}" | median)"
ck_c="$(printf '%s\n' "${ck_cpu[@]}" | median)"
load="$(cut -d' ' -f1-3 /proc/loadavg)"
du_m="$(printf '%s\n' "${du_rss[@]}" | sort -n | tail -1)"
ck_m="$(printf '%s\n' "${ck_rss[@]}" | sort -n | tail -1)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# Sanity: the check saw every file and found nothing wrong.
OBS="$(mktemp)"
"${CHECK[@]}" >"$OBS" || true
if ! grep -q "\"checked\": $FILES," "$OBS" || ! grep -q '"missing": 0,' "$OBS"; then
    echo "bench-backups: the deep check did not see $FILES sound files (see $OBS)" >&2
    exit 1
fi
rm -f "$OBS"

cat <<TABLE

Synthetic backup: $FILES files in 256 subfolders, $SIZE on disk; $RUNS runs each (alternating), warm caches.
Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr), $(df -T "$DIR" | awk 'NR == 2 { print $2 }') file system; load average at the end: $load.

| command | median wall time | median CPU time (user + sys) | peak RSS | wall vs du -s | CPU vs du -s |
| --- | ---: | ---: | ---: | ---: | ---: |
| \`du -s DIR\` | ${du_t} s | ${du_c} s | $((du_m / 1024)) MB | 1.00x | 1.00x |
| \`$CHECK_LABEL\` | ${ck_t} s | ${ck_c} s | $((ck_m / 1024)) MB | $(ratio "$ck_t" "$du_t")x | $(ratio "$ck_c" "$du_c")x |
TABLE
