//! `diagnose --from` on real captures (fixtures/realdata/, each with its
//! public source in the README there): the first finding each gives, and
//! that a healthy phone's capture blocks nothing.

use assert_cmd::Command;
use serde_json::Value;

/// (file, first finding, exit status, why)
const CAPTURES: &[(&str, &str, i32, &str)] = &[
    (
        "ideviceinfo_iPhone12-x_iOS13.1_unactivated_partial.txt",
        "device.setup-incomplete",
        2,
        "ActivationState: Unactivated",
    ),
    (
        "ideviceinfo_iPhone9-1_iOS13.3.1.txt",
        "device.ios-outdated",
        1,
        "a healthy iPhone 7 on iOS 13.3.1: an update exists, nothing blocks",
    ),
    (
        "device_syslog_BackupAgent2_need_extra_space_on_host_iOS16.txt",
        "host.disk-space",
        2,
        "BackupAgent2: Need extra space on host: 12265029274",
    ),
    (
        "device_syslog_BackupAgent2_iPad2-1_iOS5.0.1_uploading_then_finished.txt",
        "backup.agent-failed",
        0,
        "BackupAgent2 crashed, then the retried backup finished: a note",
    ),
    (
        "device_syslog_BackupAgent2_scanning_stuck_at_sending_udid.txt",
        "(none)",
        0,
        "domain scanning lines, all in one second: nothing wrong in the capture itself",
    ),
];

fn diagnose(args: &[&str], stdin: Option<Vec<u8>>) -> (Value, i32) {
    let mut cmd = Command::cargo_bin("iphone-backup-check").unwrap();
    cmd.args(["diagnose", "--json", "--color", "never"])
        .args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (json, out.status.code().unwrap_or(-1))
}

#[test]
fn each_real_capture_gives_its_expected_first_finding() {
    let readme = std::fs::read_to_string("fixtures/realdata/README.md").unwrap();
    for (file, first, status, why) in CAPTURES {
        assert!(
            readme.contains(file),
            "fixtures/realdata/README.md does not list {file}"
        );
        let path = format!("fixtures/realdata/{file}");
        let (json, code) = diagnose(&["--from", &path], None);
        let got = json["findings"][0]["id"].as_str().unwrap_or("(none)");
        assert_eq!(got, *first, "{file} ({why}): {json}");
        // The finding quotes the line it read: `file:line: text`.
        let quoted = json["findings"][0]["evidence"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|e| {
                e.match_indices(&format!("{file}:")).any(|(i, m)| {
                    e[i + m.len()..]
                        .split_once(':')
                        .is_some_and(|(n, _)| n.parse::<u64>().is_ok())
                })
            });
        assert!(
            quoted || *first == "(none)",
            "{file}: the first finding quotes no line: {json}"
        );
        assert_eq!(code, *status, "{file}");
        assert_eq!(json["snapshot"]["provenance"]["kind"], "imported");
    }
}

#[test]
fn a_paste_on_standard_input_is_read_and_unknown_text_exits_3() {
    let capture = std::fs::read(format!("fixtures/realdata/{}", CAPTURES[0].0)).unwrap();
    let (json, code) = diagnose(&["--from", "-"], Some(capture));
    assert_eq!(json["findings"][0]["id"], CAPTURES[0].1);
    assert_eq!(code, 2);

    let out = Command::cargo_bin("iphone-backup-check")
        .unwrap()
        .args(["diagnose", "--from", "-"])
        .write_stdin("just some words\nnothing a tool printed\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ideviceinfo"),
        "the error says what is read: {err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one clear line: {err}");
}

#[test]
fn record_from_a_paste_writes_a_redacted_imported_snapshot_that_replays() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("shared.json");
    let capture = format!("fixtures/realdata/{}", CAPTURES[0].0);
    let status = Command::cargo_bin("iphone-backup-check")
        .unwrap()
        .args(["record", "--from", &capture, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0), "{status:?}");
    let text = std::fs::read_to_string(&out).unwrap();
    let snapshot: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(snapshot["provenance"]["kind"], "imported");
    assert_eq!(snapshot["provenance"]["redacted"], true);
    let (json, _) = diagnose(&["--from", out.to_str().unwrap()], None);
    assert_eq!(
        json["findings"][0]["id"], CAPTURES[0].1,
        "the snapshot replays"
    );
}

#[test]
fn several_files_are_judged_as_one() {
    let a = format!("fixtures/realdata/{}", CAPTURES[0].0);
    let b = format!("fixtures/realdata/{}", CAPTURES[1].0);
    let (json, _) = diagnose(&["--from", &a, "--from", &b], None);
    let source = json["snapshot"]["provenance"]["source"]
        .as_str()
        .unwrap_or("");
    assert!(
        source.contains(CAPTURES[0].0) && source.contains(CAPTURES[1].0),
        "both files named: {source}"
    );
    // One unknown file among them is refused as a whole, naming it.
    let out = Command::cargo_bin("iphone-backup-check")
        .unwrap()
        .args(["diagnose", "--from", &a, "--from", "Cargo.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Cargo.toml"));
}
