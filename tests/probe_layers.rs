//! The probes' layering: the transport leaf (`src/probe/transport/`) imports
//! no other probe; each service (lockdown, the backup service, the log
//! relay, pairing, usbmuxd) imports only the transport, never another
//! service; only the device orchestrator (`src/probe/device/`) and the
//! probes' entry point (`src/probe/mod.rs`) put services together. So there
//! is no import circle, and the order of the phone's conversations is
//! decided in one place. One crate cannot make the compiler keep this, so
//! this reads the sources.

use std::path::{Path, PathBuf};

/// Modules of `src/probe/` and the other probe modules each may use.
const ALLOWED: &[(&str, &[&str])] = &[
    ("transport", &[]),
    ("lockdown", &["transport"]),
    ("backup_service", &["transport"]),
    ("syslog", &["transport"]),
    ("pairing", &["transport"]),
    ("usbmuxd", &["transport"]),
    (
        "device",
        &[
            "transport",
            "lockdown",
            "backup_service",
            "syslog",
            "pairing",
            "usbmuxd",
        ],
    ),
];

/// Every probe module a source file names, through `crate::probe::x`,
/// `crate::probe::{x, y}` or `super::super::x`.
fn probe_modules_named(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in text.match_indices("crate::probe::") {
        let rest = &text[i + "crate::probe::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items only: `{a, b::{C, D}}` names a and b.
            let (mut depth, mut start) = (0usize, 0usize);
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.push(ident(group[start..j].trim()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(ident(group[start..j].trim()));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
            out.retain(|n| !n.is_empty());
        } else {
            out.push(ident(rest));
        }
    }
    for (i, _) in text.match_indices("super::super::") {
        out.push(ident(&text[i + "super::super::".len()..]));
    }
    out
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable source folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn each_service_uses_only_the_transport_and_only_the_orchestrator_combines_them() {
    let probe = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/probe");
    let mut wrong = Vec::new();
    for (module, allowed) in ALLOWED {
        let dir = probe.join(module);
        assert!(dir.is_dir(), "src/probe/{module}/ is missing");
        for file in rust_files(&dir) {
            let text = std::fs::read_to_string(&file).expect("readable source");
            for used in probe_modules_named(&text) {
                // `Deadline`, re-exported at the probes' root, is the transport's.
                let used = if used == "Deadline" {
                    "transport".to_string()
                } else {
                    used
                };
                if used != *module && !allowed.contains(&used.as_str()) {
                    wrong.push(format!(
                        "{} uses probe::{used}",
                        file.strip_prefix(&probe).unwrap_or(&file).display()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "probe layering broken:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_reader_sees_every_form_of_use() {
    let text = "use crate::probe::{lockdown, transport::{Budget, Deadline}};\n\
                use crate::probe::syslog::Relay;\n\
                use super::super::pairing::probe;";
    assert_eq!(
        probe_modules_named(text),
        ["lockdown", "transport", "syslog", "pairing"]
    );
}
