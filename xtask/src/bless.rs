//! `cargo xtask bless`: the one way to update what the tests compare against
//! (the fixtures' golden files, `docs/rules.md`, `docs/rule-ids.txt`), so a
//! change in output is reviewed as a diff, never hand-edited.

use std::path::Path;
use std::process::Command;

use iphone_backup_check::report::catalogue;
use iphone_backup_check::rules::RULES;

pub fn run(repo: &Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::write(repo.join("docs/rules.md"), catalogue::markdown())?;
    publish_new_ids(&repo.join("docs/rule-ids.txt"))?;
    let status = Command::new(env!("CARGO"))
        .args([
            "test",
            "--quiet",
            "-p",
            "iphone-backup-check",
            "--test",
            "fixtures",
        ])
        .env("INSTA_UPDATE", "always")
        .current_dir(repo)
        .status()?;
    if !status.success() {
        return Err(
            "the fixtures' tests fail for another reason than a changed golden file".into(),
        );
    }
    let changed = Command::new("git")
        .args(["status", "--short", "--", "docs", "tests/snapshots"])
        .current_dir(repo)
        .output()?;
    let changed = String::from_utf8_lossy(&changed.stdout);
    if changed.trim().is_empty() {
        println!("nothing changed");
    } else {
        println!("review these with `git diff` before committing:\n{changed}");
    }
    Ok(())
}

/// Adds the ids of new rules to the published list; never removes one (a
/// retired id moves to `rules/retired.rs` and stays listed).
fn publish_new_ids(path: &Path) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    let mut ids: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    for r in RULES {
        if !ids.iter().any(|i| i == r.id.as_str()) {
            ids.push(r.id.to_string());
        }
    }
    ids.sort();
    let mut out = header.join("\n");
    out.push('\n');
    out.push_str(&ids.join("\n"));
    out.push('\n');
    std::fs::write(path, out)
}
