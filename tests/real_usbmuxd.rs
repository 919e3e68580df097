//! The "daemon up, no phone" path against Debian's real usbmuxd 1.1.1.
//!
//! usbmuxd has no option for its socket path, so the test runs it in a
//! private mount namespace with its own /run (`unshare -m` as root): the
//! machine's /var/run/usbmuxd is never touched. Without root, `unshare` or
//! `usbmuxd` the test skips with a notice, except under CI, where .ci/run
//! installs them and the test must run.

use std::process::Command;

fn can_run() -> Result<(), String> {
    let have = |bin: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {bin}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    for bin in ["unshare", "usbmuxd", "mount"] {
        if !have(bin) {
            return Err(format!("{bin} is not installed"));
        }
    }
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| e.to_string())?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Err("not root (unshare -m needs it)".into());
    }
    Ok(())
}

/// Shell lines that give the namespace its own /run and start usbmuxd
/// there, leaving its pid in `$pid` (exit 90 / 91 when that fails).
const START_USBMUXD: &str = "mount -t tmpfs tmpfs /run || exit 90
         usbmuxd -f -n >/dev/null 2>&1 &
         pid=$!
         for i in $(seq 1 50); do [ -S /var/run/usbmuxd ] && break; sleep 0.1; done
         [ -S /var/run/usbmuxd ] || exit 91";

/// Whether the test can run here; skipping is an error under CI.
fn runnable(test: &str) -> bool {
    match can_run() {
        Ok(()) => true,
        Err(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "real-usbmuxd test cannot run under CI: {why}"
            );
            eprintln!("SKIPPED {test}: {why}");
            false
        }
    }
}

#[test]
fn diagnose_with_real_usbmuxd_and_no_phone() {
    if !runnable("diagnose_with_real_usbmuxd_and_no_phone") {
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("iphone-backup-check");
    let backup = tempfile::tempdir().unwrap();
    let script = format!(
        "{START_USBMUXD}
         '{bin}' diagnose --json --timeout 5 --backup-dir '{dir}'
         status=$?
         kill $pid 2>/dev/null; wait $pid 2>/dev/null
         exit $status",
        bin = bin.display(),
        dir = backup.path().display()
    );
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code != 90 && code != 91,
        "could not start usbmuxd in a namespace: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    let usbmuxd = &report["snapshot"]["probes"]["usbmuxd"];
    assert_eq!(usbmuxd["status"], "ok", "{usbmuxd}");
    assert_eq!(
        usbmuxd["value"]["devices"].as_array().map(Vec::len),
        Some(0)
    );
    assert!(
        usbmuxd["value"]["buid"]
            .as_str()
            .is_some_and(|b| !b.is_empty()),
        "ReadBUID answered"
    );
    // The real daemon takes ListDevices then Listen on one connection, as
    // the listen window sends them, and stays quiet with no phone.
    let listen = &report["snapshot"]["probes"]["mux_events"];
    assert_eq!(listen["status"], "ok", "{listen}");
    assert_eq!(listen["value"]["events"], serde_json::json!([]), "{listen}");
    assert!(listen["value"]["ended_early"].is_null(), "{listen}");
    assert_eq!(report["findings"][0]["id"], "usb.no-device", "{report:#}");
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(
        !ids.iter().any(|i| i.starts_with("usbmuxd.")),
        "no usbmuxd finding when it runs: {ids:?}"
    );
    assert_eq!(code, 2);
}

#[test]
fn watch_follows_real_usbmuxd_through_a_restart() {
    if !runnable("watch_follows_real_usbmuxd_through_a_restart") {
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("iphone-backup-check");
    let work = tempfile::tempdir().unwrap();
    let script = format!(
        "{START_USBMUXD}
         '{bin}' watch --json --duration 6 --recheck 0 --backup-dir '{dir}' > '{dir}/out' 2>/dev/null &
         wpid=$!
         sleep 1.5
         kill $pid; wait $pid 2>/dev/null
         sleep 1.5
         usbmuxd -f -n >/dev/null 2>&1 &
         pid=$!
         wait $wpid
         status=$?
         kill $pid 2>/dev/null; wait $pid 2>/dev/null
         cat '{dir}/out'
         exit $status",
        bin = bin.display(),
        dir = work.path().display()
    );
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(code != 90 && code != 91, "could not start usbmuxd");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let types: Vec<&str> = lines.iter().filter_map(|l| l["type"].as_str()).collect();
    assert_eq!(
        types,
        ["daemon-lost", "daemon-back", "summary"],
        "{lines:#?}"
    );
    assert_eq!(lines[0]["data"]["kind"], "closed", "{:#}", lines[0]);
    assert_eq!(lines[2]["data"]["daemon_lost"], 1);
    // No phone on this machine: the verdict-like status is 2.
    assert_eq!(code, 2);
}
