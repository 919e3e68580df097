//! Every real capture of `fixtures/realdata/`, re-shaped the ways people
//! paste text (quoted with `> `, indented, CRLF, fenced with prose around
//! it, trailing blanks, CI-stamped; logs as the journal and syslog print
//! them), must keep the diagnosis the file itself gets. Prints one table
//! row per shape; fails below 98 % of (capture × shape) kept.

use iphone_backup_check::import::{import, Capture};
use iphone_backup_check::rules::diagnose;

/// A shape: its name, whether it applies to a capture (by file name), and
/// the re-shaped text.
type Shape = (&'static str, fn(&str) -> bool, fn(&str) -> String);

fn any(_: &str) -> bool {
    true
}

/// Logs whose lines a journal or syslog would carry: usbmuxd's and the
/// kernel's.
fn is_log(name: &str) -> bool {
    name.starts_with("usbmuxd") || name.starts_with("dmesg") || name.starts_with("kernel")
}

fn each_line(text: &str, f: impl Fn(&str) -> String) -> String {
    text.lines().map(|l| f(l) + "\n").collect()
}

/// usbmuxd's `[HH:MM:SS.mmm][N] message` as its syslog mode prints it
/// (`[N] message`, no clock of its own) and the clock it had.
fn syslog_mode(line: &str) -> (String, String) {
    let b = line.as_bytes();
    if b.len() > 14 && b[0] == b'[' && line[1..].find("][").is_some_and(|i| i <= 12) {
        let close = line[1..].find("][").unwrap() + 1;
        let clock = &line[1..close];
        let hms = clock.split('.').next().unwrap_or("00:00:00");
        let hms = if hms.len() == 7 {
            format!("0{hms}")
        } else {
            hms.to_string()
        };
        return (line[close + 1..].to_string(), hms);
    }
    (line.to_string(), "14:38:24".to_string())
}

fn tag(name: &str) -> &'static str {
    if name.starts_with("usbmuxd") {
        "usbmuxd[3292]"
    } else {
        "kernel"
    }
}

const SHAPES: &[Shape] = &[
    ("> quoted", any, |t| each_line(t, |l| format!("> {l}"))),
    ("4-space indented", any, |t| {
        each_line(t, |l| format!("    {l}"))
    }),
    ("CRLF", any, |t| t.replace('\n', "\r\n")),
    ("fenced with prose", any, |t| {
        format!("I get this when I run the backup:\n\n```text\n{t}\n```\n\nAny idea what is wrong? Thanks!\n")
    }),
    ("trailing blanks", any, |t| format!("{t}\n\n   \n\t\n")),
    ("CI-stamped", any, |t| {
        each_line(t, |l| format!("2024-03-19T08:11:50.1234567Z {l}"))
    }),
    ("journal short", is_log, |t| t.to_string()),
    ("journal short-iso", is_log, |t| t.to_string()),
];

/// The journal shapes need the capture's name (usbmuxd or kernel), so they
/// are applied here.
fn reshape(shape: &str, name: &str, text: &str, f: fn(&str) -> String) -> String {
    let t = tag(name);
    match shape {
        "journal short" => each_line(text, |l| {
            let (m, hms) = syslog_mode(l);
            format!("Dec  5 {hms} host {t}: {m}")
        }),
        "journal short-iso" => each_line(text, |l| {
            let (m, hms) = syslog_mode(l);
            format!("2026-12-05T{hms}+0100 host {t}: {m}")
        }),
        _ => f(text),
    }
}

/// The first finding's id, or "(nothing read)" / "(no finding)".
fn first(name: &str, bytes: &[u8]) -> String {
    let capture = Capture::new(name, bytes);
    match import(&capture) {
        None => "(nothing read)".into(),
        Some(s) => diagnose(&s, None)
            .findings
            .first()
            .map_or("(no finding)".into(), |f| f.id.to_string()),
    }
}

#[test]
fn every_capture_keeps_its_diagnosis_however_it_is_pasted() {
    let mut files: Vec<_> = std::fs::read_dir("fixtures/realdata")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md" && !n.ends_with(".bplist") && !n.ends_with(".png"))
        .collect();
    files.sort();
    let mut total = (0, 0);
    let mut lost = Vec::new();
    println!("{:<20} {:>6} {:>6}", "shape", "kept", "of");
    for (shape, applies, f) in SHAPES {
        let (mut kept, mut of) = (0, 0);
        for name in files.iter().filter(|n| applies(n)) {
            let bytes = std::fs::read(format!("fixtures/realdata/{name}")).unwrap();
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            let want = first(name, &bytes);
            let shaped = reshape(shape, name, text, *f);
            let got = first(name, shaped.as_bytes());
            of += 1;
            if got == want {
                kept += 1;
            } else {
                lost.push(format!("{shape}: {name}: {want} became {got}"));
            }
        }
        println!("{shape:<20} {kept:>6} {of:>6}");
        total = (total.0 + kept, total.1 + of);
    }
    println!("{:<20} {:>6} {:>6}", "all", total.0, total.1);
    for l in &lost {
        println!("  lost: {l}");
    }
    assert!(total.1 > 0);
    assert!(
        total.0 * 100 >= total.1 * 98,
        "{} of {} kept their diagnosis (98 % needed):\n{}",
        total.0,
        total.1,
        lost.join("\n")
    );
}
