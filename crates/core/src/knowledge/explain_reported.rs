//! From an error another tool reported to the entry `explain` has for it,
//! and from that entry to the one cause a rule can stand behind. This is how
//! `diagnose --from` turns pasted errors into ranked causes with the same
//! knowledge `explain` shows, instead of a second table of its own.

use super::entries::all;
use super::entry::{Code, Domain, Entry};
use super::lookup::{lookup, normalize, Reason};
use crate::rules::Confidence;
use crate::rules::RuleId;
use crate::snapshot::ReportedError;

/// What the knowledge says about one reported error.
#[derive(Debug, Clone)]
pub struct Explained {
    pub entry: &'static Entry,
    /// How the entry was found, for evidence ("code 105 in MBErrorDomain").
    pub matched: String,
    /// The rule that covers the cause, when the entry (or a decisive word of
    /// the message) names one.
    pub cause: Option<RuleId>,
    /// `cause` and, after it, the entry's other causes in its order: what a
    /// caller that knows more (the snapshot rules one out) may take instead.
    pub candidates: Vec<RuleId>,
    /// Certain for a single cause, Likely for the first of a few, Possible
    /// when the code reads two ways.
    pub confidence: Confidence,
    /// The entry's other causes, to name beside the one chosen.
    pub other_causes: Vec<RuleId>,
    /// Why the code can be read two ways, when it can.
    pub ambiguity: Option<String>,
}

/// The entry that best explains `err`: its code in its domain first, then
/// the phrases of its message. `None` when nothing is known about it.
pub fn explain_reported(err: &ReportedError) -> Option<Explained> {
    let (entry, matched, ambiguity) =
        by_code(err).or_else(|| by_message(&err.message, err.code.is_none()))?;
    let rules = entry.causes.rules();
    let (cause, mut confidence) = match (entry.causes.decided_by(&normalize(&err.message)), rules) {
        (Some(rule), _) => (Some(rule), Confidence::Certain),
        (None, _) if entry.causes.is_generic() => (None, Confidence::Possible),
        (None, [only]) => (Some(*only), Confidence::Certain),
        (None, [first, ..]) => (Some(*first), Confidence::Likely),
        (None, []) => (None, Confidence::Possible),
    };
    if ambiguity.is_some() {
        confidence = Confidence::Possible;
    }
    let other_causes: Vec<RuleId> = rules
        .iter()
        .copied()
        .filter(|c| cause.is_some_and(|chosen| chosen != *c))
        .collect();
    let candidates = cause
        .into_iter()
        .chain(other_causes.iter().copied())
        .collect();
    Some(Explained {
        entry,
        matched,
        cause,
        candidates,
        confidence,
        other_causes,
        ambiguity,
    })
}

/// Tools whose bare numeric codes are lockdownd's.
const LOCKDOWN_CLIENTS: &[&str] = &[
    "idevicepair",
    "ideviceinfo",
    "ifuse",
    "ios_webkit_debug_proxy",
];

type Found = (&'static Entry, String, Option<String>);

fn entry_with(code: Code) -> Option<&'static Entry> {
    all().iter().find(|e| e.codes.contains(&code))
}

fn by_code(err: &ReportedError) -> Option<Found> {
    let value = err.code?;
    match err.domain.as_deref().and_then(Domain::from_name) {
        Some(domain) => {
            let value = match domain {
                // Stored as the unsigned 32-bit value; tools print either.
                Domain::MobileDevice => i64::from(value as i32 as u32),
                _ => value,
            };
            let code = Code::new(domain, value);
            let entry = entry_with(code)?;
            let matched = format!("code {} in {}", code.display(), domain.label());
            Some((entry, matched, None))
        }
        None if normalize(&err.message).contains("lockdown")
            || LOCKDOWN_CLIENTS.contains(&err.tool.as_str()) =>
        {
            lockdown_either(value)
        }
        None => None,
    }
}

/// A lockdownd code printed without saying which libimobiledevice printed
/// it: the 1.1.x releases numbered these errors differently, so the current
/// reading is taken and the other one named.
fn lockdown_either(value: i64) -> Option<Found> {
    let current = entry_with(Code::lockdown(value));
    let legacy = entry_with(Code::lockdown_legacy(value));
    let label = |d: Domain| d.label();
    match (current, legacy) {
        (Some(c), Some(l)) if c.key != l.key => Some((
            c,
            format!("code {value} in {}", label(Domain::Lockdown)),
            Some(format!(
                "lockdownd error {value} is ambiguous: {} in libimobiledevice 1.2 and later, but {} in the 1.1.x releases, and the capture does not show which version printed it",
                c.title, l.title
            )),
        )),
        (Some(c), _) => Some((
            c,
            format!("code {value} in {}", label(Domain::Lockdown)),
            None,
        )),
        (None, Some(l)) => Some((
            l,
            format!("code {value} in {}", label(Domain::LockdownLegacy)),
            Some(format!(
                "lockdownd error {value} is read in the 1.1.x numbering, the only one that has it; the capture does not show which version printed it"
            )),
        )),
        (None, None) => None,
    }
}

/// The best entry whose phrase (or code, named in the text) the message
/// holds; looser word overlaps are not enough to claim a cause. An entry
/// that names a cause goes before a generic one: "could not be backed up
/// because the iPhone disconnected" is the disconnect, not the failure.
/// A number in the text counts as a code only when the tool gave none: a
/// code the importer read has its own domain.
fn by_message(message: &str, codes: bool) -> Option<Found> {
    let found = lookup(message);
    let specific =
        |m: &&super::Match| !m.entry.causes.is_generic() && !m.entry.causes.rules().is_empty();
    let (first, rest): (Vec<_>, Vec<_>) = found.matches.iter().partition(specific);
    first.into_iter().chain(rest).find_map(|m| {
        m.reasons.iter().find_map(|r| match r {
            Reason::Phrase { phrase } => Some((m.entry, format!("the message \"{phrase}\""), None)),
            Reason::Code { code, domain, .. } if codes => Some((
                m.entry,
                format!("code {} in {}", code.display(), domain.label()),
                None,
            )),
            _ => None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Quote;

    fn err(domain: Option<&str>, code: Option<i64>, message: &str) -> ReportedError {
        ReportedError {
            tool: "idevicebackup2".into(),
            domain: domain.map(String::from),
            code,
            message: message.into(),
            quote: Quote {
                file: "f".into(),
                line: 1,
                text: message.into(),
            },
            udid: None,
            overcome: None,
        }
    }

    fn cause(e: &ReportedError) -> (Option<RuleId>, Confidence) {
        let x = explain_reported(e).expect("known");
        (x.cause, x.confidence)
    }

    #[test]
    fn codes_in_their_domain_and_decisive_words() {
        let host = err(
            Some("mberrordomain"),
            Some(105),
            "Insufficient free disk space on drive to back up",
        );
        assert_eq!(
            cause(&host),
            (Some(RuleId::HostDiskSpace), Confidence::Certain)
        );
        let phone = err(
            Some("mberrordomain"),
            Some(105),
            "Insufficient free disk space on device to restore (1 < 2)",
        );
        assert_eq!(
            cause(&phone),
            (Some(RuleId::DeviceStorageFull), Confidence::Certain)
        );
        let locked = err(Some("mberrordomain"), Some(208), "Device locked");
        assert_eq!(
            cause(&locked),
            (Some(RuleId::DeviceLocked), Confidence::Certain)
        );
        let three = err(Some("mberrordomain"), Some(3), "Failed to create snapshot");
        assert_eq!(
            cause(&three),
            (Some(RuleId::BackupUnfinished), Confidence::Likely)
        );
    }

    #[test]
    fn messages_alone_find_their_entry() {
        for (message, rule) in [
            (
                "Please accept the trust dialog on the screen of device X",
                RuleId::TrustDialogPending,
            ),
            (
                "Device X is not paired with this host",
                RuleId::TrustNotPaired,
            ),
            (
                "ERROR: timeout while locking for sync",
                RuleId::HostBackupInProgress,
            ),
            (
                "Failed to connect to usbmuxd socket",
                RuleId::UsbmuxdNotRunning,
            ),
            (
                "ERROR: Could not validate with device X because a passcode is set",
                RuleId::DeviceLocked,
            ),
        ] {
            assert_eq!(cause(&err(None, None, message)).0, Some(rule), "{message}");
        }
        assert!(explain_reported(&err(None, None, "all fine here")).is_none());
    }

    #[test]
    fn a_lockdown_code_without_its_version_is_ambiguous() {
        let e = err(
            None,
            Some(-21),
            "Could not connect to lockdownd, error code -21",
        );
        let x = explain_reported(&e).unwrap();
        assert_eq!(x.entry.key, "lockdown-invalid-host-id");
        assert_eq!(x.confidence, Confidence::Possible);
        assert!(x.ambiguity.unwrap().contains("ambiguous"));
        let named = err(Some("lockdownd"), Some(-21), "Invalid HostID (-21)");
        let x = explain_reported(&named).unwrap();
        assert_eq!(
            (x.cause, x.confidence),
            (Some(RuleId::TrustResetOnDevice), Confidence::Likely)
        );
    }

    #[test]
    fn deciding_words_name_a_cause_their_entry_lists() {
        for entry in all() {
            if let crate::knowledge::Causes::Worded { words, ranked } = entry.causes {
                for (text, rule) in words {
                    assert!(ranked.contains(rule), "{}: {text:?} -> {rule}", entry.key);
                    assert_eq!(
                        normalize(text),
                        *text,
                        "{}: {text:?} is not normalized",
                        entry.key
                    );
                }
            }
        }
    }

    #[test]
    fn a_generic_entry_claims_no_cause() {
        let e = err(
            None,
            None,
            "The iPhone \"X\" could not be backed up because an error occurred.",
        );
        let x = explain_reported(&e).unwrap();
        assert_eq!(x.cause, None);
    }
}
