//! The chain of layers a backup passes through, from this computer to the
//! phone: USB, usbmuxd (Apple Mobile Device Service on Windows), the pair
//! record, the phone, its backup service, the backup folder. Each link is
//! marked from what the probes saw and the findings about it, so a shared
//! report shows at a glance where the chain breaks.

use super::{names, Report};
use crate::rules::{Finding, Layer, RuleId, Severity};
use crate::snapshot::{udid_key, Outcome, PairRecordState, SessionObs};

/// How one link fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Checked, and nothing stands in the way.
    Passed,
    /// Checked; a warning stands on it, but it does not stop the backup.
    Warning,
    /// A blocker stands on it, or what it must hold is not there.
    Broken,
    /// Not checked: its probe did not run, did not finish, or gave no answer
    /// to judge (the reason is in `detail`).
    NotChecked,
}

impl LinkState {
    pub fn glyph(self) -> &'static str {
        match self {
            Self::Passed => "✓",
            Self::Warning => "!",
            Self::Broken => "✗",
            Self::NotChecked => "–",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Warning => "warning",
            Self::Broken => "broken",
            Self::NotChecked => "not checked",
        }
    }
}

/// One box of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// "USB", "usbmuxd", "Pair record", ...
    pub label: &'static str,
    pub state: LinkState,
    /// One short line: what it showed, the worst finding's title, or why it
    /// was not checked.
    pub detail: String,
    /// The id of the worst finding on it, when there is one.
    pub finding: Option<&'static str>,
}

/// The chain for one phone (or for none, when no phone was found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The phone as people know it; None when no phone was found.
    pub phone: Option<String>,
    pub udid: Option<String>,
    pub links: Vec<Link>,
}

impl Chain {
    /// "USB ✓ → usbmuxd ✓ → Pair record ✗ → ...".
    pub fn one_line(&self) -> String {
        self.links
            .iter()
            .map(|l| format!("{} {}", l.label, l.state.glyph()))
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// Finding ids that concern the pair record rather than the phone.
const PAIR_RECORD_IDS: &[RuleId] = &[
    RuleId::TrustNotPaired,
    RuleId::TrustSessionFailed,
    RuleId::HostLockdownDirUnusable,
];

/// At most this many phones get a chain drawn: as many as get a row of their
/// own in the checklist (a snapshot of thousands of phones drew thousands,
/// each looking through every finding, issue 30).
pub const MAX_CHAINS: usize = super::checklist::MAX_PHONE_ROWS;

/// The chains a report draws, and how many phones it leaves out.
pub struct Chains {
    pub drawn: Vec<Chain>,
    pub not_drawn: usize,
}

/// One chain per phone the report is about (the first [`MAX_CHAINS`]); one
/// phone-less chain when none.
pub fn chains(report: &Report) -> Chains {
    // Each finding's phone in comparable form, once: a report about many
    // phones compares every phone with every finding.
    let keyed: Vec<(Option<String>, &Finding)> = report
        .findings
        .iter()
        .map(|rf| (rf.finding.device.as_deref().map(udid_key), rf.finding))
        .collect();
    let phones = names::phones(report.snapshot);
    if phones.is_empty() {
        return Chains {
            drawn: vec![chain(report, &keyed, None)],
            not_drawn: 0,
        };
    }
    Chains {
        drawn: phones
            .iter()
            .take(MAX_CHAINS)
            .map(|u| chain(report, &keyed, Some(u)))
            .collect(),
        not_drawn: phones.len().saturating_sub(MAX_CHAINS),
    }
}

fn chain(report: &Report, keyed: &[(Option<String>, &Finding)], udid: Option<&str>) -> Chain {
    let s = report.snapshot;
    let key = udid.map(udid_key);
    // The worst blocker or warning among these findings (notes break nothing).
    let worst = |pick: &dyn Fn(&Finding) -> bool| -> Option<&Finding> {
        keyed
            .iter()
            .filter(|(k, _)| k.is_none() || *k == key)
            .map(|(_, f)| *f)
            .filter(|f| pick(f) && f.severity > Severity::Info)
            .max_by_key(|f| f.severity)
    };
    let from =
        |label: &'static str, worst: Option<&Finding>, fallback: (LinkState, String)| match worst {
            Some(f) => Link {
                label,
                state: if f.severity == Severity::Blocker {
                    LinkState::Broken
                } else {
                    LinkState::Warning
                },
                detail: f.title.clone(),
                finding: Some(f.id.as_str()),
            },
            None => Link {
                label,
                state: fallback.0,
                detail: fallback.1,
                finding: None,
            },
        };
    let outcome_state = |o: &dyn OutcomeView, ok: String| -> (LinkState, String) {
        match o.problem() {
            None => (LinkState::Passed, ok),
            Some(why) => (LinkState::NotChecked, why),
        }
    };

    let mut links = Vec::new();
    links.push(from(
        "USB",
        worst(&|f| f.layer == Layer::Usb),
        outcome_state(&s.probes.usb, "the bus was read".into()),
    ));
    links.push(from(
        names::mux_daemon(s),
        worst(&|f| matches!(f.layer, Layer::Usbmuxd | Layer::Connection)),
        outcome_state(&s.probes.usbmuxd, "answered".into()),
    ));

    let device = udid.and_then(|u| s.device(u));
    let no_phone = || {
        (
            LinkState::NotChecked,
            if udid.is_none() {
                "no phone was found".to_string()
            } else {
                "the phone was not probed".to_string()
            },
        )
    };
    let pair_fallback = match device.map(|d| &d.pairing) {
        Some(Outcome::Ok { value, .. }) => match value.record {
            PairRecordState::Present => (LinkState::Passed, "present".to_string()),
            PairRecordState::Absent => (LinkState::Broken, "no pair record".to_string()),
            PairRecordState::Unreadable => (
                LinkState::Broken,
                "the pair record is unreadable".to_string(),
            ),
        },
        Some(o) => outcome_state(o, String::new()),
        None => no_phone(),
    };
    links.push(from(
        "Pair record",
        worst(&|f| PAIR_RECORD_IDS.contains(&f.id)).filter(|_| udid.is_some()),
        pair_fallback,
    ));

    let phone_fallback = match device.map(|d| &d.lockdown) {
        Some(Outcome::Ok { value, .. }) => match (&value.session, &value.aborted) {
            (_, Some(a)) => (
                LinkState::NotChecked,
                format!("the conversation broke off: {}", a.message),
            ),
            (SessionObs::Trusted, None) => (LinkState::Passed, "trusts this computer".into()),
            (SessionObs::NotAttempted, None) => {
                (LinkState::NotChecked, "no session was tried".into())
            }
            (SessionObs::Refused { raw, .. }, None) => {
                (LinkState::Broken, format!("refused a session: {raw}"))
            }
            (SessionObs::TlsFailed { message, .. }, None) => (
                LinkState::Broken,
                format!("the secure session failed: {message}"),
            ),
        },
        Some(o) => outcome_state(o, String::new()),
        None => no_phone(),
    };
    links.push(from(
        "iPhone",
        worst(&|f| {
            matches!(f.layer, Layer::Trust | Layer::Device) && !PAIR_RECORD_IDS.contains(&f.id)
        })
        .filter(|_| udid.is_some()),
        phone_fallback,
    ));

    let service_fallback = match device.map(|d| &d.backup_service) {
        Some(Outcome::Ok { value, .. }) => match &value.refused {
            None => (LinkState::Passed, "answered the handshake".to_string()),
            Some(r) => (LinkState::Broken, format!("refused: {}", r.raw)),
        },
        Some(o) => outcome_state(o, String::new()),
        None => no_phone(),
    };
    links.push(from(
        "Backup service",
        worst(&|f| f.layer == Layer::BackupService).filter(|_| udid.is_some()),
        service_fallback,
    ));

    // Backups the deadline cut short were not all read: not vouched for.
    let backups_problem = s.probes.backups.problem().or_else(|| {
        s.probes
            .backups
            .value()
            .filter(|b| b.cut_short)
            .map(|_| "the deadline stopped the check before every backup was read".to_string())
    });
    let folder_fallback = match (s.probes.host.problem(), backups_problem) {
        (None, None) => (
            LinkState::Passed,
            s.host()
                .and_then(|h| h.backup_dir.path.clone())
                .unwrap_or_else(|| "readable".into()),
        ),
        (Some(why), _) | (None, Some(why)) => (LinkState::NotChecked, why),
    };
    links.push(from(
        "Backup folder",
        worst(&|f| {
            matches!(f.layer, Layer::Host | Layer::Backup) && !PAIR_RECORD_IDS.contains(&f.id)
        }),
        folder_fallback,
    ));

    Chain {
        phone: udid.map(|u| names::phone(s, u)),
        udid: udid.map(str::to_string),
        links,
    }
}

/// What a chain link needs of any probe's outcome: whether it finished,
/// and if not why, in words.
trait OutcomeView {
    fn problem(&self) -> Option<String>;
}

impl<T> OutcomeView for Outcome<T> {
    fn problem(&self) -> Option<String> {
        match self {
            Outcome::Ok { .. } => None,
            Outcome::Failed { failure, .. } => Some(failure.message.clone()),
            Outcome::Skipped { because } => Some(because.clone()),
        }
    }
}
