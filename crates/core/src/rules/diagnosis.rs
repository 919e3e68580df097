//! The verdict: every rule run, ranked, and summed up.

use serde::Serialize;

use super::{evaluate, rank, Finding, Severity, Suppressed};
use crate::snapshot::Snapshot;

/// What a script needs to know without reading the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing above info.
    Ready,
    /// Warnings, no blocker.
    Warnings,
    /// At least one blocker.
    Blocked,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Warnings => "warnings",
            Self::Blocked => "blocked",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub blockers: usize,
    pub warnings: usize,
    pub info: usize,
}

/// The ranked findings for one snapshot.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub verdict: Verdict,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
}

/// Runs the rules on the snapshot and ranks what they find. When `udid` is
/// given, findings about other phones are dropped.
pub fn diagnose(snapshot: &Snapshot, udid: Option<&str>) -> Diagnosis {
    let mut all = evaluate(snapshot);
    if let Some(u) = udid {
        all.retain(|f| {
            f.device
                .as_deref()
                .is_none_or(|d| crate::snapshot::same_udid(d, u))
        });
    }
    let (findings, suppressed) = rank(all);
    let mut summary = Summary::default();
    for f in &findings {
        match f.severity {
            Severity::Blocker => summary.blockers += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Info => summary.info += 1,
        }
    }
    let verdict = if summary.blockers > 0 {
        Verdict::Blocked
    } else if summary.warnings > 0 {
        Verdict::Warnings
    } else {
        Verdict::Ready
    };
    Diagnosis {
        verdict,
        summary,
        findings,
        suppressed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::RuleId;
    use crate::snapshot::FailureKind;

    #[test]
    fn no_daemon_and_no_bus_puts_not_running_first_and_blocks() {
        let s = world()
            .usb_failed(FailureKind::Unavailable)
            .mux_missing()
            .build();
        let d = diagnose(&s, None);
        assert_eq!(d.verdict, Verdict::Blocked);
        assert_eq!(d.findings[0].id, RuleId::UsbmuxdNotRunning);
        assert!(d.findings.iter().any(|f| f.id == RuleId::UsbUnavailable));
    }

    #[test]
    fn healthy_computer_with_daemon_and_no_phone_is_blocked_by_no_device() {
        let s = world().usb_ok(vec![]).mux_ok(vec![]).build();
        let d = diagnose(&s, None);
        assert_eq!(d.findings[0].id, RuleId::UsbNoDevice);
        assert_eq!(d.verdict, Verdict::Blocked);
    }

    #[test]
    fn info_only_is_ready() {
        let s = world()
            .usb_failed(FailureKind::Unavailable)
            .mux_ok(vec![usb_phone("A", 1)])
            .build();
        let d = diagnose(&s, None);
        assert_eq!(d.verdict, Verdict::Ready, "{:#?}", d.findings);
        assert_eq!(d.summary.info, 1);
    }
}
