# Installs iphone-backup-check on Windows (x64) from a release: downloads the
# zip, checks it against the release's SHA256SUMS, and puts the exe in
# %LOCALAPPDATA%\Programs\iphone-backup-check (no administrator needed),
# adding that folder to your user PATH.
#
#   powershell -ExecutionPolicy Bypass -File install.ps1 [-BaseUrl URL] [-InstallDir DIR]
#
# -BaseUrl (or $env:IPHONE_BACKUP_CHECK_BASE_URL): where the release's files
# are. The copy attached to a release knows its own; this one in the source
# tree does not, so give it. Nothing is installed unless the checksum matches.
[CmdletBinding()]
param(
    [string]$BaseUrl = $env:IPHONE_BACKUP_CHECK_BASE_URL,
    [string]$InstallDir = (Join-Path $env:LOCALAPPDATA 'Programs\iphone-backup-check')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# Set in the copy `cargo xtask dist` writes from Cargo.toml's `repository`.
$DefaultBaseUrl = ''

if (-not $BaseUrl) { $BaseUrl = $DefaultBaseUrl }
if (-not $BaseUrl) {
    throw 'No download address: pass -BaseUrl URL (the release''s download folder) or set IPHONE_BACKUP_CHECK_BASE_URL.'
}
$BaseUrl = $BaseUrl.TrimEnd('/')
if (-not [Environment]::Is64BitOperatingSystem) {
    throw 'There is a release build for 64-bit Windows only; build from source: cargo install --locked --path .'
}
$target = 'x86_64-pc-windows-gnu'
$archive = "iphone-backup-check-$target.zip"

$tmp = Join-Path ([IO.Path]::GetTempPath()) ("iphone-backup-check-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $tmp | Out-Null
try {
    Write-Host "Downloading $archive from $BaseUrl"
    $sums = Join-Path $tmp 'SHA256SUMS'
    $zip = Join-Path $tmp $archive
    Invoke-WebRequest -UseBasicParsing -TimeoutSec 300 -Uri "$BaseUrl/SHA256SUMS" -OutFile $sums
    Invoke-WebRequest -UseBasicParsing -TimeoutSec 300 -Uri "$BaseUrl/$archive" -OutFile $zip

    $expected = $null
    foreach ($line in Get-Content $sums) {
        $parts = $line -split '\s+', 2
        if ($parts.Count -eq 2 -and $parts[1].TrimStart('*') -eq $archive) { $expected = $parts[0] }
    }
    if (-not $expected) { throw "SHA256SUMS lists no $archive" }
    $actual = (Get-FileHash -Algorithm SHA256 -Path $zip).Hash
    if ($actual -ne $expected.ToUpperInvariant()) {
        throw "Checksum mismatch for ${archive}: expected $expected, got $actual; nothing installed."
    }

    Expand-Archive -Path $zip -DestinationPath $tmp
    New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
    Copy-Item -Force (Join-Path $tmp "iphone-backup-check-$target\iphone-backup-check.exe") $InstallDir
    Copy-Item -Force (Join-Path $tmp "iphone-backup-check-$target\completions\_iphone-backup-check.ps1") $InstallDir
} finally {
    Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue
}

$exe = Join-Path $InstallDir 'iphone-backup-check.exe'
& $exe --version
if ($LASTEXITCODE -ne 0) { throw "The installed $exe does not run." }
Write-Host "Installed $exe"

$userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
if (-not (($userPath -split ';') -contains $InstallDir)) {
    [Environment]::SetEnvironmentVariable('Path', (@($userPath, $InstallDir) | Where-Object { $_ }) -join ';', 'User')
    Write-Host "Added $InstallDir to your user PATH; open a new terminal to use it."
}
Write-Host 'Then run: iphone-backup-check diagnose'
