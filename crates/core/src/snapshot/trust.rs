//! A phone's trust state in a few words, read from what lockdownd answered,
//! so the `devices` table and `watch`'s trust lines say it the same way.

use super::{DeviceObs, PairRecordState, PairRequestObs, SessionObs};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustState {
    /// The session came up with this computer's pair record.
    Trusted,
    /// `StartSession` was accepted but the TLS session did not come up.
    SessionFailed,
    /// The phone refused `StartSession` (its words).
    Refused(String),
    /// The Trust prompt is on screen, unanswered.
    DialogPending,
    /// "Don't Trust" was tapped.
    Denied,
    /// The phone must be unlocked before it can show the Trust prompt.
    LockedCannotAsk,
    /// The pairing request was refused (its words).
    PairRefused(String),
    /// No pair record on this computer, so no session was tried.
    NotPaired,
    /// A record exists but no session was tried (the connection broke first).
    NotAttempted,
}

impl TrustState {
    /// None when lockdownd was never reached.
    pub fn of(d: &DeviceObs) -> Option<Self> {
        let l = d.lockdown()?;
        Some(match (&l.session, &l.pair_request) {
            (SessionObs::Trusted, _) => Self::Trusted,
            (SessionObs::TlsFailed { .. }, _) => Self::SessionFailed,
            (SessionObs::Refused { raw, .. }, _) => Self::Refused(raw.clone()),
            (_, Some(PairRequestObs::DialogPending)) => Self::DialogPending,
            (_, Some(PairRequestObs::Denied)) => Self::Denied,
            (_, Some(PairRequestObs::PasswordProtected)) => Self::LockedCannotAsk,
            (_, Some(PairRequestObs::Refused { raw, .. })) => Self::PairRefused(raw.clone()),
            (SessionObs::NotAttempted, _)
                if d.pairing
                    .value()
                    .is_some_and(|p| p.record != PairRecordState::Present) =>
            {
                Self::NotPaired
            }
            (SessionObs::NotAttempted, _) => Self::NotAttempted,
        })
    }

    pub fn label(&self) -> String {
        match self {
            Self::Trusted => "trusted".into(),
            Self::SessionFailed => "session-failed".into(),
            Self::Refused(raw) => format!("refused ({raw})"),
            Self::DialogPending => "dialog-pending".into(),
            Self::Denied => "denied".into(),
            Self::LockedCannotAsk => "locked (cannot ask)".into(),
            Self::PairRefused(raw) => format!("pairing refused ({raw})"),
            Self::NotPaired => "not paired".into(),
            Self::NotAttempted => "not attempted".into(),
        }
    }
}
