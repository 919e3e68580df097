//! `idevicebackup2` (and the older `idevicebackup`) output: the phone's
//! backup agent's errors as "ErrorCode N: ..." (MBErrorDomain), the host
//! side's mobilebackup2 codes ("version exchange, error code -1", "Could not
//! receive from mobilebackup2 (-4)"), its own messages ("Device is not ready
//! yet", "timeout while locking for sync", "Failed to generate Info.plist"),
//! and what it says of the phone on the way: "Backup will be encrypted".
//!
//! "Backup Failed (Error Code N)" repeats the ErrorCode line before it and is
//! read only when that line is missing. "Backup Successful." makes what
//! came before it history.

use super::imported::{imported, phone, NOT_IMPORTED};
use super::tool_errors::{number_after, plain, Errors, MAX_LINES, TOOL_NAME_WINDOW};
use super::{lockdown_errors, Capture, Line};
use crate::snapshot::{
    BackupDomain, BackupServiceObs, DeviceObs, LockdownObs, Outcome, Quote, SessionObs, Snapshot,
};

const MB: &str = "mberrordomain";
const MB2: &str = "mobilebackup2";

/// Lines only idevicebackup(2) prints: one of them makes its generic
/// "ERROR: ..." lines worth reading.
const SIGNATURE: &[&str] = &[
    "Backup directory is \"",
    "Started \"com.apple.mobilebackup",
    "Negotiated Protocol Version",
    "Requesting backup from device",
    "idevicebackup",
    // The backup service's first message, as a debug log prints it.
    "<string>DLMessageVersionExchange</string>",
];

/// Its own messages, read as they are.
const MESSAGES: &[&str] = &[
    "Device is not ready yet",
    "timeout while locking for sync",
    "Failed to generate Info.plist",
    "Could not start backup process",
    "Could not lock file",
    "Error: Backup directory",
];

/// What the capture said besides errors.
#[derive(Default)]
struct Facts {
    will_encrypt: Option<bool>,
    /// The line that said so.
    will_encrypt_line: Option<Quote>,
    /// The backup service was started: that needs a trusted session.
    service_started: bool,
    /// The protocol version agreed with the service ("Negotiated Protocol
    /// Version 2.1").
    protocol_version: Option<String>,
}

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let signed = capture
        .lines()
        .take(MAX_LINES)
        .any(|l| SIGNATURE.iter().any(|s| l.text.contains(s)));
    let legacy = capture
        .opening(TOOL_NAME_WINDOW)
        .contains("Started \"com.apple.mobilebackup\" service");
    let tool = if legacy {
        "idevicebackup"
    } else {
        "idevicebackup2"
    };
    let mut errors = Errors::new(capture, tool);
    let mut facts = Facts::default();
    let lines: Vec<Line<'_>> = capture.lines().take(MAX_LINES).collect();
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).copied();
        read(*line, next, signed, &mut errors, &mut facts);
    }
    if errors.list.is_empty() && facts.will_encrypt.is_none() && !signed {
        return None;
    }
    let mut s = imported(
        &format!("{tool} output"),
        &capture.name,
        Some(format!("{} errors read", errors.list.len())),
    );
    s.probes.reported_errors = errors.list;
    if facts.will_encrypt.is_some() || facts.service_started {
        s.probes.devices.push(phone_seen(&facts));
    }
    Some(s)
}

/// The phone as the capture shows it: unnamed, in a session when the
/// backup service answered.
fn phone_seen(facts: &Facts) -> DeviceObs {
    let lockdown = LockdownObs {
        session: if facts.service_started {
            SessionObs::Trusted
        } else {
            SessionObs::NotAttempted
        },
        backup: facts.will_encrypt.map(|w| BackupDomain {
            will_encrypt: Some(w),
            ..Default::default()
        }),
        quotes: facts
            .will_encrypt_line
            .iter()
            .map(|q| ("WillEncrypt".to_string(), q.clone()))
            .collect(),
        ..Default::default()
    };
    DeviceObs {
        lockdown: Outcome::Ok {
            duration_ms: 0,
            value: lockdown,
        },
        backup_service: match &facts.protocol_version {
            Some(v) => Outcome::Ok {
                duration_ms: 0,
                value: BackupServiceObs {
                    protocol_version: Some(v.clone()),
                    ..Default::default()
                },
            },
            None => Outcome::skipped(NOT_IMPORTED),
        },
        ..phone()
    }
}

fn read(
    line: Line<'_>,
    next: Option<Line<'_>>,
    signed: bool,
    errors: &mut Errors<'_>,
    facts: &mut Facts,
) {
    let t = plain(line.text);
    if let Some(at) = t.find("ErrorCode ") {
        let rest = t.get(at..).unwrap_or(t);
        let Some(code) = number_after(rest, "ErrorCode ") else {
            return;
        };
        let mut message = rest.split_once(": ").map_or(rest, |(_, m)| m).to_string();
        // A long message wrapped onto an indented next line.
        if let Some(n) = next.filter(|n| n.text.starts_with(' ') && !n.text.trim().is_empty()) {
            message.push(' ');
            message.push_str(n.text.trim());
        }
        errors.push(line, Some(MB), Some(code), &message);
        return;
    }
    if let Some(code) = number_after(t, "Backup Failed (Error Code ") {
        if !errors.has_code(MB, code) {
            errors.push(line, Some(MB), Some(code), t);
        }
        return;
    }
    for marker in [
        "Could not perform backup protocol version exchange, error code ",
        "Could not receive from mobilebackup2 ",
    ] {
        if let Some(code) = number_after(t, marker) {
            let from = t.find(marker).and_then(|at| t.get(at..)).unwrap_or(t);
            errors.push(line, Some(MB2), Some(code), from);
            return;
        }
    }
    if let Some(at) = t.find("Received an error message from device: ") {
        let message = t.get(at..).unwrap_or(t);
        let code = number_after(message, "MBErrorDomain/");
        errors.push(line, code.map(|_| MB), code, message);
        return;
    }
    if t.contains("Assertion") && t.contains("failed") && t.contains("idevicebackup") {
        errors.push(line, None, None, t);
        return;
    }
    if let Some(m) = MESSAGES.iter().find(|m| t.contains(*m)) {
        let from = t.find(m).and_then(|at| t.get(at..)).unwrap_or(t);
        errors.push(line, None, None, from);
        return;
    }
    match t {
        "Backup will be encrypted." | "Backup will be unencrypted." => {
            facts.will_encrypt = Some(t == "Backup will be encrypted.");
            facts.will_encrypt_line = Some(errors.quote(line));
        }
        "Backup Successful." | "Restore Successful." => errors.succeeded(line),
        // The service starts only in a trusted session.
        _ if t.starts_with("Started \"com.apple.mobilebackup") => facts.service_started = true,
        _ if t.starts_with("Negotiated Protocol Version ") => {
            facts.service_started = true;
            let v = t.strip_prefix("Negotiated Protocol Version ").unwrap_or("");
            let v: String = v.chars().take(16).collect();
            facts.protocol_version = Some(v);
        }
        _ if signed && t.starts_with("ERROR: ") && !lockdown_errors::claims(t) => {
            errors.push(line, None, None, t);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<Snapshot> {
        import(&Capture::new("paste.txt", text.as_bytes()))
    }

    #[test]
    fn error_codes_with_their_domain_and_a_wrapped_message() {
        let s = read("Backup directory is \"tmp\"\nErrorCode 103: Error reading status (MBErrorDomain/103). Underlying error: Multi status at\n path \"x/Status.plist\" (MBErrorDomain/1).\nBackup Failed (Error Code 103).\n").unwrap();
        let e = &s.probes.reported_errors;
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].domain.as_deref(), e[0].code), (Some(MB), Some(103)));
        assert!(
            e[0].message.ends_with("(MBErrorDomain/1)."),
            "{}",
            e[0].message
        );
        assert_eq!(e[0].quote.line, 2);
        let s =
            read("Could not perform backup protocol version exchange, error code -1\n").unwrap();
        assert_eq!(s.probes.reported_errors[0].domain.as_deref(), Some(MB2));
        assert_eq!(s.probes.reported_errors[0].code, Some(-1));
    }

    #[test]
    fn a_healthy_start_says_the_backup_is_encrypted_and_blocks_nothing() {
        let s = read("Backup directory is \"b\"\nStarted \"com.apple.mobilebackup2\" service on port 1.\nNegotiated Protocol Version 2.1\nBackup will be encrypted.\nIncremental backup mode.\n").unwrap();
        assert!(s.probes.reported_errors.is_empty());
        assert_eq!(s.probes.devices[0].will_encrypt(), Some(true));
        let d = crate::rules::diagnose(&s, None);
        assert!(
            d.findings
                .iter()
                .all(|f| f.severity < crate::rules::Severity::Blocker),
            "{:?}",
            d.findings
        );
    }

    #[test]
    fn its_own_messages_the_phones_messages_and_a_success() {
        let s = read("Backup directory is \"b\"\nERROR: timeout while locking for sync\n").unwrap();
        let e = &s.probes.reported_errors[0];
        assert_eq!(
            (e.message.as_str(), e.domain.as_deref()),
            ("timeout while locking for sync", None)
        );
        let s = read("Received an error message from device: Device locked (MBErrorDomain/208)\n")
            .unwrap();
        let e = &s.probes.reported_errors[0];
        assert_eq!((e.domain.as_deref(), e.code), (Some(MB), Some(208)));
        let s = read("Backup directory is \"b\"\nDevice is not ready yet\nDevice is not ready yet\nReceived 12 files from device.\nBackup Successful.\n").unwrap();
        let e = &s.probes.reported_errors;
        assert_eq!(e.len(), 1, "repeats fold");
        assert_eq!(e[0].overcome.as_ref().map(|q| q.line), Some(5));
    }

    #[test]
    fn hostile_input_reads_nothing_or_stays_bounded() {
        assert!(read("").is_none());
        assert!(read("hello\nworld\n").is_none());
        assert!(read("\u{0}\u{ff}\u{1}").is_none());
        let long = format!("ErrorCode {}: x\n", "1".repeat(100_000));
        assert!(read(&long).is_none());
        let long = format!("ErrorCode 105: {}\n", "é".repeat(100_000));
        let s = read(&long).unwrap();
        assert!(s.probes.reported_errors[0].message.chars().count() <= 600);
        assert!(read("ErrorCode ").is_none());
        assert!(read("Could not receive from mobilebackup2 (").is_none());
    }
}
