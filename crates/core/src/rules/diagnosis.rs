//! The verdict: every rule run, ranked, and summed up.

use serde::Serialize;

use super::unfinished::{not_checked, NotChecked};
use super::{evaluate, rank, Finding, Findings, Severity, Suppressed};
use crate::snapshot::Snapshot;

/// What a script needs to know without reading the findings. Ordered from
/// best to worst, so the worst of several phones is their `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing above info, and every layer that matters was checked.
    Ready,
    /// Warnings, no blocker.
    Warnings,
    /// No blocker seen, but a layer that matters was not checked (out of
    /// time, or Ctrl-C): what was seen may not be the whole story.
    Incomplete,
    /// At least one blocker.
    Blocked,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Warnings => "warnings",
            Self::Incomplete => "incomplete",
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
    /// The layers that matter and did not finish; not empty means the
    /// verdict is `incomplete` unless a blocker was seen.
    pub not_checked: Vec<NotChecked>,
    /// Findings left out of `findings` past [`MAX_FINDINGS`] in all or
    /// [`MAX_FINDINGS_PER_PHONE`] for one phone, the lowest ranked; `summary`
    /// and the verdict still count them.
    pub more_findings: usize,
}

/// A report lists at most this many findings: a person reads a few, and a
/// snapshot of thousands of phones or backups must not make a report of
/// megabytes (issue 30). The rest are counted ("and N more").
pub const MAX_FINDINGS: usize = 100;
/// ...and at most this many about one phone (or about the computer).
pub const MAX_FINDINGS_PER_PHONE: usize = 12;

/// Keeps the best ranked findings within the caps; returns how many went.
fn cap(findings: &mut Vec<Finding>) -> usize {
    let before = findings.len();
    let mut per_phone: std::collections::HashMap<Option<String>, usize> = Default::default();
    findings.retain(|f| {
        let n = per_phone
            .entry(f.device.as_deref().map(crate::snapshot::udid_key))
            .or_default();
        *n += 1;
        *n <= MAX_FINDINGS_PER_PHONE
    });
    findings.truncate(MAX_FINDINGS);
    before - findings.len()
}

/// Runs the rules on the snapshot and ranks what they find. When `udid` is
/// given, findings about other phones are dropped, and a UDID that matches
/// no phone is a finding of its own (never "ready" for a phone not there).
pub fn diagnose(snapshot: &Snapshot, udid: Option<&str>) -> Diagnosis {
    let mut all = evaluate(snapshot);
    let mut not_checked = not_checked(snapshot);
    if let Some(u) = udid {
        let mine = |d: &Option<String>| {
            d.as_deref()
                .is_none_or(|d| crate::snapshot::same_udid(d, u))
        };
        all.retain(|f| mine(&f.device));
        not_checked.retain(|n| mine(&n.device));
        let mut named = Findings::new(snapshot);
        super::usb::no_device::named_phone_missing(snapshot, u, &mut named);
        all.extend(named.into_vec());
    }
    let (mut findings, suppressed) = rank(all);
    let mut summary = Summary::default();
    for f in &findings {
        match f.severity {
            Severity::Blocker => summary.blockers += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Info => summary.info += 1,
        }
    }
    let more_findings = cap(&mut findings);
    let verdict = if summary.blockers > 0 {
        Verdict::Blocked
    } else if !not_checked.is_empty() {
        Verdict::Incomplete
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
        not_checked,
        more_findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::RuleId;
    use crate::snapshot::FailureKind;

    #[test]
    fn no_daemon_and_no_bus_on_a_mac_puts_not_running_first_and_blocks() {
        let s = world()
            .os(crate::snapshot::OsFamily::Macos, "14.6.1")
            .usb_failed(FailureKind::Unavailable)
            .mux_missing()
            .build();
        let d = diagnose(&s, None);
        assert_eq!(d.verdict, Verdict::Blocked);
        assert_eq!(d.findings[0].id, RuleId::UsbmuxdNotRunning);
        assert!(d.findings.iter().any(|f| f.id == RuleId::UsbUnavailable));
    }

    #[test]
    fn linux_with_no_phone_says_no_phone_and_notes_the_daemon() {
        for usb in [
            world().usb_ok(vec![]),
            world().usb_failed(FailureKind::Unavailable),
        ] {
            let d = diagnose(&usb.mux_missing().build(), None);
            assert_eq!(d.verdict, Verdict::Blocked);
            assert_eq!(d.findings[0].id, RuleId::UsbNoDevice, "{:#?}", d.findings);
            let daemon = d
                .findings
                .iter()
                .find(|f| f.id == RuleId::UsbmuxdNotRunning);
            assert_eq!(daemon.map(|f| f.severity), Some(Severity::Info));
        }
    }

    #[test]
    fn a_phone_in_recovery_hides_the_daemons_findings() {
        use crate::rules::testing_usb::*;
        for os in [
            crate::snapshot::OsFamily::Linux,
            crate::snapshot::OsFamily::Macos,
        ] {
            let s = world()
                .os(os, "1")
                .usb_ok(vec![recovery_on_bus()])
                .mux_missing()
                .build();
            let d = diagnose(&s, None);
            let ids: Vec<_> = d.findings.iter().map(|f| f.id).collect();
            assert_eq!(ids, [RuleId::UsbRecoveryMode], "{os:?}");
            assert!(d.suppressed.iter().any(
                |h| h.id == RuleId::UsbmuxdNotRunning && h.hidden_by == RuleId::UsbRecoveryMode
            ));
        }
        // A phone in normal mode beside it keeps the daemon's findings.
        let s = world()
            .os(crate::snapshot::OsFamily::Macos, "14")
            .usb_ok(vec![recovery_on_bus(), phone_on_bus("B")])
            .mux_missing()
            .build();
        let d = diagnose(&s, None);
        assert!(d.findings.iter().any(|f| f.id == RuleId::UsbmuxdNotRunning));
    }

    #[test]
    fn healthy_computer_with_daemon_and_no_phone_is_blocked_by_no_device() {
        let s = world().usb_ok(vec![]).mux_ok(vec![]).build();
        let d = diagnose(&s, None);
        assert_eq!(d.findings[0].id, RuleId::UsbNoDevice);
        assert_eq!(d.verdict, Verdict::Blocked);
    }

    #[test]
    fn a_udid_no_phone_has_blocks_even_beside_a_ready_phone() {
        let s = world()
            .usb_failed(FailureKind::Unavailable)
            .mux_ok(vec![usb_phone("A", 1)])
            .build();
        assert_eq!(diagnose(&s, None).verdict, Verdict::Ready);
        let d = diagnose(&s, Some("typo"));
        assert_eq!(d.verdict, Verdict::Blocked);
        assert_eq!(d.findings[0].id, RuleId::UsbNoDevice);
        assert!(
            d.findings[0].title.contains("typo"),
            "{}",
            d.findings[0].title
        );
        assert!(d.findings[0].says("A"));
        // The phone that is there, named by a UDID spelled another way.
        assert_eq!(diagnose(&s, Some("a")).verdict, Verdict::Ready);
    }

    #[test]
    fn a_check_cut_short_is_incomplete_not_ready() {
        let mut s = world()
            .usb_failed(FailureKind::Unavailable)
            .mux_ok(vec![usb_phone("A", 1)])
            .build();
        s.probes.backups = crate::snapshot::Outcome::Failed {
            duration_ms: 10_000,
            failure: crate::snapshot::Failure::new(FailureKind::TimedOut, "too slow"),
        };
        let d = diagnose(&s, None);
        assert_eq!(d.verdict, Verdict::Incomplete);
        assert_eq!(d.not_checked.len(), 1);
        // Interrupted (Ctrl-C) the same, and a blocker still blocks.
        let mut s = world().mux_failed(FailureKind::Interrupted).build();
        s.interrupted = true;
        assert_eq!(diagnose(&s, None).verdict, Verdict::Incomplete);
        let mut s = world().mux_missing().build();
        s.interrupted = true;
        s.probes.backups =
            crate::snapshot::Outcome::skipped("interrupted (Ctrl-C) before it finished");
        let d = diagnose(&s, None);
        assert_eq!(d.verdict, Verdict::Blocked);
        assert!(!d.not_checked.is_empty());
    }

    #[test]
    fn a_report_lists_a_bounded_number_of_findings_and_counts_the_rest() {
        use crate::rules::RULES;
        let rule = RULES
            .iter()
            .find(|r| r.id == RuleId::BackupCorrupt)
            .unwrap();
        let mut many: Vec<Finding> = (0..300)
            .map(|i| Finding::new(rule).device(format!("phone-{}", i % 150)))
            .collect();
        many.extend((0..20).map(|_| Finding::new(rule).device("one")));
        let more = cap(&mut many);
        assert_eq!(many.len(), MAX_FINDINGS);
        assert_eq!(more, 320 - MAX_FINDINGS);
        let mut one: Vec<Finding> = (0..20)
            .map(|i| {
                Finding::new(rule).device(if i % 2 == 0 {
                    "00008110-AB"
                } else {
                    "00008110ab"
                })
            })
            .collect();
        assert_eq!(cap(&mut one), 20 - MAX_FINDINGS_PER_PHONE);
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
