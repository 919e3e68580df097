//! `diagnose --from` on real captures (fixtures/realdata/, each with its
//! public source in the README there): the first finding each gives, and
//! that a healthy phone's capture blocks nothing.

use assert_cmd::Command;
use serde_json::Value;

/// (file, first finding (empty: none), exit status, why). The expected
/// answer is what the capture's description says, not what the tool prints.
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
        "lsusb_ipad_variants_12ab_129f_12a2.txt",
        "",
        0,
        "three iPads (129f, 12ab, 12a2) in normal mode; the flapping charge icon is only in a collector's note, not in tool output, so nothing blocks",
    ),
    (
        "lsusb_recovery_mode_ipwndfu.txt",
        "usb.recovery-mode",
        2,
        "05ac:1281 is recovery mode",
    ),
    (
        "lsusb_v_grep_recovery_mode_iPadAir2.txt",
        "usb.recovery-mode",
        2,
        "`lsusb -v | grep` shows idProduct 0x1281: recovery mode",
    ),
    (
        "lsusb_v_iPhone4_1297_iOS4.2.1_no_device_found_partial.txt",
        "usbmuxd.device-not-listed",
        2,
        "lsusb shows the iPhone 4 in normal mode while ideviceinfo finds no device",
    ),
    (
        "lsusb_v_iPhone_12a8_bcd10.05_partial.txt",
        "",
        0,
        "a phone in normal mode in `lsusb -v`; nothing wrong shown",
    ),
    (
        "dfu_iPhone13_lsusb_irecovery_wsl.txt",
        "usb.dfu-mode",
        2,
        "05ac:1227 is DFU mode (A15, iBoot-6338.0.0.200.19)",
    ),
    (
        "dfu_iPhone5s_lsusb_ideviceinfo_no_device_irecovery.txt",
        "usb.dfu-mode",
        2,
        "05ac:1227 is DFU mode; ideviceinfo then finds no device, as in DFU",
    ),
    (
        "macos_lsusb_iPhone_12a8_dcsd.txt",
        "",
        0,
        "the macOS lsusb clone lists the iPhone in normal mode; a libusb test program not listing it on macOS is not a backup problem",
    ),
    (
        "ioreg_iPhone_AppleUSBDevice_12a8_partial.txt",
        "",
        0,
        "an iPhone at high speed (Device Speed 2) on port 4 of bus 0x14, no hub",
    ),
    (
        "dmesg_iPhoneSE_12a8_no_device_found.txt",
        "usbmuxd.device-not-listed",
        2,
        "the kernel enumerates the iPhone SE at high speed but idevicepair finds no device",
    ),
    (
        "dmesg_usbmuxd_iPhone_8120_iOS17RC_usb3_stuck_partial.txt",
        "usbmuxd.device-not-listed",
        2,
        "the kernel enumerates the phone at high speed; usbmuxd, started before it, never takes it",
    ),
    (
        "kernel_syslog_iPhone12_00008101_ipheth_partial.txt",
        "",
        0,
        "an iPhone 12 enumerating at high speed and ipheth binding its tethering interface; no drop in the capture",
    ),
    (
        "usbmuxd_get_device_list_error_opening_socket_idevicerestore.txt",
        "usbmuxd.not-running",
        2,
        "every `usbmuxd_get_device_list` fails to open usbmuxd's socket",
    ),
    (
        "usbmuxd_journal_iPhone7_removed_immediately_partial.txt",
        "connection.unstable",
        2,
        "usbmuxd removes the phone 86 ms after connecting to it, and it does not come back",
    ),
    (
        "usbmuxd_lockdown_err3_iPhone6plus_iOS9.txt",
        "usbmuxd.device-not-listed",
        2,
        "usbmuxd 1.1.1 cannot read lockdownd's answer (lockdown error -3, a broken libplist); idevicepair finds no device",
    ),
    (
        "usbmuxd_lockdown_err8_iPhone6plus_iOS12.4.txt",
        "usbmuxd.device-not-listed",
        2,
        "usbmuxd's preflight fails with lockdown error -8, so it never lists the phone it found on USB",
    ),
    (
        "usbmuxd_newer_modeswitch_12ab_ipad_8027_partial.txt",
        "",
        0,
        "a newer usbmuxd switching the iPad's configuration and starting preflight; the capture ends before any error",
    ),
    (
        "usbmuxd_not_paired_iOS10.1.1_12ab.txt",
        "trust.not-paired",
        2,
        "usbmuxd's preflight says the iPad is not paired with this host",
    ),
    (
        "usbmuxd_openwrt_v111_start_partial.txt",
        "",
        0,
        "usbmuxd 1.1.1 starts and takes the phone at 480 Mbit/s; preflight starts",
    ),
    (
        "usbmuxd_openwrt_waiting_for_trust_then_rx_aborted_partial.txt",
        "trust.dialog-pending",
        2,
        "usbmuxd waits for the user to trust the computer; the phone re-enumerates seconds later",
    ),
    (
        "usbmuxd_v108_iPhone4_iOS7_rx_aborted_partial.txt",
        "connection.unstable",
        2,
        "the iPhone 4 on a full-speed link (wMaxPacketSize 64) drops off (RX aborted, removed); the capture ends before usbmuxd takes it again",
    ),
    (
        "usbmuxd_v108_ipad_iOS7.0.4_rx_aborted_after_trust_partial.txt",
        "connection.unstable",
        1,
        "the iPad drops off (RX aborted, removed) 8 s after connecting, then is found again",
    ),
    (
        "usbmuxd_v109_fedora20_iPhone3GS_iOS5.1.1_partial.txt",
        "",
        0,
        "the iPhone 3GS works; it is removed 48 s later (unplugged) and usbmuxd exits as it does with no phone",
    ),
    (
        "usbmuxd_v110_lockdown_err8_segfault.txt",
        "usbmuxd.not-running",
        2,
        "usbmuxd 1.1.0 crashes (Segmentation fault) after a failed preflight: no daemon is left",
    ),
    (
        "usbmuxd_v111_debug_12ab_partial.txt",
        "",
        0,
        "a verbose usbmuxd 1.1.1 start taking an iPad at 480 Mbit/s; nothing fails in the capture",
    ),
    (
        "usbmuxd_v111_first_start_12a8_partial.txt",
        "",
        0,
        "usbmuxd's first start with desktop clients, the phone found and configured; nothing fails in the capture",
    ),
    (
        "usbmuxd_v111_preflight_error_12a8.txt",
        "usbmuxd.device-not-listed",
        2,
        "preflight ends with an error (level 1) 10 s after it starts, so usbmuxd does not list the phone",
    ),
    (
        "usbmuxd_v112_iPhone4S_iOS6.1.3_no_productname_partial.txt",
        "",
        0,
        "usbmuxd 1.1.2 connects the iPhone 4S; the ProductName error of the report's title is past the end of the capture",
    ),
];

/// Captures whose expected answer the tool does not give yet, with why. The
/// test fails when one starts passing, so this list stays true.
const PENDING: &[(&str, &str)] = &[
    (
        "lsusb_v_iPhone4_1297_iOS4.2.1_no_device_found_partial.txt",
        "ideviceinfo's `ERROR: No device found!` is another tool's reported error (the errors17 importers); lsusb alone shows a healthy listing",
    ),
    (
        "dmesg_iPhoneSE_12a8_no_device_found.txt",
        "idevicepair's `No device found` is another tool's reported error (the errors17 importers); the kernel lines alone show a healthy enumeration",
    ),
    (
        "usbmuxd_not_paired_iOS10.1.1_12ab.txt",
        "the `is not paired with this host` line is filled in reported_errors; turning it into trust.not-paired is the errors17 branch's reported-errors path",
    ),
    (
        "usbmuxd_openwrt_waiting_for_trust_then_rx_aborted_partial.txt",
        "the trust wait is filled in reported_errors (errors17's path makes it trust.dialog-pending); until then the re-enumeration that follows a trust answer is reported as connection.unstable",
    ),
    (
        "usbmuxd_v108_ipad_iOS7.0.4_rx_aborted_after_trust_partial.txt",
        "the line where usbmuxd finds it again is cut inside the product id (`05ac:12a`), so it is not read and the phone counts as gone (blocker, not warning)",
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
    let mut passed = 0;
    let mut wrong = Vec::new();
    for (file, first, status, why) in CAPTURES {
        assert!(
            readme.contains(file),
            "fixtures/realdata/README.md does not list {file}"
        );
        let path = format!("fixtures/realdata/{file}");
        let (json, code) = diagnose(&["--from", &path], None);
        assert_eq!(json["snapshot"]["provenance"]["kind"], "imported", "{file}");
        let got = json["findings"][0]["id"].as_str().unwrap_or("");
        // The finding quotes the line it read: `file:line: text`.
        let quoted = json["findings"][0]["evidence"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|e| {
                e.strip_prefix(&format!("{file}:"))
                    .and_then(|rest| rest.split_once(':'))
                    .is_some_and(|(n, _)| n.parse::<u64>().is_ok())
            });
        let ok = got == *first && code == *status && (first.is_empty() || quoted);
        let pending = PENDING.iter().any(|(f, _)| f == file);
        match (ok, pending) {
            (true, false) => passed += 1,
            (false, true) => {}
            (true, true) => wrong.push(format!("{file} passes now: take it out of PENDING")),
            (false, false) => wrong.push(format!(
                "{file} ({why}): expected {first:?} exit {status} quoting a line, got {got:?} exit {code} (quoted: {quoted})"
            )),
        }
    }
    eprintln!("{passed} of {} real captures pass", CAPTURES.len());
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(PENDING
        .iter()
        .all(|(f, _)| CAPTURES.iter().any(|c| c.0 == *f)));
}

#[test]
fn a_usbmuxd_log_and_an_ideviceinfo_dump_make_one_phone() {
    let (json, _) = diagnose(
        &[
            "--from",
            "fixtures/realdata/usbmuxd_openwrt_v111_start_partial.txt",
            "--from",
            "fixtures/realdata/ideviceinfo_iPhone12-x_iOS13.1_unactivated_partial.txt",
        ],
        None,
    );
    let devices = json["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1, "{json}");
    assert_eq!(
        devices[0]["udid"],
        "78bd29e6f395d2fc6489d2b68c36a45cfd7e8928"
    );
    let phones = json["snapshot"]["probes"]["devices"].as_array().unwrap();
    assert_eq!(phones.len(), 1, "{phones:?}");
    assert_eq!(json["findings"][0]["id"], "device.setup-incomplete");
    assert_eq!(
        json["findings"][0]["device"],
        "78bd29e6f395d2fc6489d2b68c36a45cfd7e8928"
    );
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
