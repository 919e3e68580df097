//! Ctrl-C during `diagnose`: against a usbmuxd that never answers
//! (`fault_hang`) and a long `--timeout`, SIGINT after about a second must
//! end the run promptly with exit 130 and a report of what was probed so far
//! (the host and the USB bus finish in milliseconds; usbmuxd is the one
//! still waiting).
// SIGINT and the Unix-only simulator.
#![cfg(unix)]

mod reliability_support;

use std::ffi::OsString;
use std::process::Command;
use std::time::{Duration, Instant};

use reliability_support::{command, finish, start_sim, Output};

/// Starts `diagnose` (plus `extra`), waits for the hung daemon to get its
/// request, sends SIGINT, and returns the output and the time from the
/// signal to the exit.
fn interrupted(extra: &[&str]) -> (Output, Duration) {
    let sim = start_sim("fault_hang");
    let backup = tempfile::tempdir().unwrap();
    let mut args: Vec<OsString> = ["diagnose", "--timeout", "120", "--usbmuxd"]
        .iter()
        .map(OsString::from)
        .collect();
    args.push(sim.address().into());
    args.push("--backup-dir".into());
    args.push(backup.path().into());
    args.extend(extra.iter().map(OsString::from));
    let started = Instant::now();
    let child = command(args).spawn().unwrap();
    let pid = child.id().to_string();
    // Wait until the daemon has the request (so the probe is really stuck
    // in it), then a little more: about a second in all.
    let waited = Instant::now();
    while sim.handle.audit().is_empty() && waited.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !sim.handle.audit().is_empty(),
        "the probe never reached the daemon"
    );
    std::thread::sleep(Duration::from_millis(1000).saturating_sub(waited.elapsed()));
    let signalled = Instant::now();
    let kill = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(kill.success());
    let out = finish(child, started, Duration::from_secs(30));
    let after_signal = signalled.elapsed();
    (out, after_signal)
}

#[test]
fn ctrl_c_reports_what_was_probed_and_exits_130() {
    let (text, after) = interrupted(&[]);
    text.assert_sane("diagnose, SIGINT");
    assert_eq!(text.code, Some(130), "stderr:\n{}", text.stderr);
    assert!(
        after < Duration::from_secs(3),
        "took {after:?} to stop after SIGINT"
    );
    assert!(
        text.elapsed < Duration::from_secs(10),
        "ran {:?} with a 120 s timeout",
        text.elapsed
    );
    let out = &text.stdout;
    assert!(out.contains("Interrupted"), "{out}");
    assert!(out.contains("What was checked"), "{out}");
    assert!(out.contains("USB") && out.contains("Computer"), "{out}");
    assert!(out.contains("Ctrl-C"), "{out}");
    // Never "Ready" for a check that did not finish: the verdict says so,
    // first and last, with what was not checked.
    assert!(!out.contains("Ready"), "{out}");
    assert!(out.starts_with("? Not finished"), "{out}");
    assert!(
        out.contains("Not checked") && out.contains("usbmuxd"),
        "{out}"
    );

    let (json, after) = interrupted(&["--json"]);
    json.assert_sane("diagnose --json, SIGINT");
    assert_eq!(json.code, Some(130), "stderr:\n{}", json.stderr);
    assert!(
        after < Duration::from_secs(3),
        "took {after:?} to stop after SIGINT"
    );
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON report");
    assert_eq!(v["verdict"], "incomplete", "{}", json.stdout);
    assert!(
        v["not_checked"].as_array().is_some_and(|a| !a.is_empty()),
        "{}",
        json.stdout
    );
    let snap = &v["snapshot"];
    assert_eq!(snap["interrupted"], true, "{}", json.stdout);
    let probes = &snap["probes"];
    // What finished before Ctrl-C is kept...
    assert_eq!(probes["host"]["status"], "ok", "{}", probes["host"]);
    assert_ne!(probes["usb"]["status"], "skipped", "{}", probes["usb"]);
    // ...and the stuck probe says why it has no result.
    assert_eq!(
        probes["usbmuxd"]["status"], "skipped",
        "{}",
        probes["usbmuxd"]
    );
    assert!(
        probes["usbmuxd"].to_string().contains("interrupted"),
        "{}",
        probes["usbmuxd"]
    );
}
