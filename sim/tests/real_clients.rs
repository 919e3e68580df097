//! Debian's libimobiledevice clients (`libimobiledevice-utils` 1.3.0 on libusbmuxd 2.0.2)
//! against the simulator: they must print the scenario's values, or exactly the error a
//! real phone makes them print (compare `../shared/realdata/lockdownd_err19_pairing_pending_
//! debian.txt`).
//!
//! Missing binaries fail the test when `CI` is set; otherwise the test prints a loud notice
//! and returns.
//!
//! Note: `ideviceinfo` and `idevicepair validate` send `Pair` by themselves when there is no
//! pair record; the audit log records it and the tests assert it, they do not hide it.
#![cfg(unix)]

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const HEALTHY_UDID: &str = "c28d82f1df2580e648ad0225461d5592b8558bf7";

fn tools_present() -> bool {
    let missing: Vec<&str> = ["ideviceinfo", "idevicepair", "idevice_id"]
        .into_iter()
        .filter(|t| {
            Command::new(t)
                .arg("--help")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_err()
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but {missing:?} are missing: apt-get install libimobiledevice-utils");
    }
    eprintln!("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    eprintln!("!! SKIPPED real-client checks: {missing:?} not installed.");
    eprintln!("!! Install Debian's libimobiledevice-utils to run them (CI fails instead).");
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
    false
}

/// Runs a client against the simulator with a 20 s deadline; returns (exit code, output).
fn run(r: &Running, args: &[&str]) -> (i32, String) {
    let home = r.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut child = Command::new(args[0])
        .args(&args[1..])
        .env("USBMUXD_SOCKET_ADDRESS", r.sim.usbmuxd_socket_address())
        .env("HOME", &home)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn client");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} did not finish within 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    (status.code().unwrap_or(-1), out)
}

fn requests(r: &Running) -> Vec<String> {
    r.requests()
}

#[test]
fn healthy_phone_reads_like_a_real_one() {
    if !tools_present() {
        return;
    }
    let r = start("healthy");
    let (code, out) = run(&r, &["idevice_id", "-l"]);
    assert_eq!((code, out.trim()), (0, HEALTHY_UDID));

    let (code, out) = run(&r, &["ideviceinfo"]);
    assert_eq!(code, 0, "{out}");
    for line in [
        "ProductType: iPhone10,3",
        "ProductVersion: 16.7.2",
        "BuildVersion: 20H115",
        "DeviceClass: iPhone",
        "PasswordProtected: false",
        "SerialNumber: F4HHMEFPJC67",
        &format!("UniqueDeviceID: {HEALTHY_UDID}"),
    ] {
        assert!(out.lines().any(|l| l == line), "missing {line:?} in\n{out}");
    }

    let (code, out) = run(&r, &["ideviceinfo", "-q", "com.apple.mobile.backup"]);
    assert_eq!(code, 0, "{out}");
    for line in [
        "CloudBackupEnabled: false",
        "WillEncrypt: false",
        "RequiresEncryption: 0",
        "LastiTunesBackupDate: 681028961",
    ] {
        assert!(out.lines().any(|l| l == line), "missing {line:?} in\n{out}");
    }

    let (code, out) = run(
        &r,
        &[
            "ideviceinfo",
            "-q",
            "com.apple.disk_usage",
            "-k",
            "TotalDataCapacity",
        ],
    );
    assert_eq!((code, out.trim()), (0, "15715639296"));

    let (code, out) = run(&r, &["idevicepair", "validate"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.trim(),
        format!("SUCCESS: Validated pairing with device {HEALTHY_UDID}")
    );

    // libimobiledevice authenticates with the record's RootCertificate (idevice uses the
    // HostCertificate); both are accepted, the log says which.
    let tls: Vec<_> = r
        .sim
        .audit()
        .into_iter()
        .filter(|e| e.request == "TLSHandshake")
        .collect();
    assert!(!tls.is_empty());
    assert!(tls
        .iter()
        .all(|e| e.detail.as_deref() == Some("client presented RootCertificate")));
    assert!(r.sim.writes().is_empty(), "{:?}", r.sim.writes());
    assert_eq!(r.sim.panics(), 0);
    // ideviceinfo ends with StopSession, then its close_notify on the now-plain stream: the
    // simulator goes back to plaintext and takes the alert without calling it garbage.
    let names = requests(&r);
    assert!(names.iter().any(|n| n == "StopSession"), "{names:?}");
    assert!(
        !names.iter().any(|n| n.starts_with('<')),
        "malformed input logged: {names:?}"
    );
}

#[test]
fn trust_reset_gives_invalid_host_id() {
    if !tools_present() {
        return;
    }
    let r = start("trust_reset");
    let (code, out) = run(&r, &["ideviceinfo"]);
    assert_ne!(code, 0);
    assert_eq!(
        out.trim(),
        "ERROR: Could not connect to lockdownd: Invalid HostID (-21)"
    );
    let (_, out) = run(&r, &["ideviceinfo", "-q", "com.apple.mobile.backup"]);
    assert_eq!(
        out.trim(),
        "ERROR: Could not connect to lockdownd: Invalid HostID (-21)"
    );
    let (code, out) = run(&r, &["idevicepair", "validate"]);
    assert_ne!(code, 0);
    assert_eq!(
        out.trim(),
        format!("ERROR: Device {HEALTHY_UDID} is not paired with this host")
    );
    // With a record, libimobiledevice 1.3.0 does not try to Pair on iOS >= 7.
    assert!(r.sim.writes().is_empty(), "{:?}", r.sim.writes());
}

#[test]
fn trust_dialog_pending() {
    if !tools_present() {
        return;
    }
    let r = start("trust_dialog_pending");
    let (code, out) = run(&r, &["idevice_id", "-l"]);
    assert_eq!((code, out.trim()), (0, HEALTHY_UDID));
    let (code, out) = run(&r, &["ideviceinfo"]);
    assert_ne!(code, 0);
    // Same line as realdata/lockdownd_err19_pairing_pending_debian.txt.
    assert_eq!(
        out.trim(),
        "ERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)"
    );
    let (_, out) = run(&r, &["idevicepair", "validate"]);
    assert_eq!(
        out.trim(),
        format!("ERROR: Please accept the trust dialog on the screen of device {HEALTHY_UDID}, then attempt to pair again.")
    );
    // Both clients sent Pair on their own (no pair record): recorded, not hidden.
    let names = requests(&r);
    assert_eq!(
        names.iter().filter(|n| *n == "Pair").count(),
        2,
        "{names:?}"
    );
    assert!(r.sim.writes().iter().all(|e| e.request == "Pair"));
}

#[test]
fn user_denied_pairing() {
    if !tools_present() {
        return;
    }
    let r = start("user_denied");
    let (code, out) = run(&r, &["ideviceinfo"]);
    assert_ne!(code, 0);
    assert_eq!(
        out.trim(),
        "ERROR: Could not connect to lockdownd: User denied pairing (-18)"
    );
    let (_, out) = run(&r, &["idevicepair", "validate"]);
    assert_eq!(
        out.trim(),
        format!("ERROR: Device {HEALTHY_UDID} said that the user denied the trust dialog.")
    );
}

#[test]
fn locked_phone() {
    if !tools_present() {
        return;
    }
    let r = start("locked_not_paired");
    let (code, out) = run(&r, &["ideviceinfo"]);
    assert_ne!(code, 0);
    assert_eq!(
        out.trim(),
        "ERROR: Could not connect to lockdownd: Password protected (-17)"
    );
    let (_, out) = run(&r, &["idevicepair", "validate"]);
    assert_eq!(
        out.trim(),
        format!("ERROR: Could not validate with device {HEALTHY_UDID} because a passcode is set. Please enter the passcode on the device and retry.")
    );
    // Trusted but locked: the session works and the phone says it is locked.
    let r = start("locked");
    let (code, out) = run(&r, &["ideviceinfo", "-k", "PasswordProtected"]);
    assert_eq!((code, out.trim()), (0, "true"));
}

#[test]
fn no_device_wifi_only_and_recovery() {
    if !tools_present() {
        return;
    }
    let r = start("no_device");
    let (code, out) = run(&r, &["idevice_id", "-l"]);
    assert_eq!((code, out.trim()), (0, ""));
    let (_, out) = run(&r, &["ideviceinfo"]);
    assert_eq!(out.trim(), "ERROR: No device found!");

    let r = start("wifi_only");
    let (_, out) = run(&r, &["idevice_id", "-l"]);
    assert_eq!(out.trim(), "", "USB listing excludes network devices");
    let (code, out) = run(&r, &["idevice_id", "-n"]);
    assert_eq!((code, out.trim()), (0, HEALTHY_UDID));

    // lockdownd absent: Connect is refused (usbmuxd Result 3), which libimobiledevice
    // reports as a mux error.
    let r = start("recovery_absent");
    let (code, out) = run(&r, &["ideviceinfo"]);
    assert_ne!(code, 0);
    assert_eq!(
        out.trim(),
        "ERROR: Could not connect to lockdownd: Mux error (-8)"
    );
}

#[test]
fn domains_of_other_scenarios() {
    if !tools_present() {
        return;
    }
    let r = start("icloud_encrypted");
    let (_, out) = run(&r, &["ideviceinfo", "-q", "com.apple.mobile.backup"]);
    assert!(
        out.lines().any(|l| l == "CloudBackupEnabled: true"),
        "{out}"
    );
    assert!(out.lines().any(|l| l == "WillEncrypt: true"), "{out}");
    let r = start("mdm_requires_encryption");
    let (_, out) = run(
        &r,
        &[
            "ideviceinfo",
            "-q",
            "com.apple.mobile.backup",
            "-k",
            "RequiresEncryption",
        ],
    );
    assert_eq!(out.trim(), "1");
    let r = start("storage_full");
    let (_, out) = run(
        &r,
        &[
            "ideviceinfo",
            "-q",
            "com.apple.disk_usage",
            "-k",
            "AmountDataAvailable",
        ],
    );
    assert_eq!(out.trim(), "33554432");
    let r = start("old_ios");
    let (_, out) = run(&r, &["ideviceinfo", "-k", "ProductVersion"]);
    assert_eq!(out.trim(), "13.3.1");
    let r = start("two_phones");
    let (_, out) = run(&r, &["idevice_id", "-l"]);
    let mut ids: Vec<&str> = out.lines().collect();
    ids.sort();
    assert_eq!(
        ids,
        ["84c683bc86525fc6648d4d14d3e06ed7200b29d2", HEALTHY_UDID]
    );
    let (_, out) = run(
        &r,
        &[
            "ideviceinfo",
            "-u",
            "84c683bc86525fc6648d4d14d3e06ed7200b29d2",
            "-k",
            "DeviceName",
        ],
    );
    assert_eq!(out.trim(), "iPhone7_1331");
}

#[test]
fn trust_tapped_pairs_and_the_saved_record_works() {
    if !tools_present() {
        return;
    }
    let r = start("trust_accepted");
    let secrets_before = r.sim.secrets().len();
    let (code, out) = run(&r, &["idevicepair", "pair"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.trim(),
        format!("SUCCESS: Paired with device {HEALTHY_UDID}")
    );
    let writes: Vec<String> = r.sim.writes().into_iter().map(|e| e.request).collect();
    assert_eq!(writes, ["Pair", "SavePairRecord"]);
    // The keys libimobiledevice generated and saved count as secrets too.
    assert!(r.sim.secrets().len() > secrets_before);
    // The record libimobiledevice generated and saved is served back and accepted.
    let (code, out) = run(&r, &["ideviceinfo", "-k", "ProductType"]);
    assert_eq!((code, out.trim()), (0, "iPhone10,3"));
}

#[test]
fn battery_ioregistry_through_diagnostics_relay() {
    if !tools_present() {
        return;
    }
    let r = start("battery_low");
    let (code, out) = run(
        &r,
        &["idevicediagnostics", "ioregentry", "AppleSmartBattery"],
    );
    assert_eq!(code, 0, "{out}");
    let v: plist::Value = plist::from_bytes(out.as_bytes()).expect("a plist on stdout");
    let ioreg = v.as_dictionary().unwrap()["IORegistry"]
        .as_dictionary()
        .unwrap();
    assert_eq!(ioreg["CurrentCapacity"].as_unsigned_integer(), Some(7));
    assert_eq!(ioreg["IsCharging"].as_boolean(), Some(false));
    assert_eq!(ioreg["ExternalConnected"].as_boolean(), Some(false));
    let (_, out) = run(&r, &["ideviceinfo", "-q", "com.apple.mobile.battery"]);
    assert!(
        out.lines().any(|l| l == "BatteryCurrentCapacity: 7"),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l == "BatteryIsCharging: false"),
        "{out}"
    );
    assert!(r.requests().iter().any(|n| n == "IORegistry"));
}

/// Debian's `idevicesyslog` reads the simulated `com.apple.syslog_relay`
/// (StartService in a session, then raw NUL-separated messages) and prints
/// the scenario's BackupAgent2 lines.
#[test]
fn idevicesyslog_prints_the_backup_agents_lines() {
    if !tools_present() {
        return;
    }
    if Command::new("idevicesyslog")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but idevicesyslog is missing");
        }
        eprintln!("!! SKIPPED: idevicesyslog not installed");
        return;
    }
    let r = start("backup_needs_host_space");
    let home = r.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut child = Command::new("idevicesyslog")
        .args(["-u", HEALTHY_UDID, "--no-colors"])
        .env("USBMUXD_SOCKET_ADDRESS", r.sim.usbmuxd_socket_address())
        .env("HOME", &home)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn idevicesyslog");
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut out = Vec::new();
    while Instant::now() < deadline {
        if let Ok(chunk) = rx.recv_timeout(Duration::from_millis(100)) {
            out.extend(chunk);
        }
        if String::from_utf8_lossy(&out).contains("Requesting host to purge now") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("BackupAgent2[4308] <Notice>: Need extra space on host: 12265029274. Requesting host to purge now"),
        "{text}"
    );
    assert!(
        text.contains("Free disk space on drive: 4664553472 (4.66 GB)"),
        "{text}"
    );
    // One message per line: the NUL ends each one.
    assert!(!text.contains('\0'));
    assert!(
        r.requests().iter().any(|n| n == "syslog_relay"),
        "{:?}",
        r.requests()
    );
    assert!(r.sim.writes().is_empty());
}
