//! `cargo xtask dist`: every release artifact this machine can build, into
//! `target/dist/` (`$CARGO_TARGET_DIR/dist` when that is set):
//!
//! - one archive per target: the binary, README, licences, the man page and
//!   the shell completions the binary itself prints (`man`, `completions`);
//!   `.tar.gz` for Linux and macOS, `.zip` for Windows;
//! - a `.deb` per Linux target, from the static musl build (cargo-deb), so it
//!   depends on nothing;
//! - `SHA256SUMS` over everything in the folder;
//! - the Homebrew, Scoop and winget recipes and the release copy of
//!   `install.sh`, with the download address taken from Cargo.toml's
//!   `repository` (none written while it is unset).
//!
//! Linux targets build with cargo-zigbuild (zig as the C compiler and linker
//! for musl, both architectures); Windows with MinGW-w64, as CI builds it.
//! `universal-apple-darwin` (macOS runners only) builds both Apple targets
//! and joins them with `lipo`. `cargo xtask dist sums` redoes only the last
//! two steps over what the folder holds (the release workflow gathers every
//! runner's archives there first).

mod archive;
mod checksums;
mod recipes;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use recipes::Release;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// What a plain `cargo xtask dist` builds: everything a Linux x86_64 machine
/// with zig and MinGW-w64 can. The first runs here and prints the man page
/// and completions for all.
pub const DEFAULT_TARGETS: [&str; 3] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-pc-windows-gnu",
];

pub const BIN: &str = "iphone-backup-check";

pub fn run(repo: &Path, args: &[&str]) -> Result<()> {
    let started = Instant::now();
    let meta = Metadata::read(repo)?;
    let dist = meta.target_dir.join("dist");
    match args {
        ["sums"] => return finish(repo, &meta, &dist),
        [] => build_all(repo, &meta, &dist, &DEFAULT_TARGETS)?,
        ["--target", rest @ ..] if !rest.is_empty() => build_all(repo, &meta, &dist, rest)?,
        _ => return Err("usage: cargo xtask dist [sums | --target TRIPLE...]".into()),
    }
    finish(repo, &meta, &dist)?;
    eprintln!(
        "dist: done in {:.0} s: {}",
        started.elapsed().as_secs_f64(),
        dist.display()
    );
    Ok(())
}

fn build_all(repo: &Path, meta: &Metadata, dist: &Path, targets: &[&str]) -> Result<()> {
    std::fs::create_dir_all(dist)?;
    let mut docs: Option<archive::Docs> = None;
    let mut built = Vec::new();
    for target in targets {
        let t = Instant::now();
        let binary = build(repo, meta, target)?;
        eprintln!("dist: built {target} in {:.0} s", t.elapsed().as_secs_f64());
        if docs.is_none() {
            // The first binary that runs here prints them for every archive.
            docs = archive::Docs::from_binary(&binary).ok();
        }
        built.push((*target, binary));
    }
    let docs = docs.ok_or(
        "none of the binaries built runs on this machine, so none can print the man page \
         and completions: put a native target first",
    )?;
    for (target, binary) in &built {
        let name = archive::write(dist, target, binary, &docs, repo)?;
        eprintln!("dist: {}", dist.join(name).display());
        if let Some(arch) = deb_arch(target) {
            let deb = make_deb(repo, meta, target, arch, &docs, dist)?;
            eprintln!("dist: {}", deb.display());
        }
    }
    Ok(())
}

/// SHA256SUMS, then the recipes and install.sh from it.
fn finish(repo: &Path, meta: &Metadata, dist: &Path) -> Result<()> {
    let sums = checksums::write_sums(dist)?;
    eprintln!("dist: {}", dist.join(checksums::SUMS).display());
    let scripts = ["install.sh", "install.ps1"]
        .map(|name| std::fs::read_to_string(repo.join(name)).map(|text| (name, text)));
    let Some(repository) = meta.repository.as_deref() else {
        for script in scripts {
            let (name, text) = script?;
            std::fs::write(dist.join(name), text)?;
        }
        eprintln!(
            "dist: Cargo.toml has no `repository`, so no Homebrew, Scoop or winget recipe is \
             written and the install scripts have no built-in download address (they need \
             --base-url / -BaseUrl); set `repository` in Cargo.toml to the project's address \
             to get them"
        );
        return Ok(());
    };
    let release = Release {
        repository,
        version: &meta.version,
        description: &meta.description,
        sums: &sums,
    };
    for (path, text) in recipes::all(&release)? {
        let path = dist.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
        eprintln!("dist: {}", path.display());
    }
    for script in scripts {
        let (name, text) = script?;
        let filled = recipes::install_script(&text, &release.latest_download_base())?;
        std::fs::write(dist.join(name), filled)?;
    }
    Ok(())
}

/// Builds the release binary of one target; returns its path.
fn build(repo: &Path, meta: &Metadata, target: &str) -> Result<PathBuf> {
    if target == "universal-apple-darwin" {
        let parts = ["aarch64-apple-darwin", "x86_64-apple-darwin"];
        let mut lipo = Command::new("lipo");
        lipo.arg("-create");
        for part in parts {
            lipo.arg(build(repo, meta, part)?);
        }
        let out = meta.target_dir.join(target).join("release");
        std::fs::create_dir_all(&out)?;
        let joined = out.join(BIN);
        run_tool(lipo.arg("-output").arg(&joined))?;
        return Ok(joined);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    // musl: zig is the C compiler (vendored libusb, bundled SQLite, ring)
    // and the linker, for both architectures.
    let sub = if target.contains("-linux-musl") {
        "zigbuild"
    } else {
        "build"
    };
    cmd.current_dir(repo).args([
        sub,
        "--release",
        "--locked",
        "--target",
        target,
        "--bin",
        BIN,
    ]);
    run_tool(&mut cmd)?;
    let exe = if target.contains("windows") {
        format!("{BIN}.exe")
    } else {
        BIN.to_string()
    };
    Ok(meta.target_dir.join(target).join("release").join(exe))
}

/// The Debian architecture of a Linux target we make a .deb of.
fn deb_arch(target: &str) -> Option<&'static str> {
    match target {
        "x86_64-unknown-linux-musl" => Some("amd64"),
        "aarch64-unknown-linux-musl" => Some("arm64"),
        _ => None,
    }
}

/// cargo-deb on the built binary (no rebuild, no strip: the release profile
/// strips debug info and the host's strip cannot read aarch64); the man page
/// and completions go where Cargo.toml's `package.metadata.deb` says.
fn make_deb(
    repo: &Path,
    meta: &Metadata,
    target: &str,
    arch: &str,
    docs: &archive::Docs,
    dist: &Path,
) -> Result<PathBuf> {
    let extra = meta
        .target_dir
        .join(target)
        .join("release")
        .join("dist-extra");
    docs.write_to(&extra)?;
    let name = format!("{BIN}_{}-1_{arch}.deb", meta.version);
    let out = dist.join(&name);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    run_tool(
        Command::new(cargo)
            .current_dir(repo)
            .args(["deb", "--no-build", "--no-strip", "-p", BIN])
            .args(["--target", target, "--output"])
            .arg(&out),
    )
    .map_err(|e| format!("{e} (cargo-deb: cargo install --locked cargo-deb)"))?;
    Ok(out)
}

fn run_tool(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    if !status.success() {
        return Err(format!("{cmd:?} failed: {status}").into());
    }
    Ok(())
}

/// What `cargo metadata` says of the package and the workspace.
struct Metadata {
    version: String,
    description: String,
    repository: Option<String>,
    target_dir: PathBuf,
}

impl Metadata {
    fn read(repo: &Path) -> Result<Self> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .current_dir(repo)
            .args(["metadata", "--no-deps", "--format-version", "1", "--locked"])
            .output()?;
        if !out.status.success() {
            return Err(format!("cargo metadata: {}", String::from_utf8_lossy(&out.stderr)).into());
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        let package = v["packages"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["name"] == BIN))
            .ok_or("cargo metadata lists no iphone-backup-check package")?;
        let text = |key: &str| package[key].as_str().map(str::to_string);
        Ok(Self {
            version: text("version").ok_or("no version")?,
            description: text("description").unwrap_or_default(),
            repository: text("repository").filter(|r| !r.trim().is_empty()),
            target_dir: PathBuf::from(
                v["target_directory"]
                    .as_str()
                    .ok_or("no target_directory")?,
            ),
        })
    }
}
