//! Build information for `--version` and the JSON report's `tool`: the
//! commit, the build date and the target, fixed at compile time.
//!
//! The commit comes from `IPHONE_BACKUP_CHECK_COMMIT` when set (a build from a
//! source tarball that knows its commit), else from git when this package is the
//! top of a git work tree, else it is unknown. The date is `SOURCE_DATE_EPOCH`'s
//! (reproducible builds) when set, else the day this script ran, in UTC. The
//! script reruns only when HEAD moves or those variables change, so an
//! unchanged tree does not rebuild.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=IPHONE_BACKUP_CHECK_COMMIT");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");

    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = match std::env::var("IPHONE_BACKUP_CHECK_COMMIT") {
        Ok(c) if !c.trim().is_empty() => c.trim().to_string(),
        _ => git_commit(&manifest_dir).unwrap_or_default(),
    };
    let epoch = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => s
            .trim()
            .parse::<u64>()
            .unwrap_or_else(|_| panic!("SOURCE_DATE_EPOCH is not a number of seconds: {s:?}")),
        Err(_) => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    };
    let target = std::env::var("TARGET").unwrap_or_default();

    println!("cargo:rustc-env=IBC_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=IBC_BUILD_DATE={}", civil_date(epoch));
    println!("cargo:rustc-env=IBC_BUILD_TARGET={target}");
}

/// The abbreviated commit of HEAD, when `dir` is the top of a git work tree
/// (not a crate vendored inside some other repository), and makes cargo rerun
/// this script when HEAD or the branch it names moves.
fn git_commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(Path::new(&top), dir) {
        return None;
    }
    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        // A path that does not exist would make cargo rerun on every build.
        if let Some(path) = git(dir, &["rev-parse", "--git-path", &name]) {
            let path = dir.join(path);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    Some(commit)
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
fn civil_date(epoch: u64) -> String {
    let t = UNIX_EPOCH + std::time::Duration::from_secs(epoch);
    humantime::format_rfc3339_seconds(t).to_string()[..10].to_string()
}
