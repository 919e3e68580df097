//! The read-only promise, across every simulator scenario: the phone and
//! usbmuxd receive no writing request (Pair, SetValue, SavePairRecord, ...;
//! the simulator flags them), except `Pair` when `--request-trust` asked for
//! it on a phone without a record; and the backup folder and the host's
//! lockdown folder are unchanged after every `diagnose` (file list, sizes,
//! mtimes; no SQLite -journal/-wal/-shm left behind).
//!
//! The lockdown folder is a fixture bind-mounted over /var/lib/lockdown in a
//! private mount namespace (`unshare -m`, root), so the machine's own folder
//! is never touched. Without root or unshare the test fingerprints the real
//! folder instead, when it exists.
// The simulator they start is Unix-only.
#![cfg(unix)]

mod reliability_support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use reliability_support::{
    bin_path, fingerprint, run, scenario_names, start_sim, ADDRESS_SPACE_KIB,
};

const LOCKDOWN: &str = "/var/lib/lockdown";
/// The old_ios phone (also in two_phones): it has a record in every scenario,
/// so a record in the folder changes no trust outcome.
const RECORD_UDID: &str = "84c683bc86525fc6648d4d14d3e06ed7200b29d2";

fn xml(inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n{inner}\n</plist>\n"
    )
}

/// A backup folder: one finished backup built here, plus the backups
/// branch's fixture folders when they are in the tree.
fn backup_fixture(dir: &Path) -> PathBuf {
    let root = dir.join("Backup");
    let one = root.join("00008030-001A2B3C4D5E6F70");
    std::fs::create_dir_all(one.join("ab")).unwrap();
    std::fs::write(
        one.join("Info.plist"),
        xml("<dict><key>Device Name</key><string>Fixture iPhone</string><key>Product Version</key><string>16.7.2</string></dict>"),
    )
    .unwrap();
    std::fs::write(
        one.join("Status.plist"),
        std::fs::read(
            "/work/fixtures/realdata/Status_plist_finished_DERIVED_from_torn_2026.xml.txt",
        )
        .unwrap_or_else(|_| {
            xml("<dict><key>SnapshotState</key><string>finished</string></dict>").into_bytes()
        }),
    )
    .unwrap();
    std::fs::write(
        one.join("Manifest.plist"),
        xml("<dict><key>IsEncrypted</key><false/></dict>"),
    )
    .unwrap();
    std::fs::write(one.join("ab").join("ab01"), b"file body").unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/backup-folders");
    for case in ["finished", "torn", "two-phones"] {
        let from = fixtures.join(case);
        if from.is_dir() {
            let status = Command::new("cp")
                .arg("-a")
                .arg(&from)
                .arg(root.join(format!("case-{case}")))
                .status()
                .unwrap();
            assert!(status.success());
        }
    }
    root
}

/// A lockdown folder as usbmuxd keeps it: SystemConfiguration.plist and a
/// pair record (made-up keys) for a phone that has one in every scenario.
fn lockdown_fixture(dir: &Path) -> PathBuf {
    let l = dir.join("lockdown");
    std::fs::create_dir_all(&l).unwrap();
    std::fs::write(
        l.join("SystemConfiguration.plist"),
        xml("<dict><key>SystemBUID</key><string>A1B2C3D4-0000-4000-8000-000000000001</string></dict>"),
    )
    .unwrap();
    std::fs::write(
        l.join(format!("{RECORD_UDID}.plist")),
        xml("<dict><key>HostID</key><string>5E1E0C2A-0000-4000-8000-000000000002</string><key>SystemBUID</key><string>A1B2C3D4-0000-4000-8000-000000000001</string><key>HostPrivateKey</key><data>AAAA</data></dict>"),
    )
    .unwrap();
    l
}

fn can_unshare() -> Result<(), String> {
    if !reliability_support::running_as_root() {
        return Err("not root".into());
    }
    if !Path::new(LOCKDOWN).is_dir() {
        return Err(format!("{LOCKDOWN} does not exist to mount over"));
    }
    let ok = Command::new("unshare")
        .args(["-m", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Ok(())
    } else {
        Err("unshare -m does not work here".into())
    }
}

/// `diagnose` with the lockdown fixture mounted over the real folder (when
/// `lockdown` is Some), under the same address-space cap as the other tests.
fn diagnose(lockdown: Option<&Path>, args: &[OsString]) -> Command {
    let script = match lockdown {
        Some(l) => format!(
            "mount --bind '{}' {LOCKDOWN} || exit 90; ulimit -v {ADDRESS_SPACE_KIB}; exec \"$0\" \"$@\"",
            l.display()
        ),
        None => format!("ulimit -v {ADDRESS_SPACE_KIB}; exec \"$0\" \"$@\""),
    };
    let mut c = if lockdown.is_some() {
        let mut c = Command::new("unshare");
        c.args(["-m", "sh", "-c"]);
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c");
        c
    };
    c.arg(script)
        .arg(bin_path())
        .arg("diagnose")
        .args(args)
        .env_remove("USBMUXD_SOCKET_ADDRESS")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    c
}

struct Run {
    scenario: String,
    flags: &'static [&'static str],
}

/// Requests a `--request-trust` run may send: `Pair` on a phone without a
/// record, and saving the record the phone handed back once Trust was tapped.
fn allowed_writes(run: &Run) -> &'static [&'static str] {
    let trust = run.flags.contains(&"--request-trust");
    match (trust, run.scenario.as_str()) {
        (true, "trust_accepted") => &["Pair", "SavePairRecord"],
        (true, "no_pair_record" | "trust_dialog_pending" | "user_denied" | "locked_not_paired") => {
            &["Pair"]
        }
        _ => &[],
    }
}

#[test]
fn diagnose_writes_nothing_in_any_scenario() {
    let scratch = tempfile::tempdir().unwrap();
    let backup = backup_fixture(scratch.path());
    let lockdown_dir = lockdown_fixture(scratch.path());
    let (lockdown, watched): (Option<&Path>, Option<PathBuf>) = match can_unshare() {
        Ok(()) => (Some(&lockdown_dir), Some(lockdown_dir.clone())),
        Err(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "the lockdown fixture cannot be mounted under CI: {why}"
            );
            eprintln!("NOTICE: lockdown fixture not mounted ({why}); watching {LOCKDOWN} itself");
            (
                None,
                Path::new(LOCKDOWN)
                    .is_dir()
                    .then(|| PathBuf::from(LOCKDOWN)),
            )
        }
    };
    let backup_before = fingerprint(&backup);
    let lockdown_before = watched.as_deref().map(fingerprint);
    assert!(
        backup_before.len() > 6,
        "the fixture has files: {backup_before:?}"
    );

    let mut runs: Vec<Run> = scenario_names()
        .into_iter()
        .map(|scenario| Run {
            scenario,
            flags: &[],
        })
        .collect();
    assert!(runs.len() >= 20, "bundled scenarios: {}", runs.len());
    for s in [
        "no_pair_record",
        "trust_dialog_pending",
        "user_denied",
        "locked_not_paired",
        "trust_accepted",
        "healthy",
    ] {
        runs.push(Run {
            scenario: s.into(),
            flags: &["--request-trust"],
        });
    }
    for s in ["healthy", "two_phones"] {
        runs.push(Run {
            scenario: s.into(),
            flags: &["--deep", "-v"],
        });
    }

    let failures: Vec<String> = std::thread::scope(|scope| {
        let chunks: Vec<Vec<&Run>> = (0..3)
            .map(|k| runs.iter().skip(k).step_by(3).collect())
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let backup = &backup;
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for r in chunk {
                        let sim = start_sim(&r.scenario);
                        let timeout = if r.flags.contains(&"--request-trust") {
                            "6"
                        } else {
                            "3"
                        };
                        let mut args: Vec<OsString> = ["--json", "--timeout", timeout, "--usbmuxd"]
                            .iter()
                            .map(OsString::from)
                            .collect();
                        args.push(sim.address().into());
                        args.push("--backup-dir".into());
                        args.push(backup.into());
                        args.extend(r.flags.iter().map(OsString::from));
                        let out = run(diagnose(lockdown, &args), Duration::from_secs(20));
                        let what = format!("{} {:?}", r.scenario, r.flags);
                        out.assert_sane(&what);
                        if !(0..=2).contains(&out.code.unwrap_or(-1)) {
                            failures.push(format!("{what}: exit {:?}\n{}", out.code, out.stderr));
                        }
                        let allowed = allowed_writes(r);
                        let writes = sim.handle.writes();
                        for w in &writes {
                            if !allowed.contains(&w.request.as_str()) {
                                failures.push(format!(
                                    "{what}: sent {} ({:?} layer)",
                                    w.request, w.layer
                                ));
                            }
                        }
                        // Once the probes reach lockdownd, --request-trust on a
                        // phone without a record must really ask.
                        let reached_lockdown = sim
                            .handle
                            .audit()
                            .iter()
                            .any(|e| e.layer == iphone_sim::Layer::Lockdownd);
                        if allowed.contains(&"Pair")
                            && reached_lockdown
                            && !writes.iter().any(|w| w.request == "Pair")
                        {
                            failures.push(format!("{what}: --request-trust sent no Pair"));
                        }
                        if !allowed.contains(&"SavePairRecord")
                            && writes.iter().any(|w| w.request == "SavePairRecord")
                        {
                            failures.push(format!("{what}: saved a pair record"));
                        }
                        sim.handle.stop();
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let backup_after = fingerprint(&backup);
    assert_eq!(backup_before, backup_after, "the backup folder changed");
    assert!(
        !backup_after.keys().any(|p| {
            let n = p.to_string_lossy();
            n.ends_with("-journal") || n.ends_with("-wal") || n.ends_with("-shm")
        }),
        "SQLite side files appeared"
    );
    if let (Some(w), Some(before)) = (watched.as_deref(), lockdown_before) {
        assert_eq!(before, fingerprint(w), "the lockdown folder changed");
    }
}

/// The mount itself works: a diagnose in the namespace sees the fixture, not
/// the machine's folder (otherwise the check above would watch nothing).
#[test]
fn lockdown_fixture_is_what_the_binary_sees() {
    if let Err(why) = can_unshare() {
        assert!(
            std::env::var_os("CI").is_none(),
            "cannot mount under CI: {why}"
        );
        eprintln!("SKIPPED lockdown_fixture_is_what_the_binary_sees: {why}");
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let l = lockdown_fixture(scratch.path());
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c"])
        .arg(format!(
            "mount --bind '{}' {LOCKDOWN} && ls {LOCKDOWN}",
            l.display()
        ))
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(
        listing.contains(&format!("{RECORD_UDID}.plist")),
        "{listing}"
    );
}
