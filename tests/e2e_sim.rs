//! End to end: the real binary against the device simulator (`sim/`), which
//! speaks usbmuxd, lockdownd (with TLS) and mobilebackup2 on a socket in a
//! temp folder and records every request it gets.
// The simulator they start is Unix-only.
#![cfg(unix)]

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use iphone_sim::{Scenario, SimConfig, SimHandle, Simulator};
use serde_json::Value;

#[path = "support/fs_tree.rs"]
mod fs_tree;
use fs_tree::copy_tree;

/// Every bundled scenario: the first finding that does not depend on this
/// machine's USB access, the exit status, and extra options.
const TABLE: &[(&str, &str, i32, &[&str])] = &[
    ("apple_usbmuxd_undashed", "device.ios-outdated", 0, &[]),
    // Without --listen (and no backup program running here) diagnose does
    // not read the phone's log: the phone is the healthy one. With it, see
    // `diagnose_listening_reads_the_phones_backup_log`; watch: tests/watch.rs.
    ("backup_needs_host_space", "device.ios-outdated", 0, &[]),
    ("backup_running", "device.ios-outdated", 0, &[]),
    ("backup_service_busy", "backup-service.refused", 2, &[]),
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
    // Escape sequences in its UDID, version and build: tests/bad_input.rs
    // checks the text report shows and never runs them.
    ("hostile_text", "device.ios-outdated", 0, &[]),
    ("icloud_encrypted", "device.ios-outdated", 0, &[]),
    // Locked in a working session: the passcode reminder, carrying the lock.
    ("locked", "device.passcode-prompt", 0, &[]),
    ("locked_not_paired", "trust.not-paired", 2, &[]),
    ("mdm_requires_encryption", "device.ios-outdated", 0, &[]),
    ("no_device", "usb.no-device", 2, &[]),
    ("no_pair_record", "trust.not-paired", 2, &[]),
    ("old_ios", "device.ios-outdated", 0, &[]),
    ("recovery_absent", "device.lockdown-unreachable", 2, &[]),
    ("restricted", "device.ios-outdated", 0, &[]),
    ("setup_incomplete", "device.setup-incomplete", 2, &[]),
    ("slow_link", "usb.slow-link", 1, &[]),
    (
        "slow_phone",
        "connection.slow-replies",
        1,
        &["--timeout", "30"],
    ),
    ("storage_full", "device.storage-full", 2, &[]),
    ("supervised", "device.ios-outdated", 0, &[]),
    ("ten_phones", "device.ios-outdated", 0, &[]),
    ("tls_closed", "trust.reset-on-device", 2, &[]),
    ("trust_accepted", "trust.not-paired", 2, &[]),
    ("trust_dialog_pending", "trust.not-paired", 2, &[]),
    ("trust_reset", "trust.reset-on-device", 2, &[]),
    ("two_phones", "device.ios-outdated", 0, &[]),
    ("user_denied", "trust.not-paired", 2, &[]),
    ("wifi_not_paired", "trust.not-paired", 2, &[]),
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
        "supervised" | "restricted" => Some("device.restricted"),
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
    apple_usbmuxd_undashed,
    backup_needs_host_space,
    backup_running,
    backup_service_busy,
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
    hostile_text,
    icloud_encrypted,
    locked,
    locked_not_paired,
    mdm_requires_encryption,
    no_device,
    no_pair_record,
    old_ios,
    recovery_absent,
    restricted,
    setup_incomplete,
    slow_link,
    slow_phone,
    storage_full,
    supervised,
    ten_phones,
    tls_closed,
    trust_accepted,
    trust_dialog_pending,
    trust_reset,
    two_phones,
    user_denied,
    wifi_not_paired,
    wifi_only,
);

/// Apple's usbmuxd lists `00008110001A2B3C4D5E6F70`; the backup folder is
/// named `00008110-001A2B3C4D5E6F70`. Both are the same phone: `--udid` in
/// either spelling finds it, and its torn backup is linked to it.
#[test]
fn a_phone_listed_without_its_dash_is_linked_to_its_dashed_backup() {
    let run = start("apple_usbmuxd_undashed");
    let torn = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/backup-folders/torn/00008110-001A2B3C4D5E6F70");
    let into = run.dir.path().join("backups/00008110-001A2B3C4D5E6F70");
    copy_tree(&torn, &into);
    for udid in ["00008110-001A2B3C4D5E6F70", "00008110001a2b3c4d5e6f70"] {
        let (out, json) = run.diagnose_json(&["--udid", udid]);
        assert_eq!(
            json["devices"].as_array().map(Vec::len),
            Some(1),
            "--udid {udid}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let unfinished = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "backup.unfinished")
            .unwrap_or_else(|| panic!("--udid {udid}: no backup.unfinished in {:?}", ids(&json)));
        assert_eq!(
            unfinished["device"]
                .as_str()
                .map(|d| d.replace('-', "").to_lowercase()),
            Some("00008110001a2b3c4d5e6f70".into()),
            "the torn backup is this phone's"
        );
    }
    assert!(run.writes().is_empty());
}

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

/// A phone that refuses com.apple.mobile.restriction (the old_ios scenario
/// has no such domain: MissingValue) is noted, not broken; one that answers
/// has its restrictions read in the same session, and all off says nothing.
#[test]
fn the_restriction_domain_is_read_or_its_refusal_noted() {
    let run = start("old_ios");
    let (out, json) = run.diagnose_json(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let l = &json["snapshot"]["probes"]["devices"][0]["lockdown"]["value"];
    assert_eq!(l["session"]["state"], "trusted");
    assert!(
        l["unreadable"].as_array().is_some_and(|u| u
            .iter()
            .any(|e| e == "com.apple.mobile.restriction: MissingValue")),
        "{}",
        l["unreadable"]
    );
    assert!(l["management"]["restrictions"].is_null());
    assert!(!ids(&json).iter().any(|i| i == "device.restricted"));

    let run = start("healthy");
    let (_, json) = run.diagnose_json(&[]);
    let r = &json["snapshot"]["probes"]["devices"][0]["lockdown"]["value"]["management"]
        ["restrictions"];
    assert_eq!(r["prohibit_app_install"], false);
    assert!(!ids(&json).iter().any(|i| i == "device.restricted"));

    let run = start("restricted");
    let (_, json) = run.diagnose_json(&[]);
    let r = &json["snapshot"]["probes"]["devices"][0]["lockdown"]["value"]["management"]
        ["restrictions"];
    assert_eq!(r["prohibit_app_install"], true);
    assert_eq!(r["prohibit_app_remove"], true);
    let audit = run.sim.audit();
    assert_eq!(
        audit.iter().filter(|e| e.request == "StartSession").count(),
        1,
        "read in the one session"
    );
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
        ("wifi_not_paired", "trust.not-paired"),
    ] {
        let run = start(scenario);
        // The Pair wait ends 3 s before the deadline (the session after it
        // needs time): 12 s leaves Pair room on a loaded machine, where 4 s
        // left it one second and the answer was sometimes not read.
        let (out, json) = run.diagnose_json(&["--request-trust", "--timeout", "12"]);
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

/// The backup service of a locked phone starts for a host that sends the
/// pair record's escrow bag, as idevicebackup2 and pymobiledevice3 do; and
/// a service held by another program is named as such, without "restart
/// the iPhone".
#[test]
fn the_escrow_bag_opens_a_locked_phones_backup_service_and_service_limit_is_its_own_cause() {
    let run = start("locked");
    let (_, json) = run.diagnose_json(&[]);
    let dev = &json["snapshot"]["probes"]["devices"][0];
    assert_eq!(dev["lockdown"]["value"]["escrow_bag_sent"], true);
    assert_eq!(
        dev["backup_service"]["status"], "ok",
        "{}",
        dev["backup_service"]
    );
    assert!(dev["backup_service"]["value"]["refused"].is_null());
    let text = run.cmd("diagnose").output().expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    for secret in run.sim.secrets() {
        assert!(!text.contains(&secret) && !json.to_string().contains(&secret));
    }

    let run = start("backup_service_busy");
    let (_, json) = run.diagnose_json(&[]);
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "backup-service.refused")
        .expect("backup-service.refused");
    assert_eq!(
        f["title"],
        "Another program is using the iPhone's backup service"
    );
    assert!(
        !f["remediation"].to_string().contains("Restart the iPhone"),
        "{}",
        f["remediation"]
    );
}

/// Every answer 2 s late, `--timeout 30`: the overlapped conversation
/// finishes, the phone is a warning for its slowness, and nothing says
/// "refused" or blocks.
#[test]
fn a_slow_healthy_phone_is_a_warning_never_refused_or_blocked() {
    let run = start("slow_phone");
    let (out, json) = run.diagnose_json(&["--timeout", "30"]);
    assert_eq!(out.status.code(), Some(1), "{:?}", ids(&json));
    assert_eq!(json["summary"]["blockers"], 0, "{:?}", ids(&json));
    let slow = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "connection.slow-replies")
        .unwrap_or_else(|| panic!("no connection.slow-replies in {:?}", ids(&json)));
    assert!(
        slow["evidence"][0].as_str().unwrap().contains("median 2"),
        "{slow}"
    );
    assert!(
        !json["findings"].to_string().contains("refused"),
        "{:?}",
        ids(&json)
    );
    let dev = &json["snapshot"]["probes"]["devices"][0];
    assert_eq!(
        dev["backup_service"]["status"], "ok",
        "the handshake finished"
    );
    assert_eq!(dev["lockdown"]["value"]["session"]["state"], "trusted");
}

/// Pair over Wi-Fi is refused: the advice is a cable, not an MDM policy.
#[test]
fn pairing_over_wifi_is_refused_and_the_fix_is_a_cable() {
    let run = start("wifi_not_paired");
    let (_, json) = run.diagnose_json(&["--request-trust", "--timeout", "12"]);
    let f = &json["findings"][0];
    assert_eq!(f["id"], "trust.not-paired", "{:?}", ids(&json));
    assert_eq!(f["title"], "The iPhone can be paired only over a USB cable");
    assert!(
        f["evidence"][0]
            .as_str()
            .is_some_and(|e| e.contains("PairingProhibitedOverThisConnection")),
        "{f}"
    );
    assert!(!ids(&json).iter().any(|i| i == "device.restricted"));
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

/// A usbmuxd that never answers: the empty list says why it may be missing
/// phones and exits 4, never the 0 of a list that saw everything (issue 30).
#[test]
fn devices_with_a_hung_usbmuxd_is_not_an_empty_list() {
    let run = start("fault_hang");
    let out = run
        .cmd("devices")
        .args(["--timeout", "3"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(
        text.contains("usbmuxd did not answer before the deadline"),
        "{text}"
    );
    assert!(!text.contains("No phone seen by USB or usbmuxd"), "{text}");
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

/// `diagnose --listen` reads a trusted phone's backup log during its window:
/// the agent's "Need extra space on host" becomes `host.disk-space` with the
/// phone's figure; a backup that runs normally adds no warning.
#[test]
fn diagnose_listening_reads_the_phones_backup_log() {
    let run = start("backup_needs_host_space");
    let (out, json) = run.diagnose_json(&["--listen", "3"]);
    assert_eq!(
        top(&json),
        "host.disk-space",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let f = &json["findings"][0];
    assert!(
        f["evidence"][0].as_str().unwrap().contains("12265029274"),
        "{f}"
    );
    assert_eq!(out.status.code(), Some(2));
    let log = &json["snapshot"]["probes"]["devices"][0]["backup_log"];
    assert_eq!(log["status"], "ok", "{log}");
    assert_eq!(log["value"]["source"], "relay");
    assert!(run.writes().is_empty());

    let run = start("backup_running");
    let (out, json) = run.diagnose_json(&["--listen", "5"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", ids(&json));
    let events: Vec<&str> = json["snapshot"]["probes"]["devices"][0]["backup_log"]["value"]
        ["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["event"].as_str())
        .collect();
    assert!(events.contains(&"uploading"), "{events:?}");
}
