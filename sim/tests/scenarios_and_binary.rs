//! Every bundled scenario loads, names its sources, and starts; the `iphone-sim` binary
//! serves until SIGTERM and writes its audit log.
#![cfg(unix)]

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use iphone_sim::Scenario;

#[test]
fn every_bundled_scenario_loads_and_starts() {
    let names = Scenario::bundled_names();
    for required in [
        "healthy",
        "no_device",
        "no_pair_record",
        "trust_dialog_pending",
        "user_denied",
        "trust_reset",
        "locked",
        "storage_full",
        "battery_low",
        "icloud_encrypted",
        "mdm_requires_encryption",
        "wifi_only",
        "two_phones",
        "recovery_absent",
        "old_ios",
        "fault_hang",
        "fault_garbage",
        "fault_raw_text",
        "fault_huge_length",
        "fault_close_mid_message",
        "fault_slow",
        "fault_unplug_mid_session",
        "fault_tls_failure",
    ] {
        assert!(
            names.iter().any(|n| n == required),
            "missing scenario {required}"
        );
    }
    // `../shared/realdata` next to the repository (one level further up from a worktree).
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let realdata = [
        manifest.join("../../shared/realdata"),
        manifest.join("../../../shared/realdata"),
    ]
    .into_iter()
    .find(|p| p.is_dir());
    for name in &names {
        let sc = Scenario::by_name(name).unwrap();
        assert_eq!(&sc.name, name, "name matches the file stem");
        assert!(!sc.description.is_empty(), "{name}: description");
        // Every realdata file the source cites exists (when the folder is around).
        let cited: Vec<&str> = sc
            .source
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')')
            .filter_map(|w| w.strip_prefix("realdata/"))
            .map(|w| w.trim_end_matches(['.', ':']))
            .collect();
        if sc.name != "no_device" {
            assert!(!cited.is_empty(), "{name}: cites no realdata file");
        }
        if let Some(dir) = &realdata {
            for f in cited {
                assert!(dir.join(f).is_file(), "{name}: cited file {f} not found");
            }
        }
        let expected = sc.devices.len();
        let r = start_scenario(sc);
        if name.starts_with("fault_") {
            continue;
        }
        let mut s = r.connect();
        let list = roundtrip(&mut s, 1, &request("ListDevices", &[])).dict();
        assert_eq!(
            list["DeviceList"].as_array().unwrap().len(),
            expected,
            "{name}"
        );
    }
}

#[test]
fn scenario_files_reject_unknown_fields_and_missing_source() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.json");
    std::fs::write(&p, r#"{"name":"x","source":"","devices":[]}"#).unwrap();
    assert!(Scenario::load(&p).is_err(), "empty source is rejected");
    std::fs::write(&p, r#"{"name":"x","source":"s","devicez":[]}"#).unwrap();
    assert!(Scenario::load(&p).is_err(), "unknown field is rejected");
    std::fs::write(
        &p,
        r#"{"name":"x","source":"s","devices":[{"udid":"a","connection":"Network"}]}"#,
    )
    .unwrap();
    assert!(
        Scenario::load(&p).is_err(),
        "network device without address"
    );
    assert!(Scenario::by_name("does-not-exist").is_err());
}

#[test]
fn json_values_become_plist_types() {
    use iphone_sim::scenario::json_to_plist;
    let v = serde_json::json!({"i": 3, "r": 2.5, "b": true, "s": "x", "a": [1], "d": {"$data": "AAE="}});
    let p = json_to_plist(&v);
    let d = p.as_dictionary().unwrap();
    assert_eq!(d["i"].as_unsigned_integer(), Some(3));
    assert_eq!(d["r"].as_real(), Some(2.5));
    assert_eq!(d["b"].as_boolean(), Some(true));
    assert_eq!(d["a"].as_array().unwrap().len(), 1);
    assert_eq!(d["d"].as_data(), Some(&[0u8, 1][..]));
}

fn wait_for(path: &Path) -> bool {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(20) {
        if UnixStream::connect(path).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn binary_serves_until_sigterm_and_logs_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("mux");
    let log = dir.path().join("audit.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_iphone-sim"))
        .arg("--socket")
        .arg(&sock)
        .arg("--scenario")
        .arg(Scenario::dir().join("healthy.json"))
        .arg("--log")
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_for(&sock), "binary did not start serving");
    let mut s = UnixStream::connect(&sock).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(&plist_packet(1, &request("ReadBUID", &[])))
        .unwrap();
    let reply = read_reply(&mut s).unwrap();
    assert!(reply.dict().contains_key("BUID"));
    drop(s);
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let t = Instant::now();
    let exit = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("stopped"), "{err}");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["request"], "ReadBUID");
    assert_eq!(lines[0]["layer"], "usbmuxd");
    assert_eq!(lines[0]["write"], false);
    assert!(!sock.exists(), "socket removed on exit");
}

#[test]
fn binary_accepts_a_scenario_name_and_rejects_unknown_ones() {
    let out = Command::new(env!("CARGO_BIN_EXE_iphone-sim"))
        .args(["--socket", "/nonexistent/dir/sock", "--scenario", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bundled scenarios: "));
}
