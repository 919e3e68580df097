//! `diagnose -o FILE` and `--format`: the format follows the file's
//! extension unless given, `-o -` is standard output, a Markdown or HTML
//! report written to a file is redacted unless `--no-redact`, and a file
//! that cannot be written is exit status 3.

use assert_cmd::Command;

/// A fixture recorded without redaction: its device name and UDID are
/// there to be masked.
const FIXTURE: &str = "fixtures/backups-two-phones.json";
const UDID: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

fn diagnose(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("iphone-backup-check")
        .unwrap()
        .args(["diagnose", "--color", "never", "--from", FIXTURE])
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

#[test]
fn the_extension_chooses_the_format_and_shared_files_are_redacted() {
    let dir = tempfile::tempdir().unwrap();
    // The phone usbmuxd lists is "Old iPhone", with an old-style UDID.
    for (file, starts, escaped_name) in [
        ("r.md", "## iPhone backup check", "Old iPhone"),
        ("r.html", "<!DOCTYPE html>", "Old iPhone"),
    ] {
        let path = dir.path().join(file);
        let out = diagnose(&["-o", path.to_str().unwrap()]);
        assert!(out.stdout.is_empty(), "{file}: -o prints nothing");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(starts), "{file}: {}", &text[..80]);
        assert!(text.contains("Private details masked"), "{file}");
        assert!(
            !text.contains(escaped_name) && !text.contains(UDID),
            "{file} is not redacted"
        );

        let out = diagnose(&["-o", path.to_str().unwrap(), "--no-redact"]);
        assert!(out.stdout.is_empty());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("Not redacted"), "{file}");
        assert!(
            text.contains(escaped_name),
            "{file} keeps the name with --no-redact"
        );
    }
    // JSON and text files are what a script or a person keeps: as given.
    let json = dir.path().join("r.json");
    diagnose(&["-o", json.to_str().unwrap()]);
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).expect("a JSON report");
    assert_eq!(v["schema_version"], 1);
    let txt = dir.path().join("r.txt");
    diagnose(&["-o", txt.to_str().unwrap()]);
    let text = std::fs::read_to_string(&txt).unwrap();
    assert!(text.contains("What was checked") && !text.contains('\u{1b}'));
    // --format wins over the extension.
    let odd = dir.path().join("report.txt");
    diagnose(&["-o", odd.to_str().unwrap(), "--format", "html"]);
    assert!(std::fs::read_to_string(&odd)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
}

#[test]
fn dash_is_standard_output_and_not_redacted_by_default() {
    let out = diagnose(&["-o", "-", "--format", "markdown"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("## iPhone backup check"));
    assert!(text.contains("Not redacted"));
    let out = diagnose(&["--format", "html", "--redact"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Private details masked") && !text.contains(UDID));
    // --json stays the same as --format json, and the two do not mix.
    let a = diagnose(&["--json"]);
    let b = diagnose(&["--format", "json"]);
    assert_eq!(a.status.code(), b.status.code());
    let strip = |o: &[u8]| {
        let mut v: serde_json::Value = serde_json::from_slice(o).unwrap();
        v["snapshot"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip(&a.stdout), strip(&b.stdout));
    assert_eq!(
        diagnose(&["--json", "--format", "text"]).status.code(),
        Some(3)
    );
}

#[test]
fn a_file_that_cannot_be_written_is_exit_status_3() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/folder/report.html");
    let out = diagnose(&["-o", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write") && err.contains("report.html"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // A folder is not a file either.
    let out = diagnose(&["-o", dir.path().to_str().unwrap(), "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(3));
}

/// The healthy phone's fixture, but its backup service did not answer
/// before the deadline: the check did not finish on a layer that matters.
fn unfinished_fixture(dir: &std::path::Path) -> std::path::PathBuf {
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read("fixtures/device-healthy.json").unwrap()).unwrap();
    v["probes"]["devices"][0]["backup_service"] = serde_json::json!({
        "status": "failed",
        "duration_ms": 10_000,
        "failure": {"kind": "timed-out", "message": "no answer before the deadline"}
    });
    let path = dir.join("unfinished.json");
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    path
}

/// A check that did not finish is "not finished" in Markdown and HTML as in
/// the text report (exit status 4, `incomplete`): the verdict says so, what
/// was not checked is listed, its link of the chain is "not checked", and
/// nothing calls the phone ready.
#[test]
fn an_unfinished_check_is_not_finished_in_every_format_never_ready() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = unfinished_fixture(dir.path());
    let run = |args: &[&str]| {
        Command::cargo_bin("iphone-backup-check")
            .unwrap()
            .args(["diagnose", "--color", "never", "--from"])
            .arg(&fixture)
            .args(args)
            .output()
            .unwrap()
    };
    let json = run(&["--json"]);
    assert_eq!(json.status.code(), Some(4), "incomplete is exit status 4");
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["verdict"], "incomplete");
    let whats: Vec<String> = v["not_checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["what"].as_str().unwrap().to_string())
        .collect();
    assert!(
        whats.iter().any(|w| w.starts_with("the backup service of")),
        "{whats:?}"
    );
    let text = run(&[]);
    assert_eq!(text.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&text.stdout).contains("Not finished"));

    for (file, heading) in [
        ("r.md", "## iPhone backup check: Check not finished"),
        ("r.html", "<h1>iPhone backup check: Check not finished</h1>"),
    ] {
        let path = dir.path().join(file);
        let out = run(&["-o", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(4), "{file}: the same exit status");
        let report = std::fs::read_to_string(&path).unwrap();
        assert!(report.contains(heading), "{file}:\n{report}");
        assert!(
            report.contains("Not finished: 1 part of the check did not finish"),
            "{file}"
        );
        for word in ["Ready to back up", "Ready:", "ready to back up the iPhone"] {
            assert!(!report.contains(word), "{file} says {word:?}:\n{report}");
        }
        assert!(report.contains("Not checked"), "{file}");
        // As a reader sees it: Markdown's escapes and HTML's entities
        // around the masked UDID (`<udid-1>`) undone.
        let seen = report
            .replace('\\', "")
            .replace("&lt;", "<")
            .replace("&gt;", ">");
        for w in &whats {
            assert!(seen.contains(w.as_str()), "{file} does not list {w:?}");
        }
        // The chain's backup-service link is not a pass.
        let link = report
            .lines()
            .find(|l| l.contains("Backup service"))
            .unwrap_or_else(|| panic!("{file}: no Backup service link"));
        assert!(
            !link.contains("Backup service ✓") && !link.contains("class=\"passed\""),
            "{file}: {link}"
        );
    }
}
