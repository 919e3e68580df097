//! Every snapshot in `fixtures/` replayed through `diagnose --from`, text and
//! JSON, against reviewed golden files in `tests/snapshots/`. A new fixture
//! gets its golden files on the next `cargo insta test`, to be reviewed.

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
        insta::assert_snapshot!("text", format!("exit status: {code}\n\n{text}"));

        let (json, json_code) = diagnose(path, &["--json"]);
        assert_eq!(code, json_code, "text and JSON disagree on the exit status");
        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        value["tool"]["version"] = "[VERSION]".into();
        // The snapshot echoes the fixture itself; the golden file keeps the verdict.
        value["snapshot"] = "[the fixture]".into();
        insta::assert_json_snapshot!("json", value);
    });
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
