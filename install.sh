#!/bin/sh
# Installs iphone-backup-check from a release: downloads the archive for this
# machine (Linux x86_64 or aarch64, static; macOS universal), checks it against
# the release's SHA256SUMS, and puts the binary, its man page and completions
# in your home folder (~/.local), or under /usr/local when run as root.
#
#   sh install.sh [--base-url URL] [--prefix DIR]
#
# --base-url (or IPHONE_BACKUP_CHECK_BASE_URL): where the release's files are.
#   The copy attached to a release knows its own; this one in the source tree
#   does not, so give it (a folder of `cargo xtask dist` output served over
#   HTTP works too).
# --prefix (or IPHONE_BACKUP_CHECK_PREFIX): install into DIR/bin, DIR/share.
#
# Nothing is installed unless the checksum matches. Needs curl or wget, tar,
# and sha256sum or shasum.
set -eu

# Set in the copy `cargo xtask dist` writes from Cargo.toml's `repository`.
DEFAULT_BASE_URL=''

base_url=${IPHONE_BACKUP_CHECK_BASE_URL:-$DEFAULT_BASE_URL}
if [ "$(id -u)" = 0 ]; then
    prefix=${IPHONE_BACKUP_CHECK_PREFIX:-/usr/local}
else
    prefix=${IPHONE_BACKUP_CHECK_PREFIX:-$HOME/.local}
fi

die() {
    echo "install.sh: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case $1 in
    --base-url) [ $# -ge 2 ] || die "--base-url needs a URL"; base_url=$2; shift 2 ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; prefix=$2; shift 2 ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
    esac
done
[ -n "$base_url" ] || die "no download address: pass --base-url URL (the release's download folder) or set IPHONE_BACKUP_CHECK_BASE_URL"
base_url=${base_url%/}

case "$(uname -s)/$(uname -m)" in
Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-musl ;;
Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
Darwin/*) target=universal-apple-darwin ;;
*) die "no release build for $(uname -s) $(uname -m); build from source: cargo install --locked --path ." ;;
esac
archive="iphone-backup-check-$target.tar.gz"

fetch() { # URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl --fail --silent --show-error --location --max-time 300 --output "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget --quiet --timeout=60 --output-document="$2" "$1"
    else
        die "needs curl or wget"
    fi || die "could not download $1"
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    else
        die "needs sha256sum or shasum to check the download"
    fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "Downloading $archive from $base_url" >&2
fetch "$base_url/SHA256SUMS" "$tmp/SHA256SUMS"
fetch "$base_url/$archive" "$tmp/$archive"
expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die "SHA256SUMS lists no $archive"
actual=$(sha256 "$tmp/$archive")
if [ "$actual" != "$expected" ]; then
    die "checksum mismatch for $archive: expected $expected, got $actual; nothing installed"
fi

tar -xzf "$tmp/$archive" -C "$tmp"
src="$tmp/iphone-backup-check-$target"
mkdir -p "$prefix/bin" "$prefix/share/man/man1" \
    "$prefix/share/bash-completion/completions" "$prefix/share/zsh/site-functions" \
    "$prefix/share/fish/vendor_completions.d"
# Into place by rename, so a running copy is never half overwritten.
cp "$src/iphone-backup-check" "$prefix/bin/.iphone-backup-check.new"
chmod 755 "$prefix/bin/.iphone-backup-check.new"
mv -f "$prefix/bin/.iphone-backup-check.new" "$prefix/bin/iphone-backup-check"
cp "$src/man/iphone-backup-check.1" "$prefix/share/man/man1/"
cp "$src/completions/iphone-backup-check.bash" "$prefix/share/bash-completion/completions/iphone-backup-check"
cp "$src/completions/_iphone-backup-check" "$prefix/share/zsh/site-functions/"
cp "$src/completions/iphone-backup-check.fish" "$prefix/share/fish/vendor_completions.d/"

"$prefix/bin/iphone-backup-check" --version >&2 || die "the installed binary does not run"
echo "Installed $prefix/bin/iphone-backup-check" >&2
case ":$PATH:" in
*":$prefix/bin:"*) ;;
*) echo "Add $prefix/bin to your PATH, e.g.: echo 'export PATH=\"$prefix/bin:\$PATH\"' >> ~/.profile" >&2 ;;
esac
echo "Then run: iphone-backup-check diagnose" >&2
