//! The core crate stays pure because of what it may depend on: none of the
//! crates that reach the bus, the daemon, the disk, the clock or the OS. (Its
//! own use of std's fs, env, net, process and clock is a clippy error, set in
//! `crates/core/clippy.toml`.) This reads the resolved dependency graph, so a
//! transitive I/O crate fails it too.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

const CORE: &str = "iphone-backup-core";

/// Crates that do I/O, or exist to: the probes' and the CLI's, not the core's.
const IO_CRATES: &[&str] = &[
    "tokio",
    "mio",
    "rusb",
    "libusb1-sys",
    "idevice",
    "rusqlite",
    "libsqlite3-sys",
    "sysinfo",
    "rustix",
    "libc",
    "windows-sys",
    "windows",
    "indicatif",
    "clap",
    "tracing-subscriber",
];

#[test]
fn the_core_crate_depends_on_no_io_crate() {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let names: BTreeMap<&str, &str> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap_or(""),
                p["name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let nodes = meta["resolve"]["nodes"]
        .as_array()
        .expect("a resolved graph");
    let deps_of = |id: &str| -> Vec<String> {
        nodes
            .iter()
            .find(|n| n["id"] == id)
            .and_then(|n| n["deps"].as_array())
            .map(|deps| {
                deps.iter()
                    // Normal dependencies only: the core's tests may use more.
                    .filter(|d| {
                        d["dep_kinds"]
                            .as_array()
                            .is_some_and(|k| k.iter().any(|k| k["kind"].is_null()))
                    })
                    .filter_map(|d| d["pkg"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let core_id = names
        .iter()
        .find(|(_, n)| **n == CORE)
        .map(|(id, _)| id.to_string())
        .expect("the core crate is in the workspace");
    let mut seen = BTreeSet::new();
    let mut todo = vec![core_id];
    while let Some(id) = todo.pop() {
        if seen.insert(id.clone()) {
            todo.extend(deps_of(&id));
        }
    }
    let reached: BTreeSet<&str> = seen
        .iter()
        .filter_map(|id| names.get(id.as_str()).copied())
        .collect();
    assert!(
        reached.contains("serde"),
        "the walk found the core's own dependencies: {reached:?}"
    );
    for bad in IO_CRATES {
        assert!(
            !reached.contains(bad),
            "{CORE} reaches {bad}: the core does no I/O (cargo tree -p {CORE} -e normal -i {bad})"
        );
    }
}
