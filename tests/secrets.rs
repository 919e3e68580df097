//! The privacy promise: pair-record keys and certificates, escrow bags and
//! session ids (`SimHandle::secrets()`, read after the runs so the session
//! ids handed out are included) appear in no output: text, JSON, `-v`,
//! `-vv` and trace logs on stderr, `devices`, and `record` files with and
//! without `--no-redact`. `--redact` and `record` (redacted by default)
//! additionally mask the phones' UDIDs, serial numbers, names, IMEI, ICCID,
//! phone numbers and the home folder.
// The simulator they start is Unix-only.
#![cfg(unix)]

mod reliability_support;

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use reliability_support::{command, run, start_scenario};

/// Scenario, and the flags every probing run gets (trust requested where
/// the host has no record, so that a Pair round trip is in play).
const SCENARIOS: &[(&str, &[&str])] = &[
    // the slow ones first, one per thread
    ("trust_dialog_pending", &["--request-trust"]),
    ("trust_accepted", &["--request-trust"]),
    ("user_denied", &["--request-trust"]),
    ("healthy", &[]),
    ("trust_reset", &[]),
    ("locked", &[]),
    ("no_pair_record", &[]),
    ("two_phones", &[]),
];

/// The scenario with distinctive personal values (the bundled ones name
/// every phone "iPhone", a word every report contains).
fn personal(name: &str) -> iphone_sim::Scenario {
    let mut sc = iphone_sim::Scenario::by_name(name).unwrap();
    for (i, d) in sc.devices.iter_mut().enumerate() {
        let v = &mut d.values;
        v.insert(
            "DeviceName".into(),
            format!("Alice Example's iPhone {i}").into(),
        );
        v.insert("SerialNumber".into(), format!("F2LXQ9Z{i}HG7K").into());
        v.insert(
            "InternationalMobileEquipmentIdentity".into(),
            format!("35678901234567{i}").into(),
        );
        v.insert(
            "IntegratedCircuitCardIdentity".into(),
            format!("890126012345678901{i}").into(),
        );
        v.insert("PhoneNumber".into(), format!("+1 (555) 010-203{i}").into());
    }
    sc
}

/// Identifying values of the scenario's phones that `--redact` must mask.
fn identifiers(sc: &iphone_sim::Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for d in &sc.devices {
        out.push(d.udid.clone());
        for key in [
            "SerialNumber",
            "DeviceName",
            "InternationalMobileEquipmentIdentity",
            "IntegratedCircuitCardIdentity",
            "PhoneNumber",
        ] {
            if let Some(v) = d.values.get(key).and_then(|v| v.as_str()) {
                out.push(v.to_string());
            }
        }
    }
    out
}

/// Each secret, and each long line of it (a PEM could be re-wrapped).
fn needles(secrets: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for s in secrets {
        out.push(s.clone());
        out.extend(
            s.lines()
                .map(str::trim)
                .filter(|l| l.len() >= 24 && !l.starts_with("-----"))
                .map(str::to_string),
        );
    }
    out.sort();
    out.dedup();
    out
}

struct Produced {
    what: String,
    text: String,
    redacted: bool,
}

fn outputs(
    scenario: &str,
    flags: &[&str],
    dir: &Path,
) -> (Vec<Produced>, Vec<String>, Vec<String>) {
    let sc = personal(scenario);
    let ids = identifiers(&sc);
    let sim = start_scenario(sc);
    let home = dir.join("home");
    let backup = home.join("Library/Application Support/MobileSync/Backup");
    std::fs::create_dir_all(&backup).unwrap();
    // Pair needs a generated key (slow in debug builds) and a pending
    // prompt is retried until the deadline: those runs get longer and fewer.
    let asks = flags.contains(&"--request-trust");
    let full = !asks || scenario == "trust_accepted";
    let timeout = if asks { "6" } else { "4" };
    let base = |sub: &str| -> Vec<OsString> {
        let mut a: Vec<OsString> = vec![
            sub.into(),
            "--timeout".into(),
            timeout.into(),
            "--usbmuxd".into(),
        ];
        a.push(sim.address().into());
        a.push("--backup-dir".into());
        a.push(backup.clone().into());
        a.extend(flags.iter().map(OsString::from));
        a
    };
    let mut produced = Vec::new();
    let mut go =
        |what: &str, args: Vec<OsString>, redacted: bool, trace: bool, file: Option<&Path>| {
            let mut cmd = command(args);
            cmd.env("HOME", &home);
            if trace {
                cmd.env("RUST_LOG", "trace");
            }
            let out = run(cmd, Duration::from_secs(25));
            out.assert_sane(what);
            let code = out.code.unwrap();
            assert!(
                code < 3 && (file.is_none() || code == 0),
                "{scenario} {what}: exit {code}\n{}",
                out.stderr
            );
            let what = format!("{scenario} {what}");
            produced.push(Produced {
                what: format!("{what} (stdout)"),
                text: out.stdout,
                redacted,
            });
            produced.push(Produced {
                what: format!("{what} (stderr)"),
                text: out.stderr,
                redacted: false,
            });
            if let Some(f) = file {
                let text =
                    std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{what}: no file: {e}"));
                assert!(text.contains("schema_version"), "{what}: not a snapshot");
                produced.push(Produced {
                    what: format!("{what} (file)"),
                    text,
                    redacted,
                });
            }
        };
    let with = |mut a: Vec<OsString>, extra: &[&str]| {
        a.extend(extra.iter().map(OsString::from));
        a
    };
    if full {
        go("diagnose", base("diagnose"), false, false, None);
        go(
            "diagnose --json",
            with(base("diagnose"), &["--json"]),
            false,
            false,
            None,
        );
        go(
            "diagnose -v",
            with(base("diagnose"), &["-v"]),
            false,
            false,
            None,
        );
        go(
            "diagnose -vv",
            with(base("diagnose"), &["-vv"]),
            false,
            false,
            None,
        );
    }
    go(
        "diagnose -vv RUST_LOG=trace --json",
        with(base("diagnose"), &["-vv", "--json"]),
        false,
        true,
        None,
    );
    if full {
        go(
            "diagnose --redact --json",
            with(base("diagnose"), &["--redact", "--json"]),
            true,
            false,
            None,
        );
        go(
            "diagnose --redact",
            with(base("diagnose"), &["--redact", "-v"]),
            true,
            false,
            None,
        );
        go(
            "devices --json",
            with(base("devices"), &["--json"]),
            false,
            false,
            None,
        );
    }
    let rec = dir.join("record.json");
    let mut a = with(base("record"), &["-vv", "-o"]);
    a.push(rec.clone().into());
    if full {
        go("record", a, true, false, Some(&rec));
    }
    let raw = dir.join("record-raw.json");
    let mut a = with(base("record"), &["--no-redact", "-o"]);
    a.push(raw.clone().into());
    go("record --no-redact", a, false, false, Some(&raw));
    let secrets = sim.handle.secrets();
    (produced, secrets, ids)
}

#[test]
fn no_secret_in_any_output_and_redaction_masks_identifiers() {
    let scratch = tempfile::tempdir().unwrap();
    type Result<'a> = (&'a str, Vec<Produced>, Vec<String>, Vec<String>);
    let results: Vec<Result> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|k| {
                let scratch = scratch.path();
                s.spawn(move || {
                    SCENARIOS
                        .iter()
                        .skip(k)
                        .step_by(3)
                        .map(|(name, flags)| {
                            let dir = scratch.join(name);
                            std::fs::create_dir_all(&dir).unwrap();
                            let (p, secrets, ids) = outputs(name, flags, &dir);
                            (*name, p, secrets, ids)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });

    let mut leaks = Vec::new();
    let mut checked_ids = 0;
    for (scenario, produced, secrets, ids) in &results {
        assert!(
            secrets.len() >= 4 || *scenario == "no_pair_record",
            "{scenario}: the simulator reports {} secrets",
            secrets.len()
        );
        let secret_needles = needles(secrets);
        for p in produced {
            for n in &secret_needles {
                if p.text.contains(n.as_str()) {
                    leaks.push(format!("{}: secret {}...", p.what, &n[..n.len().min(40)]));
                }
            }
            if p.redacted {
                for id in ids {
                    checked_ids += 1;
                    if p.text.contains(id.as_str()) {
                        leaks.push(format!("{}: identifier {id}", p.what));
                    }
                }
                if p.text.contains("/home")
                    || p.text.contains(&scratch.path().display().to_string())
                {
                    leaks.push(format!("{}: home path", p.what));
                }
            }
        }
        // The unredacted outputs do carry the UDID: the masking above is
        // what removes it, not its absence from the probes.
        let udid = &ids[0];
        assert!(
            produced.iter().any(|p| !p.redacted && p.text.contains(udid.as_str())),
            "{scenario}: no unredacted output names {udid}; the redaction check would prove nothing"
        );
    }
    assert!(checked_ids > 0);
    let home = scratch.path().display().to_string();
    assert!(
        results
            .iter()
            .flat_map(|r| &r.1)
            .any(|p| !p.redacted && p.text.contains(&home)),
        "no unredacted output shows the home path; the home check would prove nothing"
    );
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}
