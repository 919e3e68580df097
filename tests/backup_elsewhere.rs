//! While another program backs up, the check must not touch the phone's
//! backup service (`watch` and `devices` probe again and again). A process
//! named `idevicebackup2` stands in for the running backup; it lives in its
//! own test binary so that no other test sees it.
// The simulator they start is Unix-only.
#![cfg(unix)]

use std::process::{Child, Command as Process};
use std::time::Duration;

use assert_cmd::Command;
use iphone_sim::{Scenario, SimConfig, Simulator};
use serde_json::Value;

/// A harmless `sleep` that the process list shows as idevicebackup2.
struct FakeBackup(Child);

impl FakeBackup {
    fn start(dir: &std::path::Path) -> Option<FakeBackup> {
        let sleep = ["/bin/sleep", "/usr/bin/sleep"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())?;
        let fake = dir.join("idevicebackup2");
        std::fs::copy(sleep, &fake).ok()?;
        Process::new(&fake).arg("60").spawn().ok().map(FakeBackup)
    }
}

impl Drop for FakeBackup {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_backup_service_is_left_alone_while_another_program_backs_up() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_backup) = FakeBackup::start(dir.path()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "cannot start a stand-in process here"
        );
        eprintln!("skipped: no sleep binary to stand in for idevicebackup2");
        return;
    };
    std::thread::sleep(Duration::from_millis(100));
    let sim = Simulator::start(SimConfig {
        socket: dir.path().join("usbmuxd"),
        tcp_port: None,
        scenario: Scenario::by_name("healthy").unwrap(),
    })
    .unwrap();
    std::fs::create_dir(dir.path().join("backups")).unwrap();
    let out = Command::cargo_bin("iphone-backup-check")
        .unwrap()
        .args(["diagnose", "--json", "--usbmuxd"])
        .arg(format!("UNIX:{}", dir.path().join("usbmuxd").display()))
        .arg("--backup-dir")
        .arg(dir.path().join("backups"))
        .env_remove("USBMUXD_SOCKET_ADDRESS")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let service = &json["snapshot"]["probes"]["devices"][0]["backup_service"];
    assert_eq!(service["status"], "skipped", "{service}");
    assert!(
        service["because"].to_string().contains("idevicebackup2"),
        "{service}"
    );
    let ids: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(ids.contains(&"host.backup-in-progress"), "{ids:?}");
    let audit = sim.audit();
    let asked: Vec<String> = audit.iter().map(|e| e.request.clone()).collect();
    let started: Vec<&str> = audit
        .iter()
        .filter(|e| e.request == "StartService")
        .filter_map(|e| e.detail.as_deref())
        .collect();
    // Only the read-only log relay: diagnose reads the phone's backup log
    // while another program backs up (src/probe/syslog/window.rs).
    assert_eq!(
        started,
        ["Service com.apple.syslog_relay"],
        "the backup service was started: {asked:?}"
    );
    assert_eq!(
        json["snapshot"]["probes"]["devices"][0]["backup_log"]["status"],
        "ok"
    );
    // The rest of the session was still read.
    assert!(asked.iter().any(|r| r == "StopSession"), "{asked:?}");
}
