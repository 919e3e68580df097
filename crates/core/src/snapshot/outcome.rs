//! What one probe saw: its observation, or why it could not look.
//!
//! A failed probe is evidence, not an error: rules read `Failed` outcomes the
//! same way they read observations. A refusal *by the phone* (InvalidHostID,
//! PasswordProtected) is an observation and lives inside `Ok`; `Failed` is for
//! transport and protocol trouble on our side of the conversation.

use serde::{Deserialize, Serialize};

/// The result of one probe, serialised with a `status` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome<T> {
    /// The probe ran and saw `value`.
    Ok { duration_ms: u64, value: T },
    /// The probe ran and could not see: the failure says why.
    Failed { duration_ms: u64, failure: Failure },
    /// The probe did not run because something it needs was missing.
    Skipped { because: String },
}

/// Why a probe could not observe what it looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
    /// The line of a `--from` file that showed the failure (usbmuxd's log
    /// ending in a crash); None when a probe failed live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<super::Quote>,
}

/// The closed set of ways a probe fails; part of the JSON contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The facility does not exist on this machine (no libusb, no USB bus).
    Unavailable,
    /// The thing looked for is not there (no socket file, no folder).
    NotFound,
    /// It is there, but this user may not use it.
    AccessDenied,
    /// Something is there but nothing accepts the connection.
    Refused,
    /// No answer before the deadline.
    TimedOut,
    /// An answer came, but not in the expected protocol or format.
    ProtocolError,
    /// The peer closed the connection before the exchange ended.
    Closed,
    /// Any other input/output error.
    Io,
    /// The user pressed Ctrl-C before the probe finished.
    Interrupted,
    /// This computer refused to open another file or connection: the
    /// process's or the system's limit of open files was reached ("Too many
    /// open files", EMFILE/ENFILE). Says nothing about the peer.
    DescriptorLimit,
}

impl FailureKind {
    /// The contract spelling, as used in JSON and evidence lines.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unavailable => "unavailable",
            Self::NotFound => "not-found",
            Self::AccessDenied => "access-denied",
            Self::Refused => "refused",
            Self::TimedOut => "timed-out",
            Self::ProtocolError => "protocol-error",
            Self::Closed => "closed",
            Self::Io => "io",
            Self::Interrupted => "interrupted",
            Self::DescriptorLimit => "descriptor-limit",
        }
    }
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            quote: None,
        }
    }
}

impl<T> Outcome<T> {
    /// A probe's result, timed: the observation, or the typed failure.
    pub fn from_result(result: Result<T, Failure>, duration_ms: u64) -> Self {
        match result {
            Ok(value) => Self::Ok { duration_ms, value },
            Err(failure) => Self::Failed {
                duration_ms,
                failure,
            },
        }
    }

    /// The observation, when the probe saw one.
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Ok { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn value_mut(&mut self) -> Option<&mut T> {
        match self {
            Self::Ok { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The failure, when the probe ran and could not see.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Self::Failed { failure, .. } => Some(failure),
            _ => None,
        }
    }

    pub fn failed_with(&self, kind: FailureKind) -> bool {
        self.failure().is_some_and(|f| f.kind == kind)
    }

    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Ok { .. })
    }

    pub fn skipped(because: impl Into<String>) -> Self {
        Self::Skipped {
            because: because.into(),
        }
    }

    pub fn duration_ms(&self) -> Option<u64> {
        match self {
            Self::Ok { duration_ms, .. } | Self::Failed { duration_ms, .. } => Some(*duration_ms),
            Self::Skipped { .. } => None,
        }
    }

    /// The status word used in reports: ok, failed or skipped.
    pub fn status(&self) -> &'static str {
        match self {
            Self::Ok { .. } => "ok",
            Self::Failed { .. } => "failed",
            Self::Skipped { .. } => "skipped",
        }
    }
}

impl<T> Default for Outcome<T> {
    fn default() -> Self {
        Self::skipped("not probed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_status_tag() {
        let ok: Outcome<Vec<u8>> = Outcome::Failed {
            duration_ms: 3,
            failure: Failure::new(FailureKind::Refused, "connection refused"),
        };
        let json = serde_json::to_value(&ok).unwrap();
        assert_eq!(json["status"], "failed");
        assert_eq!(json["failure"]["kind"], "refused");
        let back: Outcome<Vec<u8>> = serde_json::from_value(json).unwrap();
        assert_eq!(back, ok);
    }

    #[test]
    fn accessors_agree_with_variant() {
        let o: Outcome<u8> = Outcome::skipped("no device");
        assert!(o.value().is_none() && o.failure().is_none() && !o.is_ok());
        assert_eq!(o.status(), "skipped");
        assert!(!o.failed_with(FailureKind::Refused));
    }
}
