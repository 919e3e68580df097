#!/usr/bin/env bash
# Side-by-side benchmark: `iphone-backup-check diagnose` against the
# libimobiledevice and pymobiledevice3 commands a person would run for the
# same facts, all talking to the device simulator (sim/) over a UNIX socket.
#
#   scripts/bench.sh [RUNS]        # RUNS >= 10, default 10
#
# Prints progress on stderr and a Markdown table on stdout; exits 1 when a
# target is missed or a run failed, 2 when it could not run at all.
#
# Needs: cargo, python3 (with venv), /usr/bin/time (GNU time), idevice_id and
# ideviceinfo (Debian: apt-get install -y time libimobiledevice-utils).
# pymobiledevice3 is installed by the script into a venv under
# ${BENCH_CACHE:-${XDG_CACHE_HOME:-~/.cache}/iphone-backup-check/bench}
# (set PMD3_SPEC to pin it, e.g. PMD3_SPEC=pymobiledevice3==11.45.0).
#
# Nothing leaves the machine during the timed part: every client is pointed at
# the simulator's socket in a temporary directory, which is removed on exit.
# Not part of CI's tests.

set -euo pipefail
export LC_ALL=C # EPOCHREALTIME with a '.' decimal separator

RUNS=${1:-10}
if ! [[ $RUNS =~ ^[0-9]+$ ]] || ((RUNS < 10)); then
    echo "usage: $0 [RUNS]   (RUNS is a whole number, at least 10)" >&2
    exit 2
fi
HANG_TIMEOUT=3

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPORT="$ROOT/scripts/bench_report.py"
CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iphone-backup-check/bench}
PMD3_SPEC=${PMD3_SPEC:-pymobiledevice3}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

for tool in cargo python3 idevice_id ideviceinfo; do
    command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install -y libimobiledevice-utils python3-venv)"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian: apt-get install -y time)"

# ---- temporary directory, simulators, cleanup ------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ibc-bench.XXXXXX")
SIM_PIDS=()
cleanup() {
    local pid
    for pid in "${SIM_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${SIM_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- build -----------------------------------------------------------------
say "building release binaries"
(cd "$ROOT" && cargo build --quiet --release -p iphone-backup-check -p iphone-sim) >&2
TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
[[ -x $TARGET_DIR/release/iphone-backup-check && -x $TARGET_DIR/release/iphone-sim ]] ||
    die "release binaries not found under $TARGET_DIR/release"
# Private copies: a build in the same target directory during the run (a
# shared CARGO_TARGET_DIR) must not swap the binaries under the benchmark.
mkdir -p "$TMP/bin"
cp "$TARGET_DIR/release/iphone-backup-check" "$TARGET_DIR/release/iphone-sim" "$TMP/bin/"
IBC="$TMP/bin/iphone-backup-check"
SIM="$TMP/bin/iphone-sim"
"$IBC" --version >/dev/null 2>&1 || die "$IBC does not run (a concurrent build?)"

# ---- pymobiledevice3 in a cached venv --------------------------------------
VENV="$CACHE/venv"
if ! "$VENV/bin/python" -c 'import pymobiledevice3' 2>/dev/null; then
    say "installing $PMD3_SPEC into $VENV"
    rm -rf "$VENV"
    mkdir -p "$CACHE"
    python3 -m venv "$VENV" >&2 || die "python3 -m venv failed (Debian: apt-get install -y python3-venv)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "$PMD3_SPEC" >&2 ||
        die "pip install $PMD3_SPEC failed"
fi
PMD3="$VENV/bin/pymobiledevice3"
[[ -x $PMD3 ]] || die "$PMD3 missing; remove $VENV and rerun"

# ---- simulators -------------------------------------------------------------
start_sim() { # NAME SCENARIO -> socket path in $TMP
    local sock="$TMP/$1.sock" pid i
    "$SIM" --socket "$sock" --scenario "$2" >"$TMP/$1.sim.log" 2>&1 &
    pid=$!
    SIM_PIDS+=("$pid")
    for ((i = 0; i < 300; i++)); do # RSA keys take ~1 s; allow 30 s on a busy box
        [[ -S $sock ]] && return 0
        kill -0 "$pid" 2>/dev/null || { cat "$TMP/$1.sim.log" >&2; die "simulator ($2) exited"; }
        sleep 0.1
    done
    die "simulator ($2) did not create $sock within 30 s"
}
say "starting the simulator: healthy, fault_hang, slow_phone, ten_phones"
start_sim healthy healthy
start_sim hang fault_hang
start_sim slow slow_phone
start_sim ten ten_phones
SOCK="$TMP/healthy.sock"
HANG_SOCK="$TMP/hang.sock"
SLOW_SOCK="$TMP/slow.sock"
TEN_SOCK="$TMP/ten.sock"
SLOW_TIMEOUT=30
SLOW_RUNS=3 # each takes ~18 s: every answer is 2 s late
BACKUP_DIR="$TMP/backups"
mkdir -p "$BACKUP_DIR" "$TMP/home" "$TMP/out"
UDID=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["devices"][0]["udid"])' \
    "$ROOT/sim/scenarios/healthy.json")

# Every client sees only the simulator. libusbmuxd wants UNIX:PATH;
# pymobiledevice3 splits on ':' (HOST:PORT) and takes anything else as a
# socket path, so it gets the plain path (and --usbmux as well). Its home
# folder (pair-record cache) is a temporary one.
export USBMUXD_SOCKET_ADDRESS="UNIX:$SOCK"
export NO_COLOR=1

# ---- the three clients ------------------------------------------------------
OUT="$TMP/out"
run_diagnose() {
    "$IBC" diagnose --json --usbmuxd "UNIX:$SOCK" --backup-dir "$BACKUP_DIR" >"$OUT/diag.json" 2>"$OUT/diag.err"
}
run_diagnose_hung() {
    USBMUXD_SOCKET_ADDRESS="UNIX:$HANG_SOCK" \
        timeout 60 "$IBC" diagnose --json --timeout "$HANG_TIMEOUT" --usbmuxd "UNIX:$HANG_SOCK" \
        --backup-dir "$BACKUP_DIR" >"$OUT/hung.json" 2>"$OUT/hung.err"
}
# Every answer 2 s late: must finish inside --timeout, warnings, never blocked.
run_diagnose_slow() {
    timeout 90 "$IBC" diagnose --json --timeout "$SLOW_TIMEOUT" --usbmuxd "UNIX:$SLOW_SOCK" \
        --backup-dir "$BACKUP_DIR" >"$OUT/slow.json" 2>"$OUT/slow.err"
}
# Ten phones probed concurrently.
run_diagnose_ten() {
    "$IBC" diagnose --json --usbmuxd "UNIX:$TEN_SOCK" --backup-dir "$BACKUP_DIR" \
        >"$OUT/ten.json" 2>"$OUT/ten.err"
}
# The libimobiledevice sequence, stopping at the first failing command.
run_libimobiledevice() {
    idevice_id -l >"$OUT/lim.1" 2>"$OUT/lim.err" &&
        ideviceinfo >"$OUT/lim.2" 2>>"$OUT/lim.err" &&
        ideviceinfo -q com.apple.mobile.backup >"$OUT/lim.3" 2>>"$OUT/lim.err" &&
        ideviceinfo -q com.apple.disk_usage >"$OUT/lim.4" 2>>"$OUT/lim.err" &&
        ideviceinfo -q com.apple.mobile.battery >"$OUT/lim.5" 2>>"$OUT/lim.err"
}
# The same sequence against the slow phone, side by side with diagnose_slow.
run_libimobiledevice_slow() {
    USBMUXD_SOCKET_ADDRESS="UNIX:$SLOW_SOCK" run_libimobiledevice
}
pmd3() {
    HOME="$TMP/home" USBMUXD_SOCKET_ADDRESS="$SOCK" "$PMD3" "$@" --usbmux "$SOCK"
}
# pymobiledevice3's equivalent: `usbmux list --simple` lists UDIDs without
# touching lockdownd, like `idevice_id -l`.
run_pymobiledevice3() {
    pmd3 usbmux list --simple >"$OUT/pmd.1" 2>"$OUT/pmd.err" &&
        pmd3 lockdown info >"$OUT/pmd.2" 2>>"$OUT/pmd.err" &&
        pmd3 lockdown get com.apple.mobile.backup >"$OUT/pmd.3" 2>>"$OUT/pmd.err" &&
        pmd3 lockdown get com.apple.disk_usage >"$OUT/pmd.4" 2>>"$OUT/pmd.err" &&
        pmd3 lockdown get com.apple.mobile.battery >"$OUT/pmd.5" 2>>"$OUT/pmd.err"
}

# A run counts only when the command succeeded AND printed the facts asked for.
check() { # NAME RC -> prints "ok" or the reason
    local name=$1 rc=$2
    case $name in
    diagnose)
        python3 "$REPORT" check-diagnose "$OUT/diag.json" "$rc" "$UDID" 2>&1 || true ;;
    diagnose_hung)
        python3 "$REPORT" check-hung "$OUT/hung.json" "$rc" 2>&1 || true ;;
    diagnose_slow)
        python3 "$REPORT" check-slow "$OUT/slow.json" "$rc" 2>&1 || true ;;
    diagnose_ten)
        python3 "$REPORT" check-ten "$OUT/ten.json" "$rc" 10 2>&1 || true ;;
    libimobiledevice | libimobiledevice_slow | pymobiledevice3)
        local p=${name:0:3} i
        [[ $p == lib ]] && p=lim
        [[ $p == pym ]] && p=pmd
        if ((rc != 0)); then
            echo "exit $rc: $(tr '\n' ' ' <"$OUT/$p.err" | cut -c1-160)"
            return
        fi
        local want=("$UDID" "iPhone10,3" "WillEncrypt" "TotalDataCapacity" "BatteryCurrentCapacity")
        for i in 1 2 3 4 5; do
            grep -q -- "${want[i - 1]}" "$OUT/$p.$i" || { echo "step $i printed no ${want[i - 1]}"; return; }
        done
        echo ok ;;
    esac
}

RESULTS="$TMP/results.tsv"
: >"$RESULTS"
measure() { # NAME RUN: time one run, then check it (outside the timed part)
    local name=$1 run=$2 t0 t1 rc=0 verdict
    t0=$EPOCHREALTIME
    "run_$name" || rc=$?
    t1=$EPOCHREALTIME
    verdict=$(check "$name" "$rc")
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$run" "$t0" "$t1" "$verdict" >>"$RESULTS"
    [[ $verdict == ok ]] || say "$name run $run FAILED: $verdict"
}

say "warm-up (page cache, Python bytecode); not timed"
for name in diagnose libimobiledevice pymobiledevice3; do
    rc=0
    "run_$name" || rc=$?
    v=$(check "$name" "$rc")
    [[ $v == ok ]] || say "warm-up: $name failed: $v"
done

# Interleaved, so a change in machine load hits every client alike.
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for ((run = 1; run <= RUNS; run++)); do
    say "run $run/$RUNS"
    measure diagnose "$run"
    measure libimobiledevice "$run"
    measure pymobiledevice3 "$run"
done
say "hung daemon: diagnose --timeout $HANG_TIMEOUT, $RUNS runs"
for ((run = 1; run <= RUNS; run++)); do
    measure diagnose_hung "$run"
done
say "ten phones: diagnose, $RUNS runs"
for ((run = 1; run <= RUNS; run++)); do
    measure diagnose_ten "$run"
done
say "slow phone (every answer 2 s late): diagnose --timeout $SLOW_TIMEOUT, $SLOW_RUNS runs, and libimobiledevice once (~85 s)"
for ((run = 1; run <= SLOW_RUNS; run++)); do
    measure diagnose_slow "$run"
    if ((run == 1)); then
        measure libimobiledevice_slow 1
    fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

say "peak RSS (/usr/bin/time -v)"
rss() { # FILE -> kB
    awk -F': *' '/Maximum resident set size/ { print $2 }' "$1"
}
RSS_DIAG=0
for i in 1 2 3; do
    /usr/bin/time -v -o "$TMP/rss.diag" "$IBC" diagnose --json --usbmuxd "UNIX:$SOCK" \
        --backup-dir "$BACKUP_DIR" >"$OUT/diag.json" 2>/dev/null || true
    r=$(rss "$TMP/rss.diag")
    ((r > RSS_DIAG)) && RSS_DIAG=$r
done
RSS_HUNG=0
USBMUXD_SOCKET_ADDRESS="UNIX:$HANG_SOCK" /usr/bin/time -v -o "$TMP/rss.hung" "$IBC" diagnose --json \
    --timeout "$HANG_TIMEOUT" --usbmuxd "UNIX:$HANG_SOCK" --backup-dir "$BACKUP_DIR" >/dev/null 2>&1 || true
RSS_HUNG=$(rss "$TMP/rss.hung")
/usr/bin/time -v -o "$TMP/rss.lim" ideviceinfo >/dev/null 2>&1 || true
RSS_LIM=$(rss "$TMP/rss.lim")
HOME="$TMP/home" USBMUXD_SOCKET_ADDRESS="$SOCK" /usr/bin/time -v -o "$TMP/rss.pmd" \
    "$PMD3" lockdown info --usbmux "$SOCK" >/dev/null 2>&1 || true
RSS_PMD=$(rss "$TMP/rss.pmd")

# ---- the machine and the versions -------------------------------------------
python3 - "$TMP/meta.json" <<EOF
import json, os, platform, sys
cpu = "unknown"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
os_name = platform.system()
try:
    for line in open("/etc/os-release"):
        if line.startswith("PRETTY_NAME="):
            os_name = line.split("=", 1)[1].strip().strip('"')
except OSError:
    pass
meta = {
    "runs": int("$RUNS"),
    "hang_timeout_s": float("$HANG_TIMEOUT"),
    "slow_timeout_s": float("$SLOW_TIMEOUT"),
    "cpu": cpu,
    "cores": os.cpu_count(),
    "kernel": platform.system() + " " + platform.release(),
    "os": os_name,
    "load_before": "$LOAD_BEFORE",
    "load_after": "$LOAD_AFTER",
    "binary": "$TARGET_DIR/release/iphone-backup-check",
    "binary_bytes": os.path.getsize("$IBC"),
    "rss_kb": {"diagnose": int("$RSS_DIAG" or 0), "diagnose_hung": int("${RSS_HUNG:-0}" or 0),
               "ideviceinfo": int("${RSS_LIM:-0}" or 0), "pmd3_lockdown_info": int("${RSS_PMD:-0}" or 0)},
    "versions": {
        "iphone-backup-check": """$("$IBC" --version 2>/dev/null | head -1)""",
        "git": """$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)""",
        "libimobiledevice-utils": """$(dpkg-query -W -f '${Version}' libimobiledevice-utils 2>/dev/null || echo unknown)""",
        "pymobiledevice3": """$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("pymobiledevice3"))' 2>/dev/null || echo unknown)""",
        "python": platform.python_version(),
        "rustc": """$(rustc --version 2>/dev/null || echo unknown)""",
    },
}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
EOF

# ---- reading speed: a 64 MB journal paste through --from -------------------
# The normaliser and every importer over a usbmuxd log as the journal prints
# it (`Dec  5 14:38:24 host usbmuxd[3292]: [3] ...`), 64 MiB of it. Target:
# under 1 s in the release build (issue 24). Reported as MB/s.
say "reading speed: 64 MiB journal paste"
PASTE="$TMP/journal-paste.log"
python3 - "$PASTE" <<'PYEOF'
import sys
lines = [
    "Dec  5 14:38:{s:02d} host usbmuxd[3292]: [3] Connecting to new device on location 0x10004 as ID {n}\n",
    "Dec  5 14:38:{s:02d} host usbmuxd[3292]: [4] Device {n} RX aborted due to disconnect\n",
    "Dec  5 14:38:{s:02d} host usbmuxd[3292]: [3] Removed device {n} on location 0x10004\n",
    "Dec  5 14:38:{s:02d} host kernel: usb 1-4: new high-speed USB device number {n} using xhci_hcd\n",
]
want, size, n = 64 << 20, 0, 0
with open(sys.argv[1], "w") as f:
    while size < want:
        line = lines[n % 4].format(s=n % 60, n=n % 1000)
        f.write(line)
        size += len(line)
        n += 1
PYEOF
READ_BYTES=$(stat -c %s "$PASTE")
READ_BEST=""
for _ in 1 2 3; do
    t0=$EPOCHREALTIME
    "$IBC" diagnose --json --from "$PASTE" >/dev/null 2>&1 || true
    t1=$EPOCHREALTIME
    t=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
    if [[ -z $READ_BEST ]] || python3 -c "import sys; sys.exit(0 if $t < $READ_BEST else 1)"; then
        READ_BEST=$t
    fi
done
READ_MBS=$(python3 -c "print(f'{$READ_BYTES / 1e6 / $READ_BEST:.0f}')")
READ_OK=$(python3 -c "print(1 if $READ_BEST < 1.0 else 0)")
printf '\n| reading | bytes | best of 3 | MB/s | target |\n| --- | --- | --- | --- | --- |\n| --from journal paste | %s | %s s | %s | < 1 s: %s |\n\n' \
    "$READ_BYTES" "$READ_BEST" "$READ_MBS" "$( ((READ_OK)) && echo met || echo MISSED)"

rc=0
python3 "$REPORT" report "$RESULTS" "$TMP/meta.json" "$OUT/diag.json" || rc=$?
((READ_OK)) || rc=$((rc > 1 ? rc : 1))
exit "$rc"
