//! Every snapshot in `fixtures/` replayed through `diagnose --from`, text and
//! JSON, against reviewed golden files in `tests/snapshots/`. A new fixture
//! gets its golden files from `cargo xtask bless`, to be reviewed as a diff.

use std::path::Path;

use assert_cmd::Command;

fn diagnose(fixture: &Path, extra: &[&str]) -> (String, i32) {
    let out = Command::cargo_bin("iphone-backup-check")
        .unwrap()
        .args(["diagnose", "--color", "never", "--from"])
        .arg(fixture)
        .args(extra)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn fixtures_match_golden_files() {
    insta::glob!("../fixtures", "*.json", |path| {
        let (text, code) = diagnose(path, &[]);
        fits_80_columns(path, &text);
        insta::assert_snapshot!("text", format!("exit status: {code}\n\n{text}"));

        let (json, json_code) = diagnose(path, &["--json"]);
        assert_eq!(code, json_code, "text and JSON disagree on the exit status");
        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        // Which build ran the fixture is not the fixture's verdict.
        for part in ["version", "commit", "build_date", "target"] {
            value["tool"][part] = format!("[{}]", part.to_uppercase()).into();
        }
        // The snapshot echoes the fixture itself; the golden file keeps the verdict.
        value["snapshot"] = "[the fixture]".into();
        insta::assert_json_snapshot!("json", value);
    });
}

/// Not a terminal: the report wraps at 80 columns, at word boundaries. Only
/// a single word longer than a line (a path, a URL) may stand out.
fn fits_80_columns(path: &Path, text: &str) {
    for line in text.lines() {
        let words = line
            .split_whitespace()
            .filter(|w| w.chars().count() > 1)
            .count();
        assert!(
            line.chars().count() <= 80 || words <= 1,
            "{}: a line wider than 80 columns:\n{line}",
            path.display()
        );
    }
}

#[test]
fn every_fixture_says_where_it_came_from() {
    for entry in std::fs::read_dir("fixtures").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let p = &v["provenance"];
        let said = p["source"].as_str().is_some_and(|s| !s.is_empty())
            || p["notes"].as_str().is_some_and(|s| !s.is_empty());
        assert!(said, "{} has no provenance source or notes", path.display());
        assert_ne!(
            p["kind"],
            "live",
            "{} is a live snapshot, not a fixture",
            path.display()
        );
        let readme = std::fs::read_to_string("fixtures/README.md").unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            readme.contains(name),
            "fixtures/README.md does not list {name}"
        );
    }
}

#[test]
fn no_fixture_holds_key_material() {
    for entry in std::fs::read_dir("fixtures").unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_string();
        for needle in [
            "-----BEGIN",
            "PRIVATE KEY",
            "EscrowBag",
            "HostPrivateKey",
            "RootPrivateKey",
        ] {
            assert!(
                !text.contains(needle),
                "{} contains {needle}",
                path.display()
            );
        }
    }
}

/// Each fixture's diagnosis, through the library (the CLI path is the golden
/// test above).
fn diagnoses() -> Vec<(String, iphone_backup_check::rules::Diagnosis)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("fixtures").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let snapshot = iphone_backup_check::snapshot::parse_snapshot_bytes(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        out.push((name, iphone_backup_check::rules::diagnose(&snapshot, None)));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A rule no fixture exercises end to end is a rule whose wiring nobody has
/// seen work: every id must be reported (or hidden by a root cause) somewhere.
#[test]
fn every_rule_fires_in_at_least_one_fixture() {
    let all = diagnoses();
    let mut silent = Vec::new();
    for rule in iphone_backup_check::rules::RULES {
        let fires = all.iter().any(|(_, d)| {
            d.findings.iter().any(|f| f.id == rule.id)
                || d.suppressed.iter().any(|s| s.id == rule.id)
        });
        if !fires {
            silent.push(rule.id);
        }
    }
    assert!(
        silent.is_empty(),
        "no fixture in fixtures/ makes these rules fire; add one (see CONTRIBUTING.md): {silent:?}"
    );
}

/// The "ranks first" column of fixtures/README.md is what the fixture's
/// diagnosis really puts first.
#[test]
fn the_fixture_table_says_what_ranks_first() {
    let readme = std::fs::read_to_string("fixtures/README.md").unwrap();
    let all = diagnoses();
    let mut wrong = Vec::new();
    for line in readme.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(name), Some(first)) = (cells.get(1), cells.get(4)) else {
            continue;
        };
        let name = name.trim_matches('`');
        let Some((_, d)) = all.iter().find(|(n, _)| n == name) else {
            wrong.push(format!("{name}: listed in the table but not in fixtures/"));
            continue;
        };
        // "no USB or usbmuxd finding" and the like name no id: nothing to compare.
        let Some(claimed) = first.split('`').nth(1) else {
            continue;
        };
        let actual = d.findings.first().map_or("(nothing)", |f| f.id.as_str());
        if claimed != actual {
            wrong.push(format!(
                "{name}: the table says {claimed}, the diagnosis ranks {actual} first"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "fixtures/README.md:\n{}",
        wrong.join("\n")
    );
}

/// Golden files belong to a fixture that exists, and none is left pending
/// review: the same check as `cargo insta test --unreferenced reject`,
/// without needing cargo-insta installed.
#[test]
fn no_golden_file_is_orphaned_or_pending() {
    let mut bad = Vec::new();
    for entry in std::fs::read_dir("tests/snapshots").unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
            bad.push(format!("{name}: left by a failed run: `cargo xtask bless` writes golden files, review them with git diff"));
            continue;
        }
        let fixture = name
            .strip_prefix("fixtures__text@")
            .or_else(|| name.strip_prefix("fixtures__json@"))
            .and_then(|rest| rest.strip_suffix(".snap"));
        match fixture {
            Some(f) if std::path::Path::new("fixtures").join(f).is_file() => {}
            _ => bad.push(format!("{name}: no fixture in fixtures/ makes it")),
        }
    }
    assert!(bad.is_empty(), "tests/snapshots:\n{}", bad.join("\n"));
}

/// The ranking model of docs/ranking.md on the fixture of its example: this
/// phone's torn backup and the space the next one needs before the general
/// advice (an iOS update), the lock folded into the passcode reminder, and
/// the machine's missing USB bus last.
#[test]
fn this_phones_evidence_ranks_before_general_advice() {
    let all = diagnoses();
    let order = |name: &str| -> Vec<&'static str> {
        let (_, d) = all.iter().find(|(n, _)| n == name).expect("fixture");
        d.findings.iter().map(|f| f.id.as_str()).collect()
    };
    assert_eq!(
        order("device-locked-torn-backup.json"),
        [
            "backup.unfinished",
            "host.disk-space",
            "device.passcode-prompt",
            "device.ios-outdated",
            "usb.unavailable"
        ]
    );
    // A locked phone whose session works: one reminder, no warning.
    let locked = order("device-locked.json");
    assert_eq!(locked.first(), Some(&"device.passcode-prompt"));
    assert!(!locked.contains(&"device.locked"), "{locked:?}");
    // Where the lock refuses (Pair answered PasswordProtected) it blocks.
    assert_eq!(
        order("device-locked-not-paired.json").first(),
        Some(&"device.locked")
    );
    // A healthy phone's first line is its own note, not the machine's.
    let healthy = order("device-healthy.json");
    assert_eq!(healthy.last(), Some(&"usb.unavailable"), "{healthy:?}");
}
