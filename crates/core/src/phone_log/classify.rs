//! Which log lines belong to a backup, and what each says.
//!
//! The wordings come from public captures of BackupAgent2:
//! iOS 5 (`INFO: Uploaded 61 files of 5.0 MB in 0.872 s at 5.72 MB/s`,
//! `WARNING: Finished backup in 2.873 s`), iOS 13
//! (<https://github.com/libimobiledevice/libimobiledevice/issues/881>:
//! `Finished scanning domain …`) and iOS 16
//! (<https://github.com/libimobiledevice/libimobiledevice/issues/1384>:
//! `uploadSize:…, uploadFileCount:…`, `Free disk space on drive: …`,
//! `Need extra space on host: N. Requesting host to purge now`). No public
//! capture shows the lines about the passcode prompt or the sync lock, so
//! those are matched by their key words (an inference, kept narrow: the
//! words must appear together).

use super::line::LogLine;
use crate::snapshot::BackupEvent;

/// Processes whose every line is about a backup.
const BACKUP_PROCESSES: &[&str] = &["BackupAgent2", "BackupAgent", "backupd", "MobileBackup"];
/// The longest description kept from a failure line.
const MAX_DESCRIPTION: usize = 200;

/// A line of a backup process, or one about the backup from elsewhere (a
/// crash report for BackupAgent2, the sync lock, the passcode prompt).
pub fn is_backup_line(l: &LogLine<'_>) -> bool {
    if BACKUP_PROCESSES.contains(&l.process) {
        return true;
    }
    let m = l.message;
    if l.process == "ReportCrash" {
        return m.contains("BackupAgent");
    }
    // Most lines of other processes mention neither: skip the lower-casing.
    let maybe = ["ock", "OCK", "asscode", "ASSCODE", "LocalAuthentication"]
        .iter()
        .any(|w| m.contains(w));
    maybe && (about_sync_lock(m) || about_passcode_for_backup(m))
}

/// The event a backup line reports, if any (most lines report none).
pub fn classify(l: &LogLine<'_>) -> Option<BackupEvent> {
    let m = strip_prefix(l.message);
    if let Some(e) = failure(m) {
        return Some(e);
    }
    if m.contains("Terminating app due to uncaught exception")
        || (l.process == "ReportCrash" && m.contains("BackupAgent"))
    {
        return Some(BackupEvent::Crashed);
    }
    if about_passcode_for_backup(m) || (is_backup_process(l) && about_passcode(m)) {
        return Some(BackupEvent::PasscodeWaiting);
    }
    if about_sync_lock(m) {
        return Some(BackupEvent::SyncLockHeld);
    }
    if let Some(rest) = m.strip_prefix("Need extra space on host:") {
        let extra_bytes = first_number(rest)?;
        return Some(BackupEvent::NeedsHostSpace {
            extra_bytes,
            host_free_bytes: None,
            upload_bytes: None,
        });
    }
    if let Some(rest) = m.strip_prefix("Free disk space on drive:") {
        return Some(BackupEvent::HostFreeSpace {
            bytes: first_number(rest)?,
        });
    }
    if let Some(rest) = m.strip_prefix("uploadSize:") {
        let files = rest
            .split_once("uploadFileCount:")
            .and_then(|(_, f)| first_number(f));
        return Some(BackupEvent::Preflight {
            upload_bytes: first_number(rest),
            upload_files: files,
        });
    }
    if m.starts_with("Starting to prepare for preflight") {
        return Some(BackupEvent::Preflight {
            upload_bytes: None,
            upload_files: None,
        });
    }
    if m.starts_with("Starting backup") {
        return Some(BackupEvent::Started { full: None });
    }
    if m.starts_with("Finished backup") {
        return Some(BackupEvent::Finished {
            seconds: seconds_after(m, " in "),
        });
    }
    let lower = m.to_ascii_lowercase();
    if lower.starts_with("performing a full backup") || lower.starts_with("starting full backup") {
        return Some(BackupEvent::Kind { full: true });
    }
    if lower.starts_with("performing an incremental backup")
        || lower.starts_with("starting incremental backup")
    {
        return Some(BackupEvent::Kind { full: false });
    }
    if m.starts_with("Scanned in") {
        return Some(BackupEvent::Scanning {
            seconds: seconds_after(m, " in "),
        });
    }
    if m.starts_with("Finished scanning domain") || m.starts_with("Starting to scan") {
        return Some(BackupEvent::Scanning { seconds: None });
    }
    if let Some(rest) = m.strip_prefix("Uploaded ") {
        return Some(uploaded(rest));
    }
    if m.starts_with("Starting to upload") || m.starts_with("Finished uploading") {
        return Some(BackupEvent::Uploading {
            files: None,
            bytes: None,
            rate: None,
        });
    }
    if let Some(rest) = m.strip_prefix("Moved ") {
        return Some(BackupEvent::Moving {
            files: first_number(rest),
        });
    }
    if m.starts_with("Starting to move") {
        return Some(BackupEvent::Moving { files: None });
    }
    if let Some(rest) = m.strip_prefix("Retrying backup") {
        let attempt = rest
            .split_once("attempt ")
            .and_then(|(_, r)| first_number(r));
        let of = rest.split_once(" of ").and_then(|(_, r)| first_number(r));
        return Some(BackupEvent::Retrying { attempt, of });
    }
    None
}

fn is_backup_process(l: &LogLine<'_>) -> bool {
    BACKUP_PROCESSES.contains(&l.process)
}

/// iOS 5 prefixes its messages with a level word.
fn strip_prefix(m: &str) -> &str {
    for p in ["INFO: ", "WARNING: ", "ERROR: ", "DEBUG: "] {
        if let Some(r) = m.strip_prefix(p) {
            return r;
        }
    }
    m
}

/// A failure with an MBErrorDomain code ("… (MBErrorDomain/105)",
/// "Error Domain=MBErrorDomain Code=208 …"), or the agent saying the backup failed.
fn failure(m: &str) -> Option<BackupEvent> {
    if let Some(pos) = m.find("MBErrorDomain") {
        let after = &m[pos + "MBErrorDomain".len()..];
        let code = after
            .strip_prefix('/')
            .or_else(|| after.strip_prefix(':'))
            .or_else(|| {
                after
                    .strip_prefix(' ')
                    .and_then(|a| a.strip_prefix("Code="))
            })
            .and_then(signed_number);
        return Some(BackupEvent::Failed {
            code,
            description: mask(m),
        });
    }
    let lower = m.to_ascii_lowercase();
    if lower.starts_with("backup failed") || lower.starts_with("failed backup") {
        return Some(BackupEvent::Failed {
            code: None,
            description: mask(m),
        });
    }
    None
}

fn about_sync_lock(m: &str) -> bool {
    let l = m.to_ascii_lowercase();
    let names_lock = l.contains("lock_sync") || l.contains("sync lock") || l.contains("synclock");
    names_lock
        && ["held", "another", "busy", "could not", "unable", "failed"]
            .iter()
            .any(|w| l.contains(w))
}

fn about_passcode(m: &str) -> bool {
    let l = m.to_ascii_lowercase();
    !l.contains("passcodeset=")
        && l.contains("passcode")
        && ["wait", "prompt", "enter", "presented", "required"]
            .iter()
            .any(|w| l.contains(w))
}

/// A passcode line from any process that names the backup.
fn about_passcode_for_backup(m: &str) -> bool {
    m.contains("com.apple.LocalAuthentication.ui.presented")
        || (about_passcode(m) && m.to_ascii_lowercase().contains("backup"))
}

/// "61 files of 5.0 MB in 0.872 s at 5.72 MB/s".
fn uploaded(rest: &str) -> BackupEvent {
    let files = first_number(rest);
    let bytes = rest.split_once(" of ").and_then(|(_, r)| size(r));
    let rate = rest.split_once(" at ").map(|(_, r)| {
        r.trim()
            .chars()
            .take(24)
            .filter(|c| c.is_ascii_alphanumeric() || "./ ".contains(*c))
            .collect::<String>()
    });
    BackupEvent::Uploading { files, bytes, rate }
}

/// "5.0 MB …" in bytes (decimal units, as the agent prints them).
fn size(s: &str) -> Option<u64> {
    let mut it = s.split_whitespace();
    let n: f64 = it.next()?.parse().ok()?;
    let unit = match it.next()? {
        "B" => 1.0,
        "KB" | "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        _ => return None,
    };
    let v = n * unit;
    (0.0..1e19).contains(&v).then_some(v as u64)
}

fn seconds_after(m: &str, marker: &str) -> Option<f64> {
    let (_, rest) = m.split_once(marker)?;
    let v: f64 = rest.split_whitespace().next()?.parse().ok()?;
    v.is_finite().then_some(v)
}

/// The first run of digits, as a number.
fn first_number(s: &str) -> Option<u64> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let digits: String = s[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .take(19)
        .collect();
    digits.parse().ok()
}

fn signed_number(s: &str) -> Option<i64> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let digits: String = rest
        .chars()
        .take_while(char::is_ascii_digit)
        .take(12)
        .collect();
    let n: i64 = digits.parse().ok()?;
    Some(if neg { -n } else { n })
}

/// Keeps a failure's wording without what identifies the person: paths,
/// e-mail addresses and long hex identifiers are masked, the rest cut.
pub fn mask(m: &str) -> String {
    let words: Vec<String> = m
        .split_whitespace()
        .map(|w| {
            let bare = w.trim_matches(|c: char| "'\"(),;<>".contains(c));
            if bare.starts_with('/') || bare.starts_with("~/") {
                "<path>".to_string()
            } else if bare.contains('@') {
                "<address>".to_string()
            } else if bare.len() >= 24 && bare.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
                "<id>".to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    let joined = words.join(" ");
    let mut out: String = joined.chars().take(MAX_DESCRIPTION).collect();
    if joined.chars().count() > MAX_DESCRIPTION {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone_log::line::parse;

    fn event(text: &str) -> Option<BackupEvent> {
        classify(&parse(text).expect("a line"))
    }

    #[test]
    fn need_extra_space_and_free_space() {
        assert_eq!(
            event("Nov 30 05:33:32 BackupAgent2[4308] <Notice>: Need extra space on host: 12265029274. Requesting host to purge now"),
            Some(BackupEvent::NeedsHostSpace { extra_bytes: 12_265_029_274, host_free_bytes: None, upload_bytes: None })
        );
        assert_eq!(
            event("Nov 30 05:33:32 BackupAgent2[4308] <Notice>: Free disk space on drive: 4664553472 (4.66 GB)"),
            Some(BackupEvent::HostFreeSpace { bytes: 4_664_553_472 })
        );
        assert_eq!(
            event("Nov 30 05:33:32 BackupAgent2[4308] <Notice>: uploadSize:16795365018(16795365018), uploadFileCount:28691"),
            Some(BackupEvent::Preflight { upload_bytes: Some(16_795_365_018), upload_files: Some(28_691) })
        );
    }

    #[test]
    fn ios5_phases() {
        assert_eq!(
            event("Jan 21 02:17:35 unknown BackupAgent2[142] <Warning>: INFO: Uploaded 61 files of 5.0 MB in 0.872 s at 5.72 MB/s"),
            Some(BackupEvent::Uploading { files: Some(61), bytes: Some(5_000_000), rate: Some("5.72 MB/s".into()) })
        );
        assert_eq!(
            event("Jan 21 02:17:37 unknown BackupAgent2[142] <Warning>: WARNING: Finished backup in 2.873 s"),
            Some(BackupEvent::Finished { seconds: Some(2.873) })
        );
        assert_eq!(
            event("Jan 21 02:17:34 unknown BackupAgent2[142] <Warning>: INFO: Performing a full backup"),
            Some(BackupEvent::Kind { full: true })
        );
        // The restore that follows is not a backup starting.
        assert_eq!(
            event("Jan 21 02:17:37 unknown BackupAgent2[143] <Warning>: WARNING: Starting restore from 9a7e9e4fb4b12c97fe3cb1f2a903608f355642de"),
            None
        );
        // MBDriveProperties' passcodeSet is not a prompt.
        assert_eq!(
            event("Jan 21 02:17:37 unknown BackupAgent2[143] <Warning>: INFO: Backup properties: <MBDriveProperties: passcodeSet=0, entered>"),
            None
        );
    }

    #[test]
    fn failures_keep_the_code_and_mask_paths() {
        let e = event("Nov 30 05:40:19 BackupAgent2[4318] <Error>: Backup failed: Insufficient free disk space on drive to back up (MBErrorDomain/105) at /var/mobile/x.db for me@example.com");
        let Some(BackupEvent::Failed { code, description }) = e else {
            panic!("{e:?}")
        };
        assert_eq!(code, Some(105));
        assert!(!description.contains("/var/mobile"), "{description}");
        assert!(!description.contains("example.com"), "{description}");
        assert_eq!(
            failure("Error Domain=MBErrorDomain Code=208 \"Device locked\""),
            Some(BackupEvent::Failed {
                code: Some(208),
                description: "Error Domain=MBErrorDomain Code=208 \"Device locked\"".into()
            })
        );
        assert!(mask(&"x".repeat(1000)).chars().count() <= MAX_DESCRIPTION + 1);
    }

    #[test]
    fn which_lines_are_about_a_backup() {
        let yes = [
            "Nov 30 05:33:53 BackupAgent2(Accounts)[4308] <Notice>: anything",
            "Jan 21 02:17:30 unknown ReportCrash[120] <Notice>: Formulating crash report for process BackupAgent2[119]",
            "Apr  1 09:25:45 SpringBoard[55] <Notice>: Presenting passcode prompt for backup",
            "Apr  1 09:25:45 lockdownd[21] <Error>: com.apple.itunes.lock_sync is held by another client",
        ];
        for t in yes {
            assert!(is_backup_line(&parse(t).unwrap()), "{t}");
        }
        let no = [
            "Nov 30 05:40:02 powerd[46] <Notice>: Process BackupAgent2.4318 Summary NoIdleSleepAssertion",
            "Jan 21 02:17:37 unknown profiled[109] <Notice>: (Warn ) profiled: Received notification that a backup is about to run. Shutting down.",
            "Apr  1 09:25:45 SpringBoard[55] <Notice>: passcode entered",
        ];
        for t in no {
            assert!(!is_backup_line(&parse(t).unwrap()), "{t}");
        }
        assert_eq!(
            event("Apr  1 09:25:45 lockdownd[21] <Error>: com.apple.itunes.lock_sync is held by another client"),
            Some(BackupEvent::SyncLockHeld)
        );
        assert_eq!(
            event("Apr  1 09:25:45 BackupAgent2[7783] <Notice>: Waiting for the user to enter the passcode"),
            Some(BackupEvent::PasscodeWaiting)
        );
    }
}
