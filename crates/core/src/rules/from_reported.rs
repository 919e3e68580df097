//! Errors other tools reported (`probes.reported_errors`), as the rules read
//! them: each rule for a cause asks for the errors whose `explain` entry
//! names that cause ([`Snapshot::reported_for`]) and turns each into a
//! finding quoting the line. One place, so every rule cites and ranks them
//! alike, and `reported.error` knows which errors no rule took.

use super::RuleId;
use super::{Basis, Confidence, Finding, Findings, Rule};
use crate::knowledge::{explain_reported, Explained};
use crate::snapshot::{ReportedError, SessionObs, Snapshot, UsbMode};

/// One reported error and what the knowledge says about it.
#[derive(Debug, Clone)]
pub struct Reported<'s> {
    pub error: &'s ReportedError,
    pub explained: Option<Explained>,
    /// The cause taken, with how sure: the entry's first cause the rest of
    /// the snapshot does not rule out.
    pub cause: Option<(RuleId, Confidence)>,
}

impl Reported<'_> {
    /// The rule that takes this error, when one does.
    pub fn covered_by(&self) -> Option<RuleId> {
        if self.error.overcome.is_some() {
            return None;
        }
        let (cause, _) = self.cause?;
        cause.rule().reads_reported_errors.then_some(cause)
    }

    /// A finding of `rule` resting on this error: the quoted line first,
    /// then what the error means and what else could cause it.
    pub fn finding(&self, rule: &'static Rule) -> Finding {
        let e = self.error;
        let mut f = Finding::new(rule).basis(Basis::Evidence).quoted(&e.quote);
        if let Some((_, c)) = self.cause {
            f = f.confidence(c);
        }
        if let Some(x) = &self.explained {
            f = f.evidence(format!(
                "{} reported it: {} ({})",
                e.tool, x.entry.title, x.matched
            ));
            if let Some(a) = &x.ambiguity {
                f = f.evidence(a.clone());
            }
            let others: Vec<String> = x
                .other_causes
                .iter()
                .filter(|c| **c != rule.id)
                .map(|c| format!("{} ({c})", c.rule().title))
                .collect();
            if !others.is_empty() {
                f = f.evidence(format!(
                    "the same error can also come from: {}",
                    others.join("; ")
                ));
            }
        }
        f
    }
}

impl<'s> Findings<'s> {
    /// [`Snapshot::reported`], worked out once for all the rules of one run.
    pub fn reported(&self) -> &[Reported<'s>] {
        let s = self.snapshot();
        self.reported_cache().get_or_init(|| s.reported())
    }

    /// A finding of `rule` for each reported error it stands behind, as
    /// [`Reported::finding`] words it: what most such rules do first.
    pub fn push_reported(&mut self, rule: &'static Rule) {
        for r in self.reported_for(rule.id) {
            self.push(r.finding(rule));
        }
    }

    /// The reported errors `rule` stands behind: what a rule's check asks
    /// for. The rule declares `reads_reported_errors`, or it would get none.
    pub fn reported_for(&self, rule: RuleId) -> Vec<Reported<'s>> {
        debug_assert!(
            rule.rule().reads_reported_errors,
            "{rule} reads reported errors: declare reads_reported_errors"
        );
        covering(rule, self.reported().iter().cloned())
    }
}

impl Snapshot {
    /// Every reported error with its knowledge entry, in capture order.
    pub fn reported(&self) -> Vec<Reported<'_>> {
        self.probes
            .reported_errors
            .iter()
            .map(|error| {
                let explained = explain_reported(error);
                let cause = explained.as_ref().and_then(|x| {
                    if x.candidates.is_empty() {
                        // Too many causes for the words alone: what else the
                        // snapshot shows may pick one.
                        let shown = x
                            .entry
                            .causes
                            .rules()
                            .iter()
                            .copied()
                            .find(|c| self.shows(*c))?;
                        return Some((shown, Confidence::Likely));
                    }
                    let first = x.candidates.first().copied();
                    let taken = x.candidates.iter().copied().find(|c| !self.rules_out(*c))?;
                    let sure = if Some(taken) == first {
                        x.confidence
                    } else {
                        Confidence::Possible
                    };
                    Some((taken, sure))
                });
                Reported {
                    error,
                    explained,
                    cause,
                }
            })
            .collect()
    }

    /// Whether what else the snapshot holds contradicts `cause`: a phone
    /// seen in a trusted session (it started its backup service for the
    /// tool) is paired and trusted, whatever a later error suggests.
    fn rules_out(&self, cause: RuleId) -> bool {
        cause.rule().layer == super::Layer::Trust
            && self
                .answered_phones()
                .any(|(_, l)| l.session == SessionObs::Trusted)
    }

    /// Whether the snapshot itself shows `cause`, so a generic error ("No
    /// device found", which has five) can be pinned on it: a phone in normal
    /// mode on the USB bus that the tool did not get means usbmuxd did not
    /// list it.
    fn shows(&self, cause: RuleId) -> bool {
        match cause {
            RuleId::UsbmuxdDeviceNotListed => {
                super::usb::on_bus(self, UsbMode::Normal).next().is_some()
            }
            _ => false,
        }
    }

    /// The reported errors `rule` stands behind, worked out afresh (tests;
    /// the rules use [`Findings::reported_for`], worked out once per run).
    #[cfg(test)]
    pub fn reported_for(&self, rule: RuleId) -> Vec<Reported<'_>> {
        covering(rule, self.reported())
    }
}

/// The errors of `all` that `rule` takes.
fn covering<'s>(rule: RuleId, all: impl IntoIterator<Item = Reported<'s>>) -> Vec<Reported<'s>> {
    all.into_iter()
        .filter(|r| r.covered_by() == Some(rule))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{evaluate, Confidence};
    use crate::snapshot::{Provenance, Quote};

    /// One message per rule that reads reported errors, as a tool prints it.
    const EXAMPLES: &[(RuleId, Option<&str>, Option<i64>, &str)] = &[
        (RuleId::BackupServiceRefused, None, None, "ERROR: Could not start backup process: device refused to start the backup process."),
        (RuleId::BackupCorrupt, Some("mberrordomain"), Some(103), "Error reading status"),
        (RuleId::BackupPasswordRejected, Some("mberrordomain"), Some(207), "Invalid password when restoring encrypted backup (MBErrorDomain/207)"),
        (RuleId::BackupUnfinished, Some("mberrordomain"), Some(3), "Failed to create snapshot: File exists (17)"),
        (RuleId::ConnectionSlowReplies, None, None, "Device is not ready yet"),
        (RuleId::ConnectionUnstable, None, None, "The iPhone could not be backed up because the iPhone disconnected."),
        (RuleId::DeviceLockdownUnreachable, Some("lockdownd"), Some(-8), "ERROR: Could not connect to lockdownd: Mux error (-8)"),
        (RuleId::DeviceLocked, Some("mberrordomain"), Some(208), "Device locked (MBErrorDomain/208)"),
        (RuleId::DeviceRestricted, None, None, "Pairing prohibited over this connection"),
        (RuleId::DeviceSetupIncomplete, Some("mberrordomain"), Some(212), "Unable to backup until Setup is finished"),
        (RuleId::DeviceStorageFull, Some("mberrordomain"), Some(105), "Insufficient free disk space on device to restore"),
        (RuleId::HostBackupInProgress, None, None, "ERROR: timeout while locking for sync"),
        (RuleId::HostDiskSpace, Some("mberrordomain"), Some(105), "Insufficient free disk space on drive to back up"),
        (RuleId::HostDescriptorLimit, None, None, "usbmuxd: accept: Too many open files"),
        (RuleId::HostOsOutdated, Some("mobilebackup2"), Some(-6), "Could not perform backup protocol version exchange, error code -6"),
        (RuleId::TrustDenied, Some("lockdownd"), Some(-18), "User denied pairing (-18)"),
        (RuleId::TrustDialogPending, None, None, "ERROR: Please accept the trust dialog on the screen of device X, then attempt to pair again."),
        (RuleId::TrustNotPaired, None, None, "ERROR: Device X is not paired with this host"),
        (RuleId::TrustResetOnDevice, Some("lockdownd"), Some(-21), "Invalid HostID (-21)"),
        (RuleId::TrustSessionFailed, Some("lockdownd"), Some(-31), "Invalid pair record (-31)"),
        // With a normal-mode phone on the bus (added below): the bus decides.
        (RuleId::UsbmuxdDeviceNotListed, None, None, "No device found, is it plugged in?"),
        (RuleId::UsbmuxdNotRunning, None, None, "Failed to connect to usbmuxd socket"),
    ];

    /// `s` with an iPhone in normal mode on the USB bus.
    fn phone_on_bus(mut s: Snapshot) -> Snapshot {
        s.probes.usb = crate::snapshot::Outcome::Ok {
            duration_ms: 0,
            value: crate::snapshot::UsbObs {
                devices: vec![crate::snapshot::UsbDevice {
                    mode: UsbMode::Normal,
                    ..Default::default()
                }],
                ..Default::default()
            },
        };
        s
    }

    fn with(domain: Option<&str>, code: Option<i64>, message: &str) -> Snapshot {
        let mut s = Snapshot::new(Provenance::default());
        s.probes.reported_errors.push(ReportedError {
            tool: "a tool".into(),
            domain: domain.map(String::from),
            code,
            message: message.into(),
            quote: Quote {
                file: "paste.txt".into(),
                line: 7,
                text: message.into(),
            },
            udid: None,
            overcome: None,
        });
        s
    }

    #[test]
    fn every_rule_that_reads_reported_errors_fires_on_its_error_and_quotes_it() {
        let mut with_example: Vec<RuleId> = EXAMPLES.iter().map(|e| e.0).collect();
        let mut reading: Vec<RuleId> = crate::rules::RULES
            .iter()
            .filter(|r| r.reads_reported_errors)
            .map(|r| r.id)
            .collect();
        with_example.sort_by_key(|id| id.as_str());
        reading.sort_by_key(|id| id.as_str());
        assert_eq!(
            with_example, reading,
            "one example per rule that reads reported errors"
        );
        for (rule, domain, code, message) in EXAMPLES {
            let r = rule.rule();
            assert!(r.severity > super::super::Severity::Info, "{rule}");
            let mut s = with(*domain, *code, message);
            if *rule == RuleId::UsbmuxdDeviceNotListed {
                s = phone_on_bus(s);
            }
            let found = evaluate(&s);
            let f = found
                .iter()
                .find(|f| f.id == *rule)
                .unwrap_or_else(|| panic!("{rule} on {message}: {found:?}"));
            assert_eq!(
                f.quotes().next().map(|q| (q.line, q.text.as_str())),
                Some((7, *message))
            );
            assert!(f.confidence >= Confidence::Likely, "{rule}");
        }
    }

    #[test]
    fn a_generic_error_is_pinned_only_on_what_the_snapshot_shows() {
        let alone = with(None, None, "No device found, is it plugged in?");
        assert!(alone
            .reported_for(RuleId::UsbmuxdDeviceNotListed)
            .is_empty());
        let beside = phone_on_bus(alone);
        let r = beside.reported_for(RuleId::UsbmuxdDeviceNotListed);
        assert_eq!(r.len(), 1);
        assert_eq!(
            r[0].cause,
            Some((RuleId::UsbmuxdDeviceNotListed, Confidence::Likely))
        );
    }

    #[test]
    fn a_cause_the_snapshot_rules_out_gives_way_to_the_next() {
        let mut s = with(
            Some("mobilebackup2"),
            Some(-1),
            "Could not perform backup protocol version exchange, error code -1",
        );
        assert_eq!(s.reported_for(RuleId::TrustNotPaired).len(), 1);
        s.probes.devices.push(crate::snapshot::DeviceObs {
            udid: "x".into(),
            lockdown: crate::snapshot::Outcome::Ok {
                duration_ms: 0,
                value: crate::snapshot::LockdownObs {
                    session: SessionObs::Trusted,
                    ..Default::default()
                },
            },
            ..Default::default()
        });
        assert!(s.reported_for(RuleId::TrustNotPaired).is_empty());
        let r = s.reported().into_iter().next().unwrap();
        assert_eq!(
            r.cause,
            Some((RuleId::DevicePasscodePrompt, Confidence::Possible))
        );
        assert_eq!(r.covered_by(), None, "a note's rule does not take an error");
    }

    #[test]
    fn an_overcome_error_is_taken_by_no_rule() {
        let mut s = with(None, None, "Please accept the trust dialog");
        s.probes.reported_errors[0].overcome = Some(Quote {
            file: "paste.txt".into(),
            line: 9,
            text: "SUCCESS: Paired with device".into(),
        });
        assert!(s.reported_for(RuleId::TrustDialogPending).is_empty());
    }
}
