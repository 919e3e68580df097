//! Tests about the rule catalogue itself: no published id vanishes, every
//! rule file is registered and the generated docs are current.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Every id ever published (`docs/rule-ids.txt`): scripts key on them.
fn published_ids() -> Vec<String> {
    std::fs::read_to_string("docs/rule-ids.txt")
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

const BLESS: &str = "run `cargo xtask bless`, review `git diff` and commit";

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

/// An id never vanishes silently: each published one is still a rule or has
/// a row in the retired table, and each rule's id is published.
#[test]
fn published_ids_are_rules_or_retired_and_every_rule_is_published() {
    use iphone_backup_check::rules::{by_id, retired, RETIRED};
    let published = published_ids();
    let listed = catalogue_ids();
    for id in &published {
        let live = listed.iter().any(|i| i == id);
        let gone = retired(id).is_some();
        assert!(
            live != gone,
            "{id}: published in docs/rule-ids.txt, so it must be either a rule (`rules --json`) \
or a row in rules/retired.rs, not {}",
            if live { "both" } else { "neither" }
        );
    }
    for id in &listed {
        assert!(
            published.contains(id),
            "{id} is a rule but not in docs/rule-ids.txt: {BLESS}"
        );
    }
    for r in RETIRED {
        if let Some(new) = r.replaced_by {
            assert!(
                by_id(new).is_some(),
                "{} is replaced by {new}, which is not a rule",
                r.id
            );
        }
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
        // `id: RuleId::UsbNoDevice,`: the variant, whose text the id table gives.
        let variant = text
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("id: RuleId::")
                    .and_then(|r| r.strip_suffix(','))
            })
            .unwrap_or_else(|| panic!("{} declares a rule without a readable id", f.display()));
        let id = iphone_backup_check::rules::RuleId::ALL
            .iter()
            .find(|i| format!("{i:?}") == variant)
            .map(|i| i.as_str())
            .unwrap_or_else(|| panic!("{}: RuleId::{variant} is not in the id table", f.display()));
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

/// The catalogue's links from a rule to its file lead somewhere.
#[test]
fn every_rule_names_the_file_that_declares_it() {
    for r in iphone_backup_check::rules::RULES {
        let text = std::fs::read_to_string(r.source)
            .unwrap_or_else(|e| panic!("{}: source {}: {e}", r.id, r.source));
        assert!(
            text.contains(&format!("id: RuleId::{:?},", r.id)),
            "{} does not declare {}",
            r.source,
            r.id
        );
    }
}

#[test]
fn docs_rules_md_is_generated_and_current() {
    let generated = stdout(&["rules", "--markdown"]);
    let committed = std::fs::read_to_string("docs/rules.md").unwrap_or_default();
    assert!(committed == generated, "docs/rules.md is stale: {BLESS}");
    for id in catalogue_ids() {
        assert!(
            committed.contains(&format!("\n## {id}\n")),
            "docs/rules.md has no section for {id}"
        );
    }
}
