//! End to end: the real binary against the device simulator (`sim/`), which
//! speaks usbmuxd, lockdownd (with TLS) and mobilebackup2 on a socket in a
//! temp folder and records every request it gets.
// The simulator they start is Unix-only.
#![cfg(unix)]

use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use iphone_sim::{Scenario, SimConfig, SimHandle, Simulator};
use serde_json::Value;

/// Every bundled scenario: the first finding that does not depend on this
/// machine's USB access, the exit status, and extra options.
const TABLE: &[(&str, &str, i32, &[&str])] = &[
    ("backup_service_refused", "backup-service.refused", 2, &[]),
    ("battery_low", "device.battery-low", 1, &[]),
    // The simulator unplugs at 400 ms and replugs at 900 ms; the test waits
    // for both (see `detach_reattach`): the check then sees a steady phone.
    ("detach_reattach", "device.ios-outdated", 0, &[]),
    ("fault_close_mid_message", "usbmuxd.protocol-error", 2, &[]),
    ("fault_garbage", "usbmuxd.protocol-error", 2, &[]),
    ("fault_hang", "usbmuxd.unresponsive", 2, &["--timeout", "3"]),
    ("fault_huge_length", "usbmuxd.protocol-error", 2, &[]),
    ("fault_raw_text", "usbmuxd.protocol-error", 2, &[]),
    (
        "fault_slow",
        "device.lockdown-unreachable",
        2,
        &["--timeout", "4"],
    ),
    ("fault_tls_failure", "trust.session-failed", 2, &[]),
    ("fault_unplug_mid_session", "connection.unstable", 2, &[]),
    ("healthy", "device.ios-outdated", 0, &[]),
    ("icloud_encrypted", "device.ios-outdated", 0, &[]),
    ("locked", "device.locked", 1, &[]),
    ("locked_not_paired", "trust.not-paired", 2, &[]),
    ("mdm_requires_encryption", "device.ios-outdated", 0, &[]),
    ("no_device", "usb.no-device", 2, &[]),
    ("no_pair_record", "trust.not-paired", 2, &[]),
    ("old_ios", "device.ios-outdated", 1, &[]),
    ("recovery_absent", "device.lockdown-unreachable", 2, &[]),
    ("slow_link", "usb.slow-link", 1, &[]),
    ("storage_full", "device.storage-full", 2, &[]),
    ("trust_accepted", "trust.not-paired", 2, &[]),
    ("trust_dialog_pending", "trust.not-paired", 2, &[]),
    ("trust_reset", "trust.reset-on-device", 2, &[]),
    ("two_phones", "device.ios-outdated", 1, &[]),
    ("user_denied", "trust.not-paired", 2, &[]),
    ("wifi_only", "usbmuxd.wifi-only", 1, &[]),
];

/// Findings that depend on this machine's USB access, not on the scenario.
const MACHINE_DEPENDENT: &[&str] = &["usb.unavailable", "usb.access-denied"];

struct Run {
    sim: SimHandle,
    dir: tempfile::TempDir,
}

fn start(scenario: &str) -> Run {
    start_with(Scenario::by_name(scenario).expect("bundled scenario"))
}

fn start_with(scenario: Scenario) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("backups")).expect("backup dir");
    let sim = Simulator::start(SimConfig {
        socket: dir.path().join("usbmuxd"),
        tcp_port: None,
        scenario,
    })
    .expect("simulator starts");
    Run { sim, dir }
}

impl Run {
    fn cmd(&self, command: &str) -> Command {
        let mut c = Command::cargo_bin("iphone-backup-check").expect("binary");
        c.arg(command)
            .arg("--usbmuxd")
            .arg(format!(
                "UNIX:{}",
                self.dir.path().join("usbmuxd").display()
            ))
            .arg("--backup-dir")
            .arg(self.dir.path().join("backups"))
            .env_remove("USBMUXD_SOCKET_ADDRESS")
            .env("NO_COLOR", "1")
            .timeout(Duration::from_secs(60));
        c
    }

    fn diagnose_json(&self, extra: &[&str]) -> (Output, Value) {
        let out = self
            .cmd("diagnose")
            .arg("--json")
            .args(extra)
            .output()
            .expect("runs");
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out, json)
    }

    fn writes(&self) -> Vec<String> {
        self.sim.writes().into_iter().map(|e| e.request).collect()
    }
}

fn ids(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn top(json: &Value) -> String {
    ids(json)
        .into_iter()
        .find(|id| !MACHINE_DEPENDENT.contains(&id.as_str()))
        .unwrap_or_else(|| "(none)".into())
}

#[test]
fn every_scenario_is_in_the_table() {
    let mut names = Scenario::bundled_names();
    names.sort();
    let table: Vec<&str> = TABLE.iter().map(|(n, ..)| *n).collect();
    assert_eq!(names, table, "add new simulator scenarios to TABLE");
}

fn check_scenario(name: &str) {
    let (_, want, status, extra) = TABLE
        .iter()
        .find(|(n, ..)| *n == name)
        .copied()
        .expect("in TABLE");
    let run = start(name);
    if name == "detach_reattach" {
        std::thread::sleep(Duration::from_millis(1200));
    }
    let (out, json) = run.diagnose_json(extra);
    assert_eq!(
        top(&json),
        want,
        "{name}: findings {:?}\nstderr: {}",
        ids(&json),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(status), "{name}: exit status");
    assert!(run.writes().is_empty(), "{name}: wrote {:?}", run.writes());
    assert_eq!(run.sim.panics(), 0, "{name}: the simulator panicked");
    // Scenarios whose point is a note ranked below others.
    let also = match name {
        "mdm_requires_encryption" => Some("backup.encryption-required"),
        "icloud_encrypted" => Some("icloud.backup-enabled"),
        "two_phones" | "healthy" => Some("device.passcode-prompt"),
        _ => None,
    };
    if let Some(id) = also {
        assert!(
            ids(&json).iter().any(|i| i == id),
            "{name}: no {id} in {:?}",
            ids(&json)
        );
    }
}

macro_rules! scenario_tests {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { check_scenario(stringify!($name)); })*
    };
}

scenario_tests!(
    backup_service_refused,
    battery_low,
    detach_reattach,
    fault_close_mid_message,
    fault_garbage,
    fault_huge_length,
    fault_raw_text,
    fault_slow,
    fault_tls_failure,
    fault_unplug_mid_session,
    healthy,
    icloud_encrypted,
    locked,
    locked_not_paired,
    mdm_requires_encryption,
    no_device,
    no_pair_record,
    old_ios,
    recovery_absent,
    slow_link,
    storage_full,
    trust_accepted,
    trust_dialog_pending,
    trust_reset,
    two_phones,
    user_denied,
    wifi_only,
);

#[test]
fn unresponsive_daemon_within_timeout_plus_ten_percent() {
    let run = start("fault_hang");
    let t = Instant::now();
    let (out, json) = run.diagnose_json(&["--timeout", "3"]);
    let took = t.elapsed();
    assert_eq!(top(&json), "usbmuxd.unresponsive");
    assert_eq!(out.status.code(), Some(2));
    assert!(took <= Duration::from_millis(3300), "took {took:?}");
}

#[test]
fn trust_reset_ranks_first() {
    let run = start("trust_reset");
    let (_, json) = run.diagnose_json(&[]);
    let first = ids(&json)
        .into_iter()
        .find(|id| !MACHINE_DEPENDENT.contains(&id.as_str()));
    assert_eq!(first.as_deref(), Some("trust.reset-on-device"));
    let f = &json["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["id"] == "trust.reset-on-device"))
        .cloned()
        .expect("finding");
    assert_eq!(f["device"], "c28d82f1df2580e648ad0225461d5592b8558bf7");
    assert_eq!(f["severity"], "blocker");
}

#[test]
fn healthy_phone_is_seen_through_every_layer_in_one_session() {
    let run = start("healthy");
    let (out, json) = run.diagnose_json(&[]);
    assert_eq!(out.status.code(), Some(0));
    let dev = &json["snapshot"]["probes"]["devices"][0];
    assert_eq!(dev["pairing"]["value"]["record"], "present");
    let l = &dev["lockdown"]["value"];
    assert_eq!(l["session"]["state"], "trusted");
    assert_eq!(l["product_type"], "iPhone10,3");
    assert_eq!(l["password_protected"], false);
    assert_eq!(l["backup"]["will_encrypt"], false);
    assert_eq!(l["disk_usage"]["amount_data_available"], 15_510_867_968u64);
    assert_eq!(l["battery"]["current_capacity"], 87);
    assert_eq!(dev["backup_service"]["value"]["protocol_version"], "2.1");
    assert_eq!(dev["presence"]["value"]["still_listed"], true);
    // One session, ended politely; the backup service saw Hello and nothing after.
    let audit = run.sim.audit();
    let count = |r: &str| audit.iter().filter(|e| e.request == r).count();
    assert_eq!(count("StartSession"), 1);
    assert_eq!(count("StopSession"), 1);
    assert_eq!(count("Hello"), 1);
    assert_eq!(count("DLMessageDisconnect"), 1);
    for e in &audit {
        assert!(
            !["Backup", "Restore", "Pair", "SetValue", "SavePairRecord"]
                .contains(&e.request.as_str()),
            "sent {}",
            e.request
        );
    }
}

#[test]
fn backup_service_over_tls_when_the_phone_asks_for_it() {
    // Phones reached over Wi-Fi answer StartService with EnableServiceSSL.
    let mut scenario = Scenario::by_name("healthy").expect("bundled scenario");
    for d in &mut scenario.devices {
        d.services.service_ssl = true;
    }
    let run = start_with(scenario);
    let (out, json) = run.diagnose_json(&[]);
    assert_eq!(out.status.code(), Some(0), "{:?}", ids(&json));
    let dev = &json["snapshot"]["probes"]["devices"][0];
    assert_eq!(dev["backup_service"]["value"]["protocol_version"], "2.1");
    assert!(run.writes().is_empty());
}

#[test]
fn udid_picks_one_phone_and_skips_probing_the_other() {
    let run = start("two_phones");
    let (out, json) = run.diagnose_json(&["--udid", "c28d82f1df2580e648ad0225461d5592b8558bf7"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the iPhone 7's warning is left out"
    );
    let devices = json["snapshot"]["probes"]["devices"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(devices.len(), 1);
    let other_touched = run.sim.audit().iter().any(|e| {
        e.device
            .as_deref()
            .is_some_and(|d| d != "c28d82f1df2580e648ad0225461d5592b8558bf7")
    });
    assert!(!other_touched, "the other phone was probed");
}

#[test]
fn every_finding_names_its_phone_when_there_are_two() {
    let run = start("two_phones");
    let (_, json) = run.diagnose_json(&[]);
    let devices: Vec<&str> = json["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["device"].as_str()).collect())
        .unwrap_or_default();
    assert!(devices.len() >= 2, "{devices:?}");
    let mut distinct = devices.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 2, "findings for both phones: {devices:?}");
}

#[test]
fn request_trust_reports_the_phones_answer() {
    for (scenario, want) in [
        ("trust_dialog_pending", "trust.dialog-pending"),
        ("user_denied", "trust.denied"),
        ("locked_not_paired", "device.locked"),
    ] {
        let run = start(scenario);
        let (out, json) = run.diagnose_json(&["--request-trust", "--timeout", "4"]);
        assert_eq!(top(&json), want, "{scenario}: {:?}", ids(&json));
        assert_eq!(out.status.code(), Some(2));
        // Pair only; no record saved when nobody tapped Trust.
        let writes = run.writes();
        assert!(
            !writes.is_empty() && writes.iter().all(|w| w == "Pair"),
            "{scenario}: {writes:?}"
        );
    }
}

#[test]
fn request_trust_saves_the_record_only_when_trust_is_tapped() {
    let run = start("trust_accepted");
    let (out, json) = run.diagnose_json(&["--request-trust"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", ids(&json));
    let l = &json["snapshot"]["probes"]["devices"][0]["lockdown"]["value"];
    assert_eq!(l["pair_request"]["answer"], "paired");
    assert_eq!(l["pair_request"]["saved"], true);
    assert_eq!(l["session"]["state"], "trusted");
    assert_eq!(run.writes(), ["Pair", "SavePairRecord"]);
}

#[test]
fn devices_lists_each_layer_side_by_side() {
    let run = start("two_phones");
    let out = run.cmd("devices").arg("--json").output().expect("runs");
    assert!(out.status.success());
    let rows: Value = serde_json::from_slice(&out.stdout).expect("json");
    let rows = rows.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert_eq!(r["usbmuxd"], "usb");
        assert_eq!(r["pair_record"], "present");
        assert_eq!(r["trust"], "trusted");
    }
    assert!(rows.iter().any(|r| r["ios"] == "13.3.1"));
    let text = run.cmd("devices").output().expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("iPhone9,1") && text.contains("trusted"),
        "{text}"
    );
}

fn assert_no_secret(secrets: &[String], what: &str, text: &str) {
    for s in secrets {
        // Long enough to be unmistakable; short PEM lines could match by chance.
        for piece in s.lines().filter(|l| l.len() >= 24) {
            assert!(!text.contains(piece), "{what} contains a secret: {piece}");
        }
        assert!(!text.contains(s.as_str()), "{what} contains a secret");
    }
}

#[test]
fn no_secret_in_any_output_log_or_recording() {
    for (scenario, extra) in [
        ("healthy", &[][..]),
        ("fault_tls_failure", &[][..]),
        ("trust_accepted", &["--request-trust"][..]),
    ] {
        let run = start(scenario);
        let rec = run.dir.path().join("snapshot.json");
        let outputs = [
            run.cmd("diagnose")
                .arg("-vv")
                .args(extra)
                .output()
                .expect("runs"),
            run.cmd("diagnose")
                .args(["--json", "-vv"])
                .args(extra)
                .output()
                .expect("runs"),
            run.cmd("record")
                .arg("-vv")
                .arg("--no-redact")
                .arg("-o")
                .arg(&rec)
                .output()
                .expect("runs"),
            run.cmd("devices")
                .args(["--json", "-vv"])
                .output()
                .expect("runs"),
        ];
        let secrets = run.sim.secrets();
        assert!(secrets.len() > 5, "the simulator hands out secrets");
        for (i, o) in outputs.iter().enumerate() {
            assert_no_secret(
                &secrets,
                &format!("{scenario} stdout {i}"),
                &String::from_utf8_lossy(&o.stdout),
            );
            assert_no_secret(
                &secrets,
                &format!("{scenario} stderr {i}"),
                &String::from_utf8_lossy(&o.stderr),
            );
        }
        let recorded = std::fs::read_to_string(&rec).expect("record written");
        assert!(recorded.contains("\"lockdown\""));
        assert_no_secret(&secrets, &format!("{scenario} record"), &recorded);
        // -vv really logs: the check is not vacuous.
        assert!(String::from_utf8_lossy(&outputs[0].stderr).contains("lockdownd request"));
    }
}
