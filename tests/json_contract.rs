//! The JSON report is a contract: every output validates against
//! `docs/report.schema.json`, and a consumer written from the outside (not
//! from our types) can read it.

use assert_cmd::Command;
use serde::Deserialize;

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string("docs/report.schema.json").unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn diagnose_json(args: &[&str]) -> serde_json::Value {
    let out = Command::cargo_bin("iphone-backup-check")
        .unwrap()
        .arg("diagnose")
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn assert_valid(v: &serde_json::Value, what: &str) {
    let validator = schema();
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match the schema:\n{}",
        errors.join("\n")
    );
}

#[test]
fn live_output_without_daemon_validates() {
    let dir = tempfile::tempdir().unwrap();
    let v = diagnose_json(&[
        "--usbmuxd",
        "/nonexistent/usbmuxd",
        "--backup-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_valid(&v, "live diagnose");
    assert_eq!(v["findings"][0]["id"], "usbmuxd.not-running");
}

#[test]
fn every_fixture_output_validates() {
    for entry in std::fs::read_dir("fixtures").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let out = Command::cargo_bin("iphone-backup-check")
            .unwrap()
            .args(["diagnose", "--json", "--from", path.to_str().unwrap()])
            .output()
            .unwrap();
        // A capture nothing reads yet (a PENDING row of tests/importers.rs)
        // is refused with exit 3 and no report: nothing to validate.
        if out.status.code() == Some(3) {
            assert!(out.stdout.is_empty(), "{}", path.display());
            assert!(String::from_utf8_lossy(&out.stderr).contains("nothing in it is recognised"));
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e})", path.display()));
        assert_valid(&v, &path.display().to_string());
    }
}

#[test]
fn every_real_capture_output_validates() {
    for entry in std::fs::read_dir("fixtures/realdata").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("txt") {
            continue;
        }
        let out = Command::cargo_bin("iphone-backup-check")
            .unwrap()
            .args(["diagnose", "--json", "--from", path.to_str().unwrap()])
            .output()
            .unwrap();
        // A capture nothing reads yet (a PENDING row of tests/importers.rs)
        // is refused with exit 3 and no report: nothing to validate.
        if out.status.code() == Some(3) {
            assert!(out.stdout.is_empty(), "{}", path.display());
            assert!(String::from_utf8_lossy(&out.stderr).contains("nothing in it is recognised"));
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e})", path.display()));
        assert_valid(&v, &path.display().to_string());
    }
}

#[test]
fn schema_rejects_a_broken_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = diagnose_json(&[
        "--usbmuxd",
        "/nonexistent/usbmuxd",
        "--backup-dir",
        dir.path().to_str().unwrap(),
    ]);
    v["verdict"] = "fine".into();
    assert!(!schema().is_valid(&v));
}

/// What a support desk's script would declare, by hand.
#[derive(Deserialize)]
struct ConsumerReport {
    schema_version: u32,
    verdict: String,
    exit_code: i32,
    findings: Vec<ConsumerFinding>,
}

#[derive(Deserialize)]
struct ConsumerFinding {
    rank: u32,
    id: String,
    severity: String,
    evidence: Vec<String>,
    remediation: Vec<String>,
    device: Option<String>,
}

#[test]
fn a_consumer_reads_the_report() {
    let v = diagnose_json(&["--from", "fixtures/linux-stale-socket.json"]);
    let r: ConsumerReport = serde_json::from_value(v).unwrap();
    assert_eq!(
        (r.schema_version, r.verdict.as_str(), r.exit_code),
        (1, "blocked", 2)
    );
    let top = &r.findings[0];
    assert_eq!(
        (top.rank, top.id.as_str(), top.severity.as_str()),
        (1, "usbmuxd.stale-socket", "blocker")
    );
    assert!(top.device.is_none());
    assert!(!top.evidence.is_empty() && !top.remediation.is_empty());
}
