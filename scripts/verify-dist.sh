#!/usr/bin/env bash
# Installs and runs each artifact `cargo xtask dist` wrote (.ci/run calls this
# right after it):
#
# - SHA256SUMS matches every archive and package;
# - each Linux musl binary is static (file, ldd) and runs `--version` and
#   `diagnose` in a root holding nothing but itself (chroot as root, else
#   unshare's user namespace); aarch64 through qemu-aarch64-static copied into
#   that root;
# - the amd64 .deb installs with dpkg, its `iphone-backup-check diagnose` and
#   `man iphone-backup-check` work, completions are where Debian puts them,
#   and it removes leaving none of its files (root only); the arm64 .deb's
#   metadata and contents are checked;
# - the Windows zip holds a PE32+ x86-64 exe (.ci/run then runs the Wine
#   end-to-end test on that very exe, IBC_WINDOWS_EXE);
# - install.sh installs from the archives served on 127.0.0.1 and refuses an
#   archive whose checksum does not match, installing nothing;
# - install.ps1 is parsed when PowerShell (pwsh) is there.
#
#   scripts/verify-dist.sh [DIST]    (default: $CARGO_TARGET_DIR/dist or target/dist)
#
# A missing tool fails the check under CI (CI set) and is skipped with a
# message otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

dist=${1:-${CARGO_TARGET_DIR:-target}/dist}
dist=$(cd "$dist" && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

failures=0
checks=0
ok() {
    checks=$((checks + 1))
    echo "ok: $*"
}
bad() {
    checks=$((checks + 1))
    failures=$((failures + 1))
    echo "FAILED: $*"
}
missing() {
    if [ -n "${CI:-}" ]; then
        bad "$* is missing (CI must run this check)"
    else
        echo "SKIPPED: $* is missing; set CI to make this a failure"
    fi
}
# 1 (warnings) or 2 (blocker): the tool ran and judged. No phone is attached
# here, so 0 would be a false "ready"; 3, a signal or a timeout is a failure.
judged() {
    [ "$1" -eq 1 ] || [ "$1" -eq 2 ]
}

# --- checksums ---------------------------------------------------------------
if (cd "$dist" && sha256sum --quiet -c SHA256SUMS); then
    ok "SHA256SUMS matches $(wc -l <"$dist/SHA256SUMS") artifacts"
else
    bad "SHA256SUMS does not match"
fi

# --- Linux musl binaries in an empty root ----------------------------------
in_root() { # ROOT CMD...: run CMD with ROOT as /, under a deadline
    local root=$1
    shift
    if [ "$(id -u)" = 0 ]; then
        timeout 120 chroot "$root" "$@"
    else
        timeout 120 unshare --map-root-user --root="$root" "$@"
    fi
}

linux_binary() { # TARGET FILE-ARCH [RUNNER]
    local target=$1 arch=$2 runner=${3:-}
    local archive="$dist/iphone-backup-check-$target.tar.gz"
    if [ ! -f "$archive" ]; then
        bad "$target: no $archive"
        return
    fi
    mkdir -p "$work/$target"
    tar -xzf "$archive" -C "$work/$target"
    local dir="$work/$target/iphone-backup-check-$target"
    local missing_files=""
    for f in iphone-backup-check README.md LICENSE-MIT LICENSE-APACHE man/iphone-backup-check.1 \
        completions/iphone-backup-check.bash completions/_iphone-backup-check \
        completions/iphone-backup-check.fish; do
        [ -f "$dir/$f" ] || missing_files="$missing_files $f"
    done
    if [ -z "$missing_files" ]; then ok "$target: archive holds binary, README, licences, man page, completions"; else bad "$target: archive lacks$missing_files"; fi

    local bin="$dir/iphone-backup-check" desc
    desc=$(file -b "$bin")
    if [[ $desc == *"$arch"* && ($desc == *"statically linked"* || $desc == *"static-pie linked"*) ]]; then
        ok "$target: file says: $desc"
    else
        bad "$target: not a static $arch executable: $desc"
    fi
    local ldd_out
    ldd_out=$(ldd "$bin" 2>&1 || true)
    if [[ $ldd_out == *"=>"* ]]; then
        bad "$target: ldd lists shared libraries: $ldd_out"
    else
        ok "$target: ldd: $(echo "$ldd_out" | head -1 | sed 's/^\s*//')"
    fi

    # A root with only the binary (and, for another architecture, the emulator).
    local root="$work/root-$target"
    mkdir -p "$root"
    cp "$bin" "$root/iphone-backup-check"
    local cmd=(/iphone-backup-check)
    if [ -n "$runner" ]; then
        local emulator
        emulator=$(command -v "$runner" || true)
        if [ -z "$emulator" ]; then
            missing "$runner (apt-get install qemu-user-static)"
            return
        fi
        cp "$emulator" "$root/$runner"
        cmd=("/$runner" /iphone-backup-check)
    fi
    echo "   root holds: $(cd "$root" && echo *)"
    local line
    line=$(in_root "$root" "${cmd[@]}" --version 2>&1) || true
    if [[ $line == "iphone-backup-check $version (commit "*", $target)" ]]; then
        ok "$target: in an empty root: $line"
    else
        bad "$target: --version in an empty root said: $line"
    fi
    local status=0
    in_root "$root" "${cmd[@]}" diagnose --timeout 5 --json >"$work/$target.json" 2>"$work/$target.err" || status=$?
    local said
    said=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["verdict"], r["tool"]["target"], " ".join(f["id"] for f in r["findings"]))' "$work/$target.json" 2>&1) || said="not a JSON report: $(head -c 300 "$work/$target.json") $(head -c 300 "$work/$target.err")"
    if judged "$status" && [[ $said == *" $target "* ]]; then
        ok "$target: diagnose in an empty root: exit $status, $said"
    else
        bad "$target: diagnose in an empty root: exit $status, $said"
    fi
}

if ! command -v file >/dev/null; then missing "file"; fi
linux_binary x86_64-unknown-linux-musl x86-64
linux_binary aarch64-unknown-linux-musl "ARM aarch64" qemu-aarch64-static

# --- Debian packages -----------------------------------------------------------
deb_amd64="$dist/iphone-backup-check_${version}-1_amd64.deb"
deb_arm64="$dist/iphone-backup-check_${version}-1_arm64.deb"
for deb in "$deb_amd64" "$deb_arm64"; do
    if [ ! -f "$deb" ]; then
        bad "no $deb"
        continue
    fi
    depends=$(dpkg-deb -f "$deb" Depends)
    contents=$(dpkg-deb -c "$deb")
    if [ -z "$depends" ]; then ok "$(basename "$deb"): depends on nothing"; else bad "$(basename "$deb") depends on: $depends"; fi
    want_missing=""
    for path in ./usr/bin/iphone-backup-check ./usr/share/man/man1/iphone-backup-check.1 \
        ./usr/share/bash-completion/completions/iphone-backup-check \
        ./usr/share/zsh/vendor-completions/_iphone-backup-check \
        ./usr/share/fish/vendor_completions.d/iphone-backup-check.fish \
        ./usr/share/doc/iphone-backup-check/copyright; do
        grep -q " $path\(\.gz\)\?$" <<<"$contents" || want_missing="$want_missing $path"
    done
    if [ -z "$want_missing" ]; then ok "$(basename "$deb"): binary, man page, completions and copyright in Debian's places"; else bad "$(basename "$deb") lacks$want_missing"; fi
done

if [ "$(id -u)" != 0 ]; then
    echo "SKIPPED: installing the .deb needs root (dpkg -i)"
elif [ -f "$deb_amd64" ]; then
    if dpkg -s iphone-backup-check >/dev/null 2>&1; then
        dpkg --purge iphone-backup-check >/dev/null
    fi
    if dpkg -i "$deb_amd64" >/dev/null; then
        ok "dpkg -i $(basename "$deb_amd64")"
        files=$(dpkg -L iphone-backup-check | while read -r f; do if [ -f "$f" ]; then echo "$f"; fi; done)
        status=0
        out=$(timeout 120 iphone-backup-check diagnose --timeout 5 --color never 2>&1) || status=$?
        if judged "$status" && [[ $out == *"What was checked"* ]]; then
            ok "installed iphone-backup-check diagnose: exit $status"
        else
            bad "installed iphone-backup-check diagnose: exit $status: $(head -c 400 <<<"$out")"
        fi
        if ! command -v man >/dev/null; then
            missing "man (apt-get install man-db)"
        elif page=$(MANPAGER=cat MANWIDTH=80 man iphone-backup-check 2>&1) && [[ $page == *diagnose* ]]; then
            ok "man iphone-backup-check: $(grep -m1 -A1 NAME <<<"$page" | tail -1 | sed 's/^\s*//')"
        else
            bad "man iphone-backup-check: $(head -c 300 <<<"$page")"
        fi
        if dpkg -r iphone-backup-check >/dev/null; then
            left=$(for f in $files; do if [ -e "$f" ]; then echo "$f"; fi; done)
            if [ -z "$left" ] && ! command -v iphone-backup-check >/dev/null; then
                ok "dpkg -r removed all $(wc -w <<<"$files") files"
            else
                bad "dpkg -r left: $left"
            fi
        else
            bad "dpkg -r failed"
        fi
        dpkg --purge iphone-backup-check >/dev/null 2>&1 || true
    else
        bad "dpkg -i $(basename "$deb_amd64") failed"
    fi
fi

# --- Windows zip -----------------------------------------------------------------
winzip="$dist/iphone-backup-check-x86_64-pc-windows-gnu.zip"
if [ -f "$winzip" ]; then
    unzip -q "$winzip" -d "$work/windows"
    exe="$work/windows/iphone-backup-check-x86_64-pc-windows-gnu/iphone-backup-check.exe"
    desc=$(file -b "$exe" 2>&1 || true)
    if [[ $desc == PE32+*x86-64* ]] && [ -f "${exe%/*}/completions/_iphone-backup-check.ps1" ]; then
        ok "Windows zip: $desc, with README, licences, man page, completions"
    else
        bad "Windows zip: $desc"
    fi
else
    bad "no $winzip"
fi

# --- install.sh against a local server ---------------------------------------------
serve() { # DIR: serve it on 127.0.0.1, set $port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    python3 -m http.server --bind 127.0.0.1 --directory "$1" "$port" >/dev/null 2>&1 &
    server_pid=$!
    for _ in $(seq 50); do
        if python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null; then return; fi
        sleep 0.1
    done
    bad "the local HTTP server did not start"
}
unserve() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}
if ! command -v curl >/dev/null && ! command -v wget >/dev/null; then
    missing "curl or wget"
else
    serve "$dist"
    prefix="$work/prefix-good"
    status=0
    out=$(env -u IPHONE_BACKUP_CHECK_PREFIX HOME="$work/home" timeout 120 sh "$dist/install.sh" \
        --base-url "http://127.0.0.1:$port" --prefix "$prefix" 2>&1) || status=$?
    if [ "$status" = 0 ] && "$prefix/bin/iphone-backup-check" --version >/dev/null &&
        [ -f "$prefix/share/man/man1/iphone-backup-check.1" ]; then
        ok "install.sh from http://127.0.0.1:$port: $("$prefix/bin/iphone-backup-check" --version)"
    else
        bad "install.sh from the local server: exit $status: $out"
    fi
    unserve

    # The same files with the archive changed after the sums were made.
    bad_dir="$work/tampered"
    mkdir -p "$bad_dir"
    cp "$dist/SHA256SUMS" "$dist"/*.tar.gz "$bad_dir/"
    for a in "$bad_dir"/*.tar.gz; do printf 'x' >>"$a"; done
    serve "$bad_dir"
    prefix="$work/prefix-bad"
    status=0
    out=$(HOME="$work/home" timeout 120 sh "$dist/install.sh" \
        --base-url "http://127.0.0.1:$port" --prefix "$prefix" 2>&1) || status=$?
    if [ "$status" != 0 ] && [[ $out == *"checksum mismatch"* ]] && [ ! -e "$prefix/bin/iphone-backup-check" ]; then
        ok "install.sh refused a tampered archive (exit $status) and installed nothing: $(tail -1 <<<"$out")"
    else
        bad "install.sh with a tampered archive: exit $status, installed: $(ls "$prefix/bin" 2>&1): $out"
    fi
    unserve
fi

# --- install.ps1 -------------------------------------------------------------------
if command -v pwsh >/dev/null; then
    # shellcheck disable=SC2016 # PowerShell's own variables, not the shell's
    if pwsh -NoProfile -Command '$e = $null; [System.Management.Automation.Language.Parser]::ParseFile($args[0], [ref]$null, [ref]$e) | Out-Null; if ($e) { $e; exit 1 }' "$dist/install.ps1"; then
        ok "install.ps1 parses (pwsh)"
    else
        bad "install.ps1 does not parse"
    fi
else
    echo "SKIPPED: install.ps1 not run or parsed: no PowerShell (pwsh) here"
fi

echo "verify-dist: $((checks - failures)) passed, $failures failed"
[ "$failures" = 0 ]
