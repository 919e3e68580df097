//! Tests about the rule catalogue itself: the stable ids are all there,
//! every rule file is registered and the generated docs are current.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The stable ids of DESIGN.md: scripts key on them, so none may vanish.
const STABLE_IDS: &[&str] = &[
    "usb.no-device",
    "usb.unavailable",
    "usb.access-denied",
    "usb.hub",
    "usb.slow-link",
    "usb.recovery-mode",
    "usb.dfu-mode",
    "usbmuxd.not-running",
    "usbmuxd.stale-socket",
    "usbmuxd.access-denied",
    "usbmuxd.unresponsive",
    "usbmuxd.protocol-error",
    "usbmuxd.device-not-listed",
    "usbmuxd.wifi-only",
    "trust.not-paired",
    "trust.dialog-pending",
    "trust.denied",
    "trust.reset-on-device",
    "trust.session-failed",
    "device.locked",
    "device.storage-full",
    "device.ios-outdated",
    "device.battery-low",
    "device.restricted",
    "host.disk-space",
    "host.backup-dir-unusable",
    "host.os-outdated",
    "host.backup-in-progress",
    "backup.unfinished",
    "backup.corrupt",
    "backup.encrypted",
    "backup-service.refused",
    "icloud.backup-enabled",
    "device.passcode-prompt",
    "backup.encryption-required",
    "connection.unstable",
];

fn stdout(args: &[&str]) -> String {
    let out = Command::cargo_bin("iphone-backup-check")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn catalogue_ids() -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(&stdout(&["rules", "--json"])).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn rules_json_lists_every_stable_id() {
    let ids = catalogue_ids();
    for id in STABLE_IDS {
        assert!(ids.iter().any(|i| i == id), "`rules --json` lacks {id}");
    }
}

fn rule_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rule_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rule_file_is_registered() {
    let ids = catalogue_ids();
    let mut files = Vec::new();
    rule_files(Path::new("crates/core/src/rules"), &mut files);
    let mut declared = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        if !text.contains("declare_rule! {") {
            continue;
        }
        let id = text
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("id: \"")
                    .and_then(|r| r.strip_suffix("\","))
            })
            .unwrap_or_else(|| panic!("{} declares a rule without a readable id", f.display()));
        assert!(
            ids.iter().any(|i| i == id),
            "{} ({id}) is not in RULES",
            f.display()
        );
        declared += 1;
    }
    assert_eq!(
        declared,
        ids.len(),
        "rule files and registry entries differ in number"
    );
}

#[test]
fn docs_rules_md_is_generated_and_current() {
    let generated = stdout(&["rules", "--markdown"]);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write("docs/rules.md", &generated).unwrap();
    }
    let committed = std::fs::read_to_string("docs/rules.md").unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `UPDATE_DOCS=1 cargo test --test catalogue` and commit it"
    );
    for id in STABLE_IDS {
        assert!(
            committed.contains(&format!("\n## {id}\n")),
            "docs/rules.md has no section for {id}"
        );
    }
}
