//! The command line as a user meets it: exit statuses, bad input, record and
//! replay, colour.

use assert_cmd::Command;

fn bin() -> Command {
    let mut c = Command::cargo_bin("iphone-backup-check").unwrap();
    c.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("USBMUXD_SOCKET_ADDRESS");
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = bin().args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

fn one_line(s: &str) -> bool {
    s.trim_end().lines().count() == 1
}

#[test]
fn bad_argument_exits_3_with_clap_s_own_words() {
    let r = run(&["diagnose", "--no-such-flag"]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("--no-such-flag"), "{}", r.stderr);
    assert!(
        r.stderr.contains("Usage: iphone-backup-check diagnose"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    for args in [
        &["frobnicate"][..],
        &["diagnose", "--timeout", "0"],
        &["diagnose", "--color", "pink"],
    ] {
        assert_eq!(run(args).code, 3, "{args:?}");
    }
    // A near miss gets clap's suggestion; a missing argument is named.
    let typo = run(&["diagnos"]);
    assert_eq!(typo.code, 3);
    assert!(
        typo.stderr
            .contains("similar subcommand exists: 'diagnose'"),
        "{}",
        typo.stderr
    );
    let missing = run(&["explain"]);
    assert_eq!(missing.code, 3);
    assert!(missing.stderr.contains("<TOPIC>"), "{}", missing.stderr);
    let values = run(&["diagnose", "--color", "pink"]);
    assert!(
        values.stderr.contains("possible values"),
        "{}",
        values.stderr
    );
}

#[test]
fn bare_invocation_prints_the_short_help_with_examples() {
    let r = run(&[]);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(all.contains("Usage: iphone-backup-check"), "{all}");
    assert!(
        all.contains("diagnose") && all.contains("Examples:"),
        "{all}"
    );
    for cmd in [
        "diagnose", "record", "devices", "rules", "explain", "watch", "man",
    ] {
        let help = run(&[cmd, "--help"]);
        assert_eq!(help.code, 0, "{cmd}");
        assert!(
            help.stdout.contains("Examples:"),
            "{cmd} --help has no examples"
        );
    }
    assert!(run(&["devices", "--help"])
        .stdout
        .contains("Exit status of devices"));
}

#[test]
fn help_and_version_exit_0_and_help_documents_exit_statuses() {
    let r = run(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("130") && r.stdout.contains("at least one blocker"));
    assert_eq!(run(&["diagnose", "--help"]).code, 0);
    assert!(run(&["--version"])
        .stdout
        .starts_with("iphone-backup-check "));
}

#[test]
fn unusable_from_files_exit_3_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("truncated.json");
    let full = std::fs::read_to_string("fixtures/linux-stale-socket.json").unwrap();
    std::fs::write(&truncated, &full[..full.len() / 2]).unwrap();
    let not_json = dir.path().join("photo.jpg");
    std::fs::write(&not_json, [0xff, 0xd8, 0xff, 0xe0, 0, 0x10]).unwrap();
    let newer = dir.path().join("newer.json");
    std::fs::write(&newer, r#"{"schema_version": 2}"#).unwrap();
    let cases = [
        (dir.path().join("missing.json"), "cannot read"),
        (truncated, "not a valid snapshot"),
        (not_json, "nothing in it is recognised"),
        (newer, "upgrade"),
        (dir.path().to_path_buf(), "folder"),
    ];
    for (path, says) in cases {
        let r = run(&["diagnose", "--from", path.to_str().unwrap()]);
        assert_eq!(r.code, 3, "{}", path.display());
        assert!(one_line(&r.stderr), "{}: {}", path.display(), r.stderr);
        assert!(r.stderr.contains(says), "{}: {}", path.display(), r.stderr);
        assert!(r.stdout.is_empty());
    }
}

#[test]
fn no_daemon_no_usb_ranks_not_running_first_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(&[
        "diagnose",
        "--usbmuxd",
        "UNIX:/nonexistent/usbmuxd",
        "--backup-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    // The first finding's heading: its title, then its id (on the next line
    // when the title leaves no room at 80 columns).
    let first: Vec<&str> = r
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("1 "))
        .take(2)
        .collect();
    assert!(
        first.join(" ").contains("usbmuxd.not-running"),
        "{}",
        r.stdout
    );
    if !std::path::Path::new("/dev/bus/usb").exists() {
        // The CI machines have no USB bus at all: that must be reported, not crash.
        assert!(r.stdout.contains("usb.unavailable"), "{}", r.stdout);
    }
}

#[test]
fn record_then_replay_gives_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    let backup = dir.path().join("Backup");
    std::fs::create_dir(&backup).unwrap();
    let common = [
        "--usbmuxd",
        "/nonexistent/usbmuxd",
        "--backup-dir",
        backup.to_str().unwrap(),
    ];
    let r = run(&[&["record", "-o", snap.to_str().unwrap()][..], &common].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let live = run(&[&["diagnose", "--json"][..], &common].concat());
    let replay = run(&["diagnose", "--json", "--from", snap.to_str().unwrap()]);
    let ids = |s: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(s).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&live.stdout), ids(&replay.stdout));
    assert_eq!(live.code, replay.code);
    let recorded: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&snap).unwrap()).unwrap();
    assert_eq!(recorded["provenance"]["kind"], "recorded");
    assert_eq!(recorded["provenance"]["redacted"], true);
}

#[test]
fn record_to_an_unwritable_place_exits_3() {
    let r = run(&[
        "record",
        "--usbmuxd",
        "/nonexistent/usbmuxd",
        "-o",
        "/nonexistent/dir/snap.json",
    ]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("cannot write"), "{}", r.stderr);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let f = "fixtures/linux-stale-socket.json";
    let plain = run(&["diagnose", "--from", f]);
    assert!(!plain.stdout.contains('\u{1b}'));
    let forced = run(&["diagnose", "--color", "always", "--from", f]);
    assert!(forced.stdout.contains("\u{1b}["));
    let out = bin()
        .args(["diagnose", "--from", f])
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains('\u{1b}'),
        "NO_COLOR wins over CLICOLOR_FORCE"
    );
}

#[test]
fn quiet_prints_ids_only() {
    let r = run(&[
        "diagnose",
        "-q",
        "--from",
        "fixtures/linux-stale-socket.json",
    ]);
    assert_eq!(r.code, 2);
    assert!(r
        .stdout
        .lines()
        .next()
        .unwrap()
        .contains("usbmuxd.stale-socket"));
    assert!(!r.stdout.contains("Fix"));
}

#[test]
fn explain_answers_ids_codes_and_messages_and_refuses_nonsense() {
    let page = run(&["explain", "usbmuxd.stale-socket"]).stdout;
    assert!(
        page.contains("What it means") && !page.contains("## "),
        "{page}"
    );
    assert!(run(&["explain", "--markdown", "usbmuxd.stale-socket"])
        .stdout
        .contains("## What it means"));
    assert!(run(&["explain", "0xE8000084"])
        .stdout
        .contains("0xE8000084"));
    let r = run(&["explain", "--json", "MBErrorDomain", "208"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["matches"][0]["key"], "mb-208-device-locked");
    let r = run(&["explain", "qqq-not-a-thing"]);
    assert_eq!(r.code, 3);
    assert!(one_line(&r.stderr));
}

#[test]
fn explain_takes_negative_codes_as_topics_not_options() {
    // `--help` shows `-402620383` as a topic; clap would read it as a flag.
    let r = run(&["explain", "-402620383"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("free developer profile"), "{}", r.stdout);
    let r = run(&["explain", "-19"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Pairing dialog response pending"));
    // Options still work on either side of a negative topic.
    for args in [["explain", "-19", "--json"], ["explain", "--json", "-19"]] {
        let r = run(&args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(
            v["matches"][0]["key"], "lockdown-pairing-pending",
            "{args:?}"
        );
    }
    // A word after a dash is still an unknown option.
    let r = run(&["explain", "-bogus"]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("unexpected argument"), "{}", r.stderr);
}

#[test]
fn bad_usbmuxd_address_exits_3() {
    let r = run(&["diagnose", "--usbmuxd", "host:notaport"]);
    assert_eq!(r.code, 3);
    assert!(one_line(&r.stderr), "{}", r.stderr);
    let out = bin()
        .args(["diagnose"])
        .env("USBMUXD_SOCKET_ADDRESS", "UNIX:")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("USBMUXD_SOCKET_ADDRESS"));
}

#[test]
fn completions_and_man_page_are_generated() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef iphone-backup-check"),
        ("fish", "complete -c iphone-backup-check"),
    ] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}");
        assert!(
            r.stdout.contains(marker),
            "{shell} completion lacks {marker}"
        );
        assert!(
            r.stdout.contains("diagnose"),
            "{shell} completion lacks the subcommands"
        );
    }
    let man = run(&["man"]);
    assert_eq!(man.code, 0);
    assert!(man.stdout.contains(".TH iphone-backup-check 1") && man.stdout.contains("diagnose"));
    // One page per command, with every option of that command.
    let diagnose = run(&["man", "diagnose"]);
    assert_eq!(diagnose.code, 0);
    for option in [
        "udid",
        "backup\\-dir",
        "usbmuxd",
        "timeout",
        "from",
        "redact",
        "json",
        "request\\-trust",
    ] {
        assert!(
            diagnose.stdout.contains(&format!("\\-\\-{option}")),
            "man diagnose lacks --{option}"
        );
    }
    assert_eq!(run(&["man", "nosuch"]).code, 3);
    let dir = tempfile::tempdir().unwrap();
    let all = run(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    for page in [
        "iphone-backup-check.1",
        "iphone-backup-check-diagnose.1",
        "iphone-backup-check-watch.1",
    ] {
        assert!(dir.path().join(page).is_file(), "{page} not written");
    }
}

#[test]
fn redact_masks_the_home_folder() {
    let home = tempfile::tempdir().unwrap();
    let backup = home.path().join("Backup");
    std::fs::create_dir(&backup).unwrap();
    let out = bin()
        .env("HOME", home.path())
        .args([
            "diagnose",
            "--json",
            "--redact",
            "--usbmuxd",
            "/nonexistent/usbmuxd",
            "--backup-dir",
        ])
        .arg(&backup)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains(home.path().to_str().unwrap()),
        "home path leaked: {text}"
    );
    assert!(text.contains("~/Backup"));
}

/// A fixture with one probe changed, written to a temporary file.
fn edited_fixture(
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> tempfile::NamedTempFile {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("fixtures/{name}")).unwrap())
            .unwrap();
    edit(&mut v);
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), serde_json::to_vec(&v).unwrap()).unwrap();
    f
}

#[test]
fn a_udid_no_phone_has_is_never_ready() {
    // The connected phone is blocked; a typo in --udid must not pass.
    let r = run(&[
        "diagnose",
        "--from",
        "fixtures/device-trust-reset.json",
        "--udid",
        "x",
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("The iPhone you named is not connected (x)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("connected: "), "{}", r.stdout);
    let healthy = run(&[
        "diagnose",
        "--from",
        "fixtures/device-healthy.json",
        "--udid",
        "x",
        "--json",
    ]);
    assert_eq!(healthy.code, 2);
    let v: serde_json::Value = serde_json::from_str(&healthy.stdout).unwrap();
    assert_eq!(v["verdict"], "blocked");
    assert_eq!(v["findings"][0]["id"], "usb.no-device");
}

#[test]
fn a_phone_out_of_time_is_incomplete_not_ready() {
    let f = edited_fixture("device-healthy.json", |v| {
        v["probes"]["devices"][0]["backup_service"] = serde_json::json!({
            "status": "failed",
            "duration_ms": 10000,
            "failure": {"kind": "timed-out", "message": "no answer before the deadline"}
        });
    });
    let r = run(&["diagnose", "--from", f.path().to_str().unwrap()]);
    assert_eq!(r.code, 4, "{}", r.stdout);
    assert!(r.stdout.starts_with("? Not finished"), "{}", r.stdout);
    assert!(
        r.stdout.contains("the backup service of iPhone"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("Ready"), "{}", r.stdout);
    let j = run(&["diagnose", "--json", "--from", f.path().to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(
        (v["verdict"].as_str(), v["exit_code"].as_u64()),
        (Some("incomplete"), Some(4))
    );
    assert!(v["not_checked"][0]["what"]
        .as_str()
        .unwrap()
        .contains("backup service"));
}

#[test]
fn a_healthy_phone_exits_0_and_names_the_phone() {
    let r = run(&["diagnose", "--from", "fixtures/device-healthy.json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.starts_with("✓ Ready"), "{}", r.stdout);
    assert!(r.stdout.contains("(iPhone X)"), "{}", r.stdout);
    let j = run(&[
        "diagnose",
        "--json",
        "--from",
        "fixtures/device-healthy.json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["devices"][0]["model"], "iPhone X");
    assert!(v["devices"][0]["name"].is_string());
}
